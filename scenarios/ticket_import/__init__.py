"""Ticket import: a helpdesk export becomes normalised tickets and a fitted scenario.

Role: read a ticket export (CSV or Parquet) through a column mapping -- presets for common
helpdesk exports (Zendesk, Freshdesk and Intercom style) and for the two real data sets the
project is tested against (``anonymous_bank`` call records, ``helpdesk_eventlog`` events) --
into one normalised table of tickets, fit a scenario to it (weekly volume and hour-of-week
profile per stream, lognormal handle times, patience from censored waits, reopen rate, an
inferred placeholder team) and write it as a commented YAML file that ``validate`` accepts.

Files are read in chunks with only the needed columns, as Arrow-backed text, so memory
grows with the number of tickets kept (about 55 bytes each in the final table, a few times
that at the peak while assembling it), not with the width or the text of the export. Every
problem with the file becomes a :class:`TicketImportError` naming the file, the row (data
rows count from 1 after the header; the file line is given too) and the column.

Pure pandas, numpy and scipy on top of ``scenarios.schema``. Must not import ``simpy``,
``sim`` (the engine, demand or queueing modules), ``optimizer``, ``reports`` or ``run_sim``:
the team placed in the imported scenario is sized from the agents seen in the log, or from
the offered workload, without queueing formulas.

The package's modules: ``fields`` (the error type, logical fields, options and ticket
columns), ``presets`` (:class:`Preset`, :data:`PRESETS`, ``--map`` parsing), ``parsing``
(column values: timestamps, time zones, numbers, categories), ``reading``
(:func:`read_tickets`: chunked CSV/Parquet reading, event-log pivoting), ``fit_report``
(the fit result dataclasses and :class:`FitReport`), ``estimators`` (the statistical fits
and the placeholder team's shift cover), ``fitting`` (:func:`fit_scenario`) and ``writing``
(:func:`write_scenario_yaml`). None of them may import ``simpy`` or ``sim``.
"""

from scenarios.ticket_import.estimators import hour_of_week_counts, kaplan_meier
from scenarios.ticket_import.fields import FIELDS, OPTIONS, TICKET_COLUMNS, TicketImportError
from scenarios.ticket_import.fit_report import FitReport, HandleFit, PatienceFit, StreamFit
from scenarios.ticket_import.fitting import fit_scenario
from scenarios.ticket_import.presets import PRESETS, Preset, parse_mapping, resolve_preset
from scenarios.ticket_import.reading import read_tickets
from scenarios.ticket_import.writing import write_scenario_yaml

__all__ = [
    "FIELDS",
    "OPTIONS",
    "PRESETS",
    "TICKET_COLUMNS",
    "FitReport",
    "HandleFit",
    "PatienceFit",
    "Preset",
    "StreamFit",
    "TicketImportError",
    "fit_scenario",
    "hour_of_week_counts",
    "kaplan_meier",
    "parse_mapping",
    "read_tickets",
    "resolve_preset",
    "write_scenario_yaml",
]
