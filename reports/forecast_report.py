"""The forecast report: history, forecast with its bands, held-out accuracy, intraday shape.

Role: draw what ``run_sim.py forecast`` computed, from plain data -- the ``forecast.json``
mapping and tables (forecast, history, held-out days) and each stream's 7 x 24 profile --
into one self-contained page (:func:`reports.html.render_page`), every user string escaped.
Nothing here forecasts or computes an accuracy figure. Must not import simpy, pyomo,
``sim``, ``optimizer`` or ``scenarios``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from reports.html import (
    Markup,
    Section,
    fmt_num,
    fmt_pct,
    paragraph,
    render_page,
    table_html,
)
from reports.theme import DAYS, NEUTRAL, OKABE_ITO, SEQUENTIAL, base_layout, empty_figure, esc

FORECAST = OKABE_ITO[0]
NAIVE = OKABE_ITO[1]
SHOWN_HISTORY_DAYS = 16 * 7
"""History shown before the forecast when the chart opens (the rest is a zoom away)."""


def _rgba(hex_colour: str, alpha: float) -> str:
    r, g, b = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({r},{g},{b},{alpha})"


def _band(
    fig: go.Figure, dates: Sequence[Any], lo: Sequence[float], hi: Sequence[float], name: str
) -> None:
    """A filled band between ``lo`` and ``hi`` (drawn as one closed polygon)."""
    alpha = 0.18 if "95" in name else 0.35
    x = list(dates) + list(dates)[::-1]
    y = list(lo) + list(hi)[::-1]
    fig.add_trace(
        go.Scatter(
            x=x,
            y=y,
            fill="toself",
            fillcolor=_rgba(FORECAST, alpha),
            line={"width": 0},
            hoverinfo="skip",
            name=name,
        )
    )


def plot_stream_forecast(
    stream: str, history: pd.DataFrame, forecast: pd.DataFrame, region: str
) -> go.Figure:
    """History (contacts a day) and the forecast's mean with its 80% and 95% bands."""
    if forecast.empty:
        return empty_figure(esc(stream), "no forecast for this stream")
    fig = go.Figure(layout=base_layout(f"{esc(stream)}: contacts a day, history and forecast", 420))
    _band(fig, forecast["date"], forecast["lo95"], forecast["hi95"], "95% band")
    _band(fig, forecast["date"], forecast["lo80"], forecast["hi80"], "80% band")
    fig.add_trace(
        go.Scatter(
            x=history["date"],
            y=history["contacts"],
            mode="lines",
            line={"color": NEUTRAL, "width": 1.5},
            name="history",
            connectgaps=False,
            hovertemplate="%{x|%a %Y-%m-%d}: %{y:,.0f} contacts<extra>history</extra>",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=forecast["date"],
            y=forecast["mean"],
            mode="lines+markers",
            marker={"size": 4},
            line={"color": FORECAST, "width": 2},
            name="forecast (mean)",
            hovertemplate="%{x|%a %Y-%m-%d}: %{y:,.0f} contacts<extra>forecast</extra>",
        )
    )
    start = pd.Timestamp(forecast["date"].iloc[0])
    end = pd.Timestamp(forecast["date"].iloc[-1])
    first = max(
        pd.Timestamp(history["date"].iloc[0]), start - pd.Timedelta(days=SHOWN_HISTORY_DAYS)
    )
    fig.add_vline(x=start, line={"color": NEUTRAL, "dash": "dot", "width": 1})
    fig.update_xaxes(
        title_text=f"local date ({esc(region)})",
        range=[first - pd.Timedelta(days=1), end + pd.Timedelta(days=1)],
        rangeslider={"visible": True, "thickness": 0.08},
    )
    fig.update_yaxes(title_text="contacts a day", rangemode="tozero")
    return fig


def plot_holdout(stream: str, holdout: pd.DataFrame) -> go.Figure:
    """The held-out days: actual contacts, the chosen model and seasonal naive."""
    fig = go.Figure(
        layout=base_layout(f"{esc(stream)}: held-out days, actual against forecast", 360)
    )
    _band(fig, holdout["date"], holdout["lo80"], holdout["hi80"], "80% band")
    fig.add_trace(
        go.Scatter(
            x=holdout["date"],
            y=holdout["mean"],
            mode="lines",
            line={"color": FORECAST, "width": 2},
            name="chosen model",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=holdout["date"],
            y=holdout["naive"],
            mode="lines",
            line={"color": NAIVE, "width": 1.5, "dash": "dash"},
            name="seasonal naive",
        )
    )
    fig.add_trace(
        go.Scatter(
            x=holdout["date"],
            y=holdout["actual"],
            mode="markers",
            marker={"color": "#000000", "size": 6, "symbol": "circle"},
            name="actual",
        )
    )
    fig.update_xaxes(title_text="local date")
    fig.update_yaxes(title_text="contacts a day", rangemode="tozero")
    return fig


def plot_intraday(stream: str, profile: Sequence[Sequence[float]], region: str) -> go.Figure:
    """Each weekday's share of its contacts by local hour (a 7 x 24 heatmap)."""
    grid = np.asarray(profile, dtype=float)
    totals = grid.sum(axis=1, keepdims=True)
    shares = np.divide(grid, totals, out=np.zeros_like(grid), where=totals > 0) * 100
    fig = go.Figure(
        go.Heatmap(
            z=shares,
            x=[f"{h:02d}:00" for h in range(24)],
            y=list(DAYS),
            colorscale=SEQUENTIAL,
            colorbar={"title": {"text": "% of the day", "side": "right"}},
            hovertemplate="%{y} %{x}: %{z:.1f}% of the day<extra></extra>",
        ),
        layout=base_layout(f"{esc(stream)}: intraday shape by weekday", 330),
    )
    fig.update_xaxes(title_text=f"hour of the day ({esc(region)})", type="category")
    fig.update_yaxes(autorange="reversed", type="category")
    return fig


def _accuracy_rows(streams: Sequence[Mapping[str, Any]]) -> list[list[object]]:
    rows: list[list[object]] = []
    for s in streams:
        acc = s.get("accuracy") or {}
        rows.append(
            [
                s.get("stream"),
                s.get("model"),
                acc.get("days", ""),
                fmt_pct(acc.get("wape")),
                fmt_pct(acc.get("seasonal_naive_wape")),
                fmt_num(acc.get("mase"), 2),
                fmt_num(acc.get("mase_in_sample"), 2),
                fmt_pct(acc.get("coverage80"), 0),
                fmt_pct(acc.get("coverage95"), 0),
            ]
        )
    return rows


def _overview(summary: Mapping[str, Any]) -> Markup:
    rows = []
    for s in summary.get("streams", []):
        busy = (s.get("busyness") or {}).get("cv")
        rows.append(
            [
                s.get("stream"),
                f"{s.get('language', '')} / {s.get('channel', '')} / {s.get('region', '')}",
                s.get("country") or "none",
                fmt_num((s.get("history") or {}).get("contacts")),
                fmt_num(s.get("forecast_contacts")),
                s.get("model"),
                "; ".join(str(c) for c in s.get("components", [])),
                fmt_num(busy, 3),
            ]
        )
    return table_html(
        [
            "stream",
            "language / channel / region",
            "holidays",
            "contacts in history",
            "contacts forecast",
            "model",
            "fitted",
            "busyness cv",
        ],
        rows,
        numeric=(3, 4, 7),
        caption="Streams",
    )


def _candidates(summary: Mapping[str, Any]) -> Markup:
    rows = []
    for s in summary.get("streams", []):
        for c in s.get("candidates", []):
            rows.append(
                [
                    s.get("stream"),
                    c.get("model"),
                    c.get("description"),
                    fmt_pct(c.get("backtest_wape")),
                    fmt_pct(c.get("holdout_wape")),
                    "chosen" if c.get("chosen") else (c.get("error") or ""),
                ]
            )
    return table_html(
        ["stream", "model", "what it fits", "back-test WAPE", "held-out WAPE", ""],
        rows,
        numeric=(3, 4),
        caption="Candidates: chosen on the back-test WAPE (three origins a week apart, "
        "before the held-out weeks)",
    )


def _handle(summary: Mapping[str, Any]) -> Markup:
    rows = []
    for s in summary.get("streams", []):
        h = s.get("handle")
        if not h:
            continue
        rows.append(
            [
                s.get("stream"),
                fmt_num(h.get("recent_minutes"), 2),
                fmt_num(h.get("trend_minutes_per_month"), 3),
                fmt_num(h.get("trend_t"), 1),
                "yes" if h.get("trend_used") else "no (not clear)",
                fmt_num(h.get("horizon_minutes"), 2),
            ]
        )
    if not rows:
        return paragraph("The history has no handle times: the scenario uses channel defaults.")
    return table_html(
        [
            "stream",
            "last 28 days (min)",
            "trend (min / 30 days)",
            "t",
            "trend extrapolated",
            "expected over the horizon (min)",
        ],
        rows,
        numeric=(1, 2, 3, 5),
        caption="Handle time per contact",
    )


def _notes(summary: Mapping[str, Any]) -> Markup:
    items: list[str] = []
    for s in summary.get("streams", []):
        for text in [*s.get("not_fitted", []), *s.get("notes", [])]:
            items.append(f"{s.get('stream')}: {text}")
    items += [str(n) for n in summary.get("notes", [])]
    items += [str(n) for n in summary.get("scenario_notes", [])]
    if not items:
        return paragraph("Every component was fitted.")
    return Markup("<ul>" + "".join(f"<li>{esc(i)}</li>" for i in items) + "</ul>")


def forecast_sections(
    summary: Mapping[str, Any],
    forecast: pd.DataFrame,
    history: pd.DataFrame,
    holdout: pd.DataFrame,
    profiles: Mapping[str, Sequence[Sequence[float]]],
) -> list[Section]:
    """The report's sections, in order (testable without rendering the page)."""
    streams = list(summary.get("streams", []))
    region = {str(s.get("stream")): str(s.get("region", "")) for s in streams}
    names = [str(s.get("stream")) for s in streams]
    figures = [
        (
            f"forecast-{i}",
            plot_stream_forecast(
                name,
                history[history["stream"] == name],
                forecast[forecast["stream"] == name],
                region[name],
            ),
        )
        for i, name in enumerate(names)
    ]
    held = [
        (f"holdout-{i}", plot_holdout(name, holdout[holdout["stream"] == name]))
        for i, name in enumerate(names)
        if (holdout["stream"] == name).any()
    ]
    shapes = [
        (f"intraday-{i}", plot_intraday(name, profiles[name], region[name]))
        for i, name in enumerate(names)
        if name in profiles
    ]
    horizon = summary.get("horizon") or {}
    accuracy_text = paragraph(
        "The last weeks of history were held out: models were chosen on the weeks before "
        "them, then forecast the held-out weeks from their start. WAPE is the sum of "
        "absolute errors over the sum of contacts. MASE is the mean absolute error over "
        "that of seasonal naive (each day as the last same weekday) forecast from the same "
        "origin: below 1 the model beats it, seasonal naive scores 1. MASE (in-sample) "
        "scales by seasonal naive's in-sample error instead. Coverage is the share of "
        "held-out days inside the band."
    )
    return [
        Section(
            "forecast",
            "History and forecast",
            Markup(
                paragraph(
                    f"Contacts a day per stream, forecast from {horizon.get('start', '')} to "
                    f"{horizon.get('end', '')} with 80% and 95% bands (each day's actual "
                    "volume is expected inside the 80% band four days in five). Bands are "
                    "calibrated on the chosen model's own back-test errors. The scenario "
                    "written beside this report follows the mean date by date, and its "
                    "busyness spreads simulated days as widely as the bands."
                )
                + _overview(summary)
            ),
            tuple(figures),
        ),
        Section(
            "accuracy",
            "Accuracy on held-out weeks",
            Markup(
                accuracy_text
                + table_html(
                    [
                        "stream",
                        "model",
                        "days",
                        "WAPE",
                        "seasonal naive WAPE",
                        "MASE",
                        "MASE (in-sample)",
                        "80% band covers",
                        "95% band covers",
                    ],
                    _accuracy_rows(streams),
                    numeric=range(2, 9),
                    caption="Held-out accuracy of the chosen model",
                )
                + _candidates(summary)
            ),
            tuple(held),
        ),
        Section(
            "intraday",
            "Intraday shape",
            paragraph(
                "Each weekday's share of its contacts by hour, in the customers' local time, "
                "smoothed towards the shape of all weekdays where a weekday has few contacts."
                if shapes
                else "The history has daily counts only: the scenario assumes a flat day."
            ),
            tuple(shapes),
        ),
        Section("handle", "Handle time", _handle(summary)),
        Section("notes", "What was not fitted, and why", _notes(summary)),
    ]


def render_forecast_report(
    summary: Mapping[str, Any],
    forecast: pd.DataFrame,
    history: pd.DataFrame,
    holdout: pd.DataFrame,
    profiles: Mapping[str, Sequence[Sequence[float]]],
) -> str:
    """The self-contained HTML report of a forecast.

    Parameters
    ----------
    summary : mapping
        The ``forecast.json`` mapping.
    forecast : pandas.DataFrame
        ``forecast.csv``: stream, date, mean, lo80, hi80, lo95, hi95 (contacts a day).
    history : pandas.DataFrame
        stream, date, contacts (NaN on days without records).
    holdout : pandas.DataFrame
        stream, date, actual, mean, lo80, hi80, lo95, hi95, naive on the held-out days.
    profiles : mapping
        Stream -> 7 x 24 average contacts an hour (local time, Monday first).

    Returns
    -------
    str
        The HTML page (plotly.js embedded; opens offline; no network request).
    """
    horizon = summary.get("horizon") or {}
    past = summary.get("history") or {}
    count = len(summary.get("streams", []))
    lead = paragraph(
        f"History {past.get('first', '')} to {past.get('last', '')} from "
        f"{summary.get('source', '')} ({summary.get('format', '')}); forecast "
        f"{horizon.get('start', '')} to {horizon.get('end', '')} "
        f"({horizon.get('days', '')} days) for {count} stream{'' if count == 1 else 's'}."
    )
    return render_page(
        kind="Forecast",
        title=str(summary.get("source", "forecast")).split("/")[-1],
        lead=lead,
        sections=forecast_sections(summary, forecast, history, holdout, profiles),
        footer="Volumes are contacts per local day of each stream's customers.",
    )
