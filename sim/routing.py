"""Routing: which queues exist, which teams may take each, after what wait, and at what load.

Skill-based dispatch is decided here once per run, as plain tables the engine reads in its
hot loop:

- queues: (language, channel, priority, tier), one per combination a stream can fill;
- routes: for each team, the queues it serves with the wait a ticket must have had first
  (0 for its own skills, ``after`` for a language fallback, the overflow position times
  ``after`` for a team further down a ``routing.overflow`` list) and the capacity units one
  contact takes (an agent holds ``capacity`` units: a chat takes ``capacity /
  concurrency``, a call or an email touch all of them);
- idle lines: how an arriving ticket picks among idle agents (``routing.agent_selection``):
  the longest idle (a deque in idle order), the first in the teams' listed order (a heap
  by agent number), or one at random (a list sampled with seeded draws).

Must not import SimPy.
"""

from __future__ import annotations

import heapq
import math
from collections.abc import Callable
from dataclasses import dataclass

from scenarios.schema import PRIORITY_RANK, Scenario
from sim.demand import PRIORITIES

IdleEntry = tuple[int, int, float]
"""(agent, token, idle since): an entry is valid while the agent's token is unchanged."""


@dataclass(frozen=True, slots=True)
class Queue:
    """A queue of tickets: one language, channel, priority and tier."""

    language: str
    channel: str
    priority: str
    tier: int


def build_queues(scenario: Scenario) -> tuple[list[Queue], dict[tuple[int, int, int], int]]:
    """Every queue the scenario can fill, and the map (stream, priority, tier) -> queue."""
    queues: list[Queue] = []
    index: dict[Queue, int] = {}
    by_stream: dict[tuple[int, int, int], int] = {}
    tiers = [1]
    if scenario.escalation is not None:
        tiers.append(scenario.escalation.to_tier)
    for s_i, stream in enumerate(scenario.demand.streams):
        possible = scenario.stream_priorities(stream)
        for p_i, priority in enumerate(PRIORITIES):
            if priority not in possible:
                continue
            for tier in tiers:
                q = Queue(stream.language, stream.channel, priority, tier)
                if q not in index:
                    index[q] = len(queues)
                    queues.append(q)
                by_stream[(s_i, p_i, tier)] = index[q]
    return queues, by_stream


@dataclass(frozen=True, slots=True)
class Routes:
    """Who serves what: per team, its queues as (queue, wait, units), best rank first; per
    queue, its teams as (team, wait), in overflow order where a rule orders them."""

    rank: list[int]
    serve: list[list[tuple[int, float, int]]]
    groups_for: list[list[tuple[int, float]]]
    capacity: list[int]
    ordered: list[bool]
    waits: list[tuple[float, ...]]


def queue_rank(scenario: Scenario, queues: list[Queue]) -> list[int]:
    """Rank of each queue for a freed agent: channel rank (``routing.channel_priority``),
    then ticket priority; lower comes first."""
    order = scenario.routing.channel_priority
    if not order:
        return [PRIORITY_RANK[q.priority] for q in queues]
    return [
        (order.index(q.channel) if q.channel in order else len(order)) * 10
        + PRIORITY_RANK[q.priority]
        for q in queues
    ]


def team_capacity(scenario: Scenario) -> list[int]:
    """Capacity units of one agent of each team: the least common multiple of the
    concurrencies of the channels it serves, so every contact takes a whole number."""
    return [
        math.lcm(*(scenario.concurrency(ch, team) for ch in team.channels))
        for team in scenario.teams
    ]


def build_routes(scenario: Scenario, queues: list[Queue]) -> Routes:
    """The routing tables of a run (see the module docstring)."""
    rank = queue_rank(scenario, queues)
    capacity = team_capacity(scenario)
    fallback = scenario.routing.language_fallback
    serve: list[list[tuple[int, float, int]]] = []
    groups_for: list[list[tuple[int, float]]] = [[] for _ in queues]
    for g, team in enumerate(scenario.teams):
        entries: list[tuple[int, float, int]] = []
        for q_i, queue in enumerate(queues):
            if queue.channel not in team.channels or queue.tier != team.tier:
                continue
            units = capacity[g] // scenario.concurrency(queue.channel, team)
            rule = scenario.routing.overflow_for(queue.language, queue.channel)
            if rule is not None and queue.tier == 1:
                wait = rule.wait_for(team.name)
                if wait is not None:
                    entries.append((q_i, wait, units))
                continue
            if queue.language in team.languages:
                entries.append((q_i, 0.0, units))
                continue
            after = [
                f.after
                for f in fallback
                if f.from_language == queue.language and (f.to in team.languages)
            ]
            if after:
                entries.append((q_i, min(after), units))
        entries.sort(key=lambda e: rank[e[0]])
        serve.append(entries)
        for q_i, wait, _units in entries:
            groups_for[q_i].append((g, wait))
    ordered = [False] * len(queues)
    for q_i, queue in enumerate(queues):
        rule = scenario.routing.overflow_for(queue.language, queue.channel)
        if rule is not None and queue.tier == 1:
            ordered[q_i] = True
            position = {name: k for k, name in enumerate(rule.teams)}
            groups_for[q_i].sort(key=lambda gw: position[scenario.teams[gw[0]].name])
    waits = [tuple(sorted({w for _, w in groups if w > 0})) for groups in groups_for]
    return Routes(rank, serve, groups_for, capacity, ordered, waits)


class OrderedIdle:
    """Idle agents of one team, lowest agent number first (a hunt group)."""

    __slots__ = ("heap",)

    def __init__(self) -> None:
        self.heap: list[IdleEntry] = []

    def append(self, entry: IdleEntry) -> None:
        heapq.heappush(self.heap, entry)

    def first(self, token: list[int]) -> int:
        """The lowest-numbered idle agent, or -1; stale entries are dropped on the way."""
        heap = self.heap
        while heap:
            agent, tok, _since = heap[0]
            if tok == token[agent]:
                return agent
            heapq.heappop(heap)
        return -1


class RandomIdle:
    """Idle agents of one team in no order; a pick is uniform over the valid ones."""

    __slots__ = ("items",)

    def __init__(self) -> None:
        self.items: list[IdleEntry] = []

    def append(self, entry: IdleEntry) -> None:
        self.items.append(entry)

    def pick(self, token: list[int], uniform: Callable[[], float]) -> int:
        """A valid idle agent drawn uniformly, or -1 (see :func:`pick_random`)."""
        items = self.items
        while items:
            k = min(int(uniform() * len(items)), len(items) - 1)
            agent, tok, _since = items[k]
            items[k] = items[-1]
            items.pop()
            if tok == token[agent]:
                return agent
        return -1

    def any_valid(self, token: list[int]) -> int:
        """Some valid idle agent, or -1; stale entries met on the way are dropped."""
        items = self.items
        while items:
            agent, tok, _since = items[-1]
            if tok == token[agent]:
                return agent
            items.pop()
        return -1


def pick_random(pools: list[RandomIdle], token: list[int], uniform: Callable[[], float]) -> int:
    """A uniformly chosen valid idle agent of the given pools, or -1.

    Draws over every entry (valid or stale) and drops a stale one where it lands, until a
    valid one is drawn: uniform over the valid entries, and each agent has at most one. The
    entry drawn leaves the pool too (the agent is about to work; it comes back when idle).
    """
    if len(pools) == 1:
        return pools[0].pick(token, uniform)
    while True:
        total = sum(len(p.items) for p in pools)
        if total == 0:
            return -1
        k = min(int(uniform() * total), total - 1)
        for pool in pools:
            items = pool.items
            if k >= len(items):
                k -= len(items)
                continue
            agent, tok, _since = items[k]
            items[k] = items[-1]
            items.pop()
            if tok == token[agent]:
                return agent
            break
