"""The report of one simulation run: headline KPIs against goals, then the detail.

Role: turn a run's summary mapping (summary.json), its tables (``tickets``, ``intervals``,
``agents``, ``costs``, ``occupancy``) and the scenario's data into one self-contained HTML
page.  :func:`run_sections` gives the sections so other reports (optimize) can extend them.
Must not import simpy, pyomo, ``sim`` or ``optimizer``: reports read tables only.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pandas as pd

from reports import figures, tables
from reports.html import (
    Markup,
    Section,
    badge,
    esc,
    fmt_minutes,
    fmt_money,
    fmt_num,
    fmt_pct,
    kpi_card,
    paragraph,
    render_page,
    table_html,
)
from reports.scenario_tables import scenario_section

Tables = Mapping[str, pd.DataFrame]

RULE_WORDS = {
    "hours": "weekly hours above {max_hours_per_week:g} h",
    "rest": "rest between shifts under {min_rest_hours:g} h",
    "consecutive_days": "more than {max_consecutive_days} working days in a row",
    "nights": "more than {max_night_shifts_per_week} night shifts a week",
    "occupancy": "occupancy above {max_occupancy:.0%}",
    "days_off": "fewer than {min_days_off_per_week} days off in a full week",
}


def reporting_timezone(summary: Mapping[str, Any], scenario: Mapping[str, Any]) -> str:
    """The reporting time zone: the summary's horizon, else the scenario's, else UTC."""
    for source in (summary, scenario):
        tz = (source.get("horizon") or {}).get("timezone")
        if tz:
            return str(tz)
    return "UTC"


def _table(data: Tables, name: str) -> pd.DataFrame | None:
    frame = data.get(name)
    return frame if isinstance(frame, pd.DataFrame) and not frame.empty else None


def _weighted_goal(by_queue: list[Mapping[str, Any]]) -> float | None:
    pairs = [
        (float(q["goal"]), float(q.get("arrived") or 0))
        for q in by_queue
        if q.get("goal") is not None and q.get("attainment") is not None
    ]
    total = sum(w for _, w in pairs)
    return sum(g * w for g, w in pairs) / total if total else None


def headline_section(summary: Mapping[str, Any]) -> Section:
    """KPI cards: attainment and goals, first response, abandonment, occupancy, cost, burnout."""
    sla = summary.get("sla", {})
    frt = summary.get("first_response", {})
    cost = summary.get("cost", {})
    occ = summary.get("occupancy", {})
    burn = summary.get("burnout", {})
    counts = summary.get("tickets", {})
    currency = str(cost.get("currency", ""))
    by_queue = list(summary.get("by_queue", []))
    goal = _weighted_goal(by_queue)
    att = sla.get("attainment")
    live = float(counts.get("arrived", 0)) - float(counts.get("deflected", 0))
    abandon = float(counts.get("abandoned", 0)) / live if live > 0 else None
    cap = occ.get("cap")
    mean_occ = occ.get("mean")
    gaps = [
        g for g in summary.get("coverage_gaps", []) if (g.get("tickets_per_week_in_gaps") or 0) > 0
    ]
    cards = [
        kpi_card(
            "SLA attainment, all queues",
            fmt_pct(att),
            f"goal {fmt_pct(goal)} (volume-weighted)",
            None if att is None or goal is None else att >= goal - 1e-12,
        ),
        kpi_card(
            "Queues meeting their goal",
            f"{sla.get('queues_meeting_goal', 0)} of {sla.get('queues_with_goal', 0)}",
            "goal: every queue at its own goal",
            sla.get("goal_met"),
        ),
        kpi_card(
            "First response p50 / p90",
            f"{fmt_minutes(frt.get('p50_minutes'))} / {fmt_minutes(frt.get('p90_minutes'))}",
            f"mean {fmt_minutes(frt.get('mean_minutes'))}; answered tickets",
        ),
        kpi_card(
            "Abandoned",
            fmt_pct(abandon),
            f"{fmt_num(counts.get('abandoned'))} of {fmt_num(live)} tickets (phone and chat "
            "customers hang up)",
        ),
        kpi_card(
            "Occupancy (mean)",
            fmt_pct(mean_occ),
            f"cap {fmt_pct(cap, 0)}; busiest agent {fmt_pct(occ.get('max_agent'))}",
            None if mean_occ is None or cap is None else mean_occ <= cap + 1e-12,
        ),
        kpi_card(
            "Staff cost per week",
            fmt_money(cost.get("per_week"), currency),
            f"total {fmt_money(cost.get('staff_total'), currency)} over the horizon",
        ),
        kpi_card(
            "Cost per ticket",
            fmt_money(cost.get("per_ticket"), currency, 2),
            "staff cost / tickets answered",
        ),
        kpi_card(
            "Revenue at risk",
            fmt_money(cost.get("revenue_at_risk"), currency),
            f"{fmt_num(cost.get('missed_sla_tickets'))} tickets missed their target",
        ),
        kpi_card(
            "Agents at burnout risk",
            f"{burn.get('agents_at_risk', 0)} of {burn.get('agents', 0)}",
            f"{burn.get('agent_weeks_at_risk', 0)} agent-weeks over a labour limit",
            int(burn.get("agents_at_risk", 0) or 0) == 0,
        ),
        kpi_card(
            "Coverage gaps",
            f"{len(gaps)}",
            "language × channel pairs with tickets while nobody is on shift",
            len(gaps) == 0,
        ),
    ]
    body = Markup(
        '<div class="kpis">'
        + "".join(cards)
        + "</div>"
        + paragraph(
            f"{fmt_num(counts.get('arrived'))} tickets arrived "
            f"({fmt_num(counts.get('deflected'))} deflected, "
            f"{fmt_num(counts.get('handled'))} handled, "
            f"{fmt_num(counts.get('abandoned'))} abandoned, "
            + "".join(f"{fmt_num(counts[k])} {k}, " for k in ("balked", "blocked") if counts.get(k))
            + f"{fmt_num(counts.get('open'))} still open at the end); counts are means over "
            f"{summary.get('replications', 1)} replication(s). SLA attainment counts "
            "abandoned tickets as misses."
        )
    )
    return Section("headline", "Headline", body)


def sla_section(summary: Mapping[str, Any]) -> Section:
    """SLA attainment per queue: a dot plot with intervals and the goal, and its table."""
    by_queue = list(summary.get("by_queue", []))
    att = tables.queue_attainment(by_queue)
    rows = []
    for q in by_queue:
        ci = q.get("attainment_ci95") or [None, None]
        rows.append(
            [
                q.get("queue"),
                fmt_num(q.get("arrived"), 1),
                fmt_minutes(q.get("target_minutes")),
                fmt_pct(q.get("goal"), 0),
                fmt_pct(q.get("attainment")),
                f"{fmt_pct(ci[0])} – {fmt_pct(ci[1])}" if ci[0] is not None else "",
                fmt_minutes(q.get("mean_first_response_minutes")),
                fmt_pct(q.get("abandonment_rate")),
                badge(q.get("goal_met")),
            ]
        )
    body = paragraph(
        "Share of tickets answered within their queue's target; abandoned tickets count as "
        "misses. Bars are 95% confidence intervals (across replications, or across days of "
        "a single run); the black mark is the goal."
    )
    after = table_html(
        [
            "queue",
            "arrived",
            "target",
            "goal",
            "attainment",
            "95% interval",
            "mean first response",
            "abandoned",
            "status",
        ],
        rows,
        numeric=range(1, 8),
        caption="Queues (tickets are means per replication)",
    )
    figs = [("attainment", figures.plot_attainment_by_queue(att))] if len(att) else []
    return Section("sla", "SLA attainment per queue", body, figs, after)


def _contact_cards(summary: Mapping[str, Any]) -> list[Markup]:
    """Tiles for live contacts: blocked, balked, retrials, lost, first response per attempt
    against per customer (only the ones that happened in this run)."""
    c = summary.get("contacts") or {}
    customers = float(c.get("customers") or 0)
    attempts = float(c.get("attempts") or 0)

    def share(key: str, of: float) -> str:
        value = c.get(key)
        return fmt_pct(float(value) / of) if value is not None and of > 0 else "n/a"

    cards = []
    blocked = float(c.get("blocked") or 0) + float(c.get("blocked_in_outage") or 0)
    if blocked:
        cards.append(
            kpi_card(
                "Attempts blocked",
                fmt_pct(blocked / attempts) if attempts else "n/a",
                f"{fmt_num(c.get('blocked'))} found every line busy, "
                f"{fmt_num(c.get('blocked_in_outage'))} came in an outage",
            )
        )
    if c.get("balked"):
        cards.append(
            kpi_card(
                "Attempts balked",
                share("balked", attempts),
                f"{fmt_num(c.get('balked'))} left at once rather than wait",
            )
        )
    if c.get("retrials"):
        retrials = fmt_num(float(c["retrials"]) / customers, 2) if customers else "n/a"
        cards.append(
            kpi_card(
                "Retrials",
                f"{retrials} a customer",
                f"{fmt_num(c.get('retrials'))} attempts after a failed one",
            )
        )
    if blocked or c.get("balked") or c.get("retrials"):
        per_attempt = (c.get("first_response_per_attempt") or {}).get("mean_minutes")
        per_customer = (c.get("first_response_per_customer") or {}).get("mean_minutes")
        cards.append(
            kpi_card(
                "Customers lost",
                share("customers_lost", customers),
                f"{fmt_num(c.get('customers_lost'))} never answered (abandoned, balked or "
                "blocked at their last attempt)",
            )
        )
        cards.append(
            kpi_card(
                "First response per attempt / customer",
                f"{fmt_minutes(per_attempt)} / {fmt_minutes(per_customer)}",
                "mean; per customer counts from the first attempt",
            )
        )
    return cards


def contacts_section(summary: Mapping[str, Any]) -> Section | None:
    """Blocked, balked and retried contacts, resolution targets and customer segments; None
    when the run has none of them."""
    cards = _contact_cards(summary)
    resolution = summary.get("resolution") or {}
    res_rows = [
        [
            q.get("queue"),
            fmt_minutes(60 * float(q["resolution_target_hours"])),
            fmt_pct(q.get("resolution_goal"), 0),
            fmt_pct(q.get("resolution_attainment")),
            _interval(q.get("resolution_attainment_ci95")),
            badge(q.get("resolution_goal_met")),
        ]
        for q in summary.get("by_queue", [])
        if q.get("resolution_target_hours") is not None
    ]
    segments = list(summary.get("by_segment") or [])
    if not cards and not res_rows and not segments:
        return None
    currency = str((summary.get("cost") or {}).get("currency", ""))
    if res_rows:
        cards.append(
            kpi_card(
                "Resolution attainment",
                fmt_pct(resolution.get("attainment")),
                f"{resolution.get('queues_meeting_goal', 0)} of "
                f"{resolution.get('queues_with_goal', 0)} queues meet their resolution goal",
                resolution.get("goal_met"),
            )
        )
    parts = [Markup('<div class="kpis">' + "".join(cards) + "</div>")] if cards else []
    parts.append(
        paragraph(
            "A live contact that finds every line busy (or comes in an outage) is blocked; "
            "one that must wait may balk; an abandoned, balked or blocked contact may try "
            "again, as a new attempt. Resolution is arrival to the end of the last touch; "
            "abandoned, balked and blocked tickets miss their resolution target."
        )
    )
    if res_rows:
        parts.append(
            table_html(
                ["queue", "resolve within", "goal", "attainment", "95% interval", "status"],
                res_rows,
                numeric=range(1, 5),
                caption="Resolution targets",
            )
        )
    if segments:
        parts.append(
            table_html(
                [
                    "segment",
                    "priority",
                    "tickets",
                    "target",
                    "goal",
                    "attainment",
                    "95% interval",
                    "missed",
                    f"value / month ({currency})",
                    f"revenue at risk ({currency})",
                    "status",
                ],
                [
                    [
                        g.get("segment"),
                        g.get("priority") or "stream's mix",
                        fmt_num(g.get("arrived"), 1),
                        fmt_minutes(g.get("target_minutes"))
                        if g.get("target_minutes") is not None
                        else "queue's",
                        fmt_pct(g.get("goal"), 0),
                        fmt_pct(g.get("attainment")),
                        _interval(g.get("attainment_ci95")),
                        fmt_num(g.get("missed_sla_tickets"), 1),
                        fmt_num(g.get("monthly_value")),
                        fmt_num(g.get("revenue_at_risk")),
                        badge(g.get("goal_met")),
                    ]
                    for g in segments
                ],
                numeric=(2, 3, 4, 5, 7, 8, 9),
                caption="Customer segments (tickets are means per replication)",
            )
        )
    return Section("contacts", "Contacts, resolution and segments", Markup("".join(parts)))


def _interval(ci: Any) -> str:
    if not ci or ci[0] is None:
        return ""
    return f"{fmt_pct(ci[0])} – {fmt_pct(ci[1])}"


def first_response_section(summary: Mapping[str, Any], data: Tables) -> Section:
    """The first-response distribution per channel with each channel's targets."""
    frt = summary.get("first_response", {})
    body = paragraph(
        f"First response: mean {fmt_minutes(frt.get('mean_minutes'))}, median "
        f"{fmt_minutes(frt.get('p50_minutes'))}, 90th percentile "
        f"{fmt_minutes(frt.get('p90_minutes'))}, 95th percentile "
        f"{fmt_minutes(frt.get('p95_minutes'))} (answered tickets). In the chart every "
        "ticket that reached the queue counts: abandoned tickets and tickets still waiting "
        "at the end never get a first response, so they count as misses and each curve "
        "stops below 100%. Dashed lines are the targets."
    )
    tickets = _table(data, "tickets")
    if tickets is None:
        return Section("first-response", "First response", body)
    ecdf = tables.compute_first_response_ecdf(tickets)
    targets = tables.channel_targets(summary.get("by_queue", []))
    figs = [("ecdf", figures.plot_first_response_ecdf(ecdf, targets))] if len(ecdf) else []
    return Section("first-response", "First response", body, figs)


def coverage_section(summary: Mapping[str, Any], data: Tables, timezone: str) -> Section:
    """Hour-of-week heatmaps of staffing (against requirement) and of attainment."""
    intervals = _table(data, "intervals")
    gaps = summary.get("coverage_gaps", [])
    gap_table = table_html(
        [
            "language",
            "channel",
            "hours per week with nobody on shift",
            "tickets per week arriving then",
        ],
        [
            [
                g.get("language"),
                g.get("channel"),
                fmt_num(g.get("hours_per_week_uncovered"), 1),
                fmt_num(g.get("tickets_per_week_in_gaps"), 1),
            ]
            for g in gaps
        ],
        numeric=(2, 3),
        caption="Coverage gaps by language and channel",
    )
    body = paragraph(
        f"Hours of the week in {timezone}, averaged over the weeks of the horizon. Crosses "
        "mark hours in which tickets arrive for a queue while no agent with its skill is on "
        "shift. Staffing counts every agent on shift (not on a break, not absent) who has "
        "the queue's language and channel, so multi-skilled agents count in several rows."
    )
    if intervals is None:
        return Section("coverage", "Coverage by hour of week", body, (), gap_table)
    how = tables.compute_hour_of_week(intervals, timezone)
    figs = [
        ("staffing", figures.plot_coverage_heatmap(how, timezone)),
        ("attainment", figures.plot_attainment_heatmap(how[how["tier"] == 1], timezone)),
    ]
    if not how["required"].notna().any():
        body = Markup(
            body
            + paragraph(
                "Requirements per interval were not available for this run: the first map "
                "shows agents on shift only."
            )
        )
    return Section("coverage", "Coverage by hour of week", body, figs, gap_table)


def backlog_section(data: Tables, timezone: str) -> Section:
    """Backlog over time per channel."""
    intervals = _table(data, "intervals")
    body = paragraph(
        "Tickets waiting at the start of each interval (first touches and email follow-ups), "
        "summed over queues of a channel, mean over replications; email backlog carries "
        "over nights and weekends."
    )
    if intervals is None or "backlog" not in intervals:
        return Section("backlog", "Backlog", body)
    fig = figures.plot_backlog(tables.compute_backlog(intervals), timezone)
    return Section("backlog", "Backlog", body, [("backlog", fig)])


def occupancy_section(summary: Mapping[str, Any], data: Tables, timezone: str) -> Section:
    """Occupancy by team and hour of week, against the cap."""
    occ = summary.get("occupancy", {})
    cap = occ.get("cap")
    body = paragraph(
        f"Share of available agent time spent handling tickets. Mean {fmt_pct(occ.get('mean'))}"
        f", busiest agent {fmt_pct(occ.get('max_agent'))}, cap {fmt_pct(cap, 0)} (the "
        "max_occupancy labour rule); diamonds mark team-hours above the cap. Blank cells: "
        "nobody of the team on shift."
    )
    frame = _table(data, "occupancy")
    if frame is None:
        return Section("occupancy", "Occupancy", body)
    fig = figures.plot_occupancy_heatmap(frame, timezone, None if cap is None else float(cap))
    return Section("occupancy", "Occupancy", body, [("occupancy", fig)])


def burnout_section(
    summary: Mapping[str, Any], data: Tables, scenario: Mapping[str, Any]
) -> Section:
    """Agent-weeks over a labour limit, per team and rule, and the worst agent-weeks."""
    rules = dict(scenario.get("labor_rules") or {})
    words = {}
    for rule, text in RULE_WORDS.items():
        try:
            words[rule] = text.format(**rules)
        except (KeyError, ValueError):
            words[rule] = rule
    agents = _table(data, "agents")
    burn = summary.get("burnout", {})
    body = paragraph(
        f"An agent-week is at risk when it breaks any labour limit. "
        f"{burn.get('agents_at_risk', 0)} of {burn.get('agents', 0)} agents had at least one "
        f"such week ({burn.get('agent_weeks_at_risk', 0)} agent-weeks, first replication)."
    )
    if agents is None:
        return Section("burnout", "Burnout risk", body)
    first = tables.first_replication(agents)
    by_team = tables.compute_burnout_by_team(first)
    header = [
        "team",
        "agents",
        "agents at risk",
        "agent-weeks",
        "agent-weeks at risk",
        *[words[r] for r in tables.RULE_ORDER],
    ]
    team_table = table_html(
        header,
        by_team.itertuples(index=False),
        numeric=range(1, len(header)),
        caption="Agent-weeks breaking each rule, by team",
    )
    details = tables.burnout_details(first)
    detail_rows = [
        [
            r.get("agent"),
            r.get("team"),
            r.get("week_start"),
            fmt_num(r.get("hours"), 1),
            fmt_pct(r.get("occupancy")),
            r.get("nights"),
            fmt_num(r.get("min_rest_hours"), 1),
            r.get("max_consecutive_days"),
            ", ".join(words.get(v, v) for v in str(r.get("violations") or "").split(";") if v),
        ]
        for r in details.to_dict("records")
    ]
    after = team_table
    if detail_rows:
        after = Markup(
            after
            + Markup(
                f"<details><summary>The {len(detail_rows)} agent-weeks at risk with the most "
                "rules broken</summary>"
            )
            + table_html(
                [
                    "agent",
                    "team",
                    "week starting",
                    "hours",
                    "occupancy",
                    "nights",
                    "shortest rest (h)",
                    "days in a row",
                    "rules broken",
                ],
                detail_rows,
                numeric=range(3, 8),
            )
            + Markup("</details>")
        )
    return Section("burnout", "Burnout risk", body, (), after)


def cost_section(summary: Mapping[str, Any], data: Tables) -> Section:
    """Cost per team with base pay and premiums, per ticket, and revenue at risk."""
    cost = summary.get("cost", {})
    currency = str(cost.get("currency", ""))
    weeks = float((summary.get("horizon") or {}).get("weeks") or 1.0)
    body = paragraph(
        f"Staff cost {fmt_money(cost.get('per_week'), currency)} per week, "
        f"{fmt_money(cost.get('per_ticket'), currency, 2)} per answered ticket, "
        f"{fmt_num(cost.get('paid_hours'))} paid hours over the horizon. Revenue at risk: "
        f"{fmt_money(cost.get('revenue_at_risk'), currency)} — tickets that missed their "
        "target x churn probability per miss x customer value over the value period."
    )
    frame = _table(data, "costs")
    if frame is None:
        return Section("cost", "Cost", body)
    per_week = tables.compute_cost_per_week(frame, weeks, currency)
    cols = [c for c in (*tables.COST_COMPONENTS, "total") if c in per_week]
    labels = [*[tables.COST_COMPONENTS.get(c, c) for c in cols[:-1]], "total"]
    rows = [
        [row["team"], fmt_num(row.get("paid_hours"), 0), *[fmt_num(row[c]) for c in cols]]
        for row in per_week.to_dict("records")
    ]
    after = table_html(
        ["team", "paid hours / week", *labels],
        rows,
        numeric=range(1, len(cols) + 2),
        caption=f"Cost per week by team ({currency})",
    )
    fig = figures.plot_cost_breakdown(per_week)
    return Section("cost", "Cost", body, [("by-team", fig)], after)


def run_sections(
    summary: Mapping[str, Any], data: Tables, scenario: Mapping[str, Any]
) -> list[Section]:
    """The sections of a run report, in order (the optimize report appends its own).

    Parameters
    ----------
    summary : mapping
        The summary.json mapping of the run.
    data : mapping of str to pandas.DataFrame
        ``tickets``, ``intervals``, ``agents``, ``costs``, ``occupancy`` (any may be
        missing; its section then says so instead of drawing).
    scenario : mapping
        The scenario as plain data (``Scenario.to_data()``).
    """
    tz = reporting_timezone(summary, scenario)
    contacts = contacts_section(summary)
    return [
        headline_section(summary),
        sla_section(summary),
        *([contacts] if contacts is not None else []),
        first_response_section(summary, data),
        coverage_section(summary, data, tz),
        backlog_section(data, tz),
        occupancy_section(summary, data, tz),
        burnout_section(summary, data, scenario),
        cost_section(summary, data),
        scenario_section(scenario, summary),
    ]


def run_lead(summary: Mapping[str, Any]) -> Markup:
    """The lines under the heading: description, horizon, replications, seed."""
    h = summary.get("horizon") or {}
    desc = summary.get("description")
    return Markup(
        (f'<p class="lead">{esc(desc)}</p>' if desc else "")
        + f'<p class="note">{esc(h.get("weeks", "?"))} weeks from {esc(h.get("start", "?"))}, '
        f"{esc(h.get('interval_minutes', '?'))}-minute intervals, times in "
        f"{esc(h.get('timezone', 'UTC'))}; {esc(summary.get('replications', 1))} "
        f"replication(s), seed {esc(summary.get('seed', '?'))}.</p>"
    )


def render_run_report(
    summary: dict[str, Any], tables: dict[str, pd.DataFrame], scenario: dict[str, Any]
) -> str:
    """The self-contained HTML report of one simulation run.

    Parameters
    ----------
    summary : dict
        The summary.json mapping (DESIGN §6), including ``horizon`` and ``by_queue``.
    tables : dict of str to pandas.DataFrame
        ``RunOutput.tables()``: ``tickets`` (summarised, never embedded per ticket),
        ``intervals``, ``agents``, ``costs``, ``occupancy``.
    scenario : dict
        ``Scenario.to_data()``, for the key parameters section.

    Returns
    -------
    str
        The HTML page (plotly.js embedded; opens offline; no network request).
    """
    return render_page(
        kind="Simulation run",
        title=str(summary.get("scenario", "scenario")),
        lead=run_lead(summary),
        sections=run_sections(summary, tables, scenario),
    )
