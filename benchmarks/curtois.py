"""Run the roster optimizer on Curtois-Qu benchmark instances and print one JSON line each.

Usage (from the repository root)::

    python benchmarks/curtois.py ../shared/data/curtois/instances/Instance1.txt \
        [more files] [--time-limit 600] [--roster-out DIR] \
        [--heuristic-seconds S] [--columns-seconds S] [--neighbourhood-seconds S] \
        [--workers N] [--machine-speed]

Each line holds ``instance``, ``objective``, ``best_known``, ``gap`` (relative distance of the
objective above the best known value, ``None`` without either), ``seconds``, ``status``, plus
``bound``, ``mip_gap``, ``build_seconds``, ``solve_seconds`` and ``workers``.  ``best_known``
comes from ``../shared/data/curtois/best_known.csv`` next to the repository when that file
exists.
``--roster-out DIR`` writes ``<instance>.csv`` (``employee``, ``day``, ``shift``) atomically.
``--heuristic-seconds``, ``--columns-seconds`` and ``--neighbourhood-seconds`` pass the budgets
of the heuristic MIP start, of column generation with diving (a better start and a bound) and
of the neighbourhood re-solves to ``solve_roster`` (all are part of the limit);
``--workers N`` runs the re-solves on N processes (default 1).  ``--machine-speed`` first
times the textbook SimPy M/M/c of ``engine_speed.py`` (100,000 tickets, a few seconds) and adds
its ``machine_tickets_per_second`` to every line, so runs on machines of other speeds can be
read side by side.

A thin command-line edge: it may print and write files; the optimizer modules do neither.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from optimizer.curtois import load_curtois  # noqa: E402
from optimizer.result import OptimizerError, SolveResult  # noqa: E402

from optimizer.roster import solve_roster  # noqa: E402

BEST_KNOWN_CSV = REPO_ROOT.parent / "shared" / "data" / "curtois" / "best_known.csv"


def load_best_known(path: Path = BEST_KNOWN_CSV) -> dict[str, float]:
    """Best known objective per instance name, empty when the file is absent.

    Parameters
    ----------
    path : pathlib.Path
        CSV with columns ``instance`` and ``best_known_solution``.

    Returns
    -------
    dict[str, float]
    """
    if not path.is_file():
        return {}
    with path.open(newline="", encoding="utf-8") as fh:
        return {
            row["instance"]: float(row["best_known_solution"])
            for row in csv.DictReader(fh)
            if row.get("best_known_solution")
        }


def write_roster_csv(result: SolveResult, path: Path) -> None:
    """Write the assignments table atomically (temporary file, then ``os.replace``).

    Parameters
    ----------
    result : SolveResult
        A solve result with an ``assignments`` table.
    path : pathlib.Path
        Destination CSV.
    """
    if result.assignments is None:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as fh:
            result.assignments[["employee", "day", "shift"]].to_csv(fh, index=False)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def machine_speed() -> float:
    """:func:`engine_speed.machine_speed`, imported only for ``--machine-speed`` (it loads
    the simulation engine)."""
    here = str(Path(__file__).resolve().parent)
    if here not in sys.path:
        sys.path.insert(0, here)
    from engine_speed import machine_speed as speed

    return speed()


def _round(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(value, digits)


def run_instance(
    path: Path,
    time_limit: float,
    best_known: dict[str, float],
    roster_out: Path | None,
    heuristic_seconds: float | None = None,
    neighbourhood_seconds: float = 0.0,
    workers: int = 1,
    columns_seconds: float = 0.0,
) -> dict[str, object]:
    """Solve one instance and return its JSON record.

    Parameters
    ----------
    path : pathlib.Path
        Instance file.
    time_limit : float
        HiGHS time limit (s).
    best_known : dict[str, float]
        Best known objectives by instance name.
    roster_out : pathlib.Path or None
        Folder for ``<instance>.csv``, or ``None``.
    heuristic_seconds : float, optional
        Budget of the heuristic MIP start (part of ``time_limit``); ``solve_roster``'s
        default when omitted, 0 for none.
    neighbourhood_seconds : float, default 0.0
        Seconds (part of ``time_limit``) for neighbourhood re-solves of an incumbent that is
        not proven optimal.
    workers : int, default 1
        Processes for the re-solves.
    columns_seconds : float, default 0.0
        Seconds (part of ``time_limit``) for column generation with diving after the
        heuristic.

    Returns
    -------
    dict[str, object]
        The record printed as one JSON line.
    """
    problem = load_curtois(path)
    result = solve_roster(
        problem,
        time_limit=time_limit,
        heuristic_seconds=heuristic_seconds,
        neighbourhood_seconds=neighbourhood_seconds,
        workers=workers,
        columns_seconds=columns_seconds,
    )
    best = best_known.get(problem.name)
    gap = None
    if result.objective is not None and best is not None:
        gap = (result.objective - best) / max(abs(best), 1e-9)
    if roster_out is not None:
        write_roster_csv(result, roster_out / f"{problem.name}.csv")
    return {
        "instance": problem.name,
        "objective": result.objective,
        "best_known": best,
        "gap": _round(gap),
        "seconds": round(result.seconds, 2),
        "status": str(result.status),
        "bound": result.bound,
        "mip_gap": _round(result.gap),
        "build_seconds": round(result.build_seconds, 3),
        "solve_seconds": round(result.solve_seconds, 2),
        "workers": workers,
    }


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point; returns the exit code (2 on a bad instance file)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path, help="Curtois-Qu instance files")
    parser.add_argument("--time-limit", type=float, default=600.0, help="seconds per instance")
    parser.add_argument("--roster-out", type=Path, default=None, help="folder for roster CSVs")
    parser.add_argument(
        "--heuristic-seconds",
        type=float,
        default=None,
        help="seconds of the heuristic MIP start (default: min(30, 10%% of the limit); 0: none)",
    )
    parser.add_argument(
        "--columns-seconds",
        type=float,
        default=0.0,
        help="seconds of column generation with diving after the heuristic (part of the limit)",
    )
    parser.add_argument(
        "--neighbourhood-seconds",
        type=float,
        default=0.0,
        help="seconds of neighbourhood re-solves after the full solve (part of the limit)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="processes for the neighbourhood re-solves (default 1)",
    )
    parser.add_argument(
        "--machine-speed",
        action="store_true",
        help="time a reference SimPy model first and add machine_tickets_per_second to each line",
    )
    args = parser.parse_args(argv)
    if args.workers < 1:
        parser.error(f"--workers: found {args.workers}, expected a whole number of at least 1")
    if not args.columns_seconds >= 0:
        parser.error(f"--columns-seconds: found {args.columns_seconds}, expected 0 or more seconds")
    best_known = load_best_known()
    speed = {"machine_tickets_per_second": round(machine_speed())} if args.machine_speed else {}
    code = 0
    for path in args.files:
        try:
            record = run_instance(
                path,
                args.time_limit,
                best_known,
                args.roster_out,
                args.heuristic_seconds,
                args.neighbourhood_seconds,
                args.workers,
                args.columns_seconds,
            )
        except OptimizerError as exc:
            print(f"error: {exc}", file=sys.stderr)
            code = 2
            continue
        print(json.dumps({**record, **speed}), flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main())
