"""Scenario models of demand: streams, their weekly profiles and volumes, surges, events,
busyness and segments (the ``demand`` section of a scenario file).

Part of the scenario schema (:mod:`scenarios.schema` re-exports every model); imports
nothing from ``sim``, ``optimizer`` or ``reports``."""

from __future__ import annotations

import itertools
from pathlib import Path
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import (
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from scipy import stats

from scenarios.channels import (
    Distribution,
)
from scenarios.channels import StrictModel as _Model
from scenarios.types import (
    MAX_ITEMS,
    CalendarDate,
    CalendarDateTime,
    Channel,
    Country,
    Duration,
    Language,
    Priority,
    TimeZone,
    excerpt,
)
from scenarios.volume import mean_week, read_volume_file

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


def _check_shares(value: dict[str, float]) -> dict[str, float]:
    """Shares of a mix: not empty, none negative, summing to 1."""
    if not value:
        raise ValueError("found an empty mix, expected shares such as {normal: 1.0}")
    if any(v < 0 for v in value.values()):
        raise ValueError(f"found {excerpt(value)}, expected shares of zero or more")
    total = sum(value.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"shares sum to {total:g}, expected them to sum to 1")
    return value


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
    handle_minutes: Distribution | None = Field(
        default=None, description="This stream's handle time (overrides the channel's)."
    )
    patience_minutes: Distribution | None = Field(
        default=None, description="This stream's patience, live channels (overrides the channel's)."
    )
    segments: dict[str, float] | None = Field(
        default=None, description="Mix of customer segments (overrides demand.segments' shares)."
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
        return _check_shares(value)

    @field_validator("segments")
    @classmethod
    def _segments(cls, value: dict[str, float] | None) -> dict[str, float] | None:
        return None if value is None else _check_shares(value)

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


class Segment(_Model):
    """A group of customers with their own priority, first-response target and value."""

    name: str = Field(min_length=1, max_length=200)
    share: float = Field(ge=0, le=1, description="Share of every stream's tickets by default.")
    priority: Priority | None = Field(
        default=None, description="Priority of the segment's tickets (else the stream's mix)."
    )
    monthly_value: float | None = Field(
        default=None, ge=0, le=1e9, description="Value of one customer (else business's)."
    )
    answer_within: Duration | None = Field(
        default=None, description="The segment's own first-response target (else the queue's)."
    )
    goal: float | None = Field(
        default=None, gt=0, le=1, description="Share of the segment's tickets within target."
    )

    @model_validator(mode="after")
    def _target(self) -> Segment:
        if (self.answer_within is None) != (self.goal is None):
            given = "answer_within" if self.goal is None else "goal"
            raise ValueError(
                f"segment {self.name!r} has {given} alone (expected answer_within and goal "
                "together, or neither)"
            )
        return self


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
    segments: list[Segment] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Customer segments; shares sum to 1.",
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
        self._check_segments()
        return self

    def _check_segments(self) -> None:
        known = [seg.name for seg in self.segments]
        dupes = sorted({n for n in known if known.count(n) > 1})
        if dupes:
            raise ValueError(f"demand.segments names repeat: {dupes} (expected unique names)")
        if self.segments:
            total = sum(seg.share for seg in self.segments)
            if abs(total - 1.0) > 1e-6:
                raise ValueError(
                    f"demand.segments shares sum to {total:g}, expected them to sum to 1"
                )
        for i, stream in enumerate(self.streams):
            for name in stream.segments or {}:
                if name not in known:
                    raise ValueError(
                        f"streams[{i}].segments names {name!r}, expected one of "
                        f"{known or 'the segments under demand.segments (none are defined)'}"
                    )

    def segment_mix(self, stream: Stream) -> dict[str, float]:
        """Shares of each segment among a stream's tickets (empty without segments)."""
        if stream.segments is not None:
            return dict(stream.segments)
        return {seg.name: seg.share for seg in self.segments}

    def busyness_for(self, stream: Stream) -> Busyness | None:
        """The busyness that applies to a stream: its own, else the demand's, else none."""
        return stream.busyness if stream.busyness is not None else self.busyness
