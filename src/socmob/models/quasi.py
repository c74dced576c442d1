"""Quasi-variances (Firth & de Menezes 2004) for reference-free comparisons of effects.

A factor's effects are estimated relative to a reference level, so their standard errors
describe comparisons with that level only. Quasi-variances ``q_1..q_K`` approximate the
variance of *every* simple contrast::

    var(b_i − b_j) ≈ q_i + q_j

chosen to minimise ``Σ_{i<j} [log var(b_i − b_j) − log(q_i + q_j)]²`` (the criterion of
R's ``qvcalc``), so that intervals ``b_i ± 1.96 √q_i`` can be compared with each other.
References: Firth, D. & de Menezes, R. X. (2004) Quasi-variances. *Biometrika*
91:65-80; Firth, D. (2003) *Sociological Methodology* 33:1-18.
"""

from __future__ import annotations

import numpy as np
from scipy.optimize import least_squares

from socmob.errors import ModelSpecError


def quasi_variances(cov: np.ndarray) -> np.ndarray:
    """Quasi-variances of effects with covariance matrix ``cov`` (K × K, including the
    reference level as a row and column of zeros). One of them may be negative (see
    ``qvcalc``); at least three levels are needed."""
    cov = np.asarray(cov, dtype=float)
    n = cov.shape[0]
    if cov.shape != (n, n) or n < 3:
        raise ModelSpecError("quasi-variances need a square covariance matrix of 3 or more "
                             "levels")
    i, j = np.triu_indices(n, k=1)
    v = cov[i, i] + cov[j, j] - 2.0 * cov[i, j]
    if np.any(v <= 0):
        raise ModelSpecError("quasi-variances need every contrast to have positive variance")
    target = np.log(v)

    def residuals(q: np.ndarray) -> np.ndarray:
        s = q[i] + q[j]
        return target - np.log(np.where(s > 0, s, 1e-300))

    def jac(q: np.ndarray) -> np.ndarray:
        s = q[i] + q[j]
        out = np.zeros((len(i), n))
        rows = np.arange(len(i))
        out[rows, i] = -1.0 / s
        out[rows, j] = -1.0 / s
        return out

    start = np.full(n, float(np.median(v)) / 2.0)
    fitted = least_squares(residuals, start, jac=jac, xtol=1e-15, ftol=1e-15, gtol=1e-15,
                           method="lm")
    return np.asarray(fitted.x)
