"""Neighbourhood re-solves of a roster on several processes at once.

Role: :func:`parallel_neighbourhood_search` runs :func:`optimizer.roster.neighbourhood_search`
in the calling process and, at the same time, in ``workers - 1`` worker processes with other
seeds, in epochs: each epoch every process improves the best roster found so far on its own
for a while, then the best of their rosters becomes every process's start for the next epoch.

Why: HiGHS solves each re-solve on one core (a re-solve is a small MILP, and HiGHS's branch
and bound is serial), so on a machine with more cores the other cores are idle.  The
re-solves are random and most of them find nothing; more of them per second is what lowers
the objective (Curtois Instance 8: 1,480 after 300 s of re-solves, 1,331-1,361 after 480 s).

Worker processes are started with ``spawn`` (not ``fork``: HiGHS keeps a thread pool that a
forked child would inherit in an undefined state).  Each worker builds its model once, from a
picklable ``build`` callable, and keeps it for the later epochs.

Must not import: ``reports``, ``sim``, ``run_sim``.  Must not print or write files.
"""

from __future__ import annotations

import multiprocessing
import time
import uuid
from collections.abc import Callable, Mapping
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

import pyomo.environ as pyo

from optimizer.result import FixedSolves
from optimizer.roster import (
    IntArray,
    RosterProblem,
    load_start,
    neighbourhood_search,
    plan_of_model,
)

__all__ = ["on_processes", "parallel_neighbourhood_search", "spawn_pool"]

EPOCH_SECONDS = 45.0
"""How long each process searches on its own before the processes share their best roster."""

_MODELS: dict[str, tuple[pyo.ConcreteModel, FixedSolves]] = {}
"""A worker process's models, loaded into HiGHS, by the key of the search that built them."""


def spawn_pool(max_workers: int) -> ProcessPoolExecutor:
    """A pool of ``max_workers`` worker processes started with ``spawn`` (see the module
    docstring: a forked child would inherit HiGHS's thread pool in an undefined state)."""
    return ProcessPoolExecutor(
        max_workers=max_workers, mp_context=multiprocessing.get_context("spawn")
    )


def on_processes(workers: int) -> str:
    """Words for a solve message: ``" on 2 processes"``, or nothing for one."""
    return f" on {workers} processes" if workers > 1 else ""


def _search_epoch(
    key: str,
    build: Callable[[], pyo.ConcreteModel],
    p: RosterProblem,
    plan: IntArray,
    objective: float,
    until: float,
    seed: int,
    options: Mapping[str, Any],
) -> tuple[IntArray, float, int]:
    """One worker's epoch, until the wall-clock time ``until`` (``time.time()``; the first
    epoch's model build counts): the best plan found from ``plan``, its objective, rounds."""
    if key not in _MODELS:
        _MODELS.clear()  # a new search: the models of earlier ones are not needed again
        built = build()
        _MODELS[key] = (
            built,
            FixedSolves(built, threads=options.get("threads"), options=options.get("options")),
        )
    m, solves = _MODELS[key]
    load_start(m, p, plan)
    seconds = until - time.time()
    found, rounds = neighbourhood_search(
        m, p, objective, seconds, seed=seed, solves=solves, **options
    )
    return (plan_of_model(m, p) if found < objective else plan), found, rounds


def parallel_neighbourhood_search(
    build: Callable[[], pyo.ConcreteModel],
    m: pyo.ConcreteModel,
    p: RosterProblem,
    objective: float,
    seconds: float,
    *,
    workers: int,
    seed: int = 0,
    epoch: float = EPOCH_SECONDS,
    target: float | None = None,
    solves: FixedSolves | None = None,
    **options: Any,
) -> tuple[float, int]:
    """Improve the incumbent loaded in ``m`` with re-solves on ``workers`` processes.

    Same contract as :func:`optimizer.roster.neighbourhood_search` (the best roster ends up
    loaded in ``m``; returns the final objective and the number of rounds, summed over the
    processes), with ``workers - 1`` extra processes.  ``workers <= 1`` is the plain search.
    A worker that fails (its model cannot be built, its process dies) only loses its own
    share of the search: the search goes on in this process.

    Parameters
    ----------
    build : callable
        Builds a model equal to ``m`` (same variables and objective); must be picklable,
        e.g. ``functools.partial(build_model, problem, runs="network")``.
    m : pyomo.environ.ConcreteModel
        The model, with the incumbent loaded.
    p : RosterProblem
        The problem.
    objective : float
        The incumbent's objective.
    seconds : float
        Wall-clock budget (s).
    workers : int
        Processes, the calling one included.
    seed : int, default 0
        Seed of the first process; the others and later epochs use the following ones.
    epoch : float, default ``EPOCH_SECONDS``
        Seconds between two exchanges of the best roster.
    target : float, optional
        Stop once the objective is at or below this.
    solves : FixedSolves, optional
        ``m`` already loaded into HiGHS, for this process's re-solves (made here when not
        given).
    **options
        Passed on to :func:`optimizer.roster.neighbourhood_search` (``abs_gap``,
        ``threads``, ``options``, ``window``, ``by_employees``, ``focus``).
    """
    deadline = time.perf_counter() + seconds
    if solves is None:
        solves = FixedSolves(m, threads=options.get("threads"), options=options.get("options"))
    if workers <= 1:
        left = deadline - time.perf_counter()
        return neighbourhood_search(
            m, p, objective, left, seed=seed, target=target, solves=solves, **options
        )
    key = uuid.uuid4().hex
    rounds = 0
    pool_ok = True
    with spawn_pool(workers - 1) as pool:
        k = 0
        while True:
            left = deadline - time.perf_counter()
            if left < 2.0 or (target is not None and objective <= target):
                break
            span = min(epoch, left)
            until = time.time() + span
            plan = plan_of_model(m, p)
            futures: list[Future[tuple[IntArray, float, int]]] = []
            if pool_ok:
                try:
                    futures = [
                        pool.submit(
                            _search_epoch,
                            key,
                            build,
                            p,
                            plan,
                            objective,
                            until,
                            seed + k * workers + w,
                            {**options, "target": target},
                        )
                        for w in range(1, workers)
                    ]
                except BrokenProcessPool:  # a worker died: no more submissions
                    pool_ok = False
            own, n = neighbourhood_search(
                m,
                p,
                objective,
                span,
                seed=seed + k * workers,
                target=target,
                solves=solves,
                **options,
            )
            rounds += n
            best = own
            for future in futures:
                try:
                    other_plan, other, n = future.result()
                except Exception:  # a failed worker loses its share; this process's stands
                    continue
                rounds += n
                if other < best - 1e-6:
                    best = other
                    load_start(m, p, other_plan)
            objective = best
            k += 1
    return objective, rounds
