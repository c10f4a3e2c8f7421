"""Forecast: the candidate models of daily volume, each giving a forecast on the log scale.

Role: the models a stream's daily contacts are forecast with, all on ``log(1 + contacts)``
(volume is multiplicative: a Monday is a share more than a Friday, a holiday a share of a
normal day), each returning the mean and standard deviation of that log per future day:

- ``seasonal_naive``: each day as the last observed same weekday (the benchmark every
  accuracy figure is measured against);
- ``weekday_average``: the mean of the last four observed same weekdays (what a short
  history can support);
- ``ets``: exponential smoothing with a damped additive trend and a weekly season
  (statsmodels' ETSModel), for histories without gaps;
- ``regression``: a regression on weekday, public holidays (the day, its eve and the day
  after, from the ``holidays`` package through :mod:`scenarios.calendar`), a linear trend
  (from half a year of history) and a yearly cycle (Fourier terms, from two years), with
  AR(1) errors -- statsmodels' SARIMAX, whose Kalman filter takes gaps as missing values;
- ``structural``: a basic structural model -- a local level (with a local trend from half a
  year of history), a weekly cycle that may drift, and the same holiday and yearly
  regressors -- statsmodels' UnobservedComponents.

Pure numpy, pandas and statsmodels on top of :mod:`scenarios.calendar`. Must not import
``sim``, ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd
from statsmodels.tools.sm_exceptions import ConvergenceWarning
from statsmodels.tsa.exponential_smoothing.ets import ETSModel
from statsmodels.tsa.statespace.sarimax import SARIMAX
from statsmodels.tsa.statespace.structural import UnobservedComponents

from scenarios.calendar import holiday_dates

TREND_DAYS = 182
"""History (days) from which a trend is fitted: shorter spans confuse trend with season."""

YEARLY_DAYS = 730
"""History (days) from which a yearly cycle is fitted: two of each day of the year."""

YEARLY_HARMONICS = 4
"""Fourier pairs of the yearly cycle (periods of a year down to a quarter)."""


class NotApplicable(ValueError):
    """A candidate that cannot be fitted to this kind of history (not a failure of the fit)."""


@dataclass(frozen=True)
class LogForecast:
    """Forecast of ``log(1 + contacts)`` per future day: mean and standard deviation.

    ``point`` is the model's own point forecast in contacts where it has one that is not
    the log-normal mean (seasonal naive's is the observed value itself).
    """

    mu: np.ndarray
    sd: np.ndarray
    point: np.ndarray | None = None

    def mean(self, spread: float = 1.0) -> np.ndarray:
        """Point forecast in contacts: ``point``, else ``exp(mu + (spread sd)^2 / 2) - 1``."""
        if self.point is not None:
            return self.point
        with np.errstate(over="ignore", invalid="ignore"):
            return np.expm1(self.mu + (self.sd * spread) ** 2 / 2)


@dataclass(frozen=True)
class Candidate:
    """A model that forecasts daily contacts from a history of ``log(1 + contacts)``.

    ``min_days`` is the history it needs; ``components`` says in words what it fits.
    """

    name: str
    description: str
    min_days: int
    fit: Callable[[pd.Series, pd.DatetimeIndex, str | None], LogForecast]

    def components(self, days: int, country: str | None) -> list[str]:
        """What the model fits on a history of ``days`` days, in words."""
        if self.name == "seasonal_naive":
            return ["weekly cycle (last same weekday)"]
        if self.name == "weekday_average":
            return ["weekly cycle (average of the last 4 same weekdays)"]
        if self.name == "ets":
            return ["weekly cycle", "level", "damped trend"]
        parts = ["weekly cycle"]
        parts.append("level that drifts" if self.name == "structural" else "AR(1) errors")
        if days >= TREND_DAYS:
            parts.append("trend")
        if days >= YEARLY_DAYS:
            parts.append("yearly cycle")
        if country is not None:
            parts.append(f"public holidays ({country}: the day, its eve, the day after)")
        return parts


# --------------------------------------------------------------------------- regressors


def holiday_flags(dates: pd.DatetimeIndex, country: str | None) -> pd.DataFrame:
    """Public holiday, holiday eve and day after a holiday (0/1) for each date."""
    flags = pd.DataFrame(0.0, index=dates, columns=["holiday", "eve", "after"])
    if country is None or len(dates) == 0:
        return flags
    first = dates[0].date() - dt.timedelta(days=1)
    last = dates[-1].date() + dt.timedelta(days=1)
    days = holiday_dates(country, first, last)
    day = pd.Index([d.date() for d in dates])
    one = dt.timedelta(days=1)
    is_holiday = day.isin(list(days))
    flags["holiday"] = is_holiday.astype(float)
    flags["eve"] = (pd.Index([d + one for d in day]).isin(list(days)) & ~is_holiday).astype(float)
    flags["after"] = (pd.Index([d - one for d in day]).isin(list(days)) & ~is_holiday).astype(float)
    return flags


def calendar_regressors(
    dates: pd.DatetimeIndex,
    origin: pd.Timestamp,
    country: str | None,
    *,
    weekdays: bool,
    trend: bool,
    yearly: bool,
) -> pd.DataFrame:
    """The regressors known in advance for each date: holidays, and optionally weekday
    dummies (Monday is the base), a linear trend in years since ``origin`` and the yearly
    Fourier terms."""
    frame = holiday_flags(dates, country)
    if weekdays:
        for k, label in enumerate(("tue", "wed", "thu", "fri", "sat", "sun"), start=1):
            frame[label] = (dates.day_of_week == k).astype(float)
    if trend:
        frame["trend"] = (dates - origin).days / 365.25
    if yearly:
        angle = 2 * np.pi * dates.day_of_year.to_numpy() / 365.25
        for k in range(1, YEARLY_HARMONICS + 1):
            frame[f"sin{k}"] = np.sin(k * angle)
            frame[f"cos{k}"] = np.cos(k * angle)
    return frame


def _usable(train: pd.DataFrame, observed: np.ndarray) -> list[str]:
    """Regressors that vary on the observed days (a holiday never observed cannot be fit)."""
    seen = train[observed]
    return [c for c in train.columns if seen[c].nunique() > 1]


# --------------------------------------------------------------------------- models


def _seasonal_naive(z: pd.Series, future: pd.DatetimeIndex, country: str | None) -> LogForecast:
    """The last observed value of the same weekday; sd grows with the weeks ahead."""
    observed = z.dropna()
    diffs = (z - z.shift(7)).dropna()
    sigma = float(diffs.std(ddof=1)) if len(diffs) > 1 else float(observed.std(ddof=1))
    mu = np.full(len(future), np.nan)
    sd = np.full(len(future), np.nan)
    for i, day in enumerate(future):
        same = observed[observed.index.day_of_week == day.day_of_week]
        if len(same):
            mu[i] = same.iloc[-1]
            weeks = int(np.ceil((day - same.index[-1]).days / 7))
            sd[i] = sigma * np.sqrt(max(weeks, 1))
    return LogForecast(mu, sd, np.expm1(mu))


def _weekday_average(z: pd.Series, future: pd.DatetimeIndex, country: str | None) -> LogForecast:
    """The mean of the last four observed same weekdays; sd from their spread."""
    observed = z.dropna()
    recent = observed[observed.index >= observed.index[-1] - pd.Timedelta(days=55)]
    means = recent.groupby(recent.index.day_of_week).apply(lambda s: s.iloc[-4:].mean())
    resid = recent - recent.index.day_of_week.map(means).to_numpy()
    sigma = float(resid.std(ddof=1)) if len(resid) > 2 else 0.0
    mu = np.array([means.get(d.day_of_week, np.nan) for d in future], dtype=float)
    return LogForecast(mu, np.full(len(future), sigma * np.sqrt(1 + 1 / 4)))


def _quietly(fit: Callable[[], object]) -> object:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        warnings.simplefilter("ignore", UserWarning)
        warnings.simplefilter("ignore", RuntimeWarning)
        return fit()


def _regression(z: pd.Series, future: pd.DatetimeIndex, country: str | None) -> LogForecast:
    """Weekday, holiday, trend and yearly regressors with AR(1) errors (SARIMAX)."""
    days = len(z)
    regressors = {
        "weekdays": True,
        "trend": days >= TREND_DAYS,
        "yearly": days >= YEARLY_DAYS,
    }
    train = calendar_regressors(z.index, z.index[0], country, **regressors)
    ahead = calendar_regressors(future, z.index[0], country, **regressors)
    columns = _usable(train, z.notna().to_numpy())
    # The constant as a regressor, not SARIMAX's trend="c": the optimiser then converges
    # in a fraction of the iterations (same likelihood).
    train, ahead = train[columns].assign(const=1.0), ahead[columns].assign(const=1.0)
    model = SARIMAX(z, exog=train, order=(1, 0, 0))
    result = _quietly(lambda: model.fit(disp=False))
    prediction = result.get_forecast(len(future), exog=ahead)  # type: ignore[attr-defined]
    return LogForecast(
        np.asarray(prediction.predicted_mean, dtype=float),
        np.sqrt(np.asarray(prediction.var_pred_mean, dtype=float)),
    )


def _structural(z: pd.Series, future: pd.DatetimeIndex, country: str | None) -> LogForecast:
    """Local level (and trend), a drifting weekly cycle, holiday and yearly regressors."""
    days = len(z)
    regressors = {"weekdays": False, "trend": False, "yearly": days >= YEARLY_DAYS}
    train = calendar_regressors(z.index, z.index[0], country, **regressors)
    ahead = calendar_regressors(future, z.index[0], country, **regressors)
    columns = _usable(train, z.notna().to_numpy())
    level = "local linear trend" if days >= TREND_DAYS else "local level"
    model = UnobservedComponents(
        z,
        level=level,
        seasonal=7,
        exog=train[columns] if columns else None,
    )
    result = _quietly(lambda: model.fit(disp=False, method="powell"))
    prediction = result.get_forecast(  # type: ignore[attr-defined]
        len(future), exog=ahead[columns] if columns else None
    )
    return LogForecast(
        np.asarray(prediction.predicted_mean, dtype=float),
        np.sqrt(np.asarray(prediction.var_pred_mean, dtype=float)),
    )


def _ets(z: pd.Series, future: pd.DatetimeIndex, country: str | None) -> LogForecast:
    """Exponential smoothing with a damped additive trend and a weekly season (ETSModel)."""
    if z.isna().any():
        raise NotApplicable("exponential smoothing needs a history without gaps or closed days")
    model = ETSModel(
        z, error="add", trend="add", damped_trend=True, seasonal="add", seasonal_periods=7
    )
    result = _quietly(lambda: model.fit(disp=False))
    start = len(z)
    prediction = result.get_prediction(start=start, end=start + len(future) - 1)  # type: ignore[attr-defined]
    return LogForecast(
        np.asarray(prediction.predicted_mean, dtype=float),
        np.sqrt(np.asarray(prediction.var_pred_mean, dtype=float)),
    )


SEASONAL_NAIVE = Candidate(
    "seasonal_naive", "each day as the last observed same weekday", 7, _seasonal_naive
)
CANDIDATES: tuple[Candidate, ...] = (
    SEASONAL_NAIVE,
    Candidate(
        "weekday_average", "mean of the last four observed same weekdays", 14, _weekday_average
    ),
    Candidate(
        "regression",
        "weekday, holidays, trend and yearly cycle with AR(1) errors (SARIMAX)",
        28,
        _regression,
    ),
    Candidate(
        "ets",
        "exponential smoothing: damped trend and weekly season (ETSModel)",
        28,
        _ets,
    ),
    Candidate(
        "structural",
        "local level and trend, drifting weekly cycle, holidays (UnobservedComponents)",
        56,
        _structural,
    ),
)
"""Every candidate, simplest first (ties in accuracy go to the simpler)."""
