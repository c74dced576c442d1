"""Weights: manual, equal, PCA-based, effective weights and weight noise.

Weights are *relative* within each parent: aggregation re-scales the weights of a
parent's children to sum to one. The effective weight of a code in the index is the
product of its re-scaled weights along the path to the top,
:math:`\\tilde w_j = \\frac{w_j}{\\sum_{k \\in s(j)} w_k}\\,\\tilde w_{p(j)}` (siblings s, parent p)
(COINr's ``get_eff_weights``).

PCA weights (OECD/JRC 2008 *Handbook*, section 6.1): for each parent, the squared loadings
of the first principal component of the correlation matrix of its children, which sum to
one (a child's share of the variance the first component explains).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from socmob.errors import InputError
from socmob.place.composite.meta import Hierarchy


def equal_weights(hierarchy: Hierarchy) -> pd.Series:
    """Weight 1 for every code (equal weights within each parent)."""
    return pd.Series(1.0, index=list(hierarchy.codes), name="Weight")


def effective_weights(hierarchy: Hierarchy, weights: pd.Series | Mapping[str, float]
                      ) -> pd.Series:
    """Effective weight of every code in the top-level index (see the module docstring)."""
    w = pd.Series(weights, dtype=float).reindex(list(hierarchy.codes))
    eff = pd.Series(np.nan, index=list(hierarchy.codes), name="EffWeight")
    order = sorted(range(len(hierarchy.codes)), key=lambda k: -hierarchy.levels[k])
    for k in order:
        code = hierarchy.codes[k]
        if hierarchy.parents[k] is None:
            eff[code] = 1.0
            continue
        parent = hierarchy.position(hierarchy.parents[k])  # type: ignore[arg-type]
        sib = [hierarchy.codes[c] for c in hierarchy.children[parent]]
        total = w[sib].sum()
        eff[code] = (w[code] / total if total > 0 else np.nan) * eff[hierarchy.codes[parent]]
    return eff


def pca_weights(values: pd.DataFrame, hierarchy: Hierarchy, *, level: int) -> pd.Series:
    """Weights of the codes at ``level`` from the first principal component within each
    parent (squared loadings, summing to one per parent); other codes keep weight 1.

    ``values`` holds at least the columns of the codes at ``level`` (complete rows are
    used). A parent with one child gives that child weight 1.
    """
    from socmob.place.composite.diagnostics import pca

    out = equal_weights(hierarchy)
    for k, _code in enumerate(hierarchy.codes):
        if hierarchy.levels[k] != level + 1:
            continue
        kids = [hierarchy.codes[c] for c in hierarchy.children[k]]
        missing = [c for c in kids if c not in values.columns]
        if missing:
            raise InputError(f"no values for {missing[0]!r} to derive PCA weights",
                             column=missing[0], expected=f"a data set with Level {level}")
        if len(kids) == 1:
            continue
        res = pca(values[kids])
        out[kids] = res.loadings.iloc[:, 0].to_numpy() ** 2
    return out


def noisy_weights(
    weights: np.ndarray,
    hierarchy: Hierarchy,
    *,
    noise: Mapping[int, float],
    n: int,
    rng: np.random.Generator,
) -> np.ndarray:
    """``n`` copies of ``weights`` (one per code) with each weight at level *l* multiplied
    by an independent :math:`U(1-a_l, 1+a_l)` factor, ``noise = {l: a_l}`` (COINr's
    ``get_noisy_weights``). Returns ``(n, codes)``."""
    w = np.asarray(weights, dtype=float)
    levels = np.asarray(hierarchy.levels)
    out = np.broadcast_to(w, (n, w.size)).copy()
    for lev, a in noise.items():
        if not 0 <= a < 1:
            raise InputError(f"weight noise {a} at level {lev}", column="noise",
                             expected="a fraction in [0, 1)")
        cols = np.flatnonzero(levels == lev)
        out[:, cols] *= rng.uniform(1 - a, 1 + a, size=(n, cols.size))
    return out
