"""Validation at the boundary and the standard working table of the income estimators.

Every estimator works on one Ibis table with four columns — ``_x`` (parent income),
``_y`` (child income), ``_w`` (weight, 1 when unweighted) and ``_g`` (group label as text;
the constant ``"all"`` without groups) — built by :func:`prepare`, which also checks the
input and says which column and what was expected when it is wrong.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd
import pyarrow as pa
from ibis.expr import types as ir

from socmob.checks import MAX_MAGNITUDE, finite
from socmob.errors import EngineError, InputError, SocmobError

ALL = "all"
"""Group label used when no ``by`` column is given."""

WeightKind = Literal["probability", "frequency"]
SEType = Literal["robust", "classic"]


def as_table(data: Any) -> ir.Table:
    """An Ibis table from an Ibis table, a pandas DataFrame or a pyarrow Table."""
    if isinstance(data, ir.Table):
        return data
    if isinstance(data, (pd.DataFrame, pa.Table)):
        return ibis.memtable(data)
    raise InputError(
        f"cannot use a {type(data).__name__} as data",
        expected="an Ibis table, a pandas DataFrame or a pyarrow Table",
    )


def execute(expr: ir.Expr) -> pd.DataFrame:
    """Run ``expr`` on its own backend (the shared DuckDB for in-memory tables)."""
    from ibis.common.exceptions import IbisError

    from socmob.engine import default_connection

    try:
        backend = expr._find_backend(use_default=False)
    except IbisError:
        backend = default_connection()
    try:
        result = backend.execute(expr)
    except Exception as exc:
        if type(exc).__module__.split(".")[0] in _ENGINE_MODULES:
            raise engine_error(exc) from exc
        raise
    if isinstance(result, pd.Series):
        return result.to_frame()
    if not isinstance(result, pd.DataFrame):
        return pd.DataFrame({"value": [result]})
    return result


_ENGINE_MODULES = {"duckdb", "_duckdb", "pyspark", "py4j"}


def execute_sums(expr: ir.Expr, *, what: str, column: str | None,
                 source: str | None) -> pd.DataFrame:
    """:func:`execute` an aggregation and refuse sums that overflowed: an infinite (or,
    from ``inf − inf``, NaN) sum becomes an :class:`InputError` naming ``column`` — never
    an ``inf`` in a published figure."""
    return refuse_overflow(execute(expr), what=what, column=column, source=source)


def refuse_overflow(frame: pd.DataFrame, *, what: str, column: str | None,
                    source: str | None) -> pd.DataFrame:
    """``frame`` if every number in it is finite, else the overflow error of
    :func:`execute_sums`."""
    numeric = frame.select_dtypes("number")
    if numeric.size and not np.isfinite(numeric.to_numpy(dtype="float64")).all():
        raise InputError(f"{what} overflow: the input values are too large", file=source,
                         column=column,
                         expected="values whose squares and sums a double can hold")
    return frame


def engine_error(exc: BaseException) -> SocmobError:
    """An engine's exception as a socmob error: a value the engine cannot convert while
    scanning a file (e.g. text deep in a numeric CSV column) becomes an
    :class:`InputError` naming the line and column; anything else an
    :class:`EngineError` with the engine's first line."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    line = re.search(r"CSV Error on Line: (\d+)", text)
    column = re.search(r'column "([^"]+)"', text)
    convert = re.search(r"Could not convert string (\S+) to '?(\w+)", text)
    if line or convert:
        what = (f"cannot read value {convert.group(1)} as {convert.group(2).lower()}"
                if convert else first)
        return InputError(what, row=int(line.group(1)) if line else None,
                          column=column.group(1) if column else None,
                          expected="the same type in every row of a column")
    return EngineError(f"the engine failed: {first}")


@dataclass(frozen=True)
class Prepared:
    """The checked working table and the facts learnt while checking it."""

    table: ir.Table
    parent: str
    child: str
    weight: str | None
    by: str | None
    source: str | None
    n_rows: int
    n_missing: int
    groups: tuple[str, ...]
    group_rows: Mapping[str, int]
    not_estimated: Mapping[str, str] = field(default_factory=dict)
    summary: pd.DataFrame | None = None
    """The validating scan's per-group aggregates (indexed by ``_g``), including those
    asked for with ``prepare(extra=...)``."""

    @property
    def grouped(self) -> bool:
        return self.by is not None

    @property
    def weighted(self) -> bool:
        return self.weight is not None


def _check_column(t: ir.Table, column: str, role: str, source: str | None) -> None:
    if column not in t.columns:
        shown = ", ".join(list(t.columns)[:12]) + (" …" if len(t.columns) > 12 else "")
        raise InputError(f"{role} column not found", file=source, column=column,
                         expected=f"one of the columns: {shown}")


def _check_numeric(t: ir.Table, column: str, role: str, source: str | None) -> None:
    dtype = t[column].type()
    if dtype.is_numeric() or dtype.is_boolean():
        return
    example = None
    if dtype.is_string():
        col = t[column]
        bad = t.filter(col.notnull() & col.strip().length().cast("int64").__gt__(0)
                       & col.try_cast("float64").isnull()).select(col).limit(1)
        found = execute(bad)
        if len(found):
            example = found.iloc[0, 0]
        else:
            raise InputError(
                f"{role} column holds numbers stored as text; convert it to a numeric "
                "type first",
                file=source, column=column, expected="a numeric column",
            )
    detail = f" such as {example!r}" if example is not None else f" (type {dtype})"
    raise InputError(f"{role} column has non-numeric values{detail}", file=source,
                     column=column, expected="numbers")


ROW_NOT_KNOWN = "row not known: the engine does not report it"


def nonfinite_aggregates(values: Mapping[str, ir.NumericValue]) -> dict[str, Any]:
    """Ibis reductions counting, per named value, the rows whose value is infinite or
    beyond :data:`socmob.checks.MAX_MAGNITUDE` in size (``_bad_<name>``) and the largest
    such magnitude (``_worst_<name>``). Missing values (NULL or NaN) are not counted:
    they are missing, not wrong."""
    out: dict[str, Any] = {}
    for name, v in values.items():
        # NaN is excluded explicitly: DuckDB and Spark order NaN above every number
        bad = v.notnull() & ~v.isnan() & (v.abs() > MAX_MAGNITUDE)
        out[f"_bad_{name}"] = ibis.ifelse(bad, 1, 0).sum()
        out[f"_worst_{name}"] = ibis.ifelse(bad, v.abs(), 0.0).max()
    return out


def raise_nonfinite(summary: pd.DataFrame, columns: Mapping[str, str], *,
                    source: str | None) -> None:
    """Raise :class:`InputError` for the first value of ``columns`` (``{name: column}``)
    that :func:`nonfinite_aggregates` found infinite or too large. The engine does not
    say in which row, and the message says so."""
    for name, column in columns.items():
        if f"_bad_{name}" not in summary:
            continue
        n_bad = int(summary[f"_bad_{name}"].fillna(0).sum())
        if n_bad:
            worst = float(summary[f"_worst_{name}"].max())
            what = "infinite" if math.isinf(worst) else f"too large ({worst:g})"
            raise InputError(
                f"{n_bad} {'value is' if n_bad == 1 else 'values are'} {what}; a number "
                f"beyond {MAX_MAGNITUDE:g} cannot be summed safely ({ROW_NOT_KNOWN})",
                file=source, column=column, expected="finite numbers")


def check_frame_finite(data: Any, roles: Mapping[str, str], *, source: str | None,
                       nonnegative: Collection[str] = ()) -> None:
    """For data held in memory (a pandas DataFrame or a pyarrow Table), refuse infinite
    or too large values (and negative weights, the columns in ``nonnegative``) naming the
    row that holds the first one (rows counted from 1); an Ibis table is checked by the
    engine instead (:func:`nonfinite_aggregates`), which cannot name the row."""
    if not isinstance(data, (pd.DataFrame, pa.Table)):
        return
    for column in roles:
        series = (data[column] if isinstance(data, pd.DataFrame)
                  else data.column(column).to_pandas())
        if not pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
            continue
        values = finite(series.to_numpy(dtype="float64", na_value=np.nan), name=column,
                        file=source, row_offset=1, allow_missing=True)
        if column in nonnegative:
            with np.errstate(invalid="ignore"):
                negative = np.flatnonzero(values < 0)
            if negative.size:
                i = int(negative[0])
                raise InputError(f"negative weight {values[i]:g}", file=source, row=i + 1,
                                 column=column, expected="weights ≥ 0")


def prepare(data: Any, *, parent: str, child: str, weight: str | None = None,
            by: str | None = None, source: str | None = None,
            min_rows: int = 3, extra: Callable[[ir.Table, Any], dict[str, Any]] | None = None
            ) -> Prepared:
    """Check the input and build the working table (``_x, _y, _w, _g``).

    Rows with a missing parent income, child income, weight or group are dropped and
    counted (``n_missing``). Errors (:class:`~socmob.errors.InputError`, naming the file
    and column): a column that does not exist or is not numeric, an income or weight that
    is infinite or beyond :data:`socmob.checks.MAX_MAGNITUDE` (the row is named for data
    in memory; the engine cannot say which row), a negative weight, no usable rows, or
    fewer than ``min_rows`` usable rows or zero total weight. With ``by``,
    a group with too few rows or zero weight is not an error: it is left out of
    :attr:`Prepared.groups` and named with the reason in :attr:`Prepared.not_estimated`
    (its rows stay in the table, so they still count in national ranks); only when no
    group is left is it an error.

    ``extra(work, ok)`` may add per-group reductions to the validating scan (over the
    working table ``_x, _y, _w, _g``, counting only rows where ``ok`` holds); they are in
    :attr:`Prepared.summary`, saving an estimator a scan of its own.
    """
    t = as_table(data)
    roles = [(parent, "parent income"), (child, "child income")]
    if weight is not None:
        roles.append((weight, "weight"))
    for column, role in roles:
        _check_column(t, column, role, source)
    if by is not None:
        _check_column(t, by, "group", source)
    for column, role in roles:
        _check_numeric(t, column, role, source)
    check_frame_finite(data, {c: r for c, r in roles}, source=source,
                       nonnegative={weight} if weight is not None else set())

    x = t[parent].cast("float64")
    y = t[child].cast("float64")
    w = t[weight].cast("float64") if weight is not None else ibis.literal(1.0)
    g = t[by].cast("string") if by is not None else ibis.literal(ALL)
    work = t.select(_x=x, _y=y, _w=w, _g=g)
    ok = (work._x.notnull() & work._y.notnull() & work._w.notnull() & work._g.notnull()
          & ~work._x.isnan() & ~work._y.isnan() & ~work._w.isnan())
    okf = ibis.ifelse(ok, 1, 0)
    values = {"x": work._x, "y": work._y} | ({"w": work._w} if weight is not None else {})
    summary = execute(work.group_by("_g").aggregate(
        n=work.count(),
        n_ok=okf.sum(),
        w_ok=ibis.ifelse(ok, work._w, 0.0).sum(),
        w_min=work._w.min(),
        n_w_neg=ibis.ifelse(work._w < 0, 1, 0).sum(),
        **nonfinite_aggregates(values),
        **(extra(work, ok) if extra is not None else {}),
    ))
    n_rows = int(summary["n"].sum())
    n_ok_total = int(summary["n_ok"].sum())
    if n_rows == 0:
        raise InputError("no rows", file=source, expected="at least one data row")
    raise_nonfinite(summary, {"x": parent, "y": child, "w": weight or ""}, source=source)
    if weight is not None and int(summary["n_w_neg"].sum()) > 0:
        n_neg = int(summary["n_w_neg"].sum())
        raise InputError(
            f"negative weight: {n_neg} {'weight is' if n_neg == 1 else 'weights are'} below "
            f"zero (e.g. {float(summary['w_min'].min()):g}; {ROW_NOT_KNOWN})",
            file=source, column=weight, expected="weights ≥ 0")
    if n_ok_total == 0:
        raise InputError(
            "no usable rows: every row lacks a parent income, child income"
            + (", weight" if weight else "") + (" or group" if by else ""),
            file=source, column=parent,
        )
    summary = summary[summary["_g"].notna()]
    group_rows: dict[str, int] = {}
    not_estimated: dict[str, str] = {}
    summary = summary.sort_values("_g")
    for label_value, n_ok_value, w_ok in zip(summary["_g"], summary["n_ok"], summary["w_ok"],
                                             strict=True):
        label = str(label_value)
        n_ok = int(n_ok_value)
        reason: str | None = None
        bad_column: str | None = None
        expected = ""
        if n_ok < min_rows:
            reason = (f"{n_ok} usable row{'s' if n_ok != 1 else ''}; at least {min_rows} "
                      "are needed")
            bad_column = by or parent
            expected = "non-empty groups with parent and child incomes"
        elif float(w_ok) <= 0:
            reason, bad_column = "zero total weight", weight or by
            expected = "a positive total weight"
        if reason is None:
            group_rows[label] = n_ok
        elif by is None:
            raise InputError(f"the data has {reason}", file=source, column=bad_column,
                             expected=expected)
        else:
            not_estimated[label] = reason
    if not group_rows:
        assert by is not None
        raise InputError(no_group_message(by, not_estimated), file=source, column=by,
                         expected="at least one group with enough usable rows")
    return Prepared(
        table=work.filter(ok),
        parent=parent,
        child=child,
        weight=weight,
        by=by,
        source=source,
        n_rows=n_rows,
        n_missing=n_rows - n_ok_total,
        groups=tuple(group_rows),
        group_rows=group_rows,
        not_estimated=not_estimated,
        summary=summary.set_index("_g"),
    )


def no_group_message(by: str, not_estimated: Mapping[str, str]) -> str:
    """One line saying that no group of ``by`` could be estimated, and why."""
    reasons = "; ".join(f"{g!r}: {why}" for g, why in not_estimated.items())
    return f"no group of column {by!r} could be estimated ({reasons})"
