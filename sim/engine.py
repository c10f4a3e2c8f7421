"""The event engine: tickets meet agents in a SimPy environment.

Steps of one replication:

1. Tickets (``sim.demand``) and agents' availability windows (``sim.agents``) are drawn in
   bulk beforehand; two callback chains feed them into the SimPy clock in time order.
2. An arriving ticket goes to the longest-idle agent who has its language and channel (chat
   also to an agent with a free chat slot, fewest chats first); otherwise it waits in its
   queue (language, channel, priority, tier).
3. An agent who becomes free takes the waiting ticket with the highest priority, then the
   longest wait, among the queues it serves; a language fallback lets it take another
   language's ticket once that ticket has waited long enough.
4. Phone and chat tickets abandon at their patience. Abandonment is applied lazily: a
   ticket whose patience ran out is dropped when it reaches the head of its queue and is
   recorded as abandoned at its patience deadline (exact for first-come-first-served).
5. A touch ends after its drawn handle time; the ticket then escalates to tier 2, comes
   back for its next touch after a customer reply gap (email, reopen), or is resolved.
6. An agent whose window closes mid-touch finishes the touch (overtime).

The hot loop records into ``array.array`` columns; DataFrames are built afterwards in
``sim.metrics``. No printing and no files here.
"""

from __future__ import annotations

import math
from array import array
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import simpy
from simpy.events import NORMAL, Timeout

from scenarios.calendar import horizon_minutes
from scenarios.schema import PRIORITY_RANK, Scenario
from sim.agents import Staffing, availability_events, build_staffing
from sim.demand import PRIORITIES, Tickets, generate_tickets

OUTCOME_OPEN, OUTCOME_HANDLED, OUTCOME_ABANDONED, OUTCOME_DEFLECTED = 0, 1, 2, 3
TOUCH_FIRST, TOUCH_ESCALATION, TOUCH_FOLLOW_UP = 0, 1, 2
INF = math.inf


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue of tickets: one language, channel, priority and tier."""

    language: str
    channel: str
    priority: str
    tier: int


@dataclass(slots=True)
class SimResult:
    """Raw logs of one replication (see ``sim.metrics`` for the tables built from them)."""

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
    capacity: np.ndarray = field(default_factory=lambda: np.zeros(0))
    load_trace: LoadTrace | None = None


@dataclass(frozen=True, slots=True)
class LoadTrace:
    """Each agent's load as the engine held it after every touch start and end.

    Recorded only when asked for (``simulate(..., trace=True)``), for checks that must see
    every event rather than interval samples: ``load`` and ``capacity`` are in the engine's
    units (a chat takes one unit of ``capacity`` slots, other work all of them),
    ``available`` says whether the agent was on shift and not on a break, and ``start``
    whether the record follows a touch start (else a touch end).
    """

    time: np.ndarray
    agent: np.ndarray
    load: np.ndarray
    capacity: np.ndarray
    available: np.ndarray
    start: np.ndarray


_NUMPY_TYPE = {"d": np.float64, "i": np.int32, "b": np.int8, "q": np.int64}


def _packed(code: str, values: np.ndarray) -> array[Any]:
    """A compact ``array.array`` copy of a NumPy array (fast scalar access in the loop)."""
    out = array(code)
    out.frombytes(np.ascontiguousarray(values, dtype=_NUMPY_TYPE[code]).tobytes())
    return out


def build_queues(scenario: Scenario) -> tuple[list[Queue], dict[tuple[int, int, int], int]]:
    """Every queue the scenario can fill, and the map (stream, priority, tier) -> queue."""
    queues: list[Queue] = []
    index: dict[Queue, int] = {}
    by_stream: dict[tuple[int, int, int], int] = {}
    tiers = [1]
    if scenario.escalation is not None:
        tiers.append(scenario.escalation.to_tier)
    for s_i, stream in enumerate(scenario.demand.streams):
        for p_i, priority in enumerate(PRIORITIES):
            if priority not in stream.priority_mix:
                continue
            for tier in tiers:
                q = Queue(stream.language, stream.channel, priority, tier)
                if q not in index:
                    index[q] = len(queues)
                    queues.append(q)
                by_stream[(s_i, p_i, tier)] = index[q]
    return queues, by_stream


class _Engine:
    """State and callbacks of one replication (see the module docstring for the steps)."""

    def __init__(self, scenario: Scenario, tickets: Tickets, staffing: Staffing) -> None:
        self.env = simpy.Environment()
        self.end = horizon_minutes(scenario)
        self.tickets = tickets
        queues, by_stream = build_queues(scenario)
        self.queues = queues
        n_q = len(queues)
        self.q_chat = [q.channel == "chat" for q in queues]
        order = scenario.routing.channel_priority
        # Rank = channel rank (when the scenario orders channels), then ticket priority.
        self.q_rank = [
            (order.index(q.channel) if q.channel in order else len(order)) * 10
            + PRIORITY_RANK[q.priority]
            if order
            else PRIORITY_RANK[q.priority]
            for q in queues
        ]
        n = len(tickets)
        streams = tickets.stream.astype(np.int64)
        prios = tickets.priority.astype(np.int64)
        lut = np.full((len(scenario.demand.streams), len(PRIORITIES), 2), -1, dtype=np.int64)
        for (s_i, p_i, tier), q in by_stream.items():
            lut[s_i, p_i, 0 if tier == 1 else 1] = q
        self.ticket_queue = lut[streams, prios, 0] if n else np.zeros(0, np.int64)
        self.escalation_queue = lut[streams, prios, 1] if n else np.zeros(0, np.int64)

        # Teams are the skill groups: every agent of a team has the same skills.
        teams = scenario.teams
        fallback = scenario.routing.language_fallback
        serve: list[list[tuple[int, float]]] = []
        groups_for: list[list[tuple[int, float]]] = [[] for _ in range(n_q)]
        for g, team in enumerate(teams):
            entries: list[tuple[int, float]] = []
            for q_i, queue in enumerate(queues):
                if queue.channel not in team.channels or queue.tier != team.tier:
                    continue
                if queue.language in team.languages:
                    entries.append((q_i, 0.0))
                    continue
                waits = [
                    f.after
                    for f in fallback
                    if f.from_language == queue.language and (f.to in team.languages)
                ]
                if waits:
                    entries.append((q_i, min(waits)))
            entries.sort(key=lambda e: self.q_rank[e[0]])
            serve.append(entries)
            for q_i, wait in entries:
                groups_for[q_i].append((g, wait))
        self.serve = serve
        self.groups_for = groups_for
        self.q_fallback = [any(w > 0 for _, w in groups_for[q]) for q in range(n_q)]
        self.q_fallback_wait = [
            min((w for _, w in groups_for[q] if w > 0), default=0.0) for q in range(n_q)
        ]
        self.q_abandons = [q.channel in ("phone", "chat") for q in queues]

        chat_conc = scenario.channel("chat").concurrency
        team_capacity = [t.chat_concurrency or chat_conc for t in teams]
        agent_team = staffing.agents["team_index"].to_numpy(np.int64)
        n_a = len(agent_team)
        self.agent_team = agent_team.tolist()
        self.capacity = [team_capacity[g] for g in self.agent_team]
        self.level = [0] * n_a
        self.load = [0] * n_a
        self.token = [0] * n_a
        self.idle: list[deque[tuple[int, int, float]]] = [deque() for _ in teams]
        self.partial: list[set[int]] = [set() for _ in teams]
        self.queue: list[deque[int]] = [deque() for _ in range(n_q)]
        # Per team, everything the pick loop needs about each queue, in one tuple.
        self.serve_queues = [
            [(q, wait, self.queue[q], self.q_rank[q], self.q_chat[q]) for q, wait in entries]
            for entries in serve
        ]

        # Per-ticket state.
        self.arrival = tickets.arrival
        self.deadline = _packed("d", tickets.arrival + tickets.patience)
        self.enq = array("d", bytes(8 * n))
        self.cur_handle = _packed("d", tickets.handle)
        self.next_extra = array("i", bytes(4 * n))
        self.escalated = array("b", bytes(n))
        self.first_response = array("d", [math.nan]) * n
        self.first_agent = array("i", [-1]) * n
        self.resolved = array("d", [math.nan]) * n
        self.outcome = array("b", bytes(n))
        self.touch_kind_now = array("b", bytes(n))
        # Touch log.
        self.t_ticket = array("i")
        self.t_agent = array("i")
        self.t_queue = array("i")
        self.t_kind = array("b")
        self.t_start = array("d")
        self.t_end = array("d")
        self.t_units = array("d")
        # Interval samples.
        self.interval = float(scenario.horizon.interval_minutes)
        self.s_time = array("d")
        self.s_backlog = array("i")
        self.s_on = array("i")
        self.s_busy = array("i")

        self._finish_cb = self._finish
        self._arrive_cb = self._arrive
        self._avail_cb = self._availability
        self._return_cb = self._follow_up_returns
        self._fallback_cb = self._fallback_due
        self._sample_cb = self._sample
        self.av_time, self.av_agent, self.av_kind = (
            a.tolist() for a in availability_events(staffing)
        )
        self.av_pos = 0
        self.arr_pos = 0
        self.arr_times = _packed("d", tickets.arrival)
        self.deflected = _packed("b", tickets.deflected)
        self.ticket_queue_l = _packed("i", self.ticket_queue)
        self.escalate = _packed("b", tickets.escalate & (self.escalation_queue >= 0))
        self.escalation_handle = _packed("d", tickets.escalation_handle)
        self.escalation_queue_l = _packed("i", self.escalation_queue)
        self.n_extra = _packed("i", tickets.n_extra)
        self.extra_start = _packed("q", tickets.extra_start)
        self.extra_handle = _packed("d", tickets.extra_handle)
        self.extra_gap = _packed("d", tickets.extra_gap)
        # Waiting tickets (abandoned ones included until purged) per team's queues, so an
        # agent whose queues are all empty goes idle without scanning them.
        self.waiting = [0] * len(teams)

    # ------------------------------------------------------------------ scheduling

    def _at(self, time: float, callback: Callable[[Any], None], value: object = None) -> None:
        ev = Timeout(self.env, max(0.0, time - self.env.now), value)
        ev.callbacks.append(callback)

    def run(self) -> None:
        if self.arr_times:
            self._at(self.arr_times[0], self._arrive_cb)
        if self.av_time:
            self._at(self.av_time[0], self._avail_cb)
        self._at(0.0, self._sample_cb)
        self.env.run(until=self.end)
        self._close()

    # ------------------------------------------------------------------ arrivals

    def _arrive(self, _ev: object) -> None:
        """Arrival chain: admit every ticket due now, then schedule the next one."""
        now = self.env.now
        times = self.arr_times
        pos = self.arr_pos
        n = len(times)
        while pos < n and times[pos] <= now:
            i = pos
            pos += 1
            if self.deflected[i]:
                self.outcome[i] = OUTCOME_DEFLECTED
                continue
            self._enqueue(i, self.ticket_queue_l[i], now, TOUCH_FIRST)
        self.arr_pos = pos
        if pos < n:
            ev = Timeout(self.env, times[pos] - now)
            ev.callbacks.append(self._arrive_cb)

    def _enqueue(self, i: int, q: int, now: float, kind: int) -> None:
        """Offer touch `kind` of ticket i to an agent now, or put it in queue q."""
        self.enq[i] = now
        self.touch_kind_now[i] = kind
        if kind != TOUCH_FIRST or not self.q_abandons[q]:
            self.deadline[i] = INF
        dq = self.queue[q]
        if not dq:
            agent = self._find_agent(q)
            if agent >= 0:
                self._start(agent, i, q, now)
                return
        dq.append(i)
        waiting = self.waiting
        for g, _wait in self.groups_for[q]:
            waiting[g] += 1
        if self.q_fallback[q]:
            self._at(now + self.q_fallback_wait[q], self._fallback_cb, q)

    def _find_agent(self, q: int) -> int:
        """The longest-idle available agent for queue q (chat: else the least loaded)."""
        best = -1
        best_since = INF
        token = self.token
        for g, wait in self.groups_for[q]:
            if wait > 0:
                continue
            dq = self.idle[g]
            while dq:
                agent, tok, since = dq[0]
                if tok != token[agent]:
                    dq.popleft()
                    continue
                if since < best_since:
                    best, best_since = agent, since
                break
        if best < 0 and self.q_chat[q]:
            best_load = 1 << 30
            for g, wait in self.groups_for[q]:
                if wait > 0:
                    continue
                for agent in self.partial[g]:
                    if self.load[agent] < best_load:
                        best, best_load = agent, self.load[agent]
        return best

    # ------------------------------------------------------------------ service

    def _start(self, agent: int, i: int, q: int, now: float) -> None:
        """Agent starts a touch of ticket i: record first response, hold the agent."""
        if self.touch_kind_now[i] == TOUCH_FIRST:
            self.first_response[i] = now
            self.first_agent[i] = agent
        cap = self.capacity[agent]
        units = 1 if self.q_chat[q] else cap
        load = self.load[agent] + units
        self.load[agent] = load
        self.token[agent] += 1
        g = self.agent_team[agent]
        if self.q_chat[q] and load < cap:
            self.partial[g].add(agent)
        else:
            self.partial[g].discard(agent)
        handle = self.cur_handle[i]
        ev = Timeout(self.env, handle, (agent, i, q, units, now))
        ev.callbacks.append(self._finish_cb)

    def _finish(self, ev: Timeout) -> None:
        """A touch ends: log it, move the ticket on, let the agent take new work."""
        agent, i, q, units, started = ev._value
        now = self.env.now
        cap = self.capacity[agent]
        self.t_ticket.append(i)
        self.t_agent.append(agent)
        self.t_queue.append(q)
        self.t_kind.append(self.touch_kind_now[i])
        self.t_start.append(started)
        self.t_end.append(now)
        self.t_units.append(units / cap)
        self.load[agent] -= units
        self._advance(i, now)
        self._agent_free(agent, now)

    def _advance(self, i: int, now: float) -> None:
        """Next step of ticket i after a touch: escalation, follow-up, or resolution."""
        if self.escalate[i] and not self.escalated[i] and self.touch_kind_now[i] == TOUCH_FIRST:
            self.escalated[i] = 1
            self.cur_handle[i] = self.escalation_handle[i]
            self._enqueue(i, self.escalation_queue_l[i], now, TOUCH_ESCALATION)
            return
        k = self.next_extra[i]
        if k < self.n_extra[i]:
            idx = self.extra_start[i] + k
            self.next_extra[i] = k + 1
            self.cur_handle[i] = self.extra_handle[idx]
            ev = Timeout(self.env, self.extra_gap[idx], i)
            ev.callbacks.append(self._return_cb)
            return
        self.resolved[i] = now
        self.outcome[i] = OUTCOME_HANDLED

    def _follow_up_returns(self, ev: Timeout) -> None:
        i = ev._value
        self._enqueue(i, self.ticket_queue_l[i], self.env.now, TOUCH_FOLLOW_UP)

    def _agent_free(self, agent: int, now: float) -> None:
        """An agent with spare capacity takes waiting work, else joins the idle line."""
        if self.level[agent] <= 0:
            return
        g = self.agent_team[agent]
        cap = self.capacity[agent]
        load = self.load[agent]
        # The load is checked before every start: an agent coming back from a break or
        # into its next shift may still hold work, and must not take more than it can.
        while load < cap and self.waiting[g]:
            q = self._best_waiting(g, load > 0, now)
            if q < 0:
                break
            i = self._pop(q)
            self._start(agent, i, q, now)
            load = self.load[agent]
        if load >= cap:
            return
        self.token[agent] += 1
        if load == 0:
            self.partial[g].discard(agent)
            self.idle[g].append((agent, self.token[agent], now))
        elif load < cap:
            self.partial[g].add(agent)

    def _best_waiting(self, g: int, chat_only: bool, now: float) -> int:
        """The queue whose head ticket comes first by priority, then by waiting time."""
        best = -1
        best_rank = 1 << 30
        best_enq = INF
        deadline = self.deadline
        enq = self.enq
        for q, wait, dq, rank, is_chat in self.serve_queues[g]:
            if not dq or (chat_only and not is_chat):
                continue
            if deadline[dq[0]] <= now:
                while dq and deadline[dq[0]] <= now:
                    self._abandon(self._pop(q))
                if not dq:
                    continue
            head_enq = enq[dq[0]]
            if wait > 0 and now - head_enq < wait:
                continue
            if rank < best_rank or (rank == best_rank and head_enq < best_enq):
                best, best_rank, best_enq = q, rank, head_enq
        return best

    def _pop(self, q: int) -> int:
        """Take the head ticket of queue q."""
        waiting = self.waiting
        for g, _wait in self.groups_for[q]:
            waiting[g] -= 1
        return self.queue[q].popleft()

    def _abandon(self, i: int) -> None:
        self.outcome[i] = OUTCOME_ABANDONED
        self.resolved[i] = self.deadline[i]

    def _fallback_due(self, ev: Timeout) -> None:
        """A queue's head may now be old enough for fallback agents: offer it to them."""
        q = ev._value
        now = self.env.now
        dq = self.queue[q]
        deadline = self.deadline
        while dq and deadline[dq[0]] <= now:
            self._abandon(self._pop(q))
        if not dq or now - self.enq[dq[0]] < self.q_fallback_wait[q] - 1e-9:
            return
        token = self.token
        for g, wait in self.groups_for[q]:
            if wait <= 0:
                continue
            idle = self.idle[g]
            while idle and dq:
                agent, tok, _since = idle[0]
                if tok != token[agent]:
                    idle.popleft()
                    continue
                self._agent_free_for(agent, now)
                break

    def _agent_free_for(self, agent: int, now: float) -> None:
        self.token[agent] += 1
        self._agent_free(agent, now)

    # ------------------------------------------------------------------ availability

    def _availability(self, _ev: object) -> None:
        """Availability chain: apply every shift/break change due now."""
        now = self.env.now
        times, who, kinds = self.av_time, self.av_agent, self.av_kind
        pos = self.av_pos
        n = len(times)
        while pos < n and times[pos] <= now:
            agent, kind = who[pos], kinds[pos]
            pos += 1
            level = self.level[agent] + kind
            self.level[agent] = level
            g = self.agent_team[agent]
            if kind > 0 and level == 1:
                self._agent_free(agent, now)
            elif kind < 0 and level == 0:
                self.token[agent] += 1
                self.partial[g].discard(agent)
        self.av_pos = pos
        if pos < n:
            ev = Timeout(self.env, times[pos] - now)
            ev.callbacks.append(self._avail_cb)

    # ------------------------------------------------------------------ sampling

    def _sample(self, _ev: object) -> None:
        """Record backlog per queue and agents on shift / busy at an interval boundary."""
        now = self.env.now
        self.s_time.append(now)
        deadline = self.deadline
        for q, dq in enumerate(self.queue):
            if self.q_abandons[q]:
                self.s_backlog.append(sum(1 for i in dq if deadline[i] > now))
            else:
                self.s_backlog.append(len(dq))
        on = sum(1 for lv in self.level if lv > 0)
        busy = sum(1 for a, ld in enumerate(self.load) if ld > 0 and self.level[a] > 0)
        self.s_on.append(on)
        self.s_busy.append(busy)
        if now + self.interval < self.end:
            ev = Timeout(self.env, self.interval, None)
            ev.callbacks.append(self._sample_cb)

    def _close(self) -> None:
        """At the horizon: waiting tickets past their patience have abandoned; others are open."""
        for dq in self.queue:
            for i in dq:
                if self.deadline[i] <= self.end:
                    self._abandon(i)


class _TracingEngine(_Engine):
    """The engine, recording every agent's load after each touch start and end."""

    def __init__(self, scenario: Scenario, tickets: Tickets, staffing: Staffing) -> None:
        super().__init__(scenario, tickets, staffing)
        self.l_time = array("d")
        self.l_agent = array("i")
        self.l_load = array("i")
        self.l_available = array("b")
        self.l_start = array("b")

    def _record(self, agent: int, start: bool) -> None:
        self.l_time.append(self.env.now)
        self.l_agent.append(agent)
        self.l_load.append(self.load[agent])
        self.l_available.append(self.level[agent] > 0)
        self.l_start.append(start)

    def _start(self, agent: int, i: int, q: int, now: float) -> None:
        super()._start(agent, i, q, now)
        self._record(agent, True)

    def _finish(self, ev: Timeout) -> None:
        agent = ev._value[0]
        super()._finish(ev)
        self._record(agent, False)

    def trace(self) -> LoadTrace:
        agent = np.frombuffer(self.l_agent, np.int32).copy() if self.l_agent else np.zeros(0, int)
        return LoadTrace(
            time=np.array(self.l_time, dtype=float),
            agent=agent,
            load=np.array(self.l_load, dtype=np.int64),
            capacity=np.array(self.capacity, dtype=np.int64)[agent],
            available=np.array(self.l_available, dtype=bool),
            start=np.array(self.l_start, dtype=bool),
        )


def run_replication(scenario: Scenario, seed: int, replication: int = 0) -> SimResult:
    """Simulate one replication; deterministic for a given scenario, seed and number."""
    tickets = generate_tickets(scenario, seed, replication)
    staffing = build_staffing(scenario, seed, replication)
    return simulate(scenario, tickets, staffing, seed, replication)


def simulate(
    scenario: Scenario,
    tickets: Tickets,
    staffing: Staffing,
    seed: int,
    replication: int = 0,
    *,
    trace: bool = False,
) -> SimResult:
    """Play given tickets against given staffing (the engine without the draws).

    With ``trace``, the result also carries the :class:`LoadTrace` of every touch start
    and end (slower; for checks).
    """
    engine = (
        _TracingEngine(scenario, tickets, staffing)
        if trace
        else _Engine(scenario, tickets, staffing)
    )
    engine.run()
    n_q = len(engine.queues)

    def arr(a: array[Any], dtype: type | str) -> np.ndarray:
        return np.frombuffer(a, dtype=dtype).copy() if len(a) else np.zeros(0, dtype)

    backlog = arr(engine.s_backlog, np.int32).reshape(-1, n_q) if n_q else np.zeros((0, 0))
    return SimResult(
        seed=seed,
        replication=replication,
        tickets=tickets,
        staffing=staffing,
        queues=engine.queues,
        ticket_queue=engine.ticket_queue,
        first_response=arr(engine.first_response, np.float64),
        first_agent=arr(engine.first_agent, np.int32),
        resolved=arr(engine.resolved, np.float64),
        outcome=arr(engine.outcome, np.int8),
        touch_ticket=arr(engine.t_ticket, np.int32),
        touch_agent=arr(engine.t_agent, np.int32),
        touch_queue=arr(engine.t_queue, np.int32),
        touch_kind=arr(engine.t_kind, np.int8),
        touch_start=arr(engine.t_start, np.float64),
        touch_end=arr(engine.t_end, np.float64),
        touch_units=arr(engine.t_units, np.float64),
        sample_time=arr(engine.s_time, np.float64),
        sample_backlog=backlog,
        sample_on_shift=arr(engine.s_on, np.int32),
        sample_busy=arr(engine.s_busy, np.int32),
        horizon_minutes=engine.end,
        capacity=np.array(engine.capacity, dtype=np.int32),
        load_trace=engine.trace() if isinstance(engine, _TracingEngine) else None,
    )


__all__ = [
    "NORMAL",
    "LoadTrace",
    "Queue",
    "SimResult",
    "build_queues",
    "run_replication",
    "simulate",
]
