"""What-if analysis: side-by-side comparison of scenarios and grids of overrides.

``compare``: each scenario runs with the same seed, so streams with the same name see the
same customers (common random numbers) and differences are not noise; deltas against the
first scenario get a 95% interval paired by replication; the scenarios may be variants of
one (``--variant``). ``sweep``: the grid of every
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

from scenarios import Scenario, parse_variant, scenario_from_data
from sim.metrics import mean_ci95
from sim.summary import KPIS, Summary, kpi_row, pareto_mask, replication_values

__all__ = [
    "comparison_tables",
    "pareto_mask",
    "sweep_scenarios",
    "sweep_table",
    "variant_scenarios",
]


def _paired_delta(base: Summary, other: Summary, name: str) -> tuple[float | None, float | None]:
    """95% interval of the per-replication difference other - base (common random numbers)."""
    a = replication_values(base, name)
    b = replication_values(other, name)
    if a is None or b is None or len(a) != len(b) or len(a) < 2:
        return None, None
    if any(v is None for v in a + b):
        return None, None
    _, lo, hi = mean_ci95(np.array(b, dtype=float) - np.array(a, dtype=float))
    return (float(lo), float(hi)) if np.isfinite(lo) else (None, None)


def comparison_tables(summaries: Sequence[Summary]) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The comparison table and the per-queue attainment table.

    Returns
    -------
    comparison : pandas.DataFrame
        One row per scenario (the first is the reference): :func:`sim.summary.kpi_row`,
        then ``delta_<kpi>`` (value minus the reference's) for every KPI and, where the
        KPI is kept per replication, ``delta_<kpi>_ci_low``/``_ci_high`` (95% interval
        paired by replication). The reference's deltas are empty.
    by_queue : pandas.DataFrame
        Long: ``scenario``, ``queue``, ``arrived``, ``attainment``, ``ci_low``,
        ``ci_high``, ``goal``, ``goal_met`` (shares 0..1).
    """
    table = pd.DataFrame([kpi_row(s) for s in summaries])
    base = table.iloc[0]
    for kpi in KPIS:
        values = pd.to_numeric(table[kpi.name], errors="coerce")
        reference = pd.to_numeric(pd.Series([base[kpi.name]]), errors="coerce").iloc[0]
        table[f"delta_{kpi.name}"] = values - reference
        if replication_values(summaries[0], kpi.name) is not None:
            bounds = [_paired_delta(summaries[0], s, kpi.name) for s in summaries]
            table[f"delta_{kpi.name}_ci_low"] = [b[0] for b in bounds]
            table[f"delta_{kpi.name}_ci_high"] = [b[1] for b in bounds]
    table.loc[0, [c for c in table.columns if c.startswith("delta_")]] = np.nan
    queues = [
        {
            "scenario": s.scenario,
            "queue": q.queue,
            "arrived": q.arrived,
            "attainment": q.attainment,
            "ci_low": (q.attainment_ci95 or (None, None))[0],
            "ci_high": (q.attainment_ci95 or (None, None))[1],
            "goal": q.goal,
            "goal_met": q.goal_met,
        }
        for s in summaries
        for q in s.by_queue
    ]
    columns = ["scenario", "queue", "arrived", "attainment", "ci_low", "ci_high", "goal"]
    return table, pd.DataFrame(queues, columns=[*columns, "goal_met"])


def variant_scenarios(
    data: dict[str, Any], source: str, variants: Sequence[str], overrides: Sequence[str] = ()
) -> tuple[list[Scenario], list[str]]:
    """Each ``compare --variant "NAME: KEY=VALUE; ..."`` of one scenario's data, validated
    and named after the variant, and the overrides it applies (``overrides`` first, to
    every variant)."""
    scenarios: list[Scenario] = []
    changes: list[str] = []
    for text in variants:
        name, edits = parse_variant(text)
        scenario = scenario_from_data(
            copy.deepcopy(data), f"variant '{name}' of {source}", [*overrides, *edits]
        )
        scenarios.append(scenario.model_copy(update={"name": name}))
        changes.append("; ".join(edits))
    return scenarios, changes


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


def sweep_table(points: Sequence[dict[str, str]], summaries: Sequence[Summary]) -> pd.DataFrame:
    """One row per grid point: its settings, its KPIs, and whether it is on the
    cost-service frontier (``pareto``: no other point is both cheaper and better served)."""
    rows = [{**p, **kpi_row(s)} for p, s in zip(points, summaries, strict=True)]
    table = pd.DataFrame(rows)
    table["pareto"] = pareto_mask(table["cost_per_week"].to_numpy(), table["attainment"].to_numpy())
    return table
