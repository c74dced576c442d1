"""What every view and panel adapter shares: the :class:`Panel` a page shows, the
:class:`AreaRef` it is about, and the composite indices they are read from.

:mod:`socmob.report.views` (pages) and :mod:`socmob.report.adapters` (area-page panels
from ``socmob.place``) both build on this module and neither imports the other's
internals, so the report layer has no import cycle.

Nothing here computes a statistic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from socmob import data
from socmob.report import charts

DEFAULT_EDITION = 2025
"""The State of the Nation edition shown when none is asked for."""


@dataclass(frozen=True)
class AreaRef:
    """An SMC area as the dashboard shows it."""

    id: str
    name: str
    code: str = ""
    region: str = ""
    nation: str = ""


@dataclass(frozen=True)
class Panel:
    """A table (tidy schema), the chart drawn from it, and a note on reading it."""

    name: str
    title: str
    table: pd.DataFrame = field(repr=False)
    chart: charts.ChartSpec | None = None
    note: str = ""
    columns: tuple[tuple[str, str], ...] = ()
    """(column, heading) pairs shown in the HTML table; all tidy columns when empty."""

    def display_table(self) -> pd.DataFrame:
        """The columns shown on the page, with human headings."""
        if not self.columns:
            cols = [c for c in self.table.columns if self.table[c].notna().any()]
            return self.table[cols]
        present = [(c, h) for c, h in self.columns if c in self.table.columns]
        return self.table[[c for c, _ in present]].rename(columns=dict(present))


@lru_cache(maxsize=4)
def composites(edition: int = DEFAULT_EDITION) -> pd.DataFrame:
    """All composite-index rows of the edition (``socmob.data.composites``), periods as
    text. Cached per edition and shared: callers copy before they modify it."""
    frame = data.composites(edition=edition).copy()
    frame["period"] = frame["period"].astype(str)
    return frame


def index_titles(edition: int = DEFAULT_EDITION) -> dict[str, str]:
    """Index code → title (``ci1`` → "Conditions of Childhood"); a fresh dict."""
    return dict(_index_titles(edition))


@lru_cache(maxsize=4)
def _index_titles(edition: int) -> dict[str, str]:
    frame = composites(edition).drop_duplicates("index_code")
    return {str(c): str(t) for c, t in zip(frame["index_code"], frame["index_title"],
                                           strict=True)}


def rows_for(frame: pd.DataFrame, area: Any) -> pd.DataFrame:
    """The rows of an all-area result that belong to ``area`` (by ``area_id`` where the
    result has it, else by ``area_code``). An area missing from a result computed over
    every area is a bug, not an unavailable panel: :class:`LookupError`."""
    if "area_id" in frame.columns:
        rows = frame[frame["area_id"].astype(str) == area.id]
    else:
        rows = frame[frame["area_code"].astype(str) == area.code]
    if rows.empty:
        raise LookupError(f"area {area.id!r} is missing from a result over every area")
    return rows.reset_index(drop=True)
