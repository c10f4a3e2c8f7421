"""The run report's section on live contacts, resolution targets and customer segments."""

from __future__ import annotations

import re

from conftest import make_scenario
from test_engine_kpis import every_feature

from reports.run_report import contacts_section, render_run_report
from scenarios import scenario_from_data
from sim.runner import run_replications, summarize


def test_the_section_shows_the_new_kpis_and_escapes_names() -> None:
    data = every_feature()
    data["demand"]["segments"][0]["name"] = "<b>enterprise</b>"
    data["demand"]["streams"][0]["segments"] = {"<b>enterprise</b>": 0.2, "smb": 0.8}
    sc = scenario_from_data(data)
    out = summarize(sc, run_replications(sc, 1, 3))
    section = contacts_section(out.summary)
    assert section is not None
    html = str(section.body)
    for label in (
        "Attempts blocked",
        "Attempts balked",
        "Retrials",
        "Customers lost",
        "First response per attempt / customer",
        "Resolution attainment",
        "Resolution targets",
        "Customer segments",
    ):
        assert label in html
    assert "&lt;b&gt;enterprise&lt;/b&gt;" in html and "<b>enterprise" not in html
    page = render_run_report(out.summary, out.tables(), sc.to_data())
    assert 'id="contacts"' in page
    assert re.search(r"\d[\d,]* balked, [\d,]+ blocked, ", page)


def test_a_run_without_these_behaviours_has_no_such_section() -> None:
    sc = make_scenario()
    out = summarize(sc, run_replications(sc, 1, 3))
    assert contacts_section(out.summary) is None
    assert 'id="contacts"' not in render_run_report(out.summary, out.tables(), sc.to_data())
