"""The comparison report: several scenarios side by side, deltas against the first.

Role: turn the comparison tables that ``compare``/``sweep`` build into one self-contained
HTML page — a KPI table with coloured, worded deltas, cost against SLA, and per-queue
attainment with intervals and goals.  Must not import simpy, pyomo, ``sim`` or ``optimizer``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from reports import figures
from reports.html import (
    Markup,
    Section,
    badge,
    esc,
    fmt_minutes,
    fmt_num,
    fmt_pct,
    mapping_table,
    paragraph,
    render_page,
    table_html,
)

COMPARISON_COLUMNS = (
    "scenario",
    "cost_per_week",
    "cost_per_ticket",
    "attainment",
    "first_response_p90_minutes",
    "occupancy",
    "burnout_violations",
    "revenue_at_risk",
    "currency",
)
"""Columns ``render_comparison_report`` expects in ``comparison`` (plus ``delta_<metric>``)."""

KNOWN_EXTRA = (
    "goal_met",
    "queues_meeting_goal",
    "queues_with_goal",
    "burnout_agents_at_risk",
    "abandoned",
)
"""Further KPI columns shown when present (``sim.whatif.kpi_row`` writes them)."""

BY_QUEUE_COLUMNS = ("scenario", "queue", "attainment", "ci_low", "ci_high", "goal")
"""Columns ``render_comparison_report`` expects in ``by_queue`` (long form)."""

Format = Callable[[float, str], str]


def _money(digits: int) -> Format:
    return lambda v, cur: f"{fmt_num(v, digits)} {cur}"


def _signed_money(digits: int) -> Format:
    return lambda v, cur: f"{v:+,.{digits}f} {cur}"


def _points(v: float, _: str) -> str:
    return f"{v * 100:+.1f} pp"


def _count(v: float, _: str) -> str:
    return fmt_num(v)


def _signed_count(v: float, _: str) -> str:
    return f"{v:+,.0f}"


# metric -> (label, value format, delta format, direction: +1 higher is better, -1 lower is
# better, 0 neither)
METRICS: dict[str, tuple[str, Format, Format, int]] = {
    "cost_per_week": ("staff cost per week", _money(0), _signed_money(0), -1),
    "cost_per_ticket": ("cost per answered ticket", _money(2), _signed_money(2), -1),
    "attainment": ("SLA attainment (all queues)", lambda v, _: fmt_pct(v), _points, +1),
    "queues_meeting_goal": ("queues meeting their goal", _count, _signed_count, +1),
    "first_response_p90_minutes": (
        "first response, 90th percentile",
        lambda v, _: fmt_minutes(v),
        lambda v, _: f"{v:+.2f} min",
        -1,
    ),
    "abandoned": ("tickets abandoned", _count, _signed_count, -1),
    "occupancy": ("occupancy (mean)", lambda v, _: fmt_pct(v), _points, 0),
    "burnout_violations": ("burnout: labour-rule breaks", _count, _signed_count, -1),
    "burnout_agents_at_risk": ("burnout: agents at risk", _count, _signed_count, -1),
    "revenue_at_risk": ("revenue at risk", _money(0), _signed_money(0), -1),
}


def _finite(value: object) -> bool:
    try:
        return bool(np.isfinite(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def _delta_cell(
    delta: object,
    direction: int,
    fmt: Format,
    currency: str,
    ci: tuple[object, object] = (None, None),
) -> Markup:
    """The delta under a value: signed, with its 95% interval when known, and in words.

    "better"/"worse" (blue/vermillion) only when the interval, if given, excludes zero;
    otherwise "within noise".
    """
    if not _finite(delta):
        return Markup("")
    d = float(delta)  # type: ignore[arg-type]
    if abs(d) < 1e-12:
        return Markup('<br><span class="note">no change</span>')
    text = fmt(d, currency)
    lo, hi = ci
    interval = ""
    uncertain = False
    if _finite(lo) and _finite(hi):
        low, high = float(lo), float(hi)  # type: ignore[arg-type]
        interval = f" (95% CI {fmt(low, currency)} to {fmt(high, currency)})"
        uncertain = low <= 0 <= high
    if direction == 0 or uncertain:
        word = " · within noise" if uncertain else ""
        return Markup(f'<br><span class="note">{esc(text + interval + word)}</span>')
    word = "better" if (d > 0) == (direction > 0) else "worse"
    note = f'<span class="note">{esc(interval)}</span>' if interval else ""
    return Markup(f'<br><span class="delta {word}">{esc(text)} · {word}</span>{note}')


def kpi_comparison_table(comparison: pd.DataFrame) -> Markup:
    """Metrics as rows, scenarios as columns; each cell the value and its delta.

    Deltas come from ``delta_<metric>`` columns when present (with their 95% interval from
    ``delta_<metric>_ci_low``/``_ci_high``), else are computed against the first scenario.
    Better is blue and worse vermillion, each also said in words.
    """
    names = [str(s) for s in comparison["scenario"]]
    currency = (
        comparison["currency"].astype(str).tolist()
        if "currency" in comparison
        else [""] * len(names)
    )
    header = ["metric", *[f"{n}{' (reference)' if i == 0 else ''}" for i, n in enumerate(names)]]
    nan = np.full(len(names), np.nan)
    body = []
    for metric, (label, fmt, dfmt, direction) in METRICS.items():
        if metric not in comparison:
            continue
        values = pd.to_numeric(comparison[metric], errors="coerce").to_numpy(dtype=float)
        if f"delta_{metric}" in comparison:
            deltas = pd.to_numeric(comparison[f"delta_{metric}"], errors="coerce").to_numpy()
        else:
            deltas = values - values[0]
        lows = comparison.get(f"delta_{metric}_ci_low", nan)
        highs = comparison.get(f"delta_{metric}_ci_high", nan)
        cells = [f"<td>{esc(label)}</td>"]
        for i, value in enumerate(values):
            shown = fmt(float(value), currency[i]) if _finite(value) else "n/a"
            if metric == "queues_meeting_goal" and "queues_with_goal" in comparison:
                shown += f" of {comparison['queues_with_goal'].iloc[i]}"
            extra = (
                _delta_cell(deltas[i], direction, dfmt, currency[i], (lows[i], highs[i]))
                if i
                else Markup("")
            )
            cells.append(f'<td class="num">{esc(shown)}{extra}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th{' class=num' if i else ''}>{esc(h)}</th>" for i, h in enumerate(header))
    return Markup(
        '<div class="table-wrap"><table><caption>Key figures (deltas against the reference, '
        f"the first scenario)</caption><thead><tr>{head}</tr></thead><tbody>"
        + "".join(body)
        + "</tbody></table></div>"
    )


def queue_table(by_queue: pd.DataFrame) -> Markup:
    """Attainment per queue (rows) and scenario (columns), with met/missed marks."""
    if by_queue.empty:
        return Markup("")
    scenarios = list(pd.unique(by_queue["scenario"].astype(str)))
    rows = []
    for queue, group in by_queue.groupby(by_queue["queue"].astype(str), sort=False):
        goal = group["goal"].iloc[0]
        cells: list[object] = [queue, fmt_pct(goal, 0)]
        for name in scenarios:
            hit = group[group["scenario"].astype(str) == name]
            if hit.empty or not _finite(hit["attainment"].iloc[0]):
                cells.append("")
                continue
            att = float(hit["attainment"].iloc[0])
            met = None if not _finite(goal) else att >= float(goal) - 1e-12
            cells.append(Markup(f"{esc(fmt_pct(att))} {badge(met)}"))
        rows.append(cells)
    return table_html(
        ["queue", "goal", *scenarios],
        rows,
        numeric=range(1, 2 + len(scenarios)),
        caption="SLA attainment per queue",
    )


def _settings_table(comparison: pd.DataFrame) -> Markup:
    """Any further columns (e.g. the values a sweep set) per scenario."""
    extra = [
        c
        for c in comparison.columns
        if c not in COMPARISON_COLUMNS and c not in KNOWN_EXTRA and not str(c).startswith("delta_")
    ]
    if not extra:
        return Markup("")
    rows = [[row["scenario"], *[row[c] for c in extra]] for row in comparison.to_dict("records")]
    return table_html(
        ["scenario", *[str(c) for c in extra]], rows, caption="What differs between the scenarios"
    )


def render_comparison_report(
    comparison: pd.DataFrame, by_queue: pd.DataFrame, meta: Mapping[str, Any] | None = None
) -> str:
    """A self-contained HTML page comparing scenarios.

    Parameters
    ----------
    comparison : pandas.DataFrame
        One row per scenario, the first being the reference: ``scenario``,
        ``cost_per_week``, ``cost_per_ticket`` (money), ``attainment`` (0..1),
        ``first_response_p90_minutes``, ``occupancy`` (0..1), ``burnout_violations``
        (count), ``revenue_at_risk`` (money), ``currency``; optionally ``delta_<metric>``
        (value minus the first scenario's; computed when absent) and any further columns
        (e.g. swept settings), shown in their own table.
    by_queue : pandas.DataFrame
        Long table: ``scenario``, ``queue``, ``attainment``, ``ci_low``, ``ci_high``,
        ``goal`` (shares 0..1; intervals may be NaN).
    meta : mapping, optional
        ``title`` (page heading, default "Scenario comparison"), ``description`` (a
        paragraph); any other scalar or list items are shown as a "run details" table
        (e.g. ``files``, ``replications``, ``seed``).

    Returns
    -------
    str
        The HTML page (plotly.js embedded; opens offline; no network request).
    """
    meta = dict(meta or {})
    title = str(meta.pop("title", "Scenario comparison"))
    description = meta.pop("description", None)
    n = len(comparison)
    reference = str(comparison["scenario"].iloc[0]) if n else "none"
    lead = Markup(
        (f'<p class="lead">{esc(description)}</p>' if description else "")
        + f'<p class="note">{n} scenario(s); deltas are against the first, '
        f"{esc(reference)}. SLA attainment counts abandoned tickets as misses.</p>"
    )
    kpis = Section(
        "kpis",
        "Key figures",
        Markup(kpi_comparison_table(comparison) + _settings_table(comparison))
        if n
        else paragraph("No scenario to compare."),
    )
    sections = [kpis]
    if n:
        sections.append(
            Section(
                "cost-sla",
                "Cost against service level",
                paragraph(
                    "Each point is a scenario (the reference is the diamond). Up and to the "
                    "left is better: more tickets answered in time for less money."
                ),
                [("scatter", figures.plot_cost_vs_sla(comparison))],
            )
        )
    if len(by_queue):
        sections.append(
            Section(
                "queues",
                "SLA attainment per queue",
                paragraph(
                    "Bars are each scenario's attainment with its 95% confidence interval; "
                    "the black mark is the queue's goal."
                ),
                [("attainment", figures.plot_attainment_comparison(by_queue))],
                queue_table(by_queue),
            )
        )
    if meta:
        sections.append(Section("details", "Run details", mapping_table(meta)))
    return render_page(kind="Scenario comparison", title=title, lead=lead, sections=sections)
