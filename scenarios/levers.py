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
from scenarios.types import format_days, parse_days

__all__ = ["Lever", "StudioScenario", "build_variant", "lever_overrides", "levers"]

WEEKEND = frozenset({5, 6})
"""Saturday and Sunday (Monday is 0)."""


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
        (share 0-1), then per team: agents, weekend cover, hourly cost, languages; per
        service level: its goal (share 0-1).
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
        if _planned_shifts(team):
            out.append(
                Lever(f"weekend:{i}", "Weekend cover", "Sat and Sun shifts", "switch", True, group)
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
        ``KEY.PATH=VALUE`` strings, in lever order.
    """
    out: list[str] = []
    teams = data.get("teams") or []
    for lever in levers(data):
        if lever.key not in values:
            continue
        value = values[lever.key]
        kind, _, index = lever.key.partition(":")
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
        elif lever.kind == "switch" and not bool(value):
            shifts = _weekdays_only(teams[int(index)].get("shifts") or [])
            out.append(f"teams[{index}].shifts={json.dumps(shifts, default=str)}")
        elif lever.kind == "choice":
            chosen = [o for o in lever.options if o in set(value or [])]
            if chosen != list(lever.default):
                out.append(f"teams[{index}].languages={json.dumps(chosen)}")
    return out


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
