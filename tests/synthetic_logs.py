"""Seeded ticket logs in the formats of the two real data sets, for tests that must pass on
a fresh clone (the real files live in ``../shared/data`` and are not the project's).

``write_bank_calls`` writes call records laid out as the Anonymous Bank file (tab-separated,
date YYMMDD, times H:MM:SS local to Israel, outcomes AGENT / HANG / PHANTOM, some negative
VRU times); ``write_helpdesk_events`` writes an event log laid out as the help-desk log
(Case ID, Activity, Resource, Complete Timestamp, seriousness_2, Italian local time). The
numbers are invented; the layouts, and the quirks the readers handle, are the real ones.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

BANK_COLUMNS = ["date", "vru_entry", "vru_time", "q_time", "outcome", "ser_time", "server"]
BANK_COLUMNS += ["priority", "type"]
AGENT_NAMES = ["DORIT", "IDIT", "AVI", "SHARON", "MORIAH", "ELI", "YITZ", "ANAT"]


@dataclass(frozen=True)
class BankLog:
    """What was written: rows, and the rows each reading rule drops."""

    path: Path
    rows: int
    phantom: int
    negative_vru: int


def write_bank_calls(
    path: Path,
    seed: int = 7,
    dates: tuple[str, ...] = ("990203", "990210", "990217", "990224"),
    calls_per_day: int = 700,
) -> BankLog:
    """Call records of a few days: arrivals peaking at midday, about 80% served, 15% hung up
    (a third of those before reaching the agent queue), 1% PHANTOM, four negative VRU times."""
    rng = np.random.default_rng(seed)
    hours = np.arange(24)
    weights = np.where((hours >= 7) & (hours < 24), 1.0 + np.exp(-((hours - 13) ** 2) / 18), 0.05)
    frames = []
    for date in dates:
        n = int(rng.poisson(calls_per_day))
        hour = rng.choice(24, size=n, p=weights / weights.sum())
        second = np.sort(hour * 3600 + rng.integers(0, 3600, n))
        outcome = rng.choice(["AGENT", "HANG", "PHANTOM"], size=n, p=[0.84, 0.15, 0.01])
        served = outcome == "AGENT"
        before_queue = (outcome == "HANG") & (rng.random(n) < 1 / 3)
        q_time = np.where(served, rng.exponential(40, n), rng.exponential(90, n)).astype(int)
        q_time[before_queue] = 0
        ser_time = np.where(served, np.maximum(1, rng.lognormal(4.8, 0.8, n)), 0).astype(int)
        frames.append(
            pd.DataFrame(
                {
                    "date": date,
                    "vru_entry": [f"{s // 3600}:{s % 3600 // 60:02d}:{s % 60:02d}" for s in second],
                    "vru_time": rng.integers(1, 40, n),
                    "q_time": q_time,
                    "outcome": outcome,
                    "ser_time": ser_time,
                    "server": np.where(served, rng.choice(AGENT_NAMES, n), "NO_SERVER"),
                    "priority": rng.choice([0, 1, 2], size=n, p=[0.5, 0.3, 0.2]),
                    "type": rng.choice(["PS", "PE", "NW"], size=n, p=[0.75, 0.15, 0.10]),
                }
            )
        )
    calls = pd.concat(frames, ignore_index=True)
    # A few negative VRU times (a known defect of the real file), never on PHANTOM calls.
    candidates = np.flatnonzero(calls["outcome"].to_numpy() != "PHANTOM")
    negative = rng.choice(candidates, size=4, replace=False)
    calls.loc[negative, "vru_time"] = -rng.integers(1, 9, 4)
    calls[BANK_COLUMNS].to_csv(path, sep="\t", index=False)
    return BankLog(path, len(calls), int((calls["outcome"] == "PHANTOM").sum()), 4)


def write_helpdesk_events(path: Path, seed: int = 11, cases: int = 400) -> Path:
    """Events of help-desk tickets opened on weekdays of January to March 2012 (across the
    spring daylight-saving change): each is assigned a seriousness, most are taken in
    charge hours later and resolved, a few twice (reopened), some never taken in charge."""
    rng = np.random.default_rng(seed)
    days = pd.bdate_range("2012-01-02", "2012-03-30")
    rows: list[tuple[str, str, str, dt.datetime, str]] = []
    for case in range(1, cases + 1):
        day = days[int(rng.integers(len(days)))]
        opened = day + pd.Timedelta(hours=float(rng.uniform(8, 18)))
        opened = opened.floor("s").to_pydatetime()
        level = f"Value {rng.choice([1, 2, 3, 4], p=[0.5, 0.2, 0.2, 0.1])}"
        name = f"Case {case}"
        rows.append((name, "Assign seriousness", "Value 1", opened, level))
        if rng.random() < 0.1:  # never taken in charge
            continue
        delay = 1.0 if level == "Value 4" else float(rng.lognormal(np.log(17 * 60), 0.9))
        taken = opened + dt.timedelta(minutes=delay, seconds=int(rng.integers(60)))
        resource = f"Value {rng.integers(1, 12)}"
        rows.append((name, "Take in charge ticket", resource, taken, level))
        solved = taken + dt.timedelta(hours=float(rng.exponential(30)))
        rows.append((name, "Resolve ticket", resource, solved, level))
        if rng.random() < 0.08:  # reopened and resolved again
            again = solved + dt.timedelta(hours=float(rng.exponential(20)))
            rows.append((name, "Resolve ticket", resource, again, level))
        rows.append((name, "Closed", resource, solved + dt.timedelta(days=1), level))
    events = pd.DataFrame(
        rows, columns=["Case ID", "Activity", "Resource", "Complete Timestamp", "seriousness_2"]
    )
    events["Complete Timestamp"] = events["Complete Timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    events.to_csv(path, index=False)
    return path


def bank_wednesdays_from_shared(shared_data: Path, path: Path) -> Path:
    """The four Wednesdays of the real February 1999 file (the published staffing answer's
    days) with the columns the reader uses, written to ``path`` for one test run."""
    raw = pd.read_csv(
        shared_data / "anonymous_bank" / "data_anonymous_bank_february_1999.tsv",
        sep="\t",
        dtype=str,
        keep_default_na=False,
    )
    wednesdays = raw[raw["date"].isin(["990203", "990210", "990217", "990224"])]
    wednesdays[BANK_COLUMNS].to_csv(path, sep="\t", index=False)
    return path
