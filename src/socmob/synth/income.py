"""Synthetic parent–child income pairs with known true mobility parameters.

Model (a Gaussian copula with log-normal margins)::

    (Z₁, Z₂) ~ bivariate normal, corr ρ        ρ = 2·sin(π·ρ_S/6)
    parent income = exp(μ_p + σ_p·Z₁)
    child income  = exp(μ_c + σ_c·Z₂ + α_a)     α_a = effect of the child's area a

``ρ_S`` is the chosen *rank* (Spearman) correlation; for a bivariate normal
``ρ_S = (6/π)·arcsin(ρ/2)`` (Pearson 1907; Kruskal 1958), hence the conversion above.
Without area effects the population rank-rank slope equals ρ_S (both ranks are uniform
with equal variance), the IGE is ``ρ·σ_c/σ_p`` (area effects independent of parents leave
it unchanged), the k-quantile transition matrix is the bivariate-normal rectangle
probability times k, and absolute mobility is
``Φ((μ_c − μ_p)/√(σ_c² + σ_p² − 2ρσ_cσ_p))``. :class:`IncomeTruth` holds these values.

Rows are generated and written in chunks (default 1M rows) to Parquet, so 50M rows need
about as much memory as one chunk. Each chunk draws from its own ``SeedSequence`` child of
``seed``, so the same ``seed`` and ``chunk_rows`` reproduce the file exactly. Every file
is labelled synthetic: a ``synthetic`` column (always true) and file metadata
``synthetic=true`` plus the true parameters as JSON under ``socmob.truth``.
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from scipy import stats

from socmob.errors import InputError
from socmob.results import atomic_write

SYNTHETIC_KEY = b"synthetic"
TRUTH_KEY = b"socmob.truth"


def pearson_from_spearman(rank_corr: float) -> float:
    """Pearson correlation of the normal copula with Spearman correlation ``rank_corr``:
    ``ρ = 2 sin(π ρ_S / 6)``."""
    return 2.0 * math.sin(math.pi * rank_corr / 6.0)


def normal_quantile_matrix(rho: float, k: int) -> np.ndarray:
    """k×k transition matrix (rows = parent quantile) of a bivariate normal with
    correlation ``rho``: ``k·P(q_{i} < Z₁ ≤ q_{i+1}, q_{j} < Z₂ ≤ q_{j+1})``."""
    cuts = stats.norm.ppf(np.linspace(0, 1, k + 1))
    cuts[0], cuts[-1] = -np.inf, np.inf
    mvn = stats.multivariate_normal(mean=[0.0, 0.0], cov=[[1.0, rho], [rho, 1.0]])

    def cdf(a: float, b: float) -> float:
        if a == -np.inf or b == -np.inf:
            return 0.0
        if a == np.inf and b == np.inf:
            return 1.0
        if a == np.inf:
            return float(stats.norm.cdf(b))
        if b == np.inf:
            return float(stats.norm.cdf(a))
        return float(mvn.cdf([a, b]))

    F = np.array([[cdf(a, b) for b in cuts] for a in cuts])
    cells = F[1:, 1:] - F[:-1, 1:] - F[1:, :-1] + F[:-1, :-1]
    return cells * k


@dataclass(frozen=True)
class IncomeTruth:
    """The true parameters of a synthetic population (``None`` where area effects make a
    rank-based value depend on the realised mixture)."""

    rank_corr: float
    pearson_rho: float
    ige: float
    rank_slope: float | None
    p_top_given_bottom: float | None
    quintile_matrix: list[list[float]] | None
    absolute_mobility: float
    parent_mean_log: float
    parent_sd_log: float
    child_mean_log: float
    child_sd_log: float
    area_effects: dict[str, float] = field(default_factory=dict)
    area_shares: dict[str, float] = field(default_factory=dict)
    disadvantaged_cut: float | None = None
    disadvantaged_child_mean_log: float | None = None

    def to_json(self) -> str:
        return json.dumps(asdict(self))


@dataclass(frozen=True)
class SynthFile:
    """What :func:`synth_income` wrote."""

    path: Path
    rows: int
    seed: int
    truth: IncomeTruth


def _area_setup(areas: int, area_sd: float, rng: np.random.Generator
                ) -> tuple[list[str], np.ndarray, np.ndarray]:
    names = [f"A{i + 1:03d}" for i in range(areas)]
    effects = rng.normal(0.0, area_sd, size=areas) if area_sd > 0 else np.zeros(areas)
    # uneven sizes (log-normal), so some areas are small: what shrinkage is for
    sizes = np.exp(rng.normal(0.0, 1.0, size=areas))
    return names, effects, sizes / sizes.sum()


def synth_income(
    path: str | os.PathLike[str],
    *,
    rows: int,
    rank_corr: float,
    seed: int = 0,
    parent_mean_log: float = 10.2,
    parent_sd_log: float = 0.6,
    child_mean_log: float = 10.3,
    child_sd_log: float = 0.7,
    areas: int = 0,
    area_sd: float = 0.0,
    weights: bool = False,
    disadvantaged_share: float = 0.2,
    chunk_rows: int = 1_000_000,
    progress: bool = True,
    on_chunk: Callable[[int, int], None] | None = None,
) -> SynthFile:
    """Write ``rows`` synthetic parent–child pairs to a Parquet file.

    Columns: ``id``, ``parent_income``, ``child_income``, ``disadvantaged`` (parent income
    below its population ``disadvantaged_share`` quantile), ``area`` (when ``areas > 0``),
    ``weight`` (when ``weights``: 0.5, 1 or 2, independent of incomes, so every truth is
    unchanged) and ``synthetic`` (true).

    Parameters
    ----------
    rank_corr:
        The Spearman correlation of parent and child incomes, in (−1, 1).
    areas, area_sd:
        Number of areas and the SD of their true effects on log child income
        (effects drawn once from ``seed``; area sizes uneven).
    chunk_rows:
        Rows generated and written at a time (memory ∝ chunk_rows).
    progress:
        Show a progress bar on stderr.
    """
    if not isinstance(rows, int) or rows < 1:
        raise InputError(f"rows must be a positive integer, got {rows!r}")
    if not -1 < rank_corr < 1:
        raise InputError(f"rank correlation must be strictly between -1 and 1, got {rank_corr}",
                         expected="e.g. 0.35")
    if parent_sd_log <= 0 or child_sd_log <= 0:
        raise InputError("log-income standard deviations must be positive")
    if areas < 0 or area_sd < 0:
        raise InputError("areas and area_sd must be ≥ 0")
    if not 0 < disadvantaged_share < 1:
        raise InputError("disadvantaged_share must be in (0, 1)")
    if chunk_rows < 1:
        raise InputError("chunk_rows must be at least 1")
    rho = pearson_from_spearman(rank_corr)
    root = np.random.SeedSequence(seed)
    area_seq, data_seq = root.spawn(2)
    names, effects, shares = _area_setup(areas, area_sd, np.random.default_rng(area_seq))
    q_dis = float(stats.norm.ppf(disadvantaged_share))
    cut = math.exp(parent_mean_log + parent_sd_log * q_dis)
    # E[Z₁ | Z₁ < q] = −φ(q)/Φ(q); E[Z₂ | Z₁ < q] = ρ·that
    mean_z1_dis = -float(stats.norm.pdf(q_dis)) / disadvantaged_share
    s_diff = math.sqrt(child_sd_log ** 2 + parent_sd_log ** 2
                       - 2 * rho * child_sd_log * parent_sd_log)
    if areas:
        absolute = float(np.sum(shares * stats.norm.cdf(
            (child_mean_log + effects - parent_mean_log) / s_diff)))
    else:
        absolute = float(stats.norm.cdf((child_mean_log - parent_mean_log) / s_diff))
    no_areas = areas == 0 or area_sd == 0
    quint = normal_quantile_matrix(rho, 5) if no_areas else None
    truth = IncomeTruth(
        rank_corr=rank_corr, pearson_rho=rho, ige=rho * child_sd_log / parent_sd_log,
        rank_slope=rank_corr if no_areas else None,
        p_top_given_bottom=float(quint[0, 4]) if quint is not None else None,
        quintile_matrix=quint.tolist() if quint is not None else None,
        absolute_mobility=absolute,
        parent_mean_log=parent_mean_log, parent_sd_log=parent_sd_log,
        child_mean_log=child_mean_log, child_sd_log=child_sd_log,
        area_effects=dict(zip(names, map(float, effects), strict=True)),
        area_shares=dict(zip(names, map(float, shares), strict=True)),
        disadvantaged_cut=cut,
        disadvantaged_child_mean_log=child_mean_log + child_sd_log * rho * mean_z1_dis,
    )
    fields = [pa.field("id", pa.int64()), pa.field("parent_income", pa.float64()),
              pa.field("child_income", pa.float64()), pa.field("disadvantaged", pa.bool_())]
    if areas:
        fields.append(pa.field("area", pa.string()))
    if weights:
        fields.append(pa.field("weight", pa.float64()))
    fields.append(pa.field("synthetic", pa.bool_()))
    schema = pa.schema(fields, metadata={SYNTHETIC_KEY: b"true",
                                         TRUTH_KEY: truth.to_json().encode()})
    n_chunks = math.ceil(rows / chunk_rows)
    chunk_seqs = data_seq.spawn(n_chunks)
    area_array = pa.array(names, type=pa.string()) if areas else None
    sq = math.sqrt(1 - rho * rho)

    def write(handle: Any) -> None:
        from rich.console import Console
        from rich.progress import Progress

        with pq.ParquetWriter(handle, schema, compression="snappy") as writer, Progress(
                console=Console(stderr=True), disable=not progress, transient=True) as bar:
            task = bar.add_task("synthetic income pairs", total=rows)
            for c in range(n_chunks):
                rng = np.random.default_rng(chunk_seqs[c])
                start = c * chunk_rows
                m = min(chunk_rows, rows - start)
                z1 = rng.standard_normal(m)
                z2 = rho * z1 + sq * rng.standard_normal(m)
                log_child = child_mean_log + child_sd_log * z2
                columns: dict[str, Any] = {
                    "id": pa.array(np.arange(start, start + m, dtype=np.int64)),
                    "parent_income": pa.array(np.exp(parent_mean_log + parent_sd_log * z1)),
                }
                if areas:
                    codes = rng.choice(areas, size=m, p=shares)
                    log_child = log_child + effects[codes]
                columns["child_income"] = pa.array(np.exp(log_child))
                columns["disadvantaged"] = pa.array(z1 < q_dis)
                if areas:
                    assert area_array is not None
                    columns["area"] = area_array.take(pa.array(codes))
                if weights:
                    columns["weight"] = pa.array(
                        rng.choice(np.array([0.5, 1.0, 2.0]), size=m))
                columns["synthetic"] = pa.array(np.ones(m, dtype=bool))
                writer.write_table(pa.table(columns, schema=schema))
                bar.advance(task, m)
                if on_chunk is not None:
                    on_chunk(c, m)

    target = atomic_write(path, write)
    return SynthFile(path=target, rows=rows, seed=seed, truth=truth)


def read_truth(path: str | os.PathLike[str]) -> IncomeTruth | None:
    """The :class:`IncomeTruth` stored in a synthetic file's metadata (``None`` if the
    file is not a socmob synthetic file)."""
    meta = pq.read_schema(str(path)).metadata or {}
    if meta.get(SYNTHETIC_KEY) != b"true" or TRUTH_KEY not in meta:
        return None
    return IncomeTruth(**json.loads(meta[TRUTH_KEY]))


def is_synthetic(path: str | os.PathLike[str]) -> bool:
    """Whether a Parquet file carries the ``synthetic=true`` label."""
    meta = pq.read_schema(str(path)).metadata or {}
    return meta.get(SYNTHETIC_KEY) == b"true"
