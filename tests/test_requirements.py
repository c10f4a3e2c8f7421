"""Per-interval requirements from queueing formulas, checked against hand computations."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_scenario

from optimizer.requirements import interval_requirements
from sim.staffing import staff_erlang_a, staff_erlang_c


def test_phone_requirement_is_the_erlang_c_staffing_answer() -> None:
    # 2000 calls/week flat = 0.1984/min; 6 min handle; 80% in 20 s; occupancy cap 0.85.
    sc = make_scenario(service_levels=[{"channel": "phone", "answer_within": "20s", "goal": 0.8}])
    req = interval_requirements(sc)
    rate = 2000 / 10080
    expected = staff_erlang_c(rate, 6.0, 1 / 3, 0.8, 0.85)
    assert set(req["required"].round(9)) == {float(expected)}
    assert req["arrivals"].iloc[0] == pytest.approx(rate * 30)


def test_phone_with_patience_uses_erlang_a() -> None:
    sc = make_scenario(
        channels={"phone": {"handle_minutes": 6, "patience_minutes": 2}},
        service_levels=[{"channel": "phone", "answer_within": "30s", "goal": 0.9}],
    )
    req = interval_requirements(sc)
    expected = staff_erlang_a(2000 / 10080, 6.0, 2.0, 0.5, 0.9, 0.85)
    assert req["required"].iloc[10] == float(expected)


def test_chat_requirement_counts_conversation_slots() -> None:
    sc = make_scenario(
        {"demand.streams.0.channel": "chat", "demand.streams.0.tickets_per_week": 20000},
        channels={"chat": {"handle_minutes": 12, "concurrency": 3}},
        service_levels=[{"channel": "chat", "answer_within": "60s", "goal": 0.9}],
    )
    req = interval_requirements(sc)
    slots = staff_erlang_c(20000 / 10080, 12.0, 1.0, 0.9, 0.85)
    assert req["required"].iloc[10] == float(np.ceil(slots / 3))


def test_email_requirement_is_the_workload_over_the_target_window() -> None:
    sc = make_scenario(
        {"demand.streams.0.channel": "email"},
        channels={"email": {"handle_minutes": 8, "touches": 2.0}},
        service_levels=[{"channel": "email", "answer_within": "4h", "goal": 0.9}],
    )
    req = interval_requirements(sc)
    # Flat demand: after the first 4 h window the workload is lambda * handle * touches.
    erlangs = 2000 / 10080 * 8 * 2.0
    assert req["workload"].iloc[20] == pytest.approx(erlangs)
    assert req["required"].iloc[20] == pytest.approx(erlangs / 0.85)
    assert req["required_scheduled"].iloc[20] == pytest.approx(erlangs / 0.85)


def test_no_demand_needs_no_agents() -> None:
    weights = [[0.0] * 24 for _ in range(7)]
    weights[0][12] = 1.0
    sc = make_scenario(
        {"demand.streams.0.profile": weights},
        service_levels=[{"channel": "phone", "answer_within": "20s", "goal": 0.8}],
        shrinkage=0.25,
    )
    req = interval_requirements(sc)
    assert (req["required"] > 0).sum() == 2  # Monday 12:00-13:00: two half-hours
    busy = req[req["required"] > 0]
    assert (busy["required_scheduled"] == busy["required"] / 0.75).all()
