"""The what-if studio: levers become the command line's overrides, its runs are
``simulate``'s, and in Chromium a user's 1.9x volume run shows the SLA that ``simulate`` of
the downloaded YAML gives."""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from cdp_pipe import Browser
from conftest import ROOT
from test_plan import UNDERSTAFFED

from optimizer.plan import optimize_scenario
from run_sim import main, studio_run
from scenarios import ScenarioError, load_scenario, read_scenario_data
from scenarios.levers import StudioScenario, build_variant, lever_overrides, levers

SMALL = ROOT / "scenarios" / "library" / "small_demo.yaml"
SHORT = "horizon.weeks=0.3"
REPLICATIONS = 2


@pytest.fixture(scope="module")
def entry() -> StudioScenario:
    data = read_scenario_data(SMALL)
    data["horizon"]["weeks"] = 0.3
    return StudioScenario("small", f"scenario '{SMALL}'", data, SMALL.parent)


def test_unchanged_levers_give_no_override(entry: StudioScenario) -> None:
    values = {lever.key: lever.default for lever in levers(entry.data)}
    assert lever_overrides(entry.data, values) == []


def test_each_lever_becomes_its_override(entry: StudioScenario) -> None:
    values = {
        "scale": "1.9",
        "deflection": "0.33",
        "surge_multiplier": "1.5",
        "surge_hours": "24",
        "surge_start": "2026-01-06T09:00",
        "agents:0": "10",
        "cost:1": "50",
        "goal:0": "0.8",
        "weekend:0": False,
        "languages:1": ["en", "de"],  # not offered (no stream speaks German): ignored
    }
    overrides = lever_overrides(entry.data, values)
    assert overrides[:2] == [
        "demand.scale=1.9",
        'demand.surges=[{start: "2026-01-06T09:00", hours: 24.0, multiplier: 1.5}]',
    ]
    assert "demand.deflection=0.33" in overrides
    assert "teams[0].agents=10" in overrides
    assert "teams[1].hourly_cost=50" in overrides
    assert "service_levels[0].goal=0.8" in overrides
    scenario, _ = build_variant(entry, overrides, "busy week")
    assert scenario.name == "busy week"
    assert scenario.demand.scale == 1.9 and scenario.demand.deflection == 0.33
    assert scenario.demand.surges[0].multiplier == 1.5 and scenario.demand.surges[0].hours == 24
    assert scenario.teams[0].agents == 10 and scenario.teams[1].hourly_cost == 50
    assert scenario.service_levels[0].goal == 0.8
    # No weekend cover: the Sat,Sun shift is gone, the weekday shifts stay as they were.
    assert [s.days for s in scenario.teams[0].shifts] == [(0, 1, 2, 3, 4)] * 2
    assert scenario.teams[1].languages == ["en"]


def test_opening_hours_move_the_shifts_into_the_window(entry: StudioScenario) -> None:
    """Dublin works 07:00-15:00 and 12:00-20:00 on weekdays and 09:00-19:00 at weekends:
    open 07:00-20:00. Each shift keeps its length and its place between first start and
    last end, so the earliest opens the new window and the latest closes it."""
    hours = next(lever for lever in levers(entry.data) if lever.key == "hours:0")
    assert hours.default == "07:00-20:00"
    assert lever_overrides(entry.data, {"hours:0": " 07:00-20:00 "}) == []
    later, _ = build_variant(entry, lever_overrides(entry.data, {"hours:0": "08:00-22:00"}))
    # The weekend shift sat 2 of 3 free hours in; 2/3 of the new 4 free hours is 2h40,
    # on the quarter-hour grid 2h45 after 08:00.
    assert [(s.start, s.hours) for s in later.teams[0].shifts] == [
        ("08:00", 8),
        ("14:00", 8),
        ("10:45", 10),
    ]
    # Office hours shorter than a shift cut the shift; no weekend cover drops Sat,Sun.
    office, _ = build_variant(
        entry, lever_overrides(entry.data, {"hours:0": "09:00-16:00", "weekend:0": False})
    )
    assert [(s.days, s.start, s.hours) for s in office.teams[0].shifts] == [
        ((0, 1, 2, 3, 4), "09:00", 7),
        ((0, 1, 2, 3, 4), "09:00", 7),
    ]
    night, _ = build_variant(entry, lever_overrides(entry.data, {"hours:0": "22:00-08:00"}))
    assert [s.start for s in night.teams[0].shifts] == ["22:00", "00:00", "22:00"]
    assert [s.hours for s in night.teams[0].shifts] == [8, 8, 10]
    with pytest.raises(ValueError, match=r"teams\[0\] \(dublin\) opening hours: found \"8 to"):
        lever_overrides(entry.data, {"hours:0": "8 to 6"})


def test_a_language_can_be_added_and_removed() -> None:
    data = read_scenario_data(ROOT / "scenarios" / "library" / "baseline.yaml")
    team = next(i for i, t in enumerate(data["teams"]) if "de" not in t["languages"])
    choice = next(lever for lever in levers(data) if lever.key == f"languages:{team}")
    assert "de" in choice.options
    added = lever_overrides(data, {choice.key: [*choice.default, "de"]})
    wanted = [o for o in choice.options if o in {*choice.default, "de"}]
    assert added == [f"teams[{team}].languages={json.dumps(wanted)}"]
    scenario = load_scenario(ROOT / "scenarios" / "library" / "baseline.yaml", added)
    assert "de" in scenario.teams[team].languages
    several = next(i for i, t in enumerate(data["teams"]) if len(t["languages"]) > 1)
    kept = data["teams"][several]["languages"][:1]
    removed = lever_overrides(data, {f"languages:{several}": kept})
    assert removed == [f"teams[{several}].languages={json.dumps(kept)}"]


def test_a_bad_value_gets_the_command_lines_message(entry: StudioScenario) -> None:
    overrides = lever_overrides(entry.data, {"agents:0": "ten", "scale": "<b>x</b>"})
    with pytest.raises(ScenarioError) as studio:
        build_variant(entry, overrides)
    with pytest.raises(ScenarioError) as cli:
        load_scenario(SMALL, [SHORT, *overrides])
    assert str(studio.value) == str(cli.value)
    assert "teams[0].agents" in str(studio.value)


def test_a_run_is_simulates_run(entry: StudioScenario, tmp_path: Path) -> None:
    """Same seed, same replications: the studio's summary is simulate's summary.json."""
    scenario, _ = build_variant(entry, ["demand.scale=1.9"], "x1.9")
    seen: list[tuple[int, int]] = []
    run = studio_run(
        scenario, REPLICATIONS, 11, lambda d, t: seen.append((d, t)), threading.Event()
    )
    assert run is not None and seen == [(1, 2), (2, 2)]
    assert (
        main(
            [
                "simulate",
                str(SMALL),
                "--set",
                SHORT,
                "--set",
                "demand.scale=1.9",
                "--seed",
                "11",
                "--replications",
                str(REPLICATIONS),
                "--out",
                str(tmp_path / "out"),
            ]
        )
        == 0
    )
    written = json.loads((tmp_path / "out" / "summary.json").read_text())
    ours = json.loads(json.dumps(run.summary))
    assert ours["sla"] == written["sla"] and ours["by_queue"] == written["by_queue"]
    assert ours["cost"] == written["cost"] and ours["tickets"] == written["tickets"]


def test_a_run_stops_between_replications_when_cancelled(entry: StudioScenario) -> None:
    scenario, _ = build_variant(entry, [])
    stop = threading.Event()
    seen: list[int] = []

    def progress(done: int, total: int) -> None:
        seen.append(done)
        stop.set()  # the user presses Cancel during the first replication

    assert studio_run(scenario, 3, 1, progress, stop) is None
    assert seen == [1]


# --------------------------------------------------------------------------- browser


def _chromium() -> str | None:
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


LEVER = '[id=\'{"key":"%s","type":"lever"}\']'
CELL = 'document.querySelector(\'td[data-kpi="attainment"][data-column="%d"]\')'


needs_chromium = pytest.mark.skipif(
    _chromium() is None,
    reason="headless Chromium not found (/usr/bin/chromium or chromium on PATH); install the "
    "Debian package 'chromium' to run the browser tests",
)


@contextlib.contextmanager
def _studio_page(tmp_path: Path, *args: str) -> Iterator[Browser]:
    """A studio serving ``args`` (files and flags) and a browser on its page."""
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "run_sim.py"), "studio", *args, "--port", str(port)],
        cwd=tmp_path,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    browser: Any = None
    try:
        url = f"http://127.0.0.1:{port}/"
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(url, timeout=5).close()
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, "studio not up"
                time.sleep(0.3)
        browser = Browser(str(_chromium()), tmp_path / "profile")
        browser.goto(url)
        yield browser
    finally:
        if browser is not None:
            browser.close()
        server.terminate()
        server.wait(timeout=10)


@needs_chromium
def test_a_user_raises_volume_and_downloads_the_variant(tmp_path: Path) -> None:
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    with _studio_page(
        tmp_path, str(SMALL), "--set", SHORT, "--replications", str(REPLICATIONS)
    ) as browser:
        browser.call(
            "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
        )
        baseline = browser.wait_for(f"{CELL % 0}?.dataset.value", 90)
        browser.type_into(LEVER % "scale", "1.9")
        browser.type_into("#variant-name", "<b>x1.9</b>")
        browser.click("#run")
        changed = float(browser.wait_for(f"{CELL % 1}?.dataset.value", 90))
        shown = browser.evaluate(f"{CELL % 1}.querySelector('.value').textContent")
        assert changed != float(baseline)
        # The name is text, never markup.
        assert browser.evaluate("document.querySelector('#results b') === null")
        assert browser.evaluate("document.body.innerText.includes('<b>x1.9</b>')")
        browser.click('[id=\'{"column":1,"type":"download","what":"yaml"}\']')
        deadline = time.monotonic() + 30
        while not list(downloads.glob("*.yaml")):
            assert time.monotonic() < deadline, "no YAML downloaded"
            time.sleep(0.2)
        yaml_file = next(downloads.glob("*.yaml"))
    out = tmp_path / "out"
    assert (
        main(["simulate", str(yaml_file), "--replications", str(REPLICATIONS), "--out", str(out)])
        == 0
    )
    summary = json.loads((out / "summary.json").read_text())
    assert summary["sla"]["attainment"] == changed
    assert shown == f"{changed * 100:.1f}%"


@needs_chromium
def test_a_user_asks_how_many_agents_the_goals_need(tmp_path: Path) -> None:
    path = tmp_path / "understaffed.yaml"
    path.write_text(yaml.safe_dump(UNDERSTAFFED))
    with _studio_page(tmp_path, str(path), "--replications", "1") as browser:
        # Its shifts are not planned yet, so there is no baseline to simulate: the page
        # says so and points at the head count.
        said = browser.wait_for(
            "(() => { const t = document.querySelector('#status')?.innerText || '';"
            " return t.includes('no roster') ? t : null; })()",
            90,
        )
        assert "no roster yet" in said and "How many agents for these goals?" in said
        browser.click("#headcount-button")
        row = browser.wait_for(
            "(() => { const r = document.querySelectorAll('#headcount tr')[1];"
            " return r ? [...r.cells].map(c => c.textContent) : null; })()",
            300,
        )
    wanted = optimize_scenario(load_scenario(path), size_teams=True).headcount
    assert len(wanted) == 1
    assert row[:3] == ["dublin", "3", str(wanted[0].needed)]
    # The quietest open hour (weight 0.6 of a day's 9.1) brings 0.6 / 9.1 x 20 = 1.3 agents
    # of work, so every open hour needs two agents; covering ten hours twice with 8-hour
    # shifts takes four shifts a day, 20 a week, and one person works at most five.
    assert wanted[0].needed >= 4
