"""Figures of an optimized plan: the roster as a Gantt chart, required against scheduled.

Role: draw the optimizer's tables (``roster.csv``, a coverage table) for the optimize
report; re-exported by :mod:`reports.figures`.  Times arrive as UTC or ISO 8601 strings with
an offset and are drawn in the reporting time zone, named on the axis.  Must not import
simpy, pyomo, ``sim`` or ``optimizer``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.theme import (
    MET,
    MISSED,
    base_layout,
    colour_cycle,
    empty_figure,
    esc,
    esc_all,
    to_local,
)


def _weekend_shading(start: pd.Timestamp, end: pd.Timestamp) -> list[dict[str, Any]]:
    """Light grey rectangles behind Saturdays and Sundays between two wall-clock times."""
    shapes = []
    day = start.normalize()
    while day <= end:
        if day.day_of_week == 5:
            shapes.append(
                {
                    "type": "rect",
                    "xref": "x",
                    "yref": "paper",
                    "x0": day,
                    "x1": day + pd.Timedelta(days=2),
                    "y0": 0,
                    "y1": 1,
                    "layer": "below",
                    "fillcolor": "#EEEEEE",
                    "line": {"width": 0},
                }
            )
        day += pd.Timedelta(days=1)
    return shapes


def plot_roster_gantt(roster: pd.DataFrame, timezone: str) -> go.Figure:
    """Who works when: one bar per shift, one row per agent, agents grouped by team.

    Parameters
    ----------
    roster : pandas.DataFrame
        ``agent``, ``team``, ``date``, ``start``, ``end``; ``start``/``end`` are ISO 8601
        strings with a UTC offset (or tz-aware timestamps).
    timezone : str
        Reporting time zone for the time axis.

    Returns
    -------
    plotly.graph_objects.Figure
        One horizontal ``go.Bar`` trace per team on a date axis (``base`` = shift start,
        ``x`` = length in ms), so 150 agents x 28 days stays a handful of traces;
        weekends are shaded.
    """
    title = "Roster: shifts per agent"
    if roster.empty:
        return empty_figure(title, "The roster has no shifts.")
    df = roster.copy()
    df["team"] = df["team"].astype(str)
    df["agent"] = df["agent"].astype(str)
    start = to_local(df["start"], timezone)
    end = to_local(df["end"], timezone)
    df["start_local"] = start.to_numpy()
    df["length_ms"] = ((end - start).dt.total_seconds() * 1000.0).to_numpy()
    teams = list(pd.unique(df["team"]))
    colours = colour_cycle(teams)
    order = (
        df[["team", "agent"]]
        .drop_duplicates()
        .assign(t=lambda d: d["team"].map({t: i for i, t in enumerate(teams)}))
        .sort_values(["t", "agent"], kind="stable")
    )
    rows = esc_all(order["agent"])
    fig = go.Figure()
    for team in teams:
        part = df[df["team"] == team]
        hours = part["length_ms"].to_numpy(float) / 3.6e6
        fig.add_trace(
            go.Bar(
                base=pd.Series(part["start_local"]).dt.strftime("%Y-%m-%d %H:%M").tolist(),
                x=part["length_ms"].to_numpy(float),
                y=esc_all(part["agent"]),
                orientation="h",
                name=esc(team),
                marker={"color": colours[team], "line": {"width": 0}},
                customdata=np.round(hours, 2),
                hovertemplate="%{y}<br>%{base|%a %d %b %H:%M}, %{customdata} h<extra>"
                + esc(team)
                + "</extra>",
            )
        )
    bounds = []
    position = 0
    for team in teams[:-1]:
        position += int((order["team"] == team).sum())
        bounds.append(
            {
                "type": "line",
                "xref": "paper",
                "yref": "y",
                "x0": 0,
                "x1": 1,
                "y0": position - 0.5,
                "y1": position - 0.5,
                "line": {"color": "#555555", "width": 1, "dash": "dot"},
            }
        )
    first, last = start.min(), end.max()
    height = min(4000, max(300, 11 * len(rows) + 160))
    fig.update_layout(
        base_layout(title, height, shapes=_weekend_shading(first, last) + bounds),
        barmode="overlay",
        bargap=0.15,
        xaxis={
            "title": {"text": f"time ({esc(timezone)})"},
            "type": "date",
            "range": [first, last],
            "side": "top",
        },
        yaxis={
            "title": {"text": "agent (grouped by team)"},
            "type": "category",
            "categoryorder": "array",
            "categoryarray": rows,
            "autorange": "reversed",
            "tickfont": {"size": 9 if len(rows) > 60 else 11},
        },
        margin={"l": 120, "r": 30, "t": 150, "b": 40},
        # Under the title and above the time axis, which sits on top of this tall chart.
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": 1 - 42 / height,
            "xanchor": "left",
            "x": 0.0,
            "yref": "container",
            "title": {"text": "team"},
        },
    )
    return fig


def plot_required_vs_scheduled(coverage: pd.DataFrame, timezone: str) -> go.Figure:
    """Agents required against agents scheduled per interval, one panel per group.

    Parameters
    ----------
    coverage : pandas.DataFrame
        ``interval_start`` (UTC), ``group`` (e.g. a team or queue group), ``required`` and
        ``scheduled`` (agents, may be fractional).
    timezone : str
        Reporting time zone for the time axis.

    Returns
    -------
    plotly.graph_objects.Figure
        Per group: "scheduled" (filled step area), "required" (dashed step line) and, where
        scheduled falls short, "shortfall" crosses; panels share the time axis.
    """
    title = "Required against scheduled agents"
    if coverage.empty:
        return empty_figure(title, "No coverage table.")
    df = coverage.copy()
    df["group"] = df["group"].astype(str)
    df["local"] = to_local(df["interval_start"], timezone).to_numpy()
    groups = list(pd.unique(df["group"]))
    fig = make_subplots(
        rows=len(groups),
        cols=1,
        shared_xaxes=True,
        vertical_spacing=min(0.08, 0.3 / len(groups)),
        subplot_titles=esc_all(groups),
    )
    for i, group in enumerate(groups, start=1):
        part = df[df["group"] == group].sort_values("local")
        x = part["local"].to_numpy()
        required = part["required"].to_numpy(float)
        scheduled = part["scheduled"].to_numpy(float)
        first = i == 1
        fig.add_trace(
            go.Scatter(
                x=x,
                y=scheduled,
                mode="lines",
                name="scheduled",
                legendgroup="s",
                showlegend=first,
                fill="tozeroy",
                line={"color": MET, "shape": "hv", "width": 1},
                fillcolor="rgba(0,114,178,0.25)",
                hovertemplate="%{x|%a %d %b %H:%M}<br>scheduled %{y:.1f}<extra>"
                + esc(group)
                + "</extra>",
            ),
            row=i,
            col=1,
        )
        fig.add_trace(
            go.Scatter(
                x=x,
                y=required,
                mode="lines",
                name="required",
                legendgroup="r",
                showlegend=first,
                line={"color": "#000000", "shape": "hv", "width": 1.5, "dash": "dash"},
                hovertemplate="%{x|%a %d %b %H:%M}<br>required %{y:.1f}<extra>"
                + esc(group)
                + "</extra>",
            ),
            row=i,
            col=1,
        )
        short = scheduled < required - 1e-9
        fig.add_trace(
            go.Scatter(
                x=x[short],
                y=required[short],
                mode="markers",
                name="shortfall",
                legendgroup="x",
                showlegend=first,
                marker={"symbol": "x", "size": 6, "color": MISSED},
                customdata=(required - scheduled)[short],
                hovertemplate="%{x|%a %d %b %H:%M}<br>short by %{customdata:.1f} agents"
                "<extra>" + esc(group) + "</extra>",
            ),
            row=i,
            col=1,
        )
        fig.update_yaxes(title={"text": "agents"}, rangemode="tozero", row=i, col=1)
    fig.update_xaxes(range=[df["local"].min(), df["local"].max()])
    fig.update_xaxes(title={"text": f"time ({esc(timezone)})"}, row=len(groups), col=1)
    fig.update_layout(base_layout(title, 170 * len(groups) + 150))
    return fig
