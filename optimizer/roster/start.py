"""A complete roster that keeps every hard rule, found without a solver: the MIP start.

:func:`start_roster` builds a roster day by day (each missing place in the cover goes to
the employee it costs least, soft terms included: a start time the employee already has
that week is cheaper) and improves it by simulated annealing over three moves: change one
or two days of one employee, swap one day, and swap a block of days between two employees.
Hard rules are a penalty during the search (how far each rule is broken, weighted above any
soft gain and adapted as the search goes), so it may cross rule-breaking rosters, but it
returns the best roster that breaks none.  The search runs a fixed number of moves from a
seeded generator: the same problem and seed give the same roster on any machine.

Must not import ``reports``, ``sim`` or ``run_sim``.
"""

from __future__ import annotations

import math
import random

import numpy as np

from optimizer.roster.objective import assignment_weights, fair_targets, row_soft_cost
from optimizer.roster.problem import OFF, FloatArray, IntArray, RosterProblem

__all__ = ["row_violations", "start_roster"]


class _Rules:
    """Each employee's hard rules in plain Python containers, for fast row checks."""

    def __init__(self, p: RosterProblem) -> None:
        self.n_days = p.days
        self.n_shifts = p.n_shifts
        self.minutes = [int(m) for m in p.shift_minutes]
        self.unit = float(max(1, int(np.median(p.shift_minutes)))) if p.n_shifts else 1.0
        fs = np.asarray(p.forbidden_successors, dtype=bool)
        self.forbidden = [[bool(fs[s, t]) for t in range(p.n_shifts)] for s in range(p.n_shifts)]
        self.night = [bool(x) for x in np.asarray(p.shift_night, dtype=bool)]
        self.caps = [[float(c) for c in row] for row in np.asarray(p.max_shifts)]
        self.min_total = [float(x) for x in p.min_minutes]
        self.max_total = [float(x) for x in p.max_minutes]
        self.min_on = [float(x) for x in p.min_consecutive_days]
        self.max_on = [float(x) for x in p.max_consecutive_days]
        self.min_off = [float(x) for x in p.min_consecutive_days_off]
        self.max_weekends = [float(x) for x in p.max_working_weekends]
        self.weekends = p.weekends()
        self.weeks = p.week_days()
        self.max_nights = [float(x) for x in p.max_night_shifts_per_week]
        self.week_off = [float(x) for x in p.min_days_off_per_week]
        self.week_max = [float(x) for x in p.max_minutes_per_week]
        self.week_min = [[float(x) for x in row] for row in p.min_minutes_per_week]
        self.weekly = [
            math.isfinite(self.max_nights[e])
            or self.week_off[e] > 0
            or math.isfinite(self.week_max[e])
            or any(self.week_min[e])
            for e in range(p.n_employees)
        ]

    def violation(self, e: int, row: list[int]) -> float:
        """How far employee e's row breaks the hard rules (0: it keeps them all).  Days off
        and unavailable assignments are not checked: moves never make them."""
        n, mins, forbidden = self.n_days, self.minutes, self.forbidden
        v = 0.0
        counts = [0] * self.n_shifts
        total = 0
        prev = OFF
        for s in row:
            if s >= 0:
                counts[s] += 1
                total += mins[s]
                if prev >= 0 and forbidden[prev][s]:
                    v += 1.0
            prev = s
        for s, c in enumerate(counts):
            if c > self.caps[e][s]:
                v += c - self.caps[e][s]
        if total < self.min_total[e]:
            v += (self.min_total[e] - total) / self.unit
        elif total > self.max_total[e]:
            v += (total - self.max_total[e]) / self.unit
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
        if self.max_weekends[e] < len(self.weekends):
            worked = sum(1 for days in self.weekends if any(row[x] >= 0 for x in days))
            v += max(0.0, worked - self.max_weekends[e])
        if self.weekly[e]:
            for k, week in enumerate(self.weeks):
                shifts = [row[x] for x in week if row[x] >= 0]
                nights = sum(1 for s in shifts if self.night[s])
                v += max(0.0, nights - self.max_nights[e])
                need = self.week_off[e] - (7 - len(week))
                v += max(0.0, need - (len(week) - len(shifts)))
                paid = sum(mins[s] for s in shifts)
                v += max(0.0, paid - self.week_max[e]) / self.unit
                v += max(0.0, self.week_min[e][k] - paid) / self.unit
        return v


def row_violations(p: RosterProblem, plan: IntArray) -> FloatArray:
    """How far each employee's row breaks the hard rules (all zeros: a feasible roster),
    counting one per worked day off or forbidden assignment."""
    plan = np.asarray(plan, dtype=np.int64)
    rules = _Rules(p)
    allowed = p.allowed()
    out = np.zeros(p.n_employees)
    for e in range(p.n_employees):
        row = [int(s) for s in plan[e]]
        bad = sum(1 for d, s in enumerate(row) if s >= 0 and not allowed[e, d, s])
        out[e] = rules.violation(e, row) + bad
    return out


def start_roster(
    p: RosterProblem,
    *,
    moves: int | None = None,
    seed: int = 0,
    initial: IntArray | None = None,
) -> IntArray | None:
    """A roster keeping every hard rule: greedy construction, then simulated annealing.

    Parameters
    ----------
    p : RosterProblem
        The problem.
    moves : int, optional
        Moves of the annealing (default ``max(20_000, 60 * E * D)``): a count, not a time,
        so the result is the same on any machine.
    seed : int, default 0
        Seed of the moves.
    initial : ndarray of int, (E, D), optional
        A plan to start from instead of the greedy construction.

    Returns
    -------
    ndarray of int, (E, D), or None
        The best plan found that keeps every hard rule, or ``None`` when none was found.
    """
    return _Search(p, seed).run(moves or max(20_000, 60 * p.n_employees * p.days), initial)


class _Search:
    """The state of one search: the plan, cover counts, each row's violation and soft cost."""

    def __init__(self, p: RosterProblem, seed: int) -> None:
        self.p = p
        self.rng = random.Random(seed)
        self.rules = _Rules(p)
        n_e, n_d, n_s = p.n_employees, p.days, p.n_shifts
        allowed = p.allowed()
        self.options = [
            [[s for s in range(n_s) if allowed[e, d, s]] for d in range(n_d)] for e in range(n_e)
        ]
        self.allowed = [[[bool(a) for a in allowed[e, d]] for d in range(n_d)] for e in range(n_e)]
        coef, _ = assignment_weights(p)
        self.coef = [[[float(c) for c in coef[e, d]] for d in range(n_d)] for e in range(n_e)]
        self.req = [[int(r) for r in row] for row in np.asarray(p.cover_requirement)]
        self.wu = [[float(w) for w in row] for row in np.asarray(p.cover_under_weight)]
        self.wo = [[float(w) for w in row] for row in np.asarray(p.cover_over_weight)]
        self.starts = p.start_groups()
        self.targets = fair_targets(p)
        biggest = max(
            float(np.max(np.abs(coef), initial=0.0)),
            float(np.max(p.cover_under_weight, initial=0.0)),
            float(np.max(p.cover_over_weight, initial=0.0)),
        )
        # Weight of one unit of violation: raised while the roster breaks rules and
        # lowered while it keeps them, so the search can cross rule-breaking rosters.
        self.weight = biggest + 1.0
        self.w_floor, self.w_cap = 1.0, 20.0 * (biggest + 1.0)
        positive = np.abs(coef[coef != 0])
        self.t_start = max(1.0, 2.0 * float(np.median(positive)) if positive.size else 1.0)
        self.plan: list[list[int]] = [[OFF] * n_d for _ in range(n_e)]
        self.count = [[0] * n_s for _ in range(n_d)]
        self.viol = [0.0] * n_e
        self.row_cost = [0.0] * n_e

    # -- bookkeeping ------------------------------------------------------------------

    def _row_soft(self, e: int, row: list[int]) -> float:
        return row_soft_cost(self.p, e, row, self.starts, self.targets)

    def _add_delta(self, d: int, s: int) -> float:
        return -self.wu[d][s] if self.count[d][s] < self.req[d][s] else self.wo[d][s]

    def _remove_delta(self, d: int, s: int) -> float:
        return self.wu[d][s] if self.count[d][s] <= self.req[d][s] else -self.wo[d][s]

    def _set_days(self, e: int, d0: int, width: int, new: int) -> float:
        """Give employee e shift ``new`` (or OFF) on days d0 .. d0+width-1, keeping the
        cover counts; return the change of the assignment and cover costs."""
        row, coef, delta = self.plan[e], self.coef[e], 0.0
        for d in range(d0, d0 + width):
            old = row[d]
            if old == new:
                continue
            if old >= 0:
                delta += self._remove_delta(d, old) - coef[d][old]
                self.count[d][old] -= 1
            if new >= 0:
                delta += self._add_delta(d, new) + coef[d][new]
                self.count[d][new] += 1
            row[d] = new
        return delta

    def _restore_days(self, e: int, d0: int, saved: list[int]) -> None:
        row = self.plan[e]
        for i, d in enumerate(range(d0, d0 + len(saved))):
            if row[d] >= 0:
                self.count[d][row[d]] -= 1
            if saved[i] >= 0:
                self.count[d][saved[i]] += 1
            row[d] = saved[i]

    def _soft_total(self) -> float:
        total = sum(self.row_cost)
        for e, row in enumerate(self.plan):
            total += sum(self.coef[e][d][s] for d, s in enumerate(row) if s >= 0)
        for d, counts in enumerate(self.count):
            for s, c in enumerate(counts):
                r = self.req[d][s]
                total += self.wu[d][s] * max(r - c, 0) + self.wo[d][s] * max(c - r, 0)
        return total

    # -- phases -----------------------------------------------------------------------

    def _greedy(self) -> None:
        """Fill each missing place in the cover (heaviest first, then day by day) with
        the employee it costs least, violations and soft terms included."""
        p = self.p
        order = sorted(
            ((d, s) for d in range(p.days) for s in range(p.n_shifts)),
            key=lambda ds: -self.wu[ds[0]][ds[1]],
        )
        for d, s in order:
            while self.count[d][s] < self.req[d][s]:
                best, best_e, best_v, best_r = 0.0, -1, 0.0, 0.0
                gain = self._add_delta(d, s)
                for e in range(p.n_employees):
                    row = self.plan[e]
                    if row[d] != OFF or not self.allowed[e][d][s]:
                        continue
                    row[d] = s
                    v = self.rules.violation(e, row)
                    r = self._row_soft(e, row)
                    row[d] = OFF
                    delta = (
                        self.coef[e][d][s]
                        + gain
                        + (r - self.row_cost[e])
                        + self.weight * (v - self.viol[e])
                    )
                    if delta < best:
                        best, best_e, best_v, best_r = delta, e, v, r
                if best_e < 0:
                    break
                self.plan[best_e][d] = s
                self.count[d][s] += 1
                self.viol[best_e], self.row_cost[best_e] = best_v, best_r

    def _repair(self) -> None:
        """Local search on each rule-breaking row alone until it keeps every rule (or a
        count of tries runs out): changes of one or two days, kept when they do not raise
        the violation (ties broken by cost)."""
        rng, n_d = self.rng, self.p.days
        for e in range(self.p.n_employees):
            tries = 0
            while self.viol[e] > 0 and tries < 4000:
                tries += 1
                width = 2 if rng.random() < 0.4 and n_d > 1 else 1
                d0 = rng.randrange(n_d - width + 1)
                choices = self.options[e][d0]
                k = rng.randrange(len(choices) + 1)
                new = choices[k] if k < len(choices) else OFF
                row = self.plan[e]
                saved = row[d0 : d0 + width]
                if all(x == new for x in saved) or (
                    new >= 0 and not all(self.allowed[e][d][new] for d in range(d0, d0 + width))
                ):
                    continue
                delta = self._set_days(e, d0, width, new)
                v = self.rules.violation(e, row)
                r = self._row_soft(e, row)
                delta += r - self.row_cost[e]
                if (v - self.viol[e]) * 1e6 + delta <= 0 or rng.random() < 0.02:
                    self.viol[e], self.row_cost[e] = v, r
                    continue
                self._restore_days(e, d0, saved)

    def run(self, moves: int, initial: IntArray | None) -> IntArray | None:
        p, rng = self.p, self.rng
        n_e, n_d = p.n_employees, p.days
        if n_e == 0:
            return np.full((0, n_d), OFF, dtype=np.int64)
        if initial is not None:
            for e, row in enumerate(np.asarray(initial)):
                for d, s in enumerate(row):
                    if s >= 0 and self.allowed[e][d][int(s)]:
                        self.plan[e][d] = int(s)
                        self.count[d][int(s)] += 1
        self.viol = [self.rules.violation(e, self.plan[e]) for e in range(n_e)]
        self.row_cost = [self._row_soft(e, self.plan[e]) for e in range(n_e)]
        if initial is None:
            self._greedy()
        self._repair()
        soft, hard = self._soft_total(), sum(self.viol)
        best: list[list[int]] | None = [r[:] for r in self.plan] if hard == 0 else None
        best_soft = soft if hard == 0 else math.inf
        t_end = 0.05
        last_feasible = 0
        for it in range(1, moves + 1):
            if it % 100 == 0:
                self.weight = (
                    min(self.w_cap, self.weight * 1.02)
                    if hard > 0
                    else max(self.w_floor, self.weight / 1.02)
                )
            temp = self.t_start * (t_end / self.t_start) ** (it / moves)
            if hard > 0 and it - last_feasible > 20_000:
                self._repair()
                soft, hard = self._soft_total(), sum(self.viol)
                last_feasible = it
                continue
            if hard == 0:
                last_feasible = it
            r = rng.random()
            accepted = self._change(r, temp) if r < 0.5 else self._swap(r, temp)
            if accepted is None:
                continue
            soft += accepted[0]
            hard += accepted[1]
            if hard < 1e-6 and max(self.viol) <= 0.0:
                hard = 0.0
                if soft < best_soft - 1e-9:
                    best_soft, best = soft, [row[:] for row in self.plan]
        return None if best is None else np.asarray(best, dtype=np.int64)

    def _accept(self, total: float, temp: float) -> bool:
        return total <= 0 or self.rng.random() < math.exp(-total / temp)

    def _change(self, r: float, temp: float) -> tuple[float, float] | None:
        """Change one day of one employee, or two consecutive days to the same value."""
        rng, n_d = self.rng, self.p.days
        e = rng.randrange(self.p.n_employees)
        width = 2 if r < 0.15 and n_d > 1 else 1
        d0 = rng.randrange(n_d - width + 1)
        choices = self.options[e][d0]
        k = rng.randrange(len(choices) + 1)
        new = choices[k] if k < len(choices) else OFF
        row = self.plan[e]
        saved = row[d0 : d0 + width]
        if all(x == new for x in saved) or (
            new >= 0 and not all(self.allowed[e][d][new] for d in range(d0, d0 + width))
        ):
            return None
        delta = self._set_days(e, d0, width, new)
        v = self.rules.violation(e, row)
        rc = self._row_soft(e, row)
        delta += rc - self.row_cost[e]
        dv = v - self.viol[e]
        if self._accept(delta + self.weight * dv, temp):
            self.viol[e], self.row_cost[e] = v, rc
            return delta, dv
        self._restore_days(e, d0, saved)
        return None

    def _swap(self, r: float, temp: float) -> tuple[float, float] | None:
        """Swap one day, or a block of 2-7 days, between two employees."""
        rng, p = self.rng, self.p
        e1, e2 = rng.randrange(p.n_employees), rng.randrange(p.n_employees)
        if e1 == e2:
            return None
        d0 = rng.randrange(p.days)
        d1 = d0 + 1 if r < 0.8 else min(p.days, d0 + rng.randint(2, 7))
        row1, row2 = self.plan[e1], self.plan[e2]
        delta, same = 0.0, True
        for d in range(d0, d1):
            a, b = row1[d], row2[d]
            if a == b:
                continue
            same = False
            if (b >= 0 and not self.allowed[e1][d][b]) or (a >= 0 and not self.allowed[e2][d][a]):
                return None
            if a >= 0:
                delta += self.coef[e2][d][a] - self.coef[e1][d][a]
            if b >= 0:
                delta += self.coef[e1][d][b] - self.coef[e2][d][b]
        if same:
            return None
        row1[d0:d1], row2[d0:d1] = row2[d0:d1], row1[d0:d1]
        v1, v2 = self.rules.violation(e1, row1), self.rules.violation(e2, row2)
        c1, c2 = self._row_soft(e1, row1), self._row_soft(e2, row2)
        delta += c1 + c2 - self.row_cost[e1] - self.row_cost[e2]
        dv = v1 + v2 - self.viol[e1] - self.viol[e2]
        if self._accept(delta + self.weight * dv, temp):
            self.viol[e1], self.viol[e2] = v1, v2
            self.row_cost[e1], self.row_cost[e2] = c1, c2
            return delta, dv
        row1[d0:d1], row2[d0:d1] = row2[d0:d1], row1[d0:d1]
        return None
