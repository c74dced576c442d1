"""Non-response weighting of the background shares by grade, checked by hand.

Raking to one margin is post-stratification: every respondent in grade g gets weight
N_g / n_g (N_g employees, n_g classifiable respondents), so the weighted share of a
background b is  sum_g N_g * p_{b,g} / sum_g N_g  with p_{b,g} its share among grade g's
respondents (Kalton & Flores-Cervantes 2003).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.workforce.summary import weighted_shares, workforce_summary


def _frame(counts: dict[str, dict[str, int]]) -> pd.DataFrame:
    rows = []
    for grade, by_seb in counts.items():
        for seb, k in by_seb.items():
            rows += [{"grade": grade, "seb": seb}] * k
    f = pd.DataFrame(rows)
    f["grade"] = pd.Categorical(f["grade"], categories=list(counts), ordered=True)
    return f


# grade A: 60 employees, 40 answered (20 prof, 8 inter, 12 lower), 20 blank/other
# grade B: 30 employees, 10 answered (7 prof, 2 inter, 1 lower)
# grade C: 10 employees, 8 answered (6 prof, 1 inter, 1 lower), 2 excluded ("other")
COUNTS = {
    "A": {"professional": 20, "intermediate": 8, "lower": 12, "missing": 20},
    "B": {"professional": 7, "intermediate": 2, "lower": 1, "missing": 20},
    "C": {"professional": 6, "intermediate": 1, "lower": 1, "excluded": 2},
}


def test_weighted_shares_equal_post_stratification_by_hand():
    w = weighted_shares(_frame(COUNTS))
    n_total = 60 + 30 + 10
    hand = {
        "professional": (60 * 20 / 40 + 30 * 7 / 10 + 10 * 6 / 8) / n_total,
        "intermediate": (60 * 8 / 40 + 30 * 2 / 10 + 10 * 1 / 8) / n_total,
        "lower": (60 * 12 / 40 + 30 * 1 / 10 + 10 * 1 / 8) / n_total,
    }
    assert w.shares == pytest.approx(hand, rel=1e-12)
    assert sum(w.shares.values()) == pytest.approx(1.0, rel=1e-12)
    # unweighted: 33 of 58 classifiable answers are professional
    assert w.unweighted["professional"] == pytest.approx(33 / 58, rel=1e-12)
    # weights N_g / n_g: 1.5 (A), 3 (B), 1.25 (C); Kish deff = n sum w^2 / (sum w)^2
    weights = np.array([1.5] * 40 + [3.0] * 10 + [1.25] * 8)
    assert sorted(w.weights) == pytest.approx(sorted(weights), rel=1e-12)
    deff = 58 * (weights**2).sum() / weights.sum() ** 2
    assert w.design_effect == pytest.approx(deff, rel=1e-12)
    assert w.effective_n == pytest.approx(58 / deff, rel=1e-12)
    assert w.respondents == 58 and w.unweighted_grades == ()


def test_already_representative_answers_are_not_changed():
    # every grade answered at the same rate: the weights are all equal, deff 1
    same = {"A": {"professional": 10, "lower": 10, "missing": 20},
            "B": {"professional": 5, "lower": 15, "missing": 20}}
    w = weighted_shares(_frame(same))
    assert w.shares == pytest.approx(w.unweighted, rel=1e-12)
    assert w.design_effect == pytest.approx(1.0, rel=1e-12)


def test_pooled_grades_are_one_weighting_class():
    w = weighted_shares(_frame(COUNTS), pool=["B", "C"])
    # B and C pooled: 40 employees, 18 respondents (13 prof, 3 inter, 2 lower)
    hand = (60 * 20 / 40 + 40 * 13 / 18) / 100
    assert w.shares["professional"] == pytest.approx(hand, rel=1e-12)


def test_a_grade_without_answers_is_left_out_and_named():
    counts = {**COUNTS, "D": {"missing": 5}}
    w = weighted_shares(_frame(counts))
    assert w.unweighted_grades == ("D",)
    assert w.shares == pytest.approx(weighted_shares(_frame(COUNTS)).shares, rel=1e-12)


def test_the_report_marks_weighted_shares_and_is_unweighted_by_default(synthetic_hr):
    plain = workforce_summary(synthetic_hr, n_boot=20, view="internal")
    assert "representation_weighted" not in {t.key for t in plain.tables}
    assert "weighted" not in plain.headline
    s = workforce_summary(synthetic_hr, n_boot=20, view="internal", weight_by_grade=True)
    table = s.table("representation_weighted")
    assert "WEIGHTED" in table.caption and "design effect" in table.note
    hand = weighted_shares(synthetic_hr.frame)
    for g in ("professional", "intermediate", "lower"):
        assert table.frame.loc[g, "Weighted share (%)"] == pytest.approx(100 * hand.shares[g])
    assert s.headline["weighted"]["design_effect"] == pytest.approx(hand.design_effect)
