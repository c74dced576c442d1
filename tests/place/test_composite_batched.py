"""The construction steps on batches of Monte Carlo runs give what they give one run at a
time (to rounding), whatever the memory layout of the batch: ranks against scipy's
``rankdata``, normalisation with and without missing values, treatment with a winsorising
limit per run, aggregation by hand."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.stats import rankdata

from socmob.place.composite import aggregate_array, normalise_array, treat_array
from socmob.place.composite.meta import Hierarchy
from socmob.place.composite.normalise import rank_min


@pytest.fixture
def batch() -> np.ndarray:
    """(runs, units, indicators): skewed, some columns with outliers."""
    rng = np.random.default_rng(11)
    x = np.exp(rng.standard_normal((40, 60, 5)) * np.array([0.2, 0.6, 1.0, 1.4, 0.3]))
    x[:, :2, 3] *= 25.0  # two far outliers: winsorising needs several steps
    return x


def _other_layout(x: np.ndarray) -> np.ndarray:
    """The same values laid out (runs, indicators, units) in memory."""
    return np.ascontiguousarray(x.transpose(0, 2, 1)).transpose(0, 2, 1)


@pytest.mark.parametrize(("shape", "axis"), [((9, 4), 0), ((9, 4), -1), ((3, 30, 4), -2),
                                             ((3, 30, 4), 0), ((1,), 0), ((25,), -1)])
def test_rank_min_is_scipys_min_rank(shape, axis):
    rng = np.random.default_rng(5)
    x = np.round(rng.standard_normal(shape), 1)  # ties
    x[rng.random(shape) < 0.15] = np.nan
    want = rankdata(np.where(np.isnan(x), np.inf, x), method="min", axis=axis)
    want = np.where(np.isnan(x), np.nan, want)
    np.testing.assert_array_equal(rank_min(x, axis=axis), want)


@pytest.mark.parametrize("method", ["minmax", "zscore", "rank", "prank", "borda",
                                    "dist2max", "fracmax", "none"])
def test_normalise_without_missing_values_equals_the_missing_value_path(batch, method):
    fast = normalise_array(batch, method=method, l_u=(1, 100), m_sd=(10, 2))
    padded = np.concatenate([batch, np.full((40, 1, 5), np.nan)], axis=1)
    slow = normalise_array(padded, method=method, l_u=(1, 100), m_sd=(10, 2))[:, :-1]
    np.testing.assert_allclose(fast, slow, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(normalise_array(_other_layout(batch), method=method),
                               normalise_array(batch, method=method), rtol=1e-12, atol=1e-12)
    if method == "minmax":  # by hand, column by column
        col = batch[3, :, 2]
        want = (col - col.min()) / (col.max() - col.min()) * 99 + 1
        np.testing.assert_allclose(fast[3, :, 2], want, rtol=1e-14)


def test_treatment_of_a_batch_with_a_limit_per_run_equals_one_run_at_a_time(batch):
    winmax = np.arange(40)[:, None] % 6  # 0 … 5 points per run
    for x in (batch, _other_layout(batch)):
        res = treat_array(x, winmax=winmax)
        for r in range(40):
            one = treat_array(batch[r], winmax=int(winmax[r, 0]))
            np.testing.assert_allclose(res.x[r], one.x, rtol=1e-14)
            np.testing.assert_array_equal(res.stage[r], one.stage)
            np.testing.assert_array_equal(res.nwin[r], one.nwin)
            np.testing.assert_array_equal(res.treated[r], one.treated)
            np.testing.assert_array_equal(res.passed_after[r], one.passed_after)
            np.testing.assert_allclose(res.skew_after[r], one.skew_after, rtol=1e-12)
    stages = treat_array(batch, winmax=winmax).stage
    assert {0, 1, 2} <= set(np.unique(stages))  # untreated, winsorised and logged columns


def test_aggregation_by_hand_in_either_layout(batch):
    h = Hierarchy(codes=("a", "b", "c", "d", "e", "P", "Q", "I"), levels=(1, 1, 1, 1, 1, 2, 2, 3),
                  parents=("P", "P", "Q", "Q", "Q", "I", "I", None),
                  children=((), (), (), (), (), (0, 1), (2, 3, 4), (5, 6)), n_indicators=5)
    w = np.array([1.0, 3.0, 1.0, 1.0, 2.0, 1.0, 1.0, 1.0])
    x = batch.copy()
    x[0, 0, 1] = np.nan  # one missing value: re-weighted over the observed children
    out = aggregate_array(x, h, w)
    p = (x[..., 0] * 1 + x[..., 1] * 3) / 4
    p[0, 0] = x[0, 0, 0]
    q = (x[..., 2] + x[..., 3] + 2 * x[..., 4]) / 4
    np.testing.assert_allclose(out[..., 5], p, rtol=1e-14)
    np.testing.assert_allclose(out[..., 7], (p + q) / 2, rtol=1e-14)
    g = aggregate_array(batch, h, w, method="gmean")
    np.testing.assert_allclose(g[..., 5], np.exp((np.log(batch[..., 0]) +
                                                  3 * np.log(batch[..., 1])) / 4), rtol=1e-13)
    np.testing.assert_allclose(aggregate_array(_other_layout(batch), h, w, method="hmean"),
                               aggregate_array(batch, h, w, method="hmean"), rtol=1e-14)
