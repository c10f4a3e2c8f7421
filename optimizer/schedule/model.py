"""The schedule MILP: how many of each crew's people work each column (template x date).

:func:`build_model` turns :class:`~optimizer.schedule.inputs.ScheduleInputs` into a Pyomo
model, one ``_add_<family>`` function per family.  Coverage is a flow from crews (and
fixed-shift teams) to the queue groups they have the skills for, so a bilingual agent's
time counts once, not once per skill; shortfall is allowed at a high penalty, so an
impossible target still gives the best plan and says where it falls short.

Must not import ``reports``, ``sim`` or ``run_sim``.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pyomo.environ as pyo
from scipy import sparse

from optimizer.schedule.inputs import BEYOND_HALF_WEIGHT, SHORT_AGENTS, ScheduleInputs

__all__ = ["build_model", "column_values"]


def build_model(inputs: ScheduleInputs, *, integer: bool = True) -> pyo.ConcreteModel:
    """Build the schedule model (pure: reads ``inputs`` only).

    Variables: ``x[j]`` people on column j (integers, or reals for the LP relaxation);
    ``f[k, g, t]`` available agents of crew or fixed team k serving group g in interval
    t; ``short[g, t]`` and ``beyond[g, t]`` (its part beyond half an agent); ``z[s]`` people
    on start group s; ``extra[k, w]`` people of crew k
    on a second start time in week w; ``second[s]`` people of start group s on a second
    start time for their minimum hours; with ``inputs.size_crews``, ``size[k]``.

    Parameters
    ----------
    inputs : ScheduleInputs
        The covering problem.
    integer : bool, default True
        Whole people; ``False`` gives the LP relaxation (a bound).

    Returns
    -------
    pyomo.environ.ConcreteModel
        ``m.inputs`` holds the inputs.
    """
    p = inputs
    m = pyo.ConcreteModel(name="schedule")
    m.inputs = p
    m.integer = integer
    n_j = p.n_columns
    whole = (
        np.full(n_j, integer)
        if p.integer_columns is None or not integer
        else np.asarray(p.integer_columns, dtype=bool)
    )
    crew_of = np.array([c.crew for c in p.columns], dtype=np.int64)
    upper = np.array(
        [p.crews[k].max_size if p.size_crews else p.crew_size[k] for k in crew_of], dtype=float
    )
    m.J = pyo.RangeSet(0, n_j - 1) if n_j else pyo.Set(initialize=[])
    m.x = pyo.Var(
        m.J,
        domain=lambda m, j: pyo.NonNegativeIntegers if whole[j] else pyo.NonNegativeReals,
        bounds=lambda m, j: (0, float(upper[j])),
    )
    m.K = pyo.RangeSet(0, len(p.crews) - 1) if p.crews else pyo.Set(initialize=[])
    if p.size_crews:
        floor = _size_floor(p)
        m.size = pyo.Var(
            m.K,
            domain=pyo.NonNegativeIntegers if integer else pyo.NonNegativeReals,
            bounds=lambda m, k: (float(floor[k]), max(float(floor[k]), float(p.crews[k].max_size))),
        )
    _add_coverage(m, p, crew_of)
    _add_caps(m, p)
    _add_start_groups(m, p)
    _add_objective(m, p)
    return m


def _size_floor(p: ScheduleInputs) -> np.ndarray:
    """Least size of each crew: its people, or the sizes earlier weeks chose."""
    if p.size_floor is None:
        return np.asarray(p.crew_size, dtype=np.float64)
    return np.maximum(p.crew_size, p.size_floor)


def _size(m: pyo.ConcreteModel, p: ScheduleInputs, k: int) -> Any:
    """People in crew k: its size, or the size variable when sizing."""
    return m.size[k] if p.size_crews else float(p.crew_size[k])


MAX_HALL_SETS = 32
"""Most sets of crews per interval written as Hall conditions; beyond it, flows."""


def _add_coverage(m: pyo.ConcreteModel, p: ScheduleInputs, crew_of: np.ndarray) -> None:
    """Crews and fixed teams serve the groups they have the skills for, within their
    supply, and the groups' requirements are met or short.  Supply of crew k in interval
    t: s[k,t] = sum_j cov[t,j] x[j] (j of crew k) + fixed[k,t].  Written, when few enough,
    as Hall's condition for each set C of crews that is the union of some groups' crews:
    sum_{g served only by C} (req[g,t] - short[g,t]) <= sum_{k in C} s[k,t]
    (the same plans as flows from crews to groups, in far fewer variables); otherwise as
    flows f[k,g,t]: sum_g f[k,g,t] <= s[k,t], sum_k f[k,g,t] + short[g,t] >= req[g,t]."""
    cov = sparse.csr_array(p.coverage)
    supply_terms: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for t in range(cov.shape[0]):
        for i in range(cov.indptr[t], cov.indptr[t + 1]):
            j, a = int(cov.indices[i]), float(cov.data[i])
            if a > 0:
                supply_terms.setdefault((int(crew_of[j]), t), []).append((j, a))
    fixed = p.fixed_supply
    need = [(int(g), int(t)) for g, t in np.argwhere(p.requirement > 1e-9)]
    m.N = pyo.Set(initialize=need, dimen=2, ordered=True)
    # Short by at most the requirement: in a Hall condition a group's served share
    # (req - short) must not go below zero to make room for another group's.
    m.short = pyo.Var(
        m.N,
        domain=pyo.NonNegativeReals,
        bounds=lambda m, g, t: (0.0, float(p.requirement[g, t])),
    )
    sources: dict[tuple[int, int], frozenset[int]] = {}
    for g, t in need:
        sources[g, t] = frozenset(
            int(k)
            for k in np.flatnonzero(p.skills[:, g])
            if (int(k), t) in supply_terms or fixed[k, t] > 1e-9
        )
    supplied = sorted({(k, t) for (g, t), ks in sources.items() for k in ks})
    m.S = pyo.Set(initialize=supplied, dimen=2, ordered=True)
    m.s = pyo.Var(m.S, domain=pyo.NonNegativeReals)
    m.supply = pyo.Constraint(
        m.S,
        rule=lambda m, k, t: (
            m.s[k, t]
            == pyo.quicksum(a * m.x[j] for j, a in supply_terms.get((k, t), []))
            + float(fixed[k, t])
        ),
    )
    by_t: dict[int, list[int]] = {}
    for g, t in need:
        by_t.setdefault(t, []).append(g)
    hall: list[tuple[int, frozenset[int], tuple[int, ...]]] = []
    flows_at: list[int] = []
    for t, gs in sorted(by_t.items()):
        unions: set[frozenset[int]] = set()
        for g in gs:
            unions |= {u | sources[g, t] for u in unions} | {sources[g, t]}
            if len(unions) > MAX_HALL_SETS:
                break
        if len(unions) > MAX_HALL_SETS:
            flows_at.append(t)
            continue
        for c in sorted(unions, key=sorted):
            inside = tuple(g for g in gs if sources[g, t] <= c)
            hall.append((t, c, inside))
    m.hall = pyo.Constraint(
        range(len(hall)),
        rule=lambda m, i: (
            pyo.quicksum(
                float(p.requirement[g, hall[i][0]]) - m.short[g, hall[i][0]] for g in hall[i][2]
            )
            <= pyo.quicksum(m.s[k, hall[i][0]] for k in hall[i][1])
        ),
    )
    flows = [(k, g, t) for t in flows_at for g in by_t[t] for k in sorted(sources[g, t])]
    m.F = pyo.Set(initialize=flows, dimen=3, ordered=True)
    m.f = pyo.Var(m.F, domain=pyo.NonNegativeReals)
    out: dict[tuple[int, int], list[Any]] = {}
    into: dict[tuple[int, int], list[Any]] = {}
    for k, g, t in flows:
        out.setdefault((k, t), []).append(m.f[k, g, t])
        into.setdefault((g, t), []).append(m.f[k, g, t])
    m.flow_supply = pyo.Constraint(
        sorted(out), rule=lambda m, k, t: pyo.quicksum(out[k, t]) <= m.s[k, t]
    )
    m.flow_demand = pyo.Constraint(
        [(g, t) for t in flows_at for g in by_t[t]],
        rule=lambda m, g, t: (
            pyo.quicksum(into.get((g, t), [])) + m.short[g, t] >= float(p.requirement[g, t])
        ),
    )
    # A group no crew can reach at t is short by all of it.
    for g, t in need:
        if not sources[g, t]:
            m.short[g, t].setlb(float(p.requirement[g, t]))
    # The part of a shortfall beyond half an agent, priced apart: see BEYOND_HALF_WEIGHT.
    m.B = pyo.Set(
        initialize=[(g, t) for g, t in need if p.requirement[g, t] > SHORT_AGENTS],
        dimen=2,
        ordered=True,
    )
    m.beyond = pyo.Var(m.B, domain=pyo.NonNegativeReals)
    m.beyond_half = pyo.Constraint(
        m.B, rule=lambda m, g, t: m.beyond[g, t] >= m.short[g, t] - SHORT_AGENTS
    )


def _add_caps(m: pyo.ConcreteModel, p: ScheduleInputs) -> None:
    """Each crew's caps (people per day, hours, days and nights per week, rest, runs,
    weekends): lower <= sum_j coef[j] x[j] <= upper + per_head (size[k] - people[k]); a
    weekend counts once per person: wk[c,w] >= its Saturday sum and its Sunday sum."""
    linear = [i for i, c in enumerate(p.caps) if c.weekends is None]
    weekend = [i for i, c in enumerate(p.caps) if c.weekends is not None]

    def grown(c: Any) -> Any:
        if not p.size_crews or c.per_head == 0 or not math.isfinite(c.upper):
            return float(c.upper)
        return float(c.upper) + c.per_head * (m.size[c.crew] - float(p.crew_size[c.crew]))

    def body(i: int) -> Any:
        c = p.caps[i]
        return pyo.quicksum(float(a) * m.x[int(j)] for j, a in zip(c.columns, c.coef, strict=True))

    m.caps_upper = pyo.Constraint(
        [i for i in linear if math.isfinite(p.caps[i].upper)],
        rule=lambda m, i: body(i) <= grown(p.caps[i]),
    )
    m.caps_lower = pyo.Constraint(
        [i for i in linear if p.caps[i].lower > 1e-9],
        rule=lambda m, i: body(i) >= float(p.caps[i].lower),
    )
    wk_index = [
        (i, int(w))
        for i in weekend
        for w in np.unique(p.caps[i].weekends)  # type: ignore[arg-type]
    ]
    m.weekend_worked = pyo.Var(wk_index, domain=pyo.NonNegativeReals)

    def side(m: pyo.ConcreteModel, i: int, w: int, sunday: int) -> Any:
        c = p.caps[i]
        assert c.weekends is not None and c.sunday is not None
        on = (c.weekends == w) & (c.sunday == bool(sunday))
        js = c.columns[on]
        if not len(js):
            return pyo.Constraint.Skip
        return m.weekend_worked[i, w] >= pyo.quicksum(m.x[int(j)] for j in js)

    m.weekend_sides = pyo.Constraint([(i, w, s) for i, w in wk_index for s in (0, 1)], rule=side)
    m.weekend_caps = pyo.Constraint(
        weekend,
        rule=lambda m, i: (
            pyo.quicksum(m.weekend_worked[j, w] for j, w in wk_index if j == i) <= grown(p.caps[i])
        ),
    )


def _add_start_groups(m: pyo.ConcreteModel, p: ScheduleInputs) -> None:
    """People on a start time in a week are at least the most on any of its dates, and
    enough for its shifts at one person's days and hours a week; people beyond the crew's
    size are on a second start time, and so are some of those whose start time has fewer
    shifts than their minimum hours take (``least`` shifts a week; each such person works
    at least one of them there, so the days missing over ``least - 1``):
    z[s] >= sum_{j of s on date} x[j];  days * z[s] >= sum_{j of s} x[j];
    hours * z[s] >= sum_{j of s} h[j] x[j];
    sum_{s of crew k, week w} z[s] - extra[k,w] <= size[k];
    (least - 1) * second[s] >= least * z[s] - sum_{j of s} x[j]  (when least >= 2)."""
    idx = [(s, d) for s, g in enumerate(p.start_groups) for d in range(len(g.by_date))]
    m.z = pyo.Var(range(len(p.start_groups)), domain=pyo.NonNegativeReals)
    m.start_days = pyo.Constraint(
        idx,
        rule=lambda m, s, d: (
            m.z[s] >= pyo.quicksum(m.x[int(j)] for j in p.start_groups[s].by_date[d])
        ),
    )

    def group(s: int) -> list[int]:
        return [int(j) for js in p.start_groups[s].by_date for j in js]

    m.start_work_days = pyo.Constraint(
        range(len(p.start_groups)),
        rule=lambda m, s: (
            p.start_groups[s].days_per_person * m.z[s] >= pyo.quicksum(m.x[j] for j in group(s))
        ),
    )
    m.start_work_hours = pyo.Constraint(
        range(len(p.start_groups)),
        rule=lambda m, s: (
            p.start_groups[s].hours_per_person * m.z[s]
            >= pyo.quicksum(p.columns[j].hours * m.x[j] for j in group(s))
        ),
    )
    weeks: dict[tuple[int, int], list[int]] = {}
    for s, g in enumerate(p.start_groups):
        weeks.setdefault((g.crew, g.week), []).append(s)
    m.W = pyo.Set(initialize=sorted(weeks), dimen=2, ordered=True)
    m.extra = pyo.Var(m.W, domain=pyo.NonNegativeReals)
    m.start_people = pyo.Constraint(
        m.W,
        rule=lambda m, k, w: (
            pyo.quicksum(m.z[s] for s in weeks[k, w]) - m.extra[k, w] <= _size(m, p, k)
        ),
    )
    thin = [s for s, g in enumerate(p.start_groups) if g.min_days_per_person >= 2]
    m.S2 = pyo.Set(initialize=thin, ordered=True)
    m.second = pyo.Var(m.S2, domain=pyo.NonNegativeReals)
    m.start_min_days = pyo.Constraint(
        m.S2,
        rule=lambda m, s: (
            (p.start_groups[s].min_days_per_person - 1) * m.second[s]
            >= p.start_groups[s].min_days_per_person * m.z[s]
            - pyo.quicksum(m.x[j] for j in group(s))
        ),
    )


def _add_objective(m: pyo.ConcreteModel, p: ScheduleInputs) -> None:
    """Minimise pay (with premiums and the tie-break), shortfall, second start times and,
    when sizing, people added: sum_j cost[j] x[j] + sum pen[g,t] short[g,t]
    + sum W pen[g,t] beyond[g,t] + sum stab[k] extra[k,w] + sum stab[k of s] second[s]
    + sum head[k] (size[k] - people[k]),
    where beyond[g,t] >= short[g,t] - 1/2 is the shortfall beyond half an agent."""
    terms: list[Any] = [float(c) * m.x[j] for j, c in enumerate(p.column_cost)]
    terms += [float(p.shortfall_penalty[g, t]) * m.short[g, t] for g, t in m.N]
    terms += [
        BEYOND_HALF_WEIGHT * float(p.shortfall_penalty[g, t]) * m.beyond[g, t] for g, t in m.B
    ]
    terms += [float(p.stability_penalty[k]) * m.extra[k, w] for k, w in m.W]
    terms += [float(p.stability_penalty[p.start_groups[s].crew]) * m.second[s] for s in m.S2]
    if p.size_crews:
        floor = _size_floor(p)
        terms += [
            float(p.head_cost[k]) * (m.size[k] - float(floor[k])) for k in range(len(p.crews))
        ]
    m.objective = pyo.Objective(expr=pyo.quicksum(terms), sense=pyo.minimize)


def column_values(m: pyo.ConcreteModel) -> np.ndarray:
    """People per column in the plan loaded in the model (whole people rounded)."""
    values = np.array([m.x[j].value or 0.0 for j in m.J], dtype=np.float64)
    whole = np.array([m.x[j].is_integer() for j in m.J], dtype=bool)
    return np.where(whole, np.round(values), values)
