"""Model specifications: explicit, full-rank designs and log-multiplicative terms.

Cells of a ``(K, I, J)`` table (layers × origins × destinations) are flattened in C order.
Every log-linear design is built here column by column with *first-category (treatment)
coding*: the first origin, destination and layer are the references. Designs are checked
for full column rank on the cells that enter the likelihood before fitting; nothing is
ever dropped silently.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from socmob.errors import ModelSpecError
from socmob.models._solver import ModelSpec, check_design_rank, fit_poisson
from socmob.models._support import independent_columns
from socmob.tables.table import square_problem


def require_square_cells(name: str, cells: Cells) -> None:
    """Raise :class:`ModelSpecError` unless origin and destination are the same classes
    in the same order (models with a diagonal or symmetry need it)."""
    if not cells.square:
        raise ModelSpecError(
            f"model {name!r} needs a square table (the same origin and destination classes, "
            f"in the same order): {square_problem(cells.origin, cells.destination)}"
        )


def estimable(X: np.ndarray, names: list[str], include: np.ndarray, model: str, *,
              drop_aliased: bool) -> tuple[np.ndarray, list[str]]:
    """Columns of ``X`` to keep on the fitted cells ``include``, and the names of those
    left out. Without ``drop_aliased`` any aliasing is an error (nothing is dropped
    silently); with it — used once the cells a model forces to zero are left out, see
    :mod:`socmob.models._support` — aliased columns are the parameters that are not
    estimable, and the later of each aliased set is left out (as R's ``glm`` does)."""
    if not drop_aliased:
        check_design_rank(X[include], names, model)
        return np.arange(X.shape[1]), []
    keep = independent_columns(X[include])
    dropped = sorted(set(range(X.shape[1])) - set(keep.tolist()))
    return keep, [names[k] for k in dropped]


@dataclass(frozen=True)
class Cells:
    """Index arrays of the flattened table and its labels."""

    K: int
    I: int  # noqa: E741 - I×J is the notation of the literature
    J: int
    k: np.ndarray
    i: np.ndarray
    j: np.ndarray
    origin: tuple[str, ...]
    destination: tuple[str, ...]
    layers: tuple[str, ...]

    @property
    def square(self) -> bool:
        """The same origin and destination classes in the same order (a diagonal)."""
        return self.origin == self.destination

    @classmethod
    def of(cls, shape: tuple[int, int, int], origin: Sequence[str],
           destination: Sequence[str], layers: Sequence[str]) -> Cells:
        K, I, J = shape  # noqa: E741
        k, i, j = (a.ravel() for a in np.indices(shape))
        return cls(K, I, J, k, i, j, tuple(origin), tuple(destination), tuple(layers))

    @property
    def n(self) -> int:
        return self.K * self.I * self.J

    def layer_suffix(self, k: int) -> str:
        return f":layer[{self.layers[k]}]" if self.K > 1 else ""


class Design:
    """An explicit design matrix assembled from named columns."""

    def __init__(self, cells: Cells) -> None:
        self.cells = cells
        self.columns: list[np.ndarray] = []
        self.names: list[str] = []

    def add(self, name: str, column: np.ndarray) -> None:
        self.columns.append(np.asarray(column, dtype=float))
        self.names.append(name)

    def matrix(self) -> np.ndarray:
        if not self.columns:
            return np.zeros((self.cells.n, 0))
        return np.column_stack(self.columns)

    # ---- building blocks ---------------------------------------------------------------
    def margins(self) -> Design:
        """Intercept, layer main effects and layer-specific origin and destination
        effects (treatment coding; for one layer: intercept + origin + destination)."""
        c = self.cells
        self.add("(intercept)", np.ones(c.n))
        for k in range(1, c.K):
            self.add(f"layer[{c.layers[k]}]", c.k == k)
        for k in range(c.K):
            for a in range(1, c.I):
                self.add(f"origin[{c.origin[a]}]{c.layer_suffix(k)}", (c.k == k) & (c.i == a))
            for b in range(1, c.J):
                self.add(f"destination[{c.destination[b]}]{c.layer_suffix(k)}",
                         (c.k == k) & (c.j == b))
        return self

    def diagonal(self, *, per_layer: bool) -> Design:
        """One parameter per diagonal cell (per layer if ``per_layer``)."""
        c = self.cells
        layers = range(c.K) if per_layer else [None]
        for k in layers:
            for a in range(c.I):
                col = (c.i == a) & (c.j == a)
                suffix = ""
                if k is not None:
                    col = col & (c.k == k)
                    suffix = c.layer_suffix(k)
                self.add(f"diag[{c.origin[a]}]{suffix}", col)
        return self

    def full_association(self) -> Design:
        """Common (layer-invariant) interaction ``g_ij``, ``g_1j = g_i1 = 0``."""
        c = self.cells
        for a in range(1, c.I):
            for b in range(1, c.J):
                self.add(f"assoc[{c.origin[a]},{c.destination[b]}]", (c.i == a) & (c.j == b))
        return self


def association_columns(cells: Cells, *, off_diagonal: bool) -> tuple[np.ndarray, list[str]]:
    """Treatment-coded association ``g_ij`` (i, j ≥ 2) as columns.

    With ``off_diagonal`` (diagonal cells carry their own parameters) the diagonal cells
    are left out and, because the diagonal parameter of cell (1, 1) frees one more
    restriction, the last off-diagonal cell ``g_{I,I-1}`` is also fixed at 0.
    """
    cols: list[np.ndarray] = []
    names: list[str] = []
    pairs = [(a, b) for a in range(1, cells.I) for b in range(1, cells.J)]
    if off_diagonal:
        pairs = [(a, b) for a, b in pairs if a != b]
        last = (cells.I - 1, cells.I - 2)
        if last in pairs:
            pairs.remove(last)
        elif pairs:
            pairs.pop()
    for a, b in pairs:
        cols.append(((cells.i == a) & (cells.j == b)).astype(float))
        names.append(f"assoc[{cells.origin[a]},{cells.destination[b]}]")
    mat = np.column_stack(cols) if cols else np.zeros((cells.n, 0))
    return mat, names


def _log_start(y: np.ndarray, include: np.ndarray) -> np.ndarray:
    return np.log(y[include] + 0.5)


def linear_spec(name: str, X: np.ndarray, names: list[str], y: np.ndarray,
                include: np.ndarray, *, drop_aliased: bool = False) -> ModelSpec:
    """A log-linear model ``eta = X theta``; the design is rank-checked here (see
    :func:`estimable` for ``drop_aliased``)."""
    keep, dropped = estimable(X, names, include, name, drop_aliased=drop_aliased)
    spec = linear_model(name, X[:, keep], [names[k] for k in keep], y, include)
    spec.extras.update({"support": X, "not_estimable": dropped})
    return spec


def linear_model(name: str, X: np.ndarray, names: list[str], y: np.ndarray,
                  include: np.ndarray) -> ModelSpec:
    """The log-linear model ``eta = X theta`` of a design already checked for rank; the
    start is the least-squares fit of ``log(y + 1/2)``."""
    theta_start: list[np.ndarray] = []

    def starts(rng: np.random.Generator, k: int) -> list[np.ndarray]:
        if not theta_start:
            Xi = X[include]
            theta_start.append(np.linalg.lstsq(Xi, _log_start(y, include), rcond=None)[0])
        return [theta_start[0]]

    return ModelSpec(
        name=name,
        names=list(names),
        predictor=lambda theta: X @ theta,
        jacobian=lambda theta: X,
        starts=starts,
        linear=True,
        extras={"design": X},
    )


def _fit_linear_start(spec: ModelSpec, y: np.ndarray, include: np.ndarray) -> np.ndarray:
    res = fit_poisson(spec, y, include, spec.starts(np.random.default_rng(0), 1)[0],
                      tol=1e-14)
    return res.theta


def unidiff_spec(name: str, cells: Cells, y: np.ndarray, include: np.ndarray, *,
                 quasi: bool, drop_aliased: bool = False) -> ModelSpec:
    """Unidiff / log-multiplicative layer effect (Xie 1992; Erikson & Goldthorpe 1992)::

        log mu_kij = margins_k(i, j) [+ delta_kii] + phi_k g_ij,   phi_k = exp(d_k), d_1 = 0

    ``quasi``: each layer's diagonal cells get their own parameters ``delta_kii`` (fitted
    exactly) and ``g`` lives on the off-diagonal cells only.

    Start: the constant-fluidity fit (all ``phi_k = 1``), from which the deviance can only
    fall, so a converged Unidiff fit is never worse than constant fluidity (nor than
    conditional independence, which constant fluidity nests): the solver's checks need
    no baseline fit. Further starts draw ``d_k`` at random around it.
    """
    if cells.K < 2:
        raise ModelSpecError(f"model {name!r} compares layers: the table has only one layer")
    if quasi:
        require_square_cells(name, cells)
    design = Design(cells).margins()
    if quasi:
        design.diagonal(per_layer=True)
    Xm_all = design.matrix()
    Z_all, znames = association_columns(cells, off_diagonal=quasi)
    if Z_all.shape[1] == 0:
        raise ModelSpecError(f"model {name!r} has no association to scale on this table")
    support = np.column_stack([Xm_all, Z_all])
    keep, dropped = estimable(support, design.names + znames, include, name,
                              drop_aliased=drop_aliased)
    pm_all = Xm_all.shape[1]
    Xm = Xm_all[:, keep[keep < pm_all]]
    Z = Z_all[:, keep[keep >= pm_all] - pm_all]
    if Z.shape[1] == 0:
        raise ModelSpecError(f"model {name!r} has no association to scale on this table")
    base_names = [(design.names + znames)[k] for k in keep]
    pm, q, K = Xm.shape[1], Z.shape[1], cells.K
    layer_onehot = np.zeros((cells.n, K - 1))
    for k in range(1, K):
        layer_onehot[:, k - 1] = cells.k == k
    names = base_names + [f"log_phi[{cells.layers[k]}]" for k in range(1, K)]

    def phi_of(theta: np.ndarray) -> np.ndarray:
        return np.exp(np.concatenate([[0.0], theta[pm + q:]]))[cells.k]

    def predictor(theta: np.ndarray) -> np.ndarray:
        return Xm @ theta[:pm] + phi_of(theta) * (Z @ theta[pm:pm + q])

    def jacobian(theta: np.ndarray) -> np.ndarray:
        phi = phi_of(theta)
        zg = Z @ theta[pm:pm + q]
        return np.column_stack([Xm, phi[:, None] * Z, layer_onehot * (phi * zg)[:, None]])

    def hessian_term(theta: np.ndarray, r: np.ndarray) -> np.ndarray:
        # eta = Xm b + phi_k (Z g), phi_k = exp(d_k): d²eta/dg dd_k = phi_k Z [k],
        # d²eta/dd_k² = phi_k (Z g) [k]; all others 0
        phi = phi_of(theta)
        zg = Z @ theta[pm:pm + q]
        W = (r * phi)[:, None] * layer_onehot
        T = np.zeros((len(theta), len(theta)))
        T[pm:pm + q, pm + q:] = Z.T @ W
        T[pm + q:, pm:pm + q] = T[pm:pm + q, pm + q:].T
        T[pm + q:, pm + q:] = np.diag(W.T @ zg)
        return T

    csf_theta: list[np.ndarray] = []

    def constant_fluidity() -> np.ndarray:
        if not csf_theta:
            X = np.column_stack([Xm, Z])
            csf = linear_model(name + " (constant fluidity start)", X, base_names, y,
                                include)
            csf_theta.append(_fit_linear_start(csf, y, include))
        return csf_theta[0]

    def starts(rng: np.random.Generator, n: int) -> list[np.ndarray]:
        base = constant_fluidity()
        out = [np.concatenate([base, np.zeros(K - 1)])]
        for _ in range(n - 1):
            d = rng.normal(0.0, 0.5, K - 1)
            out.append(np.concatenate([base, d]))
        return out

    return ModelSpec(name=name, names=names, predictor=predictor, jacobian=jacobian,
                     starts=starts, linear=False, hessian_term=hessian_term,
                     extras={"log_phi_index": np.arange(pm + q, pm + q + K - 1),
                             "support": support, "not_estimable": dropped})


def rc_spec(name: str, cells: Cells, y: np.ndarray, include: np.ndarray, *,
            diagonal: bool, dims: int = 1, layer_phi: bool = False,
            homogeneous: bool = False, drop_aliased: bool = False) -> ModelSpec:
    """Goodman's RC(M) association (log-multiplicative), optionally with layer-specific
    intrinsic association and homogeneous scores (RC(M)-L, Wong 2010)::

        log mu_kij = margins_k(i, j) [+ delta_ii] + sum_m phi_km mu_im nu_jm

    Identification: for every dimension ``sum_i mu_im = 0``, ``sum_i mu_im^2 = 1`` and the
    same for ``nu`` (unweighted normalisation; gnm's ``getContrasts(ref = "mean",
    scaleRef = "mean", scaleWeights = rep(1, I))``). Signs: ``phi_1m > 0`` and
    ``mu_1m > 0``; dimensions are ordered by decreasing ``sum_k phi_km^2``.

    ``homogeneous``: the same scores for origins and destinations (``nu = mu``; gnm's
    ``MultHomog``); ``phi`` may then be negative and ``mu_1m > 0`` fixes the sign.
    """
    I, J, K = cells.I, cells.J, cells.K  # noqa: E741
    if diagonal or homogeneous:
        require_square_cells(name, cells)
    if min(I, J) < dims + 1:
        raise ModelSpecError(f"model {name!r} needs at least {dims + 1} origin and "
                             f"destination categories")
    for axis, index, labels in (("origin", cells.i, cells.origin),
                                ("destination", cells.j, cells.destination)):
        empty = sorted(set(range(len(labels))) - set(index[include].tolist()))
        if empty:
            raise ModelSpecError(
                f"model {name!r} cannot score {axis} category {labels[empty[0]]!r}: it has "
                "no cases (or only structural zeros) in every layer; leave it out of the "
                "table")
    design = Design(cells).margins()
    if diagonal:
        design.diagonal(per_layer=K > 1)
    Xm_all = design.matrix()
    keep, dropped = estimable(Xm_all, design.names, include, name, drop_aliased=drop_aliased)
    Xm = Xm_all[:, keep]
    design.names = [design.names[k] for k in keep]
    Xpinv = np.linalg.pinv(Xm[include])
    pm = Xm.shape[1]
    Kp = K if layer_phi else 1
    kp = cells.k if layer_phi else np.zeros(cells.n, dtype=int)
    M = dims
    o_phi, o_mu, o_nu = pm, pm + Kp * M, pm + Kp * M + I * M
    p = o_nu if homogeneous else o_nu + J * M

    def unpack(theta: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        phi = theta[o_phi:o_mu].reshape(Kp, M)
        mu = theta[o_mu:o_nu].reshape(I, M)
        nu = mu if homogeneous else theta[o_nu:p].reshape(J, M)
        return phi, mu, nu

    def pack(beta: np.ndarray, phi: np.ndarray, mu: np.ndarray, nu: np.ndarray) -> np.ndarray:
        parts = [beta, phi.ravel(), mu.ravel()] + ([] if homogeneous else [nu.ravel()])
        return np.concatenate(parts)

    def assoc(theta: np.ndarray) -> np.ndarray:
        phi, mu, nu = unpack(theta)
        return np.sum(phi[kp] * mu[cells.i] * nu[cells.j], axis=1)

    def predictor(theta: np.ndarray) -> np.ndarray:
        return Xm @ theta[:pm] + assoc(theta)

    onehot_k = (kp[:, None] == np.arange(Kp)[None, :]).astype(float)
    onehot_i = (cells.i[:, None] == np.arange(I)[None, :]).astype(float)
    onehot_j = (cells.j[:, None] == np.arange(J)[None, :]).astype(float)

    def jacobian(theta: np.ndarray) -> np.ndarray:
        phi, mu, nu = unpack(theta)
        out = np.zeros((cells.n, p))
        out[:, :pm] = Xm
        ph, mi, nj = phi[kp], mu[cells.i], nu[cells.j]
        for m in range(M):
            out[:, o_phi + np.arange(Kp) * M + m] = onehot_k * (mi[:, m] * nj[:, m])[:, None]
            out[:, o_mu + np.arange(I) * M + m] = onehot_i * (ph[:, m] * nj[:, m])[:, None]
            col = onehot_j * (ph[:, m] * mi[:, m])[:, None]
            if homogeneous:
                out[:, o_mu + np.arange(I) * M + m] += col
            else:
                out[:, o_nu + np.arange(J) * M + m] = col
        return out

    def hessian_term(theta: np.ndarray, r: np.ndarray) -> np.ndarray:
        # second derivatives of phi_km mu_im nu_jm (one dimension at a time; none across
        # dimensions): d²/dphi dmu = nu_j, d²/dphi dnu = mu_i, d²/dmu dnu = phi_k; with
        # homogeneous scores (nu = mu) the mu-mu block is symmetrised
        phi, mu, nu = unpack(theta)
        T = np.zeros((len(theta), len(theta)))
        ph, mi, nj = phi[kp], mu[cells.i], nu[cells.j]
        for m in range(M):
            rows_phi = o_phi + np.arange(Kp) * M + m
            rows_mu = o_mu + np.arange(I) * M + m
            phi_mu = onehot_k.T @ ((r * nj[:, m])[:, None] * onehot_i)
            phi_nu = onehot_k.T @ ((r * mi[:, m])[:, None] * onehot_j)
            mu_nu = onehot_i.T @ ((r * ph[:, m])[:, None] * onehot_j)
            if homogeneous:
                T[np.ix_(rows_phi, rows_mu)] += phi_mu + phi_nu
                T[np.ix_(rows_mu, rows_mu)] += mu_nu + mu_nu.T
            else:
                rows_nu = o_nu + np.arange(J) * M + m
                T[np.ix_(rows_phi, rows_mu)] += phi_mu
                T[np.ix_(rows_phi, rows_nu)] += phi_nu
                T[np.ix_(rows_mu, rows_nu)] += mu_nu
        upper = np.triu(T, 1)
        return upper + upper.T + np.diag(np.diag(T))

    per_dim = 2 if homogeneous else 4

    def constraint_jacobian(theta: np.ndarray) -> np.ndarray:
        _, mu, nu = unpack(theta)
        G = np.zeros((per_dim * M, p))
        for m in range(M):
            r = per_dim * m
            G[r, o_mu + np.arange(I) * M + m] = 1.0
            G[r + 1, o_mu + np.arange(I) * M + m] = 2.0 * mu[:, m]
            if not homogeneous:
                G[r + 2, o_nu + np.arange(J) * M + m] = 1.0
                G[r + 3, o_nu + np.arange(J) * M + m] = 2.0 * nu[:, m]
        return G

    def normalise(theta: np.ndarray) -> np.ndarray:
        eta = predictor(theta)
        phi, mu, nu = (a.copy() for a in unpack(theta))
        for m in range(M):
            cu = mu[:, m] - mu[:, m].mean()
            cv = nu[:, m] - nu[:, m].mean()
            su = float(np.linalg.norm(cu)) or 1.0
            sv = float(np.linalg.norm(cv)) or 1.0
            mu[:, m], nu[:, m] = cu / su, cv / sv
            phi[:, m] = phi[:, m] * su * sv
            if phi[0, m] < 0 and not homogeneous:
                phi[:, m], mu[:, m] = -phi[:, m], -mu[:, m]
            if mu[0, m] < 0:
                mu[:, m], nu[:, m] = -mu[:, m], -nu[:, m]
        if M > 1:
            order = np.argsort(-np.sum(phi**2, axis=0), kind="stable")
            phi, mu, nu = phi[:, order], mu[:, order], nu[:, order]
        new = pack(theta[:pm], phi, mu, nu)
        new[:pm] = Xpinv @ (eta[include] - assoc(new)[include])
        return new

    # deterministic start: SVD of the residual log table after the margins
    logy = np.log(y + 0.5)
    beta0 = Xpinv @ logy[include]
    resid = (logy - Xm @ beta0).reshape(K, I, J)
    if diagonal:
        for a in range(I):
            resid[:, a, a] = 0.0
    base = resid.mean(axis=0)
    if homogeneous:
        base = 0.5 * (base + base.T)
    U, S, Vt = np.linalg.svd(base)
    mu0, nu0 = U[:, :M], (U[:, :M] if homogeneous else Vt[:M].T)
    phi0 = np.array([[float(mu0[:, m] @ resid[k] @ nu0[:, m]) for m in range(M)]
                     for k in range(K)])
    if not layer_phi:
        phi0 = phi0.mean(axis=0, keepdims=True)
    phi0 = np.where(np.abs(phi0) < 1e-3, S[:M][None, :] + 1e-3, phi0)

    def starts(rng: np.random.Generator, n: int) -> list[np.ndarray]:
        out = [pack(beta0, phi0, mu0, nu0)]
        for _ in range(n - 1):
            mu_r = rng.normal(size=(I, M))
            nu_r = rng.normal(size=(J, M))
            phi_r = np.abs(phi0) * rng.uniform(0.5, 1.5, size=phi0.shape)
            if homogeneous:
                phi_r = phi_r * rng.choice([-1.0, 1.0], size=phi0.shape)
            out.append(pack(beta0, phi_r, mu_r, nu_r))
        return out

    def label(m: int) -> str:
        return "" if M == 1 else str(m + 1)

    names = list(design.names)
    for k in range(Kp):
        for m in range(M):
            names.append(f"phi{label(m)}[{cells.layers[k]}]" if layer_phi else f"phi{label(m)}")
    names += [f"mu{label(m)}[{cells.origin[a]}]" for a in range(I) for m in range(M)]
    if not homogeneous:
        names += [f"nu{label(m)}[{cells.destination[b]}]" for b in range(J) for m in range(M)]
    return ModelSpec(name=name, names=names, predictor=predictor, jacobian=jacobian,
                     starts=starts, linear=False, constraint_jacobian=constraint_jacobian,
                     hessian_term=hessian_term,
                     normalise=normalise, n_constraints=per_dim * M,
                     extras={"rc": (pm, Kp, M), "support": Xm_all, "not_estimable": dropped,
                             "baseline": Xm, "baseline_is_margins": not diagonal,
                             "shape": (K, I, J)})


# ---------------------------------------------------------------------- two-way designs


def default_scores(n: int) -> np.ndarray:
    """Integer scores 1..n in table order (top class = 1)."""
    return np.arange(1.0, n + 1.0)


def twoway_design(name: str, cells: Cells, *, row_scores: np.ndarray,
                  column_scores: np.ndarray) -> Design:
    """Explicit design of a two-way log-linear association model (see ``MODELS``)."""
    c = cells
    u, v = row_scores[c.i], column_scores[c.j]
    if name.startswith("quasi-") or name == "symmetry":
        require_square_cells(name, c)
    if name == "symmetry":
        d = Design(c)
        for a in range(c.I):
            for b in range(a, c.J):
                d.add(f"symm[{c.origin[a]},{c.destination[b]}]",
                      ((c.i == a) & (c.j == b)) | ((c.i == b) & (c.j == a)))
        return d
    if name == "quasi-symmetry":
        d = Design(c)
        for a in range(c.I):
            for b in range(a, c.J):
                d.add(f"symm[{c.origin[a]},{c.destination[b]}]",
                      ((c.i == a) & (c.j == b)) | ((c.i == b) & (c.j == a)))
        for a in range(1, c.I):
            d.add(f"origin[{c.origin[a]}]", c.i == a)
        return d
    d = Design(c).margins()
    quasi = name.startswith("quasi-")
    if quasi:
        d.diagonal(per_layer=False)
        name = name.removeprefix("quasi-")
    if name == "uniform-association":
        d.add("uniform", u * v)
    if name in {"row-effects", "row-column-effects"}:
        for a in range(1, c.I):
            d.add(f"row_effect[{c.origin[a]}]", (c.i == a) * v)
    if name == "column-effects":
        for b in range(1, c.J):
            d.add(f"column_effect[{c.destination[b]}]", (c.j == b) * u)
    if name == "row-column-effects":
        # the uniform component u_i v_j lies in both sets; it is carried by the row
        # effects, so the column effects of the first AND last destination are fixed at 0
        for b in range(1, c.J - 1):
            d.add(f"column_effect[{c.destination[b]}]", (c.j == b) * u)
    return d
