"""Absolute mobility: how many people are in a different class from their parents.

For one layer of a square table with counts ``n_ij`` (origin ``i``, destination ``j``,
index 0 = top class) and ``N = Σ n_ij``:

* immobility ``Σ_i n_ii / N``; total mobility ``1 − immobility``;
* upward ``Σ_{j<i} n_ij / N`` (destination above origin); downward ``Σ_{j>i} n_ij / N``;
* long-range upward ``Σ_{i−j≥2} n_ij / N`` and downward ``Σ_{j−i≥2} n_ij / N``;
  short-range = one class;
* rate by distance ``d = i − j`` (positive = classes moved up): ``Σ_{i−j=d} n_ij / N``;
* structural mobility: the dissimilarity index of the origin and destination margins,
  ``Δ = ½ Σ_k |n_k· − n_·k| / N`` — the least share of people who would have to be
  mobile given how the class structure changed; exchange mobility = total − structural
  (Sobel, Hout & Duncan 1985 discuss this decomposition);
* outflow (row) percentages ``100 n_ij / n_i·`` and inflow (column) percentages
  ``100 n_ij / n_·j`` (Erikson & Goldthorpe 1992, ch. 2).

**Confidence intervals** are Wilson (1927) score intervals for a proportion ``p`` with
sample size ``m``, at level ``1 − alpha`` (``z = Φ⁻¹(1 − alpha/2)``)::

    (p + z²/2m ± z·sqrt(p(1−p)/m + z²/4m²)) / (1 + z²/m)

For unweighted counts ``m`` is the denominator count. For weighted tables (built from
microdata with survey weights) ``m`` is Kish's (1965) effective sample size of the
denominator cells, ``(Σw)² / Σw²``, which captures the variance inflation from unequal
weights; a further ``design_effect`` (e.g. for clustering, from the survey's technical
report) divides it again: ``m = n_eff / deff``. This is the design-effect approximation;
no bootstrap is done. Structural mobility is a margin comparison and has no interval.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats

from socmob._deprecated import coverage_keyword
from socmob.checks import check_alpha
from socmob.errors import InputError
from socmob.results import Result, tidy
from socmob.tables.table import UNLAYERED, MobilityTable, require_square

RATE_MEASURES: tuple[str, ...] = (
    "immobility",
    "total_mobility",
    "upward",
    "downward",
    "short_range_upward",
    "short_range_downward",
    "long_range_upward",
    "long_range_downward",
)
"""Rates reported by :func:`absolute_mobility`, in output order."""


# --------------------------------------------------------------------------- intervals


@coverage_keyword("confidence")
def wilson_interval(
    p: np.ndarray | float, m: np.ndarray | float, *, alpha: float = 0.05
) -> tuple[np.ndarray, np.ndarray]:
    """Wilson score interval for proportion(s) ``p`` with (effective) size(s) ``m``, at
    level ``1 − alpha`` (Wilson 1927; formula in the module docstring).

    Returns ``(lower, upper)``; NaN where ``m`` is not positive. For counts ``k`` of
    ``n`` give ``p = k / n`` and ``m = n``.
    """
    z = float(stats.norm.ppf(1 - check_alpha(alpha) / 2))
    p_arr = np.asarray(p, dtype=float)
    m_arr = np.asarray(m, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        denom = 1 + z * z / m_arr
        centre = (p_arr + z * z / (2 * m_arr)) / denom
        half = z * np.sqrt(p_arr * (1 - p_arr) / m_arr + z * z / (4 * m_arr * m_arr)) / denom
        lower = np.where(m_arr > 0, np.clip(centre - half, 0.0, 1.0), np.nan)
        upper = np.where(m_arr > 0, np.clip(centre + half, 0.0, 1.0), np.nan)
    return lower, upper


def effective_n(total: np.ndarray | float, squared: np.ndarray | float) -> np.ndarray:
    """Kish effective sample size ``(Σw)² / Σw²`` (0 where there is no weight)."""
    t = np.asarray(total, dtype=float)
    q = np.asarray(squared, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(q > 0, t * t / q, 0.0)


def _check_options(alpha: float, design_effect: float) -> None:
    check_alpha(alpha)
    if not design_effect > 0:
        raise InputError(
            f"design_effect {design_effect} is not positive", expected="a positive number"
        )


def _groups(table: MobilityTable) -> tuple[tuple[str, ...], np.ndarray, np.ndarray]:
    """Per-layer counts followed by the pooled table when layered."""
    counts = np.asarray(table.counts)
    squared = np.asarray(table.effective_squared_weights)
    labels = table.layer_labels
    if table.is_layered:
        counts = np.concatenate([counts, counts.sum(axis=0, keepdims=True)])
        squared = np.concatenate([squared, squared.sum(axis=0, keepdims=True)])
        labels = (*labels, UNLAYERED)
    return labels, counts, squared


# --------------------------------------------------------------------------- rates


@dataclass(frozen=True, eq=False)
class AbsoluteMobility(Result):
    """Absolute mobility rates per layer and pooled.

    Attributes
    ----------
    groups:
        layer labels, followed by ``"all"`` (the pooled table) when the table is layered.
    rates, lci, uci:
        mapping measure → array over ``groups`` of proportions (0–1) and interval limits;
        measures are :data:`RATE_MEASURES` plus ``structural`` and ``exchange``
        (no interval).
    distances:
        ``i − j`` for every possible distance, from most upward (``K−1``) to most
        downward (``−(K−1)``).
    by_distance, by_distance_lci, by_distance_uci:
        arrays ``(n_groups, len(distances))`` of the share at each distance.
    n, n_effective:
        total count and the effective sample size used for intervals, per group.
    alpha:
        the intervals are at level ``1 − alpha``.
    """

    groups: tuple[str, ...]
    rates: Mapping[str, np.ndarray]
    lci: Mapping[str, np.ndarray]
    uci: Mapping[str, np.ndarray]
    distances: tuple[int, ...]
    by_distance: np.ndarray
    by_distance_lci: np.ndarray
    by_distance_uci: np.ndarray
    n: np.ndarray
    n_effective: np.ndarray
    alpha: float = 0.05
    design_effect: float = 1.0
    weighted: bool = False
    layer_name: str | None = None

    def rate(self, measure: str, group: str = UNLAYERED) -> float:
        """One rate (proportion) by measure name and group label."""
        if measure not in self.rates:
            raise InputError(
                f"unknown measure {measure!r}", expected="one of " + ", ".join(self.rates)
            )
        if group not in self.groups:
            if len(self.groups) == 1:
                group = self.groups[0]
            else:
                raise InputError(
                    f"unknown group {group!r}", expected="one of " + ", ".join(self.groups)
                )
        return float(self.rates[measure][self.groups.index(group)])

    @property
    def immobility(self) -> np.ndarray:
        """Share in the same class as their origin, per group."""
        return self.rates["immobility"]

    @property
    def total_mobility(self) -> np.ndarray:
        """Share in a different class from their origin, per group."""
        return self.rates["total_mobility"]

    @property
    def upward(self) -> np.ndarray:
        """Share in a higher class than their origin, per group."""
        return self.rates["upward"]

    @property
    def downward(self) -> np.ndarray:
        """Share in a lower class than their origin, per group."""
        return self.rates["downward"]

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame: one row per measure × group, values in percent."""
        rows: list[dict[str, Any]] = []
        ci_note = (
            f"Wilson {1 - self.alpha:.0%} interval"
            + (", Kish effective n" if self.weighted else "")
            + (f", design effect {self.design_effect:g}" if self.design_effect != 1 else "")
        )
        for g, group in enumerate(self.groups):
            for measure, values in self.rates.items():
                has_ci = measure in self.lci
                rows.append(
                    {
                        "measure": measure,
                        "breakdown": self.layer_name or "layer",
                        "group": group,
                        "value": 100 * values[g],
                        "lci": 100 * self.lci[measure][g] if has_ci else np.nan,
                        "uci": 100 * self.uci[measure][g] if has_ci else np.nan,
                        "n": self.n[g],
                        "unit": "%",
                        "note": ci_note if has_ci else "dissimilarity of margins",
                    }
                )
            for d, dist in enumerate(self.distances):
                rows.append(
                    {
                        "measure": f"distance {dist:+d}",
                        "breakdown": self.layer_name or "layer",
                        "group": group,
                        "value": 100 * self.by_distance[g, d],
                        "lci": 100 * self.by_distance_lci[g, d],
                        "uci": 100 * self.by_distance_uci[g, d],
                        "n": self.n[g],
                        "unit": "%",
                        "note": "origin index − destination index (positive = upward); " + ci_note,
                    }
                )
        return tidy(pd.DataFrame(rows))


@coverage_keyword("confidence")
def absolute_mobility(
    table: MobilityTable, *, alpha: float = 0.05, design_effect: float = 1.0
) -> AbsoluteMobility:
    """Absolute mobility rates of a square table, per layer and pooled.

    Parameters
    ----------
    table:
        a square :class:`MobilityTable` (origin and destination classes in the same
        order, top class first).
    alpha:
        the Wilson intervals are at level ``1 − alpha`` (0.05: 95%).
    design_effect:
        extra variance inflation for complex designs (1 = none; > 0); the effective
        sample size is divided by it.

    See the module docstring for the formulas.
    """
    require_square(table, what="absolute mobility rates")
    _check_options(alpha, design_effect)
    groups, counts, squared = _groups(table)
    K = table.n_origin
    i, j = np.indices((K, K))
    step = i - j  # positive = destination above origin
    masks = {
        "immobility": step == 0,
        "total_mobility": step != 0,
        "upward": step > 0,
        "downward": step < 0,
        "short_range_upward": step == 1,
        "short_range_downward": step == -1,
        "long_range_upward": step >= 2,
        "long_range_downward": step <= -2,
    }
    n = counts.sum(axis=(1, 2))
    n_eff = effective_n(n, squared.sum(axis=(1, 2))) / design_effect
    with np.errstate(divide="ignore", invalid="ignore"):
        rates = {
            m: np.where(n > 0, counts[:, mask].sum(axis=1) / n, np.nan) for m, mask in masks.items()
        }
        lci: dict[str, np.ndarray] = {}
        uci: dict[str, np.ndarray] = {}
        for m in masks:
            lci[m], uci[m] = wilson_interval(rates[m], n_eff, alpha=alpha)
        rows = counts.sum(axis=2)
        cols = counts.sum(axis=1)
        structural = np.where(n > 0, 0.5 * np.abs(rows - cols).sum(axis=1) / n, np.nan)
    rates["structural"] = structural
    rates["exchange"] = rates["total_mobility"] - structural
    distances = tuple(range(K - 1, -K, -1))
    with np.errstate(divide="ignore", invalid="ignore"):
        by_distance = (
            np.stack([counts[:, step == d].sum(axis=1) for d in distances], axis=1)
            / n[:, np.newaxis]
        )
    d_lci, d_uci = wilson_interval(by_distance, n_eff[:, np.newaxis], alpha=alpha)
    return AbsoluteMobility(
        groups=groups,
        rates=rates,
        lci=lci,
        uci=uci,
        distances=distances,
        by_distance=by_distance,
        by_distance_lci=d_lci,
        by_distance_uci=d_uci,
        n=n,
        n_effective=n_eff,
        alpha=alpha,
        design_effect=design_effect,
        weighted=table.is_weighted,
        layer_name=table.layer_name,
    )


# --------------------------------------------------------------------------- outflow / inflow


@dataclass(frozen=True, eq=False)
class PercentageTable(Result):
    """Outflow (row) or inflow (column) percentages with Wilson intervals.

    Attributes
    ----------
    kind:
        ``"outflow"`` (each origin row sums to 100) or ``"inflow"`` (each destination
        column sums to 100).
    groups:
        layer labels, then ``"all"`` when layered.
    percent, lci, uci:
        arrays ``(n_groups, n_origin, n_destination)``; NaN in an empty row/column.
    base:
        the denominators (row or column totals), ``(n_groups, n_origin)`` for outflow,
        ``(n_groups, n_destination)`` for inflow.
    alpha:
        the intervals are at level ``1 − alpha``.
    """

    kind: str
    groups: tuple[str, ...]
    origin_labels: tuple[str, ...]
    destination_labels: tuple[str, ...]
    percent: np.ndarray
    lci: np.ndarray
    uci: np.ndarray
    base: np.ndarray
    alpha: float = 0.05
    layer_name: str | None = None

    def matrix(self, group: str = UNLAYERED) -> pd.DataFrame:
        """The percentages of one group as an origin × destination frame."""
        g = self.groups.index(group) if group in self.groups else 0
        return pd.DataFrame(
            self.percent[g], index=list(self.origin_labels), columns=list(self.destination_labels)
        )

    def to_frame(self) -> pd.DataFrame:
        """Tidy frame, one row per group × cell, with ``origin`` and ``destination``."""
        G, R, C = self.percent.shape
        by_row = self.kind == "outflow"
        base = np.repeat(self.base, C, axis=1) if by_row else np.tile(self.base, (1, R))
        frame = pd.DataFrame(
            {
                "measure": self.kind,
                "breakdown": self.layer_name or "layer",
                "group": np.repeat(np.array(self.groups, dtype=object), R * C),
                "value": self.percent.reshape(-1),
                "lci": self.lci.reshape(-1),
                "uci": self.uci.reshape(-1),
                "n": base.reshape(-1),
                "unit": "%",
                "note": "row percentages" if by_row else "column percentages",
                "origin": np.tile(np.repeat(np.array(self.origin_labels, dtype=object), C), G),
                "destination": np.tile(np.array(self.destination_labels, dtype=object), G * R),
            }
        )
        return tidy(frame)


def _percentages(
    table: MobilityTable, kind: str, alpha: float, design_effect: float
) -> PercentageTable:
    _check_options(alpha, design_effect)
    groups, counts, squared = _groups(table)
    axis = 2 if kind == "outflow" else 1
    base = counts.sum(axis=axis)
    base_sq = squared.sum(axis=axis)
    expand = (slice(None), slice(None), np.newaxis) if axis == 2 else (slice(None), np.newaxis)
    with np.errstate(divide="ignore", invalid="ignore"):
        share = np.where(base[expand] > 0, counts / base[expand], np.nan)
    m = effective_n(base, base_sq)[expand] / design_effect
    lower, upper = wilson_interval(share, np.broadcast_to(m, share.shape), alpha=alpha)
    return PercentageTable(
        kind=kind,
        groups=groups,
        origin_labels=table.origin_labels,
        destination_labels=table.destination_labels,
        percent=100 * share,
        lci=100 * lower,
        uci=100 * upper,
        base=base,
        alpha=alpha,
        layer_name=table.layer_name,
    )


@coverage_keyword("confidence")
def outflow_table(
    table: MobilityTable, *, alpha: float = 0.05, design_effect: float = 1.0
) -> PercentageTable:
    """Outflow percentages ``100 n_ij / n_i·``: where people from each origin ended up.

    Each origin row sums to 100 (per layer and pooled). Intervals: Wilson, with Kish's
    effective row size for weighted tables, at level ``1 − alpha``. Need not be square.
    """
    return _percentages(table, "outflow", alpha, design_effect)


@coverage_keyword("confidence")
def inflow_table(
    table: MobilityTable, *, alpha: float = 0.05, design_effect: float = 1.0
) -> PercentageTable:
    """Inflow percentages ``100 n_ij / n_·j``: where people in each destination came from.

    Each destination column sums to 100 (per layer and pooled). Intervals as
    :func:`outflow_table`.
    """
    return _percentages(table, "inflow", alpha, design_effect)


__all__ = [
    "RATE_MEASURES",
    "AbsoluteMobility",
    "PercentageTable",
    "absolute_mobility",
    "effective_n",
    "inflow_table",
    "outflow_table",
    "wilson_interval",
]
