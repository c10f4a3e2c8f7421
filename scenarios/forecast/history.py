"""Forecast: a contact history read into daily counts per stream.

Role: :func:`read_history` -- a ticket export (one row per ticket, through the same readers
and presets as ``import-tickets``) or a table of counts (``--format counts``: a ``date`` or
``timestamp`` column, a ``count`` column, optional ``language``, ``channel``, ``region``) --
becomes one :class:`StreamHistory` per stream (language x channel x region, named as
``import-tickets`` names them): contacts per local date, with gaps kept as gaps (NaN) unless
``zero_missing`` says a missing day had no contacts, the hour-of-week counts in local time
where the history has times of day, and the mean handle time per day where it has them.

Every problem becomes a :class:`HistoryError` naming the file, the row and what was
expected. Pure pandas and numpy on top of :mod:`scenarios.ticket_import`. Must not import
``sim``, ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
import importlib.resources
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from functools import cache
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow.parquet as pq

from scenarios.schema import CHANNELS
from scenarios.ticket_import import (
    OPTIONS,
    PRESETS,
    TicketImportError,
    hour_of_week_counts,
    parse_mapping,
    read_tickets,
)
from scenarios.ticket_import.estimators import _stream_name
from scenarios.ticket_import.parsing import (
    _categories,
    _Context,
    _language_code,
    _numbers,
    _regions,
    _text,
    _timestamps,
)
from scenarios.ticket_import.reading import MAX_HISTORY_YEARS, _leading_comment_lines
from scenarios.types import EARLIEST_DATE, LATEST_DATE, parse_country, parse_time_zone

MIN_DAYS = 14
"""Days of history a forecast needs at the least: two of each weekday."""

COUNT_FIELDS: dict[str, str] = {
    "date": "the day counted (YYYY-MM-DD), or the date of a time-of-day `timestamp`",
    "timestamp": "start of the interval counted (a timestamp, or a time of day with `date`)",
    "count": "contacts in that day or interval (required)",
    "language": "language of the stream",
    "channel": "channel of the stream",
    "region": "customers' time zone of the stream",
}
"""Columns ``--format counts`` reads (``--map FIELD=COLUMN``)."""

ID_FIELD = "id"
"""Ticket id column of a ticket export (``--map id=COLUMN``; default a column named ``id``),
checked for repeats."""

_TIME_OF_DAY = r"^\d{1,2}:\d{2}(:\d{2})?$"


class HistoryError(TicketImportError):
    """A history that cannot be forecast from as given; the message names where and why."""


@dataclass(frozen=True)
class StreamHistory:
    """One stream's history on its customers' local calendar.

    Attributes
    ----------
    daily
        Contacts per local date (a daily ``DatetimeIndex`` without gaps in the index);
        NaN where the history has no record of the day.
    hour_of_week
        7 x 24 contact counts by local weekday and hour (Monday first), or None for a
        history of daily counts.
    handle_daily
        Mean handle time per local date in minutes (NaN on days without one), or None.
    """

    name: str
    language: str
    channel: str
    region: str
    country: str | None
    daily: pd.Series
    hour_of_week: np.ndarray | None = None
    handle_daily: pd.Series | None = None
    handle_cv: float | None = None

    @property
    def contacts(self) -> float:
        """Contacts in the whole history."""
        return float(np.nansum(self.daily.to_numpy()))

    @property
    def missing_days(self) -> list[dt.date]:
        """Local dates inside the history's span with no record."""
        return [d.date() for d in self.daily.index[self.daily.isna().to_numpy()]]


@dataclass(frozen=True)
class History:
    """A whole history: its streams, where it came from and what was noticed reading it."""

    source: str
    format: str
    streams: tuple[StreamHistory, ...]
    notes: tuple[str, ...] = ()
    tickets: pd.DataFrame | None = None
    zero_missing: bool = False

    @property
    def first(self) -> dt.date:
        return min(s.daily.index[0].date() for s in self.streams)

    @property
    def last(self) -> dt.date:
        return max(s.daily.index[-1].date() for s in self.streams)


# --------------------------------------------------------------------------- countries


@cache
def _zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country code, from the tz database's ``zone.tab``."""
    text = (importlib.resources.files("tzdata.zoneinfo") / "zone.tab").read_text("utf-8")
    out: dict[str, str] = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if len(parts) >= 3:
                out[parts[2]] = parts[0]
    return out


def country_of(region: str) -> str | None:
    """The holiday country of a time zone (``Asia/Jerusalem`` -> ``IL``), None for UTC and
    for zones the ``holidays`` package has no calendar for."""
    code = _zone_countries().get(region)
    if code is None:
        return None
    try:
        return parse_country(code)
    except ValueError:
        return None


# --------------------------------------------------------------------------- reading


def split_mapping(items: Sequence[str], fmt: str) -> tuple[dict[str, str], str | None]:
    """``--map`` items for a history: the reader's mapping and the ticket id column.

    Ticket exports take the fields and options of ``import-tickets`` plus ``id``;
    ``--format counts`` takes :data:`COUNT_FIELDS` and the reading options.
    """
    id_column: str | None = None
    rest: list[str] = []
    counts: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if fmt != "counts" and name == ID_FIELD and sep:
            id_column = value.strip()
            continue
        if fmt == "counts":
            if not sep or not name:
                raise HistoryError(f"--map {item!r}: expected FIELD=COLUMN, e.g. count=calls")
            if name not in COUNT_FIELDS and name not in OPTIONS:
                raise HistoryError(
                    f"--map {item!r}: unknown field {name!r} for --format counts (expected "
                    f"one of {', '.join(COUNT_FIELDS)}, or an option: {', '.join(OPTIONS)})"
                )
            counts[name] = value.strip()
            continue
        rest.append(item)
    return (counts if fmt == "counts" else parse_mapping(rest)), id_column


def read_history(
    path: str | Path,
    fmt: str = "generic",
    mapping_items: Sequence[str] = (),
    *,
    zero_missing: bool = False,
    since: dt.date | None = None,
    until: dt.date | None = None,
    country: str | None = None,
) -> History:
    """Read a contact history into daily counts per stream.

    Parameters
    ----------
    path
        A ticket export (CSV/TSV or Parquet; one row per ticket) or, with
        ``fmt="counts"``, a table of counts per day or interval.
    fmt
        ``counts`` or an ``import-tickets`` preset name (``generic``, ``zendesk``, ...).
    mapping_items
        ``--map FIELD=COLUMN`` and ``--map OPTION=VALUE`` items.
    zero_missing
        Read a day with no record as a day with no contacts (otherwise it is a gap).
    since, until
        Keep only local dates from ``since`` to ``until`` (inclusive).
    country
        Holiday calendar for every stream (default: the country of the stream's region).

    Raises
    ------
    HistoryError
        (a :class:`~scenarios.ticket_import.TicketImportError`) for a file that cannot be
        read, a value that does not parse, repeated ids or rows, or too short a history.
    """
    file = Path(path)
    mapping, id_column = split_mapping(mapping_items, fmt)
    if country is not None:
        try:
            country = parse_country(country)
        except ValueError as exc:
            raise HistoryError(f"--country {country!r}: {exc}") from None
    if fmt == "counts":
        rows = _read_counts(file, mapping)
        streams, notes = _count_streams(rows, zero_missing, since, until, country)
        tickets = None
    else:
        tickets = read_tickets(file, fmt, mapping)
        _check_ids(file, fmt, id_column)
        streams, notes = _ticket_streams(tickets, zero_missing, since, until, country)
        # The reader notes every optional column a preset names that the file lacks; the
        # forecast reads only arrival, stream and handle time, so those notes are noise here.
        read_notes = tickets.attrs.get("import", {}).get("notes", [])
        notes = [n for n in read_notes if not n.endswith("is not in the file")] + notes
    history = History(
        source=str(file),
        format=fmt,
        streams=tuple(streams),
        notes=tuple(notes),
        tickets=tickets,
        zero_missing=zero_missing,
    )
    _check_span(history)
    return history


def _check_span(history: History) -> None:
    """Refuse a history too short to forecast from, in one sentence."""
    observed = {d for s in history.streams for d in s.daily.index[s.daily.notna().to_numpy()]}
    if len(observed) >= MIN_DAYS:
        return
    where = f"history '{history.source}'"
    if len(observed) == 1:
        day = next(iter(observed)).date()
        raise HistoryError(
            f"{where}: every contact falls on one day ({day}), so there is no day-to-day "
            f"pattern to forecast from (expected at least {MIN_DAYS} days of history)"
        )
    raise HistoryError(
        f"{where}: {len(observed)} days with records between {history.first} and "
        f"{history.last} (expected at least {MIN_DAYS} days: two of each weekday)"
    )


def _check_ids(file: Path, fmt: str, id_column: str | None) -> None:
    """Refuse a ticket export in which a ticket id repeats."""
    column = id_column
    if file.suffix.lower() in {".parquet", ".pq"}:
        names = list(pq.ParquetFile(file).schema_arrow.names)
    else:
        names = list(
            pd.read_csv(
                file,
                sep=PRESETS[fmt].sep if fmt in PRESETS else ",",
                nrows=0,
                skiprows=_leading_comment_lines(file),
                encoding="utf-8-sig",
            ).columns
        )
    if column is None:
        if fmt != "generic" or ID_FIELD not in names:
            return
        column = ID_FIELD
    where = f"ticket file '{file}'"
    if column not in names:
        raise HistoryError(
            f"{where}: no column '{column}' for the ticket id (expected one of "
            f"{', '.join(repr(n) for n in names[:20])})"
        )
    if file.suffix.lower() in {".parquet", ".pq"}:
        ids = pd.read_parquet(file, columns=[column])[column].astype(str)
    else:
        ids = pd.read_csv(
            file,
            sep=PRESETS[fmt].sep if fmt in PRESETS else ",",
            usecols=[column],
            dtype=str,
            keep_default_na=False,
            skiprows=_leading_comment_lines(file),
            encoding="utf-8-sig",
        )[column]
    repeated = ids.duplicated(keep=False).to_numpy()
    if repeated.any():
        first = ids[repeated].iloc[0]
        rows = np.flatnonzero((ids == first).to_numpy())[:2] + 1
        count = int(ids[repeated].nunique())
        raise HistoryError(
            f"{where}: ticket id {first[:40]!r} appears on rows {rows[0]} and {rows[1]} "
            f"({count} id{'s' if count > 1 else ''} repeat; expected one row per ticket, or "
            "--format counts for a table of counts)"
        )


# --------------------------------------------------------------------------- tickets


def _ticket_streams(
    tickets: pd.DataFrame,
    zero_missing: bool,
    since: dt.date | None,
    until: dt.date | None,
    country: str | None,
) -> tuple[list[StreamHistory], list[str]]:
    """Daily counts per (language, channel, region) of normalised tickets."""
    keys = ["language", "channel", "region"]
    regions = sorted({str(r) for r in tickets["region"].unique()})
    streams: list[StreamHistory] = []
    notes: list[str] = []
    days_with_tickets: dict[str, pd.DatetimeIndex] = {}
    for (language, channel, region), frame in tickets.groupby(keys, sort=True, observed=True):
        region = str(region)
        if region not in days_with_tickets:
            every = tickets["created"].dt.tz_convert(region).dt.tz_localize(None).dt.normalize()
            every = every[_inside(every, since, until)]
            if every.empty:
                continue
            days_with_tickets[region] = pd.DatetimeIndex(every.unique()).sort_values()
        file_days = days_with_tickets[region]
        local = frame["created"].dt.tz_convert(region)
        day = local.dt.tz_localize(None).dt.normalize()
        inside = _inside(day, since, until)
        frame, local, day = frame[inside], local[inside], day[inside]
        span = pd.date_range(file_days[0], file_days[-1], freq="D")
        counts = day.value_counts().reindex(span, fill_value=0).astype(float)
        # A day on which the file has no ticket at all is a gap in the export, not a quiet
        # day, unless the user says so; a day with other streams' tickets is a zero here.
        if not zero_missing:
            counts[~span.isin(file_days)] = np.nan
        lo, hi = span[0].date(), span[-1].date()
        how, _ = hour_of_week_counts(frame["created"], region, lo, hi)
        handle = frame.loc[~frame["abandoned"].to_numpy(bool), ["handle_minutes"]]
        handle_daily = None
        handle_cv = None
        values = handle["handle_minutes"].to_numpy(float)
        if np.isfinite(values).sum() >= MIN_DAYS:
            per_day = handle["handle_minutes"].groupby(day[handle.index]).mean()
            handle_daily = per_day.reindex(span)
            ok = values[np.isfinite(values) & (values > 0)]
            handle_cv = float(ok.std(ddof=1) / ok.mean()) if len(ok) > 1 else None
        streams.append(
            StreamHistory(
                name=_stream_name(str(language), str(channel), region, len(regions)),
                language=str(language),
                channel=str(channel),
                region=region,
                country=country or country_of(region),
                daily=counts,
                hour_of_week=how,
                handle_daily=handle_daily,
                handle_cv=handle_cv,
            )
        )
    if not streams:
        raise HistoryError(
            "no tickets between the --since and --until dates (expected some history there)"
        )
    return streams, notes


def _inside(day: pd.Series, since: dt.date | None, until: dt.date | None) -> np.ndarray:
    keep = np.ones(len(day), dtype=bool)
    if since is not None:
        keep &= (day >= pd.Timestamp(since)).to_numpy()
    if until is not None:
        keep &= (day <= pd.Timestamp(until)).to_numpy()
    return keep


# --------------------------------------------------------------------------- counts


def _counts_context(file: Path, mapping: Mapping[str, str]) -> tuple[_Context, dict[str, str]]:
    """The reading context of a counts table and its field -> column mapping."""
    preset = replace(
        PRESETS["generic"],
        name="counts",
        description="a table of counts per day or interval",
        columns={f: f for f in COUNT_FIELDS},
        required=frozenset({"count"}),
    )
    options: dict[str, str] = {}
    columns = dict(preset.columns)
    for key, value in mapping.items():
        if key in OPTIONS:
            options[key] = value
        elif value:
            columns[key] = value
        else:
            columns.pop(key, None)
    if "timezone" in options:
        try:
            options["timezone"] = parse_time_zone(options["timezone"])
        except ValueError as exc:
            raise HistoryError(f"--map timezone={options['timezone']}: {exc}") from None
    if options.get("sep") in {"tab", "\\t"}:
        options["sep"] = "\t"
    if "default_channel" in options and options["default_channel"] not in CHANNELS:
        raise HistoryError(
            f"--map default_channel={options['default_channel']}: expected one of "
            f"{', '.join(CHANNELS)}"
        )
    preset = replace(preset, columns=columns, **options)  # type: ignore[arg-type]
    return _Context(source=f"counts file '{file}'", preset=preset), columns


def _read_counts(file: Path, mapping: Mapping[str, str]) -> pd.DataFrame:
    """A counts table -> rows of ``day`` (local date or NaT), ``when`` (UTC or NaT),
    ``count`` and the stream's ``language``, ``channel``, ``region``."""
    ctx, columns = _counts_context(file, mapping)
    if not file.is_file():
        raise HistoryError(f"{ctx.source}: file not found (expected a CSV or Parquet file)")
    if file.suffix.lower() in {".parquet", ".pq"}:
        try:
            raw = pd.read_parquet(file).astype(str)
        except (OSError, ValueError) as exc:
            raise HistoryError(f"{ctx.source}: cannot be read as Parquet ({exc})") from None
    else:
        ctx.comment_lines = _leading_comment_lines(file)
        try:
            raw = pd.read_csv(
                file,
                sep=ctx.preset.sep,
                dtype=str,
                keep_default_na=False,
                skiprows=ctx.comment_lines,
                encoding="utf-8-sig",
            )
        except pd.errors.EmptyDataError:
            raise HistoryError(
                f"{ctx.source}: the file is empty (expected a header and one row per day)"
            ) from None
        except (UnicodeDecodeError, pd.errors.ParserError) as exc:
            raise HistoryError(f"{ctx.source}: cannot be read as text ({exc})") from None
    available = [str(c) for c in raw.columns]
    has = {f: c for f, c in columns.items() if c in available}
    if "count" not in has or ("date" not in has and "timestamp" not in has):
        shown = ", ".join(repr(c) for c in available[:20])
        raise HistoryError(
            f"{ctx.source}: has columns {shown} (expected a '{columns.get('count', 'count')}' "
            f"column and a '{columns.get('date', 'date')}' or "
            f"'{columns.get('timestamp', 'timestamp')}' column; map others with "
            "--map count=COLUMN, --map date=COLUMN or --map timestamp=COLUMN)"
        )
    if raw.empty:
        raise HistoryError(f"{ctx.source}: no data rows after the header (expected one a day)")
    n = len(raw)
    count = _numbers(raw[has["count"]], has["count"], 0, ctx, "contacts")
    bad = (count.isna() | (count < 0) | ~np.isfinite(count.fillna(0))).to_numpy()
    if bad.any():
        i = int(np.flatnonzero(bad)[0])
        raise HistoryError(
            f"{ctx.where(i + 1, has['count'])}: found {str(raw[has['count']].iloc[i])[:40]!r} "
            "(expected a count of zero or more)"
        )
    region = _regions(raw[has["region"]] if "region" in has else None, n, ctx)
    when = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us, UTC]")
    day = pd.Series(pd.NaT, index=raw.index, dtype="datetime64[us]")
    if "timestamp" in has:
        text = _text(raw[has["timestamp"]])
        if "date" in has and text.str.match(_TIME_OF_DAY).all():
            text = _text(raw[has["date"]]) + " " + text
        when = _timestamps(text, has["timestamp"], 0, ctx, required=True)
        stamp = text
    else:
        text = _text(raw[has["date"]])
        day = pd.to_datetime(text, format="ISO8601", errors="coerce")
        bad = day.isna().to_numpy()
        if bad.any() or (day != day.dt.normalize()).any():
            i = int(np.flatnonzero(bad | (day != day.dt.normalize()).to_numpy())[0])
            raise HistoryError(
                f"{ctx.where(i + 1, has['date'])}: cannot read {text.iloc[i][:40]!r} as a date "
                "(expected YYYY-MM-DD; give intervals as --map timestamp=COLUMN)"
            )
        day = day.astype("datetime64[us]")
        stamp = day.dt.strftime("%Y-%m-%d")
    frame = pd.DataFrame(
        {
            "row": np.arange(1, n + 1),
            # As written: a wall-clock hour that daylight saving skips is moved forward
            # when read, so two rows are the same only if their text is.
            "stamp": stamp.astype(str).to_numpy(),
            "when": when,
            "day": day,
            "count": count.astype(float),
            "language": _categories(
                raw[has["language"]] if "language" in has else None,
                n,
                ctx.preset.language_values,
                None,
                ctx.preset.default_language,
                "language",
                ctx,
                _language_code,
            ),
            "channel": _categories(
                raw[has["channel"]] if "channel" in has else None,
                n,
                ctx.preset.channel_values,
                CHANNELS,
                ctx.preset.default_channel,
                "channel",
                ctx,
            ),
            "region": region,
        }
    )
    frame.attrs["source"] = ctx.source
    frame.attrs["timezone"] = ctx.preset.timezone
    frame.attrs["where"] = {f: c for f, c in has.items()}
    frame.attrs["comment_lines"] = ctx.comment_lines
    return frame


def _count_streams(
    rows: pd.DataFrame,
    zero_missing: bool,
    since: dt.date | None,
    until: dt.date | None,
    country: str | None,
) -> tuple[list[StreamHistory], list[str]]:
    """Daily counts per stream of a counts table, refusing repeated rows."""
    source = rows.attrs["source"]
    keys = ["language", "channel", "region"]
    regions = sorted({str(r) for r in rows["region"].unique()})
    timed = rows["when"].notna().all()
    streams: list[StreamHistory] = []
    notes: list[str] = []
    rows = _within_calendar(rows, timed, notes)
    for (language, channel, region), frame in rows.groupby(keys, sort=True):
        region = str(region)
        stamp = frame["stamp"]
        repeated = stamp.duplicated(keep=False).to_numpy().copy()
        if repeated.any() and timed:
            # A wall-clock hour that daylight saving repeats is counted twice, rightly.
            repeated &= ~_twice_on_the_clock(stamp, repeated, rows.attrs["timezone"])
        if repeated.any():
            first = stamp[repeated].iloc[0]
            lines = frame.loc[(stamp == first).to_numpy(), "row"].to_numpy()[:2]
            what = "interval" if timed else "date"
            raise HistoryError(
                f"{source}: rows {lines[0]} and {lines[1]} both count {what} {first[:40]!r} "
                f"of stream {language}/{channel}/{region} (expected one row per {what} and "
                "stream)"
            )
        if timed:
            local = frame["when"].dt.tz_convert(region)
            day = local.dt.tz_localize(None).dt.normalize()
        else:
            local = None
            day = frame["day"]
        inside = _inside(day, since, until)
        if not inside.any():
            continue
        frame, day = frame[inside], day[inside]
        daily = frame["count"].groupby(day.to_numpy()).sum()
        span = pd.date_range(daily.index.min(), daily.index.max(), freq="D")
        counts = daily.reindex(span).astype(float)
        if zero_missing:
            counts = counts.fillna(0.0)
        how = None
        if local is not None:
            local = local[inside]
            how = np.zeros((7, 24))
            np.add.at(
                how,
                (local.dt.day_of_week.to_numpy(), local.dt.hour.to_numpy()),
                frame["count"].to_numpy(float),
            )
        streams.append(
            StreamHistory(
                name=_stream_name(str(language), str(channel), region, len(regions)),
                language=str(language),
                channel=str(channel),
                region=region,
                country=country or country_of(region),
                daily=counts,
                hour_of_week=how,
            )
        )
    if not streams:
        raise HistoryError(
            f"{source}: no rows between the --since and --until dates (expected some history)"
        )
    if not timed:
        notes.append("daily counts only: the intraday shape is assumed flat (24x7)")
    return streams, notes


def _within_calendar(rows: pd.DataFrame, timed: bool, notes: list[str]) -> pd.DataFrame:
    """The rows dated inside the calendar scenarios use (the others left out, in a note),
    refusing a history whose dates span more years than any history has."""
    source, where = rows.attrs["source"], rows.attrs["where"]
    column = where["timestamp"] if timed else where["date"]
    moment = rows["when"] if timed else rows["day"]
    lo = pd.Timestamp(EARLIEST_DATE, tz="UTC" if timed else None)
    hi = pd.Timestamp(LATEST_DATE, tz="UTC" if timed else None) + pd.Timedelta(days=1)
    outside = ((moment < lo) | (moment >= hi)).to_numpy()
    if outside.all():
        raise HistoryError(
            f"{source}: every row is dated outside {EARLIEST_DATE} to {LATEST_DATE} "
            f"(column '{column}'; expected dates of a real history)"
        )
    if outside.any():
        notes.append(
            f"{int(outside.sum())} rows dated outside {EARLIEST_DATE} to {LATEST_DATE} "
            f"(column '{column}') are left out"
        )
        rows = rows[~outside]
        moment = moment[~outside]
    first, last = moment.min(), moment.max()
    if last - first > pd.Timedelta(days=365.25 * MAX_HISTORY_YEARS):
        raise HistoryError(
            f"{source}: the history runs from {first:%Y-%m-%d} to {last:%Y-%m-%d}, "
            f"{(last - first).days / 365.25:.0f} years (expected at most {MAX_HISTORY_YEARS} "
            f"years; look for mistyped years in column '{column}')"
        )
    return rows


def _twice_on_the_clock(stamp: pd.Series, repeated: np.ndarray, zone: str) -> np.ndarray:
    """Rows whose repeated text is a wall-clock time that occurs twice in ``zone`` (the
    hour daylight saving repeats in autumn), written exactly twice."""
    out = np.zeros(len(stamp), dtype=bool)
    counts = stamp[repeated].value_counts()
    for text, count in counts.items():
        if count != 2:
            continue
        try:
            pd.Timestamp(str(text)).tz_localize(zone, ambiguous="raise")
        except (ValueError, TypeError) as exc:  # pandas' AmbiguousTimeError is a ValueError
            if "ambiguous" in str(exc).lower() or "dst" in str(exc).lower():
                out |= (stamp == text).to_numpy()
    return out


def describe_gaps(days: Sequence[dt.date], limit: int = 4) -> str:
    """A short list of missing dates: ``2003-04-04, 2003-04-07 and 4 more``."""
    shown = ", ".join(d.isoformat() for d in days[:limit])
    more = len(days) - limit
    return shown + (f" and {more} more" if more > 0 else "")


def slug(text: str) -> str:
    """A name safe for file names."""
    return re.sub(r"[^A-Za-z0-9_-]+", "-", text).strip("-") or "history"
