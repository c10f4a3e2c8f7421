"""Forecast: accuracy measures, rolling-origin back-tests and calibrated bands.

Role: one definition of each accuracy figure the forecast reports -- WAPE, MASE against
seasonal naive, interval coverage -- the rolling-origin back-test that chooses a model, and
the calibration of a model's bands from its own back-test errors.

**MASE** here is the mean absolute error of a forecast divided by that of the seasonal-naive
forecast made from the same origin for the same days (a relative MAE): below 1 the model
beats the benchmark, and seasonal naive itself scores exactly 1. The textbook scaling by the
in-sample seasonal-naive error (Hyndman & Koehler 2006) is given beside it as
``mase_in_sample``.

Pure numpy and pandas. Must not import ``sim``, ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from scenarios.forecast.models import Candidate, LogForecast

LEVELS = (0.80, 0.95)
"""Central prediction intervals reported."""

MAX_LOG_SD = 3.0
"""A forecast whose log standard deviation exceeds this (a 95% band spanning a factor of
about 10^5) comes from an unstable fit and is refused."""

MIN_CALIBRATION = 20
"""Back-test errors needed before bands are calibrated on them (else the model's own)."""


def _pairs(actual: np.ndarray, forecast: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    ok = np.isfinite(a) & np.isfinite(f)
    return a[ok], f[ok]


def wape(actual: np.ndarray, forecast: np.ndarray) -> float:
    """Weighted absolute percentage error: sum |actual - forecast| / sum actual (share).

    Days without an actual value (gaps) are left out; NaN when nothing is left or the
    actual total is zero.
    """
    a, f = _pairs(actual, forecast)
    total = float(a.sum())
    return float(np.abs(a - f).sum() / total) if total > 0 else float("nan")


def mase(actual: np.ndarray, forecast: np.ndarray, naive: np.ndarray) -> float:
    """Mean absolute error of ``forecast`` over that of ``naive`` on the same days.

    Parameters
    ----------
    actual, forecast, naive
        Contacts per day; days where any of them is missing are left out.
    """
    a = np.asarray(actual, dtype=float)
    f = np.asarray(forecast, dtype=float)
    n = np.asarray(naive, dtype=float)
    ok = np.isfinite(a) & np.isfinite(f) & np.isfinite(n)
    scale = float(np.abs(a[ok] - n[ok]).mean()) if ok.any() else float("nan")
    if not scale > 0:
        return float("nan")
    return float(np.abs(a[ok] - f[ok]).mean() / scale)


def mase_in_sample(
    history: np.ndarray, actual: np.ndarray, forecast: np.ndarray, m: int = 7
) -> float:
    """Hyndman & Koehler's MASE: MAE over the in-sample seasonal-naive MAE (lag ``m``)."""
    h = np.asarray(history, dtype=float)
    diffs = np.abs(h[m:] - h[:-m])
    diffs = diffs[np.isfinite(diffs)]
    a, f = _pairs(actual, forecast)
    if not len(diffs) or not len(a) or not diffs.mean() > 0:
        return float("nan")
    return float(np.abs(a - f).mean() / diffs.mean())


def coverage(actual: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> float:
    """Share of days whose actual value lies inside [lo, hi] (gaps left out)."""
    a = np.asarray(actual, dtype=float)
    ok = np.isfinite(a)
    if not ok.any():
        return float("nan")
    inside = (a[ok] >= np.asarray(lo)[ok]) & (a[ok] <= np.asarray(hi)[ok])
    return float(inside.mean())


@dataclass(frozen=True)
class Calibration:
    """How many model standard deviations the 80% and 95% bands reach either side of the
    log forecast: the 80th and 95th percentiles of the absolute standardised back-test
    errors ``|log(1 + actual) - mu| / sd``; ``errors`` is how many days they rest on (0:
    Gaussian, 1.28 and 1.96)."""

    half80: float
    half95: float
    errors: int

    @classmethod
    def gaussian(cls) -> Calibration:
        return cls(float(stats.norm.ppf(0.90)), float(stats.norm.ppf(0.975)), 0)

    @classmethod
    def from_errors(cls, standardised: np.ndarray) -> Calibration:
        """Percentiles of the absolute errors, kept between half and three times the
        Gaussian ones (a few lucky back-test days must not make bands vanish, nor one
        outlier make them useless). Symmetric, because a few origins cannot tell skew."""
        z = np.abs(np.asarray(standardised, dtype=float))
        z = z[np.isfinite(z)]
        if len(z) < MIN_CALIBRATION:
            return cls.gaussian()
        normal = cls.gaussian()
        q80, q95 = (float(v) for v in np.quantile(z, LEVELS))
        half80 = float(np.clip(q80, normal.half80 / 2, normal.half80 * 3))
        half95 = float(np.clip(q95, normal.half95 / 2, normal.half95 * 3))
        return cls(half80, max(half95, half80), len(z))

    @property
    def spread(self) -> float:
        """Standard deviations of log error per model sd, implied by the 80% band."""
        return self.half80 / float(stats.norm.ppf(0.9))


def bands(log: LogForecast, calibration: Calibration) -> pd.DataFrame:
    """Mean and 80%/95% bands in contacts from a log forecast and its calibration.

    The mean is that of a log-normal with the calibrated spread, ``exp(mu + s^2 / 2) - 1``
    (seasonal naive's is the observed value); band ends are ``exp(mu -+ half * sd) - 1``; all
    are clipped at zero.
    """
    s = log.sd * calibration.spread
    out = pd.DataFrame(
        {
            "mean": log.mean(calibration.spread),
            "lo80": np.expm1(log.mu - calibration.half80 * log.sd),
            "hi80": np.expm1(log.mu + calibration.half80 * log.sd),
            "lo95": np.expm1(log.mu - calibration.half95 * log.sd),
            "hi95": np.expm1(log.mu + calibration.half95 * log.sd),
            "log_sd": s,
        }
    )
    cols = ["mean", "lo80", "hi80", "lo95", "hi95"]
    out[cols] = out[cols].clip(lower=0.0)
    return out


@dataclass(frozen=True)
class Backtest:
    """One candidate's forecasts from several origins, pooled: the actual contacts, the
    log forecasts, the point forecasts and seasonal naive's from the same origins."""

    actual: np.ndarray
    mu: np.ndarray
    sd: np.ndarray
    mean: np.ndarray
    naive: np.ndarray
    ordinary: np.ndarray

    def standardised(self) -> np.ndarray:
        """``(log(1 + actual) - mu) / sd`` of the ordinary days (not a holiday, its eve or
        the day after: their errors say how well one holiday effect was guessed, not how
        wide an ordinary day's band should be)."""
        with np.errstate(divide="ignore", invalid="ignore"):
            z = (np.log1p(self.actual) - self.mu) / self.sd
        return z[self.ordinary]

    @property
    def wape(self) -> float:
        return wape(self.actual, self.mean)


def forecast_from(
    candidate: Candidate, z: pd.Series, end: int, days: int, country: str | None
) -> LogForecast:
    """Fit ``candidate`` on the first ``end`` days of ``z`` and forecast the next ``days``."""
    train = z.iloc[:end]
    future = pd.date_range(train.index[-1] + pd.Timedelta(days=1), periods=days, freq="D")
    return candidate.fit(train, future, country)


def backtest(
    candidate: Candidate,
    naive: Candidate,
    z: pd.Series,
    origins: list[int],
    days: int,
    country: str | None,
    closed: np.ndarray,
    special: np.ndarray,
) -> Backtest:
    """Forecast ``days`` ahead from each origin (days of history used) and pool the days.

    ``closed`` marks the dates (of ``z``) of weekdays the stream is closed on: they are
    left out, as they are forecast as zero whatever the model. ``special`` marks holidays,
    their eves and the days after (kept for accuracy, left out of calibration).
    """
    parts: list[tuple[np.ndarray, ...]] = []
    actual_all = np.expm1(z.to_numpy())
    for end in origins:
        stop = min(end + days, len(z))
        ahead = stop - end
        if ahead <= 0:
            continue
        log = forecast_from(candidate, z, end, ahead, country)
        ref = forecast_from(naive, z, end, ahead, country)
        keep = ~closed[end:stop]
        stable = np.isfinite(log.mean()[keep]) & (log.sd[keep] < MAX_LOG_SD)
        if not stable.all():
            raise ValueError(
                f"unstable fit from origin {z.index[end - 1].date()}: forecasts without a "
                "finite value or with a band spanning more than a factor of 10^5"
            )
        parts.append(
            (
                actual_all[end:stop][keep],
                log.mu[keep],
                log.sd[keep],
                log.mean()[keep],
                ref.mean()[keep],
                ~special[end:stop][keep],
            )
        )
    if not parts:
        empty = np.zeros(0)
        return Backtest(empty, empty, empty, empty, empty, np.zeros(0, dtype=bool))
    return Backtest(*(np.concatenate([p[i] for p in parts]) for i in range(6)))
