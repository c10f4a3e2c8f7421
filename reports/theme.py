"""Shared look of the reports: colour-blind-safe palette, label escaping, axis helpers.

Role: the constants and small helpers every figure uses, so all charts look alike and every
user-supplied string reaches Plotly escaped.  Must not import simpy, pyomo, ``sim`` or
``optimizer``.

Colours follow Okabe & Ito (2008), distinguishable with the common colour-vision
deficiencies; "met" and "missed" are blue and vermillion and always also carry a symbol or a
word, never colour alone.  Heatmaps use cividis (sequential) or a blue-orange diverging
scale.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

OKABE_ITO: tuple[str, ...] = (
    "#0072B2",  # blue
    "#E69F00",  # orange
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#56B4E9",  # sky blue
    "#D55E00",  # vermillion
    "#F0E442",  # yellow
    "#000000",  # black
)
MET = "#0072B2"
MISSED = "#D55E00"
NEUTRAL = "#777777"
MET_SYMBOL = "circle"
MISSED_SYMBOL = "x"
CHANNEL_COLOURS: dict[str, str] = {"email": "#0072B2", "chat": "#E69F00", "phone": "#009E73"}
SEQUENTIAL = "Cividis"
# Shortfall (orange) -> balance (near white) -> surplus (blue).
DIVERGING: list[list[float | str]] = [
    [0.0, "#B35806"],
    [0.25, "#F1A340"],
    [0.5, "#F7F7F7"],
    [0.75, "#92C5DE"],
    [1.0, "#2166AC"],
]


def diverging_scale(low: float, high: float) -> list[list[float | str]]:
    """:data:`DIVERGING` stretched so 0 is white and each side reaches its full colour.

    With a surplus of 60 agents in one queue and a shortfall of 2 in another, a symmetric
    scale would leave the shortfall almost white; here the worst shortfall is dark orange
    and the largest surplus dark blue, whatever their sizes.
    """
    short, light_short, even, light_surplus, surplus = (str(c) for _, c in DIVERGING)
    if high <= low:
        return [[0.0, even], [1.0, even]]
    if low >= 0:
        return [[0.0, even], [0.5, light_surplus], [1.0, surplus]]
    if high <= 0:
        return [[0.0, short], [0.5, light_short], [1.0, even]]
    zero = -low / (high - low)
    return [
        [0.0, short],
        [zero / 2, light_short],
        [zero, even],
        [zero + (1 - zero) / 2, light_surplus],
        [1.0, surplus],
    ]


FONT_FAMILY = 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif'
DAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
HOURS_OF_WEEK: list[str] = [f"{DAYS[h // 24]} {h % 24:02d}:00" for h in range(168)]
"""Category labels of the 168 hours of a week, Monday 00:00 first."""


def esc(value: object) -> str:
    """Escape a user-supplied string for Plotly's text rendering (and for HTML).

    Plotly draws titles, trace names, tick and hover labels through a small HTML-like
    parser; escaping ``&``, ``<`` and ``>`` makes it show the characters as text.
    """
    return html.escape(str(value), quote=False)


def human_minutes(minutes: float) -> str:
    """A duration given in minutes in the unit that reads best: ``20 s``, ``4 h``."""
    if minutes < 1:
        return f"{minutes * 60:.3g} s"
    if minutes < 90:
        return f"{minutes:.3g} min"
    if minutes < 2880:
        return f"{minutes / 60:.3g} h"
    return f"{minutes / 1440:.3g} d"


def esc_all(values: Iterable[object]) -> list[str]:
    """:func:`esc` applied to every value."""
    return [esc(v) for v in values]


def colour_cycle(names: Sequence[str], fixed: dict[str, str] | None = None) -> dict[str, str]:
    """A colour per name: ``fixed`` first, then Okabe-Ito in order (repeating when needed)."""
    fixed = fixed or {}
    out: dict[str, str] = {}
    free = [c for c in OKABE_ITO if c not in fixed.values()]
    i = 0
    for name in names:
        if name in fixed:
            out[name] = fixed[name]
        else:
            out[name] = free[i % len(free)]
            i += 1
    return out


def channel_order(channels: Iterable[object]) -> list[str]:
    """Channels in a fixed order (email, chat, phone, then others by name)."""
    known = list(CHANNEL_COLOURS)
    names = {str(c) for c in channels}
    return [c for c in known if c in names] + sorted(names - set(known))


def unit_of(frame: pd.DataFrame, column: str, default: str = "") -> str:
    """The unit a metrics table declares for ``column`` in ``frame.attrs["unit"]``.

    ``attrs["unit"]`` is either one string for the whole table or a mapping per column.
    """
    unit = frame.attrs.get("unit")
    if isinstance(unit, str):
        return unit
    if isinstance(unit, dict):
        return str(unit.get(column, default))
    return default


def to_local(times: pd.Series | pd.DatetimeIndex, timezone: str) -> pd.Series:
    """UTC timestamps as wall-clock times of ``timezone`` (naive, for a Plotly date axis).

    Naive input is taken as UTC.  Plotly.js ignores offsets, so the zone is named on the
    axis title instead.
    """
    stamps = pd.Series(pd.to_datetime(times, utc=True))
    return stamps.dt.tz_convert(timezone).dt.tz_localize(None)


def base_layout(title: str, height: int, **extra: Any) -> dict[str, Any]:
    """Layout shared by every figure: white background, system fonts, legend on top.

    ``title`` must already be escaped (use :func:`esc` on user strings inside it).
    """
    layout: dict[str, Any] = {
        "title": {
            "text": title,
            "x": 0.0,
            "xanchor": "left",
            "font": {"size": 16},
            "yref": "container",
            "y": 1 - 12 / height,
            "yanchor": "top",
        },
        "height": height,
        "template": "plotly_white",
        "font": {"family": FONT_FAMILY, "size": 13, "color": "#222222"},
        "margin": {"l": 70, "r": 30, "t": 80, "b": 60},
        "legend": {
            "orientation": "h",
            "yanchor": "bottom",
            "y": 1.02,
            "xanchor": "left",
            "x": 0.0,
        },
        "hoverlabel": {"font": {"family": FONT_FAMILY}},
    }
    layout.update(extra)
    return layout


def hour_of_week_axis(timezone: str) -> dict[str, Any]:
    """A category x axis over :data:`HOURS_OF_WEEK`, labelled at each day and at noon.

    Twelve-hour steps keep the labels apart on a 1000 px wide page (six-hour steps ran the
    day names into the hours there).
    """
    ticks = list(range(0, 168, 12))
    return {
        "title": {"text": f"hour of week ({esc(timezone)})"},
        "type": "category",
        "categoryorder": "array",
        "categoryarray": HOURS_OF_WEEK,
        # Fixed, or marker traces on top would pad the range beyond the heatmap's cells.
        "range": [-0.5, 167.5],
        "tickmode": "array",
        "tickvals": [HOURS_OF_WEEK[h] for h in ticks],
        "ticktext": [f"<b>{DAYS[h // 24]}</b>" if h % 24 == 0 else f"{h % 24:02d}" for h in ticks],
        "tickangle": 0,
        "showgrid": False,
    }


HEATMAP_MARGIN: dict[str, int] = {"l": 190, "r": 150, "t": 80, "b": 60}
"""Fixed margins so hour-of-week heatmaps stacked on a page share their x positions."""


def day_separators(rows: int) -> list[dict[str, Any]]:
    """Thin vertical lines between the days of an hour-of-week heatmap with ``rows`` rows."""
    return [
        {
            "type": "line",
            "xref": "x",
            "yref": "paper",
            "x0": d * 24 - 0.5,
            "x1": d * 24 - 0.5,
            "y0": 0,
            "y1": 1,
            "line": {"color": "#ffffff", "width": 2},
        }
        for d in range(1, 7)
        if rows
    ]


LABEL_FONT = 11
CHAR_PX = 6.4
"""Width of one character of an 11-px label, in pixels (system sans-serif, on average)."""
PLOT_PX = (800.0, 330.0)
"""Plotting area assumed when placing labels (the chart at a 1000 px wide window); wider
windows only add room."""


def place_labels(
    x: np.ndarray,
    y: np.ndarray,
    texts: Sequence[str],
    x_range: tuple[float, float],
    y_range: tuple[float, float],
    size: tuple[float, float] = PLOT_PX,
) -> list[dict[str, Any] | None]:
    """Positions for point labels that overlap neither each other nor the points.

    Each label tries, in turn, above, below, right, left and the four diagonals of its
    point (then twice as far above and below), and takes the first position whose text box
    stays inside the plot and clear of every label placed before it and of every marker.
    Labels that fit nowhere get None (their point keeps its hover label).

    Returns
    -------
    list of dict or None
        Per label: ``xshift``/``yshift`` (px), ``xanchor``, ``yanchor`` for a Plotly
        annotation at the point.
    """
    width, height = size
    (x0, x1), (y0, y1) = x_range, y_range
    px = (np.asarray(x, float) - x0) / max(x1 - x0, 1e-12) * width
    py = (np.asarray(y, float) - y0) / max(y1 - y0, 1e-12) * height
    marker = 9.0
    placed: list[tuple[float, float, float, float]] = []
    candidates = (
        (0, 11, "center", "bottom"),
        (0, -11, "center", "top"),
        (11, 0, "left", "middle"),
        (-11, 0, "right", "middle"),
        (9, 9, "left", "bottom"),
        (-9, 9, "right", "bottom"),
        (9, -9, "left", "top"),
        (-9, -9, "right", "top"),
        (0, 27, "center", "bottom"),
        (0, -27, "center", "top"),
    )

    def box(i: int, dx: float, dy: float, xa: str, ya: str, w: float) -> tuple[float, ...]:
        h = LABEL_FONT + 4.0
        left = px[i] + dx - {"left": 0.0, "center": w / 2, "right": w}[xa]
        bottom = py[i] + dy - {"bottom": 0.0, "middle": h / 2, "top": h}[ya]
        return left, bottom, left + w, bottom + h

    def clear(b: tuple[float, ...]) -> bool:
        if b[0] < 0 or b[2] > width or b[1] < 0 or b[3] > height:
            return False
        for o in placed:
            if b[0] < o[2] and o[0] < b[2] and b[1] < o[3] and o[1] < b[3]:
                return False
        near_x = (px > b[0] - marker) & (px < b[2] + marker)
        near_y = (py > b[1] - marker) & (py < b[3] + marker)
        return not bool(np.any(near_x & near_y))

    out: list[dict[str, Any] | None] = []
    for i, text in enumerate(texts):
        w = CHAR_PX * len(text) + 4.0
        choice = None
        for dx, dy, xa, ya in candidates:
            b = box(i, dx, dy, xa, ya, w)
            if clear(b):
                placed.append(b)  # type: ignore[arg-type]
                choice = {"xshift": dx, "yshift": dy, "xanchor": xa, "yanchor": ya}
                break
        out.append(choice)
    return out


TITLE_CHAR_PX = 7.5
"""Width of one character of a 13-px axis title, in pixels (system sans-serif, generous)."""


def y_title(text: str, short: str, height: int, margin: dict[str, int] | None = None) -> str:
    """A y-axis title that fits beside the plotting area: ``text`` when its estimated
    length fits the area's height, else ``short`` (a rotated title longer than the plot
    runs into the chart title above it).
    """
    m = margin or {"t": 80, "b": 60}
    room = height - m.get("t", 80) - m.get("b", 60)
    return text if len(html.unescape(text)) * TITLE_CHAR_PX <= room else short


def colour_bar(title_lines: Sequence[str], **extra: Any) -> dict[str, Any]:
    """A colour bar whose title sits above it, one short line per item: a long title
    written along the bar is cut off on short heatmaps."""
    return {"title": {"text": "<br>".join(title_lines), "side": "top"}, **extra}


def empty_figure(title: str, message: str, height: int = 220) -> go.Figure:
    """A figure without traces that says why (e.g. "no tickets arrived")."""
    fig = go.Figure(layout=base_layout(title, height))
    fig.add_annotation(
        text=esc(message),
        showarrow=False,
        x=0.5,
        y=0.5,
        xref="paper",
        yref="paper",
        font={"size": 14, "color": NEUTRAL},
    )
    fig.update_xaxes(visible=False)
    fig.update_yaxes(visible=False)
    return fig
