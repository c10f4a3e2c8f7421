"""supportsim command line: simulate, validate and the demo.

This module owns the terminal: it parses arguments, calls the scenario, simulation,
optimizer and report layers, shows progress on a terminal (quiet in pipes and CI), writes
the output files, and turns errors into exit codes — 0 success, 2 bad input (one message
on stderr naming where, what was found and what was expected; no traceback), 1 an internal
error, 130 interrupted (one line, every process of the run stopped: ``sim.supervisor``).
Sizes are checked before any simulation (``sim.size``); a run's outputs replace the
``--out`` folder as one set (``sim.outputs``).
"""

from __future__ import annotations

import signal
import sys

if __name__ == "__main__":
    # A Ctrl-C while this program is still loading: one line and 130, like any other.
    signal.signal(signal.SIGINT, lambda *_: (sys.stderr.write("interrupted\n"), sys.exit(130)))

import argparse
import datetime as dt
import functools
import math
import os
import traceback
import warnings
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from scenarios import cli
from scenarios.cli import UsageError
from sim.supervisor import run_supervised, stop_children

EXIT_OK, EXIT_INTERNAL, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130
ROOT = Path(__file__).resolve().parent
DEMO_SCENARIO = ROOT / "scenarios" / "library" / "baseline.yaml"
MAX_SWEEP_POINTS = 1_000
"""Most points of a sweep grid (the product of the --set value counts)."""
STOP_GRACE_SECONDS = 3
"""After a Ctrl-C, how long the command may take to stop before it is stopped outright."""


# --------------------------------------------------------------------------- terminal


def _interactive() -> bool:
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def progress_bar(label: str, total: int) -> Iterator[Callable[[int, int], None]]:
    """A rich progress bar on a terminal; a silent callback in pipes and CI."""
    if not _interactive() or total <= 0:
        yield lambda done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeElapsedColumn

    with Progress(
        "[progress.description]{task.description}",
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=Console(stderr=True),
        transient=True,
    ) as bar:
        task = bar.add_task(label, total=total)

        def update(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        yield update


def _say(message: str) -> None:
    print(message, file=sys.stderr)


# --------------------------------------------------------------------------- loading


def load(path: str, overrides: Sequence[str] = ()) -> Any:
    """Load a scenario, printing its warnings on stderr."""
    from scenarios import ScenarioWarning, load_scenario

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScenarioWarning)
        scenario = load_scenario(path, overrides)
    for w in caught:
        if issubclass(w.category, ScenarioWarning):
            _say(f"warning: scenario '{path}': {w.message}")
    return scenario


def _refuse_unplanned(scenario: Any, where: str, remedy: str) -> None:
    """Refuse to simulate teams whose shifts the optimizer has not planned yet."""
    from scenarios import ScenarioError

    pending = [t.name for t in scenario.teams if t.optimize_shifts and t.roster is None]
    if pending:
        raise ScenarioError(
            f"{where}: teams {pending} have 'shifts: optimize' and no roster yet ({remedy})"
        )


def _optimize_first(path: str) -> str:
    return (
        f"run 'python run_sim.py optimize {path}' first and simulate the "
        "scenario.optimized.yaml it writes"
    )


def _out_dir(args: argparse.Namespace, scenario_name: str) -> Path:
    """The output folder, checked before any work (it is written at the end, as one set)."""
    from sim.outputs import OutputError, check_out_dir

    if args.out:
        out = Path(args.out)
    else:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        safe = "".join(c if c.isalnum() or c in "-_" else "-" for c in scenario_name)[:80]
        out = Path("runs") / f"{safe}-{stamp}"
    try:
        return check_out_dir(out)
    except OutputError as exc:
        raise UsageError(f"--out {exc}") from None


def _check_size(scenario: Any, replications: int, args: argparse.Namespace, source: str) -> Any:
    """Refuse a simulation larger than --max-tickets allows (see ``sim.size``)."""
    from sim.size import DEFAULT_MAX_TICKETS, estimate_run, size_problem

    limit = getattr(args, "max_tickets", None) or DEFAULT_MAX_TICKETS
    estimate = estimate_run(scenario, replications)
    problem = size_problem(estimate, limit)
    if problem is not None:
        raise UsageError(f"{source}: {problem}")
    return estimate


# --------------------------------------------------------------------------- commands


def simulate_and_write(
    scenario: Any, out: Path, replications: int, seed: int | None, client: Any = None
) -> Any:
    """Run replications, summarise them and write every output file into ``out``; return
    the run's :class:`sim.summary.Summary`."""
    import yaml

    from reports import render_run_report
    from sim import outputs
    from sim.runner import run_replications, summarize

    with progress_bar(f"simulating {scenario.name}", replications) as update:
        results = run_replications(scenario, replications, seed, client=client, progress=update)
    required = _requirements(scenario)
    run = summarize(scenario, results, required)
    # scenario.yaml reproduces the run as played, so it carries the seed --seed chose.
    as_run = scenario if seed is None else scenario.model_copy(update={"seed": seed})
    html = render_run_report(run.kpis, run.tables(), as_run.to_data())
    outputs.write_all(
        out,
        {
            "summary.json": lambda p: outputs.write_json(p, run.summary),
            "tickets.parquet": lambda p: outputs.write_parquet(p, run.tickets),
            "intervals.csv": lambda p: outputs.write_csv(p, run.intervals),
            "agents.csv": lambda p: outputs.write_csv(p, run.agents),
            "costs.csv": lambda p: outputs.write_csv(p, run.costs),
            "scenario.yaml": lambda p: outputs.write_text(
                p, yaml.safe_dump(as_run.to_data(), sort_keys=False, allow_unicode=True)
            ),
            "report.html": lambda p: outputs.write_text(p, html),
        },
    )
    return run.kpis


def _requirements(scenario: Any) -> Any:
    """Per-interval requirement of each queue, from the optimizer's queueing formulas."""
    from optimizer.requirements import interval_requirements

    return interval_requirements(scenario)


def _print_summary(summary: Any, out: Path) -> None:
    from reports.terminal import summary_lines

    lines = summary_lines(summary)
    lines.append(
        f"outputs in {out}/ (report.html, summary.json, tickets.parquet, intervals.csv, "
        "agents.csv, costs.csv)"
    )
    print("\n".join(lines))


def _cluster(args: argparse.Namespace) -> Any:
    """The Dask cluster of --scheduler or --workers, connecting in the background."""
    from sim.cluster import Cluster

    return Cluster(getattr(args, "scheduler", None), getattr(args, "workers", None))


def cmd_simulate(args: argparse.Namespace) -> int:
    with _cluster(args) as cluster:
        scenario = load(args.file, args.set or ())
        _refuse_unplanned(scenario, f"scenario '{args.file}'", _optimize_first(args.file))
        _check_size(scenario, args.replications, args, f"scenario '{args.file}'")
        out = _out_dir(args, scenario.name)
        summary = simulate_and_write(scenario, out, args.replications, args.seed, cluster.client())
    _print_summary(summary, out)
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    args.file = str(DEMO_SCENARIO)
    args.set, args.out, args.seed, args.workers, args.scheduler = [], None, None, None, None
    args.replications, args.max_tickets = 3, None
    return cmd_simulate(args)


def _run_points(
    args: argparse.Namespace, scenarios: Sequence[Any], label: str, client: Any
) -> list[Any]:
    """Simulate and summarise each scenario (serially or on Dask) with one shared seed."""
    from sim.runner import map_tasks, run_point

    seed = args.seed if args.seed is not None else scenarios[0].seed
    tasks = [(s, args.replications, seed) for s in scenarios]
    sizes = [
        _check_size(s, args.replications, args, f"scenario '{s.name}'").tickets for s in scenarios
    ]
    with progress_bar(label, len(tasks)) as update:
        return map_tasks(run_point, tasks, client=client, progress=update, sizes=sizes)


def compare_scenarios(
    files: Sequence[str], variants: Sequence[str], overrides: Sequence[str] = ()
) -> tuple[list[Any], list[str]]:
    """The scenarios a compare runs, and what each changes: the files as given, then each
    ``--variant`` applied to the first file; ``overrides`` (``--set``) apply to all."""
    from scenarios import ScenarioWarning, read_scenario_data
    from sim.whatif import variant_scenarios

    scenarios = [load(path, overrides) for path in files]
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", ScenarioWarning)
        data = read_scenario_data(files[0]) if variants else {}
        more, changes = variant_scenarios(data, f"scenario '{files[0]}'", variants, overrides)
    for w in caught:
        if issubclass(w.category, ScenarioWarning):
            _say(f"warning: scenario '{files[0]}' with a variant: {w.message}")
    return [*scenarios, *more], ["" for _ in files] + changes


def cmd_compare(args: argparse.Namespace) -> int:
    from reports import render_comparison_report
    from sim import outputs
    from sim.whatif import comparison_tables

    variants = args.variant or []
    if len(args.files) + len(variants) < 2:
        raise UsageError(
            f"compare: found {len(args.files)} scenario file and {len(variants)} --variant, "
            "expected two or more scenarios (files, or a file and --variant "
            '"NAME: KEY=VALUE; KEY=VALUE")'
        )
    with _cluster(args) as cluster:
        scenarios, changes = compare_scenarios(args.files, variants, args.set or ())
        sources = [*args.files, *[args.files[0]] * len(variants)]
        for scenario, path in zip(scenarios, sources, strict=True):
            _refuse_unplanned(scenario, f"scenario '{path}'", _optimize_first(path))
        names = [s.name for s in scenarios]
        if len(set(names)) != len(names):
            # Same-named scenarios would be indistinguishable in the tables: number them.
            scenarios = [
                s.model_copy(update={"name": f"{i + 1}. {s.name}"}) for i, s in enumerate(scenarios)
            ]
        out = _out_dir(args, "compare")
        summaries = _run_points(args, scenarios, "comparing scenarios", cluster.client())
        cluster.release()
    table, by_queue = comparison_tables(summaries)
    if variants:
        table.insert(1, "changes", changes)
    meta = {
        "files": list(args.files),
        "variants": list(variants),
        "overrides": list(args.set or []),
        "replications": args.replications,
        "seed": summaries[0].seed,
        "common_random_numbers": True,
    }
    html = render_comparison_report(table, by_queue, meta)
    outputs.write_all(
        out,
        {
            "comparison.csv": lambda p: outputs.write_csv(p, table),
            "comparison_by_queue.csv": lambda p: outputs.write_csv(p, by_queue),
            "comparison.json": lambda p: outputs.write_json(
                p,
                {
                    **meta,
                    "scenarios": table.to_dict(orient="records"),
                    "by_queue": by_queue.to_dict(orient="records"),
                    "summaries": [s.to_json() for s in summaries],
                },
            ),
            "report.html": lambda p: outputs.write_text(p, html),
        },
    )
    from reports.terminal import comparison_lines

    print("\n".join(comparison_lines(table, args.replications)))
    print(f"outputs in {out}/ (report.html, comparison.csv, comparison.json)")
    return EXIT_OK


def cmd_sweep(args: argparse.Namespace) -> int:
    from scenarios import parse_sweep
    from sim.whatif import sweep_scenarios, sweep_table

    axes = parse_sweep(args.set or [])
    if not axes:
        raise UsageError("sweep: no --set given (expected --set KEY=V1,V2,... at least once)")
    grid = math.prod(len(values) for _, values in axes)
    if grid > MAX_SWEEP_POINTS:
        raise UsageError(
            f"sweep: the --set values make a grid of {grid:,} points (expected at most "
            f"{MAX_SWEEP_POINTS:,}; sweep fewer values or split the grid)"
        )
    with _cluster(args) as cluster:
        from reports import render_sweep_report
        from reports.sweep_report import frontier_text, sweep_keys
        from scenarios import read_scenario_data
        from sim import outputs
        from sim.marginal import marginal_value

        data = read_scenario_data(args.file)
        base = load(args.file)
        _refuse_unplanned(base, f"scenario '{args.file}'", _optimize_first(args.file))
        points, scenarios = sweep_scenarios(data, f"scenario '{args.file}'", axes)
        out = _out_dir(args, f"{base.name}-sweep")
        client = cluster.client()
        # On a cluster the marginal-value estimate is one more task beside the points.
        pending = client.submit(marginal_value, base, pure=False) if client else None
        summaries = _run_points(args, scenarios, f"sweeping {len(points)} points", client)
        marginal = pending.result() if pending is not None else marginal_value(base)
        cluster.release()
        table = sweep_table(points, summaries)
        seed = summaries[0].seed
        html = render_sweep_report(
            table,
            marginal,
            {
                "file": args.file,
                "axes": dict(axes),
                "timezone": base.horizon.timezone,
                "replications": args.replications,
                "seed": seed,
            },
        )
        outputs.write_all(
            out,
            {
                "sweep.csv": lambda p: outputs.write_csv(p, table),
                "marginal_value.csv": lambda p: outputs.write_csv(p, marginal),
                "sweep.json": lambda p: outputs.write_json(
                    p,
                    {
                        "file": args.file,
                        "axes": dict(axes),
                        "replications": args.replications,
                        "seed": seed,
                        "common_random_numbers": True,
                        "points": table.to_dict(orient="records"),
                    },
                ),
                "report.html": lambda p: outputs.write_text(p, html),
            },
        )
        frontier = table[table["pareto"]]
        print(
            f"sweep of {len(table)} points, {args.replications} replication(s) each: "
            f"{len(frontier)} on the cost-service frontier"
        )
        print(frontier_text(table, sweep_keys(table, dict(axes))))
        print(f"outputs in {out}/ (report.html, sweep.csv, sweep.json, marginal_value.csv)")
    return EXIT_OK


def cmd_import_tickets(args: argparse.Namespace) -> int:
    from scenarios import scenario_from_data
    from scenarios.ticket_import import (
        fit_scenario,
        parse_mapping,
        read_tickets,
        write_scenario_yaml,
    )

    tickets = read_tickets(args.file, args.format, parse_mapping(args.map or ()))
    name = args.name or Path(args.file).stem
    data, report = fit_scenario(tickets, name, weeks=args.weeks)
    out = Path(args.out) if args.out else Path(f"{Path(args.file).stem}.scenario.yaml")
    scenario_from_data(data, f"imported scenario '{out}'")  # refuse to write an invalid file
    if out.is_dir():
        raise UsageError(f"--out '{out}': is a folder (expected the scenario file to write)")
    try:
        write_scenario_yaml(out, data, report)
    except OSError as exc:
        raise UsageError(
            f"--out '{out}': cannot be written ({exc.strerror or exc}; expected a file in a "
            "folder this user can write to)"
        ) from None
    print("\n".join(report.lines()))
    print(f"wrote {out} (next: python run_sim.py validate {out})")
    return EXIT_OK


def cmd_backtest(args: argparse.Namespace) -> int:
    from scenarios import scenario_from_data
    from scenarios.ticket_import import (
        fit_scenario,
        parse_mapping,
        read_tickets,
        write_scenario_yaml,
    )
    from sim import outputs
    from sim.backtest import backtest_lines, run_backtest, summarize_backtest

    tickets = read_tickets(args.file, args.format, parse_mapping(args.map or ()))
    name = f"{Path(args.file).stem}-backtest"
    data, report = fit_scenario(tickets, name, horizon="observed", interval_minutes=60)
    scenario = scenario_from_data(data, f"back-test scenario of '{args.file}'")
    table = run_backtest(
        tickets,
        scenario,
        replications=args.replications,
        seed=args.seed,
        drop_idle_while_waiting=args.strict_availability,
    )
    summary = summarize_backtest(table)
    print("\n".join(backtest_lines(table, summary)))
    if args.out:
        out = _out_dir(args, name)
        outputs.write_all(
            out,
            {
                "backtest.csv": lambda p: outputs.write_csv(p, table),
                "backtest.json": lambda p: outputs.write_json(
                    p, {"file": args.file, "replications": args.replications, **summary}
                ),
                "scenario.yaml": lambda p: write_scenario_yaml(p, data, report),
            },
        )
        print(f"outputs in {out}/ (backtest.csv, backtest.json, scenario.yaml)")
    return EXIT_OK


def cmd_forecast(args: argparse.Namespace) -> int:
    from reports.forecast_report import render_forecast_report
    from scenarios import scenario_from_data
    from scenarios.forecast import forecast_history, forecast_scenario, read_history
    from scenarios.ticket_import import write_scenario_yaml
    from sim import outputs

    history = read_history(
        args.history,
        args.format,
        args.map or (),
        zero_missing=args.zero_missing,
        since=args.since,
        until=args.until,
        country=args.country,
    )
    name = args.name or f"{Path(args.history).stem}-forecast"
    with progress_bar("forecasting streams", len(history.streams)) as update:
        forecast = forecast_history(
            history, args.horizon, args.start, holdout_weeks=args.holdout, progress=update
        )
    data, notes = forecast_scenario(forecast, name)
    scenario_from_data(dict(data), f"forecast scenario '{name}'")  # refuse an invalid file
    summary = {**forecast.to_json(), "scenario_notes": notes}
    html = render_forecast_report(
        summary,
        forecast.table(),
        forecast.history_table(),
        forecast.holdout_table(),
        forecast.profiles(),
    )
    out = _out_dir(args, name)
    outputs.write_all(
        out,
        {
            "forecast.csv": lambda p: outputs.write_csv(p, forecast.table()),
            "forecast.json": lambda p: outputs.write_json(p, summary),
            "scenario.yaml": lambda p: write_scenario_yaml(p, data),
            "report.html": lambda p: outputs.write_text(p, html),
        },
    )
    for stream in forecast.streams:
        acc = stream.accuracy
        held = (
            f"held-out {acc.days} days: WAPE {acc.wape:.1%}, MASE {acc.mase:.2f} against "
            f"seasonal naive, 80% band covers {acc.coverage80:.0%}"
            if acc is not None and acc.wape == acc.wape and acc.mase == acc.mase
            else "accuracy not measured"
        )
        print(
            f"{stream.name}: {stream.table['mean'].sum():,.0f} contacts forecast "
            f"{forecast.start} to {forecast.end} ({stream.model}; {held}); busyness cv "
            f"{stream.busyness_cv:.3f}"
        )
        for note in stream.notes:
            print(f"  note: {note}")
    for note in [*history.notes, *notes]:
        print(f"note: {note}")
    print(
        f"outputs in {out}/ (forecast.csv, forecast.json, report.html, scenario.yaml; next: "
        f"python run_sim.py simulate {out / 'scenario.yaml'})"
    )
    return EXIT_OK


@contextmanager
def stage_status(label: str) -> Iterator[Callable[[str], None]]:
    """A rich status line naming the stage on a terminal; silent in pipes and CI."""
    if not _interactive():
        yield lambda words: None
        return
    from rich.console import Console

    with Console(stderr=True).status(label) as status:
        yield lambda words: status.update(f"{label}: {words}")


def _publishing_moment() -> dt.datetime | None:
    """The moment a roster is published: now, or ``SOURCE_DATE_EPOCH`` (seconds since
    1970, the reproducible-builds convention) when set, so a build can repeat its bytes."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if not epoch:
        return None
    try:
        return dt.datetime.fromtimestamp(int(epoch), dt.UTC)
    except (ValueError, OverflowError, OSError):
        raise UsageError(
            f"SOURCE_DATE_EPOCH: found {epoch!r} (expected whole seconds since 1970-01-01)"
        ) from None


def cmd_optimize(args: argparse.Namespace) -> int:
    import yaml

    from optimizer.plan import PlanEffort, optimize_scenario
    from optimizer.risk import risk_level_row, risk_record, risk_requirements
    from optimizer.verify import Verified, queue_misses, simulate_plan, verify_plan
    from reports import render_optimize_report
    from reports.publish import build_publication, people_from_scenario
    from reports.terminal import optimize_lines
    from sim import outputs

    scenario = load(args.file, args.set or ())
    if not any(t.optimize_shifts for t in scenario.teams):
        raise UsageError(
            f"scenario '{args.file}': no team has 'shifts: optimize' (expected at least one "
            "team whose shifts the optimizer should choose)"
        )
    _check_size(scenario, args.replications, args, f"scenario '{args.file}'")
    out = _out_dir(args, f"{scenario.name}-optimize")
    effort = PlanEffort(seconds=args.time_limit, workers=args.workers)
    seed = scenario.seed if args.seed is None else args.seed
    levels: tuple[float | None, ...] = args.risk or (None,)
    risk_levels = []  # one record per level planned, lowest first
    verified: Verified | None = None
    with stage_status("optimize") as say:
        for level in levels:
            words = say if len(levels) == 1 else functools.partial(_say_at_risk, say, level)
            requirements = None if level is None else risk_requirements(scenario, level)
            if args.verify:
                with _cluster(args) as cluster:
                    verified = verify_plan(
                        scenario,
                        effort=effort,
                        size_teams=args.size_teams,
                        replications=args.replications,
                        seed=seed,
                        max_rounds=args.rounds,
                        client=cluster.client(),
                        requirements=requirements,
                        progress=words,
                    )
                plan, run, results = verified.plan, verified.run, verified.results
                misses = verified.misses()
            else:
                verified = None
                plan = optimize_scenario(
                    scenario,
                    effort=effort,
                    size_teams=args.size_teams,
                    requirements=requirements,
                    progress=words,
                )
                words("simulating the roster")
                run, results = simulate_plan(plan, args.replications, seed)
                misses = queue_misses(scenario, run)
            if level is not None:
                risk_levels.append(risk_record(scenario, level, plan.pay / plan.weeks, results))
    if plan.status == "failed" and not plan.violations:
        raise UsageError(f"scenario '{args.file}': {plan.status_words()}")
    report = {
        **plan.summary(),
        "verified": bool(verified is not None and verified.verified),
        "rounds": verified.rounds if verified is not None else [],
        "kept_round": verified.kept_round if verified is not None else None,
        "stop_reason": verified.stop_reason if verified is not None else "",
        "correction_cost_per_week": (
            next(r["cost_per_week"] for r in verified.rounds if r["kept"])
            - verified.rounds[0]["cost_per_week"]
            if verified is not None
            else 0.0
        ),
        "simulated": {
            "replications": run.summary["replications"],
            "seed": seed,
            "attainment": run.summary["sla"]["attainment"],
            "goal_met": run.summary["sla"]["goal_met"],
            "cost_per_week": run.summary["cost"]["per_week"],
            "queues_missing_goal": misses,
        },
    }
    if risk_levels:
        report["risk"] = risk_levels[-1]
        report["risk_levels"] = [risk_level_row(r) for r in risk_levels]
    optimized_data = plan.optimized.to_data()
    optimized_data["seed"] = seed  # the roster was simulated with this seed
    people, leave, dates = people_from_scenario(
        plan.scenario, [t.name for t in plan.scenario.teams if t.optimize_shifts]
    )
    publication = build_publication(
        plan.roster, people, dates, leave, title=scenario.name, stamp=_publishing_moment()
    )
    report["publication_problems"] = publication.problems
    html = render_optimize_report(
        run.summary,
        run.tables(),
        optimized_data,
        report,
        plan.roster,
        plan.coverage,
        people=people,
        leave=leave,
    )
    writers: dict[str, Callable[[Path], object]] = {
        name: functools.partial(outputs.write_bytes, data=data)
        for name, data in publication.files.items()
    }
    outputs.write_all(
        out,
        {
            "requirements.csv": lambda p: outputs.write_csv(p, plan.requirements),
            "schedule.csv": lambda p: outputs.write_csv(p, plan.schedule.table()),
            "roster.csv": lambda p: outputs.write_csv(p, plan.roster),
            "coverage.csv": lambda p: outputs.write_csv(p, plan.coverage),
            "optimize.json": lambda p: outputs.write_json(p, report),
            "scenario.optimized.yaml": lambda p: outputs.write_text(
                p, yaml.safe_dump(optimized_data, sort_keys=False, allow_unicode=True)
            ),
            "summary.json": lambda p: outputs.write_json(p, run.summary),
            "intervals.csv": lambda p: outputs.write_csv(p, run.intervals),
            "agents.csv": lambda p: outputs.write_csv(p, run.agents),
            "report.html": lambda p: outputs.write_text(p, html),
            **writers,
        },
    )
    for line in optimize_lines(report, str(args.file)):
        print(line)
    print(
        f"outputs in {out}/ (roster.csv, roster.xlsx, roster_grid.csv, calendars/, "
        "optimize.json, report.html, ...)"
    )
    return EXIT_OK


def _say_at_risk(say: Callable[[str], None], level: float | None, words: str) -> None:
    say(f"risk {level:g}: {words}" if level is not None else words)


def cmd_validate(args: argparse.Namespace) -> int:
    scenario = load(args.file, args.set or ())
    estimate = _check_size(scenario, args.replications, args, f"scenario '{args.file}'")
    agents = sum(t.agents for t in scenario.teams)
    volume = sum(s.tickets_per_week for s in scenario.demand.streams)
    print(
        f"ok: scenario '{args.file}' ({scenario.name}): {len(scenario.demand.streams)} streams, "
        f"{volume:,.0f} tickets/week, {len(scenario.teams)} teams, {agents} agents, "
        f"{scenario.horizon.weeks:g} weeks"
    )
    print(f"size of a simulation: {estimate.describe()}")
    return EXIT_OK


def _studio_scenarios(args: argparse.Namespace) -> list[Any]:
    """The scenarios the studio offers: the files given, then the library's, with --set
    applied to each; a library scenario that an override does not fit is left out."""
    from scenarios import LIBRARY, ScenarioError, apply_override, read_scenario_data
    from scenarios.levers import StudioScenario

    offered = []
    for path in args.files:
        data = read_scenario_data(path)
        for assignment in args.set or ():
            apply_override(data, assignment)
        offered.append(StudioScenario(f"{path}", f"scenario '{path}'", data, Path(path).parent))
    for path in sorted(LIBRARY.glob("*.yaml")):
        data = read_scenario_data(path)
        try:
            for assignment in args.set or ():
                apply_override(data, assignment)
        except ScenarioError as exc:
            _say(f"warning: library scenario '{path.stem}' left out: {exc}")
            continue
        offered.append(StudioScenario(f"library: {path.stem}", f"scenario '{path.name}'", data))
    if not args.files:  # the small demo first: its baseline runs in seconds
        offered.sort(key=lambda e: e.label != "library: small_demo")
    return offered


def studio_run(
    scenario: Any,
    replications: int,
    seed: int,
    progress: Callable[[int, int], None],
    stop: Any,
    max_tickets: int | None = None,
) -> Any:
    """A studio run: ``simulate``'s checks and calls, cancellable; None when cancelled."""
    from sim.size import DEFAULT_MAX_TICKETS, estimate_run, size_problem
    from sim.studio_runs import RunCancelled, run_variant

    _refuse_unplanned(
        scenario,
        f"scenario '{scenario.name}'",
        "the studio simulates shifts already planned: press 'How many agents for these "
        "goals?' for the optimizer's head count, or open here the scenario.optimized.yaml "
        "that 'optimize' writes",
    )
    problem = size_problem(estimate_run(scenario, replications), max_tickets or DEFAULT_MAX_TICKETS)
    if problem is not None:
        raise UsageError(f"scenario '{scenario.name}': {problem}")
    try:
        return run_variant(
            scenario, replications, seed, required=_requirements, progress=progress, stop=stop
        )
    except RunCancelled:
        return None


def studio_headcount(scenario: Any) -> list[dict[str, Any]]:
    """The optimizer's head count of each ``shifts: optimize`` team (``--size-teams``)."""
    from optimizer.plan import optimize_scenario

    return [h.record() for h in optimize_scenario(scenario, size_teams=True).headcount]


def cmd_studio(args: argparse.Namespace) -> int:
    from reports.studio import StudioServices, build_app
    from scenarios.levers import build_variant, lever_overrides, levers
    from sim.whatif import comparison_tables

    services = StudioServices(
        scenarios=_studio_scenarios(args),
        levers=levers,
        overrides=lever_overrides,
        build=build_variant,
        run=functools.partial(studio_run, max_tickets=args.max_tickets),
        compare=comparison_tables,
        headcount=studio_headcount,
        replications=args.replications,
        seed=args.seed,
    )
    app = build_app(services)
    _say(f"what-if studio on http://{args.host}:{args.port}/ (Ctrl-C stops it)")
    app.run(host=args.host, port=args.port, debug=False)
    return EXIT_OK


def build_parser() -> argparse.ArgumentParser:
    """The command line's parser, each command wired to its function."""
    return cli.build_parser(
        {
            "demo": cmd_demo,
            "simulate": cmd_simulate,
            "compare": cmd_compare,
            "sweep": cmd_sweep,
            "optimize": cmd_optimize,
            "validate": cmd_validate,
            "import_tickets": cmd_import_tickets,
            "backtest": cmd_backtest,
            "forecast": cmd_forecast,
            "studio": cmd_studio,
        }
    )


def _run(argv: Sequence[str] | None) -> int:
    """Parse the command line and run the command; bad input becomes one message, exit 2."""
    from optimizer.solver import OptimizerError
    from scenarios import ScenarioError
    from scenarios.ticket_import import TicketImportError
    from sim.cluster import ClusterError
    from sim.outputs import OutputError

    try:
        args = build_parser().parse_args(argv)
        return int(args.func(args))
    except (ScenarioError, TicketImportError, OptimizerError, ClusterError, OutputError) as exc:
        message = str(exc)
    except UsageError as exc:
        message = str(exc)
    except MemoryError:
        message = "this machine ran out of memory (expected a smaller run: see the size "
        message += "estimate of 'run_sim.py validate FILE', and lower --max-tickets)"
    except OSError as exc:
        if exc.filename is None or isinstance(exc, BrokenPipeError):
            raise
        message = f"'{exc.filename}': {exc.strerror or exc} (expected a path this user can "
        message += "read or write, on a disk with room)"
    _say(f"error: {message}")
    return EXIT_BAD_INPUT


def _from_interrupt(exc: BaseException) -> bool:
    """Whether a Ctrl-C caused this error: a compiled library that was loading when it came
    may turn the KeyboardInterrupt into an ImportError of its own."""
    seen: set[int] = set()
    link: BaseException | None = exc
    while link is not None and id(link) not in seen:
        if isinstance(link, KeyboardInterrupt):
            return True
        seen.add(id(link))
        link = link.__cause__ or link.__context__
    return False


def main(argv: Sequence[str] | None = None, *, quiet_interrupt: bool = False) -> int:
    """Run one command; its exit code: 0, 1, 2, or 130 when interrupted (said unless
    ``quiet_interrupt``, when the supervising process says it)."""
    try:
        try:
            return _run(argv)
        except SystemExit as exc:  # --help
            return exc.code if isinstance(exc.code, int) else EXIT_OK
        except BrokenPipeError:  # the reader of stdout went away: stop quietly
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return EXIT_INTERNAL
        except Exception as exc:  # an internal error: say so, with the traceback for a bug report
            if _from_interrupt(exc):
                raise KeyboardInterrupt from exc
            _say("internal error (please report it with the lines below):")
            traceback.print_exc()
            return EXIT_INTERNAL
    except KeyboardInterrupt:  # anywhere, handlers included
        stop_children()
        if not quiet_interrupt:
            _say("interrupted")
        return EXIT_INTERRUPTED


def _supervise(argv: Sequence[str] | None = None) -> int:
    """Run :func:`main` in a child process leading its own process group (see
    ``sim.supervisor``), so that a Ctrl-C stops every process of the run; say once how an
    interrupted or killed run ended."""
    outcome = run_supervised(lambda: main(argv, quiet_interrupt=True), STOP_GRACE_SECONDS)
    if outcome is None:  # no fork on this system: a Ctrl-C is a KeyboardInterrupt again
        signal.signal(signal.SIGINT, signal.default_int_handler)
        return main(argv)
    if outcome.interrupted_by is not None:
        if sys.stderr.isatty():
            sys.stderr.write("\x1b[?25h")  # show the cursor a progress bar may have hidden
        _say("interrupted")
    elif outcome.killed_by is not None:
        _say(f"error: the command was stopped by signal {signal.Signals(outcome.killed_by).name}")
    return outcome.code


if __name__ == "__main__":
    sys.exit(_supervise())
