"""The scenario language at the loader level: library files, value types, ``--set`` overrides,
round trips, and one test per kind of bad input (each message names the key path, the value
found and what was expected)."""

from __future__ import annotations

import copy
import datetime as dt
import warnings
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from scenarios import (
    LIBRARY,
    Scenario,
    ScenarioError,
    ScenarioWarning,
    apply_override,
    load_scenario,
    parse_yaml,
    read_scenario_data,
    scenario_from_data,
)
from scenarios.types import (
    format_days,
    format_duration,
    parse_days,
    parse_duration_minutes,
    parse_time_of_day,
)

DESIGN_EXAMPLE = Path(__file__).resolve().parent / "data" / "design_example.yaml"
LIBRARY_FILES = sorted(LIBRARY.glob("*.yaml"))

MINIMAL: dict[str, Any] = {
    "name": "minimal",
    "horizon": {"start": "2026-01-05", "weeks": 1},
    "demand": {
        "streams": [
            {
                "name": "en-email",
                "language": "en",
                "channel": "email",
                "region": "Europe/London",
                "tickets_per_week": 100,
            }
        ]
    },
    "service_levels": [{"channel": "email", "answer_within": "4h", "goal": 0.9}],
    "teams": [
        {
            "name": "dublin",
            "timezone": "Europe/Dublin",
            "agents": 3,
            "languages": ["en"],
            "channels": ["email"],
            "hourly_cost": 30,
            "shifts": [{"days": "Mon-Fri", "start": "09:00", "hours": 8}],
        }
    ],
}


def minimal() -> dict[str, Any]:
    return copy.deepcopy(MINIMAL)


def write(tmp_path: Path, content: dict[str, Any] | str) -> Path:
    path = tmp_path / "scenario.yaml"
    text = content if isinstance(content, str) else yaml.safe_dump(content, sort_keys=False)
    path.write_text(text, encoding="utf-8")
    return path


def load_quietly(path: Path, overrides: tuple[str, ...] = ()) -> Scenario:
    """Load a scenario and fail on any ScenarioWarning."""
    with warnings.catch_warnings():
        warnings.simplefilter("error", ScenarioWarning)
        return load_scenario(path, overrides)


# --------------------------------------------------------------------------- the library


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: p.name)
def test_library_scenario_loads_without_warnings(path: Path) -> None:
    scenario = load_quietly(path)
    assert path.read_text(encoding="utf-8").startswith("# "), "first line names the question"
    assert scenario.description.strip()


def test_library_has_the_documented_what_ifs() -> None:
    names = {p.stem for p in LIBRARY_FILES}
    assert {
        "baseline",
        "surge",
        "bot_deflection",
        "business_hours",
        "coverage_24x7",
        "add_language",
        "follow_the_sun",
        "single_site",
        "small_demo",
        "no_weekend_cover",
        "surge_month",
    } <= names


def _longest_run(days: tuple[int, ...]) -> int:
    """Longest run of consecutive weekdays, wrapping from Sunday to Monday."""
    if len(days) == 7:
        return 7
    best = 0
    for start in days:
        if (start - 1) % 7 in days:
            continue
        length = 0
        while (start + length) % 7 in days:
            length += 1
        best = max(best, length)
    return best


@pytest.mark.parametrize("path", LIBRARY_FILES, ids=lambda p: p.name)
def test_library_shifts_respect_their_own_labor_rules(path: Path) -> None:
    scenario = load_quietly(path)
    rules = scenario.labor_rules
    for team in scenario.teams:
        assigned = sum(s.agents for s in team.shifts if s.agents is not None)
        if team.shifts and all(s.agents is not None for s in team.shifts):
            assert assigned == team.agents, f"{team.name}: every agent is on a shift"
        for shift in team.shifts:
            where = f"{path.name}: {team.name} {format_days(shift.days)} {shift.start}"
            assert len(shift.days) * shift.hours <= rules.max_hours_per_week, where
            assert _longest_run(shift.days) <= rules.max_consecutive_days, where
            assert 7 - len(shift.days) >= rules.min_days_off_per_week, where
            start = int(shift.start[:2]) + int(shift.start[3:]) / 60
            night_hours = sum(
                1 for h in range(int(start), int(start + shift.hours)) if h % 24 >= 22 or h % 24 < 6
            )
            if night_hours >= 3:
                assert len(shift.days) <= rules.max_night_shifts_per_week, where


def test_baseline_is_a_global_operation_of_a_million_tickets_a_year() -> None:
    baseline = load_quietly(LIBRARY / "baseline.yaml")
    assert sum(s.tickets_per_week for s in baseline.demand.streams) * 52 >= 1_000_000
    assert len({t.timezone for t in baseline.teams}) >= 3
    assert len({s.language for s in baseline.demand.streams}) >= 4
    assert {s.channel for s in baseline.demand.streams} == {"email", "chat", "phone"}
    assert baseline.horizon.start == dt.date(2026, 1, 5) and baseline.horizon.weeks == 4
    assert baseline.demand.deflection == 0 and not baseline.demand.surges
    assert baseline.escalation is not None and baseline.routing.language_fallback


def _without(scenario: Scenario, *keys: str) -> dict[str, Any]:
    data = scenario.to_data()
    for key in ("name", "description", *keys):
        data.pop(key, None)
    return data


def test_one_change_variants_differ_from_the_baseline_only_in_that_change() -> None:
    baseline = load_quietly(LIBRARY / "baseline.yaml")
    surge = load_quietly(LIBRARY / "surge.yaml")
    bot = load_quietly(LIBRARY / "bot_deflection.yaml")
    base_data = _without(baseline)

    surge_data = _without(surge)
    assert [s.multiplier for s in surge.demand.surges] == [1.9]
    assert surge.demand.surges[0].hours == 48
    surge_data["demand"]["surges"] = base_data["demand"]["surges"]
    assert surge_data == base_data

    bot_data = _without(bot)
    assert bot.demand.deflection == pytest.approx(0.33)
    bot_data["demand"]["deflection"] = baseline.demand.deflection
    assert bot_data == base_data


@pytest.mark.parametrize(
    ("file", "variant"),
    [
        ("surge_month", "surge month: demand.scale=1.9"),
        (
            "no_weekend_cover",
            "no weekends: teams[*].shifts[*].days=Mon-Fri; teams[*].shifts[*].hours=8",
        ),
    ],
)
def test_library_what_ifs_are_the_baseline_with_the_variant_they_name(
    file: str, variant: str
) -> None:
    """Each file equals the baseline with the compare --variant its description gives."""
    from scenarios import parse_variant, read_scenario_data, scenario_from_data

    scenario = load_quietly(LIBRARY / f"{file}.yaml")
    assert variant in " ".join(scenario.description.split())
    _, overrides = parse_variant(variant)
    varied = scenario_from_data(read_scenario_data(LIBRARY / "baseline.yaml"), "test", overrides)
    assert _without(scenario) == _without(varied)


def test_no_weekend_cover_keeps_head_count_and_hours_but_not_weekends() -> None:
    baseline = load_quietly(LIBRARY / "baseline.yaml")
    weekdays = load_quietly(LIBRARY / "no_weekend_cover.yaml")
    assert [t.agents for t in weekdays.teams] == [t.agents for t in baseline.teams]
    for team in weekdays.teams:
        for shift in team.shifts:
            assert set(shift.days) == {0, 1, 2, 3, 4} and shift.hours == 8


def test_add_language_keeps_the_baseline_and_adds_streams_and_teams() -> None:
    baseline = load_quietly(LIBRARY / "baseline.yaml")
    extended = load_quietly(LIBRARY / "add_language.yaml")
    new_languages = {s.language for s in extended.demand.streams} - {
        s.language for s in baseline.demand.streams
    }
    assert len(new_languages) == 1
    assert all(stream in extended.demand.streams for stream in baseline.demand.streams)
    (language,) = new_languages
    assert any(t.tier == 1 and language in t.languages for t in extended.teams)


@pytest.mark.parametrize(
    ("first", "second"),
    [("follow_the_sun", "single_site"), ("business_hours", "coverage_24x7")],
)
def test_compared_pairs_share_their_demand(first: str, second: str) -> None:
    a = load_quietly(LIBRARY / f"{first}.yaml")
    b = load_quietly(LIBRARY / f"{second}.yaml")
    assert a.demand == b.demand
    assert a.service_levels == b.service_levels
    assert a.costs == b.costs and a.labor_rules == b.labor_rules


def test_design_example_loads() -> None:
    scenario = load_quietly(DESIGN_EXAMPLE)
    assert scenario.name == "global-saas-baseline"
    assert scenario.service_levels[0].answer_within == pytest.approx(1 / 3)
    assert scenario.routing.language_fallback[0].after == 60
    assert scenario.teams[0].shifts[0].days == (0, 1, 2, 3, 4)
    assert scenario.teams[1].optimize_shifts and not scenario.teams[1].shifts
    assert scenario.demand.surges[0].start == dt.datetime(2026, 1, 12, 9, 0)


# --------------------------------------------------------------------------- value types


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("20s", 1 / 3),
        ("4h", 240),
        ("1h30m", 90),
        ("60m", 60),
        ("45min", 45),
        ("20sec", 1 / 3),
        ("2d", 2880),
        (15, 15),
    ],
)
def test_durations_are_minutes(text: str | int, minutes: float) -> None:
    assert parse_duration_minutes(text) == pytest.approx(minutes)


@pytest.mark.parametrize(
    ("minutes", "text"), [(1 / 3, "20s"), (240, "4h"), (90, "90m"), (1440, "1d"), (0.75, "45s")]
)
def test_durations_are_written_in_the_largest_whole_unit(minutes: float, text: str) -> None:
    assert format_duration(minutes) == text


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Mon-Fri", (0, 1, 2, 3, 4)),
        ("Sat,Sun", (5, 6)),
        ("Fri-Mon", (0, 4, 5, 6)),
        ("Mon-Sun", (0, 1, 2, 3, 4, 5, 6)),
        ("Mon,Wed,Fri", (0, 2, 4)),
        (["Tue", "Thu"], (1, 3)),
    ],
)
def test_days(text: str | list[str], days: tuple[int, ...]) -> None:
    assert parse_days(text) == days


def test_times_of_day_are_zero_padded_even_when_unquoted_in_yaml() -> None:
    assert parse_time_of_day("9:00") == "09:00"
    # YAML 1.1 would read 9:00 as the base-60 integer 540; the loader keeps it as text.
    assert parse_yaml("start: 9:00", "test") == {"start": "9:00"}
    data = minimal()
    data["teams"][0]["shifts"][0]["start"] = "9:00"
    text = yaml.safe_dump(data, sort_keys=False).replace("'9:00'", "9:00")
    assert "start: 9:00" in text
    scenario = scenario_from_data(parse_yaml(text, "test"))
    assert scenario.teams[0].shifts[0].start == "09:00"


@given(st.integers(min_value=0, max_value=10 * 86400))
def test_duration_round_trip(seconds: int) -> None:
    minutes = seconds / 60
    assert parse_duration_minutes(format_duration(minutes)) == pytest.approx(minutes, abs=1e-9)


def test_duration_round_trip_of_long_odd_durations() -> None:
    minutes = 1_000_030 / 60
    assert parse_duration_minutes(format_duration(minutes)) == pytest.approx(minutes)


@given(st.sets(st.integers(min_value=0, max_value=6), min_size=1))
def test_days_round_trip(days: set[int]) -> None:
    ordered = tuple(sorted(days))
    assert parse_days(format_days(ordered)) == ordered


# --------------------------------------------------------------------------- overrides


def test_override_sets_a_value_parsed_as_yaml() -> None:
    data = minimal()
    apply_override(data, "demand.deflection=0.3")
    apply_override(data, "teams[0].languages=[en, fr]")
    apply_override(data, "service_levels[0].answer_within=30m")
    assert data["demand"]["deflection"] == 0.3
    assert data["teams"][0]["languages"] == ["en", "fr"]
    scenario = scenario_from_data(data)
    assert scenario.service_levels[0].answer_within == 30


def test_override_selects_list_items_by_name_and_index() -> None:
    scenario = load_quietly(
        DESIGN_EXAMPLE,
        overrides=(
            "teams.dublin.agents=20",
            "teams[1].agents=25",
            "demand.streams.de-chat.tickets_per_week=900",
        ),
    )
    assert [t.agents for t in scenario.teams[:2]] == [20, 25]
    assert scenario.demand.streams[1].tickets_per_week == 900


def test_override_is_validated_again() -> None:
    with pytest.raises(ScenarioError, match=r"teams\[0\]\.agents: found -3, expected"):
        load_scenario(DESIGN_EXAMPLE, overrides=["teams.dublin.agents=-3"])


def test_planning_choices_are_set_and_checked() -> None:
    scenario = load_scenario(
        DESIGN_EXAMPLE,
        overrides=["planning.weekly_hours_margin=0.05", "planning.mip_gap=0.02"],
    )
    assert scenario.planning.weekly_hours_margin == 0.05
    assert scenario.planning.mip_gap == 0.02
    assert load_scenario(DESIGN_EXAMPLE).planning.weekly_hours_margin == 0.025
    with pytest.raises(
        ScenarioError, match=r"planning\.weekly_hours_margin: found 0\.7, expected .*0\.5"
    ):
        load_scenario(DESIGN_EXAMPLE, overrides=["planning.weekly_hours_margin=0.7"])


def test_override_of_an_unknown_key_is_an_error() -> None:
    with pytest.raises(ScenarioError, match=r"horizon: unknown key 'wekks' \(expected"):
        load_scenario(DESIGN_EXAMPLE, overrides=["horizon.wekks=3"])


def test_override_with_a_bad_path() -> None:
    with pytest.raises(
        ScenarioError,
        match=r"--set 'teams\.nowhere\.agents=3': teams has no item named 'nowhere' "
        r"\(expected one of \['dublin', 'manila', 'tier2'\]\)",
    ):
        load_scenario(DESIGN_EXAMPLE, overrides=["teams.nowhere.agents=3"])


def test_override_without_equals_sign() -> None:
    with pytest.raises(ScenarioError, match=r"--set 'horizon\.weeks': no '=' found \(expected KEY"):
        apply_override(minimal(), "horizon.weeks")


def test_override_index_out_of_range() -> None:
    with pytest.raises(ScenarioError, match=r"teams has 1 items, index 4 is out of range"):
        apply_override(minimal(), "teams[4].agents=2")


# --------------------------------------------------------------------------- round trip


@pytest.mark.parametrize("path", [*LIBRARY_FILES, DESIGN_EXAMPLE], ids=lambda p: p.name)
def test_to_data_round_trips_through_yaml(path: Path) -> None:
    scenario = load_quietly(path)
    text = yaml.safe_dump(scenario.to_data(), sort_keys=False, allow_unicode=True)
    again = scenario_from_data(parse_yaml(text, "round trip"))
    assert again == scenario


# --------------------------------------------------------------------------- bad input


def expect_error(tmp_path: Path, data: dict[str, Any] | str, pattern: str) -> None:
    path = write(tmp_path, data)
    with pytest.raises(ScenarioError, match=pattern):
        load_scenario(path)


def test_yaml_syntax_error_names_the_line(tmp_path: Path) -> None:
    text = "name: x\nhorizon: {start: 2026-01-05, weeks: 2\nseed: 1\n"
    expect_error(
        tmp_path, text, r"scenario '.*scenario\.yaml': line 3, column \d+: YAML syntax error"
    )


def test_duplicate_key(tmp_path: Path) -> None:
    text = yaml.safe_dump(minimal(), sort_keys=False) + "name: again\n"
    expect_error(
        tmp_path, text, r"line \d+, column 1: .*key 'name' appears twice .*expected each key once"
    )


def test_unknown_key(tmp_path: Path) -> None:
    data = minimal()
    data["horizon"]["wekks"] = 2
    expect_error(
        tmp_path, data, r"horizon: unknown key 'wekks' \(expected one of the documented keys"
    )


def test_wrong_type(tmp_path: Path) -> None:
    data = minimal()
    data["teams"][0]["agents"] = "many"
    expect_error(
        tmp_path, data, r"teams\[0\]\.agents: found 'many', expected .*(integer|whole number)"
    )


def test_negative_volume(tmp_path: Path) -> None:
    data = minimal()
    data["demand"]["streams"][0]["tickets_per_week"] = -5
    expect_error(
        tmp_path,
        data,
        r"demand\.streams\[0\]\.tickets_per_week: found -5, "
        r"expected .*(greater than or equal to 0|at least 0)",
    )


def test_unknown_time_zone(tmp_path: Path) -> None:
    data = minimal()
    data["teams"][0]["timezone"] = "Europe/Dubln"
    expect_error(
        tmp_path,
        data,
        r"teams\[0\]\.timezone: unknown time zone 'Europe/Dubln' "
        r"\(expected an IANA name such as 'Europe/Dublin'\)",
    )


def test_unknown_country(tmp_path: Path) -> None:
    data = minimal()
    data["demand"]["streams"][0]["country"] = "XX"
    expect_error(
        tmp_path,
        data,
        r"demand\.streams\[0\]\.country: unknown country 'XX' \(expected an ISO 3166 code",
    )


def test_goal_above_one(tmp_path: Path) -> None:
    data = minimal()
    data["service_levels"][0]["goal"] = 1.2
    expect_error(
        tmp_path,
        data,
        r"service_levels\[0\]\.goal: found 1\.2, expected .*(less than or equal to 1|at most 1)",
    )


def test_team_without_languages(tmp_path: Path) -> None:
    data = minimal()
    data["teams"][0]["languages"] = []
    expect_error(tmp_path, data, r"teams\[0\]\.languages: found \[\], expected .*at least 1 item")


def test_bad_duration(tmp_path: Path) -> None:
    data = minimal()
    data["service_levels"][0]["answer_within"] = "4 fortnights"
    expect_error(
        tmp_path,
        data,
        r"service_levels\[0\]\.answer_within: found '4 fortnights', "
        r"expected a duration such as '20s'",
    )


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(
        ScenarioError, match=r"scenario '.*nowhere\.yaml': file not found \(expected a readable"
    ):
        load_scenario(tmp_path / "nowhere.yaml")


def test_shift_starting_at_25_00(tmp_path: Path) -> None:
    data = minimal()
    data["teams"][0]["shifts"][0]["start"] = "25:00"
    expect_error(
        tmp_path,
        data,
        r"teams\[0\]\.shifts\[0\]\.start: found '25:00', "
        r"expected a time of day 'HH:MM' from 00:00 to 23:59",
    )


def test_bad_days(tmp_path: Path) -> None:
    data = minimal()
    data["teams"][0]["shifts"][0]["days"] = "Mon-Fry"
    expect_error(
        tmp_path, data, r"teams\[0\]\.shifts\[0\]\.days: found 'Mon-Fry', expected weekdays such as"
    )


def test_profile_with_six_rows(tmp_path: Path) -> None:
    data = minimal()
    data["demand"]["streams"][0]["profile"] = [[1.0] * 24] * 6
    expect_error(
        tmp_path,
        data,
        r"demand\.streams\[0\]\.profile: .*expected .*7 rows of 24 weights, Monday first",
    )


def test_priority_mix_not_summing_to_one(tmp_path: Path) -> None:
    data = minimal()
    data["demand"]["streams"][0]["priority_mix"] = {"normal": 0.5, "urgent": 0.1}
    expect_error(
        tmp_path,
        data,
        r"demand\.streams\[0\]\.priority_mix: shares sum to 0\.6, expected them to sum to 1",
    )


def test_escalation_to_a_tier_no_team_has(tmp_path: Path) -> None:
    data = read_scenario_data(DESIGN_EXAMPLE)
    data["teams"] = [t for t in data["teams"] if t.get("tier", 1) == 1]
    expect_error(
        tmp_path,
        data,
        r"escalation\.to_tier is 2, but no team has that tier \(expected a team with tier: 2\)",
    )


def test_stream_nobody_answers_is_a_warning(tmp_path: Path) -> None:
    data = minimal()
    data["demand"]["streams"].append(
        {
            "name": "fr-email",
            "language": "fr",
            "channel": "email",
            "region": "Europe/Paris",
            "tickets_per_week": 50,
        }
    )
    with pytest.warns(
        ScenarioWarning, match=r"stream 'fr-email': no team answers language 'fr' on email"
    ):
        scenario = load_scenario(write(tmp_path, data))
    assert len(scenario.demand.streams) == 2


def test_language_fallback_silences_the_warning(tmp_path: Path) -> None:
    data = minimal()
    data["demand"]["streams"][0]["language"] = "ga"
    data["routing"] = {"language_fallback": [{"from": "ga", "to": "en", "after": "2h"}]}
    load_quietly(write(tmp_path, data))
