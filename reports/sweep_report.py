"""The sweep report: every point of a ``--set`` grid, the cost-service frontier, and where
one more agent-hour pays most.

Role: turn the table ``sim.whatif.sweep_table`` builds (one row per grid point: the swept
settings, the headline KPIs and a ``pareto`` flag) and the marginal-value table of
``sim.marginal.marginal_value`` (team x hour of week) into one self-contained HTML page:
the frontier scatter, the results table, attainment and cost against each numeric swept
key, and the marginal value heatmap of :mod:`reports.marginal_report` with the ten best
hours to add an agent.  Every user string (scenario,
key, value and team names) is escaped.  The frontier is read from the table's ``pareto``
column, never computed again.  Must not import simpy, pyomo, the engine or the optimizer
(of ``sim``, only the summary's KPI list).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports import theme
from reports.html import (
    Markup,
    Section,
    details_table,
    esc,
    fmt_minutes,
    fmt_money,
    fmt_num,
    fmt_pct,
    paragraph,
    render_page,
    table_html,
)
from reports.marginal_report import (
    marginal_section,
)
from reports.theme import (
    LABEL_FONT,
    MET,
    NEUTRAL,
    OKABE_ITO,
    base_layout,
    empty_figure,
    place_labels,
)
from sim.summary import KPIS, ROW_INFO

SWEEP_INFO = (*ROW_INFO, "pareto")
"""Columns of a sweep table besides the swept keys and the figures of :data:`KPIS`."""

FRONTIER_NAME = "on the frontier (Pareto: no other point is both cheaper and better served)"
OTHER_NAME = "other points (dominated: another point is at least as cheap and as well served)"
MAX_TEXT_LABELS = 20
"""Points are labelled on the chart itself up to this many; beyond, on hover only."""
MAX_LINES = 6
"""Per-key charts draw one line per combination of the other keys up to this many."""


# --------------------------------------------------------------------------- helpers


def value_text(value: object) -> str:
    """A swept value as text: numbers compactly (``0.3``, ``8``), anything else as given."""
    if isinstance(value, bool | np.bool_):
        return str(bool(value)).lower()
    if isinstance(value, float | np.floating):
        return f"{float(value):g}"
    return "" if value is None else str(value)


def sweep_keys(table: pd.DataFrame, axes: Mapping[str, Any] | Sequence[str] | None) -> list[str]:
    """The swept keys in the order given (those present in ``table``), else every column
    that is not a figure or its context."""
    if axes:
        keys = [str(k) for k in axes]
        return [k for k in keys if k in table.columns]
    known = set(SWEEP_INFO) | {k.name for k in KPIS}
    return [str(c) for c in table.columns if c not in known and not str(c).startswith("delta_")]


def short_keys(keys: Sequence[str]) -> dict[str, str]:
    """Short names of swept keys for labels: the last part of the path (``scale`` for
    ``demand.scale``), or the last two for longer paths (``dublin.agents`` for
    ``teams.dublin.agents``); the whole path wherever short names would collide."""
    short = {}
    for key in keys:
        parts = key.split(".")
        short[key] = ".".join(parts[-2:]) if len(parts) >= 3 else parts[-1]
    if len(set(short.values())) < len(short):
        return {k: k for k in keys}
    return short


def point_label(row: Mapping[str, Any], keys: Sequence[str]) -> str:
    """A point's settings as ``scale=1, deflection=0.33`` (short key names)."""
    short = short_keys(keys)
    return ", ".join(f"{short[k]}={value_text(row[k])}" for k in keys)


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype(float)


def pareto_flags(table: pd.DataFrame) -> np.ndarray:
    """The table's ``pareto`` column (set once, by :func:`sim.whatif.sweep_table`)."""
    return table["pareto"].fillna(False).astype(bool).to_numpy()


def _currency(table: pd.DataFrame) -> str:
    if "currency" in table and len(table):
        return str(table["currency"].iloc[0])
    return ""


def _settings_hover(table: pd.DataFrame, keys: Sequence[str]) -> list[str]:
    """Per point: its scenario and every swept setting, escaped for Plotly, one a line."""
    out = []
    for i, row in enumerate(table.to_dict("records")):
        lines = [f"<b>point {i + 1}</b>"]
        lines += [f"{theme.esc(k)} = {theme.esc(value_text(row[k]))}" for k in keys]
        if "scenario" in row:
            lines.append(f"<i>{theme.esc(row['scenario'])}</i>")
        out.append("<br>".join(lines))
    return out


def _pad(values: pd.Series, share: float, floor: float) -> tuple[float, float] | None:
    finite = values[np.isfinite(values)]
    if finite.empty:
        return None
    pad = max(float(finite.max() - finite.min()) * share, floor)
    return float(finite.min()) - pad, float(finite.max()) + pad


# --------------------------------------------------------------------------- figures


def plot_sweep_frontier(
    table: pd.DataFrame, axes: Mapping[str, Any] | Sequence[str] | None = None
) -> go.Figure:
    """Cost per week against SLA attainment for every sweep point, the frontier marked.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per point: the swept keys, ``scenario``, ``cost_per_week``, ``attainment``
        (0..1), ``currency`` and ``pareto`` (from :func:`sim.whatif.sweep_table`).
    axes : mapping or sequence of str, optional
        The swept keys (a mapping's keys), in order; default: every non-KPI column.

    Returns
    -------
    plotly.graph_objects.Figure
        Two traces: the other points (grey circles) and the frontier (blue diamonds joined
        by a line in order of cost); each point's settings show on hover and, up to
        :data:`MAX_TEXT_LABELS` points, as a ``key=value`` label placed clear of the other
        labels and points (points with the same result share one label).
    """
    title = "Cost against service level: the cost-service frontier"
    cost = _numbers(table["cost_per_week"]) if len(table) else pd.Series(dtype=float)
    att = _numbers(table["attainment"]) if len(table) else pd.Series(dtype=float)
    shown = np.isfinite(cost.to_numpy()) & np.isfinite(att.to_numpy())
    if not shown.any():
        return empty_figure(title, "No sweep point with both a cost and an attainment.")
    keys = sweep_keys(table, axes)
    currency = _currency(table)
    pareto = pareto_flags(table)
    hover = np.array(_settings_hover(table, keys), dtype=object)
    template = (
        "%{customdata}<br>%{x:,.0f} "
        + theme.esc(currency)
        + " per week<br>SLA attainment %{y:.1%}<extra>%{fullData.name}</extra>"
    )
    fig = go.Figure()
    for on_frontier in (False, True):
        pick = shown & (pareto == on_frontier)
        if not pick.any():
            continue
        order = np.argsort(cost.to_numpy()[pick], kind="stable")
        fig.add_trace(
            go.Scatter(
                x=cost.to_numpy()[pick][order],
                y=att.to_numpy()[pick][order],
                mode="lines+markers" if on_frontier else "markers",
                name=FRONTIER_NAME if on_frontier else OTHER_NAME,
                customdata=list(hover[pick][order]),
                hovertemplate=template,
                marker={
                    "size": 15 if on_frontier else 11,
                    "symbol": "diamond" if on_frontier else "circle",
                    "color": MET if on_frontier else "#BBBBBB",
                    "line": {"width": 1, "color": "#000000" if on_frontier else NEUTRAL},
                },
                line={"color": MET, "width": 2} if on_frontier else None,
                legendrank=1 if on_frontier else 2,
            )
        )
    xaxis: dict[str, Any] = {
        "title": {"text": f"staff cost ({theme.esc(currency)} per week)"},
        "tickformat": ",.0f",
    }
    span = float(att[shown].max() - att[shown].min())
    yaxis: dict[str, Any] = {
        "title": {"text": "SLA attainment (% answered within target)"},
        "tickformat": ".0%" if span > 0.05 else ".1%",
    }
    x_range = _pad(cost[shown], 0.12, max(float(cost[shown].abs().max()) * 0.02, 1.0))
    y_range = _pad(att[shown], 0.15, 0.005)
    assert x_range is not None and y_range is not None
    # Attainment cannot pass 100%: the axis stops just above it.
    y_range = (max(0.0, y_range[0]), min(y_range[1], 1.004))
    xaxis["range"] = list(x_range)
    yaxis["range"] = list(y_range)
    if int(shown.sum()) <= MAX_TEXT_LABELS and keys:
        _label_points(fig, table, keys, shown, x_range, y_range)
    fig.update_layout(
        base_layout(title, 500, legend={**base_layout(title, 500)["legend"], "y": 1.0}),
        xaxis=xaxis,
        yaxis=yaxis,
        margin={"l": 80, "r": 30, "t": 110, "b": 60},
    )
    return fig


def _label_points(
    fig: go.Figure,
    table: pd.DataFrame,
    keys: Sequence[str],
    shown: np.ndarray,
    x_range: tuple[float, float],
    y_range: tuple[float, float],
) -> None:
    """Annotate the shown points with their settings, one label per distinct result."""
    cost = _numbers(table["cost_per_week"]).to_numpy()
    att = _numbers(table["attainment"]).to_numpy()
    rows = table.to_dict("records")
    groups: dict[tuple[float, float], list[int]] = {}
    for n in np.flatnonzero(shown):
        groups.setdefault((round(cost[n], 2), round(att[n], 6)), []).append(int(n))
    # Frontier points are labelled first, so theirs get the best places.
    pareto = pareto_flags(table)
    members = sorted(groups.values(), key=lambda g: (not pareto[g[0]], cost[g[0]]))
    texts = []
    for group in members:
        if len(group) == 1:
            texts.append(point_label(rows[group[0]], keys))
        else:
            texts.append(f"points {', '.join(str(i + 1) for i in group)} (same result)")
    first = [g[0] for g in members]
    places = place_labels(cost[first], att[first], texts, x_range, y_range)
    for i, text, place in zip(first, texts, places, strict=True):
        if place is None:
            continue
        fig.add_annotation(
            x=cost[i],
            y=att[i],
            text=theme.esc(text),
            showarrow=False,
            font={"size": LABEL_FONT, "color": "#222222" if pareto[i] else "#555555"},
            **place,
        )


def _combos(table: pd.DataFrame, others: Sequence[str]) -> list[tuple[str, np.ndarray]]:
    """(label, row mask) per combination of the other keys' values, in table order."""
    if not others:
        return [("all points", np.ones(len(table), dtype=bool))]
    texts = table[list(others)].map(value_text)
    short = short_keys(others)
    out = []
    for values, group in texts.groupby(list(others), sort=False):
        values = values if isinstance(values, tuple) else (values,)
        label = ", ".join(f"{short[k]}={v}" for k, v in zip(others, values, strict=True))
        out.append((label, table.index.isin(group.index)))
    return out


def plot_sweep_key(table: pd.DataFrame, key: str, keys: Sequence[str]) -> go.Figure:
    """SLA attainment and cost per week against one numeric swept key, side by side.

    One line per combination of the other keys' values (up to :data:`MAX_LINES`), else the
    mean over them with every point as a grey dot.
    """
    title = f"SLA attainment and cost against {theme.esc(key)}"
    x_all = _numbers(table[key])
    if not np.isfinite(x_all).any():
        return empty_figure(title, "The values of this key are not numbers.")
    currency = _currency(table)
    others = [k for k in keys if k != key]
    combos = _combos(table, others)
    metrics = (
        ("attainment", "SLA attainment", ".1%"),
        ("cost_per_week", f"staff cost ({theme.esc(currency)} per week)", ",.0f"),
    )
    fig = make_subplots(
        rows=1,
        cols=2,
        horizontal_spacing=0.12,
        subplot_titles=[m[1] for m in metrics],
    )
    many = len(combos) > MAX_LINES
    if many:
        frame = pd.DataFrame(
            {
                "x": x_all,
                "attainment": _numbers(table["attainment"]),
                "cost_per_week": _numbers(table["cost_per_week"]),
            }
        ).dropna(subset=["x"])
        mean = frame.groupby("x", as_index=False).mean().sort_values("x")
        for col, (metric, _, fmt) in enumerate(metrics, start=1):
            fig.add_trace(
                go.Scatter(
                    x=frame["x"],
                    y=frame[metric],
                    mode="markers",
                    name="every point",
                    legendgroup="points",
                    showlegend=col == 1,
                    marker={"color": "#BBBBBB", "size": 7, "line": {"width": 0.5}},
                    hovertemplate=f"%{{x:g}}: %{{y:{fmt}}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
            fig.add_trace(
                go.Scatter(
                    x=mean["x"],
                    y=mean[metric],
                    mode="lines+markers",
                    name=f"mean over the other settings ({len(combos)} combinations)",
                    legendgroup="mean",
                    showlegend=col == 1,
                    line={"color": MET, "width": 2},
                    marker={"size": 8},
                    hovertemplate=f"%{{x:g}}: mean %{{y:{fmt}}}<extra></extra>",
                ),
                row=1,
                col=col,
            )
    else:
        symbols = ("circle", "square", "diamond", "triangle-up", "x", "star")
        for n, (label, mask) in enumerate(combos):
            part = pd.DataFrame(
                {
                    "x": x_all[mask],
                    "attainment": _numbers(table.loc[mask, "attainment"]),
                    "cost_per_week": _numbers(table.loc[mask, "cost_per_week"]),
                }
            ).sort_values("x")
            colour = OKABE_ITO[n % len(OKABE_ITO)]
            for col, (metric, _, fmt) in enumerate(metrics, start=1):
                fig.add_trace(
                    go.Scatter(
                        x=part["x"],
                        y=part[metric],
                        mode="lines+markers",
                        name=theme.esc(label),
                        legendgroup=f"g{n}",
                        showlegend=col == 1 and bool(others),
                        line={"color": colour, "width": 2},
                        marker={"size": 8, "symbol": symbols[n % len(symbols)]},
                        hovertemplate=f"%{{fullData.name}}<br>{theme.esc(key)} = %{{x:g}}: "
                        f"%{{y:{fmt}}}<extra></extra>",
                    ),
                    row=1,
                    col=col,
                )
    height = 340 if many or len(combos) <= 3 else 380
    fig.update_layout(
        base_layout(title, height, showlegend=bool(others)),
        margin={"l": 70, "r": 30, "t": 110 if others else 80, "b": 60},
    )
    fig.update_layout(legend={"y": 1.12})
    for col, (_, _, fmt) in enumerate(metrics, start=1):
        fig.update_xaxes(title_text=theme.esc(key), row=1, col=col)
        fig.update_yaxes(tickformat=fmt.replace(".1%", ".0%"), row=1, col=col)
    return fig


# --------------------------------------------------------------------------- tables


def frontier_mark(on_frontier: bool) -> Markup:
    """The frontier word for a results row: a diamond (as on the chart) and the word."""
    if on_frontier:
        return Markup('<span class="badge met"><span class="icon">&#x25C6;</span> frontier</span>')
    return Markup('<span class="note">dominated</span>')


def _nowrap(content: object) -> Markup:
    return Markup(f'<span style="white-space:nowrap">{esc(content)}</span>')


def results_table(table: pd.DataFrame, keys: Sequence[str]) -> Markup:
    """One row per point: number, frontier mark, settings and the figures of
    :data:`sim.summary.KPIS` (each heading names its unit and period)."""
    pareto = pareto_flags(table)
    currencies = set(table["currency"].astype(str)) if "currency" in table else {""}
    currency = next(iter(currencies)) if len(currencies) == 1 else "currency"
    kpis = [k for k in KPIS if k.in_report and k.name in table]
    header: list[str] = [
        "point",
        "frontier",
        *[Markup(esc(k).replace(".", ".<wbr>")) for k in keys],
        *[
            Markup(f'{esc(k.label)}<span class="unit">{esc(k.unit_for(currency))}</span>')
            for k in kpis
        ],
    ]
    rows = []
    for i, row in enumerate(table.to_dict("records")):
        cells: list[object] = [
            i + 1,
            frontier_mark(bool(pareto[i])),
            *[value_text(row[k]) for k in keys],
        ]
        for kpi in kpis:
            value = row.get(kpi.name)
            if kpi.kind == "share":
                text = fmt_pct(value)
            elif kpi.kind == "minutes":
                text = fmt_minutes(value)
            elif kpi.kind == "money":
                text = fmt_num(value, kpi.digits)
            else:
                text = fmt_num(value)
            if kpi.name == "queues_meeting_goal" and "queues_with_goal" in row:
                text = f"{text} of {fmt_num(row['queues_with_goal'])}"
            cells.append(_nowrap(text))
        rows.append(cells)
    first_kpi = 2 + len(keys)
    return table_html(
        header,
        rows,
        numeric=[0, *range(first_kpi, len(header))],
        caption="Every sweep point (frontier rows are marked “frontier”)",
        row_classes=["pareto" if p else "" for p in pareto],
        table_class="wide",
    )


# --------------------------------------------------------------------------- page


def _axes_table(table: pd.DataFrame, keys: Sequence[str], axes: Any) -> Markup:
    rows = []
    for key in keys:
        if isinstance(axes, Mapping) and key in axes:
            given = axes[key]
            values = (
                [value_text(v) for v in given]
                if isinstance(given, list | tuple)
                else [value_text(given)]
            )
        else:
            values = [value_text(v) for v in pd.unique(table[key])]
        numeric = bool(np.isfinite(_numbers(table[key])).all()) if len(table) else False
        rows.append([key, ", ".join(values), "number" if numeric else "text"])
    return table_html(["swept key", "values", "kind"], rows, caption="Swept settings")


def frontier_text(table: pd.DataFrame, keys: Sequence[str]) -> str:
    """What the frontier says, in words that stay true when nothing varies."""
    pareto = pareto_flags(table)
    n = len(table)
    cost = _numbers(table["cost_per_week"])
    att = _numbers(table["attainment"])
    known = cost.notna() & att.notna()
    currency = _currency(table)
    rows = table.to_dict("records")

    def point(i: int) -> str:
        settings = point_label(rows[i], keys)
        return f"point {i + 1}" + (f": {settings}" if settings else "")

    def money(i: int) -> str:
        return f"{fmt_money(cost.iloc[i], currency)} per week"

    if not known.any():
        return "No point has both a cost and an attainment."
    if known.sum() > 1 and cost[known].nunique() == 1 and att[known].round(9).nunique() == 1:
        i = int(np.flatnonzero(known.to_numpy())[0])
        return (
            f"All {int(known.sum())} points give the same staff cost ({money(i)}) and SLA "
            f"attainment ({fmt_pct(att.iloc[i])}): the swept settings make no difference to "
            "either here."
        )
    front = [int(i) for i in np.flatnonzero(pareto & known.to_numpy())]
    front.sort(key=lambda i: cost.iloc[i])
    if len(front) == 1:
        i = front[0]
        return (
            f"Only one point is on the frontier ({point(i)}): no other point is cheaper or "
            f"better served than its {money(i)} and {fmt_pct(att.iloc[i])} SLA attainment."
        )
    cheapest, best = front[0], front[-1]
    return (
        f"{len(front)} of {n} points are on the frontier: no other point is both cheaper and "
        f"better served. Along it, SLA attainment goes from {fmt_pct(att.iloc[cheapest])} at "
        f"{money(cheapest)} ({point(cheapest)}) to {fmt_pct(att.iloc[best])} at "
        f"{money(best)} ({point(best)}). For every point off the frontier, a frontier point is "
        "at least as cheap and at least as well served, and better on one."
    )


def _frontier_section(table: pd.DataFrame, keys: Sequence[str]) -> Section:
    n = len(table)
    labels = (
        " Labels give each point's settings; points with the same result share a label. "
        "Hover over a point for its number and scenario."
        if 0 < n <= MAX_TEXT_LABELS and keys
        else " Hover over a point for its settings and scenario."
    )
    return Section(
        "frontier",
        "Cost-service frontier",
        paragraph(
            "Each point is one combination of the swept settings, simulated. Up and to the "
            "left is better: more tickets answered within target (abandoned ones count as "
            "misses) for less money.",
            labels,
        ),
        [("scatter", plot_sweep_frontier(table, keys))],
        paragraph(frontier_text(table, keys)),
    )


def _key_section(table: pd.DataFrame, keys: Sequence[str]) -> Section | None:
    numeric = [
        k
        for k in keys
        if len(table)
        and bool(np.isfinite(_numbers(table[k])).all())
        and _numbers(table[k]).nunique() > 1
    ]
    if not numeric:
        return None
    skipped = [k for k in keys if k not in numeric]
    note = (
        paragraph(
            "Not drawn (values are not numbers, or only one value): ", ", ".join(skipped), "."
        )
        if skipped
        else Markup("")
    )
    return Section(
        "by-key",
        "Effect of each swept setting",
        Markup(
            paragraph(
                "For each numeric key, SLA attainment (left) and staff cost per week (right) "
                "against its values; one line per combination of the other swept settings."
            )
            + note
        ),
        [(f"key-{i}", plot_sweep_key(table, k, keys)) for i, k in enumerate(numeric)],
    )


def render_sweep_report(
    table: pd.DataFrame, marginal: pd.DataFrame, meta: Mapping[str, Any] | None = None
) -> str:
    """A self-contained HTML page of a sweep over a grid of settings.

    Parameters
    ----------
    table : pandas.DataFrame
        One row per sweep point: the swept keys (strings or numbers), and the columns of
        :data:`sim.summary.KPIS` and :data:`SWEEP_INFO`, as :func:`sim.whatif.sweep_table`
        builds them (money in ``currency``, shares 0..1, ``pareto`` bool).
    marginal : pandas.DataFrame
        The columns of :data:`reports.marginal_report.MARGINAL_COLUMNS`: per team and
        hour of week (0..167, Monday 00:00 first, reporting time zone) the tickets one more
        agent-hour brings within target, their value, the agent-hour's cost and the net
        (value minus cost).
    meta : mapping, optional
        ``axes`` (swept key -> values, in order; default: every non-KPI column), ``file``
        (the scenario file), ``title`` (page heading), ``description`` (a paragraph),
        ``timezone`` (named on the heatmap's axis), ``replications`` and ``seed`` (named in
        the lead and the run details); any other items are shown under "Run details".

    Returns
    -------
    str
        The HTML page (plotly.js embedded; opens offline; no network request).
    """
    meta = dict(meta or {})
    axes = meta.pop("axes", None)
    source = meta.pop("file", None)
    description = meta.pop("description", None)
    timezone = str(meta.pop("timezone", "reporting time zone"))
    keys = sweep_keys(table, axes)
    n = len(table)
    base_name = ""
    if n and "scenario" in table:
        base_name = str(table["scenario"].iloc[0]).split(" [", 1)[0]
    title = str(meta.pop("title", f"Sweep of {base_name or source or 'a scenario'}"))
    currency = _currency(table)
    grid = " × ".join(f"{k} ({table[k].nunique()} values)" for k in keys) if n else ""
    replications = meta.get("replications")
    if replications is None and n and "replications" in table:
        replications = table["replications"].iloc[0]
    runs = (
        f"{esc(replications)} replication(s) each"
        + (f", seed {esc(meta['seed'])}" if meta.get("seed") is not None else "")
        if replications is not None
        else "one seed"
    )
    lead = Markup(
        (f'<p class="lead">{esc(description)}</p>' if description else "")
        + f'<p class="lead">{n} point(s)'
        + (f": every combination of {esc(grid)}" if grid else "")
        + (f", from {esc(source)}" if source else "")
        + f". All points are simulated with {runs} and common random numbers, so demand the "
        "settings leave unchanged brings the same customers at every point.</p>"
    )
    sections: list[Section] = []
    if n:
        sections.append(_frontier_section(table, keys))
        sections.append(
            Section(
                "results",
                "Results per point",
                paragraph(
                    "Point numbers match the hover labels of the chart. Rows on the "
                    "cost-service frontier are marked “frontier”; the others are dominated."
                ),
                after=results_table(table, keys),
            )
        )
        by_key = _key_section(table, keys)
        if by_key is not None:
            sections.append(by_key)
    else:
        sections.append(Section("frontier", "Cost-service frontier", paragraph("No point.")))
    sections.append(marginal_section(marginal, currency, timezone))
    details: dict[str, object] = {}
    if source is not None:
        details["scenario file"] = source
    details.update(meta)
    body = Markup(
        (_axes_table(table, keys, axes) if keys else Markup(""))
        + (
            details_table(details, {"replications": "replications per point"})
            if details
            else Markup("")
        )
    )
    sections.append(Section("details", "Run details", body))
    return render_page(kind="Sweep", title=title, lead=lead, sections=sections)
