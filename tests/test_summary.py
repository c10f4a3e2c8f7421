"""The typed summary: summary.json written once, with units; proportion intervals; the KPI
list, the frontier, and the cost figures (per contact, per handled ticket, by language x
channel)."""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import pytest
from conftest import make_scenario
from hypothesis import given
from hypothesis import strategies as st

from sim import workforce
from sim.metrics import proportion_ci95
from sim.runner import RunOutput, run_replications, summarize
from sim.summary import (
    KPIS,
    Sla,
    Summary,
    goals_text,
    kpi_row,
    pareto_mask,
    units,
)

TWO_LANGUAGES: dict[str, Any] = {
    "demand": {
        "streams": [
            {
                "name": "en-phone",
                "language": "en",
                "channel": "phone",
                "region": "UTC",
                "tickets_per_week": 1500,
            },
            {
                "name": "de-phone",
                "language": "de",
                "channel": "phone",
                "region": "UTC",
                "tickets_per_week": 500,
            },
        ]
    },
    "service_levels": [{"channel": "phone", "answer_within": "20s", "goal": 0.8}],
}


def _team(name: str, languages: list[str], agents: int, cost: float) -> dict[str, Any]:
    return {
        "name": name,
        "timezone": "UTC",
        "agents": agents,
        "languages": languages,
        "channels": ["phone"],
        "hourly_cost": cost,
        "shifts": [{"days": "Mon-Sun", "start": "00:00", "hours": 24}],
    }


@pytest.fixture(scope="module")
def run() -> RunOutput:
    scenario = make_scenario(
        **TWO_LANGUAGES,
        teams=[_team("english", ["en"], 2, 20.0), _team("blended", ["en", "de"], 2, 30.0)],
        business={"customer_monthly_value": 50, "churn_probability_per_missed_sla": 0.1},
    )
    return summarize(scenario, run_replications(scenario, 3))


# --------------------------------------------------------------------------- JSON


def test_summary_json_round_trips_and_keeps_the_documented_keys(run: RunOutput) -> None:
    data = run.summary
    text = json.dumps(data, allow_nan=False)  # strict JSON
    again = Summary.from_json(json.loads(text))
    assert again == run.kpis
    documented = {
        "tickets": {"arrived", "deflected", "handled", "abandoned"},
        "first_response": {"mean_minutes", "p50_minutes", "p90_minutes", "p95_minutes"},
        "sla": {"attainment", "goal_met"},
        "resolution": {"mean_hours", "p90_hours"},
        "occupancy": {"mean", "max_agent"},
        "cost": {
            "currency",
            "staff_total",
            "per_ticket",
            "revenue_at_risk",
            "per_contact",
            "per_handled_ticket",
            "by_queue_group",
            "revenue_at_risk_per_week",
        },
        "burnout": {"agents", "agents_at_risk", "violations"},
    }
    for key, sub in documented.items():
        assert sub <= set(data[key]), key
    assert {"scenario", "replications", "seed", "by_queue", "coverage_gaps"} <= set(data)
    for q in data["by_queue"]:
        assert {"language", "channel", "priority", "arrived", "target_minutes", "goal"} <= set(q)
        assert len(q["attainment_ci95"]) == 2


def _json_leaves(value: Any, path: str = "") -> list[str]:
    """Dotted paths of a JSON value's figures (``[]`` for list items); a mapping whose keys
    are names (teams, rules) counts as one figure."""
    if isinstance(value, dict) and path not in ("cost.by_team", "burnout.violations_by_rule"):
        out = []
        for key, item in value.items():
            out += _json_leaves(item, f"{path}.{key}" if path else key)
        return out
    if isinstance(value, list) and value and isinstance(value[0], dict):
        return _json_leaves(value[0], f"{path}[]")
    if isinstance(value, list) and not value:
        return []  # an empty list of items (no segments, no gaps) holds no figure
    return [path]


def test_every_figure_has_a_unit_and_money_names_its_period(run: RunOutput) -> None:
    data = run.summary
    table = units("USD")
    assert data["units"] == table
    skip = ("scenario", "description", "seed", "units", "per_replication")
    figures = [p for p in _json_leaves(data) if not p.startswith(skip)]
    assert figures and [p for p in figures if p not in table] == []
    money = [p for p, unit in table.items() if unit.startswith("USD")]
    periods = ("per week", "per run", "per contact", "per ticket", "per month")
    assert money and all(any(w in table[p] for w in periods) for p in money)
    assert table["cost.revenue_at_risk_per_week"] == "USD per week"
    assert table["cost.revenue_at_risk"] == "USD per run"


def test_an_older_or_partial_summary_reads_with_defaults() -> None:
    s = Summary.from_json({"scenario": "old", "cost": {"currency": "EUR", "per_week": 10.0}})
    assert s.scenario == "old" and s.cost.per_week == 10.0 and s.cost.per_contact is None
    assert s.by_queue == () and s.sla.attainment is None


# --------------------------------------------------------------------------- intervals


@given(
    st.lists(
        st.tuples(st.integers(0, 500), st.integers(1, 500)).map(lambda t: (min(t), t[1])),
        min_size=2,
        max_size=12,
    )
)
def test_proportion_interval_stays_in_zero_one_and_holds_the_share(
    units_: list[tuple[int, int]],
) -> None:
    met = np.array([m for m, _ in units_], dtype=float)
    counted = np.array([n for _, n in units_], dtype=float)
    lo, hi = proportion_ci95(met, counted)
    share = met.sum() / counted.sum()
    assert 0.0 <= lo <= share + 1e-12 <= hi + 2e-12 <= 1.0 + 2e-12


@pytest.mark.validation
@pytest.mark.parametrize(
    ("share", "tickets", "units_", "concentration"),
    [(0.9, 300, 5, 50.0), (0.6, 500, 3, 20.0), (0.97, 1000, 10, 100.0), (0.9, 100, 5, None)],
)
def test_proportion_interval_covers_the_true_share_95_percent_of_the_time(
    share: float, tickets: int, units_: int, concentration: float | None
) -> None:
    """Units (replications) whose true share varies around ``share`` (beta-binomial, as
    the days or replications of a queue do) or does not (binomial): the interval must
    hold the true share in about 95% of 3,000 draws."""
    rng = np.random.default_rng(12)
    trials = 3000
    hits = 0
    for _ in range(trials):
        p = (
            np.full(units_, share)
            if concentration is None
            else rng.beta(share * concentration, (1 - share) * concentration, units_)
        )
        met = rng.binomial(tickets, p)
        lo, hi = proportion_ci95(met, np.full(units_, tickets))
        hits += lo <= share <= hi
    # 95% nominal; 3,000 draws put the binomial standard error at 0.4 points.
    assert 0.935 <= hits / trials <= 0.975


def test_proportion_interval_of_identical_units_is_the_wilson_interval() -> None:
    lo, hi = proportion_ci95([90, 90], [100, 100])
    # Wilson with n = 200, p = 0.9 and t(1 df) = 12.706 (no spread to estimate from).
    z, n, p = 12.706204736174698, 200.0, 0.9
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z / (1 + z * z / n) * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    assert (lo, hi) == pytest.approx((centre - half, centre + half))
    assert math.isnan(proportion_ci95([5], [10])[0])


def test_queue_and_overall_intervals_hold_their_attainment(run: RunOutput) -> None:
    s = run.kpis
    assert s.sla.attainment_ci95 is not None
    lo, hi = s.sla.attainment_ci95
    assert lo is not None and hi is not None
    assert 0 <= lo <= s.sla.attainment <= hi <= 1  # type: ignore[operator]
    for q in s.by_queue:
        if q.attainment is not None and q.attainment_ci95 is not None:
            q_lo, q_hi = q.attainment_ci95
            assert 0 <= q_lo <= q.attainment <= q_hi <= 1  # type: ignore[operator]


# --------------------------------------------------------------------------- words


def test_goals_text_counts_what_it_names() -> None:
    assert goals_text(Sla(queues_meeting_goal=1, queues_with_goal=3)) == (
        "2 of 3 queues miss their goal (1 meets it)"
    )
    assert goals_text(Sla(queues_meeting_goal=16, queues_with_goal=17)) == (
        "1 of 17 queues misses its goal (16 meet it)"
    )
    assert goals_text(Sla(queues_meeting_goal=3, queues_with_goal=3)) == (
        "all 3 queues meet their goal"
    )
    assert goals_text(Sla()) == "no queue has a goal"


# --------------------------------------------------------------------------- KPIs


def test_kpi_list_is_read_from_the_summary(run: RunOutput) -> None:
    names = [k.name for k in KPIS]
    assert len(names) == len(set(names))
    row = kpi_row(run.kpis)
    assert set(names) <= set(row)
    assert row["cost_per_week"] == run.kpis.cost.per_week
    assert row["revenue_at_risk_per_week"] == pytest.approx(
        run.kpis.cost.revenue_at_risk / run.kpis.weeks
    )
    directions = {k.name: k.better for k in KPIS}
    assert directions["attainment"] == 1 and directions["cost_per_week"] == -1
    # Cost ratios fall when the same staff answer more tickets: neither better nor worse.
    assert directions["cost_per_contact"] == directions["cost_per_handled_ticket"] == 0
    periods = ("per week", "per contact", "per agent-handled ticket", "per ticket", "over the")
    assert all(any(w in k.heading("USD") for w in periods) for k in KPIS if k.kind == "money")
    assert KPIS[0].heading("USD") == "staff cost (USD per week)"


def test_pareto_mask_marks_the_frontier() -> None:
    cost = np.array([10.0, 12.0, 11.0, 20.0, np.nan])
    service = np.array([0.80, 0.95, 0.79, 0.95, 0.99])
    # Point 2 is dearer and worse than point 0; point 3 dearer than point 1 for the same
    # SLA; point 4 has no known cost.
    assert pareto_mask(cost, service).tolist() == [True, True, False, False, False]


# --------------------------------------------------------------------------- cost


def test_cost_per_contact_and_per_handled_ticket(run: RunOutput) -> None:
    s = run.kpis
    c = s.cost
    assert c.per_contact == pytest.approx((c.staff_total + c.bot_total) / s.tickets.arrived)
    assert c.per_handled_ticket == pytest.approx(c.staff_total / s.tickets.handled)
    assert c.per_week == pytest.approx(c.staff_total / s.weeks)
    assert c.revenue_at_risk_per_week == pytest.approx(c.revenue_at_risk / s.weeks)
    # 0.1 churn x 50 a month x 12 months per missed ticket.
    assert c.revenue_at_risk == pytest.approx(c.missed_sla_tickets * 0.1 * 50 * 12)


def test_a_bot_adds_its_cost_per_contact_and_leaves_cost_per_contact_otherwise_alone() -> None:
    base = make_scenario()
    bot = make_scenario(
        {"demand.deflection": 1 / 3}, costs={"currency": "USD", "bot_cost_per_contact": 0.5}
    )
    a = summarize(base, run_replications(base, 1)).kpis
    b = summarize(bot, run_replications(bot, 1)).kpis
    # The same customers arrive (common random numbers); a third are deflected.
    assert b.tickets.arrived == a.tickets.arrived
    assert b.tickets.deflected / b.tickets.arrived == pytest.approx(1 / 3, abs=0.03)
    assert b.cost.bot_total == pytest.approx(0.5 * b.tickets.deflected)
    assert b.cost.per_contact == pytest.approx(
        (b.cost.staff_total + b.cost.bot_total) / b.tickets.arrived
    )
    # Per handled ticket the same staff cost more once fewer tickets reach them.
    assert b.cost.per_handled_ticket > a.cost.per_handled_ticket  # type: ignore[operator]


def test_cost_by_language_and_channel_adds_up_and_follows_the_work(run: RunOutput) -> None:
    s = run.kpis
    groups = {(g.language, g.channel): g for g in s.cost.by_queue_group}
    assert set(groups) == {("en", "phone"), ("de", "phone")}
    assert sum(g.total for g in groups.values()) == pytest.approx(s.cost.staff_total)
    assert sum(g.share for g in groups.values()) == pytest.approx(1.0)
    # Only the blended team speaks German, so German costs at most the blended team.
    assert groups[("de", "phone")].total <= s.cost.by_team["blended"] + 1e-6
    assert groups[("en", "phone")].total >= s.cost.by_team["english"] - 1e-6
    # costs.csv: team x language x channel rows adding up to each team's cost.
    per_team = run.costs.groupby("team")["total"].sum()
    for team, total in s.cost.by_team.items():
        assert per_team[team] == pytest.approx(total)
    assert groups[("en", "phone")].contacts + groups[("de", "phone")].contacts == (
        pytest.approx(s.tickets.arrived)
    )


def test_single_skill_teams_cost_exactly_their_language() -> None:
    scenario = make_scenario(
        **TWO_LANGUAGES,
        teams=[_team("english", ["en"], 2, 20.0), _team("german", ["de"], 1, 30.0)],
    )
    result = run_replications(scenario, 1)[0]
    table = workforce.cost_by_queue_group(scenario, result)
    by_team = workforce.cost_table(scenario, result).set_index("team")["total"]
    rows = table.set_index(["team", "language"])["total"]
    assert rows[("english", "en")] == pytest.approx(by_team["english"])
    assert rows[("german", "de")] == pytest.approx(by_team["german"])


def test_an_idle_teams_cost_goes_to_the_skills_customers_use() -> None:
    """A team whose agents never work (German speakers with no German demand, idle) is
    split over the skills customers use, here English only."""
    scenario = make_scenario(
        teams=[_team("t1", ["en", "de"], 2, 20.0)],
        demand={
            "streams": [
                {
                    "name": "en-phone",
                    "language": "en",
                    "channel": "phone",
                    "region": "UTC",
                    "tickets_per_week": 0,
                }
            ]
        },
    )
    result = run_replications(scenario, 1)[0]
    table = workforce.cost_by_queue_group(scenario, result)
    assert table["language"].tolist() == ["en"]
    assert table["total"].sum() == pytest.approx(
        workforce.cost_table(scenario, result)["total"].sum()
    )
