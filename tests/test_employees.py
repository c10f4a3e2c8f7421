"""Named employees, team rules and contracts: read inline or from a CSV file, refused with
one clear sentence when wrong, and kept by the plan (nobody works a day they cannot, each
contract's hours hold, preferences are counted)."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
import yaml
from test_cli import run_cli
from test_plan import RULES, TWO_SITES, check_roster

from optimizer.plan import Plan, optimize_scenario
from scenarios import ScenarioError, load_scenario, scenario_from_data

DUBLIN = [
    {"name": "Aoife", "team": "dublin", "time_off": [{"from": "2026-03-04", "to": "2026-03-05"}]},
    {"name": "Brian", "team": "dublin", "unavailable": ["Sun", "2026-03-02"]},
    {"name": "Ciara", "team": "dublin", "contract": "16-24", "languages": ["en"]},
    {"name": "Dara", "team": "dublin", "prefers": {"days_off": "Sat-Sun"}},
    {"name": "Eimear", "team": "dublin", "prefers": {"earliest_start": "08:00",
                                                      "latest_start": "12:00"}},
    {"name": "Fionn", "team": "dublin"},
    {"name": "Grainne", "team": "dublin"},
    {"name": "Hugh", "team": "dublin", "languages": ["de"], "channels": ["email"]},
    {"name": "Isolde", "team": "dublin"},
    {"name": "Jack", "team": "dublin"},
]  # fmt: skip


def _with_employees(employees: Any) -> dict[str, Any]:
    data = copy.deepcopy(TWO_SITES)
    data["employees"] = employees
    del data["teams"][0]["agents"]  # counted from the employees
    return data


def test_inline_employees_name_the_teams_people() -> None:
    scenario = scenario_from_data(_with_employees(copy.deepcopy(DUBLIN)))
    dublin, manila = scenario.teams
    assert dublin.agents == 10
    assert [p.name for p in scenario.team_employees(dublin)][:2] == ["Aoife", "Brian"]
    assert next(p.name for p in scenario.team_employees(manila)) == "manila-001"
    ciara = scenario.team_employees(dublin)[2]
    rules = scenario.rules_for_employee(dublin, ciara)
    assert (rules.min_hours_per_week, rules.max_hours_per_week) == (16, 24)
    assert rules.min_rest_hours == RULES["min_rest_hours"]  # the rest stay the team's
    aoife = scenario.team_employees(dublin)[0]
    assert aoife.time_off[0].dates() == [dt.date(2026, 3, 4), dt.date(2026, 3, 5)]


def test_employees_from_a_csv_file_beside_the_scenario(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text(
        "name,team,contract,unavailable,time_off,prefers_days_off\n"
        "Aoife,dublin,30-40,,2026-03-04..2026-03-05,\n"
        "Brian,dublin,,Sun;2026-03-02,,Sat\n" + "".join(f"P{k},dublin,,,,\n" for k in range(8))
    )
    data = _with_employees("people.csv")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(data, sort_keys=False))
    scenario = load_scenario(tmp_path / "s.yaml")
    people = scenario.team_employees(scenario.teams[0])
    assert len(people) == scenario.teams[0].agents == 10
    assert people[0].contract is not None and people[0].contract.min_hours_per_week == 30
    assert people[0].time_off[0].to == dt.date(2026, 3, 5)
    assert people[1].unavailable == [6, dt.date(2026, 3, 2)]  # Sunday is weekday 6


def test_team_rules_override_the_scenarios_key_by_key() -> None:
    data = copy.deepcopy(TWO_SITES)
    data["teams"][1]["labor_rules"] = {"max_hours_per_week": 48, "max_consecutive_days": 6}
    data["teams"][1]["contracts"] = [{"agents": 3, "min_hours_per_week": 20,
                                      "max_hours_per_week": 30}]  # fmt: skip
    scenario = scenario_from_data(data)
    manila = scenario.teams[1]
    rules = scenario.rules_for(manila)
    assert (rules.max_hours_per_week, rules.max_consecutive_days) == (48, 6)
    assert rules.min_rest_hours == RULES["min_rest_hours"]
    assert scenario.rules_for(scenario.teams[0]).max_hours_per_week == 40
    people = scenario.team_employees(manila)
    hours = [scenario.rules_for_employee(manila, p).max_hours_per_week for p in people]
    assert hours == [30, 30, 30] + [48] * 5


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda e: e[0].update(team="cork"), r"employees\[0\] \('Aoife'\): team 'cork' is unknown"),
        (
            lambda e: e[1].update(languages=["fr"]),
            r"employees\[1\] \('Brian'\): languages \['fr'\] are not among team 'dublin'",
        ),
        (
            lambda e: e[0].update(time_off=[{"from": "2026-05-01", "to": "2026-05-02"}]),
            r"time off 2026-05-01\.\.2026-05-02 lies outside the horizon",
        ),
        (lambda e: e[2].update(contract="40-30"), r"min_hours_per_week 40 is above"),
        (lambda e: e[3].update(name="Aoife"), r"the name repeats"),
    ],
)
def test_bad_employees_exit_2_with_one_sentence(change: Any, message: str, tmp_path: Path) -> None:
    employees = copy.deepcopy(DUBLIN)
    change(employees)
    path = tmp_path / "s.yaml"
    path.write_text(yaml.safe_dump(_with_employees(employees), sort_keys=False))
    with pytest.raises(ScenarioError, match=message):
        load_scenario(path)
    result = run_cli("validate", str(path))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1


def test_an_employees_file_missing_a_column_exits_2(tmp_path: Path) -> None:
    (tmp_path / "people.csv").write_text("name,languages\nAoife,en\n")
    (tmp_path / "s.yaml").write_text(yaml.safe_dump(_with_employees("people.csv")))
    result = run_cli("validate", str(tmp_path / "s.yaml"))
    assert result.returncode == 2
    assert "missing column(s) ['team']" in result.stderr and "Traceback" not in result.stderr


@pytest.fixture(scope="module")
def plan() -> Plan:
    return optimize_scenario(scenario_from_data(_with_employees(copy.deepcopy(DUBLIN))))


def test_nobody_works_a_day_they_cannot_and_contracts_hold(plan: Plan, tmp_path: Path) -> None:
    roster = plan.roster
    days = roster.groupby("agent")["date"].apply(set)
    assert not days["Aoife"] & {"2026-03-04", "2026-03-05"}
    sundays = {"2026-03-08"}
    assert not days["Brian"] & (sundays | {"2026-03-02"})
    hours = (
        (
            (pd.to_datetime(roster["end"], utc=True) - pd.to_datetime(roster["start"], utc=True))
            / pd.Timedelta(hours=1)
        )
        .groupby(roster["agent"])
        .sum()
    )
    assert 16 <= hours["Ciara"] <= 24
    # Skills: Hugh (German email only) is not rostered when only English chat is open.
    path = tmp_path / "roster.csv"
    roster.to_csv(path, index=False)
    assert check_roster(path, RULES) == []
    assert plan.violations == []


def test_preferences_are_counted(plan: Plan) -> None:
    prefs = plan.summary()["preferences"]
    # Dara's Saturday and Sunday, and one per shift Eimear works.
    eimear_shifts = int((plan.roster["agent"] == "Eimear").sum())
    assert prefs["asked"] == 2 + eimear_shifts
    assert 0 <= prefs["granted"] <= prefs["asked"]
    dara = set(plan.roster.loc[plan.roster["agent"] == "Dara", "date"])
    granted_days = 2 - len(dara & {"2026-03-07", "2026-03-08"})
    eimear = plan.roster.loc[plan.roster["agent"] == "Eimear", "start"].str.slice(11, 16)
    granted_starts = int(eimear.between("08:00", "12:00").sum())
    assert prefs["granted"] == granted_days + granted_starts
