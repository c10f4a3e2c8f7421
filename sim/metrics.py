"""Metrics: raw replication logs become tidy tables and the KPI summary.

Tables carry their unit in ``df.attrs["unit"]`` where a single unit applies; the KPI
sections come back as the typed parts of :mod:`sim.summary`. Confidence intervals are
computed here, from independent units: the replications when there are two or more,
otherwise batches of whole days of the one run. Means get a t interval over the units.
Shares (SLA and resolution attainment) get a Wilson score interval whose number of tickets
is the effective one the spread between units implies, so it stays inside [0, 1] and is as
wide as the replications say (tickets within one run are not independent). SLA attainment
counts abandoned, balked and blocked tickets as misses; tickets still waiting at the end of
the horizon count as misses once they have waited past the target, and are left out
otherwise (their outcome is unknown). A ticket is one customer: with retrials, its first
response is measured from its first attempt (per customer), and per attempt from the
attempt answered. A customer segment with a target of its own measures its tickets against
it. Must not import SimPy, Pyomo or plotly.
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
from sim.summary import (
    Contacts,
    FirstResponse,
    QueueKpis,
    Resolution,
    SegmentKpis,
    TicketCounts,
)


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


def proportion_ci95(
    met: Sequence[float] | np.ndarray, counted: Sequence[float] | np.ndarray
) -> tuple[float, float]:
    """95% interval of a share pooled over independent units (replications or batches).

    The share is sum(met) / sum(counted). Its variance comes from the spread between the
    units (the ratio estimator's linearised variance, with k/(k-1) for k units); the
    Wilson score interval is then taken with the effective number of tickets
    ``p (1 - p) / variance`` and Student's t quantile on k - 1 degrees of freedom (when
    every unit has the same share, with the tickets counted). The interval always lies in
    [0, 1] and contains the share; near the middle it is the t interval across units, near
    0 and 1 it bends inside the bounds as Wilson's does. NaN for fewer than two units with
    tickets.

    Parameters
    ----------
    met, counted : array_like
        Per unit: tickets that met the target, and tickets counted (same length).

    Returns
    -------
    (low, high) : tuple of float
        Shares in [0, 1].
    """
    m = np.asarray(met, dtype=float)
    n = np.asarray(counted, dtype=float)
    keep = n > 0
    m, n = m[keep], n[keep]
    k = len(n)
    if k < 2:
        return float("nan"), float("nan")
    total = float(n.sum())
    p = float(m.sum()) / total
    variance = k / (k - 1) * float(((m - p * n) ** 2).sum()) / total**2
    # Zero spread (every unit at the same share) says nothing of the variance: fall back
    # to the tickets counted rather than claim an interval of width zero.
    n_eff = p * (1 - p) / variance if variance > 0 and 0 < p < 1 else total
    z = float(special.stdtrit(k - 1, 0.975))
    return _wilson(p, n_eff, z)


def _wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval of a share ``p`` observed on ``n`` trials, quantile ``z``."""
    z2 = z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    spread = z / (1 + z2 / n) * np.sqrt(p * (1 - p) / n + z2 / (4 * n * n))
    return max(0.0, centre - spread), min(1.0, centre + spread)


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


def by_queue(
    scenario: Scenario, results: Sequence[SimResult], table: pd.DataFrame | None = None
) -> tuple[QueueKpis, ...]:
    """Per queue with tickets: attainment with its 95% interval (:func:`proportion_ci95`),
    mean first response and abandonment; tickets are means per replication. ``table`` is
    :func:`queue_replication_table` when the caller has it already."""
    queues = results[0].queues
    targets = queue_targets(scenario, queues)
    if table is None:
        table = queue_replication_table(scenario, results)
    out = []
    n_rep = len(results)
    for q_i, (q, target) in enumerate(zip(queues, targets, strict=True)):
        rows = table[table["queue"] == q_i]
        arrived = int(rows["arrived"].sum())
        if arrived == 0:
            continue
        counted = rows["counted"].sum()
        attainment = float(rows["met"].sum() / counted) if counted and target.goal else None
        ci: tuple[float | None, float | None] | None = None
        if target.goal:
            lo, hi = proportion_ci95(rows["met"].to_numpy(), rows["counted"].to_numpy())
            ci = (_finite(lo), _finite(hi))
        answered = rows["answered"].sum()
        out.append(
            QueueKpis(
                language=q.language,
                channel=q.channel,
                priority=q.priority,
                tier=q.tier,
                queue=queue_label(q),
                arrived=round(arrived / n_rep, 1),
                target_minutes=target.target_minutes,
                goal=target.goal,
                attainment=attainment,
                attainment_ci95=ci,
                goal_met=(attainment >= target.goal - 1e-12)
                if attainment is not None and target.goal is not None
                else None,
                mean_first_response_minutes=_finite(rows["frt_sum"].sum() / answered)
                if answered
                else None,
                abandonment_rate=float(rows["abandoned"].sum() / arrived),
                balked_rate=float(rows["balked"].sum() / arrived),
                blocked_rate=float(rows["blocked"].sum() / arrived),
            )
        )
    return tuple(out)


def overall_attainment_ci95(
    scenario: Scenario, results: Sequence[SimResult], table: pd.DataFrame | None = None
) -> tuple[float | None, float | None] | None:
    """95% interval of SLA attainment over every queue with a goal (see
    :func:`proportion_ci95`), or None when no ticket has a target."""
    if table is None:
        table = queue_replication_table(scenario, results)
    targets = queue_targets(scenario, results[0].queues)
    with_goal = [i for i, t in enumerate(targets) if t.goal]
    rows = table[table["queue"].isin(with_goal)]
    if rows.empty or rows["counted"].sum() == 0:
        return None
    per_unit = rows.groupby("unit")[["met", "counted"]].sum()
    lo, hi = proportion_ci95(per_unit["met"].to_numpy(), per_unit["counted"].to_numpy())
    return _finite(lo), _finite(hi)


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


def first_response_stats(results: Sequence[SimResult]) -> FirstResponse:
    """Mean and percentiles (minutes) of first response over answered tickets."""
    waits = np.concatenate([r.first_response - r.tickets.arrival for r in results])
    return _percentiles(waits[np.isfinite(waits)])


def resolution_stats(results: Sequence[SimResult]) -> Resolution:
    """Mean and 90th percentile (hours) of resolution time over handled tickets."""
    hours = np.concatenate(
        [(r.resolved - r.tickets.arrival)[r.outcome == OUTCOME_HANDLED] / 60.0 for r in results]
    )
    if len(hours) == 0:
        return Resolution()
    return Resolution(mean_hours=float(hours.mean()), p90_hours=float(np.percentile(hours, 90)))


def ticket_counts(results: Sequence[SimResult]) -> TicketCounts:
    """Tickets per outcome, averaged over replications (arrived includes deflected)."""
    k = len(results)
    counts = np.zeros(len(OUTCOME_NAMES))
    for r in results:
        counts += np.bincount(r.outcome, minlength=len(OUTCOME_NAMES))[: len(OUTCOME_NAMES)]
    counts /= k
    live = float(counts.sum() - counts[OUTCOME_DEFLECTED])
    return TicketCounts(
        arrived=float(counts.sum()),
        deflected=float(counts[OUTCOME_DEFLECTED]),
        handled=float(counts[OUTCOME_HANDLED]),
        abandoned=float(counts[OUTCOME_ABANDONED]),
        open=float(counts[OUTCOME_OPEN]),
        balked=float(counts[OUTCOME_BALKED]),
        blocked=float(counts[OUTCOME_BLOCKED]),
        abandonment_rate=float(counts[OUTCOME_ABANDONED]) / live if live > 0 else None,
    )


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


def _percentiles(waits: np.ndarray) -> FirstResponse:
    """Mean and percentiles of waits in minutes (all None when there are none)."""
    if len(waits) == 0:
        return FirstResponse()
    p50, p90, p95 = np.percentile(waits, [50, 90, 95])
    return FirstResponse(
        mean_minutes=float(waits.mean()),
        p50_minutes=float(p50),
        p90_minutes=float(p90),
        p95_minutes=float(p95),
    )


def contact_stats(results: Sequence[SimResult]) -> Contacts:
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
    return Contacts(
        customers=tickets / k,
        attempts=(tickets + retrials) / k,
        retrials=retrials / k,
        abandoned=by_kind["abandoned"],
        balked=by_kind["balked"],
        blocked=by_kind["blocked"],
        blocked_in_outage=by_kind["outage"],
        customers_lost=lost / k,
        first_response_per_attempt=_percentiles(np.concatenate(per_attempt)),
        first_response_per_customer=_percentiles(np.concatenate(per_customer)),
    )


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
) -> tuple[float | None, tuple[float | None, float | None] | None, float, float]:
    """Attainment of (counted, met, unit) parts (one per replication): the share, its 95%
    interval over the units (:func:`proportion_ci95`), and counted and missed tickets per
    replication."""
    units = np.concatenate([unit[c] for c, _m, unit in parts])
    hits = np.concatenate([m[c] for c, m, _unit in parts]).astype(float)
    if len(units) == 0:
        return None, None, 0.0, 0.0
    _, index = np.unique(units, return_inverse=True)
    counted_u = np.bincount(index).astype(float)
    met_u = np.bincount(index, weights=hits)
    counted, met = float(counted_u.sum()), float(met_u.sum())
    lo, hi = proportion_ci95(met_u, counted_u)
    return met / counted, (_finite(lo), _finite(hi)), counted / n_rep, (counted - met) / n_rep


def resolution_by_queue(
    scenario: Scenario, results: Sequence[SimResult]
) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """Resolution attainment over every queue with a resolution target, and per queue.

    Returns
    -------
    overall : dict
        ``attainment``, ``goal_met``, ``queues_with_goal``, ``queues_meeting_goal`` (the
        :class:`sim.summary.Resolution` fields they fill).
    per_queue : dict
        Queue label -> ``resolution_target_hours``, ``resolution_goal``,
        ``resolution_attainment``, ``resolution_attainment_ci95``, ``resolution_goal_met``
        (the :class:`sim.summary.QueueKpis` fields they fill).
    """
    queues = results[0].queues
    batched = len(results) == 1
    masks = [resolution_mask(scenario, r) for r in results]
    units = [_unit_of_ticket(r, batched, i) for i, r in enumerate(results)]
    all_parts = [(c, m, u) for (_, c, m), u in zip(masks, units, strict=True)]
    overall, _, _, _ = _attainment(all_parts, len(results))
    per_queue: dict[str, dict[str, Any]] = {}
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
    summary = {
        "attainment": overall,
        "goal_met": bool(all(goals_met)) if goals_met else None,
        "queues_with_goal": len(goals_met),
        "queues_meeting_goal": sum(goals_met),
    }
    return summary, per_queue


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
    return missed * (b.churn_probability_per_missed_sla * value * b.value_months)


def total_revenue_at_risk(
    scenario: Scenario, missed: float, segments: Sequence[SegmentKpis] = ()
) -> float:
    """Revenue at risk of a run: the sum over customer segments, each at its own value, or
    ``missed`` tickets at ``business.customer_monthly_value`` without segments."""
    if segments:
        return float(sum(seg.revenue_at_risk for seg in segments))
    return revenue_at_risk(scenario, missed)


def by_segment(scenario: Scenario, results: Sequence[SimResult]) -> tuple[SegmentKpis, ...]:
    """Per customer segment: tickets, attainment against the segment's targets (its own,
    else its queues'), tickets that missed, and revenue at risk (empty without segments)."""
    segments = scenario.demand.segments
    if not segments:
        return ()
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
    default_value = scenario.business.customer_monthly_value
    for s_i, spec in enumerate(segments):
        att, ci, _, missed = _attainment(parts_by_segment[s_i], len(results))
        out.append(
            SegmentKpis(
                segment=spec.name,
                priority=spec.priority,
                arrived=round(arrived[s_i] / len(results), 1),
                target_minutes=spec.answer_within,
                goal=spec.goal,
                attainment=att,
                attainment_ci95=ci,
                goal_met=None if att is None or spec.goal is None else att >= spec.goal - 1e-12,
                missed_sla_tickets=missed,
                monthly_value=spec.monthly_value
                if spec.monthly_value is not None
                else default_value,
                revenue_at_risk=revenue_at_risk(scenario, missed, spec.name),
            )
        )
    return tuple(out)
