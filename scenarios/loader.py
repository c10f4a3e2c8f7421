"""Reading scenario files: safe YAML, ``--set`` overrides, and errors people can act on.

``load_scenario(path, overrides)`` is the one entry point the command line uses. YAML is
parsed with a safe loader that never builds Python objects, rejects duplicate keys, and reads
``9:00`` as text rather than YAML 1.1's base-60 integer. Every problem becomes a
:class:`ScenarioError` naming the file, the key path, what was found and what was expected.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from scenarios.schema import Scenario


class ScenarioError(ValueError):
    """An invalid scenario file, key or override; the message says where and what."""


class ScenarioWarning(UserWarning):
    """A scenario that runs but probably not as intended (the message names the fix)."""


# --------------------------------------------------------------------------- YAML


class _SafeLoader(yaml.SafeLoader):
    """SafeLoader without base-60 numbers and with duplicate keys reported."""


# YAML 1.1 reads 9:00 as the integer 540; drop the base-60 forms so times stay text.
_SafeLoader.yaml_implicit_resolvers = {
    key: [(tag, regexp) for tag, regexp in resolvers]
    for key, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
for _first in list(_SafeLoader.yaml_implicit_resolvers):
    _SafeLoader.yaml_implicit_resolvers[_first] = [
        (tag, regexp)
        for tag, regexp in _SafeLoader.yaml_implicit_resolvers[_first]
        if not tag.endswith((":int", ":float"))
    ]
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_SafeLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
        r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


def _construct_mapping(loader: _SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    loader.flatten_mapping(node)
    mapping: dict[Any, Any] = {}
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if key in mapping:
            raise yaml.constructor.ConstructorError(
                None,
                None,
                f"key {key!r} appears twice in one mapping (expected each key once)",
                key_node.start_mark,
            )
        mapping[key] = loader.construct_object(value_node, deep=True)
    return mapping


_SafeLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text safely; errors name the source, line and column."""
    try:
        return yaml.load(text, Loader=_SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if "(expected" in problem:
            raise ScenarioError(f"{source}:{where}: {problem}") from None
        raise ScenarioError(
            f"{source}:{where}: YAML syntax error: {problem} (expected valid YAML)"
        ) from None


# --------------------------------------------------------------------------- errors


def _path(loc: Sequence[int | str]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", str(part)):
            out += ("." if out else "") + str(part)
        # skip pydantic's internal union/function tags such as "function-after[...]"
    return out or "(top level)"


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


_EXPECTED = {
    "greater_than_equal": "a number of at least {ge}",
    "greater_than": "a number above {gt}",
    "less_than_equal": "a number of at most {le}",
    "less_than": "a number below {lt}",
    "too_short": "at least {min_length} item(s)",
    "too_long": "at most {max_length} item(s)",
    "int_parsing": "a whole number",
    "int_type": "a whole number",
    "int_from_float": "a whole number",
    "float_parsing": "a number",
    "float_type": "a number",
    "bool_parsing": "true or false",
    "bool_type": "true or false",
    "string_type": "text",
    "list_type": "a list",
    "dict_type": "a mapping of keys to values",
    "model_type": "a mapping of keys to values",
    "literal_error": "one of {expected}",
    "date_from_datetime_parsing": "a date such as 2026-01-05",
    "date_parsing": "a date such as 2026-01-05",
    "date_type": "a date such as 2026-01-05",
    "datetime_parsing": "a date and time such as 2026-01-12T09:00",
    "datetime_type": "a date and time such as 2026-01-12T09:00",
    "enum": "one of {expected}",
}


def _describe(error: Any) -> str:
    kind = error["type"]
    msg = str(error["msg"])
    found = error.get("input")
    if kind in _EXPECTED:
        try:
            expected = _EXPECTED[kind].format(**(error.get("ctx") or {}))
        except (KeyError, IndexError):
            expected = msg
        return f"found {_short(found)}, expected {expected}"
    if kind == "extra_forbidden":
        return "unknown key (expected one of the documented keys; see the README's reference)"
    if kind == "missing":
        return "missing required key"
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    if msg.startswith("Assertion failed, "):
        return msg.removeprefix("Assertion failed, ")
    text = msg.removeprefix("Input should be ").removeprefix("Value should be ")
    return f"found {_short(found)}, expected {text[0].lower() + text[1:]}"


_DAY_NAMES = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}


def format_validation_error(exc: ValidationError, source: str) -> str:
    """One paragraph: the first problem with its key path, and how many more there are."""
    errors = exc.errors()
    first = errors[0]
    loc = first["loc"]
    if first["type"] == "extra_forbidden":
        head = f"{_path(loc[:-1])}: unknown key {loc[-1]!r}" if len(loc) > 1 else ""
        head = head or f"unknown key {loc[-1]!r}"
        if str(loc[-1]).lower() in _DAY_NAMES:
            hint = '; a list of days inside {...} must be quoted, e.g. days: "Sat,Sun"'
        else:
            hint = ""
        text = f"{head} (expected one of the documented keys; see the README's reference{hint})"
    elif loc:
        text = f"{_path(loc)}: {_describe(first)}"
    else:
        text = _describe(first)
    more = len(errors) - 1
    suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
    return f"{source}: {text}{suffix}"


# --------------------------------------------------------------------------- overrides

_KEY = re.compile(r"([^.\[\]]+)|\[(\d+|\*)\]")
EVERY = "*"
"""A path step that selects every item of a list (``teams[*].agents``)."""


def _split_path(path: str) -> list[str | int]:
    parts: list[str | int] = []
    pos = 0
    for match in _KEY.finditer(path):
        if match.start() != pos and path[pos] != ".":
            break
        index = match.group(2)
        if index == EVERY:
            parts.append(EVERY)
        else:
            parts.append(int(index) if index else match.group(1))
        pos = match.end()
        if pos < len(path) and path[pos] == ".":
            pos += 1
    if pos != len(path) or not parts or ".." in path or path.startswith(".") or path.endswith("."):
        raise ValueError(
            f"key path {path!r} is malformed (expected keys such as 'a.b[0].c' or 'a[*].c')"
        )
    return parts


def _child(container: Any, key: str | int, where: str) -> tuple[Any, str | int]:
    """Resolve one path step; a name selects a list item by its ``name`` key."""
    if isinstance(container, list):
        if isinstance(key, str) and key.isdigit():
            key = int(key)
        if isinstance(key, int):
            if not 0 <= key < len(container):
                raise ValueError(f"{where} has {len(container)} items, index {key} is out of range")
            return container, key
        for i, item in enumerate(container):
            if isinstance(item, dict) and item.get("name") == key:
                return container, i
        names = [item.get("name") for item in container if isinstance(item, dict)]
        raise ValueError(f"{where} has no item named {key!r} (expected one of {names})")
    if isinstance(container, dict):
        if isinstance(key, int):
            raise ValueError(f"{where} is a mapping, not a list (index [{key}] given)")
        return container, key
    raise ValueError(f"{where} is a value, not a mapping or list")


def _expand(data: Any, parts: list[str | int]) -> list[list[str | int]]:
    """Every concrete path a path with ``[*]`` steps stands for (the path itself if none)."""
    if EVERY not in parts:
        return [parts]
    star = parts.index(EVERY)
    node: Any = data
    where = "scenario"
    for key in parts[:star]:
        container, resolved = _child(node, key, where)
        where = _step(where, resolved)
        if isinstance(container, dict) and resolved not in container:
            raise ValueError(f"{where} does not exist (expected a list before [*])")
        node = container[resolved]
    if not isinstance(node, list):
        kind = "a mapping" if isinstance(node, dict) else "a value"
        raise ValueError(f"{where} is {kind}, not a list ([*] given)")
    if not node:
        raise ValueError(f"{where} is an empty list ([*] matched no item)")
    out: list[list[str | int]] = []
    for i in range(len(node)):
        out += _expand(data, [*parts[:star], i, *parts[star + 1 :]])
    return out


def apply_override(data: dict[str, Any], assignment: str) -> dict[str, Any]:
    """Apply one ``key.path=value`` to scenario data in place; the value is parsed as YAML.

    A ``[*]`` step applies the value to every item of that list
    (``teams[*].shifts[*].days=Mon-Fri``).
    """
    if "=" not in assignment:
        raise ScenarioError(
            f"--set {assignment!r}: no '=' found "
            "(expected KEY.PATH=VALUE, e.g. demand.deflection=0.3)"
        )
    path, _, raw = assignment.partition("=")
    try:
        value = parse_yaml(raw, f"--set {assignment!r}") if raw.strip() else ""
        for parts in _expand(data, _split_path(path.strip())):
            _assign(data, parts, copy.deepcopy(value))
    except ValueError as exc:
        raise ScenarioError(f"--set {assignment!r}: {exc}") from None
    return data


def _assign(data: dict[str, Any], parts: list[str | int], value: Any) -> None:
    """Set the value at one concrete path, creating missing mapping keys on the way."""
    node: Any = data
    where = "scenario"
    for i, key in enumerate(parts):
        container, resolved = _child(node, key, where)
        last = i == len(parts) - 1
        if isinstance(container, dict) and resolved not in container and not last:
            container[resolved] = {}
        if last:
            container[resolved] = value
        else:
            node = container[resolved]
            where = _step(where, resolved)


def _step(where: str, key: str | int) -> str:
    """The key path one step further, for messages: ``teams[0].shifts``."""
    if isinstance(key, int):
        return f"{where}[{key}]"
    return str(key) if where == "scenario" else f"{where}.{key}"


def parse_variant(text: str) -> tuple[str, list[str]]:
    """A ``compare --variant`` into its name and its overrides.

    The form is ``NAME: KEY=VALUE; KEY=VALUE``: a name, a colon, then ``--set`` overrides
    separated by semicolons (outside brackets and quotes), e.g.
    ``no weekends: teams[*].shifts[*].days=Mon-Fri; teams[*].shifts[*].hours=8``.
    """
    name, colon, rest = text.partition(":")
    if not colon or "=" in name or not name.strip():
        raise ScenarioError(
            f'--variant {text!r}: no name found (expected "NAME: KEY=VALUE; KEY=VALUE", '
            'e.g. "surge: demand.scale=1.9")'
        )
    overrides = [part for part in _split_outside(rest, ";") if part]
    if not overrides:
        raise ScenarioError(
            f'--variant {text!r}: no override after the name (expected "NAME: KEY=VALUE; '
            'KEY=VALUE")'
        )
    for part in overrides:
        if "=" not in part:
            raise ScenarioError(
                f"--variant {text!r}: {part!r} has no '=' (expected KEY.PATH=VALUE, e.g. "
                "demand.deflection=0.33)"
            )
    return name.strip(), overrides


def _split_outside(text: str, separator: str) -> list[str]:
    """Split on ``separator`` outside brackets, braces and quotes; items stripped."""
    out, depth, quote, current = [], 0, "", ""
    for ch in text:
        if quote:
            quote = "" if ch == quote else quote
        elif ch in "'\"":
            quote = ch
        elif ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == separator and depth == 0 and not quote:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return [v.strip() for v in out]


# --------------------------------------------------------------------------- entry points


def split_values(text: str) -> list[str]:
    """Split ``v1,v2,[a,b]`` on commas outside brackets and braces."""
    out, depth, current = [], 0, ""
    for ch in text:
        if ch in "[{":
            depth += 1
        elif ch in "]}":
            depth -= 1
        if ch == "," and depth == 0:
            out.append(current)
            current = ""
        else:
            current += ch
    out.append(current)
    return [v.strip() for v in out]


def parse_sweep(assignments: Sequence[str]) -> list[tuple[str, list[str]]]:
    """``key=v1,v2,...`` strings into (key, values) pairs, with clear errors."""
    axes = []
    for text in assignments:
        key, sep, values = text.partition("=")
        if not sep or not key.strip():
            raise ScenarioError(
                f"--set {text!r}: no '=' found (expected KEY=V1,V2,... such as "
                "demand.deflection=0,0.2,0.33)"
            )
        parsed = split_values(values)
        if not values.strip() or any(v == "" for v in parsed):
            raise ScenarioError(
                f"--set {text!r}: an empty value (expected KEY=V1,V2,... with no empty items)"
            )
        axes.append((key.strip(), parsed))
    keys = [k for k, _ in axes]
    if len(set(keys)) != len(keys):
        raise ScenarioError(f"--set names a key twice: {keys} (expected each key once)")
    return axes


def read_scenario_data(path: str | Path) -> dict[str, Any]:
    """Read a scenario file into plain data, with a clear error when it cannot be read."""
    source = f"scenario '{path}'"
    file = Path(path)
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ScenarioError(f"{source}: file not found (expected a readable YAML file)") from None
    except IsADirectoryError:
        raise ScenarioError(f"{source}: is a directory (expected a YAML file)") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ScenarioError(f"{source}: cannot be read ({exc}; expected UTF-8 YAML)") from None
    data = parse_yaml(text, source)
    if not isinstance(data, dict):
        raise ScenarioError(
            f"{source}: found {type(data).__name__} at the top level "
            "(expected a mapping with keys such as name, horizon, demand, teams)"
        )
    return data


def scenario_from_data(
    data: dict[str, Any],
    source: str = "scenario",
    overrides: Iterable[str] = (),
    base_dir: str | Path | None = None,
) -> Scenario:
    """Validate scenario data (after applying overrides) into a :class:`Scenario`.

    Files the scenario names (a stream's ``volume: FILE.csv``) are read from ``base_dir``
    (the scenario file's folder), or from the working directory when it is None.
    """
    for assignment in overrides:
        apply_override(data, assignment)
    try:
        scenario = Scenario.model_validate(data, context={"base_dir": base_dir})
    except ValidationError as exc:
        raise ScenarioError(format_validation_error(exc, source)) from None
    for message in scenario_warnings(scenario):
        warnings.warn(message, ScenarioWarning, stacklevel=2)
    return scenario


def load_scenario(path: str | Path, overrides: Iterable[str] = ()) -> Scenario:
    """Load, override and validate a scenario file.

    Raises
    ------
    ScenarioError
        With a one-paragraph message naming the file, key path, value and expectation.
    """
    data = read_scenario_data(path)
    return scenario_from_data(data, f"scenario '{path}'", overrides, Path(path).parent)


def scenario_warnings(scenario: Scenario) -> list[str]:
    """Soft problems: streams nobody can answer, surges outside the horizon."""
    out = []

    def skills(tier: int) -> set[tuple[str, str]]:
        return {
            (lang, ch)
            for t in scenario.teams
            if t.tier == tier
            for lang in t.languages
            for ch in t.channels
        }

    first_tier = skills(1)
    fallback = {(f.from_language, f.to) for f in scenario.routing.language_fallback}
    for stream in scenario.demand.streams:
        key = (stream.language, stream.channel)
        served = key in first_tier or any(
            frm == stream.language and (to, stream.channel) in first_tier for frm, to in fallback
        )
        if not served and stream.tickets_per_week > 0:
            out.append(
                f"stream {stream.name!r}: no team answers language {stream.language!r} on "
                f"{stream.channel} (its tickets wait unanswered; add the skill to a team "
                "or a routing.language_fallback)"
            )
    esc = scenario.escalation
    if esc is not None and esc.rate > 0:
        upper = skills(esc.to_tier)
        for stream in scenario.demand.streams:
            if (stream.language, stream.channel) not in upper and stream.tickets_per_week > 0:
                out.append(
                    f"stream {stream.name!r}: no tier-{esc.to_tier} team answers language "
                    f"{stream.language!r} on {stream.channel} (its escalations wait "
                    "unanswered; add the skill to a tier-2 team)"
                )
    out.extend(_dated_demand_warnings(scenario))
    return out


def _dated_demand_warnings(scenario: Scenario) -> list[str]:
    """Volume series that do not cover the horizon, events that fall outside it."""
    out = []
    first = scenario.horizon.start
    last = first + dt.timedelta(days=scenario.horizon.days - 1)
    for stream in scenario.demand.streams:
        volume = stream.volume
        if volume is None:
            continue
        reach = 7 if volume.per == "week" else 1
        covered = {d + dt.timedelta(days=k) for d in volume.values for k in range(reach)}
        outside = [
            first + dt.timedelta(days=k)
            for k in range(scenario.horizon.days)
            if first + dt.timedelta(days=k) not in covered
        ]
        if outside:
            out.append(
                f"stream {stream.name!r}: its volume series leaves {len(outside)} of the "
                f"horizon's days uncovered (first {outside[0]}); they use tickets_per_week "
                f"({stream.tickets_per_week:g}) (extend the series to cover {first} to {last})"
            )
    for event in scenario.demand.events:
        if event.end < first - dt.timedelta(days=1) or event.start > last + dt.timedelta(days=1):
            out.append(
                f"demand.events {event.name!r} ({event.start} to {event.end}) falls outside "
                f"the horizon ({first} to {last}) and changes nothing (move it or remove it)"
            )
    return out
