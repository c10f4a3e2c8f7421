"""Scenario models of the workforce's rules: labour rules (scenario-wide and per team),
weekly-hour contracts, named employees with time off and preferences, and the planner's
choices.

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
)


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
