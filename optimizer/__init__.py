"""The optimizer: requirements, shift schedule, named roster and the plan that joins them.

Role: read a :class:`~scenarios.schema.Scenario` and propose who works when.
``requirements`` (agents needed per interval and queue), ``schedule`` (Pyomo MILP: agents
per team, shift template and day, with flows from teams to queue groups), ``roster``
(Pyomo MILP: named agents under labour rules), ``plan`` (schedule -> rosters -> optimized
scenario, :func:`optimizer.plan.optimize_scenario`), ``result`` (solve outcomes as values).
Every solve reports status, objective, bound and gap; infeasibility is a status with words.

Must not import ``reports`` or ``run_sim``; may call ``sim`` (demand, queueing formulas,
shift expansion) to read what the engine will do.  No printing, no files.

Submodules are imported on use (``from optimizer.plan import optimize_scenario``) so that
importing the package does not load Pyomo.
"""
