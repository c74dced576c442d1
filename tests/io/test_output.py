"""The output side: CSV injection neutralised (OWASP), numbers untouched and unrounded,
atomic writes whose temp files a crash cannot strand."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from socmob.cli._common import print_frame
from socmob.io import scratch
from socmob.results import (
    atomic_write,
    csv_text,
    export_frame,
    neutralise_formula,
    neutralise_formulas,
)

ATTACKS = ["=HYPERLINK(\"http://evil\",\"x\")", "+cmd|' /C calc'!A0", "-2+3+cmd|' /C calc'!A0",
           "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]


@pytest.mark.parametrize("cell", ATTACKS)
def test_formula_like_text_is_neutralised(cell) -> None:
    assert neutralise_formula(cell) == "'" + cell


@pytest.mark.parametrize("value", ["-3.5", "+44", "-1e-3", ".5", "plain", "", "a=b", 3, -2.5,
                                   None])
def test_numbers_and_plain_text_untouched(value) -> None:
    assert neutralise_formula(value) == value


def _frame() -> pd.DataFrame:
    return pd.DataFrame({
        "label": [*ATTACKS[:-1], "North East"],
        "value": [-1.25, -0.1, 2.0, -3.0, 1e-12, 123456.789012345678],
        "n": [-1, 2, 3, 4, 5, 6],
        "=evil header": ["-5", "ok", "x", "y", "z", "w"],
    })


def test_csv_text_round_trips_numbers_and_neutralises_text() -> None:
    frame = _frame()
    text = csv_text(frame)
    back = pd.read_csv(io.StringIO(text))
    labels = back["label"].tolist()
    for cell, got in zip(ATTACKS[:-1], labels, strict=False):
        assert isinstance(got, str) and got.startswith("'"), (cell, got)
    assert labels[-1] == "North East"
    # numbers stay numbers, in full precision; negative numbers read back as numbers
    assert back["value"].tolist() == frame["value"].tolist()
    assert back["n"].tolist() == frame["n"].tolist()
    assert "'=evil header" in back.columns
    assert back["'=evil header"].tolist()[0] == "-5"  # a number written as text: no prefix


def test_carriage_returns_cannot_split_a_row() -> None:
    frame = pd.DataFrame({"label": ["x\r=cmd|' /C calc'!A0", "\r=1+1", "ok"],
                          "value": [-1.5, 2.0, 0.1 + 0.2]})
    back = pd.read_csv(io.StringIO(csv_text(frame)))
    assert len(back) == 3
    assert back["label"].tolist() == ["x\r=cmd|' /C calc'!A0", "'\r=1+1", "ok"]
    assert back["value"].tolist() == frame["value"].tolist()


def test_neutralise_leaves_the_original_alone() -> None:
    frame = _frame()
    safe = neutralise_formulas(frame)
    assert frame["label"].tolist()[0] == ATTACKS[0]
    assert safe["label"].tolist()[0] == "'" + ATTACKS[0]
    assert safe["value"].dtype == frame["value"].dtype


def test_export_frame_csv_json_parquet(tmp_path) -> None:
    frame = _frame()
    csv = export_frame(frame, tmp_path / "o.csv")
    assert "'=HYPERLINK" in csv.read_text() and "\n=HYPERLINK" not in csv.read_text()
    got = json.loads(export_frame(frame, tmp_path / "o.json").read_text())
    assert [r["value"] for r in got] == frame["value"].tolist()  # full precision
    assert got[0]["label"] == ATTACKS[0]  # JSON is for machines: no prefix
    parquet = pd.read_parquet(export_frame(frame, tmp_path / "o.parquet"))
    assert parquet["value"].tolist() == frame["value"].tolist()


def test_print_frame_csv_neutralises(capsys) -> None:
    print_frame(_frame(), "csv")
    out = capsys.readouterr().out
    assert "'=HYPERLINK" in out and "'+cmd" in out and "'@SUM" in out
    assert ",-1.25," in out


def test_synth_workforce_xlsx_and_csv_are_safe(tmp_path, monkeypatch) -> None:
    from socmob.cli import app
    from socmob.synth import workforce as synth

    original = synth.synthetic_workforce

    def poisoned(n, seed=0):
        made = original(n, seed=seed)
        made.frame.loc[0, made.frame.columns[1]] = "=HYPERLINK(\"http://evil\")"
        return made

    monkeypatch.setattr(synth, "synthetic_workforce", poisoned)
    runner = CliRunner()
    for suffix in (".csv", ".xlsx"):
        out = tmp_path / f"hr{suffix}"
        res = runner.invoke(app, ["synth", "workforce", "-n", "60", "--out", str(out)])
        assert res.exit_code == 0, res.output
        if suffix == ".csv":
            assert "'=HYPERLINK" in out.read_text()
        else:
            ws = load_workbook(out).active
            values = [c.value for row in ws.iter_rows() for c in row]
            assert "'=HYPERLINK(\"http://evil\")" in values
            assert not any(isinstance(v, str) and v.startswith("=") for v in values)


# --------------------------------------------------------------------------- temp files


def test_atomic_write_leaves_nothing_on_failure(tmp_path) -> None:
    target = tmp_path / "out.txt"
    target.write_text("old")

    def boom(handle):
        handle.write("half")
        raise RuntimeError("writer failed")

    with pytest.raises(RuntimeError):
        atomic_write(target, boom, mode="w")
    assert target.read_text() == "old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.txt"]
    assert atomic_write(target, lambda h: h.write("new"), mode="w").read_text() == "new"
    assert oct(target.stat().st_mode & 0o777) == oct(0o666 & ~_umask())


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _dead_pid() -> int:
    proc = subprocess.Popen([sys.executable, "-c", "pass"])
    proc.wait()
    return proc.pid


def test_stale_temp_files_are_swept_live_ones_kept(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOCMOB_DATA_DIR", str(tmp_path / "state"))
    dead = _dead_pid()
    stale = tmp_path / f".out.parquet{scratch.TEMP_MARK}{dead}.0.abcd"
    stale.write_bytes(b"x" * 100)
    mine = scratch.temp_path_for(tmp_path / "other.parquet")
    mine.write_bytes(b"y")
    unrelated = tmp_path / ".hidden"
    unrelated.write_text("keep")
    removed = scratch.sweep_folder(tmp_path)
    assert removed == [stale] and not stale.exists()
    assert mine.exists() and unrelated.exists()  # this process is alive


def test_registered_temp_files_elsewhere_are_swept(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOCMOB_DATA_DIR", str(tmp_path / "state"))
    folder = tmp_path / "far"
    folder.mkdir()
    dead = _dead_pid()
    temp = folder / f".x.csv{scratch.TEMP_MARK}{dead}.0.beef"
    temp.write_text("half")
    register = scratch.pending_dir()
    register.mkdir(parents=True)
    (register / f"{dead}.0.cafe").write_text(str(temp))
    scratch_dir = Path(scratch.tempfile.gettempdir()) / f"{scratch.SCRATCH_PREFIX}{dead}.0.zz"
    scratch_dir.mkdir()
    (scratch_dir / "converted.parquet").write_bytes(b"PAR1")
    removed = scratch.sweep_stale()
    assert temp in removed and scratch_dir in removed
    assert not temp.exists() and not scratch_dir.exists() and not any(register.iterdir())


def test_write_in_progress_is_registered(tmp_path, monkeypatch) -> None:
    monkeypatch.setenv("SOCMOB_DATA_DIR", str(tmp_path / "state"))
    seen: list[list[str]] = []

    def writer(handle):
        seen.append([p.read_text() for p in scratch.pending_dir().iterdir()])
        handle.write("done")

    atomic_write(tmp_path / "t.txt", writer, mode="w")
    assert len(seen[0]) == 1 and scratch.TEMP_MARK in seen[0][0]
    assert not any(scratch.pending_dir().iterdir())  # the record goes with the write
