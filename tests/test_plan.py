"""Plan: optimize the demo scenario, check its roster against every labour rule from
roster.csv alone (an independent checker), and simulate the optimized scenario."""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import SOLVE_RECORD_KEYS
from optimizer.result import SolveStatus

from optimizer.plan import OptimizeResult, optimize_scenario
from scenarios import LIBRARY, Scenario, load_scenario, scenario_from_data
from scenarios.calendar import horizon_origin
from sim.engine import run_replication

NIGHT_MINUTES = 180  # at least 3 h between 22:00 and 06:00 local makes a night shift


@pytest.fixture(scope="module")
def demo() -> Scenario:
    return load_scenario(LIBRARY / "plan_demo.yaml")


@pytest.fixture(scope="module")
def planned(demo: Scenario) -> OptimizeResult:
    return optimize_scenario(demo, time_limit=30)


@pytest.fixture(scope="module")
def roster_csv(planned: OptimizeResult, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("optimize") / "roster.csv"
    planned.roster.to_csv(path, index=False)
    return path


def _night_minutes(start: pd.Timestamp, end: pd.Timestamp) -> float:
    """Minutes between 22:00 and 06:00 on the shift's own (local) wall clock."""
    total = 0.0
    day = start.normalize() - pd.Timedelta(days=1)
    while day < end:
        lo, hi = day + pd.Timedelta(hours=22), day + pd.Timedelta(hours=30)
        total += max(0.0, (min(end, hi) - max(start, lo)) / pd.Timedelta(minutes=1))
        day += pd.Timedelta(days=1)
    return total


def check_roster(path: Path, scenario: Scenario) -> list[str]:
    """Every labour-rule violation found in a roster.csv (agent, team, date, start, end)."""
    rules = scenario.labor_rules
    table = pd.read_csv(path)
    problems: list[str] = []
    for agent, rows in table.groupby("agent"):
        starts = [pd.Timestamp(s) for s in rows["start"]]
        ends = [pd.Timestamp(e) for e in rows["end"]]
        dates = [dt.date.fromisoformat(d) for d in rows["date"]]
        order = np.argsort([s.value for s in starts])
        starts = [starts[i] for i in order]
        ends = [ends[i] for i in order]
        dates = [dates[i] for i in order]
        if len(set(dates)) != len(dates):
            problems.append(f"{agent}: two shifts on one local day")
        for k in range(1, len(starts)):
            rest = (starts[k] - ends[k - 1]) / pd.Timedelta(hours=1)
            if rest < rules.min_rest_hours - 1e-9:
                problems.append(f"{agent}: {rest:g} h rest before {starts[k]}")
        run = 1
        for k in range(1, len(dates)):
            run = run + 1 if (dates[k] - dates[k - 1]).days == 1 else 1
            if run > rules.max_consecutive_days:
                problems.append(f"{agent}: {run} consecutive days to {dates[k]}")
        weeks: dict[dt.date, list[int]] = {}
        for k, d in enumerate(dates):
            weeks.setdefault(d - dt.timedelta(days=d.weekday()), []).append(k)
        for monday, ks in weeks.items():
            hours = sum((ends[k] - starts[k]) / pd.Timedelta(hours=1) for k in ks)
            if hours > rules.max_hours_per_week + 1e-9:
                problems.append(f"{agent}: {hours:g} h in the week of {monday}")
            if 7 - len(ks) < rules.min_days_off_per_week:
                problems.append(f"{agent}: {7 - len(ks)} days off in the week of {monday}")
            nights = sum(
                _night_minutes(starts[k].tz_localize(None), ends[k].tz_localize(None))
                >= NIGHT_MINUTES
                for k in ks
            )
            if nights > rules.max_night_shifts_per_week:
                problems.append(f"{agent}: {nights} night shifts in the week of {monday}")
        if rules.max_working_weekends is not None:
            weekends = {d - dt.timedelta(days=d.weekday() - 5) for d in dates if d.weekday() >= 5}
            if len(weekends) > rules.max_working_weekends:
                problems.append(f"{agent}: {len(weekends)} working weekends")
    return problems


def test_plan_demo_roster_keeps_every_labour_rule(
    planned: OptimizeResult, roster_csv: Path, demo: Scenario
) -> None:
    assert [s["stage"] for s in planned.solves] == ["schedule", "roster:dublin", "roster:manila"]
    assert planned.ok, planned.solves
    table = pd.read_csv(roster_csv)
    assert list(table.columns) == ["agent", "team", "date", "start", "end", "breaks"]
    assert set(table["team"]) == {"dublin", "manila"}
    assert len(table) > 100
    assert all("+" in s or "-" in s[10:] for s in table["start"])  # offsets are written
    assert check_roster(roster_csv, demo) == []


def test_checker_catches_a_broken_rule(roster_csv: Path, demo: Scenario, tmp_path: Path) -> None:
    table = pd.read_csv(roster_csv)
    row = table.iloc[0].copy()
    start = pd.Timestamp(row["end"]) + pd.Timedelta(hours=2)  # two hours of rest only
    row["start"], row["end"] = start.isoformat(), (start + pd.Timedelta(hours=8)).isoformat()
    row["date"] = (dt.date.fromisoformat(row["date"]) + dt.timedelta(days=1)).isoformat()
    broken = tmp_path / "roster.csv"
    pd.concat([table, row.to_frame().T]).to_csv(broken, index=False)
    assert any("rest" in p for p in check_roster(broken, demo))


def test_summary_reports_every_solve(planned: OptimizeResult) -> None:
    summary = planned.summary()
    assert summary["status"] in ("optimal", "feasible")
    assert len(summary["solves"]) == 3
    for solve in summary["solves"]:
        assert set(solve) >= SOLVE_RECORD_KEYS | {"message", "unstaffed"}
    assert summary["cost"]["total"] > 0
    assert summary["uncovered_intervals"] == len(planned.uncovered)
    rosters = [s for s in summary["solves"] if s["stage"].startswith("roster:")]
    assert all(s["unstaffed"] is not None and s["gap"] is not None for s in rosters)
    assert summary["unstaffed_shifts"] == sum(s["unstaffed"] for s in rosters)
    assert math.isfinite(summary["seconds"])


def test_optimized_scenario_loads_and_simulates_inside_roster_shifts(
    planned: OptimizeResult, roster_csv: Path
) -> None:
    optimized = scenario_from_data(planned.optimized.to_data())
    for name in ("dublin", "manila"):
        team = next(t for t in optimized.teams if t.name == name)
        assert not team.optimize_shifts and team.roster
    result = run_replication(optimized, seed=1)
    table = pd.read_csv(roster_csv)
    origin = horizon_origin(optimized)
    windows: dict[str, list[tuple[float, float]]] = {}
    for agent, start, end in zip(table["agent"], table["start"], table["end"], strict=True):
        lo = (pd.Timestamp(start) - origin) / pd.Timedelta(minutes=1)
        hi = (pd.Timestamp(end) - origin) / pd.Timedelta(minutes=1)
        windows.setdefault(agent, []).append((lo, hi))
    names = result.staffing.agents["agent"].to_numpy()
    touched = 0
    for agent_index, begin in zip(result.touch_agent, result.touch_start, strict=True):
        agent = names[agent_index]
        if agent not in windows:  # the fixed team
            continue
        touched += 1
        assert any(lo - 1e-6 <= begin < hi for lo, hi in windows[agent]), (agent, begin)
    assert touched > 0
    assert SolveStatus(planned.solves[0]["status"]) in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)


def test_coverage_is_the_rosters_coverage(planned: OptimizeResult, demo: Scenario) -> None:
    cov = planned.coverage
    assert cov["shortfall"].sum() == pytest.approx(sum(u["shortfall"] for u in planned.uncovered))
    assert (cov["scheduled"] >= -1e-9).all()
    # Served agent-hours cannot exceed the rostered and fixed agents' paid hours.
    paid = sum(
        (pd.Timestamp(e) - pd.Timestamp(b)) / pd.Timedelta(hours=1)
        for b, e in zip(planned.roster["start"], planned.roster["end"], strict=True)
    )
    fixed = [t for t in demo.teams if not t.optimize_shifts]
    fixed_hours = sum(t.agents for t in fixed) * 40 * demo.horizon.days / 7
    assert cov["scheduled"].sum() * 0.5 <= paid + fixed_hours


def test_min_hours_per_week_becomes_minimum_minutes(
    demo: Scenario, planned: OptimizeResult
) -> None:
    from optimizer.plan import build_team_roster_problem

    rules = demo.labor_rules.model_copy(update={"min_hours_per_week": 24.0})
    scenario = demo.model_copy(update={"labor_rules": rules})
    team = next(t for t in scenario.teams if t.optimize_shifts)
    built = build_team_roster_problem(scenario, team, planned.schedule)
    # Two weeks of horizon: 24 h x 60 min x 14 days / 7 = 2880 minutes per agent.
    np.testing.assert_allclose(built.problem.min_minutes, 2880.0)


def test_a_roster_works_a_shift_only_on_the_days_it_is_a_column_of_the_schedule(
    demo: Scenario, planned: OptimizeResult
) -> None:
    # The schedule's first local day is the Sunday before the horizon, and only the shifts
    # that reach into the horizon are columns on it; a roster that worked another shift
    # there would lie outside the plan (the optimizer failed with a KeyError on such a shift
    # of the scale benchmark's roster).
    from optimizer.plan import build_team_roster_problem
    from optimizer.schedule import build_schedule_inputs

    columns = build_schedule_inputs(demo).columns
    for team in (t for t in demo.teams if t.optimize_shifts):
        built = build_team_roster_problem(demo, team, planned.schedule, columns)
        p = built.problem
        mine = {(c.date, c.start, c.hours) for c in columns if c.team == team.name}
        for d in range(p.days):
            date = built.first_monday + dt.timedelta(days=d)
            for k, (start, hours, *_) in enumerate(built.shifts):
                is_column = (date, start, float(hours)) in mine
                assert bool(p.unavailable[:, d, k].all()) is not is_column
                assert p.unavailable[:, d, k].all() or not p.unavailable[:, d, k].any()
        sunday = (demo.horizon.start - dt.timedelta(days=1) - built.first_monday).days
        assert p.unavailable[0, sunday].any()  # some shifts cannot start the day before
        assert not p.unavailable[0, sunday + 1].all()
        # Without the columns every shift may be worked on every rostered day.
        assert not build_team_roster_problem(demo, team, planned.schedule).problem.unavailable.any()


def test_roster_workers_build_the_same_model(demo: Scenario, planned: OptimizeResult) -> None:
    # The re-solve workers are spawned processes: they get the model's builder pickled and
    # must build the very model the parent solves (fairness penalty included).
    import functools
    import pickle

    import pyomo.environ as pyo

    from optimizer.plan import _team_roster_model, build_team_roster_problem

    team = next(t for t in demo.teams if t.optimize_shifts)
    problem = build_team_roster_problem(demo, team, planned.schedule).problem
    builder = pickle.loads(pickle.dumps(functools.partial(_team_roster_model, problem, 80.0)))
    here, there = _team_roster_model(problem, 80.0), builder()
    assert hasattr(there, "fair_over")
    assert not hasattr(_team_roster_model(problem, None), "fair_over")
    for kind in (pyo.Var, pyo.Constraint):
        assert [c.name for c in here.component_data_objects(kind)] == [
            c.name for c in there.component_data_objects(kind)
        ]
    assert str(here.objective.expr) == str(there.objective.expr)


def test_team_rosters_run_at_the_same_time_and_a_failed_worker_is_solved_here(
    demo: Scenario, planned: OptimizeResult
) -> None:
    # With two processes the two teams' rosters are solved at the same time, each in a
    # worker process.  A roster whose worker fails (here: its team cannot be pickled to the
    # worker) is solved afterwards in this process, so both teams still get a roster.
    import dataclasses
    import time

    from optimizer.roster_heuristic import plan_from_table, roster_violations

    from optimizer.plan import _solve_rosters, build_team_roster_problem
    from scenarios.schema import Team

    class Unpicklable(Team):  # a class local to a function cannot be pickled
        pass

    teams = [t for t in demo.teams if t.optimize_shifts]
    problems = [build_team_roster_problem(demo, t, planned.schedule) for t in teams]
    broken = dataclasses.replace(
        problems[0], team=Unpicklable.model_construct(**dict(problems[0].team))
    )
    solved = _solve_rosters(
        [broken, problems[1]], time.perf_counter() + 12.0, 0.02, None, True, workers=2
    )
    assert [record["stage"] for record, _ in solved] == ["roster:dublin", "roster:manila"]
    (here, here_table), (there, there_table) = solved
    assert "at the same time as the other teams, on 2 processes" in there["message"]
    assert "at the same time" not in here["message"]
    assert "solved in this process after its worker process failed" in here["message"]
    for record, table, tr in ((here, here_table, broken), (there, there_table, problems[1])):
        assert SolveStatus(record["status"]) in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
        assert len(table) > 0
        assert not roster_violations(tr.problem, plan_from_table(tr.problem, table)).any()


def test_default_workers_are_the_cores_at_most_one_per_optimized_team(
    demo: Scenario, monkeypatch: pytest.MonkeyPatch
) -> None:
    import os

    from optimizer.plan import default_workers

    assert sum(t.optimize_shifts for t in demo.teams) == 2
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(8)), raising=False)
    assert default_workers(demo) == 2  # one process per optimized team, not 8
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: {0}, raising=False)
    assert default_workers(demo) == 1  # one core: the rosters one after another


def test_a_roster_milp_ending_before_its_start_still_re_solves_the_greedy_roster(
    demo: Scenario, planned: OptimizeResult, monkeypatch: pytest.MonkeyPatch
) -> None:
    # On a slow machine HiGHS can spend the whole MILP share before it takes the greedy
    # roster as MIP start.  The roster is then the greedy one, completed with every
    # assignment fixed, and the re-solves start from it (they used to be skipped).
    from optimizer.result import FixedSolves, SolveResult
    from optimizer.roster_heuristic import plan_from_table, roster_violations

    from optimizer import plan

    real_solve = FixedSolves.solve
    calls: list[int] = []

    def no_start_taken(
        self: FixedSolves, fixed: list[tuple[object, float]], time_limit: float, **kw: float
    ) -> SolveResult:
        calls.append(len(fixed))
        if len(calls) == 1:  # the full MILP: nothing found within its share
            assert fixed == []
            return SolveResult(
                status=SolveStatus.TIME_LIMIT,
                message=f"time limit of {time_limit:.1f} s reached without a feasible solution",
            )
        return real_solve(self, fixed, time_limit, **kw)

    monkeypatch.setattr(FixedSolves, "solve", no_start_taken)
    team = next(t for t in demo.teams if t.optimize_shifts)
    tr = plan.build_team_roster_problem(demo, team, planned.schedule)
    record, table = plan._solve_team_roster(tr, 20.0, 0.0, None, True)
    assert "the re-solves start from the greedy heuristic's roster" in record["message"]
    assert SolveStatus(record["status"]) in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    # The second solve fixed every assignment; the ones after it are re-solves.
    assert calls[1] == len(plan._team_roster_model(tr.problem, None).X)
    assert len(calls) > 2 and "neighbourhood re-solves" in record["message"]
    assert record["objective"] is not None and record["bound"] is not None
    # The re-solves may reach the LP bound itself, up to the last bit of a float.
    assert record["bound"] <= record["objective"] * (1 + 1e-9)
    assert len(table) > 0
    assert not roster_violations(tr.problem, plan_from_table(tr.problem, table)).any()


def test_a_roster_with_few_shifts_still_gets_a_tenth_of_the_time_left(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # Shares follow the rosters' scheduled agent-shifts, but a small roster's worker start-up,
    # LP bound and MILP do not shrink with them: it gets at least ROSTER_MIN_SHARE of the
    # time left, and what it leaves unused goes to the roster after it.
    import time
    from types import SimpleNamespace

    from optimizer import plan

    given: list[float] = []

    def record_limit(tr: object, time_limit: float, *args: object) -> tuple[dict, pd.DataFrame]:
        given.append(time_limit)
        return {"message": ""}, pd.DataFrame()

    monkeypatch.setattr(plan, "_solve_team_roster", record_limit)
    small = SimpleNamespace(problem=SimpleNamespace(cover_requirement=np.ones(23)))
    large = SimpleNamespace(problem=SimpleNamespace(cover_requirement=np.ones(1713)))
    plan._solve_rosters([small, large], time.perf_counter() + 100.0, 0.02, None, True, 1)
    assert plan.ROSTER_MIN_SHARE == 0.1
    # By agent-shifts alone the small roster would get 100 * 23 / 1736 = 1.3 s.
    assert given[0] == pytest.approx(10.0, abs=0.1)
    assert given[1] == pytest.approx(100.0, abs=0.1)  # the first returned at once
