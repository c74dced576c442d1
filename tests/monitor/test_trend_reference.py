"""The monitor's trend test against R's ``lm`` on six real State of the Nation series.

Reference: ``tests/results/monitor/trend_reference.csv``, written by
``trend_reference.R`` (beside it) from ``trend_inputs.csv`` (the published rows, as in
``socmob.data.load``). The R script works out times, standard errors, weights and the
non-overlapping moving-average points on its own. The live re-run is marked ``r``.
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socmob import data
from socmob.monitor import assess, headline, trend

RESULTS = Path(__file__).resolve().parents[1] / "results" / "monitor"
INPUTS = RESULTS / "trend_inputs.csv"
REFERENCE = RESULTS / "trend_reference.csv"

#: series in trend_reference.csv → the indicator whose headline it is
SERIES = {"dr32": "dr32", "dr12": "dr12", "in21": "in21", "MO12": "MO12", "MO42": "MO42",
          "dr41": "dr41"}


def _reference() -> pd.DataFrame:
    return pd.read_csv(REFERENCE).set_index("series")


def test_inputs_are_the_published_rows() -> None:
    """The R script's inputs are still what the embedded data publishes."""
    inputs = pd.read_csv(INPUTS, dtype={"label": str})
    for (code, edition), part in inputs.groupby(["code", "edition"]):
        published = data.load(str(code), edition=str(edition))
        for row in part.itertuples(index=False):
            hit = published[(published["value"] == row.value)
                            & (published["lci"].fillna(-1e300) == (row.lci if np.isfinite(row.lci)
                                                                   else -1e300))]
            assert len(hit) >= 1, (code, row.label, row.value)


@pytest.mark.parametrize("series", sorted(SERIES))
def test_trend_matches_r_lm(series: str) -> None:
    ref = _reference().loc[series]
    code = SERIES[series]
    s = headline(code)
    assert s is not None
    tr = trend(s.points)
    assert tr.estimated
    assert tr.n_points == ref["n"]
    assert tr.df == ref["df"]
    np.testing.assert_allclose(tr.slope, ref["slope"], rtol=1e-9, atol=1e-12)
    # socmob's standard error is R's, floored at the sampling error (see the R script)
    np.testing.assert_allclose(tr.se, ref["se_floor"], rtol=1e-8)
    np.testing.assert_allclose(tr.p_value, ref["p_floor"], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(tr.residual_variance, ref["sigma"] ** 2, rtol=1e-8)
    method = {"wls": "weighted least squares (weights 1/se²)",
              "ols": "ordinary least squares",
              "wls through reference": "weighted least squares (weights 1/se²) through"}
    assert tr.method.startswith(method[ref["method"]])


def test_floor_only_binds_when_points_scatter_less_than_sampling_error() -> None:
    ref = _reference()
    below = ref[ref["sigma"] < 1]
    above = ref[(ref["sigma"] >= 1) & (ref["method"] != "ols")]
    assert list(below.index) == ["MO12"]
    assert (below["se_floor"] > below["se_lm"]).all()
    np.testing.assert_allclose(above["se_floor"], above["se_lm"], rtol=1e-12)


def test_moving_average_trend_uses_every_third_point() -> None:
    s = headline("in21")
    assert s is not None
    tr = trend(s.points)
    assert tr.points == ("2016", "2019", "2022", "2025")
    assert [label for label, _ in tr.left_out] == ["2017", "2018", "2020", "2021", "2023",
                                                    "2024"]
    assert assess("in21").status.evidence["independent_points"] == 4


def _r_ready() -> str | None:
    if shutil.which("Rscript") is None:
        return "Rscript is not installed"
    return None


@pytest.mark.r
def test_live_r_rerun_matches_stored(tmp_path: Path) -> None:
    reason = _r_ready()
    if reason:
        pytest.skip(reason)
    shutil.copy(INPUTS, tmp_path / INPUTS.name)
    run = subprocess.run(["Rscript", str(RESULTS / "trend_reference.R"), str(tmp_path)],
                         capture_output=True, text=True, timeout=300, check=False)
    assert run.returncode == 0, run.stderr[-2000:]
    live = pd.read_csv(tmp_path / "trend_reference.csv").set_index("series")
    stored = _reference()
    pd.testing.assert_frame_equal(live[stored.columns], stored, check_exact=False, rtol=1e-9)
