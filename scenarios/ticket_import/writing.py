"""Ticket import: writing fitted scenario data as a commented YAML file.

Role: :func:`write_scenario_yaml` -- short lists written on one line, section comments,
a comment beside each placeholder value the user must set (the team's hourly cost), the
fit report as a header, and an atomic replace of the target file.

PyYAML and the standard library. Must not import ``simpy``, ``sim`` (the engine, demand or
queueing modules), ``optimizer``, ``reports`` or ``run_sim``.
"""

from __future__ import annotations

import os
import tempfile
import textwrap
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml

from scenarios.ticket_import.fit_report import FitReport


class _Dumper(yaml.SafeDumper):
    """Safe YAML with short lists of scalars written on one line."""


def _represent_list(dumper: yaml.SafeDumper, data: list[Any]) -> yaml.Node:
    flow = all(not isinstance(x, dict | list) for x in data) and len(data) <= 30
    return dumper.represent_sequence("tag:yaml.org,2002:seq", data, flow_style=flow)


def _represent_dict(dumper: yaml.SafeDumper, data: dict[str, Any]) -> yaml.Node:
    flow = all(not isinstance(x, dict | list) for x in data.values()) and len(data) <= 6
    return dumper.represent_mapping("tag:yaml.org,2002:map", data.items(), flow_style=flow)


_Dumper.add_representer(list, _represent_list)
_Dumper.add_representer(dict, _represent_dict)

_SECTION_COMMENTS = {
    "demand:": "demand: fitted per stream (language x channel x customer region); profile "
    "weights are the average tickets per hour in each local hour of the week, Monday first",
    "channels:": "channels: lognormal handle times with the sample mean and cv; patience by "
    "exponential maximum likelihood on censored waits (fit quality in the header)",
    "service_levels:": "service levels: not in the data; assumed, edit to your targets",
    "teams:": "teams: INFERRED PLACEHOLDER, not your roster; see 'team:' above. Its shifts keep "
    "the default labour rules; set hourly_cost to your own cost per agent-hour",
}
_LINE_COMMENTS = {
    "hourly_cost:": "PLACEHOLDER: set your loaded cost per agent-hour (costs.currency)",
}


def write_scenario_yaml(
    path: str | Path, data: Mapping[str, Any], report: FitReport | None = None
) -> Path:
    """Write scenario data as YAML with provenance and fit-quality comments, atomically.

    The text goes to a temporary file in the target's folder, which then replaces the
    target (``os.replace``): a crash never leaves a half-written scenario.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    target = Path(path)
    body = yaml.dump(dict(data), Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)
    lines: list[str] = []
    for line in body.splitlines():
        comment = _SECTION_COMMENTS.get(line.split(" ", 1)[0])
        if comment:
            lines += textwrap.wrap(comment, 100, initial_indent="# ", subsequent_indent="#   ")
        note = _LINE_COMMENTS.get(line.strip().split(" ", 1)[0])
        lines.append(f"{line}  # {note}" if note else line)
    header = [
        wrapped
        for line in (report.lines() if report else [])
        for wrapped in textwrap.wrap(
            line, width=100, initial_indent="# ", subsequent_indent="#     ", break_on_hyphens=False
        )
    ]
    text = "\n".join([*header, *lines]) + "\n"
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        mask = os.umask(0)
        os.umask(mask)
        os.chmod(tmp, 0o666 & ~mask)  # mkstemp creates 0600; give the usual permissions
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return target
