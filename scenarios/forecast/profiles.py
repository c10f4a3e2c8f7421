"""Forecast: the intraday shape of each weekday, and the handle time's level and trend.

Role: :func:`intraday_profile` turns a stream's hour-of-week counts (local time) into the
7 x 24 profile a scenario takes, each weekday's hourly shares smoothed towards the shape
of all weekdays so that a quiet stream's few contacts do not make a jagged day;
:func:`handle_trend` fits the handle time's level and linear trend per day and says what
it expects over the forecast horizon.

Pure numpy, pandas and statsmodels. Must not import ``sim``, ``optimizer``, ``reports`` or
``run_sim``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd
import statsmodels.api as sm

SMOOTHING_CONTACTS = 200.0
"""Weight of the all-weekday shape in a weekday's hourly shares, in contacts: a weekday
with 200 contacts in the history is half its own shape and half the common one; one with
20,000 is its own."""

TREND_T = 2.0
"""A handle-time trend is extrapolated only when its t statistic reaches this."""

MAX_HANDLE_CHANGE = 0.25
"""The extrapolated handle time stays within this share of the recent level."""


def intraday_profile(hour_of_week: np.ndarray, weekday_days: np.ndarray) -> np.ndarray:
    """A 7 x 24 profile (average contacts an hour, local time, Monday first).

    Parameters
    ----------
    hour_of_week
        Contacts counted per local weekday and hour over the history.
    weekday_days
        How many of each weekday the history spans (to turn counts into averages).

    Returns
    -------
    numpy.ndarray
        Each weekday's hourly shares, ``(c_h + k p_h) / (C + k)`` with ``p`` the shape of
        all weekdays together and ``k`` = :data:`SMOOTHING_CONTACTS`, times the weekday's
        average daily contacts. Rows of weekdays without contacts are zero.
    """
    counts = np.asarray(hour_of_week, dtype=float)
    totals = counts.sum(axis=1)
    pooled = counts.sum(axis=0)
    common = pooled / pooled.sum() if pooled.sum() > 0 else np.full(24, 1 / 24)
    k = SMOOTHING_CONTACTS
    shares = (counts + k * common[None, :]) / (totals[:, None] + k)
    per_day = np.divide(totals, weekday_days, out=np.zeros(7), where=weekday_days > 0)
    return shares * per_day[:, None]


@dataclass(frozen=True)
class HandleTrend:
    """Handle time per contact: recent level, fitted trend and the horizon's expectation.

    Attributes
    ----------
    recent_minutes
        Mean of the last 28 days with handle times (min).
    trend_minutes_per_month
        Fitted linear trend (min per 30 days) and its t statistic.
    horizon_minutes
        Expected mean over the forecast horizon: the trend line at the horizon's middle
        when the trend is clear (``|t| >= 2``), kept within 25% of the recent level;
        otherwise the recent level.
    """

    recent_minutes: float
    trend_minutes_per_month: float
    t_statistic: float
    horizon_minutes: float
    trend_used: bool
    days: int


def handle_trend(daily: pd.Series, horizon_mid: dt.date) -> HandleTrend | None:
    """Level and trend of daily mean handle times (min); None with fewer than 14 days."""
    series = daily.dropna()
    series = series[series > 0]
    if len(series) < 14:
        return None
    x = ((series.index - series.index[0]).days / 30.0).to_numpy(dtype=float)
    fit = sm.OLS(series.to_numpy(dtype=float), sm.add_constant(x)).fit()
    slope = float(fit.params[1])
    t = float(fit.tvalues[1]) if np.isfinite(fit.tvalues[1]) else 0.0
    recent = float(series[series.index > series.index[-1] - pd.Timedelta(days=28)].mean())
    used = abs(t) >= TREND_T
    expected = recent
    if used:
        months = (pd.Timestamp(horizon_mid) - series.index[0]).days / 30.0
        line = float(fit.params[0] + slope * months)
        expected = float(
            np.clip(line, recent * (1 - MAX_HANDLE_CHANGE), recent * (1 + MAX_HANDLE_CHANGE))
        )
    return HandleTrend(
        recent_minutes=recent,
        trend_minutes_per_month=slope,
        t_statistic=t,
        horizon_minutes=expected,
        trend_used=used,
        days=len(series),
    )
