"""Tests of ``sim.queueing``: published values, the Anonymous Bank answer, properties.

Tiers: (1) every row of the reference table (``../shared/data/erlang``, skipped when
absent) with a published value that is not marked "derived" or "DISCREPANCY" is
reproduced within the rounding of the published figure;
(2) an independent Erlang A reference (birth-death chain plus the tagged customer's
absorbing chain solved with a matrix exponential) checks every Erlang A field;
(3) Hypothesis properties; (4) large inputs, conventions and input errors.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import linalg
from scipy.special import logsumexp

from sim.queueing import (
    ErlangAResult,
    erlang_a,
    erlang_b,
    erlang_c,
    erlang_c_mean_wait,
    erlang_c_service_level,
    staff_erlang_a,
    staff_erlang_c,
    staff_for_wait_probability,
)

SHARED_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data"
REFERENCE_TABLE = SHARED_DATA / "erlang" / "erlang_reference_values.csv"
REFERENCE = (
    pd.read_csv(REFERENCE_TABLE, comment="#", dtype=str, keep_default_na=False)
    if REFERENCE_TABLE.exists()
    else None
)
needs_reference = pytest.mark.skipif(
    REFERENCE is None, reason=f"reference table {REFERENCE_TABLE} is absent (full checkouts only)"
)

# Published figures (shared/data/README.md, "Known answers"; T. W. Miller, Modeling
# Techniques in Predictive Analytics, 2015, ch. 6, on the Anonymous Bank's four Wednesdays
# of February 1999): calls per hour of the day, and agents per hour at P(wait) <= 0.5.
BANK_RATES = [
    6.75, 1.75, 1.25, 0, 0.5, 0.25, 4.75, 39.5, 97.25, 107.5, 124, 110.25,
    95.5, 203.5, 115.75, 115.5, 67.75, 75, 88.75, 85.5, 68, 61.5, 57.5, 44.25,
]  # fmt: skip
BANK_SERVICE_RATE_PER_HOUR = 15.0  # calls per agent-hour (Miller 2015, ch. 6)
BANK_PUBLISHED = [1, 1, 1, 0, 1, 1, 1, 4, 8, 9, 10, 9, 8, 16, 10, 10, 6, 7, 8, 8, 6, 6, 5, 4]

# All reference cases are evaluated in seconds.
_PER_SECOND = {"per_hour": 1 / 3600, "per_30min": 1 / 1800, "per_min": 1 / 60}
_SECONDS = {"s": 1.0, "min": 60.0, "h": 3600.0}


# ---------------------------------------------------------------------------------------
# Reading the reference table
# ---------------------------------------------------------------------------------------


def _is_hard_check(row: pd.Series) -> bool:
    """A published value that is neither derived nor a known discrepancy."""
    published = row["published_value"].strip()
    text = " ".join(row[["notes", "source_type", "source"]]).lower()
    return (
        bool(published)
        and not published.startswith("(")
        and "derived" not in text
        and "discrepancy" not in text
    )


HARD_ROWS = (
    [row for _, row in REFERENCE.iterrows() if _is_hard_check(row)] if REFERENCE is not None else []
)


def _number(text: str) -> float:
    """``"100"``, ``"1/15"``; NaN for text such as ``"see anonymous_bank_callcenter"``."""
    try:
        return float(Fraction(text.strip()))
    except ValueError:
        return math.nan


def _published(text: str) -> list[tuple[float, float]]:
    """Numbers in a published field with half a unit of their last printed digit."""
    out = []
    for token in re.findall(r"\d+(?:\.\d+)?", text):
        decimals = len(token.split(".")[1]) if "." in token else 0
        out.append((float(token), 0.5 * 10.0**-decimals + 1e-12))
    return out


class Case:
    """One row's parameters in seconds."""

    def __init__(self, row: pd.Series) -> None:
        self.row = row
        self.case_id: str = row["case_id"]
        self.rate = _number(row["arrival_rate"]) * _PER_SECOND[row["arrival_unit"]]
        self.handle = _number(row["mean_handle_time"]) * _SECONDS[row["handle_unit"]]
        self.load = self.rate * self.handle
        agents = row["agents"].strip()
        self.agents = int(agents) if agents.isdigit() else None
        target = row["target_answer_time_s"].strip()
        self.target = float(target) if target else None
        patience = row["patience_mean"].strip()
        self.patience = None
        if patience:
            value, unit = patience.split()
            self.patience = float(value) * _SECONDS[unit]
        self.published = _published(row["published_value"])


def _check_agents_for_sl(case: Case) -> None:
    match = re.fullmatch(r"agents_for_SL>=(\d+)%", case.row["quantity"])
    assert match and case.target is not None
    goal = int(match.group(1)) / 100
    ((published, _),) = case.published
    assert staff_erlang_c(case.rate, case.handle, case.target, goal) == int(published)


def _check_asa(case: Case) -> None:
    ((published, tol),) = case.published
    assert case.agents is not None
    asa = erlang_c_mean_wait(case.agents, case.load, case.handle)
    assert asa == pytest.approx(published, abs=tol)


def _check_wait_of_delayed(case: Case) -> None:
    ((published, tol),) = case.published
    assert case.agents is not None
    delayed = erlang_c_mean_wait(case.agents, case.load, case.handle) / erlang_c(
        case.agents, case.load
    )
    assert delayed == pytest.approx(published, abs=tol)


def _check_queue_size(case: Case) -> None:
    ((published, tol),) = case.published  # published rounded to a whole number
    assert case.agents is not None
    queue = case.rate * erlang_c_mean_wait(case.agents, case.load, case.handle)
    assert queue == pytest.approx(published, abs=tol)


def _check_service_level(case: Case) -> None:
    ((published, tol),) = case.published
    assert case.agents is not None and case.target is not None
    level = erlang_c_service_level(case.agents, case.load, case.handle, case.target)
    assert level == pytest.approx(published, abs=tol)


def _check_agents_for_blocking(case: Case) -> None:
    match = re.fullmatch(r"agents_for_blocking<=(\d+)%", case.row["quantity"])
    assert match
    bound = int(match.group(1)) / 100
    servers = np.arange(0, 200)
    blocking = erlang_b(servers, case.load)
    ((published, _),) = case.published
    assert int(servers[np.argmax(blocking <= bound)]) == int(published)


def _check_erlang_a(case: Case) -> None:
    assert case.row["quantity"] == "waiting_prob/abandon_prob/occupancy/ASA_min/SL"
    assert case.agents is not None and case.patience is not None and case.target is not None
    r = erlang_a(case.agents, case.rate, case.handle, case.patience, case.target)
    ours = [r.p_wait, r.p_abandon, r.occupancy, r.mean_wait / 60.0, r.service_level]
    for value, (published, tol) in zip(ours, case.published, strict=True):
        assert value == pytest.approx(published, abs=tol)


def _check_wait_beyond(case: Case) -> None:
    match = re.fullmatch(r"P\(wait>(\d+)s\)", case.row["quantity"])
    assert match and case.agents is not None
    beyond = 1.0 - erlang_c_service_level(case.agents, case.load, case.handle, float(match[1]))
    text = case.row["published_value"].strip()
    ((published, tol),) = _published(text.split()[0])
    if text.startswith("<"):  # "fewer than 8 percent"
        assert beyond < published
    else:
        assert beyond == pytest.approx(published, abs=tol)


def _check_bank_vector(case: Case) -> None:
    # The row's rates are "see anonymous_bank_callcenter": the published rates above.
    published = [int(v) for v, _ in case.published]
    assert published == BANK_PUBLISHED
    agents = staff_for_wait_probability(np.array(BANK_RATES), 1 / BANK_SERVICE_RATE_PER_HOUR, 0.5)
    assert agents.tolist() == published


def _check_simulator_reference(case: Case) -> None:
    """A simulator's estimate (8-hour days started empty, 1000 replications), not a formula.

    Starting empty makes the finite-horizon averages slightly better than steady state:
    service level and answer speed a little higher, occupancy a little lower. So the
    steady-state Erlang C values must lie on that side of the published ones and close.
    """
    assert case.agents is not None and case.target is not None
    (sl_pub, _), (asa_pub, _), (occ_pub, _) = case.published
    sl = erlang_c_service_level(case.agents, case.load, case.handle, case.target)
    asa_minutes = erlang_c_mean_wait(case.agents, case.load, case.handle) / 60.0
    occupancy = case.load / case.agents
    assert sl_pub - 0.005 <= sl <= sl_pub
    assert asa_pub <= asa_minutes <= asa_pub * 1.05
    assert occ_pub <= occupancy <= occ_pub + 0.01


_CHECKS: list[tuple[str, Callable[[Case], None]]] = [
    (r"agents_for_SL>=\d+%", _check_agents_for_sl),
    (r"ASA_seconds", _check_asa),
    (r"queue_time_of_delayed_calls_s", _check_wait_of_delayed),
    (r"avg_queue_size", _check_queue_size),
    (r"service_level", _check_service_level),
    (r"agents_for_blocking<=\d+%", _check_agents_for_blocking),
    (r"waiting_prob/abandon_prob/occupancy/ASA_min/SL", _check_erlang_a),
    (r"P\(wait>\d+s\)", _check_wait_beyond),
    (r"servers needed per hour at P\(wait\)<=0\.5", _check_bank_vector),
    (r"SL / ASA_min / occupancy \(8h day from empty; 1000 reps\)", _check_simulator_reference),
]


@needs_reference
def test_reference_table_selection() -> None:
    """The rule picks the expected rows; a new row must come with a check below."""
    assert [row["case_id"] for row in HARD_ROWS] == [
        "XL-1", "XL-2", "XL-3", "XL-4", "PW-1", "PW-2", "PW-3", "PW-4",
        "AL911-1", "AL911-2", "MTPA-1", "MMC-1",
    ]  # fmt: skip


@needs_reference
@pytest.mark.parametrize(
    "row",
    HARD_ROWS or [pytest.param(None, id="no-reference-table")],
    ids=[row["case_id"] for row in HARD_ROWS] or None,
)
def test_published_reference_value(row: pd.Series) -> None:
    checks = [check for pattern, check in _CHECKS if re.fullmatch(pattern, row["quantity"])]
    assert len(checks) == 1, f"no check for quantity {row['quantity']!r} ({row['case_id']})"
    checks[0](Case(row))


def _row(case_id: str) -> Case:
    assert REFERENCE is not None
    return Case(REFERENCE.set_index("case_id", drop=False).loc[case_id])


@needs_reference
def test_pyworkforce_values_quoted_in_notes() -> None:
    """PW-1/PW-2/PW-3 notes: P(wait), occupancy and positions published alongside."""
    pw1, pw2 = _row("PW-1"), _row("PW-2")
    assert erlang_c(14, pw1.load) == pytest.approx(0.174, abs=5e-4)
    assert pw1.load / 14 == pytest.approx(0.714, abs=5e-4)
    assert staff_erlang_c(pw1.rate, pw1.handle, 20.0, 0.8, max_occupancy=0.85) == 14
    assert staff_erlang_c(pw2.rate, pw2.handle, 20.0, 0.8, max_occupancy=0.7) == 15
    assert erlang_c(15, pw2.load) == pytest.approx(0.102, abs=5e-4)
    assert pw2.load / 15 == pytest.approx(0.667, abs=5e-4)
    assert erlang_b(1, 1.0) == 0.5
    assert erlang_b(2, 1.0) == pytest.approx(0.2, rel=1e-15)


@pytest.mark.parametrize(
    ("case_id", "expected"),
    [
        # Independent recomputations in the table (not published): same formulas, same digits.
        ("WB-1", {"p_wait": 0.2387, "asa_s": 8.18, "sl": 0.8459}),
        ("XL-5", {"p_wait_beyond_target": 0.1015}),
    ],
)
@needs_reference
def test_recomputed_values_in_table(case_id: str, expected: dict[str, float]) -> None:
    case = _row(case_id)
    assert case.agents is not None and case.target is not None
    for key, value in expected.items():
        tol = _published(str(value))[0][1]
        if key == "p_wait":
            ours = erlang_c(case.agents, case.load)
        elif key == "asa_s":
            ours = erlang_c_mean_wait(case.agents, case.load, case.handle)
        elif key == "sl":
            ours = erlang_c_service_level(case.agents, case.load, case.handle, case.target)
        else:
            ours = 1 - erlang_c_service_level(case.agents, case.load, case.handle, case.target)
        assert ours == pytest.approx(value, abs=tol)


@needs_reference
def test_llbean_cost_example_recomputation() -> None:
    """LLB-1 (parameters published, answer recomputed): cost 20 c + 120 Lq is least at c=2."""
    case = _row("LLB-1")
    servers = np.arange(1, 5)
    cost = 20 * servers + 120 * case.rate * 3600 * erlang_c_mean_wait(
        servers, case.load, case.handle / 3600
    )
    np.testing.assert_allclose(cost, [520.00, 61.01, 62.66, 80.35], atol=5e-3)
    assert int(servers[np.argmin(cost)]) == 2


# ---------------------------------------------------------------------------------------
# Anonymous Bank
# ---------------------------------------------------------------------------------------


def test_anonymous_bank_published_staffing() -> None:
    """Miller (2015) ch. 6: 1 1 1 0 1 1 1 4 8 9 10 9 8 16 10 10 6 7 8 8 6 6 5 4."""
    rates = np.array(BANK_RATES)
    agents = staff_for_wait_probability(rates, 1 / BANK_SERVICE_RATE_PER_HOUR, 0.5)
    assert agents.tolist() == BANK_PUBLISHED
    # The published convention: any positive rate gets at least one agent, zero gets none.
    assert staff_for_wait_probability(0.25, 1 / 15, 0.5) == 1
    assert staff_for_wait_probability(0.0, 1 / 15, 0.5) == 0


def test_anonymous_bank_rates_from_raw_data() -> None:
    """The hourly rates behind the published answer follow from the raw call records."""
    raw = SHARED_DATA / "anonymous_bank" / "data_anonymous_bank_february_1999.tsv"
    if not raw.exists():
        pytest.skip(f"shared reference data not present at {raw}")
    calls = pd.read_csv(raw, sep="\t", dtype={"date": str}, usecols=[
        "date", "vru_entry", "vru_time", "outcome"])  # fmt: skip
    calls = calls[(calls["outcome"] != "PHANTOM") & (calls["vru_time"] >= 0)]
    wednesdays = calls[calls["date"].isin(["990203", "990210", "990217", "990224"])]
    hour = wednesdays["vru_entry"].str.split(":").str[0].astype(int).to_numpy()
    rates = np.bincount(hour, minlength=24) / 4
    np.testing.assert_array_equal(rates, BANK_RATES)


# ---------------------------------------------------------------------------------------
# Erlang A against an independent reference
# ---------------------------------------------------------------------------------------


def _reference_erlang_a(
    servers: int, rate: float, handle: float, patience: float, target: float
) -> dict[str, float]:
    """Erlang A by brute force: truncated birth-death chain for the state an arrival
    sees, and for each state the tagged customer's absorbing chain (moves up at
    ``c mu + j theta`` with ``j`` ahead, abandons at ``theta``) solved numerically."""
    mu, theta = 1 / handle, 1 / patience
    size = servers + int(5 * rate / theta + 20 * math.sqrt(rate / theta) + 60)
    n = np.arange(size + 1)
    death = np.minimum(n, servers) * mu + np.maximum(n - servers, 0) * theta
    log_pi = np.concatenate([[0.0], np.cumsum(np.log(rate) - np.log(death[1:]))])
    pi = np.exp(log_pi - logsumexp(log_pi))
    queued = pi[servers:]
    ahead = np.flatnonzero(queued > 1e-20 * queued.max())  # the rest is negligible
    k_max = int(ahead.max())
    queued = queued[: k_max + 1]
    # Transient states j = 0..k_max (customers ahead); absorbing: served, abandoned.
    q = np.zeros((k_max + 3, k_max + 3))
    for j in range(k_max + 1):
        advance = servers * mu + j * theta
        q[j, j - 1 if j else k_max + 1] += advance
        q[j, k_max + 2] += theta
        q[j, j] = -(advance + theta)
    served_by_target = linalg.expm(q * target)[: k_max + 1, k_max + 1]
    transient = -q[: k_max + 1, : k_max + 1]
    to_served = np.zeros(k_max + 1)
    to_served[0] = servers * mu
    p_served = np.linalg.solve(transient, to_served)
    wait_and_served = np.linalg.solve(transient, p_served)  # E[W 1{served}] per state
    k = np.arange(k_max + 1)
    p_abandon = theta * float(k @ queued) / rate
    return {
        "p_wait": float(queued.sum()),
        "p_abandon": p_abandon,
        "mean_wait": float(k @ queued) / rate,
        "service_level": float(pi[:servers].sum() + queued @ served_by_target),
        "mean_wait_served": float(queued @ wait_and_served) / (1 - p_abandon),
        "occupancy": rate * (1 - p_abandon) * handle / servers,
    }


def test_erlang_a_published_case_against_reference() -> None:
    ours = erlang_a(14, 100 / 30, 3.0, 5.0, 20 / 60)
    reference = _reference_erlang_a(14, 100 / 30, 3.0, 5.0, 20 / 60)
    for field, value in reference.items():
        assert getattr(ours, field) == pytest.approx(value, rel=1e-9, abs=1e-13), field


@settings(max_examples=25, deadline=None)
@given(
    servers=st.integers(1, 25),
    rate=st.floats(0.05, 6.0),
    handle=st.floats(0.2, 5.0),
    patience=st.floats(0.1, 4.0),
    target=st.floats(0.0, 3.0),
)
def test_erlang_a_matches_reference(
    servers: int, rate: float, handle: float, patience: float, target: float
) -> None:
    ours = erlang_a(servers, rate, handle, patience, target)
    reference = _reference_erlang_a(servers, rate, handle, patience, target)
    for field, value in reference.items():
        assert getattr(ours, field) == pytest.approx(value, rel=1e-7, abs=1e-12), field


# ---------------------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------------------

loads = st.floats(0.0, 300.0)
servers_counts = st.integers(0, 400)


@given(servers=servers_counts, load=loads)
def test_erlang_b_and_c_are_probabilities_decreasing_in_servers(servers: int, load: float) -> None:
    b = erlang_b(np.array([servers, servers + 1]), load)
    c = erlang_c(np.array([servers, servers + 1]), load)
    assert np.all((b >= 0) & (b <= 1)) and np.all((c >= 0) & (c <= 1))
    assert b[1] <= b[0] and c[1] <= c[0]
    assert c[0] >= b[0]  # waiting is at least as likely as being blocked


@given(
    servers=st.integers(0, 60),
    rate=st.floats(0.0, 50.0),
    handle=st.floats(0.05, 10.0),
    patience=st.floats(0.01, 1e4),
    target=st.floats(0.0, 20.0),
)
def test_erlang_a_probabilities_are_consistent(
    servers: int, rate: float, handle: float, patience: float, target: float
) -> None:
    r = erlang_a(servers, rate, handle, patience, target)
    assert 0.0 <= r.p_abandon <= r.p_wait <= 1.0
    assert 0.0 <= r.service_level <= 1.0 - r.p_abandon + 1e-15
    assert r.mean_wait == pytest.approx(r.p_abandon * patience, rel=1e-12, abs=1e-300)
    if servers > 0:
        assert 0.0 <= r.occupancy <= 1.0 + 1e-12


@settings(deadline=None, max_examples=40)
@given(
    load=st.floats(0.01, 200.0),
    spare=st.integers(1, 20),
    handle=st.floats(0.1, 10.0),
    target=st.floats(0.0, 5.0),
)
def test_erlang_a_with_huge_patience_is_erlang_c(
    load: float, spare: int, handle: float, target: float
) -> None:
    servers = math.ceil(load) + spare
    patience = 1e7 * handle
    r = erlang_a(servers, load / handle, handle, patience, target)
    assert r.p_wait == pytest.approx(erlang_c(servers, load), rel=1e-4, abs=1e-12)
    assert r.p_abandon == pytest.approx(0.0, abs=1e-5)
    wait = erlang_c_mean_wait(servers, load, handle)
    assert r.mean_wait == pytest.approx(wait, rel=1e-4, abs=1e-12)
    assert r.mean_wait_served == pytest.approx(wait, rel=1e-4, abs=1e-12)
    level = erlang_c_service_level(servers, load, handle, target)
    assert r.service_level == pytest.approx(level, rel=1e-4, abs=1e-12)


staffing_inputs = {
    "rate": st.floats(0.001, 100.0),
    "handle": st.floats(0.05, 10.0),
    "target": st.floats(0.0, 5.0),
    "goal": st.floats(0.05, 0.99),
    "cap": st.floats(0.3, 1.0),
}


@given(**staffing_inputs)
def test_staff_erlang_c_is_smallest_meeting_goal(
    rate: float, handle: float, target: float, goal: float, cap: float
) -> None:
    c = staff_erlang_c(rate, handle, target, goal, cap)
    load = rate * handle

    def meets(n: int) -> bool:
        level = erlang_c_service_level(n, load, handle, target)
        return n > load and level >= goal and load / n <= cap * (1 + 1e-12)

    assert meets(c)
    assert not meets(c - 1)


@settings(deadline=None)
@given(**staffing_inputs, patience=st.floats(0.05, 50.0))
def test_staff_erlang_a_is_smallest_meeting_goal(
    rate: float, handle: float, target: float, goal: float, cap: float, patience: float
) -> None:
    c = staff_erlang_a(rate, handle, patience, target, goal, cap)

    def meets(n: int) -> bool:
        if n == 0:
            return False
        r = erlang_a(n, rate, handle, patience, target)
        return r.service_level >= goal and r.occupancy <= cap * (1 + 1e-12)

    assert meets(c)
    assert not meets(c - 1)


@given(rate=st.floats(0.0, 200.0), handle=st.floats(0.05, 10.0), bound=st.floats(0.01, 0.99))
def test_staff_for_wait_probability_is_smallest(rate: float, handle: float, bound: float) -> None:
    c = staff_for_wait_probability(rate, handle, bound)
    if rate == 0:
        assert c == 0
        return
    assert c >= 1 and erlang_c(c, rate * handle) <= bound
    assert c == 1 or erlang_c(c - 1, rate * handle) > bound


def test_staffing_is_vectorised_over_intervals() -> None:
    rng = np.random.default_rng(3)
    rates = np.concatenate([[0.0], rng.uniform(0.0, 30.0, 95)])  # per minute, a day of 15 min
    by_array = staff_erlang_c(rates, 4.0, 20 / 60, 0.8, 0.85)
    by_element = [staff_erlang_c(float(r), 4.0, 20 / 60, 0.8, 0.85) for r in rates]
    assert by_array.dtype == np.int64 and by_array.tolist() == by_element
    by_array_a = staff_erlang_a(rates, 4.0, 3.0, 20 / 60, 0.8, 0.85)
    by_element_a = [staff_erlang_a(float(r), 4.0, 3.0, 20 / 60, 0.8, 0.85) for r in rates]
    assert by_array_a.tolist() == by_element_a
    assert by_array[0] == by_array_a[0] == 0


# ---------------------------------------------------------------------------------------
# Exact small cases, large inputs, conventions, errors
# ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("load", [0.1, 0.5, 0.9])
def test_small_systems_match_hand_formulas(load: float) -> None:
    assert erlang_c(1, load) == pytest.approx(load, rel=1e-14)  # M/M/1: P(wait) = rho
    assert erlang_c(2, load) == pytest.approx(load**2 / (2 + load), rel=1e-14)
    assert erlang_b(2, load) == pytest.approx((load**2 / 2) / (1 + load + load**2 / 2))
    assert erlang_c_mean_wait(1, load, 2.0) == pytest.approx(load * 2.0 / (1 - load))


def test_large_systems_stay_finite() -> None:
    c_wait = erlang_c(1000, 950.0)
    assert 0.0 < c_wait < 1.0
    assert 0.0 < erlang_c_mean_wait(1000, 950.0, 1.0) < 1.0
    assert 0.99 < erlang_c_service_level(1000, 950.0, 1.0, 0.1) < 1.0
    # Erlang B against exact rational arithmetic: B = A^c / S_c, S_n = n S_{n-1} + A^n.
    for servers, load in [(1000, 950), (2000, 1500), (1500, 1500), (10, 1500), (300, 10)]:
        total = 1
        for n in range(1, servers + 1):
            total = n * total + load**n
        exact = float(Fraction(load**servers, total))
        assert erlang_b(servers, float(load)) == pytest.approx(exact, rel=1e-11)
    r = erlang_a(1000, 950.0, 1.0, 2.0, 0.1)
    values = [r.p_wait, r.p_abandon, r.mean_wait, r.service_level, r.mean_wait_served]
    assert all(math.isfinite(v) for v in values)
    assert 0.0 < r.p_abandon < r.p_wait < c_wait
    assert 990 <= staff_erlang_c(1400.0, 1.0, 0.1, 0.8) <= 1500


def test_unstable_erlang_c_conventions() -> None:
    assert erlang_c(5, 5.0) == 1.0
    assert erlang_c(0, 0.0) == 1.0
    assert erlang_c_mean_wait(5, 6.0, 1.0) == math.inf
    assert erlang_c_service_level(5, 6.0, 1.0, 10.0) == 0.0
    assert erlang_c_service_level(6, 5.0, 1.0, math.inf) == 1.0


def test_erlang_a_conventions() -> None:
    patient = erlang_a(12, 4.2, 2.0, math.inf, 1 / 3)
    assert patient.p_wait == erlang_c(12, 8.4)
    assert patient.p_abandon == 0.0
    assert patient.service_level == erlang_c_service_level(12, 8.4, 2.0, 1 / 3)
    overloaded = erlang_a(10, 5.0, 3.0, 1e4)  # offered 15 Erlangs to 10 agents
    assert overloaded.p_abandon == pytest.approx(1 - 10 / 15, rel=1e-6)
    assert overloaded.occupancy == pytest.approx(1.0, rel=1e-6)
    nobody = erlang_a(0, 2.0, 1.0, 3.0, 1.0)
    assert (nobody.p_wait, nobody.p_abandon, nobody.service_level) == (1.0, 1.0, 0.0)
    assert nobody.mean_wait == pytest.approx(3.0)
    quiet = erlang_a(2, 0.0, 1.0, 3.0, 1.0)
    assert (quiet.p_wait, quiet.p_abandon, quiet.service_level) == (0.0, 0.0, 1.0)
    at_zero = erlang_a(3, 2.0, 1.0, 1.5, 0.0)
    assert at_zero.service_level == pytest.approx(1 - at_zero.p_wait, abs=1e-15)
    forever = erlang_a(3, 2.0, 1.0, 1.5, math.inf)
    assert forever.service_level == pytest.approx(1 - forever.p_abandon, abs=1e-15)


def test_scalars_give_floats_and_arrays_broadcast() -> None:
    assert isinstance(erlang_c(5, 3.0), float)
    assert isinstance(staff_erlang_c(1.0, 3.0, 0.3, 0.8), int)
    grid = erlang_c(np.arange(4, 8)[:, None], np.array([1.0, 2.0, 3.0]))
    assert grid.shape == (4, 3)
    result = erlang_a(np.array([14, 15]), 100 / 30, 3.0, 5.0, 1 / 3)
    assert isinstance(result, ErlangAResult)
    assert isinstance(result.p_wait, np.ndarray) and result.p_wait.shape == (2,)
    assert result.p_wait[0] == pytest.approx(0.14526, abs=5e-6)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: erlang_c(2.5, 1.0), r"servers: expected non-negative whole numbers.*2\.5"),
        (lambda: erlang_b(-1, 1.0), r"servers: expected non-negative whole numbers.*-1"),
        (lambda: erlang_b(3, math.nan), r"load: expected a number in \[0, inf\), got nan"),
        (lambda: erlang_c_mean_wait(3, 1.0, 0.0), r"mean_handle: expected .*\(0, inf\)"),
        (lambda: erlang_a(3, 1.0, 1.0, 0.0), r"mean_patience: expected .*\(0, inf\]"),
        (lambda: erlang_c_service_level(3, 1.0, 1.0, -1.0), r"target: expected"),
        (lambda: staff_erlang_c(1.0, 1.0, 0.1, 1.0), r"goal: expected .*\(0, 1\), got 1\.0"),
        (lambda: staff_erlang_a(1.0, 1.0, 1.0, 0.1, 0.8, 0.0), r"max_occupancy: expected"),
        (lambda: staff_for_wait_probability(-1.0, 1.0, 0.5), r"arrival_rate: expected"),
    ],
)
def test_invalid_input_is_rejected(call: Callable[[], object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        call()
