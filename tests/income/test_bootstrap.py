"""The one-scan Poisson bootstrap: its hashes and multipliers, its replicates against an
independent numpy implementation of the same resampling, and — because ranks are held
at their full-sample values — the coverage of its intervals on synthetic populations
with a known truth."""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd
import pytest
from scipy import stats

import socmob.income.bootstrap as boot
from socmob.engine import default_connection
from socmob.income import income_mobility
from socmob.income.bootstrap import (
    bucket_key,
    mix32,
    mix32_column,
    poisson_multipliers,
    with_row_buckets,
)
from socmob.synth.income import normal_quantile_matrix, pearson_from_spearman


def _fmix32(h: int) -> int:
    """MurmurHash3's fmix32 as published (Appleby 2011), in plain Python integers."""
    h ^= h >> 16
    h = (h * 0x85EBCA6B) & 0xFFFFFFFF
    h ^= h >> 13
    h = (h * 0xC2B2AE35) & 0xFFFFFFFF
    return h ^ (h >> 16)


def test_mix32_is_fmix32_in_numpy_and_in_the_engine():
    values = np.array([0, 1, 2, 12345, 2**31 - 1, 2**31, 2**32 - 1], dtype=np.int64)
    values = np.concatenate([values, np.random.default_rng(0).integers(0, 2**32, 2000)])
    expected = [_fmix32(int(v)) for v in values]
    assert mix32(values).tolist() == expected
    t = ibis.memtable(pd.DataFrame({"v": values}))
    got = default_connection().execute(mix32_column(t, "v"))["v"]
    assert got.tolist() == expected


def test_poisson_multipliers_follow_poisson_one_and_are_independent():
    m = poisson_multipliers(7, range(200), 5000)
    assert m.shape == (200, 5000) and (m >= 0).all()
    # 10⁶ draws: the frequencies of 0..4 within 4 SE of e⁻¹/k!
    freq = np.bincount(m.astype(int).ravel(), minlength=8)[:5] / m.size
    pmf = np.array([math.exp(-1) / math.factorial(k) for k in range(5)])
    assert np.all(np.abs(freq - pmf) < 4 * np.sqrt(pmf * (1 - pmf) / m.size))
    assert m.mean() == pytest.approx(1.0, abs=0.004) and m.var() == pytest.approx(1.0, abs=0.01)
    # independent across buckets and replicates: correlations of neighbours ≈ 0 (SE 0.001)
    assert abs(np.corrcoef(m[:, 1:].ravel(), m[:, :-1].ravel())[0, 1]) < 0.005
    assert abs(np.corrcoef(m[1:].ravel(), m[:-1].ravel())[0, 1]) < 0.005
    # deterministic, and a replicate does not depend on which others are drawn with it
    np.testing.assert_array_equal(poisson_multipliers(7, range(50, 60), 5000), m[50:60])
    assert not np.array_equal(poisson_multipliers(8, range(10), 5000), m[:10])


def test_random_buckets_are_uniform_and_unrelated_to_the_order():
    n, buckets = 200_000, 1024
    t = ibis.memtable(pd.DataFrame({"_x": np.arange(n, dtype=float), "_y": 1.0, "_w": 1.0}))
    t = t.mutate(b=ibis.row_number().over(order_by=t._x).cast("int64"))
    got = default_connection().execute(with_row_buckets(t, "b", buckets=buckets,
                                                        key=bucket_key(3)))
    b = got.sort_values("_x")["b"].to_numpy()
    counts = np.bincount(b, minlength=buckets)
    chi2 = ((counts - n / buckets) ** 2 / (n / buckets)).sum()
    assert stats.chi2.sf(chi2, buckets - 1) > 1e-3
    # neighbouring rows in the order land in unrelated buckets
    assert abs(stats.spearmanr(b[1:], b[:-1]).statistic) < 0.01
    exact = default_connection().execute(with_row_buckets(t, "b", buckets=None, key=0))
    assert (exact.sort_values("_x")["b"].to_numpy() == np.arange(n)).all()


# --------------------------------------------------------------------------- replicates


def _sample(n: int, seed: int, rho_s: float = 0.35, ties: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    rho = pearson_from_spearman(rho_s)
    z1 = rng.standard_normal(n)
    z2 = rho * z1 + math.sqrt(1 - rho * rho) * rng.standard_normal(n)
    digits = -2 if ties else 8  # to £100, or as drawn
    return pd.DataFrame({"parent": np.round(np.exp(10 + 0.6 * z1), digits),
                         "child": np.round(np.exp(10.1 + 0.7 * z2), digits),
                         "w": rng.choice([0.5, 1.0, 2.0], size=n)})


def _midranks(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    order = np.argsort(v, kind="stable")
    vs, ws = v[order], w[order]
    starts = np.r_[0, np.flatnonzero(np.diff(vs)) + 1]
    tie_w = np.add.reduceat(ws, starts)
    below = np.r_[0.0, np.cumsum(tie_w)[:-1]]
    rank_sorted = np.repeat(100 * (below + tie_w / 2) / ws.sum(), np.diff(np.r_[starts, len(vs)]))
    out = np.empty_like(rank_sorted)
    out[order] = rank_sorted
    return out


def _numpy_replicates(data: pd.DataFrame, weights: np.ndarray, multipliers: np.ndarray
                      ) -> pd.DataFrame:
    """The fixed-rank Poisson bootstrap written directly: full-sample ranks and quintiles,
    replicate b re-weights row i by multipliers[b, i]."""
    x, y = data["parent"].to_numpy(float), data["child"].to_numpy(float)
    rx, ry = _midranks(x, weights), _midranks(y, weights)
    qx, qy = np.minimum(rx // 20, 4).astype(int), np.minimum(ry // 20, 4).astype(int)
    pos = (x > 0) & (y > 0)
    lx, ly = np.log(np.where(pos, x, 1.0)), np.log(np.where(pos, y, 1.0))
    rows = []
    for m in multipliers:
        w = weights * m
        slope = np.cov(rx, ry, aweights=w)[0, 1] / np.cov(rx, aweights=w)
        wi = w * pos
        ige = np.cov(lx, ly, aweights=wi)[0, 1] / np.cov(lx, aweights=wi)
        cells = np.zeros((5, 5))
        np.add.at(cells, (qx, qy), w)
        rows.append({"rank_slope": slope, "ige": ige,
                     "p_top_given_bottom": cells[0, 4] / cells[0].sum(),
                     "absolute_mobility": (w * (y > x)).sum() / w.sum()})
    return pd.DataFrame(rows)


def _positions(data: pd.DataFrame, weights: np.ndarray) -> np.ndarray:
    """Each row's position in the order (child, parent, weight)."""
    order = np.lexsort((weights, data["parent"].to_numpy(), data["child"].to_numpy()))
    pos = np.empty(len(data), dtype=np.int64)
    pos[order] = np.arange(len(data))
    return pos


@pytest.mark.parametrize("weighted,dense", [(False, True), (True, True), (False, False)])
def test_row_by_row_replicates_equal_a_direct_implementation(weighted, dense, monkeypatch):
    if not dense:  # the sparse layout of the bucket sums, used for many rows
        monkeypatch.setattr(boot, "DENSE_VALUES", 0)
    data = _sample(400, seed=5)
    weights = data["w"].to_numpy() if weighted else np.ones(len(data))
    res = income_mobility(data, parent="parent", child="child",
                          weight="w" if weighted else None, bootstrap=25, seed=11,
                          progress=False)
    assert res.bootstrap.buckets is None  # 400 rows: every row is its own bucket
    m = poisson_multipliers(11, range(25), len(data))[:, _positions(data, weights)]
    expected = _numpy_replicates(data, weights, m)
    got = res.bootstrap.replicates
    for column in expected:
        np.testing.assert_allclose(got[column], expected[column], rtol=1e-9, err_msg=column)


def test_bucketed_replicates_equal_a_direct_implementation(monkeypatch):
    # beyond EXACT_ROWS rows share the multiplier of their bucket: lower the threshold so
    # a small sample takes that path
    monkeypatch.setattr(boot, "EXACT_ROWS", 100)
    monkeypatch.setattr(boot, "MAX_BUCKETS", 128)
    data = _sample(3000, seed=6)
    weights = np.ones(len(data))
    res = income_mobility(data, parent="parent", child="child", bootstrap=20, seed=4,
                          progress=False)
    assert res.bootstrap.buckets == 128
    bucket = mix32((_positions(data, weights) + bucket_key(4)) % 2**32) % 128
    m = poisson_multipliers(4, range(20), 128)[:, bucket]
    expected = _numpy_replicates(data, weights, m)
    for column in expected:
        np.testing.assert_allclose(res.bootstrap.replicates[column], expected[column],
                                   rtol=1e-9, err_msg=column)


def test_bucketed_standard_errors_agree_with_row_by_row(monkeypatch):
    data = _sample(20_000, seed=8)
    kw = dict(parent="parent", child="child", bootstrap=200, seed=2, progress=False)
    rows = income_mobility(data, **kw).bootstrap
    monkeypatch.setattr(boot, "EXACT_ROWS", 1000)
    monkeypatch.setattr(boot, "MAX_BUCKETS", 2048)
    grouped = income_mobility(data, **kw).bootstrap
    assert rows.buckets is None and grouped.buckets == 2048
    # two estimates of one SE from 200 replicates each: relative SE of each ≈ 5%
    for name in ("rank_slope", "p_top_given_bottom", "ige", "index_shorrocks_prais"):
        assert grouped.se(name) == pytest.approx(rows.se(name), rel=0.2), name


# --------------------------------------------------------------------------- coverage


@pytest.mark.slow
def test_fixed_rank_intervals_cover_the_truth():
    """Ranks held fixed: the 90% percentile intervals of the rank slope and of P(Q5|Q1)
    still cover the true values at their nominal rate. 300 independent samples of 1000
    pairs from a normal copula with Spearman ρ_S = 0.35 (true rank slope ρ_S, true P(Q5|Q1)
    the bivariate-normal rectangle probability), each ranked within itself and
    bootstrapped with 200 replicates in one call (the samples are the groups)."""
    rho_s, n, samples = 0.35, 1000, 300
    truth = {"rank_slope": rho_s,
             "p_top_given_bottom": normal_quantile_matrix(pearson_from_spearman(rho_s), 5)[0, 4]}
    data = pd.concat([_sample(n, seed=1000 + s, rho_s=rho_s, ties=False)
                      .assign(sample=f"s{s:03d}") for s in range(samples)], ignore_index=True)
    res = income_mobility(data, parent="parent", child="child", by="sample", within=True,
                          bootstrap=200, seed=9, alpha=0.1, progress=False)
    assert len(res) == samples
    for name, true_value in truth.items():
        estimates = np.array([getattr(r, name) for r in res.values()])
        covered = np.mean([lo <= true_value <= hi for lo, hi in
                           (r.bootstrap.interval(name) for r in res.values())])
        # 300 intervals at 90%: the share covering has SE 0.017; allow 3 SE below
        assert covered >= 0.9 - 3 * 0.017, (name, covered)
        # and the bootstrap SE is the sampling SD of the estimates (300 samples: the SD is
        # known to ±4%; allow 15%)
        mean_se = np.mean([r.bootstrap.se(name) for r in res.values()])
        assert mean_se == pytest.approx(estimates.std(ddof=1), rel=0.15), name
