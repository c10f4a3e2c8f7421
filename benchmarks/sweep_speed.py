"""A 16-point sweep, serially and on a local Dask cluster of 2 workers, timed end to end.

Both runs go through the command line (``run_sim.py sweep``), so the distributed time
includes starting the cluster. The serial run in the same invocation is the reference;
the script prints both times and the speed-up, and checks the two sweep.csv are equal.

    python benchmarks/sweep_speed.py [--scenario scenarios/library/baseline.yaml] [--weeks 2]
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
    subprocess.run([sys.executable, str(ROOT / "run_sim.py"), *args], check=True,
                   capture_output=True, text=True)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", default=str(ROOT / "scenarios/library/baseline.yaml"))
    parser.add_argument("--weeks", default="2")
    args = parser.parse_args()
    grid = [
        "--set", "demand.deflection=0,0.1,0.2,0.33",
        "--set", "demand.scale=0.8,0.9,1.0,1.1",
        "--set", f"horizon.weeks={args.weeks}",
        "--replications", "1",
    ]
    with tempfile.TemporaryDirectory() as tmp:
        serial = run(["sweep", args.scenario, *grid, "--out", f"{tmp}/serial"])
        parallel = run(["sweep", args.scenario, *grid, "--out", f"{tmp}/dask", "--workers", "2"])
        same = (Path(tmp, "serial", "sweep.csv").read_text()
                == Path(tmp, "dask", "sweep.csv").read_text())
    print(json.dumps({
        "points": 16,
        "serial_seconds": round(serial, 1),
        "dask_2_workers_seconds": round(parallel, 1),
        "speedup": round(serial / parallel, 2),
        "identical_results": same,
    }))


if __name__ == "__main__":
    main()
