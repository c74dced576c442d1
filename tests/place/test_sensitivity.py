"""Sobol sensitivity: against the Ishigami function's analytic indices and against the
sensitivity indices of COINr's vignette (ASEM)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import RESULTS

from socmob.errors import InputError
from socmob.place.composite import Coin, read_table
from socmob.place.sensitivity import composite_sensitivity, saltelli_design, sobol_indices
from socmob.place.uncertainty import UncertainInputs

REF = RESULTS / "coinr"


def ishigami(u: np.ndarray, a: float = 7.0, b: float = 0.1) -> np.ndarray:
    x = -np.pi + 2 * np.pi * u
    return np.sin(x[:, 0]) + a * np.sin(x[:, 1]) ** 2 + b * x[:, 2] ** 4 * np.sin(x[:, 0])


def ishigami_analytic(a: float = 7.0, b: float = 0.1) -> tuple[np.ndarray, np.ndarray]:
    # Ishigami & Homma (1990); Sobol' & Levitan (1999), x_i ~ U(-pi, pi):
    # V1 = (1 + b pi^4 / 5)^2 / 2, V2 = a^2 / 8, V3 = 0,
    # V13 = b^2 pi^8 (1/18 - 1/50) = 8 b^2 pi^8 / 225, V = V1 + V2 + V13
    v1 = 0.5 * (1 + b * np.pi**4 / 5) ** 2
    v2 = a**2 / 8
    v13 = 8 * b**2 * np.pi**8 / 225
    v = v1 + v2 + v13
    return np.array([v1, v2, 0.0]) / v, np.array([v1 + v13, v2, v13]) / v


def test_ishigami_matches_analytic_indices() -> None:
    s1, st = ishigami_analytic()
    # the textbook values: S = 0.3139, 0.4424, 0; ST = 0.5576, 0.4424, 0.2437
    np.testing.assert_allclose(s1, [0.3139, 0.4424, 0.0], atol=1e-4)
    np.testing.assert_allclose(st, [0.5576, 0.4424, 0.2437], atol=1e-4)
    res = sobol_indices(ishigami, 3, N=4096, seed=7, bootstrap=300)
    np.testing.assert_allclose(res.S1, s1, atol=0.03)
    np.testing.assert_allclose(res.ST, st, atol=0.02)
    # the 90% bootstrap intervals cover the truth
    assert np.all((res.S1_ci[:, 0] <= s1) & (s1 <= res.S1_ci[:, 1]))
    assert np.all((res.ST_ci[:, 0] <= st) & (st <= res.ST_ci[:, 1]))
    assert list(res.to_frame()["input"]) == ["x1", "x2", "x3"]


def test_additive_model_by_hand() -> None:
    # f = x1 + 2 x2 with x ~ U(0,1): V1 = 1/12, V2 = 4/12 -> S = ST = (0.2, 0.8)
    res = sobol_indices(lambda u: u[:, 0] + 2 * u[:, 1], 2, N=4096, seed=1, bootstrap=0)
    np.testing.assert_allclose(res.S1, [0.2, 0.8], atol=0.01)
    np.testing.assert_allclose(res.ST, [0.2, 0.8], atol=0.01)
    # plain Monte Carlo converges more slowly: looser tolerance
    res = sobol_indices(lambda u: u[:, 0] + 2 * u[:, 1], 2, N=4096, seed=3, bootstrap=0,
                        qmc=False)
    np.testing.assert_allclose(res.S1, [0.2, 0.8], atol=0.1)
    np.testing.assert_allclose(res.ST, [0.2, 0.8], atol=0.05)


def test_saltelli_design_shape() -> None:
    d = saltelli_design(3, 8, seed=0)
    assert d.stacked().shape == (8 * 5, 3)
    np.testing.assert_array_equal(d.AB[1][:, 1], d.B[:, 1])
    np.testing.assert_array_equal(d.AB[1][:, [0, 2]], d.A[:, [0, 2]])


def test_composite_sensitivity_agrees_with_coinr_vignette() -> None:
    coin = Coin.new(read_table(REF / "asem_iData.csv"), read_table(REF / "asem_iMeta.csv"))
    coin = (coin.denominate().impute(method="group_mean", group="EurAsia_group")
            .screen(dat_thresh=0.9).treat(winmax=5).normalise().aggregate())
    inputs = UncertainInputs(
        winmax=[1, 2, 3, 4, 5],
        normalise=[{"method": "minmax", "l_u": (1, 100)},
                   {"method": "zscore", "m_sd": (10, 2)}],
        aggregate=[{"method": "amean"}, {"method": "gmean"}],
        weight_noise={2: 0.25, 3: 0.25})
    res = composite_sensitivity(coin, inputs, N=300, seed=4, bootstrap=200, progress=False)
    got = res.to_frame().set_index("input")
    want = pd.read_csv(REF / "asem_vignette_SA_sensitivity_indices.csv").set_index("Variable")
    want.index = ["winmax", "normalise", "weights", "aggregate"]
    got = got.loc[want.index]
    # COINr's numbers come from N = 100 random runs: same ordering of total effects,
    # aggregation dominant, each STi within 0.2 of COINr's
    assert list(got["ST"].sort_values().index) == list(want["STi"].sort_values().index)
    assert got["ST"].idxmax() == "aggregate"
    assert (got["ST"] - want["STi"]).abs().max() < 0.2
    assert res.runs == 300 * 6
    assert res.ranks.ranks.shape == (600, 51)


def test_bad_sensitivity_inputs() -> None:
    with pytest.raises(InputError):
        saltelli_design(0, 10)
    with pytest.raises(InputError, match="does not vary"):
        sobol_indices(lambda u: np.zeros(len(u)), 2, N=16, bootstrap=0)


def test_single_sampling_input_explains_everything() -> None:
    # one uncertain input (the sampling error of A's value): S1 = ST = 1 by definition
    idata = pd.DataFrame({"uCode": list("ABCD"), "x": [1.5, 0.0, 2.0, 3.0]})
    imeta = pd.DataFrame({"iCode": ["x", "Index"], "Level": [1, 2], "Parent": ["Index", None],
                          "Direction": [1, 1], "Weight": [1, 1],
                          "Type": ["Indicator", "Aggregate"]})
    coin = Coin.new(idata, imeta).treat(dset="Raw", method="none").normalise().aggregate()
    se = pd.DataFrame({"x": [1.0, 0.0, 0.0, 0.0]}, index=list("ABCD"))
    res = composite_sensitivity(coin, UncertainInputs(se=se, n_noise_sets=200), N=2048,
                                seed=1, bootstrap=0, progress=False)
    assert list(res.indices.names) == ["sampling"]
    assert res.indices.S1[0] == pytest.approx(1.0, abs=0.1)  # Saltelli S1 is noisier
    assert res.indices.ST[0] == pytest.approx(1.0, abs=0.05)
