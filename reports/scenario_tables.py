"""The scenario's key parameters as HTML tables (streams, teams, service levels, rules).

Role: show what a run assumed, from the scenario as plain data (``Scenario.to_data()``),
every value escaped.  Tolerant of missing keys: a report of an older or partial scenario
still renders.  Must not import simpy, pyomo, ``sim``, ``optimizer`` or ``scenarios``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports.html import Markup, Section, fmt_num, mapping_table, paragraph, table_html
from sim.summary import Summary, as_summary


def _profile(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        return "custom weekly weights"
    return ""


def _mix(value: object) -> str:
    if isinstance(value, Mapping):
        return ", ".join(f"{k} {float(v):.0%}" for k, v in value.items())
    return ""


def _shifts(value: object) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, Sequence):
        parts = []
        for s in value:
            if isinstance(s, Mapping):
                count = f" x{s['agents']}" if s.get("agents") is not None else ""
                parts.append(
                    f"{s.get('days', '')} {s.get('start', '')} "
                    f"{fmt_num(s.get('hours'), 0)} h{count}"
                )
        return "; ".join(parts)
    return ""


def _list(value: object) -> str:
    if isinstance(value, list | tuple):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def streams_table(scenario: Mapping[str, Any]) -> Markup:
    """Ticket streams: language, channel, region, volume, profile and priority mix."""
    streams = (scenario.get("demand") or {}).get("streams") or []
    rows = [
        [
            s.get("name"),
            s.get("language"),
            s.get("channel"),
            s.get("region"),
            s.get("country"),
            fmt_num(s.get("tickets_per_week")),
            _profile(s.get("profile")),
            _mix(s.get("priority_mix")),
        ]
        for s in streams
    ]
    total = sum(float(s.get("tickets_per_week") or 0) for s in streams)
    return table_html(
        [
            "stream",
            "language",
            "channel",
            "region",
            "country",
            "tickets / week",
            "profile",
            "priority mix",
        ],
        rows,
        numeric=(5,),
        caption=f"Demand: {len(rows)} streams, {fmt_num(total)} tickets per week",
    )


def teams_table(scenario: Mapping[str, Any], currency: str) -> Markup:
    """Teams: time zone, agents, skills, tier, hourly cost and shift patterns."""
    teams = scenario.get("teams") or []
    rows = [
        [
            t.get("name"),
            t.get("timezone"),
            fmt_num(t.get("agents")),
            _list(t.get("languages")),
            _list(t.get("channels")),
            t.get("tier", 1),
            fmt_num(t.get("hourly_cost"), 2),
            _shifts(t.get("shifts")),
        ]
        for t in teams
    ]
    agents = sum(int(t.get("agents") or 0) for t in teams)
    return table_html(
        [
            "team",
            "time zone",
            "agents",
            "languages",
            "channels",
            "tier",
            f"hourly cost ({currency})",
            "shifts (local time)",
        ],
        rows,
        numeric=(2, 5, 6),
        caption=f"Teams: {len(rows)} teams, {agents} agents",
    )


def service_levels_table(scenario: Mapping[str, Any]) -> Markup:
    """Service levels: channel, priority, target and goal."""
    rows = [
        [
            s.get("channel"),
            s.get("priority") or "any",
            s.get("answer_within"),
            f"{float(s.get('goal', 0)):.0%}",
        ]
        for s in scenario.get("service_levels") or []
    ]
    return table_html(
        ["channel", "priority", "answer within", "goal"], rows, caption="Service levels"
    )


def channels_table(scenario: Mapping[str, Any]) -> Markup:
    """Channel behaviour: handle time, patience, concurrency, touches."""
    rows = []
    for name, c in (scenario.get("channels") or {}).items():
        handle = c.get("handle_minutes") or {}
        patience = c.get("patience_minutes") or {}
        rows.append(
            [
                name,
                fmt_num(handle.get("mean"), 1),
                fmt_num(handle.get("cv"), 2),
                fmt_num(patience.get("mean"), 1) if patience else "",
                c.get("concurrency", 1),
                fmt_num(c.get("touches", 1), 1),
            ]
        )
    return table_html(
        [
            "channel",
            "handle (min, mean)",
            "handle cv",
            "patience (min, mean)",
            "concurrency",
            "touches",
        ],
        rows,
        numeric=range(1, 6),
        caption="Channels",
    )


def scenario_section(scenario: Mapping[str, Any], summary: Summary | Mapping[str, Any]) -> Section:
    """The key parameters of the scenario behind a run."""
    currency = str((scenario.get("costs") or {}).get("currency", ""))
    demand = scenario.get("demand") or {}
    s = as_summary(summary) if summary else None
    other: dict[str, object] = {
        "horizon": scenario.get("horizon"),
        "seed": s.seed if s is not None and s.seed is not None else scenario.get("seed"),
        "replications": s.replications if s is not None else None,
        "deflection": demand.get("deflection"),
        "surges": demand.get("surges") or "none",
        "growth per year": demand.get("growth_per_year"),
        "reopen rate": scenario.get("reopen_rate"),
        "escalation": scenario.get("escalation"),
        "routing": scenario.get("routing"),
        "shrinkage": scenario.get("shrinkage"),
        "shift templates": scenario.get("shift_templates"),
        "costs": scenario.get("costs"),
        "labour rules": scenario.get("labor_rules"),
        "business": scenario.get("business"),
    }
    other = {k: v for k, v in other.items() if v is not None}
    body = Markup(
        paragraph("What this run assumed (the full file is scenario.yaml next to this report).")
        + streams_table(scenario)
        + teams_table(scenario, currency)
        + Markup('<div class="columns">')
        + service_levels_table(scenario)
        + channels_table(scenario)
        + Markup("</div>")
        + mapping_table(other, caption="Other settings")
    )
    return Section("scenario", "Scenario parameters", body)
