"""Back-test: replay a ticket log through the simulator and compare with what happened.

Role: given normalised tickets (``scenarios.ticket_import.read_tickets``) and a scenario
fitted to them over the observed dates (``fit_scenario(..., horizon="observed")``):

1. ``observed_staffing`` infers the agents on shift from the log: an agent counts as on
   shift in an interval (an hour by default) when they served a ticket in it; each
   agent's consecutive active intervals become one shift window, available throughout.
   The log shows only busy time, so this errs both ways: an agent logged in who served
   nobody in an interval is missed, and breaks, after-call work and other tasks inside an
   active interval are invisible, so availability is overstated where agents were busy
   elsewhere. ``drop_idle_while_waiting`` also takes an agent off while they were idle in
   the log with customers waiting (they were evidently not available then).
2. ``replay_tickets`` turns the log into the engine's tickets: actual arrival (queue entry)
   times; actual handle times of answered tickets, fitted draws for abandoned ones;
   patience = the observed wait for abandoned tickets, and for answered tickets the wait
   plus a draw of the fitted patience -- the fitted patience conditioned on exceeding the
   observed wait, which is exact for the exponential patience the import fits (memoryless:
   P(T > w + s | T > w) = P(T > s)).
3. ``run_backtest`` simulates replications (``sim.engine.simulate``) and tabulates, per
   day and per hour (local to the scenario's horizon), actual against simulated service
   level (answered within the target; abandoned tickets count as misses), mean wait of
   answered tickets (minutes), and abandonment rate, with the errors (simulated - actual).

Tickets that left before reaching the agent queue (abandoned with zero wait, such as
callers hanging up in the IVR) are left out of both sides: staffing cannot change them.
A log written by the engine itself replays with no error (tests/test_backtest.py), so the
errors measured on real logs are the real centre's departures from the model (agent
availability, queue discipline, skills), not artefacts of the replay.
No printing and no files here. Must not import ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from scenarios.calendar import horizon_minutes, horizon_origin
from scenarios.schema import Scenario
from scenarios.ticket_import import TicketImportError
from sim.agents import SHIFT_COLUMNS, Staffing
from sim.demand import PRIORITIES, Tickets, draw_durations, stream_seed
from sim.engine import OUTCOME_ABANDONED, simulate

__all__ = [
    "DEFAULT_TARGET_MINUTES",
    "backtest_lines",
    "observed_staffing",
    "replay_tickets",
    "run_backtest",
    "summarize_backtest",
]

DEFAULT_TARGET_MINUTES = 1.0
"""Answer-time target where the scenario has no service level for a queue (60 s)."""

METRICS = ("service_level", "mean_wait_minutes", "abandonment")


def _minutes_since(times: pd.Series, origin: pd.Timestamp) -> np.ndarray:
    return np.asarray((times - origin).dt.total_seconds().to_numpy(float) / 60.0)


def _merge(starts: np.ndarray, ends: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Union of half-open intervals as sorted, disjoint (starts, ends)."""
    order = np.argsort(starts, kind="stable")
    starts, ends = starts[order], ends[order]
    keep = ends > starts
    starts, ends = starts[keep], ends[keep]
    if len(starts) == 0:
        return starts, ends
    reach = np.maximum.accumulate(ends)
    new = np.ones(len(starts), dtype=bool)
    new[1:] = starts[1:] > reach[:-1]
    return starts[new], np.maximum.reduceat(reach, np.flatnonzero(new))


def _inside(times: np.ndarray, starts: np.ndarray, ends: np.ndarray) -> np.ndarray:
    """Whether each time lies in one of the sorted, disjoint intervals."""
    i = np.searchsorted(starts, times, side="right") - 1
    out = np.zeros(len(times), dtype=bool)
    ok = i >= 0
    out[ok] = times[ok] < ends[i[ok]]
    return out


def _available_windows(
    on_start: np.ndarray,
    on_end: np.ndarray,
    busy_start: np.ndarray,
    busy_end: np.ndarray,
    queue_start: np.ndarray,
    queue_end: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """On-shift time minus the idle time during which customers were waiting:
    on AND (busy OR no queue), as sorted, disjoint windows."""
    ws, we = _merge(on_start, on_end)
    bs, be = _merge(busy_start, busy_end)
    edges = np.unique(np.concatenate([ws, we, bs, be, queue_start, queue_end]))
    mid = (edges[:-1] + edges[1:]) / 2
    keep = _inside(mid, ws, we) & (_inside(mid, bs, be) | ~_inside(mid, queue_start, queue_end))
    return _merge(edges[:-1][keep], edges[1:][keep])


def _team_index(scenario: Scenario) -> int:
    """The first team whose languages and channels cover every stream."""
    needed = {(s.language, s.channel) for s in scenario.demand.streams}
    for i, team in enumerate(scenario.teams):
        if all(lang in team.languages and ch in team.channels for lang, ch in needed):
            return i
    raise TicketImportError(
        f"scenario {scenario.name!r}: no team speaks every stream's language on its channel "
        f"(needed {sorted(needed)}); the back-test puts the observed agents in one such team"
    )


def observed_staffing(
    tickets: pd.DataFrame,
    scenario: Scenario,
    interval_minutes: float = 60.0,
    drop_idle_while_waiting: bool = False,
) -> Staffing:
    """Agents on shift per interval, inferred from who served tickets when.

    Parameters
    ----------
    tickets
        Normalised tickets with ``agent``, ``first_response`` and ``handle_minutes``.
    scenario
        Gives the horizon (origin, length, time zone) and the team the agents join (the
        first team with every stream's skills).
    interval_minutes
        Resolution of the inference: an agent is on shift for a whole interval in which
        they were serving at any moment.
    drop_idle_while_waiting
        False (the plain inference): an agent on shift is available all of the interval.
        True: an agent idle in the log while customers were waiting in the queue was
        evidently not available (after-call work, a break, other tasks) and is taken off
        for that time; availability becomes on-shift AND (serving OR nobody waiting).

    Returns
    -------
    Staffing
        ``agents`` (the log's agent names) and ``shifts`` (one window per run of
        consecutive active intervals, or per available stretch with
        ``drop_idle_while_waiting``; no breaks, nobody absent; times in minutes since the
        horizon origin; ``paid_minutes`` the window length; night, weekend and holiday
        minutes are not split out and are zero).

    Raises
    ------
    TicketImportError
        When the log names no agent or has no handle times.
    """
    served = tickets[
        (tickets["agent"].astype(str) != "")
        & tickets["first_response"].notna()
        & tickets["handle_minutes"].notna()
    ]
    if served.empty:
        raise TicketImportError(
            "the back-test needs answered tickets with an agent and a handle time "
            "(map the agent and handle_seconds/handle_minutes columns)"
        )
    origin = horizon_origin(scenario)
    end = horizon_minutes(scenario)
    team_index = _team_index(scenario)
    team = scenario.teams[team_index].name
    start = _minutes_since(served["first_response"], origin)
    stop = start + served["handle_minutes"].to_numpy(float)
    inside = (stop > 0) & (start < end)
    start, stop = start[inside], stop[inside]
    names = served["agent"].astype(str).to_numpy()[inside]
    first_bin = np.floor(np.maximum(start, 0.0) / interval_minutes).astype(np.int64)
    last_bin = np.floor((np.minimum(np.maximum(stop, start), end) - 1e-9) / interval_minutes)
    last_bin = np.maximum(last_bin.astype(np.int64), first_bin)
    spans = last_bin - first_bin + 1
    rows = np.repeat(np.arange(len(first_bin)), spans)
    offset = np.arange(len(rows)) - np.repeat(np.cumsum(spans) - spans, spans)
    active = pd.DataFrame({"agent": names[rows], "bin": first_bin[rows] + offset})
    active = active.drop_duplicates().sort_values(["agent", "bin"], kind="stable")
    agent = active["agent"].to_numpy()
    bins = active["bin"].to_numpy()
    new_run = np.ones(len(bins), dtype=bool)
    new_run[1:] = (agent[1:] != agent[:-1]) | (bins[1:] != bins[:-1] + 1)
    run_id = np.cumsum(new_run) - 1
    runs = (
        pd.DataFrame({"agent": agent, "bin": bins, "run": run_id})
        .groupby("run")
        .agg(agent=("agent", "first"), first=("bin", "min"), last=("bin", "max"))
    )
    names_sorted = sorted(runs["agent"].unique())
    index = {name: i for i, name in enumerate(names_sorted)}
    shift_agent = runs["agent"].to_numpy()
    shift_start = runs["first"].to_numpy(float) * interval_minutes
    shift_end = np.minimum((runs["last"].to_numpy(float) + 1) * interval_minutes, end)
    if drop_idle_while_waiting:
        queued = _minutes_since(tickets["queued"], origin)
        wait = tickets["wait_minutes"].to_numpy(float)
        waited = np.isfinite(wait) & (wait > 0)
        qs, qe = _merge(queued[waited], queued[waited] + wait[waited])
        parts = []
        for name in names_sorted:
            mine_on = shift_agent == name
            mine_busy = names == name
            a, b = _available_windows(
                shift_start[mine_on], shift_end[mine_on], start[mine_busy], stop[mine_busy], qs, qe
            )
            parts.append((np.full(len(a), name, dtype=object), a, b))
        shift_agent = np.concatenate([p[0] for p in parts])
        shift_start = np.concatenate([p[1] for p in parts])
        shift_end = np.concatenate([p[2] for p in parts])
    local_start = (origin + pd.to_timedelta(shift_start, unit="min")).tz_convert(
        scenario.horizon.timezone
    )
    n = len(shift_start)
    shifts = pd.DataFrame(
        {
            "agent": shift_agent,
            "agent_index": np.array([index[a] for a in shift_agent], dtype=np.int32),
            "team": team,
            "team_index": team_index,
            "date": local_start.date,
            "start": shift_start,
            "end": shift_end,
            "break_start": shift_start,
            "break_end": shift_start,
            "absent": np.zeros(n, dtype=bool),
            "paid_minutes": shift_end - shift_start,
            "night_minutes": np.zeros(n),
            "weekend_minutes": np.zeros(n),
            "holiday_minutes": np.zeros(n),
            "night": np.zeros(n, dtype=bool),
        },
        columns=SHIFT_COLUMNS,
    )
    shifts = shifts.sort_values(["agent_index", "start"], kind="stable").reset_index(drop=True)
    agents = pd.DataFrame(
        {"agent": names_sorted, "team": team, "team_index": team_index},
        columns=["agent", "team", "team_index"],
    )
    return Staffing(agents=agents, shifts=shifts)


def _replay_frame(tickets: pd.DataFrame, scenario: Scenario) -> pd.DataFrame:
    """Tickets that joined the agent queue inside the horizon, sorted, with stream and
    priority indexes and the answer-time target."""
    origin = horizon_origin(scenario)
    frame = tickets.copy()
    frame["arrival"] = _minutes_since(frame["queued"], origin)
    end = horizon_minutes(scenario)
    before_queue = frame["abandoned"].to_numpy(bool) & (frame["wait_minutes"].to_numpy(float) <= 0)
    keep = (frame["arrival"] >= 0) & (frame["arrival"] < end) & ~before_queue
    frame = frame[keep].sort_values("arrival", kind="stable").reset_index(drop=True)
    if frame.empty:
        raise TicketImportError(
            f"no tickets joined the agent queue between {scenario.horizon.start} and the "
            f"end of the scenario's {scenario.horizon.weeks:g}-week horizon"
        )
    if frame["wait_minutes"].isna().any():
        raise TicketImportError(
            "the back-test needs the queue wait of every ticket (a first-response time, or "
            "wait_seconds/wait_minutes)"
        )
    key = {(s.language, s.channel, s.region): i for i, s in enumerate(scenario.demand.streams)}
    triples = list(
        zip(
            frame["language"].astype(str),
            frame["channel"].astype(str),
            frame["region"].astype(str),
            strict=True,
        )
    )
    missing = sorted({t for t in triples if t not in key})
    if missing:
        raise TicketImportError(
            f"scenario {scenario.name!r} has no stream for (language, channel, region) "
            f"{missing[:3]} (expected the scenario fitted to these tickets)"
        )
    frame["stream"] = np.array([key[t] for t in triples], dtype=np.int16)
    frame["priority_index"] = np.array(
        [PRIORITIES.index(p) for p in frame["priority"].astype(str)], dtype=np.int8
    )
    for s_i, p_i in set(zip(frame["stream"], frame["priority_index"], strict=True)):
        stream = scenario.demand.streams[s_i]
        if PRIORITIES[p_i] not in stream.priority_mix:
            raise TicketImportError(
                f"stream {stream.name!r} has no {PRIORITIES[p_i]!r} priority in its mix "
                "(expected the scenario fitted to these tickets)"
            )
    targets = {}
    for s in scenario.demand.streams:
        for p in PRIORITIES:
            sl = scenario.service_level_for(s.language, s.channel, p)
            targets[(s.language, s.channel, p)] = (
                sl.answer_within if sl is not None else DEFAULT_TARGET_MINUTES
            )
    frame["target_minutes"] = [
        targets[(lang, ch, p)]
        for lang, ch, p in zip(
            frame["language"].astype(str),
            frame["channel"].astype(str),
            frame["priority"].astype(str),
            strict=True,
        )
    ]
    return frame


def _tickets_from_frame(
    frame: pd.DataFrame, scenario: Scenario, seed: int, replication: int
) -> Tickets:
    n = len(frame)
    rng = np.random.default_rng(stream_seed(seed, replication, "backtest", "draws"))
    handle = frame["handle_minutes"].to_numpy(float).copy()
    patience = np.full(n, np.inf)
    abandoned = frame["abandoned"].to_numpy(bool)
    wait = frame["wait_minutes"].to_numpy(float)
    channels = frame["channel"].astype(str).to_numpy()
    for channel in np.unique(channels):
        mine = channels == channel
        spec = scenario.channel(str(channel))
        need = mine & ~np.isfinite(handle)
        handle[need] = draw_durations(rng, spec.handle_minutes, int(need.sum()), "lognormal")
        if scenario.is_live(str(channel)):
            patience[mine & abandoned] = wait[mine & abandoned]
            served = mine & ~abandoned
            if spec.patience_minutes is not None:
                extra = draw_durations(rng, spec.patience_minutes, int(served.sum()), "exponential")
                patience[served] = wait[served] + extra
    empty_f = np.zeros(0)
    return Tickets(
        arrival=frame["arrival"].to_numpy(float),
        stream=frame["stream"].to_numpy(np.int16),
        priority=frame["priority_index"].to_numpy(np.int8),
        deflected=np.zeros(n, dtype=bool),
        patience=patience,
        handle=np.maximum(handle, 0.0),
        escalate=np.zeros(n, dtype=bool),
        escalation_handle=np.zeros(n),
        reopen=np.zeros(n, dtype=bool),
        n_extra=np.zeros(n, dtype=np.int32),
        extra_start=np.zeros(n, dtype=np.int64),
        extra_handle=empty_f,
        extra_gap=empty_f,
    )


def replay_tickets(
    tickets: pd.DataFrame, scenario: Scenario, seed: int | None = None, replication: int = 0
) -> Tickets:
    """The log's tickets as the engine's :class:`~sim.demand.Tickets` (see module notes).

    Parameters
    ----------
    tickets
        Normalised tickets.
    scenario
        The scenario fitted to them over the observed dates (streams, channels, horizon).
    seed, replication
        Seed of the draws (handle times of abandoned tickets, patience of answered ones);
        default the scenario's seed.

    Returns
    -------
    Tickets
        Sorted by arrival (queue entry, minutes since the horizon origin); tickets outside
        the horizon and those that left before the agent queue are left out.
    """
    frame = _replay_frame(tickets, scenario)
    return _tickets_from_frame(
        frame, scenario, scenario.seed if seed is None else seed, replication
    )


def _group_metrics(
    keys: np.ndarray, met: np.ndarray, answered: np.ndarray, wait: np.ndarray, abandoned: np.ndarray
) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            "period": keys,
            "met": met.astype(float),
            "abandoned": abandoned.astype(float),
            "answered_wait": np.where(answered, wait, np.nan),
        }
    )
    g = frame.groupby("period", sort=True)
    return pd.DataFrame(
        {
            "tickets": g.size(),
            "service_level": g["met"].mean(),
            "mean_wait_minutes": g["answered_wait"].mean(),
            "abandonment": g["abandoned"].mean(),
        }
    )


def _agent_hours(staffing: Staffing, origin: pd.Timestamp, zone: str, level: str) -> pd.Series:
    """Agent-hours on shift per local day or hour."""
    s = staffing.shifts
    if s.empty:
        return pd.Series(dtype=float)
    starts = s["start"].to_numpy(float)
    ends = s["end"].to_numpy(float)
    edges = np.arange(np.floor(starts.min() / 60) * 60, ends.max() + 60, 60.0)
    on = np.zeros(len(edges) - 1)
    for a, b in zip(starts, ends, strict=True):
        lo = np.clip(edges[:-1], a, b)
        hi = np.clip(edges[1:], a, b)
        on += (hi - lo) / 60.0
    local = (origin + pd.to_timedelta(edges[:-1], unit="min")).tz_convert(zone)
    key = local.strftime("%Y-%m-%d") if level == "day" else local.strftime("%Y-%m-%d %H:00")
    return pd.Series(on, index=key).groupby(level=0).sum()


def run_backtest(
    tickets: pd.DataFrame,
    scenario: Scenario,
    replications: int = 5,
    seed: int | None = None,
    interval_minutes: float = 60.0,
    drop_idle_while_waiting: bool = False,
) -> pd.DataFrame:
    """Simulate the log's own arrivals against its own staffing and compare.

    Parameters
    ----------
    tickets
        Normalised tickets (with agents, handle times and waits).
    scenario
        Fitted to the tickets over the observed dates
        (``fit_scenario(tickets, name, horizon="observed")``); its service levels give the
        answer-time target of each queue (60 s where none applies).
    replications
        Simulated replications; they differ only in the drawn patience of answered
        tickets and handle times of abandoned ones.
    seed
        Default: the scenario's seed.
    interval_minutes, drop_idle_while_waiting
        How staffing is inferred (:func:`observed_staffing`).

    Returns
    -------
    pandas.DataFrame
        One row per ``level`` ("day" or "hour") and ``period`` (local ``YYYY-MM-DD`` or
        ``YYYY-MM-DD HH:00``), plus one ``level="total"`` row: ``tickets`` (joined the agent
        queue), ``agent_hours`` (inferred, on shift), ``target_minutes``, and for each metric
        (``service_level``, ``mean_wait_minutes`` of answered tickets, ``abandonment``
        rate) ``actual_<m>``, ``sim_<m>`` (mean over replications) and ``<m>_error``
        (simulated - actual). ``attrs["unit"]`` gives units; ``attrs["replications"]``,
        ``attrs["agents"]`` and ``attrs["left_before_queue"]`` the context.
    """
    if replications < 1:
        raise ValueError(f"replications={replications}, expected 1 or more")
    seed = scenario.seed if seed is None else seed
    staffing = observed_staffing(tickets, scenario, interval_minutes, drop_idle_while_waiting)
    frame = _replay_frame(tickets, scenario)
    origin = horizon_origin(scenario)
    zone = scenario.horizon.timezone
    local = frame["queued"].dt.tz_convert(zone)
    keys = {
        "day": local.dt.strftime("%Y-%m-%d").to_numpy(),
        "hour": local.dt.strftime("%Y-%m-%d %H:00").to_numpy(),
        "total": np.full(len(frame), "all"),
    }
    target = frame["target_minutes"].to_numpy(float)
    wait = frame["wait_minutes"].to_numpy(float)
    abandoned = frame["abandoned"].to_numpy(bool)
    answered = ~abandoned & frame["first_response"].notna().to_numpy()
    met = answered & (wait <= target + 1e-9)
    actual = {lvl: _group_metrics(k, met, answered, wait, abandoned) for lvl, k in keys.items()}

    sims: dict[str, list[pd.DataFrame]] = {lvl: [] for lvl in keys}
    for r in range(replications):
        replay = _tickets_from_frame(frame, scenario, seed, r)
        result = simulate(scenario, replay, staffing, seed, r)
        s_wait = result.first_response - replay.arrival
        s_answered = np.isfinite(s_wait)
        s_abandoned = result.outcome == OUTCOME_ABANDONED
        s_met = s_answered & (s_wait <= target + 1e-9)
        for lvl, k in keys.items():
            sims[lvl].append(_group_metrics(k, s_met, s_answered, s_wait, s_abandoned))

    tables = []
    for lvl in keys:
        act = actual[lvl]
        sim = pd.concat(sims[lvl]).groupby(level=0).mean()
        table = pd.DataFrame({"level": lvl, "period": act.index, "tickets": act["tickets"]})
        if lvl == "total":
            hours = _agent_hours(staffing, origin, zone, "day").sum()
            table["agent_hours"] = hours
        else:
            table["agent_hours"] = _agent_hours(staffing, origin, zone, lvl).reindex(act.index)
        table["target_minutes"] = (
            pd.Series(target).groupby(keys[lvl]).mean().reindex(act.index).to_numpy()
        )
        for m in METRICS:
            table[f"actual_{m}"] = act[m]
            table[f"sim_{m}"] = sim[m].reindex(act.index)
            table[f"{m}_error"] = table[f"sim_{m}"] - table[f"actual_{m}"]
        tables.append(table.reset_index(drop=True))
    out = pd.concat(tables, ignore_index=True)
    out["agent_hours"] = out["agent_hours"].fillna(0.0)
    out.attrs["unit"] = {
        "service_level": "share",
        "mean_wait_minutes": "min",
        "abandonment": "share",
        "agent_hours": "h",
        "target_minutes": "min",
    }
    out.attrs["replications"] = replications
    out.attrs["drop_idle_while_waiting"] = drop_idle_while_waiting
    out.attrs["agents"] = len(staffing.agents)
    out.attrs["left_before_queue"] = int(
        (tickets["abandoned"].to_numpy(bool) & (tickets["wait_minutes"].to_numpy(float) <= 0)).sum()
    )
    return out


def summarize_backtest(table: pd.DataFrame, min_hour_tickets: int = 20) -> dict[str, Any]:
    """Error statistics of a back-test table.

    For days: mean error (bias, simulated - actual) and mean absolute error over days; for
    hours: the same, weighted by tickets, over hours with at least ``min_hour_tickets``
    tickets (quiet hours are noise); and the whole-period totals.
    """
    out: dict[str, Any] = {}
    total = table[table["level"] == "total"].iloc[0]
    out["total"] = {
        m: {"actual": float(total[f"actual_{m}"]), "sim": float(total[f"sim_{m}"])} for m in METRICS
    }
    out["tickets"] = int(total["tickets"])
    for lvl in ("day", "hour"):
        rows = table[table["level"] == lvl]
        if lvl == "hour":
            rows = rows[rows["tickets"] >= min_hour_tickets]
        weights = rows["tickets"].to_numpy(float) if lvl == "hour" else np.ones(len(rows))
        stats: dict[str, Any] = {"periods": len(rows)}
        for m in METRICS:
            err = rows[f"{m}_error"].to_numpy(float)
            ok = np.isfinite(err)
            w = weights[ok]
            stats[m] = {
                "bias": float(np.average(err[ok], weights=w)) if ok.any() else float("nan"),
                "mae": float(np.average(np.abs(err[ok]), weights=w)) if ok.any() else float("nan"),
                "max_abs": float(np.abs(err[ok]).max()) if ok.any() else float("nan"),
            }
        out[lvl] = stats
    return out


def backtest_lines(table: pd.DataFrame, summary: dict[str, Any] | None = None) -> list[str]:
    """A plain-text daily table and the error summary, for a terminal or a report."""
    summary = summary or summarize_backtest(table)
    days = table[table["level"] == "day"]
    lines = [
        f"{'day':<11} {'tickets':>7} {'agent-h':>7}  {'SL act':>6} {'SL sim':>6}  "
        f"{'wait act':>8} {'wait sim':>8}  {'aband act':>9} {'aband sim':>9}",
    ]
    for row in days.itertuples(index=False):
        lines.append(
            f"{row.period:<11} {row.tickets:>7d} {row.agent_hours:>7.0f}  "
            f"{row.actual_service_level:>6.1%} {row.sim_service_level:>6.1%}  "
            f"{row.actual_mean_wait_minutes:>8.2f} {row.sim_mean_wait_minutes:>8.2f}  "
            f"{row.actual_abandonment:>9.1%} {row.sim_abandonment:>9.1%}"
        )
    t = summary["total"]
    lines.append(
        f"{'all':<11} {summary['tickets']:>7d} {'':>7}  {t['service_level']['actual']:>6.1%} "
        f"{t['service_level']['sim']:>6.1%}  {t['mean_wait_minutes']['actual']:>8.2f} "
        f"{t['mean_wait_minutes']['sim']:>8.2f}  {t['abandonment']['actual']:>9.1%} "
        f"{t['abandonment']['sim']:>9.1%}"
    )
    for lvl, label in (("day", "days"), ("hour", "busy hours")):
        s = summary[lvl]
        lines.append(
            f"error over {s['periods']} {label} (simulated - actual): service level bias "
            f"{s['service_level']['bias']:+.1%} MAE {s['service_level']['mae']:.1%}; mean wait "
            f"bias {s['mean_wait_minutes']['bias']:+.2f} MAE {s['mean_wait_minutes']['mae']:.2f} "
            f"min; abandonment bias {s['abandonment']['bias']:+.1%} MAE "
            f"{s['abandonment']['mae']:.1%}"
        )
    return lines
