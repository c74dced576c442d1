"""Poisson pseudo-maximum likelihood of the IGE (``zero_policy="ppml"``).

The elasticity of the *expected* child income, ``E[y | x] = exp(a + β·log x)`` (Santos
Silva & Tenreyro 2006, *REStat* 88:641; Mitnik & Grusky 2020, *Sociol. Methodology*
50:47), which keeps children with zero income; parents with x ≤ 0 are dropped and
counted. Newton–Raphson with one engine aggregation per iteration, sandwich (HC0)
standard errors.
"""

from __future__ import annotations

import math

import ibis
import numpy as np
import pandas as pd

from socmob.errors import ConvergenceError, InputError, SocmobError
from socmob.income._data import Prepared
from socmob.income.plan import TINY, Spec, engine_sums, group_label, records
from socmob.income.results import IGEResult


def fit_ppml(prep: Prepared, spec: Spec, *, tol: float = 1e-10, max_iter: int = 100
             ) -> tuple[dict[str, IGEResult], dict[str, str]]:
    """Poisson pseudo-ML of ``E[y | x] = exp(a + β log x)`` by Newton–Raphson.

    Returns the fits by group and, with ``by``, the groups that could not be fitted and
    why (too few rows with a positive parent income, no variation in it, no convergence);
    without ``by`` these are errors.

    Per iteration one aggregation returns, per group, the Hessian ``H = Σ w μ z z′``, the
    score ``U = Σ w (y − μ) z`` and the log-likelihood ``Σ w (y η − μ)`` with ``z = (1, log
    x − c)``, ``η = a + β(log x − c)``, ``μ = exp η``; children's incomes are divided by their
    national weighted mean (this changes only ``a``). Sandwich variance ``H⁻¹ M H⁻¹`` with
    ``M = Σ ω (y − μ)² z z′`` (ω = w² probability weights, w frequency weights) — HC0.
    """
    t = prep.table
    pos = t._x > 0
    base = t.filter(pos & (t._y >= 0))
    stats_frame = engine_sums(prep, t.group_by("_g").aggregate(
        n_x_nonpos=ibis.ifelse(t._x <= 0, 1, 0).sum(),
        n_y_neg=ibis.ifelse(t._y < 0, 1, 0).sum(),
        n_used=ibis.ifelse(pos & (t._y >= 0), 1, 0).sum(),
        sw=ibis.ifelse(pos & (t._y >= 0), t._w, 0.0).sum(),
        sz=ibis.ifelse(pos & (t._y >= 0), t._w * ibis.greatest(t._x, TINY).ln(), 0.0).sum(),
        sy=ibis.ifelse(pos & (t._y >= 0), t._w * t._y, 0.0).sum(),
    ), "the sums of incomes").set_index("_g")
    srows = records(stats_frame.reset_index())
    n_used_total = int(stats_frame["n_used"].sum())
    if n_used_total == 0 or float(stats_frame["sy"].sum()) <= 0:
        n = prep.n_rows - prep.n_missing
        if int(stats_frame["n_x_nonpos"].sum()) >= n:
            msg, col = f"all {n} parent incomes are zero or negative, so no IGE", prep.parent
        else:
            msg, col = "no child has a positive income, so no Poisson IGE", prep.child
        raise InputError(msg, file=prep.source, column=col, expected="positive incomes")
    failed: dict[str, str] = {}

    def give_up(g: str, error: SocmobError) -> None:
        if not prep.grouped:
            raise error
        failed[g] = error.message if isinstance(error, InputError) else str(error)

    for g in prep.groups:
        n_used = int(srows[g]["n_used"]) if g in srows else 0
        if n_used < 3:
            give_up(g, InputError(f"{n_used} row{'s' if n_used != 1 else ''} with a "
                                  "positive parent income, too few for the Poisson IGE",
                                  file=prep.source, column=prep.parent, expected="at least 3"))
    c = float(stats_frame["sz"].sum()) / float(stats_frame["sw"].sum())
    ybar = float(stats_frame["sy"].sum()) / float(stats_frame["sw"].sum())
    z = ibis.greatest(base._x, TINY).ln() - c
    yy = base._y / ybar
    groups = [g for g in prep.groups if g not in failed]
    beta = {g: np.array([math.log(max(float(srows[g]["sy"]) / float(srows[g]["sw"]) / ybar,
                                      1e-12)), 0.0])
            for g in groups}
    prev_beta: dict[str, np.ndarray] = {}
    prev_ll: dict[str, float] = {}
    results: dict[str, IGEResult] = {}
    for iteration in range(1, max_iter + 1):
        active = [g for g in groups if g not in results and g not in failed]
        if prep.grouped:
            params = ibis.memtable(pd.DataFrame({"_g": groups,
                                                 "_pa": [beta[g][0] for g in groups],
                                                 "_pb": [beta[g][1] for g in groups]}))
            tab = base.mutate(_z=z, _yy=yy).join(params, "_g")
            zz, yv, ww = tab._z, tab._yy, tab._w
            eta = tab._pa + tab._pb * zz
        else:
            b0, b1 = beta[groups[0]]
            tab, zz, yv, ww = base, z, yy, base._w
            eta = ibis.literal(float(b0)) + ibis.literal(float(b1)) * zz
        om = ww * ww if spec.weight_kind == "probability" else ww
        mu = eta.exp()
        r = yv - mu
        agg = engine_sums(prep, tab.group_by("_g").aggregate(
            h00=(ww * mu).sum(), h01=(ww * mu * zz).sum(), h11=(ww * mu * zz * zz).sum(),
            u0=(ww * r).sum(), u1=(ww * r * zz).sum(), ll=(ww * (yv * eta - mu)).sum(),
            m00=(om * r * r).sum(), m01=(om * r * r * zz).sum(),
            m11=(om * r * r * zz * zz).sum(), n=ww.count(), sw=ww.sum(),
        ), "the sums of the Poisson fit")
        arows = records(agg)
        for g in active:
            row = arows[g]
            ll = float(row["ll"])
            if g in prev_ll and ll < prev_ll[g] - 1e-12 * abs(prev_ll[g]):
                # the last Newton step lowered the likelihood: go half-way back
                beta[g] = (beta[g] + prev_beta[g]) / 2
                continue
            H = np.array([[row["h00"], row["h01"]], [row["h01"], row["h11"]]], dtype=float)
            U = np.array([row["u0"], row["u1"]], dtype=float)
            try:
                step = np.linalg.solve(H, U)
            except np.linalg.LinAlgError:
                give_up(g, InputError("log parent income does not vary", file=prep.source,
                                      column=prep.parent))
                continue
            if np.max(np.abs(step)) < tol * (1 + np.max(np.abs(beta[g]))):
                Hinv = np.linalg.inv(H)
                M = np.array([[row["m00"], row["m01"]], [row["m01"], row["m11"]]], dtype=float)
                J = np.array([[1.0, -c], [0.0, 1.0]])
                cov = J @ (Hinv @ M @ Hinv) @ J.T
                a = beta[g][0] + math.log(ybar) - beta[g][1] * c
                params_s = pd.Series({"const": a, "slope": beta[g][1]})
                results[g] = IGEResult(
                    params=params_s,
                    bse=pd.Series(np.sqrt(np.clip(np.diag(cov), 0, None)),
                                  index=params_s.index),
                    cov=cov, nobs=int(row["n"]), sum_weights=float(row["sw"]),
                    df_resid=float(row["n"]) - 2, rsquared=math.nan, se_type="robust",
                    weight_kind=spec.weight_kind, alpha=spec.alpha,
                    group=group_label(prep, g), measure="ige", unit="elasticity",
                    zero_policy="ppml",
                    n_dropped=int(prep.group_rows[g] - int(row["n"])), method="ppml",
                    iterations=iteration)
                continue
            prev_ll[g] = ll
            prev_beta[g] = beta[g].copy()
            beta[g] = beta[g] + step
        if len(results) + len(failed) == len(prep.groups):
            return results, failed
    for g in groups:
        if g not in results and g not in failed:
            give_up(g, ConvergenceError(
                f"the Poisson IGE did not converge in {max_iter} iterations"))
    return results, failed

