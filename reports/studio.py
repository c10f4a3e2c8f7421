"""The what-if studio: a local Dash page where a manager asks a scenario "and if ...?".

Role: the page of ``run_sim.py studio``: a scenario picker, the levers of
:mod:`scenarios.levers` (each with its unit), a Run and a Cancel button with the run's
progress, and the results: the baseline and every variant side by side (the figures of
:data:`sim.summary.KPIS` with their deltas and 95% intervals, per-queue attainment against
the goals, the run report's figures), each variant downloadable as scenario YAML and as
the run report. Everything that simulates, validates or optimises is given to
:func:`build_app` by ``run_sim.py`` (:class:`StudioServices`), so this module stays a
report module: it must not import simpy, pyomo, the engine, ``optimizer`` or
``scenarios``, and it prints nothing. Runs go to one worker thread, one at a time, off the
request thread; the page polls their status. Every string reaches the page as a text
child or a property, which Dash escapes; no raw HTML is written.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd
import yaml
from dash import ALL, Dash, Input, Output, State, ctx, dcc, html, no_update

from reports.comparison_report import delta_parts, kpi_value
from reports.html import fmt_minutes, fmt_pct
from reports.run_report import cost_section, render_run_report, sla_section
from sim.summary import KPIS, Summary

__all__ = ["StudioServices", "build_app", "studio_values"]

POLL_MS = 600
"""How often the page asks for the run's status (milliseconds)."""


class RunResult(Protocol):
    """What a run gives the studio: the typed summary and the report's tables."""

    kpis: Summary

    def tables(self) -> dict[str, pd.DataFrame]: ...


@dataclass(frozen=True)
class StudioServices:
    """What ``run_sim.py`` gives the studio.

    Attributes
    ----------
    scenarios : sequence
        :class:`scenarios.levers.StudioScenario` items (``label``, ``source``, ``data``).
    levers : callable
        ``levers(data) -> [Lever]`` (:func:`scenarios.levers.levers`).
    overrides : callable
        ``overrides(data, values) -> [str]`` (:func:`scenarios.levers.lever_overrides`).
    build : callable
        ``build(entry, overrides, name) -> (Scenario, warnings)``; raises a ``ValueError``
        with the command line's message for a bad value.
    run : callable
        ``run(scenario, replications, seed, progress, stop) -> RunResult | None`` (None when
        ``stop`` was set); a ``ValueError`` says why a scenario cannot run.
    compare : callable
        :func:`sim.whatif.comparison_tables`.
    headcount : callable or None
        ``headcount(scenario) -> [{team, agents, needed, extra_cost_per_week}]``.
    replications : int
        Replications of every run.
    seed : int or None
        Seed of every run (None: each scenario's own); variants use their baseline's.
    """

    scenarios: Sequence[Any]
    levers: Callable[[Mapping[str, Any]], Sequence[Any]]
    overrides: Callable[[Mapping[str, Any], Mapping[str, Any]], list[str]]
    build: Callable[[Any, Sequence[str], str | None], tuple[Any, list[str]]]
    run: Callable[..., RunResult | None]
    compare: Callable[[Sequence[Summary]], tuple[pd.DataFrame, pd.DataFrame]]
    headcount: Callable[[Any], list[dict[str, Any]]] | None = None
    replications: int = 3
    seed: int | None = None


@dataclass(slots=True)
class Variant:
    """A finished run: its name, the overrides it applied, the scenario as run (its seed
    set) and its result."""

    name: str
    changes: list[str]
    scenario: Any
    result: RunResult


@dataclass
class _State:
    """The studio's runs: one worker thread, one run at a time, and what they gave."""

    services: StudioServices
    lock: threading.Lock = field(default_factory=threading.Lock)
    stop: threading.Event = field(default_factory=threading.Event)
    worker: ThreadPoolExecutor = field(
        default_factory=lambda: ThreadPoolExecutor(1, thread_name_prefix="studio-run")
    )
    busy: bool = False
    label: str = ""
    done: int = 0
    total: int = 0
    message: str = ""
    version: int = 0
    baselines: dict[int, Variant] = field(default_factory=dict)
    variants: dict[int, list[Variant]] = field(default_factory=dict)
    headcounts: dict[int, tuple[str, list[dict[str, Any]]]] = field(default_factory=dict)

    def submit(self, label: str, work: Callable[[], str]) -> str:
        """Start ``work`` on the worker thread unless a run is going; the refusal, if any."""
        with self.lock:
            if self.busy:
                return f"wait for {self.label} to finish, or cancel it"
            self.busy, self.label, self.done, self.total, self.message = True, label, 0, 0, ""
            self.stop.clear()
        self.worker.submit(self._guard, work)
        return ""

    def _guard(self, work: Callable[[], str]) -> None:
        try:
            message = work()
        except ValueError as exc:  # bad input: the command line's message
            message = f"{self.label}: {exc}"
        except Exception as exc:  # a bug: say it on the page rather than lose it
            message = f"{self.label}: internal error {type(exc).__name__}: {exc}"
        with self.lock:
            self.busy, self.message = False, message
            self.version += 1

    def progress(self, done: int, total: int) -> None:
        with self.lock:
            self.done, self.total = done, total

    def seed(self, scenario: Any) -> int:
        return int(self.services.seed if self.services.seed is not None else scenario.seed)

    def play(self, index: int, name: str | None, overrides: Sequence[str]) -> str:
        """Build and run the baseline (``name`` None) or a variant of scenario ``index``."""
        services = self.services
        entry = services.scenarios[index]
        baseline = self.baselines.get(index)
        scenario, warned = services.build(entry, overrides, name)
        seed = baseline.scenario.seed if baseline is not None else self.seed(scenario)
        scenario = scenario.model_copy(update={"seed": seed})
        result = services.run(scenario, services.replications, seed, self.progress, self.stop)
        if result is None:
            return f"{self.label}: cancelled"
        run = Variant(name or scenario.name, list(overrides), scenario, result)
        with self.lock:
            if name is None:
                self.baselines[index] = run
            else:
                self.variants.setdefault(index, []).append(run)
        return "; ".join(f"warning: {w}" for w in warned)

    def size(self, index: int, overrides: Sequence[str]) -> str:
        """Ask the optimizer for each optimized team's head count under the levers."""
        assert self.services.headcount is not None
        scenario, _ = self.services.build(self.services.scenarios[index], overrides, None)
        records = self.services.headcount(scenario)
        with self.lock:
            self.headcounts[index] = ("; ".join(overrides) or "as given", records)
        return ""

    def columns(self, index: int) -> list[Variant]:
        with self.lock:
            base = self.baselines.get(index)
            return [base, *self.variants.get(index, [])] if base is not None else []


def studio_values(ids: Sequence[Mapping[str, str]], values: Sequence[Any]) -> dict[str, Any]:
    """Lever key to value from the page's pattern-matched controls; a switch's checklist
    (``["on"]`` or ``[]``) becomes a bool."""
    out: dict[str, Any] = {}
    for ident, value in zip(ids, values, strict=True):
        key = ident["key"]
        out[key] = "on" in (value or []) if key.startswith("weekend:") else value
    return out


def _slug(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", name).strip("-")[:60] or "variant"


# --------------------------------------------------------------------------- layout

_BOX = {"border": "1px solid #d0d4da", "borderRadius": "6px", "padding": "8px 12px"}
_CELL = {"padding": "4px 10px", "borderBottom": "1px solid #e3e6ea", "textAlign": "right"}
_HEAD = {**_CELL, "textAlign": "left", "fontWeight": "600"}
_WORD_COLOUR = {"better": "#0072b2", "worse": "#d55e00"}


def _lever_control(lever: Any) -> html.Div:
    ident = {"type": "lever", "key": lever.key}
    control: Any
    if lever.kind == "switch":
        control = dcc.Checklist(
            id=ident,
            options=[{"label": " on", "value": "on"}],
            value=["on"] if lever.default else [],
        )
    elif lever.kind == "choice":
        control = dcc.Checklist(
            id=ident,
            options=[{"label": f" {o}", "value": o} for o in lever.options],
            value=list(lever.default),
            inline=True,
            inputStyle={"marginLeft": "8px"},
        )
    else:
        control = dcc.Input(id=ident, type="text", value=lever.default, style={"width": "9em"})
    return html.Div(
        [
            html.Label(lever.label, style={"display": "inline-block", "width": "10em"}),
            control,
            html.Span(f" {lever.unit}", style={"color": "#5f6b7a", "fontSize": "0.85em"}),
        ],
        style={"margin": "3px 0"},
    )


def _levers_panel(levers: Sequence[Any]) -> list[Any]:
    groups: dict[str, list[Any]] = {}
    for lever in levers:
        groups.setdefault(lever.group, []).append(_lever_control(lever))
    return [
        html.Fieldset(
            [html.Legend(name, style={"fontWeight": "600"}), *controls],
            style={**_BOX, "margin": "0 0 8px 0"},
        )
        for name, controls in groups.items()
    ]


def _figures_table(comparison: pd.DataFrame) -> html.Table:
    """Key figures as rows, baseline and variants as columns; deltas with 95% intervals."""
    names = [str(s) for s in comparison["scenario"]]
    currency = str(comparison["currency"].iloc[0]) if "currency" in comparison else ""
    head = [html.Th("figure", style=_HEAD)] + [
        html.Th(f"{n}{' (baseline)' if i == 0 else ''}", style=_CELL) for i, n in enumerate(names)
    ]
    rows = [html.Tr(head)]
    for kpi in KPIS:
        if not kpi.in_report or kpi.name not in comparison:
            continue
        cells: list[Any] = [html.Th(kpi.heading(currency), style=_HEAD)]
        for i in range(len(names)):
            value = pd.to_numeric(pd.Series([comparison[kpi.name].iloc[i]]), errors="coerce")[0]
            shown = kpi_value(kpi, float(value)) if np.isfinite(value) else "n/a"
            parts: list[Any] = [html.Span(shown, className="value")]
            ci = (
                comparison.get(f"delta_{kpi.name}_ci_low", pd.Series([None] * len(names)))[i],
                comparison.get(f"delta_{kpi.name}_ci_high", pd.Series([None] * len(names)))[i],
            )
            words = delta_parts(kpi, comparison[f"delta_{kpi.name}"].iloc[i], ci) if i else None
            if words is not None:
                text, word, interval = words
                colour = _WORD_COLOUR.get(word, "#5f6b7a")
                parts += [
                    html.Br(),
                    html.Span(
                        f"{text} · {word}" if word else text,
                        className="delta",
                        style={"color": colour, "fontSize": "0.85em"},
                    ),
                ]
                if interval:
                    parts += [html.Br(), html.Span(interval, style={"fontSize": "0.8em"})]
            data: dict[str, Any] = {
                "data-kpi": kpi.name,
                "data-column": str(i),
                "data-value": repr(float(value)),
            }
            cells.append(html.Td(parts, style=_CELL, **data))
        rows.append(html.Tr(cells))
    return html.Table(rows, id="figures", style={"borderCollapse": "collapse", "width": "100%"})


def _queue_table(by_queue: pd.DataFrame, columns: Sequence[Variant]) -> html.Table:
    """Per queue: attainment, goal and met/missed in each column; a queue whose status
    differs from the baseline's is said to cross its goal."""
    sizes = [len(c.result.kpis.by_queue) for c in columns]
    frame = by_queue.assign(column=np.repeat(np.arange(len(columns)), sizes))
    head = [html.Th("queue", style=_HEAD), html.Th("goal", style=_CELL)]
    head += [html.Th(c.name, style=_CELL) for c in columns]
    rows = [html.Tr(head)]
    for queue, part in frame.groupby("queue", sort=False):
        goal = part["goal"].dropna()
        cells = [
            html.Th(str(queue), style=_HEAD),
            html.Td(fmt_pct(goal.iloc[0], 0) if len(goal) else "", style=_CELL),
        ]
        base = part[part["column"] == 0]["goal_met"]
        for i in range(len(columns)):
            row = part[part["column"] == i]
            if row.empty:
                cells.append(html.Td("", style=_CELL))
                continue
            met = row["goal_met"].iloc[0]
            status = "" if met is None or pd.isna(met) else (" met" if met else " missed")
            crossed = i > 0 and len(base) and not pd.isna(met) and bool(met) != bool(base.iloc[0])
            text = f"{fmt_pct(row['attainment'].iloc[0])}{status}"
            cells.append(
                html.Td(
                    [text, *([html.Br(), html.Strong("crosses its goal")] if crossed else [])],
                    style={**_CELL, "color": "#0072b2" if met else "#d55e00"},
                )
            )
        rows.append(html.Tr(cells))
    return html.Table(rows, id="queues", style={"borderCollapse": "collapse", "width": "100%"})


def _variant_list(columns: Sequence[Variant]) -> html.Div:
    items = []
    for i, v in enumerate(columns):
        s = v.result.kpis
        items.append(
            html.Li(
                [
                    html.Strong(v.name),
                    f" (seed {v.scenario.seed}, {s.replications} replications; "
                    f"first response p90 {fmt_minutes(s.first_response.p90_minutes)}) ",
                    html.Button(
                        "scenario YAML", id={"type": "download", "column": i, "what": "yaml"}
                    ),
                    " ",
                    html.Button("run report", id={"type": "download", "column": i, "what": "html"}),
                    html.Div(
                        "changes: " + ("; ".join(v.changes) if v.changes else "none (baseline)"),
                        style={"fontSize": "0.85em", "color": "#5f6b7a"},
                    ),
                ],
                style={"margin": "4px 0"},
            )
        )
    return html.Div([html.H3("Runs"), html.Ul(items)])


def _headcount(record: tuple[str, list[dict[str, Any]]] | None, currency: str) -> list[Any]:
    if record is None:
        return []
    changes, rows = record
    head = html.Tr([html.Th(h, style=_HEAD) for h in ("team", "agents", "needed", "extra cost")])
    body = [
        html.Tr(
            [
                html.Td(str(r["team"]), style=_HEAD),
                html.Td(str(r["agents"]), style=_CELL),
                html.Td(str(r["needed"]), style=_CELL),
                html.Td(f"{r['extra_cost_per_week']:,.0f} {currency} per week", style=_CELL),
            ]
        )
        for r in rows
    ]
    return [
        html.H3("How many agents for these goals (the optimizer's head count)"),
        html.P(f"levers: {changes}", style={"fontSize": "0.85em"}),
        html.Table([head, *body], id="headcount"),
    ]


def _results(state: _State, index: int) -> list[Any]:
    columns = state.columns(index)
    with state.lock:
        sized = state.headcounts.get(index)
    if not columns:
        costs = state.services.scenarios[index].data.get("costs") or {}
        return [
            html.P("No baseline yet: it runs when a scenario is picked."),
            *_headcount(sized, str(costs.get("currency", "USD"))),
        ]
    comparison, by_queue = state.services.compare([c.result.kpis for c in columns])
    last = columns[-1]
    kpis = last.result.kpis
    figures = [*sla_section(kpis).figures, *cost_section(kpis, last.result.tables()).figures]
    return [
        html.H3("Key figures (deltas against the baseline, same seeds)"),
        _figures_table(comparison),
        html.H3("Queues against their goals"),
        _queue_table(by_queue, columns),
        _variant_list(columns),
        *_headcount(sized, kpis.cost.currency),
        html.H3(f"Run report figures of {last.name}"),
        *[dcc.Graph(figure=fig, id=f"figure-{name}") for name, fig in figures],
    ]


def build_app(services: StudioServices) -> Dash:
    """The studio's Dash app (serve it with ``app.run(host=..., port=...)``).

    Parameters
    ----------
    services : StudioServices
        The scenarios offered and the functions that validate, run and size them.

    Returns
    -------
    dash.Dash
    """
    state = _State(services)
    app = Dash(__name__, title="supportsim · what-if studio")
    options = [{"label": e.label, "value": i} for i, e in enumerate(services.scenarios)]
    sizing = services.headcount is not None
    app.layout = html.Div(
        [
            html.H2("supportsim · what-if studio"),
            html.Div(
                [
                    html.Label("Scenario ", htmlFor="scenario"),
                    dcc.Dropdown(
                        id="scenario",
                        options=options,
                        value=0,
                        clearable=False,
                        style={"width": "36em", "display": "inline-block"},
                    ),
                    html.Span(
                        f" {services.replications} replications per run; variants use their "
                        "baseline's seed (common random numbers)",
                        style={"color": "#5f6b7a"},
                    ),
                ]
            ),
            html.Div(
                [
                    html.Div(
                        [
                            html.Div(id="levers"),
                            html.Label("Variant name ", htmlFor="variant-name"),
                            dcc.Input(id="variant-name", type="text", value="", maxLength=200),
                            html.Div(
                                [
                                    html.Button("Run variant", id="run", n_clicks=0),
                                    " ",
                                    html.Button("Cancel", id="cancel", n_clicks=0),
                                    " ",
                                    html.Button(
                                        "How many agents for these goals?",
                                        id="headcount-button",
                                        n_clicks=0,
                                    ),
                                ],
                                style={"margin": "8px 0"},
                            ),
                            html.Progress(id="progress", value="0", max="1"),
                            html.Div(id="status", role="status"),
                            html.Div(id="message", role="alert", style={"color": "#d55e00"}),
                        ],
                        style={"flex": "0 1 440px", "minWidth": "320px"},
                    ),
                    # Side by side from about 1000 px; on a narrower window the results
                    # move below the levers instead of squeezing the figures.
                    html.Div(id="results", style={"flex": "1 1 440px", "minWidth": "0"}),
                ],
                style={
                    "display": "flex",
                    "flexWrap": "wrap",
                    "gap": "16px",
                    "alignItems": "flex-start",
                },
            ),
            dcc.Interval(id="tick", interval=POLL_MS),
            dcc.Store(id="seen", data=""),
            dcc.Store(id="ack"),
            dcc.Download(id="download"),
        ],
        style={"fontFamily": "system-ui, sans-serif", "margin": "12px 20px"},
    )
    lever_ids = State({"type": "lever", "key": ALL}, "id")
    lever_values = State({"type": "lever", "key": ALL}, "value")

    @app.callback(
        Output("levers", "children"),
        Output("message", "children"),
        Output("headcount-button", "style"),
        Input("scenario", "value"),
    )
    def pick(index: int) -> tuple[Any, str, dict[str, str]]:
        entry = services.scenarios[index]
        panel = _levers_panel(services.levers(entry.data))
        # The head count is the optimizer's: only for teams whose shifts it chooses.
        optimized = any(t.get("shifts") == "optimize" for t in entry.data.get("teams") or [])
        shown = {} if sizing and optimized else {"display": "none"}
        if index in state.baselines:
            return panel, "", shown
        started = state.submit(f"baseline of {entry.label}", lambda: state.play(index, None, []))
        return panel, started, shown

    @app.callback(
        Output("message", "children", allow_duplicate=True),
        Input("run", "n_clicks"),
        Input("headcount-button", "n_clicks"),
        State("scenario", "value"),
        State("variant-name", "value"),
        lever_ids,
        lever_values,
        prevent_initial_call=True,
    )
    def run(
        _: int, __: int, index: int, name: str | None, ids: list[Any], values: list[Any]
    ) -> str:
        entry = services.scenarios[index]
        try:
            overrides = services.overrides(entry.data, studio_values(ids, values))
        except ValueError as exc:
            return str(exc)
        if ctx.triggered_id == "headcount-button":
            return state.submit("the head count", lambda: state.size(index, overrides))
        if index not in state.baselines:
            return "the baseline has not run yet (pick the scenario again to run it)"
        taken = {v.name for v in state.columns(index)}
        name = (name or "").strip() or f"variant {len(taken)}"
        if name in taken:
            return f"a run named {name!r} exists (expected a new name)"
        try:  # validate now, so a bad value is said at once, not after a wait
            services.build(entry, overrides, name)
        except ValueError as exc:
            return str(exc)
        return state.submit(f"variant {name!r}", lambda: state.play(index, name, overrides))

    @app.callback(Output("ack", "data"), Input("cancel", "n_clicks"), prevent_initial_call=True)
    def cancel(clicks: int) -> int:
        state.stop.set()
        return clicks

    @app.callback(
        Output("status", "children"),
        Output("progress", "value"),
        Output("progress", "max"),
        Output("run", "disabled"),
        Output("results", "children"),
        Output("seen", "data"),
        Input("tick", "n_intervals"),
        Input("scenario", "value"),
        State("seen", "data"),
    )
    def tick(_: int | None, index: int, seen: str) -> tuple[Any, ...]:
        with state.lock:
            busy, label, done, total, message = (
                state.busy,
                state.label,
                state.done,
                state.total,
                state.message,
            )
            version = f"{index}:{state.version}"
        if busy:
            stopping = " (stopping after this replication)" if state.stop.is_set() else ""
            status = f"running {label}: {done} of {total or '?'} replications done{stopping}"
        else:
            status = message or "ready"
        results = _results(state, index) if version != seen else no_update
        return status, str(done), str(max(total, 1)), busy, results, version

    @app.callback(
        Output("download", "data"),
        Input({"type": "download", "column": ALL, "what": ALL}, "n_clicks"),
        State("scenario", "value"),
        prevent_initial_call=True,
    )
    def download(clicks: list[int | None], index: int) -> Any:
        trigger = ctx.triggered_id
        if not trigger or not any(clicks):
            return no_update
        columns = state.columns(index)
        if trigger["column"] >= len(columns):
            return no_update
        v = columns[trigger["column"]]
        if trigger["what"] == "yaml":
            text = yaml.safe_dump(v.scenario.to_data(), sort_keys=False, allow_unicode=True)
            return {"content": text, "filename": f"{_slug(v.name)}.yaml", "base64": False}
        html_text = render_run_report(v.result.kpis, v.result.tables(), v.scenario.to_data())
        return {"content": html_text, "filename": f"{_slug(v.name)}.html", "base64": False}

    return app
