"""Hour-of-week heatmaps: staffing against requirement, attainment, occupancy.

Role: draw the 168-hour weekly maps of a run (queues or teams x hours in the reporting
time zone); re-exported by :mod:`reports.figures`.  Cells where tickets arrive while nobody
with the skill is on shift are marked with crosses, cells above the occupancy cap with
diamonds — marks, not colour alone.  Must not import simpy, pyomo, ``sim`` or ``optimizer``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reports.theme import (
    HEATMAP_MARGIN,
    HOURS_OF_WEEK,
    SEQUENTIAL,
    base_layout,
    colour_bar,
    day_separators,
    diverging_scale,
    empty_figure,
    esc_all,
    hour_of_week_axis,
)


def hour_of_week_layout(
    fig: go.Figure,
    title: str,
    rows: Sequence[str],
    timezone: str,
    label: str,
    *,
    min_height: int = 260,
    row_height: int = 22,
    extra_height: int = 170,
    showlegend: bool = True,
) -> None:
    """The layout every hour-of-week heatmap shares: height by rows, day separators,
    the hour-of-week x axis in the reporting time zone and categorical rows top-down."""
    fig.update_layout(
        base_layout(
            title,
            max(min_height, row_height * len(rows) + extra_height),
            shapes=day_separators(len(rows)),
            margin=HEATMAP_MARGIN,
            showlegend=showlegend,
        ),
        xaxis=hour_of_week_axis(timezone),
        yaxis={
            "title": {"text": label},
            "autorange": "reversed",
            "type": "category",
            "ticklabelstandoff": 6,
        },
    )


def _finish_queue_heatmap(
    fig: go.Figure, how: pd.DataFrame, rows: Sequence[str], title: str, timezone: str
) -> go.Figure:
    """Mark zero-coverage cells and lay out a queue x hour-of-week heatmap."""
    marks = _zero_cover_marks(how, rows)
    if marks is not None:
        fig.add_trace(marks)
    hour_of_week_layout(fig, title, rows, timezone, "queue")
    return fig


def _grid(how: pd.DataFrame, value: str, rows: Sequence[str]) -> np.ndarray:
    table = how.pivot_table(
        index="queue",
        columns="hour_of_week",
        values=value,
        aggfunc="mean",
        dropna=False,
        observed=False,
    )
    return table.reindex(index=list(rows), columns=range(168)).to_numpy(float)


def _zero_cover_marks(how: pd.DataFrame, rows: Sequence[str]) -> go.Scatter | None:
    gaps = how[(how["uncovered_per_week"] > 0) & how["queue"].isin(list(rows))]
    if gaps.empty:
        return None
    return go.Scatter(
        x=[HOURS_OF_WEEK[h] for h in gaps["hour_of_week"]],
        y=esc_all(gaps["queue"]),
        mode="markers",
        name="nobody on shift while tickets arrive",
        marker={
            "symbol": "x",
            "size": 8,
            "color": "#000000",
            "line": {"width": 1, "color": "#ffffff"},
        },
        customdata=gaps["uncovered_per_week"].to_numpy(float),
        hovertemplate="%{y}, %{x}<br>nobody on shift; %{customdata:.1f} tickets/week arrive"
        "<extra></extra>",
    )


def plot_coverage_heatmap(how: pd.DataFrame, timezone: str) -> go.Figure:
    """Agents on shift against requirement per queue and hour of week; gaps marked.

    Parameters
    ----------
    how : pandas.DataFrame
        From :func:`tables.compute_hour_of_week`: ``queue``, ``hour_of_week``, ``staffed``,
        ``required`` (may be all NaN), ``gap``, ``arrivals_per_week``,
        ``uncovered_per_week``.
    timezone : str
        Reporting time zone (hours of week are already local to it).

    Returns
    -------
    plotly.graph_objects.Figure
        A heatmap of staffed − required (diverging, orange = short) when requirements are
        known, else of staffed agents (cividis); crosses where nobody is on shift while
        tickets arrive.
    """
    has_required = bool(how["required"].notna().any()) if len(how) else False
    title = (
        "Staffing against requirement by hour of week"
        if has_required
        else "Agents on shift by hour of week (requirement not available)"
    )
    if how.empty:
        return empty_figure(title, "No intervals.")
    rows = list(pd.unique(how["queue"]))
    staffed = _grid(how, "staffed", rows)
    required = _grid(how, "required", rows)
    arrivals = _grid(how, "arrivals_per_week", rows)
    custom = np.dstack([staffed, required, arrivals])
    hover = "%{y}, %{x}<br>staffed %{customdata[0]:.1f} agents"
    if has_required:
        z = staffed - required
        finite = z[np.isfinite(z)]
        low = min(float(finite.min()), 0.0) if finite.size else -1.0
        high = max(float(finite.max()), 0.0) if finite.size else 1.0
        colour: dict[str, Any] = {
            "colorscale": diverging_scale(low, high),
            "zmin": low,
            "zmax": high,
        }
        bar = ["staffed −", "required", "(agents)"]
        hover += "<br>required %{customdata[1]:.1f}<br>gap %{z:+.1f}"
    else:
        z = staffed
        colour = {"colorscale": SEQUENTIAL, "zmin": 0}
        bar = ["agents on", "shift"]
    hover += "<br>%{customdata[2]:.1f} tickets/week<extra></extra>"
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=HOURS_OF_WEEK,
            y=esc_all(rows),
            customdata=custom,
            hovertemplate=hover,
            colorbar=colour_bar(bar),
            xgap=0,
            ygap=1,
            **colour,
        )
    )
    return _finish_queue_heatmap(fig, how, rows, title, timezone)


def plot_attainment_heatmap(how: pd.DataFrame, timezone: str) -> go.Figure:
    """SLA attainment per queue and hour of week (weighted by arrivals); gaps marked.

    Parameters
    ----------
    how : pandas.DataFrame
        From :func:`tables.compute_hour_of_week`: ``queue``, ``hour_of_week``,
        ``attainment`` (NaN where nothing arrives), ``arrivals_per_week``,
        ``uncovered_per_week``.
    timezone : str
        Reporting time zone.

    Returns
    -------
    plotly.graph_objects.Figure
        A cividis heatmap (0-100%), blank where no tickets arrive, crosses where nobody is
        on shift while tickets arrive.
    """
    title = "SLA attainment by hour of week (abandoned tickets count as misses)"
    data = how[how["attainment"].notna()] if len(how) else how
    if data.empty:
        return empty_figure(title, "No queue with a goal received tickets.")
    rows = list(pd.unique(data["queue"]))
    z = _grid(how, "attainment", rows)
    arrivals = _grid(how, "arrivals_per_week", rows)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=HOURS_OF_WEEK,
            y=esc_all(rows),
            customdata=arrivals,
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=1,
            ygap=1,
            colorbar=colour_bar(["SLA attainment", "(% of tickets)"], tickformat=".0%"),
            hovertemplate="%{y}, %{x}<br>attainment %{z:.1%}<br>%{customdata:.1f} "
            "tickets/week<extra></extra>",
        )
    )
    return _finish_queue_heatmap(fig, how, rows, title, timezone)


def plot_occupancy_heatmap(
    occupancy: pd.DataFrame, timezone: str, cap: float | None = None
) -> go.Figure:
    """Occupancy per team and hour of week, cells above the cap marked.

    Parameters
    ----------
    occupancy : pandas.DataFrame
        ``team``, ``hour_of_week`` (0 = Monday 00:00, reporting time zone), ``occupancy``
        (busy / available, 0..1, NaN when nobody is on shift).
    timezone : str
        Reporting time zone (named on the axis).
    cap : float, optional
        The ``max_occupancy`` labour rule; cells above it get a diamond.

    Returns
    -------
    plotly.graph_objects.Figure
        A cividis heatmap (0-100%) and, when any cell exceeds the cap, a marker trace.
    """
    title = "Occupancy by team and hour of week"
    if occupancy.empty:
        return empty_figure(title, "No agent was on shift.")
    teams = list(pd.unique(occupancy["team"].astype(str)))
    grid = occupancy.pivot_table(
        index="team", columns="hour_of_week", values="occupancy", aggfunc="mean", observed=False
    )
    z = grid.reindex(index=teams, columns=range(168)).to_numpy(float)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=HOURS_OF_WEEK,
            y=esc_all(teams),
            colorscale=SEQUENTIAL,
            zmin=0,
            zmax=1,
            ygap=1,
            colorbar=colour_bar(["occupancy", "(% of available", "time)"], tickformat=".0%"),
            hovertemplate="%{y}, %{x}<br>occupancy %{z:.1%}<extra></extra>",
        )
    )
    if cap is not None:
        over = occupancy[occupancy["occupancy"] > cap + 1e-9]
        if not over.empty:
            fig.add_trace(
                go.Scatter(
                    x=[HOURS_OF_WEEK[int(h)] for h in over["hour_of_week"]],
                    y=esc_all(over["team"]),
                    mode="markers",
                    name=f"above the {cap:.0%} occupancy cap",
                    marker={
                        "symbol": "diamond",
                        "size": 7,
                        "color": "#ffffff",
                        "line": {"width": 1.5, "color": "#000000"},
                    },
                    customdata=over["occupancy"].to_numpy(float),
                    hovertemplate="%{y}, %{x}<br>occupancy %{customdata:.1%} (above cap)"
                    "<extra></extra>",
                )
            )
    hour_of_week_layout(
        fig,
        title,
        teams,
        timezone,
        "team",
        min_height=240,
        row_height=26,
        extra_height=170,
        showlegend=True,
    )
    return fig
