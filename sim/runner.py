"""Runner: replications (serial or on Dask) and the KPI summary of a run.

``run_replications`` plays replication 0..n-1 of a scenario; replication r uses the seed
sequence ``SeedSequence(seed).spawn`` child r, so results are identical whichever process
or machine runs them. ``summarize`` turns the replications into the ``RunOutput``: the
typed :class:`sim.summary.Summary` (written as summary.json) and the tables written next
to it. No printing and no files here; a
caller passes ``progress`` to hear about finished replications.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from scenarios.schema import Scenario
from sim import metrics, workforce
from sim.engine import SimResult, run_replication
from sim.summary import (
    Burnout,
    Cost,
    CoverageGap,
    Horizon,
    Occupancy,
    Premiums,
    QueueGroupCost,
    QueueKpis,
    ReplicationKpis,
    Sla,
    Summary,
)

T = TypeVar("T")
Progress = Callable[[int, int], None]
"""Called as ``progress(done, total)`` after each finished replication."""


def map_tasks(
    function: Callable[..., T],
    arguments: Sequence[tuple[Any, ...]],
    *,
    client: Any = None,
    progress: Progress | None = None,
    sizes: Sequence[float] | None = None,
) -> list[T]:
    """Apply ``function(*args)`` to each argument tuple, serially or on a Dask client.

    Results come back in the order of ``arguments`` whichever worker finished first, so a
    distributed run returns exactly what a serial one does. ``sizes`` (any estimate of each
    task's work) makes a cluster start the largest tasks first, so that the run does not
    end with one worker on a long task while the others wait.
    """
    total = len(arguments)
    if client is None:
        results = []
        for done, args in enumerate(arguments, start=1):
            results.append(function(*args))
            if progress:
                progress(done, total)
        return results
    from dask.distributed import as_completed

    if sizes is None:
        columns = list(zip(*arguments, strict=True)) if arguments else []
        futures = client.map(function, *columns, pure=False)
    else:
        # Largest first: submitted in that order (an idle worker takes the first task at
        # once) and with priorities in that order (Dask runs higher priorities first).
        largest_first = np.argsort(-np.asarray(sizes, dtype=float), kind="stable")
        futures = [None] * total
        for rank, i in enumerate(largest_first):
            futures[i] = client.submit(function, *arguments[i], pure=False, priority=total - rank)
    order = {f.key: i for i, f in enumerate(futures)}
    out: list[Any] = [None] * total
    for done, future in enumerate(as_completed(futures), start=1):
        out[order[future.key]] = future.result()
        if progress:
            progress(done, total)
    return out


def run_replications(
    scenario: Scenario,
    replications: int = 1,
    seed: int | None = None,
    *,
    client: Any = None,
    progress: Progress | None = None,
) -> list[SimResult]:
    """Run replications 0..n-1 of a scenario, serially or on a ``dask.distributed.Client``."""
    seed = scenario.seed if seed is None else seed
    tasks = [(scenario, seed, r) for r in range(replications)]
    return map_tasks(run_replication, tasks, client=client, progress=progress)


@dataclass(slots=True)
class RunOutput:
    """Everything a run produces: the typed summary and its tables."""

    kpis: Summary
    tickets: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    costs: pd.DataFrame
    occupancy: pd.DataFrame

    @property
    def summary(self) -> dict[str, Any]:
        """The summary.json mapping (:meth:`Summary.to_json`)."""
        return self.kpis.to_json()

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a report draws from, by name."""
        return {
            "tickets": self.tickets,
            "intervals": self.intervals,
            "agents": self.agents,
            "costs": self.costs,
            "occupancy": self.occupancy,
        }


def _weighted_goal(queues: Sequence[QueueKpis]) -> float | None:
    """Queue goals weighted by the queue's tickets (queues with an attainment)."""
    pairs = [(q.goal, q.arrived) for q in queues if q.goal is not None and q.attainment is not None]
    total = sum(w for _, w in pairs)
    return sum(g * w for g, w in pairs) / total if total else None


def _queue_group_costs(
    scenario: Scenario, costs: pd.DataFrame, results: Sequence[SimResult], weeks: float
) -> tuple[QueueGroupCost, ...]:
    """Staff cost per language x channel (mean per replication) with its contacts."""
    contacts: dict[tuple[str, str], float] = {}
    for r in results:
        per_stream = np.bincount(r.tickets.stream, minlength=len(scenario.demand.streams))
        for stream, n in zip(scenario.demand.streams, per_stream, strict=True):
            key = (stream.language, stream.channel)
            contacts[key] = contacts.get(key, 0.0) + float(n) / len(results)
    by_group = costs.groupby(["language", "channel"], sort=False)[["busy_hours", "total"]].sum()
    staff = float(by_group["total"].sum())
    out = []
    for (language, channel), row in by_group.iterrows():
        n = contacts.get((str(language), str(channel)), 0.0)
        total = float(row["total"])
        out.append(
            QueueGroupCost(
                language=str(language),
                channel=str(channel),
                busy_hours=float(row["busy_hours"]),
                contacts=n,
                total=total,
                per_week=total / weeks,
                per_contact=total / n if n else None,
                share=total / staff if staff else 0.0,
            )
        )
    return tuple(sorted(out, key=lambda g: -g.total))


def _replication_kpis(
    scenario: Scenario, result: SimResult, staff: float, weeks: float
) -> ReplicationKpis:
    """One replication's headline figures (for deltas paired by replication)."""
    attainment, missed, _ = metrics.overall_sla(scenario, [result])
    counts = metrics.ticket_counts([result])
    bot = scenario.costs.bot_cost_per_contact * counts.deflected
    return ReplicationKpis(
        attainment=attainment,
        cost_per_week=staff / weeks,
        cost_per_contact=(staff + bot) / counts.arrived if counts.arrived else None,
        first_response_p90_minutes=metrics.first_response_stats([result]).p90_minutes,
        abandoned_per_week=counts.abandoned / weeks,
        revenue_at_risk_per_week=metrics.total_revenue_at_risk(
            scenario, missed, metrics.by_segment(scenario, [result])
        )
        / weeks,
    )


def summarize(
    scenario: Scenario,
    results: Sequence[SimResult],
    required: pd.DataFrame | None = None,
) -> RunOutput:
    """The typed summary of a set of replications (summary.json, DESIGN §6) and its tables.

    Per-replication quantities (ticket counts, cost, occupancy) are averaged over
    replications; burnout is the first replication's; attainment carries 95% intervals;
    each replication's headline figures are kept for paired deltas.
    """
    first = results[0]
    weeks = first.horizon_minutes / (7 * 1440)
    k = len(results)
    staffed = workforce.staffed_table(scenario, first)
    intervals = metrics.interval_table(scenario, results, staffed, required)
    per_unit = metrics.queue_replication_table(scenario, results)
    queues = metrics.by_queue(scenario, results, per_unit)
    counts = metrics.ticket_counts(results)
    attainment, missed, _ = metrics.overall_sla(scenario, results)
    goals_met = [q.goal_met for q in queues if q.goal_met is not None]

    agent_tables = []
    cost_tables = []
    per_replication = []
    for r in results:
        agent_tables.append(workforce.agent_weeks(scenario, r).assign(replication=r.replication))
        table = workforce.cost_by_queue_group(scenario, r)
        cost_tables.append(table)
        per_replication.append(_replication_kpis(scenario, r, float(table["total"].sum()), weeks))
    agents = pd.concat(agent_tables, ignore_index=True)
    keys = ["team", "language", "channel"]
    costs = pd.concat(cost_tables).groupby(keys, sort=False).sum().div(k).reset_index()
    costs.attrs["unit"] = scenario.costs.currency
    by_team = costs.groupby("team", sort=False)["total"].sum()
    total_cost = float(costs["total"].sum())
    bot_total = scenario.costs.bot_cost_per_contact * counts.deflected
    # Resolution targets per queue and overall, and customer segments with their value.
    resolution_all, resolution_by_queue = metrics.resolution_by_queue(scenario, results)
    queues = tuple(replace(q, **resolution_by_queue.get(q.queue, {})) for q in queues)
    resolution = replace(metrics.resolution_stats(results), **resolution_all)
    segments = metrics.by_segment(scenario, results)
    revenue_at_risk = metrics.total_revenue_at_risk(scenario, missed, segments)

    occupancy = workforce.occupancy_by_team_hour(scenario, results)
    busy = float(agents["busy_hours"].sum())
    available = float(agents["available_hours"].sum())
    per_agent = agents.groupby(["replication", "agent"])[["busy_hours", "available_hours"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        agent_occ = per_agent["busy_hours"] / per_agent["available_hours"]
    first_agents = agents[agents["replication"] == first.replication]
    burnout = workforce.burnout_summary(first_agents, len(first.staffing.agents))
    reached_agent = counts.handled + counts.open

    kpis = Summary(
        scenario=scenario.name,
        description=scenario.description,
        replications=k,
        seed=first.seed,
        horizon=Horizon(
            start=scenario.horizon.start.isoformat(),
            weeks=scenario.horizon.weeks,
            timezone=scenario.horizon.timezone,
            interval_minutes=scenario.horizon.interval_minutes,
            warmup_days=scenario.horizon.warmup_days,
            end=scenario.horizon.end,
        ),
        tickets=counts,
        first_response=metrics.first_response_stats(results),
        sla=Sla(
            attainment=attainment,
            attainment_ci95=metrics.overall_attainment_ci95(scenario, results, per_unit),
            goal=_weighted_goal(queues),
            goal_met=bool(all(goals_met)) if goals_met else None,
            queues_meeting_goal=sum(1 for met in goals_met if met),
            queues_with_goal=len(goals_met),
        ),
        by_queue=queues,
        resolution=resolution,
        contacts=metrics.contact_stats(results),
        by_segment=segments,
        occupancy=Occupancy(
            mean=busy / available if available else None,
            max_agent=float(np.nanmax(agent_occ)) if len(agent_occ) else None,
            cap=scenario.labor_rules.max_occupancy,
        ),
        cost=Cost(
            currency=scenario.costs.currency,
            weeks=weeks,
            staff_total=total_cost,
            per_week=total_cost / weeks,
            per_ticket=total_cost / reached_agent if reached_agent else None,
            per_contact=(total_cost + bot_total) / counts.arrived if counts.arrived else None,
            per_handled_ticket=total_cost / counts.handled if counts.handled else None,
            bot_total=bot_total,
            bot_per_week=bot_total / weeks,
            paid_hours=float(costs["paid_hours"].sum()),
            premiums=Premiums(
                night=float(costs["night_premium"].sum()),
                weekend=float(costs["weekend_premium"].sum()),
                holiday=float(costs["holiday_premium"].sum()),
                overtime=float(costs["overtime"].sum()),
            ),
            by_team={str(team): float(v) for team, v in by_team.items()},
            by_queue_group=_queue_group_costs(scenario, costs, results, weeks),
            missed_sla_tickets=missed,
            missed_sla_tickets_per_week=missed / weeks,
            revenue_at_risk=revenue_at_risk,
            revenue_at_risk_per_week=revenue_at_risk / weeks,
        ),
        burnout=Burnout(**burnout),  # type: ignore[arg-type]
        coverage_gaps=tuple(
            CoverageGap(**gap)  # type: ignore[arg-type]
            for gap in workforce.coverage_gaps(scenario, staffed, first)
        ),
        per_replication=tuple(per_replication),
    )
    tickets = pd.concat(
        [metrics.ticket_frame(scenario, r, r.replication) for r in results], ignore_index=True
    )
    return RunOutput(
        kpis=kpis,
        tickets=tickets,
        intervals=intervals,
        agents=agents,
        costs=costs,
        occupancy=occupancy,
    )


def expected_tickets(scenario: Scenario) -> float:
    """Tickets a run of the scenario is expected to play, after deflection and scale.

    A cheap measure of a run's work (surges, growth and holidays left out), for ordering
    tasks on a cluster; not a forecast.
    """
    demand = scenario.demand
    weekly = sum(
        stream.tickets_per_week
        * (1 - (demand.deflection if stream.deflection is None else stream.deflection))
        for stream in demand.streams
    )
    return weekly * demand.scale * scenario.horizon.weeks


def run_point(scenario: Scenario, replications: int, seed: int | None = None) -> Summary:
    """Simulate and summarise one scenario: the unit of work of ``compare`` and ``sweep``.

    Small to send back from a worker; its ``per_replication`` figures give deltas paired by
    replication (common random numbers).
    """
    return summarize(scenario, run_replications(scenario, replications, seed)).kpis
