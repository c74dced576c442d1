"""Properties of the spatial, expected and peer statistics on random inputs."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from socmob.place.expected import AS_EXPECTED, fit_expected
from socmob.place.peers import find_peers
from socmob.place.spatial import getis_ord, global_moran, local_moran, weights_from_neighbours

# A 3 × 3 rook grid: cell k at (k // 3, k % 3).
CELLS = [f"c{k}" for k in range(9)]
GRID = weights_from_neighbours({
    f"c{k}": [f"c{j}" for j in range(9)
              if abs(j // 3 - k // 3) + abs(j % 3 - k % 3) == 1]
    for k in range(9)
})
values = st.lists(st.floats(-5, 5, allow_nan=False), min_size=9, max_size=9).filter(
    lambda v: np.ptp(v) > 1e-3)


@settings(max_examples=15, deadline=None)
@given(values, st.floats(0.1, 10), st.floats(-10, 10))
def test_moran_and_gi_star_invariant_to_positive_affine_maps(y, scale, shift):
    y = np.array(y)
    base = global_moran(y, GRID, permutations=0)
    moved = global_moran(scale * y + shift, GRID, permutations=0)
    moran_i = base.I
    assert moved.I - moran_i == pytest.approx(0, abs=1e-9)
    np.testing.assert_allclose(getis_ord(scale * y + shift, GRID, permutations=0).z,
                               getis_ord(y, GRID, permutations=0).z, atol=1e-8)
    # Under esda's scaling the local Iᵢ sum to (n − 1)·zᵀWz/zᵀz = (n − 1)·I (S₀ = n).
    lm = local_moran(y, GRID, permutations=0)
    assert lm.Is.sum() == pytest.approx(8 * moran_i, abs=1e-9)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**31 - 1))
def test_verdict_iff_interval_excludes_observed(seed):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=25)
    y = 0.8 * x + rng.standard_t(3, size=25)
    fit = fit_expected(pd.DataFrame({"y": y, "x": x}), outcome="y", predictors=["x"])
    a = fit.areas
    outside = (a["observed"] < a["pi_lower"]) | (a["observed"] > a["pi_upper"])
    assert ((a["verdict"] != AS_EXPECTED) == outside).all()


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 2**31 - 1), st.integers(1, 8))
def test_peer_is_never_self_and_distances_sorted(seed, k):
    rng = np.random.default_rng(seed)
    data = pd.DataFrame(rng.normal(size=(10, 3)), index=[f"a{i}" for i in range(10)])
    for area in data.index:
        p = find_peers(data, area, k=k)
        assert area not in p.ids and len(p.ids) == k
        assert p.peers["distance"].is_monotonic_increasing
