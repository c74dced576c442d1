"""Relative mobility: odds ratios and the Altham index.

An odds ratio compares the odds of reaching rather than avoiding a destination between
two origins. For origins ``a, b`` and destinations ``c, d``::

    θ = (n_ac · n_bd) / (n_ad · n_bc),      log θ ± z · sqrt(1/n_ac + 1/n_bd + 1/n_ad + 1/n_bc)

(the Woolf 1955 standard error of log θ; ``z = Φ⁻¹(1 − alpha/2)`` for a ``1 − alpha``
interval). Special sets:

* **local** odds ratios ``θ_ij = n_ij n_{i+1,j+1} / (n_{i,j+1} n_{i+1,j})`` for adjacent
  origins and destinations, an ``(I−1) × (J−1)`` array that determines every odds ratio
  of the table (Agresti 2013, §2.4);
* the **corner** odds ratio ``n_11 n_IJ / (n_1J n_I1)``: top versus bottom origin, top
  versus bottom destination — the most extreme inequality of chances.

**Zero cells.** An odds ratio with a zero in any of its four cells is 0 or ∞ and has no
finite Woolf SE. By default (``zero_correction=0``) such odds ratios are reported as
missing (NaN) with a note, never silently altered. ``zero_correction=0.5`` applies the
Haldane–Anscombe correction (add ½ to each of the four cells of an odds ratio that has a
zero), and the result is flagged ``corrected``. Cells declared structural zeros give NaN
whatever the correction.

**Altham index** (Altham 1970; Altham & Ferrie 2007). For a table of proportions ``p``::

    A(P) = sqrt( Σ_{i,l} Σ_{j,m} [ log( p_ij p_lm / (p_im p_lj) ) ]² )

over all ordered pairs of rows and of columns: the distance of ``P`` from independence
(``A = 0`` iff all odds ratios are 1). Between two tables ``P`` and ``Q``::

    d(P, Q) = sqrt( Σ [ log( p_ij p_lm q_im q_lj / (p_im p_lj q_ij q_lm) ) ]² )

Computed through the double-centred log table ``λ_ij = log p_ij − row mean − column mean
+ grand mean``: ``A(P) = 2 sqrt(I J Σ λ_ij²)`` (the cross terms of the expansion sum to
zero), and ``d(P, Q)`` the same with ``λ^P − λ^Q``. It needs every cell positive: zero
cells give NaN unless ``zero_correction`` > 0 adds that amount to every cell.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from socmob._deprecated import coverage_keyword
from socmob._text import closest
from socmob.checks import check_alpha
from socmob.errors import InputError, NotFoundError
from socmob.results import Result, tidy
from socmob.tables.table import UNLAYERED, MobilityTable, label_text

_ZERO_NOTE = "a zero cell makes this odds ratio 0 or infinite: not reported"
_CORRECTED_NOTE = "Haldane–Anscombe: {c:g} added to the four cells (a zero cell)"
_STRUCTURAL_NOTE = "involves a structural zero: undefined"


def _z(alpha: float) -> float:
    """The normal critical value of a ``1 − alpha`` interval."""
    return float(stats.norm.ppf(1 - check_alpha(alpha) / 2))


def _check_correction(zero_correction: float) -> float:
    c = float(zero_correction)
    if not np.isfinite(c) or c < 0:
        raise InputError(
            f"zero_correction {zero_correction} is invalid", expected="0 (none) or e.g. 0.5"
        )
    return c


def _groups(table: MobilityTable) -> tuple[tuple[str, ...], np.ndarray]:
    counts = np.asarray(table.counts)
    labels = table.layer_labels
    if table.is_layered:
        counts = np.concatenate([counts, counts.sum(axis=0, keepdims=True)])
        labels = (*labels, UNLAYERED)
    return labels, counts


def woolf_log_odds_ratio(
    a: np.ndarray,
    b: np.ndarray,
    c: np.ndarray,
    d: np.ndarray,
    structural: np.ndarray,
    correction: float,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """``log(a d / (b c))`` and its Woolf SE ``sqrt(1/a + 1/b + 1/c + 1/d)`` for arrays
    of the four cells of 2×2 tables; returns ``(log_or, se, corrected, undefined)``.

    Where a cell is zero, ``correction`` (e.g. 0.5, Haldane–Anscombe) is added to all four
    cells if positive, else the ratio is undefined (NaN); ``structural`` marks tables whose
    ratio is undefined whatever the counts."""
    a, b, c, d = (np.asarray(x, dtype=float) for x in (a, b, c, d))
    zero = (a == 0) | (b == 0) | (c == 0) | (d == 0)
    corrected = zero & (correction > 0) & ~structural
    add = np.where(corrected, correction, 0.0)
    a, b, c, d = a + add, b + add, c + add, d + add
    undefined = structural | (zero & ~corrected)
    with np.errstate(divide="ignore", invalid="ignore"):
        log_or = np.log(a) + np.log(d) - np.log(b) - np.log(c)
        se = np.sqrt(1 / a + 1 / b + 1 / c + 1 / d)
    log_or = np.where(undefined, np.nan, log_or)
    se = np.where(undefined, np.nan, se)
    return log_or, se, corrected, undefined


# --------------------------------------------------------------------------- results


@dataclass(frozen=True, eq=False)
class OddsRatios(Result):
    """A set of odds ratios per group (layer, then pooled ``"all"`` when layered).

    Attributes
    ----------
    kind:
        ``"local"``, ``"corner"`` or ``"2x2"``.
    groups:
        group labels.
    origin_pairs, destination_pairs:
        the (higher, lower) label pairs each row / column of the arrays compares.
    log_odds_ratio, se:
        arrays ``(n_groups, n_origin_pairs, n_destination_pairs)``; NaN where undefined.
    corrected:
        where a zero correction was applied.
    alpha:
        the level of the intervals in :meth:`to_frame` is ``1 − alpha``.
    """

    kind: str
    groups: tuple[str, ...]
    origin_pairs: tuple[tuple[str, str], ...]
    destination_pairs: tuple[tuple[str, str], ...]
    log_odds_ratio: np.ndarray
    se: np.ndarray
    corrected: np.ndarray
    alpha: float = 0.05
    zero_correction: float = 0.0
    layer_name: str | None = None

    @property
    def odds_ratio(self) -> np.ndarray:
        """exp(log odds ratio)."""
        return np.exp(self.log_odds_ratio)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Woolf ``1 − alpha`` intervals of the odds ratios, ``exp(log θ ∓ z·SE)`` with
        ``z = Φ⁻¹(1 − alpha/2)``: columns ``lower`` and ``upper``, one row per odds ratio
        in the order of :meth:`to_frame` (index: group, origin pair, destination pair);
        NaN where the odds ratio is undefined."""
        lower, upper = self._limits(alpha)
        return pd.DataFrame({"lower": lower.reshape(-1), "upper": upper.reshape(-1)},
                            index=self._index())

    def _limits(self, alpha: float) -> tuple[np.ndarray, np.ndarray]:
        z = _z(alpha)
        return (np.exp(self.log_odds_ratio - z * self.se),
                np.exp(self.log_odds_ratio + z * self.se))

    def _index(self) -> pd.MultiIndex:
        rows = [(group, f"{o1} / {o2}", f"{d1} / {d2}") for group in self.groups
                for (o1, o2) in self.origin_pairs for (d1, d2) in self.destination_pairs]
        return pd.MultiIndex.from_tuples(rows, names=["group", "origins", "destinations"])

    def value(self, group: str = UNLAYERED) -> float:
        """The odds ratio of a single-pair set (corner or 2×2) for one group."""
        g = self.groups.index(group) if group in self.groups else 0
        return float(self.odds_ratio[g].reshape(-1)[0])

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: one row per group × origin pair × destination pair, with the
        ``1 − alpha`` interval."""
        lower, upper = self._limits(self.alpha)
        rows: list[dict[str, Any]] = []
        for g, group in enumerate(self.groups):
            for i, (o1, o2) in enumerate(self.origin_pairs):
                for j, (d1, d2) in enumerate(self.destination_pairs):
                    lo = self.log_odds_ratio[g, i, j]
                    note = ""
                    if self.corrected[g, i, j]:
                        note = _CORRECTED_NOTE.format(c=self.zero_correction)
                    elif np.isnan(lo):
                        note = _ZERO_NOTE
                    rows.append(
                        {
                            "measure": f"{self.kind} odds ratio",
                            "breakdown": self.layer_name or "layer",
                            "group": group,
                            "value": float(np.exp(lo)),
                            "lci": lower[g, i, j],
                            "uci": upper[g, i, j],
                            "unit": "odds ratio",
                            "note": note or f"Woolf {1 - self.alpha:.0%} interval",
                            "origin_1": o1,
                            "origin_2": o2,
                            "destination_1": d1,
                            "destination_2": d2,
                            "log_odds_ratio": lo,
                            "se": self.se[g, i, j],
                        }
                    )
        return tidy(pd.DataFrame(rows))


@coverage_keyword("confidence")
def local_odds_ratios(
    table: MobilityTable, *, alpha: float = 0.05, zero_correction: float = 0.0
) -> OddsRatios:
    """Local odds ratios ``n_ij n_{i+1,j+1} / (n_{i,j+1} n_{i+1,j})`` with Woolf SEs and
    ``1 − alpha`` intervals, per layer and pooled. See the module docstring for zero
    cells."""
    _z(alpha)
    corr = _check_correction(zero_correction)
    groups, n = _groups(table)
    if table.n_origin < 2 or table.n_destination < 2:
        raise InputError("odds ratios need at least 2 origin and 2 destination categories")
    s = table.structural_mask
    struct = s[:-1, :-1] | s[1:, 1:] | s[:-1, 1:] | s[1:, :-1]
    log_or, se, corrected, _ = woolf_log_odds_ratio(
        n[:, :-1, :-1],
        n[:, :-1, 1:],
        n[:, 1:, :-1],
        n[:, 1:, 1:],
        np.broadcast_to(struct, n[:, 1:, 1:].shape),
        corr,
    )
    o, d = table.origin_labels, table.destination_labels
    return OddsRatios(
        kind="local",
        groups=groups,
        origin_pairs=tuple(pairwise(o)),
        destination_pairs=tuple(pairwise(d)),
        log_odds_ratio=log_or,
        se=se,
        corrected=corrected,
        alpha=alpha,
        zero_correction=corr,
        layer_name=table.layer_name,
    )


@coverage_keyword("confidence")
def odds_ratio(
    table: MobilityTable,
    *,
    origins: tuple[Any, Any],
    destinations: tuple[Any, Any],
    alpha: float = 0.05,
    zero_correction: float = 0.0,
) -> OddsRatios:
    """The 2×2 odds ratio of reaching ``destinations[0]`` rather than ``destinations[1]``
    for people from ``origins[0]`` rather than ``origins[1]`` (categories by label),
    per layer and pooled, with its Woolf ``1 − alpha`` interval::

        θ = n(o1, d1) n(o2, d2) / (n(o1, d2) n(o2, d1))
    """
    _z(alpha)
    corr = _check_correction(zero_correction)
    oi = [_index(table.origin_labels, v, "origin") for v in origins]
    dj = [_index(table.destination_labels, v, "destination") for v in destinations]
    if oi[0] == oi[1] or dj[0] == dj[1]:
        raise InputError("an odds ratio needs two different origins and two different destinations")
    groups, n = _groups(table)
    s = table.structural_mask
    struct = np.array(
        bool(s[oi[0], dj[0]] or s[oi[0], dj[1]] or s[oi[1], dj[0]] or s[oi[1], dj[1]])
    )
    log_or, se, corrected, _ = woolf_log_odds_ratio(
        n[:, oi[0], dj[0]],
        n[:, oi[0], dj[1]],
        n[:, oi[1], dj[0]],
        n[:, oi[1], dj[1]],
        np.broadcast_to(struct, (len(groups),)),
        corr,
    )
    return OddsRatios(
        kind="2x2",
        groups=groups,
        origin_pairs=((table.origin_labels[oi[0]], table.origin_labels[oi[1]]),),
        destination_pairs=((table.destination_labels[dj[0]], table.destination_labels[dj[1]]),),
        log_odds_ratio=log_or.reshape(-1, 1, 1),
        se=se.reshape(-1, 1, 1),
        corrected=corrected.reshape(-1, 1, 1),
        alpha=alpha,
        zero_correction=corr,
        layer_name=table.layer_name,
    )


@coverage_keyword("confidence")
def corner_odds_ratio(
    table: MobilityTable, *, alpha: float = 0.05, zero_correction: float = 0.0
) -> OddsRatios:
    """The corner odds ratio ``n_11 n_IJ / (n_1J n_I1)`` (top versus bottom origin and
    destination) with its Woolf SE and ``1 − alpha`` interval, per layer and pooled."""
    result = odds_ratio(
        table,
        origins=(table.origin_labels[0], table.origin_labels[-1]),
        destinations=(table.destination_labels[0], table.destination_labels[-1]),
        alpha=alpha,
        zero_correction=zero_correction,
    )
    return dataclasses.replace(result, kind="corner")


def _index(labels: tuple[str, ...], value: Any, what: str) -> int:
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        text = label_text(value)
        if text not in labels and 0 <= int(value) < len(labels):
            return int(value)
    text = label_text(value)
    if text in labels:
        return labels.index(text)
    raise NotFoundError(f"no {what} category {text!r}", suggestions=closest(text, labels))


# --------------------------------------------------------------------------- Altham


def _double_centred_log(p: np.ndarray) -> np.ndarray:
    lp = np.log(p)
    return lp - lp.mean(axis=1, keepdims=True) - lp.mean(axis=0, keepdims=True) + lp.mean()


@dataclass(frozen=True, eq=False)
class AlthamIndex(Result):
    """Altham index per group: distance from independence, or between two tables.

    Attributes
    ----------
    groups:
        group labels (layers, then ``"all"`` when layered).
    value:
        array over groups; NaN where a zero cell makes the index undefined.
    reference:
        ``"independence"`` or a description of the comparison table.
    """

    groups: tuple[str, ...]
    value: np.ndarray
    reference: str = "independence"
    zero_correction: float = 0.0
    layer_name: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame, one row per group."""
        note = f"distance from {self.reference}"
        if self.zero_correction:
            note += f"; {self.zero_correction:g} added to every cell"
        return tidy(
            pd.DataFrame(
                {
                    "measure": "altham index",
                    "breakdown": self.layer_name or "layer",
                    "group": list(self.groups),
                    "value": self.value,
                    "unit": "index",
                    "note": [
                        note if np.isfinite(v) else "zero cells: undefined" for v in self.value
                    ],
                }
            )
        )


def altham_index(
    table: MobilityTable,
    other: MobilityTable | None = None,
    *,
    zero_correction: float = 0.0,
) -> AlthamIndex:
    """Altham index of each layer (and the pooled table) from independence, or — with
    ``other`` — from the matching layer of ``other`` (``other`` may also have a single
    layer, compared with every layer of ``table``).

    ``A = 2 sqrt(I J Σ λ_ij²)`` with ``λ`` the double-centred log proportions (of the
    difference of the two tables' ``λ`` for a comparison); see the module docstring.
    """
    corr = _check_correction(zero_correction)
    groups, n = _groups(table)
    reference = "independence"
    lam_other: np.ndarray | None = None
    if other is not None:
        if other.shape[1:] != table.shape[1:]:
            raise InputError(
                f"tables differ in shape: {table.shape[1:]} and {other.shape[1:]}",
                expected="tables with the same origin and destination categories",
            )
        _, m = _groups(other)
        if m.shape[0] == 1:
            m = np.repeat(m, n.shape[0], axis=0)
        elif m.shape[0] != n.shape[0]:
            raise InputError(
                f"the comparison table has {other.n_layers} layers, this one {table.n_layers}",
                expected="one layer or the same number of layers",
            )
        reference = "the comparison table"
        lam_other = np.stack([_lam_or_nan(x + corr) for x in m])
    lam = np.stack([_lam_or_nan(x + corr) for x in n])
    if lam_other is not None:
        lam = lam - lam_other
    n_rows, n_cols = table.n_origin, table.n_destination
    value = 2 * np.sqrt(n_rows * n_cols * np.sum(lam * lam, axis=(1, 2)))
    return AlthamIndex(
        groups=groups,
        value=value,
        reference=reference,
        zero_correction=corr,
        layer_name=table.layer_name,
    )


def _lam_or_nan(x: np.ndarray) -> np.ndarray:
    if np.any(x <= 0):
        return np.full(x.shape, np.nan)
    return _double_centred_log(x / x.sum())


__all__ = [
    "AlthamIndex",
    "OddsRatios",
    "altham_index",
    "corner_odds_ratio",
    "local_odds_ratios",
    "odds_ratio",
    "woolf_log_odds_ratio",
]
