"""Property-based fuzzing of everything a user types: scenario values of every type (NaN,
infinities, huge numbers, text, lists, mappings where numbers belong) and every command's
flags. Whatever the input: a valid result, or exit 2 with one message of at most three
lines per problem, and never a traceback."""

from __future__ import annotations

import copy
import datetime as dt
import math
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import ROOT
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st
from synthetic_logs import write_bank_calls

import run_sim
from scenarios import ScenarioError, ScenarioWarning, scenario_from_data
from scenarios.loader import MAX_PROBLEMS
from sim.engine import run_replication
from sim.runner import summarize
from sim.size import estimate_run

SMALL = ROOT / "tests" / "data" / "cli_small.yaml"
GOOD: dict[str, Any] = yaml.safe_load(SMALL.read_text())
GOOD["horizon"]["weeks"] = 2 / 7  # two days: an accepted scenario runs in a moment

HOSTILE_NUMBERS = [math.nan, math.inf, -math.inf, 1e308, -1e308, 1e300, 10**40, -(10**40)]
HOSTILE_NUMBERS += [2**63, 0, -1, 0.5, 1e-300, 5e-324]


def leaf_paths(node: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    """Every path into the scenario data, containers included."""
    paths = [prefix] if prefix else []
    if isinstance(node, dict):
        for key, value in node.items():
            paths += leaf_paths(value, (*prefix, key))
    elif isinstance(node, list):
        for i, value in enumerate(node):
            paths += leaf_paths(value, (*prefix, i))
    return paths


PATHS = leaf_paths(GOOD)

values = st.recursive(
    st.one_of(
        st.sampled_from(HOSTILE_NUMBERS),
        st.floats(allow_nan=True, allow_infinity=True),
        st.integers(),
        st.text(max_size=30),
        st.booleans(),
        st.none(),
        st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31)),
        st.datetimes(min_value=dt.datetime(1, 1, 2), max_value=dt.datetime(9999, 12, 30)),
        st.sampled_from(["4h", "99999d", "Mon-Fri", "25:00", "optimize", "Europe/Dubln", ""]),
    ),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner),
    max_leaves=8,
)


def _get(data: Any, path: tuple[Any, ...]) -> Any:
    for part in path:
        data = data[part]
    return data


def set_path(data: dict[str, Any], path: tuple[Any, ...], value: Any) -> None:
    node: Any = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value


def check_message(message: str) -> None:
    """One problem: at most three lines; several: a count, then one line each (at most a
    dozen and a last 'and N more'). Values appear only as short excerpts."""
    lines = message.splitlines()
    if len(lines) > 3:
        assert lines[0].endswith(" problems:"), message
        assert len(lines) <= 1 + MAX_PROBLEMS + 1, message
    assert all(len(line) < 600 for line in lines), message


# Plausible numbers too, so that a share of the mutated scenarios is accepted and run.
plausible = st.one_of(
    st.floats(min_value=0, max_value=1.0), st.floats(min_value=0, max_value=500), st.integers(0, 60)
)
NUMBER_PATHS = [
    path
    for path in PATHS
    if isinstance(value := _get(GOOD, path), int | float) and not isinstance(value, bool)
]


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(changes=st.lists(st.tuples(st.sampled_from(PATHS), values), min_size=1, max_size=3))
def test_any_scenario_value_is_refused_clearly_or_runs(changes: list[tuple[Any, Any]]) -> None:
    check_scenario(changes)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@example(changes=[(("demand", "deflection"), 0.998046875)])  # every ticket deflected
@given(
    changes=st.lists(
        st.tuples(st.sampled_from(NUMBER_PATHS), st.sampled_from(HOSTILE_NUMBERS) | plausible),
        min_size=1,
        max_size=3,
    )
)
def test_any_number_in_a_scenario_is_refused_clearly_or_runs(
    changes: list[tuple[Any, Any]],
) -> None:
    check_scenario(changes)


def check_scenario(changes: list[tuple[Any, Any]]) -> None:
    """Apply the changes to the good scenario: refused with a clear message, or accepted
    with finite numbers, a known size, and a run whose tickets add up."""
    data = copy.deepcopy(GOOD)
    for path, value in changes:
        try:
            set_path(data, path, value)
        except (KeyError, IndexError, TypeError):  # an earlier change removed the place
            continue
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ScenarioWarning)
        try:
            scenario = scenario_from_data(data, "fuzzed")
        except ScenarioError as exc:
            check_message(str(exc))
            event("refused")
            return
    estimate = estimate_run(scenario, 1)
    assert all(
        math.isfinite(v) for v in (estimate.tickets, estimate.touches, estimate.memory_bytes)
    )
    if any(t.optimize_shifts and t.roster is None for t in scenario.teams):
        event("accepted, for optimize")
        return  # simulate refuses it and points to optimize
    if estimate.tickets > 50_000 or estimate.agent_shifts > 20_000:
        event("accepted, too large to run here")
        return  # the size guard's business, checked in test_cli_robust
    event("accepted and run")
    result = run_replication(scenario, scenario.seed, 0)
    summary = summarize(scenario, [result]).summary
    tickets = dict(summary["tickets"])
    # The share abandoned is undefined (null) when the bot deflects every ticket.
    rate = tickets.pop("abandonment_rate")
    if tickets["arrived"] > tickets["deflected"]:
        assert rate is not None and 0 <= rate <= 1
    else:
        assert rate is None
    assert all(math.isfinite(v) for v in tickets.values())
    assert tickets["arrived"] == pytest.approx(
        tickets["deflected"] + tickets["handled"] + tickets["abandoned"] + tickets["open"]
    )
    assert math.isfinite(summary["cost"]["staff_total"])


# --------------------------------------------------------------------------- flags

FLAG_VALUES = st.one_of(
    st.sampled_from(["nan", "inf", "-inf", "1e308", "-1", "0", "1", "2", "1.5", "abc", ""]),
    st.sampled_from(["9" * 40, "1e9", "  3", "0x10", "--", "-", "None", "[1]", "{a: 1}"]),
    st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=12),
    st.integers(-(10**12), 10**12).map(str),
)
SET_VALUES = st.one_of(
    st.sampled_from(["demand.deflection", "horizon.weeks", "teams[0].agents", "seed"]),
    st.sampled_from(["teams.dublin.hourly_cost", "demand.streams[1].tickets_per_week"]),
    st.sampled_from(["channels.chat.concurrency", "nonsense.path", "teams[9].agents", "=", ""]),
).flatmap(lambda key: FLAG_VALUES.map(lambda value: f"{key}={value}"))
SCHEDULERS = st.sampled_from(["nonsense", "tcp://", "::::", "inproc://", ""])

# Each command's flags and how to draw a value for one (valid values stay small and cheap:
# one worker, few replications; outputs go to names inside the test's folder).
COMMON = {
    "--replications": st.one_of(FLAG_VALUES, st.sampled_from(["1", "2"])),
    "--seed": FLAG_VALUES,
    "--out": st.sampled_from(["out", "out/deeper", "notes", ".", "file.txt/x", ""]),
    "--workers": st.one_of(FLAG_VALUES.filter(lambda v: v.strip() not in {"2"}), st.just("1")),
    "--max-tickets": FLAG_VALUES,
    "--scheduler": SCHEDULERS,
}
COMMANDS: dict[str, dict[str, Any]] = {
    "simulate": {**COMMON, "--set": SET_VALUES},
    "compare": COMMON,
    "sweep": {**COMMON, "--set": SET_VALUES},
    "optimize": {
        **COMMON,
        "--set": SET_VALUES,
        "--time-limit": FLAG_VALUES,
        "--rounds": FLAG_VALUES,
        "--verify": None,
    },
    "validate": {
        "--set": SET_VALUES,
        "--replications": COMMON["--replications"],
        "--max-tickets": FLAG_VALUES,
    },
    "import-tickets": {
        "--format": st.sampled_from(["anonymous_bank", "generic", "zendesk", "jira", ""]),
        "--map": st.one_of(
            st.sampled_from(["timestamp_format=%Q", "timezone=Mars/Base", "sep=tab", "x"]),
            st.sampled_from(["created=nope", "default_channel=fax", "timestamp_format=%H"]),
        ),
        "--out": st.sampled_from(["scenario.yaml", ".", "file.txt/x", ""]),
        "--name": FLAG_VALUES,
        "--weeks": FLAG_VALUES,
    },
    "forecast": {
        "--format": st.sampled_from(["counts", "generic", "jira", ""]),
        "--map": st.sampled_from(["count=nope", "date=count", "timezone=Mars/Base", "x"]),
        "--horizon": st.one_of(FLAG_VALUES, st.sampled_from(["2w", "9999w", "0w", "-1w"])),
        "--start": st.one_of(
            FLAG_VALUES, st.sampled_from(["2024-05-06", "0001-01-01", "9999-12-31"])
        ),
        "--since": st.sampled_from(["2024-02-01", "1600-01-01", "2024-13-01", "x"]),
        "--until": st.sampled_from(["2024-03-01", "9999-12-31", "2023-01-01", ""]),
        "--out": COMMON["--out"],
        "--name": FLAG_VALUES,
        "--holdout": FLAG_VALUES,
        "--country": st.sampled_from(["US", "XX", "", "ie"]),
        "--zero-missing": None,
    },
    "backtest": {
        "--format": st.sampled_from(["anonymous_bank", "generic", "jira"]),
        "--replications": COMMON["--replications"],
        "--seed": FLAG_VALUES,
        "--out": COMMON["--out"],
        "--strict-availability": None,
    },
}


@st.composite
def command_lines(draw: st.DrawFn, command: str) -> list[str]:
    flags = COMMANDS[command]
    chosen = draw(st.lists(st.sampled_from(sorted(flags)), max_size=4, unique=True))
    argv = [command]
    for flag in chosen:
        strategy = flags[flag]
        argv += [flag] if strategy is None else [flag, draw(strategy)]
    if draw(st.integers(0, 4)) == 0:  # now and then, something the command does not take
        argv.append(draw(st.sampled_from(["--bogus", "extra", "-x"])))
    return argv


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder with a short scenario, a second one, a ticket log, a file and a folder of
    someone's notes (what careless --out values may hit)."""
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "scenario.yaml").write_text(yaml.safe_dump(GOOD, sort_keys=False))
    other = copy.deepcopy(GOOD)
    other["name"] = "other"
    other["teams"][0]["agents"] = 4
    (folder / "other.yaml").write_text(yaml.safe_dump(other, sort_keys=False))
    write_bank_calls(folder / "calls.tsv", dates=("990203",), calls_per_day=150)
    days = pd.date_range("2024-01-01", periods=70, freq="D")
    counts = np.random.default_rng(2).poisson(120, len(days))
    rows = "".join(f"{d:%Y-%m-%d},{c}\n" for d, c in zip(days, counts, strict=True))
    (folder / "counts.csv").write_text("date,count\n" + rows)
    (folder / "file.txt").write_text("x")
    (folder / "notes").mkdir()
    (folder / "notes" / "mine.txt").write_text("mine")
    return folder


def run_command(argv: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    code = run_sim.main(argv)
    return code, capsys.readouterr().err


def files_for(command: str) -> list[str]:
    return {
        "compare": ["scenario.yaml", "other.yaml"],
        "import-tickets": ["calls.tsv"],
        "forecast": ["counts.csv", "--horizon", "2w"],
        "backtest": ["calls.tsv"],
    }.get(command, ["scenario.yaml"])


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_any_flags_of_any_command_give_a_result_or_one_message(
    command: str,
    workdir: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(workdir)

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(argv=command_lines(command))
    def check(argv: list[str]) -> None:
        line = [argv[0], *files_for(command), *argv[1:]]
        if command == "sweep" and "--set" not in argv:
            line += ["--set", "demand.deflection=0,0.1"]
        code, err = run_command(line, capsys)
        event(f"exit {code}")
        assert "Traceback" not in err and "internal error" not in err, (line, err)
        assert code in (0, 2), (line, code, err)
        if code == 2:
            errors = [i for i, text in enumerate(err.splitlines()) if text.startswith("error: ")]
            assert len(errors) == 1, (line, err)
            check_message("\n".join(err.splitlines()[errors[0] :]))
        assert sorted(p.name for p in (workdir / "notes").iterdir()) == ["mine.txt"]
        assert (workdir / "file.txt").read_text() == "x"

    check()
