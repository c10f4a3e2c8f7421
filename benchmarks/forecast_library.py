"""Forecasting library choice: statsforecast against statsmodels on the same held-out weeks.

Each history of ``../shared/data/forecast/`` meant for fitting that has no gaps is cut
``--holdout`` days before its end; every model forecasts those days from the cut on
``log(1 + contacts)`` and is scored with the project's WAPE and MASE against seasonal naive.
statsforecast's AutoETS and AutoARIMA (weekly season) stand against the statsmodels models
of :mod:`scenarios.forecast.models` (SARIMAX regression and UnobservedComponents, with
holidays); fit seconds are wall-clock. statsforecast is not a dependency of the project:
install it in a separate environment to run this.

    python benchmarks/forecast_library.py [--holdout 28]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from benchmarks.forecast_accuracy import DATA, DATASETS  # noqa: E402
from scenarios.forecast import CANDIDATES, mase, read_history, wape  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--holdout", type=int, default=28)
    args = parser.parse_args()
    try:
        from statsforecast import StatsForecast
        from statsforecast.models import AutoARIMA, AutoETS, SeasonalNaive
    except ImportError:
        print("statsforecast is not installed: pip install statsforecast (in another venv)")
        return 2
    h = args.holdout
    for name in ("anonymous_bank_1999_6min", "servicenow_uci_incidents"):
        spec = DATASETS[name]
        history = read_history(
            DATA / str(spec["path"]),
            str(spec["format"]),
            list(spec["map"]),  # type: ignore[call-overload]
            since=spec.get("since"),  # type: ignore[arg-type]
            until=spec.get("until"),  # type: ignore[arg-type]
        )
        stream = history.streams[0]
        y = stream.daily
        train, test = y.iloc[:-h], y.iloc[-h:].to_numpy(dtype=float)
        z = np.log1p(train)
        future = pd.date_range(train.index[-1] + pd.Timedelta(days=1), periods=h, freq="D")
        results: dict[str, tuple[np.ndarray, float]] = {}
        frame = pd.DataFrame({"unique_id": name, "ds": train.index, "y": z.to_numpy()})
        for model in (SeasonalNaive(7), AutoETS(season_length=7), AutoARIMA(season_length=7)):
            start = time.perf_counter()
            out = StatsForecast(models=[model], freq="D").forecast(df=frame, h=h)
            seconds = time.perf_counter() - start
            column = next(c for c in out.columns if c not in ("unique_id", "ds"))
            results[f"statsforecast {column}"] = (np.expm1(out[column].to_numpy()), seconds)
        for candidate in CANDIDATES:
            start = time.perf_counter()
            log = candidate.fit(z, future, stream.country)
            seconds = time.perf_counter() - start
            results[f"statsmodels-based {candidate.name}"] = (log.mean(), seconds)
        naive = results["statsforecast SeasonalNaive"][0]
        for label, (forecast, seconds) in results.items():
            print(
                f"{name:26s} {label:40s} WAPE {wape(test, forecast):.3f} "
                f"MASE {mase(test, forecast, naive):.3f} fit {seconds:.2f} s"
            )
    return 0


if __name__ == "__main__":
    sys.exit(main())
