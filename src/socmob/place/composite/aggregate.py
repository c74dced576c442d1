"""Aggregation over the framework hierarchy (COINr's ``Aggregate``).

Level by level, each aggregate is a weighted mean of its children, with weights
re-scaled to sum to one over the children that are observed for the unit (COINr skips
missing values this way). With weights :math:`w_i` (:math:`\\sum w_i = 1`) over observed
children :math:`x_i`:

``amean``     arithmetic :math:`\\sum w_i x_i`
``gmean``     geometric :math:`\\exp(\\sum w_i \\log(x_i + c)) - c` with offset :math:`c`
              (default 0); every :math:`x_i + c` must be positive
``hmean``     harmonic :math:`1 / \\sum (w_i / x_i)`; no zero values
``genmean``   generalised (power) mean :math:`(\\sum w_i x_i^p)^{1/p}`; ``p = 0`` is the
              geometric mean, ``p = 1`` arithmetic, ``p = -1`` harmonic
``copeland``  Copeland scores across units: with the outranking matrix
              :math:`e_{jk} = \\sum_i w_i [x_{ji} > x_{ki}] + \\tfrac12\\sum_i w_i
              [x_{ji} = x_{ki}]`, unit *j* scores :math:`\\sum_k \\mathrm{sign}(e_{jk} -
              \\tfrac12)`: pairwise wins minus losses (Munda & Nardo, 2009, *Applied
              Economics* 41(12)). COINr's ``a_copeland`` returns :math:`\\sum_k e_{jk}`
              instead; that variant is ``copeland_sum``.

A ``dat_thresh`` gives a missing aggregate where the fraction of observed children is
below it. Arrays are ``(..., units, codes)`` so leading Monte Carlo axes are vectorised.

Reference: OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, section 6.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from socmob.checks import no_overflow
from socmob.errors import InputError
from socmob.place.composite.meta import Hierarchy, check_weights

AGGREGATE_METHODS = ("amean", "gmean", "hmean", "genmean", "copeland", "copeland_sum")
"""Names accepted by :func:`aggregate_array`."""


def _fail(bad: np.ndarray, codes: Sequence[str], what: str, expected: str) -> None:
    """Raise naming the first child with a ``bad`` value (``bad``: ``(..., children,
    units)``)."""
    per_child = np.moveaxis(bad, -2, -1).reshape(-1, bad.shape[-2])
    cols = np.flatnonzero(np.any(per_child, axis=0))
    name = codes[int(cols[0])]
    raise InputError(what, column=name, expected=expected)


def weighted_mean(
    x: np.ndarray,
    w: np.ndarray,
    *,
    method: str = "amean",
    p: float = 1.0,
    offset: float = 0.0,
    dat_thresh: float | None = None,
    codes: Sequence[str] | None = None,
) -> np.ndarray:
    """Aggregate the last axis of ``x`` (``(..., units, children)``) with weights ``w``
    (``(..., children)``) into ``(..., units)`` (see the module docstring)."""
    x = np.asarray(x, dtype=float)
    return _combine(np.moveaxis(x, -1, -2), w, method=method, p=p, offset=offset,
                    dat_thresh=dat_thresh, codes=codes)


def _combine(
    xc: np.ndarray,
    w: np.ndarray,
    *,
    method: str,
    p: float,
    offset: float,
    dat_thresh: float | None,
    codes: Sequence[str] | None,
) -> np.ndarray:
    """:func:`weighted_mean` on children laid out as ``(..., children, units)``, so that
    each child's values over the units are read side by side."""
    if method not in AGGREGATE_METHODS:
        raise InputError(f"unknown aggregation {method!r}", column="method",
                         expected=" or ".join(AGGREGATE_METHODS))
    n_child = xc.shape[-2]
    names = list(codes) if codes is not None else [f"child {i + 1}" for i in range(n_child)]
    wc = np.asarray(w, dtype=float)[..., :, None]
    complete = not np.isnan(xc).any()
    with np.errstate(invalid="ignore", divide="ignore"):
        if complete:  # the same numbers as below, without masking every cell
            obs = np.ones((1, 1), dtype=bool)
            wn = wc / wc.sum(axis=-2, keepdims=True)
            xz = x1 = xc
        else:
            obs = ~np.isnan(xc)
            wo = np.where(obs, wc, 0.0)
            wn = wo / wo.sum(axis=-2, keepdims=True)
            xz = np.where(obs, xc, 0.0)
            x1 = np.where(obs, xc, 1.0)
    if method == "copeland" or method == "copeland_sum":
        full = np.broadcast_to(np.moveaxis(wc, -2, -1), np.moveaxis(xc, -2, -1).shape)
        out = _copeland(np.moveaxis(xc, -2, -1), full, summed=method == "copeland_sum")
    elif method == "amean" or (method == "genmean" and p == 1):
        out = np.sum(wn * xz, axis=-2)
    elif method == "gmean" or (method == "genmean" and p == 0):
        xs = x1 + offset
        if np.any(obs & (xs <= 0)):
            _fail(np.broadcast_to(obs, xs.shape) & (xs <= 0), names,
                  "values ≤ 0 (after any offset), so no geometric mean can be taken",
                  "positive values: normalise to a positive range (e.g. minmax 1-100) or "
                  "set an offset")
        xs = xs if complete else np.where(obs, xs, 1.0)
        out = np.exp(np.sum(wn * np.log(xs), axis=-2)) - offset
    elif method == "hmean":
        if np.any(obs & (xc == 0)):
            _fail(np.broadcast_to(obs, xc.shape) & (xc == 0), names,
                  "zero values, so no harmonic mean can be taken", "non-zero values")
        with np.errstate(divide="ignore"):
            out = 1.0 / np.sum(wn / x1, axis=-2)
    else:
        bad = obs & ((xc < 0) if p > 0 else (xc <= 0))
        if bad.any():
            _fail(bad, names, f"values out of range for a generalised mean with p={p}",
                  "values ≥ 0 (> 0 when p < 0)")
        with np.errstate(divide="ignore"):
            out = np.sum(wn * x1 ** p, axis=-2) ** (1.0 / p)
    if complete:
        if dat_thresh is not None and dat_thresh > 1.0:
            out = np.full(out.shape, np.nan)
        return out
    n_obs = obs.sum(axis=-2)
    out = np.where(n_obs > 0, out, np.nan)
    if dat_thresh is not None:
        out = np.where(n_obs / n_child < dat_thresh, np.nan, out)
    return out


def _copeland(x: np.ndarray, w: np.ndarray, *, summed: bool) -> np.ndarray:
    lead = x.shape[:-2]
    n_units, n_child = x.shape[-2:]
    xf = x.reshape((-1, n_units, n_child))
    wf = w.reshape((-1, n_units, n_child))[:, 0, :]
    out = np.empty(xf.shape[:2])
    for r in range(xf.shape[0]):
        wr = wf[r] / wf[r].sum()
        a = xf[r][:, None, :]
        b = xf[r][None, :, :]
        e = ((a > b) * wr).sum(-1) + 0.5 * ((a == b) * wr).sum(-1)
        np.fill_diagonal(e, 0.0 if summed else 0.5)
        out[r] = e.sum(1) if summed else np.sign(e - 0.5).sum(1)
    return out.reshape((*lead, n_units))


def aggregate_array(
    x: np.ndarray,
    hierarchy: Hierarchy,
    weights: np.ndarray,
    *,
    method: str | Sequence[str] = "amean",
    p: float = 1.0,
    offset: float = 0.0,
    dat_thresh: float | None = None,
) -> np.ndarray:
    """Aggregate indicator values ``(..., units, indicators)`` up the hierarchy.

    ``weights`` has one entry per code of ``hierarchy`` (``(..., codes)`` for per-run
    weights); ``method`` may be one name or one per level above the indicators. Returns
    ``(..., units, codes)``: indicators then aggregates in hierarchy order.
    """
    n_lev = hierarchy.n_levels
    methods = [method] * (n_lev - 1) if isinstance(method, str) else list(method)
    if len(methods) != n_lev - 1:
        raise InputError(f"{len(methods)} aggregation methods for {n_lev - 1} levels",
                         column="method", expected=f"1 or {n_lev - 1} methods")
    x = np.asarray(x, dtype=float)
    n_codes = len(hierarchy.codes)
    n_ind = hierarchy.n_indicators
    w = np.asarray(weights, dtype=float)
    check_weights(hierarchy, w)
    # codes laid out as (..., codes, units): a child's values over the units side by side
    out = np.empty((*x.shape[:-2], n_codes, x.shape[-2]))
    out[..., :n_ind, :] = np.moveaxis(x, -1, -2)
    with no_overflow("aggregation"), np.errstate(divide="ignore", invalid="ignore"):
        for lev in range(2, n_lev + 1):
            for k, _code in enumerate(hierarchy.codes):
                if hierarchy.levels[k] != lev:
                    continue
                kids = list(hierarchy.children[k])
                run = kids == list(range(kids[0], kids[0] + len(kids)))
                values = out[..., kids[0]:kids[-1] + 1, :] if run else out[..., kids, :]
                out[..., k, :] = _combine(
                    values, w[..., kids], method=methods[lev - 2], p=p, offset=offset,
                    dat_thresh=dat_thresh, codes=[hierarchy.codes[c] for c in kids])
    return np.moveaxis(out, -2, -1)
