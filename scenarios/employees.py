"""Named employees from a CSV file: ``employees: FILE.csv`` in a scenario.

Role: the file side of the scenario's ``employees`` key.  A planner keeps the team's people
in a spreadsheet; this module reads its CSV export into the plain data the schema
(:class:`scenarios.schema.Employee`) validates, with errors naming the file, the row and
what was expected.  Nothing in a file is evaluated.

Columns: ``name`` and ``team`` (required); optional ``languages`` and ``channels`` (lists
separated by ``;`` or spaces), ``contract`` (weekly hours, ``30-40``), ``unavailable``
(weekdays or dates, ``Sun;2026-04-09``), ``time_off`` (dates or ranges,
``2026-04-08..2026-04-10;2026-05-01``), ``prefers_days_off`` (``Sat,Sun``),
``prefers_earliest_start`` and ``prefers_latest_start`` (``HH:MM``).  Empty cells mean
"not given".

Must not import ``scenarios.schema`` (which imports this module), ``sim``, ``optimizer``,
``reports`` or ``run_sim``.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pandas as pd

__all__ = ["EMPLOYEE_COLUMNS", "read_employees_file"]

REQUIRED = ("name", "team")
OPTIONAL = (
    "languages",
    "channels",
    "contract",
    "unavailable",
    "time_off",
    "prefers_days_off",
    "prefers_earliest_start",
    "prefers_latest_start",
)
EMPLOYEE_COLUMNS = REQUIRED + OPTIONAL

MAX_EMPLOYEE_FILE_BYTES = 5_000_000
"""A list of people is a short table; a larger file is refused unread."""


def _items(text: str) -> list[str]:
    return [part for part in re.split(r"[;\s]+", text.strip()) if part]


def read_employees_file(path: Path) -> list[dict[str, Any]]:
    """Read named employees from a CSV file into scenario data.

    Raises
    ------
    ValueError
        Missing or unreadable file, missing or unknown columns, an empty name or team.
    """
    where = f"employees file '{path}'"
    expected = f"a CSV with columns {', '.join(REQUIRED)} and optionally {', '.join(OPTIONAL)}"
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ValueError(
            f"{where}: file not found (expected {expected}; a relative path is read from the "
            "scenario file's folder)"
        ) from None
    except OSError as exc:
        raise ValueError(f"{where}: cannot be read ({exc.strerror})") from None
    if size > MAX_EMPLOYEE_FILE_BYTES:
        raise ValueError(f"{where}: {size:,} bytes (expected at most {MAX_EMPLOYEE_FILE_BYTES:,})")
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False, skipinitialspace=True)
    except (OSError, UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise ValueError(f"{where}: cannot be read as CSV ({exc}; expected {expected})") from None
    columns = [str(c).strip() for c in table.columns]
    table.columns = columns
    missing = [c for c in REQUIRED if c not in columns]
    if missing:
        raise ValueError(f"{where}: missing column(s) {missing} (expected {expected})")
    unknown = [c for c in columns if c not in EMPLOYEE_COLUMNS]
    if unknown:
        raise ValueError(f"{where}: unknown column(s) {unknown[:5]} (expected {expected})")
    people: list[dict[str, Any]] = []
    for number, row in enumerate(table.to_dict("records"), start=2):
        cells = {k: str(v).strip() for k, v in row.items()}
        for key in REQUIRED:
            if not cells[key]:
                raise ValueError(f"{where}, row {number}: {key} is empty (expected a value)")
        person: dict[str, Any] = {"name": cells["name"], "team": cells["team"]}
        for key in ("languages", "channels", "unavailable", "time_off"):
            if cells.get(key):
                person[key] = _items(cells[key])
        if cells.get("contract"):
            person["contract"] = cells["contract"]
        prefers = {
            key.removeprefix("prefers_"): cells[key]
            for key in ("prefers_days_off", "prefers_earliest_start", "prefers_latest_start")
            if cells.get(key)
        }
        if prefers:
            person["prefers"] = prefers
        people.append(person)
    return people
