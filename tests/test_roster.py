"""The roster solver: hand-made problems with known answers, the start heuristics, and the
Curtois-Qu benchmark's first instances through the product's own solver (checked by an
independent checker that re-reads the roster from a CSV)."""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pytest

from optimizer.roster import solve as roster_solve
from optimizer.roster.model import build_model, load_plan, plan_of_model
from optimizer.roster.objective import plan_objective
from optimizer.roster.problem import OFF, RosterProblem
from optimizer.roster.solve import RosterEffort, cover_table, solve_roster
from optimizer.roster.start import row_violations, start_roster
from optimizer.roster.weeks import week_by_week
from optimizer.solver import Limits, OptimizerError, Session, SolveStatus, solve

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "benchmarks"))

from curtois_check import check_roster  # noqa: E402
from curtois_reader import load_curtois, parse_curtois  # noqa: E402

PROVEN_OPTIMUM = {"Instance1": 607, "Instance2": 828}
"""Proven optima (lower bound = upper bound) published with the benchmark."""


def _tiny(**extra: object) -> RosterProblem:
    """Two employees, four days, one 8-hour shift, one person wanted each day.

    A wants day 0 (weight 5) and has day 2 off; B asked for day 0 off (weight 3); nobody may
    work two days in a row; short cover costs 10 per person, surplus 1.  Day 2 must be B, so
    days 1 and 3 can only be A, so day 0 must be B: the unique optimum is B0, A1, B2, A3,
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
        "max_consecutive_days": 1,
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


def test_tiny_problem_has_its_known_optimum() -> None:
    sol = solve_roster(_tiny(), RosterEffort(gap=0.0))
    assert sol.result.status == SolveStatus.OPTIMAL
    assert sol.result.objective == 8
    got = set(sol.assignments().itertuples(index=False, name=None))
    assert got == {("B", 0, "D"), ("A", 1, "D"), ("B", 2, "D"), ("A", 3, "D")}
    assert sol.unstaffed() == 0


def test_both_run_formulations_give_the_same_optimum() -> None:
    for runs in ("network", "windows"):
        model = build_model(_tiny(), runs=runs)  # type: ignore[arg-type]
        result = solve(model, Limits(gap=0.0))
        assert result.objective == pytest.approx(8)
        assert plan_objective(_tiny(), plan_of_model(model)) == 8


def test_hourly_cost_is_in_the_objective() -> None:
    # 0.25/h for A and 0.125/h for B: A's two days cost 2 x 2, B's two days 2 x 1, below the
    # shortfall penalty of 10, so the roster stays the same and the objective grows by 6.
    sol = solve_roster(_tiny(hourly_cost=[0.25, 0.125]), RosterEffort(gap=0.0))
    assert sol.result.objective == pytest.approx(8 + 6)


def test_weekly_night_limit_leaves_a_known_shortfall() -> None:
    # Seven nights wanted by three people with at most two nights a week each: 3 x 2 = 6
    # nights, so one night stays short at a penalty of 100.
    problem = RosterProblem.create(
        name="nights",
        days=7,
        shift_ids=["N"],
        shift_minutes=[600],
        employee_ids=["A", "B", "C"],
        cover_requirement=np.ones((7, 1), dtype=int),
        shift_night=[True],
        max_night_shifts_per_week=2,
        min_days_off_per_week=2,
        cover_under_weight=100,
    )
    sol = solve_roster(problem, RosterEffort(gap=0.0))
    assert sol.result.objective == 100
    assert sol.unstaffed() == 1
    assert (sol.plan >= 0).sum(axis=1).max() <= 2


def test_an_impossible_minimum_is_infeasible_and_names_the_employee() -> None:
    # A must work four 8-hour days but has day 2 off.
    sol = solve_roster(_tiny(min_minutes=[4 * 480, 0]), RosterEffort(gap=0.0))
    assert sol.result.status == SolveStatus.INFEASIBLE
    assert "A" in sol.result.message
    assert sol.plan is None


def test_without_a_start_the_milp_finds_the_roster(monkeypatch: pytest.MonkeyPatch) -> None:
    # When the start heuristic keeps no roster (as on Curtois Instance14) and the problem is
    # too large for the whole MILP, the MILP still runs, to its first improving rosters,
    # and the re-solves go on from there: here to the known optimum of 8.
    monkeypatch.setattr(roster_solve, "start_roster", lambda *args, **kwargs: None)
    sol = solve_roster(_tiny(), RosterEffort(gap=0.0, full_milp_assignments=0))
    assert sol.plan is not None
    assert not row_violations(_tiny(), sol.plan).any()
    assert sol.result.objective == 8


def test_a_roster_leaving_places_empty_gets_its_fill_rounds(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # A start with nobody at work leaves all four places of the tiny problem empty (4 x 10,
    # plus A's request for day 0 unmet, 5): with no rounds it stays so; with ten fill
    # rounds the re-solves reach the optimum of 8. A start that staffs every place gets no
    # fill rounds, and fill rounds end once every place is staffed.
    empty = np.full((2, 4), OFF, dtype=np.int64)
    none = RosterEffort(gap=0.0, rounds=0, full_milp_assignments=0)
    fill = RosterEffort(gap=0.0, rounds=0, fill_rounds=10, full_milp_assignments=0)
    problem = _stable_problem()
    optimum = solve_roster(problem, fill)
    assert optimum.rounds == 0
    monkeypatch.setattr(roster_solve, "start_roster", lambda *args, **kwargs: empty)
    assert solve_roster(_tiny(), none).result.objective == 4 * 10 + 5
    filled = solve_roster(_tiny(), fill)
    assert filled.rounds > 0
    assert filled.result.objective == 8
    # Fill rounds stop once every place is staffed, short of the optimum if need be: a
    # start two start times worse than the optimum late in week 2 (two people trade shifts
    # on its last day) and one place empty on day 0 gets the one re-solve that staffs it.
    assert optimum.plan is not None and optimum.result.status == SolveStatus.OPTIMAL
    worse = optimum.plan.copy()
    day = problem.days - 1
    early, late = (int(np.flatnonzero(worse[:, day] == s)[0]) for s in (0, 1))
    worse[[early, late], day] = worse[[late, early], day]
    assert not row_violations(problem, worse).any()
    worse[np.flatnonzero(worse[:, 0] >= 0)[0], 0] = OFF
    monkeypatch.setattr(roster_solve, "start_roster", lambda *args, **kwargs: worse)
    staffed = solve_roster(problem, fill)
    assert staffed.rounds == 1 and staffed.unstaffed() == 0
    assert staffed.result.objective > optimum.result.objective
    assert "every place staffed after 1 fill re-solve" in staffed.result.message


def test_a_solve_gives_the_same_roster_every_time() -> None:
    problem = _stable_problem()
    first = solve_roster(problem)
    again = solve_roster(problem)
    assert first.plan is not None and again.plan is not None
    assert np.array_equal(first.plan, again.plan)
    assert first.result.objective == again.result.objective


def _stable_problem(people: int = 8, weeks: int = 2) -> RosterProblem:
    """People on two start times (07:00, 15:00) over whole weeks: 3 early and 2 late on
    every day, at most 5 days a week and 40 hours, 11 h rest (late then early is forbidden)."""
    days = 7 * weeks
    cover = np.tile([3, 2], (days, 1))
    minutes = np.array([480, 480])
    starts = np.array([7 * 60, 15 * 60], dtype=float)
    gap = starts[None, :] + 1440 - (starts[:, None] + minutes[:, None])
    return RosterProblem.create(
        name="stable",
        days=days,
        shift_ids=["07:00", "15:00"],
        shift_minutes=minutes,
        employee_ids=[f"p{k}" for k in range(people)],
        cover_requirement=cover,
        shift_start_minute=starts,
        forbidden_successors=gap < 11 * 60,
        max_consecutive_days=5,
        min_days_off_per_week=2,
        max_minutes_per_week=2400,
        hourly_cost=20,
        cover_under_weight=500,
        start_change_weight=40,
        single_day_off_weight=20,
    )


def test_week_by_week_start_keeps_one_start_time_a_week() -> None:
    # 5 people-days a day x 7 = 35 shifts a week for 8 people of 5 days each: room enough
    # for everyone to keep one start time a week and staff every shift.
    problem = _stable_problem()
    model = build_model(problem)
    plan = week_by_week(problem, model, Session(model), nodes=200, seconds=120)
    assert not row_violations(problem, plan).any()
    assert cover_table(problem, plan)["under"].sum() == 0
    groups = problem.start_groups()
    for e in range(problem.n_employees):
        for days in problem.week_days():
            starts = {groups[plan[e, d]] for d in days if plan[e, d] != OFF}
            assert len(starts) <= 1


def test_week_by_week_gives_a_week_when_a_start_time_has_too_few_days() -> None:
    # 09:00, 12:00 and 15:00 are wanted on one day each, so a person held to 12:00 and its
    # neighbours has three days of work, short of the four shifts of their 32-hour weekly
    # minimum. The week must still be built: 31 shifts for 7 people of 4-5 shifts each.
    starts = np.array([6, 9, 12, 15, 18], dtype=float) * 60
    minutes = np.full(5, 480)
    cover = np.zeros((7, 5), dtype=int)
    cover[:, 0] = cover[:, 4] = 2
    cover[0, 1] = cover[1, 2] = cover[2, 3] = 1
    gap = starts[None, :] + 1440 - (starts[:, None] + minutes[:, None])
    problem = RosterProblem.create(
        name="thin",
        days=7,
        shift_ids=["06:00", "09:00", "12:00", "15:00", "18:00"],
        shift_minutes=minutes,
        employee_ids=[f"p{k}" for k in range(7)],
        cover_requirement=cover,
        shift_start_minute=starts,
        forbidden_successors=gap < 11 * 60,
        min_days_off_per_week=2,
        min_minutes_per_week=4 * 480,
        max_minutes_per_week=5 * 480,
        unavailable=np.broadcast_to(cover == 0, (7, 7, 5)).copy(),
        cover_under_weight=500,
        start_change_weight=40,
    )
    model = build_model(problem)
    plan = week_by_week(problem, model, Session(model), nodes=200, seconds=120)
    assert not row_violations(problem, plan).any()
    assert cover_table(problem, plan)["under"].sum() == 0
    assert ((plan >= 0).sum(axis=1) >= 4).all()


def test_weeks_too_large_for_one_milp_start_from_the_annealing(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # 8 people x 7 days x 2 shift types = 112 assignments a week, above a limit of 100:
    # the start comes from the annealing alone (here an empty roster, to leave the
    # re-solves work), and each re-solve frees at most 40 assignments: windows of 2 days
    # (32) instead of 3 (48), groups of 1 person (28) instead of 2 (56).
    def no_weeks(*args: object, **kwargs: object) -> None:
        raise AssertionError("week by week on weeks above the limit")

    empty = np.full((8, 14), OFF, dtype=np.int64)
    monkeypatch.setattr(roster_solve, "week_by_week", no_weeks)
    monkeypatch.setattr(roster_solve, "start_roster", lambda *args, **kwargs: empty)
    freed: list[int] = []
    solve_once = Session.solve

    def counted(self: Session, *args: object, **kwargs: object) -> object:
        freed.append(sum(1 for v in self.model.x.values() if not v.fixed))
        return solve_once(self, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(Session, "solve", counted)
    problem = _stable_problem()
    effort = RosterEffort(
        gap=0.0, rounds=6, stall_rounds=6, full_milp_assignments=100, round_assignments=40
    )
    sol = solve_roster(problem, effort)
    assert sol.plan is not None and sol.rounds == 6
    assert not row_violations(problem, sol.plan).any()
    assert sol.result.objective is not None
    assert sol.result.objective < plan_objective(problem, empty)
    assert len(freed) == 6 and 0 < max(freed) <= 40


def test_the_annealing_start_keeps_every_hard_rule() -> None:
    problem = _stable_problem(people=7)
    plan = start_roster(problem, moves=20_000, seed=3)
    assert plan is not None
    assert not row_violations(problem, plan).any()


def test_a_loaded_plan_is_a_start_highs_accepts() -> None:
    problem = _stable_problem()
    plan = start_roster(problem, moves=20_000)
    assert plan is not None
    model = build_model(problem)
    load_plan(model, plan)
    value = model.objective.expr()
    assert value == pytest.approx(plan_objective(problem, plan))


def test_unknown_field_and_bad_shape_are_errors() -> None:
    with pytest.raises(OptimizerError, match="unknown field"):
        _tiny(max_weekend=1)
    with pytest.raises(OptimizerError, match="days_off has shape"):
        _tiny(days_off=np.zeros((3, 4), dtype=bool))


# --------------------------------------------------------------------------------------
# Curtois-Qu benchmark (reference data read from ../shared/data)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["Instance1", "Instance2"])
def test_curtois_instance_reaches_its_proven_optimum(
    name: str, shared_data: Path, tmp_path: Path
) -> None:
    path = shared_data / "curtois" / "instances" / f"{name}.txt"
    sol = solve_roster(load_curtois(path), RosterEffort(gap=0.0))
    assert sol.result.status == SolveStatus.OPTIMAL, sol.result.message
    assert sol.result.objective == PROVEN_OPTIMUM[name]
    assert sol.result.bound == PROVEN_OPTIMUM[name]
    out = tmp_path / f"{name}.csv"
    sol.assignments().to_csv(out, index=False)
    assert check_roster(path, out) == PROVEN_OPTIMUM[name]


def test_a_malformed_instance_names_the_line(shared_data: Path, tmp_path: Path) -> None:
    text = (shared_data / "curtois" / "instances" / "Instance1.txt").read_text()
    bad = tmp_path / "bad.txt"
    bad.write_text(text.replace("0,D,5,100,1", "0,X,5,100,1"))
    with pytest.raises(OptimizerError, match=r"bad\.txt', line \d+: unknown shift 'X'"):
        load_curtois(bad)
    with pytest.raises(OptimizerError, match="SECTION_COVER missing"):
        parse_curtois("SECTION_HORIZON\n7\nSECTION_SHIFTS\nD,480,\nSECTION_STAFF\n")
