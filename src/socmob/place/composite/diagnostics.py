"""Diagnostics: indicator statistics, correlations, Cronbach's alpha and PCA.

* :func:`indicator_stats` — COINr's ``get_stats``: min, max, mean, median, SD (``n-1``),
  skew and kurtosis (type 2, see :mod:`.treat`), counts and fractions of available,
  non-zero and unique values and of the most repeated value, with flags: ``LOW``
  availability / non-zero / unique fraction below the thresholds, ``OUT`` where
  ``|skew| > t_skew`` and ``kurt > t_kurt``.
* :func:`correlations` — Pearson/Spearman/Kendall between codes of two levels, optionally
  only within the same parent.
* :func:`cronbach_alpha` — :math:`\\alpha = \\frac{k}{k-1}\\left(1 -
  \\frac{\\sum_i \\sigma_i^2}{\\sigma^2_{\\Sigma}}\\right)` on complete rows (Cronbach 1951).
* :func:`pca` — principal components of the correlation matrix (centred, scaled; as R's
  ``prcomp(scale. = TRUE)``), with each component's sign fixed so that its largest
  loading in absolute value is positive.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from socmob.errors import InputError
from socmob.place.composite.meta import Hierarchy
from socmob.place.composite.treat import kurtosis, skewness
from socmob.results import Result, tidy


def indicator_stats(
    data: pd.DataFrame,
    *,
    t_skew: float = 2.0,
    t_kurt: float = 3.5,
    t_avail: float = 0.65,
    t_zero: float = 0.5,
    t_unique: float = 0.5,
) -> pd.DataFrame:
    """One row per column of ``data`` (see the module docstring)."""
    x = data.to_numpy(dtype=float)
    rows = []
    sk = skewness(x)
    kt = kurtosis(x)
    for j, code in enumerate(data.columns):
        v = x[:, j][~np.isnan(x[:, j])]
        n = v.size
        _, counts = np.unique(v, return_counts=True)
        rows.append({
            "iCode": code,
            "Min": v.min() if n else np.nan,
            "Max": v.max() if n else np.nan,
            "Mean": v.mean() if n else np.nan,
            "Median": np.median(v) if n else np.nan,
            "Std": v.std(ddof=1) if n > 1 else np.nan,
            "Skew": sk[j],
            "Kurt": kt[j],
            "N.Avail": n,
            "N.NonZero": int(np.sum(v != 0)),
            "N.Unique": int(counts.size),
            "N.Same": int(counts.max()) if n else 0,
            "Frc.Avail": n / x.shape[0],
            "Frc.NonZero": np.sum(v != 0) / n if n else np.nan,
            "Frc.Unique": counts.size / n if n else np.nan,
            "Frc.Same": counts.max() / n if n else np.nan,
        })
    out = pd.DataFrame(rows)
    out["Flag.Avail"] = np.where(out["Frc.Avail"] < t_avail, "LOW", "ok")
    out["Flag.NonZero"] = np.where(out["Frc.NonZero"] < t_zero, "LOW", "ok")
    out["Flag.Unique"] = np.where(out["Frc.Unique"] < t_unique, "LOW", "ok")
    out["Flag.SkewKurt"] = np.where((out["Skew"].abs() > t_skew) & (out["Kurt"] > t_kurt),
                                    "OUT", "ok")
    return out


def correlations(
    values: pd.DataFrame,
    hierarchy: Hierarchy,
    *,
    level: int = 1,
    with_level: int | None = None,
    within_parent: bool = False,
    method: str = "pearson",
) -> pd.DataFrame:
    """Correlations between the codes at ``level`` and those at ``with_level`` (default
    the same level), on pairwise complete rows. With ``within_parent``, pairs in
    different branches are blanked (for the same level: different parents; across levels:
    the higher code is not an ancestor)."""
    if method not in ("pearson", "spearman", "kendall"):
        raise InputError(f"unknown correlation {method!r}", column="method",
                         expected="pearson, spearman or kendall")
    other = level if with_level is None else with_level
    a = list(hierarchy.codes_at(level))
    b = list(hierarchy.codes_at(other))
    for code in a + b:
        if code not in values.columns:
            raise InputError(f"no values for {code!r}", column=code,
                             expected="a data set holding both levels")
    corr = values[list(dict.fromkeys(a + b))].corr(method=method).loc[a, b]  # type: ignore[arg-type]
    if within_parent:
        for ca in a:
            for cb in b:
                if other == level:
                    same = (hierarchy.parents[hierarchy.position(ca)]
                            == hierarchy.parents[hierarchy.position(cb)])
                else:
                    lo, hi = (ca, cb) if other > level else (cb, ca)
                    same = lo in hierarchy.descendants(hi, min(level, other))
                if not same:
                    corr.loc[ca, cb] = np.nan
    return corr


def cronbach_alpha(values: pd.DataFrame) -> float:
    """Cronbach's alpha of the columns of ``values`` on complete rows."""
    x = values.dropna().to_numpy(dtype=float)
    k = x.shape[1]
    if k < 2 or x.shape[0] < 2:
        raise InputError("Cronbach's alpha needs at least two columns and two rows",
                         expected="≥ 2 indicators with complete data")
    cov = np.cov(x, rowvar=False)
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))


@dataclass(frozen=True, eq=False)
class PCAResult(Result):
    """Principal components: variance shares, loadings (columns = PCs) and unit scores."""

    variance_share: pd.Series
    loadings: pd.DataFrame
    scores: pd.DataFrame
    eigenvalues: pd.Series

    def table(self) -> pd.DataFrame:
        """Loadings with a variance-share row, one row per variable."""
        out = self.loadings.copy()
        out.loc["variance_share"] = self.variance_share
        return out.reset_index(names="variable")

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: each component's share of the variance (``group`` the component),
        then each variable's loading on each component (``breakdown`` the component,
        ``group`` the variable)."""
        shares = pd.DataFrame({"measure": "variance share", "breakdown": "component",
                               "group": self.variance_share.index,
                               "value": self.variance_share.to_numpy(), "unit": "share"})
        L = self.loadings
        loads = pd.DataFrame({"measure": "loading",
                              "breakdown": np.tile(np.asarray(L.columns, dtype=object), len(L)),
                              "group": np.repeat(np.asarray(L.index, dtype=object),
                                                 L.shape[1]),
                              "value": L.to_numpy(dtype=float).reshape(-1), "unit": "loading"})
        return tidy(pd.concat([shares, loads], ignore_index=True))


def pca(values: pd.DataFrame) -> PCAResult:
    """PCA of the correlation matrix of ``values`` on complete rows (see module docs)."""
    data = values.dropna()
    x = data.to_numpy(dtype=float)
    if x.shape[0] < 3 or x.shape[1] < 2:
        raise InputError("PCA needs at least two columns and three complete rows",
                         expected="≥ 2 indicators with complete data")
    sd = x.std(axis=0, ddof=1)
    zero = np.flatnonzero(~(sd > 0))
    if zero.size:
        name = str(values.columns[int(zero[0])])
        raise InputError(f"indicator {name!r} has zero variance", column=name,
                         expected="an indicator that varies between units")
    z = (x - x.mean(axis=0)) / sd
    _, s, vt = np.linalg.svd(z, full_matrices=False)
    load = vt.T
    signs = np.sign(load[np.argmax(np.abs(load), axis=0), np.arange(load.shape[1])])
    load = load * signs
    eig = s**2 / (x.shape[0] - 1)
    names = [f"PC{i + 1}" for i in range(load.shape[1])]
    cols = list(values.columns)
    return PCAResult(
        variance_share=pd.Series(eig / eig.sum(), index=names),
        loadings=pd.DataFrame(load, index=cols, columns=names),
        scores=pd.DataFrame(z @ load, index=data.index, columns=names),
        eigenvalues=pd.Series(eig, index=names),
    )
