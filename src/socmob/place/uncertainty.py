"""Uncertainty analysis of a composite index: Monte Carlo over construction choices and
over the sampling error of the indicators.

Each run replays the coin's log (:class:`~socmob.place.composite.Coin`) with

* construction choices drawn at random, each alternative equally likely: imputation,
  the winsorisation limit ``winmax``, normalisation, aggregation, and multiplicative
  weight noise :math:`w \\cdot U(1-a_l, 1+a_l)` at chosen levels *l* (as COINr's
  ``get_noisy_weights``);
* the indicators redrawn from their sampling distribution, :math:`x^* = x + \\sigma
  \\varepsilon`, :math:`\\varepsilon \\sim N(0, 1)`, with standard errors ``se`` given
  per unit and indicator (or derived from a confidence interval by
  :func:`se_from_ci`), applied to the ``Raw`` data before every other step.

For each unit it reports the nominal rank, the median and mean rank, the 5–95% rank
interval (quantiles of type 7, as R's default) and the probability of falling in each
band, where bands are a function of the scores of each run (default: the SMC's 2025
seven bands on the scores re-standardised within the run, cut at
:math:`z = \\pm 0.5, \\pm 1, \\pm 1.5`; any callable ``scores -> labels`` can be plugged
in, e.g. one built on :func:`socmob.place.banding.band_2025`).

Computation is vectorised with numpy over runs (arrays ``(runs, units, indicators)``)
in chunks of ``chunk`` runs (default 256, small enough to stay in cache). The arrays are
laid out in memory as (runs, indicators, units), so that every statistic over the units
(skewness, minimum, rank …) reads one indicator's values side by side; the steps see the
usual axes. The random draws are made in run order whatever the chunk, so results depend
only on the seed. Without sampling error, everything up to aggregation depends only on the
discrete choices, so it is computed once per distinct combination and shared. Screening
keeps the units of the nominal coin in every run.

References: Saisana, Saltelli & Tarantola (2005), *Uncertainty and sensitivity analysis
techniques as tools for the quality assessment of composite indicators*, JRSS A 168(2);
COINr's ``get_sensitivity(SA_type = "UA")``.
"""

from __future__ import annotations

import functools
import itertools
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator, Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socmob._deprecated import coverage_keyword, renamed
from socmob.checks import check_alpha, finite
from socmob.errors import InputError
from socmob.place._progress import progress_bar
from socmob.place.banding import CUT_POINTS_2025
from socmob.place.composite.aggregate import aggregate_array
from socmob.place.composite.coin import Coin, Step, normalise_kwargs
from socmob.place.composite.impute import impute_array
from socmob.place.composite.normalise import normalise_array, rank_min
from socmob.place.composite.treat import treat_array
from socmob.place.composite.weights import noisy_weights
from socmob.results import Result, tidy

SMC_Z_CUTS: tuple[float, ...] = CUT_POINTS_2025
"""Cut points on re-standardised z of the SMC's seven-band rule
(:data:`socmob.place.banding.CUT_POINTS_2025`)."""

BandRule = Callable[[np.ndarray], np.ndarray]
"""Maps scores ``(runs, units)`` to band labels of the same shape."""


@dataclass(frozen=True)
class ZBands:
    """Bands on scores re-standardised within each run, :math:`z = (s-\\bar s)/sd(s)`
    (sample SD, as the SMC), cut at ``cuts``. As in the SMC's 2025 rule
    (:mod:`socmob.place.banding`), a z equal to a cut-point belongs to the band farther
    from zero. Labels default to the intervals; band 1 is the lowest."""

    cuts: tuple[float, ...] = SMC_Z_CUTS
    labels: tuple[str, ...] | None = None

    def band_labels(self) -> tuple[str, ...]:
        """Labels from lowest to highest band."""
        if self.labels is not None:
            return self.labels
        c = self.cuts
        out = [f"z ≤ {c[0]:g}" if c[0] < 0 else f"z < {c[0]:g}"]
        for a, b in itertools.pairwise(c):
            lower = "≤" if a >= 0 else "<"
            upper = "≤" if b <= 0 else "<"
            out.append(f"{a:g} {lower} z {upper} {b:g}")
        out.append(f"z ≥ {c[-1]:g}" if c[-1] > 0 else f"z > {c[-1]:g}")
        return tuple(out)

    def band_index(self, z: np.ndarray) -> np.ndarray:
        """0-based band of each already standardised ``z`` (cut-points go outwards)."""
        z = np.asarray(z, dtype=float)
        cuts = np.asarray(self.cuts, dtype=float)
        return np.where(z < 0, np.digitize(z, cuts, right=True), np.digitize(z, cuts))

    def __call__(self, scores: np.ndarray) -> np.ndarray:
        labels = self.band_labels()
        if len(labels) != len(self.cuts) + 1:
            raise InputError(f"{len(labels)} band labels for {len(self.cuts)} cut points",
                             column="labels", expected=f"{len(self.cuts) + 1} labels")
        return np.asarray(labels, dtype=object)[self.band_index(_standardised(scores))]


def _standardised(scores: np.ndarray) -> np.ndarray:
    """Scores re-standardised within each run (last axis): (s − mean) / sample SD,
    ignoring missing scores (the plain reductions when none is missing: the same
    numbers, faster)."""
    scores = np.asarray(scores, dtype=float)
    if np.isnan(scores).any():
        mean = np.nanmean(scores, axis=-1, keepdims=True)
        sd = np.nanstd(scores, axis=-1, ddof=1, keepdims=True)
    else:
        mean = np.mean(scores, axis=-1, keepdims=True)
        sd = np.std(scores, axis=-1, ddof=1, keepdims=True)
    return (scores - mean) / sd


@coverage_keyword("level")
def se_from_ci(lci: pd.DataFrame, uci: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Standard errors from symmetric ``1 − alpha`` confidence limits:
    :math:`(u-l)/(2 z_{1-\\alpha/2})`."""
    from scipy.stats import norm

    return (uci - lci) / (2 * norm.ppf(1 - check_alpha(alpha) / 2))


@dataclass(frozen=True, eq=False)
class UncertainInputs:
    """What varies between runs (anything left empty stays at the coin's nominal value).

    ``impute``, ``normalise``, ``aggregate`` are lists of alternative parameter sets for
    those steps (merged into the nominal parameters); ``winmax`` lists alternative
    winsorisation limits; ``weight_noise`` maps a level to the half-width *a* of its
    multiplicative noise; ``se`` holds standard errors of the ``Raw`` indicators (uCode ×
    iCode). ``n_weight_sets`` and ``n_noise_sets`` are the numbers of pre-drawn noisy
    weight sets and data sets used as discrete levels in sensitivity analysis.
    """

    impute: Sequence[Mapping[str, Any]] = ()
    winmax: Sequence[int | None] = ()
    normalise: Sequence[Mapping[str, Any]] = ()
    aggregate: Sequence[Mapping[str, Any]] = ()
    weight_noise: Mapping[int, float] = field(default_factory=dict)
    se: pd.DataFrame | None = None
    n_weight_sets: int = 100
    n_noise_sets: int = 100

    def names(self) -> list[str]:
        """The inputs that vary, in a fixed order."""
        out = [n for n in ("impute", "winmax", "normalise", "aggregate")
               if len(getattr(self, n)) > 0]
        if self.weight_noise:
            out.append("weights")
        if self.se is not None:
            out.append("sampling")
        return out


class CoinReplay:
    """Vectorised replay of a coin's log for many runs at once (used by
    :func:`uncertainty` and :func:`socmob.place.sensitivity.composite_sensitivity`).

    Not a compute engine: :mod:`socmob.engine` is where microdata is aggregated."""

    def __init__(self, coin: Coin, inputs: UncertainInputs, *, code: str | None = None
                 ) -> None:
        steps = [s for s in coin.log[1:] if s.name != "weights"]
        agg_pos = [i for i, s in enumerate(steps) if s.name == "aggregate"]
        if not agg_pos:
            raise InputError("the coin has not been aggregated", column="log",
                             expected="a log ending with an aggregate step")
        self.coin = coin
        self.inputs = inputs
        self.before: list[Step] = steps[: agg_pos[-1]]
        self.agg: Step = steps[agg_pos[-1]]
        h = coin.meta.hierarchy
        self.code = code or h.top[0]
        if self.code not in h.codes or h.levels[h.position(self.code)] == 1:
            raise InputError(f"{self.code!r} is not an aggregate of the framework",
                             column="code", expected="an aggregate iCode")
        self.code_pos = h.position(self.code)
        nominal = coin.results(self.agg.params["write_to"])
        self.units = nominal.scores.index
        self.nominal_scores = nominal.scores[self.code].to_numpy(dtype=float)
        self.nominal_rank = nominal.ranks[self.code].to_numpy(dtype=float)
        self.raw = coin.get("Raw")
        self.weights0 = coin.weight_vector(self.agg.params.get("weights"))
        for name in ("impute", "normalise", "aggregate"):
            for alt in getattr(inputs, name):
                if not isinstance(alt, Mapping):
                    raise InputError(f"each {name} alternative must be a mapping of "
                                     "parameters", column=name, expected="a dict")
        if inputs.se is not None:
            unknown = [c for c in inputs.se.columns if c not in self.raw.columns]
            if unknown:
                raise InputError(f"standard errors given for unknown indicator {unknown[0]!r}",
                                 column=str(unknown[0]), expected="an indicator iCode")
            strangers = [u for u in inputs.se.index if u not in self.raw.index]
            if strangers:
                raise InputError(f"standard errors given for unknown unit {strangers[0]!r}",
                                 column="uCode", expected="a uCode of iData")
            se = inputs.se.reindex(index=self.raw.index, columns=self.raw.columns)
            arr = se.to_numpy(dtype=float)
            for j, col in enumerate(se.columns):
                try:
                    finite(arr[:, j], name=str(col), allow_missing=True, nonnegative=True)
                except InputError as exc:
                    unit = se.index[exc.row - 1] if exc.row is not None else None
                    raise InputError(f"unit {unit!r}: standard error {exc.message}",
                                     column=str(col), expected="a finite number ≥ 0"
                                     ) from None
            self.se = np.nan_to_num(arr, nan=0.0)
        else:
            self.se = None
        self._cache: dict[tuple[int, ...], np.ndarray] = {}
        self._cache_lock = threading.Lock()

    # per-step parameter sets for a choice index (-1 = nominal)
    def _params(self, step: Step, choice: int, alternatives: Sequence[Mapping[str, Any]]
                ) -> dict[str, Any]:
        p = dict(step.params)
        if choice >= 0:
            p.update(alternatives[choice])
        return p

    def _forward(self, x: np.ndarray, choice: Mapping[str, np.ndarray]) -> np.ndarray:
        """Run the steps before aggregation on ``x`` (runs, raw units, indicators)."""
        n_runs = x.shape[0]
        data: dict[str, tuple[np.ndarray, pd.Index]] = {"Raw": (x, self.raw.index)}
        coin = self.coin
        for step in self.before:
            p = step.params
            arr, rows = data[p["dset"]]
            if step.name == "denominate":
                out = arr * _denominator_factor(coin, step, rows)
            elif step.name == "impute":
                out = self._grouped(arr, choice.get("impute"), self.inputs.impute, step,
                                    functools.partial(self._impute, rows=rows))
            elif step.name == "screen":
                kept = coin.get(p["write_to"]).index
                out = _take_units(arr, rows.get_indexer(kept))
                rows = kept
            elif step.name == "treat":
                wm = choice.get("winmax")
                if wm is None:
                    winmax: Any = p["winmax"]
                else:
                    alts = [len(rows) + 1 if w is None else w for w in self.inputs.winmax]
                    winmax = np.asarray(alts, dtype=float)[wm][:, None]
                skip = np.isin(coin.get(p["dset"]).columns, list(p.get("skip") or ()))
                out = treat_array(arr, method=p["method"], winmax=winmax,
                                  skew_thresh=p["skew_thresh"], kurt_thresh=p["kurt_thresh"],
                                  skip=skip).x
            elif step.name == "normalise":
                frame = pd.DataFrame(index=rows, columns=coin.get(p["dset"]).columns)
                out = self._grouped(arr, choice.get("normalise"), self.inputs.normalise, step,
                                    functools.partial(_normalise_run, coin=coin, frame=frame))
            else:  # pragma: no cover - guarded by Coin.apply
                raise InputError(f"step {step.name!r} cannot be replayed", column="log")
            if out.shape[0] != n_runs:  # pragma: no cover - defensive
                raise RuntimeError("run axis lost")
            data[p["write_to"]] = (out, rows)
        arr, rows = data[self.agg.params["dset"]]
        if not rows.equals(self.units):
            arr = _take_units(arr, rows.get_indexer(self.units))
        return arr

    def _impute(self, a: np.ndarray, p: Mapping[str, Any], *, rows: pd.Index) -> np.ndarray:
        method = p["method"]
        if callable(method):
            cols = self.raw.columns
            return np.stack([method(pd.DataFrame(r, index=rows, columns=cols)).to_numpy(
                dtype=float) for r in a])
        group = p.get("group")
        groups = None if group is None else self.coin.units.loc[rows, group].to_numpy(
            dtype=object)
        return impute_array(a, method=str(method), groups=groups)

    def _grouped(self, arr: np.ndarray, idx: np.ndarray | None,
                 alternatives: Sequence[Mapping[str, Any]], step: Step,
                 fn: Callable[[np.ndarray, Mapping[str, Any]], np.ndarray]) -> np.ndarray:
        if idx is None:
            return fn(arr, step.params)
        out: np.ndarray | None = None
        for k in np.unique(idx):
            sel = idx == k
            res = fn(_take_runs(arr, sel), self._params(step, int(k), alternatives))
            if out is None:
                out = _runs_first(arr.shape[0], res.shape[1:])
            out[sel] = res
        assert out is not None
        return out

    def _aggregate(self, xn: np.ndarray, idx: np.ndarray | None, weights: np.ndarray
                   ) -> np.ndarray:
        h = self.coin.meta.hierarchy

        def run(a: np.ndarray, p: Mapping[str, Any], w: np.ndarray) -> np.ndarray:
            full = aggregate_array(a, h, w, method=p["method"], p=float(p.get("p", 1.0)),
                                   offset=float(p.get("offset", 0.0)),
                                   dat_thresh=p.get("dat_thresh"))
            return full[..., self.code_pos]

        if idx is None:
            return run(xn, self.agg.params, weights)
        out = np.empty(xn.shape[:2])
        for k in np.unique(idx):
            sel = idx == k
            out[sel] = run(_take_runs(xn, sel),
                           self._params(self.agg, int(k), self.inputs.aggregate),
                           weights[sel])
        return out

    def scores(self, choice: Mapping[str, np.ndarray], *, weights: np.ndarray | None = None,
               noise: np.ndarray | None = None) -> np.ndarray:
        """Scores of :attr:`code` for each run: ``choice`` maps an input name to per-run
        alternative indices, ``weights`` is ``(runs, codes)``, ``noise`` the standard
        normal draws ``(runs, units, indicators)`` for the sampling error."""
        n_runs = len(next(iter(choice.values()))) if choice else (
            weights.shape[0] if weights is not None else (noise.shape[0] if noise is not None
                                                          else 1))
        pre_names = [n for n in ("impute", "winmax", "normalise") if n in choice]
        base = self.raw.to_numpy(dtype=float)
        if noise is not None and self.se is not None:
            # x = raw + se·ε, laid out (runs, indicators, units): every statistic over the
            # units then reads memory in order; the steps see the usual axes (a view)
            drawn = np.multiply(noise.transpose(0, 2, 1), self.se.T)
            drawn += base.T
            xn = self._forward(drawn.transpose(0, 2, 1), choice)
        else:
            keys = (np.stack([choice[n] for n in pre_names], axis=1) if pre_names
                    else np.zeros((n_runs, 0), dtype=int))
            uniq, inverse = np.unique(keys, axis=0, return_inverse=True)
            blocks = []
            for key in uniq:
                t = tuple(int(v) for v in key)
                with self._cache_lock:  # chunks may run in several threads
                    if t not in self._cache:
                        sub = {n: np.array([t[i]]) for i, n in enumerate(pre_names)}
                        self._cache[t] = self._forward(base[None], sub)[0]
                    blocks.append(self._cache[t])
            stacked = np.stack([b.T for b in blocks])[np.asarray(inverse).ravel()]
            xn = stacked.transpose(0, 2, 1)
        w = (np.broadcast_to(self.weights0, (n_runs, self.weights0.size)) if weights is None
             else weights)
        return self._aggregate(xn, choice.get("aggregate"), w)


def _runs_first(n_runs: int, shape: tuple[int, ...]) -> np.ndarray:
    """An empty ``(runs, units, indicators)`` array laid out (runs, indicators, units)."""
    if len(shape) != 2:
        return np.empty((n_runs, *shape))
    return np.empty((n_runs, shape[1], shape[0])).transpose(0, 2, 1)


def _take_runs(a: np.ndarray, sel: np.ndarray) -> np.ndarray:
    """The runs ``sel`` of ``a`` (runs, units, indicators), laid out (runs, indicators,
    units) whatever the layout of ``a``."""
    if a.ndim != 3:
        return a[sel]
    return a.transpose(0, 2, 1)[sel].transpose(0, 2, 1)


def _take_units(a: np.ndarray, idx: np.ndarray) -> np.ndarray:
    """The units at positions ``idx`` of ``a`` (runs, units, indicators), laid out (runs,
    indicators, units)."""
    return a.transpose(0, 2, 1)[:, :, idx].transpose(0, 2, 1)


def _normalise_run(a: np.ndarray, p: Mapping[str, Any], *, coin: Coin, frame: pd.DataFrame
                   ) -> np.ndarray:
    return normalise_array(a, **normalise_kwargs(coin, frame, p))


def _denominator_factor(coin: Coin, step: Step, rows: pd.Index) -> np.ndarray:
    """Per unit and indicator multiplier ``scale / denominator`` (1 where none)."""
    by = step.params.get("by")
    if by is None:
        by = {c: d for c, d in coin.meta.column("Denominator").items()
              if isinstance(d, str) and d not in ("", "NA")}
    scale = dict(step.params.get("scale") or {})
    cols = list(coin.get(step.params["dset"]).columns)
    out = np.ones((len(rows), len(cols)))
    for j, c in enumerate(cols):
        d = dict(by).get(c)
        if isinstance(d, str) and d:
            den = pd.to_numeric(coin.units.loc[rows, d], errors="coerce").to_numpy(dtype=float)
            with np.errstate(divide="ignore"):
                out[:, j] = float(scale.get(c, 1.0)) / np.where(den == 0, np.nan, den)
    return out


@dataclass(frozen=True, eq=False)
class UncertaintyResult(Result):
    """Rank distribution of each unit over the Monte Carlo runs.

    ``ranks`` is ``(runs, units)`` (1 = best); ``band_probability`` has one column per
    band label.
    """

    code: str
    units: pd.DataFrame
    nominal_rank: pd.Series
    nominal_score: pd.Series
    median_rank: pd.Series
    mean_rank: pd.Series
    q05: pd.Series
    q95: pd.Series
    band_probability: pd.DataFrame
    ranks: np.ndarray
    runs: int
    seed: int | None
    varied: tuple[str, ...]

    def table(self) -> pd.DataFrame:
        """One row per unit, sorted by nominal rank."""
        out = pd.DataFrame({
            "uCode": self.nominal_rank.index,
            "uName": self.units["uName"].reindex(self.nominal_rank.index).to_numpy(),
            "nominal_rank": self.nominal_rank.astype("Int64").to_numpy(),
            "median_rank": self.median_rank.to_numpy(),
            "mean_rank": self.mean_rank.to_numpy(),
            "q05": self.q05.to_numpy(), "q95": self.q95.to_numpy()})
        for col in self.band_probability.columns:
            out[f"P({col})"] = self.band_probability[col].to_numpy()
        return out.sort_values(["nominal_rank", "uCode"], kind="stable").reset_index(drop=True)

    def to_frame(self) -> pd.DataFrame:
        """Tidy: measure ``<code> rank``, value = median rank, lci/uci = 5th/95th
        percentiles; nominal rank, mean rank and band probabilities as extra columns."""
        t = self.table()
        long = pd.DataFrame({"area_code": t["uCode"], "area_name": t["uName"],
                             "value": t["median_rank"], "lci": t["q05"], "uci": t["q95"],
                             "n": float(self.runs)})
        extra = t.drop(columns=["uCode", "uName", "median_rank", "q05", "q95"])
        out = tidy(long, measure=f"{self.code} rank", unit="rank",
                   note="Monte Carlo over: " + ", ".join(self.varied))
        return pd.concat([out, extra.reset_index(drop=True)], axis=1)


def rank_summary(
    replay: CoinReplay,
    scores: np.ndarray,
    *,
    bands: BandRule | Sequence[float] | None,
    seed: int | None,
    varied: Sequence[str],
) -> UncertaintyResult:
    """Summarise per-run scores ``(runs, units)`` of ``replay`` into an
    :class:`UncertaintyResult`."""
    ranks = rank_min(-scores, axis=-1)
    idx = replay.units
    rule: BandRule
    if bands is None:
        rule = ZBands()
    elif callable(bands):
        rule = bands
    else:
        rule = ZBands(cuts=tuple(float(c) for c in bands))
    if isinstance(rule, ZBands):
        names = list(rule.band_labels())
        if len(names) != len(rule.cuts) + 1:
            raise InputError(f"{len(names)} band labels for {len(rule.cuts)} cut points",
                             column="labels", expected=f"{len(rule.cuts) + 1} labels")
        codes = rule.band_index(_standardised(scores))
    else:
        labels = np.asarray(rule(scores))
        if labels.shape != scores.shape:
            raise InputError("the band rule must return one label per run and unit",
                             column="bands", expected=f"an array of shape {scores.shape}")
        seen, inverse = np.unique(labels, return_inverse=True)
        names = [str(v) for v in seen.tolist()]
        codes = inverse.reshape(labels.shape)
    probs = pd.DataFrame({name: np.mean(codes == j, axis=0) for j, name in enumerate(names)},
                         index=idx)
    by_unit = np.ascontiguousarray(ranks.T)  # each unit's ranks side by side
    return UncertaintyResult(
        code=replay.code,
        units=replay.coin.units.loc[idx],
        nominal_rank=pd.Series(replay.nominal_rank, index=idx),
        nominal_score=pd.Series(replay.nominal_scores, index=idx),
        median_rank=pd.Series(np.median(by_unit, axis=-1), index=idx),
        mean_rank=pd.Series(ranks.mean(axis=0), index=idx),
        q05=pd.Series(np.quantile(by_unit, 0.05, axis=-1), index=idx),
        q95=pd.Series(np.quantile(by_unit, 0.95, axis=-1), index=idx),
        band_probability=probs,
        ranks=ranks,
        runs=scores.shape[0],
        seed=seed,
        varied=tuple(varied),
    )


def uncertainty(
    coin: Coin,
    inputs: UncertainInputs,
    *,
    runs: int = 1000,
    seed: int | None = None,
    code: str | None = None,
    bands: BandRule | Sequence[float] | None = None,
    chunk: int = 256,
    workers: int | None = None,
    progress: bool = True,
) -> UncertaintyResult:
    """Monte Carlo uncertainty analysis of ``coin`` (see the module docstring).

    Parameters
    ----------
    coin
        A built coin (its log is replayed).
    inputs
        What varies (:class:`UncertainInputs`).
    runs, seed
        Number of runs and the seed of ``numpy.random.default_rng``.
    code
        Aggregate whose ranks are analysed (default the index).
    bands
        A band rule ``scores (runs, units) -> labels``, or cut points on re-standardised z
        (default :data:`SMC_Z_CUTS`).
    chunk
        Runs computed at once (memory ∝ chunk × units × indicators).
    workers
        Threads that compute chunks side by side (default: one per CPU, at most 4). The
        random draws are made in run order in the calling thread and each chunk's scores
        depend only on its own draws, so the result is the same for any ``workers``.
    progress
        Show a progress bar.
    """
    if runs < 1:
        raise InputError(f"runs = {runs}", column="runs", expected="at least 1")
    if chunk < 1:
        raise InputError(f"chunk = {chunk}", column="chunk", expected="at least 1")
    if workers is None:
        workers = min(4, os.cpu_count() or 1)
    if workers < 1:
        raise InputError(f"workers = {workers}", column="workers", expected="at least 1")
    replay = CoinReplay(coin, inputs, code=code)
    names = inputs.names()
    if not names:
        raise InputError("nothing varies", column="inputs",
                         expected="at least one uncertain input")
    # separate streams, all drawn in run order, so results do not depend on ``chunk``
    seeds = np.random.SeedSequence(seed).spawn(3)
    rng_choice, rng_weights, rng_noise = (np.random.default_rng(s) for s in seeds)
    h = coin.meta.hierarchy
    choices = {name: rng_choice.integers(0, len(getattr(inputs, name)), size=runs)
               for name in ("impute", "winmax", "normalise", "aggregate") if name in names}
    weights = (noisy_weights(replay.weights0, h, noise=inputs.weight_noise, n=runs,
                             rng=rng_weights) if "weights" in names else None)
    out = np.empty((runs, len(replay.units)))

    def run(sl: slice, noise: np.ndarray | None) -> int:
        out[sl] = replay.scores({k: v[sl] for k, v in choices.items()},
                                weights=None if weights is None else weights[sl],
                                noise=noise)
        return sl.stop - sl.start

    def chunks() -> Iterator[tuple[slice, np.ndarray | None]]:
        for start in range(0, runs, chunk):
            sl = slice(start, min(runs, start + chunk))
            n = sl.stop - sl.start
            yield sl, (rng_noise.standard_normal((n, *replay.raw.shape))
                       if "sampling" in names else None)

    with progress_bar(progress, "Monte Carlo") as bar:
        task = bar.add_task("Monte Carlo runs", total=runs)
        if workers == 1 or runs <= chunk:
            for sl, noise in chunks():
                bar.advance(task, run(sl, noise))
        else:
            # numpy lets go of the GIL in its loops, so chunks overlap on several cores;
            # at most two chunks per worker are drawn ahead (memory stays bounded)
            with ThreadPoolExecutor(max_workers=workers) as pool:
                pending: deque[Future[int]] = deque()
                for sl, noise in chunks():
                    pending.append(pool.submit(run, sl, noise))
                    while len(pending) >= 2 * workers:
                        bar.advance(task, pending.popleft().result())
                while pending:
                    bar.advance(task, pending.popleft().result())
    return rank_summary(replay, out, bands=bands, seed=seed, varied=names)


__getattr__ = renamed(__name__, {"Engine": "CoinReplay"}, globals())
