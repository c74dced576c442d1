"""Representation, response rates, class ceiling and targets against hand computations."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy.optimize import brentq

from socmob.workforce.measures import (
    class_ceiling,
    load_benchmark,
    odds_ratio_woolf,
    representation,
    response_rates,
    target_progress,
    wilson_interval_counts,
)


def test_wilson_interval_counts_newcombe_1998():
    # Newcombe (1998) Stat Med 17:857-872, Table I, method 3 (Wilson score):
    # 81/263 → 0.2553 to 0.3662; 15/148 → 0.0624 to 0.1605.
    lo, hi = wilson_interval_counts(81, 263)
    assert (float(lo), float(hi)) == pytest.approx((0.2553, 0.3662), abs=1e-4)
    lo, hi = wilson_interval_counts(15, 148)
    assert (float(lo), float(hi)) == pytest.approx((0.0624, 0.1605), abs=1e-4)


def test_woolf_odds_ratio():
    # [[10, 20], [30, 15]]: OR = 10·15/(20·30) = 0.25; SE(log OR) = √(1/10+1/20+1/30+1/15)
    # = √0.25 = 0.5; 95 % CI = 0.25·exp(±1.959964·0.5) = (0.09383, 0.66610)
    est, lo, hi = odds_ratio_woolf(10, 20, 30, 15)
    assert est == pytest.approx(0.25)
    assert lo == pytest.approx(0.25 * np.exp(-1.959964 * 0.5), rel=1e-6)
    assert hi == pytest.approx(0.25 * np.exp(1.959964 * 0.5), rel=1e-6)


def _frame():
    # grade A (entry): 6 professional, 2 intermediate, 8 lower, 2 missing, 2 excluded
    # grade B (senior): 8 professional, 1 intermediate, 1 lower, 1 missing
    seb = (["professional"] * 6 + ["intermediate"] * 2 + ["lower"] * 8 + ["missing"] * 2
           + ["excluded"] * 2 + ["professional"] * 8 + ["intermediate", "lower", "missing"])
    grade = ["A"] * 20 + ["B"] * 11
    return pd.DataFrame({
        "seb": seb,
        "grade": pd.Categorical(grade, categories=["A", "B"], ordered=True),
        "senior": [g == "B" for g in grade],
    })


def test_response_rates():
    t = response_rates(_frame()).table.set_index("measure")
    # 31 employees, 3 blank → 28 answered; 2 excluded → 26 classifiable
    assert t.loc["answered", "count"] == 28 and t.loc["answered", "n"] == 31
    assert t.loc["answered", "rate"] == pytest.approx(28 / 31)
    assert t.loc["classifiable", "count"] == 26
    assert bool(t.loc["answered", "meets_target"])  # 90 % ≥ 70 %
    tidy_rows = response_rates(_frame(), by="grade").to_frame()
    row = tidy_rows[(tidy_rows.group == "B") & (tidy_rows.measure == "answered_rate")].iloc[0]
    assert row["value"] == pytest.approx(100 * 10 / 11) and row["n"] == 11  # grade B


def test_representation_against_benchmark():
    rep = representation(_frame(), by="grade")
    t = rep.table.set_index(["level", "seb"])
    # grade A: 16 classifiable, 8 lower → 50 %; benchmark 39 % → index 50/39·100 = 128.2
    assert t.loc[("A", "lower"), "share"] == pytest.approx(0.5)
    assert t.loc[("A", "lower"), "index"] == pytest.approx(50 / 39 * 100)
    assert t.loc[("B", "professional"), "share"] == pytest.approx(0.8)
    assert rep.counts.loc["A"].tolist() == [6, 2, 8]
    b = load_benchmark()
    assert b.shares == {"professional": 0.37, "intermediate": 0.24, "lower": 0.39}
    assert "Labour Force Survey" in b.survey


def test_class_ceiling_gradient_and_odds():
    cc = class_ceiling(_frame())
    # lower share: senior grade B 1/10 = 10 %, entry grade A 8/16 = 50 % → −40 pp
    assert cc.seniority_gap_pp == pytest.approx(-40.0)
    odds = cc.senior_odds.set_index("seb")
    # lower: senior 1, not senior 8; professional: senior 8, not senior 6
    # OR = (1·6)/(8·8) = 0.09375
    assert odds.loc["lower", "or"] == pytest.approx(6 / 64)
    assert cc.promotion is None


def test_time_to_promotion_kaplan_meier_and_cox():
    snap = pd.Timestamp("2025-04-05")
    hire = pd.Timestamp("2015-04-05")
    # professional: promoted after 1, 2, 3, 4 years (all events) → KM S(t) = .75, .5, …
    # → median 2 years. lower: promoted after 3 and 6 years, two censored at 10 years.
    # KM for lower: S = 3/4 after t=3, 3/4·2/3 = 1/2 after t=6 → median 6 years.
    days = {"professional": [1, 2, 3, 4], "lower": [3, 6, None, None]}
    rows = []
    for g, ys in days.items():
        for y in ys:
            promo = hire + pd.Timedelta(days=round(365.25 * y)) if y else pd.NaT
            rows.append({"seb": g, "hire_date": hire, "promotion_date": promo,
                         "snapshot_date": snap})
    df = pd.DataFrame(rows)
    df["grade"] = pd.Categorical(["A"] * len(df), categories=["A", "B"], ordered=True)
    df["senior"] = False
    p = class_ceiling(df).promotion.set_index("seb")
    assert p.loc["professional", "km_median_years"] == pytest.approx(2.0, abs=0.01)
    assert p.loc["lower", "km_median_years"] == pytest.approx(6.0, abs=0.01)
    assert p.loc["lower", "rate"] == pytest.approx(0.5)
    assert p.loc["lower", "hazard_ratio"] < 1  # promoted more slowly than the reference
    # Cox model with Breslow ties, written out: x = 1 for lower background; the partial
    # likelihood score is Σ_events [x_i − Σ_{R(t_i)} x_j e^{β x_j} / Σ_{R(t_i)} e^{β x_j}],
    # risk set R(t) = everyone with time ≥ t. Event times (years): professional 1, 2, 3, 4;
    # lower 3, 6; lower censored at 10, 10. Solve score(β) = 0 by bisection.
    times = np.array([1, 2, 3, 4, 3, 6, 10, 10], dtype=float)
    event = np.array([1, 1, 1, 1, 1, 1, 0, 0], dtype=bool)
    x = np.array([0, 0, 0, 0, 1, 1, 1, 1], dtype=float)

    def score(beta):
        total = 0.0
        for i in np.nonzero(event)[0]:
            risk = times >= times[i]
            w = np.exp(beta * x[risk])
            total += x[i] - (x[risk] * w).sum() / w.sum()
        return total

    beta = brentq(score, -10, 10, xtol=1e-12)
    assert p.loc["lower", "hazard_ratio"] == pytest.approx(np.exp(beta), rel=1e-5)


def test_target_progress():
    tp = target_progress(_frame(), target=0.5)
    # senior grade B classifiable: 8 P + 1 I + 1 L = 10; intermediate or lower: 2 → 20 %
    assert (tp.count, tp.n) == (2, 10)
    assert tp.share == pytest.approx(0.2)
    assert not tp.met
