"""Peer groups: distances hand-checked on a four-area example."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError, ModelSpecError, NotFoundError
from socmob.place.peers import (
    compare_with_peers,
    distance_matrix,
    find_peers,
    peers_from_composites,
)

# Four areas on two indicators:  a (0, 0), b (1, 0), c (0, 2), d (3, 4).
# Indicator 1: mean 1, squared deviations 1, 0, 1, 4 → sample variance 6/3 = 2.
# Indicator 2: mean 1.5, squared deviations 2.25, 2.25, 0.25, 6.25 → variance 11/3.
# Covariance: Σ(dev1·dev2)/3 = (1.5 + 0 − 0.5 + 5)/3 = 2, so S = [[2, 2], [2, 11/3]],
# det S = 10/3 and S⁻¹ = (3/10)·[[11/3, −2], [−2, 2]] = [[1.1, −0.6], [−0.6, 0.6]].
DATA = pd.DataFrame({"x1": [0.0, 1.0, 0.0, 3.0], "x2": [0.0, 0.0, 2.0, 4.0]},
                    index=["a", "b", "c", "d"])
NAMES = {"a": "Ayton", "b": "Beeton", "c": "Ceeton", "d": "Deeton"}


def test_standardised_euclidean_by_hand():
    d = distance_matrix(DATA)
    assert d.loc["a", "b"] == pytest.approx(np.sqrt(1 / 2))            # (1/√2)²
    assert d.loc["a", "c"] == pytest.approx(np.sqrt(4 / (11 / 3)))     # (2/√(11/3))²
    assert d.loc["a", "d"] == pytest.approx(np.sqrt(9 / 2 + 16 * 3 / 11))
    assert d.loc["c", "b"] == pytest.approx(np.sqrt(1 / 2 + 12 / 11))
    np.testing.assert_allclose(d.to_numpy(), d.to_numpy().T)
    np.testing.assert_allclose(np.diag(d.to_numpy()), 0)


def test_mahalanobis_by_hand():
    d = distance_matrix(DATA, metric="mahalanobis")
    assert d.loc["a", "b"] == pytest.approx(np.sqrt(1.1))   # δ = (1, 0)
    assert d.loc["a", "c"] == pytest.approx(np.sqrt(2.4))   # δ = (0, 2): 0.6·4
    assert d.loc["a", "d"] == pytest.approx(np.sqrt(5.1))   # 1.1·9 − 2·0.6·12 + 0.6·16
    assert d.loc["b", "c"] == pytest.approx(np.sqrt(5.9))   # δ = (−1, 2): 1.1 + 2.4 + 2.4


def test_weighted_and_plain_euclidean():
    # Weight 4 on x1: d(a, b) = √(4 · 1/2) = √2 > d(a, c) = √(12/11), so c becomes nearest.
    d = distance_matrix(DATA, weights={"x1": 4})
    assert d.loc["a", "b"] == pytest.approx(np.sqrt(2))
    assert find_peers(DATA, "a", k=1, weights={"x1": 4}).ids == ("c",)
    assert distance_matrix(DATA, metric="euclidean").loc["a", "d"] == pytest.approx(5.0)


def test_peers_exclude_the_area_itself_and_are_ordered():
    p = find_peers(DATA, "a", k=2, names=NAMES)
    assert p.ids == ("b", "c")
    assert list(p.peers["rank"]) == [1, 2]
    assert p.peers["distance"].is_monotonic_increasing
    for area in DATA.index:
        assert area not in find_peers(DATA, area, k=3).ids
    assert find_peers(DATA, "deeton", k=1, names=NAMES).area_id == "d"  # by name


def test_compare_with_peers_by_hand():
    p = find_peers(DATA, "a", k=2, names=NAMES)
    values = pd.DataFrame({"ci1": {"a": 0.5, "b": 1.0, "c": -1.0, "d": 9.0}})
    cmp = compare_with_peers(p, values).table.iloc[0]
    # Peers b, c: median 0, range −1 to 1; a (0.5) ranks 2nd of {1.0, 0.5, −1.0}.
    assert cmp["peer_median"] == 0.0 and cmp["peer_min"] == -1.0 and cmp["peer_max"] == 1.0
    assert cmp["rank"] == 2 and cmp["group_size"] == 3
    assert cmp["difference"] == pytest.approx(0.5)


def test_bad_input():
    with pytest.raises(NotFoundError, match="did you mean 'Ayton'"):
        find_peers(DATA, "Aytn", k=1, names=NAMES)
    with pytest.raises(InputError, match="only 3 other areas"):
        find_peers(DATA, "a", k=4)
    with pytest.raises(ModelSpecError, match="does not vary"):
        distance_matrix(DATA.assign(x3=1.0))
    with pytest.raises(ModelSpecError, match="singular"):
        distance_matrix(DATA.assign(x3=DATA["x1"] * 2), metric="mahalanobis")
    with pytest.raises(InputError, match="missing value"):
        distance_matrix(DATA.assign(x2=[0, np.nan, 1, 2]))


def test_peers_from_composites():
    rows = []
    for area, (x1, x2) in DATA.iterrows():
        rows += [("ci1", area, NAMES[area], "2018 to 2024", x1),
                 ("ci1", area, NAMES[area], "2012 to 2017", 0.0),
                 ("ci2", area, NAMES[area], "2018 to 2024", x2),
                 ("ci4", area, NAMES[area], "2021 to 2024", -x1)]
    comp = pd.DataFrame(rows, columns=["index_code", "area_id", "area_name", "period", "z"])
    res = peers_from_composites(comp, "Ayton", on=["ci1", "ci2"], k=2)
    assert res.peers.ids == ("b", "c")
    assert res.peers.periods == {"ci1": "2018 to 2024", "ci2": "2018 to 2024"}
    t = res.table.set_index("index")
    assert t.loc["ci4", "period"] == "2021 to 2024"
    assert t.loc["ci4", "value"] == 0.0 and t.loc["ci4", "rank"] == 1  # b −1, c 0 (tie)
    frame = res.to_frame()
    assert frame["measure"].eq("value_vs_peer_median").all()
    assert "Peers of Ayton" in res.summary()
