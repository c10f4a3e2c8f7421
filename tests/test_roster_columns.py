"""Column generation for rosters: the pricing DP against the MILP, and the dived rosters
against the benchmark's proven optima and the independent checker."""

from __future__ import annotations

import math
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pyomo.environ as pyo
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from optimizer.curtois import load_curtois
from optimizer.result import SolveResult, SolveStatus
from optimizer.roster_columns import (
    SchedulePricer,
    column_generation_roster,
    columns_unsupported,
    parallel_column_generation,
)
from optimizer.roster_heuristic import (
    greedy_roster,
    plan_from_table,
    roster_objective,
    roster_violations,
)
from test_roster import DATA, REPO, check_roster

from optimizer.roster import RosterProblem, solve_roster, table_from_plan


def _one_employee(draw: Any) -> RosterProblem:
    """One employee, 8-17 days, 2-3 shift types (of 0 minutes too), every rule the pricing
    knows, and costs that make some shifts attractive (negative) so that caps and maxima
    bind."""
    days = draw(st.integers(8, 17))
    n_s = draw(st.integers(2, 3))
    minutes = draw(st.lists(st.sampled_from([0, 240, 480, 600]), min_size=n_s, max_size=n_s))
    forbidden = np.array(
        draw(st.lists(st.booleans(), min_size=n_s * n_s, max_size=n_s * n_s))
    ).reshape(n_s, n_s)
    caps = draw(st.lists(st.sampled_from([0, 1, 2, 3, 5, math.inf]), min_size=n_s, max_size=n_s))
    max_cons = draw(st.sampled_from([2, 3, 4, 5, math.inf]))
    min_cons = draw(st.integers(1, 3))
    min_off = draw(st.integers(1, 3))
    max_weekends = draw(st.sampled_from([0, 1, 2, math.inf]))
    lo = draw(st.sampled_from([0, 960, 1920]))
    hi = draw(st.sampled_from([2400, 3600, math.inf]))
    days_off = np.array(draw(st.lists(st.booleans(), min_size=days, max_size=days)))
    days_off &= np.array(draw(st.lists(st.booleans(), min_size=days, max_size=days)))
    cost = np.array(
        draw(st.lists(st.integers(-20, 10), min_size=days * n_s, max_size=days * n_s)),
        dtype=np.float64,
    ).reshape(1, days, n_s)
    return RosterProblem.create(
        name="one",
        days=days,
        shift_ids=[f"S{s}" for s in range(n_s)],
        shift_minutes=minutes,
        employee_ids=["A"],
        cover_requirement=np.zeros((days, n_s), dtype=int),
        forbidden_successors=forbidden,
        max_shifts=[caps],
        min_minutes=lo,
        max_minutes=hi,
        min_consecutive_shifts=min_cons,
        max_consecutive_shifts=max_cons,
        min_consecutive_days_off=min_off,
        max_weekends=max_weekends,
        days_off=days_off[None, :],
        assignment_cost=cost,
        cover_under_weight=0,
    )


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
    derandomize=True,
)
@given(st.data())
def test_pricing_finds_the_milps_cheapest_schedule(data: st.DataObject) -> None:
    # The DP and the roster MILP (with no cover, so one employee's cheapest schedule) agree
    # on the optimum, and the DP's schedule keeps every hard rule of the independent check.
    problem = _one_employee(data.draw)
    cost = problem.assignment_cost[0]
    value, row, relaxed = SchedulePricer(problem, 0).cheapest(cost)
    solved = solve_roster(problem, time_limit=30, heuristic_seconds=0, explain_infeasible=False)
    if solved.status == SolveStatus.INFEASIBLE:
        assert row is None and value == math.inf
        return
    assert solved.status == SolveStatus.OPTIMAL, solved.message
    optimum = solved.objective
    assert row is not None
    assert value == pytest.approx(optimum, abs=1e-6)
    assert relaxed <= value + 1e-9
    plan = np.array([row])
    assert roster_violations(problem, plan).sum() == 0
    assert roster_objective(problem, plan) == pytest.approx(optimum, abs=1e-6)


@pytest.mark.parametrize(
    ("name", "optimum", "compact_lp", "root"),
    # compact_lp: the LP relaxation of the compact MILP (FixedSolves.relaxation_bound); the
    # root of column generation is the Dantzig-Wolfe bound, never below it.  Instance1's
    # dive ends at 609, and the master as a MIP over its 47 schedules finds the optimum;
    # Instance2's root bound is its optimum, which the dive reaches.
    [("Instance1", 607, 430.25, 558.0), ("Instance2", 828, 725.5, 828.0)],
)
def test_column_generation_reaches_the_proven_optimum_above_its_root_bound(
    name: str, optimum: int, compact_lp: float, root: float, tmp_path: Path
) -> None:
    path = DATA / f"{name}.txt"
    problem = load_curtois(path)
    result = column_generation_roster(problem, 60.0)
    assert result.plan is not None, result.message
    assert result.objective == optimum
    assert result.bound == pytest.approx(root, abs=1e-6)
    assert compact_lp < result.bound <= optimum + 1e-6
    assert result.columns > problem.n_employees
    # The root LP's assignments: at most one shift a day per employee, in fractions.
    held = result.root_assignments
    assert held is not None
    assert held.shape == (problem.n_employees, problem.days, problem.n_shifts)
    assert held.min() >= -1e-9 and held.sum(axis=2).max() <= 1 + 1e-6
    out = tmp_path / f"{name}.csv"
    table_from_plan(problem, result.plan).to_csv(out, index=False)
    assert check_roster(path, out) == optimum


def test_a_start_roster_seeds_the_master_and_the_dive_keeps_every_rule(tmp_path: Path) -> None:
    path = DATA / "Instance1.txt"
    problem = load_curtois(path)
    start = plan_from_table(problem, greedy_roster(problem, 0.5, seed=0))
    assert not roster_violations(problem, start).any()
    result = column_generation_roster(problem, 60.0, initial=start)
    assert result.plan is not None and result.objective is not None
    assert 607 <= result.objective <= roster_objective(problem, start)
    table_from_plan(problem, result.plan).to_csv(tmp_path / "r.csv", index=False)
    assert check_roster(path, tmp_path / "r.csv") == result.objective


def test_a_dived_roster_that_meets_the_root_bound_skips_the_full_solve(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # Instance2's Dantzig-Wolfe bound rounds up to its optimum 828, which the dive reaches:
    # the roster is proven optimal without the full MILP (patched to fail if called).
    import optimizer.roster as roster_module

    def never(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the full solve ran")

    monkeypatch.setattr(roster_module, "solve_with_highs", never)
    path = DATA / "Instance2.txt"
    result = solve_roster(
        load_curtois(path), time_limit=60, heuristic_seconds=0.5, columns_seconds=50
    )
    assert result.status == SolveStatus.OPTIMAL, result.message
    assert (result.objective, result.bound, result.gap) == (828, 828, 0.0)
    assert "no full solve" in result.message and "column generation:" in result.message
    assert result.assignments is not None
    result.assignments.to_csv(tmp_path / "r.csv", index=False)
    assert check_roster(path, tmp_path / "r.csv") == 828


def test_the_root_bound_raises_a_weaker_full_solve_bound(monkeypatch: pytest.MonkeyPatch) -> None:
    # Instance1's root bound is 558 (above the compact LP's 430.25); a full solve that ends
    # without proof at bound 500 is patched in, and the reported bound becomes 558.
    import optimizer.roster as roster_module

    def unproven(model: pyo.ConcreteModel, *args: Any, **kwargs: Any) -> Any:
        return SolveResult(
            status=SolveStatus.FEASIBLE, objective=float(pyo.value(model.objective)), bound=500.0
        )

    monkeypatch.setattr(roster_module, "solve_with_highs", unproven)
    result = solve_roster(
        load_curtois(DATA / "Instance1.txt"),
        time_limit=30,
        heuristic_seconds=0.5,
        columns_seconds=20,
    )
    assert result.status == SolveStatus.FEASIBLE
    assert result.bound == 558
    assert result.objective is not None and result.objective >= 607
    assert result.gap == pytest.approx((result.objective - 558) / result.objective)


def test_weekly_rules_are_not_priced_and_the_solve_goes_on() -> None:
    problem = load_curtois(DATA / "Instance1.txt")
    weekly = RosterProblem.create(
        name="weekly",
        days=problem.days,
        shift_ids=problem.shift_ids,
        shift_minutes=problem.shift_minutes,
        employee_ids=problem.employee_ids,
        cover_requirement=problem.cover_requirement,
        max_nights_per_week=3,
    )
    assert "max_nights_per_week" in (columns_unsupported(weekly) or "")
    assert columns_unsupported(problem) is None
    skipped = column_generation_roster(weekly, 10.0)
    assert skipped.plan is None and skipped.bound is None
    result = solve_roster(weekly, time_limit=20, columns_seconds=5)
    assert result.has_solution
    assert "does not price weekly rules" in result.message


def test_an_employee_without_any_schedule_is_named() -> None:
    problem = RosterProblem.create(
        name="short",
        days=7,
        shift_ids=["D"],
        shift_minutes=[480],
        employee_ids=["A", "B"],
        cover_requirement=np.ones((7, 1), dtype=int),
        max_consecutive_shifts=2,
        min_minutes=[0, 480 * 6],  # B would need 6 shifts in 7 days, at most 2 in a row
    )
    result = column_generation_roster(problem, 10.0)
    assert result.plan is None
    assert "employee B has no schedule" in result.message


def test_benchmark_flag_must_not_be_negative() -> None:
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "curtois.py"),
            str(DATA / "Instance1.txt"),
            "--columns-seconds",
            "-1",
        ],
        capture_output=True,
        text=True,
        cwd=REPO,
    )
    assert proc.returncode == 2
    assert "--columns-seconds: found -1.0, expected 0 or more seconds" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_dives_on_two_processes_keep_the_cheapest_roster_and_the_highest_bound(
    tmp_path: Path,
) -> None:
    path = DATA / "Instance2.txt"
    problem = load_curtois(path)
    start = plan_from_table(problem, greedy_roster(problem, 0.5, seed=0))
    result = parallel_column_generation(
        problem, 60.0, initial=start, workers=2, heuristic_seconds=0.5
    )
    assert "dives on 2 processes, rosters" in result.message
    rosters = result.message.rsplit("rosters ", 1)[1].split(", ")
    assert len(rosters) == 2  # this process's and the worker's
    assert result.objective == min(float(r) for r in rosters) == 828
    assert result.bound == pytest.approx(828.0, abs=1e-6)
    assert result.plan is not None
    table_from_plan(problem, result.plan).to_csv(tmp_path / "r.csv", index=False)
    assert check_roster(path, tmp_path / "r.csv") == 828
