"""The one way the optimizer reaches HiGHS: a Pyomo model in, a :class:`SolveResult` out.

Every model (schedule, roster) is a ``pyo.ConcreteModel`` built by its own module and
solved here through Pyomo's persistent HiGHS interface (``pyomo.contrib.solver``, backed by
``highspy``).  A solve stops on its *gap* (relative, and absolute where every objective
value is an integer), on a *node count* (the same work on any machine, so the same input
gives the same answer), or on a *time limit* that is only a safety net; which of them ended
it is part of the result.  Infeasibility and limits are statuses, not exceptions; only bad
inputs raise :class:`OptimizerError`.

A :class:`Session` keeps one model loaded in HiGHS for repeated solves (the roster's
neighbourhood search fixes variables between solves; HiGHS then only sees new bounds).

Must not import ``reports``, ``sim`` or ``run_sim``.  Must not print or write files.
"""

from __future__ import annotations

import dataclasses
import math
import multiprocessing
import time
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from enum import StrEnum
from typing import Any

import numpy as np
import pyomo.environ as pyo
from pyomo.contrib.solver.common.results import SolutionStatus, TerminationCondition
from pyomo.contrib.solver.solvers.highs import Highs
from pyomo.core.base.var import VarData

__all__ = [
    "Limits",
    "OptimizerError",
    "Session",
    "SolveResult",
    "SolveStatus",
    "process_pool",
    "relative_gap",
    "solve",
    "start_of",
]


class OptimizerError(ValueError):
    """Bad optimizer input: says what, where, what was found and what was expected."""


class SolveStatus(StrEnum):
    """How a solve (or a stage made of solves) ended."""

    OPTIMAL = "optimal"
    """Proven within the requested gap."""
    FEASIBLE = "feasible"
    """A plan, stopped by a node or time limit before its gap was proven; see ``gap``."""
    NO_SOLUTION = "no_solution"
    """Stopped by a limit before any plan was found."""
    INFEASIBLE = "infeasible"
    """The hard rules cannot all hold; ``message`` says which, when it can be told."""
    ERROR = "error"
    """The solver failed; ``message`` has its words."""

    @property
    def has_plan(self) -> bool:
        """Whether a solve with this status has a solution."""
        return self in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


@dataclasses.dataclass(frozen=True, slots=True)
class Limits:
    """When a solve stops: the first of its gap, its node count and its time limit.

    Attributes
    ----------
    gap : float
        Relative gap to the proven bound at which the solve is done.
    abs_gap : float or None
        Absolute gap at which it is done (e.g. just under 1 when every objective value is
        an integer, so an incumbent within 1 of the bound is optimal).
    nodes : int or None
        Most branch-and-bound nodes: a deterministic budget of work.
    solutions : int or None
        Stop at the ``solutions``-th improving solution (another deterministic budget,
        for a solve that only needs a plan to start from).
    seconds : float
        Wall-clock safety net (s).  A result stopped by it depends on the machine's speed,
        and says so.
    """

    gap: float = 0.01
    abs_gap: float | None = None
    nodes: int | None = None
    solutions: int | None = None
    seconds: float = 600.0

    def within(self, seconds: float) -> Limits:
        """These limits with the time limit lowered to ``seconds`` when that is less."""
        return dataclasses.replace(self, seconds=max(0.1, min(self.seconds, seconds)))


@dataclasses.dataclass(frozen=True, slots=True)
class SolveResult:
    """Outcome of one solve, or of a stage made of several.

    Attributes
    ----------
    status : SolveStatus
        How it ended.
    objective : float or None
        Objective of the plan (model units), ``None`` without one.
    bound : float or None
        Best proven lower bound on the objective.
    gap : float or None
        ``(objective - bound) / |objective|``; ``None`` when either is missing.
    build_seconds, solve_seconds : float
        Wall time to build the model and to solve it (s).
    stopped_by : str
        What ended it: ``"gap"``, ``"nodes"``, ``"solutions"``, ``"time"``, ``"infeasible"``
        or ``""``.
    nodes : int
        Branch-and-bound nodes explored.
    message : str
        Words on the outcome (for ``infeasible``, which rule when it can be told).
    """

    status: SolveStatus
    objective: float | None = None
    bound: float | None = None
    gap: float | None = None
    build_seconds: float = 0.0
    solve_seconds: float = 0.0
    stopped_by: str = ""
    nodes: int = 0
    message: str = ""

    @property
    def seconds(self) -> float:
        """Build plus solve time (s)."""
        return self.build_seconds + self.solve_seconds

    @property
    def has_plan(self) -> bool:
        """Whether the solve found a solution (loaded in the model's variables)."""
        return self.status.has_plan

    def record(self, stage: str) -> dict[str, Any]:
        """This result as one JSON-ready solve record of ``optimize.json``."""
        return {
            "stage": stage,
            "status": str(self.status),
            "objective": self.objective,
            "bound": self.bound,
            "gap": self.gap,
            "stopped_by": self.stopped_by,
            "nodes": self.nodes,
            "build_seconds": round(self.build_seconds, 3),
            "solve_seconds": round(self.solve_seconds, 3),
            "message": self.message,
        }


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """Relative gap ``max(0, objective - bound) / max(|objective|, 1e-9)``; ``None`` when
    either value is missing or not finite."""
    if objective is None or bound is None:
        return None
    if not (math.isfinite(objective) and math.isfinite(bound)):
        return None
    return max(0.0, objective - bound) / max(abs(objective), 1e-9)


class _Highs(Highs):
    """Pyomo's persistent HiGHS interface with a MIP start handed over just before a run
    (``Highs.setSolution``: HiGHS completes a partial start and drops an infeasible one),
    and the objective recomputed from the values HiGHS returns."""

    start: tuple[tuple[VarData, float], ...] = ()
    values_objective: float | None = None

    def _solve(self) -> Any:
        columns = self._pyomo_var_to_solver_var_map
        pairs = [(columns[id(v)], x) for v, x in self.start if id(v) in columns]
        if pairs:
            index = np.fromiter((i for i, _ in pairs), dtype=np.int32, count=len(pairs))
            value = np.fromiter((x for _, x in pairs), dtype=np.float64, count=len(pairs))
            self._solver_model.setSolution(len(pairs), index, value)
        out = super()._solve()
        model = self._solver_model
        values = np.asarray(model.getSolution().col_value, dtype=np.float64)
        lp = model.getLp()
        cost = np.asarray(lp.col_cost_, dtype=np.float64)
        self.values_objective = (
            float(cost @ values + lp.offset_) if len(values) == len(cost) and len(cost) else None
        )
        return out


_ENDED = {
    TerminationCondition.convergenceCriteriaSatisfied: "gap",
    TerminationCondition.provenInfeasible: "infeasible",
    TerminationCondition.infeasibleOrUnbounded: "infeasible",
    TerminationCondition.maxTimeLimit: "time",
    TerminationCondition.iterationLimit: "nodes",
}


class Session:
    """One Pyomo model loaded in HiGHS, solved as often as needed.

    Fixing or unfixing variables in Pyomo between solves changes only their bounds in
    HiGHS.  Each solve loads the plan found (if any) into the model's variables.
    """

    def __init__(self, model: pyo.ConcreteModel, *, build_seconds: float = 0.0) -> None:
        self.model = model
        self.build_seconds = build_seconds
        self._solver = _Highs(treat_fixed_vars_as_params=False)
        self._loaded = False

    def solve(
        self,
        limits: Limits,
        *,
        start: Iterable[tuple[VarData, float]] = (),
        options: Mapping[str, Any] | None = None,
    ) -> SolveResult:
        """Solve the model as it stands (fixed variables fixed).

        Parameters
        ----------
        limits : Limits
            Gap, node and time limits of this solve.
        start : iterable of (variable, value), optional
            A (possibly partial) MIP start.
        options : Mapping[str, Any], optional
            Further HiGHS options by name.

        Returns
        -------
        SolveResult
            With ``build_seconds`` of the session's model on its first solve only.
        """
        solver = self._solver
        solver.start = tuple(start)
        solver_options: dict[str, Any] = {
            "threads": 1,
            "random_seed": 0,
            "log_to_console": False,
            "output_flag": False,
        }
        if limits.nodes is not None:
            solver_options["mip_max_nodes"] = int(limits.nodes)
        if limits.solutions is not None:
            solver_options["mip_max_improving_sols"] = int(limits.solutions)
        solver_options.update(options or {})
        config: dict[str, Any] = {
            "time_limit": float(limits.seconds),
            "rel_gap": float(limits.gap),
            "load_solutions": False,
            "raise_exception_on_nonoptimal_result": False,
            "solver_options": solver_options,
        }
        if limits.abs_gap is not None:
            config["abs_gap"] = float(limits.abs_gap)
        build = 0.0 if self._loaded else self.build_seconds
        t0 = time.perf_counter()
        try:
            results = solver.solve(self.model, **config)
        except Exception as exc:  # the solver's own failure is a status, not a crash
            return SolveResult(
                status=SolveStatus.ERROR,
                build_seconds=build,
                solve_seconds=time.perf_counter() - t0,
                message=f"HiGHS failed: {type(exc).__name__}: {exc}",
            )
        self._loaded = True
        has_plan = results.solution_status in (SolutionStatus.optimal, SolutionStatus.feasible)
        if has_plan:
            results.solution_loader.load_vars()
        seconds = time.perf_counter() - t0
        ended = _ENDED.get(results.termination_condition, "")
        info = solver._solver_model.getInfo()
        nodes = max(0, int(info.mip_node_count))
        # HiGHS ends a node budget and a solution count alike.
        if ended == "nodes" and limits.solutions is not None and nodes < (limits.nodes or math.inf):
            ended = "solutions"
        objective = solver.values_objective if has_plan else None
        bound = results.objective_bound
        if bound is not None and not math.isfinite(bound):
            bound = None
        if ended == "gap" and bound is None:
            bound = objective
        gap = relative_gap(objective, bound)
        if ended == "infeasible":
            status, message = SolveStatus.INFEASIBLE, "the hard rules cannot all hold together"
        elif not has_plan:
            status = SolveStatus.ERROR if ended in ("", "gap") else SolveStatus.NO_SOLUTION
            message = _stop_words(ended, limits, results.termination_condition) + " without a plan"
        elif ended == "gap" and _within(objective, bound, limits):
            status, message = SolveStatus.OPTIMAL, "proven within the gap target"
        else:
            status = SolveStatus.FEASIBLE
            message = _stop_words(ended, limits, results.termination_condition)
            if ended == "gap":
                ended = ""
        return SolveResult(
            status=status,
            objective=objective,
            bound=bound,
            gap=0.0 if status == SolveStatus.OPTIMAL and gap is None else gap,
            build_seconds=build,
            solve_seconds=seconds,
            stopped_by=ended,
            nodes=nodes,
            message=message,
        )


def _within(objective: float | None, bound: float | None, limits: Limits) -> bool:
    """Whether the objective meets its bound within the relative or the absolute gap."""
    if objective is None or bound is None:
        return True
    if (
        relative_gap(objective, bound) is not None
        and (relative_gap(objective, bound) or 0.0) <= limits.gap + 1e-9
    ):
        return True
    return limits.abs_gap is not None and objective - bound <= limits.abs_gap + 1e-9


def _stop_words(ended: str, limits: Limits, condition: TerminationCondition) -> str:
    if ended == "time":
        return f"time limit of {limits.seconds:.4g} s reached (a safety net)"
    if ended == "solutions":
        return f"stopped at improving solution {limits.solutions}"
    if ended == "nodes":
        return f"node limit of {limits.nodes} reached"
    if ended == "gap":
        return "stopped at the gap by HiGHS's own objective"
    return f"solver stopped ({condition.name})"


def solve(
    model: pyo.ConcreteModel,
    limits: Limits,
    *,
    start: Iterable[tuple[VarData, float]] = (),
    options: Mapping[str, Any] | None = None,
    build_seconds: float = 0.0,
) -> SolveResult:
    """Solve a Pyomo model once with HiGHS (see :class:`Session` for repeated solves).

    Parameters
    ----------
    model : pyomo.environ.ConcreteModel
        A linear (MI)LP with one active objective.
    limits : Limits
        Gap, node and time limits.
    start : iterable of (variable, value), optional
        A (possibly partial) MIP start.
    options : Mapping[str, Any], optional
        Further HiGHS options.
    build_seconds : float, default 0.0
        Time spent building the model, recorded in the result (s).

    Returns
    -------
    SolveResult
    """
    return Session(model, build_seconds=build_seconds).solve(limits, start=start, options=options)


def process_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of ``workers`` fresh processes (spawned, so they share no state with this
    one) for solves side by side; each solve's budgets are counts, so the results are the
    same as one after another."""
    return ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))


def start_of(model: pyo.ConcreteModel) -> list[tuple[VarData, float]]:
    """(variable, value) of every active variable of ``model`` whose value is set: the
    model's current values as a MIP start."""
    return [
        (v, float(v.value))
        for v in model.component_data_objects(pyo.Var, active=True)
        if v.value is not None
    ]
