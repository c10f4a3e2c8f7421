"""The README runs as written: its commands parse, name files that exist, and a few run.

Every ``python run_sim.py`` line of a ```bash block is parsed with the command line's own
parser (``run_sim.build_parser``), and every scenario file it names under the repository's
folders must exist; names without a folder (``tickets.csv``) are the reader's own files and
``runs/...`` are outputs. A few cheap commands run for real, shortened to a sliver of a
week and one replication. Every ```yaml block loads: a whole scenario as it is, a fragment
inside the minimal scenario of ``conftest.BASE``. The ```csv block of employees is read by
the employees reader. The install commands at the top are a contract and are checked
verbatim.
"""

from __future__ import annotations

import copy
import importlib.util
import json
import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml
from conftest import BASE, ROOT

from run_sim import build_parser, main
from scenarios import scenario_from_data
from scenarios.schema import PROFILE_PRESETS, Planning, Scenario, Team

README = ROOT / "README.md"
TEXT = README.read_text(encoding="utf-8")
REPO_FOLDERS = ("scenarios", "tests", "benchmarks", "docs")
SHORT = ["--set", "horizon.weeks=0.15", "--replications", "1"]

INSTALL = [
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e . && python run_sim.py",
    "python3 -m venv .venv && . .venv/bin/activate && pip install -e '.[test]' "
    "&& python -m pytest -q",
]
"""The two fresh-machine commands, verbatim, in the README's first code block."""

NEWER_FILES = {"scenarios/library/plan_month.yaml"}
"""Files the README lists that this checkout may not have yet; a command naming one is
skipped while it is absent, and checked as soon as it exists."""

NEWER_FLAGS = {"--size-teams"}
"""Flags the README documents that this checkout's parser may not offer yet (skipped while
absent, parsed as soon as the parser has them)."""

NEWER_KEYS: dict[str, bool] = {
    "employees": "employees" in Scenario.model_fields,
    "contracts": "contracts" in Team.model_fields,
    "max_agents": "max_agents" in Team.model_fields,
    "labor_rules": "labor_rules" in Team.model_fields,
    "start_time_changes_hours": "start_time_changes_hours" in Planning.model_fields,
    "office_hours": "office_hours" in PROFILE_PRESETS,
}
"""Scenario keys the README documents, and whether this checkout's schema knows each; a
snippet using an unknown one is skipped until the schema has it."""

RUN_FOR_REAL = (
    "validate scenarios/library/small_demo.yaml",
    "simulate scenarios/library/small_demo.yaml",
    'compare scenarios/library/baseline.yaml --variant "no weekends:',
    "sweep scenarios/library/business_hours.yaml",
)
"""Commands (by how they start) run for real: cheap, and one of each kind."""


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", TEXT, flags=re.S | re.M)


def _command_lines() -> list[str]:
    """Every ``python run_sim.py`` line of the bash blocks, continuations joined."""
    out = []
    for block in _blocks("bash"):
        for line in block.replace("\\\n", " ").splitlines():
            line = line.strip()
            if line.startswith("python run_sim.py"):
                out.append(line)
    return out


COMMANDS = _command_lines()


def _argv(line: str) -> list[str]:
    return shlex.split(line, comments=True)[2:]


def _options(command: str) -> set[str]:
    """Option strings the parser offers for a command."""
    parser = build_parser()
    subparsers = next(a for a in parser._actions if a.choices and command in a.choices)
    assert subparsers.choices is not None
    sub = subparsers.choices[command]
    return {s for a in sub._actions for s in a.option_strings}


def _repo_files(args: Any) -> list[str]:
    """The scenario files a parsed command names inside the repository."""
    named: list[str] = []
    for attr in ("file", "files", "history"):
        value = getattr(args, attr, None)
        named += value if isinstance(value, list) else [value] if value else []
    return [n for n in named if Path(n).parts and Path(n).parts[0] in REPO_FOLDERS]


def test_the_install_commands_are_the_first_code_block() -> None:
    first = _blocks("bash")[0]
    assert TEXT.index("```bash") < TEXT.index("## ")  # before any section
    lines = [ln for ln in first.splitlines() if ln and not ln.startswith("#")]
    assert lines == INSTALL


def test_the_readme_has_commands_and_runs_some() -> None:
    assert len(COMMANDS) >= 20
    for start in RUN_FOR_REAL:
        assert any(c.startswith(f"python run_sim.py {start}") for c in COMMANDS), start


@pytest.mark.parametrize("line", COMMANDS)
def test_command_parses_and_names_files_that_exist(line: str) -> None:
    argv = _argv(line)
    if argv:
        missing = sorted(f for f in NEWER_FLAGS if f in argv and f not in _options(argv[0]))
        if missing:
            pytest.skip(f"run_sim.py {argv[0]} here has no {', '.join(missing)}")
    args = build_parser().parse_args(argv)
    for name in _repo_files(args):
        if name in NEWER_FILES and not (ROOT / name).exists():
            pytest.skip(f"{name} is not in this checkout")
        assert (ROOT / name).is_file(), f"{line}: {name} does not exist"


@pytest.mark.parametrize("start", RUN_FOR_REAL)
def test_command_runs(start: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    line = next(c for c in COMMANDS if c.startswith(f"python run_sim.py {start}"))
    argv = _argv(line)
    if "--out" in argv:
        k = argv.index("--out")
        del argv[k : k + 2]
    if argv[0] != "validate":
        argv += [*SHORT, "--out", str(tmp_path / "out")]
    code = main(argv)
    printed = capsys.readouterr()
    assert code == 0, printed.err
    if argv[0] == "validate":
        assert printed.out.startswith("ok: scenario")
        return
    written = {p.name for p in (tmp_path / "out").iterdir()}
    assert "report.html" in written
    if argv[0] == "compare":
        payload = json.loads((tmp_path / "out" / "comparison.json").read_text())
        assert [s["scenario"] for s in payload["scenarios"]][1] == "no weekends"
    if argv[0] == "sweep":
        payload = json.loads((tmp_path / "out" / "sweep.json").read_text())
        assert len(payload["points"]) == 4


def _merged(snippet: dict[str, Any]) -> dict[str, Any]:
    """A whole scenario as it is; a fragment inside the minimal scenario."""
    if {"name", "horizon", "demand", "teams"} <= snippet.keys():
        return snippet
    data = copy.deepcopy(BASE)
    data.update(copy.deepcopy(snippet))
    return data


@pytest.mark.parametrize("block", _blocks("yaml"), ids=lambda b: b.split(":")[0])
def test_yaml_snippet_validates(block: str) -> None:
    unknown = sorted(k for k, known in NEWER_KEYS.items() if not known and k in block)
    if unknown:
        pytest.skip(f"this checkout's schema has no {', '.join(unknown)}")
    snippet = yaml.safe_load(block)
    assert isinstance(snippet, dict)
    scenario = scenario_from_data(_merged(snippet), "README snippet")
    assert scenario.teams


def test_employees_csv_reads(tmp_path: Path) -> None:
    (block,) = _blocks("csv")
    if importlib.util.find_spec("scenarios.employees") is None:
        pytest.skip("this checkout reads no employees file")
    reader = importlib.import_module("scenarios.employees").read_employees_file
    path = tmp_path / "people.csv"
    path.write_text(block)
    people = reader(path)
    assert [p["name"] for p in people] == ["Aoife Byrne", "Conor Walsh"]
    assert people[0]["prefers"] == {"days_off": "Sat,Sun", "earliest_start": "08:00"}
