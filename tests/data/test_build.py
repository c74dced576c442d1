"""scripts/build_default_data.py: deterministic, all-or-nothing, one-line errors.

Skipped where the raw SMC release (``../shared/data``) is absent.
"""

from __future__ import annotations

import importlib.util
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from socmob import data

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "scripts" / "build_default_data.py"
SOURCE = REPO.parent / "shared" / "data"

pytestmark = pytest.mark.skipif(not (SOURCE / "smc-son").is_dir(),
                                reason="raw SMC release not present")


def _script() -> object:
    spec = importlib.util.spec_from_file_location("build_default_data", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass
class Run:
    returncode: int
    stderr: str


def build(source: Path, out: Path) -> Run:
    """Run the script's ``main`` in-process (same code path as the command line)."""
    import contextlib
    import io

    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        argv = ["--source", str(source), "--out", str(out)]
        code = _script().main(argv)  # type: ignore[attr-defined]
    return Run(code, err.getvalue())


@pytest.fixture(scope="module")
def two_builds(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two full builds from the same source (~10 s)."""
    root = tmp_path_factory.mktemp("builds")
    outs = (root / "a", root / "b")
    for out in outs:
        result = build(SOURCE, out)
        assert result.returncode == 0, result.stderr
    return outs


def test_rebuild_is_byte_identical(two_builds: tuple[Path, Path]) -> None:
    a, b = two_builds
    names = sorted(p.name for p in a.iterdir())
    assert names == sorted(p.name for p in b.iterdir())
    assert "README.md" in names and "indicators.parquet" in names
    for name in names:
        assert (a / name).read_bytes() == (b / name).read_bytes(), name


def test_packaged_data_is_up_to_date(two_builds: tuple[Path, Path]) -> None:
    built = two_builds[0]
    for path in sorted(built.glob("*.parquet")):
        if path.name.startswith("boundaries_"):
            continue  # geometry compared below
        fresh = pd.read_parquet(path)
        shipped = pd.read_parquet(data.data_dir() / path.name)
        pd.testing.assert_frame_equal(fresh, shipped, check_exact=True)
    import geopandas

    for kind in data.BOUNDARY_KINDS:
        fresh = geopandas.read_parquet(built / f"boundaries_{kind}.parquet")
        shipped = data.boundaries(kind)
        assert fresh["area_id"].tolist() == shipped["area_id"].tolist()
        assert fresh.geometry.geom_equals_exact(shipped.geometry, tolerance=0).all()


def test_readme_carries_attribution(two_builds: tuple[Path, Path]) -> None:
    text = (two_builds[0] / "README.md").read_text(encoding="utf-8")
    assert "Open Government Licence v3.0" in text
    assert "ukgov-equality-hub/smc-son" in text


@pytest.fixture
def source_copy(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    shutil.copytree(SOURCE / "smc-son", src / "smc-son")
    shutil.copytree(SOURCE / "smc-derived", src / "smc-derived")
    return src


def _assert_failed_cleanly(result: Run, out: Path,
                           *needles: str) -> None:
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert "Traceback" not in result.stderr
    for needle in needles:
        assert needle in lines[0]
    assert not out.exists()
    assert not [p for p in out.parent.iterdir() if p.name.startswith(f".{out.name}")]


def test_missing_column(source_copy: Path, tmp_path: Path) -> None:
    path = source_copy / "smc-son" / "son25" / "2025-01-01-dr32-full-dataset.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.drop(columns=["sample_size"]).to_csv(path, index=False)
    out = tmp_path / "out"
    _assert_failed_cleanly(build(source_copy, out), out, "dr32", "sample_size")


def test_unreadable_file(source_copy: Path, tmp_path: Path) -> None:
    path = source_copy / "smc-son" / "mobility-outcomes" / \
        "MO12-relative-occupational-mobility--full-dataset.csv"
    path.write_bytes(b"\xff\xfe\x00garbage\x00\x81")
    out = tmp_path / "out"
    _assert_failed_cleanly(build(source_copy, out), out, "MO12")


def test_not_a_number(source_copy: Path, tmp_path: Path) -> None:
    path = source_copy / "smc-son" / "son26" / "2026-01-01-dr11-full-dataset.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[3, "value"] = "four"
    frame.to_csv(path, index=False)
    out = tmp_path / "out"
    _assert_failed_cleanly(build(source_copy, out), out, "dr11", "row 5", "value")


def test_missing_file_keeps_previous_output(source_copy: Path, tmp_path: Path) -> None:
    (source_copy / "smc-derived" / "smc_areas_205_son2025.csv").unlink()
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("previous build")
    result = build(source_copy, out)
    assert result.returncode == 2
    assert "smc_areas_205_son2025.csv" in result.stderr
    assert (out / "keep.txt").read_text() == "previous build"  # untouched


def test_composites_agree_with_the_independent_extract() -> None:
    """The packaged SoN 2025 composites (built from the raw ci files) agree with the
    separately derived research extract ``smc-derived/smc_composites_205_son2025.csv``
    (z, band number and label, region) on all 2,870 rows."""
    extract = pd.read_csv(SOURCE / "smc-derived" / "smc_composites_205_son2025.csv")
    comp = data.composites(edition=2025)
    merged = comp.merge(extract, left_on=["index_code", "area_name", "period"],
                        right_on=["index_code", "area_name", "time_period"], how="outer",
                        indicator=True, validate="one_to_one")
    assert (merged["_merge"] == "both").all() and len(merged) == 2870
    assert (merged["z"] - merged["z_score"]).abs().max() < 1e-12
    assert (merged["band"] == merged["group_number"]).all()
    assert (merged["band_label"] == merged["group_label"]).all()
    assert (merged["region_x"] == merged["region_y"]).all()
