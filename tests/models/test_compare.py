"""``socmob.models.compare``: the model-comparison table, checked against R's numbers.

The statistics of each model come from ``tests/results/models/r_reference.csv`` (R glm /
gnm, see ``r_reference.R``) and ``r_zero_margins.csv``; BIC' = G² − df ln N (Raftery
1986), AIC' = G² − 2 df and the preferred model (lowest BIC') are computed here from
those R figures.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from socmob.errors import ModelSpecError, NotFoundError
from socmob.models import MODELS, ModelComparison, compare, default_models
from socmob.tables import read_long_table

RESULTS = Path(__file__).resolve().parents[1] / "results" / "models"


def _r_statistics(file: str, table: str) -> pd.DataFrame:
    ref = pd.read_csv(RESULTS / file, keep_default_na=False)
    ref = ref[(ref.table == table) & ref.quantity.isin(["deviance", "df"])]
    wide = ref.pivot_table(index="model", columns="quantity", values="value",
                           aggfunc=lambda v: float(v.iloc[0]))
    return wide


def test_glass_comparison_matches_r(long_table) -> None:
    glass = long_table("glass")
    n = float(glass.counts.sum())
    r = _r_statistics("r_reference.csv", "glass")
    cmp = compare(glass, list(r.index))
    assert isinstance(cmp, ModelComparison) and not cmp.not_fitted
    frame = cmp.statistics().set_index("model").loc[r.index]
    np.testing.assert_array_equal(frame["df"], r["df"].astype(int))
    np.testing.assert_allclose(frame["deviance"], r["deviance"], rtol=1e-6)
    bic = r["deviance"] - r["df"] * math.log(n)
    np.testing.assert_allclose(frame["bic"], bic, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(frame["aic"], r["deviance"] - 2 * r["df"], rtol=1e-6,
                               atol=1e-6)
    p = [stats.chi2.sf(g, d) if d > 0 else np.nan for g, d in zip(r["deviance"], r["df"],
                                                                 strict=True)]
    np.testing.assert_allclose(frame["p_value"], p, rtol=1e-5, atol=1e-300)
    assert cmp.preferred == bic.idxmin()
    assert frame.loc[cmp.preferred, "preferred"] and frame["preferred"].sum() == 1


def test_non_square_table_names_what_it_cannot_fit() -> None:
    eye_hair = read_long_table(RESULTS / "caithness_eye_hair_4x5.csv", origin="eye",
                               destination="hair")
    cmp = compare(eye_hair, ["independence", "quasi-independence", "uniform-association"])
    assert list(cmp.fits) == ["independence", "uniform-association"]
    assert "square table" in cmp.not_fitted["quasi-independence"]
    # R: independence 1218.314 on 12 df, uniform association 262.2018 on 11 df, N = 5387:
    # BIC' 1218.314 − 12 ln 5387 = 1115.2 and 262.2018 − 11 ln 5387 = 167.7
    assert cmp.preferred == "uniform-association"
    assert cmp["uniform-association"].bic == pytest.approx(262.2018 - 11 * math.log(5387),
                                                          abs=1e-3)
    # by default, only the models that apply: no diagonal or symmetry model
    assert set(default_models(eye_hair)) == {
        name for name, info in MODELS.items() if not info.layered and not info.square}
    assert "Not fitted: quasi-independence" in cmp.summary()
    assert list(compare(eye_hair, "all").fits) == default_models(eye_hair)


def test_layered_default_and_outputs() -> None:
    table = read_long_table(RESULTS / "absent_destination_7x7x6.csv")
    cmp = compare(table)
    assert list(cmp.fits) == ["conditional-independence", "constant-fluidity", "unidiff",
                              "quasi-unidiff", "rc-layered"]
    r = _r_statistics("r_zero_margins.csv", "absent_destination_7x7x6")
    for model in r.index:
        assert cmp[model].df == int(r.loc[model, "df"])
        assert cmp[model].deviance == pytest.approx(r.loc[model, "deviance"], rel=1e-6)
    frame = cmp.to_frame()
    assert {"measure", "breakdown", "group", "value", "n", "note"} <= set(frame.columns)
    assert len(frame) == 5 * 6 and (frame["breakdown"] == "model").all()
    assert frame.loc[frame["note"].notna(), "group"].unique().tolist() == [cmp.preferred]
    d = cmp.to_dict()
    assert d["preferred"] == cmp.preferred and len(d["models"]) == 5


def test_errors() -> None:
    arr = np.array([[10.0, 5], [4, 8]])
    with pytest.raises(NotFoundError, match="did you mean"):
        compare(arr, ["independense"])
    with pytest.raises(ModelSpecError, match="none of the models"):
        compare(np.ones((2, 3)), ["quasi-independence", "symmetry"])
