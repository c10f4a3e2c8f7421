"""Channels and random times: how each channel behaves, and the distributions of durations.

A channel is ``live`` (the customer waits on the line: phone, chat) or ``async`` (a ticket
in a backlog: email); the built-in channels keep their kinds and defaults, any other name
is defined with its own ``kind``. Durations (handle, patience, retrial delays) are
:class:`Distribution` values. Imports nothing from ``sim``, ``optimizer`` or ``reports``.
"""

from __future__ import annotations

import math
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator, model_validator

from scenarios.types import parse_duration_minutes

ChannelKind = Literal["live", "async"]
BUILTIN_CHANNEL_KINDS: dict[str, ChannelKind] = {"phone": "live", "chat": "live", "email": "async"}
"""The built-in channels and their kinds. A live channel's customer waits on the line (and
may abandon, balk, retry, find every line busy); an asynchronous one's ticket waits in a
backlog and takes several touches separated by customer replies. Any other channel name
is defined under ``channels`` with its ``kind``."""
CHANNELS: tuple[str, ...] = tuple(BUILTIN_CHANNEL_KINDS)
"""Names of the built-in channels."""
DistributionName = Literal["lognormal", "exponential", "gamma", "fixed", "uniform"]
MAX_MEAN_MINUTES = 30 * 1440.0
"""Longest mean of a random duration (30 days, in minutes)."""
UNIFORM_MAX_CV = 1 / math.sqrt(3)
"""Largest cv of a uniform time on [0, 2 x mean]: a wider one would go below zero."""


class StrictModel(BaseModel):
    """A frozen model in which an unknown key is an error."""

    # allow_inf_nan=False: NaN and infinity are not numbers a scenario can mean, in any
    # field of any model (a NaN passes every comparison-based bound).
    model_config = ConfigDict(
        extra="forbid", frozen=True, populate_by_name=True, allow_inf_nan=False
    )


def _number_as_mean(value: Any) -> Any:
    if isinstance(value, int | float) and not isinstance(value, bool):
        return {"mean": value}
    return value


def _real(value: Any) -> float | None:
    """A finite number as float, or None for anything else (left to the field checks)."""
    if isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value):
        return float(value)
    return None


def _uniform_bounds(value: dict[str, Any]) -> dict[str, Any]:
    """Complete a uniform time: mean and cv from low and high, or low and high from them."""
    if "low" in value or "high" in value:
        low, high = _real(value.get("low")), _real(value.get("high"))
        if low is None or high is None:
            raise ValueError(
                f"found low {value.get('low')!r} and high {value.get('high')!r}, expected "
                "two numbers (a uniform time from low to high)"
            )
        family = value.get("distribution") or "uniform"
        if family != "uniform":
            raise ValueError(
                f"low and high describe a uniform time, found distribution {family!r} "
                "(expected distribution: uniform, or mean and cv without low and high)"
            )
        if not 0 <= low < high:
            raise ValueError(f"found low {low:g} and high {high:g}, expected 0 <= low < high")
        mean = (low + high) / 2
        cv = (high - low) / (math.sqrt(12) * mean)
        implied = {"mean": mean, "cv": cv}
        for key, fixed in implied.items():
            given = _real(value.get(key))
            if key not in value:
                continue
            if given is None or abs(given - fixed) > 1e-9 * max(1, fixed):
                raise ValueError(
                    f"found {key} {value[key]!r} with low {low:g} and high {high:g}, expected "
                    f"{key} {fixed:.6g} or no {key} (low and high fix it)"
                )
            implied[key] = given  # as written, so a scenario reads back the same
        return {**value, **implied, "distribution": "uniform"}
    if value.get("distribution") == "uniform":
        given_mean, given_cv = _real(value.get("mean")), _real(value.get("cv", 1.0))
        if given_mean is None or given_cv is None or given_mean <= 0:
            return value  # the field checks report it
        if given_cv > UNIFORM_MAX_CV + 1e-12:
            raise ValueError(
                f"found cv {given_cv:g} for a uniform time, expected at most "
                f"{UNIFORM_MAX_CV:.3f} (a wider uniform time would go below zero), or low "
                "and high"
            )
        half = given_mean * given_cv * math.sqrt(3)
        low = max(0.0, given_mean - half)
        return {**value, "cv": given_cv, "low": low, "high": given_mean + half}
    return value


class Distribution(StrictModel):
    """A positive random duration: mean, coefficient of variation, family.

    A uniform time is given by ``low`` and ``high`` (or by mean and cv); ``by_hour``
    multiplies the drawn time by a factor for the hour of the customers' local day.
    """

    mean: float = Field(gt=0, le=MAX_MEAN_MINUTES)
    cv: float = Field(default=1.0, ge=0, le=10)
    distribution: DistributionName | None = Field(
        default=None, description="lognormal (handle default), exponential (patience default)."
    )
    low: float | None = Field(
        default=None, ge=0, le=2 * MAX_MEAN_MINUTES, description="Uniform: the shortest time."
    )
    high: float | None = Field(
        default=None, gt=0, le=2 * MAX_MEAN_MINUTES, description="Uniform: the longest time."
    )
    by_hour: tuple[float, ...] | None = Field(
        default=None,
        description="24 factors on the time, hour 0 to 23 of the customers' local day.",
    )

    @model_validator(mode="before")
    @classmethod
    def _coerce(cls, value: Any) -> Any:
        value = _number_as_mean(value)
        return _uniform_bounds(value) if isinstance(value, dict) else value

    @field_validator("by_hour")
    @classmethod
    def _hours(cls, value: tuple[float, ...] | None) -> tuple[float, ...] | None:
        if value is None:
            return value
        if len(value) != 24:
            raise ValueError(
                f"found {len(value)} factors, expected 24 (hours 0 to 23 of the local day)"
            )
        if not all(math.isfinite(v) and v > 0 for v in value):
            raise ValueError(f"found {list(value)}, expected 24 factors above zero")
        return value


def _delay(value: Any) -> Any:
    """A retrial delay: a duration (the mean of an exponential delay) or a distribution."""
    if isinstance(value, str) or _real(value) is not None:
        return {"mean": parse_duration_minutes(value), "distribution": "exponential"}
    if isinstance(value, dict) and "distribution" not in value and "low" not in value:
        return {**value, "distribution": "exponential"}
    return value


class Retrial(StrictModel):
    """Customers of a live channel who abandoned, balked or were blocked try again."""

    probability: float = Field(ge=0, le=1, description="Share of failed attempts retried.")
    after: Annotated[Distribution, BeforeValidator(_delay)] = Field(
        description="Delay before the next attempt (minutes): a duration is the mean of an "
        "exponential delay; a distribution mapping gives another shape."
    )
    max_attempts: int | None = Field(
        default=None,
        ge=2,
        le=1000,
        description="Attempts per customer at most, the first included.",
    )

    @field_validator("after")
    @classmethod
    def _no_hours(cls, value: Distribution) -> Distribution:
        if value.by_hour is not None:
            raise ValueError(
                "found by_hour on a retrial delay, expected none (handle and "
                "patience times take by_hour)"
            )
        return value


class ChannelSpec(StrictModel):
    """How one channel behaves: kind, handle time, patience, concurrency, touches, lines."""

    kind: ChannelKind | None = Field(
        default=None,
        description="live (the customer waits on the line) or async (a backlog); required "
        "for a channel other than phone, chat and email.",
    )
    handle_minutes: Distribution
    patience_minutes: Distribution | None = Field(
        default=None, description="Customer patience (live); none means nobody abandons."
    )
    concurrency: int = Field(
        default=1, ge=1, le=10, description="Contacts one agent holds at once (live, not phone)."
    )
    touches: float = Field(
        default=1.0, ge=1, le=20, description="Mean agent touches per ticket (async)."
    )
    customer_reply_hours: float = Field(
        default=6.0,
        gt=0,
        le=720,
        description="Mean customer reply gap between touches (async).",
    )
    balk_probability: float = Field(
        default=0.0, ge=0, le=1, description="Live: a contact that must wait leaves at once."
    )
    retrial: Retrial | None = Field(
        default=None, description="Live: failed attempts that try again, and when."
    )
    lines: int | None = Field(
        default=None,
        ge=1,
        le=10_000_000,
        description="Live: contacts the channel holds at once, waiting or served; one more "
        "is blocked.",
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
"""Specs of the built-in channels where a scenario gives none."""
