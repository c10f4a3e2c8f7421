"""The optimize report: solver outcome, the roster, required against scheduled coverage,
then (when the roster was simulated) the whole run report of the verification run.

Role: turn ``optimize.json`` (as a mapping), ``roster.csv`` and a coverage table into HTML
sections, and put them in front of the run report's sections.  Must not import simpy,
pyomo, ``sim`` or ``optimizer``: the solver outcome arrives as plain data.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd

from reports import figures
from reports.html import (
    Markup,
    Section,
    badge,
    esc,
    fmt_money,
    fmt_num,
    fmt_pct,
    kpi_card,
    paragraph,
    render_page,
    table_html,
)
from reports.roster_shifts import PublishError
from reports.roster_timeline import roster_figure
from reports.run_report import reporting_timezone, run_lead, run_sections
from reports.scenario_tables import scenario_section

GOOD = {"optimal"}
ACCEPTABLE = {"feasible"}
PLAN_OK = {"complete": True, "short": None, "failed": False}


def _number(value: object, digits: int = 2) -> str:
    try:
        x = float(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        return "" if value is None else str(value)
    return "n/a" if not np.isfinite(x) else f"{x:,.{digits}f}"


def _gap(value: object) -> str:
    return "n/a" if value is None else f"{float(value):.2%}"  # type: ignore[arg-type]


def solver_section(optimize: Mapping[str, Any]) -> Section:
    """The plan in words: status, pay per week, what is uncovered and why, who is short of
    people, how stable the shifts are, and how each stage's solve ended."""
    currency = str((optimize.get("cost") or {}).get("currency", ""))
    status = str(optimize.get("status", "unknown"))
    starts = optimize.get("start_times") or {}
    prefs = optimize.get("preferences") or {}
    cost = optimize.get("cost") or {}
    cards = [
        kpi_card(
            "Plan",
            status,
            str(optimize.get("status_words", "")),
            PLAN_OK.get(status),
            ("complete", "short"),
        ),
        kpi_card(
            "Pay of the optimized teams",
            fmt_money(cost.get("per_week"), currency) + " per week",
            f"{fmt_money(cost.get('total'), currency)} over the horizon",
            None,
        ),
        kpi_card(
            "Uncovered",
            f"{_number(optimize.get('uncovered_agent_hours'), 1)} agent-hours",
            f"{optimize.get('unstaffed_shifts', 0)} scheduled shift(s) without a person",
            (optimize.get("largest_shortfall_agents") or 0) < 0.5,
            ("all covered", "short"),
        ),
    ]
    if starts:
        cards.append(
            kpi_card(
                "Stable shifts",
                f"{_number(starts.get('median_per_week'), 1)} start time(s)",
                f"median per person-week; {fmt_pct(starts.get('share_at_most_two'))} of "
                "person-weeks have at most two",
                (starts.get("median_per_week") or 0) <= 2,
                ("stable", "varied"),
            )
        )
    if prefs.get("asked"):
        cards.append(
            kpi_card(
                "Preferences granted",
                f"{prefs.get('granted')} of {prefs.get('asked')}",
                "preferred days off and start windows",
                None,
            )
        )
    body = Markup('<div class="kpis">' + "".join(cards) + "</div>")
    uncovered = optimize.get("uncovered") or []
    if uncovered:
        body = Markup(
            body
            + table_html(
                ["queue group", "agent-hours", "intervals", "first", "last", "UTC hours", "why"],
                [
                    [
                        u["group"],
                        _number(u["agent_hours"], 1),
                        u["intervals"],
                        str(u["first"])[:16].replace("T", " "),
                        str(u["last"])[:16].replace("T", " "),
                        u["utc_hours"],
                        u["why"],
                    ]
                    for u in uncovered
                ],
                numeric=(1, 2),
                caption="Where the plan falls short of the requirement",
            )
        )
    headcount = optimize.get("headcount") or []
    if headcount:
        body = Markup(
            body
            + table_html(
                ["team", "agents", "needed", f"extra pay ({currency} per week)"],
                [
                    [h["team"], h["agents"], h["needed"], fmt_num(h["extra_cost_per_week"])]
                    for h in headcount
                ],
                numeric=(1, 2, 3),
                caption="Head count: what each optimized team has and what the plan needs",
            )
        )
    broken = optimize.get("rules_broken") or []
    if broken:
        body = Markup(
            body
            + table_html(
                ["person", "rule", "date", "found", "limit"],
                [[b["agent"], b["rule"], b["date"], b["found"], b["limit"]] for b in broken],
                caption="Labour rules the roster breaks",
            )
        )
    solves = [s for s in optimize.get("solves") or [] if isinstance(s, Mapping)]
    body = Markup(
        body
        + paragraph(
            "How each stage's solve ended. Optimal: within the gap target; feasible: a plan "
            "stopped by its work budget (or the time limit, a safety net) before its gap was "
            "proven. The gap is measured against a proven lower bound."
        )
        + table_html(
            ["stage", "status", "gap", "stopped by", "seconds", "message"],
            [
                [
                    str(s.get("stage", "")),
                    Markup(
                        f"{esc(s.get('status', ''))} "
                        f"{badge(True if s.get('status') in GOOD else None, 'proven', '')}"
                    ),
                    _gap(s.get("gap")),
                    str(s.get("stopped_by", "")),
                    _number(float(s.get("build_seconds", 0)) + float(s.get("solve_seconds", 0)), 1),
                    str(s.get("message", "")),
                ]
                for s in solves
            ],
            numeric=(2, 4),
            caption="Solves",
        )
    )
    rounds = [r for r in optimize.get("rounds") or [] if isinstance(r, Mapping)]
    if rounds:
        body = Markup(
            body
            + table_html(
                [
                    "round",
                    "kept",
                    "SLA",
                    "queues meeting goal",
                    f"{currency} per week",
                    "agent-intervals added",
                ],
                [
                    [
                        r.get("round"),
                        "yes" if r.get("kept") else "",
                        fmt_pct(r.get("attainment")),
                        f"{r.get('queues_meeting_goal')} of {r.get('queues_with_goal')}",
                        fmt_num(r.get("cost_per_week")),
                        fmt_num(r.get("agent_intervals_added")),
                    ]
                    for r in rounds
                ],
                numeric=(2, 4, 5),
                caption=(
                    "Rounds of plan, simulate and correct — "
                    + ("verified: " if optimize.get("verified") else "not verified: ")
                    + str(optimize.get("stop_reason", ""))
                ),
            )
        )
    body = Markup(body + risk_table(optimize))
    return Section("solver", "Optimized plan", body)


def risk_table(optimize: Mapping[str, Any]) -> Markup:
    """``optimize --risk``: what each risk level costs per week and the simulated chance of
    missing each goal on a day (empty without ``risk_levels``)."""
    rows = [r for r in optimize.get("risk_levels") or [] if isinstance(r, Mapping)]
    if not rows:
        return Markup("")
    risk = optimize.get("risk") or {}
    currency = str((optimize.get("cost") or {}).get("currency", ""))
    queues = sorted({str(q) for r in rows for q in r.get("days_missing_goal") or {}})
    values = sorted(set((risk.get("multiplier") or {}).values()))
    intro = (
        f"Each level plans for the demand of all but its busiest days: rates times the "
        f"level's quantile of the day-to-day busyness ({risk.get('busyness', 'none')}; at "
        f"{risk.get('level')}: {', '.join(fmt_num(v, 3) for v in values)} times the mean). "
        f"The chance of missing a goal is the share of simulated days (replications times "
        f"the horizon's days, {rows[-1].get('days')} per level) on which a queue's contacts "
        "of the day fall below it. The plan shown is the highest level's."
    )
    if risk.get("note"):
        intro += f" Note: {risk['note']}."
    return Markup(
        paragraph(intro)
        + table_html(
            ["risk level", f"{currency} per week", "any goal missed", *queues],
            [
                [
                    fmt_num(r.get("level"), 2),
                    fmt_num(r.get("cost_per_week")),
                    fmt_pct(r.get("days_any_goal_missed")),
                    *[fmt_pct((r.get("days_missing_goal") or {}).get(q)) for q in queues],
                ]
                for r in rows
            ],
            numeric=tuple(range(1, 3 + len(queues))),
            caption="What each risk level costs: pay per week and the simulated share of days "
            "each goal is missed",
        )
    )


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
