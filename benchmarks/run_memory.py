"""Peak memory of a simulation per ticket and per agent shift: the figures behind the size
guard's estimate (``sim/size.py``).

Each point simulates ``tests/data/cli_small.yaml`` with one stream's volume or the team's
head count changed, and writes every output (summary, tickets, tables, report) as
``run_sim.py simulate`` does, in a fresh subprocess so that its peak resident size is its
own. The slope between two points of different volume (or head count) is the memory per
ticket (or per agent shift); the intercept is the process before its first ticket.

    python benchmarks/run_memory.py
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "tests" / "data" / "cli_small.yaml"
POINTS = {
    "tickets": [("30000", "1500", "1"), ("300000", "1500", "1")],
    "agent_shifts": [("3000", "300", "2"), ("3000", "6000", "2")],
}
"""Per series: (email tickets a week, agents, weeks) of its two points."""


def measure(tickets_per_week: str, agents: str, weeks: str) -> dict[str, float]:
    sys.path.insert(0, str(ROOT))
    from run_sim import simulate_and_write
    from scenarios import load_scenario
    from sim.size import estimate_run

    overrides = [
        f"demand.streams[0].tickets_per_week={tickets_per_week}",
        f"teams[0].agents={agents}",
        f"horizon.weeks={weeks}",
    ]
    scenario = load_scenario(SCENARIO, overrides)
    estimate = estimate_run(scenario, 1)
    with tempfile.TemporaryDirectory() as folder:
        simulate_and_write(scenario, Path(folder) / "out", 1, None)
    return {
        "tickets": estimate.tickets,
        "agent_shifts": estimate.agent_shifts,
        "estimated_mb": estimate.memory_bytes / 1e6,
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inner", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.inner:
        print(json.dumps(measure(*args.inner)))
        return
    report = {}
    for series, points in POINTS.items():
        runs = []
        for point in points:
            done = subprocess.run(
                [sys.executable, __file__, "--inner", *point],
                capture_output=True,
                text=True,
                check=True,
            )
            runs.append(json.loads(done.stdout.splitlines()[-1]))
        small, large = runs
        slope = (
            (large["peak_rss_mb"] - small["peak_rss_mb"]) * 1e6 / (large[series] - small[series])
        )
        report[series] = {"points": runs, "bytes_each": round(slope)}
    print(json.dumps(report, indent=2))


if __name__ == "__main__":
    main()
