"""Variance-based (Sobol) sensitivity analysis, generic and for composite indices.

Design (Saltelli et al., 2010, *Variance based sensitivity analysis of model output.
Design and estimator for the total sensitivity index*, Computer Physics Communications
181(2), 259–270): two independent ``N × k`` matrices **A** and **B** of uniform inputs
(a scrambled Sobol' sequence, or plain random numbers), and for each input *i* the matrix
:math:`\\mathbf A_B^{(i)}`, equal to **A** with column *i* taken from **B**; the model is
run ``N (k + 2)`` times. With :math:`V = \\mathrm{Var}(f(\\mathbf A), f(\\mathbf B))`:

* first order (Saltelli 2010, Table 2 (b)):
  :math:`S_i = \\frac{1}{N V}\\sum_j f(\\mathbf B)_j\\,[f(\\mathbf A_B^{(i)})_j -
  f(\\mathbf A)_j]`;
* total effect (Jansen 1999; Saltelli 2010, Table 2 (f)):
  :math:`S_{Ti} = \\frac{1}{2 N V}\\sum_j [f(\\mathbf A)_j - f(\\mathbf A_B^{(i)})_j]^2`.

Confidence intervals are percentile bootstrap ``1 − alpha`` intervals over the ``N``
rows (the same resampled rows for **A**, **B** and every :math:`\\mathbf A_B^{(i)}`);
``alpha = 0.10`` (90% intervals) by default.

For a composite index (:func:`composite_sensitivity`) each uncertain input of
:class:`~socmob.place.uncertainty.UncertainInputs` is one factor: a uniform number picks
one of its alternatives (for weights and sampling error, one of ``n_weight_sets`` /
``n_noise_sets`` pre-drawn noisy weight sets / data sets), as in COINr's
``get_sensitivity``. The default output is COINr's: the mean absolute rank shift of the
units from their nominal ranks, :math:`\\frac1n\\sum_u |r_u - r_u^{0}|`.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from socmob._deprecated import coverage_keyword
from socmob.checks import check_alpha
from socmob.errors import InputError
from socmob.place._progress import progress_bar
from socmob.place.composite.coin import Coin
from socmob.place.composite.normalise import rank_min
from socmob.place.composite.weights import noisy_weights
from socmob.place.uncertainty import (
    BandRule,
    CoinReplay,
    UncertainInputs,
    UncertaintyResult,
    rank_summary,
)
from socmob.results import Result, tidy


@dataclass(frozen=True, eq=False)
class SaltelliDesign:
    """The sample matrices: ``A`` and ``B`` are ``(N, k)``, ``AB`` is ``(k, N, k)``."""

    A: np.ndarray
    B: np.ndarray
    AB: np.ndarray

    def stacked(self) -> np.ndarray:
        """All ``N (k + 2)`` rows: A, B, then each A_B^(i)."""
        return np.concatenate([self.A, self.B, *self.AB], axis=0)


def saltelli_design(k: int, n: int, *, seed: int | None = None, qmc: bool = True
                    ) -> SaltelliDesign:
    """Saltelli (2010) design for ``k`` inputs with base sample size ``n`` (uniform [0, 1))."""
    if k < 1 or n < 2:
        raise InputError(f"k = {k}, N = {n}", column="N", expected="k ≥ 1 and N ≥ 2")
    if qmc:
        from scipy.stats import qmc as _qmc

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # N need not be a power of 2
            base = _qmc.Sobol(d=2 * k, scramble=True, seed=seed).random(n)
    else:
        base = np.random.default_rng(seed).random((n, 2 * k))
    A, B = base[:, :k], base[:, k:]
    AB = np.repeat(A[None], k, axis=0)
    for i in range(k):
        AB[i, :, i] = B[:, i]
    return SaltelliDesign(A=A, B=B, AB=AB)


@dataclass(frozen=True, eq=False)
class SobolResult(Result):
    """First-order and total Sobol indices with bootstrap percentile ``1 − alpha``
    intervals."""

    names: tuple[str, ...]
    S1: np.ndarray
    ST: np.ndarray
    S1_ci: np.ndarray
    ST_ci: np.ndarray
    variance: float
    N: int
    alpha: float = 0.10

    def table(self) -> pd.DataFrame:
        """One row per input: S1, ST and their intervals."""
        return pd.DataFrame({
            "input": list(self.names), "S1": self.S1, "S1_lci": self.S1_ci[:, 0],
            "S1_uci": self.S1_ci[:, 1], "ST": self.ST, "ST_lci": self.ST_ci[:, 0],
            "ST_uci": self.ST_ci[:, 1]})

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows, one per input: ``value`` is the total-effect index S_T with its
        interval (``group`` the input); the columns of :meth:`table` follow."""
        wide = self.table()
        long = pd.DataFrame({"measure": "total Sobol index", "breakdown": "input",
                             "group": wide["input"], "value": wide["ST"],
                             "lci": wide["ST_lci"], "uci": wide["ST_uci"],
                             "n": float(self.N), "unit": "share of variance",
                             "note": f"percentile bootstrap {1 - self.alpha:.0%} interval; "
                                     "first-order S1 in its own columns"})
        return pd.concat([tidy(long), wide], axis=1)


def _indices(yA: np.ndarray, yB: np.ndarray, yAB: np.ndarray) -> tuple[np.ndarray, np.ndarray,
                                                                        np.ndarray]:
    """(S1, ST, V) along the last axis of (..., N) arrays; yAB is (..., k, N)."""
    V = np.var(np.concatenate([yA, yB], axis=-1), axis=-1)
    with np.errstate(invalid="ignore", divide="ignore"):
        S1 = np.mean(yB[..., None, :] * (yAB - yA[..., None, :]), axis=-1) / V[..., None]
        ST = 0.5 * np.mean((yA[..., None, :] - yAB) ** 2, axis=-1) / V[..., None]
    return S1, ST, V


@coverage_keyword("conf")
def sobol_from_outputs(
    yA: np.ndarray,
    yB: np.ndarray,
    yAB: np.ndarray,
    *,
    names: Sequence[str] | None = None,
    bootstrap: int = 1000,
    alpha: float = 0.10,
    seed: int | None = None,
) -> SobolResult:
    """Sobol indices from model outputs on a Saltelli design: ``yA``, ``yB`` of length
    ``N`` and ``yAB`` of shape ``(k, N)``, with percentile bootstrap ``1 − alpha``
    intervals from ``bootstrap`` resamples of the rows."""
    check_alpha(alpha)
    yA, yB, yAB = (np.asarray(v, dtype=float) for v in (yA, yB, yAB))
    k, n = yAB.shape
    if yA.shape != (n,) or yB.shape != (n,):
        raise InputError("output lengths do not match the design", column="y",
                         expected=f"yA, yB of length {n} and yAB of shape ({k}, {n})")
    S1, ST, V = _indices(yA, yB, yAB)
    if not V > 0:
        raise InputError("the output does not vary, so indices are undefined", column="y",
                         expected="an output that changes with the inputs")
    rng = np.random.default_rng(seed)
    S1_ci = np.full((k, 2), np.nan)
    ST_ci = np.full((k, 2), np.nan)
    if bootstrap > 0:
        s1b = np.empty((bootstrap, k))
        stb = np.empty((bootstrap, k))
        for start in range(0, bootstrap, 200):
            m = min(200, bootstrap - start)
            idx = rng.integers(0, n, size=(m, n))
            s1, st, _ = _indices(yA[idx], yB[idx], np.moveaxis(yAB[:, idx], 0, 1))
            s1b[start : start + m] = s1
            stb[start : start + m] = st
        S1_ci = np.nanquantile(s1b, [alpha / 2, 1 - alpha / 2], axis=0).T
        ST_ci = np.nanquantile(stb, [alpha / 2, 1 - alpha / 2], axis=0).T
    labels = tuple(names) if names is not None else tuple(f"x{i + 1}" for i in range(k))
    return SobolResult(names=labels, S1=S1, ST=ST, S1_ci=S1_ci, ST_ci=ST_ci,
                       variance=float(V), N=n, alpha=alpha)


@coverage_keyword("conf")
def sobol_indices(
    model: Callable[[np.ndarray], np.ndarray],
    k: int,
    *,
    N: int = 1024,
    names: Sequence[str] | None = None,
    seed: int | None = None,
    qmc: bool = True,
    bootstrap: int = 1000,
    alpha: float = 0.10,
) -> SobolResult:
    """Sobol indices of ``model``, a vectorised function of uniform inputs
    ``(n, k) -> (n,)`` (transform to the inputs' own distributions inside it)."""
    design = saltelli_design(k, N, seed=seed, qmc=qmc)
    y = np.asarray(model(design.stacked()), dtype=float)
    if y.shape != (N * (k + 2),):
        raise InputError("the model must return one value per row", column="model",
                         expected=f"an array of length {N * (k + 2)}")
    yA, yB = y[:N], y[N : 2 * N]
    yAB = y[2 * N :].reshape(k, N)
    return sobol_from_outputs(yA, yB, yAB, names=names, bootstrap=bootstrap, alpha=alpha,
                              seed=seed)


def mean_abs_rank_shift(scores: np.ndarray, nominal_rank: np.ndarray) -> np.ndarray:
    """COINr's sensitivity output: mean over units of ``|rank − nominal rank|`` per run."""
    ranks = rank_min(-scores, axis=-1)
    return np.mean(np.abs(ranks - nominal_rank), axis=-1)


@dataclass(frozen=True, eq=False)
class CompositeSensitivity(Result):
    """Sobol indices of a composite index's output, plus the rank distribution over the
    base-sample runs (``A`` and ``B``)."""

    indices: SobolResult
    ranks: UncertaintyResult
    runs: int

    def to_frame(self) -> pd.DataFrame:
        """The Sobol indices, tidy (:meth:`SobolResult.to_frame`)."""
        return self.indices.to_frame()


@coverage_keyword("conf")
def composite_sensitivity(
    coin: Coin,
    inputs: UncertainInputs,
    *,
    N: int = 256,
    seed: int | None = None,
    code: str | None = None,
    output: Callable[[np.ndarray, np.ndarray], np.ndarray] = mean_abs_rank_shift,
    bands: BandRule | Sequence[float] | None = None,
    bootstrap: int = 1000,
    alpha: float = 0.10,
    qmc: bool = True,
    chunk: int = 1000,
    progress: bool = True,
) -> CompositeSensitivity:
    """Sobol sensitivity of a composite index to its uncertain construction inputs.

    ``output(scores (runs, units), nominal_rank (units,)) -> (runs,)`` is the scalar
    studied (default :func:`mean_abs_rank_shift`). Runs: ``N (k + 2)`` for ``k`` inputs.
    """
    replay = CoinReplay(coin, inputs, code=code)
    names = inputs.names()
    if not names:
        raise InputError("nothing varies", column="inputs",
                         expected="at least one uncertain input")
    k = len(names)
    rng = np.random.default_rng(seed)
    h = coin.meta.hierarchy
    discrete = [n for n in ("impute", "winmax", "normalise", "aggregate") if n in names]
    levels: dict[str, int] = {n: len(getattr(inputs, n)) for n in discrete}
    weight_sets = None
    if "weights" in names:
        weight_sets = noisy_weights(replay.weights0, h, noise=inputs.weight_noise,
                                    n=inputs.n_weight_sets, rng=rng)
        levels["weights"] = inputs.n_weight_sets
    noise_sets = None
    if "sampling" in names:
        noise_sets = rng.standard_normal((inputs.n_noise_sets, *replay.raw.shape))
        levels["sampling"] = inputs.n_noise_sets
    design = saltelli_design(k, N, seed=seed, qmc=qmc)
    u = design.stacked()
    idx = {n: np.minimum((u[:, i] * levels[n]).astype(int), levels[n] - 1)
           for i, n in enumerate(names)}
    total = u.shape[0]
    scores = np.empty((total, len(replay.units)))
    with progress_bar(progress, "Sensitivity") as bar:
        task = bar.add_task("Sensitivity runs", total=total)
        for start in range(0, total, chunk):
            sl = slice(start, min(total, start + chunk))
            choice: dict[str, np.ndarray] = {n: idx[n][sl] for n in discrete}
            w = weight_sets[idx["weights"][sl]] if weight_sets is not None else None
            noise = noise_sets[idx["sampling"][sl]] if noise_sets is not None else None
            scores[sl] = replay.scores(choice, weights=w, noise=noise)
            bar.advance(task, sl.stop - sl.start)
    y = np.asarray(output(scores, replay.nominal_rank), dtype=float)
    res = sobol_from_outputs(y[:N], y[N : 2 * N], y[2 * N :].reshape(k, N), names=names,
                             bootstrap=bootstrap, alpha=alpha, seed=seed)
    ranks = rank_summary(replay, scores[: 2 * N], bands=bands, seed=seed, varied=names)
    return CompositeSensitivity(indices=res, ranks=ranks, runs=total)
