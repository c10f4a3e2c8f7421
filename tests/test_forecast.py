"""Forecast mechanics on generated histories whose components are known.

Each history is drawn from a known mean -- a level, a trend, a weekly cycle, a yearly cycle,
a holiday dip -- with Poisson and day-to-day noise, so the right answer is known: the
forecast must recover the components, seasonal naive must score MASE 1 by construction,
and the 80% band must cover about 80% of held-out days.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from scenarios.calendar import holiday_dates
from scenarios.forecast import (
    CANDIDATES,
    SEASONAL_NAIVE,
    History,
    HistoryError,
    StreamHistory,
    forecast_history,
    mase,
    wape,
)
from scenarios.forecast.evaluation import Calibration, coverage, mase_in_sample
from scenarios.forecast.models import holiday_flags

WEEKLY = (1.10, 1.00, 1.00, 0.95, 0.90, 0.50, 0.30)
"""Weekday factors, Monday first."""


def synthetic(
    start: dt.date,
    days: int,
    *,
    level: float = 400.0,
    growth_per_year: float = 0.0,
    yearly: float = 0.0,
    holiday: float = 0.3,
    noise: float = 0.05,
    seed: int = 1,
    country: str | None = "US",
) -> tuple[pd.Series, pd.Series]:
    """Daily contacts (Poisson around a noisy known mean) and the known mean itself."""
    dates = pd.date_range(start, periods=days, freq="D")
    years = (dates - dates[0]).days.to_numpy() / 365.25
    mean = level * (1 + growth_per_year) ** years
    mean = mean * np.asarray(WEEKLY)[dates.day_of_week]
    mean = mean * (1 + yearly * np.sin(2 * np.pi * dates.day_of_year.to_numpy() / 365.25))
    if country is not None:
        off = holiday_dates(country, dates[0].date(), dates[-1].date())
        mean = np.where(pd.Index(dates.date).isin(list(off)), mean * holiday, mean)
    rng = np.random.default_rng(seed)
    noisy = mean * rng.lognormal(-(noise**2) / 2, noise, days)
    return (
        pd.Series(rng.poisson(noisy).astype(float), index=dates),
        pd.Series(mean, index=dates),
    )


def history_of(daily: pd.Series, country: str | None = "US") -> History:
    stream = StreamHistory(
        name="en-phone",
        language="en",
        channel="phone",
        region="UTC",
        country=country,
        daily=daily,
    )
    return History(source="generated", format="counts", streams=(stream,))


# --------------------------------------------------------------------------- measures


def test_accuracy_measures_on_hand_checked_numbers() -> None:
    actual = np.array([10.0, 20.0, np.nan, 30.0])
    forecast = np.array([12.0, 18.0, 5.0, 33.0])
    naive = np.array([5.0, 25.0, 5.0, 30.0])
    assert wape(actual, forecast) == pytest.approx((2 + 2 + 3) / 60)
    assert mase(actual, forecast, naive) == pytest.approx((7 / 3) / (10 / 3))
    assert mase(actual, naive, naive) == 1.0
    assert coverage(actual, forecast - 2.5, forecast + 2.5) == pytest.approx(2 / 3)
    # Hyndman & Koehler: in-sample seasonal differences of lag 1 here are all 1.
    assert mase_in_sample(np.arange(10.0), actual, forecast, m=1) == pytest.approx(7 / 3)


def test_calibration_follows_the_back_test_errors_within_limits() -> None:
    rng = np.random.default_rng(4)
    wide = Calibration.from_errors(rng.normal(0, 2.0, 4000))
    assert wide.half80 == pytest.approx(2 * 1.2816, rel=0.05)
    assert wide.half95 == pytest.approx(2 * 1.96, rel=0.05)
    # A handful of errors is not enough to move the Gaussian bands.
    assert Calibration.from_errors(rng.normal(0, 5.0, 10)) == Calibration.gaussian()
    # Tiny errors cannot shrink the bands below half the Gaussian ones.
    assert Calibration.from_errors(np.zeros(100)).half80 == pytest.approx(1.2816 / 2, rel=1e-3)


# --------------------------------------------------------------------------- components


@pytest.fixture(scope="module")
def trended() -> tuple[History, pd.Series, pd.Series]:
    """40 weeks from a Monday, doubling in a year, with US holidays at 30% of a day."""
    daily, mean = synthetic(dt.date(2025, 1, 6), 280 + 56, growth_per_year=1.0, seed=7)
    # The history, and the true mean and draws of the 56 days after it, for checking.
    return history_of(daily.iloc[:280]), mean.iloc[280:], daily.iloc[280:]


@pytest.fixture(scope="module")
def trended_forecast(trended: tuple[History, pd.Series, pd.Series]):
    history, _, _ = trended
    return forecast_history(history, 56)


def test_forecast_recovers_weekly_cycle_trend_and_holidays(
    trended: tuple[History, pd.Series, pd.Series], trended_forecast
) -> None:
    _, truth, _ = trended
    stream = trended_forecast.streams[0]
    table = stream.table.set_index(pd.to_datetime(stream.table["date"]))
    assert stream.model in {"regression", "structural"}
    assert "trend" in " ".join(stream.components)
    # The mean follows the true mean day by day (trend, weekday, holidays) within 8%.
    ratio = table["mean"] / truth.reindex(table.index)
    assert ratio.between(0.92, 1.08).all(), ratio[~ratio.between(0.92, 1.08)]
    # Columbus Day (2025-10-13, a Monday) and Veterans Day (2025-11-11) dip to ~30%.
    for day in ("2025-10-13", "2025-11-11"):
        week_after = pd.Timestamp(day) + pd.Timedelta(days=7)
        dip = table.loc[day, "mean"] / table.loc[week_after, "mean"]
        assert 0.3 * 0.8 < dip < 0.3 * 1.25 * 1.1, (day, dip)
    # Monday over Sunday is 1.1 / 0.3 in the generating model.
    weekday = table.groupby(table.index.day_of_week)["mean"].median()
    assert weekday[0] / weekday[6] == pytest.approx(1.1 / 0.3, rel=0.1)


def test_chosen_model_beats_seasonal_naive_and_bands_cover(trended_forecast) -> None:
    stream = trended_forecast.streams[0]
    accuracy = stream.accuracy
    assert accuracy is not None
    # The held-out weeks (2025-08-18 to 2025-10-12) hold Labor Day, which seasonal naive
    # cannot know; a trend of +100% a year also moves the level it repeats.
    assert accuracy.days == 56
    assert accuracy.mase < 1
    assert accuracy.wape < accuracy.naive_wape
    # 80% of 56 days is 45; binomial sampling alone allows about 38-51.
    assert 0.65 <= accuracy.coverage80 <= 0.95
    assert accuracy.coverage95 >= accuracy.coverage80
    chosen = [c for c in stream.candidates if c.chosen]
    assert [c.name for c in chosen] == [stream.model]
    assert {c.name for c in stream.candidates} == {c.name for c in CANDIDATES}


def test_seasonal_naive_scores_mase_one_by_construction(
    trended: tuple[History, pd.Series, pd.Series],
) -> None:
    history, _, _ = trended
    stream = forecast_history(history, 56, candidates=(SEASONAL_NAIVE,)).streams[0]
    assert stream.model == "seasonal_naive"
    assert stream.accuracy is not None
    assert stream.accuracy.mase == 1.0
    assert stream.accuracy.wape == stream.accuracy.naive_wape
    # Its forecast repeats the last observed week.
    last_week = history.streams[0].daily.iloc[-7:].to_numpy()
    assert np.allclose(stream.table["mean"].to_numpy()[:7], last_week, rtol=1e-12)


@pytest.mark.slow
def test_regression_recovers_a_yearly_cycle_from_two_years() -> None:
    amplitude = 0.25
    daily, _ = synthetic(dt.date(2023, 1, 2), 3 * 364, yearly=amplitude, seed=3, country=None)
    regression = next(c for c in CANDIDATES if c.name == "regression")
    z = np.log1p(daily)
    future = pd.date_range(daily.index[-1] + pd.Timedelta(days=1), periods=364, freq="D")
    forecast = pd.Series(np.expm1(regression.fit(z, future, None).mu), index=future)
    weekly_mean = forecast.rolling(7, center=True).mean()
    # sin peaks at day 91 and troughs at day 274 of the year: (1 + a) / (1 - a).
    peak = weekly_mean[weekly_mean.index.day_of_year == 91].iloc[0]
    trough = weekly_mean[weekly_mean.index.day_of_year == 274].iloc[0]
    assert peak / trough == pytest.approx((1 + amplitude) / (1 - amplitude), rel=0.08)
    assert "yearly cycle" in regression.components(len(daily), None)


# --------------------------------------------------------------------------- short and odd


def test_short_history_falls_back_and_says_so() -> None:
    daily, _ = synthetic(dt.date(2025, 3, 3), 21, country=None)
    stream = forecast_history(history_of(daily, None), 14).streams[0]
    assert stream.model == "weekday_average"
    assert stream.accuracy is None
    text = " ".join(stream.notes + stream.not_fitted)
    assert "too short to hold weeks out" in text
    assert "trend: needs 182 days" in text
    assert "holidays: no holiday calendar" in text
    assert (stream.table["mean"] > 0).all()


def test_history_under_two_weeks_is_refused() -> None:
    from scenarios.forecast.history import _check_span

    daily, _ = synthetic(dt.date(2025, 3, 3), 10, country=None)
    with pytest.raises(HistoryError, match=r"10 days with records .* at least 14 days"):
        _check_span(history_of(daily, None))
    one = pd.Series([50.0], index=pd.date_range("2025-03-03", periods=1))
    with pytest.raises(HistoryError, match=r"every contact falls on one day \(2025-03-03\)"):
        _check_span(history_of(one, None))


def test_gaps_stay_unknown_and_closed_weekdays_forecast_zero() -> None:
    daily, _ = synthetic(dt.date(2025, 1, 6), 140, seed=5)
    daily[daily.index.day_of_week >= 5] = np.nan  # never open at weekends
    daily.iloc[[30, 31, 60]] = np.nan  # three days lost from the export
    stream = forecast_history(history_of(daily), 28).streams[0]
    table = stream.table.set_index(pd.to_datetime(stream.table["date"]))
    weekend = table.index.day_of_week >= 5
    assert (table.loc[weekend, ["mean", "hi95"]] == 0).all().all()
    assert (table.loc[~weekend, "mean"] > 100).all()
    assert stream.closed_weekdays == ["Sat", "Sun"]
    assert any("are read as unknown, not as quiet days" in n for n in stream.notes)


def test_start_inside_the_history_is_refused() -> None:
    daily, _ = synthetic(dt.date(2025, 1, 6), 28, country=None)
    with pytest.raises(HistoryError, match=r"--start 2025-01-20: on or before the history"):
        forecast_history(history_of(daily, None), 7, dt.date(2025, 1, 20))


def test_holiday_flags_mark_the_day_its_eve_and_the_day_after() -> None:
    dates = pd.date_range("2025-07-03", periods=3, freq="D")
    flags = holiday_flags(dates, "US")
    assert flags.to_dict("list") == {
        "holiday": [0.0, 1.0, 0.0],
        "eve": [1.0, 0.0, 0.0],
        "after": [0.0, 0.0, 1.0],
    }


def test_busyness_matches_the_bands(trended_forecast) -> None:
    stream = trended_forecast.streams[0]
    # The daily noise was lognormal with sd 0.05 on top of Poisson: the busyness the
    # forecast writes is at least that (its own parameter uncertainty adds to it) and of
    # the same order as the bands' relative half-width.
    assert 0.04 < stream.busyness_cv < 0.2
    half = (stream.table["hi80"] - stream.table["lo80"]) / 2 / stream.table["mean"]
    open_days = stream.table["mean"] > 0
    assert stream.busyness_cv < half[open_days].median()
