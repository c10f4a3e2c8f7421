"""Ticket import: presets for known exports and ``--map`` parsing.

Role: the :class:`Preset` dataclass (how to read one kind of export), the named
:data:`PRESETS` for ``--format NAME``, :func:`parse_mapping` for ``--map`` items and
:func:`resolve_preset`, which applies a mapping to a preset.

Plain Python on top of ``scenarios.schema``. Must not import ``simpy``, ``sim`` (the engine,
demand or queueing modules), ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any, Literal

from scenarios.schema import CHANNELS
from scenarios.ticket_import.fields import FIELDS, OPTIONS, TicketImportError
from scenarios.types import parse_time_zone


@dataclass(frozen=True)
class Preset:
    """How to read one kind of export: columns, value translations and defaults.

    Parameters
    ----------
    name, description
        Identification and a sentence for help texts and provenance comments.
    columns
        Logical field (see :data:`FIELDS`) -> column name in the export.
    required
        Fields whose column must be present; other columns are used when found.
    kind
        ``"tickets"``: one row per ticket or call. ``"event_log"``: one row per event,
        pivoted to one row per ticket (arrival = first event, first response = first event
        in ``first_response_activities``, solved = first in ``solved_activities``).
    sep
        Column separator of text files.
    timestamp_format
        strptime format, or None to accept ISO 8601 (with or without an offset) and Unix
        seconds.
    timezone
        Zone of timestamps written without an offset, and the customers' region when no
        region column is mapped.
    channel_values, priority_values
        Export value (lower case) -> channel or priority name; values that are already
        channel or priority names pass unchanged.
    language_values
        Export value (lower case) -> language code.
    abandoned_outcomes, dropped_outcomes
        Outcome values (upper case) meaning "abandoned", and "not a ticket at all".
    missing_agents
        Agent values (upper case) meaning "no agent".
    service_levels
        Service levels written into the fitted scenario (the export rarely says).
    """

    name: str
    description: str
    columns: Mapping[str, str]
    required: frozenset[str] = frozenset({"created"})
    kind: Literal["tickets", "event_log"] = "tickets"
    sep: str = ","
    timestamp_format: str | None = None
    timezone: str = "UTC"
    default_channel: str = "email"
    default_language: str = "en"
    channel_values: Mapping[str, str] = field(default_factory=dict)
    priority_values: Mapping[str, str] = field(default_factory=dict)
    language_values: Mapping[str, str] = field(default_factory=dict)
    abandoned_outcomes: frozenset[str] = frozenset({"ABANDONED", "HANG", "ABANDON"})
    dropped_outcomes: frozenset[str] = frozenset()
    missing_agents: frozenset[str] = frozenset()
    first_response_activities: frozenset[str] = frozenset()
    solved_activities: frozenset[str] = frozenset()
    service_levels: tuple[Mapping[str, Any], ...] = (
        {"channel": "phone", "answer_within": "20s", "goal": 0.8},
        {"channel": "chat", "answer_within": "60s", "goal": 0.9},
        {"channel": "email", "answer_within": "4h", "goal": 0.9},
    )


_HELPDESK_CHANNELS = {
    "email": "email",
    "mail": "email",
    "web form": "email",
    "web": "email",
    "web_form": "email",
    "portal": "email",
    "api": "email",
    "feedback widget": "email",
    "outbound email": "email",
    "twitter": "email",
    "facebook": "email",
    "social": "email",
    "chat": "chat",
    "web widget": "chat",
    "messaging": "chat",
    "mobile sdk": "chat",
    "messenger": "chat",
    "conversation": "chat",
    "whatsapp": "chat",
    "phone": "phone",
    "voice": "phone",
    "phone call (inbound)": "phone",
    "phone call (incoming)": "phone",
    "phone_call": "phone",
    "voicemail": "phone",
    "1": "email",
    "2": "email",
    "3": "phone",
    "7": "chat",
    "9": "email",
    "10": "email",
}

PRESETS: dict[str, Preset] = {
    "generic": Preset(
        name="generic",
        description="one row per ticket, columns named after the fields (created, "
        "first_response, solved, channel, language, priority, region, agent, ...)",
        columns={f: f for f in FIELDS if f not in {"date", "case", "activity", "timestamp"}},
        channel_values=_HELPDESK_CHANNELS,
    ),
    "zendesk": Preset(
        name="zendesk",
        description="Zendesk-style ticket export (Created at, First reply time in minutes, "
        "Solved at, Via, Priority, Assignee, Requester language/time zone, Reopens)",
        columns={
            "created": "Created at",
            "first_reply_minutes": "First reply time in minutes",
            "solved": "Solved at",
            "channel": "Via",
            "priority": "Priority",
            "agent": "Assignee",
            "language": "Requester language",
            "region": "Requester time zone",
            "reopens": "Reopens",
        },
        channel_values=_HELPDESK_CHANNELS,
    ),
    "freshdesk": Preset(
        name="freshdesk",
        description="Freshdesk-style ticket export (Created time, Initial response time, "
        "Resolved time, Source, Priority, Agent, Language, Time zone)",
        columns={
            "created": "Created time",
            "first_response": "Initial response time",
            "solved": "Resolved time",
            "channel": "Source",
            "priority": "Priority",
            "agent": "Agent",
            "language": "Language",
            "region": "Time zone",
        },
        channel_values=_HELPDESK_CHANNELS,
        priority_values={"1": "low", "2": "normal", "3": "high", "4": "urgent", "medium": "normal"},
    ),
    "intercom": Preset(
        name="intercom",
        description="Intercom-style conversation export (created_at, first_admin_reply_at, "
        "last_close_at, source_type, priority, admin_assignee_id, contact language/time "
        "zone, reopens); Unix seconds or ISO timestamps",
        columns={
            "created": "created_at",
            "first_response": "first_admin_reply_at",
            "solved": "last_close_at",
            "channel": "source_type",
            "priority": "priority",
            "agent": "admin_assignee_id",
            "language": "contact_language",
            "region": "contact_timezone",
            "reopens": "reopens",
        },
        default_channel="chat",
        channel_values=_HELPDESK_CHANNELS,
        priority_values={"priority": "high", "not_priority": "normal"},
    ),
    "anonymous_bank": Preset(
        name="anonymous_bank",
        description="Anonymous Bank call records (Technion SEE Center, February 1999): one "
        "row per call, tab-separated, date YYMMDD and times H:MM:SS in Israeli local time; "
        "PHANTOM calls and calls with a negative VRU time are dropped",
        columns={
            "date": "date",
            "created": "vru_entry",
            "queue_delay_seconds": "vru_time",
            "wait_seconds": "q_time",
            "handle_seconds": "ser_time",
            "outcome": "outcome",
            "agent": "server",
            "priority": "priority",
            "language": "type",
        },
        required=frozenset(
            {"date", "created", "queue_delay_seconds", "wait_seconds", "handle_seconds", "outcome"}
        ),
        sep="\t",
        timestamp_format="%y%m%d %H:%M:%S",
        timezone="Asia/Jerusalem",
        default_channel="phone",
        default_language="he",
        # priority 2 marks the bank's priority customers; 0 (unidentified) and 1 are regular.
        priority_values={"0": "normal", "1": "normal", "2": "high"},
        # Service type PE is calls in English (a language skill); the other types are Hebrew.
        language_values={"pe": "en", "ps": "he", "nw": "he", "ne": "he", "tt": "he", "in": "he"},
        abandoned_outcomes=frozenset({"HANG"}),
        dropped_outcomes=frozenset({"PHANTOM"}),
        missing_agents=frozenset({"NO_SERVER"}),
        # The bank's answer-time target is not published: 60 s is assumed.
        service_levels=({"channel": "phone", "answer_within": "60s", "goal": 0.8},),
    ),
    "helpdesk_eventlog": Preset(
        name="helpdesk_eventlog",
        description="help-desk event log of an Italian software company (4TU.ResearchData, "
        "Polato et al.): one row per event (Case ID, Activity, Resource, Complete Timestamp); "
        "arrival = first event, first response = first 'Take in charge ticket', solved = "
        "first 'Resolve ticket'; Italian local time, e-mail-style tickets",
        columns={
            "case": "Case ID",
            "activity": "Activity",
            "timestamp": "Complete Timestamp",
            "agent": "Resource",
            "priority": "seriousness_2",
        },
        required=frozenset({"case", "activity", "timestamp"}),
        kind="event_log",
        timezone="Europe/Rome",
        default_channel="email",
        default_language="it",
        # The levels are anonymised. Level 4 tickets are taken in charge within minutes
        # (median about 1 minute against 17-20 hours for the others): read as urgent.
        priority_values={
            "value 1": "normal",
            "value 2": "normal",
            "value 3": "normal",
            "value 4": "urgent",
        },
        first_response_activities=frozenset({"Take in charge ticket"}),
        solved_activities=frozenset({"Resolve ticket"}),
        service_levels=(
            {"channel": "email", "priority": "urgent", "answer_within": "1h", "goal": 0.9},
            {"channel": "email", "answer_within": "24h", "goal": 0.8},
        ),
    ),
}
"""Named presets for ``--format NAME``."""


def parse_mapping(items: Sequence[str]) -> dict[str, str]:
    """Parse ``FIELD=COLUMN`` (or ``OPTION=VALUE``) strings from the command line.

    Raises
    ------
    TicketImportError
        For an item without ``=`` or a name that is neither a field nor an option.
    """
    out: dict[str, str] = {}
    for item in items:
        name, sep, value = item.partition("=")
        name = name.strip()
        if not sep or not name:
            raise TicketImportError(
                f"--map {item!r}: expected FIELD=COLUMN, e.g. created='Created at'"
            )
        if name not in FIELDS and name not in OPTIONS:
            raise TicketImportError(
                f"--map {item!r}: unknown field {name!r} (expected one of "
                f"{', '.join(sorted(FIELDS))}, or an option: {', '.join(sorted(OPTIONS))})"
            )
        out[name] = value.strip()
    return out


def resolve_preset(
    preset: str | Preset = "generic", mapping: Mapping[str, str] | None = None
) -> Preset:
    """A preset (by name or as given) with ``mapping`` columns and options applied.

    A mapped column becomes required (the user asked for it); an empty column name unmaps
    the field.
    """
    if isinstance(preset, str):
        if preset not in PRESETS:
            raise TicketImportError(
                f"--format {preset!r}: unknown format (expected one of {', '.join(PRESETS)})"
            )
        base = PRESETS[preset]
    else:
        base = preset
    mapping = dict(mapping or {})
    columns = dict(base.columns)
    required = set(base.required)
    options: dict[str, Any] = {}
    for key, value in mapping.items():
        if key in OPTIONS:
            options[key] = value
        elif key in FIELDS:
            if value:
                columns[key] = value
                required.add(key)
            else:
                columns.pop(key, None)
                required.discard(key)
        else:
            raise TicketImportError(f"--map {key}={value}: unknown field {key!r}")
    if "timezone" in options:
        try:
            options["timezone"] = parse_time_zone(options["timezone"])
        except ValueError as exc:
            raise TicketImportError(f"--map timezone={options['timezone']}: {exc}") from None
    if options.get("sep") in {"tab", "\\t"}:
        options["sep"] = "\t"
    for key in ("default_channel",):
        if key in options and options[key] not in CHANNELS:
            raise TicketImportError(
                f"--map {key}={options[key]}: expected one of {', '.join(CHANNELS)}"
            )
    return replace(base, columns=columns, required=frozenset(required), **options)
