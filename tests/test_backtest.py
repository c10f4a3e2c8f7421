"""Back-test: staffing inferred from a log, replayed tickets, simulated against actual.

The real call records are read from ``../shared/data`` (skipped when absent); the other
tests replay seeded logs in the same layout (``synthetic_logs``), written here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from conftest import make_scenario
from synthetic_logs import BankLog, write_bank_calls, write_helpdesk_events

from scenarios import Scenario, scenario_from_data
from scenarios.calendar import horizon_origin
from scenarios.ticket_import import TicketImportError, fit_scenario, read_tickets
from sim.agents import Staffing, build_staffing
from sim.backtest import (
    backtest_lines,
    observed_staffing,
    replay_tickets,
    run_backtest,
    summarize_backtest,
)
from sim.engine import OUTCOME_ABANDONED, run_replication

DAY = pd.Timestamp("2026-01-05", tz="UTC")


def tickets_frame(rows: list[tuple[float, float, float, str, bool]]) -> pd.DataFrame:
    """Normalised phone tickets from (arrival minute of 2026-01-05 UTC, wait, handle, agent,
    abandoned)."""
    arrival, wait, handle, agent, abandoned = (np.array(c) for c in zip(*rows, strict=True))
    created = DAY + pd.to_timedelta(arrival.astype(float), unit="min")
    answered = ~abandoned.astype(bool)
    first = created + pd.to_timedelta(wait.astype(float), unit="min")
    n = len(rows)
    frame = pd.DataFrame(
        {
            "created": created,
            "queued": created,
            "first_response": first.where(answered),
            "solved": pd.NaT,
            "abandoned": abandoned.astype(bool),
            "wait_minutes": wait.astype(float),
            "handle_minutes": np.where(answered, handle.astype(float), np.nan),
            "channel": "phone",
            "language": "en",
            "priority": "normal",
            "region": "UTC",
            "agent": agent.astype(str),
            "reopened": pd.array([pd.NA] * n, dtype="boolean"),
        }
    )
    for name in ("channel", "language", "priority", "region", "agent"):
        frame[name] = frame[name].astype("category")
    return frame


HAND = [
    (550.0, 0.0, 10.0, "A", False),  # A serves 09:10-09:20
    (570.0, 15.0, 0.0, "", True),  # a caller waits 09:30-09:45 and hangs up
    (590.0, 0.0, 15.0, "B", False),  # B serves 09:50-10:05
    (600.0, 0.0, 0.0, "", True),  # a caller hangs up before reaching the queue
    (630.0, 0.0, 5.0, "A", False),  # A serves 10:30-10:35
    (780.0, 0.0, 5.0, "A", False),  # A serves 13:00-13:05
]


@pytest.fixture(scope="module")
def hand() -> tuple[pd.DataFrame, Scenario]:
    frame = tickets_frame(HAND)
    data, _ = fit_scenario(frame, "hand", horizon="observed")
    return frame, scenario_from_data(data)


def windows(staffing: Staffing, agent: str) -> list[tuple[float, float]]:
    s = staffing.shifts[staffing.shifts["agent"] == agent]
    return list(zip(s["start"].round(6), s["end"].round(6), strict=True))


def test_observed_staffing_hour_windows(hand: tuple[pd.DataFrame, Scenario]) -> None:
    frame, scenario = hand
    staffing = observed_staffing(frame, scenario)
    assert list(staffing.agents["agent"]) == ["A", "B"]
    assert windows(staffing, "A") == [(540.0, 660.0), (780.0, 840.0)]
    assert windows(staffing, "B") == [(540.0, 660.0)]
    built = build_staffing(make_scenario(), seed=1)
    assert list(staffing.shifts.columns) == list(built.shifts.columns)
    assert list(staffing.agents.columns) == list(built.agents.columns)
    assert not staffing.shifts["absent"].any()


def test_idle_agents_with_customers_waiting_can_be_taken_off(
    hand: tuple[pd.DataFrame, Scenario],
) -> None:
    frame, scenario = hand
    strict = observed_staffing(frame, scenario, drop_idle_while_waiting=True)
    # Both agents were idle 09:30-09:45 while a caller waited: not available then.
    assert windows(strict, "A") == [(540.0, 570.0), (585.0, 660.0), (780.0, 840.0)]
    assert windows(strict, "B") == [(540.0, 570.0), (585.0, 660.0)]


def test_replayed_tickets(hand: tuple[pd.DataFrame, Scenario]) -> None:
    frame, scenario = hand
    tickets = replay_tickets(frame, scenario, seed=3)
    # The caller who left before the queue is not replayed; the rest in arrival order.
    np.testing.assert_allclose(tickets.arrival, [550, 570, 590, 630, 780])
    np.testing.assert_allclose(tickets.handle[[0, 2, 3, 4]], [10, 15, 5, 5])
    assert tickets.handle[1] > 0  # drawn from the fitted handle time
    assert tickets.patience[1] == 15  # abandoned: patience is the observed wait
    served = [0, 2, 3, 4]
    assert np.all(tickets.patience[served] > 0) and np.all(np.isfinite(tickets.patience[served]))
    again = replay_tickets(frame, scenario, seed=3)
    np.testing.assert_array_equal(tickets.patience, again.patience)


def simulated_log(scenario: Scenario, seed: int) -> pd.DataFrame:
    """The engine's own ticket log as normalised tickets."""
    result = run_replication(scenario, seed)
    origin = horizon_origin(scenario)
    t = result.tickets
    answered = np.isfinite(result.first_response)
    abandoned = result.outcome == OUTCOME_ABANDONED
    keep = answered | abandoned
    wait = np.where(answered, result.first_response - t.arrival, result.resolved - t.arrival)
    agents = result.staffing.agents["agent"].to_numpy()
    rows = [
        (float(a), float(w), float(h), str(agent), bool(ab))
        for a, w, h, agent, ab in zip(
            t.arrival[keep],
            wait[keep],
            t.handle[keep],
            np.where(answered, agents[np.maximum(result.first_agent, 0)], "")[keep],
            abandoned[keep],
            strict=True,
        )
    ]
    frame = tickets_frame(rows)
    shift = origin - DAY
    for name in ("created", "queued", "first_response"):
        frame[name] = frame[name] + shift
    return frame


def test_replaying_a_simulated_log_reproduces_it_exactly() -> None:
    """A log the engine wrote itself (two agents on all day, busy every hour, callers who
    abandon) back-tests with no error: the replay machinery adds none of its own."""
    scenario = make_scenario(
        {
            "demand.streams.0.tickets_per_week": 3000,
            "channels.phone.patience_minutes": {"mean": 3},
        }
    )
    frame = simulated_log(scenario, seed=5)
    assert frame["abandoned"].mean() > 0.1
    data, _ = fit_scenario(frame, "replay", horizon="observed")
    table = run_backtest(frame, scenario_from_data(data), replications=2)
    for metric in ("service_level", "mean_wait_minutes", "abandonment"):
        errors = table[f"{metric}_error"].dropna().to_numpy()
        np.testing.assert_allclose(errors, 0.0, atol=1e-9)


@pytest.fixture(scope="module")
def bank_log(tmp_path_factory: pytest.TempPathFactory) -> BankLog:
    return write_bank_calls(tmp_path_factory.mktemp("bank") / "calls.tsv")


@pytest.fixture(scope="module")
def bank(bank_log: BankLog) -> tuple[pd.DataFrame, Scenario]:
    tickets = read_tickets(bank_log.path, "anonymous_bank")
    data, _ = fit_scenario(tickets, "bank", horizon="observed", interval_minutes=60)
    return tickets, scenario_from_data(data)


def actual_by_day(path: Path) -> pd.DataFrame:
    """Daily service level (60 s), mean answered wait and abandonment, straight from the
    raw file, over calls that joined the agent queue."""
    with path.open(encoding="utf-8") as handle:
        skip = 0
        while handle.readline().startswith("#"):
            skip += 1
    raw = pd.read_csv(path, sep="\t", dtype=str, skiprows=skip)
    raw = raw[(raw["outcome"] != "PHANTOM") & (raw["vru_time"].astype(int) >= 0)]
    q = raw["q_time"].astype(float)
    hang = raw["outcome"] == "HANG"
    raw = raw[~(hang & (q <= 0))]
    q = raw["q_time"].astype(float)
    agent = raw["outcome"] == "AGENT"
    day = pd.to_datetime(raw["date"], format="%y%m%d").dt.strftime("%Y-%m-%d")
    return pd.DataFrame(
        {
            "tickets": raw.groupby(day).size(),
            "service_level": (agent & (q <= 60)).groupby(day).mean(),
            "mean_wait_minutes": (q / 60).where(agent).groupby(day).mean(),
            "abandonment": (raw["outcome"] == "HANG").groupby(day).mean(),
        }
    )


def test_bank_backtest_table(bank_log: BankLog, bank: tuple[pd.DataFrame, Scenario]) -> None:
    tickets, scenario = bank
    table = run_backtest(tickets, scenario, replications=2, seed=11)
    assert set(table["level"]) == {"day", "hour", "total"}
    days = table[table["level"] == "day"].set_index("period")
    expected = actual_by_day(bank_log.path)
    assert list(days.index) == ["1999-02-03", "1999-02-10", "1999-02-17", "1999-02-24"]
    np.testing.assert_array_equal(days["tickets"], expected["tickets"])
    for metric in ("service_level", "mean_wait_minutes", "abandonment"):
        np.testing.assert_allclose(days[f"actual_{metric}"], expected[metric], rtol=1e-9)
        sim = days[f"sim_{metric}"].to_numpy()
        assert np.all(np.isfinite(sim))
        np.testing.assert_allclose(
            days[f"{metric}_error"], sim - days[f"actual_{metric}"], rtol=1e-12
        )
    assert (days["target_minutes"] == 1.0).all()  # the bank preset's assumed 60 s
    hours = table[table["level"] == "hour"]
    total = table[table["level"] == "total"]["tickets"].iloc[0]
    assert hours["tickets"].sum() == days["tickets"].sum() == total
    again = run_backtest(tickets, scenario, replications=2, seed=11)
    pd.testing.assert_frame_equal(table, again)
    summary = summarize_backtest(table)
    assert summary["day"]["periods"] == 4
    assert set(summary["day"]["abandonment"]) == {"bias", "mae", "max_abs"}
    lines = backtest_lines(table, summary)
    assert lines[0].split()[0] == "day" and lines[-1].startswith("error over")


def test_strict_availability_only_removes_agent_time(bank: tuple[pd.DataFrame, Scenario]) -> None:
    tickets, scenario = bank
    plain = observed_staffing(tickets, scenario)
    strict = observed_staffing(tickets, scenario, drop_idle_while_waiting=True)
    plain_hours = (plain.shifts["end"] - plain.shifts["start"]).sum()
    strict_hours = (strict.shifts["end"] - strict.shifts["start"]).sum()
    assert 0 < strict_hours < plain_hours
    table = run_backtest(tickets, scenario, replications=1, drop_idle_while_waiting=True)
    assert table.attrs["drop_idle_while_waiting"] is True


def test_backtest_needs_agents_and_handle_times(tmp_path: Path) -> None:
    tickets = read_tickets(write_helpdesk_events(tmp_path / "events.csv"), "helpdesk_eventlog")
    data, _ = fit_scenario(tickets, "helpdesk", horizon="observed")
    with pytest.raises(TicketImportError, match="needs answered tickets with an agent"):
        run_backtest(tickets, scenario_from_data(data), replications=1)


def test_full_bank_backtest_actual_side(shared_data: Path) -> None:
    path = shared_data / "anonymous_bank" / "data_anonymous_bank_february_1999.tsv"
    tickets = read_tickets(path, "anonymous_bank")
    data, _ = fit_scenario(tickets, "bank", horizon="observed", interval_minutes=60)
    table = run_backtest(tickets, scenario_from_data(data), replications=1)
    days = table[table["level"] == "day"].set_index("period")
    expected = actual_by_day(path)
    assert len(days) == 28
    for metric in ("service_level", "mean_wait_minutes", "abandonment"):
        np.testing.assert_allclose(days[f"actual_{metric}"], expected[metric], rtol=1e-9)
        assert np.isfinite(days[f"{metric}_error"]).all()
