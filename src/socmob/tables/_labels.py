"""Category labels and orders of mobility tables: the bottom layer of ``socmob.tables``.

Everything here works on plain values and lists of label texts; nothing imports the table
itself, so the builders (:mod:`socmob.tables._build`), the engine aggregation
(:mod:`socmob.tables._aggregate`) and :class:`~socmob.tables.table.MobilityTable` can all
use it without importing each other.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import InputError

Order = Sequence[Any] | Mapping[str, Sequence[Any]] | None
"""A category order. One list declares the origin and destination to be the same
classes, in that order (a square table); a mapping with any of the keys ``"origin"``,
``"destination"``, ``"layer"`` orders each axis on its own."""

UNLAYERED = "all"
"""Layer label of an unlayered table."""


def label_text(value: Any) -> str:
    """The label of a category value as text: integral floats lose their ``.0`` (codes
    read from files with missing values become floats), everything else is ``str()``."""
    if isinstance(value, (bool, np.bool_)):
        return str(value)
    if isinstance(value, (float, np.floating)):
        f = float(value)
        return str(int(f)) if math.isfinite(f) and f.is_integer() else str(f)
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    return str(value).strip()


def is_missing_label(value: Any) -> bool:
    """Whether a category value is missing (``None``, NaN, NA or blank text)."""
    if value is None:
        return True
    try:
        missing = pd.isna(value)
    except (TypeError, ValueError):
        return False
    if isinstance(missing, (bool, np.bool_)):
        return bool(missing) or (isinstance(value, str) and value.strip() == "")
    return False


@dataclass(frozen=True)
class AxisOrders:
    """The category orders asked for, axis by axis, and whether the origin and
    destination are declared the same classes (``square``)."""

    row: list[str] | None = None
    col: list[str] | None = None
    layer: list[str] | None = None
    square: bool = False


def axis_orders(
    order: Order = None,
    *,
    row_order: Sequence[Any] | str | None = None,
    col_order: Sequence[Any] | str | None = None,
    layer_order: Sequence[Any] | str | None = None,
    square: bool = False,
) -> AxisOrders:
    """Normalise the order arguments of the table builders.

    ``order`` as one list means "both axes, the same classes": it sets both orders and
    declares the table square. As a mapping (keys ``origin``, ``destination``,
    ``layer``) it is the older spelling of ``row_order``/``col_order``/``layer_order``.
    Orders may be given as lists or as comma-separated text.
    """
    rows = _order_list(row_order, "origin") if row_order is not None else None
    cols = _order_list(col_order, "destination") if col_order is not None else None
    layers = _order_list(layer_order, "layer") if layer_order is not None else None
    if order is None:
        return AxisOrders(rows, cols, layers, bool(square))
    given = [name for name, v in (("row_order", rows), ("col_order", cols)) if v is not None]
    if isinstance(order, Mapping):
        unknown = set(order) - {"origin", "destination", "layer"}
        if unknown:
            raise InputError(
                f"unknown key(s) in order: {', '.join(sorted(map(str, unknown)))}",
                expected="'origin', 'destination' or 'layer'",
            )
        if given or (layers is not None and "layer" in order):
            raise InputError(
                "an order is given twice (order= and row_order=/col_order=/layer_order=)",
                expected="one of them",
            )
        mapped = {key: _order_list(values, key) for key, values in order.items()}
        return AxisOrders(
            mapped.get("origin"),
            mapped.get("destination"),
            mapped.get("layer", layers),
            bool(square),
        )
    if given:
        raise InputError(
            f"order= (both axes, the same classes) and {' and '.join(given)} are both given",
            expected="order= for a mobility table, or row_order= and col_order= for a "
            "table whose rows and columns are different categories",
        )
    both = _order_list(order, "origin")
    return AxisOrders(both, list(both), layers, True)


def _order_list(values: Sequence[Any] | str, key: str) -> list[str]:
    if isinstance(values, str):
        values = values.split(",")
    labels = [label_text(v) for v in values]
    labels = [v for v in labels if v != ""]
    if not labels:
        raise InputError(f"the {key} order is empty", expected="a list of categories")
    seen: set[str] = set()
    for lab in labels:
        if lab in seen:
            raise InputError(f"category {lab!r} appears twice in the {key} order")
        seen.add(lab)
    return labels


def natural_key(label: str) -> tuple[int, float, str]:
    """Sort key putting numbers first, numerically, then text."""
    try:
        return (0, float(label), label)
    except ValueError:
        return (1, 0.0, label)


def sort_key(preset: list[str] | None) -> Any:
    """Sort key for categories found in microdata: a preset order (pandas categorical)
    first, then natural order (numbers numerically)."""
    if not preset:
        return natural_key
    rank = {lab: n for n, lab in enumerate(preset)}

    def key(lab: str) -> tuple[int, tuple[int, float, str]]:
        return (rank.get(lab, len(rank)), natural_key(lab))

    return key


__all__ = [
    "UNLAYERED",
    "AxisOrders",
    "Order",
    "axis_orders",
    "is_missing_label",
    "label_text",
    "natural_key",
    "sort_key",
]
