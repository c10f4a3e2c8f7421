"""Figures of a run and of a comparison: functions from a DataFrame to a Plotly figure.

Role: draw; nothing here computes a KPI.  Each ``plot_*`` function takes a tidy table (the
run's tables, or a summary from :mod:`reports.tables`) and returns a
``plotly.graph_objects.Figure`` with units on its axes, testable without a browser.  Every
user-supplied string (queue, team, scenario names) is escaped with :func:`theme.esc`
before it reaches Plotly.  Time axes show the reporting time zone, named on the axis.
Hour-of-week heatmaps live in :mod:`reports.heatmaps` and the optimizer's figures in
:mod:`reports.plan_figures`; both are re-exported here.
Must not import simpy, pyomo, ``sim`` or ``optimizer``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reports.heatmaps import (
    plot_attainment_heatmap,
    plot_coverage_heatmap,
    plot_occupancy_heatmap,
)
from reports.plan_figures import plot_required_vs_scheduled, plot_roster_gantt
from reports.tables import COST_COMPONENTS
from reports.theme import (
    CHANNEL_COLOURS,
    LABEL_FONT,
    MET,
    MET_SYMBOL,
    MISSED,
    MISSED_SYMBOL,
    OKABE_ITO,
    base_layout,
    channel_order,
    colour_cycle,
    empty_figure,
    esc,
    esc_all,
    human_minutes,
    place_labels,
    to_local,
    unit_of,
    y_title,
)

__all__ = [
    "plot_attainment_by_queue",
    "plot_attainment_comparison",
    "plot_attainment_heatmap",
    "plot_backlog",
    "plot_cost_breakdown",
    "plot_cost_by_queue_group",
    "plot_cost_vs_sla",
    "plot_coverage_heatmap",
    "plot_first_response_ecdf",
    "plot_occupancy_heatmap",
    "plot_required_vs_scheduled",
    "plot_roster_gantt",
]


def _finite(values: pd.Series) -> np.ndarray:
    return values.astype(float).to_numpy()


def plot_attainment_by_queue(attainment: pd.DataFrame) -> go.Figure:
    """SLA attainment per queue: a dot with its 95% interval, and the goal as a bar mark.

    Parameters
    ----------
    attainment : pandas.DataFrame
        One row per queue: ``queue``, ``attainment``, ``ci_low``, ``ci_high``, ``goal``
        (shares 0..1) and optionally ``target_minutes``; see :func:`tables.queue_attainment`.

    Returns
    -------
    plotly.graph_objects.Figure
        Traces "meets goal" (blue circles) and "misses goal" (vermillion crosses) with
        error bars, and "goal" (black vertical marks).  A dot plot, so a zoomed axis does
        not exaggerate differences the way a cut-off bar would.
    """
    title = "SLA attainment per queue (95% confidence interval)"
    if attainment.empty:
        return empty_figure(title, "No queue has a service-level goal.")
    df = attainment.reset_index(drop=True)
    labels = esc_all(df["queue"])
    met = (df["attainment"] >= df["goal"] - 1e-12).to_numpy()
    target = df["target_minutes"] if "target_minutes" in df else pd.Series(np.nan, index=df.index)
    fig = go.Figure()
    for mask, name, colour, symbol in (
        (met, "meets goal", MET, MET_SYMBOL),
        (~met, "misses goal", MISSED, MISSED_SYMBOL),
    ):
        part = df[mask]
        if part.empty:
            continue
        lo = (part["attainment"] - part["ci_low"]).clip(lower=0).fillna(0)
        hi = (part["ci_high"] - part["attainment"]).clip(lower=0).fillna(0)
        fig.add_trace(
            go.Scatter(
                x=_finite(part["attainment"]),
                y=[labels[i] for i in part.index],
                mode="markers",
                name=name,
                marker={
                    "color": colour,
                    "symbol": symbol,
                    "size": 11,
                    "line": {"width": 2, "color": colour},
                },
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": hi.to_numpy(),
                    "arrayminus": lo.to_numpy(),
                    "color": colour,
                    "thickness": 1.5,
                },
                customdata=np.column_stack(
                    [part["goal"].to_numpy(float), target[part.index].to_numpy(float)]
                ),
                hovertemplate="%{y}<br>attainment %{x:.1%}<br>goal %{customdata[0]:.0%} "
                "within %{customdata[1]:.4g} min<extra>" + name + "</extra>",
            )
        )
    fig.add_trace(
        go.Scatter(
            x=_finite(df["goal"]),
            y=labels,
            mode="markers",
            name="goal",
            marker={"symbol": "line-ns", "size": 22, "line": {"width": 3, "color": "#000000"}},
            hovertemplate="%{y}<br>goal %{x:.0%}<extra></extra>",
        )
    )
    low = float(np.nanmin(np.r_[df["ci_low"].to_numpy(float), df["attainment"], df["goal"]]))
    left = max(0.0, np.floor((low - 0.02) * 20) / 20)
    height = max(260, 28 * len(df) + 140)
    fig.update_layout(
        base_layout(title, height),
        xaxis={
            "title": {"text": "SLA attainment (% of tickets answered within target)"},
            "tickformat": ".0%",
            "range": [left, 1.01],
        },
        yaxis={
            "title": {"text": y_title("queue (language/channel/priority)", "queue", height)},
            "autorange": "reversed",
            "type": "category",
        },
    )
    return fig


def plot_attainment_comparison(by_queue: pd.DataFrame) -> go.Figure:
    """Per-queue SLA attainment of several scenarios: grouped bars, error bars, goal marks.

    Parameters
    ----------
    by_queue : pandas.DataFrame
        Long table: ``scenario``, ``queue``, ``attainment``, ``ci_low``, ``ci_high``,
        ``goal`` (shares 0..1; intervals may be NaN).

    Returns
    -------
    plotly.graph_objects.Figure
        One bar trace per scenario (in first-seen order) and a "goal" marker trace.
    """
    title = "SLA attainment per queue and scenario (95% confidence interval)"
    if by_queue.empty:
        return empty_figure(title, "No queue has a service-level goal.")
    scenarios = list(pd.unique(by_queue["scenario"].astype(str)))
    queues = list(pd.unique(by_queue["queue"].astype(str)))
    colours = colour_cycle(scenarios)
    fig = go.Figure()
    for name in scenarios:
        part = by_queue[by_queue["scenario"].astype(str) == name]
        att = part["attainment"].astype(float)
        fig.add_trace(
            go.Bar(
                x=att.to_numpy(),
                y=esc_all(part["queue"]),
                orientation="h",
                name=esc(name),
                marker={"color": colours[name]},
                error_x={
                    "type": "data",
                    "symmetric": False,
                    "array": (part["ci_high"].astype(float) - att)
                    .clip(lower=0)
                    .fillna(0)
                    .to_numpy(),
                    "arrayminus": (att - part["ci_low"].astype(float))
                    .clip(lower=0)
                    .fillna(0)
                    .to_numpy(),
                    "color": "#333333",
                    "thickness": 1.2,
                },
                hovertemplate="%{y}<br>%{x:.1%}<extra>" + esc(name) + "</extra>",
            )
        )
    goals = by_queue.drop_duplicates("queue").set_index(
        by_queue.drop_duplicates("queue")["queue"].astype(str)
    )["goal"]
    row = max(14, 9 * len(scenarios) + 8)
    fig.add_trace(
        go.Scatter(
            x=goals.reindex(queues).astype(float).to_numpy(),
            y=esc_all(queues),
            mode="markers",
            name="goal",
            marker={"symbol": "line-ns", "size": row, "line": {"width": 3, "color": "#000000"}},
            hovertemplate="%{y}<br>goal %{x:.0%}<extra></extra>",
        )
    )
    height = max(300, row * len(queues) + 160)
    fig.update_layout(
        base_layout(title, height),
        barmode="group",
        bargap=0.25,
        xaxis={
            "title": {"text": "SLA attainment (% of tickets answered within target)"},
            "tickformat": ".0%",
            "range": [0, 1.02],
        },
        yaxis={
            "title": {"text": y_title("queue (language/channel/priority)", "queue", height)},
            "autorange": "reversed",
            "type": "category",
            "categoryorder": "array",
            "categoryarray": esc_all(queues),
        },
    )
    return fig


_TIME_TICKS = (
    (1 / 60, "1 s"),
    (10 / 60, "10 s"),
    (0.5, "30 s"),
    (1.0, "1 min"),
    (5.0, "5 min"),
    (15.0, "15 min"),
    (60.0, "1 h"),
    (240.0, "4 h"),
    (1440.0, "1 d"),
    (7 * 1440.0, "1 wk"),
)


def plot_first_response_ecdf(
    ecdf: pd.DataFrame, targets: Mapping[str, Sequence[float]] | None = None
) -> go.Figure:
    """Share of tickets answered within x minutes, one curve per channel, targets marked.

    Parameters
    ----------
    ecdf : pandas.DataFrame
        ``channel``, ``minutes``, ``share``, ``tickets``; see
        :func:`tables.compute_first_response_ecdf` (abandoned tickets are never answered,
        so a curve ends below 100%).
    targets : mapping of str to sequence of float, optional
        First-response targets (minutes) per channel, drawn as dashed vertical lines.

    Returns
    -------
    plotly.graph_objects.Figure
        One step-line trace per channel on a logarithmic time axis (waits under one
        second are drawn at one second).
    """
    title = "First response: share of tickets answered within a time"
    if ecdf.empty:
        return empty_figure(title, "No ticket was answered.")
    floor = 1 / 60
    channels = channel_order(ecdf["channel"])
    colours = colour_cycle(channels, CHANNEL_COLOURS)
    fig = go.Figure()
    for channel in channels:
        part = ecdf[ecdf["channel"].astype(str) == channel]
        n = int(part["tickets"].iloc[0]) if "tickets" in part else len(part)
        fig.add_trace(
            go.Scatter(
                x=np.maximum(part["minutes"].to_numpy(float), floor),
                y=part["share"].to_numpy(float),
                mode="lines",
                line={"shape": "hv", "width": 2.5, "color": colours[channel]},
                name=f"{esc(channel)} ({n:,} tickets)",
                hovertemplate="within %{x:.3g} min: %{y:.1%}<extra>" + esc(channel) + "</extra>",
            )
        )
    top = float(ecdf["minutes"].max()) if len(ecdf) else 1.0
    for values in (targets or {}).values():
        top = max([top, *[max(float(v), floor) for v in values]])
    low, high = np.log10(floor) - 0.05, np.log10(top * 2)
    n_lines = 0
    for channel, values in (targets or {}).items():
        for minutes in values:
            x = max(float(minutes), floor)
            # Labels in the right quarter go left of their line, so the edge cannot cut them.
            right = (np.log10(x) - low) / (high - low) > 0.75
            colour = colours.get(channel, "#000000")
            fig.add_shape(
                type="line",
                xref="x",
                yref="paper",
                x0=x,
                x1=x,
                y0=0,
                y1=1,
                line={"dash": "dash", "width": 1.5, "color": colour},
            )
            # Annotations on a log axis take log10 coordinates (shapes take data values).
            fig.add_annotation(
                x=np.log10(x),
                y=0.02 + 0.1 * (n_lines % 3),
                xref="x",
                yref="paper",
                text=f"{esc(channel)} target {human_minutes(float(minutes))}",
                showarrow=False,
                xanchor="right" if right else "left",
                xshift=-3 if right else 3,
                font={"size": 11, "color": colour},
                bgcolor="rgba(255,255,255,0.85)",
            )
            n_lines += 1
    ticks = [(v, t) for v, t in _TIME_TICKS if v <= top * 2] or list(_TIME_TICKS[:4])
    fig.update_layout(
        base_layout(title, 460),
        xaxis={
            "title": {"text": "first response time (log scale)"},
            "type": "log",
            "tickmode": "array",
            "tickvals": [v for v, _ in ticks],
            "ticktext": [t for _, t in ticks],
            "range": [low, high],
        },
        yaxis={"title": {"text": "tickets answered (%)"}, "tickformat": ".0%", "range": [0, 1.03]},
    )
    return fig


def plot_backlog(backlog: pd.DataFrame, timezone: str, max_points: int = 4000) -> go.Figure:
    """Tickets waiting over time, one line per channel.

    Parameters
    ----------
    backlog : pandas.DataFrame
        ``interval_start`` (UTC), ``channel``, ``backlog``; see :func:`tables.compute_backlog`.
    timezone : str
        Reporting time zone for the time axis.
    max_points : int
        Longer series are thinned to this many points per channel, keeping each bucket's
        maximum so peaks stay visible.

    Returns
    -------
    plotly.graph_objects.Figure
        One line trace per channel.
    """
    title = "Backlog: tickets waiting for a first or next touch"
    if backlog.empty:
        return empty_figure(title, "No intervals.")
    channels = channel_order(backlog["channel"])
    colours = colour_cycle(channels, CHANNEL_COLOURS)
    fig = go.Figure()
    for channel in channels:
        part = backlog[backlog["channel"].astype(str) == channel].sort_values("interval_start")
        values = part["backlog"].to_numpy(float)
        times = to_local(part["interval_start"], timezone).to_numpy()
        step = int(np.ceil(len(values) / max_points)) if len(values) > max_points else 1
        if step > 1:
            cut = len(values) // step * step
            values = values[:cut].reshape(-1, step).max(axis=1)
            times = times[:cut:step]
        fig.add_trace(
            go.Scatter(
                x=times,
                y=values,
                mode="lines",
                name=esc(channel),
                line={"color": colours[channel], "width": 1.6, "shape": "hv"},
                hovertemplate="%{x|%a %d %b %H:%M}<br>%{y:.1f} waiting<extra>"
                + esc(channel)
                + "</extra>",
            )
        )
    fig.update_layout(
        base_layout(title, 380),
        xaxis={"title": {"text": f"time ({esc(timezone)})"}, "type": "date"},
        yaxis={"title": {"text": "tickets waiting (count)"}, "rangemode": "tozero"},
    )
    return fig


def plot_cost_breakdown(costs: pd.DataFrame) -> go.Figure:
    """Staff cost per team, stacked by base pay and premiums.

    Parameters
    ----------
    costs : pandas.DataFrame
        ``team`` and any of ``base``, ``night_premium``, ``weekend_premium``,
        ``holiday_premium``, ``overtime``; ``attrs["unit"]`` names the money unit (e.g.
        ``"USD per week"``, see :func:`tables.compute_cost_per_week`).

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar trace per cost component (stacked).
    """
    title = "Staff cost by team"
    unit = unit_of(costs, "base", "currency")
    if costs.empty:
        return empty_figure(title, "No team.")
    teams = esc_all(costs["team"])
    fig = go.Figure()
    for i, (column, label) in enumerate(COST_COMPONENTS.items()):
        if column not in costs or not (costs[column].astype(float) > 0).any():
            continue
        fig.add_trace(
            go.Bar(
                x=costs[column].astype(float).to_numpy(),
                y=teams,
                orientation="h",
                name=label,
                marker={"color": OKABE_ITO[i]},
                hovertemplate="%{y}<br>" + label + ": %{x:,.0f} " + esc(unit) + "<extra></extra>",
            )
        )
    fig.update_layout(
        base_layout(title, max(240, 34 * len(costs) + 160)),
        barmode="stack",
        legend_traceorder="normal",
        xaxis={"title": {"text": f"cost ({esc(unit)})"}, "tickformat": ",.0f"},
        yaxis={"title": {"text": "team"}, "autorange": "reversed", "type": "category"},
    )
    return fig


def plot_cost_by_queue_group(groups: pd.DataFrame, currency: str) -> go.Figure:
    """Staff cost per week of each language x channel, dearest on top.

    Parameters
    ----------
    groups : pandas.DataFrame
        ``label`` (e.g. ``de / email``), ``channel``, ``per_week`` (currency per week),
        ``per_contact`` and ``share``; see :func:`tables.queue_group_costs`.
    currency : str
        The money unit, named on the axis.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal bar trace per channel (colour by channel), one bar per group.
    """
    title = "Staff cost by language and channel"
    if groups.empty:
        return empty_figure(title, "No agent cost to split.")
    cur = esc(currency)
    channels = channel_order(groups["channel"])
    colours = colour_cycle(channels, CHANNEL_COLOURS)
    order = esc_all(groups["label"])
    fig = go.Figure()
    for channel in channels:
        part = groups[groups["channel"].astype(str) == channel]
        fig.add_trace(
            go.Bar(
                x=part["per_week"].astype(float).to_numpy(),
                y=esc_all(part["label"]),
                orientation="h",
                name=esc(channel),
                marker={"color": colours[channel]},
                customdata=np.column_stack(
                    [part["per_contact"].to_numpy(float), part["share"].to_numpy(float)]
                ),
                hovertemplate="%{y}<br>%{x:,.0f} "
                + cur
                + " per week (%{customdata[1]:.1%} of staff cost)<br>%{customdata[0]:,.2f} "
                + cur
                + " per contact<extra></extra>",
            )
        )
    height = max(240, 30 * len(groups) + 170)
    fig.update_layout(
        base_layout(title, height),
        xaxis={"title": {"text": f"staff cost ({cur} per week)"}, "tickformat": ",.0f"},
        yaxis={
            "title": {"text": y_title("language / channel", "", height)},
            "type": "category",
            "categoryorder": "array",
            "categoryarray": order,
            "autorange": "reversed",
        },
    )
    return fig


def plot_cost_vs_sla(comparison: pd.DataFrame) -> go.Figure:
    """Cost per week against overall SLA attainment, one labelled point per scenario.

    Parameters
    ----------
    comparison : pandas.DataFrame
        ``scenario``, ``cost_per_week``, ``attainment`` (0..1) and ``currency``.

    Returns
    -------
    plotly.graph_objects.Figure
        One marker trace per scenario (the first, the reference, drawn as a diamond), each
        named by a label placed clear of the other labels and points (see
        :func:`theme.place_labels`); the attainment axis stops at 100%.
    """
    title = "Cost against service level"
    if comparison.empty:
        return empty_figure(title, "No scenario.")
    currency = str(comparison["currency"].iloc[0]) if "currency" in comparison else ""
    names = [str(s) for s in comparison["scenario"]]
    colours = colour_cycle(names)
    fig = go.Figure()
    x = pd.to_numeric(comparison["cost_per_week"], errors="coerce").astype(float)
    y = pd.to_numeric(comparison["attainment"], errors="coerce").astype(float)
    for i in range(len(comparison)):
        name = names[i]
        fig.add_trace(
            go.Scatter(
                x=[x.iloc[i]],
                y=[y.iloc[i]],
                mode="markers",
                name=esc(name),
                text=[esc(name)],
                marker={
                    "size": 14,
                    "color": colours[name],
                    "symbol": "diamond" if i == 0 else "circle",
                    "line": {"width": 1, "color": "#000000"},
                },
                hovertemplate="%{text}<br>%{x:,.0f} "
                + esc(currency)
                + " per week<br>attainment %{y:.1%}<extra></extra>",
            )
        )
    xaxis: dict[str, Any] = {
        "title": {"text": f"staff cost ({esc(currency)} per week)"},
        "tickformat": ",.0f",
    }
    yaxis: dict[str, Any] = {
        "title": {"text": "SLA attainment (% answered within target)"},
        "tickformat": ".1%",
    }
    shown = (x.notna() & y.notna()).to_numpy()
    if shown.any():
        xs, ys = x[shown], y[shown]
        x_pad = max(float(xs.max() - xs.min()) * 0.2, float(xs.abs().max()) * 0.02, 1.0)
        y_pad = max(float(ys.max() - ys.min()) * 0.15, 0.005)
        x_range = (float(xs.min()) - x_pad, float(xs.max()) + x_pad)
        # Attainment cannot pass 100%: the axis stops just above it.
        y_range = (max(0.0, float(ys.min()) - y_pad), min(float(ys.max()) + y_pad, 1.004))
        xaxis["range"], yaxis["range"] = list(x_range), list(y_range)
        yaxis["tickformat"] = ".0%" if y_range[1] - y_range[0] > 0.05 else ".1%"
        texts = [esc(n) for n in np.array(names, dtype=object)[shown]]
        places = place_labels(xs.to_numpy(), ys.to_numpy(), texts, x_range, y_range)
        for xi, yi, text, place in zip(xs, ys, texts, places, strict=True):
            if place is not None:
                fig.add_annotation(
                    x=xi, y=yi, text=text, showarrow=False, font={"size": LABEL_FONT}, **place
                )
    fig.update_layout(base_layout(title, 460), xaxis=xaxis, yaxis=yaxis)
    return fig
