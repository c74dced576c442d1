"""Spatial statistics: hand-derived values on a 2 × 3 grid of squares, and the 205-area
SMC map checked against esda and an independent numpy formula."""

from __future__ import annotations

import itertools
from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError, NotFoundError
from socmob.place import spatial
from socmob.place.spatial import (
    adjust_pvalues,
    contiguity_weights,
    getis_ord,
    global_moran,
    index_values,
    local_moran,
    weights_from_neighbours,
)

gpd = pytest.importorskip("geopandas")
shapely = pytest.importorskip("shapely")

# --------------------------------------------------------------------------------------
# The toy map: six unit squares
#
#     A B C
#     D E F
#
# Rook neighbours (shared edge): A{B,D} B{A,C,E} C{B,F} D{A,E} E{B,D,F} F{C,E}.
# Queen adds the diagonals: A–E, B–D, B–F, C–E.
# Values y = A 7, B 4, C 1, D 5, E 2, F −1:  ȳ = 3, z = y − ȳ = (4, 1, −2, 2, −1, −4),
# zᵀz = 16 + 1 + 4 + 4 + 1 + 16 = 42.
# --------------------------------------------------------------------------------------
IDS = ["A", "B", "C", "D", "E", "F"]
Y = np.array([7.0, 4.0, 1.0, 5.0, 2.0, -1.0])
ROOK = {"A": ["B", "D"], "B": ["A", "C", "E"], "C": ["B", "F"], "D": ["A", "E"],
        "E": ["B", "D", "F"], "F": ["C", "E"]}


def _grid(holes: bool = False) -> gpd.GeoDataFrame:
    cells = {"A": (0, 1), "B": (1, 1), "C": (2, 1), "D": (0, 0), "E": (1, 0), "F": (2, 0)}
    geoms = [shapely.box(x, y, x + 1, y + 1) for x, y in cells.values()]
    return gpd.GeoDataFrame({"area_id": IDS, "area_name": [f"Area {i}" for i in IDS]},
                            geometry=geoms, crs="EPSG:27700")


@pytest.fixture(scope="module")
def rook() -> spatial.AreaWeights:
    return contiguity_weights(_grid(), kind="rook", projected_crs=27700)


def test_rook_and_queen_neighbours_of_the_grid(rook):
    assert {k: set(v) for k, v in rook.neighbours.items()} == {k: set(v) for k, v in ROOK.items()}
    queen = contiguity_weights(_grid(), kind="queen", projected_crs=27700)
    assert set(queen.neighbours["A"]) == {"B", "D", "E"}
    assert set(queen.neighbours["B"]) == {"A", "C", "D", "E", "F"}
    assert queen.islands == ()


def test_row_standardised_matrix_written_out(rook):
    h, t = 1 / 2, 1 / 3
    expected = np.array([
        # A  B  C  D  E  F
        [0, h, 0, h, 0, 0],  # A
        [t, 0, t, 0, t, 0],  # B
        [0, h, 0, 0, 0, h],  # C
        [h, 0, 0, 0, h, 0],  # D
        [0, t, 0, t, 0, t],  # E
        [0, 0, h, 0, h, 0],  # F
    ])
    np.testing.assert_allclose(rook.matrix("r"), expected)
    np.testing.assert_allclose(rook.to_w("r").full()[0], expected)


def test_global_moran_by_hand(rook):
    # Spatial lags (Wz)_i: A (1+2)/2 = 3/2, B (4−2−1)/3 = 1/3, C (1−4)/2 = −3/2,
    # D (4−1)/2 = 3/2, E (1+2−4)/3 = −1/3, F (−2−1)/2 = −3/2.
    # zᵀWz = 4·3/2 + 1·1/3 + 2·3/2 + 2·3/2 + 1·1/3 + 4·3/2 = 56/3; S0 = n = 6
    # I = (n/S0)·(zᵀWz)/(zᵀz) = (56/3)/42 = 4/9.
    res = global_moran(pd.Series(Y, index=IDS), rook, permutations=0)
    moran_i = res.I
    assert moran_i == pytest.approx(4 / 9, abs=1e-12)
    assert res.expected == pytest.approx(-1 / 5)
    # Variance under normality (Cliff & Ord 1981):
    # VI = (n²S1 − nS2 + 3S0²)/((n²−1)S0²) − E[I]².
    # S1 = ½Σ(wij+wji)² over ordered pairs = Σ over the 7 links:
    #   A–B (1/2+1/3)² = 25/36, A–D 1, B–C 25/36, B–E (2/3)² = 4/9, C–F 1, D–E 25/36,
    #   E–F 25/36  → S1 = 100/36 + 2 + 16/36 = 47/9.
    # Column sums: A 5/6, B 4/3, C 5/6, D 5/6, E 4/3, F 5/6; row sums 1;
    #   S2 = Σ(1 + colsum)² = 4·(11/6)² + 2·(7/3)² = 73/3.
    # VI = (36·47/9 − 6·73/3 + 108)/(35·36) − 1/25 = 150/1260 − 1/25 = 83/1050.
    s1, s2 = Fraction(47, 9), Fraction(73, 3)
    vi = (36 * s1 - 6 * s2 + 3 * 36) / (35 * 36) - Fraction(1, 25)
    assert vi == Fraction(83, 1050)
    assert res.variance_norm == pytest.approx(float(vi), rel=1e-12)
    assert res.z_norm == pytest.approx((4 / 9 + 1 / 5) / np.sqrt(83 / 1050), rel=1e-12)


def test_global_moran_permutation_p_matches_exact_enumeration(rook):
    # All 6! = 720 permutations enumerated independently of the code under test.
    mat = rook.matrix("r")
    z = Y - Y.mean()
    obs = z @ mat @ z / (z @ z)
    sims = np.array([np.array(p) @ mat @ np.array(p) / (z @ z)
                     for p in itertools.permutations(z)])
    exact_upper = float((sims >= obs - 1e-12).mean())
    res = global_moran(Y, rook, permutations=9999, seed=7)
    assert res.p_sim == pytest.approx(min(exact_upper, 1 - exact_upper), abs=0.015)
    again = global_moran(Y, rook, permutations=9999, seed=7)
    assert again.p_sim == res.p_sim  # same seed, same answer


def test_local_moran_by_hand(rook):
    # esda scaling: I_i = (n−1)·z_i·(Wz)_i / Σz² with z = (y−ȳ)/s; the scale cancels, so
    # I_i = 5·z_i·lag_i/42 with the raw z and lags above:
    # z·lag = (6, 1/3, 3, 3, 1/3, 6) → I = (5/7, 5/126, 5/14, 5/14, 5/126, 5/7).
    res = local_moran(pd.Series(Y, index=IDS), rook, permutations=99, seed=1)
    np.testing.assert_allclose(res.Is, [5 / 7, 5 / 126, 5 / 14, 5 / 14, 5 / 126, 5 / 7],
                               rtol=1e-12)
    # Quadrants: A, B, D high with high lag (1 = HH); C, E, F low with low lag (3 = LL).
    assert list(res.quadrant) == [1, 1, 3, 1, 3, 3]
    assert res.p_sim.min() >= 1 / 100 and res.p_sim.max() <= 1
    frame = res.to_frame()
    assert list(frame["area_code"]) == IDS
    assert set(frame["cluster"]) <= set(spatial.CLUSTER_LABELS.values()) | {"not significant"}


def test_cluster_labels_follow_the_adjusted_p_values(rook):
    res = local_moran(Y, rook, permutations=99, seed=3, correction="bonferroni", alpha=0.5)
    np.testing.assert_allclose(res.p_adjusted, np.minimum(1, 6 * res.p_sim))
    for q, p, label in zip(res.quadrant, res.p_adjusted, res.cluster, strict=True):
        assert label == (spatial.CLUSTER_LABELS[q] if p < 0.5 else "not significant")


def test_getis_ord_gi_star_by_hand(rook):
    # Binary weights with w_ii = 1. x̄ = 3, S² = Σx²/n − x̄² = 96/6 − 9 = 7.
    # A: {A,B,D} Σwx = 7+4+5 = 16, Σw = Σw² = 3:
    #   Z = (16 − 3·3)/(√7·√((6·3 − 9)/5)) = 7/(√7·3/√5) = √35/3.
    # B: {A,B,C,E} Σwx = 14, Σw = 4: Z = (14 − 12)/(√7·√((24 − 16)/5)) = 2/√(56/5).
    res = getis_ord(pd.Series(Y, index=IDS), rook, permutations=0)
    assert res.z[0] == pytest.approx(np.sqrt(35) / 3, rel=1e-12)
    assert res.z[1] == pytest.approx(2 / np.sqrt(56 / 5), rel=1e-12)
    # The general formula, written out independently, for every area:
    b = rook.matrix("b") + np.eye(6)
    xbar, s = Y.mean(), np.sqrt((Y**2).mean() - Y.mean() ** 2)
    wsum, w2 = b.sum(1), (b**2).sum(1)
    z = (b @ Y - xbar * wsum) / (s * np.sqrt((6 * w2 - wsum**2) / 5))
    np.testing.assert_allclose(res.z, z, rtol=1e-12)
    # Without permutations the two-sided normal p decides: 2·(1 − Φ(√35/3)) = 0.0486 < 0.05.
    assert res.p_norm[0] == pytest.approx(0.04858, abs=1e-4)
    assert res.spot[0] == "hot spot"
    assert res.spot[1] == "not significant"


def test_multiple_testing_adjustments_by_hand():
    p = np.array([0.01, 0.04, 0.03, 0.5])
    # Bonferroni: min(1, 4p).
    np.testing.assert_allclose(adjust_pvalues(p, "bonferroni"), [0.04, 0.16, 0.12, 1.0])
    # BH: sorted 0.01, 0.03, 0.04, 0.5 → 4p/j = 0.04, 0.06, 0.0533…, 0.5 → running min
    # from the top: 0.04, 0.0533…, 0.0533…, 0.5 → back in the original order:
    np.testing.assert_allclose(adjust_pvalues(p, "fdr"), [0.04, 0.16 / 3, 0.16 / 3, 0.5])
    np.testing.assert_allclose(adjust_pvalues(p, "none"), p)
    with pytest.raises(InputError):
        adjust_pvalues(p, "holm")  # type: ignore[arg-type]


def test_islands_get_nearest_neighbours():
    # A separate square far to the east has no land neighbour; its nearest centroid is C.
    grid = _grid()
    extra = gpd.GeoDataFrame({"area_id": ["G"], "area_name": ["Island"]},
                             geometry=[shapely.box(5, 1, 6, 2)], crs="EPSG:27700")
    both = pd.concat([grid, extra], ignore_index=True)
    w = contiguity_weights(both, kind="queen", projected_crs=27700)
    assert w.islands == ("G",)
    assert w.island_names == ("Island",)
    assert w.island_links == {"G": ("C",)}
    assert "G" in w.neighbours["C"]  # symmetric
    assert w.n_components() == 1


def test_invalid_polygon_is_repaired():
    # A bow-tie (self-intersecting) polygon for D: invalid until repaired.
    grid = _grid()
    grid.loc[3, "geometry"] = shapely.Polygon([(0, 0), (1, 1), (1, 0), (0, 1)])
    assert not grid.is_valid.all()
    w = contiguity_weights(grid, kind="queen", projected_crs=27700)
    assert "A" in w.neighbours["D"] and "E" in w.neighbours["D"]


def test_explicit_neighbours_and_bad_input():
    w = weights_from_neighbours(ROOK)
    moran_i = global_moran(Y, w, permutations=0).I
    assert moran_i == pytest.approx(4 / 9)
    with pytest.raises(InputError, match="not symmetric"):
        weights_from_neighbours({"A": ["B"], "B": []})
    with pytest.raises(InputError, match="no value"):
        global_moran(pd.Series({"A": 1.0, "B": 2.0}), w)
    with pytest.raises(InputError, match="all values are equal"):
        global_moran(np.ones(6), w)
    with pytest.raises(InputError, match="missing"):
        global_moran(np.array([1, 2, np.nan, 4, 5, 6]), w)


def test_index_values_unknown_index_and_period():
    frame = pd.DataFrame({"index_code": ["ci1", "ci1", "ci4"], "area_id": ["a", "a", "a"],
                          "period": ["2012 to 2017", "2018 to 2024", "2021 to 2024"],
                          "z": [0.1, 0.2, 0.3]})
    s = index_values(frame, index="ci1")
    assert s.attrs["period"] == "2018 to 2024" and s["a"] == 0.2
    with pytest.raises(NotFoundError, match="did you mean 'ci1'"):
        index_values(frame, index="ci11")
    with pytest.raises(NotFoundError, match="2018 to 2024"):
        index_values(frame, index="ci1", period="2018 to 2023")


# --------------------------------------------------------------------------------------
# The SMC 205-area map
# --------------------------------------------------------------------------------------

#: Areas of the SoN 2025 map with no land neighbour (found with queen contiguity on the
#: repaired polygons; the Isles of Scilly are part of the Cornwall area).
ISLANDS = {"Isle of Anglesey", "Isle of Wight", "Na h-Eileanan Siar", "Northern Ireland",
           "Orkney Islands", "Shetland Islands"}


def smc_data() -> tuple[gpd.GeoDataFrame, pd.DataFrame]:
    """The SoN 2025 map and composites from the embedded data (socmob.data)."""
    from socmob.data import boundaries, composites

    return boundaries(), composites(edition=2025)


@pytest.fixture(scope="module")
def smc():
    areas, comp = smc_data()
    return contiguity_weights(areas, kind="queen"), comp


def test_smc_islands_named_and_every_area_has_a_neighbour(smc):
    w, _ = smc
    assert w.n == 205
    assert set(w.island_names) == ISLANDS
    assert min(len(v) for v in w.neighbours.values()) >= 1
    assert all(a in w.neighbours[b] for a in w.ids for b in w.neighbours[a])
    assert w.n_components() == 1
    names = dict(w.names)
    assert names[w.island_links[next(i for i in w.islands
                                     if names[i] == "Isle of Wight")][0]] == "Portsmouth"


def test_smc_moran_matches_esda_and_numpy_formula(smc):
    esda = pytest.importorskip("esda")
    w, comp = smc
    y = index_values(comp, index="ci1", period="2018 to 2024")
    res = global_moran(y, w, permutations=199, seed=1)
    yy = y.reindex(list(w.ids)).to_numpy()
    ref = esda.Moran(yy, w.to_w("r"), permutations=0)
    moran_i = res.I
    assert moran_i == pytest.approx(ref.I, abs=1e-12)
    assert res.z_norm == pytest.approx(ref.z_norm, abs=1e-10)
    # Independent formula: I = (n/S0)·(zᵀWz)/(zᵀz) from a dense row-standardised matrix
    # built directly from the neighbour lists.
    pos = {a: k for k, a in enumerate(w.ids)}
    mat = np.zeros((w.n, w.n))
    for a, nbrs in w.neighbours.items():
        for b in nbrs:
            mat[pos[a], pos[b]] = 1 / len(nbrs)
    z = yy - yy.mean()
    assert moran_i == pytest.approx(w.n / mat.sum() * (z @ mat @ z) / (z @ z), abs=1e-12)
    assert moran_i > 0.3 and res.p_sim == pytest.approx(1 / 200)  # strongly clustered


def test_smc_local_moran_and_gi_star_match_esda(smc):
    esda = pytest.importorskip("esda")
    w, comp = smc
    y = index_values(comp, index="ci4")
    lm = local_moran(y, w, permutations=199, seed=11, correction="fdr")
    yy = y.reindex(list(w.ids)).to_numpy()
    ref = esda.Moran_Local(yy, w.to_w("r"), permutations=199, seed=11, n_jobs=1)
    np.testing.assert_allclose(lm.Is, ref.Is, rtol=1e-12)
    np.testing.assert_allclose(lm.p_sim, ref.p_sim)
    assert lm.period == "2021 to 2024"
    assert "hotspot (high-high)" in lm.counts() and "coldspot (low-low)" in lm.counts()
    g = getis_ord(y, w, permutations=0)
    b = w.matrix("b") + np.eye(w.n)
    n, xbar, s = w.n, yy.mean(), yy.std()
    zz = (b @ yy - xbar * b.sum(1)) / (s * np.sqrt((n * (b**2).sum(1) - b.sum(1) ** 2)
                                                  / (n - 1)))
    np.testing.assert_allclose(g.z, zz, rtol=1e-9)
