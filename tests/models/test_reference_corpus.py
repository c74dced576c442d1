"""socmob.models against the shared reference corpus (copied into tests/results/models).

Sources: Hazelrigg & Garnier (1976) 16-country 3×3 table and Wong (2010) Table 4.3 GSS
4×5×4 table, with R 4.2.2 / gnm 1.1-2 / logmult 0.7.5 fits (see the JSON ``software`` and
``definitions`` fields and ``tests/results/models/README.md``).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from socmob.models import fit

MODELS_RESULTS = Path(__file__).resolve().parents[1] / "results" / "models"
TABLES = ["hazelrigg_garnier1976_16c_3x3x16", "wong2010_gss_educ_occ_4x5x4"]
MODEL_KEYS = {
    "conditional-independence": "conditional_independence",
    "constant-fluidity": "constant_social_fluidity",
    "unidiff": "unidiff",
}
# The stored Unidiff parameters and fitted values come from a profile-likelihood fit that
# the corpus README says agrees with gnm to 1.5e-6 in log phi (its fitted counts differ
# from a tightly converged fit by up to 6e-6 relative); they are checked at 1e-5.
# gnm's own numbers (``cross_checks``) are checked at the 1e-6 relative standard.
PROFILE_TOL = 1e-5


def _reference(name: str) -> dict:
    return json.loads((MODELS_RESULTS / f"{name}.json").read_text())


@pytest.fixture(scope="module")
def fits(long_table):
    out = {}
    for name in TABLES:
        table = long_table(name)
        for model in MODEL_KEYS:
            out[name, model] = fit(table, model)
    return out


@pytest.mark.parametrize("name", TABLES)
@pytest.mark.parametrize("model", list(MODEL_KEYS))
def test_fit_statistics(fits, name, model):
    ref = _reference(name)["models"][MODEL_KEYS[model]]
    res = fits[name, model]
    assert res.df == ref["df"] == ref["df_numeric_rank_check"]
    assert res.nobs == ref["N"]
    assert res.n_cells == ref["cells"]
    assert res.deviance == pytest.approx(ref["G2"], rel=1e-9)
    assert res.pearson_chi2 == pytest.approx(ref["X2"], rel=1e-6)
    assert res.bic == pytest.approx(ref["BIC"], rel=1e-8)
    assert res.aic == pytest.approx(ref["AIC"], rel=1e-8)
    assert res.dissimilarity == pytest.approx(ref["dissimilarity_index_pct"], rel=1e-6)
    tol = PROFILE_TOL if model == "unidiff" else 1e-8
    np.testing.assert_allclose(res.fitted, np.array(ref["fitted_by_layer"]), rtol=tol)


@pytest.mark.parametrize("name", TABLES)
def test_constant_fluidity_log_odds_ratios(fits, name):
    # common log odds ratios relative to cell (1, 1) = socmob's treatment-coded g_ij
    ref = np.array(_reference(name)["models"]["constant_social_fluidity"]["params"][
        "common_log_odds_ratios_ref_cell_11"])
    params = fits[name, "constant-fluidity"].params
    g = np.array([[params[c] for c in params.index if c.startswith("assoc[")]])
    np.testing.assert_allclose(g.ravel(), ref[1:, 1:].ravel(), rtol=1e-7, atol=1e-9)


@pytest.mark.parametrize("name", TABLES)
def test_unidiff_layer_effects(fits, name):
    ref = _reference(name)["models"]["unidiff"]
    res = fits[name, "unidiff"]
    gnm = ref["cross_checks"]
    assert res.deviance == pytest.approx(gnm["gnm_deviance"], rel=1e-9)
    assert res.df == gnm["gnm_df"]
    np.testing.assert_allclose(res.log_phi, gnm["gnm_log_phi"], rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(res.log_phi_se, gnm["gnm_log_phi_se"], rtol=1e-6, atol=1e-10)
    np.testing.assert_allclose(res.log_phi, gnm["logmult_log_phi"], rtol=1e-6, atol=1e-8)
    # quasi standard errors (qvcalc via gnm::getContrasts; qvcalc's own glm stops at
    # epsilon 1e-8, so 1e-5 relative)
    np.testing.assert_allclose(res.log_phi_quasi_se, gnm["gnm_log_phi_quasi_se"], rtol=1e-5)
    np.testing.assert_allclose(res.layer_effects["log_phi_quasi_se"],
                               ref["params"]["log_phi_quasi_se_gnm"], rtol=1e-5)
    params = ref["params"]
    np.testing.assert_allclose(res.log_phi, params["log_phi"], atol=PROFILE_TOL)
    np.testing.assert_allclose(res.log_phi_se, params["log_phi_se"], rtol=PROFILE_TOL)
    effects = res.layer_effects
    assert list(effects["layer"]) == _reference(name)["categories"]["layer"]
    np.testing.assert_allclose(effects["phi"], params["phi"], rtol=PROFILE_TOL)
    # layer-1 log odds ratios relative to cell (1,1) = treatment-coded g (phi_1 = 1)
    g = res.params[[c for c in res.params.index if c.startswith("assoc[")]].to_numpy()
    lor = np.array(params["layer1_log_odds_ratios_ref_cell_11"])
    np.testing.assert_allclose(g, lor[1:, 1:].ravel(), atol=PROFILE_TOL * 10)
    # double-centred layer-1 association and the intrinsic association coefficient
    layer1 = np.log(res.fitted[0])
    dc = layer1 - layer1.mean(1, keepdims=True) - layer1.mean(0, keepdims=True) + layer1.mean()
    np.testing.assert_allclose(dc, params["layer1_association_double_centred"],
                               atol=PROFILE_TOL * 10)
    intrinsic = np.exp(res.log_phi) * np.sqrt(np.mean(dc**2))
    np.testing.assert_allclose(intrinsic, params["intrinsic_association_uniform_by_layer"],
                               rtol=PROFILE_TOL)


def test_wong_rc2_layered_homogeneous_scores(long_table):
    # Wong (2010) Table 4.7 model 9, RC(2)-L with homogeneous scores (logmult::rcL,
    # weighting = "none"); published values rounded to 3 decimals also stored.
    name = "wong2010_gss_educ_occ_4x5x4"
    ref = _reference(name)
    rm = ref["models"]["rc2_L_homogeneous_scores"]
    res = fit(long_table(name), "rc-layered", dimensions=2)
    assert res.df == rm["df"]
    assert res.deviance == pytest.approx(rm["G2"], rel=1e-8)
    assert res.pearson_chi2 == pytest.approx(rm["X2"], rel=1e-6)
    assert res.bic == pytest.approx(rm["BIC"], rel=1e-8)
    assert res.aic == pytest.approx(rm["AIC"], rel=1e-8)
    assert res.dissimilarity == pytest.approx(rm["dissimilarity_index_pct"], rel=1e-6)
    phi = res.params[[c for c in res.params.index if c.startswith("phi")]].to_numpy()
    np.testing.assert_allclose(phi.reshape(4, 2), rm["params"]["phi_layer_by_dim"], rtol=1e-6)
    mu = res.params[[c for c in res.params.index if c.startswith("mu")]].to_numpy()
    nu = res.params[[c for c in res.params.index if c.startswith("nu")]].to_numpy()
    np.testing.assert_allclose(mu.reshape(4, 2), rm["params"]["row_scores_dim"], rtol=1e-6)
    np.testing.assert_allclose(nu.reshape(5, 2), rm["params"]["col_scores_dim"], rtol=1e-6)
    published = ref["published_checks"][0]["published_value"]
    np.testing.assert_allclose(np.round(phi.reshape(4, 2).T.ravel(), 3), published, atol=1e-9)
