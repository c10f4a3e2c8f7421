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
number of touches, customer reply gaps, reopen and escalation; and, each from a seed of its
own so that the draws above stay the same when they are switched on, customer segment,
balking and arrival during an outage. Must not import SimPy.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import pandas as pd

from scenarios.calendar import (
    holiday_dates,
    horizon_cells,
    horizon_origin,
    local_dates,
    surge_minutes,
    week_of,
)
from scenarios.schema import PRIORITY_RANK, Distribution, Scenario, Stream, Surge

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
    exponential: cv is 1 by definition; fixed: always the mean; uniform: from ``low`` to
    ``high``. Factors by hour (``by_hour``) are applied by :func:`hour_factors`.
    """
    family = dist.distribution or default
    mean, cv = dist.mean, dist.cv
    if family == "uniform" and dist.low is not None and dist.high is not None:
        return rng.uniform(dist.low, dist.high, size)
    if family == "fixed" or (cv == 0 and family != "exponential"):
        return np.full(size, mean)
    if family == "exponential":
        return rng.exponential(mean, size)
    if family == "gamma":
        shape = 1.0 / cv**2
        return rng.gamma(shape, mean / shape, size)
    sigma2 = np.log1p(cv**2)
    return rng.lognormal(np.log(mean) - sigma2 / 2, np.sqrt(sigma2), size)


def hour_factors(dist: Distribution, hours: np.ndarray) -> np.ndarray | None:
    """Each ticket's factor on a drawn time for its local hour of day (None: no factors)."""
    if dist.by_hour is None:
        return None
    return np.asarray(dist.by_hour, dtype=float)[hours]


def block_draws(draw: Callable[[int], np.ndarray], block: int = 512) -> Callable[[], float]:
    """Random values drawn in blocks of ``block`` from a seeded generator, one per call.

    For draws the engine needs one at a time (a retrial's delay, a routing choice): as
    reproducible as bulk draws, without a NumPy call per value. The returned callable is
    the ``__next__`` of an endless chain of blocks (a C call, not a Python one).
    """
    blocks = iter(lambda: draw(block).tolist(), None)  # never None: an endless iterator
    return itertools.chain.from_iterable(blocks).__next__


def stream_rates(scenario: Scenario, stream: Stream, origin: pd.Timestamp) -> np.ndarray:
    """Expected arrivals per grid cell (before deflection) over the horizon.

    The weekly volume is spread over the hour-of-week weights in the stream's local time,
    multiplied by the holiday factor on local public holidays, by surges and by growth.
    A surge with multiplier 0 on a stream whose channel has retrials is an outage: its
    customers still arrive (and are blocked, see :func:`outage_windows`).
    """
    local = horizon_cells(scenario, stream.region, CELL_MINUTES)
    rate, by_day = _volume_rate(scenario, stream, local)
    rate = _holiday_rate(stream, local, rate, by_day)
    offsets = np.arange(len(local)) * CELL_MINUTES
    rate = _growth_rate(scenario, offsets, rate)
    for surge in scenario.demand.surges:
        if _surge_applies(surge, stream) and not _is_outage(scenario, stream, surge):
            rate = np.where(
                _surge_cells(scenario, surge, origin, offsets), rate * surge.multiplier, rate
            )
    if scenario.demand.events:
        rate = rate * _event_factors(scenario, stream, local)
    return np.asarray(rate, dtype=float)


def _volume_rate(
    scenario: Scenario, stream: Stream, local: pd.DatetimeIndex
) -> tuple[np.ndarray, np.ndarray]:
    """Tickets per cell from the weekly volume over the local hour-of-week weights, or from
    the dated volume series; and which cells a daily value set."""
    weights = stream.weights()
    volume = stream.tickets_per_week * scenario.demand.scale
    per_hour = volume * weights[local.day_of_week, local.hour]
    by_day = np.zeros(len(local), dtype=bool)
    if stream.volume is not None:
        per_hour, by_day = _dated_volume(stream, local, per_hour, scenario.demand.scale)
    return np.asarray(per_hour * (CELL_MINUTES / 60.0)), by_day


def _holiday_rate(
    stream: Stream, local: pd.DatetimeIndex, rate: np.ndarray, by_day: np.ndarray
) -> np.ndarray:
    """The holiday factor on the customers' public holidays (not on cells whose daily value
    already says what the day brings, holidays included)."""
    if stream.country is None:
        return rate
    local_dates = local.date
    days = holiday_dates(stream.country, local_dates[0], local_dates[-1])
    if not days:
        return rate
    is_holiday = pd.Index(local_dates).isin(list(days)) & ~by_day
    return np.where(is_holiday, rate * stream.holiday_factor, rate)


def _growth_rate(scenario: Scenario, offsets: np.ndarray, rate: np.ndarray) -> np.ndarray:
    """Growth per year, compounded from the horizon's origin."""
    if not scenario.demand.growth_per_year:
        return rate
    years = offsets / (365.25 * 1440)
    return rate * (1 + scenario.demand.growth_per_year) ** years


def _surge_applies(surge: Surge, stream: Stream) -> bool:
    return surge.streams is None or stream.name in surge.streams


def _is_outage(scenario: Scenario, stream: Stream, surge: Surge) -> bool:
    """A surge with multiplier 0 whose lost contacts come back (the channel has retrials)."""
    return (
        surge.multiplier == 0
        and scenario.is_live(stream.channel)
        and scenario.channel(stream.channel).retrial is not None
    )


def _surge_cells(
    scenario: Scenario, surge: Surge, origin: pd.Timestamp, offsets: np.ndarray
) -> np.ndarray:
    """Cells (by their midpoint) inside a surge."""
    lo, hi = surge_minutes(scenario, surge, origin)
    mid = offsets + CELL_MINUTES / 2
    return np.asarray((mid >= lo) & (mid < hi))


def outage_windows(scenario: Scenario, stream: Stream) -> list[tuple[float, float]]:
    """Outages of a stream, as [start, end) minutes on whole cells: surges with multiplier
    0 when its channel has retrials. A contact arriving then is blocked and may retry."""
    origin = horizon_origin(scenario)
    n_cells = len(horizon_cells(scenario, "UTC", CELL_MINUTES))
    offsets = np.arange(n_cells) * CELL_MINUTES
    out = []
    for surge in scenario.demand.surges:
        if _surge_applies(surge, stream) and _is_outage(scenario, stream, surge):
            cells = np.flatnonzero(_surge_cells(scenario, surge, origin, offsets))
            if len(cells):
                out.append((float(offsets[cells[0]]), float(offsets[cells[-1]] + CELL_MINUTES)))
    merged: list[tuple[float, float]] = []
    for lo, hi in sorted(out):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(hi, merged[-1][1]))
        else:
            merged.append((lo, hi))
    return merged


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
    ``extra_start[i] + n_extra[i]``. ``segment`` indexes ``demand.segments`` (-1: none),
    ``balks`` says whether the first attempt leaves at once if it must wait, ``outage``
    whether it arrives while its stream is out (it is blocked). The last three may be left
    out of hand-made tickets (none, none, no).
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
    segment: np.ndarray | None = None
    balks: np.ndarray | None = None
    outage: np.ndarray | None = None

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
    cell = np.repeat(np.arange(len(rate)), counts)
    cell_start = cell * float(CELL_MINUTES)
    offsets = rng.uniform(0, CELL_MINUTES, n)
    order = np.argsort(cell_start + offsets, kind="stable")
    arrival = (cell_start + offsets)[order]
    cell = cell[order]
    names = list(stream.priority_mix)
    probs = np.array([stream.priority_mix[p] for p in names])
    drawn = rng.choice(len(names), size=n, p=probs / probs.sum())
    priority = np.array([PRIORITIES.index(p) for p in names], dtype=np.int8)[drawn]

    attr = np.random.default_rng(stream_seed(seed, replication, stream.name, "attributes"))
    deflection = stream.deflection if stream.deflection is not None else scenario.demand.deflection
    deflected = attr.random(n) < deflection
    spec = scenario.channel(stream.channel)
    handle_dist = scenario.handle_for(stream)
    handle = draw_durations(attr, handle_dist, n, "lognormal")
    patience_dist = scenario.patience_for(stream)
    if patience_dist is not None:
        patience = draw_durations(attr, patience_dist, n, "exponential")
    else:
        patience = np.full(n, np.inf)
    esc = scenario.escalation
    escalate = attr.random(n) < (esc.rate if esc else 0.0)
    escalation_handle = (
        draw_durations(attr, esc.handle_minutes, n, "lognormal") if esc else np.zeros(n)
    )
    reopen = attr.random(n) < scenario.reopen_rate
    extra_touches = (
        attr.poisson(spec.touches - 1.0, n)
        if not scenario.is_live(stream.channel)
        else np.zeros(n, int)
    )
    n_extra = (extra_touches + reopen).astype(np.int32)
    total = int(n_extra.sum())
    extra_handle = draw_durations(attr, handle_dist, total, "lognormal")
    extra_gap = attr.exponential(spec.customer_reply_hours * 60.0, total)
    hours = _local_hours(scenario, stream, cell)
    handle, extra_handle, patience, escalation_handle = _by_hour(
        scenario, stream, hours, n_extra, handle, extra_handle, patience, escalation_handle
    )
    segment, priority = _segments(scenario, stream, seed, replication, priority)
    balks = np.zeros(n, dtype=bool)
    if scenario.is_live(stream.channel) and spec.balk_probability > 0:
        draws = np.random.default_rng(stream_seed(seed, replication, stream.name, "balking"))
        balks = draws.random(n) < spec.balk_probability
    outage = np.zeros(n, dtype=bool)
    for lo, hi in outage_windows(scenario, stream):
        outage |= (arrival >= lo) & (arrival < hi)
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
        "segment": segment,
        "balks": balks,
        "outage": outage,
    }


def _local_hours(scenario: Scenario, stream: Stream, cell: np.ndarray) -> np.ndarray | None:
    """Each ticket's hour of day in the customers' time zone, where a time needs it."""
    dists = [scenario.handle_for(stream), scenario.patience_for(stream)]
    if scenario.escalation is not None:
        dists.append(scenario.escalation.handle_minutes)
    if all(d is None or d.by_hour is None for d in dists):
        return None
    local = horizon_cells(scenario, stream.region, CELL_MINUTES)
    return np.asarray(local.hour)[cell]


def _by_hour(
    scenario: Scenario,
    stream: Stream,
    hours: np.ndarray | None,
    n_extra: np.ndarray,
    handle: np.ndarray,
    extra_handle: np.ndarray,
    patience: np.ndarray,
    escalation_handle: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Handle, follow-up handle, patience and escalation handle times times their factor
    for the hour of day the ticket arrived (customers' local time)."""
    if hours is None:
        return handle, extra_handle, patience, escalation_handle
    factor = hour_factors(scenario.handle_for(stream), hours)
    if factor is not None:
        handle = handle * factor
        extra_handle = extra_handle * np.repeat(factor, n_extra)
    patience_dist = scenario.patience_for(stream)
    if patience_dist is not None:
        factor = hour_factors(patience_dist, hours)
        if factor is not None:
            patience = patience * factor
    if scenario.escalation is not None:
        factor = hour_factors(scenario.escalation.handle_minutes, hours)
        if factor is not None:
            escalation_handle = escalation_handle * factor
    return handle, extra_handle, patience, escalation_handle


def _segments(
    scenario: Scenario, stream: Stream, seed: int, replication: int, priority: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Each ticket's customer segment (-1: no segments), and its priority where the segment
    sets one."""
    n = len(priority)
    mix = scenario.demand.segment_mix(stream)
    if not mix:
        return np.full(n, -1, dtype=np.int8), priority
    names = [seg.name for seg in scenario.demand.segments]
    codes = np.array([names.index(name) for name in mix], dtype=np.int8)
    probs = np.array(list(mix.values()), dtype=float)
    rng = np.random.default_rng(stream_seed(seed, replication, stream.name, "segments"))
    segment = codes[rng.choice(len(codes), size=n, p=probs / probs.sum())]
    segment_priority = np.array(
        [
            -1 if seg.priority is None else PRIORITIES.index(seg.priority)
            for seg in scenario.demand.segments
        ],
        dtype=np.int8,
    )[segment]
    priority = np.where(segment_priority >= 0, segment_priority, priority).astype(np.int8)
    return segment, priority


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
        segment=per_ticket("segment"),
        balks=per_ticket("balks"),
        outage=per_ticket("outage"),
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
