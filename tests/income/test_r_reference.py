"""socmob against base R (stored output beside the R script that produced it), and a live
re-run of that script where R is installed."""

from __future__ import annotations

import shutil
import subprocess

import pandas as pd
import pytest

from socmob.income import ige, income_mobility, rank_rank

from ..conftest import RESULTS

HERE = RESULTS / "income"


def _expected(path=HERE / "r_reference_expected.csv") -> dict[str, float]:
    frame = pd.read_csv(path)
    return dict(zip(frame["name"], frame["value"], strict=True))


@pytest.fixture(scope="module")
def pairs() -> pd.DataFrame:
    return pd.read_csv(HERE / "r_reference_pairs.csv")


def test_against_stored_r_output(pairs):
    r = _expected()
    fit = ige(pairs, parent="parent", child="child", weight="w")
    assert fit.params["const"] == pytest.approx(r["ige_const"], rel=1e-10)
    assert fit.params["slope"] == pytest.approx(r["ige_slope"], rel=1e-10)
    assert fit.bse["slope"] == pytest.approx(r["ige_se_hc1"], rel=1e-9)
    assert fit.nobs == r["ige_nobs"] and fit.n_dropped == 3
    classic = ige(pairs, parent="parent", child="child", weight="w", se="classic")
    assert classic.bse["slope"] == pytest.approx(r["ige_se_classic"], rel=1e-9)
    rr = rank_rank(pairs, parent="parent", child="child", weight="w")
    assert rr.params["const"] == pytest.approx(r["rank_const"], rel=1e-10)
    assert rr.slope == pytest.approx(r["rank_slope"], rel=1e-10)
    assert rr.bse["slope"] == pytest.approx(r["rank_se_hc1"], rel=1e-9)
    rc = rank_rank(pairs, parent="parent", child="child", weight="w", se="classic")
    assert rc.bse["slope"] == pytest.approx(r["rank_se_classic"], rel=1e-9)
    res = income_mobility(pairs, parent="parent", child="child", weight="w", progress=False)
    assert res.p_top_given_bottom == pytest.approx(r["p_top_given_bottom"], abs=1e-12)
    assert res.absolute_mobility == pytest.approx(r["absolute_mobility"], rel=1e-12)
    pp = ige(pairs, parent="parent", child="child", weight="w", zero_policy="ppml")
    assert pp.params["const"] == pytest.approx(r["ppml_const"], rel=1e-8)
    assert pp.slope == pytest.approx(r["ppml_slope"], rel=1e-8)
    assert pp.bse["slope"] == pytest.approx(r["ppml_se_hc0"], rel=1e-6)


@pytest.mark.r
def test_live_r_reproduces_the_stored_output(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed")
    for name in ("r_reference.R", "r_reference_pairs.csv"):
        shutil.copy(HERE / name, tmp_path / name)
    subprocess.run(["Rscript", "r_reference.R"], cwd=tmp_path, check=True,
                   capture_output=True, timeout=120)
    live, stored = _expected(tmp_path / "r_reference_expected.csv"), _expected()
    assert live.keys() == stored.keys()
    for key in stored:
        assert live[key] == pytest.approx(stored[key], rel=1e-9, abs=1e-12), key
