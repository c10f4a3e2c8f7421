"""The simulation against queueing theory: Erlang C (M/M/c) and Erlang A (M/M/c+M).

Single-queue stationary scenarios (flat 24x7 profile, exponential handle and patience, no
shrinkage, no breaks, agents on shift all the time). Each replication gives one estimate
per measure after a warm-up; the analytic value must lie inside the 95% t-interval of the
replication estimates.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pytest
from conftest import make_scenario

from sim.engine import OUTCOME_ABANDONED, OUTCOME_HANDLED, run_replication
from sim.metrics import mean_ci95
from sim.queueing import (
    erlang_a,
    erlang_c,
    erlang_c_mean_wait,
    erlang_c_service_level,
)

pytestmark = pytest.mark.validation


@dataclass(frozen=True)
class Case:
    """One stationary queue: c agents, arrivals per minute, mean handle and patience."""

    name: str
    agents: int
    rate: float
    handle: float
    patience: float | None
    target: float
    days: int
    replications: int = 12


CASES = [
    Case("c5-rho0.8", 5, 0.8, 5.0, None, 1.0, 4),
    Case("c10-rho0.9", 10, 1.8, 5.0, None, 0.5, 4),
    Case("c20-rho0.85", 20, 1.7, 10.0, None, 1.0, 4),
    Case("c55-rho0.92", 55, 5.06, 10.0, None, 0.5, 2),
    Case("A-c10-overload", 10, 2.0, 5.0, 3.0, 0.5, 3),
    Case("A-c3-light", 3, 0.5, 4.0, 10.0, 1.0, 5),
    Case("A-c50-rho1.04", 50, 5.2, 10.0, 4.0, 0.333, 2),
]


def _scenario(case: Case):  # type: ignore[no-untyped-def]
    phone: dict[str, object] = {
        "handle_minutes": {"mean": case.handle, "distribution": "exponential"}
    }
    if case.patience is not None:
        phone["patience_minutes"] = {"mean": case.patience, "distribution": "exponential"}
    return make_scenario(
        {
            "horizon.weeks": case.days / 7,
            "demand.streams.0.tickets_per_week": case.rate * 60 * 24 * 7,
        },
        channels={"phone": phone},
        teams=[
            {
                "name": "queue",
                "timezone": "UTC",
                "agents": case.agents,
                "languages": ["en"],
                "channels": ["phone"],
                "hourly_cost": 1,
                "shifts": [{"days": "Mon-Sun", "start": "00:00", "hours": 24}],
            }
        ],
    )


def _estimates(case: Case) -> dict[str, np.ndarray]:
    """Per-replication estimates after a warm-up of 20 handle times."""
    scenario = _scenario(case)
    warm = 20 * case.handle
    out: dict[str, list[float]] = {k: [] for k in ("p_wait", "mean_wait", "sl", "p_abandon")}
    for r in range(case.replications):
        res = run_replication(scenario, 2024, r)
        arrival = res.tickets.arrival
        # Keep tickets whose outcome is known: arrived after warm-up, and well before the end.
        keep = (arrival >= warm) & (arrival <= res.horizon_minutes - warm)
        served = res.outcome == OUTCOME_HANDLED
        abandoned = res.outcome == OUTCOME_ABANDONED
        keep &= served | abandoned
        wait = np.where(served, res.first_response - arrival, res.resolved - arrival)[keep]
        s, a = served[keep], abandoned[keep]
        out["p_wait"].append(float(np.mean(a | (wait > 1e-12))))
        out["mean_wait"].append(float(wait.mean()))
        out["sl"].append(float(np.mean(s & (wait <= case.target))))
        out["p_abandon"].append(float(a.mean()))
    return {k: np.array(v) for k, v in out.items()}


def _theory(case: Case) -> dict[str, float]:
    load = case.rate * case.handle
    if case.patience is None:
        return {
            "p_wait": float(erlang_c(case.agents, load)),
            "mean_wait": float(erlang_c_mean_wait(case.agents, load, case.handle)),
            "sl": float(erlang_c_service_level(case.agents, load, case.handle, case.target)),
        }
    a = erlang_a(case.agents, case.rate, case.handle, case.patience, target=case.target)
    return {
        "p_wait": float(a.p_wait),
        "mean_wait": float(a.mean_wait),
        "sl": float(a.service_level),
        "p_abandon": float(a.p_abandon),
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_simulation_agrees_with_erlang(case: Case) -> None:
    theory = _theory(case)
    estimates = _estimates(case)
    for measure, value in theory.items():
        mean, lo, hi = mean_ci95(estimates[measure])
        assert lo <= value <= hi, (
            f"{case.name} {measure}: theory {value:.4f} outside simulated 95% CI "
            f"[{lo:.4f}, {hi:.4f}] (mean {mean:.4f})"
        )


def test_cases_cover_a_large_team() -> None:
    assert max(c.agents for c in CASES) >= 50
    assert sum(c.patience is not None for c in CASES) >= 2
