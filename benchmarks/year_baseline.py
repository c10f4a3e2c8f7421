"""One simulated year of the baseline scenario, every feature on, in one process.

Runs the library baseline (multi-site, multi-language, email/chat/phone, priorities,
escalation, reopen, language fallback, breaks, shrinkage, holidays) with its horizon set
to 52 weeks, and reports wall time of the simulation and of the KPI summary, tickets per
second, and peak memory (resident set size) per million tickets. Each measurement runs in
a fresh subprocess so peak memory is its own; the reference is the same process after
imports (its resident size is subtracted).

    python benchmarks/year_baseline.py [--weeks 52] [--scenario scenarios/library/baseline.yaml]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time


def measure(scenario_path: str, weeks: float) -> dict[str, float]:
    from scenarios import load_scenario
    from sim.engine import run_replication
    from sim.runner import summarize

    base_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    scenario = load_scenario(scenario_path, [f"horizon.weeks={weeks}"])
    start = time.perf_counter()
    result = run_replication(scenario, scenario.seed, 0)
    sim_seconds = time.perf_counter() - start
    sim_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    start = time.perf_counter()
    summarize(scenario, [result])
    summary_seconds = time.perf_counter() - start
    peak_rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    tickets = len(result.tickets)
    return {
        "weeks": weeks,
        "tickets": tickets,
        "touches": len(result.touch_start),
        "simulate_seconds": round(sim_seconds, 2),
        "summary_seconds": round(summary_seconds, 2),
        "total_seconds": round(sim_seconds + summary_seconds, 2),
        "tickets_per_second": round(tickets / sim_seconds),
        "rss_after_imports_mb": round(base_rss),
        "peak_rss_simulate_mb": round(sim_rss),
        "peak_rss_mb": round(peak_rss),
        "simulate_mb_per_million_tickets": round((sim_rss - base_rss) / tickets * 1e6),
        "peak_mb_per_million_tickets": round((peak_rss - base_rss) / tickets * 1e6),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=float, default=52)
    parser.add_argument("--scenario", default="scenarios/library/baseline.yaml")
    parser.add_argument("--inner", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(measure(args.scenario, args.weeks)))
        return
    out = subprocess.run(
        [
            sys.executable,
            __file__,
            "--inner",
            "--weeks",
            str(args.weeks),
            "--scenario",
            args.scenario,
        ],
        check=True,
        capture_output=True,
        text=True,
    )
    print(out.stdout.strip())


if __name__ == "__main__":
    main()
