"""A sample of ``optimize.json`` (the shape ``run_sim.py optimize`` writes) for the report
tests."""

from __future__ import annotations

from typing import Any

OPTIMIZE: dict[str, Any] = {
    "status": "short",
    "status_words": "12 agent-hours uncovered (de/chat 12 h); teams short of people: "
    "manila needs 20 (has 18)",
    "cost": {"currency": "USD", "total": 2469.0, "per_week": 1234.5},
    "uncovered_agent_hours": 12.0,
    "uncovered": [
        {
            "group": "de/chat",
            "agent_hours": 12.0,
            "intervals": 24,
            "first": "2026-01-05T20:00:00+00:00",
            "last": "2026-01-09T21:30:00+00:00",
            "utc_hours": "20:00-22:00",
            "why": "dublin have no more people to plan at those times",
        }
    ],
    "headcount": [{"team": "manila", "agents": 18, "needed": 20, "extra_cost_per_week": 1120.0}],
    "start_times": {"median_per_week": 1.0, "mean_per_week": 1.4, "share_at_most_two": 0.95},
    "preferences": {"asked": 0, "granted": 0},
    "rules_broken": [],
    "solves": [
        {
            "stage": "schedule",
            "status": "optimal",
            "objective": 1234.5,
            "bound": 1234.5,
            "gap": 0.0,
            "build_seconds": 0.4,
            "solve_seconds": 1.2,
            "stopped_by": "gap",
            "message": "proven optimal",
        },
        {
            "stage": "roster: dublin",
            "status": "feasible",
            "objective": 1300.0,
            "bound": 1280.0,
            "gap": 0.0154,
            "build_seconds": 2.0,
            "solve_seconds": 30.0,
            "stopped_by": "nodes",
            "message": "node budget",
        },
    ],
    "rounds": [],
    "verified": False,
    "stop_reason": "",
}
