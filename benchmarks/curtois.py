"""Run the product's roster solver on Curtois-Qu benchmark instances; one JSON line each.

Usage (from the repository root)::

    python benchmarks/curtois.py ../shared/data/curtois/instances/Instance1.txt \
        [more files] [--time-limit 600] [--gap 0] [--rounds 150] [--stall-rounds 40] \
        [--round-nodes 200] [--nodes 20000] [--roster-out DIR] [--machine-speed]

Each instance is read by ``curtois_reader.py`` into the product's ``RosterProblem`` and
solved by ``optimizer.roster.solve.solve_roster``, the solver ``optimize`` uses for every
team, with larger counts than a team's roster gets (the flags; every budget a count).
Each line holds ``instance``, ``objective``, ``best_known``, ``gap`` (relative distance
above the best known value), ``seconds``, ``status``, ``bound``, ``mip_gap``, ``rounds``
and ``message``.  ``best_known`` comes from
``../shared/data/curtois/best_known.csv`` when that file exists.  ``--roster-out DIR``
writes ``<instance>.csv`` (``employee``, ``day``, ``shift``), which ``curtois_check.py``
re-reads and checks against every rule of the instance; ``--machine-speed`` adds the
speed of a reference SimPy model (``engine_speed.py``) so runs on other machines can be
read side by side.
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
for folder in (REPO_ROOT, REPO_ROOT / "benchmarks"):
    if str(folder) not in sys.path:
        sys.path.insert(0, str(folder))

from curtois_check import check_roster  # noqa: E402
from curtois_reader import load_curtois  # noqa: E402
from engine_speed import machine_speed  # noqa: E402

from optimizer.roster.solve import RosterEffort, solve_roster  # noqa: E402
from optimizer.solver import OptimizerError  # noqa: E402

BEST_KNOWN_CSV = REPO_ROOT.parent / "shared" / "data" / "curtois" / "best_known.csv"


def load_best_known(path: Path = BEST_KNOWN_CSV) -> dict[str, float]:
    """Best known objective per instance name, empty when the file is absent."""
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {
            row["instance"]: float(row["best_known_solution"])
            for row in csv.DictReader(fh)
            if row.get("best_known_solution")
        }


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def run_instance(
    path: Path, effort: RosterEffort, best_known: dict[str, float], roster_out: Path | None
) -> dict[str, object]:
    """Solve one instance; its JSON record (the roster checked when written)."""
    problem = load_curtois(path)
    sol = solve_roster(problem, effort)
    result = sol.result
    best = best_known.get(problem.name)
    gap = None
    if result.objective is not None and best is not None:
        gap = (result.objective - best) / max(abs(best), 1e-9)
    record: dict[str, object] = {
        "instance": problem.name,
        "objective": result.objective,
        "best_known": best,
        "gap": _round(gap),
        "seconds": round(result.seconds, 2),
        "status": str(result.status),
        "bound": result.bound,
        "mip_gap": _round(result.gap),
        "rounds": sol.rounds,
        "message": result.message,
    }
    if roster_out is not None and sol.plan is not None:
        roster_out.mkdir(parents=True, exist_ok=True)
        out = roster_out / f"{problem.name}.csv"
        sol.assignments().to_csv(out, index=False)
        record["checked_objective"] = check_roster(path, out)
    return record


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (2 on a bad instance file)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="Curtois-Qu instance files")
    parser.add_argument("--time-limit", type=float, default=600.0, help="safety net (s)")
    parser.add_argument("--gap", type=float, default=0.0, help="relative gap target")
    parser.add_argument("--rounds", type=int, default=150, help="neighbourhood re-solves")
    parser.add_argument(
        "--stall-rounds", type=int, default=40, help="re-solves in a row without gain to stop"
    )
    parser.add_argument("--round-nodes", type=int, default=200, help="nodes of each re-solve")
    parser.add_argument("--nodes", type=int, default=20000, help="nodes of the whole MILP")
    parser.add_argument("--roster-out", type=Path, default=None, help="folder for roster CSVs")
    parser.add_argument("--machine-speed", action="store_true")
    args = parser.parse_args(argv)
    for flag in ("rounds", "stall_rounds", "round_nodes", "nodes"):
        value = getattr(args, flag)
        if value < 1:
            name = flag.replace("_", "-")
            parser.error(f"--{name}: found {value}, expected a whole number of at least 1")
    effort = RosterEffort(
        gap=args.gap,
        rounds=args.rounds,
        stall_rounds=args.stall_rounds,
        round_nodes=args.round_nodes,
        nodes=args.nodes,
        seconds=args.time_limit,
    )
    best_known = load_best_known()
    speed = {"machine_tickets_per_second": round(machine_speed())} if args.machine_speed else {}
    code = 0
    for path in args.files:
        try:
            record = run_instance(path, effort, best_known, args.roster_out)
        except OptimizerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            code = 2
            continue
        print(json.dumps({**record, **speed}), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
