"""Ticket import: reading an export into one normalised row per ticket.

Role: :func:`read_tickets` -- the file's header or Parquet schema, the needed columns
read in chunks as Arrow-backed text, one-row-per-ticket chunks normalised, event logs
pivoted to one row per ticket, and the chunks concatenated in arrival order.

Pure pandas and numpy on top of ``scenarios.schema``. Must not import ``simpy``, ``sim``
(the engine, demand or queueing modules), ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pandas.api.types import union_categoricals

from scenarios.schema import CHANNELS, PRIORITY_RANK
from scenarios.ticket_import.fields import NUMERIC_FIELDS, TicketImportError
from scenarios.ticket_import.parsing import (
    _TEXT,
    _categories,
    _Context,
    _language_code,
    _numeric_field,
    _outside_calendar,
    _regions,
    _text,
    _timestamps,
)
from scenarios.ticket_import.presets import Preset, resolve_preset


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
    # A date outside the calendar scenarios use is a typing or export mistake: the row goes.
    for name, values in (
        ("created", created),
        ("first_response", first_response),
        ("solved", solved),
    ):
        keep &= ~_outside_calendar(values, name, cols.get(name, name), ctx, keep)
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
    outside = _outside_calendar(when, "event time", cols["timestamp"], ctx)
    if outside.any():  # the event goes; its ticket keeps its other events
        chunk, when = chunk[~outside].reset_index(drop=True), when[~outside].reset_index(drop=True)
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
MAX_HISTORY_YEARS = 20
"""Longest span of ticket dates an import accepts: volume spread over a longer span is
almost always a few mistyped years, and would fit a nearly empty week."""


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
    if file.is_dir():
        raise TicketImportError(f"{ctx.source}: is a folder (expected a CSV or Parquet file)")
    if not file.is_file():
        raise TicketImportError(f"{ctx.source}: file not found (expected a CSV or Parquet file)")
    if chunksize < 1:
        raise TicketImportError(f"chunksize {chunksize}: expected 1 or more rows")
    parts: list[pd.DataFrame] = []
    try:
        if file.suffix.lower() not in {".parquet", ".pq"}:
            ctx.comment_lines = _leading_comment_lines(file)
        available = _source_columns(file, ctx)
        cols = _columns_to_read(available, ctx)
        wanted = sorted(set(cols.values()))
        for chunk in _chunks(file, wanted, ctx, chunksize):
            if p.kind == "event_log":
                parts.append(_event_chunk(chunk, cols, ctx))
            else:
                parts.append(_ticket_chunk(chunk, cols, ctx))
            ctx.rows_read += len(chunk)
    except OSError as exc:
        raise TicketImportError(
            f"{ctx.source}: cannot be read ({exc.strerror or exc}; expected a file this user "
            "can read)"
        ) from None
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
    first, last = tickets["created"].iloc[0], tickets["created"].iloc[-1]
    if last - first > pd.Timedelta(days=365.25 * MAX_HISTORY_YEARS):
        raise TicketImportError(
            f"{ctx.source}: the tickets run from {first:%Y-%m-%d} to {last:%Y-%m-%d}, "
            f"{(last - first).days / 365.25:.0f} years (expected a history of at most "
            f"{MAX_HISTORY_YEARS} years; look for mistyped years in the earliest or latest "
            "rows, or a wrong --map timestamp_format)"
        )
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
