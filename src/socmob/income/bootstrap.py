"""The Poisson bootstrap of the income estimators: every replicate from one scan.

**Poisson bootstrap.** Replicate b re-weights row i by ``mᵢ_b ~ Poisson(1)``, independent
across rows, which approximates resampling rows with replacement without building a
resample (Hanley & MacGibbon 2006, *Comput. Methods Programs Biomed.* 83:57; Chamandy,
Muralidharan, Najmi & Naik 2012, "Estimating uncertainty for massive data streams",
Google). Every statistic here is a smooth function of weighted sums over the rows, so a
replicate's statistic follows from the replicate's sums ``Σ mᵢ_b·wᵢ·fᵢ``.

**One scan.** The engine ranks the rows once and aggregates, per group, *bucket* and
transition cell (the parent and child quantiles), the eleven sums the replicates need
(weight; the rank moments Σw·u, Σw·v, Σw·u², Σw·uv with u, v the ranks minus 50; the
same five for the log incomes of the IGE; Σw·[child > parent] for absolute mobility).
A row's bucket is a hash of its position in a deterministic order (child income, parent
income, weight, group; numbered in the same sort as the child ranks when it can). The
multipliers are then drawn per (replicate, bucket) in numpy, from a hash of (seed,
replicate, bucket), and each replicate's sums are a product of the multipliers with the
bucket sums — 200 replicates cost one pass over the data and a few matrix products, not
200 passes.

* Up to :data:`EXACT_ROWS` rows every row is its own bucket: this *is* the row-level
  Poisson bootstrap.
* Beyond that, rows are hashed into ``B`` random buckets (at most :data:`MAX_BUCKETS`,
  fewer when many groups × cells would make the engine's answer larger than
  :data:`BUCKET_ROWS`), and all rows of a bucket share the bucket's multiplier: a Poisson
  bootstrap of random groups of rows. Because the grouping is random (the rows are
  exchangeable), a bucket's centred sum has the same expectation of its square as the
  row sums it replaces, so the replicate variance of a smooth statistic estimates the
  same quantity as the row-level bootstrap, with the precision of a variance estimated
  from ``B`` groups — relative standard error of the bootstrap SE ≈ 1/√(2B), 0.6% at
  B = 16 384, below the Monte Carlo error of the replicates themselves (≈ 1/√(2R), 5% at
  R = 200). Random-group variance estimation: Wolter (2007) *Introduction to Variance
  Estimation*, ch. 2.

**Ranks are held fixed.** Every row keeps its full-sample percentile rank and quantile
in every replicate. The bootstrap therefore leaves out the sampling variability of the
ranks themselves (of the estimated parent and child income distributions): the rank of
a row does not move when its neighbours are re-weighted, and a replicate's bottom
quintile need not hold exactly 20% of the replicate's weight. For the statistics here
the consequence is small: on a bivariate-normal population (Spearman ρ = 0.35, n = 2000,
400 samples) the fixed-rank and the re-ranked bootstrap SEs of the rank slope and of
P(Q5|Q1) agreed within 2%, and were 3% and 7% above the Monte Carlo SD of the estimates
(itself known to ±3.5%): if anything slightly conservative; at n = 1000 (4,000 samples)
the rank slope's was 0.0287 against a true SD of 0.0286. ``tests/income/test_bootstrap.py``
checks the coverage of the percentile intervals on synthetic populations with known
truth. Rows, not people, are the resampling unit. The Poisson pseudo-ML IGE
(``zero_policy="ppml"``) is iterative and has no replicates; its interval is the
sandwich one.

The multipliers and the buckets come from integer hashes computed identically in numpy
and by DuckDB and Spark (no engine hash function), so a seed gives the same replicates on
every engine and every run.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import ibis
import numpy as np
import pandas as pd
from ibis.expr import types as ir

from socmob.income._data import Prepared
from socmob.income.indices import INDEX_NAMES, index_values
from socmob.income.plan import (
    Spec,
    bin_columns,
    binned,
    engine_sums,
    log_parts,
    ranked,
)

EXACT_ROWS = 131_072
"""Up to this many rows, every row is its own bucket (the row-level Poisson bootstrap)."""

MAX_BUCKETS = 16_384
"""The most random buckets rows are hashed into beyond :data:`EXACT_ROWS`."""

MIN_BUCKETS = 128
"""The fewest buckets, however many groups × cells there are."""

BUCKET_ROWS = 2**19
"""The largest number of (group, bucket, cell) rows the engine is asked to return, unless
:data:`MIN_BUCKETS` needs more."""

REPLICATE_CHUNK = 32
"""Replicates computed together (bounds the memory of the multiplier matrix)."""

_MASK32 = 0xFFFFFFFF
_POISSON1_CDF = np.cumsum([math.exp(-1.0) / math.factorial(k) for k in range(25)])


# --------------------------------------------------------------------------- hashing


def _mul32(h: Any, c: int) -> Any:
    """``(h·c) mod 2³²`` for ``0 ≤ h < 2³²`` without exceeding 2⁴⁹ on the way, so the
    engines' 64-bit integers never overflow (DuckDB refuses to, Spark would wrap)."""
    lo, hi = c & 0xFFFF, c >> 16
    return (h * lo + ((h * hi) % 65_536) * 65_536) % 4_294_967_296


_FMIX32_STEPS = (
    lambda h: h ^ (h >> 16),
    lambda h: _mul32(h, 0x85EBCA6B),
    lambda h: h ^ (h >> 13),
    lambda h: _mul32(h, 0xC2B2AE35),
    lambda h: h ^ (h >> 16),
)


def mix32(h: Any) -> Any:
    """MurmurHash3's 32-bit finaliser (``fmix32``; Appleby 2011) — a bijection of
    ``[0, 2³²)`` whose every output bit depends on every input bit — written with
    operations that numpy, DuckDB and Spark compute identically (integer ``*``, ``%``,
    ``^``, ``>>`` below 2⁶³), so a row lands in the same bucket on every engine."""
    for step in _FMIX32_STEPS:
        h = step(h)
    return h


def mix32_column(t: ir.Table, column: str) -> ir.Table:
    """``t`` with ``column`` replaced by :func:`mix32` of it, one projection per step (an
    expression nesting the steps would repeat its input at every step: 2⁵ times)."""
    for step in _FMIX32_STEPS:
        t = t.mutate(**{column: step(t[column])})
    return t


def _splitmix64(x: np.ndarray) -> np.ndarray:
    """SplitMix64's output function (Steele, Lea & Flood 2014) on uint64 (wrapping)."""
    with np.errstate(over="ignore"):
        z = x + np.uint64(0x9E3779B97F4A7C15)
        z = (z ^ (z >> np.uint64(30))) * np.uint64(0xBF58476D1CE4E5B9)
        z = (z ^ (z >> np.uint64(27))) * np.uint64(0x94D049BB133111EB)
        return z ^ (z >> np.uint64(31))


def bucket_key(seed: int) -> int:
    """The 32-bit key mixed into row positions, from the seed."""
    return int(_splitmix64(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
               & np.uint64(_MASK32))


def poisson_multipliers(seed: int, replicates: range, buckets: int) -> np.ndarray:
    """Poisson(1) multipliers, ``m[b, h]`` for replicate ``b`` of ``replicates`` and bucket
    ``h < buckets``: the Poisson(1) quantile of a uniform made from SplitMix64 of (seed,
    replicate, bucket). Deterministic on every machine; independent across buckets and
    replicates as far as SplitMix64 is a good generator."""
    base = _splitmix64(np.array([seed & 0xFFFFFFFFFFFFFFFF], dtype=np.uint64))[0]
    b = np.arange(replicates.start, replicates.stop, dtype=np.uint64)[:, None]
    h = np.arange(buckets, dtype=np.uint64)[None, :]
    bits = _splitmix64(base ^ ((b << np.uint64(32)) | h))
    u = (bits >> np.uint64(11)).astype(np.float64) * 2.0**-53
    return np.searchsorted(_POISSON1_CDF, u, side="right").astype(np.float64)


def bucket_count(n_rows: int, n_groups: int, n_cells: int) -> int | None:
    """How many random buckets rows are hashed into; ``None`` when every row is its own
    bucket (``n_rows ≤`` :data:`EXACT_ROWS`)."""
    if n_rows <= EXACT_ROWS:
        return None
    room = max(BUCKET_ROWS // max(n_groups * n_cells, 1), 1)
    return int(min(MAX_BUCKETS, max(MIN_BUCKETS, 2 ** int(math.log2(room)))))


def with_row_buckets(t: ir.Table, position: str, *, buckets: int | None, key: int
                     ) -> ir.Table:
    """``t`` with column ``position`` (a row's place in a deterministic order, from 0)
    turned into its bucket: the position itself (``buckets=None``), or the position
    hashed with :func:`mix32` and ``key`` into ``[0, buckets)``."""
    if buckets is None:
        return t
    t = mix32_column(t.mutate(**{position: (t[position] + key) % 4_294_967_296}), position)
    return t.mutate(**{position: t[position] % buckets})


# --------------------------------------------------------------------------- the scan


@dataclass(frozen=True)
class _Scan:
    """The engine's answer, laid out for the replicates."""

    groups: tuple[str, ...]
    group_index: np.ndarray      # per aggregated row
    bucket: np.ndarray           # per aggregated row
    cell_index: np.ndarray       # per aggregated row
    cells: np.ndarray            # (n_cells, len(bin columns)) quantile of each cell
    features: dict[str, np.ndarray]
    n_buckets: int               # multipliers needed: buckets, or rows when exact
    exact: bool                  # every row its own bucket


def _scan(prep: Prepared, spec: Spec, shift: Mapping[str, Any] | None,
          groups: tuple[str, ...], seed: int) -> _Scan:
    rt = ranked(prep, prep.table, spec, unit_weights=not spec.weighted, row_id="_b")
    rt, ks = binned(rt, spec)
    # cells per axis: the k-quantile and quintile cuts split 0–100 into at most k + 4
    # intervals (just 5 when k = 5)
    per_axis = max(5 if k == 5 else k + 4 for k in ks) if ks else 1
    n_rows = prep.n_rows - prep.n_missing
    buckets = bucket_count(n_rows, len(groups), per_axis * per_axis)
    rt = with_row_buckets(rt, "_b", buckets=buckets, key=bucket_key(seed))
    u, v, w = rt._rx - 50.0, rt._ry - 50.0, rt._w
    d = ibis.ifelse(rt._y * spec.child_factor > rt._x * spec.parent_factor, 1.0, 0.0)
    aggs: dict[str, Any] = {"f_w": w.sum(), "f_u": (w * u).sum(), "f_v": (w * v).sum(),
                            "f_uu": (w * u * u).sum(), "f_uv": (w * u * v).sum(),
                            "f_a": (w * d).sum()}
    if _bootstraps_ige(spec):
        assert shift is not None
        lx, ly, mask = log_parts(rt, spec)
        lx, ly, wm = lx - shift["cx"], ly - shift["cy"], w * mask
        aggs.update(f_m=wm.sum(), f_lx=(wm * lx).sum(), f_ly=(wm * ly).sum(),
                    f_lxlx=(wm * lx * lx).sum(), f_lxly=(wm * lx * ly).sum())
    keys = ["_g", "_b", *bin_columns(ks)]
    frame = engine_sums(prep, rt.group_by(keys).aggregate(**aggs), "the bootstrap sums")
    frame = frame[frame["_g"].astype(str).isin(groups)]
    group_pos = {g: i for i, g in enumerate(groups)}
    bins = frame[bin_columns(ks)].to_numpy(dtype=np.int64) if ks else np.zeros((len(frame), 0),
                                                                                 np.int64)
    cells, cell_index = (np.unique(bins, axis=0, return_inverse=True) if len(frame)
                         else (np.zeros((0, bins.shape[1]), np.int64), np.zeros(0, np.int64)))
    bucket = frame["_b"].to_numpy(dtype=np.int64)
    return _Scan(groups=groups,
                 group_index=frame["_g"].astype(str).map(group_pos).to_numpy(dtype=np.int64),
                 bucket=bucket, cell_index=np.asarray(cell_index).reshape(-1),
                 cells=cells,
                 features={name: frame[name].to_numpy(dtype=np.float64) for name in aggs},
                 n_buckets=n_rows if buckets is None else buckets, exact=buckets is None)


def _bootstraps_ige(spec: Spec) -> bool:
    return "ige" in spec.want and spec.zero_policy != "ppml"


DENSE_VALUES = 2**23
"""Up to this many (bucket × group × cell × sum) values, the bucket sums are laid out as
a dense matrix and every replicate chunk is one BLAS product; beyond (row-by-row
resampling of many rows), as a sparse one."""


class _Replicator:
    """``Σ_rows m_b(bucket)·sum`` for chunks of replicates: ``multipliers (b × buckets)``
    times the bucket sums, dense or sparse."""

    def __init__(self, scan: _Scan) -> None:
        self.names = list(scan.features)
        self.shape = (len(scan.groups), len(scan.cells))
        n_f = len(self.names)
        key = scan.group_index * self.shape[1] + scan.cell_index
        values = np.column_stack([scan.features[n] for n in self.names])
        self.dense = scan.n_buckets * self.shape[0] * self.shape[1] * n_f <= DENSE_VALUES
        if self.dense:
            table = np.zeros((scan.n_buckets, self.shape[0] * self.shape[1], n_f))
            table[scan.bucket, key] = values  # (bucket, group, cell) is unique
            self.table = table.reshape(scan.n_buckets, -1)
        else:
            from scipy import sparse

            rows = len(key)
            self.to_keys = sparse.csr_matrix((np.ones(rows), (key, np.arange(rows))),
                                             shape=(self.shape[0] * self.shape[1], rows))
            self.values = values
            self.bucket = scan.bucket

    def sums(self, multipliers: np.ndarray) -> dict[str, np.ndarray]:
        """``{sum name: array (groups, cells, replicates)}`` for ``multipliers``
        ``(replicates × buckets)``."""
        b = multipliers.shape[0]
        if self.dense:
            out = (multipliers @ self.table).reshape(b, *self.shape, len(self.names))
            return {n: np.moveaxis(out[..., i], 0, -1) for i, n in enumerate(self.names)}
        m = multipliers[:, self.bucket].T  # aggregated rows × replicates
        return {n: np.asarray(self.to_keys @ (m * self.values[:, [i]])).reshape(*self.shape, b)
                for i, n in enumerate(self.names)}


# --------------------------------------------------------------------------- statistics


def _slope_stats(s0: np.ndarray, s1: np.ndarray, t1: np.ndarray, s11: np.ndarray,
                 s01: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Slope, and the means of x and y, of weighted least squares from the sums
    ``Σw, Σw·x, Σw·y, Σw·x², Σw·xy`` (vectorised over replicates)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = s1 / s0, t1 / s0
        sxx = s11 - s1 * mx
        slope = (s01 - s1 * my) / sxx
        slope = np.where(sxx > 1e-12 * np.abs(s11), slope, np.nan)
    return slope, mx, my


def _statistics(sums: Mapping[str, np.ndarray], cells: np.ndarray, ks: list[int],
                spec: Spec, shift: Mapping[str, Any] | None) -> dict[str, np.ndarray]:
    """The replicate statistics of one group from its sums ``(cells, replicates)``."""
    total = {name: values.sum(axis=0) for name, values in sums.items()}
    out: dict[str, np.ndarray] = {}
    slope, mu, mv = _slope_stats(total["f_w"], total["f_u"], total["f_v"], total["f_uu"],
                                 total["f_uv"])
    intercept = (mv + 50.0) - slope * (mu + 50.0)
    out.update(rank_slope=slope, rank_intercept=intercept,
               expected_rank_p25=intercept + 25.0 * slope)
    if "f_m" in total:
        assert shift is not None
        out["ige"] = _slope_stats(total["f_m"], total["f_lx"], total["f_ly"],
                                  total["f_lxlx"], total["f_lxly"])[0]
    if ks:
        weights = sums["f_w"]                              # (cells, replicates)
        columns = {name: i for i, name in enumerate(bin_columns(ks))}
        k = spec.quantiles
        matrices = {}
        for kk in ks:
            one_hot = np.zeros((len(cells), kk * kk))
            one_hot[np.arange(len(cells)),
                    cells[:, columns[f"_qx{kk}"]] * kk + cells[:, columns[f"_qy{kk}"]]] = 1.0
            matrices[kk] = (one_hot.T @ weights).T.reshape(-1, kk, kk)
        with np.errstate(invalid="ignore", divide="ignore"):
            q = matrices[5]
            out["p_top_given_bottom"] = q[:, 0, 4] / q[:, 0, :].sum(axis=1)
            shares = matrices[k] / matrices[k].sum(axis=2, keepdims=True)
        # NaN for a replicate with an empty parent quantile
        values = index_values(shares)
        for name in INDEX_NAMES:
            out[f"index_{name}"] = values[name]
    with np.errstate(invalid="ignore", divide="ignore"):
        out["absolute_mobility"] = total["f_a"] / total["f_w"]
    return out


def bootstrap_replicates(prep: Prepared, spec: Spec, shift: Mapping[str, Any] | None,
                         replicates: int, seed: int | None, progress: bool, *,
                         groups: tuple[str, ...]) -> tuple[dict[str, pd.DataFrame], int | None]:
    """Replicate statistics (one row per replicate) for each of ``groups``, and the number
    of random buckets the rows were hashed into (``None``: every row on its own)."""
    from rich.console import Console
    from rich.progress import Progress

    seed_value = 0 if seed is None else int(seed)
    scan = _scan(prep, spec, shift, groups, seed_value)
    ks = sorted({spec.quantiles, 5}) if "transition" in spec.want else []
    replicator = _Replicator(scan)
    parts: dict[str, list[dict[str, np.ndarray]]] = {g: [] for g in groups}
    with Progress(console=Console(stderr=True), disable=not progress, transient=True) as bar:
        task = bar.add_task("bootstrap", total=replicates)
        for start in range(0, replicates, REPLICATE_CHUNK):
            chunk = range(start, min(start + REPLICATE_CHUNK, replicates))
            sums = replicator.sums(poisson_multipliers(seed_value, chunk, scan.n_buckets))
            for i, g in enumerate(groups):
                parts[g].append(_statistics({k: v[i] for k, v in sums.items()}, scan.cells,
                                            ks, spec, shift))
            bar.advance(task, len(chunk))
    frames = {g: pd.DataFrame({name: np.concatenate([p[name] for p in chunks])
                               for name in chunks[0]}) for g, chunks in parts.items()}
    return frames, None if scan.exact else scan.n_buckets


__all__ = [
    "EXACT_ROWS",
    "MAX_BUCKETS",
    "bootstrap_replicates",
    "bucket_count",
    "mix32",
    "mix32_column",
    "poisson_multipliers",
    "with_row_buckets",
]
