"""The command line's grammar: every command of ``run_sim.py``, its flags and their help.

Role: the argparse side of the command line, kept apart from what the commands do
(``run_sim.py``, the only module that prints or exits): flag values are checked by
:mod:`scenarios.flags` as they are parsed, and a bad one is a :class:`UsageError` of one
line.  Imports nothing from ``sim``, ``optimizer`` or ``reports``.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Mapping
from typing import NoReturn

from scenarios import flags
from scenarios.ticket_import import PRESETS

__all__ = ["Command", "CommandParser", "UsageError", "build_parser"]

Command = Callable[[argparse.Namespace], int]


class UsageError(ValueError):
    """A bad flag value or an unusable path given on the command line."""


class CommandParser(argparse.ArgumentParser):
    """An argument parser whose errors are one line (no usage block) and exit 2."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{self.prog}: {message} (see '{self.prog} --help')")


def build_parser(commands: Mapping[str, Command]) -> argparse.ArgumentParser:
    """The command line's grammar: every command, its flags and their help; ``commands``
    maps each command name (and ``demo``) to the function that runs it."""

    parser = CommandParser(
        prog="run_sim.py",
        description="Staffing and coverage simulation for customer-support teams. "
        "With no command, runs the demo (the library baseline) into runs/.",
    )
    parser.set_defaults(func=commands["demo"])
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    def scenario_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", metavar="FILE", help="scenario YAML file")
        p.add_argument(
            "--set",
            action="append",
            metavar="KEY=VALUE",
            help="override a scenario key, e.g. demand.deflection=0.33 or teams.dublin.agents=20",
        )

    def size_args(p: argparse.ArgumentParser, replications: int) -> None:
        p.add_argument("--replications", type=flags.replications, default=replications, metavar="N")
        p.add_argument(
            "--max-tickets",
            type=flags.max_tickets,
            default=None,
            metavar="N",
            help="largest simulation to run, in tickets over all replications "
            "(default 5,000,000); larger scenarios are refused with their estimate",
        )

    def run_args(
        p: argparse.ArgumentParser,
        replications: int,
        workers_help: str = "run on a local Dask cluster of N worker processes",
    ) -> None:
        size_args(p, replications)
        p.add_argument(
            "--seed", type=flags.seed, default=None, metavar="S", help="default: the scenario's"
        )
        p.add_argument(
            "--out",
            metavar="DIR",
            help="output folder, replaced as one set (default runs/NAME-TIME)",
        )
        p.add_argument(
            "--workers",
            type=flags.workers,
            default=None,
            metavar="N",
            help=workers_help,
        )
        p.add_argument(
            "--scheduler",
            metavar="ADDRESS",
            help="run on a running Dask scheduler, e.g. tcp://host:8786",
        )

    p = sub.add_parser("simulate", help="simulate a scenario and write its outputs")
    scenario_args(p)
    run_args(p, 3)
    p.set_defaults(func=commands["simulate"])

    p = sub.add_parser(
        "compare",
        help="run scenarios (files, or variants of one) with common random numbers and "
        "compare them",
    )
    p.add_argument("files", nargs="+", metavar="FILE", help="scenario files; the first is the base")
    p.add_argument(
        "--variant",
        action="append",
        metavar='"NAME: KEY=VALUE; KEY=VALUE"',
        help="a variant of the first file: a name, a colon, then overrides separated by ';' "
        '([*] for every item of a list), e.g. "no weekends: teams[*].shifts[*].days=Mon-Fri; '
        'teams[*].shifts[*].hours=8" (repeatable)',
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a key in every scenario compared, e.g. horizon.weeks=1 (repeatable)",
    )
    run_args(p, 3)
    p.set_defaults(func=commands["compare"])

    p = sub.add_parser("sweep", help="run every combination of --set values")
    p.add_argument("file", metavar="FILE", help="scenario YAML file")
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=V1,V2,...",
        help="a key and its values, e.g. demand.deflection=0,0.2,0.33 (repeatable: a grid)",
    )
    run_args(p, 3)
    p.set_defaults(func=commands["sweep"])

    formats = ", ".join(PRESETS)

    def import_args(p: argparse.ArgumentParser) -> None:
        p.add_argument("file", metavar="FILE", help="ticket export: CSV/TSV or Parquet")
        p.add_argument(
            "--format",
            default="generic",
            metavar="NAME",
            help=f"column preset: {formats} (default generic: columns named after the fields)",
        )
        p.add_argument(
            "--map",
            action="append",
            metavar="FIELD=COLUMN",
            help="map a field to a column, e.g. created='Created at' (repeatable); also "
            "timezone=Europe/Rome, timestamp_format='%%d/%%m/%%Y %%H:%%M', sep=';'",
        )

    p = sub.add_parser(
        "import-tickets", help="fit a scenario to a helpdesk ticket export and write it as YAML"
    )
    import_args(p)
    p.add_argument(
        "--out", metavar="FILE", help="scenario YAML to write (default NAME.scenario.yaml)"
    )
    p.add_argument("--name", help="scenario name (default: the file's stem)")
    p.add_argument("--weeks", type=flags.weeks, default=1.0, help="horizon in weeks (default 1)")
    p.set_defaults(func=commands["import_tickets"])

    p = sub.add_parser(
        "backtest", help="replay a ticket log against its own staffing and compare with reality"
    )
    import_args(p)
    p.add_argument("--replications", type=flags.replications, default=5, metavar="N")
    p.add_argument("--seed", type=flags.seed, default=None, metavar="S")
    p.add_argument("--out", metavar="DIR", help="write backtest.csv, backtest.json, scenario.yaml")
    p.add_argument(
        "--strict-availability",
        action="store_true",
        help="take agents off while they sat idle in the log with customers waiting",
    )
    p.set_defaults(func=commands["backtest"])

    p = sub.add_parser(
        "forecast",
        help="forecast daily demand per stream from a ticket history and write a scenario",
    )
    p.add_argument("history", metavar="HISTORY", help="ticket export or table of counts")
    p.add_argument(
        "--format",
        default="generic",
        metavar="NAME",
        help=f"counts (a table of counts per day or interval: date or timestamp, count, and "
        f"optional language, channel, region), or a ticket preset: {formats}",
    )
    p.add_argument(
        "--map",
        action="append",
        metavar="FIELD=COLUMN",
        help="map a field to a column as in import-tickets (also id=COLUMN for ticket ids); "
        "with --format counts: date, timestamp, count, language, channel, region, and the "
        "options timezone, timestamp_format, sep, default_channel, default_language",
    )
    p.add_argument(
        "--horizon",
        type=flags.horizon_days,
        default=56,
        metavar="8w",
        help="how far to forecast: weeks (8w) or days (56d); default 8w",
    )
    p.add_argument(
        "--start",
        type=flags.date,
        default=None,
        metavar="DATE",
        help="first day forecast (default: the day after the history)",
    )
    p.add_argument("--out", metavar="DIR", help="output directory (default runs/NAME-TIME)")
    p.add_argument("--name", help="scenario name (default: the file's stem and -forecast)")
    p.add_argument(
        "--zero-missing",
        action="store_true",
        help="a day with no record had no contacts (default: it is a gap, not a zero)",
    )
    p.add_argument("--since", type=flags.date, metavar="DATE", help="ignore history before DATE")
    p.add_argument("--until", type=flags.date, metavar="DATE", help="ignore history after DATE")
    p.add_argument(
        "--country",
        metavar="CODE",
        help="holiday calendar of every stream (default: the country of its time zone)",
    )
    p.add_argument(
        "--holdout",
        type=flags.count,
        metavar="WEEKS",
        help="weeks held out to measure accuracy (default: up to 8, at most a fifth of the "
        "history and at most the horizon)",
    )
    p.set_defaults(func=commands["forecast"])

    p = sub.add_parser(
        "optimize", help="choose shifts and named rosters that meet SLA at least cost"
    )
    scenario_args(p)
    run_args(
        p,
        3,
        "processes for the schedule's bound beside its weeks and for the crews' rosters "
        "side by side (default: the cores, up to two or one per optimized team, whichever "
        "is more); with --verify also a local Dask cluster of N workers",
    )
    p.add_argument(
        "--time-limit",
        type=flags.positive,
        default=900.0,
        metavar="SECONDS",
        help="safety net for each optimisation (default 900): solves stop on their gap "
        "target or work budget first, so one input gives one plan",
    )
    p.add_argument(
        "--size-teams",
        action="store_true",
        help="choose each optimized team's head count (from agents up to max_agents) at "
        "least cost so the requirements are covered; optimize.json gains headcount",
    )
    p.add_argument(
        "--verify",
        action="store_true",
        help="simulate the roster and raise requirements where it misses, until goals hold",
    )
    p.add_argument(
        "--rounds",
        type=flags.replications,
        default=4,
        metavar="R",
        help="most optimise-simulate rounds with --verify (default 4)",
    )
    p.add_argument(
        "--risk",
        type=flags.risk_levels,
        default=None,
        metavar="P",
        help="staff so that goals hold on a share P (0.5 to 0.99) of days given the demand's "
        "busyness, not just at the mean; a comma list (0.5,0.8,0.9) plans each level, "
        "records what each costs in optimize.json's risk_levels and writes the highest's plan",
    )
    p.set_defaults(func=commands["optimize"])

    p = sub.add_parser("studio", help="a local web page to ask what-if questions of scenarios")
    p.add_argument(
        "files", nargs="*", metavar="FILE", help="scenario files offered first (and the library)"
    )
    p.add_argument(
        "--set",
        action="append",
        metavar="KEY=VALUE",
        help="override a key in every scenario offered, e.g. horizon.weeks=1 (repeatable)",
    )
    size_args(p, 3)
    p.add_argument(
        "--seed", type=flags.seed, default=None, metavar="S", help="default: the scenario's"
    )
    p.add_argument("--port", type=flags.port, default=8050, metavar="PORT", help="default 8050")
    p.add_argument(
        "--host",
        default="127.0.0.1",
        metavar="HOST",
        help="address to listen on (default 127.0.0.1: this machine only)",
    )
    p.set_defaults(func=commands["studio"])

    p = sub.add_parser(
        "validate", help="check a scenario file, estimate a simulation's size and memory"
    )
    scenario_args(p)
    size_args(p, 3)
    p.set_defaults(func=commands["validate"])
    return parser
