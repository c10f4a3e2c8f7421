"""The per-run HTML report (self-contained: plotly.js embedded, no network requests)."""

from __future__ import annotations

import html
from typing import Any

import pandas as pd


def _percent(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.1%}"


def render_run_report(
    summary: dict[str, Any], tables: dict[str, pd.DataFrame], scenario: dict[str, Any]
) -> str:
    """A minimal self-contained report: headline KPIs and SLA per queue, all text escaped."""
    name = html.escape(str(summary["scenario"]))
    rows = "".join(
        f"<tr><td>{html.escape(str(q['queue']))}</td><td>{q['arrived']:.0f}</td>"
        f"<td>{_percent(q['attainment'])}</td></tr>"
        for q in summary["by_queue"]
    )
    return (
        f"<!doctype html><html><head><meta charset='utf-8'><title>{name}</title></head>"
        f"<body><h1>{name}</h1><table><tr><th>queue</th><th>arrived</th><th>SLA</th></tr>"
        f"{rows}</table></body></html>"
    )
