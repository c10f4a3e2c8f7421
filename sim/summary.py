"""The summary of a run: one typed structure, written once, with a unit on every figure.

Role: frozen dataclasses, one per section of ``summary.json`` (DESIGN §6), built once by
:func:`sim.runner.summarize`; :meth:`Summary.to_json` gives the documented mapping (every
key with its documented name and meaning, plus a ``units`` section naming each figure's
unit and period) and :meth:`Summary.from_json` reads one back, tolerating keys that older
files lack. The headline figures that ``compare`` and ``sweep`` put side by side are listed
once, in :data:`KPIS` (name, words, unit, which direction is better, how to read it from a
summary), and the cost-service frontier is computed once, by :func:`pareto_mask`.

Counts of tickets are means per replication over the whole horizon unless a name says
``per_week``; money is in ``cost.currency``; shares are 0..1.

Standard library and NumPy only: reports read this module, so it must not import SimPy,
Pyomo, the engine or the optimizer.
"""

from __future__ import annotations

import math
import types
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, fields, is_dataclass
from typing import Any, TypeVar, Union, get_args, get_origin, get_type_hints

import numpy as np

T = TypeVar("T")


def _unit(unit: str, default: Any = None) -> Any:
    """A field with its unit in the metadata (``{currency}`` stands for the currency)."""
    return field(default=default, metadata={"unit": unit})


def _unit_factory(unit: str, factory: Callable[[], Any]) -> Any:
    return field(default_factory=factory, metadata={"unit": unit})


# --------------------------------------------------------------------------- sections


@dataclass(frozen=True, slots=True)
class Horizon:
    """The period simulated."""

    start: str = _unit("date (ISO 8601)", "")
    weeks: float = _unit("weeks", 0.0)
    timezone: str = _unit("IANA time zone of the reporting clock", "UTC")
    interval_minutes: int = _unit("min", 30)
    warmup_days: int = _unit("days simulated before start and left out of every figure", 0)
    end: str = _unit("cut (the clock stops) or serve (who is waiting is served)", "cut")


@dataclass(frozen=True, slots=True)
class TicketCounts:
    """Tickets by outcome: means per replication over the whole horizon."""

    arrived: float = _unit("tickets per run (all contacts, deflected included)", 0.0)
    deflected: float = _unit("tickets per run", 0.0)
    handled: float = _unit("tickets per run", 0.0)
    abandoned: float = _unit("tickets per run", 0.0)
    open: float = _unit("tickets per run (still waiting or in progress at the end)", 0.0)
    balked: float = _unit("tickets per run (left at once rather than wait, last attempt)", 0.0)
    blocked: float = _unit("tickets per run (every line busy or the stream out, last attempt)", 0.0)
    abandonment_rate: float | None = _unit(
        "share of the tickets that reached an agent queue (arrived - deflected)"
    )

    @property
    def live(self) -> float:
        """Tickets that reached the agents' queues (arrived minus deflected)."""
        return self.arrived - self.deflected


@dataclass(frozen=True, slots=True)
class FirstResponse:
    """First response over answered tickets."""

    mean_minutes: float | None = _unit("min")
    p50_minutes: float | None = _unit("min")
    p90_minutes: float | None = _unit("min")
    p95_minutes: float | None = _unit("min")


@dataclass(frozen=True, slots=True)
class Sla:
    """SLA attainment over every ticket with a target (abandoned ones count as misses)."""

    attainment: float | None = _unit("share of tickets answered within target")
    attainment_ci95: tuple[float | None, float | None] | None = _unit(
        "share of tickets (95% Wilson interval, effective size from replications or days)"
    )
    goal: float | None = _unit("share of tickets (queue goals weighted by arrivals)")
    goal_met: bool | None = _unit("true when every queue meets its goal")
    queues_meeting_goal: int = _unit("queues", 0)
    queues_with_goal: int = _unit("queues", 0)
    abandoned_count_as_missed: bool = _unit("flag", True)

    @property
    def queues_missing_goal(self) -> int:
        """Queues with a goal that do not meet it."""
        return self.queues_with_goal - self.queues_meeting_goal


@dataclass(frozen=True, slots=True)
class QueueKpis:
    """One queue (language, channel, priority, tier)."""

    language: str = _unit("language tag", "")
    channel: str = _unit("channel", "")
    priority: str = _unit("priority", "")
    tier: int = _unit("tier", 1)
    queue: str = _unit("label language/channel/priority", "")
    arrived: float = _unit("tickets per run (deflected excluded)", 0.0)
    target_minutes: float | None = _unit("min")
    goal: float | None = _unit("share of tickets")
    attainment: float | None = _unit("share of tickets answered within target")
    attainment_ci95: tuple[float | None, float | None] | None = _unit(
        "share of tickets (95% Wilson interval, effective size from replications or days)"
    )
    goal_met: bool | None = _unit("flag")
    mean_first_response_minutes: float | None = _unit("min")
    abandonment_rate: float = _unit("share of the queue's tickets", 0.0)
    balked_rate: float = _unit("share of the queue's tickets", 0.0)
    blocked_rate: float = _unit("share of the queue's tickets", 0.0)
    resolution_target_hours: float | None = _unit("h")
    resolution_goal: float | None = _unit("share of tickets")
    resolution_attainment: float | None = _unit("share of tickets resolved within target")
    resolution_attainment_ci95: tuple[float | None, float | None] | None = _unit(
        "share of tickets (95% t interval over replications or days)"
    )
    resolution_goal_met: bool | None = _unit("flag")


@dataclass(frozen=True, slots=True)
class Resolution:
    """Resolution time (arrival to the end of the last touch) of handled tickets."""

    mean_hours: float | None = _unit("h")
    p90_hours: float | None = _unit("h")
    attainment: float | None = _unit("share of tickets with a resolution target resolved within it")
    goal_met: bool | None = _unit("true when every queue meets its resolution goal")
    queues_with_goal: int = _unit("queues", 0)
    queues_meeting_goal: int = _unit("queues", 0)


@dataclass(frozen=True, slots=True)
class Contacts:
    """Attempts of live contacts: a customer who abandons, balks or is blocked may try again.

    Counts are attempts per run except ``customers`` and ``customers_lost`` (tickets).
    First response per attempt is measured from the start of the attempt answered, per
    customer from the first attempt.
    """

    customers: float = _unit("tickets per run (deflected excluded)", 0.0)
    attempts: float = _unit("attempts per run (first attempts and retrials)", 0.0)
    retrials: float = _unit("attempts per run", 0.0)
    abandoned: float = _unit("attempts per run", 0.0)
    balked: float = _unit("attempts per run", 0.0)
    blocked: float = _unit("attempts per run (every line busy)", 0.0)
    blocked_in_outage: float = _unit("attempts per run (the stream out)", 0.0)
    customers_lost: float = _unit("tickets per run (never answered: last attempt failed)", 0.0)
    first_response_per_attempt: FirstResponse = field(default_factory=FirstResponse)
    first_response_per_customer: FirstResponse = field(default_factory=FirstResponse)


@dataclass(frozen=True, slots=True)
class SegmentKpis:
    """One customer segment: attainment against its own target (else its queues'), the
    tickets that missed, and the revenue they put at risk at the segment's value."""

    segment: str = _unit("segment name", "")
    priority: str | None = _unit("priority of the segment's tickets (None: the stream's mix)")
    arrived: float = _unit("tickets per run (deflected excluded)", 0.0)
    target_minutes: float | None = _unit("min (None: each ticket's queue target)")
    goal: float | None = _unit("share of tickets")
    attainment: float | None = _unit("share of tickets answered within target")
    attainment_ci95: tuple[float | None, float | None] | None = _unit(
        "share of tickets (95% t interval over replications or days)"
    )
    goal_met: bool | None = _unit("flag")
    missed_sla_tickets: float = _unit("tickets per run", 0.0)
    monthly_value: float = _unit("{currency} per customer per month", 0.0)
    revenue_at_risk: float = _unit("{currency} per run", 0.0)


@dataclass(frozen=True, slots=True)
class Occupancy:
    """Busy time over available time (on shift, not on break, not absent)."""

    mean: float | None = _unit("share of available time")
    max_agent: float | None = _unit("share of available time (busiest agent)")
    cap: float | None = _unit("share of available time (labor_rules.max_occupancy)")


@dataclass(frozen=True, slots=True)
class Premiums:
    """Premiums paid on top of base pay, over the whole horizon."""

    night: float = _unit("{currency} per run", 0.0)
    weekend: float = _unit("{currency} per run", 0.0)
    holiday: float = _unit("{currency} per run", 0.0)
    overtime: float = _unit("{currency} per run", 0.0)


@dataclass(frozen=True, slots=True)
class QueueGroupCost:
    """Agent cost of one language x channel: each agent's pay split by the time the agent
    spent on each (idle time pro rata)."""

    language: str = _unit("language tag", "")
    channel: str = _unit("channel", "")
    busy_hours: float = _unit("agent-hours handling tickets per run", 0.0)
    contacts: float = _unit("tickets per run (all arrivals, deflected included)", 0.0)
    total: float = _unit("{currency} per run", 0.0)
    per_week: float = _unit("{currency} per week", 0.0)
    per_contact: float | None = _unit("{currency} per contact")
    share: float = _unit("share of staff cost", 0.0)


@dataclass(frozen=True, slots=True)
class Cost:
    """Staff cost, cost ratios and the money at risk from missed targets."""

    currency: str = _unit("currency code", "")
    weeks: float = _unit("weeks simulated (the horizon in whole days), the per-week divisor", 0.0)
    staff_total: float = _unit("{currency} per run", 0.0)
    per_week: float = _unit("{currency} per week (staff)", 0.0)
    per_ticket: float | None = _unit(
        "{currency} per ticket that reached an agent (handled or open); kept for older "
        "readers, see per_contact and per_handled_ticket"
    )
    per_contact: float | None = _unit(
        "{currency} per contact: (staff + bot cost) / every arrival, deflected included"
    )
    per_handled_ticket: float | None = _unit("{currency} per ticket an agent handled (staff)")
    bot_total: float = _unit("{currency} per run (costs.bot_cost_per_contact x deflected)", 0.0)
    bot_per_week: float = _unit("{currency} per week", 0.0)
    paid_hours: float = _unit("h per run", 0.0)
    premiums: Premiums = field(default_factory=Premiums)
    by_team: Mapping[str, float] = _unit_factory("{currency} per run", dict)
    by_queue_group: tuple[QueueGroupCost, ...] = ()
    missed_sla_tickets: float = _unit("tickets per run", 0.0)
    missed_sla_tickets_per_week: float = _unit("tickets per week", 0.0)
    revenue_at_risk: float = _unit("{currency} per run", 0.0)
    revenue_at_risk_per_week: float = _unit("{currency} per week", 0.0)


@dataclass(frozen=True, slots=True)
class Burnout:
    """Agent-weeks breaking a labour limit (first replication)."""

    agents: int = _unit("agents", 0)
    agents_at_risk: int = _unit("agents", 0)
    agent_weeks_at_risk: int = _unit("agent-weeks per run", 0)
    violations: int = _unit("rule breaks per run (agent-weeks x rules)", 0)
    violations_by_rule: Mapping[str, int] = _unit_factory("rule breaks per run", dict)


@dataclass(frozen=True, slots=True)
class CoverageGap:
    """Hours in which a language x channel that customers use has nobody on shift."""

    language: str = _unit("language tag", "")
    channel: str = _unit("channel", "")
    hours_per_week_uncovered: float = _unit("h per week", 0.0)
    tickets_per_week_in_gaps: float = _unit("tickets per week", 0.0)


@dataclass(frozen=True, slots=True)
class ReplicationKpis:
    """One replication's headline figures, for deltas paired by replication."""

    attainment: float | None = _unit("share of tickets")
    cost_per_week: float | None = _unit("{currency} per week")
    cost_per_contact: float | None = _unit("{currency} per contact")
    first_response_p90_minutes: float | None = _unit("min")
    abandoned_per_week: float | None = _unit("tickets per week")
    revenue_at_risk_per_week: float | None = _unit("{currency} per week")


@dataclass(frozen=True, slots=True)
class Summary:
    """The KPIs of a set of replications of one scenario (the contents of summary.json)."""

    scenario: str = ""
    description: str = ""
    replications: int = _unit("replications", 1)
    seed: int | None = None
    horizon: Horizon = field(default_factory=Horizon)
    tickets: TicketCounts = field(default_factory=TicketCounts)
    first_response: FirstResponse = field(default_factory=FirstResponse)
    sla: Sla = field(default_factory=Sla)
    by_queue: tuple[QueueKpis, ...] = ()
    resolution: Resolution = field(default_factory=Resolution)
    contacts: Contacts = field(default_factory=Contacts)
    by_segment: tuple[SegmentKpis, ...] = ()
    occupancy: Occupancy = field(default_factory=Occupancy)
    cost: Cost = field(default_factory=Cost)
    burnout: Burnout = field(default_factory=Burnout)
    coverage_gaps: tuple[CoverageGap, ...] = ()
    per_replication: tuple[ReplicationKpis, ...] = ()

    @property
    def weeks(self) -> float:
        """Length of the run in weeks: the simulated horizon (whole days), which every
        per-week figure divides by."""
        return self.cost.weeks or self.horizon.weeks

    def to_json(self) -> dict[str, Any]:
        """The summary.json mapping: plain JSON data (NaN and infinity as null), with a
        ``units`` section naming the unit and period of every figure."""
        data = _plain(self)
        data["units"] = units(self.cost.currency)
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Summary:
        """Read a summary.json mapping; missing keys take their defaults (None or zero)."""
        return _read(cls, data)


def goals_text(sla: Sla) -> str:
    """How many queues meet their goal, in words that cannot be misread
    (``1 of 3 queues misses its goal (2 meet it)``)."""
    n, met = sla.queues_with_goal, sla.queues_meeting_goal
    if n == 0:
        return "no queue has a goal"
    if met == n:
        return f"all {n} queues meet their goal" if n > 1 else "the one queue meets its goal"
    missing = n - met
    verb = "misses its" if missing == 1 else "miss their"
    return f"{missing} of {n} queues {verb} goal ({met} meet{'s' if met == 1 else ''} it)"


def as_summary(value: Summary | Mapping[str, Any]) -> Summary:
    """A :class:`Summary` as it is, or one read from a summary.json mapping."""
    return value if isinstance(value, Summary) else Summary.from_json(value)


def read_json(cls: type[T], data: T | Mapping[str, Any]) -> T:
    """One section (any dataclass of this module) as it is, or read from its JSON mapping."""
    return data if isinstance(data, cls) else _read(cls, data)  # type: ignore[arg-type]


# --------------------------------------------------------------------------- JSON


def _plain(value: Any) -> Any:
    """Dataclasses, mappings and sequences as JSON data; non-finite floats as None."""
    if is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value)}
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _read(cls: type[Any], data: Mapping[str, Any]) -> Any:
    hints = get_type_hints(cls)
    kwargs = {
        f.name: _convert(hints[f.name], data[f.name])
        for f in fields(cls)
        if f.name in data and data[f.name] is not None
    }
    return cls(**kwargs)


def _convert(kind: Any, value: Any) -> Any:
    """``value`` (JSON data) as the annotated type ``kind``."""
    if value is None:
        return None
    origin, args = get_origin(kind), get_args(kind)
    if origin in (Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        return _convert(inner[0], value) if len(inner) == 1 else value
    if isinstance(kind, type) and is_dataclass(kind):
        return _read(kind, value) if isinstance(value, Mapping) else kind()
    if origin is tuple:
        if len(args) == 2 and args[1] is Ellipsis:
            return tuple(_convert(args[0], v) for v in value)
        return tuple(_convert(a, v) for a, v in zip(args, value, strict=False))
    if origin in (dict, Mapping) or kind is Mapping:
        return {str(k): _convert(args[1], v) if args else v for k, v in value.items()}
    if kind in (float, int, str, bool):
        return kind(value)
    return value


def units(currency: str = "") -> dict[str, str]:
    """Unit and period of every figure of summary.json, by dotted key path (``[]`` marks
    the items of a list)."""
    out: dict[str, str] = {}

    def walk(cls: type[Any], prefix: str) -> None:
        hints = get_type_hints(cls)
        for f in fields(cls):
            path = f"{prefix}{f.name}"
            kind = hints[f.name]
            inner = get_args(kind)[0] if get_origin(kind) is tuple and get_args(kind) else None
            if isinstance(kind, type) and is_dataclass(kind):
                walk(kind, path + ".")
            elif isinstance(inner, type) and is_dataclass(inner):
                walk(inner, path + "[].")
            elif "unit" in f.metadata:
                out[path] = f.metadata["unit"].replace("{currency}", currency or "currency")

    walk(Summary, "")
    return out


# --------------------------------------------------------------------------- KPIs


@dataclass(frozen=True, slots=True)
class Kpi:
    """One headline figure of a scenario, as compare and sweep show it.

    ``kind`` tells how to write it: ``money`` (in the currency), ``share`` (0..1),
    ``minutes`` or ``count``, with ``digits`` decimals. ``better`` is +1 when higher is
    better, -1 when lower is better and 0 when neither can be said from the figure alone.
    ``in_report`` is False for figures kept in the tables for older readers but not shown
    in reports.
    """

    name: str
    label: str
    unit: str
    kind: str
    better: int
    read: Callable[[Summary], float | None]
    in_report: bool = True
    digits: int = 0

    def unit_for(self, currency: str) -> str:
        """The unit with the currency filled in."""
        return self.unit.replace("{currency}", currency or "currency")

    def heading(self, currency: str) -> str:
        """The figure's words with its unit and period: ``staff cost (USD per week)``."""
        return f"{self.label} ({self.unit_for(currency)})"


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "cost_per_week",
        "staff cost",
        "{currency} per week",
        "money",
        -1,
        lambda s: s.cost.per_week,
    ),
    # Cost per contact and per handled ticket are not called better or worse: they fall
    # when the same staff answer more tickets, whether or not the service holds.
    Kpi(
        "cost_per_contact",
        "cost per contact, bot included",
        "{currency}",
        "money",
        0,
        lambda s: s.cost.per_contact,
        digits=2,
    ),
    Kpi(
        "cost_per_handled_ticket",
        "staff cost per agent-handled ticket",
        "{currency}",
        "money",
        0,
        lambda s: s.cost.per_handled_ticket,
        digits=2,
    ),
    Kpi(
        "cost_per_ticket",
        "staff cost per ticket that reached an agent",
        "{currency}",
        "money",
        0,
        lambda s: s.cost.per_ticket,
        in_report=False,
        digits=2,
    ),
    Kpi(
        "attainment",
        "SLA attainment, all queues",
        "% answered within target",
        "share",
        +1,
        lambda s: s.sla.attainment,
    ),
    Kpi(
        "queues_meeting_goal",
        "queues meeting their goal",
        "queues",
        "count",
        +1,
        lambda s: s.sla.queues_meeting_goal,
    ),
    Kpi(
        "first_response_p90_minutes",
        "first response, 90th percentile",
        "answered tickets",
        "minutes",
        -1,
        lambda s: s.first_response.p90_minutes,
    ),
    Kpi(
        "abandoned_per_week",
        "tickets abandoned",
        "tickets per week",
        "count",
        -1,
        lambda s: s.tickets.abandoned / s.weeks if s.weeks else None,
    ),
    Kpi(
        "abandoned",
        "tickets abandoned",
        "tickets over the run",
        "count",
        -1,
        lambda s: s.tickets.abandoned,
        in_report=False,
    ),
    Kpi(
        "occupancy",
        "occupancy, mean",
        "% of available time",
        "share",
        0,
        lambda s: s.occupancy.mean,
    ),
    Kpi(
        "burnout_violations",
        "labour-rule breaks",
        "agent-week rule breaks over the run",
        "count",
        -1,
        lambda s: s.burnout.violations,
    ),
    Kpi(
        "burnout_agents_at_risk",
        "agents at burnout risk",
        "agents",
        "count",
        -1,
        lambda s: s.burnout.agents_at_risk,
    ),
    Kpi(
        "revenue_at_risk_per_week",
        "revenue at risk",
        "{currency} per week",
        "money",
        -1,
        lambda s: s.cost.revenue_at_risk_per_week,
    ),
    Kpi(
        "revenue_at_risk",
        "revenue at risk",
        "{currency} over the run",
        "money",
        -1,
        lambda s: s.cost.revenue_at_risk,
        in_report=False,
    ),
)
"""The headline figures of a scenario, in the order reports show them."""

KPI_BY_NAME: dict[str, Kpi] = {k.name: k for k in KPIS}

ROW_INFO = ("scenario", "currency", "weeks", "replications", "goal_met", "queues_with_goal")
"""Columns of a KPI row that describe the scenario rather than measure it."""


def kpi_row(summary: Summary) -> dict[str, Any]:
    """One summary's headline figures as a flat row: :data:`ROW_INFO`, then :data:`KPIS`."""
    row: dict[str, Any] = {
        "scenario": summary.scenario,
        "currency": summary.cost.currency,
        "weeks": summary.weeks,
        "replications": summary.replications,
        "goal_met": summary.sla.goal_met,
        "queues_with_goal": summary.sla.queues_with_goal,
    }
    for kpi in KPIS:
        row[kpi.name] = kpi.read(summary)
    return row


def replication_values(summary: Summary, name: str) -> list[float | None] | None:
    """Each replication's value of a KPI, or None when it is not kept per replication."""
    if name not in ReplicationKpis.__dataclass_fields__:
        return None
    return [getattr(r, name) for r in summary.per_replication]


def pareto_mask(cost: Sequence[float] | np.ndarray, service: Sequence[float] | np.ndarray) -> Any:
    """Points that no other point beats on both cost (lower) and service (higher).

    A point with an unknown cost or service is never on the frontier.
    """
    cost_a = np.asarray(cost, dtype=float)
    service_a = np.asarray(service, dtype=float)
    mask = np.isfinite(cost_a) & np.isfinite(service_a)
    cost_a = np.where(mask, cost_a, np.inf)
    service_a = np.where(mask, service_a, -np.inf)
    for i in np.flatnonzero(mask):
        better = (cost_a <= cost_a[i]) & (service_a >= service_a[i])
        strictly = (cost_a < cost_a[i]) | (service_a > service_a[i])
        mask[i] = not np.any(better & strictly)
    return mask
