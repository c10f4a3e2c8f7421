"""Levers of the what-if studio: the controls a scenario offers, and their overrides.

Role: describe the questions a manager asks of a scenario ("volume x1.9", "the bot takes a
third", "no weekend cover in Dublin", "German for Manila") as controls with their units,
and turn the values typed into them into ``--set`` overrides (``KEY.PATH=VALUE``) that
:func:`scenarios.loader.scenario_from_data` applies and validates exactly as the command
line's ``--set`` does, so a bad value gets the command line's message. Nothing typed is
evaluated: a value is placed after ``=`` and parsed as YAML data by the loader. Only levers
changed from the scenario's own values give an override. Must not import ``sim``,
``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import copy
import json
import math
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from scenarios.loader import ScenarioWarning, scenario_from_data
from scenarios.schema import Scenario
from scenarios.types import (
    format_days,
    format_time_of_day,
    parse_days,
    parse_time_of_day,
    time_of_day_minutes,
)

__all__ = ["Lever", "StudioScenario", "build_variant", "lever_overrides", "levers", "parse_window"]

WEEKEND = frozenset({5, 6})
"""Saturday and Sunday (Monday is 0)."""

DAY = 24 * 60
"""Minutes in a day."""

STEP = 15
"""Shift starts placed by a new opening window land on this grid (minutes)."""


@dataclass(frozen=True, slots=True)
class Lever:
    """One control of the studio.

    ``kind`` is ``text`` (a value typed as on the command line), ``switch`` (on/off) or
    ``choice`` (several of ``options``); ``default`` is the scenario's own value, as the
    control first shows it; ``group`` names the part of the page it belongs to.
    """

    key: str
    label: str
    unit: str
    kind: str
    default: Any
    group: str
    options: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class StudioScenario:
    """A scenario the studio offers: its label, where it came from and its plain data
    (command-line ``--set`` overrides applied); ``base_dir`` is where files it names live."""

    label: str
    source: str
    data: Mapping[str, Any]
    base_dir: Path | None = None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _sl_label(level: Mapping[str, Any]) -> str:
    parts = [str(level.get(k)) for k in ("channel", "language", "priority") if level.get(k)]
    return f"{' '.join(parts)} within {level.get('answer_within', '?')}"


def _planned_shifts(team: Mapping[str, Any]) -> bool:
    """Whether a team works shifts given in the file (not ``optimize``, not a roster)."""
    return isinstance(team.get("shifts"), list) and bool(team["shifts"]) and not team.get("roster")


def _window(shifts: Sequence[Mapping[str, Any]]) -> tuple[int, int]:
    """A team's opening window (minutes after midnight): its earliest start and its latest
    end, which may be past midnight; at most a day."""
    starts = [time_of_day_minutes(parse_time_of_day(s.get("start"))) for s in shifts]
    opens = min(starts)
    closes = max(
        m + round(float(s.get("hours", 0)) * 60) for m, s in zip(starts, shifts, strict=True)
    )
    return opens, min(closes, opens + DAY)


def _readable(shifts: Sequence[Any]) -> bool:
    """Whether every shift has a start and hours a window can be read from."""
    try:
        _window(shifts)
        for shift in shifts:
            parse_days(shift.get("days"))
    except (ValueError, TypeError, AttributeError):
        return False
    return True


def _format_window(window: tuple[int, int]) -> str:
    opens, closes = window
    return (
        "24h"
        if closes - opens >= DAY
        else f"{format_time_of_day(opens)}-{format_time_of_day(closes)}"
    )


def parse_window(text: str, where: str) -> tuple[int, int]:
    """Read an opening window typed as ``'08:00-20:00'``, ``'22:00-06:00'`` (past midnight)
    or ``'24h'``; minutes after midnight of opening and closing.

    Raises
    ------
    ValueError
        Naming ``where``, what was typed and what was expected.
    """
    expected = "expected opening hours such as '08:00-20:00', '22:00-06:00' or '24h'"
    cleaned = text.strip().lower().replace(" ", "")
    if cleaned in ("24h", "24/7", "00:00-24:00"):
        return 0, DAY
    opens_text, dash, closes_text = cleaned.partition("-")
    try:
        if not dash:
            raise ValueError(text)
        opens = time_of_day_minutes(parse_time_of_day(opens_text))
        closes = (
            DAY if closes_text == "24:00" else time_of_day_minutes(parse_time_of_day(closes_text))
        )
    except ValueError:
        raise ValueError(f"{where}: found {json.dumps(text)}, {expected}") from None
    if closes <= opens:
        closes += DAY
    return opens, closes


def _reopened(shifts: Sequence[Mapping[str, Any]], window: tuple[int, int]) -> list[Any]:
    """The shifts moved into a new opening window, each keeping its days, agents and length
    (cut to the window when longer): a shift keeps its relative place between the team's
    first start and its last end, so the earliest starts at opening and the latest ends at
    closing. Starts land on a quarter-hour grid."""
    old_open, old_close = _window(shifts)
    new_open, new_close = window
    out = []
    for shift in shifts:
        start = time_of_day_minutes(parse_time_of_day(shift.get("start")))
        length = round(float(shift.get("hours", 0)) * 60)
        room = old_close - old_open - length
        place = ((start - old_open) % DAY) / room if room > 0 else 0.0
        new_length = min(length, new_close - new_open)
        offset = STEP * round(min(place, 1.0) * max(new_close - new_open - new_length, 0) / STEP)
        hours = new_length // 60 if new_length % 60 == 0 else new_length / 60
        out.append({**shift, "start": format_time_of_day(new_open + offset), "hours": hours})
    return out


def levers(data: Mapping[str, Any]) -> list[Lever]:
    """The studio's controls for one scenario's data, each showing the scenario's value.

    Parameters
    ----------
    data : mapping
        The scenario as plain data (a YAML file read, overrides applied).

    Returns
    -------
    list of Lever
        Volume (``demand.scale``, x), a surge (multiplier x, hours, start), bot deflection
        (share 0-1), then per team: agents, opening hours and weekend cover (teams whose
        shifts the file gives), hourly cost, languages; per service level: its goal (share
        0-1).
    """
    demand = data.get("demand") or {}
    horizon = data.get("horizon") or {}
    languages = sorted(
        {str(s.get("language")) for s in demand.get("streams") or [] if s.get("language")}
        | {str(lang) for t in data.get("teams") or [] for lang in t.get("languages") or []}
    )
    currency = str((data.get("costs") or {}).get("currency", "USD"))
    out = [
        Lever(
            "scale", "Volume", "x today's tickets", "text", _text(demand.get("scale", 1)), "demand"
        ),
        Lever("surge_multiplier", "Surge", "x volume (empty: none added)", "text", "", "demand"),
        Lever("surge_hours", "Surge length", "hours", "text", "48", "demand"),
        Lever(
            "surge_start",
            "Surge start",
            f"date and time, {horizon.get('timezone', 'UTC')}",
            "text",
            f"{horizon.get('start', '')}T09:00",
            "demand",
        ),
        Lever(
            "deflection",
            "Bot deflection",
            "share of tickets, 0-1",
            "text",
            _text(demand.get("deflection", 0)),
            "demand",
        ),
    ]
    for i, team in enumerate(data.get("teams") or []):
        name = str(team.get("name", i))
        group = f"team {name}"
        out.append(
            Lever(f"agents:{i}", "Agents", "people", "text", _text(team.get("agents")), group)
        )
        if _planned_shifts(team) and _readable(team["shifts"]):
            out.append(
                Lever(
                    f"hours:{i}",
                    "Opening hours",
                    f"first start-last end, {team.get('timezone', 'local time')}",
                    "text",
                    _format_window(_window(team["shifts"])),
                    group,
                )
            )
            if any(set(parse_days(s.get("days"))) & WEEKEND for s in team["shifts"]):
                out.append(
                    Lever(
                        f"weekend:{i}", "Weekend cover", "Sat and Sun shifts", "switch", True, group
                    )
                )
        out.append(
            Lever(
                f"cost:{i}",
                "Hourly cost",
                f"{currency} per paid hour",
                "text",
                _text(team.get("hourly_cost")),
                group,
            )
        )
        out.append(
            Lever(
                f"languages:{i}",
                "Languages",
                "spoken by the team",
                "choice",
                tuple(str(x) for x in team.get("languages") or []),
                group,
                tuple(languages),
            )
        )
    for i, level in enumerate(data.get("service_levels") or []):
        out.append(
            Lever(
                f"goal:{i}",
                f"Goal: {_sl_label(level)}",
                "share answered in time, 0-1",
                "text",
                _text(level.get("goal")),
                "service levels",
            )
        )
    return out


def _number_or_text(text: str) -> str:
    """A typed number as a YAML number, anything else as a quoted string (the schema then
    says what it expected)."""
    try:
        value = float(text)
    except ValueError:
        return json.dumps(text)
    return repr(value) if math.isfinite(value) else json.dumps(text)


def _weekdays_only(shifts: Sequence[Any]) -> list[Any]:
    """The shifts without Saturday and Sunday; a weekend-only shift is dropped."""
    out = []
    for shift in shifts:
        days = set(parse_days(shift.get("days"))) - WEEKEND
        if days:
            out.append({**shift, "days": format_days(tuple(sorted(days)))})
    return out


def lever_overrides(data: Mapping[str, Any], values: Mapping[str, Any]) -> list[str]:
    """The ``--set`` overrides for the levers whose value differs from the scenario's own.

    Parameters
    ----------
    data : mapping
        The scenario as plain data.
    values : mapping
        Lever key to the control's value: typed text, a switch's bool, a choice's list.
        Keys the scenario has no lever for are ignored; empty text means "as is".

    Returns
    -------
    list of str
        ``KEY.PATH=VALUE`` strings, in lever order; a team's opening hours and weekend
        cover together give one ``teams[i].shifts`` override.

    Raises
    ------
    ValueError
        Opening hours that are not a window, naming the team.
    """
    out: list[str] = []
    teams = data.get("teams") or []
    for lever in levers(data):
        kind, _, index = lever.key.partition(":")
        if kind == "hours":  # with the team's weekend cover: one shifts override
            shifts = _changed_shifts(teams[int(index)], int(index), lever, values)
            if shifts is not None:
                out.append(f"teams[{index}].shifts={json.dumps(shifts, default=str)}")
        if lever.key not in values or kind in ("hours", "weekend"):
            continue
        value = values[lever.key]
        if lever.kind == "text":
            text = "" if value is None else str(value).strip()
            if text == "" or text == lever.default or kind in ("surge_hours", "surge_start"):
                continue
            if kind == "surge_multiplier":
                surge = {
                    "start": str(values.get("surge_start") or ""),
                    "hours": str(values.get("surge_hours") or ""),
                }
                out.append(
                    f"demand.surges=[{{start: {json.dumps(surge['start'].strip())}, "
                    f"hours: {_number_or_text(surge['hours'].strip())}, "
                    f"multiplier: {_number_or_text(text)}}}]"
                )
                continue
            path = {
                "scale": "demand.scale",
                "deflection": "demand.deflection",
                "agents": f"teams[{index}].agents",
                "cost": f"teams[{index}].hourly_cost",
                "goal": f"service_levels[{index}].goal",
            }[kind]
            out.append(f"{path}={text}")
        elif lever.kind == "choice":
            chosen = [o for o in lever.options if o in set(value or [])]
            if chosen != list(lever.default):
                out.append(f"teams[{index}].languages={json.dumps(chosen)}")
    return out


def _changed_shifts(
    team: Mapping[str, Any], index: int, hours: Lever, values: Mapping[str, Any]
) -> list[Any] | None:
    """A team's shifts under its opening-hours and weekend levers; None when unchanged."""
    shifts: list[Any] = list(team.get("shifts") or [])
    text = str(values.get(hours.key) or "").strip()  # empty: as the file says
    if text and text != hours.default:
        where = f"teams[{index}] ({team.get('name', index)}) opening hours"
        window = parse_window(text, where)
        if window != parse_window(str(hours.default), where):
            shifts = _reopened(shifts, window)
    if values.get(f"weekend:{index}", True) is False:
        shifts = _weekdays_only(shifts)
    return None if shifts == list(team.get("shifts") or []) else shifts


def build_variant(
    entry: StudioScenario, overrides: Sequence[str], name: str | None = None
) -> tuple[Scenario, list[str]]:
    """Validate a scenario with the studio's overrides, named ``name`` when given.

    Returns the scenario and the warnings the loader gave (soft problems, in words).

    Raises
    ------
    ScenarioError
        With the command line's message for a bad value.
    """
    extra = [f"name={json.dumps(name)}"] if name is not None else []
    label = f"variant '{name}' of {entry.source}" if name is not None else entry.source
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScenarioWarning)
        scenario = scenario_from_data(
            copy.deepcopy(dict(entry.data)), label, [*overrides, *extra], entry.base_dir
        )
    said = [str(w.message) for w in caught if issubclass(w.category, ScenarioWarning)]
    return scenario, said
