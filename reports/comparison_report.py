"""The comparison report: several scenarios side by side, deltas against the first.

Role: turn the comparison tables that ``compare`` builds (:func:`sim.whatif.comparison_tables`)
into one self-contained HTML page — a table of the figures of :data:`sim.summary.KPIS` with
coloured, worded deltas, cost against SLA, and per-queue attainment with intervals and
goals.  Every value and delta is read from the tables; none is computed here.  Must not
import simpy, pyomo, the engine or the optimizer (of ``sim``, only the summary's types).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from reports import figures
from reports.html import (
    Markup,
    Section,
    badge,
    details_table,
    esc,
    fmt_minutes,
    fmt_num,
    fmt_pct,
    paragraph,
    render_page,
    table_html,
)
from sim.summary import KPIS, ROW_INFO, Kpi

DETAIL_WORDS = {
    "files": "scenario files",
    "variants": "variants of the first file",
    "overrides": "overrides of every scenario (--set)",
    "replications": "replications per scenario",
    "common_random_numbers": "common random numbers",
}

BY_QUEUE_COLUMNS = ("scenario", "queue", "attainment", "ci_low", "ci_high", "goal")
"""Columns ``render_comparison_report`` expects in ``by_queue`` (long form)."""

KNOWN_COLUMNS = frozenset(ROW_INFO) | {k.name for k in KPIS}
"""Columns of ``comparison`` that are figures or their context; any other column (the
settings a sweep or a variant changed) is listed in "What differs"."""


def _finite(value: object) -> bool:
    try:
        return bool(np.isfinite(float(value)))  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return False


def kpi_value(kpi: Kpi, value: float) -> str:
    """A KPI's value as the cell shows it (its unit is in the row's heading)."""
    if kpi.kind == "share":
        return fmt_pct(value)
    if kpi.kind == "minutes":
        return fmt_minutes(value)
    return fmt_num(value, kpi.digits)


def kpi_delta(kpi: Kpi, value: float) -> str:
    """A signed change of a KPI: ``+1,200``, ``-2.0 pp``, ``+1.9 h``."""
    if kpi.kind == "share":
        return f"{value * 100:+.1f} pp"
    if kpi.kind == "minutes":
        return ("+" if value >= 0 else "-") + fmt_minutes(abs(value))
    return f"{value:+,.{kpi.digits}f}"


def delta_parts(
    kpi: Kpi, delta: object, ci: tuple[object, object] = (None, None)
) -> tuple[str, str, str] | None:
    """A change of a KPI in words: its signed text, its verdict and its 95% interval.

    The verdict is ``better`` or ``worse`` only for a KPI with a better direction, and only
    when the interval, if given, excludes zero; ``within noise`` when it does not; empty
    for a KPI that is neither (occupancy, cost ratios) and for no change (text ``no
    change``). None when the delta is unknown.
    """
    if not _finite(delta):
        return None
    d = float(delta)  # type: ignore[arg-type]
    if abs(d) < 1e-12:
        return "no change", "", ""
    lo, hi = ci
    interval = ""
    uncertain = False
    if _finite(lo) and _finite(hi):
        low, high = float(lo), float(hi)  # type: ignore[arg-type]
        interval = f"95% CI {kpi_delta(kpi, low)} to {kpi_delta(kpi, high)}"
        uncertain = low <= 0 <= high
    if uncertain:
        return kpi_delta(kpi, d), "within noise", interval
    if kpi.better == 0:
        return kpi_delta(kpi, d), "", interval
    return kpi_delta(kpi, d), "better" if (d > 0) == (kpi.better > 0) else "worse", interval


def _delta_cell(kpi: Kpi, delta: object, ci: tuple[object, object] = (None, None)) -> Markup:
    """The delta under a value (:func:`delta_parts`): better blue, worse vermillion."""
    parts = delta_parts(kpi, delta, ci)
    if parts is None:
        return Markup("")
    text, word, interval = parts
    note = Markup(f'<br><span class="note ci">{esc(interval)}</span>') if interval else ""
    if word in ("better", "worse"):
        return Markup(f'<br><span class="delta {word}">{esc(text)} · {word}</span>{note}')
    shown = f"{text} · {word}" if word else text
    return Markup(f'<br><span class="note">{esc(shown)}</span>{note}')


def kpi_comparison_table(comparison: pd.DataFrame) -> Markup:
    """Figures as rows (each named with its unit and period), scenarios as columns; each
    cell the value and its delta.

    Values and deltas are read from the table (``<kpi>``, ``delta_<kpi>`` and its 95%
    interval ``delta_<kpi>_ci_low``/``_ci_high``, as :func:`sim.whatif.comparison_tables`
    writes them); nothing is computed here. Better is blue and worse vermillion, each also
    said in words; figures that are neither (occupancy, cost ratios) only show the change.
    """
    names = [str(s) for s in comparison["scenario"]]
    currencies = set(comparison["currency"].astype(str)) if "currency" in comparison else {""}
    currency = next(iter(currencies)) if len(currencies) == 1 else "currency"
    header = ["figure", *[f"{n}{' (reference)' if i == 0 else ''}" for i, n in enumerate(names)]]
    nan = np.full(len(names), np.nan)
    body = []
    for kpi in KPIS:
        if not kpi.in_report or kpi.name not in comparison:
            continue
        values = pd.to_numeric(comparison[kpi.name], errors="coerce").to_numpy(dtype=float)
        deltas = comparison.get(f"delta_{kpi.name}", nan)
        lows = comparison.get(f"delta_{kpi.name}_ci_low", nan)
        highs = comparison.get(f"delta_{kpi.name}_ci_high", nan)
        cells = [f"<th>{esc(kpi.heading(currency))}</th>"]
        for i, value in enumerate(values):
            shown = kpi_value(kpi, float(value)) if _finite(value) else "n/a"
            if kpi.name == "queues_meeting_goal" and "queues_with_goal" in comparison:
                shown = f"{fmt_num(value)} of {comparison['queues_with_goal'].iloc[i]}"
            extra = _delta_cell(kpi, deltas[i], (lows[i], highs[i])) if i else Markup("")
            cells.append(f'<td class="num"><span class="value">{esc(shown)}</span>{extra}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    head = "".join(f"<th{' class=num' if i else ''}>{esc(h)}</th>" for i, h in enumerate(header))
    return Markup(
        '<div class="table-wrap"><table class="figures"><caption>Key figures (deltas against '
        f"the reference, the first scenario)</caption><thead><tr>{head}</tr></thead><tbody>"
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
    """Any further columns (e.g. the settings a variant changed) per scenario."""
    extra = [
        c for c in comparison.columns if c not in KNOWN_COLUMNS and not str(c).startswith("delta_")
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
        One row per scenario, the first being the reference, as
        :func:`sim.whatif.comparison_tables` builds it: ``scenario``, ``currency``, the
        figures of :data:`sim.summary.KPIS` and their ``delta_<kpi>`` (value minus the
        reference's) with, where known, ``delta_<kpi>_ci_low``/``_ci_high``. Any further
        column (the settings a variant changed) is shown in its own table.
    by_queue : pandas.DataFrame
        Long table: ``scenario``, ``queue``, ``attainment``, ``ci_low``, ``ci_high``,
        ``goal`` (shares 0..1; intervals may be NaN).
    meta : mapping, optional
        ``title`` (page heading, default "Scenario comparison"), ``description`` (a
        paragraph), ``replications`` and ``seed`` (named in the lead); any other scalar or
        list items are shown as a "run details" table (e.g. ``files``).

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
    replications = meta.get("replications")
    runs = (
        f" Each scenario is simulated with {esc(replications)} replication(s)"
        + (f" from seed {esc(meta['seed'])}" if meta.get("seed") is not None else "")
        + " and the same customers wherever a stream is unchanged (common random numbers)."
        if replications is not None
        else ""
    )
    lead = Markup(
        (f'<p class="lead">{esc(description)}</p>' if description else "")
        + f'<p class="note">{n} scenario(s); deltas are against the first, '
        f"{esc(reference)}.{runs} SLA attainment counts abandoned tickets as misses. "
        "Cost per contact and per handled ticket are not called better or worse: they fall "
        "whenever the same staff answer more tickets, whether or not the service holds, so "
        "read them beside SLA attainment.</p>"
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
                    "Bars are each scenario's attainment with its 95% interval (Wilson, with "
                    "the effective number of tickets from the spread between replications); "
                    "the black mark is the queue's goal."
                ),
                [("attainment", figures.plot_attainment_comparison(by_queue))],
                queue_table(by_queue),
            )
        )
    if meta:
        sections.append(Section("details", "Run details", details_table(meta, DETAIL_WORDS)))
    return render_page(kind="Scenario comparison", title=title, lead=lead, sections=sections)
