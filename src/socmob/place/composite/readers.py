"""Dedicated readers for COINr's iData / iMeta files (the only file access here), through
:mod:`socmob.io`: CSV (``NA`` and empty cells missing, see :data:`socmob.io.NA_VALUES`),
Excel, Parquet, SPSS or Stata; numbers are checked for ``inf`` and overflow risks where
they enter."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from socmob.errors import InputError
from socmob.io import read_file
from socmob.place.composite.coin import Coin

_FORMATS = ("csv", "excel", "parquet", "spss", "stata")


def read_table(path: str | os.PathLike[str], *, check_numbers: bool = True) -> pd.DataFrame:
    """Read a CSV, Excel, Parquet, SPSS or Stata table with numeric columns inferred
    (:func:`socmob.io.read_file` with ``types="infer"``): a column whose every value is
    a number is numeric, ``inf`` and magnitudes beyond 1e150 are refused.

    Raises
    ------
    InputError
        naming the file, row and column (missing file, ragged row, duplicate headers,
        non-finite number, unreadable workbook, ...). With ``check_numbers=False`` the
        numbers are left for the caller to check (as :meth:`Coin.new` does, naming the
        unit as well).
    """
    frame = read_file(path, types="infer", allowed=_FORMATS, check_numbers=check_numbers).frame
    if frame.empty:
        raise InputError("the file has a header but no data rows", file=os.fspath(path),
                         row=2, expected="one row per unit (iData) or per indicator and "
                                         "aggregate (iMeta)")
    return frame


def read_coin(
    data: str | os.PathLike[str],
    meta: str | os.PathLike[str],
    *,
    level_names: Sequence[str] | None = None,
) -> Coin:
    """Read COINr-layout iData and iMeta files and start a coin (data set ``Raw``).

    The coin checks that every number is finite as the data enter it, naming the file,
    row, column and unit.
    """
    return Coin.new(read_table(data, check_numbers=False),
                    read_table(meta, check_numbers=False), level_names=level_names,
                    data_file=os.fspath(data), meta_file=os.fspath(meta))
