"""Engine speed on M/M/c against an idiomatic SimPy model timed in the same run.

The two models alternate ``--repeat`` times and each keeps its best time, so a burst of
load from other processes hurts neither more than the other. The reference is the
textbook SimPy M/M/c: a ``simpy.Resource`` with c slots and one
process per customer. Both models play the same queue (c agents, utilisation rho, mean
handle 1 minute, exponential times) for about N tickets; the script prints tickets per
second for each and their ratio, plus the mean waits (a sanity check against Erlang C).

    python benchmarks/engine_speed.py [--tickets 1000000] [--agents 50] [--rho 0.9]
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np
import simpy

from scenarios import scenario_from_data
from sim.engine import OUTCOME_HANDLED, run_replication
from sim.queueing import erlang_c_mean_wait


def idiomatic_mmc(n: int, agents: int, rate: float, seed: int) -> tuple[float, float]:
    """The textbook SimPy model; returns (seconds, mean wait in minutes)."""
    rng = np.random.default_rng(seed)
    gaps = rng.exponential(1 / rate, n)
    handles = rng.exponential(1.0, n)
    waits = np.empty(n)
    env = simpy.Environment()
    server = simpy.Resource(env, capacity=agents)

    def customer(i: int):  # type: ignore[no-untyped-def]
        arrive = env.now
        with server.request() as request:
            yield request
            waits[i] = env.now - arrive
            yield env.timeout(handles[i])

    def source():  # type: ignore[no-untyped-def]
        for i in range(n):
            yield env.timeout(gaps[i])
            env.process(customer(i))

    start = time.perf_counter()
    env.process(source())
    env.run()
    return time.perf_counter() - start, float(waits.mean())


REFERENCE_TICKETS = 100_000
"""Tickets of :func:`machine_speed`'s run: a few seconds."""


def machine_speed(tickets: int = REFERENCE_TICKETS) -> float:
    """This machine's speed now, for reading the seconds of other benchmarks by: tickets per
    second of the textbook SimPy M/M/c (50 agents, utilisation 0.9; about 112,000 on the
    machine of the 2026-11-23 figures)."""
    seconds, _ = idiomatic_mmc(tickets, 50, 45.0, seed=1)
    return tickets / seconds


def engine_mmc(n: int, agents: int, rate: float, seed: int) -> tuple[float, int, float]:
    """The project's engine on the same queue; returns (seconds, tickets, mean wait)."""
    minutes = n / rate
    data = {
        "name": "mmc-benchmark",
        "horizon": {"start": "2026-01-05", "weeks": minutes / 10080, "interval_minutes": 60},
        "seed": seed,
        "demand": {
            "streams": [
                {
                    "name": "calls",
                    "language": "en",
                    "channel": "phone",
                    "region": "UTC",
                    "tickets_per_week": rate * 10080,
                }
            ]
        },
        "channels": {"phone": {"handle_minutes": {"mean": 1.0, "distribution": "exponential"}}},
        "teams": [
            {
                "name": "agents",
                "timezone": "UTC",
                "agents": agents,
                "languages": ["en"],
                "channels": ["phone"],
                "hourly_cost": 1,
                "shifts": [{"days": "Mon-Sun", "start": "00:00", "hours": 24}],
            }
        ],
    }
    scenario = scenario_from_data(data, "benchmark")
    start = time.perf_counter()
    result = run_replication(scenario, seed, 0)
    seconds = time.perf_counter() - start
    done = result.outcome == OUTCOME_HANDLED
    wait = (result.first_response - result.tickets.arrival)[done]
    return seconds, len(result.tickets), float(wait.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--rho", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="alternate the two models this many times and keep each one's best time",
    )
    args = parser.parse_args()
    rate = args.rho * args.agents  # per minute, mean handle 1 minute
    ref_times, eng_times = [], []
    for _ in range(args.repeat):
        ref_s, ref_wait = idiomatic_mmc(args.tickets, args.agents, rate, args.seed)
        eng_s, eng_n, eng_wait = engine_mmc(args.tickets, args.agents, rate, args.seed)
        ref_times.append(ref_s)
        eng_times.append(eng_s)
    ref_s, eng_s = min(ref_times), min(eng_times)
    ref_tps = args.tickets / ref_s
    eng_tps = eng_n / eng_s
    print(
        json.dumps(
            {
                "agents": args.agents,
                "rho": args.rho,
                "tickets": eng_n,
                "idiomatic_tickets_per_s": round(ref_tps),
                "engine_tickets_per_s": round(eng_tps),
                "ratio": round(eng_tps / ref_tps, 2),
                "ratios_per_round": [
                    round(r / e * eng_n / args.tickets, 2)
                    for r, e in zip(ref_times, eng_times, strict=True)
                ],
                "mean_wait_idiomatic": round(ref_wait, 4),
                "mean_wait_engine": round(eng_wait, 4),
                "mean_wait_erlang_c": round(float(erlang_c_mean_wait(args.agents, rate, 1.0)), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
