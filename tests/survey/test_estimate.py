"""Estimates: labels, missing answers, groups that cannot be estimated, intervals at the
edges, tidy output; and recovery of the known truth of the synthetic barometer."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from socmob.errors import InputError
from socmob.results import ByGroup
from socmob.survey import (
    estimate,
    estimate_items,
    korn_graubard,
    margins_from_frame,
    rake,
    survey_design,
)
from socmob.synth.barometer import synth_barometer


@pytest.fixture(scope="module")
def big():
    made = synth_barometer(20_000, waves=1, seed=11)
    design = survey_design(made.frame, weights="design_weight", strata="stratum", psu="psu",
                           value_labels=made.value_labels,
                           variable_labels=made.variable_labels)
    return made, design, rake(design, margins_from_frame(made.margins)).design


def test_raking_removes_the_nonresponse_bias(big):
    """Response depends on age × sex and background, so design weights alone leave a
    bias that raking to those margins removes: the truth lies within the raked 99.9%
    intervals, and the design-weighted estimate of the agreement gap is off."""
    made, design, raked = big
    truth = made.truth
    misses_unraked = 0
    for q in ("q_parents", "q_equal_opportunities", "q_class_gap"):
        t = truth[q]["2022"]
        m = estimate(raked, q)
        lo, hi = m.conf_int(alpha=0.001).iloc[0]
        assert lo <= t["overall"]["mean"] <= hi, q
        by = estimate(raked, q, statistic="net", by="background")
        for g, r in by.items():
            lo, hi = r.conf_int(alpha=0.001).iloc[0]
            assert lo <= t["background"][g]["net_agreement"] <= hi, (q, g)
        u = estimate(design, q)
        lo, hi = u.conf_int(alpha=0.001).iloc[0]
        misses_unraked += not (lo <= t["overall"]["mean"] <= hi)
    assert misses_unraked >= 1


def test_labels_and_question_wording(big):
    _, _, raked = big
    p = estimate(raked, "q_parents", statistic="proportion")
    assert p.labels[0] == "Strongly disagree" and p.labels[-1] == "Strongly agree"
    assert p.estimate.sum() == pytest.approx(1.0, abs=1e-12)
    assert "who your parents are" in (p.question or "")
    agree = estimate(raked, "q_parents", statistic="proportion",
                     level=["Tend to agree", "Strongly agree"])
    np.testing.assert_allclose(agree.estimate[0], p.estimate[3:].sum(), rtol=1e-12)
    net = estimate(raked, "q_parents", statistic="net")
    assert net.estimate[0] == pytest.approx(p.estimate[3:].sum() - p.estimate[:2].sum())


def test_missing_codes_are_left_out():
    frame = pd.DataFrame({"q": [1, 2, 9, 4, 5, 9], "w": [1.0] * 6})
    design = survey_design(frame, weights="w")
    m = estimate(design, "q", missing=[9])
    assert m.estimate[0] == pytest.approx(3.0) and m.n == 4
    p = estimate(design, "q", statistic="proportion", missing=[9])
    assert p.labels == ("1", "2", "4", "5")


def test_groups_that_cannot_be_estimated_are_named():
    frame = pd.DataFrame({"g": ["a"] * 4 + ["b"] * 2 + ["c"] * 2,
                          "q": [1, 2, 3, 4, np.nan, np.nan, 3, 4],
                          "psu": [1, 2, 3, 4, 5, 6, 7, 7]})
    design = survey_design(frame, psu="psu")
    by = estimate(design, "q", by="g")
    assert isinstance(by, ByGroup) and list(by) == ["a"]
    assert "no respondent answered" in by.not_estimated["b"]
    assert "single PSU" in by.not_estimated["c"]
    tidy = estimate_items(design, ["q"], by="g")
    assert set(tidy["group"]) == {"a", "b", "c"}
    assert tidy.loc[tidy["group"] == "b", "value"].isna().all()


def test_text_item_has_no_mean():
    frame = pd.DataFrame({"q": ["yes", "no", "yes"]})
    design = survey_design(frame)
    with pytest.raises(InputError, match="holds text, so it has no mean score"):
        estimate(design, "q")
    p = estimate(design, "q", statistic="proportion")
    assert p.labels == ("no", "yes")
    np.testing.assert_allclose(p.estimate, [1 / 3, 2 / 3])


def test_interval_at_zero_uses_korn_graubard():
    frame = pd.DataFrame({"q": [1, 1, 1, 2, 2, 2], "psu": [1, 2, 3, 4, 5, 6]})
    design = survey_design(frame, psu="psu")
    p = estimate(design, "q", statistic="proportion")
    assert p.labels == ("1", "2")
    frame2 = frame.assign(q=1)
    p2 = estimate(survey_design(frame2, psu="psu"), "q", statistic="proportion")
    ci = p2.conf_int()
    # p̂ = 1 with SE 0: Clopper–Pearson with n* = n (t ratio 1 as df = n − 1)
    assert ci["upper"].iloc[0] == 1.0
    assert ci["lower"].iloc[0] == pytest.approx(stats.beta.ppf(0.025, 6, 1), rel=1e-12)
    assert "Korn–Graubard" in p2.to_frame()["note"].iloc[0]


def test_korn_graubard_is_clopper_pearson_under_srs():
    """With SE² = p(1 − p)/n and df = n − 1 the Korn–Graubard interval is the exact
    Clopper–Pearson interval of x = np successes."""
    n, x = 50, 12
    p = x / n
    lo, hi = korn_graubard(p, np.sqrt(p * (1 - p) / n), n, n - 1, 0.05)
    assert lo == pytest.approx(stats.beta.ppf(0.025, x, n - x + 1), rel=1e-12)
    assert hi == pytest.approx(stats.beta.ppf(0.975, x + 1, n - x), rel=1e-12)


def test_bad_options():
    design = survey_design(pd.DataFrame({"q": [1, 2, 3, 4]}))
    with pytest.raises(InputError, match="unknown statistic 'median'"):
        estimate(design, "q", statistic="median")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="korn-graubard interval is for proportions"):
        estimate(design, "q", method="korn-graubard")
    with pytest.raises(InputError, match="answer 7 is not an answer to 'q'"):
        estimate(design, "q", statistic="proportion", level=7)
    with pytest.raises(InputError, match="alpha"):
        estimate(design, "q").conf_int(alpha=1.5)


def test_tidy_rows_follow_the_schema(big):
    _, _, raked = big
    frame = estimate_items(raked, ["q_parents", "q_class_gap"], statistic="proportion",
                           by="region")
    assert list(frame.columns[:12]) == ["measure", "area_code", "area_name", "period",
                                        "breakdown", "group", "value", "lci", "uci", "n",
                                        "unit", "note"]
    assert len(frame) == 2 * 12 * 5
    assert (frame["lci"] <= frame["value"]).all() and (frame["value"] <= frame["uci"]).all()
    assert np.isfinite(frame[["value", "lci", "uci", "se"]].to_numpy()).all()
