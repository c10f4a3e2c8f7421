"""The what-if recipes: one command each from a library scenario to the answer.

Each recipe is the command a newcomer copies (``compare`` of two library files, or of the
baseline and a ``--variant``), run here on one week with two replications (``--set
horizon.weeks=1`` applies to every scenario compared) so the suite stays fast. The
checks are the direction each change must move the figures in, not pinned numbers, and
that every library scenario simulates.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT

from run_sim import main

LIBRARY = ROOT / "scenarios" / "library"
SHORT = ["--set", "horizon.weeks=1", "--replications", "2"]


def _compare(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], *args: str
) -> list[dict[str, Any]]:
    """Run the command in this process (the imports are paid once for every recipe)."""
    out = tmp_path / "cmp"
    code = main(["compare", *args, *SHORT, "--out", str(out)])
    printed = capsys.readouterr()
    assert code == 0, printed.err
    payload = json.loads((out / "comparison.json").read_text())
    assert payload["replications"] == 2 and payload["overrides"] == ["horizon.weeks=1"]
    page = (out / "report.html").read_text()
    assert "2 replication(s)" in page and "(USD per week)" in page
    assert "per week" in printed.out
    return list(payload["scenarios"])


@pytest.mark.slow
def test_volume_up_90_percent_for_a_month(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    base, surge = _compare(
        tmp_path, capsys, str(LIBRARY / "baseline.yaml"), str(LIBRARY / "surge_month.yaml")
    )
    assert surge["attainment"] < base["attainment"]
    assert surge["revenue_at_risk_per_week"] > base["revenue_at_risk_per_week"]
    # The same staff answer more contacts: cost per contact falls, and is not called better.
    assert surge["cost_per_contact"] < base["cost_per_contact"]


@pytest.mark.slow
def test_a_bot_that_deflects_a_third(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, bot = _compare(
        tmp_path, capsys, str(LIBRARY / "baseline.yaml"), str(LIBRARY / "bot_deflection.yaml")
    )
    assert bot["attainment"] >= base["attainment"]
    # Same staff, same contacts: cost per contact stays (within overtime), while the cost
    # per agent-handled ticket rises by about 1 / (1 - 0.33).
    assert bot["cost_per_contact"] == pytest.approx(base["cost_per_contact"], rel=0.02)
    ratio = bot["cost_per_handled_ticket"] / base["cost_per_handled_ticket"]
    assert ratio == pytest.approx(1 / (1 - 0.33), rel=0.05)


@pytest.mark.slow
def test_no_weekend_cover_as_a_variant(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    variant = "no weekends: teams[*].shifts[*].days=Mon-Fri; teams[*].shifts[*].hours=8"
    base, weekdays = _compare(
        tmp_path, capsys, str(LIBRARY / "baseline.yaml"), "--variant", variant
    )
    assert weekdays["scenario"] == "no weekends"
    # Same people and hours, no weekend premium: cheaper, and weekend tickets wait.
    assert weekdays["cost_per_week"] < base["cost_per_week"]
    assert weekdays["attainment"] < base["attainment"]


@pytest.mark.slow
def test_adding_a_language(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    base, more = _compare(
        tmp_path, capsys, str(LIBRARY / "baseline.yaml"), str(LIBRARY / "add_language.yaml")
    )
    assert more["cost_per_week"] > base["cost_per_week"]


@pytest.mark.slow
def test_round_the_clock_against_business_hours(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office, always = _compare(
        tmp_path, capsys, str(LIBRARY / "business_hours.yaml"), str(LIBRARY / "coverage_24x7.yaml")
    )
    assert always["cost_per_week"] > office["cost_per_week"]
    assert always["attainment"] > office["attainment"]


@pytest.mark.slow
@pytest.mark.parametrize(
    "path",
    [p for p in sorted(LIBRARY.glob("*.yaml")) if not p.stem.startswith("plan_")],
    ids=lambda p: p.stem,
)
def test_every_library_scenario_simulates(
    path: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    short = ["--set", "horizon.weeks=0.15", "--replications", "1"]
    code = main(["simulate", str(path), *short, "--out", str(tmp_path)])
    assert code == 0, capsys.readouterr().err
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["tickets"]["arrived"] > 0 and summary["cost"]["per_week"] > 0


def test_the_planning_scenario_points_to_optimize(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["simulate", str(LIBRARY / "plan_demo.yaml"), "--out", str(tmp_path)])
    assert code == 2 and "optimize" in capsys.readouterr().err
