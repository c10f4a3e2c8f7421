"""Dask clusters for ``--workers`` and ``--scheduler``: connected and closed in the background.

``connect`` makes a client of a running scheduler or of a local cluster of worker
processes (started without two Dask defaults that cost simulation speed); ``Cluster`` does
it in a background thread while the caller loads its scenarios, and closes it while the
caller writes its outputs. Tasks are mapped onto a client by ``sim.runner.map_tasks``.
No printing here; a connection that fails is a :class:`ClusterError`.
"""

from __future__ import annotations

import logging
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any


class ClusterError(ValueError):
    """A Dask scheduler that cannot be reached; the message names its address."""


def connect(scheduler: str | None, workers: int | None) -> Any:
    """A Dask client of ``scheduler``, or of a local cluster of ``workers`` processes
    (more than one), or None for a serial run."""
    if scheduler:
        from dask.distributed import Client

        try:
            return Client(scheduler, timeout=10)
        except (OSError, TimeoutError, ValueError) as exc:
            raise ClusterError(
                f"--scheduler '{scheduler}': cannot connect ({exc}; expected a running "
                "Dask scheduler address such as tcp://127.0.0.1:8786)"
            ) from None
    if workers and workers > 1:
        import dask
        from dask.distributed import Client, LocalCluster

        # Two of Dask's worker defaults cost simulation speed and serve nothing here.
        # MALLOC_TRIM_THRESHOLD_ (returning freed memory to the system at once) also
        # switches off glibc's adaptive mmap threshold, so every large NumPy array is
        # mapped and page-faulted afresh: 13% slower per run. The statistical profiler
        # samples each task's stack 100 times a second and nobody reads it.
        settings = {
            "distributed.nanny.pre-spawn-environ.MALLOC_TRIM_THRESHOLD_": None,
            "distributed.worker.profile.enabled": False,
        }
        with dask.config.set(settings):
            cluster = LocalCluster(
                n_workers=workers,
                threads_per_worker=1,
                processes=True,
                dashboard_address=None,
                preload=["sim.runner"],
            )
        return Client(cluster)
    return None


def close(client: Any) -> None:
    """Close a Dask client and, when this process started it, its local cluster."""
    cluster = getattr(client, "cluster", None)
    client.close()
    if cluster is not None:
        cluster.close()


class Cluster:
    """The Dask client of --workers/--scheduler, connected and closed in the background.

    Starting a local cluster takes about a second, and so does closing it: connecting
    while the main thread loads the scenarios, and closing while it writes the outputs,
    hides both. ``client()`` waits for the connection (None for a serial run, and it raises
    the connection's ``ClusterError``); ``release()`` starts closing; leaving the ``with``
    block waits until the cluster is gone, except on an interrupt: then the workers are
    left to the caller to stop, since closing them in order takes seconds and logs every
    cancelled task.
    """

    def __init__(self, scheduler: str | None, workers: int | None) -> None:
        wanted = bool(scheduler) or (workers or 0) > 1
        self._pool = ThreadPoolExecutor(1, thread_name_prefix="dask-connect") if wanted else None
        self._connecting = self._pool.submit(connect, scheduler, workers) if self._pool else None
        self._closing: Future[None] | None = None

    def client(self) -> Any:
        return None if self._connecting is None else self._connecting.result()

    def release(self) -> None:
        if self._pool is not None and self._closing is None:
            self._closing = self._pool.submit(self._shut_down)

    def _shut_down(self) -> None:
        assert self._connecting is not None
        if self._connecting.exception() is None:
            close(self._connecting.result())

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, kind: type[BaseException] | None, *exc_info: object) -> None:
        if self._pool is None:
            return
        if kind is not None and issubclass(kind, KeyboardInterrupt):
            logging.disable(logging.CRITICAL)
            self._pool.shutdown(wait=False, cancel_futures=True)
            return
        self.release()
        self._pool.shutdown(wait=True)
