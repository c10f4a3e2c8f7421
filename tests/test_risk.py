"""optimize --risk: busyness quantiles against their closed forms, requirements at a risk
level against Erlang C on the scaled rates, the share of days missing a goal on hand-made
and simulated days, and the command end to end (a higher level costs more and misses on
fewer simulated days)."""

from __future__ import annotations

import copy
import datetime as dt
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from scipy import special
from test_cli import SMALL, run_cli
from test_plan import TWO_SITES

from optimizer.requirements import group_requirements
from optimizer.risk import (
    busyness_quantiles,
    daily_attainment,
    days_missing_goal,
    risk_record,
    risk_requirements,
)
from scenarios import scenario_from_data
from sim.metrics import queue_label, queue_replication_table
from sim.runner import run_replications
from sim.staffing import staff_erlang_c

BUSY_SITES: dict[str, Any] = copy.deepcopy(TWO_SITES)
BUSY_SITES["demand"]["busyness"] = {"cv": 0.3}
# Enough people that neither level is capped by head count: the levels differ by the plan.
BUSY_SITES["teams"][0]["agents"] = 24
BUSY_SITES["teams"][1]["agents"] = 20


def _scenario(data: dict[str, Any]) -> Any:
    return scenario_from_data(copy.deepcopy(data))


@pytest.mark.parametrize("cv", [0.1, 0.3, 0.8])
@pytest.mark.parametrize("level", [0.5, 0.8, 0.95])
def test_quantiles_are_the_busyness_distributions_closed_forms(cv: float, level: float) -> None:
    data = copy.deepcopy(BUSY_SITES)
    data["demand"]["busyness"] = {"cv": cv, "shared": False}
    data["demand"]["streams"][1]["busyness"] = {"cv": cv, "distribution": "lognormal"}
    data["demand"]["streams"][2]["busyness"] = {"cv": cv, "level": "week"}
    q = busyness_quantiles(_scenario(data), level)
    # Gamma of mean 1: shape 1/cv^2, scale cv^2; its quantile inverts the regularised
    # incomplete gamma function.
    gamma = special.gammaincinv(1 / cv**2, level) * cv**2
    # Lognormal of mean 1: sigma^2 = ln(1 + cv^2), mu = -sigma^2 / 2.
    sigma = np.sqrt(np.log1p(cv**2))
    lognormal = np.exp(-(sigma**2) / 2 + sigma * special.ndtri(level))
    assert q["en-chat"] == pytest.approx(gamma, rel=1e-9)
    assert q["de-email"] == pytest.approx(lognormal, rel=1e-9)
    assert q["us-chat"] == pytest.approx(gamma, rel=1e-9)  # weekly: the same distribution


def test_without_busyness_every_quantile_is_one_and_the_record_says_so() -> None:
    scenario = _scenario(TWO_SITES)
    assert busyness_quantiles(scenario, 0.9) == {"en-chat": 1.0, "de-email": 1.0, "us-chat": 1.0}
    pd.testing.assert_frame_equal(risk_requirements(scenario, 0.9), group_requirements(scenario))
    record = risk_record(scenario, 0.9, 1000.0, [])
    assert record["busyness"] == "none"
    assert "no busyness" in record["note"]
    assert record["days"] == 0


def test_requirement_at_a_risk_level_is_erlang_c_on_the_scaled_rates() -> None:
    scenario = _scenario(BUSY_SITES)
    mean = group_requirements(scenario)
    at50, at80 = risk_requirements(scenario, 0.5), risk_requirements(scenario, 0.8)
    q80 = special.gammaincinv(1 / 0.3**2, 0.8) * 0.3**2
    q50 = special.gammaincinv(1 / 0.3**2, 0.5) * 0.3**2
    assert q50 < 1 < q80  # the gamma's median is below its mean
    # Arrivals scale by the quantile; the requirement never falls as the level rises.
    np.testing.assert_allclose(at80["arrivals"], mean["arrivals"] * q80, rtol=1e-9)
    np.testing.assert_allclose(at50["arrivals"], mean["arrivals"] * q50, rtol=1e-9)
    assert (at80["required"].to_numpy() >= at50["required"].to_numpy()).all()
    assert at80["required"].sum() > mean["required"].sum()
    # English chat (both English streams, shared busyness): Erlang C on the scaled rate
    # (handle 10 min, 80% within 2 min, occupancy at most 85%), two chats per agent.
    chat = at80[at80["group"] == "en/chat"]
    rate = mean.loc[mean["group"] == "en/chat", "arrivals"].to_numpy() / 60 * q80
    expected = np.ceil(staff_erlang_c(rate, 10.0, 2.0, 0.8, 0.85) / 2 - 1e-9)
    np.testing.assert_array_equal(chat["required"].to_numpy(), expected)
    assert chat["required"].max() > 0


def test_days_missing_goal_on_a_hand_made_table() -> None:
    d1, d2 = dt.date(2026, 3, 2), dt.date(2026, 3, 3)
    daily = pd.DataFrame(
        [
            # replication, date, queue, counted, met, goal
            (0, d1, "en/chat/normal", 100, 85, 0.8),  # met
            (0, d1, "de/email/normal", 10, 8, 0.9),  # missed
            (0, d2, "en/chat/normal", 100, 80, 0.8),  # exactly the goal: met
            (0, d2, "de/email/normal", 0, 0, 0.9),  # no contacts: not a day for it
            (1, d1, "en/chat/normal", 50, 39, 0.8),  # missed
            (1, d1, "de/email/normal", 20, 19, 0.9),  # met
            (1, d2, "en/chat/normal", 40, 36, 0.8),  # met
            (1, d2, "de/email/normal", 30, 27, 0.9),  # exactly the goal: met
        ],
        columns=["replication", "date", "queue", "counted", "met", "goal"],
    )
    out = days_missing_goal(daily)
    assert out["days"] == 4
    assert out["days_missing_goal"] == {
        "en/chat/normal": pytest.approx(1 / 4, abs=1e-4),
        "de/email/normal": pytest.approx(1 / 3, abs=1e-4),
    }
    # Days on which some goal is missed: replication 0 day 1 and replication 1 day 1.
    assert out["days_any_goal_missed"] == pytest.approx(2 / 4, abs=1e-4)


def test_daily_attainment_adds_up_to_the_runs_queue_totals() -> None:
    data = yaml.safe_load(SMALL.read_text())
    data["demand"]["busyness"] = {"cv": 0.5}
    scenario = scenario_from_data(data)
    results = run_replications(scenario, 2)
    daily = daily_attainment(scenario, results)
    assert set(daily["replication"]) == {0, 1}
    assert set(daily["date"]) == {dt.date(2026, 3, 2) + dt.timedelta(days=k) for k in range(7)}
    table = queue_replication_table(scenario, results)
    labels = [queue_label(q) for q in results[0].queues]
    table["queue"] = [labels[q] for q in table["queue"]]
    goals = set(daily["queue"])
    totals = table[table["queue"].isin(goals)].groupby(["unit", "queue"])[["counted", "met"]].sum()
    mine = daily.groupby(["replication", "queue"])[["counted", "met"]].sum()
    np.testing.assert_array_equal(mine.to_numpy(), totals.to_numpy())
    # Busy days are days: the day counts vary with each day's busyness draw.
    per_day = daily.groupby(["replication", "date"])["counted"].sum()
    assert per_day.std() > 0


@pytest.fixture(scope="module")
def two_levels(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("risk")
    path = tmp / "busy_sites.yaml"
    path.write_text(yaml.safe_dump(copy.deepcopy(BUSY_SITES), sort_keys=False))
    out = tmp / "out"
    result = run_cli(
        "optimize", str(path), "--risk", "0.8,0.5", "--replications", "6", "--out", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert "risk 0.8: demand planned at" in result.stdout
    return out


def test_a_higher_risk_level_costs_more_and_misses_on_fewer_simulated_days(
    two_levels: Path,
) -> None:
    report = json.loads((two_levels / "optimize.json").read_text())
    low, high = report["risk_levels"]
    assert (low["level"], high["level"]) == (0.5, 0.8)
    assert high["cost_per_week"] > low["cost_per_week"]
    assert high["days"] == low["days"] == 6 * 7
    assert high["days_any_goal_missed"] <= low["days_any_goal_missed"]
    assert sum(high["days_missing_goal"].values()) <= sum(low["days_missing_goal"].values())
    # The outputs are the highest level's plan.
    risk = report["risk"]
    assert risk["level"] == 0.8
    assert risk["busyness"] == "shared"
    assert risk["cost_per_week"] == report["cost"]["per_week"]
    expected = special.gammaincinv(1 / 0.3**2, 0.8) * 0.3**2
    assert risk["multiplier"]["de-email"] == pytest.approx(expected, abs=1e-4)
    html = (two_levels / "report.html").read_text()
    assert "What each risk level costs" in html
    # The simulated scenario keeps the mean demand with its busyness.
    optimized = yaml.safe_load((two_levels / "scenario.optimized.yaml").read_text())
    assert optimized["demand"].get("events", []) == []
    assert optimized["demand"]["busyness"]["cv"] == 0.3


@pytest.mark.parametrize("value", ["0.4", "1", "0.8,abc", "nan"])
def test_a_bad_risk_level_exits_2_with_one_sentence(value: str, tmp_path: Path) -> None:
    path = tmp_path / "busy_sites.yaml"
    path.write_text(yaml.safe_dump(copy.deepcopy(BUSY_SITES), sort_keys=False))
    result = run_cli("optimize", str(path), "--risk", value, "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "--risk" in result.stderr and "expected a probability from 0.5 to 0.99" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
