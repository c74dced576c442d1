"""Pieces every local and global statistic of :mod:`socmob.place.spatial` shares:
aligning values to the weights, argument checks, multiple-testing adjustment and the
text summary of a labelled local statistic."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Literal

import numpy as np
import pandas as pd

from socmob.errors import InputError
from socmob.place.spatial.weights import AreaWeights
from socmob.results import tidy

Correction = Literal["none", "bonferroni", "fdr"]

NOT_SIGNIFICANT = "not significant"


def _aligned(values: pd.Series | Mapping[str, float] | Sequence[float] | np.ndarray,
             weights: AreaWeights) -> np.ndarray:
    if isinstance(values, (pd.Series, Mapping)):
        series = pd.Series(values, dtype=float)
        series.index = series.index.astype(str)
        missing = [a for a in weights.ids if a not in series.index]
        if missing:
            raise InputError(
                f"no value for {len(missing)} area(s) on the map, e.g. "
                f"{weights.names.get(missing[0], missing[0])!r}",
                column="area_id", expected="one value for every area in the weights")
        y = series.reindex(list(weights.ids)).to_numpy(dtype=float)
    else:
        y = np.asarray(values, dtype=float).ravel()
        if y.size != weights.n:
            raise InputError(f"{y.size} values for {weights.n} areas",
                             expected="one value per area, in weights.ids order")
    if not np.all(np.isfinite(y)):
        bad = weights.ids[int(np.flatnonzero(~np.isfinite(y))[0])]
        raise InputError(f"value for area {weights.names.get(bad, bad)!r} is missing",
                         column="value", expected="a finite number for every area")
    if np.ptp(y) == 0:
        raise InputError("all values are equal: spatial association is undefined",
                         column="value", expected="values that vary between areas")
    return y


def _codes(weights: AreaWeights) -> tuple[str, ...]:
    if not weights.codes:
        return ()
    return tuple(weights.codes.get(i, i) for i in weights.ids)


def _check_permutations(permutations: int) -> None:
    if permutations < 0:
        raise InputError("permutations must be ≥ 0", expected="e.g. 999")


def _label(values: pd.Series | Any) -> tuple[str | None, str | None]:
    attrs = getattr(values, "attrs", {}) or {}
    return attrs.get("index"), attrs.get("period")


def adjust_pvalues(p: np.ndarray, method: Correction = "none") -> np.ndarray:
    """Multiple-testing adjustment of p-values.

    ``"bonferroni"``: pᵢ' = min(1, m·pᵢ). ``"fdr"``: Benjamini–Hochberg step-up,
    p₍ᵢ₎' = min_{j ≥ i} min(1, m·p₍ⱼ₎ / j) over the ordered p-values. ``"none"``: unchanged.
    """
    p = np.asarray(p, dtype=float)
    if method == "none":
        return p.copy()
    if method not in ("bonferroni", "fdr"):
        raise InputError(f"unknown correction {method!r}",
                         expected="'none', 'bonferroni' or 'fdr'")
    from statsmodels.stats.multitest import multipletests

    return np.asarray(multipletests(p, method="bonferroni" if method == "bonferroni"
                                    else "fdr_bh")[1])



def _labelled_summary(title: str, result: Any, labels: Sequence[str]) -> str:
    """Text summary of a local statistic: settings, then each label's count and (for
    significant labels) up to 12 member areas."""
    what = " ".join(x for x in (result.index, result.period) if x)
    lines = [f"{title}{' — ' + what if what else ''}",
             f"{result.permutations} permutations (seed {result.seed}), correction "
             f"{result.correction}, alpha {result.alpha}"]
    for label, count in result.counts().items():
        members = [n for n, c in zip(result.names, labels, strict=True) if c == label]
        shown = ", ".join(members[:12]) + (" …" if len(members) > 12 else "")
        lines.append(f"{label}: {count}" + ("" if label == NOT_SIGNIFICANT else f" — {shown}"))
    return "\n".join(lines)


def local_rows(result: Any, *, measure: str, value: np.ndarray, unit: str,
               **extra: Any) -> pd.DataFrame:
    """Tidy rows of a local statistic (:class:`~socmob.place.spatial.LocalMoran`,
    :class:`~socmob.place.spatial.GetisOrd`): one per area, ``value`` the statistic, the
    inference settings in ``note``, then ``area_id`` and the ``extra`` columns."""
    return tidy(pd.DataFrame({
        "measure": measure, "area_code": list(result.codes or result.ids),
        "area_name": list(result.names), "period": result.period, "breakdown": "index",
        "group": result.index, "value": value, "n": float(len(result.ids)), "unit": unit,
        "note": f"{result.permutations} permutations, seed {result.seed}, "
                f"correction {result.correction}, alpha {result.alpha}",
        "area_id": list(result.ids), **extra,
    }))

