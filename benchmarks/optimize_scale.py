"""Benchmark: optimize a 4-week roster for 150 named agents (3 teams x 4 languages x 3 channels).

Generates the scenario in code (30-minute intervals, shift templates every hour from 06:00
to 22:00 of 8 or 10 hours, a 30-minute break after 4.5 hours), runs
``optimizer.plan.optimize_scenario`` (what ``optimize`` runs) with its default budgets and
prints, per stage, the build and solve seconds, the status and the gap, then the plan's
status, coverage and start-time stability.  First it prints this machine's speed on a fixed
reference (the textbook SimPy model of ``engine_speed.py``), to read the seconds by.

Run: ``python benchmarks/optimize_scale.py [--time-limit SECONDS] [--workers N]``
(``--workers``: processes for the schedule's bound and the rosters, default this machine's
cores, at most one per team; see ``optimizer.plan.default_workers``).
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from engine_speed import machine_speed

from optimizer.plan import PlanEffort, optimize_scenario
from scenarios import scenario_from_data

LANGUAGES = ("en", "de", "fr", "es")
CHANNELS = ("email", "chat", "phone")


def scale_scenario() -> dict[str, Any]:
    """The benchmark scenario as YAML-ready data."""
    regions = {
        "en": ("Europe/London", "GB", 1.0),
        "de": ("Europe/Berlin", "DE", 0.45),
        "fr": ("Europe/Paris", "FR", 0.35),
        "es": ("America/Mexico_City", "MX", 0.4),
    }
    volume = {"email": 1400, "chat": 900, "phone": 500}
    profile = {"email": "business_hours", "chat": "extended_hours", "phone": "business_hours"}
    streams = []
    for lang in LANGUAGES:
        region, country, share = regions[lang]
        for channel in CHANNELS:
            stream: dict[str, Any] = {
                "name": f"{lang}-{channel}",
                "language": lang,
                "channel": channel,
                "region": region,
                "country": country,
                "tickets_per_week": round(volume[channel] * share),
                "profile": profile[channel],
            }
            if channel == "email":
                stream["priority_mix"] = {"urgent": 0.1, "normal": 0.9}
            streams.append(stream)
    teams = [
        {
            "name": "lisbon",
            "timezone": "Europe/Lisbon",
            "country": "PT",
            "agents": 60,
            "languages": ["en", "de", "fr", "es"],
            "channels": list(CHANNELS),
            "hourly_cost": 28,
            "shifts": "optimize",
        },
        {
            "name": "berlin",
            "timezone": "Europe/Berlin",
            "country": "DE",
            "agents": 45,
            "languages": ["de", "en", "fr"],
            "channels": list(CHANNELS),
            "hourly_cost": 36,
            "shifts": "optimize",
        },
        {
            "name": "bogota",
            "timezone": "America/Bogota",
            "country": "CO",
            "agents": 45,
            "languages": ["es", "en"],
            "channels": list(CHANNELS),
            "hourly_cost": 18,
            "shifts": "optimize",
        },
    ]
    return {
        "name": "optimize-scale",
        "horizon": {"start": "2026-02-02", "weeks": 4, "interval_minutes": 30},
        "seed": 3,
        "demand": {"streams": streams},
        "channels": {
            "phone": {"handle_minutes": {"mean": 7, "cv": 0.8}, "patience_minutes": {"mean": 3}},
            "chat": {
                "handle_minutes": {"mean": 12, "cv": 0.9},
                "patience_minutes": {"mean": 5},
                "concurrency": 2,
            },
            "email": {"handle_minutes": {"mean": 8, "cv": 1.0}, "touches": 1.8},
        },
        "reopen_rate": 0.05,
        "service_levels": [
            {"channel": "phone", "answer_within": "30s", "goal": 0.8},
            {"channel": "chat", "answer_within": "2m", "goal": 0.85},
            {"channel": "email", "priority": "urgent", "answer_within": "1h", "goal": 0.9},
            {"channel": "email", "answer_within": "4h", "goal": 0.9},
        ],
        "teams": teams,
        "shift_templates": {
            "starts_every": "1h",
            "lengths_hours": [8, 10],
            "earliest": "06:00",
            "latest": "22:00",
            "break": {"after_hours": 4.5, "minutes": 30},
        },
        "shrinkage": 0.25,
        "costs": {"night_premium": 0.25, "weekend_premium": 0.5, "holiday_premium": 1.0},
        "labor_rules": {
            "max_hours_per_week": 40,
            "min_rest_hours": 11,
            "max_consecutive_days": 5,
            "max_night_shifts_per_week": 3,
            "min_days_off_per_week": 2,
            "max_working_weekends": 2,
        },
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--time-limit", type=float, default=900.0, help="safety net (s)")
    parser.add_argument("--mip-gap", type=float, default=None, help="default: the scenario's")
    parser.add_argument("--workers", type=int, default=None)
    args = parser.parse_args()
    if args.workers is not None and args.workers < 1:
        parser.error(f"--workers: found {args.workers}, expected a whole number of at least 1")
    # This machine's speed, to read the seconds below by.
    print(f"machine speed: textbook SimPy M/M/c at {machine_speed():,.0f} tickets/s")
    t0 = time.perf_counter()
    scenario = scenario_from_data(scale_scenario())
    agents = sum(t.agents for t in scenario.teams)
    print(
        f"scenario: {agents} agents, {len(scenario.teams)} teams, "
        f"{len(scenario.demand.streams)} streams, {scenario.horizon.days} days"
    )
    effort = PlanEffort(gap=args.mip_gap, seconds=args.time_limit, workers=args.workers)
    plan = optimize_scenario(scenario, effort=effort)
    wall = time.perf_counter() - t0
    print(f"{'stage':<22}{'status':<10}{'build s':>9}{'solve s':>9}{'gap':>9}  message")
    for s in plan.solves():
        gap = "-" if s["gap"] is None else f"{100 * s['gap']:.2f}%"
        print(
            f"{s['stage']:<22}{s['status']:<10}{s['build_seconds']:>9.1f}"
            f"{s['solve_seconds']:>9.1f}{gap:>9}  {s['message']}"
        )
    summary = plan.summary()
    starts = summary["start_times"]
    print(
        f"status: {summary['status']} ({summary['status_words']})\n"
        f"roster shifts: {summary['shifts_rostered']}, agents: {summary['agents_rostered']}, "
        f"cost: {summary['cost']['total']:.0f}, uncovered: "
        f"{summary['uncovered_agent_hours']:.1f} agent-hours, unstaffed shifts: "
        f"{summary['unstaffed_shifts']}\n"
        f"start times per person-week: median {starts['median_per_week']:g}, "
        f"{100 * starts['share_at_most_two']:.1f}% at most two"
    )
    print(f"wall time: {wall:.1f} s")


if __name__ == "__main__":
    main()
