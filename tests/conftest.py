"""Shared test helpers: tiny scenarios built from plain data, and hand-made tickets."""

from __future__ import annotations

import copy
import os
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from hypothesis import settings

from scenarios import Scenario, scenario_from_data
from sim.demand import Tickets

# In CI the property tests replay a fixed sequence of examples, so a run is repeatable;
# on a developer's machine they explore new examples each time.
settings.register_profile("ci", derandomize=True, deadline=None, print_blob=True)
if os.environ.get("CI"):
    settings.load_profile("ci")

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = ROOT.parent / "shared" / "data"

SOLVE_RECORD_KEYS = frozenset(
    {"stage", "status", "objective", "bound", "gap", "build_seconds", "solve_seconds"}
)
"""Keys every solve record of ``optimize.json`` carries (status, objective, bound, gap, and
build time apart from solve time)."""

BASE: dict[str, Any] = {
    "name": "tiny",
    "horizon": {"start": "2026-01-05", "weeks": 1, "interval_minutes": 30, "timezone": "UTC"},
    "seed": 11,
    "demand": {
        "streams": [
            {
                "name": "en-phone",
                "language": "en",
                "channel": "phone",
                "region": "UTC",
                "tickets_per_week": 2000,
                "profile": "24x7",
            }
        ]
    },
    "channels": {"phone": {"handle_minutes": {"mean": 6, "distribution": "exponential"}}},
    "teams": [
        {
            "name": "t1",
            "timezone": "UTC",
            "agents": 2,
            "languages": ["en"],
            "channels": ["phone"],
            "hourly_cost": 20,
            "shifts": [{"days": "Mon-Sun", "start": "00:00", "hours": 24}],
        }
    ],
}


def make_scenario(changes: dict[str, Any] | None = None, **top: Any) -> Scenario:
    """BASE with top-level keys replaced and dotted-path ``changes`` applied."""
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(top))
    for path, value in (changes or {}).items():
        node: Any = data
        parts = path.split(".")
        for part in parts[:-1]:
            node = node[int(part)] if isinstance(node, list) else node[part]
        last = parts[-1]
        if isinstance(node, list):
            node[int(last)] = value
        else:
            node[last] = value
    return scenario_from_data(data, "test scenario")


def make_tickets(
    arrival: list[float],
    handle: list[float] | float,
    *,
    stream: list[int] | int = 0,
    priority: list[int] | int = 2,
    patience: list[float] | float = np.inf,
    escalate: list[bool] | bool = False,
    escalation_handle: float = 0.0,
    extra: list[list[tuple[float, float]]] | None = None,
) -> Tickets:
    """Hand-made tickets. ``extra[i]`` lists (reply gap, handle) of ticket i's follow-ups.

    Priorities index ``sim.demand.PRIORITIES`` (0 urgent, 1 high, 2 normal, 3 low).
    """
    n = len(arrival)

    def col(value: Any, dtype: Any) -> np.ndarray:
        return np.array(value if isinstance(value, list) else [value] * n, dtype=dtype)

    extra = extra or [[] for _ in range(n)]
    n_extra = np.array([len(e) for e in extra], dtype=np.int32)
    return Tickets(
        arrival=np.array(arrival, dtype=float),
        stream=col(stream, np.int16),
        priority=col(priority, np.int8),
        deflected=np.zeros(n, dtype=bool),
        patience=col(patience, float),
        handle=col(handle, float),
        escalate=col(escalate, bool),
        escalation_handle=np.full(n, escalation_handle),
        reopen=np.zeros(n, dtype=bool),
        n_extra=n_extra,
        extra_start=np.concatenate(([0], np.cumsum(n_extra)[:-1])).astype(np.int64),
        extra_handle=np.array([h for e in extra for _, h in e], dtype=float),
        extra_gap=np.array([g for e in extra for g, _ in e], dtype=float),
    )


@pytest.fixture
def shared_data() -> Path:
    """The shared reference data folder, or a skip when this checkout has none."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent (only in full checkouts)")
    return SHARED_DATA
