"""Runner: replications (serial or on Dask) and the KPI summary of a run.

``run_replications`` plays replication 0..n-1 of a scenario; replication r uses the seed
sequence ``SeedSequence(seed).spawn`` child r, so results are identical whichever process
or machine runs them. ``summarize`` turns the replications into the ``RunOutput``: the
summary.json mapping and the tables written next to it. No printing and no files here; a
caller passes ``progress`` to hear about finished replications.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import numpy as np
import pandas as pd

from scenarios.schema import Scenario
from sim import metrics, workforce
from sim.engine import SimResult, run_replication

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
    """Everything a run produces: the summary mapping and its tables."""

    summary: dict[str, Any]
    tickets: pd.DataFrame
    intervals: pd.DataFrame
    agents: pd.DataFrame
    costs: pd.DataFrame
    occupancy: pd.DataFrame

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables a report draws from, by name."""
        return {
            "tickets": self.tickets,
            "intervals": self.intervals,
            "agents": self.agents,
            "costs": self.costs,
            "occupancy": self.occupancy,
        }


def summarize(
    scenario: Scenario,
    results: Sequence[SimResult],
    required: pd.DataFrame | None = None,
) -> RunOutput:
    """KPIs of a set of replications in the shape of summary.json (DESIGN §6).

    Per-replication quantities (cost, occupancy, burnout) are averaged over replications;
    ``by_queue`` carries 95% confidence intervals.
    """
    first = results[0]
    weeks = first.horizon_minutes / (7 * 1440)
    staffed = workforce.staffed_table(scenario, first)
    intervals = metrics.interval_table(scenario, results, staffed, required)
    queues = metrics.by_queue(scenario, results)
    counts = metrics.ticket_counts(results)
    attainment, missed, _ = metrics.overall_sla(scenario, results)
    goals_met = [q["goal_met"] for q in queues if q["goal_met"] is not None]

    agent_tables = []
    cost_tables = []
    for r in results:
        agent_tables.append(workforce.agent_weeks(scenario, r).assign(replication=r.replication))
        cost_tables.append(workforce.cost_table(scenario, r))
    agents = pd.concat(agent_tables, ignore_index=True)
    costs = pd.concat(cost_tables).groupby("team", sort=False).mean().reset_index()
    total_cost = float(costs["total"].sum())
    answered = counts["handled"] + counts["open"]
    engine_kpis = contact_kpis(scenario, results, queues)
    segments = engine_kpis["by_segment"]
    if segments:
        revenue_at_risk = float(sum(seg["revenue_at_risk"] for seg in segments))
    else:
        revenue_at_risk = metrics.revenue_at_risk(scenario, missed)

    occupancy = workforce.occupancy_by_team_hour(scenario, results)
    busy = float(agents["busy_hours"].sum())
    available = float(agents["available_hours"].sum())
    per_agent = agents.groupby(["replication", "agent"])[["busy_hours", "available_hours"]].sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        agent_occ = per_agent["busy_hours"] / per_agent["available_hours"]
    first_agents = agents[agents["replication"] == first.replication]
    burnout = workforce.burnout_summary(first_agents, len(first.staffing.agents))

    summary: dict[str, Any] = {
        "scenario": scenario.name,
        "description": scenario.description,
        "replications": len(results),
        "seed": first.seed,
        "horizon": {
            "start": scenario.horizon.start.isoformat(),
            "weeks": scenario.horizon.weeks,
            "timezone": scenario.horizon.timezone,
            "interval_minutes": scenario.horizon.interval_minutes,
            "warmup_days": scenario.horizon.warmup_days,
            "end": scenario.horizon.end,
        },
        "tickets": counts,
        "first_response": metrics.first_response_stats(results),
        "sla": {
            "attainment": attainment,
            "goal_met": bool(all(goals_met)) if goals_met else None,
            "queues_meeting_goal": sum(1 for met in goals_met if met),
            "queues_with_goal": len(goals_met),
            "abandoned_count_as_missed": True,
        },
        "by_queue": queues,
        "resolution": {**metrics.resolution_stats(results), **engine_kpis["resolution"]},
        "contacts": engine_kpis["contacts"],
        "by_segment": segments,
        "occupancy": {
            "mean": busy / available if available else None,
            "max_agent": float(np.nanmax(agent_occ)) if len(agent_occ) else None,
            "cap": scenario.labor_rules.max_occupancy,
        },
        "cost": {
            "currency": scenario.costs.currency,
            "staff_total": total_cost,
            "per_week": total_cost / weeks,
            "per_ticket": total_cost / answered if answered else None,
            "paid_hours": float(costs["paid_hours"].sum()),
            "premiums": {
                "night": float(costs["night_premium"].sum()),
                "weekend": float(costs["weekend_premium"].sum()),
                "holiday": float(costs["holiday_premium"].sum()),
                "overtime": float(costs["overtime"].sum()),
            },
            "by_team": {row.team: float(row.total) for row in costs.itertuples(index=False)},
            "missed_sla_tickets": missed,
            "revenue_at_risk": revenue_at_risk,
        },
        "burnout": burnout,
        "coverage_gaps": workforce.coverage_gaps(scenario, staffed, first),
    }
    tickets = pd.concat(
        [metrics.ticket_frame(scenario, r, r.replication) for r in results], ignore_index=True
    )
    return RunOutput(
        summary=summary,
        tickets=tickets,
        intervals=intervals,
        agents=agents,
        costs=costs,
        occupancy=occupancy,
    )


def contact_kpis(
    scenario: Scenario, results: Sequence[SimResult], queues: list[dict[str, Any]]
) -> dict[str, Any]:
    """The KPIs of live contacts, resolution targets and customer segments, as summary
    sections: ``contacts`` (attempts, retrials, blocked, balked, lost customers, first
    response per attempt and per customer), ``resolution`` (attainment of resolution
    targets) and ``by_segment``. Adds each queue's resolution figures to ``queues`` (the
    ``by_queue`` list) in place."""
    resolution = metrics.resolution_by_queue(scenario, results)
    per_queue = resolution.pop("by_queue")
    for q in queues:
        q.update(
            per_queue.get(
                q["queue"],
                {
                    "resolution_target_hours": None,
                    "resolution_goal": None,
                    "resolution_attainment": None,
                    "resolution_attainment_ci95": None,
                    "resolution_goal_met": None,
                },
            )
        )
    return {
        "contacts": metrics.contact_stats(results),
        "resolution": resolution,
        "by_segment": metrics.by_segment(scenario, results),
    }


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


def run_point(scenario: Scenario, replications: int, seed: int | None = None) -> dict[str, Any]:
    """Simulate and summarise one scenario; the summary plus per-replication KPIs.

    The unit of work of ``compare`` and ``sweep``: small to send back from a worker. The
    extra key ``per_replication`` holds each replication's attainment, cost per week and
    first-response p90, for deltas paired by replication (common random numbers).
    """
    results = run_replications(scenario, replications, seed)
    summary = summarize(scenario, results).summary
    weeks = results[0].horizon_minutes / (7 * 1440)
    per_rep = []
    for r in results:
        attainment, _, _ = metrics.overall_sla(scenario, [r])
        cost = float(workforce.cost_table(scenario, r)["total"].sum())
        per_rep.append(
            {
                "attainment": attainment,
                "cost_per_week": cost / weeks,
                "first_response_p90_minutes": metrics.first_response_stats([r])["p90_minutes"],
            }
        )
    summary["per_replication"] = per_rep
    return summary
