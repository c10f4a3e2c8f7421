"""Output files of a run, each written atomically.

Every file is written to a temporary file in the destination folder and moved into place
with ``os.replace``, so a crash never leaves a half-written file: a reader sees the old
file or the new one. JSON is strict (NaN and infinity become null). Called by the command
line, which decides where the files go.
"""

from __future__ import annotations

import json
import math
import os
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


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


def write_all(out_dir: Path, writers: dict[str, Callable[[Path], object]]) -> list[Path]:
    """Run each ``name -> writer(path)`` into ``out_dir``; return the paths written."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for name, writer in writers.items():
        path = out_dir / name
        writer(path)
        written.append(path)
    return written
