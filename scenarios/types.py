"""Value types of the scenario language: durations, times of day, day sets, time zones.

Each type parses what a person writes in YAML (``'20s'``, ``'4h'``, ``'08:00'``,
``'Mon-Fri'``, ``'Europe/Dublin'``) into a plain Python value and serialises it back to
the same spelling, so a scenario written out by the optimizer reads like one written by
hand. Parsers raise ``ValueError`` with what was found and what was expected; pydantic
adds the key path. This module imports nothing from the rest of the project.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import reprlib
from functools import cache
from typing import Annotated, Any, Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from pydantic import AfterValidator, BeforeValidator, PlainSerializer

_DURATION_PART = re.compile(r"(\d+(?:\.\d+)?)\s*(min|sec|d|h|m|s)", re.IGNORECASE)
_UNIT_MINUTES = {"d": 1440.0, "h": 60.0, "m": 1.0, "min": 1.0, "s": 1 / 60, "sec": 1 / 60}

MAX_DURATION_MINUTES = 366 * 1440.0
"""The longest duration a scenario may name (366 days): every duration in the scenario
language (a first-response target, a fallback wait, a template grid) is well inside it."""

EARLIEST_DATE = dt.date(1900, 1, 1)
LATEST_DATE = dt.date(2100, 12, 31)
"""The calendar a scenario (and an imported ticket history) may use. The ``holidays``
package defines its calendars up to 2100, and dates far outside any planning or history
are typing mistakes (a year 1 or 9999 that would otherwise reach the run)."""


def excerpt(value: Any, limit: int = 60) -> str:
    """A short representation of any value for an error message (at most ``limit``
    characters, whatever the size, depth or sharing of the value).

    ``repr`` of a value built from YAML aliases can be billions of characters long, and of
    an integer with thousands of digits is refused by Python: neither reaches a message.
    """
    text = _EXCERPT.repr(value)
    return text if len(text) <= limit else text[: limit - 3] + "..."


class _Excerpt(reprlib.Repr):
    def __init__(self) -> None:
        super().__init__()
        self.maxlevel = 3
        self.maxdict = self.maxlist = self.maxtuple = self.maxset = 4
        self.maxstring = self.maxother = 60
        self.maxlong = 40

    def repr_int(self, x: int, level: int) -> str:
        if x.bit_length() > 128:
            digits = int(x.bit_length() * math.log10(2)) + 1
            return f"<a number of about {digits} digits>"
        return super().repr_int(x, level)


_EXCERPT = _Excerpt()


def parse_duration_minutes(value: Any) -> float:
    """Parse a duration such as ``'20s'``, ``'60m'``, ``'4h'``, ``'1h30m'`` or ``'2d'``.

    Returns
    -------
    float
        The duration in minutes (at most :data:`MAX_DURATION_MINUTES`). A bare number is
        read as minutes.
    """
    expected = "expected a duration such as '20s', '60m', '4h' or '1h30m'"
    if isinstance(value, bool):
        raise ValueError(f"found {excerpt(value)}, {expected}")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise ValueError(f"found {value!r}, expected a finite duration such as '4h'")
        minutes = (
            float(value) if abs(value) <= MAX_DURATION_MINUTES else math.copysign(math.inf, value)
        )
    elif isinstance(value, str):
        text = value.strip().replace(" ", "")
        pos = 0
        minutes = 0.0
        for match in _DURATION_PART.finditer(text):
            if match.start() != pos:
                break
            minutes += float(match.group(1)) * _UNIT_MINUTES[match.group(2).lower()]
            pos = match.end()
        if pos != len(text) or not text:
            raise ValueError(f"found {excerpt(value)}, {expected}")
    else:
        raise ValueError(f"found {excerpt(value)}, {expected}")
    if minutes < 0:
        raise ValueError(f"found {excerpt(value)}, expected a duration of zero or more")
    if minutes > MAX_DURATION_MINUTES:  # an overflow to infinity included
        raise ValueError(
            f"found {excerpt(value)}, expected a duration of at most "
            f"{format_duration(MAX_DURATION_MINUTES)}"
        )
    return minutes


def format_duration(minutes: float) -> str:
    """Write minutes back in the largest whole unit: 0.333.. -> '20s', 240 -> '4h'."""
    seconds = round(minutes * 60, 6)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if seconds >= size and seconds % size == 0:
            return f"{int(seconds // size)}{unit}"
    return f"{seconds:.6f}".rstrip("0").rstrip(".") + "s"


Duration = Annotated[
    float,
    BeforeValidator(parse_duration_minutes),
    PlainSerializer(format_duration, return_type=str),
]
"""A duration in minutes, written in YAML as ``'20s'``, ``'60m'``, ``'4h'``."""


def parse_time_of_day(value: Any) -> str:
    """Parse ``'HH:MM'`` (00:00 to 23:59) and return it zero-padded."""
    if isinstance(value, str):
        match = re.fullmatch(r"(\d{1,2}):(\d{2})", value.strip())
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if hour < 24 and minute < 60:
                return f"{hour:02d}:{minute:02d}"
    raise ValueError(f"found {excerpt(value)}, expected a time of day 'HH:MM' from 00:00 to 23:59")


def time_of_day_minutes(text: str) -> int:
    """Minutes after midnight of a parsed ``'HH:MM'``."""
    hour, minute = text.split(":")
    return int(hour) * 60 + int(minute)


def format_time_of_day(minutes: float) -> str:
    """``'HH:MM'`` of minutes after midnight, past midnight wrapping to the next day's clock
    (the inverse of :func:`time_of_day_minutes`)."""
    whole = int(minutes)
    return f"{whole // 60 % 24:02d}:{whole % 60:02d}"


TimeOfDay = Annotated[str, BeforeValidator(parse_time_of_day)]

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_FULL_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_WEEKDAY_INDEX = {name.lower(): i for i, name in enumerate(WEEKDAYS)} | {
    name: i for i, name in enumerate(_FULL_NAMES)
}


def parse_days(value: Any) -> tuple[int, ...]:
    """Parse ``'Mon-Fri'``, ``'Sat,Sun'``, ``'Mon-Sun'``, ``'Fri-Mon'`` or a list of names.

    Returns the weekday numbers (Monday 0) in ascending order.
    """
    expected = "expected weekdays such as 'Mon-Fri', 'Sat,Sun' or 'Mon,Wed,Fri'"
    if isinstance(value, list | tuple):
        parts = [str(p) for p in value]
    elif isinstance(value, str):
        parts = [p for p in value.replace(" ", "").split(",") if p]
    else:
        raise ValueError(f"found {excerpt(value)}, {expected}")
    days: set[int] = set()
    for part in parts:
        ends = part.split("-")
        try:
            idx = [_WEEKDAY_INDEX[e.strip().lower()] for e in ends]
        except KeyError:
            raise ValueError(f"found {excerpt(value)}, {expected}") from None
        if len(idx) == 1:
            days.add(idx[0])
        elif len(idx) == 2:
            first, last = idx
            span = (last - first) % 7
            days.update((first + k) % 7 for k in range(span + 1))
        else:
            raise ValueError(f"found {excerpt(value)}, {expected}")
    if not days:
        raise ValueError(f"found {excerpt(value)}, {expected}")
    return tuple(sorted(days))


def format_days(days: tuple[int, ...]) -> str:
    """Write weekday numbers back as ``'Mon-Fri'`` or ``'Sat,Sun'``."""
    chosen = set(days)
    if len(chosen) > 2 and len(chosen) < 7:
        # A run that may wrap past Sunday, such as Fri-Mon.
        for first in sorted(chosen):
            if (first - 1) % 7 not in chosen:
                run = [(first + k) % 7 for k in range(len(chosen))]
                if set(run) == chosen:
                    return f"{WEEKDAYS[run[0]]}-{WEEKDAYS[run[-1]]}"
                break
    if len(chosen) == 7:
        return "Mon-Sun"
    return ",".join(WEEKDAYS[d] for d in sorted(chosen))


Days = Annotated[
    tuple[int, ...],
    BeforeValidator(parse_days),
    PlainSerializer(format_days, return_type=str),
]


def parse_weekday_or_date(value: Any) -> int | dt.date:
    """Parse a weekday (``'Sun'``, ``'sunday'``: returns 0-6, Monday 0) or a date
    (``2026-04-09``: returns the date)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.lower() in _WEEKDAY_INDEX:
            return _WEEKDAY_INDEX[text.lower()]
        try:
            return dt.date.fromisoformat(text)
        except ValueError:
            pass
    raise ValueError(f"found {value!r}, expected a weekday such as 'Sun' or a date YYYY-MM-DD")


def format_weekday_or_date(value: int | dt.date) -> str:
    """Write a weekday number as ``'Mon'`` and a date as ``YYYY-MM-DD``."""
    return value.isoformat() if isinstance(value, dt.date) else WEEKDAYS[value]


WeekdayOrDate = Annotated[
    int | dt.date,
    BeforeValidator(parse_weekday_or_date),
    PlainSerializer(format_weekday_or_date, return_type=str),
]
"""A weekday (0-6, Monday first; written ``'Sun'``) or a calendar date."""


@cache
def _known_zones() -> frozenset[str]:
    return frozenset(available_timezones())


def parse_time_zone(value: Any) -> str:
    """Check an IANA time-zone name (``'Europe/Dublin'``) and return it."""
    if isinstance(value, str) and (value in _known_zones() or value == "UTC"):
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            pass
        else:
            return value
    raise ValueError(
        f"unknown time zone {excerpt(value)} (expected an IANA name such as 'Europe/Dublin')"
    )


TimeZone = Annotated[str, BeforeValidator(parse_time_zone)]


@cache
def _known_countries() -> frozenset[str]:
    import holidays

    return frozenset(holidays.list_supported_countries())


def parse_country(value: Any) -> str:
    """Check a country code known to the ``holidays`` package (``'IE'``, ``'US'``)."""
    if isinstance(value, str) and value.upper() in _known_countries():
        return value.upper()
    raise ValueError(
        f"unknown country {excerpt(value)} (expected an ISO 3166 code the holidays package "
        "knows, such as 'US', 'IE' or 'PH')"
    )


Country = Annotated[str, BeforeValidator(parse_country)]


def parse_language(value: Any) -> str:
    """Check a language tag such as ``'en'``, ``'de'``, ``'pt-BR'`` and return it."""
    if isinstance(value, str) and re.fullmatch(r"[a-z]{2,3}(-[A-Za-z0-9]{2,8})?", value):
        return value
    raise ValueError(
        f"found {excerpt(value)}, expected a language code such as 'en', 'de' or 'pt-BR'"
    )


Language = Annotated[str, BeforeValidator(parse_language)]


def check_calendar_date(value: dt.date) -> dt.date:
    """Refuse a date outside :data:`EARLIEST_DATE` .. :data:`LATEST_DATE`."""
    day = value.date() if isinstance(value, dt.datetime) else value
    if not EARLIEST_DATE <= day <= LATEST_DATE:
        raise ValueError(
            f"found {value.isoformat()}, expected a date from {EARLIEST_DATE.isoformat()} "
            f"to {LATEST_DATE.isoformat()}"
        )
    return value


CalendarDate = Annotated[dt.date, AfterValidator(check_calendar_date)]
"""A date inside the calendar scenarios may use (1900-01-01 to 2100-12-31)."""

CalendarDateTime = Annotated[dt.datetime, AfterValidator(check_calendar_date)]
"""A date and time whose date is inside the calendar scenarios may use."""


def parse_channel_name(value: Any) -> str:
    """Check a channel name: ``phone``, ``chat``, ``email``, or a name of one's own such as
    ``social`` (lower-case letters, digits, ``-`` and ``_``, starting with a letter)."""
    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z0-9_-]{0,31}", value):
        return value
    raise ValueError(
        f"found {value!r}, expected a channel name such as 'phone', 'chat', 'email' or "
        "'social' (lower-case letters, digits, '-' and '_')"
    )


ChannelName = Annotated[str, BeforeValidator(parse_channel_name)]
"""A channel's name; which names exist and their kind (live or async) the scenario says."""


Channel = ChannelName
Priority = Literal["urgent", "high", "normal", "low"]
PRIORITY_RANK: dict[str, int] = {"urgent": 0, "high": 1, "normal": 2, "low": 3}
"""Order of ticket priorities, most urgent first."""
AgentSelection = Literal["longest_idle", "random", "ordered"]
HorizonEnd = Literal["cut", "serve"]
MAX_ITEMS = 1_000
"""Most items in a scenario's lists (streams, surges, teams, shifts of a team, rules)."""
