"""Demand by date: dated volume series, events, and busyness (day-to-day uncertainty).

The busyness checks are validation against theory: with a multiplier of mean 1 and
coefficient of variation cv, a day of expected volume m has arrivals with variance
m + cv^2 m^2 (the Poisson part plus the busyness part).
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario
from scipy import stats

from reports.scenario_tables import scenario_section
from scenarios import ScenarioError, load_scenario, scenario_warnings
from scenarios.calendar import horizon_origin
from sim.demand import busyness_multipliers, generate_tickets, stream_rates

START = dt.date(2026, 1, 5)  # a Monday


def daily_rates(scenario, index: int = 0) -> pd.Series:
    """Expected arrivals per local date of a stream (sums of its cell rates)."""
    stream = scenario.demand.streams[index]
    origin = horizon_origin(scenario)
    rate = stream_rates(scenario, stream, origin)
    cells = pd.date_range(origin, periods=len(rate), freq="15min").tz_convert(stream.region)
    return pd.Series(rate).groupby(cells.date).sum()


def daily_volume(values: dict[dt.date, float], per: str = "day") -> dict:
    return {"per": per, "values": {d.isoformat(): v for d, v in values.items()}}


# --------------------------------------------------------------------------- volume


def test_daily_volume_gives_each_local_day_its_value() -> None:
    values = {START + dt.timedelta(days=k): 100.0 + 10 * k for k in range(7)}
    scenario = make_scenario(
        {
            "demand.streams.0.volume": daily_volume(values),
            "demand.streams.0.tickets_per_week": None,
            "demand.streams.0.region": "America/New_York",
            "demand.streams.0.profile": "business_hours",
            "horizon.timezone": "America/New_York",
        }
    )
    by_day = daily_rates(scenario)
    for day, value in values.items():
        assert by_day[day] == pytest.approx(value, rel=1e-9)
    # Without tickets_per_week, the stream's size is the series' average week.
    assert scenario.demand.streams[0].tickets_per_week == pytest.approx(sum(values.values()))


def test_daily_volume_skips_the_holiday_factor_and_falls_back_outside_the_series() -> None:
    # 2026-01-19 is Martin Luther King Jr. Day in the US: the series already says its volume.
    values = {dt.date(2026, 1, 19): 350.0}
    scenario = make_scenario(
        {
            "demand.streams.0.volume": daily_volume(values),
            "demand.streams.0.country": "US",
            "demand.streams.0.tickets_per_week": 700.0,
            "horizon.start": "2026-01-19",
        }
    )
    by_day = daily_rates(scenario)
    assert by_day[dt.date(2026, 1, 19)] == pytest.approx(350.0)
    assert by_day[dt.date(2026, 1, 20)] == pytest.approx(100.0)  # 700 a week, flat profile


def test_weekly_volume_spreads_over_the_profile_and_keeps_holidays() -> None:
    weeks = {START: 700.0, START + dt.timedelta(days=7): 1400.0}
    scenario = make_scenario(
        {"demand.streams.0.volume": daily_volume(weeks, "week"), "horizon.weeks": 2}
    )
    by_day = daily_rates(scenario)
    assert by_day[START] == pytest.approx(100.0)
    assert by_day[START + dt.timedelta(days=10)] == pytest.approx(200.0)


def test_weekly_values_may_not_overlap() -> None:
    weeks = {START: 700.0, START + dt.timedelta(days=3): 700.0}
    with pytest.raises(ScenarioError, match=r"demand\.streams\[0\].*overlap"):
        make_scenario({"demand.streams.0.volume": daily_volume(weeks, "week")})


def test_volume_file_is_read_beside_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "volume.csv").write_text(
        "stream,date,mean,lo80\nen-phone,2026-01-05,140,120\nother,2026-01-05,9,8\n"
        "en-phone,2026-01-06,70,60\n"
    )
    folder = tmp_path / "scenarios"
    folder.mkdir()
    (folder / "s.yaml").write_text(
        "name: dated\nhorizon: {start: 2026-01-05, weeks: 1}\n"
        "demand:\n  streams:\n    - {name: en-phone, language: en, channel: phone, region: UTC,"
        " volume: ../volume.csv}\n"
        "teams: [{name: t, timezone: UTC, agents: 1, languages: [en], channels: [phone],"
        " hourly_cost: 1, shifts: [{days: Mon-Sun, start: '00:00', hours: 8}]}]\n"
    )
    scenario = load_scenario(folder / "s.yaml")
    volume = scenario.demand.streams[0].volume
    assert volume is not None
    assert volume.values == {dt.date(2026, 1, 5): 140.0, dt.date(2026, 1, 6): 70.0}
    # The scenario as data carries the values inline, so scenario.yaml stands alone.
    assert scenario.to_data()["demand"]["streams"][0]["volume"]["values"]["2026-01-05"] == 140


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (None, r"volume file '.*missing\.csv': file not found"),
        ("date,tickets\n2026-01-05,abc\n", r"row 1: found 'abc' tickets"),
        ("date,tickets\n2026-13-05,1\n", r"row 1: cannot read '2026-13-05' as a date"),
        ("date,tickets\n2026-01-05,1\n2026-01-05,2\n", r"row 2: date 2026-01-05 appears twice"),
        ("day,tickets\n2026-01-05,1\n", r"has columns 'day', 'tickets' \(expected a CSV"),
        ("date,tickets\n2026-01-05,-3\n", r"expected a finite number of zero or more"),
    ],
)
def test_bad_volume_files_name_the_stream_row_and_expectation(
    tmp_path: Path, text: str | None, message: str
) -> None:
    name = "missing.csv" if text is None else "volume.csv"
    if text is not None:
        (tmp_path / name).write_text(text)
    scenario = tmp_path / "s.yaml"
    scenario.write_text(
        "name: dated\nhorizon: {start: 2026-01-05, weeks: 1}\n"
        f"demand:\n  streams:\n    - {{name: s, language: en, channel: phone, region: UTC,"
        f" volume: {name}}}\n"
        "teams: [{name: t, timezone: UTC, agents: 1, languages: [en], channels: [phone],"
        " hourly_cost: 1, shifts: [{days: Mon-Sun, start: '00:00', hours: 8}]}]\n"
    )
    with pytest.raises(ScenarioError, match=r"demand\.streams\[0\]: volume: .*" + message):
        load_scenario(scenario)


# --------------------------------------------------------------------------- events


def test_events_multiply_their_local_dates_for_the_streams_they_name() -> None:
    second = {
        "name": "de-phone",
        "language": "de",
        "channel": "phone",
        "region": "Europe/Berlin",
        "tickets_per_week": 700,
    }
    scenario = make_scenario(
        {
            "demand.streams": [
                {**make_scenario().to_data()["demand"]["streams"][0], "tickets_per_week": 700},
                second,
            ],
            "demand.events": [
                {
                    "name": "spring campaign",
                    "start": "2026-01-06",
                    "end": "2026-01-07",
                    "multiplier": 1.5,
                    "streams": ["de-phone"],
                }
            ],
        }
    )
    first, berlin = daily_rates(scenario, 0), daily_rates(scenario, 1)
    assert first[dt.date(2026, 1, 6)] == pytest.approx(100.0)
    assert berlin[dt.date(2026, 1, 6)] == pytest.approx(150.0)
    assert berlin[dt.date(2026, 1, 7)] == pytest.approx(150.0)
    assert berlin[dt.date(2026, 1, 8)] == pytest.approx(100.0)


def test_event_checks() -> None:
    event = {"name": "x", "start": "2026-01-07", "end": "2026-01-06", "multiplier": 2}
    with pytest.raises(ScenarioError, match=r"demand\.events\[0\].*before its start"):
        make_scenario({"demand.events": [event]})
    event = {"name": "x", "start": "2026-01-06", "end": "2026-01-06", "multiplier": 2}
    with pytest.raises(ScenarioError, match=r"events\[0\]\.streams names 'nope'"):
        make_scenario({"demand.events": [{**event, "streams": ["nope"]}]})


# --------------------------------------------------------------------------- busyness


@pytest.mark.parametrize("family", ["gamma", "lognormal"])
def test_busyness_distribution_has_mean_one_and_the_given_cv(family: str) -> None:
    scenario = make_scenario({"demand.busyness": {"distribution": family, "cv": 0.25}})
    assert scenario.demand.busyness is not None
    dist = scenario.demand.busyness.frozen()
    assert dist.mean() == pytest.approx(1.0)
    assert dist.std() == pytest.approx(0.25)


def test_busyness_moves_no_other_draw() -> None:
    second = {
        "name": "en-chat",
        "language": "en",
        "channel": "chat",
        "region": "UTC",
        "tickets_per_week": 500,
    }
    base = make_scenario({"demand.streams": [*make_scenario().to_data()["demand"]["streams"]]})
    streams = [*base.to_data()["demand"]["streams"], second]
    plain = make_scenario({"demand.streams": streams})
    busy_streams = [{**streams[0], "busyness": {"cv": 0.3}}, second]
    busy = make_scenario({"demand.streams": busy_streams})
    a, b = generate_tickets(plain, seed=5), generate_tickets(busy, seed=5)
    chat = 1
    assert np.array_equal(a.arrival[a.stream == chat], b.arrival[b.stream == chat])
    assert not np.array_equal(a.arrival[a.stream == 0], b.arrival[b.stream == 0])
    assert busyness_multipliers(plain, plain.demand.streams[0], 5, 0) is None


def _daily_counts(scenario, replications: int) -> np.ndarray:
    counts = []
    for r in range(replications):
        tickets = generate_tickets(scenario, seed=3, replication=r)
        counts.append(np.bincount((tickets.arrival // 1440).astype(int), minlength=364)[:364])
    return np.concatenate(counts).astype(float)


def _variance_interval(x: np.ndarray, z: float = 3.0) -> tuple[float, float]:
    """Sample variance and the half-width of its ~99.7% interval (from the 4th moment)."""
    n = len(x)
    s2 = float(np.var(x, ddof=1))
    m4 = float(np.mean((x - x.mean()) ** 4))
    var_s2 = (m4 - s2**2 * (n - 3) / (n - 1)) / n
    return s2, z * float(np.sqrt(var_s2))


@pytest.mark.validation
@pytest.mark.parametrize("family", ["gamma", "lognormal"])
def test_daily_arrivals_have_poisson_plus_busyness_variance(family: str) -> None:
    m, cv = 200.0, 0.2
    scenario = make_scenario(
        {
            "horizon.weeks": 52,
            "demand.streams.0.tickets_per_week": 7 * m,
            "demand.busyness": {"distribution": family, "cv": cv},
        }
    )
    days = _daily_counts(scenario, replications=4)
    theory = m + cv**2 * m**2  # 200 + 1600 = 1800
    s2, half = _variance_interval(days)
    assert abs(s2 - theory) < half, (s2, theory, half)
    assert days.mean() == pytest.approx(m, abs=3 * np.sqrt(theory / len(days)))
    # Without busyness the same days are Poisson: variance m.
    plain = make_scenario({"horizon.weeks": 52, "demand.streams.0.tickets_per_week": 7 * m})
    s2, half = _variance_interval(_daily_counts(plain, replications=4))
    assert abs(s2 - m) < half, (s2, m, half)


@pytest.mark.validation
def test_weekly_busyness_is_one_draw_per_week() -> None:
    m, cv = 100.0, 0.3
    scenario = make_scenario(
        {
            "horizon.weeks": 52,
            "demand.streams.0.tickets_per_week": 7 * m,
            "demand.busyness": {"cv": cv, "level": "week"},
        }
    )
    multipliers = busyness_multipliers(scenario, scenario.demand.streams[0], 3, 0)
    assert multipliers is not None
    inside = multipliers.iloc[1:-1].to_numpy().reshape(52, 7)
    assert np.all(inside == inside[:, :1])
    weeks = _daily_counts(scenario, replications=6).reshape(-1, 7).sum(axis=1)
    theory = 7 * m + cv**2 * (7 * m) ** 2  # Poisson week plus one busyness draw per week
    s2, half = _variance_interval(weeks)
    assert abs(s2 - theory) < half, (s2, theory, half)
    # A whole-week draw makes the days of a week move together: a Kolmogorov-Smirnov check
    # of the drawn multipliers against the gamma distribution they come from.
    assert stats.kstest(inside[:, 0], stats.gamma(a=1 / cv**2, scale=cv**2).cdf).pvalue > 0.001


def test_warnings_name_uncovered_days_and_events_outside_the_horizon() -> None:
    values = {START + dt.timedelta(days=k): 100.0 for k in range(5)}
    scenario = make_scenario(
        {
            "demand.streams.0.volume": daily_volume(values),
            "demand.events": [
                {"name": "late", "start": "2026-03-01", "end": "2026-03-02", "multiplier": 2}
            ],
        }
    )
    messages = scenario_warnings(scenario)
    assert any(
        "leaves 2 of the horizon's days uncovered (first 2026-01-10); they use "
        "tickets_per_week (2000)" in m
        for m in messages
    )
    assert any(
        "demand.events 'late' (2026-03-01 to 2026-03-02) falls outside" in m for m in messages
    )


def test_the_run_report_lists_events_dated_volume_and_busyness() -> None:
    values = {START + dt.timedelta(days=k): 100.0 for k in range(7)}
    scenario = make_scenario(
        {
            "demand.streams.0.volume": daily_volume(values),
            "demand.streams.0.busyness": {"cv": 0.12},
            "demand.events": [
                {
                    "name": "spring <b>campaign</b>",
                    "start": "2026-01-06",
                    "end": "2026-01-07",
                    "multiplier": 1.4,
                }
            ],
        }
    )
    body = str(scenario_section(scenario.to_data(), {}).body)
    assert "spring &lt;b&gt;campaign&lt;/b&gt;" in body and "<b>campaign" not in body
    assert "per day, 2026-01-05 to 2026-01-11; busyness cv 0.120" in body
    assert "Demand events" in body and "1.40" in body
