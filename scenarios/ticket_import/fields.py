"""Ticket import: the logical fields, reading options and the normalised ticket columns.

Role: the vocabulary shared by the other modules of :mod:`scenarios.ticket_import` --
:class:`TicketImportError`, :data:`FIELDS` (what ``--map FIELD=COLUMN`` may name),
:data:`OPTIONS`, :data:`NUMERIC_FIELDS` and :data:`TICKET_COLUMNS`.

Plain Python with no imports. Must not import ``simpy``, ``sim`` (the engine, demand or
queueing modules), ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations


class TicketImportError(ValueError):
    """A ticket export that cannot be read as asked; the message names file, row and column."""


# --------------------------------------------------------------------------- fields

FIELDS: dict[str, str] = {
    "created": "when the ticket or call arrived (timestamp; required)",
    "date": "date part of `created` when that column holds only a time of day",
    "first_response": "first agent reply or answer (timestamp)",
    "first_reply_minutes": "minutes from arrival to the first reply (when no timestamp)",
    "solved": "when the ticket was solved (timestamp)",
    "queue_delay_seconds": "seconds from arrival to joining the agent queue (IVR/VRU time)",
    "wait_seconds": "seconds waited in the agent queue, until answer or abandonment",
    "wait_minutes": "minutes waited in the agent queue, until answer or abandonment",
    "handle_seconds": "agent handle time in seconds",
    "handle_minutes": "agent handle time in minutes",
    "outcome": "call outcome (answered, abandoned, or a value the preset drops)",
    "agent": "the agent who answered",
    "channel": "phone, chat or email (export values are translated by the preset)",
    "language": "language code or name",
    "priority": "urgent, high, normal or low (export values are translated by the preset)",
    "region": "the requester's time zone (IANA name, or a common Rails/Zendesk name)",
    "reopens": "number of times the ticket was reopened",
    "case": "ticket id of an event (event logs)",
    "activity": "event name (event logs)",
    "timestamp": "event time (event logs)",
}
"""Logical fields a column can be mapped to (``--map FIELD=COLUMN``)."""

OPTIONS: dict[str, str] = {
    "timezone": "IANA zone of timestamps written without an offset (and default region)",
    "timestamp_format": "strptime format of the timestamps, e.g. '%d/%m/%Y %H:%M'",
    "sep": "column separator of a text file (',' or 'tab')",
    "default_channel": "channel of tickets with no channel column or value",
    "default_language": "language of tickets with no language column or value",
}
"""Reading options that ``--map OPTION=VALUE`` may also set."""

NUMERIC_FIELDS: dict[str, float] = {  # field -> factor to minutes (reopens: a count)
    "first_reply_minutes": 1.0,
    "queue_delay_seconds": 1 / 60,
    "wait_seconds": 1 / 60,
    "wait_minutes": 1.0,
    "handle_seconds": 1 / 60,
    "handle_minutes": 1.0,
    "reopens": 1.0,
}
TICKET_COLUMNS: tuple[str, ...] = (
    "created",
    "queued",
    "first_response",
    "solved",
    "abandoned",
    "wait_minutes",
    "handle_minutes",
    "channel",
    "language",
    "priority",
    "region",
    "agent",
    "reopened",
)
"""Columns of the table :func:`read_tickets` returns (times are UTC)."""
