"""Normalisation: bring indicators onto a common scale (COINr's ``Normalise``).

Arrays are ``(..., units, indicators)``; statistics are over the units axis, ignoring
missing values. Each indicator is first multiplied by its direction (±1), as COINr does,
so that higher always means better. With :math:`x` the directed values:

``minmax``     :math:`l + (u-l)\\,(x-\\min x)/(\\max x-\\min x)` (default ``l_u=(0, 100)``)
``zscore``     :math:`m + s\\,(x-\\bar x)/\\mathrm{sd}(x)`, sample SD (``n-1``), default
               ``m_sd=(0, 1)``
``rank``       ranks, ties get the minimum rank (R ``rank(ties.method="min")``)
``prank``      percentile rank :math:`(r_{\\min}-1)/(n-1)`
``borda``      rank − 1
``dist2max``   :math:`1-(\\max x - x)/(\\max x-\\min x)`
``dist2ref``   :math:`1-(x_{ref}-x)/(x_{ref}-\\min x)` for a reference unit (``iref``, a
               0-based row position), optionally capped at 1
``dist2targ``  :math:`1-(t-x)/(t-\\min x)` with targets from iMeta ``Target`` (times the
               direction), optionally capped at 1
``fracmax``    :math:`x/\\max x`
``goalposts``  :math:`(x-l)/(u-l)` truncated to [0, 1] then times ``a``, goalposts
               ``(l, u, a)`` per indicator on the original scale (flipped for direction −1)
``none``       the directed values

Reference: OECD/JRC (2008) *Handbook on Constructing Composite Indicators*, section 5.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from typing import Any

import numpy as np

from socmob.checks import no_overflow
from socmob.errors import InputError

NORMALISE_METHODS = ("minmax", "zscore", "rank", "prank", "borda", "dist2max", "dist2ref",
                     "dist2targ", "fracmax", "goalposts", "none")
"""Names accepted by :func:`normalise_array`."""

_NEEDS_SPREAD = {"minmax", "zscore", "dist2max"}


def _names(codes: Sequence[str] | None, n: int) -> list[str]:
    return list(codes) if codes is not None else [f"column {i + 1}" for i in range(n)]


def _spread_error(spread: np.ndarray, codes: Sequence[str] | None, n: int) -> None:
    flat = spread.reshape(-1, n)
    bad = np.flatnonzero(np.any(~(flat > 0), axis=0))
    if bad.size:
        name = _names(codes, n)[int(bad[0])]
        raise InputError(f"indicator {name!r} has zero variance (all values equal), so it "
                         "cannot be normalised", column=name,
                         expected="an indicator that varies between units")


def check_spread(x: np.ndarray, codes: Sequence[str] | None = None) -> None:
    """Raise :class:`~socmob.errors.InputError` naming the first indicator with zero
    variance (every value the same) anywhere in ``x``."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        spread = np.nanmax(x, axis=-2) - np.nanmin(x, axis=-2)
    _spread_error(spread, codes, x.shape[-1])


def rank_min(x: np.ndarray, axis: int = -2) -> np.ndarray:
    """Ranks along ``axis`` with ties given the minimum rank (R's
    ``rank(ties.method = "min")``); NaN stays NaN.

    One sort per line: with the values sorted, the rank of a value is one plus the
    position of the first value equal to it.
    """
    x = np.asarray(x, dtype=float)
    moved = np.moveaxis(x, axis, -1)
    n = moved.shape[-1]
    if n == 0 or moved.size == 0:
        return np.empty(x.shape)
    lines = np.ascontiguousarray(moved).reshape(-1, n)
    missing = np.isnan(lines)
    has_missing = bool(missing.any())
    if has_missing:
        lines = np.where(missing, np.inf, lines)
    # where each line's values sit in the flattened lines, in ascending order
    where = np.argsort(lines, axis=-1)
    where += (np.arange(len(lines)) * n)[:, None]
    where = where.reshape(-1)
    ordered = lines.reshape(-1)[where].reshape(lines.shape)
    tied = ordered[:, 1:] == ordered[:, :-1]
    if tied.any():  # a tied value takes the position of the first of its run
        position = np.where(tied, 0.0, np.arange(2, n + 1, dtype=float))
        position = np.concatenate([np.ones((len(lines), 1)), position], axis=1)
        np.maximum.accumulate(position, axis=-1, out=position)
    else:
        position = np.broadcast_to(np.arange(1, n + 1, dtype=float), lines.shape)
    flat = np.empty(lines.size)
    flat[where] = position.reshape(-1)
    ranks = flat.reshape(moved.shape)
    if has_missing:
        ranks[missing.reshape(moved.shape)] = np.nan
    return np.moveaxis(ranks, -1, axis)


def normalise_array(
    x: np.ndarray,
    *,
    method: str = "minmax",
    directions: np.ndarray | Sequence[float] | None = None,
    l_u: tuple[float, float] = (0.0, 100.0),
    m_sd: tuple[float, float] = (0.0, 1.0),
    iref: int | None = None,
    targets: np.ndarray | Sequence[float] | None = None,
    goalposts: np.ndarray | None = None,
    cap_max: bool = False,
    codes: Sequence[str] | None = None,
) -> np.ndarray:
    """Normalise each indicator column of ``x`` (see the module docstring).

    Raises :class:`~socmob.errors.InputError` naming the indicator for zero variance
    (methods that divide by the range or SD), and for a missing target or goalpost.
    """
    if method not in NORMALISE_METHODS:
        raise InputError(f"unknown normalisation {method!r}", column="method",
                         expected=" or ".join(NORMALISE_METHODS))
    x = np.asarray(x, dtype=float)
    n_ind = x.shape[-1]
    d = np.ones(n_ind) if directions is None else np.asarray(directions, dtype=float)
    xd = x * d  # a new array: the methods below may work on it in place
    # np.errstate is per thread; the warnings filters (for numpy's all-NaN warnings) are
    # process-wide, so they are touched only where values are missing
    with no_overflow(f"normalisation ({method})"), \
            np.errstate(divide="ignore", invalid="ignore"):
        # min and max carry a missing value through: without one, they are the numbers
        # the nan-aware reductions give, faster
        lo = np.min(xd, axis=-2, keepdims=True)
        hi = np.max(xd, axis=-2, keepdims=True)
        complete = not (np.isnan(lo).any() or np.isnan(hi).any())
        if not complete:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                lo = np.nanmin(xd, axis=-2, keepdims=True)
                hi = np.nanmax(xd, axis=-2, keepdims=True)
        if method in _NEEDS_SPREAD:
            _spread_error(hi - lo, codes, n_ind)
        if method == "minmax":  # (x − lo) / (hi − lo) · (u − l) + l, in place
            xd -= lo
            xd /= hi - lo
            xd *= l_u[1] - l_u[0]
            xd += l_u[0]
            return xd
        if method == "zscore":
            if not m_sd[1] > 0:
                raise InputError("z-score SD must be positive", column="m_sd",
                                 expected="m_sd=(mean, sd > 0)")
            if not complete:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean = np.nanmean(xd, axis=-2, keepdims=True)
                    sd = np.nanstd(xd, axis=-2, ddof=1, keepdims=True)
                return (xd - mean) / sd * m_sd[1] + m_sd[0]
            # np.mean and np.std(ddof=1) step by step, sharing x − mean
            n = xd.shape[-2]
            xd -= np.add.reduce(xd, axis=-2, keepdims=True) / n
            sd = np.sqrt(np.add.reduce(xd * xd, axis=-2, keepdims=True) / max(n - 1, 0))
            xd /= sd
            xd *= m_sd[1]
            xd += m_sd[0]
            return xd
        if method == "rank":
            return rank_min(xd)
        if method == "borda":
            return rank_min(xd) - 1.0
        if method == "prank":
            n = np.sum(~np.isnan(xd), axis=-2, keepdims=True)
            return (rank_min(xd) - 1.0) / (n - 1.0)
        if method == "dist2max":
            return 1.0 - (hi - xd) / (hi - lo)
        if method == "fracmax":
            return xd / hi
        if method == "dist2ref":
            if iref is None or not 0 <= iref < x.shape[-2]:
                raise InputError("dist2ref needs a reference unit", column="iref",
                                 expected=f"a row position 0..{x.shape[-2] - 1}")
            ref = xd[..., iref : iref + 1, :]
            y = 1.0 - (ref - xd) / (ref - lo)
            return np.minimum(y, 1.0) if cap_max else y
        if method == "dist2targ":
            t = _per_indicator(targets, n_ind, "Target", codes) * d
            y = 1.0 - (t - xd) / (t - lo)
            return np.minimum(y, 1.0) if cap_max else y
        if method == "goalposts":
            gp = np.asarray(goalposts, dtype=float) if goalposts is not None else None
            if gp is None or gp.shape != (n_ind, 3) or np.isnan(gp).any():
                raise InputError("goalposts need (lower, upper, scale) for every indicator",
                                 column="goalposts", expected=f"an array of shape ({n_ind}, 3)")
            low, up, scale = gp[:, 0], gp[:, 1], gp[:, 2]
            y = np.where(d < 0, (x - up) / (low - up), (x - low) / (up - low))
            return np.clip(y, 0.0, 1.0) * scale
        return xd


def _per_indicator(values: Any, n: int, label: str, codes: Sequence[str] | None
                   ) -> np.ndarray:
    if values is None:
        raise InputError(f"{label} values are required", column=label,
                         expected=f"a {label} for every indicator")
    arr = np.asarray(values, dtype=float)
    if arr.shape != (n,):
        raise InputError(f"{arr.size} {label} values for {n} indicators", column=label,
                         expected=f"{n} values")
    missing = np.flatnonzero(np.isnan(arr))
    if missing.size:
        name = _names(codes, n)[int(missing[0])]
        raise InputError(f"indicator {name!r} has no {label}", column=name,
                         expected=f"a numeric {label} in iMeta")
    return arr
