"""Result objects of the income-mobility estimators (see :mod:`socmob.income.api` for
the estimators and ``docs/income.md`` for the formulas)."""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socmob._deprecated import renamed
from socmob.checks import check_alpha
from socmob.income.indices import INDEX_NAMES, MobilityIndices, mobility_indices
from socmob.income.regression import LinearFit, normal_quantile
from socmob.results import ByGroup, Result, jsonable, tidy


@dataclass(frozen=True, eq=False)
class IGEResult(LinearFit):
    """Intergenerational elasticity: ``params["slope"]`` is β (also :attr:`ige`).

    ``zero_policy`` says how zero/negative incomes were treated; ``n_dropped`` rows were
    dropped by it (``n_floored`` recoded with ``"floor"``); ``method`` is ``"ols"`` or
    ``"ppml"`` (then :attr:`iterations` Newton steps were taken and ``rsquared`` is NaN).
    """

    zero_policy: str = "drop"
    floor: float | None = None
    n_dropped: int = 0
    n_floored: int = 0
    method: str = "ols"
    iterations: int = 0

    @property
    def ige(self) -> float:
        return self.slope


@dataclass(frozen=True, eq=False)
class RankRankResult(LinearFit):
    """Rank-rank regression on the 0–100 scale; :meth:`expected_rank` gives ``a + b·p``."""

    ranks: str = "national"

    def expected_rank(self, p: float) -> tuple[float, float]:
        """Expected child rank at parent rank ``p`` and its standard error."""
        return self.predict(p)

    @property
    def absolute_upward_mobility(self) -> float:
        """Expected child rank at parent rank 25 (Chetty et al. 2014)."""
        return self.predict(25.0)[0]


@dataclass(frozen=True, eq=False)
class TransitionMatrix(Result):
    """A k-quantile transition matrix (rows = parent quantile, bottom first)."""

    matrix: np.ndarray
    cell_weights: np.ndarray
    k: int
    nobs: int
    group: str | None = None

    @property
    def origin_shares(self) -> np.ndarray:
        total = self.cell_weights.sum()
        return self.cell_weights.sum(axis=1) / total

    @property
    def destination_shares(self) -> np.ndarray:
        total = self.cell_weights.sum()
        return self.cell_weights.sum(axis=0) / total

    @property
    def p_top_given_bottom(self) -> float:
        """P(child in the top quantile | parent in the bottom quantile)."""
        return float(self.matrix[0, -1])

    def indices(self, *, origin_shares: Any = None) -> MobilityIndices:
        """Mobility indices of this matrix (``πᵢ = 1/k`` unless given)."""
        return mobility_indices(self.matrix, origin_shares=origin_shares, group=self.group)

    def to_frame(self) -> pd.DataFrame:
        k = self.k
        rows = [{"measure": "transition_share", "breakdown": f"parent_q{i + 1}",
                 "value": self.matrix[i, j], "note": f"child_q{j + 1}"}
                for i in range(k) for j in range(k)]
        return tidy(pd.DataFrame(rows), group=self.group, n=self.nobs, unit="share")


@dataclass(frozen=True, eq=False)
class AbsoluteIncomeMobility(Result):
    """Absolute income mobility: the share of children whose (aligned) income exceeds
    their parents' (Chetty et al. 2017), with its linearisation standard error.

    Not to be confused with :class:`socmob.tables.AbsoluteMobility`, the rates of moving
    between occupational classes in a mobility table.
    """

    share: float
    se: float
    nobs: int
    parent_factor: float = 1.0
    child_factor: float = 1.0
    alpha: float = 0.05
    group: str | None = None

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """The normal ``1 − alpha`` interval of the share, ``share ± z·se`` (columns
        ``lower``, ``upper``; one row, ``share``)."""
        z = normal_quantile(1 - check_alpha(alpha) / 2)
        return pd.DataFrame({"lower": [self.share - z * self.se],
                             "upper": [self.share + z * self.se]}, index=["share"])

    def to_frame(self) -> pd.DataFrame:
        """One tidy row: the share with its ``1 − alpha`` interval."""
        lo, hi = self.conf_int(self.alpha).loc["share"]
        return tidy(pd.DataFrame([{"measure": "absolute_mobility", "value": self.share,
                                   "lci": lo, "uci": hi}]),
                    group=self.group, n=self.nobs, unit="share",
                    note=f"child×{self.child_factor:g} > parent×{self.parent_factor:g}")


@dataclass(frozen=True, eq=False)
class BootstrapSummary:
    """Replicate statistics of a Poisson bootstrap and their percentile intervals.

    ``replicates`` has one row per replicate and a column per statistic. Ranks are held
    at their full-sample values in every replicate (``ranks="fixed"``); ``buckets`` is the
    number of random groups of rows that share a multiplier, or ``None`` when every row
    has its own (see :mod:`socmob.income.bootstrap`).
    """

    replicates: pd.DataFrame
    seed: int | None
    alpha: float
    buckets: int | None = None
    ranks: str = "fixed"

    def interval(self, name: str) -> tuple[float, float]:
        """The percentile ``1 − alpha`` interval of statistic ``name`` over the
        replicates."""
        col = self.replicates[name].dropna()
        if col.empty:
            return (math.nan, math.nan)
        a = self.alpha / 2
        return float(col.quantile(a)), float(col.quantile(1 - a))

    def se(self, name: str) -> float:
        return float(self.replicates[name].std(ddof=1))


@dataclass(frozen=True, eq=False)
class IncomeMobilityResult(Result):
    """Every income-mobility measure for one population (or one group).

    :meth:`to_dict` returns exactly the keys ``nobs, ige, ige_se, rank_slope,
    rank_slope_se, rank_intercept, expected_rank_p25, p_top_given_bottom,
    transition_matrix, absolute_mobility, indices`` (``indices`` holding
    ``shorrocks_prais, eigenvalue, determinant, bartholomew``); :meth:`to_frame` gives the
    tidy rows with intervals.
    """

    nobs: int
    ige_fit: IGEResult
    rank_fit: RankRankResult
    transition: TransitionMatrix
    quintiles: TransitionMatrix
    absolute: AbsoluteIncomeMobility
    indices: MobilityIndices
    n_missing: int = 0
    bootstrap: BootstrapSummary | None = None
    group: str | None = None
    alpha: float = 0.05

    @property
    def ige(self) -> float:
        return self.ige_fit.slope

    @property
    def ige_se(self) -> float:
        return float(self.ige_fit.bse["slope"])

    @property
    def rank_slope(self) -> float:
        return self.rank_fit.slope

    @property
    def rank_slope_se(self) -> float:
        return float(self.rank_fit.bse["slope"])

    @property
    def rank_intercept(self) -> float:
        return self.rank_fit.intercept

    @property
    def expected_rank_p25(self) -> float:
        return self.rank_fit.expected_rank(25.0)[0]

    @property
    def p_top_given_bottom(self) -> float:
        return self.quintiles.p_top_given_bottom

    @property
    def absolute_mobility(self) -> float:
        return self.absolute.share

    def to_dict(self) -> dict[str, Any]:
        return {
            "nobs": int(self.nobs),
            "ige": jsonable(self.ige),
            "ige_se": jsonable(self.ige_se),
            "rank_slope": jsonable(self.rank_slope),
            "rank_slope_se": jsonable(self.rank_slope_se),
            "rank_intercept": jsonable(self.rank_intercept),
            "expected_rank_p25": jsonable(self.expected_rank_p25),
            "p_top_given_bottom": jsonable(self.p_top_given_bottom),
            "transition_matrix": jsonable(self.transition.matrix),
            "absolute_mobility": jsonable(self.absolute_mobility),
            "indices": jsonable(self.indices.as_dict()),
        }

    def _boot(self, name: str) -> tuple[float, float]:
        if self.bootstrap is None or name not in self.bootstrap.replicates:
            return (math.nan, math.nan)
        return self.bootstrap.interval(name)

    def to_frame(self) -> pd.DataFrame:
        ige_ci = self.ige_fit.conf_int(self.alpha)
        rank_ci = self.rank_fit.conf_int(self.alpha)
        p25, p25_se = self.rank_fit.expected_rank(25.0)
        z = normal_quantile(1 - self.alpha / 2)
        abs_lo, abs_hi = self.absolute.conf_int(self.alpha).loc["share"]
        rows: list[dict[str, Any]] = [
            {"measure": "ige", "value": self.ige, "lci": ige_ci.loc["slope", "lower"],
             "uci": ige_ci.loc["slope", "upper"], "n": self.ige_fit.nobs, "unit": "elasticity",
             "note": f"{self.ige_fit.method}, zero_policy={self.ige_fit.zero_policy}, "
                     f"{self.ige_fit.n_dropped} rows dropped"},
            {"measure": "rank_slope", "value": self.rank_slope,
             "lci": rank_ci.loc["slope", "lower"], "uci": rank_ci.loc["slope", "upper"],
             "unit": "slope"},
            {"measure": "rank_intercept", "value": self.rank_intercept,
             "lci": rank_ci.loc["const", "lower"], "uci": rank_ci.loc["const", "upper"],
             "unit": "rank"},
            {"measure": "expected_rank_p25", "value": p25, "lci": p25 - z * p25_se,
             "uci": p25 + z * p25_se, "unit": "rank"},
            {"measure": "p_top_given_bottom", "value": self.p_top_given_bottom,
             "lci": self._boot("p_top_given_bottom")[0],
             "uci": self._boot("p_top_given_bottom")[1], "unit": "share"},
            {"measure": "absolute_mobility", "value": self.absolute_mobility, "lci": abs_lo,
             "uci": abs_hi, "unit": "share"},
        ]
        for name in INDEX_NAMES:
            lo, hi = self._boot(f"index_{name}")
            rows.append({"measure": f"mobility_index_{name}",
                         "value": getattr(self.indices, name), "lci": lo, "uci": hi,
                         "unit": "index", "note": f"{self.transition.k}-quantile matrix"})
        frame = pd.DataFrame(rows)
        frame["n"] = frame["n"].fillna(self.nobs) if "n" in frame else self.nobs
        return tidy(frame, group=self.group)


IncomeMobilityByGroup = ByGroup
"""The by-group answer of :func:`~socmob.income.income_mobility` is a
:class:`socmob.results.ByGroup` of :class:`IncomeMobilityResult` (which also names the
groups that could not be estimated); this older name is kept as an alias."""


__all__ = [
    "AbsoluteIncomeMobility",
    "BootstrapSummary",
    "IGEResult",
    "IncomeMobilityByGroup",
    "IncomeMobilityResult",
    "RankRankResult",
    "TransitionMatrix",
]

__getattr__ = renamed(__name__, {"AbsoluteMobilityResult": "AbsoluteIncomeMobility"}, globals())
