"""Ticket import: a helpdesk export becomes normalised tickets and a fitted scenario.

Role: read a ticket export (CSV or Parquet) through a column mapping -- presets for common
helpdesk exports (Zendesk, Freshdesk and Intercom style) and for the two real data sets the
project is tested against (``anonymous_bank`` call records, ``helpdesk_eventlog`` events) --
into one normalised table of tickets, fit a scenario to it (weekly volume and hour-of-week
profile per stream, lognormal handle times, patience from censored waits, reopen rate, an
inferred placeholder team) and write it as a commented YAML file that ``validate`` accepts.

Files are read in chunks with only the needed columns, as Arrow-backed text, so memory
grows with the number of tickets kept (about 55 bytes each in the final table, a few times
that at the peak while assembling it), not with the width or the text of the export. Every
problem with the file becomes a :class:`TicketImportError` naming the file, the row (data
rows count from 1 after the header; the file line is given too) and the column.

Pure pandas, numpy and scipy on top of ``scenarios.schema``. Must not import ``simpy``,
``sim`` (the engine, demand or queueing modules), ``optimizer``, ``reports`` or ``run_sim``:
the team placed in the imported scenario is sized from the agents seen in the log, or from
the offered workload, without queueing formulas.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
import textwrap
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Literal
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import yaml
from pandas.api.types import union_categoricals
from scipy import stats

from scenarios.schema import CHANNELS, PRIORITY_RANK, SYNCHRONOUS_CHANNELS
from scenarios.types import parse_time_zone

__all__ = [
    "FIELDS",
    "OPTIONS",
    "PRESETS",
    "TICKET_COLUMNS",
    "FitReport",
    "HandleFit",
    "PatienceFit",
    "Preset",
    "StreamFit",
    "TicketImportError",
    "fit_scenario",
    "hour_of_week_counts",
    "kaplan_meier",
    "parse_mapping",
    "read_tickets",
    "resolve_preset",
    "write_scenario_yaml",
]


class TicketImportError(ValueError):
    """A ticket export that cannot be read as asked; the message names file, row and column."""


# --------------------------------------------------------------------------- fields

FIELDS: dict[str, str] = {
    "created": "when the ticket or call arrived (timestamp; required)",
    "date": "date part of `created` when that column holds only a time of day",
    "first_response": "first agent reply or answer (timestamp)",
    "first_reply_minutes": "minutes from arrival to the first reply (when no timestamp)",
    "solved": "when the ticket was solved (timestamp)",
    "queue_delay_seconds": "seconds from arrival to joining the agent queue (IVR/VRU time)",
    "wait_seconds": "seconds waited in the agent queue, until answer or abandonment",
    "wait_minutes": "minutes waited in the agent queue, until answer or abandonment",
    "handle_seconds": "agent handle time in seconds",
    "handle_minutes": "agent handle time in minutes",
    "outcome": "call outcome (answered, abandoned, or a value the preset drops)",
    "agent": "the agent who answered",
    "channel": "phone, chat or email (export values are translated by the preset)",
    "language": "language code or name",
    "priority": "urgent, high, normal or low (export values are translated by the preset)",
    "region": "the requester's time zone (IANA name, or a common Rails/Zendesk name)",
    "reopens": "number of times the ticket was reopened",
    "case": "ticket id of an event (event logs)",
    "activity": "event name (event logs)",
    "timestamp": "event time (event logs)",
}
"""Logical fields a column can be mapped to (``--map FIELD=COLUMN``)."""

OPTIONS: dict[str, str] = {
    "timezone": "IANA zone of timestamps written without an offset (and default region)",
    "timestamp_format": "strptime format of the timestamps, e.g. '%d/%m/%Y %H:%M'",
    "sep": "column separator of a text file (',' or 'tab')",
    "default_channel": "channel of tickets with no channel column or value",
    "default_language": "language of tickets with no language column or value",
}
"""Reading options that ``--map OPTION=VALUE`` may also set."""

NUMERIC_FIELDS: dict[str, float] = {  # field -> factor to minutes (reopens: a count)
    "first_reply_minutes": 1.0,
    "queue_delay_seconds": 1 / 60,
    "wait_seconds": 1 / 60,
    "wait_minutes": 1.0,
    "handle_seconds": 1 / 60,
    "handle_minutes": 1.0,
    "reopens": 1.0,
}
TICKET_COLUMNS: tuple[str, ...] = (
    "created",
    "queued",
    "first_response",
    "solved",
    "abandoned",
    "wait_minutes",
    "handle_minutes",
    "channel",
    "language",
    "priority",
    "region",
    "agent",
    "reopened",
)
"""Columns of the table :func:`read_tickets` returns (times are UTC)."""

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


# --------------------------------------------------------------------------- presets


@dataclass(frozen=True)
class Preset:
    """How to read one kind of export: columns, value translations and defaults.

    Parameters
    ----------
    name, description
        Identification and a sentence for help texts and provenance comments.
    columns
        Logical field (see :data:`FIELDS`) -> column name in the export.
    required
        Fields whose column must be present; other columns are used when found.
    kind
        ``"tickets"``: one row per ticket or call. ``"event_log"``: one row per event,
        pivoted to one row per ticket (arrival = first event, first response = first event
        in ``first_response_activities``, solved = first in ``solved_activities``).
    sep
        Column separator of text files.
    timestamp_format
        strptime format, or None to accept ISO 8601 (with or without an offset) and Unix
        seconds.
    timezone
        Zone of timestamps written without an offset, and the customers' region when no
        region column is mapped.
    channel_values, priority_values
        Export value (lower case) -> channel or priority name; values that are already
        channel or priority names pass unchanged.
    language_values
        Export value (lower case) -> language code.
    abandoned_outcomes, dropped_outcomes
        Outcome values (upper case) meaning "abandoned", and "not a ticket at all".
    missing_agents
        Agent values (upper case) meaning "no agent".
    service_levels
        Service levels written into the fitted scenario (the export rarely says).
    """

    name: str
    description: str
    columns: Mapping[str, str]
    required: frozenset[str] = frozenset({"created"})
    kind: Literal["tickets", "event_log"] = "tickets"
    sep: str = ","
    timestamp_format: str | None = None
    timezone: str = "UTC"
    default_channel: str = "email"
    default_language: str = "en"
    channel_values: Mapping[str, str] = field(default_factory=dict)
    priority_values: Mapping[str, str] = field(default_factory=dict)
    language_values: Mapping[str, str] = field(default_factory=dict)
    abandoned_outcomes: frozenset[str] = frozenset({"ABANDONED", "HANG", "ABANDON"})
    dropped_outcomes: frozenset[str] = frozenset()
    missing_agents: frozenset[str] = frozenset()
    first_response_activities: frozenset[str] = frozenset()
    solved_activities: frozenset[str] = frozenset()
    service_levels: tuple[Mapping[str, Any], ...] = (
        {"channel": "phone", "answer_within": "20s", "goal": 0.8},
        {"channel": "chat", "answer_within": "60s", "goal": 0.9},
        {"channel": "email", "answer_within": "4h", "goal": 0.9},
    )


_HELPDESK_CHANNELS = {
    "email": "email",
    "mail": "email",
    "web form": "email",
    "web": "email",
    "web_form": "email",
    "portal": "email",
    "api": "email",
    "feedback widget": "email",
    "outbound email": "email",
    "twitter": "email",
    "facebook": "email",
    "social": "email",
    "chat": "chat",
    "web widget": "chat",
    "messaging": "chat",
    "mobile sdk": "chat",
    "messenger": "chat",
    "conversation": "chat",
    "whatsapp": "chat",
    "phone": "phone",
    "voice": "phone",
    "phone call (inbound)": "phone",
    "phone call (incoming)": "phone",
    "phone_call": "phone",
    "voicemail": "phone",
    "1": "email",
    "2": "email",
    "3": "phone",
    "7": "chat",
    "9": "email",
    "10": "email",
}

PRESETS: dict[str, Preset] = {
    "generic": Preset(
        name="generic",
        description="one row per ticket, columns named after the fields (created, "
        "first_response, solved, channel, language, priority, region, agent, ...)",
        columns={f: f for f in FIELDS if f not in {"date", "case", "activity", "timestamp"}},
        channel_values=_HELPDESK_CHANNELS,
    ),
    "zendesk": Preset(
        name="zendesk",
        description="Zendesk-style ticket export (Created at, First reply time in minutes, "
        "Solved at, Via, Priority, Assignee, Requester language/time zone, Reopens)",
        columns={
            "created": "Created at",
            "first_reply_minutes": "First reply time in minutes",
            "solved": "Solved at",
            "channel": "Via",
            "priority": "Priority",
            "agent": "Assignee",
            "language": "Requester language",
            "region": "Requester time zone",
            "reopens": "Reopens",
        },
        channel_values=_HELPDESK_CHANNELS,
    ),
    "freshdesk": Preset(
        name="freshdesk",
        description="Freshdesk-style ticket export (Created time, Initial response time, "
        "Resolved time, Source, Priority, Agent, Language, Time zone)",
        columns={
            "created": "Created time",
            "first_response": "Initial response time",
            "solved": "Resolved time",
            "channel": "Source",
            "priority": "Priority",
            "agent": "Agent",
            "language": "Language",
            "region": "Time zone",
        },
        channel_values=_HELPDESK_CHANNELS,
        priority_values={"1": "low", "2": "normal", "3": "high", "4": "urgent", "medium": "normal"},
    ),
    "intercom": Preset(
        name="intercom",
        description="Intercom-style conversation export (created_at, first_admin_reply_at, "
        "last_close_at, source_type, priority, admin_assignee_id, contact language/time "
        "zone, reopens); Unix seconds or ISO timestamps",
        columns={
            "created": "created_at",
            "first_response": "first_admin_reply_at",
            "solved": "last_close_at",
            "channel": "source_type",
            "priority": "priority",
            "agent": "admin_assignee_id",
            "language": "contact_language",
            "region": "contact_timezone",
            "reopens": "reopens",
        },
        default_channel="chat",
        channel_values=_HELPDESK_CHANNELS,
        priority_values={"priority": "high", "not_priority": "normal"},
    ),
    "anonymous_bank": Preset(
        name="anonymous_bank",
        description="Anonymous Bank call records (Technion SEE Center, February 1999): one "
        "row per call, tab-separated, date YYMMDD and times H:MM:SS in Israeli local time; "
        "PHANTOM calls and calls with a negative VRU time are dropped",
        columns={
            "date": "date",
            "created": "vru_entry",
            "queue_delay_seconds": "vru_time",
            "wait_seconds": "q_time",
            "handle_seconds": "ser_time",
            "outcome": "outcome",
            "agent": "server",
            "priority": "priority",
            "language": "type",
        },
        required=frozenset(
            {"date", "created", "queue_delay_seconds", "wait_seconds", "handle_seconds", "outcome"}
        ),
        sep="\t",
        timestamp_format="%y%m%d %H:%M:%S",
        timezone="Asia/Jerusalem",
        default_channel="phone",
        default_language="he",
        # priority 2 marks the bank's priority customers; 0 (unidentified) and 1 are regular.
        priority_values={"0": "normal", "1": "normal", "2": "high"},
        # Service type PE is calls in English (a language skill); the other types are Hebrew.
        language_values={"pe": "en", "ps": "he", "nw": "he", "ne": "he", "tt": "he", "in": "he"},
        abandoned_outcomes=frozenset({"HANG"}),
        dropped_outcomes=frozenset({"PHANTOM"}),
        missing_agents=frozenset({"NO_SERVER"}),
        # The bank's answer-time target is not published: 60 s is assumed.
        service_levels=({"channel": "phone", "answer_within": "60s", "goal": 0.8},),
    ),
    "helpdesk_eventlog": Preset(
        name="helpdesk_eventlog",
        description="help-desk event log of an Italian software company (4TU.ResearchData, "
        "Polato et al.): one row per event (Case ID, Activity, Resource, Complete Timestamp); "
        "arrival = first event, first response = first 'Take in charge ticket', solved = "
        "first 'Resolve ticket'; Italian local time, e-mail-style tickets",
        columns={
            "case": "Case ID",
            "activity": "Activity",
            "timestamp": "Complete Timestamp",
            "agent": "Resource",
            "priority": "seriousness_2",
        },
        required=frozenset({"case", "activity", "timestamp"}),
        kind="event_log",
        timezone="Europe/Rome",
        default_channel="email",
        default_language="it",
        # The levels are anonymised. Level 4 tickets are taken in charge within minutes
        # (median about 1 minute against 17-20 hours for the others): read as urgent.
        priority_values={
            "value 1": "normal",
            "value 2": "normal",
            "value 3": "normal",
            "value 4": "urgent",
        },
        first_response_activities=frozenset({"Take in charge ticket"}),
        solved_activities=frozenset({"Resolve ticket"}),
        service_levels=(
            {"channel": "email", "priority": "urgent", "answer_within": "1h", "goal": 0.9},
            {"channel": "email", "answer_within": "24h", "goal": 0.8},
        ),
    ),
}
"""Named presets for ``--format NAME``."""


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """Parse ``FIELD=COLUMN`` (or ``OPTION=VALUE``) strings from the command line.

    Raises
    ------
    TicketImportError
        For an item without ``=`` or a name that is neither a field nor an option.
    """
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise TicketImportError(
                f"--map {item!r}: expected FIELD=COLUMN, e.g. created='Created at'"
            )
        if name not in FIELDS and name not in OPTIONS:
            raise TicketImportError(
                f"--map {item!r}: unknown field {name!r} (expected one of "
                f"{', '.join(sorted(FIELDS))}, or an option: {', '.join(sorted(OPTIONS))})"
            )
        out[name] = value.strip()
    return out


def resolve_preset(
    preset: str | Preset = "generic", mapping: Mapping[str, str] | None = None
) -> Preset:
    """A preset (by name or as given) with ``mapping`` columns and options applied.

    A mapped column becomes required (the user asked for it); an empty column name unmaps
    the field.
    """
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise TicketImportError(
                f"--format {preset!r}: unknown format (expected one of {', '.join(PRESETS)})"
            )
        base = PRESETS[preset]
    else:
        base = preset
    mapping = dict(mapping or {})
    columns = dict(base.columns)
    required = set(base.required)
    options: dict[str, Any] = {}
    for key, value in mapping.items():
        if key in OPTIONS:
            options[key] = value
        elif key in FIELDS:
            if value:
                columns[key] = value
                required.add(key)
            else:
                columns.pop(key, None)
                required.discard(key)
        else:
            raise TicketImportError(f"--map {key}={value}: unknown field {key!r}")
    if "timezone" in options:
        try:
            options["timezone"] = parse_time_zone(options["timezone"])
        except ValueError as exc:
            raise TicketImportError(f"--map timezone={options['timezone']}: {exc}") from None
    if options.get("sep") in {"tab", "\\t"}:
        options["sep"] = "\t"
    for key in ("default_channel",):
        if key in options and options[key] not in CHANNELS:
            raise TicketImportError(
                f"--map {key}={options[key]}: expected one of {', '.join(CHANNELS)}"
            )
    return replace(base, columns=columns, required=frozenset(required), **options)


# --------------------------------------------------------------------------- reading


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


def _leading_comment_lines(path: Path) -> int:
    """Number of lines at the top of a text file that start with '#'."""
    count = 0
    with path.open("r", encoding="utf-8-sig", errors="replace") as handle:
        for line in handle:
            if not line.startswith("#"):
                break
            count += 1
    return count


def _source_columns(path: Path, ctx: _Context) -> list[str]:
    """Column names of the file (header of a text file, schema of a Parquet file)."""
    if path.suffix.lower() in {".parquet", ".pq"}:
        import pyarrow.parquet as pq

        try:
            return list(pq.ParquetFile(path).schema_arrow.names)
        except (OSError, ValueError) as exc:
            raise TicketImportError(f"{ctx.source}: cannot be read as Parquet ({exc})") from None
    try:
        header = pd.read_csv(
            path, sep=ctx.preset.sep, nrows=0, skiprows=ctx.comment_lines, encoding="utf-8-sig"
        )
    except pd.errors.EmptyDataError:
        raise TicketImportError(
            f"{ctx.source}: the file is empty (expected a header line and one row per "
            f"{'event' if ctx.preset.kind == 'event_log' else 'ticket'})"
        ) from None
    except (UnicodeDecodeError, pd.errors.ParserError) as exc:
        raise TicketImportError(f"{ctx.source}: cannot be read as text ({exc})") from None
    return [str(c) for c in header.columns]


def _columns_to_read(available: list[str], ctx: _Context) -> dict[str, str]:
    """Field -> column for the columns present; a clear error for missing required ones."""
    preset = ctx.preset
    missing = [f for f in sorted(preset.required) if preset.columns.get(f) not in available]
    if missing:
        wanted = ", ".join(f"'{preset.columns.get(f, f)}' ({f})" for f in missing)
        shown = ", ".join(repr(c) for c in available[:30])
        more = f" and {len(available) - 30} more" if len(available) > 30 else ""
        hint = "map another column with --map FIELD=COLUMN"
        if len(available) == 1:
            for char, label in (("\t", "tab"), (";", ";"), (",", ","), ("|", "|")):
                if char in available[0] and char != preset.sep:
                    hint = (
                        f"the header looks {label!r}-separated: give the right --format, or "
                        f"--map sep={label}"
                    )
                    break
        raise TicketImportError(
            f"{ctx.source}: missing column{'s' if len(missing) > 1 else ''} {wanted} for "
            f"format '{preset.name}' (the file has {shown}{more}; {hint})"
        )
    out = {}
    for name, column in preset.columns.items():
        if column in available:
            out[name] = column
        elif name not in {"date"}:
            ctx.notes.append(f"column '{column}' ({name}) is not in the file")
    return out


def _chunks(
    path: Path, columns: list[str], ctx: _Context, chunksize: int
) -> Iterator[pd.DataFrame]:
    """The file in chunks of at most ``chunksize`` rows, only ``columns``, as read."""
    if path.suffix.lower() in {".parquet", ".pq"}:
        import pyarrow.parquet as pq

        for batch in pq.ParquetFile(path).iter_batches(batch_size=chunksize, columns=columns):
            yield batch.to_pandas()
        return
    reader = pd.read_csv(
        path,
        sep=ctx.preset.sep,
        usecols=columns,
        dtype=_TEXT,
        keep_default_na=False,
        skiprows=ctx.comment_lines,
        chunksize=chunksize,
        encoding="utf-8-sig",
    )
    try:
        yield from reader
    except pd.errors.ParserError as exc:
        raise TicketImportError(f"{ctx.source}: malformed text ({exc})") from None
    finally:
        reader.close()


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
        parsed = pd.to_datetime(text.where(~empty), format=fmt, errors="coerce", utc=aware)
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


def _ticket_chunk(chunk: pd.DataFrame, cols: Mapping[str, str], ctx: _Context) -> pd.DataFrame:
    """Normalise one chunk of a one-row-per-ticket export (see :data:`TICKET_COLUMNS`)."""
    preset = ctx.preset
    row0 = ctx.rows_read
    n = len(chunk)
    chunk = chunk.reset_index(drop=True)
    created_raw = chunk[cols["created"]]
    if "date" in cols:
        created_raw = _text(chunk[cols["date"]]) + " " + _text(created_raw)
    created = _timestamps(created_raw, cols["created"], row0, ctx, required=True)
    first_response = (
        _timestamps(chunk[cols["first_response"]], cols["first_response"], row0, ctx, False)
        if "first_response" in cols
        else pd.Series(pd.NaT, index=chunk.index, dtype="datetime64[us, UTC]")
    )
    solved = (
        _timestamps(chunk[cols["solved"]], cols["solved"], row0, ctx, False)
        if "solved" in cols
        else pd.Series(pd.NaT, index=chunk.index, dtype="datetime64[us, UTC]")
    )
    durations = {name: _numeric_field(chunk, cols, name, row0, ctx) for name in NUMERIC_FIELDS}
    keep = np.ones(n, dtype=bool)
    abandoned = np.zeros(n, dtype=bool)
    if "outcome" in cols:
        outcome = _text(chunk[cols["outcome"]]).str.upper()
        dropped = outcome.isin(sorted(preset.dropped_outcomes)).to_numpy()
        for value, count in outcome[dropped].value_counts().items():
            ctx.dropped[f"outcome {value} (not a customer contact)"] += int(count)
        keep &= ~dropped
        abandoned = outcome.isin(sorted(preset.abandoned_outcomes)).to_numpy()
    for name, values in durations.items():
        if values is None:
            continue
        negative = (values < 0).to_numpy() & keep
        if negative.any():
            ctx.dropped[f"negative {name} (column '{cols[name]}')"] += int(negative.sum())
            keep &= ~negative
    delay = durations["queue_delay_seconds"]
    queued = created if delay is None else created + pd.to_timedelta(delay.fillna(0.0), unit="min")
    served = pd.Series(~abandoned)
    wait = durations["wait_seconds"]
    if wait is None:
        wait = durations["wait_minutes"]
    reply = durations["first_reply_minutes"]
    if "first_response" not in cols and wait is not None:
        first_response = (queued + pd.to_timedelta(wait.fillna(0.0), unit="min")).where(
            served & wait.notna()
        )
    if reply is not None:
        from_reply = created + pd.to_timedelta(reply, unit="min")
        first_response = first_response.where(first_response.notna(), from_reply)
    if wait is None:
        wait = (first_response - queued).dt.total_seconds() / 60.0
    handle = durations["handle_seconds"]
    if handle is None:
        handle = durations["handle_minutes"]
    if handle is None:
        handle = pd.Series(np.nan, index=chunk.index)
    else:
        handle = handle.where(served)
        if "solved" not in cols:
            solved = first_response + pd.to_timedelta(handle, unit="min")
    early = ((first_response - created).dt.total_seconds() < -60).to_numpy() & keep
    if early.any():
        ctx.dropped["first response before arrival"] += int(early.sum())
        keep &= ~early
    agent = _text(chunk[cols["agent"]]) if "agent" in cols else pd.Series([""] * n, dtype=_TEXT)
    agent = agent.where(~agent.str.upper().isin(sorted(preset.missing_agents)), "")
    reopens = durations["reopens"]
    out = pd.DataFrame(
        {
            "created": created,
            "queued": queued,
            "first_response": first_response,
            "solved": solved,
            "abandoned": abandoned,
            "wait_minutes": wait.astype(float),
            "handle_minutes": handle.astype(float),
            "channel": _categories(
                chunk.get(cols.get("channel", "")),
                n,
                preset.channel_values,
                CHANNELS,
                preset.default_channel,
                "channel",
                ctx,
            ),
            "language": _categories(
                chunk.get(cols.get("language", "")),
                n,
                preset.language_values,
                None,
                preset.default_language,
                "language",
                ctx,
                _language_code,
            ),
            "priority": _categories(
                chunk.get(cols.get("priority", "")),
                n,
                preset.priority_values,
                tuple(PRIORITY_RANK),
                "normal",
                "priority",
                ctx,
            ),
            "region": _regions(chunk.get(cols.get("region", "")), n, ctx),
            "agent": agent,
            "reopened": (reopens > 0)
            if reopens is not None
            else pd.Series([pd.NA] * n, dtype="boolean"),
        }
    )
    out = out[keep]
    for name in _LABELS:
        out[name] = out[name].astype("category")
    return out


def _event_chunk(chunk: pd.DataFrame, cols: Mapping[str, str], ctx: _Context) -> pd.DataFrame:
    """Per-case partial aggregates of one chunk of an event log (combined later)."""
    preset = ctx.preset
    row0 = ctx.rows_read
    chunk = chunk.reset_index(drop=True)
    when = _timestamps(chunk[cols["timestamp"]], cols["timestamp"], row0, ctx, required=True)
    case = _text(chunk[cols["case"]])
    empty = (case == "").to_numpy()
    if empty.any():
        i = int(np.flatnonzero(empty)[0])
        raise TicketImportError(f"{ctx.where(row0 + i + 1, cols['case'])}: empty ticket id")
    activity = _text(chunk[cols["activity"]])
    touch = activity.isin(sorted(preset.first_response_activities))
    solve = activity.isin(sorted(preset.solved_activities))
    frame = pd.DataFrame(
        {
            "case": case,
            "when": when,
            "touch": when.where(touch),
            "solve": when.where(solve),
            "agent": _text(chunk[cols["agent"]]) if "agent" in cols else "",
            "priority": _text(chunk[cols["priority"]]) if "priority" in cols else "",
        }
    )
    first = frame.sort_values("when", kind="stable").groupby("case", sort=False)
    touches = frame[touch.to_numpy()].sort_values("when", kind="stable").groupby("case")
    parts = pd.DataFrame(
        {
            "created": first["when"].min(),
            "priority": first["priority"].first(),
            "touch": first["touch"].min(),
            "solve": first["solve"].min(),
            "n_solve": first["solve"].count(),
            "last_work": frame.assign(work=frame["touch"].fillna(frame["solve"]))
            .groupby("case")["work"]
            .max(),
            "agent": touches["agent"].first(),
        }
    )
    return parts.reset_index()


def _combine_events(parts: pd.DataFrame, ctx: _Context) -> pd.DataFrame:
    """Per-case aggregates of all chunks -> one normalised row per ticket."""
    preset = ctx.preset
    parts = parts.sort_values("created", kind="stable")
    g = parts.groupby("case", sort=False)
    created = g["created"].min()
    touch_rows = parts.dropna(subset=["touch"]).sort_values("touch", kind="stable")
    agent = touch_rows.groupby("case")["agent"].first()
    tickets = pd.DataFrame(
        {
            "created": created,
            "priority_raw": g["priority"].first(),
            "first_response": g["touch"].min(),
            "solved": g["solve"].min(),
            "n_solve": g["n_solve"].sum(),
            "last_work": g["last_work"].max(),
        }
    )
    tickets["agent"] = agent.reindex(tickets.index).fillna("").astype(_TEXT)
    tickets = tickets.sort_values("created", kind="stable")
    n = len(tickets)
    reopened = (tickets["n_solve"] > 1) | (
        tickets["solved"].notna() & (tickets["last_work"] > tickets["solved"])
    )
    return pd.DataFrame(
        {
            "created": tickets["created"],
            "queued": tickets["created"],
            "first_response": tickets["first_response"],
            "solved": tickets["solved"],
            "abandoned": np.zeros(n, dtype=bool),
            "wait_minutes": (tickets["first_response"] - tickets["created"]).dt.total_seconds()
            / 60.0,
            "handle_minutes": np.full(n, np.nan),
            "channel": preset.default_channel,
            "language": preset.default_language,
            "priority": _categories(
                tickets["priority_raw"],
                n,
                preset.priority_values,
                tuple(PRIORITY_RANK),
                "normal",
                "priority",
                ctx,
            ).to_numpy(),
            "region": preset.timezone,
            "agent": tickets["agent"],
            "reopened": reopened.astype("boolean"),
        }
    ).reset_index(drop=True)


_LABELS = ("channel", "language", "priority", "region", "agent")


def _concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Concatenate normalised chunks, sorted by arrival, one column at a time (each
    chunk's column is dropped once copied); label columns stay categorical."""
    created = pd.concat([p["created"] for p in parts], ignore_index=True)
    order = np.argsort(created.to_numpy(), kind="stable")
    columns: dict[str, Any] = {"created": created.iloc[order].reset_index(drop=True)}
    del created
    for name in [c for c in parts[0].columns if c != "created"]:
        pieces = [p.pop(name) for p in parts]
        if name in _LABELS:
            joined = pd.Series(union_categoricals(pieces, ignore_order=True))
        else:
            joined = pd.concat(pieces, ignore_index=True)
        del pieces
        columns[name] = joined.iloc[order].reset_index(drop=True)
    return pd.DataFrame(columns)


def read_tickets(
    path: str | Path,
    preset: str | Preset = "generic",
    mapping: Mapping[str, str] | None = None,
    chunksize: int = 100_000,
) -> pd.DataFrame:
    """Read a ticket export into one normalised row per ticket.

    Parameters
    ----------
    path
        CSV/TSV text (leading lines starting with ``#`` are skipped) or Parquet
        (``.parquet``).
    preset
        A name from :data:`PRESETS` or a :class:`Preset`.
    mapping
        ``{field: column}`` overrides (see :data:`FIELDS`) and reading options
        (:data:`OPTIONS`), as parsed by :func:`parse_mapping`.
    chunksize
        Rows read at a time; only the mapped columns are read, as text.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`TICKET_COLUMNS`: ``created``, ``queued`` (joined the agent queue),
        ``first_response``, ``solved`` (UTC timestamps, NaT when unknown), ``abandoned``
        (bool), ``wait_minutes`` (queue wait until answer or abandonment, min),
        ``handle_minutes`` (min, NaN when unknown), ``channel``, ``language``,
        ``priority``, ``region`` (IANA zone), ``agent`` ('' when unknown) as categories,
        ``reopened`` (nullable bool). Sorted by ``created``. ``attrs["import"]`` holds the
        provenance: source, preset, rows read, rows dropped by reason, notes.

    Raises
    ------
    TicketImportError
        Missing file or columns, an empty file, an unparsable value (naming row and
        column), mixed time-zone formats, or no tickets left.
    """
    file = Path(path)
    p = resolve_preset(preset, mapping)
    ctx = _Context(source=f"ticket file '{file}'", preset=p)
    if not file.is_file():
        raise TicketImportError(f"{ctx.source}: file not found (expected a CSV or Parquet file)")
    if chunksize < 1:
        raise TicketImportError(f"chunksize {chunksize}: expected 1 or more rows")
    if file.suffix.lower() not in {".parquet", ".pq"}:
        ctx.comment_lines = _leading_comment_lines(file)
    available = _source_columns(file, ctx)
    cols = _columns_to_read(available, ctx)
    wanted = sorted(set(cols.values()))
    parts: list[pd.DataFrame] = []
    for chunk in _chunks(file, wanted, ctx, chunksize):
        if p.kind == "event_log":
            parts.append(_event_chunk(chunk, cols, ctx))
        else:
            parts.append(_ticket_chunk(chunk, cols, ctx))
        ctx.rows_read += len(chunk)
    if ctx.rows_read == 0:
        raise TicketImportError(
            f"{ctx.source}: no data rows after the header (expected one row per "
            f"{'event' if p.kind == 'event_log' else 'ticket'})"
        )
    if p.kind == "event_log":
        tickets = _combine_events(pd.concat(parts, ignore_index=True), ctx)
        tickets = tickets.sort_values("created", kind="stable").reset_index(drop=True)
    else:
        tickets = _concat(parts)
    if tickets.empty:
        reasons = "; ".join(f"{k}: {v}" for k, v in ctx.dropped.items())
        raise TicketImportError(f"{ctx.source}: every row was dropped ({reasons})")
    for name in _LABELS:
        labels = tickets[name].astype("category")
        # Sorted categories: the same table whatever the chunk size or file order.
        tickets[name] = labels.cat.reorder_categories(sorted(labels.cat.categories))
    for what, counter in ctx.unknown.items():
        top = ", ".join(f"{v!r} ({c})" for v, c in counter.most_common(5))
        default = {
            "channel": p.default_channel,
            "language": p.default_language,
            "priority": "normal",
            "region": p.timezone,
        }[what]
        ctx.notes.append(
            f"{sum(counter.values())} rows with an unrecognised {what} read as {default!r}: {top}"
        )
    tickets.attrs["import"] = {
        "source": str(file),
        "preset": p.name,
        "rows_read": ctx.rows_read,
        "dropped": dict(ctx.dropped),
        "notes": list(ctx.notes),
        "timezone": p.timezone,
        "service_levels": [dict(s) for s in p.service_levels],
    }
    return tickets


# --------------------------------------------------------------------------- fitting


@dataclass(frozen=True)
class StreamFit:
    """Volume of one stream (language x channel x region)."""

    name: str
    language: str
    channel: str
    region: str
    tickets: int
    tickets_per_week: float
    peak: str


@dataclass(frozen=True)
class HandleFit:
    """Lognormal fits of one channel's handle times (minutes).

    ``mean`` and ``cv`` are the sample's: the lognormal written to the scenario has them,
    so the simulated workload equals the observed one. ``mle_*`` is the maximum likelihood
    lognormal (``scipy.stats.lognorm.fit`` with location 0). Each has its Kolmogorov-Smirnov
    distance to the data; the p-values use parameters estimated from the same data, so
    they are optimistic (and with thousands of calls any visible misfit is significant).
    """

    channel: str
    n: int
    excluded: int
    mean: float
    cv: float
    ks_statistic: float
    ks_pvalue: float
    mle_mean: float
    mle_cv: float
    mle_mu: float
    mle_sigma: float
    mle_ks_statistic: float
    mle_ks_pvalue: float


@dataclass(frozen=True)
class PatienceFit:
    """Patience of one channel from censored waits (minutes).

    Abandoned waits are observed patience; served waits are right-censored patience (the
    customer would have waited at least that long). ``mean`` is the exponential maximum
    likelihood estimate, total waiting time / number abandoned; ``km_median`` the
    Kaplan-Meier median, None when the survival curve stays above one half.
    """

    channel: str
    abandoned: int
    censored: int
    left_before_queue: int
    mean: float | None
    km_median: float | None
    km_last_time: float
    km_last_survival: float


@dataclass
class FitReport:
    """What was read, what was fitted, and how well (printed and written as comments)."""

    name: str
    source: str
    preset: str
    rows_read: int
    dropped: dict[str, int]
    notes: list[str]
    tickets: int
    first_date: dt.date
    last_date: dt.date
    weeks: float
    streams: list[StreamFit]
    handle: dict[str, HandleFit]
    patience: dict[str, PatienceFit]
    first_response: dict[str, dict[str, float]]
    no_first_response: dict[str, int]
    reopen_rate: float | None
    deflection: float
    team: str

    def lines(self) -> list[str]:
        """Human-readable lines: provenance first, then fit quality."""
        dropped = sum(self.dropped.values())
        out = [
            f"imported from {self.source} (format {self.preset})",
            f"rows read {self.rows_read}, dropped {dropped}"
            + (
                " (" + "; ".join(f"{k}: {v}" for k, v in sorted(self.dropped.items())) + ")"
                if dropped
                else ""
            )
            + f", tickets {self.tickets}",
            f"dates {self.first_date} to {self.last_date} (local), {self.weeks:.2f} weeks",
        ]
        out += [f"note: {n}" for n in self.notes]
        for s in self.streams:
            out.append(
                f"stream {s.name}: {s.tickets} tickets, {s.tickets_per_week:.2f} a week; "
                f"peak {s.peak}"
            )
        for h in self.handle.values():
            out.append(
                f"handle {h.channel}: lognormal with the sample mean {h.mean:.3f} min and cv "
                f"{h.cv:.3f} (n {h.n}, {h.excluded} zero or missing left out): KS D "
                f"{h.ks_statistic:.4f} p {h.ks_pvalue:.2g}; maximum likelihood lognormal mean "
                f"{h.mle_mean:.3f} cv {h.mle_cv:.3f}: KS D {h.mle_ks_statistic:.4f} "
                f"p {h.mle_ks_pvalue:.2g}"
            )
        for pf in self.patience.values():
            km = (
                f"{pf.km_median:.2f} min"
                if pf.km_median is not None
                else f"not reached (S={pf.km_last_survival:.2f} at {pf.km_last_time:.1f} min)"
            )
            mean = f"{pf.mean:.2f} min" if pf.mean is not None else "none (no abandonment)"
            out.append(
                f"patience {pf.channel}: exponential MLE mean {mean} from {pf.abandoned} "
                f"abandoned and {pf.censored} censored (served) waits; Kaplan-Meier median {km}"
                + (
                    f"; {pf.left_before_queue} left before the agent queue (deflection)"
                    if pf.left_before_queue
                    else ""
                )
            )
        for channel, q in self.first_response.items():
            text = ", ".join(f"{k} {_duration(v)}" for k, v in q.items())
            out.append(
                f"first response {channel}: {text} "
                f"({self.no_first_response.get(channel, 0)} tickets without one)"
            )
        if self.reopen_rate is not None:
            out.append(f"reopen rate {self.reopen_rate:.4f}")
        out.append(f"team: {self.team}")
        return out


def _duration(minutes: float) -> str:
    if minutes < 1:
        return f"{minutes * 60:.0f}s"
    if minutes < 120:
        return f"{minutes:.1f}min"
    return f"{minutes / 60:.1f}h"


def _as_category(values: pd.Series) -> pd.Series:
    return values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")


def _values(values: pd.Series) -> list[str]:
    """Sorted distinct values that occur."""
    counts = _as_category(values).value_counts()
    return sorted(str(v) for v in counts.index[counts.to_numpy() > 0])


def _local(times: pd.Series, zone: str) -> pd.Series:
    return times.dt.tz_convert(zone)


def hour_of_week_counts(
    created: pd.Series, zone: str, first: dt.date | None = None, last: dt.date | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Tickets per local (weekday, hour) and how often each weekday occurs in the span.

    Parameters
    ----------
    created
        UTC arrival times.
    zone
        IANA zone in which weekday and hour are read.
    first, last
        Local dates spanned (default: those of the first and last ticket), inclusive.

    Returns
    -------
    counts : numpy.ndarray
        7 x 24 ticket counts, Monday first.
    days : numpy.ndarray
        Occurrences of each weekday between ``first`` and ``last``; the average tickets
        per hour is ``counts / days[:, None]``.
    """
    local = _local(created, zone)
    counts = np.zeros((7, 24))
    np.add.at(counts, (local.dt.day_of_week.to_numpy(), local.dt.hour.to_numpy()), 1)
    first = first or local.min().date()
    last = last or local.max().date()
    dates = pd.date_range(first, last, freq="D")
    days = np.bincount(dates.day_of_week, minlength=7).astype(float)
    return counts, days


def kaplan_meier(times: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival curve of right-censored data.

    Parameters
    ----------
    times
        Observed times (event or censoring).
    events
        True where the time is an event (here: the customer abandoned).

    Returns
    -------
    event_times, survival : numpy.ndarray
        Distinct event times and S(t) just after each.
    """
    times = np.asarray(times, dtype=float)
    events = np.asarray(events, dtype=bool)
    order = np.argsort(times, kind="stable")
    t, e = times[order], events[order]
    unique, first_index = np.unique(t, return_index=True)
    at_risk = len(t) - first_index
    deaths = np.add.reduceat(e.astype(float), first_index) if len(t) else np.zeros(0)
    has = deaths > 0
    survival = np.cumprod(1.0 - deaths[has] / at_risk[has])
    return unique[has], survival


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _round(value: float, digits: int = 6) -> float | int:
    """Round to significant digits; whole numbers come back as int (written without '.0')."""
    rounded = float(f"{value:.{digits}g}") if value else 0.0
    return int(rounded) if rounded.is_integer() else rounded


def _stream_name(language: str, channel: str, region: str, regions: int) -> str:
    base = f"{language}-{channel}"
    return base if regions == 1 else f"{base}-{_slug(region.split('/')[-1])}"


def _priority_mix(priorities: pd.Series) -> dict[str, float]:
    """Shares of each priority seen (every priority seen keeps a share, however small)."""
    shares = _as_category(priorities).value_counts(normalize=True)
    ordered = sorted(shares.index, key=lambda p: PRIORITY_RANK[p])
    mix = {p: max(round(float(shares[p]), 6), 1e-6) for p in ordered if shares[p] > 0}
    largest = max(mix, key=lambda p: mix[p])
    mix[largest] = round(mix[largest] + 1.0 - sum(mix.values()), 6)
    return mix


def _fit_handle(channel: str, minutes: np.ndarray) -> HandleFit | None:
    finite = minutes[np.isfinite(minutes)]
    positive = finite[finite > 0]
    if len(positive) < 2:
        return None
    mean = float(positive.mean())
    cv = float(positive.std() / mean)
    sigma_mm = float(np.sqrt(np.log1p(cv**2)))
    scale_mm = mean / float(np.exp(sigma_mm**2 / 2))
    ks_mm = stats.kstest(positive, "lognorm", args=(sigma_mm, 0, scale_mm))
    sigma, _loc, scale = stats.lognorm.fit(positive, floc=0)
    ks = stats.kstest(positive, "lognorm", args=(sigma, 0, scale))
    return HandleFit(
        channel=channel,
        n=len(positive),
        excluded=len(minutes) - len(positive),
        mean=mean,
        cv=cv,
        ks_statistic=float(ks_mm.statistic),
        ks_pvalue=float(ks_mm.pvalue),
        mle_mean=float(scale * np.exp(sigma**2 / 2)),
        mle_cv=float(np.sqrt(np.expm1(sigma**2))),
        mle_mu=float(np.log(scale)),
        mle_sigma=float(sigma),
        mle_ks_statistic=float(ks.statistic),
        mle_ks_pvalue=float(ks.pvalue),
    )


def _fit_patience(channel: str, frame: pd.DataFrame) -> PatienceFit | None:
    wait = frame["wait_minutes"].to_numpy(float)
    abandoned = frame["abandoned"].to_numpy(bool)
    known = np.isfinite(wait)
    before_queue = abandoned & known & (wait <= 0)
    use = known & ~before_queue
    if not abandoned.any():
        return None
    times, events = wait[use], abandoned[use]
    n_events = int(events.sum())
    mean = float(times.sum() / n_events) if n_events else None
    km_t, km_s = kaplan_meier(times, events)
    below = np.flatnonzero(km_s <= 0.5)
    median = float(km_t[below[0]]) if below.size else None
    return PatienceFit(
        channel=channel,
        abandoned=n_events,
        censored=int((~events).sum()),
        left_before_queue=int(before_queue.sum()),
        mean=mean,
        km_median=median,
        km_last_time=float(times.max()) if len(times) else 0.0,
        km_last_survival=float(km_s[-1]) if len(km_s) else 1.0,
    )


def _observed_agents(tickets: pd.DataFrame, zone: str, days: np.ndarray) -> np.ndarray | None:
    """Mean distinct agents serving in each local hour of the week (7 x 24), or None."""
    served = tickets[
        (_as_category(tickets["agent"]) != "")
        & tickets["first_response"].notna()
        & tickets["handle_minutes"].notna()
    ]
    if served.empty:
        return None
    start = _local(served["first_response"], zone).dt.tz_localize(None)
    end = start + pd.to_timedelta(served["handle_minutes"].to_numpy(), unit="min")
    hour0 = start.dt.floor("h")
    spans = ((end.dt.floor("h") - hour0) / pd.Timedelta(hours=1)).astype(int).clip(0, 24) + 1
    idx = np.repeat(np.arange(len(served)), spans.to_numpy())
    offset = np.arange(len(idx)) - np.repeat(
        np.cumsum(spans.to_numpy()) - spans.to_numpy(), spans.to_numpy()
    )
    hours = hour0.to_numpy()[idx] + offset.astype("timedelta64[h]")
    agent_codes = _as_category(served["agent"]).cat.codes.to_numpy()
    active = pd.DataFrame({"hour": hours, "agent": agent_codes[idx]})
    per_hour = active.drop_duplicates().groupby("hour").size()
    when = pd.DatetimeIndex(per_hour.index)
    total = np.zeros((7, 24))
    np.add.at(total, (when.day_of_week, when.hour), per_hour.to_numpy())
    return total / np.maximum(days, 1)[:, None]


def _cover_shifts(required: np.ndarray, hours: int = 8) -> list[dict[str, Any]]:
    """Greedy cover of an hour-of-week requirement (7 x 24) with fixed-length shifts.

    Scanning the week from its quietest hour, shifts start wherever the hour is not yet
    covered; starts at the same time of day with the same count on several days become
    one shift worked on those days (agents stacked in layers, so a day with more need adds
    agents on top of the common ones).
    """
    need = required.reshape(-1).astype(int)
    cover = np.zeros(168, dtype=int)
    starts = np.zeros(168, dtype=int)
    t0 = int(np.argmin(need))
    for k in range(168):
        t = (t0 + k) % 168
        short = need[t] - cover[t]
        if short > 0:
            starts[t] += short
            cover[(t + np.arange(hours)) % 168] += short
    out: list[dict[str, Any]] = []
    per_start = starts.reshape(7, 24)
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    for hour in range(24):
        counts = per_start[:, hour]
        layers: Counter[tuple[int, ...]] = Counter()
        for level in range(1, int(counts.max()) + 1 if counts.max() > 0 else 1):
            days = tuple(int(d) for d in np.flatnonzero(counts >= level))
            if days:
                layers[days] += 1
        for days, agents in layers.items():
            out.append(
                {
                    "days": ",".join(names[d] for d in days),
                    "start": f"{hour:02d}:00",
                    "hours": hours,
                    "agents": agents,
                }
            )
    return out


def fit_scenario(
    tickets: pd.DataFrame,
    name: str,
    *,
    horizon: Literal["next_week", "observed"] = "next_week",
    weeks: float = 1.0,
    interval_minutes: int = 30,
    max_occupancy: float = 0.85,
    min_rate: float = 0.05,
    service_levels: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Any], FitReport]:
    """Fit scenario data to normalised tickets (from :func:`read_tickets`).

    Parameters
    ----------
    tickets
        Normalised tickets; ``attrs["import"]`` (if present) supplies provenance.
    name
        Scenario name.
    horizon
        ``"next_week"``: ``weeks`` weeks from the Monday after the last ticket (a period to
        plan); ``"observed"``: the local dates of the data, whole days (for back-tests).
    weeks
        Horizon length for ``"next_week"``.
    interval_minutes
        The scenario's reporting interval.
    max_occupancy
        Occupancy assumed when the team is sized from workload (no agents in the log).
    min_rate
        Hours of the week with fewer expected tickets an hour than this get no agents.
    service_levels
        Service levels to write; default: the preset's.

    Returns
    -------
    data : dict
        Scenario data that :func:`scenarios.scenario_from_data` accepts. Each stream
        (language x channel x region) has ``tickets_per_week`` and an explicit 7 x 24
        ``profile`` in the region's local time whose weights are the average tickets per
        hour observed (tickets in that weekday-hour / occurrences of the weekday in the
        date span), and its ``priority_mix``. Channels carry a lognormal ``handle_minutes``
        with the sample mean and cv (so the simulated workload is the observed one; the
        maximum likelihood fit is in the report) and, where calls abandon, an exponential
        ``patience_minutes`` fitted to censored waits. Callers who hung up before reaching
        the agent queue become the stream's ``deflection``. One placeholder team
        (``observed``) is sized from the agents seen in the log, or from the workload.
    report : FitReport
        Provenance and fit quality.
    """
    if tickets.empty:
        raise TicketImportError("no tickets to fit (expected at least one)")
    meta = dict(tickets.attrs.get("import", {}))
    regions = _values(tickets["region"])
    main_region = str(_as_category(tickets["region"]).value_counts().index[0])
    local_main = _local(tickets["created"], main_region)
    first_date = local_main.min().date()
    last_date = local_main.max().date()
    span_days = (last_date - first_date).days + 1

    streams: list[dict[str, Any]] = []
    stream_fits: list[StreamFit] = []
    rates_by_channel: dict[str, np.ndarray] = {}
    keys = ["language", "channel", "region"]
    groups = tickets.groupby([_as_category(tickets[k]) for k in keys], sort=True, observed=True)
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for (language, channel, region), frame in groups:
        if region not in spans:  # the whole log's dates, on this region's clock
            local = _local(tickets["created"], region)
            spans[region] = (local.min().date(), local.max().date())
        lo, hi = spans[region]
        counts, days = hour_of_week_counts(frame["created"], region, lo, hi)
        rates = counts / np.maximum(days, 1)[:, None]
        per_week = float(rates.sum())
        stream_name = _stream_name(language, channel, region, len(regions))
        d, h = np.unravel_index(int(np.argmax(rates)), rates.shape)
        weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[int(d)]
        stream_fits.append(
            StreamFit(
                name=stream_name,
                language=language,
                channel=channel,
                region=region,
                tickets=len(frame),
                tickets_per_week=per_week,
                peak=f"{weekday} {int(h):02d}:00 local, {rates[d, h]:.2f} an hour",
            )
        )
        streams.append(
            {
                "name": stream_name,
                "language": language,
                "channel": channel,
                "region": region,
                "tickets_per_week": _round(per_week, 8),
                "profile": [[_round(float(x)) for x in row] for row in rates],
                "priority_mix": _priority_mix(frame["priority"]),
            }
        )
        # Callers who hung up before reaching the agent queue (in the IVR): no agent could
        # have answered them, so they are the stream's deflection, not abandonment.
        before_queue = frame["abandoned"].to_numpy(bool) & (frame["wait_minutes"].to_numpy() <= 0)
        if channel in SYNCHRONOUS_CHANNELS and before_queue.any():
            streams[-1]["deflection"] = round(float(before_queue.mean()), 6)
        here = rates if region == main_region else _shift_zone(rates, region, main_region, lo)
        rates_by_channel[channel] = rates_by_channel.get(channel, np.zeros((7, 24))) + here

    channels_present = sorted(_values(tickets["channel"]), key=CHANNELS.index)
    channel_data: dict[str, Any] = {}
    handle_fits: dict[str, HandleFit] = {}
    patience_fits: dict[str, PatienceFit] = {}
    notes = list(meta.get("notes", []))
    deflected = 0
    for channel in channels_present:
        frame = tickets[(_as_category(tickets["channel"]) == channel).to_numpy()]
        spec: dict[str, Any] = {}
        fit = _fit_handle(channel, frame.loc[~frame["abandoned"], "handle_minutes"].to_numpy(float))
        if fit is not None:
            handle_fits[channel] = fit
            spec["handle_minutes"] = {
                "mean": _round(fit.mean, 5),
                "cv": _round(fit.cv, 5),
                "distribution": "lognormal",
            }
        else:
            default = {"phone": 6.0, "chat": 12.0, "email": 8.0}[channel]
            spec["handle_minutes"] = {"mean": default, "cv": 1.0, "distribution": "lognormal"}
            notes.append(f"no handle times for {channel}: assumed mean {default:g} min, cv 1")
        if channel in SYNCHRONOUS_CHANNELS:
            pf = _fit_patience(channel, frame)
            if pf is not None:
                patience_fits[channel] = pf
                deflected += pf.left_before_queue
                if pf.mean is not None:
                    spec["patience_minutes"] = {
                        "mean": _round(pf.mean, 5),
                        "distribution": "exponential",
                    }
        channel_data[channel] = spec

    quantiles: dict[str, dict[str, float]] = {}
    missing_first: dict[str, int] = {}
    for channel in channels_present:
        frame = tickets[(_as_category(tickets["channel"]) == channel).to_numpy()]
        waits = ((frame["first_response"] - frame["created"]).dt.total_seconds() / 60.0).dropna()
        missing_first[channel] = int(len(frame) - len(waits))
        if len(waits):
            quantiles[channel] = {
                f"p{int(q * 100)}": float(np.quantile(waits, q))
                for q in (0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
            }
            quantiles[channel]["mean"] = float(waits.mean())

    reopened = tickets["reopened"]
    reopen_rate = float(reopened.dropna().astype(bool).mean()) if reopened.notna().any() else None

    days_per_weekday = hour_of_week_counts(tickets["created"], main_region)[1]
    observed = _observed_agents(tickets, main_region, days_per_weekday)
    if observed is not None:
        required = np.ceil(observed - 1e-9)
        team_note = (
            "placeholder inferred from the log: agents per hour = mean distinct agents "
            "serving in that local hour of the week (rounded up), covered greedily by 8-hour "
            "shifts; replace with the real teams or run optimize"
        )
    else:
        load = np.zeros((7, 24))
        for channel, rates in rates_by_channel.items():
            mean = channel_data[channel]["handle_minutes"]["mean"]
            concurrency = 2 if channel == "chat" else 1
            load += rates * mean / 60.0 / concurrency
        total_rate = sum(rates_by_channel.values(), np.zeros((7, 24)))
        required = np.where(total_rate >= min_rate, np.maximum(1, np.ceil(load / max_occupancy)), 0)
        team_note = (
            "placeholder inferred from the workload (no agents in the log): agents per hour "
            f"= offered load / {max_occupancy:g} occupancy, rounded up, at least one where "
            f"{min_rate:g}+ tickets an hour arrive, covered greedily by 8-hour shifts; "
            "replace with the real teams or run optimize"
        )
    shifts = _cover_shifts(required)
    if not shifts:
        shifts = [{"days": "Mon-Fri", "start": "09:00", "hours": 8, "agents": 1}]
    team_agents = sum(s["agents"] for s in shifts)
    languages = _values(tickets["language"])

    if horizon == "observed":
        if span_days > 104 * 7:
            raise TicketImportError(
                f"the tickets span {span_days} days ({first_date} to {last_date}); a scenario "
                "horizon holds at most 104 weeks (expected a shorter slice of the log)"
            )
        start = first_date
        horizon_weeks = span_days / 7.0
        horizon_zone = main_region
    else:
        start = last_date + dt.timedelta(days=7 - last_date.weekday())
        horizon_weeks = weeks
        horizon_zone = main_region
    levels = list(service_levels if service_levels is not None else meta.get("service_levels", []))
    if not levels:
        levels = [dict(s) for s in PRESETS["generic"].service_levels]
    levels = [dict(s) for s in levels if s["channel"] in channels_present]
    n_total = len(tickets)
    deflection = deflected / n_total
    data: dict[str, Any] = {
        "name": name,
        "description": f"Imported from {Path(str(meta.get('source', 'tickets'))).name}: "
        f"{n_total} tickets, {first_date} to {last_date}.",
        "horizon": {
            "start": start.isoformat(),
            "weeks": round(horizon_weeks, 6),
            "interval_minutes": interval_minutes,
            "timezone": horizon_zone,
        },
        "demand": {"streams": streams},
        "channels": channel_data,
        "reopen_rate": round(reopen_rate, 6) if reopen_rate is not None else 0.0,
        "service_levels": levels,
        "teams": [
            {
                "name": "observed",
                "timezone": main_region,
                "agents": int(team_agents),
                "languages": languages,
                "channels": channels_present,
                "hourly_cost": 0.0,
                "shifts": shifts,
            }
        ],
        "shrinkage": 0.0,
    }
    if reopen_rate is not None and reopen_rate >= 1:
        data["reopen_rate"] = 0.99
    report = FitReport(
        name=name,
        source=str(meta.get("source", "(data frame)")),
        preset=str(meta.get("preset", "?")),
        rows_read=int(meta.get("rows_read", n_total)),
        dropped={str(k): int(v) for k, v in dict(meta.get("dropped", {})).items()},
        notes=notes,
        tickets=n_total,
        first_date=first_date,
        last_date=last_date,
        weeks=span_days / 7.0,
        streams=stream_fits,
        handle=handle_fits,
        patience=patience_fits,
        first_response=quantiles,
        no_first_response=missing_first,
        reopen_rate=reopen_rate,
        deflection=deflection,
        team=f"'observed', {team_agents} agents in {len(shifts)} shifts, {team_note}",
    )
    return data, report


def _shift_zone(rates: np.ndarray, src: str, dst: str, on: dt.date) -> np.ndarray:
    """Re-index an hour-of-week table from one zone's local clock to another's."""
    monday = on - dt.timedelta(days=on.weekday())
    hours = pd.date_range(
        dt.datetime.combine(monday, dt.time(0)), periods=168, freq="h", tz=ZoneInfo(src)
    )
    there = hours.tz_convert(dst)
    out = np.zeros((7, 24))
    np.add.at(out, (there.day_of_week, there.hour), rates.reshape(-1))
    return out


# --------------------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    """Safe YAML with short lists of scalars written on one line."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(x, dict | list) for x in data) and len(data) <= 30
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = all(not isinstance(x, dict | list) for x in data.values()) and len(data) <= 6
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)

_SECTION_COMMENTS = {
    "demand:": "demand: fitted per stream (language x channel x customer region); profile "
    "weights are the average tickets per hour in each local hour of the week, Monday first",
    "channels:": "channels: lognormal handle times with the sample mean and cv; patience by "
    "exponential maximum likelihood on censored waits (fit quality in the header)",
    "service_levels:": "service levels: not in the data; assumed, edit to your targets",
    "teams:": "teams: INFERRED PLACEHOLDER, not your roster; see 'team:' above",
}


def write_scenario_yaml(
    path: str | Path, data: Mapping[str, Any], report: FitReport | None = None
) -> Path:
    """Write scenario data as YAML with provenance and fit-quality comments, atomically.

    The text goes to a temporary file in the target's folder, which then replaces the
    target (``os.replace``): a crash never leaves a half-written scenario.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    target = Path(path)
    body = yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    lines: list[str] = []
    for line in body.splitlines():
        comment = _SECTION_COMMENTS.get(line.split(" ", 1)[0])
        if comment:
            lines += textwrap.wrap(comment, 100, initial_indent="# ", subsequent_indent="#   ")
        lines.append(line)
    header = [
        wrapped
        for line in (report.lines() if report else [])
        for wrapped in textwrap.wrap(
            line, width=100, initial_indent="# ", subsequent_indent="#     ", break_on_hyphens=False
        )
    ]
    text = "\n".join([*header, *lines]) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
