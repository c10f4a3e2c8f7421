"""Customers who try again: draws the engine needs during a run, one attempt at a time.

A live contact that abandons, balks or is blocked (every line busy, or its stream out in an
outage) retries with the channel's ``retrial.probability``, after a delay drawn from
``retrial.after``, with a fresh patience (the stream's, times its factor for the local hour
of the new attempt) and a fresh balking draw. Whether and when cannot be drawn in bulk
beforehand (the number of attempts depends on the run), so each stream has seeded
generators of its own, drawn in blocks: the same seed gives the same run. Must not import
SimPy.
"""

from __future__ import annotations

import bisect
import math

import numpy as np

from scenarios.calendar import horizon_cells
from scenarios.schema import Scenario
from sim.demand import CELL_MINUTES, block_draws, draw_durations, outage_windows, stream_seed


class _StreamRetrials:
    """Retrial draws of one stream."""

    __slots__ = (
        "balk",
        "balk_probability",
        "delay",
        "max_attempts",
        "outage_ends",
        "outage_starts",
        "patience",
        "patience_factor",
        "probability",
        "retry",
    )

    def __init__(self, scenario: Scenario, index: int, seed: int, replication: int) -> None:
        stream = scenario.demand.streams[index]
        live = scenario.is_live(stream.channel)
        spec = scenario.channel(stream.channel)
        retrial = spec.retrial if live else None
        self.probability = retrial.probability if retrial is not None else 0.0
        self.max_attempts = (retrial.max_attempts if retrial else None) or math.inf
        self.balk_probability = spec.balk_probability if live else 0.0

        def rng(purpose: str) -> np.random.Generator:
            return np.random.default_rng(stream_seed(seed, replication, stream.name, purpose))

        self.retry = block_draws(rng("retry").random)
        self.balk = block_draws(rng("retry-balking").random)
        after = retrial.after if retrial is not None else None
        delays = rng("retry-delay")
        self.delay = block_draws(
            (lambda size: draw_durations(delays, after, size, "exponential"))
            if after is not None
            else (lambda size: np.full(size, math.inf))
        )
        patience_dist = scenario.patience_for(stream)
        patiences = rng("retry-patience")
        self.patience = block_draws(
            (lambda size: draw_durations(patiences, patience_dist, size, "exponential"))
            if patience_dist is not None
            else (lambda size: np.full(size, math.inf))
        )
        self.patience_factor: list[float] | None = None
        if patience_dist is not None and patience_dist.by_hour is not None:
            hours = np.asarray(horizon_cells(scenario, stream.region, CELL_MINUTES).hour)
            self.patience_factor = np.asarray(patience_dist.by_hour)[hours].tolist()
        windows = outage_windows(scenario, stream)
        self.outage_starts = [lo for lo, _ in windows]
        self.outage_ends = [hi for _, hi in windows]


class Retrials:
    """Per-stream retrial draws of one replication (see the module docstring)."""

    def __init__(self, scenario: Scenario, seed: int, replication: int) -> None:
        self._streams = [
            _StreamRetrials(scenario, s, seed, replication)
            for s in range(len(scenario.demand.streams))
        ]
        self._names = [stream.name for stream in scenario.demand.streams]
        self._seed = (seed, replication)

    def first_attempts(self, stream: np.ndarray) -> np.ndarray:
        """Per ticket (``stream`` its stream index): whether its customer would try again if
        the first attempt failed. Drawn in bulk, each stream from a seed of its own."""
        out = np.zeros(len(stream), dtype=bool)
        for s, spec in enumerate(self._streams):
            if spec.probability <= 0 or spec.max_attempts < 2:
                continue
            mine = np.flatnonzero(stream == s)
            seq = stream_seed(*self._seed, self._names[s], "retry-first")
            out[mine] = np.random.default_rng(seq).random(len(mine)) < spec.probability
        return out

    def retries(self, stream: int, attempts: int) -> bool:
        """Whether a customer of ``stream`` whose attempt number ``attempts`` (2 or more;
        the first's are drawn by :meth:`first_attempts`) failed tries again."""
        s = self._streams[stream]
        if s.probability <= 0 or attempts >= s.max_attempts:
            return False
        return s.retry() < s.probability

    def delay(self, stream: int) -> float:
        """Minutes until the next attempt."""
        return float(self._streams[stream].delay())

    def patience(self, stream: int, now: float) -> float:
        """A fresh patience (minutes) for an attempt starting at ``now``."""
        s = self._streams[stream]
        value = float(s.patience())
        if s.patience_factor is not None:
            cell = min(int(now // CELL_MINUTES), len(s.patience_factor) - 1)
            value *= s.patience_factor[cell]
        return value

    def balks(self, stream: int) -> bool:
        """Whether the new attempt leaves at once if it must wait."""
        s = self._streams[stream]
        return s.balk_probability > 0 and s.balk() < s.balk_probability

    def in_outage(self, stream: int, now: float) -> bool:
        """Whether ``stream`` is out (its contacts blocked) at ``now``."""
        s = self._streams[stream]
        k = bisect.bisect_right(s.outage_starts, now) - 1
        return k >= 0 and now < s.outage_ends[k]
