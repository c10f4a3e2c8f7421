"""Running a command so that Ctrl-C stops all of it: every process it started included.

A Ctrl-C at a terminal is a SIGINT to the terminal's foreground process group: to every
process of a run (Dask's local workers, solver pools), each of which would print its own
traceback. :func:`run_supervised` runs a function in a forked child that leads a process
group of its own, so that the signal reaches only the calling process, which passes it on
to the child (which stops its work and removes its unfinished outputs), stops the child's
whole group once the child has ended (or after a grace period, or at a second Ctrl-C),
and reports how it ended. :func:`stop_children` is what an interrupted process does first.

No printing here: the command line says what happened. The child ends with ``os._exit``,
as a forked process must (it shares the parent's buffers and exit handlers).
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass

RELAYED = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
"""Signals passed on to the child as a Ctrl-C."""


@dataclass(frozen=True, slots=True)
class Outcome:
    """How a supervised run ended: its exit code, and the signal that stopped it (None when
    it ended by itself; ``killed_by`` when a signal outside this process killed it)."""

    code: int
    interrupted_by: int | None = None
    killed_by: int | None = None


def stop_children() -> None:
    """Stop the processes this one started (Dask's local workers, solver pools) at once:
    closing them in order takes seconds and each would log its cancelled work."""
    logging.disable(logging.CRITICAL)
    for process in multiprocessing.active_children():
        with suppress(OSError, ValueError):
            process.kill()


def _child(function: Callable[[], int]) -> None:
    """In the forked child: lead a new process group, run the function, end."""
    code = 1
    try:
        with suppress(OSError):
            os.setpgid(0, 0)
        # A Ctrl-C that reached this process before it left the terminal's group also
        # reached the parent, which passes it on: drop it here.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.pthread_sigmask(signal.SIG_UNBLOCK, RELAYED)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        # Written output from a background process group must not stop it (stty tostop).
        signal.signal(signal.SIGTTOU, signal.SIG_IGN)
        code = function()
    finally:
        for stream in (sys.stdout, sys.stderr):
            with suppress(OSError, ValueError):
                stream.flush()
        os._exit(code)


def run_supervised(function: Callable[[], int], grace_seconds: int = 3) -> Outcome | None:
    """Run ``function`` (returning an exit code) in a child that leads its own process group.

    Returns None where processes cannot be forked (the caller then runs the function
    itself). Must be called before any thread is started.
    """
    if not hasattr(os, "fork") or not hasattr(os, "killpg"):
        return None
    sys.stdout.flush()
    sys.stderr.flush()
    # Held back until each side has its own handlers: a Ctrl-C in between waits for them.
    signal.pthread_sigmask(signal.SIG_BLOCK, RELAYED)
    child = os.fork()
    if child == 0:
        _child(function)
    with suppress(OSError):
        os.setpgid(child, child)  # also here, so the group exists before any signal
    stopping: list[int] = []

    def stop_group(_signum: int = 0, _frame: object = None) -> None:
        with suppress(OSError):  # the group may be gone already
            os.killpg(child, signal.SIGKILL)

    def on_signal(signum: int, _frame: object) -> None:
        if stopping:  # a second Ctrl-C: stop everything now
            stop_group()
            return
        stopping.append(signum)
        with suppress(OSError):
            os.kill(child, signal.SIGINT)
        signal.alarm(grace_seconds)

    signal.signal(signal.SIGALRM, stop_group)
    for signum in RELAYED:
        signal.signal(signum, on_signal)
    signal.pthread_sigmask(signal.SIG_UNBLOCK, RELAYED)
    try:
        _, status = os.waitpid(child, 0)
    except ChildProcessError:
        status = 0
    signal.alarm(0)
    stop_group()  # whatever the child started and left behind (Dask workers, pools)
    if stopping:
        return Outcome(128 + stopping[0], interrupted_by=stopping[0])
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        return Outcome(128 + number, killed_by=number)
    return Outcome(os.waitstatus_to_exitcode(status))
