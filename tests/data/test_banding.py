"""The SMC banding rules (socmob.place.banding) against every published SoN 2025 row.

Reference: the published SoN 2025 composite files (smc-son ``son25/2025-01-01-ci{1..4}-
full-dataset.csv``, embedded as ``socmob.data.composites()``): z-scores to 3 dp and the
explorer's 7-level category.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob import data
from socmob.errors import InputError
from socmob.place import banding


def test_every_published_2025_band_follows_the_rule() -> None:
    comp = data.composites(edition=2025)
    assert len(comp) == 2870  # 205 areas × (3 indices × 4 periods + 2 periods)
    rule = banding.band_2025(comp["z"])
    mismatch = comp[rule != comp["band"].to_numpy()]
    assert mismatch.empty, mismatch.head().to_string()
    labels = banding.band_label_2025(comp["band"])
    assert (labels == comp["band_label"].to_numpy()).all()


def test_cut_point_sides() -> None:
    # Published rows exactly on ±0.5 (3 dp): z = -0.500 is band 3, z = 0.500 is band 5.
    comp = data.composites(edition=2025)
    on_cut = comp[np.isclose(comp["z"].abs(), 0.5)]
    assert len(on_cut) == 3
    assert dict(zip(on_cut["z"], on_cut["band"], strict=False)) == {-0.5: 3, 0.5: 5}
    # hand-derived from the rule: each cut-point belongs to the band farther from zero
    z = [-2.0, -1.5, -1.4999, -1.0, -0.9999, -0.5, -0.4999, 0.0, 0.4999, 0.5, 0.9999,
         1.0, 1.4999, 1.5, 3.0]
    assert banding.band_2025(z).tolist() == [1, 1, 2, 2, 3, 3, 4, 4, 4, 5, 5, 6, 6, 7, 7]
    assert banding.band_2025(float("nan")).tolist() == [0]


def test_published_z_is_standardised_per_index_and_period() -> None:
    comp = data.composites(edition=2025)
    stats = comp.groupby(["index_code", "period"])["z"].agg(["mean", "std", "count"])
    assert len(stats) == 14
    assert (stats["count"] == 205).all()
    # z is published to 3 dp: rounding moves each value by ≤ 0.0005, so the mean by
    # ≤ 0.0005 and the sample SD by ≤ 0.0005 · sqrt(n/(n-1)) (Minkowski): allow 0.001.
    assert np.allclose(stats["mean"], 0.0, atol=0.001)
    assert np.allclose(stats["std"], 1.0, atol=0.001)


def test_2024_z_is_standardised() -> None:
    comp = data.composites(edition=2024)
    stats = comp.groupby(["index_code", "period"])["z"].agg(["mean", "std", "count"])
    assert (stats["count"] == 203).all()
    assert np.allclose(stats["mean"], 0.0, atol=1e-8)  # published at full precision
    assert np.allclose(stats["std"], 1.0, atol=1e-8)
    assert set(comp["band_label"]) == set(banding.GROUP_LABELS_2024)


def test_restandardise_hand_derived() -> None:
    # x = 1, 2, 3, 4: mean 2.5, sample SD sqrt(5/3) = 1.2909944
    frame = pd.DataFrame({"index_code": ["a"] * 4 + ["b"] * 2, "period": "p",
                          "x": [1.0, 2.0, 3.0, 4.0, 10.0, 10.0]})
    out = banding.restandardise(frame, value="x")
    s = (5 / 3) ** 0.5
    assert out["z"].iloc[:4].tolist() == pytest.approx([-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s])
    assert out["z"].iloc[4:].isna().all()  # no spread
    assert "z" not in frame.columns  # input untouched


def test_restandardise_recovers_published_z() -> None:
    comp = data.composites(edition=2025)
    again = banding.restandardise(comp)
    assert np.allclose(again["z"], comp["z"], atol=0.002)


def test_minmax_composite_hand_derived() -> None:
    frame = pd.DataFrame({"a": [0.0, 5.0, 10.0], "b": [2.0, 4.0, 3.0],
                          "c": [1.0, 3.0, 2.0]})
    # a → 0, .5, 1; b → 0, 1, .5; c (higher is worse) → 1 - (0, 1, .5) = 1, 0, .5
    score = banding.minmax_composite(frame, indicators=["a", "b", "c"],
                                     higher_is_better={"c": False})
    assert score.tolist() == pytest.approx([1 / 3, 0.5, 2 / 3])
    with pytest.raises(InputError):
        banding.minmax_composite(pd.DataFrame({"a": [1.0, 1.0]}), indicators=["a"])


def test_son23_scores_lie_in_unit_interval() -> None:
    for code in ("son23_ci1", "son23_ci2", "son23_ci3", "son23_ci4", "son23_ci5"):
        scores = data.load(code)["value"]
        assert len(scores) == 41
        assert scores.between(0.0, 1.0).all()


def test_packaged_composites_equal_published_rows() -> None:
    # tests/results/data/son25_composites_sample.csv: rows copied verbatim from the SoN
    # 2025 ci1–ci4 files (see SOURCE.md there)
    from pathlib import Path

    path = Path(__file__).resolve().parents[1] / "results" / "data" / \
        "son25_composites_sample.csv"
    published = pd.read_csv(path)
    assert len(published) == 3 * 14
    comp = data.composites(edition=2025).set_index(["area_name", "index_code", "period"])
    for row in published.itertuples(index=False):
        got = comp.loc[(row.area_name, row.measure_code, row.time_period)]
        assert got["z"] == pytest.approx(row.value, abs=1e-12)
        assert got["index_title"] == row.measure_title
        assert got["band_label"].lower().replace("least ", "most un") == \
            row.secondary_split_value.lower()
        assert got["band"] == banding.band_2025(row.value)[0]


def test_band_rule_properties() -> None:
    from hypothesis import given
    from hypothesis import strategies as st

    finite = st.floats(min_value=-10, max_value=10, allow_nan=False)

    @given(finite, finite)
    def check(a: float, b: float) -> None:
        ba, bb = banding.band_2025([a, b])
        assert 1 <= ba <= 7
        assert banding.band_2025(-a)[0] == 8 - ba  # symmetric about zero
        if a <= b:
            assert ba <= bb  # monotone in z

    check()
