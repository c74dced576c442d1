"""The statistics of the monitor: intervals, differences between two published values,
trends over a series, and multiple-comparison control. Pure functions on numbers.

**Standard errors from published intervals.** A published 95% interval ``[L, U]`` gives
``se = (U − L) / (2·z)`` with ``z = Φ⁻¹(0.975)``; for ratios (odds ratios) the interval is
symmetric on the log scale and ``se(log θ) = (log U − log L) / (2·z)``.

**Derived intervals.** A percentage ``p`` with sample size ``n`` and no published interval
gets the Wilson (1927) score interval (``statsmodels.stats.proportion.proportion_confint``
with ``method="wilson"``). It treats ``n`` as a simple random sample and so ignores any
survey design; for administrative counts (every pupil) it reflects only binomial
variation.

**Differences** (a gap between groups, or a change between periods): for estimates
``a``, ``b`` with standard errors ``sa``, ``sb`` and correlation ``ρ``::

    d = a − b,   se(d) = sqrt(sa² + sb² − 2ρ·sa·sb)
    r = a / b,   se(log r) = sqrt((sa/a)² + (sb/b)² − 2ρ·(sa/a)(sb/b))     (delta method)

with the Wald interval ``d ± z·se(d)``, ``exp(log r ± z·se(log r))`` and the two-sided
z test of ``d = 0`` (of ``log r = 0`` for ratio units). Groups are independent
(``ρ = 0``); two periods of a series share data when their years overlap, and then
``ρ = k / sqrt(wa·wb)`` (:func:`socmob.monitor.periods.overlap_correlation`).

**Trend.** A straight line through the series against time (the midpoint of each
point's years), by weighted least squares with weights ``1/se²`` where every point has an
interval, else by ordinary least squares. Points that share years with a later point
(moving averages, overlapping pooled windows) are left out, so that the points entering
the test are independent (:func:`socmob.monitor.periods.non_overlapping`). With weights
that are inverse sampling variances the slope's variance is
``max(s², 1)·(XᵀWX)⁻¹`` where ``s²`` is the weighted residual variance: R's
``lm(y ~ x, weights = 1/se^2)`` when the points scatter more than their sampling error
allows (``s² ≥ 1``), and never less than the sampling error alone (``s² < 1``; the
fixed-effect meta-regression variance). Unweighted fits use ``s²``. The test is a t test
with ``n − 2`` degrees of freedom. A series with a reference point fixed by definition
(an interval of zero width, e.g. the Unidiff baseline year) is fitted through that point.

**Multiple comparisons.** When many indicators are scanned at once, p-values are
adjusted by Holm (1979) (family-wise error) or Benjamini & Hochberg (1995) (false
discovery rate), via ``statsmodels.stats.multitest.multipletests``.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike
from scipy import stats

from socmob.checks import check_alpha
from socmob.errors import InputError
from socmob.results import Result, tidy
from socmob.tables.absolute import wilson_interval

#: Adjustments for many tests at once: name → statsmodels method.
ADJUSTMENTS: dict[str, str] = {"holm": "holm", "bh": "fdr_bh", "none": "none"}


@lru_cache(maxsize=64)
def z_value(alpha: float = 0.05) -> float:
    """The two-sided normal critical value ``Φ⁻¹(1 − α/2)``."""
    return float(stats.norm.ppf(1 - check_alpha(alpha) / 2))


def se_from_interval(lower: float, upper: float, *, log: bool = False,
                     alpha: float = 0.05) -> float:
    """The standard error a symmetric ``1 − alpha`` interval implies (on the log scale
    when ``log``); NaN when the interval is missing or not positive on the log scale."""
    if not (np.isfinite(lower) and np.isfinite(upper)):
        return math.nan
    if log:
        if lower <= 0 or upper <= 0:
            return math.nan
        return (math.log(upper) - math.log(lower)) / (2 * z_value(alpha))
    return (upper - lower) / (2 * z_value(alpha))


def wilson_interval_pct(value: float, n: float, *, scale: float = 100.0,
                        alpha: float = 0.05) -> tuple[float, float]:
    """Wilson score interval of a percentage (``scale=100``) or proportion (``scale=1``)
    ``value`` observed on ``n`` people, on the same scale; NaNs when it cannot be formed
    (:func:`socmob.tables.absolute.wilson_interval` of ``p = value / scale``)."""
    check_alpha(alpha)
    if not (np.isfinite(value) and np.isfinite(n)) or n <= 0:
        return math.nan, math.nan
    p = value / scale
    if not 0 <= p <= 1:
        return math.nan, math.nan
    lo, hi = wilson_interval(p, n, alpha=alpha)
    return float(lo) * scale, float(hi) * scale


@dataclass(frozen=True, eq=False)
class Difference(Result):
    """A difference between two published values — a gap between two groups in one
    period, or the change of one series between two periods — with its ratio.

    Attributes: ``label`` (e.g. ``"2025 vs 2016"``), ``a`` and ``b`` (``estimate = a − b``),
    their standard errors, the correlation ``rho`` assumed between them, ``estimate``,
    ``se``, ``lower``, ``upper``, ``ratio`` (``a / b``), ``ratio_lower``, ``ratio_upper``,
    ``se_log_ratio``, ``p_value`` (two-sided; NaN when either value has no interval) and
    ``test_scale`` (``"difference"`` or ``"log ratio"``).
    """

    label: str
    a: float
    b: float
    se_a: float
    se_b: float
    rho: float
    estimate: float
    se: float
    lower: float
    upper: float
    ratio: float
    ratio_lower: float
    ratio_upper: float
    se_log_ratio: float
    p_value: float
    test_scale: str
    alpha: float = 0.05

    @property
    def testable(self) -> bool:
        """Whether both values have a standard error (else there is no test)."""
        return bool(np.isfinite(self.p_value))

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Intervals of the difference and the ratio at level ``1 − alpha``."""
        z = z_value(alpha)
        lo, hi = self.estimate - z * self.se, self.estimate + z * self.se
        rlo = rhi = math.nan
        if np.isfinite(self.se_log_ratio) and self.ratio > 0:
            rlo = self.ratio * math.exp(-z * self.se_log_ratio)
            rhi = self.ratio * math.exp(z * self.se_log_ratio)
        return pd.DataFrame({"lower": [lo, rlo], "upper": [hi, rhi]},
                            index=["difference", "ratio"])

    def to_frame(self) -> pd.DataFrame:
        rows = pd.DataFrame({
            "measure": ["difference", "ratio"], "period": [self.label] * 2,
            "value": [self.estimate, self.ratio], "lci": [self.lower, self.ratio_lower],
            "uci": [self.upper, self.ratio_upper], "p_value": [self.p_value] * 2,
        })
        return tidy(rows)


def _ratio_se(a: float, b: float, sa: float, sb: float, rho: float) -> float:
    if not (a > 0 and b > 0):
        return math.nan
    ra, rb = sa / a, sb / b
    var = ra * ra + rb * rb - 2 * rho * ra * rb
    return math.sqrt(var) if var >= 0 else math.nan


def difference(a: float, b: float, se_a: float, se_b: float, *, rho: float = 0.0,
               label: str = "", log_scale: bool = False, alpha: float = 0.05) -> Difference:
    """``a − b`` and ``a / b`` with intervals and a two-sided z test (module docstring).

    ``log_scale`` tests ``log(a/b) = 0`` instead of ``a − b = 0`` (for ratio measures
    such as odds ratios, whose intervals are symmetric on the log scale; ``se_a``,
    ``se_b`` are then standard errors of ``log a``, ``log b``).
    """
    z = z_value(alpha)
    est = a - b
    ratio = a / b if b not in (0, 0.0) and np.isfinite(b) else math.nan
    if log_scale:
        # se_a, se_b are on the log scale: the ratio's interval follows directly, the
        # difference's by the delta method (se(a) ≈ a·se(log a))
        var_log = se_a**2 + se_b**2 - 2 * rho * se_a * se_b
        se_log = math.sqrt(var_log) if var_log >= 0 else math.nan
        var_nat = (a * se_a) ** 2 + (b * se_b) ** 2 - 2 * rho * a * se_a * b * se_b
        se = math.sqrt(var_nat) if var_nat >= 0 else math.nan
        stat = math.log(ratio) / se_log if ratio > 0 and se_log > 0 else math.nan
    else:
        var = se_a**2 + se_b**2 - 2 * rho * se_a * se_b
        se = math.sqrt(var) if var >= 0 else math.nan
        se_log = _ratio_se(a, b, se_a, se_b, rho)
        stat = est / se if se > 0 else math.nan
    p = float(2 * stats.norm.sf(abs(stat))) if np.isfinite(stat) else math.nan
    rlo = rhi = math.nan
    if np.isfinite(se_log) and ratio > 0:
        rlo, rhi = ratio * math.exp(-z * se_log), ratio * math.exp(z * se_log)
    return Difference(
        label=label, a=a, b=b, se_a=se_a, se_b=se_b, rho=rho, estimate=est, se=se,
        lower=est - z * se, upper=est + z * se, ratio=ratio, ratio_lower=rlo,
        ratio_upper=rhi, se_log_ratio=se_log, p_value=p,
        test_scale="log ratio" if log_scale else "difference", alpha=alpha,
    )


@dataclass(frozen=True, eq=False)
class Trend(Result):
    """A straight-line trend through a series (see the module docstring for the method).

    ``slope`` is the change per year (on the log scale for ratio measures: ``slope`` is
    then the yearly change of the log, ≈ a proportional change); ``se``, ``lower``,
    ``upper``, ``t``, ``df``, ``p_value``; ``points`` the time labels that entered the fit
    and ``left_out`` those that did not (overlapping windows, missing values) with the
    reason; ``method`` and ``residual_variance`` (``s²``); ``estimated`` is ``False``
    (with ``reason``) when there were fewer than ``min_points`` usable points.
    """

    slope: float
    se: float
    lower: float
    upper: float
    t: float
    df: int
    p_value: float
    intercept: float
    n_points: int
    method: str
    residual_variance: float
    points: tuple[str, ...]
    left_out: tuple[tuple[str, str], ...] = ()
    estimated: bool = True
    reason: str = ""
    log_scale: bool = False
    alpha: float = 0.05
    x: tuple[float, ...] = field(default=(), repr=False)
    y: tuple[float, ...] = field(default=(), repr=False)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Interval of the slope at level ``1 − alpha`` (t with ``df`` degrees of freedom)."""
        check_alpha(alpha)
        if not self.estimated or self.df < 1:
            return pd.DataFrame({"lower": [math.nan], "upper": [math.nan]}, index=["slope"])
        q = float(stats.t.ppf(1 - alpha / 2, self.df))
        return pd.DataFrame({"lower": [self.slope - q * self.se],
                             "upper": [self.slope + q * self.se]}, index=["slope"])

    def to_frame(self) -> pd.DataFrame:
        period = f"{self.points[0]}–{self.points[-1]}" if self.points else ""
        return tidy(pd.DataFrame({
            "measure": ["trend (change per year)"], "period": [period],
            "value": [self.slope], "lci": [self.lower], "uci": [self.upper],
            "n": [self.n_points], "note": [self.method if self.estimated else self.reason],
            "p_value": [self.p_value],
        }))


def not_estimated_trend(reason: str, *, points: Sequence[str] = (),
                        left_out: Sequence[tuple[str, str]] = (),
                        alpha: float = 0.05, log_scale: bool = False) -> Trend:
    """A :class:`Trend` that could not be estimated, saying why."""
    nan = math.nan
    return Trend(slope=nan, se=nan, lower=nan, upper=nan, t=nan, df=0, p_value=nan,
                 intercept=nan, n_points=len(points), method="", residual_variance=nan,
                 points=tuple(points), left_out=tuple(left_out), estimated=False,
                 reason=reason, log_scale=log_scale, alpha=alpha)


def fit_trend(x: ArrayLike, y: ArrayLike, se: ArrayLike | None = None, *,
              labels: Sequence[str] | None = None, alpha: float = 0.05,
              min_points: int = 3, log_scale: bool = False,
              left_out: Sequence[tuple[str, str]] = ()) -> Trend:
    """Fit the trend line of ``y`` on ``x`` (weights ``1/se²`` when every ``se`` is
    finite; a point with ``se == 0`` is a fixed reference the line passes through).

    The caller chooses the points (independent ones: see the module docstring); this
    function fits what it is given.
    """
    check_alpha(alpha)
    xs = np.asarray(x, dtype=float)
    ys = np.asarray(y, dtype=float)
    names = tuple(labels) if labels is not None else tuple(f"{v:g}" for v in xs)
    n = len(xs)
    if n < min_points:
        return not_estimated_trend(
            f"{n} independent point{'s' if n != 1 else ''}; a trend needs {min_points}",
            points=names, left_out=left_out, alpha=alpha, log_scale=log_scale)
    ses = None if se is None else np.asarray(se, dtype=float)
    weighted = ses is not None and bool(np.all(np.isfinite(ses)))
    exact = np.zeros(n, dtype=bool)
    if weighted:
        assert ses is not None
        exact = ses == 0
        if exact.sum() > 1:
            return not_estimated_trend("more than one point has a zero-width interval",
                                       points=names, left_out=left_out, alpha=alpha,
                                       log_scale=log_scale)
    if weighted and exact.any():
        assert ses is not None
        k = int(np.flatnonzero(exact)[0])
        keep = ~exact
        dx, dy = xs[keep] - xs[k], ys[keep] - ys[k]
        w = 1 / ses[keep] ** 2
        sxx = float(np.sum(w * dx * dx))
        slope = float(np.sum(w * dx * dy) / sxx)
        intercept = float(ys[k] - slope * xs[k])
        resid = dy - slope * dx
        df = n - 2
        s2 = float(np.sum(w * resid * resid) / df) if df > 0 else math.nan
        var = max(s2, 1.0) / sxx
        method = (f"weighted least squares (weights 1/se²) through the reference point "
                  f"{names[k]}")
    else:
        w = 1 / ses**2 if weighted and ses is not None else np.ones(n)
        xbar = float(np.sum(w * xs) / np.sum(w))
        ybar = float(np.sum(w * ys) / np.sum(w))
        sxx = float(np.sum(w * (xs - xbar) ** 2))
        if sxx <= 0:
            return not_estimated_trend("all points are at the same time", points=names,
                                       left_out=left_out, alpha=alpha, log_scale=log_scale)
        slope = float(np.sum(w * (xs - xbar) * (ys - ybar)) / sxx)
        intercept = ybar - slope * xbar
        resid = ys - intercept - slope * xs
        df = n - 2
        s2 = float(np.sum(w * resid * resid) / df) if df > 0 else math.nan
        var = (max(s2, 1.0) if weighted else s2) / sxx
        method = ("weighted least squares (weights 1/se²)" if weighted
                  else "ordinary least squares" + ("" if se is None or ses is None
                                                   or np.all(~np.isfinite(ses))
                                                   else " (intervals for only some points)"))
    se_slope = math.sqrt(var) if np.isfinite(var) else math.nan
    t = slope / se_slope if se_slope > 0 else math.nan
    p = float(2 * stats.t.sf(abs(t), df)) if np.isfinite(t) and df > 0 else math.nan
    q = float(stats.t.ppf(1 - alpha / 2, df)) if df > 0 else math.nan
    return Trend(
        slope=slope, se=se_slope, lower=slope - q * se_slope, upper=slope + q * se_slope,
        t=t, df=df, p_value=p, intercept=intercept, n_points=n, method=method,
        residual_variance=s2, points=names, left_out=tuple(left_out), log_scale=log_scale,
        alpha=alpha, x=tuple(xs.tolist()), y=tuple(ys.tolist()),
    )


def adjust_p_values(p_values: ArrayLike, *, method: str = "holm") -> np.ndarray:
    """Adjusted p-values for many tests at once (``"holm"``, ``"bh"`` or ``"none"``);
    NaN p-values (tests that could not be done) stay NaN and do not count as tests."""
    if method not in ADJUSTMENTS:
        raise InputError(f"unknown adjustment {method!r}", expected=", ".join(ADJUSTMENTS))
    p = np.asarray(p_values, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.isfinite(p)
    if method == "none" or not ok.any():
        out[ok] = p[ok]
        return out
    from statsmodels.stats.multitest import multipletests

    out[ok] = multipletests(p[ok], method=ADJUSTMENTS[method])[1]
    return out


__all__ = [
    "ADJUSTMENTS",
    "Difference",
    "Trend",
    "adjust_p_values",
    "difference",
    "fit_trend",
    "not_estimated_trend",
    "se_from_interval",
    "wilson_interval_pct",
    "z_value",
]
