"""Attempts that fail, and customers who try again (part of the engine).

A live contact may be blocked (every line of its channel held, or its stream out in an
outage), balk (leave at once rather than wait), or abandon at its patience. Abandonment is
lazy: a waiting ticket whose deadline has passed is dropped when it reaches the head of its
queue, or when every line is held (its line was free from its deadline), and is recorded
at its deadline. A customer who tries again does so after a delay, as a new attempt with a
fresh patience; for a waiting ticket the retrial is set when it starts to wait, at its
deadline plus the delay, and is dropped if the ticket is answered by then. Pending
retrials wait in a heap with one SimPy timeout for the earliest.

:class:`Attempts` is mixed into the engine (``sim.engine``); the attributes it declares
are the engine's.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from scenarios.schema import Scenario
from sim.customers import Retrials
from sim.demand import Tickets
from sim.results import (
    ATTEMPT_ABANDONED,
    ATTEMPT_BALKED,
    ATTEMPT_BLOCKED,
    ATTEMPT_OUTAGE,
    OUTCOME_ABANDONED,
    OUTCOME_BALKED,
    OUTCOME_BLOCKED,
    OUTCOME_OPEN,
    TOUCH_FIRST,
)
from sim.routing import Queue

INF = math.inf
_FAILED_OUTCOME = {
    ATTEMPT_ABANDONED: OUTCOME_ABANDONED,
    ATTEMPT_BALKED: OUTCOME_BALKED,
    ATTEMPT_BLOCKED: OUTCOME_BLOCKED,
    ATTEMPT_OUTAGE: OUTCOME_BLOCKED,
}

_NUMPY_TYPE = {"d": np.float64, "i": np.int32, "b": np.int8, "q": np.int64}


def packed(code: str, values: np.ndarray) -> array[Any]:
    """A compact ``array.array`` copy of a NumPy array (fast scalar access in the loop)."""
    out = array(code)
    out.frombytes(np.ascontiguousarray(values, dtype=_NUMPY_TYPE[code]).tobytes())
    return out


def needs_retrials(scenario: Scenario) -> bool:
    """Whether some stream's channel has retrials (the run then draws them as it goes)."""
    return any(
        scenario.is_live(s.channel) and scenario.channel(s.channel).retrial is not None
        for s in scenario.demand.streams
    )


def delay_to(now: float, target: float) -> float:
    """A delay that brings a clock at ``now`` to exactly ``target`` (floats round: the plain
    difference can miss by a unit in the last place)."""
    delay = target - now
    for _ in range(64):
        if now + delay < target:
            delay = math.nextafter(delay, INF)
        elif now + delay > target and delay > 0:
            delay = math.nextafter(delay, -INF)
        else:
            break
    return max(delay, 0.0)


class Attempts:
    """Admission, failed attempts and retrials (see the module docstring)."""

    # The engine's state this part reads and writes.
    env: simpy.Environment
    queues: list[Queue]
    queue: list[deque[int]]
    groups_for: list[list[tuple[int, float]]]
    waiting: list[int]
    q_abandons: list[bool]
    q_fallback: list[bool]
    arr_times: array[Any]
    ticket_queue_l: array[Any]
    deadline: array[Any]
    first_response: array[Any]
    resolved: array[Any]
    outcome: array[Any]
    f_ticket: array[Any]
    f_start: array[Any]
    f_end: array[Any]
    f_kind: array[Any]
    closed: bool
    _retry_cb: Callable[[Any], None]
    _enqueue: Callable[[int, int, float, int], None]

    def _init_attempts(self, scenario: Scenario, tickets: Tickets, seed: int, rep: int) -> None:
        """Lines, balking, outages and retrials of live channels."""
        n = len(tickets)
        names = scenario.channel_names()
        lines = [scenario.channel(ch).lines if scenario.is_live(ch) else None for ch in names]
        self.lines_free = [x if x is not None else 0 for x in lines]
        self.q_line = [
            names.index(q.channel) if lines[names.index(q.channel)] is not None else -1
            for q in self.queues
        ]
        self.lines_on = any(c >= 0 for c in self.q_line)
        self.holds_line = array("b", bytes(n)) if self.lines_on else array("b")
        self.retrials = Retrials(scenario, seed, rep) if needs_retrials(scenario) else None
        self.q_balk = [
            live and scenario.channel(q.channel).balk_probability > 0
            for q, live in zip(self.queues, self.q_abandons, strict=True)
        ]
        retrying = {
            ch for ch in names if scenario.is_live(ch) and scenario.channel(ch).retrial is not None
        }
        self.q_retry = [
            live and q.channel in retrying
            for q, live in zip(self.queues, self.q_abandons, strict=True)
        ]
        self.channel_queues = [
            [q for q, c in enumerate(self.q_line) if c == ch] for ch in range(len(names))
        ]
        self.balks = (
            packed("b", tickets.balks)
            if tickets.balks is not None and any(self.q_balk)
            else array("b", bytes(n))
        )
        outage = tickets.outage if tickets.outage is not None else np.zeros(n, bool)
        self.outage = packed("b", outage)
        self.admission = self.lines_on or bool(outage.any())
        self.stream_l = packed("i", tickets.stream)
        # Everything _enqueue needs about a queue, in one tuple.
        self.q_info = [
            (self.q_abandons[q], self.q_balk[q], self.q_fallback[q], self.q_retry[q])
            for q in range(len(self.queues))
        ]
        if self.retrials is not None:
            self.first_retry = packed("b", self.retrials.first_attempts(tickets.stream))
            self.attempts = array("i", [1]) * n
            self.attempt_arrival = array("d", self.arr_times)
        else:
            self.attempts = array("i")
            self.attempt_arrival = self.arr_times
        self.n_retrials = 0
        self.retry_heap: list[tuple[float, int, int]] = []
        self.retry_clock = INF

    def _admit(self, i: int, q: int, now: float, out: bool) -> bool:
        """A new attempt gets through: its stream is not out and its channel has a free line."""
        if out:
            self._fail(i, now, ATTEMPT_OUTAGE)
            return False
        c = self.q_line[q]
        if c >= 0:
            if self.lines_free[c] <= 0:
                self._purge_expired(c, now)
            if self.lines_free[c] <= 0:
                self._fail(i, now, ATTEMPT_BLOCKED)
                return False
            self.lines_free[c] -= 1
            self.holds_line[i] = 1
        return True

    def _release_line(self, i: int) -> None:
        self.holds_line[i] = 0
        self.lines_free[self.q_line[self.ticket_queue_l[i]]] += 1

    def _abandon(self, i: int) -> None:
        """Ticket i left its queue at its patience deadline."""
        t = self.deadline[i]
        self.outcome[i] = OUTCOME_ABANDONED
        self.resolved[i] = t
        self._after_failure(i, t, ATTEMPT_ABANDONED)

    def _fail(self, i: int, now: float, kind: int) -> None:
        """Attempt of ticket i balked or was blocked now."""
        self.outcome[i] = _FAILED_OUTCOME[kind]
        self.resolved[i] = now
        self._after_failure(i, now, kind)

    def _after_failure(self, i: int, t: float, kind: int) -> None:
        """Log a failed attempt, free its line, and maybe send the customer to try again."""
        self.f_ticket.append(i)
        self.f_start.append(self.attempt_arrival[i])
        self.f_end.append(t)
        self.f_kind.append(kind)
        if self.lines_on and self.holds_line[i]:
            self._release_line(i)
        retrials = self.retrials
        # An abandoning customer's retrial was decided when it started to wait.
        if retrials is None or self.closed or kind == ATTEMPT_ABANDONED:
            return
        s = self.stream_l[i]
        if self._would_retry(i):
            self._retry_at(t + retrials.delay(s), i)

    def _retry_if_abandoned(self, i: int, now: float) -> None:
        """A live ticket starts to wait: if its customer would try again after abandoning,
        schedule the next attempt for its patience deadline plus the delay (it is dropped if
        the ticket is answered by then). Abandonment itself stays lazy."""
        if self._would_retry(i):
            assert self.retrials is not None
            self._retry_at(self.deadline[i] + self.retrials.delay(self.stream_l[i]), i)

    def _would_retry(self, i: int) -> bool:
        """Whether ticket i's customer tries again if its current attempt fails."""
        attempts = self.attempts[i]
        if attempts == 1:
            return bool(self.first_retry[i])
        assert self.retrials is not None
        return self.retrials.retries(self.stream_l[i], attempts)

    def _purge_expired(self, c: int, now: float) -> None:
        """Every line of channel c is held: drop the waiting tickets of its queues whose
        patience ran out (their lines were free from their deadlines)."""
        deadline = self.deadline
        for q in self.channel_queues[c]:
            dq = self.queue[q]
            if not any(deadline[i] <= now for i in dq):
                continue
            kept = [i for i in dq if deadline[i] > now]
            gone = [i for i in dq if deadline[i] <= now]
            dq.clear()
            dq.extend(kept)
            for g, _wait in self.groups_for[q]:
                self.waiting[g] -= len(gone)
            for i in gone:
                self._abandon(i)

    def _retry_at(self, t: float, i: int) -> None:
        """Ticket i's customer tries again at t (if it has not been answered by then).

        Pending retrials wait in a heap of the engine's own with one SimPy timeout, at the
        earliest, instead of a timeout each: most are dropped (the customer was answered
        before its patience ran out) and cost a push and a pop only.
        """
        heapq.heappush(self.retry_heap, (t, i, self.attempts[i]))
        if t < self.retry_clock:
            self.retry_clock = t
            ev = Timeout(self.env, delay_to(self.env.now, t), t)
            ev.callbacks.append(self._retry_cb)

    def _retries_due(self, ev: Timeout) -> None:
        """The retrial clock: every pending retrial due now happens; then the clock is set
        for the next one (unless an earlier clock is already set for it)."""
        if ev._value != self.retry_clock:
            return  # superseded by an earlier clock, which has set the next one
        now = self.env.now
        heap = self.retry_heap
        while heap and heap[0][0] <= now:
            _t, i, attempt = heapq.heappop(heap)
            self._retry(i, attempt, now)
        self.retry_clock = INF
        # Retrials of customers answered meanwhile will not happen: no clock for them.
        first_response, attempts = self.first_response, self.attempts
        while heap and (
            first_response[heap[0][1]] == first_response[heap[0][1]]
            or attempts[heap[0][1]] != heap[0][2]
        ):
            heapq.heappop(heap)
        if heap:
            t = heap[0][0]
            self.retry_clock = t
            clock = Timeout(self.env, delay_to(now, t), t)
            clock.callbacks.append(self._retry_cb)

    def _retry(self, i: int, attempt: int, now: float) -> None:
        """A customer tries again: a new attempt with a fresh patience."""
        if self.closed:
            return
        if self.attempts[i] != attempt or self.first_response[i] == self.first_response[i]:
            return  # answered before its patience ran out
        retrials = self.retrials
        assert retrials is not None
        if self.outcome[i] == OUTCOME_OPEN:
            # Abandoned at its deadline and still in its queue (abandonment is lazy).
            q = self.ticket_queue_l[i]
            self.queue[q].remove(i)
            for g, _wait in self.groups_for[q]:
                self.waiting[g] -= 1
            self._abandon(i)
        s = self.stream_l[i]
        self.attempts[i] += 1
        self.attempt_arrival[i] = now
        self.n_retrials += 1
        self.outcome[i] = OUTCOME_OPEN
        self.resolved[i] = math.nan
        self.deadline[i] = now + retrials.patience(s, now)
        self.balks[i] = retrials.balks(s)
        q = self.ticket_queue_l[i]
        if self._admit(i, q, now, retrials.in_outage(s, now)):
            self._enqueue(i, q, now, TOUCH_FIRST)
