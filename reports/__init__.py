"""Reports: Plotly figures and self-contained HTML built from a run's tables.

Role: turn KPI tables (pandas DataFrames) and the summary mapping into figures and HTML.
Must not import simpy, pyomo, ``sim`` or ``optimizer``: reports read tables only.
"""

from __future__ import annotations

from reports.run_report import render_run_report

__all__ = ["render_run_report"]
