"""Temporary files that a crash cannot strand: atomic-write temp files and the scratch
directory of the chunked conversions.

Every temporary path socmob creates carries a recognisable name with the writer's
process id and start time:

- an atomic write's temp file sits next to its target (so the final rename stays on one
  file system) as ``.<target name>.socmob-tmp.<pid>.<start>.<random>``, and is recorded
  in the *pending* register (``<user data dir>/pending``: one small file per write,
  holding the temp path) until the write ends;
- the scratch directory of a process (Parquet conversions of Excel, SPSS, Stata and CSV
  files) is ``<system temp dir>/socmob-scratch.<pid>.<start>.<random>``, removed at exit.

A process killed mid-write (``kill -9``) leaves them behind; :func:`sweep_stale`, run at
the start of every command and before every atomic write, removes those whose writer
process is gone (its pid no longer runs, or runs a different program started later). A
temp file of a writer that is still running is never touched.

This module imports nothing heavy: the command line calls :func:`sweep_stale` before it
loads pandas.
"""

from __future__ import annotations

import atexit
import contextlib
import os
import secrets
import shutil
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path

TEMP_MARK = ".socmob-tmp."
"""Part of the name of every atomic-write temp file."""

SCRATCH_PREFIX = "socmob-scratch."
"""Prefix of every per-process scratch directory (in the system temp directory)."""

_lock = threading.Lock()
_scratch: Path | None = None


def _start_time(pid: int) -> str:
    """The start time of process ``pid`` (clock ticks since boot, from ``/proc``), or
    ``"0"`` where ``/proc`` is absent; with the pid it names one process for good."""
    try:
        with open(f"/proc/{pid}/stat", "rb") as handle:
            stat = handle.read()
    except OSError:
        return "0"
    fields = stat[stat.rfind(b")") + 2:].split()
    return fields[19].decode() if len(fields) > 19 else "0"


def _owner_token() -> str:
    pid = os.getpid()
    return f"{pid}.{_start_time(pid)}"


def process_alive(pid: int, start: str) -> bool:
    """Whether the process ``pid`` that started at ``start`` is still running."""
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass  # it exists, owned by someone else
    except OSError:
        return False
    return start == "0" or _start_time(pid) in (start, "0")


def _owner_alive(token: str) -> bool:
    """``token`` is ``<pid>.<start>[.<anything>]``; unparsable tokens count as alive (a
    file we do not understand is never deleted)."""
    parts = token.split(".")
    if len(parts) < 2 or not parts[0].isdigit():
        return True
    return process_alive(int(parts[0]), parts[1])


def pending_dir() -> Path:
    """The register of writes in progress (``SOCMOB_DATA_DIR`` overrides the user data
    directory)."""
    override = os.environ.get("SOCMOB_DATA_DIR")
    if override:
        base = Path(override)
    else:
        import platformdirs

        base = Path(platformdirs.user_data_dir("socmob", appauthor=False))
    return base / "pending"


def temp_path_for(target: Path) -> Path:
    """A fresh temp path beside ``target`` with the recognisable name."""
    return target.with_name(
        f".{target.name}{TEMP_MARK}{_owner_token()}.{secrets.token_hex(4)}")


@contextlib.contextmanager
def registered(temp: Path) -> Iterator[None]:
    """Record ``temp`` in the pending register for the duration of the block, so that
    :func:`sweep_stale` finds it if this process dies before removing it."""
    record: Path | None = None
    try:
        folder = pending_dir()
        folder.mkdir(parents=True, exist_ok=True)
        record = folder / f"{_owner_token()}.{secrets.token_hex(6)}"
        record.write_text(str(temp.resolve()), encoding="utf-8")
    except OSError:
        record = None  # no writable register: the sweep of the target folder still works
    try:
        yield
    finally:
        if record is not None:
            with contextlib.suppress(OSError):
                record.unlink()


def _remove(path: Path) -> None:
    with contextlib.suppress(OSError):
        if path.is_dir() and not path.is_symlink():
            shutil.rmtree(path, ignore_errors=True)
        else:
            path.unlink()


def sweep_folder(folder: Path) -> list[Path]:
    """Remove the stale atomic-write temp files in ``folder``; return what was removed."""
    removed: list[Path] = []
    try:
        names = os.listdir(folder)
    except OSError:
        return removed
    for name in names:
        at = name.find(TEMP_MARK)
        if not name.startswith(".") or at < 0:
            continue
        if not _owner_alive(name[at + len(TEMP_MARK):]):
            path = folder / name
            _remove(path)
            removed.append(path)
    return removed


def sweep_stale() -> list[Path]:
    """Remove every temp file and scratch directory whose writer process is gone:
    those named in the pending register, and stale scratch directories. Returns the
    paths removed. Cheap (two small directory listings); never raises."""
    removed: list[Path] = []
    try:
        folder = pending_dir()
        records = os.listdir(folder)
    except OSError:
        records = []
    for name in records:
        if _owner_alive(name):
            continue
        record = folder / name
        try:
            temp = Path(record.read_text(encoding="utf-8").strip())
        except (OSError, UnicodeDecodeError):
            temp = None
        if temp is not None and TEMP_MARK in temp.name and temp.exists():
            _remove(temp)
            removed.append(temp)
        _remove(record)
    base = Path(tempfile.gettempdir())
    try:
        names = os.listdir(base)
    except OSError:
        names = []
    for name in names:
        if name.startswith(SCRATCH_PREFIX) and not _owner_alive(name[len(SCRATCH_PREFIX):]):
            path = base / name
            _remove(path)
            removed.append(path)
    return removed


def scratch_dir() -> Path:
    """This process's scratch directory (created on first use, removed at exit; a
    directory left by a killed process is swept by the next one)."""
    global _scratch
    with _lock:
        if _scratch is None or not _scratch.exists():
            sweep_stale()
            _scratch = Path(tempfile.mkdtemp(
                prefix=f"{SCRATCH_PREFIX}{_owner_token()}.{secrets.token_hex(3)}"))
            atexit.register(shutil.rmtree, _scratch, True)
        return _scratch


def scratch_file(stem: str, suffix: str) -> Path:
    """A fresh path in the scratch directory (``stem`` reduced to safe characters)."""
    safe = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in stem)[:60] or "file"
    return scratch_dir() / f"{safe}-{secrets.token_hex(4)}{suffix}"


__all__ = [
    "SCRATCH_PREFIX",
    "TEMP_MARK",
    "pending_dir",
    "process_alive",
    "registered",
    "scratch_dir",
    "scratch_file",
    "sweep_folder",
    "sweep_stale",
    "temp_path_for",
]
