"""Ticket import: known answers on real data, fitted scenarios, presets, streaming, bad files.

The real call records and event log are read from ``../shared/data`` (skipped when absent);
every other test reads seeded logs in the same layouts (``synthetic_logs``), written here.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT, SHARED_DATA
from synthetic_logs import (
    BankLog,
    bank_wednesdays_from_shared,
    write_bank_calls,
    write_helpdesk_events,
)

from scenarios import load_scenario, scenario_from_data
from scenarios.forecast import read_history
from scenarios.ticket_import import (
    PRESETS,
    TICKET_COLUMNS,
    FitReport,
    TicketImportError,
    fit_scenario,
    kaplan_meier,
    parse_mapping,
    read_tickets,
    write_scenario_yaml,
)
from scenarios.ticket_import.estimators import _cover_shifts
from sim.queueing import staff_for_wait_probability

Fit = tuple[dict[str, Any], FitReport]
# Published figures (shared/data/README.md, "Known answers"; T. W. Miller, Modeling
# Techniques in Predictive Analytics, 2015, ch. 6): agents per hour, and the hourly rates.
PUBLISHED_AGENTS = [1, 1, 1, 0, 1, 1, 1, 4, 8, 9, 10, 9, 8, 16, 10, 10, 6, 7, 8, 8, 6, 6, 5, 4]
PUBLISHED_RATES = [
    6.75, 1.75, 1.25, 0, 0.5, 0.25, 4.75, 39.5, 97.25, 107.5, 124, 110.25,
    95.5, 203.5, 115.75, 115.5, 67.75, 75, 88.75, 85.5, 68, 61.5, 57.5, 44.25,
]  # fmt: skip


def raw_bank(path: Path) -> pd.DataFrame:
    """The bank's calls read plainly with pandas, PHANTOM and negative-VRU calls dropped."""
    raw = pd.read_csv(path, sep="\t", dtype=str, skiprows=_comments(path))
    raw = raw[(raw["outcome"] != "PHANTOM") & (raw["vru_time"].astype(int) >= 0)].copy()
    raw["local"] = pd.to_datetime(raw["date"] + " " + raw["vru_entry"], format="%y%m%d %H:%M:%S")
    return raw


def raw_helpdesk(path: Path) -> pd.DataFrame:
    """One row per case: first event, first 'Take in charge ticket' (Italian local times)."""
    events = pd.read_csv(path, dtype=str, skiprows=_comments(path))
    events["t"] = pd.to_datetime(events["Complete Timestamp"]).dt.tz_localize("Europe/Rome")
    first = events.groupby("Case ID")["t"].min()
    touch = events[events["Activity"] == "Take in charge ticket"].groupby("Case ID")["t"].min()
    return pd.DataFrame({"created": first, "touch": touch.reindex(first.index)})


def _comments(path: Path) -> int:
    """Leading '#' lines (a provenance line, as exports sometimes carry)."""
    lines = path.read_text(encoding="utf-8").splitlines()
    return next(i for i, line in enumerate(lines) if not line.startswith("#"))


def profile_counts(data: dict[str, Any], days: np.ndarray) -> np.ndarray:
    """Tickets per local weekday-hour implied by the fitted streams (all streams summed)."""
    total = np.zeros((7, 24))
    for stream in data["demand"]["streams"]:
        rates = np.array(stream["profile"], dtype=float)
        total += rates / rates.sum() * stream["tickets_per_week"] * days[:, None]
    return total


def weekday_days(first: str, last: str) -> np.ndarray:
    return np.bincount(pd.date_range(first, last, freq="D").day_of_week, minlength=7).astype(float)


@pytest.fixture(scope="module")
def bank_log(tmp_path_factory: pytest.TempPathFactory) -> BankLog:
    return write_bank_calls(tmp_path_factory.mktemp("bank") / "calls.tsv")


@pytest.fixture(scope="module")
def bank(bank_log: BankLog) -> pd.DataFrame:
    return read_tickets(bank_log.path, "anonymous_bank")


@pytest.fixture(scope="module")
def bank_fit(bank: pd.DataFrame) -> Fit:
    return fit_scenario(bank, "anonymous-bank-wednesdays")


@pytest.fixture(scope="module")
def real_bank(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The real file's four Wednesdays (the published answer's days)."""
    if not (SHARED_DATA / "anonymous_bank").is_dir():
        pytest.skip(f"reference data folder {SHARED_DATA} is absent (only in full checkouts)")
    return bank_wednesdays_from_shared(SHARED_DATA, tmp_path_factory.mktemp("real") / "w.tsv")


@pytest.fixture(scope="module")
def helpdesk_log(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_helpdesk_events(tmp_path_factory.mktemp("helpdesk") / "events.csv")


@pytest.fixture(scope="module")
def helpdesk(helpdesk_log: Path) -> pd.DataFrame:
    return read_tickets(helpdesk_log, "helpdesk_eventlog")


# --------------------------------------------------------------------------- Anonymous Bank


def test_bank_calls_are_read_with_drops_counted(bank_log: BankLog, bank: pd.DataFrame) -> None:
    meta = bank.attrs["import"]
    assert meta["rows_read"] == bank_log.rows
    assert meta["dropped"] == {
        "outcome PHANTOM (not a customer contact)": bank_log.phantom,
        "negative queue_delay_seconds (column 'vru_time')": bank_log.negative_vru,
    }
    assert len(bank) == bank_log.rows - bank_log.phantom - bank_log.negative_vru
    assert list(bank.columns) == list(TICKET_COLUMNS)
    assert str(bank["created"].dt.tz) == "UTC"
    # Local Israeli times become UTC with zoneinfo: February is standard time, UTC+2.
    local = bank["created"].dt.tz_convert("Asia/Jerusalem").dt.tz_localize(None)
    assert set(local - bank["created"].dt.tz_localize(None)) == {pd.Timedelta(hours=2)}
    expected = raw_bank(bank_log.path)["local"].sort_values().to_numpy()
    np.testing.assert_array_equal(local.to_numpy(), expected)
    assert set(bank["language"].astype(str)) == {"he", "en"}
    assert set(bank["priority"].astype(str)) == {"normal", "high"}


def test_published_erlang_c_staffing_vector_from_the_import(real_bank: Path) -> None:
    """README known answer: 4 Wednesdays, rate = calls per hour of vru_entry / 4, 15 calls an
    agent-hour, smallest c with Erlang C P(wait) <= 0.5."""
    tickets = read_tickets(real_bank, "anonymous_bank")
    meta = tickets.attrs["import"]
    assert meta["rows_read"] == 6356
    assert meta["dropped"] == {
        "outcome PHANTOM (not a customer contact)": 64,
        "negative queue_delay_seconds (column 'vru_time')": 3,
    }
    data, _ = fit_scenario(tickets, "anonymous-bank-wednesdays")
    scenario = scenario_from_data(data, "imported")
    wednesday = sum(s.tickets_per_week * s.weights()[2] for s in scenario.demand.streams)
    np.testing.assert_allclose(wednesday, PUBLISHED_RATES, rtol=0, atol=1e-9)
    agents = staff_for_wait_probability(wednesday, 1 / 15, 0.5)
    assert list(agents) == PUBLISHED_AGENTS


def test_bank_profile_and_weekly_volume_match_raw_counts(bank_log: BankLog, bank_fit: Fit) -> None:
    data, report = bank_fit
    raw = raw_bank(bank_log.path)
    counts = np.zeros((7, 24))
    np.add.at(counts, (raw["local"].dt.day_of_week, raw["local"].dt.hour), 1)
    days = weekday_days("1999-02-03", "1999-02-24")
    np.testing.assert_allclose(profile_counts(data, days), counts, atol=1e-6)
    weekly = sum(s["tickets_per_week"] for s in data["demand"]["streams"])
    assert weekly == pytest.approx(len(raw) / 4)  # only Wednesdays: 4 of them in the span
    assert report.tickets == len(raw)


def test_bank_fits_agree_with_hand_computation(bank_log: BankLog, bank_fit: Fit) -> None:
    data, report = bank_fit
    raw = raw_bank(bank_log.path)
    q_time = raw["q_time"].astype(float) / 60
    hang = raw["outcome"] == "HANG"
    before_queue = hang & (q_time <= 0)
    # Exponential MLE with censoring: all queue waiting time / abandonments from the queue.
    expected_patience = q_time[~before_queue].sum() / (hang & ~before_queue).sum()
    assert data["channels"]["phone"]["patience_minutes"]["mean"] == pytest.approx(
        expected_patience, rel=1e-4
    )
    hebrew = raw["type"] != "PE"
    (he,) = (st for st in data["demand"]["streams"] if st["language"] == "he")
    assert he["deflection"] == pytest.approx(before_queue[hebrew].mean(), abs=1e-6)
    served = raw.loc[raw["outcome"] == "AGENT", "ser_time"].astype(float) / 60
    served = served[served > 0]
    handle = data["channels"]["phone"]["handle_minutes"]
    assert handle["distribution"] == "lognormal"
    assert handle["mean"] == pytest.approx(served.mean(), rel=1e-4)
    assert handle["cv"] == pytest.approx(served.std(ddof=0) / served.mean(), rel=1e-4)
    fit = report.handle["phone"]
    assert 0 < fit.ks_statistic < 0.2 and 0 <= fit.ks_pvalue <= 1
    assert fit.mle_mean > 0 and fit.mle_sigma > 0


def test_full_bank_volume_profile_and_vector(shared_data: Path) -> None:
    path = shared_data / "anonymous_bank" / "data_anonymous_bank_february_1999.tsv"
    tickets = read_tickets(path, "anonymous_bank")
    data, report = fit_scenario(tickets, "anonymous-bank")
    raw = raw_bank(path)
    assert len(tickets) == len(raw) == 33043
    counts = np.zeros((7, 24))
    np.add.at(counts, (raw["local"].dt.day_of_week, raw["local"].dt.hour), 1)
    days = weekday_days("1999-02-01", "1999-02-28")  # exactly four of each weekday
    np.testing.assert_allclose(profile_counts(data, days), counts, atol=1e-6)
    weekly = sum(s["tickets_per_week"] for s in data["demand"]["streams"])
    assert weekly == pytest.approx(33043 / 4)
    scenario = scenario_from_data(data)
    wednesday = sum(s.tickets_per_week * s.weights()[2] for s in scenario.demand.streams)
    assert list(staff_for_wait_probability(wednesday, 1 / 15, 0.5)) == PUBLISHED_AGENTS
    assert report.weeks == 4.0


# --------------------------------------------------------------------------- help-desk log


def test_helpdesk_profile_matches_raw_counts(helpdesk_log: Path, helpdesk: pd.DataFrame) -> None:
    data, report = fit_scenario(helpdesk, "helpdesk")
    raw = raw_helpdesk(helpdesk_log)
    assert len(helpdesk) == len(raw) == report.tickets
    counts = np.zeros((7, 24))
    np.add.at(counts, (raw["created"].dt.day_of_week, raw["created"].dt.hour), 1)
    first, last = raw["created"].min().date(), raw["created"].max().date()
    days = weekday_days(str(first), str(last))
    np.testing.assert_allclose(profile_counts(data, days), counts, atol=1e-4)
    stream = data["demand"]["streams"][0]
    assert (stream["language"], stream["channel"], stream["region"]) == (
        "it",
        "email",
        "Europe/Rome",
    )
    assert set(stream["priority_mix"]) <= {"normal", "urgent"}


def test_helpdesk_time_to_first_touch_is_reported(
    helpdesk_log: Path, helpdesk: pd.DataFrame
) -> None:
    _, report = fit_scenario(helpdesk, "helpdesk")
    raw = raw_helpdesk(helpdesk_log)
    hours = (raw["touch"] - raw["created"]).dt.total_seconds().dropna() / 60
    quantiles = report.first_response["email"]
    for q in (10, 25, 50, 75, 90, 95):
        assert quantiles[f"p{q}"] == pytest.approx(np.quantile(hours, q / 100), rel=1e-9)
    assert report.no_first_response["email"] == int(raw["touch"].isna().sum())
    assert any(line.startswith("first response email: p10") for line in report.lines())


def test_full_helpdesk_first_touch_median_about_17_hours(shared_data: Path) -> None:
    tickets = read_tickets(
        shared_data / "helpdesk_eventlog" / "Helpdesk_log.csv", "helpdesk_eventlog"
    )
    _, report = fit_scenario(tickets, "helpdesk")
    assert report.tickets == 4479
    median_hours = report.first_response["email"]["p50"] / 60
    assert 16.5 < median_hours < 18.0  # README: "median ~17 h"
    assert report.reopen_rate is not None and 0 < report.reopen_rate < 0.2


def test_event_log_across_chunk_boundaries_gives_the_same_tickets(
    helpdesk_log: Path, helpdesk: pd.DataFrame
) -> None:
    chunked = read_tickets(helpdesk_log, "helpdesk_eventlog", chunksize=97)
    pd.testing.assert_frame_equal(chunked, helpdesk)


def test_chunked_reading_gives_the_same_tickets(bank_log: BankLog, bank: pd.DataFrame) -> None:
    chunked = read_tickets(bank_log.path, "anonymous_bank", chunksize=500)
    pd.testing.assert_frame_equal(chunked, bank)


# --------------------------------------------------------------------------- writing


def test_written_scenario_validates_with_provenance_comments(
    tmp_path: Path, bank_log: BankLog, bank_fit: Fit
) -> None:
    data, report = bank_fit
    out = write_scenario_yaml(tmp_path / "imported.yaml", data, report)
    text = out.read_text()
    assert text.startswith("# imported from ")
    assert f"# rows read {bank_log.rows}, dropped {bank_log.phantom + 4}" in text
    assert "INFERRED PLACEHOLDER" in text
    assert "KS D" in text and "Kaplan-Meier" in text
    scenario = load_scenario(out)
    assert scenario.teams[0].name == "observed"
    assert scenario.to_data()["demand"]["streams"][0]["tickets_per_week"] > 0
    assert [p.name for p in tmp_path.iterdir()] == ["imported.yaml"]  # no temporary left


def test_helpdesk_scenario_validates(tmp_path: Path, helpdesk: pd.DataFrame) -> None:
    data, report = fit_scenario(helpdesk, "helpdesk")
    scenario = load_scenario(write_scenario_yaml(tmp_path / "h.yaml", data, report))
    assert scenario.channel("email").handle_minutes.mean == 8  # assumed, and said so
    assert any("no handle times for email" in n for n in report.notes)


def test_placeholder_shifts_cover_the_requirement() -> None:
    rng = np.random.default_rng(3)
    required = rng.integers(0, 6, (7, 24))
    cover = np.zeros(168, dtype=int)
    names = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"]
    for shift in _cover_shifts(required):
        for day in shift["days"].split(","):
            start = names.index(day) * 24 + int(shift["start"][:2])
            cover[(start + np.arange(shift["hours"])) % 168] += shift["agents"]
    assert np.all(cover >= required.reshape(-1))


def test_crews_keep_the_labour_rules_and_the_cover() -> None:
    from scenarios.schema import LaborRules
    from scenarios.ticket_import.team import DAY_NAMES, crews_within_rules

    rules = LaborRules()
    every_day = ",".join(DAY_NAMES)
    shifts = [
        {"days": every_day, "start": "09:00", "hours": 8, "agents": 3},
        {"days": every_day, "start": "22:00", "hours": 8, "agents": 1},  # a night shift
        {"days": "Mon,Tue", "start": "12:00", "hours": 8, "agents": 2},
    ]
    crews = crews_within_rules(shifts, rules)
    for pattern in shifts:
        mine = [c for c in crews if c["start"] == pattern["start"]]
        cover = {d: 0 for d in pattern["days"].split(",")}
        for crew in mine:
            days = crew["days"].split(",")
            limit = 3 if pattern["start"] == "22:00" else 5
            assert len(days) <= limit, crew
            assert not ("Sun" in days and "Mon" in days)  # weeks never join into a run
            for d in days:
                cover[d] += crew["agents"]
        assert set(cover.values()) == {pattern["agents"]}, pattern  # each day still covered
    assert [c["days"] for c in crews if c["start"] == "09:00"] == ["Mon,Tue,Wed,Thu,Fri", "Sat,Sun"]


def _round_the_clock_log(agents: bool) -> pd.DataFrame:
    """Three weeks of tickets every hour of every day, answered at once, with or without
    the agent who answered (three agents by day, one at night)."""
    rng = np.random.default_rng(8)
    created = pd.date_range("2026-03-02", periods=21 * 24 * 4, freq="15min", tz="UTC")
    hour = created.hour
    names = np.where(
        (hour >= 8) & (hour < 20), rng.choice(["ann", "bob", "cy"], len(created)), "dee"
    )
    n = len(created)
    return (
        pd.DataFrame(
            {
                "created": created,
                "first_response": created + pd.Timedelta(minutes=2),
                "solved": created + pd.Timedelta(hours=1),
                "channel": "email",
                "language": "en",
                "agent": names if agents else "",
            }
        )
        .assign(priority="normal", region="UTC")
        .iloc[:n]
    )


@pytest.mark.parametrize("with_agents", [True, False])
def test_imported_team_keeps_its_labour_rules_and_costs_money(
    tmp_path: Path, with_agents: bool
) -> None:
    path = tmp_path / "log.csv"
    _round_the_clock_log(with_agents).to_csv(path, index=False)
    tickets = read_tickets(path, "generic")
    data, report = fit_scenario(tickets, "log")
    out = write_scenario_yaml(tmp_path / "log.yaml", data, report)
    text = out.read_text()
    assert "hourly_cost: 30.0  # PLACEHOLDER" in text
    scenario = load_scenario(out)
    (team,) = scenario.teams
    assert team.hourly_cost > 0
    rules = scenario.labor_rules
    for shift in team.shifts:
        assert len(shift.days) <= 7 - rules.min_days_off_per_week
        assert len(shift.days) * shift.hours <= rules.max_hours_per_week
    assert sum(s.agents or 0 for s in team.shifts) <= team.agents
    if with_agents:
        # Four people answer: three by day, one at night; the agent column says so.
        assert "agent column" in report.team and "4 in the whole log" in report.team
        assert team.agents >= 4
    else:
        assert "workload" in report.team
    assert "PLACEHOLDER" in report.team and "teams[0].hourly_cost" in report.team


# --------------------------------------------------------------------------- fitting units


def test_kaplan_meier_hand_example() -> None:
    times, survival = kaplan_meier(np.array([1, 2, 2, 3, 4.0]), np.array([1, 0, 1, 1, 0], bool))
    np.testing.assert_allclose(times, [1, 2, 3])
    np.testing.assert_allclose(survival, [0.8, 0.6, 0.3])


def synthetic_calls(n: int, seed: int = 1) -> pd.DataFrame:
    """Normalised phone calls: lognormal handle (mean 5, cv 0.8), exponential patience
    (mean 3) censored by an exponential time to answer (mean 2)."""
    rng = np.random.default_rng(seed)
    created = pd.Timestamp("2026-01-05", tz="UTC") + pd.to_timedelta(
        np.sort(rng.uniform(0, 14 * 1440, n)), unit="min"
    )
    patience = rng.exponential(3.0, n)
    answer = rng.exponential(2.0, n)
    abandoned = patience < answer
    wait = np.minimum(patience, answer)
    sigma2 = np.log1p(0.8**2)
    handle = rng.lognormal(np.log(5) - sigma2 / 2, np.sqrt(sigma2), n)
    first = created + pd.to_timedelta(wait, unit="min")
    return pd.DataFrame(
        {
            "created": created,
            "queued": created,
            "first_response": first.where(~abandoned),
            "solved": pd.NaT,
            "abandoned": abandoned,
            "wait_minutes": wait,
            "handle_minutes": np.where(abandoned, np.nan, handle),
            "channel": pd.Categorical(["phone"] * n),
            "language": pd.Categorical(["en"] * n),
            "priority": pd.Categorical(["normal"] * n),
            "region": pd.Categorical(["UTC"] * n),
            "agent": pd.Categorical([""] * n),
            "reopened": pd.array([pd.NA] * n, dtype="boolean"),
        }
    )


def test_handle_and_patience_fits_recover_known_parameters() -> None:
    data, report = fit_scenario(synthetic_calls(40_000), "synthetic")
    handle = report.handle["phone"]
    assert handle.mean == pytest.approx(5.0, rel=0.03)
    assert handle.mle_mean == pytest.approx(5.0, rel=0.03)
    assert handle.mle_cv == pytest.approx(0.8, rel=0.05)
    assert handle.ks_pvalue > 0.001  # the data are lognormal
    patience = report.patience["phone"]
    assert patience.mean == pytest.approx(3.0, rel=0.05)
    assert patience.km_median == pytest.approx(3.0 * np.log(2), rel=0.1)
    assert data["channels"]["phone"]["patience_minutes"]["distribution"] == "exponential"
    # No agents in the log: the team comes from the workload.
    assert "workload" in report.team


# --------------------------------------------------------------------------- other formats


ZENDESK = (
    "Id,Created at,First reply time in minutes,Solved at,Via,Priority,Assignee,"
    "Requester language,Requester time zone,Reopens,Subject\n"
    "1,2026-03-02 09:03:22 +0100,12,2026-03-02 11:00:00 +0100,Web form,Urgent,Ann,English,"
    'Eastern Time (US & Canada),0,"refund, please"\n'
    "2,2026-03-02T15:03:22Z,,,Chat,Normal,,de-DE,(GMT+01:00) Berlin,1,hello\n"
    "3,2026-03-03T15:03:22+01:00,3,,Phone call (inbound),low,Bob,Klingon,Mars/Base,0,x\n"
)


def test_zendesk_style_export(tmp_path: Path) -> None:
    path = tmp_path / "zendesk.csv"
    path.write_text(ZENDESK)
    tickets = read_tickets(path, "zendesk")
    assert list(tickets["channel"].astype(str)) == ["email", "chat", "phone"]
    assert list(tickets["priority"].astype(str)) == ["urgent", "normal", "low"]
    assert list(tickets["language"].astype(str)) == ["en", "de", "en"]
    assert list(tickets["region"].astype(str)) == ["America/New_York", "Europe/Berlin", "UTC"]
    assert tickets["created"].iloc[0] == pd.Timestamp("2026-03-02 08:03:22", tz="UTC")
    assert tickets["wait_minutes"].iloc[0] == 12
    assert pd.isna(tickets["first_response"].iloc[1])
    assert list(tickets["reopened"]) == [False, True, False]
    notes = " ".join(tickets.attrs["import"]["notes"])
    assert "'Klingon'" in notes and "'Mars/Base'" in notes
    data, report = fit_scenario(tickets, "zendesk")
    assert len(data["demand"]["streams"]) == 3
    assert report.reopen_rate == pytest.approx(1 / 3)
    # The preset maps the assignee column, and the team is counted from it.
    assert "agent column" in report.team and "2 in the whole log" in report.team
    scenario_from_data(data)


def test_intercom_unix_seconds_and_parquet(tmp_path: Path) -> None:
    frame = pd.DataFrame(
        {
            "created_at": [1767603600, 1767607200],
            "first_admin_reply_at": [1767603660, None],
            "last_close_at": [1767610000, None],
            "source_type": ["conversation", "email"],
        }
    )
    csv = tmp_path / "intercom.csv"
    frame.to_csv(csv, index=False)
    tickets = read_tickets(csv, "intercom")
    assert tickets["created"].iloc[0] == pd.Timestamp(1767603600, unit="s", tz="UTC")
    assert tickets["wait_minutes"].iloc[0] == pytest.approx(1.0)
    assert list(tickets["channel"].astype(str)) == ["chat", "email"]
    parquet = tmp_path / "intercom.parquet"
    typed = frame.assign(created_at=pd.to_datetime(frame["created_at"], unit="s", utc=True))
    typed.to_parquet(parquet)
    from_parquet = read_tickets(parquet, "intercom")
    pd.testing.assert_series_equal(
        from_parquet["created"], tickets["created"], check_dtype=False, check_names=False
    )


def test_mapping_renames_columns_and_sets_options(tmp_path: Path) -> None:
    path = tmp_path / "custom.csv"
    path.write_text(
        "opened;answered;lang\n05/01/2026 09:00;05/01/2026 09:30;fr\n06/01/2026 10:00;;it\n"
    )
    mapping = parse_mapping(
        [
            "created=opened",
            "first_response=answered",
            "language=lang",
            "sep=;",
            "timestamp_format=%d/%m/%Y %H:%M",
            "timezone=Europe/Paris",
            "default_channel=chat",
        ]
    )
    tickets = read_tickets(path, "generic", mapping)
    assert tickets["created"].iloc[0] == pd.Timestamp("2026-01-05 08:00", tz="UTC")
    assert tickets["wait_minutes"].iloc[0] == 30
    assert list(tickets["language"].astype(str)) == ["fr", "it"]
    assert set(tickets["channel"].astype(str)) == {"chat"}
    assert set(tickets["region"].astype(str)) == {"Europe/Paris"}


@pytest.mark.parametrize(
    ("items", "message"),
    [
        (["created"], "expected FIELD=COLUMN"),
        (["arrival=Created"], "unknown field 'arrival'"),
    ],
)
def test_bad_mapping(items: list[str], message: str) -> None:
    with pytest.raises(TicketImportError, match=message):
        parse_mapping(items)


def test_every_preset_is_described() -> None:
    assert {"zendesk", "freshdesk", "intercom", "anonymous_bank", "helpdesk_eventlog"} <= set(
        PRESETS
    )
    for name, preset in PRESETS.items():
        assert preset.name == name and preset.description
        assert preset.required <= set(preset.columns)


# --------------------------------------------------------------------------- bad files


def write(tmp_path: Path, text: str, name: str = "bad.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_missing_column_is_named(tmp_path: Path, bank_log: BankLog) -> None:
    lines = bank_log.path.read_text().splitlines()[0:3]
    header = lines[0].split("\t")
    keep = [i for i, c in enumerate(header) if c != "q_time"]
    text = "\n".join("\t".join(line.split("\t")[i] for i in keep) for line in lines) + "\n"
    with pytest.raises(TicketImportError, match=r"missing column 'q_time' \(wait_seconds\)"):
        read_tickets(write(tmp_path, text, "bank.tsv"), "anonymous_bank")


def test_wrong_separator_is_hinted(bank_log: BankLog) -> None:
    with pytest.raises(TicketImportError, match=r"looks 'tab'-separated.*--map sep=tab"):
        read_tickets(bank_log.path, "zendesk")


def test_unparsable_timestamp_names_row_and_column(tmp_path: Path) -> None:
    text = "Created at,Via\n2026-03-02 09:00:00,Email\n2026-03-02 10:00:00,Email\nnot a date,Chat\n"
    with pytest.raises(
        TicketImportError,
        match=r"row 3 \(line 4\), column 'Created at': cannot read 'not a date' as a timestamp",
    ):
        read_tickets(write(tmp_path, text), "zendesk")


def test_unparsable_bank_time_names_row_and_column(tmp_path: Path, bank_log: BankLog) -> None:
    lines = bank_log.path.read_text().splitlines()[:6]
    fields = lines[3].split("\t")
    fields[1] = "25:61:00"
    lines[3] = "\t".join(fields)
    path = write(tmp_path, "\n".join(lines) + "\n", "bank.tsv")
    with pytest.raises(TicketImportError, match=r"row 3 \(line 4\), column 'vru_entry'"):
        read_tickets(path, "anonymous_bank")


def test_unparsable_number_names_row_and_column(tmp_path: Path, bank_log: BankLog) -> None:
    lines = bank_log.path.read_text().splitlines()[:4]
    fields = lines[2].split("\t")
    fields[2] = "ten"
    lines[2] = "\t".join(fields)
    path = write(tmp_path, "\n".join(lines) + "\n", "bank.tsv")
    with pytest.raises(TicketImportError, match=r"row 2 \(line 3\), column 'vru_time'.*'ten'"):
        read_tickets(path, "anonymous_bank")


@pytest.mark.parametrize(
    ("text", "message"),
    [("", "the file is empty"), ("Created at,Via\n", "no data rows after the header")],
)
def test_empty_file(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(TicketImportError, match=message):
        read_tickets(write(tmp_path, text), "zendesk")


def test_mixed_time_zone_formats_are_refused(tmp_path: Path) -> None:
    text = (
        "Created at,Solved at\n"
        "2026-03-02T09:00:00+01:00,2026-03-02T10:00:00+01:00\n"
        "2026-03-02T11:00:00+01:00,2026-03-02 12:00:00\n"
    )
    with pytest.raises(
        TicketImportError,
        match=r"row 2 \(line 3\), column 'Solved at'.*without an offset.*row 1, column "
        r"'Created at'.*mixed time-zone formats",
    ):
        read_tickets(write(tmp_path, text), "zendesk")


def test_missing_file_and_unknown_format(tmp_path: Path, bank_log: BankLog) -> None:
    with pytest.raises(TicketImportError, match="file not found"):
        read_tickets(tmp_path / "nope.csv", "zendesk")
    with pytest.raises(TicketImportError, match="--format 'jira': unknown format"):
        read_tickets(bank_log.path, "jira")
    assert issubclass(TicketImportError, ValueError)


def _generic(tmp_path: Path, created: list[str]) -> Path:
    rows = "".join(f"{c},email,en\n" for c in created)
    return write(tmp_path, "created,channel,language\n" + rows)


def _two_weeks(n: int = 40) -> list[str]:
    start = pd.Timestamp("2024-03-04 09:00")
    return [f"{start + pd.Timedelta(hours=8.3 * i):%Y-%m-%d %H:%M:%S}" for i in range(n)]


@pytest.mark.parametrize("year", ["1600", "9999", "1899"])
def test_rows_dated_outside_the_calendar_are_dropped_with_the_reason(
    tmp_path: Path, year: str
) -> None:
    created = _two_weeks()
    for i in range(0, len(created), 4):  # a quarter of the rows
        created[i] = year + created[i][4:]
    tickets = read_tickets(_generic(tmp_path, created), "generic")
    assert len(tickets) == 30
    assert tickets.attrs["import"]["dropped"] == {
        "created outside 1900-01-01 to 2100-12-31 (column 'created')": 10
    }
    _, report = fit_scenario(tickets, "dated")
    assert report.weeks == pytest.approx(2.0, abs=0.15)  # the real span, not 22,000 weeks


def test_a_first_response_dated_outside_the_calendar_drops_its_row(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "created,first_response\n2024-03-04 09:00:00,2024-03-04 09:30:00\n"
        "2024-03-04 10:00:00,9999-03-04 10:30:00\n",
    )
    tickets = read_tickets(path, "generic", parse_mapping(["first_response=first_response"]))
    assert len(tickets) == 1
    assert tickets.attrs["import"]["dropped"] == {
        "first_response outside 1900-01-01 to 2100-12-31 (column 'first_response')": 1
    }


def test_a_history_of_many_decades_is_refused(tmp_path: Path) -> None:
    created = _two_weeks()
    created[0] = "1950-01-02 10:00:00"  # a mistyped year, inside the calendar
    with pytest.raises(
        TicketImportError,
        match=r"the tickets run from 1950-01-02 to 2024-03-\d\d, 74 years \(expected a history "
        r"of at most 20 years",
    ):
        read_tickets(_generic(tmp_path, created), "generic")


def test_every_row_outside_the_calendar_is_refused(tmp_path: Path) -> None:
    created = ["0001-01-0" + str(d) + " 10:00:00" for d in range(1, 5)]
    with pytest.raises(TicketImportError, match=r"every row was dropped \(created outside"):
        read_tickets(_generic(tmp_path, created), "generic")


def test_events_dated_outside_the_calendar_are_dropped(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "Case ID,Activity,Resource,Complete Timestamp\n"
        "Case 1,Assign seriousness,Value 1,2012-02-10 14:44:10\n"
        "Case 1,Take in charge ticket,Value 2,9012-02-10 15:48:04\n"
        "Case 2,Assign seriousness,Value 1,2012-02-10 16:00:00\n",
    )
    tickets = read_tickets(path, "helpdesk_eventlog")
    assert len(tickets) == 2 and tickets["first_response"].isna().all()
    assert tickets.attrs["import"]["dropped"] == {
        "event time outside 1900-01-01 to 2100-12-31 (column 'Complete Timestamp')": 1
    }


def _counts(tmp_path: Path, dates: list[str]) -> Path:
    rows = "".join(f"{d},{100 + i % 7}\n" for i, d in enumerate(dates))
    return write(tmp_path, "date,count\n" + rows, "counts.csv")


def test_a_counts_history_leaves_out_rows_outside_the_calendar(tmp_path: Path) -> None:
    days = [f"{pd.Timestamp('2024-01-01') + pd.Timedelta(days=i):%Y-%m-%d}" for i in range(60)]
    for i in range(0, 60, 10):
        days[i] = "1600" + days[i][4:]
    history = read_history(_counts(tmp_path, days), "counts")
    assert history.first == dt.date(2024, 1, 2) and history.last == dt.date(2024, 2, 29)
    assert "6 rows dated outside 1900-01-01 to 2100-12-31 (column 'date') are left out" in (
        history.notes
    )


def test_a_counts_history_of_many_decades_is_refused(tmp_path: Path) -> None:
    days = [f"{pd.Timestamp('2024-01-01') + pd.Timedelta(days=i):%Y-%m-%d}" for i in range(30)]
    days[0] = "1950-01-01"
    with pytest.raises(
        TicketImportError, match=r"the history runs from 1950-01-01 to 2024-01-30, 74 years"
    ):
        read_history(_counts(tmp_path, days), "counts")


def test_a_bad_timestamp_format_is_named(tmp_path: Path) -> None:
    path = _generic(tmp_path, _two_weeks(3))
    with pytest.raises(
        TicketImportError, match=r"--map timestamp_format='%Q': 'Q' is a bad directive"
    ):
        read_tickets(path, "generic", parse_mapping(["timestamp_format=%Q"]))


def test_an_unreadable_file_and_a_folder_are_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = _generic(tmp_path, _two_weeks(3))
    with pytest.raises(TicketImportError, match=r"ticket file '.*': is a folder"):
        read_tickets(tmp_path, "generic")

    def refuse(*_args: object, **_kwargs: object) -> None:
        raise PermissionError(13, "Permission denied", str(path))

    # The root user reads any file; the refusal other users get is played here.
    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(
        TicketImportError, match=r"ticket file '.*bad\.csv': cannot be read \(Permission denied"
    ):
        read_tickets(path, "generic")


# --------------------------------------------------------------------------- command line


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "run_sim.py"), *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**os.environ, "CI": "true"},
        timeout=300,
    )


@pytest.fixture(scope="module")
def cli_has_import() -> None:
    if "import-tickets" not in _cli("--help").stdout:
        pytest.skip("run_sim.py has no import-tickets subcommand yet")


@pytest.mark.usefixtures("cli_has_import")
def test_cli_import_tickets_writes_a_valid_scenario(tmp_path: Path, bank_log: BankLog) -> None:
    out = tmp_path / "bank.yaml"
    done = _cli(
        "import-tickets", str(bank_log.path), "--format", "anonymous_bank", "--out", str(out)
    )
    assert done.returncode == 0, done.stderr
    assert _cli("validate", str(out)).returncode == 0


@pytest.mark.usefixtures("cli_has_import")
def test_cli_import_tickets_bad_file_exits_2(tmp_path: Path) -> None:
    bad = write(tmp_path, "Created at\nnot a date\n")
    done = _cli(
        "import-tickets", str(bad), "--format", "zendesk", "--out", str(tmp_path / "x.yaml")
    )
    assert done.returncode == 2
    assert "row 1" in done.stderr and "Traceback" not in done.stderr
