"""Ticket import: the estimators behind :func:`fit_scenario`.

Role: hour-of-week counts, the Kaplan-Meier curve, lognormal handle-time fits,
patience from censored waits, priority mixes, the greedy shift cover of the placeholder
team and hour-of-week tables moved between time zones (the team itself is built in
:mod:`scenarios.ticket_import.team`, without queueing formulas).

Pure pandas, numpy and scipy on top of ``scenarios.schema``. Must not import ``simpy``,
``sim`` (the engine, demand or queueing modules), ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
from scipy import stats

from scenarios.schema import PRIORITY_RANK
from scenarios.ticket_import.fit_report import HandleFit, PatienceFit


def _as_category(values: pd.Series) -> pd.Series:
    return values if isinstance(values.dtype, pd.CategoricalDtype) else values.astype("category")


def _values(values: pd.Series) -> list[str]:
    """Sorted distinct values that occur."""
    counts = _as_category(values).value_counts()
    return sorted(str(v) for v in counts.index[counts.to_numpy() > 0])


def _local(times: pd.Series, zone: str) -> pd.Series:
    return times.dt.tz_convert(zone)


def hour_of_week_counts(
    created: pd.Series, zone: str, first: dt.date | None = None, last: dt.date | None = None
) -> tuple[np.ndarray, np.ndarray]:
    """Tickets per local (weekday, hour) and how often each weekday occurs in the span.

    Parameters
    ----------
    created
        UTC arrival times.
    zone
        IANA zone in which weekday and hour are read.
    first, last
        Local dates spanned (default: those of the first and last ticket), inclusive.

    Returns
    -------
    counts : numpy.ndarray
        7 x 24 ticket counts, Monday first.
    days : numpy.ndarray
        Occurrences of each weekday between ``first`` and ``last``; the average tickets
        per hour is ``counts / days[:, None]``.
    """
    local = _local(created, zone)
    counts = np.zeros((7, 24))
    np.add.at(counts, (local.dt.day_of_week.to_numpy(), local.dt.hour.to_numpy()), 1)
    first = first or local.min().date()
    last = last or local.max().date()
    dates = pd.date_range(first, last, freq="D")
    days = np.bincount(dates.day_of_week, minlength=7).astype(float)
    return counts, days


def kaplan_meier(times: np.ndarray, events: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Kaplan-Meier survival curve of right-censored data.

    Parameters
    ----------
    times
        Observed times (event or censoring).
    events
        True where the time is an event (here: the customer abandoned).

    Returns
    -------
    event_times, survival : numpy.ndarray
        Distinct event times and S(t) just after each.
    """
    times = np.asarray(times, dtype=float)
    events = np.asarray(events, dtype=bool)
    order = np.argsort(times, kind="stable")
    t, e = times[order], events[order]
    unique, first_index = np.unique(t, return_index=True)
    at_risk = len(t) - first_index
    deaths = np.add.reduceat(e.astype(float), first_index) if len(t) else np.zeros(0)
    has = deaths > 0
    survival = np.cumprod(1.0 - deaths[has] / at_risk[has])
    return unique[has], survival


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _round(value: float, digits: int = 6) -> float | int:
    """Round to significant digits; whole numbers come back as int (written without '.0')."""
    rounded = float(f"{value:.{digits}g}") if value else 0.0
    return int(rounded) if rounded.is_integer() else rounded


def _stream_name(language: str, channel: str, region: str, regions: int) -> str:
    base = f"{language}-{channel}"
    return base if regions == 1 else f"{base}-{_slug(region.split('/')[-1])}"


def _priority_mix(priorities: pd.Series) -> dict[str, float]:
    """Shares of each priority seen (every priority seen keeps a share, however small)."""
    shares = _as_category(priorities).value_counts(normalize=True)
    ordered = sorted(shares.index, key=lambda p: PRIORITY_RANK[p])
    mix = {p: max(round(float(shares[p]), 6), 1e-6) for p in ordered if shares[p] > 0}
    largest = max(mix, key=lambda p: mix[p])
    mix[largest] = round(mix[largest] + 1.0 - sum(mix.values()), 6)
    return mix


def _fit_handle(channel: str, minutes: np.ndarray) -> HandleFit | None:
    finite = minutes[np.isfinite(minutes)]
    positive = finite[finite > 0]
    if len(positive) < 2:
        return None
    mean = float(positive.mean())
    cv = float(positive.std() / mean)
    sigma_mm = float(np.sqrt(np.log1p(cv**2)))
    scale_mm = mean / float(np.exp(sigma_mm**2 / 2))
    ks_mm = stats.kstest(positive, "lognorm", args=(sigma_mm, 0, scale_mm))
    sigma, _loc, scale = stats.lognorm.fit(positive, floc=0)
    ks = stats.kstest(positive, "lognorm", args=(sigma, 0, scale))
    return HandleFit(
        channel=channel,
        n=len(positive),
        excluded=len(minutes) - len(positive),
        mean=mean,
        cv=cv,
        ks_statistic=float(ks_mm.statistic),
        ks_pvalue=float(ks_mm.pvalue),
        mle_mean=float(scale * np.exp(sigma**2 / 2)),
        mle_cv=float(np.sqrt(np.expm1(sigma**2))),
        mle_mu=float(np.log(scale)),
        mle_sigma=float(sigma),
        mle_ks_statistic=float(ks.statistic),
        mle_ks_pvalue=float(ks.pvalue),
    )


def _fit_patience(channel: str, frame: pd.DataFrame) -> PatienceFit | None:
    wait = frame["wait_minutes"].to_numpy(float)
    abandoned = frame["abandoned"].to_numpy(bool)
    known = np.isfinite(wait)
    before_queue = abandoned & known & (wait <= 0)
    use = known & ~before_queue
    if not abandoned.any():
        return None
    times, events = wait[use], abandoned[use]
    n_events = int(events.sum())
    mean = float(times.sum() / n_events) if n_events else None
    km_t, km_s = kaplan_meier(times, events)
    below = np.flatnonzero(km_s <= 0.5)
    median = float(km_t[below[0]]) if below.size else None
    return PatienceFit(
        channel=channel,
        abandoned=n_events,
        censored=int((~events).sum()),
        left_before_queue=int(before_queue.sum()),
        mean=mean,
        km_median=median,
        km_last_time=float(times.max()) if len(times) else 0.0,
        km_last_survival=float(km_s[-1]) if len(km_s) else 1.0,
    )


def _cover_shifts(required: np.ndarray, hours: int = 8) -> list[dict[str, Any]]:
    """Greedy cover of an hour-of-week requirement (7 x 24) with fixed-length shifts.

    Scanning the week from its quietest hour, shifts start wherever the hour is not yet
    covered; starts at the same time of day with the same count on several days become
    one shift worked on those days (agents stacked in layers, so a day with more need adds
    agents on top of the common ones).
    """
    need = required.reshape(-1).astype(int)
    cover = np.zeros(168, dtype=int)
    starts = np.zeros(168, dtype=int)
    t0 = int(np.argmin(need))
    for k in range(168):
        t = (t0 + k) % 168
        short = need[t] - cover[t]
        if short > 0:
            starts[t] += short
            cover[(t + np.arange(hours)) % 168] += short
    out: list[dict[str, Any]] = []
    per_start = starts.reshape(7, 24)
    names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
    for hour in range(24):
        counts = per_start[:, hour]
        layers: Counter[tuple[int, ...]] = Counter()
        for level in range(1, int(counts.max()) + 1 if counts.max() > 0 else 1):
            days = tuple(int(d) for d in np.flatnonzero(counts >= level))
            if days:
                layers[days] += 1
        for days, agents in layers.items():
            out.append(
                {
                    "days": ",".join(names[d] for d in days),
                    "start": f"{hour:02d}:00",
                    "hours": hours,
                    "agents": agents,
                }
            )
    return out


def _shift_zone(rates: np.ndarray, src: str, dst: str, on: dt.date) -> np.ndarray:
    """Re-index an hour-of-week table from one zone's local clock to another's."""
    monday = on - dt.timedelta(days=on.weekday())
    hours = pd.date_range(
        dt.datetime.combine(monday, dt.time(0)), periods=168, freq="h", tz=ZoneInfo(src)
    )
    there = hours.tz_convert(dst)
    out = np.zeros((7, 24))
    np.add.at(out, (there.day_of_week, there.hour), rates.reshape(-1))
    return out
