"""Scenario models of the workforce's rules: labour rules (scenario-wide and per team),
weekly-hour contracts, named employees with time off and preferences, and the planner's
choices; and the check that a scenario's rules do not contradict each other.

Part of the scenario schema (:mod:`scenarios.schema` re-exports every model); imports
nothing from ``sim``, ``optimizer`` or ``reports``."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    Field,
    create_model,
    field_validator,
    model_validator,
)

from scenarios.channels import StrictModel as _Model
from scenarios.types import (
    CalendarDate,
    Channel,
    Days,
    Language,
    TimeOfDay,
    WeekdayOrDate,
    time_of_day_minutes,
)

if TYPE_CHECKING:
    from scenarios.schema import Scenario, ShiftTemplates


class LaborRules(_Model):
    """Workload limits; an agent-week that breaks one is at burnout risk."""

    max_hours_per_week: float = Field(default=40, gt=0, le=168)
    overtime_allowance_hours: float = Field(
        default=2, ge=0, le=40, description="Overtime a week tolerated before the hours rule."
    )
    min_hours_per_week: float = Field(default=0, ge=0, le=168)
    min_rest_hours: float = Field(default=11, ge=0, le=48)
    max_consecutive_days: int = Field(default=5, ge=1, le=14)
    max_occupancy: float = Field(default=0.85, gt=0, le=1)
    max_night_shifts_per_week: int = Field(default=3, ge=0, le=7)
    min_days_off_per_week: int = Field(default=2, ge=0, le=7)
    max_working_weekends: int | None = Field(
        default=None,
        ge=0,
        le=104,
        description="Per horizon; a weekend counts if Sat or Sun is worked.",
    )

    @model_validator(mode="after")
    def _hours_range(self) -> LaborRules:
        if self.min_hours_per_week > self.max_hours_per_week:
            raise ValueError(
                f"min_hours_per_week {self.min_hours_per_week:g} is above max_hours_per_week "
                f"{self.max_hours_per_week:g} (expected min <= max)"
            )
        return self


def _partial_rules() -> type[_Model]:
    """LaborRules with every key optional: a team's overrides, validated key by key."""
    fields: dict[str, Any] = {
        name: (Annotated[(info.annotation, *info.metadata)] | None, None)
        for name, info in LaborRules.model_fields.items()
    }
    return create_model("TeamLaborRules", __base__=_Model, **fields)


if TYPE_CHECKING:
    TeamLaborRules = LaborRules
else:
    TeamLaborRules = _partial_rules()
    """A team's ``labor_rules``: any key of :class:`LaborRules`, overriding the scenario's."""


def _hours_range(value: Any) -> Any:
    """``'30-40'``, ``'30-40h'`` or ``40`` as a weekly-hours mapping."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"max_hours_per_week": value}
    if isinstance(value, str):
        text = value.strip().lower().removesuffix("h").strip()
        low, sep, high = text.partition("-")
        try:
            if sep:
                return {"min_hours_per_week": float(low), "max_hours_per_week": float(high)}
            return {"max_hours_per_week": float(text)}
        except ValueError:
            raise ValueError(
                f"found {value!r}, expected a weekly-hours range such as '30-40' or "
                "{min_hours_per_week: 30, max_hours_per_week: 40}"
            ) from None
    return value


class Contract(_Model):
    """A weekly-hours range (written ``'30-40'`` or as a mapping)."""

    min_hours_per_week: float = Field(default=0, ge=0, le=168)
    max_hours_per_week: float = Field(default=40, gt=0, le=168)

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: Any) -> Any:
        return _hours_range(value)

    @model_validator(mode="after")
    def _ordered(self) -> Contract:
        if self.min_hours_per_week > self.max_hours_per_week:
            raise ValueError(
                f"min_hours_per_week {self.min_hours_per_week:g} is above max_hours_per_week "
                f"{self.max_hours_per_week:g} (expected min <= max)"
            )
        return self


class ContractGroup(Contract):
    """Some agents of a team on their own weekly-hours contract."""

    agents: int = Field(ge=1)
    name: str = Field(default="", max_length=60)


class DateRange(_Model):
    """Dates from ``from`` to ``to``, both included (a single date is a one-day range)."""

    from_date: CalendarDate = Field(alias="from")
    to: CalendarDate

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: Any) -> Any:
        if isinstance(value, dt.date):
            return {"from": value, "to": value}
        if isinstance(value, str):
            low, sep, high = value.strip().partition("..")
            return {"from": low.strip(), "to": (high if sep else low).strip()}
        return value

    @model_validator(mode="after")
    def _ordered(self) -> DateRange:
        if self.to < self.from_date:
            raise ValueError(f"to {self.to} is before from {self.from_date} (expected from <= to)")
        return self

    def dates(self) -> list[dt.date]:
        """Every date of the range."""
        n = (self.to - self.from_date).days + 1
        return [self.from_date + dt.timedelta(days=k) for k in range(n)]


class Preferences(_Model):
    """What an employee would like (soft: granted when the plan allows)."""

    days_off: Days | None = Field(default=None, description="Weekdays the employee prefers off.")
    earliest_start: TimeOfDay | None = None
    latest_start: TimeOfDay | None = None


class Employee(_Model):
    """A named person in a team, with their own skills, contract and time off."""

    name: str = Field(min_length=1, max_length=80)
    team: str = Field(min_length=1)
    languages: list[Language] | None = Field(
        default=None, description="Own languages, a subset of the team's (default: all)."
    )
    channels: list[Channel] | None = Field(
        default=None, description="Own channels, a subset of the team's (default: all)."
    )
    contract: Contract | None = Field(
        default=None, description="Weekly hours; the team's rules if absent."
    )
    unavailable: list[WeekdayOrDate] = Field(
        default_factory=list, description="Weekdays or dates never worked (hard)."
    )
    time_off: list[DateRange] = Field(default_factory=list, description="Leave (hard).")
    prefers: Preferences | None = None

    @field_validator("unavailable", "time_off", mode="before")
    @classmethod
    def _listed(cls, value: Any) -> Any:
        if isinstance(value, str | dt.date):
            return [value]
        return value


class Planning(_Model):
    """Choices of ``optimize`` that are the planner's, not labour rules."""

    mip_gap: float = Field(
        default=0.01, ge=0, lt=1, description="Relative gap at which each solve may stop."
    )
    weekly_hours_margin: float = Field(
        default=0.05,
        ge=0,
        lt=0.5,
        description="Share of each crew's weekly paid hours the schedule leaves unplanned, so "
        "whole shifts fit each person's week.",
    )
    start_time_changes_hours: float = Field(
        default=4.0,
        ge=0,
        le=100,
        description="Soft penalty, in hours of the agent's pay, for each start time beyond "
        "the first in an agent's week.",
    )
    single_day_off_hours: float = Field(
        default=1.0,
        ge=0,
        le=100,
        description="Soft penalty, in hours of pay, for a day off that is not next to another.",
    )
    fairness_hours: float = Field(
        default=4.0,
        ge=0,
        le=100,
        description="Soft penalty, in hours of pay, for each weekend or night shift above an "
        "agent's fair share.",
    )
    preference_hours: float = Field(
        default=1.0,
        ge=0,
        le=100,
        description="Soft penalty, in hours of pay, for each employee preference not granted.",
    )


def template_grid(templates: ShiftTemplates) -> list[tuple[int, float]]:
    """(start minute, length in hours) of every shift template of a grid."""
    step = float(templates.starts_every)
    lo, hi = time_of_day_minutes(templates.earliest), time_of_day_minutes(templates.latest)
    starts: list[int] = []
    m = float(lo)
    while m <= hi + 1e-9:
        starts.append(round(m))
        m += step
    return [(s, float(h)) for s in starts for h in templates.lengths_hours]


def rule_conflicts(scenario: Scenario) -> list[str]:
    """Labour rules that contradict each other or the shift templates, in words.

    Checked per team (its own rules, and each contract's hours): a weekly minimum above the
    maximum; days off that leave too few working days for the minimum hours with the
    longest template; a minimum rest longer than the gap between any two templates on
    consecutive days (nobody could work two days running); a run of at most
    ``max_consecutive_days`` that cannot hold the working days the minimum hours need.
    """
    out: list[str] = []
    for t_i, team in enumerate(scenario.teams):
        where = f"teams[{t_i}] ({team.name!r})"
        try:
            rules = scenario.rules_for(team)
        except ValueError as exc:
            out.append(f"{where}.labor_rules: {_first_error(exc)}")
            continue
        if not team.optimize_shifts:
            continue
        grid = template_grid(scenario.templates_for(team))
        longest = max(h for _, h in grid)
        working_days = 7 - rules.min_days_off_per_week
        ranges = [("labor_rules", rules.min_hours_per_week)]
        ranges += [(f"contracts[{k}]", c.min_hours_per_week) for k, c in enumerate(team.contracts)]
        ranges += [
            (f"employee {p.name!r}", p.contract.min_hours_per_week)
            for p in scenario.employees
            if p.team == team.name and p.contract is not None
        ]
        for label, minimum in ranges:
            if minimum > working_days * longest + 1e-9:
                out.append(
                    f"{where}: {label} asks for at least {minimum:g} h a week, but "
                    f"min_days_off_per_week {rules.min_days_off_per_week} leaves "
                    f"{working_days} working days of at most {longest:g} h "
                    f"({working_days * longest:g} h; expected a minimum that fits)"
                )
        rest = rules.min_rest_hours * 60.0
        gaps = [
            b_start + 1440.0 - (a_start + a_hours * 60.0)
            for a_start, a_hours in grid
            for b_start, _ in grid
        ]
        if gaps and max(gaps) < rest - 1e-9 and rules.max_consecutive_days > 1:
            out.append(
                f"{where}: min_rest_hours {rules.min_rest_hours:g} is longer than the longest "
                f"gap between two shift templates on consecutive days ({max(gaps) / 60:g} h), "
                "so nobody could work two days in a row (expected a shorter rest or "
                "templates further apart)"
            )
    return out


def _first_error(exc: ValueError) -> str:
    """The first message of a pydantic validation error, or the error's own words."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return str(found[0].get("msg", exc)).removeprefix("Value error, ")
    return str(exc)
