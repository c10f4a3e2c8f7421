"""Ticket import: the placeholder team of an imported scenario.

Role: :func:`placeholder_team` -- one team, ``observed``, that a scenario fitted to a
ticket log can run with at once: sized from the agents the log names (the assignee column)
where the preset maps one, else from the offered workload; its shifts cover that need
greedily and are then split into crews that keep the scenario's labour rules (days a week,
days in a row, days off, night shifts, weekly hours); its hourly cost is a stated
placeholder, not zero, so that the report's money figures mean something until the user
sets the real cost.

Pure pandas and numpy on top of ``scenarios.schema``. Must not import ``simpy``, ``sim``,
``optimizer``, ``reports`` or ``run_sim``: the team is sized without queueing formulas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from scenarios.schema import LaborRules
from scenarios.ticket_import.estimators import _as_category, _cover_shifts, _local

PLACEHOLDER_HOURLY_COST = 30.0
"""Hourly cost (in ``costs.currency``, USD by default) written for the placeholder team:
a typical loaded cost of a support agent-hour, for the user to replace with their own."""

SHIFT_HOURS = 8
DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@dataclass(frozen=True, slots=True)
class AgentsSeen:
    """What the log's agent column says about staffing."""

    per_hour: np.ndarray
    """Mean distinct agents at work in each local hour of the week (7 x 24)."""
    per_week: int
    """Distinct agents at work in a typical week (the median over the log's weeks)."""
    in_log: int
    """Distinct agents in the whole log."""


def agents_seen(tickets: pd.DataFrame, zone: str, days: np.ndarray) -> AgentsSeen | None:
    """Agents at work per local hour of the week, from the tickets' agent column.

    An agent is at work in the hours of each ticket's first response (or, without one, its
    solve time) up to the end of the handle time when the log has one; without handle
    times, in the hour of the touch. None when no ticket names an agent.

    Parameters
    ----------
    tickets
        Normalised tickets (``agent`` '' when unknown).
    zone
        IANA time zone whose local hours are counted.
    days
        Occurrences of each weekday in the log's date span (Monday first), for the mean.
    """
    agent = _as_category(tickets["agent"]).astype(str)
    first, solved = (
        pd.to_datetime(tickets[c], utc=True).astype("datetime64[ns, UTC]")
        for c in ("first_response", "solved")
    )
    touch = first.fillna(solved)
    known = (agent != "").to_numpy() & touch.notna().to_numpy()
    if not known.any():
        return None
    served = tickets[known]
    start = _local(touch[known], zone).dt.tz_localize(None)
    handle = served["handle_minutes"].fillna(0.0).to_numpy(float)
    end = start + pd.to_timedelta(handle, unit="min")
    hour0 = start.dt.floor("h")
    spans = ((end.dt.floor("h") - hour0) / pd.Timedelta(hours=1)).astype(int).clip(0, 24) + 1
    idx = np.repeat(np.arange(len(served)), spans.to_numpy())
    offset = np.arange(len(idx)) - np.repeat(
        np.cumsum(spans.to_numpy()) - spans.to_numpy(), spans.to_numpy()
    )
    hours = hour0.to_numpy()[idx] + offset.astype("timedelta64[h]")
    codes = _as_category(agent[known]).cat.codes.to_numpy()
    active = pd.DataFrame({"hour": hours, "agent": codes[idx]}).drop_duplicates()
    per_hour = active.groupby("hour").size()
    when = pd.DatetimeIndex(per_hour.index)
    total = np.zeros((7, 24))
    np.add.at(total, (when.day_of_week, when.hour), per_hour.to_numpy())
    week = pd.DatetimeIndex(active["hour"]).to_period("W")
    weekly = active.groupby(week)["agent"].nunique()
    return AgentsSeen(
        per_hour=total / np.maximum(days, 1)[:, None],
        per_week=int(np.median(weekly.to_numpy())),
        in_log=int(active["agent"].nunique()),
    )


def _night_shift(start_hour: int, hours: int, rules_night_hours: int = 3) -> bool:
    """A shift with at least three hours between 22:00 and 06:00 local is a night shift."""
    night = sum(1 for h in range(start_hour, start_hour + hours) if h % 24 >= 22 or h % 24 < 6)
    return night >= rules_night_hours


def crews_within_rules(
    shifts: Sequence[Mapping[str, Any]], rules: LaborRules
) -> list[dict[str, Any]]:
    """Shift patterns split into crews whose agents keep the labour rules.

    A pattern worked on more days than one agent may work in a week (``7 -
    min_days_off_per_week``, ``max_consecutive_days``, ``max_hours_per_week`` over the
    shift length, and ``max_night_shifts_per_week`` for night shifts) becomes several
    crews, each working a run of the pattern's days in weekday order (Monday first), with
    the pattern's agents each: every day keeps its cover and no agent works more days than
    allowed, nor more in a row (a crew never holds both Sunday and Monday, so weeks do not
    join up).
    """
    out: list[dict[str, Any]] = []
    for shift in shifts:
        days = [DAY_NAMES.index(d) for d in str(shift["days"]).split(",")]
        hours = float(shift["hours"])
        limit = min(
            7 - rules.min_days_off_per_week,
            rules.max_consecutive_days,
            int(rules.max_hours_per_week // hours),
        )
        if _night_shift(int(str(shift["start"])[:2]), int(hours)):
            limit = min(limit, rules.max_night_shifts_per_week)
        if limit < 1:
            continue
        days.sort()
        for first in range(0, len(days), limit):
            crew = days[first : first + limit]
            out.append({**shift, "days": ",".join(DAY_NAMES[d] for d in crew)})
    return out


def placeholder_team(
    tickets: pd.DataFrame,
    zone: str,
    days: np.ndarray,
    workload: np.ndarray,
    languages: Sequence[str],
    channels: Sequence[str],
    *,
    max_occupancy: float,
    min_rate: float,
    total_rate: np.ndarray,
) -> tuple[dict[str, Any], str]:
    """The imported scenario's ``observed`` team and the words that describe it.

    Parameters
    ----------
    tickets
        Normalised tickets.
    zone
        The main customer region, whose clock the shifts use.
    days
        Occurrences of each weekday in the log's date span (Monday first).
    workload
        Offered load in agents per local hour of the week (7 x 24), used when the log
        names no agent.
    languages, channels
        The team's skills.
    max_occupancy
        Occupancy assumed when the team is sized from the workload.
    min_rate
        Hours with fewer expected tickets an hour than this get no agent (workload sizing).
    total_rate
        Expected tickets per local hour of the week (7 x 24).

    Returns
    -------
    team : dict
        Scenario data of one team: ``agents`` at least the agents its shifts need (and at
        least the distinct agents the log shows in a typical week), shifts within the
        default labour rules, and :data:`PLACEHOLDER_HOURLY_COST`.
    note : str
        How the team was sized, what it is, and what the user should set.
    """
    rules = LaborRules()
    seen = agents_seen(tickets, zone, days)
    if seen is not None:
        required = np.ceil(seen.per_hour - 1e-9)
        how = (
            f"sized from the agent column: {seen.per_week} distinct agents at work in a "
            f"typical week ({seen.in_log} in the whole log); agents per hour = mean distinct "
            "agents at work in that local hour of the week, rounded up"
        )
    else:
        required = np.where(
            total_rate >= min_rate, np.maximum(1, np.ceil(workload / max_occupancy)), 0
        )
        how = (
            "sized from the workload (the log names no agent): agents per hour = offered "
            f"load / {max_occupancy:g} occupancy, rounded up, at least one where "
            f"{min_rate:g}+ tickets an hour arrive"
        )
    shifts = crews_within_rules(_cover_shifts(required, SHIFT_HOURS), rules)
    if not shifts:
        shifts = [{"days": "Mon-Fri", "start": "09:00", "hours": SHIFT_HOURS, "agents": 1}]
    needed = sum(int(s["agents"]) for s in shifts)
    agents = max(needed, seen.per_week if seen is not None else 0)
    team = {
        "name": "observed",
        "timezone": zone,
        "agents": int(agents),
        "languages": list(languages),
        "channels": list(channels),
        "hourly_cost": PLACEHOLDER_HOURLY_COST,
        "shifts": shifts,
    }
    note = (
        f"'observed', {agents} agents in {len(shifts)} {SHIFT_HOURS}-hour shifts, {how}; "
        f"shifts covered greedily, then split into crews of at most "
        f"{min(7 - rules.min_days_off_per_week, rules.max_consecutive_days)} days a week "
        f"(night crews at most {rules.max_night_shifts_per_week}) to keep the labour "
        f"rules. hourly_cost {PLACEHOLDER_HOURLY_COST:g} is a PLACEHOLDER: set "
        "teams[0].hourly_cost to your loaded cost per agent-hour. Replace the team with "
        "your real teams, or let run_sim.py optimize choose its shifts"
    )
    return team, note
