"""The schedule: how many of each crew's people work each shift template on each date.

:mod:`~optimizer.schedule.inputs` (a scenario as a covering problem),
:mod:`~optimizer.schedule.model` (its MILP) and :mod:`~optimizer.schedule.solve` (the LP
bound, then whole people week by week).
"""
