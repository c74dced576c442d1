"""Getis–Ord Gi*: hot and cold spots (:func:`getis_ord`).

Reference: Ord, J. K. & Getis, A. (1995). Local spatial autocorrelation statistics:
distributional issues and an application. *Geographical Analysis* 27, 286–306.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socmob.checks import check_alpha
from socmob.place.defaults import PERMUTATIONS
from socmob.place.spatial._shared import (
    NOT_SIGNIFICANT,
    Correction,
    _aligned,
    _check_permutations,
    _codes,
    _label,
    _labelled_summary,
    adjust_pvalues,
    local_rows,
)
from socmob.place.spatial.weights import AreaWeights
from socmob.results import Result

__all__ = ["GetisOrd", "getis_ord"]


@dataclass(frozen=True)
class GetisOrd(Result):
    """Getis–Ord Gi* for every area (binary weights including the area itself).

    Gᵢ* z-score (Ord & Getis 1995):

        Zᵢ = (Σⱼ wᵢⱼ xⱼ − x̄ Σⱼ wᵢⱼ) / (S · √[(n Σⱼ wᵢⱼ² − (Σⱼ wᵢⱼ)²)/(n − 1)])

    with wᵢᵢ = 1, S² = Σ xⱼ²/n − x̄². Zᵢ > 0 with a small p-value: a hot spot (high
    values cluster around i); Zᵢ < 0: a cold spot.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    values: np.ndarray
    z: np.ndarray
    p_norm: np.ndarray
    p_sim: np.ndarray
    p_adjusted: np.ndarray
    spot: tuple[str, ...]
    correction: str
    alpha: float
    permutations: int
    index: str | None = None
    period: str | None = None
    seed: int | None = None
    codes: tuple[str, ...] = ()

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per area: the Gi* z-score, then ``area_id``, ``spot`` and the
        p-values."""
        return local_rows(self, measure="getis_ord_gi_star_z", value=self.z,
                          unit="z-score", spot=list(self.spot), p_norm=self.p_norm,
                          p_sim=self.p_sim, p_adjusted=self.p_adjusted)


    def counts(self) -> dict[str, int]:
        """Number of areas per label (hot spot, cold spot, not significant)."""
        return {str(k): int(v) for k, v in pd.Series(self.spot).value_counts().items()}

    def summary(self) -> str:
        return _labelled_summary("Getis–Ord Gi*", self, self.spot)


def getis_ord(
    values: pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray,
    weights: AreaWeights,
    *,
    permutations: int = PERMUTATIONS,
    seed: int | None = None,
    correction: Correction = "none",
    alpha: float = 0.05,
) -> GetisOrd:
    """Getis–Ord Gi* hot and cold spots (:class:`esda.G_Local`, ``star=True``, binary
    weights with wᵢᵢ = 1).

    The G ratio Σⱼ wᵢⱼ xⱼ / Σⱼ xⱼ needs positive x; SMC z-scores average zero, so the
    values are shifted to x − min(x) + 1 first. The z-score above and the permutation
    ranks are unchanged by a shift. Significance uses the permutation p-values (after
    ``correction``); without permutations, the normal p-values.
    """
    import esda

    _check_permutations(permutations)
    check_alpha(alpha)
    y = _aligned(values, weights)
    shifted = y - y.min() + 1.0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        g = esda.G_Local(shifted, weights.to_w("b"), transform="B", star=True,
                         permutations=permutations, seed=seed, n_jobs=1)
    z = np.asarray(g.Zs, dtype=float)
    p_norm = 2.0 * np.asarray(g.p_norm, dtype=float)  # esda's is one-sided: sf(|Z|)
    p = np.asarray(g.p_sim, dtype=float) if permutations else p_norm
    p_adj = adjust_pvalues(p, correction)
    spot = tuple(("hot spot" if zi > 0 else "cold spot") if pi < alpha else NOT_SIGNIFICANT
                 for zi, pi in zip(z, p_adj, strict=True))
    index, period = _label(values)
    return GetisOrd(
        ids=weights.ids, names=tuple(weights.names.get(i, i) for i in weights.ids),
        values=y, z=z, p_norm=p_norm, p_sim=p if permutations else np.full(len(y), np.nan),
        p_adjusted=p_adj, spot=spot, correction=correction, alpha=alpha,
        permutations=permutations, index=index, period=period, seed=seed,
        codes=_codes(weights),
    )
