"""Plan: from a scenario to a shift schedule, to named rosters, to an optimized scenario.

Role: the ``optimize`` pipeline.  :func:`optimize_scenario` solves the schedule MILP
(:mod:`optimizer.schedule`: head counts per team, shift template and local day), then, per
``shifts: optimize`` team, a named-roster MILP (:mod:`optimizer.roster`) that puts the team's
agents ``<team>-001`` ... on those shifts under the labour rules (one shift a day, minimum
rest, consecutive days, weekly hours, days off, nights, weekends) with a cheap fairness
penalty spreading weekends and nights.  It returns an :class:`OptimizeResult`: tables,
the status of every solve, and the input scenario whose optimized teams carry ``roster:``
entries, ready for ``simulate``.

Must not import: ``reports``, ``run_sim``, SimPy.  Must not print or write files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
import math
import os
import time
import zoneinfo
from collections.abc import Sequence
from concurrent.futures import FIRST_COMPLETED, Future, wait
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from optimizer.result import FixedSolves, SolveStatus, relative_gap
from optimizer.roster import (
    RosterProblem,
    assignments_of_model,
    build_model,
    load_start,
    plan_of_model,
    solve_roster,
    table_from_plan,
)
from optimizer.roster_heuristic import (
    greedy_roster,
    plan_from_table,
    roster_violations,
)
from optimizer.roster_parallel import on_processes, parallel_neighbourhood_search, spawn_pool
from optimizer.schedule import (
    TEMPLATES_PER_TEAM,
    ScheduleColumn,
    ScheduleResult,
    coverage_of,
    group_of_queue,
    premium_minutes,
    solve_schedule,
    team_local_dates,
)
from scenarios.calendar import holiday_dates
from scenarios.schema import RosterEntry, Scenario, Team
from scenarios.types import time_of_day_minutes

__all__ = [
    "OptimizeResult",
    "build_team_roster_problem",
    "default_workers",
    "group_of_queue",
    "optimize_scenario",
]

SCHEDULE_TIME_SHARE = 0.5
"""Share of the time limit given to the schedule; the rosters share the rest (and whatever
the schedule did not use).  Half, because on large problems the schedule's day-window
search needs about 3.5 s per local day to make its plan integer."""

UNDER_WEIGHT_SHIFTS = 3.0
"""Penalty for one agent missing from a scheduled shift, in shifts' pay (the longest): above
the pay and the fairness penalties one shift can bring, so staffing comes first, yet small
enough that the roster's bound and gap stay meaningful."""

FINAL_RESERVE_SHARE = 0.02
"""Share of the time limit kept after the rosters for the coverage LP of their head counts
(:func:`optimizer.schedule.coverage_of`: about 1 s on the 4-week scale benchmark on a slow
machine, whose limit is 300 s)."""

HEURISTIC_SHARE = 0.08
"""Share of a roster's time given to the greedy heuristic whose roster is the MIP start
(at most ``HEURISTIC_MAX_SECONDS``).  The re-solves that follow gain more per second: on
the scale benchmark's Bogotá roster (140 s), a heuristic of 21 s and a MILP of 32 s left
the re-solves 80 s and ended 2.2% above the bound; 11 s and 15 s reached 1.9% after 72 s."""

HEURISTIC_MAX_SECONDS = 30.0

ROSTER_SEARCH_SHARE = 0.9
"""Share of a roster's time (after the heuristic) kept for neighbourhood re-solves
(:func:`optimizer.roster.neighbourhood_search`) when the full roster MILP ends without
reaching the gap; the MILP gets the rest.  The gap is measured against the LP relaxation's
bound, solved first (3.6 s on the scale benchmark's Bogotá roster, 5.0 s on Lisbon's): the
MILP's own bound was no higher there (129,312 after 11, 15 and 28 s, and the LP's), and
120 s of MILP alone ended 8.3% above it."""

ROSTER_WINDOW_DAYS = 5
"""Days per re-solve window of a roster, placed around a shift left short.  On the scale
benchmark's Bogotá roster (45 agents, 35 days), 150 s of such windows from the heuristic's
roster ended 1.4% above the bound with 4 shifts unstaffed; 4-day windows 4.2% with 11, and
the previous mix (random 8-day windows and groups of 7 agents) 5-6% with about 20."""

ROSTER_HIGHS_OPTIONS: dict[str, Any] = {"mip_heuristic_effort": 0.3}
"""HiGHS options of every roster solve after the heuristic (LP bound, MILP, re-solves): a
re-solve only pays when it finds a better roster, so HiGHS spends 30% of its search on
primal heuristics instead of the default 5%.  On the scale benchmark's Bogotá roster from
two saved schedules (125 s, six runs each, two at a time on two cores), the default ended
with 7-10 shifts unstaffed (mean 8.3, two runs within 2%), 0.3 with 4-9 (mean 6.5, four
within 2%); a second six, 0.3 against 0.6: 5-10 (five within 2%) and 6-9 (four), both a
mean of 7.2."""

RESOLVE_MIN_SECONDS = 5.0
"""Least time left after a roster's MILP for its neighbourhood re-solves to start; with
less, the MILP gets all of the roster's time after its LP bound."""

ROSTER_MIN_SHARE = 0.1
"""Least share of the time left that a roster is given, however few of the schedule's
agent-shifts it has.  Its share otherwise follows its agent-shifts, but a roster's worker
start-up, model build, LP bound and MILP do not shrink with them: on the scale benchmark
on a slow machine, Berlin's 23 agent-shifts (of 1,736) got 3.5 s, of which its worker's
start-up took 2.5 s, and its MILP had 0.1 s (2.33% gap; with 3 s it proves the optimum in
0.7 s).  A roster that reaches its gap early leaves the rest of its share to the others."""

FAIRNESS_WEIGHT_HOURS = 4.0
"""Penalty per weekend or night shift above an agent's fair share, in hours of pay."""

ROSTER_COLUMNS = ["agent", "team", "date", "start", "end", "breaks"]

_STATUS_ORDER = {
    SolveStatus.OPTIMAL: 0,
    SolveStatus.FEASIBLE: 1,
    SolveStatus.TIME_LIMIT: 2,
    SolveStatus.INFEASIBLE: 3,
    SolveStatus.ERROR: 4,
}


@dataclasses.dataclass(frozen=True, slots=True)
class _TeamRoster:
    """A team's roster problem and how its indices map back to dates and shifts."""

    team: Team
    problem: RosterProblem
    first_monday: dt.date
    shifts: tuple[tuple[str, float, str | None, float, bool], ...]
    """(start HH:MM, hours, break start HH:MM or None, break minutes, night) per shift type."""


def _dst_margin_minutes(team: Team, dates: list[dt.date]) -> float:
    """Largest change of the team's UTC offset over the dates (min): a rest margin so that
    a wall-clock rest rule still holds in real time across a daylight-saving change."""
    tz = zoneinfo.ZoneInfo(team.timezone)
    offsets = set()
    for d in dates:
        off = dt.datetime.combine(d, dt.time(12), tzinfo=tz).utcoffset()
        offsets.add(off.total_seconds() / 60 if off is not None else 0.0)
    return max(offsets) - min(offsets) if offsets else 0.0


def build_team_roster_problem(
    scenario: Scenario,
    team: Team,
    schedule: pd.DataFrame,
    columns: Sequence[ScheduleColumn] | None = None,
) -> _TeamRoster:
    """The roster problem of one ``shifts: optimize`` team for a schedule.

    Employees are ``<team>-001`` ... ``<team>-<agents>``; shift types are the templates the
    schedule uses for the team; day 0 is the Monday on or before the first local date (days
    before it are days off); cover = the schedule's head counts.  With ``columns`` (the
    schedule's, :attr:`ScheduleInputs.columns`), a shift type may only be worked on the days
    it is a column of the team: the first local day holds only the shifts that reach into
    the horizon, and a shift worked outside them would lie outside the plan.

    Parameters
    ----------
    scenario : Scenario
        The scenario (labour rules, costs).
    team : Team
        The team.
    schedule : pandas.DataFrame
        :attr:`ScheduleResult.schedule` (all teams; this team's rows are used).
    columns : sequence of ScheduleColumn, optional
        The schedule's columns (all teams); without them every shift type may be worked on
        every day from the first local date.

    Returns
    -------
    _TeamRoster
        The problem and its index maps.
    """
    rules = scenario.labor_rules
    rows = schedule[schedule["team"] == team.name]
    dates = team_local_dates(scenario)
    monday = dates[0] - dt.timedelta(days=dates[0].weekday())
    n_days = (dates[-1] - monday).days + 1
    shift_keys: dict[tuple[str, float], int] = {}
    shifts: list[tuple[str, float, str | None, float, bool]] = []
    for start, hours, b_start, b_min, night in zip(
        rows["start"],
        rows["hours"],
        rows["break_start"],
        rows["break_minutes"],
        rows["night"],
        strict=True,
    ):
        key = (str(start), float(hours))
        if key not in shift_keys:
            shift_keys[key] = len(shifts)
            shifts.append((key[0], key[1], b_start, float(b_min), bool(night)))
    order = sorted(range(len(shifts)), key=lambda k: (shifts[k][0], shifts[k][1]))
    shifts = [shifts[k] for k in order]
    shift_keys = {(s[0], s[1]): k for k, s in enumerate(shifts)}
    n_s = len(shifts)
    cover = np.zeros((n_days, n_s), dtype=np.int64)
    for date, start, hours, agents in zip(
        rows["date"], rows["start"], rows["hours"], rows["agents"], strict=True
    ):
        cover[(date - monday).days, shift_keys[(str(start), float(hours))]] += int(agents)
    minutes = np.array([round(s[1] * 60) for s in shifts], dtype=np.int64)
    start_min = np.array([time_of_day_minutes(s[0]) for s in shifts], dtype=np.float64)
    margin = _dst_margin_minutes(team, dates)
    rest = start_min[None, :] + 1440.0 - (start_min[:, None] + minutes[:, None])
    forbidden = rest < rules.min_rest_hours * 60 + margin - 1e-9
    employees = [f"{team.name}-{k + 1:03d}" for k in range(team.agents)]
    days_off = np.zeros((len(employees), n_days), dtype=bool)
    days_off[:, : (dates[0] - monday).days] = True
    longest = float(minutes.max(initial=60)) / 60.0
    optional: dict[str, Any] = {
        "shift_start_minute": start_min,
        "shift_night": np.array([s[4] for s in shifts], dtype=bool),
        "forbidden_successors": forbidden,
        "max_consecutive_shifts": float(rules.max_consecutive_days),
        "max_minutes_per_week": rules.max_hours_per_week * 60.0,
        "min_days_off_per_week": float(rules.min_days_off_per_week),
        "max_nights_per_week": float(rules.max_night_shifts_per_week),
        "days_off": days_off,
        "hourly_cost": team.hourly_cost,
        "cover_under_weight": UNDER_WEIGHT_SHIFTS * max(team.hourly_cost, 1.0) * longest,
        "cover_over_weight": 1.0,
    }
    if columns is not None:
        exists = np.zeros((n_days, n_s), dtype=bool)
        for c in columns:
            k = shift_keys.get((c.start, float(c.hours)))
            d = (c.date - monday).days
            if c.team == team.name and k is not None and 0 <= d < n_days:
                exists[d, k] = True
        optional["unavailable"] = np.broadcast_to(~exists, (len(employees), n_days, n_s)).copy()
    if rules.max_working_weekends is not None:
        optional["max_weekends"] = float(rules.max_working_weekends)
    if rules.min_hours_per_week > 0:
        # Contracted hours over the horizon's weeks.
        optional["min_minutes"] = rules.min_hours_per_week * 60.0 * scenario.horizon.weeks
    problem = RosterProblem.create(
        days=n_days,
        shift_ids=[f"{s[0]}/{s[1]:g}h" for s in shifts],
        shift_minutes=minutes,
        employee_ids=employees,
        cover_requirement=cover,
        name=f"roster:{team.name}",
        **optional,
    )
    return _TeamRoster(team=team, problem=problem, first_monday=monday, shifts=tuple(shifts))


def _add_fairness(m: pyo.ConcreteModel, p: RosterProblem, weight: float) -> None:
    """Weekends and nights above an agent's fair share cost a soft penalty:
    ww[e,k] >= w[e,d] (d in weekend k), over_w[e] >= sum_k ww[e,k] - ceil(W/E),
    over_n[e] >= sum_{d, s night} x[e,d,s] - ceil(N/E); objective + weight (over_w + over_n),
    where W and N are the weekends and night shifts the cover asks for."""
    n_e = p.n_employees
    if n_e == 0:
        return
    cover = np.asarray(p.cover_requirement)
    weekends = [tuple(d for d in (sat, sat + 1) if d < p.days) for sat in range(5, p.days, 7)]
    weekends = [w for w in weekends if cover[list(w)].sum() > 0]
    night = np.asarray(p.shift_night, dtype=bool)
    total_w = sum(int(cover[list(w)].sum(axis=1).max()) for w in weekends)
    total_n = int(cover[:, night].sum()) if night.any() else 0
    m.fair_weekend = pyo.Var(
        [(e, k) for e in range(n_e) for k in range(len(weekends))], bounds=(0, 1)
    )
    link = [
        (e, k, d, s)
        for e in range(n_e)
        for k, w in enumerate(weekends)
        for d in w
        for s, _ in m.work[e][d]
    ]
    m.fair_weekend_link = pyo.Constraint(
        link, rule=lambda m, e, k, d, s: m.x[e, d, s] <= m.fair_weekend[e, k]
    )
    m.fair_over = pyo.Var(range(n_e), ["weekends", "nights"], domain=pyo.NonNegativeReals)
    target_w = math.ceil(total_w / n_e)
    target_n = math.ceil(total_n / n_e)
    m.fair_weekends = pyo.Constraint(
        range(n_e),
        rule=lambda m, e: (
            pyo.quicksum(m.fair_weekend[e, k] for k in range(len(weekends))) - target_w
            <= m.fair_over[e, "weekends"]
        ),
    )

    def nights(m: pyo.ConcreteModel, e: int) -> Any:
        terms = [v for d in range(p.days) for s, v in m.work[e][d] if night[s]]
        if not terms:
            return pyo.Constraint.Skip
        return pyo.quicksum(terms) - target_n <= m.fair_over[e, "nights"]

    m.fair_nights = pyo.Constraint(range(n_e), rule=nights)
    m.objective.deactivate()
    m.fair_objective = pyo.Objective(
        expr=m.objective.expr + weight * pyo.quicksum(m.fair_over.values()),
        sense=pyo.minimize,
    )


def _unstaffed(p: RosterProblem, table: pd.DataFrame) -> int:
    """Scheduled agent-shifts a roster leaves empty."""
    staffed = np.zeros((p.days, p.n_shifts), dtype=np.int64)
    index = {sid: k for k, sid in enumerate(p.shift_ids)}
    for d, sid in zip(table["day"], table["shift"], strict=True):
        staffed[int(d), index[str(sid)]] += 1
    return int(np.maximum(np.asarray(p.cover_requirement) - staffed, 0).sum())


def _team_roster_model(p: RosterProblem, fairness_weight: float | None) -> pyo.ConcreteModel:
    """A team's roster model: the roster MILP, plus the fairness penalty with this weight
    per unit of spread (none when ``None``)."""
    # The sliding-window form of the consecutive-day rules solves these cover-driven rosters
    # faster than the run network (measured on plan_demo: optimum in 13 s against none in 30 s).
    model = build_model(p, runs="windows")
    if fairness_weight is not None:
        _add_fairness(model, p, fairness_weight)
    return model


def _solve_team_roster(
    tr: _TeamRoster,
    time_limit: float,
    mip_gap: float,
    threads: int | None,
    fairness: bool,
    workers: int = 1,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """Solve one team's roster from the greedy heuristic's roster as MIP start, with the
    re-solves on ``workers`` processes, within ``time_limit`` seconds of wall clock (the
    model build included); returns the solve record and the assignments (employee, day,
    shift) as a table (empty without a solution)."""
    p = tr.problem
    t0 = time.perf_counter()
    deadline = t0 + time_limit
    weight = FAIRNESS_WEIGHT_HOURS * max(tr.team.hourly_cost, 1.0) if fairness else None
    model = _team_roster_model(p, weight)
    build_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    greedy = greedy_roster(p, min(HEURISTIC_MAX_SECONDS, HEURISTIC_SHARE * time_limit))
    plan = plan_from_table(p, greedy)
    start_ok = bool(len(greedy)) and not roster_violations(p, plan).any()
    if start_ok:
        load_start(model, p, plan)
    heuristic_seconds = time.perf_counter() - t1
    left = max(1.0, deadline - time.perf_counter())
    # One HiGHS instance for the LP bound, the full MILP and every re-solve of this process.
    solves = FixedSolves(model, threads=threads, options=ROSTER_HIGHS_OPTIONS)
    lp_bound = solves.relaxation_bound(left / 2) if start_ok else None
    left = max(1.0, deadline - time.perf_counter())
    milp_seconds = left * (1 - ROSTER_SEARCH_SHARE)
    if not start_ok or left - milp_seconds < RESOLVE_MIN_SECONDS:
        milp_seconds = left  # no time for re-solves after it
    res = solves.solve([], milp_seconds, mip_gap=mip_gap)
    if start_ok and not res.has_solution:
        # HiGHS ran out of its share before taking the start (on a slow machine its
        # presolve alone can): the start, completed with every assignment fixed, is the
        # incumbent the re-solves improve.  A solve rather than ``roster_objective`` (as
        # in ``solve_roster``), since this model adds the fairness terms and variables.
        fixed = [(model.x[k], v) for k, v in assignments_of_model(model).items()]
        completed = solves.solve(fixed, max(1.0, deadline - time.perf_counter()))
        if completed.has_solution:
            res = dataclasses.replace(
                completed,
                status=SolveStatus.FEASIBLE,
                bound=None,
                gap=None,
                message=res.message + "; the re-solves start from the greedy heuristic's roster",
            )
    if lp_bound is not None and (res.bound is None or res.bound < lp_bound):
        gap = relative_gap(res.objective, lp_bound)
        status = res.status
        if status == SolveStatus.FEASIBLE and gap is not None and gap <= mip_gap:
            status = SolveStatus.OPTIMAL
        res = dataclasses.replace(res, bound=lp_bound, gap=gap, status=status)
    res = dataclasses.replace(
        res,
        build_seconds=build_seconds,
        solve_seconds=time.perf_counter() - t1 - heuristic_seconds,
    )
    message = res.message
    status, objective, gap = res.status, res.objective, res.gap
    left = deadline - time.perf_counter()
    if status == SolveStatus.FEASIBLE and objective is not None and left >= RESOLVE_MIN_SECONDS:
        bound = res.bound if res.bound is not None else -np.inf
        t2 = time.perf_counter()
        objective, rounds = parallel_neighbourhood_search(
            functools.partial(_team_roster_model, p, weight),
            model,
            p,
            objective,
            left,
            workers=workers,
            abs_gap=None,
            threads=threads,
            options=ROSTER_HIGHS_OPTIONS,
            target=bound + mip_gap * abs(bound),
            window=ROSTER_WINDOW_DAYS,
            by_employees=False,
            focus=True,
            solves=solves,
        )
        res = dataclasses.replace(res, solve_seconds=res.solve_seconds + time.perf_counter() - t2)
        gap = relative_gap(objective, res.bound)
        message += f"; then {rounds} neighbourhood re-solves" + on_processes(workers)
        if gap is not None and gap <= mip_gap:
            status = SolveStatus.OPTIMAL
            message += ", within the requested gap of the bound"
    table = pd.DataFrame(columns=["employee", "day", "shift"])
    if res.has_solution:
        table = table_from_plan(p, plan_of_model(model, p))
    elif start_ok:
        table = table_from_plan(p, plan)
        status, objective = SolveStatus.FEASIBLE, None
        message += "; the answer is the greedy heuristic's roster"
    elif res.status == SolveStatus.INFEASIBLE:
        # The plain roster model names the rule, team member or day that cannot hold.
        explained = solve_roster(
            p,
            time_limit=max(5.0, time_limit / 2),
            threads=threads,
            runs="windows",
            heuristic_seconds=0.0,
        )
        message = explained.message or message
    unstaffed = _unstaffed(p, table) if len(table) else None
    if unstaffed:
        message += (
            f"; {unstaffed} scheduled agent-shifts could not be staffed under the labour rules"
        )
    record = {
        "stage": p.name,
        "status": str(status),
        "objective": objective,
        "bound": res.bound,
        "gap": relative_gap(objective, res.bound) if objective is not None else gap,
        "build_seconds": res.build_seconds,
        "solve_seconds": res.solve_seconds + heuristic_seconds,
        "message": message,
        "unstaffed": unstaffed,
    }
    return record, table


def _solve_team_roster_until(
    tr: _TeamRoster,
    until: float,
    mip_gap: float,
    threads: int | None,
    fairness: bool,
    workers: int,
) -> tuple[dict[str, Any], pd.DataFrame]:
    """:func:`_solve_team_roster` until the wall-clock time ``until`` (``time.time()``,
    which, unlike ``perf_counter``, means the same in every process): a worker process's
    start-up counts against its roster's time."""
    return _solve_team_roster(
        tr, max(1.0, until - time.time()), mip_gap, threads, fairness, workers
    )


def _solve_rosters(
    problems: list[_TeamRoster],
    deadline: float,
    mip_gap: float,
    threads: int | None,
    fairness: bool,
    workers: int,
) -> list[tuple[dict[str, Any], pd.DataFrame]]:
    """Every team's roster by :func:`_solve_team_roster`, by ``deadline``
    (``perf_counter``); the records and assignments in the order of ``problems``.

    A roster's share of the time left follows its scheduled agent-shifts (at least one,
    and at least ``ROSTER_MIN_SHARE`` of the time left), and a roster that ends early
    leaves its time to the others.  With one process the rosters are solved one after
    another.  With more, the team rosters are independent
    problems, so they are solved at the same time, each in a worker process of its own: a
    roster that needs long is then not left with what the rosters before it did not use.
    When no roster waits for a process, a roster gets all of the time left; otherwise its
    share of the processes' time.  Each roster's re-solves run on ``workers`` processes, so
    that the cores the rosters done early leave idle go to those still searching (while
    several rosters re-solve at once they share the cores).  A roster whose worker fails
    is solved afterwards in this process, with the time left.
    """
    sizes = [max(1.0, float(np.asarray(tr.problem.cover_requirement).sum())) for tr in problems]

    def share_of(k: int, unfinished: list[int], processes: int, left: float) -> float:
        """Roster ``k``'s seconds of the ``left`` that ``processes`` share with the
        ``unfinished`` rosters (``k`` among them)."""
        if len(unfinished) <= processes:
            return max(1.0, left)
        share = left * processes * sizes[k] / sum(sizes[j] for j in unfinished)
        return max(1.0, min(left, max(share, ROSTER_MIN_SHARE * left)))

    def in_turn(indices: list[int], processes: int) -> None:
        for n, k in enumerate(indices):
            left = deadline - time.perf_counter()
            share = share_of(k, indices[n:], 1, left)
            results[k] = _solve_team_roster(
                problems[k], share, mip_gap, threads, fairness, processes
            )

    results: dict[int, tuple[dict[str, Any], pd.DataFrame]] = {}
    if workers < 2 or len(problems) < 2:
        in_turn(list(range(len(problems))), workers)
        return [results[k] for k in range(len(problems))]
    slots = min(workers, len(problems))
    pending = list(range(len(problems)))
    running: dict[Future[tuple[dict[str, Any], pd.DataFrame]], int] = {}
    failed: list[int] = []
    with spawn_pool(slots) as pool:
        while pending or running:
            while pending and len(running) < slots:
                k = pending.pop(0)
                left = deadline - time.perf_counter()
                share = share_of(k, [k, *pending, *running.values()], slots, left)
                until = time.time() + share
                try:
                    future = pool.submit(
                        _solve_team_roster_until,
                        problems[k],
                        until,
                        mip_gap,
                        threads,
                        fairness,
                        workers,
                    )
                except BrokenProcessPool:  # the pool is gone: the rest in this process
                    failed.extend([k, *pending])
                    pending.clear()
                    break
                running[future] = k
            if not running:
                break
            done, _ = wait(running, return_when=FIRST_COMPLETED)
            for future in done:
                k = running.pop(future)
                try:
                    results[k] = future.result()
                except Exception:  # a failed worker: this roster is solved again below
                    failed.append(k)
    for record, _ in results.values():
        record["message"] += f"; rostered at the same time as the other teams, on {slots} processes"
    in_turn(sorted(failed), 1)
    for k in failed:
        results[k][0]["message"] += "; solved in this process after its worker process failed"
    return [results[k] for k in range(len(problems))]


def _fmt(minute: float) -> str:
    mm = round(minute) % 1440
    return f"{mm // 60:02d}:{mm % 60:02d}"


def _roster_rows(
    scenario: Scenario, tr: _TeamRoster, assignments: pd.DataFrame
) -> tuple[list[dict[str, Any]], list[RosterEntry], float]:
    """Roster table rows, scenario roster entries and paid cost (with premiums)."""
    team = tr.team
    tz = zoneinfo.ZoneInfo(team.timezone)
    index = {sid: k for k, sid in enumerate(tr.problem.shift_ids)}
    dates = team_local_dates(scenario)
    team_holidays = holiday_dates(team.country, dates[0], dates[-1] + dt.timedelta(days=1))
    costs = scenario.costs
    rows: list[dict[str, Any]] = []
    entries: list[RosterEntry] = []
    total = 0.0
    for agent, day, sid in zip(
        assignments["employee"], assignments["day"], assignments["shift"], strict=True
    ):
        start, hours, b_start, b_min, _ = tr.shifts[index[sid]]
        date = tr.first_monday + dt.timedelta(days=int(day))
        start_min = time_of_day_minutes(start)
        local = dt.datetime.combine(date, dt.time(start_min // 60, start_min % 60), tzinfo=tz)
        begin = pd.Timestamp(local)
        end = (begin.tz_convert("UTC") + pd.Timedelta(hours=hours)).tz_convert(team.timezone)
        breaks = ""
        if b_start is not None and b_min > 0:
            breaks = f"{b_start}-{_fmt(time_of_day_minutes(b_start) + b_min)}"
        rows.append(
            {
                "agent": agent,
                "team": team.name,
                "date": date.isoformat(),
                "start": begin.isoformat(),
                "end": end.isoformat(),
                "breaks": breaks,
            }
        )
        entries.append(
            RosterEntry(
                agent=agent,
                date=date,
                start=start,
                hours=hours,
                break_start=b_start if b_min > 0 else None,
                break_minutes=b_min if b_start is not None else 0.0,
            )
        )
        minutes = hours * 60
        night, weekend, holiday = premium_minutes(date, start_min, minutes, team_holidays)
        premium = (
            night * costs.night_premium
            + weekend * costs.weekend_premium
            + holiday * costs.holiday_premium
        ) / minutes
        total += hours * team.hourly_cost * (1 + premium)
    return rows, entries, total


def _schedule_counts(sched: ScheduleResult) -> np.ndarray:
    """Agents per schedule column (team, template, local day) in the schedule."""
    index = {(c.team, c.date, c.start, c.hours): j for j, c in enumerate(sched.inputs.columns)}
    x = np.zeros(len(sched.inputs.columns))
    for team, date, start, hours, agents in zip(
        sched.schedule["team"],
        sched.schedule["date"],
        sched.schedule["start"],
        sched.schedule["hours"],
        sched.schedule["agents"],
        strict=True,
    ):
        x[index[(team, date, start, float(hours))]] += float(agents)
    return x


def _replace_counts(
    x: np.ndarray, sched: ScheduleResult, tr: _TeamRoster, assignments: pd.DataFrame
) -> None:
    """Put a team's rostered head counts in place of its scheduled ones in ``x``."""
    index = {
        (c.date, c.start, c.hours): j
        for j, c in enumerate(sched.inputs.columns)
        if c.team == tr.team.name
    }
    x[list(index.values())] = 0.0
    shift_of = {sid: k for k, sid in enumerate(tr.problem.shift_ids)}
    for day, sid in zip(assignments["day"], assignments["shift"], strict=True):
        start, hours = tr.shifts[shift_of[sid]][:2]
        date = tr.first_monday + dt.timedelta(days=int(day))
        x[index[(date, start, float(hours))]] += 1.0


def _schedule_record(res: ScheduleResult) -> dict[str, Any]:
    return {
        "stage": "schedule",
        "status": str(res.status),
        "objective": res.objective,
        "bound": res.bound,
        "gap": res.gap,
        "build_seconds": res.build_seconds,
        "solve_seconds": res.solve_seconds,
        "message": res.message,
        "unstaffed": None,
    }


@dataclasses.dataclass(frozen=True, slots=True)
class OptimizeResult:
    """Outcome of :func:`optimize_scenario`.

    Attributes
    ----------
    requirements : pandas.DataFrame
        Group requirements (see :func:`optimizer.schedule.group_requirements`).
    schedule : pandas.DataFrame
        ``team``, ``date``, ``start`` (local HH:MM), ``hours``, ``agents``, ``break_start``,
        ``break_minutes``, ``night``, ``cost``.
    coverage : pandas.DataFrame
        ``interval_start`` (UTC), ``group`` (see :func:`group_of_queue`), ``required``,
        ``scheduled`` (available agents the rosters give the group; the schedule's for a team
        whose roster failed), ``shortfall``.
    roster : pandas.DataFrame
        ``agent``, ``team``, ``date`` (local), ``start`` and ``end`` (ISO 8601 local time
        with its UTC offset), ``breaks`` (local ``HH:MM-HH:MM``, empty when none).
    solves : list of dict
        One per solve: ``stage`` ("schedule" or "roster:<team>"), ``status``, ``objective``,
        ``bound``, ``gap``, ``build_seconds``, ``solve_seconds``, ``message`` and
        ``unstaffed`` (scheduled agent-shifts the roster leaves empty; ``None`` for the
        schedule or without a roster).
    optimized : Scenario
        The input scenario with each optimized team given ``roster:`` entries.
    uncovered : list of dict
        Intervals the rosters leave short: ``group``, ``interval_start``, ``shortfall``.
    cost : float
        Paid cost of the optimized teams' rosters with premiums (currency).
    currency : str
        The scenario's currency.
    scenario_name : str
        The input scenario's name.
    """

    requirements: pd.DataFrame
    schedule: pd.DataFrame
    coverage: pd.DataFrame
    roster: pd.DataFrame
    solves: list[dict[str, Any]]
    optimized: Scenario
    uncovered: list[dict[str, Any]]
    cost: float
    currency: str
    scenario_name: str

    @property
    def status(self) -> SolveStatus:
        """The worst status over all solves."""
        statuses = [SolveStatus(s["status"]) for s in self.solves]
        return max(statuses, key=_STATUS_ORDER.__getitem__, default=SolveStatus.ERROR)

    @property
    def ok(self) -> bool:
        """Whether every solve produced a plan (optimal or feasible)."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary for ``optimize.json``.

        Returns
        -------
        dict
            ``scenario``, ``status``, ``objective`` (schedule), ``gap`` (largest over
            solves), ``seconds`` (total), ``solves``, ``cost`` {``currency``, ``total``},
            ``agents_rostered``, ``shifts_rostered``, ``unstaffed_shifts`` (scheduled
            agent-shifts the rosters leave empty), ``uncovered_intervals``,
            ``uncovered_agent_hours`` and ``uncovered`` (group, interval_start, shortfall).
        """
        gaps = [s["gap"] for s in self.solves if s["gap"] is not None]
        seconds = sum(s["build_seconds"] + s["solve_seconds"] for s in self.solves)
        interval_hours = (
            (self.coverage["interval_start"].iloc[1] - self.coverage["interval_start"].iloc[0])
            / pd.Timedelta(hours=1)
            if len(self.coverage) > 1
            else 0.0
        )
        return {
            "scenario": self.scenario_name,
            "status": str(self.status),
            "objective": self.solves[0]["objective"] if self.solves else None,
            "gap": max(gaps) if gaps else None,
            "seconds": seconds,
            "solves": [dict(s) for s in self.solves],
            "cost": {"currency": self.currency, "total": self.cost},
            "agents_rostered": int(self.roster["agent"].nunique()) if len(self.roster) else 0,
            "shifts_rostered": len(self.roster),
            "unstaffed_shifts": int(sum(s.get("unstaffed") or 0 for s in self.solves)),
            "uncovered_intervals": len(self.uncovered),
            "uncovered_agent_hours": float(
                sum(u["shortfall"] for u in self.uncovered) * interval_hours
            ),
            "uncovered": list(self.uncovered),
        }


def default_workers(scenario: Scenario) -> int:
    """Processes an optimisation uses when not told: this machine's cores (those this
    process may run on), at most one per ``shifts: optimize`` team, since the team rosters
    are what runs side by side (:func:`_solve_rosters`)."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(cores, sum(t.optimize_shifts for t in scenario.teams)))


def optimize_scenario(
    scenario: Scenario,
    time_limit: float = 120.0,
    *,
    mip_gap: float | None = None,
    threads: int | None = None,
    fairness: bool = True,
    requirement_boost: pd.DataFrame | None = None,
    templates_per_team: int | None = TEMPLATES_PER_TEAM,
    workers: int | None = None,
) -> OptimizeResult:
    """Schedule and roster every ``shifts: optimize`` team of a scenario.

    Steps: group requirements and the schedule MILP (a share ``SCHEDULE_TIME_SHARE`` of the
    time); per optimized team, a roster MILP, with the time left shared by the teams' sizes
    (see :func:`_solve_rosters`); the optimized scenario with each team's ``roster:``.

    Parameters
    ----------
    scenario : Scenario
        A scenario with at least one ``shifts: optimize`` team.
    time_limit : float, default 120.0
        Wall-clock budget of all stages, model building included (s): the schedule gets a
        share ``SCHEDULE_TIME_SHARE``, the rosters share what is left, and a share
        ``FINAL_RESERVE_SHARE`` is kept for the rosters' coverage LP.
    mip_gap : float, optional
        Relative gap at which each solve stops; by default the scenario's
        ``planning.mip_gap``.
    threads : int, optional
        HiGHS threads.
    fairness : bool, default True
        Add the soft penalty spreading weekends and nights evenly over each team's agents.
    requirement_boost : pandas.DataFrame, optional
        Agents to add to the schedule's requirement, e.g. where a simulation of an earlier
        plan missed its service level: columns ``interval_start`` (UTC Timestamp on the
        interval grid), ``group`` (a queue-group label, see :func:`group_of_queue`:
        ``"en/phone"``, or ``"en/email/tier2"`` above tier 1) and ``extra`` (available
        agents, may be fractional).
    templates_per_team : int or None, default ``TEMPLATES_PER_TEAM``
        Most shift templates (start, length) per team (see
        :func:`optimizer.schedule.solve_schedule`); ``None`` keeps all.
    workers : int, optional
        Processes for the schedule's day-window search and the rosters, this one included;
        by default :func:`default_workers`.  With two or more, the search runs on that many
        processes (see :func:`optimizer.schedule_search.improve_schedule`), and the team
        rosters are solved at the same time, one process each,
        and each roster's neighbourhood re-solves run on ``workers`` processes (see
        :func:`optimizer.roster_parallel.parallel_neighbourhood_search`); with one, the
        rosters are solved one after another.

    Returns
    -------
    OptimizeResult
        Always a value; see ``solves`` for each stage's status and words.

    Raises
    ------
    OptimizerError
        When no team has ``shifts: optimize``.
    """
    deadline = time.perf_counter() + time_limit * (1 - FINAL_RESERVE_SHARE)
    if mip_gap is None:
        mip_gap = scenario.planning.mip_gap
    processes = default_workers(scenario) if workers is None else workers
    sched = solve_schedule(
        scenario,
        time_limit * SCHEDULE_TIME_SHARE,
        mip_gap=mip_gap,
        threads=threads,
        templates_per_team=templates_per_team,
        requirement_boost=requirement_boost,
        workers=processes,
    )
    solves = [_schedule_record(sched)]
    teams = [t for t in scenario.teams if t.optimize_shifts]
    roster_rows: list[dict[str, Any]] = []
    new_teams: dict[str, Team] = {}
    cost = 0.0
    rostered = _schedule_counts(sched)
    coverage, uncovered = sched.coverage, sched.uncovered
    if sched.has_solution:
        problems = [
            build_team_roster_problem(scenario, team, sched.schedule, sched.inputs.columns)
            for team in teams
        ]
        solved = _solve_rosters(problems, deadline, mip_gap, threads, fairness, processes)
        for team, tr, (record, assignments) in zip(teams, problems, solved, strict=True):
            solves.append(record)
            rows, entries, team_cost = _roster_rows(scenario, tr, assignments)
            roster_rows.extend(rows)
            cost += team_cost
            if SolveStatus(record["status"]) in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
                new_teams[team.name] = team.model_copy(
                    update={"optimize_shifts": False, "shifts": [], "roster": entries}
                )
                _replace_counts(rostered, sched, tr, assignments)
        # What is reported is what will be simulated: the rosters' head counts.
        coverage, uncovered = coverage_of(sched.inputs, rostered)
    optimized = scenario.model_copy(
        update={"teams": [new_teams.get(t.name, t) for t in scenario.teams]}
    )
    roster = pd.DataFrame(roster_rows, columns=ROSTER_COLUMNS)
    if len(roster):
        roster = roster.sort_values(["team", "agent", "start"], kind="stable").reset_index(
            drop=True
        )
    return OptimizeResult(
        requirements=sched.requirements,
        schedule=sched.schedule,
        coverage=coverage,
        roster=roster,
        solves=solves,
        optimized=optimized,
        uncovered=uncovered,
        cost=cost,
        currency=scenario.costs.currency,
        scenario_name=scenario.name,
    )
