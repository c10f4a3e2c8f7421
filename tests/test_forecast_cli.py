"""The forecast command end to end: histories written here, outputs, the scenario it writes
run through ``simulate``, and bad histories refused with one sentence."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT

import run_sim
from scenarios import load_scenario
from scenarios.forecast import CANDIDATES, HistoryError, read_history

WEEKLY = (1.1, 1.0, 1.0, 0.95, 0.9, 0.45, 0.3)
HOURS = np.array([0.2] * 7 + [1, 2, 3, 3, 3, 2.5, 3, 3, 2.5, 2, 1.5, 1] + [0.5, 0.4, 0.3, 0.2, 0.2])


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "true"}
    return subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=600,
    )


def write_counts(path: Path, days: int = 70, seed: int = 2) -> Path:
    """Hourly counts of two streams in two regions, timestamps in UTC, Poisson around a
    known weekly and daily shape (10 weeks from 2025-11-10: no clock change inside)."""
    rng = np.random.default_rng(seed)
    rows = []
    streams = (
        ("en", "phone", "America/New_York", 500.0),
        ("de", "chat", "Europe/Berlin", 150.0),
    )
    for language, channel, region, level in streams:
        local = pd.date_range("2025-11-10", periods=days * 24, freq="h", tz=region)
        mean = level * np.asarray(WEEKLY)[local.day_of_week] * HOURS[local.hour] / HOURS.sum()
        counts = rng.poisson(mean)
        for when, count in zip(local.tz_convert("UTC"), counts, strict=True):
            rows.append((when.strftime("%Y-%m-%dT%H:%M:%SZ"), count, language, channel, region))
    frame = pd.DataFrame(rows, columns=["timestamp", "calls", "language", "channel", "region"])
    frame.to_csv(path, index=False)
    return path


def write_tickets(path: Path, days: int = 42, seed: int = 3) -> Path:
    """One row per email ticket with an id and a handle time that rises slowly."""
    rng = np.random.default_rng(seed)
    rows = []
    ticket = 0
    for day in pd.date_range("2026-01-05", periods=days, freq="D"):
        for _ in range(rng.poisson(120 * WEEKLY[day.day_of_week])):
            minute = rng.uniform(7 * 60, 19 * 60)
            handle = rng.lognormal(np.log(8 + 0.1 * (day - pd.Timestamp("2026-01-05")).days), 0.5)
            created = day + pd.Timedelta(minutes=minute)
            rows.append((f"T{ticket}", created.strftime("%Y-%m-%d %H:%M:%S"), "email", handle))
            ticket += 1
    pd.DataFrame(rows, columns=["id", "created", "channel", "handle_minutes"]).to_csv(
        path, index=False
    )
    return path


COUNT_MAP = ("--format", "counts", "--map", "count=calls")


@pytest.fixture(scope="module")
def forecast_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("forecast")
    history = write_counts(folder / "history.csv")
    out = folder / "out"
    result = run_cli("forecast", str(history), *COUNT_MAP, "--horizon", "2w", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "held-out" in result.stdout
    return out


def test_forecast_writes_its_files(forecast_run: Path) -> None:
    table = pd.read_csv(forecast_run / "forecast.csv")
    assert list(table.columns) == ["stream", "date", "mean", "lo80", "hi80", "lo95", "hi95"]
    assert sorted(table["stream"].unique()) == ["de-chat-berlin", "en-phone-new-york"]
    assert len(table) == 2 * 14
    assert table["date"].min() == "2026-01-19" and table["date"].max() == "2026-02-01"
    assert (table["lo95"] <= table["lo80"]).all() and (table["lo80"] <= table["mean"]).all()
    assert (table["mean"] <= table["hi80"]).all() and (table["hi80"] <= table["hi95"]).all()
    summary = json.loads((forecast_run / "forecast.json").read_text())
    assert summary["horizon"] == {"start": "2026-01-19", "end": "2026-02-01", "days": 14}
    for stream in summary["streams"]:
        assert stream["model"] in {c.name for c in CANDIDATES}
        accuracy = stream["accuracy"]
        assert accuracy["days"] == 14
        assert set(accuracy) >= {"wape", "mase", "coverage80", "coverage95"}
        assert any(c["model"] == "seasonal_naive" for c in stream["candidates"])
        assert stream["busyness"]["cv"] >= 0
    html = (forecast_run / "report.html").read_text()
    for title in ("History and forecast", "Accuracy on held-out weeks", "Intraday shape"):
        assert title in html


def test_forecast_scenario_validates_and_carries_the_forecast(forecast_run: Path) -> None:
    scenario = load_scenario(forecast_run / "scenario.yaml")
    table = pd.read_csv(forecast_run / "forecast.csv")
    assert str(scenario.horizon.start) == "2026-01-19" and scenario.horizon.days == 14
    for stream in scenario.demand.streams:
        assert stream.volume is not None and stream.volume.per == "day"
        mine = table[table["stream"] == stream.name]
        values = {str(d): v for d, v in stream.volume.values.items()}
        assert values == pytest.approx(dict(zip(mine["date"], mine["mean"], strict=True)))
        assert stream.busyness is not None and stream.busyness.distribution == "lognormal"
        # The profile is the history's local shape: nights quieter than mid-morning.
        weights = stream.weights()
        assert weights[0, 10] > 5 * weights[0, 3]


@pytest.mark.slow
def test_simulated_daily_arrivals_follow_the_forecast(forecast_run: Path) -> None:
    """Each day's simulated arrivals, averaged over replications, agree with the forecast
    mean within the spread the forecast itself gives them (Poisson plus busyness)."""
    out = forecast_run / "sim"
    reps = 4
    result = run_cli(
        "simulate",
        str(forecast_run / "scenario.yaml"),
        "--out",
        str(out),
        "--replications",
        str(reps),
    )
    assert result.returncode == 0, result.stderr
    scenario = load_scenario(forecast_run / "scenario.yaml")
    tickets = pd.read_parquet(out / "tickets.parquet", columns=["replication", "stream", "arrival"])
    table = pd.read_csv(forecast_run / "forecast.csv")
    for stream in scenario.demand.streams:
        mine = tickets[tickets["stream"] == stream.name]
        day = mine["arrival"].dt.tz_convert(stream.region).dt.strftime("%Y-%m-%d")
        simulated = day.value_counts() / reps
        forecast = table[table["stream"] == stream.name].set_index("date")["mean"]
        simulated = simulated.reindex(forecast.index, fill_value=0.0)
        assert stream.busyness is not None
        cv = stream.busyness.cv
        # Variance of one replication's day: m + cv^2 m^2; of the mean of reps: / reps.
        sd = np.sqrt((forecast + cv**2 * forecast**2) / reps)
        z = (simulated - forecast) / sd.where(sd > 0, 1.0)
        assert (z.abs() < 4).all(), z[z.abs() >= 4]
        total_sd = float(np.sqrt((sd**2).sum()))
        assert abs(simulated.sum() - forecast.sum()) < 4 * total_sd
        # Weekends are quiet in the forecast and in the simulation alike.
        assert np.corrcoef(simulated, forecast)[0, 1] > 0.9


def test_ticket_history_gives_channels_and_handle_trend(tmp_path: Path) -> None:
    history = write_tickets(tmp_path / "tickets.csv")
    out = tmp_path / "out"
    result = run_cli("forecast", str(history), "--horizon", "1w", "--out", str(out))
    assert result.returncode == 0, result.stderr
    summary = json.loads((out / "forecast.json").read_text())
    (stream,) = summary["streams"]
    handle = stream["handle"]
    assert handle["trend_used"] is True
    assert handle["trend_minutes_per_month"] > 0
    scenario = load_scenario(out / "scenario.yaml")
    spec = scenario.channel("email").handle_minutes
    assert spec.mean == pytest.approx(handle["horizon_minutes"], rel=1e-3)


# --------------------------------------------------------------------------- bad histories


def run_main(capsys: pytest.CaptureFixture[str], *args: str) -> subprocess.CompletedProcess[str]:
    """The command line in this process (bad input fails before any heavy work)."""
    try:
        code = run_sim.main(list(args))
    except SystemExit as stop:  # argparse's own usage errors
        code = int(stop.code or 0)
    captured = capsys.readouterr()
    return subprocess.CompletedProcess(list(args), code, captured.out, captured.err)


def _one_error_line(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    return lines[0]


def test_repeated_rows_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "h.csv"
    path.write_text("date,count\n2026-01-05,10\n2026-01-06,12\n2026-01-05,11\n")
    line = _one_error_line(run_main(capsys, "forecast", str(path), "--format", "counts"))
    assert "rows 1 and 3 both count date '2026-01-05'" in line


def test_repeated_ticket_ids_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = write_tickets(tmp_path / "t.csv", days=21)
    text = path.read_text().splitlines()
    path.write_text("\n".join([*text, text[5]]) + "\n")
    line = _one_error_line(run_main(capsys, "forecast", str(path)))
    assert "ticket id 'T4' appears on rows 5 and" in line


def test_one_day_of_history_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "h.csv"
    path.write_text("created\n2026-01-05 09:00\n2026-01-05 10:00\n2026-01-05 11:30\n")
    line = _one_error_line(run_main(capsys, "forecast", str(path)))
    assert "every contact falls on one day (2026-01-05)" in line


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("date,count\n2026-01-05,10\n2026-01-06,abc\n", "row 2 (line 3), column 'count'"),
        ("date,count\n2026-01-05,10\n2026-01-66,3\n", "cannot read '2026-01-66' as a date"),
        ("day,n\n2026-01-05,10\n", "expected a 'count' column and a 'date' or 'timestamp'"),
        ("date,count\n2026-01-05,-4\n", "found '-4' (expected a count of zero or more)"),
    ],
)
def test_columns_that_do_not_parse_are_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, expected: str
) -> None:
    path = tmp_path / "h.csv"
    path.write_text(text)
    line = _one_error_line(run_main(capsys, "forecast", str(path), "--format", "counts"))
    assert expected in line


def test_bad_flags_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "h.csv"
    path.write_text("date,count\n2026-01-05,10\n")
    result = run_main(capsys, "forecast", str(path), "--format", "counts", "--horizon", "soon")
    assert result.returncode == 2 and "expected weeks or days such as 8w" in result.stderr
    result = run_main(capsys, "forecast", str(path), "--format", "counts", "--map", "calls=count")
    assert "unknown field 'calls' for --format counts" in _one_error_line(result)


def test_gaps_are_kept_as_gaps_and_said(tmp_path: Path) -> None:
    days = pd.date_range("2026-01-05", periods=35, freq="D")
    counts = np.random.default_rng(1).poisson(200 * np.asarray(WEEKLY)[days.day_of_week])
    frame = pd.DataFrame({"date": days.strftime("%Y-%m-%d"), "count": counts})
    path = tmp_path / "h.csv"
    frame.drop(index=[10, 11]).to_csv(path, index=False)
    history = read_history(path, "counts")
    assert history.streams[0].missing_days == [d.date() for d in days[[10, 11]]]
    assert read_history(path, "counts", zero_missing=True).streams[0].missing_days == []
    out = tmp_path / "out"
    result = run_cli(
        "forecast", str(path), "--format", "counts", "--horizon", "1w", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "2 days without records (2026-01-15, 2026-01-16) are read as unknown" in result.stdout
    assert "daily counts only: the intraday shape is assumed flat" in result.stdout


def test_the_hour_daylight_saving_repeats_may_be_counted_twice(tmp_path: Path) -> None:
    """New York repeats 01:00-02:00 on 2025-11-02: two rows of that wall-clock hour are two
    hours of contacts, not a repeated row; a third is."""
    hours = pd.date_range("2025-10-20", "2025-11-16 23:00", freq="h")
    frame = pd.DataFrame({"timestamp": hours.strftime("%Y-%m-%d %H:%M"), "count": 10})
    repeat = frame[frame["timestamp"] == "2025-11-02 01:00"]
    path = tmp_path / "h.csv"
    pd.concat([frame, repeat]).to_csv(path, index=False)
    args = (["timezone=America/New_York"],)
    (stream,) = read_history(path, "counts", *args).streams
    assert stream.daily[pd.Timestamp("2025-11-02")] == 25 * 10
    pd.concat([frame, repeat, repeat]).to_csv(path, index=False)
    with pytest.raises(HistoryError, match="both count interval '2025-11-02 01:00'"):
        read_history(path, "counts", *args)
