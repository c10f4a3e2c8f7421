"""The whole plan on a small two-site week: its roster checked against every labour rule
from roster.csv alone (a checker written here, independent of the product's), the plan's
own accounts (coverage, status, head count), one answer for one input, and the optimized
scenario simulated inside the rostered shifts."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import SOLVE_RECORD_KEYS

from optimizer.plan import Plan, PlanEffort, optimize_scenario, start_time_stability
from optimizer.verify import goals_hold, simulate_plan
from scenarios import Scenario, scenario_from_data
from scenarios.calendar import horizon_origin
from sim.engine import run_replication

NIGHT_MINUTES = 180  # at least 3 h between 22:00 and 06:00 local makes a night shift

TWO_SITES: dict[str, Any] = {
    "name": "two-sites",
    "horizon": {"start": "2026-03-02", "weeks": 1, "interval_minutes": 60, "timezone": "UTC"},
    "seed": 5,
    "demand": {
        "streams": [
            {"name": "en-chat", "language": "en", "channel": "chat", "region": "Europe/London",
             "tickets_per_week": 1400, "profile": "extended_hours"},
            {"name": "de-email", "language": "de", "channel": "email",
             "region": "Europe/Berlin", "tickets_per_week": 500, "profile": "business_hours"},
            {"name": "us-chat", "language": "en", "channel": "chat",
             "region": "America/New_York", "tickets_per_week": 800,
             "profile": "extended_hours"},
        ]
    },
    "channels": {
        "chat": {"handle_minutes": {"mean": 10, "cv": 0.9}, "concurrency": 2},
        "email": {"handle_minutes": {"mean": 8, "cv": 1.0}},
    },
    "service_levels": [
        {"channel": "chat", "answer_within": "2m", "goal": 0.8},
        {"channel": "email", "answer_within": "4h", "goal": 0.9},
    ],
    "teams": [
        {"name": "dublin", "timezone": "Europe/Dublin", "agents": 10,
         "languages": ["en", "de"], "channels": ["chat", "email"], "hourly_cost": 30,
         "shifts": "optimize"},
        {"name": "manila", "timezone": "Asia/Manila", "agents": 8, "languages": ["en"],
         "channels": ["chat"], "hourly_cost": 12, "shifts": "optimize"},
    ],
    "shift_templates": {"starts_every": "2h", "lengths_hours": [8], "earliest": "06:00",
                        "latest": "20:00"},
    "shrinkage": 0.2,
    "labor_rules": {"max_hours_per_week": 40, "min_rest_hours": 11, "max_consecutive_days": 5,
                    "min_days_off_per_week": 2, "max_night_shifts_per_week": 2},
}  # fmt: skip
"""Two sites eight hours apart serving English chat round the clock and German email in
office hours; Manila has too few people for its share, so the plan is short there."""


@pytest.fixture(scope="module")
def scenario() -> Scenario:
    return scenario_from_data(copy.deepcopy(TWO_SITES))


@pytest.fixture(scope="module")
def plan(scenario: Scenario) -> Plan:
    return optimize_scenario(scenario)


@pytest.fixture(scope="module")
def roster_csv(plan: Plan, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("optimize") / "roster.csv"
    plan.roster.to_csv(path, index=False)
    return path


def _night_minutes(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Minutes between 22:00 and 06:00 on the shift's own (local) wall clock."""
    total = 0.0
    day = start.normalize() - pd.Timedelta(days=1)
    while day < end:
        lo, hi = day + pd.Timedelta(hours=22), day + pd.Timedelta(hours=30)
        total += max(0.0, (min(end, hi) - max(start, lo)) / pd.Timedelta(minutes=1))
        day += pd.Timedelta(days=1)
    return total


def check_roster(path: Path, rules: dict[str, float]) -> list[str]:
    """Every labour-rule violation found in a roster.csv (agent, team, date, start, end),
    the start and end read with their own UTC offsets (the team's local time)."""
    table = pd.read_csv(path)
    problems: list[str] = []
    for agent, rows in table.groupby("agent"):
        starts = [pd.Timestamp(s) for s in rows["start"]]
        ends = [pd.Timestamp(e) for e in rows["end"]]
        dates = [dt.date.fromisoformat(d) for d in rows["date"]]
        order = np.argsort([s.value for s in starts])
        starts = [starts[i] for i in order]
        ends = [ends[i] for i in order]
        dates = [dates[i] for i in order]
        if len(set(dates)) != len(dates):
            problems.append(f"{agent}: two shifts on one local day")
        for k, (s, d) in enumerate(zip(starts, dates, strict=True)):
            if s.date() != d:
                problems.append(f"{agent}: shift {k} starts on {s.date()}, dated {d}")
        for k in range(1, len(starts)):
            rest = (starts[k] - ends[k - 1]) / pd.Timedelta(hours=1)
            if rest < rules["min_rest_hours"] - 1e-9:
                problems.append(f"{agent}: {rest:g} h rest before {starts[k]}")
        run = 1
        for k in range(1, len(dates)):
            run = run + 1 if (dates[k] - dates[k - 1]).days == 1 else 1
            if run > rules["max_consecutive_days"]:
                problems.append(f"{agent}: {run} consecutive days to {dates[k]}")
        weeks: dict[dt.date, list[int]] = {}
        for k, d in enumerate(dates):
            weeks.setdefault(d - dt.timedelta(days=d.weekday()), []).append(k)
        for monday, ks in weeks.items():
            hours = sum((ends[k] - starts[k]) / pd.Timedelta(hours=1) for k in ks)
            if hours > rules["max_hours_per_week"] + 1e-9:
                problems.append(f"{agent}: {hours:g} h in the week of {monday}")
            if 7 - len(ks) < rules["min_days_off_per_week"]:
                problems.append(f"{agent}: {7 - len(ks)} days off in the week of {monday}")
            nights = sum(
                _night_minutes(starts[k].tz_localize(None), ends[k].tz_localize(None))
                >= NIGHT_MINUTES
                for k in ks
            )
            if nights > rules["max_night_shifts_per_week"]:
                problems.append(f"{agent}: {nights} night shifts in the week of {monday}")
    return problems


RULES = TWO_SITES["labor_rules"]


def test_roster_keeps_every_labour_rule(plan: Plan, roster_csv: Path) -> None:
    assert plan.status in ("complete", "short"), plan.status_words()
    table = pd.read_csv(roster_csv)
    assert list(table.columns) == ["agent", "team", "date", "start", "end", "breaks"]
    assert set(table["team"]) == {"dublin", "manila"}
    assert table["agent"].nunique() == 18
    manila = table[table["team"] == "manila"]
    assert manila["start"].str.endswith("+08:00").all()  # local time, with its offset
    assert check_roster(roster_csv, RULES) == []
    assert plan.violations == []


def test_checker_catches_a_broken_rule(roster_csv: Path, tmp_path: Path) -> None:
    table = pd.read_csv(roster_csv)
    row = table.iloc[0].copy()
    start = pd.Timestamp(row["end"]) + pd.Timedelta(hours=2)  # two hours of rest only
    row["start"], row["end"] = start.isoformat(), (start + pd.Timedelta(hours=8)).isoformat()
    row["date"] = start.date().isoformat()
    broken = tmp_path / "roster.csv"
    pd.concat([table, row.to_frame().T]).to_csv(broken, index=False)
    assert any("rest" in p for p in check_roster(broken, RULES))


def test_summary_reports_every_solve_and_says_where_the_plan_is_short(plan: Plan) -> None:
    summary = plan.summary()
    assert [s["stage"] for s in summary["solves"]] == [
        "schedule",
        "roster: dublin",
        "roster: manila",
    ]
    for solve in summary["solves"]:
        assert set(solve) >= SOLVE_RECORD_KEYS | {"message"}
    assert summary["status"] == plan.status
    assert summary["status_words"]
    assert summary["agents_rostered"] == 18
    assert summary["shifts_rostered"] == len(plan.roster)
    assert summary["cost"]["total"] == pytest.approx(plan.pay, abs=0.01)
    # Ten people in Dublin and eight in Manila cover every interval to within half an agent:
    # what is left are fractions, listed but not short.
    assert summary["status"] == "complete"
    assert 0 < plan.largest_shortfall <= 0.5
    assert summary["uncovered_agent_hours"] == pytest.approx(plan.uncovered_agent_hours)


def test_too_few_people_say_where_the_plan_is_short_and_how_many_would_do() -> None:
    data = copy.deepcopy(TWO_SITES)
    data["teams"][1]["agents"] = 4
    plan = optimize_scenario(scenario_from_data(data))
    summary = plan.summary()
    # Manila's four people cannot cover the English chat of its hours: the head count says
    # how many would, and what they would cost.
    assert summary["status"] == "short"
    assert plan.largest_shortfall > 0.5
    manila = next(h for h in plan.headcount if h.team == "manila")
    assert manila.needed > manila.agents == 4
    assert manila.extra_cost_per_week > 0
    assert "manila needs" in summary["status_words"]
    chat = next(u for u in plan.uncovered if u["group"] == "en/chat")
    assert "no more people" in chat["why"]


def test_coverage_and_uncovered_hours_agree(plan: Plan, scenario: Scenario) -> None:
    cov = plan.coverage
    hours = scenario.horizon.interval_minutes / 60
    assert cov["shortfall"].sum() * hours == pytest.approx(plan.uncovered_agent_hours, abs=0.05)
    assert (cov["scheduled"] >= -1e-9).all()
    assert np.allclose(cov["scheduled"] + cov["shortfall"], cov["required"], atol=1e-6)
    for u in plan.uncovered:
        assert u["agent_hours"] > 0 and u["why"]
    # German email's requirement reaches back to 04:00 UTC, before Dublin's first template.
    german = next(u for u in plan.uncovered if u["group"] == "de/email")
    assert "no shift template of dublin reaches" in german["why"]
    # Served agent-hours cannot exceed the rostered agents' paid hours.
    paid = sum(
        (pd.Timestamp(e) - pd.Timestamp(b)) / pd.Timedelta(hours=1)
        for b, e in zip(plan.roster["start"], plan.roster["end"], strict=True)
    )
    assert cov["scheduled"].sum() * hours <= paid


def test_people_keep_their_start_times(plan: Plan) -> None:
    stable = start_time_stability(plan.roster)
    assert stable["median_per_week"] <= 2
    local_start = plan.roster["start"].str.slice(11, 16)  # HH:MM of the local ISO time
    # Weeks counted from the first rostered date: a Manila shift that starts on the
    # horizon's last UTC evening falls on the next local Monday, a second person-week.
    dates = pd.to_datetime(plan.roster["date"])
    week = (dates - dates.min()).dt.days // 7
    per_person_week = local_start.groupby([plan.roster["agent"], week]).nunique()
    assert per_person_week.mean() == pytest.approx(stable["mean_per_week"], abs=1e-3)


def test_one_scenario_gives_one_plan_on_one_process_or_two(scenario: Scenario, plan: Plan) -> None:
    # The teams' rosters are solved in parallel processes by default; every budget is a
    # count, so one process gives the same roster.
    again = optimize_scenario(scenario, effort=PlanEffort(workers=1))
    pd.testing.assert_frame_equal(again.roster, plan.roster)
    assert again.pay == plan.pay


def test_optimized_scenario_simulates_inside_roster_shifts(plan: Plan) -> None:
    optimized = scenario_from_data(plan.optimized.to_data())
    for team in optimized.teams:
        assert not team.optimize_shifts and team.roster
    result = run_replication(optimized, seed=1)
    origin = horizon_origin(optimized)
    windows: dict[str, list[tuple[float, float]]] = {}
    for agent, start, end in zip(
        plan.roster["agent"], plan.roster["start"], plan.roster["end"], strict=True
    ):
        lo = (pd.Timestamp(start) - origin) / pd.Timedelta(minutes=1)
        hi = (pd.Timestamp(end) - origin) / pd.Timedelta(minutes=1)
        windows.setdefault(agent, []).append((lo, hi))
    names = result.staffing.agents["agent"].to_numpy()
    assert len(result.touch_agent) > 0
    for agent_index, begin in zip(result.touch_agent, result.touch_start, strict=True):
        agent = names[agent_index]
        assert any(lo - 1e-6 <= begin < hi for lo, hi in windows[agent]), (agent, begin)


def test_enough_people_give_a_complete_plan() -> None:
    data = copy.deepcopy(TWO_SITES)
    data["teams"][1]["agents"] = 14
    del data["demand"]["streams"][1]  # German email: its early hours lie before any template
    plan = optimize_scenario(scenario_from_data(data))
    assert plan.status == "complete", plan.status_words()
    assert plan.uncovered_agent_hours == 0
    assert plan.unstaffed_shifts == 0
    assert plan.headcount == []


UNDERSTAFFED: dict[str, Any] = {
    "name": "one-site",
    "horizon": {"start": "2026-03-02", "weeks": 1, "interval_minutes": 60,
                "timezone": "Europe/Dublin"},
    "seed": 3,
    "demand": {"streams": [{"name": "en-chat", "language": "en", "channel": "chat",
                            "region": "Europe/Dublin", "tickets_per_week": 1200,
                            "profile": "office_hours"}]},
    "channels": {"chat": {"handle_minutes": {"mean": 10, "cv": 0.9}, "concurrency": 2}},
    "service_levels": [{"channel": "chat", "answer_within": "2m", "goal": 0.8}],
    "teams": [{"name": "dublin", "timezone": "Europe/Dublin", "agents": 3, "max_agents": 12,
               "languages": ["en"], "channels": ["chat"], "hourly_cost": 30,
               "shifts": "optimize"}],
    "shift_templates": {"starts_every": "2h", "lengths_hours": [8], "earliest": "06:00",
                        "latest": "20:00"},
    "labor_rules": {"max_hours_per_week": 40, "min_rest_hours": 11, "max_consecutive_days": 5,
                    "min_days_off_per_week": 2},
}  # fmt: skip
"""One team planned by the optimizer, with three people for a week of chat open Mon-Fri
08:00-18:00: 1,200 chats of 10 minutes, two at a time, are 100 agent-hours in 50 open hours,
two agents busy on average before any answer target, over ten-hour days that eight-hour
shifts cover: three people at 40 hours cannot, so the head count asks for more."""


def test_the_head_count_it_names_gives_a_roster_that_meets_every_goal() -> None:
    data = copy.deepcopy(UNDERSTAFFED)
    sized = optimize_scenario(scenario_from_data(copy.deepcopy(data)), size_teams=True)
    (dublin,) = sized.headcount
    assert dublin.agents == 3 and dublin.needed > 3 and dublin.extra_cost_per_week > 0
    data["teams"][0]["agents"] = dublin.needed
    plan = optimize_scenario(scenario_from_data(data))
    assert plan.status == "complete", plan.status_words()
    run, _ = simulate_plan(plan, 3, 1)
    # Every queue's 95% interval lies above its goal (chat: 80% within 2 minutes).
    assert goals_hold(run)
    (chat,) = run.summary["by_queue"]
    assert chat["attainment_ci95"][0] >= 0.8
