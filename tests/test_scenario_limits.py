"""Values that are not numbers, absurd sizes and calendar edges: each is refused with a
message naming the key path, what was found and what was expected, and the edges of the
accepted range really run."""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from typing import Any

import pytest
from conftest import BASE

from scenarios import ScenarioError, scenario_from_data
from scenarios.calendar import holiday_dates, horizon_origin
from scenarios.schema import MAX_SEED
from scenarios.types import (
    EARLIEST_DATE,
    LATEST_DATE,
    MAX_DURATION_MINUTES,
    excerpt,
    parse_duration_minutes,
)
from sim.engine import run_replication


def data_with(path: str, value: Any) -> dict[str, Any]:
    """BASE with one dotted path set (list items by index)."""
    data = copy.deepcopy(BASE)
    node: Any = data
    parts = path.split(".")
    for part in parts[:-1]:
        node = node[int(part)] if isinstance(node, list) else node.setdefault(part, {})
    last = parts[-1]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return data


# Every float-valued key of the scenario, with a valid value for it in BASE.
FLOAT_KEYS = [
    "horizon.weeks",
    "demand.deflection",
    "demand.scale",
    "demand.growth_per_year",
    "demand.streams.0.tickets_per_week",
    "demand.streams.0.holiday_factor",
    "demand.streams.0.deflection",
    "channels.phone.handle_minutes.mean",
    "channels.phone.handle_minutes.cv",
    "channels.phone.customer_reply_hours",
    "channels.phone.touches",
    "reopen_rate",
    "shrinkage",
    "teams.0.hourly_cost",
    "teams.0.shifts.0.hours",
    "costs.night_premium",
    "costs.weekend_premium",
    "costs.holiday_premium",
    "costs.overtime_premium",
    "labor_rules.max_hours_per_week",
    "labor_rules.min_rest_hours",
    "labor_rules.max_occupancy",
    "planning.mip_gap",
    "business.customer_monthly_value",
    "business.churn_probability_per_missed_sla",
    "business.value_months",
]


@pytest.mark.parametrize("key", FLOAT_KEYS)
@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_nan_and_infinity_are_refused_everywhere(key: str, bad: float) -> None:
    path = re.escape(key.replace(".0.", "[0].").replace(".0", "[0]"))
    with pytest.raises(ScenarioError, match=rf"{path}: found -?(nan|inf), expected a finite"):
        scenario_from_data(data_with(key, bad))


def test_nan_inside_nested_values_is_refused() -> None:
    data = data_with("demand.streams.0.priority_mix", {"normal": math.nan})
    with pytest.raises(ScenarioError, match=r"priority_mix\.normal: found nan, expected a finite"):
        scenario_from_data(data)
    profile = [[1.0] * 24 for _ in range(7)]
    profile[3][5] = math.inf
    with pytest.raises(ScenarioError, match=r"demand\.streams\[0\]\.profile: .*7 rows of 24"):
        scenario_from_data(data_with("demand.streams.0.profile", profile))


@pytest.mark.parametrize(
    ("key", "value", "bound"),
    [
        ("demand.growth_per_year", 1e300, "at most 10"),
        ("demand.scale", 1e9, "at most 1000"),
        ("demand.streams.0.tickets_per_week", 1e12, "at most 10000000"),
        ("demand.streams.0.holiday_factor", 1e6, "at most 100"),
        ("costs.holiday_premium", 1e308, "at most 10"),
        ("teams.0.hourly_cost", 1e300, "at most 10000000"),
        ("teams.0.agents", 10**9, "at most 10000"),
        ("teams.0.tier", 10**6, "at most 9"),
        ("channels.phone.handle_minutes.mean", 1e30, "at most 43200"),
        ("channels.phone.customer_reply_hours", 1e9, "at most 720"),
        ("business.value_months", 1e12, "at most 1200"),
        ("seed", MAX_SEED + 1, "at most 9223372036854775807"),
    ],
)
def test_absurd_values_are_refused_with_the_bound(key: str, value: float, bound: str) -> None:
    with pytest.raises(ScenarioError, match=rf"found .*, expected a number of {bound}"):
        scenario_from_data(data_with(key, value))


def test_a_surge_of_a_billion_is_refused() -> None:
    surge = {"start": "2026-01-06T09:00", "hours": 4, "multiplier": 1e9}
    with pytest.raises(ScenarioError, match=r"surges\[0\]\.multiplier: .*at most 100"):
        scenario_from_data(data_with("demand.surges", [surge]))


@pytest.mark.parametrize("text", ["400d", 10**40, "9" * 400 + "h", math.nan, math.inf])
def test_durations_are_finite_and_at_most_a_year(text: Any) -> None:
    with pytest.raises(ValueError, match=r"expected a (finite duration|duration of at most 366d)"):
        parse_duration_minutes(text)
    assert parse_duration_minutes("366d") == MAX_DURATION_MINUTES


def test_excerpts_stay_short_whatever_the_value() -> None:
    shared = [0] * 1000
    bomb: Any = shared
    for _ in range(30):  # 1000 * 2**30 elements if expanded
        bomb = [bomb, bomb]
    assert len(excerpt(bomb)) <= 60
    assert excerpt(10**5000) == "<a number of about 5001 digits>"
    assert len(excerpt("x" * 10**6)) <= 60


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("horizon.start", "0001-01-01"),
        ("horizon.start", "9999-12-25"),
        ("horizon.start", "1899-12-31"),
    ],
)
def test_dates_outside_the_calendar_are_refused(key: str, value: str) -> None:
    with pytest.raises(ScenarioError, match=r"horizon\.start: found .*1900-01-01 to 2100-12-31"):
        scenario_from_data(data_with(key, dt.date.fromisoformat(value)))


def test_a_horizon_must_end_inside_the_calendar() -> None:
    with pytest.raises(ScenarioError, match=r"horizon: the horizon ends on 2101-01-0\d, expected"):
        scenario_from_data(data_with("horizon.start", dt.date(2100, 12, 28)))


def test_surge_and_roster_dates_are_checked_too() -> None:
    surge = {"start": dt.datetime(1, 1, 1, 9), "hours": 4, "multiplier": 2}
    with pytest.raises(ScenarioError, match=r"demand\.surges\[0\]\.start: found 0001-01-01"):
        scenario_from_data(data_with("demand.surges", [surge]))
    entry = {"agent": "a", "date": dt.date(9999, 1, 1), "start": "08:00", "hours": 8}
    with pytest.raises(ScenarioError, match=r"teams\[0\]\.roster\[0\]\.date: found 9999-01-01"):
        scenario_from_data(data_with("teams.0.roster", [entry]))


@pytest.mark.parametrize(
    ("start", "weeks"), [(EARLIEST_DATE, 1), (LATEST_DATE - dt.timedelta(days=6), 1)]
)
def test_the_calendar_edges_run(start: dt.date, weeks: float) -> None:
    data = data_with("horizon.start", start)
    data["horizon"]["weeks"] = weeks
    data["demand"]["streams"][0]["tickets_per_week"] = 200
    data["demand"]["streams"][0]["country"] = "US"
    scenario = scenario_from_data(data)
    result = run_replication(scenario, 1)
    assert len(result.tickets.arrival) > 0
    assert horizon_origin(scenario).date() == start
    # The holiday calendar still answers on both edges: 1900-01-01 is New Year's Day and
    # 2100-12-25 Christmas Day in the US.
    assert start in holiday_dates("US", start, start)
