"""Lines, balking, retrials, overflow and uniform handle times against queueing theory.

Stationary single-skill scenarios (flat 24x7 profile, exponential arrivals and patience,
agents on shift all the time, a day of warm-up cropped off with ``horizon.warmup_days``).
Each replication gives one estimate per measure; the theoretical value must lie inside the
95% t-interval of the replication estimates (plus, for an approximation, its known error).
The reference models are Markov chains solved numerically here: M/M/c/K (Erlang B when
K = c), M/M/c with balking (a birth-death chain), the M/M/c/c retrial queue (a chain on busy
agents and customers in orbit), and two pools tried in order (a chain on busy agents of
each pool and the queue). Uniform handle times: Pollaczek-Khinchine for one agent (exact),
the Lee-Longton approximation for several (accurate for coefficients of variation below 1
and high load).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from conftest import make_scenario
from scipy import sparse
from scipy.sparse import linalg

from sim.engine import OUTCOME_BALKED, OUTCOME_BLOCKED, OUTCOME_DEFLECTED, run_replication
from sim.metrics import mean_ci95
from sim.queueing import erlang_b, erlang_c_mean_wait
from sim.results import ATTEMPT_BLOCKED

pytestmark = pytest.mark.validation

REPLICATIONS = 12
SEED = 2024


def scenario(
    rate: float,
    handle: dict[str, Any],
    days: int,
    teams: list[dict[str, Any]] | None = None,
    agents: int = 1,
    routing: dict[str, Any] | None = None,
    **phone: Any,
) -> Any:
    """One phone queue: ``rate`` calls a minute, handle time as given, a day of warm-up."""
    return make_scenario(
        {
            "horizon.weeks": days / 7,
            "horizon.warmup_days": 1,
            "demand.streams.0.tickets_per_week": rate * 10080,
        },
        channels={"phone": {"handle_minutes": handle, **phone}},
        routing=routing or {},
        teams=teams
        or [
            {
                "name": "queue",
                "timezone": "UTC",
                "agents": agents,
                "languages": ["en"],
                "channels": ["phone"],
                "hourly_cost": 1,
                "shifts": [{"days": "Mon-Sun", "start": "00:00", "hours": 24}],
            }
        ],
    )


def estimates(
    sc: Any,
    measure: Callable[[Any], dict[str, float]],
    replications: int = REPLICATIONS,
    seed: int = SEED,
) -> dict[str, np.ndarray]:
    """Each measure's estimate on each replication."""
    out: dict[str, list[float]] = {}
    for r in range(replications):
        for key, value in measure(run_replication(sc, seed, r)).items():
            out.setdefault(key, []).append(value)
    return {k: np.array(v) for k, v in out.items()}


def assert_inside(theory: dict[str, float], est: dict[str, np.ndarray], slack: float = 0.0) -> None:
    for key, value in theory.items():
        mean, lo, hi = mean_ci95(est[key])
        margin = slack * abs(value)
        widened = f", widened by {margin:.5f}" if margin else ""
        assert lo - margin <= value <= hi + margin, (
            f"{key}: theory {value:.5f} outside the simulated 95% interval "
            f"[{lo:.5f}, {hi:.5f}] (mean {mean:.5f}){widened}"
        )


def birth_death(up: Callable[[int], float], down: Callable[[int], float], top: int) -> np.ndarray:
    """Stationary distribution of a birth-death chain on 0..top."""
    p = np.ones(top + 1)
    for n in range(1, top + 1):
        p[n] = p[n - 1] * up(n - 1) / down(n)
    return p / p.sum()


def stationary(q: sparse.csr_matrix) -> np.ndarray:
    """Stationary distribution of a continuous-time chain with generator q."""
    n = q.shape[0]
    a = sparse.vstack([q.T[:-1], sparse.csr_matrix(np.ones((1, n)))]).tocsc()
    b = np.zeros(n)
    b[-1] = 1.0
    return np.asarray(linalg.spsolve(a, b))


EXPONENTIAL_5 = {"mean": 5, "distribution": "exponential"}


Measure = Callable[[Any], dict[str, float]]


@dataclass(frozen=True)
class Case:
    """A scenario, what to measure on each replication, and the theory to compare with."""

    name: str
    build: Callable[[], tuple[Any, Measure, dict[str, float]]]
    slack: float = 0.0  # known error of an approximation, as a share of the theory


# --------------------------------------------------------------------------- lines


def _line_measures(r: Any) -> dict[str, float]:
    live = r.outcome != OUTCOME_DEFLECTED
    served = np.isfinite(r.first_response) & live
    wait = (r.first_response - r.tickets.arrival)[served]
    return {
        "blocking": float((r.outcome[live] == OUTCOME_BLOCKED).mean()),
        "mean_wait": float(wait.mean()),
    }


def erlang_b_case() -> tuple[Any, Measure, dict[str, float]]:
    """M/M/10/10: a call that finds all 10 lines (and agents) busy is lost; 8 Erlangs."""
    rate, c = 1.6, 10
    sc = scenario(rate, EXPONENTIAL_5, days=3, agents=c, lines=c)
    return sc, _line_measures, {"blocking": float(erlang_b(c, rate * 5))}


def mmck_case() -> tuple[Any, Measure, dict[str, float]]:
    """M/M/10/15: up to 5 callers wait; the 16th in the system is blocked; 9.5 Erlangs."""
    rate, c, k, mu = 1.9, 10, 15, 0.2
    p = birth_death(lambda n: rate, lambda n: min(n, c) * mu, k)
    admitted = rate * (1 - p[k])
    queue = sum((n - c) * p[n] for n in range(c, k + 1))
    theory = {"blocking": float(p[k]), "mean_wait": float(queue / admitted)}
    return scenario(rate, EXPONENTIAL_5, 3, agents=c, lines=k), _line_measures, theory


# --------------------------------------------------------------------------- balking


def _balking_measures(r: Any) -> dict[str, float]:
    live = r.outcome != OUTCOME_DEFLECTED
    served = np.isfinite(r.first_response)
    return {
        "balking": float((r.outcome[live] == OUTCOME_BALKED).mean()),
        "mean_wait": float((r.first_response - r.tickets.arrival)[served].mean()),
    }


def balking_case() -> tuple[Any, Measure, dict[str, float]]:
    """M/M/8 where a caller who must wait balks with probability 0.3 (no abandonment)."""
    rate, c, mu, b = 1.7, 8, 0.2, 0.3
    top = 400
    p = birth_death(lambda n: rate if n < c else rate * (1 - b), lambda n: min(n, c) * mu, top)
    busy = p[c:].sum()  # PASTA: an arrival sees all agents busy with this probability
    admitted = rate * (1 - b * busy)
    queue = sum((n - c) * p[n] for n in range(c, top + 1))
    theory = {"balking": float(b * busy), "mean_wait": float(queue / admitted)}
    sc = scenario(rate, EXPONENTIAL_5, days=3, agents=c, balk_probability=b)
    return sc, _balking_measures, theory


# --------------------------------------------------------------------------- retrials


def retrial_chain(
    rate: float, c: int, mu: float, p: float, theta: float, top: int
) -> dict[str, float]:
    """The M/M/c/c retrial queue: states (busy agents k, customers in orbit n)."""

    def index(k: int, n: int) -> int:
        return n * (c + 1) + k

    size = (c + 1) * (top + 1)
    rows, cols, vals = [], [], []

    def add(a: int, b: int, v: float) -> None:
        rows.append(a)
        cols.append(b)
        vals.append(v)

    for n in range(top + 1):
        for k in range(c + 1):
            s = index(k, n)
            if k < c:
                add(s, index(k + 1, n), rate)
                if n > 0:
                    add(s, index(k + 1, n - 1), n * theta)
            else:
                if n < top:
                    add(s, index(k, n + 1), rate * p)
                if n > 0:
                    add(s, index(k, n - 1), n * theta * (1 - p))
            if k > 0:
                add(s, index(k - 1, n), k * mu)
    q = sparse.csr_matrix((vals, (rows, cols)), shape=(size, size))
    q = q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())
    pi = stationary(q.tocsr()).reshape(top + 1, c + 1)
    orbit = np.arange(top + 1)
    full = pi[:, c]
    retrial_rate = theta * float((orbit * pi.sum(axis=1)).sum())
    blocked_attempts = rate * full.sum() + theta * float((orbit * full).sum())
    return {
        "attempt_blocking": blocked_attempts / (rate + retrial_rate),
        "retrials_per_customer": retrial_rate / rate,
        "lost": (1 - p) * blocked_attempts / rate,
    }


def _retrial_measures(r: Any) -> dict[str, float]:
    # Customers arriving in the first 2 days: their retrials are over by the end.
    customers = (r.tickets.arrival < 2 * 1440) & (r.outcome != OUTCOME_DEFLECTED)
    first_attempts = int(customers.sum())
    attempts = r.attempts[customers].sum()
    failed = np.isin(r.failed_ticket, np.flatnonzero(customers))
    blocked = int((r.failed_kind[failed] == ATTEMPT_BLOCKED).sum())
    lost = int((r.outcome[customers] == OUTCOME_BLOCKED).sum())
    served = int(np.isfinite(r.first_response[customers]).sum())
    # Flow balance: every customer is served or finally lost.
    assert served + lost == first_attempts
    return {
        "attempt_blocking": blocked / attempts,
        "retrials_per_customer": (attempts - first_attempts) / first_attempts,
        "lost": lost / first_attempts,
    }


def retrial_case() -> tuple[Any, Measure, dict[str, float]]:
    """Five agents and five lines: a blocked caller tries again with probability 0.6 after
    an exponential delay of 3 minutes, as often as it is blocked."""
    rate, c, mu, p, delay = 1.0, 5, 0.2, 0.6, 3.0
    theory = retrial_chain(rate, c, mu, p, 1 / delay, top=150)
    retrial = {"probability": p, "after": f"{delay:g}m"}
    sc = scenario(rate, EXPONENTIAL_5, days=3, agents=c, lines=c, retrial=retrial)
    return sc, _retrial_measures, theory


# --------------------------------------------------------------------------- overflow


def two_pool_chain(rate: float, c1: int, c2: int, mu: float, top: int) -> dict[str, float]:
    """Pool A tried first, pool B next, one shared queue: states (busy A, busy B, queue)."""
    states = [(a, b, 0) for a in range(c1 + 1) for b in range(c2 + 1)]
    states += [(c1, c2, n) for n in range(1, top + 1)]
    where = {s: i for i, s in enumerate(states)}
    rows, cols, vals = [], [], []
    for i, (a, b, n) in enumerate(states):
        moves = []
        if a < c1:
            moves.append(((a + 1, b, n), rate))
        elif b < c2:
            moves.append(((a, b + 1, n), rate))
        elif n < top:
            moves.append(((a, b, n + 1), rate))
        if a > 0:
            moves.append(((a, b, n - 1) if n > 0 else (a - 1, b, n), a * mu))
        if b > 0:
            moves.append(((a, b, n - 1) if n > 0 else (a, b - 1, n), b * mu))
        for target, v in moves:
            rows.append(i)
            cols.append(where[target])
            vals.append(v)
    size = len(states)
    q = sparse.csr_matrix((vals, (rows, cols)), shape=(size, size))
    q = q - sparse.diags(np.asarray(q.sum(axis=1)).ravel())
    pi = stationary(q.tocsr())
    busy_a = sum(pi[i] * a for i, (a, _b, _n) in enumerate(states))
    waiting = sum(pi[i] for i, (a, b, _n) in enumerate(states) if a == c1 and b == c2)
    return {"share_first_pool": busy_a * mu / rate, "p_wait": float(waiting)}


def _pool_measures(r: Any) -> dict[str, float]:
    team = r.staffing.agents["team"].to_numpy()
    answered = r.first_agent >= 0
    wait = (r.first_response - r.tickets.arrival)[answered]
    return {
        "share_first_pool": float((team[r.first_agent[answered]] == "a").mean()),
        "p_wait": float((wait > 1e-12).mean()),
    }


def overflow_case() -> tuple[Any, Measure, dict[str, float]]:
    """Pool A (3 agents) takes a call whenever it can, pool B (4) otherwise; 80% load."""
    rate, c1, c2, mu = 1.12, 3, 4, 0.2
    shifts = [{"days": "Mon-Sun", "start": "00:00", "hours": 24}]
    teams = [
        {
            "name": name,
            "timezone": "UTC",
            "agents": n,
            "languages": ["en"],
            "channels": ["phone"],
            "hourly_cost": 1,
            "shifts": shifts,
        }
        for name, n in (("b", c2), ("a", c1))
    ]
    rule = {"language": "en", "channel": "phone", "teams": ["a", "b"], "after": "0s"}
    sc = scenario(rate, EXPONENTIAL_5, days=3, teams=teams, routing={"overflow": [rule]})
    return sc, _pool_measures, two_pool_chain(rate, c1, c2, mu, top=300)


# --------------------------------------------------------------------------- uniform handle


UNIFORM = {"low": 2, "high": 8}  # mean 5, variance 3, E[S^2] = 28, cs^2 = 0.12


def _mean_wait(r: Any) -> dict[str, float]:
    keep = (r.tickets.arrival < r.horizon_minutes - 240) & np.isfinite(r.first_response)
    return {"mean_wait": float((r.first_response - r.tickets.arrival)[keep].mean())}


def pollaczek_khinchine_case() -> tuple[Any, Measure, dict[str, float]]:
    """M/G/1 with uniform handle times: W = lambda E[S^2] / (2 (1 - rho)), exact; rho 0.8."""
    rate = 0.16
    theory = {"mean_wait": rate * 28.0 / (2 * (1 - rate * 5))}
    return scenario(rate, UNIFORM, days=20), _mean_wait, theory


def lee_longton_case() -> tuple[Any, Measure, dict[str, float]]:
    """M/G/5 at 90% load: W ~ (1 + cs^2) / 2 x W(M/M/5), within a few percent at this load
    and variability."""
    rate, c = 0.9, 5
    cs2 = 3.0 / 25.0
    theory = {"mean_wait": (1 + cs2) / 2 * float(erlang_c_mean_wait(c, rate * 5, 5.0))}
    return scenario(rate, UNIFORM, days=6, agents=c), _mean_wait, theory


CASES = [
    Case("erlang-b-lines", erlang_b_case),
    Case("mmck-lines", mmck_case),
    Case("balking", balking_case),
    Case("retrial-orbit", retrial_case),
    Case("ordered-overflow", overflow_case),
    Case("uniform-mg1-pollaczek-khinchine", pollaczek_khinchine_case),
    Case("uniform-mg5-lee-longton", lee_longton_case, slack=0.04),
]


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_simulation_agrees_with_theory(case: Case) -> None:
    sc, measure, theory = case.build()
    assert_inside(theory, estimates(sc, measure), slack=case.slack)


def test_erlang_b_reference_value() -> None:
    """The M/M/10/10 case's theory is the published Erlang B value."""
    assert erlang_b_case()[2]["blocking"] == pytest.approx(0.1217, abs=1e-4)
