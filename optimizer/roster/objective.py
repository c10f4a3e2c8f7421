"""The roster objective, computed from a plan: the number the MILP minimises.

One definition of what a roster costs, shared by the MILP (:mod:`optimizer.roster.model`
writes the same terms as constraints and variables), the start heuristic
(:mod:`optimizer.roster.start`) and the checks that recompute a solver's objective:

- assignments: pay (``hourly_cost`` x paid hours), ``assignment_cost``, unwanted shifts
  (``shift_off_weight``) and requested shifts not worked (``shift_on_weight``);
- cover: ``cover_under_weight`` per employee short of a shift's requirement and
  ``cover_over_weight`` per employee above it;
- stable starts: ``start_change_weight`` per start time beyond the first in a week;
- paired days off: ``single_day_off_weight`` per day off between two worked days (days of
  leave excepted);
- fairness: ``fairness_weight`` per weekend, and per night shift, above an employee's fair
  share (the cover's weekends and nights spread evenly, rounded up).

Plans are arrays of shape (E, D): the shift index worked, or ``OFF``.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from optimizer.roster.problem import RosterProblem

__all__ = [
    "assignment_weights",
    "fair_targets",
    "objective_is_integral",
    "plan_objective",
    "row_soft_cost",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]


def assignment_weights(p: RosterProblem) -> tuple[FloatArray, float]:
    """Objective coefficient of each assignment (E, D, S), and the constant of the
    requests for shifts (paid when not worked)."""
    minutes = np.asarray(p.shift_minutes, dtype=np.float64)
    coef = (
        np.asarray(p.shift_off_weight)
        - np.asarray(p.shift_on_weight)
        + np.asarray(p.assignment_cost)
        + np.asarray(p.hourly_cost)[:, None, None] * minutes[None, None, :] / 60.0
    )
    return coef, float(np.asarray(p.shift_on_weight).sum())


def fair_targets(p: RosterProblem) -> tuple[int, int]:
    """Fair share of weekends and of night shifts per employee: what the cover asks for,
    spread evenly and rounded up."""
    if p.n_employees == 0:
        return 0, 0
    cover = np.asarray(p.cover_requirement)
    weekends = sum(int(cover[days].sum(axis=1).max()) for days in p.weekends() if days)
    night = np.asarray(p.shift_night, dtype=bool)
    nights = int(cover[:, night].sum()) if night.any() else 0
    return math.ceil(weekends / p.n_employees), math.ceil(nights / p.n_employees)


def row_soft_cost(
    p: RosterProblem,
    e: int,
    row: list[int] | IntArray,
    starts: IntArray,
    targets: tuple[int, int],
) -> float:
    """The soft terms of one employee's row that are not per assignment: stable starts,
    paired days off and fairness.

    Parameters
    ----------
    p : RosterProblem
        The problem.
    e : int
        Employee index.
    row : sequence of int
        The employee's shift index per day (``OFF`` for a day off).
    starts : ndarray of int
        :meth:`RosterProblem.start_groups`.
    targets : tuple of int
        :func:`fair_targets`.
    """
    cost = 0.0
    weight = float(p.start_change_weight[e])
    if weight > 0:
        used: dict[int, set[int]] = {}
        for d, s in enumerate(row):
            w = int(p.week_of_day[d])
            if s >= 0 and w >= 0:
                used.setdefault(w, set()).add(int(starts[s]))
        cost += weight * sum(len(g) - 1 for g in used.values())
    weight = float(p.single_day_off_weight[e])
    if weight > 0:
        for d in range(1, p.days - 1):
            if row[d] < 0 and row[d - 1] >= 0 and row[d + 1] >= 0 and not p.days_off[e, d]:
                cost += weight
    if p.fairness_weight > 0:
        weekends = sum(1 for days in p.weekends() if any(row[d] >= 0 for d in days))
        nights = sum(1 for s in row if s >= 0 and p.shift_night[s])
        cost += p.fairness_weight * (max(0, weekends - targets[0]) + max(0, nights - targets[1]))
    return cost


def plan_objective(p: RosterProblem, plan: IntArray) -> float:
    """The objective of a plan, as the roster MILP counts it."""
    plan = np.asarray(plan, dtype=np.int64)
    coef, constant = assignment_weights(p)
    ee, dd = np.nonzero(plan >= 0)
    ss = plan[ee, dd]
    staffed = np.zeros((p.days, p.n_shifts), dtype=np.int64)
    np.add.at(staffed, (dd, ss), 1)
    req = np.asarray(p.cover_requirement)
    cover = np.asarray(p.cover_under_weight) * np.maximum(req - staffed, 0)
    cover += np.asarray(p.cover_over_weight) * np.maximum(staffed - req, 0)
    starts = p.start_groups()
    targets = fair_targets(p)
    rows = sum(row_soft_cost(p, e, list(plan[e]), starts, targets) for e in range(p.n_employees))
    return float(constant + coef[ee, dd, ss].sum() + cover.sum() + rows)


def objective_is_integral(p: RosterProblem) -> bool:
    """Whether every objective coefficient is an integer, so that every plan's objective
    is one (then a plan within 1 of the bound is optimal)."""
    coef, constant = assignment_weights(p)
    parts = [
        coef.ravel(),
        np.asarray(p.cover_under_weight).ravel(),
        np.asarray(p.cover_over_weight).ravel(),
        np.asarray(p.start_change_weight).ravel(),
        np.asarray(p.single_day_off_weight).ravel(),
        np.array([p.fairness_weight, constant]),
    ]
    values = np.concatenate(parts)
    return bool(np.all(np.abs(values - np.round(values)) < 1e-9))
