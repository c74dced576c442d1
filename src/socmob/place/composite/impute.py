"""Imputation of missing indicator values (COINr's ``Impute``).

Column-wise methods, over the units axis (``-2``) of an array ``(..., units,
indicators)``:

``mean`` / ``median``
    every missing value of an indicator becomes the mean / median of its observed values;
``group_mean`` / ``group_median``
    the mean / median of the observed values of units in the same group (COINr's
    ``i_mean_grp`` / ``i_median_grp``); a value stays missing when its whole group is
    missing;
``none``
    leave missing values (aggregation then skips them, re-scaling the weights).

A callable ``f(frame) -> frame`` may be passed to :func:`socmob.place.composite.coin.Coin.impute`
for anything else (e.g. regression or EM imputation); it must return a frame of the same
shape and must not change observed values.
"""

from __future__ import annotations

import warnings

import numpy as np

from socmob.errors import InputError

IMPUTE_METHODS = ("mean", "median", "group_mean", "group_median", "none")
"""Names accepted by :func:`impute_array`."""


def impute_array(x: np.ndarray, *, method: str = "mean", groups: np.ndarray | None = None
                 ) -> np.ndarray:
    """Fill missing values column by column (see the module docstring).

    ``groups`` (length = number of units) is required for the group methods.
    """
    if method not in IMPUTE_METHODS:
        raise InputError(f"unknown imputation {method!r}", column="method",
                         expected=" or ".join(IMPUTE_METHODS))
    x = np.asarray(x, dtype=float)
    if method == "none" or not np.isnan(x).any():
        return x.copy()
    stat = np.nanmedian if method.endswith("median") else np.nanmean
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        if not method.startswith("group"):
            return np.where(np.isnan(x), stat(x, axis=-2, keepdims=True), x)
        if groups is None:
            raise InputError(f"{method} imputation needs a group column", column="group",
                             expected="the name of a Group column of iData")
        g = np.asarray(groups, dtype=object)
        if g.shape != (x.shape[-2],):
            raise InputError("group column has the wrong length", column="group",
                             expected=f"{x.shape[-2]} values")
        out = x.copy()
        for value in dict.fromkeys(g.tolist()):
            rows = np.flatnonzero(g == value)
            block = x[..., rows, :]
            fill = stat(block, axis=-2, keepdims=True)
            out[..., rows, :] = np.where(np.isnan(block), fill, block)
        return out
