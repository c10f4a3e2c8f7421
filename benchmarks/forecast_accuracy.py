"""Forecast accuracy on real histories: rolling-origin evaluation of ``run_sim.py forecast``.

For each history of ``../shared/data/forecast/`` meant for fitting (never the held-out
ones), the forecast pipeline is run as the command runs it -- model choice on back-tests,
bands calibrated on the chosen model's errors -- from several origins, each using only the
history before it, and its forecast of the next ``--horizon`` days is scored against what
happened: WAPE, MASE against seasonal naive forecast from the same origin, and the share of
days inside the 80% and 95% bands. Windows do not overlap; figures pool their days.

    python benchmarks/forecast_accuracy.py [--horizon 28] [--origins 6] [--json FILE]

The histories are read with the same options a user would give the command (see
``DATASETS``). Seconds are wall-clock on a shared machine, for scale only.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from scenarios.forecast import (  # noqa: E402
    CANDIDATES,
    History,
    coverage,
    forecast_history,
    mase,
    read_history,
    wape,
)
from scenarios.forecast.models import SEASONAL_NAIVE  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "forecast"
DATASETS: dict[str, dict[str, object]] = {
    "anonymous_bank_1999_6min": {
        "path": "anonymous_bank_1999_6min/anonymous_bank_1999_6min.csv",
        "format": "counts",
        "map": [
            "timestamp=start",
            "count=calls",
            "timezone=Asia/Jerusalem",
            "default_channel=phone",
            "default_language=he",
        ],
    },
    "us_bank_2003_5min": {
        "path": "us_bank_2003_5min/us_bank_2003_5min.csv",
        "format": "counts",
        "map": [
            "timestamp=datetime",
            "count=calls",
            "timezone=America/New_York",
            "default_channel=phone",
        ],
    },
    "servicenow_uci_incidents": {
        "path": "servicenow_uci_incidents/incident_arrivals.csv",
        "format": "generic",
        "map": [
            "created=opened_at",
            "id=number",
            "timezone=America/Sao_Paulo",
            "default_channel=phone",
        ],
        # Real volume runs March-May 2016; the rest of the log is a trickle of incidents
        # still open when it was cut (see the data set's README).
        "since": dt.date(2016, 3, 1),
        "until": dt.date(2016, 5, 31),
    },
}


def truncated(history: History, days: int) -> History:
    """The history's first ``days`` days (every stream)."""
    streams = tuple(dataclasses.replace(s, daily=s.daily.iloc[:days]) for s in history.streams)
    return dataclasses.replace(history, streams=streams)


def evaluate(name: str, horizon: int, origins: int, pool: str) -> dict[str, object]:
    spec = DATASETS[name]
    history = read_history(
        DATA / str(spec["path"]),
        str(spec["format"]),
        list(spec["map"]),  # type: ignore[call-overload]
        since=spec.get("since"),  # type: ignore[arg-type]
        until=spec.get("until"),  # type: ignore[arg-type]
    )
    stream = history.streams[0]
    n = len(stream.daily)
    candidates = CANDIDATES if pool == "all" else (SEASONAL_NAIVE,)
    actual_all: list[np.ndarray] = []
    columns: dict[str, list[np.ndarray]] = {k: [] for k in ("mean", "lo80", "hi80", "lo95", "hi95")}
    naive_all: list[np.ndarray] = []
    chosen: list[str] = []
    seconds = 0.0
    used = 0
    for k in range(origins, 0, -1):
        end = n - k * horizon
        if end < 28:
            continue
        past = truncated(history, end)
        start = time.perf_counter()
        forecast = forecast_history(past, horizon, candidates=candidates)
        seconds += time.perf_counter() - start
        naive = forecast_history(past, horizon, candidates=(SEASONAL_NAIVE,), holdout_weeks=None)
        table = forecast.streams[0].table
        actual = stream.daily.iloc[end : end + horizon].to_numpy(dtype=float)
        actual_all.append(actual)
        for key in columns:
            columns[key].append(table[key].to_numpy(dtype=float))
        naive_all.append(naive.streams[0].table["mean"].to_numpy(dtype=float))
        chosen.append(forecast.streams[0].model)
        used += 1
    actual = np.concatenate(actual_all)
    got = {k: np.concatenate(v) for k, v in columns.items()}
    ref = np.concatenate(naive_all)
    open_days = ~((got["mean"] == 0) & (got["hi95"] == 0))
    kept = np.where(open_days, actual, np.nan)
    return {
        "data set": name,
        "candidates": pool,
        "origins": used,
        "days scored": int(np.isfinite(kept).sum()),
        "models chosen": {m: chosen.count(m) for m in sorted(set(chosen))},
        "wape": wape(kept, got["mean"]),
        "seasonal naive wape": wape(kept, ref),
        "mase": mase(kept, got["mean"], ref),
        "coverage80": coverage(kept, got["lo80"], got["hi80"]),
        "coverage95": coverage(kept, got["lo95"], got["hi95"]),
        "seconds per forecast": seconds / max(used, 1),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--horizon", type=int, default=28, help="days forecast from each origin")
    parser.add_argument("--origins", type=int, default=6, help="origins per data set (at most)")
    parser.add_argument("--json", type=Path, help="also write the figures to this file")
    args = parser.parse_args()
    if not DATA.is_dir():
        print(f"{DATA} is absent: the benchmark needs the shared reference data")
        return 2
    rows = []
    for name in DATASETS:
        for pool in ("all", "seasonal naive only"):
            row = evaluate(name, args.horizon, args.origins, pool)
            rows.append(row)
            print(
                f"{name:26s} {pool:20s} origins {row['origins']} days {row['days scored']:4d} "
                f"WAPE {row['wape']:.3f} (naive {row['seasonal naive wape']:.3f}) "
                f"MASE {row['mase']:.3f} cov80 {row['coverage80']:.2f} "
                f"cov95 {row['coverage95']:.2f} {row['seconds per forecast']:.1f} s "
                f"{row['models chosen']}",
                flush=True,
            )
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(rows, indent=2, default=str) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
