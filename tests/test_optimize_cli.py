"""optimize end to end on the two-site week: outputs, an independent labour-rule check of
roster.csv, refusals with exit 2, and --verify's rounds."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import icalendar
import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from conftest import SOLVE_RECORD_KEYS
from scipy.stats import binomtest
from test_cli import run_cli
from test_plan import RULES, TWO_SITES, check_roster

from optimizer.verify import _score, goals_hold, wilson_upper


def _write(tmp: Path, data: dict[str, Any], name: str = "two_sites.yaml") -> Path:
    path = tmp / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


@pytest.fixture(scope="module")
def scenario_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The two sites with four people in Manila: too few for its English chat, so the plan
    is short and says how many people would do."""
    data = copy.deepcopy(TWO_SITES)
    data["teams"][1]["agents"] = 4
    return _write(tmp_path_factory.mktemp("scenario"), data)


@pytest.fixture(scope="module")
def optimized(scenario_file: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("optimize")
    result = run_cli("optimize", str(scenario_file), "--out", str(out), "--replications", "1")
    assert result.returncode == 0, result.stderr
    assert "optimize two-sites: short" in result.stdout
    return out


def test_optimize_writes_every_output(optimized: Path) -> None:
    for name in (
        "requirements.csv",
        "schedule.csv",
        "roster.csv",
        "coverage.csv",
        "optimize.json",
        "scenario.optimized.yaml",
        "summary.json",
        "report.html",
        "roster_grid.csv",
        "roster.xlsx",
    ):
        assert (optimized / name).stat().st_size > 0, name
    report = json.loads((optimized / "optimize.json").read_text())
    assert report["publication_problems"] == []
    assert report["status"] == "short"
    for solve in report["solves"]:
        assert set(solve) >= SOLVE_RECORD_KEYS
    assert report["verified"] is False
    assert report["simulated"]["attainment"] is not None
    assert {h["team"] for h in report["headcount"]} == {"dublin", "manila"}
    manila = next(h for h in report["headcount"] if h["team"] == "manila")
    assert manila["needed"] > manila["agents"] == 4
    # Misses are named with how far they fall short.
    for miss in report["simulated"]["queues_missing_goal"]:
        assert miss["short_by"] >= 0 or miss["ci_low"] < miss["goal"]


def test_the_published_grid_workbook_and_calendars_agree_with_roster_csv(optimized: Path) -> None:
    roster = pd.read_csv(optimized / "roster.csv")
    grid = pd.read_csv(optimized / "roster_grid.csv")
    assert len(grid) == 14  # every person, with or without shifts
    book = openpyxl.load_workbook(optimized / "roster.xlsx", read_only=True)
    assert {"dublin", "manila"} <= set(book.sheetnames)
    calendars = sorted((optimized / "calendars").glob("*.ics"))
    assert len(calendars) == 14
    events = 0
    for path in calendars:
        cal = icalendar.Calendar.from_ical(path.read_bytes())
        for event in cal.walk("VEVENT"):
            events += 1
            start = event.decoded("dtstart")
            assert start.tzinfo is not None
    assert events == len(roster)
    # A Manila shift reads in Manila's local time in the grid.
    first = roster[roster["team"] == "manila"].iloc[0]
    cell = grid.loc[grid["person"] == first["agent"], first["date"]].item()
    assert cell.startswith(first["start"][11:16])


def test_roster_csv_keeps_every_labour_rule(optimized: Path) -> None:
    roster = pd.read_csv(optimized / "roster.csv")
    assert not roster.empty
    assert roster["start"].str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$").all()
    assert check_roster(optimized / "roster.csv", RULES) == []


def test_optimized_scenario_is_accepted_by_simulate(optimized: Path, tmp_path: Path) -> None:
    result = run_cli(
        "simulate",
        str(optimized / "scenario.optimized.yaml"),
        "--out",
        str(tmp_path),
        "--replications",
        "1",
    )
    assert result.returncode == 0, result.stderr


def test_optimize_without_optimize_teams_exits_2(tmp_path: Path) -> None:
    data = copy.deepcopy(TWO_SITES)
    for team in data["teams"]:
        team["shifts"] = [{"days": "Mon-Fri", "start": "08:00", "hours": 8}]
    result = run_cli("optimize", str(_write(tmp_path, data)), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "shifts: optimize" in result.stderr and "Traceback" not in result.stderr


def test_bad_time_limit_exits_2(scenario_file: Path, tmp_path: Path) -> None:
    result = run_cli("optimize", str(scenario_file), "--time-limit", "-3", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "expected a positive number" in result.stderr


@pytest.mark.parametrize("command", ["validate", "optimize"])
def test_contradictory_labour_rules_exit_2_before_any_solve(command: str, tmp_path: Path) -> None:
    data = copy.deepcopy(TWO_SITES)
    data["labor_rules"]["min_hours_per_week"] = 60  # with a maximum of 40
    out = ["--out", str(tmp_path / "o")] if command == "optimize" else []
    result = run_cli(command, str(_write(tmp_path, data)), *out)
    assert result.returncode == 2
    assert "min_hours_per_week" in result.stderr and "Traceback" not in result.stderr
    assert not (tmp_path / "o").exists()


def test_wilson_upper_bound_matches_scipy() -> None:
    met, n = np.array([80, 3, 50, 199]), np.array([100, 4, 50, 200])
    expected = [
        binomtest(int(k), int(m)).proportion_ci(0.95, method="wilson").high
        for k, m in zip(met, n, strict=True)
    ]
    # 80 of 100: (0.8 + z²/200 + z·sqrt(0.0016 + z²/40000)) / (1 + z²/100) = 0.8666.
    assert expected[0] == pytest.approx(0.8666, abs=1e-4)
    np.testing.assert_allclose(wilson_upper(met, n), expected, rtol=1e-9)


def _run_with(queues: list[tuple[str, str, float, float]], cost: float) -> Any:
    """A stand-in RunOutput: queues as (language, channel, attainment, lower CI end)."""
    by_queue = [
        {
            "language": lang,
            "channel": ch,
            "tier": 1,
            "goal": 0.8,
            "attainment": att,
            "attainment_ci95": [lo, min(1.0, 2 * att - lo)],
        }
        for lang, ch, att, lo in queues
    ]
    met = sum(1 for *_, lo in queues if lo >= 0.8)
    mean = sum(att for _, _, att, _ in queues) / len(queues)
    return SimpleNamespace(
        summary={
            "by_queue": by_queue,
            "sla": {"queues_meeting_goal": met, "attainment": mean},
            "cost": {"per_week": cost},
        }
    )


def test_verify_stops_when_the_goals_it_can_act_on_hold_and_prefers_cheaper_rounds() -> None:
    run = _run_with([("en", "phone", 0.90, 0.85), ("es", "phone", 0.79, 0.77)], 1000.0)
    assert not goals_hold(run)  # es/phone's interval reaches down to 0.77 < 0.80
    assert goals_hold(run, {"en/phone"})  # the only group an optimized team serves
    assert not goals_hold(run, {"en/phone", "es/phone"})
    # Same goals met: the cheaper round wins even with lower attainment.
    dear = _run_with([("en", "phone", 0.95, 0.90), ("es", "phone", 0.79, 0.77)], 1100.0)
    assert _score(run) > _score(dear)
    # One more goal met beats any saving.
    both = _run_with([("en", "phone", 0.90, 0.85), ("es", "phone", 0.85, 0.81)], 5000.0)
    assert _score(both) > _score(run)


@pytest.mark.slow
def test_verify_keeps_its_best_round_and_says_why_it_stopped(tmp_path: Path) -> None:
    data = copy.deepcopy(TWO_SITES)
    data["teams"][1]["agents"] = 14
    result = run_cli(
        "optimize",
        str(_write(tmp_path, data)),
        "--verify",
        "--rounds",
        "2",
        "--replications",
        "2",
        "--workers",
        "1",
        "--out",
        str(tmp_path / "o"),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "o" / "optimize.json").read_text())
    assert 1 <= len(report["rounds"]) <= 2
    assert report["stop_reason"]
    assert sum(r["kept"] for r in report["rounds"]) == 1
    kept = next(r for r in report["rounds"] if r["kept"])
    assert report["kept_round"] == kept["round"]
    assert report["correction_cost_per_week"] == pytest.approx(
        kept["cost_per_week"] - report["rounds"][0]["cost_per_week"]
    )
    # Verified only when every goal holds; otherwise the misses are named.
    simulated = report["simulated"]
    if report["verified"]:
        assert simulated["goal_met"]
    else:
        assert simulated["queues_missing_goal"]
