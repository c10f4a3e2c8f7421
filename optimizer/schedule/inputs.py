"""The schedule's inputs: a scenario as a covering problem over crews, shifts and intervals.

A *crew* is the people of one ``shifts: optimize`` team who share the same skills (all of a
team's agents, unless named employees have skills of their own).  A *column* is one shift
template (local start and length) on one local date for one crew; the schedule chooses how
many of the crew's people work it.  Each column covers intervals: the coverage matrix holds
the expected available agents one scheduled agent gives in each interval (breaks and
absence removed), with the team's local time converted by ``zoneinfo``, so daylight-saving
changes are real.  Teams on fixed shifts or rosters give a fixed supply.

*Caps* keep the schedule rosterable by the crew's people under their labour rules, in
aggregate: people available each day, paid hours, working days and night shifts per week,
rest between consecutive days, runs of consecutive days, working weekends, and the
contracts' minimum hours.  *Start groups* make start times stable: the people a crew puts
on one start time in a week are at least the most it uses on any day of that week, and
people beyond the crew's size (someone on two start times) cost a penalty; so do people
whose start time has too few shifts that week for their minimum hours (they must take a
second one).

:func:`build_inputs` maps a scenario onto these arrays; :func:`restrict` cuts a window of
columns out of them (the rest fixed) for the schedule's week-by-week solve.

Must not import ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
from scipy import sparse

from optimizer.requirements import group_requirements
from optimizer.solver import OptimizerError
from scenarios.calendar import (
    NIGHT_SHIFT_MIN_MINUTES,
    holiday_dates,
    horizon_minutes,
    horizon_origin,
    local_dates,
    local_start_minutes,
    overlap_minutes,
    premium_minutes,
    week_of,
)
from scenarios.labor import shifts_for_hours, unavailable_dates, weekly_minimum_hours
from scenarios.schema import BreakRule, Employee, LaborRules, Scenario, Team, template_grid
from scenarios.types import format_time_of_day
from sim.agents import build_staffing

__all__ = [
    "Cap",
    "Column",
    "Crew",
    "ScheduleInputs",
    "StartGroup",
    "availability_factor",
    "break_offset",
    "build_inputs",
    "restrict",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SHORTFALL_WEIGHT = 20.0
"""Penalty per agent-hour short, in multiples of the dearest agent-hour with premiums:
coverage comes first, yet an impossible target still has a best plan."""

SHORT_AGENTS = 0.5
"""A plan is short where some interval lacks more than this many available agents: up to
half an agent rounds to no person (requirements of asynchronous work are averages over an
answer window, so they come in fractions), and is still reported as uncovered."""


def beyond_half(agents: float | npt.ArrayLike) -> Any:
    """Whether a shortfall (agents, a number or an array) is more than :data:`SHORT_AGENTS`
    (the rounding of a solver's values aside): the one test of a plan's being short."""
    return np.asarray(agents) > SHORT_AGENTS + 1e-6


BEYOND_HALF_WEIGHT = 50.0
"""Shortfall beyond :data:`SHORT_AGENTS` in an interval costs this many times
:data:`SHORTFALL_WEIGHT`: a fraction of an agent short in one interval may cost less than
a whole shift, but more than half an agent (what makes a plan short) is worth another shift
wherever people are left to work it."""

HEAD_HOURS = 8.0
"""With ``--size-teams``, each person added costs this many hours of pay a week on top of
the hours worked: a team grows only where a person saves more than a shift a week, so the
answer is the head count the requirements need, not one that shaves pay."""

TIE_BREAK = 1e-4
"""Cost per paid hour added to every column, in multiples of the dearest hourly cost:
among plans of equal cost, the one with fewer paid hours."""


@dataclasses.dataclass(frozen=True, slots=True)
class Crew:
    """People of one team with the same skills, planned together."""

    team: str
    name: str
    languages: tuple[str, ...]
    channels: tuple[str, ...]
    tier: int
    people: tuple[str, ...]
    hourly_cost: float
    max_size: int
    """Most people ``--size-teams`` may give the crew."""


@dataclasses.dataclass(frozen=True, slots=True)
class Column:
    """One shift template on one local date for one crew."""

    crew: int
    date: dt.date
    week: int
    start_minute: int
    hours: float
    start_utc: pd.Timestamp
    break_offset: float
    break_minutes: float
    night: bool
    cost: float
    """Pay of one agent on this shift, premiums included (currency)."""

    @property
    def start(self) -> str:
        """Local start as ``HH:MM``."""
        return format_time_of_day(self.start_minute)


@dataclasses.dataclass(frozen=True, slots=True)
class Cap:
    """A linear cap on one crew's columns: ``lower <= sum_j coef[j] x[columns[j]] <= upper``.

    With ``weekends``, the sum is over weekends of the larger of the Saturday and Sunday
    sums (a weekend counts once per person): ``columns`` are then the Saturday columns and
    ``other`` the Sunday ones, weekend by weekend (``weekends`` gives each column's index).
    """

    name: str
    crew: int
    columns: IntArray
    coef: FloatArray
    upper: float = math.inf
    lower: float = 0.0
    per_head: float = 0.0
    """How much ``upper`` grows for each person ``--size-teams`` adds to the crew."""
    weekends: IntArray | None = None
    sunday: BoolArray | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class StartGroup:
    """The columns of one crew, week and start time, by date: the people on that start
    time that week are at least the most on any date, and enough to work all its shifts
    within one person's working days and hours a week."""

    crew: int
    week: int
    start_minute: int
    by_date: tuple[IntArray, ...]
    days_per_person: float = 5.0
    hours_per_person: float = 40.0
    min_days_per_person: float = 0.0
    """Shifts the crew's least weekly minimum takes (0: no minimum, or a look-ahead week)."""


@dataclasses.dataclass(frozen=True, eq=False)
class ScheduleInputs:
    """A covering problem: crews' columns, requirements per group and interval, caps.

    Shapes use ``K`` crews, ``F`` fixed-shift teams, ``G`` queue groups, ``T`` intervals and
    ``J`` columns.

    Attributes
    ----------
    crews : tuple[Crew, ...]
        (K,).
    fixed_teams : tuple[str, ...]
        (F,) teams on fixed shifts or rosters.
    groups : tuple[str, ...]
        (G,) queue-group labels.
    requirement : ndarray, (G, T)
        Available agents needed.
    coverage : scipy.sparse.csr_array, (T, J)
        Available agents one agent on column j gives in interval t.
    columns : tuple[Column, ...]
        (J,).
    column_cost : ndarray, (J,)
        Cost of one agent on each column, the tie-break included.
    skills : ndarray of bool, (K + F, G)
        Which crews (then fixed teams) may serve which groups.
    fixed_supply : ndarray, (K + F, T)
        Available agents a crew (from fixed columns) or a fixed team gives anyway.
    shortfall_penalty : ndarray, (G, T)
        Cost per agent short in an interval.
    caps : tuple[Cap, ...]
    start_groups : tuple[StartGroup, ...]
    crew_size : ndarray, (K,)
        People per crew.
    stability_penalty : ndarray, (K,)
        Cost per person on a second start time in a week.
    interval_starts : pandas.DatetimeIndex
        (T,) UTC starts.
    size_crews : bool
        Whether crew sizes are variables (``--size-teams``).
    head_cost : ndarray, (K,)
        With ``size_crews``: cost of one more person in the crew.
    """

    crews: tuple[Crew, ...]
    fixed_teams: tuple[str, ...]
    groups: tuple[str, ...]
    requirement: FloatArray
    coverage: sparse.csr_array
    columns: tuple[Column, ...]
    column_cost: FloatArray
    skills: BoolArray
    fixed_supply: FloatArray
    shortfall_penalty: FloatArray
    caps: tuple[Cap, ...]
    start_groups: tuple[StartGroup, ...]
    crew_size: FloatArray
    stability_penalty: FloatArray
    interval_starts: pd.DatetimeIndex
    size_crews: bool = False
    head_cost: FloatArray = dataclasses.field(default_factory=lambda: np.zeros(0))
    size_floor: FloatArray | None = None
    """With ``size_crews``: sizes already chosen (by earlier weeks); people beyond them cost
    ``head_cost``."""
    integer_columns: BoolArray | None = None
    """Columns whose head counts are whole people (all when ``None``); the others are a
    relaxed look-ahead."""

    @property
    def n_columns(self) -> int:
        """``J``."""
        return len(self.columns)

    @property
    def n_weeks(self) -> int:
        """Weeks with columns."""
        return 1 + max((c.week for c in self.columns), default=-1)

    def column_weeks(self) -> IntArray:
        """(J,) week of each column."""
        return np.array([c.week for c in self.columns], dtype=np.int64)


def break_offset(minutes: float, rule: BreakRule | None) -> tuple[float, float]:
    """Break (offset from the shift's start, length) in minutes; (0, 0) without a break."""
    if rule is None or rule.minutes <= 0 or minutes <= rule.after_hours * 60:
        return 0.0, 0.0
    offset = min(max(rule.after_hours * 60, 0.0), max(minutes - rule.minutes, 0.0))
    return offset, float(rule.minutes)


def availability_factor(shrinkage: float, break_share: float) -> float:
    """Expected share of an on-shift, off-break agent who is present: 1 - absence, with
    absence = max(0, shrinkage - break share) / (1 - break share) (the engine's rule)."""
    absent = max(0.0, shrinkage - break_share) / max(1e-9, 1 - break_share)
    return 1.0 - absent


def _window_fractions(
    lo: float, hi: float, interval: float, n_t: int
) -> tuple[list[int], list[float]]:
    """Intervals overlapped by [lo, hi) (minutes since origin) and the share overlapped."""
    if hi <= lo:
        return [], []
    ts: list[int] = []
    fr: list[float] = []
    for t in range(
        max(0, math.floor(lo / interval)), min(n_t - 1, math.ceil(hi / interval) - 1) + 1
    ):
        share = overlap_minutes(lo, hi, t * interval, (t + 1) * interval) / interval
        if share > 1e-12:
            ts.append(t)
            fr.append(share)
    return ts, fr


def _crews(scenario: Scenario, size_crews: bool) -> list[tuple[Crew, list[Employee]]]:
    """Each optimized team's crews: its people grouped by their own skills."""
    out: list[tuple[Crew, list[Employee]]] = []
    for team in scenario.teams:
        if not team.optimize_shifts:
            continue
        by_skill: dict[tuple[tuple[str, ...], tuple[str, ...]], list[Employee]] = {}
        for person in scenario.team_employees(team):
            key = (
                tuple(sorted(person.languages or team.languages)),
                tuple(sorted(person.channels or team.channels)),
            )
            by_skill.setdefault(key, []).append(person)
        if not by_skill:  # a team of nobody still gets a crew, for sizing
            by_skill[(tuple(sorted(team.languages)), tuple(sorted(team.channels)))] = []
        for (languages, channels), people in by_skill.items():
            name = (
                team.name
                if len(by_skill) == 1
                else (f"{team.name} ({', '.join(languages)}; {', '.join(channels)})")
            )
            limit = (
                team.max_agents
                if team.max_agents is not None
                else max(10 * team.agents, team.agents + 50)
            )
            share = len(people) / max(1, team.agents)
            max_size = math.ceil(limit * share) if by_skill and len(by_skill) > 1 else limit
            out.append(
                (
                    Crew(
                        team=team.name,
                        name=name,
                        languages=languages,
                        channels=channels,
                        tier=team.tier,
                        people=tuple(p.name for p in people),
                        hourly_cost=team.hourly_cost,
                        max_size=max(len(people), max_size if size_crews else len(people)),
                    ),
                    people,
                )
            )
    return out


def _fixed_supply(
    scenario: Scenario, fixed: Sequence[str], interval: float, n_t: int
) -> FloatArray:
    """Expected available agents per fixed-shift team and interval, from the engine's own
    shift expansion."""
    out = np.zeros((len(fixed), n_t))
    if not fixed:
        return out
    index = {name: i for i, name in enumerate(fixed)}
    plain = scenario.model_copy(update={"teams": [t for t in scenario.teams if t.name in index]})
    s = build_staffing(plain, scenario.seed).shifts
    for team, start, end, b0, b1 in zip(
        s["team"], s["start"], s["end"], s["break_start"], s["break_end"], strict=True
    ):
        length = float(end - start)
        factor = availability_factor(scenario.shrinkage, float(b1 - b0) / max(length, 1e-9))
        for lo, hi in ((start, b0), (b1, end)) if b1 > b0 else ((start, end),):
            ts, fr = _window_fractions(float(lo), float(hi), interval, n_t)
            for t, share in zip(ts, fr, strict=True):
                out[index[team], t] += share * factor
    return out


def build_inputs(
    scenario: Scenario,
    requirements: pd.DataFrame | None = None,
    *,
    size_crews: bool = False,
) -> ScheduleInputs:
    """Map a scenario onto the schedule's covering problem.

    Parameters
    ----------
    scenario : Scenario
        A scenario with at least one ``shifts: optimize`` team.
    requirements : pandas.DataFrame, optional
        A :func:`optimizer.requirements.group_requirements` table (computed when absent).
    size_crews : bool, default False
        Let the schedule choose crew sizes (``--size-teams``).

    Returns
    -------
    ScheduleInputs

    Raises
    ------
    OptimizerError
        When no team has ``shifts: optimize``.
    """
    crews = _crews(scenario, size_crews)
    if not crews:
        raise OptimizerError(
            f"scenario '{scenario.name}': no team has 'shifts: optimize' "
            "(expected at least one team whose shifts the optimizer chooses)"
        )
    interval = float(scenario.horizon.interval_minutes)
    n_t = int(horizon_minutes(scenario) // interval)
    origin = horizon_origin(scenario)
    table = requirements if requirements is not None else group_requirements(scenario)
    groups = tuple(dict.fromkeys(table["group"]))
    g_index = {g: k for k, g in enumerate(groups)}
    req = np.zeros((len(groups), n_t))
    t_idx = ((table["interval_start"] - origin) / pd.Timedelta(minutes=interval)).to_numpy()
    req[table["group"].map(g_index).to_numpy(), t_idx.astype(np.int64)] = table[
        "required"
    ].to_numpy(float)
    meta = table.drop_duplicates("group").set_index("group")
    fixed = tuple(t.name for t in scenario.teams if not t.optimize_shifts)
    teams = {t.name: t for t in scenario.teams}
    skills = np.zeros((len(crews) + len(fixed), len(groups)), dtype=bool)
    for k, (crew, _) in enumerate(crews):
        skills[k] = [
            meta.loc[g, "language"] in crew.languages
            and meta.loc[g, "channel"] in crew.channels
            and int(meta.loc[g, "tier"]) == crew.tier
            for g in groups
        ]
    for f, name in enumerate(fixed):
        team = teams[name]
        skills[len(crews) + f] = [
            meta.loc[g, "language"] in team.languages
            and meta.loc[g, "channel"] in team.channels
            and int(meta.loc[g, "tier"]) == team.tier
            for g in groups
        ]
    supply = np.zeros((len(crews) + len(fixed), n_t))
    supply[len(crews) :] = _fixed_supply(scenario, fixed, interval, n_t)

    costs = scenario.costs
    dearest = max(1.0, max(c.hourly_cost for c, _ in crews)) * (
        1 + costs.night_premium + costs.weekend_premium + costs.holiday_premium
    )
    dates = local_dates(scenario)[:-1]  # a shift starting after the last day covers nothing
    n_weeks = max(1, math.ceil(scenario.horizon.days / 7))
    end_minute = horizon_minutes(scenario)
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    columns: list[Column] = []
    column_cost: list[float] = []
    caps: list[Cap] = []
    start_groups: list[StartGroup] = []
    for k, (crew, people) in enumerate(crews):
        team = teams[crew.team]
        team_holidays = holiday_dates(team.country, dates[0], dates[-1] + dt.timedelta(days=1))
        templates = scenario.templates_for(team)
        rule = templates.break_rule
        by_date: dict[int, list[int]] = {}
        for d_i, date in enumerate(dates):
            if not team.work_on_holidays and date in team_holidays:
                continue
            for start_minute, hours in template_grid(templates):
                minutes = hours * 60.0
                lo = local_start_minutes(team.timezone, date, start_minute, origin)
                hi = lo + minutes
                if hi <= 0 or lo >= end_minute:
                    continue
                b_off, b_len = break_offset(minutes, rule)
                factor = availability_factor(scenario.shrinkage, b_len / minutes)
                j = len(columns)
                spans = ((lo, lo + b_off), (lo + b_off + b_len, hi)) if b_len else ((lo, hi),)
                for w_lo, w_hi in spans:
                    ts, fr = _window_fractions(w_lo, w_hi, interval, n_t)
                    rows.extend(ts)
                    cols.extend([j] * len(ts))
                    vals.extend(share * factor for share in fr)
                night, weekend, holiday = premium_minutes(
                    date, start_minute, minutes, team_holidays
                )
                premium = (
                    night * costs.night_premium
                    + weekend * costs.weekend_premium
                    + holiday * costs.holiday_premium
                ) / minutes
                paid = hours * crew.hourly_cost * (1 + premium)
                columns.append(
                    Column(
                        crew=k,
                        date=date,
                        week=min(n_weeks - 1, max(0, week_of(date, scenario.horizon.start))),
                        start_minute=start_minute,
                        hours=hours,
                        start_utc=origin + pd.Timedelta(minutes=lo),
                        break_offset=b_off,
                        break_minutes=b_len,
                        night=night >= NIGHT_SHIFT_MIN_MINUTES,
                        cost=paid,
                    )
                )
                column_cost.append(paid + TIE_BREAK * dearest * hours)
                by_date.setdefault(d_i, []).append(j)
        caps.extend(_crew_caps(scenario, team, k, crew, people, dates, by_date, columns, n_weeks))
        rules = scenario.rules_for(team)
        least = min(
            (scenario.rules_for_employee(team, person) for person in people),
            key=lambda r: r.min_hours_per_week,
            default=rules,
        )
        start_groups.extend(
            _start_groups(
                k,
                by_date,
                columns,
                float(7 - rules.min_days_off_per_week),
                float(rules.max_hours_per_week),
                least,
            )
        )
    coverage = sparse.csr_array(
        sparse.coo_array(
            (np.asarray(vals, dtype=np.float64), (np.asarray(rows), np.asarray(cols))),
            shape=(n_t, len(columns)),
        )
    )
    stability = np.array(
        [scenario.planning.start_time_changes_hours * c.hourly_cost for c, _ in crews]
    )
    return ScheduleInputs(
        crews=tuple(c for c, _ in crews),
        fixed_teams=fixed,
        groups=groups,
        requirement=req,
        coverage=coverage,
        columns=tuple(columns),
        column_cost=np.asarray(column_cost, dtype=np.float64),
        skills=skills,
        fixed_supply=supply,
        shortfall_penalty=np.full((len(groups), n_t), SHORTFALL_WEIGHT * dearest * interval / 60),
        caps=tuple(caps),
        start_groups=tuple(start_groups),
        crew_size=np.array([len(c.people) for c, _ in crews], dtype=np.float64),
        stability_penalty=stability,
        interval_starts=pd.DatetimeIndex(
            origin + pd.to_timedelta(np.arange(n_t) * interval, unit="min")
        ),
        size_crews=size_crews,
        head_cost=np.array(
            [HEAD_HOURS * c.hourly_cost * n_weeks for c, _ in crews], dtype=np.float64
        ),
    )


def _start_groups(
    k: int,
    by_date: dict[int, list[int]],
    columns: Sequence[Column],
    days_per_person: float,
    hours_per_person: float,
    least: LaborRules,
) -> list[StartGroup]:
    """One group per crew, week and start time, its columns by date, with the shifts the
    crew's least weekly minimum (``least``, pro rata in weeks the horizon cuts short) takes."""
    found: dict[tuple[int, int], dict[int, list[int]]] = {}
    week_dates: dict[int, set[int]] = {}
    longest = max((columns[j].hours for js in by_date.values() for j in js), default=1.0)
    for d_i, js in by_date.items():
        for j in js:
            c = columns[j]
            found.setdefault((c.week, c.start_minute), {}).setdefault(d_i, []).append(j)
            week_dates.setdefault(c.week, set()).add(d_i)
    return [
        StartGroup(
            crew=k,
            week=week,
            start_minute=start,
            by_date=tuple(np.asarray(v, dtype=np.int64) for _, v in sorted(days.items())),
            days_per_person=days_per_person,
            hours_per_person=hours_per_person,
            min_days_per_person=float(
                shifts_for_hours(weekly_minimum_hours(least, len(week_dates[week])), longest)
            ),
        )
        for (week, start), days in sorted(found.items())
    ]


def _crew_caps(
    scenario: Scenario,
    team: Team,
    k: int,
    crew: Crew,
    people: Sequence[Employee],
    dates: Sequence[dt.date],
    by_date: dict[int, list[int]],
    columns: Sequence[Column],
    n_weeks: int,
) -> list[Cap]:
    """Caps keeping one crew's schedule rosterable by its people (module docstring)."""
    rules = [scenario.rules_for_employee(team, p) for p in people]
    if not people:  # sizing a crew of nobody: the team's rules for the people it may hire
        rules = [scenario.rules_for(team)]
    off = [unavailable_dates(p, dates) for p in people] or [frozenset()]
    size = float(len(people))
    first = scenario.horizon.start
    last = first + dt.timedelta(days=scenario.horizon.days - 1)
    caps: list[Cap] = []

    hire = scenario.rules_for(team)  # the rules of a person --size-teams adds

    def cap(
        name: str,
        js: Sequence[int],
        coef: Sequence[float] | FloatArray,
        upper: float,
        per_head: float,
        lower: float = 0.0,
    ) -> None:
        if len(js):
            caps.append(
                Cap(
                    f"{crew.name}: {name}",
                    k,
                    np.asarray(js, dtype=np.int64),
                    np.asarray(coef, dtype=np.float64),
                    upper,
                    lower,
                    per_head,
                )
            )

    # People available each day (leave and unavailability removed).
    for d_i, js in by_date.items():
        present = sum(1 for o in off if dates[d_i] not in o) if people else size
        cap(f"people on {dates[d_i]}", js, np.ones(len(js)), float(present), 1.0)
    # Rest between consecutive days.
    rest = max(r.min_rest_hours for r in rules) * 60.0
    for d_i, js in sorted(by_date.items()):
        nxt = by_date.get(d_i + 1)
        if not nxt:
            continue
        seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
        for tau in sorted({columns[j].start_minute for j in nxt}):
            late = tuple(
                j for j in js if columns[j].start_minute + columns[j].hours * 60 + rest - 1440 > tau
            )
            early = tuple(j for j in nxt if columns[j].start_minute <= tau)
            if late and early and (late, early) not in seen:
                seen.add((late, early))
                both = late + early
                cap(
                    f"rest between {dates[d_i]} and {dates[d_i + 1]} (starts to "
                    f"{format_time_of_day(tau)})",
                    both,
                    np.ones(len(both)),
                    size,
                    1.0,
                )
    # Runs of consecutive working days.
    run = min(r.max_consecutive_days for r in rules)
    for d0 in range(len(dates) - run):
        js = [j for d_i in range(d0, d0 + run + 1) for j in by_date.get(d_i, [])]
        cap(f"runs of days from {dates[d0]}", js, np.ones(len(js)), size * run, float(run))
    # Per week: paid hours (both ways), working days and night shifts.
    weeks: dict[int, list[int]] = {}
    for js in by_date.values():
        for j in js:
            weeks.setdefault(columns[j].week, []).append(j)
    for w, js in sorted(weeks.items()):
        week_dates = [
            first + dt.timedelta(days=7 * w + i)
            for i in range(7)
            if first + dt.timedelta(days=7 * w + i) <= last
        ]
        length = len(week_dates)
        hours = [columns[j].hours for j in js]
        most = (
            sum(r.max_hours_per_week for r in rules)
            if people
            else size * rules[0].max_hours_per_week
        )
        least = (
            sum(
                weekly_minimum_hours(r, sum(1 for d in week_dates if d not in o))
                for r, o in zip(rules, off, strict=False)
            )
            if people
            else 0.0
        )
        # Whole shifts rarely fill a week to the last hour: plan a margin below it.
        room = 1.0 - scenario.planning.weekly_hours_margin
        cap(
            f"paid hours in week {w + 1}",
            js,
            hours,
            most * room,
            hire.max_hours_per_week * room,
            least,
        )
        working = (
            sum(
                max(
                    0,
                    sum(1 for d in week_dates if d not in o)
                    - max(0, r.min_days_off_per_week - (7 - length)),
                )
                for r, o in zip(rules, off, strict=False)
            )
            if people
            else 0.0
        )
        per_head = max(0, length - max(0, hire.min_days_off_per_week - (7 - length)))
        cap(f"working days in week {w + 1}", js, np.ones(len(js)), float(working), per_head)
        nights = [j for j in js if columns[j].night]
        cap(
            f"night shifts in week {w + 1}",
            nights,
            np.ones(len(nights)),
            float(sum(r.max_night_shifts_per_week for r in rules)) if people else 0.0,
            float(hire.max_night_shifts_per_week),
        )
    # Weekends worked over the horizon.
    limits = [r.max_working_weekends for r in rules] if people else [hire.max_working_weekends]
    if all(x is not None for x in limits):
        sat: list[int] = []
        index: list[int] = []
        sunday: list[bool] = []
        saturdays: dict[dt.date, int] = {}
        for d_i, js in sorted(by_date.items()):
            date = dates[d_i]
            if date.weekday() < 5 or not first <= date <= last:
                continue
            key = date - dt.timedelta(days=date.weekday() - 5)
            w_i = saturdays.setdefault(key, len(saturdays))
            for j in js:
                sat.append(j)
                index.append(w_i)
                sunday.append(date.weekday() == 6)
        if sat:
            caps.append(
                Cap(
                    f"{crew.name}: weekends worked",
                    k,
                    np.asarray(sat, dtype=np.int64),
                    np.ones(len(sat)),
                    float(sum(x for x in limits if x is not None)) if people else 0.0,
                    0.0,
                    float(hire.max_working_weekends or 0),
                    weekends=np.asarray(index, dtype=np.int64),
                    sunday=np.asarray(sunday, dtype=bool),
                )
            )
    return caps


def restrict(
    inputs: ScheduleInputs,
    free: npt.ArrayLike,
    fixed_values: npt.ArrayLike,
    *,
    integer: npt.ArrayLike | None = None,
    size_floor: npt.ArrayLike | None = None,
    later: npt.ArrayLike | None = None,
) -> tuple[ScheduleInputs, IntArray]:
    """The problem over the ``free`` columns only, every other column fixed at
    ``fixed_values``: fixed columns become supply, and use up their share of each cap.
    A cap's minimum (``lower``) is kept only when all its columns are free.
    Intervals no free column reaches keep no requirement (their shortfall is fixed), and
    neither do those a ``later`` column reaches (a later problem decides them, so a
    shortfall there is not this problem's to pay).

    Parameters
    ----------
    inputs : ScheduleInputs
    free : array_like of bool, (J,)
    fixed_values : array_like, (J,)
        People on each column that is not free.
    integer : array_like of bool, (J,), optional
        Free columns that take whole people (the others are relaxed); all by default.
    size_floor : array_like, (K,), optional
        Crew sizes already chosen, when sizing.
    later : array_like of bool, (J,), optional
        Columns not yet decided (their people count as zero here).

    Returns
    -------
    tuple
        The restricted inputs and the original index of each of its columns.
    """
    free_mask = np.asarray(free, dtype=bool)
    x = np.asarray(fixed_values, dtype=np.float64)
    keep = np.flatnonzero(free_mask)
    new_index = np.full(len(free_mask), -1, dtype=np.int64)
    new_index[keep] = np.arange(len(keep))
    fixed_x = np.where(free_mask, 0.0, x)
    supply = inputs.fixed_supply.copy()
    used = inputs.coverage @ sparse.diags_array(fixed_x)
    crew_of = np.array([c.crew for c in inputs.columns], dtype=np.int64)
    for k in range(len(inputs.crews)):
        mask = crew_of == k
        if mask.any():
            supply[k] += np.asarray(used[:, mask].sum(axis=1)).ravel()
    caps: list[Cap] = []
    for c in inputs.caps:
        inside = free_mask[c.columns]
        if not inside.any():
            continue
        if c.weekends is not None:
            # A weekend's fixed days count as a floor under its free days.
            caps.append(_restrict_weekends(c, inside, new_index, fixed_x))
            continue
        spent = float(c.coef[~inside] @ fixed_x[c.columns[~inside]])
        caps.append(
            dataclasses.replace(
                c,
                columns=new_index[c.columns[inside]],
                coef=c.coef[inside],
                upper=c.upper - spent,
                # A minimum binds only where all its columns are free: a look-ahead that
                # frees the first days of a week cannot owe that week's minimum hours.
                lower=c.lower - spent if inside.all() else 0.0,
            )
        )
    groups: list[StartGroup] = []
    for g in inputs.start_groups:
        free = free_mask[np.concatenate(g.by_date)]
        if not free.any():
            continue
        groups.append(
            dataclasses.replace(
                g,
                by_date=tuple(
                    new_index[js[free_mask[js]]] for js in g.by_date if free_mask[js].any()
                ),
                # As for caps: a look-ahead's few days cannot owe a week's minimum.
                min_days_per_person=g.min_days_per_person if free.all() else 0.0,
            )
        )
    coverage = sparse.csr_array(inputs.coverage[:, keep])

    def reached_by(cov: Any) -> BoolArray:
        return np.asarray(abs(cov).sum(axis=1)).ravel() > 0

    reached = reached_by(coverage)
    if later is not None:
        reached &= ~reached_by(inputs.coverage[:, np.flatnonzero(np.asarray(later, dtype=bool))])
    restricted = dataclasses.replace(
        inputs,
        requirement=np.where(reached[None, :], inputs.requirement, 0.0),
        integer_columns=None if integer is None else np.asarray(integer, dtype=bool)[keep],
        size_floor=None if size_floor is None else np.asarray(size_floor, dtype=np.float64),
        coverage=coverage,
        columns=tuple(inputs.columns[j] for j in keep),
        column_cost=inputs.column_cost[keep],
        fixed_supply=supply,
        caps=tuple(caps),
        start_groups=tuple(groups),
    )
    return restricted, keep


def _restrict_weekends(c: Cap, inside: BoolArray, new_index: IntArray, fixed_x: FloatArray) -> Cap:
    """A weekend cap over free columns: each weekend's worked count is at least its fixed
    Saturday and Sunday sums, so the fixed part stays counted (as a floor)."""
    assert c.weekends is not None and c.sunday is not None
    floor = 0.0
    for w in np.unique(c.weekends):
        on = c.weekends == w
        sat_fixed = float(fixed_x[c.columns[on & ~c.sunday & ~inside]].sum())
        sun_fixed = float(fixed_x[c.columns[on & c.sunday & ~inside]].sum())
        if not (on & inside).any():
            floor += max(sat_fixed, sun_fixed)
    return dataclasses.replace(
        c,
        columns=new_index[c.columns[inside]],
        coef=c.coef[inside],
        upper=c.upper - floor,
        weekends=c.weekends[inside],
        sunday=c.sunday[inside],
    )
