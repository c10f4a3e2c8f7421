"""An agent never holds more work than its capacity, at any event of the engine.

Chat agents hold up to ``concurrency`` chats; a phone call or an email touch takes the
whole agent. The engine's own load trace (recorded after every touch start and end) is
checked, so the test sees every event, not interval samples.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import make_scenario
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import scenario_from_data
from sim.agents import build_staffing
from sim.demand import generate_tickets
from sim.engine import LoadTrace, SimResult, simulate
from sim.metrics import mean_ci95
from sim.queueing import erlang_c_mean_wait

LANGS = ["en", "de"]
CHANNELS = ["phone", "chat", "email"]
SHIFTS = [
    {"days": "Mon-Sun", "start": "00:00", "hours": 24},
    {"days": "Mon-Sun", "start": "08:00", "hours": 8, "break": {"after_hours": 3, "minutes": 30}},
    {"days": "Mon-Sun", "start": "22:00", "hours": 10, "break": {"after_hours": 4, "minutes": 45}},
    {"days": "Mon-Fri", "start": "06:30", "hours": 6, "break": {"after_hours": 2, "minutes": 15}},
]


def traced(scenario: Any, replication: int = 0) -> tuple[SimResult, LoadTrace]:
    tickets = generate_tickets(scenario, scenario.seed, replication)
    staffing = build_staffing(scenario, scenario.seed, replication)
    result = simulate(scenario, tickets, staffing, scenario.seed, replication, trace=True)
    assert result.load_trace is not None
    return result, result.load_trace


def assert_within_capacity(trace: LoadTrace) -> None:
    over = trace.load > trace.capacity
    assert not over.any(), (
        f"{int(over.sum())} events with an agent above capacity, first: agent "
        f"{trace.agent[over][0]} at minute {trace.time[over][0]:.2f} holds "
        f"{trace.load[over][0]} units of {trace.capacity[over][0]}"
    )
    assert (trace.load >= 0).all()


@st.composite
def busy_scenarios(draw: st.DrawFn) -> Any:
    """Teams with breaks, blended channels and concurrency 1-4, loaded enough to queue."""
    streams = [
        {
            "name": f"s{i}",
            "language": draw(st.sampled_from(LANGS)),
            "channel": draw(st.sampled_from(CHANNELS)),
            "region": "UTC",
            "tickets_per_week": draw(st.integers(300, 4000)),
            "priority_mix": draw(
                st.sampled_from([{"normal": 1.0}, {"urgent": 0.3, "normal": 0.7}])
            ),
        }
        for i in range(draw(st.integers(1, 3)))
    ]
    teams = []
    for g in range(draw(st.integers(1, 3))):
        team: dict[str, Any] = {
            "name": f"t{g}",
            "timezone": draw(st.sampled_from(["UTC", "Europe/Dublin", "America/New_York"])),
            "agents": draw(st.integers(1, 4)),
            "languages": draw(st.lists(st.sampled_from(LANGS), min_size=1, unique=True)),
            "channels": draw(st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True)),
            "hourly_cost": 20,
            "shifts": draw(st.lists(st.sampled_from(SHIFTS), min_size=1, max_size=2)),
        }
        if draw(st.booleans()):
            team["chat_concurrency"] = draw(st.integers(1, 4))
        teams.append(team)
    data: dict[str, Any] = {
        "name": "capacity",
        "horizon": {"start": "2026-03-27", "weeks": 3 / 7, "interval_minutes": 60},
        "seed": draw(st.integers(0, 10_000)),
        "demand": {"streams": streams},
        "channels": {
            "phone": {"handle_minutes": {"mean": 6}, "patience_minutes": {"mean": 20}},
            "chat": {
                "handle_minutes": {"mean": 15},
                "patience_minutes": {"mean": 30},
                "concurrency": draw(st.integers(1, 4)),
            },
            "email": {"handle_minutes": {"mean": 8}, "touches": 1.5, "customer_reply_hours": 1},
        },
        "reopen_rate": draw(st.sampled_from([0.0, 0.1])),
        "shrinkage": draw(st.sampled_from([0.0, 0.2])),
        "routing": {
            "channel_priority": draw(
                st.sampled_from([None, ["phone", "chat", "email"], ["chat", "email", "phone"]])
            )
        },
        "teams": teams,
    }
    if data["routing"]["channel_priority"] is None:
        del data["routing"]
    return scenario_from_data(data, "capacity property scenario")


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(busy_scenarios())
def test_load_never_exceeds_capacity_at_any_event(scenario: Any) -> None:
    result, trace = traced(scenario)
    assert_within_capacity(trace)
    # Every touch end is in the trace (touches still running at the horizon have a start
    # only), and work starts only while the agent is on shift and not on a break.
    assert int((~trace.start).sum()) == len(result.touch_start)
    assert int(trace.start.sum()) >= len(result.touch_start)
    assert trace.available[trace.start].all()


def chat_team(concurrency: int, shifts: list[dict[str, Any]], **extra: Any) -> dict[str, Any]:
    team = {
        "name": "chatters",
        "timezone": "UTC",
        "agents": 10,
        "languages": ["en"],
        "channels": ["chat"],
        "hourly_cost": 20,
        "shifts": shifts,
    }
    team.update(extra)
    return team


def chat_scenario(concurrency: int, team: dict[str, Any], per_week: float, handle: float) -> Any:
    return make_scenario(
        {
            "demand.streams.0.channel": "chat",
            "demand.streams.0.tickets_per_week": per_week,
        },
        channels={
            "chat": {
                "handle_minutes": {"mean": handle, "distribution": "exponential"},
                "concurrency": concurrency,
            }
        },
        teams=[team],
    )


def test_full_chat_agent_takes_no_more_at_the_next_shift() -> None:
    """A 24x7 team's day shifts meet at midnight: a full agent stays full, not one over."""
    team = chat_team(3, [{"days": "Mon-Sun", "start": "00:00", "hours": 24}])
    sc = chat_scenario(3, team, per_week=0.9 * 30 / 10 * 60 * 24 * 7, handle=10)
    _, trace = traced(sc)
    assert_within_capacity(trace)
    assert trace.load.max() == 3  # the cap is reached, so the check is not vacuous


def test_full_chat_agent_takes_no_more_after_a_break() -> None:
    shift = {"days": "Mon-Sun", "start": "08:00", "hours": 8}
    team = chat_team(2, [shift], agents=4)
    sc = make_scenario(
        {"demand.streams.0.channel": "chat", "demand.streams.0.tickets_per_week": 9000},
        channels={"chat": {"handle_minutes": {"mean": 20}, "concurrency": 2}},
        shift_templates={"break": {"after_hours": 4, "minutes": 30}},
        teams=[team],
    )
    _, trace = traced(sc)
    assert_within_capacity(trace)
    assert trace.load.max() == 2


def test_blended_agent_on_a_call_takes_no_chat_on_top() -> None:
    team = chat_team(
        3,
        [{"days": "Mon-Sun", "start": "08:00", "hours": 8}],
        agents=3,
        channels=["phone", "chat"],
    )
    sc = make_scenario(
        {"demand.streams.0.tickets_per_week": 4000},
        demand={
            "streams": [
                {
                    "name": "calls",
                    "language": "en",
                    "channel": "phone",
                    "region": "UTC",
                    "tickets_per_week": 3000,
                },
                {
                    "name": "chats",
                    "language": "en",
                    "channel": "chat",
                    "region": "UTC",
                    "tickets_per_week": 6000,
                },
            ]
        },
        channels={
            "phone": {"handle_minutes": {"mean": 8}},
            "chat": {"handle_minutes": {"mean": 15}, "concurrency": 3},
        },
        shift_templates={"break": {"after_hours": 4, "minutes": 30}},
        teams=[team],
    )
    result, trace = traced(sc)
    assert_within_capacity(trace)
    # A call takes all three units; a chat one. Both kinds of work were done.
    assert set(np.round(result.touch_units, 6)) == {round(1 / 3, 6), 1.0}


@pytest.mark.validation
def test_chat_slots_wait_as_erlang_c() -> None:
    """30 chat slots (10 agents x 3) at 90% load: the mean wait is Erlang C's on 30 servers.

    Before the capacity fix, agents back from a shift change held a fourth chat and the
    wait came out well below theory.
    """
    handle = 10.0
    team = chat_team(3, [{"days": "Mon-Sun", "start": "00:00", "hours": 24}])
    rate = 27 / handle  # chats per minute
    sc = chat_scenario(3, team, per_week=rate * 10080, handle=handle)
    sc = sc.model_copy(update={"horizon": sc.horizon.model_copy(update={"weeks": 6 / 7})})
    theory = float(erlang_c_mean_wait(30, 27, handle))
    waits = []
    for replication in range(12):
        tickets = generate_tickets(sc, 5, replication)
        result = simulate(sc, tickets, build_staffing(sc, 5, replication), 5, replication)
        # A day of warm-up, and no ticket whose wait the horizon's end could cut short.
        keep = (tickets.arrival > 1440) & (tickets.arrival < result.horizon_minutes - 60)
        waits.append(float(np.mean((result.first_response - tickets.arrival)[keep])))
    mean, lo, hi = mean_ci95(waits)
    assert lo <= theory <= hi, f"Erlang C {theory:.3f} outside [{lo:.3f}, {hi:.3f}] ({mean:.3f})"
