"""Properties of any simulated run (Hypothesis draws small random scenarios)."""

from __future__ import annotations

from typing import Any

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from scenarios import scenario_from_data
from sim.engine import OUTCOME_DEFLECTED, OUTCOME_OPEN, run_replication

LANGS = ["en", "de", "fr"]
CHANNELS = ["phone", "chat", "email"]


@st.composite
def scenarios(draw: st.DrawFn) -> Any:
    n_streams = draw(st.integers(1, 3))
    streams = [
        {
            "name": f"s{i}",
            "language": draw(st.sampled_from(LANGS)),
            "channel": draw(st.sampled_from(CHANNELS)),
            "region": draw(st.sampled_from(["UTC", "America/New_York", "Asia/Manila"])),
            "tickets_per_week": draw(st.integers(50, 1500)),
            "profile": draw(st.sampled_from(["24x7", "business_hours", "extended_hours"])),
            "priority_mix": draw(
                st.sampled_from([{"normal": 1.0}, {"urgent": 0.2, "normal": 0.8}])
            ),
        }
        for i in range(n_streams)
    ]
    teams = []
    for g in range(draw(st.integers(1, 3))):
        teams.append(
            {
                "name": f"t{g}",
                "timezone": draw(st.sampled_from(["UTC", "Europe/Dublin", "Asia/Manila"])),
                "agents": draw(st.integers(0, 4)),
                "languages": draw(st.lists(st.sampled_from(LANGS), min_size=1, unique=True)),
                "channels": draw(st.lists(st.sampled_from(CHANNELS), min_size=1, unique=True)),
                "tier": draw(st.sampled_from([1, 1, 2])),
                "hourly_cost": 20,
                "shifts": [
                    {
                        "days": draw(st.sampled_from(["Mon-Fri", "Mon-Sun", "Sat,Sun"])),
                        "start": draw(st.sampled_from(["00:00", "07:30", "16:00", "22:00"])),
                        "hours": draw(st.sampled_from([4, 8, 10])),
                    }
                ],
            }
        )
    escalate = any(t["tier"] == 2 for t in teams) and draw(st.booleans())
    data: dict[str, Any] = {
        "name": "prop",
        "horizon": {"start": "2026-03-27", "weeks": 3 / 7, "interval_minutes": 60},
        "seed": draw(st.integers(0, 10_000)),
        "demand": {"deflection": draw(st.sampled_from([0.0, 0.3])), "streams": streams},
        "channels": {
            "phone": {"handle_minutes": {"mean": 6}, "patience_minutes": {"mean": 3}},
            "chat": {
                "handle_minutes": {"mean": 10},
                "patience_minutes": {"mean": 6},
                "concurrency": draw(st.integers(1, 3)),
            },
            "email": {"handle_minutes": {"mean": 8}, "touches": 1.8, "customer_reply_hours": 2},
        },
        "reopen_rate": draw(st.sampled_from([0.0, 0.1])),
        "shrinkage": draw(st.sampled_from([0.0, 0.2])),
        "shift_templates": {"break": {"after_hours": 3, "minutes": 30}},
        "teams": teams,
    }
    if escalate:
        data["escalation"] = {"rate": 0.2, "to_tier": 2}
    return scenario_from_data(data, "property scenario")


PROPERTY_SETTINGS = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@PROPERTY_SETTINGS
@given(scenarios())
def test_run_invariants(scenario: Any) -> None:
    r = run_replication(scenario, scenario.seed, 0)
    t = r.tickets
    # Nobody is answered before arriving; resolution never precedes first response.
    answered = np.isfinite(r.first_response)
    assert np.all(r.first_response[answered] >= t.arrival[answered] - 1e-9)
    done = np.isfinite(r.resolved) & answered
    assert np.all(r.resolved[done] >= r.first_response[done] - 1e-9)
    # Conservation: arrived = deflected + handled + abandoned + open at the horizon.
    counts = np.bincount(r.outcome, minlength=4)
    assert counts.sum() == len(t)
    assert counts[OUTCOME_DEFLECTED] == int(t.deflected.sum())
    assert np.all(np.isnan(r.first_response[r.outcome == OUTCOME_DEFLECTED]))
    # Open tickets were never resolved.
    assert np.all(np.isnan(r.resolved[r.outcome == OUTCOME_OPEN]))
    # Busy agents never exceed agents on shift at sampled instants.
    assert np.all(r.sample_busy <= r.sample_on_shift)
    _every_touch_starts_inside_its_agents_window(r)
    _no_agent_handles_a_skill_it_lacks(scenario, r)


def _every_touch_starts_inside_its_agents_window(r: Any) -> None:
    s = r.staffing.shifts
    s = s[~s["absent"]]
    for agent, start in zip(r.touch_agent, r.touch_start, strict=True):
        mine = s[s["agent_index"] == agent]
        inside = (
            (mine["start"] <= start + 1e-9)
            & (start < mine["end"] - 1e-9)
            & ~((mine["break_start"] <= start) & (start < mine["break_end"]))
        )
        assert inside.any(), f"agent {agent} started a touch at {start} outside its shifts"


def _no_agent_handles_a_skill_it_lacks(scenario: Any, r: Any) -> None:
    team_of = r.staffing.agents["team_index"].to_numpy()
    for agent, q in zip(r.touch_agent, r.touch_queue, strict=True):
        team = scenario.teams[team_of[agent]]
        queue = r.queues[q]
        assert queue.language in team.languages
        assert queue.channel in team.channels
        assert queue.tier == team.tier
