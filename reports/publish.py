"""Publishing a roster: the grid, the workbook and the calendars handed to the team.

Role: turn ``roster.csv`` (one row per shift) and the people of the optimized teams into
what planners give their teams: ``roster_grid.csv`` (one row per person, one column per
local date; :mod:`reports.roster_shifts`), ``roster.xlsx`` (a sheet per team;
:mod:`reports.workbook`), ``calendars/<person>.ics`` (one iCalendar event per shift, in the
team's time zone; here) and a timeline of the roster in each team's local time for the
optimize report (:mod:`reports.roster_timeline`).  A check proves the three files agree
with the roster shift by shift.  This module is the entry point: it re-exports the grid,
workbook and timeline functions.

Inputs are plain tables, so this module runs on any roster that keeps the contract:

- ``roster``: ``agent``, ``team``, ``date`` (the local date the shift starts on),
  ``start``, ``end`` (ISO 8601 local times with UTC offset, or tz-aware timestamps) and
  optionally ``breaks`` (empty, or ``start/end`` ISO 8601 pairs separated by ``;``);
- ``people``: ``person``, ``team``, ``timezone`` (IANA) and optionally ``contract`` (text);
- ``leave``: person -> dates of time off or unavailability.

:func:`people_from_scenario` builds ``people``, ``leave`` and the dates from a scenario
(read through the attributes it needs, without importing ``scenarios``).  Must not import
simpy, pyomo, ``sim``, ``optimizer`` or ``scenarios``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import unicodedata
import zoneinfo
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from typing import Any, Protocol

import icalendar
import pandas as pd

from reports.roster_shifts import (
    LEAVE,
    OFF,
    SHIFT_SEPARATOR,
    PublishError,
    as_date,
    date_columns,
    local_shifts,
    people_table,
    roster_grid,
)
from reports.roster_timeline import roster_figure
from reports.workbook import roster_workbook, workbook_grid

__all__ = [
    "LEAVE",
    "OFF",
    "Publication",
    "PublishError",
    "build_publication",
    "calendar_file_names",
    "check_publication",
    "local_shifts",
    "people_from_scenario",
    "person_calendar",
    "roster_figure",
    "roster_grid",
    "roster_workbook",
    "shift_uid",
]

CALENDAR_DIR = "calendars"
PRODID = "-//supportsim//roster//EN"
UID_DOMAIN = "roster.supportsim"
NAME_CHARS = 60
"""Longest file name stem made from a person's name (characters, before ``.ics``)."""
_WINDOWS_RESERVED = frozenset(
    ["CON", "PRN", "AUX", "NUL"]
    + [f"COM{k}" for k in range(1, 10)]
    + [f"LPT{k}" for k in range(1, 10)]
)
_CELL_TIMES = re.compile(r"^(\d{2}):(\d{2})-(\d{2}):(\d{2})$")


# --------------------------------------------------------------------------- calendars


def shift_uid(person: str, start: dt.datetime) -> str:
    """A shift's calendar UID from the person and the start instant: re-publishing the same
    shift gives the same UID, so calendar programs update it instead of adding a copy."""
    key = f"{person}\x1f{start.astimezone(dt.UTC):%Y%m%dT%H%M%SZ}"
    return f"{hashlib.sha256(key.encode('utf-8')).hexdigest()[:32]}@{UID_DOMAIN}"


def _break_text(breaks: Sequence[tuple[dt.datetime, dt.datetime]]) -> str:
    if not breaks:
        return "No break."
    spans = ", ".join(f"{b0:%H:%M}-{b1:%H:%M}" for b0, b1 in breaks)
    return f"Break{'s' if len(breaks) > 1 else ''} {spans}."


def person_calendar(
    shifts: pd.DataFrame,
    person: str,
    team_timezone: str,
    *,
    team: str | None = None,
    stamp: dt.datetime | None = None,
) -> bytes:
    """One person's shifts as an iCalendar file (RFC 5545).

    Parameters
    ----------
    shifts : pandas.DataFrame
        The person's rows of ``roster.csv`` (``agent``, ``team``, ``start``, ``end``,
        optionally ``date`` and ``breaks``); may be empty.
    person : str
        The person's name.
    team_timezone : str
        The team's IANA time zone: events are written in it (``DTSTART;TZID=...``) with a
        VTIMEZONE component, so calendar programs place them right across daylight saving.
    team : str, optional
        The team's name (default: the ``team`` of the shifts).
    stamp : datetime.datetime, optional
        ``DTSTAMP`` of every event, the moment of publishing (default: now, to the second).

    Returns
    -------
    bytes
        The ``.ics`` file: one VEVENT per shift, in start order, with ``SUMMARY`` such as
        ``Shift 07:00-15:30 (dublin)``, a ``DESCRIPTION`` naming the break, a ``UID`` from
        :func:`shift_uid` and ``DTSTAMP``.
    """
    team_name = team
    if team_name is None:
        team_name = str(shifts["team"].iloc[0]) if len(shifts) else ""
    people = pd.DataFrame({"person": [person], "team": [team_name], "timezone": [team_timezone]})
    mine = shifts[shifts["agent"].astype(str) == person] if len(shifts) else shifts
    if len(mine) != len(shifts):
        raise PublishError(f"calendar of {person!r}: the shifts include other people's")
    local = local_shifts(mine.assign(team=team_name), people)
    when = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    return _calendar(local, person, team_name, team_timezone, when)


@cache
def _vtimezone(zone: str, first_year: int, last_year: int) -> icalendar.Timezone:
    """The zone's VTIMEZONE for whole calendar years (built once per zone and years: it
    walks every transition, the slowest part of writing a calendar)."""
    return icalendar.Timezone.from_tzid(
        zone, first_date=dt.date(first_year, 1, 1), last_date=dt.date(last_year + 1, 1, 1)
    )


def _calendar(local: pd.DataFrame, person: str, team: str, zone: str, when: dt.datetime) -> bytes:
    """The ``.ics`` file of one person's shifts as :func:`local_shifts` reads them."""
    local = local.sort_values("start", kind="stable")
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    cal.add("x-wr-calname", f"Shifts of {person} ({team})" if team else person)
    cal.add("x-wr-timezone", zone)
    # The zone's rules for the whole calendar years the shifts touch, before the events
    # that name it: small, and valid for every event of the file.  A person without shifts
    # gets the rules of the publishing year, since a calendar needs at least one component
    # (RFC 5545 section 3.6) and some programs refuse an empty one.
    first = min(local["date"]).year if len(local) else when.year
    last = max(e.date() for e in local["end"]).year if len(local) else when.year
    cal.add_component(_vtimezone(zone, first, last))
    for rec in local.itertuples(index=False):
        event = icalendar.Event()
        event.add("uid", shift_uid(person, rec.start))
        event.add("dtstamp", when)
        event.add("dtstart", rec.start)
        event.add("dtend", rec.end)
        event.add("summary", f"Shift {rec.cell} ({team})")
        event.add("description", f"{_break_text(rec.breaks)}\nTeam {team}; times in {zone}.")
        event.add("transp", "OPAQUE")
        cal.add_component(event)
    return bytes(cal.to_ical())


def _safe_stem(name: str) -> str:
    """A file name stem from a person's name: letters, digits, marks, ``-``, ``_`` and
    single inner dots; no path separator, no leading dot, no device name, at most
    NAME_CHARS characters."""
    text = unicodedata.normalize("NFKC", name)
    kept = "".join(c if unicodedata.category(c)[0] in "LNM" or c in "-_." else "-" for c in text)
    # A run of dots reads like a parent folder ("maria/../x"): it becomes a dash too.
    stem = re.sub(r"-{2,}", "-", re.sub(r"\.{2,}", "-", kept)).strip("-_. ")
    stem = stem[:NAME_CHARS].rstrip("-_. ")
    stem = stem or "person"
    if stem.split(".")[0].upper() in _WINDOWS_RESERVED:
        stem = f"{stem}-person"
    return stem


def calendar_file_names(persons: Iterable[str]) -> dict[str, str]:
    """A safe, unique ``.ics`` file name per person (without the folder).

    Names are made safe by :func:`_safe_stem`.  Names that would share a file (compared
    without case, since some file systems ignore it) get a suffix from a hash of the full
    name, except one whose name is already its safe form; the answer does not depend on
    the order of ``persons``, so a person keeps their file when others join.
    """
    persons = list(dict.fromkeys(str(p) for p in persons))
    stems = {p: _safe_stem(p) for p in persons}
    groups: dict[str, list[str]] = {}
    for p in persons:
        groups.setdefault(stems[p].casefold(), []).append(p)
    names: dict[str, str] = {}
    for members in groups.values():
        for p in sorted(members):
            plain = len(members) == 1 or p == stems[p]
            names[p] = stems[p] if plain else _hashed(stems[p], p, 8)
    # A hashed name may equal another person's plain one; lengthen the hash until unique.
    taken = Counter(n.casefold() for n in names.values())
    for p in sorted(persons):
        width = 8
        while taken[names[p].casefold()] > 1:
            taken[names[p].casefold()] -= 1
            width += 4
            names[p] = _hashed(stems[p], p, width)
            taken[names[p].casefold()] += 1
    return {p: f"{names[p]}.ics" for p in persons}


def _hashed(stem: str, name: str, width: int) -> str:
    digest = hashlib.sha256(name.encode("utf-8")).hexdigest()[:width]
    return f"{stem[: NAME_CHARS - width - 1]}-{digest}"


# --------------------------------------------------------------------------- the check


def _grid_cells(grid: pd.DataFrame) -> tuple[Counter[tuple[str, str, str]], list[str]]:
    """The shifts a grid shows as (person, date, HH:MM-HH:MM), and cells it cannot read."""
    shown: Counter[tuple[str, str, str]] = Counter()
    unreadable = []
    for _, row in grid.iterrows():
        person = str(row["person"])
        for column in date_columns(grid.columns):
            cell = str(row[column])
            if cell in (OFF, LEAVE):
                continue
            for token in cell.split(SHIFT_SEPARATOR):
                if _CELL_TIMES.match(token.strip()):
                    shown[(person, column, token.strip())] += 1
                else:
                    unreadable.append(f"grid: {person!r} on {column} reads {cell!r}")
    return shown, unreadable


def _calendar_events(
    person: str, data: bytes, timezone: str
) -> tuple[Counter[tuple[str, str, str]], Counter[tuple[str, str]], list[str]]:
    """Events of one calendar as (person, local date, HH:MM-HH:MM) and (start, end) UTC."""
    problems = []
    local: Counter[tuple[str, str, str]] = Counter()
    instants: Counter[tuple[str, str]] = Counter()
    try:
        cal = icalendar.Calendar.from_ical(data)
    except ValueError as exc:
        return local, instants, [f"calendar of {person!r} does not parse: {exc}"]
    uids = Counter(str(e.get("uid")) for e in cal.walk("VEVENT"))
    problems += [f"calendar of {person!r}: UID {u} repeats" for u, n in uids.items() if n > 1]
    for event in cal.walk("VEVENT"):
        start, end = event.decoded("dtstart"), event.decoded("dtend")
        if not isinstance(start, dt.datetime) or start.tzinfo is None:
            problems.append(f"calendar of {person!r}: event at {start} has no time zone")
            continue
        zone = getattr(start.tzinfo, "key", None)
        if zone != timezone:
            problems.append(
                f"calendar of {person!r}: event at {start} is in {zone}, expected {timezone}"
            )
        utc = (start.astimezone(dt.UTC).isoformat(), end.astimezone(dt.UTC).isoformat())
        instants[utc] += 1
        wall = (
            start.astimezone(zoneinfo.ZoneInfo(timezone)),
            end.astimezone(zoneinfo.ZoneInfo(timezone)),
        )
        local[(person, wall[0].date().isoformat(), f"{wall[0]:%H:%M}-{wall[1]:%H:%M}")] += 1
    return local, instants, problems


def _differences(
    label: str, expected: Counter[Any], found: Counter[Any], describe: Any
) -> list[str]:
    out = [f"{label}: missing {describe(k)}" for k in sorted((expected - found).elements())]
    out += [
        f"{label}: not in the roster: {describe(k)}" for k in sorted((found - expected).elements())
    ]
    return out


def _workbook_differences(grid: pd.DataFrame, shown: pd.DataFrame) -> list[str]:
    """Cells where the workbook does not show the grid."""
    want = grid.fillna("").astype(str).reset_index(drop=True)
    if list(shown.columns) != list(want.columns) or len(shown) != len(want):
        return [
            f"workbook: {len(shown)} rows x columns {list(shown.columns)[:4]}..., expected "
            f"{len(want)} rows x {list(want.columns)[:4]}..."
        ]
    return [
        f"workbook: {want.at[i, 'person']!r} on {c} reads {shown.at[i, c]!r}, grid "
        f"{want.at[i, c]!r}"
        for c in want.columns
        for i in range(len(want))
        if shown.at[i, c] != want.at[i, c]
    ]


def check_publication(
    roster: pd.DataFrame,
    people: pd.DataFrame,
    grid: pd.DataFrame,
    calendars: Mapping[str, bytes],
    leave: Mapping[str, Iterable[dt.date | str]] | None = None,
    workbook: bytes | None = None,
) -> list[str]:
    """Check that the grid and the calendars say what the roster says, shift by shift.

    Every shift of the roster must be one grid cell and one calendar event with the same
    local start and end (and the calendar event the same instants, in the team's time
    zone), and every grid cell with times and every calendar event must be a shift of the
    roster.  Also: the roster's ``date`` is the local date of its start, everyone of
    ``people`` has a grid row and a calendar, (when ``leave`` is given) ``LEAVE`` cells
    fall on leave dates, leave dates without a shift read ``LEAVE`` and no shift falls on
    a leave date, and (when ``workbook`` is given) the workbook shows the grid's cells.

    Parameters
    ----------
    roster, people, leave
        As for :func:`roster_grid`.
    grid : pandas.DataFrame
        A grid as :func:`roster_grid` returns it (or ``roster_grid.csv`` read back as text).
    calendars : mapping of str to bytes
        Person -> the ``.ics`` file's contents.
    workbook : bytes, optional
        ``roster.xlsx`` (its "All teams" sheet is compared with ``grid``, cell by cell).

    Returns
    -------
    list of str
        One sentence per disagreement; empty when the three agree.
    """
    table = people_table(people)
    shifts = local_shifts(roster, table)
    problems = [
        f"roster row {r.row + 1} ({r.person!r}): date {r.roster_date} is not the local date "
        f"{r.date} of its start {r.start.isoformat()} in {r.timezone}"
        for r in shifts.itertuples(index=False)
        if r.roster_date is not None and r.roster_date != r.date.isoformat()
    ]
    expected = Counter(
        (p, d.isoformat(), c)
        for p, d, c in shifts[["person", "date", "cell"]].itertuples(index=False)
    )
    rows = set(grid["person"].astype(str)) if "person" in grid.columns else set()
    problems += [f"grid: no row for {p!r}" for p in table["person"] if p not in rows]
    shown, unreadable = _grid_cells(grid)
    problems += unreadable
    problems += _differences("grid", expected, shown, lambda k: f"{k[0]!r} on {k[1]} {k[2]}")
    if leave is not None:
        away = {str(p): {as_date(d).isoformat() for d in ds} for p, ds in leave.items()}
        for _, row in grid.iterrows():
            person = str(row["person"])
            for column in date_columns(grid.columns):
                on_leave = column in away.get(person, ())
                if str(row[column]) == LEAVE and not on_leave:
                    problems.append(f"grid: {person!r} reads LEAVE on {column}, not a leave date")
                if str(row[column]) == OFF and on_leave:
                    problems.append(f"grid: {person!r} reads OFF on {column}, a leave date")
        problems += [
            f"roster: {p!r} works on {d}, a date of leave"
            for p, d, _ in sorted(expected)
            if d in away.get(p, ())
        ]
    if workbook is not None:
        problems += _workbook_differences(grid, workbook_grid(workbook))
    unknown = sorted(set(calendars) - set(table["person"]))
    problems += [f"calendars: {p!r} is not one of the people" for p in unknown]
    for person, zone in table[["person", "timezone"]].itertuples(index=False):
        if person not in calendars:
            problems.append(f"calendars: none for {person!r}")
            continue
        local, instants, found = _calendar_events(person, calendars[person], zone)
        problems += found
        mine = shifts[shifts["person"] == person]
        problems += _differences(
            f"calendar of {person!r}",
            Counter(k for k in expected.elements() if k[0] == person),
            local,
            lambda k: f"shift on {k[1]} {k[2]}",
        )
        want = Counter(
            (s.astimezone(dt.UTC).isoformat(), e.astimezone(dt.UTC).isoformat())
            for s, e in zip(mine["start"], mine["end"], strict=True)
        )
        problems += _differences(
            f"calendar of {person!r} (UTC)", want, instants, lambda k: f"{k[0]} to {k[1]}"
        )
    return problems


# --------------------------------------------------------------------------- all files


@dataclass(frozen=True)
class Publication:
    """Everything a planner hands out for one roster.

    Attributes
    ----------
    grid : pandas.DataFrame
        :func:`roster_grid`.
    files : dict of str to bytes
        Relative path -> contents: ``roster_grid.csv``, ``roster.xlsx`` and
        ``calendars/<file>.ics`` for every person.
    calendar_files : dict of str to str
        Person -> the relative path of their calendar.
    problems : list of str
        :func:`check_publication` of these files (empty when they agree with the roster).
    """

    grid: pd.DataFrame
    files: dict[str, bytes]
    calendar_files: dict[str, str]
    problems: list[str]


def build_publication(
    roster: pd.DataFrame,
    people: pd.DataFrame,
    dates: Iterable[dt.date | str],
    leave: Mapping[str, Iterable[dt.date | str]] | None = None,
    *,
    title: str,
    stamp: dt.datetime | None = None,
) -> Publication:
    """The grid, the workbook and every person's calendar, checked against the roster.

    Parameters
    ----------
    roster, people, dates, leave
        As for :func:`roster_grid`.
    title : str
        Title of the workbook (e.g. the scenario's name).
    stamp : datetime.datetime, optional
        The moment of publishing: the calendars' ``DTSTAMP`` and the workbook's dates
        (default: now).  The same inputs and stamp give the same bytes.

    Returns
    -------
    Publication
        The files to write (paths relative to the output folder) and the check's findings.
    """
    when = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    table = people_table(people)
    grid = roster_grid(roster, table, dates, leave)
    files: dict[str, bytes] = {
        "roster_grid.csv": grid.to_csv(index=False).encode("utf-8"),
        "roster.xlsx": roster_workbook(grid, table, title, stamp=when),
    }
    names = calendar_file_names(table["person"])
    shifts = local_shifts(roster, table)
    by_person = dict(tuple(shifts.groupby("person", sort=False)))
    calendars: dict[str, bytes] = {}
    for person, team, zone in table[["person", "team", "timezone"]].itertuples(index=False):
        mine = by_person.get(person, shifts.iloc[0:0])
        calendars[person] = _calendar(mine, person, team, zone, when)
    paths = {p: f"{CALENDAR_DIR}/{names[p]}" for p in calendars}
    files.update({paths[p]: data for p, data in calendars.items()})
    problems = check_publication(
        roster, table, grid, calendars, leave, workbook=files["roster.xlsx"]
    )
    return Publication(grid=grid, files=files, calendar_files=paths, problems=problems)


# --------------------------------------------------------------------------- from a scenario


class _DateRangeLike(Protocol):
    @property
    def from_date(self) -> dt.date: ...

    @property
    def to(self) -> dt.date: ...


class _ContractLike(Protocol):
    @property
    def min_hours_per_week(self) -> float: ...

    @property
    def max_hours_per_week(self) -> float: ...


class _EmployeeLike(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def contract(self) -> _ContractLike | None: ...

    @property
    def time_off(self) -> Sequence[_DateRangeLike]: ...

    @property
    def unavailable(self) -> Sequence[int | dt.date]: ...


class _TeamLike(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def timezone(self) -> str: ...

    @property
    def optimize_shifts(self) -> bool: ...

    @property
    def roster(self) -> object: ...


class _HorizonLike(Protocol):
    @property
    def start(self) -> dt.date: ...

    @property
    def days(self) -> int: ...


class ScenarioLike(Protocol):
    """What :func:`people_from_scenario` reads of a ``scenarios.schema.Scenario``."""

    @property
    def teams(self) -> Sequence[Any]: ...

    @property
    def horizon(self) -> _HorizonLike: ...

    def team_employees(self, team: Any) -> Sequence[Any]: ...


def contract_text(contract: _ContractLike | None) -> str | None:
    """A contract's weekly hours in words: ``30-40 h/week``, ``up to 40 h/week``."""
    if contract is None:
        return None
    low, high = float(contract.min_hours_per_week), float(contract.max_hours_per_week)
    if low <= 0:
        return f"up to {high:g} h/week"
    return f"{low:g} h/week" if low == high else f"{low:g}-{high:g} h/week"


def _leave_dates(person: _EmployeeLike, dates: Sequence[dt.date]) -> set[dt.date]:
    """Dates among ``dates`` of the person's time off and unavailability (weekdays: 0 is
    Monday)."""
    out: set[dt.date] = set()
    for span in person.time_off:
        out.update(d for d in dates if span.from_date <= d <= span.to)
    for day in person.unavailable:
        if isinstance(day, dt.date):
            out.add(day)
        else:
            out.update(d for d in dates if d.weekday() == int(day))
    return out


def people_from_scenario(
    scenario: ScenarioLike, teams: Iterable[str] | None = None
) -> tuple[pd.DataFrame, dict[str, set[dt.date]], list[dt.date]]:
    """The people, their leave and the dates to publish, from a scenario.

    Parameters
    ----------
    scenario : Scenario
        A ``scenarios.schema.Scenario`` (read through ``teams``, ``horizon`` and
        ``team_employees(team)``: named employees, or ``<team>-001`` ...).
    teams : iterable of str, optional
        Names of the teams to publish (default: those whose shifts are optimized or that
        carry a roster).

    Returns
    -------
    people : pandas.DataFrame
        ``person``, ``team``, ``timezone``, ``contract`` (weekly hours in words; missing
        when the person has no contract of their own), team by team in the scenario's
        order.
    leave : dict of str to set of datetime.date
        Per person, the horizon dates of time off and unavailability.
    dates : list of datetime.date
        The horizon's dates.
    """
    chosen = None if teams is None else set(teams)
    dates = [scenario.horizon.start + dt.timedelta(days=k) for k in range(scenario.horizon.days)]
    rows: list[dict[str, Any]] = []
    leave: dict[str, set[dt.date]] = {}
    for team in scenario.teams:
        wanted = (
            team.name in chosen
            if chosen is not None
            else bool(team.optimize_shifts) or team.roster is not None
        )
        if not wanted:
            continue
        for person in scenario.team_employees(team):
            rows.append(
                {
                    "person": person.name,
                    "team": team.name,
                    "timezone": team.timezone,
                    "contract": contract_text(person.contract),
                }
            )
            away = _leave_dates(person, dates)
            if away:
                leave[person.name] = away
    people = pd.DataFrame(rows, columns=["person", "team", "timezone", "contract"])
    return people, leave, dates
