"""Demand: ticket arrivals in UTC from local-time profiles, holidays, surges and growth.

Arrivals are a non-homogeneous Poisson process per stream with a rate that is constant
within each grid cell (``CELL_MINUTES``): the count per cell is Poisson, times are uniform
inside the cell. Rates come from the stream's hour-of-week profile in the customers' own
time zone (converted with zoneinfo, so daylight-saving changes are real), its weekly volume
or dated volume series, the holiday calendar of their country, surges, events and growth;
busyness multiplies each day's rates by a random factor of mean 1. Everything is drawn in
bulk with NumPy.

Also drawn here, per ticket and in bulk, so that two scenarios run with the same seed see
the same customers (common random numbers): priority, deflection, patience, handle times,
number of touches, customer reply gaps, reopen and escalation. Must not import SimPy.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.calendar import (
    holiday_dates,
    horizon_minutes,
    horizon_origin,
    local_dates,
    surge_minutes,
    week_of,
)
from scenarios.schema import PRIORITY_RANK, SYNCHRONOUS_CHANNELS, Distribution, Scenario, Stream

CELL_MINUTES = 15
"""Resolution of the arrival-rate grid in minutes (rates are constant within a cell)."""

PRIORITIES: tuple[str, ...] = tuple(sorted(PRIORITY_RANK, key=PRIORITY_RANK.__getitem__))


def stream_seed(seed: int, replication: int, name: str, purpose: str) -> np.random.SeedSequence:
    """A seed sequence for one replication, stream (or team) and purpose.

    The same as ``SeedSequence(seed).spawn(...)[replication]`` followed by a child keyed by
    the name and purpose, so replications are independent and a stream keeps its customers
    when other streams are added or removed (common random numbers across scenarios).
    """
    digest = hashlib.blake2b(f"{name}\x00{purpose}".encode(), digest_size=8).digest()
    key = (replication, int.from_bytes(digest, "little"))
    return np.random.SeedSequence(entropy=seed, spawn_key=key)


def draw_durations(
    rng: np.random.Generator, dist: Distribution, size: int, default: str
) -> np.ndarray:
    """Draw positive durations (minutes) with the distribution's mean and cv.

    lognormal: sigma^2 = ln(1 + cv^2), mu = ln(mean) - sigma^2 / 2; gamma: shape 1/cv^2;
    exponential: cv is 1 by definition; fixed: always the mean.
    """
    family = dist.distribution or default
    mean, cv = dist.mean, dist.cv
    if family == "fixed" or (cv == 0 and family != "exponential"):
        return np.full(size, mean)
    if family == "exponential":
        return rng.exponential(mean, size)
    if family == "gamma":
        shape = 1.0 / cv**2
        return rng.gamma(shape, mean / shape, size)
    sigma2 = np.log1p(cv**2)
    return rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), size)


def stream_rates(scenario: Scenario, stream: Stream, origin: pd.Timestamp) -> np.ndarray:
    """Expected arrivals per grid cell (before deflection) over the horizon.

    The weekly volume is spread over the hour-of-week weights in the stream's local time,
    multiplied by the holiday factor on local public holidays, by surges and by growth.
    """
    n_cells = int(horizon_minutes(scenario) // CELL_MINUTES)
    cells = pd.date_range(origin, periods=n_cells, freq=f"{CELL_MINUTES}min")
    local = cells.tz_convert(stream.region)
    weights = stream.weights()
    volume = stream.tickets_per_week * scenario.demand.scale
    per_hour = volume * weights[local.day_of_week, local.hour]
    by_day = np.zeros(n_cells, dtype=bool)
    if stream.volume is not None:
        per_hour, by_day = _dated_volume(stream, local, per_hour, scenario.demand.scale)
    rate = per_hour * (CELL_MINUTES / 60.0)
    if stream.country is not None:
        local_dates = local.date
        days = holiday_dates(stream.country, local_dates[0], local_dates[-1])
        if days:
            # A daily series already says what each day brings, holidays included.
            is_holiday = pd.Index(local_dates).isin(list(days)) & ~by_day
            rate = np.where(is_holiday, rate * stream.holiday_factor, rate)
    offsets = np.arange(n_cells) * CELL_MINUTES
    if scenario.demand.growth_per_year:
        years = offsets / (365.25 * 1440)
        rate = rate * (1 + scenario.demand.growth_per_year) ** years
    for surge in scenario.demand.surges:
        if surge.streams is not None and stream.name not in surge.streams:
            continue
        lo, hi = surge_minutes(scenario, surge, origin)
        mid = offsets + CELL_MINUTES / 2
        rate = np.where((mid >= lo) & (mid < hi), rate * surge.multiplier, rate)
    if scenario.demand.events:
        rate = rate * _event_factors(scenario, stream, local)
    return np.asarray(rate, dtype=float)


def _local_days(local: pd.DatetimeIndex) -> np.ndarray:
    """The local calendar date of each cell, as ``datetime64[D]``."""
    return local.tz_localize(None).to_numpy().astype("datetime64[D]")


def _dated_volume(
    stream: Stream, local: pd.DatetimeIndex, per_hour: np.ndarray, scale: float
) -> tuple[np.ndarray, np.ndarray]:
    """Tickets an hour in each cell from the stream's dated volume series.

    A day's volume is spread over that weekday's row of the profile (flat when the row is
    all zero); a week's volume over the whole profile, as ``tickets_per_week`` is. Cells on
    dates the series does not cover keep ``per_hour`` (from ``tickets_per_week``).

    Returns
    -------
    per_hour : numpy.ndarray
        Tickets an hour per cell (before holidays, growth, surges and events).
    by_day : numpy.ndarray
        Cells whose volume came from a daily value (the holiday factor is not applied to
        them: the day's value already includes its holiday).
    """
    assert stream.volume is not None
    weights = stream.weights()
    dow, hour = local.day_of_week.to_numpy(), local.hour.to_numpy()
    days = _local_days(local)
    series = stream.volume.values
    dates = np.array(sorted(series), dtype="datetime64[D]")
    values = np.array([series[d] for d in sorted(series)], dtype=float)
    if stream.volume.per == "day":
        pos = np.clip(np.searchsorted(dates, days), 0, len(dates) - 1)
        covered = dates[pos] == days
        row = weights.sum(axis=1)
        share = np.where(
            row[dow] > 0, weights[dow, hour] / np.where(row[dow] > 0, row[dow], 1), 1 / 24
        )
        dated = values[pos] * share * scale
        return np.where(covered, dated, per_hour), covered
    pos = np.searchsorted(dates, days, side="right") - 1
    covered = (pos >= 0) & (days - dates[np.maximum(pos, 0)] < np.timedelta64(7, "D"))
    dated = values[np.maximum(pos, 0)] * weights[dow, hour] * scale
    return np.where(covered, dated, per_hour), np.zeros(len(days), dtype=bool)


def _event_factors(scenario: Scenario, stream: Stream, local: pd.DatetimeIndex) -> np.ndarray:
    """The product of the multipliers of the events on each cell's local date."""
    days = _local_days(local)
    factor = np.ones(len(days))
    for event in scenario.demand.events:
        if event.streams is not None and stream.name not in event.streams:
            continue
        inside = (days >= np.datetime64(event.start, "D")) & (days <= np.datetime64(event.end, "D"))
        factor = np.where(inside, factor * event.multiplier, factor)
    return factor


def busyness_multipliers(
    scenario: Scenario, stream: Stream, seed: int, replication: int
) -> pd.Series | None:
    """The busyness multiplier of each local date of a stream, for one replication.

    The multipliers come from :meth:`scenarios.schema.Busyness.frozen` (mean 1, the given
    cv) and their own seed sequence, so turning busyness on moves no other draw. With
    ``level: week`` the days of one horizon week (counted from ``horizon.start``) share a
    value; a shared ``demand.busyness`` gives every stream the same value on a date.

    Returns
    -------
    pandas.Series or None
        Multiplier per local date (index ``datetime64[D]``), from the day before the horizon
        to the day after it; None when no busyness applies to the stream.
    """
    spec = scenario.demand.busyness_for(stream)
    if spec is None:
        return None
    dates = local_dates(scenario)
    shared = stream.busyness is None and spec.shared
    rng = np.random.default_rng(
        stream_seed(seed, replication, "" if shared else stream.name, "busyness")
    )
    if spec.level == "week":
        keys = np.array([week_of(d, scenario.horizon.start) for d in dates])
    else:
        keys = np.arange(len(dates))
    unique, index = np.unique(keys, return_inverse=True)
    draws = np.asarray(spec.frozen().rvs(size=len(unique), random_state=rng), dtype=float)
    return pd.Series(draws[index], index=np.array(dates, dtype="datetime64[D]"))


def _busyness_factors(
    scenario: Scenario,
    stream: Stream,
    origin: pd.Timestamp,
    n_cells: int,
    seed: int,
    replication: int,
) -> np.ndarray | None:
    """Each cell's busyness multiplier (None when no busyness applies)."""
    multipliers = busyness_multipliers(scenario, stream, seed, replication)
    if multipliers is None:
        return None
    cells = pd.date_range(origin, periods=n_cells, freq=f"{CELL_MINUTES}min")
    days = _local_days(cells.tz_convert(stream.region))
    pos = np.searchsorted(multipliers.index.to_numpy(), days)
    return multipliers.to_numpy()[np.clip(pos, 0, len(multipliers) - 1)]


@dataclass(frozen=True, slots=True)
class Tickets:
    """All tickets of one replication, sorted by arrival; one array element per ticket.

    Times are minutes since the horizon origin. ``extra_*`` arrays hold follow-up touches
    (later email touches and reopens) flat; ticket i owns ``extra_start[i]`` to
    ``extra_start[i] + n_extra[i]``.
    """

    arrival: np.ndarray
    stream: np.ndarray
    priority: np.ndarray
    deflected: np.ndarray
    patience: np.ndarray
    handle: np.ndarray
    escalate: np.ndarray
    escalation_handle: np.ndarray
    reopen: np.ndarray
    n_extra: np.ndarray
    extra_start: np.ndarray
    extra_handle: np.ndarray
    extra_gap: np.ndarray

    def __len__(self) -> int:
        return len(self.arrival)


def _stream_tickets(
    scenario: Scenario,
    index: int,
    stream: Stream,
    origin: pd.Timestamp,
    seed: int,
    replication: int,
) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(stream_seed(seed, replication, stream.name, "arrivals"))
    rate = stream_rates(scenario, stream, origin)
    busy = _busyness_factors(scenario, stream, origin, len(rate), seed, replication)
    if busy is not None:
        rate = rate * busy
    counts = rng.poisson(rate)
    n = int(counts.sum())
    cell_start = np.repeat(np.arange(len(rate)) * float(CELL_MINUTES), counts)
    arrival = np.sort(cell_start + rng.uniform(0, CELL_MINUTES, n))
    names = list(stream.priority_mix)
    probs = np.array([stream.priority_mix[p] for p in names])
    drawn = rng.choice(len(names), size=n, p=probs / probs.sum())
    priority = np.array([PRIORITIES.index(p) for p in names], dtype=np.int8)[drawn]

    attr = np.random.default_rng(stream_seed(seed, replication, stream.name, "attributes"))
    deflection = stream.deflection if stream.deflection is not None else scenario.demand.deflection
    deflected = attr.random(n) < deflection
    spec = scenario.channel(stream.channel)
    handle = draw_durations(attr, spec.handle_minutes, n, "lognormal")
    if stream.channel in SYNCHRONOUS_CHANNELS and spec.patience_minutes is not None:
        patience = draw_durations(attr, spec.patience_minutes, n, "exponential")
    else:
        patience = np.full(n, np.inf)
    esc = scenario.escalation
    escalate = attr.random(n) < (esc.rate if esc else 0.0)
    escalation_handle = (
        draw_durations(attr, esc.handle_minutes, n, "lognormal") if esc else np.zeros(n)
    )
    reopen = attr.random(n) < scenario.reopen_rate
    extra_touches = (
        attr.poisson(spec.touches - 1.0, n) if stream.channel == "email" else np.zeros(n, int)
    )
    n_extra = (extra_touches + reopen).astype(np.int32)
    total = int(n_extra.sum())
    extra_handle = draw_durations(attr, spec.handle_minutes, total, "lognormal")
    extra_gap = attr.exponential(spec.customer_reply_hours * 60.0, total)
    return {
        "arrival": arrival,
        "stream": np.full(n, index, dtype=np.int16),
        "priority": priority,
        "deflected": deflected,
        "patience": patience,
        "handle": handle,
        "escalate": escalate,
        "escalation_handle": escalation_handle,
        "reopen": reopen,
        "n_extra": n_extra,
        "extra_handle": extra_handle,
        "extra_gap": extra_gap,
    }


def generate_tickets(scenario: Scenario, seed: int, replication: int = 0) -> Tickets:
    """Draw every ticket of the horizon for one replication, sorted by arrival."""
    origin = horizon_origin(scenario)
    parts = [
        _stream_tickets(scenario, i, s, origin, seed, replication)
        for i, s in enumerate(scenario.demand.streams)
    ]
    arrival = np.concatenate([p["arrival"] for p in parts])
    order = np.argsort(arrival, kind="stable")

    def per_ticket(key: str) -> np.ndarray:
        return np.concatenate([p[key] for p in parts])[order]

    n_extra_by_stream = np.concatenate([p["n_extra"] for p in parts])
    # Flat follow-up arrays keep their per-stream layout; map each ticket to its slice.
    flat_start = np.concatenate(([0], np.cumsum(n_extra_by_stream)[:-1])).astype(np.int64)
    return Tickets(
        arrival=arrival[order],
        stream=per_ticket("stream"),
        priority=per_ticket("priority"),
        deflected=per_ticket("deflected"),
        patience=per_ticket("patience"),
        handle=per_ticket("handle"),
        escalate=per_ticket("escalate"),
        escalation_handle=per_ticket("escalation_handle"),
        reopen=per_ticket("reopen"),
        n_extra=n_extra_by_stream[order],
        extra_start=flat_start[order],
        extra_handle=np.concatenate([p["extra_handle"] for p in parts]),
        extra_gap=np.concatenate([p["extra_gap"] for p in parts]),
    )


def expected_arrivals(scenario: Scenario) -> pd.DataFrame:
    """Expected arrivals per stream and grid cell (after deflection), for requirements.

    Columns: ``minute`` (cell start since origin), ``stream``, ``arrivals``.
    """
    origin = horizon_origin(scenario)
    frames = []
    for stream in scenario.demand.streams:
        rate = stream_rates(scenario, stream, origin)
        deflection = (
            stream.deflection if stream.deflection is not None else scenario.demand.deflection
        )
        frames.append(
            pd.DataFrame(
                {
                    "minute": np.arange(len(rate)) * CELL_MINUTES,
                    "stream": stream.name,
                    "arrivals": rate * (1 - deflection),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)
