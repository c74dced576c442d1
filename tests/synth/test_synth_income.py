"""Synthetic income populations: labelled synthetic, reproducible, chunked, and the
estimators recover their known truth within tolerances derived below."""

from __future__ import annotations

import math

import numpy as np
import pyarrow.parquet as pq
import pytest
from scipy import stats

from socmob.engine import connect
from socmob.engine.readers import read_table
from socmob.errors import InputError
from socmob.income import income_mobility
from socmob.synth import is_synthetic, pearson_from_spearman, read_truth, synth_income
from socmob.synth.income import normal_quantile_matrix

N = 200_000
RHO_S = 0.35


def test_spearman_to_pearson_conversion():
    # ρ = 2 sin(πρ_S/6) inverts ρ_S = (6/π) asin(ρ/2) (Kruskal 1958); fixed points 0 and 1
    assert pearson_from_spearman(0.0) == 0.0
    assert pearson_from_spearman(1.0) == pytest.approx(1.0)
    for rho_s in (-0.6, 0.2, 0.35, 0.9):
        rho = pearson_from_spearman(rho_s)
        assert 6 / math.pi * math.asin(rho / 2) == pytest.approx(rho_s)


def test_normal_quantile_matrix_is_bistochastic():
    P = normal_quantile_matrix(0.4, 5)
    np.testing.assert_allclose(P.sum(axis=0), 1.0, atol=1e-6)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, atol=1e-6)
    np.testing.assert_allclose(normal_quantile_matrix(0.0, 4), 0.25, atol=1e-6)


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    path = tmp_path_factory.mktemp("synth") / "pairs.parquet"
    made = synth_income(path, rows=N, rank_corr=RHO_S, seed=11, weights=True,
                        chunk_rows=50_000, progress=False)
    return made


@pytest.fixture(scope="module")
def estimate(population):
    table = read_table(population.path, con=connect())
    return income_mobility(table, parent="parent_income", child="child_income",
                           weight="weight", progress=False)


def test_file_is_labelled_and_chunked(population):
    path = population.path
    assert is_synthetic(path)
    assert read_truth(path) == population.truth
    meta = pq.ParquetFile(path)
    assert meta.metadata.num_rows == N and meta.num_row_groups == 4  # 4 chunks of 50 000
    cols = pq.read_table(path, columns=["synthetic", "id"])
    assert cols["synthetic"].to_numpy().all()
    assert cols["id"].to_numpy()[-1] == N - 1


def test_same_seed_same_file(tmp_path):
    a = synth_income(tmp_path / "a.parquet", rows=5000, rank_corr=0.3, seed=3,
                     chunk_rows=1000, areas=4, area_sd=0.2, progress=False)
    b = synth_income(tmp_path / "b.parquet", rows=5000, rank_corr=0.3, seed=3,
                     chunk_rows=1000, areas=4, area_sd=0.2, progress=False)
    c = synth_income(tmp_path / "c.parquet", rows=5000, rank_corr=0.3, seed=4,
                     chunk_rows=1000, areas=4, area_sd=0.2, progress=False)
    ta, tb, tc = (pq.read_table(x.path) for x in (a, b, c))
    assert ta.equals(tb) and not ta.equals(tc)
    assert a.truth.area_effects == b.truth.area_effects


def test_recovers_rank_slope(estimate, population):
    # Spearman's ρ̂_S under a normal copula has SE ≈ √1.06·(1 − ρ_S²)/√n (Fieller, Hartley
    # & Pearson 1957): 1.03·0.8775/447 ≈ 0.0020 at n = 200 000; weights in {½, 1, 2}
    # inflate it by √(E w²)/E w ≈ 1.2 (Kish) → SE ≈ 0.0024. Tolerance 4 SE.
    se = math.sqrt(1.06) * (1 - RHO_S**2) / math.sqrt(N) * 1.2
    assert estimate.rank_slope == pytest.approx(population.truth.rank_slope, abs=4 * se)
    # the reported robust SE is of the same size
    assert 0.5 * se < estimate.rank_slope_se < 2 * se


def test_recovers_ige(estimate, population):
    # OLS slope SE = σ_c√(1 − ρ²)/(σ_p√n) = 0.7·0.931/(0.6·447) ≈ 0.0024, ×1.2 for the
    # weights → tolerance 4 SE ≈ 0.012
    t = population.truth
    se = t.child_sd_log * math.sqrt(1 - t.pearson_rho**2) / (t.parent_sd_log * math.sqrt(N))
    assert estimate.ige == pytest.approx(t.ige, abs=4 * 1.2 * se)


def test_recovers_transition_cells_and_absolute_mobility(estimate, population):
    t = population.truth
    # a cell of the quintile matrix is a share among n/5 parents: binomial SE
    # √(p(1 − p)/(n/5)) (≤ 0.0024 here) ×1.2 for the weights; tolerance 4 SE
    P = np.asarray(t.quintile_matrix)
    se = np.sqrt(P * (1 - P) / (N / 5)) * 1.2
    assert np.all(np.abs(estimate.quintiles.matrix - P) < 4 * se)
    assert estimate.p_top_given_bottom == pytest.approx(t.p_top_given_bottom,
                                                        abs=4 * se[0, 4])
    # absolute mobility is a share of n: SE √(p(1 − p)/n) ≈ 0.0011, ×1.2; tolerance 4 SE
    p = t.absolute_mobility
    assert estimate.absolute_mobility == pytest.approx(
        p, abs=4 * 1.2 * math.sqrt(p * (1 - p) / N))


def test_truth_formulas_against_a_large_direct_draw():
    # independent check of the closed forms: simulate the copula directly with numpy
    rng = np.random.default_rng(0)
    rho = pearson_from_spearman(0.5)
    z1 = rng.standard_normal(400_000)
    z2 = rho * z1 + math.sqrt(1 - rho**2) * rng.standard_normal(400_000)
    assert stats.spearmanr(z1[:100_000], z2[:100_000]).statistic == pytest.approx(0.5,
                                                                                  abs=0.01)
    q1 = z1 < stats.norm.ppf(0.2)
    top = z2 > stats.norm.ppf(0.8)
    assert (top & q1).sum() / q1.sum() == pytest.approx(normal_quantile_matrix(rho, 5)[0, 4],
                                                        abs=0.005)


@pytest.mark.parametrize("kwargs,match", [
    (dict(rows=0, rank_corr=0.3), "rows"),
    (dict(rows=10, rank_corr=1.0), "rank correlation"),
    (dict(rows=10, rank_corr=0.3, areas=-1), "areas"),
])
def test_bad_arguments(tmp_path, kwargs, match):
    with pytest.raises(InputError, match=match):
        synth_income(tmp_path / "x.parquet", progress=False, **kwargs)
    assert not (tmp_path / "x.parquet").exists()
