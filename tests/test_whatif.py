"""compare, sweep and distributed runs: common random numbers, grids, Dask equality."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, make_scenario
from test_cli import run_cli

from scenarios import ScenarioError, apply_override, parse_sweep, parse_variant, split_values
from sim.demand import generate_tickets
from sim.runner import map_tasks, run_point
from sim.whatif import pareto_mask

SMALL = ROOT / "tests" / "data" / "cli_small.yaml"


def test_common_random_numbers_keep_a_streams_customers() -> None:
    """Adding a stream does not change the customers of the existing one."""
    base = make_scenario()
    extra = dict(base.demand.streams[0].model_dump(), name="second", language="de")
    more = make_scenario(demand={"streams": [base.demand.streams[0].model_dump(), extra]})
    a = generate_tickets(base, 7, 0)
    b = generate_tickets(more, 7, 0)
    mine = b.stream == 0
    np.testing.assert_array_equal(a.arrival, b.arrival[mine])
    np.testing.assert_array_equal(a.handle, b.handle[mine])


def test_split_values_respects_brackets() -> None:
    assert split_values("1,2,[a,b],{x: 1, y: 2}") == ["1", "2", "[a,b]", "{x: 1, y: 2}"]


def test_parse_sweep_errors_name_the_flag() -> None:
    with pytest.raises(ScenarioError, match="no '=' found"):
        parse_sweep(["demand.deflection"])
    with pytest.raises(ScenarioError, match="empty value"):
        parse_sweep(["demand.deflection=0,,1"])


def test_pareto_mask_marks_the_frontier() -> None:
    cost = np.array([10.0, 12.0, 11.0, 20.0])
    service = np.array([0.80, 0.95, 0.79, 0.95])
    # Point 2 is dearer and worse than point 0; point 3 dearer than point 1 for the same SLA.
    assert pareto_mask(cost, service).tolist() == [True, True, False, False]


def test_compare_writes_deltas_against_the_first(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(SMALL.read_text())
    data["name"] = "cli-small-more-agents"
    data["teams"][0]["agents"] = 9
    other = tmp_path / "more.yaml"
    other.write_text(yaml.safe_dump(data))
    out = tmp_path / "cmp"
    result = run_cli("compare", str(SMALL), str(other), "--out", str(out), "--replications", "2")
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "comparison.csv")
    assert table["scenario"].tolist() == ["cli-small", "cli-small-more-agents"]
    assert np.isnan(table.loc[0, "delta_cost_per_week"])
    assert table.loc[1, "delta_cost_per_week"] > 0  # three more agents cost more
    assert table.loc[1, "attainment"] >= table.loc[0, "attainment"]
    lo, hi = table.loc[1, ["delta_cost_per_week_ci_low", "delta_cost_per_week_ci_high"]]
    assert lo <= table.loc[1, "delta_cost_per_week"] <= hi
    payload = json.loads((out / "comparison.json").read_text())
    assert payload["common_random_numbers"] is True
    assert (out / "report.html").stat().st_size > 0


def test_compare_needs_two_scenarios(tmp_path: Path) -> None:
    result = run_cli("compare", str(SMALL), "--out", str(tmp_path))
    assert result.returncode == 2
    assert "expected two or more scenarios" in result.stderr and "--variant" in result.stderr


def test_parse_variant_names_and_splits_overrides() -> None:
    assert parse_variant("no weekends: teams[*].shifts[*].days=Mon-Fri") == (
        "no weekends",
        ["teams[*].shifts[*].days=Mon-Fri"],
    )
    # Semicolons split overrides, except inside brackets or quotes; colons in values stay.
    assert parse_variant("late: a.start=09:30; b=[1;2]; c='x;y'") == (
        "late",
        ["a.start=09:30", "b=[1;2]", "c='x;y'"],
    )
    for bad, words in (
        ("demand.scale=1.9", "no name found"),
        ("surge:", "no override"),
        ("surge: demand.scale", "has no '='"),
    ):
        with pytest.raises(ScenarioError, match=words):
            parse_variant(bad)


def test_every_item_override_sets_each_item_of_a_list() -> None:
    data = {
        "teams": [
            {"name": "a", "shifts": [{"days": "Sat,Sun"}, {"days": "Mon-Fri"}]},
            {"name": "b", "shifts": [{"days": "Fri-Mon"}]},
        ]
    }
    apply_override(data, "teams[*].shifts[*].days=Mon-Fri")
    assert [s["days"] for t in data["teams"] for s in t["shifts"]] == ["Mon-Fri"] * 3
    apply_override(data, "teams[*].agents=4")
    assert [t["agents"] for t in data["teams"]] == [4, 4]
    # Each item gets its own copy of a list value.
    apply_override(data, "teams[*].languages=[en]")
    data["teams"][0]["languages"].append("de")
    assert data["teams"][1]["languages"] == ["en"]
    with pytest.raises(ScenarioError, match=r"teams\[0\] is a mapping, not a list"):
        apply_override(data, "teams[0][*].x=1")
    with pytest.raises(ScenarioError, match="empty list"):
        apply_override({"teams": []}, "teams[*].agents=1")


def test_a_variant_equals_the_same_change_written_as_a_file(tmp_path: Path) -> None:
    """compare FILE --variant gives the same figures as compare FILE EDITED-FILE, and the
    report and comparison.json say what the variant changed and how many replications ran."""
    import yaml

    data = yaml.safe_load(SMALL.read_text())
    data["name"] = "weekends"
    for shift in data["teams"][0]["shifts"]:
        shift["days"] = "Mon-Sun"
        shift["hours"] = 5
    edited = tmp_path / "weekends.yaml"
    edited.write_text(yaml.safe_dump(data))
    common = ["--replications", "2"]
    by_file = run_cli("compare", str(SMALL), str(edited), "--out", str(tmp_path / "f"), *common)
    assert by_file.returncode == 0, by_file.stderr
    variant = "weekends: teams[*].shifts[*].days=Mon-Sun; teams[*].shifts[*].hours=5"
    by_variant = run_cli(
        "compare", str(SMALL), "--variant", variant, "--out", str(tmp_path / "v"), *common
    )
    assert by_variant.returncode == 0, by_variant.stderr
    a = pd.read_csv(tmp_path / "f" / "comparison.csv")
    b = pd.read_csv(tmp_path / "v" / "comparison.csv")
    assert b["scenario"].tolist() == ["cli-small", "weekends"]
    assert b["changes"].fillna("").tolist() == ["", variant.split(": ", 1)[1]]
    pd.testing.assert_frame_equal(a, b.drop(columns="changes"))
    payload = json.loads((tmp_path / "v" / "comparison.json").read_text())
    assert payload["replications"] == 2 and payload["variants"] == [variant]
    assert all(s["replications"] == 2 for s in payload["summaries"])
    page = (tmp_path / "v" / "report.html").read_text()
    assert "2 replication(s)" in page and "What differs between the scenarios" in page
    assert "weekends:" in by_variant.stdout and "per week" in by_variant.stdout


def test_a_variant_with_a_bad_override_exits_2(tmp_path: Path) -> None:
    result = run_cli(
        "compare",
        str(SMALL),
        "--variant",
        "x: teams[*].shifts[*].days=Moonday",
        "--out",
        str(tmp_path),
    )
    assert result.returncode == 2, result.stderr
    assert "variant 'x'" in result.stderr and "Traceback" not in result.stderr


def test_sweep_grid_and_frontier(tmp_path: Path) -> None:
    out = tmp_path / "sweep"
    result = run_cli(
        "sweep",
        str(SMALL),
        "--set",
        "teams.dublin.agents=4,8",
        "--set",
        "demand.deflection=0,0.3",
        "--out",
        str(out),
        "--replications",
        "1",
    )
    assert result.returncode == 0, result.stderr
    table = pd.read_csv(out / "sweep.csv")
    assert len(table) == 4
    assert set(table["teams.dublin.agents"]) == {4, 8}
    assert table["pareto"].any()
    cheap = table[table["teams.dublin.agents"] == 4]["cost_per_week"]
    dear = table[table["teams.dublin.agents"] == 8]["cost_per_week"]
    assert cheap.max() < dear.min()
    marginal = pd.read_csv(out / "marginal_value.csv")
    assert {"team", "hour_of_week", "tickets_saved_per_agent_hour", "net_per_agent_hour"} <= set(
        marginal.columns
    )
    assert len(marginal) == 168
    payload = json.loads((out / "sweep.json").read_text())
    assert payload["replications"] == 1 and payload["seed"] == 5
    assert payload["axes"] == {"teams.dublin.agents": ["4", "8"], "demand.deflection": ["0", "0.3"]}
    assert all(p["replications"] == 1 for p in payload["points"])
    page = (out / "report.html").read_text()
    assert "1 replication(s) each" in page
    assert "agents=4, deflection=0" in page  # labels name the key, not only its value
    assert "1 replication(s) each" in result.stdout and "frontier" in result.stdout


def test_sweep_runs_three_replications_by_default() -> None:
    from run_sim import build_parser

    args = build_parser().parse_args(["sweep", str(SMALL), "--set", "demand.scale=1,2"])
    assert args.replications == 3


def test_sweep_bad_value_exits_2(tmp_path: Path) -> None:
    result = run_cli("sweep", str(SMALL), "--set", "demand.deflection=0,2", "--out", str(tmp_path))
    assert result.returncode == 2
    assert "demand.deflection" in result.stderr and "Traceback" not in result.stderr


def test_run_point_is_deterministic() -> None:
    sc = make_scenario({"horizon.weeks": 2 / 7})
    a, b = run_point(sc, 2, 3), run_point(sc, 2, 3)
    assert a == b


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture
def dask_cluster(tmp_path: Path) -> Iterator[str]:
    """A real `dask scheduler` and two `dask worker` processes on 127.0.0.1."""
    dask = Path(sys.executable).with_name("dask")
    if not dask.exists():
        pytest.skip("the dask command-line tool is not installed beside this Python")
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    env = {**os.environ, "DASK_DISTRIBUTED__WORKER__DAEMON": "False"}
    common = {
        "cwd": tmp_path,
        "env": env,
        "stdout": subprocess.DEVNULL,
        "stderr": subprocess.DEVNULL,
    }
    procs = [
        subprocess.Popen(
            [str(dask), "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            **common,  # type: ignore[call-overload]
        )
    ]
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    break
            time.sleep(0.2)
        for _ in range(2):
            procs.append(
                subprocess.Popen(
                    [
                        str(dask),
                        "worker",
                        address,
                        "--nthreads",
                        "1",
                        "--no-dashboard",
                        "--host",
                        "127.0.0.1",
                    ],
                    **common,  # type: ignore[call-overload]
                )
            )
        from dask.distributed import Client

        with Client(address, timeout=30) as client:
            client.wait_for_workers(2, timeout=60)
        yield address
    finally:
        for proc in reversed(procs):
            proc.terminate()
        for proc in procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


@pytest.mark.slow
def test_sweep_on_a_real_dask_cluster_equals_the_serial_run(
    dask_cluster: str, tmp_path: Path
) -> None:
    args = ["sweep", str(SMALL), "--set", "teams.dublin.agents=5,7", "--replications", "2"]
    serial = run_cli(*args, "--out", str(tmp_path / "serial"))
    assert serial.returncode == 0, serial.stderr
    remote = run_cli(*args, "--out", str(tmp_path / "remote"), "--scheduler", dask_cluster)
    assert remote.returncode == 0, remote.stderr
    a = pd.read_csv(tmp_path / "serial" / "sweep.csv")
    b = pd.read_csv(tmp_path / "remote" / "sweep.csv")
    pd.testing.assert_frame_equal(a, b)
    ja = json.loads((tmp_path / "serial" / "sweep.json").read_text())
    jb = json.loads((tmp_path / "remote" / "sweep.json").read_text())
    assert ja == jb


def _started_at(label: str) -> tuple[str, int]:
    return label, time.perf_counter_ns()


def test_map_tasks_starts_the_largest_tasks_first_and_keeps_argument_order() -> None:
    """On a one-thread cluster, tasks start in decreasing size; results in argument order."""
    from dask.distributed import Client

    labels = ["small", "large", "medium", "tiny"]
    sizes = [2.0, 9.0, 5.0, 1.0]
    with Client(processes=False, n_workers=1, threads_per_worker=1, dashboard_address=None) as c:
        out = map_tasks(_started_at, [(label,) for label in labels], client=c, sizes=sizes)
    assert [label for label, _ in out] == labels
    started = [label for label, _ in sorted(out, key=lambda item: item[1])]
    assert started == ["large", "medium", "small", "tiny"]


def test_local_cluster_workers_keep_glibc_adaptive_malloc(tmp_path: Path) -> None:
    """--workers starts workers without Dask's MALLOC_TRIM_THRESHOLD_ (13% slower runs)."""
    from sim.cluster import close, connect

    client = connect(None, 2)
    try:
        env = client.run(lambda: os.environ.get("MALLOC_TRIM_THRESHOLD_"))
        profiling = client.run(
            lambda: __import__("dask").config.get("distributed.worker.profile.enabled")
        )
    finally:
        close(client)
    assert len(env) == 2
    assert set(env.values()) == {None}
    assert set(profiling.values()) == {False}
