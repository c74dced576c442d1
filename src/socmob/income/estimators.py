"""Intergenerational income mobility estimators, as Ibis expressions.

Every heavy step is an aggregation the engine runs (DuckDB or Spark, unchanged); Python
only solves 2×2 systems and k×k matrices from the aggregated sums. One call of
:func:`income_mobility` runs two scans: a cheap one for validation and the log-income
shift, and one aggregation over the ranked data that yields every estimate (plus one
aggregation per iteration for the Poisson pseudo-ML IGE).

Estimators (``x`` = parent income, ``y`` = child income, ``w`` = weight, ranks as in
:mod:`socmob.income.ranks`):

* **IGE** — slope of ``log y = a + β·log x`` by weighted least squares
  (:mod:`socmob.income.regression` for the standard errors). Zero/negative incomes follow
  ``zero_policy``: ``"drop"`` (rows with x ≤ 0 or y ≤ 0 are dropped and counted),
  ``"floor"`` (values below ``floor`` are set to ``floor`` before taking logs), or
  ``"ppml"``: the elasticity of the *expected* child income, ``E[y | x] = exp(a + β·log x)``,
  by Poisson pseudo-maximum likelihood (Santos Silva & Tenreyro 2006, *REStat* 88:641;
  Mitnik & Grusky 2020, *Sociol. Methodology* 50:47), which keeps children with zero income
  (parents with x ≤ 0 are dropped and counted). Newton–Raphson, one aggregation per
  iteration, sandwich (HC0) standard errors.
* **Rank-rank** slope and intercept of child rank on parent rank (0–100); the expected
  child rank at parent rank p is ``a + b·p``, and *absolute upward mobility* is that value
  at p = 25 (Chetty et al. 2014).
* **Transition matrix** over k quantiles of the ranks: a row's quantile is
  ``min(⌊R·k/100⌋, k − 1)`` (0-based), so a tied mass goes wholly to the quantile holding its
  mid-rank; ``P[i, j] = W(parent in i, child in j) / W(parent in i)``.
  ``p_top_given_bottom`` = P(child in top quintile | parent in bottom quintile) from the 5×5
  matrix whatever ``quantiles`` is.
* **Absolute mobility** — the weighted share of children with ``child_factor·y >
  parent_factor·x`` (strictly greater; e.g. ``parent_factor`` = the price index ratio that
  expresses parents' income in the children's prices and any age adjustment), with the
  linearisation standard error ``√(Σωᵢ(dᵢ − p)²)/Σwᵢ`` (ω = w² for probability weights,
  w for frequency weights).

Groups (``by=``) get separate estimates; ranks are taken in the *national* distribution
by default and within each group with ``within=True``.

Intervals: analytic for the regression coefficients and the absolute-mobility share.
Quantities without a simple analytic variance (transition-matrix cells, P(Q5|Q1), the
indices) get bootstrap intervals with ``bootstrap=N``: a **Poisson bootstrap** expressed in
Ibis — replicate b re-runs the whole estimation (ranks included) with weights ``w·mᵢ``,
``mᵢ ~ Poisson(1)`` independent across rows (Hanley & MacGibbon 2006; Chamandy et al. 2012,
"Estimating uncertainty for massive data streams"), which approximates the multinomial
resampling of rows without materialising a resample. ``mᵢ`` is the Poisson(1) quantile of
a uniform obtained by hashing (row number in a deterministic order, seed, replicate) in
the engine, so a seed reproduces the same replicates on the same engine (the engines' hash
functions differ, so DuckDB and Spark draw different replicates). Percentile intervals.
Rows, not people, are resampled: treat each row as the sampling unit.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd
from ibis.expr import types as ir
from scipy import stats

from socmob.errors import ConvergenceError, InputError
from socmob.income._data import ALL, Prepared, SEType, WeightKind, execute, prepare
from socmob.income.indices import INDEX_NAMES, MobilityIndices, mobility_indices
from socmob.income.ranks import add_ranks
from socmob.income.regression import LinearFit, fit_line, moment_sums, moments_from_row
from socmob.results import Result, jsonable, tidy

ZeroPolicy = Literal["drop", "floor", "ppml"]
ZERO_POLICIES: tuple[str, ...] = ("drop", "floor", "ppml")
_TINY = 1e-300


# --------------------------------------------------------------------------- results


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
class AbsoluteMobilityResult(Result):
    """Share of children whose (aligned) income exceeds their parents'."""

    share: float
    se: float
    nobs: int
    parent_factor: float = 1.0
    child_factor: float = 1.0
    level: float = 0.95
    group: str | None = None

    def conf_int(self, alpha: float | None = None) -> tuple[float, float]:
        a = 1 - self.level if alpha is None else alpha
        z = float(stats.norm.ppf(1 - a / 2))
        return self.share - z * self.se, self.share + z * self.se

    def to_frame(self) -> pd.DataFrame:
        lo, hi = self.conf_int()
        return tidy(pd.DataFrame([{"measure": "absolute_mobility", "value": self.share,
                                   "lci": lo, "uci": hi}]),
                    group=self.group, n=self.nobs, unit="share",
                    note=f"child×{self.child_factor:g} > parent×{self.parent_factor:g}")


@dataclass(frozen=True, eq=False)
class BootstrapSummary:
    """Replicate statistics of a Poisson bootstrap and their percentile intervals."""

    replicates: pd.DataFrame
    seed: int | None
    level: float

    def interval(self, name: str) -> tuple[float, float]:
        col = self.replicates[name].dropna()
        if col.empty:
            return (math.nan, math.nan)
        a = (1 - self.level) / 2
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
    absolute: AbsoluteMobilityResult
    indices: MobilityIndices
    n_missing: int = 0
    bootstrap: BootstrapSummary | None = None
    group: str | None = None
    level: float = 0.95

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
        ige_ci = self.ige_fit.conf_int()
        rank_ci = self.rank_fit.conf_int()
        p25, p25_se = self.rank_fit.expected_rank(25.0)
        z = float(stats.norm.ppf(1 - (1 - self.level) / 2))
        abs_lo, abs_hi = self.absolute.conf_int()
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


@dataclass(frozen=True, eq=False)
class IncomeMobilityByGroup(Result):
    """:class:`IncomeMobilityResult` for each group of ``by``."""

    by: str
    results: Mapping[str, IncomeMobilityResult]
    ranks: str = "national"

    def __getitem__(self, group: str) -> IncomeMobilityResult:
        return self.results[group]

    def to_dict(self) -> dict[str, Any]:
        return {"by": self.by, "ranks": self.ranks,
                "groups": {g: r.to_dict() for g, r in self.results.items()}}

    def to_frame(self) -> pd.DataFrame:
        frames = [r.to_frame() for r in self.results.values()]
        out = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
        out = tidy(out)
        out["breakdown"] = self.by
        return out


# --------------------------------------------------------------------------- building blocks


@dataclass(frozen=True)
class _Spec:
    """What one estimation pass computes."""

    quantiles: int = 5
    within: bool = False
    zero_policy: str = "drop"
    floor: float | None = None
    parent_factor: float = 1.0
    child_factor: float = 1.0
    se: str = "robust"
    weight_kind: str = "probability"
    level: float = 0.95
    weighted: bool = True
    want: frozenset[str] = field(default_factory=lambda: frozenset(
        {"rank", "ige", "transition", "absolute"}))


def _log_parts(t: ir.Table, spec: _Spec) -> tuple[Any, Any, Any]:
    """(log x, log y, mask) under the zero policy (OLS policies only)."""
    if spec.zero_policy == "floor":
        assert spec.floor is not None
        f = ibis.literal(float(spec.floor))
        return (ibis.greatest(t._x, f).ln(), ibis.greatest(t._y, f).ln(),
                ibis.ifelse(t._x.notnull(), 1.0, 0.0))
    mask = ibis.ifelse((t._x > 0) & (t._y > 0), 1.0, 0.0)
    tiny = ibis.literal(_TINY)
    return ibis.greatest(t._x, tiny).ln(), ibis.greatest(t._y, tiny).ln(), mask


def _shift_pass(prep: Prepared, spec: _Spec) -> dict[str, Any]:
    """Scan 1: the national weighted mean of log incomes (the moment shift) and counts of
    zero/negative incomes per group."""
    t = prep.table
    lx, ly, mask = _log_parts(t, spec)
    wm = t._w * mask
    aggs: dict[str, Any] = {
        "sw": wm.sum(), "sx": (wm * lx).sum(), "sy": (wm * ly).sum(), "n_used": mask.sum(),
        "n_x_nonpos": ibis.ifelse(t._x <= 0, 1, 0).sum(),
        "n_y_nonpos": ibis.ifelse(t._y <= 0, 1, 0).sum(),
    }
    if spec.zero_policy == "floor":
        assert spec.floor is not None
        aggs["n_floored"] = ibis.ifelse((t._x < spec.floor) | (t._y < spec.floor), 1, 0).sum()
    per_group = execute(t.group_by("_g").aggregate(**aggs)).set_index("_g")
    sw = float(per_group["sw"].sum())
    if sw <= 0:
        raise InputError(_nonpositive_message(prep, per_group), file=prep.source,
                         column=_nonpositive_column(prep, per_group),
                         expected="positive incomes (or zero_policy='floor' / 'ppml')")
    return {"cx": float(per_group["sx"].sum()) / sw, "cy": float(per_group["sy"].sum()) / sw,
            "groups": per_group}


def _nonpositive_column(prep: Prepared, per_group: pd.DataFrame) -> str:
    n = prep.n_rows - prep.n_missing
    return prep.parent if int(per_group["n_x_nonpos"].sum()) >= n else prep.child


def _nonpositive_message(prep: Prepared, per_group: pd.DataFrame) -> str:
    n = prep.n_rows - prep.n_missing
    if int(per_group["n_x_nonpos"].sum()) >= n:
        return f"all {n} parent incomes are zero or negative, so no log-income IGE"
    if int(per_group["n_y_nonpos"].sum()) >= n:
        return f"all {n} child incomes are zero or negative, so no log-income IGE"
    return "no row has both incomes positive, so no log-income IGE"


def _ranked(prep_table: ir.Table, spec: _Spec) -> ir.Table:
    part = "_g" if spec.within else None
    return add_ranks(prep_table, {"_x": "_rx", "_y": "_ry"}, "_w", partition=part)


def _bin(rank: Any, k: int) -> Any:
    return (rank * (k / 100.0)).floor().cast("int64").clip(upper=k - 1)


def _main_aggregates(rt: ir.Table, spec: _Spec, shift: Mapping[str, Any] | None
                     ) -> dict[str, Any]:
    aggs: dict[str, Any] = {"n_rows": rt.count(), "sum_w": rt._w.sum()}
    if "rank" in spec.want:
        aggs.update(moment_sums(rt._rx - 50.0, rt._ry - 50.0, rt._w, "r",
                                squares=spec.weighted))
    if "ige" in spec.want and spec.zero_policy != "ppml":
        assert shift is not None
        lx, ly, mask = _log_parts(rt, spec)
        aggs.update(moment_sums(lx - shift["cx"], ly - shift["cy"], rt._w * mask, "i",
                                nobs=mask, squares=spec.weighted))
    if "absolute" in spec.want:
        aggs.update(_absolute_aggs(rt, spec))
    return aggs


Cells = Mapping[str, Mapping[int, np.ndarray]]


def _cells_from(frame: pd.DataFrame, ks: list[int]) -> dict[str, dict[int, np.ndarray]]:
    """Cell weights W(parent quantile i, child quantile j) per group and k from the
    aggregated (group, bins) rows."""
    out: dict[str, dict[int, np.ndarray]] = {}
    for g, sub in frame.groupby("_g", sort=False):
        per_k: dict[int, np.ndarray] = {}
        for k in ks:
            cells = sub.groupby([f"_qx{k}", f"_qy{k}"], sort=False)["sum_w"].sum()
            m = np.zeros((k, k))
            m[cells.index.get_level_values(0).to_numpy(int),
              cells.index.get_level_values(1).to_numpy(int)] = cells.to_numpy(float)
            per_k[k] = m
        out[str(g)] = per_k
    return out


def _transition(cells: np.ndarray, k: int, nobs: int, group: str | None) -> TransitionMatrix:
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = cells / cells.sum(axis=1, keepdims=True)
    return TransitionMatrix(matrix=matrix, cell_weights=cells, k=k, nobs=nobs, group=group)


def _absolute(row: Mapping[str, Any], spec: _Spec, nobs: int,
              group: str | None) -> AbsoluteMobilityResult:
    sw = float(row["sum_w"])
    a_s, a_t, a_tw = float(row["a_s"]), float(row["a_t"]), float(row["a_tw"])
    p = a_s / sw
    if spec.weight_kind == "probability":
        var = (a_t * (1 - 2 * p) + p * p * a_tw) / (sw * sw)
    else:
        var = p * (1 - p) / sw
    return AbsoluteMobilityResult(share=p, se=math.sqrt(max(var, 0.0)), nobs=nobs,
                                  parent_factor=spec.parent_factor,
                                  child_factor=spec.child_factor, level=spec.level,
                                  group=group)


def _records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Aggregated rows keyed by their ``_g`` label."""
    out: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict(orient="records"):
        row = {str(k): v for k, v in record.items()}
        out[str(row["_g"])] = row
    return out


def _label(prep: Prepared, g: str) -> str | None:
    return g if prep.grouped else None


def _run_main(prep: Prepared, table: ir.Table, spec: _Spec, shift: Mapping[str, Any] | None
              ) -> tuple[dict[str, Mapping[str, Any]], Cells]:
    """The one aggregation over the ranked data. With transitions it groups by (group,
    parent bin, child bin) — at most (k + 5)² cells per group — and the moment sums of the
    cells are added up here, so the matrix costs one hash group-by, not k² sums."""
    rt = _ranked(table, spec)
    keys = ["_g"]
    ks: list[int] = []
    if "transition" in spec.want:
        ks = sorted({spec.quantiles, 5})
        bins: dict[str, Any] = {}
        for k in ks:
            bins[f"_qx{k}"] = _bin(rt._rx, k)
            bins[f"_qy{k}"] = _bin(rt._ry, k)
        rt = rt.mutate(**bins)
        keys += list(bins)
    frame = execute(rt.group_by(keys).aggregate(**_main_aggregates(rt, spec, shift)))
    value_cols = [c for c in frame.columns if c not in keys]
    totals = frame.groupby("_g", sort=True)[value_cols].sum(min_count=1).reset_index()
    rows: dict[str, Mapping[str, Any]] = dict(_records(totals))
    return rows, (_cells_from(frame, ks) if ks else {})


# --------------------------------------------------------------------------- PPML


def _ppml(prep: Prepared, spec: _Spec, *, tol: float = 1e-10, max_iter: int = 100
          ) -> dict[str, IGEResult]:
    """Poisson pseudo-ML of ``E[y | x] = exp(a + β log x)`` by Newton–Raphson.

    Per iteration one aggregation returns, per group, the Hessian ``H = Σ w μ z z′``, the
    score ``U = Σ w (y − μ) z`` and the log-likelihood ``Σ w (y η − μ)`` with ``z = (1, log
    x − c)``, ``η = a + β(log x − c)``, ``μ = exp η``; children's incomes are divided by their
    national weighted mean (this changes only ``a``). Sandwich variance ``H⁻¹ M H⁻¹`` with
    ``M = Σ ω (y − μ)² z z′`` (ω = w² probability weights, w frequency weights) — HC0.
    """
    t = prep.table
    pos = t._x > 0
    base = t.filter(pos & (t._y >= 0))
    stats_frame = execute(t.group_by("_g").aggregate(
        n_x_nonpos=ibis.ifelse(t._x <= 0, 1, 0).sum(),
        n_y_neg=ibis.ifelse(t._y < 0, 1, 0).sum(),
        n_used=ibis.ifelse(pos & (t._y >= 0), 1, 0).sum(),
        sw=ibis.ifelse(pos & (t._y >= 0), t._w, 0.0).sum(),
        sz=ibis.ifelse(pos & (t._y >= 0), t._w * ibis.greatest(t._x, _TINY).ln(), 0.0).sum(),
        sy=ibis.ifelse(pos & (t._y >= 0), t._w * t._y, 0.0).sum(),
    )).set_index("_g")
    srows = _records(stats_frame.reset_index())
    n_used_total = int(stats_frame["n_used"].sum())
    if n_used_total == 0 or float(stats_frame["sy"].sum()) <= 0:
        n = prep.n_rows - prep.n_missing
        if int(stats_frame["n_x_nonpos"].sum()) >= n:
            msg, col = f"all {n} parent incomes are zero or negative, so no IGE", prep.parent
        else:
            msg, col = "no child has a positive income, so no Poisson IGE", prep.child
        raise InputError(msg, file=prep.source, column=col, expected="positive incomes")
    for g in prep.groups:
        n_used = int(srows[g]["n_used"]) if g in srows else 0
        if n_used < 3:
            where = f"group {g!r} of column {prep.by!r}" if prep.grouped else "the data"
            raise InputError(f"{where} has {n_used} rows with a positive parent income",
                             file=prep.source, column=prep.by or prep.parent,
                             expected="at least 3")
    c = float(stats_frame["sz"].sum()) / float(stats_frame["sw"].sum())
    ybar = float(stats_frame["sy"].sum()) / float(stats_frame["sw"].sum())
    z = ibis.greatest(base._x, _TINY).ln() - c
    yy = base._y / ybar
    groups = list(prep.groups)
    beta = {g: np.array([math.log(max(float(srows[g]["sy"]) / float(srows[g]["sw"]) / ybar,
                                      1e-12)), 0.0])
            for g in groups}
    prev_beta: dict[str, np.ndarray] = {}
    prev_ll: dict[str, float] = {}
    results: dict[str, IGEResult] = {}
    for iteration in range(1, max_iter + 1):
        active = [g for g in groups if g not in results]
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
        agg = execute(tab.group_by("_g").aggregate(
            h00=(ww * mu).sum(), h01=(ww * mu * zz).sum(), h11=(ww * mu * zz * zz).sum(),
            u0=(ww * r).sum(), u1=(ww * r * zz).sum(), ll=(ww * (yv * eta - mu)).sum(),
            m00=(om * r * r).sum(), m01=(om * r * r * zz).sum(),
            m11=(om * r * r * zz * zz).sum(), n=ww.count(), sw=ww.sum(),
        ))
        arows = _records(agg)
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
            except np.linalg.LinAlgError as exc:
                raise InputError("log parent income does not vary", file=prep.source,
                                 column=prep.parent) from exc
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
                    weight_kind=spec.weight_kind, level=spec.level,
                    group=_label(prep, g), measure="ige", unit="elasticity",
                    zero_policy="ppml",
                    n_dropped=int(prep.group_rows[g] - int(row["n"])), method="ppml",
                    iterations=iteration)
                continue
            prev_ll[g] = ll
            prev_beta[g] = beta[g].copy()
            beta[g] = beta[g] + step
        if len(results) == len(groups):
            return results
    raise ConvergenceError(f"Poisson IGE did not converge in {max_iter} iterations")


# --------------------------------------------------------------------------- assembly


def _finish(prep: Prepared, rows: Mapping[str, Mapping[str, Any]],
            cells: Cells, spec: _Spec, shift: Mapping[str, Any] | None,
            ppml: Mapping[str, IGEResult] | None) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for g in prep.groups:
        row = rows[g]
        label = _label(prep, g)
        nobs = int(row["n_rows"])
        parts: dict[str, Any] = {"nobs": nobs}
        if "rank" in spec.want:
            S, T, n = moments_from_row(row, "r")
            parts["rank"] = RankRankResult(**fit_line(
                S, T, n, shift_x=50.0, shift_y=50.0, se=spec.se,
                weight_kind=spec.weight_kind, level=spec.level, what="parent rank",
                column=prep.by if prep.grouped else prep.parent, source=prep.source,
                group=label, measure="rank_slope", unit="slope",
                ranks="within" if spec.within else "national"))
        if "ige" in spec.want:
            if ppml is not None:
                parts["ige"] = ppml[g]
            else:
                assert shift is not None
                S, T, n = moments_from_row(row, "i")
                if n < 3:
                    raise InputError(
                        (f"group {g!r} of column {prep.by!r}" if prep.grouped else "the data")
                        + f" has {int(n)} rows with both incomes positive",
                        file=prep.source, column=prep.by or prep.parent,
                        expected="at least 3 (or zero_policy='floor' / 'ppml')")
                gs = shift["groups"].loc[g] if g in shift["groups"].index else None
                n_dropped = prep.group_rows[g] - int(n) if spec.zero_policy == "drop" else 0
                n_floored = int(gs["n_floored"]) if (gs is not None
                                                     and "n_floored" in gs) else 0
                parts["ige"] = IGEResult(**fit_line(
                    S, T, n, shift_x=shift["cx"], shift_y=shift["cy"], se=spec.se,
                    weight_kind=spec.weight_kind, level=spec.level,
                    what="log parent income", column=prep.parent, source=prep.source,
                    group=label, measure="ige", unit="elasticity",
                    zero_policy=spec.zero_policy, floor=spec.floor, n_dropped=n_dropped,
                    n_floored=n_floored, method="ols"))
        if "transition" in spec.want:
            parts["transition"] = _transition(cells[g][spec.quantiles],
                                              spec.quantiles, nobs, label)
            parts["quintiles"] = (parts["transition"] if spec.quantiles == 5 else
                                  _transition(cells[g][5], 5, nobs, label))
        if "absolute" in spec.want:
            parts["absolute"] = _absolute(row, spec, nobs, label)
        out[g] = parts
    return out


def _replicate_statistics(parts: Mapping[str, Any]) -> dict[str, float]:
    stats_out: dict[str, float] = {}
    if "rank" in parts:
        r: RankRankResult = parts["rank"]
        stats_out.update(rank_slope=r.slope, rank_intercept=r.intercept,
                         expected_rank_p25=r.expected_rank(25.0)[0])
    if "ige" in parts:
        stats_out["ige"] = parts["ige"].slope
    if "transition" in parts:
        stats_out["p_top_given_bottom"] = parts["quintiles"].p_top_given_bottom
        tm: TransitionMatrix = parts["transition"]
        try:
            idx = tm.indices().as_dict()
        except InputError:
            idx = {n: math.nan for n in INDEX_NAMES}
        stats_out.update({f"index_{k}": v for k, v in idx.items()})
    if "absolute" in parts:
        stats_out["absolute_mobility"] = parts["absolute"].share
    return stats_out


_POISSON1_CDF = tuple(
    math.exp(-1.0) * sum(1.0 / math.factorial(i) for i in range(k + 1)) for k in range(12)
)
_HASH_MOD = 2_147_483_647


def poisson_multiplier(t: ir.Table, seed: int, replicate: int,
                       order_by: list[str]) -> ir.IntegerValue:
    """A Poisson(1) multiplier per row, reproducible for (data, seed, replicate) on one
    engine: the row number in a deterministic order is hashed with the seed and the
    replicate by the engine and mapped to a uniform, whose Poisson(1) quantile is taken."""
    rn = ibis.row_number().over(order_by=[t[c] for c in order_by]).cast("int64")
    offset = (int(seed) * 7_919 + int(replicate) * 104_729 + 1) % 1_000_000_007
    h = (rn * 1_000_003 + offset).hash().cast("int64")
    u = (((h % _HASH_MOD) + _HASH_MOD) % _HASH_MOD).cast("float64") / float(_HASH_MOD)
    m: Any = ibis.literal(0)
    for threshold in _POISSON1_CDF:
        m = m + ibis.ifelse(u > threshold, 1, 0)
    return m


def _bootstrap(prep: Prepared, spec: _Spec, shift: Mapping[str, Any] | None, replicates: int,
               seed: int | None, progress: bool) -> dict[str, pd.DataFrame]:
    from rich.console import Console
    from rich.progress import Progress

    seed_value = 0 if seed is None else int(seed)
    # replicate weights w·m are not 0/1, but replicates use point estimates only, which
    # never need the w² sums: keep ``weighted`` as it is
    boot_spec = _Spec(**{**spec.__dict__, "want": frozenset(
        spec.want - ({"ige"} if spec.zero_policy == "ppml" else set()))})
    records: dict[str, list[dict[str, float]]] = {g: [] for g in prep.groups}
    base = prep.table
    with Progress(console=Console(stderr=True), disable=not progress, transient=True) as bar:
        task = bar.add_task("bootstrap", total=replicates)
        for b in range(replicates):
            m = poisson_multiplier(base, seed_value, b, ["_g", "_x", "_y", "_w"])
            table = base.mutate(_w=base._w * m.cast("float64"))
            rows, cells = _run_main(prep, table, boot_spec, shift)
            for g in prep.groups:
                if g not in rows:
                    records[g].append({})
                    continue
                try:
                    parts = _finish_one(prep, g, rows[g], cells, boot_spec, shift)
                    records[g].append(_replicate_statistics(parts))
                except InputError:
                    records[g].append({})
            bar.advance(task)
    return {g: pd.DataFrame(r) for g, r in records.items()}


def _finish_one(prep: Prepared, g: str, row: Mapping[str, Any], cells: Cells,
                spec: _Spec, shift: Mapping[str, Any] | None) -> dict[str, Any]:
    sub = Prepared(table=prep.table, parent=prep.parent, child=prep.child, weight=prep.weight,
                   by=prep.by, source=prep.source, n_rows=prep.n_rows, n_missing=prep.n_missing,
                   groups=(g,), group_rows=prep.group_rows)
    return _finish(sub, {g: row}, cells, spec, shift, None)[g]


def _validate_options(*, quantiles: int, zero_policy: str, floor: float | None, se: str,
                      weight_kind: str, bootstrap: int, level: float, parent_factor: float,
                      child_factor: float) -> None:
    if not isinstance(quantiles, int) or quantiles < 2 or quantiles > 100:
        raise InputError(f"quantiles must be an integer from 2 to 100, got {quantiles!r}",
                         expected="e.g. 4 (quartiles), 5 (quintiles) or 10 (deciles)")
    if zero_policy not in ZERO_POLICIES:
        raise InputError(f"unknown zero_policy {zero_policy!r}",
                         expected="'drop', 'floor' or 'ppml'")
    if zero_policy == "floor" and (floor is None or not floor > 0):
        raise InputError("zero_policy='floor' needs a positive floor value",
                         expected="e.g. floor=1000")
    if se not in ("robust", "classic"):
        raise InputError(f"unknown se {se!r}", expected="'robust' or 'classic'")
    if weight_kind not in ("probability", "frequency"):
        raise InputError(f"unknown weight_kind {weight_kind!r}",
                         expected="'probability' or 'frequency'")
    if bootstrap < 0:
        raise InputError("bootstrap must be ≥ 0", expected="a number of replicates")
    if not 0 < level < 1:
        raise InputError(f"level must be in (0, 1), got {level}", expected="e.g. 0.95")
    for name, value in (("parent_factor", parent_factor), ("child_factor", child_factor)):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a positive number, got {value}")


def _estimate(data: Any, *, parent: str, child: str, weight: str | None, by: str | None,
              spec: _Spec, source: str | None) -> tuple[Prepared, dict[str, dict[str, Any]],
                                                       Mapping[str, Any] | None]:
    prep = prepare(data, parent=parent, child=child, weight=weight, by=by, source=source)
    shift = None
    ppml = None
    if "ige" in spec.want:
        if spec.zero_policy == "ppml":
            ppml = _ppml(prep, spec)
        else:
            shift = _shift_pass(prep, spec)
    rows, cells = _run_main(prep, prep.table, spec, shift)
    return prep, _finish(prep, rows, cells, spec, shift, ppml), shift


def _per_group(prep: Prepared, parts: Mapping[str, dict[str, Any]], key: str) -> Any:
    if prep.grouped:
        return {g: p[key] for g, p in parts.items()}
    return parts[ALL][key]


# --------------------------------------------------------------------------- public API


def income_mobility(data: Any, *, parent: str, child: str, weight: str | None = None,
                    by: str | None = None, within: bool = False, quantiles: int = 5,
                    zero_policy: ZeroPolicy = "drop", floor: float | None = None,
                    parent_factor: float = 1.0, child_factor: float = 1.0,
                    se: SEType = "robust", weight_kind: WeightKind = "probability",
                    bootstrap: int = 0, seed: int | None = None, progress: bool = True,
                    level: float = 0.95, source: str | None = None,
                    ) -> IncomeMobilityResult | IncomeMobilityByGroup:
    """All income-mobility measures of parent–child pairs (see the module docstring).

    Parameters
    ----------
    data:
        Ibis table (any backend), pandas DataFrame or pyarrow Table, one row per child.
    parent, child:
        Income columns (numeric; missing values are dropped and counted).
    weight:
        Survey weight column (default: unweighted). ``weight_kind="probability"`` (survey
        weights) or ``"frequency"`` (a row of weight w stands for w identical people; then
        every result equals that of the data with each row repeated w times).
    by, within:
        Estimate per group of ``by``; ranks in the national distribution unless
        ``within=True``.
    quantiles:
        k of the k×k transition matrix (the indices use it; P(Q5|Q1) always uses
        quintiles).
    zero_policy, floor:
        Zero/negative incomes in the IGE: ``"drop"``, ``"floor"`` (with ``floor``) or
        ``"ppml"``.
    parent_factor, child_factor:
        Absolute mobility compares ``child_factor·child > parent_factor·parent``.
    se:
        ``"robust"`` (HC1) or ``"classic"`` standard errors for the regressions.
    bootstrap, seed, progress:
        Poisson-bootstrap replicates for percentile intervals of P(Q5|Q1) and the
        indices; reproducible with ``seed``; a progress bar on stderr unless
        ``progress=False``.
    level:
        Confidence level of every interval.
    source:
        File name used in error messages.
    """
    _validate_options(quantiles=quantiles, zero_policy=zero_policy, floor=floor, se=se,
                      weight_kind=weight_kind, bootstrap=bootstrap, level=level,
                      parent_factor=parent_factor, child_factor=child_factor)
    spec = _Spec(weighted=weight is not None,
                 quantiles=quantiles, within=within, zero_policy=zero_policy, floor=floor,
                 parent_factor=parent_factor, child_factor=child_factor, se=se,
                 weight_kind=weight_kind, level=level)
    prep, parts, shift = _estimate(data, parent=parent, child=child, weight=weight, by=by,
                                   spec=spec, source=source)
    boot = (_bootstrap(prep, spec, shift, bootstrap, seed, progress) if bootstrap > 0 else {})
    results: dict[str, IncomeMobilityResult] = {}
    for g, p in parts.items():
        label = _label(prep, g)
        try:
            idx = p["transition"].indices()
        except InputError as exc:
            raise InputError(
                (f"group {g!r} of column {by!r}: " if by else "")
                + f"cannot compute mobility indices: {exc}", file=source, column=by,
                expected="every parent quantile represented (fewer quantiles?)") from exc
        idx = MobilityIndices(**{**idx.__dict__, "group": label})
        results[g] = IncomeMobilityResult(
            nobs=p["nobs"], ige_fit=p["ige"], rank_fit=p["rank"], transition=p["transition"],
            quintiles=p["quintiles"], absolute=p["absolute"], indices=idx,
            n_missing=prep.n_missing if not prep.grouped else 0,
            bootstrap=(BootstrapSummary(replicates=boot[g], seed=seed, level=level)
                       if g in boot else None),
            group=label, level=level)
    if prep.grouped:
        assert by is not None
        return IncomeMobilityByGroup(by=by, results=results,
                                     ranks="within" if within else "national")
    return results[ALL]


def ige(data: Any, *, parent: str, child: str, weight: str | None = None,
        by: str | None = None, zero_policy: ZeroPolicy = "drop", floor: float | None = None,
        se: SEType = "robust", weight_kind: WeightKind = "probability", level: float = 0.95,
        source: str | None = None) -> IGEResult | dict[str, IGEResult]:
    """Intergenerational income elasticity (slope of log child on log parent income).

    ``zero_policy``: ``"drop"`` (count in :attr:`IGEResult.n_dropped`), ``"floor"`` (with
    ``floor``), or ``"ppml"`` (elasticity of the expectation by Poisson pseudo-ML). Returns
    one :class:`IGEResult`, or ``{group: IGEResult}`` with ``by``.
    """
    _validate_options(quantiles=5, zero_policy=zero_policy, floor=floor, se=se,
                      weight_kind=weight_kind, bootstrap=0, level=level, parent_factor=1.0,
                      child_factor=1.0)
    spec = _Spec(weighted=weight is not None,
                 zero_policy=zero_policy, floor=floor, se=se, weight_kind=weight_kind,
                 level=level, want=frozenset({"ige"}))
    prep = prepare(data, parent=parent, child=child, weight=weight, by=by, source=source)
    if zero_policy == "ppml":
        fits = _ppml(prep, spec)
    else:
        shift = _shift_pass(prep, spec)
        t = prep.table
        frame = execute(t.group_by("_g").aggregate(n_rows=t.count(), sum_w=t._w.sum(),
                                                   **_main_aggregates_ige(t, spec, shift)))
        parts = _finish(prep, _records(frame), {}, spec, shift, None)
        fits = {g: p["ige"] for g, p in parts.items()}
    return fits if prep.grouped else fits[ALL]


def _main_aggregates_ige(t: ir.Table, spec: _Spec, shift: Mapping[str, Any]) -> dict[str, Any]:
    lx, ly, mask = _log_parts(t, spec)
    return moment_sums(lx - shift["cx"], ly - shift["cy"], t._w * mask, "i", nobs=mask,
                       squares=spec.weighted)


def _single(want: str, data: Any, *, parent: str, child: str, weight: str | None,
            by: str | None, spec_kwargs: dict[str, Any], source: str | None,
            key: str) -> Any:
    spec = _Spec(want=frozenset({want}), weighted=weight is not None, **spec_kwargs)
    prep, parts, _ = _estimate(data, parent=parent, child=child, weight=weight, by=by,
                               spec=spec, source=source)
    return _per_group(prep, parts, key)


def rank_rank(data: Any, *, parent: str, child: str, weight: str | None = None,
              by: str | None = None, within: bool = False, se: SEType = "robust",
              weight_kind: WeightKind = "probability", level: float = 0.95,
              source: str | None = None) -> RankRankResult | dict[str, RankRankResult]:
    """Rank-rank regression: child percentile rank on parent percentile rank (0–100).

    ``result.expected_rank(p)`` is ``a + b·p`` with its standard error;
    ``result.absolute_upward_mobility`` is the value at p = 25.
    """
    _validate_options(quantiles=5, zero_policy="drop", floor=None, se=se,
                      weight_kind=weight_kind, bootstrap=0, level=level, parent_factor=1.0,
                      child_factor=1.0)
    return _single("rank", data, parent=parent, child=child, weight=weight, by=by,
                   spec_kwargs=dict(within=within, se=se, weight_kind=weight_kind,
                                    level=level), source=source, key="rank")


def transition_matrix(data: Any, *, parent: str, child: str, weight: str | None = None,
                      by: str | None = None, within: bool = False, quantiles: int = 5,
                      source: str | None = None
                      ) -> TransitionMatrix | dict[str, TransitionMatrix]:
    """The k-quantile transition matrix of parent and child ranks (rows = parent)."""
    _validate_options(quantiles=quantiles, zero_policy="drop", floor=None, se="robust",
                      weight_kind="probability", bootstrap=0, level=0.95, parent_factor=1.0,
                      child_factor=1.0)
    return _single("transition", data, parent=parent, child=child, weight=weight, by=by,
                   spec_kwargs=dict(within=within, quantiles=quantiles), source=source,
                   key="transition")


def absolute_mobility(data: Any, *, parent: str, child: str, weight: str | None = None,
                      by: str | None = None, parent_factor: float = 1.0,
                      child_factor: float = 1.0, weight_kind: WeightKind = "probability",
                      level: float = 0.95, source: str | None = None
                      ) -> AbsoluteMobilityResult | dict[str, AbsoluteMobilityResult]:
    """Weighted share of children with ``child_factor·child > parent_factor·parent``."""
    _validate_options(quantiles=5, zero_policy="drop", floor=None, se="robust",
                      weight_kind=weight_kind, bootstrap=0, level=level,
                      parent_factor=parent_factor, child_factor=child_factor)
    spec = _Spec(want=frozenset({"absolute"}), parent_factor=parent_factor,
                 child_factor=child_factor, weight_kind=weight_kind, level=level)
    prep = prepare(data, parent=parent, child=child, weight=weight, by=by, source=source)
    t = prep.table
    frame = execute(t.group_by("_g").aggregate(n_rows=t.count(), sum_w=t._w.sum(),
                                               **_absolute_aggs(t, spec)))
    out = {g: _absolute(r, spec, int(r["n_rows"]), _label(prep, g))
           for g, r in _records(frame).items()}
    return out if prep.grouped else out[ALL]


def _absolute_aggs(t: ir.Table, spec: _Spec) -> dict[str, Any]:
    d = ibis.ifelse(t._y * spec.child_factor > t._x * spec.parent_factor, 1.0, 0.0)
    return {"a_s": (t._w * d).sum(), "a_t": (t._w * t._w * d).sum(),
            "a_tw": (t._w * t._w).sum()}



__all__ = [
    "AbsoluteMobilityResult",
    "BootstrapSummary",
    "IGEResult",
    "IncomeMobilityByGroup",
    "IncomeMobilityResult",
    "RankRankResult",
    "TransitionMatrix",
    "absolute_mobility",
    "ige",
    "income_mobility",
    "poisson_multiplier",
    "rank_rank",
    "transition_matrix",
]
