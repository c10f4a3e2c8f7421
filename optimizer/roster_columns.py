"""Rosters by column generation: every column is one employee's whole schedule.

Role: a start roster and a lower bound for :func:`optimizer.roster.solve_roster` on problems
where the compact MILP's bound is weak and its search slow.  The master LP picks, for each
employee, a convex combination of that employee's schedules that covers the shifts (shortfall
and surplus as priced slack); pricing finds each employee's cheapest schedule at the master's
duals by dynamic programming over the days (:class:`SchedulePricer`); diving then fixes the
employees whose schedule the LP has chosen (or the one it leans to most) and prices again,
until every employee has one schedule (:func:`column_generation_roster`).

The pricing DP keeps, per day, the cheapest partial schedule for each state: the last shift
worked (or a day off), the length of the current work or off run and whether it began on the
first day (then exempt from the minimum lengths), the paid minutes so far (in units of the
greatest common divisor of the shift lengths) and the weekends worked so far.  A cap on the
shifts of one type becomes a further state dimension only once the cheapest schedule breaks
it, so the DP stays small and its answer exact.  The weekly rules (nights, days off, minutes
per calendar week) are not states: problems with any of them get no columns.

Rosters are ``plan`` arrays of shape (E, D): the shift index worked, or -1 for a day off.

Must not import: ``reports``, ``sim``, ``run_sim``.  Must not print or write files.
"""

from __future__ import annotations

import dataclasses
import math
import time
from functools import reduce
from typing import Any

import highspy
import numpy as np

from optimizer.roster import (
    FloatArray,
    IntArray,
    RosterProblem,
    _allowed,
    _assignment_weights,
    _meets,
    _objective_is_integral,
    _weekends,
)

__all__ = [
    "ColumnsResult",
    "SchedulePricer",
    "column_generation_roster",
    "columns_unsupported",
    "parallel_column_generation",
]

OFF = -1
_TOL = 1e-6
# A state space beyond this many cells per day is not searched (a cap stays unpriced): the
# walk back keeps one such array per day, 8 MB a day at this size.
_MAX_STATES = 1_000_000
# Diving fixes every employee whose LP value for one schedule is at least this.
_FIX_AT = 0.99


def columns_unsupported(problem: RosterProblem) -> str | None:
    """Why column generation cannot price this problem's schedules, or ``None`` if it can.

    The pricing knows every rule of :class:`~optimizer.roster.RosterProblem` but the weekly
    ones: a maximum of night shifts or minutes, or a minimum of days off, per calendar week.
    """
    weekly = {
        "max_nights_per_week": bool(np.isfinite(problem.max_nights_per_week).any()),
        "min_days_off_per_week": bool((np.asarray(problem.min_days_off_per_week) > 0).any()),
        "max_minutes_per_week": bool(np.isfinite(problem.max_minutes_per_week).any()),
    }
    used = [name for name, on in weekly.items() if on]
    if used:
        return f"column generation does not price weekly rules ({', '.join(used)})"
    return None


class SchedulePricer:
    """Cheapest schedule of one employee under every rule but the weekly ones.

    Parameters
    ----------
    problem : RosterProblem
        The problem.
    employee : int
        Employee index.
    """

    def __init__(self, problem: RosterProblem, employee: int) -> None:
        p, e = problem, employee
        self.days, self.n_shifts = p.days, p.n_shifts
        lengths = [int(x) for x in p.shift_minutes]
        unit = max(1, reduce(math.gcd, lengths, 0))
        self.step = [x // unit for x in lengths]
        most = self.days * max(self.step, default=0)
        top = p.max_minutes[e]
        self.n_minutes = (min(int(top) // unit, most) if math.isfinite(top) else most) + 1
        self.min_units = math.ceil(float(p.min_minutes[e]) / unit - 1e-9)
        n_weekends = len(_weekends(self.days))
        cap_w = p.max_weekends[e]
        self.n_weekends = int(min(cap_w, n_weekends) if math.isfinite(cap_w) else n_weekends) + 1
        self.allowed = _allowed(p)[e]
        self.cap = np.asarray(p.max_shifts[e], dtype=np.float64)
        min_on = max(1, int(min(p.min_consecutive_shifts[e], self.days)))
        max_on = max(1, int(min(p.max_consecutive_shifts[e], self.days)))
        min_off = max(1, int(min(p.min_consecutive_days_off[e], self.days)))
        forbid = np.asarray(p.forbidden_successors, dtype=bool)
        # Statuses: ("w", shift, run length, began on day 0) or ("o", -1, run length, ...),
        # an off run's length counted up to the minimum only.
        runs = [(r, f) for r in range(1, max_on + 1) for f in (0, 1)]
        status = [("w", s, r, f) for s in range(self.n_shifts) for r, f in runs]
        status += [("o", OFF, r, f) for r in range(1, min_off + 1) for f in (0, 1)]
        index = {x: i for i, x in enumerate(status)}
        edges: list[tuple[int, int, int]] = []  # (from status, to status, shift or OFF)
        for i, (kind, s, r, f) in enumerate(status):
            if kind == "w":
                edges += [
                    (i, index["w", t, r + 1, f], t)
                    for t in range(self.n_shifts)
                    if r < max_on and not forbid[s, t]
                ]
                if r >= min_on or f:
                    edges.append((i, index["o", OFF, 1, 0], OFF))
            else:
                if r >= min_off or f:
                    edges += [(i, index["w", t, 1, 0], t) for t in range(self.n_shifts)]
                edges.append((i, index["o", OFF, min(r + 1, min_off), f], OFF))
        self.status = status
        self.is_off = np.array([kind == "o" for kind, *_ in status])
        self.first = {t: index["w", t, 1, 1] for t in range(self.n_shifts)}
        self.first_off = index["o", OFF, 1, 1]
        self.into: list[list[tuple[int, int]]] = [[] for _ in status]
        by_choice: dict[int, list[tuple[int, int]]] = {}
        for a, b, ch in edges:
            self.into[b].append((a, ch))
            by_choice.setdefault(ch, []).append((a, b))
        # Per choice: sources and targets sorted by target, and where each target's run of
        # edges starts (for one minimum per target with ``np.minimum.reduceat``).
        self.by_choice: dict[int, tuple[IntArray, IntArray, IntArray]] = {}
        for ch, ab in by_choice.items():
            pairs = sorted(ab, key=lambda x: x[1])
            src = np.array([x for x, _ in pairs])
            dst = np.array([y for _, y in pairs])
            targets, starts = np.unique(dst, return_index=True)
            self.by_choice[ch] = (src, targets, starts)
        # A cap binds only if the employee could otherwise work more shifts of that type
        # (a shift of 0 minutes is limited by the days alone).
        most_of = [
            self.days if x == 0 else min(self.days, (self.n_minutes - 1) // x) for x in self.step
        ]
        self.binding = [
            t
            for t in range(self.n_shifts)
            if math.isfinite(self.cap[t]) and 0 < self.cap[t] < most_of[t]
        ]
        self.tracked: list[int] = []

    def _shape(self, tracked: list[int]) -> tuple[int, ...]:
        caps = tuple(int(self.cap[t]) + 1 for t in tracked)
        return (len(self.status), self.n_minutes, self.n_weekends, *caps)

    def _weekend_step(self, day: int, sources: IntArray) -> IntArray:
        """1 where working ``day`` starts a worked weekend, per source status."""
        weekday = day % 7
        if weekday == 5:
            return np.ones(len(sources), dtype=np.int64)
        if weekday == 6:
            return self.is_off[sources].astype(np.int64)
        return np.zeros(len(sources), dtype=np.int64)

    def _solve(self, cost: FloatArray) -> tuple[float, list[int] | None]:
        """Cheapest schedule keeping the caps of the tracked types only."""
        tracked = self.tracked
        shape = self._shape(tracked)
        c = np.where(self.allowed, cost, np.inf)

        def slices(ch: int, dk: int) -> tuple[tuple[slice, ...], tuple[slice, ...]]:
            dm = self.step[ch]
            to = [slice(dm, None), slice(dk, None)]
            fro = [slice(0, shape[1] - dm), slice(0, shape[2] - dk)]
            for t, n in zip(tracked, shape[3:], strict=True):
                to.append(slice(1, None) if t == ch else slice(None))
                fro.append(slice(0, n - 1) if t == ch else slice(None))
            return (slice(None), *to), (slice(None), *fro)

        cells = np.full(shape, np.inf)
        zero = (0,) * len(tracked)
        cells[(self.first_off, 0, 0, *zero)] = 0.0
        for t in range(self.n_shifts):
            if self.allowed[0, t] and self.step[t] < shape[1]:
                at = tuple(1 if u == t else 0 for u in tracked)
                if all(x < n for x, n in zip(at, shape[3:], strict=True)):
                    cells[(self.first[t], self.step[t], 0, *at)] = c[0, t]
        history = [cells]
        for d in range(1, self.days):
            nxt = np.full(shape, np.inf)
            for ch, (a, targets, starts) in self.by_choice.items():
                if ch == OFF:
                    cand = cells[a]
                else:
                    if not self.allowed[d, ch] or self.step[ch] >= shape[1]:
                        continue
                    cand = np.full((len(a), *shape[1:]), np.inf)
                    dks = self._weekend_step(d, a)
                    for dk in (0, 1):
                        rows = np.flatnonzero(dks == dk)
                        if dk >= shape[2] or not len(rows):
                            continue
                        to, fro = slices(ch, dk)
                        put: tuple[Any, ...] = (rows, *to[1:])
                        cand[put] = cells[a[rows]][fro] + c[d, ch]
                best = np.minimum.reduceat(cand, starts, axis=0)
                nxt[targets] = np.minimum(nxt[targets], best)
            cells = nxt
            history.append(cells)
        final = cells.copy()
        final[:, : self.min_units] = np.inf
        flat = int(np.argmin(final))
        value = float(final.flat[flat])
        if not math.isfinite(value):
            return math.inf, None
        return value, self._trace(history, c, [int(i) for i in np.unravel_index(flat, shape)])

    def _trace(self, history: list[FloatArray], c: FloatArray, at: list[int]) -> list[int]:
        """Walk back from the final state ``at`` through the stored days."""
        row = [OFF] * self.days
        for d in range(self.days - 1, -1, -1):
            kind, s, _, _ = self.status[at[0]]
            row[d] = s if kind == "w" else OFF
            if d == 0:
                break
            here = history[d][tuple(at)]
            for a, ch in self.into[at[0]]:
                prev = [a, *at[1:]]
                cost = 0.0
                if ch != OFF:
                    prev[1] -= self.step[ch]
                    prev[2] -= int(self._weekend_step(d, np.array([a]))[0])
                    for j, t in enumerate(self.tracked):
                        prev[3 + j] -= int(t == ch)
                    cost = float(c[d, ch])
                if min(prev) < 0:
                    continue
                before = history[d - 1][tuple(prev)]
                if math.isfinite(before) and abs(before + cost - here) <= 1e-9 * max(
                    1.0, abs(here)
                ):
                    at = prev
                    break
            else:  # pragma: no cover - the forward pass stored a predecessor
                raise AssertionError(f"no predecessor of state {at} on day {d}")
        return row

    def cheapest(self, cost: FloatArray) -> tuple[float, list[int] | None, float]:
        """Cheapest schedule at per-assignment costs ``cost`` (shape (D, S)).

        Returns
        -------
        tuple
            ``(value, row, relaxed)``: the cheapest schedule's cost and the schedule (shift
            index per day, -1 off), or ``(inf, None, ...)`` when the state space of the caps
            it would need exceeds the limit; ``relaxed`` is a lower bound on the value in
            every case (``inf`` when the employee has no schedule at all).
        """
        relaxed: float | None = None
        while True:
            value, row = self._solve(cost)
            relaxed = value if relaxed is None else relaxed
            if row is None:
                return math.inf, None, relaxed
            counts = np.bincount([s for s in row if s != OFF], minlength=self.n_shifts)
            broken = [t for t in self.binding if counts[t] > self.cap[t]]
            if not broken:
                return value, row, relaxed
            t = max(broken, key=lambda u: counts[u] - self.cap[u])
            if t in self.tracked or math.prod(self._shape([*self.tracked, t])) > _MAX_STATES:
                return math.inf, None, relaxed
            self.tracked = sorted([*self.tracked, t])


@dataclasses.dataclass(frozen=True)
class ColumnsResult:
    """Outcome of :func:`column_generation_roster`.

    Attributes
    ----------
    plan : ndarray of int, shape (E, D), or None
        The dived roster (every schedule keeps its employee's rules), ``None`` when none was
        found or the problem is not supported.
    objective : float or None
        Its objective (the MILP's).
    bound : float or None
        A lower bound on every roster's objective from the root LP and exact pricing
        (Lagrangian bound), ``None`` when the root was not priced in time.
    columns, iterations : int
        Schedules generated and master LP solves.
    seconds : float
        Wall-clock time.
    message : str
        What happened, in words.
    root_assignments : ndarray of float, shape (E, D, S), or None
        How much of each assignment the root LP's schedules hold (1 = every schedule the
        LP chose for the employee works it), ``None`` when the root was not priced in time.
    """

    plan: IntArray | None
    objective: float | None
    bound: float | None
    columns: int
    iterations: int
    seconds: float
    message: str
    root_assignments: FloatArray | None = None


class _Master:
    """The restricted master LP in HiGHS: cover rows (D x S), then one row per employee."""

    def __init__(self, p: RosterProblem, big: float) -> None:
        self.p = p
        self.n_cover = p.days * p.n_shifts
        h = highspy.Highs()
        h.setOptionValue("output_flag", False)
        h.setOptionValue("threads", 1)
        req = np.asarray(p.cover_requirement, dtype=np.float64).ravel()
        ones = np.ones(p.n_employees)
        h.addRows(self.n_cover, req, req, 0, np.array([], np.int32), np.array([], np.int32), [])
        h.addRows(p.n_employees, ones, ones, 0, np.array([], np.int32), np.array([], np.int32), [])
        rows = np.arange(self.n_cover, dtype=np.int32)
        for weight, sign in ((p.cover_under_weight, 1.0), (p.cover_over_weight, -1.0)):
            for r, w in zip(rows, np.asarray(weight, dtype=np.float64).ravel(), strict=True):
                h.addCol(float(w), 0.0, highspy.kHighsInf, 1, np.array([r]), np.array([sign]))
        # One artificial schedule per employee covers nothing at a prohibitive cost, so the
        # LP is feasible before any real schedule exists; diving never picks it.
        self.artificial = {}
        for e in range(p.n_employees):
            self.artificial[e] = h.getNumCol()
            h.addCol(big, 0.0, highspy.kHighsInf, 1, np.array([self.n_cover + e]), np.ones(1))
        self.h = h
        self.owner: list[int] = []  # employee of each schedule column
        self.rows: list[tuple[int, ...]] = []
        self.index: dict[tuple[int, tuple[int, ...]], int] = {}
        self.first_column = h.getNumCol()

    def add(self, e: int, row: list[int] | IntArray, cost: float) -> bool:
        key = (e, tuple(int(s) for s in row))
        if key in self.index:
            return False
        idx = [d * self.p.n_shifts + s for d, s in enumerate(key[1]) if s != OFF]
        idx.append(self.n_cover + e)
        self.index[key] = len(self.rows)
        self.rows.append(key[1])
        self.owner.append(e)
        rows = np.array(idx, dtype=np.int32)
        self.h.addCol(float(cost), 0.0, highspy.kHighsInf, len(idx), rows, np.ones(len(idx)))
        return True

    def solve(self) -> tuple[float, FloatArray, FloatArray, FloatArray]:
        """LP value, cover duals (D, S), employee duals (E,), schedule column values."""
        self.h.run()
        sol = self.h.getSolution()
        dual = np.asarray(sol.row_dual, dtype=np.float64)
        values = np.asarray(sol.col_value, dtype=np.float64)[self.first_column :]
        pi = dual[: self.n_cover].reshape(self.p.days, self.p.n_shifts)
        return float(self.h.getInfo().objective_function_value), pi, dual[self.n_cover :], values

    def best_integer(self, chosen: dict[int, int], seconds: float) -> dict[int, int] | None:
        """Every employee's schedule in the best integer roster over all columns generated,
        HiGHS starting from ``chosen`` (employee -> column) within ``seconds``; ``None``
        when it finds nothing."""
        h = self.h
        n = h.getNumCol()
        schedules = np.arange(self.first_column, n, dtype=np.int32)
        h.changeColsBounds(
            len(schedules), schedules, np.zeros(len(schedules)), np.ones(n - self.first_column)
        )
        art = np.array(sorted(self.artificial.values()), dtype=np.int32)
        h.changeColsBounds(len(art), art, np.zeros(len(art)), np.zeros(len(art)))
        every = np.arange(n, dtype=np.int32)
        h.changeColsIntegrality(n, every, np.full(n, highspy.HighsVarType.kInteger))
        start = np.array([self.first_column + k for k in chosen.values()], dtype=np.int32)
        h.setSolution(len(start), start, np.ones(len(start)))
        h.setOptionValue("time_limit", max(0.1, seconds))
        h.run()
        if h.getInfo().primal_solution_status != 2:  # kSolutionStatusFeasible
            return None
        values = np.asarray(h.getSolution().col_value)[self.first_column :]
        picked = {self.owner[int(k)]: int(k) for k in np.flatnonzero(values > 0.5)}
        return picked if len(picked) == self.p.n_employees else None

    def fix(self, e: int, k: int) -> None:
        """Employee ``e`` works schedule column ``k`` (an index into ``rows``)."""
        cols = [self.first_column + j for j, o in enumerate(self.owner) if o == e]
        for col in [*cols, self.artificial[e]]:
            bound = 1.0 if col == self.first_column + k else 0.0
            self.h.changeColBounds(col, bound, bound)


def column_generation_roster(
    problem: RosterProblem,
    seconds: float,
    *,
    initial: IntArray | None = None,
) -> ColumnsResult:
    """A roster by column generation and diving, and the root LP's lower bound.

    Column generation prices every employee at the master's duals until no schedule has a
    negative reduced cost (the root; its Lagrangian bound is a lower bound on every roster).
    Diving then repeatedly fixes every employee whose LP value for one schedule is at least
    0.99, or else the one schedule with the largest value, and prices again.  When the time
    runs out mid-dive, each employee still free takes its schedule of largest LP value.

    Parameters
    ----------
    problem : RosterProblem
        The problem.
    seconds : float
        Wall-clock budget (s); pricing one round of every employee may overrun it a little.
    initial : ndarray of int, shape (E, D), optional
        A roster keeping every hard rule, whose schedules seed the master.

    Returns
    -------
    ColumnsResult
    """
    t0 = time.perf_counter()
    deadline = t0 + seconds
    p = problem
    reason = columns_unsupported(p)
    if reason is not None:
        return ColumnsResult(None, None, None, 0, 0, time.perf_counter() - t0, reason)
    coef, constant = _assignment_weights(p)
    big = 1.0 + float(np.abs(coef).sum())
    big += float((np.asarray(p.cover_under_weight) * np.asarray(p.cover_requirement)).sum())
    master = _Master(p, big)
    pricers = [SchedulePricer(p, e) for e in range(p.n_employees)]

    def cost_of(e: int, row: list[int] | IntArray) -> float:
        return float(sum(coef[e, d, s] for d, s in enumerate(row) if s != OFF))

    if initial is not None:
        for e in range(p.n_employees):
            master.add(e, initial[e], cost_of(e, initial[e]))
    fixed: dict[int, int] = {}
    iterations = 0

    def generate() -> tuple[float | None, FloatArray]:
        """Price until no schedule improves the LP (then return the last round's
        Lagrangian bound: LP value plus each free employee's least reduced cost, relaxed
        caps included, so a lower bound on every roster while nobody is fixed) or until
        time is up (then ``None``), with the LP's schedule column values."""
        nonlocal iterations
        while True:
            iterations += 1
            value, pi, mu, x = master.solve()
            if time.perf_counter() >= deadline:
                return None, x
            added = 0
            bound = value + constant
            for e in range(p.n_employees):
                if e in fixed:
                    continue
                reduced, row, relaxed = pricers[e].cheapest(coef[e] - pi)
                if not math.isfinite(relaxed):
                    raise _NoSchedule(e)
                bound += min(0.0, relaxed - mu[e])
                if row is not None and reduced - mu[e] < -_TOL:
                    added += master.add(e, row, cost_of(e, row))
            if added == 0:
                return bound, master.solve()[3]

    try:
        root, x = generate()
    except _NoSchedule as exc:
        who = p.employee_ids[exc.employee]
        return ColumnsResult(
            None,
            None,
            None,
            len(master.rows),
            iterations,
            time.perf_counter() - t0,
            f"employee {who} has no schedule that keeps every rule",
        )
    root_columns = len(master.rows)
    root_assignments = None
    if root is not None:
        root_assignments = np.zeros((p.n_employees, p.days, p.n_shifts))
        for j in np.flatnonzero(x > _TOL).tolist():
            worked = [(d, s) for d, s in enumerate(master.rows[j]) if s != OFF]
            for d, s in worked:
                root_assignments[master.owner[j], d, s] += x[j]
    while len(fixed) < p.n_employees:
        free = np.array([o not in fixed for o in master.owner], dtype=bool)
        if not free.any():
            break  # an employee without any schedule column: no roster
        late = time.perf_counter() >= deadline
        order = np.argsort(-np.where(free, x, -1.0), kind="stable")
        picks = [int(k) for k in order if free[k] and (x[k] >= _FIX_AT or late)]
        if not picks:
            picks = [int(order[0])]
        for k in picks:
            if master.owner[k] not in fixed:
                fixed[master.owner[k]] = k
                master.fix(master.owner[k], k)
        if len(fixed) < p.n_employees:
            x = generate()[1] if not late else master.solve()[3]
    seconds_used = time.perf_counter() - t0
    note = (
        f"column generation: {root_columns} schedules at the root"
        + (f" (bound {root:.2f})" if root is not None else " (not priced to the end)")
        + f", {len(master.rows)} after diving, {iterations} LP solves"
    )
    if len(fixed) < p.n_employees:
        return ColumnsResult(
            None, None, root, len(master.rows), iterations, seconds_used, note + "; no roster"
        )
    from optimizer.roster_heuristic import roster_objective  # imports optimizer.roster

    def roster_of(chosen: dict[int, int]) -> IntArray:
        plan = np.full((p.n_employees, p.days), OFF, dtype=np.int64)
        for e, k in chosen.items():
            plan[e] = master.rows[k]
        return plan

    plan = roster_of(fixed)
    objective = roster_objective(p, plan)
    note += f"; the dive's roster: {objective:g}"
    left = deadline - time.perf_counter()
    proven = root is not None and _meets(objective, root, _objective_is_integral(p))
    if left > 1.0 and not proven:
        polished = master.best_integer(fixed, left)
        if polished is not None:
            better = roster_of(polished)
            if roster_objective(p, better) < objective - _TOL:
                plan, objective = better, roster_objective(p, better)
        seconds_used = time.perf_counter() - t0
        note += f"; the master as a MIP over them: {objective:g}"
    return ColumnsResult(
        plan, objective, root, len(master.rows), iterations, seconds_used, note, root_assignments
    )


class _NoSchedule(Exception):
    """An employee with no schedule at all (the problem is infeasible)."""

    def __init__(self, employee: int) -> None:
        super().__init__(employee)
        self.employee = employee


def _dive_from_own_start(
    problem: RosterProblem, heuristic_seconds: float, seconds: float, seed: int
) -> ColumnsResult:
    """A worker's dive: its own heuristic roster (``seed``) as the master's first schedules,
    then column generation, ``seconds`` in all."""
    from optimizer.roster_heuristic import (  # imports optimizer.roster
        greedy_roster,
        plan_from_table,
        roster_violations,
    )

    t0 = time.perf_counter()
    start: IntArray | None = plan_from_table(
        problem, greedy_roster(problem, heuristic_seconds, seed=seed)
    )
    if start is None or start.max(initial=OFF) < 0 or roster_violations(problem, start).any():
        start = None
    return column_generation_roster(
        problem, max(1.0, seconds - (time.perf_counter() - t0)), initial=start
    )


def parallel_column_generation(
    problem: RosterProblem,
    seconds: float,
    *,
    initial: IntArray | None,
    workers: int,
    heuristic_seconds: float,
) -> ColumnsResult:
    """:func:`column_generation_roster` here from ``initial`` and, at the same time, in
    ``workers - 1`` worker processes, each from its own heuristic roster (other seeds, for
    ``heuristic_seconds``); the cheapest roster wins, and the bound is the highest.

    Why: a dive follows one path, and where it ends depends on the schedules the master
    starts with (on Curtois Instance8, dives from different heuristic rosters ended between
    1304 and 1506); the other cores are idle during column generation otherwise.  A worker
    that fails leaves the answer to this process.
    """
    from optimizer.roster_parallel import spawn_pool  # imports optimizer.roster

    if workers <= 1:
        return column_generation_roster(problem, seconds, initial=initial)
    t0 = time.perf_counter()
    results: list[ColumnsResult] = []
    with spawn_pool(workers - 1) as pool:
        futures = [
            pool.submit(_dive_from_own_start, problem, heuristic_seconds, seconds, seed)
            for seed in range(1, workers)
        ]
        results.append(column_generation_roster(problem, seconds, initial=initial))
        for future in futures:
            wait = max(1.0, seconds - (time.perf_counter() - t0)) + 60.0
            try:
                results.append(future.result(timeout=wait))
            except Exception:  # a failed worker leaves the answer to this process
                future.cancel()
    found = [r for r in results if r.objective is not None]
    best = min(found, key=lambda r: float(r.objective or 0.0)) if found else results[0]
    bounds = [r.bound for r in results if r.bound is not None]
    bound = max(bounds) if bounds else None
    dives = ", ".join(f"{r.objective:g}" for r in found) or "none"
    return dataclasses.replace(
        best,
        bound=bound,
        seconds=time.perf_counter() - t0,
        message=f"{best.message}; dives on {workers} processes, rosters {dives}",
    )
