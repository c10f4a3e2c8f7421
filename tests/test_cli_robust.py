"""The command line under careless and hostile use: one clear message and exit 2 for bad
input, one line and exit 130 on Ctrl-C with every worker stopped, a size estimate before
any simulation, and an output folder that is always one run's set of files."""

from __future__ import annotations

import contextlib
import json
import os
import re
import resource
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import yaml
from conftest import BASE, ROOT

import run_sim
from scenarios import scenario_from_data
from sim.engine import run_replication
from sim.outputs import RUN_MARKER
from sim.size import estimate_run, size_problem

SMALL = ROOT / "tests" / "data" / "cli_small.yaml"
RUN_SIM = str(ROOT / "run_sim.py")
ENV = {**os.environ, "CI": "true"}
linux_only = pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="reads processes from /proc (Linux)"
)


def run_cli(
    *args: str, cwd: Path = ROOT, preexec_fn: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, RUN_SIM, *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        env=ENV,
        timeout=600,
        preexec_fn=preexec_fn,
    )


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Run a command in this process (its argument, size and output checks, without the
    process that supervises it); its exit code, output and error output."""
    code = run_sim.main(list(args))
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_message(stderr: str) -> str:
    """The single error message of a run that exited 2 (warnings may come before it)."""
    assert "Traceback" not in stderr and "internal error" not in stderr, stderr
    lines = stderr.rstrip("\n").splitlines()
    starts = [i for i, line in enumerate(lines) if line.startswith("error: ")]
    assert len(starts) == 1, stderr
    message = lines[starts[0] :]
    assert len(message) <= 3 or message[0].endswith(" problems:"), stderr
    return "\n".join(message)


def tiny(tmp_path: Path, name: str = "tiny.yaml", **changes: object) -> Path:
    data = yaml.safe_load(SMALL.read_text())
    data.update(changes)
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


# --------------------------------------------------------------------------- bad flags

BAD_FLAGS: list[tuple[list[str], str]] = [
    (["simulate", "{small}", "--replications", "nan"], "--replications: found 'nan'"),
    (["simulate", "{small}", "--replications", "10000000"], "expected at most 1,000"),
    (["simulate", "{small}", "--seed", "9" * 40], "expected a whole number"),
    (["simulate", "{small}", "--seed", "-1"], "expected 0 or more"),
    (["simulate", "{small}", "--workers", "0"], "--workers: found 0, expected 1 or more"),
    (["simulate", "{small}", "--max-tickets", "1e9"], "--max-tickets: found '1e9'"),
    (["simulate", "{small}", "--set", "horizon.weeks=.nan"], "horizon.weeks: found nan"),
    (["simulate", "{small}", "--bogus"], "unrecognized arguments: --bogus"),
    (["simulat", "{small}"], "invalid choice: 'simulat'"),
    (["compare", "{small}", "--replications", "-3"], "expected 1 or more"),
    (
        ["sweep", "{small}", "--set", "demand.scale=inf,1"],
        "demand.scale: found 'inf', expected a finite",
    ),
    (["sweep", "{small}"] + ["--set", "seed=" + ",".join(map(str, range(40)))] * 2, "twice"),
    (
        [
            "sweep",
            "{small}",
            "--set",
            "seed=" + ",".join(map(str, range(40))),
            "--set",
            "demand.scale=" + ",".join(str(1 + i / 100) for i in range(40)),
        ],
        "a grid of 1,600 points (expected at most 1,000",
    ),
    (["optimize", "{small}", "--time-limit", "inf"], "--time-limit: found 'inf'"),
    (["optimize", "{small}", "--rounds", "0"], "--rounds: found 0"),
    (["validate", "{small}", "--replications", "x"], "expected a whole number"),
    (["import-tickets", "{small}", "--weeks", "nan"], "--weeks: found 'nan'"),
    (["import-tickets", "{small}", "--weeks", "1e6"], "of at most 104"),
    (["backtest", "{small}", "--seed", "1.5"], "expected a whole number"),
    (["validate"], "the following arguments are required: FILE"),
]


@pytest.mark.parametrize(
    ("argv", "needle"), BAD_FLAGS, ids=[" ".join(a)[:50] for a, _ in BAD_FLAGS]
)
def test_bad_flags_of_every_command_exit_2_with_one_message(
    argv: list[str],
    needle: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    code = run_sim.main([a.replace("{small}", str(SMALL)) for a in argv])
    assert code == 2
    assert needle in one_message(capsys.readouterr().err)
    assert list(tmp_path.iterdir()) == []  # nothing written


# --------------------------------------------------------------------------- size guard


def test_validate_prints_the_size_of_a_simulation(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", str(SMALL), "--replications", "2")
    assert code == 0, err
    first, second = out.splitlines()
    assert first.startswith("ok: scenario")
    assert second.startswith("size of a simulation: about ") and "over 2 replications" in second
    assert "GB of memory" in second


@pytest.mark.parametrize("command", ["validate", "simulate"])
def test_a_huge_scenario_is_refused_with_its_estimate(
    command: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(
        capsys,
        command,
        str(SMALL),
        "--set",
        "demand.streams[0].tickets_per_week=5000000",
        "--set",
        "horizon.weeks=52",
        *(["--out", str(tmp_path / "out")] if command == "simulate" else []),
    )
    assert code == 2
    message = one_message(err)
    assert re.search(r"too large to simulate: about [\d,]{11} tickets and [\d,]+ touches", message)
    assert "expected at most 5,000,000 tickets" in message and "--max-tickets N" in message
    assert not (tmp_path / "out").exists()


def test_max_tickets_lowers_and_raises_the_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, err = cli(capsys, "simulate", str(SMALL), "--max-tickets", "100", "--out",
                       str(tmp_path / "a"))  # fmt: skip
    assert code == 2 and "expected at most 100 tickets" in one_message(err)
    assert cli(capsys, "validate", str(SMALL), "--max-tickets", "100000")[0] == 0


def test_ten_thousand_agents_on_two_years_are_refused_for_their_memory() -> None:
    data = {**BASE, "horizon": {**BASE["horizon"], "weeks": 104}}
    data["teams"] = [{**BASE["teams"][0], "name": f"t{i}", "agents": 10_000} for i in range(3)]
    scenario = scenario_from_data(data)
    estimate = estimate_run(scenario, 3)
    assert estimate.agents == 30_000
    assert estimate.agent_shifts == pytest.approx(3 * 30_000 * 728)
    problem = size_problem(estimate, 5_000_000)
    assert problem is not None and "GB of memory" in problem


def test_the_ticket_estimate_is_the_expected_number_of_arrivals() -> None:
    """Arrivals are Poisson: over three replications the mean count lies within four
    standard errors (sqrt(lambda / 3)) of the estimate's lambda, with holidays, a surge and
    growth shaping the rate."""
    data = yaml.safe_load(SMALL.read_text())
    data["demand"]["surges"] = [{"start": "2026-03-18T09:00", "hours": 30, "multiplier": 2.5}]
    data["demand"]["growth_per_year"] = 3.0
    data["demand"]["streams"][0]["country"] = "IE"
    data["horizon"]["start"] = "2026-03-16"  # Tuesday 17 March is St Patrick's Day in IE
    scenario = scenario_from_data(data)
    expected = estimate_run(scenario, 1).tickets
    counts = [len(run_replication(scenario, 5, r).tickets.arrival) for r in range(3)]
    assert abs(np.mean(counts) - expected) < 4 * np.sqrt(expected / 3)
    assert estimate_run(scenario, 3).tickets == pytest.approx(3 * expected)


# --------------------------------------------------------------------------- outputs


def test_scenario_yaml_carries_the_seed_that_was_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    args = ("simulate", str(SMALL), "--seed", "99", "--replications", "1")
    assert cli(capsys, *args, "--out", str(tmp_path / "a"))[0] == 0
    written = tmp_path / "a" / "scenario.yaml"
    assert yaml.safe_load(written.read_text())["seed"] == 99
    again = cli(capsys, "simulate", str(written), "--replications", "1", "--out",
                str(tmp_path / "b"))  # fmt: skip
    assert again[0] == 0, again[2]
    a, b = (json.loads((tmp_path / d / "summary.json").read_text()) for d in "ab")
    assert a == b


def test_an_out_folder_holding_other_files_is_refused_before_the_run(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    code, _, err = cli(capsys, "simulate", str(SMALL), "--out", str(tmp_path))
    assert code == 2
    assert "holds 'notes.txt', which no run wrote" in one_message(err)
    assert [p.name for p in tmp_path.iterdir()] == ["notes.txt"]


def test_an_out_path_under_a_file_is_named(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "file").write_text("x")
    code, _, err = cli(capsys, "simulate", str(SMALL), "--out", str(tmp_path / "file" / "out"))
    assert code == 2
    assert f"'{tmp_path / 'file'}': is a file, not a folder" in one_message(err)


def _limit_file_size() -> None:
    """In the child: files may not grow past 200 kB, as if the disk were full."""
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))


def test_a_full_disk_is_exit_2_naming_the_path_and_keeps_the_previous_set(
    tmp_path: Path,
) -> None:
    out = tmp_path / "out"
    assert run_cli("simulate", str(SMALL), "--replications", "1", "--out", str(out)).returncode == 0
    before = snapshot(out)
    done = run_cli(
        "simulate", str(SMALL), "--replications", "2", "--seed", "3", "--out", str(out),
        preexec_fn=_limit_file_size,
    )  # fmt: skip
    assert done.returncode == 2
    message = one_message(done.stderr)
    assert f"cannot write '{out}': File too large" in message
    assert str(out) in message
    assert snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def snapshot(folder: Path) -> dict[str, bytes]:
    """Every file's bytes; the report's minute of writing is left out (the only part of a
    run's files that is not the same for the same seed)."""
    return {
        p.name: re.sub(rb"Generated \d{4}-\d\d-\d\d \d\d:\d\d UTC", b"Generated", p.read_bytes())
        for p in sorted(folder.iterdir())
    }


@linux_only
def test_a_run_killed_at_random_points_leaves_the_old_set_or_the_new(tmp_path: Path) -> None:
    """Each kill lands somewhere in a run (while it loads, simulates, renders or writes);
    whatever the point, the folder holds the old run's files or the new run's, exactly."""
    out, reference = tmp_path / "out", tmp_path / "reference"
    args = ["simulate", str(SMALL), "--replications", "1"]
    assert run_cli(*args, "--seed", "1", "--out", str(out)).returncode == 0
    started = time.monotonic()
    assert run_cli(*args, "--seed", "2", "--out", str(reference)).returncode == 0
    duration = time.monotonic() - started
    old, new = snapshot(out), snapshot(reference)
    assert old != new and old.keys() == new.keys() and RUN_MARKER in old
    rng = np.random.default_rng(30)
    for fraction in rng.uniform(0.5, 1.1, size=4):  # most kills near the writing at the end
        proc = subprocess.Popen(
            [sys.executable, RUN_SIM, *args, "--seed", "2", "--out", str(out)],
            cwd=ROOT,
            env=ENV,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        time.sleep(duration * fraction)
        kill_tree(proc.pid)
        proc.wait()
        found = snapshot(out)
        assert found in (old, new)
        if found == new:  # start again from the old set
            assert run_cli(*args, "--seed", "1", "--out", str(out)).returncode == 0
    # The next run removes what the killed ones left beside the folder.
    assert run_cli(*args, "--seed", "1", "--out", str(out)).returncode == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "reference"]


def descendants(pid: int) -> list[int]:
    """Every process started by ``pid``, children first (from /proc)."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = [], [pid]
    while frontier:
        children = [p for p, parent in parents.items() if parent in frontier]
        found += children
        frontier = children
    return found


def kill_tree(pid: int) -> None:
    """SIGKILL a process and everything it started (the command's own group included)."""
    for child in [*descendants(pid), pid]:
        with contextlib.suppress(ProcessLookupError):
            os.kill(child, signal.SIGKILL)


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_for(condition: Callable[[], bool], what: str) -> None:
    """Wait for an event of another process (not for an amount of work)."""
    deadline = time.monotonic() + 300
    while not condition():
        assert time.monotonic() < deadline, f"never happened: {what}"
        time.sleep(0.02)


# --------------------------------------------------------------------------- Ctrl-C


def ctrl_c(proc: subprocess.Popen[str]) -> tuple[int, str]:
    """Press Ctrl-C: SIGINT to the terminal's foreground group (the one the command leads)."""
    os.killpg(proc.pid, signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    return proc.returncode, err


def start(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, RUN_SIM, *args],
        cwd=ROOT,
        env=ENV,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


@linux_only
@pytest.mark.parametrize("pause", [0.0, 0.5, 1.5])
def test_ctrl_c_while_starting_up_is_one_line_and_130(pause: float, tmp_path: Path) -> None:
    """From the moment the command runs (its worker process exists), while the heavy
    libraries load and the scenario is read, a Ctrl-C says one line."""
    proc = start("simulate", str(SMALL), "--out", str(tmp_path / "out"))
    wait_for(lambda: bool(descendants(proc.pid)), "the command's process started")
    time.sleep(pause)
    code, err = ctrl_c(proc)
    if code == 0:  # finished first on a fast machine: nothing to interrupt
        return
    assert (code, err) == (130, "interrupted\n")
    assert not (tmp_path / "out").exists()
    assert [p.name for p in tmp_path.iterdir()] == []


@linux_only
@pytest.mark.slow
def test_ctrl_c_with_dask_workers_stops_them_with_one_line(tmp_path: Path) -> None:
    scenario = tiny(tmp_path, horizon={"start": "2026-03-02", "weeks": 4})
    proc = start("simulate", str(scenario), "--workers", "2", "--replications", "6",
                 "--out", str(tmp_path / "out"))  # fmt: skip

    def workers() -> list[int]:
        found = []
        for pid in descendants(proc.pid):
            try:
                if b"spawn_main" in Path(f"/proc/{pid}/cmdline").read_bytes():
                    found.append(pid)
            except OSError:
                continue
        return found

    wait_for(lambda: len(workers()) >= 2, "two Dask workers started")
    started = descendants(proc.pid)
    code, err = ctrl_c(proc)
    assert (code, err) == (130, "interrupted\n"), err
    wait_for(lambda: not any(alive(pid) for pid in started), "every worker stopped")
    assert not (tmp_path / "out").exists()
