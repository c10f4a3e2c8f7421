"""Runs for the what-if studio: one scenario's replications, cancellable between them.

Role: the simulation side of ``run_sim.py studio``. :func:`run_variant` plays a scenario's
replications with the calls ``simulate`` makes (:func:`sim.runner.run_replications`, then
:func:`sim.runner.summarize`), so a variant the studio shows and ``simulate`` of its
downloaded YAML give the same numbers for the same seed. Replications run one after
another in the caller's thread; a ``stop`` event set by another thread ends the run after
the replication in progress (:class:`RunCancelled`). No printing and no files here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

import pandas as pd

from scenarios.schema import Scenario
from sim.runner import Progress, RunOutput, run_replications, summarize

__all__ = ["RunCancelled", "run_variant"]


class RunCancelled(Exception):
    """A studio run stopped at the user's request, between two replications."""


def run_variant(
    scenario: Scenario,
    replications: int,
    seed: int,
    *,
    required: Callable[[Scenario], pd.DataFrame] | None = None,
    progress: Progress | None = None,
    stop: threading.Event | None = None,
) -> RunOutput:
    """Simulate and summarise one scenario as ``simulate`` does, cancellably.

    Parameters
    ----------
    scenario : Scenario
        The validated scenario (baseline or variant).
    replications : int
        Number of replications (each a full horizon).
    seed : int
        Seed of the replications: the baseline's, so that a variant's streams see the same
        customers (common random numbers) and its deltas are the change, not noise.
    required : callable, optional
        The per-interval requirement table of a scenario (``simulate`` passes the
        optimizer's queueing formulas); None leaves the interval table without it.
    progress : callable, optional
        ``progress(done, total)`` after each finished replication.
    stop : threading.Event, optional
        When set, the run ends after the replication in progress.

    Returns
    -------
    RunOutput
        The typed summary and the tables of the run.

    Raises
    ------
    RunCancelled
        When ``stop`` was set before the last replication finished.
    """

    def step(done: int, total: int) -> None:
        if progress is not None:
            progress(done, total)
        if stop is not None and stop.is_set() and done < total:
            # map_tasks runs serially here, so raising stops before the next replication.
            raise RunCancelled(f"cancelled after {done} of {total} replications")

    if stop is not None and stop.is_set():
        raise RunCancelled(f"cancelled after 0 of {replications} replications")
    results = run_replications(scenario, replications, seed, progress=step)
    return summarize(scenario, results, required(scenario) if required else None)
