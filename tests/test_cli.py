"""End-to-end tests of the command line: outputs, exit codes, and messages on bad input."""

from __future__ import annotations

import html
import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT

SMALL = ROOT / "tests" / "data" / "cli_small.yaml"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "CI": "true"}
    return subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), *args],
        capture_output=True,
        text=True,
        cwd=cwd or ROOT,
        env=env,
        timeout=300,
    )


@pytest.fixture(scope="module")
def small_run(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("run")
    result = run_cli("simulate", str(SMALL), "--out", str(out), "--replications", "2")
    assert result.returncode == 0, result.stderr
    (out.parent / "stdout.txt").write_text(result.stdout)
    return out


SUMMARY_KEYS = {
    "scenario": None,
    "replications": None,
    "seed": None,
    "tickets": {"arrived", "deflected", "handled", "abandoned"},
    "first_response": {"mean_minutes", "p50_minutes", "p90_minutes", "p95_minutes"},
    "sla": {"attainment", "goal_met"},
    "resolution": {"mean_hours", "p90_hours"},
    "occupancy": {"mean", "max_agent"},
    "cost": {"currency", "staff_total", "per_ticket", "revenue_at_risk"},
    "burnout": {"agents", "agents_at_risk", "violations"},
}
QUEUE_KEYS = {
    "language",
    "channel",
    "priority",
    "arrived",
    "target_minutes",
    "goal",
    "attainment",
    "attainment_ci95",
    "mean_first_response_minutes",
    "abandonment_rate",
}


def test_simulate_writes_the_output_contract(small_run: Path) -> None:
    summary = json.loads((small_run / "summary.json").read_text())
    for key, sub in SUMMARY_KEYS.items():
        assert key in summary
        if sub:
            assert sub <= set(summary[key]), key
    assert summary["replications"] == 2
    assert summary["by_queue"] and all(set(q) >= QUEUE_KEYS for q in summary["by_queue"])
    for q in summary["by_queue"]:
        if q["attainment"] is not None:
            lo, hi = q["attainment_ci95"]
            assert lo is None or lo <= q["attainment"] + 1e-9 <= hi + 2e-9 or hi is None
    assert all(
        {"language", "channel", "hours_per_week_uncovered"} <= set(g)
        for g in summary["coverage_gaps"]
    )
    t = summary["tickets"]
    assert t["arrived"] == pytest.approx(t["deflected"] + t["handled"] + t["abandoned"] + t["open"])
    tickets = pd.read_parquet(small_run / "tickets.parquet")
    assert {
        "ticket_id",
        "stream",
        "queue",
        "arrival",
        "first_response",
        "resolution",
        "agent",
        "outcome",
    } <= set(tickets.columns)
    intervals = pd.read_csv(small_run / "intervals.csv")
    assert {
        "interval_start",
        "queue",
        "arrivals",
        "staffed",
        "required",
        "attainment",
        "backlog",
    } <= set(intervals.columns)
    agents = pd.read_csv(small_run / "agents.csv")
    assert {"agent", "hours", "occupancy", "shifts", "nights", "rest_violations"} <= set(
        agents.columns
    )
    assert (small_run / "report.html").stat().st_size > 0
    assert not list(small_run.glob(".*.tmp"))


def test_same_seed_gives_identical_summaries(small_run: Path, tmp_path: Path) -> None:
    again = run_cli("simulate", str(SMALL), "--out", str(tmp_path), "--replications", "2")
    assert again.returncode == 0, again.stderr
    a = json.loads((small_run / "summary.json").read_text())
    b = json.loads((tmp_path / "summary.json").read_text())
    assert a == b


def test_validate_reports_size() -> None:
    result = run_cli("validate", str(SMALL))
    assert result.returncode == 0
    assert result.stdout.startswith("ok: scenario")


def write(tmp_path: Path, text: str, name: str = "s.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


GOOD = SMALL.read_text()


def _bad(tmp_path: Path, old: str, new: str) -> Path:
    assert old in GOOD, old
    return write(tmp_path, GOOD.replace(old, new, 1))


BAD_INPUTS = {
    "yaml-syntax": (lambda p: write(p, "name: [unclosed\n"), "YAML syntax error"),
    "unknown-key": (lambda p: write(p, GOOD + "\nbogus_key: 1\n"), "unknown key 'bogus_key'"),
    "missing-file": (lambda p: p / "nope.yaml", "file not found"),
}


@pytest.mark.parametrize("case", sorted(BAD_INPUTS))
def test_bad_input_exits_2_with_one_message(case: str, tmp_path: Path) -> None:
    make, needle = BAD_INPUTS[case]
    path = make(tmp_path)
    result = run_cli("simulate", str(path), "--out", str(tmp_path / "out"))
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr
    assert len([line for line in result.stderr.splitlines() if line.startswith("error:")]) == 1
    assert not (tmp_path / "out" / "summary.json").exists()


@pytest.mark.parametrize(
    ("flag", "needle"),
    [
        (["--set", "demand.nonsense=1"], "unknown key 'nonsense'"),
        (["--set", "teams.nobody.agents=3"], "no item named 'nobody'"),
        (["--set", "demand.deflection"], "no '=' found"),
        (["--replications", "0"], "expected 1 or more"),
        (["--seed", "abc"], "expected a whole number"),
    ],
)
def test_bad_flags_exit_2(flag: list[str], needle: str, tmp_path: Path) -> None:
    result = run_cli("simulate", str(SMALL), "--out", str(tmp_path), *flag)
    assert result.returncode == 2
    assert needle in result.stderr
    assert "Traceback" not in result.stderr


def test_set_override_changes_the_run(tmp_path: Path) -> None:
    result = run_cli(
        "simulate",
        str(SMALL),
        "--out",
        str(tmp_path),
        "--replications",
        "1",
        "--set",
        "demand.deflection=0.5",
    )
    assert result.returncode == 0, result.stderr
    summary = json.loads((tmp_path / "summary.json").read_text())
    share = summary["tickets"]["deflected"] / summary["tickets"]["arrived"]
    assert 0.4 < share < 0.6


def test_optimize_teams_are_refused_by_simulate(tmp_path: Path) -> None:
    text = GOOD
    import yaml

    data = yaml.safe_load(text)
    data["teams"][0]["shifts"] = "optimize"
    path = write(tmp_path, yaml.safe_dump(data))
    result = run_cli("simulate", str(path), "--out", str(tmp_path / "o"))
    assert result.returncode == 2
    assert "optimize" in result.stderr
    assert "Traceback" not in result.stderr


def test_uncovered_language_is_a_warning_and_a_coverage_gap(tmp_path: Path) -> None:
    import yaml

    data = yaml.safe_load(GOOD)
    stream = dict(data["demand"]["streams"][0])
    stream.update(name="klingon", language="tlh")
    data["demand"]["streams"].append(stream)
    path = write(tmp_path, yaml.safe_dump(data))
    result = run_cli("simulate", str(path), "--out", str(tmp_path / "o"), "--replications", "1")
    assert result.returncode == 0, result.stderr
    assert "warning:" in result.stderr and "'tlh'" in result.stderr
    gaps = json.loads((tmp_path / "o" / "summary.json").read_text())["coverage_gaps"]
    gap = next(g for g in gaps if g["language"] == "tlh")
    assert gap["hours_per_week_uncovered"] == pytest.approx(168.0)


def _number(text: str, index: int = 0) -> float:
    """The index-th number in a text, thousands separators removed (``1,234.5``)."""
    found = re.findall(r"-?\d[\d,]*(?:\.\d+)?", text)
    return float(found[index].replace(",", ""))


def test_report_headline_and_terminal_agree_with_summary_json(small_run: Path) -> None:
    """Every headline card shows the summary.json figure it names (data-kpi), rounded as
    shown, with its unit; the terminal lines print the same figures."""
    summary = json.loads((small_run / "summary.json").read_text())
    page = (small_run / "report.html").read_text()
    pattern = (
        r'data-kpi="([^"]+)"><div class="kpi-label">[^<]*</div>'
        r'<div class="kpi-value">([^<]*)</div><div class="kpi-detail">([^<]*)'
    )
    cards = {key: (value, detail) for key, value, detail in re.findall(pattern, page)}
    assert len(cards) >= 9
    cost, sla, tickets = summary["cost"], summary["sla"], summary["tickets"]
    cur = cost["currency"]

    def shown(key: str) -> str:
        return html.unescape(cards[key][0])

    assert _number(shown("sla.attainment")) == round(sla["attainment"] * 100, 1)
    assert shown("sla.queues_meeting_goal") == (
        f"{sla['queues_meeting_goal']} of {sla['queues_with_goal']}"
    )
    assert _number(shown("tickets.abandonment_rate")) == round(tickets["abandonment_rate"] * 100, 1)
    assert _number(shown("occupancy.mean")) == round(summary["occupancy"]["mean"] * 100, 1)
    for key, digits in (
        ("cost.per_week", 0),
        ("cost.per_contact", 2),
        ("cost.revenue_at_risk_per_week", 0),
    ):
        assert shown(key).endswith(f" {cur}"), key
        assert _number(shown(key)) == round(cost[key.split(".")[1]], digits), key
    # The detail line names the period of each money figure.
    assert "over the 1-week run" in html.unescape(cards["cost.per_week"][1])
    assert _number(html.unescape(cards["cost.per_week"][1])) == round(cost["staff_total"])
    assert shown("burnout.agents_at_risk") == (
        f"{summary['burnout']['agents_at_risk']} of {summary['burnout']['agents']}"
    )
    # The terminal says the same, with units and periods.
    out = (small_run.parent / "stdout.txt").read_text()
    assert f"SLA {sla['attainment'] * 100:.1f}% of tickets answered within target" in out
    assert f"staff cost {cost['per_week']:,.0f} {cur} per week" in out
    assert f"revenue at risk {cost['revenue_at_risk_per_week']:,.0f} {cur} per week" in out
    assert f"{cost['per_contact']:,.2f} {cur} per contact" in out
    missing = sla["queues_with_goal"] - sla["queues_meeting_goal"]
    if missing:
        assert f"{missing} of {sla['queues_with_goal']} queues miss" in out
