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

from collections.abc import Sequence

import numpy as np
import pandas as pd

from optimizer.solver import OptimizerError
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


# --------------------------------------------------------------------------- queue groups


def group_of_queue(language: str, channel: str, tier: int = 1) -> str:
    """The schedule's queue-group label of a queue: ``"<language>/<channel>"`` for tier 1
    (e.g. ``"en/phone"``) and ``"<language>/<channel>/tier<N>"`` above (``"en/email/tier2"``).

    Priorities of one language, channel and tier share a group (their agents are shared).
    """
    return f"{language}/{channel}" + ("" if int(tier) == 1 else f"/tier{int(tier)}")


def _strictest(levels: Sequence[ServiceLevel | None]) -> ServiceLevel | None:
    """The strictest service level: shortest threshold first, then the highest goal."""
    found = [sl for sl in levels if sl is not None]
    if not found:
        return None
    return min(found, key=lambda sl: (sl.answer_within, -sl.goal))


def group_requirements(scenario: Scenario, *, pooled: bool = True) -> pd.DataFrame:
    """Available agents required per interval and queue group (language, channel, tier).

    Parameters
    ----------
    scenario : Scenario
        The scenario.
    pooled : bool, default True
        For phone and chat, compute the requirement on the pooled arrivals of the group's
        priorities with the group's strictest service level (agents serve all priorities of
        a group, so they are shared: fewer agents than the sum of per-priority needs), with
        reopened tickets added to the arrivals.  When
        false, or for email and tier-2 work (deadline workload, which adds up), the group's
        requirement is the sum of its queues' requirements.

    Returns
    -------
    pandas.DataFrame
        ``interval_start`` (UTC), ``group``, ``language``, ``channel``, ``tier``,
        ``arrivals`` (expected tickets), ``required`` (available agents) and
        ``required_scheduled`` (inflated by shrinkage); ``attrs["unit"]`` names units.
    """
    per_queue = interval_requirements(scenario)
    keys = ["interval_start", "language", "channel", "tier"]
    table = (
        per_queue.groupby(keys, sort=True, as_index=False)[["arrivals", "required"]]
        .sum()
        .reset_index(drop=True)
    )
    if pooled:
        interval = scenario.horizon.interval_minutes
        arrivals = queue_arrivals(scenario)
        pooled_counts: dict[tuple[str, str], np.ndarray] = {}
        levels: dict[tuple[str, str], list[ServiceLevel | None]] = {}
        for (language, channel, priority), counts in arrivals.items():
            if not scenario.is_live(channel):
                continue
            key = (language, channel)
            pooled_counts[key] = pooled_counts.get(key, 0.0) + counts
            levels.setdefault(key, []).append(
                scenario.service_level_for(language, channel, priority)
            )
        for (language, channel), counts in pooled_counts.items():
            sl = _strictest(levels[(language, channel)])
            required, _ = live_agents_needed(scenario, channel, counts / interval, sl)
            mask = (
                (table["language"] == language)
                & (table["channel"] == channel)
                & (table["tier"] == 1)
            ).to_numpy()
            table.loc[mask, "required"] = required.astype(float)
    table.insert(
        1,
        "group",
        [
            group_of_queue(lang, ch, int(tier))
            for lang, ch, tier in zip(
                table["language"], table["channel"], table["tier"], strict=True
            )
        ],
    )
    table["required_scheduled"] = table["required"] / (1 - scenario.shrinkage)
    table.attrs["unit"] = {"required": "agents", "arrivals": "tickets"}
    return table


def boost_requirements(requirements: pd.DataFrame, boost: pd.DataFrame) -> pd.DataFrame:
    """A :func:`group_requirements` table with ``boost.extra`` added to ``required`` (and,
    inflated by the same shrinkage, to ``required_scheduled``) per interval and group.

    Parameters
    ----------
    requirements : pandas.DataFrame
        From :func:`group_requirements`.
    boost : pandas.DataFrame
        ``interval_start`` (UTC Timestamp), ``group`` (see :func:`group_of_queue`),
        ``extra`` (available agents).

    Returns
    -------
    pandas.DataFrame
        A copy; ``attrs["boost"]`` holds the total extra agent-intervals.

    Raises
    ------
    OptimizerError
        When a column is missing, a group is unknown or an interval is not on the grid.
    """
    missing = {"interval_start", "group", "extra"} - set(boost.columns)
    if missing:
        raise OptimizerError(
            f"requirement_boost: missing column(s) {sorted(missing)} "
            "(expected interval_start, group, extra)"
        )
    out = requirements.copy()
    if not len(boost):
        return out
    extra = boost.assign(interval_start=pd.to_datetime(boost["interval_start"], utc=True))
    extra = extra.groupby(["interval_start", "group"], as_index=False)["extra"].sum()
    known = set(out["group"])
    unknown = sorted(set(extra["group"]) - known)
    if unknown:
        raise OptimizerError(
            f"requirement_boost: unknown group(s) {unknown} (expected one of {sorted(known)})"
        )
    key = pd.MultiIndex.from_frame(out[["interval_start", "group"]])
    pos = key.get_indexer(pd.MultiIndex.from_frame(extra[["interval_start", "group"]]))
    if (pos < 0).any():
        bad = extra.loc[pos < 0, "interval_start"].iloc[0]
        raise OptimizerError(
            f"requirement_boost: interval_start {bad} is not on the scenario's interval grid"
        )
    add = np.zeros(len(out))
    np.add.at(add, pos, extra["extra"].to_numpy(float))
    ratio = out["required_scheduled"] / out["required"].where(out["required"] > 0)
    shrink = ratio.fillna(out["required_scheduled"].sum() / max(out["required"].sum(), 1e-9))
    out["required"] = np.maximum(out["required"].to_numpy(float) + add, 0.0)
    out["required_scheduled"] = out["required_scheduled"] + add * shrink.to_numpy(float)
    out.attrs = dict(requirements.attrs)
    out.attrs["boost"] = float(add.sum())
    return out
