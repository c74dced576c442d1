"""Reproduce the US national figures of Chetty, Hendren, Kline & Saez (2014).

Source: "Where is the Land of Opportunity?", QJE 129(4):1553–1623, Online Data Table I
(national 100×100 centile transition matrix, core sample, 1980–82 cohorts), copied to
``tests/results/income/`` with its provenance in the README there. The matrix is turned into
a weighted population — one row per (parent centile p, child centile c) with weight
P(c | p)/100 — and the estimators run on it. Parent centile p then has mid-rank p − 0.5 and
the pooled zero-income mass (child row 4, 6.1%) gets one mid-rank, 3.35: the paper's
convention (expected_values.json, "child_rank_convention").
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from socmob.income import income_mobility, mobility_indices, rank_rank, transition_matrix

from ..conftest import RESULTS

HERE = RESULTS / "income"
EXPECTED = json.loads((HERE / "expected_values.json").read_text())["chetty2014_national"]
PUBLISHED = EXPECTED["published"]
DERIVED = EXPECTED["derived_from_centile_matrix"]


@pytest.fixture(scope="module")
def population() -> pd.DataFrame:
    wide = pd.read_csv(HERE / "chetty2014_national_centile_transition_matrix.csv")
    long = wide.melt(id_vars="child_centile", var_name="par", value_name="p")
    long["parent_centile"] = long["par"].str.removeprefix("par_").astype(int)
    long["weight"] = long["p"] / 100.0
    return long[["parent_centile", "child_centile", "weight"]]


@pytest.fixture(scope="module")
def result(population):
    return income_mobility(population, parent="parent_centile", child="child_centile",
                           weight="weight", progress=False)


def test_rank_rank_slope_matches_published(result):
    # published 0.341 (QJE 2014, section IV.A); derived from Table I: 0.3407
    assert result.rank_slope == pytest.approx(PUBLISHED["rank_rank_slope"], abs=5e-4)
    assert result.rank_slope == pytest.approx(DERIVED["rank_rank_slope"], abs=1e-4)


def test_rank_intercept_and_expected_rank_at_p25(result):
    # derived: intercept 32.96, a + 25·b = 41.48 (expected_values.json)
    assert result.rank_intercept == pytest.approx(DERIVED["rank_rank_intercept_0_100"],
                                                  abs=0.01)
    assert result.expected_rank_p25 == pytest.approx(
        DERIVED["expected_child_rank_at_parent_p25_linear"], abs=0.01)


def test_p_top_given_bottom_matches_published(result):
    # published: P(child Q5 | parent Q1) = 7.5%, P(Q1 | Q1) = 33.7%
    assert result.p_top_given_bottom == pytest.approx(PUBLISHED["p_child_q5_given_parent_q1"],
                                                      abs=5e-4)
    assert result.transition.matrix[0, 0] == pytest.approx(
        PUBLISHED["p_child_q1_given_parent_q1"], abs=5e-4)


def test_quintile_matrix_matches_derived_table(result):
    # the 4-dp matrix in chetty2014_national_quintile_matrix_derived.csv
    table = pd.read_csv(HERE / "chetty2014_national_quintile_matrix_derived.csv")
    expected = table.drop(columns="parent_quintile").to_numpy()
    np.testing.assert_allclose(result.transition.matrix, expected, atol=5.1e-5)
    np.testing.assert_allclose(result.transition.matrix.sum(axis=1), 1.0, atol=1e-12)


@pytest.mark.parametrize("name,key", [
    ("shorrocks_prais", "shorrocks_prais"),
    ("eigenvalue", "one_minus_abs_second_eigenvalue"),
    ("determinant", "shorrocks_determinant_index"),
    ("bartholomew", "bartholomew_normalised_by_k_minus_1"),
])
def test_indices_match_expected_values(result, name, key):
    # expected_values.json, rounded to 4 dp
    assert getattr(result.indices, name) == pytest.approx(DERIVED[key], abs=5e-5)


def test_other_matrix_summaries(result):
    idx = result.indices
    assert idx.bartholomew_raw == pytest.approx(DERIVED["bartholomew_raw_avg_boundaries_crossed"],
                                                abs=5e-5)
    assert idx.immobility_ratio == pytest.approx(DERIVED["immobility_ratio_trace_over_k"],
                                                 abs=5e-5)
    assert idx.upward_share == pytest.approx(DERIVED["upward_share_above_diagonal"], abs=5e-5)
    assert idx.downward_share == pytest.approx(DERIVED["downward_share_below_diagonal"],
                                               abs=5e-5)


def test_single_estimators_agree_with_the_bundle(population, result):
    rr = rank_rank(population, parent="parent_centile", child="child_centile", weight="weight")
    assert rr.slope == pytest.approx(result.rank_slope, rel=1e-12)
    tm = transition_matrix(population, parent="parent_centile", child="child_centile",
                           weight="weight", quantiles=5)
    np.testing.assert_allclose(tm.matrix, result.transition.matrix, rtol=1e-12)
    idx = mobility_indices(tm.matrix)
    assert idx.shorrocks_prais == pytest.approx(result.indices.shorrocks_prais, rel=1e-12)


def test_to_dict_has_exactly_the_issue_keys(result):
    d = result.to_dict()
    assert list(d) == ["nobs", "ige", "ige_se", "rank_slope", "rank_slope_se",
                       "rank_intercept", "expected_rank_p25", "p_top_given_bottom",
                       "transition_matrix", "absolute_mobility", "indices"]
    assert list(d["indices"]) == ["shorrocks_prais", "eigenvalue", "determinant",
                                  "bartholomew"]
    assert len(d["transition_matrix"]) == 5 and len(d["transition_matrix"][0]) == 5
    json.dumps(d)  # plain JSON types only


def test_centile_matrix_round_trips_with_100_quantiles(population):
    # With k = 100, parent centile p (mid-rank p − 0.5) falls in bin p − 1 and child row c
    # (mid-ranks 0.15, 3.35, 6.7, then c − 0.5) in bin c − 1: the estimator must give back
    # Table I itself, transposed (rows = parent), with zero columns for the child
    # centiles 2, 3, 5, 6 that the source pools into rows 1, 4 and 7.
    tm = transition_matrix(population, parent="parent_centile", child="child_centile",
                           weight="weight", quantiles=100)
    wide = pd.read_csv(HERE / "chetty2014_national_centile_transition_matrix.csv")
    expected = np.zeros((100, 100))
    expected[:, wide["child_centile"].to_numpy() - 1] = wide.drop(
        columns="child_centile").to_numpy().T
    expected /= expected.sum(axis=1, keepdims=True)  # columns of Table I sum to 1 ± 1e-7
    np.testing.assert_allclose(tm.matrix, expected, atol=1e-12)
