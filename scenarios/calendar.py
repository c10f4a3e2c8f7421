"""The scenario's calendar: horizon grid, local time, holidays, night and weekend minutes.

One place for every calendar computation that both the simulation (``sim``) and the
optimizer use, so the two never disagree on when a shift starts, which minutes are night or
weekend, or which dates are public holidays.  Time inside a run is counted in minutes since
the *horizon origin*: the horizon's first day at 00:00 in ``horizon.timezone``, in UTC.
Local times are converted with ``zoneinfo``, so daylight-saving changes are real.

Must not import ``sim``, ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from functools import cache

import holidays
import pandas as pd

from scenarios.schema import Scenario, Surge

__all__ = [
    "NIGHT_END_MINUTE",
    "NIGHT_SHIFT_MIN_MINUTES",
    "NIGHT_START_MINUTE",
    "holiday_dates",
    "horizon_minutes",
    "horizon_origin",
    "local_dates",
    "local_start_minutes",
    "overlap_minutes",
    "premium_minutes",
    "surge_minutes",
    "week_of",
]

NIGHT_START_MINUTE = 22 * 60
NIGHT_END_MINUTE = 6 * 60
NIGHT_SHIFT_MIN_MINUTES = 180
"""A shift with at least three hours between 22:00 and 06:00 local is a night shift."""


def horizon_origin(scenario: Scenario) -> pd.Timestamp:
    """The UTC instant of simulation time 0: the horizon's first day at 00:00 local."""
    tz = zoneinfo.ZoneInfo(scenario.horizon.timezone)
    start = dt.datetime.combine(scenario.horizon.start, dt.time(0, 0), tzinfo=tz)
    return pd.Timestamp(start).tz_convert("UTC")


def horizon_minutes(scenario: Scenario) -> float:
    """Length of the horizon in minutes (whole days)."""
    return scenario.horizon.days * 1440.0


def surge_minutes(scenario: Scenario, surge: Surge, origin: pd.Timestamp) -> tuple[float, float]:
    """Start and end of a surge in minutes since the horizon origin; a start written
    without a UTC offset is in the horizon's time zone."""
    start = surge.start
    if start.tzinfo is None:
        start = start.replace(tzinfo=zoneinfo.ZoneInfo(scenario.horizon.timezone))
    lo = (pd.Timestamp(start) - origin).total_seconds() / 60
    return lo, lo + surge.hours * 60


def local_dates(scenario: Scenario) -> list[dt.date]:
    """Local dates on which a shift may touch the horizon: the day before its first day to
    the day after its last (a site east or west of the horizon's clock starts or ends a day
    apart)."""
    first = scenario.horizon.start - dt.timedelta(days=1)
    return [first + dt.timedelta(days=k) for k in range(scenario.horizon.days + 2)]


def week_of(date: dt.date, start: dt.date) -> int:
    """Week number of a local date, counted in 7-day blocks from the horizon's first day
    (negative before it).  Labour-rule weeks and reports use this one count."""
    return (date - start).days // 7


@cache
def _holiday_calendar(country: str, years: tuple[int, ...]) -> frozenset[dt.date]:
    return frozenset(holidays.country_holidays(country, years=list(years)).keys())


def holiday_dates(country: str | None, first: dt.date, last: dt.date) -> frozenset[dt.date]:
    """Public holidays of a country between two dates (empty when no country is given)."""
    if country is None:
        return frozenset()
    years = tuple(range(first.year, last.year + 1))
    return _holiday_calendar(country, years)


def local_start_minutes(
    timezone: str, date: dt.date, start_minute: int, origin: pd.Timestamp
) -> float:
    """Minutes since the horizon origin of a local wall-clock time (``start_minute`` after
    midnight of ``date`` in ``timezone``)."""
    tz = zoneinfo.ZoneInfo(timezone)
    local = dt.datetime.combine(date, dt.time(start_minute // 60, start_minute % 60))
    start_utc = pd.Timestamp(local.replace(tzinfo=tz)).tz_convert("UTC")
    return (start_utc - origin).total_seconds() / 60.0


def overlap_minutes(lo: float, hi: float, a: float, b: float) -> float:
    """Length of the overlap of [lo, hi) and [a, b)."""
    return max(0.0, min(hi, b) - max(lo, a))


def premium_minutes(
    date: dt.date, start_minute: int, minutes: float, holidays_: frozenset[dt.date]
) -> tuple[float, float, float]:
    """Night, weekend and holiday minutes of a shift, on its local wall clock."""
    lo, hi = float(start_minute), float(start_minute + minutes)
    night = weekend = holiday = 0.0
    for day_offset in range(-1, int(hi // 1440) + 1):
        day0 = day_offset * 1440.0
        night += overlap_minutes(lo, hi, day0 + NIGHT_START_MINUTE, day0 + 1440 + NIGHT_END_MINUTE)
        local_day = date + dt.timedelta(days=day_offset)
        on_day = overlap_minutes(lo, hi, day0, day0 + 1440)
        if local_day.weekday() >= 5:
            weekend += on_day
        if local_day in holidays_:
            holiday += on_day
    return night, weekend, holiday
