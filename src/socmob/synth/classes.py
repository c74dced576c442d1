"""Synthetic origin × destination class tables with a known Unidiff structure.

The Unidiff (log-multiplicative layer effect) model of Xie (1992) and Erikson & Goldthorpe
(1992)::

    log μ_ijk = λ + λ^O_ik + λ^D_jk + φ_k · ψ_ij

says every log odds ratio of layer k (cohort, country, sex…) is φ_k times that of a common
pattern ψ: log[(μ_ij μ_i'j')/(μ_ij' μ_i'j)]_k = φ_k(ψ_ij + ψ_i'j' − ψ_ij' − ψ_i'j).

Generation: for each layer the expected table is ``exp(φ_k ψ)`` scaled by iterative
proportional fitting (Deming & Stephan 1940) to the chosen origin and destination margins
(IPF changes only the λ terms, so the odds ratios — the truth — are untouched); the
counts are one multinomial draw of ``n_k`` people from it. The default ψ is the "distance"
pattern ψ_ij = −(i − j)²/(I − 1)² (stronger inheritance near the diagonal).
"""

from __future__ import annotations

import json
import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from socmob.errors import InputError
from socmob.results import atomic_write


@dataclass(frozen=True, eq=False)
class UnidiffTable:
    """A synthetic table and its true parameters.

    ``counts`` is long: ``layer, origin, destination, count, synthetic``; ``expected``
    holds the exact expected counts (layers × origin × destination); ``psi`` and ``phi``
    are the true association pattern and layer multipliers.
    """

    counts: pd.DataFrame
    expected: np.ndarray
    psi: np.ndarray
    phi: np.ndarray
    origin_labels: tuple[str, ...]
    destination_labels: tuple[str, ...]
    layer_labels: tuple[str, ...]
    seed: int

    def log_odds_ratio(self, layer: int, i: int, j: int, i2: int, j2: int) -> float:
        """The true log odds ratio of cells (i, j), (i2, j2) in ``layer``:
        φ_k(ψ_ij + ψ_i2j2 − ψ_ij2 − ψ_i2j)."""
        p = self.psi
        return float(self.phi[layer] * (p[i, j] + p[i2, j2] - p[i, j2] - p[i2, j]))

    def write(self, path: str | os.PathLike[str]) -> Path:
        """Write :attr:`counts` as CSV or Parquet (by suffix), labelled synthetic."""
        target = Path(path)
        suffix = target.suffix.lower()
        if suffix == ".csv":
            return atomic_write(target, lambda h: h.write(self.counts.to_csv(index=False)),
                                mode="w")
        if suffix in {".parquet", ".pq"}:
            import pyarrow as pa
            import pyarrow.parquet as pq

            table = pa.Table.from_pandas(self.counts, preserve_index=False)
            meta = dict(table.schema.metadata or {})
            meta[b"synthetic"] = b"true"
            meta[b"socmob.truth"] = json.dumps({"phi": self.phi.tolist(),
                                                "psi": self.psi.tolist()}).encode()
            table = table.replace_schema_metadata(meta)
            return atomic_write(target, lambda h: pq.write_table(table, h))
        raise InputError("unsupported output type", file=str(target),
                         expected=".csv or .parquet")


def _ipf(seed_table: np.ndarray, rows: np.ndarray, cols: np.ndarray, *, tol: float = 1e-12,
         max_iter: int = 10_000) -> np.ndarray:
    m = seed_table.copy()
    for _ in range(max_iter):
        m *= (rows / m.sum(axis=1))[:, None]
        m *= (cols / m.sum(axis=0))[None, :]
        if np.max(np.abs(m.sum(axis=1) - rows)) < tol * rows.sum():
            return m
    return m  # pragma: no cover - IPF on a strictly positive table converges


def distance_pattern(classes: int) -> np.ndarray:
    """ψ_ij = −(i − j)²/(I − 1)²: association falling with class distance."""
    idx = np.arange(classes, dtype=float)
    return -((idx[:, None] - idx[None, :]) ** 2) / max(classes - 1, 1) ** 2


def synth_unidiff_table(*, phi: Sequence[float] = (1.0, 0.8, 0.6), classes: int = 5,
                        n_per_layer: int | Sequence[int] = 10_000,
                        psi: np.ndarray | Sequence[Sequence[float]] | None = None,
                        origin_shares: Sequence[float] | None = None,
                        destination_shares: Sequence[float] | None = None,
                        scale: float = 4.0, seed: int = 0,
                        labels: Sequence[str] | None = None,
                        destination_labels: Sequence[str] | None = None) -> UnidiffTable:
    """Draw a layered mobility table from a Unidiff model with known φ and ψ.

    Parameters
    ----------
    phi:
        Layer multipliers φ_k (one per layer; layer 1 conventionally 1).
    classes:
        Number of origin (= destination) classes when ``psi`` is not given.
    n_per_layer:
        People per layer (one number, or one per layer).
    psi:
        The association pattern (I × J); default ``scale × distance_pattern(classes)``.
    origin_shares, destination_shares:
        Margins (default: equal shares).
    labels, destination_labels:
        Origin class labels (default ``class_1``, …) and destination labels (default:
        the origin labels when ψ is square, else ``class_1``, …). Rows and columns are
        their own categories: a table read back keeps its shape, squared only when
        declared the same classes (see :meth:`socmob.tables.MobilityTable.from_long`).
    """
    phi_arr = np.asarray(phi, dtype=float)
    if phi_arr.ndim != 1 or len(phi_arr) < 1 or not np.isfinite(phi_arr).all():
        raise InputError("phi must be a list of finite numbers, one per layer")
    psi_arr = (scale * distance_pattern(classes) if psi is None
               else np.asarray(psi, dtype=float))
    if psi_arr.ndim != 2 or min(psi_arr.shape) < 2 or not np.isfinite(psi_arr).all():
        raise InputError("psi must be a finite matrix with at least 2 rows and 2 columns")
    n_i, n_j = psi_arr.shape
    sizes = np.broadcast_to(np.asarray(n_per_layer, dtype=np.int64), phi_arr.shape)
    if (sizes < 1).any():
        raise InputError("n_per_layer must be positive")

    def shares(given: Sequence[float] | None, k: int, name: str) -> np.ndarray:
        if given is None:
            return np.full(k, 1.0 / k)
        arr = np.asarray(given, dtype=float)
        if arr.shape != (k,) or (arr <= 0).any():
            raise InputError(f"{name} must be {k} positive shares")
        return arr / arr.sum()

    r = shares(origin_shares, n_i, "origin_shares")
    c = shares(destination_shares, n_j, "destination_shares")
    rng = np.random.default_rng(seed)
    origin = _labels(labels, n_i, "labels")
    if destination_labels is not None:
        dest = _labels(destination_labels, n_j, "destination_labels")
    else:
        dest = origin if n_j == n_i else _labels(None, n_j, "destination_labels")
    layers = tuple(f"layer_{k + 1}" for k in range(len(phi_arr)))
    expected = np.empty((len(phi_arr), n_i, n_j))
    frames = []
    for k, (f, n) in enumerate(zip(phi_arr, sizes, strict=True)):
        mu = _ipf(np.exp(f * psi_arr), r * n, c * n)
        expected[k] = mu
        draw = rng.multinomial(int(n), (mu / mu.sum()).ravel()).reshape(n_i, n_j)
        oo, dd = np.meshgrid(np.arange(n_i), np.arange(n_j), indexing="ij")
        frames.append(pd.DataFrame({
            "layer": layers[k], "origin": np.asarray(origin)[oo.ravel()],
            "destination": np.asarray(dest)[dd.ravel()], "count": draw.ravel(),
        }))
    counts = pd.concat(frames, ignore_index=True)
    counts["synthetic"] = True
    return UnidiffTable(counts=counts, expected=expected, psi=psi_arr, phi=phi_arr,
                        origin_labels=origin, destination_labels=dest, layer_labels=layers,
                        seed=seed)


def _labels(given: Sequence[str] | None, n: int, name: str) -> tuple[str, ...]:
    if given is None:
        return tuple(f"class_{k + 1}" for k in range(n))
    out = tuple(str(v) for v in given)
    if len(out) != n or len(set(out)) != n:
        raise InputError(f"{name} must be {n} distinct labels, got {len(out)}",
                         expected=f"{n} labels, one per class")
    return out


__all__ = ["UnidiffTable", "distance_pattern", "synth_unidiff_table"]
