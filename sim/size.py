"""The size of a simulation before it starts: tickets, touches, agents, shifts and memory.

:func:`estimate_run` counts what a run of a scenario will hold, from the same arrival
rates the simulation draws from (profiles, holidays, surges, growth and scale included),
so that a scenario of 10^8 tickets or a million agents is refused in a moment instead of
eating the machine's memory. :func:`size_problem` compares an estimate with a limit given
in tickets (``--max-tickets``): the tickets themselves, and the memory of that many
tickets, which agent shifts use too. No printing here; the command line shows the
estimate and the refusal. Must not import SimPy.
"""

from __future__ import annotations

from dataclasses import dataclass

from scenarios.calendar import horizon_origin
from scenarios.schema import Scenario
from sim.demand import stream_rates

DEFAULT_MAX_TICKETS = 5_000_000
"""Most tickets one simulation (all its replications) plays unless ``--max-tickets``
raises it: a year of a mid-size operation with three replications fits."""

BYTES_PER_TICKET = 1_000
"""Peak memory per simulated ticket, its touches, log rows and report share included
(measured by ``benchmarks/run_memory.py``; see benchmarks/README.md), with room to spare."""
BYTES_PER_AGENT_SHIFT = 1_000
"""Peak memory per agent shift of a replication (measured likewise), with room to spare."""
BASE_BYTES = 400_000_000
"""Memory of the process before the first ticket: interpreter, libraries, report."""


@dataclass(frozen=True, slots=True)
class RunEstimate:
    """Expected size of a simulation over all its replications.

    Attributes
    ----------
    replications : int
    tickets : float
        Expected arrivals (deflected ones included: they are drawn too).
    touches : float
        Expected agent touches: first touches, email follow-ups, reopens, escalations.
    agents : int
        Agents of every team (named roster agents for rostered teams).
    agent_shifts : float
        Agent shifts simulated, at most one a day per agent.
    memory_bytes : float
        Peak memory of the run (bytes).
    """

    replications: int
    tickets: float
    touches: float
    agents: int
    agent_shifts: float
    memory_bytes: float

    def describe(self) -> str:
        """One line, e.g. 'about 61,000 tickets and 89,000 touches over 3 replications, ...'."""
        reps = f"{self.replications} replication{'s' if self.replications != 1 else ''}"
        return (
            f"about {self.tickets:,.0f} tickets and {self.touches:,.0f} touches over {reps}, "
            f"{self.agents:,} agents on {self.agent_shifts:,.0f} shifts, about "
            f"{self.memory_bytes / 1e9:,.1f} GB of memory"
        )


def _agent_shifts(scenario: Scenario) -> tuple[int, float]:
    """Agents and agent shifts of one replication."""
    days = scenario.horizon.days
    agents = 0
    shifts = 0.0
    for team in scenario.teams:
        if team.roster is not None:
            agents += len({entry.agent for entry in team.roster})
            shifts += len(team.roster)
            continue
        agents += team.agents
        # Each agent works one shift pattern; the longest pattern bounds the shifts.
        per_week = max((len(shift.days) for shift in team.shifts), default=7)
        shifts += team.agents * days * per_week / 7
    return agents, shifts


def estimate_run(scenario: Scenario, replications: int) -> RunEstimate:
    """Estimate a simulation's tickets, touches, agents, shifts and memory.

    Parameters
    ----------
    scenario
        A validated scenario.
    replications
        Replications the run plays (each holds its own tickets until the summary).

    Returns
    -------
    RunEstimate
        Counts over all replications; memory in bytes.
    """
    origin = horizon_origin(scenario)
    escalation = scenario.escalation.rate if scenario.escalation is not None else 0.0
    tickets = touches = 0.0
    for stream in scenario.demand.streams:
        arrivals = float(stream_rates(scenario, stream, origin).sum())
        deflection = (
            stream.deflection if stream.deflection is not None else scenario.demand.deflection
        )
        spec = scenario.channel(stream.channel)
        follow_ups = spec.touches - 1 if stream.channel == "email" else 0.0
        tickets += arrivals
        touches += (
            arrivals * (1 - deflection) * (1 + follow_ups + scenario.reopen_rate + escalation)
        )
    agents, shifts = _agent_shifts(scenario)
    tickets *= replications
    touches *= replications
    shifts *= replications
    memory = BASE_BYTES + BYTES_PER_TICKET * tickets + BYTES_PER_AGENT_SHIFT * shifts
    return RunEstimate(replications, tickets, touches, agents, shifts, memory)


def size_problem(estimate: RunEstimate, max_tickets: int) -> str | None:
    """Why a run is too large for the limit, or None when it fits.

    The limit is in tickets: a run may play at most ``max_tickets`` tickets and use at
    most the memory that many tickets need (agent shifts count by their memory).
    """
    budget = BASE_BYTES + BYTES_PER_TICKET * max_tickets
    if estimate.tickets <= max_tickets and estimate.memory_bytes <= budget:
        return None
    return (
        f"too large to simulate: {estimate.describe()} (expected at most {max_tickets:,} "
        f"tickets and about {budget / 1e9:,.1f} GB: raise the limit with --max-tickets N, or "
        "shorten the horizon, lower the volume or run fewer replications)"
    )
