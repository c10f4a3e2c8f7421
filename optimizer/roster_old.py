"""Named-roster MILP: which employee works which shift type on which day.

Role: a generic roster model that expresses both the Curtois-Qu rostering benchmark and a
support team's roster.  :class:`RosterProblem` is plain data (numpy arrays, tuples);
:func:`build_model` turns it into a Pyomo model with one ``_add_<family>`` function per rule;
:func:`solve_roster` solves it with HiGHS and returns a :class:`~optimizer.result.SolveResult`
whose ``assignments`` table has columns ``employee``, ``day``, ``shift``.  The solve starts from a
roster of :func:`optimizer.roster_heuristic.greedy_roster` (or a given one, loaded by
:func:`load_start`), or from a roster of column generation
(:mod:`optimizer.roster_columns`) when that is cheaper, and may end with neighbourhood
re-solves of the incumbent.

Conventions: day 0 is a Monday; a weekend is (Saturday, Sunday) = days (7k+5, 7k+6) inside
the horizon; a "week" for the weekly rules is the calendar week of days 7k .. 7k+6.  Limits
that do not apply are ``numpy.inf`` (maxima) or 0 (minima).  Minimum-consecutive rules (work
runs and day-off runs) are not enforced for runs touching the first or last day of the
horizon, as in the Curtois-Qu benchmark.

Must not import: ``reports``, ``sim``, ``run_sim``.  Must not print or write files.
"""

from __future__ import annotations

import dataclasses
import functools
import math
import time
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyomo.environ as pyo

from optimizer.result import (
    FixedSolves,
    OptimizerError,
    SolveResult,
    SolveStatus,
    relative_gap,
    solve_with_highs,
)

if TYPE_CHECKING:
    from optimizer.roster_columns import ColumnsResult

__all__ = [
    "RosterProblem",
    "assignments_of_model",
    "build_model",
    "check_problem",
    "load_start",
    "neighbourhood_search",
    "plan_of_model",
    "solve_roster",
    "table_from_plan",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

_INTEGRAL_TOL = 1e-9

RunFormulation = Literal["network", "windows"]


@dataclasses.dataclass(frozen=True, eq=False)
class RosterProblem:
    """A named-roster problem as plain arrays.

    Shapes use ``E`` employees, ``D`` days and ``S`` shift types.  Build one with
    :meth:`RosterProblem.create`, which fills every optional rule with "no limit".

    Attributes
    ----------
    name : str
        Label used in messages.
    days : int
        Horizon length (days); day 0 is a Monday.
    shift_ids : tuple[str, ...]
        Shift type identifiers, shape (S,).
    shift_minutes : ndarray of int, shape (S,)
        Paid length of each shift type (minutes).
    shift_start_minute : ndarray of float, shape (S,)
        Start minute of day (0-1439) of each shift type, NaN when unknown.  Informative only:
        rest rules are expressed through ``forbidden_successors``.
    shift_night : ndarray of bool, shape (S,)
        Whether a shift type counts as a night shift for ``max_nights_per_week``.
    forbidden_successors : ndarray of bool, shape (S, S)
        ``[s, t]`` true when shift type ``t`` may not be worked the day after ``s``.
    employee_ids : tuple[str, ...]
        Employee identifiers, shape (E,).
    max_shifts : ndarray of float, shape (E, S)
        Most shifts of each type over the horizon; 0 = never, inf = no limit.
    min_minutes, max_minutes : ndarray of float, shape (E,)
        Least and most paid minutes over the horizon (hard).
    min_consecutive_shifts, max_consecutive_shifts : ndarray of float, shape (E,)
        Least and most consecutive working days (hard; the minimum exempts boundary runs).
    min_consecutive_days_off : ndarray of float, shape (E,)
        Least consecutive days off (hard; exempts runs touching the horizon's ends).
    max_weekends : ndarray of float, shape (E,)
        Most weekends worked; a weekend is worked if Saturday or Sunday is.
    days_off : ndarray of bool, shape (E, D)
        Fixed days off (hard).
    unavailable : ndarray of bool, shape (E, D, S)
        Single (employee, day, shift) assignments that are forbidden (hard).
    shift_on_weight : ndarray of float, shape (E, D, S)
        Penalty for *not* working a requested shift; 0 = no request.
    shift_off_weight : ndarray of float, shape (E, D, S)
        Penalty for working a shift the employee asked to have off; 0 = no request.
    max_nights_per_week : ndarray of float, shape (E,)
        Most night shifts per calendar week.
    min_days_off_per_week : ndarray of float, shape (E,)
        Least days off per calendar week (a partial last week needs ``min - (7 - length)``).
    max_minutes_per_week : ndarray of float, shape (E,)
        Most paid minutes per calendar week.
    hourly_cost : ndarray of float, shape (E,)
        Cost per paid hour, added to the objective as ``hourly_cost * minutes / 60``.
    assignment_cost : ndarray of float, shape (E, D, S)
        Extra cost of each single assignment, added to the objective.
    cover_requirement : ndarray of int, shape (D, S)
        Employees wanted on each shift type each day.
    cover_under_weight, cover_over_weight : ndarray of float, shape (D, S)
        Penalty per employee short of and above the requirement.
    """

    name: str
    days: int
    shift_ids: tuple[str, ...]
    shift_minutes: IntArray
    shift_start_minute: FloatArray
    shift_night: BoolArray
    forbidden_successors: BoolArray
    employee_ids: tuple[str, ...]
    max_shifts: FloatArray
    min_minutes: FloatArray
    max_minutes: FloatArray
    min_consecutive_shifts: FloatArray
    max_consecutive_shifts: FloatArray
    min_consecutive_days_off: FloatArray
    max_weekends: FloatArray
    days_off: BoolArray
    unavailable: BoolArray
    shift_on_weight: FloatArray
    shift_off_weight: FloatArray
    max_nights_per_week: FloatArray
    min_days_off_per_week: FloatArray
    max_minutes_per_week: FloatArray
    hourly_cost: FloatArray
    assignment_cost: FloatArray
    cover_requirement: IntArray
    cover_under_weight: FloatArray
    cover_over_weight: FloatArray

    def __post_init__(self) -> None:
        check_problem(self)

    @property
    def n_employees(self) -> int:
        """Number of employees ``E``."""
        return len(self.employee_ids)

    @property
    def n_shifts(self) -> int:
        """Number of shift types ``S``."""
        return len(self.shift_ids)

    @classmethod
    def create(
        cls,
        *,
        days: int,
        shift_ids: Sequence[str],
        shift_minutes: npt.ArrayLike,
        employee_ids: Sequence[str],
        cover_requirement: npt.ArrayLike,
        name: str = "roster",
        **optional: npt.ArrayLike,
    ) -> RosterProblem:
        """Build a problem, filling every field not given with "no rule".

        Parameters
        ----------
        days : int
            Horizon length (days).
        shift_ids : Sequence[str]
            Shift type identifiers.
        shift_minutes : array_like, shape (S,)
            Paid minutes per shift type.
        employee_ids : Sequence[str]
            Employee identifiers.
        cover_requirement : array_like, shape (D, S)
            Employees wanted per day and shift type.
        name : str, default "roster"
            Label used in messages.
        **optional : array_like
            Any other field of :class:`RosterProblem` by name; scalars broadcast to the
            field's shape (e.g. ``max_consecutive_shifts=5``).

        Returns
        -------
        RosterProblem

        Raises
        ------
        OptimizerError
            On an unknown field name or a shape that cannot broadcast.
        """
        n_e, n_s = len(employee_ids), len(shift_ids)
        shapes: dict[str, tuple[tuple[int, ...], Any, float | bool]] = {
            "shift_start_minute": ((n_s,), np.float64, math.nan),
            "shift_night": ((n_s,), np.bool_, False),
            "forbidden_successors": ((n_s, n_s), np.bool_, False),
            "max_shifts": ((n_e, n_s), np.float64, math.inf),
            "min_minutes": ((n_e,), np.float64, 0.0),
            "max_minutes": ((n_e,), np.float64, math.inf),
            "min_consecutive_shifts": ((n_e,), np.float64, 0.0),
            "max_consecutive_shifts": ((n_e,), np.float64, math.inf),
            "min_consecutive_days_off": ((n_e,), np.float64, 0.0),
            "max_weekends": ((n_e,), np.float64, math.inf),
            "days_off": ((n_e, days), np.bool_, False),
            "unavailable": ((n_e, days, n_s), np.bool_, False),
            "shift_on_weight": ((n_e, days, n_s), np.float64, 0.0),
            "shift_off_weight": ((n_e, days, n_s), np.float64, 0.0),
            "max_nights_per_week": ((n_e,), np.float64, math.inf),
            "min_days_off_per_week": ((n_e,), np.float64, 0.0),
            "max_minutes_per_week": ((n_e,), np.float64, math.inf),
            "hourly_cost": ((n_e,), np.float64, 0.0),
            "assignment_cost": ((n_e, days, n_s), np.float64, 0.0),
            "cover_under_weight": ((days, n_s), np.float64, 1.0),
            "cover_over_weight": ((days, n_s), np.float64, 0.0),
        }
        unknown = sorted(set(optional) - set(shapes))
        if unknown:
            raise OptimizerError(
                f"roster '{name}': unknown field(s) {unknown} (expected one of {sorted(shapes)})"
            )
        values: dict[str, Any] = {}
        for key, (shape, dtype, default) in shapes.items():
            raw = optional.get(key, default)
            try:
                values[key] = np.broadcast_to(np.asarray(raw, dtype=dtype), shape).copy()
            except ValueError as exc:
                got = np.shape(np.asarray(raw))
                raise OptimizerError(
                    f"roster '{name}': {key} has shape {got} (expected {shape} or a scalar)"
                ) from exc
        return cls(
            name=name,
            days=int(days),
            shift_ids=tuple(shift_ids),
            shift_minutes=np.asarray(shift_minutes, dtype=np.int64).copy(),
            employee_ids=tuple(employee_ids),
            cover_requirement=np.asarray(cover_requirement, dtype=np.int64).copy(),
            **values,
        )


def check_problem(p: RosterProblem) -> None:
    """Check shapes and values of a roster problem.

    Parameters
    ----------
    p : RosterProblem
        The problem.

    Raises
    ------
    OptimizerError
        Naming the field, the shape or value found and what was expected.
    """
    n_e, n_d, n_s = len(p.employee_ids), p.days, len(p.shift_ids)
    if n_d < 1:
        raise OptimizerError(f"roster '{p.name}': days is {n_d} (expected at least 1)")
    for label, ids in (("shift_ids", p.shift_ids), ("employee_ids", p.employee_ids)):
        seen: set[str] = set()
        for ident in ids:
            if ident in seen:
                raise OptimizerError(
                    f"roster '{p.name}': {label} repeats '{ident}' (expected unique IDs)"
                )
            seen.add(ident)
    expected = {
        "shift_minutes": (n_s,),
        "shift_start_minute": (n_s,),
        "shift_night": (n_s,),
        "forbidden_successors": (n_s, n_s),
        "max_shifts": (n_e, n_s),
        "min_minutes": (n_e,),
        "max_minutes": (n_e,),
        "min_consecutive_shifts": (n_e,),
        "max_consecutive_shifts": (n_e,),
        "min_consecutive_days_off": (n_e,),
        "max_weekends": (n_e,),
        "days_off": (n_e, n_d),
        "unavailable": (n_e, n_d, n_s),
        "shift_on_weight": (n_e, n_d, n_s),
        "shift_off_weight": (n_e, n_d, n_s),
        "max_nights_per_week": (n_e,),
        "min_days_off_per_week": (n_e,),
        "max_minutes_per_week": (n_e,),
        "hourly_cost": (n_e,),
        "assignment_cost": (n_e, n_d, n_s),
        "cover_requirement": (n_d, n_s),
        "cover_under_weight": (n_d, n_s),
        "cover_over_weight": (n_d, n_s),
    }
    for key, shape in expected.items():
        got = np.shape(getattr(p, key))
        if got != shape:
            raise OptimizerError(f"roster '{p.name}': {key} has shape {got} (expected {shape})")
    for key in (
        "shift_minutes",
        "max_shifts",
        "min_minutes",
        "max_minutes",
        "min_consecutive_shifts",
        "max_consecutive_shifts",
        "min_consecutive_days_off",
        "max_weekends",
        "shift_on_weight",
        "shift_off_weight",
        "max_nights_per_week",
        "min_days_off_per_week",
        "max_minutes_per_week",
        "hourly_cost",
        "cover_requirement",
        "cover_under_weight",
        "cover_over_weight",
    ):
        arr = np.asarray(getattr(p, key), dtype=np.float64)
        if np.isnan(arr).any() or (arr < 0).any():
            raise OptimizerError(
                f"roster '{p.name}': {key} has a negative or NaN value (expected >= 0)"
            )
    if (
        np.isinf(np.asarray(p.cover_under_weight)).any()
        or np.isinf(np.asarray(p.cover_over_weight)).any()
    ):
        raise OptimizerError(
            f"roster '{p.name}': cover weights must be finite (expected a penalty per employee)"
        )
    bad = np.flatnonzero(np.asarray(p.min_minutes) > np.asarray(p.max_minutes))
    if bad.size:
        e = p.employee_ids[int(bad[0])]
        raise OptimizerError(
            f"roster '{p.name}': employee '{e}' has min_minutes {p.min_minutes[bad[0]]:g} above "
            f"max_minutes {p.max_minutes[bad[0]]:g} (expected min <= max)"
        )


# --------------------------------------------------------------------------------------
# Model building
# --------------------------------------------------------------------------------------


def _allowed(p: RosterProblem) -> BoolArray:
    """Mask (E, D, S) of assignments not excluded by days off, unavailability or a zero cap."""
    mask = ~np.asarray(p.unavailable, dtype=bool)
    mask &= ~np.asarray(p.days_off, dtype=bool)[:, :, None]
    mask &= (np.asarray(p.max_shifts) > 0)[:, None, :]
    return mask


def _weekends(days: int) -> list[tuple[int, ...]]:
    """Days of each weekend (Saturday, Sunday) inside the horizon, day 0 being a Monday."""
    out: list[tuple[int, ...]] = []
    for sat in range(5, days + 1, 7):
        out.append(tuple(d for d in (sat, sat + 1) if d < days))
    return [w for w in out if w]


def _weeks(days: int) -> list[range]:
    """Calendar weeks (Monday..Sunday) of the horizon, the last one possibly partial."""
    return [range(start, min(start + 7, days)) for start in range(0, days, 7)]


def _limited(value: float, cap: float) -> bool:
    """Whether a maximum ``value`` binds at all given the largest possible count ``cap``."""
    return bool(math.isfinite(value) and value < cap)


def _row(expr: Any, lower: float | None, upper: float | None) -> Any:
    """A constraint body with bounds, or Skip / Infeasible when ``expr`` has no variables."""
    if isinstance(expr, int | float):
        ok = (lower is None or expr >= lower - 1e-9) and (upper is None or expr <= upper + 1e-9)
        return pyo.Constraint.Skip if ok else pyo.Constraint.Infeasible
    return (lower, expr, upper)


def build_model(problem: RosterProblem, *, runs: RunFormulation = "network") -> pyo.ConcreteModel:
    """Build the roster MILP.

    Variables: ``x[e, d, s]`` binary for allowed assignments only; ``under[d, s]`` and
    ``over[d, s]`` integer cover shortfall and surplus; ``weekend[e, w]`` binary where a
    weekend limit binds.  The objective is the sum of weighted soft penalties plus costs.

    Parameters
    ----------
    problem : RosterProblem
        The roster problem.
    runs : {"network", "windows"}, default "network"
        How the consecutive-day rules are written: ``"network"`` as a path of work and off
        blocks per employee (a flow whose LP is exact for these rules: much tighter bounds),
        ``"windows"`` as compact sliding-window and run-start inequalities.

    Returns
    -------
    pyomo.environ.ConcreteModel
        The model; ``m.problem`` holds the input and ``m.work[e][d]`` the list of ``(s, x)``.
    """
    p = problem
    m = pyo.ConcreteModel(name=p.name)
    allowed = _allowed(p)
    triples = [tuple(int(i) for i in t) for t in np.argwhere(allowed)]
    m.X = pyo.Set(initialize=triples, dimen=3, ordered=True)
    m.x = pyo.Var(m.X, domain=pyo.Binary)
    work: list[list[list[tuple[int, Any]]]] = [
        [[] for _ in range(p.days)] for _ in range(p.n_employees)
    ]
    for e, d, s in triples:
        work[e][d].append((s, m.x[e, d, s]))
    m.problem = p
    m.work = work

    if runs == "network":
        _add_run_network(m, p)
    else:
        _add_one_shift_per_day(m, p)
        _add_max_consecutive_shifts(m, p)
        _add_min_consecutive_shifts(m, p)
        _add_min_consecutive_days_off(m, p)
    _add_forbidden_successions(m, p)
    _add_max_shifts_per_type(m, p)
    _add_total_minutes(m, p)
    _add_max_weekends(m, p)
    _add_weekly_nights(m, p)
    _add_weekly_days_off(m, p)
    _add_weekly_minutes(m, p)
    _add_cover(m, p)
    _add_objective(m, p)
    return m


def _w(m: pyo.ConcreteModel, e: int, d: int) -> Any:
    """Working indicator of employee e on day d: sum_s x[e,d,s] (0 when nothing is allowed)."""
    terms = m.work[e][d]
    if not terms:
        return 0
    return pyo.quicksum((v for _, v in terms))


def _add_one_shift_per_day(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """At most one shift per employee and day: sum_s x[e,d,s] <= 1 for all e, d."""
    idx = [(e, d) for e in range(p.n_employees) for d in range(p.days) if len(m.work[e][d]) > 1]
    m.one_shift_per_day = pyo.Constraint(idx, rule=lambda m, e, d: _w(m, e, d) <= 1)


# Node kinds of the run network: source, "an off block starts here", "a work block starts
# here", "off for at least the minimum so far", sink.
_SRC, _OFF_START, _WORK_START, _OFF_LONG, _SINK = range(5)


def _run_arcs(
    p: RosterProblem, e: int, can_work: Sequence[bool]
) -> list[tuple[tuple[int, int], tuple[int, int], int, int]]:
    """Arcs (tail, head, first worked day, work length) of employee e's run network.

    A path from source to sink alternates work blocks and off blocks; work arcs carry their
    days (length > 0), off arcs have length 0.  Blocks touching the first or last day are
    exempt from the minimum lengths; work blocks never cover a day the employee cannot work.
    """
    n_d = p.days
    min_on = max(1, int(p.min_consecutive_shifts[e]))
    max_on = int(min(p.max_consecutive_shifts[e], n_d))
    min_off = max(1, int(p.min_consecutive_days_off[e]))
    src, sink = (_SRC, 0), (_SINK, n_d)
    arcs: list[tuple[tuple[int, int], tuple[int, int], int, int]] = []
    # Work blocks: days d .. d+length-1.
    for d in range(n_d):
        tail = src if d == 0 else (_WORK_START, d)
        for length in range(1, max_on + 1):
            end = d + length
            if end > n_d or not can_work[end - 1]:
                break
            if length < min_on and d > 0 and end < n_d:
                continue
            head = sink if end == n_d else (_OFF_START, end)
            arcs.append((tail, head, d, length))
    # Off blocks from the first day: any length.
    for end in range(1, n_d):
        arcs.append((src, (_WORK_START, end), -1, 0))
    arcs.append((src, sink, -1, 0))
    # Off blocks after a work block: to the end (any length) or at least min_off days.
    for d in range(1, n_d):
        arcs.append(((_OFF_START, d), sink, -1, 0))
        if d + min_off < n_d:
            arcs.append(((_OFF_START, d), (_OFF_LONG, d + min_off), -1, 0))
    for k in range(2, n_d):
        arcs.append(((_OFF_LONG, k), (_WORK_START, k), -1, 0))
        if k + 1 < n_d:
            arcs.append(((_OFF_LONG, k), (_OFF_LONG, k + 1), -1, 0))
    return arcs


def _add_run_network(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Each employee's days form one source-sink path of work and off blocks whose lengths
    obey the consecutive-day rules, and the worked days are the days its work blocks cover:
    sum_out f - sum_in f = [node is source] - [node is sink],
    sum_s x[e,d,s] = sum_{work arcs a covering d} f[e,a]."""
    arc_index: list[tuple[int, int]] = []
    out_arcs: dict[tuple[int, int, int], list[int]] = {}
    in_arcs: dict[tuple[int, int, int], list[int]] = {}
    cover: dict[tuple[int, int], list[int]] = {}
    arc_list: list[tuple[int, int]] = []
    arc_of: dict[tuple[int, tuple[int, int], tuple[int, int]], int] = {}
    for e in range(p.n_employees):
        can_work = [bool(m.work[e][d]) for d in range(p.days)]
        for tail, head, first, length in _run_arcs(p, e, can_work):
            a = len(arc_list)
            arc_list.append((e, a))
            arc_index.append((e, a))
            arc_of[e, tail, head] = a
            out_arcs.setdefault((e, *tail), []).append(a)
            in_arcs.setdefault((e, *head), []).append(a)
            for d in range(first, first + length):
                cover.setdefault((e, d), []).append(a)
    m.run_arcs = pyo.Set(initialize=arc_list, dimen=2, ordered=True)
    m.f = pyo.Var(m.run_arcs, bounds=(0.0, 1.0))
    m.run_arc_of = arc_of
    nodes = sorted(set(out_arcs) | set(in_arcs))

    def balance(m: pyo.ConcreteModel, e: int, kind: int, d: int) -> Any:
        out = pyo.quicksum(m.f[e, a] for a in out_arcs.get((e, kind, d), []))
        inn = pyo.quicksum(m.f[e, a] for a in in_arcs.get((e, kind, d), []))
        rhs = 1.0 if kind == _SRC else (-1.0 if kind == _SINK else 0.0)
        return _row(out - inn, rhs, rhs)

    m.run_balance = pyo.Constraint(nodes, rule=balance)

    def link(m: pyo.ConcreteModel, e: int, d: int) -> Any:
        flow = pyo.quicksum(m.f[e, a] for a in cover.get((e, d), []))
        return _row(_w(m, e, d) - flow, 0.0, 0.0)

    m.run_link = pyo.Constraint(
        [(e, d) for e in range(p.n_employees) for d in range(p.days) if m.work[e][d]],
        rule=link,
    )


def _add_forbidden_successions(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A shift is not followed next day by a forbidden successor:
    x[e,d,s] + sum_{t in F(s)} x[e,d+1,t] <= 1 for all e, d, s."""
    fs = np.asarray(p.forbidden_successors, dtype=bool)
    idx: list[tuple[int, int, int]] = []
    for e, d, s in m.X:
        if d + 1 < p.days and any(fs[s, t] for t, _ in m.work[e][d + 1]):
            idx.append((e, d, s))

    def rule(m: pyo.ConcreteModel, e: int, d: int, s: int) -> Any:
        nxt = [v for t, v in m.work[e][d + 1] if fs[s, t]]
        return m.x[e, d, s] + pyo.quicksum(nxt) <= 1

    m.forbidden_successions = pyo.Constraint(idx, rule=rule)


def _add_max_shifts_per_type(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Each employee works each shift type at most its cap: sum_d x[e,d,s] <= max_shifts[e,s]."""
    by_es: dict[tuple[int, int], list[Any]] = {}
    for e, d, s in m.X:
        by_es.setdefault((e, s), []).append(m.x[e, d, s])
    idx = [k for k, v in by_es.items() if _limited(p.max_shifts[k], len(v))]
    m.max_shifts_per_type = pyo.Constraint(
        idx,
        rule=lambda m, e, s: pyo.quicksum(by_es[e, s]) <= float(p.max_shifts[e, s]),
    )


def _minutes(m: pyo.ConcreteModel, p: RosterProblem, e: int, days: Iterable[int]) -> Any:
    """Paid minutes of employee e over the given days: sum_{d,s} len[s] * x[e,d,s]."""
    terms = [(int(p.shift_minutes[s]), v) for d in days for s, v in m.work[e][d]]
    if not terms:
        return 0
    return pyo.quicksum((c * v for c, v in terms))


def _add_total_minutes(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Paid minutes over the horizon lie within the employee's range:
    min_minutes[e] <= sum_{d,s} len[s] x[e,d,s] <= max_minutes[e]."""
    idx = [
        e for e in range(p.n_employees) if p.min_minutes[e] > 0 or math.isfinite(p.max_minutes[e])
    ]

    def rule(m: pyo.ConcreteModel, e: int) -> Any:
        lo = float(p.min_minutes[e]) if p.min_minutes[e] > 0 else None
        hi = float(p.max_minutes[e]) if math.isfinite(p.max_minutes[e]) else None
        return _row(_minutes(m, p, e, range(p.days)), lo, hi)

    m.total_minutes = pyo.Constraint(idx, rule=rule)


def _add_max_consecutive_shifts(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Every window of max+1 days holds at most max working days:
    sum_{j=0..max} w[e,d+j] <= max[e] for all e, d."""
    idx: list[tuple[int, int]] = []
    for e in range(p.n_employees):
        k = p.max_consecutive_shifts[e]
        if _limited(k, p.days):
            idx.extend((e, d) for d in range(p.days - int(k)))

    def rule(m: pyo.ConcreteModel, e: int, d: int) -> Any:
        k = int(p.max_consecutive_shifts[e])
        window = [v for j in range(k + 1) for _, v in m.work[e][d + j]]
        if len(window) <= k:
            return pyo.Constraint.Skip
        return pyo.quicksum(window) <= k

    m.max_consecutive_shifts = pyo.Constraint(idx, rule=rule)


def _add_min_consecutive_shifts(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A work run starting after the first day lasts min days unless it reaches the last day:
    w[e,d] - w[e,d-1] <= w[e,d+j] for 1 <= d, 1 <= j < min[e], d+j < D."""
    idx = [
        (e, d, j)
        for e in range(p.n_employees)
        for d in range(1, p.days)
        for j in range(1, int(p.min_consecutive_shifts[e]))
        if d + j < p.days and m.work[e][d]
    ]

    def rule(m: pyo.ConcreteModel, e: int, d: int, j: int) -> Any:
        return _row(_w(m, e, d) - _w(m, e, d - 1) - _w(m, e, d + j), None, 0)

    m.min_consecutive_shifts = pyo.Constraint(idx, rule=rule)


def _add_min_consecutive_days_off(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A day-off run starting after the first day lasts min days unless it reaches the end:
    w[e,d-1] - w[e,d] + w[e,d+j] <= 1 for 1 <= d, 1 <= j < min_off[e], d+j < D."""
    idx = [
        (e, d, j)
        for e in range(p.n_employees)
        for d in range(1, p.days)
        for j in range(1, int(p.min_consecutive_days_off[e]))
        if d + j < p.days and m.work[e][d - 1] and m.work[e][d + j]
    ]

    def rule(m: pyo.ConcreteModel, e: int, d: int, j: int) -> Any:
        return _row(_w(m, e, d - 1) - _w(m, e, d) + _w(m, e, d + j), None, 1)

    m.min_consecutive_days_off = pyo.Constraint(idx, rule=rule)


def _add_max_weekends(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A weekend counts as worked if either day is, and at most max are worked:
    weekend[e,k] >= w[e,d] for d in weekend k, sum_k weekend[e,k] <= max_weekends[e]."""
    weekends = _weekends(p.days)
    emps = [e for e in range(p.n_employees) if _limited(p.max_weekends[e], len(weekends))]
    wk_idx = [(e, k) for e in emps for k in range(len(weekends))]
    m.weekend = pyo.Var(wk_idx, domain=pyo.Binary)
    link_idx = [(e, k, d) for e, k in wk_idx for d in weekends[k] if m.work[e][d]]
    m.weekend_link = pyo.Constraint(
        link_idx, rule=lambda m, e, k, d: _w(m, e, d) <= m.weekend[e, k]
    )
    m.max_weekends = pyo.Constraint(
        emps,
        rule=lambda m, e: (
            pyo.quicksum(m.weekend[e, k] for k in range(len(weekends))) <= float(p.max_weekends[e])
        ),
    )


def _add_weekly_nights(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Night shifts per calendar week stay within the limit:
    sum_{d in week, s night} x[e,d,s] <= max_nights_per_week[e]."""
    night = np.asarray(p.shift_night, dtype=bool)
    weeks = _weeks(p.days)
    idx = [
        (e, k)
        for e in range(p.n_employees)
        for k in range(len(weeks))
        if _limited(p.max_nights_per_week[e], len(weeks[k]))
    ]

    def rule(m: pyo.ConcreteModel, e: int, k: int) -> Any:
        terms = [v for d in weeks[k] for s, v in m.work[e][d] if night[s]]
        if len(terms) <= p.max_nights_per_week[e]:
            return pyo.Constraint.Skip
        return pyo.quicksum(terms) <= float(p.max_nights_per_week[e])

    m.weekly_nights = pyo.Constraint(idx, rule=rule)


def _add_weekly_days_off(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Each calendar week leaves enough days off (a partial week of L days needs 7-L fewer):
    sum_{d in week} w[e,d] <= L - max(0, min_off[e] - (7 - L))."""
    weeks = _weeks(p.days)
    idx = [
        (e, k)
        for e in range(p.n_employees)
        for k in range(len(weeks))
        if p.min_days_off_per_week[e] - (7 - len(weeks[k])) > 0
    ]

    def rule(m: pyo.ConcreteModel, e: int, k: int) -> Any:
        length = len(weeks[k])
        need = float(p.min_days_off_per_week[e]) - (7 - length)
        terms = [v for d in weeks[k] for _, v in m.work[e][d]]
        return _row(pyo.quicksum(terms) if terms else 0, None, length - need)

    m.weekly_days_off = pyo.Constraint(idx, rule=rule)


def _add_weekly_minutes(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Paid minutes per calendar week stay within the limit:
    sum_{d in week, s} len[s] x[e,d,s] <= max_minutes_per_week[e]."""
    weeks = _weeks(p.days)
    idx = [
        (e, k)
        for e in range(p.n_employees)
        for k in range(len(weeks))
        if math.isfinite(p.max_minutes_per_week[e])
    ]
    m.weekly_minutes = pyo.Constraint(
        idx,
        rule=lambda m, e, k: _row(
            _minutes(m, p, e, weeks[k]), None, float(p.max_minutes_per_week[e])
        ),
    )


def _add_cover(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Staff on each shift plus shortfall minus surplus meets the requirement:
    sum_e x[e,d,s] + under[d,s] - over[d,s] = req[d,s] for all d, s."""
    on: dict[tuple[int, int], list[Any]] = {}
    for e, d, s in m.X:
        on.setdefault((d, s), []).append(m.x[e, d, s])
    idx = [
        (d, s)
        for d in range(p.days)
        for s in range(p.n_shifts)
        if p.cover_requirement[d, s] > 0 or (p.cover_over_weight[d, s] > 0 and (d, s) in on)
    ]
    m.C = pyo.Set(initialize=idx, dimen=2, ordered=True)
    m.under = pyo.Var(m.C, domain=pyo.NonNegativeIntegers)
    m.over = pyo.Var(m.C, domain=pyo.NonNegativeIntegers)
    m.cover = pyo.Constraint(
        m.C,
        rule=lambda m, d, s: (
            pyo.quicksum(on.get((d, s), [])) + m.under[d, s] - m.over[d, s]
            == int(p.cover_requirement[d, s])
        ),
    )


def _assignment_weights(p: RosterProblem) -> tuple[FloatArray, float]:
    """Objective coefficient of each x[e,d,s] and the constant of unmet on-requests."""
    minutes = np.asarray(p.shift_minutes, dtype=np.float64)
    coef = (
        np.asarray(p.shift_off_weight)
        - np.asarray(p.shift_on_weight)
        + np.asarray(p.assignment_cost)
        + np.asarray(p.hourly_cost)[:, None, None] * minutes[None, None, :] / 60.0
    )
    return coef, float(np.asarray(p.shift_on_weight).sum())


def _add_objective(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Minimise weighted soft penalties plus costs:
    sum on[e,d,s](1 - x) + off[e,d,s] x + cost[e,d,s] x + wu[d,s] under + wo[d,s] over."""
    coef, constant = _assignment_weights(p)
    terms: list[Any] = [
        float(coef[e, d, s]) * m.x[e, d, s] for e, d, s in m.X if coef[e, d, s] != 0
    ]
    terms += [float(p.cover_under_weight[d, s]) * m.under[d, s] for d, s in m.C]
    terms += [
        float(p.cover_over_weight[d, s]) * m.over[d, s]
        for d, s in m.C
        if p.cover_over_weight[d, s] > 0
    ]
    m.objective = pyo.Objective(expr=constant + pyo.quicksum(terms), sense=pyo.minimize)


def _objective_is_integral(p: RosterProblem) -> bool:
    """Whether every objective coefficient is an integer, so feasible objectives are too."""
    coef, constant = _assignment_weights(p)
    parts = [coef.ravel(), np.asarray(p.cover_under_weight).ravel()]
    parts.append(np.asarray(p.cover_over_weight).ravel())
    allc = np.concatenate([*parts, [constant]])
    return bool(np.all(np.abs(allc - np.round(allc)) < _INTEGRAL_TOL))


# --------------------------------------------------------------------------------------
# Solving, tables and explanations
# --------------------------------------------------------------------------------------


def table_from_plan(problem: RosterProblem, plan: IntArray) -> pd.DataFrame:
    """Plan array as a tidy table: employee, day, shift (IDs, day 0-based), sorted by
    employee and day."""
    ee, dd = np.nonzero(np.asarray(plan) >= 0)
    return pd.DataFrame(
        {
            "employee": pd.Series([problem.employee_ids[e] for e in ee], dtype="object"),
            "day": pd.Series(dd, dtype="int64"),
            "shift": pd.Series(
                [problem.shift_ids[plan[e, d]] for e, d in zip(ee, dd, strict=True)],
                dtype="object",
            ),
        }
    )


def plan_of_model(m: pyo.ConcreteModel, p: RosterProblem) -> IntArray:
    """The roster loaded in a model from :func:`build_model` (the inverse of
    :func:`load_start`): shift index per employee and day, -1 for a day off, shape (E, D)."""
    plan = np.full((p.n_employees, p.days), -1, dtype=np.int64)
    for e, d, s in m.X:
        if (m.x[e, d, s].value or 0.0) > 0.5:
            plan[e, d] = s
    return plan


def _cover_table(p: RosterProblem, assignments: pd.DataFrame) -> pd.DataFrame:
    """Tidy cover table: day, shift, requirement, staffed, under, over."""
    staffed = np.zeros((p.days, p.n_shifts), dtype=np.int64)
    s_index = {sid: i for i, sid in enumerate(p.shift_ids)}
    for d, sid in zip(assignments["day"], assignments["shift"], strict=True):
        staffed[int(d), s_index[str(sid)]] += 1
    req = np.asarray(p.cover_requirement)
    dd, ss = np.meshgrid(np.arange(p.days), np.arange(p.n_shifts), indexing="ij")
    return pd.DataFrame(
        {
            "day": dd.ravel(),
            "shift": [p.shift_ids[s] for s in ss.ravel()],
            "requirement": req.ravel(),
            "staffed": staffed.ravel(),
            "under": np.maximum(req - staffed, 0).ravel(),
            "over": np.maximum(staffed - req, 0).ravel(),
        }
    )


def _path_of(
    p: RosterProblem, e: int, worked: Sequence[bool]
) -> list[tuple[tuple[int, int], tuple[int, int]]]:
    """(tail, head) of the run-network arcs that employee e's worked days follow."""
    n_d = p.days
    min_off = max(1, int(p.min_consecutive_days_off[e]))
    src, sink = (_SRC, 0), (_SINK, n_d)
    path: list[tuple[tuple[int, int], tuple[int, int]]] = []
    d = 0
    while d < n_d:
        start = d
        while d < n_d and worked[d] == worked[start]:
            d += 1
        if worked[start]:
            tail = src if start == 0 else (_WORK_START, start)
            path.append((tail, sink if d == n_d else (_OFF_START, d)))
        elif start == 0:
            path.append((src, sink if d == n_d else (_WORK_START, d)))
        elif d == n_d:
            path.append(((_OFF_START, start), sink))
        else:
            k = start + min_off
            path.append(((_OFF_START, start), (_OFF_LONG, k)))
            path.extend(((_OFF_LONG, j), (_OFF_LONG, j + 1)) for j in range(k, d))
            path.append(((_OFF_LONG, d), (_WORK_START, d)))
    return path


def load_start(
    m: pyo.ConcreteModel, p: RosterProblem, plan: IntArray, *, complete: bool = True
) -> None:
    """Set the variable values of a model from :func:`build_model` to a roster, as MIP start.

    Then ``solve_with_highs(m, ..., warm_start=True)`` hands them to HiGHS.

    Parameters
    ----------
    m : pyomo.environ.ConcreteModel
        The model built for ``p`` (either ``runs`` formulation).
    p : RosterProblem
        The problem.
    plan : ndarray of int, shape (E, D)
        Shift index per employee and day, -1 for a day off (see
        :func:`optimizer.roster_heuristic.plan_from_table`).
    complete : bool, default True
        Whether the plan is the whole roster: every other assignment is 0 and the cover,
        weekend and run-network variables are set from it.  Otherwise only the listed
        assignments are set (to 1) and HiGHS completes the rest.
    """
    for v in m.component_data_objects(pyo.Var):
        v.set_value(None, skip_validation=True)
    plan = np.asarray(plan)
    for e, d, s in m.X:
        if plan[e, d] == s:
            m.x[e, d, s].set_value(1.0)
        elif complete:
            m.x[e, d, s].set_value(0.0)
    if not complete:
        return
    staffed = np.zeros((p.days, p.n_shifts), dtype=np.int64)
    for e, d in zip(*np.nonzero(plan >= 0), strict=True):
        staffed[d, plan[e, d]] += 1
    for d, s in m.C:
        gap = int(p.cover_requirement[d, s]) - int(staffed[d, s])
        m.under[d, s].set_value(float(max(gap, 0)))
        m.over[d, s].set_value(float(max(-gap, 0)))
    weekends = _weekends(p.days)
    if hasattr(m, "weekend"):
        for e, k in m.weekend:
            m.weekend[e, k].set_value(float(any(plan[e, d] >= 0 for d in weekends[k])))
    arc_of = getattr(m, "run_arc_of", None)
    if arc_of is None:
        return
    on: dict[int, set[int | None]] = {}
    for e in range(p.n_employees):
        arcs = {arc_of.get((e, t, h)) for t, h in _path_of(p, e, list(plan[e] >= 0))}
        if None not in arcs:  # otherwise the plan breaks a run rule: HiGHS sets e's flow
            on[e] = arcs
    for e, a in m.run_arcs:
        if e in on:
            m.f[e, a].set_value(1.0 if a in on[e] else 0.0)


def _precheck(p: RosterProblem) -> list[str]:
    """Simple, certain reasons for infeasibility found without a solver (employee-level)."""
    reasons: list[str] = []
    allowed = _allowed(p)
    minutes = np.asarray(p.shift_minutes, dtype=np.float64)
    for e, eid in enumerate(p.employee_ids):
        days_open = int(allowed[e].any(axis=1).sum())
        longest = float(minutes[allowed[e].any(axis=0)].max(initial=0.0))
        cap = min(float(days_open), float(p.max_consecutive_shifts[e]) * p.days)
        by_type = float(
            np.minimum(np.asarray(p.max_shifts[e]), days_open) @ minutes
            if np.isfinite(p.max_shifts[e]).all()
            else math.inf
        )
        most = min(cap * longest, by_type, float(p.max_minutes[e]))
        if p.min_minutes[e] > most + 1e-9:
            reasons.append(
                f"employee '{eid}': min_minutes {p.min_minutes[e]:g} cannot be reached "
                f"(at most {most:g} minutes on {days_open} available days)"
            )
    return reasons


_EMPLOYEE_FAMILIES = (
    "run_balance",
    "one_shift_per_day",
    "forbidden_successions",
    "max_shifts_per_type",
    "total_minutes",
    "max_consecutive_shifts",
    "min_consecutive_shifts",
    "min_consecutive_days_off",
    "max_weekends",
    "weekly_nights",
    "weekly_days_off",
    "weekly_minutes",
)

_FAMILY_WORDS = {
    "run_balance": "consecutive working days and days off",
    "total_minutes": "minimum/maximum total minutes",
    "max_shifts_per_type": "maximum shifts per type",
}


def _explain_infeasible(m: pyo.ConcreteModel, p: RosterProblem, time_limit: float) -> str:
    """Find rule families (and then employees) whose removal makes the model feasible.

    Re-solves the model with a zero objective and one family (then one employee's rows of
    it) switched off; returns words naming the culprits, or a general sentence.
    """
    reasons = _precheck(p)
    if reasons:
        return "; ".join(reasons)
    deadline = time.perf_counter() + time_limit
    m.objective.deactivate()
    m.feasibility = pyo.Objective(expr=0.0)

    def feasible() -> bool | None:
        left = deadline - time.perf_counter()
        if left <= 0:
            return None
        res = solve_with_highs(m, min(left, 30.0))
        if res.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE):
            return True
        if res.status == SolveStatus.INFEASIBLE:
            return False
        return None

    culprits: list[str] = []
    for fam in _EMPLOYEE_FAMILIES:
        con = getattr(m, fam, None)
        if con is None or len(con) == 0:
            continue
        con.deactivate()
        ok = feasible()
        con.activate()
        if ok:
            culprits.append(fam)
    words: list[str] = []
    for fam in culprits:
        con = getattr(m, fam)
        employees = sorted({int(k if isinstance(k, int) else k[0]) for k in con})
        guilty: list[str] = []
        for e in employees:
            rows = [con[k] for k in con if (k if isinstance(k, int) else k[0]) == e]
            for row in rows:
                row.deactivate()
            ok = feasible()
            for row in rows:
                row.activate()
            if ok:
                guilty.append(p.employee_ids[e])
        rule = _FAMILY_WORDS.get(fam, fam.replace("_", " "))
        if guilty:
            words.append(f"rule '{rule}' for employee(s) {', '.join(guilty)}")
        else:
            words.append(f"rule '{rule}' (no single employee alone)")
    m.feasibility.deactivate()
    m.objective.activate()
    if words:
        return "infeasible because of " + "; ".join(words)
    return (
        "the hard rules cannot all hold together (no single rule family is to blame; "
        "check days off against minimum minutes and consecutive-day rules)"
    )


def assignments_of_model(m: pyo.ConcreteModel) -> dict[tuple[int, int, int], float]:
    """The assignments ``(e, d, s) -> 0/1`` loaded in a model from :func:`build_model`
    (rounded; unset ones as 0)."""
    return {k: float(round(m.x[k].value or 0.0)) for k in m.X}


def _short_days(assigned: Mapping[tuple[int, int, int], float], need: IntArray) -> IntArray:
    """Days on which the assignments ``(e, d, s) -> 0/1`` leave some shift short of ``need``
    (shape (D, S)), once per short place."""
    staffed = np.zeros_like(need)
    for (_, d, s), v in assigned.items():
        if v > 0.5:
            staffed[d, s] += 1
    days, _ = np.nonzero(staffed < need)
    return np.repeat(days, (need - staffed)[staffed < need]).astype(np.int64)


class _KindRates:
    """Recent objective gain per second of the two kinds of re-solve (groups of employees,
    windows of days), for choosing the next kind: each kind's share of the rounds follows its
    rate, between ``low`` and ``1 - low`` so that neither kind stops being tried.

    Rates are sums of gain and of seconds in which every earlier round of the same kind
    counts ``decay`` times less than the next, starting from an equal prior.  Which kind
    pays changes during a search and between problems (Curtois Instance 8: from a roster at
    1,334, windows of days alone reached 1,321 in 240 s, the two kinds in turn 1,330; from
    the heuristic's roster in 560 s, windows alone ended at 1,345 twice, the two kinds in
    turn at 1,331-1,338).
    """

    def __init__(self, decay: float = 0.8, low: float = 0.2) -> None:
        self.decay, self.low = decay, low
        self.gain = {True: 1.0, False: 1.0}
        self.seconds = {True: 1.0, False: 1.0}

    def record(self, by_employee: bool, gain: float, seconds: float) -> None:
        """Count one round of a kind: its gain in objective and its seconds."""
        self.gain[by_employee] = self.decay * self.gain[by_employee] + max(gain, 0.0)
        self.seconds[by_employee] = self.decay * self.seconds[by_employee] + max(seconds, 1e-3)

    def share_of_employees(self) -> float:
        """Probability that the next round frees a group of employees."""
        employees = self.gain[True] / self.seconds[True]
        windows = self.gain[False] / self.seconds[False]
        if employees + windows <= 0.0:  # both priors decayed away after thousands of rounds
            return 0.5
        return min(1.0 - self.low, max(self.low, employees / (employees + windows)))


def neighbourhood_search(
    m: pyo.ConcreteModel,
    p: RosterProblem,
    objective: float,
    seconds: float,
    *,
    abs_gap: float | None,
    threads: int | None,
    options: Mapping[str, Any] | None,
    seed: int = 0,
    target: float | None = None,
    window: int | None = None,
    by_employees: bool = True,
    focus: bool = False,
    solves: FixedSolves | None = None,
) -> tuple[float, int]:
    """Improve the incumbent loaded in ``m`` by re-solving parts of it (large neighbourhoods).

    Each round fixes the assignments of all but a few employees (or of all days but a
    window) to the incumbent and solves the rest with HiGHS from the incumbent as MIP
    start.  Each round's kind is drawn at random, each kind in proportion to its recent gain
    per second (:class:`_KindRates`).  The neighbourhood grows while rounds are solved to
    optimality without gain and shrinks when they time out.  The search ends after
    ``seconds`` or once the objective is at or below ``target``.  The best roster stays
    loaded in ``m``.  Returns the final objective and the number of rounds.

    ``window`` is the first window's length in days (default a quarter of the horizon);
    ``by_employees=False`` solves windows of days only; ``focus=True`` places each window
    around a day with a shift the incumbent leaves short of its cover (at random among
    them), so rounds go where the cover penalty is.  ``solves`` is ``m`` loaded into HiGHS
    (:class:`~optimizer.result.FixedSolves`; made here when not given, which takes about as
    long as one Pyomo translation of ``m``): each round only changes the bounds of the
    fixed assignments in HiGHS.
    """
    rng = np.random.default_rng(seed)
    deadline = time.perf_counter() + seconds
    if solves is None:
        solves = FixedSolves(m, threads=threads, options=options)
    n_e, n_d = p.n_employees, p.days
    size = max(2, n_e // 6)
    window = max(2, min(n_d, window)) if window is not None else max(3, n_d // 4)
    need = np.asarray(p.cover_requirement)
    rates = _KindRates()
    rounds = 0
    while True:
        left = deadline - time.perf_counter()
        if left < 2.0 or (target is not None and objective <= target):
            break
        rounds += 1
        incumbent = assignments_of_model(m)
        saved = solves.values()
        by_employee = by_employees and rng.random() < rates.share_of_employees()
        if by_employee:
            free_e = set(rng.choice(n_e, size=min(size, n_e), replace=False).tolist())
            frozen = [k for k in m.X if k[0] not in free_e]
        else:
            short_days = _short_days(incumbent, need) if focus else np.empty(0, np.int64)
            if len(short_days):
                centre = int(rng.choice(short_days))
                d0 = min(max(0, centre - window // 2), max(0, n_d - window))
            else:
                d0 = int(rng.integers(0, max(1, n_d - window + 1)))
            frozen = [k for k in m.X if not d0 <= k[1] < d0 + window]
        res = solves.solve(
            [(m.x[k], round(incumbent[k])) for k in frozen],
            min(left - 1.0, 20.0),
            mip_abs_gap=abs_gap,
        )
        better = res.has_solution and res.objective is not None
        better = better and res.objective < objective - 1e-6  # type: ignore[operator]
        gain = objective - float(res.objective) if better else 0.0  # type: ignore[arg-type]
        rates.record(by_employee, gain, res.solve_seconds)
        if better:
            objective = float(res.objective)  # type: ignore[arg-type]
        else:
            solves.restore(saved)
            if res.status == SolveStatus.OPTIMAL:
                if by_employee:
                    size = min(n_e, size + 1)
                else:
                    window = min(n_d, window + 1)
        if res.status != SolveStatus.OPTIMAL:
            if by_employee:
                size = max(2, size - 1)
            else:
                window = max(2, window - 1)
    return objective, rounds


def _meets(objective: float, bound: float, integral: bool) -> bool:
    """Whether ``objective`` is proven optimal by ``bound`` (rounded up when integral)."""
    reach = math.ceil(bound - 1e-6) if integral else bound
    return objective <= reach + 1e-6


def _columns_proven(columns: ColumnsResult, abs_gap: float | None) -> bool:
    """Whether column generation's roster meets its own root bound."""
    if columns.objective is None or columns.bound is None:
        return False
    return _meets(columns.objective, columns.bound, abs_gap is not None)


def _with_columns_bound(
    result: SolveResult, columns: ColumnsResult, *, integral: bool
) -> SolveResult:
    """The solve's result with column generation's root bound when that is higher, and
    status optimal when the objective then meets the bound (rounded up when integral)."""
    message = f"{result.message}; {columns.message}"
    bound = result.bound
    if columns.bound is not None and (bound is None or columns.bound > bound):
        bound = columns.bound
    if bound is None or result.objective is None:
        return dataclasses.replace(result, message=message)
    proven = _meets(result.objective, bound, integral)
    return dataclasses.replace(
        result,
        status=SolveStatus.OPTIMAL if proven else result.status,
        bound=bound,
        gap=relative_gap(result.objective, bound),
        message=message,
    )


def solve_roster(
    problem: RosterProblem,
    time_limit: float = 60.0,
    *,
    mip_gap: float = 0.0,
    threads: int | None = None,
    options: Mapping[str, Any] | None = None,
    runs: RunFormulation = "network",
    explain_infeasible: bool = True,
    tee: bool = False,
    initial: pd.DataFrame | None = None,
    initial_complete: bool = True,
    heuristic_seconds: float | None = None,
    neighbourhood_seconds: float = 0.0,
    workers: int = 1,
    columns_seconds: float = 0.0,
) -> SolveResult:
    """Build and solve a roster problem with HiGHS, from a heuristic or given MIP start.

    Parameters
    ----------
    problem : RosterProblem
        The roster problem.
    time_limit : float, default 60.0
        HiGHS wall-clock limit (s).
    mip_gap : float, default 0.0
        Relative gap at which to stop.  When every objective coefficient is an integer the
        solve also stops once the incumbent is within 1 of the bound (then proven optimal).
    threads : int, optional
        HiGHS threads.
    options : Mapping[str, Any], optional
        Further HiGHS options by name.
    runs : {"network", "windows"}, default "network"
        Formulation of the consecutive-day rules (see :func:`build_model`).
    explain_infeasible : bool, default True
        On infeasibility, re-solve with rule families switched off to name the culprit
        (at most ``time_limit`` more seconds).
    tee : bool, default False
        Echo the HiGHS log.
    initial : pandas.DataFrame, optional
        A roster to hand to HiGHS as the MIP start: columns ``employee``, ``day``, ``shift``
        (IDs), one row per worked assignment.  HiGHS discards a start that breaks a hard
        rule.
    initial_complete : bool, default True
        Whether ``initial`` is the whole roster (every assignment not listed is a day off)
        or only part of it (HiGHS chooses the rest).
    heuristic_seconds : float, optional
        Seconds for :func:`optimizer.roster_heuristic.greedy_roster`, whose roster (when it
        keeps every hard rule) becomes the MIP start, or improves ``initial`` when both are
        given; the answer is the heuristic's roster when HiGHS finds nothing better.  Taken
        from ``time_limit``.  Default: ``min(30, 0.1 * time_limit)`` without ``initial``,
        0 (off) with it.
    neighbourhood_seconds : float, default 0.0
        Seconds, taken from ``time_limit``, for improving an incumbent that is not proven
        optimal by re-solving parts of the roster (a few employees, or a window of days)
        with the rest fixed.  The bound stays the one of the full solve; the re-solves
        stop once they reach it (rounded up when every objective coefficient is an
        integer), and the roster is then reported optimal.
    workers : int, default 1
        Processes for the neighbourhood re-solves, this one included (see
        :func:`optimizer.roster_parallel.parallel_neighbourhood_search`).
    columns_seconds : float, default 0.0
        Seconds, taken from ``time_limit``, for column generation with diving
        (:func:`optimizer.roster_columns.column_generation_roster`), run after the heuristic
        and seeded with its roster; with ``workers`` > 1 the other processes dive at the
        same time from heuristic rosters of their own
        (:func:`optimizer.roster_columns.parallel_column_generation`).  The cheapest dived
        roster becomes the MIP start when it beats the heuristic's, and the root bound
        raises the reported bound when it is higher; a roster that meets that bound is
        optimal, and the full solve is skipped.  Skipped (the message says why) for
        problems with weekly rules, and with a partial ``initial``.

    Returns
    -------
    SolveResult
        With ``assignments`` (columns ``employee``, ``day``, ``shift``) and ``tables["cover"]``
        (``day``, ``shift``, ``requirement``, ``staffed``, ``under``, ``over``) when a
        solution exists.
    """
    from optimizer.roster_heuristic import (  # here: the heuristic module imports this one
        greedy_roster,
        plan_from_table,
        roster_objective,
        roster_violations,
    )

    start = time.perf_counter()
    model = build_model(problem, runs=runs)
    build_seconds = time.perf_counter() - start
    abs_gap = 1.0 - 1e-6 if _objective_is_integral(problem) else None
    if heuristic_seconds is None:
        heuristic_seconds = min(30.0, 0.1 * time_limit) if initial is None else 0.0
    plan: IntArray | None = None
    if initial is not None:
        plan = plan_from_table(problem, initial)
    complete = initial_complete or initial is None
    t0 = t_heuristic = time.perf_counter()
    heuristic: tuple[IntArray, float] | None = None
    start_name = "heuristic's"
    if heuristic_seconds > 0 and complete:
        found = plan_from_table(problem, greedy_roster(problem, heuristic_seconds, initial=plan))
        if found.max(initial=-1) >= 0 and not roster_violations(problem, found).any():
            plan = found
            heuristic = (found, roster_objective(problem, found))
    columns = None
    if columns_seconds > 0 and complete:
        from optimizer.roster_columns import parallel_column_generation

        columns = parallel_column_generation(
            problem,
            columns_seconds,
            initial=plan,
            workers=workers,
            heuristic_seconds=heuristic_seconds,
        )
        found_at = columns.objective
        better = heuristic is None or (found_at is not None and found_at < heuristic[1] - 1e-6)
        if columns.plan is not None and found_at is not None and better:
            plan = columns.plan
            heuristic = (columns.plan, found_at)
            start_name = "column generation's"
    heuristic_time = time.perf_counter() - t0
    if plan is not None:
        load_start(model, problem, plan, complete=complete)
    if columns is not None and plan is columns.plan and _columns_proven(columns, abs_gap):
        # The dived roster meets the root bound: no full solve can do better.
        result = SolveResult(
            status=SolveStatus.OPTIMAL,
            objective=columns.objective,
            bound=columns.bound,
            build_seconds=build_seconds,
            message="no full solve",
        )
    else:
        result = solve_with_highs(
            model,
            max(1.0, time_limit - heuristic_time - neighbourhood_seconds),
            mip_gap=mip_gap,
            mip_abs_gap=abs_gap,
            threads=threads,
            options=options,
            build_seconds=build_seconds,
            tee=tee,
            warm_start=plan is not None,
        )
    result = dataclasses.replace(result, solve_seconds=result.solve_seconds + heuristic_time)
    if heuristic is not None and (
        not result.has_solution
        or (result.objective is not None and result.objective > heuristic[1] + 1e-6)
    ):
        load_start(model, problem, heuristic[0])
        result = dataclasses.replace(
            result,
            status=SolveStatus.FEASIBLE,
            objective=heuristic[1],
            gap=relative_gap(heuristic[1], result.bound),
            message=result.message + f"; the answer is the {start_name} roster",
        )
    if columns is not None:
        result = _with_columns_bound(result, columns, integral=abs_gap is not None)
    if (
        neighbourhood_seconds > 0
        and result.status == SolveStatus.FEASIBLE
        and result.objective is not None
    ):
        from optimizer.roster_parallel import on_processes, parallel_neighbourhood_search

        # The re-solves stop once they reach the full solve's bound (rounded up when every
        # objective is an integer): the roster is then proven optimal.
        target = result.bound
        if target is not None and abs_gap is not None:
            target = float(math.ceil(target - 1e-6))
        t0 = time.perf_counter()
        improved, rounds = parallel_neighbourhood_search(
            functools.partial(build_model, problem, runs=runs),
            model,
            problem,
            result.objective,
            time_limit - (time.perf_counter() - t_heuristic),
            workers=workers,
            target=target,
            abs_gap=abs_gap,
            threads=threads,
            options=options,
        )
        proven = target is not None and improved <= target + 1e-6
        result = dataclasses.replace(
            result,
            status=SolveStatus.OPTIMAL if proven else result.status,
            objective=improved,
            gap=relative_gap(improved, result.bound),
            solve_seconds=result.solve_seconds + time.perf_counter() - t0,
            message=result.message
            + f"; then {rounds} neighbourhood re-solves"
            + on_processes(workers)
            + ("; they reached the bound: optimal" if proven else ""),
        )
    if result.has_solution:
        assignments = table_from_plan(problem, plan_of_model(model, problem))
        objective = result.objective
        if objective is not None and abs_gap is not None:
            objective = float(round(objective))
        bound = result.bound
        if bound is not None and abs_gap is not None:
            bound = float(math.ceil(bound - 1e-6))
        gap = result.gap
        if result.status == SolveStatus.OPTIMAL:
            bound, gap = objective, 0.0
        return dataclasses.replace(
            result,
            objective=objective,
            bound=bound,
            gap=gap,
            assignments=assignments,
            tables={"cover": _cover_table(problem, assignments)},
        )
    if result.status == SolveStatus.INFEASIBLE and explain_infeasible:
        t0 = time.perf_counter()
        message = _explain_infeasible(model, problem, time_limit)
        return dataclasses.replace(
            result,
            message=message,
            solve_seconds=result.solve_seconds + time.perf_counter() - t0,
        )
    return result
