"""Labour rules: what each rule means, and the one checker that says where a roster breaks one.

The rules themselves are data (:class:`scenarios.schema.LaborRules`, per team with
``teams[].labor_rules``, per person with a contract).  This module is the single place that
says what keeping them means, for any table of worked shifts: the optimizer's roster, the
simulation's actual shifts (for the burnout report), or a ``roster.csv`` read back by a test.

A *week* is a block of seven local dates counted from the horizon's first day
(:func:`scenarios.calendar.week_of`).  The rules:

- ``hours``: paid hours in a week (overtime included) above ``max_hours_per_week`` plus an
  allowance (the overtime tolerated; zero for a planned roster);
- ``min_hours``: paid hours in a week below the contract's minimum, pro rata to the days of
  the week the person is in the horizon and not on leave (planned rosters only);
- ``rest``: less than ``min_rest_hours`` between the end of a shift and the start of the
  person's next one (real elapsed time, so daylight-saving changes count);
- ``consecutive_days``: a run of working dates longer than ``max_consecutive_days``;
- ``nights``: more night shifts in a week than ``max_night_shifts_per_week``;
- ``days_off``: fewer days off than ``min_days_off_per_week`` in a full week;
- ``weekends``: more weekends worked over the horizon than ``max_working_weekends`` (a
  weekend counts when Saturday or Sunday is worked; planned rosters only);
- ``unavailable``: a shift on a date the person is on leave or unavailable (planned rosters
  only).

Must not import ``sim``, ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterable, Mapping

import numpy as np
import pandas as pd

from scenarios.calendar import week_of
from scenarios.schema import Employee, LaborRules, Scenario, Team

__all__ = [
    "PLANNED_RULES",
    "RULES",
    "AgentRules",
    "agent_rules",
    "check_shifts",
    "shifts_for_hours",
    "unavailable_dates",
    "weekly_minimum_hours",
]

RULES = ("hours", "rest", "consecutive_days", "nights", "days_off")
"""Rules checked on any shifts, worked or planned."""

PLANNED_RULES = (*RULES, "min_hours", "weekends", "unavailable")
"""Rules checked on a planned roster (contracts, the horizon's weekends, leave)."""

SHIFT_COLUMNS = ("agent", "date", "start", "end", "paid_minutes", "night")
"""Columns :func:`check_shifts` reads: the person, the shift's local start date, its start
and end (minutes since any fixed origin, or UTC timestamps), its paid minutes (overtime
included when it was worked) and whether it is a night shift."""


@dataclasses.dataclass(frozen=True, slots=True)
class AgentRules:
    """One person's rules and the dates they cannot work."""

    rules: LaborRules
    unavailable: frozenset[dt.date] = frozenset()


def unavailable_dates(person: Employee, dates: Iterable[dt.date]) -> frozenset[dt.date]:
    """Dates among ``dates`` on which ``person`` is on leave or unavailable."""
    weekdays = {d for d in person.unavailable if isinstance(d, int)}
    fixed = {d for d in person.unavailable if isinstance(d, dt.date)}
    for span in person.time_off:
        fixed.update(span.dates())
    return frozenset(d for d in dates if d in fixed or d.weekday() in weekdays)


def agent_rules(scenario: Scenario, teams: Iterable[Team] | None = None) -> dict[str, AgentRules]:
    """Every person's rules and unavailable dates, by name (generated names for teams
    without named employees, as the simulation and the optimizer name them)."""
    first = scenario.horizon.start
    dates = [first + dt.timedelta(days=k) for k in range(-1, scenario.horizon.days + 1)]
    out: dict[str, AgentRules] = {}
    for team in teams if teams is not None else scenario.teams:
        for person in scenario.team_employees(team):
            out[person.name] = AgentRules(
                rules=scenario.rules_for_employee(team, person),
                unavailable=unavailable_dates(person, dates),
            )
    return out


def weekly_minimum_hours(rules: LaborRules, available_days: int) -> float:
    """Least paid hours a week owes a person present ``available_days`` of its 7 days (in
    the horizon and not on leave): the contract's minimum pro rata."""
    return rules.min_hours_per_week * max(0, min(7, available_days)) / 7.0


def shifts_for_hours(hours: float, longest_shift_hours: float) -> int:
    """Fewest shifts that reach ``hours`` when each is at most ``longest_shift_hours``: the
    days a weekly minimum takes."""
    return max(0, math.ceil(hours / max(longest_shift_hours, 1e-9) - 1e-9))


def _minutes(values: pd.Series) -> np.ndarray:
    """Start or end times as minutes (numbers pass through; timestamps since the epoch)."""
    if pd.api.types.is_numeric_dtype(values):
        return values.to_numpy(dtype=float)
    stamps = pd.to_datetime(values, utc=True)
    return (stamps - pd.Timestamp(0, tz="UTC")).dt.total_seconds().to_numpy() / 60.0


def check_shifts(
    shifts: pd.DataFrame,
    rules: Mapping[str, AgentRules],
    horizon_start: dt.date,
    horizon_days: int,
    *,
    planned: bool = False,
    allowance_hours: float | None = None,
) -> pd.DataFrame:
    """Check worked or planned shifts against each person's labour rules.

    Parameters
    ----------
    shifts : pandas.DataFrame
        One row per shift with :data:`SHIFT_COLUMNS`; ``date`` is the local date the shift
        starts on.  Shifts dated before the horizon shape rest and runs but belong to no
        week.
    rules : Mapping[str, AgentRules]
        Each person's rules (see :func:`agent_rules`).
    horizon_start : datetime.date
        First day of the horizon (weeks count from it).
    horizon_days : int
        Days in the horizon (a week needs all seven inside it to be a full week).
    planned : bool, default False
        Also check :data:`PLANNED_RULES` beyond :data:`RULES` (contract minimum hours,
        weekends over the horizon, leave and unavailability).
    allowance_hours : float, optional
        Weekly hours tolerated above ``max_hours_per_week`` before ``hours`` counts as
        broken; by default each person's ``overtime_allowance_hours`` for worked shifts and
        0 for planned ones.

    Returns
    -------
    pandas.DataFrame
        One row per person and week with a shift: ``agent``, ``week``, ``hours``,
        ``shifts``, ``days_worked``, ``nights``, ``rest_violations``, ``min_rest_hours``,
        ``max_consecutive_days``, ``broken_<rule>`` (a boolean per rule checked),
        ``violations`` (the broken rules' names joined by ``;``) and ``at_risk``.
        ``attrs["details"]`` lists every break as ``{agent, rule, date, found, limit}``.
    """
    names = PLANNED_RULES if planned else RULES
    missing = sorted(set(SHIFT_COLUMNS) - set(shifts.columns))
    if missing:
        raise ValueError(f"shift table lacks column(s) {missing} (expected {SHIFT_COLUMNS})")
    s = shifts.copy()
    s["date"] = pd.to_datetime(s["date"]).dt.date
    s["start_min"] = _minutes(s["start"])
    s["end_min"] = _minutes(s["end"])
    s = s.sort_values(["agent", "start_min"], kind="stable").reset_index(drop=True)
    unknown = sorted(set(s["agent"]) - set(rules))
    if unknown:
        raise ValueError(f"no rules for agent(s) {unknown[:5]} (expected every agent's rules)")
    per = [rules[a].rules for a in s["agent"]]
    s["week"] = [week_of(d, horizon_start) for d in s["date"]]
    # Rest before each shift, from the same person's previous shift.
    prev_end = s.groupby("agent")["end_min"].shift()
    s["rest_hours"] = (s["start_min"] - prev_end) / 60.0
    min_rest = np.array([r.min_rest_hours for r in per])
    s["rest_broken"] = s["rest_hours"] < min_rest - 1e-6
    # Runs of consecutive working dates (a date with two shifts counts once).
    ordinal = np.array([d.toordinal() for d in s["date"]])
    step = pd.Series(ordinal).groupby(s["agent"]).diff()
    new_run = (step != 1) & (step != 0)
    run_id = new_run.astype(int).groupby(s["agent"]).cumsum()
    s["run_length"] = (
        pd.Series(ordinal).groupby([s["agent"], run_id]).transform(lambda o: o - o.min() + 1)
    )
    details: list[dict[str, object]] = []

    def note(row: pd.Series, rule: str, found: float, limit: float) -> None:
        details.append(
            {
                "agent": row["agent"],
                "rule": rule,
                "date": row["date"].isoformat(),
                "found": round(float(found), 3),
                "limit": round(float(limit), 3),
            }
        )

    for _, row in s[s["rest_broken"]].iterrows():
        note(row, "rest", row["rest_hours"], rules[row["agent"]].rules.min_rest_hours)
    max_run = np.array([r.max_consecutive_days for r in per])
    s["run_broken"] = s["run_length"] > max_run
    first_break = s["run_broken"] & ~s.groupby([s["agent"], run_id])["run_broken"].shift(
        fill_value=False
    ).astype(bool)
    for _, row in s[first_break].iterrows():
        note(
            row,
            "consecutive_days",
            row["run_length"],
            rules[row["agent"]].rules.max_consecutive_days,
        )
    if planned:
        s["off_day"] = [
            d in rules[a].unavailable for a, d in zip(s["agent"], s["date"], strict=True)
        ]
        for _, row in s[s["off_day"]].iterrows():
            note(row, "unavailable", 1, 0)

    in_horizon = s[(s["week"] >= 0) & (s["date"] < horizon_start + dt.timedelta(horizon_days))]
    g = in_horizon.groupby(["agent", "week"])
    table = pd.DataFrame(
        {
            "hours": g["paid_minutes"].sum() / 60.0,
            "shifts": g.size(),
            "days_worked": g["date"].nunique(),
            "nights": g["night"].sum(),
            "rest_violations": g["rest_broken"].sum(),
            "min_rest_hours": g["rest_hours"].min(),
            "max_consecutive_days": g["run_length"].max(),
            "consecutive_broken": g["run_broken"].any(),
        }
    ).reset_index()
    if planned:
        table["unavailable_broken"] = (
            in_horizon.groupby(["agent", "week"])["off_day"].any().to_numpy()
            if len(in_horizon)
            else np.zeros(0, dtype=bool)
        )
    full_weeks = horizon_days // 7
    week_rules = [rules[a].rules for a in table["agent"]]
    allowance = np.array(
        [
            (r.overtime_allowance_hours if not planned else 0.0)
            if allowance_hours is None
            else allowance_hours
            for r in week_rules
        ]
    )
    checks: dict[str, np.ndarray] = {
        "hours": table["hours"].to_numpy()
        > np.array([r.max_hours_per_week for r in week_rules]) + allowance + 1e-9,
        "rest": table["rest_violations"].to_numpy() > 0,
        "consecutive_days": table["consecutive_broken"].to_numpy(dtype=bool),
        "nights": table["nights"].to_numpy()
        > np.array([r.max_night_shifts_per_week for r in week_rules]),
        "days_off": (
            7 - table["days_worked"].to_numpy()
            < np.array([r.min_days_off_per_week for r in week_rules])
        )
        & (table["week"].to_numpy() < full_weeks),
    }
    if planned:
        checks["unavailable"] = table["unavailable_broken"].to_numpy(dtype=bool)
        checks["min_hours"] = _short_weeks(table, rules, horizon_start, horizon_days)
        checks["weekends"] = _weekend_breaks(in_horizon, table, rules, horizon_start)
    for rule, broken in checks.items():
        if rule in ("rest", "consecutive_days", "unavailable"):
            continue  # noted shift by shift above
        for k in np.flatnonzero(broken):
            row = table.iloc[k]
            r = rules[row["agent"]].rules
            first_day = horizon_start + dt.timedelta(days=7 * int(row["week"]))
            if rule == "hours":
                found, limit = row["hours"], r.max_hours_per_week + allowance[k]
            elif rule == "nights":
                found, limit = row["nights"], r.max_night_shifts_per_week
            elif rule == "days_off":
                found, limit = 7 - row["days_worked"], r.min_days_off_per_week
            elif rule == "min_hours":
                found, limit = row["hours"], table["min_hours_owed"].iloc[k]
            else:
                found, limit = table["weekends_worked"].iloc[k], r.max_working_weekends or 0
            details.append(
                {
                    "agent": row["agent"],
                    "rule": rule,
                    "date": first_day.isoformat(),
                    "found": round(float(found), 3),
                    "limit": round(float(limit), 3),
                }
            )
    for rule in names:
        table[f"broken_{rule}"] = checks[rule]
    broken_frame = table[[f"broken_{rule}" for rule in names]]
    table["violations"] = [
        ";".join(rule for rule in names if row[f"broken_{rule}"])
        for row in broken_frame.to_dict("records")
    ]
    table["at_risk"] = broken_frame.any(axis=1).to_numpy() if len(table) else []
    table = table.drop(
        columns=[c for c in ("consecutive_broken", "unavailable_broken") if c in table]
    )
    table.attrs["details"] = details
    return table


def _short_weeks(
    table: pd.DataFrame,
    rules: Mapping[str, AgentRules],
    horizon_start: dt.date,
    horizon_days: int,
) -> np.ndarray:
    """Person-weeks below their contract's pro-rata minimum (``min_hours_owed`` is added)."""
    owed = []
    for agent, week in zip(table["agent"], table["week"], strict=True):
        r = rules[agent]
        days = [
            horizon_start + dt.timedelta(days=7 * int(week) + k)
            for k in range(7)
            if 7 * int(week) + k < horizon_days
        ]
        present = sum(1 for d in days if d not in r.unavailable)
        owed.append(weekly_minimum_hours(r.rules, present))
    table["min_hours_owed"] = owed
    return table["hours"].to_numpy() < np.asarray(owed) - 1e-6


def _weekend_breaks(
    shifts: pd.DataFrame,
    table: pd.DataFrame,
    rules: Mapping[str, AgentRules],
    horizon_start: dt.date,
) -> np.ndarray:
    """Person-weeks holding a worked day of a weekend beyond the person's horizon limit
    (``weekends_worked``, the weekends worked up to the end of that week, is added)."""
    saturdays: dict[str, set[dt.date]] = {}
    excess_weeks: set[tuple[str, int]] = set()
    for agent, date in zip(shifts["agent"], shifts["date"], strict=True):
        if date.weekday() >= 5:
            saturdays.setdefault(agent, set()).add(date - dt.timedelta(days=date.weekday() - 5))
    for agent, sats in saturdays.items():
        limit = rules[agent].rules.max_working_weekends
        if limit is None:
            continue
        for saturday in sorted(sats)[limit:]:
            for day in (saturday, saturday + dt.timedelta(days=1)):
                excess_weeks.add((agent, week_of(day, horizon_start)))
    counts = []
    for agent, week in zip(table["agent"], table["week"], strict=True):
        end = horizon_start + dt.timedelta(days=7 * (int(week) + 1) - 1)
        counts.append(sum(1 for sat in saturdays.get(agent, ()) if sat <= end))
    table["weekends_worked"] = counts
    worked_weeks = set(zip(shifts["agent"], shifts["week"], strict=True))
    return np.array(
        [
            (a, w) in excess_weeks and (a, w) in worked_weeks
            for a, w in zip(table["agent"], table["week"], strict=True)
        ],
        dtype=bool,
    )
