"""Ticket import: fitting a scenario to normalised tickets.

Role: :func:`fit_scenario` -- streams with weekly volume and hour-of-week profile,
channel handle times and patience, reopen rate, first-response quantiles, the
placeholder ``observed`` team and the horizon -- and its :class:`FitReport`.

Pure pandas and numpy on top of ``scenarios.schema``. Must not import ``simpy``, ``sim``
(the engine, demand or queueing modules), ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from scenarios.channels import BUILTIN_CHANNEL_KINDS, CHANNELS, DEFAULT_CHANNELS
from scenarios.ticket_import.estimators import (
    _as_category,
    _fit_handle,
    _fit_patience,
    _local,
    _priority_mix,
    _round,
    _shift_zone,
    _stream_name,
    _values,
    hour_of_week_counts,
)
from scenarios.ticket_import.fields import TicketImportError
from scenarios.ticket_import.fit_report import FitReport, HandleFit, PatienceFit, StreamFit
from scenarios.ticket_import.presets import PRESETS
from scenarios.ticket_import.team import placeholder_team


def fit_scenario(
    tickets: pd.DataFrame,
    name: str,
    *,
    horizon: Literal["next_week", "observed"] = "next_week",
    weeks: float = 1.0,
    interval_minutes: int = 30,
    max_occupancy: float = 0.85,
    min_rate: float = 0.05,
    service_levels: Sequence[Mapping[str, Any]] | None = None,
) -> tuple[dict[str, Any], FitReport]:
    """Fit scenario data to normalised tickets (from :func:`read_tickets`).

    Parameters
    ----------
    tickets
        Normalised tickets; ``attrs["import"]`` (if present) supplies provenance.
    name
        Scenario name.
    horizon
        ``"next_week"``: ``weeks`` weeks from the Monday after the last ticket (a period to
        plan); ``"observed"``: the local dates of the data, whole days (for back-tests).
    weeks
        Horizon length for ``"next_week"``.
    interval_minutes
        The scenario's reporting interval.
    max_occupancy
        Occupancy assumed when the team is sized from workload (no agents in the log).
    min_rate
        Hours of the week with fewer expected tickets an hour than this get no agents.
    service_levels
        Service levels to write; default: the preset's.

    Returns
    -------
    data : dict
        Scenario data that :func:`scenarios.scenario_from_data` accepts. Each stream
        (language x channel x region) has ``tickets_per_week`` and an explicit 7 x 24
        ``profile`` in the region's local time whose weights are the average tickets per
        hour observed (tickets in that weekday-hour / occurrences of the weekday in the
        date span), and its ``priority_mix``. Channels carry a lognormal ``handle_minutes``
        with the sample mean and cv (so the simulated workload is the observed one; the
        maximum likelihood fit is in the report) and, where calls abandon, an exponential
        ``patience_minutes`` fitted to censored waits. Callers who hung up before reaching
        the agent queue become the stream's ``deflection``. One placeholder team
        (``observed``) is sized from the agents seen in the log, or from the workload.
    report : FitReport
        Provenance and fit quality.
    """
    if tickets.empty:
        raise TicketImportError("no tickets to fit (expected at least one)")
    meta = dict(tickets.attrs.get("import", {}))
    regions = _values(tickets["region"])
    main_region = str(_as_category(tickets["region"]).value_counts().index[0])
    local_main = _local(tickets["created"], main_region)
    first_date = local_main.min().date()
    last_date = local_main.max().date()
    span_days = (last_date - first_date).days + 1

    streams: list[dict[str, Any]] = []
    stream_fits: list[StreamFit] = []
    rates_by_channel: dict[str, np.ndarray] = {}
    keys = ["language", "channel", "region"]
    groups = tickets.groupby([_as_category(tickets[k]) for k in keys], sort=True, observed=True)
    spans: dict[str, tuple[dt.date, dt.date]] = {}
    for (language, channel, region), frame in groups:
        if region not in spans:  # the whole log's dates, on this region's clock
            local = _local(tickets["created"], region)
            spans[region] = (local.min().date(), local.max().date())
        lo, hi = spans[region]
        counts, days = hour_of_week_counts(frame["created"], region, lo, hi)
        rates = counts / np.maximum(days, 1)[:, None]
        per_week = float(rates.sum())
        stream_name = _stream_name(language, channel, region, len(regions))
        d, h = np.unravel_index(int(np.argmax(rates)), rates.shape)
        weekday = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")[int(d)]
        stream_fits.append(
            StreamFit(
                name=stream_name,
                language=language,
                channel=channel,
                region=region,
                tickets=len(frame),
                tickets_per_week=per_week,
                peak=f"{weekday} {int(h):02d}:00 local, {rates[d, h]:.2f} an hour",
            )
        )
        streams.append(
            {
                "name": stream_name,
                "language": language,
                "channel": channel,
                "region": region,
                "tickets_per_week": _round(per_week, 8),
                "profile": [[_round(float(x)) for x in row] for row in rates],
                "priority_mix": _priority_mix(frame["priority"]),
            }
        )
        # Callers who hung up before reaching the agent queue (in the IVR): no agent could
        # have answered them, so they are the stream's deflection, not abandonment.
        before_queue = frame["abandoned"].to_numpy(bool) & (frame["wait_minutes"].to_numpy() <= 0)
        if BUILTIN_CHANNEL_KINDS[channel] == "live" and before_queue.any():
            streams[-1]["deflection"] = round(float(before_queue.mean()), 6)
        here = rates if region == main_region else _shift_zone(rates, region, main_region, lo)
        rates_by_channel[channel] = rates_by_channel.get(channel, np.zeros((7, 24))) + here

    channels_present = sorted(_values(tickets["channel"]), key=CHANNELS.index)
    channel_data: dict[str, Any] = {}
    handle_fits: dict[str, HandleFit] = {}
    patience_fits: dict[str, PatienceFit] = {}
    notes = list(meta.get("notes", []))
    deflected = 0
    for channel in channels_present:
        frame = tickets[(_as_category(tickets["channel"]) == channel).to_numpy()]
        spec: dict[str, Any] = {}
        fit = _fit_handle(channel, frame.loc[~frame["abandoned"], "handle_minutes"].to_numpy(float))
        if fit is not None:
            handle_fits[channel] = fit
            spec["handle_minutes"] = {
                "mean": _round(fit.mean, 5),
                "cv": _round(fit.cv, 5),
                "distribution": "lognormal",
            }
        else:
            default = float(DEFAULT_CHANNELS[channel]["handle_minutes"]["mean"])
            spec["handle_minutes"] = {"mean": default, "cv": 1.0, "distribution": "lognormal"}
            notes.append(f"no handle times for {channel}: assumed mean {default:g} min, cv 1")
        if BUILTIN_CHANNEL_KINDS[channel] == "live":
            pf = _fit_patience(channel, frame)
            if pf is not None:
                patience_fits[channel] = pf
                deflected += pf.left_before_queue
                if pf.mean is not None:
                    spec["patience_minutes"] = {
                        "mean": _round(pf.mean, 5),
                        "distribution": "exponential",
                    }
        channel_data[channel] = spec

    quantiles: dict[str, dict[str, float]] = {}
    missing_first: dict[str, int] = {}
    for channel in channels_present:
        frame = tickets[(_as_category(tickets["channel"]) == channel).to_numpy()]
        waits = ((frame["first_response"] - frame["created"]).dt.total_seconds() / 60.0).dropna()
        missing_first[channel] = int(len(frame) - len(waits))
        if len(waits):
            quantiles[channel] = {
                f"p{int(q * 100)}": float(np.quantile(waits, q))
                for q in (0.1, 0.25, 0.5, 0.75, 0.9, 0.95)
            }
            quantiles[channel]["mean"] = float(waits.mean())

    reopened = tickets["reopened"]
    reopen_rate = float(reopened.dropna().astype(bool).mean()) if reopened.notna().any() else None

    days_per_weekday = hour_of_week_counts(tickets["created"], main_region)[1]
    load = np.zeros((7, 24))
    for channel, rates in rates_by_channel.items():
        mean = channel_data[channel]["handle_minutes"]["mean"]
        concurrency = DEFAULT_CHANNELS[channel].get("concurrency", 1)
        load += rates * mean / 60.0 / concurrency
    team, team_note = placeholder_team(
        tickets,
        main_region,
        days_per_weekday,
        load,
        _values(tickets["language"]),
        channels_present,
        max_occupancy=max_occupancy,
        min_rate=min_rate,
        total_rate=sum(rates_by_channel.values(), np.zeros((7, 24))),
    )

    if horizon == "observed":
        if span_days > 104 * 7:
            raise TicketImportError(
                f"the tickets span {span_days} days ({first_date} to {last_date}); a scenario "
                "horizon holds at most 104 weeks (expected a shorter slice of the log)"
            )
        start = first_date
        horizon_weeks = span_days / 7.0
        horizon_zone = main_region
    else:
        start = last_date + dt.timedelta(days=7 - last_date.weekday())
        horizon_weeks = weeks
        horizon_zone = main_region
    levels = list(service_levels if service_levels is not None else meta.get("service_levels", []))
    if not levels:
        levels = [dict(s) for s in PRESETS["generic"].service_levels]
    levels = [dict(s) for s in levels if s["channel"] in channels_present]
    n_total = len(tickets)
    deflection = deflected / n_total
    data: dict[str, Any] = {
        "name": name,
        "description": f"Imported from {Path(str(meta.get('source', 'tickets'))).name}: "
        f"{n_total} tickets, {first_date} to {last_date}.",
        "horizon": {
            "start": start.isoformat(),
            "weeks": round(horizon_weeks, 6),
            "interval_minutes": interval_minutes,
            "timezone": horizon_zone,
        },
        "demand": {"streams": streams},
        "channels": channel_data,
        "reopen_rate": round(reopen_rate, 6) if reopen_rate is not None else 0.0,
        "service_levels": levels,
        "teams": [team],
        "shrinkage": 0.0,
        "costs": {"currency": "USD"},
    }
    if reopen_rate is not None and reopen_rate >= 1:
        data["reopen_rate"] = 0.99
    report = FitReport(
        name=name,
        source=str(meta.get("source", "(data frame)")),
        preset=str(meta.get("preset", "?")),
        rows_read=int(meta.get("rows_read", n_total)),
        dropped={str(k): int(v) for k, v in dict(meta.get("dropped", {})).items()},
        notes=notes,
        tickets=n_total,
        first_date=first_date,
        last_date=last_date,
        weeks=span_days / 7.0,
        streams=stream_fits,
        handle=handle_fits,
        patience=patience_fits,
        first_response=quantiles,
        no_first_response=missing_first,
        reopen_rate=reopen_rate,
        deflection=deflection,
        team=team_note,
    )
    return data, report
