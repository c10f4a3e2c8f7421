"""An output folder always holds one run's set of files: the previous set or the new one,
never a mix and never a temporary file, whatever point a run is killed at."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import ROOT

from sim import outputs
from sim.outputs import RUN_MARKER, OutputError, check_out_dir, staged_folder, write_all


def writers(tag: str, names: tuple[str, ...] = ("a.txt", "b.txt", "c.txt")) -> dict:
    return {name: (lambda p, n=name: outputs.write_text(p, f"{tag} {n}")) for name in names}


def contents(folder: Path) -> dict[str, str]:
    """Every entry of a folder (hidden ones included) and its text."""
    return {
        entry.name: entry.read_text() if entry.is_file() else "<folder>"
        for entry in sorted(folder.iterdir())
    }


def run_set(folder: Path, tag: str, names: tuple[str, ...] = ("a.txt", "b.txt", "c.txt")) -> dict:
    """What a folder holds after a complete write of set ``tag``."""
    return {
        RUN_MARKER: json.dumps({"files": sorted(names)}) + "\n",
        **{name: f"{tag} {name}" for name in names},
    }


def test_a_new_set_replaces_the_old_one_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_all(out, writers("old"))
    assert contents(out) == run_set(out, "old")
    write_all(out, writers("new", ("a.txt", "d.txt")))
    assert contents(out) == run_set(out, "new", ("a.txt", "d.txt"))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]  # nothing left beside it
    assert oct(out.stat().st_mode & 0o777) == oct(0o777 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def test_a_failing_writer_leaves_the_previous_set(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_all(out, writers("old"))

    def fail(path: Path) -> None:
        path.write_text("half")
        raise RuntimeError("disk on fire")

    with pytest.raises(RuntimeError, match="disk on fire"):
        write_all(out, {**writers("new"), "d.txt": fail})
    assert contents(out) == run_set(out, "old")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_with_other_files_is_never_replaced(tmp_path: Path) -> None:
    out = tmp_path / "out"
    write_all(out, writers("old"))
    (out / "notes.txt").write_text("mine")
    with pytest.raises(OutputError, match=r"holds 'notes\.txt', which no run wrote"):
        write_all(out, writers("new"))
    assert (out / "notes.txt").read_text() == "mine"
    with pytest.raises(OutputError, match=r"holds 'w', 'x', 'y' and 1 more"):
        check_out_dir(_folder_with(tmp_path / "home", "w", "x", "y", "z"))


def _folder_with(folder: Path, *names: str) -> Path:
    folder.mkdir()
    for name in names:
        (folder / name).write_text(name)
    return folder


def test_a_folder_of_an_earlier_version_is_recognised(tmp_path: Path) -> None:
    out = _folder_with(tmp_path / "out", "summary.json", "report.html")  # no marker
    write_all(out, writers("new"))
    assert contents(out) == run_set(out, "new")


def test_an_empty_folder_and_a_symbolic_link(tmp_path: Path) -> None:
    real = tmp_path / "real"
    real.mkdir()
    link = tmp_path / "link"
    link.symlink_to(real)
    write_all(link, writers("new"))
    assert link.is_symlink() and contents(link) == run_set(real, "new")


def test_a_file_in_the_way_and_an_unwritable_parent_are_named(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    with pytest.raises(OutputError, match=r"file': exists and is not a folder"):
        write_all(tmp_path / "file", writers("new"))
    with pytest.raises(OutputError, match=r"'.*file': is a file, not a folder"):
        write_all(tmp_path / "file" / "out", writers("new"))


@pytest.mark.skipif(os.geteuid() == 0, reason="permissions do not bind the root user")
def test_a_read_only_parent_is_named(tmp_path: Path) -> None:
    parent = tmp_path / "ro"
    parent.mkdir()
    parent.chmod(0o500)
    try:
        with pytest.raises(OutputError, match=r"'.*ro': Permission denied"):
            write_all(parent / "out", writers("new"))
    finally:
        parent.chmod(0o700)


def test_a_full_disk_leaves_the_previous_set(tmp_path: Path) -> None:
    """A file-size limit makes writes fail as on a full disk (EFBIG instead of ENOSPC)."""
    out = tmp_path / "out"
    write_all(out, writers("old"))
    script = f"""
        import resource, signal
        from pathlib import Path
        from sim import outputs
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (10_000, 10_000))
        try:
            outputs.write_all(Path({str(out)!r}), {{
                "a.txt": lambda p: outputs.write_text(p, "new"),
                "big.bin": lambda p: outputs.write_text(p, "x" * 100_000),
            }})
        except outputs.OutputError as exc:
            print(exc)
    """
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(script)], capture_output=True, text=True, cwd=ROOT
    )
    assert done.returncode == 0, done.stderr
    assert "File too large" in done.stdout and str(out) in done.stdout
    assert contents(out) == run_set(out, "old")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# --------------------------------------------------------------------------- killed runs

KILLER = """
import os, signal, sys
from pathlib import Path
from sim import outputs

out, tag, point = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
names = ("a.txt", "b.txt", "c.txt")

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def writer(name, index):
    def write(path):
        if point == f"writer{{index}}":
            die()
        outputs.write_text(path, f"{{tag}} {{name}}")
    return write

def wrap(module, name, when):
    original = getattr(module, name)
    def wrapped(*args, **kwargs):
        if when == "before":
            die()
        result = original(*args, **kwargs)
        die()
        return result
    setattr(module, name, wrapped)

if point.startswith(("before:", "after:")):
    when, name = point.split(":")
    module = outputs.shutil if name == "rmtree" else outputs.os if name == "rename" else outputs
    wrap(module, name, when)
if point == "no-exchange":
    outputs._exchange = lambda a, b: False
if point.startswith("fallback:"):
    outputs._exchange = lambda a, b: False
    wrap(outputs.os, "rename", point.split(":")[1])
outputs.write_all(out, {{name: writer(name, i) for i, name in enumerate(names)}})
"""

KILL_POINTS = [
    "writer0",
    "writer2",
    "before:_sync",
    "before:_swap_in",
    "before:_exchange",
    "after:_exchange",
    "after:rmtree",
    "no-exchange",
]


def _write_in_child(out: Path, tag: str, point: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", KILLER.format(), str(out), tag, point],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode


@pytest.mark.parametrize("point", KILL_POINTS)
def test_a_run_killed_at_any_point_leaves_the_old_set_or_the_new(
    tmp_path: Path, point: str
) -> None:
    out = tmp_path / "out"
    assert _write_in_child(out, "old", "none") == 0
    code = _write_in_child(out, "new", point)
    assert code in (0, -signal.SIGKILL)
    found = contents(out)
    assert found in (run_set(out, "old"), run_set(out, "new")), found
    expected_new = point in ("after:_exchange", "after:rmtree", "no-exchange")
    assert found == run_set(out, "new" if expected_new else "old")
    # The next run removes what the killed one left beside the folder, and writes its set.
    assert _write_in_child(out, "next", "none") == 0
    assert contents(out) == run_set(out, "next")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_without_an_atomic_exchange_a_killed_swap_is_undone_by_the_next_run(
    tmp_path: Path,
) -> None:
    """Where the system cannot exchange two folders, the previous set is moved aside and
    the new one in; killed in between, the folder is missing until the next run puts the
    previous set back (and then writes its own)."""
    out = tmp_path / "out"
    assert _write_in_child(out, "old", "none") == 0
    assert _write_in_child(out, "new", "fallback:after") == -signal.SIGKILL
    assert not out.exists()
    with staged_folder(out) as stage:
        assert contents(out) == run_set(out, "old")  # put back before anything else
        (stage / "a.txt").write_text("next a.txt")
    assert contents(out) == run_set(out, "next", ("a.txt",))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


def test_a_folder_that_refuses_writing_is_named(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """As the root user a read-only folder still takes files; the refusal the system gives
    other users is played here."""

    def refuse(*_args: object, dir: str = "", **_kwargs: object) -> str:
        raise PermissionError(13, "Permission denied", dir)

    monkeypatch.setattr(outputs.tempfile, "mkdtemp", refuse)
    with pytest.raises(OutputError, match=rf"'{tmp_path}': Permission denied \(expected a folder"):
        write_all(tmp_path / "out", writers("new"))
    assert not (tmp_path / "out").exists()
