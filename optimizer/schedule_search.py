"""Large-neighbourhood search for the schedule MILP.

Role: find a schedule (integer agents per column) by solving small parts of it with HiGHS.
A part is a window of local days (all teams, or one team over a longer window): every column
outside it keeps its head count, and the columns inside are solved again with HiGHS from the
current values as MIP start.  Given the head counts, the flows and shortfall of one interval
do not depend on any other interval, so the part of the objective a window can change is the
cost of its own columns plus the shortfall penalty of the intervals they cover; the
sub-problem (:func:`window_problem`) holds exactly that, which keeps it a few hundred integer
variables however long the horizon is.

Why: on a month of 30-minute intervals with hourly templates HiGHS on the full MILP spends
its time on node LPs of the whole month and its plans stay 7% or more above the bound after
100 s; one local day is a MILP of about a hundred integer columns, whose plans HiGHS brings
within a few percent of that day's own bound in a few seconds.  HiGHS solves each window on
one core, so on a machine with more, the days are cut into parts searched side by side,
one worker process each (:func:`improve_schedule`'s ``workers``): every cap is a cap of one
team's columns over a few days, and a part may use only its share of the slack of the caps
it shares with another, so the parts' plans put together keep every cap.

Must not import: ``reports``, ``run_sim``, SimPy.  Must not print or write files.
"""

from __future__ import annotations

import dataclasses
import itertools
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import numpy as np
import numpy.typing as npt
from scipy import sparse

from optimizer.result import SolveResult, SolveStatus, limit_reached, relative_gap
from optimizer.roster_parallel import on_processes, spawn_pool
from optimizer.schedule import (
    Cap,
    FloatArray,
    IntArray,
    MaxCap,
    ScheduleInputs,
    serve_given,
    solve_covering,
    team_supply,
)

__all__ = [
    "SearchOutcome",
    "improve_schedule",
    "plan_objective",
    "solve_by_search",
    "window_problem",
]


def _peaks(mc: MaxCap, x: FloatArray) -> list[float]:
    """What each block of a sum-of-maxima cap uses at head counts ``x`` (for weekends: the
    larger of the Saturday and Sunday counts)."""
    return [max((float(x[b].sum()) for b in blk), default=0.0) for blk in mc.blocks]


def window_problem(inputs: ScheduleInputs, free: npt.ArrayLike, x: npt.ArrayLike) -> ScheduleInputs:
    """The covering problem of the ``free`` columns with every other column fixed at ``x``.

    Fixed columns become fixed supply; only the intervals the free columns cover are kept
    (the others cannot change); each cap keeps its free columns with its right-hand side
    reduced by the fixed columns' share.  A sum-of-maxima cap (working weekends) becomes one
    cap per block: each weekend may use at most its current maximum, and the cap's unused
    room goes to the weekends the window touches, shared equally.

    Parameters
    ----------
    inputs : ScheduleInputs
        The whole problem.
    free : array_like of bool, shape (J,)
        Columns to solve again.
    x : array_like, shape (J,)
        Current head counts (must keep every cap).

    Returns
    -------
    ScheduleInputs
        Columns in their original order among the free ones; ``interval_starts`` and the
        requirement follow the kept intervals.
    """
    mask = np.asarray(free, dtype=bool)
    vals = np.asarray(x, dtype=np.float64)
    cols = np.flatnonzero(mask)
    remap = np.full(len(mask), -1, dtype=np.int64)
    remap[cols] = np.arange(len(cols))
    cov = sparse.csc_array(inputs.coverage)
    kept_t = np.unique(cov[:, cols].indices)
    fixed_x = np.where(mask, 0.0, vals)
    team_of = np.asarray(inputs.column_team)
    n_i = len(inputs.teams)
    # Supply of the fixed columns per team and kept interval.
    fixed = np.asarray(inputs.fixed_supply, dtype=np.float64)[:, kept_t] + team_supply(
        sparse.csr_array(inputs.coverage)[kept_t, :], team_of, fixed_x, n_i
    )

    caps: list[Cap] = []
    for c in inputs.caps:
        new = remap[c.columns]
        inside = new >= 0
        if not inside.any():
            continue
        rest = float(np.asarray(c.coef)[~inside] @ vals[c.columns[~inside]])
        caps.append(
            dataclasses.replace(c, columns=new[inside], coef=c.coef[inside], rhs=c.rhs - rest)
        )
    for mc in inputs.max_caps:
        touched = [k for k, blk in enumerate(mc.blocks) if any((remap[b] >= 0).any() for b in blk)]
        if not touched:
            continue
        peak = _peaks(mc, vals)
        room = max(0.0, mc.rhs - sum(peak)) / len(touched)
        for k in touched:
            for b in mc.blocks[k]:
                new = remap[b]
                inside = new >= 0
                if not inside.any():
                    continue
                rest = float(vals[b[~inside]].sum())
                caps.append(
                    Cap(
                        f"{mc.name} (weekend {k + 1})",
                        mc.team,
                        new[inside],
                        np.ones(int(inside.sum())),
                        peak[k] + room - rest,
                    )
                )
    starts = inputs.interval_starts
    return dataclasses.replace(
        inputs,
        requirement=np.asarray(inputs.requirement)[:, kept_t],
        coverage=sparse.csr_array(cov[:, cols][kept_t, :]),
        column_team=team_of[cols],
        column_cost=np.asarray(inputs.column_cost)[cols],
        column_upper=np.asarray(inputs.column_upper)[cols],
        fixed_supply=fixed,
        shortfall_penalty=np.asarray(inputs.shortfall_penalty)[:, kept_t],
        caps=tuple(caps),
        max_caps=(),
        interval_starts=None if starts is None else starts[kept_t],
        columns=tuple(inputs.columns[j] for j in cols) if inputs.columns else (),
    )


def plan_objective(inputs: ScheduleInputs, x: npt.ArrayLike) -> float:
    """Objective of given head counts: their cost plus the least shortfall penalty."""
    given = np.asarray(x, dtype=np.float64)
    return float(np.asarray(inputs.column_cost) @ given) + serve_given(inputs, given)[0]


@dataclasses.dataclass(frozen=True, slots=True)
class SearchOutcome:
    """What :func:`improve_schedule` did.

    Attributes
    ----------
    x : ndarray, shape (J,)
        The best head counts found.
    gain : float
        Objective decrease over the start (currency, >= 0).
    rounds, improved : int
        Windows solved, and how many of them lowered the objective.
    seconds : float
        Wall time (s).
    """

    x: FloatArray
    gain: float
    rounds: int
    improved: int
    seconds: float


def _day_index(inputs: ScheduleInputs) -> IntArray:
    dates = sorted({c.date for c in inputs.columns})
    pos = {d: k for k, d in enumerate(dates)}
    return np.array([pos[c.date] for c in inputs.columns], dtype=np.int64)


EPOCH_SECONDS = 15.0
"""Seconds between two exchanges of plans when the schedule search runs on several
processes."""

ROUNDING_SHARE = 0.4
"""Most of the budget that making the LP plan integer may take on several processes.
Its windows share that time, and given more they run longer for little: on the scale
benchmark's month (137 s of search on 2 processes, from one LP plan) the rounding took 64 s
when its windows shared the whole budget and ended 2.27% above the LP bound, then 2.06%
after the epochs; given 40% it took 44 s and ended at 2.36%, then 1.63% and 1.77% (two
seeds)."""


def improve_schedule(
    inputs: ScheduleInputs,
    x: npt.ArrayLike,
    seconds: float,
    *,
    width: int = 2,
    round_limit: float = 10.0,
    mip_gap: float = 0.005,
    threads: int | None = None,
    seed: int = 0,
    stop: Callable[[float], bool] | None = None,
    workers: int = 1,
    epoch: float = EPOCH_SECONDS,
) -> SearchOutcome:
    """Improve head counts ``x`` by re-solving windows of local days.

    A fractional ``x`` (an LP solution) is first made integer window by window in day order,
    one team at a time (relax-and-fix: each window sees integer days and teams before it and
    the fractional ones after it); these windows share the budget equally (at most
    ``round_limit`` and at least 0.5 s each, so they may overrun a tiny budget).  One
    team's day is a MILP of a few dozen columns that HiGHS solves to its gap; a day of every
    team, about a hundred columns on the scale benchmark, mostly ended at its time limit 1-2%
    above its bound, and the plan once integer was 2.8% above the LP bound instead of 2.2%.
    Then, until ``seconds`` run out, random all-team windows of ``width`` days alternate with
    single-team windows twice as long; such a window's result replaces the incumbent only
    when it lowers the objective, so from then on the objective never rises.

    With ``workers`` of two or more, the days are cut into that many parts, each searched in
    a worker process of its own (:func:`_search_part`): first the rounding (within
    ``ROUNDING_SHARE`` of ``seconds``), then, in epochs of ``epoch`` seconds, the later
    windows, with the cuts moved every epoch.  HiGHS solves a window on one core, so one
    process leaves the other cores idle.

    Parameters
    ----------
    inputs : ScheduleInputs
        The problem (``columns`` must name each column's date).
    x : array_like, shape (J,)
        A start that keeps every cap: an LP solution, or integer head counts.
    seconds : float
        Wall-clock budget (s).
    width : int, default 2
        Days per all-team window.
    round_limit : float, default 10.0
        HiGHS limit per window (s).
    mip_gap : float, default 0.005
        Relative gap at which a window's solve stops.
    threads : int, optional
        HiGHS threads.
    seed : int, default 0
        Seed of the random windows.
    stop : callable, optional
        Called with the running gain once ``x`` is integer and after every later window
        (every epoch on several processes); the search ends when it returns true (e.g. once
        a target gap is reached).
    workers : int, default 1
        Processes (the calling one waits for the workers).
    epoch : float, default ``EPOCH_SECONDS``
        Seconds between two exchanges of the parts' plans, on several processes.

    Returns
    -------
    SearchOutcome
        ``gain`` is the objective of ``x`` minus that of the result (negative when rounding
        a fractional start cost more than the later windows won back).
    """
    t0 = time.perf_counter()
    cur = np.asarray(x, dtype=np.float64).copy()
    day = _day_index(inputs)
    n_d = int(day.max()) + 1 if len(day) else 0
    fractional = bool(np.any(np.abs(cur - np.round(cur)) > 1e-6))
    search = _Search(width, round_limit, mip_gap, threads)
    if not n_d:
        return SearchOutcome(cur, 0.0, 0, 0, time.perf_counter() - t0)
    if len(_day_parts(inputs, day, n_d, workers, 0)) < 2:
        everywhere = np.ones(n_d, dtype=bool)
        until = time.time() + seconds
        found = _search_part(
            inputs, cur, everywhere, fractional, seconds, until, search, seed, stop
        )
    else:
        found = _search_on_processes(
            inputs, cur, fractional, seconds, search, seed, stop, workers, epoch
        )
    cur, rounds, improved, gain = found
    return SearchOutcome(cur, gain, rounds, improved, time.perf_counter() - t0)


def _search_on_processes(
    inputs: ScheduleInputs,
    x: FloatArray,
    fractional: bool,
    seconds: float,
    search: _Search,
    seed: int,
    stop: Callable[[float], bool] | None,
    workers: int,
    epoch: float,
) -> tuple[FloatArray, int, int, float]:
    """The search of :func:`improve_schedule` on ``workers`` processes: what
    :func:`_search_part` returns, for the whole horizon.

    A fractional ``x`` is first made integer, each part of the days (:func:`_day_parts`) in
    a worker; then, epoch by epoch, each part is searched in a worker from the same plan,
    with the cuts moved every epoch.  The parts' plans are put together, and the result is
    kept when it lowers the objective; when one part alone lowered it more (parts meeting at
    a cut may undo some of each other's gain), that part's plan is kept instead.
    """
    deadline = time.perf_counter() + seconds
    day = _day_index(inputs)
    n_d = int(day.max()) + 1
    cur = x.copy()
    objective = plan_objective(inputs, cur)
    gain = 0.0
    rounds = improved = turn = 0
    with spawn_pool(workers) as pool:
        while fractional or time.perf_counter() < deadline - 1.0:
            if not fractional and stop is not None and stop(gain):
                break
            # The rounding gets its share of the budget; the later windows go by epochs.
            span = ROUNDING_SHARE * seconds if fractional else epoch
            span = max(1.0, min(span, deadline - time.perf_counter()))
            parts = _day_parts(inputs, day, n_d, workers, turn)
            found = _on_processes(
                pool, inputs, cur, day, parts, fractional, span, search, (seed + turn) * workers
            )
            rounds += sum(r for _, r, _, _ in found)
            merged = cur.copy()
            for (values, *_), days in zip(found, parts, strict=True):
                merged[days[day]] = values[days[day]]
            change = objective - plan_objective(inputs, merged)
            better = sum(n for _, _, n, _ in found)
            # Each part's own plan keeps the others as they were, so its gain is exact.
            best = max(found, key=lambda f: f[3])
            if not fractional and best[3] > change:
                merged, better, change = best[0], best[2], best[3]
            if fractional or change > 1e-6:
                cur, gain, objective = merged, gain + change, objective - change
                improved += better if change > 1e-6 else 0
            fractional = False
            turn += 1
    return cur, rounds, improved, gain


@dataclasses.dataclass(frozen=True, slots=True)
class _Search:
    """How each window of the search is solved (see :func:`improve_schedule`)."""

    width: int
    round_limit: float
    mip_gap: float
    threads: int | None


def _solve_window(
    inputs: ScheduleInputs,
    cur: FloatArray,
    free: npt.NDArray[np.bool_],
    limit: float,
    fixing: bool,
    search: _Search,
) -> float | None:
    """Solve the ``free`` columns of ``cur`` again (HiGHS limit ``limit`` s), with every
    other column fixed; write the result into ``cur`` when it lowers the objective, or
    always when ``fixing`` (making fractional columns integer).  Returns the objective's
    decrease (negative when fixing cost more), or None when nothing was written."""
    sub = window_problem(inputs, free, cur)
    old = plan_objective(sub, cur[free])
    start = np.floor(cur[free] + 1e-6)
    res, sx, _, _ = solve_covering(
        sub, limit, mip_gap=search.mip_gap, threads=search.threads, start=start
    )
    if res.has_solution and res.objective is not None:
        new = float(res.objective)
    elif fixing:  # rounding down keeps every cap; the shortfall absorbs the rest
        sx, new = start, plan_objective(sub, start)
    else:
        return None
    if not fixing and new >= old - 1e-6:
        return None
    cur[free] = sx
    return old - new


def _search_part(
    inputs: ScheduleInputs,
    x: FloatArray,
    days: npt.NDArray[np.bool_],
    fractional: bool,
    seconds: float,
    until: float,
    search: _Search,
    seed: int,
    stop: Callable[[float], bool] | None = None,
    round_only: bool = False,
) -> tuple[FloatArray, int, int, float]:
    """The search of :func:`improve_schedule` on the local days marked in ``days`` (every
    other column stays at ``x``), for ``seconds`` and until the wall-clock time ``until``
    (``time.time()``).

    A fractional ``x`` is made integer on those days first, window by window in day order;
    those windows share the time equally.  Then random windows (all teams over
    ``search.width`` days, one team over twice as many), each kept only when it lowers the
    objective (unless ``round_only``).

    Returns the head counts, the windows solved, how many of them improved an integer plan
    and the objective's decrease.
    """
    deadline = time.perf_counter() + max(0.0, min(seconds, until - time.time()))
    cur = np.asarray(x, dtype=np.float64).copy()
    day = _day_index(inputs)
    team = np.asarray(inputs.column_team)
    teams = np.unique(team)
    width = search.width
    gain = 0.0
    rounds = improved = 0
    if fractional:
        starts = np.flatnonzero(days)[::width]
        windows = [(int(d0), int(i)) for d0 in starts for i in teams]
        for k, (d0, i) in enumerate(windows):
            free = (day >= d0) & (day < d0 + width) & days[day] & (team == i)
            if not free.any():
                continue
            share = (deadline - time.perf_counter()) / (len(windows) - k)
            limit = max(0.5, min(search.round_limit, share))
            gain += _solve_window(inputs, cur, free, limit, True, search) or 0.0
        rounds = len(windows)
    rng = np.random.default_rng(seed)
    while not (fractional and round_only) and time.perf_counter() < deadline - 1.0:
        if stop is not None and stop(gain):
            break
        span = 2 * width if rounds % 2 else width
        only = int(rng.choice(teams)) if rounds % 2 else None
        # Windows of ``span`` days that lie within the marked days (of one day when no
        # run of marked days is that long).
        inside = np.convolve(days.astype(np.int64), np.ones(span, dtype=np.int64), "valid")
        first = np.flatnonzero(inside == span)
        if not len(first):
            span, first = 1, np.flatnonzero(days)
        rounds += 1
        d0 = int(rng.choice(first))
        free = (day >= d0) & (day < d0 + span)
        if only is not None:
            free &= team == only
        if not free.any():
            continue
        limit = max(0.5, min(search.round_limit, deadline - time.perf_counter()))
        change = _solve_window(inputs, cur, free, limit, False, search)
        if change is not None:
            gain += change
            improved += 1
    return cur, rounds, improved, gain


def _day_parts(
    inputs: ScheduleInputs, day: IntArray, n_d: int, parts: int, turn: int
) -> list[npt.NDArray[np.bool_]]:
    """Up to ``parts`` runs of about equal numbers of local days (marks over the days),
    cut only between two blocks of a sum-of-maxima cap (never inside a weekend).  Odd
    ``turn`` moves the cuts by half a part, the last part running over the end of the
    horizon into its start, so that windows across one turn's cuts are searched in the
    next."""
    inside: set[int] = set()  # cuts that would split a block
    for mc in inputs.max_caps:
        for block in mc.blocks:
            days = day[np.concatenate(block)] if block else np.zeros(0, dtype=np.int64)
            if len(days):
                inside.update(range(int(days.min()) + 1, int(days.max()) + 1))
    parts = max(1, min(parts, n_d))
    shift = (turn % 2) * n_d / (2 * parts)
    cuts: list[int] = []
    for k in range(parts):
        target = (k * n_d / parts + shift) % n_d
        allowed = [s for s in range(n_d) if s not in inside and s not in cuts]
        if allowed:
            cuts.append(min(allowed, key=lambda s: min(abs(s - target), n_d - abs(s - target))))
    cuts = sorted(cuts)
    if len(cuts) < 2:
        return [np.ones(n_d, dtype=bool)]
    marks = []
    for a, b in itertools.pairwise([*cuts, cuts[0] + n_d]):
        m = np.zeros(n_d, dtype=bool)
        m[np.arange(a, b) % n_d] = True
        marks.append(m)
    return marks


def _part_inputs(
    inputs: ScheduleInputs, x: FloatArray, part_of: IntArray, part: int
) -> ScheduleInputs:
    """The problem as the process searching part ``part`` of the columns sees it.

    A cap whose columns fall in several parts keeps, for each part, only its share of the
    cap's slack at ``x``: with the other parts at ``x``, part ``part`` may add at most
    ``slack / n`` to the cap (``n`` parts touched), so the parts, searched apart, keep the
    cap together.  The same holds for the room of a sum-of-maxima cap.
    """
    vals = np.asarray(x, dtype=np.float64)
    caps = []
    for c in inputs.caps:
        touched = np.unique(part_of[c.columns])
        if len(touched) > 1 and part in touched:
            slack = c.rhs - float(np.asarray(c.coef) @ vals[c.columns])
            c = dataclasses.replace(c, rhs=c.rhs - max(0.0, slack) * (1 - 1 / len(touched)))
        caps.append(c)
    max_caps = []
    for mc in inputs.max_caps:
        touched = np.unique(np.concatenate([part_of[b] for blk in mc.blocks for b in blk]))
        if len(touched) > 1 and part in touched:
            room = mc.rhs - sum(_peaks(mc, vals))
            mc = dataclasses.replace(mc, rhs=mc.rhs - max(0.0, room) * (1 - 1 / len(touched)))
        max_caps.append(mc)
    return dataclasses.replace(inputs, caps=tuple(caps), max_caps=tuple(max_caps))


def _on_processes(
    pool: ProcessPoolExecutor,
    inputs: ScheduleInputs,
    cur: FloatArray,
    day: IntArray,
    parts: list[npt.NDArray[np.bool_]],
    fractional: bool,
    seconds: float,
    search: _Search,
    seed: int,
) -> list[tuple[FloatArray, int, int, float]]:
    """:func:`_search_part` of every part of the days at once, each in a worker of ``pool``.

    What the parts share are the caps spanning them (a team's rest between days, its runs of
    working days, its working weekends): each part is searched under its share of those
    caps' slack (:func:`_part_inputs`), so the parts put together keep every cap.  Each part
    sees the others as they were where their shifts meet (shifts over midnight, and teams
    whose local days straddle the cut).  A part whose worker fails is searched afterwards
    in this process, with the time left.
    """
    deadline = time.perf_counter() + seconds
    until = time.time() + seconds
    part_of = np.zeros(len(day), dtype=np.int64)
    for p, days in enumerate(parts):
        part_of[days[day]] = p
    views = [_part_inputs(inputs, cur, part_of, p) for p in range(len(parts))]

    def task(p: int, seconds: float, until: float) -> tuple[Any, ...]:
        # Each part rounds, or searches its windows, on its own: no stop, round only.
        return (views[p], cur, parts[p], fractional, seconds, until, search, seed + p, None, True)

    futures: list[Future[tuple[FloatArray, int, int, float]]] = []
    try:
        for p in range(len(parts)):
            futures.append(pool.submit(_search_part, *task(p, seconds, until)))
    except BrokenProcessPool:  # the pool is gone: the rest in this process
        pass
    found = []
    for p in range(len(parts)):
        try:
            found.append(futures[p].result())
        except Exception:  # a failed worker (or none started): that part is searched here
            left = max(0.5, deadline - time.perf_counter())
            found.append(_search_part(*task(p, left, time.time() + left)))
    return found


SEARCH_SHARE = 0.72
"""Share of the time left after the LP relaxation that the window search gets; the full
MILP from the search's plan has the rest (it raises the bound with its root cuts)."""

LP_SHARE = 0.15
"""Most of the time limit the LP relaxation may take."""

FULL_MILP_LP_MULTIPLE = 3.0
"""The final full MILP runs only with at least this many times the LP relaxation's solve
time left; otherwise the window search keeps that time.  HiGHS checks its time limit
between the rounds of cuts at the root, and one round re-solves an LP about as large as
the relaxation: on a slow machine (the scale benchmark's schedule, LP relaxation 14.6 s) a
full MILP given 23 s spent 12 s on its root LP and 53 s on one round of cuts, overrunning
the schedule's time limit by 50 s."""


def solve_by_search(
    inputs: ScheduleInputs,
    time_limit: float,
    *,
    mip_gap: float = 0.0,
    threads: int | None = None,
    width: int = 1,
    round_limit: float = 3.5,
    workers: int = 1,
) -> tuple[SolveResult, FloatArray, FloatArray, FloatArray]:
    """Solve a covering problem by LP relaxation, window search and a final full MILP.

    1. The LP relaxation gives a lower bound and the fractional start.
    2. :func:`improve_schedule` makes it integer window by window and then improves it
       (a share ``SEARCH_SHARE`` of the time left), stopping early once the plan is within
       ``mip_gap`` of the LP bound.
    3. The full MILP runs for the rest of the time from the search's plan as MIP start; its
       root cuts raise the bound and its heuristics may improve the plan.  The better of the
       two plans is returned, with the higher of the two bounds.  When the rest is too short
       for the MILP's root (``FULL_MILP_LP_MULTIPLE``), the search has all of the time.

    Same parameters and returns as :func:`optimizer.schedule.solve_covering` (``width``,
    ``round_limit`` and ``workers`` go to :func:`improve_schedule`).
    """
    t0 = time.perf_counter()
    lp_inputs = dataclasses.replace(inputs, integer=False)
    lp, x_lp, _, _ = solve_covering(lp_inputs, time_limit * LP_SHARE, threads=threads)
    if not lp.has_solution or lp.status != SolveStatus.OPTIMAL or lp.objective is None:
        left = max(1.0, time_limit - (time.perf_counter() - t0))
        return solve_covering(inputs, left, mip_gap=mip_gap, threads=threads)
    # The LP's objective is at least that of its head counts as a plan (its rounding cuts
    # can only ask for more shortfall), so the running objective below errs high and the
    # search never stops early; the objective reported is computed afresh from the plan.
    bound = start_objective = float(lp.objective)
    left = max(0.0, time_limit - (time.perf_counter() - t0))

    def close_enough(gain: float) -> bool:
        objective = start_objective - gain
        return (objective - bound) <= mip_gap * max(abs(objective), 1e-9)

    root_seconds = FULL_MILP_LP_MULTIPLE * lp.solve_seconds

    def milp_fits(seconds: float) -> bool:
        # The full model takes about as long to build and load as the LP did.
        return seconds - 2 * lp.build_seconds >= max(1.0, root_seconds)

    # The search may end up to one window late, which must not cost the MILP its turn:
    # a full MILP planned but then left out wastes its whole share.
    full_fits = milp_fits(left * (1 - SEARCH_SHARE) - round_limit)
    found = improve_schedule(
        inputs,
        x_lp,
        left * SEARCH_SHARE if full_fits else left,
        width=width,
        round_limit=round_limit,
        threads=threads,
        stop=close_enough,
        workers=workers,
    )
    x = found.x
    shortfall_cost, served, shortfall = serve_given(inputs, x)
    objective = float(np.asarray(inputs.column_cost) @ x) + shortfall_cost
    left = time_limit - (time.perf_counter() - t0)
    result: SolveResult | None = None
    full_run = full_fits and not close_enough(start_objective - objective) and milp_fits(left)
    left -= 2 * lp.build_seconds
    if full_run:
        result, x_full, served_full, short_full = solve_covering(
            inputs, left, mip_gap=mip_gap, threads=threads, start=x
        )
        if result.bound is not None:
            bound = max(bound, float(result.bound))
        if result.has_solution and result.objective is not None and result.objective <= objective:
            x, objective = x_full, float(result.objective)
            served, shortfall = served_full, short_full
        else:
            result = None
    gap = relative_gap(objective, bound)
    within = gap is not None and gap <= mip_gap + 1e-12
    seconds = time.perf_counter() - t0
    message = (
        f"LP relaxation, then {found.rounds} day-window solves ({found.improved} improving an "
        f"integer plan) in {found.seconds:.0f} s"
        + on_processes(workers)
        + (" and the full MILP from their plan; " if full_run else "; ")
        + ("within the requested gap" if within else limit_reached(time_limit))
    )
    outcome = SolveResult(
        status=SolveStatus.OPTIMAL if within else SolveStatus.FEASIBLE,
        objective=objective,
        bound=bound,
        gap=gap,
        build_seconds=lp.build_seconds,
        solve_seconds=seconds - lp.build_seconds,
        message=message,
    )
    return outcome, x, served, shortfall
