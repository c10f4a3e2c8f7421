"""optimize end to end: outputs, an independent labour-rule check of roster.csv, --verify."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SOLVE_RECORD_KEYS
from optimizer.loop import wilson_upper
from test_cli import run_cli
from test_plan import check_roster

from scenarios import load_scenario

PLAN_DEMO = ROOT / "scenarios" / "library" / "plan_demo.yaml"


@pytest.fixture(scope="module")
def optimized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("optimize")
    result = run_cli(
        "optimize",
        str(PLAN_DEMO),
        "--out",
        str(out),
        "--time-limit",
        "30",
        "--replications",
        "1",
    )
    assert result.returncode == 0, result.stderr
    return out


def test_optimize_writes_every_output(optimized: Path) -> None:
    for name in (
        "requirements.csv",
        "schedule.csv",
        "roster.csv",
        "optimize.json",
        "scenario.optimized.yaml",
        "summary.json",
        "report.html",
    ):
        assert (optimized / name).stat().st_size > 0, name
    report = json.loads((optimized / "optimize.json").read_text())
    for solve in report["solves"]:
        assert set(solve) >= SOLVE_RECORD_KEYS
    assert report["simulated"]["attainment"] is not None
    # Misses are named with how far they fall short.
    for miss in report["simulated"]["queues_missing_goal"]:
        assert miss["short_by"] >= 0 or miss["ci_low"] < miss["goal"]


def test_roster_csv_keeps_every_labour_rule(optimized: Path) -> None:
    scenario = load_scenario(PLAN_DEMO)
    roster = pd.read_csv(optimized / "roster.csv")
    assert not roster.empty
    assert roster["start"].str.match(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$").all()
    assert check_roster(optimized / "roster.csv", scenario) == []


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
    result = run_cli(
        "optimize", str(ROOT / "tests" / "data" / "cli_small.yaml"), "--out", str(tmp_path)
    )
    assert result.returncode == 2
    assert "shifts: optimize" in result.stderr and "Traceback" not in result.stderr


def test_bad_time_limit_exits_2(tmp_path: Path) -> None:
    result = run_cli("optimize", str(PLAN_DEMO), "--time-limit", "-3", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "expected a positive number" in result.stderr


def test_wilson_upper_bound_matches_scipy() -> None:
    from scipy.stats import binomtest

    met, n = np.array([80, 3, 50, 199]), np.array([100, 4, 50, 200])
    expected = [
        binomtest(int(k), int(m)).proportion_ci(0.95, method="wilson").high
        for k, m in zip(met, n, strict=True)
    ]
    # 80 of 100: (0.8 + z²/200 + z·sqrt(0.0016 + z²/40000)) / (1 + z²/100) = 0.8666.
    assert expected[0] == pytest.approx(0.8666, abs=1e-4)
    np.testing.assert_allclose(wilson_upper(met, n), expected, rtol=1e-9)


@pytest.mark.slow
def test_verify_records_rounds_and_ends_with_goals_or_reasons(tmp_path: Path) -> None:
    result = run_cli(
        "optimize",
        str(PLAN_DEMO),
        "--verify",
        "--rounds",
        "2",
        "--time-limit",
        "20",
        "--replications",
        "2",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 0, result.stderr
    report = json.loads((tmp_path / "optimize.json").read_text())
    assert report["verified"] is True
    assert 1 <= len(report["rounds"]) <= 2
    assert report["stop_reason"]
    for record in report["rounds"]:
        assert {
            "round",
            "cost_per_week",
            "attainment",
            "queues_meeting_goal",
            "agent_intervals_added",
        } <= set(record)
    simulated = report["simulated"]
    # Either every goal holds, or the misses are named with their shortfall.
    assert simulated["goal_met"] or simulated["queues_missing_goal"]


def _run_with(queues: list[tuple[str, str, float, float]], cost: float) -> SimpleNamespace:
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
    from optimizer.loop import _goals_hold, _score

    run = _run_with([("en", "phone", 0.90, 0.85), ("es", "phone", 0.79, 0.77)], 1000.0)
    assert not _goals_hold(run)  # es/phone's interval reaches down to 0.77 < 0.80
    assert _goals_hold(run, {"en/phone"})  # the only group an optimized team serves
    assert not _goals_hold(run, {"en/phone", "es/phone"})
    # Same goals met: the cheaper round wins even with lower attainment.
    dear = _run_with([("en", "phone", 0.95, 0.90), ("es", "phone", 0.79, 0.77)], 1100.0)
    assert _score(run) > _score(dear)
    # One more goal met beats any saving.
    both = _run_with([("en", "phone", 0.90, 0.85), ("es", "phone", 0.85, 0.81)], 5000.0)
    assert _score(both) > _score(run)
