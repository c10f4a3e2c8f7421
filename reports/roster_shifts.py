"""The roster read in each team's local time, and the grid planners print.

Role: the one reading of ``roster.csv`` for publishing (:func:`local_shifts`: every shift
with its local start, end, date and breaks in its team's time zone) and the grid built from
it (:func:`roster_grid`: one row per person, one column per local date, cells
``07:00-15:30``, ``OFF`` or ``LEAVE``).  The workbook, the calendars, the timeline and the
agreement check of :mod:`reports.publish` all start from here.  Must not import simpy,
pyomo, ``sim``, ``optimizer`` or ``scenarios``.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd

__all__ = [
    "LEAVE",
    "OFF",
    "SHIFT_SEPARATOR",
    "PublishError",
    "as_date",
    "date_columns",
    "local_shifts",
    "people_table",
    "roster_grid",
]

OFF = "OFF"
"""Grid cell of a day not worked."""
LEAVE = "LEAVE"
"""Grid cell of a date of time off or unavailability (without a shift)."""
SHIFT_SEPARATOR = " / "
"""Between two shifts of one person on one local date in a grid cell."""
_OFFSET = re.compile(r"(Z|[+-]\d{2}(:?\d{2})?)$")
_CLOCKS = re.compile(r"^\d{1,2}:\d{2}-\d{1,2}:\d{2}$")
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


class PublishError(ValueError):
    """A roster or table of people that cannot be published (says where and what)."""


# --------------------------------------------------------------------------- the shifts


def _instant(value: object, where: str) -> pd.Timestamp:
    """One aware instant (UTC) from an ISO 8601 string with offset or an aware timestamp."""
    if isinstance(value, str):
        text = value.strip()
        if not _OFFSET.search(text):
            raise PublishError(
                f"{where}: {value!r} has no UTC offset (expected ISO 8601 local time with "
                "its offset, such as 2026-01-05T07:00:00+00:00)"
            )
        try:
            stamp = pd.Timestamp(text)
        except ValueError:
            raise PublishError(
                f"{where}: {value!r} is not a time (expected ISO 8601 such as "
                "2026-01-05T07:00:00+00:00)"
            ) from None
    elif isinstance(value, dt.datetime):
        stamp = pd.Timestamp(value)
    else:
        raise PublishError(f"{where}: found {value!r}, expected an ISO 8601 time with offset")
    if stamp.tzinfo is None:
        raise PublishError(f"{where}: {value!r} has no UTC offset (expected an aware time)")
    return stamp.tz_convert("UTC")


def _after(start: dt.datetime, clock: str, where: str) -> dt.datetime:
    """The first time at or after ``start`` that reads ``HH:MM`` on the wall of its zone."""
    try:
        time = dt.time.fromisoformat(clock.strip())
    except ValueError:
        raise PublishError(f"{where}: {clock.strip()!r} is not a time of day (HH:MM)") from None
    zone = start.tzinfo
    day = start.date()
    for _ in range(2):
        # Through UTC and back: a wall time inside a spring gap becomes the time after it.
        moment = dt.datetime.combine(day, time, zone).astimezone(dt.UTC).astimezone(zone)
        if moment >= start:
            return moment
        day += dt.timedelta(days=1)
    return moment


def _breaks(value: object, start: dt.datetime, where: str) -> list[tuple[dt.datetime, dt.datetime]]:
    """A shift's breaks as local times: ``start/end`` ISO 8601 pairs separated by ``;``
    (the contract), or ``HH:MM-HH:MM`` local wall-clock times read as the first such times
    from the shift's ``start`` on (as earlier rosters wrote them).  Empty or missing: none.
    """
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return []
    text = str(value).strip()
    if not text:
        return []
    zone = start.tzinfo
    out = []
    for part in (p.strip() for p in text.split(";")):
        pair = part.split("/")
        if len(pair) == 2:
            b0, b1 = (_instant(v, where).to_pydatetime().astimezone(zone) for v in pair)
        elif _CLOCKS.match(part):
            b0 = _after(start, part.split("-")[0], where)
            b1 = _after(b0, part.split("-")[1], where)
        else:
            raise PublishError(
                f"{where}: break {part!r} is not a start/end pair (expected "
                "2026-01-05T11:00:00+00:00/2026-01-05T11:30:00+00:00, pairs separated by ';')"
            )
        out.append((b0, b1))
    return out


def people_table(people: pd.DataFrame) -> pd.DataFrame:
    """``people`` checked: the columns present, names unique, time zones known."""
    missing = [c for c in ("person", "team", "timezone") if c not in people.columns]
    if missing:
        raise PublishError(
            f"people: columns {missing} are missing (expected person, team, timezone)"
        )
    table = people.reset_index(drop=True).copy()
    for column in ("person", "team", "timezone"):
        table[column] = table[column].astype(str)
    repeated = sorted({p for p, n in Counter(table["person"]).items() if n > 1})
    if repeated:
        raise PublishError(f"people: names {repeated} repeat (expected one row per person)")
    for zone in pd.unique(table["timezone"]):
        try:
            zoneinfo.ZoneInfo(zone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            raise PublishError(
                f"people: unknown time zone {zone!r} (expected an IANA name such as "
                "'Europe/Dublin')"
            ) from None
    return table


def local_shifts(roster: pd.DataFrame, people: pd.DataFrame) -> pd.DataFrame:
    """The roster's shifts in each team's local time: the one reading of ``roster.csv``.

    Parameters
    ----------
    roster : pandas.DataFrame
        ``agent``, ``team``, ``start``, ``end`` and optionally ``date`` and ``breaks``
        (see :mod:`reports.publish`; breaks may also be written ``HH:MM-HH:MM`` in local
        time, as earlier rosters did).
    people : pandas.DataFrame
        ``person``, ``team``, ``timezone``; every agent of the roster must be one of them,
        in the same team.

    Returns
    -------
    pandas.DataFrame
        One row per shift in roster order: ``row`` (position in ``roster``), ``person``,
        ``team``, ``timezone``, ``date`` (local date of the start, ``datetime.date``),
        ``roster_date`` (the roster's ``date`` as written, or None), ``start``/``end``
        (``datetime.datetime`` aware in the team's zone), ``breaks`` (list of local
        (start, end) pairs) and ``cell`` (``HH:MM-HH:MM``, local start and end).

    Raises
    ------
    PublishError
        A missing column, a time without UTC offset, an end not after its start, an agent
        who is not one of ``people`` or who is listed in another team.
    """
    table = people_table(people)
    missing = [c for c in ("agent", "team", "start", "end") if c not in roster.columns]
    if missing:
        raise PublishError(
            f"roster: columns {missing} are missing (expected agent, team, date, start, end, "
            "breaks)"
        )
    team_of = dict(zip(table["person"], table["team"], strict=True))
    zone_of = dict(zip(table["person"], table["timezone"], strict=True))
    zones: dict[str, zoneinfo.ZoneInfo] = {}
    rows: list[dict[str, Any]] = []
    has_date = "date" in roster.columns
    has_breaks = "breaks" in roster.columns
    for k, rec in enumerate(roster.to_dict("records")):
        person = str(rec["agent"])
        where = f"roster row {k + 1} (agent {person!r})"
        if person not in team_of:
            raise PublishError(f"{where}: not one of the people of the published teams")
        if str(rec["team"]) != team_of[person]:
            raise PublishError(
                f"{where}: team {str(rec['team'])!r}, expected {team_of[person]!r} "
                "(the person's team)"
            )
        zone = zones.setdefault(zone_of[person], zoneinfo.ZoneInfo(zone_of[person]))
        start = _instant(rec["start"], f"{where}: start")
        end = _instant(rec["end"], f"{where}: end")
        if end <= start:
            raise PublishError(f"{where}: end {rec['end']} is not after start {rec['start']}")
        local_start = start.to_pydatetime().astimezone(zone)
        local_end = end.to_pydatetime().astimezone(zone)
        breaks = _breaks(rec["breaks"], local_start, f"{where}: breaks") if has_breaks else []
        rows.append(
            {
                "row": k,
                "person": person,
                "team": team_of[person],
                "timezone": zone_of[person],
                "date": local_start.date(),
                "roster_date": str(rec["date"]) if has_date else None,
                "start": local_start,
                "end": local_end,
                "breaks": breaks,
                "cell": f"{local_start:%H:%M}-{local_end:%H:%M}",
            }
        )
    columns = ["row", "person", "team", "timezone", "date", "roster_date", "start", "end"]
    return pd.DataFrame(rows, columns=[*columns, "breaks", "cell"])


# --------------------------------------------------------------------------- the grid


def as_date(value: dt.date | str) -> dt.date:
    """A date from a ``datetime.date`` (or datetime) or an ISO ``YYYY-MM-DD`` string."""
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value))


def roster_grid(
    roster: pd.DataFrame,
    people: pd.DataFrame,
    dates: Iterable[dt.date | str],
    leave: Mapping[str, Iterable[dt.date | str]] | None = None,
) -> pd.DataFrame:
    """The roster as planners print it: one row per person, one column per local date.

    Parameters
    ----------
    roster : pandas.DataFrame
        ``roster.csv`` (see :func:`local_shifts`).
    people : pandas.DataFrame
        ``person``, ``team``, ``timezone`` and optionally ``contract``: everyone of the
        published teams, in the order the rows should take; people without shifts appear
        too.
    dates : iterable of datetime.date or ISO date strings
        Dates to show (e.g. the horizon's).  A shift starting on a local date outside them
        adds that date's column, so no shift is left out.
    leave : mapping of str to iterable of dates, optional
        Per person, the dates of time off or unavailability.

    Returns
    -------
    pandas.DataFrame
        Columns ``person``, ``team``, ``contract`` (only when some person has one), then one
        column per date (``YYYY-MM-DD``, in order).  A cell is ``HH:MM-HH:MM`` (the shift's
        local start and end in the team's time zone; an end after midnight reads
        ``22:00-06:00``; two shifts on one date are joined by ``" / "``), ``LEAVE`` (a date
        of time off or unavailability without a shift) or ``OFF`` (a day not worked).
    """
    table = people_table(people)
    shifts = local_shifts(roster, table)
    days = sorted({as_date(d) for d in dates} | set(shifts["date"]))
    cells: dict[tuple[str, dt.date], list[str]] = {}
    for person, day, cell in shifts.sort_values("start", kind="stable")[
        ["person", "date", "cell"]
    ].itertuples(index=False):
        cells.setdefault((person, day), []).append(cell)
    away = {str(p): {as_date(d) for d in ds} for p, ds in (leave or {}).items()}
    out = pd.DataFrame({"person": table["person"], "team": table["team"]})
    if "contract" in table.columns and table["contract"].notna().any():
        out["contract"] = table["contract"].fillna("").astype(str).to_numpy()
    columns: dict[str, list[str]] = {}
    for day in days:
        columns[day.isoformat()] = [
            SHIFT_SEPARATOR.join(cells[(p, day)])
            if (p, day) in cells
            else (LEAVE if day in away.get(p, ()) else OFF)
            for p in table["person"]
        ]
    return pd.concat([out, pd.DataFrame(columns, index=out.index)], axis=1)


def date_columns(columns: Iterable[object]) -> list[str]:
    """The grid's date columns (``YYYY-MM-DD``), in their order."""
    return [str(c) for c in columns if _ISO_DATE.match(str(c))]
