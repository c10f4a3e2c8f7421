"""A stable start roster, built week by week: each person keeps one start time a week.

For rosters whose problem asks for stable start times (``start_change_weight`` > 0), the
start is built one week at a time:

1. the week's shifts are grouped by start time, and each start group is given as many
   people as its busiest day needs and as its days need in all (a person works at most the
   days the weekly days-off rule leaves);
2. people are placed in groups, each in the group of their previous week when it still has
   room, the others where room is left (people on leave all week in none), but never in a
   group whose days, with its neighbours', are fewer than the shifts their weekly minimum
   hours take; each may also take the start times next to their own group's, and people
   left without a group any;
3. the roster MILP, with every earlier day fixed, every later day off and each person
   limited to those shifts, says who works which of the week's shifts, a second start
   time costing what the problem says (a small problem: a few hundred assignments);
4. the week's MILP again, from that roster, with every start time open to everyone: a
   second start time now competes with the rest of the objective (fair weekends, say).

The result keeps every hard rule (it is a MILP solution) and has one start time a week
for nearly everyone; the roster solver improves it further.

Must not import ``reports``, ``sim`` or ``run_sim``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pyomo.environ as pyo

from optimizer.roster.model import load_plan, plan_of_model
from optimizer.roster.problem import OFF, IntArray, RosterProblem
from optimizer.solver import Limits, Session, start_of
from scenarios.labor import shifts_for_hours

__all__ = ["week_by_week"]

OPTIONS = {"mip_pscost_minreliable": 0, "mip_pool_soft_limit": 100}
"""HiGHS options of the weekly solves (small models: no strong branching, few cuts)."""


def _windows(p: RosterProblem) -> list[list[int]]:
    """Days solved together: each week, with the days in no week before the first week
    joined to it (and days after the last week joined to the last)."""
    weeks = [list(days) for days in p.week_days()]
    if not weeks:
        return [list(range(p.days))]
    loose = [d for d in range(p.days) if p.week_of_day[d] < 0]
    for d in loose:
        if d < weeks[0][0]:
            weeks[0].insert(0, d)
        else:
            weeks[-1].append(d)
    for w in weeks:
        w.sort()
    return weeks


def _group_sizes(p: RosterProblem, days: list[int], groups: IntArray, n_groups: int) -> IntArray:
    """People each start group needs in a window: its busiest day, and its days of work
    over what one person may work in the window."""
    cover = np.asarray(p.cover_requirement)
    demand = np.zeros((n_groups, len(days)), dtype=np.int64)
    for i, d in enumerate(days):
        np.add.at(demand[:, i], groups, cover[d])
    off = float(np.median(p.min_days_off_per_week)) if p.n_employees else 0.0
    per_person = max(1.0, 7.0 - off)
    need = np.maximum(
        demand.max(axis=1, initial=0), np.ceil(demand.sum(axis=1) / per_person - 1e-9)
    )
    return need.astype(np.int64)


def _place(
    p: RosterProblem,
    days: list[int],
    need: IntArray,
    previous: list[int | None],
) -> list[set[int]]:
    """Each person's start groups for the window (module docstring, step 2)."""
    groups = p.start_groups()
    n_groups = len(need)
    away = np.asarray(np.asarray(p.days_off)[:, days].all(axis=1), dtype=bool)
    # Days each group and its neighbours offer work, against the shifts each person must
    # work to reach their weekly minimum: a group offering fewer takes nobody.
    offered = np.zeros((n_groups, len(days)), dtype=bool)
    for i, d in enumerate(days):
        open_ = ~np.asarray(p.unavailable, dtype=bool)[:, d, :].all(axis=0)
        offered[groups[open_], i] = True
    near = offered.copy()
    near[1:] |= offered[:-1]
    near[:-1] |= offered[1:]
    room_days = near.sum(axis=1)
    week = max((int(p.week_of_day[d]) for d in days), default=-1)
    longest = float(np.max(p.shift_minutes, initial=60)) / 60.0
    least = [
        shifts_for_hours(float(p.min_minutes_per_week[e, week]) / 60.0, longest)
        if week >= 0 and p.n_weeks
        else 0
        for e in range(p.n_employees)
    ]
    room = need.copy()
    placed: list[set[int]] = [set() for _ in range(p.n_employees)]
    order = [e for e in range(p.n_employees) if not away[e]]
    for e in order:
        g = previous[e]
        if g is not None and room[g] > 0 and room_days[g] >= least[e]:
            placed[e].add(g)
            room[g] -= 1
    for e in order:
        if placed[e]:
            continue
        fits = np.where(room_days >= least[e], room, 0)
        if not fits.any():
            continue
        g = int(np.argmax(fits))
        placed[e].add(g)
        room[g] -= 1
    # Each person may also take the start times next to their own (the MILP chooses, at
    # the cost of a second start time), and people without a group may take any.
    for e in order:
        if not placed[e]:
            placed[e] = set(range(n_groups))
            continue
        g = next(iter(placed[e]))
        placed[e] |= {h for h in (g - 1, g + 1) if 0 <= h < n_groups}
    return placed


def week_by_week(
    p: RosterProblem, model: pyo.ConcreteModel, session: Session, nodes: int, seconds: float
) -> IntArray:
    """A roster built week by week with one start group per person (module docstring).

    Parameters
    ----------
    p : RosterProblem
        The problem (``model.problem``).
    model : pyomo.environ.ConcreteModel
        Its roster MILP (:func:`optimizer.roster.model.build_model`), loaded in ``session``.
    session : Session
        The HiGHS session of ``model``.
    nodes : int
        Nodes of each week's solve.
    seconds : float
        Safety net for all the weeks together (s).

    Returns
    -------
    ndarray of int, (E, D)
        The roster (``OFF`` on days not worked).  Weeks whose solve found nothing stay off.
    """
    groups = p.start_groups()
    n_groups = int(groups.max(initial=-1)) + 1
    plan = np.full((p.n_employees, p.days), OFF, dtype=np.int64)
    previous: list[int | None] = [None] * p.n_employees
    windows = _windows(p)
    per_week = seconds / max(1, len(windows))
    for days in windows:
        need = _group_sizes(p, days, groups, n_groups)
        placed = _place(p, days, need, previous)
        inside = set(days)
        first, last = min(days), max(days)
        load_plan(model, plan)
        # Minimum hours of weeks not built yet cannot hold while their days are off.
        later = _minimums_after(model, p, last)
        for row in later:
            row.deactivate()
        limits = Limits(gap=0.0, abs_gap=0.999, nodes=nodes, seconds=per_week)
        outside = []
        for e, d, s in model.X:
            if d in inside and int(groups[s]) in placed[e]:
                continue
            model.x[e, d, s].fix(1.0 if d < first and plan[e, d] == s else 0.0)
            if d in inside:
                outside.append((e, d, s))
        restricted = session.solve(limits, start=start_of(model), options=OPTIONS)
        # Then every start time open to everyone, from that roster: the week's MILP trades
        # a second start time against the rest of the objective (fair weekends, say).
        for key in outside:
            model.x[key].unfix()
        result = session.solve(limits, start=start_of(model), options=OPTIONS)
        if not result.has_plan and restricted.has_plan:
            result = restricted
        if result.has_plan:
            found = plan_of_model(model)
            plan[:, days] = found[:, days]
        for key in model.X:
            model.x[key].unfix()
        for row in later:
            row.activate()
        for e in range(p.n_employees):
            worked = [int(groups[plan[e, d]]) for d in days if plan[e, d] >= 0]
            if worked:
                previous[e] = max(set(worked), key=worked.count)
    return plan


def _minimums_after(model: pyo.ConcreteModel, p: RosterProblem, last: int) -> list[Any]:
    """Rows of minimum minutes (per week after day ``last``, and over the horizon)."""
    rows: list[Any] = []
    weeks = p.week_days()
    for (e, k), row in model.weekly_minutes.items():
        if weeks[k] and min(weeks[k]) > last and p.min_minutes_per_week[e, k] > 0:
            rows.append(row)
    for e, row in model.total_minutes.items():
        if p.min_minutes[e] > 0:
            rows.append(row)
    return rows
