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
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from scipy import stats

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

PROFILE_PRESETS = ("24x7", "business_hours", "extended_hours")
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


class Planning(_Model):
    """Choices of ``optimize`` that are the planner's, not labour rules."""

    weekly_hours_margin: float = Field(
        default=0.025,
        ge=0,
        lt=0.5,
        description="Share of each team's weekly paid hours the schedule leaves unplanned.",
    )
    mip_gap: float = Field(
        default=0.01, ge=0, lt=1, description="Relative gap at which each solve may stop."
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

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        names = [t.name for t in self.teams]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"team names repeat: {dupes} (expected unique names)")
        if self.escalation is not None and self.escalation.rate > 0:
            tiers = {t.tier for t in self.teams}
            if self.escalation.to_tier not in tiers:
                raise ValueError(
                    f"escalation.to_tier is {self.escalation.to_tier}, but no team has that "
                    f"tier (expected a team with tier: {self.escalation.to_tier})"
                )
        return self

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
