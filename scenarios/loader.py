"""Reading scenario files: safe YAML, ``--set`` overrides, and errors people can act on.

``load_scenario(path, overrides)`` is the one entry point the command line uses. YAML is
parsed with a safe loader that never builds Python objects, rejects duplicate keys, and reads
``9:00`` as text rather than YAML 1.1's base-60 integer. Every problem becomes a
:class:`ScenarioError` naming the file, the key path, what was found and what was expected.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import re
import warnings
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from types import UnionType
from typing import Any, Union, get_args, get_origin

import yaml
from pydantic import BaseModel, ValidationError

from scenarios.calendar import horizon_minutes, horizon_origin, surge_minutes
from scenarios.schema import Scenario
from scenarios.types import excerpt


class ScenarioError(ValueError):
    """An invalid scenario file, key or override; the message says where and what."""


class ScenarioWarning(UserWarning):
    """A scenario that runs but probably not as intended (the message names the fix)."""


# --------------------------------------------------------------------------- YAML

MAX_YAML_BYTES = 10_000_000
"""Largest scenario file read (10 MB: a year's roster of a few hundred agents fits)."""
MAX_YAML_DEPTH = 64
"""Deepest nesting of lists and mappings (a scenario needs about six levels)."""
MAX_ALIAS_VALUES = 100_000
"""Most values that YAML aliases (``*name``) may add to a document when expanded."""
MAX_NUMBER_CHARS = 100
"""Longest number written in a scenario, in characters."""


class _LimitedComposer(yaml.composer.Composer):
    """PyYAML's composer with limits on nesting depth and on what aliases expand to.

    Aliases share one node, so a document of a few hundred bytes can stand for billions
    of values (an "alias bomb"); PyYAML builds it in a moment, but anything that walks the
    result (validation, an error message) never ends. Every node's expanded size and
    height are counted as it is composed, so a bomb or a 50,000-level nesting is refused
    at the line where it crosses the limit, in a time that grows with the file's length.
    """

    peek_event: Callable[[], Any]  # from the parser this composer is mixed with

    def __init__(self) -> None:
        super().__init__()
        self._depth = 0
        self._alias_values = 0
        self._open_anchors: set[str] = set()
        self._size: dict[int, int] = {}
        self._height: dict[int, int] = {}

    def _refuse(self, problem: str, mark: Any) -> None:
        raise yaml.composer.ComposerError(None, None, problem, mark)

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            if event.anchor in self._open_anchors:
                self._refuse(
                    f"alias *{str(event.anchor)[:40]} refers to a value that contains it "
                    "(expected no recursive aliases)",
                    event.start_mark,
                )
            node = super().compose_node(parent, index)
            if self._depth + self._height.get(id(node), 1) > MAX_YAML_DEPTH:
                self._refuse(
                    f"alias *{str(event.anchor)[:40]} nests values deeper than "
                    f"{MAX_YAML_DEPTH} levels (expected at most {MAX_YAML_DEPTH})",
                    event.start_mark,
                )
            self._alias_values += self._size.get(id(node), 1)
            if self._alias_values > MAX_ALIAS_VALUES:
                self._refuse(
                    f"aliases expand to more than {MAX_ALIAS_VALUES:,} values "
                    f"(expected at most {MAX_ALIAS_VALUES:,}; write the values out or "
                    "use fewer aliases)",
                    event.start_mark,
                )
            return node
        self._depth += 1
        if self._depth > MAX_YAML_DEPTH:
            self._refuse(
                f"values nested deeper than {MAX_YAML_DEPTH} levels "
                f"(expected at most {MAX_YAML_DEPTH})",
                event.start_mark,
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None:
            self._open_anchors.add(anchor)
        node = super().compose_node(parent, index)
        if anchor is not None:
            self._open_anchors.discard(anchor)
        self._depth -= 1
        children: list[Any] = []
        if isinstance(node, yaml.SequenceNode):
            children = node.value
        elif isinstance(node, yaml.MappingNode):
            children = [child for pair in node.value for child in pair]
        elif (
            isinstance(node, yaml.ScalarNode)
            and len(node.value) > MAX_NUMBER_CHARS
            and node.tag.endswith((":int", ":float"))
        ):
            self._refuse(
                f"a number of {len(node.value):,} characters (expected at most {MAX_NUMBER_CHARS})",
                node.start_mark,
            )
        self._size[id(node)] = 1 + sum(self._size.get(id(c), 1) for c in children)
        self._height[id(node)] = 1 + max((self._height.get(id(c), 1) for c in children), default=0)
        return node


def _without_sexagesimal(resolvers: dict[Any, Any]) -> dict[Any, Any]:
    """Implicit resolvers with YAML 1.1's int and float forms removed (re-added below)."""
    return {
        first: [(tag, regexp) for tag, regexp in entries if not tag.endswith((":int", ":float"))]
        for first, entries in resolvers.items()
    }


class _Resolver(yaml.resolver.Resolver):
    """YAML 1.1's resolver without base-60 numbers: ``9:00`` stays text, not 540."""


_Resolver.yaml_implicit_resolvers = _without_sexagesimal(
    yaml.resolver.Resolver.yaml_implicit_resolvers
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:int",
    re.compile(r"^(?:[-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(?:0|[1-9][0-9_]*)|[-+]?0x[0-9a-fA-F_]+)$"),
    list("-+0123456789"),
)
_Resolver.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(
        r"^(?:[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?(?:[eE][-+]?[0-9]+)?"
        r"|\.[0-9][0-9_]*(?:[eE][-+][0-9]+)?|[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN))$"
    ),
    list("-+0123456789."),
)


class _Constructor(yaml.constructor.SafeConstructor):
    """The safe constructor (plain data only) with duplicate keys reported."""

    def construct_mapping(self, node: Any, deep: bool = False) -> dict[Any, Any]:
        self.flatten_mapping(node)
        mapping: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            key = self.construct_object(key_node, deep=True)
            try:
                duplicate = key in mapping
            except TypeError:  # a list or mapping as a key
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"found a {type(key).__name__} as a key (expected a name)",
                    key_node.start_mark,
                ) from None
            if duplicate:
                raise yaml.constructor.ConstructorError(
                    None,
                    None,
                    f"key {excerpt(key)} appears twice in one mapping (expected each key once)",
                    key_node.start_mark,
                )
            mapping[key] = self.construct_object(value_node, deep=True)
        return mapping


try:
    from yaml._yaml import CParser  # libyaml's scanner and parser

    _WITH_LIBYAML = True
except ImportError:  # pragma: no cover - PyYAML built without libyaml
    _WITH_LIBYAML = False

if _WITH_LIBYAML:
    # libyaml scans and parses; composing (with its limits) and constructing stay in Python.
    class _Loader(_LimitedComposer, CParser, _Constructor, _Resolver):
        def __init__(self, stream: str) -> None:
            CParser.__init__(self, stream)
            _LimitedComposer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)

else:  # pragma: no cover - PyYAML built without libyaml

    class _Loader(  # type: ignore[no-redef]
        yaml.reader.Reader,
        yaml.scanner.Scanner,
        yaml.parser.Parser,
        _LimitedComposer,
        _Constructor,
        _Resolver,
    ):
        def __init__(self, stream: str) -> None:
            yaml.reader.Reader.__init__(self, stream)
            yaml.scanner.Scanner.__init__(self)
            yaml.parser.Parser.__init__(self)
            _LimitedComposer.__init__(self)
            _Constructor.__init__(self)
            _Resolver.__init__(self)


def parse_yaml(text: str, source: str) -> Any:
    """Parse YAML text safely and within limits; errors name the source, line and column.

    Only plain data is built (no Python objects), duplicate keys are errors, ``9:00`` stays
    text, and the text's size, nesting depth, alias expansion and numbers' lengths are
    limited (:data:`MAX_YAML_BYTES`, :data:`MAX_YAML_DEPTH`, :data:`MAX_ALIAS_VALUES`,
    :data:`MAX_NUMBER_CHARS`).
    """
    if len(text) > MAX_YAML_BYTES:
        raise ScenarioError(
            f"{source}: {len(text):,} characters (expected at most {MAX_YAML_BYTES:,})"
        )
    loader = _Loader(text)
    try:
        return loader.get_single_data()
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        if "(expected" in problem:
            raise ScenarioError(f"{source}:{where}: {problem}") from None
        raise ScenarioError(
            f"{source}:{where}: YAML syntax error: {problem} (expected valid YAML)"
        ) from None
    finally:
        loader.dispose()


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
    "finite_number": "a finite number",
}


def _describe(error: Any) -> str:
    kind = error["type"]
    msg = str(error["msg"])
    found = error.get("input")
    if kind in _EXPECTED:
        ctx = {
            # 0.0 and 10.0 read as 0 and 10; other bounds as written.
            key: int(value) if isinstance(value, float) and value.is_integer() else value
            for key, value in (error.get("ctx") or {}).items()
        }
        try:
            expected = _EXPECTED[kind].format(**ctx)
        except (KeyError, IndexError):
            expected = msg
        return f"found {excerpt(found)}, expected {expected}"
    if kind == "extra_forbidden":
        return "unknown key (expected one of the documented keys; see the README's reference)"
    if kind == "missing":
        return "missing required key"
    if msg.startswith("Value error, "):
        return msg.removeprefix("Value error, ")
    if msg.startswith("Assertion failed, "):
        return msg.removeprefix("Assertion failed, ")
    text = msg.removeprefix("Input should be ").removeprefix("Value should be ")
    return f"found {excerpt(found)}, expected {text[0].lower() + text[1:]}"


_DAY_NAMES = {"mon", "tue", "wed", "thu", "fri", "sat", "sun"}
MAX_PROBLEMS = 12
"""Most problems one message names (the rest are counted)."""


def _model_at(loc: Sequence[int | str]) -> type[BaseModel] | None:
    """The schema model that validates the value at a pydantic error location."""
    annotation: Any = Scenario
    for part in loc:
        options = [annotation]
        while any(get_origin(o) in (Union, UnionType) for o in options):
            options = [a for o in options for a in (get_args(o) or (o,)) if a is not type(None)]
        for option in options:
            origin = get_origin(option)
            if isinstance(option, type) and issubclass(option, BaseModel) and isinstance(part, str):
                field = option.model_fields.get(part) or next(
                    (f for f in option.model_fields.values() if f.alias == part), None
                )
                if field is not None:
                    annotation = field.annotation
                    break
            elif origin in (list, tuple) and isinstance(part, int):
                annotation = get_args(option)[0]
                break
            elif origin is dict and isinstance(part, str):
                annotation = get_args(option)[1]
                break
        # Parts that name no field (pydantic's union and validator tags) change nothing.
    return (
        annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    )


def _unknown_key(loc: Sequence[int | str]) -> str:
    """An unknown key, with the closest known key of its mapping when one is close."""
    key = str(loc[-1])
    where = f"{_path(loc[:-1])}: " if len(loc) > 1 else ""
    model = _model_at(loc[:-1])
    known = (
        [f.alias or name for name, f in model.model_fields.items() if not f.exclude]
        if model is not None
        else []
    )
    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    if close:
        expected = f"expected one of the documented keys: did you mean {close[0]!r}?"
    elif known and len(known) <= 10:
        expected = f"expected one of the documented keys: {', '.join(known)}"
    else:
        expected = "expected one of the documented keys; see the README's reference"
    if key.lower() in _DAY_NAMES:
        expected += '; a list of days inside {...} must be quoted, e.g. days: "Sat,Sun"'
    return f"{where}unknown key {excerpt(key)} ({expected})"


def format_validation_error(exc: ValidationError, source: str) -> str:
    """Every problem (up to :data:`MAX_PROBLEMS`) with its key path, what was found and
    what was expected: one line for one problem, else a count and one line each."""
    problems: list[str] = []
    for error in exc.errors():
        loc = error["loc"]
        if error["type"] == "extra_forbidden":
            text = _unknown_key(loc)
        elif loc:
            text = f"{_path(loc)}: {_describe(error)}"
        else:
            text = _describe(error)
        if text not in problems:
            problems.append(text)
    if len(problems) == 1:
        return f"{source}: {problems[0]}"
    shown = [f"  {text}" for text in problems[:MAX_PROBLEMS]]
    if len(problems) > MAX_PROBLEMS:
        shown.append(f"  (and {len(problems) - MAX_PROBLEMS} more)")
    return "\n".join([f"{source}: {len(problems)} problems:", *shown])


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
            f"key path {excerpt(path)} is malformed (expected keys such as 'a.b[0].c' or 'a[*].c')"
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
        raise ValueError(
            f"{where} has no item named {excerpt(key)} (expected one of {excerpt(names, 200)})"
        )
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
            f"--set {excerpt(assignment)}: no '=' found "
            "(expected KEY.PATH=VALUE, e.g. demand.deflection=0.3)"
        )
    path, _, raw = assignment.partition("=")
    try:
        value = parse_yaml(raw, f"--set {excerpt(assignment)}") if raw.strip() else ""
        for parts in _expand(data, _split_path(path.strip())):
            _assign(data, parts, copy.deepcopy(value))
    except ValueError as exc:
        raise ScenarioError(f"--set {excerpt(assignment)}: {exc}") from None
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
                f"--set {excerpt(text)}: no '=' found (expected KEY=V1,V2,... such as "
                "demand.deflection=0,0.2,0.33)"
            )
        parsed = split_values(values)
        if not values.strip() or any(v == "" for v in parsed):
            raise ScenarioError(
                f"--set {excerpt(text)}: an empty value "
                "(expected KEY=V1,V2,... with no empty items)"
            )
        axes.append((key.strip(), parsed))
    keys = [k for k, _ in axes]
    if len(set(keys)) != len(keys):
        raise ScenarioError(f"--set names a key twice: {excerpt(keys)} (expected each key once)")
    return axes


def read_scenario_data(path: str | Path) -> dict[str, Any]:
    """Read a scenario file into plain data, with a clear error when it cannot be read."""
    source = f"scenario '{path}'"
    file = Path(path)
    try:
        with file.open("rb") as handle:
            raw = handle.read(MAX_YAML_BYTES + 1)
    except FileNotFoundError:
        raise ScenarioError(f"{source}: file not found (expected a readable YAML file)") from None
    except IsADirectoryError:
        raise ScenarioError(f"{source}: is a directory (expected a YAML file)") from None
    except OSError as exc:
        raise ScenarioError(
            f"{source}: cannot be read ({exc.strerror or exc}; expected a readable YAML file)"
        ) from None
    if len(raw) > MAX_YAML_BYTES:
        raise ScenarioError(
            f"{source}: larger than {MAX_YAML_BYTES:,} bytes "
            f"(expected a scenario of at most {MAX_YAML_BYTES // 1_000_000} MB)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{source}: byte {exc.start} is not UTF-8 text (expected a UTF-8 YAML file)"
        ) from None
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
    """Volume series that do not cover the horizon; events and surges outside it."""
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
    origin = horizon_origin(scenario)
    end = horizon_minutes(scenario)
    for i, surge in enumerate(scenario.demand.surges):
        lo, hi = surge_minutes(scenario, surge, origin)
        if hi <= 0 or lo >= end:
            out.append(
                f"demand.surges[{i}]: {surge.start.isoformat(timespec='minutes')} for "
                f"{surge.hours:g} h lies outside the horizon ({first} to {last} in "
                f"{scenario.horizon.timezone}), so it changes nothing (move it into the horizon)"
            )
    return out
