"""A named-roster problem as plain data: who may work which shift type on which day.

:class:`RosterProblem` expresses both a support team's roster (built by
:mod:`optimizer.plan` from a schedule and the scenario's labour rules) and the Curtois-Qu
rostering benchmark (read by ``benchmarks/curtois_reader.py``).  Shapes use ``E``
employees, ``D`` days, ``S`` shift types and ``W`` weeks.  Limits that do not apply are
``numpy.inf`` (maxima) or 0 (minima).

Days carry their week (``week_of_day``, -1 for a day in no week: its shift counts for rest
and runs only) and their weekend (``weekend_of_day``: Saturday and Sunday of one weekend
share an index, -1 otherwise), so a horizon may start on any weekday.  Minimum-consecutive
rules (work runs and day-off runs) are not enforced for runs touching the first or last
day, as in the Curtois-Qu benchmark.

Must not import ``reports``, ``sim`` or ``run_sim``.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Sequence
from typing import Any

import numpy as np
import numpy.typing as npt

from optimizer.solver import OptimizerError

__all__ = ["OFF", "RosterProblem", "check_problem"]

FloatArray = npt.NDArray[np.float64]
IntArray = npt.NDArray[np.int64]
BoolArray = npt.NDArray[np.bool_]

OFF = -1
"""A day off in a plan array (shape (E, D): the shift index worked, or ``OFF``)."""


@dataclasses.dataclass(frozen=True, eq=False)
class RosterProblem:
    """A named-roster problem.  Build one with :meth:`create`.

    Attributes
    ----------
    name : str
        Label used in messages.
    days : int
        Horizon length (days).
    shift_ids : tuple[str, ...]
        Shift type identifiers, (S,).
    shift_minutes : ndarray of int, (S,)
        Paid minutes of each shift type.
    shift_start_minute : ndarray of float, (S,)
        Local start minute (0-1439) of each shift type, NaN when unknown; shift types with
        the same start count as one start time for ``start_change_weight``.
    shift_night : ndarray of bool, (S,)
        Night shift types (for ``max_night_shifts_per_week`` and fairness).
    forbidden_successors : ndarray of bool, (S, S)
        ``[s, t]``: shift type ``t`` may not be worked the day after ``s`` (minimum rest).
    week_of_day, weekend_of_day : ndarray of int, (D,)
        Week and weekend index of each day; -1 for none.
    employee_ids : tuple[str, ...]
        Employee identifiers, (E,).
    max_shifts : ndarray of float, (E, S)
        Most shifts of each type over the horizon (0 = never).
    min_minutes, max_minutes : ndarray of float, (E,)
        Least and most paid minutes over the horizon.
    min_consecutive_days, max_consecutive_days : ndarray of float, (E,)
        Least and most consecutive working days.
    min_consecutive_days_off : ndarray of float, (E,)
        Least consecutive days off.
    max_working_weekends : ndarray of float, (E,)
        Most weekends worked (a weekend is worked when either of its days is).
    days_off : ndarray of bool, (E, D)
        Days an employee cannot work (leave, unavailability).
    unavailable : ndarray of bool, (E, D, S)
        Single assignments that are forbidden.
    shift_on_weight, shift_off_weight : ndarray of float, (E, D, S)
        Penalty for not working a requested shift, and for working an unwanted one.
    max_night_shifts_per_week : ndarray of float, (E,)
    min_days_off_per_week : ndarray of float, (E,)
        Least days off in a week (a week of L < 7 days needs ``min - (7 - L)``).
    max_minutes_per_week : ndarray of float, (E,)
    min_minutes_per_week : ndarray of float, (E, W)
        Least paid minutes in each week (a contract's minimum, pro rata).
    hourly_cost : ndarray of float, (E,)
        Cost per paid hour, in the objective as ``hourly_cost * minutes / 60``.
    assignment_cost : ndarray of float, (E, D, S)
        Further cost of each single assignment.
    cover_requirement : ndarray of int, (D, S)
        Employees wanted on each shift type each day.
    cover_under_weight, cover_over_weight : ndarray of float, (D, S)
        Penalty per employee short of and above the requirement.
    start_change_weight : ndarray of float, (E,)
        Penalty per start time beyond the first in one of the employee's weeks (soft).
    single_day_off_weight : ndarray of float, (E,)
        Penalty per day off not next to another day off (soft; not at the horizon's ends).
    fairness_weight : float
        Penalty per weekend or night shift above an employee's fair share (soft).
    """

    name: str
    days: int
    shift_ids: tuple[str, ...]
    shift_minutes: IntArray
    shift_start_minute: FloatArray
    shift_night: BoolArray
    forbidden_successors: BoolArray
    week_of_day: IntArray
    weekend_of_day: IntArray
    employee_ids: tuple[str, ...]
    max_shifts: FloatArray
    min_minutes: FloatArray
    max_minutes: FloatArray
    min_consecutive_days: FloatArray
    max_consecutive_days: FloatArray
    min_consecutive_days_off: FloatArray
    max_working_weekends: FloatArray
    days_off: BoolArray
    unavailable: BoolArray
    shift_on_weight: FloatArray
    shift_off_weight: FloatArray
    max_night_shifts_per_week: FloatArray
    min_days_off_per_week: FloatArray
    max_minutes_per_week: FloatArray
    min_minutes_per_week: FloatArray
    hourly_cost: FloatArray
    assignment_cost: FloatArray
    cover_requirement: IntArray
    cover_under_weight: FloatArray
    cover_over_weight: FloatArray
    start_change_weight: FloatArray
    single_day_off_weight: FloatArray
    fairness_weight: float = 0.0

    def __post_init__(self) -> None:
        check_problem(self)
        object.__setattr__(self, "_memo", {})

    def _memoised(self, key: str, make: Any) -> Any:
        memo: dict[str, Any] = self._memo  # type: ignore[attr-defined]
        if key not in memo:
            memo[key] = make()
        return memo[key]

    @property
    def n_employees(self) -> int:
        """``E``."""
        return len(self.employee_ids)

    @property
    def n_shifts(self) -> int:
        """``S``."""
        return len(self.shift_ids)

    @property
    def n_weeks(self) -> int:
        """``W``: weeks with at least one day."""
        return int(self.week_of_day.max(initial=-1)) + 1

    def week_days(self) -> list[list[int]]:
        """The days of each week."""

        def make() -> list[list[int]]:
            out: list[list[int]] = [[] for _ in range(self.n_weeks)]
            for d, w in enumerate(self.week_of_day):
                if w >= 0:
                    out[int(w)].append(d)
            return out

        return self._memoised("weeks", make)

    def weekends(self) -> list[list[int]]:
        """The days of each weekend inside the horizon."""

        def make() -> list[list[int]]:
            n = int(self.weekend_of_day.max(initial=-1)) + 1
            out: list[list[int]] = [[] for _ in range(n)]
            for d, k in enumerate(self.weekend_of_day):
                if k >= 0:
                    out[int(k)].append(d)
            return [w for w in out if w]

        return self._memoised("weekends", make)

    def only(self, e: int) -> RosterProblem:
        """The problem of employee ``e`` alone (the cover as it is)."""
        return dataclasses.replace(
            self,
            employee_ids=(self.employee_ids[e],),
            **{name: getattr(self, name)[e : e + 1] for name in PER_EMPLOYEE_FIELDS},
        )

    def allowed(self) -> BoolArray:
        """(E, D, S): assignments not excluded by days off, unavailability or a zero cap."""
        mask = ~np.asarray(self.unavailable, dtype=bool)
        mask &= ~np.asarray(self.days_off, dtype=bool)[:, :, None]
        mask &= (np.asarray(self.max_shifts) > 0)[:, None, :]
        return mask

    def start_groups(self) -> IntArray:
        """(S,): index of each shift type's start time (shift types of one start share it;
        a shift type with no known start is its own)."""

        def make() -> IntArray:
            keys: dict[float | str, int] = {}
            out = np.zeros(self.n_shifts, dtype=np.int64)
            for s, minute in enumerate(self.shift_start_minute):
                key: float | str = float(minute) if math.isfinite(minute) else f"shift{s}"
                out[s] = keys.setdefault(key, len(keys))
            return out

        return self._memoised("starts", make)

    @classmethod
    def create(
        cls,
        *,
        days: int,
        shift_ids: Sequence[str],
        shift_minutes: npt.ArrayLike,
        employee_ids: Sequence[str],
        cover_requirement: npt.ArrayLike,
        name: str = "roster",
        first_weekday: int = 0,
        fairness_weight: float = 0.0,
        **optional: npt.ArrayLike,
    ) -> RosterProblem:
        """Build a problem, filling every field not given with "no rule".

        Parameters
        ----------
        days : int
            Horizon length (days).
        shift_ids : Sequence[str]
            Shift type identifiers.
        shift_minutes : array_like, (S,)
            Paid minutes per shift type.
        employee_ids : Sequence[str]
            Employee identifiers.
        cover_requirement : array_like, (D, S)
            Employees wanted per day and shift type.
        name : str, default "roster"
            Label used in messages.
        first_weekday : int, default 0
            Weekday of day 0 (Monday 0), for the default weeks (7-day blocks from day 0)
            and weekends when ``week_of_day`` / ``weekend_of_day`` are not given.
        fairness_weight : float, default 0
            See :class:`RosterProblem`.
        **optional : array_like
            Any other field by name; scalars broadcast to the field's shape.

        Returns
        -------
        RosterProblem

        Raises
        ------
        OptimizerError
            On an unknown field or a shape that cannot broadcast.
        """
        n_e, n_s, n_d = len(employee_ids), len(shift_ids), int(days)
        weekday = (np.arange(n_d) + first_weekday) % 7
        default_weeks = np.arange(n_d) // 7
        saturday_index = (np.arange(n_d) + first_weekday - 5) // 7
        default_weekends = np.where(
            weekday >= 5, saturday_index - saturday_index.min(initial=0), -1
        )
        weeks = np.asarray(optional.pop("week_of_day", default_weeks), dtype=np.int64)
        n_w = int(weeks.max(initial=-1)) + 1
        shapes: dict[str, tuple[tuple[int, ...], Any, float | bool]] = {
            "shift_start_minute": ((n_s,), np.float64, math.nan),
            "shift_night": ((n_s,), np.bool_, False),
            "forbidden_successors": ((n_s, n_s), np.bool_, False),
            "weekend_of_day": ((n_d,), np.int64, -1),
            "max_shifts": ((n_e, n_s), np.float64, math.inf),
            "min_minutes": ((n_e,), np.float64, 0.0),
            "max_minutes": ((n_e,), np.float64, math.inf),
            "min_consecutive_days": ((n_e,), np.float64, 0.0),
            "max_consecutive_days": ((n_e,), np.float64, math.inf),
            "min_consecutive_days_off": ((n_e,), np.float64, 0.0),
            "max_working_weekends": ((n_e,), np.float64, math.inf),
            "days_off": ((n_e, n_d), np.bool_, False),
            "unavailable": ((n_e, n_d, n_s), np.bool_, False),
            "shift_on_weight": ((n_e, n_d, n_s), np.float64, 0.0),
            "shift_off_weight": ((n_e, n_d, n_s), np.float64, 0.0),
            "max_night_shifts_per_week": ((n_e,), np.float64, math.inf),
            "min_days_off_per_week": ((n_e,), np.float64, 0.0),
            "max_minutes_per_week": ((n_e,), np.float64, math.inf),
            "min_minutes_per_week": ((n_e, n_w), np.float64, 0.0),
            "hourly_cost": ((n_e,), np.float64, 0.0),
            "assignment_cost": ((n_e, n_d, n_s), np.float64, 0.0),
            "cover_under_weight": ((n_d, n_s), np.float64, 1.0),
            "cover_over_weight": ((n_d, n_s), np.float64, 0.0),
            "start_change_weight": ((n_e,), np.float64, 0.0),
            "single_day_off_weight": ((n_e,), np.float64, 0.0),
        }
        unknown = sorted(set(optional) - set(shapes))
        if unknown:
            raise OptimizerError(
                f"roster '{name}': unknown field(s) {unknown} (expected one of {sorted(shapes)})"
            )
        if "weekend_of_day" not in optional:
            optional["weekend_of_day"] = default_weekends
        values: dict[str, Any] = {}
        for key, (shape, dtype, default) in shapes.items():
            raw = optional.get(key, default)
            try:
                values[key] = np.broadcast_to(np.asarray(raw, dtype=dtype), shape).copy()
            except ValueError as exc:
                got = np.shape(np.asarray(raw))
                raise OptimizerError(
                    f"roster '{name}': {key} has shape {got} (expected {shape} or a scalar)"
                ) from exc
        return cls(
            name=name,
            days=n_d,
            shift_ids=tuple(shift_ids),
            shift_minutes=np.asarray(shift_minutes, dtype=np.int64).copy(),
            week_of_day=weeks.copy(),
            employee_ids=tuple(employee_ids),
            cover_requirement=np.asarray(cover_requirement, dtype=np.int64).copy(),
            fairness_weight=float(fairness_weight),
            **values,
        )


PER_EMPLOYEE_FIELDS = (
    "max_shifts",
    "min_minutes",
    "max_minutes",
    "min_consecutive_days",
    "max_consecutive_days",
    "min_consecutive_days_off",
    "max_working_weekends",
    "days_off",
    "unavailable",
    "shift_on_weight",
    "shift_off_weight",
    "max_night_shifts_per_week",
    "min_days_off_per_week",
    "max_minutes_per_week",
    "min_minutes_per_week",
    "hourly_cost",
    "assignment_cost",
    "start_change_weight",
    "single_day_off_weight",
)
"""Fields whose first axis is the employee."""

_NON_NEGATIVE = (
    "shift_minutes",
    "max_shifts",
    "min_minutes",
    "max_minutes",
    "min_consecutive_days",
    "max_consecutive_days",
    "min_consecutive_days_off",
    "max_working_weekends",
    "shift_on_weight",
    "shift_off_weight",
    "max_night_shifts_per_week",
    "min_days_off_per_week",
    "max_minutes_per_week",
    "min_minutes_per_week",
    "hourly_cost",
    "cover_requirement",
    "cover_under_weight",
    "cover_over_weight",
    "start_change_weight",
    "single_day_off_weight",
)


def check_problem(p: RosterProblem) -> None:
    """Check shapes and values of a roster problem.

    Raises
    ------
    OptimizerError
        Naming the field, the shape or value found and what was expected.
    """
    n_e, n_d, n_s = len(p.employee_ids), p.days, len(p.shift_ids)
    if n_d < 1:
        raise OptimizerError(f"roster '{p.name}': days is {n_d} (expected at least 1)")
    for label, ids in (("shift_ids", p.shift_ids), ("employee_ids", p.employee_ids)):
        if len(set(ids)) != len(ids):
            repeated = sorted({i for i in ids if ids.count(i) > 1})
            raise OptimizerError(
                f"roster '{p.name}': {label} repeats {repeated[:3]} (expected unique IDs)"
            )
    n_w = p.n_weeks
    expected = {
        "shift_minutes": (n_s,),
        "shift_start_minute": (n_s,),
        "shift_night": (n_s,),
        "forbidden_successors": (n_s, n_s),
        "week_of_day": (n_d,),
        "weekend_of_day": (n_d,),
        "max_shifts": (n_e, n_s),
        "days_off": (n_e, n_d),
        "unavailable": (n_e, n_d, n_s),
        "shift_on_weight": (n_e, n_d, n_s),
        "shift_off_weight": (n_e, n_d, n_s),
        "min_minutes_per_week": (n_e, n_w),
        "assignment_cost": (n_e, n_d, n_s),
        "cover_requirement": (n_d, n_s),
        "cover_under_weight": (n_d, n_s),
        "cover_over_weight": (n_d, n_s),
    }
    for key in (
        "min_minutes",
        "max_minutes",
        "min_consecutive_days",
        "max_consecutive_days",
        "min_consecutive_days_off",
        "max_working_weekends",
        "max_night_shifts_per_week",
        "min_days_off_per_week",
        "max_minutes_per_week",
        "hourly_cost",
        "start_change_weight",
        "single_day_off_weight",
    ):
        expected[key] = (n_e,)
    for key, shape in expected.items():
        got = np.shape(getattr(p, key))
        if got != shape:
            raise OptimizerError(f"roster '{p.name}': {key} has shape {got} (expected {shape})")
    for key in _NON_NEGATIVE:
        arr = np.asarray(getattr(p, key), dtype=np.float64)
        if np.isnan(arr).any() or (arr < 0).any():
            raise OptimizerError(
                f"roster '{p.name}': {key} has a negative or NaN value (expected >= 0)"
            )
    for key in ("cover_under_weight", "cover_over_weight", "hourly_cost", "assignment_cost"):
        if not np.isfinite(np.asarray(getattr(p, key))).all():
            raise OptimizerError(f"roster '{p.name}': {key} must be finite (expected a cost)")
    if not math.isfinite(p.fairness_weight) or p.fairness_weight < 0:
        raise OptimizerError(
            f"roster '{p.name}': fairness_weight is {p.fairness_weight} (expected >= 0)"
        )
    bad = np.flatnonzero(np.asarray(p.min_minutes) > np.asarray(p.max_minutes))
    if bad.size:
        e = int(bad[0])
        raise OptimizerError(
            f"roster '{p.name}': employee '{p.employee_ids[e]}' has min_minutes "
            f"{p.min_minutes[e]:g} above max_minutes {p.max_minutes[e]:g} (expected min <= max)"
        )
