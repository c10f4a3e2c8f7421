"""Constructive and local-search heuristic for named rosters (a MIP start, or a fallback).

Role: find a good roster for a :class:`~optimizer.roster.RosterProblem` quickly, without a
solver.  :func:`greedy_roster` builds a roster day by day (cheapest employee for each missing
place in the cover) and improves it by simulated annealing over three moves: change one
assignment, swap two employees' assignments on one day, swap a block of days between two
employees.  Hard rules are kept as a penalty (per employee: how far each rule is broken,
weighted above any soft gain), so the search may cross infeasible rosters but only returns
the best roster that breaks no hard rule; :func:`roster_violations` says by how much a roster
breaks them (0 for every employee = feasible).

Rosters are ``plan`` arrays of shape (E, D): the shift index worked, or -1 for a day off.

Must not import: ``reports``, ``sim``, ``run_sim``.  Must not print or write files.
"""

from __future__ import annotations

import math
import random
import time

import numpy as np
import numpy.typing as npt
import pandas as pd

from optimizer.result import OptimizerError
from optimizer.roster import (
    RosterProblem,
    _allowed,
    _assignment_weights,
    _weekends,
    _weeks,
    table_from_plan,
)

__all__ = [
    "greedy_roster",
    "plan_from_table",
    "roster_objective",
    "roster_violations",
    "table_from_plan",
]

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

OFF = -1


def plan_from_table(problem: RosterProblem, table: pd.DataFrame) -> IntArray:
    """Roster table (columns ``employee``, ``day``, ``shift``; IDs) as a plan array.

    Parameters
    ----------
    problem : RosterProblem
        The problem whose IDs the table uses.
    table : pandas.DataFrame
        One row per worked assignment.

    Returns
    -------
    ndarray of int, shape (E, D)
        Shift index per employee and day, -1 for a day off.

    Raises
    ------
    OptimizerError
        On a missing column, an unknown ID, a day outside the horizon or two shifts for one
        employee on one day.
    """
    missing = {"employee", "day", "shift"} - set(table.columns)
    if missing:
        raise OptimizerError(
            f"roster '{problem.name}': initial roster lacks column(s) {sorted(missing)} "
            "(expected employee, day, shift)"
        )
    e_index = {eid: i for i, eid in enumerate(problem.employee_ids)}
    s_index = {sid: i for i, sid in enumerate(problem.shift_ids)}
    plan = np.full((problem.n_employees, problem.days), OFF, dtype=np.int64)
    for eid, day, sid in zip(table["employee"], table["day"], table["shift"], strict=True):
        e, s = e_index.get(str(eid)), s_index.get(str(sid))
        if e is None or s is None:
            raise OptimizerError(
                f"roster '{problem.name}': initial roster names employee '{eid}' / shift "
                f"'{sid}' (expected IDs of the problem)"
            )
        d = int(day)
        if not 0 <= d < problem.days:
            raise OptimizerError(
                f"roster '{problem.name}': initial roster has day {d} "
                f"(expected 0..{problem.days - 1})"
            )
        if plan[e, d] != OFF:
            raise OptimizerError(
                f"roster '{problem.name}': initial roster gives employee '{eid}' two shifts "
                f"on day {d} (expected at most one)"
            )
        plan[e, d] = s
    return plan


def roster_objective(problem: RosterProblem, plan: IntArray) -> float:
    """Objective of a roster (the MILP's objective): requests, costs, cover under/over.

    Parameters
    ----------
    problem : RosterProblem
        The problem.
    plan : ndarray of int, shape (E, D)
        Shift index per employee and day, -1 off.

    Returns
    -------
    float
    """
    plan = np.asarray(plan)
    coef, constant = _assignment_weights(problem)
    ee, dd = np.nonzero(plan >= 0)
    ss = plan[ee, dd]
    staffed = np.zeros((problem.days, problem.n_shifts), dtype=np.int64)
    np.add.at(staffed, (dd, ss), 1)
    req = np.asarray(problem.cover_requirement)
    cover = np.asarray(problem.cover_under_weight) * np.maximum(req - staffed, 0)
    cover += np.asarray(problem.cover_over_weight) * np.maximum(staffed - req, 0)
    return float(constant + coef[ee, dd, ss].sum() + cover.sum())


class _Rules:
    """Per-employee hard rules in plain Python containers, for fast row checks."""

    def __init__(self, p: RosterProblem) -> None:
        self.n_days = p.days
        self.n_shifts = p.n_shifts
        self.minutes = [int(m) for m in p.shift_minutes]
        self.unit = float(max(1, int(np.median(p.shift_minutes)))) if p.n_shifts else 1.0
        fs = np.asarray(p.forbidden_successors, dtype=bool)
        self.forbidden = [[bool(fs[s, t]) for t in range(p.n_shifts)] for s in range(p.n_shifts)]
        self.night = [bool(x) for x in np.asarray(p.shift_night, dtype=bool)]
        self.caps = [[float(c) for c in row] for row in np.asarray(p.max_shifts)]
        self.min_min = [float(x) for x in p.min_minutes]
        self.max_min = [float(x) for x in p.max_minutes]
        self.min_on = [float(x) for x in p.min_consecutive_shifts]
        self.max_on = [float(x) for x in p.max_consecutive_shifts]
        self.min_off = [float(x) for x in p.min_consecutive_days_off]
        self.max_wkd = [float(x) for x in p.max_weekends]
        self.weekends = _weekends(p.days)
        self.weeks = [list(w) for w in _weeks(p.days)]
        self.nights = [float(x) for x in p.max_nights_per_week]
        self.week_off = [float(x) for x in p.min_days_off_per_week]
        self.week_min = [float(x) for x in p.max_minutes_per_week]

    def violation(self, e: int, row: list[int]) -> float:
        """How far row ``row`` of employee ``e`` breaks the hard rules (0 = it keeps all).

        Days off and unavailable assignments are not checked: moves never make them.
        """
        n, mins, fb = self.n_days, self.minutes, self.forbidden
        v = 0.0
        counts = [0] * self.n_shifts
        total = 0
        prev = OFF
        for s in row:
            if s >= 0:
                counts[s] += 1
                total += mins[s]
                if prev >= 0 and fb[prev][s]:
                    v += 1.0
            prev = s
        cap = self.caps[e]
        for s, c in enumerate(counts):
            if c > cap[s]:
                v += c - cap[s]
        if total < self.min_min[e]:
            v += (self.min_min[e] - total) / self.unit
        elif total > self.max_min[e]:
            v += (total - self.max_min[e]) / self.unit
        min_on, max_on, min_off = self.min_on[e], self.max_on[e], self.min_off[e]
        d = 0
        while d < n:
            working = row[d] >= 0
            start = d
            d += 1
            while d < n and (row[d] >= 0) == working:
                d += 1
            length = d - start
            interior = start > 0 and d < n
            if working:
                if length > max_on:
                    v += length - max_on
                if interior and length < min_on:
                    v += min_on - length
            elif interior and length < min_off:
                v += min_off - length
        if self.max_wkd[e] < len(self.weekends):
            worked = sum(1 for days in self.weekends if any(row[x] >= 0 for x in days))
            if worked > self.max_wkd[e]:
                v += worked - self.max_wkd[e]
        if math.isfinite(self.nights[e]) or self.week_off[e] > 0 or math.isfinite(self.week_min[e]):
            for week in self.weeks:
                shifts = [row[x] for x in week if row[x] >= 0]
                nights = sum(1 for s in shifts if self.night[s])
                if nights > self.nights[e]:
                    v += nights - self.nights[e]
                need = self.week_off[e] - (7 - len(week))
                if len(week) - len(shifts) < need:
                    v += need - (len(week) - len(shifts))
                paid = sum(mins[s] for s in shifts)
                if paid > self.week_min[e]:
                    v += (paid - self.week_min[e]) / self.unit
        return v


def roster_violations(problem: RosterProblem, plan: IntArray) -> FloatArray:
    """How far each employee's row breaks the hard rules; all zeros = a feasible roster.

    Parameters
    ----------
    problem : RosterProblem
        The problem.
    plan : ndarray of int, shape (E, D)
        Shift index per employee and day, -1 off.

    Returns
    -------
    ndarray of float, shape (E,)
        Sum of the amounts by which each rule is broken (shifts, days, weekends, or minutes
        in units of the median shift length), plus one per day off or unavailable
        assignment that is worked.
    """
    plan = np.asarray(plan, dtype=np.int64)
    rules = _Rules(problem)
    allowed = _allowed(problem)
    out = np.zeros(problem.n_employees)
    for e in range(problem.n_employees):
        row = [int(s) for s in plan[e]]
        bad = sum(1 for d, s in enumerate(row) if s >= 0 and not allowed[e, d, s])
        out[e] = rules.violation(e, row) + bad
    return out


def greedy_roster(
    problem: RosterProblem,
    seconds: float = 10.0,
    *,
    seed: int = 0,
    initial: IntArray | None = None,
) -> pd.DataFrame:
    """A roster that keeps every hard rule, found by greedy construction and local search.

    Parameters
    ----------
    problem : RosterProblem
        The problem.
    seconds : float, default 10.0
        Wall-clock budget (s); the search also stops early once it stalls.
    seed : int, default 0
        Random seed (the result is reproducible for a given seed and budget only when the
        budget, not the clock, ends the search).
    initial : ndarray of int, shape (E, D), optional
        A plan to start from instead of the greedy construction.

    Returns
    -------
    pandas.DataFrame
        Columns ``employee``, ``day``, ``shift``; empty (no rows) when no roster keeping
        every hard rule was found.
    """
    plan = _search(problem, seconds, seed=seed, initial=initial)
    if plan is None:
        return table_from_plan(problem, np.full((problem.n_employees, problem.days), OFF))
    return table_from_plan(problem, plan)


def _search(
    p: RosterProblem, seconds: float, *, seed: int = 0, initial: IntArray | None = None
) -> IntArray | None:
    """Greedy construction then simulated annealing; the best feasible plan or ``None``."""
    deadline = time.perf_counter() + max(0.0, seconds)
    rng = random.Random(seed)
    n_e, n_d, n_s = p.n_employees, p.days, p.n_shifts
    rules = _Rules(p)
    allowed_arr = _allowed(p)
    options = [
        [[s for s in range(n_s) if allowed_arr[e, d, s]] for d in range(n_d)] for e in range(n_e)
    ]
    allowed = [[[bool(a) for a in allowed_arr[e, d]] for d in range(n_d)] for e in range(n_e)]
    coef_arr, _ = _assignment_weights(p)
    coef = [[[float(c) for c in coef_arr[e, d]] for d in range(n_d)] for e in range(n_e)]
    req = [[int(r) for r in row] for row in np.asarray(p.cover_requirement)]
    wu = [[float(w) for w in row] for row in np.asarray(p.cover_under_weight)]
    wo = [[float(w) for w in row] for row in np.asarray(p.cover_over_weight)]
    biggest = max(
        float(np.max(np.abs(coef_arr), initial=0.0)),
        float(np.max(p.cover_under_weight, initial=0.0)),
        float(np.max(p.cover_over_weight, initial=0.0)),
    )
    # Weight of one unit of hard violation: adapted during the search (raised while the
    # roster breaks rules, lowered while it keeps them) so it can cross infeasible rosters.
    weight = biggest + 1.0
    w_floor, w_cap = 1.0, 20.0 * (biggest + 1.0)

    if initial is not None:
        plan = [
            [int(s) if s >= 0 and allowed[e][d][int(s)] else OFF for d, s in enumerate(r)]
            for e, r in enumerate(np.asarray(initial))
        ]
    else:
        plan = [[OFF] * n_d for _ in range(n_e)]
    count = [[0] * n_s for _ in range(n_d)]
    for e in range(n_e):
        for d in range(n_d):
            if plan[e][d] >= 0:
                count[d][plan[e][d]] += 1
    viol = [rules.violation(e, plan[e]) for e in range(n_e)]

    def add_delta(d: int, s: int) -> float:
        return -wu[d][s] if count[d][s] < req[d][s] else wo[d][s]

    def remove_delta(d: int, s: int) -> float:
        return wu[d][s] if count[d][s] <= req[d][s] else -wo[d][s]

    # Greedy construction: fill each missing place with the employee it costs least.
    if initial is None:
        order = [(d, s) for d in range(n_d) for s in range(n_s)]
        order.sort(key=lambda ds: -wu[ds[0]][ds[1]])
        for d, s in order:
            while count[d][s] < req[d][s] and time.perf_counter() < deadline:
                best, best_e, best_v = 0.0, -1, 0.0
                gain = add_delta(d, s)
                for e in range(n_e):
                    if plan[e][d] != OFF or not allowed[e][d][s]:
                        continue
                    plan[e][d] = s
                    v = rules.violation(e, plan[e])
                    plan[e][d] = OFF
                    delta = coef[e][d][s] + gain + weight * (v - viol[e])
                    if delta < best:
                        best, best_e, best_v = delta, e, v
                if best_e < 0:
                    break
                plan[best_e][d] = s
                count[d][s] += 1
                viol[best_e] = best_v

    def soft_total() -> float:
        total = 0.0
        for e in range(n_e):
            for d, s in enumerate(plan[e]):
                if s >= 0:
                    total += coef[e][d][s]
        for d in range(n_d):
            for s in range(n_s):
                c, r = count[d][s], req[d][s]
                total += wu[d][s] * max(r - c, 0) + wo[d][s] * max(c - r, 0)
        return total

    def set_days(e: int, row: list[int], d0: int, width: int, new: int) -> float:
        """Give employee e shift ``new`` (or OFF) on days d0..d0+width-1, keeping the cover
        counts; return the change in soft cost."""
        delta = 0.0
        for d in range(d0, d0 + width):
            old = row[d]
            if old == new:
                continue
            if old >= 0:
                delta += remove_delta(d, old) - coef[e][d][old]
                count[d][old] -= 1
            if new >= 0:
                delta += add_delta(d, new) + coef[e][d][new]
                count[d][new] += 1
            row[d] = new
        return delta

    def restore_days(row: list[int], d0: int, saved: list[int]) -> None:
        """Undo :func:`set_days`: put back the ``saved`` days from d0, with the counts."""
        for i, d in enumerate(range(d0, d0 + len(saved))):
            if row[d] >= 0:
                count[d][row[d]] -= 1
            if saved[i] >= 0:
                count[d][saved[i]] += 1
            row[d] = saved[i]

    def repair_rows() -> None:
        """Local search on each rule-breaking row alone until it keeps every rule (or gives
        up): random changes of one or two days, accepted when they do not increase the
        violation (ties broken by the soft cost)."""
        for e in range(n_e):
            row = plan[e]
            tries = 0
            while viol[e] > 0 and tries < 4000:
                tries += 1
                width = 2 if rng.random() < 0.4 and n_d > 1 else 1
                d0 = rng.randrange(n_d - width + 1)
                choices = options[e][d0]
                k = rng.randrange(len(choices) + 1)
                new = choices[k] if k < len(choices) else OFF
                saved = row[d0 : d0 + width]
                if all(x == new for x in saved) or (
                    new >= 0 and not all(allowed[e][d][new] for d in range(d0, d0 + width))
                ):
                    continue
                delta = set_days(e, row, d0, width, new)
                v = rules.violation(e, row)
                if (v - viol[e]) * 1e6 + delta <= 0 or rng.random() < 0.02:
                    viol[e] = v
                    continue
                restore_days(row, d0, saved)

    repair_rows()
    soft = soft_total()
    hard = sum(viol)
    feasible_at = 0
    repair_after = 20_000
    best_plan: list[list[int]] | None = [row[:] for row in plan] if hard == 0 else None
    best_soft = soft if hard == 0 else math.inf

    positive = np.abs(coef_arr[coef_arr != 0])
    t_start = max(1.0, 2.0 * float(np.median(positive)) if positive.size else 1.0)
    t_end = 0.05
    started = time.perf_counter()
    budget = max(1e-6, deadline - started)
    temp = t_start
    stall_limit = 20_000 + 100 * n_e * n_d
    since_best = 0
    it = 0
    while True:
        it += 1
        if it % 100 == 0:
            weight = min(w_cap, weight * 1.02) if hard > 0 else max(w_floor, weight / 1.02)
        if it % 500 == 0:
            now = time.perf_counter()
            if now >= deadline:
                break
            temp = t_start * (t_end / t_start) ** ((now - started) / budget)
            if since_best > stall_limit and temp < 0.5 * t_start and best_plan is not None:
                break
        since_best += 1
        r = rng.random()
        if hard > 0 and it - feasible_at > repair_after:
            repair_rows()
            soft, hard = soft_total(), sum(viol)
            feasible_at = it
            continue
        if hard == 0:
            feasible_at = it
        if r < 0.5:
            # Change one assignment, or two consecutive days to the same value.
            e = rng.randrange(n_e)
            width = 2 if r < 0.15 and n_d > 1 else 1
            d0 = rng.randrange(n_d - width + 1)
            choices = options[e][d0]
            k = rng.randrange(len(choices) + 1)
            new = choices[k] if k < len(choices) else OFF
            row = plan[e]
            saved = row[d0 : d0 + width]
            if all(x == new for x in saved) or (
                new >= 0 and not all(allowed[e][d][new] for d in range(d0, d0 + width))
            ):
                continue
            delta = set_days(e, row, d0, width, new)
            v = rules.violation(e, row)
            dv = v - viol[e]
            total = delta + weight * dv
            if total <= 0 or rng.random() < math.exp(-total / temp):
                viol[e] = v
                soft += delta
                hard += dv
            else:
                restore_days(row, d0, saved)
                continue
        else:
            e1 = rng.randrange(n_e)
            e2 = rng.randrange(n_e)
            if e1 == e2:
                continue
            d0 = rng.randrange(n_d)
            d1 = d0 + 1 if r < 0.8 else min(n_d, d0 + rng.randint(2, 7))
            row1, row2 = plan[e1], plan[e2]
            delta = 0.0
            ok = True
            same = True
            for d in range(d0, d1):
                a, b = row1[d], row2[d]
                if a == b:
                    continue
                same = False
                if (b >= 0 and not allowed[e1][d][b]) or (a >= 0 and not allowed[e2][d][a]):
                    ok = False
                    break
                if a >= 0:
                    delta += coef[e2][d][a] - coef[e1][d][a]
                if b >= 0:
                    delta += coef[e1][d][b] - coef[e2][d][b]
            if not ok or same:
                continue
            row1[d0:d1], row2[d0:d1] = row2[d0:d1], row1[d0:d1]
            v1 = rules.violation(e1, row1)
            v2 = rules.violation(e2, row2)
            dv = v1 + v2 - viol[e1] - viol[e2]
            total = delta + weight * dv
            if total <= 0 or rng.random() < math.exp(-total / temp):
                viol[e1], viol[e2] = v1, v2
                soft += delta
                hard += dv
            else:
                row1[d0:d1], row2[d0:d1] = row2[d0:d1], row1[d0:d1]
                continue
        if hard < 1e-6 and max(viol) <= 0.0:
            hard = 0.0
            if soft < best_soft - 1e-9:
                best_soft = soft
                best_plan = [row[:] for row in plan]
                since_best = 0
    if best_plan is None:
        return None
    return np.asarray(best_plan, dtype=np.int64)
