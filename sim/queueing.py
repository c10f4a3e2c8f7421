"""Queueing formulas: Erlang B, Erlang C (M/M/c) and Erlang A (M/M/c+M).

Role: the closed-form queueing theory that the rest of supportsim checks itself against.
The simulation's validation tests compare simulated waits with these values, and
:mod:`sim.staffing` inverts them into the smallest head count that meets a goal. Pure
mathematics: every function is deterministic, vectorised over numpy arrays (ordinary
broadcasting rules) and also accepts plain scalars, returning a Python ``float``/``int``
for all-scalar input and an array otherwise.

Must not import: ``simpy``, ``pyomo``, or any other supportsim package (``scenarios``,
``optimizer``, ``reports``, the rest of ``sim``). Only numpy and scipy.

Units
-----
The functions never convert units. Pass every rate in the same "per time unit" and every
duration (mean handle time, mean patience, answer-time target) in that same time unit --
for example arrival rates per minute with handle times, patience and targets in minutes.
``load`` is the offered traffic in Erlangs, ``arrival_rate * mean_handle`` (dimensionless).

Invalid input (NaN, a negative rate, a non-whole or negative number of agents, a goal
outside (0, 1), ...) raises ``ValueError`` naming the argument, the interval expected and
the first offending value.

Numerics
--------
* Erlang B uses the recursion ``B(n) = A B(n-1) / (n + A B(n-1))``, ``B(0) = 1``, which
  stays in [0, 1] and never overflows (thousands of servers and loads are fine).
* Erlang C is derived from Erlang B: ``C = c B / (c - A (1 - B))``.
* Erlang A uses the exact formulas of Garnett, Mandelbaum & Reiman (2002) and Mandelbaum &
  Zeltyn ("The M/M/n+G queue: summary of performance measures"), written with the
  Kummer function ``M(s, z) = 1F1(1; s + 1; z) = sum_k z^k / ((s+1)...(s+k))``, evaluated in
  log space (regularised incomplete gamma where it is well conditioned, the positive series
  where that would underflow). Derivation notes are in :func:`_erlang_a_flat`.

References
----------
.. [1] O. Garnett, A. Mandelbaum, M. Reiman, "Designing a call center with impatient
   customers", Manufacturing & Service Operations Management 4(3), 208-227, 2002.
.. [2] A. Mandelbaum, S. Zeltyn, "The M/M/n+G queue: summary of performance measures",
   technical note, Technion, 2009.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final, NamedTuple, overload

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special

__all__ = [
    "ErlangAResult",
    "erlang_a",
    "erlang_b",
    "erlang_c",
    "erlang_c_mean_wait",
    "erlang_c_service_level",
]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]
Scalar = float | np.floating[Any] | np.integer[Any]

# Below this value of the regularised lower incomplete gamma P(s, z) its logarithm is
# no longer trustworthy (and soon underflows): sum the Kummer series instead.
_TINY_P: Final = 1e-250
# For z <= _SERIES_RATIO * s the Kummer series converges in under 140 terms and is more
# accurate than the gamma route (which subtracts large logarithms to get a small one).
_SERIES_RATIO: Final = 0.75
# Above this s the moment s - (s - z) M of the gamma route loses more than ~1e-10 to
# cancellation when z < s (nearly infinite patience): the series is summed instead.
_SERIES_LARGE_S: Final = 1e6
_SERIES_CHUNK: Final = 64
_SERIES_MAX_CHUNK: Final = 4096
_SERIES_RTOL: Final = 1e-17


# ---------------------------------------------------------------------------------------
# Input handling
# ---------------------------------------------------------------------------------------


def _first_bad(values: NDArray[Any], bad: NDArray[np.bool_]) -> Any:
    return values[bad].ravel()[0]


def _as_servers(servers: ArrayLike, name: str = "servers") -> IntArray:
    """Whole, non-negative numbers of servers as an int64 array."""
    arr = np.asarray(servers)
    if arr.dtype.kind == "b" or arr.dtype.kind not in "iuf":
        raise ValueError(f"{name}: expected whole numbers of agents, got dtype {arr.dtype}")
    values = arr.astype(np.float64)
    bad = ~np.isfinite(values) | (values < 0) | (values != np.floor(values))
    if bad.any():
        raise ValueError(
            f"{name}: expected non-negative whole numbers of agents, "
            f"got {float(_first_bad(values, bad))!r}"
        )
    return arr.astype(np.int64)


def _as_float(
    name: str,
    value: ArrayLike,
    *,
    low: float = 0.0,
    low_inclusive: bool = True,
    high: float = np.inf,
    high_inclusive: bool = True,
    allow_inf: bool = False,
) -> FloatArray:
    """A float64 array checked to lie in the given interval (NaN is always rejected)."""
    arr = np.asarray(value, dtype=np.float64)
    bad = np.isnan(arr)
    if not allow_inf:
        bad |= np.isinf(arr)
    bad |= (arr < low) if low_inclusive else (arr <= low)
    bad |= (arr > high) if high_inclusive else (arr >= high)
    if bad.any():
        lo_bracket = "[" if low_inclusive else "("
        hi_bracket = "]" if high_inclusive and (allow_inf or np.isfinite(high)) else ")"
        hi_text = "inf" if np.isinf(high) else f"{high:g}"
        raise ValueError(
            f"{name}: expected a number in {lo_bracket}{low:g}, {hi_text}{hi_bracket}, "
            f"got {float(_first_bad(arr, bad))!r}"
        )
    return arr


def _finish_float(values: FloatArray) -> float | FloatArray:
    return float(values) if values.ndim == 0 else values


def _finish_int(values: IntArray) -> int | IntArray:
    return int(values) if values.ndim == 0 else values


# ---------------------------------------------------------------------------------------
# Special functions
# ---------------------------------------------------------------------------------------


def _erlang_b_flat(servers: IntArray, load: FloatArray) -> FloatArray:
    """Erlang B for 1-d arrays of equal length, by the stable forward recursion.

    Elements are processed in order of server count so that each step of the
    recursion is a single slice operation over the elements that still need it.
    """
    blocking = np.ones(servers.shape, dtype=np.float64)
    if servers.size == 0:
        return blocking
    if servers.size == 1:
        # Plain float arithmetic is much faster than numpy for one element.
        b, a = 1.0, float(load[0])
        for n in range(1, int(servers[0]) + 1):
            ab = a * b
            b = ab / (n + ab)
        blocking[0] = b
        return blocking
    order = np.argsort(servers, kind="stable")
    c_sorted = servers[order]
    a_sorted = load[order]
    b_sorted = np.ones(servers.shape, dtype=np.float64)
    for n in range(1, int(c_sorted[-1]) + 1):
        first = int(np.searchsorted(c_sorted, n, side="left"))
        carried = a_sorted[first:] * b_sorted[first:]
        b_sorted[first:] = carried / (n + carried)
    blocking[order] = b_sorted
    return blocking


def _erlang_c_from_b(servers: FloatArray, load: FloatArray, blocking: FloatArray) -> FloatArray:
    """Erlang C from Erlang B: ``C = c B / (c - A (1 - B))``, and 1 where ``A >= c``."""
    stable = load < servers
    with np.errstate(divide="ignore", invalid="ignore"):
        c_wait = servers * blocking / (servers - load * (1.0 - blocking))
    return np.where(stable, np.clip(c_wait, 0.0, 1.0), 1.0)


def _log_p_lower(s: FloatArray, z: FloatArray) -> FloatArray:
    """log P(s, z), regularised lower incomplete gamma, accurate also when P is near 1."""
    with np.errstate(divide="ignore"):
        p = special.gammainc(s, z)
        return np.where(p < 0.5, np.log(p), np.log1p(-special.gammaincc(s, z)))


def _stirling_correction(s: FloatArray) -> FloatArray:
    """``lgamma(s + 1) - (s log s - s + log(2 pi s) / 2)`` for s >= 30 (error < 1e-16)."""
    inv = 1.0 / s
    inv2 = inv * inv
    return inv * (1 / 12 - inv2 * (1 / 360 - inv2 * (1 / 1260 - inv2 / 1680)))


def _log_gamma_scale(s: FloatArray, z: FloatArray) -> FloatArray:
    """``lgamma(s + 1) + z - s log z`` (z > 0), without cancellation for large s and z."""
    out = np.empty(s.shape, dtype=np.float64)
    small = s < 30
    ss, zs = s[small], z[small]
    big = ~small
    sb, zb = s[big], z[big]
    u = (zb - sb) / sb
    with np.errstate(divide="ignore"):  # z so small that u = -1: the result is +inf
        out[small] = special.gammaln(ss + 1) + zs - ss * np.log(zs)
        out[big] = _stirling_correction(sb) + 0.5 * np.log(2 * np.pi * sb) + sb * (u - np.log1p(u))
    return out


class _Kummer(NamedTuple):
    """Kummer-function values in logs (see :func:`_log_kummer`)."""

    log_m: FloatArray  # log M(s, z)
    dlog_m_ds: FloatArray  # d/ds log M(s, z)
    log_mean_k: FloatArray  # log(sum_k k t_k / M(s, z))
    log_p: FloatArray  # log P(s, z), regularised lower incomplete gamma
    by_gamma: NDArray[np.bool_]  # computed through P(s, z) (else series, or z = 0)


def _kummer_series(s: FloatArray, z: FloatArray, want_derivative: bool) -> _Kummer:
    """:func:`_log_kummer` by summing the series; requires 0 < z < s + 1.

    Terms ``t_k = prod_{j<=k} z / (s + j)`` decrease from k = 1 on, so the remainder after
    term K is at most ``t_K r / (1 - r)`` with ``r = z / (s + K + 1)`` (and similar bounds
    for the weighted sums). The derivative uses ``d t_k / ds = -t_k H_k`` with
    ``H_k = sum_{j<=k} 1 / (s + j)``.
    """
    n = s.size
    total = np.ones(n)  # sum_k t_k
    moment = np.zeros(n)  # sum_k k t_k
    weighted = np.zeros(n)  # sum_k t_k H_k
    log_t = np.zeros(n)
    harmonic = np.zeros(n)
    active = np.arange(n)
    k0 = 0
    chunk = _SERIES_CHUNK
    while active.size:
        # Most elements converge in the first chunk; the rare slow ones (z close to s,
        # large s) get geometrically longer chunks to keep the Python loop short.
        k = k0 + np.arange(1, chunk + 1, dtype=np.float64)
        sa, za = s[active], z[active]
        denom = sa[:, None] + k[None, :]
        with np.errstate(divide="ignore"):  # z / (s + k) may underflow for subnormal z
            log_steps = np.log(za[:, None] / denom)
        log_terms = log_t[active][:, None] + np.cumsum(log_steps, axis=1)
        terms = np.exp(log_terms)
        total[active] += terms.sum(axis=1)
        moment[active] += terms @ k
        log_t[active] = log_terms[:, -1]
        ratio = za / (sa + k[-1] + 1)
        geometric = 1.0 / (1.0 - ratio)
        tail = terms[:, -1] * ratio * geometric
        bound = tail * (1.0 + k[-1] + geometric)
        if want_derivative:
            h_k = harmonic[active][:, None] + np.cumsum(1.0 / denom, axis=1)
            weighted[active] += (terms * h_k).sum(axis=1)
            harmonic[active] = h_k[:, -1]
            bound += tail * (h_k[:, -1] + geometric / (sa + k[-1]))
        done = bound <= _SERIES_RTOL * (total[active] + moment[active] + weighted[active])
        active = active[~done]
        k0 += chunk
        chunk = min(2 * chunk, _SERIES_MAX_CHUNK)
    log_m = np.log(total)
    with np.errstate(divide="ignore"):
        log_mean_k = np.log(moment) - log_m
    log_p = log_m - _log_gamma_scale(s, z)
    return _Kummer(log_m, -weighted / total, log_mean_k, log_p, np.zeros(n, dtype=np.bool_))


def _log_kummer(s: FloatArray, z: FloatArray, want_derivative: bool = False) -> _Kummer:
    """The Kummer function ``M(s, z) = 1F1(1; s+1; z) = sum_k t_k``, in logs.

    ``t_k = prod_{j=1..k} z / (s + j)``, so ``M = Gamma(s+1) e^z z^-s P(s, z)`` with P the
    regularised lower incomplete gamma. For 1-d arrays ``s >= 0``, ``z >= 0`` of equal
    length, returns log M, d/ds log M (zeros unless ``want_derivative``; only requested
    with ``s >= 1``), the log of the mean index ``sum_k k t_k / M = z - s + s / M`` and
    log P(s, z). Each is computed without subtracting large logarithms where possible.

    Two routes. The series is summed where it converges (``z < s + 1``) and either
    converges quickly (``z <= 0.75 s``), or P(s, z) would underflow, or ``s`` is so large
    that the moment ``s - (s - z) M`` would cancel badly. Elsewhere the incomplete gamma
    route is used, with ``lgamma(s+1) + z - s log z`` in a cancellation-free form and a
    numerical (Richardson-extrapolated) derivative in ``s``.
    """
    log_m = np.zeros(s.shape, dtype=np.float64)
    dlog_m = np.zeros(s.shape, dtype=np.float64)
    log_mean_k = np.full(s.shape, -np.inf)
    log_p = np.full(s.shape, -np.inf)
    positive = z > 0
    with np.errstate(all="ignore"):
        p = special.gammainc(s, z)
    series = positive & (
        (z <= _SERIES_RATIO * s) | (p < _TINY_P) | ((z < s) & (s > _SERIES_LARGE_S))
    )
    gamma = positive & ~series
    if gamma.any():
        sg, zg = s[gamma], z[gamma]
        log_pg = _log_p_lower(sg, zg)
        log_mg = _log_gamma_scale(sg, zg) + log_pg
        log_m[gamma] = log_mg
        log_p[gamma] = log_pg
        # z - s + s / M > 0; below z = s the gamma route only serves moderate s, where the
        # cancellation costs at most about 1e-10.
        mean_k = zg - sg + sg * np.exp(-log_mg)
        log_mean_k[gamma] = np.log(np.maximum(mean_k, np.finfo(np.float64).tiny))
        if want_derivative:
            # P(s, z) varies with s on a scale of about sqrt(s); Richardson extrapolation of
            # two central differences keeps the step large enough to stay clear of the
            # rounding noise of gammainc (relative error about 1e-9 or better).
            step = np.minimum(5e-3 * np.maximum(1.0, np.sqrt(sg)), 0.25 * sg)

            def central(h: FloatArray) -> FloatArray:
                return (_log_p_lower(sg + h, zg) - _log_p_lower(sg - h, zg)) / (2 * h)

            d_log_p = (4.0 * central(step) - central(2.0 * step)) / 3.0
            dlog_m[gamma] = special.digamma(sg + 1) - np.log(zg) + d_log_p
    if series.any():
        res = _kummer_series(s[series], z[series], want_derivative)
        log_m[series] = res.log_m
        dlog_m[series] = res.dlog_m_ds
        log_mean_k[series] = res.log_mean_k
        log_p[series] = res.log_p
    return _Kummer(log_m, dlog_m, log_mean_k, log_p, gamma)


# ---------------------------------------------------------------------------------------
# Erlang B and Erlang C
# ---------------------------------------------------------------------------------------


@overload
def erlang_b(servers: Scalar, load: Scalar) -> float: ...
@overload
def erlang_b(servers: ArrayLike, load: ArrayLike) -> FloatArray: ...
def erlang_b(servers: ArrayLike, load: ArrayLike) -> float | FloatArray:
    """Blocking probability of the Erlang loss system M/M/c/c.

    Parameters
    ----------
    servers : int or array_like of int
        Number of servers (agents, lines) ``c``; whole numbers >= 0.
    load : float or array_like
        Offered load ``A = arrival_rate * mean_handle`` in Erlangs; finite, >= 0.

    Returns
    -------
    float or numpy.ndarray
        ``B(c, A) = (A^c / c!) / sum_{k<=c} A^k / k!``, the share of arrivals that find
        all servers busy (dimensionless, in [0, 1]); 1 where ``c = 0``.

    Notes
    -----
    Computed by the recursion ``B(n) = A B(n-1) / (n + A B(n-1))``, which is numerically
    stable and cannot overflow; the cost is proportional to the largest ``c``.

    Examples
    --------
    >>> erlang_b(2, 1.0)
    0.2
    """
    c = _as_servers(servers)
    a = _as_float("load", load)
    c_b, a_b = np.broadcast_arrays(c, a)
    blocking = _erlang_b_flat(c_b.ravel(), a_b.ravel()).reshape(c_b.shape)
    return _finish_float(blocking)


@overload
def erlang_c(servers: Scalar, load: Scalar) -> float: ...
@overload
def erlang_c(servers: ArrayLike, load: ArrayLike) -> FloatArray: ...
def erlang_c(servers: ArrayLike, load: ArrayLike) -> float | FloatArray:
    """Probability of waiting, P(W > 0), in the M/M/c queue (Erlang C).

    Parameters
    ----------
    servers : int or array_like of int
        Number of agents ``c``; whole numbers >= 0.
    load : float or array_like
        Offered load ``A = arrival_rate * mean_handle`` in Erlangs; finite, >= 0.

    Returns
    -------
    float or numpy.ndarray
        ``C(c, A)`` (dimensionless, in [0, 1]). Where ``A >= c`` the queue has no steady
        state and every arrival eventually waits: 1.0 is returned (also for ``c = 0``).
    """
    c = _as_servers(servers)
    a = _as_float("load", load)
    c_b, a_b = np.broadcast_arrays(c, a)
    blocking = _erlang_b_flat(c_b.ravel(), a_b.ravel())
    c_wait = _erlang_c_from_b(c_b.ravel().astype(np.float64), a_b.ravel(), blocking)
    return _finish_float(c_wait.reshape(c_b.shape))


@overload
def erlang_c_mean_wait(servers: Scalar, load: Scalar, mean_handle: Scalar) -> float: ...
@overload
def erlang_c_mean_wait(
    servers: ArrayLike, load: ArrayLike, mean_handle: ArrayLike
) -> FloatArray: ...
def erlang_c_mean_wait(
    servers: ArrayLike, load: ArrayLike, mean_handle: ArrayLike
) -> float | FloatArray:
    """Mean wait in queue E[W] of the M/M/c queue, over all arrivals (the "ASA").

    Parameters
    ----------
    servers : int or array_like of int
        Number of agents ``c``; whole numbers >= 0.
    load : float or array_like
        Offered load ``A`` in Erlangs; finite, >= 0.
    mean_handle : float or array_like
        Mean handle (service) time, in the caller's time unit; > 0.

    Returns
    -------
    float or numpy.ndarray
        ``E[W] = C(c, A) * mean_handle / (c - A)`` in the unit of ``mean_handle``;
        ``inf`` where ``A >= c`` (no steady state). Those who wait wait
        ``mean_handle / (c - A)`` on average.
    """
    c = _as_servers(servers)
    a = _as_float("load", load)
    h = _as_float("mean_handle", mean_handle, low=0.0, low_inclusive=False)
    c_b, a_b, h_b = (x.ravel() for x in np.broadcast_arrays(c, a, h))
    shape = np.broadcast_shapes(c.shape, a.shape, h.shape)
    cf = c_b.astype(np.float64)
    c_wait = _erlang_c_from_b(cf, a_b, _erlang_b_flat(c_b, a_b))
    with np.errstate(divide="ignore", invalid="ignore"):
        wait = np.where(a_b < cf, c_wait * h_b / (cf - a_b), np.inf)
    return _finish_float(wait.reshape(shape))


@overload
def erlang_c_service_level(
    servers: Scalar, load: Scalar, mean_handle: Scalar, target: Scalar
) -> float: ...
@overload
def erlang_c_service_level(
    servers: ArrayLike, load: ArrayLike, mean_handle: ArrayLike, target: ArrayLike
) -> FloatArray: ...
def erlang_c_service_level(
    servers: ArrayLike, load: ArrayLike, mean_handle: ArrayLike, target: ArrayLike
) -> float | FloatArray:
    """Service level P(W <= target) of the M/M/c queue.

    Parameters
    ----------
    servers : int or array_like of int
        Number of agents ``c``; whole numbers >= 0.
    load : float or array_like
        Offered load ``A`` in Erlangs; finite, >= 0.
    mean_handle : float or array_like
        Mean handle time, in the caller's time unit; > 0.
    target : float or array_like
        Answer-time threshold, same unit as ``mean_handle``; >= 0 (``inf`` allowed).

    Returns
    -------
    float or numpy.ndarray
        ``1 - C(c, A) exp(-(c - A) target / mean_handle)`` (dimensionless); 0 where
        ``A >= c`` (no steady state: waits grow without bound).
    """
    c = _as_servers(servers)
    a = _as_float("load", load)
    h = _as_float("mean_handle", mean_handle, low=0.0, low_inclusive=False)
    t = _as_float("target", target, allow_inf=True)
    shape = np.broadcast_shapes(c.shape, a.shape, h.shape, t.shape)
    c_b, a_b, h_b, t_b = (x.ravel() for x in np.broadcast_arrays(c, a, h, t))
    cf = c_b.astype(np.float64)
    c_wait = _erlang_c_from_b(cf, a_b, _erlang_b_flat(c_b, a_b))
    with np.errstate(invalid="ignore", over="ignore"):
        level = np.where(a_b < cf, 1.0 - c_wait * np.exp(-(cf - a_b) * t_b / h_b), 0.0)
    return _finish_float(np.clip(level, 0.0, 1.0).reshape(shape))


# ---------------------------------------------------------------------------------------
# Erlang A
# ---------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class ErlangAResult:
    """Steady-state performance of the M/M/c+M (Erlang A) queue.

    Each field is a float for scalar input and an array (broadcast shape) otherwise.
    Probabilities are per arrival; times are in the caller's time unit.

    Attributes
    ----------
    p_wait : float or numpy.ndarray
        P(W > 0): share of arrivals that find all agents busy and join the queue.
    p_abandon : float or numpy.ndarray
        Share of arrivals that abandon before being answered.
    mean_wait : float or numpy.ndarray
        Mean time in queue over all arrivals, abandoned ones included (their wait is
        their patience), the ASA of Erlang A. Equals ``p_abandon * mean_patience``.
    service_level : float or numpy.ndarray
        P(answered and W <= target): abandoned arrivals count as misses.
    mean_wait_served : float or numpy.ndarray
        Mean wait of the arrivals that are answered, E[W | served]; NaN with no agents.
    occupancy : float or numpy.ndarray
        Share of agent time busy: carried load ``arrival_rate (1 - p_abandon) mean_handle``
        divided by ``servers``; NaN with no agents.
    """

    p_wait: float | FloatArray
    p_abandon: float | FloatArray
    mean_wait: float | FloatArray
    service_level: float | FloatArray
    mean_wait_served: float | FloatArray
    occupancy: float | FloatArray


class _ErlangAArrays(NamedTuple):
    p_wait: FloatArray
    p_abandon: FloatArray
    mean_wait: FloatArray
    service_level: FloatArray
    mean_wait_served: FloatArray
    occupancy: FloatArray


def _erlang_a_flat(
    servers: IntArray,
    arrival_rate: FloatArray,
    mean_handle: FloatArray,
    mean_patience: FloatArray,
    target: FloatArray,
    blocking: FloatArray | None = None,
    with_wait_served: bool = True,
) -> _ErlangAArrays:
    """Erlang A metrics for 1-d arrays of equal length (inputs already validated).

    Derivation. With ``mu = 1/mean_handle``, ``theta = 1/mean_patience``, write
    ``a = c mu / theta`` and ``x = lambda / theta``. The birth-death chain (birth
    ``lambda``, death ``min(n, c) mu + max(n - c, 0) theta``) has
    ``pi_{c+k} = pi_c t_k`` with ``t_k = prod_{j<=k} x / (a + j)``, so
    ``sum_{n>=c} pi_n = pi_c J`` with ``J = M(a, x)`` (Kummer), and
    ``sum_{n<c} pi_n = pi_c (1/B - 1)`` with ``B`` = Erlang B(c, A). By PASTA:

    * ``p_wait = J / (1/B - 1 + J)``;
    * ``E[L_q] = pi_c sum_k k t_k``, ``p_abandon = theta E[L_q] / lambda`` and
      ``mean_wait = E[L_q] / lambda`` (Little); equivalently
      ``p_abandon = p_wait (1 - (a/x)(1 - 1/J))``, a form that cancels badly when
      patience is long, so the code sums ``k t_k`` instead (see below).
    * ``p_wait - p_abandon = p_wait a/(a+1) M(a+1, x) / J``: queued and later served.
    * A tagged arrival finding ``k`` waiting moves up at rate ``c mu + j theta`` with ``j``
      customers ahead, so its offered wait is ``V = sum_{j=0..k} Exp(theta (a + j))``
      and ``U = exp(-theta V) ~ Beta(a, k + 1)``. It is served iff its own patience
      ``tau ~ Exp(theta)`` exceeds ``V``: ``P(served, W > t | k) = E[U; U < e^{-theta t}]``
      (checked against Monte Carlo and against the tagged customer's absorbing chain).
      Summing over ``k`` with weights ``pi_{c+k}`` gives
      ``P(served, W > t) = p_wait a/(a+1) e^{x-y} (y/x)^{a+1} M(a+1, y) / J`` with
      ``y = x e^{-theta t}``, which is ``(p_wait - p_abandon) P(a+1, y) / P(a+1, x)``
      (P the regularised lower incomplete gamma), and
      ``service_level = 1 - p_abandon - P(served, W > t)``.
    * ``E[W; served] = (p_wait - p_abandon) E[-log U] / theta`` where, under the same
      mixture, ``-log U`` has mean ``1/s - d/ds log M(s, x)`` at ``s = a + 1``.

    Infinite patience falls back to Erlang C (no abandonment; no steady state if ``A >= c``),
    as does a patience so long that ``lambda / theta`` or ``a`` overflows.
    All Kummer values are taken at ``s = a + 1`` through ``J = 1 + x/(a+1) M(a+1, x)`` and
    ``sum_k k t_k(a) = x/(a+1) (M(a+1, x) + sum_m m t_m(a+1))``: sums of positive terms,
    so small ``x`` and long patience lose no digits.
    """
    n = servers.size
    cf = servers.astype(np.float64)
    load = arrival_rate * mean_handle
    if blocking is None:
        blocking = _erlang_b_flat(servers, load)

    p_wait = np.zeros(n)
    p_abandon = np.zeros(n)
    mean_wait = np.zeros(n)
    level = np.ones(n)
    wait_served = np.zeros(n)

    no_agents = servers == 0
    with np.errstate(over="ignore"):
        patient = ~np.isfinite(arrival_rate * mean_patience) | ~np.isfinite(
            cf * mean_patience / mean_handle
        )
    idle = (arrival_rate == 0) & ~patient
    # Limit lambda -> 0: an arrival to an empty system is answered at once, unless there are
    # no agents at all, in which case it waits out its patience and leaves.
    p_wait[idle & no_agents] = 1.0
    p_abandon[idle & no_agents] = 1.0
    mean_wait[idle & no_agents] = mean_patience[idle & no_agents]
    level[idle & no_agents] = 0.0

    if patient.any():
        cp, ap, hp, tp = cf[patient], load[patient], mean_handle[patient], target[patient]
        stable = ap < cp
        c_wait = _erlang_c_from_b(cp, ap, blocking[patient])
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            wq = np.where(stable, c_wait * hp / (cp - ap), np.inf)
            sl = np.where(stable, 1.0 - c_wait * np.exp(-(cp - ap) * tp / hp), 0.0)
        p_wait[patient] = c_wait
        mean_wait[patient] = wq
        level[patient] = np.clip(sl, 0.0, 1.0)
        wait_served[patient] = wq

    busy = ~idle & ~patient
    if busy.any():
        c_q, lam, h = cf[busy], arrival_rate[busy], mean_handle[busy]
        pat, t, b = mean_patience[busy], target[busy], blocking[busy]
        # log x from logs: lambda * patience may be subnormal or underflow for tiny rates.
        log_x = np.log(lam) + np.log(pat)
        x = lam * pat
        a = c_q * pat / h
        # Everything goes through s = a + 1: J = M(a, x) = 1 + x/(a+1) M(a+1, x) keeps J - 1
        # exact when x is small, and the queue-length sum
        # sum_k k t_k(a) = x/(a+1) (M(a+1, x) + sum_m m t_m(a+1)) has no cancellation.
        s1 = a + 1.0
        kummer = _log_kummer(s1, x, want_derivative=with_wait_served)
        with np.errstate(divide="ignore", invalid="ignore"):
            log_x_over_s = log_x - np.log(s1)
            log_j_minus_1 = log_x_over_s + kummer.log_m  # J - 1 = x/(a+1) M(a+1, x)
            log_j = np.logaddexp(0.0, log_j_minus_1)
            log_ratio = np.log1p(-b) - np.log(b) - log_j  # log((1/B - 1) / J)
            pw = special.expit(-log_ratio)
            # Among queued arrivals: share that finds others waiting, (J - 1) / J, and the
            # mean number waiting, sum_k k t_k(a) / J = (J - 1)/J (1 + mean_k(a+1)).
            log_some_ahead = -np.logaddexp(0.0, -log_j_minus_1)
            log_queue = log_some_ahead + np.logaddexp(0.0, kummer.log_mean_k)
            pab = np.clip(pw * np.exp(log_queue - log_x), 0.0, pw)  # theta E[L_q] / lambda
            wq = pw * np.exp(log_queue - np.log(lam))  # E[L_q] / lambda (Little)
            # Queued and later served: p_wait a/(a+1) M(a+1, x) / J (= p_wait - p_abandon).
            served_queued = pw * (a / s1) * np.exp(log_some_ahead - log_x_over_s)
            # Of those, the share still waiting at t: P(s, y) / P(s, x), s = a + 1,
            # y = x e^{-theta t}. Either from P directly (both on the gamma route), or as
            # M(s, y) / M(s, x) e^{-(G(s, y) - G(s, x))} with G(s, z) = lgamma(s+1) + z - s log z
            # and G(s, y) - G(s, x) = x expm1(-theta t) + s theta t exactly.
            theta_t = t / pat
            y = x * np.exp(-theta_t)
            late_k = _log_kummer(s1, y)
            delta_g = x * np.expm1(-theta_t) + s1 * theta_t
            log_still = np.where(
                late_k.by_gamma,
                late_k.log_p - kummer.log_p,
                late_k.log_m - kummer.log_m - delta_g,
            )
            log_still = np.where(y > 0, log_still, -np.inf)
            late = served_queued * np.exp(log_still)
        sl = np.clip(1.0 - pab - late, 0.0, 1.0 - pab)

        p_wait[busy] = pw
        p_abandon[busy] = pab
        mean_wait[busy] = wq
        level[busy] = sl
        if with_wait_served:
            mean_neg_log_u = np.maximum(1.0 / s1 - kummer.dlog_m_ds, 0.0)
            with np.errstate(divide="ignore", invalid="ignore"):
                wait_served[busy] = served_queued * mean_neg_log_u * pat / (1.0 - pab)

    with np.errstate(divide="ignore", invalid="ignore"):
        occupancy = np.where(
            patient, load / cf, arrival_rate * (1.0 - p_abandon) * mean_handle / cf
        )
    # At most 1 exactly; rounding in heavy overload can leave it 1e-12 above.
    occupancy = np.minimum(occupancy, 1.0)
    occupancy[no_agents] = np.nan
    wait_served[no_agents & ~patient] = np.nan
    return _ErlangAArrays(p_wait, p_abandon, mean_wait, level, wait_served, occupancy)


def erlang_a(
    servers: ArrayLike,
    arrival_rate: ArrayLike,
    mean_handle: ArrayLike,
    mean_patience: ArrayLike,
    target: ArrayLike = 0.0,
) -> ErlangAResult:
    """Steady-state performance of the Erlang A queue M/M/c+M (exponential patience).

    Parameters
    ----------
    servers : int or array_like of int
        Number of agents ``c``; whole numbers >= 0.
    arrival_rate : float or array_like
        Poisson arrival rate ``lambda``, per time unit; finite, >= 0.
    mean_handle : float or array_like
        Mean (exponential) handle time ``1/mu``, in the time unit; > 0.
    mean_patience : float or array_like
        Mean (exponential) patience ``1/theta``, in the time unit; > 0. ``inf`` gives
        Erlang C (no abandonment).
    target : float or array_like, default 0.0
        Answer-time threshold of the service level, in the time unit; >= 0, ``inf`` allowed.

    Returns
    -------
    ErlangAResult
        ``p_wait``, ``p_abandon``, ``mean_wait`` (over all arrivals), ``service_level``
        (answered within ``target``; abandons are misses), ``mean_wait_served`` and
        ``occupancy``; floats for scalar input, arrays of the broadcast shape otherwise.

    Notes
    -----
    Exact formulas (see :func:`_erlang_a_flat` for the derivation); unlike Erlang C the
    queue is stable at any load. With ``arrival_rate = 0`` the limits as the rate tends
    to 0 are returned (no wait, service level 1, or with no agents: everyone abandons).

    Examples
    --------
    >>> r = erlang_a(14, 100 / 30, 3.0, 5.0, target=20 / 60)
    >>> round(r.p_abandon, 6)
    0.013984
    """
    c = _as_servers(servers)
    lam = _as_float("arrival_rate", arrival_rate)
    h = _as_float("mean_handle", mean_handle, low=0.0, low_inclusive=False)
    pat = _as_float("mean_patience", mean_patience, low=0.0, low_inclusive=False, allow_inf=True)
    t = _as_float("target", target, allow_inf=True)
    arrays = np.broadcast_arrays(c, lam, h, pat, t)
    shape = arrays[0].shape
    c_f, lam_f, h_f, pat_f, t_f = (x.ravel() for x in arrays)
    res = _erlang_a_flat(c_f, lam_f, h_f, pat_f, t_f)
    return ErlangAResult(*(_finish_float(v.reshape(shape)) for v in res))
