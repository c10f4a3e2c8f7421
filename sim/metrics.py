"""Metrics: raw replication logs become tidy tables and the KPI summary.

Tables carry their unit in ``df.attrs["unit"]`` where a single unit applies. Confidence
intervals are computed here: across replications (a t interval over replication means)
when there are two or more, otherwise across batches of whole days of the one run (batch
means). SLA attainment counts abandoned tickets as misses; tickets still waiting at the end
of the horizon count as misses once they have waited past the target, and are left out
otherwise (their outcome is unknown); balked and blocked tickets are misses too. A ticket is
one customer: with retrials, its first response is measured from its first attempt
(per customer), and per attempt from the attempt answered. A customer segment with a target
of its own measures its tickets against it. Must not import SimPy, Pyomo or plotly.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from scenarios.calendar import horizon_origin
from scenarios.schema import Scenario
from sim.engine import (
    OUTCOME_ABANDONED,
    OUTCOME_BALKED,
    OUTCOME_BLOCKED,
    OUTCOME_DEFLECTED,
    OUTCOME_HANDLED,
    OUTCOME_OPEN,
    Queue,
    SimResult,
)
from sim.results import ATTEMPT_NAMES, OUTCOME_NAMES


def queue_label(q: Queue) -> str:
    """Human-readable queue name: ``en/chat/normal`` (``/tier2`` for escalation queues)."""
    base = f"{q.language}/{q.channel}/{q.priority}"
    return base if q.tier == 1 else f"{base}/tier{q.tier}"


def mean_ci95(values: Sequence[float] | np.ndarray) -> tuple[float, float, float]:
    """Mean and 95% t-interval of independent estimates (replications or batches)."""
    x = np.asarray(values, dtype=float)
    x = x[np.isfinite(x)]
    if len(x) == 0:
        return (float("nan"),) * 3
    mean = float(x.mean())
    if len(x) < 2:
        return mean, float("nan"), float("nan")
    # Student t quantile through scipy.special: scipy.stats costs half a second to import.
    half = float(special.stdtrit(len(x) - 1, 0.975) * x.std(ddof=1) / np.sqrt(len(x)))
    return mean, mean - half, mean + half


@dataclass(frozen=True, slots=True)
class QueueTarget:
    target_minutes: float | None
    goal: float | None


def queue_targets(scenario: Scenario, queues: list[Queue]) -> list[QueueTarget]:
    """Each queue's first-response target and goal (None where no service level applies)."""
    out = []
    for q in queues:
        sl = scenario.service_level_for(q.language, q.channel, q.priority) if q.tier == 1 else None
        out.append(QueueTarget(sl.answer_within, sl.goal) if sl else QueueTarget(None, None))
    return out


def ticket_frame(scenario: Scenario, result: SimResult, replication: int = 0) -> pd.DataFrame:
    """One row per ticket: ids, stream, queue, arrival, first response, resolution, outcome.

    Times are UTC timestamps; ``first_response_minutes`` and ``resolution_hours`` are the
    waits measured from arrival.
    """
    origin = horizon_origin(scenario)
    t = result.tickets
    n = len(t)
    streams = scenario.demand.streams
    stream_names = np.array([s.name for s in streams], dtype=object)
    labels = np.array([queue_label(q) for q in result.queues], dtype=object)
    agents = np.concatenate(
        [result.staffing.agents["agent"].to_numpy(dtype=object), np.array([None], dtype=object)]
    )
    # Touches of warm-up tickets (ticket -1) count for agents, not for any ticket here.
    own = result.touch_ticket[result.touch_ticket >= 0]
    touches = np.bincount(own, minlength=n) if n else np.zeros(0, int)
    q = result.ticket_queue
    segment_names = [seg.name for seg in scenario.demand.segments]
    segment_codes = t.segment if t.segment is not None else np.full(n, -1, dtype=np.int8)
    frt = result.first_response - t.arrival

    def stamp(minutes: np.ndarray) -> pd.DatetimeIndex:
        return origin + pd.to_timedelta(minutes, unit="min")

    frame = pd.DataFrame(
        {
            "replication": np.full(n, replication, dtype=np.int32),
            "ticket_id": np.arange(n, dtype=np.int64),
            "stream": pd.Categorical.from_codes(t.stream, categories=stream_names)
            if n
            else pd.Categorical([]),
            "queue": pd.Categorical.from_codes(q, categories=labels) if n else pd.Categorical([]),
            "language": np.array([s.language for s in streams], dtype=object)[t.stream],
            "channel": np.array([s.channel for s in streams], dtype=object)[t.stream],
            "priority": np.array([r.priority for r in result.queues], dtype=object)[q]
            if n
            else np.array([], dtype=object),
            "arrival": stamp(t.arrival),
            "first_response": stamp(result.first_response),
            "resolution": stamp(result.resolved),
            "first_response_minutes": frt,
            "resolution_hours": (result.resolved - t.arrival) / 60.0,
            "agent": agents[np.where(result.first_agent >= 0, result.first_agent, -1)],
            "outcome": pd.Categorical.from_codes(result.outcome, categories=list(OUTCOME_NAMES)),
            "touches": touches.astype(np.int16),
            "attempts": attempts(result).astype(np.int16),
            "segment": pd.Categorical.from_codes(segment_codes, categories=segment_names),
            "escalated": t.escalate & (result.outcome == OUTCOME_HANDLED),
            "reopened": t.reopen & (result.outcome == OUTCOME_HANDLED),
        }
    )
    frame.attrs["unit"] = {"first_response_minutes": "min", "resolution_hours": "h"}
    return frame


def segment_targets(scenario: Scenario) -> list[float | None]:
    """Each customer segment's own first-response target in minutes (None: its queue's)."""
    return [seg.answer_within for seg in scenario.demand.segments]


def attempts(result: SimResult) -> np.ndarray:
    """Attempts each ticket made (1 without retrials)."""
    if len(result.attempts) == len(result.tickets):
        return result.attempts
    return np.ones(len(result.tickets), dtype=np.int32)


def attempt_arrival(result: SimResult) -> np.ndarray:
    """Start of each ticket's last attempt (its arrival without retrials)."""
    if len(result.attempt_arrival) == len(result.tickets):
        return result.attempt_arrival
    return result.tickets.arrival


def ticket_target(
    result: SimResult, targets: list[QueueTarget], segments: Sequence[float | None] = ()
) -> np.ndarray:
    """Each ticket's first-response target in minutes (NaN: none): its segment's own,
    else its queue's."""
    target = np.array([np.nan if x.target_minutes is None else x.target_minutes for x in targets])[
        result.ticket_queue
    ]
    seg = result.tickets.segment
    if seg is not None and any(x is not None for x in segments):
        own = np.array([np.nan if x is None else x for x in segments] + [np.nan])[seg]
        target = np.where(np.isfinite(own), own, target)
    return target


def met_mask(
    result: SimResult, targets: list[QueueTarget], segments: Sequence[float | None] = ()
) -> tuple[np.ndarray, np.ndarray]:
    """Per ticket: whether it counts for SLA, and whether it met its target (its segment's
    own, else its queue's; see :func:`segment_targets`)."""
    t = result.tickets
    target = ticket_target(result, targets, segments)
    wait = result.first_response - t.arrival
    open_wait = result.horizon_minutes - t.arrival
    answered = np.isfinite(wait)
    met = answered & (wait <= target + 1e-9)
    open_ = result.outcome == OUTCOME_OPEN
    counted = (result.outcome != OUTCOME_DEFLECTED) & np.isfinite(target)
    # A ticket still waiting at the horizon is a miss only once it is past its target.
    counted &= ~(open_ & ~answered & (open_wait <= target))
    return counted, met


def _batches(result: SimResult, n_batches: int) -> np.ndarray:
    """Batch number of each ticket: equal slices of the horizon by arrival time."""
    edges = np.linspace(0, result.horizon_minutes, n_batches + 1)
    return np.clip(
        np.searchsorted(edges, result.tickets.arrival, side="right") - 1, 0, n_batches - 1
    )


def queue_replication_table(scenario: Scenario, results: Sequence[SimResult]) -> pd.DataFrame:
    """One row per queue x replication (or x batch when there is one replication).

    Columns: ``unit`` (replication or batch number), ``queue`` index, ``arrived``,
    ``counted``, ``met``, ``abandoned``, ``balked``, ``blocked``, ``answered``, ``frt_sum``
    (minutes).
    """
    rows = []
    batched = len(results) == 1
    for r_i, result in enumerate(results):
        targets = queue_targets(scenario, result.queues)
        counted, met = met_mask(result, targets, segment_targets(scenario))
        n_units = max(2, min(20, round(result.horizon_minutes / 1440))) if batched else 1
        unit = _batches(result, n_units) if batched else np.full(len(result.tickets), r_i)
        live = result.outcome != OUTCOME_DEFLECTED
        wait = result.first_response - result.tickets.arrival
        key = result.ticket_queue.astype(np.int64) * 10_000 + unit
        frame = pd.DataFrame(
            {
                "key": key[live],
                "counted": counted[live],
                "met": (met & counted)[live],
                "abandoned": (result.outcome == OUTCOME_ABANDONED)[live],
                "balked": (result.outcome == OUTCOME_BALKED)[live],
                "blocked": (result.outcome == OUTCOME_BLOCKED)[live],
                "answered": np.isfinite(wait)[live],
                "frt": np.nan_to_num(wait, nan=0.0)[live],
            }
        )
        g = frame.groupby("key").agg(
            arrived=("counted", "size"),
            counted=("counted", "sum"),
            met=("met", "sum"),
            abandoned=("abandoned", "sum"),
            balked=("balked", "sum"),
            blocked=("blocked", "sum"),
            answered=("answered", "sum"),
            frt_sum=("frt", "sum"),
        )
        g["queue"] = (g.index // 10_000).astype(int)
        g["unit"] = (g.index % 10_000).astype(int)
        rows.append(g.reset_index(drop=True))
    return pd.concat(rows, ignore_index=True) if rows else pd.DataFrame()


def by_queue(scenario: Scenario, results: Sequence[SimResult]) -> list[dict[str, object]]:
    """The ``by_queue`` list of summary.json: attainment with a 95% interval per queue."""
    queues = results[0].queues
    targets = queue_targets(scenario, queues)
    table = queue_replication_table(scenario, results)
    out = []
    n_rep = len(results)
    for q_i, (q, target) in enumerate(zip(queues, targets, strict=True)):
        rows = table[table["queue"] == q_i]
        arrived = int(rows["arrived"].sum())
        if arrived == 0:
            continue
        with np.errstate(invalid="ignore", divide="ignore"):
            per_unit = (rows["met"] / rows["counted"]).to_numpy()
        counted = rows["counted"].sum()
        attainment = float(rows["met"].sum() / counted) if counted and target.goal else None
        _, lo, hi = mean_ci95(per_unit) if target.goal else (None, float("nan"), float("nan"))
        answered = rows["answered"].sum()
        out.append(
            {
                "language": q.language,
                "channel": q.channel,
                "priority": q.priority,
                "tier": q.tier,
                "queue": queue_label(q),
                "arrived": round(arrived / n_rep, 1),
                "target_minutes": target.target_minutes,
                "goal": target.goal,
                "attainment": attainment,
                "attainment_ci95": [_finite(lo), _finite(hi)] if target.goal else None,
                "goal_met": (attainment >= target.goal - 1e-12)
                if attainment is not None and target.goal is not None
                else None,
                "mean_first_response_minutes": _finite(rows["frt_sum"].sum() / answered)
                if answered
                else None,
                "abandonment_rate": float(rows["abandoned"].sum() / arrived),
                "balked_rate": float(rows["balked"].sum() / arrived),
                "blocked_rate": float(rows["blocked"].sum() / arrived),
            }
        )
    return out


def _finite(x: float | None) -> float | None:
    if x is None or not np.isfinite(x):
        return None
    return float(x)


def interval_table(
    scenario: Scenario,
    results: Sequence[SimResult],
    staffed: pd.DataFrame,
    required: pd.DataFrame | None = None,
) -> pd.DataFrame:
    """Per interval and queue: arrivals, staffed, required, attainment, backlog.

    Arrivals and attainment are averaged over replications (attainment by arrival
    interval); backlog is the number waiting at the interval's start; ``staffed`` is the
    number of agents on shift (not on break, not absent) who have the queue's skill, from
    the first replication; ``required`` comes from the optimizer's requirement formulas
    when given.
    """
    minutes = scenario.horizon.interval_minutes
    origin = horizon_origin(scenario)
    queues = results[0].queues
    n_int = int(results[0].horizon_minutes // minutes)
    targets = queue_targets(scenario, queues)
    arrivals = np.zeros((n_int, len(queues)))
    met = np.zeros((n_int, len(queues)))
    counted = np.zeros((n_int, len(queues)))
    backlog = np.zeros((n_int, len(queues)))
    for result in results:
        live = result.outcome != OUTCOME_DEFLECTED
        slot = np.minimum((result.tickets.arrival // minutes).astype(np.int64), n_int - 1)
        q = result.ticket_queue
        np.add.at(arrivals, (slot[live], q[live]), 1)
        c, m = met_mask(result, targets, segment_targets(scenario))
        np.add.at(counted, (slot[c], q[c]), 1)
        np.add.at(met, (slot[c & m], q[c & m]), 1)
        b = result.sample_backlog[:n_int]
        backlog[: len(b)] += b
    k = len(results)
    with np.errstate(invalid="ignore", divide="ignore"):
        attainment = np.where(counted > 0, met / counted, np.nan)
    frame = pd.DataFrame(
        {
            "interval_start": np.repeat(
                origin + pd.to_timedelta(np.arange(n_int) * minutes, unit="min"), len(queues)
            ),
            "queue": np.tile([queue_label(q) for q in queues], n_int),
            "language": np.tile([q.language for q in queues], n_int),
            "channel": np.tile([q.channel for q in queues], n_int),
            "priority": np.tile([q.priority for q in queues], n_int),
            "tier": np.tile([q.tier for q in queues], n_int),
            "arrivals": (arrivals / k).ravel(),
            "attainment": attainment.ravel(),
            "backlog": (backlog / k).ravel(),
        }
    )
    frame = frame.merge(staffed, on=["interval_start", "language", "channel", "tier"], how="left")
    frame["staffed"] = frame["staffed"].fillna(0.0)
    if required is not None:
        frame = frame.merge(
            required[["interval_start", "queue", "required"]],
            on=["interval_start", "queue"],
            how="left",
        )
    else:
        frame["required"] = np.nan
    return frame


def first_response_stats(results: Sequence[SimResult]) -> dict[str, float | None]:
    """Mean and percentiles (minutes) of first response over answered tickets."""
    waits = np.concatenate([r.first_response - r.tickets.arrival for r in results])
    waits = waits[np.isfinite(waits)]
    if len(waits) == 0:
        return {k: None for k in ("mean_minutes", "p50_minutes", "p90_minutes", "p95_minutes")}
    p50, p90, p95 = np.percentile(waits, [50, 90, 95])
    return {
        "mean_minutes": float(waits.mean()),
        "p50_minutes": float(p50),
        "p90_minutes": float(p90),
        "p95_minutes": float(p95),
    }


def resolution_stats(results: Sequence[SimResult]) -> dict[str, float | None]:
    """Mean and 90th percentile (hours) of resolution time over handled tickets."""
    hours = np.concatenate(
        [(r.resolved - r.tickets.arrival)[r.outcome == OUTCOME_HANDLED] / 60.0 for r in results]
    )
    if len(hours) == 0:
        return {"mean_hours": None, "p90_hours": None}
    return {"mean_hours": float(hours.mean()), "p90_hours": float(np.percentile(hours, 90))}


def ticket_counts(results: Sequence[SimResult]) -> dict[str, float]:
    """Tickets per outcome, averaged over replications (arrived includes deflected)."""
    k = len(results)
    counts = np.zeros(len(OUTCOME_NAMES))
    for r in results:
        counts += np.bincount(r.outcome, minlength=len(OUTCOME_NAMES))[: len(OUTCOME_NAMES)]
    counts /= k
    return {
        "arrived": float(counts.sum()),
        "deflected": float(counts[OUTCOME_DEFLECTED]),
        "handled": float(counts[OUTCOME_HANDLED]),
        "abandoned": float(counts[OUTCOME_ABANDONED]),
        "open": float(counts[OUTCOME_OPEN]),
        "balked": float(counts[OUTCOME_BALKED]),
        "blocked": float(counts[OUTCOME_BLOCKED]),
    }


def overall_sla(
    scenario: Scenario, results: Sequence[SimResult]
) -> tuple[float | None, float, int]:
    """Attainment over all tickets with a target; and the tickets that missed (per rep)."""
    met_total = counted_total = 0
    for r in results:
        c, m = met_mask(r, queue_targets(scenario, r.queues), segment_targets(scenario))
        met_total += int((c & m).sum())
        counted_total += int(c.sum())
    if counted_total == 0:
        return None, 0.0, 0
    missed = (counted_total - met_total) / len(results)
    return met_total / counted_total, missed, counted_total


# --------------------------------------------------------------------------- contacts


def _percentiles(waits: np.ndarray) -> dict[str, float | None]:
    """Mean and percentiles of waits in minutes (None when there are none)."""
    if len(waits) == 0:
        return {k: None for k in ("mean_minutes", "p50_minutes", "p90_minutes", "p95_minutes")}
    p50, p90, p95 = np.percentile(waits, [50, 90, 95])
    return {
        "mean_minutes": float(waits.mean()),
        "p50_minutes": float(p50),
        "p90_minutes": float(p90),
        "p95_minutes": float(p95),
    }


def contact_stats(results: Sequence[SimResult]) -> dict[str, Any]:
    """Attempts of live contacts: retrials, blocked, balked, abandoned, lost customers, and
    first response per attempt (from the answered attempt) and per customer (from the first).

    Counts are means per replication. An attempt fails by abandoning, balking, being blocked
    by busy lines, or arriving while its stream is out (``blocked_in_outage``).
    """
    k = len(results)
    tickets = retrials = 0.0
    failed = np.zeros(len(ATTEMPT_NAMES))
    lost = 0.0
    per_attempt, per_customer = [], []
    for r in results:
        live = r.outcome != OUTCOME_DEFLECTED
        n_attempts = attempts(r)
        tickets += float(live.sum())
        retrials += float((n_attempts[live] - 1).sum())
        failed += np.bincount(r.failed_kind, minlength=len(ATTEMPT_NAMES))[: len(ATTEMPT_NAMES)]
        lost += float(
            np.isin(r.outcome, (OUTCOME_ABANDONED, OUTCOME_BALKED, OUTCOME_BLOCKED)).sum()
        )
        answered = np.isfinite(r.first_response)
        per_attempt.append((r.first_response - attempt_arrival(r))[answered])
        per_customer.append((r.first_response - r.tickets.arrival)[answered])
    by_kind = dict(zip(ATTEMPT_NAMES, (failed / k).tolist(), strict=True))
    return {
        "customers": tickets / k,
        "attempts": (tickets + retrials) / k,
        "retrials": retrials / k,
        "abandoned": by_kind["abandoned"],
        "balked": by_kind["balked"],
        "blocked": by_kind["blocked"],
        "blocked_in_outage": by_kind["outage"],
        "customers_lost": lost / k,
        "first_response_per_attempt": _percentiles(np.concatenate(per_attempt)),
        "first_response_per_customer": _percentiles(np.concatenate(per_customer)),
    }


# --------------------------------------------------------------------------- resolution


def resolution_mask(
    scenario: Scenario, result: SimResult
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per ticket: its resolution target (minutes, NaN: none), whether it counts, and
    whether it was resolved within it. Like first response: abandoned, balked and blocked
    tickets are misses; a ticket open at the end is a miss once past its target."""
    targets = np.array(
        [
            (lambda rt: np.nan if rt is None else rt[0])(
                scenario.resolution_target_for(q.language, q.channel, q.priority)
                if q.tier == 1
                else None
            )
            for q in result.queues
        ]
        + [np.nan]
    )[result.ticket_queue]
    t = result.tickets
    took = result.resolved - t.arrival
    handled = result.outcome == OUTCOME_HANDLED
    met = handled & (took <= targets + 1e-9)
    open_ = result.outcome == OUTCOME_OPEN
    counted = (result.outcome != OUTCOME_DEFLECTED) & np.isfinite(targets)
    counted &= ~(open_ & (result.horizon_minutes - t.arrival <= targets))
    return targets, counted, met


def _unit_of_ticket(result: SimResult, batched: bool, r_i: int) -> np.ndarray:
    """Replication number of each ticket, or its batch of days in a single run."""
    if not batched:
        return np.full(len(result.tickets), r_i)
    n_units = max(2, min(20, round(result.horizon_minutes / 1440)))
    return _batches(result, n_units)


def _attainment(
    parts: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray]], n_rep: int
) -> tuple[float | None, list[float | None], float, float]:
    """Attainment of (counted, met, unit) parts: overall, its 95% interval over units, and
    counted and missed tickets per replication."""
    counted = sum(int(c.sum()) for c, _, _ in parts)
    met = sum(int((m & c).sum()) for c, m, _ in parts)
    if counted == 0:
        return None, [None, None], 0.0, 0.0
    per_unit = []
    for c, m, unit in parts:
        for u in np.unique(unit[c]):
            mine = c & (unit == u)
            per_unit.append((m & mine).sum() / mine.sum())
    _, lo, hi = mean_ci95(per_unit)
    return met / counted, [_finite(lo), _finite(hi)], counted / n_rep, (counted - met) / n_rep


def resolution_by_queue(scenario: Scenario, results: Sequence[SimResult]) -> dict[str, Any]:
    """Resolution attainment per queue with a resolution target, and over all of them.

    Returns ``{"attainment", "goal_met", "queues_with_goal", "queues_meeting_goal",
    "by_queue": {label: {...}}}``.
    """
    queues = results[0].queues
    batched = len(results) == 1
    masks = [resolution_mask(scenario, r) for r in results]
    units = [_unit_of_ticket(r, batched, i) for i, r in enumerate(results)]
    all_parts = [(c, m, u) for (_, c, m), u in zip(masks, units, strict=True)]
    overall, _, _, _ = _attainment(all_parts, len(results))
    per_queue: dict[str, Any] = {}
    goals_met = []
    for q_i, q in enumerate(queues):
        rt = scenario.resolution_target_for(q.language, q.channel, q.priority)
        if rt is None or q.tier != 1:
            continue
        parts = [
            (c & (r.ticket_queue == q_i), m, u)
            for (_, c, m), u, r in zip(masks, units, results, strict=True)
        ]
        att, ci, _, _ = _attainment(parts, len(results))
        met_goal = None if att is None else att >= rt[1] - 1e-12
        if met_goal is not None:
            goals_met.append(met_goal)
        per_queue[queue_label(q)] = {
            "resolution_target_hours": rt[0] / 60.0,
            "resolution_goal": rt[1],
            "resolution_attainment": att,
            "resolution_attainment_ci95": ci,
            "resolution_goal_met": met_goal,
        }
    return {
        "attainment": overall,
        "goal_met": bool(all(goals_met)) if goals_met else None,
        "queues_with_goal": len(goals_met),
        "queues_meeting_goal": sum(goals_met),
        "by_queue": per_queue,
    }


# --------------------------------------------------------------------------- segments


def revenue_at_risk(scenario: Scenario, missed: float, segment: str | None = None) -> float:
    """Money at risk from ``missed`` tickets that missed their target: missed x churn
    probability per miss x the customer's monthly value (the segment's own, else
    ``business.customer_monthly_value``) x ``value_months``."""
    b = scenario.business
    value = b.customer_monthly_value
    if segment is not None:
        own = scenario.segment(segment).monthly_value
        value = own if own is not None else value
    return missed * b.churn_probability_per_missed_sla * value * b.value_months


def by_segment(scenario: Scenario, results: Sequence[SimResult]) -> list[dict[str, Any]]:
    """Per customer segment: tickets, attainment against the segment's targets (its own,
    else its queues'), tickets that missed, and revenue at risk (empty without segments)."""
    segments = scenario.demand.segments
    if not segments:
        return []
    batched = len(results) == 1
    seg_targets = segment_targets(scenario)
    parts_by_segment: list[list[tuple[np.ndarray, np.ndarray, np.ndarray]]] = [[] for _ in segments]
    arrived = np.zeros(len(segments))
    for r_i, r in enumerate(results):
        counted, met = met_mask(r, queue_targets(scenario, r.queues), seg_targets)
        unit = _unit_of_ticket(r, batched, r_i)
        seg = r.tickets.segment if r.tickets.segment is not None else np.full(len(r.tickets), -1)
        live = r.outcome != OUTCOME_DEFLECTED
        for s_i in range(len(segments)):
            mine = seg == s_i
            arrived[s_i] += float((mine & live).sum())
            parts_by_segment[s_i].append((counted & mine, met, unit))
    out = []
    for s_i, seg_spec in enumerate(segments):
        att, ci, _, missed = _attainment(parts_by_segment[s_i], len(results))
        out.append(
            {
                "segment": seg_spec.name,
                "priority": seg_spec.priority,
                "arrived": round(arrived[s_i] / len(results), 1),
                "target_minutes": seg_spec.answer_within,
                "goal": seg_spec.goal,
                "attainment": att,
                "attainment_ci95": ci,
                "goal_met": None
                if att is None or seg_spec.goal is None
                else att >= seg_spec.goal - 1e-12,
                "missed_sla_tickets": missed,
                "monthly_value": seg_spec.monthly_value
                if seg_spec.monthly_value is not None
                else scenario.business.customer_monthly_value,
                "revenue_at_risk": revenue_at_risk(scenario, missed, seg_spec.name),
            }
        )
    return out
