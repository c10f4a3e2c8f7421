"""The scenario schema: one typed pydantic model per section of a scenario file.

A YAML scenario becomes a validated, frozen :class:`Scenario`. Unknown keys are errors
(``extra="forbid"``) so that a typo never falls back silently to a default. Units live in
names (``handle_minutes``, ``customer_reply_hours``) or in typed durations (``'20s'``).
Every number must be finite (NaN and infinity are refused on every model, through the
base model's ``allow_inf_nan=False``, so keys added later are covered too), and every
quantity has a sane upper bound: a value far outside any support operation is a typing
mistake, and would otherwise reach the run as an overflow or an endless simulation.
This module imports nothing from ``sim``, ``optimizer`` or ``reports``.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import numpy as np
from pydantic import (
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from scenarios.channels import (
    BUILTIN_CHANNEL_KINDS,
    CHANNELS,
    DEFAULT_CHANNELS,
    ChannelKind,
    ChannelSpec,
    Distribution,
)
from scenarios.channels import StrictModel as _Model
from scenarios.demand_spec import (
    MAX_PROFILE_WEIGHT,
    PROFILE_PRESETS,
    Busyness,
    Demand,
    DemandEvent,
    Profile,
    Segment,
    Stream,
    Surge,
    Volume,
)
from scenarios.employees import read_employees_file
from scenarios.staff import (
    Contract,
    ContractGroup,
    DateRange,
    Employee,
    LaborRules,
    Planning,
    Preferences,
    TeamLaborRules,
)
from scenarios.types import (
    LATEST_DATE,
    MAX_ITEMS,
    PRIORITY_RANK,
    AgentSelection,
    CalendarDate,
    Channel,
    Country,
    Days,
    Duration,
    HorizonEnd,
    Language,
    Priority,
    TimeOfDay,
    TimeZone,
    time_of_day_minutes,
)

__all__ = [
    "CHANNELS",
    "MAX_ITEMS",
    "MAX_PROFILE_WEIGHT",
    "MAX_ROSTER_ENTRIES",
    "MAX_SEED",
    "MAX_TEAM_AGENTS",
    "PRIORITY_RANK",
    "PROFILE_PRESETS",
    "AgentSelection",
    "BreakRule",
    "Business",
    "Busyness",
    "Channel",
    "Contract",
    "ContractGroup",
    "Costs",
    "DateRange",
    "Demand",
    "DemandEvent",
    "Employee",
    "Escalation",
    "Horizon",
    "HorizonEnd",
    "LaborRules",
    "LanguageFallback",
    "Overflow",
    "Planning",
    "Preferences",
    "Priority",
    "Profile",
    "RosterEntry",
    "Routing",
    "Scenario",
    "Segment",
    "ServiceLevel",
    "Shift",
    "ShiftTemplates",
    "Stream",
    "Surge",
    "Team",
    "TeamLaborRules",
    "Volume",
    "rule_conflicts",
    "template_grid",
]

MAX_SEED = 2**63 - 1
"""Largest seed (a signed 64-bit integer, so it survives JSON, Parquet and NumPy)."""
MAX_TEAM_AGENTS = 10_000
"""Most agents in one team (or on one shift)."""
MAX_ROSTER_ENTRIES = 1_000_000
"""Most dated shifts in one team's roster."""


# --------------------------------------------------------------------------- horizon


class Horizon(_Model):
    """The simulated period and the clock reports use."""

    start: CalendarDate = Field(description="First day simulated (00:00 in `timezone`).")
    weeks: float = Field(gt=0, le=104, description="Length of the horizon in weeks.")
    interval_minutes: int = Field(
        default=30, description="Reporting and planning interval, dividing a day evenly."
    )
    timezone: TimeZone = Field(default="UTC", description="Reporting time zone (IANA).")
    warmup_days: int = Field(
        default=0,
        ge=0,
        le=28,
        description="Days simulated before `start` to fill queues and backlogs; every KPI "
        "leaves them out.",
    )
    end: HorizonEnd = Field(
        default="cut",
        description="'cut' stops the clock at the end; 'serve' takes no new tickets and lets "
        "the agents on shift serve everyone still waiting.",
    )

    @field_validator("interval_minutes")
    @classmethod
    def _divides_day(cls, value: int) -> int:
        if value <= 0 or 1440 % value or value > 240:
            raise ValueError(
                f"found {value}, expected minutes that divide a day, such as 15, 30 or 60"
            )
        return value

    @model_validator(mode="after")
    def _ends_in_calendar(self) -> Horizon:
        last = self.start + dt.timedelta(days=self.days - 1)
        if last > LATEST_DATE:
            raise ValueError(
                f"the horizon ends on {last.isoformat()}, expected it to end by "
                f"{LATEST_DATE.isoformat()} (start earlier or run fewer weeks)"
            )
        return self

    @property
    def days(self) -> int:
        """Whole days simulated (weeks rounded up to a day; at least one)."""
        return max(1, int(np.ceil(self.weeks * 7 - 1e-9)))


# --------------------------------------------------------------------------- channels


class Escalation(_Model):
    """Share of tickets that need a tier-2 touch after the first agent's."""

    rate: float = Field(ge=0, lt=1)
    to_tier: int = Field(default=2, ge=2, le=9)
    handle_minutes: Distribution = Field(default_factory=lambda: Distribution(mean=25, cv=1.0))


class LanguageFallback(_Model):
    """Let agents of another language take a ticket after it waited this long."""

    from_language: Language = Field(alias="from")
    to: Language
    after: Duration


class Overflow(_Model):
    """A queue tries teams in order: the first at once, each next one after a further wait."""

    language: Language
    channel: Channel
    teams: list[str] = Field(
        min_length=1, max_length=MAX_ITEMS, description="Team names, first tried first."
    )
    after: Duration = Field(description="Wait before the next team may take the ticket.")

    @field_validator("teams")
    @classmethod
    def _distinct(cls, value: list[str]) -> list[str]:
        if len(set(value)) != len(value):
            raise ValueError(f"found {value}, expected each team at most once")
        return value

    def wait_for(self, team: str) -> float | None:
        """Minutes a ticket waits before ``team`` may take it (None: never)."""
        if team not in self.teams:
            return None
        return self.teams.index(team) * self.after


class Routing(_Model):
    """How waiting tickets reach agents beyond priority and first-come-first-served."""

    language_fallback: list[LanguageFallback] = Field(default_factory=list, max_length=MAX_ITEMS)
    channel_priority: list[Channel] | None = Field(
        default=None,
        description="Channels a blended agent serves first, e.g. [phone, chat, email]; "
        "ranked before ticket priority. Unlisted channels come last.",
    )
    agent_selection: AgentSelection = Field(
        default="longest_idle",
        description="Which idle agent an arriving ticket goes to: the longest idle, one at "
        "random, or the first in the teams' listed order.",
    )
    overflow: list[Overflow] = Field(
        default_factory=list,
        max_length=MAX_ITEMS,
        description="Queues that try teams in a fixed order.",
    )

    @field_validator("overflow")
    @classmethod
    def _one_rule_per_queue(cls, value: list[Overflow]) -> list[Overflow]:
        seen: set[tuple[str, str]] = set()
        for rule in value:
            key = (rule.language, rule.channel)
            if key in seen:
                raise ValueError(
                    f"two rules for language {rule.language!r} on {rule.channel} "
                    "(expected one overflow rule per language and channel)"
                )
            seen.add(key)
        return value

    def overflow_for(self, language: str, channel: str) -> Overflow | None:
        """The overflow rule of a (language, channel) queue, if any."""
        for rule in self.overflow:
            if rule.language == language and rule.channel == channel:
                return rule
        return None

    @field_validator("channel_priority")
    @classmethod
    def _distinct(cls, value: list[str] | None) -> list[str] | None:
        if value is not None and len(set(value)) != len(value):
            raise ValueError(f"found {value}, expected each channel at most once")
        return value


class ServiceLevel(_Model):
    """What 'answered in time' means for one queue."""

    channel: Channel
    priority: Priority | None = None
    language: Language | None = None
    answer_within: Duration = Field(description="First-response threshold, e.g. '20s', '4h'.")
    goal: float = Field(gt=0, le=1, description="Share of tickets answered within the threshold.")
    resolve_within: Duration | None = Field(
        default=None, description="Resolution threshold (arrival to last touch), e.g. '24h'."
    )
    resolve_goal: float | None = Field(
        default=None, gt=0, le=1, description="Share resolved within it (default: `goal`)."
    )

    @model_validator(mode="after")
    def _resolution(self) -> ServiceLevel:
        if self.resolve_goal is not None and self.resolve_within is None:
            raise ValueError(
                "found resolve_goal without resolve_within (expected a resolution target "
                "such as resolve_within: 24h)"
            )
        if self.resolve_within is not None and self.resolve_within <= 0:
            raise ValueError("found resolve_within 0, expected a duration above zero")
        return self


# --------------------------------------------------------------------------- teams


class BreakRule(_Model):
    """A break of `minutes` placed after `after_hours` of work in every long enough shift."""

    after_hours: float = Field(gt=0, le=24)
    minutes: float = Field(ge=0, le=240)


class Shift(_Model):
    """A recurring shift of a team, in the team's local time."""

    days: Days
    start: TimeOfDay
    hours: float = Field(gt=0, le=24)
    agents: int | None = Field(
        default=None,
        ge=0,
        le=MAX_TEAM_AGENTS,
        description="Agents on this shift; the rest share unassigned shifts.",
    )
    break_rule: BreakRule | None = Field(default=None, alias="break")

    @property
    def start_minutes(self) -> int:
        return time_of_day_minutes(self.start)


class RosterEntry(_Model):
    """One named agent's shift on one local date (what the optimizer writes)."""

    agent: str = Field(min_length=1, max_length=200)
    date: CalendarDate
    start: TimeOfDay
    hours: float = Field(gt=0, le=24)
    break_start: TimeOfDay | None = None
    break_minutes: float = Field(default=0, ge=0, le=240)


class ShiftTemplates(_Model):
    """The grid the optimizer chooses shifts from."""

    starts_every: Duration = 60.0
    lengths_hours: list[float] = Field(default_factory=lambda: [8.0], min_length=1, max_length=100)
    earliest: TimeOfDay = "00:00"
    latest: TimeOfDay = "23:00"
    break_rule: BreakRule | None = Field(default=None, alias="break")

    @field_validator("lengths_hours")
    @classmethod
    def _lengths(cls, value: list[float]) -> list[float]:
        if any(not 0 < v <= 16 for v in value):
            raise ValueError(f"found {value}, expected shift lengths between 0 and 16 hours")
        return value

    @field_validator("starts_every")
    @classmethod
    def _grid(cls, value: float) -> float:
        if not 5 <= value <= 1440:
            raise ValueError(f"found {value:g} minutes, expected 5 minutes to 1 day")
        return value


class Team(_Model):
    """A group of agents at one site sharing skills, cost and shifts."""

    name: str = Field(min_length=1, max_length=200)
    timezone: TimeZone
    country: Country | None = None
    agents: int = Field(ge=0, le=MAX_TEAM_AGENTS)
    languages: list[Language] = Field(min_length=1, max_length=100)
    channels: list[Channel] = Field(min_length=1, max_length=100)
    tier: int = Field(default=1, ge=1, le=9)
    hourly_cost: float = Field(
        ge=0, le=10_000_000, description="Currency per paid hour (any currency's wages)."
    )
    shifts: list[Shift] = Field(default_factory=list, max_length=MAX_ITEMS)
    optimize_shifts: bool = Field(default=False, exclude=True)
    roster: list[RosterEntry] | None = Field(
        default=None,
        max_length=MAX_ROSTER_ENTRIES,
        description="Named agents' shifts by date (written by optimize).",
    )
    shift_templates: ShiftTemplates | None = None
    chat_concurrency: int | None = Field(default=None, ge=1, le=10)
    work_on_holidays: bool = Field(default=True, description="Whether shifts run on holidays.")
    labor_rules: TeamLaborRules | None = Field(
        default=None, description="This team's labour rules, overriding the scenario's key by key."
    )
    contracts: list[ContractGroup] = Field(
        default_factory=list,
        description="Agents on other weekly-hour contracts than the team's rules (the rest "
        "keep the team's rules).",
    )
    max_agents: int | None = Field(
        default=None, ge=0, description="Most agents `optimize --size-teams` may plan for."
    )

    @model_validator(mode="before")
    @classmethod
    def _optimize(cls, data: Any) -> Any:
        if isinstance(data, dict) and "shifts" in data:
            shifts = data["shifts"]
            if isinstance(shifts, str):
                if shifts.strip() != "optimize":
                    raise ValueError(
                        f"shifts: found {shifts!r}, expected a list of shifts or 'optimize'"
                    )
                data = {**data, "shifts": [], "optimize_shifts": True}
        return data

    @model_validator(mode="after")
    def _consistent(self) -> Team:
        if not self.shifts and not self.optimize_shifts and self.roster is None:
            raise ValueError(
                f"team {self.name!r} has no shifts (expected a list of shifts, "
                "'optimize', or a roster)"
            )
        assigned = sum(s.agents or 0 for s in self.shifts)
        if assigned > self.agents:
            raise ValueError(
                f"team {self.name!r}: shifts assign {assigned} agents, "
                f"expected at most the team's {self.agents}"
            )
        on_contracts = sum(c.agents for c in self.contracts)
        if on_contracts > self.agents:
            raise ValueError(
                f"team {self.name!r}: contracts cover {on_contracts} agents, "
                f"expected at most the team's {self.agents}"
            )
        if self.max_agents is not None and self.max_agents < self.agents:
            raise ValueError(
                f"team {self.name!r}: max_agents {self.max_agents} is below agents "
                f"{self.agents} (expected max_agents >= agents)"
            )
        return self


# --------------------------------------------------------------------------- rules, costs


class Costs(_Model):
    currency: str = Field(default="USD", min_length=1, max_length=8)
    night_premium: float = Field(
        default=0.0, ge=0, le=10, description="Extra share 22:00-06:00 local."
    )
    weekend_premium: float = Field(default=0.0, ge=0, le=10, description="Extra share on Sat, Sun.")
    holiday_premium: float = Field(default=0.0, ge=0, le=10, description="Extra share on holidays.")
    overtime_premium: float = Field(
        default=0.5, ge=0, le=10, description="Extra share for minutes worked past a shift's end."
    )
    bot_cost_per_contact: float = Field(
        default=0.0,
        ge=0,
        le=1_000_000,
        description="Cost of one contact that the bot or self-service resolves (deflected).",
    )


class Business(_Model):
    customer_monthly_value: float = Field(default=0.0, ge=0, le=1e9)
    churn_probability_per_missed_sla: float = Field(default=0.0, ge=0, le=1)
    value_months: float = Field(
        default=12,
        gt=0,
        le=1200,
        description="Months of a lost customer's value counted as at risk.",
    )


# --------------------------------------------------------------------------- scenario


class Scenario(_Model):
    """A whole what-if: demand, channels, service goals, teams and rules."""

    name: str = Field(min_length=1, max_length=200)
    description: str = Field(default="", max_length=10_000)
    horizon: Horizon
    seed: int = Field(default=1, ge=0, le=MAX_SEED)
    demand: Demand
    channels: dict[Channel, ChannelSpec] = Field(default_factory=dict)
    reopen_rate: float = Field(default=0.0, ge=0, lt=1)
    escalation: Escalation | None = None
    routing: Routing = Field(default_factory=Routing)
    service_levels: list[ServiceLevel] = Field(default_factory=list, max_length=MAX_ITEMS)
    teams: list[Team] = Field(min_length=1, max_length=MAX_ITEMS)
    shift_templates: ShiftTemplates | None = None
    shrinkage: float = Field(default=0.0, ge=0, lt=1)
    costs: Costs = Field(default_factory=Costs)
    labor_rules: LaborRules = Field(default_factory=LaborRules)
    planning: Planning = Field(default_factory=Planning)
    business: Business = Field(default_factory=Business)
    employees: list[Employee] = Field(
        default_factory=list,
        description="Named people with their own skills, contracts, time off and preferences "
        "(inline, or a CSV file's rows read by the loader).",
    )

    @model_validator(mode="before")
    @classmethod
    def _agents_from_employees(cls, data: Any, info: ValidationInfo) -> Any:
        """``employees: FILE.csv`` is read (from the scenario file's folder); a team with
        named employees and no ``agents`` count gets their number."""
        if isinstance(data, dict) and isinstance(data.get("employees"), str):
            base = (info.context or {}).get("base_dir")
            file = data["employees"].strip()
            path = Path(file) if base is None else Path(base) / file
            try:
                data = {**data, "employees": read_employees_file(path)}
            except ValueError as exc:
                raise ValueError(f"employees: {exc}") from None
        if not isinstance(data, dict) or not isinstance(data.get("employees"), list):
            return data
        counts: dict[str, int] = {}
        for person in data["employees"]:
            if isinstance(person, dict) and isinstance(person.get("team"), str):
                counts[person["team"]] = counts.get(person["team"], 0) + 1
        teams = data.get("teams")
        if not isinstance(teams, list):
            return data
        filled = []
        for team in teams:
            if isinstance(team, dict) and "agents" not in team and team.get("name") in counts:
                team = {**team, "agents": counts[team["name"]]}
            filled.append(team)
        return {**data, "teams": filled}

    @model_validator(mode="after")
    def _cross_checks(self) -> Scenario:
        names = [t.name for t in self.teams]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"team names repeat: {dupes} (expected unique names)")
        self._check_employees()
        for message in rule_conflicts(self):
            raise ValueError(message)
        if self.escalation is not None and self.escalation.rate > 0:
            tiers = {t.tier for t in self.teams}
            if self.escalation.to_tier not in tiers:
                raise ValueError(
                    f"escalation.to_tier is {self.escalation.to_tier}, but no team has that "
                    f"tier (expected a team with tier: {self.escalation.to_tier})"
                )
        self._check_channels()
        self._check_overflow()
        return self

    def _check_employees(self) -> None:
        """Employees name known teams, keep within their team's skills and the horizon, and
        match the team's head count."""
        teams = {t.name: t for t in self.teams}
        first = self.horizon.start
        last = first + dt.timedelta(days=self.horizon.days - 1)
        seen: set[str] = set()
        per_team: dict[str, int] = {}
        for k, person in enumerate(self.employees):
            where = f"employees[{k}] ({person.name!r})"
            if person.name in seen:
                raise ValueError(f"{where}: the name repeats (expected unique names)")
            seen.add(person.name)
            team = teams.get(person.team)
            if team is None:
                raise ValueError(
                    f"{where}: team {person.team!r} is unknown (expected one of {sorted(teams)})"
                )
            per_team[team.name] = per_team.get(team.name, 0) + 1
            for label, own, allowed in (
                ("languages", person.languages, team.languages),
                ("channels", person.channels, team.channels),
            ):
                extra = sorted(set(own or ()) - set(allowed))
                if extra:
                    raise ValueError(
                        f"{where}: {label} {extra} are not among team {team.name!r}'s "
                        f"(expected a subset of {list(allowed)})"
                    )
            for span in person.time_off:
                if span.to < first or span.from_date > last:
                    raise ValueError(
                        f"{where}: time off {span.from_date}..{span.to} lies outside the "
                        f"horizon {first}..{last} (expected dates inside it)"
                    )
            for day in person.unavailable:
                if isinstance(day, dt.date) and not first <= day <= last:
                    raise ValueError(
                        f"{where}: unavailable date {day} lies outside the horizon "
                        f"{first}..{last} (expected dates inside it)"
                    )
        for name, count in per_team.items():
            if teams[name].agents != count:
                raise ValueError(
                    f"teams {name!r}: agents is {teams[name].agents} but employees lists "
                    f"{count} people in it (expected the same number, or leave agents out)"
                )

    def rules_for(self, team: Team) -> LaborRules:
        """A team's labour rules: the scenario's, with the team's own keys in their place."""
        if team.labor_rules is None:
            return self.labor_rules
        own = team.labor_rules.model_dump(exclude_none=True)
        return LaborRules.model_validate({**self.labor_rules.model_dump(), **own})

    def team_employees(self, team: Team) -> list[Employee]:
        """The team's people: its named employees, or ``<team>-001`` ... with the team's
        skills and, in order, its ``contracts``."""
        named = [e for e in self.employees if e.team == team.name]
        if named:
            return named
        people: list[Employee] = []
        contracts: list[Contract | None] = [
            Contract(
                min_hours_per_week=c.min_hours_per_week, max_hours_per_week=c.max_hours_per_week
            )
            for c in team.contracts
            for _ in range(c.agents)
        ]
        for k in range(team.agents):
            contract = contracts[k] if k < len(contracts) else None
            people.append(
                Employee(name=f"{team.name}-{k + 1:03d}", team=team.name, contract=contract)
            )
        return people

    def rules_for_employee(self, team: Team, person: Employee) -> LaborRules:
        """One person's rules: the team's, with the person's contract hours."""
        rules = self.rules_for(team)
        if person.contract is None:
            return rules
        return rules.model_copy(
            update={
                "min_hours_per_week": person.contract.min_hours_per_week,
                "max_hours_per_week": person.contract.max_hours_per_week,
            }
        )

    def _check_channels(self) -> None:
        """Every channel named is built in or defined with its kind; live-only keys only on
        live channels."""
        for name, spec in self.channels.items():
            builtin = BUILTIN_CHANNEL_KINDS.get(name)
            if builtin is None and spec.kind is None:
                raise ValueError(
                    f"channels.{name}.kind: missing (expected live or async for a channel "
                    f"other than {', '.join(CHANNELS)})"
                )
            if builtin is not None and spec.kind not in (None, builtin):
                raise ValueError(
                    f"channels.{name}.kind: found {spec.kind!r}, but {name} is always "
                    f"{builtin} (expected {builtin}, or a channel of another name such as "
                    f"'social' for a {spec.kind} channel)"
                )
            if (spec.kind or builtin) == "async":
                for key, given in (
                    ("balk_probability", spec.balk_probability > 0),
                    ("retrial", spec.retrial is not None),
                    ("lines", spec.lines is not None),
                ):
                    if given:
                        raise ValueError(
                            f"channels.{name}.{key}: {name} is asynchronous (its customers do "
                            f"not wait on the line), expected {key} only on a live channel"
                        )
        used = [
            (f"demand.streams[{i}].channel", s.channel) for i, s in enumerate(self.demand.streams)
        ]
        used += [
            (f"teams[{i}].channels", ch) for i, t in enumerate(self.teams) for ch in t.channels
        ]
        used += [
            (f"service_levels[{i}].channel", sl.channel) for i, sl in enumerate(self.service_levels)
        ]
        used += [("routing.channel_priority", ch) for ch in self.routing.channel_priority or []]
        used += [
            (f"routing.overflow[{i}].channel", r.channel)
            for i, r in enumerate(self.routing.overflow)
        ]
        known = [*CHANNELS, *(n for n in self.channels if n not in BUILTIN_CHANNEL_KINDS)]
        for where, name in used:
            if name not in known:
                raise ValueError(
                    f"{where}: found channel {name!r}, expected one of {known} (a new channel "
                    f"is defined under channels with its kind, e.g. {name}: {{kind: async, "
                    "handle_minutes: 8}})"
                )
        for i, stream in enumerate(self.demand.streams):
            if stream.patience_minutes is not None and not self.is_live(stream.channel):
                raise ValueError(
                    f"demand.streams[{i}].patience_minutes: {stream.channel} is asynchronous "
                    "(its customers do not wait on the line), expected patience only on a "
                    "stream of a live channel"
                )

    def _check_overflow(self) -> None:
        """Overflow teams exist, answer the queue's language and channel, and are tier 1."""
        teams = {t.name: t for t in self.teams}
        for i, rule in enumerate(self.routing.overflow):
            for name in rule.teams:
                team = teams.get(name)
                if team is None:
                    raise ValueError(
                        f"routing.overflow[{i}].teams names {name!r}, expected one of {list(teams)}"
                    )
                if (
                    rule.language not in team.languages
                    or rule.channel not in team.channels
                    or team.tier != 1
                ):
                    raise ValueError(
                        f"routing.overflow[{i}].teams: team {name!r} does not answer "
                        f"{rule.language} on {rule.channel} at tier 1 (expected teams with "
                        "that language and channel)"
                    )

    def channel(self, name: str) -> ChannelSpec:
        """The scenario's spec for a channel, or the documented default."""
        if name in self.channels:
            return self.channels[name]
        if name not in DEFAULT_CHANNELS:
            raise KeyError(f"channel {name!r} is not defined in this scenario")
        return ChannelSpec.model_validate(DEFAULT_CHANNELS[name])

    def channel_kind(self, name: str) -> ChannelKind:
        """A channel's kind: ``live`` (the customer waits on the line) or ``async``.

        The one definition of which channels are live: the built-ins keep theirs (phone
        and chat live, email async); any other channel says its own ``kind``.
        """
        builtin = BUILTIN_CHANNEL_KINDS.get(name)
        if builtin is not None:
            return builtin
        kind = self.channel(name).kind
        if kind is None:  # pragma: no cover - guarded by _check_channels
            raise KeyError(f"channel {name!r} has no kind")
        return kind

    def is_live(self, name: str) -> bool:
        """Whether a channel's customers wait on the line (may abandon, balk, retry)."""
        return self.channel_kind(name) == "live"

    def channel_names(self) -> list[str]:
        """The built-in channels, then the scenario's own, in the order defined."""
        return [*CHANNELS, *(n for n in self.channels if n not in BUILTIN_CHANNEL_KINDS)]

    def concurrency(self, channel: str, team: Team | None = None) -> int:
        """Contacts of a channel one agent (of ``team``) holds at once.

        Live channels other than phone honour ``concurrency`` (a team's
        ``chat_concurrency`` overrides chat's); a phone call and an asynchronous touch take
        the whole agent.
        """
        if channel == "phone" or not self.is_live(channel):
            return 1
        if channel == "chat" and team is not None and team.chat_concurrency:
            return team.chat_concurrency
        return self.channel(channel).concurrency

    def handle_for(self, stream: Stream) -> Distribution:
        """A stream's handle time: its own, else its channel's."""
        return stream.handle_minutes or self.channel(stream.channel).handle_minutes

    def patience_for(self, stream: Stream) -> Distribution | None:
        """A stream's patience: its own, else its channel's; none on asynchronous channels."""
        if not self.is_live(stream.channel):
            return None
        return stream.patience_minutes or self.channel(stream.channel).patience_minutes

    def segment(self, name: str) -> Segment:
        """A customer segment by name."""
        for seg in self.demand.segments:
            if seg.name == name:
                return seg
        raise KeyError(f"segment {name!r} is not defined in demand.segments")

    def priority_shares(self, stream: Stream) -> dict[str, float]:
        """Shares of each priority among a stream's tickets, after segments that set one."""
        mix = self.demand.segment_mix(stream)
        if not mix:
            return {str(k): v for k, v in stream.priority_mix.items()}
        out: dict[str, float] = {}
        for name, share in mix.items():
            seg = self.segment(name)
            parts = {seg.priority: 1.0} if seg.priority else stream.priority_mix
            for priority, p in parts.items():
                out[priority] = out.get(priority, 0.0) + share * p
        return out

    def stream_priorities(self, stream: Stream) -> set[str]:
        """Priorities a stream's tickets can have (the queues it can fill)."""
        mix = self.demand.segment_mix(stream)
        if not mix:
            return set(stream.priority_mix)
        out: set[str] = set()
        for name, share in mix.items():
            seg = self.segment(name)
            if seg.priority is not None:
                if share > 0:
                    out.add(seg.priority)
            else:
                out.update(stream.priority_mix)
        return out

    def templates_for(self, team: Team) -> ShiftTemplates:
        """A team's shift templates: its own, the scenario's, or the defaults."""
        return team.shift_templates or self.shift_templates or ShiftTemplates()

    def break_rule_for(self, team: Team, shift: Shift | None = None) -> BreakRule | None:
        if shift is not None and shift.break_rule is not None:
            return shift.break_rule
        return self.templates_for(team).break_rule

    def _most_specific(
        self, language: str, channel: str, priority: str, resolution: bool = False
    ) -> ServiceLevel | None:
        """The most specific rule for a queue: one naming the priority beats one naming the
        language, which beats a channel-only rule; the first listed wins a tie. With
        ``resolution``, only rules with a resolution target take part."""
        best: tuple[int, ServiceLevel] | None = None
        for sl in self.service_levels:
            if sl.channel != channel or (resolution and sl.resolve_within is None):
                continue
            if sl.priority is not None and sl.priority != priority:
                continue
            if sl.language is not None and sl.language != language:
                continue
            score = (sl.priority is not None) * 2 + (sl.language is not None)
            if best is None or score > best[0]:
                best = (score, sl)
        return best[1] if best else None

    def service_level_for(self, language: str, channel: str, priority: str) -> ServiceLevel | None:
        """The most specific service level matching a queue (language and priority first)."""
        return self._most_specific(language, channel, priority)

    def resolution_target_for(
        self, language: str, channel: str, priority: str
    ) -> tuple[float, float] | None:
        """A queue's resolution target (minutes) and goal, from the most specific service
        level that has ``resolve_within``, matched as first-response targets are."""
        sl = self._most_specific(language, channel, priority, resolution=True)
        if sl is None or sl.resolve_within is None:
            return None
        return sl.resolve_within, sl.resolve_goal if sl.resolve_goal is not None else sl.goal

    def to_data(self) -> dict[str, Any]:
        """The scenario as plain YAML-ready data (durations and days in their spelling)."""
        data = self.model_dump(mode="json", by_alias=True, exclude_none=True)
        for team, raw in zip(self.teams, data["teams"], strict=True):
            if team.optimize_shifts:
                raw["shifts"] = "optimize"
            elif not raw.get("shifts"):
                raw.pop("shifts", None)
        return data


def template_grid(templates: ShiftTemplates) -> list[tuple[int, float]]:
    """(start minute, length in hours) of every shift template of a grid."""
    step = float(templates.starts_every)
    lo, hi = time_of_day_minutes(templates.earliest), time_of_day_minutes(templates.latest)
    starts: list[int] = []
    m = float(lo)
    while m <= hi + 1e-9:
        starts.append(round(m))
        m += step
    return [(s, float(h)) for s in starts for h in templates.lengths_hours]


def rule_conflicts(scenario: Scenario) -> list[str]:
    """Labour rules that contradict each other or the shift templates, in words.

    Checked per team (its own rules, and each contract's hours): a weekly minimum above the
    maximum; days off that leave too few working days for the minimum hours with the
    longest template; a minimum rest longer than the gap between any two templates on
    consecutive days (nobody could work two days running); a run of at most
    ``max_consecutive_days`` that cannot hold the working days the minimum hours need.
    """
    out: list[str] = []
    for t_i, team in enumerate(scenario.teams):
        where = f"teams[{t_i}] ({team.name!r})"
        try:
            rules = scenario.rules_for(team)
        except ValueError as exc:
            out.append(f"{where}.labor_rules: {_first_error(exc)}")
            continue
        if not team.optimize_shifts:
            continue
        grid = template_grid(scenario.templates_for(team))
        longest = max(h for _, h in grid)
        working_days = 7 - rules.min_days_off_per_week
        ranges = [("labor_rules", rules.min_hours_per_week)]
        ranges += [(f"contracts[{k}]", c.min_hours_per_week) for k, c in enumerate(team.contracts)]
        ranges += [
            (f"employee {p.name!r}", p.contract.min_hours_per_week)
            for p in scenario.employees
            if p.team == team.name and p.contract is not None
        ]
        for label, minimum in ranges:
            if minimum > working_days * longest + 1e-9:
                out.append(
                    f"{where}: {label} asks for at least {minimum:g} h a week, but "
                    f"min_days_off_per_week {rules.min_days_off_per_week} leaves "
                    f"{working_days} working days of at most {longest:g} h "
                    f"({working_days * longest:g} h; expected a minimum that fits)"
                )
        rest = rules.min_rest_hours * 60.0
        gaps = [
            b_start + 1440.0 - (a_start + a_hours * 60.0)
            for a_start, a_hours in grid
            for b_start, _ in grid
        ]
        if gaps and max(gaps) < rest - 1e-9 and rules.max_consecutive_days > 1:
            out.append(
                f"{where}: min_rest_hours {rules.min_rest_hours:g} is longer than the longest "
                f"gap between two shift templates on consecutive days ({max(gaps) / 60:g} h), "
                "so nobody could work two days in a row (expected a shorter rest or "
                "templates further apart)"
            )
    return out


def _first_error(exc: ValueError) -> str:
    """The first message of a pydantic validation error, or the error's own words."""
    errors = getattr(exc, "errors", None)
    if callable(errors):
        found = errors()
        if found:
            return str(found[0].get("msg", exc)).removeprefix("Value error, ")
    return str(exc)
