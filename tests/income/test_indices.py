"""Mobility indices against hand derivations and the Blanden et al. (2005) UK table."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError
from socmob.income import mobility_indices

from ..conftest import RESULTS

HERE = RESULTS / "income"


def test_identity_is_immobile_and_independence_is_mobile():
    # P = I: trace k → Shorrocks 0; eigenvalues all 1 → 1 − |λ₂| = 0; det 1 → 0; no
    # boundaries crossed → Bartholomew 0.
    ident = mobility_indices(np.eye(4))
    assert (ident.shorrocks_prais, ident.eigenvalue, ident.determinant,
            ident.bartholomew) == (0.0, 0.0, 0.0, 0.0)
    # P = J/k: trace 1 → (k−1)/(k−1) = 1; eigenvalues (1, 0, 0, 0) → 1; det 0 → 1;
    # Bartholomew = (1/(k−1))·(1/k)Σᵢ(1/k)Σⱼ|i−j| = (1/3)·(1/16)·20 = 5/12 for k = 4.
    indep = mobility_indices(np.full((4, 4), 0.25))
    assert indep.shorrocks_prais == pytest.approx(1.0)
    assert indep.eigenvalue == pytest.approx(1.0)
    assert indep.determinant == pytest.approx(1.0)
    assert indep.bartholomew == pytest.approx(5 / 12)


def test_two_by_two_hand_derivation():
    # P = [[.7,.3],[.4,.6]]: tr 1.3 → (2−1.3)/1 = 0.7; eigenvalues 1 and tr−1 = 0.3 →
    # 1 − 0.3 = 0.7; det = .42 − .12 = .3 → 1 − .3^(1/1) = 0.7; Bartholomew
    # = ½(.3) + ½(.4) = 0.35.
    idx = mobility_indices([[0.7, 0.3], [0.4, 0.6]])
    assert idx.shorrocks_prais == pytest.approx(0.7)
    assert idx.eigenvalue == pytest.approx(0.7)
    assert idx.determinant == pytest.approx(0.7)
    assert idx.bartholomew == pytest.approx(0.35)
    # with origin shares (0.8, 0.2): 0.8·0.3 + 0.2·0.4 = 0.32
    assert mobility_indices([[0.7, 0.3], [0.4, 0.6]],
                            origin_shares=[0.8, 0.2]).bartholomew == pytest.approx(0.32)


def test_blanden_2005_uk_quartiles():
    # expected_values.json "blanden2005_bcs70_quartiles": rows normalised first
    expected = json.loads((HERE / "expected_values.json").read_text())[
        "blanden2005_bcs70_quartiles"]["derived_after_row_normalisation"]
    table = pd.read_csv(HERE / "blanden2005_bcs70_income_quartile_transition.csv")
    P = table.drop(columns=table.columns[0]).to_numpy()
    with pytest.raises(InputError, match="sums to"):
        mobility_indices(P)
    idx = mobility_indices(P, normalise=True)
    assert idx.shorrocks_prais == pytest.approx(expected["shorrocks_prais"], abs=5e-5)
    assert idx.bartholomew_raw == pytest.approx(expected["bartholomew_raw"], abs=5e-5)
    assert idx.eigenvalue == pytest.approx(expected["one_minus_abs_second_eigenvalue"], abs=5e-5)
    assert idx.determinant == pytest.approx(expected["shorrocks_determinant_index"], abs=5e-5)
    assert idx.immobility_ratio == pytest.approx(expected["immobility_ratio"], abs=5e-5)


@pytest.mark.parametrize("bad,match", [
    ([[1.0, 0.0]], "square"),
    ([[0.5, 0.5], [np.nan, 1.0]], "missing"),
    ([[1.5, -0.5], [0.5, 0.5]], "negative"),
])
def test_bad_matrices(bad, match):
    with pytest.raises(InputError, match=match):
        mobility_indices(bad)


def test_tidy_frame():
    frame = mobility_indices(np.eye(3)).to_frame()
    assert list(frame.columns[:12]) == ["measure", "area_code", "area_name", "period",
                                        "breakdown", "group", "value", "lci", "uci", "n",
                                        "unit", "note"]
    assert "mobility_index_shorrocks_prais" in set(frame["measure"])
