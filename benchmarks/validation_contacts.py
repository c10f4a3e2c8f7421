"""Lines, balking, retrials, overflow and uniform handle times against theory, at length.

Runs the cases of ``tests/test_validation_contacts.py`` (there: 12 replications with one
seed, about a second each) with more replications and another seed, and prints each
measure's theoretical value, the simulated mean and its 95% interval (widened by the
case's allowance where the theory is an approximation).

    python benchmarks/validation_contacts.py [--replications 48] [--seed 99]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from test_validation_contacts import CASES, estimates

from sim.metrics import mean_ci95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=48)
    parser.add_argument("--seed", type=int, default=99)
    args = parser.parse_args()
    print("| case | measure | theory | simulated mean [95% interval] | |")
    print("|---|---|---:|---|---|")
    for case in CASES:
        scenario, measure, theory = case.build()
        values = estimates(scenario, measure, args.replications, args.seed)
        for key, value in theory.items():
            mean, lo, hi = mean_ci95(values[key])
            margin = case.slack * abs(value)
            inside = lo - margin <= value <= hi + margin
            print(
                f"| {case.name} | {key} | {value:.4f} | {mean:.4f} [{lo:.4f}, {hi:.4f}] | "
                f"{'inside' if inside else 'OUTSIDE'} |"
            )


if __name__ == "__main__":
    main()
