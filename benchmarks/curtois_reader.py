"""Reader of the Curtois-Qu employee shift scheduling benchmark text format.

Role: turn an instance file (sections ``SECTION_HORIZON``, ``SECTION_SHIFTS``,
``SECTION_STAFF``, ``SECTION_DAYS_OFF``, ``SECTION_SHIFT_ON_REQUESTS``,
``SECTION_SHIFT_OFF_REQUESTS``, ``SECTION_COVER``; ``#`` starts a comment line) into a
:class:`~optimizer.roster.problem.RosterProblem`, the product's own roster problem, so the
benchmark runs the roster solver ``optimize`` uses.  A malformed file raises
:class:`~optimizer.solver.OptimizerError` naming the file, the line, what was found and what
was expected.  Day 0 is a Monday; weeks are 7-day blocks from it.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np

from optimizer.roster.problem import RosterProblem
from optimizer.solver import OptimizerError

__all__ = ["SECTIONS", "load_curtois", "parse_curtois"]

SECTIONS = (
    "SECTION_HORIZON",
    "SECTION_SHIFTS",
    "SECTION_STAFF",
    "SECTION_DAYS_OFF",
    "SECTION_SHIFT_ON_REQUESTS",
    "SECTION_SHIFT_OFF_REQUESTS",
    "SECTION_COVER",
)
_REQUIRED = ("SECTION_HORIZON", "SECTION_SHIFTS", "SECTION_STAFF", "SECTION_COVER")

_Line = tuple[int, list[str]]


def load_curtois(path: str | Path) -> RosterProblem:
    """Read a Curtois-Qu instance file.

    Parameters
    ----------
    path : str or pathlib.Path
        The instance file (e.g. ``Instance1.txt``).

    Returns
    -------
    RosterProblem
        Named after the file's stem.

    Raises
    ------
    OptimizerError
        When the file cannot be read or is malformed.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise OptimizerError(f"Curtois file '{path}': cannot be read ({exc})") from exc
    return parse_curtois(text, source=str(path), name=path.stem)


def parse_curtois(text: str, *, source: str = "<text>", name: str = "curtois") -> RosterProblem:
    """Parse the text of a Curtois-Qu instance.

    Parameters
    ----------
    text : str
        Full file contents.
    source : str, default "<text>"
        File name used in error messages.
    name : str, default "curtois"
        Problem name.

    Returns
    -------
    RosterProblem

    Raises
    ------
    OptimizerError
        Naming ``source``, the line number, what was found and what was expected.
    """

    def fail(line: int, found: str, expected: str) -> OptimizerError:
        return OptimizerError(
            f"Curtois file '{source}', line {line}: {found} (expected {expected})"
        )

    sections: dict[str, list[_Line]] = {}
    header_line: dict[str, int] = {}
    current: str | None = None
    for number, raw in enumerate(text.splitlines(), start=1):
        content = raw.strip()
        if not content or content.startswith("#"):
            continue
        if content.startswith("SECTION_"):
            if content not in SECTIONS:
                raise fail(number, f"unknown section '{content}'", f"one of {', '.join(SECTIONS)}")
            if content in sections:
                raise fail(number, f"section '{content}' repeated", "each section once")
            current = content
            sections[content] = []
            header_line[content] = number
            continue
        if current is None:
            raise fail(number, f"data '{content[:40]}' before any section", "a SECTION_ header")
        sections[current].append((number, [f.strip() for f in content.split(",")]))
    for sec in _REQUIRED:
        if sec not in sections:
            raise OptimizerError(
                f"Curtois file '{source}': section {sec} missing (expected sections "
                f"{', '.join(_REQUIRED)} at least)"
            )

    def integer(line: int, text: str, what: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise fail(line, f"{what} '{text}'", "a whole number") from None
        if value < 0:
            raise fail(line, f"{what} {value}", "a number >= 0")
        return value

    def fields(line: int, row: list[str], count: int, layout: str) -> list[str]:
        if len(row) != count:
            raise fail(line, f"{len(row)} comma-separated fields", f"{count}: {layout}")
        return row

    # Horizon.
    horizon = sections["SECTION_HORIZON"]
    if len(horizon) != 1 or len(horizon[0][1]) != 1:
        at = horizon[0][0] if horizon else header_line["SECTION_HORIZON"]
        raise fail(at, "SECTION_HORIZON content malformed", "a single line with the day count")
    days = integer(horizon[0][0], horizon[0][1][0], "horizon")
    if days < 1:
        raise fail(horizon[0][0], "horizon 0", "at least 1 day")

    # Shifts.
    shift_rows = sections["SECTION_SHIFTS"]
    if not shift_rows:
        raise fail(header_line["SECTION_SHIFTS"], "no shift types", "at least one shift line")
    shift_ids: list[str] = []
    minutes: list[int] = []
    successors: list[tuple[int, list[str]]] = []
    for line, row in shift_rows:
        if len(row) == 2:  # the trailing comma of "no forbidden successors" is optional
            row = [*row, ""]
        sid, length, forb = fields(line, row, 3, "ShiftID, Length in mins, forbidden|successors")
        if not sid:
            raise fail(line, "an empty shift ID", "a shift ID")
        if sid in shift_ids:
            raise fail(line, f"shift '{sid}' declared twice", "unique shift IDs")
        shift_ids.append(sid)
        minutes.append(integer(line, length, f"length of shift '{sid}'"))
        successors.append((line, [t.strip() for t in forb.split("|") if t.strip()]))
    s_index = {sid: i for i, sid in enumerate(shift_ids)}

    def shift_of(line: int, sid: str) -> int:
        if sid not in s_index:
            raise fail(line, f"unknown shift '{sid}'", f"one of {', '.join(shift_ids)}")
        return s_index[sid]

    n_s = len(shift_ids)
    forbidden = np.zeros((n_s, n_s), dtype=bool)
    for s, (line, names) in enumerate(successors):
        for t in names:
            forbidden[s, shift_of(line, t)] = True

    # Staff.
    staff_rows = sections["SECTION_STAFF"]
    if not staff_rows:
        raise fail(header_line["SECTION_STAFF"], "no employees", "at least one staff line")
    layout = (
        "ID, MaxShifts, MaxTotalMinutes, MinTotalMinutes, MaxConsecutiveShifts, "
        "MinConsecutiveShifts, MinConsecutiveDaysOff, MaxWeekends"
    )
    employee_ids: list[str] = []
    staff_numbers: list[list[int]] = []
    max_shifts_rows: list[list[float]] = []
    for line, row in staff_rows:
        eid, caps, *numbers = fields(line, row, 8, layout)
        if not eid:
            raise fail(line, "an empty employee ID", "an employee ID")
        if eid in employee_ids:
            raise fail(line, f"employee '{eid}' declared twice", "unique employee IDs")
        employee_ids.append(eid)
        cap_row = [math.inf] * n_s
        for item in (c.strip() for c in caps.split("|") if c.strip()):
            sid, sep, count = item.partition("=")
            if not sep:
                raise fail(line, f"max-shifts item '{item}'", "ShiftID=count, '|' separated")
            cap_row[shift_of(line, sid.strip())] = integer(line, count.strip(), "max shifts")
        max_shifts_rows.append(cap_row)
        labels = (
            "max minutes",
            "min minutes",
            "max consecutive",
            "min consecutive",
            "min days off",
            "max weekends",
        )
        staff_numbers.append(
            [integer(line, v, lab) for v, lab in zip(numbers, labels, strict=True)]
        )
    e_index = {eid: i for i, eid in enumerate(employee_ids)}
    n_e = len(employee_ids)
    nums = np.asarray(staff_numbers, dtype=np.float64)

    def employee_of(line: int, eid: str) -> int:
        if eid not in e_index:
            raise fail(line, f"unknown employee '{eid}'", "an ID from SECTION_STAFF")
        return e_index[eid]

    def day_of(line: int, text: str) -> int:
        d = integer(line, text, "day")
        if d >= days:
            raise fail(line, f"day {d}", f"a day index 0..{days - 1}")
        return d

    # Days off.
    days_off = np.zeros((n_e, days), dtype=bool)
    for line, row in sections.get("SECTION_DAYS_OFF", []):
        if len(row) < 1 or not row[0]:
            raise fail(line, "an empty line", "EmployeeID, DayIndexes")
        e = employee_of(line, row[0])
        for text_day in row[1:]:
            if text_day:
                days_off[e, day_of(line, text_day)] = True

    # Requests.
    def requests(section: str) -> np.ndarray:
        weight = np.zeros((n_e, days, n_s), dtype=np.float64)
        for line, row in sections.get(section, []):
            eid, day_text, sid, w_text = fields(line, row, 4, "EmployeeID, Day, ShiftID, Weight")
            e, d = employee_of(line, eid), day_of(line, day_text)
            weight[e, d, shift_of(line, sid)] += integer(line, w_text, "weight")
        return weight

    on_weight = requests("SECTION_SHIFT_ON_REQUESTS")
    off_weight = requests("SECTION_SHIFT_OFF_REQUESTS")

    # Cover.
    req = np.zeros((days, n_s), dtype=np.int64)
    under = np.zeros((days, n_s), dtype=np.float64)
    over = np.zeros((days, n_s), dtype=np.float64)
    seen: dict[tuple[int, int], int] = {}
    for line, row in sections["SECTION_COVER"]:
        d_text, sid, r, wu, wo = fields(
            line, row, 5, "Day, ShiftID, Requirement, Weight for under, Weight for over"
        )
        d, s = day_of(line, d_text), shift_of(line, sid)
        if (d, s) in seen:
            raise fail(line, f"cover for day {d} shift '{sid}' repeated", "one line per pair")
        seen[d, s] = line
        req[d, s] = integer(line, r, "requirement")
        under[d, s] = integer(line, wu, "under weight")
        over[d, s] = integer(line, wo, "over weight")

    return RosterProblem.create(
        name=name,
        days=days,
        shift_ids=shift_ids,
        shift_minutes=np.asarray(minutes, dtype=np.int64),
        employee_ids=employee_ids,
        cover_requirement=req,
        forbidden_successors=forbidden,
        max_shifts=np.asarray(max_shifts_rows, dtype=np.float64),
        max_minutes=nums[:, 0],
        min_minutes=nums[:, 1],
        max_consecutive_days=nums[:, 2],
        min_consecutive_days=nums[:, 3],
        min_consecutive_days_off=nums[:, 4],
        max_working_weekends=nums[:, 5],
        days_off=days_off,
        shift_on_weight=on_weight,
        shift_off_weight=off_weight,
        cover_under_weight=under,
        cover_over_weight=over,
    )
