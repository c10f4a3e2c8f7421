"""Live contacts that balk, find every line busy, retry, or arrive during an outage.

Tiny scenarios with hand-made tickets and hand-checked traces.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import numpy as np
import pytest
from conftest import make_scenario, make_tickets

from sim.agents import build_staffing
from sim.demand import generate_tickets
from sim.engine import (
    OUTCOME_ABANDONED,
    OUTCOME_BALKED,
    OUTCOME_BLOCKED,
    OUTCOME_HANDLED,
    OUTCOME_OPEN,
    run_replication,
    simulate,
)
from sim.results import ATTEMPT_ABANDONED, ATTEMPT_BALKED, ATTEMPT_BLOCKED, ATTEMPT_OUTAGE


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


def phone(**spec: object) -> dict[str, Any]:
    return {"phone": {"handle_minutes": {"mean": 6, "distribution": "exponential"}, **spec}}


def run(scenario: Any, tickets: Any) -> Any:
    return simulate(scenario, tickets, build_staffing(scenario, 0), 0)


def with_flags(tickets: Any, **arrays: Any) -> Any:
    return replace(tickets, **{k: np.asarray(v) for k, v in arrays.items()})


def test_a_contact_that_must_wait_balks_at_once() -> None:
    sc = make_scenario(channels=phone(balk_probability=0.5), teams=[one_agent()])
    tickets = with_flags(make_tickets([0.5, 1.0, 2.0], 10.0), balks=[True, True, False])
    r = run(sc, tickets)
    # Ticket 0 finds the agent free (it would have balked, but need not wait); ticket 1
    # must wait and leaves at once; ticket 2 waits and is served at 10.5.
    assert r.outcome.tolist() == [OUTCOME_HANDLED, OUTCOME_BALKED, OUTCOME_HANDLED]
    assert r.resolved[1] == pytest.approx(1.0)
    assert r.first_response[2] == pytest.approx(10.5)
    assert r.failed_ticket.tolist() == [1]
    assert r.failed_kind.tolist() == [ATTEMPT_BALKED]


def test_lines_count_waiting_and_served_calls() -> None:
    sc = make_scenario(channels=phone(lines=2), teams=[one_agent()])
    r = run(sc, make_tickets([0.0, 1.0, 2.0, 12.0], 10.0))
    # Lines: call 0 served, call 1 waiting, call 2 blocked; at 10 call 0 hangs up and
    # frees its line, so call 3 at 12 gets through (and waits behind call 1).
    assert r.outcome.tolist() == [
        OUTCOME_HANDLED,
        OUTCOME_HANDLED,
        OUTCOME_BLOCKED,
        OUTCOME_HANDLED,
    ]
    np.testing.assert_allclose(r.first_response[[0, 1, 3]], [0.0, 10.0, 20.0])
    assert r.failed_kind.tolist() == [ATTEMPT_BLOCKED]


def test_an_abandoning_call_frees_its_line_at_its_patience() -> None:
    sc = make_scenario(channels=phone(lines=2, patience_minutes={"mean": 3}), teams=[one_agent()])
    r = run(sc, make_tickets([0.0, 1.0, 2.0, 4.5], 10.0, patience=[np.inf, 3.0, 20.0, 20.0]))
    # Call 1 abandons at 4 (before any agent frees), so call 2 at 2 is blocked but call 3
    # at 4.5 finds the line call 1 freed.
    assert r.outcome.tolist() == [
        OUTCOME_HANDLED,
        OUTCOME_ABANDONED,
        OUTCOME_BLOCKED,
        OUTCOME_HANDLED,
    ]
    assert r.resolved[1] == pytest.approx(4.0)


def test_a_blocked_call_tries_again_after_the_delay() -> None:
    sc = make_scenario(
        channels=phone(
            lines=1, retrial={"probability": 1.0, "after": {"mean": 5, "distribution": "fixed"}}
        ),
        teams=[one_agent()],
    )
    r = run(sc, make_tickets([0.0, 1.0], 4.0))
    # Call 1 is blocked at 1, retries at 6 (the line is free since 4) and is answered.
    assert r.outcome.tolist() == [OUTCOME_HANDLED, OUTCOME_HANDLED]
    assert r.attempts.tolist() == [1, 2]
    assert r.first_response[1] == pytest.approx(6.0)
    assert r.attempt_arrival[1] == pytest.approx(6.0)
    assert r.failed_start.tolist() == [1.0]
    assert r.failed_kind.tolist() == [ATTEMPT_BLOCKED]


def test_retrials_stop_at_max_attempts() -> None:
    spec = phone(
        lines=1,
        retrial={
            "probability": 1.0,
            "after": {"mean": 5, "distribution": "fixed"},
            "max_attempts": 3,
        },
    )
    sc = make_scenario(channels=spec, teams=[one_agent()])
    r = run(sc, make_tickets([0.0, 1.0], 100.0))
    # Call 1 tries at 1, 6 and 11, every time blocked by call 0, then gives up.
    assert r.outcome[1] == OUTCOME_BLOCKED
    assert r.attempts[1] == 3
    np.testing.assert_allclose(r.failed_start, [1.0, 6.0, 11.0])


def test_an_abandoned_call_retries_with_a_fresh_patience() -> None:
    spec = phone(
        patience_minutes={"mean": 2, "distribution": "fixed"},
        retrial={"probability": 1.0, "after": {"mean": 5, "distribution": "fixed"}},
    )
    sc = make_scenario(channels=spec, teams=[one_agent()])
    r = run(sc, make_tickets([0.0, 1.0], 10.0, patience=[np.inf, 2.0]))
    # Call 1 abandons at 3 (eagerly: its channel has retrials), retries at 8, abandons at
    # 10 (patience 2 again: the agent frees at 10, the deadline comes first), retries at 15
    # and is answered at once.
    assert r.outcome.tolist() == [OUTCOME_HANDLED, OUTCOME_HANDLED]
    np.testing.assert_allclose(r.failed_start, [1.0, 8.0])
    np.testing.assert_allclose(r.failed_end, [3.0, 10.0])
    assert r.failed_kind.tolist() == [ATTEMPT_ABANDONED, ATTEMPT_ABANDONED]
    assert r.first_response[1] == pytest.approx(15.0)
    assert r.attempts[1] == 3


def test_contacts_lost_in_an_outage_come_back() -> None:
    sc = make_scenario(
        {"horizon.weeks": 1 / 7, "demand.streams.0.tickets_per_week": 3000},
        demand={
            "streams": [
                {
                    "name": "calls",
                    "language": "en",
                    "channel": "phone",
                    "region": "UTC",
                    "tickets_per_week": 3000,
                }
            ],
            "surges": [{"start": "2026-01-05T06:00", "hours": 2, "multiplier": 0}],
        },
        channels=phone(retrial={"probability": 1.0, "after": "20m"}),
        teams=[one_agent(agents=3)],
    )
    tickets = generate_tickets(sc, 3, 0)
    assert tickets.outage is not None
    in_outage = (tickets.arrival >= 360) & (tickets.arrival < 480)
    # Customers still arrive during the outage (it is not a drop in demand) ...
    assert in_outage.sum() > 20
    np.testing.assert_array_equal(tickets.outage, in_outage)
    r = run_replication(sc, 3, 0)
    # ... nobody is answered then, and those who retried after it were answered later.
    assert not ((r.first_response >= 360) & (r.first_response < 480)).any()
    outage_attempts = r.failed_kind == ATTEMPT_OUTAGE
    assert outage_attempts.sum() >= in_outage.sum()
    assert (
        (r.failed_start[outage_attempts] >= 360) & (r.failed_start[outage_attempts] < 480)
    ).all()
    came_back = in_outage & (r.outcome == OUTCOME_HANDLED)
    assert came_back.sum() == in_outage.sum()
    assert (r.attempts[came_back] >= 2).all()


def test_outage_without_retrials_is_no_demand() -> None:
    sc = make_scenario(
        demand={
            "streams": [
                {
                    "name": "calls",
                    "language": "en",
                    "channel": "phone",
                    "region": "UTC",
                    "tickets_per_week": 3000,
                }
            ],
            "surges": [{"start": "2026-01-05T06:00", "hours": 2, "multiplier": 0}],
        },
        channels=phone(),
        teams=[one_agent(agents=3)],
    )
    tickets = generate_tickets(sc, 3, 0)
    assert not ((tickets.arrival >= 360) & (tickets.arrival < 480)).any()
    assert tickets.outage is not None and not tickets.outage.any()


def test_horizon_end_serve_answers_who_is_still_waiting() -> None:
    team = one_agent(shifts=[{"days": "Mon-Sun", "start": "00:00", "hours": 24}])
    cut = make_scenario({"horizon.weeks": 1 / 7}, channels=phone(), teams=[team])
    serve = make_scenario(
        {"horizon.weeks": 1 / 7, "horizon.end": "serve"}, channels=phone(), teams=[team]
    )
    tickets = make_tickets([1430.0, 1431.0, 1432.0], 10.0)
    r_cut = run(cut, tickets)
    r_serve = run(serve, tickets)
    assert r_cut.outcome.tolist() == [OUTCOME_OPEN] * 3
    assert r_serve.outcome.tolist() == [OUTCOME_HANDLED] * 3
    np.testing.assert_allclose(r_serve.first_response, [1430.0, 1440.0, 1450.0])
    # The agent's shift ended at 1440: the last two touches are overtime.
    assert r_serve.touch_end.max() == pytest.approx(1460.0)
