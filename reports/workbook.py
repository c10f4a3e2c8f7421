"""``roster.xlsx``: the roster grid as a workbook people open in a spreadsheet program.

Role: write the grid of :func:`reports.roster_shifts.roster_grid` with openpyxl, one sheet
per team and a sheet "All teams": a title and a key on top, the dates and weekday names as
two header rows, frozen panes, column widths that fit, ``OFF`` and ``LEAVE`` shaded and
weekend columns shaded.  Fills are written on the cells themselves (not as conditional
formats) so every program that opens the file shows them.  User strings are written as
text, never as formulas.  Must not import simpy, pyomo, ``sim``, ``optimizer`` or
``scenarios``.
"""

from __future__ import annotations

import datetime as dt
import io
import unicodedata
import zipfile
from collections.abc import Sequence
from typing import Any

import pandas as pd
from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from reports.roster_shifts import LEAVE, OFF, date_columns, people_table

__all__ = [
    "ALL_TEAMS",
    "FIRST_ROW",
    "HEADER_ROW",
    "WEEKDAY_ROW",
    "roster_workbook",
    "sheet_names",
    "workbook_grid",
]

ALL_TEAMS = "All teams"
HEADER_ROW = 3
"""Row of the column headers (``person``, ..., ``2026-01-05``, ...)."""
WEEKDAY_ROW = 4
"""Row of the weekday names under the dates."""
FIRST_ROW = 5
"""First row of people."""
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
OFF_FILL = PatternFill("solid", fgColor="E7E6E6")
OFF_WEEKEND_FILL = PatternFill("solid", fgColor="D0D7E1")
"""A weekend day off: grey like other days off, tinted like the weekend columns."""
LEAVE_FILL = PatternFill("solid", fgColor="F8CBAD")
WEEKEND_FILL = PatternFill("solid", fgColor="DDEBF7")
HEADER_FILL = PatternFill("solid", fgColor="F2F2F2")
OFF_FONT = Font(color="595959")
LEAVE_FONT = Font(color="843C0C", bold=True)
_RULE = Side(style="thin", color="A6A6A6")
MAX_SHEET_NAME = 31
"""Longest sheet name a spreadsheet program accepts (characters)."""
_SHEET_FORBIDDEN = str.maketrans({c: "-" for c in "[]:*?/\\"})


def sheet_names(teams: Sequence[str]) -> dict[str, str]:
    """A valid, unique sheet name per team: at most 31 characters, none of ``[]:*?/\\``,
    no apostrophe at either end, not "History" (reserved) nor "All teams" (case ignored,
    as spreadsheet programs compare them)."""
    taken = {ALL_TEAMS.casefold(), "history"}
    out: dict[str, str] = {}
    for team in teams:
        base = _text(team).translate(_SHEET_FORBIDDEN).strip().strip("'").strip() or "team"
        name = base[:MAX_SHEET_NAME]
        k = 2
        while name.casefold() in taken:
            suffix = f" ({k})"
            name = base[: MAX_SHEET_NAME - len(suffix)] + suffix
            k += 1
        taken.add(name.casefold())
        out[team] = name
    return out


def _text(value: object) -> str:
    """A cell's text without the control characters XML cannot hold."""
    return ILLEGAL_CHARACTERS_RE.sub("\ufffd", "" if value is None else str(value))


def _put(ws: Worksheet, row: int, column: int, value: object) -> Any:
    """Write ``value`` as text; a name such as ``=1+1`` stays text, never a formula."""
    cell = ws.cell(row=row, column=column, value=_text(value))
    cell.data_type = "s"
    return cell


def _width(values: Sequence[str]) -> float:
    """Column width (in characters) that fits the longest value; wide East Asian
    characters count twice."""
    longest = max(
        (sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in v) for v in values),
        default=0,
    )
    return float(min(60, max(6, longest + 2)))


def _write_sheet(
    ws: Worksheet,
    grid: pd.DataFrame,
    leading: list[str],
    title: str,
    note: str,
) -> None:
    """One sheet: title, key, two header rows, one row per person, fills and panes."""
    dates = date_columns(grid.columns)
    columns = [*leading, *dates]
    weekend = {d for d in dates if dt.date.fromisoformat(d).weekday() >= 5}
    # A rule before each Monday (after the first column) marks the weeks.
    mondays = {d for d in dates[1:] if dt.date.fromisoformat(d).weekday() == 0}
    _put(ws, 1, 1, title).font = Font(bold=True, size=14)
    _put(ws, 2, 1, note).font = Font(italic=True, color="595959")
    for j, column in enumerate(columns, start=1):
        head = _put(ws, HEADER_ROW, j, column)
        head.font = Font(bold=True)
        fill = WEEKEND_FILL if column in weekend else HEADER_FILL
        head.fill = fill
        head.alignment = Alignment(horizontal="center" if column in dates else "left")
        below = _put(ws, WEEKDAY_ROW, j, "")
        if column in dates:
            below.value = WEEKDAYS[dt.date.fromisoformat(column).weekday()]
            below.alignment = Alignment(horizontal="center")
        below.font = Font(italic=True, color="595959")
        below.fill = fill
        below.border = Border(bottom=_RULE, left=_RULE if column in mondays else None)
        if column in mondays:
            head.border = Border(left=_RULE)
    for i, values in enumerate(grid[columns].itertuples(index=False), start=FIRST_ROW):
        for j, (column, value) in enumerate(zip(columns, values, strict=True), start=1):
            cell = _put(ws, i, j, value)
            if column not in dates:
                continue
            cell.alignment = Alignment(horizontal="center")
            if column in mondays:
                cell.border = Border(left=_RULE)
            if value == OFF:
                cell.fill = OFF_WEEKEND_FILL if column in weekend else OFF_FILL
                cell.font = OFF_FONT
            elif value == LEAVE:
                cell.fill, cell.font = LEAVE_FILL, LEAVE_FONT
            elif column in weekend:
                cell.fill = WEEKEND_FILL
    for j, column in enumerate(columns, start=1):
        texts = [column, *(_text(v) for v in grid[column])]
        ws.column_dimensions[get_column_letter(j)].width = _width(texts)
    # Names and the two header rows stay in view while scrolling through the dates.
    ws.freeze_panes = ws.cell(row=FIRST_ROW, column=len(leading) + 1)
    ws.print_title_rows = f"{HEADER_ROW}:{WEEKDAY_ROW}"
    ws.print_title_cols = f"A:{get_column_letter(len(leading))}"
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True


KEY = "OFF: day not worked; LEAVE: time off or unavailable; Saturdays and Sundays shaded."


def roster_workbook(
    grid: pd.DataFrame,
    people: pd.DataFrame,
    title: str,
    *,
    stamp: dt.datetime | None = None,
) -> bytes:
    """The roster grid as an ``.xlsx`` workbook.

    Parameters
    ----------
    grid : pandas.DataFrame
        :func:`reports.roster_shifts.roster_grid`: ``person``, ``team``, optionally
        ``contract``, then one ``YYYY-MM-DD`` column per date.
    people : pandas.DataFrame
        ``person``, ``team``, ``timezone``: the time zone named on each team's sheet.
    title : str
        Title written on top of every sheet (e.g. the scenario's name).
    stamp : datetime.datetime, optional
        Creation time stored in the file (default: now).  The same grid and stamp give
        the same bytes.

    Returns
    -------
    bytes
        The workbook: one sheet per team in order of first appearance (the team's people
        down, ``person`` and ``contract`` columns, dates across), then "All teams" (with
        ``team`` and ``time zone`` columns).  Row 1 is the title, row 2 the key, row 3 the
        headers, row 4 the weekday names, people from row 5.
    """
    table = people_table(people)
    zone_of_team = dict(zip(table["team"], table["timezone"], strict=False))
    grid = grid.reset_index(drop=True)
    when = (stamp or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).replace(microsecond=0)
    teams = list(pd.unique(grid["team"].astype(str)))
    names = sheet_names(teams)
    extra = ["contract"] if "contract" in grid.columns else []
    wb = Workbook()
    wb.remove(wb.active)
    for team in teams:
        part = grid[grid["team"].astype(str) == team]
        zone = zone_of_team.get(team, "")
        _write_sheet(
            wb.create_sheet(names[team]),
            part,
            ["person", *extra],
            f"{title}: roster of {team}",
            f"Times are local to {zone}. {KEY}",
        )
    everyone = grid.assign(**{"time zone": grid["team"].astype(str).map(zone_of_team).fillna("")})
    _write_sheet(
        wb.create_sheet(ALL_TEAMS),
        everyone,
        ["person", "team", "time zone", *extra],
        f"{title}: roster of all teams",
        f"Times are local to each team's time zone. {KEY}",
    )
    wb.properties.title = _text(title)
    wb.properties.creator = "supportsim"
    naive = when.replace(tzinfo=None)
    wb.properties.created = naive
    wb.properties.modified = naive
    buffer = io.BytesIO()
    # ExcelWriter rather than Workbook.save, which stamps the file with the clock.
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        ExcelWriter(wb, archive).write_data()
    return _fixed_zip_times(buffer.getvalue(), naive)


def workbook_grid(data: bytes) -> pd.DataFrame:
    """The grid a workbook shows, read back from its "All teams" sheet (as text).

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`reports.roster_shifts.roster_grid` (``time zone`` left out),
        one row per person, empty cells as ``""``.
    """
    book = load_workbook(io.BytesIO(data), read_only=True)
    rows = list(book[ALL_TEAMS].iter_rows(min_row=HEADER_ROW, values_only=True))
    book.close()
    header = ["" if v is None else str(v) for v in rows[0]]
    body = [["" if v is None else str(v) for v in row] for row in rows[FIRST_ROW - HEADER_ROW :]]
    return pd.DataFrame(body, columns=header).drop(columns="time zone")


def _fixed_zip_times(data: bytes, when: dt.datetime) -> bytes:
    """The same zip with every entry dated ``when``: openpyxl dates entries with the clock,
    which would make two writes of one roster differ."""
    stamp = (max(when.year, 1980), when.month, when.day, when.hour, when.minute, when.second)
    out = io.BytesIO()
    with (
        zipfile.ZipFile(io.BytesIO(data)) as src,
        zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst,
    ):
        for info in src.infolist():
            entry = zipfile.ZipInfo(info.filename, date_time=stamp)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = info.external_attr
            dst.writestr(entry, src.read(info.filename))
    return out.getvalue()
