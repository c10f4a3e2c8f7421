"""The scenario's key parameters as HTML tables (streams, teams, service levels, rules).

Role: show what a run assumed, from the scenario as plain data (``Scenario.to_data()``),
in words with units (not as dumped mappings), every value escaped.  Tolerant of missing
keys: a report of an older or partial scenario still renders.  Must not import simpy,
pyomo, the engine, ``optimizer`` or ``scenarios`` (of ``sim``, only the summary's types).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from reports.html import Markup, Section, fmt_num, paragraph, table_html
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


def _dated(volume: object, busyness: object) -> str:
    """A dated volume series and a stream's busyness in a few words."""
    parts = []
    if isinstance(volume, Mapping) and isinstance(volume.get("values"), Mapping):
        dates = sorted(str(d) for d in volume["values"])
        if dates:
            parts.append(f"per {volume.get('per', 'day')}, {dates[0]} to {dates[-1]}")
    if isinstance(busyness, Mapping):
        parts.append(f"busyness cv {fmt_num(busyness.get('cv'), 3)}")
    return "; ".join(parts)


def streams_table(scenario: Mapping[str, Any]) -> Markup:
    """Ticket streams: language, channel, region, volume, profile and priority mix (and
    the dated volume series and busyness of the streams that have them)."""
    streams = (scenario.get("demand") or {}).get("streams") or []
    dated = any(s.get("volume") or s.get("busyness") for s in streams)
    rows = [
        [
            s.get("name"),
            s.get("language"),
            s.get("channel"),
            s.get("region"),
            s.get("country"),
            fmt_num(s.get("tickets_per_week")),
            *([_dated(s.get("volume"), s.get("busyness"))] if dated else []),
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
            "tickets / week" + (" (average)" if dated else ""),
            *(["dated volume"] if dated else []),
            "profile",
            "priority mix",
        ],
        rows,
        numeric=(5,),
        caption=f"Demand: {len(rows)} streams, {fmt_num(total)} tickets per week",
    )


def events_table(scenario: Mapping[str, Any]) -> Markup:
    """Demand events: name, local dates, multiplier and the streams they touch."""
    rows = [
        [
            e.get("name"),
            e.get("start"),
            e.get("end"),
            fmt_num(e.get("multiplier"), 2),
            _list(e.get("streams")) or "all",
        ]
        for e in (scenario.get("demand") or {}).get("events") or []
    ]
    return table_html(
        ["event", "first day", "last day", "volume multiplier", "streams"],
        rows,
        numeric=(3,),
        caption="Demand events (local dates of each stream's customers)",
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


def _share(value: object, digits: int = 0) -> str:
    try:
        return f"{float(value) * 100:.{digits}f}%"  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return ""


def _horizon_words(h: Mapping[str, Any]) -> str:
    return (
        f"{fmt_num(h.get('weeks'), 2 if float(h.get('weeks') or 0) % 1 else 0)} weeks from "
        f"{h.get('start', '?')}, {h.get('interval_minutes', 30)}-minute intervals, reported "
        f"in {h.get('timezone', 'UTC')}"
    )


def _surge_words(surges: object) -> str:
    if not isinstance(surges, Sequence) or isinstance(surges, str) or not surges:
        return "none"
    parts = []
    for s in surges:
        if isinstance(s, Mapping):
            streams = s.get("streams")
            where = f" ({_list(streams)})" if streams else " (every stream)"
            parts.append(
                f"x{fmt_num(s.get('multiplier'), 2)} volume from {s.get('start')} for "
                f"{fmt_num(s.get('hours'))} h{where}"
            )
    return "; ".join(parts) or "none"


def _busyness_words(b: object) -> str:
    if not isinstance(b, Mapping):
        return "none (each day's volume is its expected volume)"
    level = b.get("level", "day")
    shared = "one multiplier for every stream" if b.get("shared", True) else "one per stream"
    return (
        f"{b.get('distribution', 'gamma')} multiplier of each {level}'s volume, mean 1, cv "
        f"{fmt_num(b.get('cv'), 3)} ({shared})"
    )


def _escalation_words(e: object) -> str:
    if not isinstance(e, Mapping):
        return "none"
    handle = e.get("handle_minutes") or {}
    mean = handle.get("mean") if isinstance(handle, Mapping) else handle
    return (
        f"{_share(e.get('rate'), 1)} of handled tickets go to tier {e.get('to_tier', 2)}, "
        f"handled in {fmt_num(mean, 1)} min on average"
    )


def _routing_words(r: object) -> str:
    if not isinstance(r, Mapping):
        return "longest-idle agent with the skill; no language fallback"
    parts = [
        f"{f.get('from')} tickets may go to {f.get('to')} agents after {f.get('after')}"
        for f in r.get("language_fallback") or []
        if isinstance(f, Mapping)
    ]
    if r.get("channel_priority"):
        parts.append(f"channel priority {_list(r.get('channel_priority'))}")
    return "; ".join(parts) or "no language fallback"


def _templates_words(t: object) -> str:
    if not isinstance(t, Mapping):
        return ""
    raw = t.get("lengths_hours") or []
    lengths = ", ".join(f"{float(v):g}" for v in raw) if isinstance(raw, list | tuple) else ""
    text = (
        f"starts every {t.get('starts_every', '1h')} from {t.get('earliest', '00:00')} to "
        f"{t.get('latest', '23:00')}; lengths {lengths} h"
    )
    b = t.get("break")
    if isinstance(b, Mapping):
        text += f"; a {fmt_num(b.get('minutes'))}-min break after {fmt_num(b.get('after_hours'))} h"
    return text


def _cost_words(c: object, currency: str) -> str:
    if not isinstance(c, Mapping):
        return ""
    premiums = [
        f"{word} +{_share(c.get(key))}"
        for key, word in (
            ("night_premium", "night (22:00-06:00)"),
            ("weekend_premium", "weekend"),
            ("holiday_premium", "holiday"),
            ("overtime_premium", "overtime"),
        )
        if c.get(key)
    ]
    text = "premiums on the hourly cost: " + (", ".join(premiums) if premiums else "none")
    if c.get("bot_cost_per_contact"):
        text += f"; bot {fmt_num(c.get('bot_cost_per_contact'), 2)} {currency} per contact"
    return text


def _rules_words(r: object) -> str:
    if not isinstance(r, Mapping):
        return ""
    parts = [
        f"at most {fmt_num(r.get('max_hours_per_week'))} h a week "
        f"(+{fmt_num(r.get('overtime_allowance_hours', 2))} h overtime tolerated)",
        f"at least {fmt_num(r.get('min_rest_hours'))} h rest between shifts",
        f"at most {r.get('max_consecutive_days')} days in a row",
        f"at most {r.get('max_night_shifts_per_week')} night shifts a week",
        f"at least {r.get('min_days_off_per_week', 2)} days off a week",
        f"occupancy at most {_share(r.get('max_occupancy'))}",
    ]
    if r.get("min_hours_per_week"):
        parts.append(f"at least {fmt_num(r.get('min_hours_per_week'))} h a week")
    if r.get("max_working_weekends") is not None:
        parts.append(f"at most {r.get('max_working_weekends')} weekends worked")
    return "; ".join(parts)


def _business_words(b: object, currency: str) -> str:
    if not isinstance(b, Mapping):
        return ""
    return (
        f"a customer is worth {fmt_num(b.get('customer_monthly_value'))} {currency} a month; "
        f"a ticket that misses its target loses the customer with probability "
        f"{_share(b.get('churn_probability_per_missed_sla'), 1)}; "
        f"{fmt_num(b.get('value_months', 12))} months of value counted"
    )


def scenario_section(scenario: Mapping[str, Any], summary: Summary | Mapping[str, Any]) -> Section:
    """The key parameters of the scenario behind a run, in words."""
    currency = str((scenario.get("costs") or {}).get("currency", ""))
    demand = scenario.get("demand") or {}
    s = as_summary(summary) if summary else None
    seed = s.seed if s is not None and s.seed is not None else scenario.get("seed")
    settings: list[tuple[str, object]] = [
        ("horizon", _horizon_words(scenario.get("horizon") or {})),
        ("seed", seed),
        ("replications", s.replications if s is not None else None),
        (
            "bot / self-service",
            f"resolves {_share(demand.get('deflection') or 0)} of tickets before an agent",
        ),
        ("volume", f"x{fmt_num(demand.get('scale', 1), 2)} every stream")
        if demand.get("scale", 1) != 1
        else ("volume", "as each stream gives"),
        ("surges", _surge_words(demand.get("surges"))),
        ("growth", f"{_share(demand.get('growth_per_year') or 0)} a year"),
        ("busyness", _busyness_words(demand.get("busyness"))),
        ("reopened", f"{_share(scenario.get('reopen_rate') or 0, 1)} of solved tickets"),
        ("escalation", _escalation_words(scenario.get("escalation"))),
        ("routing", _routing_words(scenario.get("routing"))),
        (
            "shrinkage",
            f"{_share(scenario.get('shrinkage') or 0)} of paid time (breaks and absence)",
        ),
        ("shift templates", _templates_words(scenario.get("shift_templates"))),
        ("costs", _cost_words(scenario.get("costs"), currency)),
        ("labour rules", _rules_words(scenario.get("labor_rules"))),
        ("business value", _business_words(scenario.get("business"), currency)),
    ]
    rows = [(k, v) for k, v in settings if v not in (None, "")]
    body = Markup(
        paragraph("What this run assumed (the full file is scenario.yaml next to this report).")
        + streams_table(scenario)
        + (events_table(scenario) if demand.get("events") else Markup(""))
        + teams_table(scenario, currency)
        + Markup('<div class="columns">')
        + service_levels_table(scenario)
        + channels_table(scenario)
        + Markup("</div>")
        + table_html(["setting", "value"], rows, caption="Other settings")
    )
    return Section("scenario", "Scenario parameters", body)
