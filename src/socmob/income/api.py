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
* **Absolute income mobility** — the weighted share of children with ``child_factor·y >
  parent_factor·x`` (strictly greater; e.g. ``parent_factor`` = the price index ratio that
  expresses parents' income in the children's prices and any age adjustment), with the
  linearisation standard error ``√(Σωᵢ(dᵢ − p)²)/Σwᵢ`` (ω = w² for probability weights,
  w for frequency weights).

Groups (``by=``) get separate estimates; ranks are taken in the *national* distribution
by default and within each group with ``within=True``. The answer is then a
:class:`socmob.results.ByGroup`: every group that could be estimated, and
``not_estimated`` naming each other group with the reason (too few usable rows, zero
weight, no parents in a quantile, a Poisson fit that cannot be made); only when no group
can be estimated is it an error.

Inputs are finite numbers only: an infinite or overflowing income or weight, or a
negative weight, is an :class:`~socmob.errors.InputError` naming the column (and the row,
for data in memory), and so is a sum that overflows (:mod:`socmob.income._data`).

Intervals, at level ``1 − alpha`` (``alpha=0.05``: 95%): analytic for the regression
coefficients and the absolute-mobility share.
Quantities without a simple analytic variance (transition-matrix cells, P(Q5|Q1), the
indices) get percentile intervals from a **Poisson bootstrap** with ``bootstrap=N``: all
replicates from one scan, ranks held at their full-sample values, the same replicates on
every engine for a seed — see :mod:`socmob.income.bootstrap` for the method and the
consequence of fixed ranks. Rows, not people, are resampled: treat each row as the
sampling unit.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from typing import Any, Literal, TypeVar

from ibis.expr import types as ir

from socmob._deprecated import coverage_keyword, renamed
from socmob.checks import check_alpha
from socmob.errors import InputError
from socmob.income._data import (
    ALL,
    Prepared,
    SEType,
    WeightKind,
    no_group_message,
    prepare,
)
from socmob.income.bootstrap import bootstrap_replicates
from socmob.income.indices import MobilityIndices
from socmob.income.plan import (
    Estimates,
    Spec,
    absolute_aggregates,
    absolute_result,
    engine_sums,
    finish,
    group_label,
    log_parts,
    per_group,
    records,
    run_main,
    shift_aggregates,
    shift_pass,
)
from socmob.income.ppml import fit_ppml
from socmob.income.regression import moment_sums
from socmob.income.results import (
    AbsoluteIncomeMobility,
    BootstrapSummary,
    IGEResult,
    IncomeMobilityResult,
    RankRankResult,
    TransitionMatrix,
)
from socmob.results import ByGroup, Result

R = TypeVar("R", bound=Result)

ZeroPolicy = Literal["drop", "floor", "ppml"]
ZERO_POLICIES: tuple[str, ...] = ("drop", "floor", "ppml")


def _validate_options(*, quantiles: int, zero_policy: str, floor: float | None, se: str,
                      weight_kind: str, bootstrap: int, alpha: float, parent_factor: float,
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
    check_alpha(alpha)
    for name, value in (("parent_factor", parent_factor), ("child_factor", child_factor)):
        if not (math.isfinite(value) and value > 0):
            raise InputError(f"{name} must be a positive number, got {value}")


def _shift_in_prepare(spec: Spec) -> Any:
    """The moment shift's reductions, for the validating scan to compute (least-squares
    IGE only)."""
    if "ige" not in spec.want or spec.zero_policy == "ppml":
        return None
    return lambda work, ok: shift_aggregates(work, spec, ok)


def _estimate(data: Any, *, parent: str, child: str, weight: str | None, by: str | None,
              spec: Spec, source: str | None
              ) -> tuple[Prepared, Estimates, Mapping[str, Any] | None]:
    prep = prepare(data, parent=parent, child=child, weight=weight, by=by, source=source,
                   extra=_shift_in_prepare(spec))
    shift = None
    ppml = None
    ppml_failed: dict[str, str] = {}
    if "ige" in spec.want:
        if spec.zero_policy == "ppml":
            ppml, ppml_failed = fit_ppml(prep, spec)
        else:
            shift = shift_pass(prep, spec)
    rows, cells = run_main(prep, prep.table, spec, shift)
    return prep, finish(prep, rows, cells, spec, shift, ppml, skip=ppml_failed), shift


def _answer(prep: Prepared, results: Mapping[str, R], not_estimated: Mapping[str, str]
            ) -> R | ByGroup[R]:
    """One result, or with ``by`` a :class:`~socmob.results.ByGroup` naming the groups
    that could not be estimated; an error when no group could be."""
    if not prep.grouped:
        return results[ALL]
    assert prep.by is not None
    if not results:
        raise InputError(no_group_message(prep.by, not_estimated), file=prep.source,
                         column=prep.by, expected="at least one group that can be estimated")
    return ByGroup(by=prep.by, results=dict(results), not_estimated=dict(not_estimated))


_QUANTILE_NAMES = {3: "tercile", 4: "quartile", 5: "quintile", 10: "decile",
                   20: "ventile", 100: "percentile"}


def empty_origin_reason(matrix: TransitionMatrix) -> str | None:
    """"no parents in the bottom quintile" (or the like) when a parent quantile of the
    matrix has no weight; ``None`` when every row has some."""
    row_weights = matrix.cell_weights.sum(axis=1)
    empty = [i for i, w in enumerate(row_weights) if not w > 0]
    if not empty:
        return None
    k = matrix.k
    name = _QUANTILE_NAMES.get(k, "quantile")
    i = empty[0]
    where = ("the bottom " + name if i == 0 else "the top " + name if i == k - 1
             else f"{name} {i + 1} of {k}")
    more = f" (and {len(empty) - 1} more empty {name}s)" if len(empty) > 1 else ""
    return f"no parents in {where}{more}"


def _with_indices(p: Mapping[str, Any]) -> MobilityIndices:
    """The mobility indices of a group's transition matrix; an :class:`InputError` with
    the reason when a parent quantile is empty (of the k-quantile matrix, or of the
    quintile matrix behind P(Q5|Q1))."""
    for matrix in (p["transition"], p["quintiles"]):
        reason = empty_origin_reason(matrix)
        if reason is not None:
            raise InputError(reason, column=None,
                             expected="every parent quantile represented "
                                      "(fewer quantiles, or ranks within groups?)")
    return p["transition"].indices()


@coverage_keyword("level")
def income_mobility(data: Any, *, parent: str, child: str, weight: str | None = None,
                    by: str | None = None, within: bool = False, quantiles: int = 5,
                    zero_policy: ZeroPolicy = "drop", floor: float | None = None,
                    parent_factor: float = 1.0, child_factor: float = 1.0,
                    se: SEType = "robust", weight_kind: WeightKind = "probability",
                    bootstrap: int = 0, seed: int | None = None, progress: bool = True,
                    alpha: float = 0.05, source: str | None = None,
                    ) -> IncomeMobilityResult | ByGroup[IncomeMobilityResult]:
    """All income-mobility measures of parent–child pairs (see the module docstring):
    one :class:`IncomeMobilityResult`, or with ``by`` a :class:`~socmob.results.ByGroup`
    of them that names the groups it could not estimate and why.

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
        indices (:mod:`socmob.income.bootstrap`: one scan, ranks fixed); the same
        replicates for the same ``seed`` on every engine; a progress bar on stderr unless
        ``progress=False``.
    alpha:
        Every interval is at level ``1 − alpha`` (0.05: 95%).
    source:
        File name used in error messages.
    """
    _validate_options(quantiles=quantiles, zero_policy=zero_policy, floor=floor, se=se,
                      weight_kind=weight_kind, bootstrap=bootstrap, alpha=alpha,
                      parent_factor=parent_factor, child_factor=child_factor)
    spec = Spec(weighted=weight is not None,
                 quantiles=quantiles, within=within, zero_policy=zero_policy, floor=floor,
                 parent_factor=parent_factor, child_factor=child_factor, se=se,
                 weight_kind=weight_kind, alpha=alpha)
    prep, est, shift = _estimate(data, parent=parent, child=child, weight=weight, by=by,
                                 spec=spec, source=source)

    def assemble(g: str) -> IncomeMobilityResult:
        p = est.parts[g]
        label = group_label(prep, g)
        try:
            idx = _with_indices(p)
        except InputError as exc:
            if prep.grouped:
                raise
            raise InputError(f"cannot compute mobility indices: {exc.message}", file=source,
                             column=parent, expected=exc.expected) from exc
        return IncomeMobilityResult(
            nobs=p["nobs"], ige_fit=p["ige"], rank_fit=p["rank"], transition=p["transition"],
            quintiles=p["quintiles"], absolute=p["absolute"],
            indices=MobilityIndices(**{**idx.__dict__, "group": label}),
            n_missing=prep.n_missing if not prep.grouped else 0, group=label, alpha=alpha)

    results, not_estimated = per_group(prep, assemble, skip=est.not_estimated)
    if bootstrap > 0 and results:
        boot, buckets = bootstrap_replicates(prep, spec, shift, bootstrap, seed, progress,
                                             groups=tuple(results))
        results = {g: dataclasses.replace(r, bootstrap=BootstrapSummary(
                       replicates=boot[g], seed=seed, alpha=alpha, buckets=buckets))
                   for g, r in results.items()}
    return _answer(prep, results, not_estimated)


@coverage_keyword("level")
def ige(data: Any, *, parent: str, child: str, weight: str | None = None,
        by: str | None = None, zero_policy: ZeroPolicy = "drop", floor: float | None = None,
        se: SEType = "robust", weight_kind: WeightKind = "probability", alpha: float = 0.05,
        source: str | None = None) -> IGEResult | ByGroup[IGEResult]:
    """Intergenerational income elasticity (slope of log child on log parent income).

    ``zero_policy``: ``"drop"`` (count in :attr:`IGEResult.n_dropped`), ``"floor"`` (with
    ``floor``), or ``"ppml"`` (elasticity of the expectation by Poisson pseudo-ML). Returns
    one :class:`IGEResult`, or with ``by`` a :class:`~socmob.results.ByGroup` of them that
    names the groups it could not estimate and why.
    """
    _validate_options(quantiles=5, zero_policy=zero_policy, floor=floor, se=se,
                      weight_kind=weight_kind, bootstrap=0, alpha=alpha, parent_factor=1.0,
                      child_factor=1.0)
    spec = Spec(weighted=weight is not None,
                 zero_policy=zero_policy, floor=floor, se=se, weight_kind=weight_kind,
                 alpha=alpha, want=frozenset({"ige"}))
    prep = prepare(data, parent=parent, child=child, weight=weight, by=by, source=source,
                   extra=_shift_in_prepare(spec))
    if zero_policy == "ppml":
        fits, failed = fit_ppml(prep, spec)
        return _answer(prep, fits, {**prep.not_estimated, **failed})
    shift = shift_pass(prep, spec)
    t = prep.table
    frame = engine_sums(prep, t.group_by("_g").aggregate(
        n_rows=t.count(), sum_w=t._w.sum(), **_main_aggregates_ige(t, spec, shift)),
        "the moment sums")
    est = finish(prep, records(frame), {}, spec, shift, None)
    return _answer(prep, {g: p["ige"] for g, p in est.parts.items()}, est.not_estimated)


def _main_aggregates_ige(t: ir.Table, spec: Spec, shift: Mapping[str, Any]) -> dict[str, Any]:
    lx, ly, mask = log_parts(t, spec)
    return moment_sums(lx - shift["cx"], ly - shift["cy"], t._w * mask, "i", nobs=mask,
                       squares=spec.weighted)


def _single(want: str, data: Any, *, parent: str, child: str, weight: str | None,
            by: str | None, spec_kwargs: dict[str, Any], source: str | None,
            key: str) -> Any:
    spec = Spec(want=frozenset({want}), weighted=weight is not None, **spec_kwargs)
    prep, est, _ = _estimate(data, parent=parent, child=child, weight=weight, by=by,
                             spec=spec, source=source)
    return _answer(prep, {g: p[key] for g, p in est.parts.items()}, est.not_estimated)


@coverage_keyword("level")
def rank_rank(data: Any, *, parent: str, child: str, weight: str | None = None,
              by: str | None = None, within: bool = False, se: SEType = "robust",
              weight_kind: WeightKind = "probability", alpha: float = 0.05,
              source: str | None = None) -> RankRankResult | ByGroup[RankRankResult]:
    """Rank-rank regression: child percentile rank on parent percentile rank (0–100).

    ``result.expected_rank(p)`` is ``a + b·p`` with its standard error;
    ``result.absolute_upward_mobility`` is the value at p = 25.
    """
    _validate_options(quantiles=5, zero_policy="drop", floor=None, se=se,
                      weight_kind=weight_kind, bootstrap=0, alpha=alpha, parent_factor=1.0,
                      child_factor=1.0)
    return _single("rank", data, parent=parent, child=child, weight=weight, by=by,
                   spec_kwargs=dict(within=within, se=se, weight_kind=weight_kind,
                                    alpha=alpha), source=source, key="rank")


def transition_matrix(data: Any, *, parent: str, child: str, weight: str | None = None,
                      by: str | None = None, within: bool = False, quantiles: int = 5,
                      source: str | None = None
                      ) -> TransitionMatrix | ByGroup[TransitionMatrix]:
    """The k-quantile transition matrix of parent and child ranks (rows = parent).

    A parent quantile without members (a group whose parents all rank above the bottom
    quintile, or a tied mass that fills more than one quantile) has a row of NaN: a share
    of nobody is undefined. With ``by``, a :class:`~socmob.results.ByGroup`."""
    _validate_options(quantiles=quantiles, zero_policy="drop", floor=None, se="robust",
                      weight_kind="probability", bootstrap=0, alpha=0.05, parent_factor=1.0,
                      child_factor=1.0)
    return _single("transition", data, parent=parent, child=child, weight=weight, by=by,
                   spec_kwargs=dict(within=within, quantiles=quantiles), source=source,
                   key="transition")


@coverage_keyword("level")
def absolute_income_mobility(data: Any, *, parent: str, child: str,
                             weight: str | None = None, by: str | None = None,
                             parent_factor: float = 1.0, child_factor: float = 1.0,
                             weight_kind: WeightKind = "probability", alpha: float = 0.05,
                             source: str | None = None
                             ) -> AbsoluteIncomeMobility | ByGroup[AbsoluteIncomeMobility]:
    """Absolute income mobility: the weighted share of children with
    ``child_factor·child > parent_factor·parent``, with its linearisation SE and
    ``1 − alpha`` interval (see the module docstring). For the occupational rates of a
    mobility table see :func:`socmob.tables.absolute_mobility`."""
    _validate_options(quantiles=5, zero_policy="drop", floor=None, se="robust",
                      weight_kind=weight_kind, bootstrap=0, alpha=alpha,
                      parent_factor=parent_factor, child_factor=child_factor)
    spec = Spec(want=frozenset({"absolute"}), parent_factor=parent_factor,
                 child_factor=child_factor, weight_kind=weight_kind, alpha=alpha)
    prep = prepare(data, parent=parent, child=child, weight=weight, by=by, source=source)
    t = prep.table
    frame = engine_sums(prep, t.group_by("_g").aggregate(
        n_rows=t.count(), sum_w=t._w.sum(), **absolute_aggregates(t, spec)), "the sums of weights")
    rows = records(frame)
    out, failed = per_group(prep, lambda g: absolute_result(rows[g], spec, int(rows[g]["n_rows"]),
                                                            group_label(prep, g)))
    return _answer(prep, out, failed)



__all__ = [
    "ZERO_POLICIES",
    "ZeroPolicy",
    "absolute_income_mobility",
    "ige",
    "income_mobility",
    "rank_rank",
    "transition_matrix",
]

__getattr__ = renamed(__name__, {"absolute_mobility": "absolute_income_mobility"}, globals())
