"""From long frames and aggregated cells to the parts of a mobility table.

The builders validate the input (naming file, row and column), decide each axis's
categories and order, and fill the count array. They return :class:`TableParts`, the
constructor arguments of :class:`~socmob.tables.table.MobilityTable`, so that this module
never imports the table class (the table imports it).

**Rows and columns keep their own categories.** Origin (rows) and destination (columns)
each have their own category set and order. They are made the same set — *squared*, as a
mobility table needs, with a class empty on one side kept as a row or column of zeros —
only when declared the same classes: ``square=True``, one ``order`` list for both axes,
or (microdata) pandas categoricals with the same categories on both sides. A table
whose row and column categories already are the same set is square as it stands; its
columns then follow the row order (unless ordered on their own), so that the diagonal
lines up. Overlapping but different sets (eye colour × hair colour sharing "medium" and
"dark") are never merged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import did_you_mean
from socmob.checks import MAX_MAGNITUDE
from socmob.errors import InputError
from socmob.tables._labels import UNLAYERED, AxisOrders, is_missing_label, label_text, sort_key


@dataclass(frozen=True)
class TableParts:
    """The constructor arguments of a ``MobilityTable``."""

    counts: np.ndarray
    origin_labels: tuple[str, ...]
    destination_labels: tuple[str, ...]
    layer_labels: tuple[str, ...]
    structural_zeros: np.ndarray | None
    origin_name: str
    destination_name: str
    layer_name: str | None
    squared_weights: np.ndarray | None = None

    def kwargs(self) -> dict[str, Any]:
        """The parts as keyword arguments."""
        return {
            "counts": self.counts,
            "origin_labels": self.origin_labels,
            "destination_labels": self.destination_labels,
            "layer_labels": self.layer_labels,
            "structural_zeros": self.structural_zeros,
            "origin_name": self.origin_name,
            "destination_name": self.destination_name,
            "layer_name": self.layer_name,
            "squared_weights": self.squared_weights,
        }


# --------------------------------------------------------------------------- axes


def resolve_axes(
    found: dict[str, list[str]],
    orders: AxisOrders,
    *,
    union_key: Callable[[str], Any] | None = None,
) -> dict[str, list[str]]:
    """Final category lists of the three axes (keys ``origin``, ``destination``,
    ``layer``) from the categories ``found`` (in their default order) and the orders
    asked for (see the module docstring for the rule). ``union_key`` sorts the union of
    origin and destination categories of a squared table with no order given (microdata);
    without it the union keeps origin categories first, then destination-only ones."""
    rows_found, cols_found = found["origin"], found["destination"]
    if orders.square:
        if orders.row is not None and orders.col is not None and orders.row != orders.col:
            raise InputError(
                "a square table needs one order for origin and destination, but different "
                "origin and destination orders are given",
                expected="the same classes in the same order (or square=False)",
            )
        base = orders.row or orders.col
        if base is None:
            seen = set(rows_found)
            base = list(rows_found) + [c for c in cols_found if c not in seen]
            if union_key is not None:
                base = sorted(base, key=union_key)
        rows, cols = list(base), list(base)
    else:
        rows = list(orders.row or rows_found)
        cols = list(orders.col or cols_found)
        if set(rows) == set(cols):
            if orders.col is None:
                cols = list(rows)
            elif orders.row is None:
                rows = list(cols)
    return {"origin": rows, "destination": cols, "layer": list(orders.layer or found["layer"])}


def check_orders(
    labels: dict[str, list[str]],
    found: dict[str, list[str]],
    orders: AxisOrders,
    *,
    columns: dict[str, str],
    source: str | None,
    first_rows: dict[str, pd.Series] | None,
    allow_absent: bool,
) -> None:
    """Every category found must be in its axis's order, and (unless ``allow_absent``)
    every category of an explicit order must occur: in a long table an order entry that
    never occurs is almost always a typo. In a squared table an ordered class may occur
    on one side only."""
    explicit = {
        "origin": orders.row is not None or (orders.square and orders.col is not None),
        "destination": orders.col is not None or (orders.square and orders.row is not None),
        "layer": orders.layer is not None,
    }
    for key in ("origin", "destination", "layer"):
        if not explicit[key]:
            continue
        present = found[key]
        if orders.square and key != "layer":
            present = list(dict.fromkeys(found["origin"] + found["destination"]))
        if not allow_absent:
            _every_ordered_occurs(labels[key], present, key, columns[key], source)
        allowed = set(labels[key])
        for lab in found[key]:
            if lab not in allowed:
                row = None
                if first_rows is not None:
                    row = int(first_rows[key][lab])
                raise InputError(
                    f"category {lab!r} is not in the given {key} order",
                    file=source,
                    row=row,
                    column=columns[key],
                    expected="one of " + ", ".join(repr(v) for v in labels[key]),
                )


def _every_ordered_occurs(
    ordered: list[str], present: list[str], key: str, column: str, source: str | None
) -> None:
    seen = set(present)
    for lab in ordered:
        if lab not in seen:
            raise InputError(
                f"unknown category {lab!r} in the {key} order: it does not occur in the data"
                + did_you_mean(lab, present),
                file=source,
                column=column,
                expected="categories from " + ", ".join(repr(v) for v in present),
            )


def fill(
    cells: pd.DataFrame,
    labels: dict[str, list[str]],
    structural_zeros: np.ndarray | None,
    origin_name: str,
    destination_name: str,
    layer_name: str | None,
) -> TableParts:
    """Scatter aggregated cells (``layer, origin, destination, count[, count_sq]``) into
    the count array of the given categories."""
    index = {key: {lab: n for n, lab in enumerate(labels[key])} for key in labels}
    counts = np.zeros((len(labels["layer"]), len(labels["origin"]), len(labels["destination"])))
    k = cells["layer"].map(index["layer"]).to_numpy(dtype=np.int64)
    i = cells["origin"].map(index["origin"]).to_numpy(dtype=np.int64)
    j = cells["destination"].map(index["destination"]).to_numpy(dtype=np.int64)
    np.add.at(counts, (k, i, j), cells["count"].to_numpy(dtype=np.float64))
    squared = None
    if "count_sq" in cells.columns:
        squared = np.zeros_like(counts)
        np.add.at(squared, (k, i, j), cells["count_sq"].to_numpy(dtype=np.float64))
    return TableParts(
        counts=counts,
        origin_labels=tuple(labels["origin"]),
        destination_labels=tuple(labels["destination"]),
        layer_labels=tuple(labels["layer"]),
        structural_zeros=structural_zeros,
        origin_name=origin_name,
        destination_name=destination_name,
        layer_name=layer_name,
        squared_weights=squared,
    )


# --------------------------------------------------------------------------- microdata


def parts_from_cells(
    cells: pd.DataFrame,
    *,
    orders: AxisOrders,
    structural_zeros: np.ndarray | None,
    origin_name: str,
    destination_name: str,
    layer_name: str | None,
    category_order: dict[str, list[str]] | None = None,
) -> TableParts:
    """Table parts from cells aggregated from microdata (labels already text, no
    duplicates). Without an order, categories follow the pandas categorical order of
    their column, else natural sort order (numbers numerically); categoricals with the
    same categories on both sides declare the same classes (a square table). Ordered
    categories that never occur give zero rows and columns."""
    preset = category_order or {}
    if (
        not orders.square
        and orders.row is None
        and orders.col is None
        and preset.get("origin") is not None
        and preset.get("origin") == preset.get("destination")
    ):
        orders = AxisOrders(None, None, orders.layer, True)
    found: dict[str, list[str]] = {}
    keys: dict[str, Any] = {}
    for key in ("origin", "destination", "layer"):
        keys[key] = sort_key(preset.get(key))
        found[key] = sorted(pd.unique(cells[key]).tolist(), key=keys[key])
    labels = resolve_axes(found, orders, union_key=keys["origin"])
    columns = {"origin": origin_name, "destination": destination_name,
               "layer": layer_name or "layer"}
    check_orders(labels, found, orders, columns=columns, source=None, first_rows=None,
                 allow_absent=True)
    return fill(cells, labels, structural_zeros, origin_name, destination_name, layer_name)


# --------------------------------------------------------------------------- long frames


def parts_from_long(
    frame: pd.DataFrame,
    *,
    origin: str,
    destination: str,
    count: str,
    layer: str | None,
    orders: AxisOrders,
    structural_zeros: np.ndarray | None,
    source: str | None,
    structural_zero: str | None = None,
) -> TableParts:
    """Table parts from a long frame with one row per cell (see
    :meth:`MobilityTable.from_long`)."""
    if not isinstance(frame, pd.DataFrame):
        raise InputError(f"expected a pandas DataFrame, got {type(frame).__name__}", file=source)
    columns = [origin, destination, count] + ([layer] if layer is not None else [])
    if structural_zero is not None:
        columns.append(structural_zero)
    for col in columns:
        if col not in frame.columns:
            raise InputError(
                f"missing column {col!r}"
                + did_you_mean(str(col), [str(c) for c in frame.columns]),
                file=source,
                column=col,
                expected="columns " + ", ".join(repr(str(c)) for c in columns),
            )
    if len(frame) == 0:
        raise InputError("the table has no rows", file=source, expected="one row per cell")
    row_numbers = np.arange(len(frame)) + 2  # header is spreadsheet row 1

    def labels_of(col: str) -> pd.Series:
        out = []
        for n, value in enumerate(frame[col].tolist()):
            if is_missing_label(value):
                raise InputError(
                    "missing category label",
                    file=source,
                    row=int(row_numbers[n]),
                    column=col,
                    expected="a category label",
                )
            out.append(label_text(value))
        return pd.Series(out, dtype=object)

    o = labels_of(origin)
    d = labels_of(destination)
    g = labels_of(layer) if layer is not None else pd.Series([UNLAYERED] * len(frame), dtype=object)
    numeric = _counts_column(frame[count], count, source, row_numbers)

    cells = pd.DataFrame({"layer": g, "origin": o, "destination": d, "count": numeric})
    _no_duplicate_cells(cells, layer is not None, source, row_numbers)

    found = {
        "origin": pd.unique(o).tolist(),
        "destination": pd.unique(d).tolist(),
        "layer": pd.unique(g).tolist(),
    }
    first_rows = {
        key: pd.Series(row_numbers, dtype=np.int64).groupby(series.to_numpy()).min()
        for key, series in (("origin", o), ("destination", d), ("layer", g))
    }
    column_of = {"origin": origin, "destination": destination, "layer": layer or "layer"}
    labels = resolve_axes(found, orders)
    check_orders(labels, found, orders, columns=column_of, source=source,
                 first_rows=first_rows, allow_absent=False)
    if layer is not None and len(found["layer"]) > 1:
        _same_categories_in_every_layer(
            {"origin": o, "destination": d}, g, found["layer"], labels, orders, column_of,
            source,
        )
    if structural_zero is not None:
        if structural_zeros is not None:
            raise InputError(
                "structural zeros given twice (a mask and a flag column)",
                column=structural_zero,
                expected="one of structural_zeros= or structural_zero=",
            )
        structural_zeros = _flag_mask(
            frame[structural_zero], o, d, numeric, labels, row_numbers, structural_zero, source
        )
    return fill(cells, labels, structural_zeros, origin, destination, layer)


def _counts_column(
    raw: pd.Series, column: str, source: str | None, row_numbers: np.ndarray
) -> np.ndarray:
    """The count column as floats: present, numeric, finite, not absurdly large (the
    sums of a model would overflow) and non-negative; errors name the row."""
    numeric = pd.to_numeric(raw, errors="coerce").astype("float64").to_numpy()
    with np.errstate(invalid="ignore"):
        bad = np.flatnonzero(~np.isfinite(numeric) | (np.abs(numeric) > MAX_MAGNITUDE))
    if len(bad):
        n = bad[0]
        value = raw.iloc[n]
        if is_missing_label(value):
            what = "missing count"
        elif np.isnan(numeric[n]):
            what = f"count {value!r} is not a number"
        elif np.isinf(numeric[n]):
            what = f"count {value!r} is not a finite number"
        else:
            what = f"count {value!r} is too large (more than {MAX_MAGNITUDE:g})"
        raise InputError(
            what,
            file=source,
            row=int(row_numbers[n]),
            column=column,
            expected="a non-negative number",
        )
    negative = np.flatnonzero(numeric < 0)
    if len(negative):
        n = negative[0]
        raise InputError(
            f"negative count {numeric[n]:g}",
            file=source,
            row=int(row_numbers[n]),
            column=column,
            expected="a non-negative number",
        )
    return numeric


def _no_duplicate_cells(
    cells: pd.DataFrame, layered: bool, source: str | None, row_numbers: np.ndarray
) -> None:
    dup = cells.duplicated(subset=["layer", "origin", "destination"], keep="first").to_numpy()
    if not dup.any():
        return
    n = int(np.flatnonzero(dup)[0])
    same = (
        (cells["layer"] == cells["layer"].iloc[n]).to_numpy()
        & (cells["origin"] == cells["origin"].iloc[n]).to_numpy()
        & (cells["destination"] == cells["destination"].iloc[n]).to_numpy()
    )
    first = int(np.flatnonzero(same)[0])
    where = f"origin {cells['origin'].iloc[n]!r}, destination {cells['destination'].iloc[n]!r}"
    if layered:
        where += f", layer {cells['layer'].iloc[n]!r}"
    raise InputError(
        f"duplicate cell ({where}); first given in row {row_numbers[first]}",
        file=source,
        row=int(row_numbers[n]),
        expected="one row per origin × destination" + (" × layer" if layered else "") + " cell",
    )


def _same_categories_in_every_layer(
    axes: dict[str, pd.Series],
    g: pd.Series,
    layers: list[str],
    labels: dict[str, list[str]],
    orders: AxisOrders,
    column_of: dict[str, str],
    source: str | None,
) -> None:
    """Without an order, every layer of a long table must mention the same categories:
    a class listed in some layers only is far more often a typo than a true zero."""
    explicit = {"origin": orders.row, "destination": orders.col}
    for key, series in axes.items():
        if explicit[key] is not None or (orders.square and (orders.row or orders.col)):
            continue
        everywhere = set(series)
        for lab in layers:
            here = set(series[(g == lab).to_numpy()])
            missing = [c for c in labels[key] if c in everywhere and c not in here]
            if missing:
                listed = ", ".join(repr(m) for m in missing)
                raise InputError(
                    f"{key} categories never seen in layer {lab!r} but present in other "
                    f"layers: {listed}; labels are inconsistent "
                    "across layers (give an explicit order to treat the absent cells as zero)",
                    file=source,
                    column=column_of[key],
                    expected="the same categories in every layer",
                )


_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0", ""}


def _flag_mask(
    flags: pd.Series,
    o: pd.Series,
    d: pd.Series,
    counts: np.ndarray,
    labels: dict[str, list[str]],
    row_numbers: np.ndarray,
    column: str,
    source: str | None,
) -> np.ndarray:
    """Origin × destination mask from a per-row structural-zero flag column."""
    oi = {lab: n for n, lab in enumerate(labels["origin"])}
    di = {lab: n for n, lab in enumerate(labels["destination"])}
    state = np.full((len(oi), len(di)), -1, dtype=np.int8)  # -1 = not listed yet
    for n, raw in enumerate(flags.tolist()):
        text = "" if is_missing_label(raw) else label_text(raw).lower()
        if text not in _TRUE and text not in _FALSE:
            raise InputError(
                f"structural-zero flag {raw!r} is not true or false",
                file=source,
                row=int(row_numbers[n]),
                column=column,
                expected="true/false, 1/0, yes/no or blank",
            )
        flag = int(text in _TRUE)
        if flag and counts[n] > 0:
            raise InputError(
                f"cell flagged as a structural zero has count {counts[n]:g}",
                file=source,
                row=int(row_numbers[n]),
                column=column,
                expected="count 0 in structural-zero cells",
            )
        i, j = oi[o.iloc[n]], di[d.iloc[n]]
        if state[i, j] not in (-1, flag):
            raise InputError(
                f"cell (origin {o.iloc[n]!r}, destination {d.iloc[n]!r}) is a structural zero "
                "in some layers but not in others",
                file=source,
                row=int(row_numbers[n]),
                column=column,
                expected="the same flag in every layer",
            )
        state[i, j] = flag
    return state == 1


__all__ = ["TableParts", "check_orders", "fill", "parts_from_cells", "parts_from_long",
           "resolve_axes"]
