"""KPIs of the engine's behaviours in summary.json, and the warm-up crop."""

from __future__ import annotations

import copy
from typing import Any

import numpy as np
import pytest
from conftest import BASE, make_scenario

from scenarios import scenario_from_data
from sim import metrics
from sim.engine import OUTCOME_DEFLECTED, OUTCOME_HANDLED, OUTCOME_OPEN, run_replication
from sim.runner import run_replications, summarize


def every_feature() -> dict[str, Any]:
    """A small centre with every engine behaviour switched on."""
    d = copy.deepcopy(BASE)
    d["horizon"] = {"start": "2026-01-05", "weeks": 3 / 7, "warmup_days": 1, "end": "serve"}
    d["demand"] = {
        "streams": [
            {
                "name": "calls",
                "language": "en",
                "channel": "phone",
                "region": "UTC",
                "tickets_per_week": 6000,
                "segments": {"enterprise": 0.2, "smb": 0.8},
            },
            {
                "name": "chats",
                "language": "en",
                "channel": "chat",
                "region": "Europe/Berlin",
                "tickets_per_week": 3000,
                "patience_minutes": {"mean": 8},
            },
            {
                "name": "posts",
                "language": "en",
                "channel": "social",
                "region": "UTC",
                "tickets_per_week": 800,
            },
        ],
        "segments": [
            {
                "name": "enterprise",
                "share": 0.1,
                "priority": "urgent",
                "monthly_value": 3000,
                "answer_within": "30s",
                "goal": 0.9,
            },
            {"name": "smb", "share": 0.9},
        ],
        "surges": [
            {"start": "2026-01-06T10:00", "hours": 1, "multiplier": 0, "streams": ["calls"]}
        ],
    }
    d["channels"] = {
        "phone": {
            "handle_minutes": {"low": 3, "high": 9},
            "patience_minutes": {"mean": 2, "by_hour": [1.5] * 8 + [1.0] * 16},
            "balk_probability": 0.1,
            "retrial": {"probability": 0.7, "after": "10m"},
            "lines": 9,
        },
        "chat": {"handle_minutes": 12, "patience_minutes": 5, "concurrency": 3},
        "social": {"kind": "async", "handle_minutes": 6, "touches": 2, "customer_reply_hours": 2},
    }
    d["routing"] = {
        "agent_selection": "random",
        "overflow": [{"language": "en", "channel": "phone", "teams": ["a", "b"], "after": "20s"}],
    }
    d["service_levels"] = [
        {"channel": "phone", "answer_within": "20s", "goal": 0.8, "resolve_within": "30m"},
        {"channel": "chat", "answer_within": "1m", "goal": 0.8},
        {
            "channel": "social",
            "answer_within": "4h",
            "goal": 0.9,
            "resolve_within": "1d",
            "resolve_goal": 0.7,
        },
    ]
    shifts = [{"days": "Mon-Sun", "start": "00:00", "hours": 24}]
    d["teams"] = [
        {
            "name": "a",
            "timezone": "UTC",
            "agents": 4,
            "languages": ["en"],
            "channels": ["phone", "chat"],
            "hourly_cost": 20,
            "shifts": shifts,
        },
        {
            "name": "b",
            "timezone": "UTC",
            "agents": 4,
            "languages": ["en"],
            "channels": ["phone", "chat", "social"],
            "hourly_cost": 12,
            "shifts": shifts,
        },
    ]
    d["business"] = {"customer_monthly_value": 100, "churn_probability_per_missed_sla": 0.05}
    return d


@pytest.fixture(scope="module")
def run() -> tuple[Any, list[Any], dict[str, Any]]:
    sc = scenario_from_data(every_feature())
    results = run_replications(sc, 2, 4)
    return sc, results, summarize(sc, results).summary


def test_tickets_are_conserved_with_balked_and_blocked(run: Any) -> None:
    _, _results, summary = run
    t = summary["tickets"]
    assert t["arrived"] == pytest.approx(
        t["deflected"] + t["handled"] + t["abandoned"] + t["open"] + t["balked"] + t["blocked"]
    )
    assert t["balked"] > 0 and t["blocked"] > 0
    # Served to the end: nobody who could be served is left open.
    assert t["open"] == 0


def test_contacts_count_attempts_and_retrials(run: Any) -> None:
    _, results, summary = run
    c = summary["contacts"]
    assert c["attempts"] == pytest.approx(c["customers"] + c["retrials"])
    assert c["retrials"] > 0 and c["blocked"] > 0 and c["blocked_in_outage"] > 0
    failed = sum(len(r.failed_kind) for r in results) / len(results)
    assert c["abandoned"] + c["balked"] + c["blocked"] + c["blocked_in_outage"] == pytest.approx(
        failed
    )
    # A retried customer waited longer from the first attempt than from the answered one.
    per_attempt = c["first_response_per_attempt"]["mean_minutes"]
    per_customer = c["first_response_per_customer"]["mean_minutes"]
    assert per_customer > per_attempt > 0
    assert per_customer == pytest.approx(summary["first_response"]["mean_minutes"])


def test_resolution_attainment_by_hand(run: Any) -> None:
    _sc, results, summary = run
    social = next(
        q for q in summary["by_queue"] if q["channel"] == "social" and q["priority"] == "normal"
    )
    assert social["resolution_target_hours"] == 24 and social["resolution_goal"] == 0.7
    met = counted = 0
    for r in results:
        q = next(
            i
            for i, qq in enumerate(r.queues)
            if qq.channel == "social" and qq.priority == "normal" and qq.tier == 1
        )
        mine = (r.ticket_queue == q) & (r.outcome != OUTCOME_DEFLECTED)
        took = r.resolved - r.tickets.arrival
        open_young = (r.outcome == OUTCOME_OPEN) & (r.horizon_minutes - r.tickets.arrival <= 1440)
        counted += int((mine & ~open_young).sum())
        met += int((mine & (r.outcome == OUTCOME_HANDLED) & (took <= 1440)).sum())
    assert social["resolution_attainment"] == pytest.approx(met / counted)
    chat = next(q for q in summary["by_queue"] if q["channel"] == "chat")
    assert chat["resolution_attainment"] is None
    # Phone and social, each normal and urgent (the enterprise segment's priority).
    assert summary["resolution"]["queues_with_goal"] == 4


def test_segments_carry_their_target_and_value(run: Any) -> None:
    sc, results, summary = run
    seg = {s["segment"]: s for s in summary["by_segment"]}
    assert set(seg) == {"enterprise", "smb"}
    assert seg["enterprise"]["target_minutes"] == 0.5 and seg["enterprise"]["monthly_value"] == 3000
    # Revenue at risk adds up over segments, each at its own value.
    assert summary["cost"]["revenue_at_risk"] == pytest.approx(
        seg["enterprise"]["revenue_at_risk"] + seg["smb"]["revenue_at_risk"]
    )
    assert seg["enterprise"]["revenue_at_risk"] == pytest.approx(
        seg["enterprise"]["missed_sla_tickets"] * 0.05 * 3000 * 12
    )
    assert summary["cost"]["missed_sla_tickets"] == pytest.approx(
        seg["enterprise"]["missed_sla_tickets"] + seg["smb"]["missed_sla_tickets"]
    )
    # Enterprise phone tickets are measured against 30 s, not the queue's 20 s.
    r = results[0]
    targets = metrics.ticket_target(
        r, metrics.queue_targets(sc, r.queues), metrics.segment_targets(sc)
    )
    assert r.tickets.segment is not None
    phone = np.array([r.queues[q].channel == "phone" for q in r.ticket_queue])
    assert np.allclose(targets[(r.tickets.segment == 0) & phone], 0.5)
    assert np.allclose(targets[(r.tickets.segment == 1) & phone], 1 / 3)


def test_warmup_is_cropped_off() -> None:
    email = {
        "demand.streams.0.channel": "email",
        "horizon.weeks": 2 / 7,
        "demand.streams.0.tickets_per_week": 5000,
    }
    teams = [{**BASE["teams"][0], "channels": ["email"], "agents": 3}]
    plain = make_scenario(email, teams=teams)
    warm = make_scenario({**email, "horizon.warmup_days": 1}, teams=teams)
    cold_r, warm_r = run_replication(plain, 9, 0), run_replication(warm, 9, 0)
    assert warm_r.horizon_minutes == cold_r.horizon_minutes == 2 * 1440
    assert warm_r.tickets.arrival.min() >= 0 and warm_r.sample_time[0] == 0
    assert len(warm_r.sample_time) == len(cold_r.sample_time)
    # A warmed-up centre starts with a backlog; a cold one with none.
    assert cold_r.sample_backlog[0].sum() == 0 and warm_r.sample_backlog[0].sum() > 0
    # Shifts and touches are those of the horizon (a touch across its start from it).
    assert warm_r.touch_start.min() >= 0
    assert set(warm_r.staffing.shifts["date"]) == set(cold_r.staffing.shifts["date"])
    assert (warm_r.touch_ticket >= -1).all() and (warm_r.touch_ticket == -1).any()
    summary = summarize(warm, [warm_r]).summary
    assert summary["tickets"]["arrived"] == len(warm_r.tickets)
    assert summary["horizon"]["warmup_days"] == 1
