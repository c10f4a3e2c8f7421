"""Forecast: from a stream's history to its forecast, chosen model and honest accuracy.

Role: :func:`forecast_history` runs, for every stream of a :class:`History`:

1. weekdays with no contacts in the history are *closed* (forecast as zero, left out of
   fitting and of every accuracy figure); gaps stay missing values;
2. the last weeks of history are held out (up to 8 weeks, at most a fifth of the history,
   at most the horizon); on the history before them, each candidate model forecasts from
   three rolling origins a week apart, and the one with the lowest WAPE over those days
   is chosen (ties go to the simpler);
3. the chosen model's bands are calibrated on its own back-test errors, and it forecasts
   the held-out weeks from their start: WAPE, MASE against seasonal naive from the same
   origin, and the coverage of the 80% and 95% bands are measured there, on data no choice
   was made on;
4. the chosen model is fitted on the whole history and forecasts the horizon; the busyness
   that carries its uncertainty into a simulation, the intraday profile and the handle
   time's level and trend complete the stream.

Short histories fall back to what they support (no hold-out under four weeks, no trend
under half a year, no yearly cycle under two years) and say so in ``notes``.

Pure numpy, pandas and statsmodels on top of :mod:`scenarios.forecast`. Must not import
``sim``, ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from scenarios.forecast.evaluation import (
    Backtest,
    Calibration,
    backtest,
    bands,
    coverage,
    forecast_from,
    mase,
    mase_in_sample,
    wape,
)
from scenarios.forecast.history import History, HistoryError, StreamHistory, describe_gaps
from scenarios.forecast.models import (
    CANDIDATES,
    SEASONAL_NAIVE,
    TREND_DAYS,
    YEARLY_DAYS,
    Candidate,
    NotApplicable,
    holiday_flags,
)
from scenarios.forecast.profiles import HandleTrend, handle_trend, intraday_profile

HOLDOUT_MAX_WEEKS = 8
ORIGINS = 3
MIN_TRAIN_DAYS = 21
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
COLUMNS = ("mean", "lo80", "hi80", "lo95", "hi95")
_FIT_ERRORS = (ValueError, np.linalg.LinAlgError, IndexError, ZeroDivisionError)


@dataclass(frozen=True)
class Accuracy:
    """The chosen model on the held-out weeks (shares; MASE against seasonal naive)."""

    start: dt.date
    end: dt.date
    days: int
    wape: float
    mase: float
    mase_in_sample: float
    coverage80: float
    coverage95: float
    naive_wape: float

    def to_json(self) -> dict[str, Any]:
        return {
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "days": self.days,
            "wape": _num(self.wape),
            "mase": _num(self.mase),
            "mase_in_sample": _num(self.mase_in_sample),
            "coverage80": _num(self.coverage80),
            "coverage95": _num(self.coverage95),
            "seasonal_naive_wape": _num(self.naive_wape),
        }


@dataclass(frozen=True)
class CandidateScore:
    """One candidate: its back-test WAPE (the choice) and its WAPE on the held-out weeks."""

    name: str
    description: str
    backtest_wape: float | None
    holdout_wape: float | None
    chosen: bool = False
    error: str | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "model": self.name,
            "description": self.description,
            "backtest_wape": _num(self.backtest_wape),
            "holdout_wape": _num(self.holdout_wape),
            "chosen": self.chosen,
            "error": self.error,
        }


@dataclass(frozen=True)
class StreamForecast:
    """A stream's forecast over the horizon and everything behind it.

    ``table`` has one row per horizon date: ``date``, ``mean``, ``lo80``, ``hi80``,
    ``lo95``, ``hi95`` (contacts). ``holdout`` has the held-out days with ``actual``,
    the chosen model's forecast and bands, and ``naive`` (seasonal naive).
    """

    history: StreamHistory
    table: pd.DataFrame
    model: str
    model_description: str
    components: list[str]
    not_fitted: list[str]
    candidates: list[CandidateScore]
    accuracy: Accuracy | None
    holdout: pd.DataFrame | None
    calibration: Calibration
    busyness_cv: float
    profile: np.ndarray | None
    handle: HandleTrend | None
    closed_weekdays: list[str]
    notes: list[str] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.history.name

    def to_json(self) -> dict[str, Any]:
        h = self.history
        out: dict[str, Any] = {
            "stream": h.name,
            "language": h.language,
            "channel": h.channel,
            "region": h.region,
            "country": h.country,
            "history": {
                "first": h.daily.index[0].date().isoformat(),
                "last": h.daily.index[-1].date().isoformat(),
                "days": len(h.daily),
                "missing_days": len(h.missing_days),
                "contacts": round(h.contacts, 3),
            },
            "model": self.model,
            "model_description": self.model_description,
            "components": self.components,
            "not_fitted": self.not_fitted,
            "closed_weekdays": self.closed_weekdays,
            "candidates": [c.to_json() for c in self.candidates],
            "accuracy": None if self.accuracy is None else self.accuracy.to_json(),
            "bands_calibrated_on_days": self.calibration.errors,
            "forecast_contacts": round(float(self.table["mean"].sum()), 3),
            "busyness": {"distribution": "lognormal", "cv": round(self.busyness_cv, 4)},
            "handle": None
            if self.handle is None
            else {
                "recent_minutes": round(self.handle.recent_minutes, 4),
                "trend_minutes_per_month": round(self.handle.trend_minutes_per_month, 4),
                "trend_t": round(self.handle.t_statistic, 3),
                "trend_used": self.handle.trend_used,
                "horizon_minutes": round(self.handle.horizon_minutes, 4),
            },
            "notes": self.notes,
        }
        return out


@dataclass(frozen=True)
class Forecast:
    """Every stream's forecast of one history over one horizon."""

    history: History
    start: dt.date
    days: int
    streams: list[StreamForecast]

    @property
    def end(self) -> dt.date:
        return self.start + dt.timedelta(days=self.days - 1)

    def table(self) -> pd.DataFrame:
        """``forecast.csv``: stream, date, mean, lo80, hi80, lo95, hi95 (contacts a day)."""
        frames = [s.table.assign(stream=s.name) for s in self.streams]
        out = pd.concat(frames, ignore_index=True)[["stream", "date", *COLUMNS]]
        out["date"] = [d.isoformat() for d in out["date"]]
        out[list(COLUMNS)] = out[list(COLUMNS)].round(3)
        return out

    def history_table(self) -> pd.DataFrame:
        """Each stream's history: stream, date, contacts (NaN on gaps)."""
        frames = [
            pd.DataFrame(
                {
                    "stream": s.name,
                    "date": [d.date() for d in s.history.daily.index],
                    "contacts": s.history.daily.to_numpy(dtype=float),
                }
            )
            for s in self.streams
        ]
        return pd.concat(frames, ignore_index=True)

    def holdout_table(self) -> pd.DataFrame:
        """The held-out days of each stream: stream, date, actual, the chosen model's mean
        and bands, and seasonal naive's forecast (empty when nothing was held out)."""
        frames = [s.holdout.assign(stream=s.name) for s in self.streams if s.holdout is not None]
        columns = ["stream", "date", "actual", *COLUMNS, "naive"]
        if not frames:
            return pd.DataFrame(columns=columns)
        return pd.concat(frames, ignore_index=True)[columns]

    def profiles(self) -> dict[str, list[list[float]]]:
        """Each stream's intraday profile (7 x 24 average contacts an hour, local time)."""
        return {s.name: s.profile.tolist() for s in self.streams if s.profile is not None}

    def to_json(self) -> dict[str, Any]:
        """``forecast.json``: horizon, history, models chosen and held-out accuracy."""
        return {
            "source": self.history.source,
            "format": self.history.format,
            "zero_missing": self.history.zero_missing,
            "horizon": {
                "start": self.start.isoformat(),
                "end": self.end.isoformat(),
                "days": self.days,
            },
            "history": {
                "first": self.history.first.isoformat(),
                "last": self.history.last.isoformat(),
            },
            "mase_definition": "mean absolute error over that of seasonal naive from the "
            "same origin on the same held-out days (seasonal naive = 1)",
            "streams": [s.to_json() for s in self.streams],
            "notes": list(self.history.notes),
        }


def _num(value: float | None) -> float | None:
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), 6)


def forecast_history(
    history: History,
    horizon_days: int,
    start: dt.date | None = None,
    *,
    holdout_weeks: int | None = None,
    candidates: tuple[Candidate, ...] = CANDIDATES,
    progress: Callable[[int, int], None] | None = None,
) -> Forecast:
    """Forecast every stream of a history over ``horizon_days`` from ``start``.

    Parameters
    ----------
    history
        From :func:`scenarios.forecast.read_history`.
    horizon_days
        Days to forecast (the scenario's horizon).
    start
        First day forecast (default: the day after the history's last day); days between
        the history and ``start`` are forecast too but not reported.
    holdout_weeks
        Weeks held out for the accuracy check (default: up to 8, at most a fifth of the
        history and at most the horizon).
    candidates
        Models to choose from (default: every one in :data:`CANDIDATES`); seasonal naive
        is always the benchmark of MASE, chosen or not.
    progress
        Called with (streams done, streams) after each stream.

    Raises
    ------
    HistoryError
        When ``start`` is inside the history or the horizon is empty.
    """
    last = history.last
    start = start or last + dt.timedelta(days=1)
    if start <= last:
        raise HistoryError(
            f"--start {start}: on or before the history's last day {last} (expected a date "
            "after the history, such as the next Monday)"
        )
    if horizon_days < 1:
        raise HistoryError(f"--horizon: found {horizon_days} days (expected at least one day)")
    streams = []
    for i, stream in enumerate(history.streams):
        streams.append(_forecast_stream(stream, start, horizon_days, holdout_weeks, candidates))
        if progress is not None:
            progress(i + 1, len(history.streams))
    return Forecast(history=history, start=start, days=horizon_days, streams=streams)


def closed_weekdays(daily: pd.Series) -> list[int]:
    """Weekdays with no contacts on any day of the history (or never in it)."""
    observed = daily.dropna()
    out = []
    for day in range(7):
        values = observed[observed.index.day_of_week == day]
        if not len(values) or not (values > 0).any():
            out.append(day)
    return out


def _holdout_days(n: int, horizon: int, weeks: int | None) -> int:
    if weeks is None:
        weeks = min(HOLDOUT_MAX_WEEKS, max(1, n // 7 // 5), max(1, math.ceil(horizon / 7)))
    days = 7 * weeks
    return days if n - days >= MIN_TRAIN_DAYS else 0


def _forecast_stream(
    stream: StreamHistory,
    start: dt.date,
    horizon: int,
    holdout_weeks: int | None,
    pool: tuple[Candidate, ...],
) -> StreamForecast:
    y = stream.daily
    n = len(y)
    notes: list[str] = []
    closed = closed_weekdays(y)
    closed_mask = np.isin(y.index.day_of_week, closed)
    z = np.log1p(y.where(~closed_mask))
    country = stream.country
    special = holiday_flags(y.index, country).to_numpy().any(axis=1)
    gaps = stream.missing_days
    if gaps:
        notes.append(
            f"{len(gaps)} days without records ({describe_gaps(gaps)}) are read as unknown, "
            "not as quiet days (give --zero-missing if they had no contacts)"
        )
    if closed:
        names = ", ".join(WEEKDAYS[d] for d in closed)
        notes.append(f"no contacts on {names} in the history: forecast as closed (0)")
    not_fitted = []
    if n < TREND_DAYS:
        not_fitted.append(f"trend: needs {TREND_DAYS} days of history, has {n}")
    if n < YEARLY_DAYS:
        not_fitted.append(f"yearly cycle: needs {YEARLY_DAYS} days of history, has {n}")
    if country is None:
        not_fitted.append(
            f"holidays: no holiday calendar for region {stream.region} (give --country)"
        )

    hold = _holdout_days(n, horizon, holdout_weeks)
    sel_end = n - hold
    step = hold if hold else 7
    origins = [
        sel_end - step - 7 * j for j in range(ORIGINS) if sel_end - step - 7 * j >= MIN_TRAIN_DAYS
    ]
    usable = [c for c in pool if origins and c.min_days <= origins[-1]]
    if not hold:
        notes.append(
            f"history of {n} days: too short to hold weeks out, so the forecast's accuracy "
            "is not measured"
        )
    backtests: dict[str, Backtest] = {}
    errors: dict[str, str] = {}
    for candidate in usable:
        try:
            backtests[candidate.name] = backtest(
                candidate, SEASONAL_NAIVE, z, origins, step, country, closed_mask, special
            )
        except NotApplicable as exc:
            errors[candidate.name] = str(exc)
        except _FIT_ERRORS as exc:
            errors[candidate.name] = f"{type(exc).__name__}: {str(exc)[:120]}"
            notes.append(f"{candidate.name} could not be fitted ({errors[candidate.name]})")
    scores = {
        name: bt.wape for name, bt in backtests.items() if len(bt.actual) and math.isfinite(bt.wape)
    }
    if scores:
        best = min(scores, key=lambda k: (round(scores[k], 9), _rank(k)))
        chosen = next(c for c in pool if c.name == best)
        calibration = Calibration.from_errors(backtests[best].standardised())
    else:
        # Nothing to choose on: the average of recent weeks when the pool has it (less
        # noisy than one week), else the pool's simplest model.
        by_name = {c.name: c for c in pool}
        average = by_name.get("weekday_average")
        chosen = average if average is not None and n >= average.min_days else pool[0]
        calibration = Calibration.gaussian()
        why = (
            f"history of {n} days: too short to compare models"
            if not usable
            else "no contacts in the weeks the models are compared on"
        )
        notes.append(f"{why}; {chosen.name} is used with Gaussian bands")

    holdout, accuracy, holdout_wapes, holdout_z = _holdout(
        stream, z, closed_mask, special, sel_end, hold, chosen, usable, errors, calibration
    )
    if holdout_z is not None and chosen.name in backtests:
        pooled = np.concatenate([backtests[chosen.name].standardised(), holdout_z])
        calibration = Calibration.from_errors(pooled)

    last = y.index[-1].date()
    ahead = (start - last).days - 1 + horizon
    future = pd.date_range(y.index[-1] + pd.Timedelta(days=1), periods=ahead, freq="D")
    try:
        log = forecast_from(chosen, z, n, ahead, country)
    except _FIT_ERRORS as exc:
        notes.append(
            f"{chosen.name} could not be fitted to the whole history ({type(exc).__name__}: "
            f"{str(exc)[:120]}); seasonal naive forecasts instead"
        )
        chosen = SEASONAL_NAIVE
        log = forecast_from(chosen, z, n, ahead, country)
    table = bands(log, calibration)
    table.insert(0, "date", [d.date() for d in future])
    table = table.iloc[-horizon:].reset_index(drop=True)
    shut = np.isin(pd.DatetimeIndex(pd.to_datetime(table["date"])).day_of_week, closed)
    table.loc[shut, ["mean", "lo80", "hi80", "lo95", "hi95"]] = 0.0
    if not np.isfinite(table[list(COLUMNS)].to_numpy(dtype=float)).all():
        raise HistoryError(
            f"stream {stream.name}: the {chosen.name} model gave no forecast for some days "
            "(expected a history with each open weekday observed)"
        )
    busy = _busyness_cv(table[~shut])
    table = table.drop(columns=["log_sd"])

    profile = None
    if stream.hour_of_week is not None:
        seen = y.dropna().index.day_of_week
        weekday_days = np.bincount(seen, minlength=7).astype(float)
        profile = intraday_profile(stream.hour_of_week, weekday_days)
    mid = start + dt.timedelta(days=horizon // 2)
    handle = None if stream.handle_daily is None else handle_trend(stream.handle_daily, mid)

    candidates = [
        CandidateScore(
            name=c.name,
            description=c.description,
            backtest_wape=scores.get(c.name),
            holdout_wape=holdout_wapes.get(c.name),
            chosen=c.name == chosen.name,
            error=errors.get(c.name),
        )
        for c in CANDIDATES
        if c in usable
    ]
    return StreamForecast(
        history=stream,
        table=table,
        model=chosen.name,
        model_description=chosen.description,
        components=chosen.components(n, country),
        not_fitted=not_fitted,
        candidates=candidates,
        accuracy=accuracy,
        holdout=holdout,
        calibration=calibration,
        busyness_cv=busy,
        profile=profile,
        handle=handle,
        closed_weekdays=[WEEKDAYS[d] for d in closed],
        notes=notes,
    )


def _rank(name: str) -> int:
    return [c.name for c in CANDIDATES].index(name)


def _holdout(
    stream: StreamHistory,
    z: pd.Series,
    closed_mask: np.ndarray,
    special: np.ndarray,
    sel_end: int,
    hold: int,
    chosen: Candidate,
    usable: list[Candidate],
    errors: dict[str, str],
    calibration: Calibration,
) -> tuple[pd.DataFrame | None, Accuracy | None, dict[str, float], np.ndarray | None]:
    """Forecast the held-out weeks from their start; the accuracy of the chosen model."""
    if not hold:
        return None, None, {}, None
    country = stream.country
    actual = stream.daily.iloc[sel_end:].to_numpy(dtype=float)
    open_days = ~closed_mask[sel_end:]
    actual_open = np.where(open_days, actual, np.nan)
    naive = forecast_from(SEASONAL_NAIVE, z, sel_end, hold, country).mean()
    wapes: dict[str, float] = {}
    chosen_log = None
    for candidate in usable:
        if candidate.name in errors:
            continue
        try:
            log = forecast_from(candidate, z, sel_end, hold, country)
        except _FIT_ERRORS as exc:
            errors[candidate.name] = f"{type(exc).__name__}: {str(exc)[:120]}"
            continue
        wapes[candidate.name] = wape(actual_open, log.mean())
        if candidate.name == chosen.name:
            chosen_log = log
    if chosen_log is None:
        return None, None, wapes, None
    table = bands(chosen_log, calibration)
    point = table["mean"].to_numpy()
    history = np.expm1(z.iloc[:sel_end].to_numpy())
    accuracy = Accuracy(
        start=stream.daily.index[sel_end].date(),
        end=stream.daily.index[-1].date(),
        days=int(np.isfinite(actual_open).sum()),
        wape=wape(actual_open, point),
        mase=mase(actual_open, point, naive),
        mase_in_sample=mase_in_sample(history, actual_open, point),
        coverage80=coverage(actual_open, table["lo80"].to_numpy(), table["hi80"].to_numpy()),
        coverage95=coverage(actual_open, table["lo95"].to_numpy(), table["hi95"].to_numpy()),
        naive_wape=wape(actual_open, naive),
    )
    frame = table.drop(columns=["log_sd"]).copy()
    frame[~open_days] = 0.0
    frame.insert(0, "date", [d.date() for d in stream.daily.index[sel_end:]])
    frame["actual"] = actual
    frame["naive"] = np.where(open_days, naive, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        standardised = (np.log1p(actual_open) - chosen_log.mu) / chosen_log.sd
    standardised = standardised[~special[sel_end:]]
    return frame, accuracy, wapes, standardised[np.isfinite(standardised)]


def _busyness_cv(table: pd.DataFrame) -> float:
    """The busyness cv that gives simulated daily arrivals the forecast's spread.

    A day of forecast mean m and log spread s has variance ``m^2 (exp(s^2) - 1)``; Poisson
    arrivals with a busyness multiplier of cv c have ``m + c^2 m^2``. Matching them day by
    day, ``c^2 = exp(s^2) - 1 - 1/m`` (at least zero), averaged over the open days.
    """
    m = table["mean"].to_numpy(dtype=float)
    s = table["log_sd"].to_numpy(dtype=float)
    ok = m > 0
    if not ok.any():
        return 0.0
    c2 = np.maximum(np.expm1(s[ok] ** 2) - 1.0 / m[ok], 0.0)
    return float(np.sqrt(c2.mean()))
