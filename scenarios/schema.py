"""The scenario schema: one typed pydantic model per section of a scenario file.

A YAML scenario becomes a validated, frozen :class:`Scenario`. Unknown keys are errors
(``extra="forbid"``) so that a typo never falls back silently to a default. Units live in
names (``handle_minutes``, ``customer_reply_hours``) or in typed durations (``'20s'``).
Every number must be finite (NaN and infinity are refused on every model, through the
base model's ``allow_inf_nan=False``, so keys added later are covered too), and every
quantity has a sane upper bound: a value far outside any support operation is a typing
mistake, and would otherwise reach the run as an overflow or an endless simulation.
This module imports nothing from ``sim``, ``optimizer`` or ``reports``.
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    create_model,
    field_validator,
    model_validator,
)
from scipy import stats

from scenarios.employees import read_employees_file
from scenarios.types import (
    LATEST_DATE,
    CalendarDate,
    CalendarDateTime,
    Country,
    Days,
    Duration,
    Language,
    TimeOfDay,
    TimeZone,
    WeekdayOrDate,
    excerpt,
    time_of_day_minutes,
)
from scenarios.volume import mean_week, read_volume_file

Channel = Literal["phone", "chat", "email"]
CHANNELS: tuple[str, ...] = ("phone", "chat", "email")
SYNCHRONOUS_CHANNELS = frozenset({"phone", "chat"})
Priority = Literal["urgent", "high", "normal", "low"]
PRIORITY_RANK: dict[str, int] = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
DistributionName = Literal["lognormal", "exponential", "gamma", "fixed"]


MAX_SEED = 2**63 - 1
"""Largest seed (a signed 64-bit integer, so it survives JSON, Parquet and NumPy)."""
MAX_TEAM_AGENTS = 10_000
"""Most agents in one team (or on one shift)."""
MAX_ITEMS = 1_000
"""Most items in a scenario's lists (streams, surges, teams, shifts of a team, rules)."""
MAX_ROSTER_ENTRIES = 1_000_000
"""Most dated shifts in one team's roster."""


class _Model(BaseModel):
    # allow_inf_nan=False: NaN and infinity are not numbers a scenario can mean, in any
    # field of any model (a NaN passes every comparison-based bound).
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


# --------------------------------------------------------------------------- horizon


class Horizon(_Model):
    """The simulated period and the clock reports use."""

    start: CalendarDate = Field(description="First day simulated (00:00 in `timezone`).")
    weeks: float = Field(gt=0, le=104, description="Length of the horizon in weeks.")
    interval_minutes: int = Field(
        default=30, description="Reporting and planning interval, dividing a day evenly."
    )
    timezone: TimeZone = Field(default="UTC", description="Reporting time zone (IANA).")

    @field_validator("interval_minutes")
    @classmethod
    def _divides_day(cls, value: int) -> int:
        if value <= 0 or 1440 % value or value > 240:
            raise ValueError(
                f"found {value}, expected minutes that divide a day, such as 15, 30 or 60"
            )
        return value

    @model_validator(mode="after")
    def _ends_in_calendar(self) -> Horizon:
        last = self.start + dt.timedelta(days=self.days - 1)
        if last > LATEST_DATE:
            raise ValueError(
                f"the horizon ends on {last.isoformat()}, expected it to end by "
                f"{LATEST_DATE.isoformat()} (start earlier or run fewer weeks)"
            )
        return self

    @property
    def days(self) -> int:
        """Whole days simulated (weeks rounded up to a day; at least one)."""
        return max(1, int(np.ceil(self.weeks * 7 - 1e-9)))


# --------------------------------------------------------------------------- demand

PROFILE_PRESETS = ("24x7", "business_hours", "extended_hours", "office_hours")
MAX_PROFILE_WEIGHT = 1e9


def _preset_weights(name: str) -> np.ndarray:
    """Hour-of-week arrival weights (7 x 24, Monday first) of a named preset."""
    week = np.zeros((7, 24))
    if name == "24x7":
        week[:] = 1.0
    elif name == "business_hours":
        day = np.full(24, 0.04)
        day[7:9] = (0.35, 0.8)
        day[9:17] = (1.0, 1.1, 1.05, 0.85, 0.9, 1.0, 0.95, 0.85)
        day[17:20] = (0.55, 0.3, 0.15)
        week[:5] = day
        week[5:] = 0.08
    elif name == "office_hours":
        # A line open Mon-Fri 08:00-18:00 only: no contacts outside it.
        day = np.zeros(24)
        day[8:18] = (0.8, 1.0, 1.1, 1.05, 0.85, 0.9, 1.0, 0.95, 0.85, 0.6)
        week[:5] = day
    elif name == "extended_hours":
        day = np.full(24, 0.06)
        day[6:8] = (0.3, 0.6)
        day[8:20] = 1.0
        day[12] = 0.9
        day[20:23] = (0.8, 0.6, 0.35)
        week[:5] = day
        week[5:] = day * 0.5
    else:  # pragma: no cover - guarded by the validator
        raise KeyError(name)
    return week


def _check_profile(value: Any) -> Any:
    if isinstance(value, str):
        if value in PROFILE_PRESETS:
            return value
        raise ValueError(
            f"unknown profile {value!r} (expected one of {', '.join(PROFILE_PRESETS)} "
            "or 7 rows of 24 weights, Monday first)"
        )
    if isinstance(value, list | tuple):
        rows = list(value)
        if len(rows) == 7 and all(isinstance(r, list | tuple) and len(r) == 24 for r in rows):
            try:
                arr = np.array(rows, dtype=float)
            except (TypeError, ValueError):
                arr = None
            if arr is not None and np.all(np.isfinite(arr)) and np.all(arr >= 0):
                if np.any(arr > MAX_PROFILE_WEIGHT):
                    raise ValueError(
                        f"found a weight of {excerpt(float(arr.max()))}, expected weights of "
                        f"at most {MAX_PROFILE_WEIGHT:g} (only their ratios matter)"
                    )
                if arr.sum() <= 0:
                    raise ValueError("profile weights are all zero (expected some hour > 0)")
                return tuple(tuple(float(x) for x in r) for r in rows)
    raise ValueError(
        "found a profile that is neither a preset nor 7 rows of 24 non-negative numbers "
        f"(expected one of {', '.join(PROFILE_PRESETS)} or 7 rows of 24 weights, Monday first)"
    )


Profile = Annotated[str | tuple[tuple[float, ...], ...], Field(union_mode="left_to_right")]


def _all_normal() -> dict[Priority, float]:
    return {"normal": 1.0}


# --------------------------------------------------------------------------- dated demand


class Volume(_Model):
    """A stream's dated volume: tickets per local day, or per week starting on each date."""

    per: Literal["day", "week"] = Field(
        default="day", description="Whether each value is one local day's or one week's tickets."
    )
    values: dict[CalendarDate, Annotated[float, Field(ge=0, le=10_000_000)]] = Field(
        min_length=1, description="Local date -> tickets."
    )

    @model_validator(mode="before")
    @classmethod
    def _from_file(cls, data: Any, info: ValidationInfo) -> Any:
        """``volume: FILE.csv`` or ``{file: FILE.csv, per: week}``: read the file's values."""
        if isinstance(data, str):
            data = {"file": data}
        if isinstance(data, dict) and "file" in data:
            rest = {k: v for k, v in data.items() if k != "file"}
            if "values" in rest:
                raise ValueError("found both file and values (expected one of them)")
            name = (info.context or {}).get("stream", "")
            base = (info.context or {}).get("base_dir")
            file = data["file"]
            if not isinstance(file, str) or not file.strip():
                raise ValueError(f"file: found {file!r}, expected a CSV file name")
            path = Path(file) if base is None else Path(base) / file
            return {**rest, "values": read_volume_file(path, name)}
        return data

    @model_validator(mode="after")
    def _weeks_apart(self) -> Volume:
        if self.per == "week":
            dates = sorted(self.values)
            for a, b in itertools.pairwise(dates):
                if (b - a).days < 7:
                    raise ValueError(
                        f"weekly values on {a} and {b} overlap (expected week starts at least "
                        "7 days apart)"
                    )
        return self

    def average_week(self) -> float:
        """Average tickets a week over the series."""
        return mean_week(self.per, self.values)


class Busyness(_Model):
    """Day-to-day uncertainty in volume: a random multiplier of a day's (or week's) rates.

    The multiplier has mean 1 and coefficient of variation ``cv``, so a day whose expected
    volume is m has arrivals with variance ``m + cv^2 m^2`` (Poisson plus busyness).
    """

    distribution: Literal["gamma", "lognormal"] = "gamma"
    cv: float = Field(ge=0, le=3, allow_inf_nan=False, description="Spread of the multiplier.")
    level: Literal["day", "week"] = Field(
        default="day", description="One multiplier per local day, or per week of the horizon."
    )
    shared: bool = Field(
        default=True,
        description="demand.busyness only: one multiplier for every stream on a date (true) "
        "or one per stream (false).",
    )

    def frozen(self) -> Any:
        """The multiplier's distribution as a frozen ``scipy.stats`` distribution (mean 1).

        gamma: shape ``1/cv^2``, scale ``cv^2``; lognormal: ``sigma^2 = ln(1 + cv^2)``,
        median ``exp(-sigma^2 / 2)``. With ``cv`` 0 the multiplier is always 1.
        """
        if self.cv == 0:
            return stats.uniform(loc=1.0, scale=0.0)
        if self.distribution == "gamma":
            return stats.gamma(a=1.0 / self.cv**2, scale=self.cv**2)
        sigma = float(np.sqrt(np.log1p(self.cv**2)))
        return stats.lognorm(s=sigma, scale=float(np.exp(-(sigma**2) / 2)))


class DemandEvent(_Model):
    """Local dates on which volume is multiplied: a campaign, a launch, a known quiet spell."""

    name: str = Field(min_length=1, max_length=200)
    start: CalendarDate = Field(description="First local date affected.")
    end: CalendarDate = Field(description="Last local date affected (inclusive).")
    multiplier: float = Field(ge=0, le=1000, allow_inf_nan=False)
    streams: list[str] | None = Field(default=None, description="Stream names; all if absent.")

    @model_validator(mode="after")
    def _ordered(self) -> DemandEvent:
        if self.end < self.start:
            raise ValueError(
                f"event {self.name!r} ends on {self.end}, before its start {self.start} "
                "(expected end on or after start)"
            )
        return self


class Stream(_Model):
    """A source of tickets: one language, channel and customer region."""

    name: str = Field(min_length=1, max_length=200)
    language: Language
    channel: Channel
    region: TimeZone = Field(description="Customers' IANA time zone; profiles are local to it.")
    country: Country | None = Field(default=None, description="Holiday calendar of customers.")
    tickets_per_week: float = Field(
        ge=0,
        le=10_000_000,
        description="Tickets a week before deflection; with a volume series, on the dates it "
        "does not cover (default: the series' average week).",
    )
    volume: Volume | None = Field(
        default=None, description="Dated volume (per local day or week), inline or a CSV file."
    )
    busyness: Busyness | None = Field(
        default=None, description="This stream's own day-to-day multiplier (overrides demand's)."
    )
    profile: Profile = "24x7"
    priority_mix: dict[Priority, float] = Field(default_factory=lambda: _all_normal())
    holiday_factor: float = Field(
        default=0.3,
        ge=0,
        le=100,
        description="Volume on a public holiday relative to a normal day.",
    )
    deflection: float | None = Field(
        default=None, ge=0, lt=1, description="Stream-specific deflection (overrides demand's)."
    )

    @model_validator(mode="before")
    @classmethod
    def _volume_first(cls, data: Any, info: ValidationInfo) -> Any:
        """Read a volume series first, so its average week can stand in for a missing
        ``tickets_per_week`` (which the rest of the project reads as the stream's size)."""
        if not isinstance(data, dict) or data.get("volume") is None:
            return data
        context = {**(info.context or {}), "stream": str(data.get("name", ""))}
        try:
            volume = Volume.model_validate(data["volume"], context=context)
        except ValidationError as exc:
            first = exc.errors()[0]
            where = ".".join(str(p) for p in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            raise ValueError(f"volume{'.' + where if where else ''}: {message}") from None
        data = {**data, "volume": volume}
        if data.get("tickets_per_week") is None:
            data["tickets_per_week"] = round(volume.average_week(), 6)
        return data

    @field_validator("profile", mode="before")
    @classmethod
    def _profile(cls, value: Any) -> Any:
        return _check_profile(value)

    @field_validator("priority_mix")
    @classmethod
    def _mix(cls, value: dict[str, float]) -> dict[str, float]:
        if not value:
            raise ValueError("found an empty mix, expected shares such as {normal: 1.0}")
        if any(v < 0 for v in value.values()):
            raise ValueError(f"found {excerpt(value)}, expected shares of zero or more")
        total = sum(value.values())
        if abs(total - 1.0) > 1e-6:
            raise ValueError(f"shares sum to {total:g}, expected them to sum to 1")
        return value

    def weights(self) -> np.ndarray:
        """Hour-of-week weights (7 x 24, Monday first, local time), summing to 1."""
        week = (
            _preset_weights(self.profile)
            if isinstance(self.profile, str)
            else np.array(self.profile, dtype=float)
        )
        return week / week.sum()


class Surge(_Model):
    """A period in which volume is multiplied (a launch, an outage, a season)."""

    start: CalendarDateTime = Field(description="Start, in the horizon's time zone unless offset.")
    hours: float = Field(gt=0, le=2 * 8784, description="Length (at most two years).")
    multiplier: float = Field(ge=0, le=100)
    streams: list[str] | None = Field(
        default=None, max_length=MAX_ITEMS, description="Stream names; all if absent."
    )


class Demand(_Model):
    """Ticket streams and what shapes them."""

    deflection: float = Field(default=0.0, ge=0, lt=1)
    scale: float = Field(
        default=1.0,
        ge=0,
        le=1000,
        description="Multiplier on every stream's volume (what-if sweeps).",
    )
    streams: list[Stream] = Field(min_length=1, max_length=MAX_ITEMS)
    surges: list[Surge] = Field(default_factory=list, max_length=MAX_ITEMS)
    growth_per_year: float = Field(
        default=0.0,
        gt=-1,
        le=10,
        description="Volume growth per year, compounded over the horizon.",
    )
    events: list[DemandEvent] = Field(
        default_factory=list, description="Dated multipliers of volume (campaigns, launches)."
    )
    busyness: Busyness | None = Field(
        default=None, description="Day-to-day volume uncertainty; off when absent."
    )

    @model_validator(mode="after")
    def _unique_streams(self) -> Demand:
        names = [s.name for s in self.streams]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"stream names repeat: {dupes} (expected unique names)")
        for i, surge in enumerate(self.surges):
            for name in surge.streams or []:
                if name not in names:
                    raise ValueError(f"surges[{i}].streams names {name!r}, expected one of {names}")
        for i, event in enumerate(self.events):
            for name in event.streams or []:
                if name not in names:
                    raise ValueError(f"events[{i}].streams names {name!r}, expected one of {names}")
        return self

    def busyness_for(self, stream: Stream) -> Busyness | None:
        """The busyness that applies to a stream: its own, else the demand's, else none."""
        return stream.busyness if stream.busyness is not None else self.busyness


# --------------------------------------------------------------------------- channels


def _number_as_mean(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"mean": value}
    return value


MAX_MEAN_MINUTES = 30 * 1440.0
"""Longest mean of a random duration (30 days, in minutes)."""


class Distribution(_Model):
    """A positive random duration: mean, coefficient of variation, family."""

    mean: float = Field(gt=0, le=MAX_MEAN_MINUTES)
    cv: float = Field(default=1.0, ge=0, le=10)
    distribution: DistributionName | None = Field(
        default=None, description="lognormal (handle default), exponential (patience default)."
    )

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: Any) -> Any:
        return _number_as_mean(value)


class ChannelSpec(_Model):
    """How one channel behaves: handle time, patience, concurrency, touches."""

    handle_minutes: Distribution
    patience_minutes: Distribution | None = Field(
        default=None, description="Customer patience (phone, chat); none means nobody abandons."
    )
    concurrency: int = Field(default=1, ge=1, le=10, description="Chats one agent holds at once.")
    touches: float = Field(
        default=1.0, ge=1, le=20, description="Mean agent touches per ticket (email)."
    )
    customer_reply_hours: float = Field(
        default=6.0,
        gt=0,
        le=720,
        description="Mean customer reply gap between touches (email).",
    )


DEFAULT_CHANNELS: dict[str, dict[str, Any]] = {
    "phone": {"handle_minutes": {"mean": 6, "cv": 0.8}, "patience_minutes": {"mean": 3}},
    "chat": {
        "handle_minutes": {"mean": 12, "cv": 0.9},
        "patience_minutes": {"mean": 5},
        "concurrency": 2,
    },
    "email": {"handle_minutes": {"mean": 8, "cv": 1.0}, "touches": 1.5},
}


class Escalation(_Model):
    """Share of tickets that need a tier-2 touch after the first agent's."""

    rate: float = Field(ge=0, lt=1)
    to_tier: int = Field(default=2, ge=2, le=9)
    handle_minutes: Distribution = Field(default_factory=lambda: Distribution(mean=25, cv=1.0))


class LanguageFallback(_Model):
    """Let agents of another language take a ticket after it waited this long."""

    from_language: Language = Field(alias="from")
    to: Language
    after: Duration


class Routing(_Model):
    """How waiting tickets reach agents beyond priority and first-come-first-served."""

    language_fallback: list[LanguageFallback] = Field(default_factory=list, max_length=MAX_ITEMS)
    channel_priority: list[Channel] | None = Field(
        default=None,
        description="Channels a blended agent serves first, e.g. [phone, chat, email]; "
        "ranked before ticket priority. Unlisted channels come last.",
    )

    @field_validator("channel_priority")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError(f"found {value}, expected each channel at most once")
        return value


class ServiceLevel(_Model):
    """What 'answered in time' means for one queue."""

    channel: Channel
    priority: Priority | None = None
    language: Language | None = None
    answer_within: Duration = Field(description="First-response threshold, e.g. '20s', '4h'.")
    goal: float = Field(gt=0, le=1, description="Share of tickets answered within the threshold.")


# --------------------------------------------------------------------------- teams


class BreakRule(_Model):
    """A break of `minutes` placed after `after_hours` of work in every long enough shift."""

    after_hours: float = Field(gt=0, le=24)
    minutes: float = Field(ge=0, le=240)


class Shift(_Model):
    """A recurring shift of a team, in the team's local time."""

    days: Days
    start: TimeOfDay
    hours: float = Field(gt=0, le=24)
    agents: int | None = Field(
        default=None,
        ge=0,
        le=MAX_TEAM_AGENTS,
        description="Agents on this shift; the rest share unassigned shifts.",
    )
    break_rule: BreakRule | None = Field(default=None, alias="break")

    @property
    def start_minutes(self) -> int:
        return time_of_day_minutes(self.start)


class RosterEntry(_Model):
    """One named agent's shift on one local date (what the optimizer writes)."""

    agent: str = Field(min_length=1, max_length=200)
    date: CalendarDate
    start: TimeOfDay
    hours: float = Field(gt=0, le=24)
    break_start: TimeOfDay | None = None
    break_minutes: float = Field(default=0, ge=0, le=240)


class ShiftTemplates(_Model):
    """The grid the optimizer chooses shifts from."""

    starts_every: Duration = 60.0
    lengths_hours: list[float] = Field(default_factory=lambda: [8.0], min_length=1, max_length=100)
    earliest: TimeOfDay = "00:00"
    latest: TimeOfDay = "23:00"
    break_rule: BreakRule | None = Field(default=None, alias="break")

    @field_validator("lengths_hours")
    @classmethod
    def _lengths(cls, value: list[float]) -> list[float]:
        if any(not 0 < v <= 16 for v in value):
            raise ValueError(f"found {value}, expected shift lengths between 0 and 16 hours")
        return value

    @field_validator("starts_every")
    @classmethod
    def _grid(cls, value: float) -> float:
        if not 5 <= value <= 1440:
            raise ValueError(f"found {value:g} minutes, expected 5 minutes to 1 day")
        return value


class Team(_Model):
    """A group of agents at one site sharing skills, cost and shifts."""

    name: str = Field(min_length=1, max_length=200)
    timezone: TimeZone
    country: Country | None = None
    agents: int = Field(ge=0, le=MAX_TEAM_AGENTS)
    languages: list[Language] = Field(min_length=1, max_length=100)
    channels: list[Channel] = Field(min_length=1, max_length=100)
    tier: int = Field(default=1, ge=1, le=9)
    hourly_cost: float = Field(
        ge=0, le=10_000_000, description="Currency per paid hour (any currency's wages)."
    )
    shifts: list[Shift] = Field(default_factory=list, max_length=MAX_ITEMS)
    optimize_shifts: bool = Field(default=False, exclude=True)
    roster: list[RosterEntry] | None = Field(
        default=None,
        max_length=MAX_ROSTER_ENTRIES,
        description="Named agents' shifts by date (written by optimize).",
    )
    shift_templates: ShiftTemplates | None = None
    chat_concurrency: int | None = Field(default=None, ge=1, le=10)
    work_on_holidays: bool = Field(default=True, description="Whether shifts run on holidays.")
    labor_rules: TeamLaborRules | None = Field(
        default=None, description="This team's labour rules, overriding the scenario's key by key."
    )
    contracts: list[ContractGroup] = Field(
        default_factory=list,
        description="Agents on other weekly-hour contracts than the team's rules (the rest "
        "keep the team's rules).",
    )
    max_agents: int | None = Field(
        default=None, ge=0, description="Most agents `optimize --size-teams` may plan for."
    )

    @model_validator(mode="before")
    @classmethod
    def _optimize(cls, data: Any) -> Any:
        if isinstance(data, dict) and "shifts" in data:
            shifts = data["shifts"]
            if isinstance(shifts, str):
                if shifts.strip() != "optimize":
                    raise ValueError(
                        f"shifts: found {shifts!r}, expected a list of shifts or 'optimize'"
                    )
                data = {**data, "shifts": [], "optimize_shifts": True}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Team:
        if not self.shifts and not self.optimize_shifts and self.roster is None:
            raise ValueError(
                f"team {self.name!r} has no shifts (expected a list of shifts, "
                "'optimize', or a roster)"
            )
        assigned = sum(s.agents or 0 for s in self.shifts)
        if assigned > self.agents:
            raise ValueError(
                f"team {self.name!r}: shifts assign {assigned} agents, "
                f"expected at most the team's {self.agents}"
            )
        on_contracts = sum(c.agents for c in self.contracts)
        if on_contracts > self.agents:
            raise ValueError(
                f"team {self.name!r}: contracts cover {on_contracts} agents, "
                f"expected at most the team's {self.agents}"
            )
        if self.max_agents is not None and self.max_agents < self.agents:
            raise ValueError(
                f"team {self.name!r}: max_agents {self.max_agents} is below agents "
                f"{self.agents} (expected max_agents >= agents)"
            )
        return self


# --------------------------------------------------------------------------- rules, costs


class Costs(_Model):
    currency: str = Field(default="USD", min_length=1, max_length=8)
    night_premium: float = Field(
        default=0.0, ge=0, le=10, description="Extra share 22:00-06:00 local."
    )
    weekend_premium: float = Field(default=0.0, ge=0, le=10, description="Extra share on Sat, Sun.")
    holiday_premium: float = Field(default=0.0, ge=0, le=10, description="Extra share on holidays.")
    overtime_premium: float = Field(
        default=0.5, ge=0, le=10, description="Extra share for minutes worked past a shift's end."
    )
    bot_cost_per_contact: float = Field(
        default=0.0,
        ge=0,
        le=1_000_000,
        description="Cost of one contact that the bot or self-service resolves (deflected).",
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


class Business(_Model):
    customer_monthly_value: float = Field(default=0.0, ge=0, le=1e9)
    churn_probability_per_missed_sla: float = Field(default=0.0, ge=0, le=1)
    value_months: float = Field(
        default=12,
        gt=0,
        le=1200,
        description="Months of a lost customer's value counted as at risk.",
    )


# --------------------------------------------------------------------------- scenario


class Scenario(_Model):
    """A whole what-if: demand, channels, service goals, teams and rules."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    horizon: Horizon
    seed: int = Field(default=1, ge=0, le=MAX_SEED)
    demand: Demand
    channels: dict[Channel, ChannelSpec] = Field(default_factory=dict)
    reopen_rate: float = Field(default=0.0, ge=0, lt=1)
    escalation: Escalation | None = None
    routing: Routing = Field(default_factory=Routing)
    service_levels: list[ServiceLevel] = Field(default_factory=list, max_length=MAX_ITEMS)
    teams: list[Team] = Field(min_length=1, max_length=MAX_ITEMS)
    shift_templates: ShiftTemplates | None = None
    shrinkage: float = Field(default=0.0, ge=0, lt=1)
    costs: Costs = Field(default_factory=Costs)
    labor_rules: LaborRules = Field(default_factory=LaborRules)
    planning: Planning = Field(default_factory=Planning)
    business: Business = Field(default_factory=Business)
    employees: list[Employee] = Field(
        default_factory=list,
        description="Named people with their own skills, contracts, time off and preferences "
        "(inline, or a CSV file's rows read by the loader).",
    )

    @model_validator(mode="before")
    @classmethod
    def _agents_from_employees(cls, data: Any, info: ValidationInfo) -> Any:
        """``employees: FILE.csv`` is read (from the scenario file's folder); a team with
        named employees and no ``agents`` count gets their number."""
        if isinstance(data, dict) and isinstance(data.get("employees"), str):
            base = (info.context or {}).get("base_dir")
            file = data["employees"].strip()
            path = Path(file) if base is None else Path(base) / file
            try:
                data = {**data, "employees": read_employees_file(path)}
            except ValueError as exc:
                raise ValueError(f"employees: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("employees"), list):
            return data
        counts: dict[str, int] = {}
        for person in data["employees"]:
            if isinstance(person, dict) and isinstance(person.get("team"), str):
                counts[person["team"]] = counts.get(person["team"], 0) + 1
        teams = data.get("teams")
        if not isinstance(teams, list):
            return data
        filled = []
        for team in teams:
            if isinstance(team, dict) and "agents" not in team and team.get("name") in counts:
                team = {**team, "agents": counts[team["name"]]}
            filled.append(team)
        return {**data, "teams": filled}

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        names = [t.name for t in self.teams]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"team names repeat: {dupes} (expected unique names)")
        self._check_employees()
        for message in rule_conflicts(self):
            raise ValueError(message)
        if self.escalation is not None and self.escalation.rate > 0:
            tiers = {t.tier for t in self.teams}
            if self.escalation.to_tier not in tiers:
                raise ValueError(
                    f"escalation.to_tier is {self.escalation.to_tier}, but no team has that "
                    f"tier (expected a team with tier: {self.escalation.to_tier})"
                )
        return self

    def _check_employees(self) -> None:
        """Employees name known teams, keep within their team's skills and the horizon, and
        match the team's head count."""
        teams = {t.name: t for t in self.teams}
        first = self.horizon.start
        last = first + dt.timedelta(days=self.horizon.days - 1)
        seen: set[str] = set()
        per_team: dict[str, int] = {}
        for k, person in enumerate(self.employees):
            where = f"employees[{k}] ({person.name!r})"
            if person.name in seen:
                raise ValueError(f"{where}: the name repeats (expected unique names)")
            seen.add(person.name)
            team = teams.get(person.team)
            if team is None:
                raise ValueError(
                    f"{where}: team {person.team!r} is unknown (expected one of {sorted(teams)})"
                )
            per_team[team.name] = per_team.get(team.name, 0) + 1
            for label, own, allowed in (
                ("languages", person.languages, team.languages),
                ("channels", person.channels, team.channels),
            ):
                extra = sorted(set(own or ()) - set(allowed))
                if extra:
                    raise ValueError(
                        f"{where}: {label} {extra} are not among team {team.name!r}'s "
                        f"(expected a subset of {list(allowed)})"
                    )
            for span in person.time_off:
                if span.to < first or span.from_date > last:
                    raise ValueError(
                        f"{where}: time off {span.from_date}..{span.to} lies outside the "
                        f"horizon {first}..{last} (expected dates inside it)"
                    )
            for day in person.unavailable:
                if isinstance(day, dt.date) and not first <= day <= last:
                    raise ValueError(
                        f"{where}: unavailable date {day} lies outside the horizon "
                        f"{first}..{last} (expected dates inside it)"
                    )
        for name, count in per_team.items():
            if teams[name].agents != count:
                raise ValueError(
                    f"teams {name!r}: agents is {teams[name].agents} but employees lists "
                    f"{count} people in it (expected the same number, or leave agents out)"
                )

    def rules_for(self, team: Team) -> LaborRules:
        """A team's labour rules: the scenario's, with the team's own keys in their place."""
        if team.labor_rules is None:
            return self.labor_rules
        own = team.labor_rules.model_dump(exclude_none=True)
        return LaborRules.model_validate({**self.labor_rules.model_dump(), **own})

    def team_employees(self, team: Team) -> list[Employee]:
        """The team's people: its named employees, or ``<team>-001`` ... with the team's
        skills and, in order, its ``contracts``."""
        named = [e for e in self.employees if e.team == team.name]
        if named:
            return named
        people: list[Employee] = []
        contracts: list[Contract | None] = [
            Contract(
                min_hours_per_week=c.min_hours_per_week, max_hours_per_week=c.max_hours_per_week
            )
            for c in team.contracts
            for _ in range(c.agents)
        ]
        for k in range(team.agents):
            contract = contracts[k] if k < len(contracts) else None
            people.append(
                Employee(name=f"{team.name}-{k + 1:03d}", team=team.name, contract=contract)
            )
        return people

    def rules_for_employee(self, team: Team, person: Employee) -> LaborRules:
        """One person's rules: the team's, with the person's contract hours."""
        rules = self.rules_for(team)
        if person.contract is None:
            return rules
        return rules.model_copy(
            update={
                "min_hours_per_week": person.contract.min_hours_per_week,
                "max_hours_per_week": person.contract.max_hours_per_week,
            }
        )

    def channel(self, name: str) -> ChannelSpec:
        """The scenario's spec for a channel, or the documented default."""
        if name in self.channels:
            return self.channels[name]
        return ChannelSpec.model_validate(DEFAULT_CHANNELS[name])

    def templates_for(self, team: Team) -> ShiftTemplates:
        """A team's shift templates: its own, the scenario's, or the defaults."""
        return team.shift_templates or self.shift_templates or ShiftTemplates()

    def break_rule_for(self, team: Team, shift: Shift | None = None) -> BreakRule | None:
        if shift is not None and shift.break_rule is not None:
            return shift.break_rule
        return self.templates_for(team).break_rule

    def service_level_for(self, language: str, channel: str, priority: str) -> ServiceLevel | None:
        """The most specific service level matching a queue (language and priority first)."""
        best: tuple[int, ServiceLevel] | None = None
        for sl in self.service_levels:
            if sl.channel != channel:
                continue
            if sl.priority is not None and sl.priority != priority:
                continue
            if sl.language is not None and sl.language != language:
                continue
            score = (sl.priority is not None) * 2 + (sl.language is not None)
            if best is None or score > best[0]:
                best = (score, sl)
        return best[1] if best else None

    def to_data(self) -> dict[str, Any]:
        """The scenario as plain YAML-ready data (durations and days in their spelling)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        for team, raw in zip(self.teams, data["teams"], strict=True):
            if team.optimize_shifts:
                raw["shifts"] = "optimize"
            elif not raw.get("shifts"):
                raw.pop("shifts", None)
        return data


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
