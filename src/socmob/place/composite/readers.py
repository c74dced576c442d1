"""Dedicated readers for COINr's iData / iMeta CSV files (the only file access here)."""

from __future__ import annotations

import os
from collections.abc import Sequence

import pandas as pd

from socmob.errors import InputError
from socmob.place.composite.coin import Coin


def read_table(path: str | os.PathLike[str]) -> pd.DataFrame:
    """Read a CSV (``NA`` and empty cells missing) or an Excel sheet."""
    p = os.fspath(path)
    try:
        if p.lower().endswith((".xlsx", ".xls")):
            return pd.read_excel(p)
        return pd.read_csv(p, na_values=["NA", ""], keep_default_na=True)
    except FileNotFoundError:
        raise InputError("file not found", file=p, expected="an existing file") from None
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InputError(f"cannot parse the file: {exc}", file=p,
                         expected="a CSV with a header row") from None


def read_coin(
    data: str | os.PathLike[str],
    meta: str | os.PathLike[str],
    *,
    level_names: Sequence[str] | None = None,
) -> Coin:
    """Read COINr-layout iData and iMeta files and start a coin (data set ``Raw``)."""
    return Coin.new(read_table(data), read_table(meta), level_names=level_names,
                    data_file=os.fspath(data), meta_file=os.fspath(meta))
