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
