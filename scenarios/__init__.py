"""The scenario language: typed schema, safe YAML loading, overrides and the library.

Role: turn a YAML file (plus ``--set`` overrides) into a validated :class:`Scenario`, or a
:class:`ScenarioError` that names the key path, the value found and what was expected.
Must not import ``sim``, ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

from pathlib import Path

from scenarios.loader import (
    ScenarioError,
    ScenarioWarning,
    apply_override,
    load_scenario,
    parse_sweep,
    parse_variant,
    parse_yaml,
    read_scenario_data,
    scenario_from_data,
    scenario_warnings,
    split_values,
)
from scenarios.schema import CHANNELS, PRIORITY_RANK, Scenario

LIBRARY = Path(__file__).parent / "library"

__all__ = [
    "CHANNELS",
    "LIBRARY",
    "PRIORITY_RANK",
    "Scenario",
    "ScenarioError",
    "ScenarioWarning",
    "apply_override",
    "load_scenario",
    "parse_sweep",
    "parse_variant",
    "parse_yaml",
    "read_scenario_data",
    "scenario_from_data",
    "scenario_warnings",
    "split_values",
]
