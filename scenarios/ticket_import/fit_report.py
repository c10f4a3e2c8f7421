"""Ticket import: the results of a fit.

Role: the fit result dataclasses -- :class:`StreamFit`, :class:`HandleFit`,
:class:`PatienceFit` -- and :class:`FitReport`, whose lines are printed and written as
comments at the top of the imported scenario.

Plain dataclasses. Must not import ``simpy``, ``sim`` (the engine, demand or queueing
modules), ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass


@dataclass(frozen=True)
class StreamFit:
    """Volume of one stream (language x channel x region)."""

    name: str
    language: str
    channel: str
    region: str
    tickets: int
    tickets_per_week: float
    peak: str


@dataclass(frozen=True)
class HandleFit:
    """Lognormal fits of one channel's handle times (minutes).

    ``mean`` and ``cv`` are the sample's: the lognormal written to the scenario has them,
    so the simulated workload equals the observed one. ``mle_*`` is the maximum likelihood
    lognormal (``scipy.stats.lognorm.fit`` with location 0). Each has its Kolmogorov-Smirnov
    distance to the data; the p-values use parameters estimated from the same data, so
    they are optimistic (and with thousands of calls any visible misfit is significant).
    """

    channel: str
    n: int
    excluded: int
    mean: float
    cv: float
    ks_statistic: float
    ks_pvalue: float
    mle_mean: float
    mle_cv: float
    mle_mu: float
    mle_sigma: float
    mle_ks_statistic: float
    mle_ks_pvalue: float


@dataclass(frozen=True)
class PatienceFit:
    """Patience of one channel from censored waits (minutes).

    Abandoned waits are observed patience; served waits are right-censored patience (the
    customer would have waited at least that long). ``mean`` is the exponential maximum
    likelihood estimate, total waiting time / number abandoned; ``km_median`` the
    Kaplan-Meier median, None when the survival curve stays above one half.
    """

    channel: str
    abandoned: int
    censored: int
    left_before_queue: int
    mean: float | None
    km_median: float | None
    km_last_time: float
    km_last_survival: float


@dataclass
class FitReport:
    """What was read, what was fitted, and how well (printed and written as comments)."""

    name: str
    source: str
    preset: str
    rows_read: int
    dropped: dict[str, int]
    notes: list[str]
    tickets: int
    first_date: dt.date
    last_date: dt.date
    weeks: float
    streams: list[StreamFit]
    handle: dict[str, HandleFit]
    patience: dict[str, PatienceFit]
    first_response: dict[str, dict[str, float]]
    no_first_response: dict[str, int]
    reopen_rate: float | None
    deflection: float
    team: str

    def lines(self) -> list[str]:
        """Human-readable lines: provenance first, then fit quality."""
        dropped = sum(self.dropped.values())
        out = [
            f"imported from {self.source} (format {self.preset})",
            f"rows read {self.rows_read}, dropped {dropped}"
            + (
                " (" + "; ".join(f"{k}: {v}" for k, v in sorted(self.dropped.items())) + ")"
                if dropped
                else ""
            )
            + f", tickets {self.tickets}",
            f"dates {self.first_date} to {self.last_date} (local), {self.weeks:.2f} weeks",
        ]
        out += [f"note: {n}" for n in self.notes]
        for s in self.streams:
            out.append(
                f"stream {s.name}: {s.tickets} tickets, {s.tickets_per_week:.2f} a week; "
                f"peak {s.peak}"
            )
        for h in self.handle.values():
            out.append(
                f"handle {h.channel}: lognormal with the sample mean {h.mean:.3f} min and cv "
                f"{h.cv:.3f} (n {h.n}, {h.excluded} zero or missing left out): KS D "
                f"{h.ks_statistic:.4f} p {h.ks_pvalue:.2g}; maximum likelihood lognormal mean "
                f"{h.mle_mean:.3f} cv {h.mle_cv:.3f}: KS D {h.mle_ks_statistic:.4f} "
                f"p {h.mle_ks_pvalue:.2g}"
            )
        for pf in self.patience.values():
            km = (
                f"{pf.km_median:.2f} min"
                if pf.km_median is not None
                else f"not reached (S={pf.km_last_survival:.2f} at {pf.km_last_time:.1f} min)"
            )
            mean = f"{pf.mean:.2f} min" if pf.mean is not None else "none (no abandonment)"
            out.append(
                f"patience {pf.channel}: exponential MLE mean {mean} from {pf.abandoned} "
                f"abandoned and {pf.censored} censored (served) waits; Kaplan-Meier median {km}"
                + (
                    f"; {pf.left_before_queue} left before the agent queue (deflection)"
                    if pf.left_before_queue
                    else ""
                )
            )
        for channel, q in self.first_response.items():
            text = ", ".join(f"{k} {_duration(v)}" for k, v in q.items())
            out.append(
                f"first response {channel}: {text} "
                f"({self.no_first_response.get(channel, 0)} tickets without one)"
            )
        if self.reopen_rate is not None:
            out.append(f"reopen rate {self.reopen_rate:.4f}")
        out.append(f"team: {self.team}")
        return out


def _duration(minutes: float) -> str:
    if minutes < 1:
        return f"{minutes * 60:.0f}s"
    if minutes < 120:
        return f"{minutes:.1f}min"
    return f"{minutes / 60:.1f}h"
