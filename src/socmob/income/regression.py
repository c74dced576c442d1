"""Weighted least squares of one regressor from sufficient statistics.

The engine returns, per group, the weighted moments of shifted variables
``u = x − c_x`` and ``v = y − c_y`` (the shift ``c`` is the national weighted mean, so sums
of powers stay well conditioned)::

    S_ij = Σ w·uⁱ·vʲ,     T_ij = Σ w²·uⁱ·vʲ      (i + j ≤ 4, j ≤ 2)

From these, with ``Sxx = S20 − S10²/S00`` and ``Sxy = S11 − S10·S01/S00``, the slope is
``b = Sxy/Sxx`` and the intercept ``a = ȳ − b·x̄``. The residual ``e = v − a′ − b·u`` is a
polynomial in (u, v), so every residual sum needed below is a linear combination of the
moments — one pass over the data gives the estimates *and* their standard errors.

Standard errors (``se=``):

* ``"robust"`` (default) — the heteroskedasticity-consistent sandwich, HC1:
  ``V = n/(n−2) · (X′WX)⁻¹ (Σ ωᵢ eᵢ² xᵢxᵢ′) (X′WX)⁻¹`` with ``ωᵢ = wᵢ²`` for probability
  (survey) weights and ``n`` the number of rows (as statsmodels ``WLS(...).fit(
  cov_type="HC1")`` and Stata's ``regress [pw=w]`` without clustering); with frequency
  weights ``ωᵢ = wᵢ`` and ``n = Σw`` (a row of weight 3 counts as three people). Intervals
  use the normal distribution.
* ``"classic"`` — homoskedastic: ``V = σ̂²(X′WX)⁻¹`` with ``σ̂² = Σwᵢeᵢ²/(n−2)`` (probability
  weights: ``n`` rows; frequency weights: ``n = Σw``). Intervals use Student's t on
  ``n − 2`` degrees of freedom.

Reference: White (1980) *Econometrica* 48:817–838; MacKinnon & White (1985) *J. Econometrics*
29:305–325 (HC1).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from statistics import NormalDist
from typing import Any

import numpy as np
import pandas as pd
from ibis.expr import types as ir

from socmob.checks import check_alpha
from socmob.errors import InputError
from socmob.results import Result, tidy

ORDERS: tuple[tuple[int, int], ...] = tuple(
    (i, j) for j in range(3) for i in range(5) if i + j <= 4
)
"""The (i, j) powers of the moments ``S_ij``/``T_ij`` the engine computes."""

Poly = dict[tuple[int, int], float]


def normal_quantile(p: float) -> float:
    """The standard normal quantile Φ⁻¹(p) (the standard library's, Wichura's AS 241,
    accurate to about 1e-16 — without importing scipy)."""
    return NormalDist().inv_cdf(p)


def moment_sums(u: ir.FloatingValue, v: ir.FloatingValue, w: ir.NumericValue,
                prefix: str, *, nobs: ir.NumericValue | None = None,
                squares: bool = True) -> dict[str, Any]:
    """Ibis reductions ``{prefix}s{i}{j} = Σ w uⁱ vʲ``, ``{prefix}t{i}{j} = Σ w² uⁱ vʲ`` and
    ``{prefix}n`` (rows counted: ``Σ nobs``; default every row).

    ``squares=False`` leaves out the ``t`` sums — for weights that are all 0 or 1, where
    ``w² = w`` and :func:`moments_from_row` reuses the ``s`` sums (half the work)."""
    upow = [None, u, u * u]
    upow.append(upow[2] * u)
    upow.append(upow[2] * upow[2])
    vpow = [None, v, v * v]
    ww = w * w
    out: dict[str, Any] = {}
    for i, j in ORDERS:
        term: Any = None
        for factor in (upow[i], vpow[j]):
            if factor is not None:
                term = factor if term is None else term * factor
        out[f"{prefix}s{i}{j}"] = (w if term is None else w * term).sum()
        if squares:
            out[f"{prefix}t{i}{j}"] = (ww if term is None else ww * term).sum()
    out[f"{prefix}n"] = (nobs if nobs is not None else w * 0 + 1).sum()
    return out


def _poly_mul(a: Poly, b: Poly) -> Poly:
    out: Poly = {}
    for (i1, j1), c1 in a.items():
        for (i2, j2), c2 in b.items():
            key = (i1 + i2, j1 + j2)
            out[key] = out.get(key, 0.0) + c1 * c2
    return out


def _poly_eval(p: Poly, m: Mapping[tuple[int, int], float]) -> float:
    return float(sum(c * m[k] for k, c in p.items() if c != 0.0))


@dataclass(frozen=True, eq=False)
class LinearFit(Result):
    """A weighted least-squares line ``y = a + b·x`` with its covariance.

    statsmodels vocabulary: :attr:`params` and :attr:`bse` (Series indexed ``const`` and
    ``slope``), :meth:`cov_params`, :meth:`conf_int`, :attr:`nobs`, :attr:`df_resid`,
    :attr:`rsquared`.
    """

    params: pd.Series
    bse: pd.Series
    cov: np.ndarray
    nobs: int
    sum_weights: float
    df_resid: float
    rsquared: float
    se_type: str
    weight_kind: str
    alpha: float = 0.05
    group: str | None = None
    measure: str = "slope"
    unit: str = ""

    @property
    def slope(self) -> float:
        return float(self.params["slope"])

    @property
    def intercept(self) -> float:
        return float(self.params["const"])

    def cov_params(self) -> pd.DataFrame:
        """The 2×2 covariance of (const, slope)."""
        return pd.DataFrame(self.cov, index=self.params.index, columns=self.params.index)

    def _critical(self, alpha: float) -> float:
        if self.se_type == "classic" and np.isfinite(self.df_resid) and self.df_resid > 0:
            from scipy import stats  # only here: importing scipy.stats takes seconds

            return float(stats.t.ppf(1 - alpha / 2, self.df_resid))
        return normal_quantile(1 - alpha / 2)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """``1 − alpha`` confidence intervals of ``const`` and ``slope`` (columns
        ``lower``, ``upper``): ``params ± c·bse`` with ``c`` the normal quantile
        ``1 − alpha/2`` (the t quantile on ``df_resid`` for classic SEs)."""
        c = self._critical(check_alpha(alpha))
        return pd.DataFrame({"lower": self.params - c * self.bse,
                             "upper": self.params + c * self.bse})

    def predict(self, x: float) -> tuple[float, float]:
        """``(a + b·x, its standard error)`` from the full covariance."""
        g = np.array([1.0, x])
        return float(g @ self.params.to_numpy()), float(np.sqrt(g @ self.cov @ g))

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows of the intercept and slope with their ``1 − alpha`` intervals."""
        ci = self.conf_int(self.alpha)
        rows = [
            {"measure": f"{self.measure}_intercept", "value": self.params["const"],
             "lci": ci.loc["const", "lower"], "uci": ci.loc["const", "upper"]},
            {"measure": self.measure, "value": self.params["slope"],
             "lci": ci.loc["slope", "lower"], "uci": ci.loc["slope", "upper"]},
        ]
        return tidy(pd.DataFrame(rows), group=self.group, n=self.nobs, unit=self.unit,
                    note=f"{self.se_type} SE, {self.weight_kind} weights")


def fit_line(S: Mapping[tuple[int, int], float], T: Mapping[tuple[int, int], float],
             nobs: float, *, shift_x: float = 0.0, shift_y: float = 0.0,
             se: str = "robust", weight_kind: str = "probability", alpha: float = 0.05,
             what: str = "x", column: str | None = None, source: str | None = None,
             **extra: Any) -> dict[str, Any]:
    """Solve the weighted least-squares line from moments (see the module docstring) and
    return the keyword arguments of :class:`LinearFit`.

    Raises :class:`InputError` when ``x`` does not vary (``Sxx = 0``).
    """
    sw = S[(0, 0)]
    n_eff = float(nobs) if weight_kind == "probability" else float(sw)
    if sw <= 0 or n_eff <= 2:
        raise InputError(f"too few observations to fit a line on {what}", file=source,
                         column=column, expected="at least 3 rows with positive weight")
    ubar, vbar = S[(1, 0)] / sw, S[(0, 1)] / sw
    sxx = S[(2, 0)] - S[(1, 0)] ** 2 / sw
    sxy = S[(1, 1)] - S[(1, 0)] * S[(0, 1)] / sw
    syy = S[(0, 2)] - S[(0, 1)] ** 2 / sw
    scale = max(abs(S[(2, 0)]), 1e-300)
    if not sxx > 1e-12 * scale:
        raise InputError(f"{what} does not vary, so no slope can be estimated", file=source,
                         column=column, expected="values that differ between rows")
    b = sxy / sxx
    a_shift = vbar - b * ubar
    e: Poly = {(0, 1): 1.0, (0, 0): -a_shift, (1, 0): -b}
    e2 = _poly_mul(e, e)
    bread = np.linalg.inv(np.array([[sw, S[(1, 0)]], [S[(1, 0)], S[(2, 0)]]]))
    if se == "robust":
        M = T if weight_kind == "probability" else S
        m00 = _poly_eval(e2, M)
        m01 = _poly_eval(_poly_mul({(1, 0): 1.0}, e2), M)
        m11 = _poly_eval(_poly_mul({(2, 0): 1.0}, e2), M)
        meat = np.array([[m00, m01], [m01, m11]])
        cov = bread @ meat @ bread * (n_eff / (n_eff - 2))
    elif se == "classic":
        sse = max(_poly_eval(e2, S), 0.0)
        cov = bread * (sse / (n_eff - 2))
    else:
        raise InputError(f"unknown standard-error type {se!r}", expected="'robust' or 'classic'")
    J = np.array([[1.0, -shift_x], [0.0, 1.0]])
    cov = J @ cov @ J.T
    a = shift_y + a_shift - b * shift_x
    params = pd.Series({"const": a, "slope": b})
    bse = pd.Series(np.sqrt(np.clip(np.diag(cov), 0, None)), index=params.index)
    rsq = sxy * sxy / (sxx * syy) if syy > 0 else float("nan")
    return dict(params=params, bse=bse, cov=cov, nobs=round(nobs), sum_weights=float(sw),
                df_resid=n_eff - 2, rsquared=float(rsq), se_type=se, weight_kind=weight_kind,
                alpha=alpha, **extra)


def moments_from_row(row: Mapping[str, Any], prefix: str) -> tuple[dict[tuple[int, int], float],
                                                                   dict[tuple[int, int], float],
                                                                   float]:
    """Read ``S``, ``T`` and the row count back from an aggregated record."""
    S = {k: float(row[f"{prefix}s{k[0]}{k[1]}"] or 0.0) for k in ORDERS}
    if f"{prefix}t00" not in row:  # weights in {0, 1}: w² = w
        return S, dict(S), float(row[f"{prefix}n"] or 0.0)
    T = {k: float(row[f"{prefix}t{k[0]}{k[1]}"] or 0.0) for k in ORDERS}
    return S, T, float(row[f"{prefix}n"] or 0.0)
