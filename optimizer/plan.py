"""The ``optimize`` pipeline: requirements -> schedule -> rosters -> a checked plan.

:func:`optimize_scenario`:

1. **Requirements** per interval and queue group from the queueing formulas
   (:mod:`optimizer.requirements`), raised where a verification asked for more.
2. **Schedule** (:mod:`optimizer.schedule`): people of each crew per shift template and
   local date, at least cost, with whatever it cannot cover listed.  With
   ``size_teams``, the schedule first chooses each team's head count (between ``agents``
   and ``max_agents``) and the plan is then made for those head counts.
3. **Rosters** (:mod:`optimizer.roster`): per crew, who works which scheduled shift under
   the labour rules, with stable start times, paired days off, fair weekends and nights,
   leave and preferences; crews are solved side by side on the machine's cores.
4. **Check**: the rosters' shifts are read back as ``roster.csv`` rows and checked by the
   one labour-rule checker (:func:`scenarios.labor.check_shifts`); their coverage is
   evaluated against the requirements, and every shortfall is listed with where and why.

The result is a :class:`Plan`: tables, the status of every stage in words, and the
scenario with each optimized team's ``roster:``, ready for ``simulate``.

Must not import ``reports`` or ``run_sim``.  Must not print or write files.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
import os
import time
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from scipy import sparse

from optimizer.requirements import boost_requirements, group_requirements
from optimizer.roster.solve import RosterEffort, RosterSolution, cover_table, solve_roster
from optimizer.rostering import (
    ROSTER_COLUMNS,
    CrewRoster,
    crew_problem,
    roster_entries,
    roster_shifts,
)
from optimizer.schedule.inputs import (
    SHORT_AGENTS,
    Cap,
    ScheduleInputs,
    beyond_half,
    build_inputs,
)
from optimizer.schedule.solve import ScheduleEffort, ScheduleSolution, evaluate, solve_schedule
from optimizer.solver import SolveStatus, process_pool
from scenarios.labor import agent_rules, check_shifts
from scenarios.schema import Scenario, Team

__all__ = ["Headcount", "Plan", "PlanEffort", "default_workers", "optimize_scenario"]


FILL_ROUNDS = 10
"""Most re-solves given to a crew's roster whose start leaves scheduled shifts empty; they
stop once every shift is staffed (a roster that staffs every shift needs none)."""


@dataclasses.dataclass(frozen=True, slots=True)
class PlanEffort:
    """Budgets of one optimisation, in counts (the time limit is a safety net).

    Attributes
    ----------
    gap : float or None
        Gap target of every solve; by default the scenario's ``planning.mip_gap``.
    schedule : ScheduleEffort
        Budgets of the schedule.
    roster : RosterEffort
        Budgets of each crew's roster.
    repairs : int
        Times the schedule is solved again, with a crew's people on a date capped at what
        its roster could staff, when a roster leaves scheduled shifts without a person.
    seconds : float
        Safety net of the whole optimisation (s).
    workers : int or None
        Processes for the schedule's bound and the rosters (default
        :func:`default_workers`).
    """

    gap: float | None = None
    schedule: ScheduleEffort = dataclasses.field(default_factory=ScheduleEffort)
    roster: RosterEffort = dataclasses.field(
        default_factory=lambda: RosterEffort(rounds=0, fill_rounds=FILL_ROUNDS)
    )
    repairs: int = 2
    seconds: float = 900.0
    workers: int | None = None


@dataclasses.dataclass(frozen=True, slots=True)
class Headcount:
    """A team's head count: what it has, what the plan needs, and what the rest costs."""

    team: str
    agents: int
    needed: int
    extra_cost_per_week: float

    def record(self) -> dict[str, Any]:
        """JSON-ready."""
        return dataclasses.asdict(self)


@dataclasses.dataclass(frozen=True, slots=True)
class Plan:
    """The outcome of :func:`optimize_scenario` (see ``summary()`` for ``optimize.json``).

    Attributes
    ----------
    scenario : Scenario
        The scenario as given (with the head counts planned for, when sized).
    optimized : Scenario
        The scenario with each optimized team's ``roster:``.
    requirements : pandas.DataFrame
        Per interval and group (:func:`optimizer.requirements.group_requirements`).
    schedule : ScheduleSolution
    rosters : list of (CrewRoster, RosterSolution)
    roster : pandas.DataFrame
        ``roster.csv``: :data:`optimizer.rostering.ROSTER_COLUMNS`.
    coverage : pandas.DataFrame
        Per interval and group: ``required``, ``scheduled`` (what the rosters give),
        ``shortfall`` (available agents).
    uncovered : list of dict
        Per group short: ``group``, ``agent_hours``, ``intervals``, ``first``, ``last``,
        ``why``.
    violations : list of dict
        Labour rules the roster breaks (``agent``, ``rule``, ``date``, ``found``,
        ``limit``): empty for every plan this optimizer makes.
    headcount : list of Headcount
        Per optimized team, when sized or short.
    preferences : dict
        ``asked`` and ``granted`` (employees' preferences, counted per day or shift).
    pay : float
        Pay of the optimized teams' rosters over the horizon, premiums included.
    """

    scenario: Scenario
    optimized: Scenario
    requirements: pd.DataFrame
    schedule: ScheduleSolution
    rosters: list[tuple[CrewRoster, RosterSolution]]
    roster: pd.DataFrame
    coverage: pd.DataFrame
    uncovered: list[dict[str, Any]]
    violations: list[dict[str, Any]]
    headcount: list[Headcount]
    preferences: dict[str, int]
    pay: float

    @property
    def weeks(self) -> float:
        """Horizon length in weeks."""
        return self.scenario.horizon.days / 7.0

    @property
    def uncovered_agent_hours(self) -> float:
        """Agent-hours the plan leaves uncovered over the horizon."""
        return float(sum(u["agent_hours"] for u in self.uncovered))

    @property
    def unstaffed_shifts(self) -> int:
        """Scheduled shifts no person was found for."""
        return int(sum(sol.unstaffed() for _, sol in self.rosters))

    @property
    def status(self) -> str:
        """``complete`` (every requirement covered to within :data:`SHORT_AGENTS` in each
        interval, every rule kept), ``short`` (a plan that leaves more demand uncovered, or
        shifts unstaffed) or ``failed`` (no plan)."""
        if not self.schedule.result.has_plan or any(sol.plan is None for _, sol in self.rosters):
            return "failed"
        if self.violations:
            return "failed"
        if beyond_half(self.largest_shortfall) or self.unstaffed_shifts:
            return "short"
        return "complete"

    @property
    def largest_shortfall(self) -> float:
        """Most available agents short in any interval and group."""
        short = self.coverage["shortfall"] if len(self.coverage) else pd.Series(dtype=float)
        return float(short.max()) if len(short) else 0.0

    def solves(self) -> list[dict[str, Any]]:
        """Every stage's solve record (status, objective, bound, gap, what stopped it)."""
        out = [self.schedule.result.record("schedule")]
        for cr, sol in self.rosters:
            record = sol.result.record(f"roster: {cr.crew.name}")
            record["unstaffed"] = sol.unstaffed()
            out.append(record)
        return out

    def summary(self) -> dict[str, Any]:
        """A JSON-ready summary for ``optimize.json``."""
        solves = self.solves()
        gaps = [s["gap"] for s in solves if s["gap"] is not None]
        roster = self.roster
        stable = start_time_stability(roster)
        return {
            "scenario": self.scenario.name,
            "status": self.status,
            "status_words": self.status_words(),
            "objective": self.schedule.result.objective,
            "bound": self.schedule.result.bound,
            "gap": max(gaps) if gaps else None,
            "seconds": round(sum(s["build_seconds"] + s["solve_seconds"] for s in solves), 3),
            "solves": solves,
            "cost": {
                "currency": self.scenario.costs.currency,
                "total": round(self.pay, 2),
                "per_week": round(self.pay / self.weeks, 2),
            },
            "agents_rostered": int(roster["agent"].nunique()) if len(roster) else 0,
            "shifts_rostered": len(roster),
            "unstaffed_shifts": self.unstaffed_shifts,
            "uncovered_agent_hours": round(self.uncovered_agent_hours, 2),
            "largest_shortfall_agents": round(self.largest_shortfall, 3),
            "uncovered": self.uncovered,
            "rules_broken": self.violations,
            "headcount": [h.record() for h in self.headcount],
            "preferences": self.preferences,
            "start_times": stable,
        }

    def status_words(self) -> str:
        """The plan's status in one or two sentences a planner can act on."""
        if self.status == "failed":
            if self.violations:
                return f"the roster breaks {len(self.violations)} labour rule(s); see rules_broken"
            failed = [s for s in self.solves() if not SolveStatus(s["status"]).has_plan]
            return "no plan: " + "; ".join(f"{s['stage']}: {s['message']}" for s in failed)
        if self.status == "complete":
            words = "every requirement covered and every labour rule kept"
            if self.uncovered_agent_hours > 0.05:
                words += (
                    f" (bar {self.uncovered_agent_hours:,.1f} agent-hours of fractions, at most "
                    f"{SHORT_AGENTS:g} agent in any interval)"
                )
            return words
        parts = []
        if beyond_half(self.largest_shortfall):
            groups = ", ".join(f"{u['group']} {u['agent_hours']:.0f} h" for u in self.uncovered[:4])
            parts.append(f"{self.uncovered_agent_hours:,.0f} agent-hours uncovered ({groups})")
        if self.unstaffed_shifts:
            parts.append(f"{self.unstaffed_shifts} scheduled shift(s) without a person")
        short_teams = [h for h in self.headcount if h.needed > h.agents]
        if short_teams:
            parts.append(
                "teams short of people: "
                + ", ".join(f"{h.team} needs {h.needed} (has {h.agents})" for h in short_teams)
            )
        return "; ".join(parts)


def start_time_stability(roster: pd.DataFrame) -> dict[str, float]:
    """Distinct start times per person-week of a roster: median and mean, and the share of
    person-weeks with at most two."""
    if not len(roster):
        return {"median_per_week": 0.0, "mean_per_week": 0.0, "share_at_most_two": 1.0}
    starts = pd.to_datetime(roster["start"].str.slice(0, 19))
    frame = pd.DataFrame(
        {
            "agent": roster["agent"],
            "week": (pd.to_datetime(roster["date"]) - pd.to_datetime(roster["date"]).min()).dt.days
            // 7,
            "start": starts.dt.strftime("%H:%M"),
        }
    )
    per_week = frame.groupby(["agent", "week"])["start"].nunique()
    return {
        "median_per_week": float(per_week.median()),
        "mean_per_week": round(float(per_week.mean()), 3),
        "share_at_most_two": round(float((per_week <= 2).mean()), 4),
    }


def default_workers(scenario: Scenario) -> int:
    """Processes the optimizer uses when not told: this machine's cores (those this process
    may run on), at most two (the schedule's bound beside its weeks) or one per optimized
    team when more."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on every platform
        cores = os.cpu_count() or 1
    return max(1, min(cores, max(2, sum(t.optimize_shifts for t in scenario.teams))))


def _solve_rosters(
    crews: Sequence[CrewRoster], effort: RosterEffort, workers: int
) -> list[RosterSolution]:
    """Every crew's roster, side by side on ``workers`` processes (the same rosters as one
    after another: each solve is deterministic)."""
    problems = [cr.problem for cr in crews]
    if workers <= 1 or len(problems) <= 1:
        return [solve_roster(p, effort) for p in problems]
    with process_pool(min(workers, len(problems))) as pool:
        futures = [pool.submit(solve_roster, p, effort) for p in problems]
        return [f.result() for f in futures]


def _uncovered(
    inputs: ScheduleInputs, coverage: pd.DataFrame, interval_hours: float
) -> list[dict[str, Any]]:
    """Per group short: agent-hours, intervals, first and last, and why."""
    short = coverage[coverage["shortfall"] > 1e-3]
    n_k = len(inputs.crews)
    crew_of = np.array([c.crew for c in inputs.columns], dtype=np.int64)
    covered = sparse.csr_array(inputs.coverage)
    t_index = pd.Index(inputs.interval_starts)
    out = []
    for group, rows in short.groupby("group", sort=False):
        g = inputs.groups.index(str(group))
        crews = np.flatnonzero(inputs.skills[:n_k, g])
        teams = sorted({inputs.crews[k].team for k in crews})
        hours = rows["interval_start"].dt.hour
        agent_hours = float(rows["shortfall"].sum() * interval_hours)
        if not teams:
            why = (
                "no team whose shifts the optimizer chooses has these skills; only teams on "
                "fixed shifts serve this group"
            )
        else:
            # Intervals no shift template of the serving crews reaches at all.
            mine = np.isin(crew_of, crews)
            reach = np.asarray(covered[:, mine].sum(axis=1)).ravel() > 0
            t = t_index.get_indexer(rows["interval_start"])
            out_of_reach = float(rows["shortfall"].to_numpy()[~reach[t]].sum() * interval_hours)
            parts = []
            if out_of_reach > 0.005:
                parts.append(
                    f"{out_of_reach:.1f} agent-hours fall where no shift template of "
                    f"{', '.join(teams)} reaches (see shift_templates earliest and latest)"
                )
            rest = rows["shortfall"].to_numpy()[reach[t]]
            if len(rest) and not beyond_half(rest.max()):
                parts.append(
                    f"the rest is at most {SHORT_AGENTS:g} agent in any interval, which costs "
                    "less to leave short than another shift"
                )
            elif len(rest):
                parts.append(
                    f"{', '.join(teams)} have no more people to plan at those times within "
                    "their labour rules (see headcount)"
                )
            why = "; ".join(parts)
        out.append(
            {
                "group": str(group),
                "agent_hours": round(agent_hours, 2),
                "intervals": len(rows),
                "first": rows["interval_start"].min().isoformat(),
                "last": rows["interval_start"].max().isoformat(),
                "utc_hours": f"{int(hours.min()):02d}:00-{int(hours.max()) + 1:02d}:00",
                "why": why,
            }
        )
    return sorted(out, key=lambda u: -u["agent_hours"])


def _people_per_column(
    inputs: ScheduleInputs, crews: Sequence[CrewRoster], sols: Sequence[RosterSolution]
) -> np.ndarray:
    """People per schedule column the rosters actually put there."""
    index = {(c.crew, c.date, c.start_minute, c.hours): j for j, c in enumerate(inputs.columns)}
    k_of = {c.name: k for k, c in enumerate(inputs.crews)}
    people = np.zeros(inputs.n_columns)
    for cr, sol in zip(crews, sols, strict=True):
        if sol.plan is None:
            continue
        k = k_of[cr.crew.name]
        for e, d in zip(*np.nonzero(sol.plan >= 0), strict=True):
            st = cr.shift_types[int(sol.plan[e, d])]
            j = index.get((k, cr.dates[int(d)], st.start_minute, st.hours))
            if j is not None:
                people[j] += 1
    return people


def _preferences(crews: Sequence[CrewRoster], sols: Sequence[RosterSolution]) -> dict[str, int]:
    """Preferences asked for and granted: each preferred day off falling in the horizon is
    one, each worked shift of a person with a start-time window is one."""
    asked = granted = 0
    for cr, sol in zip(crews, sols, strict=True):
        if sol.plan is None:
            continue
        weights = cr.problem.shift_off_weight
        for e, person in enumerate(cr.people):
            if person.prefers is None:
                continue
            wanted = set(person.prefers.days_off or ())
            for d, date in enumerate(cr.dates):
                if date.weekday() in wanted and cr.problem.week_of_day[d] >= 0:
                    asked += 1
                    granted += int(sol.plan[e, d] < 0)
            if person.prefers.earliest_start or person.prefers.latest_start:
                for day in np.flatnonzero(sol.plan[e] >= 0).tolist():
                    s_i = int(sol.plan[e, day])
                    asked += 1
                    outside = weights[e, day, s_i] > 0 and cr.dates[day].weekday() not in wanted
                    granted += int(not outside)
    return {"asked": asked, "granted": granted}


def _headcount(
    scenario: Scenario,
    sizes_by_team: dict[str, int],
    plan_roster: pd.DataFrame,
    given: dict[str, int],
) -> list[Headcount]:
    """Per optimized team: agents, needed, and the pay of the people added per week (at
    the plan's average paid hours per person-week)."""
    weeks = scenario.horizon.days / 7.0
    out = []
    for team in scenario.teams:
        if not team.optimize_shifts:
            continue
        agents = given.get(team.name, team.agents)
        needed = sizes_by_team.get(team.name, agents)
        mine = plan_roster[plan_roster["team"] == team.name] if len(plan_roster) else plan_roster
        hours = 0.0
        if len(mine):
            span = pd.to_datetime(mine["end"], utc=True) - pd.to_datetime(mine["start"], utc=True)
            hours = float(span.dt.total_seconds().sum() / 3600.0)
        per_person_week = hours / max(1, mine["agent"].nunique() if len(mine) else 1) / weeks
        out.append(
            Headcount(
                team=team.name,
                agents=agents,
                needed=needed,
                extra_cost_per_week=round(
                    max(0, needed - agents) * per_person_week * team.hourly_cost, 2
                ),
            )
        )
    return out


def optimize_scenario(
    scenario: Scenario,
    *,
    effort: PlanEffort | None = None,
    size_teams: bool = False,
    requirements: pd.DataFrame | None = None,
    requirement_boost: pd.DataFrame | None = None,
    progress: Callable[[str], None] | None = None,
) -> Plan:
    """Schedule and roster every ``shifts: optimize`` team (module docstring).

    Parameters
    ----------
    scenario : Scenario
        A scenario with at least one ``shifts: optimize`` team.
    effort : PlanEffort, optional
        Budgets (counts) and the safety-net time limit.
    size_teams : bool, default False
        Choose each optimized team's head count first (``--size-teams``).
    requirements : pandas.DataFrame, optional
        Requirements to plan for, in :func:`optimizer.requirements.group_requirements`'s
        form (e.g. at a risk level, :func:`optimizer.risk.risk_requirements`); by default
        the scenario's, at its mean demand.
    requirement_boost : pandas.DataFrame, optional
        Agents to add to the requirements (``interval_start``, ``group``, ``extra``), e.g.
        where a simulation of an earlier plan missed its goal.
    progress : callable, optional
        Called with a few words as each stage starts.

    Returns
    -------
    Plan

    Raises
    ------
    OptimizerError
        When no team has ``shifts: optimize``.
    """
    effort = effort or PlanEffort()
    say = progress or (lambda words: None)
    gap = scenario.planning.mip_gap if effort.gap is None else effort.gap
    schedule_effort = dataclasses.replace(effort.schedule, gap=gap, seconds=effort.seconds)
    say("requirements")
    if requirements is None:
        requirements = group_requirements(scenario)
    if requirement_boost is not None and len(requirement_boost):
        requirements = boost_requirements(requirements, requirement_boost)
    sizes: dict[str, int] = {}
    given = {t.name: t.agents for t in scenario.teams}
    workers = default_workers(scenario) if effort.workers is None else effort.workers
    if size_teams:
        say("sizing teams")
        sizes = _team_sizes(scenario, requirements, schedule_effort, workers)
        scenario = _with_head_counts(scenario, sizes)
    roster_effort = dataclasses.replace(effort.roster, gap=gap, seconds=effort.seconds)
    caps: dict[tuple[int, dt.date], int] = {}
    # A repair only adds caps, so the first schedule's bound holds for every later one.
    first_bound: float | None = None
    kept: (
        tuple[
            tuple[float, float],
            ScheduleInputs,
            ScheduleSolution,
            list[CrewRoster],
            list[RosterSolution],
        ]
        | None
    ) = None
    # The safety net holds for the whole optimisation: each stage gets what is left, and
    # no repair starts once it is spent (the best attempt so far is kept).
    deadline = time.perf_counter() + effort.seconds
    for attempt in range(effort.repairs + 1):
        left = deadline - time.perf_counter()
        if attempt and left <= 0:
            break
        say("schedule" if not attempt else f"schedule again ({attempt}): rosters left shifts empty")
        inputs = _with_day_caps(build_inputs(scenario, requirements), caps)
        schedule = solve_schedule(
            inputs,
            dataclasses.replace(schedule_effort, seconds=max(1.0, left)),
            bound=first_bound,
            workers=workers,
        )
        if attempt == 0:
            first_bound = schedule.result.bound
        crews: list[CrewRoster] = []
        sols: list[RosterSolution] = []
        if not schedule.result.has_plan:
            break
        say("rosters")
        crews = [
            crew_problem(scenario, inputs, schedule.people, k) for k in range(len(inputs.crews))
        ]
        left = max(1.0, deadline - time.perf_counter())
        sols = _solve_rosters(crews, dataclasses.replace(roster_effort, seconds=left), workers)
        # A repair may staff every shift yet cover less: the attempt kept is the one with
        # the fewest empty shifts, then the least agent-hours short.
        if any(sol.plan is None for sol in sols):
            key = (math.inf, math.inf)
        else:
            short = evaluate(inputs, _people_per_column(inputs, crews, sols))[1]
            key = (float(sum(sol.unstaffed() for sol in sols)), round(float(short.sum()), 6))
        if kept is None or key < kept[0]:
            kept = (key, inputs, schedule, crews, sols)
        found = _staffed_days(crews, sols)
        if not found:
            break
        caps.update(found)
    if kept is not None:
        _, inputs, schedule, crews, sols = kept
    say("checking")
    frames = [roster_shifts(cr, sol.plan) for cr, sol in zip(crews, sols, strict=True)]
    shifts = (
        pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(columns=ROSTER_COLUMNS)
    )
    if len(shifts):
        shifts = shifts.sort_values(["team", "agent", "start"], kind="stable").reset_index(
            drop=True
        )
    rostered = _people_per_column(inputs, crews, sols) if sols else schedule.people
    _, shortfall, served = evaluate(inputs, rostered)
    coverage = pd.DataFrame(
        {
            "interval_start": np.tile(inputs.interval_starts, len(inputs.groups)),
            "group": np.repeat(inputs.groups, len(inputs.interval_starts)),
            "required": inputs.requirement.ravel(),
            "scheduled": served.ravel(),
            "shortfall": shortfall.ravel(),
        }
    )
    interval_hours = scenario.horizon.interval_minutes / 60.0
    uncovered = _uncovered(inputs, coverage, interval_hours)
    violations = _check(scenario, shifts)
    new_teams: dict[str, Team] = {}
    for team in scenario.teams:
        if team.optimize_shifts:
            mine = shifts[shifts["team"] == team.name] if len(shifts) else shifts
            entries = [
                entry
                for person in scenario.team_employees(team)
                for entry in roster_entries(mine, person.name)
            ]
            new_teams[team.name] = team.model_copy(
                update={"optimize_shifts": False, "shifts": [], "roster": entries}
            )
    optimized = scenario.model_copy(
        update={"teams": [new_teams.get(t.name, t) for t in scenario.teams]}
    )
    pay = float(sum(sol_pay(cr, sol) for cr, sol in zip(crews, sols, strict=True)))
    # Groups short by more than half an agent somewhere, that an optimized crew could serve.
    short_groups = set(coverage.loc[beyond_half(coverage["shortfall"]), "group"])
    servable_short = any(
        inputs.skills[: len(inputs.crews), inputs.groups.index(g)].any() for g in short_groups
    )
    headcount: list[Headcount] = []
    if size_teams or servable_short:
        if not size_teams:
            say("sizing teams")
            sizes = _team_sizes(scenario, requirements, schedule_effort, workers)
        # Against the head counts as given, not the ones planned for.
        headcount = _headcount(scenario, sizes, shifts, given)
    return Plan(
        scenario=scenario,
        optimized=optimized,
        requirements=requirements,
        schedule=schedule,
        rosters=list(zip(crews, sols, strict=True)),
        roster=shifts[ROSTER_COLUMNS] if len(shifts) else pd.DataFrame(columns=ROSTER_COLUMNS),
        coverage=coverage,
        uncovered=uncovered,
        violations=violations,
        headcount=headcount,
        preferences=_preferences(crews, sols),
        pay=pay,
    )


def sol_pay(cr: CrewRoster, sol: RosterSolution) -> float:
    """Pay of a crew's roster (hours x hourly cost; premiums are in the schedule's cost)."""
    if sol.plan is None:
        return 0.0
    minutes = cr.problem.shift_minutes[sol.plan[sol.plan >= 0]].sum()
    return float(minutes) / 60.0 * cr.team.hourly_cost


def _staffed_days(
    crews: Sequence[CrewRoster], sols: Sequence[RosterSolution]
) -> dict[tuple[int, dt.date], int]:
    """Crew and date where a roster left scheduled shifts empty, with the people it did
    staff that date."""
    out: dict[tuple[int, dt.date], int] = {}
    for k, (cr, sol) in enumerate(zip(crews, sols, strict=True)):
        if sol.plan is None:
            continue
        table = cover_table(cr.problem, sol.plan)
        for day, rows in table.groupby("day"):
            if rows["under"].sum() > 0:
                out[(k, cr.dates[int(day)])] = int(rows["staffed"].sum())
    return out


def _with_day_caps(inputs: ScheduleInputs, caps: dict[tuple[int, dt.date], int]) -> ScheduleInputs:
    """The schedule's inputs with a crew's people on a date capped."""
    if not caps:
        return inputs
    extra = []
    for (k, date), most in sorted(caps.items()):
        js = [j for j, c in enumerate(inputs.columns) if c.crew == k and c.date == date]
        if js:
            extra.append(
                Cap(
                    f"{inputs.crews[k].name}: people its roster could staff on {date}",
                    k,
                    np.asarray(js, dtype=np.int64),
                    np.ones(len(js)),
                    float(most),
                )
            )
    return dataclasses.replace(inputs, caps=(*inputs.caps, *extra))


def _team_sizes(
    scenario: Scenario, requirements: pd.DataFrame, effort: ScheduleEffort, workers: int
) -> dict[str, int]:
    """Each optimized team's head count, chosen by a schedule that may add people."""
    inputs = build_inputs(scenario, requirements, size_crews=True)
    sizing = solve_schedule(inputs, effort, workers=workers)
    sizes: dict[str, int] = {}
    for k, crew in enumerate(sizing.inputs.crews):
        sizes[crew.team] = sizes.get(crew.team, 0) + round(sizing.sizes[k])
    return sizes


def _with_head_counts(scenario: Scenario, sizes: dict[str, int]) -> Scenario:
    """The scenario with each sized team's ``agents`` set (teams of named employees keep
    their people: a plan cannot invent their names)."""
    named = {e.team for e in scenario.employees}
    teams = [
        t.model_copy(update={"agents": max(t.agents, sizes[t.name])})
        if t.name in sizes and t.name not in named
        else t
        for t in scenario.teams
    ]
    return scenario.model_copy(update={"teams": teams})


def _check(scenario: Scenario, shifts: pd.DataFrame) -> list[dict[str, Any]]:
    """Labour rules the roster breaks, by the one checker, reading the roster's rows."""
    if not len(shifts):
        return []
    table = pd.DataFrame(
        {
            "agent": shifts["agent"],
            "date": shifts["date"],
            "start": shifts["start"],
            "end": shifts["end"],
            "paid_minutes": shifts["hours"].astype(float) * 60.0,
            "night": shifts["night"].astype(bool),
        }
    )
    teams = [t for t in scenario.teams if t.optimize_shifts]
    checked = check_shifts(
        table,
        agent_rules(scenario, teams),
        scenario.horizon.start,
        scenario.horizon.days,
        planned=True,
    )
    return list(checked.attrs["details"])
