"""Cross-tabulation of person-level data in the engine (Ibis → DuckDB or Spark)."""

from __future__ import annotations

from typing import Any

import pandas as pd

from socmob.checks import MAX_MAGNITUDE
from socmob.errors import InputError
from socmob.tables._labels import UNLAYERED, label_text

_CELL_COLUMNS = ["layer", "origin", "destination", "count"]


def aggregate_cells(
    data: Any,
    *,
    origin: str,
    destination: str,
    weight: str | None,
    layer: str | None,
) -> tuple[pd.DataFrame, dict[str, list[str]]]:
    """Aggregate microdata to cells ``layer, origin, destination, count`` (labels as text).

    A pandas frame is registered in an in-memory DuckDB connection opened through
    :func:`socmob.engine.connect`; an Ibis table is aggregated on its own backend. Only
    the cells come back to Python. Also returns the category order of pandas categorical
    columns (keys ``origin``/``destination``/``layer``) to use as the default order.
    """
    import ibis
    import ibis.expr.types as ir

    from socmob.engine import connect

    category_order: dict[str, list[str]] = {}
    roles = {"origin": origin, "destination": destination}
    if layer is not None:
        roles["layer"] = layer
    con = None
    if isinstance(data, pd.DataFrame):
        _check_columns(list(map(str, data.columns)), roles, weight)
        frame = data[[c for c in dict.fromkeys([*roles.values(), *([weight] if weight else [])])]]
        converted = {}
        for key, col in roles.items():
            series = frame[col]
            if isinstance(series.dtype, pd.CategoricalDtype):
                category_order[key] = [label_text(v) for v in series.cat.categories]
                converted[col] = series.astype(object).where(series.notna(), None)
        if converted:
            frame = frame.assign(**converted)
        if weight is not None and not pd.api.types.is_numeric_dtype(frame[weight]):
            raise InputError(
                "weights are not numeric", column=weight, expected="non-negative numbers"
            )
        con = connect("duckdb")
        table: ir.Table = ibis.memtable(_to_arrow(frame, list(roles.values())))
    elif isinstance(data, ir.Table):
        table = data
        _check_columns(list(table.columns), roles, weight)
    else:
        raise InputError(
            f"microdata must be a pandas DataFrame or an Ibis table, got {type(data).__name__}"
        )

    keep = table[origin].notnull() & table[destination].notnull()
    if layer is not None:
        keep = keep & table[layer].notnull()
    kept = table.filter(keep)
    keys = [kept[origin].name("origin"), kept[destination].name("destination")]
    if layer is not None:
        keys.insert(0, kept[layer].name("layer"))
    metrics: dict[str, Any]
    if weight is None:
        metrics = {"count": kept.count()}
    else:
        w = kept[weight]
        if not w.type().is_numeric():
            raise InputError(
                "weights are not numeric", column=weight, expected="non-negative numbers"
            )
        bad = w.isnull()
        if w.type().is_floating():
            bad = bad | w.isnan() | w.isinf()
        metrics = {
            "count": w.cast("float64").sum(),
            "count_sq": (w.cast("float64") * w.cast("float64")).sum(),
            "n_bad_weight": bad.cast("int64").sum(),
            "n_negative_weight": (w < 0).cast("int64").sum(),
            "n_huge_weight": (w.abs() > MAX_MAGNITUDE).cast("int64").sum(),
        }
    expr = kept.group_by(keys).aggregate(**metrics)
    cells = con.execute(expr) if con is not None else expr.execute()
    if len(cells) == 0:
        raise InputError(
            "no rows with both an origin and a destination",
            column=origin,
            expected="person-level rows with non-missing classes",
        )
    if weight is not None:
        if cells["n_bad_weight"].sum() > 0:
            raise InputError(
                f"{int(cells['n_bad_weight'].sum())} row(s) have a missing or infinite weight",
                column=weight,
                expected="a finite, non-negative weight on every row",
            )
        if cells["n_huge_weight"].sum() > 0:
            raise InputError(
                f"{int(cells['n_huge_weight'].sum())} row(s) have a weight above "
                f"{MAX_MAGNITUDE:g}",
                column=weight,
                expected="weights a double can hold when summed and squared",
            )
        if cells["n_negative_weight"].sum() > 0:
            raise InputError(
                f"{int(cells['n_negative_weight'].sum())} row(s) have a negative weight",
                column=weight,
                expected="non-negative weights",
            )
    out = pd.DataFrame(
        {
            "layer": [label_text(v) for v in cells["layer"]]
            if layer is not None
            else [UNLAYERED] * len(cells),
            "origin": [label_text(v) for v in cells["origin"]],
            "destination": [label_text(v) for v in cells["destination"]],
            "count": pd.to_numeric(cells["count"]).astype("float64").fillna(0.0).to_numpy(),
        },
        columns=_CELL_COLUMNS,
    )
    # distinct raw values may share one text label (e.g. 1 and 1.0): merge them
    if weight is not None:
        out["count_sq"] = pd.to_numeric(cells["count_sq"]).astype("float64").fillna(0.0).to_numpy()
    merged = out.groupby(["layer", "origin", "destination"], as_index=False, sort=False)
    if weight is not None:
        return merged.agg(count=("count", "sum"), count_sq=("count_sq", "sum")), category_order
    return merged.agg(count=("count", "sum")), category_order


def _to_arrow(frame: pd.DataFrame, label_columns: list[str]) -> Any:
    """The frame as an Arrow table (much faster for DuckDB to scan than a pandas frame
    through Ibis); object columns mixing types become text labels."""
    import pyarrow as pa

    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        fixed = {
            col: frame[col].map(lambda v: None if pd.isna(v) else label_text(v)).astype(object)
            for col in label_columns
            if frame[col].dtype == object
        }
        return pa.Table.from_pandas(frame.assign(**fixed), preserve_index=False)


def _check_columns(columns: list[str], roles: dict[str, str], weight: str | None) -> None:
    from socmob._text import did_you_mean

    wanted = list(roles.values()) + ([weight] if weight else [])
    for col in wanted:
        if col not in columns:
            raise InputError(
                f"missing column {col!r}{did_you_mean(col, columns)}",
                column=col,
                expected="columns " + ", ".join(repr(c) for c in wanted),
            )
