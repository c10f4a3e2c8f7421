"""Staffing to a chosen risk: requirements at a quantile of busyness, and how often a
simulated plan misses its goals day by day.

A scenario's ``demand.busyness`` (or a stream's own) multiplies each local day's (or week's)
rates by a random factor of mean 1.  Planning for the mean staffs every busier-than-mean
day short.  At risk level P the requirement is computed on each stream's rates scaled by
the P-quantile of its busyness multiplier (one quantile for every stream under a shared
``demand.busyness``; each stream its own otherwise; 1 where no busyness applies), so the
goals hold on the days whose multiplier is at most that quantile: about P of them.

The scaling is a scenario copy with one more ``demand.events`` entry per multiplier,
covering every local date the horizon touches, passed to the one
:func:`optimizer.requirements.group_requirements`.  The plan is made for those
requirements; the scenario it simulates keeps the original demand with its busyness, so
the share of simulated days on which a queue misses its goal (:func:`daily_attainment`,
:func:`days_missing_goal`) measures the risk taken, rather than assuming it.

Must not import ``reports`` or ``run_sim``.  Must not print or write files.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from optimizer.requirements import group_requirements
from scenarios.calendar import horizon_origin, local_dates
from scenarios.demand_spec import DemandEvent
from scenarios.schema import Scenario
from sim.engine import SimResult
from sim.metrics import met_mask, queue_label, queue_targets, segment_targets

__all__ = [
    "busyness_quantiles",
    "daily_attainment",
    "days_missing_goal",
    "risk_level_row",
    "risk_record",
    "risk_requirements",
    "risk_scenario",
]

GOAL_TOLERANCE = 1e-12
"""A day's attainment this close below the goal still meets it (rounding of met / counted)."""


def busyness_quantiles(scenario: Scenario, level: float) -> dict[str, float]:
    """Each stream's busyness multiplier at quantile ``level`` (1 where none applies).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    level : float
        Risk level, a probability (0.5 to 0.99 on the command line).

    Returns
    -------
    dict
        Stream name -> multiplier of its rates (dimensionless).  A shared
        ``demand.busyness`` gives every stream it applies to the same value; ``level: week``
        has the same distribution per week, so the same quantile.
    """
    out = {}
    for stream in scenario.demand.streams:
        spec = scenario.demand.busyness_for(stream)
        out[stream.name] = 1.0 if spec is None else float(spec.frozen().ppf(level))
    return out


def busyness_kind(scenario: Scenario) -> str:
    """``shared`` (one multiplier for every stream on a date), ``per stream`` or ``none``."""
    specs = [(s.busyness, scenario.demand.busyness_for(s)) for s in scenario.demand.streams]
    if all(spec is None for _, spec in specs):
        return "none"
    if all(own is None and spec is not None and spec.shared for own, spec in specs):
        return "shared"
    return "per stream"


def risk_scenario(scenario: Scenario, multipliers: dict[str, float]) -> Scenario:
    """The scenario with each stream's expected rates multiplied by its multiplier.

    One ``demand.events`` entry per distinct multiplier, covering every local date the
    horizon touches (the day before its first to the day after its last), so rates scale
    on every cell whatever the volume's form (weekly, dated, surges, growth).  Busyness is
    kept: only the expected rates change.
    """
    dates = local_dates(scenario)
    by_value: dict[float, list[str]] = {}
    for name, value in multipliers.items():
        if value != 1.0:
            by_value.setdefault(value, []).append(name)
    events = [
        DemandEvent(
            name=f"risk multiplier {value:.4f}",
            start=dates[0],
            end=dates[-1],
            multiplier=value,
            streams=names,
        )
        for value, names in by_value.items()
    ]
    if not events:
        return scenario
    demand = scenario.demand.model_copy(update={"events": [*scenario.demand.events, *events]})
    return scenario.model_copy(update={"demand": demand})


def risk_requirements(scenario: Scenario, level: float) -> pd.DataFrame:
    """Requirements per interval and queue group at risk level ``level``: those of
    :func:`optimizer.requirements.group_requirements` on the rates scaled by
    :func:`busyness_quantiles`."""
    return group_requirements(risk_scenario(scenario, busyness_quantiles(scenario, level)))


def _day_starts(scenario: Scenario) -> np.ndarray:
    """Minutes since the horizon origin at which each local date of the horizon (in the
    horizon's time zone) starts, and the end of the last one (daylight saving counted)."""
    tz = zoneinfo.ZoneInfo(scenario.horizon.timezone)
    origin = horizon_origin(scenario)
    out = []
    for k in range(scenario.horizon.days + 1):
        day = scenario.horizon.start + dt.timedelta(days=k)
        start = pd.Timestamp(dt.datetime.combine(day, dt.time(0, 0), tzinfo=tz))
        out.append((start - origin).total_seconds() / 60.0)
    return np.asarray(out)


def daily_attainment(scenario: Scenario, results: Sequence[SimResult]) -> pd.DataFrame:
    """Contacts counted for SLA and met within target, per replication, local date of the
    horizon's time zone, and queue with a goal.

    Each replication draws its own busyness, so a day of one replication is one simulated
    day (pooling replications would average the busy and the quiet draws of a date).

    Returns
    -------
    pandas.DataFrame
        ``replication``, ``date``, ``queue``, ``counted``, ``met`` (tickets), ``goal``.
    """
    columns = ["replication", "date", "queue", "counted", "met", "goal"]
    starts = _day_starts(scenario)
    dates = [scenario.horizon.start + dt.timedelta(days=k) for k in range(scenario.horizon.days)]
    frames = []
    for r_i, result in enumerate(results):
        targets = queue_targets(scenario, result.queues)
        counted, met = met_mask(result, targets, segment_targets(scenario))
        arrival = result.tickets.arrival
        day = np.searchsorted(starts, arrival, side="right") - 1
        keep = counted & (day >= 0) & (day < len(dates))
        if not keep.any():
            continue
        table = (
            pd.DataFrame({"day": day[keep], "queue": result.ticket_queue[keep], "met": met[keep]})
            .groupby(["day", "queue"])["met"]
            .agg(counted="size", met="sum")
            .reset_index()
        )
        goals = [t.goal for t in targets]
        labels = [queue_label(q) for q in result.queues]
        table["goal"] = [goals[q] for q in table["queue"]]
        table = table[table["goal"].notna()]
        table["replication"] = r_i
        table["date"] = [dates[d] for d in table["day"]]
        table["queue"] = [labels[q] for q in table["queue"]]
        frames.append(table[columns])
    if not frames:
        return pd.DataFrame(columns=columns)
    return pd.concat(frames, ignore_index=True)


def days_missing_goal(daily: pd.DataFrame) -> dict[str, Any]:
    """Shares of simulated days on which goals are missed.

    A queue misses its goal on a day when the share of that day's counted contacts met
    within target is below the goal; days on which a queue has no counted contact do not
    count for it.

    Parameters
    ----------
    daily : pandas.DataFrame
        :func:`daily_attainment`'s table.

    Returns
    -------
    dict
        ``days_missing_goal`` (queue -> share of its days, 0 to 1), ``days_any_goal_missed``
        (share of simulated days on which at least one queue misses; None without days) and
        ``days`` (simulated days: replication x date with a counted contact).
    """
    rows = daily[daily["counted"] > 0]
    if rows.empty:
        return {"days_missing_goal": {}, "days_any_goal_missed": None, "days": 0}
    missed = rows["met"] / rows["counted"] < rows["goal"] - GOAL_TOLERANCE
    per_queue = missed.groupby(rows["queue"]).mean()
    any_missed = missed.groupby([rows["replication"], rows["date"]]).any()
    return {
        "days_missing_goal": {str(q): round(float(s), 4) for q, s in per_queue.items()},
        "days_any_goal_missed": round(float(any_missed.mean()), 4),
        "days": len(any_missed),
    }


def risk_record(
    scenario: Scenario, level: float, cost_per_week: float, results: Sequence[SimResult]
) -> dict[str, Any]:
    """What planning at ``level`` costs and how often its simulated days miss a goal.

    Parameters
    ----------
    scenario : Scenario
        The scenario as given (its demand with busyness).
    level : float
        The risk level planned for.
    cost_per_week : float
        Pay of the optimized teams' rosters per week (:attr:`optimizer.plan.Plan.pay` over
        its weeks), in the scenario's currency.
    results : sequence of SimResult
        The simulation of the plan, one per replication.

    Returns
    -------
    dict
        ``level``; ``busyness`` (``shared``, ``per stream`` or ``none``); ``multiplier``
        (stream -> quantile of its busyness); ``cost_per_week``; ``days_missing_goal``,
        ``days_any_goal_missed`` and ``days`` (:func:`days_missing_goal`); and ``note``
        when the scenario has no busyness.
    """
    kind = busyness_kind(scenario)
    record: dict[str, Any] = {
        "level": level,
        "busyness": kind,
        "multiplier": {k: round(v, 4) for k, v in busyness_quantiles(scenario, level).items()},
        "cost_per_week": round(cost_per_week, 2),
        **days_missing_goal(daily_attainment(scenario, results)),
    }
    if kind == "none":
        record["note"] = (
            "the scenario has no busyness, so every quantile is 1: each risk level plans for "
            "the mean demand and costs the same"
        )
    return record


def risk_level_row(record: dict[str, Any]) -> dict[str, Any]:
    """One row of ``optimize.json``'s ``risk_levels``: a level's cost per week and how often
    its simulated days miss a goal (from :func:`risk_record`)."""
    keys = ("level", "cost_per_week", "days_any_goal_missed", "days_missing_goal", "days")
    return {k: record[k] for k in keys}
