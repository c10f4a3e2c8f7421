"""End-to-end simulation speed against an idiomatic SimPy M/M/c timed in the same run.

The reference is the textbook SimPy M/M/c: a ``simpy.Resource`` with c slots and one process
per customer (c agents, utilisation rho, mean handle 1 minute, exponential times, about N
customers). The project's side is a whole ``simulate`` of the same queue, end to end: the
scenario read from YAML and validated, arrivals and staffing drawn, the engine run, and the
KPI summary (the summary.json mapping and its tables) built. With ``--features all`` (the
default) every engine behaviour is on: two teams of half the agents each with an ordered
overflow from the first to the second (``--overflow-after``, default 0 s: the second team
takes a call when the first has nobody free), random agent selection, phone lines, patience
with factors by hour, balking, retrials (and an outage whose callers retry), per-stream
uniform handle times, customer segments, resolution targets, a day of warm-up and serving to
the end; ``--features none`` plays the plain M/M/c. (An overflow after a wait makes calls
wait for the first team while the second has agents free: the queue itself changes, and so
does the work; measure it with ``--overflow-after 10s``.) The two models alternate
``--repeat`` times and each keeps its best time, so a burst of load from other processes
hurts neither more than the other. The script prints
customers per second for each, their ratio, and how the project's time splits (load,
simulate: draws, engine and warm-up crop, summary).

    python benchmarks/engine_speed.py [--tickets 1000000] [--agents 50] [--rho 0.9]
                                      [--features all|none] [--overflow-after 0s]
                                      [--repeat 3]
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from pathlib import Path
from typing import Any

import numpy as np
import simpy
import yaml

from scenarios import Scenario, load_scenario
from sim.engine import OUTCOME_HANDLED
from sim.queueing import erlang_c_mean_wait
from sim.runner import run_replications, summarize


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
    second of the textbook SimPy M/M/c (50 agents, utilisation 0.9; figures in
    benchmarks/README.md)."""
    seconds, _ = idiomatic_mmc(tickets, 50, 45.0, seed=1)
    return tickets / seconds


def scenario_data(
    n: int, agents: int, rate: float, seed: int, features: bool, after: str = "0s"
) -> dict[str, Any]:
    """The M/M/c as a scenario (``rate`` calls a minute, mean handle 1 minute, ``agents``),
    about ``n`` customers over the horizon; with ``features``, every engine behaviour on
    (the overflow to the second team ``after`` that wait)."""
    shifts = [{"days": "Mon-Sun", "start": "00:00", "hours": 24}]
    team = {"timezone": "UTC", "languages": ["en"], "channels": ["phone"], "hourly_cost": 1}
    stream: dict[str, Any] = {
        "name": "calls",
        "language": "en",
        "channel": "phone",
        "region": "UTC",
        "tickets_per_week": rate * 10080,
    }
    data: dict[str, Any] = {
        "name": "mmc-benchmark",
        "horizon": {"start": "2026-01-05", "weeks": n / rate / 10080, "interval_minutes": 60},
        "seed": seed,
        "demand": {"streams": [stream]},
        "channels": {"phone": {"handle_minutes": {"mean": 1.0, "distribution": "exponential"}}},
        "teams": [{"name": "agents", "agents": agents, "shifts": shifts, **team}],
    }
    if not features:
        return data
    second = agents // 2
    data["horizon"].update(warmup_days=1, end="serve")
    stream.update(
        handle_minutes={"low": 0.5, "high": 1.5},
        segments={"enterprise": 0.1, "smb": 0.9},
    )
    data["demand"]["segments"] = [
        {
            "name": "enterprise",
            "share": 0.1,
            "priority": "urgent",
            "monthly_value": 3000,
            "answer_within": "10s",
            "goal": 0.9,
        },
        {"name": "smb", "share": 0.9, "monthly_value": 100},
    ]
    data["demand"]["surges"] = [{"start": "2026-01-06T10:00", "hours": 1, "multiplier": 0}]
    data["channels"]["phone"].update(
        patience_minutes={"mean": 3, "by_hour": [1.2] * 8 + [1.0] * 16},
        balk_probability=0.05,
        retrial={"probability": 0.5, "after": "5m"},
        lines=agents + 20,
    )
    data["routing"] = {
        "agent_selection": "random",
        "overflow": [
            {"language": "en", "channel": "phone", "teams": ["first", "second"], "after": after}
        ],
    }
    data["service_levels"] = [
        {"channel": "phone", "answer_within": "20s", "goal": 0.8, "resolve_within": "10m"}
    ]
    data["teams"] = [
        {"name": "first", "agents": agents - second, "shifts": shifts, **team},
        {"name": "second", "agents": second, "shifts": shifts, **team},
    ]
    data["business"] = {"customer_monthly_value": 100, "churn_probability_per_missed_sla": 0.01}
    return data


def engine_end_to_end(
    n: int, agents: int, rate: float, seed: int, features: bool, after: str = "0s"
) -> tuple[dict[str, float], int, float]:
    """A whole simulate of the queue, through the calls the ``simulate`` command makes (the
    scenario file read by ``load_scenario``, ``run_replications``, ``summarize``): (seconds
    by stage, customers, mean wait of answered)."""
    folder = tempfile.mkdtemp(prefix="engine-speed-")
    path = Path(folder) / "mmc.yaml"
    path.write_text(yaml.safe_dump(scenario_data(n, agents, rate, seed, features, after)))
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = now - clock
        clock = now

    scenario: Scenario = load_scenario(path)
    lap("load")
    (result,) = run_replications(scenario, 1, seed)
    lap("simulate")
    summarize(scenario, [result])
    lap("summary")
    seconds["total"] = sum(seconds.values())
    path.unlink()
    Path(folder).rmdir()
    done = result.outcome == OUTCOME_HANDLED
    wait = (result.first_response - result.tickets.arrival)[done]
    return seconds, len(result.tickets), float(wait.mean())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--agents", type=int, default=50)
    parser.add_argument("--rho", type=float, default=0.9)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--features", choices=("all", "none"), default="all")
    parser.add_argument("--overflow-after", default="0s", help="wait before the second team")
    parser.add_argument(
        "--repeat",
        type=int,
        default=3,
        help="alternate the two models this many times and keep each one's best time",
    )
    args = parser.parse_args()
    rate = args.rho * args.agents  # per minute, mean handle 1 minute
    features = args.features == "all"
    ref_times, runs = [], []
    for _ in range(args.repeat):
        ref_s, ref_wait = idiomatic_mmc(args.tickets, args.agents, rate, args.seed)
        ref_times.append(ref_s)
        runs.append(
            engine_end_to_end(
                args.tickets, args.agents, rate, args.seed, features, args.overflow_after
            )
        )
    best = min(range(args.repeat), key=lambda k: runs[k][0]["total"])
    stages, eng_n, eng_wait = runs[best]
    ref_tps = args.tickets / min(ref_times)
    eng_tps = eng_n / stages["total"]
    print(
        json.dumps(
            {
                "agents": args.agents,
                "rho": args.rho,
                "features": args.features,
                "overflow_after": args.overflow_after if features else None,
                "tickets": eng_n,
                "idiomatic_tickets_per_s": round(ref_tps),
                "engine_tickets_per_s": round(eng_tps),
                "ratio": round(eng_tps / ref_tps, 2),
                "ratios_per_round": [
                    round((run[1] / run[0]["total"]) / (args.tickets / r), 2)
                    for r, run in zip(ref_times, runs, strict=True)
                ],
                "engine_seconds": {k: round(v, 3) for k, v in stages.items()},
                "mean_wait_idiomatic": round(ref_wait, 4),
                "mean_wait_engine": round(eng_wait, 4),
                "mean_wait_erlang_c": round(float(erlang_c_mean_wait(args.agents, rate, 1.0)), 4),
            }
        )
    )


if __name__ == "__main__":
    main()
