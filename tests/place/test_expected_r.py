"""Better or worse than expected against R's lm(): stored output of
``tests/results/place/expected_lm.R`` and, where R is installed, a live rerun."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socmob.place.expected import fit_expected
from socmob.place.spatial import index_values

HERE = Path(__file__).resolve().parents[1] / "results" / "place"


def _data() -> pd.DataFrame:
    from socmob.data import composites

    comp = composites(edition=2025)
    data = pd.DataFrame({
        "y": index_values(comp, index="ci4", period="2021 to 2024"),
        "x1": index_values(comp, index="ci1", period="2018 to 2024"),
        "x2": index_values(comp, index="ci2", period="2018 to 2024"),
    })
    data.index.name = "area_id"
    return data


def _check(coef: pd.DataFrame, areas: pd.DataFrame) -> None:
    fit = fit_expected(_data(), outcome="y", predictors=["x1", "x2"])
    np.testing.assert_allclose(fit.params.to_numpy(), coef["estimate"], rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(fit.bse.to_numpy(), coef["std_error"], rtol=1e-9)
    ours = fit.areas.set_index("area_id").loc[areas["area_id"].str.strip()]
    np.testing.assert_allclose(ours["studentised_residual"], areas["rstudent"], rtol=1e-9)
    np.testing.assert_allclose(ours["leverage"], areas["hat"], rtol=1e-9)
    np.testing.assert_allclose(ours["expected_loo"], areas["loo_fit"], rtol=1e-9,
                               atol=1e-12)
    np.testing.assert_allclose(ours["pi_lower"], areas["loo_lwr"], rtol=1e-9)
    np.testing.assert_allclose(ours["pi_upper"], areas["loo_upr"], rtol=1e-9)


def test_matches_stored_r_output():
    # Reference: R 4.2.2 lm(), rstudent(), hatvalues() and explicit leave-one-out refits
    # with predict(interval = "prediction"), from tests/results/place/expected_lm.R.
    _check(pd.read_csv(HERE / "ci4_on_ci1_ci2_coef.csv"),
           pd.read_csv(HERE / "ci4_on_ci1_ci2_areas.csv"))


@pytest.mark.r
def test_matches_live_r(tmp_path):
    if shutil.which("Rscript") is None:
        pytest.skip("R is not installed")
    src = tmp_path / "in.csv"
    _data().reset_index().to_csv(src, index=False)
    subprocess.run(["Rscript", str(HERE / "expected_lm.R"), str(src),
                    str(tmp_path / "out")], check=True, capture_output=True, timeout=120)
    _check(pd.read_csv(tmp_path / "out_coef.csv"), pd.read_csv(tmp_path / "out_areas.csv"))
