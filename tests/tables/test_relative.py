"""Odds ratios and the Altham index.

References: hand derivations (written out below), base-R values for the Glass, Hauser
and Yamaguchi tables (tests/results/tables/classic_tables.R: local and corner log odds
ratios, Woolf SE, brute-force Altham index and US-UK Altham distance), and the R
descriptives of Hazelrigg & Garnier (1976).
"""

from __future__ import annotations

import importlib.util
import itertools
import math
from pathlib import Path

import numpy as np
import pytest

from socmob.errors import InputError, NotFoundError
from socmob.tables import (
    MobilityTable,
    altham_index,
    corner_odds_ratio,
    local_odds_ratios,
    odds_ratio,
)

_spec = importlib.util.spec_from_file_location(
    "tables_refs", Path(__file__).resolve().parent / "_refs.py"
)
assert _spec and _spec.loader
refs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refs)

#        1   2   3
#   1 [ 10,  5,  5]
#   2 [ 10, 20, 10]
#   3 [  5, 15, 20]
HAND = np.array([[10, 5, 5], [10, 20, 10], [5, 15, 20]], dtype=float)


def test_hand_local_and_corner() -> None:
    t = MobilityTable.from_array(HAND, origin_labels=["a", "b", "c"])
    loc = local_odds_ratios(t)
    # θ11 = 10·20/(5·10) = 4; θ12 = 5·10/(5·20) = 0.5
    # θ21 = 10·15/(20·5) = 1.5; θ22 = 20·20/(10·15) = 8/3
    np.testing.assert_allclose(loc.odds_ratio[0], [[4, 0.5], [1.5, 8 / 3]])
    # Woolf SE of log θ11 = sqrt(1/10 + 1/5 + 1/10 + 1/20) = sqrt(0.45)
    assert loc.se[0, 0, 0] == pytest.approx(math.sqrt(0.45))
    assert loc.origin_pairs == (("a", "b"), ("b", "c"))
    corner = corner_odds_ratio(t)
    # 10·20/(5·5) = 8, SE = sqrt(1/10 + 1/20 + 1/5 + 1/5) = sqrt(0.55)
    assert corner.value() == pytest.approx(8.0)
    assert corner.se[0, 0, 0] == pytest.approx(math.sqrt(0.55))
    # conf_int: a frame of lower and upper, one row per odds ratio (z_0.975 = 1.95996…)
    ci = corner.conf_int()
    assert list(ci.columns) == ["lower", "upper"] and len(ci) == 1
    assert ci.index[0] == ("all", "a / c", "a / c")
    lo, hi = ci.iloc[0]
    assert lo == pytest.approx(8 * math.exp(-1.959963984540054 * math.sqrt(0.55)))
    assert hi == pytest.approx(8 * math.exp(1.959963984540054 * math.sqrt(0.55)))
    # alpha = 0.10: z_0.95 = 1.64485…
    lo90, hi90 = corner.conf_int(alpha=0.10).iloc[0]
    assert lo90 == pytest.approx(8 * math.exp(-1.6448536269514722 * math.sqrt(0.55)))
    assert hi90 == pytest.approx(8 * math.exp(1.6448536269514722 * math.sqrt(0.55)))
    # the four local odds ratios in to_frame order: θ11, θ12, θ21, θ22
    np.testing.assert_allclose(loc.conf_int()["lower"].to_numpy(),
                               loc.to_frame()["lci"].to_numpy())


def test_any_two_by_two_by_label() -> None:
    t = MobilityTable.from_array(HAND, origin_labels=["a", "b", "c"])
    # origins (c, a), destinations (b, c): n_cb n_ac / (n_cc n_ab) = 15·5/(20·5) = 0.75
    r = odds_ratio(t, origins=("c", "a"), destinations=("b", "c"))
    assert r.value() == pytest.approx(0.75)
    with pytest.raises(NotFoundError, match="did you mean 'a'"):
        odds_ratio(t, origins=("A ", "b"), destinations=("a", "b"))
    with pytest.raises(InputError):
        odds_ratio(t, origins=("a", "a"), destinations=("a", "b"))


def test_zero_cells_are_not_reported_unless_corrected() -> None:
    t = MobilityTable.from_array([[4, 0], [2, 6]])
    plain = corner_odds_ratio(t)
    assert np.isnan(plain.log_odds_ratio[0, 0, 0])
    assert "zero cell" in plain.to_frame()["note"].iloc[0]
    # Haldane–Anscombe: (4.5·6.5)/(0.5·2.5) = 29.25/1.25 = 23.4
    fixed = corner_odds_ratio(t, zero_correction=0.5)
    assert fixed.value() == pytest.approx(23.4)
    assert fixed.corrected[0, 0, 0]
    # SE = sqrt(1/4.5 + 1/0.5 + 1/2.5 + 1/6.5)
    assert fixed.se[0, 0, 0] == pytest.approx(math.sqrt(1 / 4.5 + 2 + 0.4 + 1 / 6.5))


def test_structural_zero_gives_undefined_odds_ratio() -> None:
    mask = np.array([[False, True], [False, False]])
    t = MobilityTable.from_array([[4, 0], [2, 6]], structural_zeros=mask)
    assert np.isnan(corner_odds_ratio(t, zero_correction=0.5).log_odds_ratio[0, 0, 0])


def test_altham_two_by_two_is_twice_abs_log_odds_ratio() -> None:
    # For a 2×2 table the only non-zero terms have i≠l and j≠m: 4 ordered pairs, each
    # (± log θ)², so A = sqrt(4 (log θ)²) = 2 |log θ|. Here θ = 8·9/(2·3) = 12.
    t = MobilityTable.from_array([[8, 2], [3, 9]])
    assert altham_index(t).value[0] == pytest.approx(2 * math.log(12))


def _altham_brute(p: np.ndarray, q: np.ndarray | None = None) -> float:
    total = 0.0
    rows, cols = p.shape
    for i, l_ in itertools.product(range(rows), repeat=2):
        for j, m in itertools.product(range(cols), repeat=2):
            term = math.log(p[i, j] * p[l_, m] / (p[i, m] * p[l_, j]))
            if q is not None:
                term -= math.log(q[i, j] * q[l_, m] / (q[i, m] * q[l_, j]))
            total += term * term
    return math.sqrt(total)


def test_altham_matches_brute_force_on_rectangular_table() -> None:
    rng = np.random.default_rng(3)
    p = rng.integers(1, 50, size=(3, 4)).astype(float)
    q = rng.integers(1, 50, size=(3, 4)).astype(float)
    tp, tq = MobilityTable.from_array(p), MobilityTable.from_array(q)
    assert altham_index(tp).value[0] == pytest.approx(_altham_brute(p / p.sum()))
    assert altham_index(tp, tq).value[0] == pytest.approx(_altham_brute(p / p.sum(), q / q.sum()))
    # zero cells: undefined unless a correction is added to every cell
    z = MobilityTable.from_array([[0, 2], [3, 9]])
    assert np.isnan(altham_index(z).value[0])
    assert altham_index(z, zero_correction=0.5).value[0] == pytest.approx(
        2 * abs(math.log(0.5 * 9.5 / (2.5 * 3.5)))
    )


@pytest.mark.parametrize("name", ["glass", "hauser", "yamaguchi"])
def test_classic_tables_against_r(name: str) -> None:
    table = refs.classic_table(name)
    ref = refs.classic_reference(name)
    loc = local_odds_ratios(table)
    corner = corner_odds_ratio(table)
    altham = altham_index(table)
    k = table.n_origin
    for g, layer in enumerate(loc.groups):
        expected = refs.ref_matrix(ref, layer, "local_log_or", k)[: k - 1, : k - 1]
        np.testing.assert_allclose(loc.log_odds_ratio[g], expected, rtol=1e-10)
        assert corner.log_odds_ratio[g, 0, 0] == pytest.approx(
            refs.ref_value(ref, layer, "corner_log_or"), rel=1e-12
        )
        assert corner.se[g, 0, 0] == pytest.approx(
            refs.ref_value(ref, layer, "corner_se"), rel=1e-12
        )
        assert altham.value[g] == pytest.approx(refs.ref_value(ref, layer, "altham"), rel=1e-10)


def test_yamaguchi_us_uk_altham_distance_against_r() -> None:
    t = refs.classic_table("yamaguchi")
    ref = refs.classic_reference("yamaguchi")
    d = altham_index(t.layer("US"), t.layer("UK"))
    assert d.value[0] == pytest.approx(refs.ref_value(ref, "US-UK", "altham_distance"), rel=1e-10)


def test_hazelrigg_garnier_against_r() -> None:
    t = refs.hg_table()
    ref = refs.hg_reference()
    loc = local_odds_ratios(t)
    corner = corner_odds_ratio(t)
    altham = altham_index(t)
    for g, group in enumerate(loc.groups):
        d = ref["pooled_descriptives"] if group == "all" else ref["per_layer"][group]
        ors = d["odds_ratios"]
        if ors["corner_odds_ratio"] is None:
            # R reports nothing for tables with a zero cell (Sweden); so do we
            assert np.isnan(corner.log_odds_ratio[g, 0, 0])
            assert np.isnan(altham.value[g])
            continue
        assert corner.odds_ratio[g, 0, 0] == pytest.approx(ors["corner_odds_ratio"], rel=1e-10)
        assert corner.se[g, 0, 0] == pytest.approx(ors["corner_log_odds_ratio_se_woolf"])
        np.testing.assert_allclose(loc.odds_ratio[g], ors["local_odds_ratios"], rtol=1e-10)
        assert altham.value[g] == pytest.approx(ors["altham_index_vs_independence"], rel=1e-10)


def test_wong_corner_odds_ratio_against_r() -> None:
    t = refs.wong_table()
    ref = refs.wong_reference()
    corner = corner_odds_ratio(t)
    for g, group in enumerate(t.layer_labels):
        ors = ref["per_layer"][group]["odds_ratios"]
        if ors["corner_odds_ratio"] is None:  # a zero corner cell: R reports none, nor do we
            assert np.isnan(corner.log_odds_ratio[g, 0, 0])
            continue
        assert corner.odds_ratio[g, 0, 0] == pytest.approx(ors["corner_odds_ratio"], rel=1e-10)
        assert corner.se[g, 0, 0] == pytest.approx(ors["corner_log_odds_ratio_se_woolf"], rel=1e-10)
