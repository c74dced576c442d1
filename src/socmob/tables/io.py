"""Reading long mobility tables from files (CSV, Parquet, XLSX)."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from socmob.errors import InputError
from socmob.tables.table import MobilityTable, Order

_SUFFIXES = {
    ".csv": "csv",
    ".txt": "csv",
    ".parquet": "parquet",
    ".pq": "parquet",
    ".xlsx": "xlsx",
    ".xlsm": "xlsx",
}


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
    target = Path(path)
    name = str(path)
    kind = _SUFFIXES.get(target.suffix.lower())
    if kind is None:
        raise InputError(
            "unsupported table format", file=name, expected="a .csv, .parquet or .xlsx file"
        )
    if not target.is_file():
        raise InputError("no such file", file=name, expected="an existing file")
    try:
        if kind == "csv":
            frame = pd.read_csv(target, dtype=str, keep_default_na=False, skipinitialspace=True)
        elif kind == "parquet":
            frame = pd.read_parquet(target)
        else:
            frame = pd.read_excel(target, dtype=object)
    except (ValueError, OSError, UnicodeDecodeError, ImportError) as exc:
        raise InputError(
            f"cannot read the table ({exc})", file=name, expected="a long table with a header row"
        ) from None
    frame.columns = [str(c).strip() for c in frame.columns]
    if layer is None and "layer" in frame.columns:
        layer = "layer"
    if structural_zero is None and "structural_zero" in frame.columns:
        structural_zero = "structural_zero"
    if kind == "csv":
        frame = frame.replace({"": None})
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
