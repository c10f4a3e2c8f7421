"""Reports in a real browser: headless Chromium draws every chart without a console error.

Each page reports on itself: its render script writes ``#render-status`` once every
``Plotly.newPlot`` has settled (``data-state`` done/error, ``data-report`` JSON with, per
figure, the SVG layers, trace groups and data points drawn, plus any console error, script
error or request blocked by the page's Content-Security-Policy).  Chromium's
``--dump-dom`` prints the page after ``--virtual-time-budget``; a second run saves a
1280x800 screenshot.  Only the standard library and the Chromium command line are used.
Skipped when Chromium is not installed (CI installs the Debian package ``chromium``).
"""

from __future__ import annotations

import html
import json
import os
import shutil
import struct
import subprocess
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from test_reports import (
    EVIL,
    OPTIMIZE,
    synthetic_comparison,
    synthetic_coverage,
    synthetic_roster,
)

from reports import render_comparison_report, render_optimize_report, render_run_report

ROOT = Path(__file__).resolve().parents[1]
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--hide-scrollbars",
    "--virtual-time-budget=10000",
)


def chromium_path() -> str | None:
    """/usr/bin/chromium, else ``chromium`` on PATH, else None."""
    if os.access("/usr/bin/chromium", os.X_OK):
        return "/usr/bin/chromium"
    return shutil.which("chromium")


CHROMIUM = chromium_path()
pytestmark = pytest.mark.skipif(
    CHROMIUM is None,
    reason="headless Chromium not found (/usr/bin/chromium or chromium on PATH); install the "
    "Debian package 'chromium' to run the browser tests",
)


def run_chromium(tmp: Path, url: str, *extra: str) -> subprocess.CompletedProcess[str]:
    assert CHROMIUM is not None
    profile = tmp / f"profile-{len(list(tmp.glob('profile-*')))}"
    return subprocess.run(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", *extra, url],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


class _Status(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.attrs: dict[str, str | None] = {}
        self.h1: list[str] = []
        self._in_h1 = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if values.get("id") == "render-status":
            self.attrs = values
        self._in_h1 = tag == "h1"

    def handle_endtag(self, tag: str) -> None:
        self._in_h1 = False

    def handle_data(self, data: str) -> None:
        if self._in_h1:
            self.h1.append(data)


def render_in_browser(page: str, tmp: Path) -> tuple[dict[str, Any], _Status]:
    """Open a page in headless Chromium: its self-reported render status and the DOM."""
    path = tmp / "report.html"
    path.write_text(page, encoding="utf-8")
    done = run_chromium(tmp, path.as_uri(), "--dump-dom")
    parser = _Status()
    parser.feed(done.stdout)
    state = parser.attrs.get("data-state")
    assert state == "done", (
        f"render status {state!r}: {parser.attrs}\nchromium stderr:\n{done.stderr[-3000:]}"
    )
    return json.loads(html.unescape(parser.attrs["data-report"] or "{}")), parser


def screenshot(page_path: Path, tmp: Path) -> Path:
    """A 1280x800 PNG of the top of the page; asserts it is a PNG of that size."""
    shot = tmp / "screenshot.png"
    run_chromium(tmp, page_path.as_uri(), f"--screenshot={shot}", "--window-size=1280,800")
    data = shot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    width, height = struct.unpack(">II", data[16:24])
    assert (width, height) == (1280, 800)
    return shot


def assert_all_drawn(report: dict[str, Any], expected: set[str]) -> None:
    assert report["errors"] == []
    figures = {f["id"]: f for f in report["figures"]}
    assert set(figures) == expected
    for fig_id, fig in figures.items():
        assert fig["svg"] > 0 and fig["traces"] > 0 and fig["points"] > 0, (fig_id, fig)


@pytest.fixture(scope="module")
def small_run() -> tuple[dict[str, Any], dict[str, Any], dict[str, Any]]:
    """A real one-week simulation of the command-line test scenario, renamed to EVIL."""
    from scenarios import load_scenario
    from sim.runner import run_replications, summarize

    scenario = load_scenario(ROOT / "tests" / "data" / "cli_small.yaml")
    out = summarize(scenario, run_replications(scenario, 2))
    summary = {**out.summary, "scenario": EVIL}
    return summary, out.tables(), {**scenario.to_data(), "name": EVIL}


RUN_FIGURES = {
    "fig-sla-attainment",
    "fig-first-response-ecdf",
    "fig-coverage-staffing",
    "fig-coverage-attainment",
    "fig-backlog-backlog",
    "fig-occupancy-occupancy",
    "fig-cost-by-team",
    "fig-cost-by-queue-group",
}


def test_run_report_renders_every_chart(small_run: Any, tmp_path: Path) -> None:
    report, dom = render_in_browser(render_run_report(*small_run), tmp_path)
    assert_all_drawn(report, RUN_FIGURES)
    assert "".join(dom.h1).strip() == EVIL  # the name is shown as text, not run
    screenshot(tmp_path / "report.html", tmp_path)


def test_comparison_report_renders_every_chart(tmp_path: Path) -> None:
    comparison, by_queue, meta = synthetic_comparison(label=EVIL)
    report, _ = render_in_browser(render_comparison_report(comparison, by_queue, meta), tmp_path)
    assert_all_drawn(report, {"fig-cost-sla-scatter", "fig-queues-attainment"})
    screenshot(tmp_path / "report.html", tmp_path)


def test_optimize_report_renders_every_chart(small_run: Any, tmp_path: Path) -> None:
    summary, data, scenario = small_run
    page = render_optimize_report(
        summary,
        data,
        scenario,
        OPTIMIZE,
        synthetic_roster(agents=150, days=28),
        synthetic_coverage(groups=3, days=28),
    )
    report, _ = render_in_browser(page, tmp_path)
    assert_all_drawn(report, RUN_FIGURES | {"fig-roster-gantt", "fig-plan-coverage-required"})
    screenshot(tmp_path / "report.html", tmp_path)


def test_roster_timeline_renders_each_team_in_its_local_time(tmp_path: Path) -> None:
    from test_publish import LEAVE_DATES, sample_people, sample_roster

    scenario = {
        "name": EVIL,
        "horizon": {"start": "2026-03-23", "weeks": 2, "timezone": "UTC"},
        "teams": [
            {"name": t, "timezone": z}
            for t, z in sample_people()[["team", "timezone"]].drop_duplicates().to_numpy()
        ],
    }
    people = sample_people()
    people.loc[5, "person"] = EVIL  # a person without shifts, named to run a script
    page = render_optimize_report(
        None,
        None,
        scenario,
        OPTIMIZE,
        sample_roster(),
        synthetic_coverage(groups=2, days=14),
        people=people,
        leave=LEAVE_DATES,
    )
    report, dom = render_in_browser(page, tmp_path)
    assert_all_drawn(report, {"fig-roster-gantt", "fig-plan-coverage-required"})
    assert "".join(dom.h1).strip() == EVIL
    screenshot(tmp_path / "report.html", tmp_path)


def test_status_catches_errors_and_blocked_requests(tmp_path: Path) -> None:
    """The self-check is not vacuous: a console error and a network request are reported."""
    page = render_comparison_report(*synthetic_comparison())
    page = page.replace(
        "<main>",
        '<main><img src="https://example.invalid/pixel.png" alt="">'
        '<script>console.error("deliberate");</script>',
    )
    path = tmp_path / "report.html"
    path.write_text(page, encoding="utf-8")
    done = run_chromium(tmp_path, path.as_uri(), "--dump-dom")
    parser = _Status()
    parser.feed(done.stdout)
    assert parser.attrs.get("data-state") == "error"
    errors = json.loads(html.unescape(parser.attrs["data-report"] or "{}"))["errors"]
    assert any("img-src" in e and "example.invalid" in e for e in errors), errors
    # The injected inline script has no hash in the policy, so it never runs.
    assert any("script-src" in e for e in errors), errors
    assert not any("deliberate" in e for e in errors)


def test_sweep_report_renders_every_chart(tmp_path: Path) -> None:
    from test_reports import SWEEP_FIGURES, synthetic_sweep

    from reports import render_sweep_report

    table, marginal, meta = synthetic_sweep(label=EVIL)
    page = render_sweep_report(table, marginal, {**meta, "title": EVIL})
    report, dom = render_in_browser(page, tmp_path)
    assert_all_drawn(report, {f"fig-{f}" for f in SWEEP_FIGURES})
    assert "".join(dom.h1).strip() == EVIL  # the name is shown as text, not run
    screenshot(tmp_path / "report.html", tmp_path)
