"""``compare(table, models=…)``: several association models fitted to one table, side by side.

The model-comparison table of the mobility literature (e.g. Erikson & Goldthorpe 1992,
ch. 3; Xie 1992, table 2): one row per model with the likelihood-ratio statistic G², its
degrees of freedom and p-value, Raftery's BIC' = G² − df · ln N, AIC' = G² − 2 df and the
index of dissimilarity Δ between observed and fitted counts. The preferred model is the
one with the lowest BIC' (Raftery 1986: BIC' < 0 favours the model over the saturated
one; a difference of 10 or more is "very strong" evidence).

References: Raftery, A. E. (1986) Choosing models for cross-classifications, *ASR*
51:145-146; Erikson, R. & Goldthorpe, J. H. (1992) *The Constant Flux*; Xie, Y. (1992)
*ASR* 57:380-395.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import ConvergenceError, ModelSpecError
from socmob.models.fit import MODELS, _as_table, _model_name, fit
from socmob.models.result import FitResult
from socmob.results import Result, jsonable, tidy

STATISTICS = ("deviance", "df", "p_value", "bic", "aic", "dissimilarity")
"""The columns of a comparison, in order (``dissimilarity`` in per cent)."""


@dataclass(frozen=True, eq=False)
class ModelComparison(Result):
    """Models fitted to one table, compared.

    Attributes
    ----------
    fits:
        model name → :class:`FitResult`, in the order asked for.
    not_fitted:
        model name → why it could not be fitted on this table (a model that needs a
        square table, a fit that did not converge …).
    nobs:
        N, the number of cases in the table.
    """

    fits: Mapping[str, FitResult]
    not_fitted: Mapping[str, str] = field(default_factory=dict)
    nobs: float = float("nan")

    def __getitem__(self, model: str) -> FitResult:
        return self.fits[model]

    @property
    def preferred(self) -> str:
        """The model with the lowest BIC' (the first such in order on a tie)."""
        return min(self.fits, key=lambda name: self.fits[name].bic)

    def statistics(self) -> pd.DataFrame:
        """One row per model: ``model, deviance, df, p_value, bic, aic, dissimilarity,
        converged, preferred`` (unrounded)."""
        preferred = self.preferred
        rows = []
        for name, res in self.fits.items():
            rows.append({"model": name, "deviance": res.deviance, "df": int(res.df),
                         "p_value": res.p_value, "bic": res.bic, "aic": res.aic,
                         "dissimilarity": res.dissimilarity, "converged": res.converged,
                         "preferred": name == preferred})
        return pd.DataFrame(rows, columns=["model", *STATISTICS, "converged", "preferred"])

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: one per model and statistic (``breakdown = "model"``, ``group`` the
        model; ``note`` says which model BIC' prefers)."""
        rows = []
        preferred = self.preferred
        for name, res in self.fits.items():
            for key in STATISTICS:
                value = res.p_value if key == "p_value" else getattr(res, key)
                rows.append({"measure": key, "breakdown": "model", "group": name,
                             "value": float(value),
                             "unit": "%" if key == "dissimilarity" else None,
                             "note": "preferred (lowest BIC')" if name == preferred else None})
        return tidy(pd.DataFrame(rows), n=self.nobs)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: ``preferred``, ``models`` (one record per model) and
        ``not_fitted`` (model → reason)."""
        return jsonable({
            "result": "ModelComparison",
            "preferred": self.preferred,
            "nobs": self.nobs,
            "models": self.statistics().to_dict(orient="records"),
            "not_fitted": dict(self.not_fitted),
        })  # type: ignore[no-any-return]

    def summary(self) -> str:
        """The comparison as a text table, the preferred model marked."""
        frame = self.statistics()
        frame["preferred"] = np.where(frame["preferred"], "*", "")
        lines = [f"Model comparison (N = {self.nobs:g}; * = lowest BIC')",
                 frame.to_string(index=False)]
        if self.not_fitted:
            lines.append("Not fitted: " + "; ".join(f"{m} ({why})"
                                                    for m, why in self.not_fitted.items()))
        return "\n".join(lines)


def default_models(table: Any) -> list[str]:
    """The models :func:`compare` fits when none are named: for an unlayered table every
    two-way model, for a layered one every layered model, leaving out those that need a
    square table when it is not square."""
    tbl = _as_table(table)
    layered = tbl.counts.shape[0] > 1
    square = tbl.origin == tbl.destination
    return [name for name, info in MODELS.items()
            if info.layered == layered and (square or not info.square)]


def compare(table: Any, models: Sequence[str] | str | None = None, *,
            n_starts: int | None = None, seed: int | None = 0,
            **options: Any) -> ModelComparison:
    """Fit several association models to ``table`` and compare them.

    Parameters
    ----------
    table:
        anything :func:`socmob.models.fit` accepts.
    models:
        model names (see :data:`socmob.models.MODELS`), or ``None`` / ``"all"`` for
        :func:`default_models`. A named model that cannot be fitted on this table (it
        needs a square table, a layered one, or did not converge) is listed in
        ``not_fitted`` with the reason; the others are still compared.
    n_starts, seed, options:
        passed to :func:`~socmob.models.fit` (``row_scores``, ``column_scores``,
        ``dimensions``, ``tol``, ``max_iter``).

    Raises
    ------
    NotFoundError
        an unknown model name.
    ModelSpecError
        none of the models could be fitted.
    """
    if models is None or (isinstance(models, str) and models.strip().lower() == "all"):
        names = default_models(table)
    else:
        wanted = [models] if isinstance(models, str) else list(models)
        names = list(dict.fromkeys(_model_name(m).name for m in wanted))
    fits: dict[str, FitResult] = {}
    not_fitted: dict[str, str] = {}
    for name in names:
        try:
            fits[name] = fit(table, name, n_starts=n_starts, seed=seed, **options)
        except (ModelSpecError, ConvergenceError) as exc:
            not_fitted[name] = str(exc)
    if not fits:
        reasons = "; ".join(f"{m}: {why}" for m, why in not_fitted.items())
        raise ModelSpecError(f"none of the models could be fitted on this table ({reasons})")
    nobs = next(iter(fits.values())).nobs
    return ModelComparison(fits=fits, not_fitted=not_fitted, nobs=nobs)


__all__ = ["STATISTICS", "ModelComparison", "compare", "default_models"]
