"""Reports: figure functions on small tables, escaping, self-containedness and size.

The builders at the top make synthetic run, comparison and optimize inputs of the shapes
``sim.runner.summarize`` and the optimizer produce; the browser tests reuse them.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import pytest
from report_samples import OPTIMIZE

from reports import figures as F
from reports import render_comparison_report, render_optimize_report, render_run_report
from reports import tables as T
from reports.html import figure_json

EVIL = "<script>alert(1)</script>"
EVIL_ESCAPED = "&lt;script&gt;alert(1)&lt;/script&gt;"
CHANNELS = ("email", "chat", "phone")
TARGETS = {"email": 240.0, "chat": 1.0, "phone": 1 / 3}


def synthetic_run(
    name: str = "demo",
    *,
    tickets: int = 5_000,
    weeks: int = 1,
    timezone: str = "Europe/Dublin",
    label: str = "",
    seed: int = 0,
) -> tuple[dict[str, Any], dict[str, pd.DataFrame], dict[str, Any]]:
    """A run's (summary, tables, scenario data); ``label`` is prefixed to every user name."""
    rng = np.random.default_rng(seed)
    queues = [(f"{label}en/{c}/normal", "en", c) for c in CHANNELS]
    teams = [f"{label}dublin", f"{label}manila"]
    streams = [f"{label}en-{c}" for c in CHANNELS]
    currency = label or "EUR"
    # Tickets: exponential waits; about 3% never answered (abandoned).
    q_index = rng.integers(0, len(queues), tickets)
    waits = rng.exponential(2.0, tickets) * np.where(q_index == 0, 60, 1)
    abandoned = rng.random(tickets) < 0.03
    waits[abandoned] = np.nan
    start = pd.Timestamp("2026-03-02", tz="UTC")
    ticket_frame = pd.DataFrame(
        {
            "replication": 0,
            "ticket_id": np.arange(tickets),
            "stream": [streams[i] for i in q_index],
            "queue": [queues[i][0] for i in q_index],
            "language": "en",
            "channel": [queues[i][2] for i in q_index],
            "arrival": start + pd.to_timedelta(rng.uniform(0, weeks * 10080, tickets), unit="min"),
            "first_response_minutes": waits,
            "outcome": np.where(abandoned, "abandoned", "handled"),
        }
    )
    # Intervals: half-hours x queues, staffed 0 at night (coverage gaps with arrivals).
    n_int = weeks * 7 * 48
    starts = start + pd.to_timedelta(np.arange(n_int) * 30, unit="min")
    hour = starts.hour.to_numpy()
    rows = []
    for label_q, lang, channel in queues:
        staffed = np.where((hour >= 7) & (hour < 19), rng.uniform(2, 6, n_int), 0.0)
        rows.append(
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "queue": label_q,
                    "language": lang,
                    "channel": channel,
                    "priority": "normal",
                    "tier": 1,
                    "arrivals": rng.poisson(3, n_int).astype(float),
                    "attainment": rng.uniform(0.5, 1.0, n_int),
                    "backlog": rng.poisson(4, n_int).astype(float),
                    "staffed": staffed,
                    "required": np.full(n_int, np.nan),
                }
            )
        )
    intervals = pd.concat(rows, ignore_index=True)
    agents = pd.DataFrame(
        {
            "agent": [f"{teams[i % 2]}-{i:03d}" for i in range(20)],
            "team": [teams[i % 2] for i in range(20)],
            "week_start": "2026-03-02",
            "week": 0,
            "hours": rng.uniform(30, 45, 20),
            "available_hours": 35.0,
            "overtime_hours": 0.5,
            "shifts": 5,
            "days_worked": 5,
            "nights": 0,
            "rest_violations": 0,
            "min_rest_hours": 14.0,
            "max_consecutive_days": 5,
            "busy_hours": 20.0,
            "occupancy": rng.uniform(0.5, 0.95, 20),
        }
    )
    over_hours = agents["hours"] > 40
    over_occ = agents["occupancy"] > 0.85
    agents["violations"] = [
        ";".join(r for r, hit in (("hours", h), ("occupancy", o)) if hit)
        for h, o in zip(over_hours, over_occ, strict=True)
    ]
    agents["at_risk"] = over_hours | over_occ
    agents["replication"] = 0
    costs = pd.DataFrame(
        {
            "team": teams,
            "paid_hours": [400.0, 300.0],
            "base": [12_000.0, 3_300.0],
            "night_premium": [0.0, 200.0],
            "weekend_premium": [500.0, 100.0],
            "holiday_premium": [0.0, 0.0],
            "overtime": [150.0, 40.0],
        }
    )
    costs["total"] = costs[
        ["base", "night_premium", "weekend_premium", "holiday_premium", "overtime"]
    ].sum(axis=1)
    occupancy = pd.DataFrame(
        [
            {
                "team": t,
                "hour_of_week": h,
                "busy": 1.0,
                "available": 2.0,
                "occupancy": float(rng.uniform(0.3, 0.95)),
            }
            for t in teams
            for h in range(168)
            if 7 <= h % 24 < 19
        ]
    )
    by_queue = [
        {
            "language": "en",
            "channel": c,
            "priority": "normal",
            "tier": 1,
            "queue": q,
            "arrived": tickets / 3,
            "target_minutes": TARGETS[c],
            "goal": 0.8,
            "attainment": a,
            "attainment_ci95": [a - 0.03, min(1.0, a + 0.03)],
            "goal_met": a >= 0.8,
            "mean_first_response_minutes": 2.0,
            "abandonment_rate": 0.03,
        }
        for (q, _, c), a in zip(queues, (0.92, 0.75, 0.85), strict=True)
    ]
    total = float(costs["total"].sum())
    summary = {
        "scenario": name,
        "description": f"{label}a synthetic run",
        "replications": 1,
        "seed": seed,
        "horizon": {
            "start": "2026-03-02",
            "weeks": weeks,
            "timezone": timezone,
            "interval_minutes": 30,
        },
        "tickets": {
            "arrived": float(tickets),
            "deflected": 0.0,
            "handled": float((~abandoned).sum()),
            "abandoned": float(abandoned.sum()),
            "open": 0.0,
        },
        "first_response": {
            "mean_minutes": 2.5,
            "p50_minutes": 0.5,
            "p90_minutes": 6.0,
            "p95_minutes": 9.0,
        },
        "sla": {
            "attainment": 0.86,
            "goal_met": False,
            "queues_meeting_goal": 2,
            "queues_with_goal": 3,
            "abandoned_count_as_missed": True,
        },
        "by_queue": by_queue,
        "resolution": {"mean_hours": 3.0, "p90_hours": 9.0},
        "occupancy": {"mean": 0.7, "max_agent": 0.95, "cap": 0.85},
        "cost": {
            "currency": currency,
            "staff_total": total,
            "per_week": total / weeks,
            "per_ticket": total / tickets,
            "paid_hours": 700.0,
            "premiums": {"night": 200.0, "weekend": 600.0, "holiday": 0.0, "overtime": 190.0},
            "by_team": dict(zip(teams, costs["total"], strict=True)),
            "missed_sla_tickets": 700.0,
            "revenue_at_risk": 12_345.0,
            "revenue_at_risk_per_week": 12_345.0 / weeks,
            "per_contact": total / tickets,
            "per_handled_ticket": total / float((~abandoned).sum()),
            "by_queue_group": [
                {
                    "language": f"{label}en",
                    "channel": c,
                    "busy_hours": 100.0 * (i + 1),
                    "contacts": tickets / 3,
                    "total": total * share,
                    "per_week": total * share / weeks,
                    "per_contact": total * share / (tickets / 3),
                    "share": share,
                }
                for i, (c, share) in enumerate(zip(CHANNELS, (0.5, 0.3, 0.2), strict=True))
            ],
        },
        "burnout": {
            "agents": 20,
            "agents_at_risk": int(agents["at_risk"].sum()),
            "agent_weeks_at_risk": int(agents["at_risk"].sum()),
            "violations": 9,
            "violations_by_rule": {"hours": 5, "occupancy": 4},
        },
        "coverage_gaps": [
            {
                "language": "en",
                "channel": c,
                "hours_per_week_uncovered": 84.0,
                "tickets_per_week_in_gaps": 150.0,
            }
            for c in CHANNELS
        ],
    }
    scenario = {
        "name": name,
        "description": summary["description"],
        "horizon": summary["horizon"],
        "seed": seed,
        "demand": {
            "deflection": 0.0,
            "streams": [
                {
                    "name": s,
                    "language": "en",
                    "channel": c,
                    "region": "Europe/London",
                    "country": "GB",
                    "tickets_per_week": tickets / 3 / weeks,
                    "profile": "business_hours",
                    "priority_mix": {"normal": 1.0},
                }
                for s, c in zip(streams, CHANNELS, strict=True)
            ],
        },
        "channels": {
            "chat": {
                "handle_minutes": {"mean": 10, "cv": 0.9},
                "patience_minutes": {"mean": 5},
                "concurrency": 2,
            }
        },
        "service_levels": [
            {"channel": c, "answer_within": f"{TARGETS[c]:g}m", "goal": 0.8} for c in CHANNELS
        ],
        "teams": [
            {
                "name": t,
                "timezone": "Europe/Dublin",
                "agents": 10,
                "languages": ["en"],
                "channels": list(CHANNELS),
                "tier": 1,
                "hourly_cost": 30.0,
                "shifts": [{"days": "Mon-Fri", "start": "07:00", "hours": 8, "agents": 10}],
            }
            for t in teams
        ],
        "shrinkage": 0.3,
        "costs": {"currency": currency, "night_premium": 0.25},
        "labor_rules": {
            "max_hours_per_week": 40,
            "min_rest_hours": 11,
            "max_consecutive_days": 5,
            "max_occupancy": 0.85,
            "max_night_shifts_per_week": 3,
            "min_days_off_per_week": 2,
        },
    }
    data = {
        "tickets": ticket_frame,
        "intervals": intervals,
        "agents": agents,
        "costs": costs,
        "occupancy": occupancy,
    }
    return summary, data, scenario


def synthetic_comparison(label: str = "") -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(comparison, by_queue, meta) for three scenarios, the first the reference, built by
    ``sim.whatif.comparison_tables`` from summaries as ``compare`` does."""
    from sim.summary import Summary
    from sim.whatif import comparison_tables

    names = [f"{label}baseline", f"{label}surge", f"{label}bot"]
    # (cost per week, attainment, cost per contact, p90 minutes, occupancy, rule breaks,
    #  revenue at risk per week)
    figures = [
        (100_000.0, 0.90, 10.0, 2.0, 0.6, 10, 5_000.0),
        (100_000.0, 0.70, 6.0, 30.0, 0.85, 40, 50_000.0),
        (90_000.0, 0.95, 12.0, 1.0, 0.5, 5, 2_000.0),
    ]
    summaries = [
        Summary.from_json(
            {
                "scenario": name,
                "replications": 3,
                "horizon": {"weeks": 1.0},
                "sla": {"attainment": att, "queues_meeting_goal": 2, "queues_with_goal": 3},
                "first_response": {"p90_minutes": p90},
                "occupancy": {"mean": occ},
                "burnout": {"violations": breaks},
                "cost": {
                    "currency": label or "USD",
                    "weeks": 1.0,
                    "per_week": cost,
                    "per_contact": per_contact,
                    "per_handled_ticket": per_contact * 1.2,
                    "revenue_at_risk": risk,
                    "revenue_at_risk_per_week": risk,
                },
                "by_queue": [
                    {
                        "queue": f"{label}en/{c}/normal",
                        "channel": c,
                        "attainment": a,
                        "attainment_ci95": [a - 0.02, min(1.0, a + 0.02)],
                        "goal": 0.8,
                    }
                    for c, a in zip(CHANNELS, (att, att - 0.05, att + 0.02), strict=True)
                ],
            }
        )
        for name, (cost, att, per_contact, p90, occ, breaks, risk) in zip(
            names, figures, strict=True
        )
    ]
    comparison, by_queue = comparison_tables(summaries)
    return comparison, by_queue, {"title": f"{label}what-ifs", "replications": 3}


def synthetic_roster(agents: int = 30, days: int = 14, label: str = "") -> pd.DataFrame:
    """A roster: 8-hour shifts, five days in seven, start times as ISO 8601 with offset."""
    rows = []
    zones = {"dublin": "Europe/Dublin", "austin": "America/Chicago", "manila": "Asia/Manila"}
    names = list(zones)
    for i in range(agents):
        team = names[i % len(names)]
        for d in pd.date_range("2026-03-02", periods=days, freq="D"):
            if (d.day_of_week + i) % 7 in (5, 6):
                continue
            start = pd.Timestamp(d.date()).tz_localize(zones[team]) + pd.Timedelta(hours=8)
            rows.append(
                {
                    "agent": f"{label}{team}-{i:03d}",
                    "team": f"{label}{team}",
                    "date": d.date().isoformat(),
                    "start": start.isoformat(),
                    "end": (start + pd.Timedelta(hours=8)).isoformat(),
                }
            )
    return pd.DataFrame(rows)


def synthetic_coverage(groups: int = 2, days: int = 7, label: str = "") -> pd.DataFrame:
    """Required against scheduled agents per half-hour; scheduled short in a few intervals."""
    starts = pd.date_range("2026-03-02", periods=days * 48, freq="30min", tz="UTC")
    phase = np.arange(len(starts)) / 48 * 2 * np.pi
    frames = []
    for g in range(groups):
        required = np.clip(6 + 5 * np.sin(phase + g), 0, None)
        scheduled = np.ceil(required)
        scheduled[::17] -= 2
        frames.append(
            pd.DataFrame(
                {
                    "interval_start": starts,
                    "group": f"{label}group-{g}",
                    "required": required,
                    "scheduled": np.clip(scheduled, 0, None),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


# --------------------------------------------------------------------------- helpers


def figure_specs(page: str) -> dict[str, dict[str, Any]]:
    """The figure JSON blocks of a page, parsed, by id."""
    found = re.findall(
        r'<script type="application/json" id="([^"]+)">(.*?)</script>', page, flags=re.S
    )
    return {key: json.loads(text) for key, text in found}


def strings(node: Any) -> Iterator[str]:
    """Every string inside a JSON value."""
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from strings(value)
    elif isinstance(node, list):
        for value in node:
            yield from strings(value)


def axis_title(fig: go.Figure, axis: str = "xaxis") -> str:
    return str(fig.layout[axis].title.text or "")


def n_points(trace: Any) -> int:
    for attr in ("z", "x", "y"):
        value = getattr(trace, attr, None)
        if value is not None and len(value):
            return len(value)
    return 0


@pytest.fixture(scope="module")
def run() -> tuple[dict[str, Any], dict[str, pd.DataFrame], dict[str, Any]]:
    return synthetic_run()


# --------------------------------------------------------------------------- figures


def test_attainment_dots_split_met_and_missed_with_goal_marks(run: Any) -> None:
    summary, _, _ = run
    frame = T.queue_attainment(summary["by_queue"])
    fig = F.plot_attainment_by_queue(frame)
    names = [t.name for t in fig.data]
    assert names == ["meets goal", "misses goal", "goal"]
    met, missed, goal = fig.data
    assert list(met.y) == ["en/email/normal", "en/phone/normal"]
    assert list(missed.y) == ["en/chat/normal"] and missed.marker.symbol == "x"
    assert met.error_x.array is not None and len(goal.x) == 3
    assert "%" in axis_title(fig) and fig.layout.xaxis.tickformat == ".0%"


def test_first_response_ecdf_is_a_few_quantiles_ending_at_the_answered_share(run: Any) -> None:
    _, data, summary_q = run[0], run[1], run[0]["by_queue"]
    ecdf = T.compute_first_response_ecdf(data["tickets"], points=200)
    assert len(ecdf) == 200 * len(CHANNELS)
    tickets = data["tickets"]
    for channel, part in ecdf.groupby("channel"):
        mine = tickets[tickets["channel"] == channel]
        answered = mine["first_response_minutes"].notna().mean()
        assert part["share"].iloc[-1] == pytest.approx(answered)
        assert part["share"].is_monotonic_increasing and part["minutes"].is_monotonic_increasing
    fig = F.plot_first_response_ecdf(ecdf, T.channel_targets(summary_q))
    assert [t.name.split(" (")[0] for t in fig.data] == ["email", "chat", "phone"]
    assert all(n_points(t) == 200 for t in fig.data)
    assert fig.layout.xaxis.type == "log" and "first response time" in axis_title(fig)
    assert len(fig.layout.shapes) == 3  # one dashed line per target
    assert all("target" in a.text for a in fig.layout.annotations)


def test_hour_of_week_uses_the_reporting_time_zone() -> None:
    intervals = pd.DataFrame(
        {
            "interval_start": pd.to_datetime(["2026-01-05T00:00Z", "2026-01-05T00:30Z"]),
            "queue": "q",
            "tier": 1,
            "arrivals": [2.0, 0.0],
            "attainment": [0.5, np.nan],
            "backlog": 0.0,
            "staffed": [0.0, 3.0],
            "required": np.nan,
        }
    )
    how = T.compute_hour_of_week(intervals, "America/New_York")
    # Monday 00:00 UTC is Sunday 19:00 in New York.
    assert how["hour_of_week"].tolist() == [6 * 24 + 19]
    row = how.iloc[0]
    assert row["staffed"] == pytest.approx(1.5) and row["attainment"] == pytest.approx(0.5)
    assert row["uncovered_per_week"] == pytest.approx(2.0)


def test_coverage_heatmap_marks_zero_coverage_and_falls_back_to_staffed(run: Any) -> None:
    _, data, _ = run
    how = T.compute_hour_of_week(data["intervals"], "Europe/Dublin")
    fig = F.plot_coverage_heatmap(how, "Europe/Dublin")
    heat, marks = fig.data
    assert isinstance(heat, go.Heatmap) and np.asarray(heat.z).shape == (3, 168)
    assert heat.colorscale is not None and heat.zmid is None  # staffed only: sequential
    assert "requirement not available" in fig.layout.title.text
    assert marks.name == "nobody on shift while tickets arrive" and len(marks.x) > 0
    assert "Europe/Dublin" in axis_title(fig)
    with_required = data["intervals"].assign(required=2.0)
    fig = F.plot_coverage_heatmap(T.compute_hour_of_week(with_required, "UTC"), "UTC")
    heat = fig.data[0]
    assert heat.zmin == pytest.approx(-2.0) and heat.zmax > 0  # nobody on at night: -2
    assert "required" in heat.colorbar.title.text
    # Zero is white wherever it falls, so a small shortfall is as visible as a big surplus.
    zero = -heat.zmin / (heat.zmax - heat.zmin)
    assert [zero, "#F7F7F7"] in [list(stop) for stop in heat.colorscale]


def test_attainment_heatmap_and_occupancy_heatmap(run: Any) -> None:
    _, data, _ = run
    how = T.compute_hour_of_week(data["intervals"], "UTC")
    fig = F.plot_attainment_heatmap(how, "UTC")
    assert fig.data[0].zmin == 0 and fig.data[0].zmax == 1
    assert "%" in fig.data[0].colorbar.title.text
    fig = F.plot_occupancy_heatmap(data["occupancy"], "UTC", cap=0.85)
    heat, over = fig.data
    assert list(heat.y) == ["dublin", "manila"] and np.asarray(heat.z).shape == (2, 168)
    assert over.name == "above the 85% occupancy cap" and len(over.x) > 0
    assert "UTC" in axis_title(fig)


def test_backlog_is_drawn_in_local_time_per_channel(run: Any) -> None:
    _, data, _ = run
    backlog = T.compute_backlog(data["intervals"])
    fig = F.plot_backlog(backlog, "America/New_York")
    assert [t.name for t in fig.data] == list(CHANNELS)
    assert pd.Timestamp(fig.data[0].x[0]) == pd.Timestamp("2026-03-01 19:00")
    assert "America/New_York" in axis_title(fig) and "count" in axis_title(fig, "yaxis")
    thin = F.plot_backlog(backlog, "UTC", max_points=100)
    assert all(n_points(t) <= 100 for t in thin.data)


def test_cost_breakdown_stacks_components_per_week(run: Any) -> None:
    _, data, _ = run
    per_week = T.compute_cost_per_week(data["costs"], weeks=2, currency="EUR")
    assert per_week["total"].sum() == pytest.approx(data["costs"]["total"].sum() / 2)
    fig = F.plot_cost_breakdown(per_week)
    assert [t.name for t in fig.data] == [
        "base pay",
        "night premium",
        "weekend premium",
        "overtime",
    ]  # holiday is all zero
    assert fig.layout.barmode == "stack" and axis_title(fig) == "cost (EUR per week)"


def test_comparison_figures() -> None:
    comparison, by_queue, _ = synthetic_comparison()
    fig = F.plot_cost_vs_sla(comparison)
    assert [t.name for t in fig.data] == ["baseline", "surge", "bot"]
    assert fig.data[0].marker.symbol == "diamond"
    assert "USD per week" in axis_title(fig) and "%" in axis_title(fig, "yaxis")
    fig = F.plot_attainment_comparison(by_queue)
    assert [t.name for t in fig.data] == ["baseline", "surge", "bot", "goal"]
    assert all(len(t.x) == 3 for t in fig.data) and fig.layout.barmode == "group"
    assert fig.data[0].error_x.array is not None


def test_roster_gantt_is_one_trace_per_team_in_local_time() -> None:
    roster = synthetic_roster(agents=150, days=28)
    fig = F.plot_roster_gantt(roster, "Europe/Dublin")
    assert [t.name for t in fig.data] == ["dublin", "austin", "manila"]
    assert sum(len(t.x) for t in fig.data) == len(roster)
    assert all(v == pytest.approx(8 * 3.6e6) for v in fig.data[0].x)
    # Dublin 08:00 local in March (UTC+0) stays 08:00 on a Dublin axis.
    assert fig.data[0].base[0].endswith("08:00")
    assert fig.layout.xaxis.type == "date" and "Europe/Dublin" in axis_title(fig)
    assert len(fig.layout.yaxis.categoryarray) == 150
    assert len(figure_json(fig)) < 1_000_000


def test_required_vs_scheduled_panels_and_shortfalls() -> None:
    coverage = synthetic_coverage(groups=2, days=7)
    fig = F.plot_required_vs_scheduled(coverage, "Asia/Manila")
    assert [t.name for t in fig.data] == ["scheduled", "required", "shortfall"] * 2
    assert n_points(fig.data[0]) == 7 * 48
    shortfall = fig.data[2]
    assert len(shortfall.x) > 0 and all(np.asarray(shortfall.customdata) > 0)
    assert "Asia/Manila" in str(fig.layout.xaxis2.title.text)
    assert fig.layout.yaxis.title.text == "agents"


def test_empty_inputs_give_a_figure_that_says_why() -> None:
    fig = F.plot_backlog(pd.DataFrame(columns=["interval_start", "channel", "backlog"]), "UTC")
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == "No intervals."


# --------------------------------------------------------------------------- pages


def test_run_report_has_every_section_and_figure(run: Any) -> None:
    page = render_run_report(*run)
    for section in (
        "headline",
        "sla",
        "first-response",
        "coverage",
        "backlog",
        "occupancy",
        "burnout",
        "cost",
        "scenario",
    ):
        assert f'<section id="{section}">' in page
    specs = figure_specs(page)
    assert set(specs) == {
        "spec-sla-attainment",
        "spec-first-response-ecdf",
        "spec-coverage-staffing",
        "spec-coverage-attainment",
        "spec-backlog-backlog",
        "spec-occupancy-occupancy",
        "spec-cost-by-team",
        "spec-cost-by-queue-group",
    }
    assert all(spec["data"] for spec in specs.values())
    assert "abandoned tickets count as misses" in page.lower()
    assert "MISSED" in page.upper() and "MET" in page.upper()


@pytest.mark.parametrize("kind", ["run", "comparison", "optimize"])
def test_user_strings_are_escaped_everywhere(kind: str) -> None:
    if kind == "run":
        page = render_run_report(*synthetic_run(EVIL, label=EVIL))
    elif kind == "comparison":
        comparison, by_queue, meta = synthetic_comparison(label=EVIL)
        page = render_comparison_report(comparison, by_queue, {**meta, "note": EVIL})
    else:
        summary, data, scenario = synthetic_run(EVIL, label=EVIL)
        page = render_optimize_report(
            summary,
            data,
            scenario,
            {**OPTIMIZE, "note": EVIL},
            synthetic_roster(label=EVIL),
            synthetic_coverage(label=EVIL),
        )
    assert EVIL not in page
    assert EVIL.upper() not in page.upper()
    assert EVIL_ESCAPED in page  # shown as text in the HTML
    # Inside figures the names are escaped for Plotly's text renderer and JSON-escaped.
    specs = figure_specs(page)
    labels = [s for spec in specs.values() for s in strings(spec) if "alert(1)" in s]
    assert labels, "the evil names should appear in figure labels"
    assert all("<script" not in s for s in labels)
    assert any(EVIL_ESCAPED in s for s in labels)
    # Only our own three inline scripts and JSON data blocks.
    scripts = re.findall(r"<script\b([^>]*)>", page, flags=re.I)
    assert sum(1 for attrs in scripts if attrs == "") == 3
    assert all(attrs == "" or attrs.startswith(' type="application/json"') for attrs in scripts)


def without_plotly_js(page: str) -> str:
    """The page minus the embedded plotly.js bundle (whose strings mention URLs)."""
    from reports.html import _plotly_js

    js, _ = _plotly_js()
    assert page.count(js) == 1, "plotly.js must be embedded exactly once"
    return page.replace(js, "")


def test_pages_are_self_contained(run: Any) -> None:
    comparison, by_queue, meta = synthetic_comparison()
    pages = [
        render_run_report(*run),
        render_comparison_report(comparison, by_queue, meta),
        render_optimize_report(None, None, run[2], OPTIMIZE, synthetic_roster(), None),
    ]
    for page in pages:
        rest = without_plotly_js(page)
        assert not re.search(r"https?://", rest)
        assert not re.search(r"<(script|img|iframe)[^>]+src=", page, flags=re.I)
        assert not re.search(r"<link\b", page, flags=re.I)
        assert "@import" not in rest and "url(" not in rest
        assert "MathJax" not in rest
        csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page)
        assert csp and "default-src &#x27;none&#x27;" in csp.group(1)
        assert "connect-src &#x27;none&#x27;" in csp.group(1)


def test_optimize_report_shows_the_solver_and_plan(run: Any) -> None:
    summary, data, scenario = run
    page = render_optimize_report(
        summary, data, scenario, OPTIMIZE, synthetic_roster(), synthetic_coverage()
    )
    assert "optimal" in page and "feasible" in page and "1.54%" in page
    assert "de/chat" in page and "manila needs 20 (has 18)" in page
    specs = figure_specs(page)
    assert "spec-roster-gantt" in specs and "spec-plan-coverage-required" in specs
    assert "spec-sla-attainment" in specs  # the verification run's sections follow
    alone = render_optimize_report(None, None, run[2], OPTIMIZE, synthetic_roster())
    assert "not simulated" in alone and "spec-plan-coverage-required" not in alone


def test_comparison_table_says_better_or_worse() -> None:
    comparison, by_queue, meta = synthetic_comparison()
    page = render_comparison_report(comparison, by_queue, meta)
    # Each figure's row names its unit and period; cells hold the numbers.
    assert "staff cost (USD per week)</th>" in page and "revenue at risk (USD per week)" in page
    # surge: attainment 20 points lower (worse), revenue at risk 45,000 a week higher (worse)
    assert "-20.0 pp · worse" in page and "+45,000 · worse" in page
    # bot: 10,000 a week cheaper (better)
    assert "-10,000 · better" in page
    assert 'class="delta worse"' in page and 'class="delta better"' in page
    # The surge's cheaper contacts are shown, but called neither better nor worse.
    assert '<span class="note">-4.00</span>' in page and "-4.00 · better" not in page
    assert "3 replication(s)" in page
    assert set(figure_specs(page)) == {"spec-cost-sla-scatter", "spec-queues-attainment"}
    # With a paired 95% interval that includes zero the change is not called better/worse.
    noisy = comparison.assign(
        delta_attainment_ci_low=[np.nan, -0.25, -0.01],
        delta_attainment_ci_high=[np.nan, -0.15, 0.11],
    )
    page = render_comparison_report(noisy, by_queue, meta)
    assert "-20.0 pp · worse" in page and "95% CI -25.0 pp to -15.0 pp" in page
    assert "+5.0 pp · within noise" in page and "95% CI -1.0 pp to +11.0 pp" in page
    # The report shows the deltas the table carries and computes none of its own.
    without_deltas = comparison[[c for c in comparison if not c.startswith("delta_")]]
    assert "· worse" not in render_comparison_report(without_deltas, by_queue, meta)


def test_size_does_not_grow_with_the_ticket_count() -> None:
    small = render_run_report(*synthetic_run(tickets=10_000, weeks=4))
    large = render_run_report(*synthetic_run(tickets=1_000_000, weeks=4))
    assert len(large.encode()) < 15_000_000
    assert abs(len(large) - len(small)) < 20_000


# --------------------------------------------------------------------------- sweep


def synthetic_sweep(label: str = "") -> tuple[pd.DataFrame, pd.DataFrame, dict[str, Any]]:
    """(table, marginal, meta) of a 3 x 2 sweep as ``sim.whatif.sweep_table`` and
    ``sim.marginal.marginal_value`` build them; ``label`` is prefixed to keys, names, teams."""
    from sim.summary import Summary
    from sim.whatif import sweep_table

    agents_key, deflection_key = f"{label}teams.dublin.agents", f"{label}demand.deflection"
    axes = {agents_key: ["4", "6", "8"], deflection_key: ["0", "0.3"]}
    points = []
    summaries = []
    for agents in axes[agents_key]:
        for deflection in axes[deflection_key]:
            a, d = int(agents), float(deflection)
            attainment = 0.5 + 0.05 * a + 0.1 * d - 0.004 * a * a
            points.append({agents_key: agents, deflection_key: deflection})
            summaries.append(
                Summary.from_json(
                    {
                        "scenario": f"{label}small [{agents_key}={agents}, {deflection_key}="
                        f"{deflection}]",
                        "replications": 2,
                        "horizon": {"weeks": 1.0},
                        "tickets": {"arrived": 900.0, "abandoned": 200.0 / a},
                        "sla": {
                            "attainment": attainment,
                            "goal_met": attainment >= 0.8,
                            "queues_meeting_goal": int(attainment >= 0.7) + int(attainment >= 0.75),
                            "queues_with_goal": 3,
                        },
                        "first_response": {"p90_minutes": 120.0 / a},
                        "occupancy": {"mean": 0.9 * (1 - d) * 4 / a},
                        "burnout": {
                            "violations": max(0, 6 - a),
                            "agents_at_risk": max(0, 5 - a),
                        },
                        "cost": {
                            "currency": label or "EUR",
                            "weeks": 1.0,
                            "per_week": 1_200.0 * a + 40 * (1 - d),
                            "per_contact": (1_200.0 * a + 40 * (1 - d)) / 900,
                            "per_handled_ticket": 1_200.0 * a / (900 * (1 - d)),
                            "revenue_at_risk": 9_000.0 / a,
                            "revenue_at_risk_per_week": 9_000.0 / a,
                        },
                    }
                )
            )
    table = sweep_table(points, summaries)
    hours = np.arange(168)
    frames = []
    for n, team in enumerate((f"{label}dublin", f"{label}manila")):
        saved = np.clip(np.sin((hours % 24 - 6 - 4 * n) / 24 * 2 * np.pi), 0, None) * (3 - n)
        value = saved * 24.0
        cost = np.where(hours >= 120, 45.0, 30.0) - 5 * n
        frames.append(
            pd.DataFrame(
                {
                    "team": team,
                    "hour_of_week": hours,
                    "tickets_saved_per_agent_hour": saved,
                    "value_per_agent_hour": value,
                    "cost_per_agent_hour": cost,
                    "net_per_agent_hour": value - cost,
                }
            )
        )
    meta = {"file": f"{label}small.yaml", "axes": axes}
    return table, pd.concat(frames, ignore_index=True), meta


SWEEP_FIGURES = {"frontier-scatter", "by-key-key-0", "by-key-key-1", "marginal-heatmap"}


def test_sweep_frontier_marks_the_pareto_points_in_cost_order() -> None:
    from reports.sweep_report import FRONTIER_NAME, plot_sweep_frontier

    table, _, meta = synthetic_sweep()
    fig = plot_sweep_frontier(table, meta["axes"])
    assert len(fig.data) == 2
    other, frontier = fig.data
    assert frontier.name == FRONTIER_NAME and "frontier" in frontier.name
    assert frontier.marker.symbol == "diamond" and other.marker.symbol == "circle"
    assert "lines" in frontier.mode and "lines" not in other.mode
    assert len(frontier.x) == int(table["pareto"].sum()) >= 2
    assert len(frontier.x) + len(other.x) == len(table)
    assert list(frontier.x) == sorted(frontier.x)  # the line runs in cost order
    on = table[table["pareto"]].sort_values("cost_per_week")
    assert list(frontier.y) == pytest.approx(on["attainment"].tolist())
    # Every point's settings are in its hover label.
    assert all(
        "teams.dublin.agents = " in h and "demand.deflection = " in h for h in other.customdata
    )
    assert "EUR per week" in axis_title(fig) and "%" in axis_title(fig, "yaxis")
    assert fig.layout.yaxis.tickformat.endswith("%")
    # The frontier is the table's pareto column (computed once, by sweep_table).
    flipped = table.assign(pareto=~table["pareto"])
    again = plot_sweep_frontier(flipped, list(meta["axes"]))
    assert len(again.data[1].x) == int((~table["pareto"]).sum())
    # Labels read key=value with short key names, and none overlaps another.
    texts = [a.text for a in fig.layout.annotations]
    assert texts and all("agents=" in t and "deflection=" in t for t in texts)


def test_sweep_report_sections_tables_and_marginal_value() -> None:
    from reports import render_sweep_report
    from reports.marginal_report import plot_marginal_heatmap, top_hours

    table, marginal, meta = synthetic_sweep()
    page = render_sweep_report(table, marginal, meta)
    for section in ("frontier", "results", "by-key", "marginal", "details"):
        assert f'<section id="{section}">' in page
    specs = figure_specs(page)
    assert set(specs) == {f"spec-{f}" for f in SWEEP_FIGURES}
    assert all(spec["data"] for spec in specs.values())
    # Frontier rows are marked with a word, one per Pareto point.
    assert page.count("&#x25C6;</span> frontier</span>") == int(table["pareto"].sum())
    assert page.count(">dominated</span>") == int((~table["pareto"]).sum())
    assert "not a simulation" in page and "churn probability" in page
    top = top_hours(marginal)
    assert len(top) == 10 and top["net_per_agent_hour"].is_monotonic_decreasing
    best = top.iloc[0]
    day_hour = f"{('Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun')[best.hour_of_week // 24]} "
    assert f"{day_hour}{best.hour_of_week % 24:02d}:00–" in page
    fig = plot_marginal_heatmap(marginal, "EUR", "Europe/Dublin")
    heat, stars = fig.data
    assert np.asarray(heat.z).shape == (2, 168)
    scale = heat.colorscale
    zero = -heat.zmin / (heat.zmax - heat.zmin)
    assert any(abs(p - zero) < 1e-9 and c == "#F7F7F7" for p, c in scale)  # zero is white
    assert "tickets brought within target" in heat.hovertemplate
    assert "value" in heat.hovertemplate and "cost" in heat.hovertemplate
    assert len(stars.x) == 10 and "Europe/Dublin" in axis_title(fig)
    # A text key is listed, not drawn; an empty marginal table says why.
    texty = table.assign(**{"teams.dublin.agents": table["teams.dublin.agents"] + " agents"})
    page = render_sweep_report(texty, marginal.iloc[0:0], meta)
    assert set(figure_specs(page)) == {"spec-frontier-scatter", "spec-by-key-key-0"}
    assert "No team to estimate." in page


def test_sweep_report_escapes_user_strings_and_is_self_contained() -> None:
    from reports import render_sweep_report

    table, marginal, meta = synthetic_sweep(label=EVIL)
    page = render_sweep_report(table, marginal, {**meta, "note": EVIL})
    assert EVIL not in page
    assert EVIL.upper() not in page.upper()
    assert EVIL_ESCAPED in page
    specs = figure_specs(page)
    assert set(specs) == {f"spec-{f}" for f in SWEEP_FIGURES}
    labels = [s for spec in specs.values() for s in strings(spec) if "alert(1)" in s]
    assert labels and all("<script" not in s for s in labels)
    assert any(EVIL_ESCAPED in s for s in labels)
    scripts = re.findall(r"<script\b([^>]*)>", page, flags=re.I)
    assert sum(1 for attrs in scripts if attrs == "") == 3
    assert all(attrs == "" or attrs.startswith(' type="application/json"') for attrs in scripts)
    rest = without_plotly_js(page)
    assert not re.search(r"https?://", rest)
    assert "connect-src &#x27;none&#x27;" in page


# --------------------------------------------------------------------------- layout


def _layout_problems(spec: dict[str, Any]) -> list[str]:
    """Axis titles longer than their plot (they run into the chart title) and colour-bar
    titles written along the bar or too wide for the right margin."""
    layout = spec["layout"]
    height = layout.get("height") or 450
    margin = {"t": 100, "b": 80, **layout.get("margin", {})}
    room = height - margin["t"] - margin["b"]
    problems = []
    for key, axis in layout.items():
        if not key.startswith("yaxis") or not isinstance(axis, dict):
            continue
        text = re.sub(r"<[^>]+>", "", str((axis.get("title") or {}).get("text") or ""))
        if len(text) * 7.5 > room:
            problems.append(f"{key} title {text!r} is longer than the {room}px plot")
    for trace in spec["data"]:
        bar = trace.get("colorbar")
        if not bar:
            continue
        title = bar.get("title") or {}
        lines = str(title.get("text", "")).split("<br>")
        if title.get("side") != "top" or max(len(x) for x in lines) > 16:
            problems.append(f"colour bar title {title} is not short lines on top")
    return problems


def test_axis_and_colour_bar_titles_fit_their_charts() -> None:
    one_queue = synthetic_run()
    summary, data, scenario = one_queue
    small = {
        **summary,
        "by_queue": summary["by_queue"][:1],
        "cost": {**summary["cost"], "by_queue_group": summary["cost"]["by_queue_group"][:1]},
    }
    comparison, by_queue, meta = synthetic_comparison()
    table, marginal, sweep_meta = synthetic_sweep()
    from reports import render_sweep_report

    pages = {
        "run": render_run_report(*one_queue),
        "one queue": render_run_report(small, data, scenario),
        "comparison": render_comparison_report(comparison, by_queue.head(1), meta),
        "sweep": render_sweep_report(table, marginal, sweep_meta),
    }
    for name, page in pages.items():
        for spec_id, spec in figure_specs(page).items():
            assert _layout_problems(spec) == [], (name, spec_id)


def test_the_footer_says_nothing_when_every_chart_is_drawn(run: Any) -> None:
    page = render_run_report(*run)
    assert "charts drawn" not in page
    assert "Some charts could not be drawn" in page  # only shown when one fails


def test_mapping_tables_write_nested_values_as_lines_not_dumps() -> None:
    from reports.html import mapping_table

    page = mapping_table(
        {
            "goal_met": False,
            "simulated": {
                "cost_per_week": 56861.4,
                "attainment": 0.959443,
                "queues_missing_goal": [{"queue": "de/phone"}, {"queue": "es/phone"}],
            },
        }
    )
    assert "goal met" in page and ">no<" in page
    assert "cost per week:</span> 56,861" in page and "attainment:</span> 0.9594" in page
    assert "queues missing goal:</span><br>" in page and '<hr class="thin">' in page
    assert "{" not in page and "'" not in page
