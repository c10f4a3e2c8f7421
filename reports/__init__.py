"""Reports: Plotly figures and self-contained HTML built from a run's tables.

Role: turn KPI tables (pandas DataFrames) and the summary mapping into figures and HTML —
the run report, the comparison report, the optimize report and the sweep report.  Every
page embeds plotly.js once, makes no network request and escapes every string that came
from a user's file.
Figures are ``plot_*`` functions in :mod:`reports.figures` (DataFrame in, Figure out).
Must not import simpy, pyomo, the engine or ``optimizer``: reports read tables and the
typed summary of :mod:`sim.summary` (a leaf module of dataclasses, standard library and
NumPy only), never the simulation itself.
"""

from __future__ import annotations

from reports.comparison_report import render_comparison_report
from reports.optimize_report import optimize_sections, render_optimize_report
from reports.run_report import render_run_report, run_sections
from reports.sweep_report import render_sweep_report

__all__ = [
    "optimize_sections",
    "render_comparison_report",
    "render_optimize_report",
    "render_run_report",
    "render_sweep_report",
    "run_sections",
]
