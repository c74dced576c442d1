"""Monte Carlo uncertainty of composite indices: against an analytic rank probability and
against the rank statistics of COINr's uncertainty-analysis vignette (ASEM)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm, spearmanr
from tests.conftest import RESULTS

from socmob.errors import InputError
from socmob.place.composite import Coin, read_table
from socmob.place.uncertainty import (
    CoinReplay,
    UncertainInputs,
    ZBands,
    se_from_ci,
    uncertainty,
)

REF = RESULTS / "coinr"

# COINr vignette "sensitivity" (SOURCE.md): winmax 1..5; min-max [1, 100] or z-score
# (10, 2); ±25% weight noise at levels 2 and 3; arithmetic or geometric mean
VIGNETTE = UncertainInputs(
    winmax=[1, 2, 3, 4, 5],
    normalise=[{"method": "minmax", "l_u": (1, 100)}, {"method": "zscore", "m_sd": (10, 2)}],
    aggregate=[{"method": "amean"}, {"method": "gmean"}],
    weight_noise={2: 0.25, 3: 0.25},
)


@pytest.fixture(scope="module")
def asem() -> Coin:
    coin = Coin.new(read_table(REF / "asem_iData.csv"), read_table(REF / "asem_iMeta.csv"))
    return (coin.denominate().impute(method="group_mean", group="EurAsia_group")
            .screen(dat_thresh=0.9).treat(winmax=5).normalise().aggregate())


def test_rank_statistics_agree_with_coinr_vignette(asem: Coin) -> None:
    res = uncertainty(asem, VIGNETTE, runs=1000, seed=11, progress=False)
    want = pd.read_csv(REF / "asem_vignette_UA_rankstats.csv").set_index("uCode")
    got = res.table().set_index("uCode").loc[want.index]
    np.testing.assert_array_equal(got["nominal_rank"], want["Nominal"])
    # COINr stored only N = 100 runs drawn with runif: compare with a tolerance
    assert spearmanr(got["median_rank"], want["Median"]).statistic > 0.99
    assert (got["median_rank"] - want["Median"]).abs().max() <= 3
    assert (got["q05"] - want["Q5"]).abs().max() <= 4
    assert (got["q95"] - want["Q95"]).abs().max() <= 4
    probs = res.band_probability.to_numpy()
    np.testing.assert_allclose(probs.sum(axis=1), 1.0)
    assert res.ranks.shape == (1000, 51)
    tidy = res.to_frame()
    assert {"value", "lci", "uci", "nominal_rank"} <= set(tidy.columns)


def test_same_seed_same_result(asem: Coin) -> None:
    a = uncertainty(asem, VIGNETTE, runs=200, seed=5, progress=False)
    b = uncertainty(asem, VIGNETTE, runs=200, seed=5, chunk=64, progress=False)
    np.testing.assert_array_equal(a.ranks, b.ranks)


def test_same_result_in_any_number_of_threads(asem: Coin) -> None:
    se = asem.get("Raw") * 0 + 0.1 * asem.get("Raw").std()
    inputs = UncertainInputs(winmax=[1, 3, 5], normalise=VIGNETTE.normalise,
                             weight_noise={2: 0.25}, se=se)
    one = uncertainty(asem, inputs, runs=300, seed=8, chunk=16, workers=1, progress=False)
    for workers in (2, 3):
        many = uncertainty(asem, inputs, runs=300, seed=8, chunk=16, workers=workers,
                           progress=False)
        np.testing.assert_array_equal(many.ranks, one.ranks)
    with pytest.raises(InputError):
        uncertainty(asem, inputs, runs=10, workers=0, progress=False)


def test_nominal_choices_and_zero_error_reproduce_the_coin(asem: Coin) -> None:
    zero = asem.get("Raw") * 0.0
    inputs = UncertainInputs(winmax=[5], normalise=[{"method": "minmax"}],
                             aggregate=[{"method": "amean"}], se=zero)
    replay = CoinReplay(asem, inputs)
    rng = np.random.default_rng(0)
    scores = replay.scores({"winmax": np.zeros(3, int), "normalise": np.zeros(3, int),
                            "aggregate": np.zeros(3, int)},
                           noise=rng.standard_normal((3, 51, 49)))
    want = pd.read_csv(REF / "asem_example_coin_Aggregated.csv").set_index("uCode")["Index"]
    np.testing.assert_allclose(scores, np.broadcast_to(want.loc[replay.units], (3, 51)),
                               atol=1e-9)


@pytest.mark.parametrize(("name", "alternatives", "change"), [
    ("impute", [{"method": "median"}], {"impute": {"method": "median", "group": None}}),
    ("winmax", [2], {"treat": {"winmax": 2}}),
    ("normalise", [{"method": "prank"}], {"normalise": {"method": "prank"}}),
    ("aggregate", [{"method": "gmean", "offset": 1.0}],
     {"aggregate": {"method": "gmean", "offset": 1.0}}),
])
def test_vectorised_replay_equals_regenerated_coin(asem: Coin, name, alternatives,
                                                   change) -> None:
    # the Monte Carlo replay's run with one alternative = the coin regenerated with it
    replay = CoinReplay(asem, UncertainInputs(**{name: alternatives}))
    got = replay.scores({name: np.zeros(2, dtype=int)})
    want = asem.regenerate(change).results().scores["Index"].loc[replay.units]
    np.testing.assert_allclose(got, np.broadcast_to(want, (2, 51)), atol=1e-9)


def _line_coin() -> Coin:
    idata = pd.DataFrame({"uCode": list("ABCD"), "x": [1.5, 0.0, 2.0, 3.0],
                          "y": [1.0, 1.0, 1.0, 1.0]})
    imeta = pd.DataFrame({"iCode": ["x", "Index"], "Level": [1, 2], "Parent": ["Index", None],
                          "Direction": [1, 1], "Weight": [1, 1],
                          "Type": ["Indicator", "Aggregate"]})
    return Coin.new(idata[["uCode", "x"]], imeta).treat(dset="Raw", method="none") \
        .normalise(method="minmax").aggregate()


def test_sampling_error_gives_the_analytic_rank_probabilities() -> None:
    # one indicator; only A (x = 1.5) is uncertain with SE 1, others 0, 2, 3 fixed.
    # A ranks 1st iff x* > 3: 1 - Phi(1.5); in the top two iff x* > 2: 1 - Phi(0.5).
    coin = _line_coin()
    se = pd.DataFrame({"x": [1.0, 0.0, 0.0, 0.0]}, index=list("ABCD"))
    n = 20000
    res = uncertainty(coin, UncertainInputs(se=se), runs=n, seed=3, progress=False,
                      bands=lambda s: np.where(s == s.max(axis=1, keepdims=True), "top",
                                               "rest"))
    ra = res.ranks[:, 0]
    for k, p in ((1, 1 - norm.cdf(1.5)), (2, 1 - norm.cdf(0.5)), (3, 1 - norm.cdf(-1.5))):
        assert np.mean(ra <= k) == pytest.approx(p, abs=4 * np.sqrt(p * (1 - p) / n))
    p1 = 1 - norm.cdf(1.5)
    assert res.band_probability.loc["A", "top"] == pytest.approx(p1, abs=4 * np.sqrt(
        p1 * (1 - p1) / n))
    # median rank of A: P(rank <= 2) = 0.31 < 0.5 <= P(rank <= 3), so 3
    assert res.median_rank["A"] == 3


def test_z_bands_by_hand_and_against_smc_rule() -> None:
    # scores 0..6: mean 3, sd sqrt(28/6) = 2.160; z = -1.389, -0.926, -0.463, 0, ...
    rule = ZBands()
    labels = rule(np.arange(7.0)[None, :])[0]
    assert list(labels) == ["-1.5 < z ≤ -1", "-1 < z ≤ -0.5", "-0.5 < z < 0.5",
                            "-0.5 < z < 0.5", "-0.5 < z < 0.5", "0.5 ≤ z < 1", "1 ≤ z < 1.5"]
    assert rule.band_labels()[0] == "z ≤ -1.5" and rule.band_labels()[-1] == "z ≥ 1.5"
    # the SoN 2025 rule: cut-points belong to the band farther from zero
    z = np.array([-2, -1.5, -1.2, -1.0, -0.7, -0.5, -0.2, 0, 0.3, 0.499, 0.5, 0.9, 1.0,
                  1.3, 1.5, 3.0])
    want = [1, 1, 2, 2, 3, 3, 4, 4, 4, 4, 5, 5, 6, 6, 7, 7]
    np.testing.assert_array_equal(rule.band_index(z) + 1, want)
    from socmob.place.banding import band_2025

    np.testing.assert_array_equal(rule.band_index(z) + 1, band_2025(z))


def test_colleague_band_rule_plugs_in(asem: Coin) -> None:
    from socmob.place.banding import band_2025

    def smc(scores: np.ndarray) -> np.ndarray:
        z = (scores - scores.mean(axis=1, keepdims=True)) / scores.std(axis=1, ddof=1,
                                                                      keepdims=True)
        return band_2025(z.ravel()).reshape(z.shape)

    a = uncertainty(asem, VIGNETTE, runs=100, seed=2, bands=smc, progress=False)
    b = uncertainty(asem, VIGNETTE, runs=100, seed=2, progress=False)
    np.testing.assert_allclose(a.band_probability.to_numpy(),
                               b.band_probability.to_numpy())
    assert list(a.band_probability.columns) == [str(k) for k in range(1, 8)]


def test_se_from_ci() -> None:
    lci = pd.DataFrame({"x": [1.0]})
    uci = pd.DataFrame({"x": [1.0 + 2 * 1.959963984540054]})
    assert se_from_ci(lci, uci).iloc[0, 0] == pytest.approx(1.0)


def test_bad_uncertainty_inputs(asem: Coin) -> None:
    with pytest.raises(InputError, match="nothing varies"):
        uncertainty(asem, UncertainInputs(), runs=10, progress=False)
    with pytest.raises(InputError, match="not an aggregate"):
        uncertainty(asem, VIGNETTE, runs=10, code="LPI", progress=False)
    with pytest.raises(InputError, match="weight noise"):
        uncertainty(asem, UncertainInputs(weight_noise={2: 1.5}), runs=10, progress=False)
    bad = UncertainInputs(normalise=[{"method": "zscore"}], aggregate=[{"method": "gmean"}])
    with pytest.raises(InputError, match="geometric mean"):
        uncertainty(asem, bad, runs=10, progress=False)
