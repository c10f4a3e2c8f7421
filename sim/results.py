"""What one replication leaves behind: the raw logs of the engine, and the warm-up crop.

:class:`SimResult` holds flat NumPy arrays (one element per ticket, touch, failed attempt
or interval sample); ``sim.metrics`` and ``sim.workforce`` build tables from them. A run
with ``horizon.warmup_days`` is simulated from that many days before ``horizon.start``;
:func:`crop_warmup` then drops everything of the warm-up days, so that every KPI covers the
horizon only while queues and backlogs at its start are those of a running centre. Must
not import SimPy.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from sim.agents import Staffing
from sim.demand import Tickets
from sim.routing import Queue

OUTCOME_OPEN, OUTCOME_HANDLED, OUTCOME_ABANDONED, OUTCOME_DEFLECTED = 0, 1, 2, 3
OUTCOME_BALKED, OUTCOME_BLOCKED = 4, 5
"""A ticket's final outcome. Balked: left at once rather than wait; blocked: found every
line busy or its stream out. A customer who retries takes the outcome of the last attempt."""
OUTCOME_NAMES = ("open", "handled", "abandoned", "deflected", "balked", "blocked")
"""Names of the outcomes, by code."""

TOUCH_FIRST, TOUCH_ESCALATION, TOUCH_FOLLOW_UP = 0, 1, 2
"""Kinds of touch: a ticket's first (its first response), a tier-2 one after escalation, and
a later one (a customer's reply, a reopen)."""

ATTEMPT_ABANDONED, ATTEMPT_BALKED, ATTEMPT_BLOCKED, ATTEMPT_OUTAGE = 0, 1, 2, 3
"""How a failed attempt ended: abandoned at its patience, balked, blocked by busy lines, or
blocked because its stream was out."""
ATTEMPT_NAMES = ("abandoned", "balked", "blocked", "outage")


def _empty(dtype: type | str) -> np.ndarray:
    return np.zeros(0, dtype=dtype)


@dataclass(frozen=True, slots=True)
class LoadTrace:
    """Each agent's load as the engine held it after every touch start and end.

    Recorded only when asked for (``simulate(..., trace=True)``), for checks that must see
    every event rather than interval samples: ``load`` and ``capacity`` are in the engine's
    units (a chat takes ``capacity / concurrency`` units, other work all of them),
    ``available`` says whether the agent was on shift and not on a break, and ``start``
    whether the record follows a touch start (else a touch end).
    """

    time: np.ndarray
    agent: np.ndarray
    load: np.ndarray
    capacity: np.ndarray
    available: np.ndarray
    start: np.ndarray


@dataclass(slots=True)
class SimResult:
    """Raw logs of one replication (see ``sim.metrics`` for the tables built from them).

    Per ticket: queue, first response, first agent, resolution, outcome, ``attempts`` (1
    unless the customer retried) and ``attempt_arrival`` (start of its last attempt; the
    answered one for a ticket answered). Per touch: ticket, agent, queue, kind, start, end,
    units (share of the agent). Per failed attempt (``failed_*``): ticket, start, end and
    how it ended (``ATTEMPT_*``). Per interval: backlog per queue, agents on shift, busy.
    Times are minutes since the horizon origin.
    """

    seed: int
    replication: int
    tickets: Tickets
    staffing: Staffing
    queues: list[Queue]
    ticket_queue: np.ndarray
    first_response: np.ndarray
    first_agent: np.ndarray
    resolved: np.ndarray
    outcome: np.ndarray
    touch_ticket: np.ndarray
    touch_agent: np.ndarray
    touch_queue: np.ndarray
    touch_kind: np.ndarray
    touch_start: np.ndarray
    touch_end: np.ndarray
    touch_units: np.ndarray
    sample_time: np.ndarray
    sample_backlog: np.ndarray
    sample_on_shift: np.ndarray
    sample_busy: np.ndarray
    horizon_minutes: float
    capacity: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    attempts: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    attempt_arrival: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    failed_ticket: np.ndarray = field(default_factory=lambda: _empty(np.int32))
    failed_start: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    failed_end: np.ndarray = field(default_factory=lambda: _empty(np.float64))
    failed_kind: np.ndarray = field(default_factory=lambda: _empty(np.int8))
    load_trace: LoadTrace | None = None


def crop_warmup(result: SimResult, warmup_minutes: float, keep_dates: set[object]) -> SimResult:
    """The replication without its warm-up: times moved so the horizon starts at 0.

    Tickets that arrived in the warm-up are dropped (their touches after the start stay in
    the touch log, with ticket -1, so agents' busy time is whole; a touch running across the
    start counts from it). Shifts are kept on ``keep_dates`` (the local dates a run without
    warm-up would have) when they end after the start; interval samples from the start.
    """
    w = float(warmup_minutes)
    t = result.tickets
    keep = t.arrival >= w
    new_index = np.full(len(t), -1, dtype=np.int64)
    new_index[keep] = np.arange(int(keep.sum()))

    def per_ticket(values: np.ndarray | None) -> np.ndarray | None:
        return None if values is None else values[keep]

    tickets = replace(
        t,
        arrival=t.arrival[keep] - w,
        stream=t.stream[keep],
        priority=t.priority[keep],
        deflected=t.deflected[keep],
        patience=t.patience[keep],
        handle=t.handle[keep],
        escalate=t.escalate[keep],
        escalation_handle=t.escalation_handle[keep],
        reopen=t.reopen[keep],
        n_extra=t.n_extra[keep],
        extra_start=t.extra_start[keep],
        segment=per_ticket(t.segment),
        balks=per_ticket(t.balks),
        outage=per_ticket(t.outage),
    )
    touch = result.touch_end > w
    failed = keep[result.failed_ticket] if len(result.failed_ticket) else np.zeros(0, bool)
    shifts = result.staffing.shifts
    shift_kept = pd.Index(shifts["date"]).isin(list(keep_dates)) & (shifts["end"] > w).to_numpy()
    moved = shifts[shift_kept].copy()
    for column in ("start", "end", "break_start", "break_end"):
        moved[column] = moved[column] - w
    staffing = Staffing(agents=result.staffing.agents, shifts=moved.reset_index(drop=True))
    sample = result.sample_time >= w - 1e-9
    return replace(
        result,
        tickets=tickets,
        staffing=staffing,
        ticket_queue=result.ticket_queue[keep],
        first_response=result.first_response[keep] - w,
        first_agent=result.first_agent[keep],
        resolved=result.resolved[keep] - w,
        outcome=result.outcome[keep],
        touch_ticket=new_index[result.touch_ticket[touch]].astype(np.int32),
        touch_agent=result.touch_agent[touch],
        touch_queue=result.touch_queue[touch],
        touch_kind=result.touch_kind[touch],
        touch_start=np.maximum(result.touch_start[touch], w) - w,
        touch_end=result.touch_end[touch] - w,
        touch_units=result.touch_units[touch],
        sample_time=result.sample_time[sample] - w,
        sample_backlog=result.sample_backlog[sample],
        sample_on_shift=result.sample_on_shift[sample],
        sample_busy=result.sample_busy[sample],
        horizon_minutes=result.horizon_minutes - w,
        attempts=result.attempts[keep] if len(result.attempts) else result.attempts,
        attempt_arrival=result.attempt_arrival[keep] - w
        if len(result.attempt_arrival)
        else result.attempt_arrival,
        failed_ticket=new_index[result.failed_ticket[failed]].astype(np.int32),
        failed_start=result.failed_start[failed] - w,
        failed_end=result.failed_end[failed] - w,
        failed_kind=result.failed_kind[failed],
        load_trace=None,
    )
