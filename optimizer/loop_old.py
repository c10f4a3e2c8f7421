"""Simulation-verified optimisation: optimise, simulate the roster, raise what misses, repeat.

Per-interval queueing formulas are known to miss SLA goals when agents are shared across
queues and demand varies within the hour, so a plan is proven in simulation:

1. optimise the scenario (schedule and rosters) with the current requirement boosts;
2. simulate the optimized scenario (replications; the same seed every round, so rounds see
   the same customers and differ only by the plan);
3. for every queue with a goal, pool its tickets by hour of the week (UTC) over weeks and
   replications; where the Wilson 95% upper bound of attainment is below the goal, the
   miss is confident: add one agent to that queue group's requirement in every interval of
   that hour of the week;
4. stop when every queue's goal holds (the lower bound of its 95% interval at or above the
   goal), or every goal of the queues that an optimized team serves holds (the others no
   round can change), when a round brings no gain (neither more queues meeting goal nor
   higher attainment than the best round), or at the round limit.

Every round is recorded (cost, attainment, queues meeting goal, intervals changed). The
round that stops the loop on its goals is returned; otherwise the best round by (queues
meeting goal, lower cost, attainment). No printing and
no files here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import special

from optimizer.plan import OptimizeResult, optimize_scenario
from optimizer.requirements import interval_requirements
from optimizer.schedule import group_of_queue
from scenarios.calendar import horizon_origin
from scenarios.schema import Scenario
from sim.engine import SimResult
from sim.metrics import met_mask, queue_targets
from sim.runner import RunOutput, run_replications, summarize


@dataclass(slots=True)
class VerifiedPlan:
    """The chosen round's plan, its simulation, and every round's record.

    ``scenario`` is the scenario as given (its ``shifts: optimize`` teams tell which queue
    groups the optimizer can staff).
    """

    scenario: Scenario
    plan: OptimizeResult
    run: RunOutput
    rounds: list[dict[str, Any]] = field(default_factory=list)
    stop_reason: str = ""
    boost: pd.DataFrame | None = None

    def misses(self) -> list[dict[str, Any]]:
        """Queues whose goal is not shown to hold, by how much they miss, and why."""
        servable = servable_groups(self.scenario)
        out = []
        for q in self.run.summary["by_queue"]:
            goal = q.get("goal")
            if goal is None or q.get("attainment") is None:
                continue
            lo = (q.get("attainment_ci95") or [None, None])[0]
            if q["attainment"] < goal or (lo is not None and lo < goal):
                group = group_of_queue(q["language"], q["channel"], q.get("tier", 1))
                if group not in servable:
                    why = (
                        "no team whose shifts are optimized serves this queue; only fixed "
                        "shifts or rosters do, which the optimizer does not change"
                    )
                elif q["attainment"] >= goal:
                    why = "above the goal, but the 95% interval reaches below it"
                else:
                    why = "below the goal after the last round"
                out.append(
                    {
                        "queue": q["queue"],
                        "goal": goal,
                        "attainment": q["attainment"],
                        "ci_low": lo,
                        "short_by": goal - q["attainment"],
                        "confident": q["attainment_ci95"] is not None
                        and q["attainment_ci95"][1] is not None
                        and q["attainment_ci95"][1] < goal,
                        "why": why,
                    }
                )
        return out


def servable_groups(scenario: Scenario) -> set[str]:
    """Queue groups that some team with ``shifts: optimize`` can serve."""
    return {
        group_of_queue(lang, ch, team.tier)
        for team in scenario.teams
        if team.optimize_shifts
        for lang in team.languages
        for ch in team.channels
    }


def wilson_upper(met: np.ndarray, n: np.ndarray, z: float | None = None) -> np.ndarray:
    """Upper end of the Wilson 95% score interval of a proportion met / n."""
    z = float(special.ndtri(0.975)) if z is None else z
    n = np.asarray(n, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        p = np.where(n > 0, met / n, np.nan)
        centre = p + z * z / (2 * n)
        spread = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre + spread) / (1 + z * z / n)


def confident_misses(scenario: Scenario, results: list[SimResult]) -> pd.DataFrame:
    """Queue group x UTC hour of week where attainment is below goal with confidence.

    Returns columns ``group``, ``hour_of_week``, ``met``, ``counted``, ``goal``,
    ``upper`` (Wilson 95% upper bound).
    """
    frames = []
    for r in results:
        targets = queue_targets(scenario, r.queues)
        counted, met = met_mask(r, targets)
        how = (r.tickets.arrival // 60).astype(np.int64) % 168
        frames.append(
            pd.DataFrame(
                {
                    "queue": r.ticket_queue[counted],
                    "hour_of_week": how[counted],
                    "met": (met & counted)[counted],
                }
            )
        )
    if not frames:
        return pd.DataFrame(columns=["group", "hour_of_week", "met", "counted", "goal", "upper"])
    queues = results[0].queues
    goals = [t.goal for t in queue_targets(scenario, queues)]
    table = (
        pd.concat(frames)
        .groupby(["queue", "hour_of_week"])["met"]
        .agg(met="sum", counted="size")
        .reset_index()
    )
    table["goal"] = [goals[q] for q in table["queue"]]
    table["group"] = [
        group_of_queue(queues[q].language, queues[q].channel, queues[q].tier)
        for q in table["queue"]
    ]
    table["upper"] = wilson_upper(table["met"].to_numpy(), table["counted"].to_numpy())
    missed = table[table["goal"].notna() & (table["upper"] < table["goal"])]
    return missed.drop(columns="queue").reset_index(drop=True)


def _boost_intervals(scenario: Scenario, misses: pd.DataFrame) -> pd.DataFrame:
    """One more agent in every interval of each missed (group, UTC hour of week)."""
    if misses.empty:
        return pd.DataFrame(columns=["interval_start", "group", "extra"])
    minutes = scenario.horizon.interval_minutes
    n = int(scenario.horizon.days * 1440 // minutes)
    starts = horizon_origin(scenario) + pd.to_timedelta(np.arange(n) * minutes, unit="min")
    offsets = np.arange(n) * minutes
    how = (offsets // 60).astype(np.int64) % 168
    pairs = misses[["group", "hour_of_week"]].drop_duplicates()
    frames = [
        pd.DataFrame({"interval_start": starts[how == h], "group": g, "extra": 1.0})
        for g, h in pairs.itertuples(index=False)
    ]
    return pd.concat(frames, ignore_index=True)


def _merge_boost(current: pd.DataFrame | None, more: pd.DataFrame) -> pd.DataFrame:
    if current is None or current.empty:
        return more
    both = pd.concat([current, more], ignore_index=True)
    return both.groupby(["interval_start", "group"], as_index=False)["extra"].sum()


def _score(run: RunOutput) -> tuple[int, float, float]:
    """Rounds rank by queues meeting their goal, then by lower cost, then attainment: once
    two plans meet the same goals, paying more for attainment above them is no gain."""
    sla = run.summary["sla"]
    return (
        int(sla["queues_meeting_goal"]),
        -float(run.summary["cost"]["per_week"]),
        float(sla["attainment"] or 0.0),
    )


def _progress(run: RunOutput) -> tuple[int, float]:
    sla = run.summary["sla"]
    return int(sla["queues_meeting_goal"]), float(sla["attainment"] or 0.0)


def _goals_hold(run: RunOutput, groups: set[str] | None = None) -> bool:
    """Every queue goal holds (the 95% interval's lower end at or above it); with
    ``groups``, only the queues in those queue groups count."""
    for q in run.summary["by_queue"]:
        if q.get("goal") is None or q.get("attainment") is None:
            continue
        if groups is not None and (
            group_of_queue(q["language"], q["channel"], q.get("tier", 1)) not in groups
        ):
            continue
        lo = (q.get("attainment_ci95") or [None, None])[0]
        value = lo if lo is not None else q["attainment"]
        if value < q["goal"] - 1e-12:
            return False
    return True


def verify_plan(
    scenario: Scenario,
    *,
    time_limit: float = 120.0,
    replications: int = 3,
    seed: int | None = None,
    max_rounds: int = 4,
    client: Any = None,
    progress: Callable[[int, int], None] | None = None,
    workers: int | None = None,
) -> VerifiedPlan:
    """Optimise and correct by simulation until every goal holds (see the module docstring).

    Parameters
    ----------
    scenario : Scenario
        A scenario with at least one ``shifts: optimize`` team.
    time_limit : float
        Solver seconds for each round's optimisation.
    replications : int
        Replications simulated per round (common random numbers across rounds).
    max_rounds : int
        Most optimise-simulate rounds.
    client : dask.distributed.Client, optional
        Runs the replications on Dask.
    workers : int, optional
        Processes for the rosters (see :func:`optimizer.plan.optimize_scenario`; by default
        :func:`optimizer.plan.default_workers`).
    progress : callable, optional
        ``progress(round, max_rounds)`` after each round.
    """
    seed = scenario.seed if seed is None else seed
    boost: pd.DataFrame | None = None
    best: VerifiedPlan | None = None
    rounds: list[dict[str, Any]] = []
    reason = f"round limit ({max_rounds}) reached"
    servable = servable_groups(scenario)
    for number in range(1, max_rounds + 1):
        plan = optimize_scenario(scenario, time_limit, requirement_boost=boost, workers=workers)
        results = run_replications(plan.optimized, replications, seed, client=client)
        run = summarize(plan.optimized, results, interval_requirements(plan.optimized))
        misses = confident_misses(plan.optimized, results)
        fixable = misses[misses["group"].isin(servable)]
        sla = run.summary["sla"]
        record = {
            "round": number,
            "status": str(plan.status),
            "cost_per_week": run.summary["cost"]["per_week"],
            "plan_cost": plan.cost,
            "attainment": sla["attainment"],
            "queues_meeting_goal": sla["queues_meeting_goal"],
            "queues_with_goal": sla["queues_with_goal"],
            "confident_misses": len(misses),
            "confident_misses_no_optimized_team": len(misses) - len(fixable),
            "intervals_boosted": 0 if boost is None else len(boost),
            "agent_intervals_added": 0.0 if boost is None else float(boost["extra"].sum()),
        }
        rounds.append(record)
        if progress:
            progress(number, max_rounds)
        candidate = VerifiedPlan(scenario=scenario, plan=plan, run=run, boost=boost)
        improved = best is None or _progress(run) > _progress(best.run)
        if best is None or _score(run) > _score(best.run):
            best = candidate
        if _goals_hold(run):
            reason = f"every goal holds (round {number})"
            best = candidate
            break
        if _goals_hold(run, servable):
            reason = (
                f"every goal the optimizer can act on holds (round {number}); the others "
                "are served only by teams on fixed shifts or rosters"
            )
            best = candidate
            break
        if not improved and number > 1:
            reason = f"no gain in round {number}"
            break
        if fixable.empty:
            reason = (
                f"no confident miss the optimizer can act on (round {number}): the rest need "
                "more replications to tell, or a team with those skills whose shifts it chooses"
            )
            break
        boost = _merge_boost(boost, _boost_intervals(plan.optimized, fixable))
    assert best is not None
    best.rounds = rounds
    best.stop_reason = reason
    return best
