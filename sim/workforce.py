"""Workforce metrics: staffing per interval, coverage gaps, agent-weeks, burnout and cost.

Agent-week rules (an agent-week breaking any of them is "at risk"): hours worked, overtime
included, above ``max_hours_per_week`` plus ``overtime_allowance_hours``; rest between
shifts below ``min_rest_hours``; a run of working days longer than
``max_consecutive_days``; more night shifts than ``max_night_shifts_per_week``; occupancy
above ``max_occupancy``; fewer days off than ``min_days_off_per_week`` (full weeks only).
Weeks follow each agent's local calendar from the horizon's first day. Cost is paid hours
x hourly cost with night, weekend and holiday premiums on the minutes they cover, plus
overtime at ``1 + overtime_premium``; it is also split by language x channel, by the time
each agent spent on each. Must not import SimPy.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from scenarios.calendar import horizon_origin
from scenarios.schema import Scenario
from sim.engine import OUTCOME_DEFLECTED, SimResult

RULES = ("hours", "rest", "consecutive_days", "nights", "occupancy", "days_off")


def availability_windows(shifts: pd.DataFrame) -> pd.DataFrame:
    """Available windows (start, end, team_index, agent_index) of non-absent shifts."""
    s = shifts[~shifts["absent"]]
    has_break = s["break_end"] > s["break_start"]
    first = pd.DataFrame(
        {
            "agent_index": s["agent_index"],
            "team_index": s["team_index"],
            "start": s["start"],
            "end": s["break_start"].where(has_break, s["end"]),
        }
    )
    second = pd.DataFrame(
        {
            "agent_index": s["agent_index"][has_break],
            "team_index": s["team_index"][has_break],
            "start": s["break_end"][has_break],
            "end": s["end"][has_break],
        }
    )
    return pd.concat([first, second], ignore_index=True)


def staffed_by_team(scenario: Scenario, result: SimResult) -> np.ndarray:
    """Mean agents available per interval and team (array intervals x teams).

    Exact time average: the integral of the on-shift count over each interval, divided by
    the interval length.
    """
    minutes = scenario.horizon.interval_minutes
    n_int = int(result.horizon_minutes // minutes)
    grid = np.arange(n_int + 1) * float(minutes)
    w = availability_windows(result.staffing.shifts)
    out = np.zeros((n_int, len(scenario.teams)))
    for g in range(len(scenario.teams)):
        tw = w[w["team_index"] == g]
        if tw.empty:
            continue
        times = np.concatenate([tw["start"], tw["end"]])
        delta = np.concatenate([np.ones(len(tw)), -np.ones(len(tw))])
        order = np.argsort(times, kind="stable")
        times, delta = times[order], delta[order]
        level = np.cumsum(delta)
        area = np.concatenate([[0.0], np.cumsum(level[:-1] * np.diff(times))])
        # Before the first event the count is zero: prepend a flat segment.
        t = np.concatenate([[min(0.0, times[0])], times])
        a = np.concatenate([[0.0], area])
        cumulative = np.interp(grid, t, a)
        cumulative = np.where(grid > times[-1], a[-1], cumulative)
        out[:, g] = np.diff(cumulative) / minutes
    return out


def staffed_table(scenario: Scenario, result: SimResult) -> pd.DataFrame:
    """Agents on shift per interval and skill (language, channel, tier)."""
    by_team = staffed_by_team(scenario, result)
    origin = horizon_origin(scenario)
    minutes = scenario.horizon.interval_minutes
    starts = origin + pd.to_timedelta(np.arange(by_team.shape[0]) * minutes, unit="min")
    skills: dict[tuple[str, str, int], np.ndarray] = {}
    for g, team in enumerate(scenario.teams):
        for lang in team.languages:
            for ch in team.channels:
                key = (lang, ch, team.tier)
                skills[key] = skills.get(key, 0) + by_team[:, g]
    frames = [
        pd.DataFrame(
            {
                "interval_start": starts,
                "language": lang,
                "channel": ch,
                "tier": tier,
                "staffed": np.round(values, 3),
            }
        )
        for (lang, ch, tier), values in skills.items()
    ]
    if not frames:
        return pd.DataFrame(columns=["interval_start", "language", "channel", "tier", "staffed"])
    return pd.concat(frames, ignore_index=True)


def coverage_gaps(
    scenario: Scenario, staffed: pd.DataFrame, result: SimResult
) -> list[dict[str, object]]:
    """Hours per week in which a language x channel that customers use has nobody on shift.

    Also the tickets per week that arrive in those hours (first replication).
    """
    minutes = scenario.horizon.interval_minutes
    n_int = int(result.horizon_minutes // minutes)
    weeks = result.horizon_minutes / (7 * 1440)
    live = result.outcome != OUTCOME_DEFLECTED
    slot = np.minimum((result.tickets.arrival // minutes).astype(np.int64), n_int - 1)
    out = []
    seen = set()
    for s_i, stream in enumerate(scenario.demand.streams):
        key = (stream.language, stream.channel)
        if key in seen:
            continue
        seen.add(key)
        rows = staffed[
            (staffed["language"] == stream.language)
            & (staffed["channel"] == stream.channel)
            & (staffed["tier"] == 1)
        ]
        covered = np.zeros(n_int, dtype=bool)
        if not rows.empty:
            covered = rows["staffed"].to_numpy()[:n_int] > 1e-9
        uncovered = ~covered
        streams_here = [
            i for i, s in enumerate(scenario.demand.streams) if (s.language, s.channel) == key
        ]
        mine = live & np.isin(result.tickets.stream, streams_here)
        in_gap = uncovered[slot[mine]].sum() if mine.any() else 0
        out.append(
            {
                "language": stream.language,
                "channel": stream.channel,
                "hours_per_week_uncovered": round(float(uncovered.sum() * minutes / 60 / weeks), 2),
                "tickets_per_week_in_gaps": round(float(in_gap / weeks), 1),
            }
        )
        del s_i
    return out


def _shift_overtime(result: SimResult) -> np.ndarray:
    """Minutes each shift ran past its end because a touch started in it was unfinished."""
    shifts = result.staffing.shifts
    overtime = np.zeros(len(shifts))
    if len(result.touch_start) == 0 or shifts.empty:
        return overtime
    touches = pd.DataFrame(
        {
            "agent_index": result.touch_agent,
            "start": result.touch_start,
            "end": result.touch_end,
        }
    ).sort_values("start", kind="stable")
    keyed = shifts[["agent_index", "start", "end"]].rename(
        columns={"start": "shift_start", "end": "shift_end"}
    )
    # Work that runs on into the agent's next shift (back-to-back shifts) is not overtime.
    keyed["next_start"] = (
        shifts.sort_values("start").groupby("agent_index")["start"].shift(-1).fillna(np.inf)
    )
    keyed = keyed.assign(shift_row=np.arange(len(shifts))).sort_values("shift_start", kind="stable")
    joined = pd.merge_asof(
        touches,
        keyed,
        left_on="start",
        right_on="shift_start",
        by="agent_index",
        direction="backward",
    )
    joined = joined.dropna(subset=["shift_row"])
    joined["over"] = (np.minimum(joined["end"], joined["next_start"]) - joined["shift_end"]).clip(
        lower=0
    )
    per_shift = joined.groupby("shift_row")["over"].max()
    overtime[per_shift.index.astype(int)] = per_shift.to_numpy()
    return overtime


def agent_weeks(scenario: Scenario, result: SimResult) -> pd.DataFrame:
    """One row per agent-week: hours, occupancy, shifts, nights, rest and rule breaks."""
    rules = scenario.labor_rules
    shifts = result.staffing.shifts.copy()
    agents = result.staffing.agents
    shifts["overtime_minutes"] = _shift_overtime(result)
    worked = shifts[~shifts["absent"]].copy()
    # Weeks follow the agent's local calendar, counted from the horizon's first day.
    first_day = pd.Timestamp(scenario.horizon.start)
    local_day = (pd.to_datetime(worked["date"]) - first_day).dt.days
    worked["week"] = (local_day // 7).clip(lower=0).astype(int)
    worked["available_minutes"] = (
        worked["end"] - worked["start"] - (worked["break_end"] - worked["break_start"])
    )
    # Rest before each shift: gap since the same agent's previous worked shift ended.
    worked = worked.sort_values(["agent_index", "start"], kind="stable")
    prev_end = worked.groupby("agent_index")["end"].shift()
    worked["rest_hours"] = (worked["start"] - prev_end) / 60.0
    worked["rest_violation"] = worked["rest_hours"] < rules.min_rest_hours - 1e-9
    # Consecutive working days (local dates), run length at each shift.
    day_number = pd.to_datetime(worked["date"]).map(pd.Timestamp.toordinal)
    new_run = (day_number.groupby(worked["agent_index"]).diff() != 1).astype(int)
    run_id = new_run.groupby(worked["agent_index"]).cumsum()
    worked["run_length"] = worked.groupby([worked["agent_index"], run_id]).cumcount() + 1
    # Shifts dated before the horizon's first day shape rest and runs, but are no week.
    worked = worked[local_day.loc[worked.index] >= 0]

    busy = (
        pd.DataFrame(
            {
                "agent_index": result.touch_agent,
                "week": (result.touch_start // (7 * 1440)).astype(int),
                "busy": (result.touch_end - result.touch_start) * result.touch_units,
            }
        )
        .groupby(["agent_index", "week"])["busy"]
        .sum()
    )

    g = worked.groupby(["agent_index", "week"])
    table = pd.DataFrame(
        {
            "hours": (g["paid_minutes"].sum() + g["overtime_minutes"].sum()) / 60.0,
            "available_hours": g["available_minutes"].sum() / 60.0,
            "overtime_hours": g["overtime_minutes"].sum() / 60.0,
            "shifts": g.size(),
            "days_worked": g["date"].nunique(),
            "nights": g["night"].sum(),
            "rest_violations": g["rest_violation"].sum(),
            "min_rest_hours": g["rest_hours"].min(),
            "max_consecutive_days": g["run_length"].max(),
        }
    )
    table["busy_hours"] = busy.reindex(table.index).fillna(0.0).to_numpy() / 60.0
    with np.errstate(invalid="ignore", divide="ignore"):
        table["occupancy"] = np.where(
            table["available_hours"] > 0, table["busy_hours"] / table["available_hours"], 0.0
        )
    table = table.reset_index()
    table.insert(0, "agent", agents["agent"].to_numpy()[table["agent_index"]])
    table.insert(1, "team", agents["team"].to_numpy()[table["agent_index"]])
    origin = horizon_origin(scenario)
    table.insert(3, "week_start", (origin + pd.to_timedelta(table["week"] * 7, unit="D")).dt.date)
    full_weeks = int(result.horizon_minutes // (7 * 1440))
    checks = {
        "hours": table["hours"] > rules.max_hours_per_week + rules.overtime_allowance_hours + 1e-9,
        "rest": table["rest_violations"] > 0,
        "consecutive_days": table["max_consecutive_days"] > rules.max_consecutive_days,
        "nights": table["nights"] > rules.max_night_shifts_per_week,
        "occupancy": table["occupancy"] > rules.max_occupancy + 1e-9,
        "days_off": (7 - table["days_worked"] < rules.min_days_off_per_week)
        & (table["week"] < full_weeks),
    }
    broken = pd.DataFrame(checks)
    table["violations"] = (
        broken.apply(lambda row: ";".join(name for name in RULES if row[name]), axis=1)
        if len(table)
        else pd.Series(dtype=str)
    )
    table["at_risk"] = broken.any(axis=1)
    return table.drop(columns=["agent_index"])


def burnout_summary(table: pd.DataFrame, n_agents: int) -> dict[str, object]:
    """Agents, agents with at least one agent-week at risk, and violations by rule."""
    at_risk = table[table["at_risk"]]
    counts = {rule: 0 for rule in RULES}
    for text in at_risk["violations"]:
        for rule in str(text).split(";"):
            if rule:
                counts[rule] += 1
    return {
        "agents": int(n_agents),
        "agents_at_risk": int(at_risk["agent"].nunique()),
        "agent_weeks_at_risk": len(at_risk),
        "violations": int(sum(counts.values())),
        "violations_by_rule": counts,
    }


COST_COLUMNS = ("base", "night_premium", "weekend_premium", "holiday_premium", "overtime")
"""Parts of an agent's pay, in the currency: base pay, premiums, and overtime."""


def shift_costs(scenario: Scenario, result: SimResult) -> pd.DataFrame:
    """Pay of every shift: paid hours, base pay, night, weekend, holiday and overtime pay.

    Returns
    -------
    pandas.DataFrame
        ``team``, ``agent_index``, ``paid_hours`` (h) and :data:`COST_COLUMNS` (currency),
        one row per shift of the staffing (absent shifts are paid too).
    """
    c = scenario.costs
    shifts = result.staffing.shifts.assign(overtime_minutes=_shift_overtime(result))
    rate = np.array([t.hourly_cost for t in scenario.teams])[shifts["team_index"]]
    return pd.DataFrame(
        {
            "team": shifts["team"],
            "agent_index": shifts["agent_index"],
            "paid_hours": shifts["paid_minutes"] / 60.0,
            "base": shifts["paid_minutes"] / 60.0 * rate,
            "night_premium": shifts["night_minutes"] / 60.0 * rate * c.night_premium,
            "weekend_premium": shifts["weekend_minutes"] / 60.0 * rate * c.weekend_premium,
            "holiday_premium": shifts["holiday_minutes"] / 60.0 * rate * c.holiday_premium,
            "overtime": shifts["overtime_minutes"] / 60.0 * rate * (1 + c.overtime_premium),
        }
    )


def cost_table(scenario: Scenario, result: SimResult) -> pd.DataFrame:
    """Cost per team: paid hours, base pay, night, weekend, holiday and overtime premiums."""
    frame = shift_costs(scenario, result).drop(columns="agent_index")
    table = frame.groupby("team", sort=False).sum()
    table["total"] = table[list(COST_COLUMNS)].sum(axis=1)
    table = table.reindex([t.name for t in scenario.teams]).fillna(0.0).reset_index()
    table.attrs["unit"] = scenario.costs.currency
    return table


def _team_skills(scenario: Scenario) -> list[list[tuple[str, str]]]:
    """Each team's language x channel pairs, those customers use first (all if none)."""
    used = {(s.language, str(s.channel)) for s in scenario.demand.streams}
    out: list[list[tuple[str, str]]] = []
    for team in scenario.teams:
        skills = [(lang, str(ch)) for lang in team.languages for ch in team.channels]
        out.append([k for k in skills if k in used] or skills)
    return out


def cost_by_queue_group(scenario: Scenario, result: SimResult) -> pd.DataFrame:
    """Agent cost per team and language x channel, split by the time agents spent on each.

    Each agent's pay (every part of :data:`COST_COLUMNS`) is shared among the language x
    channel pairs of the tickets the agent handled, in proportion to the busy time on each
    (a chat counts 1/concurrency), so idle time is allocated pro rata. An agent who handled
    nothing is shared like the team's busy time; a team that handled nothing is shared
    evenly over its skills. The rows of a team add up to its :func:`cost_table` row.

    Returns
    -------
    pandas.DataFrame
        ``team``, ``language``, ``channel``, ``busy_hours`` (agent-hours handling tickets),
        ``paid_hours`` (h), :data:`COST_COLUMNS` and ``total`` (currency); ``attrs["unit"]``
        is the currency.
    """
    shifts = shift_costs(scenario, result)
    agents = result.staffing.agents
    n_agents = len(agents)
    parts = ["paid_hours", *COST_COLUMNS]
    pay = np.zeros((n_agents, len(parts)))
    if len(shifts):
        per_agent = shifts.groupby("agent_index")[parts].sum()
        pay[per_agent.index.to_numpy(int)] = per_agent.to_numpy(float)
    team_index = np.asarray(
        result.staffing.agents["team"].map({t.name: i for i, t in enumerate(scenario.teams)}),
        dtype=int,
    )
    skills = _team_skills(scenario)
    groups: list[tuple[str, str]] = []
    for queue in result.queues:
        if (queue.language, queue.channel) not in groups:
            groups.append((queue.language, queue.channel))
    for team_skills in skills:
        groups += [k for k in team_skills if k not in groups]
    column = {k: i for i, k in enumerate(groups)}
    busy = np.zeros((n_agents, len(groups)))
    if len(result.touch_agent):
        queue_group = np.array([column[(q.language, q.channel)] for q in result.queues])
        minutes = (result.touch_end - result.touch_start) * result.touch_units
        cell = result.touch_agent.astype(np.int64) * len(groups) + queue_group[result.touch_queue]
        busy = np.bincount(cell, weights=minutes, minlength=busy.size).astype(float)
        busy = busy.reshape(n_agents, len(groups))
    team_busy = np.zeros((len(scenario.teams), len(groups)))
    np.add.at(team_busy, team_index, busy)
    even = np.zeros_like(team_busy)
    for g, team_skills in enumerate(skills):
        even[g, [column[k] for k in team_skills]] = 1.0
    weights = busy.copy()
    idle = weights.sum(axis=1) <= 0
    weights[idle] = team_busy[team_index[idle]]
    idle = weights.sum(axis=1) <= 0
    weights[idle] = even[team_index[idle]]
    weights /= np.maximum(weights.sum(axis=1, keepdims=True), 1e-300)
    allocated = pay[:, :, None] * weights[:, None, :]  # agents x parts x groups
    rows = []
    for g, team in enumerate(scenario.teams):
        mine = team_index == g
        totals = allocated[mine].sum(axis=0)
        hours = busy[mine].sum(axis=0) / 60.0
        for j, (language, channel) in enumerate(groups):
            if (language, channel) not in skills[g] and totals[:, j].sum() <= 0:
                continue
            rows.append(
                {
                    "team": team.name,
                    "language": language,
                    "channel": channel,
                    "busy_hours": float(hours[j]),
                    **{p: float(totals[i, j]) for i, p in enumerate(parts)},
                }
            )
    table = pd.DataFrame(rows, columns=["team", "language", "channel", "busy_hours", *parts])
    table["total"] = table[list(COST_COLUMNS)].sum(axis=1)
    table.attrs["unit"] = scenario.costs.currency
    return table


def occupancy_by_team_hour(scenario: Scenario, results: Sequence[SimResult]) -> pd.DataFrame:
    """Occupancy per team and hour of the week (reporting time zone), busy / available."""
    rows = []
    origin = horizon_origin(scenario)
    tz = scenario.horizon.timezone
    for result in results:
        teams = result.staffing.agents["team"].to_numpy()
        busy_time = origin + pd.to_timedelta(result.touch_start, unit="min")
        local = busy_time.tz_convert(tz)
        busy = (
            pd.DataFrame(
                {
                    "team": teams[result.touch_agent],
                    "hour_of_week": local.day_of_week * 24 + local.hour,
                    "busy": (result.touch_end - result.touch_start) * result.touch_units,
                }
            )
            .groupby(["team", "hour_of_week"])["busy"]
            .sum()
        )
        minutes = scenario.horizon.interval_minutes
        by_team = staffed_by_team(scenario, result)
        starts = origin + pd.to_timedelta(np.arange(by_team.shape[0]) * minutes, unit="min")
        local_starts = starts.tz_convert(tz)
        how = local_starts.day_of_week * 24 + local_starts.hour
        avail = pd.DataFrame(by_team * minutes, columns=[t.name for t in scenario.teams])
        avail["hour_of_week"] = how
        available = avail.groupby("hour_of_week").sum().stack()
        available.index = available.index.swaplevel()
        available.index.names = ["team", "hour_of_week"]
        rows.append(pd.DataFrame({"busy": busy, "available": available}).fillna(0.0))
    total = pd.concat(rows).groupby(level=[0, 1]).sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        total["occupancy"] = np.where(
            total["available"] > 0, total["busy"] / total["available"], np.nan
        )
    return total.reset_index()
