"""The roster timeline: one panel per team in the team's local time, and the optimize
report drawing it."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd
from test_publish import DATES, LEAVE_DATES, ZONES, sample_people, sample_roster
from test_reports import OPTIMIZE, figure_specs

from reports import render_optimize_report
from reports.optimize_report import roster_people
from reports.publish import roster_figure

HOUR_MS = 3.6e6


def bars(fig: Any, name: str) -> list[tuple[str, str, float]]:
    """(person, base, length in ms) of every bar of the traces called ``name``."""
    return [
        (y, b, x)
        for t in fig.data
        if t.name == name
        for y, b, x in zip(t.y, t.base, t.x, strict=True)
    ]


def test_one_panel_per_team_each_in_its_own_local_time() -> None:
    fig = roster_figure(sample_roster(), sample_people(), LEAVE_DATES, DATES)
    titles = [a.text for a in fig.layout.annotations]
    assert titles == ["dublin (Europe/Dublin)", "austin (America/Chicago)", "manila (Asia/Manila)"]
    assert [fig.layout[f"xaxis{k}"].title.text for k in ("", "2", "3")] == [
        "local time (Europe/Dublin)",
        "local time (America/Chicago)",
        "local time (Asia/Manila)",
    ]
    # Everyone has a row, Sam without a single shift too.
    assert list(fig.layout.yaxis.categoryarray) == ["Aoife", "Ciarán", "Dee"]
    assert list(fig.layout.yaxis3.categoryarray) == ["Rosa", "Sam"]
    dublin = bars(fig, "dublin")
    # 07:00 on the wall before and after the change to summer time.
    assert ("Aoife", "2026-03-23 07:00", 8.5 * HOUR_MS) in dublin
    assert ("Aoife", "2026-03-30 07:00", 8.5 * HOUR_MS) in dublin
    # The night through the lost hour is drawn 22:00 to 07:00 on the wall.
    assert ("Ciarán", "2026-03-28 22:00", 9 * HOUR_MS) in dublin
    # Eli's shifts were written in UTC and in Tokyo time; Chicago's wall says 09:00.
    assert [b for _, b, _ in bars(fig, "austin")] == ["2026-03-24 09:00", "2026-03-25 09:00"]
    assert [b for _, b, _ in bars(fig, "break")][:1] == ["2026-03-23 11:00"]
    leave = bars(fig, "leave")
    assert [(p, b) for p, b, _ in leave] == [
        ("Dee", "2026-03-30 00:00"),
        ("Dee", "2026-03-31 00:00"),
        ("Dee", "2026-04-01 00:00"),
    ]
    # Saturday and Sunday shaded in each panel.
    weekend = [s for s in fig.layout.shapes if s.xref == "x3"]
    assert [s.x0 for s in weekend] == ["2026-03-28 00:00", "2026-04-04 00:00"]


def test_names_in_the_timeline_are_escaped() -> None:
    people = sample_people()
    roster = sample_roster()
    evil = "<img src=x onerror=alert(1)>"
    people.loc[0, "person"] = evil
    roster.loc[roster["agent"] == "Aoife", "agent"] = evil
    people.loc[people["team"] == "austin", "team"] = "<b>austin</b>"
    roster.loc[roster["team"] == "austin", "team"] = "<b>austin</b>"
    fig = roster_figure(roster, people)
    text = json.dumps(fig.to_plotly_json(), default=str)
    assert evil not in text and "<b>austin" not in text
    assert "&lt;img src=x onerror=alert(1)&gt;" in fig.layout.yaxis.categoryarray


def test_a_roster_without_people_says_so() -> None:
    fig = roster_figure(sample_roster().iloc[0:0], sample_people().iloc[0:0])
    assert len(fig.data) == 0 and fig.layout.annotations[0].text == "No people to show."


def test_the_optimize_report_draws_each_team_in_its_local_time() -> None:
    scenario = {
        "name": "spring",
        "horizon": {"start": "2026-03-23", "weeks": 2, "timezone": "UTC"},
        "teams": [
            {"name": t, "timezone": z}
            for t, z in (
                ("dublin", "Europe/Dublin"),
                ("austin", "America/Chicago"),
                ("manila", "Asia/Manila"),
            )
        ],
    }
    roster = sample_roster()
    derived = roster_people(roster, scenario)
    assert derived is not None
    assert derived["person"].tolist() == ["Aoife", "Ciarán", "Dee", "Eli", "Rosa"]
    page = render_optimize_report(None, None, scenario, OPTIMIZE, roster)
    spec = figure_specs(page)["spec-roster-gantt"]
    assert spec["layout"]["xaxis2"]["title"]["text"] == "local time (America/Chicago)"
    assert "the team&#x27;s own time zone" in page or "the team's own time zone" in page
    # With everyone given, Sam (no shifts) and Dee's leave are drawn too.
    page = render_optimize_report(
        None, None, scenario, OPTIMIZE, roster, people=sample_people(), leave=LEAVE_DATES
    )
    spec = figure_specs(page)["spec-roster-gantt"]
    assert "Sam" in spec["layout"]["yaxis3"]["categoryarray"]
    assert any(t.get("name") == "leave" for t in spec["data"])
    # A roster whose team the scenario does not know keeps the single chart.
    unknown = roster.assign(team=roster["team"].replace("austin", "boston"))
    assert roster_people(unknown, scenario) is None
    page = render_optimize_report(None, None, scenario, OPTIMIZE, unknown)
    spec = figure_specs(page)["spec-roster-gantt"]
    assert "xaxis2" not in spec["layout"] and isinstance(spec["data"], list)


def test_a_roster_the_publisher_cannot_read_keeps_the_single_chart_and_says_why() -> None:
    scenario = {"name": "spring", "teams": [{"name": t, "timezone": z} for t, z in ZONES.items()]}
    roster = sample_roster().assign(breaks="lunch")
    page = render_optimize_report(None, None, scenario, OPTIMIZE, roster)
    spec = figure_specs(page)["spec-roster-gantt"]
    assert "xaxis2" not in spec["layout"]
    assert "not per team" in page and "is not a start/end pair" in page


def test_people_derived_from_an_empty_roster_are_none() -> None:
    assert roster_people(pd.DataFrame(columns=["agent", "team"]), {"teams": []}) is None
