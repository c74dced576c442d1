"""Poisson maximum likelihood for log-linear and log-multiplicative models.

One solver serves every model. A model supplies the linear predictor
``eta(theta)`` over the cells of the table, its Jacobian ``J = d eta / d theta``, optional
smooth equality constraints ``c(theta) = 0`` that identify it (e.g. RC scores with
``sum(mu) = 0`` and ``sum(mu**2) = 1``) and a ``normalise`` map that moves any parameter
vector onto the constraint surface without changing ``eta``.

Newton-Raphson is done in the tangent space of the constraints: with ``N`` an orthonormal
basis of ``null(dc/dtheta)``, ``W = diag(mu)``::

    A = N' (J' W J - T) N,   s = N' J' (y - mu),   theta <- normalise(theta + t N A^-1 s)

where ``T = Σ_c (y_c − mu_c) ∂²eta_c/∂theta²`` is the curvature of the multiplicative terms
(zero for log-linear models, where this is Fisher scoring, i.e. Newton-Raphson for the
canonical log link). Where ``A`` with ``T`` is not positive definite (far from the
optimum) ``T`` is left out: a Fisher-scoring (Gauss-Newton) step, which always descends.
Near the optimum full Newton steps converge quadratically, where Gauss-Newton converges
only linearly for log-multiplicative models.

with step halving ``t`` until the deviance does not increase. The iteration stops when the
Newton decrement ``s' A^-1 s`` (the deviance a full step would still remove, to second
order) falls below ``tol * (1 + G2)``. At the solution ``A`` must have full rank: that is
the identification check (a rank-deficient ``A`` raises :class:`ModelSpecError`).

The covariance of the estimates is ``N A^-1 N'`` (inverse expected information restricted
to the constraint surface), which for identified quantities equals what R's ``glm`` and
``gnm`` report.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from scipy.linalg import null_space

from socmob.errors import ModelSpecError

_EXP_MAX = 700.0


@dataclass
class ModelSpec:
    """A Poisson model over the flattened cells of a table.

    ``names`` label the entries of ``theta``; ``include`` marks the cells that enter the
    likelihood (structural zeros are excluded); ``starts(rng, k)`` returns ``k`` starting
    vectors (the first deterministic), ``linear`` says whether ``eta`` is linear in theta
    (then one start suffices and no constraints are used). A nonlinear model may give
    ``hessian_term(theta, r) = Σ_c r_c ∂²η_c/∂θ∂θ'`` (``r = y − μ``): the solver then
    takes full Newton steps with the observed information ``J'WJ − hessian_term``
    wherever that is positive definite (quadratic convergence near the optimum) and
    Fisher-scoring steps elsewhere.
    """

    name: str
    names: list[str]
    predictor: Callable[[np.ndarray], np.ndarray]
    jacobian: Callable[[np.ndarray], np.ndarray]
    starts: Callable[[np.random.Generator, int], list[np.ndarray]]
    linear: bool = True
    constraint_jacobian: Callable[[np.ndarray], np.ndarray] | None = None
    normalise: Callable[[np.ndarray], np.ndarray] = field(default=lambda theta: theta)
    n_constraints: int = 0
    hessian_term: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None
    extras: dict[str, object] = field(default_factory=dict)

    @property
    def n_free(self) -> int:
        """Number of free parameters (length of theta minus the constraints)."""
        return len(self.names) - self.n_constraints


@dataclass
class SolverResult:
    """Outcome of one Fisher-scoring run."""

    theta: np.ndarray
    mu: np.ndarray
    deviance: float
    converged: bool
    iterations: int
    message: str = ""


def poisson_deviance(y: np.ndarray, mu: np.ndarray) -> float:
    """G² = 2 Σ [y log(y/μ) − (y − μ)] with 0·log 0 = 0."""
    with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
        term = np.where(y > 0, y * np.log(y / mu), 0.0)
    return float(2.0 * np.sum(term - (y - mu)))


def _tangent_basis(spec: ModelSpec, theta: np.ndarray) -> np.ndarray | None:
    if spec.constraint_jacobian is None or spec.n_constraints == 0:
        return None
    G = spec.constraint_jacobian(theta)
    return null_space(G)


def _solve_pd(A: np.ndarray, s: np.ndarray) -> np.ndarray | None:
    """``A^-1 s`` if ``A`` is positive definite (Cholesky succeeds), else ``None``."""
    try:
        L = np.linalg.cholesky(A)
    except np.linalg.LinAlgError:
        return None
    z = np.linalg.solve(L, s)
    return np.asarray(np.linalg.solve(L.T, z))


def _solve_psd(A: np.ndarray, s: np.ndarray) -> np.ndarray:
    try:
        L = np.linalg.cholesky(A)
        z = np.linalg.solve(L, s)
        return np.asarray(np.linalg.solve(L.T, z))
    except np.linalg.LinAlgError:
        return np.asarray(np.linalg.lstsq(A, s, rcond=None)[0])


def information_rank(A: np.ndarray, *, rtol: float = 1e-9) -> int:
    """Numerical rank of a symmetric positive semi-definite matrix (eigenvalues above
    ``rtol`` times the largest)."""
    if A.size == 0:
        return 0
    w = np.linalg.eigvalsh(A)
    top = float(np.max(np.abs(w)))
    if top == 0.0:
        return 0
    return int(np.sum(w > rtol * top))


def fit_poisson(
    spec: ModelSpec,
    y: np.ndarray,
    include: np.ndarray,
    theta0: np.ndarray,
    *,
    tol: float = 1e-20,
    max_iter: int = 200,
    abandon_above: float = np.inf,
) -> SolverResult:
    """Fisher scoring from ``theta0`` (see the module docstring).

    A start whose deviance is still above ``abandon_above`` after 25 iterations is given
    up (used by multi-start fits once a better solution is known)."""
    yi = y[include]

    def evaluate(theta: np.ndarray) -> tuple[np.ndarray, float]:
        eta = spec.predictor(theta)
        if not np.all(np.isfinite(eta)) or np.max(eta[include]) > _EXP_MAX:
            return np.full_like(eta, np.nan), np.inf
        mu = np.exp(eta)
        return mu, poisson_deviance(yi, mu[include])

    theta = spec.normalise(np.asarray(theta0, dtype=float))
    mu, dev = evaluate(theta)
    if not np.isfinite(dev):
        return SolverResult(theta, mu, dev, False, 0, message="non-finite start")
    converged = False
    it = 0
    for it in range(1, max_iter + 1):
        J = spec.jacobian(theta)[include]
        N = _tangent_basis(spec, theta)
        Jn = J if N is None else J @ N
        mui = mu[include]
        A = Jn.T @ (mui[:, None] * Jn)
        s = Jn.T @ (yi - mui)
        delta = None
        if spec.hessian_term is not None:
            r = np.zeros(len(y))
            r[include] = yi - mui
            T = spec.hessian_term(theta, r)
            delta = _solve_pd(A - (T if N is None else N.T @ T @ N), s)
        if delta is None:
            delta = _solve_psd(A, s)
        decrement = float(s @ delta)
        step = delta if N is None else N @ delta
        if decrement <= tol * (1.0 + dev):
            converged = True
            # take the last (tiny) Newton step too: it costs one evaluation
            cand = spec.normalise(theta + step)
            mu_c, dev_c = evaluate(cand)
            if dev_c <= dev + 1e-13 * (1.0 + abs(dev)):
                theta, mu, dev = cand, mu_c, dev_c
            break
        t = 1.0
        accepted = False
        while t > 1e-12:
            cand = spec.normalise(theta + t * step)
            mu_c, dev_c = evaluate(cand)
            if dev_c <= dev + 1e-13 * (1.0 + abs(dev)):
                accepted = True
                break
            t *= 0.5
        if not accepted:
            # No descent possible: at the optimum to machine precision if the decrement
            # is already tiny; otherwise give up.
            converged = decrement <= 1e-8 * (1.0 + dev)
            break
        improvement = dev - dev_c
        theta, mu, dev = cand, mu_c, dev_c
        if it >= 25 and dev > abandon_above:
            return SolverResult(theta, mu, dev, False, it, message="abandoned")
        if improvement <= 0.0 and decrement <= 1e-10 * (1.0 + dev):
            converged = True
            break
    return SolverResult(theta, mu, dev, converged, it)


def covariance(
    spec: ModelSpec, theta: np.ndarray, mu: np.ndarray, include: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """Inverse expected information on the constraint surface, ``N A^-1 N'``, and a mask
    of parameters estimated at infinity.

    A singular ``A`` has two causes. If ``J N`` itself is rank deficient the model is not
    identified on the table and :class:`ModelSpecError` is raised. If only the weighted
    matrix is singular, some fitted counts have gone to 0 with observed zeros (e.g. a zero
    diagonal cell under quasi-independence): those estimates are at infinity, as R's
    ``glm`` would show with huge values; their variance is reported as infinite and the
    rest of the covariance matrix is the pseudo-inverse on the remaining directions.
    """
    J = spec.jacobian(theta)[include]
    N = _tangent_basis(spec, theta)
    Jn = J if N is None else J @ N
    A = Jn.T @ (mu[include][:, None] * Jn)
    p = A.shape[0]
    infinite = np.zeros(len(theta), dtype=bool)
    if information_rank(A) == p:
        inv = np.linalg.inv(A)
        inv = 0.5 * (inv + inv.T)
        return (inv if N is None else N @ inv @ N.T), infinite
    structural = information_rank(Jn.T @ Jn)
    if structural < p:
        raise ModelSpecError(
            f"model {spec.name!r} is not identified on this table: the information "
            f"matrix has rank {structural} for {p} free parameters (check structural "
            "zeros, empty rows or columns, or a table too small for the model)"
        )
    w, V = np.linalg.eigh(A)
    big = w > 1e-9 * float(np.max(w))
    inv = (V[:, big] / w[big]) @ V[:, big].T
    loading = np.abs(V[:, ~big]) if N is None else np.abs(N @ V[:, ~big])
    infinite = np.max(loading, axis=1) > 1e-6
    cov = inv if N is None else N @ inv @ N.T
    return cov, infinite


def check_design_rank(X: np.ndarray, names: list[str], model: str) -> None:
    """Raise :class:`ModelSpecError` unless the design ``X`` (included cells only) has full
    column rank — aliased columns are never dropped silently."""
    if X.shape[1] > X.shape[0]:
        raise ModelSpecError(
            f"model {model!r} has {X.shape[1]} parameters but only {X.shape[0]} cells to "
            "fit them to"
        )
    sv = np.linalg.svd(X, compute_uv=False)
    tol = sv[0] * max(X.shape) * np.finfo(float).eps * 1e3 if sv.size else 0.0
    rank = int(np.sum(sv > tol))
    if rank < X.shape[1]:
        # name a column that is aliased with earlier ones
        bad = None
        for k in range(1, X.shape[1] + 1):
            if np.linalg.matrix_rank(X[:, :k]) < k:
                bad = names[k - 1]
                break
        raise ModelSpecError(
            f"model {model!r} is not identified on this table: its design has rank {rank} "
            f"for {X.shape[1]} parameters"
            + (f" (parameter {bad!r} is aliased)" if bad else "")
            + "; check structural zeros and empty rows or columns"
        )
