"""The health-check rules on constructed series just either side of every threshold
(``health.yaml``: alpha, min_points, min_trend_points), for indicators and for gaps.

The constructed series are exact straight lines with equal known standard errors, so the
trend's standard error is the sampling error alone, ``1/sqrt(Σw(x − x̄)²)``, and its t
statistic can be placed just above or below the critical value by hand.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from socmob.errors import InputError
from socmob.monitor import health
from socmob.monitor.analysis import changes, evidence, gap_between, trend
from socmob.monitor.metadata import GapSpec, Selection
from socmob.monitor.periods import Span
from socmob.monitor.series import Points

RULES = health.rules()
ALPHA = RULES.alpha
MIN_TREND = RULES.min_trend_points


def _points(values: list[float], se: float | None = 1.0, *, start: int = 2015,
            window: int = 1) -> Points:
    n = len(values)
    spans = tuple(Span(start + k - window + 1, start + k) for k in range(n))
    ses = np.full(n, np.nan if se is None else se)
    return Points(series="constructed", labels=tuple(str(s.end) for s in spans), spans=spans,
                  values=np.asarray(values, dtype=float), se=ses, lower=np.full(n, np.nan),
                  upper=np.full(n, np.nan), interval=("published",) * n, scale="level")


def _line_at_p(n: int, p: float, *, sign: int = 1, se: float = 1.0) -> list[float]:
    """A straight line over ``n`` yearly points (standard error ``se`` each) whose trend
    test has two-sided p-value ``p``: slope = t_{n−2}(1 − p/2) / sqrt(Σ(x − x̄)²/se²)."""
    x = np.arange(n, dtype=float)
    sxx = float(np.sum((x - x.mean()) ** 2)) / se**2
    slope = sign * stats.t.ppf(1 - p / 2, n - 2) / math.sqrt(sxx)
    return list(100 + slope * x)


def _status(values: list[float], *, orientation: int = 1, se: float | None = 1.0,
            window: int = 1, neutral: bool = False) -> health.Status:
    p = _points(values, se, window=window)
    tr = trend(p, alpha=ALPHA, min_points=MIN_TREND)
    _, first = changes(p, alpha=ALPHA)
    ev = evidence(p, tr, first, orientation=orientation, min_trend_points=MIN_TREND)
    return health.judge(ev, kind="indicator", neutral=neutral)


@pytest.mark.parametrize(("p", "status"), [(ALPHA * 0.98, "improving"),
                                           (ALPHA * 1.02, "no clear change")])
def test_trend_either_side_of_alpha_rising_is_good(p: float, status: str) -> None:
    result = _status(_line_at_p(6, p))
    assert result.evidence["test"] == "trend"
    assert result.evidence["p"] == pytest.approx(p, rel=1e-6)
    assert result.status == status
    expected_rule = "p < 0.05 and direction > 0" if status == "improving" else "otherwise"
    assert result.rule == expected_rule


@pytest.mark.parametrize(("p", "status"), [(ALPHA * 0.98, "worsening"),
                                           (ALPHA * 1.02, "no clear change")])
def test_trend_either_side_of_alpha_when_lower_is_better(p: float, status: str) -> None:
    assert _status(_line_at_p(6, p), orientation=-1).status == status


def test_falling_and_rising_for_indicators_with_no_good_direction() -> None:
    assert _status(_line_at_p(6, 0.01), neutral=True).status == "rising"
    assert _status(_line_at_p(6, 0.01, sign=-1), neutral=True).status == "falling"


def test_either_side_of_min_trend_points() -> None:
    """Two independent points: the change since the first is the test; three: the trend."""
    two = _status([100.0, 103.0], se=1.0)
    assert two.evidence["test"] == "change since first"
    # 3 / sqrt(2) standard errors apart: p = 0.034
    assert two.evidence["p"] == pytest.approx(2 * stats.norm.sf(3 / math.sqrt(2)))
    assert two.status == "improving"
    three = _status(_line_at_p(MIN_TREND, 0.01))
    assert three.evidence["test"] == "trend"
    assert three.evidence["independent_points"] == MIN_TREND


def test_overlapping_windows_count_as_fewer_independent_points() -> None:
    """Five points of a 3-year moving average are two independent ones: the change
    (allowing for no shared years between the first and last windows) decides."""
    result = _status([100.0, 100.5, 101.0, 101.5, 102.0], window=3)
    assert result.evidence["independent_points"] == 2
    assert result.evidence["test"] == "change since first"


def test_either_side_of_min_points_and_a_missing_test() -> None:
    assert _status([100.0]).status == "one period only"
    assert _status([100.0, 100.0]).status == "no clear change"
    untestable = _status([100.0, 110.0], se=None)
    assert untestable.status == "not testable"
    assert untestable.rule == "p is missing"
    assert math.isnan(untestable.evidence["p"])


def _gap_status(most: list[float], least: list[float], *, sign: int = 1) -> health.Status:
    spec = GapSpec("seb", "Higher professional", "Lower working", Selection("year; seb"))
    g = gap_between("xx", spec, _points(most, 0.5), _points(least, 0.5), sign=sign,
                    alpha=ALPHA, min_points=MIN_TREND)
    # a narrowing gap is good: orientation −1 on the signed gap
    ev = evidence(_points(list(range(len(g.labels)))), g.trend, g.change_first,
                  orientation=-1, min_trend_points=MIN_TREND)
    return health.judge(ev, kind="gap")


@pytest.mark.parametrize(("p", "status"), [(ALPHA * 0.98, "gap narrowing"),
                                           (ALPHA * 1.02, "gap stable")])
def test_gap_either_side_of_alpha(p: float, status: str) -> None:
    # the gap's standard error is sqrt(0.5² + 0.5²) = sqrt(0.5) at every point
    shrink = _line_at_p(6, p, sign=-1, se=math.sqrt(0.5))
    most = [s + 50.0 for s in shrink]
    least = [150.0] * 6  # most − least = shrink − 100: falls
    assert _gap_status(most, least).status == status


def test_gap_widening_and_gap_for_one_period() -> None:
    grow = _line_at_p(6, 0.001, se=math.sqrt(0.5))
    assert _gap_status([g + 50 for g in grow], [150.0] * 6).status == "gap widening"
    assert _gap_status([60.0], [50.0]).status == "gap for one period only"
    assert health.judge({"points": 0}, kind="gap").status == "no gap published"


def test_thresholds_are_read_from_the_rules() -> None:
    loose = RULES.with_thresholds(alpha=0.10)
    ev = {"points": 5, "test": "trend", "p": 0.07, "direction": 1}
    assert health.judge(ev).status == "no clear change"
    assert health.judge(ev, rule_set=loose).status == "improving"
    with pytest.raises(InputError, match="unknown threshold"):
        RULES.with_thresholds(beta=0.2)


def test_bad_rules_are_refused() -> None:
    good = {"thresholds": {"alpha": 0.05, "min_points": 2, "min_trend_points": 3},
            "indicator": [{"status": "x", "when": []}], "gap": [{"status": "y", "when": []}]}
    assert health.parse_rules(good).alpha == 0.05
    with pytest.raises(InputError, match="must end with a rule without conditions"):
        health.parse_rules({**good, "gap": [{"status": "y", "when": [["p", "<", 0.1]]}]})
    with pytest.raises(InputError, match="unknown threshold 'beta'"):
        health.parse_rules({**good, "indicator": [{"status": "x", "when": [["p", "<", "beta"]]},
                                                   {"status": "z", "when": []}]})
    with pytest.raises(InputError, match="bad condition"):
        health.parse_rules({**good, "indicator": [{"status": "x", "when": [["p", "~", 1]]},
                                                   {"status": "z", "when": []}]})
