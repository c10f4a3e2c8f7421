"""The roster as a timeline in each team's local time, for the optimize report.

Role: draw :func:`reports.roster_shifts.local_shifts` as one panel per team: the team's
people down (everyone, with or without shifts), the team's local wall-clock time across,
one bar per shift with its breaks lighter on top, days of leave hatched and weekends
shaded.  A Dublin shift reads 07:00-15:30 on the Dublin panel whatever the reporting time
zone.  Must not import simpy, pyomo, ``sim``, ``optimizer`` or ``scenarios``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

import pandas as pd
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from reports.roster_shifts import as_date, local_shifts, people_table
from reports.theme import NEUTRAL, base_layout, colour_cycle, empty_figure, esc, esc_all

__all__ = ["roster_figure"]

ROW_PX = 18
"""Height of one person's row (px)."""
GAP_PX = 90
"""Space between two team panels, for the time axis and the next panel's title (px)."""
_MS_PER_HOUR = 3.6e6


def _wall(value: dt.datetime) -> dt.datetime:
    """A local time as a naive wall-clock time: Plotly's date axis ignores offsets, and a
    shift across a daylight-saving change must still end where the clock on the wall says."""
    return value.replace(tzinfo=None)


def _bars(
    items: list[tuple[str, dt.datetime, dt.datetime]],
) -> dict[str, Any]:
    """``go.Bar`` keywords for horizontal bars (person, wall start, wall end)."""
    return {
        "y": esc_all(p for p, _, _ in items),
        "base": [f"{s:%Y-%m-%d %H:%M}" for _, s, _ in items],
        "x": [(e - s).total_seconds() * 1000.0 for _, s, e in items],
        "orientation": "h",
    }


def _weekends(first: dt.date, last: dt.date, axis: int) -> list[dict[str, Any]]:
    """Grey rectangles behind the Saturdays and Sundays of one panel, one per weekend."""
    suffix = "" if axis == 1 else str(axis)
    shapes = []
    day = first
    while day <= last:
        if day.weekday() == 5 or (day.weekday() == 6 and day == first):
            end = min(day + dt.timedelta(days=7 - day.weekday()), last + dt.timedelta(days=1))
            shapes.append(
                {
                    "type": "rect",
                    "xref": f"x{suffix}",
                    "yref": f"y{suffix} domain",
                    "x0": f"{day:%Y-%m-%d} 00:00",
                    "x1": f"{end:%Y-%m-%d} 00:00",
                    "y0": 0,
                    "y1": 1,
                    "layer": "below",
                    "fillcolor": "#EEEEEE",
                    "line": {"width": 0},
                }
            )
        day += dt.timedelta(days=1)
    return shapes


def roster_figure(
    roster: pd.DataFrame,
    people: pd.DataFrame,
    leave: Mapping[str, Iterable[dt.date | str]] | None = None,
    dates: Iterable[dt.date | str] | None = None,
) -> go.Figure:
    """Who works when, each team in its own local time.

    Parameters
    ----------
    roster : pandas.DataFrame
        ``roster.csv`` (``agent``, ``team``, ``start``, ``end``, optionally ``breaks``).
    people : pandas.DataFrame
        ``person``, ``team``, ``timezone``: every person of the published teams, in order.
    leave : mapping of str to iterable of dates, optional
        Per person, dates of time off or unavailability (hatched grey on days without a
        shift).
    dates : iterable of dates, optional
        Dates the time axes span (default: those of the shifts and leave shown).

    Returns
    -------
    plotly.graph_objects.Figure
        One panel per team, titled with the team and its time zone; the x axis is the
        team's local time; bars are shifts (hover: date, local start-end, breaks).
    """
    title = "Roster: shifts per person, each team in its local time"
    table = people_table(people)
    if table.empty:
        return empty_figure(title, "No people to show.")
    shifts = local_shifts(roster, table)
    teams = list(pd.unique(table["team"]))
    zone_of = dict(zip(table["team"], table["timezone"], strict=False))
    colours = colour_cycle(teams)
    worked = set(zip(shifts["person"], shifts["date"], strict=True))
    away = {
        (str(p), as_date(d))
        for p, ds in (leave or {}).items()
        for d in ds
        if (str(p), as_date(d)) not in worked
    }
    shown = {as_date(d) for d in dates} if dates is not None else set()
    shown |= set(shifts["date"]) | {d for _, d in away}
    if dates is not None:
        away = {(p, d) for p, d in away if d in shown}
    if not shown:
        return empty_figure(title, "The roster has no shifts.")
    first, last = min(shown), max(shown)
    last_end = max([_wall(e) for e in shifts["end"]], default=dt.datetime.min)
    x_end = max(dt.datetime.combine(last + dt.timedelta(days=1), dt.time()), last_end)
    sizes = [max(3, int((table["team"] == t).sum())) for t in teams]
    plot_px = ROW_PX * sum(sizes) + GAP_PX * (len(teams) - 1)
    spacing = GAP_PX / plot_px if len(teams) > 1 else 0.0
    fig = make_subplots(
        rows=len(teams),
        cols=1,
        row_heights=[float(s) for s in sizes],
        vertical_spacing=spacing,
        subplot_titles=[f"{esc(t)} ({esc(zone_of[t])})" for t in teams],
    )
    shapes: list[dict[str, Any]] = []
    legend = {"shift": False, "break": False, "leave": False}
    for i, team in enumerate(teams, start=1):
        members = table.loc[table["team"] == team, "person"].tolist()
        part = shifts[shifts["team"] == team].sort_values("start", kind="stable")
        items = [
            (p, _wall(s), _wall(e))
            for p, s, e in part[["person", "start", "end"]].itertuples(index=False)
        ]
        if items:
            hover = [
                [
                    f"{s:%a %d %b %Y}",
                    c,
                    ", ".join(f"{b0:%H:%M}-{b1:%H:%M}" for b0, b1 in b) or "none",
                ]
                for s, c, b in part[["start", "cell", "breaks"]].itertuples(index=False)
            ]
            fig.add_trace(
                go.Bar(
                    **_bars(items),
                    name=esc(team),
                    marker={"color": colours[team], "line": {"width": 0}},
                    customdata=hover,
                    hovertemplate="%{y}<br>%{customdata[0]}, %{customdata[1]}"
                    "<br>break %{customdata[2]}<extra>" + esc(team) + "</extra>",
                ),
                row=i,
                col=1,
            )
        breaks = [
            (p, _wall(b0), _wall(b1))
            for p, b in part[["person", "breaks"]].itertuples(index=False)
            for b0, b1 in b
        ]
        if breaks:
            fig.add_trace(
                go.Bar(
                    **_bars(breaks),
                    name="break",
                    legendgroup="break",
                    showlegend=not legend["break"],
                    marker={
                        "color": "rgba(255,255,255,0.75)",
                        "line": {"color": NEUTRAL, "width": 0.5},
                    },
                    hoverinfo="skip",
                ),
                row=i,
                col=1,
            )
            legend["break"] = True
        days_away = sorted((p, d) for p, d in away if p in set(members))
        if days_away:
            spans = [
                (
                    p,
                    dt.datetime.combine(d, dt.time()),
                    dt.datetime.combine(d + dt.timedelta(days=1), dt.time()),
                )
                for p, d in days_away
            ]
            fig.add_trace(
                go.Bar(
                    **_bars(spans),
                    name="leave",
                    legendgroup="leave",
                    showlegend=not legend["leave"],
                    marker={
                        "color": "rgba(0,0,0,0)",
                        "line": {"width": 0},
                        "pattern": {"shape": "/", "fgcolor": NEUTRAL, "size": 6},
                    },
                    customdata=[f"{d:%a %d %b %Y}" for _, d in days_away],
                    hovertemplate="%{y}<br>%{customdata}: leave<extra></extra>",
                ),
                row=i,
                col=1,
            )
            legend["leave"] = True
        rows = esc_all(members)
        fig.update_yaxes(
            type="category",
            categoryorder="array",
            categoryarray=rows,
            range=[len(rows) - 0.5, -0.5],
            tickfont={"size": 9 if len(rows) > 60 else 11},
            row=i,
            col=1,
        )
        fig.update_xaxes(
            type="date",
            range=[dt.datetime.combine(first, dt.time()), x_end],
            title={"text": f"local time ({esc(zone_of[team])})", "standoff": 4},
            tickformat="%a %d %b",
            row=i,
            col=1,
        )
        shapes += _weekends(first, last, i)
    height = min(8000, plot_px + 170)
    fig.update_layout(
        base_layout(title, height, shapes=shapes),
        barmode="overlay",
        bargap=0.2,
        margin={"l": 140, "r": 30, "t": 120, "b": 60},
        # Under the title, clear of the first panel's title.
        legend={
            "orientation": "h",
            "yanchor": "top",
            "y": 1 - 40 / height,
            "yref": "container",
            "xanchor": "left",
            "x": 0.0,
        },
    )
    # Subplot titles are annotations; keep them small and left-aligned over each panel.
    fig.update_annotations(font={"size": 13}, xanchor="left", x=0.0)
    return fig
