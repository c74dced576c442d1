"""Numbers as pages and reports show them (one rule for the dashboard and the documents
made outside it)."""

from __future__ import annotations

from typing import Any

import pandas as pd


def fmt(value: Any, digits: int = 3) -> str:
    """A value as a page shows it: blank for missing, thousands separators, ``digits``
    decimals for a non-integer float, yes/no for a boolean.

    >>> [fmt(None), fmt(True), fmt(1234), fmt(172.0), fmt(0.12345), fmt(float("nan"))]
    ['', 'yes', '1,234', '172', '0.123', '']
    """
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):  # pd.isna of a list or other container
        pass
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e9:
            return f"{int(value):,}"
        return f"{value:,.{digits}f}"
    return str(value)


__all__ = ["fmt"]
