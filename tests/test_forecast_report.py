"""The forecast report: sections, escaping, and every chart drawn in headless Chromium."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import numpy as np
import pytest
from test_forecast import synthetic
from test_report_browser import CHROMIUM, assert_all_drawn, render_in_browser, screenshot

from reports.forecast_report import forecast_sections, render_forecast_report
from scenarios.forecast import CANDIDATES, History, StreamHistory, forecast_history

EVIL = '<script>alert("x")</script> & co'


@pytest.fixture(scope="module")
def pages() -> tuple[dict, list]:
    daily, _ = synthetic(dt.date(2025, 1, 6), 84, seed=9)
    hours = np.zeros((7, 24))
    hours[:, 8:18] = 10.0
    stream = StreamHistory(
        name=EVIL,
        language="en",
        channel="phone",
        region="America/Chicago",
        country="US",
        daily=daily,
        hour_of_week=hours,
    )
    plain = dataclasses.replace(stream, name="en-chat", channel="chat", hour_of_week=None)
    # The report draws whatever was chosen: the two quick models are enough here.
    quick = tuple(c for c in CANDIDATES if c.name in {"seasonal_naive", "weekday_average"})
    forecast = forecast_history(
        History("calls.csv", "counts", (stream, plain)), 14, candidates=quick
    )
    args = (
        forecast.to_json(),
        forecast.table(),
        forecast.history_table(),
        forecast.holdout_table(),
        forecast.profiles(),
    )
    return args, forecast_sections(*args)


def test_sections_and_escaping(pages: tuple[dict, list]) -> None:
    args, sections = pages
    assert [s.id for s in sections] == ["forecast", "accuracy", "intraday", "handle", "notes"]
    page = render_forecast_report(*args)
    assert EVIL not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co" in page
    # Two streams: two forecast charts, two held-out charts, one intraday shape (the other
    # stream has daily counts only).
    assert [len(s.figures) for s in sections[:3]] == [2, 2, 1]
    accuracy = str(sections[1].body)
    for column in ("WAPE", "MASE", "80% band covers", "seasonal naive WAPE", "back-test WAPE"):
        assert column in accuracy


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium not found (/usr/bin/chromium)")
def test_forecast_report_draws_every_chart(pages: tuple[dict, list], tmp_path: Path) -> None:
    args, _ = pages
    report, dom = render_in_browser(render_forecast_report(*args), tmp_path)
    expected = {
        "fig-forecast-forecast-0",
        "fig-forecast-forecast-1",
        "fig-accuracy-holdout-0",
        "fig-accuracy-holdout-1",
        "fig-intraday-intraday-0",
    }
    assert_all_drawn(report, expected)
    assert "".join(dom.h1).strip() == "calls.csv"
    screenshot(tmp_path / "report.html", tmp_path)
