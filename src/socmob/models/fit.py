"""``fit(table, model)``: association models for mobility tables by Poisson maximum
likelihood, matching R ``gnm``.

Models (kebab-case names; ``u_i``, ``v_j`` are integer scores 1..I, 1..J unless given;
``a``, ``b`` are (layer-specific) origin and destination margins; first categories are
the references):

=============================  ============================================================
``independence``               ``log m_ij = λ + a_i + b_j``
``quasi-independence``         ``+ δ_i [i = j]`` (diagonal cells fitted exactly)
``uniform-association``        ``+ θ u_i v_j`` (Goodman 1979, model U)
``quasi-uniform-association``  ``+ δ_i [i = j] + θ u_i v_j``
``row-effects``                ``+ τ_i v_j``, ``τ_1 = 0`` (model R)
``column-effects``             ``+ ρ_j u_i``, ``ρ_1 = 0`` (model C)
``row-column-effects``         ``+ τ_i v_j + ρ_j u_i``, ``τ_1 = ρ_1 = ρ_J = 0``
                               (Goodman's R+C, his "model I"; df = (I−2)(J−2))
``quasi-row-effects`` …        the row, column and R+C effects models with ``+ δ_i [i = j]``
``rc1``                        ``+ φ μ_i ν_j`` (Goodman's RC, "model II"), scores with
                               ``Σμ = Σν = 0``, ``Σμ² = Σν² = 1``, ``φ > 0``, ``μ_1 > 0``
``quasi-rc1``                  ``+ δ_i [i = j] + φ μ_i ν_j``
``rc1-homogeneous``            ``+ φ μ_i μ_j`` (same scores for origin and destination;
                               ``quasi-rc1-homogeneous`` adds ``δ_i``)
``symmetry``                   ``log m_ij = s_ij``, ``s_ij = s_ji``
``quasi-symmetry``             ``log m_ij = s_ij + a_i`` (Caussinus 1965)
``conditional-independence``   ``log m_kij = λ + l_k + a_ki + b_kj``
``constant-fluidity``          ``+ g_ij`` (common association; Erikson & Goldthorpe 1992)
``unidiff``                    ``+ φ_k g_ij``, ``φ_k = exp(d_k)``, ``d_1 = 0`` (Xie 1992)
``quasi-unidiff``              ``+ δ_ki [i = j] + φ_k g_ij`` with ``g`` on off-diagonal
                               cells (logmult's ``unidiff(diagonal = "heterogeneous")``)
``rc-layered``                 ``+ Σ_m φ_km μ_im ν_jm``: RC(M)-L with homogeneous scores
                               (Wong 2010), ``dimensions = M``
=============================  ============================================================

References: Goodman, L. A. (1979) JASA 74:537-552; Xie, Y. (1992) ASR 57:380-395;
Erikson, R. & Goldthorpe, J. H. (1992) *The Constant Flux*; Raftery, A. E. (1986) ASR
51:145-146; Wong, R. S.-K. (2010) *Association Models*, Sage QASS 164; Turner, H. &
Firth, D. (2023) *Generalized nonlinear models in R: an overview of the gnm package*.
"""

from __future__ import annotations

import contextlib
import difflib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import ConvergenceError, InputError, ModelSpecError, NotFoundError
from socmob.models._solver import (
    ModelSpec,
    SolverResult,
    covariance,
    fit_poisson,
    poisson_deviance,
)
from socmob.models._specs import (
    Cells,
    Design,
    default_scores,
    linear_model,
    linear_spec,
    rc_spec,
    require_square_cells,
    twoway_design,
    unidiff_spec,
)
from socmob.models._support import forced_zero_cells
from socmob.models.quasi import quasi_variances
from socmob.models.result import FitResult


@dataclass(frozen=True)
class ModelInfo:
    """Registry entry of one model."""

    name: str
    description: str
    layered: bool
    log_multiplicative: bool
    square: bool


MODELS: dict[str, ModelInfo] = {
    info.name: info
    for info in [
        ModelInfo("independence", "origin and destination independent", False, False, False),
        ModelInfo("quasi-independence", "independence off the diagonal", False, False, True),
        ModelInfo("uniform-association", "one log odds ratio per unit of integer scores",
                  False, False, False),
        ModelInfo("quasi-uniform-association", "uniform association off the diagonal",
                  False, False, True),
        ModelInfo("row-effects", "origin-specific effects on destination scores", False,
                  False, False),
        ModelInfo("quasi-row-effects", "row effects off the diagonal", False, False, True),
        ModelInfo("column-effects", "destination-specific effects on origin scores", False,
                  False, False),
        ModelInfo("quasi-column-effects", "column effects off the diagonal", False, False,
                  True),
        ModelInfo("row-column-effects", "Goodman's additive row and column effects (R+C)",
                  False, False, False),
        ModelInfo("quasi-row-column-effects", "R+C off the diagonal", False, False, True),
        ModelInfo("rc1", "Goodman's RC(1): estimated row and column scores", False, True,
                  False),
        ModelInfo("quasi-rc1", "RC(1) off the diagonal", False, True, True),
        ModelInfo("rc1-homogeneous", "RC(1) with the same origin and destination scores",
                  False, True, True),
        ModelInfo("quasi-rc1-homogeneous", "homogeneous RC(1) off the diagonal", False,
                  True, True),
        ModelInfo("symmetry", "symmetric table", False, False, True),
        ModelInfo("quasi-symmetry", "symmetric association, free margins", False, False,
                  True),
        ModelInfo("conditional-independence", "no association within any layer", True,
                  False, False),
        ModelInfo("constant-fluidity", "the same association in every layer", True, False,
                  False),
        ModelInfo("unidiff", "association scaled by a layer effect phi_k", True, True,
                  False),
        ModelInfo("quasi-unidiff", "unidiff off the diagonal (diagonal fitted per layer)",
                  True, True, True),
        ModelInfo("rc-layered", "RC(M)-L: homogeneous scores, layer-specific phi", True,
                  True, False),
    ]
}
"""Every model :func:`fit` knows, by kebab-case name."""


@dataclass(frozen=True)
class _Table:
    counts: np.ndarray  # (K, I, J)
    origin: tuple[str, ...]
    destination: tuple[str, ...]
    layers: tuple[str, ...]
    structural_zeros: np.ndarray | None
    ndim: int


def _as_table(table: Any) -> _Table:
    """Accept a :class:`socmob.tables.MobilityTable` (or anything with ``counts`` and
    label attributes), a 2-D/3-D array, or a 2-D DataFrame of counts (index = origin,
    columns = destination). Counts are validated as a ``MobilityTable`` validates them
    (finite, not too large, non-negative, some cases in every layer)."""
    from socmob.tables import MobilityTable

    ndim = 3
    if isinstance(table, MobilityTable):
        mt = table
    elif hasattr(table, "counts") and hasattr(table, "origin_labels"):
        mt = MobilityTable(
            counts=np.asarray(table.counts, dtype=float),
            origin_labels=tuple(table.origin_labels),
            destination_labels=tuple(table.destination_labels),
            layer_labels=tuple(getattr(table, "layer_labels", ("all",))),
            structural_zeros=getattr(table, "structural_zeros", None),
        )
    elif isinstance(table, pd.DataFrame):
        try:
            values = table.to_numpy(dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError("counts must be numeric", expected="a table of counts") from exc
        mt = MobilityTable.from_array(values, origin_labels=list(table.index),
                                      destination_labels=list(table.columns))
        ndim = 2
    else:
        try:
            arr = np.asarray(table, dtype=float)
        except (TypeError, ValueError) as exc:
            raise InputError("counts must be numeric", expected="an array of counts") from exc
        if arr.ndim not in (2, 3):
            raise InputError(
                f"counts must be a 2-D or 3-D array, got {arr.ndim} dimension(s)",
                expected="shape (origin, destination) or (layer, origin, destination)")
        mt = MobilityTable.from_array(arr)
        ndim = arr.ndim
    return _Table(np.asarray(mt.counts), mt.origin_labels, mt.destination_labels,
                  mt.layer_labels, mt.structural_zeros, ndim)


def _model_name(model: str) -> ModelInfo:
    key = str(model).strip().lower().replace("_", "-").replace(" ", "-")
    if key not in MODELS:
        raise NotFoundError(f"unknown model {model!r} (known: {', '.join(MODELS)})",
                            suggestions=difflib.get_close_matches(key, list(MODELS), n=3))
    return MODELS[key]


def _scores(given: Sequence[float] | np.ndarray | None, n: int, what: str) -> np.ndarray:
    if given is None:
        return default_scores(n)
    arr = np.asarray(given, dtype=float)
    if arr.shape != (n,) or not np.all(np.isfinite(arr)):
        raise InputError(f"{what} must be {n} finite numbers, got {arr.tolist()!r}",
                         expected=f"{n} scores")
    return arr


def build_spec(model: str, cells: Cells, y: np.ndarray, include: np.ndarray, *,
               row_scores: Sequence[float] | np.ndarray | None = None,
               column_scores: Sequence[float] | np.ndarray | None = None,
               dimensions: int = 1, drop_aliased: bool = False) -> ModelSpec:
    """The :class:`ModelSpec` of ``model`` on a table (used by :func:`fit`).

    ``include`` marks the cells in the likelihood. With ``drop_aliased`` (used once the
    cells a model fits as structural zeros have been left out) parameters that are no
    longer estimable are left out and listed in ``spec.extras["not_estimable"]``;
    without it any aliasing raises :class:`ModelSpecError`."""
    info = _model_name(model)
    name = info.name
    if info.square:
        require_square_cells(name, cells)
    if not info.layered and cells.K > 1:
        raise ModelSpecError(
            f"model {name!r} is a two-way model but the table has {cells.K} layers: pool "
            "the layers first (table.pooled()) or choose a layered model "
            "(conditional-independence, constant-fluidity, unidiff, quasi-unidiff, "
            "rc-layered)")
    if name in {"unidiff", "quasi-unidiff"}:
        return unidiff_spec(name, cells, y, include, quasi=name == "quasi-unidiff",
                            drop_aliased=drop_aliased)
    if name in {"rc1", "quasi-rc1"}:
        return rc_spec(name, cells, y, include, diagonal=name == "quasi-rc1",
                       drop_aliased=drop_aliased)
    if name in {"rc1-homogeneous", "quasi-rc1-homogeneous"}:
        return rc_spec(name, cells, y, include, diagonal=name.startswith("quasi-"),
                       homogeneous=True, drop_aliased=drop_aliased)
    if name == "rc-layered":
        if int(dimensions) < 1:
            raise ModelSpecError("dimensions must be at least 1")
        return rc_spec(name, cells, y, include, diagonal=False, dims=int(dimensions),
                       layer_phi=True, drop_aliased=drop_aliased)
    if name == "conditional-independence":
        d = Design(cells).margins()
    elif name == "constant-fluidity":
        d = Design(cells).margins().full_association()
    else:
        d = twoway_design(name, cells,
                          row_scores=_scores(row_scores, cells.I, "row_scores"),
                          column_scores=_scores(column_scores, cells.J, "column_scores"))
    return linear_spec(name, d.matrix(), d.names, y, include, drop_aliased=drop_aliased)


@contextlib.contextmanager
def _small_matrix_blas() -> Iterator[None]:
    """Run BLAS single-threaded while fitting: the matrices here have at most a few
    hundred columns, where threading gains nothing and, on a busy machine, OpenBLAS's
    spinning threads make a fit 10-20 times slower. Uses ``threadpoolctl`` when it is
    installed (it ships with scikit-learn); otherwise does nothing."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # pragma: no cover - optional
        yield
        return
    with threadpool_limits(limits=1, user_api="blas"):
        yield


def fit(
    table: Any,
    model: str,
    *,
    row_scores: Sequence[float] | np.ndarray | None = None,
    column_scores: Sequence[float] | np.ndarray | None = None,
    dimensions: int = 1,
    n_starts: int | None = None,
    seed: int | None = 0,
    tol: float = 1e-20,
    max_iter: int = 200,
) -> FitResult:
    """Fit an association model to a mobility table by Poisson maximum likelihood.

    Parameters
    ----------
    table:
        a :class:`socmob.tables.MobilityTable`, or counts as a 2-D ``(origin,
        destination)`` / 3-D ``(layer, origin, destination)`` array or a DataFrame.
        Structural zeros declared on a ``MobilityTable`` are excluded from the likelihood.
    model:
        a name in :data:`MODELS` (see the module docstring for the formulas).
    row_scores, column_scores:
        scores ``u_i``, ``v_j`` for the uniform, row- and column-effects models
        (default: integers 1..I, 1..J in table order).
    dimensions:
        number of dimensions ``M`` of ``rc-layered``.
    n_starts:
        starts for log-multiplicative models. Default (``None``): one deterministic,
        data-driven start — the constant-fluidity fit for Unidiff, the leading singular
        vectors of the residual log table for RC — and, only if that fit fails a
        convergence check (not converged, information matrix not positive definite,
        deviance above the model without its multiplicative term), 5 more random ones
        drawn with ``seed``. A number fits exactly that many starts (the first
        deterministic). The best converged fit is reported.
    tol:
        convergence threshold on the Newton decrement relative to ``1 + G²``.

    Raises
    ------
    NotFoundError
        unknown model name.
    ModelSpecError
        the model does not fit the table (a table that is not square — origin and
        destination not the same classes in the same order — for a diagonal or symmetry
        model, a two-way model on a layered table, a design that is not of full rank).
    InputError
        counts that are not finite, too large, negative, or all zero.
    ConvergenceError
        no start converged.
    """
    with _small_matrix_blas():
        return _fit(table, model, row_scores=row_scores, column_scores=column_scores,
                    dimensions=dimensions, n_starts=n_starts, seed=seed, tol=tol,
                    max_iter=max_iter)


EXTRA_STARTS = 5
"""Random starts tried, by default, when the deterministic start of a
log-multiplicative model fails a convergence check."""


def _fit(table: Any, model: str, *, row_scores: Sequence[float] | np.ndarray | None,
         column_scores: Sequence[float] | np.ndarray | None, dimensions: int,
         n_starts: int | None, seed: int | None, tol: float, max_iter: int) -> FitResult:
    info = _model_name(model)
    tbl = _as_table(table)
    K, I, J = tbl.counts.shape  # noqa: E741
    cells = Cells.of((K, I, J), tbl.origin, tbl.destination, tbl.layers)
    y = tbl.counts.ravel()
    mask = np.ones((K, I, J), dtype=bool)
    if tbl.structural_zeros is not None:
        mask &= ~tbl.structural_zeros[None]
    include = mask.ravel()
    options: dict[str, Any] = {"row_scores": row_scores, "column_scores": column_scores,
                               "dimensions": dimensions}
    spec = build_spec(info.name, cells, y, include, **options)
    forced = forced_zero_cells(np.asarray(spec.extras["support"]), y, include)
    if forced.any():
        include = include & ~forced
        spec = build_spec(info.name, cells, y, include, drop_aliased=True, **options)
    n_fit = int(include.sum())
    df = n_fit - spec.n_free
    if df < 0:
        raise ModelSpecError(f"model {info.name!r} has more free parameters "
                             f"({spec.n_free}) than cells ({n_fit}) on this table")
    if n_starts is not None and int(n_starts) < 1:
        raise ModelSpecError("n_starts must be at least 1")
    runs, best, cov, infinite = _run_starts(spec, y, include, n_starts=n_starts, seed=seed,
                                            tol=tol, max_iter=max_iter)
    return _result(info.name, spec, tbl, y, include, best, cov, infinite, df, runs,
                   forced=int(forced.sum()))


def _run_starts(spec: ModelSpec, y: np.ndarray, include: np.ndarray, *,
                n_starts: int | None, seed: int | None, tol: float, max_iter: int,
                ) -> tuple[list[SolverResult], SolverResult, np.ndarray, np.ndarray]:
    """Fit from the deterministic start and, when needed, from random ones.

    Linear models have one start. A log-multiplicative model with ``n_starts=None`` is
    fitted from its deterministic, data-driven start alone unless that fit fails a check —
    it did not converge, its information matrix is not positive definite, or its
    deviance is above that of the model without the multiplicative term (margins, plus
    the diagonal of quasi models), which it nests — and only then from
    :data:`EXTRA_STARTS` random starts drawn with ``seed``; the best converged fit is
    kept. An explicit ``n_starts`` fits exactly that many starts (the first
    deterministic) and keeps the best."""
    rng = np.random.default_rng(seed)
    if spec.linear:
        adaptive, planned = False, 1
    elif n_starts is None:
        adaptive, planned = True, 1 + EXTRA_STARTS
    else:
        adaptive, planned = False, int(n_starts)
    starts = spec.starts(rng, planned)
    runs: list[SolverResult] = []
    checked: dict[int, tuple[np.ndarray, np.ndarray]] = {}
    for n, theta0 in enumerate(starts):
        done = [r.deviance for r in runs if r.converged]
        # a start far worse than a converged one after 25 iterations cannot win
        cutoff = 1.5 * min(done) + 10.0 if done else np.inf
        run = fit_poisson(spec, y, include, theta0, tol=tol, max_iter=max_iter,
                          abandon_above=cutoff)
        runs.append(run)
        if adaptive and n == 0:
            passed, cov_inf = _passes_checks(spec, y, include, run)
            if cov_inf is not None:
                checked[id(run)] = cov_inf
            if passed:
                break
    good = [r for r in runs if r.converged and np.isfinite(r.deviance)]
    if not good:
        best_dev = min((r.deviance for r in runs), default=float("nan"))
        raise ConvergenceError(
            f"model {spec.name!r} did not converge from any of {len(runs)} start(s) within "
            f"{max_iter} iterations (best G² reached {best_dev:.6g}); try more starts "
            "(n_starts), a larger max_iter, or a simpler model")
    best = min(good, key=lambda r: r.deviance)
    if id(best) in checked:
        cov, infinite = checked[id(best)]
    else:
        cov, infinite = covariance(spec, best.theta, best.mu, include)
    return runs, best, cov, infinite


def _passes_checks(spec: ModelSpec, y: np.ndarray, include: np.ndarray, run: SolverResult,
                   ) -> tuple[bool, tuple[np.ndarray, np.ndarray] | None]:
    """The convergence checks of :func:`_run_starts` on one fit (and its covariance,
    when computed, for reuse)."""
    if not run.converged or not np.isfinite(run.deviance):
        return False, None
    cov, infinite = covariance(spec, run.theta, run.mu, include)
    if infinite.any():
        return False, (cov, infinite)
    baseline = spec.extras.get("baseline")
    if baseline is not None:
        floor = _baseline_deviance(spec, np.asarray(baseline), y, include)
        if run.deviance > floor + 1e-8 * (1.0 + floor):
            return False, (cov, infinite)
    return True, (cov, infinite)


def _baseline_deviance(spec: ModelSpec, X: np.ndarray, y: np.ndarray,
                       include: np.ndarray) -> float:
    """G² of the log-linear model with design ``X`` (the margins of a log-multiplicative
    model, with its diagonal for quasi models). Margins alone on a table without
    excluded cells have the closed form ``m_kij = n_ki+ n_k+j / n_k++`` (conditional
    independence)."""
    shape = spec.extras.get("shape")
    if spec.extras.get("baseline_is_margins") and include.all() and shape is not None:
        n = y.reshape(tuple(np.asarray(shape, dtype=int)))
        totals = n.sum(axis=(1, 2), keepdims=True)
        m = n.sum(axis=2, keepdims=True) * n.sum(axis=1, keepdims=True) / totals
        return poisson_deviance(n.ravel(), m.ravel())
    spec = linear_model("baseline", X, [f"b{k}" for k in range(X.shape[1])], y, include)
    run = fit_poisson(spec, y, include, spec.starts(np.random.default_rng(0), 1)[0],
                      tol=1e-12)
    return float(run.deviance)


def _result(name: str, spec: ModelSpec, tbl: _Table, y: np.ndarray, include: np.ndarray,
            best: SolverResult, cov: np.ndarray, infinite: np.ndarray, df: int,
            runs: list[SolverResult], *, forced: int = 0) -> FitResult:
    mu = np.where(include, best.mu, 0.0)
    yi, mi = y[include], mu[include]
    N = float(yi.sum())
    G2 = float(best.deviance)
    X2 = float(np.sum((yi - mi) ** 2 / mi))
    names = spec.names
    se = np.sqrt(np.clip(np.diag(cov), 0.0, None))
    se[infinite] = np.inf
    notes = []
    dropped = [str(v) for v in np.asarray(spec.extras.get("not_estimable", []), dtype=object)]
    if forced:
        notes.append(
            f"{forced} cell(s) fitted as structural zeros (a category with no cases) are "
            "left out of the cells and of df"
            + (f"; parameters not estimable, left out: {', '.join(dropped[:5])}"
               + ("…" if len(dropped) > 5 else "") if dropped else ""))
    if infinite.any():
        notes.append("estimates at infinity (fitted counts of zero cells going to 0): "
                     + ", ".join(np.asarray(names)[infinite][:5])
                     + ("…" if infinite.sum() > 5 else "") + " — their standard errors are "
                     "infinite and their values arbitrary beyond the fitted counts")
    note = "; ".join(notes)
    params = pd.Series(best.theta, index=names, name="params")
    bse = pd.Series(se, index=names, name="bse")
    log_phi = log_phi_se = log_phi_qse = None
    if "log_phi_index" in spec.extras:
        idx = np.asarray(spec.extras["log_phi_index"])
        log_phi = np.concatenate([[0.0], best.theta[idx]])
        log_phi_se = np.concatenate([[0.0], se[idx]])
        if len(idx) >= 2:
            full = np.zeros((len(idx) + 1, len(idx) + 1))
            full[1:, 1:] = cov[np.ix_(idx, idx)]
            with np.errstate(invalid="ignore"):
                log_phi_qse = np.sqrt(quasi_variances(full))
    shape = tbl.counts.shape if tbl.ndim == 3 else tbl.counts.shape[1:]
    return FitResult(
        model=name,
        deviance=G2,
        df=int(df),
        pearson_chi2=X2,
        bic=G2 - df * float(np.log(N)) if N > 0 else float("nan"),
        aic=G2 - 2.0 * df,
        dissimilarity=100.0 * float(np.sum(np.abs(yi - mi))) / (2.0 * N) if N > 0
        else float("nan"),
        nobs=N,
        params=params,
        bse=bse,
        fitted=mu.reshape(shape),
        converged=best.converged,
        iterations=best.iterations,
        cov_params_matrix=cov,
        n_cells=int(include.sum()),
        layer_labels=tbl.layers,
        log_phi=log_phi,
        log_phi_se=log_phi_se,
        log_phi_quasi_se=log_phi_qse,
        starts=len(runs),
        start_deviances=tuple(float(r.deviance) for r in runs),
        note=note,
        forced_zeros=int(forced),
        not_estimable=tuple(dropped),
    )
