"""The query plan of the income estimators: what the engine aggregates, and how the
aggregated sums become results.

One estimation reads the data twice: the scan that validates it
(:func:`socmob.income._data.prepare`), which also computes :func:`shift_aggregates` — the
national weighted mean log incomes, the shift that keeps the IGE moment sums well
conditioned — and :func:`run_main`, one aggregation over the ranked rows (:func:`ranked`,
:func:`binned`) that yields the sums behind every estimate, grouped by the transition
cells. Python only turns sums into estimates (:func:`finish`), group by group, naming the
groups it cannot estimate (:func:`per_group`).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd
from ibis.expr import types as ir

from socmob.errors import InputError
from socmob.income._data import ALL, Prepared, execute_sums, refuse_overflow
from socmob.income.ranks import add_ranks, add_unweighted_ranks
from socmob.income.regression import fit_line, moment_sums, moments_from_row
from socmob.income.results import (
    AbsoluteIncomeMobility,
    IGEResult,
    RankRankResult,
    TransitionMatrix,
)

TINY = 1e-300
"""Floor applied before taking logs of rows the zero policy masks out (never used)."""


@dataclass(frozen=True)
class Spec:
    """What one estimation pass computes."""

    quantiles: int = 5
    within: bool = False
    zero_policy: str = "drop"
    floor: float | None = None
    parent_factor: float = 1.0
    child_factor: float = 1.0
    se: str = "robust"
    weight_kind: str = "probability"
    alpha: float = 0.05
    weighted: bool = True
    want: frozenset[str] = field(default_factory=lambda: frozenset(
        {"rank", "ige", "transition", "absolute"}))


def log_parts(t: ir.Table, spec: Spec) -> tuple[Any, Any, Any]:
    """(log x, log y, mask) under the zero policy (OLS policies only)."""
    if spec.zero_policy == "floor":
        assert spec.floor is not None
        f = ibis.literal(float(spec.floor))
        return (ibis.greatest(t._x, f).ln(), ibis.greatest(t._y, f).ln(),
                ibis.ifelse(t._x.notnull(), 1.0, 0.0))
    mask = ibis.ifelse((t._x > 0) & (t._y > 0), 1.0, 0.0)
    tiny = ibis.literal(TINY)
    return ibis.greatest(t._x, tiny).ln(), ibis.greatest(t._y, tiny).ln(), mask


def shift_aggregates(t: ir.Table, spec: Spec, ok: Any = True) -> dict[str, Any]:
    """Per-group reductions behind the moment shift (the weighted sums of the log incomes
    the zero policy keeps) and the counts of zero/negative incomes, over the rows where
    ``ok`` holds. :func:`~socmob.income._data.prepare` can compute them in its own scan
    (``extra=``), so that the shift costs no pass of its own."""
    lx, ly, mask = log_parts(t, spec)
    keep = ibis.literal(True) if ok is True else ok
    wm = ibis.ifelse(keep, t._w * mask, 0.0)
    aggs: dict[str, Any] = {
        "sw": wm.sum(), "sx": ibis.ifelse(keep, wm * lx, 0.0).sum(),
        "sy": ibis.ifelse(keep, wm * ly, 0.0).sum(),
        "n_used": ibis.ifelse(keep, mask, 0.0).sum(),
        "n_x_nonpos": ibis.ifelse(keep & (t._x <= 0), 1, 0).sum(),
        "n_y_nonpos": ibis.ifelse(keep & (t._y <= 0), 1, 0).sum(),
    }
    if spec.zero_policy == "floor":
        assert spec.floor is not None
        aggs["n_floored"] = ibis.ifelse(keep & ((t._x < spec.floor) | (t._y < spec.floor)),
                                        1, 0).sum()
    return aggs


def shift_pass(prep: Prepared, spec: Spec) -> dict[str, Any]:
    """The national weighted mean of log incomes (the moment shift) and counts of
    zero/negative incomes per group — from the validating scan when it computed them
    (:func:`shift_aggregates`), else by a scan of its own."""
    if prep.summary is not None and "sx" in prep.summary:
        per_group = refuse_overflow(prep.summary, what="the sums of log incomes",
                                    column=prep.weight or prep.child, source=prep.source)
    else:
        t = prep.table
        per_group = engine_sums(prep, t.group_by("_g").aggregate(**shift_aggregates(t, spec)),
                                "the sums of log incomes").set_index("_g")
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


def ranked(prep: Prepared, table: ir.Table, spec: Spec, *, unit_weights: bool,
           row_id: str | None = None) -> ir.Table:
    """The working table with the parent and child mid-ranks ``_rx``, ``_ry`` (national,
    or within groups with ``spec.within``). With ``unit_weights`` (no weight column)
    they come from the engine's ranking functions over one sort per column. Constant
    columns (the unit weight; the group label without ``by``) are left out of the rows
    the engine sorts and put back after.

    ``row_id`` also numbers the rows from 0 in a deterministic order — child income,
    parent income, weight, group, so rows that tie on all of them are interchangeable —
    the same on every engine whatever order it read the file in (the bootstrap hashes
    it); when it can, in the same sort as the child ranks.
    """
    part = "_g" if spec.within and prep.grouped else None
    constants = {"_g": ibis.literal(ALL)} if not prep.grouped else {}
    if unit_weights:
        constants["_w"] = ibis.literal(1.0)
    rows = table.drop(*constants) if constants else table
    ties = [c for c in ("_x", "_w", "_g") if c not in constants]
    numbered_with_ranks = row_id is not None and unit_weights and part is None
    if unit_weights:
        rt = add_unweighted_ranks(rows, {"_x": "_rx", "_y": "_ry"}, partition=part,
                                  n=prep.n_rows - prep.n_missing,
                                  row_number=(row_id, ties) if numbered_with_ranks
                                  and row_id is not None else None)
    else:
        rt = add_ranks(rows, {"_x": "_rx", "_y": "_ry"}, "_w", partition=part)
    if row_id is not None and not numbered_with_ranks:
        order = [rt._y, *(rt[c] for c in ties)]
        rt = rt.mutate(**{row_id: ibis.row_number().over(order_by=order).cast("int64")})
    return rt.mutate(**constants) if constants else rt


def _bin(rank: Any, k: int) -> Any:
    return (rank * (k / 100.0)).floor().cast("int64").clip(upper=k - 1)


def bin_columns(ks: list[int]) -> list[str]:
    """The names of the parent and child quantile columns for each k of ``ks``."""
    return [name for k in ks for name in (f"_qx{k}", f"_qy{k}")]


def binned(rt: ir.Table, spec: Spec) -> tuple[ir.Table, list[int]]:
    """The ranked table with the parent and child quantile (0-based) of every k the
    transition matrices need (``spec.quantiles`` and 5, for P(Q5|Q1)), and those k."""
    if "transition" not in spec.want:
        return rt, []
    ks = sorted({spec.quantiles, 5})
    bins: dict[str, Any] = {}
    for k in ks:
        bins[f"_qx{k}"] = _bin(rt._rx, k)
        bins[f"_qy{k}"] = _bin(rt._ry, k)
    return rt.mutate(**bins), ks


def _main_aggregates(rt: ir.Table, spec: Spec, shift: Mapping[str, Any] | None
                     ) -> dict[str, Any]:
    aggs: dict[str, Any] = {"n_rows": rt.count(), "sum_w": rt._w.sum()}
    if "rank" in spec.want:
        aggs.update(moment_sums(rt._rx - 50.0, rt._ry - 50.0, rt._w, "r",
                                squares=spec.weighted))
    if "ige" in spec.want and spec.zero_policy != "ppml":
        assert shift is not None
        lx, ly, mask = log_parts(rt, spec)
        aggs.update(moment_sums(lx - shift["cx"], ly - shift["cy"], rt._w * mask, "i",
                                nobs=mask, squares=spec.weighted))
    if "absolute" in spec.want:
        aggs.update(absolute_aggregates(rt, spec))
    return aggs


Cells = Mapping[str, Mapping[int, np.ndarray]]


def cells_from(frame: pd.DataFrame, ks: list[int]) -> dict[str, dict[int, np.ndarray]]:
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


def transition_result(cells: np.ndarray, k: int, nobs: int, group: str | None) -> TransitionMatrix:
    with np.errstate(invalid="ignore", divide="ignore"):
        matrix = cells / cells.sum(axis=1, keepdims=True)
    return TransitionMatrix(matrix=matrix, cell_weights=cells, k=k, nobs=nobs, group=group)


def absolute_result(row: Mapping[str, Any], spec: Spec, nobs: int,
                    group: str | None) -> AbsoluteIncomeMobility:
    sw = float(row["sum_w"])
    a_s, a_t, a_tw = float(row["a_s"]), float(row["a_t"]), float(row["a_tw"])
    p = a_s / sw
    if spec.weight_kind == "probability":
        var = (a_t * (1 - 2 * p) + p * p * a_tw) / (sw * sw)
    else:
        var = p * (1 - p) / sw
    return AbsoluteIncomeMobility(share=p, se=math.sqrt(max(var, 0.0)), nobs=nobs,
                                  parent_factor=spec.parent_factor,
                                  child_factor=spec.child_factor, alpha=spec.alpha,
                                  group=group)


def records(frame: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Aggregated rows keyed by their ``_g`` label."""
    out: dict[str, dict[str, Any]] = {}
    for record in frame.to_dict(orient="records"):
        row = {str(k): v for k, v in record.items()}
        out[str(row["_g"])] = row
    return out


def engine_sums(prep: Prepared, expr: ir.Expr, what: str) -> pd.DataFrame:
    """Run an aggregation of the working table; an overflowing sum is an
    :class:`~socmob.errors.InputError` naming the weight (whose squares the variances
    sum) or, unweighted, the child income."""
    return execute_sums(expr, what=what, column=prep.weight or prep.child, source=prep.source)


def group_label(prep: Prepared, g: str) -> str | None:
    return g if prep.grouped else None


def run_main(prep: Prepared, table: ir.Table, spec: Spec, shift: Mapping[str, Any] | None,
             *, unit_weights: bool | None = None
             ) -> tuple[dict[str, Mapping[str, Any]], Cells]:
    """The one aggregation over the ranked data. With transitions it groups by (group,
    parent bin, child bin) — at most (k + 5)² cells per group — and the moment sums of the
    cells are added up here, so the matrix costs one hash group-by, not k² sums."""
    rt = ranked(prep, table, spec,
                unit_weights=not spec.weighted if unit_weights is None else unit_weights)
    rt, ks = binned(rt, spec)
    keys = ["_g", *bin_columns(ks)]
    frame = engine_sums(prep, rt.group_by(keys).aggregate(**_main_aggregates(rt, spec, shift)),
                        "the moment sums")
    value_cols = [c for c in frame.columns if c not in keys]
    with np.errstate(over="ignore"):
        totals = frame.groupby("_g", sort=True)[value_cols].sum(min_count=1).reset_index()
    refuse_overflow(totals, what="the moment sums", column=prep.weight or prep.child,
                    source=prep.source)
    rows: dict[str, Mapping[str, Any]] = dict(records(totals))
    return rows, (cells_from(frame, ks) if ks else {})



@dataclass(frozen=True)
class Estimates:
    """The assembled parts of every group that could be estimated (``parts[g]`` maps
    ``"nobs"``, ``"rank"``, ``"ige"``, ``"transition"``, ``"quintiles"``, ``"absolute"``
    to results) and the reason for every group that could not."""

    parts: dict[str, dict[str, Any]]
    not_estimated: dict[str, str]


def per_group(prep: Prepared, attempt: Any, *, skip: Mapping[str, str] | None = None
              ) -> tuple[dict[str, Any], dict[str, str]]:
    """Run ``attempt(g)`` for every group of ``prep`` not in ``skip``. Without ``by`` an
    :class:`InputError` propagates; with ``by`` it marks only that group as not
    estimated, with the error's message as the reason (groups already not estimated by
    :func:`~socmob.income._data.prepare`, or in ``skip``, keep theirs)."""
    done: dict[str, Any] = {}
    failed: dict[str, str] = {**prep.not_estimated, **(skip or {})}
    for g in prep.groups:
        if g in failed:
            continue
        try:
            done[g] = attempt(g)
        except InputError as exc:
            if not prep.grouped:
                raise
            failed[g] = exc.message
    return done, dict(sorted(failed.items()))


def finish(prep: Prepared, rows: Mapping[str, Mapping[str, Any]],
           cells: Cells, spec: Spec, shift: Mapping[str, Any] | None,
           ppml: Mapping[str, IGEResult] | None,
           skip: Mapping[str, str] | None = None) -> Estimates:
    """Turn the aggregated sums into results, group by group (groups in ``skip`` were
    already found not estimable, e.g. by the Poisson fit)."""

    def assemble(g: str) -> dict[str, Any]:
        return _assemble(prep, g, rows[g], cells, spec, shift, ppml)

    done, failed = per_group(prep, assemble, skip=skip)
    return Estimates(parts=done, not_estimated=failed)


def _assemble(prep: Prepared, g: str, row: Mapping[str, Any], cells: Cells, spec: Spec,
              shift: Mapping[str, Any] | None,
              ppml: Mapping[str, IGEResult] | None) -> dict[str, Any]:
    label = group_label(prep, g)
    nobs = int(row["n_rows"])
    parts: dict[str, Any] = {"nobs": nobs}
    if "rank" in spec.want:
        S, T, n = moments_from_row(row, "r")
        parts["rank"] = RankRankResult(**fit_line(
            S, T, n, shift_x=50.0, shift_y=50.0, se=spec.se,
            weight_kind=spec.weight_kind, alpha=spec.alpha, what="parent rank",
            column=prep.parent, source=prep.source,
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
                    f"{int(n)} row{'s' if int(n) != 1 else ''} with both incomes positive, "
                    "too few for the log-income IGE",
                    file=prep.source, column=prep.parent,
                    expected="at least 3 (or zero_policy='floor' / 'ppml')")
            gs = shift["groups"].loc[g] if g in shift["groups"].index else None
            n_dropped = prep.group_rows[g] - int(n) if spec.zero_policy == "drop" else 0
            n_floored = int(gs["n_floored"]) if (gs is not None and "n_floored" in gs) else 0
            parts["ige"] = IGEResult(**fit_line(
                S, T, n, shift_x=shift["cx"], shift_y=shift["cy"], se=spec.se,
                weight_kind=spec.weight_kind, alpha=spec.alpha,
                what="log parent income", column=prep.parent, source=prep.source,
                group=label, measure="ige", unit="elasticity",
                zero_policy=spec.zero_policy, floor=spec.floor, n_dropped=n_dropped,
                n_floored=n_floored, method="ols"))
    if "transition" in spec.want:
        parts["transition"] = transition_result(cells[g][spec.quantiles], spec.quantiles,
                                                nobs, label)
        parts["quintiles"] = (parts["transition"] if spec.quantiles == 5 else
                              transition_result(cells[g][5], 5, nobs, label))
    if "absolute" in spec.want:
        parts["absolute"] = absolute_result(row, spec, nobs, label)
    _check_finite(prep, parts)
    return parts


def _check_finite(prep: Prepared, parts: Mapping[str, Any]) -> None:
    """Finite sums can still give an infinite estimate or standard error (a product of
    two huge sums): refuse it rather than publish ``inf``."""
    values: list[float] = []
    for key in ("rank", "ige"):
        if key in parts:
            values += [*parts[key].params, *parts[key].bse]
    if "absolute" in parts:
        values += [parts["absolute"].share, parts["absolute"].se]
    if not np.isfinite(np.asarray(values, dtype="float64")).all():
        raise InputError("the estimates overflow: the input values are too large",
                         file=prep.source, column=prep.weight or prep.child,
                         expected="values whose squares and sums a double can hold")


def absolute_aggregates(t: ir.Table, spec: Spec) -> dict[str, Any]:
    d = ibis.ifelse(t._y * spec.child_factor > t._x * spec.parent_factor, 1.0, 0.0)
    return {"a_s": (t._w * d).sum(), "a_t": (t._w * t._w * d).sum(),
            "a_tw": (t._w * t._w).sum()}


