"""Output files of a run, written as one set.

A run's files are written into a staging folder beside the ``--out`` folder and swapped in
at the end, in one atomic step (``renameat2(RENAME_EXCHANGE)`` on Linux, ``renamex_np``
on macOS), so a reader of the ``--out`` folder sees the previous run or this one, never a
mix of the two, and never a half-written or temporary file. The folder carries a hidden
list of its files (:data:`RUN_MARKER`): a later run replaces a folder only when every entry
in it is one a run wrote, so a folder holding anything else is never swapped away. A run
killed before the swap leaves a hidden staging folder beside the target; the next run into
that folder removes it. Single files (``import-tickets --out FILE``) are written atomically
with :func:`atomic_path`. JSON is strict (NaN and infinity become null).

Called by the command line, which decides where the files go; every file-system problem
is an :class:`OutputError` that names the path.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import glob
import json
import math
import os
import shutil
import sys
import tempfile
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

RUN_MARKER = ".supportsim-run.json"
"""Hidden file in every output folder, listing the files of the run that wrote it."""

_EARLIER_RUN_FILES = frozenset(
    {
        *("summary.json", "tickets.parquet", "intervals.csv", "agents.csv", "costs.csv"),
        *("scenario.yaml", "report.html", "comparison.csv", "comparison_by_queue.csv"),
        *("comparison.json", "sweep.csv", "marginal_value.csv", "sweep.json"),
        *("backtest.csv", "backtest.json", "requirements.csv", "schedule.csv", "roster.csv"),
        *("coverage.csv", "optimize.json", "scenario.optimized.yaml", "forecast.csv"),
        "forecast.json",
    }
)
"""What runs wrote before folders carried :data:`RUN_MARKER`: a folder holding only these
is an earlier run's and may be replaced."""


class OutputError(Exception):
    """An output folder or file that cannot be written; the message names the path."""


def _problem(exc: OSError, path: Path | str) -> OutputError:
    where = exc.filename or path
    return OutputError(
        f"cannot write '{where}': {exc.strerror or exc} (expected a folder this user can "
        "write to, on a disk with room for the outputs)"
    )


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# --------------------------------------------------------------------------- single files


@contextmanager
def atomic_path(path: Path) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it into place if the block succeeds."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        yield tmp_path
        os.chmod(tmp_path, 0o666 & ~_umask())
        os.replace(tmp_path, path)
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text(path: Path, text: str) -> None:
    """Write text atomically (UTF-8)."""
    with atomic_path(path) as tmp:
        tmp.write_text(text, encoding="utf-8")


def write_bytes(path: Path, data: bytes) -> None:
    """Write bytes atomically (e.g. ``roster.xlsx``, a calendar file)."""
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)


def to_jsonable(value: Any) -> Any:
    """Plain JSON data: NumPy scalars unwrapped, NaN and infinity as None."""
    if isinstance(value, dict):
        return {str(k): to_jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [to_jsonable(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, pd.Timestamp):
        return value.isoformat()
    return value


def write_json(path: Path, data: Any) -> None:
    """Write strict JSON atomically."""
    write_text(path, json.dumps(to_jsonable(data), indent=2, allow_nan=False) + "\n")


def write_csv(path: Path, frame: pd.DataFrame) -> None:
    """Write a CSV atomically; timestamps as ISO 8601 with their UTC offset."""
    with atomic_path(path) as tmp:
        frame.to_csv(tmp, index=False, date_format="%Y-%m-%dT%H:%M:%S%z")


def write_parquet(path: Path, frame: pd.DataFrame) -> None:
    """Write a Parquet file atomically (pyarrow)."""
    with atomic_path(path) as tmp:
        frame.to_parquet(tmp, engine="pyarrow", index=False)


# --------------------------------------------------------------------------- the folder swap

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2  # Linux renameat2 flag
_RENAME_SWAP = 2  # macOS renamex_np flag


def _libc_function(name: str) -> Any:
    try:
        function = getattr(ctypes.CDLL(None, use_errno=True), name)
    except (OSError, AttributeError):
        return None
    function.restype = ctypes.c_int
    return function


_renameat2 = _libc_function("renameat2") if sys.platform.startswith("linux") else None
_renamex_np = _libc_function("renamex_np") if sys.platform == "darwin" else None


def _exchange(first: Path, second: Path) -> bool:
    """Swap two existing paths in one atomic step; False where the system cannot."""
    a, b = os.fsencode(first), os.fsencode(second)
    if _renameat2 is not None:
        status = _renameat2(_AT_FDCWD, a, _AT_FDCWD, b, ctypes.c_uint(_RENAME_EXCHANGE))
    elif _renamex_np is not None:
        status = _renamex_np(a, b, ctypes.c_uint(_RENAME_SWAP))
    else:
        return False
    if status == 0:
        return True
    code = ctypes.get_errno()
    if code in (errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP):
        return False  # a file system without the exchange: fall back to two renames
    raise OSError(code, os.strerror(code), str(second))


def _listed(folder: Path) -> set[str]:
    """The files a folder's marker says a run wrote (empty without a readable marker)."""
    try:
        files = json.loads((folder / RUN_MARKER).read_text(encoding="utf-8"))["files"]
    except (OSError, ValueError, KeyError, TypeError):
        return set()
    return {str(name) for name in files} if isinstance(files, list) else set()


def check_out_dir(out_dir: Path, names: Iterable[str] = ()) -> Path:
    """Check, before any work, that a run may write its set of files as ``out_dir``.

    The folder may be absent, empty, or hold only files a run wrote (those its marker
    lists, those runs wrote before folders had a marker, or ``names``, the files this run
    will write); its parent must be writable.

    Returns
    -------
    Path
        The folder to write, with a symbolic link resolved (the link keeps pointing at it).

    Raises
    ------
    OutputError
        Naming the path and what was found there.
    """
    out_dir = out_dir.resolve() if out_dir.is_symlink() else out_dir.absolute()
    if out_dir.exists() and not out_dir.is_dir():
        raise OutputError(f"'{out_dir}': exists and is not a folder (expected a folder)")
    if out_dir.is_dir():
        try:
            entries = {entry.name for entry in out_dir.iterdir()} - {RUN_MARKER}
        except OSError as exc:
            raise _problem(exc, out_dir) from None
        foreign = sorted(entries - _listed(out_dir) - _EARLIER_RUN_FILES - set(names))
        if foreign:
            shown = ", ".join(repr(name) for name in foreign[:3])
            more = f" and {len(foreign) - 3} more" if len(foreign) > 3 else ""
            raise OutputError(
                f"'{out_dir}': holds {shown}{more}, which no run wrote (expected a new or "
                "empty folder, or the folder of an earlier run, so that nothing else is "
                "replaced)"
            )
    ancestor = next(parent for parent in out_dir.parents if parent.exists())
    if not ancestor.is_dir():
        raise OutputError(
            f"'{ancestor}': is a file, not a folder (expected folders to hold '{out_dir}')"
        )
    try:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        probe = tempfile.mkdtemp(prefix=f".{out_dir.name}.", suffix=".probe", dir=out_dir.parent)
        os.rmdir(probe)
    except OSError as exc:
        raise _problem(exc, out_dir.parent) from None
    return out_dir


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _remove_stale(out_dir: Path) -> None:
    """Remove staging folders of runs into ``out_dir`` that were killed before the swap;
    put back a previous set that a fallback swap had moved aside when killed."""
    pattern = f".{glob.escape(out_dir.name)}.*"
    for leftover in out_dir.parent.glob(f"{pattern}.staging"):
        pid = leftover.name[len(out_dir.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            shutil.rmtree(leftover, ignore_errors=True)
    for aside in out_dir.parent.glob(f"{pattern}.previous"):
        pid = aside.name[len(out_dir.name) + 2 :].split(".", 1)[0]
        if pid.isdigit() and not _pid_alive(int(pid)):
            if not out_dir.exists():
                os.rename(aside, out_dir)
            else:
                shutil.rmtree(aside, ignore_errors=True)


def _sync(folder: Path) -> None:
    """Flush a folder's files and the folder itself to disk before it is swapped in."""
    for entry in folder.rglob("*"):
        if entry.is_file():
            fd = os.open(entry, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
    with contextlib.suppress(OSError):  # some file systems cannot sync a folder
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _swap_in(stage: Path, out_dir: Path) -> None:
    """Make ``stage`` the folder ``out_dir`` in one step; remove the previous set."""
    if not out_dir.exists():
        try:
            os.rename(stage, out_dir)
            return
        except OSError as exc:
            if exc.errno not in (errno.EEXIST, errno.ENOTEMPTY):
                raise
    check_out_dir(out_dir, (entry.name for entry in stage.iterdir()))
    if _exchange(stage, out_dir):
        shutil.rmtree(stage)  # the previous set, now under the staging name
        return
    # No atomic exchange here: move the previous set aside, then the new one in. A run
    # killed between the two renames leaves no folder; the next run puts the previous back.
    aside = stage.with_name(stage.name.removesuffix(".staging") + ".previous")
    os.rename(out_dir, aside)
    os.rename(stage, out_dir)
    shutil.rmtree(aside)


@contextmanager
def staged_folder(out_dir: Path, names: Iterable[str] = ()) -> Iterator[Path]:
    """Yield an empty staging folder; when the block succeeds, it becomes ``out_dir``.

    Write every file of a run into the yielded folder (any names, sub-folders included).
    ``names``, the files the run will write, lets it replace a folder of an earlier run
    that has no marker (see :func:`check_out_dir`).
    On success the folder gets its marker, is flushed to disk and is swapped in as
    ``out_dir`` in one step, and the previous set is removed; on any exception (an
    interrupt included) the staging folder is removed and ``out_dir`` is left as it was.

    Raises
    ------
    OutputError
        When the folder cannot be created, written or swapped in (naming the path).
    """
    out_dir = check_out_dir(out_dir, names)
    try:
        _remove_stale(out_dir)
        stage = Path(
            tempfile.mkdtemp(
                prefix=f".{out_dir.name}.{os.getpid()}.", suffix=".staging", dir=out_dir.parent
            )
        )
    except OSError as exc:
        raise _problem(exc, out_dir.parent) from None
    try:
        try:
            yield stage
            names = sorted(entry.name for entry in stage.iterdir())
            (stage / RUN_MARKER).write_text(json.dumps({"files": names}) + "\n")
            os.chmod(stage, 0o777 & ~_umask())
            _sync(stage)
            _swap_in(stage, out_dir)
        except OSError as exc:
            # Named as the folder being written: the staging folder is an implementation.
            raise _problem(OSError(exc.errno, exc.strerror), out_dir) from None
    finally:
        if stage.exists():
            shutil.rmtree(stage, ignore_errors=True)


def write_all(out_dir: Path, writers: dict[str, Callable[[Path], object]]) -> list[Path]:
    """Write a run's files as one set: ``name -> writer(path)`` each into a staging
    folder, swapped in as ``out_dir`` once every writer succeeded (see
    :func:`staged_folder`). Returns the paths of the files in ``out_dir``."""
    with staged_folder(out_dir, writers) as stage:
        for name, writer in writers.items():
            writer(stage / name)
    return [out_dir / name for name in writers]
