"""Ticket import: parsing of column values.

Role: the running state of one read (``_Context``) and the vectorised parsers of one
chunk's columns -- timestamps (ISO 8601 with or without an offset, Unix seconds, a
strptime format) localised through zoneinfo to UTC, numbers, categories translated
through a preset's tables, language codes and requester time zones.

Pure pandas, numpy and pyarrow on top of ``scenarios.schema``. Must not import ``simpy``,
``sim`` (the engine, demand or queueing modules), ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from scenarios.ticket_import.fields import NUMERIC_FIELDS, TicketImportError
from scenarios.ticket_import.presets import Preset
from scenarios.types import EARLIEST_DATE, LATEST_DATE, parse_time_zone

_LANGUAGE_NAMES = {
    "english": "en",
    "german": "de",
    "deutsch": "de",
    "french": "fr",
    "français": "fr",
    "francais": "fr",
    "spanish": "es",
    "español": "es",
    "espanol": "es",
    "italian": "it",
    "italiano": "it",
    "portuguese": "pt",
    "português": "pt",
    "dutch": "nl",
    "nederlands": "nl",
    "japanese": "ja",
    "chinese": "zh",
    "korean": "ko",
    "hebrew": "he",
    "arabic": "ar",
    "russian": "ru",
    "polish": "pl",
    "swedish": "sv",
    "danish": "da",
    "norwegian": "no",
    "finnish": "fi",
    "turkish": "tr",
    "hindi": "hi",
}

# Rails/ActiveSupport zone names, as Zendesk and Freshdesk write requester time zones.
_RAILS_ZONES = {
    "eastern time (us & canada)": "America/New_York",
    "central time (us & canada)": "America/Chicago",
    "mountain time (us & canada)": "America/Denver",
    "pacific time (us & canada)": "America/Los_Angeles",
    "arizona": "America/Phoenix",
    "alaska": "America/Juneau",
    "hawaii": "Pacific/Honolulu",
    "atlantic time (canada)": "America/Halifax",
    "mexico city": "America/Mexico_City",
    "bogota": "America/Bogota",
    "brasilia": "America/Sao_Paulo",
    "buenos aires": "America/Argentina/Buenos_Aires",
    "london": "Europe/London",
    "edinburgh": "Europe/London",
    "dublin": "Europe/Dublin",
    "lisbon": "Europe/Lisbon",
    "amsterdam": "Europe/Amsterdam",
    "berlin": "Europe/Berlin",
    "brussels": "Europe/Brussels",
    "copenhagen": "Europe/Copenhagen",
    "madrid": "Europe/Madrid",
    "paris": "Europe/Paris",
    "rome": "Europe/Rome",
    "stockholm": "Europe/Stockholm",
    "vienna": "Europe/Vienna",
    "warsaw": "Europe/Warsaw",
    "zurich": "Europe/Zurich",
    "athens": "Europe/Athens",
    "helsinki": "Europe/Helsinki",
    "istanbul": "Europe/Istanbul",
    "moscow": "Europe/Moscow",
    "jerusalem": "Asia/Jerusalem",
    "cairo": "Africa/Cairo",
    "johannesburg": "Africa/Johannesburg",
    "abu dhabi": "Asia/Dubai",
    "dubai": "Asia/Dubai",
    "mumbai": "Asia/Kolkata",
    "new delhi": "Asia/Kolkata",
    "chennai": "Asia/Kolkata",
    "kolkata": "Asia/Kolkata",
    "bangkok": "Asia/Bangkok",
    "jakarta": "Asia/Jakarta",
    "singapore": "Asia/Singapore",
    "kuala lumpur": "Asia/Kuala_Lumpur",
    "hong kong": "Asia/Hong_Kong",
    "beijing": "Asia/Shanghai",
    "taipei": "Asia/Taipei",
    "seoul": "Asia/Seoul",
    "tokyo": "Asia/Tokyo",
    "sydney": "Australia/Sydney",
    "melbourne": "Australia/Melbourne",
    "brisbane": "Australia/Brisbane",
    "perth": "Australia/Perth",
    "auckland": "Pacific/Auckland",
    "utc": "UTC",
}


@dataclass
class _Context:
    """Running state of one read: counters, the first timestamp kind, notes."""

    source: str
    preset: Preset
    comment_lines: int = 0
    rows_read: int = 0
    dropped: Counter[str] = field(default_factory=Counter)
    unknown: dict[str, Counter[str]] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    time_kind: tuple[str, int, str, str] | None = None  # kind, row, column, value

    def where(self, row: int, column: str) -> str:
        line = self.comment_lines + 1 + row
        return f"{self.source}: row {row} (line {line}), column '{column}'"

    def count_unknown(self, what: str, values: pd.Series) -> None:
        if len(values):
            self.unknown.setdefault(what, Counter()).update(values.value_counts().to_dict())


def _text(series: pd.Series) -> pd.Series:
    """Values as stripped Arrow-backed text ('' for missing)."""
    if not (isinstance(series.dtype, pd.StringDtype) and series.dtype.storage == "pyarrow"):
        missing = series.isna()
        series = series.astype(str).where(~missing, "").astype(_TEXT)
    return series.fillna("").str.strip()


def _matches(text: pd.Series, pattern: str) -> np.ndarray:
    """Where the text matches an RE2 pattern (Arrow compute, vectorised)."""
    found = pc.match_substring_regex(pa.array(text.array), pattern)
    return np.asarray(found.fill_null(False).to_numpy(zero_copy_only=False), dtype=bool)


def _substitute(text: pd.Series, pattern: str, replacement: str) -> pd.Series:
    """Replace an RE2 pattern (Arrow compute, vectorised); ``\\1`` names a group."""
    out = pc.replace_substring_regex(pa.array(text.array), pattern, replacement)
    return pd.Series(pd.arrays.ArrowStringArray(out), index=text.index)


_TEXT = pd.StringDtype("pyarrow")
_OFFSET = r"\d(?::\d\d)?(?:\.\d+)?\s*(?:[Zz]|UTC|GMT|[+-]\d\d:?\d\d)$"
_UNIX = r"^\d{9,11}(?:\.\d*)?$"


def _fail_first(
    bad: np.ndarray, values: pd.Series, row0: int, column: str, ctx: _Context, what: str
) -> None:
    """Raise for the first True of ``bad`` with the row, column and value."""
    i = int(np.flatnonzero(bad)[0])
    value = values.iloc[i]
    raise TicketImportError(f"{ctx.where(row0 + i + 1, column)}: cannot read {value!r} as {what}")


def _timestamps(raw: pd.Series, column: str, row0: int, ctx: _Context, required: bool) -> pd.Series:
    """Parse one timestamp column into UTC; naive times are local to the preset's zone.

    All timestamps of a file must be of one kind (with an offset, without one, or Unix
    seconds): a mix is ambiguous and is refused, naming the first row that differs.
    """
    preset = ctx.preset
    if isinstance(raw.dtype, pd.DatetimeTZDtype):
        return raw.dt.tz_convert("UTC")
    if pd.api.types.is_datetime64_any_dtype(raw):
        return _localise(raw, preset.timezone)
    text = _text(raw)
    empty = (text == "").to_numpy()
    if required and empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise TicketImportError(
            f"{ctx.where(row0 + i + 1, column)}: empty timestamp (expected every row to have one)"
        )
    if preset.timestamp_format is not None:
        fmt = preset.timestamp_format
        aware = "%z" in fmt or "%Z" in fmt
        try:
            parsed = pd.to_datetime(text.where(~empty), format=fmt, errors="coerce", utc=aware)
        except ValueError as exc:  # a directive pandas does not know
            raise TicketImportError(
                f"--map timestamp_format={fmt!r}: {exc} (expected strptime directives such as "
                "'%d/%m/%Y %H:%M')"
            ) from None
        bad = parsed.isna().to_numpy() & ~empty
        if bad.any():
            _fail_first(bad, text, row0, column, ctx, f"a timestamp in the format '{fmt}'")
        return parsed if aware else _localise(parsed, preset.timezone)
    unix = _matches(text, _UNIX) & ~empty
    offset = _matches(text, _OFFSET) & ~empty & ~unix
    kinds = np.where(
        unix, "in Unix seconds", np.where(offset, "with a UTC offset", "without an offset")
    )
    parsed = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us, UTC]")
    for kind in pd.unique(kinds[~empty]):
        rows = (kinds == kind) & ~empty
        part = text[rows] if not rows.all() else text
        if kind == "in Unix seconds":
            value = pd.to_datetime(pd.to_numeric(part, errors="coerce"), unit="s", utc=True)
        elif kind == "with a UTC offset":
            cleaned = _substitute(part, r"\s*([+-]\d\d):?(\d\d)$", r"\1:\2")
            cleaned = _substitute(cleaned, r"\s*(?:UTC|GMT)$", "Z")
            value = pd.to_datetime(cleaned, format="ISO8601", utc=True, errors="coerce")
        else:
            naive = pd.to_datetime(part, format="ISO8601", errors="coerce")
            value = _localise(naive, preset.timezone)
        parsed[rows] = value.to_numpy() if not rows.all() else value
    bad = parsed.isna().to_numpy() & ~empty
    if bad.any():
        _fail_first(
            bad,
            text,
            row0,
            column,
            ctx,
            "a timestamp (expected ISO 8601 such as '2024-03-05 14:03:22' or "
            "'2024-03-05T14:03:22+01:00', or Unix seconds; give another format with "
            "--map timestamp_format='%d/%m/%Y %H:%M')",
        )
    present = np.flatnonzero(~empty)
    if present.size:
        if ctx.time_kind is None:
            i = int(present[0])
            ctx.time_kind = (str(kinds[i]), row0 + i + 1, column, str(text.iloc[i]))
        kind, first_row, first_col, first_value = ctx.time_kind
        other = ~empty & (kinds != kind)
        if other.any():
            i = int(np.flatnonzero(other)[0])
            raise TicketImportError(
                f"{ctx.where(row0 + i + 1, column)}: {text.iloc[i]!r} is written {kinds[i]}, but "
                f"row {first_row}, column '{first_col}' ({first_value!r}) is written {kind}; mixed "
                "time-zone formats are ambiguous (expected every timestamp with an offset, "
                "or every one without and read in the --map timezone=... zone, now "
                f"{preset.timezone})"
            )
    return parsed


def _outside_calendar(
    values: pd.Series, what: str, column: str, ctx: _Context, among: np.ndarray | None = None
) -> np.ndarray:
    """Rows whose timestamp lies outside the calendar scenarios use (counted as dropped,
    with the reason, for the rows of ``among``)."""
    lo = pd.Timestamp(EARLIEST_DATE, tz="UTC")
    hi = pd.Timestamp(LATEST_DATE, tz="UTC") + pd.Timedelta(days=1)
    outside = (values.notna() & ((values < lo) | (values >= hi))).to_numpy()
    if among is not None:
        outside = outside & among
    if outside.any():
        reason = f"{what} outside {EARLIEST_DATE} to {LATEST_DATE} (column '{column}')"
        ctx.dropped[reason] += int(outside.sum())
    return outside


def _localise(naive: pd.Series, zone: str) -> pd.Series:
    """Naive local times -> UTC; ambiguous autumn hours read as standard time, spring gaps
    shifted forward (zoneinfo rules, not fixed offsets)."""
    local = naive.dt.tz_localize(
        zone, ambiguous=np.zeros(len(naive), dtype=bool), nonexistent="shift_forward"
    )
    return local.dt.tz_convert("UTC")


def _numbers(raw: pd.Series, column: str, row0: int, ctx: _Context, unit: str) -> pd.Series:
    """Parse a numeric column (NaN where empty)."""
    if pd.api.types.is_numeric_dtype(raw):
        return raw.astype(float)
    text = _text(raw)
    values = pd.to_numeric(text.where(text != ""), errors="coerce")
    bad = values.isna().to_numpy() & (text != "").to_numpy()
    if bad.any():
        _fail_first(bad, text, row0, column, ctx, f"a number ({unit})")
    return values.astype(float)


def _categories(
    raw: pd.Series | None,
    n: int,
    table: Mapping[str, str],
    allowed: Sequence[str] | None,
    default: str,
    what: str,
    ctx: _Context,
    normalise: Any = None,
) -> pd.Series:
    """Translate values through a table; unknown values become the default (and are noted)."""
    if raw is None:
        return pd.Series([default] * n, dtype=_TEXT)
    text = _text(raw)
    lower = text.str.lower()
    uniques = pd.unique(lower.to_numpy())
    lookup: dict[str, str] = {}
    unknown: list[str] = []
    for value in uniques:
        key = str(value)
        if key == "":
            lookup[key] = default
        elif key in table:
            lookup[key] = table[key]
        elif normalise is not None and (found := normalise(key)) is not None:
            lookup[key] = found
        elif allowed is not None and key in allowed:
            lookup[key] = key
        else:
            lookup[key] = default
            unknown.append(key)
    if unknown:
        ctx.count_unknown(what, text[lower.isin(unknown)])
    return lower.map(lookup).astype(_TEXT)


def _language_code(value: str) -> str | None:
    if value in _LANGUAGE_NAMES:
        return _LANGUAGE_NAMES[value]
    match = re.fullmatch(r"([a-z]{2,3})(?:[-_][a-z0-9]{2,8})?", value)
    return match.group(1) if match else None


def _zone_name(value: str) -> str | None:
    stripped = re.sub(r"^\(gmt[+-]\d\d:\d\d\)\s*", "", value)
    if stripped in _RAILS_ZONES:
        return _RAILS_ZONES[stripped]
    return None


def _regions(raw: pd.Series | None, n: int, ctx: _Context) -> pd.Series:
    """IANA zones of the requesters (the preset's zone where unknown, noted)."""
    default = ctx.preset.timezone
    if raw is None:
        return pd.Series([default] * n, dtype=_TEXT)
    text = _text(raw)
    lookup: dict[str, str] = {}
    unknown: list[str] = []
    for value in pd.unique(text.to_numpy()):
        key = str(value)
        if key == "":
            lookup[key] = default
            continue
        try:
            lookup[key] = parse_time_zone(key)
        except ValueError:
            found = _zone_name(key.lower())
            lookup[key] = found or default
            if found is None:
                unknown.append(key)
    if unknown:
        ctx.count_unknown("region", text[text.isin(unknown)])
    return text.map(lookup).astype(_TEXT)


def _numeric_field(
    chunk: pd.DataFrame, cols: Mapping[str, str], name: str, row0: int, ctx: _Context
) -> pd.Series | None:
    """A numeric field in minutes (a count for ``reopens``), or None when not mapped."""
    if name not in cols:
        return None
    unit = "seconds" if name.endswith("seconds") else "minutes"
    if name == "reopens":
        unit = "a count"
    return _numbers(chunk[cols[name]], cols[name], row0, ctx, unit) * NUMERIC_FIELDS[name]
