"""Dated volume series of a stream: reading ``volume: FILE.csv`` and the series' average week.

Role: the file side of ``demand.streams[].volume``.  A stream's volume may be a dated
series (tickets per local day, or per week starting on each date) instead of only
``tickets_per_week``; the series is written inline in the scenario or kept in a CSV file
beside it.  This module reads such a file into ``{date: tickets}`` with errors that name
the file, the row and what was expected; the schema (:mod:`scenarios.schema`) validates the
result.  Nothing in a file is evaluated.

Plain pandas on the standard library.  Must not import ``scenarios.schema`` (which imports
this module), ``sim``, ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

VOLUME_COLUMNS = ("tickets", "mean")
"""Accepted names of the volume column, in order of preference (``mean`` is what
``forecast.csv`` calls it, so a forecast's file can be used as it is)."""

MAX_VOLUME_FILE_BYTES = 20_000_000
"""A volume file is a short table (a few thousand rows at most); larger is refused unread."""


def read_volume_file(path: Path, stream: str) -> dict[dt.date, float]:
    """Read a stream's dated volume from a CSV file.

    Parameters
    ----------
    path
        CSV with a ``date`` column (YYYY-MM-DD) and a ``tickets`` (or ``mean``) column in
        tickets.  With a ``stream`` column, only the rows naming ``stream`` are read.
    stream
        The stream's name.

    Returns
    -------
    dict
        Local date -> tickets (per day or per week, as the scenario says).

    Raises
    ------
    ValueError
        Missing or unreadable file, missing columns, a date or number that does not parse,
        a negative or non-finite number, a date given twice, or no rows for the stream.
    """
    where = f"volume file '{path}'"
    expected = "a CSV with columns date and tickets (or mean), and optionally stream"
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ValueError(
            f"{where}: file not found (expected {expected}; a relative path is read from "
            "the scenario file's folder)"
        ) from None
    except OSError as exc:
        raise ValueError(f"{where}: cannot be read ({exc.strerror}; expected {expected})") from None
    if not path.is_file():
        raise ValueError(f"{where}: is not a file (expected {expected})")
    if size > MAX_VOLUME_FILE_BYTES:
        raise ValueError(
            f"{where}: {size:,} bytes (expected at most {MAX_VOLUME_FILE_BYTES:,}: {expected})"
        )
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    except (pd.errors.EmptyDataError, pd.errors.ParserError, UnicodeDecodeError, OSError) as exc:
        raise ValueError(f"{where}: cannot be read as CSV ({exc}; expected {expected})") from None
    columns = {str(c).strip().lower(): c for c in frame.columns}
    value_column = next((columns[c] for c in VOLUME_COLUMNS if c in columns), None)
    if "date" not in columns or value_column is None:
        shown = ", ".join(repr(str(c)) for c in list(frame.columns)[:10])
        raise ValueError(f"{where}: has columns {shown} (expected {expected})")
    rows = pd.Series(range(1, len(frame) + 1), index=frame.index)
    if "stream" in columns:
        mine = frame[columns["stream"]].str.strip() == stream
        frame, rows = frame[mine], rows[mine]
        if frame.empty:
            raise ValueError(f"{where}: no rows with stream '{stream}' (expected some)")
    if frame.empty:
        raise ValueError(f"{where}: no data rows (expected {expected})")
    return _parse_rows(frame[columns["date"]], frame[value_column], rows, where)


def _parse_rows(
    dates: pd.Series, values: pd.Series, rows: pd.Series, where: str
) -> dict[dt.date, float]:
    """Dates and tickets as text -> ``{date: tickets}``, naming the first bad row."""
    parsed = pd.to_datetime(dates.str.strip(), format="%Y-%m-%d", errors="coerce")
    numbers = pd.to_numeric(values.str.strip(), errors="coerce")
    out: dict[dt.date, float] = {}
    for date, number, text_date, text_value, row in zip(
        parsed, numbers, dates, values, rows, strict=True
    ):
        if pd.isna(date):
            raise ValueError(
                f"{where}: row {row}: cannot read {text_date[:40]!r} as a date "
                "(expected YYYY-MM-DD)"
            )
        if pd.isna(number) or not math.isfinite(number) or number < 0:
            raise ValueError(
                f"{where}: row {row}: found {text_value[:40]!r} tickets "
                "(expected a finite number of zero or more)"
            )
        day = date.date()
        if day in out:
            raise ValueError(f"{where}: row {row}: date {day} appears twice (expected once)")
        out[day] = float(number)
    return out


def mean_week(per: str, values: Mapping[dt.date, float]) -> float:
    """Average tickets a week of a dated series (``per`` is ``day`` or ``week``)."""
    if not values:
        return 0.0
    total = float(sum(values.values()))
    return total / len(values) * (7.0 if per == "day" else 1.0)
