"""Forecast: the scenario whose demand follows a forecast date by date.

Role: :func:`forecast_scenario` writes scenario data from a :class:`Forecast`: each stream's
``volume`` is the forecast mean per local date, its ``busyness`` carries the forecast's
uncertainty into the simulation (a log-normal day multiplier whose cv makes simulated daily
arrivals as spread as the forecast's bands), its profile is the smoothed intraday shape of
each weekday. For a ticket export, channels (handle times with the trend's expected level,
patience), priority mixes, deflection, reopen rate and service levels come from
:func:`scenarios.ticket_import.fit_scenario`, as ``import-tickets`` fits them; a table of
counts gets the documented channel defaults. One placeholder team is sized from the
forecast's busiest week (offered load / 85% occupancy, greedy 8-hour shifts), to be
replaced by the real teams or by ``optimize``.

Plain data on top of :mod:`scenarios.ticket_import`. Must not import ``sim``,
``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from scenarios.forecast.pipeline import Forecast, StreamForecast
from scenarios.schema import CHANNELS, DEFAULT_CHANNELS
from scenarios.ticket_import import PRESETS, fit_scenario
from scenarios.ticket_import.estimators import _cover_shifts

MAX_OCCUPANCY = 0.85
"""Occupancy the placeholder team is sized for."""

MIN_RATE = 0.05
"""Hours of the week with fewer expected contacts an hour get no placeholder agent."""


def forecast_scenario(forecast: Forecast, name: str) -> tuple[dict[str, Any], list[str]]:
    """Scenario data whose demand follows the forecast, and notes on what was assumed.

    Parameters
    ----------
    forecast
        From :func:`scenarios.forecast.forecast_history`.
    name
        Scenario name.

    Returns
    -------
    data : dict
        Scenario data that :func:`scenarios.scenario_from_data` accepts: the horizon is the
        forecast's, every stream has a daily ``volume`` (forecast mean, contacts per local
        date) and a ``busyness`` (log-normal, per day) set from the forecast's error.
    notes : list of str
        What was assumed (channel defaults, the placeholder team).
    """
    notes: list[str] = []
    fitted: dict[str, Any] = {}
    tickets = forecast.history.tickets
    if tickets is not None:
        fitted, _ = fit_scenario(tickets, name)
    fitted_streams = {s["name"]: s for s in fitted.get("demand", {}).get("streams", [])}
    channels_present = sorted({s.history.channel for s in forecast.streams}, key=CHANNELS.index)
    channels: dict[str, Any] = {
        ch: dict(spec) for ch, spec in fitted.get("channels", {}).items() if ch in channels_present
    }
    for channel in channels_present:
        level = _handle_level(forecast.streams, channel)
        if level is not None and channel in channels:
            handle = dict(channels[channel]["handle_minutes"])
            handle["mean"] = round(level, 4)
            channels[channel]["handle_minutes"] = handle
    if tickets is None:
        notes.append(
            "no handle times in a table of counts: channels use the documented defaults "
            "(edit channels: to your handle times)"
        )
    streams = [_stream_data(s, fitted_streams.get(s.name, {})) for s in forecast.streams]
    main = max(forecast.streams, key=lambda s: float(s.table["mean"].sum())).history.region
    team = _placeholder_team(forecast, channels, main)
    notes.append(
        f"team 'forecast' is a placeholder: {team['agents']} agents sized for the forecast's "
        f"busiest week at {MAX_OCCUPANCY:.0%} occupancy, without queueing formulas; replace it "
        "with the real teams or run optimize"
    )
    levels = fitted.get("service_levels") or [
        dict(s) for s in PRESETS["generic"].service_levels if s["channel"] in channels_present
    ]
    described = "; ".join(
        f"{s.name}: {s.model}"
        + (
            f", held-out WAPE {s.accuracy.wape:.1%}, MASE {s.accuracy.mase:.2f}"
            if s.accuracy is not None and np.isfinite(s.accuracy.wape)
            else ""
        )
        for s in forecast.streams
    )
    data: dict[str, Any] = {
        "name": name,
        "description": f"Forecast of {Path(forecast.history.source).name} (history "
        f"{forecast.history.first} to {forecast.history.last}) for {forecast.start} to "
        f"{forecast.end}. {described}.",
        "horizon": {
            "start": forecast.start.isoformat(),
            "weeks": round(forecast.days / 7, 6),
            "interval_minutes": 30,
            "timezone": main,
        },
        "demand": {"streams": streams},
    }
    if channels:
        data["channels"] = channels
    if "reopen_rate" in fitted:
        data["reopen_rate"] = fitted["reopen_rate"]
    data["service_levels"] = levels
    data["teams"] = [team]
    data["shrinkage"] = 0.0
    return data, notes


def _handle_level(streams: list[StreamForecast], channel: str) -> float | None:
    """The horizon's expected handle time of a channel: its streams' levels weighted by
    their forecast volume."""
    pairs = [
        (s.handle.horizon_minutes, float(s.table["mean"].sum()))
        for s in streams
        if s.history.channel == channel and s.handle is not None
    ]
    weight = sum(w for _, w in pairs)
    if not pairs or weight <= 0:
        return None
    return sum(v * w for v, w in pairs) / weight


def _stream_data(stream: StreamForecast, fitted: dict[str, Any]) -> dict[str, Any]:
    """One stream of the scenario: identity, daily volume, busyness, profile, mix."""
    h = stream.history
    out: dict[str, Any] = {
        "name": h.name,
        "language": h.language,
        "channel": h.channel,
        "region": h.region,
    }
    if h.country is not None:
        out["country"] = h.country
    out["volume"] = {
        "per": "day",
        "values": {
            d.isoformat(): round(float(v), 3)
            for d, v in zip(stream.table["date"], stream.table["mean"], strict=True)
        },
    }
    if stream.busyness_cv > 0:
        out["busyness"] = {
            "distribution": "lognormal",
            "cv": round(stream.busyness_cv, 4),
            "level": "day",
        }
    profile = stream.profile
    if profile is not None and profile.sum() > 0:
        out["profile"] = [[_round(x) for x in row] for row in profile]
    else:
        out["profile"] = "24x7"
    for key in ("priority_mix", "deflection"):
        if key in fitted:
            out[key] = fitted[key]
    return out


def _round(value: float) -> float | int:
    rounded = float(f"{value:.5g}") if value else 0.0
    return int(rounded) if rounded.is_integer() else rounded


def _busiest_week(stream: StreamForecast) -> float:
    """Forecast contacts in the busiest 7 consecutive days of the horizon."""
    means = stream.table["mean"].to_numpy(dtype=float)
    if len(means) < 7:
        return float(means.sum()) * 7 / max(len(means), 1)
    return float(pd.Series(means).rolling(7).sum().max())


def _placeholder_team(forecast: Forecast, channels: dict[str, Any], zone: str) -> dict[str, Any]:
    """One team in ``zone`` whose shifts cover the busiest week's offered load."""
    first = forecast.start + dt.timedelta(days=(7 - forecast.start.weekday()) % 7)
    hours = pd.date_range(pd.Timestamp(first).tz_localize(zone), periods=168, freq="h")
    load = np.zeros(168)
    rate = np.zeros(168)
    for stream in forecast.streams:
        h = stream.history
        weights = (
            stream.profile
            if stream.profile is not None and stream.profile.sum() > 0
            else np.ones((7, 24))
        )
        weights = weights / weights.sum()
        local = hours.tz_convert(h.region)
        per_hour = _busiest_week(stream) * weights[local.day_of_week, local.hour]
        spec = channels.get(h.channel) or DEFAULT_CHANNELS[h.channel]
        handle = dict(spec["handle_minutes"])["mean"]
        concurrency = spec.get("concurrency", DEFAULT_CHANNELS[h.channel].get("concurrency", 1))
        rate += per_hour
        load += per_hour * float(handle) / 60.0 / float(concurrency)
    required = np.where(rate >= MIN_RATE, np.maximum(1, np.ceil(load / MAX_OCCUPANCY)), 0)
    shifts = _cover_shifts(required.reshape(7, 24))
    if not shifts:
        shifts = [{"days": "Mon-Fri", "start": "09:00", "hours": 8, "agents": 1}]
    return {
        "name": "forecast",
        "timezone": zone,
        "agents": int(sum(s["agents"] for s in shifts)),
        "languages": sorted({s.history.language for s in forecast.streams}),
        "channels": sorted({s.history.channel for s in forecast.streams}, key=CHANNELS.index),
        "hourly_cost": 0.0,
        "shifts": shifts,
    }
