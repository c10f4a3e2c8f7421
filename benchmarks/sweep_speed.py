"""A 16-point sweep, serially and on a local Dask cluster of 2 workers, timed end to end.

Both runs go through the command line (``run_sim.py sweep``), so the distributed time
includes starting and closing the cluster. The serial run in the same invocation is the
reference: rounds alternate the order (serial first, then Dask first, ...) and the best
time of each is compared, since this machine's speed drifts. The script prints both
times, every round, the speed-up, and whether every run wrote the same sweep.csv.

    python benchmarks/sweep_speed.py [--scenario scenarios/library/baseline.yaml]
        [--weeks 13] [--rounds 2]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run(args: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), *args],
        check=True,
        capture_output=True,
        text=True,
    )
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/library/baseline.yaml"))
    parser.add_argument("--weeks", default="13")
    parser.add_argument("--rounds", type=int, default=2)
    args = parser.parse_args()
    grid = [
        "--set",
        "demand.deflection=0,0.1,0.2,0.33",
        "--set",
        "demand.scale=0.8,0.9,1.0,1.1",
        "--set",
        f"horizon.weeks={args.weeks}",
        "--replications",
        "1",
    ]
    modes = {"serial": [], "dask": ["--workers", "2"]}
    times: dict[str, list[float]] = {mode: [] for mode in modes}
    tables = set()
    with tempfile.TemporaryDirectory() as tmp:
        for r in range(args.rounds):
            order = list(modes) if r % 2 == 0 else list(reversed(modes))
            for mode in order:
                out = Path(tmp, f"{mode}-{r}")
                times[mode].append(
                    run(["sweep", args.scenario, *grid, "--out", str(out), *modes[mode]])
                )
                tables.add((out / "sweep.csv").read_text())
    serial, parallel = min(times["serial"]), min(times["dask"])
    print(
        json.dumps(
            {
                "points": 16,
                "weeks": int(args.weeks),
                "serial_seconds": round(serial, 1),
                "dask_2_workers_seconds": round(parallel, 1),
                "speedup": round(serial / parallel, 2),
                "rounds": {mode: [round(t, 1) for t in ts] for mode, ts in times.items()},
                "identical_results": len(tables) == 1,
            }
        )
    )


if __name__ == "__main__":
    main()
