"""Cross-tabulation of person-level data in the engine (Ibis → DuckDB or Spark)."""

from __future__ import annotations

from typing import Any

import numpy as np
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

    # Group by the keys as they are, missing values included, and drop the groups with
    # a missing key afterwards: one pass over the data, no filter.
    keys = [table[origin].name("origin"), table[destination].name("destination")]
    if layer is not None:
        keys.insert(0, table[layer].name("layer"))
    metrics: dict[str, Any]
    if weight is None:
        metrics = {"count": table.count()}
    else:
        w = table[weight]
        if not w.type().is_numeric():
            raise InputError(
                "weights are not numeric", column=weight, expected="non-negative numbers"
            )
        wf = w.cast("float64")
        # One extra aggregate only: Σw² over rows with w ≥ 0, and NaN for a row whose
        # weight is missing or negative, so that a missing, negative, NaN, infinite or
        # huge weight leaves Σw² NaN, infinite or above MAX². Only when that happens is
        # the data read again to say exactly what is wrong (and where).
        nan = ibis.literal(float("nan"), type="float64")
        metrics = {
            "count": wf.sum(),
            "count_sq": (wf >= 0).ifelse(wf * wf, nan).sum(),
        }
    expr = table.group_by(keys).aggregate(**metrics)
    cells = con.execute(expr) if con is not None else expr.execute()
    present = cells["origin"].notna() & cells["destination"].notna()
    if layer is not None:
        present &= cells["layer"].notna()
    cells = cells[present.to_numpy()].reset_index(drop=True)
    if len(cells) == 0:
        raise InputError(
            "no rows with both an origin and a destination",
            column=origin,
            expected="person-level rows with non-missing classes",
        )
    if weight is not None:
        square_sum = pd.to_numeric(cells["count_sq"]).astype("float64").to_numpy()
        with np.errstate(invalid="ignore"):
            suspect = ~(np.isfinite(square_sum) & (square_sum <= MAX_MAGNITUDE**2))
        if suspect.any():
            diagnosis = table.group_by(keys).aggregate(
                w_min=wf.min(),
                w_max=wf.max(),
                n_weight=w.count(),
                n_rows=table.count(),
                n_nan=wf.isnan().cast("int64").sum(),
            )
            found = con.execute(diagnosis) if con is not None else diagnosis.execute()
            keep = found["origin"].notna() & found["destination"].notna()
            if layer is not None:
                keep &= found["layer"].notna()
            _check_weights(found[keep.to_numpy()].reset_index(drop=True), weight,
                           layer is not None)
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
    if not out.duplicated(subset=["layer", "origin", "destination"]).any():
        return out, category_order
    merged = out.groupby(["layer", "origin", "destination"], as_index=False, sort=False)
    if weight is not None:
        return merged.agg(count=("count", "sum"), count_sq=("count_sq", "sum")), category_order
    return merged.agg(count=("count", "sum")), category_order


def _check_weights(cells: pd.DataFrame, weight: str, layered: bool) -> None:
    """Refuse missing, NaN, infinite, too large or negative weights, naming a cell that
    has one (``cells`` holds per-cell ``w_min, w_max, n_weight, n_rows, n_nan``); weights
    that are each fine but whose squares overflow when summed are refused too."""
    w_min = pd.to_numeric(cells["w_min"]).astype("float64").to_numpy()
    w_max = pd.to_numeric(cells["w_max"]).astype("float64").to_numpy()
    n_weight = pd.to_numeric(cells["n_weight"]).to_numpy()
    n_rows = pd.to_numeric(cells["n_rows"]).to_numpy()
    n_nan = pd.to_numeric(cells["n_nan"]).fillna(0).to_numpy()
    with np.errstate(invalid="ignore"):
        problems = [
            (n_weight < n_rows, "a missing weight",
             "a finite, non-negative weight on every row"),
            ((n_nan > 0) | np.isnan(w_min) | np.isnan(w_max), "a NaN weight",
             "a finite, non-negative weight on every row"),
            (np.isinf(w_min) | np.isinf(w_max), "an infinite weight",
             "a finite, non-negative weight on every row"),
            (np.maximum(np.abs(w_min), np.abs(w_max)) > MAX_MAGNITUDE,
             f"a weight above {MAX_MAGNITUDE:g}",
             "weights a double can hold when summed and squared"),
            (w_min < 0, "a negative weight", "non-negative weights"),
        ]
    for bad, what, expected in problems:
        hit = np.flatnonzero(bad)
        if len(hit):
            row = cells.iloc[int(hit[0])]
            where = f"origin {label_text(row['origin'])!r}, destination " \
                    f"{label_text(row['destination'])!r}"
            if layered:
                where += f", layer {label_text(row['layer'])!r}"
            raise InputError(
                f"{what} among the rows of cell ({where})"
                + (f" and {len(hit) - 1} other cell(s)" if len(hit) > 1 else ""),
                column=weight,
                expected=expected,
            )
    raise InputError(
        "the sum of squared weights overflows: the weights are too large",
        column=weight,
        expected="weights whose squares a double can hold when summed",
    )


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
