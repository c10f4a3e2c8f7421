"""Staffing from queueing formulas: the smallest head count that meets a service-level goal.

Role: the inverse of :mod:`sim.queueing` (Erlang C, Erlang A, probability of waiting), which
``optimizer`` turns into per-interval agent requirements. Each search starts at the least
head count the occupancy cap allows and walks upward by the Erlang B recursion, so it is
exact and needs no tolerance. Vectorised over numpy arrays like :mod:`sim.queueing`, whose
units and input checks it shares.

Must not import: ``simpy``, ``pyomo``, or any other supportsim package (``scenarios``,
``optimizer``, ``reports``, the rest of ``sim`` but :mod:`sim.queueing`). Only numpy and
scipy.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray

from sim.queueing import (
    FloatArray,
    IntArray,
    Scalar,
    _as_float,
    _erlang_a_flat,
    _erlang_b_flat,
    _erlang_c_from_b,
    _finish_int,
)

__all__ = ["staff_erlang_a", "staff_erlang_c", "staff_for_wait_probability"]

# meets(element indices, trial server counts, Erlang B at those counts) -> passes?
_Criterion = Callable[[IntArray, FloatArray, FloatArray], NDArray[np.bool_]]

# Occupancy caps are compared with this relative slack so that, e.g., load 8.5 with a cap
# of 0.85 accepts 10 agents although 8.5 / 0.85 is 10.000000000000002 in floating point.
_OCCUPANCY_RTOL: Final = 1e-12

# Safety net for the staffing searches (doubling strides): they terminate mathematically
# (service level tends to 1 and occupancy to 0 as agents are added); this guards bugs.
_MAX_SEARCH_STEPS: Final = 40


def _min_agents_for_occupancy(load: FloatArray, max_occupancy: FloatArray) -> IntArray:
    """Smallest c with ``load / c <= max_occupancy`` (with a relative slack of 1e-12)."""
    return np.ceil(load / (max_occupancy * (1.0 + _OCCUPANCY_RTOL))).astype(np.int64)


def _advance_blocking(
    blocking: FloatArray, load: FloatArray, servers: IntArray, steps: IntArray
) -> FloatArray:
    """Erlang B at ``servers + steps`` from Erlang B at ``servers`` (element-wise)."""
    out = blocking.copy()
    for j in range(int(steps.max()) if steps.size else 0):
        move = j < steps
        ab = load[move] * out[move]
        out[move] = ab / (servers[move] + j + 1 + ab)
    return out


def _search_upward(start: IntArray, load: FloatArray, meets: _Criterion) -> IntArray:
    """Smallest ``c >= start`` (per element) for which ``meets`` holds.

    ``meets(index, c, blocking)`` receives the element indices still searching, their
    trial ``c`` (float array) and Erlang B at that ``c``, and returns a boolean array; it
    must be monotone in ``c`` (false, then true from some ``c`` on) and every ``c < start``
    must fail. Gallops upward with doubling strides, then bisects the last stride, so a
    requirement far above ``start`` costs O(log) evaluations of ``meets``; Erlang B is
    carried along by its recursion.
    """
    n = start.size
    low = start - 1  # largest server count known to fail
    high = np.full(n, -1, dtype=np.int64)  # smallest known to pass (-1: none yet)
    trial = start.copy()
    blocking_trial = _erlang_b_flat(trial, load)
    blocking_low = np.full(n, np.nan)  # Erlang B at ``low`` once ``low`` has been tried
    stride = np.ones(n, dtype=np.int64)
    pending = np.arange(n)
    for _ in range(_MAX_SEARCH_STEPS):  # gallop
        if pending.size == 0:
            break
        ok = meets(pending, trial[pending].astype(np.float64), blocking_trial[pending])
        high[pending[ok]] = trial[pending[ok]]
        pending = pending[~ok]
        low[pending] = trial[pending]
        blocking_low[pending] = blocking_trial[pending]
        blocking_trial[pending] = _advance_blocking(
            blocking_trial[pending], load[pending], trial[pending], stride[pending]
        )
        trial[pending] += stride[pending]
        stride[pending] *= 2
    else:
        raise RuntimeError(f"staffing search did not converge (largest load {load.max():g})")
    pending = np.flatnonzero(high - low > 1)
    while pending.size:  # bisect between a failing ``low`` and a passing ``high``
        mid = (low[pending] + high[pending]) // 2
        blocking_mid = _advance_blocking(
            blocking_low[pending], load[pending], low[pending], mid - low[pending]
        )
        ok = meets(pending, mid.astype(np.float64), blocking_mid)
        high[pending[ok]] = mid[ok]
        low[pending[~ok]] = mid[~ok]
        blocking_low[pending[~ok]] = blocking_mid[~ok]
        pending = pending[high[pending] - low[pending] > 1]
    return high


@overload
def staff_erlang_c(
    arrival_rate: Scalar,
    mean_handle: Scalar,
    target: Scalar,
    goal: Scalar,
    max_occupancy: Scalar = 1.0,
) -> int: ...
@overload
def staff_erlang_c(
    arrival_rate: ArrayLike,
    mean_handle: ArrayLike,
    target: ArrayLike,
    goal: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
) -> IntArray: ...
def staff_erlang_c(
    arrival_rate: ArrayLike,
    mean_handle: ArrayLike,
    target: ArrayLike,
    goal: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
) -> int | IntArray:
    """Agents needed per interval for an Erlang C service-level goal.

    Parameters
    ----------
    arrival_rate : float or array_like
        Arrival rate per time unit, typically one value per interval; finite, >= 0.
    mean_handle : float or array_like
        Mean handle time, in the time unit; > 0.
    target : float or array_like
        Answer-time threshold, in the time unit; >= 0 (``inf`` allowed).
    goal : float or array_like
        Required service level P(W <= target), in (0, 1).
    max_occupancy : float or array_like, default 1.0
        Cap on occupancy ``load / c``, in (0, 1].

    Returns
    -------
    int or numpy.ndarray of int64
        Smallest ``c`` with ``c > load``, ``erlang_c_service_level(c, ...) >= goal`` and
        ``load / c <= max_occupancy``; 0 where ``arrival_rate == 0``.

    Examples
    --------
    Erlang-for-Excel manual, ``=Agents(0.85; 15; 100; 180)`` (rates per second):

    >>> staff_erlang_c(100 / 3600, 180.0, 15.0, 0.85)
    8
    """
    lam = _as_float("arrival_rate", arrival_rate)
    h = _as_float("mean_handle", mean_handle, low=0.0, low_inclusive=False)
    t = _as_float("target", target, allow_inf=True)
    g = _as_float("goal", goal, low_inclusive=False, high=1.0, high_inclusive=False)
    occ = _as_float("max_occupancy", max_occupancy, low_inclusive=False, high=1.0)
    arrays = np.broadcast_arrays(lam, h, t, g, occ)
    shape = arrays[0].shape
    lam_f, h_f, t_f, g_f, occ_f = (x.ravel() for x in arrays)
    result = np.zeros(lam_f.size, dtype=np.int64)
    busy = np.flatnonzero(lam_f > 0)
    if busy.size:
        load = lam_f[busy] * h_f[busy]
        ratio = t_f[busy] / h_f[busy]
        goal_b = g_f[busy]
        start = np.maximum(
            np.floor(load).astype(np.int64) + 1, _min_agents_for_occupancy(load, occ_f[busy])
        )

        def meets(idx: IntArray, c: FloatArray, b: FloatArray) -> NDArray[np.bool_]:
            c_wait = _erlang_c_from_b(c, load[idx], b)
            with np.errstate(invalid="ignore", over="ignore"):
                level = 1.0 - c_wait * np.exp(-(c - load[idx]) * ratio[idx])
            return level >= goal_b[idx]

        result[busy] = _search_upward(start, load, meets)
    return _finish_int(result.reshape(shape))


@overload
def staff_erlang_a(
    arrival_rate: Scalar,
    mean_handle: Scalar,
    mean_patience: Scalar,
    target: Scalar,
    goal: Scalar,
    max_occupancy: Scalar = 1.0,
) -> int: ...
@overload
def staff_erlang_a(
    arrival_rate: ArrayLike,
    mean_handle: ArrayLike,
    mean_patience: ArrayLike,
    target: ArrayLike,
    goal: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
) -> IntArray: ...
def staff_erlang_a(
    arrival_rate: ArrayLike,
    mean_handle: ArrayLike,
    mean_patience: ArrayLike,
    target: ArrayLike,
    goal: ArrayLike,
    max_occupancy: ArrayLike = 1.0,
) -> int | IntArray:
    """Agents needed per interval for an Erlang A (M/M/c+M) service-level goal.

    Parameters
    ----------
    arrival_rate : float or array_like
        Arrival rate per time unit, typically one value per interval; finite, >= 0.
    mean_handle : float or array_like
        Mean handle time, in the time unit; > 0.
    mean_patience : float or array_like
        Mean patience before abandoning, in the time unit; > 0 (``inf``: Erlang C).
    target : float or array_like
        Answer-time threshold, in the time unit; >= 0 (``inf`` allowed).
    goal : float or array_like
        Required service level P(answered and W <= target), in (0, 1); abandoned
        arrivals count as misses.
    max_occupancy : float or array_like, default 1.0
        Cap on occupancy, in (0, 1]. Occupancy here is the *carried* load per agent,
        ``arrival_rate (1 - p_abandon) mean_handle / c`` (what agents actually work), which
        is below the offered ``load / c`` used by :func:`staff_erlang_c`.

    Returns
    -------
    int or numpy.ndarray of int64
        Smallest ``c`` meeting both the goal and the occupancy cap; 0 where
        ``arrival_rate == 0``. May be below the offered load: abandonment keeps the
        queue stable.
    """
    lam = _as_float("arrival_rate", arrival_rate)
    h = _as_float("mean_handle", mean_handle, low=0.0, low_inclusive=False)
    pat = _as_float("mean_patience", mean_patience, low=0.0, low_inclusive=False, allow_inf=True)
    t = _as_float("target", target, allow_inf=True)
    g = _as_float("goal", goal, low_inclusive=False, high=1.0, high_inclusive=False)
    occ = _as_float("max_occupancy", max_occupancy, low_inclusive=False, high=1.0)
    arrays = np.broadcast_arrays(lam, h, pat, t, g, occ)
    shape = arrays[0].shape
    lam_f, h_f, pat_f, t_f, g_f, occ_f = (x.ravel() for x in arrays)
    result = np.zeros(lam_f.size, dtype=np.int64)
    busy = np.flatnonzero(lam_f > 0)
    if busy.size:
        lam_b, h_b, pat_b, t_b = lam_f[busy], h_f[busy], pat_f[busy], t_f[busy]
        goal_b, occ_b = g_f[busy], occ_f[busy]
        load = lam_b * h_b
        # Service level <= 1 - p_abandon = carried / load <= c / load, so c >= goal * load.
        start = np.maximum(np.floor(goal_b * load).astype(np.int64), 1)
        # Infinite patience is Erlang C, which also needs c > load.
        start = np.where(
            np.isinf(pat_b), np.maximum(start, np.floor(load).astype(np.int64) + 1), start
        )

        def meets(idx: IntArray, c: FloatArray, b: FloatArray) -> NDArray[np.bool_]:
            res = _erlang_a_flat(
                c.astype(np.int64),
                lam_b[idx],
                h_b[idx],
                pat_b[idx],
                t_b[idx],
                blocking=b,
                with_wait_served=False,
            )
            within_cap = res.occupancy <= occ_b[idx] * (1.0 + _OCCUPANCY_RTOL)
            return (res.service_level >= goal_b[idx]) & within_cap

        result[busy] = _search_upward(start, load, meets)
    return _finish_int(result.reshape(shape))


@overload
def staff_for_wait_probability(
    arrival_rate: Scalar, mean_handle: Scalar, max_p_wait: Scalar
) -> int: ...
@overload
def staff_for_wait_probability(
    arrival_rate: ArrayLike, mean_handle: ArrayLike, max_p_wait: ArrayLike
) -> IntArray: ...
def staff_for_wait_probability(
    arrival_rate: ArrayLike, mean_handle: ArrayLike, max_p_wait: ArrayLike
) -> int | IntArray:
    """Agents needed so that the Erlang C probability of waiting is at most a bound.

    Parameters
    ----------
    arrival_rate : float or array_like
        Arrival rate per time unit, typically one value per interval; finite, >= 0.
    mean_handle : float or array_like
        Mean handle time, in the time unit; > 0.
    max_p_wait : float or array_like
        Upper bound on P(W > 0), in (0, 1).

    Returns
    -------
    int or numpy.ndarray of int64
        Smallest ``c >= 1`` with ``erlang_c(c, load) <= max_p_wait`` where
        ``arrival_rate > 0``, and 0 where ``arrival_rate == 0``.

    Notes
    -----
    Convention of the published Anonymous Bank answer (Miller 2015, ch. 6, which counts
    up from one agent while P(wait) > goal, and leaves hours without calls at zero): any
    positive rate, however small, gets at least one agent; only a rate of exactly zero
    gets none. With rates per hour ``[6.75, 1.75, ...]`` and ``mean_handle = 1/15`` hour
    this reproduces ``1 1 1 0 1 1 1 4 8 9 10 9 8 16 10 10 6 7 8 8 6 6 5 4``.
    """
    lam = _as_float("arrival_rate", arrival_rate)
    h = _as_float("mean_handle", mean_handle, low=0.0, low_inclusive=False)
    bound = _as_float("max_p_wait", max_p_wait, low_inclusive=False, high=1.0, high_inclusive=False)
    arrays = np.broadcast_arrays(lam, h, bound)
    shape = arrays[0].shape
    lam_f, h_f, bound_f = (x.ravel() for x in arrays)
    result = np.zeros(lam_f.size, dtype=np.int64)
    busy = np.flatnonzero(lam_f > 0)
    if busy.size:
        load = lam_f[busy] * h_f[busy]
        bound_b = bound_f[busy]
        # Every c <= load has P(wait) = 1 > bound, so the search can start above the load.
        start = np.floor(load).astype(np.int64) + 1

        def meets(idx: IntArray, c: FloatArray, b: FloatArray) -> NDArray[np.bool_]:
            return _erlang_c_from_b(c, load[idx], b) <= bound_b[idx]

        result[busy] = _search_upward(start, load, meets)
    return _finish_int(result.reshape(shape))
