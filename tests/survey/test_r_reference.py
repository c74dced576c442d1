"""socmob.survey against R's survey package (4.1.1) on a stratified, clustered test
survey: weights, means, proportions, net agreement, standard errors, t, logit and
Korn–Graubard intervals, degrees of freedom, group and wave differences with Holm and
Benjamini–Hochberg p-values — under a plain design, after raking, after
post-stratification, with a finite population correction, with each lonely-PSU
treatment, and with jackknife replicate weights (plain and raked). Every number is from
``tests/results/survey/r_reference.R`` (its output ``r_reference.csv``); the standard is
1e-8 relative (absolute below 1e-3).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.survey import compare_groups, compare_waves, estimate

from .conftest import ITEMS, RESULTS, load_reference

TOL = 1e-8
ALL_DESIGNS = ["base", "raked", "poststrat", "fpc", "lonely_certainty", "lonely_remove",
               "lonely_adjust", "jkn", "jkn_raked"]
FULL_DESIGNS = ["base", "raked", "poststrat"]


@pytest.fixture(scope="module")
def ref() -> pd.DataFrame:
    return load_reference(RESULTS / "r_reference.csv")


class Reference:
    def __init__(self, ref: pd.DataFrame, design: str) -> None:
        self.part = ref[ref["design"] == design]

    def __call__(self, statistic, item, by, group, level, quantity) -> float:
        p = self.part
        hit = p[(p["statistic"] == statistic) & (p["item"] == item) & (p["by"] == by)
                & (p["group"] == group) & (p["level"] == level) & (p["quantity"] == quantity)]
        assert len(hit) == 1, (statistic, item, by, group, level, quantity)
        return float(hit["value"].iloc[0])


def close(mine, expected, what=""):
    mine = float(mine)
    assert abs(mine - expected) <= TOL * max(abs(expected), 1e-3), (what, mine, expected)


@pytest.mark.parametrize("label", ["raked", "poststrat", "jkn_raked"])
def test_calibrated_weights(ref, designs, test_survey, label):
    r = ref[(ref["design"] == label) & (ref["statistic"] == "weight")].set_index("group")
    expected = r["value"].loc[test_survey["respondent_id"]].to_numpy()
    np.testing.assert_allclose(designs[label].weights, expected, rtol=1e-10)


@pytest.mark.parametrize("label", ALL_DESIGNS)
def test_overall_estimates(ref, designs, label):
    R = Reference(ref, label)
    des = designs[label]
    close(des.degrees_of_freedom, R("design", "", "", "all", "", "df"))
    for q in ITEMS:
        m = estimate(des, q)
        close(m.estimate[0], R("mean", q, "", "all", "mean", "estimate"), q)
        close(m.se[0], R("mean", q, "", "all", "mean", "se"), q)
        close(m.df, R("mean", q, "", "all", "mean", "df"), q)
        ci = m.conf_int(alpha=0.05)
        close(ci["lower"].iloc[0], R("mean", q, "", "all", "mean", "lower"), q)
        close(ci["upper"].iloc[0], R("mean", q, "", "all", "mean", "upper"), q)
        p = estimate(des, q, statistic="proportion")
        assert p.labels == ("1", "2", "3", "4", "5")
        for level, e, s in zip(p.labels, p.estimate, p.se, strict=True):
            close(e, R("proportion", q, "", "all", level, "estimate"), (q, level))
            close(s, R("proportion", q, "", "all", level, "se"), (q, level))
        n = estimate(des, q, statistic="net")
        close(n.estimate[0], R("net", q, "", "all", "net agreement", "estimate"), q)
        close(n.se[0], R("net", q, "", "all", "net agreement", "se"), q)


@pytest.mark.parametrize("label", ALL_DESIGNS)
@pytest.mark.parametrize(("method", "prefix"), [("logit", "logit"), ("korn-graubard", "kg")])
def test_proportion_intervals(ref, designs, label, method, prefix):
    R = Reference(ref, label)
    for q in ITEMS:
        a = estimate(designs[label], q, statistic="proportion", level=[4, 5], method=method)
        close(a.estimate[0], R("agree", q, "", "all", "4 or 5", "estimate"), q)
        close(a.se[0], R("agree", q, "", "all", "4 or 5", "se"), q)
        ci = a.conf_int(0.05)
        close(ci["lower"].iloc[0], R("agree", q, "", "all", "4 or 5", f"{prefix}_lower"), q)
        close(ci["upper"].iloc[0], R("agree", q, "", "all", "4 or 5", f"{prefix}_upper"), q)
        if label == "base" and prefix == "kg":  # R's own svyciprop(method = "beta")
            close(ci["lower"].iloc[0],
                  R("agree", q, "", "all", "4 or 5", "svyciprop_beta_lower"), q)
            close(ci["upper"].iloc[0],
                  R("agree", q, "", "all", "4 or 5", "svyciprop_beta_upper"), q)


@pytest.mark.parametrize("label", FULL_DESIGNS)
def test_by_group(ref, designs, label):
    R = Reference(ref, label)
    des = designs[label]
    for q in ITEMS:
        by = estimate(des, q, by="background")
        assert sorted(by) == ["Intermediate", "Lower", "Professional"]
        for g, r in by.items():
            close(r.estimate[0], R("mean", q, "background", g, "mean", "estimate"), (q, g))
            close(r.se[0], R("mean", q, "background", g, "mean", "se"), (q, g))
            close(r.df, R("mean", q, "background", g, "mean", "df"), (q, g))
        for method, prefix in (("logit", "logit"), ("korn-graubard", "kg")):
            agree = estimate(des, q, by="background", statistic="proportion", level=[4, 5],
                             method=method)
            for g, r in agree.items():
                ci = r.conf_int()
                close(r.se[0], R("agree", q, "background", g, "4 or 5", "se"), (q, g))
                close(ci["lower"].iloc[0],
                      R("agree", q, "background", g, "4 or 5", f"{prefix}_lower"), (q, g))
                close(ci["upper"].iloc[0],
                      R("agree", q, "background", g, "4 or 5", f"{prefix}_upper"), (q, g))
    regions = estimate(des, "q_parents", statistic="proportion", by="region")
    assert len(regions) == 12 and not regions.not_estimated
    for g, r in regions.items():
        for level, e, s in zip(r.labels, r.estimate, r.se, strict=True):
            close(e, R("proportion", "q_parents", "region", g, level, "estimate"), (g, level))
            close(s, R("proportion", "q_parents", "region", g, level, "se"), (g, level))


@pytest.mark.parametrize("label", FULL_DESIGNS)
def test_group_differences(ref, designs, label):
    R = Reference(ref, label)
    des = designs[label]
    for q in ITEMS:
        for adjust, quantity in (("none", "p"), ("holm", "p_holm"), ("bh", "p_bh")):
            c = compare_groups(des, q, by="background", adjust=adjust)
            assert len(c.difference) == 3
            for a, b, e, s, p in zip(c.first, c.second, c.difference, c.se, c.p_adjusted,
                                     strict=True):
                key = f"{a} - {b}"
                close(e, R("mean_difference", q, "background", key, "mean", "estimate"), key)
                close(s, R("mean_difference", q, "background", key, "mean", "se"), key)
                close(p, R("mean_difference", q, "background", key, "mean", quantity), key)
        c = compare_groups(des, q, by="background", statistic="proportion", level=[4, 5],
                           reference="Professional")
        assert set(c.second) == {"Professional"}
        for a, b, e, s in zip(c.first, c.second, c.difference, c.se, strict=True):
            key = f"{a} - {b}"
            close(e, R("agree_difference", q, "background", key, "4 or 5", "estimate"), key)
            close(s, R("agree_difference", q, "background", key, "4 or 5", "se"), key)


@pytest.mark.parametrize("label", FULL_DESIGNS)
def test_wave_differences(ref, designs, label):
    R = Reference(ref, label)
    des = designs[label]
    for q in ITEMS:
        c = compare_waves(des, q, wave="wave")
        assert c.contrasts == ["2023 − 2022"]
        close(c.difference[0], R("wave_difference", q, "wave", "all", "mean", "estimate"), q)
        close(c.se[0], R("wave_difference", q, "wave", "all", "mean", "se"), q)
        c = compare_waves(des, q, wave="wave", by="background")
        for w, e, s, p in zip(c.within, c.difference, c.se, c.p_adjusted, strict=True):
            close(e, R("wave_difference", q, "background", w, "mean", "estimate"), (q, w))
            close(s, R("wave_difference", q, "background", w, "mean", "se"), (q, w))
            close(p, R("wave_difference", q, "background", w, "mean", "p_holm"), (q, w))


@pytest.mark.parametrize("label", ["jkn", "jkn_raked"])
def test_replicate_designs_by_group(ref, designs, label):
    R = Reference(ref, label)
    for q in ITEMS:
        for g, r in estimate(designs[label], q, by="background").items():
            close(r.estimate[0], R("mean", q, "background", g, "mean", "estimate"), (q, g))
            close(r.se[0], R("mean", q, "background", g, "mean", "se"), (q, g))


def test_lonely_treatments_differ_as_documented(designs):
    """certainty and remove give the lonely stratum no variance; adjust adds its squared
    PSU total, so its standard errors are at least as large."""
    for q in ITEMS:
        se = {k: estimate(designs[f"lonely_{k}"], q).se[0]
              for k in ("certainty", "remove", "adjust")}
        assert se["certainty"] == pytest.approx(se["remove"], rel=1e-14)
        assert se["adjust"] > se["certainty"]
