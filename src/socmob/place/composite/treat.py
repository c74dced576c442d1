"""Outlier treatment: skew/kurtosis check, winsorisation, log transform.

Arrays are ``(..., units, indicators)``: every statistic is taken over the units axis
(``-2``) and any leading axes (Monte Carlo runs) are treated independently, so the same
code serves one coin and 10,000 runs at once. Missing values are ignored.

COINr's default (``Treat()``, COINr 1.1): for each indicator,

1. pass if ``|skew| < skew_thresh`` **or** ``kurt < kurt_thresh`` (2 and 3.5);
2. otherwise winsorise one step at a time while the check fails and the count of
   winsorised points is below ``winmax``: if the skew of the current values is ≥ 0 every
   point equal to the maximum is set to the largest remaining value, else every point
   equal to the minimum is set to the smallest remaining value;
3. if it still fails, discard the winsorisation and apply the log transform
   ``log(x − min x + 0.01 (max x − min x))`` (COINr's ``log_CT``) to the original values.

Skewness and kurtosis are the sample statistics of type 2 in Joanes & Gill (1998) (as in
Excel, SAS and ``e1071`` type 2), with :math:`m_r = \\frac1n\\sum (x-\\bar x)^r`:

.. math::
    G_1 = \\frac{\\sqrt{n(n-1)}}{n-2}\\,\\frac{m_3}{m_2^{3/2}}, \\qquad
    G_2 = \\frac{(n-1)\\,[(n+1)(m_4/m_2^2 - 3) + 6]}{(n-2)(n-3)}.

COINr counts winsorised points as the number of tied points moved at the latest
high-side step plus at the latest low-side step (ties accumulate, so after *k* steps on
one side of a vector without ties the count is *k*); this module counts the same way so
that ``winmax`` stops at the same point.
"""

from __future__ import annotations

import contextlib
import warnings
from dataclasses import dataclass

import numpy as np

from socmob.checks import no_overflow

TREAT_METHODS = ("winsorise_log", "winsorise", "log", "none")
"""``winsorise_log`` (COINr default), ``winsorise`` only, ``log`` (log_CT) only, none."""


def _moments(x: np.ndarray, axis: int = -2) -> tuple[np.ndarray, np.ndarray]:
    """(G1, G2) over the units ``axis``, ignoring NaN; NaN where n < 3 (G1) or n < 4
    (G2)."""
    x = np.asarray(x, dtype=float)
    total = x.sum(axis=axis, keepdims=True)  # NaN exactly where a value is missing
    with np.errstate(invalid="ignore", divide="ignore"):
        if np.isnan(total).any():
            missing = np.isnan(x)
            n = (x.shape[axis] - missing.sum(axis=axis)).astype(float)
            xz = np.where(missing, 0.0, x)
            mean = xz.sum(axis=axis, keepdims=True) / np.expand_dims(n, axis)
            d = np.where(missing, 0.0, xz - mean)
        else:
            n = np.full(np.squeeze(total, axis).shape, float(x.shape[axis]))
            mean = total / np.expand_dims(n, axis)
            d = x - mean
        d2 = d * d
        m2 = d2.sum(axis=axis)
        d, d2 = np.moveaxis(d, axis, -1), np.moveaxis(d2, axis, -1)
        m3 = np.vecdot(d2, d)  # Σ d³ and Σ d⁴ without the products as temporaries
        m4 = np.vecdot(d2, d2)
        g1 = np.sqrt(n) * m3 / (m2 * np.sqrt(m2)) * np.sqrt(n * (n - 1)) / (n - 2)
        r = n * m4 / (m2 * m2)
        g2 = ((n + 1) * (r - 3) + 6) * (n - 1) / ((n - 2) * (n - 3))
    return np.where(n >= 3, g1, np.nan), np.where(n >= 4, g2, np.nan)


def skewness(x: np.ndarray) -> np.ndarray:
    """Sample skewness G1 (type 2) over the units axis, ignoring NaN (NaN if n < 3)."""
    return _moments(x)[0]


def kurtosis(x: np.ndarray) -> np.ndarray:
    """Sample excess kurtosis G2 (type 2) over the units axis, ignoring NaN (NaN if n < 4)."""
    return _moments(x)[1]


def skew_kurt_pass(x: np.ndarray, *, skew_thresh: float = 2.0, kurt_thresh: float = 3.5,
                   axis: int = -2) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """COINr's ``check_SkewKurt``: pass where ``|skew| < skew_thresh`` or
    ``kurt < kurt_thresh``. Returns (pass, skew, kurt) over the units ``axis``; an
    undefined statistic passes (COINr leaves such a vector untreated)."""
    sk, kt = _moments(x, axis)
    with np.errstate(invalid="ignore"):
        ok = (np.abs(sk) < skew_thresh) | (kt < kurt_thresh)
    ok = ok | np.isnan(sk) | np.isnan(kt)
    return ok, sk, kt


def log_ct(x: np.ndarray) -> np.ndarray:
    """COINr's ``log_CT``: :math:`\\log(x - \\min x + 0.01(\\max x - \\min x))` per column."""
    x = np.asarray(x, dtype=float)
    lo = np.min(x, axis=-2, keepdims=True)
    hi = np.max(x, axis=-2, keepdims=True)
    if np.isnan(lo).any() or np.isnan(hi).any():  # missing values: skip them
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            lo = np.nanmin(x, axis=-2, keepdims=True)
            hi = np.nanmax(x, axis=-2, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.log(x - lo + 0.01 * (hi - lo))


@dataclass(frozen=True, eq=False)
class Winsorised:
    """Outcome of :func:`winsorise`: values, points counted as in COINr, a mask of every
    point that was changed, and the skew/kurtosis check of the result (``passing``,
    ``skew``, ``kurt`` per column)."""

    x: np.ndarray
    nwin: np.ndarray
    treated: np.ndarray
    passing: np.ndarray | None = None
    skew: np.ndarray | None = None
    kurt: np.ndarray | None = None


def winsorise(
    x: np.ndarray,
    *,
    winmax: int | np.ndarray | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    force: bool = False,
    checked: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> Winsorised:
    """Winsorise columns that fail the skew/kurtosis check (COINr's ``winsorise``).

    ``winmax`` may be an array broadcastable to the column shape ``(..., indicators)`` so
    that each Monte Carlo run has its own limit; ``None`` means no limit. ``checked`` is
    :func:`skew_kurt_pass` of ``x`` when the caller has it already.

    Each step works on the columns still being winsorised only, each column's units side
    by side in memory.
    """
    x = np.asarray(x, dtype=float)
    n_units = x.shape[-2]
    col_shape = x.shape[:-2] + x.shape[-1:]
    lines = np.moveaxis(x, -2, -1).reshape(-1, n_units).copy()  # (columns, units)
    limit = np.broadcast_to(
        np.asarray(n_units + 1 if winmax is None else winmax, dtype=float),
        col_shape).reshape(-1)
    if checked is None:
        passing, sk, kt = skew_kurt_pass(lines, skew_thresh=skew_thresh,
                                         kurt_thresh=kurt_thresh, axis=-1)
    else:
        passing, sk, kt = (np.array(np.broadcast_to(a, col_shape)).reshape(-1)
                           for a in checked)
    n_hi = np.zeros(len(lines))
    n_lo = np.zeros(len(lines))
    treated = np.zeros(lines.shape, dtype=bool)
    active = (~passing | force) & (limit > 0)
    # without missing values the plain max/min give the same numbers, faster
    complete = not np.isnan(lines).any()
    top, bottom = (np.max, np.min) if complete else (np.nanmax, np.nanmin)
    with warnings.catch_warnings() if not complete else contextlib.nullcontext():
        if not complete:  # the warnings filters are process-wide: only when needed
            warnings.simplefilter("ignore", RuntimeWarning)
        for _ in range(n_units):
            act = np.flatnonzero(active)
            if not act.size:
                break
            xa = lines[act]
            high = sk[act] >= 0
            low = ~high
            moved = treated[act]
            if high.any():
                mx = top(xa, axis=-1, keepdims=True)
                at = xa == mx
                nxt = top(np.where(at, -np.inf if complete else np.nan, xa), axis=-1,
                          keepdims=True)
                move = at & high[:, None]
                xa = np.where(move, nxt, xa)
                moved |= move
                n_hi[act] = np.where(high, at.sum(axis=-1), n_hi[act])
            if low.any():
                mn = bottom(xa, axis=-1, keepdims=True)
                at = xa == mn
                nxt = bottom(np.where(at, np.inf if complete else np.nan, xa), axis=-1,
                             keepdims=True)
                move = at & low[:, None]
                xa = np.where(move, nxt, xa)
                moved |= move
                n_lo[act] = np.where(low, at.sum(axis=-1), n_lo[act])
            lines[act] = xa
            treated[act] = moved
            ok, sk[act], kt[act] = skew_kurt_pass(xa, skew_thresh=skew_thresh,
                                                  kurt_thresh=kurt_thresh, axis=-1)
            passing[act] = ok
            active[act] = (~ok | force) & (n_hi[act] + n_lo[act] < limit[act])

    def back(a: np.ndarray) -> np.ndarray:
        return np.moveaxis(a.reshape((*col_shape, n_units)), -1, -2)

    return Winsorised(x=back(lines), nwin=(n_hi + n_lo).reshape(col_shape),
                      treated=back(treated), passing=passing.reshape(col_shape),
                      skew=sk.reshape(col_shape), kurt=kt.reshape(col_shape))


@dataclass(frozen=True, eq=False)
class Treatment:
    """Outcome of :func:`treat_array`.

    ``stage`` per column: 0 untreated (passed or skipped), 1 winsorised (with
    ``method="winsorise"`` also when it still fails), 2 log-transformed. ``nwin`` counts
    winsorised points as COINr does (also for columns that went on to the log
    transform). ``skew``/``kurt`` are the statistics before treatment,
    ``skew_after``/``kurt_after`` after.
    """

    x: np.ndarray
    stage: np.ndarray
    nwin: np.ndarray
    skew: np.ndarray
    kurt: np.ndarray
    skew_after: np.ndarray
    kurt_after: np.ndarray
    passed_after: np.ndarray
    treated: np.ndarray


def treat_array(
    x: np.ndarray,
    *,
    method: str = "winsorise_log",
    winmax: int | np.ndarray | None = 5,
    skew_thresh: float = 2.0,
    kurt_thresh: float = 3.5,
    skip: np.ndarray | None = None,
) -> Treatment:
    """Treat outliers column by column (COINr's default two-stage treatment).

    ``skip`` is a boolean mask over indicators left untreated. ``method``: see
    :data:`TREAT_METHODS`. Values so large that the moments overflow raise
    :class:`~socmob.errors.InputError` (:func:`socmob.checks.no_overflow`).
    """
    with no_overflow("outlier treatment (skewness and kurtosis)"):
        return _treat_array(x, method=method, winmax=winmax, skew_thresh=skew_thresh,
                            kurt_thresh=kurt_thresh, skip=skip)


def _treat_array(x: np.ndarray, *, method: str, winmax: int | np.ndarray | None,
                 skew_thresh: float, kurt_thresh: float, skip: np.ndarray | None
                 ) -> Treatment:
    if method not in TREAT_METHODS:
        from socmob.errors import InputError

        raise InputError(f"unknown treatment {method!r}", column="method",
                         expected=" or ".join(TREAT_METHODS))
    x = np.asarray(x, dtype=float)
    lead, n_units, n_ind = x.shape[:-2], x.shape[-2], x.shape[-1]
    col_shape = (*lead, n_ind)
    ok0, sk0, kt0 = skew_kurt_pass(x, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh)
    if skip is not None:
        ok0 = ok0 | np.broadcast_to(np.asarray(skip, dtype=bool), col_shape)
    stage = np.zeros(col_shape, dtype=int)
    nwin = np.zeros(col_shape)
    if method == "none" or ok0.all():
        return Treatment(x=x.copy(), stage=stage, nwin=nwin, skew=sk0, kurt=kt0,
                         skew_after=sk0, kurt_after=kt0, passed_after=ok0,
                         treated=np.zeros(x.shape, dtype=bool))
    # work only on the failing columns, gathered as (units, columns) with the units of a
    # column side by side in memory (so every statistic over units reads contiguously)
    lines = np.moveaxis(x, -2, -1).reshape(-1, n_units)
    idx = np.flatnonzero(~ok0.reshape(-1))
    sub = lines[idx].T
    new = sub.copy()
    changed = np.zeros(sub.shape, dtype=bool)
    st = np.zeros(idx.size, dtype=int)
    nw = np.zeros(idx.size)
    fail = np.ones(idx.size, dtype=bool)
    ok1, sk1, kt1 = ok0.reshape(-1)[idx], sk0.reshape(-1)[idx], kt0.reshape(-1)[idx]
    if method in ("winsorise_log", "winsorise"):
        limit = np.broadcast_to(np.asarray(n_units + 1 if winmax is None else winmax,
                                           dtype=float), col_shape).reshape(-1)[idx]
        win = winsorise(sub, winmax=limit, skew_thresh=skew_thresh, kurt_thresh=kurt_thresh,
                        checked=(ok1, sk1, kt1))
        assert win.passing is not None and win.skew is not None and win.kurt is not None
        ok1, sk1, kt1 = win.passing, win.skew, win.kurt
        new, changed, nw = win.x, win.treated, win.nwin
        st[:] = 1
        fail = ~ok1 if method == "winsorise_log" else np.zeros(idx.size, dtype=bool)
    ok2, sk2, kt2 = ok1.copy(), sk1.copy(), kt1.copy()
    if method in ("winsorise_log", "log") and fail.any():
        logged = np.flatnonzero(fail)
        new = np.array(new, copy=True)
        new[:, logged] = log_ct(sub[:, logged])
        changed = np.array(changed, copy=True)
        changed[:, logged] = ~np.isnan(sub[:, logged])
        st[logged] = 2
        ok2[logged], sk2[logged], kt2[logged] = skew_kurt_pass(
            new[:, logged], skew_thresh=skew_thresh, kurt_thresh=kurt_thresh)
    if np.may_share_memory(lines, x):
        lines = lines.copy()
    lines[idx] = new.T
    mask = np.zeros(lines.shape, dtype=bool)
    mask[idx] = changed.T
    out = np.moveaxis(lines.reshape((*lead, n_ind, n_units)), -1, -2)
    treated = np.moveaxis(mask.reshape((*lead, n_ind, n_units)), -1, -2)

    def put(base: np.ndarray, values: np.ndarray) -> np.ndarray:
        flat = np.array(base, copy=True).reshape(-1)
        flat[idx] = values
        return flat.reshape(col_shape)

    return Treatment(x=out, stage=put(stage, st), nwin=put(nwin, nw),
                     skew=sk0, kurt=kt0, skew_after=put(sk0, sk2), kurt_after=put(kt0, kt2),
                     passed_after=put(ok0, ok2), treated=treated)
