"""Reading long mobility tables from files (CSV, Parquet, XLSX, SPSS, Stata) through
:mod:`socmob.io`."""

from __future__ import annotations

import os
from collections.abc import Sequence
from typing import Any

from socmob.io import read_file
from socmob.tables.table import MobilityTable, Order

_FORMATS = ("csv", "parquet", "excel", "spss", "stata")


def read_long_table(
    path: str | os.PathLike[str],
    *,
    origin: str = "origin",
    destination: str = "destination",
    count: str = "count",
    layer: str | None = None,
    order: Order = None,
    row_order: Sequence[Any] | str | None = None,
    col_order: Sequence[Any] | str | None = None,
    square: bool = False,
    structural_zero: str | None = None,
) -> MobilityTable:
    """Read a long count table (one row per cell) from CSV, Parquet or XLSX.

    Default columns are ``origin, destination, count`` plus ``layer`` when a column of
    that name exists (pass ``layer=`` to use another column), and a
    ``structural_zero`` flag column when present (true/false; see
    :meth:`MobilityTable.from_long`). Origin and destination keep their own categories,
    in the order in which they first appear in the file unless ``row_order`` /
    ``col_order`` are given; ``order`` (one list for both) or ``square=True`` declares
    them the same classes (see :meth:`MobilityTable.from_long`). CSV labels are read as
    text exactly as written.

    Raises
    ------
    InputError
        unreadable or unsupported file, and every validation error of
        :meth:`MobilityTable.from_long`, naming the file, row and column.
    """
    name = str(path)
    frame = read_file(path, types="raw", apply_labels=True, allowed=_FORMATS).frame
    if layer is None and "layer" in frame.columns:
        layer = "layer"
    if structural_zero is None and "structural_zero" in frame.columns:
        structural_zero = "structural_zero"
    return MobilityTable.from_long(
        frame,
        origin=origin,
        destination=destination,
        count=count,
        layer=layer,
        order=order,
        row_order=row_order,
        col_order=col_order,
        square=square,
        structural_zero=structural_zero,
        source=name,
    )


__all__ = ["read_long_table"]
