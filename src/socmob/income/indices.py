"""Summary mobility indices of a transition matrix.

``P`` is a k×k row-stochastic matrix: ``P[i, j]`` = share of children of origin class i
(e.g. parent income quintile) who reach destination class j. Every index is 0 for the
identity matrix (complete immobility); conventions follow Shorrocks (1978) and Formby,
Smith & Zheng (2004).

* **Shorrocks–Prais** ``M_P = (k − tr P)/(k − 1)`` — Prais (1955), Shorrocks (1978)
  *Econometrica* 46:1013–1024. 1 for the perfect-mobility matrix (every row equal to the
  destination margin) of a quantile matrix.
* **Second eigenvalue** ``M_2 = 1 − |λ₂|``, with λ₂ the eigenvalue of second-largest
  modulus (Sommers & Conlisk 1979; Shorrocks 1978): speed of convergence to the
  stationary distribution.
* **Determinant** ``M_D = 1 − |det P|^{1/(k−1)}`` — Shorrocks (1978).
* **Bartholomew** ``M_B = (1/(k−1)) Σᵢ πᵢ Σⱼ pᵢⱼ |i − j|`` — Bartholomew (1982) *Stochastic
  Models for Social Processes*: the average number of class boundaries crossed, divided by
  its maximum ``k − 1``. Convention: ``πᵢ = 1/k`` for quantile matrices (every origin
  quantile holds the same share); pass ``origin_shares`` for other matrices.
  :attr:`MobilityIndices.bartholomew_raw` is the undivided average Σᵢ πᵢ Σⱼ pᵢⱼ|i − j|.

Also reported: the immobility ratio ``tr P / k`` and the shares above (upward) and below
(downward) the diagonal, weighted by ``π``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socmob.errors import InputError
from socmob.results import Result, tidy

INDEX_NAMES: tuple[str, ...] = ("shorrocks_prais", "eigenvalue", "determinant", "bartholomew")


@dataclass(frozen=True)
class MobilityIndices(Result):
    """The indices of one transition matrix (see the module docstring for formulas)."""

    shorrocks_prais: float
    eigenvalue: float
    determinant: float
    bartholomew: float
    bartholomew_raw: float
    immobility_ratio: float
    upward_share: float
    downward_share: float
    k: int
    group: str | None = None

    def as_dict(self) -> dict[str, float]:
        """The four headline indices keyed as in the CLI's JSON."""
        return {name: float(getattr(self, name)) for name in INDEX_NAMES}

    def to_frame(self) -> pd.DataFrame:
        names = (*INDEX_NAMES, "bartholomew_raw", "immobility_ratio", "upward_share",
                 "downward_share")
        frame = pd.DataFrame({"measure": [f"mobility_index_{n}" for n in names],
                              "value": [getattr(self, n) for n in names]})
        return tidy(frame, group=self.group, unit="index",
                    note=f"{self.k}x{self.k} transition matrix")


def mobility_indices(matrix: Sequence[Sequence[float]] | np.ndarray | pd.DataFrame, *,
                     normalise: bool = False, origin_shares: Sequence[float] | None = None,
                     atol: float = 1e-6, group: str | None = None) -> MobilityIndices:
    """Shorrocks–Prais, second-eigenvalue, determinant and Bartholomew indices of ``matrix``.

    Parameters
    ----------
    matrix:
        k×k transition matrix, rows = origin, each row summing to 1.
    normalise:
        Divide each row by its sum first (for published matrices whose rows are rounded).
    origin_shares:
        πᵢ for the Bartholomew index and the up/down shares; default ``1/k`` each.
    atol:
        Tolerance for the row sums when ``normalise`` is false.
    """
    P = np.asarray(matrix, dtype=float)
    if P.ndim != 2 or P.shape[0] != P.shape[1] or P.shape[0] < 2:
        raise InputError("a transition matrix must be square with at least 2 classes",
                         expected=f"a k×k matrix, got shape {P.shape}")
    if not np.isfinite(P).all():
        raise InputError("transition matrix has missing or infinite cells",
                         expected="finite shares (is an origin class empty?)")
    if (P < 0).any():
        raise InputError("transition matrix has negative cells", expected="shares ≥ 0")
    sums = P.sum(axis=1)
    if normalise:
        if (sums <= 0).any():
            raise InputError("a row of the transition matrix sums to 0",
                             expected="every origin class with some members")
        P = P / sums[:, None]
    elif not np.allclose(sums, 1.0, atol=atol):
        bad = int(np.argmax(np.abs(sums - 1.0)))
        raise InputError(f"row {bad + 1} of the transition matrix sums to {sums[bad]:.6g}",
                         expected="rows summing to 1 (or pass normalise=True)")
    k = P.shape[0]
    if origin_shares is None:
        pi = np.full(k, 1.0 / k)
    else:
        pi = np.asarray(origin_shares, dtype=float)
        if pi.shape != (k,) or (pi < 0).any() or not np.isclose(pi.sum(), 1.0):
            raise InputError("origin_shares must be k non-negative shares summing to 1",
                             expected=f"{k} shares")
    values = index_values(P[None], pi)
    return MobilityIndices(**{name: float(v[0]) for name, v in values.items()}, k=k,
                           group=group)


def index_values(P: np.ndarray, origin_shares: np.ndarray | None = None
                 ) -> dict[str, np.ndarray]:
    """Every index of a stack of k×k row-stochastic matrices ``P[..., k, k]`` (no checks:
    :func:`mobility_indices` validates one matrix; the bootstrap computes many at once).
    A matrix with a missing (NaN) row gives NaN indices."""
    k = P.shape[-1]
    pi = np.full(k, 1.0 / k) if origin_shares is None else np.asarray(origin_shares, float)
    idx = np.arange(k)
    distance = np.abs(idx[:, None] - idx[None, :])
    ok = np.isfinite(P).all(axis=(-2, -1))
    safe = np.where(ok[..., None, None], P, np.eye(k))
    moduli = -np.sort(-np.abs(np.linalg.eigvals(safe)), axis=-1)
    det = np.linalg.det(safe)
    trace = np.trace(P, axis1=-2, axis2=-1)
    raw = (P * distance).sum(axis=-1) @ pi
    values = {
        "shorrocks_prais": (k - trace) / (k - 1),
        "eigenvalue": 1.0 - moduli[..., 1],
        "determinant": 1.0 - np.abs(det) ** (1.0 / (k - 1)),
        "bartholomew": raw / (k - 1),
        "bartholomew_raw": raw,
        "immobility_ratio": trace / k,
        "upward_share": np.triu(P, 1).sum(axis=-1) @ pi,
        "downward_share": np.tril(P, -1).sum(axis=-1) @ pi,
    }
    return {name: np.where(ok, v, np.nan) for name, v in values.items()}
