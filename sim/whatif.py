"""What-if analysis: side-by-side comparison of scenarios and grids of overrides.

``compare``: each scenario runs with the same seed, so streams with the same name see the
same customers (common random numbers) and differences are not noise; deltas against the
first scenario get a 95% interval paired by replication. ``sweep``: the grid of every
combination of ``--set key=v1,v2`` values; one row per point and the cost-service frontier
(Pareto points: no other point is both cheaper and better served). Tables only: no files.
"""

from __future__ import annotations

import copy
import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from scenarios import Scenario, scenario_from_data
from sim.metrics import mean_ci95

KPIS = (
    "cost_per_week",
    "cost_per_ticket",
    "attainment",
    "first_response_p90_minutes",
    "occupancy",
    "burnout_violations",
    "burnout_agents_at_risk",
    "abandoned",
    "revenue_at_risk",
)


def kpi_row(summary: dict[str, Any]) -> dict[str, Any]:
    """The headline KPIs of one summary as a flat row."""
    cost = summary["cost"]
    return {
        "scenario": summary["scenario"],
        "cost_per_week": cost["per_week"],
        "cost_per_ticket": cost["per_ticket"],
        "attainment": summary["sla"]["attainment"],
        "goal_met": summary["sla"]["goal_met"],
        "queues_meeting_goal": summary["sla"]["queues_meeting_goal"],
        "queues_with_goal": summary["sla"]["queues_with_goal"],
        "first_response_p90_minutes": summary["first_response"]["p90_minutes"],
        "occupancy": summary["occupancy"]["mean"],
        "burnout_violations": summary["burnout"]["violations"],
        "burnout_agents_at_risk": summary["burnout"]["agents_at_risk"],
        "abandoned": summary["tickets"]["abandoned"],
        "revenue_at_risk": cost["revenue_at_risk"],
        "currency": cost["currency"],
    }


def _paired_delta(
    base: dict[str, Any], other: dict[str, Any], key: str
) -> tuple[float | None, float | None]:
    """95% interval of the per-replication difference other - base (common random numbers)."""
    a = [r[key] for r in base.get("per_replication", [])]
    b = [r[key] for r in other.get("per_replication", [])]
    if len(a) != len(b) or len(a) < 2 or any(v is None for v in a + b):
        return None, None
    _, lo, hi = mean_ci95(np.array(b, dtype=float) - np.array(a, dtype=float))
    return (float(lo), float(hi)) if np.isfinite(lo) else (None, None)


def comparison_tables(
    summaries: Sequence[dict[str, Any]],
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The comparison table (one row per scenario, deltas against the first) and the
    per-queue attainment table (long: scenario, queue, attainment, ci_low, ci_high, goal).
    """
    rows = [kpi_row(s) for s in summaries]
    table = pd.DataFrame(rows)
    base = table.iloc[0]
    for key in KPIS:
        values = pd.to_numeric(table[key], errors="coerce")
        table[f"delta_{key}"] = values - float(base[key]) if base[key] is not None else np.nan
    for key in ("attainment", "cost_per_week"):
        bounds = [_paired_delta(summaries[0], s, key) for s in summaries]
        table[f"delta_{key}_ci_low"] = [b[0] for b in bounds]
        table[f"delta_{key}_ci_high"] = [b[1] for b in bounds]
    table.loc[0, [c for c in table.columns if c.startswith("delta_")]] = np.nan
    queues = []
    for s in summaries:
        for q in s["by_queue"]:
            ci = q.get("attainment_ci95") or [None, None]
            queues.append(
                {
                    "scenario": s["scenario"],
                    "queue": q["queue"],
                    "arrived": q["arrived"],
                    "attainment": q["attainment"],
                    "ci_low": ci[0],
                    "ci_high": ci[1],
                    "goal": q["goal"],
                    "goal_met": q["goal_met"],
                }
            )
    return table, pd.DataFrame(queues)


# --------------------------------------------------------------------------- sweep


def sweep_scenarios(
    data: dict[str, Any], source: str, axes: Sequence[tuple[str, list[str]]]
) -> tuple[list[dict[str, str]], list[Scenario]]:
    """Every grid point (its settings) and its validated scenario, named after the point."""
    points: list[dict[str, str]] = []
    scenarios: list[Scenario] = []
    keys = [k for k, _ in axes]
    for combo in itertools.product(*(values for _, values in axes)):
        settings = dict(zip(keys, combo, strict=True))
        point_data = copy.deepcopy(data)
        label = ", ".join(f"{k}={v}" for k, v in settings.items())
        scenario = scenario_from_data(
            point_data, f"{source} [{label}]", [f"{k}={v}" for k, v in settings.items()]
        )
        name = f"{scenario.name} [{label}]"
        scenarios.append(scenario.model_copy(update={"name": name}))
        points.append(settings)
    return points, scenarios


def pareto_mask(cost: np.ndarray, service: np.ndarray) -> np.ndarray:
    """Points no other point beats on both cost (lower) and service (higher)."""
    cost = np.asarray(cost, dtype=float)
    service = np.nan_to_num(np.asarray(service, dtype=float), nan=-np.inf)
    mask = np.ones(len(cost), dtype=bool)
    for i in range(len(cost)):
        better = (cost <= cost[i]) & (service >= service[i])
        strictly = (cost < cost[i]) | (service > service[i])
        mask[i] = not np.any(better & strictly)
    return mask


def sweep_table(
    points: Sequence[dict[str, str]], summaries: Sequence[dict[str, Any]]
) -> pd.DataFrame:
    """One row per grid point: its settings, its KPIs, and whether it is Pareto-efficient."""
    rows = [{**p, **kpi_row(s)} for p, s in zip(points, summaries, strict=True)]
    table = pd.DataFrame(rows)
    table["pareto"] = pareto_mask(table["cost_per_week"].to_numpy(), table["attainment"].to_numpy())
    return table
