"""Publishing a roster: the grid, the calendars, safe file names and the agreement check.

The rosters are written here, a few rows each: three teams in three time zones, the
change to summer time in Europe/Dublin on Sunday 29 March 2026 (01:00 UTC), a night shift
across midnight (and one across the change), a person on leave, a person with no shifts,
and times written with other offsets than the team's.  Expected cells are written out by
hand from the clocks on the wall.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import icalendar
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from reports.publish import (
    LEAVE,
    OFF,
    PublishError,
    build_publication,
    calendar_file_names,
    check_publication,
    local_shifts,
    people_from_scenario,
    person_calendar,
    roster_grid,
    shift_uid,
)

UTC = dt.UTC
ZONES = {"dublin": "Europe/Dublin", "austin": "America/Chicago", "manila": "Asia/Manila"}
STAMP = dt.datetime(2026, 3, 20, 9, 30, tzinfo=UTC)
DATES = [dt.date(2026, 3, 23) + dt.timedelta(days=k) for k in range(14)]


def shift(
    agent: str,
    team: str,
    day: str,
    start: str,
    hours: float,
    break_after: float | None = None,
    write_in: str | None = None,
) -> dict[str, str]:
    """A roster row: ``hours`` of elapsed time from ``start`` local on ``day``, a 30-minute
    break ``break_after`` hours in; times written in ``write_in`` (default the team's zone)."""
    zone = zoneinfo.ZoneInfo(ZONES[team])
    shown = zoneinfo.ZoneInfo(write_in) if write_in else zone
    begin = dt.datetime.combine(dt.date.fromisoformat(day), dt.time.fromisoformat(start), zone)
    end = begin.astimezone(UTC) + dt.timedelta(hours=hours)
    breaks = ""
    if break_after is not None:
        b0 = begin.astimezone(UTC) + dt.timedelta(hours=break_after)
        b1 = b0 + dt.timedelta(minutes=30)
        breaks = f"{b0.astimezone(shown).isoformat()}/{b1.astimezone(shown).isoformat()}"
    return {
        "agent": agent,
        "team": team,
        "date": day,
        "start": begin.astimezone(shown).isoformat(),
        "end": end.astimezone(shown).isoformat(),
        "breaks": breaks,
    }


def sample_roster() -> pd.DataFrame:
    rows = [
        shift("Aoife", "dublin", d, "07:00", 8.5, 4)
        for d in ("2026-03-23", "2026-03-24", "2026-03-26", "2026-03-30", "2026-03-31")
    ]
    rows += [
        shift("Ciarán", "dublin", "2026-03-27", "22:00", 8, 3),  # across midnight
        shift("Ciarán", "dublin", "2026-03-28", "22:00", 8, 3),  # and across the change
        shift("Dee", "dublin", "2026-03-23", "12:00", 8),
        # Written in UTC: 14:00Z is 09:00 in Chicago (summer time since 8 March).
        shift("Eli", "austin", "2026-03-24", "09:00", 8, 4, write_in="UTC"),
        shift("Eli", "austin", "2026-03-25", "09:00", 8, 4, write_in="Asia/Tokyo"),
        shift("Rosa", "manila", "2026-03-28", "06:00", 10, 5),
        shift("Rosa", "manila", "2026-03-29", "06:00", 10, 5),
    ]
    return pd.DataFrame(rows)


def sample_people() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "person": ["Aoife", "Ciarán", "Dee", "Eli", "Rosa", "Sam"],
            "team": ["dublin", "dublin", "dublin", "austin", "manila", "manila"],
            "timezone": [ZONES[t] for t in ("dublin",) * 3 + ("austin", "manila", "manila")],
            "contract": ["30-40 h/week", None, None, None, None, None],
        }
    )


LEAVE_DATES = {"Dee": {dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)}}


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    return roster_grid(sample_roster(), sample_people(), DATES, LEAVE_DATES)


def cell(grid: pd.DataFrame, person: str, day: str) -> str:
    return str(grid.loc[grid["person"] == person, day].item())


# --------------------------------------------------------------------------- the grid


def test_grid_has_everyone_every_date_and_the_contract(grid: pd.DataFrame) -> None:
    assert list(grid.columns[:3]) == ["person", "team", "contract"]
    assert list(grid.columns[3:]) == [d.isoformat() for d in DATES]
    assert grid["person"].tolist() == ["Aoife", "Ciarán", "Dee", "Eli", "Rosa", "Sam"]
    assert grid["contract"].tolist() == ["30-40 h/week", "", "", "", "", ""]
    # Sam works nothing and still has a row of days off.
    assert set(grid.loc[grid["person"] == "Sam", grid.columns[3:]].iloc[0]) == {OFF}


@pytest.mark.parametrize(
    ("person", "day", "expected"),
    [
        ("Aoife", "2026-03-23", "07:00-15:30"),  # Dublin in winter time, UTC+0
        ("Aoife", "2026-03-30", "07:00-15:30"),  # and after the change, UTC+1
        ("Aoife", "2026-03-25", OFF),
        ("Ciarán", "2026-03-27", "22:00-06:00"),  # ends after midnight
        ("Ciarán", "2026-03-28", "22:00-07:00"),  # 8 h through the lost hour
        ("Ciarán", "2026-03-29", OFF),  # the night shift belongs to the day it starts
        ("Dee", "2026-03-23", "12:00-20:00"),
        ("Dee", "2026-03-30", LEAVE),
        ("Dee", "2026-04-01", LEAVE),
        ("Dee", "2026-04-02", OFF),
        ("Eli", "2026-03-24", "09:00-17:00"),  # written in UTC
        ("Eli", "2026-03-25", "09:00-17:00"),  # written in Tokyo time
        ("Rosa", "2026-03-28", "06:00-16:00"),
    ],
)
def test_grid_cells_are_the_local_times(
    grid: pd.DataFrame, person: str, day: str, expected: str
) -> None:
    assert cell(grid, person, day) == expected


def test_grid_cells_equal_every_shift_of_the_roster(grid: pd.DataFrame) -> None:
    roster = sample_roster()
    for rec in roster.itertuples(index=False):
        zone = zoneinfo.ZoneInfo(ZONES[rec.team])
        start = dt.datetime.fromisoformat(rec.start).astimezone(zone)
        end = dt.datetime.fromisoformat(rec.end).astimezone(zone)
        assert start.date().isoformat() == rec.date
        assert cell(grid, rec.agent, rec.date) == f"{start:%H:%M}-{end:%H:%M}"
    worked = grid[grid.columns[3:]].isin([OFF, LEAVE]).to_numpy()
    assert int((~worked).sum()) == len(roster)


def test_two_shifts_on_one_date_share_the_cell_and_dates_outside_are_added() -> None:
    roster = pd.DataFrame(
        [
            shift("Rosa", "manila", "2026-03-24", "16:00", 4),
            shift("Rosa", "manila", "2026-03-24", "07:00", 4),
            shift("Rosa", "manila", "2026-03-22", "06:00", 8),  # the day before the dates
        ]
    )
    people = sample_people().iloc[[4]]
    grid = roster_grid(roster, people, DATES[:3])
    assert cell(grid, "Rosa", "2026-03-24") == "07:00-11:00 / 16:00-20:00"
    assert list(grid.columns[2:]) == ["2026-03-22", "2026-03-23", "2026-03-24", "2026-03-25"]
    assert "contract" not in grid.columns  # nobody has one here


def test_the_roster_is_read_from_timestamps_too() -> None:
    roster = sample_roster()
    stamped = roster.assign(
        start=[pd.Timestamp(s) for s in roster["start"]],
        end=[pd.Timestamp(s) for s in roster["end"]],
    )
    people = sample_people()
    assert roster_grid(stamped, people, DATES).equals(roster_grid(roster, people, DATES))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": "2026-03-23T07:00:00"}, "has no UTC offset"),
        ({"start": "tomorrow+01:00"}, "is not a time"),
        ({"agent": "Zed"}, "not one of the people"),
        ({"team": "austin"}, "expected 'dublin'"),
        ({"end": "2026-03-23T06:00:00+00:00"}, "is not after start"),
        ({"breaks": "lunch"}, "is not a start/end pair"),
        ({"breaks": "25:00-25:30"}, "'25:00' is not a time of day"),
    ],
)
def test_a_roster_that_cannot_be_published_says_where(change: dict[str, str], message: str) -> None:
    roster = sample_roster()
    for key, value in change.items():
        roster.loc[0, key] = value
    with pytest.raises(PublishError, match=re.escape(message)) as caught:
        roster_grid(roster, sample_people(), DATES)
    assert "roster row 1" in str(caught.value)


def test_people_that_cannot_be_published_say_why() -> None:
    people = sample_people()
    with pytest.raises(PublishError, match="names \\['Aoife'\\] repeat"):
        roster_grid(sample_roster(), pd.concat([people, people.iloc[[0]]]), DATES)
    with pytest.raises(PublishError, match="unknown time zone 'Europe/Dubln'"):
        roster_grid(sample_roster(), people.replace("Europe/Dublin", "Europe/Dubln"), DATES)
    with pytest.raises(PublishError, match="columns \\['timezone'\\] are missing"):
        roster_grid(sample_roster(), people.drop(columns="timezone"), DATES)


# --------------------------------------------------------------------------- calendars


def parse(data: bytes) -> icalendar.Calendar:
    return icalendar.Calendar.from_ical(data)


def test_every_calendar_parses_and_its_events_are_the_shifts() -> None:
    roster, people = sample_roster(), sample_people()
    publication = build_publication(roster, people, DATES, LEAVE_DATES, title="t", stamp=STAMP)
    for person, team, zone in people[["person", "team", "timezone"]].itertuples(index=False):
        cal = parse(publication.files[publication.calendar_files[person]])
        events = sorted(cal.walk("VEVENT"), key=lambda e: e.decoded("dtstart"))
        mine = roster[roster["agent"] == person]
        expected = sorted(
            (pd.Timestamp(s).to_pydatetime(), pd.Timestamp(e).to_pydatetime())
            for s, e in zip(mine["start"], mine["end"], strict=True)
        )
        # Aware datetimes compare as instants, whatever offset the roster wrote.
        assert [(e.decoded("dtstart"), e.decoded("dtend")) for e in events] == expected
        for event in events:
            start, end = event.decoded("dtstart"), event.decoded("dtend")
            assert event["dtstart"].params["TZID"] == zone
            assert getattr(start.tzinfo, "key", None) == zone
            assert str(event["summary"]) == f"Shift {start:%H:%M}-{end:%H:%M} ({team})"
            assert event.decoded("dtstamp") == STAMP
        # A calendar without shifts still holds its zone: RFC 5545 wants a component.
        assert [str(t["tzid"]) for t in cal.walk("VTIMEZONE")] == [zone]
    assert str(parse(publication.files["calendars/Sam.ics"]).get("x-wr-calname")) == (
        "Shifts of Sam (manila)"
    )


def test_the_time_zone_component_places_events_right_across_the_change() -> None:
    """A calendar program reads the VTIMEZONE's rules, not our zone database: its offsets
    must equal the real ones on both sides of the change to summer time."""
    roster = sample_roster()
    data = person_calendar(roster[roster["agent"] == "Ciarán"], "Ciarán", "Europe/Dublin")
    cal = parse(data)
    rules = cal.walk("VTIMEZONE")[0].to_tz(lookup_tzid=False)  # the file's own rules
    real = zoneinfo.ZoneInfo("Europe/Dublin")
    walls = [
        e.decoded(k).replace(tzinfo=None) for e in cal.walk("VEVENT") for k in ("dtstart", "dtend")
    ]
    assert walls == [
        dt.datetime(2026, 3, 27, 22),
        dt.datetime(2026, 3, 28, 6),
        dt.datetime(2026, 3, 28, 22),
        dt.datetime(2026, 3, 29, 7),
    ]
    offsets = [w.replace(tzinfo=rules).utcoffset() for w in walls]
    assert offsets == [w.replace(tzinfo=real).utcoffset() for w in walls]
    assert offsets[-1] == dt.timedelta(hours=1) and offsets[0] == dt.timedelta(0)


def test_events_describe_the_break_and_keep_their_uid_when_republished() -> None:
    roster = sample_roster()
    aoife = roster[roster["agent"] == "Aoife"]
    first = parse(person_calendar(aoife, "Aoife", "Europe/Dublin", stamp=STAMP))
    later = parse(
        person_calendar(aoife, "Aoife", "Europe/Dublin", stamp=STAMP + dt.timedelta(days=3))
    )
    uids = [str(e["uid"]) for e in first.walk("VEVENT")]
    assert uids == [str(e["uid"]) for e in later.walk("VEVENT")]
    assert len(set(uids)) == len(uids) == 5
    monday = first.walk("VEVENT")[0]
    assert uids[0] == shift_uid("Aoife", monday.decoded("dtstart"))
    assert str(monday["summary"]) == "Shift 07:00-15:30 (dublin)"
    # A break four hours in: 11:00 local, before the change and after it.
    assert str(monday["description"]).startswith("Break 11:00-11:30.")
    assert str(first.walk("VEVENT")[3]["description"]).startswith("Break 11:00-11:30.")
    dee = roster[roster["agent"] == "Dee"]
    assert str(
        parse(person_calendar(dee, "Dee", "Europe/Dublin")).walk("VEVENT")[0]["description"]
    ).startswith("No break.")
    # The same person and start is the same UID wherever the start was written from.
    assert shift_uid("Eli", dt.datetime(2026, 3, 24, 14, tzinfo=UTC)) == shift_uid(
        "Eli", dt.datetime(2026, 3, 24, 9, tzinfo=zoneinfo.ZoneInfo("America/Chicago"))
    )


def test_breaks_written_as_local_clock_times_are_read_too() -> None:
    """Earlier rosters wrote a break as ``HH:MM-HH:MM`` on the team's wall clock: the first
    such times from the shift's start on (a night shift's break falls the next day)."""
    roster = sample_roster()
    ciaran = roster[roster["agent"] == "Ciarán"].assign(breaks=["01:00-01:30", "02:00-02:30"])
    cal = parse(person_calendar(ciaran, "Ciarán", "Europe/Dublin"))
    texts = [str(e["description"]).split("\n")[0] for e in cal.walk("VEVENT")]
    assert texts == ["Break 01:00-01:30.", "Break 02:00-02:30."]
    people = sample_people()
    iso = roster_grid(roster, people, DATES)
    clock = roster.assign(
        breaks=[
            "; ".join(
                f"{pd.Timestamp(p.split('/')[0]).tz_convert(ZONES[t]):%H:%M}-"
                f"{pd.Timestamp(p.split('/')[1]).tz_convert(ZONES[t]):%H:%M}"
                for p in b.split(";")
                if p
            )
            for b, t in zip(roster["breaks"], roster["team"], strict=True)
        ]
    )
    assert [b for b in local_shifts(clock, people)["breaks"]] == [
        b for b in local_shifts(roster, people)["breaks"]
    ]
    assert roster_grid(clock, people, DATES).equals(iso)


def test_a_person_without_shifts_gets_an_empty_calendar() -> None:
    empty = sample_roster().iloc[0:0]
    cal = parse(person_calendar(empty, "Sam", "Asia/Manila", team="manila", stamp=STAMP))
    assert cal.walk("VEVENT") == [] and str(cal["version"]) == "2.0"
    assert [str(t["tzid"]) for t in cal.walk("VTIMEZONE")] == ["Asia/Manila"]


def test_one_calendar_holds_one_persons_shifts() -> None:
    with pytest.raises(PublishError, match="other people's"):
        person_calendar(sample_roster(), "Aoife", "Europe/Dublin")


# --------------------------------------------------------------------------- file names


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("Aoife", "Aoife.ics"),
        ("Ciarán Ó Briain", "Ciarán-Ó-Briain.ics"),
        ("../../etc/passwd", "etc-passwd.ics"),
        ("..\\boot.ini", "boot.ini.ics"),
        (".hidden", "hidden.ics"),
        ("a/b\\c:d", "a-b-c-d.ics"),
        ("   ", "person.ics"),
        ("CON", "CON-person.ics"),
        ("nul.txt", "nul.txt-person.ics"),
        ('=HYPERLINK("x")', "HYPERLINK-x.ics"),
        ("\x00\x1f", "person.ics"),
        ("x" * 200, "x" * 60 + ".ics"),
    ],
)
def test_unsafe_names_give_safe_file_names(name: str, expected: str) -> None:
    assert calendar_file_names([name]) == {name: expected}


def test_names_that_would_share_a_file_are_told_apart_whatever_their_order() -> None:
    names = ["a/b", "a:b", "a-b", "Ann", "ann", "A-B"]
    files = calendar_file_names(names)
    assert len({f.casefold() for f in files.values()}) == len(names)
    assert files["a-b"] == "a-b.ics"  # already safe: keeps its plain name
    assert re.fullmatch(r"a-b-[0-9a-f]{8}\.ics", files["a/b"])
    assert calendar_file_names(reversed(names)) == files
    assert calendar_file_names(["a/b"]) == {"a/b": "a-b.ics"}


@given(st.lists(st.text(min_size=0, max_size=80), min_size=1, max_size=12, unique=True))
def test_file_names_are_always_safe_and_unique(names: list[str]) -> None:
    files = calendar_file_names(names)
    assert set(files) == set(names)
    assert len({f.casefold() for f in files.values()}) == len(names)
    for f in files.values():
        stem = f.removesuffix(".ics")
        assert f.endswith(".ics") and stem and len(stem) <= 60
        assert "/" not in f and "\\" not in f and "\x00" not in f and ".." not in f
        assert not stem.startswith(".") and not stem.endswith(".")


# --------------------------------------------------------------------------- agreement


def test_the_published_files_agree_with_the_roster() -> None:
    roster, people = sample_roster(), sample_people()
    publication = build_publication(roster, people, DATES, LEAVE_DATES, title="t", stamp=STAMP)
    assert publication.problems == []
    assert set(publication.files) == {
        "roster_grid.csv",
        "roster.xlsx",
        *(f"calendars/{p}.ics" for p in people["person"]),
    }
    # The CSV read back as text is the same grid and still agrees.
    from io import StringIO

    read = pd.read_csv(StringIO(publication.files["roster_grid.csv"].decode()), dtype=str)
    read = read.fillna("")
    assert read.equals(publication.grid.astype(str))
    calendars = {p: publication.files[f] for p, f in publication.calendar_files.items()}
    workbook = publication.files["roster.xlsx"]
    assert check_publication(roster, people, read, calendars, LEAVE_DATES, workbook) == []


def test_the_files_are_written_atomically_into_their_folders(tmp_path: Path) -> None:
    from sim import outputs

    publication = build_publication(
        sample_roster(), sample_people(), DATES, LEAVE_DATES, title="t", stamp=STAMP
    )
    outputs.write_all(
        tmp_path,
        {
            name: (lambda p, data=data: outputs.write_bytes(p, data))
            for name, data in publication.files.items()
        },
    )
    written = sorted(
        p.relative_to(tmp_path).as_posix()
        for p in tmp_path.rglob("*")
        if p.is_file() and p.name != outputs.RUN_MARKER
    )
    assert written == sorted(publication.files)  # no temporary file left behind
    assert (tmp_path / "calendars" / "Ciarán.ics").read_bytes() == publication.files[
        "calendars/Ciarán.ics"
    ]


def test_the_same_roster_and_stamp_give_the_same_files() -> None:
    args = (sample_roster(), sample_people(), DATES, LEAVE_DATES)
    one = build_publication(*args, title="t", stamp=STAMP)
    two = build_publication(*args, title="t", stamp=STAMP)
    assert one.files == two.files


def test_the_check_finds_every_kind_of_disagreement() -> None:
    roster, people = sample_roster(), sample_people()
    publication = build_publication(roster, people, DATES, LEAVE_DATES, title="t", stamp=STAMP)
    calendars = {p: publication.files[f] for p, f in publication.calendar_files.items()}
    grid = publication.grid.copy()
    grid.loc[grid["person"] == "Aoife", "2026-03-30"] = "08:00-15:30"  # moved by hand
    grid.loc[grid["person"] == "Sam", "2026-03-24"] = LEAVE  # leave nobody asked for
    grid.loc[grid["person"] == "Dee", "2026-03-31"] = OFF  # leave lost
    others = dict(calendars)
    others["Rosa"] = calendars["Eli"]  # the wrong person's calendar
    del others["Sam"]
    moved = roster.copy()
    moved.loc[5, "date"] = "2026-03-28"  # Ciarán's Friday night, dated Saturday
    leave = {**LEAVE_DATES, "Eli": {dt.date(2026, 3, 24)}}  # leave on a day Eli works
    workbook = publication.files["roster.xlsx"]  # made from the grid before the edits
    problems = check_publication(moved, people, grid, others, leave, workbook=workbook)
    text = "\n".join(problems)
    assert "grid: missing 'Aoife' on 2026-03-30 07:00-15:30" in text
    assert "grid: not in the roster: 'Aoife' on 2026-03-30 08:00-15:30" in text
    assert "'Sam' reads LEAVE on 2026-03-24" in text
    assert "'Dee' reads OFF on 2026-03-31, a leave date" in text
    assert "calendars: none for 'Sam'" in text
    assert "calendar of 'Rosa': event at" in text and "expected Asia/Manila" in text
    assert "calendar of 'Rosa': missing shift on 2026-03-28 06:00-16:00" in text
    assert "roster row 6 ('Ciarán'): date 2026-03-28 is not the local date 2026-03-27" in text
    assert "roster: 'Eli' works on 2026-03-24, a date of leave" in text
    assert "workbook: 'Aoife' on 2026-03-30 reads '07:00-15:30', grid '08:00-15:30'" in text
    assert "workbook: 'Sam' on 2026-03-24 reads 'OFF', grid 'LEAVE'" in text
    # Nothing else: Ciarán's shifts themselves still agree with the files.
    assert not any("Ciarán" in p and "calendar" in p for p in problems)


# --------------------------------------------------------------------------- from a scenario


@dataclass(frozen=True)
class Span:
    from_date: dt.date
    to: dt.date


@dataclass(frozen=True)
class Hours:
    min_hours_per_week: float
    max_hours_per_week: float


@dataclass(frozen=True)
class Person:
    name: str
    contract: Hours | None = None
    time_off: list[Span] = field(default_factory=list)
    unavailable: list[int | dt.date] = field(default_factory=list)


@dataclass(frozen=True)
class Team:
    name: str
    timezone: str
    optimize_shifts: bool
    roster: object = None


@dataclass(frozen=True)
class Horizon:
    start: dt.date
    days: int


@dataclass
class FakeScenario:
    """The attributes of ``scenarios.schema.Scenario`` the adapter reads, as plain data."""

    teams: list[Team]
    horizon: Horizon
    people: dict[str, list[Person]]

    def team_employees(self, team: Any) -> list[Person]:
        return self.people[team.name]


def test_people_leave_and_dates_from_a_scenario() -> None:
    scenario = FakeScenario(
        teams=[
            Team("fixed", "UTC", optimize_shifts=False),
            Team("dublin", "Europe/Dublin", optimize_shifts=True),
            Team("manila", "Asia/Manila", optimize_shifts=False, roster=[]),
        ],
        horizon=Horizon(dt.date(2026, 3, 23), 14),
        people={
            "fixed": [Person("f-001")],
            "dublin": [
                Person("Aoife", Hours(30, 40), [Span(dt.date(2026, 3, 30), dt.date(2026, 4, 1))]),
                Person("Ciarán", Hours(0, 20), unavailable=[6, dt.date(2026, 3, 25)]),
            ],
            "manila": [Person("manila-001"), Person("manila-002", Hours(40, 40))],
        },
    )
    people, leave, dates = people_from_scenario(scenario)
    assert people["person"].tolist() == ["Aoife", "Ciarán", "manila-001", "manila-002"]
    assert people["timezone"].tolist() == ["Europe/Dublin"] * 2 + ["Asia/Manila"] * 2
    contracts = people["contract"].fillna("").tolist()
    assert contracts == ["30-40 h/week", "up to 20 h/week", "", "40 h/week"]
    assert dates == DATES
    assert leave == {
        "Aoife": {dt.date(2026, 3, 30), dt.date(2026, 3, 31), dt.date(2026, 4, 1)},
        # Sundays of the horizon, and one date.
        "Ciarán": {dt.date(2026, 3, 29), dt.date(2026, 4, 5), dt.date(2026, 3, 25)},
    }
    chosen, _, _ = people_from_scenario(scenario, teams=["fixed"])
    assert chosen["person"].tolist() == ["f-001"]


def test_people_from_a_real_scenario() -> None:
    from conftest import BASE

    from scenarios import scenario_from_data
    from scenarios.schema import Scenario

    if not hasattr(Scenario, "team_employees"):
        pytest.skip("Scenario.team_employees (named employees) is not in this checkout yet")
    data = {**BASE, "teams": [{**BASE["teams"][0], "shifts": "optimize", "agents": 3}]}
    people, leave, dates = people_from_scenario(scenario_from_data(data))
    assert people["person"].tolist() == ["t1-001", "t1-002", "t1-003"]
    assert leave == {} and len(dates) == 7
