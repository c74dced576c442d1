"""Closed-form results derived by hand, published values, and error handling."""

from __future__ import annotations

import numpy as np
import pytest

from socmob.errors import ConvergenceError, InputError, ModelSpecError, NotFoundError
from socmob.models import MODELS, FitResult, fit
from socmob.models.quasi import quasi_variances

# A small 3×3 table (counts chosen by hand, no zeros).
T3 = np.array([[50.0, 20.0, 10.0], [30.0, 60.0, 25.0], [10.0, 35.0, 80.0]])


def test_independence_closed_form():
    # m_ij = n_i+ n_+j / N; df = (I-1)(J-1); G² = 2 Σ n log(n/m) (Bishop, Fienberg &
    # Holland 1975, ch. 2)
    res = fit(T3, "independence")
    expected = np.outer(T3.sum(1), T3.sum(0)) / T3.sum()
    np.testing.assert_allclose(res.fitted, expected, rtol=1e-12)
    g2 = 2 * np.sum(T3 * np.log(T3 / expected))
    assert res.deviance == pytest.approx(g2, rel=1e-12)
    assert res.df == 4
    assert res.pearson_chi2 == pytest.approx(np.sum((T3 - expected) ** 2 / expected), rel=1e-12)
    N = T3.sum()
    assert res.bic == pytest.approx(g2 - 4 * np.log(N), rel=1e-12)
    assert res.aic == pytest.approx(g2 - 8, rel=1e-12)
    assert res.dissimilarity == pytest.approx(100 * np.abs(T3 - expected).sum() / (2 * N))
    # treatment coding: log m_ij = λ + a_i + b_j with a_1 = b_1 = 0
    assert res.params["(intercept)"] == pytest.approx(np.log(expected[0, 0]))
    assert res.params["origin[2]"] == pytest.approx(np.log(T3[1].sum() / T3[0].sum()))


def test_symmetry_closed_form():
    # Bowker's symmetry model: m_ij = m_ji = (n_ij + n_ji) / 2, df = I(I-1)/2
    res = fit(T3, "symmetry")
    np.testing.assert_allclose(res.fitted, (T3 + T3.T) / 2, rtol=1e-12)
    assert res.df == 3


def test_quasi_independence_3x3_closed_form():
    # With the diagonal fitted exactly a 3×3 table has one df and the fitted off-diagonal
    # cells satisfy m12 m23 m31 = m13 m32 m21 (the only off-diagonal loop), with margins
    # of the off-diagonal cells reproduced.
    res = fit(T3, "quasi-independence")
    m = res.fitted
    assert res.df == 1
    np.testing.assert_allclose(np.diag(m), np.diag(T3), rtol=1e-10)
    np.testing.assert_allclose(m.sum(1), T3.sum(1), rtol=1e-10)
    np.testing.assert_allclose(m.sum(0), T3.sum(0), rtol=1e-10)
    assert m[0, 1] * m[1, 2] * m[2, 0] == pytest.approx(m[0, 2] * m[2, 1] * m[1, 0], rel=1e-9)


def test_saturated_two_way_models_have_zero_df():
    # row+column effects on a 3x3 table: (I-2)(J-2) = 1 df; quasi-symmetry on 3x3:
    # (I-1)(I-2)/2 = 1 df; constant fluidity with one layer is saturated.
    assert fit(T3, "row-column-effects").df == 1
    assert fit(T3, "quasi-symmetry").df == 1
    sat = fit(T3[None], "constant-fluidity")
    assert sat.df == 0
    assert sat.deviance == pytest.approx(0.0, abs=1e-8)


def test_goodman_1979_british_8x8(long_table):
    # Goodman (1979) JASA 74:537-552, Table 7A, model (8): homogeneous RC with the
    # diagonal deleted, G² = 32.56, X² = 31.21, df = 34 (as also checked in gnm's test
    # suite, tests/testthat/test-RChomog.R).
    table = long_table("goodman8")
    res = fit(table, "quasi-rc1-homogeneous")
    assert round(res.deviance, 2) == 32.56
    assert round(res.pearson_chi2, 2) == 31.21
    assert res.df == 34
    # Row + column effects (Goodman's R+C): df by hand. Full table: 64 cells − 15 margins
    # − 7 row effects − 6 column effects = 36 = (I−2)(J−2); diagonal deleted: 8 fewer = 28.
    rc = fit(table, "row-column-effects")
    assert rc.df == 36
    assert fit(table, "quasi-row-column-effects").df == 28
    # G² equals R glm on the explicit full-rank design (tests/results/models/r_reference.R)
    assert rc.deviance == pytest.approx(103.758778686432, rel=1e-9)


def test_structural_zeros_are_excluded(long_table):
    from socmob.tables import MobilityTable

    glass = long_table("glass")
    mask = np.zeros((5, 5), dtype=bool)
    mask[0, 4] = mask[4, 0] = True
    counts = glass.counts[0].copy()
    counts[mask] = 0.0
    table = MobilityTable.from_array(counts, origin_labels=glass.origin_labels,
                                     destination_labels=glass.destination_labels,
                                     structural_zeros=mask)
    res = fit(table, "independence")
    # 23 fitted cells − 9 parameters = 14 df; excluded cells are reported as 0
    assert res.df == 14
    assert res.n_cells == 23
    assert res.nobs == counts.sum()
    assert res.fitted[0, 0, 4] == 0.0
    assert np.all(res.fitted[0][~mask] > 0)
    # ML under quasi-independence-type exclusions reproduces the observed margins
    np.testing.assert_allclose(res.fitted[0].sum(1), counts.sum(1), rtol=1e-9)
    np.testing.assert_allclose(res.fitted[0].sum(0), counts.sum(0), rtol=1e-9)
    # a structural zero on the diagonal leaves its diagonal parameter unidentified
    mask2 = np.zeros((5, 5), dtype=bool)
    mask2[2, 2] = True
    counts2 = glass.counts[0].copy()
    counts2[2, 2] = 0.0
    table2 = MobilityTable.from_array(counts2, origin_labels=glass.origin_labels,
                                      destination_labels=glass.destination_labels,
                                      structural_zeros=mask2)
    with pytest.raises(ModelSpecError, match=r"diag\[Supervisory\]"):
        fit(table2, "quasi-independence")


def test_errors():
    with pytest.raises(NotFoundError, match="did you mean 'unidiff'"):
        fit(T3, "unidif")
    with pytest.raises(ModelSpecError, match="square"):
        fit(T3[:, :2], "quasi-independence")
    with pytest.raises(ModelSpecError, match="two-way model"):
        fit(np.stack([T3, T3]), "rc1")
    with pytest.raises(ModelSpecError, match="only one layer"):
        fit(T3[None], "unidiff")
    with pytest.raises(InputError, match="negative count"):
        fit(-T3, "independence")
    with pytest.raises(InputError, match="numeric"):
        fit([["a", "b"], ["c", "d"]], "independence")
    with pytest.raises(ModelSpecError, match="more free parameters"):
        fit(T3, "quasi-rc1")
    with pytest.raises(ConvergenceError, match="did not converge"):
        fit(np.stack([T3, T3 * 2 + 1, T3.T]), "unidiff", max_iter=1, n_starts=2)


def test_result_api():
    res = fit(np.stack([T3, T3.T + 5, T3 * 2]), "unidiff")
    assert isinstance(res, FitResult)
    assert res.df_resid == res.df == 3 * 4 - 4 - 2
    d = res.to_dict()
    for key in ("model", "deviance", "df", "pearson_chi2", "bic", "aic", "dissimilarity",
                "nobs", "params"):
        assert key in d
    assert set(d["layer_effects"]) == {"labels", "log_phi", "log_phi_se", "phi",
                                       "log_phi_quasi_se"}
    assert d["layer_effects"]["log_phi"][0] == 0.0
    ci = res.conf_int(alpha=0.1)
    assert (ci["lower"] < res.params).all() and (ci["upper"] > res.params).all()
    frame = res.to_frame()
    assert {"measure", "group", "value", "lci", "uci"} <= set(frame.columns)
    assert (frame["measure"] == "log_phi").sum() == 3
    text = res.summary()
    assert "unidiff" in text and "Layer effects" in text
    assert res.cov_params().shape == (len(res.params), len(res.params))
    assert "independence" in MODELS and MODELS["unidiff"].log_multiplicative


def test_quasi_variances_exact_for_three_levels():
    # With 3 levels the 3 contrast variances determine q exactly:
    # q_1 = (v12 + v13 − v23)/2 etc. (Firth & de Menezes 2004, section 2)
    cov = np.array([[0.0, 0.0, 0.0], [0.0, 0.04, 0.01], [0.0, 0.01, 0.09]])
    v12, v13, v23 = 0.04, 0.09, 0.04 + 0.09 - 0.02
    q = quasi_variances(cov)
    np.testing.assert_allclose(q, [(v12 + v13 - v23) / 2, (v12 + v23 - v13) / 2,
                                   (v13 + v23 - v12) / 2], rtol=1e-10)
    with pytest.raises(ModelSpecError):
        quasi_variances(np.zeros((2, 2)))


def test_zero_margin_cells_are_structural_zeros():
    # An empty destination column: its fitted counts are forced to 0 and its effect is not
    # estimable. Independence still has the closed form m_ij = n_i+ n_+j / N, and the
    # origin effects keep their textbook SEs sqrt(1/n_1+ + 1/n_i+) (Agresti 2013, sec.
    # 9.2; R glm agrees: 0.3873, 0.5164). Degrees of freedom by Bishop, Fienberg &
    # Holland's rule: (9 cells − 3 fitted as structural zeros) − (5 parameters − 1 not
    # estimable) = 2, as R's glm gives on the table without the empty column (a 3×2
    # table: (3 − 1)(2 − 1) = 2). Counting the empty cells gave 4.
    z = np.array([[10.0, 5, 0], [4, 8, 0], [3, 2, 0]])
    res = fit(z, "independence")
    np.testing.assert_allclose(res.fitted, np.outer(z.sum(1), z.sum(0)) / z.sum(),
                               atol=1e-9)
    assert res.df == 2 and res.n_cells == 6 and res.forced_zeros == 3
    assert res.not_estimable == ("destination[3]",)
    assert "destination[3]" not in res.params.index and "destination[3]" in res.note
    assert np.isfinite(res.bse).all()
    rows = z.sum(1)
    assert res.bse["origin[2]"] == pytest.approx(np.sqrt(1 / rows[0] + 1 / rows[1]), rel=1e-8)
    assert res.bse["origin[3]"] == pytest.approx(np.sqrt(1 / rows[0] + 1 / rows[2]), rel=1e-8)
    # the same numbers as the table with the empty column left out
    small = fit(z[:, :2], "independence")
    assert res.deviance == pytest.approx(small.deviance, rel=1e-10)
    assert res.df == small.df
    # a zero diagonal count under quasi-independence: that cell is fitted as a structural
    # zero and its diagonal effect is not estimable, so df is unchanged:
    # (9 − 1) − (8 − 1) = 1 = (9 − 8)
    q = fit(np.array([[0.0, 20, 10], [30, 60, 25], [10, 35, 80]]), "quasi-independence")
    assert q.df == 1 and q.forced_zeros == 1 and q.not_estimable == ("diag[1]",)
    assert np.isfinite(q.bse).all()


def test_aliasing_is_reported_not_dropped():
    # On a 3×3 table the single off-diagonal loop has log odds ratio
    # θ(u1v2 + u2v3 + u3v1 − u1v3 − u3v2 − u2v1) = 0 under uniform association, so with
    # diagonal parameters the uniform term is aliased: socmob says so instead of dropping it.
    with pytest.raises(ModelSpecError, match=r"'uniform' is aliased"):
        fit(T3, "quasi-uniform-association")


def test_dataframe_input_keeps_labels():
    import pandas as pd

    frame = pd.DataFrame(T3, index=["hi", "mid", "lo"], columns=["hi", "mid", "lo"])
    res = fit(frame, "independence")
    assert "origin[mid]" in res.params.index
    assert res.fitted.shape == (3, 3)
    np.testing.assert_allclose(res.fitted, np.outer(T3.sum(1), T3.sum(0)) / T3.sum(),
                               rtol=1e-10)


def test_extra_starts_only_when_a_check_fails(long_table, monkeypatch):
    import dataclasses
    import importlib

    fit_module = importlib.import_module("socmob.models.fit")  # the module, not fit()

    table = long_table("yamaguchi87")
    plain = fit(table, "unidiff")
    assert plain.starts == 1  # the constant-fluidity start passes every check
    real = fit_module.fit_poisson
    calls = {"n": 0}

    def first_fails(*args, **kwargs):
        calls["n"] += 1
        run = real(*args, **kwargs)
        return dataclasses.replace(run, converged=False) if calls["n"] == 1 else run

    monkeypatch.setattr(fit_module, "fit_poisson", first_fails)
    retried = fit(table, "unidiff", seed=3)
    # the deterministic start "failed": 5 random starts followed and found the optimum
    assert retried.starts == 1 + fit_module.EXTRA_STARTS
    assert retried.deviance == pytest.approx(plain.deviance, rel=1e-9)
    # an explicit number of starts is honoured as given
    monkeypatch.setattr(fit_module, "fit_poisson", real)
    assert fit(table, "rc-layered", n_starts=3).starts == 3
