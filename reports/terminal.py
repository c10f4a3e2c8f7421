"""What the command line prints after a run: the figures of the report, as text lines.

Role: build the lines ``run_sim.py`` prints for ``simulate`` and ``compare`` (it alone
prints), worded and rounded as the reports are, every figure with its unit and period.
Must not import simpy, pyomo, the engine or the optimizer.
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from reports.html import fmt_minutes, fmt_money, fmt_num, fmt_pct
from sim.summary import Summary, goals_text


def summary_lines(summary: Summary) -> list[str]:
    """The terminal summary of a run: every figure with its unit and period, worded as in
    the report."""
    s = summary
    cost, sla, frt = s.cost, s.sla, s.first_response
    weeks = s.weeks
    run = f"the {fmt_num(weeks, 2 if weeks % 1 else 0)}-week run"
    ci = sla.attainment_ci95 or (None, None)
    interval = f" (95% interval {fmt_pct(ci[0])}-{fmt_pct(ci[1])})" if ci[0] is not None else ""
    bot = (
        f" + bot {fmt_money(cost.bot_per_week, cost.currency)} per week"
        if cost.bot_total > 0
        else ""
    )
    length = f"{fmt_num(weeks, 2 if weeks % 1 else 0)} week{'' if weeks == 1 else 's'}"
    return [
        f"scenario {s.scenario}: {length}, {s.replications} replication(s); "
        f"{fmt_num(s.tickets.arrived / weeks)} tickets a week ({fmt_num(s.tickets.arrived)} "
        f"over {run})",
        f"SLA {fmt_pct(sla.attainment)} of tickets answered within target{interval}; "
        f"{goals_text(sla)}",
        f"first response p50 {fmt_minutes(frt.p50_minutes)}, p90 "
        f"{fmt_minutes(frt.p90_minutes)} (answered tickets)",
        f"staff cost {fmt_money(cost.per_week, cost.currency)} per week{bot} "
        f"({fmt_money(cost.staff_total, cost.currency)} over {run}); "
        f"{fmt_money(cost.per_contact, cost.currency, 2)} per contact, "
        f"{fmt_money(cost.per_handled_ticket, cost.currency, 2)} per agent-handled ticket",
        f"revenue at risk {fmt_money(cost.revenue_at_risk_per_week, cost.currency)} per week "
        f"({fmt_money(cost.revenue_at_risk, cost.currency)} over {run})",
    ]


def _change(row: dict[str, Any], key: str, money: bool) -> str:
    """`` (+1,200 USD per week)`` or `` (-2.0 pp)``: a row's delta against the reference."""
    delta = row.get(f"delta_{key}")
    if delta is None or delta != delta:  # the reference, or unknown
        return ""
    text = f"{delta:+,.0f} {row['currency']} per week" if money else f"{delta * 100:+.1f} pp"
    return f" ({text})"


def comparison_lines(table: pd.DataFrame, replications: int) -> list[str]:
    """The terminal lines of a comparison: per scenario its SLA, staff cost per week and
    revenue at risk per week, with the change against the first."""
    lines = [f"{len(table)} scenarios, {replications} replication(s) each:"]
    for i, row in enumerate(table.to_dict("records")):
        cur = row["currency"]
        lines.append(
            f"  {row['scenario']}: SLA {fmt_pct(row['attainment'])}"
            f"{_change(row, 'attainment', False)}, staff cost "
            f"{fmt_money(row['cost_per_week'], cur)} per week"
            f"{_change(row, 'cost_per_week', True)}, revenue at risk "
            f"{fmt_money(row['revenue_at_risk_per_week'], cur)} per week"
            f"{_change(row, 'revenue_at_risk_per_week', True)}" + (" [reference]" if i == 0 else "")
        )
    if len(table) > 1:
        lines.append(f"  (changes against {table.iloc[0]['scenario']})")
    return lines


def optimize_lines(report: dict[str, Any], source: str) -> list[str]:
    """The terminal summary of ``optimize``: the plan's status in words, its cost per week,
    what it leaves uncovered and why, who is short of people, every stage's solve, the
    verification rounds and the simulated goals.

    Parameters
    ----------
    report : dict
        ``optimize.json`` as written.
    source : str
        The scenario file, for the command suggested when teams are short.
    """
    currency = report["cost"]["currency"]
    lines = [
        f"optimize {report['scenario']}: {report['status']} — {report['status_words']}",
        f"  plan: {report['agents_rostered']} people, {report['shifts_rostered']} shifts, "
        f"pay {fmt_money(report['cost']['per_week'], currency)} per week "
        f"({fmt_money(report['cost']['total'], currency)} over the horizon)",
    ]
    starts = report.get("start_times") or {}
    if starts:
        lines.append(
            f"  stable shifts: median {fmt_num(starts['median_per_week'], 1)} start time(s) "
            f"per person-week; {fmt_pct(starts['share_at_most_two'])} of person-weeks have "
            "at most two"
        )
    prefs = report.get("preferences") or {}
    if prefs.get("asked"):
        lines.append(f"  preferences granted: {prefs['granted']} of {prefs['asked']}")
    for gap in report.get("uncovered") or []:
        lines.append(
            f"  uncovered: {gap['group']} {fmt_num(gap['agent_hours'], 1)} agent-hours "
            f"({gap['intervals']} intervals, UTC {gap['utc_hours']}): {gap['why']}"
        )
    short = [h for h in report.get("headcount") or [] if h["needed"] > h["agents"]]
    for h in short:
        lines.append(
            f"  {h['team']}: needs {h['needed']} people (has {h['agents']}), "
            f"{fmt_money(h['extra_cost_per_week'], currency)} more per week"
        )
    if short and not any(r.get("stage") == "sizing" for r in report.get("solves", [])):
        lines.append(
            f"  to plan with those head counts: python run_sim.py optimize {source} --size-teams"
        )
    for broken in (report.get("rules_broken") or [])[:5]:
        lines.append(
            f"  rule broken: {broken['agent']} {broken['rule']} on {broken['date']} "
            f"(found {broken['found']:g}, limit {broken['limit']:g})"
        )
    for solve in report["solves"]:
        gap = "n/a" if solve["gap"] is None else fmt_pct(solve["gap"], 2)
        extra = (
            f", {solve['unstaffed']} shift(s) without a person" if solve.get("unstaffed") else ""
        )
        lines.append(
            f"  {solve['stage']}: {solve['status']}, gap {gap}{extra} — {solve['message']} "
            f"({solve['build_seconds'] + solve['solve_seconds']:.1f} s)"
        )
    for record in report.get("rounds") or []:
        kept = " (kept)" if record.get("kept") else ""
        lines.append(
            f"  round {record['round']}{kept}: SLA {fmt_pct(record['attainment'])}, "
            f"{record['queues_meeting_goal']} of {record['queues_with_goal']} queues meet "
            f"their goal, {fmt_money(record['cost_per_week'], currency)} per week"
        )
    if report.get("stop_reason"):
        verified = "verified" if report.get("verified") else "not verified"
        lines.append(f"  {verified}: {report['stop_reason']}")
    lines.extend(risk_lines(report))
    simulated = report["simulated"]
    misses = simulated["queues_missing_goal"]
    if not misses:
        lines.append("  simulated: every queue meets its goal")
    for m in misses:
        if m["short_by"] > 0:
            lines.append(
                f"  misses {m['queue']}: {fmt_pct(m['attainment'])} against goal "
                f"{fmt_pct(m['goal'], 0)} ({m['why']})"
            )
        else:
            lines.append(
                f"  not shown to hold {m['queue']}: {fmt_pct(m['attainment'])}, its 95% "
                f"interval reaches {fmt_pct(m['ci_low'])} ({m['why']})"
            )
    return lines


def risk_lines(report: dict[str, Any]) -> list[str]:
    """``optimize --risk``: the level planned for, its busyness multipliers, and what each
    level planned costs against how often its simulated days miss a goal."""
    risk = report.get("risk")
    if not risk:
        return []
    currency = report["cost"]["currency"]
    values = sorted(set(risk["multiplier"].values()))
    shown = ", ".join(fmt_num(v, 3) for v in values)
    lines = [
        f"  risk {risk['level']:g}: demand planned at {shown} times the mean "
        f"(busyness: {risk['busyness']})"
    ]
    if risk.get("note"):
        lines.append(f"  note: {risk['note']}")
    for row in report.get("risk_levels") or []:
        missed = row["days_any_goal_missed"]
        lines.append(
            f"  risk {row['level']:g}: {fmt_money(row['cost_per_week'], currency)} per week, "
            f"some goal missed on {fmt_pct(missed) if missed is not None else 'n/a'} of "
            f"{row['days']} simulated days"
        )
    return lines
