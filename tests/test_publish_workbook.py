"""``roster.xlsx`` read back with openpyxl: the grid's cells, the layout people rely on
(title, key, dates with weekday names, frozen panes, widths) and the shading."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

import openpyxl
import pandas as pd
import pytest
from test_publish import DATES, LEAVE_DATES, STAMP, sample_people, sample_roster

from reports.publish import LEAVE, OFF, roster_grid, roster_workbook
from reports.workbook import (
    ALL_TEAMS,
    FIRST_ROW,
    HEADER_ROW,
    LEAVE_FILL,
    OFF_FILL,
    OFF_WEEKEND_FILL,
    WEEKDAY_ROW,
    WEEKEND_FILL,
    sheet_names,
    workbook_grid,
)


def read(data: bytes) -> Any:
    return openpyxl.load_workbook(io.BytesIO(data))


def rows_of(ws: Any, count: int) -> pd.DataFrame:
    """The people rows of a sheet as a table headed by the header row."""
    header = [c.value for c in ws[HEADER_ROW]]
    values = [
        [c.value for c in row]
        for row in ws.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + count - 1)
    ]
    return pd.DataFrame(values, columns=header).fillna("")


def same(a: pd.DataFrame, b: pd.DataFrame) -> bool:
    """Same columns and the same text in every cell (dtypes aside)."""
    return list(a.columns) == list(b.columns) and (
        a.astype(str).to_numpy().tolist() == b.astype(str).to_numpy().tolist()
    )


@pytest.fixture(scope="module")
def grid() -> pd.DataFrame:
    return roster_grid(sample_roster(), sample_people(), DATES, LEAVE_DATES)


@pytest.fixture(scope="module")
def book(grid: pd.DataFrame) -> Any:
    return read(roster_workbook(grid, sample_people(), "Spring <roster>", stamp=STAMP))


def test_one_sheet_per_team_and_all_teams(book: Any) -> None:
    assert book.sheetnames == ["dublin", "austin", "manila", ALL_TEAMS]


@pytest.mark.parametrize("team", ["dublin", "austin", "manila"])
def test_each_team_sheet_has_the_grids_cells(book: Any, grid: pd.DataFrame, team: str) -> None:
    ws = book[team]
    part = grid[grid["team"] == team].drop(columns="team").reset_index(drop=True)
    assert same(rows_of(ws, len(part)), part)
    assert ws.cell(FIRST_ROW + len(part), 1).value is None  # nobody else
    assert ws["A1"].value == f"Spring <roster>: roster of {team}"
    zone = {"dublin": "Europe/Dublin", "austin": "America/Chicago", "manila": "Asia/Manila"}
    assert ws["A2"].value.startswith(f"Times are local to {zone[team]}.")


def test_the_all_teams_sheet_has_every_cell_and_each_time_zone(
    book: Any, grid: pd.DataFrame
) -> None:
    ws = book[ALL_TEAMS]
    table = rows_of(ws, len(grid))
    assert same(
        table.drop(columns="time zone"), grid[["person", "team", "contract", *grid.columns[3:]]]
    )
    assert table["time zone"].tolist() == sample_people()["timezone"].tolist()


def test_the_grid_read_back_from_the_workbook_is_the_grid(grid: pd.DataFrame) -> None:
    data = roster_workbook(grid, sample_people(), "t", stamp=STAMP)
    assert same(workbook_grid(data), grid)


def test_dates_have_weekday_names_and_panes_are_frozen(book: Any, grid: pd.DataFrame) -> None:
    ws = book["dublin"]
    dates = [c.value for c in ws[HEADER_ROW]][2:]
    assert dates == [d.isoformat() for d in DATES]
    weekdays = [c.value for c in ws[WEEKDAY_ROW]][2:]
    assert weekdays == ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"] * 2
    # Person and contract stay on the left, both header rows on top.
    assert ws.freeze_panes == f"C{FIRST_ROW}"
    assert book[ALL_TEAMS].freeze_panes == f"E{FIRST_ROW}"
    assert ws.print_title_rows == f"${HEADER_ROW}:${WEEKDAY_ROW}"


def test_columns_are_wide_enough_for_their_text(book: Any) -> None:
    ws = book[ALL_TEAMS]
    for column in ws.iter_cols(min_row=HEADER_ROW):
        longest = max(len(str(c.value or "")) for c in column)
        assert ws.column_dimensions[column[0].column_letter].width >= longest + 1


def fill_of(cell: Any) -> str:
    return str(cell.fill.fgColor.rgb)[-6:] if cell.fill.fill_type == "solid" else ""


def colour(fill: Any) -> str:
    return str(fill.fgColor.rgb)[-6:]


def test_off_leave_and_weekends_are_shaded(book: Any) -> None:
    ws = book["dublin"]
    header = [c.value for c in ws[HEADER_ROW]]
    seen = set()
    for row in ws.iter_rows(min_row=FIRST_ROW, max_row=FIRST_ROW + 2):
        for column, c in zip(header, row, strict=True):
            if column in ("person", "contract"):
                continue
            weekend = dt.date.fromisoformat(column).weekday() >= 5
            if c.value == LEAVE:
                expected = colour(LEAVE_FILL)
            elif c.value == OFF:
                expected = colour(OFF_WEEKEND_FILL if weekend else OFF_FILL)
            else:
                expected = colour(WEEKEND_FILL) if weekend else ""
            assert fill_of(c) == expected, (column, c.value)
            seen.add((c.value in (OFF, LEAVE) and c.value) or ("shift", weekend))
    # The sample has all four kinds: a shift on a weekday and at a weekend, OFF, LEAVE.
    assert seen == {OFF, LEAVE, ("shift", False), ("shift", True)}
    saturday = header.index("2026-03-28") + 1
    assert fill_of(ws.cell(HEADER_ROW, saturday)) == colour(WEEKEND_FILL)
    assert fill_of(ws.cell(WEEKDAY_ROW, saturday)) == colour(WEEKEND_FILL)


def test_names_are_text_never_formulas() -> None:
    roster = sample_roster()
    people = sample_people()
    people.loc[5, "person"] = '=HYPERLINK("http://example.invalid","x")'
    people.loc[4, "team"] = people.loc[5, "team"] = "manila: [night]/*?"
    roster.loc[roster["team"] == "manila", "team"] = "manila: [night]/*?"
    grid = roster_grid(roster, people, DATES)
    book = read(roster_workbook(grid, people, "=1+1", stamp=STAMP))
    assert book.sheetnames == ["dublin", "austin", "manila- -night----", ALL_TEAMS]
    ws = book["manila- -night----"]
    cell = ws.cell(FIRST_ROW + 1, 1)
    assert cell.value == people.loc[5, "person"] and cell.data_type == "s"
    assert ws["A1"].data_type == "s"


def test_sheet_names_are_valid_and_unique() -> None:
    names = sheet_names(["All Teams", "history", "x" * 40, "x" * 40 + "y", "'quoted'", ""])
    assert list(names.values()) == [
        "All Teams (2)",
        "history (2)",
        "x" * 31,
        "x" * 27 + " (2)",
        "quoted",
        "team",
    ]


def test_the_same_grid_and_stamp_give_the_same_bytes(grid: pd.DataFrame) -> None:
    one = roster_workbook(grid, sample_people(), "t", stamp=STAMP)
    two = roster_workbook(grid, sample_people(), "t", stamp=STAMP)
    assert one == two
    assert read(one).properties.created == STAMP.replace(tzinfo=None)
