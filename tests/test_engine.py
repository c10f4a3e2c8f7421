"""Unit tests of the engine: tiny scenarios with exact, hand-checked traces."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario, make_tickets

from scenarios.calendar import horizon_origin
from sim.agents import build_staffing
from sim.demand import generate_tickets, stream_rates
from sim.engine import (
    OUTCOME_ABANDONED,
    OUTCOME_HANDLED,
    OUTCOME_OPEN,
    run_replication,
    simulate,
)


def one_agent(**team: object) -> dict[str, object]:
    base = {
        "name": "solo",
        "timezone": "UTC",
        "agents": 1,
        "languages": ["en"],
        "channels": ["phone"],
        "hourly_cost": 10,
        "shifts": [{"days": "Mon-Sun", "start": "00:00", "hours": 24}],
    }
    base.update(team)
    return base


def run(scenario, tickets):  # type: ignore[no-untyped-def]
    return simulate(scenario, tickets, build_staffing(scenario, 0), 0)


def test_fifo_single_agent_trace() -> None:
    sc = make_scenario(teams=[one_agent()])
    r = run(sc, make_tickets([0.0, 5.0, 30.0], 10.0))
    np.testing.assert_allclose(r.first_response, [0.0, 10.0, 30.0])
    np.testing.assert_allclose(r.resolved, [10.0, 20.0, 40.0])
    assert (r.outcome == OUTCOME_HANDLED).all()


def test_abandonment_at_patience_is_recorded_at_the_deadline() -> None:
    sc = make_scenario(teams=[one_agent()])
    r = run(sc, make_tickets([0.0, 1.0, 2.0], 10.0, patience=[np.inf, 3.0, 20.0]))
    assert r.outcome.tolist() == [OUTCOME_HANDLED, OUTCOME_ABANDONED, OUTCOME_HANDLED]
    assert r.resolved[1] == pytest.approx(4.0)  # arrival 1 + patience 3
    assert r.first_response[2] == pytest.approx(10.0)  # skips the abandoned ticket
    assert np.isnan(r.first_response[1])


def test_priority_before_first_come_first_served() -> None:
    data = {"normal": 0.5, "urgent": 0.5}
    sc = make_scenario({"demand.streams.0.priority_mix": data}, teams=[one_agent()])
    # Ticket 1 (normal) waits from t=1, ticket 2 (urgent) from t=2: urgent goes first.
    r = run(sc, make_tickets([0.0, 1.0, 2.0], 10.0, priority=[2, 2, 0]))
    np.testing.assert_allclose(r.first_response, [0.0, 20.0, 10.0])


def test_longest_idle_agent_takes_the_next_ticket() -> None:
    sc = make_scenario(teams=[one_agent(agents=2)])
    # Agent 0 serves ticket 0 (first in the idle line); at t=20 agent 1 has been idle
    # since t=0 and agent 0 only since t=5, so agent 1 takes ticket 1.
    r = run(sc, make_tickets([0.0, 20.0], [5.0, 5.0]))
    assert r.first_agent.tolist() == [0, 1]


def test_agent_outside_shift_takes_nothing_and_finishes_in_overtime() -> None:
    team = one_agent(shifts=[{"days": "Mon-Sun", "start": "08:00", "hours": 1}])
    sc = make_scenario(teams=[team])
    r = run(sc, make_tickets([60.0, 470.0, 530.0], [10.0, 30.0, 5.0]))
    # Ticket 0 waits for the 08:00 (480) shift start; ticket 1 queues behind it until
    # 490 and ends at 520; ticket 2 arrives at 530, inside the shift, and starts at once.
    np.testing.assert_allclose(r.first_response, [480.0, 490.0, 530.0])
    late = make_tickets([545.0], 5.0)  # after the 09:00 end: waits for the next day
    assert run(sc, late).first_response[0] == pytest.approx(1440 + 480.0)


def test_shift_end_mid_ticket_finishes_the_ticket() -> None:
    team = one_agent(shifts=[{"days": "Mon-Sun", "start": "08:00", "hours": 1}])
    sc = make_scenario(teams=[team])
    r = run(sc, make_tickets([530.0], [45.0]))
    assert r.first_response[0] == pytest.approx(530.0)
    assert r.resolved[0] == pytest.approx(575.0)  # 35 minutes past the 09:00 end


def test_language_fallback_after_the_wait() -> None:
    sc = make_scenario(
        {"demand.streams.0.language": "de"},
        routing={"language_fallback": [{"from": "de", "to": "en", "after": "60m"}]},
        teams=[one_agent()],
    )
    r = run(sc, make_tickets([10.0], 5.0))
    assert r.first_response[0] == pytest.approx(70.0)


def test_chat_agent_holds_concurrent_conversations() -> None:
    sc = make_scenario(
        {"demand.streams.0.channel": "chat"},
        channels={"chat": {"handle_minutes": 10, "concurrency": 2}},
        teams=[one_agent(channels=["chat"])],
    )
    r = run(sc, make_tickets([0.0, 1.0, 2.0], 10.0))
    # Two chats at once; the third waits for the first slot to free at t=10.
    np.testing.assert_allclose(r.first_response, [0.0, 1.0, 10.0])
    assert r.touch_units.max() == pytest.approx(0.5)


def test_email_follow_up_touch_after_customer_reply() -> None:
    sc = make_scenario({"demand.streams.0.channel": "email"}, teams=[one_agent(channels=["email"])])
    r = run(sc, make_tickets([0.0], 8.0, extra=[[(100.0, 4.0)]]))
    assert r.first_response[0] == pytest.approx(0.0)
    assert r.resolved[0] == pytest.approx(8.0 + 100.0 + 4.0)
    assert r.touch_ticket.tolist() == [0, 0]


def test_escalation_goes_to_the_tier_two_team() -> None:
    tier2 = one_agent(name="expert", tier=2)
    sc = make_scenario(
        escalation={"rate": 0.5, "to_tier": 2, "handle_minutes": 30},
        teams=[one_agent(), tier2],
    )
    r = run(sc, make_tickets([0.0], 5.0, escalate=True, escalation_handle=30.0))
    assert r.touch_agent.tolist() == [0, 1]
    assert r.resolved[0] == pytest.approx(35.0)


def test_open_tickets_at_the_horizon() -> None:
    sc = make_scenario(teams=[one_agent(agents=0)])
    r = run(sc, make_tickets([10.0, 20.0], 5.0, patience=[np.inf, 1.0]))
    assert r.outcome.tolist() == [OUTCOME_OPEN, OUTCOME_ABANDONED]


def test_one_seed_reproduces_a_run_bit_for_bit() -> None:
    sc = make_scenario()
    a, b = run_replication(sc, 5, 0), run_replication(sc, 5, 0)
    np.testing.assert_array_equal(a.first_response, b.first_response)
    np.testing.assert_array_equal(a.touch_end, b.touch_end)
    c = run_replication(sc, 5, 1)
    assert len(c.tickets) != len(a.tickets) or not np.array_equal(
        c.tickets.arrival, a.tickets.arrival
    )


def test_weekly_volume_and_daylight_saving_profile() -> None:
    """A stream in New York: its local 09:00 hour maps to 14:00 UTC in January, 13:00 in July."""
    weights = [[0.0] * 24 for _ in range(7)]
    weights[0][9] = 1.0  # Monday 09:00-10:00 local only
    stream = {
        "name": "ny",
        "language": "en",
        "channel": "email",
        "region": "America/New_York",
        "tickets_per_week": 700,
        "profile": weights,
    }
    for start, utc_hour in (("2026-01-05", 14), ("2026-07-06", 13)):
        sc = make_scenario(
            {"horizon.start": start, "horizon.weeks": 1},
            demand={"streams": [stream]},
        )
        rate = stream_rates(sc, sc.demand.streams[0], horizon_origin(sc))
        assert rate.sum() == pytest.approx(700.0)
        hot = np.flatnonzero(rate > 0) * 15 // 60
        assert set(hot.tolist()) == {utc_hour}


def test_holidays_reduce_volume() -> None:
    stream = {
        "name": "us",
        "language": "en",
        "channel": "email",
        "region": "UTC",
        "country": "US",
        "tickets_per_week": 7000,
        "holiday_factor": 0.0,
    }
    sc = make_scenario({"horizon.start": "2026-12-21"}, demand={"streams": [stream]})
    rate = stream_rates(sc, sc.demand.streams[0], horizon_origin(sc))
    per_day = rate.reshape(7, -1).sum(axis=1)
    assert per_day[4] == 0.0  # Friday 25 December
    assert per_day[0] == pytest.approx(1000.0)


def test_team_shift_follows_local_daylight_saving() -> None:
    team = one_agent(
        timezone="Europe/Dublin", shifts=[{"days": "Mon", "start": "09:00", "hours": 8}]
    )
    for start, utc_minute in (("2026-01-05", 9 * 60), ("2026-07-06", 8 * 60)):
        sc = make_scenario({"horizon.start": start}, teams=[team])
        shifts = build_staffing(sc, 0).shifts
        first = shifts[shifts["start"] >= 0].iloc[0]
        assert first["start"] == pytest.approx(utc_minute)


def test_surge_multiplies_the_rate_in_its_window() -> None:
    sc = make_scenario(
        demand={
            "streams": [BASE_STREAM],
            "surges": [{"start": "2026-01-06T00:00", "hours": 24, "multiplier": 1.9}],
        }
    )
    rate = stream_rates(sc, sc.demand.streams[0], horizon_origin(sc))
    per_day = rate.reshape(7, -1).sum(axis=1)
    assert per_day[1] == pytest.approx(1.9 * per_day[0])


BASE_STREAM = {
    "name": "s",
    "language": "en",
    "channel": "phone",
    "region": "UTC",
    "tickets_per_week": 7000,
}


def test_deflected_tickets_never_reach_an_agent() -> None:
    sc = make_scenario({"demand.deflection": 0.33})
    r = run_replication(sc, 1, 0)
    deflected = r.tickets.deflected
    assert 0.28 < deflected.mean() < 0.38
    assert np.isnan(r.first_response[deflected]).all()


def test_tickets_are_sorted_and_inside_the_horizon() -> None:
    sc = make_scenario()
    t = generate_tickets(sc, 3, 0)
    assert np.all(np.diff(t.arrival) >= 0)
    assert t.arrival.min() >= 0 and t.arrival.max() < 7 * 1440
    assert isinstance(horizon_origin(sc), pd.Timestamp)


def test_channel_priority_serves_live_channels_before_older_email() -> None:
    streams = [
        {**BASE_STREAM, "name": "mail", "channel": "email"},
        {**BASE_STREAM, "name": "calls", "channel": "phone"},
    ]
    team = one_agent(channels=["email", "phone"])
    tickets = make_tickets([0.0, 1.0, 2.0], 10.0, stream=[0, 0, 1])
    fifo = make_scenario(demand={"streams": streams}, teams=[team])
    assert run(fifo, tickets).first_response.tolist() == [0.0, 10.0, 20.0]
    live = make_scenario(
        demand={"streams": streams},
        routing={"channel_priority": ["phone", "chat", "email"]},
        teams=[team],
    )
    assert run(live, tickets).first_response.tolist() == [0.0, 20.0, 10.0]
