"""From a schedule to each crew's roster problem, and from a roster back to dated shifts.

The schedule says how many of a crew's people work each shift template on each local date;
:func:`crew_problem` turns that into a :class:`~optimizer.roster.problem.RosterProblem`
whose employees are the crew's people with their own rules (the team's labour rules and
their contract), leave and unavailability (hard), and preferences (soft), so that the
roster solver can say who works which of those shifts.  :func:`roster_shifts` turns a
solved roster into dated shifts in the team's local time with UTC offsets, the rows of
``roster.csv``.

Must not import ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import zoneinfo

import numpy as np
import pandas as pd

from optimizer.roster.problem import OFF, IntArray, RosterProblem
from optimizer.schedule.inputs import Crew, ScheduleInputs
from scenarios.calendar import local_dates, week_of
from scenarios.labor import unavailable_dates, weekly_minimum_hours
from scenarios.schema import Employee, RosterEntry, Scenario, Team
from scenarios.types import format_time_of_day, time_of_day_minutes

__all__ = ["ROSTER_COLUMNS", "CrewRoster", "crew_problem", "roster_entries", "roster_shifts"]

ROSTER_COLUMNS = ["agent", "team", "date", "start", "end", "breaks"]
"""Columns of ``roster.csv``: ``date`` is the local date; ``start`` and ``end`` are ISO 8601
local times with their UTC offset; ``breaks`` lists each break as ``start/end`` (ISO 8601,
``;`` between breaks)."""

UNDER_WEIGHT_SHIFTS = 3.0
"""Penalty for a scheduled shift left without a person, in pay of the longest shift: above
what any soft rule can save on one shift, so staffing comes first."""


@dataclasses.dataclass(frozen=True, slots=True)
class ShiftType:
    """One shift template a crew's schedule uses: local start, length, break."""

    start_minute: int
    hours: float
    break_offset: float
    break_minutes: float
    night: bool

    @property
    def label(self) -> str:
        """``HH:MM/8h``."""
        return f"{format_time_of_day(self.start_minute)}/{self.hours:g}h"


@dataclasses.dataclass(frozen=True, slots=True)
class CrewRoster:
    """A crew's roster problem and how its indices map back to people, dates and shifts."""

    crew: Crew
    team: Team
    people: tuple[Employee, ...]
    problem: RosterProblem
    dates: tuple[dt.date, ...]
    shift_types: tuple[ShiftType, ...]


def _dst_margin_minutes(team: Team, dates: list[dt.date]) -> float:
    """Largest change of the team's UTC offset over the dates (min): a rest margin so that a
    wall-clock rest rule still holds in real time across a daylight-saving change."""
    tz = zoneinfo.ZoneInfo(team.timezone)
    offsets = set()
    for d in dates:
        off = dt.datetime.combine(d, dt.time(12), tzinfo=tz).utcoffset()
        offsets.add(off.total_seconds() / 60 if off is not None else 0.0)
    return max(offsets) - min(offsets) if offsets else 0.0


def crew_problem(
    scenario: Scenario, inputs: ScheduleInputs, people_per_column: np.ndarray, k: int
) -> CrewRoster:
    """The roster problem of crew ``k`` for a schedule's head counts.

    Days run from the day before the horizon (shifts dated then reach into it) to its last
    day; weeks and weekends are the scenario's (7-day blocks from the horizon's first day;
    Saturday and Sunday inside the horizon).  A person may work only the shifts the schedule
    has on that date, each at most as often as it has people on it plus surplus.
    """
    crew = inputs.crews[k]
    team = next(t for t in scenario.teams if t.name == crew.team)
    by_name = {p.name: p for p in scenario.team_employees(team)}
    people = tuple(by_name.get(name) or Employee(name=name, team=team.name) for name in crew.people)
    dates = local_dates(scenario)[:-1]
    first, n_days = scenario.horizon.start, scenario.horizon.days
    last = first + dt.timedelta(days=n_days - 1)
    day_of = {d: i for i, d in enumerate(dates)}
    types: dict[tuple[int, float], ShiftType] = {}
    counts: dict[tuple[int, int, float], int] = {}
    for j in np.flatnonzero(people_per_column > 0.5).tolist():
        c = inputs.columns[j]
        if c.crew != k:
            continue
        key = (c.start_minute, c.hours)
        types.setdefault(
            key, ShiftType(c.start_minute, c.hours, c.break_offset, c.break_minutes, c.night)
        )
        counts[(day_of[c.date], *key)] = counts.get((day_of[c.date], *key), 0) + round(
            people_per_column[j]
        )
    shift_types = tuple(sorted(types.values(), key=lambda s: (s.start_minute, s.hours)))
    s_index = {(s.start_minute, s.hours): i for i, s in enumerate(shift_types)}
    n_s = len(shift_types)
    cover = np.zeros((len(dates), n_s), dtype=np.int64)
    for (d, start, hours), n in counts.items():
        cover[d, s_index[(start, hours)]] += n
    minutes = np.array([round(s.hours * 60) for s in shift_types], dtype=np.int64)
    start_min = np.array([s.start_minute for s in shift_types], dtype=np.float64)
    rules = [scenario.rules_for_employee(team, p) for p in people]
    rest = max((r.min_rest_hours for r in rules), default=0.0) * 60.0
    margin = _dst_margin_minutes(team, dates)
    gap = start_min[None, :] + 1440.0 - (start_min[:, None] + minutes[:, None])
    forbidden = gap < rest + margin - 1e-9
    weeks = np.array([week_of(d, first) if d >= first else -1 for d in dates], dtype=np.int64)
    weeks = np.where(np.array([d <= last for d in dates]), weeks, -1)
    saturdays: dict[dt.date, int] = {}
    weekend = np.full(len(dates), -1, dtype=np.int64)
    for i, date in enumerate(dates):
        if date.weekday() >= 5 and first <= date <= last:
            saturday = date - dt.timedelta(days=date.weekday() - 5)
            weekend[i] = saturdays.setdefault(saturday, len(saturdays))
    n_w = int(weeks.max(initial=-1)) + 1
    off = np.zeros((len(people), len(dates)), dtype=bool)
    week_min = np.zeros((len(people), n_w))
    prefer = np.zeros((len(people), len(dates), n_s))
    pref_weight = scenario.planning.preference_hours * team.hourly_cost
    for e, (person, r) in enumerate(zip(people, rules, strict=True)):
        away = unavailable_dates(person, dates)
        off[e] = [d in away for d in dates]
        for w in range(n_w):
            days = [d for i, d in enumerate(dates) if weeks[i] == w]
            week_min[e, w] = 60.0 * weekly_minimum_hours(r, sum(1 for d in days if d not in away))
        if person.prefers is not None:
            wanted_off = set(person.prefers.days_off or ())
            for i, date in enumerate(dates):
                if date.weekday() in wanted_off:
                    prefer[e, i, :] += pref_weight
            lo = person.prefers.earliest_start
            hi = person.prefers.latest_start
            outside = np.zeros(n_s, dtype=bool)
            if lo is not None:
                outside |= start_min < time_of_day_minutes(lo)
            if hi is not None:
                outside |= start_min > time_of_day_minutes(hi)
            prefer[e][:, outside] += pref_weight
    not_scheduled = np.broadcast_to(cover == 0, (len(people), len(dates), n_s))
    longest_pay = float(minutes.max(initial=60)) / 60.0 * max(team.hourly_cost, 1.0)
    planning = scenario.planning
    problem = RosterProblem.create(
        name=f"roster:{crew.name}",
        days=len(dates),
        shift_ids=[s.label for s in shift_types],
        shift_minutes=minutes,
        employee_ids=[p.name for p in people],
        cover_requirement=cover,
        shift_start_minute=start_min,
        shift_night=np.array([s.night for s in shift_types], dtype=bool),
        forbidden_successors=forbidden,
        week_of_day=weeks,
        weekend_of_day=weekend,
        max_consecutive_days=[float(r.max_consecutive_days) for r in rules],
        max_minutes_per_week=[r.max_hours_per_week * 60.0 for r in rules],
        min_minutes_per_week=week_min,
        min_days_off_per_week=[float(r.min_days_off_per_week) for r in rules],
        max_night_shifts_per_week=[float(r.max_night_shifts_per_week) for r in rules],
        max_working_weekends=[
            math.inf if r.max_working_weekends is None else float(r.max_working_weekends)
            for r in rules
        ],
        days_off=off,
        unavailable=not_scheduled.copy(),
        shift_off_weight=prefer,
        hourly_cost=team.hourly_cost,
        cover_under_weight=UNDER_WEIGHT_SHIFTS * longest_pay,
        cover_over_weight=1.0,
        start_change_weight=planning.start_time_changes_hours * team.hourly_cost,
        single_day_off_weight=planning.single_day_off_hours * team.hourly_cost,
        fairness_weight=planning.fairness_hours * team.hourly_cost,
    )
    return CrewRoster(crew, team, people, problem, tuple(dates), shift_types)


def roster_shifts(cr: CrewRoster, plan: IntArray | None) -> pd.DataFrame:
    """A crew's roster as ``roster.csv`` rows (:data:`ROSTER_COLUMNS`) plus
    ``start_minute``, ``hours``, ``break_start`` (local ``HH:MM`` or empty),
    ``break_minutes`` and ``night`` for the scenario's roster entries."""
    rows: list[dict[str, object]] = []
    if plan is None:
        return pd.DataFrame(columns=ROSTER_COLUMNS)
    tz = zoneinfo.ZoneInfo(cr.team.timezone)
    for e, d in zip(*np.nonzero(plan != OFF), strict=True):
        st = cr.shift_types[int(plan[e, d])]
        date = cr.dates[int(d)]
        local = dt.datetime.combine(date, dt.time(st.start_minute // 60, st.start_minute % 60))
        begin = pd.Timestamp(local, tz=tz)
        utc = begin.tz_convert("UTC")
        end = (utc + pd.Timedelta(hours=st.hours)).tz_convert(tz)
        breaks = ""
        break_start = ""
        if st.break_minutes > 0:
            b0 = (utc + pd.Timedelta(minutes=st.break_offset)).tz_convert(tz)
            b1 = (utc + pd.Timedelta(minutes=st.break_offset + st.break_minutes)).tz_convert(tz)
            breaks = f"{b0.isoformat()}/{b1.isoformat()}"
            break_start = b0.strftime("%H:%M")
        rows.append(
            {
                "agent": cr.people[int(e)].name,
                "team": cr.team.name,
                "date": date.isoformat(),
                "start": begin.isoformat(),
                "end": end.isoformat(),
                "breaks": breaks,
                "start_minute": st.start_minute,
                "hours": st.hours,
                "break_start": break_start,
                "break_minutes": st.break_minutes,
                "night": st.night,
            }
        )
    return pd.DataFrame(rows)


def roster_entries(shifts: pd.DataFrame, agent: str) -> list[RosterEntry]:
    """One person's rows of :func:`roster_shifts` as the scenario's ``roster:`` entries."""
    mine = shifts[shifts["agent"] == agent]
    return [
        RosterEntry(
            agent=agent,
            date=dt.date.fromisoformat(str(row.date)),
            start=format_time_of_day(row.start_minute),
            hours=float(row.hours),
            break_start=str(row.break_start) if row.break_start else None,
            break_minutes=float(row.break_minutes) if row.break_start else 0.0,
        )
        for row in mine.itertuples(index=False)
    ]
