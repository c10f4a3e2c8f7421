"""Marginal value of one more agent-hour, by team and hour of the week.

For every planning interval, team and queue the team serves, the service level with the
agents on shift (c, from the scenario's shifts after breaks and average absence) is
compared with c + 1 using the queueing formulas (Erlang C, or Erlang A where the channel
has a patience; chat on conversation slots; email with its target as the answer time). The
tickets that one more agent would bring within target are the expected arrivals times the
gain; an agent is counted where it helps most (the largest gain among the team's queues,
not the sum, since one person cannot answer everywhere at once). Money: tickets saved x
churn probability x customer value, against the agent-hour's cost with premiums. An
estimate from formulas at planned staffing, not a simulation: the report says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from scenarios.calendar import horizon_minutes, horizon_origin
from scenarios.schema import Scenario
from sim.agents import build_staffing
from sim.demand import CELL_MINUTES, PRIORITIES, expected_arrivals
from sim.queueing import erlang_a, erlang_c_service_level
from sim.workforce import availability_windows


def _service_level(
    scenario: Scenario, channel: str, servers: np.ndarray, rate: np.ndarray, target: float
) -> np.ndarray:
    spec = scenario.channel(channel)
    handle = spec.handle_minutes.mean
    out = np.zeros_like(rate)
    ok = (servers > 0) & (rate > 0)
    if not ok.any():
        return out
    c, lam = servers[ok].astype(int), rate[ok]
    if spec.patience_minutes is not None and scenario.is_live(channel):
        sl = erlang_a(c, lam, handle, spec.patience_minutes.mean, target=target).service_level
    else:
        sl = erlang_c_service_level(c, lam * handle, handle, target)
    out[ok] = np.asarray(sl, dtype=float)
    return out


def marginal_value(scenario: Scenario, seed: int | None = None) -> pd.DataFrame:
    """Per team and hour of week (reporting time zone): tickets within target gained and
    money per extra agent-hour.

    Returns
    -------
    pandas.DataFrame
        ``team``, ``hour_of_week``, ``tickets_saved_per_agent_hour``,
        ``value_per_agent_hour``, ``cost_per_agent_hour``, ``net_per_agent_hour`` (value
        minus cost; positive where one more agent-hour pays for itself).
    """
    seed = scenario.seed if seed is None else seed
    minutes = scenario.horizon.interval_minutes
    n_int = int(horizon_minutes(scenario) // minutes)
    staffing = build_staffing(scenario, seed, 0)
    windows = availability_windows(staffing.shifts)
    grid = (np.arange(n_int) + 0.5) * minutes
    on_shift = np.zeros((n_int, len(scenario.teams)))
    for g in range(len(scenario.teams)):
        w = windows[windows["team_index"] == g]
        starts, ends = np.sort(w["start"].to_numpy()), np.sort(w["end"].to_numpy())
        on_shift[:, g] = np.searchsorted(starts, grid, "right") - np.searchsorted(
            ends, grid, "right"
        )
    arrivals = expected_arrivals(scenario)
    cells = max(1, minutes // CELL_MINUTES)
    skill_servers: dict[tuple[str, str], np.ndarray] = {}
    for g, team in enumerate(scenario.teams):
        if team.tier != 1:
            continue
        for lang in team.languages:
            for ch in team.channels:
                key = (lang, ch)
                skill_servers[key] = skill_servers.get(key, 0) + on_shift[:, g]
    gain = np.zeros((n_int, len(scenario.teams)))
    for stream in scenario.demand.streams:
        counts = arrivals.loc[arrivals["stream"] == stream.name, "arrivals"].to_numpy()
        per_interval = counts[: n_int * cells].reshape(n_int, cells).sum(axis=1)
        slots = scenario.concurrency(stream.channel)
        servers = skill_servers.get((stream.language, stream.channel), np.zeros(n_int))
        for priority in PRIORITIES:
            share = stream.priority_mix.get(priority, 0.0)  # type: ignore[call-overload]
            sl = scenario.service_level_for(stream.language, stream.channel, priority)
            if share <= 0 or sl is None:
                continue
            lam = per_interval * share / minutes
            base = _service_level(scenario, stream.channel, servers * slots, lam, sl.answer_within)
            more = _service_level(
                scenario, stream.channel, (servers + 1) * slots, lam, sl.answer_within
            )
            saved = per_interval * share * np.clip(more - base, 0, None)
            for g, team in enumerate(scenario.teams):
                if (
                    team.tier == 1
                    and stream.language in team.languages
                    and stream.channel in team.channels
                ):
                    gain[:, g] = np.maximum(gain[:, g], saved)
    # Tickets saved per agent-hour: an interval's gain is for one agent over the interval.
    per_hour = gain * (60.0 / minutes)
    origin = horizon_origin(scenario)
    local = (origin + pd.to_timedelta(np.arange(n_int) * minutes, unit="min")).tz_convert(
        scenario.horizon.timezone
    )
    how = np.asarray(local.day_of_week * 24 + local.hour)
    b = scenario.business
    value_per_ticket = (
        b.churn_probability_per_missed_sla * b.customer_monthly_value * b.value_months
    )
    frames = []
    for g, team in enumerate(scenario.teams):
        frame = pd.DataFrame({"hour_of_week": how, "saved": per_hour[:, g]})
        table = frame.groupby("hour_of_week", as_index=False)["saved"].mean()
        table.insert(0, "team", team.name)
        frames.append(table)
    out = pd.concat(frames, ignore_index=True).rename(
        columns={"saved": "tickets_saved_per_agent_hour"}
    )
    out["value_per_agent_hour"] = out["tickets_saved_per_agent_hour"] * value_per_ticket
    cost = {t.name: t.hourly_cost for t in scenario.teams}
    out["cost_per_agent_hour"] = out["team"].map(cost)
    out["net_per_agent_hour"] = out["value_per_agent_hour"] - out["cost_per_agent_hour"]
    return out
