"""The optimizer: requirements -> schedule -> rosters -> a checked plan, and its verification.

Role: read a :class:`~scenarios.schema.Scenario` and propose who works when.

- :mod:`optimizer.solver`: the one way to HiGHS (through Pyomo), limits by gap and work
  budget, and the one result type, :class:`~optimizer.solver.SolveResult`;
- :mod:`optimizer.requirements`: agents needed per interval and queue group (queueing
  formulas);
- :mod:`optimizer.schedule`: how many of each crew's people work each shift template on
  each local date (a MILP, week by week);
- :mod:`optimizer.roster`: who works which of those shifts under the labour rules (a
  roster problem as data, its MILP, a start heuristic and the solver);
- :mod:`optimizer.rostering`: from a schedule to each crew's roster problem and back to
  dated shifts;
- :mod:`optimizer.plan`: the pipeline, :func:`~optimizer.plan.optimize_scenario`, whose
  rosters are checked by the one labour-rule checker (:mod:`scenarios.labor`);
- :mod:`optimizer.verify`: simulate a plan and correct its requirements where goals miss.

Dependencies point one way: solver <- roster, schedule <- rostering <- plan <- verify.
Must not import ``reports`` or ``run_sim``; may call ``sim`` (arrival rates, queueing
formulas, shift expansion, the simulation for verification).  No printing, no files.
Submodules are imported on use (``from optimizer.plan import optimize_scenario``) so that
importing the package does not load Pyomo.
"""
