"""Requirements: agents needed per interval and queue, from queueing formulas.

For each queue (language, channel, priority, tier) and planning interval:

- phone: Erlang C on the expected arrival rate, or Erlang A when the channel has a
  patience; the smallest head count meeting the queue's service level;
- chat: the same on conversation slots (an agent holds ``concurrency`` chats), divided by
  the concurrency and rounded up;
- email and tier-2 work: deadline-based workload. The work arriving in the last
  ``answer_within`` (first touch, later touches, reopens) may wait up to the target, so the
  requirement is that window's average workload in Erlangs; where no target applies, the
  window is 4 hours. Deadline work is divisible among agents over the window, so its
  requirement is fractional (agents on average), as planners' requirement tables show it.

Every requirement is also capped by ``labor_rules.max_occupancy`` (at least
load / max_occupancy agents: the burnout guard) and given twice: ``required`` (agents
available to take tickets) and ``required_scheduled`` (inflated by shrinkage: agents to put
on the schedule). Must not import simpy, ``sim.engine`` or ``reports``.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.calendar import horizon_origin
from scenarios.schema import Scenario, ServiceLevel
from sim.demand import CELL_MINUTES, PRIORITIES, expected_arrivals
from sim.staffing import staff_erlang_a, staff_erlang_c

DEFAULT_WINDOW_MINUTES = 240.0


def queue_arrivals(scenario: Scenario) -> dict[tuple[str, str, str], np.ndarray]:
    """Expected arrivals per planning interval for every tier-1 queue."""
    minutes = scenario.horizon.interval_minutes
    cells_per_interval = minutes // CELL_MINUTES if minutes >= CELL_MINUTES else 1
    frame = expected_arrivals(scenario)
    out: dict[tuple[str, str, str], np.ndarray] = {}
    for stream in scenario.demand.streams:
        rate = frame.loc[frame["stream"] == stream.name, "arrivals"].to_numpy()
        if minutes >= CELL_MINUTES:
            per_interval = rate.reshape(-1, cells_per_interval).sum(axis=1)
        else:
            per_interval = np.repeat(rate / (CELL_MINUTES // minutes), CELL_MINUTES // minutes)
        for priority in PRIORITIES:
            share = stream.priority_mix.get(priority, 0.0)  # type: ignore[call-overload]
            if share <= 0:
                continue
            key = (stream.language, stream.channel, priority)
            out[key] = out.get(key, 0.0) + per_interval * share
    return out


def live_agents_needed(
    scenario: Scenario, channel: str, rate: np.ndarray, sl: ServiceLevel | None
) -> tuple[np.ndarray, np.ndarray]:
    """Agents a phone or chat queue needs per interval, and its load in Erlangs.

    Reopened tickets come back as extra work on the same queue, so they count as extra
    arrivals. Erlang A when the channel has a patience, Erlang C otherwise; chat on
    conversation slots (``concurrency`` per agent), rounded up to whole agents; with no
    service level, the occupancy cap alone.

    Parameters
    ----------
    rate : numpy.ndarray
        Arrivals per minute in each interval.
    """
    rules = scenario.labor_rules
    spec = scenario.channel(channel)
    handle = spec.handle_minutes.mean
    slots = scenario.concurrency(channel)
    offered = rate * (1 + scenario.reopen_rate)
    if sl is None:
        servers = np.ceil(offered * handle / rules.max_occupancy - 1e-9)
    elif spec.patience_minutes is not None:
        servers = staff_erlang_a(
            offered,
            handle,
            spec.patience_minutes.mean,
            sl.answer_within,
            sl.goal,
            rules.max_occupancy,
        )
    else:
        servers = staff_erlang_c(offered, handle, sl.answer_within, sl.goal, rules.max_occupancy)
    required = np.ceil(np.asarray(servers, dtype=float) / slots - 1e-9)
    return required, offered * handle / slots


def _window_workload(erlangs: np.ndarray, window_minutes: float, interval: int) -> np.ndarray:
    """Trailing mean of workload over the window in which work may wait (Erlangs)."""
    k = max(1, round(window_minutes / interval))
    padded = np.concatenate([np.zeros(k - 1), erlangs])
    kernel = np.ones(k) / k
    return np.convolve(padded, kernel, mode="valid")


def interval_requirements(scenario: Scenario) -> pd.DataFrame:
    """Agents required per interval and queue.

    Returns
    -------
    pandas.DataFrame
        ``interval_start`` (UTC), ``queue``, ``language``, ``channel``, ``priority``,
        ``tier``, ``arrivals`` (expected tickets in the interval), ``workload``
        (Erlangs), ``required`` and ``required_scheduled`` (agents).
    """
    interval = scenario.horizon.interval_minutes
    rules = scenario.labor_rules
    origin = horizon_origin(scenario)
    frames = []
    arrivals = queue_arrivals(scenario)
    esc = scenario.escalation
    tier2: dict[tuple[str, str, str], np.ndarray] = {}
    for (language, channel, priority), counts in arrivals.items():
        spec = scenario.channel(channel)
        rate = counts / interval  # per minute
        sl = scenario.service_level_for(language, channel, priority)
        handle = spec.handle_minutes.mean
        if not scenario.is_live(channel):
            touches = spec.touches + scenario.reopen_rate
            erlangs = rate * handle * touches
            window = sl.answer_within if sl else DEFAULT_WINDOW_MINUTES
            load = _window_workload(erlangs, window, interval)
            required = load / rules.max_occupancy
        else:
            required, load = live_agents_needed(scenario, channel, rate, sl)
        if esc is not None and esc.rate > 0:
            tier2[(language, channel, priority)] = rate * esc.rate * esc.handle_minutes.mean
        frames.append(
            _frame(origin, interval, language, channel, priority, 1, counts, load, required)
        )
    for (language, channel, priority), erlangs in tier2.items():
        load = _window_workload(erlangs, DEFAULT_WINDOW_MINUTES, interval)
        required = load / rules.max_occupancy
        assert esc is not None
        counts = arrivals[(language, channel, priority)] * esc.rate
        frames.append(
            _frame(
                origin, interval, language, channel, priority, esc.to_tier, counts, load, required
            )
        )
    table = pd.concat(frames, ignore_index=True)
    table["required_scheduled"] = table["required"] / (1 - scenario.shrinkage)
    table.attrs["unit"] = {"required": "agents", "workload": "Erlangs"}
    return table


def _frame(
    origin: pd.Timestamp,
    interval: int,
    language: str,
    channel: str,
    priority: str,
    tier: int,
    counts: np.ndarray,
    load: np.ndarray,
    required: np.ndarray,
) -> pd.DataFrame:
    label = f"{language}/{channel}/{priority}" + ("" if tier == 1 else f"/tier{tier}")
    return pd.DataFrame(
        {
            "interval_start": origin
            + pd.to_timedelta(np.arange(len(counts)) * interval, unit="min"),
            "queue": label,
            "language": language,
            "channel": channel,
            "priority": priority,
            "tier": tier,
            "arrivals": counts,
            "workload": load,
            "required": required.astype(float),
        }
    )
