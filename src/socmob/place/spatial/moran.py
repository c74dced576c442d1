"""Moran's I: global (:func:`global_moran`) and local (:func:`local_moran`, LISA).

Global Moran's I measures how strongly similar values cluster on the map, with a seeded
permutation p-value. Local Moran labels each area's cluster: high-high (hotspot),
low-low (coldspot), high-low and low-high outliers, with permutation p-values and an
optional multiple-testing correction (Bonferroni or Benjamini–Hochberg). On the SMC
indices a higher z-score is the more favourable side, so a *hotspot* is a cluster of
favourable areas and a *coldspot* a cluster of unfavourable ones.

References
----------
Moran, P. A. P. (1950). Notes on continuous stochastic phenomena. *Biometrika* 37, 17–23.
Cliff, A. D. & Ord, J. K. (1981). *Spatial Processes: Models and Applications*. Pion.
Anselin, L. (1995). Local indicators of spatial association — LISA. *Geographical
Analysis* 27, 93–115.
Benjamini, Y. & Hochberg, Y. (1995). Controlling the false discovery rate. *JRSS B* 57,
289–300.
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
from socmob.results import Result, tidy

#: Cluster labels of the local Moran quadrants (esda's ``q``: 1 HH, 2 LH, 3 LL, 4 HL).
CLUSTER_LABELS: dict[int, str] = {
    1: "hotspot (high-high)",
    2: "low-high outlier",
    3: "coldspot (low-low)",
    4: "high-low outlier",
}

_CHUNK = 10_000  # permutations evaluated per matrix product in global_moran

__all__ = ["CLUSTER_LABELS", "GlobalMoran", "LocalMoran", "global_moran", "local_moran"]


@dataclass(frozen=True)
class GlobalMoran(Result):
    """Global Moran's I.

    I = (n / S₀) · (zᵀ W z) / (zᵀ z), z = y − ȳ, S₀ = Σᵢⱼ wᵢⱼ (= n for row-standardised W).

    ``expected`` = E[I] = −1/(n−1); ``z_norm``/``p_norm`` from the variance under
    normality (Cliff & Ord 1981); ``p_sim`` the folded permutation pseudo p-value
    (min(#{Iₚ ≥ I}, P − #{Iₚ ≥ I}) + 1) / (P + 1) as in esda.
    """

    I: float  # noqa: E741 - the statistic's conventional name
    expected: float
    variance_norm: float
    z_norm: float
    p_norm: float
    p_sim: float | None
    permutations: int
    n: int
    index: str | None = None
    period: str | None = None
    seed: int | None = None

    def to_frame(self) -> pd.DataFrame:
        base = {"area_code": None, "area_name": "all areas", "period": self.period,
                "breakdown": "index", "group": self.index, "n": self.n}
        frame = pd.DataFrame([
            {**base, "measure": "moran_i", "value": self.I,
             "note": f"E[I] = {self.expected:.4f}"},
            {**base, "measure": "moran_z_norm", "value": self.z_norm},
            {**base, "measure": "moran_p_norm", "value": self.p_norm},
            {**base, "measure": "moran_p_sim", "value": self.p_sim,
             "note": f"{self.permutations} permutations, seed {self.seed}"},
        ])
        return tidy(frame, unit="statistic")

    def summary(self) -> str:
        what = " ".join(x for x in (self.index, self.period) if x)
        lines = [f"Global Moran's I{' — ' + what if what else ''}",
                 f"n = {self.n}, I = {self.I:.4f} (E[I] = {self.expected:.4f})",
                 f"z (normality) = {self.z_norm:.3f}, p = {self.p_norm:.4g}"]
        if self.p_sim is not None:
            lines.append(f"permutation p = {self.p_sim:.4g} ({self.permutations} "
                         f"permutations, seed {self.seed})")
        return "\n".join(lines)


def global_moran(
    values: pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray,
    weights: AreaWeights,
    *,
    permutations: int = PERMUTATIONS,
    seed: int | None = None,
) -> GlobalMoran:
    """Global Moran's I of ``values`` under row-standardised ``weights``.

    The statistic and its normal-theory moments come from :class:`esda.Moran`; the
    permutation test is run here with a seeded :func:`numpy.random.default_rng` so that
    results are reproducible without touching numpy's global random state:
    Iₚ = (n/S₀)·(zₚᵀ W zₚ)/(zᵀz) for P random permutations zₚ of z.

    Parameters
    ----------
    values
        A Series/mapping keyed by area id (aligned to ``weights.ids``) or an array in
        ``weights.ids`` order.
    permutations
        Number of random permutations (0 = none).
    seed
        Seed of the permutation generator.
    """
    import esda

    _check_permutations(permutations)
    y = _aligned(values, weights)
    w = weights.to_w("r")
    mi = esda.Moran(y, w, transformation="r", permutations=0)
    p_sim: float | None = None
    if permutations:
        from scipy.sparse import csr_matrix

        mat = csr_matrix(weights.matrix("r"))
        z = y - y.mean()
        rng = np.random.default_rng(seed)
        scale = len(y) / mat.sum() / (z @ z)
        larger = 0
        for start in range(0, permutations, _CHUNK):
            size = min(_CHUNK, permutations - start)
            perms = rng.permuted(np.broadcast_to(z, (size, z.size)), axis=1)
            sims = scale * (np.asarray((mat @ perms.T).T) * perms).sum(axis=1)
            larger += int((sims >= mi.I).sum())
        larger = min(larger, permutations - larger)
        p_sim = (larger + 1.0) / (permutations + 1.0)
    index, period = _label(values)
    return GlobalMoran(
        I=float(mi.I), expected=float(mi.EI), variance_norm=float(mi.VI_norm),
        z_norm=float(mi.z_norm), p_norm=float(mi.p_norm), p_sim=p_sim,
        permutations=permutations, n=len(y), index=index, period=period, seed=seed,
    )


@dataclass(frozen=True)
class LocalMoran(Result):
    """Local Moran's I (LISA) for every area, with cluster labels.

    Iᵢ = (n − 1) · zᵢ · Σⱼ wᵢⱼ zⱼ / Σₖ zₖ², z = (y − ȳ)/s (esda's scaling; Anselin's
    1995 form uses n in place of n − 1, which changes no p-value or label).

    ``quadrant``: 1 high-high, 2 low-high, 3 low-low, 4 high-low (sign of zᵢ and of its
    spatial lag). ``p_sim``: conditional-permutation pseudo p-values; ``p_adjusted``:
    after ``correction``. An area is labelled a hotspot/coldspot/outlier only where
    ``p_adjusted < alpha``.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    values: np.ndarray
    Is: np.ndarray
    lag: np.ndarray
    quadrant: np.ndarray
    p_sim: np.ndarray
    p_adjusted: np.ndarray
    cluster: tuple[str, ...]
    correction: str
    alpha: float
    permutations: int
    index: str | None = None
    period: str | None = None
    seed: int | None = None
    codes: tuple[str, ...] = ()

    def counts(self) -> dict[str, int]:
        """Number of areas per cluster label."""
        return {str(k): int(v) for k, v in pd.Series(self.cluster).value_counts().items()}

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per area: the local I, then ``area_id``, ``cluster``, the
        value, its spatial lag and the p-values."""
        return local_rows(self, measure="local_moran_i", value=self.Is, unit="statistic",
                          cluster=list(self.cluster), z=self.values, spatial_lag=self.lag,
                          p_sim=self.p_sim, p_adjusted=self.p_adjusted)

    def summary(self) -> str:
        return _labelled_summary("Local Moran clusters", self, self.cluster)


def _cluster_labels(quadrant: np.ndarray, p: np.ndarray, alpha: float) -> tuple[str, ...]:
    return tuple(CLUSTER_LABELS[int(q)] if pi < alpha else NOT_SIGNIFICANT
                 for q, pi in zip(quadrant, p, strict=True))


def local_moran(
    values: pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray,
    weights: AreaWeights,
    *,
    permutations: int = PERMUTATIONS,
    seed: int | None = None,
    correction: Correction = "none",
    alpha: float = 0.05,
) -> LocalMoran:
    """Local Moran (LISA) statistics and hot/cold-spot clusters (:class:`esda.Moran_Local`
    with row-standardised weights and conditional permutation inference).

    ``correction``: ``"none"``, ``"bonferroni"`` or ``"fdr"`` (Benjamini–Hochberg) over
    the n pseudo p-values. A pseudo p-value cannot fall below 1/(P+1): with Bonferroni
    over 205 areas at α = 0.05 that needs P ≥ 4,100 permutations before anything can be
    significant.
    """
    import esda

    _check_permutations(permutations)
    check_alpha(alpha)
    y = _aligned(values, weights)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lm = esda.Moran_Local(y, weights.to_w("r"), transformation="r",
                              permutations=permutations, seed=seed, n_jobs=1)
    p = np.asarray(lm.p_sim, dtype=float) if permutations else np.full(len(y), np.nan)
    p_adj = adjust_pvalues(p, correction) if permutations else p
    lag = weights.matrix("r") @ np.asarray(lm.z, dtype=float)
    index, period = _label(values)
    return LocalMoran(
        ids=weights.ids, names=tuple(weights.names.get(i, i) for i in weights.ids),
        values=y, Is=np.asarray(lm.Is, dtype=float), lag=lag,
        quadrant=np.asarray(lm.q, dtype=int), p_sim=p, p_adjusted=p_adj,
        cluster=_cluster_labels(np.asarray(lm.q), np.nan_to_num(p_adj, nan=1.0), alpha),
        correction=correction, alpha=alpha, permutations=permutations,
        index=index, period=period, seed=seed, codes=_codes(weights),
    )

