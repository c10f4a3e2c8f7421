"""The one labour-rule checker, on hand-made shift tables whose breaks are known."""

from __future__ import annotations

import datetime as dt

import pandas as pd
import pytest

from scenarios.labor import AgentRules, check_shifts, weekly_minimum_hours
from scenarios.schema import LaborRules

START = dt.date(2026, 1, 5)  # a Monday


def _shifts(rows: list[tuple[str, str, str, float, bool]]) -> pd.DataFrame:
    """(agent, local date, start 'YYYY-MM-DD HH:MM' in UTC, hours, night) rows."""
    frame = []
    for agent, date, start, hours, night in rows:
        begin = pd.Timestamp(start, tz="UTC")
        frame.append(
            {
                "agent": agent,
                "date": date,
                "start": begin,
                "end": begin + pd.Timedelta(hours=hours),
                "paid_minutes": hours * 60,
                "night": night,
            }
        )
    return pd.DataFrame(frame)


def _week(agent: str, days: list[int], hour: int = 9, hours: float = 8.0) -> list[tuple]:
    out = []
    for d in days:
        date = START + dt.timedelta(days=d)
        out.append((agent, date.isoformat(), f"{date} {hour:02d}:00", hours, False))
    return out


def _check(rows: list[tuple], planned: bool = True, **rule: object) -> pd.DataFrame:
    rules = {"a": AgentRules(LaborRules.model_validate(rule))}
    return check_shifts(_shifts(rows), rules, START, 14, planned=planned)


def _broken(table: pd.DataFrame) -> set[str]:
    return {d["rule"] for d in table.attrs["details"]}


def test_a_roster_keeping_every_rule_has_no_breaks() -> None:
    table = _check(_week("a", [0, 1, 2, 3, 4, 7, 8, 9, 10, 11]), max_working_weekends=0)
    assert _broken(table) == set()
    assert table["hours"].tolist() == [40.0, 40.0]
    assert not table["at_risk"].any()


def test_each_rule_is_named_where_it_breaks() -> None:
    six_days = _week("a", [0, 1, 2, 3, 4, 5])
    assert _broken(_check(six_days)) == {"days_off", "consecutive_days", "hours"}
    assert "weekends" in _broken(_check(six_days, max_working_weekends=0))
    long_shifts = _week("a", [0, 1, 2], hours=14)
    assert "hours" in _broken(_check(long_shifts))
    late_then_early = _week("a", [0], hour=20) + _week("a", [1], hour=6)
    table = _check(late_then_early)
    assert _broken(table) == {"rest"}
    rest = next(d for d in table.attrs["details"] if d["rule"] == "rest")
    assert rest["found"] == pytest.approx(2.0)  # 20:00 + 8 h = 04:00, next start 06:00
    nights = [
        (
            "a",
            (START + dt.timedelta(days=d)).isoformat(),
            f"{START + dt.timedelta(days=d)} 22:00",
            8,
            True,
        )
        for d in range(4)
    ]
    assert "nights" in _broken(_check(nights, max_night_shifts_per_week=3))


def test_contract_minimum_is_owed_pro_rata_to_the_days_present() -> None:
    rules = LaborRules(min_hours_per_week=35)
    assert weekly_minimum_hours(rules, 7) == 35
    assert weekly_minimum_hours(rules, 5) == pytest.approx(25.0)
    short = _week("a", [0, 1, 2], hours=8) + _week("a", [7, 8, 9, 10, 11])
    table = _check(short, min_hours_per_week=35)
    assert [d["date"] for d in table.attrs["details"] if d["rule"] == "min_hours"] == ["2026-01-05"]
    # Leave on four days of the first week lowers what that week owes to 3/7 of 35 h = 15 h.
    leave = {START + dt.timedelta(days=d) for d in (3, 4, 5, 6)}
    rules_with_leave = {"a": AgentRules(LaborRules(min_hours_per_week=35), frozenset(leave))}
    checked = check_shifts(_shifts(short), rules_with_leave, START, 14, planned=True)
    assert "min_hours" not in {d["rule"] for d in checked.attrs["details"]}


def test_a_shift_on_leave_is_named() -> None:
    rules = {"a": AgentRules(LaborRules(), frozenset({START + dt.timedelta(days=2)}))}
    table = check_shifts(_shifts(_week("a", [0, 1, 2])), rules, START, 14, planned=True)
    leave = [d for d in table.attrs["details"] if d["rule"] == "unavailable"]
    assert [d["date"] for d in leave] == ["2026-01-07"]


def test_rest_counts_real_time_across_a_daylight_saving_change() -> None:
    """Europe/Dublin springs forward on 2026-03-29: 21:00 to 05:00 local, then 16:00 local
    the next day, is 10 hours of rest in real time, not 11."""
    shifts = pd.DataFrame(
        {
            "agent": ["a", "a"],
            "date": ["2026-03-28", "2026-03-29"],
            "start": [
                pd.Timestamp("2026-03-28 21:00", tz="Europe/Dublin"),
                pd.Timestamp("2026-03-29 16:00", tz="Europe/Dublin"),
            ],
            "end": [
                pd.Timestamp("2026-03-29 06:00", tz="Europe/Dublin"),
                pd.Timestamp("2026-03-30 00:00", tz="Europe/Dublin"),
            ],
            "paid_minutes": [480, 480],
            "night": [True, False],
        }
    )
    rules = {"a": AgentRules(LaborRules(min_rest_hours=11))}
    table = check_shifts(shifts, rules, dt.date(2026, 3, 23), 14, planned=True)
    rest = [d for d in table.attrs["details"] if d["rule"] == "rest"]
    assert rest and rest[0]["found"] == pytest.approx(10.0)


def test_worked_shifts_get_the_overtime_allowance() -> None:
    rows = _week("a", [0, 1, 2, 3, 4], hours=8.25)  # 41.25 h
    assert "hours" not in _broken(_check(rows, planned=False, overtime_allowance_hours=2))
    assert "hours" in _broken(_check(rows, planned=True, overtime_allowance_hours=2))
