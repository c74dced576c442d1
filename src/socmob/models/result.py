"""The one result type of every association model fit."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from socmob.checks import check_alpha
from socmob.results import Result, jsonable, tidy


@dataclass(frozen=True, eq=False)
class FitResult(Result):
    """A fitted log-linear or log-multiplicative model (statsmodels vocabulary).

    Attributes
    ----------
    model:
        the model name (kebab-case, a key of :data:`socmob.models.MODELS`).
    deviance:
        likelihood-ratio statistic ``G² = 2 Σ n log(n/m)`` over the fitted cells.
    df:
        residual degrees of freedom, ``df_resid``: fitted cells minus estimable free
        parameters, where cells the model fits as structural zeros (because a category
        has no cases) are not counted and neither are the parameters they leave
        unestimable (Bishop, Fienberg & Holland 1975; see :mod:`socmob.models._support`).
    pearson_chi2:
        ``X² = Σ (n − m)² / m``.
    bic:
        Raftery's ``BIC' = G² − df · ln N`` (Raftery 1986), the convention of the mobility
        literature — *not* R's ``BIC()``.
    aic:
        ``G² − 2 df``.
    dissimilarity:
        index of dissimilarity between observed and fitted counts in per cent,
        ``100 Σ|n − m| / (2N)``: the share of cases the model misclassifies.
    nobs:
        ``N``, the total count of the fitted cells (structural zeros excluded).
    params, bse:
        estimates and standard errors (inverse expected information at the solution),
        indexed by readable names.
    fitted:
        fitted counts, the shape of the input table (structural-zero cells are 0).
    converged, iterations:
        convergence of the best start and its number of iterations.
    n_cells:
        cells in the likelihood: all cells less declared structural zeros and cells
        fitted as structural zeros.
    starts, start_deviances:
        starts fitted and the deviance each reached.
    forced_zeros:
        cells whose fitted value the model forces to zero (a zero margin, a destination
        absent from a layer …): fitted as structural zeros, left out of ``n_cells`` and df.
    not_estimable:
        names of parameters that those cells leave without information (R's ``glm``
        reports them as ``NA`` when the cells are left out); they are not in
        :attr:`params`.
    """

    model: str
    deviance: float
    df: int
    pearson_chi2: float
    bic: float
    aic: float
    dissimilarity: float
    nobs: float
    params: pd.Series
    bse: pd.Series
    fitted: np.ndarray
    converged: bool
    iterations: int
    cov_params_matrix: np.ndarray = field(repr=False)
    n_cells: int = 0
    layer_labels: tuple[str, ...] = ()
    log_phi: np.ndarray | None = field(default=None, repr=False)
    log_phi_se: np.ndarray | None = field(default=None, repr=False)
    log_phi_quasi_se: np.ndarray | None = field(default=None, repr=False)
    starts: int = 1
    start_deviances: tuple[float, ...] = ()
    note: str = ""
    forced_zeros: int = 0
    not_estimable: tuple[str, ...] = ()

    @property
    def df_resid(self) -> int:
        """Residual degrees of freedom (statsmodels name of :attr:`df`)."""
        return self.df

    @property
    def p_value(self) -> float:
        """Upper-tail chi-square probability of ``G²`` on ``df`` degrees of freedom."""
        if self.df <= 0:
            return float("nan")
        return float(stats.chi2.sf(self.deviance, self.df))

    def cov_params(self) -> pd.DataFrame:
        """Covariance matrix of :attr:`params`."""
        idx = self.params.index
        return pd.DataFrame(self.cov_params_matrix, index=idx, columns=idx)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Wald confidence intervals ``params ± z_{1−α/2} · bse`` (columns lower, upper)."""
        z = float(stats.norm.ppf(1.0 - check_alpha(alpha) / 2.0))
        return pd.DataFrame(
            {"lower": self.params - z * self.bse, "upper": self.params + z * self.bse}
        )

    @property
    def layer_effects(self) -> pd.DataFrame | None:
        """Unidiff layer effects: ``layer, log_phi, log_phi_se, phi`` with the first layer
        the reference (``log_phi = 0``, ``phi = 1``, SE 0), plus ``log_phi_quasi_se``
        (quasi standard errors, Firth & de Menezes 2004, for comparing any two layers;
        three or more layers); ``None`` for other models."""
        if self.log_phi is None or self.log_phi_se is None:
            return None
        frame = pd.DataFrame(
            {
                "layer": list(self.layer_labels),
                "log_phi": self.log_phi,
                "log_phi_se": self.log_phi_se,
                "phi": np.exp(self.log_phi),
            }
        )
        if self.log_phi_quasi_se is not None:
            frame["log_phi_quasi_se"] = self.log_phi_quasi_se
        return frame

    def statistics(self) -> dict[str, Any]:
        """Goodness-of-fit statistics as a dictionary."""
        return {
            "model": self.model,
            "deviance": self.deviance,
            "df": self.df,
            "p_value": self.p_value,
            "pearson_chi2": self.pearson_chi2,
            "bic": self.bic,
            "aic": self.aic,
            "dissimilarity": self.dissimilarity,
            "nobs": self.nobs,
            "converged": self.converged,
            "iterations": self.iterations,
        }

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: one per fit statistic, parameter (with 95% CI) and layer effect."""
        rows: list[dict[str, Any]] = []
        for key in ("deviance", "df", "pearson_chi2", "bic", "aic", "dissimilarity", "nobs"):
            rows.append({"measure": key, "value": getattr(self, key),
                         "unit": "%" if key == "dissimilarity" else None})
        ci = self.conf_int()
        for name in self.params.index:
            rows.append({"measure": "parameter", "group": name, "value": self.params[name],
                         "lci": ci.loc[name, "lower"], "uci": ci.loc[name, "upper"]})
        if self.log_phi is not None and self.log_phi_se is not None:
            z = float(stats.norm.ppf(0.975))
            for label, lp, se in zip(self.layer_labels, self.log_phi, self.log_phi_se,
                                     strict=True):
                rows.append({"measure": "log_phi", "breakdown": "layer", "group": label,
                             "value": float(lp), "lci": float(lp - z * se),
                             "uci": float(lp + z * se)})
        return tidy(pd.DataFrame(rows), note=self.model, n=self.nobs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary: ``model, deviance, df, pearson_chi2, bic, aic,
        dissimilarity, nobs, params`` (+ ``bse``, ``converged``) and, for layered
        log-multiplicative models, ``layer_effects: {labels, log_phi, log_phi_se, phi}``."""
        out: dict[str, Any] = {
            "model": self.model,
            "deviance": self.deviance,
            "df": self.df,
            "pearson_chi2": self.pearson_chi2,
            "bic": self.bic,
            "aic": self.aic,
            "dissimilarity": self.dissimilarity,
            "nobs": self.nobs,
            "params": {str(k): float(v) for k, v in self.params.items()},
            "bse": {str(k): float(v) for k, v in self.bse.items()},
            "converged": self.converged,
            "iterations": self.iterations,
        }
        if self.log_phi is not None and self.log_phi_se is not None:
            out["layer_effects"] = {
                "labels": list(self.layer_labels),
                "log_phi": self.log_phi.tolist(),
                "log_phi_se": self.log_phi_se.tolist(),
                "phi": np.exp(self.log_phi).tolist(),
            }
            if self.log_phi_quasi_se is not None:
                out["layer_effects"]["log_phi_quasi_se"] = self.log_phi_quasi_se.tolist()
        return jsonable(out)  # type: ignore[no-any-return]

    def summary(self) -> str:
        """Plain-text summary: fit statistics, then parameters with SEs and 95% CIs."""
        lines = [
            f"Association model: {self.model}",
            f"  G² = {self.deviance:.4f} on {self.df} df (p = {self.p_value:.4g}); "
            f"X² = {self.pearson_chi2:.4f}",
            f"  BIC' = {self.bic:.3f}; AIC' = {self.aic:.3f}; "
            f"dissimilarity = {self.dissimilarity:.3f}%; N = {self.nobs:g}",
            f"  converged = {self.converged} after {self.iterations} iterations"
            + (f" (best of {self.starts} starts)" if self.starts > 1 else ""),
        ]
        if self.note:
            lines.append(f"  note: {self.note}")
        effects = self.layer_effects
        if effects is not None:
            lines += ["", "Layer effects (first layer = reference):",
                      effects.to_string(index=False)]
        ci = self.conf_int()
        table = pd.DataFrame({"estimate": self.params, "std.err": self.bse,
                              "lower 95%": ci["lower"], "upper 95%": ci["upper"]})
        lines += ["", "Parameters:", table.to_string()]
        return "\n".join(lines)
