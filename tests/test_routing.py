"""Routing: which idle agent an arriving ticket goes to, and overflow between teams."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest
from conftest import make_scenario, make_tickets

from scenarios import scenario_from_data
from sim.agents import build_staffing
from sim.engine import OUTCOME_HANDLED, simulate
from sim.routing import build_queues, build_routes, team_capacity


def team(name: str, agents: int = 1, **more: object) -> dict[str, object]:
    base = {
        "name": name,
        "timezone": "UTC",
        "agents": agents,
        "languages": ["en"],
        "channels": ["phone"],
        "hourly_cost": 10,
        "shifts": [{"days": "Mon-Sun", "start": "00:00", "hours": 24}],
    }
    base.update(more)
    return base


def run(scenario: Any, tickets: Any, seed: int = 0) -> Any:
    return simulate(scenario, tickets, build_staffing(scenario, seed), seed)


# Tickets that each find every agent idle: 5-minute touches 10 minutes apart.
SPACED = make_tickets([1.0 + 10 * k for k in range(12)], 5.0)


def test_longest_idle_rotates_through_the_agents() -> None:
    sc = make_scenario(teams=[team("a", agents=3)])
    assert run(sc, SPACED).first_agent.tolist() == [0, 1, 2] * 4


def test_ordered_selection_always_takes_the_first_idle_agent() -> None:
    sc = make_scenario(routing={"agent_selection": "ordered"}, teams=[team("a", agents=3)])
    assert run(sc, SPACED).first_agent.tolist() == [0] * 12
    # When agent 0 is busy the next in order takes the ticket.
    r = run(sc, make_tickets([1.0, 2.0, 3.0, 20.0], 10.0))
    assert r.first_agent.tolist() == [0, 1, 2, 0]


def test_ordered_selection_follows_the_listed_teams() -> None:
    sc = make_scenario(
        routing={"agent_selection": "ordered"}, teams=[team("first"), team("second", agents=2)]
    )
    r = run(sc, make_tickets([1.0, 2.0, 3.0], 10.0))
    assert r.first_agent.tolist() == [0, 1, 2]


def test_random_selection_is_seeded_and_spreads_the_work() -> None:
    sc = make_scenario(routing={"agent_selection": "random"}, teams=[team("a", agents=4)])
    tickets = make_tickets([1.0 + 10 * k for k in range(400)], 5.0)
    first = run(sc, tickets).first_agent
    assert first.tolist() == run(sc, tickets).first_agent.tolist()  # same seed, same picks
    counts = np.bincount(first, minlength=4)
    # Uniform over 4 idle agents: each count is Binomial(400, 1/4), sd 8.7.
    assert counts.min() > 100 - 4 * 8.7 and counts.max() < 100 + 4 * 8.7
    assert run(sc, tickets, seed=1).first_agent.tolist() != first.tolist()


def overflow_scenario(after: str, **routing: object) -> Any:
    return make_scenario(
        routing={
            "overflow": [
                {
                    "language": "en",
                    "channel": "phone",
                    "teams": ["austin", "manila"],
                    "after": after,
                }
            ],
            **routing,
        },
        teams=[team("manila"), team("austin"), team("dublin")],
    )


def test_overflow_tries_the_first_team_then_the_next_after_the_wait() -> None:
    sc = overflow_scenario("30s")
    # Austin's agent (1) takes ticket 0; ticket 1 waits until it is 30 s old, then
    # Manila's agent (0) takes it; Dublin (2) is not in the rule and never takes one.
    r = run(sc, make_tickets([1.0, 2.0, 3.0], 10.0))
    assert r.first_agent.tolist() == [1, 0, 1]
    np.testing.assert_allclose(r.first_response, [1.0, 2.5, 11.0])


def test_overflow_prefers_the_first_team_even_when_the_next_idled_longer() -> None:
    sc = overflow_scenario("0s")
    # With no wait both teams take the queue, but Austin first: its agent was idle for
    # less time than Manila's, and still gets every ticket it is free for.
    r = run(sc, make_tickets([1.0 + 10 * k for k in range(5)], 5.0))
    assert r.first_agent.tolist() == [1] * 5
    r = run(sc, make_tickets([1.0, 2.0], 10.0))
    assert r.first_agent.tolist() == [1, 0]


def test_overflow_teams_must_answer_the_queue() -> None:
    with pytest.raises(ValueError, match=r"routing\.overflow\[0\]\.teams: team 'dublin' does"):
        make_scenario(
            routing={
                "overflow": [
                    {"language": "en", "channel": "phone", "teams": ["dublin"], "after": "1m"}
                ]
            },
            teams=[team("dublin", channels=["email"])],
        )


def test_routes_give_each_channel_its_share_of_an_agent() -> None:
    data = {
        "name": "mixed",
        "horizon": {"start": "2026-01-05", "weeks": 1},
        "demand": {
            "streams": [
                {"name": s, "language": "en", "channel": s, "region": "UTC", "tickets_per_week": 10}
                for s in ("chat", "messaging", "phone")
            ]
        },
        "channels": {
            "chat": {"handle_minutes": 10, "concurrency": 2},
            "messaging": {"kind": "live", "handle_minutes": 10, "concurrency": 3},
        },
        "teams": [team("blend", channels=["chat", "messaging", "phone"])],
    }
    sc = scenario_from_data(data)
    queues, _ = build_queues(sc)
    routes = build_routes(sc, queues)
    assert team_capacity(sc) == [6]
    units = {queues[q].channel: u for q, _w, u in routes.serve[0]}
    assert units == {"chat": 3, "messaging": 2, "phone": 6}


def test_a_custom_live_channel_holds_its_concurrency() -> None:
    sc = make_scenario(
        {"demand.streams.0.channel": "messaging"},
        channels={"messaging": {"kind": "live", "handle_minutes": 10, "concurrency": 3}},
        teams=[team("a", channels=["messaging"])],
    )
    r = run(sc, make_tickets([1.0, 2.0, 3.0, 4.0], 10.0))
    np.testing.assert_allclose(r.first_response, [1.0, 2.0, 3.0, 11.0])
    assert (r.outcome == OUTCOME_HANDLED).all()
