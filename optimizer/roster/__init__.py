"""Named rosters: who works which shift type on which day, under labour rules.

:mod:`~optimizer.roster.problem` (the problem as data), :mod:`~optimizer.roster.objective`
(what a roster costs), :mod:`~optimizer.roster.model` (its MILP),
:mod:`~optimizer.roster.start` (a start by annealing), :mod:`~optimizer.roster.weeks` (a
stable start built week by week) and :mod:`~optimizer.roster.solve` (the solver).
"""
