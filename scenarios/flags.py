"""Values of command-line flags: bounded whole numbers, positive numbers, dates, horizons.

Each parser takes the text of one flag and returns its value, or raises
``argparse.ArgumentTypeError`` with what was found and what was expected (the command
line shows it as one line). NaN and infinity are never numbers here, and a value is
quoted only as a short excerpt. Must not import ``sim``, ``optimizer``, ``reports`` or
``run_sim``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
from functools import partial

from scenarios.schema import MAX_SEED
from scenarios.types import check_calendar_date


def _shown(text: str) -> str:
    return repr(text) if len(text) <= 40 else repr(text[:37] + "...")


def whole(text: str, low: int = 1, high: int = 1_000_000) -> int:
    """A whole number from ``low`` to ``high``."""
    digits = text.strip().lstrip("+-")
    if not digits.isdigit() or len(digits) > 30:
        raise argparse.ArgumentTypeError(f"found {_shown(text)}, expected a whole number")
    value = int(text)
    if not low <= value <= high:
        expected = f"{low} or more" if value < low else f"at most {high:,}"
        raise argparse.ArgumentTypeError(f"found {value}, expected {expected}")
    return value


def positive(text: str, high: float = 7 * 86400) -> float:
    """A positive, finite number of at most ``high`` (default: a week of seconds)."""
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"found {_shown(text)}, expected a number") from None
    if not math.isfinite(value) or not 0 < value <= high:
        raise argparse.ArgumentTypeError(
            f"found {_shown(text)}, expected a positive number of at most {high:g}"
        )
    return value


count = partial(whole)
replications = partial(whole, high=1_000)
workers = partial(whole, high=256)
max_tickets = partial(whole, high=10**12)
seed = partial(whole, low=0, high=MAX_SEED)
weeks = partial(positive, high=104)
port = partial(whole, low=1, high=65_535)


def horizon_days(text: str) -> int:
    """``8w``, ``56d`` or a bare number of weeks -> days (1 day to 104 weeks)."""
    word = text.strip().lower()
    unit = word[-1:] if word[-1:] in ("w", "d") else "w"
    number = word[:-1] if word[-1:] in ("w", "d") else word
    try:
        value = float(number)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"found {_shown(text)}, expected weeks or days such as 8w or 56d"
        ) from None
    if value != value:
        raise argparse.ArgumentTypeError(f"found {_shown(text)}, expected weeks or days such as 8w")
    days = round(value * (7 if unit == "w" else 1)) if abs(value) < 1e6 else 0
    if not 1 <= days <= 104 * 7:
        raise argparse.ArgumentTypeError(f"found {_shown(text)}, expected 1 day to 104 weeks")
    return days


RISK_LOW, RISK_HIGH = 0.5, 0.99
"""Risk levels ``optimize --risk`` accepts: from the median day to all but one day in a
hundred (beyond, the quantile rests on the far tail of an assumed distribution)."""


def risk_levels(text: str) -> tuple[float, ...]:
    """``0.8`` or a comma list such as ``0.5,0.8,0.9``: distinct probabilities from 0.5 to
    0.99, returned in increasing order."""
    words = [w.strip() for w in text.split(",")]
    if len(words) > 20:
        raise argparse.ArgumentTypeError(
            f"found {len(words)} risk levels, expected at most 20 (such as 0.5,0.8,0.9)"
        )
    levels = set()
    for word in words:
        try:
            value = float(word)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"found {_shown(word)}, expected a probability from {RISK_LOW:g} to "
                f"{RISK_HIGH:g}, or a comma list such as 0.5,0.8,0.9"
            ) from None
        if not math.isfinite(value) or not RISK_LOW <= value <= RISK_HIGH:
            raise argparse.ArgumentTypeError(
                f"found {_shown(word)}, expected a probability from {RISK_LOW:g} to {RISK_HIGH:g}"
            )
        levels.add(value)
    return tuple(sorted(levels))


def date(text: str) -> dt.date:
    """A date such as 2026-03-02, inside the calendar scenarios use."""
    try:
        return check_calendar_date(dt.date.fromisoformat(text.strip()))
    except ValueError as exc:
        problem = str(exc) if "expected a date from" in str(exc) else ""
        raise argparse.ArgumentTypeError(
            problem or f"found {_shown(text)}, expected a date such as 2026-03-02"
        ) from None
