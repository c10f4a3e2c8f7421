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

from scenarios import ScenarioError, parse_sweep, split_values
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


def test_compare_needs_two_files(tmp_path: Path) -> None:
    result = run_cli("compare", str(SMALL), "--out", str(tmp_path))
    assert result.returncode == 2
    assert "expected two or more" in result.stderr


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
