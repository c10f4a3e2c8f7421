"""Values that are not numbers, absurd sizes and calendar edges: each is refused with a
message naming the key path, what was found and what was expected, and the edges of the
accepted range really run."""

from __future__ import annotations

import copy
import datetime as dt
import math
import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE

from scenarios import ScenarioError, ScenarioWarning, read_scenario_data, scenario_from_data
from scenarios.calendar import holiday_dates, horizon_origin
from scenarios.loader import MAX_PROBLEMS, MAX_YAML_DEPTH
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


# --------------------------------------------------------------------------- YAML limits


def write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "scenario.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_an_alias_bomb_is_refused_where_it_crosses_the_limit(tmp_path: Path) -> None:
    lines = ["a0: &a0 [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]"]
    for i in range(1, 10):  # 10**10 values if expanded
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 10)}]")
    with pytest.raises(
        ScenarioError, match=r"line 5, column \d+: aliases expand to more than 100,000 values"
    ):
        read_scenario_data(write(tmp_path, "\n".join(lines)))


def test_a_few_aliases_are_fine(tmp_path: Path) -> None:
    text = yaml.safe_dump(BASE, sort_keys=False)
    text = text.replace("  shifts:\n", "  shifts: &day\n", 1) + "x_shifts: *day\n"
    data = read_scenario_data(write(tmp_path, text))
    assert data["x_shifts"] == data["teams"][0]["shifts"]


def test_a_recursive_alias_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"alias \*a refers to a value that contains it"):
        read_scenario_data(write(tmp_path, "a: &a [1, *a]\n"))


@pytest.mark.parametrize("depth", [MAX_YAML_DEPTH + 1, 50_000])
def test_deep_nesting_is_refused(tmp_path: Path, depth: int) -> None:
    with pytest.raises(ScenarioError, match=r"line 1, column \d+: .*nest"):
        read_scenario_data(write(tmp_path, "a: " + "[" * depth + "]" * depth))


def test_nesting_through_an_alias_counts_too(tmp_path: Path) -> None:
    half = MAX_YAML_DEPTH // 2 + 2
    text = "a: &a " + "[" * half + "]" * half + "\nb: " + "[" * half + "*a" + "]" * half
    with pytest.raises(ScenarioError, match=r"alias \*a nests values deeper than 64 levels"):
        read_scenario_data(write(tmp_path, text))


def test_a_number_of_5000_digits_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"line 1, column 7: a number of 5,000 characters"):
        read_scenario_data(write(tmp_path, "seed: " + "7" * 5000))


def test_a_large_file_is_refused_before_it_is_parsed(tmp_path: Path) -> None:
    path = tmp_path / "large.yaml"
    with path.open("wb") as handle:  # sparse: 50 MB of zeros, never parsed
        handle.truncate(50_000_000)
    with pytest.raises(ScenarioError, match=r"larger than 10,000,000 bytes .*at most 10 MB"):
        read_scenario_data(path)


def test_bytes_that_are_not_utf8_are_named(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError, match=r"byte 6 is not UTF-8 text"):
        read_scenario_data(write(tmp_path, b"name: \xff\xfe"))


def test_a_mapping_as_a_key_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(
        ScenarioError, match=r"line 1, column 3: found a dict as a key \(expected a name\)"
    ):
        read_scenario_data(write(tmp_path, "? {a: 1}\n: 2\n"))


def test_huge_values_appear_only_as_excerpts(tmp_path: Path) -> None:
    data = copy.deepcopy(BASE)
    data["teams"][0]["timezone"] = "Europe/" + "x" * 100_000
    data["seed"] = "9" * 90
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data, "big")
    assert len(str(caught.value)) < 400


# --------------------------------------------------------------------------- messages


def test_every_problem_is_named_with_the_closest_key() -> None:
    data = copy.deepcopy(BASE)
    team = data["teams"][0]
    team["agnets"] = team.pop("agents")
    data["horizon"]["weeks"] = -1
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data, "s.yaml")
    lines = str(caught.value).splitlines()
    assert lines[0] == "s.yaml: 3 problems:"
    assert "  horizon.weeks: found -1, expected a number above 0" in lines
    assert "  teams[0].agents: missing required key" in lines
    assert (
        "  teams[0]: unknown key 'agnets' (expected one of the documented keys: "
        "did you mean 'agents'?)" in lines
    )


def test_one_problem_is_one_line() -> None:
    data = copy.deepcopy(BASE)
    data["horizon"]["wekks"] = 2
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data, "s.yaml")
    assert str(caught.value) == (
        "s.yaml: horizon: unknown key 'wekks' (expected one of the documented keys: "
        "did you mean 'weeks'?)"
    )


def test_at_most_a_dozen_problems_are_listed() -> None:
    data = copy.deepcopy(BASE)
    data["demand"]["streams"] = [{"name": f"s{i}"} for i in range(10)]
    with pytest.raises(ScenarioError) as caught:
        scenario_from_data(data, "s.yaml")
    lines = str(caught.value).splitlines()
    assert lines[0] == "s.yaml: 40 problems:"
    assert len(lines) == 1 + MAX_PROBLEMS + 1
    assert lines[-1] == "  (and 28 more)"


def test_unknown_key_without_a_close_match_lists_the_keys() -> None:
    data = copy.deepcopy(BASE)
    data["horizon"]["zzz"] = 1
    with pytest.raises(
        ScenarioError,
        match=r"horizon: unknown key 'zzz' \(expected one of the documented keys: start, "
        r"weeks, interval_minutes, timezone\)",
    ):
        scenario_from_data(data)


def test_a_surge_outside_the_horizon_is_a_warning() -> None:
    data = copy.deepcopy(BASE)
    data["demand"]["surges"] = [
        {"start": dt.datetime(2027, 1, 1, 9), "hours": 5, "multiplier": 2},
        {"start": dt.datetime(2026, 1, 4, 22), "hours": 5, "multiplier": 2},  # overlaps
    ]
    with pytest.warns(ScenarioWarning) as caught:
        scenario_from_data(data)
    messages = [str(w.message) for w in caught]
    assert messages == [
        "demand.surges[0]: 2027-01-01T09:00 for 5 h lies outside the horizon (2026-01-05 to "
        "2026-01-11 in UTC), so it changes nothing (move it into the horizon)"
    ]


def test_a_horizon_of_a_moment_is_one_day() -> None:
    """Weeks are rounded up to whole days: a positive sliver of a week is one day."""
    scenario = scenario_from_data(data_with("horizon.weeks", 1e-300))
    assert scenario.horizon.days == 1
    assert run_replication(scenario, 1).horizon_minutes == 1440
