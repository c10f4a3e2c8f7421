"""The optimize report: solver outcome, the roster, required against scheduled coverage,
then (when the roster was simulated) the whole run report of the verification run.

Role: turn ``optimize.json`` (as a mapping), ``roster.csv`` and a coverage table into HTML
sections, and put them in front of the run report's sections.  Must not import simpy,
pyomo, ``sim`` or ``optimizer``: the solver outcome arrives as plain data.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd

from reports import figures
from reports.html import (
    Markup,
    Section,
    badge,
    esc,
    fmt_num,
    kpi_card,
    mapping_table,
    paragraph,
    render_page,
    table_html,
)
from reports.roster_shifts import PublishError
from reports.roster_timeline import roster_figure
from reports.run_report import reporting_timezone, run_lead, run_sections
from reports.scenario_tables import scenario_section

SOLVE_KEYS = ("status", "objective", "bound", "gap", "build_seconds", "solve_seconds", "message")
"""Keys of one solve in the ``optimize`` mapping (the fields of ``SolveResult``)."""

GOOD = {"optimal"}
ACCEPTABLE = {"feasible"}


def _solves(optimize: Mapping[str, Any]) -> list[tuple[str, Mapping[str, Any]]]:
    """Every solve the mapping describes: itself, nested mappings, or a ``solves`` list."""
    out: list[tuple[str, Mapping[str, Any]]] = []
    listed = [v for v in optimize.get("solves") or [] if isinstance(v, Mapping)]
    if "status" in optimize and not listed:
        out.append((str(optimize.get("name", optimize.get("model", "solve"))), optimize))
    for key, value in optimize.items():
        if isinstance(value, Mapping) and "status" in value:
            out.append((str(key), value))
    for i, value in enumerate(listed):
        name = value.get("stage", value.get("name", value.get("model", f"solve {i + 1}")))
        out.append((str(name), value))
    return out


def _number(value: object, digits: int = 2) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return "n/a" if not np.isfinite(x) else f"{x:,.{digits}f}"


def solver_section(optimize: Mapping[str, Any]) -> Section:
    """Solver status, objective, bound, gap and build/solve seconds of each solve."""
    solves = _solves(optimize)
    rows = []
    cards = []
    for name, s in solves:
        status = str(s.get("status", "unknown"))
        ok = True if status in GOOD else (None if status in ACCEPTABLE else False)
        gap = s.get("gap")
        gap_text = "n/a" if gap is None else f"{float(gap):.2%}"
        rows.append(
            [
                name,
                Markup(f"{esc(status)} {badge(ok, 'proven', 'no plan')}"),
                _number(s.get("objective")),
                _number(s.get("bound")),
                gap_text,
                _number(s.get("build_seconds")),
                _number(s.get("solve_seconds")),
                s.get("message", ""),
            ]
        )
        cards.append(
            kpi_card(
                f"{name}: solver status",
                status,
                f"gap {gap_text}; {_number(s.get('solve_seconds'))} s to solve",
                ok,
                ("proven", "no plan"),
            )
        )
    body = Markup(
        paragraph(
            "How the optimizer's solves ended. Optimal: proven best within the gap "
            "asked for; feasible: a plan that may be improved (see the gap); infeasible "
            "or time limit: no plan from that solve."
        )
        + Markup('<div class="kpis">' + "".join(cards) + "</div>")
        + table_html(
            ["solve", "status", "objective", "bound", "gap", "build (s)", "solve (s)", "message"],
            rows,
            numeric=range(2, 7),
        )
    )
    rounds = optimize.get("rounds")
    if isinstance(rounds, Sequence) and rounds and all(isinstance(r, Mapping) for r in rounds):
        keys = list(dict.fromkeys(k for r in rounds for k in r))
        body = Markup(
            body
            + table_html(
                keys,
                [[_cell(r.get(k)) for k in keys] for r in rounds],
                caption="Rounds of optimize -> simulate -> correct",
            )
        )
    rest = {
        k: _long_list(v)
        for k, v in optimize.items()
        if k not in SOLVE_KEYS
        and k not in ("solves", "rounds", "name", "model")
        and not (isinstance(v, Mapping) and "status" in v)
    }
    if rest:
        body = Markup(body + mapping_table(rest, caption="Other details"))
    return Section("solver", "Optimizer", body)


def _long_list(value: object, limit: int = 8) -> object:
    """A long list (e.g. every uncovered interval) as its length; the JSON file has it all."""
    if isinstance(value, list | tuple) and len(value) > limit:
        return f"{len(value)} entries (listed in optimize.json)"
    return value


def _cell(value: object) -> object:
    return _number(value, 3) if isinstance(value, float) else value


def roster_team_table(roster: pd.DataFrame) -> Markup:
    """Per team: agents, shifts and paid hours in the roster."""
    if roster.empty:
        return Markup("")
    start = pd.to_datetime(roster["start"], utc=True)
    end = pd.to_datetime(roster["end"], utc=True)
    df = roster.assign(hours=(end - start).dt.total_seconds() / 3600.0)
    g = df.groupby(df["team"].astype(str), sort=False)
    rows = [
        [
            team,
            int(group["agent"].nunique()),
            len(group),
            fmt_num(group["hours"].sum(), 1),
            fmt_num(group["hours"].sum() / max(1, group["agent"].nunique()), 1),
        ]
        for team, group in g
    ]
    return table_html(
        ["team", "agents", "shifts", "hours", "hours per agent"],
        rows,
        numeric=range(1, 5),
        caption="Roster by team (whole horizon)",
    )


def coverage_table(coverage: pd.DataFrame) -> Markup:
    """Per group: intervals short of the requirement and the agent-hours missing."""
    if coverage.empty:
        return Markup("")
    starts = pd.to_datetime(coverage["interval_start"], utc=True)
    step = starts.drop_duplicates().sort_values().diff().min()
    hours = step.total_seconds() / 3600.0 if pd.notna(step) else 1.0
    short = (coverage["required"].astype(float) - coverage["scheduled"].astype(float)).clip(lower=0)
    df = coverage.assign(short=short, is_short=short > 1e-9)
    rows = [
        [group, int(part["is_short"].sum()), len(part), fmt_num(part["short"].sum() * hours, 1)]
        for group, part in df.groupby(df["group"].astype(str), sort=False)
    ]
    return table_html(
        ["group", "intervals short", "intervals", "agent-hours short"],
        rows,
        numeric=(1, 2, 3),
        caption="Shortfall against the requirement",
    )


def roster_people(roster: pd.DataFrame, scenario: Mapping[str, Any]) -> pd.DataFrame | None:
    """``person``, ``team``, ``timezone`` of the roster's agents, each team's zone from the
    scenario data; None when a team of the roster is not in the scenario."""
    zones = {
        str(t.get("name")): str(t.get("timezone"))
        for t in scenario.get("teams") or []
        if isinstance(t, Mapping) and t.get("timezone")
    }
    if roster.empty:
        return None
    pairs = roster[["agent", "team"]].astype(str).drop_duplicates()
    if not set(pairs["team"]) <= set(zones) or pairs["agent"].duplicated().any():
        return None
    order = {name: k for k, name in enumerate(zones)}
    pairs = pairs.assign(k=pairs["team"].map(order)).sort_values(["k", "agent"], kind="stable")
    return pd.DataFrame(
        {
            "person": pairs["agent"].to_numpy(),
            "team": pairs["team"].to_numpy(),
            "timezone": pairs["team"].map(zones).to_numpy(),
        }
    )


def optimize_sections(
    optimize: Mapping[str, Any],
    roster: pd.DataFrame,
    coverage: pd.DataFrame | None,
    timezone: str,
    people: pd.DataFrame | None = None,
    leave: Mapping[str, Any] | None = None,
) -> list[Section]:
    """The optimize-specific sections: solver, roster timeline, required against scheduled.

    Parameters
    ----------
    optimize : mapping
        ``optimize.json``: the fields of one solve (``status``, ``objective``, ``bound``,
        ``gap``, ``build_seconds``, ``solve_seconds``, ``message``) at the top level and/or
        per model under its own key (e.g. ``{"schedule": {...}, "roster": {...}}``) or as a
        ``solves`` list of such mappings with a ``name``; optionally ``rounds``, a list of
        flat mappings (one per optimize-simulate round).  Other keys are listed as details.
    roster : pandas.DataFrame
        ``roster.csv``: ``agent``, ``team``, ``date``, ``start``, ``end`` (ISO 8601 with
        offset).
    coverage : pandas.DataFrame or None
        ``interval_start`` (UTC), ``group``, ``required``, ``scheduled`` (agents).
    timezone : str
        Reporting time zone for the time axes.
    people : pandas.DataFrame, optional
        ``person``, ``team``, ``timezone`` of everyone rostered (see
        :func:`reports.publish.people_from_scenario`): the roster is then drawn one panel
        per team in the team's local time, people without shifts included.  Without it,
        one chart in the reporting time zone.
    leave : mapping, optional
        Person -> dates of time off or unavailability, drawn on the per-team panels.
    """
    sections = [solver_section(optimize)]
    n_agents = int(roster["agent"].nunique()) if len(roster) else 0
    intro = ""
    if people is not None and len(people):
        intro = (
            f"{n_agents} agents, {len(roster)} shifts; one panel per team, one row per "
            "person, times in the team's own time zone (named on each panel); breaks "
            "lighter, leave hatched, weekends shaded."
        )
        try:
            chart = [("gantt", roster_figure(roster, people, leave))]
        except PublishError as exc:
            # A roster the publisher cannot read still gets the single chart, said why.
            people = None
            intro = f"The roster is drawn in {timezone}, not per team: {exc}."
    if people is None or not len(people):
        intro = (
            f"{n_agents} agents, {len(roster)} shifts; one row per agent, grouped by "
            f"team, times in {timezone}; weekends shaded. {intro}"
        ).strip()
        chart = [("gantt", figures.plot_roster_gantt(roster, timezone))] if len(roster) else []
    sections.append(Section("roster", "Roster", paragraph(intro), chart, roster_team_table(roster)))
    if coverage is not None and len(coverage):
        sections.append(
            Section(
                "plan-coverage",
                "Required against scheduled",
                paragraph(
                    "Agents the queueing formulas require (dashed) against agents the plan "
                    "schedules (filled), per interval; crosses mark shortfalls."
                ),
                [("required", figures.plot_required_vs_scheduled(coverage, timezone))],
                coverage_table(coverage),
            )
        )
    return sections


def render_optimize_report(
    summary: Mapping[str, Any] | None,
    tables: Mapping[str, pd.DataFrame] | None,
    scenario: Mapping[str, Any],
    optimize: Mapping[str, Any],
    roster: pd.DataFrame,
    coverage: pd.DataFrame | None = None,
    people: pd.DataFrame | None = None,
    leave: Mapping[str, Any] | None = None,
) -> str:
    """The self-contained HTML report of an optimize run.

    Parameters
    ----------
    summary : mapping or None
        summary.json of the simulation of the optimized scenario (``--verify``); None when
        the roster was not simulated, and then only the optimizer's sections are shown.
    tables : mapping of str to pandas.DataFrame or None
        ``RunOutput.tables()`` of that simulation, or None.
    scenario : mapping
        The optimized scenario as plain data (``Scenario.to_data()``).
    optimize : mapping
        ``optimize.json``; see :func:`optimize_sections`.
    roster : pandas.DataFrame
        ``roster.csv`` (``agent``, ``team``, ``date``, ``start``, ``end``).
    coverage : pandas.DataFrame, optional
        Required against scheduled agents per interval and group.
    people : pandas.DataFrame, optional
        Everyone of the optimized teams (``person``, ``team``, ``timezone``); by default
        the roster's agents with their teams' time zones from ``scenario``.  Either way the
        roster is drawn in each team's local time.
    leave : mapping, optional
        Person -> dates of time off or unavailability.

    Returns
    -------
    str
        The HTML page: headline of the verification run (when given), the optimizer's
        sections, then the rest of the run report.
    """
    tz = reporting_timezone(summary or {}, scenario)
    if people is None:
        people = roster_people(roster, scenario)
    plan = optimize_sections(optimize, roster, coverage, tz, people, leave)
    if summary is not None:
        run = run_sections(summary, tables or {}, scenario)
        sections = [run[0], *plan, *run[1:]]
        lead = run_lead(summary)
        title = str(summary.get("scenario", scenario.get("name", "scenario")))
    else:
        sections = [*plan, scenario_section(scenario, {})]
        title = str(scenario.get("name", "scenario"))
        lead = Markup(
            f'<p class="note">The roster was not simulated (run optimize with '
            f"--verify for its SLA); times in {esc(tz)}.</p>"
        )
    return render_page(kind="Optimized plan", title=title, lead=lead, sections=sections)
