"""Agents: teams and shifts become named agents with availability windows in UTC.

A shift is written in the team's local time; each dated instance is converted with
zoneinfo (daylight-saving changes are real). Breaks follow the break rule, staggered by
15 minutes across agents of a shift so that a whole team does not leave at once. Shrinkage
beyond breaks is drawn as whole-shift absence. Paid minutes are split into night, weekend
and holiday minutes for costing. Must not import SimPy.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.calendar import (
    NIGHT_SHIFT_MIN_MINUTES,
    holiday_dates,
    horizon_minutes,
    horizon_origin,
    local_dates,
    local_start_minutes,
    premium_minutes,
)
from scenarios.schema import BreakRule, Scenario, Team
from scenarios.types import time_of_day_minutes
from sim.demand import stream_seed

SHIFT_COLUMNS = [
    "agent",
    "agent_index",
    "team",
    "team_index",
    "date",
    "start",
    "end",
    "break_start",
    "break_end",
    "absent",
    "paid_minutes",
    "night_minutes",
    "weekend_minutes",
    "holiday_minutes",
    "night",
]
"""Columns of ``Staffing.shifts``, in order."""


@dataclass(frozen=True, slots=True)
class Staffing:
    """Agents and their dated shifts.

    ``agents``: one row per agent (``agent``, ``team``, ``team_index``).
    ``shifts``: one row per agent-shift with times in minutes since the horizon origin
    (``start``, ``end``, ``break_start``, ``break_end``), ``absent``, the local ``date``,
    ``paid_minutes``, ``night_minutes``, ``weekend_minutes``, ``holiday_minutes``, ``night``.
    """

    agents: pd.DataFrame
    shifts: pd.DataFrame


def _break_window(
    start: float, minutes: float, rule: BreakRule | None, stagger: int
) -> tuple[float, float]:
    if rule is None or rule.minutes <= 0 or minutes <= rule.after_hours * 60:
        return start, start
    offset = rule.after_hours * 60 + (stagger % 3 - 1) * 15
    offset = min(max(offset, 0.0), max(minutes - rule.minutes, 0.0))
    return start + offset, start + offset + rule.minutes


def _team_agent_shifts(
    scenario: Scenario, team: Team
) -> list[tuple[str, dt.date, int, float, BreakRule | None, float | None]]:
    """(agent, local date, start minute, minutes, break rule, explicit break start) rows."""
    rows: list[tuple[str, dt.date, int, float, BreakRule | None, float | None]] = []
    dates = local_dates(scenario)
    team_holidays = holiday_dates(team.country, dates[0], dates[-1])
    if team.roster is not None:
        for entry in team.roster:
            rule = (
                BreakRule(after_hours=0.001, minutes=entry.break_minutes)
                if (entry.break_minutes > 0)
                else None
            )
            explicit = float(time_of_day_minutes(entry.break_start)) if entry.break_start else None
            rows.append(
                (
                    entry.agent,
                    entry.date,
                    time_of_day_minutes(entry.start),
                    entry.hours * 60,
                    rule,
                    explicit,
                )
            )
        return rows
    # Split agents over shifts: explicit counts first, the rest evenly over the others.
    counts = [s.agents for s in team.shifts]
    open_shifts = [i for i, c in enumerate(counts) if c is None]
    rest = team.agents - sum(c or 0 for c in counts)
    resolved = [c or 0 for c in counts]
    for k in range(rest if open_shifts else 0):
        resolved[open_shifts[k % len(open_shifts)]] += 1
    number = 0
    for shift, count in zip(team.shifts, resolved, strict=True):
        rule = scenario.break_rule_for(team, shift)
        for _ in range(count):
            number += 1
            name = f"{team.name}-{number:03d}"
            for date in dates:
                if date.weekday() not in shift.days:
                    continue
                if not team.work_on_holidays and date in team_holidays:
                    continue
                rows.append((name, date, shift.start_minutes, shift.hours * 60, rule, None))
    return rows


def build_staffing(scenario: Scenario, seed: int, replication: int = 0) -> Staffing:
    """Agents and dated shifts of every team for one replication seed.

    Absence: each shift is missed whole with probability
    ``max(0, shrinkage - break share) / (1 - break share)``, so breaks plus absence remove
    the scenario's shrinkage from paid time on average.
    """
    origin = horizon_origin(scenario)
    end = horizon_minutes(scenario)
    agent_rows: list[dict[str, object]] = []
    shift_rows: list[tuple[object, ...]] = []
    for team_index, team in enumerate(scenario.teams):
        dates = local_dates(scenario)
        team_holidays = holiday_dates(team.country, dates[0], dates[-1])
        rng = np.random.default_rng(stream_seed(seed, replication, team.name, "absence"))
        seen: dict[str, int] = {}
        for name, date, start_minute, minutes, rule, explicit_break in _team_agent_shifts(
            scenario, team
        ):
            if name not in seen:
                seen[name] = len(seen)
                agent_rows.append({"agent": name, "team": team.name, "team_index": team_index})
            start = local_start_minutes(team.timezone, date, start_minute, origin)
            stop = start + minutes
            if stop <= 0 or start >= end:
                continue
            if explicit_break is not None and rule is not None:
                gap = (explicit_break - start_minute) % 1440
                b0, b1 = start + gap, start + gap + rule.minutes
            else:
                b0, b1 = _break_window(start, minutes, rule, seen[name])
            break_share = (b1 - b0) / minutes
            p_absent = max(0.0, scenario.shrinkage - break_share) / max(1e-9, 1 - break_share)
            absent = bool(rng.random() < p_absent)
            night, weekend, holiday = premium_minutes(date, start_minute, minutes, team_holidays)
            shift_rows.append(
                (
                    name,
                    team.name,
                    team_index,
                    date,
                    start,
                    stop,
                    b0,
                    b1,
                    absent,
                    minutes,
                    night,
                    weekend,
                    holiday,
                    night >= NIGHT_SHIFT_MIN_MINUTES,
                )
            )
    agents = pd.DataFrame(agent_rows, columns=["agent", "team", "team_index"])
    agents = agents.drop_duplicates("agent").reset_index(drop=True)
    shifts = pd.DataFrame(
        shift_rows,
        columns=[c for c in SHIFT_COLUMNS if c != "agent_index"],
    )
    index = {name: i for i, name in enumerate(agents["agent"])}
    shifts.insert(1, "agent_index", shifts["agent"].map(index).astype(np.int32))
    shifts = shifts.sort_values(["agent_index", "start"], kind="stable").reset_index(drop=True)
    return Staffing(agents=agents, shifts=shifts)


def availability_events(staffing: Staffing) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Sorted availability changes: (time in minutes, agent index, +1 on / -1 off).

    An absent shift contributes nothing; a shift with a break is two windows.
    """
    s = staffing.shifts[~staffing.shifts["absent"].to_numpy(bool)]
    start, end = s["start"].to_numpy(float), s["end"].to_numpy(float)
    b0, b1 = s["break_start"].to_numpy(float), s["break_end"].to_numpy(float)
    agent = s["agent_index"].to_numpy(np.int64)
    has_break = b1 > b0
    starts = np.concatenate([start, b1[has_break]])
    stops = np.concatenate([np.where(has_break, b0, end), end[has_break]])
    agents = np.concatenate([agent, agent[has_break]])
    times = np.concatenate([starts, stops])
    kinds = np.concatenate([np.ones(len(starts), np.int8), -np.ones(len(stops), np.int8)])
    who = np.concatenate([agents, agents])
    # Off before on at equal times, so back-to-back windows never double-count an agent.
    order = np.lexsort((kinds, times))
    return times[order], who[order], kinds[order]
