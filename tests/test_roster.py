"""Tests of the named-roster optimizer against the Curtois-Qu benchmark and hand-made cases.

The roster CSVs are checked by an independent checker written here from the benchmark's rules
(its own tiny parser, no model constraints): every hard rule, and the objective recomputed from
the CSV must equal the solver's objective.
"""

from __future__ import annotations

import functools
import json
import operator
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyomo.environ as pyo
import pytest
from optimizer.curtois import load_curtois, parse_curtois
from optimizer.result import (
    FixedSolves,
    OptimizerError,
    SolveResult,
    SolveStatus,
    solve_with_highs,
)
from optimizer.roster_heuristic import (
    greedy_roster,
    plan_from_table,
    roster_objective,
    roster_violations,
)
from optimizer.roster_parallel import _search_epoch, parallel_neighbourhood_search

from optimizer.plan import ROSTER_HIGHS_OPTIONS
from optimizer.roster import (
    RosterProblem,
    _KindRates,
    build_model,
    load_start,
    neighbourhood_search,
    plan_of_model,
    solve_roster,
)

REPO = Path(__file__).resolve().parent.parent
DATA = Path(__file__).resolve().parent / "data" / "curtois"
SHARED = REPO.parent / "shared" / "data" / "curtois"

# Proven optima (lower bound = upper bound) published with the benchmark.
PROVEN_OPTIMUM = {"Instance1": 607, "Instance2": 828}


# --------------------------------------------------------------------------------------
# Independent checker
# --------------------------------------------------------------------------------------


@dataclass
class _Instance:
    days: int = 0
    minutes: dict[str, int] = field(default_factory=dict)
    forbidden: dict[str, set[str]] = field(default_factory=dict)
    staff: dict[str, dict[str, object]] = field(default_factory=dict)
    days_off: dict[str, set[int]] = field(default_factory=dict)
    on: list[tuple[str, int, str, int]] = field(default_factory=list)
    off: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: list[tuple[int, str, int, int, int]] = field(default_factory=list)


def _read_instance(path: Path) -> _Instance:
    """Parse a Curtois-Qu file with the simplest possible code (independent of the package)."""
    inst = _Instance()
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            section = line
            continue
        f = line.split(",")
        if section == "SECTION_HORIZON":
            inst.days = int(f[0])
        elif section == "SECTION_SHIFTS":
            inst.minutes[f[0]] = int(f[1])
            inst.forbidden[f[0]] = {t for t in (f[2] if len(f) > 2 else "").split("|") if t}
        elif section == "SECTION_STAFF":
            caps = {k: int(v) for k, v in (c.split("=") for c in f[1].split("|") if c)}
            inst.staff[f[0]] = {
                "caps": caps,
                "max_min": int(f[2]),
                "min_min": int(f[3]),
                "max_cons": int(f[4]),
                "min_cons": int(f[5]),
                "min_off": int(f[6]),
                "max_wkd": int(f[7]),
            }
        elif section == "SECTION_DAYS_OFF":
            inst.days_off[f[0]] = {int(d) for d in f[1:] if d}
        elif section == "SECTION_SHIFT_ON_REQUESTS":
            inst.on.append((f[0], int(f[1]), f[2], int(f[3])))
        elif section == "SECTION_SHIFT_OFF_REQUESTS":
            inst.off.append((f[0], int(f[1]), f[2], int(f[3])))
        elif section == "SECTION_COVER":
            inst.cover.append((int(f[0]), f[1], int(f[2]), int(f[3]), int(f[4])))
    return inst


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    """(start, length) of each maximal run of ``value`` in ``flags``."""
    out, d = [], 0
    while d < len(flags):
        if flags[d] == value:
            start = d
            while d < len(flags) and flags[d] == value:
                d += 1
            out.append((start, d - start))
        else:
            d += 1
    return out


def check_roster(instance_path: Path, roster_csv: Path) -> int:
    """Assert every hard rule of the instance on the roster CSV and return its objective."""
    inst = _read_instance(instance_path)
    roster = pd.read_csv(roster_csv, dtype={"employee": str, "shift": str, "day": int})
    assert list(roster.columns) == ["employee", "day", "shift"]
    assert not roster.duplicated(["employee", "day"]).any(), "two shifts on one day"
    assert set(roster["employee"]) <= set(inst.staff)
    assert set(roster["shift"]) <= set(inst.minutes)
    assert roster["day"].between(0, inst.days - 1).all()
    plan: dict[str, dict[int, str]] = {e: {} for e in inst.staff}
    for e, d, s in roster.itertuples(index=False):
        plan[e][int(d)] = s
    n = inst.days
    for e, rules in inst.staff.items():
        days = plan[e]
        worked = [d in days for d in range(n)]
        for d in range(n - 1):
            if d in days and d + 1 in days:
                assert days[d + 1] not in inst.forbidden[days[d]], (e, d, "succession")
        caps = rules["caps"]
        assert isinstance(caps, dict)
        for s in inst.minutes:
            assert sum(1 for x in days.values() if x == s) <= caps.get(s, n), (e, s, "cap")
        total = sum(inst.minutes[s] for s in days.values())
        assert rules["min_min"] <= total <= rules["max_min"], (e, total, "minutes")  # type: ignore[operator]
        for start, length in _runs(worked, True):
            assert length <= rules["max_cons"], (e, start, "max consecutive")  # type: ignore[operator]
            if start > 0 and start + length < n:
                assert length >= rules["min_cons"], (e, start, "min consecutive")  # type: ignore[operator]
        for start, length in _runs(worked, False):
            if start > 0 and start + length < n:
                assert length >= rules["min_off"], (e, start, "min days off")  # type: ignore[operator]
        weekends = sum(
            1 for sat in range(5, n, 7) if worked[sat] or (sat + 1 < n and worked[sat + 1])
        )
        assert weekends <= rules["max_wkd"], (e, weekends, "weekends")  # type: ignore[operator]
        for d in inst.days_off.get(e, set()):
            assert d not in days, (e, d, "day off")
    objective = 0
    for e, d, s, w in inst.on:
        objective += w if plan[e].get(d) != s else 0
    for e, d, s, w in inst.off:
        objective += w if plan[e].get(d) == s else 0
    for d, s, req, w_under, w_over in inst.cover:
        staffed = sum(1 for e in plan if plan[e].get(d) == s)
        objective += w_under * max(req - staffed, 0) + w_over * max(staffed - req, 0)
    return objective


# --------------------------------------------------------------------------------------
# Benchmark instances
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Instance1", "Instance2"])
def test_curtois_instance_reaches_proven_optimum(name: str, tmp_path: Path) -> None:
    path = DATA / f"{name}.txt"
    result = solve_roster(load_curtois(path), time_limit=60)
    assert result.status == SolveStatus.OPTIMAL, result.message
    assert result.objective == PROVEN_OPTIMUM[name]
    assert result.bound == PROVEN_OPTIMUM[name]
    assert result.gap == 0.0
    assert result.assignments is not None
    out = tmp_path / f"{name}.csv"
    result.assignments.to_csv(out, index=False)
    assert check_roster(path, out) == result.objective


def test_windows_formulation_agrees_on_instance1(tmp_path: Path) -> None:
    path = DATA / "Instance1.txt"
    result = solve_roster(load_curtois(path), time_limit=60, runs="windows")
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == 607
    assert result.assignments is not None
    result.assignments.to_csv(tmp_path / "r.csv", index=False)
    assert check_roster(path, tmp_path / "r.csv") == 607


def test_benchmark_cli_writes_checked_roster(tmp_path: Path) -> None:
    path = DATA / "Instance1.txt"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "curtois.py"),
            str(path),
            "--time-limit",
            "60",
            "--roster-out",
            str(tmp_path),
            "--machine-speed",
        ],
        capture_output=True,
        text=True,
        check=True,
        cwd=REPO,
    )
    record = json.loads(proc.stdout.strip().splitlines()[0])
    assert set(record) >= {"instance", "objective", "best_known", "gap", "seconds", "status"}
    assert record["instance"] == "Instance1"
    assert record["objective"] == 607
    assert record["status"] == "optimal"
    assert record["machine_tickets_per_second"] > 0
    if SHARED.is_dir():
        assert record["best_known"] == 607
    assert check_roster(path, tmp_path / "Instance1.csv") == 607
    assert not list(tmp_path.glob("*.tmp"))


def test_copied_instance_matches_shared_data() -> None:
    shared = SHARED / "instances" / "Instance1.txt"
    if not shared.is_file():
        pytest.skip(f"reference data not present at {shared} (optional ../shared/data folder)")
    local = DATA / "Instance1.txt"
    body = [ln for ln in local.read_text().splitlines() if not ln.startswith("# Provenance")]
    assert body == shared.read_text().splitlines()


# --------------------------------------------------------------------------------------
# Heuristic roster and MIP starts
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Instance1", "Instance2"])
def test_greedy_roster_keeps_hard_rules(name: str, tmp_path: Path) -> None:
    path = DATA / f"{name}.txt"
    problem = load_curtois(path)
    roster = greedy_roster(problem, seconds=2.0)
    assert len(roster) > 0, "no roster keeping the hard rules found"
    assert list(roster.columns) == ["employee", "day", "shift"]
    plan = plan_from_table(problem, roster)
    assert not roster_violations(problem, plan).any()
    out = tmp_path / f"{name}.csv"
    roster.to_csv(out, index=False)
    objective = check_roster(path, out)  # the independent checker asserts every hard rule
    assert objective == roster_objective(problem, plan)
    assert objective >= PROVEN_OPTIMUM[name]


def test_initial_roster_is_accepted_as_mip_start() -> None:
    path = DATA / "Instance1.txt"
    problem = load_curtois(path)
    start = greedy_roster(problem, seconds=1.0)
    result = solve_roster(problem, time_limit=60, initial=start)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == PROVEN_OPTIMUM["Instance1"]


def test_partial_initial_roster_is_completed() -> None:
    # Only B on day 0 is given; HiGHS completes the roster to the unique optimum.
    start = pd.DataFrame({"employee": ["B"], "day": [0], "shift": ["D"]})
    result = solve_roster(_tiny(), time_limit=10, initial=start, initial_complete=False)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == 8


def test_short_solve_from_heuristic_start_reports_its_roster() -> None:
    problem = _tiny()
    result = solve_roster(problem, time_limit=1e-3, heuristic_seconds=0.5)
    assert result.has_solution
    assert result.assignments is not None
    assert result.objective == roster_objective(
        problem, plan_from_table(problem, result.assignments)
    )


def _loaded_model(problem: RosterProblem, start: np.ndarray) -> Any:
    """The problem's model with the roster ``start`` loaded as its incumbent."""
    model = build_model(problem)
    load_start(model, problem, start)
    return model


def test_neighbourhood_search_improves_and_stops_at_its_target() -> None:
    problem = load_curtois(DATA / "Instance1.txt")
    start = plan_from_table(problem, greedy_roster(problem, seconds=1.0))
    start_objective = roster_objective(problem, start)
    model = _loaded_model(problem, start)
    # Already at the target: no round runs and the roster stays as it is.
    same, rounds = neighbourhood_search(
        model,
        problem,
        start_objective,
        30,
        abs_gap=None,
        threads=None,
        options=None,
        target=start_objective,
    )
    assert (same, rounds) == (start_objective, 0)
    # Otherwise the rounds never worsen the roster, and the one left loaded is the best.
    best, rounds = neighbourhood_search(
        model, problem, start_objective, 8, abs_gap=None, threads=None, options=None
    )
    assert rounds >= 1
    assert PROVEN_OPTIMUM["Instance1"] - 1e-6 <= best <= start_objective + 1e-6
    loaded = plan_of_model(model, problem)
    assert not roster_violations(problem, loaded).any()
    assert roster_objective(problem, loaded) == pytest.approx(best, abs=1e-6)


def test_re_solves_stop_at_the_full_solves_bound_and_report_the_roster_optimal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # A full solve that ends without proof, with the MIP start loaded and a bound whose
    # rounding up is Instance1's optimum: the re-solves reach 607, stop there (their target,
    # see the test above), and the roster is reported optimal (every weight is an integer).
    import optimizer.roster as roster_module

    starts: list[float] = []

    def unproven(model: pyo.ConcreteModel, *args: Any, **kwargs: Any) -> Any:
        starts.append(float(pyo.value(model.objective)))  # the heuristic's roster
        return SolveResult(status=SolveStatus.FEASIBLE, objective=starts[0], bound=606.2)

    monkeypatch.setattr(roster_module, "solve_with_highs", unproven)
    problem = load_curtois(DATA / "Instance1.txt")
    result = solve_roster(problem, time_limit=62, heuristic_seconds=0.05, neighbourhood_seconds=60)
    assert result.status == SolveStatus.OPTIMAL
    assert (result.objective, result.bound, result.gap) == (607, 607, 0.0)
    assert "reached the bound" in result.message
    if starts[0] > 607:  # the re-solves, not the heuristic, reached the optimum
        assert "then 0 neighbourhood" not in result.message
    assert result.assignments is not None
    result.assignments.to_csv(tmp_path / "r.csv", index=False)
    assert check_roster(DATA / "Instance1.txt", tmp_path / "r.csv") == 607


def test_fixed_solves_match_pyomo_fixing_and_free_what_they_fixed_before() -> None:
    # One HiGHS instance, solved with different days fixed, gives each time the optimum
    # that Pyomo's own fix-and-solve gives, loads its roster, and frees the days it fixed
    # in the solve before.
    problem = load_curtois(DATA / "Instance1.txt")
    start = plan_from_table(problem, greedy_roster(problem, seconds=1.0))
    model = _loaded_model(problem, start)
    reference = _loaded_model(problem, start)
    solves = FixedSolves(model)
    incumbent = plan_of_model(model, problem)
    for window in ((0, 4), (5, 9), (0, 4)):
        fixed = [k for k in model.X if not window[0] <= k[1] <= window[1]]
        saved = solves.values()
        res = solves.solve([(model.x[k], round(model.x[k].value)) for k in fixed], 30)
        for k in fixed:
            reference.x[k].fix(round(reference.x[k].value))
        ref = solve_with_highs(reference, 30, warm_start=True)
        for k in fixed:
            reference.x[k].unfix()
        assert res.status == ref.status == SolveStatus.OPTIMAL
        assert res.objective == pytest.approx(ref.objective, abs=1e-6)
        assert res.objective == pytest.approx(pyo.value(model.objective), abs=1e-6)
        plan = plan_of_model(model, problem)
        assert not roster_violations(problem, plan).any()
        assert roster_objective(problem, plan) == pytest.approx(res.objective, abs=1e-6)
        # Days outside the window kept the incumbent's shifts.
        outside = np.ones(problem.days, dtype=bool)
        outside[window[0] : window[1] + 1] = False
        assert (plan[:, outside] == incumbent[:, outside]).all()
        incumbent = plan
        assert len(saved) == len(solves.values())
    # The LP bound, after fixed solves, is the whole LP relaxation's optimum.
    relaxed = build_model(problem)
    pyo.TransformationFactory("core.relax_integer_vars").apply_to(relaxed)
    lp = solve_with_highs(relaxed, 30)
    bound = solves.relaxation_bound(30)
    assert lp.objective is not None and bound is not None
    assert bound == pytest.approx(lp.objective, abs=1e-6)
    assert bound <= PROVEN_OPTIMUM["Instance1"] + 1e-6
    # With nothing fixed, the whole problem: its proven optimum.
    res = solves.solve([], 60, mip_abs_gap=1.0 - 1e-6)
    assert res.status == SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(PROVEN_OPTIMUM["Instance1"], abs=1e-6)
    # The plan's roster options change how HiGHS searches, not what it proves.
    searching = FixedSolves(_loaded_model(problem, start), options=ROSTER_HIGHS_OPTIONS)
    res = searching.solve([], 60, mip_abs_gap=1.0 - 1e-6)
    assert res.status == SolveStatus.OPTIMAL
    assert res.objective == pytest.approx(PROVEN_OPTIMUM["Instance1"], abs=1e-6)


def test_the_kind_of_re_solve_that_gains_gets_more_rounds_but_never_all() -> None:
    rates = _KindRates(decay=0.5, low=0.2)
    assert rates.share_of_employees() == pytest.approx(0.5)  # equal prior
    # Windows gain 30 in 2 s; groups of employees gain nothing in 1 s:
    # rates (0.5 * 1 + 30) / (0.5 * 1 + 2) = 12.2 per s against 0.5 / 1.5 = 1/3 per s.
    rates.record(False, 30.0, 2.0)
    rates.record(True, 0.0, 1.0)
    assert rates.share_of_employees() == pytest.approx(max(0.2, (1 / 3) / (1 / 3 + 12.2)))
    assert rates.share_of_employees() == pytest.approx(0.2)  # the floor: still tried
    # Then groups gain 50 in 1 s while windows stall for 10 s: the shares turn.
    rates.record(True, 50.0, 1.0)
    rates.record(False, 0.0, 10.0)
    employees = (0.25 * 1 + 50) / (0.75 + 1)
    windows = (0.25 * 1 + 15) / (0.25 * 1 + 1 + 10)
    assert rates.share_of_employees() == pytest.approx(min(0.8, employees / (employees + windows)))
    assert rates.share_of_employees() > 0.5
    # Thousands of rounds without gain leave no rate at all: back to an even share.
    rates.gain = {True: 0.0, False: 0.0}
    assert rates.share_of_employees() == 0.5


def _weekends_short() -> tuple[RosterProblem, np.ndarray, list[int]]:
    """One day shift a day for four weeks; the start has employee 0 work five days on, two
    off, and leaves every weekend short.  Employees 1 and 2 are free, so any window that
    holds a short day staffs it.  Returns the problem, the start and the short days."""
    days, short_days = 28, [d for d in range(28) if d % 7 >= 5]
    problem = RosterProblem.create(
        days=days,
        shift_ids=["D"],
        shift_minutes=[480],
        employee_ids=["A", "B", "C"],
        cover_requirement=np.ones((days, 1)),
        cover_under_weight=100.0,
        max_consecutive_shifts=5,
        hourly_cost=10.0,
    )
    start = np.full((3, days), -1)
    start[0, [d for d in range(days) if d not in short_days]] = 0
    return problem, start, short_days


WEEKEND_SEARCH: dict[str, Any] = {
    "abs_gap": None,
    "threads": None,
    "options": None,
    "window": 2,
    "by_employees": False,
}
"""Re-solve options for the weekends example: windows of two days only."""


def test_focused_windows_go_to_the_short_shifts() -> None:
    problem, start, short_days = _weekends_short()
    start_objective = roster_objective(problem, start)
    assert start_objective == 20 * 80 + len(short_days) * 100
    model = _loaded_model(problem, start)
    every_day_staffed = problem.days * 80.0
    best, rounds = neighbourhood_search(
        model,
        problem,
        start_objective,
        60,
        target=every_day_staffed,
        focus=True,
        **WEEKEND_SEARCH,
    )
    # Each window is centred on a short day and staffs it, so the search needs at most one
    # round per short day (random 2-day windows would miss them most of the time).
    assert best == pytest.approx(every_day_staffed)
    assert 1 <= rounds <= len(short_days)


def test_a_worker_epoch_returns_a_better_roster_and_its_objective() -> None:
    problem, start, short_days = _weekends_short()
    start_objective = roster_objective(problem, start)
    plan, objective, rounds = _search_epoch(
        "test",
        functools.partial(build_model, problem),
        problem,
        start,
        start_objective,
        time.time() + 30,
        0,
        {**WEEKEND_SEARCH, "focus": True, "target": problem.days * 80.0},
    )
    # The plan handed back is the one the objective belongs to, and keeps every rule.
    assert objective == pytest.approx(problem.days * 80.0)
    assert roster_objective(problem, plan) == pytest.approx(objective)
    assert not roster_violations(problem, plan).any()
    assert 1 <= rounds <= len(short_days)


def _two_process_search(build: Callable[[], Any], *, focus: bool) -> None:
    """Two processes search the weekends example with ``build`` for the worker's model; the
    target (every day staffed) must be reached and the best roster left loaded."""
    problem, start, _ = _weekends_short()
    model = _loaded_model(problem, start)
    best, rounds = parallel_neighbourhood_search(
        build,
        model,
        problem,
        roster_objective(problem, start),
        40,
        workers=2,
        epoch=6,
        target=problem.days * 80.0,
        focus=focus,
        **WEEKEND_SEARCH,
    )
    assert rounds >= 1
    assert best == pytest.approx(problem.days * 80.0)
    loaded = plan_of_model(model, problem)
    assert roster_objective(problem, loaded) == pytest.approx(best)
    assert not roster_violations(problem, loaded).any()


def test_parallel_search_leaves_the_best_roster_loaded() -> None:
    problem, _, _ = _weekends_short()
    _two_process_search(functools.partial(build_model, problem), focus=False)


def test_a_failed_worker_leaves_the_search_to_this_process() -> None:
    # The worker's build raises; focused windows let this process reach the target alone.
    _two_process_search(functools.partial(operator.truediv, 1, 0), focus=True)


def test_bad_initial_roster_is_an_error() -> None:
    bad = pd.DataFrame({"employee": ["Z"], "day": [0], "shift": ["D"]})
    with pytest.raises(OptimizerError, match="initial roster names employee 'Z'"):
        solve_roster(_tiny(), time_limit=10, initial=bad)


# --------------------------------------------------------------------------------------
# Hand-made problems with known answers
# --------------------------------------------------------------------------------------


def _tiny(**extra: object) -> RosterProblem:
    """Two employees, four weekdays, one 8-hour shift, one person wanted each day.

    A wants day 0 (weight 5) and has day 2 off; B asked for day 0 off (weight 3); nobody may
    work two days in a row; short cover costs 10 per person, surplus 1.  Day 2 must be B, so
    day 1 and day 3 can only be A, so day 0 must be B: the unique optimum is B0, A1, B2, A3
    with penalty 5 (A's request) + 3 (B's request) = 8.
    """
    on = np.zeros((2, 4, 1))
    on[0, 0, 0] = 5
    off = np.zeros((2, 4, 1))
    off[1, 0, 0] = 3
    days_off = np.zeros((2, 4), dtype=bool)
    days_off[0, 2] = True
    args: dict[str, object] = {
        "shift_on_weight": on,
        "shift_off_weight": off,
        "days_off": days_off,
        "max_consecutive_shifts": 1,
        "cover_under_weight": 10,
        "cover_over_weight": 1,
    }
    args.update(extra)
    return RosterProblem.create(
        name="tiny",
        days=4,
        shift_ids=["D"],
        shift_minutes=[480],
        employee_ids=["A", "B"],
        cover_requirement=np.ones((4, 1), dtype=int),
        **args,  # type: ignore[arg-type]
    )


@pytest.mark.parametrize("runs", ["network", "windows"])
def test_tiny_problem_has_known_optimum(runs: str) -> None:
    result = solve_roster(_tiny(), time_limit=10, runs=runs)  # type: ignore[arg-type]
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == 8
    assert result.assignments is not None
    got = set(result.assignments.itertuples(index=False, name=None))
    assert got == {("B", 0, "D"), ("A", 1, "D"), ("B", 2, "D"), ("A", 3, "D")}
    cover = result.tables["cover"]
    assert cover["under"].sum() == 0 and cover["over"].sum() == 0


def test_hourly_cost_is_added_to_objective() -> None:
    # 0.25/h for A and 0.125/h for B: an 8-hour day costs 2 and 1, below the shortfall
    # penalty of 10, so the roster stays B0, A1, B2, A3 and the objective grows by 2*2 + 2*1.
    result = solve_roster(_tiny(hourly_cost=[0.25, 0.125]), time_limit=10)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(8 + 6)


def test_weekly_and_night_limits_hold() -> None:
    # Seven days, one night shift wanted every day by a team of three, at most two nights a
    # week each and two days off a week: 3 x 2 = 6 nights cover 6 of 7 days, one shortfall.
    problem = RosterProblem.create(
        name="nights",
        days=7,
        shift_ids=["N"],
        shift_minutes=[600],
        employee_ids=["A", "B", "C"],
        cover_requirement=np.ones((7, 1), dtype=int),
        shift_night=[True],
        max_nights_per_week=2,
        min_days_off_per_week=2,
        cover_under_weight=100,
    )
    result = solve_roster(problem, time_limit=10)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == 100
    assert result.assignments is not None
    assert result.assignments.groupby("employee").size().max() <= 2


def test_infeasible_names_employee() -> None:
    # A has a minimum of 40 hours but only four 8-hour days and one of them off.
    problem = _tiny(min_minutes=[4 * 480, 0])
    result = solve_roster(problem, time_limit=10)
    assert result.status == SolveStatus.INFEASIBLE
    assert "'A'" in result.message
    assert result.assignments is None


def test_infeasible_rule_found_by_relaxation() -> None:
    # B must work at least 3 days but may never work two in a row in four days with day 2
    # forced... only the combination of rules fails, so the solver-based search explains it.
    problem = _tiny(min_minutes=[0, 3 * 480])
    result = solve_roster(problem, time_limit=10)
    assert result.status == SolveStatus.INFEASIBLE
    assert "B" in result.message


# --------------------------------------------------------------------------------------
# Reader errors
# --------------------------------------------------------------------------------------


def test_bad_file_names_line_found_and_expected(tmp_path: Path) -> None:
    text = (DATA / "Instance1.txt").read_text().replace("0,D,5,100,1", "0,X,5,100,1")
    bad = tmp_path / "bad.txt"
    bad.write_text(text)
    with pytest.raises(OptimizerError, match=r"bad\.txt', line \d+: unknown shift 'X'"):
        load_curtois(bad)


def test_staff_line_with_missing_field_is_an_error() -> None:
    text = (DATA / "Instance1.txt").read_text().replace("A,D=14,4320,3360,5,2,2,1", "A,D=14,4320")
    with pytest.raises(OptimizerError, match=r"line \d+: 3 comma-separated fields \(expected 8"):
        parse_curtois(text, source="short.txt")


def test_missing_section_is_an_error() -> None:
    with pytest.raises(OptimizerError, match="SECTION_COVER missing"):
        parse_curtois("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\n")


def test_unknown_field_in_create_is_an_error() -> None:
    with pytest.raises(OptimizerError, match="unknown field"):
        _tiny(max_weekend=1)
