"""Class pay gap against hand-computed values (SI 2017/172 definitions).

Fixture (pay period 30 days, 35 hours a week unless stated); hourly pay per reg. 6:
(ordinary + bonus in period) × 7 / days / weekly hours.

    id  seb           ordinary  bonus(period) days hours  hourly                 bonus 12m  full-pay
    p1  professional  3000      0             30   35     3000·7/30/35 = 20.0    1000       yes
    p2  professional  3300      0             30   35     3300·7/30/35 = 22.0    500        yes
    p3  professional  4200      300           30   35     4500·7/30/35 = 30.0    3000       yes
    i1  intermediate  2250      0             30   35     15.0                   600        yes
    i2  intermediate  2700      0             30   35     18.0                   0          yes
    l1  lower         1200      0             28   25     1200·7/28/25 = 12.0    200        yes
    l2  lower         2240      0             28   35     2240·7/28/35 = 16.0    0          yes
    l3  lower         490       0             7    35     490·7/7/35 = 14.0      0          yes
    l4  lower         500       0             30   35     (on leave: excluded)   400        no
    n1  (blank)       3000      0             30   35     20.0                   0          yes
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from socmob.workforce.paygap import (
    class_pay_gap,
    gap_percent,
    hourly_pay,
    quartile_bands,
)

ROWS = [
    ("p1", "professional", 3000, 0, 30, 35, 1000, True),
    ("p2", "professional", 3300, 0, 30, 35, 500, True),
    ("p3", "professional", 4200, 300, 30, 35, 3000, True),
    ("i1", "intermediate", 2250, 0, 30, 35, 600, True),
    ("i2", "intermediate", 2700, 0, 30, 35, 0, True),
    ("l1", "lower", 1200, 0, 28, 25, 200, True),
    ("l2", "lower", 2240, 0, 28, 35, 0, True),
    ("l3", "lower", 490, 0, 7, 35, 0, True),
    ("l4", "lower", 500, 0, 30, 35, 400, False),
    ("n1", None, 3000, 0, 30, 35, 0, True),
]
COLS = ["employee_id", "seb", "ordinary_pay", "bonus_pay", "period_days", "weekly_hours",
        "bonus_12m", "full_pay_relevant"]


@pytest.fixture
def workforce():
    return pd.DataFrame(ROWS, columns=COLS)


def test_hourly_pay_reg6(workforce):
    h = hourly_pay(workforce.ordinary_pay, workforce.bonus_pay, workforce.period_days,
                   workforce.weekly_hours)
    np.testing.assert_allclose(h[:8], [20, 22, 30, 15, 18, 12, 16, 14])


def test_gap_formula():
    assert gap_percent(20.0, 15.0) == pytest.approx(25.0)  # (20-15)/20*100
    assert gap_percent(10.0, 12.0) == pytest.approx(-20.0)


def test_mean_and_median_hourly_gaps(workforce):
    res = class_pay_gap(workforce, n_boot=0)
    # professional 20, 22, 30: mean 24, median 22
    # intermediate 15, 18: mean = median = 16.5; lower 12, 16, 14: mean = median = 14
    h = res.hourly.set_index("seb")
    assert h.loc["professional", "mean"] == pytest.approx(24.0)
    assert h.loc["professional", "median"] == pytest.approx(22.0)
    assert h.loc["lower", "n"] == 3  # l4 is not full-pay relevant
    assert res.gap("mean_hourly", "intermediate") == pytest.approx((24 - 16.5) / 24 * 100)
    assert res.gap("median_hourly", "intermediate") == pytest.approx(25.0)  # (22-16.5)/22
    assert res.gap("mean_hourly", "lower") == pytest.approx(41.6666667)  # (24-14)/24
    assert res.gap("median_hourly", "lower") == pytest.approx(36.3636364)  # (22-14)/22
    # pairwise: intermediate is the reference of the (intermediate, lower) pair
    assert res.gap("mean_hourly", "lower", reference="intermediate") == pytest.approx(
        (16.5 - 14) / 16.5 * 100)
    assert set(res.gaps["comparison"]) == {"vs reference", "pairwise"}


def test_bonus_gaps_over_recipients_only(workforce):
    res = class_pay_gap(workforce, n_boot=0)
    # recipients in the 12 months: professional 1000, 500, 3000 (mean 1500, median 1000);
    # intermediate 600; lower 200 and 400 (l4 is on leave but is a relevant employee):
    # mean = median = 300. Averaging lower over all four (600/4 = 150) would give 90 %.
    assert res.gap("mean_bonus", "intermediate") == pytest.approx(60.0)  # (1500-600)/1500
    assert res.gap("median_bonus", "intermediate") == pytest.approx(40.0)  # (1000-600)/1000
    assert res.gap("mean_bonus", "lower") == pytest.approx(80.0)  # (1500-300)/1500
    assert res.gap("median_bonus", "lower") == pytest.approx(70.0)  # (1000-300)/1000


def test_proportion_paid_bonus(workforce):
    b = class_pay_gap(workforce, n_boot=0).bonus.set_index("seb")
    # professional 3/3, intermediate 1/2, lower 2/4 (all relevant employees)
    assert b.loc["professional", "proportion"] == pytest.approx(100.0)
    assert b.loc["intermediate", "proportion"] == pytest.approx(50.0)
    assert b.loc["lower", "proportion"] == pytest.approx(50.0)
    assert (b.loc["lower", "n_bonus"], b.loc["lower", "n_relevant"]) == (2, 4)


def test_quartiles_keep_not_disclosed(workforce):
    q = class_pay_gap(workforce, n_boot=0).quartiles
    # 9 full-pay employees; cuts at floor(9k/4) = 2, 4, 6 → band sizes 2, 2, 2, 3.
    # Ranked: 12L 14L | 15I 16L | 18I 20P | 20n 22P 30P  (the tied 20s: one professional,
    # one not disclosed, straddle bands 3 and 4; one each side, professional first)
    t = q.pivot(index="band", columns="category", values="count")
    assert t.loc[1].to_dict() == {"professional": 0, "intermediate": 0, "lower": 2,
                                  "not disclosed": 0}
    assert t.loc[2].to_dict() == {"professional": 0, "intermediate": 1, "lower": 1,
                                  "not disclosed": 0}
    assert t.loc[3].to_dict() == {"professional": 1, "intermediate": 1, "lower": 0,
                                  "not disclosed": 0}
    assert t.loc[4].to_dict() == {"professional": 2, "intermediate": 0, "lower": 0,
                                  "not disclosed": 1}
    top = q[(q.band == 4) & (q.category == "not disclosed")].iloc[0]
    assert top["percent"] == pytest.approx(100 / 3)


def test_quartile_tie_rule_two_groups():
    # n = 8, cuts at 2, 4, 6. Four employees tied at 20 (P, P, L, L) occupy ranks 2..5
    # and straddle bands 2 and 3: reg. 13(2) → each band gets 1 P and 1 L (not P, P | L, L).
    pay = [10, 11, 20, 20, 20, 20, 30, 31]
    cat = ["L", "L", "P", "P", "L", "L", "P", "P"]
    band = quartile_bands(pay, cat, categories=["P", "L"])
    assert list(band) == [0, 0, 1, 2, 1, 2, 3, 3]


def test_quartile_tie_rule_k_groups_unequal():
    # n = 12, cuts at 3, 6, 9. Six tied at 20 (4 P, 2 L) occupy ranks 3..8, 3 in band 2
    # and 3 in band 3. P is 4/6 of the tied set → 2 P + 1 L on each side.
    pay = [1, 2, 3] + [20] * 6 + [40, 41, 42]
    cat = ["L", "L", "I", "P", "P", "P", "P", "L", "L", "P", "I", "I"]
    band = quartile_bands(pay, cat, categories=["P", "I", "L"])
    tied = np.array(cat[3:9])
    b = band[3:9]
    assert sorted(tied[b == 1]) == ["L", "P", "P"]
    assert sorted(tied[b == 2]) == ["L", "P", "P"]
    # three categories tied (2 each) across a boundary → one of each per side
    pay = [1, 2, 3] + [20] * 6 + [40, 41, 42]
    cat = ["L", "L", "I", "P", "I", "L", "P", "I", "L", "P", "I", "I"]
    band = quartile_bands(pay, cat, categories=["P", "I", "L"])
    tied = np.array(cat[3:9])
    assert sorted(tied[band[3:9] == 1]) == ["I", "L", "P"]
    assert sorted(tied[band[3:9] == 2]) == ["I", "L", "P"]


def test_band_sizes_when_not_divisible_by_four():
    # n = 10: cuts at floor(10/4)=2, floor(20/4)=5, floor(30/4)=7 → sizes 2, 3, 2, 3
    band = quartile_bands(np.arange(10.0), ["x"] * 10)
    assert np.bincount(band).tolist() == [2, 3, 2, 3]


def test_adjusted_gap_without_controls_is_geometric_mean_ratio(workforce):
    res = class_pay_gap(workforce, n_boot=0, adjust_for=[])
    adj = res.adjusted.table.set_index("group")
    # OLS of log pay on group dummies: β_g = mean log pay of g − mean log pay of reference,
    # so the adjusted gap is (1 − geomean_g / geomean_ref) × 100.
    gm_p = (20 * 22 * 30) ** (1 / 3)
    gm_l = (12 * 16 * 14) ** (1 / 3)
    assert adj.loc["lower", "value"] == pytest.approx((1 - gm_l / gm_p) * 100)
    assert "NOT a statutory" in adj.loc["lower", "note"]
    # interval of β_lower by hand: SE = s·√(1/3 + 1/3), s² the residual variance of log
    # pay around each group's mean over n − 3 = 5 degrees of freedom; t_{0.95, 5} for 90%
    logs = {"professional": np.log([20, 22, 30]), "intermediate": np.log([15, 18]),
            "lower": np.log([12, 16, 14])}
    s2 = sum(((v - v.mean()) ** 2).sum() for v in logs.values()) / 5
    beta = logs["lower"].mean() - logs["professional"].mean()
    half = stats.t.ppf(0.95, 5) * np.sqrt(s2 * (1 / 3 + 1 / 3))
    ci = res.adjusted.conf_int(alpha=0.10)
    assert list(ci.columns) == ["lower", "upper"]
    assert tuple(ci.loc["seb[lower]"]) == pytest.approx((beta - half, beta + half))
    assert (ci.loc["seb[lower]", "upper"] - ci.loc["seb[lower]", "lower"]
            < np.diff(res.adjusted.conf_int(alpha=0.01).loc["seb[lower]"].to_numpy())[0])


def test_adjusted_gap_recovers_a_known_within_grade_gap():
    # Lower-background employees are paid exactly 10 % less than professional ones within
    # each grade, but sit mostly in the low grade: raw gap large, adjusted gap exactly 10 %.
    rows = []
    for grade, base, n_p, n_l in [("A", 10.0, 2, 6), ("B", 20.0, 3, 3), ("C", 40.0, 6, 2)]:
        rows += [("professional", grade, base)] * n_p + [("lower", grade, 0.9 * base)] * n_l
    df = pd.DataFrame(rows, columns=["seb", "grade", "hourly_pay"])
    df["full_pay_relevant"] = True
    df["bonus_12m"] = 0.0
    res = class_pay_gap(df, groups=["professional", "lower"], n_boot=0, adjust_for=["grade"])
    assert res.adjusted.table.iloc[0]["value"] == pytest.approx(10.0)
    assert res.gap("mean_hourly", "lower") > 30


def test_bootstrap_interval_brackets_estimate_and_is_seeded(workforce):
    big = pd.concat([workforce] * 5, ignore_index=True)
    a = class_pay_gap(big, n_boot=200, seed=3)
    b = class_pay_gap(big, n_boot=200, seed=3)
    pd.testing.assert_frame_equal(a.gaps, b.gaps)
    row = a.gaps[(a.gaps.measure == "mean_hourly") & (a.gaps.group == "lower")
                 & (a.gaps.reference == "professional")].iloc[0]
    assert row.lci <= row.value <= row.uci
    assert row.lci > 0  # lower-background employees clearly paid less in this fixture


def test_pay_gap_within_grades(workforce):
    from socmob.results import ByGroup
    from socmob.workforce.paygap import pay_gap_by

    # grade X: p1 20, p2 22 (median 21), i1 15, l1 12; grade Y: p3 30, i2 18, l2 16, l3 14
    # (n1 has no background; l4 is not full-pay relevant).
    workforce["grade"] = ["X", "X", "Y", "X", "Y", "X", "Y", "Y", "Y", "X"]
    g = pay_gap_by(workforce, "grade")
    assert isinstance(g, ByGroup) and g.by == "grade" and list(g) == ["X", "Y"]
    assert g["X"].gap("median_hourly", "intermediate") == pytest.approx((21 - 15) / 21 * 100)
    assert g["X"].gap("median_hourly", "lower") == pytest.approx((21 - 12) / 21 * 100)
    assert g["Y"].gap("median_hourly", "intermediate") == pytest.approx(40.0)  # (30-18)/30
    assert g["Y"].gap("mean_hourly", "lower") == pytest.approx(50.0)  # (30-15)/30
    # a level without employees is named, not dropped
    workforce["grade"] = pd.Categorical(workforce["grade"], categories=["X", "Y", "Z"])
    assert pay_gap_by(workforce, "grade").not_estimated == {"Z": "no employees in this grade"}


@settings(max_examples=150, deadline=None)
@given(
    pay=st.lists(st.integers(1, 6), min_size=4, max_size=60),
    seed=st.integers(0, 10_000),
)
def test_quartile_bands_properties(pay, seed):
    """Bands are monotone in pay, sizes differ by at most one, and within every set of
    tied employees each category's count in a band is within one of its proportional
    share (reg. 13(2) generalised to k categories)."""
    rng = np.random.default_rng(seed)
    cats = rng.choice(["P", "I", "L", "n"], size=len(pay)).tolist()
    band = quartile_bands(pay, cats, categories=["P", "I", "L", "n"])
    pay_a, cat_a = np.asarray(pay), np.asarray(cats)
    sizes = np.bincount(band, minlength=4)
    assert sizes.sum() == len(pay) and sizes.max() - sizes.min() <= 1
    for k in range(3):  # everyone in a lower band is paid no more than anyone above it
        if sizes[k] and sizes[k + 1:].sum():
            assert pay_a[band == k].max() <= pay_a[band > k].min()
    for value in np.unique(pay_a):
        tied = pay_a == value
        m = tied.sum()
        for k in np.unique(band[tied]):
            side = (tied & (band == k)).sum()
            for c in np.unique(cat_a[tied]):
                share = (tied & (cat_a == c)).sum() * side / m
                got = (tied & (cat_a == c) & (band == k)).sum()
                assert abs(got - share) < 1 + 1e-9
