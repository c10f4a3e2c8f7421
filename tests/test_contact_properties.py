"""Properties of runs with every engine behaviour (Hypothesis draws the scenarios).

Balking, lines, retrials, outages, overflow, agent selection, channels of one's own with
their concurrency, segments, warm-up and serving to the end: whatever the draw, tickets are
conserved, nobody is answered before the attempt that was answered, failed attempts add up
to the attempts made, no channel holds more calls than its lines, and no agent holds more
than its capacity at any event of the engine's own trace.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import scenario_from_data
from sim.agents import build_staffing
from sim.demand import generate_tickets
from sim.engine import (
    OUTCOME_DEFLECTED,
    OUTCOME_HANDLED,
    OUTCOME_OPEN,
    TOUCH_FIRST,
    run_replication,
    simulate,
)
from sim.results import ATTEMPT_ABANDONED, ATTEMPT_BALKED

CHANNELS = ["phone", "chat", "email", "messaging", "social"]
SHIFTS = [
    {"days": "Mon-Sun", "start": "00:00", "hours": 24},
    {"days": "Mon-Sun", "start": "07:00", "hours": 9, "break": {"after_hours": 4, "minutes": 30}},
    {"days": "Mon-Fri", "start": "20:00", "hours": 8, "break": {"after_hours": 3, "minutes": 20}},
]


@st.composite
def featured(draw: st.DrawFn) -> Any:
    streams = []
    for i in range(draw(st.integers(1, 3))):
        stream: dict[str, Any] = {
            "name": f"s{i}",
            "language": "en",
            "channel": draw(st.sampled_from(CHANNELS)),
            "region": draw(st.sampled_from(["UTC", "America/Chicago"])),
            "tickets_per_week": draw(st.integers(200, 3000)),
        }
        if draw(st.booleans()):
            stream["handle_minutes"] = {"low": 2, "high": 12}
        streams.append(stream)
    demand: dict[str, Any] = {"streams": streams, "deflection": draw(st.sampled_from([0, 0.2]))}
    if draw(st.booleans()):
        demand["segments"] = [
            {
                "name": "vip",
                "share": 0.2,
                "priority": "urgent",
                "monthly_value": 900,
                "answer_within": "1m",
                "goal": 0.9,
            },
            {"name": "rest", "share": 0.8},
        ]
    if draw(st.booleans()):
        demand["surges"] = [{"start": "2026-03-28T09:00", "hours": 3, "multiplier": 0}]
    live: dict[str, Any] = {"patience_minutes": {"mean": draw(st.sampled_from([2, 8]))}}
    if draw(st.booleans()):
        live["balk_probability"] = draw(st.sampled_from([0.2, 0.6]))
    if draw(st.booleans()):
        live["retrial"] = {
            "probability": draw(st.sampled_from([0.5, 1.0])),
            "after": "10m",
            "max_attempts": draw(st.sampled_from([None, 3])),
        }
        if live["retrial"]["max_attempts"] is None:
            del live["retrial"]["max_attempts"]
    phone = {"handle_minutes": 6, **live}
    if draw(st.booleans()):
        phone["lines"] = draw(st.integers(1, 6))
    channels = {
        "phone": phone,
        "chat": {"handle_minutes": 12, **live, "concurrency": draw(st.integers(1, 4))},
        "email": {"handle_minutes": 8, "touches": 1.6, "customer_reply_hours": 1},
        "messaging": {
            "kind": "live",
            "handle_minutes": 9,
            **live,
            "concurrency": draw(st.integers(1, 3)),
        },
        "social": {"kind": "async", "handle_minutes": 5},
    }
    teams = []
    for g in range(draw(st.integers(1, 3))):
        team: dict[str, Any] = {
            "name": f"t{g}",
            "timezone": draw(st.sampled_from(["UTC", "Europe/Dublin"])),
            "agents": draw(st.integers(1, 4)),
            "languages": ["en"],
            "channels": draw(st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True)),
            "hourly_cost": 10,
            "shifts": draw(st.lists(st.sampled_from(SHIFTS), min_size=1, max_size=2)),
        }
        if draw(st.booleans()):
            team["chat_concurrency"] = draw(st.integers(1, 4))
        teams.append(team)
    routing: dict[str, Any] = {
        "agent_selection": draw(st.sampled_from(["longest_idle", "random", "ordered"]))
    }
    phone_teams = [t["name"] for t in teams if "phone" in t["channels"]]
    if phone_teams and draw(st.booleans()):
        routing["overflow"] = [
            {
                "language": "en",
                "channel": "phone",
                "teams": phone_teams[::-1],
                "after": draw(st.sampled_from(["0s", "30s", "2m"])),
            }
        ]
    data = {
        "name": "featured",
        "horizon": {
            "start": "2026-03-27",
            "weeks": 2 / 7,
            "interval_minutes": 60,
            "warmup_days": draw(st.sampled_from([0, 1])),
            "end": draw(st.sampled_from(["cut", "serve"])),
        },
        "seed": draw(st.integers(0, 10_000)),
        "demand": demand,
        "channels": channels,
        "routing": routing,
        "service_levels": [
            {"channel": "phone", "answer_within": "30s", "goal": 0.8, "resolve_within": "20m"}
        ],
        "teams": teams,
    }
    return scenario_from_data(data, "featured property scenario")


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(featured())
def test_runs_with_every_behaviour_keep_their_invariants(scenario: Any) -> None:
    r = run_replication(scenario, scenario.seed, 0)
    t = r.tickets
    n = len(t)
    counts = np.bincount(r.outcome, minlength=6)
    assert counts.sum() == n
    assert counts[OUTCOME_DEFLECTED] == int(t.deflected.sum())
    attempts = r.attempts if len(r.attempts) else np.ones(n, int)
    start = r.attempt_arrival if len(r.attempt_arrival) else t.arrival
    assert (attempts >= 1).all()
    # The answered attempt started before the answer, and after the first one.
    answered = np.isfinite(r.first_response)
    assert np.all(r.first_response[answered] >= start[answered] - 1e-9)
    assert np.all(start >= t.arrival - 1e-9)
    # Every attempt but an answered or still waiting last one is in the failure log.
    failed = np.bincount(r.failed_ticket, minlength=n)
    waiting = (r.outcome == OUTCOME_OPEN) & ~answered
    live = ~t.deflected
    assert np.array_equal(failed[live], (attempts - (answered | waiting))[live])
    assert np.all(r.failed_end >= r.failed_start - 1e-9)
    # Handled tickets were answered; serving to the end leaves no one answerable waiting.
    assert answered[r.outcome == OUTCOME_HANDLED].all()
    if scenario.horizon.warmup_days == 0:
        _lines_never_exceeded(scenario, r)


def _lines_never_exceeded(scenario: Any, r: Any) -> None:
    """Calls holding a line (from the attempt's start to the end of the first touch, or to
    the failure) never outnumber the channel's lines."""
    spec = scenario.channel("phone")
    if spec.lines is None:
        return
    phone = np.array([scenario.demand.streams[s].channel == "phone" for s in r.tickets.stream])
    first = r.touch_kind == TOUCH_FIRST
    ends = np.full(len(r.tickets), np.inf)
    ends[r.touch_ticket[first]] = r.touch_end[first]
    start = r.attempt_arrival if len(r.attempt_arrival) else r.tickets.arrival
    answered = np.isfinite(r.first_response) & phone & ~r.tickets.deflected
    on = [start[answered]]
    off = [ends[answered]]
    failed_phone = phone[r.failed_ticket]
    # Abandoned and balked attempts held a line until they left; blocked ones never had one.
    from_fail = np.isin(r.failed_kind[failed_phone], (ATTEMPT_ABANDONED, ATTEMPT_BALKED))
    on.append(r.failed_start[failed_phone][from_fail])
    off.append(r.failed_end[failed_phone][from_fail])
    times = np.concatenate([*on, *off])
    delta = np.concatenate([np.ones(sum(len(x) for x in on)), -np.ones(sum(len(x) for x in off))])
    order = np.lexsort((delta, times))  # a line freed at an instant is free for a call then
    assert np.cumsum(delta[order]).max(initial=0) <= spec.lines


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(featured())
def test_no_agent_exceeds_its_capacity_with_every_behaviour(scenario: Any) -> None:
    tickets = generate_tickets(scenario, scenario.seed, 0)
    staffing = build_staffing(scenario, scenario.seed, 0)
    r = simulate(scenario, tickets, staffing, scenario.seed, 0, trace=True)
    trace = r.load_trace
    assert trace is not None
    assert (trace.load <= trace.capacity).all()
    assert trace.available[trace.start].all()
