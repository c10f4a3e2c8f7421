"""Solve a roster problem: a complete start, the MILP from it, then neighbourhood re-solves.

:func:`solve_roster` is the one roster solver, used by ``optimize`` for every team and by
the Curtois-Qu benchmark:

1. **Start**: a roster that keeps every hard rule, in seconds: built week by week with one
   start time per person where the problem asks for stable starts and its weeks are small
   enough to solve as MILPs (:func:`optimizer.roster.weeks.week_by_week`), then improved
   (or, otherwise, found) by the annealing of :func:`optimizer.roster.start.start_roster`,
   whose objective counts every start time beyond a person's first in a week.
2. **Bound**: the LP relaxation of the MILP (:mod:`optimizer.roster.model`); and, for a
   problem small enough (``full_milp_assignments``), the MILP itself from the start, until
   the gap target or a node budget.  When no start keeps every rule, the whole MILP finds
   one, stopped at its :data:`FIRST_SOLUTIONS`-th improving roster.
3. **Neighbourhood re-solves** while the gap target is not met: each round frees a window
   of days (or a group of employees), fixes every other assignment to the best roster so
   far and re-solves the rest with its own node budget; a better roster is kept.  Rounds
   stop at the gap target, after ``stall_rounds`` rounds without gain, or after
   ``rounds``.

Every budget is a count (moves, nodes, rounds) drawn from seeded generators, so one
problem gives one roster on any machine; the time limit is only a safety net, and a result
it cut short says so.

Must not import ``reports``, ``sim`` or ``run_sim``.
"""

from __future__ import annotations

import dataclasses
import math
import random
import time

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from optimizer.roster.model import build_model, load_plan, plan_of_model
from optimizer.roster.objective import assignment_weights, objective_is_integral, plan_objective
from optimizer.roster.problem import IntArray, RosterProblem
from optimizer.roster.start import row_violations, start_roster
from optimizer.roster.weeks import OPTIONS, week_by_week
from optimizer.solver import (
    Limits,
    Session,
    SolveResult,
    SolveStatus,
    relative_gap,
    solve,
    start_of,
)

__all__ = ["RosterEffort", "RosterSolution", "cover_table", "solve_roster"]


FIRST_SOLUTIONS = 3
"""Improving rosters after which the whole MILP stops when it runs only because no start
kept every rule (the re-solves improve on the last of them)."""


@dataclasses.dataclass(frozen=True, slots=True)
class RosterEffort:
    """How much work a roster solve may do, in counts (the same on any machine).

    Attributes
    ----------
    gap : float
        Relative gap to the bound at which the solve is done.
    start_moves : int or None
        Moves of the start heuristic (default: its own, by problem size).
    nodes : int
        Branch-and-bound nodes of the full MILP.
    rounds : int
        Most neighbourhood re-solves.
    fill_rounds : int
        Re-solves given instead of ``rounds`` when the roster found before them leaves
        places in the cover empty; they stop once every place is staffed (so a roster
        costs the same re-solves, none, whether its start or a re-solve staffed it).
    stall_rounds : int
        Re-solves in a row without gain after which the search stops.
    round_nodes : int
        Nodes of each re-solve.
    window_days : int or None
        Days freed by a window re-solve (default: a third of the horizon, at least 3).
    seconds : float
        Wall-clock safety net of the whole solve (s).
    full_milp_assignments : int
        Largest problem (assignments that may be made) solved as one MILP: the whole
        problem, or each week of a start built week by week.  Larger problems, and problems
        asking for stable start times, go from the start to the re-solves.
    round_assignments : int
        Most assignments a re-solve frees: a window of fewer days, or a group of fewer
        people, in a problem where a whole window or group would free more.
    seed : int
        Seed of the start heuristic and of the neighbourhoods.
    """

    gap: float = 0.01
    start_moves: int | None = None
    nodes: int = 1000
    rounds: int = 10
    fill_rounds: int = 0
    stall_rounds: int = 5
    round_nodes: int = 30
    window_days: int | None = 3
    seconds: float = 600.0
    full_milp_assignments: int = 2500
    round_assignments: int = 2500
    seed: int = 0


@dataclasses.dataclass(frozen=True, slots=True)
class RosterSolution:
    """A roster solve's outcome: the result, the plan and how it was reached.

    ``plan`` is (E, D): the shift index worked, or ``OFF``; ``None`` without a roster.
    """

    problem: RosterProblem
    result: SolveResult
    plan: IntArray | None
    rounds: int = 0

    def assignments(self) -> pd.DataFrame:
        """One row per worked assignment: ``employee``, ``day``, ``shift`` (IDs)."""
        p, plan = self.problem, self.plan
        if plan is None:
            return pd.DataFrame(columns=["employee", "day", "shift"])
        ee, dd = np.nonzero(plan >= 0)
        return pd.DataFrame(
            {
                "employee": [p.employee_ids[e] for e in ee],
                "day": dd.astype(np.int64),
                "shift": [p.shift_ids[plan[e, d]] for e, d in zip(ee, dd, strict=True)],
            }
        )

    def unstaffed(self) -> int:
        """Places in the cover the roster leaves empty."""
        return int(cover_table(self.problem, self.plan)["under"].sum())


def _staffed(p: RosterProblem, plan: IntArray | None) -> IntArray:
    """People working each (day, shift type)."""
    staffed = np.zeros((p.days, p.n_shifts), dtype=np.int64)
    if plan is not None:
        ee, dd = np.nonzero(plan >= 0)
        np.add.at(staffed, (dd, plan[ee, dd]), 1)
    return staffed


def _under(p: RosterProblem, plan: IntArray) -> IntArray:
    """(D, S): places in the cover ``plan`` leaves empty."""
    return np.maximum(np.asarray(p.cover_requirement) - _staffed(p, plan), 0)


def cover_table(p: RosterProblem, plan: IntArray | None) -> pd.DataFrame:
    """Per day and shift type: ``requirement``, ``staffed``, ``under``, ``over``."""
    staffed = _staffed(p, plan)
    req = np.asarray(p.cover_requirement)
    days, shifts = np.meshgrid(np.arange(p.days), np.arange(p.n_shifts), indexing="ij")
    return pd.DataFrame(
        {
            "day": days.ravel(),
            "shift": [p.shift_ids[s] for s in shifts.ravel()],
            "requirement": req.ravel(),
            "staffed": staffed.ravel(),
            "under": np.maximum(req - staffed, 0).ravel(),
            "over": np.maximum(staffed - req, 0).ravel(),
        }
    )


def solve_roster(p: RosterProblem, effort: RosterEffort | None = None) -> RosterSolution:
    """Roster a problem: start, bound, MILP when small, neighbourhood re-solves (module
    docstring).

    Parameters
    ----------
    p : RosterProblem
        The problem.
    effort : RosterEffort, optional
        Budgets and the gap target.

    Returns
    -------
    RosterSolution
        Always a value; ``result.status`` says how the solve ended (``infeasible`` with the
        rule in words when no roster can keep every hard rule).
    """
    effort = effort or RosterEffort()
    t0 = time.perf_counter()
    deadline = t0 + effort.seconds
    integral = objective_is_integral(p)
    abs_gap = 1.0 - 1e-6 if integral else None
    model = build_model(p)
    session = Session(model, build_seconds=time.perf_counter() - t0)
    start: IntArray | None = None
    stable_starts = float(np.max(p.start_change_weight, initial=0.0)) > 0 and p.n_weeks > 0
    if stable_starts:
        # Each week's MILP is one problem: built week by week when the largest week is no
        # larger than a problem solved whole; otherwise the annealing alone starts.
        moves = effort.start_moves or 300 * p.n_employees * p.days
        built = None
        if _largest_week(p) <= effort.full_milp_assignments:
            built = week_by_week(p, model, session, effort.round_nodes, 0.5 * effort.seconds)
        start = start_roster(p, moves=moves, seed=effort.seed, initial=built)
        if start is None and built is not None and not row_violations(p, built).any():
            start = built
    if start is None:
        start = start_roster(p, moves=effort.start_moves, seed=effort.seed)
    start_seconds = time.perf_counter() - t0
    incumbent: IntArray | None = start
    best = plan_objective(p, start) if start is not None else math.inf
    bound = _cover_bound(p) if stable_starts else _relaxation_bound(model, deadline)
    nodes = 0
    message = ""
    whole = not stable_starts and len(model.X) <= effort.full_milp_assignments
    if whole or incumbent is None:
        # The whole MILP: from the start when the problem is small enough; otherwise only
        # when no start keeps every rule, stopped at its first few improving rosters.
        if start is not None:
            load_plan(model, start)
        limits = Limits(
            gap=effort.gap,
            abs_gap=abs_gap,
            nodes=effort.nodes,
            solutions=None if whole else FIRST_SOLUTIONS,
        )
        result = session.solve(
            limits.within(deadline - time.perf_counter()),
            start=start_of(model) if start is not None else (),
        )
        nodes = result.nodes
        if result.status == SolveStatus.INFEASIBLE:
            return _no_roster(p, result, t0)
        if result.has_plan:
            found = plan_of_model(model)
            value = plan_objective(p, found)
            if value < best - 1e-6:
                incumbent, best = found, value
        if result.bound is not None and (bound is None or result.bound > bound):
            bound = result.bound
        message = result.message
        if not whole:
            message = f"the start heuristic found no roster keeping every rule; MILP: {message}"
    rounds = 0
    ended = ""
    if incumbent is not None and not _done(best, bound, effort.gap, abs_gap):
        filling = effort.fill_rounds > effort.rounds and bool(_under(p, incumbent).any())
        if filling:
            effort = dataclasses.replace(effort, rounds=effort.fill_rounds)
        incumbent, best, rounds, ended = _neighbourhoods(
            p, session, incumbent, best, bound, effort, abs_gap, deadline, filling
        )
    seconds = time.perf_counter() - t0
    if incumbent is None:
        return RosterSolution(
            p,
            SolveResult(
                status=SolveStatus.NO_SOLUTION,
                build_seconds=session.build_seconds,
                solve_seconds=seconds - session.build_seconds,
                message=message or "no roster found within the budgets",
            ),
            None,
        )
    if integral:
        best = float(round(best))
        bound = None if bound is None else float(math.ceil(bound - 1e-6))
    done = _done(best, bound, effort.gap, abs_gap)
    origin = (
        f"start roster in {start_seconds:.1f} s"
        if start is not None
        else f"no start roster kept every rule ({start_seconds:.1f} s), the MILP found one"
    )
    cut_by_time = ended == "time" or time.perf_counter() >= deadline - 1e-3
    if done:
        status, stopped, words = SolveStatus.OPTIMAL, "gap", "within the gap target"
    else:
        status = SolveStatus.FEASIBLE
        stopped = "time" if cut_by_time else "rounds"
        if cut_by_time:
            words = f"time limit of {effort.seconds:.4g} s reached (a safety net)"
        elif rounds == 0:
            words = "stopped at the start (no re-solves in the budget)"
        elif ended == "staffed":
            words = f"every place staffed after {rounds} fill re-solve(s)"
        elif ended == "rounds":
            words = f"all {effort.rounds} re-solves done"
        else:
            words = f"no gain in {effort.stall_rounds} re-solves in a row"
    return RosterSolution(
        p,
        SolveResult(
            status=status,
            objective=best,
            bound=bound,
            gap=relative_gap(best, bound) if bound is not None else None,
            build_seconds=session.build_seconds,
            solve_seconds=seconds - session.build_seconds,
            stopped_by=stopped,
            nodes=nodes,
            message=f"{words}; {origin}, {rounds} re-solves",
        ),
        incumbent,
        rounds,
    )


def _no_roster(p: RosterProblem, result: SolveResult, t0: float) -> RosterSolution:
    """The outcome of a problem whose MILP is infeasible, with the rule in words."""
    return RosterSolution(
        p,
        dataclasses.replace(
            result,
            solve_seconds=time.perf_counter() - t0 - result.build_seconds,
            message=explain_infeasible(p),
        ),
        None,
    )


def _largest_week(p: RosterProblem) -> int:
    """Assignments that may be made in the problem's largest week."""
    allowed = p.allowed()
    return max((int(allowed[:, days, :].sum()) for days in p.week_days() if days), default=0)


def _cover_bound(p: RosterProblem) -> float:
    """A lower bound from the cover alone: every required place costs at least the least
    any allowed employee costs on it, or its shortfall penalty (soft terms counted as 0)."""
    coef, constant = assignment_weights(p)
    allowed = p.allowed()
    cheapest = np.where(allowed, coef, np.inf).min(axis=0)
    each = np.minimum(cheapest, np.asarray(p.cover_under_weight))
    return float(constant + (np.asarray(p.cover_requirement) * each).sum())


def _relaxation_bound(model: pyo.ConcreteModel, deadline: float) -> float | None:
    """The LP relaxation's optimum: a lower bound on every roster's objective."""
    relaxed = pyo.TransformationFactory("core.relax_integer_vars").create_using(model)
    result = solve(relaxed, Limits(gap=0.0).within(deadline - time.perf_counter()))
    return result.objective if result.status == SolveStatus.OPTIMAL else None


def _done(objective: float, bound: float | None, gap: float, abs_gap: float | None) -> bool:
    """Whether ``objective`` meets ``bound`` within the relative or absolute gap."""
    if bound is None or not math.isfinite(objective):
        return False
    if abs_gap is not None and objective - bound <= abs_gap:
        return True
    value = relative_gap(objective, bound)
    return value is not None and value <= gap + 1e-9


def _neighbourhoods(
    p: RosterProblem,
    session: Session,
    incumbent: IntArray,
    best: float,
    bound: float | None,
    effort: RosterEffort,
    abs_gap: float | None,
    deadline: float,
    filling: bool = False,
) -> tuple[IntArray, float, int, str]:
    """Re-solve windows of days and groups of employees around the best roster; when
    ``filling``, only until every place in the cover is staffed.  Returns the roster, its
    objective, the re-solves done and what ended them: ``gap``, ``time`` (the safety
    net), ``staffed``, ``rounds`` (all done) or ``stall`` (none gained in a row)."""
    model = session.model
    rng = random.Random(effort.seed + 1)
    # Each re-solve frees at most round_assignments: fewer days or people in a big problem.
    per_day = len(model.X) / max(1, p.days)
    per_person = len(model.X) / max(1, p.n_employees)
    window = effort.window_days or max(3, p.days // 3)
    window = max(1, min(p.days, window, int(effort.round_assignments // max(1.0, per_day))))
    group = max(2, min(p.n_employees, p.n_employees // 4))
    group = max(1, min(group, int(effort.round_assignments // max(1.0, per_person))))
    stall = rounds = 0
    limits = Limits(gap=0.0, abs_gap=abs_gap, nodes=effort.round_nodes)
    by_day: dict[int, list[tuple[int, int, int]]] = {}
    by_employee: dict[int, list[tuple[int, int, int]]] = {}
    for key in model.X:
        by_day.setdefault(key[1], []).append(key)
        by_employee.setdefault(key[0], []).append(key)
    ended = ""
    while True:
        if _done(best, bound, effort.gap, abs_gap):
            ended = "gap"
        elif time.perf_counter() >= deadline - 1.0:
            ended = "time"
        elif filling and not _under(p, incumbent).any():
            ended = "staffed"
        elif rounds >= effort.rounds:
            ended = "rounds"
        elif stall >= effort.stall_rounds:
            ended = "stall"
        if ended:
            break
        rounds += 1
        if rounds % 2:
            # A window around a day with an empty place, when there is one.
            empty = np.flatnonzero(_under(p, incumbent).any(axis=1))
            if len(empty):
                centre = int(empty[rng.randrange(len(empty))])
                d0 = min(max(0, centre - window // 2), p.days - window)
            else:
                d0 = rng.randrange(max(1, p.days - window + 1))
            free = {k for d in range(d0, d0 + window) for k in by_day.get(d, [])}
        else:
            chosen = rng.sample(range(p.n_employees), group)
            free = {k for e in chosen for k in by_employee.get(e, [])}
        load_plan(model, incumbent)
        for key in model.X:
            if key not in free:
                model.x[key].fix()
        result = session.solve(
            limits.within(deadline - time.perf_counter()), start=start_of(model), options=OPTIONS
        )
        gained = False
        if result.has_plan:
            found = plan_of_model(model)
            value = plan_objective(p, found)
            if value < best - 1e-6 and not row_violations(p, found).any():
                incumbent, best, gained = found, value, True
        for key in model.X:
            model.x[key].unfix()
        stall = 0 if gained else stall + 1
    load_plan(model, incumbent)
    return incumbent, best, rounds, ended


def explain_infeasible(p: RosterProblem) -> str:
    """Words for a problem whose hard rules cannot all hold: employees whose own rules
    leave no roster (found by a solve per employee), else a general sentence."""
    guilty: list[str] = []
    for e, eid in enumerate(p.employee_ids):
        alone = p.only(e)
        outcome = Session(build_model(alone)).solve(Limits(gap=1.0, nodes=50, seconds=30))
        if outcome.status == SolveStatus.INFEASIBLE:
            guilty.append(eid)
    if guilty:
        shown = ", ".join(guilty[:5]) + (" and others" if len(guilty) > 5 else "")
        return (
            f"no roster keeps every hard rule: employee(s) {shown} cannot meet their own "
            "rules (check their minimum hours against days off, leave and maximum runs)"
        )
    return (
        "no roster keeps every hard rule, though each employee alone could: the rules and "
        "the fixed days leave no way to combine them"
    )
