"""Size and browser render time of the run report of the 4-week library baseline.

Simulates ``scenarios/library/baseline.yaml`` (N replications), builds its report.html and
opens it in headless Chromium: the page's render script marks ``#render-status`` done once
every chart is drawn, and ``--dump-dom`` prints the page then.  Chromium's wall time from
launch to that dump is compared with the same for an empty page in the same run (the
reference: browser start-up and shut-down); the difference is what the report costs.  Also
printed: the page's own ``performance.now()`` at "done" (virtual time under
``--virtual-time-budget``, so indicative only), the Python render time and the size.  Ends
with a Markdown table row for benchmarks/README.md.

    python benchmarks/report_render.py [--replications 1] [--repeat 3] [--keep DIR]

A command-line edge: it may print and write files.  Needs ``chromium`` (Debian package).
"""

from __future__ import annotations

import argparse
import html
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))

from reports import render_run_report  # noqa: E402
from scenarios import load_scenario  # noqa: E402
from sim.runner import run_replications, summarize  # noqa: E402

BASELINE = REPO_ROOT / "scenarios" / "library" / "baseline.yaml"
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--virtual-time-budget=10000",
    "--dump-dom",
)
EMPTY_PAGE = (
    "<!doctype html><html><head><meta charset='utf-8'><title>empty</title></head>"
    "<body><p id='render-status' data-state='done'></p></body></html>"
)


def chromium() -> str:
    """Path of the Chromium binary, or exit with a message."""
    found = "/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None
    found = found or shutil.which("chromium")
    if not found:
        sys.exit("chromium not found (install the Debian package 'chromium')")
    return found


def open_page(binary: str, page: Path, profile: Path) -> tuple[float, dict[str, Any]]:
    """Seconds from Chromium's launch to its DOM dump, and the page's render report."""
    start = time.perf_counter()
    done = subprocess.run(
        [binary, *FLAGS, f"--user-data-dir={profile}", page.as_uri()],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    seconds = time.perf_counter() - start
    match = re.search(r'<p id="render-status"([^>]*)>', done.stdout)
    attrs = dict(re.findall(r'([\w-]+)="([^"]*)"', match.group(1))) if match else {}
    if attrs.get("data-state") != "done":
        sys.exit(f"{page.name}: render status {attrs.get('data-state')!r}: {attrs}")
    report = json.loads(html.unescape(attrs["data-report"])) if "data-report" in attrs else {}
    return seconds, report


def requirements(scenario: Any) -> Any:
    """Per-interval requirements as ``run_sim.py simulate`` passes them (None without them)."""
    try:
        from optimizer.requirements import interval_requirements
    except ImportError:
        return None
    return interval_requirements(scenario)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=1)
    parser.add_argument("--repeat", type=int, default=3, help="browser runs of each page")
    parser.add_argument("--keep", metavar="DIR", help="also write report.html into DIR")
    args = parser.parse_args(argv)
    binary = chromium()

    scenario = load_scenario(BASELINE)
    start = time.perf_counter()
    run = summarize(scenario, run_replications(scenario, args.replications), requirements(scenario))
    simulate_s = time.perf_counter() - start
    start = time.perf_counter()
    page = render_run_report(run.kpis, run.tables(), scenario.to_data())
    render_s = time.perf_counter() - start
    size_mb = len(page.encode("utf-8")) / 1e6
    tickets = len(run.tickets)

    with tempfile.TemporaryDirectory(prefix="report-render-") as tmp_name:
        tmp = Path(tmp_name)
        report_path = tmp / "report.html"
        report_path.write_text(page, encoding="utf-8")
        empty_path = tmp / "empty.html"
        empty_path.write_text(EMPTY_PAGE, encoding="utf-8")
        if args.keep:
            Path(args.keep).mkdir(parents=True, exist_ok=True)
            shutil.copy(report_path, Path(args.keep) / "report.html")
        empty, full, in_page = [], [], []
        for i in range(args.repeat):
            empty.append(open_page(binary, empty_path, tmp / f"profile-e{i}")[0])
            seconds, report = open_page(binary, report_path, tmp / f"profile-r{i}")
            full.append(seconds)
            in_page.append(float(report.get("ms", 0)) / 1000)
            figures: list[dict[str, Any]] = report.get("figures", [])
            errors: list[str] = report.get("errors", [])
        drawn = sum(1 for f in figures if f["points"] > 0)

    empty_s, full_s, page_s = (statistics.median(x) for x in (empty, full, in_page))
    print(
        f"scenario: {scenario.name}, {scenario.horizon.weeks:g} weeks, "
        f"{args.replications} replication(s), {tickets:,} ticket rows"
    )
    print(
        f"simulate + requirements + summarise: {simulate_s:.2f} s; "
        f"render_run_report: {render_s:.2f} s"
    )
    print(
        f"report.html: {size_mb:.2f} MB; charts drawn {drawn}/{len(figures)}; "
        f"console errors {len(errors)}"
    )
    print(
        f"chromium launch -> done (median of {args.repeat}): report {full_s:.2f} s, "
        f"empty page {empty_s:.2f} s, difference {full_s - empty_s:.2f} s; "
        f"in-page performance.now() at done {page_s:.2f} s"
    )
    print()
    print(
        "| report | ticket rows | size (MB) | Python render (s) | Chromium to done (s) "
        "| empty page (s) | report − empty (s) |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|")
    print(
        f"| baseline 4 wk, {args.replications} rep | {tickets:,} | {size_mb:.2f} | "
        f"{render_s:.2f} | {full_s:.2f} | {empty_s:.2f} | {full_s - empty_s:.2f} |"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
