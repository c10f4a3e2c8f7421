"""The event engine: tickets meet agents in a SimPy environment.

Steps of one replication:

1. Tickets (``sim.demand``) and agents' availability windows (``sim.agents``) are drawn in
   bulk beforehand; two callback chains feed them into the SimPy clock in time order.
2. An arriving live contact may find its stream out (an outage) or every line of its
   channel busy: it is blocked. Otherwise the ticket goes to an idle agent who has its
   language and channel (the longest idle, the first in order, or one at random, as
   ``routing.agent_selection`` says; an overflow queue tries its teams in their order; a
   concurrent channel such as chat also to an agent with room, least loaded first). If it
   must wait, a live contact may balk; else it waits in its queue (language, channel,
   priority, tier).
3. An agent who becomes free takes, while it has room, the waiting ticket with the highest
   priority, then the longest wait, among the queues it serves; a language fallback or an
   overflow lets it take a ticket only once that ticket has waited long enough.
4. Live tickets abandon at their patience. Abandonment is applied lazily where nothing
   depends on its moment (a ticket whose patience ran out is dropped when it reaches the
   head of its queue, recorded at its deadline: exact for first-come-first-served); on a
   channel with lines or retrials it is applied at the deadline itself.
5. A contact that abandoned, balked or was blocked may try again (``retrial``) after a
   delay, as a new attempt with a fresh patience.
6. A touch ends after its drawn handle time; the ticket then escalates to tier 2, comes
   back for its next touch after a customer reply gap (asynchronous channels, reopen), or
   is resolved. A live contact holds its line from arrival to the end of its first touch.
7. An agent whose window closes mid-touch finishes the touch (overtime). With
   ``horizon.end: serve`` the clock runs on after the horizon: no new attempts, agents on
   shift at the end stay until nobody they can serve is left.

Admission, failed attempts and retrials are in ``sim.attempts`` (mixed into the engine),
the routing tables and idle lines in ``sim.routing``, the result arrays and the warm-up crop
in ``sim.results``. The hot loop records into ``array.array`` columns; DataFrames are built
afterwards in ``sim.metrics``. No printing and no files here.
"""

from __future__ import annotations

import functools
import math
from array import array
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np
import simpy
from simpy.events import Timeout

from scenarios.calendar import horizon_minutes, local_dates, with_warmup
from scenarios.schema import Scenario
from sim.agents import Staffing, availability_events, build_staffing
from sim.attempts import Attempts, delay_to, needs_retrials, packed
from sim.demand import PRIORITIES, Tickets, block_draws, generate_tickets, stream_seed
from sim.results import (
    ATTEMPT_BALKED,
    OUTCOME_ABANDONED,
    OUTCOME_BALKED,
    OUTCOME_BLOCKED,
    OUTCOME_DEFLECTED,
    OUTCOME_HANDLED,
    OUTCOME_OPEN,
    TOUCH_ESCALATION,
    TOUCH_FIRST,
    TOUCH_FOLLOW_UP,
    LoadTrace,
    SimResult,
    crop_warmup,
)
from sim.routing import (
    OrderedIdle,
    Queue,
    RandomIdle,
    build_queues,
    build_routes,
    pick_random,
)

INF = math.inf


class _Engine(Attempts):
    """State and callbacks of one replication (see the module docstring for the steps)."""

    def __init__(
        self,
        scenario: Scenario,
        tickets: Tickets,
        staffing: Staffing,
        seed: int = 0,
        replication: int = 0,
    ) -> None:
        self.env = simpy.Environment()
        self.end = horizon_minutes(scenario)
        self.serve_at_end = scenario.horizon.end == "serve"
        self.closed = False
        self.tickets = tickets
        queues, by_stream = build_queues(scenario)
        routes = build_routes(scenario, queues)
        self.queues = queues
        n_q = len(queues)
        self.q_rank = routes.rank
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
        self.groups_for = routes.groups_for
        self.q_waits = routes.waits
        self.q_fallback = [bool(w) for w in routes.waits]
        # Teams that take a queue after a wait (language fallback, overflow) hear of it when a
        # waiting ticket has waited long enough, but only while one of their agents is idle:
        # per queue and wait, at most one pending event, at its next ticket's maturity.
        self.armed = [[False] * len(waits) for waits in routes.waits]
        self.wait_groups = [
            [[g for g, w in routes.groups_for[q] if w == wait] for wait in waits]
            for q, waits in enumerate(routes.waits)
        ]
        self.team_watch: list[list[tuple[int, int]]] = [[] for _ in scenario.teams]
        for q, waits in enumerate(routes.waits):
            for k, wait in enumerate(waits):
                for g, w in routes.groups_for[q]:
                    if w == wait:
                        self.team_watch[g].append((q, k))
        self.q_ordered = routes.ordered
        live = [scenario.is_live(q.channel) for q in queues]
        self.q_abandons = live
        self.team_cap = routes.capacity
        self.units = [[0] * n_q for _ in teams]
        for g, entries in enumerate(routes.serve):
            for q, _wait, units in entries:
                self.units[g][q] = units
        # A queue whose contacts some team may hold several at once (chat).
        self.q_shared = [
            any(self.units[g][q] < self.team_cap[g] for g, w in self.groups_for[q] if w <= 0)
            for q in range(n_q)
        ]

        agent_team = staffing.agents["team_index"].to_numpy(np.int64)
        n_a = len(agent_team)
        self.agent_team = agent_team.tolist()
        self.capacity = [self.team_cap[g] for g in self.agent_team]
        self.level = [0] * n_a
        self.load = [0] * n_a
        self.token = [0] * n_a
        self.partial: list[set[int]] = [set() for _ in teams]
        self.queue: list[deque[int]] = [deque() for _ in range(n_q)]
        # Per team, everything the pick loop needs about each queue, in one tuple.
        self.serve_queues = [
            [(q, wait, self.queue[q], self.q_rank[q], units) for q, wait, units in entries]
            for entries in routes.serve
        ]
        self._init_selection(scenario, len(teams), seed, replication)

        # Per-ticket state.
        self.arrival = tickets.arrival
        self.deadline = packed("d", tickets.arrival + tickets.patience)
        self.enq = array("d", bytes(8 * n))
        self.cur_handle = packed("d", tickets.handle)
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
        # Failed attempts (abandoned, balked, blocked).
        self.f_ticket = array("i")
        self.f_start = array("d")
        self.f_end = array("d")
        self.f_kind = array("b")
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
        self._retry_cb = self._retries_due
        self.av_time, self.av_agent, self.av_kind = (
            a.tolist() for a in availability_events(staffing)
        )
        self.av_pos = 0
        self.arr_pos = 0
        self.arr_times = packed("d", tickets.arrival)
        self.deflected = packed("b", tickets.deflected)
        self.ticket_queue_l = packed("i", self.ticket_queue)
        self.escalate = packed("b", tickets.escalate & (self.escalation_queue >= 0))
        self.escalation_handle = packed("d", tickets.escalation_handle)
        self.escalation_queue_l = packed("i", self.escalation_queue)
        self.n_extra = packed("i", tickets.n_extra)
        self.extra_start = packed("q", tickets.extra_start)
        self.extra_handle = packed("d", tickets.extra_handle)
        self.extra_gap = packed("d", tickets.extra_gap)
        # Waiting tickets (abandoned ones included until purged) per team's queues, so an
        # agent whose queues are all empty goes idle without scanning them.
        self.waiting = [0] * len(teams)
        self._init_attempts(scenario, tickets, seed, replication)

    def _init_selection(self, scenario: Scenario, n_teams: int, seed: int, rep: int) -> None:
        """Idle lines per team and the way an arriving ticket picks among idle agents."""
        mode = scenario.routing.agent_selection
        self.uniform: Callable[[], float] | None = None
        if mode == "ordered":
            self.idle: list[Any] = [OrderedIdle() for _ in range(n_teams)]
            self._find_idle = self._find_ordered
            self._first_idle = self._first_ordered
        elif mode == "random":
            rng = np.random.default_rng(stream_seed(seed, rep, "routing", "agent_selection"))
            self.uniform = block_draws(rng.random)
            self.idle = [RandomIdle() for _ in range(n_teams)]
            self._find_idle = self._find_random
            self._first_idle = self._first_random
        else:
            self.idle = [deque() for _ in range(n_teams)]
            self._find_idle = self._find_longest_idle
            self._first_idle = self._first_longest_idle
        self.idle_mode = mode
        n_q = len(self.groups_for)
        # An overflow queue's teams that take it at once, in order: how to find one of their
        # idle agents, the team, and whether its agents share themselves between contacts.
        self.q_order = [
            [
                (self._idle_finder(g), g, self.units[g][q] < self.team_cap[g])
                for g, w in groups
                if w <= 0
            ]
            for q, groups in enumerate(self.groups_for)
        ]
        # Idle lines of the teams that take each queue at once (random picks draw over them).
        self.q_pools = [[self.idle[g] for g, w in groups if w <= 0] for groups in self.groups_for]
        # How an arriving ticket of each queue finds its agent.
        ordered = self._find_in_order
        self.finder = [ordered if self.q_ordered[q] else self._find_idle for q in range(n_q)]

    def _idle_finder(self, g: int) -> Callable[[], int]:
        """A call that finds an idle agent of team g by the selection rule (or -1)."""
        if self.idle_mode == "random":
            assert self.uniform is not None
            return functools.partial(self.idle[g].pick, self.token, self.uniform)
        return functools.partial(self._first_idle, g)

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
        if self.serve_at_end:
            self._at(self.end, self._horizon_end)
            self.env.run()
        else:
            self.env.run(until=self.end)
        self._close()

    def _horizon_end(self, _ev: object) -> None:
        """Serve mode: no new attempts and no more shift changes from now on."""
        self.closed = True

    # ------------------------------------------------------------------ arrivals

    def _arrive(self, _ev: object) -> None:
        """Arrival chain: admit every ticket due now, then schedule the next one."""
        now = self.env.now
        times = self.arr_times
        pos = self.arr_pos
        n = len(times)
        admission = self.admission
        while pos < n and times[pos] <= now:
            i = pos
            pos += 1
            if self.deflected[i]:
                self.outcome[i] = OUTCOME_DEFLECTED
                continue
            q = self.ticket_queue_l[i]
            if admission:
                c = self.q_line[q]
                if self.outage[i] or (c >= 0 and self.lines_free[c] <= 0):
                    if not self._admit(i, q, now, bool(self.outage[i])):
                        continue
                elif c >= 0:  # a free line: the common case, inline
                    self.lines_free[c] -= 1
                    self.holds_line[i] = 1
            self._enqueue(i, q, now, TOUCH_FIRST)
        self.arr_pos = pos
        if pos < n:
            ev = Timeout(self.env, times[pos] - now)
            ev.callbacks.append(self._arrive_cb)

    def _enqueue(self, i: int, q: int, now: float, kind: int) -> None:
        """Offer touch `kind` of ticket i to an agent now, or put it in queue q."""
        self.enq[i] = now
        self.touch_kind_now[i] = kind
        abandons, balk, fallback, retry = self.q_info[q]
        first = kind == TOUCH_FIRST
        if not first or not abandons:
            self.deadline[i] = INF
        dq = self.queue[q]
        if not dq:
            agent = self.finder[q](q)
            if agent >= 0:
                self._start(agent, i, q, now)
                return
        if first and balk and self.balks[i]:
            self._fail(i, now, ATTEMPT_BALKED)
            return
        dq.append(i)
        waiting = self.waiting
        for g, _wait in self.groups_for[q]:
            waiting[g] += 1
        if fallback:
            self._mature(q, now)
        if retry and first and self.deadline[i] < INF:
            self._retry_if_abandoned(i, now)

    # ------------------------------------------------------------------ picking an agent

    def _find_longest_idle(self, q: int) -> int:
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
        if best < 0 and self.q_shared[q]:
            best = self._least_loaded(q)
        return best

    def _find_ordered(self, q: int) -> int:
        """The lowest-numbered idle agent for queue q (teams in listed order, then agents)."""
        best = -1
        token = self.token
        for g, wait in self.groups_for[q]:
            if wait <= 0:
                agent = self.idle[g].first(token)
                if agent >= 0 and (best < 0 or agent < best):
                    best = agent
        if best < 0 and self.q_shared[q]:
            best = self._least_loaded(q)
        return best

    def _find_random(self, q: int) -> int:
        """An idle agent for queue q chosen uniformly at random."""
        assert self.uniform is not None
        best = pick_random(self.q_pools[q], self.token, self.uniform)
        if best < 0 and self.q_shared[q]:
            best = self._least_loaded(q)
        return best

    def _find_in_order(self, q: int) -> int:
        """Overflow: the first team in the queue's order with an idle agent (or room)."""
        for find, g, shared in self.q_order[q]:
            agent = find()
            if agent >= 0:
                return agent
            if shared:
                agent = self._least_loaded_in(g, q)
                if agent >= 0:
                    return agent
        return -1

    def _first_longest_idle(self, g: int, draw: bool = True) -> int:
        """The longest-idle agent of team g, or -1."""
        token = self.token
        idle = self.idle[g]
        while idle:
            agent, tok, _since = idle[0]
            if tok != token[agent]:
                idle.popleft()
                continue
            return int(agent)
        return -1

    def _first_ordered(self, g: int, draw: bool = True) -> int:
        """The lowest-numbered idle agent of team g, or -1."""
        return int(self.idle[g].first(self.token))

    def _first_random(self, g: int, draw: bool = True) -> int:
        """An idle agent of team g at random, or -1 (without ``draw``: any, no number drawn)."""
        if not draw:
            return int(self.idle[g].any_valid(self.token))
        assert self.uniform is not None
        return self.idle[g].pick(self.token, self.uniform)

    def _least_loaded(self, q: int) -> int:
        """The least-loaded agent with room for a contact of queue q, or -1."""
        best = -1
        best_load = 1 << 30
        load = self.load
        for g, wait in self.groups_for[q]:
            if wait > 0:
                continue
            units = self.units[g][q]
            cap = self.team_cap[g]
            if units >= cap:
                continue
            for agent in self.partial[g]:
                held = load[agent]
                if held + units <= cap and held < best_load:
                    best, best_load = agent, held
        return best

    def _least_loaded_in(self, g: int, q: int) -> int:
        units = self.units[g][q]
        cap = self.team_cap[g]
        best = -1
        best_load = 1 << 30
        if units < cap:
            for agent in self.partial[g]:
                held = self.load[agent]
                if held + units <= cap and held < best_load:
                    best, best_load = agent, held
        return best

    # ------------------------------------------------------------------ service

    def _start(self, agent: int, i: int, q: int, now: float) -> None:
        """Agent starts a touch of ticket i: record first response, hold the agent."""
        if self.touch_kind_now[i] == TOUCH_FIRST:
            self.first_response[i] = now
            self.first_agent[i] = agent
        g = self.agent_team[agent]
        cap = self.capacity[agent]
        units = self.units[g][q]
        load = self.load[agent] + units
        self.load[agent] = load
        self.token[agent] += 1
        if units < cap and load < cap:
            self.partial[g].add(agent)
        else:
            self.partial[g].discard(agent)
        ev = Timeout(self.env, self.cur_handle[i], (agent, i, q, units, now))
        ev.callbacks.append(self._finish_cb)

    def _finish(self, ev: Timeout) -> None:
        """A touch ends: log it, move the ticket on, let the agent take new work."""
        agent, i, q, units, started = ev._value
        now = self.env.now
        kind = self.touch_kind_now[i]
        self.t_ticket.append(i)
        self.t_agent.append(agent)
        self.t_queue.append(q)
        self.t_kind.append(kind)
        self.t_start.append(started)
        self.t_end.append(now)
        self.load[agent] -= units
        if self.lines_on and kind == TOUCH_FIRST and self.holds_line[i]:
            self.holds_line[i] = 0
            self.lines_free[self.q_line[self.ticket_queue_l[i]]] += 1
        if self.escalate[i] or self.next_extra[i] < self.n_extra[i]:
            self._advance(i, now)
        else:  # resolved: the common case, inline
            self.resolved[i] = now
            self.outcome[i] = OUTCOME_HANDLED
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
            q = self._best_waiting(g, cap - load, now)
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
            for q, k in self.team_watch[g]:
                if not self.armed[q][k] and self.queue[q]:
                    self._arm(q, k, now)
        else:
            self.partial[g].add(agent)

    def _best_waiting(self, g: int, room: int, now: float) -> int:
        """The queue whose head ticket comes first by priority, then by waiting time, among
        those whose contacts fit in ``room`` capacity units."""
        best = -1
        best_rank = 1 << 30
        best_enq = INF
        deadline = self.deadline
        enq = self.enq
        for q, wait, dq, rank, units in self.serve_queues[g]:
            if not dq or units > room:
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

    # ------------------------------------------------------------------ fallback, overflow

    def _mature(self, q: int, now: float) -> None:
        """A ticket starts to wait in queue q: make sure a team that takes q after a wait,
        and has an idle agent, hears when the queue's next ticket has waited long enough."""
        for k in range(len(self.q_waits[q])):
            if not self.armed[q][k] and self._any_idle(self.wait_groups[q][k]):
                self._arm(q, k, now)

    def _arm(self, q: int, k: int, now: float, later: bool = False) -> None:
        """Schedule the check of queue q when its first ticket not yet old enough for wait k
        will be (``later``: strictly after now). A ticket already old enough is not waiting
        for these teams: an agent of theirs that became idle took it, or was busy. A queue is
        in the order its tickets started to wait."""
        wait = self.q_waits[q][k]
        enq = self.enq
        for i in self.queue[q]:
            # The instant an event scheduled when the ticket started to wait falls at.
            e = enq[i]
            target = e + ((e + wait) - e)
            if target > now or (target == now and not later):
                break
        else:
            return
        self.armed[q][k] = True
        ev = Timeout(self.env, delay_to(now, target), (q, k))
        ev.callbacks.append(self._fallback_cb)

    def _any_idle(self, groups: list[int]) -> bool:
        return any(self._first_idle(g, draw=False) >= 0 for g in groups)

    def _fallback_due(self, ev: Timeout) -> None:
        """A ticket of queue q has now waited long enough for the teams that take q after
        wait k (language fallback, overflow): if the queue's head has, offer it to their
        idle agents. Then watch the next maturity while one of them is idle."""
        q, k = ev._value
        now = self.env.now
        wait_due = self.q_waits[q][k]
        dq = self.queue[q]
        deadline = self.deadline
        while dq and deadline[dq[0]] <= now:
            self._abandon(self._pop(q))
        # Still armed while offering: an offered agent that takes nothing and goes idle
        # again must not schedule this same instant once more.
        if dq and now - self.enq[dq[0]] >= wait_due - 1e-9:
            for g, wait in self.groups_for[q]:
                if wait <= 0 or wait > wait_due + 1e-9:
                    continue
                if not dq:
                    break
                agent = self._first_idle(g)
                if agent >= 0:
                    self._agent_free_for(agent, now)
        self.armed[q][k] = False
        if dq and self._any_idle(self.wait_groups[q][k]):
            self._arm(q, k, now, later=True)

    def _agent_free_for(self, agent: int, now: float) -> None:
        self.token[agent] += 1
        self._agent_free(agent, now)

    # ------------------------------------------------------------------ availability

    def _availability(self, _ev: object) -> None:
        """Availability chain: apply every shift/break change due now."""
        if self.closed:
            return
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
        """At the end: waiting tickets past their patience have abandoned; others are open.

        With ``horizon.end: serve`` the run has gone on until nothing could happen: a live
        ticket nobody could serve has abandoned at its patience."""
        self.closed = True
        deadline = self.deadline
        for dq in self.queue:
            for i in dq:
                if deadline[i] <= self.end or (self.serve_at_end and deadline[i] < INF):
                    self._abandon(i)


class _TracingEngine(_Engine):
    """The engine, recording every agent's load after each touch start and end."""

    def __init__(
        self, scenario: Scenario, tickets: Tickets, staffing: Staffing, seed: int, rep: int
    ) -> None:
        super().__init__(scenario, tickets, staffing, seed, rep)
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
    """Simulate one replication; deterministic for a given scenario, seed and number.

    With ``horizon.warmup_days``, the warm-up days are simulated first and then cropped
    (:func:`sim.results.crop_warmup`): the result covers the horizon only.
    """
    run = with_warmup(scenario)
    tickets = generate_tickets(run, seed, replication)
    staffing = build_staffing(run, seed, replication)
    result = simulate(run, tickets, staffing, seed, replication)
    if run is scenario:
        return result
    warmup = scenario.horizon.warmup_days * 1440.0
    return crop_warmup(result, warmup, set(local_dates(scenario)))


def simulate(
    scenario: Scenario,
    tickets: Tickets,
    staffing: Staffing,
    seed: int,
    replication: int = 0,
    *,
    trace: bool = False,
) -> SimResult:
    """Play given tickets against given staffing (the engine without the bulk draws).

    With ``trace``, the result also carries the :class:`LoadTrace` of every touch start
    and end (slower; for checks).
    """
    engine = (
        _TracingEngine(scenario, tickets, staffing, seed, replication)
        if trace
        else _Engine(scenario, tickets, staffing, seed, replication)
    )
    engine.run()
    n_q = len(engine.queues)

    def arr(a: array[Any], dtype: type | str) -> np.ndarray:
        return np.frombuffer(a, dtype=dtype).copy() if len(a) else np.zeros(0, dtype)

    backlog = arr(engine.s_backlog, np.int32).reshape(-1, n_q) if n_q else np.zeros((0, 0))
    touch_agent = arr(engine.t_agent, np.int32)
    touch_queue = arr(engine.t_queue, np.int32)
    # Share of its agent a touch took: its units over the agent's capacity.
    units = np.array(engine.units, dtype=np.float64).reshape(len(engine.units), n_q)
    capacity = np.array(engine.capacity, dtype=np.float64)
    team = np.array(engine.agent_team, dtype=np.int64)
    touch_units = (
        units[team[touch_agent], touch_queue] / capacity[touch_agent]
        if len(touch_agent)
        else np.zeros(0)
    )
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
        touch_agent=touch_agent,
        touch_queue=touch_queue,
        touch_kind=arr(engine.t_kind, np.int8),
        touch_start=arr(engine.t_start, np.float64),
        touch_end=arr(engine.t_end, np.float64),
        touch_units=touch_units,
        sample_time=arr(engine.s_time, np.float64),
        sample_backlog=backlog,
        sample_on_shift=arr(engine.s_on, np.int32),
        sample_busy=arr(engine.s_busy, np.int32),
        horizon_minutes=engine.end,
        capacity=np.array(engine.capacity, dtype=np.int32),
        attempts=arr(engine.attempts, np.int32),
        attempt_arrival=arr(engine.attempt_arrival, np.float64) if engine.attempts else np.zeros(0),
        failed_ticket=arr(engine.f_ticket, np.int32),
        failed_start=arr(engine.f_start, np.float64),
        failed_end=arr(engine.f_end, np.float64),
        failed_kind=arr(engine.f_kind, np.int8),
        load_trace=engine.trace() if isinstance(engine, _TracingEngine) else None,
    )


__all__ = [
    "OUTCOME_ABANDONED",
    "OUTCOME_BALKED",
    "OUTCOME_BLOCKED",
    "OUTCOME_DEFLECTED",
    "OUTCOME_HANDLED",
    "OUTCOME_OPEN",
    "TOUCH_ESCALATION",
    "TOUCH_FIRST",
    "TOUCH_FOLLOW_UP",
    "LoadTrace",
    "Queue",
    "SimResult",
    "build_queues",
    "needs_retrials",
    "run_replication",
    "simulate",
]
