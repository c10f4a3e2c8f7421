"""Solve the schedule: a bound from the whole horizon's root, then whole people week by week.

:func:`solve_schedule`:

1. **Bound**: the root of the whole horizon's MILP (its LP with HiGHS's cuts), a lower bound
   on any plan's cost; its own plan, when it finds one, is a candidate.  A repair, which
   only adds caps, passes the first schedule's bound instead.
2. **Week by week**: for each week in turn, a MILP decides that week's columns in whole
   people, with the weeks before it fixed (their shifts count as supply and use up their
   share of every cap that spans weeks: rest between days, runs of days, weekends, crew
   sizes) and the first days of the next week relaxed as a look-ahead (so the plan does not
   end each week as if nothing came next).  A week pays for the intervals no later
   column reaches, so its gap is that of its own decisions.  Each week stops at the gap
   target or a node budget.
3. **Re-solves**: each crew's week in turn is solved again in whole people, every other
   column fixed and the plan so far as its start, so a re-solve can only lower the cost;
   passes over all crews and weeks go on until one gains less than a tenth of the gap
   target, or a count of passes.  A week's MILP weighs all crews at once and ends on its
   node budget far from its own bound; one crew's week with the rest fixed is small
   enough to be solved close to its bound.
4. **Evaluation**: the cost and shortfall of both candidates, from an LP with the head counts
   fixed; the cheaper is the plan, its gap measured against the bound of step 1.

Step 1 does not depend on steps 2 and 3: given a second process, it runs beside them.

Every budget is a count, so one scenario gives one schedule on any machine; the time
limit is a safety net, and a plan it cut short says so.

Must not import ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import contextlib
import dataclasses
import time
from concurrent.futures import Future

import numpy as np
import pandas as pd
import pyomo.environ as pyo

from optimizer.schedule.inputs import ScheduleInputs, restrict
from optimizer.schedule.model import build_model, column_values
from optimizer.solver import (
    Limits,
    Session,
    SolveResult,
    SolveStatus,
    process_pool,
    relative_gap,
    solve,
    start_of,
)
from scenarios.types import format_time_of_day

__all__ = ["ScheduleEffort", "ScheduleSolution", "evaluate", "solve_schedule"]


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleEffort:
    """Budgets of a schedule solve, in counts.

    Attributes
    ----------
    gap : float
        Relative gap at which each week's MILP is done.
    nodes : int
        Branch-and-bound nodes of each week's MILP.
    lookahead_days : int
        Days of the next week relaxed into each week's MILP.
    passes : int
        Most passes of re-solves over every crew's weeks (0: none).
    resolve_nodes : int
        Branch-and-bound nodes of each re-solve.
    seconds : float
        Safety net for the whole schedule (s).
    """

    gap: float = 0.01
    nodes: int = 20
    lookahead_days: int = 2
    passes: int = 1
    resolve_nodes: int = 30
    seconds: float = 600.0


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleSolution:
    """A schedule: people per column, how it was found, and what it leaves uncovered.

    Attributes
    ----------
    inputs : ScheduleInputs
        The problem.
    people : ndarray, (J,)
        People on each column.
    result : SolveResult
        Objective (the plan's cost with its penalties), the LP bound and the gap.
    weeks : list of SolveResult
        Each week's MILP.
    shortfall : ndarray, (G, T)
        Available agents short per group and interval.
    served : ndarray, (G, T)
        Available agents of the requirement the plan covers, per group and interval.
    sizes : ndarray, (K,)
        People per crew (with ``--size-teams``, the sizes chosen).
    pay : float
        Pay of the plan, premiums included (currency).
    """

    inputs: ScheduleInputs
    people: np.ndarray
    result: SolveResult
    weeks: list[SolveResult]
    shortfall: np.ndarray
    served: np.ndarray
    sizes: np.ndarray
    pay: float

    def table(self) -> pd.DataFrame:
        """One row per column with people: ``team``, ``crew``, ``date``, ``start`` (local),
        ``hours``, ``agents``, ``break_start``, ``break_minutes``, ``night``, ``cost``."""
        rows = []
        for j in np.flatnonzero(self.people > 0.5):
            c = self.inputs.columns[j]
            crew = self.inputs.crews[c.crew]
            b = c.start_minute + c.break_offset
            rows.append(
                {
                    "team": crew.team,
                    "crew": crew.name,
                    "date": c.date,
                    "start": c.start,
                    "hours": c.hours,
                    "agents": round(self.people[j]),
                    "break_start": format_time_of_day(b) if c.break_minutes else None,
                    "break_minutes": c.break_minutes,
                    "night": c.night,
                    "cost": c.cost * round(self.people[j]),
                }
            )
        columns = [
            "team", "crew", "date", "start", "hours", "agents",
            "break_start", "break_minutes", "night", "cost",
        ]  # fmt: skip
        return pd.DataFrame(rows, columns=columns)

    def coverage(self) -> pd.DataFrame:
        """Per interval and group: ``required``, ``scheduled`` and ``shortfall`` (agents)."""
        p = self.inputs
        n_g, n_t = p.requirement.shape
        return pd.DataFrame(
            {
                "interval_start": np.tile(p.interval_starts, n_g),
                "group": np.repeat(p.groups, n_t),
                "required": p.requirement.ravel(),
                "scheduled": self.served.ravel(),
                "shortfall": self.shortfall.ravel(),
            }
        )


MILP_OPTIONS = {"mip_pscost_minreliable": 0, "mip_pool_soft_limit": 100}
"""HiGHS options of the weekly MILPs: no strong branching and a small cut pool, since
their gap lies on the plan's side, which HiGHS's heuristics close at the root."""


def _timed(
    inputs: ScheduleInputs, integer: bool, limits: Limits, options: dict[str, int] | None = None
) -> tuple[SolveResult, pyo.ConcreteModel]:
    """Build and solve a model."""
    t0 = time.perf_counter()
    model = build_model(inputs, integer=integer)
    return solve(model, limits, build_seconds=time.perf_counter() - t0, options=options), model


def evaluate(
    inputs: ScheduleInputs, people: np.ndarray, sizes: np.ndarray | None = None
) -> tuple[float, np.ndarray, np.ndarray]:
    """Cost (with penalties), shortfall and service (G, T) of given head counts, from the
    schedule's LP with the head counts fixed (the flows and start groups at their best)."""
    p = inputs
    if p.size_crews and sizes is not None:
        p = dataclasses.replace(p, size_floor=np.asarray(sizes, dtype=np.float64))
    model = build_model(p, integer=False)
    for j in model.J:
        model.x[j].fix(float(people[j]))
    if p.size_crews:
        for k in model.K:
            model.size[k].fix(float(model.size[k].lb))
    result = solve(model, Limits(gap=0.0, seconds=600.0))
    n_g, n_t = p.requirement.shape
    short = np.zeros((n_g, n_t))
    served = np.zeros((n_g, n_t))
    if not result.has_plan:
        return float("inf"), p.requirement.copy(), served
    for g, t in model.N:
        short[g, t] = model.short[g, t].value or 0.0
    served = np.maximum(p.requirement - short, 0.0)
    return float(result.objective or 0.0), short, served


def _root(
    inputs: ScheduleInputs, gap: float, seconds: float
) -> tuple[SolveResult, np.ndarray | None]:
    """The whole horizon's root (module docstring, step 1): its result, and its plan when
    it found one."""
    root, whole = _timed(inputs, True, Limits(gap=gap, nodes=1, seconds=seconds), MILP_OPTIONS)
    return root, column_values(whole) if root.has_plan else None


def _by_week(
    inputs: ScheduleInputs, effort: ScheduleEffort, deadline: float
) -> tuple[np.ndarray, np.ndarray, list[SolveResult]]:
    """Whole people week by week (module docstring, step 2): people per column, crew
    sizes and each week's result."""
    weeks = inputs.column_weeks()
    n_weeks = inputs.n_weeks
    first = min((c.date for c in inputs.columns), default=None)
    offset = np.array(
        [(c.date - first).days if first is not None else 0 for c in inputs.columns], dtype=int
    )
    # Day of each column within its week (the day before the horizon counts as day 0).
    in_week = np.maximum(0, offset - 1 - 7 * weeks)
    people = np.zeros(inputs.n_columns)
    sizes = inputs.crew_size.copy()
    results: list[SolveResult] = []
    for w in range(n_weeks):
        free = (weeks == w) | ((weeks == w + 1) & (in_week < effort.lookahead_days))
        window, index = restrict(
            inputs,
            free,
            people,
            integer=weeks == w,
            size_floor=sizes if inputs.size_crews else None,
            later=(weeks > w) & ~free,
        )
        limits = Limits(gap=effort.gap, nodes=effort.nodes).within(deadline - time.perf_counter())
        result, model = _timed(window, True, limits, options=MILP_OPTIONS)
        results.append(result)
        if not result.has_plan:
            continue
        values = column_values(model)
        decided = weeks[index] == w
        people[index[decided]] = values[decided]
        if inputs.size_crews:
            sizes = np.maximum(sizes, [round(model.size[k].value or 0) for k in model.K])
    return people, sizes, results


def _resolve_window(
    inputs: ScheduleInputs,
    free: np.ndarray,
    people: np.ndarray,
    sizes: np.ndarray,
    effort: ScheduleEffort,
    seconds: float,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """One crew-week re-solved, every other column fixed at ``people``: its columns' new
    people, the crew sizes and what it saved, or ``None`` when it found nothing cheaper."""
    deadline = time.perf_counter() + seconds
    window, index = restrict(inputs, free, people, size_floor=sizes if inputs.size_crews else None)
    model = build_model(window)
    session = Session(model)
    # The window's cost as the plan stands: its columns fixed at their people.
    fixed = [*model.x.values(), *(model.size.values() if inputs.size_crews else ())]
    for j in model.J:
        model.x[j].fix(float(people[index[j]]))
    for q in model.K if inputs.size_crews else ():
        model.size[q].fix(float(model.size[q].lb))
    now = session.solve(Limits(gap=0.0).within(seconds))
    for v in fixed:
        v.unfix()
    if not now.has_plan or now.objective is None:
        return None
    limits = Limits(gap=effort.gap, nodes=effort.resolve_nodes)
    result = session.solve(
        limits.within(deadline - time.perf_counter()), start=start_of(model), options=MILP_OPTIONS
    )
    if not result.has_plan or result.objective is None or result.objective >= now.objective - 1e-6:
        return None
    grown = sizes
    if inputs.size_crews:
        grown = np.maximum(sizes, [round(model.size[q].value or 0) for q in model.K])
    return column_values(model), grown, now.objective - result.objective


def _resolve(
    inputs: ScheduleInputs,
    people: np.ndarray,
    sizes: np.ndarray,
    objective: float,
    effort: ScheduleEffort,
    deadline: float,
) -> tuple[np.ndarray, np.ndarray, int, bool]:
    """Re-solve each crew's week with every other column fixed (module docstring, step 3),
    from a plan costing ``objective``: people per column, crew sizes, the number of
    re-solves that lowered the cost, and whether the ``deadline`` (a safety net) cut them
    short."""
    weeks = inputs.column_weeks()
    crew_of = np.array([c.crew for c in inputs.columns], dtype=np.int64)
    people, sizes = people.copy(), sizes.copy()
    gained = 0
    for _ in range(effort.passes):
        saved = 0.0
        for w in range(inputs.n_weeks):
            for k in range(len(inputs.crews)):
                free = (weeks == w) & (crew_of == k)
                left = deadline - time.perf_counter()
                if not free.any() or left <= 0:
                    continue
                found = _resolve_window(inputs, free, people, sizes, effort, left)
                if found is None:
                    continue
                people[free], sizes, cut = found
                saved += cut
                gained += 1
        objective -= saved
        if saved <= effort.gap / 10 * abs(objective):
            break
    return people, sizes, gained, time.perf_counter() >= deadline


def solve_schedule(
    inputs: ScheduleInputs,
    effort: ScheduleEffort | None = None,
    *,
    bound: float | None = None,
    workers: int = 1,
) -> ScheduleSolution:
    """Solve the schedule (module docstring).

    Parameters
    ----------
    inputs : ScheduleInputs
        The problem (see :func:`optimizer.schedule.inputs.build_inputs`).
    effort : ScheduleEffort, optional
        Gap target, node budget and safety net.
    bound : float, optional
        A lower bound already known (that of a problem this one restricts): step 1 is
        skipped and this bound is used.
    workers : int, default 1
        Processes: with two or more, step 1 runs in a process of its own beside step 2
        (the same schedule, sooner).

    Returns
    -------
    ScheduleSolution
    """
    effort = effort or ScheduleEffort()
    t0 = time.perf_counter()
    deadline = t0 + effort.seconds
    candidate: np.ndarray | None = None
    build_first = 0.0
    # The root's pool, when the root runs aside, closes once its result is in.
    with contextlib.ExitStack() as aside:
        pending: Future[tuple[SolveResult, np.ndarray | None]] | None = None
        if bound is None and workers > 1:
            pending = aside.enter_context(process_pool(1)).submit(
                _root, inputs, effort.gap, effort.seconds
            )
        elif bound is None:
            root, candidate = _root(inputs, effort.gap, effort.seconds)
            bound, build_first = root.bound, root.build_seconds
        people, sizes, results = _by_week(inputs, effort, deadline)
        weekly = evaluate(inputs, people, sizes if inputs.size_crews else None)
        gained, cut = 0, False
        if effort.passes > 0 and np.isfinite(weekly[0]):
            better, better_sizes, gained, cut = _resolve(
                inputs, people, sizes, weekly[0], effort, deadline
            )
        if pending is not None:
            root, candidate = pending.result()
            bound = root.bound
    objective, shortfall, served = weekly
    if gained:
        found = evaluate(inputs, better, better_sizes if inputs.size_crews else None)
        if found[0] < objective:
            people, sizes = better, better_sizes
            objective, shortfall, served = found
    chosen = ""
    if candidate is not None and not inputs.size_crews:
        other = evaluate(inputs, candidate)
        if other[0] < objective - 1e-6:
            people = candidate
            objective, shortfall, served = other
            chosen = "; the whole horizon's root plan was cheaper than the weekly one"
    pay = float(sum(c.cost * people[j] for j, c in enumerate(inputs.columns)))
    seconds = time.perf_counter() - t0
    statuses = [r.status for r in results]
    if not results or any(not s.has_plan for s in statuses):
        failed = next((r for r in results if not r.has_plan), None)
        status = failed.status if failed is not None else SolveStatus.ERROR
        message = f"week {statuses.index(status) + 1}: {failed.message}" if failed else "no weeks"
    else:
        gap = relative_gap(objective, bound)
        within = gap is not None and gap <= effort.gap + 1e-9
        status = SolveStatus.OPTIMAL if within else SolveStatus.FEASIBLE
        stopped = [r.stopped_by for r in results if r.stopped_by not in ("gap", "")]
        message = (
            (
                f"{len(results)} week(s) in whole people; gap {gap:.2%} to the root bound"
                if gap is not None
                else f"{len(results)} week(s) in whole people"
            )
            + (f"; {gained} crew-week re-solve(s) lowered the cost" if gained else "")
            + chosen
        )
        if cut:
            message += "; the re-solves were cut by the time limit (a safety net)"
        if "time" in stopped:
            message += "; a week was cut by the time limit (a safety net)"
        elif stopped:
            message += f"; {len(stopped)} week(s) stopped by their node budget"
    return ScheduleSolution(
        inputs=inputs,
        people=people,
        result=SolveResult(
            status=status,
            objective=objective if np.isfinite(objective) else None,
            bound=bound,
            gap=relative_gap(objective, bound),
            build_seconds=build_first + sum(r.build_seconds for r in results),
            solve_seconds=seconds - build_first - sum(r.build_seconds for r in results),
            stopped_by="gap" if status == SolveStatus.OPTIMAL else "",
            nodes=sum(r.nodes for r in results),
            message=message,
        ),
        weeks=results,
        shortfall=shortfall,
        served=served,
        sizes=np.asarray(sizes, dtype=np.float64),
        pay=pay,
    )
