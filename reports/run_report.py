"""The report of one simulation run: headline KPIs against goals, then the detail.

Role: turn a run's typed summary (:class:`sim.summary.Summary`, or the summary.json mapping
it is written as), its tables (``tickets``, ``intervals``, ``agents``, ``costs``,
``occupancy``) and the scenario's data into one self-contained HTML page; every figure is
read from the summary, none computed again.  :func:`run_sections` gives the sections so
other reports (optimize) can extend them.  Must not import simpy, pyomo, the engine or the
optimizer: of ``sim`` it reads only the summary's types.
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
from sim.summary import Summary, as_summary, goals_text

Tables = Mapping[str, pd.DataFrame]

RULE_WORDS = {
    "hours": "weekly hours above {max_hours_per_week:g} h",
    "rest": "rest between shifts under {min_rest_hours:g} h",
    "consecutive_days": "more than {max_consecutive_days} working days in a row",
    "nights": "more than {max_night_shifts_per_week} night shifts a week",
    "occupancy": "occupancy above {max_occupancy:.0%}",
    "days_off": "fewer than {min_days_off_per_week} days off in a full week",
}


def reporting_timezone(
    summary: Summary | Mapping[str, Any] | None, scenario: Mapping[str, Any]
) -> str:
    """The reporting time zone: the summary's horizon, else the scenario's, else UTC."""
    if isinstance(summary, Summary):
        tz: object = summary.horizon.timezone
    else:
        tz = ((summary or {}).get("horizon") or {}).get("timezone")
    return str(tz or (scenario.get("horizon") or {}).get("timezone") or "UTC")


def _table(data: Tables, name: str) -> pd.DataFrame | None:
    frame = data.get(name)
    return frame if isinstance(frame, pd.DataFrame) and not frame.empty else None


def run_length(summary: Summary) -> str:
    """The run's length in words: ``the 4-week run``."""
    return f"the {fmt_num(summary.weeks, 2 if summary.weeks % 1 else 0)}-week run"


def headline_section(summary: Summary | Mapping[str, Any]) -> Section:
    """KPI cards: attainment and goals, first response, abandonment, occupancy, cost per
    week, cost per contact, revenue at risk per week, burnout and coverage gaps. Each card
    carries ``data-kpi``, the summary.json key path of the figure it shows."""
    s = as_summary(summary)
    sla, frt, cost, occ, burn, counts = (
        s.sla,
        s.first_response,
        s.cost,
        s.occupancy,
        s.burnout,
        s.tickets,
    )
    currency = cost.currency
    run = run_length(s)
    live = counts.live
    gaps = [g for g in s.coverage_gaps if g.tickets_per_week_in_gaps > 0]
    ci = sla.attainment_ci95 or (None, None)
    ci_text = f"95% interval {fmt_pct(ci[0])} – {fmt_pct(ci[1])}; " if ci[0] is not None else ""
    bot = f" + bot {fmt_money(cost.bot_per_week, currency)} per week" if cost.bot_total > 0 else ""
    cards = [
        kpi_card(
            "SLA attainment, all queues",
            fmt_pct(sla.attainment),
            f"{ci_text}goal {fmt_pct(sla.goal)} (queue goals weighted by tickets)",
            None
            if sla.attainment is None or sla.goal is None
            else sla.attainment >= sla.goal - 1e-12,
            key="sla.attainment",
        ),
        kpi_card(
            "Queues meeting their goal",
            f"{sla.queues_meeting_goal} of {sla.queues_with_goal}",
            goals_text(sla),
            sla.goal_met,
            key="sla.queues_meeting_goal",
        ),
        kpi_card(
            "First response p50 / p90",
            f"{fmt_minutes(frt.p50_minutes)} / {fmt_minutes(frt.p90_minutes)}",
            f"mean {fmt_minutes(frt.mean_minutes)}; answered tickets",
            key="first_response.p90_minutes",
        ),
        kpi_card(
            "Abandoned",
            fmt_pct(counts.abandonment_rate),
            f"{fmt_num(counts.abandoned / s.weeks if s.weeks else None)} of "
            f"{fmt_num(live / s.weeks if s.weeks else None)} tickets a week (phone and chat "
            "customers who hang up)",
            key="tickets.abandonment_rate",
        ),
        kpi_card(
            "Occupancy (mean)",
            fmt_pct(occ.mean),
            f"cap {fmt_pct(occ.cap, 0)}; busiest agent {fmt_pct(occ.max_agent)}",
            None if occ.mean is None or occ.cap is None else occ.mean <= occ.cap + 1e-12,
            key="occupancy.mean",
        ),
        kpi_card(
            "Staff cost per week",
            fmt_money(cost.per_week, currency),
            f"{fmt_money(cost.staff_total, currency)} over {run}{bot}",
            key="cost.per_week",
        ),
        kpi_card(
            "Cost per contact",
            fmt_money(cost.per_contact, currency, 2),
            f"staff{' and bot' if cost.bot_total > 0 else ''} cost / every arrival, deflected "
            f"included; {fmt_money(cost.per_handled_ticket, currency, 2)} per ticket an agent "
            "handled",
            key="cost.per_contact",
        ),
        kpi_card(
            "Revenue at risk per week",
            fmt_money(cost.revenue_at_risk_per_week, currency),
            f"{fmt_money(cost.revenue_at_risk, currency)} over {run}; "
            f"{fmt_num(cost.missed_sla_tickets_per_week)} tickets a week missed their target",
            key="cost.revenue_at_risk_per_week",
        ),
        kpi_card(
            "Agents at burnout risk",
            f"{burn.agents_at_risk} of {burn.agents}",
            f"{burn.agent_weeks_at_risk} agent-weeks over a labour limit in {run}",
            burn.agents_at_risk == 0,
            key="burnout.agents_at_risk",
        ),
        kpi_card(
            "Coverage gaps",
            f"{len(gaps)}",
            "language × channel pairs with tickets while nobody is on shift",
            len(gaps) == 0,
            key="coverage_gaps",
        ),
    ]
    body = Markup(
        '<div class="kpis">'
        + "".join(cards)
        + "</div>"
        + paragraph(
            f"Over {run}: {fmt_num(counts.arrived)} tickets arrived "
            f"({fmt_num(counts.deflected)} deflected, {fmt_num(counts.handled)} handled, "
            f"{fmt_num(counts.abandoned)} abandoned, "
            + "".join(
                f"{fmt_num(v)} {k}, "
                for k, v in (("balked", counts.balked), ("blocked", counts.blocked))
                if v
            )
            + f"{fmt_num(counts.open)} still open at the end); counts are means over "
            f"{s.replications} replication(s). SLA attainment counts abandoned tickets as "
            "misses. Money is per week unless a figure says otherwise."
        )
    )
    return Section("headline", "Headline", body)


def sla_section(summary: Summary | Mapping[str, Any]) -> Section:
    """SLA attainment per queue: a dot plot with intervals and the goal, and its table."""
    s = as_summary(summary)
    att = tables.queue_attainment(s.by_queue)
    rows = []
    for q in s.by_queue:
        ci = q.attainment_ci95 or (None, None)
        rows.append(
            [
                q.queue,
                fmt_num(q.arrived / s.weeks if s.weeks else None, 1),
                fmt_minutes(q.target_minutes),
                fmt_pct(q.goal, 0),
                fmt_pct(q.attainment),
                f"{fmt_pct(ci[0])} – {fmt_pct(ci[1])}" if ci[0] is not None else "",
                fmt_minutes(q.mean_first_response_minutes),
                fmt_pct(q.abandonment_rate),
                badge(q.goal_met),
            ]
        )
    body = paragraph(
        "Share of tickets answered within their queue's target; abandoned tickets count as "
        "misses. Bars are 95% intervals: Wilson score intervals whose number of tickets is "
        "the effective one the spread between replications (or between days of a single "
        "run) implies, so they stay within 0–100%; the black mark is the goal. ",
        goals_text(s.sla).capitalize(),
        ".",
    )
    after = table_html(
        [
            "queue",
            "tickets per week",
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
        caption=f"Queues ({s.replications} replication(s); tickets are means per week)",
    )
    figs = [("attainment", figures.plot_attainment_by_queue(att))] if len(att) else []
    return Section("sla", "SLA attainment per queue", body, figs, after)


def _contact_cards(s: Summary) -> list[Markup]:
    """Tiles for live contacts: blocked, balked, retrials, lost, first response per attempt
    against per customer (only the ones that happened in this run)."""
    c = s.contacts
    cards = []
    blocked = c.blocked + c.blocked_in_outage
    if blocked:
        cards.append(
            kpi_card(
                "Attempts blocked",
                fmt_pct(blocked / c.attempts) if c.attempts else "n/a",
                f"{fmt_num(c.blocked)} found every line busy, "
                f"{fmt_num(c.blocked_in_outage)} came in an outage",
                key="contacts.blocked",
            )
        )
    if c.balked:
        cards.append(
            kpi_card(
                "Attempts balked",
                fmt_pct(c.balked / c.attempts) if c.attempts else "n/a",
                f"{fmt_num(c.balked)} left at once rather than wait",
                key="contacts.balked",
            )
        )
    if c.retrials:
        per_customer = fmt_num(c.retrials / c.customers, 2) if c.customers else "n/a"
        cards.append(
            kpi_card(
                "Retrials",
                f"{per_customer} a customer",
                f"{fmt_num(c.retrials)} attempts after a failed one",
                key="contacts.retrials",
            )
        )
    if blocked or c.balked or c.retrials:
        cards.append(
            kpi_card(
                "Customers lost",
                fmt_pct(c.customers_lost / c.customers) if c.customers else "n/a",
                f"{fmt_num(c.customers_lost)} never answered (abandoned, balked or blocked "
                "at their last attempt)",
                key="contacts.customers_lost",
            )
        )
        cards.append(
            kpi_card(
                "First response per attempt / customer",
                f"{fmt_minutes(c.first_response_per_attempt.mean_minutes)} / "
                f"{fmt_minutes(c.first_response_per_customer.mean_minutes)}",
                "mean; per customer counts from the first attempt",
                key="contacts.first_response_per_customer",
            )
        )
    return cards


def contacts_section(summary: Summary | Mapping[str, Any]) -> Section | None:
    """Blocked, balked and retried contacts, resolution targets and customer segments; None
    when the run has none of them."""
    s = as_summary(summary)
    cards = _contact_cards(s)
    res_rows = [
        [
            q.queue,
            fmt_minutes(60 * q.resolution_target_hours),
            fmt_pct(q.resolution_goal, 0),
            fmt_pct(q.resolution_attainment),
            _interval(q.resolution_attainment_ci95),
            badge(q.resolution_goal_met),
        ]
        for q in s.by_queue
        if q.resolution_target_hours is not None
    ]
    if not cards and not res_rows and not s.by_segment:
        return None
    if res_rows:
        cards.append(
            kpi_card(
                "Resolution attainment",
                fmt_pct(s.resolution.attainment),
                f"{s.resolution.queues_meeting_goal} of {s.resolution.queues_with_goal} "
                "queues meet their resolution goal",
                s.resolution.goal_met,
                key="resolution.attainment",
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
    if s.by_segment:
        parts.append(_segment_table(s))
    return Section("contacts", "Contacts, resolution and segments", Markup("".join(parts)))


def _segment_table(s: Summary) -> Markup:
    """Customer segments: tickets, target, attainment and revenue at risk, per week."""
    currency = s.cost.currency
    weeks = s.weeks or 1.0
    return table_html(
        [
            "segment",
            "priority",
            "tickets per week",
            "target",
            "goal",
            "attainment",
            "95% interval",
            "missed per week",
            f"value / month ({currency})",
            f"revenue at risk per week ({currency})",
            "status",
        ],
        [
            [
                g.segment,
                g.priority or "stream's mix",
                fmt_num(g.arrived / weeks, 1),
                fmt_minutes(g.target_minutes) if g.target_minutes is not None else "queue's",
                fmt_pct(g.goal, 0),
                fmt_pct(g.attainment),
                _interval(g.attainment_ci95),
                fmt_num(g.missed_sla_tickets / weeks, 1),
                fmt_num(g.monthly_value),
                fmt_num(g.revenue_at_risk / weeks),
                badge(g.goal_met),
            ]
            for g in s.by_segment
        ],
        numeric=(2, 3, 4, 5, 7, 8, 9),
        caption=f"Customer segments ({s.replications} replication(s); means per week)",
    )


def _interval(ci: tuple[float | None, float | None] | None) -> str:
    if not ci or ci[0] is None:
        return ""
    return f"{fmt_pct(ci[0])} – {fmt_pct(ci[1])}"


def first_response_section(summary: Summary | Mapping[str, Any], data: Tables) -> Section:
    """The first-response distribution per channel with each channel's targets."""
    s = as_summary(summary)
    frt = s.first_response
    body = paragraph(
        f"First response: mean {fmt_minutes(frt.mean_minutes)}, median "
        f"{fmt_minutes(frt.p50_minutes)}, 90th percentile "
        f"{fmt_minutes(frt.p90_minutes)}, 95th percentile "
        f"{fmt_minutes(frt.p95_minutes)} (answered tickets). In the chart every "
        "ticket that reached the queue counts: abandoned tickets and tickets still waiting "
        "at the end never get a first response, so they count as misses and each curve "
        "stops below 100%. Dashed lines are the targets."
    )
    tickets = _table(data, "tickets")
    if tickets is None:
        return Section("first-response", "First response", body)
    ecdf = tables.compute_first_response_ecdf(tickets)
    targets = tables.channel_targets(s.by_queue)
    figs = [("ecdf", figures.plot_first_response_ecdf(ecdf, targets))] if len(ecdf) else []
    return Section("first-response", "First response", body, figs)


def coverage_section(summary: Summary | Mapping[str, Any], data: Tables, timezone: str) -> Section:
    """Hour-of-week heatmaps of staffing (against requirement) and of attainment."""
    intervals = _table(data, "intervals")
    gaps = as_summary(summary).coverage_gaps
    gap_table = table_html(
        [
            "language",
            "channel",
            "hours per week with nobody on shift",
            "tickets per week arriving then",
        ],
        [
            [
                g.language,
                g.channel,
                fmt_num(g.hours_per_week_uncovered, 1),
                fmt_num(g.tickets_per_week_in_gaps, 1),
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


def occupancy_section(summary: Summary | Mapping[str, Any], data: Tables, timezone: str) -> Section:
    """Occupancy by team and hour of week, against the cap."""
    occ = as_summary(summary).occupancy
    cap = occ.cap
    body = paragraph(
        f"Share of available agent time spent handling tickets. Mean {fmt_pct(occ.mean)}"
        f", busiest agent {fmt_pct(occ.max_agent)}, cap {fmt_pct(cap, 0)} (the "
        "max_occupancy labour rule); diamonds mark team-hours above the cap. Blank cells: "
        "nobody of the team on shift."
    )
    frame = _table(data, "occupancy")
    if frame is None:
        return Section("occupancy", "Occupancy", body)
    fig = figures.plot_occupancy_heatmap(frame, timezone, None if cap is None else float(cap))
    return Section("occupancy", "Occupancy", body, [("occupancy", fig)])


def burnout_section(
    summary: Summary | Mapping[str, Any], data: Tables, scenario: Mapping[str, Any]
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
    s = as_summary(summary)
    burn = s.burnout
    body = paragraph(
        f"An agent-week is at risk when it breaks any labour limit. "
        f"{burn.agents_at_risk} of {burn.agents} agents had at least one "
        f"such week in {run_length(s)} ({burn.agent_weeks_at_risk} agent-weeks, first "
        "replication)."
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
        table_class="wide",
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


def cost_section(summary: Summary | Mapping[str, Any], data: Tables) -> Section:
    """Cost per week by team (base pay and premiums) and by language x channel, the cost
    ratios, and revenue at risk."""
    s = as_summary(summary)
    cost = s.cost
    currency = cost.currency
    run = run_length(s)
    bot = (
        f" The bot or self-service costs {fmt_money(cost.bot_per_week, currency)} per week "
        f"({fmt_num(s.tickets.deflected / s.weeks if s.weeks else None)} contacts a week it "
        "resolves)."
        if cost.bot_total > 0
        else ""
    )
    body = paragraph(
        f"Staff cost {fmt_money(cost.per_week, currency)} per week "
        f"({fmt_money(cost.staff_total, currency)} over {run}, "
        f"{fmt_num(cost.paid_hours / s.weeks if s.weeks else None)} paid hours a week).{bot} "
        f"Cost per contact {fmt_money(cost.per_contact, currency, 2)}: staff"
        f"{' and bot' if cost.bot_total > 0 else ''} cost over every ticket that arrived, "
        "deflected ones included, so a bot that answers tickets does not make it look "
        f"worse; staff cost per ticket an agent handled "
        f"{fmt_money(cost.per_handled_ticket, currency, 2)}. Revenue at risk "
        f"{fmt_money(cost.revenue_at_risk_per_week, currency)} per week "
        f"({fmt_money(cost.revenue_at_risk, currency)} over {run}): tickets that missed their "
        "target × churn probability per miss × customer value over the value period."
    )
    groups = tables.queue_group_costs(cost.by_queue_group)
    group_rows = [
        [
            row["language"],
            row["channel"],
            fmt_num(row["busy_hours_per_week"], 1),
            fmt_num(row["contacts_per_week"]),
            fmt_num(row["per_week"]),
            fmt_num(row["per_contact"], 2),
            fmt_pct(row["share"]),
        ]
        for row in groups.to_dict("records")
    ]
    group_table = table_html(
        [
            "language",
            "channel",
            "agent-hours handling tickets / week",
            "contacts / week",
            f"staff cost ({currency} per week)",
            f"staff cost per contact ({currency})",
            "share of staff cost",
        ],
        group_rows,
        numeric=range(2, 7),
        caption=f"Staff cost per week by language and channel ({currency})",
    )
    explain = paragraph(
        "Each agent's pay (base pay and premiums) is split over the languages and channels "
        "of the tickets the agent handled, in proportion to the time spent on each (a chat "
        "counts by its share of the agent's concurrency); idle time is shared the same way. "
        "An agent who handled nothing is split like the team's work."
    )
    figs: list[tuple[str, Any]] = []
    if len(groups):
        figs.append(("by-queue-group", figures.plot_cost_by_queue_group(groups, currency)))
    frame = _table(data, "costs")
    if frame is None:
        return Section("cost", "Cost", Markup(body + explain), figs, group_table)
    per_week = tables.compute_cost_per_week(frame, s.weeks or 1.0, currency)
    cols = [c for c in (*tables.COST_COMPONENTS, "total") if c in per_week]
    labels = [*[tables.COST_COMPONENTS.get(c, c) for c in cols[:-1]], "total"]
    rows = [
        [row["team"], fmt_num(row.get("paid_hours"), 0), *[fmt_num(row[c]) for c in cols]]
        for row in per_week.to_dict("records")
    ]
    team_table = table_html(
        ["team", "paid hours / week", *labels],
        rows,
        numeric=range(1, len(cols) + 2),
        caption=f"Staff cost per week by team ({currency} per week)",
    )
    figs.insert(0, ("by-team", figures.plot_cost_breakdown(per_week)))
    return Section("cost", "Cost", Markup(body + explain), figs, Markup(team_table + group_table))


def run_sections(
    summary: Summary | Mapping[str, Any], data: Tables, scenario: Mapping[str, Any]
) -> list[Section]:
    """The sections of a run report, in order (the optimize report appends its own).

    Parameters
    ----------
    summary : Summary or mapping
        The run's :class:`sim.summary.Summary`, or its summary.json mapping.
    data : mapping of str to pandas.DataFrame
        ``tickets``, ``intervals``, ``agents``, ``costs``, ``occupancy`` (any may be
        missing; its section then says so instead of drawing).
    scenario : mapping
        The scenario as plain data (``Scenario.to_data()``).
    """
    s = as_summary(summary)
    tz = reporting_timezone(summary, scenario)
    contacts = contacts_section(s)
    return [
        headline_section(s),
        sla_section(s),
        *([contacts] if contacts is not None else []),
        first_response_section(s, data),
        coverage_section(s, data, tz),
        backlog_section(data, tz),
        occupancy_section(s, data, tz),
        burnout_section(s, data, scenario),
        cost_section(s, data),
        scenario_section(scenario, s),
    ]


def run_lead(summary: Summary | Mapping[str, Any]) -> Markup:
    """The lines under the heading: description, horizon, replications, seed."""
    s = as_summary(summary)
    h = s.horizon
    return Markup(
        (f'<p class="lead">{esc(s.description)}</p>' if s.description else "")
        + f'<p class="note">{esc(fmt_num(h.weeks, 2 if h.weeks % 1 else 0))} weeks from '
        f"{esc(h.start or '?')}, {esc(h.interval_minutes)}-minute intervals, times in "
        f"{esc(h.timezone)}; {esc(s.replications)} replication(s), seed {esc(s.seed)}.</p>"
    )


def render_run_report(
    summary: Summary | Mapping[str, Any],
    tables: Mapping[str, pd.DataFrame],
    scenario: Mapping[str, Any],
) -> str:
    """The self-contained HTML report of one simulation run.

    Parameters
    ----------
    summary : Summary or mapping
        The run's :class:`sim.summary.Summary` (or its summary.json mapping); the report
        shows its figures and computes none of its own.
    tables : mapping of str to pandas.DataFrame
        ``RunOutput.tables()``: ``tickets`` (summarised, never embedded per ticket),
        ``intervals``, ``agents``, ``costs``, ``occupancy``.
    scenario : mapping
        ``Scenario.to_data()``, for the key parameters section.

    Returns
    -------
    str
        The HTML page (plotly.js embedded; opens offline; no network request).
    """
    s = as_summary(summary)
    return render_page(
        kind="Simulation run",
        title=s.scenario or "scenario",
        lead=run_lead(s),
        sections=run_sections(s, tables, scenario),
    )
