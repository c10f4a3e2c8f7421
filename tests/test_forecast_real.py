"""The forecast on real histories of the shared reference data (skipped when it is absent).

Only the histories meant for fitting are read; the held-out folders are never opened.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from scenarios.forecast import forecast_history, read_history

BANK = ["timestamp=start", "count=calls", "timezone=Asia/Jerusalem", "default_channel=phone"]
US_BANK = ["timestamp=datetime", "count=calls", "timezone=America/New_York"]


def test_us_bank_weekends_are_closed_and_missing_weekdays_are_gaps(shared_data: Path) -> None:
    path = shared_data / "forecast" / "us_bank_2003_5min" / "us_bank_2003_5min.csv"
    (stream,) = read_history(path, "counts", US_BANK).streams
    assert stream.country == "US" and stream.hour_of_week is not None
    weekday_gaps = [d for d in stream.missing_days if d.weekday() < 5]
    # The data set's README lists the weekdays absent from the file.
    assert [d.isoformat() for d in weekday_gaps] == [
        "2003-04-04",
        "2003-04-07",
        "2003-05-26",
        "2003-07-04",
        "2003-09-01",
        "2003-10-14",
    ]
    assert stream.contacts == 5_323_661
    # Calls are counted from 07:00 to 21:05 local time only.
    weekdays = stream.hour_of_week[:5]
    assert weekdays[:, :7].sum() == 0 and weekdays[:, 7:21].min() > 0
    assert stream.hour_of_week[5:].sum() == 0


@pytest.mark.slow
def test_anonymous_bank_forecast_beats_seasonal_naive(shared_data: Path) -> None:
    path = shared_data / "forecast" / "anonymous_bank_1999_6min" / "anonymous_bank_1999_6min.csv"
    history = read_history(path, "counts", BANK)
    assert history.first == dt.date(1999, 1, 1) and history.last == dt.date(1999, 12, 31)
    forecast = forecast_history(history, 28)
    (stream,) = forecast.streams
    accuracy = stream.accuracy
    assert accuracy is not None and accuracy.days == 28
    assert accuracy.mase < 1
    assert 0.7 <= accuracy.coverage80 <= 0.95
    assert stream.busyness_cv > 0
    assert forecast.start == dt.date(2000, 1, 1)
