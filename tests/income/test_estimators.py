"""Income estimators against hand derivations and independent implementations.

Independent references used here: hand-computed ranks/slopes (written out below),
``scipy.stats.rankdata`` (average ranks) for unweighted mid-ranks, statsmodels ``WLS`` /
``OLS`` (classic and HC1 covariance) and ``GLM(Poisson)`` (HC0), and duplicated rows for
frequency weights.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import statsmodels.api as sm
from scipy import stats

from socmob.errors import InputError
from socmob.income import (
    absolute_income_mobility,
    ige,
    income_mobility,
    percentile_ranks,
    rank_rank,
    transition_matrix,
)
from socmob.income._data import execute

TIES = pd.DataFrame({"parent": [0.0, 0.0, 0.0, 10.0, 20.0],
                     "child": [0.0, 0.0, 5.0, 5.0, 9.0],
                     "w": [1.0, 2.0, 1.0, 1.0, 1.0],
                     "region": ["n", "n", "s", "s", "s"]})


def _ranks(frame, column, **kw):
    out = execute(percentile_ranks(frame, column, **kw))
    return dict(zip(out[column], out[f"{column}_rank"], strict=True))


def test_mid_ranks_with_a_mass_of_zeros_by_hand():
    # unweighted: three zeros occupy 0–60% → mid-rank 30; 10 → 60–80 → 70; 20 → 90
    assert _ranks(TIES, "parent") == pytest.approx({0.0: 30.0, 10.0: 70.0, 20.0: 90.0})
    # child: two zeros → 20; two fives → (40 + 20)… 40–80 → 60; 9 → 90
    assert _ranks(TIES, "child") == pytest.approx({0.0: 20.0, 5.0: 60.0, 9.0: 90.0})
    # weighted (W = 6): zeros weigh 4 → 100·2/6; 10 → 100·4.5/6; 20 → 100·5.5/6
    assert _ranks(TIES, "parent", weight="w") == pytest.approx(
        {0.0: 100 * 2 / 6, 10.0: 75.0, 20.0: 100 * 5.5 / 6})


def test_within_group_ranks_by_hand():
    out = execute(percentile_ranks(TIES, "parent", by="region"))
    got = {(r.region, r.parent): r.parent_rank for r in out.itertuples()}
    # n: two zeros → 50; s: 0, 10, 20 → 100·0.5/3, 100·1.5/3, 100·2.5/3
    assert got == pytest.approx({("n", 0.0): 50.0, ("s", 0.0): 100 / 6,
                                 ("s", 10.0): 50.0, ("s", 20.0): 100 * 2.5 / 3})


def test_unweighted_ranks_equal_scipy_average_ranks():
    rng = np.random.default_rng(4)
    x = rng.integers(0, 30, size=400).astype(float)  # many ties
    frame = pd.DataFrame({"x": x})
    got = _ranks(frame, "x")
    expected = 100 * (stats.rankdata(x, method="average") - 0.5) / len(x)
    np.testing.assert_allclose([got[v] for v in x], expected, rtol=1e-12)


def test_rank_rank_and_transition_by_hand():
    # parent ranks (30,30,30,70,90), child ranks (20,20,60,60,90): means 50 and 50,
    # Sxx = 3·400 + 400 + 1600 = 3200, Sxy = 2·600 − 200 + 200 + 1600 = 2800
    # → slope 2800/3200 = 0.875, intercept 50 − 0.875·50 = 6.25
    rr = rank_rank(TIES, parent="parent", child="child")
    assert rr.slope == pytest.approx(0.875)
    assert rr.intercept == pytest.approx(6.25)
    assert rr.expected_rank(25.0)[0] == pytest.approx(6.25 + 0.875 * 25)
    # halves: parent bins floor(r/50) = (0,0,0,1,1), child (0,0,1,1,1)
    tm = transition_matrix(TIES, parent="parent", child="child", quantiles=2)
    np.testing.assert_allclose(tm.matrix, [[2 / 3, 1 / 3], [0.0, 1.0]])
    # strictly greater: only (0 → 5) → 1/5
    res = absolute_income_mobility(TIES, parent="parent", child="child")
    assert res.share == pytest.approx(0.2)


def _sample(n=600, seed=11):
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal(n)
    z2 = 0.4 * z1 + math.sqrt(1 - 0.16) * rng.standard_normal(n)
    return pd.DataFrame({
        "parent": np.round(np.exp(10 + 0.6 * z1), -2),   # rounded: ties
        "child": np.round(np.exp(10.2 + 0.8 * z2), -2),
        "w": rng.choice([1.0, 2.0, 3.0], size=n),
        "area": rng.choice(["a", "b", "c"], size=n),
    })


@pytest.mark.parametrize("se,cov_type", [("robust", "HC1"), ("classic", "nonrobust")])
def test_ige_matches_statsmodels_wls(se, cov_type):
    data = _sample()
    fit = ige(data, parent="parent", child="child", weight="w", se=se)
    X = sm.add_constant(np.log(data["parent"].to_numpy()))
    ref = sm.WLS(np.log(data["child"].to_numpy()), X, weights=data["w"].to_numpy()).fit(
        cov_type=cov_type)
    np.testing.assert_allclose(fit.params.to_numpy(), ref.params, rtol=1e-10)
    np.testing.assert_allclose(fit.bse.to_numpy(), ref.bse, rtol=1e-8)
    np.testing.assert_allclose(fit.cov_params().to_numpy(), ref.cov_params(), rtol=1e-7)
    assert fit.nobs == len(data) and fit.n_dropped == 0


def test_rank_rank_matches_statsmodels_on_scipy_ranks():
    data = _sample(seed=5)
    n = len(data)
    rx = 100 * (stats.rankdata(data["parent"]) - 0.5) / n
    ry = 100 * (stats.rankdata(data["child"]) - 0.5) / n
    ref = sm.OLS(ry, sm.add_constant(rx)).fit(cov_type="HC1")
    fit = rank_rank(data, parent="parent", child="child")
    np.testing.assert_allclose(fit.params.to_numpy(), ref.params, rtol=1e-10)
    np.testing.assert_allclose(fit.bse.to_numpy(), ref.bse, rtol=1e-8)
    # expected rank at p and its SE from the full covariance
    g = np.array([1.0, 25.0])
    value, se = fit.expected_rank(25.0)
    assert value == pytest.approx(float(g @ ref.params))
    assert se == pytest.approx(float(np.sqrt(g @ ref.cov_params() @ g)), rel=1e-8)


def test_ppml_matches_statsmodels_glm_poisson():
    data = _sample(seed=8)
    data.loc[data.index[:40], "child"] = 0.0  # zeros stay in under PPML
    fit = ige(data, parent="parent", child="child", zero_policy="ppml")
    X = sm.add_constant(np.log(data["parent"].to_numpy()))
    ref = sm.GLM(data["child"].to_numpy(), X, family=sm.families.Poisson()).fit(
        cov_type="HC0", tol=1e-12)
    np.testing.assert_allclose(fit.params.to_numpy(), ref.params, rtol=1e-7)
    np.testing.assert_allclose(fit.bse.to_numpy(), ref.bse, rtol=1e-6)
    assert fit.method == "ppml" and fit.n_dropped == 0 and fit.nobs == len(data)
    # weighted point estimates: the score equations of frequency weights
    fw = ige(data, parent="parent", child="child", weight="w", zero_policy="ppml")
    refw = sm.GLM(data["child"].to_numpy(), X, family=sm.families.Poisson(),
                  freq_weights=data["w"].to_numpy()).fit(tol=1e-12)
    np.testing.assert_allclose(fw.params.to_numpy(), refw.params, rtol=1e-7)


def test_zero_policies_count_and_recode():
    data = _sample(seed=9)
    data.loc[data.index[:25], "child"] = 0.0
    data.loc[data.index[25:30], "parent"] = 0.0
    dropped = ige(data, parent="parent", child="child", zero_policy="drop")
    assert dropped.n_dropped == 30 and dropped.nobs == len(data) - 30
    keep = data.iloc[30:]
    ref = sm.OLS(np.log(keep["child"].to_numpy()),
                 sm.add_constant(np.log(keep["parent"].to_numpy()))).fit(cov_type="HC1")
    np.testing.assert_allclose(dropped.params.to_numpy(), ref.params, rtol=1e-10)
    floored = ige(data, parent="parent", child="child", zero_policy="floor", floor=500.0)
    lx = np.log(np.maximum(data["parent"].to_numpy(), 500.0))
    ly = np.log(np.maximum(data["child"].to_numpy(), 500.0))
    ref_f = sm.OLS(ly, sm.add_constant(lx)).fit(cov_type="HC1")
    np.testing.assert_allclose(floored.params.to_numpy(), ref_f.params, rtol=1e-10)
    assert floored.n_dropped == 0 and floored.n_floored >= 30


def test_frequency_weights_equal_duplicated_rows():
    data = _sample(seed=3)
    data["w"] = data["w"].astype(int).astype(float)
    dup = data.loc[data.index.repeat(data["w"].astype(int))].reset_index(drop=True)
    for se in ("robust", "classic"):
        a = income_mobility(data, parent="parent", child="child", weight="w",
                            weight_kind="frequency", se=se, progress=False)
        b = income_mobility(dup, parent="parent", child="child", se=se, progress=False)
        for key in ("ige", "ige_se", "rank_slope", "rank_slope_se", "rank_intercept",
                    "expected_rank_p25", "p_top_given_bottom", "absolute_mobility"):
            assert getattr(a, key) == pytest.approx(getattr(b, key), rel=1e-9), key
        np.testing.assert_allclose(a.transition.matrix, b.transition.matrix, rtol=1e-12)
        assert a.absolute.se == pytest.approx(b.absolute.se, rel=1e-9)
    # probability weights: same point estimates, different (sampling) standard errors
    p = income_mobility(data, parent="parent", child="child", weight="w", progress=False)
    assert p.rank_slope == pytest.approx(b.rank_slope, rel=1e-9)
    assert p.ige == pytest.approx(b.ige, rel=1e-9)


def test_groups_national_and_within_ranks():
    data = _sample(n=900, seed=12)
    res = income_mobility(data, parent="parent", child="child", by="area", progress=False)
    assert set(res.results) == {"a", "b", "c"}
    # national ranks: a group's slope equals OLS on national scipy ranks restricted to it
    n = len(data)
    data["rx"] = 100 * (stats.rankdata(data["parent"]) - 0.5) / n
    data["ry"] = 100 * (stats.rankdata(data["child"]) - 0.5) / n
    sub = data[data["area"] == "b"]
    ref = sm.OLS(sub["ry"].to_numpy(), sm.add_constant(sub["rx"].to_numpy())).fit()
    assert res["b"].rank_slope == pytest.approx(ref.params[1], rel=1e-10)
    within = income_mobility(data, parent="parent", child="child", by="area", within=True,
                             progress=False)
    m = len(sub)
    rxw = 100 * (stats.rankdata(sub["parent"]) - 0.5) / m
    ryw = 100 * (stats.rankdata(sub["child"]) - 0.5) / m
    refw = sm.OLS(ryw, sm.add_constant(rxw)).fit()
    assert within["b"].rank_slope == pytest.approx(refw.params[1], rel=1e-10)
    d = res.to_dict()
    assert d["by"] == "area" and set(d["groups"]) == {"a", "b", "c"}
    frame = res.to_frame()
    assert set(frame["group"]) == {"a", "b", "c"} and set(frame["breakdown"]) == {"area"}


def test_absolute_income_mobility_factor_and_standard_error():
    data = _sample(seed=21)
    res = absolute_income_mobility(data, parent="parent", child="child", parent_factor=1.1)
    d = (data["child"] > 1.1 * data["parent"]).to_numpy(float)
    p = d.mean()
    assert res.share == pytest.approx(p)
    # unweighted linearisation SE: √(Σ(d − p)²)/n = √(p(1 − p)/n)
    assert res.se == pytest.approx(math.sqrt(p * (1 - p) / len(d)))
    # the result contract: conf_int(alpha) is a frame of lower and upper (normal interval)
    ci = res.conf_int(alpha=0.1)
    assert list(ci.columns) == ["lower", "upper"] and list(ci.index) == ["share"]
    z = stats.norm.ppf(0.95)
    assert ci.loc["share"].tolist() == pytest.approx([p - z * res.se, p + z * res.se],
                                                     rel=1e-12)


def test_bootstrap_is_reproducible_and_covers_the_estimate():
    data = _sample(n=400, seed=2)
    a = income_mobility(data, parent="parent", child="child", bootstrap=6, seed=7,
                        progress=False)
    b = income_mobility(data, parent="parent", child="child", bootstrap=6, seed=7,
                        progress=False)
    c = income_mobility(data, parent="parent", child="child", bootstrap=6, seed=8,
                        progress=False)
    # same draws; parallel engine sums may differ in the last bits, hence rtol
    pd.testing.assert_frame_equal(a.bootstrap.replicates, b.bootstrap.replicates,
                                  check_exact=False, rtol=1e-9)
    assert a.bootstrap.ranks == "fixed" and a.bootstrap.buckets is None  # row by row
    assert not a.bootstrap.replicates.equals(c.bootstrap.replicates)
    reps = a.bootstrap.replicates
    assert len(reps) == 6 and reps["rank_slope"].std() > 0
    frame = a.to_frame().set_index("measure")
    assert frame.loc["p_top_given_bottom", "lci"] <= frame.loc["p_top_given_bottom", "uci"]


@pytest.mark.parametrize("kwargs,match", [
    ({"parent": "nope", "child": "child"}, "parent income column not found"),
    ({"parent": "parent", "child": "child", "weight": "zz"}, "weight column not found"),
    ({"parent": "parent", "child": "child", "quantiles": 1}, "quantiles"),
    ({"parent": "parent", "child": "child", "zero_policy": "floor"}, "floor"),
    ({"parent": "parent", "child": "child", "zero_policy": "zap"}, "zero_policy"),
])
def test_bad_arguments(kwargs, match):
    with pytest.raises(InputError, match=match):
        income_mobility(_sample(n=30), progress=False, **kwargs)


def test_bad_data_messages():
    data = _sample(n=30)
    text = data.assign(parent=data["parent"].astype(str))
    text.loc[3, "parent"] = "n/a"
    with pytest.raises(InputError, match="non-numeric values such as 'n/a'") as err:
        income_mobility(text, parent="parent", child="child", progress=False)
    assert err.value.column == "parent"
    zeros = data.assign(parent=0.0)
    with pytest.raises(InputError, match="parent incomes are zero or negative"):
        income_mobility(zeros, parent="parent", child="child", progress=False)
    with pytest.raises(InputError, match="does not vary"):
        rank_rank(zeros, parent="parent", child="child")
    # every group lacks usable rows: nothing can be estimated, and the error says why
    empty = data.assign(child=np.nan)
    with pytest.raises(InputError, match="no usable rows"):
        income_mobility(empty, parent="parent", child="child", by="area", progress=False)
    few = data.assign(child=np.where(data.index < 27, np.nan, data["child"]))
    with pytest.raises(InputError, match=r"no group of column 'area' could be estimated \("):
        income_mobility(few, parent="parent", child="child", by="area", progress=False)
    neg = data.assign(w=-1.0)
    with pytest.raises(InputError, match="negative weight"):
        income_mobility(neg, parent="parent", child="child", weight="w", progress=False)


def _weighted_midranks(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    # the definition, O(n²): 100·[W(< vᵢ) + ½W(= vᵢ)]/W
    below = (w[None, :] * (v[None, :] < v[:, None])).sum(axis=1)
    equal = (w[None, :] * (v[None, :] == v[:, None])).sum(axis=1)
    return 100 * (below + equal / 2) / w.sum()


def test_weighted_decile_matrix_by_group_against_the_definition():
    data = _sample(n=800, seed=31)
    res = transition_matrix(data, parent="parent", child="child", weight="w", by="area",
                            quantiles=10)
    x, y, w = (data[c].to_numpy(float) for c in ("parent", "child", "w"))
    qx = np.minimum(np.floor(_weighted_midranks(x, w) / 10), 9).astype(int)
    qy = np.minimum(np.floor(_weighted_midranks(y, w) / 10), 9).astype(int)
    for g in ("a", "b", "c"):
        sel = (data["area"] == g).to_numpy()
        cells = np.zeros((10, 10))
        np.add.at(cells, (qx[sel], qy[sel]), w[sel])
        with np.errstate(invalid="ignore"):
            expected = cells / cells.sum(axis=1, keepdims=True)
        np.testing.assert_allclose(res[g].matrix, expected, rtol=1e-12)
        np.testing.assert_allclose(res[g].cell_weights, cells, rtol=1e-12)


def _rich_area(n=900, seed=12):
    """Three areas, and a fourth whose parents all rank in the top half nationally (so it
    has no parents in the bottom quintile) plus one with two usable rows."""
    data = _sample(n=n, seed=seed)
    top = data.nlargest(40, "parent").assign(area="rich")
    tiny = data.head(2).assign(area="tiny")
    return pd.concat([data, top, tiny], ignore_index=True)


def test_by_group_reports_every_group_it_can_and_names_the_rest():
    from socmob.results import ByGroup

    data = _rich_area()
    res = income_mobility(data, parent="parent", child="child", by="area", progress=False)
    assert isinstance(res, ByGroup) and res.by == "area"
    assert list(res) == ["a", "b", "c"]
    # (all its parents are in the top quintile)
    assert res.not_estimated == {"rich": "no parents in the bottom quintile (and 3 more "
                                         "empty quintiles)",
                                 "tiny": "2 usable rows; at least 3 are needed"}
    # the groups that are reported are estimated as usual: national ranks over all rows
    # (the rich and tiny areas included), OLS on them within the group
    n = len(data)
    rx = 100 * (stats.rankdata(data["parent"]) - 0.5) / n
    ry = 100 * (stats.rankdata(data["child"]) - 0.5) / n
    sel = (data["area"] == "b").to_numpy()
    ref = sm.OLS(ry[sel], sm.add_constant(rx[sel])).fit()
    assert res["b"].rank_slope == pytest.approx(ref.params[1], rel=1e-10)
    d = res.to_dict()
    assert d["not_estimated"] == dict(res.not_estimated) and set(d["groups"]) == {"a", "b", "c"}
    assert set(res.to_frame()["group"]) == {"a", "b", "c"}
    assert "rich (no parents in the bottom quintile" in res.summary()
    # ranked within groups, the rich area has every quintile and is estimated
    within = income_mobility(data, parent="parent", child="child", by="area", within=True,
                             progress=False)
    assert list(within) == ["a", "b", "c", "rich"] and list(within.not_estimated) == ["tiny"]


def test_every_by_group_function_answers_with_by_group():
    from socmob.income import IncomeMobilityByGroup
    from socmob.results import ByGroup

    data = _rich_area()
    kw = dict(parent="parent", child="child", by="area")
    for fn in (ige, rank_rank, transition_matrix, absolute_income_mobility):
        res = fn(data, **kw)
        assert isinstance(res, ByGroup), fn.__name__
        assert res.not_estimated["tiny"] == "2 usable rows; at least 3 are needed"
    # a transition matrix with an empty parent quintile is reported, its row undefined
    tm = transition_matrix(data, **kw)
    assert np.isnan(tm["rich"].matrix[:4]).all() and tm["rich"].matrix[4].sum() == 1.0
    # the Poisson IGE names a group with too few positive parent incomes
    in_c = (data["area"] == "c").to_numpy()
    zeros = data.assign(parent=np.where(in_c & (np.cumsum(in_c) > 2), 0.0, data["parent"]))
    fits = ige(zeros, zero_policy="ppml", **kw)
    assert "c" not in fits
    assert fits.not_estimated["c"] == ("2 rows with a positive parent income, too few for "
                                       "the Poisson IGE")
    assert set(fits) == {"a", "b", "rich"}
    assert IncomeMobilityByGroup is ByGroup  # the older name of the answer
