"""Nothing left behind: a writer killed with SIGKILL mid-write strands its temp file, and
the next socmob command removes it, leaving exactly the old state.

A real ``socmob synth income`` writes a large Parquet file over an existing one; the test
kills it once its temp file has grown, checks the temp file is there and the old file
intact, runs the next command, and checks that nothing but the old file remains.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from socmob.io.scratch import SCRATCH_PREFIX, TEMP_MARK

SOCMOB = [sys.executable, "-c", "from socmob.cli import main; main()"]


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env["SOCMOB_DATA_DIR"] = str(tmp_path / "state")
    env["TMPDIR"] = str(tmp_path / "tmp")
    (tmp_path / "tmp").mkdir(exist_ok=True)
    return env


def _digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _temps(folder: Path) -> list[Path]:
    return [p for p in folder.iterdir() if TEMP_MARK in p.name]


def _kill_when(proc: subprocess.Popen[bytes], ready, timeout: float = 120.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if ready():
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
            return
        if proc.poll() is not None:
            _out, err = proc.communicate()
            pytest.fail(f"the writer ended before it could be killed: {err.decode()[-500:]}")
        time.sleep(0.05)
    proc.kill()
    pytest.fail("the writer did not start writing in time")


@pytest.mark.slow
def test_sigkill_mid_write_leaves_only_the_old_state(tmp_path: Path) -> None:
    env = _env(tmp_path)
    out = tmp_path / "pairs.parquet"
    first = subprocess.run([*SOCMOB, "synth", "income", "--rows", "1000", "--rank-corr", "0.3",
                            "--out", str(out), "--no-progress", "-f", "json"],
                           env=env, capture_output=True, timeout=300)
    assert first.returncode == 0, first.stderr.decode()
    old = _digest(out)

    writer = subprocess.Popen([*SOCMOB, "synth", "income", "--rows", "20000000",
                               "--rank-corr", "0.5", "--chunk-rows", "200000", "--out", str(out),
                               "--no-progress", "-f", "json"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def grown() -> bool:
        return any(p.stat().st_size > 1_000_000 for p in _temps(tmp_path)
                   if p.exists())

    _kill_when(writer, grown)
    assert writer.returncode == -signal.SIGKILL
    stranded = _temps(tmp_path)
    assert stranded, "the killed writer should have left its temp file"
    assert _digest(out) == old  # the target was never half-written
    assert any((tmp_path / "state" / "pending").iterdir())  # the write was registered

    nxt = subprocess.run([*SOCMOB, "--version"], env=env, capture_output=True, timeout=300)
    assert nxt.returncode == 0, nxt.stderr.decode()
    assert _temps(tmp_path) == []
    assert not any((tmp_path / "state" / "pending").iterdir())
    assert sorted(p.name for p in tmp_path.iterdir()) == ["pairs.parquet", "state", "tmp"]
    assert _digest(out) == old


@pytest.mark.slow
def test_sigkill_mid_conversion_leaves_no_scratch(tmp_path: Path) -> None:
    env = _env(tmp_path)
    big = tmp_path / "big.csv"
    with big.open("w") as handle:
        handle.write("parent,child\n")
        line = "".join(f"{i}.25,{i}.5\n" for i in range(1000))
        for _ in range(3000):
            handle.write(line)
    scratch_root = tmp_path / "tmp"
    reader = subprocess.Popen([*SOCMOB, "income", str(big), "--parent", "parent", "--child",
                               "child", "-f", "json"],
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)

    def converting() -> bool:
        return any(p.name.startswith(SCRATCH_PREFIX) and any(p.rglob("*"))
                   for p in scratch_root.iterdir())

    _kill_when(reader, converting)
    assert any(p.name.startswith(SCRATCH_PREFIX) for p in scratch_root.iterdir())
    nxt = subprocess.run([*SOCMOB, "--version"], env=env, capture_output=True, timeout=300)
    assert nxt.returncode == 0
    assert not any(p.name.startswith(SCRATCH_PREFIX) for p in scratch_root.iterdir())
    assert big.exists()
    shutil.rmtree(scratch_root, ignore_errors=True)
