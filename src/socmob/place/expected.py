"""Which areas do better or worse than their conditions predict?

An outcome index (default ci4, Promising Prospects, latest period) is regressed by
ordinary least squares on one or more condition indices (default ci1, Conditions of
Childhood, in the same or the closest period):

    yᵢ = β₀ + Σₖ βₖ xᵢₖ + εᵢ,   εᵢ ~ N(0, σ²).

Each area is then judged against a model fitted *without it* (leave-one-out), so that an
unusual area cannot pull the line towards itself. With hat values hᵢᵢ = xᵢᵀ(XᵀX)⁻¹xᵢ,
residuals eᵢ = yᵢ − ŷᵢ and p parameters:

* leave-one-out prediction ŷ₍ᵢ₎ = yᵢ − eᵢ/(1 − hᵢᵢ);
* leave-one-out residual variance s₍ᵢ₎² = ((n − p)s² − eᵢ²/(1 − hᵢᵢ))/(n − p − 1);
* externally studentised residual tᵢ = eᵢ / (s₍ᵢ₎ √(1 − hᵢᵢ)) ~ t(n − p − 1);
* prediction interval for yᵢ: ŷ₍ᵢ₎ ± t₁₋α/₂,ₙ₋ₚ₋₁ · s₍ᵢ₎ / √(1 − hᵢᵢ)
  (because 1 + xᵢᵀ(X₍ᵢ₎ᵀX₍ᵢ₎)⁻¹xᵢ = 1/(1 − hᵢᵢ)).

The interval excludes the observed yᵢ exactly when |tᵢ| > t₁₋α/₂,ₙ₋ₚ₋₁, i.e. when the
residual is significantly different from zero. Only then is a verdict given: "better than
expected" (tᵢ > 0) or "worse than expected" (tᵢ < 0); otherwise "as expected". An
optional Bonferroni or Benjamini–Hochberg correction over the n areas applies to the
two-sided p-values of tᵢ; for Bonferroni the interval is widened to the matching level
(α/n), for FDR it stays at level α and the verdict follows the adjusted p-value.

References
----------
Cook, R. D. & Weisberg, S. (1982). *Residuals and Influence in Regression*. Chapman & Hall.
Belsley, D. A., Kuh, E. & Welsch, R. E. (1980). *Regression Diagnostics*. Wiley.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import pandas as pd
from scipy import stats

from socmob.checks import check_alpha
from socmob.errors import InputError, ModelSpecError
from socmob.periods import parse_period
from socmob.place.defaults import EXPECTED_MODELS
from socmob.place.selection import (
    area_labels,
    choose,
    index_values,
    require_columns,
    sort_periods,
)
from socmob.results import Result, tidy

Correction = Literal["none", "bonferroni", "fdr"]

BETTER = "better than expected"
WORSE = "worse than expected"
AS_EXPECTED = "as expected"

__all__ = ["AS_EXPECTED", "BETTER", "WORSE", "ExpectedFit", "closest_period",
           "expected_from_composites", "fit_expected"]


@dataclass(frozen=True)
class ExpectedFit(Result):
    """OLS fit of an outcome on conditions and each area's verdict.

    Model attributes follow statsmodels: ``params``, ``bse``, :meth:`conf_int`,
    ``nobs``, ``df_resid``, ``rsquared``, ``ssr``, ``aic``, ``bic``. ``areas`` holds one
    row per area: observed, expected (full fit), expected_loo, residual, standardised
    (internally studentised) and studentised (external) residuals, leverage, p-value,
    prediction interval (pi_lower, pi_upper), residual interval and the verdict.
    """

    outcome: str
    predictors: tuple[str, ...]
    params: pd.Series
    bse: pd.Series
    nobs: int
    df_resid: int
    rsquared: float
    ssr: float
    aic: float
    bic: float
    scale: float
    alpha: float
    correction: str
    areas: pd.DataFrame
    periods: Mapping[str, str] = field(default_factory=dict)
    dropped: tuple[str, ...] = ()

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Confidence intervals of the coefficients: β̂ ± t₁₋α/₂,df · se."""
        q = stats.t.ppf(1 - check_alpha(alpha) / 2, self.df_resid)
        return pd.DataFrame({"lower": self.params - q * self.bse,
                             "upper": self.params + q * self.bse})

    def verdicts(self) -> dict[str, int]:
        """Number of areas per verdict."""
        return {str(k): int(v) for k, v in self.areas["verdict"].value_counts().items()}

    def area(self, area_id: str) -> pd.Series:
        """The row of one area."""
        hit = self.areas[self.areas["area_id"] == area_id]
        if hit.empty:
            raise InputError(f"area {area_id!r} is not in the fit", column="area_id")
        return hit.iloc[0]

    def to_frame(self) -> pd.DataFrame:
        a = self.areas
        label = f"{self.outcome} on {' + '.join(self.predictors)}"
        frame = pd.DataFrame({
            "measure": "residual_vs_expected", "area_code": a["area_code"],
            "area_name": a["area_name"], "period": self.periods.get(self.outcome),
            "breakdown": "model", "group": label, "value": a["residual"],
            "lci": a["residual_lower"], "uci": a["residual_upper"], "n": float(self.nobs),
            "unit": "z-score points",
            "note": a["verdict"],
        })
        extra = a[["area_id", "observed", "expected", "expected_loo", "pi_lower", "pi_upper",
                   "standardised_residual", "studentised_residual", "p_value",
                   "leverage", "verdict"]].reset_index(drop=True)
        return tidy(pd.concat([frame.reset_index(drop=True), extra], axis=1))

    def summary(self) -> str:
        ci = self.conf_int(self.alpha)
        lines = [f"Better or worse than expected: {self.outcome} ~ "
                 f"{' + '.join(self.predictors)}",
                 "periods: " + ", ".join(f"{k} {v}" for k, v in self.periods.items()),
                 f"n = {self.nobs}, R² = {self.rsquared:.3f}, s = {np.sqrt(self.scale):.3f}, "
                 f"AIC = {self.aic:.1f}",
                 "coefficients:"]
        for name in self.params.index:
            lines.append(f"  {name:>12} {self.params[name]: .4f} (se {self.bse[name]:.4f}; "
                         f"{ci.loc[name, 'lower']: .4f} to {ci.loc[name, 'upper']: .4f})")
        level = round(100 * (1 - self.alpha))
        lines.append(f"verdicts ({level}% leave-one-out prediction intervals, correction "
                     f"{self.correction}):")
        for verdict in (BETTER, WORSE, AS_EXPECTED):
            names = self.areas.loc[self.areas["verdict"] == verdict, "area_name"].tolist()
            shown = "" if verdict == AS_EXPECTED else " — " + ", ".join(names)
            lines.append(f"  {verdict}: {len(names)}{shown}")
        if self.dropped:
            lines.append(f"dropped (missing values): {', '.join(self.dropped)}")
        return "\n".join(lines)


def fit_expected(
    data: pd.DataFrame,
    *,
    outcome: str,
    predictors: Sequence[str],
    alpha: float = 0.05,
    correction: Correction = "none",
    names: Mapping[str, str] | None = None,
    codes: Mapping[str, str] | None = None,
    periods: Mapping[str, str] | None = None,
) -> ExpectedFit:
    """Fit ``outcome ~ predictors`` by OLS on a wide frame (one row per area, index =
    area id) and judge each area against its leave-one-out prediction interval.

    Rows with a missing value in any used column are dropped and listed in ``dropped``.
    ``names`` and ``codes`` map area ids to display names and GSS codes for outputs.

    Raises
    ------
    InputError
        A column is missing or ``alpha`` is outside (0, 1).
    ModelSpecError
        Too few areas for the model, or a predictor with no variation / collinear
        predictors.
    """
    import statsmodels.api as sm

    predictors = tuple(predictors)
    if not predictors:
        raise ModelSpecError("at least one predictor is needed")
    if outcome in predictors:
        raise ModelSpecError(f"the outcome {outcome!r} cannot also be a predictor")
    check_alpha(alpha)
    if correction not in ("none", "bonferroni", "fdr"):
        raise InputError(f"unknown correction {correction!r}",
                         expected="'none', 'bonferroni' or 'fdr'")
    for col in (outcome, *predictors):
        if col not in data.columns:
            raise InputError("column not found", column=col,
                             expected=f"one of {', '.join(map(str, data.columns))}")
    used = data[[outcome, *predictors]].apply(pd.to_numeric, errors="coerce")
    complete = used.notna().all(axis=1)
    dropped = tuple(str(i) for i in used.index[~complete])
    used = used[complete]
    n, p = len(used), len(predictors) + 1
    if n < p + 3:
        raise ModelSpecError(f"{n} complete areas are too few for {p} parameters",
                             )
    for col in predictors:
        if used[col].nunique() < 2:
            raise ModelSpecError(f"predictor {col!r} does not vary across areas")

    y = used[outcome].to_numpy(float)
    x = sm.add_constant(used[list(predictors)].to_numpy(float), has_constant="add")
    if np.linalg.matrix_rank(x) < p:
        raise ModelSpecError("the predictors are collinear: "
                             + ", ".join(predictors))
    res = sm.OLS(y, x).fit()
    infl = res.get_influence()
    h = np.asarray(infl.hat_matrix_diag)
    e = np.asarray(res.resid)
    t_ext = np.asarray(infl.resid_studentized_external)
    r_int = np.asarray(infl.resid_studentized_internal)
    df_loo = n - p - 1
    s_loo = np.sqrt(((n - p) * res.scale - e**2 / (1 - h)) / df_loo)
    p_raw = 2 * stats.t.sf(np.abs(t_ext), df_loo)
    if correction == "none":
        p_adj, level_alpha = p_raw, alpha
    else:
        from statsmodels.stats.multitest import multipletests

        method = "bonferroni" if correction == "bonferroni" else "fdr_bh"
        p_adj = np.asarray(multipletests(p_raw, method=method)[1])
        level_alpha = alpha / n if correction == "bonferroni" else alpha
    q = stats.t.ppf(1 - level_alpha / 2, df_loo)
    loo = y - e / (1 - h)
    half = q * s_loo / np.sqrt(1 - h)
    significant = p_adj < alpha
    verdict = np.where(~significant, AS_EXPECTED, np.where(t_ext > 0, BETTER, WORSE))
    ids = [str(i) for i in used.index]
    names, codes = dict(names or {}), dict(codes or {})
    areas = pd.DataFrame({
        "area_id": ids, "area_code": [codes.get(i, i) for i in ids],
        "area_name": [names.get(i, i) for i in ids],
        "observed": y, "expected": np.asarray(res.fittedvalues), "expected_loo": loo,
        "pi_lower": loo - half, "pi_upper": loo + half,
        "residual": e, "residual_lower": y - (loo + half), "residual_upper": y - (loo - half),
        "standardised_residual": r_int, "studentised_residual": t_ext,
        "p_value": p_adj, "leverage": h, "verdict": verdict,
    })
    labels = ["const", *predictors]
    return ExpectedFit(
        outcome=outcome, predictors=predictors,
        params=pd.Series(np.asarray(res.params), index=labels),
        bse=pd.Series(np.asarray(res.bse), index=labels), nobs=n,
        df_resid=int(res.df_resid), rsquared=float(res.rsquared), ssr=float(res.ssr),
        aic=float(res.aic), bic=float(res.bic), scale=float(res.scale), alpha=alpha,
        correction=correction, areas=areas, periods=dict(periods or {}), dropped=dropped,
    )


def _midpoint(period: str) -> float:
    span = parse_period(period)
    return span.midpoint if span is not None else 0.0


def closest_period(target: str, periods: Sequence[str]) -> str:
    """The label in ``periods`` equal to ``target`` or else nearest to it by mid-year
    (ties go to the later period)."""
    options = [str(p) for p in periods]
    if target in options:
        return target
    if not options:
        raise InputError("no periods to choose from", column="period")
    mid = _midpoint(target)
    return min(options, key=lambda p: (abs(_midpoint(p) - mid), -_midpoint(p)))


def expected_from_composites(
    composites: pd.DataFrame,
    *,
    outcome: str = EXPECTED_MODELS[0][0],
    predictors: Sequence[str] = EXPECTED_MODELS[0][1],
    period: str | None = None,
    alpha: float = 0.05,
    correction: Correction = "none",
) -> ExpectedFit:
    """:func:`fit_expected` on the composites table (:func:`socmob.data.composites`
    layout): the outcome in ``period`` (default its latest), each predictor in the same
    period or the closest one by mid-year."""
    require_columns(composites, ["index_code", "area_id", "period", "z"], "composites")
    codes = sorted(composites["index_code"].astype(str).unique())
    outcome = choose(outcome, codes, "index")
    predictors = tuple(choose(p, codes, "index") for p in predictors)
    y = index_values(composites, index=outcome, period=period)
    chosen = {outcome: str(y.attrs["period"])}
    columns = {outcome: y}
    for pred in predictors:
        own = composites.loc[composites["index_code"].astype(str) == pred, "period"]
        per = closest_period(chosen[outcome], sort_periods(own))
        columns[pred] = index_values(composites, index=pred, period=per)
        chosen[pred] = per
    wide = pd.DataFrame(columns)
    names, gss = area_labels(composites)
    return fit_expected(wide, outcome=outcome, predictors=predictors, alpha=alpha,
                        correction=correction, names=names, codes=gss, periods=chosen)
