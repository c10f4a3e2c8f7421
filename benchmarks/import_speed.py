"""Import speed and memory: a synthetic Zendesk-style export through read_tickets + fit_scenario.

Generates a ticket export of N rows (default 10^6) in a temporary folder -- the columns a
Zendesk-style export carries (created, first reply, solved, channel, priority, assignee,
requester language and time zone, reopens) plus wide text columns the import does not read
(subject, tags) -- then, in a fresh subprocess per measurement, times ``read_tickets`` and
``fit_scenario`` and reports the peak resident memory of that subprocess
(``resource.getrusage(RUSAGE_SELF).ru_maxrss``). Memory is reported next to the file size
and next to a plain ``pandas.read_csv`` of the whole file for scale. The export is written
by a subprocess too and this script imports nothing heavy itself: on Linux a child inherits
its parent's peak RSS through fork and exec, which would otherwise mask the child's own.

    python benchmarks/import_speed.py [--rows 1000000] [--chunksize 100000] [--keep DIR]

Target: 10^6 rows within 30 s with memory bounded by the tickets kept, not by the file.
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

ZONES = ["America/New_York", "Europe/Berlin", "Europe/London", "Asia/Tokyo"]
RAILS = {
    "America/New_York": "Eastern Time (US & Canada)",
    "Europe/Berlin": "Berlin",
    "Europe/London": "London",
    "Asia/Tokyo": "Tokyo",
}
LANGUAGES = {
    "America/New_York": "English",
    "Europe/Berlin": "German",
    "Europe/London": "English",
    "Asia/Tokyo": "Japanese",
}
CHANNELS = ["Web form", "Email", "Chat", "Phone call (inbound)"]
WORDS = [
    "refund",
    "login",
    "invoice",
    "password",
    "shipping",
    "crash",
    "upgrade",
    "billing",
    "export",
    "api",
]


def make_export(path: Path, rows: int, seed: int = 7) -> None:
    """Write a Zendesk-style CSV of ``rows`` tickets over eight weeks (business-hours shape)."""
    import numpy as np
    import pandas as pd

    words = np.array(WORDS)
    rng = np.random.default_rng(seed)
    start = pd.Timestamp("2026-01-05", tz="UTC")
    hour_weights = np.array([0.2] * 7 + [1.0] * 11 + [0.5] * 6)
    day = rng.integers(0, 56, rows)
    hour = rng.choice(24, rows, p=hour_weights / hour_weights.sum())
    created = start + pd.to_timedelta(day * 1440 + hour * 60 + rng.uniform(0, 60, rows), "min")
    order = np.argsort(created.to_numpy())
    created = created[order]
    reply = np.round(rng.lognormal(np.log(90), 1.2, rows), 0)
    solved = created + pd.to_timedelta(reply + rng.lognormal(np.log(600), 1.0, rows), "min")
    zone = rng.choice(ZONES, rows, p=[0.4, 0.3, 0.2, 0.1])
    frame = pd.DataFrame(
        {
            "Id": np.arange(1, rows + 1),
            "Subject": [" ".join(w) for w in rng.choice(words, (rows, 4))],
            "Created at": created.strftime("%Y-%m-%d %H:%M:%S +0000"),
            "First reply time in minutes": np.where(rng.random(rows) < 0.97, reply, np.nan),
            "Solved at": solved.strftime("%Y-%m-%d %H:%M:%S +0000"),
            "Via": rng.choice(CHANNELS, rows, p=[0.4, 0.3, 0.2, 0.1]),
            "Priority": rng.choice(
                ["Low", "Normal", "High", "Urgent"], rows, p=[0.2, 0.6, 0.15, 0.05]
            ),
            "Assignee": np.char.add("agent-", rng.integers(1, 120, rows).astype(str)),
            "Requester language": pd.Series(zone).map(LANGUAGES).to_numpy(),
            "Requester time zone": pd.Series(zone).map(RAILS).to_numpy(),
            "Reopens": rng.poisson(0.08, rows),
            "Tags": [",".join(w) for w in rng.choice(words, (rows, 3))],
        }
    )
    frame.to_csv(path, index=False)


MEASURE = r"""
import json, resource, sys, time
mode, path, chunksize = sys.argv[1], sys.argv[2], int(sys.argv[3])
t0 = time.perf_counter()
out = {}
if mode == "import":
    from scenarios.ticket_import import fit_scenario, read_tickets
    t1 = time.perf_counter()
    tickets = read_tickets(path, "zendesk", chunksize=chunksize)
    t2 = time.perf_counter()
    data, report = fit_scenario(tickets, "bench")
    t3 = time.perf_counter()
    from scenarios import scenario_from_data
    scenario_from_data(data)
    out.update(import_seconds=t1 - t0, read_seconds=t2 - t1, fit_seconds=t3 - t2,
               tickets=len(tickets), streams=len(data["demand"]["streams"]),
               tickets_bytes=int(tickets.memory_usage(deep=True).sum()))
else:
    import pandas as pd
    t1 = time.perf_counter()
    frame = pd.read_csv(path)
    out.update(read_seconds=time.perf_counter() - t1, rows=len(frame))
out["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps(out))
"""


def generate(path: Path, rows: int) -> None:
    """Write the export in a subprocess (keeps this process, the parent, small)."""
    code = (
        "import sys; from pathlib import Path; sys.path.insert(0, sys.argv[1]); "
        "from import_speed import make_export; make_export(Path(sys.argv[2]), int(sys.argv[3]))"
    )
    folder = str(Path(__file__).resolve().parent)
    subprocess.run([sys.executable, "-c", code, folder, str(path), str(rows)], check=True, cwd=ROOT)


def measure(mode: str, path: Path, chunksize: int) -> dict[str, float]:
    """Run one measurement in a fresh interpreter (so peak memory is its own)."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURE, mode, str(path), str(chunksize)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        check=True,
    )
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--chunksize", type=int, default=100_000)
    parser.add_argument("--keep", metavar="DIR", help="write the export here and keep it")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(args.keep) if args.keep else Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"zendesk_{args.rows}.csv"
        t = time.perf_counter()
        generate(path, args.rows)
        made = time.perf_counter() - t
        size_mb = path.stat().st_size / 2**20
        result = measure("import", path, args.chunksize)
        baseline = measure("read_csv", path, args.chunksize)
    total = result["read_seconds"] + result["fit_seconds"]
    print(f"export: {args.rows:,} rows, {size_mb:.0f} MB (generated in {made:.1f} s)")
    print(
        f"read_tickets {result['read_seconds']:.1f} s + fit_scenario {result['fit_seconds']:.1f} s"
        f" = {total:.1f} s (target 30 s; imports {result['import_seconds']:.1f} s not counted)"
    )
    print(
        f"peak memory {result['peak_rss_mb']:.0f} MB with chunks of {args.chunksize:,} rows "
        f"(tickets table {result['tickets_bytes'] / 2**20:.0f} MB); plain pandas.read_csv of "
        f"the whole file: {baseline['peak_rss_mb']:.0f} MB in {baseline['read_seconds']:.1f} s"
    )
    print(
        json.dumps(
            {
                "rows": args.rows,
                "file_mb": round(size_mb, 1),
                **result,
                "baseline_read_csv": baseline,
            }
        )
    )


if __name__ == "__main__":
    main()
