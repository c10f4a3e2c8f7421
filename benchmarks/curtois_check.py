"""An independent check of a Curtois-Qu roster: every hard rule, and the objective
recomputed from the roster CSV (its own tiny parser, nothing of the product's model).

Used by ``benchmarks/curtois.py`` on every roster it writes, and by the tests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

__all__ = ["check_roster"]


@dataclass
class _Instance:
    days: int = 0
    minutes: dict[str, int] = field(default_factory=dict)
    forbidden: dict[str, set[str]] = field(default_factory=dict)
    staff: dict[str, dict[str, object]] = field(default_factory=dict)
    days_off: dict[str, set[int]] = field(default_factory=dict)
    on: list[tuple[str, int, str, int]] = field(default_factory=list)
    off: list[tuple[str, int, str, int]] = field(default_factory=list)
    cover: list[tuple[int, str, int, int, int]] = field(default_factory=list)


def _read_instance(path: Path) -> _Instance:
    """Parse a Curtois-Qu file with the simplest possible code (independent of the package)."""
    inst = _Instance()
    section = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("SECTION_"):
            section = line
            continue
        f = line.split(",")
        if section == "SECTION_HORIZON":
            inst.days = int(f[0])
        elif section == "SECTION_SHIFTS":
            inst.minutes[f[0]] = int(f[1])
            inst.forbidden[f[0]] = {t for t in (f[2] if len(f) > 2 else "").split("|") if t}
        elif section == "SECTION_STAFF":
            caps = {k: int(v) for k, v in (c.split("=") for c in f[1].split("|") if c)}
            inst.staff[f[0]] = {
                "caps": caps,
                "max_min": int(f[2]),
                "min_min": int(f[3]),
                "max_cons": int(f[4]),
                "min_cons": int(f[5]),
                "min_off": int(f[6]),
                "max_wkd": int(f[7]),
            }
        elif section == "SECTION_DAYS_OFF":
            inst.days_off[f[0]] = {int(d) for d in f[1:] if d}
        elif section == "SECTION_SHIFT_ON_REQUESTS":
            inst.on.append((f[0], int(f[1]), f[2], int(f[3])))
        elif section == "SECTION_SHIFT_OFF_REQUESTS":
            inst.off.append((f[0], int(f[1]), f[2], int(f[3])))
        elif section == "SECTION_COVER":
            inst.cover.append((int(f[0]), f[1], int(f[2]), int(f[3]), int(f[4])))
    return inst


def _runs(flags: list[bool], value: bool) -> list[tuple[int, int]]:
    """(start, length) of each maximal run of ``value`` in ``flags``."""
    out, d = [], 0
    while d < len(flags):
        if flags[d] == value:
            start = d
            while d < len(flags) and flags[d] == value:
                d += 1
            out.append((start, d - start))
        else:
            d += 1
    return out


def check_roster(instance_path: Path, roster_csv: Path) -> int:
    """Assert every hard rule of the instance on the roster CSV and return its objective."""
    inst = _read_instance(instance_path)
    roster = pd.read_csv(roster_csv, dtype={"employee": str, "shift": str, "day": int})
    assert list(roster.columns) == ["employee", "day", "shift"]
    assert not roster.duplicated(["employee", "day"]).any(), "two shifts on one day"
    assert set(roster["employee"]) <= set(inst.staff)
    assert set(roster["shift"]) <= set(inst.minutes)
    assert roster["day"].between(0, inst.days - 1).all()
    plan: dict[str, dict[int, str]] = {e: {} for e in inst.staff}
    for e, d, s in roster.itertuples(index=False):
        plan[e][int(d)] = s
    n = inst.days
    for e, rules in inst.staff.items():
        days = plan[e]
        worked = [d in days for d in range(n)]
        for d in range(n - 1):
            if d in days and d + 1 in days:
                assert days[d + 1] not in inst.forbidden[days[d]], (e, d, "succession")
        caps = rules["caps"]
        assert isinstance(caps, dict)
        for s in inst.minutes:
            assert sum(1 for x in days.values() if x == s) <= caps.get(s, n), (e, s, "cap")
        total = sum(inst.minutes[s] for s in days.values())
        assert rules["min_min"] <= total <= rules["max_min"], (e, total, "minutes")  # type: ignore[operator]
        for start, length in _runs(worked, True):
            assert length <= rules["max_cons"], (e, start, "max consecutive")  # type: ignore[operator]
            if start > 0 and start + length < n:
                assert length >= rules["min_cons"], (e, start, "min consecutive")  # type: ignore[operator]
        for start, length in _runs(worked, False):
            if start > 0 and start + length < n:
                assert length >= rules["min_off"], (e, start, "min days off")  # type: ignore[operator]
        weekends = sum(
            1 for sat in range(5, n, 7) if worked[sat] or (sat + 1 < n and worked[sat + 1])
        )
        assert weekends <= rules["max_wkd"], (e, weekends, "weekends")  # type: ignore[operator]
        for d in inst.days_off.get(e, set()):
            assert d not in days, (e, d, "day off")
    objective = 0
    for e, d, s, w in inst.on:
        objective += w if plan[e].get(d) != s else 0
    for e, d, s, w in inst.off:
        objective += w if plan[e].get(d) == s else 0
    for d, s, req, w_under, w_over in inst.cover:
        staffed = sum(1 for e in plan if plan[e].get(d) == s)
        objective += w_under * max(req - staffed, 0) + w_over * max(staffed - req, 0)
    return objective
