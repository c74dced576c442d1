"""Intervals, differences, trends and multiple comparisons, against hand derivations.

Each expected number is worked out in the test from the published values (quoted
literally from the SoN 2026 release) with the formula written out, not by calling the
code under test.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from socmob.errors import InputError
from socmob.monitor import assess, breakdown, changes, headline
from socmob.monitor.periods import non_overlapping, overlap_correlation
from socmob.monitor.stats import (
    adjust_p_values,
    difference,
    fit_trend,
    se_from_interval,
    wilson_interval_pct,
)
from socmob.periods import Span, parse_period

Z = 1.959963984540054  # Φ⁻¹(0.975)


def test_difference_and_ratio_of_two_independent_estimates() -> None:
    d = difference(30.0, 20.0, 1.0, 2.0)
    se = math.sqrt(1**2 + 2**2)
    assert d.estimate == 10.0
    assert d.se == pytest.approx(se)
    assert (d.lower, d.upper) == pytest.approx((10 - Z * se, 10 + Z * se))
    assert d.p_value == pytest.approx(2 * stats.norm.sf(10 / se))
    se_log = math.sqrt((1 / 30) ** 2 + (2 / 20) ** 2)
    assert d.ratio == 1.5
    assert (d.ratio_lower, d.ratio_upper) == pytest.approx(
        (1.5 * math.exp(-Z * se_log), 1.5 * math.exp(Z * se_log)))
    ci = d.conf_int(alpha=0.10)
    z90 = 1.6448536269514722
    assert ci.loc["difference"].tolist() == pytest.approx([10 - z90 * se, 10 + z90 * se])


def test_gap_in_unemployment_at_25_to_29_by_background_2025() -> None:
    """in32, SoN 2026, 3-year average to 2025: higher professional 2.647 (1.597–4.287),
    lower working 6.267 (4.456–8.855)."""
    se_hp = (4.287 - 1.597) / (2 * Z)
    se_lw = (8.855 - 4.456) / (2 * Z)
    diff = 2.647 - 6.267
    se = math.sqrt(se_hp**2 + se_lw**2)
    ratio = 2.647 / 6.267
    se_log = math.sqrt((se_hp / 2.647) ** 2 + (se_lw / 6.267) ** 2)
    a = assess("in32")
    assert a.gap is not None
    g = a.gap.latest()
    assert g is not None and g.label == "2025"
    assert g.estimate == pytest.approx(diff)
    assert (g.lower, g.upper) == pytest.approx((diff - Z * se, diff + Z * se))
    assert (g.ratio, g.ratio_lower, g.ratio_upper) == pytest.approx(
        (ratio, ratio * math.exp(-Z * se_log), ratio * math.exp(Z * se_log)))
    # lower is better for unemployment: the advantage of the most advantaged is −diff
    assert a.gap.sign == -1
    # the same gap comes out of the breakdown view
    gaps = breakdown("in32").gaps
    row = gaps[(gaps["time"] == "2025") & (gaps["dimension"] == "seb")]
    assert row["difference"].iloc[0] == pytest.approx(diff)


def test_change_between_overlapping_moving_averages() -> None:
    """in21 (NEET, 3-year moving average): 2025 is 14.385 (13.503–15.329), 2024 is 13.856
    (12.951–14.797). The windows 2023–25 and 2022–24 share two of three years, so the
    correlation is 2/3 and the difference is far more precise than if they were
    independent."""
    se_a = (15.329 - 13.503) / (2 * Z)
    se_b = (14.797 - 12.951) / (2 * Z)
    rho = 2 / 3
    se = math.sqrt(se_a**2 + se_b**2 - 2 * rho * se_a * se_b)
    s = headline("in21")
    assert s is not None
    previous, first = changes(s.points)
    assert previous is not None and first is not None
    assert previous.rho == pytest.approx(rho)
    assert previous.estimate == pytest.approx(14.385 - 13.856)
    assert previous.se == pytest.approx(se)
    assert previous.se < math.sqrt(se_a**2 + se_b**2) * 0.6
    assert previous.p_value == pytest.approx(2 * stats.norm.sf(0.529 / se))
    # 2025 against 2016: windows 2023–25 and 2014–16 are disjoint
    assert first.rho == 0
    assert first.label == "2025 vs 2016"


def test_change_of_an_odds_ratio_is_tested_on_the_log_scale() -> None:
    d = difference(4.0, 2.0, 0.1, 0.2, log_scale=True)
    se_log = math.sqrt(0.1**2 + 0.2**2)
    assert d.test_scale == "log ratio"
    assert d.p_value == pytest.approx(2 * stats.norm.sf(math.log(2) / se_log))
    assert d.ratio_lower == pytest.approx(2 * math.exp(-Z * se_log))


def test_standard_error_from_a_published_interval() -> None:
    assert se_from_interval(10.0, 14.0) == pytest.approx(4 / (2 * Z))
    assert se_from_interval(2.666722, 3.035233, log=True) == pytest.approx(
        (math.log(3.035233) - math.log(2.666722)) / (2 * Z))
    assert math.isnan(se_from_interval(float("nan"), 1.0))


def test_wilson_interval_by_hand() -> None:
    p, n = 0.3, 1000
    centre = (p + Z**2 / (2 * n)) / (1 + Z**2 / n)
    half = Z * math.sqrt(p * (1 - p) / n + Z**2 / (4 * n * n)) / (1 + Z**2 / n)
    lo, hi = wilson_interval_pct(30.0, n)
    assert (lo, hi) == pytest.approx((100 * (centre - half), 100 * (centre + half)))
    assert wilson_interval_pct(0.3, n, scale=1.0) == pytest.approx((centre - half,
                                                                     centre + half))
    assert all(math.isnan(v) for v in wilson_interval_pct(30.0, 0))


def test_trend_by_hand_weighted_and_unweighted() -> None:
    x = np.array([0.0, 1.0, 2.0, 3.0, 4.0])
    y = np.array([1.0, 2.2, 2.8, 4.1, 5.2])
    sxx = float(np.sum((x - x.mean()) ** 2))
    slope = float(np.sum((x - x.mean()) * (y - y.mean())) / sxx)
    resid = y - y.mean() - slope * (x - x.mean())
    s2 = float(np.sum(resid**2) / 3)
    ols = fit_trend(x, y)
    assert ols.slope == pytest.approx(slope)
    assert ols.se == pytest.approx(math.sqrt(s2 / sxx))
    assert ols.p_value == pytest.approx(2 * stats.t.sf(slope / math.sqrt(s2 / sxx), 3))
    # equal known standard errors of 0.5: weights 4; s² = 4·RSS/3 ≥ 1 here
    wls = fit_trend(x, y, np.full(5, 0.5))
    assert wls.slope == pytest.approx(slope)
    assert wls.residual_variance == pytest.approx(4 * float(np.sum(resid**2)) / 3)
    assert wls.se == pytest.approx(math.sqrt(max(wls.residual_variance, 1) / (4 * sxx)))
    # standard errors of 5: the points scatter less than their sampling error, so the
    # slope's standard error is the sampling error alone
    wide = fit_trend(x, y, np.full(5, 5.0))
    assert wide.residual_variance < 1
    assert wide.se == pytest.approx(math.sqrt(1 / (sxx / 25)))


def test_trend_needs_enough_points_and_says_why() -> None:
    tr = fit_trend([2014.0, 2015.0], [1.0, 2.0], min_points=3)
    assert not tr.estimated
    assert "2 independent points; a trend needs 3" in tr.reason
    with pytest.raises(InputError, match="alpha"):
        fit_trend([1.0, 2.0, 3.0], [1.0, 2.0, 3.0], alpha=1.5)


def test_holm_and_benjamini_hochberg_by_hand() -> None:
    p = [0.01, 0.04, 0.03, float("nan")]
    # Holm: sorted 0.01, 0.03, 0.04 × (3, 2, 1) = 0.03, 0.06, 0.04 → running max
    assert adjust_p_values(p, method="holm")[:3] == pytest.approx([0.03, 0.06, 0.06])
    # BH: × (3/1, 3/2, 3/3) = 0.03, 0.045, 0.04 → running min from the top
    assert adjust_p_values(p, method="bh")[:3] == pytest.approx([0.03, 0.04, 0.04])
    assert math.isnan(adjust_p_values(p)[3])
    assert adjust_p_values(p, method="none")[:3] == pytest.approx(p[:3])
    with pytest.raises(InputError, match="unknown adjustment"):
        adjust_p_values(p, method="bonferoni")


@pytest.mark.parametrize(("label", "span"), [
    ("2014", Span(2014, 2014)), ("2013/14", Span(2014, 2014)), ("1999/00", Span(2000, 2000)),
    ("2016/20", Span(2016, 2020)), ("1990-99", Span(1990, 1999)), ("2018-22", Span(2018, 2022)),
    ("2014-2025", Span(2014, 2025)), ("2014 to 2016", Span(2014, 2016)), ("SoN 2023", None),
    ("", None), (None, None),
])
def test_period_labels(label: str | None, span: Span | None) -> None:
    assert parse_period(label) == span


def test_overlap_and_non_overlapping_points() -> None:
    ma = [Span(y - 2, y) for y in range(2016, 2026)]
    assert overlap_correlation(ma[-1], ma[-2]) == pytest.approx(2 / 3)
    assert overlap_correlation(ma[-1], ma[-3]) == pytest.approx(1 / 3)
    assert overlap_correlation(ma[-1], ma[-4]) == 0
    kept = [ma[i].end for i in non_overlapping(ma)]
    assert kept == [2016, 2019, 2022, 2025]
    pooled = [Span(2014, 2019), Span(2014, 2025), Span(2020, 2025)]
    assert [pooled[i] for i in non_overlapping(pooled)] == [Span(2014, 2019), Span(2020, 2025)]
    assert overlap_correlation(Span(2014, 2019), Span(2014, 2025)) == pytest.approx(
        6 / math.sqrt(6 * 12))
