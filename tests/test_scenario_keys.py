"""The scenario keys of the engine's behaviours: what they accept, and the errors they give."""

from __future__ import annotations

import copy
import math
from typing import Any

import numpy as np
import pytest
from conftest import BASE, make_scenario

from scenarios import ScenarioError, scenario_from_data
from sim.demand import draw_durations, generate_tickets, hour_factors


def data(**changes: Any) -> dict[str, Any]:
    d = copy.deepcopy(BASE)
    d.update(changes)
    return d


def error(**changes: Any) -> str:
    with pytest.raises(ScenarioError) as exc:
        scenario_from_data(data(**changes), "s.yaml")
    return str(exc.value)


# --------------------------------------------------------------------------- channel kinds


def test_built_in_channels_keep_their_kinds() -> None:
    sc = make_scenario()
    assert [sc.channel_kind(c) for c in ("phone", "chat", "email")] == ["live", "live", "async"]
    assert sc.concurrency("phone") == 1
    assert sc.concurrency("chat") == 2  # the built-in default
    assert sc.concurrency("email") == 1


def test_a_new_channel_needs_a_kind() -> None:
    msg = error(channels={"social": {"handle_minutes": 8}})
    assert "channels.social.kind: missing (expected live or async" in msg


def test_a_built_in_channel_keeps_its_kind() -> None:
    msg = error(channels={"chat": {"kind": "async", "handle_minutes": 8}})
    assert "channels.chat.kind: found 'async', but chat is always live" in msg


def test_a_channel_used_must_be_defined() -> None:
    streams = copy.deepcopy(BASE["demand"]["streams"])
    streams[0]["channel"] = "social"
    msg = error(demand={"streams": streams})
    assert "demand.streams[0].channel: found channel 'social'" in msg
    assert "kind: async" in msg


def test_channel_names_are_checked() -> None:
    streams = copy.deepcopy(BASE["demand"]["streams"])
    streams[0]["channel"] = "Social Media"
    assert "expected a channel name such as" in error(demand={"streams": streams})


def test_an_async_channel_of_ones_own_takes_touches() -> None:
    streams = copy.deepcopy(BASE["demand"]["streams"])
    streams[0]["channel"] = "social"
    teams = copy.deepcopy(BASE["teams"])
    teams[0]["channels"] = ["social"]
    sc = scenario_from_data(
        data(
            demand={"streams": streams},
            teams=teams,
            channels={"social": {"kind": "async", "handle_minutes": 8, "touches": 3}},
        )
    )
    assert not sc.is_live("social")
    t = generate_tickets(sc, 1, 0)
    assert np.isinf(t.patience).all()
    assert t.n_extra.mean() == pytest.approx(2.0, abs=0.1)


@pytest.mark.parametrize(
    ("key", "value"),
    [("balk_probability", 0.1), ("retrial", {"probability": 0.5, "after": "20m"}), ("lines", 5)],
)
def test_live_only_keys_on_an_async_channel_are_errors(key: str, value: object) -> None:
    msg = error(channels={"email": {"handle_minutes": 8, key: value}})
    assert f"channels.email.{key}: email is asynchronous" in msg


def test_patience_on_an_async_stream_is_an_error() -> None:
    streams = copy.deepcopy(BASE["demand"]["streams"])
    streams[0].update(channel="email", patience_minutes=5)
    msg = error(demand={"streams": streams})
    assert "demand.streams[0].patience_minutes: email is asynchronous" in msg


# --------------------------------------------------------------------------- retrials


def test_retrial_after_is_an_exponential_delay_unless_a_distribution_is_given() -> None:
    sc = make_scenario(
        channels={"phone": {"handle_minutes": 6, "retrial": {"probability": 0.75, "after": "20m"}}}
    )
    after = sc.channel("phone").retrial.after  # type: ignore[union-attr]
    assert (after.mean, after.distribution) == (20.0, "exponential")
    sc = make_scenario(
        channels={
            "phone": {
                "handle_minutes": 6,
                "retrial": {
                    "probability": 0.75,
                    "after": {"mean": 20, "cv": 0.5, "distribution": "gamma"},
                },
            }
        }
    )
    after = sc.channel("phone").retrial.after  # type: ignore[union-attr]
    assert (after.mean, after.cv, after.distribution) == (20.0, 0.5, "gamma")


def test_retrial_probability_is_a_share() -> None:
    msg = error(
        channels={"phone": {"handle_minutes": 6, "retrial": {"probability": 1.5, "after": "2m"}}}
    )
    assert "channels.phone.retrial.probability: found 1.5, expected a number of at most 1" in msg


# --------------------------------------------------------------------------- times


def test_uniform_times_from_bounds_or_mean_and_cv() -> None:
    sc = make_scenario(channels={"phone": {"handle_minutes": {"low": 4, "high": 8}}})
    h = sc.channel("phone").handle_minutes
    assert (h.distribution, h.mean, h.cv) == (
        "uniform",
        6.0,
        pytest.approx(4 / (math.sqrt(12) * 6)),
    )
    draws = draw_durations(np.random.default_rng(1), h, 10_000, "lognormal")
    assert draws.min() >= 4 and draws.max() <= 8 and draws.mean() == pytest.approx(6, abs=0.05)
    sc = make_scenario(
        channels={"phone": {"handle_minutes": {"mean": 6, "cv": 0.2, "distribution": "uniform"}}}
    )
    h = sc.channel("phone").handle_minutes
    assert h.low == pytest.approx(6 - 6 * 0.2 * math.sqrt(3))
    # Written out and read back, a uniform time is the same.
    again = scenario_from_data(sc.to_data())
    assert again.channel("phone").handle_minutes == h


def test_uniform_times_that_would_go_below_zero_are_errors() -> None:
    msg = error(channels={"phone": {"handle_minutes": {"mean": 6, "distribution": "uniform"}}})
    assert "found cv 1 for a uniform time, expected at most 0.577" in msg
    msg = error(channels={"phone": {"handle_minutes": {"low": 5, "high": 2}}})
    assert "channels.phone.handle_minutes: found low 5 and high 2, expected 0 <= low < high" in msg


def test_factors_by_hour_multiply_the_time_of_the_local_hour() -> None:
    factors = [1.0] * 24
    factors[9] = 3.0
    streams = copy.deepcopy(BASE["demand"]["streams"])
    streams[0].update(
        region="America/New_York",
        handle_minutes={"mean": 4, "by_hour": factors, "distribution": "fixed"},
    )
    sc = scenario_from_data(data(demand={"streams": streams}))
    t = generate_tickets(sc, 1, 0)
    # 09:00-10:00 in New York is 14:00-15:00 UTC in January.
    hour_utc = (t.arrival // 60) % 24
    assert np.allclose(t.handle[hour_utc == 14], 12.0)
    assert np.allclose(t.handle[hour_utc != 14], 4.0)
    assert hour_factors(sc.handle_for(sc.demand.streams[0]), np.array([9, 10])).tolist() == [
        3.0,
        1.0,
    ]
    assert "expected 24" in error(
        channels={"phone": {"handle_minutes": {"mean": 3, "by_hour": [1] * 23}}}
    )


def test_a_stream_overrides_its_channels_handle_and_patience() -> None:
    streams = copy.deepcopy(BASE["demand"]["streams"])
    streams[0].update(
        handle_minutes={"mean": 2, "distribution": "fixed"},
        patience_minutes={"mean": 7, "distribution": "fixed"},
    )
    sc = scenario_from_data(data(demand={"streams": streams}))
    t = generate_tickets(sc, 1, 0)
    assert np.allclose(t.handle, 2.0) and np.allclose(t.patience, 7.0)


# --------------------------------------------------------------------------- routing, horizon


def test_overflow_rules_name_existing_teams_once_per_queue() -> None:
    rule = {"language": "en", "channel": "phone", "teams": ["t1", "nope"], "after": "30s"}
    assert "routing.overflow[0].teams names 'nope', expected one of ['t1']" in error(
        routing={"overflow": [rule]}
    )
    rule = {"language": "en", "channel": "phone", "teams": ["t1"], "after": "30s"}
    assert "one overflow rule per language and channel" in error(routing={"overflow": [rule, rule]})
    assert "expected one of 'longest_idle', 'random' or 'ordered'" in error(
        routing={"agent_selection": "fastest"}
    )


def test_horizon_warmup_and_end() -> None:
    sc = make_scenario({"horizon.warmup_days": 2, "horizon.end": "serve"})
    assert (sc.horizon.warmup_days, sc.horizon.end) == (2, "serve")
    assert "horizon.end: found 'drain', expected one of 'cut' or 'serve'" in error(
        horizon={**BASE["horizon"], "end": "drain"}
    )
    assert "horizon.warmup_days: found 40, expected a number of at most 28" in error(
        horizon={**BASE["horizon"], "warmup_days": 40}
    )


# --------------------------------------------------------------------------- targets, segments


def test_resolution_targets_match_like_first_response_targets() -> None:
    sc = make_scenario(
        service_levels=[
            {"channel": "phone", "answer_within": "20s", "goal": 0.8, "resolve_within": "1h"},
            {"channel": "phone", "priority": "urgent", "answer_within": "10s", "goal": 0.9},
            {
                "channel": "phone",
                "language": "en",
                "answer_within": "15s",
                "goal": 0.85,
                "resolve_within": "30m",
                "resolve_goal": 0.7,
            },
        ]
    )
    assert sc.resolution_target_for("en", "phone", "normal") == (30.0, 0.7)
    assert sc.resolution_target_for("de", "phone", "urgent") == (60.0, 0.8)
    assert sc.resolution_target_for("de", "chat", "normal") is None
    msg = error(
        service_levels=[
            {"channel": "phone", "answer_within": "20s", "goal": 0.8, "resolve_goal": 0.5}
        ]
    )
    assert "found resolve_goal without resolve_within" in msg


SEGMENTS = [
    {
        "name": "enterprise",
        "share": 0.1,
        "priority": "urgent",
        "monthly_value": 3000,
        "answer_within": "10s",
        "goal": 0.95,
    },
    {"name": "smb", "share": 0.9},
]


def test_segments_set_priorities_and_mixes() -> None:
    sc = make_scenario(demand={**BASE["demand"], "segments": SEGMENTS})
    stream = sc.demand.streams[0]
    assert sc.priority_shares(stream) == pytest.approx({"urgent": 0.1, "normal": 0.9})
    assert sc.stream_priorities(stream) == {"urgent", "normal"}
    t = generate_tickets(sc, 1, 0)
    assert t.segment is not None
    enterprise = t.segment == 0
    assert enterprise.mean() == pytest.approx(0.1, abs=0.02)
    assert (t.priority[enterprise] == 0).all() and (t.priority[~enterprise] == 2).all()


def test_segment_errors() -> None:
    bad = [{**SEGMENTS[0], "share": 0.5}, SEGMENTS[1]]
    assert "demand.segments shares sum to 1.4, expected them to sum to 1" in error(
        demand={**BASE["demand"], "segments": bad}
    )
    bad = [{"name": "vip", "share": 1.0, "answer_within": "10s"}]
    assert "segment 'vip' has answer_within alone" in error(
        demand={**BASE["demand"], "segments": bad}
    )
    streams = copy.deepcopy(BASE["demand"]["streams"])
    streams[0]["segments"] = {"gold": 1.0}
    assert "streams[0].segments names 'gold'" in error(
        demand={"streams": streams, "segments": SEGMENTS}
    )
