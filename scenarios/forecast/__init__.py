"""Forecast: from a contact history to next month's demand, with its uncertainty.

Role: read a ticket export or a table of counts (:mod:`~scenarios.forecast.history`, on
the readers and presets of :mod:`scenarios.ticket_import`), forecast each stream's daily
volume with several candidate models chosen on rolling-origin back-tests and measured on
held-out weeks (:mod:`~scenarios.forecast.models`, :mod:`~scenarios.forecast.evaluation`,
:mod:`~scenarios.forecast.pipeline`), with the intraday shape and handle time
(:mod:`~scenarios.forecast.profiles`), and write a scenario whose demand follows the
forecast date by date, carrying its uncertainty as ``busyness``
(:mod:`~scenarios.forecast.scenario`).

Models come from statsmodels (state-space models that take gaps as missing values and
holidays as regressors). Must not import ``sim``, ``optimizer``, ``reports`` or
``run_sim``: the scenario it writes is plain data that the simulation reads like any other.
"""

from scenarios.forecast.evaluation import Calibration, coverage, mase, mase_in_sample, wape
from scenarios.forecast.history import (
    COUNT_FIELDS,
    History,
    HistoryError,
    StreamHistory,
    country_of,
    read_history,
)
from scenarios.forecast.models import CANDIDATES, SEASONAL_NAIVE, Candidate, LogForecast
from scenarios.forecast.pipeline import (
    Accuracy,
    CandidateScore,
    Forecast,
    StreamForecast,
    forecast_history,
)
from scenarios.forecast.scenario import forecast_scenario

__all__ = [
    "CANDIDATES",
    "COUNT_FIELDS",
    "SEASONAL_NAIVE",
    "Accuracy",
    "Calibration",
    "Candidate",
    "CandidateScore",
    "Forecast",
    "History",
    "HistoryError",
    "LogForecast",
    "StreamForecast",
    "StreamHistory",
    "country_of",
    "coverage",
    "forecast_history",
    "forecast_scenario",
    "mase",
    "mase_in_sample",
    "read_history",
    "wape",
]
