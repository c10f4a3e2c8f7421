"""The roster MILP: binary x[e, d, s] = employee e works shift type s on day d.

:func:`build_model` turns a :class:`~optimizer.roster.problem.RosterProblem` into a Pyomo
model, one ``_add_<family>`` function per family of rules; its objective is the one of
:mod:`optimizer.roster.objective`.  The consecutive-day rules are written either as
sliding windows (compact; used when no minimum run applies) or as a path of work and
off blocks per employee (a flow whose LP is exact for those rules: a tight bound when
minimum runs apply, as in the Curtois-Qu benchmark).

Must not import ``reports``, ``sim`` or ``run_sim``.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any, Literal

import numpy as np
import pyomo.environ as pyo

from optimizer.roster.objective import assignment_weights, fair_targets
from optimizer.roster.problem import OFF, IntArray, RosterProblem

__all__ = ["RunFormulation", "build_model", "load_plan", "plan_of_model", "runs_for"]

RunFormulation = Literal["network", "windows"]


def runs_for(p: RosterProblem) -> RunFormulation:
    """The run formulation that suits a problem: the network when a minimum run (of work
    or of days off) applies, the compact windows otherwise."""
    minimum = np.maximum(p.min_consecutive_days, p.min_consecutive_days_off)
    return "network" if bool((minimum > 1).any()) else "windows"


def build_model(p: RosterProblem, *, runs: RunFormulation | None = None) -> pyo.ConcreteModel:
    """Build the roster MILP (pure: reads ``p`` only).

    Parameters
    ----------
    p : RosterProblem
        The problem.
    runs : {"network", "windows"}, optional
        Formulation of the consecutive-day rules; by default :func:`runs_for`.

    Returns
    -------
    pyomo.environ.ConcreteModel
        ``m.x`` (indexed by the allowed (e, d, s)), ``m.work[e][d]`` the list of
        ``(s, x)``; ``m.problem`` holds ``p``.
    """
    m = pyo.ConcreteModel(name=p.name)
    triples = [tuple(int(i) for i in t) for t in np.argwhere(p.allowed())]
    m.X = pyo.Set(initialize=triples, dimen=3, ordered=True)
    m.x = pyo.Var(m.X, domain=pyo.Binary)
    work: list[list[list[tuple[int, Any]]]] = [
        [[] for _ in range(p.days)] for _ in range(p.n_employees)
    ]
    for e, d, s in triples:
        work[e][d].append((s, m.x[e, d, s]))
    m.problem = p
    m.work = work
    m.extra_cost = []
    if (runs or runs_for(p)) == "network":
        _add_run_network(m, p)
    else:
        _add_one_shift_per_day(m, p)
        _add_max_consecutive_days(m, p)
        _add_min_consecutive_days(m, p)
        _add_min_consecutive_days_off(m, p)
    _add_forbidden_successions(m, p)
    _add_max_shifts_per_type(m, p)
    _add_total_minutes(m, p)
    _add_max_working_weekends(m, p)
    _add_weekly_nights(m, p)
    _add_weekly_days_off(m, p)
    _add_weekly_minutes(m, p)
    _add_cover(m, p)
    _add_stable_starts(m, p)
    _add_single_days_off(m, p)
    _add_fairness(m, p)
    _add_objective(m, p)
    return m


def _w(m: pyo.ConcreteModel, e: int, d: int) -> Any:
    """Working indicator of employee e on day d: sum_s x[e,d,s] (0 when nothing is allowed)."""
    terms = m.work[e][d]
    return pyo.quicksum(v for _, v in terms) if terms else 0


def _row(expr: Any, lower: float | None, upper: float | None) -> Any:
    """A constraint body with bounds, or Skip / Infeasible when ``expr`` has no variables."""
    if isinstance(expr, int | float):
        ok = (lower is None or expr >= lower - 1e-9) and (upper is None or expr <= upper + 1e-9)
        return pyo.Constraint.Skip if ok else pyo.Constraint.Infeasible
    return (lower, expr, upper)


def _limited(value: float, most: float) -> bool:
    """Whether a maximum ``value`` binds at all given the largest possible count ``most``."""
    return bool(math.isfinite(value) and value < most)


def _add_one_shift_per_day(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """At most one shift per employee and day: sum_s x[e,d,s] <= 1."""
    idx = [(e, d) for e in range(p.n_employees) for d in range(p.days) if len(m.work[e][d]) > 1]
    m.one_shift_per_day = pyo.Constraint(idx, rule=lambda m, e, d: _w(m, e, d) <= 1)


def _add_max_consecutive_days(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Every max+1 consecutive days hold a day off: sum_{j=0..max} w[e,d+j] <= max[e]."""
    idx: list[tuple[int, int]] = []
    for e in range(p.n_employees):
        k = p.max_consecutive_days[e]
        if _limited(k, p.days):
            idx.extend((e, d) for d in range(p.days - int(k)))

    def rule(m: pyo.ConcreteModel, e: int, d: int) -> Any:
        k = int(p.max_consecutive_days[e])
        window = [v for j in range(k + 1) for _, v in m.work[e][d + j]]
        return pyo.quicksum(window) <= k if len(window) > k else pyo.Constraint.Skip

    m.max_consecutive_days = pyo.Constraint(idx, rule=rule)


def _add_min_consecutive_days(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A run of work starting after the first day lasts the minimum unless it reaches the
    last day: w[e,d] - w[e,d-1] <= w[e,d+j] for 1 <= j < min[e], d+j < D."""
    idx = [
        (e, d, j)
        for e in range(p.n_employees)
        for d in range(1, p.days)
        for j in range(1, int(p.min_consecutive_days[e]))
        if d + j < p.days and m.work[e][d]
    ]
    m.min_consecutive_days = pyo.Constraint(
        idx, rule=lambda m, e, d, j: _row(_w(m, e, d) - _w(m, e, d - 1) - _w(m, e, d + j), None, 0)
    )


def _add_min_consecutive_days_off(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A run of days off starting after the first day lasts the minimum unless it reaches
    the end: w[e,d-1] - w[e,d] + w[e,d+j] <= 1 for 1 <= j < min_off[e], d+j < D."""
    idx = [
        (e, d, j)
        for e in range(p.n_employees)
        for d in range(1, p.days)
        for j in range(1, int(p.min_consecutive_days_off[e]))
        if d + j < p.days and m.work[e][d - 1] and m.work[e][d + j]
    ]
    m.min_consecutive_days_off = pyo.Constraint(
        idx, rule=lambda m, e, d, j: _row(_w(m, e, d - 1) - _w(m, e, d) + _w(m, e, d + j), None, 1)
    )


# Node kinds of the run network: source, "an off block starts here", "a work block starts
# here", "off for at least the minimum so far", sink.
_SRC, _OFF_START, _WORK_START, _OFF_LONG, _SINK = range(5)


def _run_arcs(
    p: RosterProblem, e: int, can_work: Sequence[bool]
) -> list[tuple[tuple[int, int], tuple[int, int], int, int]]:
    """Arcs (tail, head, first worked day, work length) of employee e's run network.

    A source-to-sink path alternates work blocks and off blocks; work arcs carry their
    days, off arcs none.  Blocks touching the first or last day are exempt from the
    minimum lengths; work blocks never cover a day the employee cannot work.
    """
    n_d = p.days
    min_on = max(1, int(p.min_consecutive_days[e]))
    max_on = int(min(p.max_consecutive_days[e], n_d))
    min_off = max(1, int(p.min_consecutive_days_off[e]))
    src, sink = (_SRC, 0), (_SINK, n_d)
    arcs: list[tuple[tuple[int, int], tuple[int, int], int, int]] = []
    for d in range(n_d):
        tail = src if d == 0 else (_WORK_START, d)
        for length in range(1, max_on + 1):
            end = d + length
            if end > n_d or not can_work[end - 1]:
                break
            if length < min_on and d > 0 and end < n_d:
                continue
            arcs.append((tail, sink if end == n_d else (_OFF_START, end), d, length))
    for end in range(1, n_d):
        arcs.append((src, (_WORK_START, end), -1, 0))
    arcs.append((src, sink, -1, 0))
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
    obey the consecutive-day rules, and the worked days are those its work blocks cover:
    sum_out f - sum_in f = [source] - [sink];  sum_s x[e,d,s] = sum_{a covering d} f[e,a]."""
    arc_list: list[tuple[int, int]] = []
    out_arcs: dict[tuple[int, int, int], list[int]] = {}
    in_arcs: dict[tuple[int, int, int], list[int]] = {}
    cover: dict[tuple[int, int], list[int]] = {}
    arc_of: dict[tuple[int, tuple[int, int], tuple[int, int]], int] = {}
    for e in range(p.n_employees):
        can_work = [bool(m.work[e][d]) for d in range(p.days)]
        for tail, head, first, length in _run_arcs(p, e, can_work):
            a = len(arc_list)
            arc_list.append((e, a))
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
        [(e, d) for e in range(p.n_employees) for d in range(p.days) if m.work[e][d]], rule=link
    )


def _add_forbidden_successions(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A shift is not followed the next day by a forbidden successor (minimum rest):
    x[e,d,s] + sum_{t in F(s)} x[e,d+1,t] <= 1."""
    fs = np.asarray(p.forbidden_successors, dtype=bool)
    idx = [
        (e, d, s)
        for e, d, s in m.X
        if d + 1 < p.days and any(fs[s, t] for t, _ in m.work[e][d + 1])
    ]

    def rule(m: pyo.ConcreteModel, e: int, d: int, s: int) -> Any:
        return m.x[e, d, s] + pyo.quicksum(v for t, v in m.work[e][d + 1] if fs[s, t]) <= 1

    m.forbidden_successions = pyo.Constraint(idx, rule=rule)


def _add_max_shifts_per_type(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Each shift type at most its cap: sum_d x[e,d,s] <= max_shifts[e,s]."""
    by_es: dict[tuple[int, int], list[Any]] = {}
    for e, d, s in m.X:
        by_es.setdefault((e, s), []).append(m.x[e, d, s])
    idx = [k for k, v in by_es.items() if _limited(p.max_shifts[k], len(v))]
    m.max_shifts_per_type = pyo.Constraint(
        idx, rule=lambda m, e, s: pyo.quicksum(by_es[e, s]) <= float(p.max_shifts[e, s])
    )


def _minutes(m: pyo.ConcreteModel, p: RosterProblem, e: int, days: Iterable[int]) -> Any:
    """Paid minutes of employee e over the days: sum_{d,s} len[s] x[e,d,s]."""
    terms = [(int(p.shift_minutes[s]), v) for d in days for s, v in m.work[e][d]]
    return pyo.quicksum(c * v for c, v in terms) if terms else 0


def _add_total_minutes(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Paid minutes over the horizon within the employee's range:
    min_minutes[e] <= sum_{d,s} len[s] x[e,d,s] <= max_minutes[e]."""
    idx = [
        e for e in range(p.n_employees) if p.min_minutes[e] > 0 or math.isfinite(p.max_minutes[e])
    ]

    def rule(m: pyo.ConcreteModel, e: int) -> Any:
        lo = float(p.min_minutes[e]) if p.min_minutes[e] > 0 else None
        hi = float(p.max_minutes[e]) if math.isfinite(p.max_minutes[e]) else None
        return _row(_minutes(m, p, e, range(p.days)), lo, hi)

    m.total_minutes = pyo.Constraint(idx, rule=rule)


def _add_max_working_weekends(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A weekend is worked if either day is, and at most max are:
    wk[e,k] >= w[e,d] for d in weekend k;  sum_k wk[e,k] <= max_working_weekends[e]."""
    weekends = p.weekends()
    emps = [e for e in range(p.n_employees) if _limited(p.max_working_weekends[e], len(weekends))]
    idx = [(e, k) for e in emps for k in range(len(weekends))]
    m.weekend = pyo.Var(idx, domain=pyo.Binary)
    links = [(e, k, d) for e, k in idx for d in weekends[k] if m.work[e][d]]
    m.weekend_link = pyo.Constraint(links, rule=lambda m, e, k, d: _w(m, e, d) <= m.weekend[e, k])
    m.max_working_weekends = pyo.Constraint(
        emps,
        rule=lambda m, e: (
            pyo.quicksum(m.weekend[e, k] for k in range(len(weekends)))
            <= float(p.max_working_weekends[e])
        ),
    )


def _add_weekly_nights(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Night shifts per week within the limit:
    sum_{d in week, s night} x[e,d,s] <= max_night_shifts_per_week[e]."""
    night = np.asarray(p.shift_night, dtype=bool)
    weeks = p.week_days()

    def rule(m: pyo.ConcreteModel, e: int, k: int) -> Any:
        terms = [v for d in weeks[k] for s, v in m.work[e][d] if night[s]]
        if len(terms) <= p.max_night_shifts_per_week[e]:
            return pyo.Constraint.Skip
        return pyo.quicksum(terms) <= float(p.max_night_shifts_per_week[e])

    idx = [
        (e, k)
        for e in range(p.n_employees)
        for k in range(len(weeks))
        if _limited(p.max_night_shifts_per_week[e], len(weeks[k]))
    ]
    m.weekly_nights = pyo.Constraint(idx, rule=rule)


def _add_weekly_days_off(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Each week leaves its days off (a week of L < 7 days needs 7 - L fewer):
    sum_{d in week} w[e,d] <= L - max(0, min_off[e] - (7 - L))."""
    weeks = p.week_days()
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
    """Paid minutes per week within the employee's weekly range:
    min_minutes_per_week[e,k] <= sum_{d in week, s} len[s] x[e,d,s] <= max_minutes_per_week[e]."""
    weeks = p.week_days()
    idx = [
        (e, k)
        for e in range(p.n_employees)
        for k in range(len(weeks))
        if math.isfinite(p.max_minutes_per_week[e]) or p.min_minutes_per_week[e, k] > 0
    ]

    def rule(m: pyo.ConcreteModel, e: int, k: int) -> Any:
        lo = float(p.min_minutes_per_week[e, k]) if p.min_minutes_per_week[e, k] > 0 else None
        hi = float(p.max_minutes_per_week[e]) if math.isfinite(p.max_minutes_per_week[e]) else None
        return _row(_minutes(m, p, e, weeks[k]), lo, hi)

    m.weekly_minutes = pyo.Constraint(idx, rule=rule)


def _add_cover(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Staff on each shift plus shortfall minus surplus meets the requirement:
    sum_e x[e,d,s] + under[d,s] - over[d,s] = req[d,s]."""
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


def _add_stable_starts(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Start times beyond the first in an employee's week cost ``start_change_weight``:
    y[e,k,g] >= sum_{s of start g} x[e,d,s] (d in week k);  u[e,k] <= sum_{d in k} w[e,d];
    cost weight[e] * (sum_g y[e,k,g] - u[e,k])."""
    groups = p.start_groups()
    weeks = p.week_days()
    terms: dict[tuple[int, int, int, int], list[Any]] = {}
    for e, d, s in m.X:
        k = int(p.week_of_day[d])
        if k >= 0 and p.start_change_weight[e] > 0:
            terms.setdefault((e, k, int(groups[s]), d), []).append(m.x[e, d, s])
    y_idx = sorted({(e, k, g) for e, k, g, _ in terms})
    m.start_used = pyo.Var(y_idx, bounds=(0, 1))
    m.start_link = pyo.Constraint(
        sorted(terms),
        rule=lambda m, e, k, g, d: pyo.quicksum(terms[e, k, g, d]) <= m.start_used[e, k, g],
    )
    u_idx = sorted({(e, k) for e, k, _ in y_idx})
    m.week_worked = pyo.Var(u_idx, bounds=(0, 1))
    m.week_worked_link = pyo.Constraint(
        u_idx,
        rule=lambda m, e, k: (
            m.week_worked[e, k] <= pyo.quicksum(_w(m, e, d) for d in weeks[k] if m.work[e][d])
        ),
    )
    by_ek: dict[tuple[int, int], list[Any]] = {}
    for e, k, g in y_idx:
        by_ek.setdefault((e, k), []).append(m.start_used[e, k, g])
    m.extra_cost.extend(
        float(p.start_change_weight[e]) * (pyo.quicksum(ys) - m.week_worked[e, k])
        for (e, k), ys in by_ek.items()
    )


def _add_single_days_off(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """A day off between two worked days (not leave) costs ``single_day_off_weight``:
    lone[e,d] >= w[e,d-1] - w[e,d] + w[e,d+1] - 1."""
    idx = [
        (e, d)
        for e in range(p.n_employees)
        if p.single_day_off_weight[e] > 0
        for d in range(1, p.days - 1)
        if not p.days_off[e, d] and m.work[e][d - 1] and m.work[e][d + 1]
    ]
    m.lone_day_off = pyo.Var(idx, domain=pyo.NonNegativeReals)
    m.lone_link = pyo.Constraint(
        idx,
        rule=lambda m, e, d: (
            m.lone_day_off[e, d] >= _w(m, e, d - 1) - _w(m, e, d) + _w(m, e, d + 1) - 1
        ),
    )
    m.extra_cost.extend(float(p.single_day_off_weight[e]) * m.lone_day_off[e, d] for e, d in idx)


def _add_fairness(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Weekends and night shifts above an employee's fair share cost ``fairness_weight``:
    fw[e,k] >= x[e,d,s] (d in weekend k);  above[e] >= sum_k fw[e,k] - target (and nights)."""
    if p.fairness_weight <= 0 or p.n_employees == 0:
        return
    target_weekends, target_nights = fair_targets(p)
    weekends = p.weekends()
    night = np.asarray(p.shift_night, dtype=bool)
    fw_idx = [(e, k) for e in range(p.n_employees) for k in range(len(weekends))]
    m.fair_weekend = pyo.Var(fw_idx, bounds=(0, 1))
    links = [(e, k, d, s) for e, k in fw_idx for d in weekends[k] for s, _ in m.work[e][d]]
    m.fair_weekend_link = pyo.Constraint(
        links, rule=lambda m, e, k, d, s: m.x[e, d, s] <= m.fair_weekend[e, k]
    )
    m.fair_above = pyo.Var(
        range(p.n_employees), ["weekends", "nights"], domain=pyo.NonNegativeReals
    )
    m.fair_weekends = pyo.Constraint(
        range(p.n_employees),
        rule=lambda m, e: (
            pyo.quicksum(m.fair_weekend[e, k] for k in range(len(weekends))) - target_weekends
            <= m.fair_above[e, "weekends"]
        ),
    )

    def nights(m: pyo.ConcreteModel, e: int) -> Any:
        terms = [v for d in range(p.days) for s, v in m.work[e][d] if night[s]]
        if not terms:
            return pyo.Constraint.Skip
        return pyo.quicksum(terms) - target_nights <= m.fair_above[e, "nights"]

    m.fair_nights = pyo.Constraint(range(p.n_employees), rule=nights)
    m.extra_cost.append(p.fairness_weight * pyo.quicksum(m.fair_above.values()))


def _add_objective(m: pyo.ConcreteModel, p: RosterProblem) -> None:
    """Minimise the roster objective (:mod:`optimizer.roster.objective`): assignments,
    cover shortfall and surplus, and the soft terms added by the families above."""
    coef, constant = assignment_weights(p)
    terms: list[Any] = [float(coef[e, d, s]) * m.x[e, d, s] for e, d, s in m.X if coef[e, d, s]]
    terms += [float(p.cover_under_weight[d, s]) * m.under[d, s] for d, s in m.C]
    terms += [
        float(p.cover_over_weight[d, s]) * m.over[d, s]
        for d, s in m.C
        if p.cover_over_weight[d, s] > 0
    ]
    terms += m.extra_cost
    m.objective = pyo.Objective(expr=constant + pyo.quicksum(terms), sense=pyo.minimize)


def plan_of_model(m: pyo.ConcreteModel) -> IntArray:
    """The plan loaded in a model: shift index per employee and day, ``OFF`` for a day off."""
    p: RosterProblem = m.problem
    plan = np.full((p.n_employees, p.days), OFF, dtype=np.int64)
    for e, d, s in m.X:
        if (m.x[e, d, s].value or 0.0) > 0.5:
            plan[e, d] = s
    return plan


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


def load_plan(m: pyo.ConcreteModel, plan: IntArray) -> None:
    """Set every variable of a model from :func:`build_model` to a plan (a MIP start that
    HiGHS accepts as it is, when the plan keeps every hard rule)."""
    p: RosterProblem = m.problem
    plan = np.asarray(plan)
    for e, d, s in m.X:
        m.x[e, d, s].set_value(1.0 if plan[e, d] == s else 0.0)
    staffed = np.zeros((p.days, p.n_shifts), dtype=np.int64)
    for e, d in zip(*np.nonzero(plan >= 0), strict=True):
        staffed[d, plan[e, d]] += 1
    for d, s in m.C:
        gap = int(p.cover_requirement[d, s]) - int(staffed[d, s])
        m.under[d, s].set_value(float(max(gap, 0)))
        m.over[d, s].set_value(float(max(-gap, 0)))
    weekends = p.weekends()
    for e, k in m.weekend:
        m.weekend[e, k].set_value(float(any(plan[e, d] >= 0 for d in weekends[k])))
    groups = p.start_groups()
    used = {
        (e, int(p.week_of_day[d]), int(groups[plan[e, d]]))
        for e, d in zip(*np.nonzero(plan >= 0), strict=True)
    }
    for key in m.start_used:
        m.start_used[key].set_value(1.0 if key in used else 0.0)
    for e, k in m.week_worked:
        m.week_worked[e, k].set_value(float(any(plan[e, d] >= 0 for d in p.week_days()[k])))
    for e, d in m.lone_day_off:
        lone = plan[e, d] < 0 and plan[e, d - 1] >= 0 and plan[e, d + 1] >= 0
        m.lone_day_off[e, d].set_value(1.0 if lone else 0.0)
    if hasattr(m, "fair_weekend"):
        fair_weekends = weekends
        target_weekends, target_nights = fair_targets(p)
        for e, k in m.fair_weekend:
            m.fair_weekend[e, k].set_value(float(any(plan[e, d] >= 0 for d in fair_weekends[k])))
        for e in range(p.n_employees):
            worked = sum(1 for w in fair_weekends if any(plan[e, d] >= 0 for d in w))
            nights = sum(1 for s in plan[e] if s >= 0 and p.shift_night[s])
            m.fair_above[e, "weekends"].set_value(float(max(0, worked - target_weekends)))
            m.fair_above[e, "nights"].set_value(float(max(0, nights - target_nights)))
    if hasattr(m, "run_arc_of"):
        on: dict[int, set[int | None]] = {}
        for e in range(p.n_employees):
            arcs = {m.run_arc_of.get((e, t, h)) for t, h in _path_of(p, e, list(plan[e] >= 0))}
            if None not in arcs:  # otherwise the plan breaks a run rule: HiGHS sets e's flow
                on[e] = arcs
        for e, a in m.run_arcs:
            m.f[e, a].set_value((1.0 if a in on[e] else 0.0) if e in on else None)
