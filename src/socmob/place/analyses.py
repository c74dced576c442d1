"""The every-area analyses of the embedded SMC data, with socmob's choices for them.

The dashboard, the API and ``socmob place`` show the same analyses of the published
composite indices (:func:`socmob.data.composites`) on the 205-area map
(:func:`socmob.data.boundaries`). The choices behind them — the expected-outcome models,
999 permutations, the seed, queen contiguity with islands linked to their nearest area,
10,000 Monte Carlo runs — are defined once in :mod:`socmob.place.defaults` and
re-exported here; each analysis is a function of the edition (and of options with those
defaults) returning the library's own result objects:

* :func:`area_weights` — contiguity neighbours of the map's areas
  (:func:`socmob.place.spatial.contiguity_weights`);
* :func:`global_moran_by_index`, :func:`local_moran_by_index`,
  :func:`getis_ord_by_index` — a spatial statistic of every area on each index
  (latest period by default), as a :class:`~socmob.results.ByGroup` keyed by index code;
* :func:`expected_outcomes` — better/worse than expected for each of
  :data:`EXPECTED_MODELS`, a :class:`~socmob.results.ByGroup` keyed by the model
  (``"ci4 on ci1"``);
* :func:`smc_rank_uncertainty` — rank intervals and band probabilities
  (:func:`socmob.place.smc_uncertainty.rank_uncertainty_from_composites`);
* :func:`warm` — all of the dashboard's analyses of an edition, computed once.

Deterministic and cached: every random stream is seeded, so an analysis is computed once
per process and argument set (thread-safe: concurrent callers wait for the one
computation) and kept for the life of the process; the embedded data cannot change under
it. A caller always gets its own copy of the frames and arrays of a cached result
(:class:`~socmob.place.spatial.AreaWeights` is immutable and shared), so nothing a caller
does to its answer can reach another caller. Nothing derived from a user's data passes
through here: these functions read only the packaged data.

A group that cannot be estimated (an index whose values do not vary, a period an index
was not published for) is named in the result's ``not_estimated`` with the reason; an
edition an analysis does not apply to, or an unknown index, raises
:class:`~socmob.errors.NotFoundError` or :class:`~socmob.errors.InputError`.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable, Mapping, Sequence
from dataclasses import fields, replace
from typing import Any, Literal, TypeVar

import numpy as np
import pandas as pd

from socmob.errors import InputError, NotFoundError, SocmobError
from socmob.place.defaults import (
    ALPHA,
    CONTIGUITY,
    EDITION,
    EXPECTED_MODELS,
    ISLAND_K,
    MAP_EDITIONS,
    PERMUTATIONS,
    RANK_EDITIONS,
    RANK_RUNS,
    SEED,
)
from socmob.place.expected import ExpectedFit, expected_from_composites
from socmob.place.selection import choose, index_values
from socmob.place.smc_uncertainty import (
    SigmaArg,
    SmcRankUncertainty,
    rank_uncertainty_from_composites,
)
from socmob.place.spatial import (
    AreaWeights,
    Contiguity,
    Correction,
    GetisOrd,
    GlobalMoran,
    LocalMoran,
    contiguity_weights,
    getis_ord,
    global_moran,
    local_moran,
)
from socmob.results import ByGroup, Result

__all__ = [
    "ALPHA",
    "CONTIGUITY",
    "EDITION",
    "EXPECTED_MODELS",
    "ISLAND_K",
    "MAP_EDITIONS",
    "PERMUTATIONS",
    "RANK_EDITIONS",
    "RANK_RUNS",
    "SEED",
    "area_weights",
    "clear_cache",
    "expected_outcomes",
    "getis_ord_by_index",
    "global_moran_by_index",
    "index_codes",
    "local_moran_by_index",
    "model_label",
    "smc_rank_uncertainty",
    "warm",
]

T = TypeVar("T")
R = TypeVar("R", bound=Result)


# --------------------------------------------------------------------------- cache


class _Memo:
    """Values computed once per key, at most ``maxsize`` kept (least recently used
    dropped). Concurrent callers of one key wait for the one computation; a computation
    that raises is not kept, so the next call tries again."""

    def __init__(self, maxsize: int = 16) -> None:
        self.maxsize = maxsize
        self._values: OrderedDict[Hashable, Any] = OrderedDict()
        self._pending: dict[Hashable, threading.Lock] = {}
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[no-any-return]
            pending = self._pending.setdefault(key, threading.Lock())
        with pending:
            with self._lock:
                if key in self._values:
                    return self._values[key]  # type: ignore[no-any-return]
            try:
                value = compute()
                with self._lock:  # kept before the pending lock goes: no second run
                    self._values[key] = value
                    while len(self._values) > self.maxsize:
                        self._values.popitem(last=False)
            finally:
                with self._lock:
                    self._pending.pop(key, None)
        return value

    def clear(self) -> None:
        with self._lock:
            self._values.clear()


_MEMOS: dict[str, _Memo] = {name: _Memo() for name in
                            ("data", "weights", "spatial", "expected", "rank")}


def clear_cache() -> None:
    """Forget every computed analysis (they are recomputed, identically, on next use)."""
    for memo in _MEMOS.values():
        memo.clear()


def _own_copy(result: T) -> T:
    """``result`` with its own copy of every frame, series, array and dict it holds."""
    if isinstance(result, ByGroup):
        return ByGroup(by=result.by,  # type: ignore[return-value]
                       results={g: _own_copy(r) for g, r in result.results.items()},
                       not_estimated=dict(result.not_estimated))
    changes: dict[str, Any] = {}
    for f in fields(result):  # type: ignore[arg-type]
        value = getattr(result, f.name)
        if isinstance(value, (pd.DataFrame, pd.Series, np.ndarray)):
            changes[f.name] = value.copy()
        elif isinstance(value, dict):
            changes[f.name] = dict(value)
    return replace(result, **changes) if changes else result  # type: ignore[type-var]


# --------------------------------------------------------------------------- data


def _composites(edition: int) -> pd.DataFrame:
    """The edition's composites table (read once; used here only, never handed out)."""

    def compute() -> pd.DataFrame:
        from socmob.data import composites

        frame = composites(edition=edition)
        frame["period"] = frame["period"].astype(str)
        return frame

    return _MEMOS["data"].get(edition, compute)


def index_codes(edition: int = EDITION) -> tuple[str, ...]:
    """The composite indices published in ``edition``, in code order."""
    return tuple(sorted(_composites(edition)["index_code"].astype(str).unique()))


def _wanted(edition: int, indices: str | Sequence[str] | None) -> tuple[str, ...]:
    codes = index_codes(edition)
    if indices is None:
        return codes
    asked = [indices] if isinstance(indices, str) else list(indices)
    if not asked:
        raise InputError("no index given", column="indices", expected="e.g. ['ci1']")
    return tuple(choose(str(code), codes, "index") for code in asked)


def _check_map(edition: int) -> None:
    if edition not in MAP_EDITIONS:
        raise NotFoundError(
            f"no area map for edition {edition}: the embedded map holds the areas of "
            f"edition {', '.join(str(e) for e in MAP_EDITIONS)}",
            [str(e) for e in MAP_EDITIONS])


# --------------------------------------------------------------------------- spatial


def area_weights(edition: int = EDITION, *, contiguity: Contiguity = CONTIGUITY,
                 island_k: int = ISLAND_K) -> AreaWeights:
    """Contiguity neighbours of the areas on the embedded map, islands linked to their
    ``island_k`` nearest areas (:func:`socmob.place.spatial.contiguity_weights`).

    Computed once per argument set; the result is immutable and shared.
    """
    _check_map(edition)

    def compute() -> AreaWeights:
        from socmob.data import boundaries

        return contiguity_weights(boundaries("areas"), kind=contiguity, island_k=island_k)

    return _MEMOS["weights"].get((edition, contiguity, island_k), compute)


Statistic = Literal["global_moran", "local_moran", "getis_ord"]
_STATISTICS: dict[str, Callable[..., Any]] = {
    "global_moran": global_moran, "local_moran": local_moran, "getis_ord": getis_ord}


def _spatial_by_index(statistic: Statistic, edition: int, indices: str | Sequence[str] | None,
                      period: str | None, options: Mapping[str, Any],
                      contiguity: Contiguity, island_k: int) -> ByGroup[Any]:
    _check_map(edition)
    wanted = _wanted(edition, indices)
    key = (statistic, edition, wanted, period, tuple(sorted(options.items())), contiguity,
           island_k)

    def compute() -> ByGroup[Any]:
        weights = area_weights(edition, contiguity=contiguity, island_k=island_k)
        frame = _composites(edition)
        run = _STATISTICS[statistic]
        results: dict[str, Any] = {}
        missing: dict[str, str] = {}
        for code in wanted:
            try:
                values = index_values(frame, index=code, period=period)
                results[code] = run(values, weights, **options)
            except SocmobError as exc:
                missing[code] = str(exc)
        return ByGroup(by="index", results=results, not_estimated=missing)

    return _own_copy(_MEMOS["spatial"].get(key, compute))


def global_moran_by_index(
    edition: int = EDITION,
    *,
    indices: str | Sequence[str] | None = None,
    period: str | None = None,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    contiguity: Contiguity = CONTIGUITY,
    island_k: int = ISLAND_K,
) -> ByGroup[GlobalMoran]:
    """Global Moran's I of each index (default all, each in its latest period, or in
    ``period``) on :func:`area_weights` (:func:`socmob.place.spatial.global_moran`)."""
    return _spatial_by_index("global_moran", edition, indices, period,
                             {"permutations": permutations, "seed": seed}, contiguity,
                             island_k)


def local_moran_by_index(
    edition: int = EDITION,
    *,
    indices: str | Sequence[str] | None = None,
    period: str | None = None,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    correction: Correction = "none",
    alpha: float = ALPHA,
    contiguity: Contiguity = CONTIGUITY,
    island_k: int = ISLAND_K,
) -> ByGroup[LocalMoran]:
    """Local Moran clusters (hotspots, coldspots, outliers) of every area on each index
    (:func:`socmob.place.spatial.local_moran`); each index uses the same ``seed``, so it
    gives the same answer alone or with the others."""
    return _spatial_by_index("local_moran", edition, indices, period,
                             {"permutations": permutations, "seed": seed,
                              "correction": correction, "alpha": alpha}, contiguity,
                             island_k)


def getis_ord_by_index(
    edition: int = EDITION,
    *,
    indices: str | Sequence[str] | None = None,
    period: str | None = None,
    permutations: int = PERMUTATIONS,
    seed: int | None = SEED,
    correction: Correction = "none",
    alpha: float = ALPHA,
    contiguity: Contiguity = CONTIGUITY,
    island_k: int = ISLAND_K,
) -> ByGroup[GetisOrd]:
    """Getis–Ord Gi* hot and cold spots of every area on each index
    (:func:`socmob.place.spatial.getis_ord`); each index uses the same ``seed``."""
    return _spatial_by_index("getis_ord", edition, indices, period,
                             {"permutations": permutations, "seed": seed,
                              "correction": correction, "alpha": alpha}, contiguity,
                             island_k)


# --------------------------------------------------------------------------- expected


def model_label(outcome: str, predictors: Sequence[str]) -> str:
    """The name of an expected-outcome model, as in its tidy rows: ``"ci4 on ci1"``."""
    return f"{outcome} on {' + '.join(predictors)}"


def expected_outcomes(
    edition: int = EDITION,
    *,
    models: Sequence[tuple[str, Sequence[str]]] = EXPECTED_MODELS,
    period: str | None = None,
    alpha: float = ALPHA,
    correction: Correction = "none",
) -> ByGroup[ExpectedFit]:
    """Better or worse than expected: each (outcome, predictors) model of ``models``
    fitted across the areas (:func:`socmob.place.expected.expected_from_composites`;
    the outcome in ``period``, default its latest), keyed by :func:`model_label`."""
    plan = tuple((str(outcome), tuple(str(p) for p in predictors))
                 for outcome, predictors in models)
    if not plan:
        raise InputError("no model given", column="models",
                         expected="(outcome, predictors) pairs, e.g. ('ci4', ('ci1',))")
    codes = index_codes(edition)
    for outcome, predictors in plan:  # unknown codes are a mistake, not a missing group
        for code in (outcome, *predictors):
            choose(code, codes, "index")
    key = (edition, plan, period, alpha, correction)

    def compute() -> ByGroup[ExpectedFit]:
        frame = _composites(edition)
        results: dict[str, ExpectedFit] = {}
        missing: dict[str, str] = {}
        for outcome, predictors in plan:
            label = model_label(outcome, predictors)
            try:
                results[label] = expected_from_composites(
                    frame, outcome=outcome, predictors=predictors, period=period,
                    alpha=alpha, correction=correction)
            except SocmobError as exc:
                missing[label] = str(exc)
        return ByGroup(by="model", results=results, not_estimated=missing)

    return _own_copy(_MEMOS["expected"].get(key, compute))


# --------------------------------------------------------------------------- ranks


def _sigma_key(sigma: SigmaArg) -> Any:
    if sigma is None or not isinstance(sigma, Mapping):
        return None if sigma is None else float(sigma)
    return tuple(sorted((str(k), float(v)) for k, v in sigma.items()))


def smc_rank_uncertainty(
    edition: int = EDITION,
    *,
    runs: int = RANK_RUNS,
    seed: int | None = SEED,
    sigma: SigmaArg = None,
    indices: str | Sequence[str] | None = None,
    period: str | None = None,
    progress: bool = True,
) -> SmcRankUncertainty:
    """Rank intervals and band probabilities of the published areas on each composite
    index (:mod:`socmob.place.smc_uncertainty` for the noise model and formulas).

    ``edition`` must use the SoN 2025 seven-band rule on z (:data:`RANK_EDITIONS`).
    ``progress`` shows a bar while the runs are computed (not part of the cache key).

    >>> res = smc_rank_uncertainty(runs=200, indices="ci4", progress=False)
    >>> res.noise[["index_code", "period", "reliability_period"]].values.tolist()
    [['ci4', '2021 to 2024', '2018 to 2020']]
    >>> round(float(res.noise["sigma"].iloc[0]), 3)  # √(1 − 0.802)
    0.445
    """
    edition = int(edition)
    if edition not in RANK_EDITIONS:
        raise InputError(f"edition {edition}: band probabilities need the SoN 2025 "
                         "seven-band rule on z", column="edition",
                         expected=" or ".join(str(e) for e in RANK_EDITIONS))
    idx = None if indices is None else (
        (str(indices),) if isinstance(indices, str) else tuple(str(i) for i in indices))
    key = (edition, int(runs), seed, _sigma_key(sigma), idx, period)

    def compute() -> SmcRankUncertainty:
        given = dict(key[3]) if isinstance(key[3], tuple) else key[3]
        return rank_uncertainty_from_composites(
            _composites(edition), runs=int(runs), seed=seed, sigma=given, indices=idx,
            period=period, progress=progress, edition=edition)

    return _own_copy(_MEMOS["rank"].get(key, compute))


# --------------------------------------------------------------------------- all at once


def warm(edition: int = EDITION) -> None:
    """Compute, once, every all-area analysis the dashboard shows for ``edition`` with
    the default options — Getis–Ord hot spots, better/worse than expected and the rank
    uncertainty — skipping those the edition does not support (no map, other bands)."""
    if edition in MAP_EDITIONS:
        getis_ord_by_index(edition)
    expected_outcomes(edition)
    if edition in RANK_EDITIONS:
        smc_rank_uncertainty(edition, progress=False)
