"""Reports stay apart from the simulation: importing them loads neither SimPy nor Pyomo."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT


def test_reports_import_neither_the_engine_nor_the_optimizer() -> None:
    code = (
        "import sys, reports, reports.figures, reports.sweep_report, reports.publish;"
        "bad = [m for m in ('simpy', 'pyomo', 'sim.engine', 'sim.runner', 'optimizer', "
        "'scenarios') if m in sys.modules];"
        "print(','.join(bad))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True
    )
    assert done.stdout.strip() == ""
