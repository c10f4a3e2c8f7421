"""The marginal value of one more agent-hour, by team and hour of the week, in a report.

Role: draw the table ``sim.marginal.marginal_value`` builds (team x hour of week: tickets
one more agent-hour brings within target, their value, the agent-hour's cost and the net)
as a heatmap with the best hours marked, and list those hours; the sweep report shows it.
Every user string (team names) is escaped.  Must not import simpy, pyomo, the engine or
the optimizer.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reports import theme
from reports.heatmaps import hour_of_week_layout
from reports.html import Markup, Section, esc, fmt_num, paragraph, table_html
from reports.theme import (
    DAYS,
    HOURS_OF_WEEK,
    colour_bar,
    diverging_scale,
    empty_figure,
    esc_all,
)

MARGINAL_COLUMNS = (
    "team",
    "hour_of_week",
    "tickets_saved_per_agent_hour",
    "value_per_agent_hour",
    "cost_per_agent_hour",
    "net_per_agent_hour",
)
"""Columns ``render_sweep_report`` reads in ``marginal``."""

TOP_HOURS = 10
"""The best hours marked on the heatmap and listed in the table."""


def _numbers(values: pd.Series) -> pd.Series:
    return pd.to_numeric(values, errors="coerce").astype(float)


def _hour_label(hour: int) -> str:
    return f"{DAYS[hour // 24]} {hour % 24:02d}:00–{(hour + 1) % 24:02d}:00"


def plot_marginal_heatmap(marginal: pd.DataFrame, currency: str, timezone: str) -> go.Figure:
    """Net value of one more agent-hour per team and hour of week; the best ten marked.

    Parameters
    ----------
    marginal : pandas.DataFrame
        ``team``, ``hour_of_week`` (0..167, Monday 00:00 first), ``net_per_agent_hour``,
        ``tickets_saved_per_agent_hour``, ``value_per_agent_hour``, ``cost_per_agent_hour``.
    currency : str
        Money unit, named on the colour bar and in the hover.
    timezone : str
        Reporting time zone (named on the axis).

    Returns
    -------
    plotly.graph_objects.Figure
        A diverging heatmap (orange: costs more than it saves, white: break-even, blue:
        pays for itself) and a marker trace numbering the :data:`TOP_HOURS` best cells.
    """
    title = "Net value of one more agent-hour, by team and hour of week"
    if marginal.empty:
        return empty_figure(title, "No team to estimate.")
    teams = list(pd.unique(marginal["team"].astype(str)))
    frame = marginal.assign(team=marginal["team"].astype(str))

    def grid(column: str) -> np.ndarray:
        table = frame.pivot_table(
            index="team", columns="hour_of_week", values=column, aggfunc="mean", observed=False
        )
        return table.reindex(index=teams, columns=range(168)).to_numpy(float)

    z = grid("net_per_agent_hour")
    custom = np.dstack(
        [
            grid("tickets_saved_per_agent_hour"),
            grid("value_per_agent_hour"),
            grid("cost_per_agent_hour"),
        ]
    )
    finite = z[np.isfinite(z)]
    low = min(float(finite.min()), 0.0) if finite.size else -1.0
    high = max(float(finite.max()), 0.0) if finite.size else 1.0
    cur = theme.esc(currency)
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=HOURS_OF_WEEK,
            y=esc_all(teams),
            customdata=custom,
            colorscale=diverging_scale(low, high),
            zmin=low,
            zmax=high,
            ygap=1,
            colorbar=colour_bar(["net value", f"({cur} per", "agent-hour)"]),
            hovertemplate="%{y}, %{x}<br>net %{z:+,.2f} "
            + cur
            + " per extra agent-hour<br>tickets brought within target %{customdata[0]:.2f}"
            "<br>value %{customdata[1]:,.2f} "
            + cur
            + "<br>cost %{customdata[2]:,.2f} "
            + cur
            + "<extra></extra>",
        )
    )
    top = top_hours(marginal)
    if len(top):
        fig.add_trace(
            go.Scatter(
                x=[HOURS_OF_WEEK[int(h)] for h in top["hour_of_week"]],
                y=esc_all(top["team"]),
                mode="markers",
                name=f"the {len(top)} best hours to add an agent (ranked in the table below)",
                marker={
                    "symbol": "star",
                    "size": 11,
                    "color": "#ffffff",
                    "line": {"width": 1.5, "color": "#000000"},
                },
                customdata=np.arange(1, len(top) + 1),
                hovertemplate="%{y}, %{x}<br>rank %{customdata} of the best hours<extra></extra>",
            )
        )
    hour_of_week_layout(
        fig,
        title,
        teams,
        timezone,
        "team",
        min_height=330,
        row_height=26,
        extra_height=180,
        showlegend=True,
    )
    return fig


def top_hours(marginal: pd.DataFrame, n: int = TOP_HOURS) -> pd.DataFrame:
    """The ``n`` team-hours with the highest net value of one more agent-hour."""
    if marginal.empty:
        return marginal
    frame = marginal[np.isfinite(_numbers(marginal["net_per_agent_hour"]))]
    return frame.sort_values(
        ["net_per_agent_hour", "tickets_saved_per_agent_hour"], ascending=False, kind="stable"
    ).head(n)


def top_hours_table(marginal: pd.DataFrame, currency: str) -> Markup:
    """The best hours to add an agent: team, day and hour, tickets, value, cost, net."""
    top = top_hours(marginal)
    rows = [
        [
            rank,
            row["team"],
            _hour_label(int(row["hour_of_week"])),
            fmt_num(row["tickets_saved_per_agent_hour"], 2),
            fmt_num(row["value_per_agent_hour"], 2),
            fmt_num(row["cost_per_agent_hour"], 2),
            Markup(
                esc(fmt_num(row["net_per_agent_hour"], 2))
                + (
                    Markup(' <span class="note">pays for itself</span>')
                    if row["net_per_agent_hour"] > 0
                    else Markup(' <span class="note">does not pay</span>')
                )
            ),
        ]
        for rank, row in enumerate(top.to_dict("records"), start=1)
    ]
    unit = f"{currency} per agent-hour"
    return table_html(
        [
            "rank",
            "team",
            "hour of week",
            "tickets brought within target per agent-hour",
            f"value ({unit})",
            f"cost ({unit})",
            f"net ({unit})",
        ],
        rows,
        numeric=[0, 3, 4, 5, 6],
        caption=f"The {len(top)} team-hours where one more agent-hour pays most",
    )


def marginal_section(marginal: pd.DataFrame, currency: str, timezone: str) -> Section:
    explain = paragraph(
        "An estimate from queueing formulas (Erlang C, or Erlang A where customers give up), "
        "not a simulation. It is taken at the planned staffing of the scenario file as given, "
        "before any swept setting: for each planning interval, the service level with the "
        "agents on shift is compared with one more agent. One extra agent is counted where it "
        "helps most among the queues the team serves (not summed, since one person cannot "
        "answer everywhere at once). Tickets brought within target are valued at churn "
        "probability × customer value × value months; the net is that value minus the "
        "agent-hour's cost. Blue cells pay for themselves, orange cells cost more than they "
        "save, white is break-even; stars mark the best hours, ranked in the table."
    )
    if marginal.empty:
        return Section(
            "marginal",
            "Marginal value of one more agent-hour",
            Markup(explain + paragraph("No team to estimate.")),
        )
    net = _numbers(marginal["net_per_agent_hour"])
    pays = int((net > 0).sum())
    count = paragraph(
        f"One more agent-hour pays for itself in {pays} of {int(np.isfinite(net).sum())} "
        "team-hours of the week."
    )
    return Section(
        "marginal",
        "Marginal value of one more agent-hour",
        Markup(explain + count),
        [("heatmap", plot_marginal_heatmap(marginal, currency, timezone))],
        top_hours_table(marginal, currency),
    )
