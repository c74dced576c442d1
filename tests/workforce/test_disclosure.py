"""Disclosure control: primary and complementary suppression, refusal, rounding, and a
reconstruction attack on many random workforces.

The attack is written here independently of the library's own audit: for each published
table it sets up the integer program a reader could solve (unknown cells are non-negative
integers; published cells, row totals, column totals and the grand total are equality
constraints) and asks ``scipy.optimize.milp`` for the minimum and maximum of every
suppressed cell and total. A suppressed quantity is protected if max − min ≥ 1.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.errors import DisclosureError, InputError
from socmob.workforce.disclosure import (
    DisclosurePolicy,
    protect_table,
    publishable_statistic,
    require_respondents,
    round_count,
)


def test_hand_example_primary_and_complementary(attack):
    # Grades × background. Cell (B, lower) = 3 < 10 is primary. Row B then needs a
    # complement: the smallest other cell of row B is (B, intermediate) = 12. Column
    # "lower" needs a complement: smallest other cell is (A, lower) = 15. Row A now has
    # one suppressed cell → its smallest other cell (A, intermediate) = 20, which also
    # gives column "intermediate" its second suppression.
    counts = pd.DataFrame(
        {"professional": [40, 30, 25], "intermediate": [20, 12, 30],
         "lower": [15, 3, 22]},
        index=["A", "B", "C"],
    )
    pt = protect_table(counts)
    st = pt.status
    assert st.loc["B", "lower"] == "primary"
    assert st.loc["B", "intermediate"] == "secondary"
    assert st.loc["A", "lower"] == "secondary"
    assert st.loc["A", "intermediate"] == "secondary"
    assert pt.n_suppressed == 4
    assert pt.row_totals.loc["B"] == 45 and pt.grand_total == 197
    # The 2x2 block {A,B}×{intermediate,lower}: a reader knows the suppressed sums of row
    # A (35), row B (15), column intermediate (32) and column lower (18). With (B, lower) = t:
    # (B, int) = 15 - t, (A, lower) = 18 - t, (A, int) = 17 + t; all ≥ 0 → t ∈ [0, 15].
    res = {(k, i, j): (lo, hi) for k, i, j, lo, hi in attack(pt)}
    assert res[("cell", 1, 2)] == (0, 15)
    assert res[("cell", 0, 0 + 1)] == (17, 32)  # (A, intermediate) = 17 + t
    # published shares only where the cell is published
    shares = pt.shares(axis="row")
    assert np.isnan(shares.loc["B", "lower"])
    assert shares.loc["C", "professional"] == round(25 / 77 * 100)


def test_no_small_cells_means_nothing_suppressed():
    counts = pd.DataFrame([[10, 11], [12, 50]], columns=["x", "y"])
    assert protect_table(counts).n_suppressed == 0


def test_zero_complement_is_not_enough(attack):
    # (0,0)=5 primary. Everything else in its row/col is zero except the totals; the audit
    # must go further (the naive complement, a zero, leaves 5 determined).
    counts = pd.DataFrame([[5, 0, 20], [0, 0, 30], [12, 14, 40]])
    pt = protect_table(counts)
    for kind, _i, _j, lo, hi in attack(pt):
        assert hi - lo >= 1, (kind, lo, hi)


def test_small_margin_is_suppressed_and_protected(attack):
    # Row "B" has only 4 people: the row total is primary-suppressed; without a second
    # suppressed row total it could be derived from the grand total.
    counts = pd.DataFrame({"p": [30, 2, 25], "i": [20, 2, 30], "l": [15, 0, 22]},
                          index=["A", "B", "C"])
    pt = protect_table(counts)
    assert pt.row_status.loc["B"] == "primary"
    for _kind, _i, _j, lo, hi in attack(pt):
        assert hi - lo >= 1


def test_reconstruction_attack_on_random_workforces(attack):
    rng = np.random.default_rng(20240401)
    n_suppressed = n_big_published = n_big = 0
    for _ in range(150):
        r = int(rng.integers(2, 7))
        c = int(rng.integers(2, 5))
        means = rng.choice([2.0, 6.0, 15.0, 40.0], size=(r, c), p=[0.2, 0.2, 0.3, 0.3])
        counts = pd.DataFrame(rng.poisson(means), index=[f"g{i}" for i in range(r)],
                              columns=[f"s{j}" for j in range(c)])
        pt = protect_table(counts)
        values = counts.to_numpy()
        st = pt.status.to_numpy()
        # primary rule: every count in 1..9 is suppressed; zeros and big cells are not
        # primary
        assert ((st == "primary") == ((values > 0) & (values < 10))).all()
        # published numbers are the true ones
        pub = pt.published.to_numpy(float)
        ok = np.isfinite(pub)
        assert (pub[ok] == values[ok]).all()
        # the attack: no suppressed cell or total is determined
        for kind, i, j, lo, hi in attack(pt):
            assert hi - lo >= 1, (counts, kind, i, j, lo, hi)
            n_suppressed += 1
        # tables without small cells are published in full
        if not ((values > 0) & (values < 10)).any():
            assert pt.n_suppressed == 0
        # every secondary suppression shares a row or column with another suppressed cell
        supp = st != "published"
        for i, j in zip(*np.nonzero(st == "secondary"), strict=True):
            assert supp[i].sum() >= 2 or supp[:, j].sum() >= 2
        n_big += int((values >= 10).sum())
        n_big_published += int(((values >= 10) & ok).sum())
    assert n_suppressed > 100  # the loop really exercised suppression
    # non-sensitive cells mostly stay published
    assert n_big_published / n_big > 0.6


def test_refusal_under_fifty():
    with pytest.raises(DisclosureError, match="49 classifiable"):
        require_respondents(49)
    require_respondents(50)
    require_respondents(20, policy=DisclosurePolicy(min_respondents=20))


def test_rounding_and_statistic_rule():
    assert round_count(12, 5) == 10
    assert round_count(12.5, 5) == 15
    assert round_count(13, None) == 13
    pol = DisclosurePolicy(round_to=5)
    counts = pd.DataFrame([[12, 23], [31, 44]])
    pt = protect_table(counts, policy=pol)
    assert pt.published.to_numpy().tolist() == [[10, 25], [30, 45]]
    assert pt.grand_total == 110  # 110 exactly
    assert publishable_statistic(10, 25)
    assert not publishable_statistic(10, 9)


def test_bad_counts_rejected():
    with pytest.raises(InputError):
        protect_table(pd.DataFrame([[1.5, 2]]))
    with pytest.raises(InputError):
        protect_table(pd.DataFrame([[-1, 2]]))


def test_linked_seniority_sums_can_leak_and_are_detected(attack):
    from socmob.workforce.disclosure import linked_sums_safe

    # Grades A-D, senior = {C, D}. In the grade table (B, I) = 5 and (C, I) = 6 are
    # primary; complements (B, L) = 15 and (C, L) = 12 make a protected 2x2 cycle.
    counts = pd.DataFrame({"P": [40, 20, 20, 25], "I": [30, 5, 6, 20], "L": [30, 15, 12, 22]},
                          index=["A", "B", "C", "D"])
    pt = protect_table(counts)
    assert set(zip(*np.nonzero(pt.status.to_numpy() != "published"), strict=True)) == {
        (1, 1), (2, 1), (1, 2), (2, 2)}
    assert all(hi - lo >= 1 for *_k, lo, hi in attack(pt))
    # A seniority table would publish senior I = (C, I) + (D, I) = 6 + 20 = 26 ≥ 10, but
    # (D, I) = 20 is published, so (C, I) = 26 − 20 = 6 would be revealed.
    assert not linked_sums_safe(counts, pt, [(["C", "D"], "I")])
    # Senior professionals are all published cells: no new information.
    assert linked_sums_safe(counts, pt, [(["C", "D"], "P")])
    # Summing over both suppressed rows adds nothing the margins did not already give.
    assert linked_sums_safe(counts, pt, [(["B", "C"], "I")])
