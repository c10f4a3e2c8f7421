"""Solve outcomes as values, and the one place that runs HiGHS on a Pyomo model.

Role: every optimizer model (roster, schedule) is built as a ``pyo.ConcreteModel`` by its own
module and handed to :func:`solve_with_highs`, which runs HiGHS through Pyomo's
``pyomo.contrib.solver`` interface, or to :func:`solve_compiled`, which hands HiGHS the
matrices of Pyomo's standard-form compiler (faster for models solved once, such as the
schedule's many day windows); both return a :class:`SolveResult` with status, objective,
best bound, gap and timings.  Infeasibility and time limits are statuses, not exceptions;
:class:`OptimizerError` is raised only for bad inputs (files, shapes, values).

Must not import: ``reports``, ``sim``, ``run_sim``.  Must not print or write files.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Mapping, Sequence
from enum import StrEnum
from typing import Any

import highspy
import numpy as np
import numpy.typing as npt
import pandas as pd
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.core.base.var import VarData
from pyomo.repn.plugins.standard_form import LinearStandardFormCompiler
from scipy import sparse

FloatArray = npt.NDArray[np.float64]

__all__ = [
    "FixedSolves",
    "OptimizerError",
    "SolveResult",
    "SolveStatus",
    "limit_reached",
    "relative_gap",
    "solve_compiled",
    "solve_with_highs",
]


class OptimizerError(ValueError):
    """Bad optimizer input: says what, where, what was found and what was expected."""


class SolveStatus(StrEnum):
    """How a solve ended."""

    OPTIMAL = "optimal"
    """Proven optimal within the requested gap."""
    FEASIBLE = "feasible"
    """Stopped (time or other limit) with an incumbent solution; see ``gap``."""
    TIME_LIMIT = "time_limit"
    """Time limit reached without any feasible solution."""
    INFEASIBLE = "infeasible"
    """The hard rules cannot all hold; ``message`` says which, when it can be told."""
    ERROR = "error"
    """The solver failed or returned something unexpected; ``message`` has its words."""


@dataclasses.dataclass(frozen=True, slots=True)
class SolveResult:
    """Outcome of one optimizer solve.

    Attributes
    ----------
    status : SolveStatus
        How the solve ended.
    objective : float or None
        Objective value of the incumbent (model units), ``None`` without a solution.
    bound : float or None
        Best proven bound on the objective (a lower bound when minimising).
    gap : float or None
        Relative gap ``|objective - bound| / max(|objective|, 1e-9)``; 0 when optimal,
        ``None`` when either side is missing.
    build_seconds : float
        Wall time to build the Pyomo model (s).
    solve_seconds : float
        Wall time to hand the model to HiGHS, solve it and read back the values (s).
    message : str
        Human-readable words on the outcome; for ``infeasible``, which rule, employee or day
        when it can be told.
    assignments : pandas.DataFrame or None
        Model-specific main table (for a roster: columns ``employee``, ``day``, ``shift``).
    tables : Mapping[str, pandas.DataFrame]
        Further tidy tables by name (for a roster: ``"cover"`` with shortfall and surplus).
    """

    status: SolveStatus
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    message: str = ""
    assignments: pd.DataFrame | None = None
    tables: Mapping[str, pd.DataFrame] = dataclasses.field(default_factory=dict)

    @property
    def seconds(self) -> float:
        """Total wall time, build plus solve (s)."""
        return self.build_seconds + self.solve_seconds

    @property
    def has_solution(self) -> bool:
        """Whether variable values of an incumbent are loaded in the model."""
        return self.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative optimality gap ``|objective - bound| / max(|objective|, 1e-9)``.

    Parameters
    ----------
    objective, bound : float or None
        Incumbent objective and best bound.

    Returns
    -------
    float or None
        The gap (dimensionless), ``None`` when either value is missing or not finite.
    """
    if objective is None or bound is None:
        return None
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    return abs(objective - bound) / max(abs(objective), 1e-9)


def limit_reached(time_limit: float) -> str:
    """Words for a solve stopped by its time limit, the limit to a tenth of a second."""
    return f"time limit of {round(time_limit, 1):g} s reached"


def _outcome(
    ended: str, has_incumbent: bool, time_limit: float, stopped: str
) -> tuple[SolveStatus, str]:
    """Status and message of a solve that ``ended`` as ``"optimal"``, ``"infeasible"``,
    ``"time limit"`` or otherwise (``stopped``: the solver's own word for it)."""
    if ended == "optimal" and has_incumbent:
        return SolveStatus.OPTIMAL, "proven optimal within the requested gap"
    if ended == "infeasible":
        return SolveStatus.INFEASIBLE, "the hard constraints cannot all be satisfied"
    if ended == "time limit":
        status = SolveStatus.FEASIBLE if has_incumbent else SolveStatus.TIME_LIMIT
        return status, limit_reached(time_limit) + (
            " with an incumbent" if has_incumbent else " without a feasible solution"
        )
    if has_incumbent:
        return SolveStatus.FEASIBLE, f"solver stopped ({stopped}) with an incumbent"
    return SolveStatus.ERROR, f"solver stopped ({stopped}) without a solution"


def _misses_gap(
    objective: float | None, bound: float | None, mip_gap: float, mip_abs_gap: float | None
) -> bool:
    """Whether ``objective`` is outside both the relative and the absolute gap of ``bound``
    (``False`` when either is unknown)."""
    gap = relative_gap(objective, bound)
    if gap is None or gap <= mip_gap + 1e-9:
        return False
    return mip_abs_gap is None or abs(objective - bound) > mip_abs_gap  # type: ignore[operator]


def _configure(h: highspy.Highs, threads: int | None, options: Mapping[str, Any] | None) -> None:
    """Silence a HiGHS instance and give it the thread count and further options."""
    h.setOptionValue("output_flag", False)
    if threads is not None:
        h.setOptionValue("threads", int(threads))
    for key, value in (options or {}).items():
        h.setOptionValue(key, value)


def _set_limits(
    h: highspy.Highs, time_limit: float, mip_gap: float, mip_abs_gap: float | None
) -> None:
    """The time limit and the gaps of HiGHS's next run."""
    h.setOptionValue("time_limit", float(time_limit))
    h.setOptionValue("mip_rel_gap", float(mip_gap))
    if mip_abs_gap is not None:
        h.setOptionValue("mip_abs_gap", float(mip_abs_gap))


def _run_outcome(
    h: highspy.Highs,
    t0: float,
    time_limit: float,
    mip_gap: float,
    mip_abs_gap: float | None,
    cost: FloatArray,
    offset: float,
    mip: bool = True,
) -> tuple[SolveResult, FloatArray | None]:
    """Outcome of a HiGHS run started at ``t0`` (``time.perf_counter()``), and the column
    values of its incumbent (``None`` without one).  The objective is the one of those values
    (``cost`` and ``offset``: the model's), not the one HiGHS reports (see
    :class:`_CheckedHighs`).  An LP (``mip=False``) has its optimum as its bound."""
    status = h.getModelStatus()
    info = h.getInfo()
    has_incumbent = info.primal_solution_status == 2  # feasible
    objective: float | None = None
    values: FloatArray | None = None
    if has_incumbent:
        values = np.asarray(h.getSolution().col_value, dtype=np.float64)
        objective = float(cost @ values + offset)
    bound = float(info.mip_dual_bound) if mip and np.isfinite(info.mip_dual_bound) else None
    model_status = highspy.HighsModelStatus
    ended = {
        model_status.kOptimal: "optimal",
        model_status.kInfeasible: "infeasible",
        model_status.kTimeLimit: "time limit",
    }.get(status, "")
    result_status, message = _outcome(
        ended, has_incumbent, time_limit, h.modelStatusToString(status)
    )
    if result_status == SolveStatus.OPTIMAL and bound is None:
        bound = objective
    gap = relative_gap(objective, bound)
    if result_status == SolveStatus.OPTIMAL and _misses_gap(objective, bound, mip_gap, mip_abs_gap):
        result_status = SolveStatus.FEASIBLE
        message = "solver stopped at the requested gap by its own objective"
    result = SolveResult(
        status=result_status,
        objective=objective,
        bound=bound,
        gap=gap,
        solve_seconds=time.perf_counter() - t0,
        message=message,
    )
    return result, values


class _CheckedHighs(Highs):
    """HiGHS through ``pyomo.contrib.solver``, with a (possibly partial) MIP start and the
    objective of the values it hands back.

    Pyomo's HiGHS interface has no warm-start option, so a start is handed to HiGHS with
    ``Highs.setSolution(count, indices, values)`` once the model has been loaded into HiGHS
    and just before it runs.  HiGHS completes a partial start itself (solving for the free
    variables with the given ones fixed) and discards a start it finds infeasible.

    After the run, ``values_objective`` is the objective of the column values HiGHS returns
    (cost vector times values, plus the offset), computed from HiGHS's own arrays.  It is
    what the caller gets, so it is the objective to report: HiGHS 1.16.0 may report, after a
    MIP start, the start's objective in its presolved space, which can differ from the
    objective of the values it returns.
    """

    start: tuple[tuple[VarData, float], ...] = ()  # set on the instance before solving
    values_objective: float | None = None

    def _solve(self) -> Any:
        columns = self._pyomo_var_to_solver_var_map
        pairs = [(columns[id(v)], val) for v, val in self.start if id(v) in columns]
        if pairs:
            index = np.fromiter((i for i, _ in pairs), dtype=np.int32, count=len(pairs))
            value = np.fromiter((x for _, x in pairs), dtype=np.float64, count=len(pairs))
            self._solver_model.setSolution(len(pairs), index, value)
        out = super()._solve()
        highs = self._solver_model
        values = np.asarray(highs.getSolution().col_value, dtype=np.float64)
        lp = highs.getLp()
        cost = np.asarray(lp.col_cost_, dtype=np.float64)
        self.values_objective = (
            float(cost @ values + lp.offset_) if len(values) == len(cost) else None
        )
        return out


def _start_values(model: pyo.ConcreteModel) -> list[tuple[VarData, float]]:
    """(variable, value) of every variable of the model whose value is set."""
    return [
        (v, float(v.value))
        for v in model.component_data_objects(pyo.Var, active=True)
        if v.value is not None
    ]


def solve_with_highs(
    model: pyo.ConcreteModel,
    time_limit: float,
    *,
    mip_gap: float = 0.0,
    mip_abs_gap: float | None = None,
    threads: int | None = None,
    options: Mapping[str, Any] | None = None,
    build_seconds: float = 0.0,
    tee: bool = False,
    warm_start: bool = False,
) -> SolveResult:
    """Solve a Pyomo model with HiGHS and report the outcome as a value.

    On ``optimal`` or ``feasible`` the incumbent's values are loaded into the model's
    variables, so the caller reads its tables from ``pyo.value``.  Nothing is printed unless
    ``tee`` is true.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A linear (MI)LP with exactly one active objective.
    time_limit : float
        Wall-clock limit for HiGHS (s).
    mip_gap : float, default 0.0
        Relative gap at which HiGHS stops and declares the solution optimal.
    mip_abs_gap : float, optional
        Absolute gap at which HiGHS stops; e.g. ``0.999`` when every feasible objective value
        is an integer, so that an incumbent within 1 of the bound is proven optimal.
    threads : int, optional
        HiGHS thread count; HiGHS's own default when omitted.  HiGHS fixes its thread pool at
        the first solve of a process, so later changes may be ignored.
    options : Mapping[str, Any], optional
        Further HiGHS options by name (e.g. ``{"mip_heuristic_effort": 0.2}``).
    build_seconds : float, default 0.0
        Model build time to record in the result (s).
    tee : bool, default False
        Echo the HiGHS log to standard output.
    warm_start : bool, default False
        Hand the values already set on the model's variables (``v.value`` not ``None``) to
        HiGHS as a MIP start.  A partial start is completed by HiGHS; an infeasible one is
        discarded by HiGHS (the solve then proceeds as without a start).

    Returns
    -------
    SolveResult
        Status, objective, bound, gap and timings; no tables (the caller adds them).
    """
    solver = _CheckedHighs()
    if warm_start:
        solver.start = tuple(_start_values(model))
    config: dict[str, Any] = {
        "time_limit": float(time_limit),
        "rel_gap": float(mip_gap),
        "load_solutions": False,
        "raise_exception_on_nonoptimal_result": False,
        "tee": tee,
    }
    if mip_abs_gap is not None:
        config["abs_gap"] = float(mip_abs_gap)
    if threads is not None:
        config["threads"] = int(threads)
    if options:
        config["solver_options"] = dict(options)

    start = time.perf_counter()
    try:
        results = solver.solve(model, **config)
    except Exception as exc:  # the solver's own failure becomes a status, not a crash
        return SolveResult(
            status=SolveStatus.ERROR,
            build_seconds=build_seconds,
            solve_seconds=time.perf_counter() - start,
            message=f"HiGHS failed: {type(exc).__name__}: {exc}",
        )
    has_incumbent = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
    if has_incumbent:
        results.solution_loader.load_vars()
    solve_seconds = time.perf_counter() - start

    term = results.termination_condition
    objective = results.incumbent_objective if has_incumbent else None
    reported = objective
    if objective is not None and solver.values_objective is not None:
        objective = solver.values_objective
    bound = results.objective_bound
    if bound is not None and not math.isfinite(bound):
        bound = None

    ended = {
        TerminationCondition.convergenceCriteriaSatisfied: "optimal",
        TerminationCondition.provenInfeasible: "infeasible",
        TerminationCondition.infeasibleOrUnbounded: "infeasible",
        TerminationCondition.maxTimeLimit: "time limit",
    }.get(term, term.name)
    status, message = _outcome(ended, has_incumbent, time_limit, term.name)

    if (
        reported is not None
        and objective is not None
        and not math.isclose(reported, objective, rel_tol=1e-7, abs_tol=1e-6)
    ):
        if status == SolveStatus.OPTIMAL and _misses_gap(objective, bound, mip_gap, mip_abs_gap):
            status = SolveStatus.FEASIBLE
            message = "solver stopped at the requested gap by its own objective"
        message += (
            f"; HiGHS reported {reported:.6g} for its incumbent, the values it returned"
            f" give {objective:.6g}"
        )
    gap = relative_gap(objective, bound)
    if status == SolveStatus.OPTIMAL and gap is None:
        gap = 0.0
    return SolveResult(
        status=status,
        objective=objective,
        bound=bound,
        gap=gap,
        build_seconds=build_seconds,
        solve_seconds=solve_seconds,
        message=message,
    )


def solve_compiled(
    model: pyo.ConcreteModel,
    time_limit: float,
    *,
    mip_gap: float = 0.0,
    threads: int | None = None,
    options: Mapping[str, Any] | None = None,
    build_seconds: float = 0.0,
    warm_start: bool = False,
) -> SolveResult:
    """Solve a Pyomo model with HiGHS through its matrices: same contract as
    :func:`solve_with_highs`, for a model solved once and thrown away.

    Pyomo's ``LinearStandardFormCompiler`` turns the model into sparse matrices, which are
    handed to ``highspy`` as one LP.  ``solve_with_highs`` goes through Pyomo's persistent
    HiGHS interface, which walks every constraint's expression on its own: on the scale
    benchmark's schedule windows (a day of one team, about 900 rows) that took 0.3-0.4 s of
    each window's 0.9 s, the compiler 0.04 s.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A linear (MI)LP with exactly one active objective, to be minimised.
    time_limit, mip_gap, threads, options, build_seconds
        As for :func:`solve_with_highs`.
    warm_start : bool, default False
        Hand the values set on the model's variables to HiGHS as a (possibly partial) MIP
        start.

    Returns
    -------
    SolveResult
        As :func:`solve_with_highs`; the incumbent's values are loaded into the model.
    """
    t0 = time.perf_counter()
    try:
        form = LinearStandardFormCompiler().write(model, mixed_form=True)
    except Exception as exc:  # not a linear model: a status, as for a solver failure
        return SolveResult(
            status=SolveStatus.ERROR,
            build_seconds=build_seconds,
            solve_seconds=time.perf_counter() - t0,
            message=f"the model cannot be handed to HiGHS: {type(exc).__name__}: {exc}",
        )
    columns = form.columns
    n_col, n_row = len(columns), len(form.rows)
    cost = np.asarray(form.c.toarray(), dtype=np.float64)[0]  # the one objective's row
    offset = float(form.c_offset[0])
    inf = highspy.kHighsInf
    sense = np.fromiter((r[1] for r in form.rows), dtype=np.int8, count=n_row)
    rhs = np.asarray(form.rhs, dtype=np.float64)
    lp = highspy.HighsLp()
    lp.num_col_, lp.num_row_ = n_col, n_row
    lp.col_cost_ = cost
    lp.offset_ = offset
    lp.col_lower_ = np.array([-inf if v.lb is None else v.lb for v in columns], dtype=np.float64)
    lp.col_upper_ = np.array([inf if v.ub is None else v.ub for v in columns], dtype=np.float64)
    lp.row_lower_ = np.where(sense == 1, -inf, rhs)
    lp.row_upper_ = np.where(sense == -1, inf, rhs)
    a = sparse.csc_array(form.A)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = a.indptr.astype(np.int32)
    lp.a_matrix_.index_ = a.indices.astype(np.int32)
    lp.a_matrix_.value_ = a.data.astype(np.float64)
    integer = np.array([v.is_integer() for v in columns], dtype=bool)
    if integer.any():
        lp.integrality_ = [
            highspy.HighsVarType.kInteger if k else highspy.HighsVarType.kContinuous
            for k in integer
        ]
    h = highspy.Highs()
    _configure(h, threads, options)
    h.passModel(lp)
    _set_limits(h, time_limit, mip_gap, None)
    if warm_start:
        given = [(k, v.value) for k, v in enumerate(columns) if v.value is not None]
        if given:
            index = np.fromiter((k for k, _ in given), dtype=np.int32, count=len(given))
            value = np.fromiter((x for _, x in given), dtype=np.float64, count=len(given))
            h.setSolution(len(given), index, value)
    h.run()
    result, values = _run_outcome(
        h, t0, time_limit, mip_gap, None, cost, offset, mip=bool(integer.any())
    )
    if values is not None:
        for v, x in zip(columns, values, strict=True):
            v.set_value(float(x), skip_validation=True)
    return dataclasses.replace(
        result, build_seconds=build_seconds, solve_seconds=time.perf_counter() - t0
    )


class FixedSolves:
    """A Pyomo model loaded into HiGHS once, for many solves that differ only in which
    variables are fixed and where HiGHS starts.

    Pyomo translates the whole model into HiGHS on every solve of a new solver (about 3 s
    for a 45-agent, 5-week roster, as long as HiGHS takes for a five-day re-solve), and its
    persistent updates rebuild every constraint that holds a variable whose fixing changed
    (over 30 s there).  Here the translation happens once; each solve then changes column
    bounds in HiGHS directly (a fixed variable gets its value as both bounds), hands HiGHS
    the model's current values as MIP start, and loads the values it returns into the
    model's variables.  The model's variables are never fixed, so the model stays as built.

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A linear (MI)LP; its structure must not change while this object is used.
    threads : int, optional
        HiGHS thread count.
    options : Mapping[str, Any], optional
        Further HiGHS options by name.
    """

    def __init__(
        self,
        model: pyo.ConcreteModel,
        *,
        threads: int | None = None,
        options: Mapping[str, Any] | None = None,
    ) -> None:
        t0 = time.perf_counter()
        self._solver = _CheckedHighs()
        self._solver.config.tee = []
        self._solver.set_instance(model)
        self._highs = self._solver._solver_model
        _configure(self._highs, threads, options)
        columns = self._solver._pyomo_var_to_solver_var_map
        self._vars = [v for v in model.component_data_objects(pyo.Var) if id(v) in columns]
        self._column = {id(v): int(columns[id(v)]) for v in self._vars}
        self._index = np.array([self._column[id(v)] for v in self._vars], dtype=np.int32)
        lp = self._highs.getLp()
        self._lower = np.asarray(lp.col_lower_, dtype=np.float64).copy()
        self._upper = np.asarray(lp.col_upper_, dtype=np.float64).copy()
        self._cost = np.asarray(lp.col_cost_, dtype=np.float64).copy()
        self._offset = float(lp.offset_)
        self._fixed = np.empty(0, dtype=np.int32)
        self.build_seconds = time.perf_counter() - t0

    def values(self) -> FloatArray:
        """The model's current variable values (unset ones as 0), for :meth:`restore`."""
        return np.array([v.value if v.value is not None else 0.0 for v in self._vars])

    def restore(self, values: FloatArray) -> None:
        """Set the model's variables to values taken by :meth:`values`."""
        for v, x in zip(self._vars, values, strict=True):
            v.set_value(float(x), skip_validation=True)

    def _unfix(self) -> None:
        """Give the columns the last solve fixed their own bounds again."""
        idx = self._fixed
        if len(idx):
            self._highs.changeColsBounds(len(idx), idx, self._lower[idx], self._upper[idx])
            self._fixed = np.empty(0, dtype=np.int32)

    def relaxation_bound(self, time_limit: float) -> float | None:
        """The optimum of the LP relaxation with no variable fixed (HiGHS's
        ``solve_relaxation``): a lower bound on the model's optimum, or ``None`` when the LP
        does not solve to optimality within ``time_limit`` seconds."""
        h = self._highs
        self._unfix()
        h.setOptionValue("time_limit", float(time_limit))
        h.setOptionValue("solve_relaxation", True)
        try:
            h.run()
            optimal = h.getModelStatus() == highspy.HighsModelStatus.kOptimal
            return float(h.getInfo().objective_function_value) if optimal else None
        finally:
            h.setOptionValue("solve_relaxation", False)

    def solve(
        self,
        fixed: Sequence[tuple[VarData, float]],
        time_limit: float,
        *,
        mip_gap: float = 0.0,
        mip_abs_gap: float | None = None,
    ) -> SolveResult:
        """Solve with the variables of ``fixed`` (variable, value) at their values and every
        other at its own bounds, from the model's current values as MIP start.

        On ``optimal`` or ``feasible`` the returned values are loaded into the model's
        variables; otherwise the variables keep their values.  Same statuses and words as
        :func:`solve_with_highs`; the objective is the one of the returned values.
        """
        t0 = time.perf_counter()
        h = self._highs
        self._unfix()
        idx = np.fromiter((self._column[id(v)] for v, _ in fixed), dtype=np.int32, count=len(fixed))
        val = np.fromiter((x for _, x in fixed), dtype=np.float64, count=len(fixed))
        if len(idx):
            h.changeColsBounds(len(idx), idx, val, val)
        self._fixed = idx
        _set_limits(h, time_limit, mip_gap, mip_abs_gap)
        h.setSolution(len(self._index), self._index, self.values())
        h.run()
        result, values = _run_outcome(
            h, t0, time_limit, mip_gap, mip_abs_gap, self._cost, self._offset
        )
        if values is not None:
            self.restore(values[self._index])
        return result
