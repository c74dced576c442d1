"""Which cells a model can fit, and which parameters it can estimate, on a table with zeros.

When a category has no cases — a zero margin, or a destination absent from one layer of
a layered table — the maximum-likelihood fitted counts of some cells are forced to zero
whatever the parameters, and the parameters that only those cells inform are not
estimable (they run off to −∞). Bishop, Fienberg & Holland (1975, §3.8 and ch. 5) count
such cells as structural zeros and such parameters as absent:

    df = (cells − cells fitted as structural zeros) − (parameters − parameters not estimable)

which is what R's ``glm`` reports when those cells are left out of the data (and not
what it reports when they are kept, where every cell is still counted).

Which cells are forced to zero is found exactly, for any design, as the complement of
the *facial set* (Fienberg & Rinaldo 2012; Eriksson, Fienberg, Rinaldo & Sullivant
2006): a zero cell is forced to zero when some direction ``v = Xβ`` in the model's
linear space is ``≥ 0`` on every zero cell, ``= 0`` on every positive cell and ``> 0``
on that cell — moving the parameters along ``−β`` then lowers the fitted count of that
cell towards 0 without changing the sufficient statistics of the others. One linear
programme finds every such cell at once:

    maximise Σ t_c  subject to  X₊ β = 0,  0 ≤ t_c ≤ (X₀ β)_c,  t_c ≤ 1

(``X₊`` the rows of positive cells, ``X₀`` those of zero cells); at the optimum
``t_c = 1`` exactly on the forced cells, since the sum of feasible directions is
feasible. References: Bishop, Y. M. M., Fienberg, S. E. & Holland, P. W. (1975)
*Discrete Multivariate Analysis*, MIT Press; Fienberg, S. E. & Rinaldo, A. (2012)
Maximum likelihood estimation in log-linear models, *Annals of Statistics* 40:996-1023.
"""

from __future__ import annotations

import numpy as np


def forced_zero_cells(X: np.ndarray, y: np.ndarray, include: np.ndarray) -> np.ndarray:
    """Boolean mask of the cells (among ``include``) whose fitted value the model with
    design ``X`` forces to zero given the counts ``y`` (see the module docstring)."""
    forced = np.zeros(len(y), dtype=bool)
    zero = include & (y == 0)
    if not zero.any():
        return forced
    from scipy.optimize import linprog

    Xp = X[include & (y > 0)]
    Xz = X[zero]
    scale = np.max(np.abs(X[include]), axis=0)
    scale[scale == 0] = 1.0
    Xp, Xz = Xp / scale, Xz / scale
    p, nz = X.shape[1], Xz.shape[0]
    c = np.concatenate([np.zeros(p), -np.ones(nz)])
    a_ub = np.hstack([-Xz, np.eye(nz)])
    a_eq = np.hstack([Xp, np.zeros((Xp.shape[0], nz))])
    bounds = [(None, None)] * p + [(0.0, 1.0)] * nz
    res = linprog(c, A_ub=a_ub, b_ub=np.zeros(nz), A_eq=a_eq, b_eq=np.zeros(len(Xp)),
                  bounds=bounds, method="highs")
    if res.status != 0 or res.x is None:  # pragma: no cover - the LP is always feasible
        return forced
    hit = res.x[p:] > 0.5
    forced[np.flatnonzero(zero)[hit]] = True
    return forced


def independent_columns(X: np.ndarray, *, rtol: float = 1e-9) -> np.ndarray:
    """Indices of the columns of ``X`` kept when each column is kept only if it is not a
    linear combination of the columns kept before it (R's ``glm`` drops aliased columns
    in the same way: later ones go)."""
    n, p = X.shape
    basis = np.zeros((n, 0))
    keep: list[int] = []
    for k in range(p):
        x = X[:, k].astype(float)
        size = float(np.linalg.norm(x))
        if size == 0.0:
            continue
        r = x - basis @ (basis.T @ x)
        r = r - basis @ (basis.T @ r)  # re-orthogonalise once (Gram-Schmidt twice)
        rest = float(np.linalg.norm(r))
        if rest > rtol * size * max(1.0, np.sqrt(n)):
            basis = np.column_stack([basis, r / rest])
            keep.append(k)
    return np.asarray(keep, dtype=np.int64)


__all__ = ["forced_zero_cells", "independent_columns"]
