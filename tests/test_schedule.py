"""Schedule MILP: the covering core against known optima, flows across skills, shortfall."""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from optimizer.result import OptimizerError, SolveStatus
from optimizer.schedule import (
    ScheduleInputs,
    build_schedule_inputs,
    coverage_of,
    given_plan,
    group_of_queue,
    rounding_cuts,
    solve_covering,
    solve_schedule,
)
from scenarios import load_scenario, scenario_from_data

DATA = Path(__file__).parent / "data"


def test_cyclic_covering_reaches_the_published_optimum(shared_data: Path) -> None:
    source = shared_data / "erlang" / "shift_covering_examples.json"
    example = json.loads(source.read_text())["cyclic_daily_8h_call_center"]
    demand = np.asarray(example["demand"], dtype=float)
    n = len(demand)
    coverage = np.zeros((n, n))
    for start in range(n):
        for k in range(8):
            coverage[(start + k) % n, start] = 1.0  # 8-hour shifts wrapping round midnight
    result, x, _served, shortfall = solve_covering(ScheduleInputs.covering(demand, coverage), 30)
    assert result.status == SolveStatus.OPTIMAL
    assert example["published_optimum"] == 55
    assert x.sum() == 55
    assert result.objective == pytest.approx(55)
    assert shortfall.sum() == 0
    assert np.all(coverage @ x >= demand)


def _two_team_case(bilingual_cost: float) -> ScheduleInputs:
    """Two intervals; groups en and de each need one agent in both; one column per team
    covering both intervals: a bilingual team (en, de) and an English-only team (cost 3)."""
    return ScheduleInputs(
        teams=("bilingual", "english"),
        groups=("en", "de"),
        requirement=np.ones((2, 2)),
        coverage=sparse.csr_array(np.ones((2, 2))),
        column_team=np.array([0, 1]),
        column_cost=np.array([bilingual_cost, 3.0]),
        column_upper=np.array([np.inf, np.inf]),
        skills=np.array([[True, True], [True, False]]),
        fixed_supply=np.zeros((2, 2)),
        shortfall_penalty=np.full((2, 2), 100.0),
    )


@pytest.mark.parametrize(
    ("bilingual_cost", "expected_x", "expected_cost"),
    [(2.0, [2, 0], 4.0), (4.0, [1, 1], 7.0)],
)
def test_a_bilingual_agent_is_counted_once_per_interval(
    bilingual_cost: float, expected_x: list[int], expected_cost: float
) -> None:
    # Counted once per skill, one bilingual agent (cost 2 or 4) would cover both groups.
    result, x, served, _shortfall = solve_covering(_two_team_case(bilingual_cost), 10)
    assert result.status == SolveStatus.OPTIMAL
    assert x.tolist() == expected_x
    assert result.objective == pytest.approx(expected_cost)
    assert served.tolist() == [[1.0, 1.0], [1.0, 1.0]]


def _day_only_scenario(agents: int) -> dict[str, Any]:
    """One week, UTC, English chat arriving only 07:00-19:00; 4-hour templates all day."""
    day = [0.0] * 7 + [1.0] * 12 + [0.0] * 5
    return {
        "name": "day-only",
        "horizon": {"start": "2026-03-02", "weeks": 1, "interval_minutes": 60},
        "demand": {
            "streams": [
                {
                    "name": "chat",
                    "language": "en",
                    "channel": "chat",
                    "region": "UTC",
                    "tickets_per_week": 2000,
                    "profile": [day] * 7,
                }
            ]
        },
        "service_levels": [{"channel": "chat", "answer_within": "2m", "goal": 0.8}],
        "teams": [
            {
                "name": "hub",
                "timezone": "UTC",
                "agents": agents,
                "languages": ["en"],
                "channels": ["chat"],
                "hourly_cost": 20,
                "shifts": "optimize",
            }
        ],
        "shift_templates": {
            "starts_every": "1h",
            "lengths_hours": [4],
            "earliest": "00:00",
            "latest": "23:00",
        },
        "labor_rules": {
            "min_days_off_per_week": 0,
            "max_consecutive_days": 7,
            "max_hours_per_week": 60,
        },
    }


def _on_duty_hours(schedule: Any) -> set[int]:
    hours: set[int] = set()
    for start, length in zip(schedule["start"], schedule["hours"], strict=True):
        first = int(start[:2])
        hours.update((first + k) % 24 for k in range(int(length)))
    return hours


def test_no_staffing_at_night_when_nothing_arrives() -> None:
    result = solve_schedule(scenario_from_data(_day_only_scenario(agents=30)), 30)
    assert result.status == SolveStatus.OPTIMAL
    assert not result.uncovered
    assert len(result.schedule) > 0
    on_duty = _on_duty_hours(result.schedule)
    assert on_duty.isdisjoint({0, 1, 2, 3, 4, 5, 20, 21, 22, 23})
    night = result.coverage[result.coverage["interval_start"].dt.hour.isin([3])]
    assert night["required"].sum() == 0 and night["scheduled"].sum() == 0


def test_too_few_agents_gives_a_plan_with_the_shortfall_listed() -> None:
    result = solve_schedule(scenario_from_data(_day_only_scenario(agents=2)), 30)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.uncovered
    first = result.uncovered[0]
    assert set(first) == {"group", "interval_start", "shortfall"}
    assert first["group"] == "en/chat" and first["shortfall"] > 0
    per_day = result.schedule.groupby("date")["agents"].sum()
    assert (per_day <= 2).all()  # head count per local day within the team
    assert result.coverage["shortfall"].sum() == pytest.approx(
        sum(u["shortfall"] for u in result.uncovered)
    )


@pytest.mark.parametrize(
    ("margin", "cap", "planned"),
    [
        # The default 2.5%: (1 - 0.025) x 80 = 78 h, which whole 10-hour shifts fill to 70.
        (None, 78.0, 70.0),
        # No margin: the week may be planned to the last of its 80 hours.
        (0.0, 80.0, 80.0),
        # A planner's 20%: 64 h, six shifts.
        (0.2, 64.0, 60.0),
    ],
)
def test_schedule_leaves_the_planning_margin_of_each_weeks_paid_hours(
    margin: float | None, cap: float, planned: float
) -> None:
    # Two agents of 40 h a week and a demand they cannot meet: 10-hour shifts, so a week
    # planned to the last hour holds 8 of them (80 h).
    data = _day_only_scenario(agents=2)
    data["shift_templates"]["lengths_hours"] = [10]
    data["labor_rules"]["max_hours_per_week"] = 40
    if margin is not None:
        data["planning"] = {"weekly_hours_margin": margin}
    scenario = scenario_from_data(data)
    assert 2 * 40 * (1 - scenario.planning.weekly_hours_margin) == pytest.approx(cap)
    result = solve_schedule(scenario, 30)
    assert result.status in (SolveStatus.OPTIMAL, SolveStatus.FEASIBLE)
    assert result.uncovered  # the demand asks for more than the agents' hours
    plan = result.schedule
    week = pd.to_datetime(plan["date"]).dt.to_period("W-SUN")
    hours = (plan["hours"] * plan["agents"]).groupby(week).sum()
    assert (hours <= cap + 1e-9).all()
    # The horizon's own week (a night shift of the Sunday before reaches into it).
    assert hours[pd.Period("2026-03-02", "W-SUN")] == pytest.approx(planned)


def test_group_labels() -> None:
    assert group_of_queue("en", "phone", 1) == "en/phone"
    assert group_of_queue("de", "email", 2) == "de/email/tier2"


def test_requirement_boost_raises_the_requirement_where_asked() -> None:
    scenario = scenario_from_data(_day_only_scenario(agents=30))
    base = solve_schedule(scenario, 30)
    noon = pd.Timestamp("2026-03-03 12:00", tz="UTC")
    boost = pd.DataFrame({"interval_start": [noon], "group": ["en/chat"], "extra": [5.0]})
    boosted = solve_schedule(scenario, 30, requirement_boost=boost)
    assert boosted.status == SolveStatus.OPTIMAL and not boosted.uncovered

    def at_noon(result: Any, column: str) -> float:
        cov = result.coverage
        return float(cov.loc[cov["interval_start"] == noon, column].sum())

    assert at_noon(boosted, "required") == at_noon(base, "required") + 5
    assert at_noon(boosted, "scheduled") >= at_noon(boosted, "required") - 1e-6
    assert boosted.cost > base.cost
    with pytest.raises(OptimizerError, match="unknown group"):
        solve_schedule(
            scenario,
            30,
            requirement_boost=boost.assign(group="xx/chat"),
        )


def test_coverage_of_given_head_counts() -> None:
    # Two groups served by one bilingual column: two agents cover both, one leaves one short.
    starts = pd.date_range("2026-03-02", periods=2, freq="30min", tz="UTC")
    inputs = dataclasses.replace(_two_team_case(2.0), interval_starts=starts)
    for agents, short in ((2.0, 0.0), (1.0, 2.0)):
        coverage, uncovered = coverage_of(inputs, [agents, 0.0])
        assert coverage["shortfall"].sum() == pytest.approx(short)
        assert sum(u["shortfall"] for u in uncovered) == pytest.approx(short)


def test_schedule_keeps_aggregate_rest_between_days() -> None:
    # A late template (20:00-04:00) then an early one (06:00) next day leaves 2 h of rest:
    # per pair of days, agents on the late shift plus agents on the early one <= team size.
    data = _day_only_scenario(agents=3)
    data["labor_rules"]["min_rest_hours"] = 11
    inputs = build_schedule_inputs(scenario_from_data(data))
    rest = [c for c in inputs.caps if "rest between" in c.name]
    assert rest and all(c.rhs == 3 for c in rest)
    late = {"20:00", "21:00", "22:00", "23:00"}
    for cap in rest[:5]:
        starts = {inputs.columns[j].start for j in cap.columns}
        assert starts & late and "00:00" in starts


def test_rounding_cuts_make_the_lp_pay_for_whole_agents() -> None:
    # One interval needing 1.0 available agent; an agent on shift gives 0.8 (shrinkage).
    # The plain LP buys 1.25 agents; any integer plan buys 2 (or pays 1.0 - 0.8 = 0.2 short
    # at 100 each: 1 agent + 20 = 21 > 2).  With the rounding cut
    # x + short / (0.8 * 0.25) >= ceil(1.25) the LP's optimum is the integer one, 2.
    case = ScheduleInputs.covering([1.0], [[0.8]], shortfall_penalty=100.0)
    plain, x_plain, _, _ = solve_covering(
        dataclasses.replace(case, integer=False, rounding_cuts=False), 10
    )
    assert plain.objective == pytest.approx(1.25)
    assert x_plain.tolist() == pytest.approx([1.25])
    cut, x_cut, _, _ = solve_covering(dataclasses.replace(case, integer=False), 10)
    assert cut.objective == pytest.approx(2.0)
    assert x_cut.tolist() == pytest.approx([2.0])
    whole, x_int, _, _ = solve_covering(case, 10)
    assert whole.objective == pytest.approx(2.0) and x_int.tolist() == [2.0]


def test_rounding_cuts_keep_every_integer_plan_and_raise_the_lp_bound() -> None:
    inputs = build_schedule_inputs(load_scenario(DATA / "design_example.yaml"))
    cuts = rounding_cuts(inputs)
    assert len(cuts) > 100
    plain, _, _, _ = solve_covering(
        dataclasses.replace(inputs, integer=False, rounding_cuts=False), 60
    )
    lp, x_lp, _, _ = solve_covering(dataclasses.replace(inputs, integer=False), 60)
    assert plain.objective is not None and lp.objective is not None
    assert lp.objective >= plain.objective - 1e-6
    # Integer plans around the LP's: each keeps every cut with the least shortfall it needs.
    rng = np.random.default_rng(11)
    for trial in range(6):
        x = np.maximum(np.round(x_lp + rng.normal(0.0, 0.7 * (trial > 0), len(x_lp))), 0.0)
        _, _, _, short = solve_covering(given_plan(inputs, x), 60)
        for c in cuts:
            lhs = x[c.columns].sum() + sum(short[g, t] for g, t in c.shorts) / c.scale
            assert lhs >= c.rhs - 1e-6, (trial, c)


def _small_model() -> Any:
    """Every kind of row and column the compiled solve must carry: <=, >=, ==, a ranged
    row, an integer and a bounded column, a fixed variable and an objective constant.
    Optimum: y = 2, x = 0.5 (x + y = 2.5 with y integer and x <= 1), objective
    2 * 0.5 + 3 * 2 + 7 + 4 = 18."""
    import pyomo.environ as pyo

    m = pyo.ConcreteModel()
    m.x = pyo.Var(bounds=(0, 1))
    m.y = pyo.Var(domain=pyo.NonNegativeIntegers)
    m.z = pyo.Var()
    m.z.fix(2.0)
    m.sum = pyo.Constraint(expr=m.x + m.y == 2.5)
    m.lower = pyo.Constraint(expr=m.x + 2 * m.y >= 3)
    m.upper = pyo.Constraint(expr=m.x - m.y <= m.z)
    m.ranged = pyo.Constraint(expr=pyo.inequality(-6, m.x - 3 * m.y, 5))
    m.objective = pyo.Objective(expr=2 * m.x + 3 * m.y + 7 + 2 * m.z)
    return m


def test_the_compiled_solve_agrees_with_pyomos_highs_interface() -> None:
    import pyomo.environ as pyo

    from optimizer.result import solve_compiled, solve_with_highs

    m = _small_model()
    result = solve_compiled(m, 10, warm_start=True)
    assert result.status == SolveStatus.OPTIMAL
    assert result.objective == pytest.approx(18.0)
    assert (pyo.value(m.x), pyo.value(m.y), pyo.value(m.z)) == pytest.approx((0.5, 2.0, 2.0))
    assert solve_with_highs(_small_model(), 10).objective == pytest.approx(18.0)
    # The schedule's LP and MILP of the design example give the same optima both ways.
    inputs = build_schedule_inputs(load_scenario(DATA / "design_example.yaml"))
    from optimizer.schedule import build_schedule_model

    for integer in (False, True):
        problem = dataclasses.replace(inputs, integer=integer)
        ours = solve_compiled(build_schedule_model(problem), 60, mip_gap=1e-4)
        theirs = solve_with_highs(build_schedule_model(problem), 60, mip_gap=1e-4)
        assert ours.status == theirs.status == SolveStatus.OPTIMAL
        assert ours.objective == pytest.approx(theirs.objective, rel=2e-4)
        assert ours.bound is not None and ours.bound <= ours.objective + 1e-6


def test_a_model_the_compiler_refuses_is_an_error_status_not_a_crash() -> None:
    import pyomo.environ as pyo

    from optimizer.result import solve_compiled

    m = _small_model()
    m.objective.deactivate()
    m.square = pyo.Objective(expr=m.x * m.x + m.y)
    result = solve_compiled(m, 10)
    assert result.status == SolveStatus.ERROR
    assert "cannot be handed to HiGHS" in result.message
