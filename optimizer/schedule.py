"""Schedule MILP: how many agents of each team work each shift template on each local day.

Role: turn a :class:`~scenarios.schema.Scenario` with ``shifts: optimize`` teams into head
counts per (team, shift template, local day) that cover the queue groups' requirements at
least cost.  The model has a generic covering core (:class:`ScheduleInputs`): a requirement
per queue group and interval, a sparse shift-to-interval coverage matrix whose entries are
the expected available agents one scheduled agent gives (breaks and absence removed), and
flows from teams to the groups they have the skills for, so that an agent's time is counted
once, not once per skill.  Shortfall is allowed at a high penalty, so an impossible target
still yields the best plan and the list of uncovered intervals.

:func:`build_schedule_inputs` maps a scenario onto the core (shift templates in each team's
local time converted to UTC with zoneinfo, so daylight-saving changes are real; teams with
fixed shifts or a roster contribute their expected availability as fixed supply);
:func:`build_schedule_model` builds the Pyomo model (pure); :func:`solve_schedule` solves it
with HiGHS and returns a :class:`ScheduleResult` with tidy tables.

Must not import: ``reports``, ``run_sim``, SimPy.  Must not print or write files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import time
import zoneinfo
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd
import pyomo.environ as pyo
from scipy import optimize, sparse

from optimizer.requirements import (
    interval_requirements,
    live_agents_needed,
    queue_arrivals,
)
from optimizer.result import OptimizerError, SolveResult, SolveStatus, solve_compiled
from scenarios.calendar import (
    NIGHT_SHIFT_MIN_MINUTES,
    holiday_dates,
    horizon_minutes,
    horizon_origin,
    overlap_minutes,
    premium_minutes,
)
from scenarios.schema import BreakRule, Scenario, ServiceLevel, Team
from scenarios.types import time_of_day_minutes

__all__ = [
    "Cap",
    "MaxCap",
    "RoundingCut",
    "ScheduleColumn",
    "ScheduleInputs",
    "ScheduleResult",
    "boost_requirements",
    "build_schedule_inputs",
    "build_schedule_model",
    "choose_templates",
    "coverage_of",
    "coverage_tables",
    "given_plan",
    "group_of_queue",
    "group_requirements",
    "restrict_columns",
    "rounded_start",
    "rounding_cuts",
    "serve_given",
    "solve_covering",
    "solve_schedule",
    "team_supply",
]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

SHORTFALL_WEIGHT = 20.0
"""Penalty per agent-hour of shortfall, in multiples of the dearest agent-hour (with
premiums): high enough that coverage comes first, finite so that an impossible target still
has a best plan."""

TEMPLATES_PER_TEAM: int | None = None
"""Default cap on the shift templates (start, length) one team's schedule uses (``None``: no
cap).  A cap (e.g. 10-16) gives a smaller MILP and rosters with fewer shift types, at a cost:
on the scale benchmark 10 templates raised the LP bound by 12.5% and 16 by 1%."""

SEARCH_MIN_COLUMNS = 1500
"""Schedules with at least this many columns are solved by LP relaxation, day-window search
and a final full MILP (:func:`optimizer.schedule_search.solve_by_search`) rather than by the
full MILP alone: on the 4-week scale benchmark (2,898 columns) HiGHS alone ended 7% above its
bound after 105 s, the search 3.9% after 150 s."""

TIE_BREAK = 1e-4
"""Tie-breaking cost per paid hour, in multiples of the dearest hourly cost."""

MAX_CUT_TEAM_SETS = 64
"""Most team sets the rounding cuts use per interval (unions of the groups' skill sets)."""


# --------------------------------------------------------------------------------------
# The generic covering core
# --------------------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True, slots=True)
class Cap:
    """A linear cap on one team's columns: ``sum_j coef[j] * x[columns[j]] <= rhs``."""

    name: str
    team: int
    columns: IntArray
    coef: FloatArray
    rhs: float


@dataclasses.dataclass(frozen=True, slots=True)
class MaxCap:
    """A cap on a sum of maxima: ``sum_k max_b sum_{j in blocks[k][b]} x[j] <= rhs``.

    Used for weekends: a weekend counts once per agent whether Saturday, Sunday or both are
    worked, so the agents working weekend k are at least the larger of the two day counts.
    """

    name: str
    team: int
    blocks: tuple[tuple[IntArray, ...], ...]
    rhs: float


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleColumn:
    """What one schedule column (team, template, local day) means, for tables."""

    team: str
    date: dt.date
    start: str
    hours: float
    start_utc: pd.Timestamp
    break_start: str | None
    break_minutes: float
    night: bool
    cost: float
    """Paid cost of one agent on this shift with premiums (currency)."""


@dataclasses.dataclass(frozen=True, eq=False)
class ScheduleInputs:
    """A covering problem with flows from teams to queue groups.

    Shapes use ``I`` teams, ``G`` queue groups, ``T`` intervals and ``J`` columns (a column
    is one shift template on one day for one team; ``x[j]`` agents work it).

    Attributes
    ----------
    teams, groups : tuple[str, ...]
        Labels, shapes (I,) and (G,).
    requirement : ndarray, shape (G, T)
        Available agents needed per group and interval.
    coverage : scipy.sparse.csr_array, shape (T, J)
        Expected available agents one agent on column j gives in interval t (0..1).
    column_team : ndarray of int, shape (J,)
        Team of each column.
    column_cost : ndarray, shape (J,)
        Cost of one agent on each column (tie-break included).
    column_upper : ndarray, shape (J,)
        Most agents on a column (inf = no limit).
    skills : ndarray of bool, shape (I, G)
        Which teams may serve which groups.
    fixed_supply : ndarray, shape (I, T)
        Available agents a team has anyway (fixed shifts, rosters).
    shortfall_penalty : ndarray, shape (G, T)
        Cost per agent short in an interval.
    caps, max_caps : tuple
        Linear caps and sums of maxima on columns (head counts, weekly hours, ...).
    integer : bool
        Whether head counts are integers.
    rounding_cuts : bool
        Whether the model carries the rounding cuts of :func:`rounding_cuts` (valid for
        integer head counts, so also for the LP relaxation; off for :func:`given_plan`, whose
        head counts are column limits, not integers).
    interval_starts : pandas.DatetimeIndex or None
        UTC start of each interval, for tables.
    columns : tuple[ScheduleColumn, ...]
        Meaning of each column, for tables (may be empty for abstract problems).
    """

    teams: tuple[str, ...]
    groups: tuple[str, ...]
    requirement: FloatArray
    coverage: sparse.csr_array
    column_team: IntArray
    column_cost: FloatArray
    column_upper: FloatArray
    skills: BoolArray
    fixed_supply: FloatArray
    shortfall_penalty: FloatArray
    caps: tuple[Cap, ...] = ()
    max_caps: tuple[MaxCap, ...] = ()
    integer: bool = True
    rounding_cuts: bool = True
    interval_starts: pd.DatetimeIndex | None = None
    columns: tuple[ScheduleColumn, ...] = ()

    @property
    def shape(self) -> tuple[int, int, int, int]:
        """(I, G, T, J)."""
        return (
            len(self.teams),
            len(self.groups),
            int(self.requirement.shape[1]),
            int(self.coverage.shape[1]),
        )

    @classmethod
    def covering(
        cls,
        requirement: npt.ArrayLike,
        coverage: npt.ArrayLike,
        cost: npt.ArrayLike | float = 1.0,
        *,
        shortfall_penalty: float = 1e3,
    ) -> ScheduleInputs:
        """A single-team, single-group covering problem from a requirement vector and a
        shift-to-interval coverage matrix.

        Parameters
        ----------
        requirement : array_like, shape (T,)
            Agents needed per interval.
        coverage : array_like, shape (T, J)
            ``coverage[t, j]`` = agents one unit of shift j gives in interval t.
        cost : array_like or float, default 1.0
            Cost per unit of each shift.
        shortfall_penalty : float, default 1000
            Cost per agent short in an interval.

        Returns
        -------
        ScheduleInputs
        """
        req = np.asarray(requirement, dtype=np.float64).reshape(1, -1)
        cov = sparse.csr_array(np.asarray(coverage, dtype=np.float64))
        n_t, n_j = cov.shape
        if n_t != req.shape[1]:
            raise OptimizerError(
                f"covering: coverage has {n_t} rows (expected one per interval, {req.shape[1]})"
            )
        return cls(
            teams=("team",),
            groups=("group",),
            requirement=req,
            coverage=cov,
            column_team=np.zeros(n_j, dtype=np.int64),
            column_cost=np.broadcast_to(np.asarray(cost, dtype=np.float64), (n_j,)).copy(),
            column_upper=np.full(n_j, math.inf),
            skills=np.ones((1, 1), dtype=bool),
            fixed_supply=np.zeros((1, n_t)),
            shortfall_penalty=np.full((1, n_t), float(shortfall_penalty)),
        )


def build_schedule_model(inputs: ScheduleInputs) -> pyo.ConcreteModel:
    """Build the schedule MILP (pure: reads ``inputs`` only).

    Variables: ``x[j]`` agents on column j (integer when ``inputs.integer``); ``f[i, g, t]``
    available agents of team i serving group g in interval t, only where the team has the
    skill, the group a requirement and the team any supply; ``short[g, t]`` shortfall.
    With ``inputs.rounding_cuts``, the cuts of :func:`rounding_cuts` (``m.rounding``).

    Parameters
    ----------
    inputs : ScheduleInputs
        The covering problem.

    Returns
    -------
    pyomo.environ.ConcreteModel
        The model; ``m.inputs`` holds the inputs.
    """
    p = inputs
    n_t, n_j = p.shape[2:]
    m = pyo.ConcreteModel(name="schedule")
    m.inputs = p
    upper = np.asarray(p.column_upper, dtype=np.float64)
    m.J = pyo.RangeSet(0, n_j - 1) if n_j else pyo.Set(initialize=[])
    m.x = pyo.Var(
        m.J,
        domain=pyo.NonNegativeIntegers if p.integer else pyo.NonNegativeReals,
        bounds=lambda m, j: (0, float(upper[j]) if math.isfinite(upper[j]) else None),
    )
    # Per team and interval: the columns that give supply (from the CSR rows).
    cov = sparse.csr_array(p.coverage)
    indptr, indices, data = cov.indptr, cov.indices, cov.data
    team_of = np.asarray(p.column_team)
    supply_terms: dict[tuple[int, int], list[tuple[int, float]]] = {}
    for t in range(n_t):
        for k in range(indptr[t], indptr[t + 1]):
            j, a = int(indices[k]), float(data[k])
            if a > 0:
                supply_terms.setdefault((int(team_of[j]), t), []).append((j, a))
    fixed = np.asarray(p.fixed_supply, dtype=np.float64)
    req = np.asarray(p.requirement, dtype=np.float64)
    need = np.argwhere(req > 1e-9)
    skills = np.asarray(p.skills, dtype=bool)
    flows: list[tuple[int, int, int]] = []
    for g, t in need:
        for i in np.flatnonzero(skills[:, g]):
            if (int(i), int(t)) in supply_terms or fixed[i, t] > 1e-9:
                flows.append((int(i), int(g), int(t)))
    m.F = pyo.Set(initialize=flows, dimen=3, ordered=True)
    m.f = pyo.Var(m.F, domain=pyo.NonNegativeReals)
    m.N = pyo.Set(initialize=[(int(g), int(t)) for g, t in need], dimen=2, ordered=True)
    m.short = pyo.Var(m.N, domain=pyo.NonNegativeReals)
    m.supply_terms = supply_terms
    _add_supply(m)
    _add_demand(m)
    _add_caps(m)
    _add_max_caps(m)
    if p.rounding_cuts:
        _add_rounding_cuts(m)
    _add_objective(m)
    return m


def _add_supply(m: pyo.ConcreteModel) -> None:
    """A team's agents are counted once across the groups they serve:
    sum_g f[i,g,t] <= sum_{j of team i} a[t,j] x[j] + fixed[i,t]  for all i, t."""
    by_it: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for i, g, t in m.F:
        by_it.setdefault((i, t), []).append((i, g, t))
    fixed = np.asarray(m.inputs.fixed_supply, dtype=np.float64)
    terms = m.supply_terms

    def rule(m: pyo.ConcreteModel, i: int, t: int) -> Any:
        given = pyo.quicksum(a * m.x[j] for j, a in terms.get((i, t), []))
        used = pyo.quicksum(m.f[k] for k in by_it[i, t])
        return used - given <= float(fixed[i, t])

    m.supply = pyo.Constraint(sorted(by_it), rule=rule)


def _add_demand(m: pyo.ConcreteModel) -> None:
    """Flows from teams plus shortfall meet each group's requirement:
    sum_i f[i,g,t] + short[g,t] >= req[g,t]  for all g, t with req > 0."""
    by_gt: dict[tuple[int, int], list[tuple[int, int, int]]] = {}
    for i, g, t in m.F:
        by_gt.setdefault((g, t), []).append((i, g, t))
    req = np.asarray(m.inputs.requirement, dtype=np.float64)

    def rule(m: pyo.ConcreteModel, g: int, t: int) -> Any:
        served = pyo.quicksum(m.f[k] for k in by_gt.get((g, t), []))
        return served + m.short[g, t] >= float(req[g, t])

    m.demand = pyo.Constraint(m.N, rule=rule)


def _add_caps(m: pyo.ConcreteModel) -> None:
    """Each cap holds: sum_j coef[c,j] x[j] <= rhs[c]  (head count per day, weekly hours,
    weekly working days, weekly nights)."""
    caps = [c for c in m.inputs.caps if len(c.columns)]

    def rule(m: pyo.ConcreteModel, k: int) -> Any:
        cap = caps[k]
        expr = pyo.quicksum(
            float(a) * m.x[int(j)] for j, a in zip(cap.columns, cap.coef, strict=True)
        )
        return expr <= float(cap.rhs)

    m.caps = pyo.Constraint(range(len(caps)), rule=rule)
    m.cap_list = caps


def _add_max_caps(m: pyo.ConcreteModel) -> None:
    """Sums of maxima stay under their cap through block maxima y:
    y[c,k] >= sum_{j in block b of k} x[j] for all b,  sum_k y[c,k] <= rhs[c]."""
    caps = [c for c in m.inputs.max_caps if c.blocks]
    y_idx = [(c, k) for c, cap in enumerate(caps) for k in range(len(cap.blocks))]
    m.block_max = pyo.Var(y_idx, domain=pyo.NonNegativeReals)
    link_idx = [
        (c, k, b)
        for c, k in y_idx
        for b in range(len(caps[c].blocks[k]))
        if len(caps[c].blocks[k][b])
    ]
    m.block_link = pyo.Constraint(
        link_idx,
        rule=lambda m, c, k, b: (
            pyo.quicksum(m.x[int(j)] for j in caps[c].blocks[k][b]) <= m.block_max[c, k]
        ),
    )
    m.max_caps = pyo.Constraint(
        range(len(caps)),
        rule=lambda m, c: (
            pyo.quicksum(m.block_max[c, k] for k in range(len(caps[c].blocks)))
            <= float(caps[c].rhs)
        ),
    )


@dataclasses.dataclass(frozen=True, slots=True)
class RoundingCut:
    """``sum_{j in columns} x[j] + sum_{(g, t) in shorts} short[g, t] / scale >= rhs``."""

    interval: int
    teams: tuple[int, ...]
    columns: IntArray
    shorts: tuple[tuple[int, int], ...]
    scale: float
    rhs: float


def _team_sets(skills: BoolArray) -> list[tuple[tuple[int, ...], list[int]]]:
    """(teams U, groups S) pairs for the rounding cuts: every union U of the groups' skill
    sets (at most ``MAX_CUT_TEAM_SETS``, smallest first) with S the groups whose skilled
    teams all lie in U."""
    skill_sets: dict[tuple[int, ...], list[int]] = {}
    for g in range(skills.shape[1]):
        key = tuple(int(i) for i in np.flatnonzero(skills[:, g]))
        if key:
            skill_sets.setdefault(key, []).append(g)
    unions: set[frozenset[int]] = {frozenset(k) for k in skill_sets}
    frontier = set(unions)
    while frontier and len(unions) <= MAX_CUT_TEAM_SETS:
        grown = {a | b for a in frontier for b in unions} - unions
        unions |= grown
        frontier = grown
    out: list[tuple[tuple[int, ...], list[int]]] = []
    for u in sorted(unions, key=lambda u: (len(u), sorted(u)))[:MAX_CUT_TEAM_SETS]:
        groups = sorted(g for k, gs in skill_sets.items() if set(k) <= u for g in gs)
        out.append((tuple(sorted(u)), groups))
    return out


def rounding_cuts(inputs: ScheduleInputs) -> list[RoundingCut]:
    """Mixed-integer rounding cuts on the agents on shift, one per interval and team set.

    For teams U and the groups S only they can serve, in interval t: the groups' flows come
    from U's agents, so ``a * Y + sum_S short >= R - F`` with ``Y`` the agents of U on a
    shift covering t (an integer), ``a`` the largest availability one of them gives,
    ``R`` the groups' requirement and ``F`` U's fixed supply.  With ``b = (R - F) / a`` and
    ``f = b - floor(b)``, mixed-integer rounding gives
    ``Y + sum_S short / (a * f) >= ceil(b)``: whole agents cover a fractional requirement.
    The LP relaxation alone lets 0.3 of an agent cover 0.3 of a requirement; on the 4-week
    scale benchmark these cuts raise its bound by 2.2% (HiGHS's own root cuts: 0.5%).

    Cuts with ``f`` under 0.001 are left out (they would add nothing beyond the LP and
    carry a huge coefficient).

    Parameters
    ----------
    inputs : ScheduleInputs
        The covering problem.

    Returns
    -------
    list[RoundingCut]
    """
    p = inputs
    n_t = p.shape[2]
    cov = sparse.csr_array(p.coverage)
    team_of = np.asarray(p.column_team)
    req = np.asarray(p.requirement, dtype=np.float64)
    fixed = np.asarray(p.fixed_supply, dtype=np.float64)
    skills = np.asarray(p.skills, dtype=bool)
    cuts: list[RoundingCut] = []
    sets = _team_sets(skills)
    if not sets:
        return cuts
    for t in range(n_t):
        lo, hi = cov.indptr[t], cov.indptr[t + 1]
        cols = cov.indices[lo:hi]
        vals = cov.data[lo:hi]
        positive = vals > 0
        cols, vals = cols[positive], vals[positive]
        if not len(cols):
            continue
        teams_here = team_of[cols]
        for teams, groups in sets:
            need = float(req[groups, t].sum())
            if need <= 1e-9:
                continue
            inside = np.isin(teams_here, teams)
            if not inside.any():
                continue
            a = float(vals[inside].max())
            b = (need - float(fixed[list(teams), t].sum())) / a
            if b <= 1e-9:
                continue
            f = b - math.floor(b)
            if f < 1e-3:
                continue
            shorts = tuple((g, t) for g in groups if req[g, t] > 1e-9)
            cuts.append(
                RoundingCut(t, teams, cols[inside].astype(np.int64), shorts, a * f, math.ceil(b))
            )
    return cuts


def _add_rounding_cuts(m: pyo.ConcreteModel) -> None:
    """The cuts of :func:`rounding_cuts` as ``m.rounding``."""
    cuts = rounding_cuts(m.inputs)
    m.rounding_list = cuts

    def rule(m: pyo.ConcreteModel, k: int) -> Any:
        c = cuts[k]
        heads = pyo.quicksum(m.x[int(j)] for j in c.columns)
        short = pyo.quicksum(m.short[n] for n in c.shorts)
        return heads + short / c.scale >= c.rhs

    m.rounding = pyo.Constraint(range(len(cuts)), rule=rule)


def _add_objective(m: pyo.ConcreteModel) -> None:
    """Minimise cost plus shortfall penalty:
    sum_j cost[j] x[j] + sum_{g,t} penalty[g,t] short[g,t]."""
    cost = np.asarray(m.inputs.column_cost, dtype=np.float64)
    pen = np.asarray(m.inputs.shortfall_penalty, dtype=np.float64)
    terms: list[Any] = [float(cost[j]) * m.x[j] for j in m.J if cost[j] != 0]
    terms += [float(pen[g, t]) * m.short[g, t] for g, t in m.N]
    m.objective = pyo.Objective(expr=pyo.quicksum(terms), sense=pyo.minimize)


def solve_covering(
    inputs: ScheduleInputs,
    time_limit: float = 60.0,
    *,
    mip_gap: float = 0.0,
    threads: int | None = None,
    start: npt.ArrayLike | None = None,
    options: dict[str, Any] | None = None,
) -> tuple[SolveResult, FloatArray, FloatArray, FloatArray]:
    """Build and solve a covering problem.

    Parameters
    ----------
    inputs : ScheduleInputs
        The problem.
    time_limit : float, default 60.0
        HiGHS wall-clock limit (s).
    mip_gap : float, default 0.0
        Relative gap at which to stop.
    threads : int, optional
        HiGHS threads.
    start : array_like, shape (J,), optional
        Agents per column to hand HiGHS as a MIP start (HiGHS completes the flows and
        shortfall, and discards a start that breaks a cap).
    options : dict, optional
        Further HiGHS options by name.

    Returns
    -------
    result : SolveResult
        Status, objective, bound, gap, timings (no tables).
    x : ndarray, shape (J,)
        Agents per column (rounded when integer; zeros without a solution).
    served : ndarray, shape (G, T)
        Available agents the plan gives each group (sum of flows).
    shortfall : ndarray, shape (G, T)
        ``max(0, requirement - served)``.
    """
    t_build = time.perf_counter()
    model = build_schedule_model(inputs)
    if start is not None:
        for j, v in enumerate(np.asarray(start, dtype=np.float64)):
            model.x[j].set_value(float(v), skip_validation=True)
    build_seconds = time.perf_counter() - t_build
    result = solve_compiled(
        model,
        time_limit,
        mip_gap=mip_gap,
        threads=threads,
        options=options,
        build_seconds=build_seconds,
        warm_start=start is not None,
    )
    _, n_g, n_t, n_j = inputs.shape
    x = np.zeros(n_j)
    served = np.zeros((n_g, n_t))
    if result.has_solution:
        x = np.array([pyo.value(model.x[j]) or 0.0 for j in range(n_j)], dtype=np.float64)
        if inputs.integer:
            x = np.round(x)
        for i, g, t in model.F:
            served[g, t] += max(0.0, pyo.value(model.f[i, g, t]) or 0.0)
    req = np.asarray(inputs.requirement, dtype=np.float64)
    shortfall = np.maximum(req - served, 0.0)
    shortfall[shortfall < 1e-6] = 0.0
    return result, x, served, shortfall


# --------------------------------------------------------------------------------------
# Queue groups and their requirements
# --------------------------------------------------------------------------------------


def group_of_queue(language: str, channel: str, tier: int = 1) -> str:
    """The schedule's queue-group label of a queue: ``"<language>/<channel>"`` for tier 1
    (e.g. ``"en/phone"``) and ``"<language>/<channel>/tier<N>"`` above (``"en/email/tier2"``).

    Priorities of one language, channel and tier share a group (their agents are shared).
    """
    return f"{language}/{channel}" + ("" if int(tier) == 1 else f"/tier{int(tier)}")


_group_label = group_of_queue


def _strictest(levels: Sequence[ServiceLevel | None]) -> ServiceLevel | None:
    """The strictest service level: shortest threshold first, then the highest goal."""
    found = [sl for sl in levels if sl is not None]
    if not found:
        return None
    return min(found, key=lambda sl: (sl.answer_within, -sl.goal))


def group_requirements(scenario: Scenario, *, pooled: bool = True) -> pd.DataFrame:
    """Available agents required per interval and queue group (language, channel, tier).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    pooled : bool, default True
        For phone and chat, compute the requirement on the pooled arrivals of the group's
        priorities with the group's strictest service level (agents serve all priorities of
        a group, so they are shared: fewer agents than the sum of per-priority needs), with
        reopened tickets added to the arrivals.  When
        false, or for email and tier-2 work (deadline workload, which adds up), the group's
        requirement is the sum of its queues' requirements.

    Returns
    -------
    pandas.DataFrame
        ``interval_start`` (UTC), ``group``, ``language``, ``channel``, ``tier``,
        ``arrivals`` (expected tickets), ``required`` (available agents) and
        ``required_scheduled`` (inflated by shrinkage); ``attrs["unit"]`` names units.
    """
    per_queue = interval_requirements(scenario)
    keys = ["interval_start", "language", "channel", "tier"]
    table = (
        per_queue.groupby(keys, sort=True, as_index=False)[["arrivals", "required"]]
        .sum()
        .reset_index(drop=True)
    )
    if pooled:
        interval = scenario.horizon.interval_minutes
        arrivals = queue_arrivals(scenario)
        pooled_counts: dict[tuple[str, str], FloatArray] = {}
        levels: dict[tuple[str, str], list[ServiceLevel | None]] = {}
        for (language, channel, priority), counts in arrivals.items():
            if not scenario.is_live(channel):
                continue
            key = (language, channel)
            pooled_counts[key] = pooled_counts.get(key, 0.0) + counts
            levels.setdefault(key, []).append(
                scenario.service_level_for(language, channel, priority)
            )
        for (language, channel), counts in pooled_counts.items():
            sl = _strictest(levels[(language, channel)])
            required, _ = live_agents_needed(scenario, channel, counts / interval, sl)
            mask = (
                (table["language"] == language)
                & (table["channel"] == channel)
                & (table["tier"] == 1)
            ).to_numpy()
            table.loc[mask, "required"] = required.astype(float)
    table.insert(
        1,
        "group",
        [
            _group_label(lang, ch, int(tier))
            for lang, ch, tier in zip(
                table["language"], table["channel"], table["tier"], strict=True
            )
        ],
    )
    table["required_scheduled"] = table["required"] / (1 - scenario.shrinkage)
    table.attrs["unit"] = {"required": "agents", "arrivals": "tickets"}
    return table


def boost_requirements(requirements: pd.DataFrame, boost: pd.DataFrame) -> pd.DataFrame:
    """A :func:`group_requirements` table with ``boost.extra`` added to ``required`` (and,
    inflated by the same shrinkage, to ``required_scheduled``) per interval and group.

    Parameters
    ----------
    requirements : pandas.DataFrame
        From :func:`group_requirements`.
    boost : pandas.DataFrame
        ``interval_start`` (UTC Timestamp), ``group`` (see :func:`group_of_queue`),
        ``extra`` (available agents).

    Returns
    -------
    pandas.DataFrame
        A copy; ``attrs["boost"]`` holds the total extra agent-intervals.

    Raises
    ------
    OptimizerError
        When a column is missing, a group is unknown or an interval is not on the grid.
    """
    missing = {"interval_start", "group", "extra"} - set(boost.columns)
    if missing:
        raise OptimizerError(
            f"requirement_boost: missing column(s) {sorted(missing)} "
            "(expected interval_start, group, extra)"
        )
    out = requirements.copy()
    if not len(boost):
        return out
    extra = boost.assign(interval_start=pd.to_datetime(boost["interval_start"], utc=True))
    extra = extra.groupby(["interval_start", "group"], as_index=False)["extra"].sum()
    known = set(out["group"])
    unknown = sorted(set(extra["group"]) - known)
    if unknown:
        raise OptimizerError(
            f"requirement_boost: unknown group(s) {unknown} (expected one of {sorted(known)})"
        )
    key = pd.MultiIndex.from_frame(out[["interval_start", "group"]])
    pos = key.get_indexer(pd.MultiIndex.from_frame(extra[["interval_start", "group"]]))
    if (pos < 0).any():
        bad = extra.loc[pos < 0, "interval_start"].iloc[0]
        raise OptimizerError(
            f"requirement_boost: interval_start {bad} is not on the scenario's interval grid"
        )
    add = np.zeros(len(out))
    np.add.at(add, pos, extra["extra"].to_numpy(float))
    ratio = out["required_scheduled"] / out["required"].where(out["required"] > 0)
    shrink = ratio.fillna(out["required_scheduled"].sum() / max(out["required"].sum(), 1e-9))
    out["required"] = np.maximum(out["required"].to_numpy(float) + add, 0.0)
    out["required_scheduled"] = out["required_scheduled"] + add * shrink.to_numpy(float)
    out.attrs = dict(requirements.attrs)
    out.attrs["boost"] = float(add.sum())
    return out


# --------------------------------------------------------------------------------------
# From a scenario to the covering core
# --------------------------------------------------------------------------------------


def break_offset(minutes: float, rule: BreakRule | None) -> tuple[float, float]:
    """Break (offset from shift start, length) in minutes; (0, 0) when no break applies."""
    if rule is None or rule.minutes <= 0 or minutes <= rule.after_hours * 60:
        return 0.0, 0.0
    offset = min(max(rule.after_hours * 60, 0.0), max(minutes - rule.minutes, 0.0))
    return offset, float(rule.minutes)


def availability_factor(shrinkage: float, break_share: float) -> float:
    """Expected share of an on-shift, off-break agent who is present: 1 - absence, with
    absence = max(0, shrinkage - break share) / (1 - break share) (the engine's rule)."""
    absent = max(0.0, shrinkage - break_share) / max(1e-9, 1 - break_share)
    return 1.0 - absent


def _window_fractions(
    lo: float, hi: float, interval: float, n_t: int
) -> tuple[list[int], list[float]]:
    """Intervals overlapped by [lo, hi) (minutes since origin) and the overlapped share."""
    if hi <= lo:
        return [], []
    first = max(0, math.floor(lo / interval))
    last = min(n_t - 1, math.ceil(hi / interval) - 1)
    ts: list[int] = []
    fr: list[float] = []
    for t in range(first, last + 1):
        share = overlap_minutes(lo, hi, t * interval, (t + 1) * interval) / interval
        if share > 1e-12:
            ts.append(t)
            fr.append(share)
    return ts, fr


def team_local_dates(scenario: Scenario) -> list[dt.date]:
    """Local dates on which a shift may start: the day before the horizon to its last day."""
    first = scenario.horizon.start - dt.timedelta(days=1)
    return [first + dt.timedelta(days=k) for k in range(scenario.horizon.days + 1)]


def template_grid(scenario: Scenario, team: Team) -> list[tuple[int, float]]:
    """(start minute, length in hours) of every shift template of a team."""
    spec = scenario.templates_for(team)
    step = float(spec.starts_every)
    lo, hi = time_of_day_minutes(spec.earliest), time_of_day_minutes(spec.latest)
    starts: list[int] = []
    m = float(lo)
    while m <= hi + 1e-9:
        starts.append(round(m))
        m += step
    return [(s, float(h)) for s in starts for h in spec.lengths_hours]


def _fmt_minute(minute: float) -> str:
    mm = round(minute) % 1440
    return f"{mm // 60:02d}:{mm % 60:02d}"


def _fixed_supply(
    scenario: Scenario, team_index: dict[str, int], interval: float, n_t: int
) -> FloatArray:
    """Expected available agents per team and interval from fixed shifts and rosters."""
    from sim.agents import build_staffing  # the engine's own shift expansion

    out = np.zeros((len(team_index), n_t))
    if all(t.optimize_shifts for t in scenario.teams):
        return out
    staffing = build_staffing(scenario, scenario.seed)
    s = staffing.shifts
    for team, start, end, b0, b1 in zip(
        s["team"], s["start"], s["end"], s["break_start"], s["break_end"], strict=True
    ):
        if team not in team_index:
            continue
        i = team_index[team]
        length = float(end - start)
        factor = availability_factor(scenario.shrinkage, float(b1 - b0) / max(length, 1e-9))
        windows = ((start, b0), (b1, end)) if b1 > b0 else ((start, end),)
        for lo, hi in windows:
            ts, fr = _window_fractions(float(lo), float(hi), interval, n_t)
            for t, share in zip(ts, fr, strict=True):
                out[i, t] += share * factor
    return out


def _weeks_of(dates: Sequence[dt.date]) -> tuple[dt.date, list[int]]:
    """Monday of the first date and the calendar-week number of each date."""
    monday = dates[0] - dt.timedelta(days=dates[0].weekday())
    return monday, [(d - monday).days // 7 for d in dates]


def build_schedule_inputs(
    scenario: Scenario,
    *,
    pooled: bool = True,
    shortfall_weight: float = SHORTFALL_WEIGHT,
    requirements: pd.DataFrame | None = None,
) -> ScheduleInputs:
    """Map a scenario onto the covering core.

    Parameters
    ----------
    scenario : Scenario
        A scenario with at least one ``shifts: optimize`` team.
    pooled : bool, default True
        Pool priorities within a queue group (see :func:`group_requirements`).
    shortfall_weight : float, default ``SHORTFALL_WEIGHT``
        Penalty per agent-hour short, in multiples of the dearest agent-hour.
    requirements : pandas.DataFrame, optional
        A precomputed :func:`group_requirements` table.

    Returns
    -------
    ScheduleInputs

    Raises
    ------
    OptimizerError
        When no team has ``shifts: optimize``.
    """
    opt_teams = [t for t in scenario.teams if t.optimize_shifts]
    if not opt_teams:
        raise OptimizerError(
            f"scenario '{scenario.name}': no team has 'shifts: optimize' "
            "(expected at least one team whose shifts the optimizer chooses)"
        )
    interval = float(scenario.horizon.interval_minutes)
    n_t = int(horizon_minutes(scenario) // interval)
    origin = horizon_origin(scenario)
    table = (
        requirements if requirements is not None else group_requirements(scenario, pooled=pooled)
    )
    groups = tuple(dict.fromkeys(table["group"]))
    g_index = {g: k for k, g in enumerate(groups)}
    req = np.zeros((len(groups), n_t))
    t_idx = ((table["interval_start"] - origin) / pd.Timedelta(minutes=interval)).to_numpy()
    req[table["group"].map(g_index).to_numpy(), t_idx.astype(np.int64)] = table[
        "required"
    ].to_numpy(float)
    meta = table.drop_duplicates("group").set_index("group")

    teams = tuple(t.name for t in scenario.teams)
    team_index = {name: i for i, name in enumerate(teams)}
    skills = np.zeros((len(teams), len(groups)), dtype=bool)
    for i, team in enumerate(scenario.teams):
        for g, label in enumerate(groups):
            row = meta.loc[label]
            skills[i, g] = (
                row["language"] in team.languages
                and row["channel"] in team.channels
                and int(row["tier"]) == team.tier
            )
    fixed = _fixed_supply(scenario, team_index, interval, n_t)

    costs = scenario.costs
    dearest = max(1.0, max(t.hourly_cost for t in opt_teams)) * (
        1 + costs.night_premium + costs.weekend_premium + costs.holiday_premium
    )
    rows: list[int] = []
    cols: list[int] = []
    vals: list[float] = []
    column_team: list[int] = []
    column_cost: list[float] = []
    column_upper: list[float] = []
    columns: list[ScheduleColumn] = []
    caps: list[Cap] = []
    max_caps: list[MaxCap] = []
    dates = team_local_dates(scenario)
    monday, week_of = _weeks_of(dates)
    end_minute = horizon_minutes(scenario)
    for team in opt_teams:
        i = team_index[team.name]
        tz = zoneinfo.ZoneInfo(team.timezone)
        team_holidays = holiday_dates(team.country, dates[0], dates[-1] + dt.timedelta(days=1))
        rule = scenario.templates_for(team).break_rule
        by_day: dict[int, list[int]] = {}
        for d_i, date in enumerate(dates):
            if not team.work_on_holidays and date in team_holidays:
                continue
            for start_minute, hours in template_grid(scenario, team):
                minutes = hours * 60.0
                local = dt.datetime.combine(
                    date, dt.time(start_minute // 60, start_minute % 60), tzinfo=tz
                )
                start_utc = pd.Timestamp(local).tz_convert("UTC")
                lo = (start_utc - origin).total_seconds() / 60.0
                hi = lo + minutes
                if hi <= 0 or lo >= end_minute:
                    continue
                b_off, b_len = break_offset(minutes, rule)
                factor = availability_factor(scenario.shrinkage, b_len / minutes)
                j = len(column_team)
                windows = ((lo, lo + b_off), (lo + b_off + b_len, hi)) if b_len else ((lo, hi),)
                for w_lo, w_hi in windows:
                    ts, fr = _window_fractions(w_lo, w_hi, interval, n_t)
                    rows.extend(ts)
                    cols.extend([j] * len(ts))
                    vals.extend(share * factor for share in fr)
                night, weekend, holiday = premium_minutes(
                    date, start_minute, minutes, team_holidays
                )
                premium = (
                    night * costs.night_premium
                    + weekend * costs.weekend_premium
                    + holiday * costs.holiday_premium
                ) / minutes
                paid = hours * team.hourly_cost * (1 + premium)
                column_team.append(i)
                column_cost.append(paid + TIE_BREAK * dearest * hours)
                column_upper.append(float(team.agents))
                columns.append(
                    ScheduleColumn(
                        team=team.name,
                        date=date,
                        start=_fmt_minute(start_minute),
                        hours=hours,
                        start_utc=start_utc,
                        break_start=_fmt_minute(start_minute + b_off) if b_len else None,
                        break_minutes=b_len,
                        night=night >= NIGHT_SHIFT_MIN_MINUTES,
                        cost=paid,
                    )
                )
                by_day.setdefault(d_i, []).append(j)
        _team_caps(
            team,
            i,
            by_day,
            dates,
            week_of,
            monday,
            columns,
            caps,
            max_caps,
            scenario,
        )
    n_j = len(column_team)
    coverage = sparse.csr_array(
        sparse.coo_array(
            (np.asarray(vals, dtype=np.float64), (np.asarray(rows), np.asarray(cols))),
            shape=(n_t, n_j),
        )
    )
    penalty = np.full((len(groups), n_t), shortfall_weight * dearest * interval / 60.0)
    return ScheduleInputs(
        teams=teams,
        groups=groups,
        requirement=req,
        coverage=coverage,
        column_team=np.asarray(column_team, dtype=np.int64),
        column_cost=np.asarray(column_cost, dtype=np.float64),
        column_upper=np.asarray(column_upper, dtype=np.float64),
        skills=skills,
        fixed_supply=fixed,
        shortfall_penalty=penalty,
        caps=tuple(caps),
        max_caps=tuple(max_caps),
        integer=True,
        interval_starts=pd.DatetimeIndex(
            origin + pd.to_timedelta(np.arange(n_t) * interval, unit="min")
        ),
        columns=tuple(columns),
    )


def _team_caps(
    team: Team,
    i: int,
    by_day: dict[int, list[int]],
    dates: Sequence[dt.date],
    week_of: Sequence[int],
    monday: dt.date,
    columns: Sequence[ScheduleColumn],
    caps: list[Cap],
    max_caps: list[MaxCap],
    scenario: Scenario,
) -> None:
    """Caps that keep a team's schedule rosterable by its ``agents`` under the scenario's
    labour rules: head count per day, and per calendar week paid hours (less the share
    ``planning.weekly_hours_margin``), working days and night shifts; working weekends over
    the horizon when limited."""
    rules, margin = scenario.labor_rules, scenario.planning.weekly_hours_margin
    agents = float(team.agents)
    for d_i, js in by_day.items():
        caps.append(
            Cap(
                f"{team.name}: head count on {dates[d_i]}",
                i,
                np.asarray(js, dtype=np.int64),
                np.ones(len(js)),
                agents,
            )
        )
    _rest_caps(team, i, by_day, dates, columns, caps, float(rules.min_rest_hours) * 60.0)
    run = int(rules.max_consecutive_days)
    if run < len(dates):
        # Any run + 1 consecutive days hold a day off for every agent.
        for d0 in range(len(dates) - run):
            js = [j for d_i in range(d0, d0 + run + 1) for j in by_day.get(d_i, [])]
            if js:
                caps.append(
                    Cap(
                        f"{team.name}: consecutive days from {dates[d0]}",
                        i,
                        np.asarray(js, dtype=np.int64),
                        np.ones(len(js)),
                        agents * run,
                    )
                )
    weeks: dict[int, list[int]] = {}
    for d_i, js in by_day.items():
        weeks.setdefault(week_of[d_i], []).extend(js)
    # Each week's paid hours stop short of the agents' capacity by ``planning.
    # weekly_hours_margin``: the roster must fit whole shifts into each agent's week together
    # with the rest, weekend and days-off rules, which a week planned to the last hour rarely
    # allows.  On the scale benchmark a schedule without the margin filled Bogotá's second
    # week to 1,800 of its 1,800 hours, and 100 s of its roster left 9-10 shifts unstaffed
    # (2.5-2.7% above the bound, three seeds); with 2.5% (at most 1,755 hours a week; the
    # schedule's LP bound did not move) it left 1-5 (0.3-1.4%, four seeds).
    for w, js in weeks.items():
        arr = np.asarray(js, dtype=np.int64)
        hours = np.array([columns[j].hours for j in js])
        first = monday + dt.timedelta(days=7 * w)
        caps.append(
            Cap(
                f"{team.name}: paid hours in the week of {first}",
                i,
                arr,
                hours,
                agents * rules.max_hours_per_week * (1.0 - margin),
            )
        )
        present = sum(1 for d in dates if (d - monday).days // 7 == w)
        allowed = min(present, max(0, 7 - rules.min_days_off_per_week))
        caps.append(
            Cap(
                f"{team.name}: working days in the week of {first}",
                i,
                arr,
                np.ones(len(js)),
                agents * allowed,
            )
        )
        nights = [j for j in js if columns[j].night]
        if nights:
            caps.append(
                Cap(
                    f"{team.name}: night shifts in the week of {first}",
                    i,
                    np.asarray(nights, dtype=np.int64),
                    np.ones(len(nights)),
                    agents * rules.max_night_shifts_per_week,
                )
            )
    if rules.max_working_weekends is not None:
        blocks: dict[int, list[IntArray]] = {}
        for d_i, js in sorted(by_day.items()):
            if dates[d_i].weekday() >= 5:
                sat = dates[d_i] - dt.timedelta(days=dates[d_i].weekday() - 5)
                blocks.setdefault((sat - monday).days, []).append(np.asarray(js, dtype=np.int64))
        if blocks:
            max_caps.append(
                MaxCap(
                    f"{team.name}: working weekends",
                    i,
                    tuple(tuple(b) for b in blocks.values()),
                    agents * rules.max_working_weekends,
                )
            )


def _rest_caps(
    team: Team,
    i: int,
    by_day: dict[int, list[int]],
    dates: Sequence[dt.date],
    columns: Sequence[ScheduleColumn],
    caps: list[Cap],
    rest_minutes: float,
) -> None:
    """Minimum rest between days, in aggregate: for each start time tau, the agents on day
    d's shifts that end less than the rest before tau on day d+1 (set L) and the agents on
    day d+1's shifts starting at or before tau (set E) are different people, so
    sum_L x + sum_E x <= agents (an agent works one shift a day)."""
    agents = float(team.agents)
    for d_i, js in sorted(by_day.items()):
        nxt = by_day.get(d_i + 1)
        if not nxt:
            continue
        ends = {j: time_of_day_minutes(columns[j].start) + columns[j].hours * 60 for j in js}
        starts = {j: time_of_day_minutes(columns[j].start) for j in nxt}
        seen: set[tuple[tuple[int, ...], tuple[int, ...]]] = set()
        for tau in sorted(set(starts.values())):
            late = tuple(j for j in js if ends[j] + rest_minutes - 1440 > tau)
            early = tuple(j for j in nxt if starts[j] <= tau)
            if not late or not early or (late, early) in seen:
                continue
            seen.add((late, early))
            both = np.asarray(late + early, dtype=np.int64)
            caps.append(
                Cap(
                    f"{team.name}: rest between {dates[d_i]} and {dates[d_i + 1]} "
                    f"(starts to {_fmt_minute(tau)})",
                    i,
                    both,
                    np.ones(len(both)),
                    agents,
                )
            )


def restrict_columns(inputs: ScheduleInputs, keep: npt.ArrayLike) -> ScheduleInputs:
    """The same covering problem with only the columns in ``keep`` (indices or a mask).

    Parameters
    ----------
    inputs : ScheduleInputs
        The problem.
    keep : array_like of int or bool
        Columns to keep.

    Returns
    -------
    ScheduleInputs
        Columns renumbered in their original order; caps follow.
    """
    n_j = inputs.shape[3]
    arr = np.asarray(keep)
    cols = np.flatnonzero(arr) if arr.dtype == bool else np.unique(arr.astype(np.int64))
    remap = np.full(n_j, -1, dtype=np.int64)
    remap[cols] = np.arange(len(cols))

    def cap(c: Cap) -> Cap:
        new = remap[c.columns]
        mask = new >= 0
        return dataclasses.replace(c, columns=new[mask], coef=np.asarray(c.coef)[mask])

    def max_cap(c: MaxCap) -> MaxCap:
        blocks = tuple(tuple(remap[b][remap[b] >= 0] for b in blk) for blk in c.blocks)
        return dataclasses.replace(c, blocks=blocks)

    return dataclasses.replace(
        inputs,
        coverage=sparse.csr_array(sparse.csc_array(inputs.coverage)[:, cols]),
        column_team=np.asarray(inputs.column_team)[cols],
        column_cost=np.asarray(inputs.column_cost)[cols],
        column_upper=np.asarray(inputs.column_upper)[cols],
        caps=tuple(cap(c) for c in inputs.caps),
        max_caps=tuple(max_cap(c) for c in inputs.max_caps),
        columns=tuple(inputs.columns[j] for j in cols) if inputs.columns else (),
    )


def choose_templates(
    inputs: ScheduleInputs, per_team: int, time_limit: float, threads: int | None = None
) -> tuple[npt.NDArray[np.bool_], SolveResult]:
    """Columns of the ``per_team`` shift templates (start, length) per team that carry the
    most paid hours in the LP relaxation (templates of teams without columns in use are
    ranked by cost); a small template set keeps the schedule rosterable and its MILP tight.

    Returns
    -------
    keep : ndarray of bool, shape (J,)
        Columns of the chosen templates.
    lp : SolveResult
        The LP relaxation's outcome.
    """
    lp_inputs = dataclasses.replace(inputs, integer=False)
    lp, x, _, _ = solve_covering(lp_inputs, time_limit, threads=threads)
    hours: dict[tuple[int, str, float], float] = {}
    for j, col in enumerate(inputs.columns):
        key = (int(inputs.column_team[j]), col.start, col.hours)
        hours[key] = hours.get(key, 0.0) + float(x[j]) * col.hours
    chosen: set[tuple[int, str, float]] = set()
    for i in set(int(t) for t in inputs.column_team):
        keys = sorted((k for k in hours if k[0] == i), key=lambda k: (-hours[k], k[1], k[2]))
        chosen.update(keys[:per_team])
    keep = np.array(
        [
            (int(inputs.column_team[j]), col.start, col.hours) in chosen
            for j, col in enumerate(inputs.columns)
        ],
        dtype=bool,
    )
    return keep, lp


def rounded_start(inputs: ScheduleInputs, x: npt.ArrayLike) -> FloatArray:
    """A MIP start from an LP solution: head counts rounded up, then rounded down on the
    columns of any cap that the rounding breaks (rounding down keeps every cap, and the
    shortfall variables absorb what is lost)."""
    lp = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    out = np.ceil(lp - 1e-6)
    upper = np.asarray(inputs.column_upper, dtype=np.float64)
    out = np.minimum(out, np.where(np.isfinite(upper), upper, out))
    down = np.floor(lp + 1e-6)
    for cap in inputs.caps:
        if len(cap.columns) and float(cap.coef @ out[cap.columns]) > cap.rhs + 1e-6:
            out[cap.columns] = down[cap.columns]
    for mcap in inputs.max_caps:
        used = sum(max((float(out[b].sum()) for b in blk), default=0.0) for blk in mcap.blocks)
        if used > mcap.rhs + 1e-6:
            for blk in mcap.blocks:
                for b in blk:
                    out[b] = down[b]
    return out


# --------------------------------------------------------------------------------------
# Solving a scenario's schedule
# --------------------------------------------------------------------------------------


def coverage_tables(
    inputs: ScheduleInputs, served: FloatArray, shortfall: FloatArray
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """The coverage table (``interval_start``, ``group``, ``required``, ``scheduled``,
    ``shortfall``) and the uncovered list (``group``, ``interval_start`` ISO 8601,
    ``shortfall``) of a plan's served agents and shortfall, shapes (G, T)."""
    starts = inputs.interval_starts
    if starts is None:
        raise OptimizerError("coverage_tables: the inputs have no interval starts")
    n_g, n_t = inputs.requirement.shape
    coverage = pd.DataFrame(
        {
            "interval_start": np.tile(starts, n_g),
            "group": np.repeat(np.asarray(inputs.groups, dtype=object), n_t),
            "required": inputs.requirement.ravel(),
            "scheduled": served.ravel(),
            "shortfall": shortfall.ravel(),
        }
    )
    coverage.attrs["unit"] = {"required": "agents", "scheduled": "agents", "shortfall": "agents"}
    short = coverage[coverage["shortfall"] > 0]
    uncovered = [
        {"group": g, "interval_start": pd.Timestamp(ts).isoformat(), "shortfall": float(s)}
        for ts, g, s in zip(
            short["interval_start"], short["group"], short["shortfall"], strict=True
        )
    ]
    return coverage, uncovered


def given_plan(inputs: ScheduleInputs, x: npt.ArrayLike) -> ScheduleInputs:
    """The LP that serves the groups from given head counts ``x``: ``x`` as the column
    limits, no column cost and no caps, so its objective is the least shortfall penalty."""
    given = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    return dataclasses.replace(
        inputs,
        column_upper=given,
        column_cost=np.zeros_like(given),
        integer=False,
        rounding_cuts=False,
        caps=(),
        max_caps=(),
    )


def team_supply(
    coverage: sparse.csr_array, column_team: npt.ArrayLike, x: npt.ArrayLike, n_teams: int
) -> FloatArray:
    """Available agents per team and row of ``coverage`` (shape (I, rows)) that head counts
    ``x`` give: ``coverage @ x`` split by each column's team."""
    team_of = np.asarray(column_team)
    given = np.asarray(x, dtype=np.float64)
    supply = np.zeros((n_teams, coverage.shape[0]))
    for i in range(n_teams):
        supply[i] = coverage @ np.where(team_of == i, given, 0.0)
    return supply


def serve_given(inputs: ScheduleInputs, x: npt.ArrayLike) -> tuple[float, FloatArray, FloatArray]:
    """Serve the groups from given head counts ``x``: the flows from teams to groups that
    leave the least shortfall penalty (the LP of :func:`given_plan`).

    The same LP as ``solve_covering(given_plan(inputs, x))``, handed to HiGHS as sparse
    matrices by :func:`scipy.optimize.linprog` instead of built as a Pyomo model: with
    ``x`` given, each team's supply per interval is a number, so the LP is only the flows
    and shortfalls.  On the scale benchmark's month (2,898 columns, 1,344 intervals) it
    takes a fraction of a second, against seconds through Pyomo; the day-window search
    prices every window's current plan with it.

    Returns
    -------
    penalty : float
        Least shortfall penalty.
    served : ndarray, shape (G, T)
        Available agents each group gets.
    shortfall : ndarray, shape (G, T)
        ``max(0, requirement - served)``.
    """
    given = np.maximum(np.asarray(x, dtype=np.float64), 0.0)
    req = np.asarray(inputs.requirement, dtype=np.float64)
    pen = np.asarray(inputs.shortfall_penalty, dtype=np.float64)
    n_i, n_g, n_t, _ = inputs.shape
    supply = np.asarray(inputs.fixed_supply, dtype=np.float64).reshape(n_i, n_t) + team_supply(
        sparse.csr_array(inputs.coverage), inputs.column_team, given, n_i
    )
    served = np.zeros((n_g, n_t))
    need = req > 1e-9
    # Flows (i, g, t) where group g needs agents, team i has the skill and any supply.
    ii, gg, tt = np.nonzero(
        np.asarray(inputs.skills, dtype=bool)[:, :, None] & need[None] & (supply > 1e-9)[:, None]
    )
    if len(ii):
        ng, nt = np.nonzero(need)
        n_f, n_s = len(ii), len(ng)
        short_of = np.full((n_g, n_t), -1, dtype=np.int64)
        short_of[ng, nt] = np.arange(n_s)
        # sum_g f[i,g,t] <= supply[i,t];  -sum_i f[i,g,t] - short[g,t] <= -req[g,t].
        it = ii * n_t + tt
        it_rows, it_index = np.unique(it, return_inverse=True)
        n_it = len(it_rows)
        rows = np.concatenate([it_index, n_it + short_of[gg, tt], n_it + np.arange(n_s)])
        cols = np.concatenate([np.arange(n_f), np.arange(n_f), n_f + np.arange(n_s)])
        vals = np.concatenate([np.ones(n_f), -np.ones(n_f), -np.ones(n_s)])
        a_ub = sparse.csr_array((vals, (rows, cols)), shape=(n_it + n_s, n_f + n_s))
        b_ub = np.concatenate([supply.ravel()[it_rows], -req[ng, nt]])
        cost = np.concatenate([np.zeros(n_f), pen[ng, nt]])
        res = optimize.linprog(cost, A_ub=a_ub, b_ub=b_ub, bounds=(0, None), method="highs")
        if res.status != 0:
            raise OptimizerError(f"serve_given: the flows LP failed ({res.message})")
        np.add.at(served, (gg, tt), res.x[:n_f])
    shortfall = np.maximum(req - served, 0.0)
    penalty = float(np.sum(pen * shortfall))
    shortfall[shortfall < 1e-6] = 0.0
    return penalty, served, shortfall


def coverage_of(
    inputs: ScheduleInputs, x: npt.ArrayLike
) -> tuple[pd.DataFrame, list[dict[str, Any]]]:
    """Coverage of given head counts per column (e.g. what a roster staffs): the flows from
    teams to groups that leave the least weighted shortfall (:func:`serve_given`).

    Returns
    -------
    tuple
        :func:`coverage_tables` of the result.
    """
    _, served, shortfall = serve_given(inputs, x)
    return coverage_tables(inputs, served, shortfall)


@dataclasses.dataclass(frozen=True, slots=True)
class ScheduleResult:
    """Outcome of the schedule solve.

    Attributes
    ----------
    status : SolveStatus
        How the solve ended.
    objective, bound, gap : float or None
        Objective (cost plus shortfall penalty, currency), best bound, relative gap.
    build_seconds, solve_seconds : float
        Wall times (s).
    message : str
        Words on the outcome.
    schedule : pandas.DataFrame
        ``team``, ``date`` (local), ``start`` (local HH:MM), ``hours``, ``agents``,
        ``break_start`` (local HH:MM or None), ``break_minutes``, ``night``, ``cost``
        (currency, all agents of the row); rows with agents > 0 only.
    coverage : pandas.DataFrame
        ``interval_start`` (UTC), ``group``, ``required``, ``scheduled`` (available agents
        the plan gives the group), ``shortfall``.
    uncovered : list of dict
        ``{"group", "interval_start" (ISO 8601), "shortfall"}`` for every interval short.
    requirements : pandas.DataFrame
        The group requirement table the schedule covered.
    inputs : ScheduleInputs
        The covering problem solved.
    """

    status: SolveStatus
    objective: float | None
    bound: float | None
    gap: float | None
    build_seconds: float
    solve_seconds: float
    message: str
    schedule: pd.DataFrame
    coverage: pd.DataFrame
    uncovered: list[dict[str, Any]]
    requirements: pd.DataFrame
    inputs: ScheduleInputs

    @property
    def has_solution(self) -> bool:
        """Whether a plan exists (optimal or feasible)."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)

    @property
    def cost(self) -> float:
        """Paid cost of the schedule with premiums (currency), without penalties."""
        return float(self.schedule["cost"].sum()) if len(self.schedule) else 0.0


def solve_schedule(
    scenario: Scenario,
    time_limit: float = 60.0,
    *,
    mip_gap: float = 0.01,
    pooled: bool = True,
    shortfall_weight: float = SHORTFALL_WEIGHT,
    threads: int | None = None,
    templates_per_team: int | None = TEMPLATES_PER_TEAM,
    requirement_boost: pd.DataFrame | None = None,
    search: bool | None = None,
    workers: int = 1,
) -> ScheduleResult:
    """Choose head counts per team, shift template and local day for ``shifts: optimize``
    teams.

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    time_limit : float, default 60.0
        HiGHS wall-clock limit (s); building the model comes on top.
    mip_gap : float, default 0.01
        Relative gap at which to stop.
    pooled : bool, default True
        Pool priorities within queue groups (see :func:`group_requirements`).
    shortfall_weight : float, default ``SHORTFALL_WEIGHT``
        Penalty per agent-hour short, in multiples of the dearest agent-hour.
    threads : int, optional
        HiGHS threads.
    templates_per_team : int or None, default ``TEMPLATES_PER_TEAM``
        Most shift templates (start, length) per team: the ones carrying the most hours in
        the LP relaxation over all templates.  ``None`` keeps every template.
    requirement_boost : pandas.DataFrame, optional
        Agents to add to the requirement: columns ``interval_start`` (UTC Timestamp on the
        interval grid), ``group`` (a label from :func:`group_of_queue`) and ``extra``
        (available agents, may be fractional); rows for the same interval and group add up.
    search : bool or None, default None
        Solve by day-window search (:func:`optimizer.schedule_search.solve_by_search`)
        instead of the full MILP alone; ``None`` chooses the search when the problem has at
        least ``SEARCH_MIN_COLUMNS`` columns.
    workers : int, default 1
        Processes for the day-window search (see
        :func:`optimizer.schedule_search.improve_schedule`).

    Returns
    -------
    ScheduleResult
        Always a value: shortfall is part of the plan, not an error.  ``solve_seconds``
        includes the LP passes (template choice and MIP start).

    Raises
    ------
    OptimizerError
        When ``requirement_boost`` names an unknown group or an interval off the grid.
    """
    t0 = time.perf_counter()
    requirements = group_requirements(scenario, pooled=pooled)
    if requirement_boost is not None:
        requirements = boost_requirements(requirements, requirement_boost)
    inputs = build_schedule_inputs(
        scenario, pooled=pooled, shortfall_weight=shortfall_weight, requirements=requirements
    )
    prep_seconds = time.perf_counter() - t0
    t1 = time.perf_counter()
    lp_note = ""
    n_templates = len(
        {
            (int(k), c.start, c.hours)
            for k, c in zip(inputs.column_team, inputs.columns, strict=True)
        }
    )
    if templates_per_team is not None and n_templates > templates_per_team * len(
        set(inputs.column_team.tolist())
    ):
        keep, lp = choose_templates(inputs, templates_per_team, time_limit / 4, threads)
        if lp.has_solution:
            inputs = restrict_columns(inputs, keep)
            lp_note = (
                f"; {templates_per_team} shift templates per team chosen by the LP "
                f"relaxation (LP bound over all templates {lp.objective:.0f})"
            )
    left = max(1.0, time_limit - (time.perf_counter() - t1))
    lp_seconds = time.perf_counter() - t1
    if search is None:
        search = inputs.shape[3] >= SEARCH_MIN_COLUMNS
    if search and inputs.integer and inputs.columns:
        from optimizer.schedule_search import solve_by_search  # builds on this module

        result, x, served, shortfall = solve_by_search(
            inputs, left, mip_gap=mip_gap, threads=threads, workers=workers
        )
    else:
        result, x, served, shortfall = solve_covering(
            inputs, left, mip_gap=mip_gap, threads=threads
        )
    result = dataclasses.replace(
        result,
        solve_seconds=result.solve_seconds + lp_seconds,
        message=result.message + lp_note,
    )
    rows = []
    for j in np.flatnonzero(x > 0.5):
        col = inputs.columns[j]
        rows.append(
            {
                "team": col.team,
                "date": col.date,
                "start": col.start,
                "hours": col.hours,
                "agents": int(x[j]),
                "break_start": col.break_start,
                "break_minutes": col.break_minutes,
                "night": col.night,
                "cost": float(x[j]) * col.cost,
            }
        )
    schedule = pd.DataFrame(
        rows,
        columns=[
            "team",
            "date",
            "start",
            "hours",
            "agents",
            "break_start",
            "break_minutes",
            "night",
            "cost",
        ],
    )
    coverage, uncovered = coverage_tables(inputs, served, shortfall)
    message = result.message
    if result.has_solution and uncovered:
        hours = float(shortfall.sum()) * scenario.horizon.interval_minutes / 60
        message += (
            f"; {len(uncovered)} group-intervals short of their requirement "
            f"({hours:.1f} agent-hours uncovered)"
        )
    return ScheduleResult(
        status=result.status,
        objective=result.objective,
        bound=result.bound,
        gap=result.gap,
        build_seconds=result.build_seconds + prep_seconds,
        solve_seconds=result.solve_seconds,
        message=message,
        schedule=schedule,
        coverage=coverage,
        uncovered=uncovered,
        requirements=requirements,
        inputs=inputs,
    )
