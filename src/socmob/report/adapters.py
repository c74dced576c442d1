"""Adapters from ``socmob.place`` results to area-page panels.

One function per panel. Each calls the place module that computes the statistic and
turns its result into a :class:`~socmob.report.views.Panel` (tidy table, optional chart).
Until a module lands the function raises :class:`~socmob.report.sections.Unavailable`,
and the page says "not available yet".
"""

from __future__ import annotations

from typing import Any

import pandas as pd

from socmob.report import charts
from socmob.report.sections import Unavailable, require
from socmob.results import tidy


def _frame(result: Any) -> pd.DataFrame:
    if isinstance(result, pd.DataFrame):
        return result
    to_frame = getattr(result, "to_frame", None)
    if callable(to_frame):
        return to_frame()
    raise Unavailable("not available yet")


def _for_area(frame: pd.DataFrame, area: Any) -> pd.DataFrame:
    for col, key in (("area_id", area.id), ("area_code", area.code), ("area_name", area.name)):
        if col in frame.columns:
            hit = frame[frame[col].astype(str) == str(key)]
            if not hit.empty:
                return hit.reset_index(drop=True)
    raise Unavailable("no result for this area yet")


def _panel(name: str, title: str, table: pd.DataFrame, chart: Any = None, note: str = "",
           columns: tuple[tuple[str, str], ...] = ()) -> Any:
    from socmob.report.views import Panel

    return Panel(name, title, table, chart, note=note, columns=columns)


def rank_interval_panel(area: Any, edition: int) -> Any:
    """Rank intervals on each index (``socmob.place.uncertainty``)."""
    unc = require("socmob.place.uncertainty")
    fn = getattr(unc, "rank_intervals", None)
    if fn is None:
        raise Unavailable("not available yet")
    frame = _for_area(_frame(fn(edition=edition)), area)
    table = tidy(frame)
    chart = charts.interval_chart(
        table.assign(label=table["measure"]), name="uncertainty",
        title=f"{area.name}: rank on each index with its interval", label="label",
        x_title="Rank (1 = most favourable)")
    return _panel("uncertainty", "Rank and its uncertainty", table, chart,
                  note="Intervals from the library's Monte Carlo of the index inputs.")


def band_probability_panel(area: Any, edition: int) -> Any:
    """Probability of each band on each index (``socmob.place.uncertainty``)."""
    unc = require("socmob.place.uncertainty")
    fn = getattr(unc, "band_probabilities", None)
    if fn is None:
        raise Unavailable("not available yet")
    frame = _for_area(_frame(fn(edition=edition)), area)
    return _panel("band_probabilities", "How sure is the band?", tidy(frame))


def trend_panel(area: Any, edition: int) -> Any:
    """Direction of change on each index (``socmob.place.trends``)."""
    trends = require("socmob.place.trends")
    fn = getattr(trends, "trends", None) or getattr(trends, "area_trends", None)
    if fn is None:
        raise Unavailable("not available yet")
    frame = _for_area(_frame(fn(edition=edition)), area)
    return _panel("trend", "Trend", tidy(frame))


def spatial_panel(area: Any, edition: int) -> Any:
    """Hot/cold-spot status on each index (``socmob.place.spatial``)."""
    spatial = require("socmob.place.spatial")
    fn = getattr(spatial, "hotspots", None) or getattr(spatial, "local_clusters", None)
    if fn is None:
        raise Unavailable("not available yet")
    frame = _for_area(_frame(fn(edition=edition)), area)
    return _panel("spatial", "Spatial clusters", tidy(frame))


def expected_panel(area: Any, edition: int) -> Any:
    """Better or worse than expected (``socmob.place.expected``)."""
    expected = require("socmob.place.expected")
    fn = getattr(expected, "better_worse_than_expected", None) or getattr(
        expected, "expected", None)
    if fn is None:
        raise Unavailable("not available yet")
    frame = _for_area(_frame(fn(edition=edition)), area)
    return _panel("expected", "Better or worse than expected", tidy(frame))


def peers_panel(area: Any, edition: int) -> Any:
    """Statistical peers and how the area compares (``socmob.place.peers``)."""
    peers = require("socmob.place.peers")
    fn = getattr(peers, "peers", None) or getattr(peers, "find_peers", None)
    if fn is None:
        raise Unavailable("not available yet")
    frame = _frame(fn(area.id, edition=edition))
    return _panel("peers", "Peers", tidy(frame))


def indicators_panel(area: Any, edition: int) -> Any:
    """The regional (ITL2) indicators behind each index, with their intervals
    (``socmob.data``)."""
    data = require("socmob.data")
    fn = getattr(data, "area_indicators", None)
    if fn is None:
        raise Unavailable("not available yet")
    frame = _frame(fn(area.id, edition=edition))
    table = tidy(frame)
    chart = charts.interval_chart(table.assign(label=table["measure"]), name="indicators",
                                  title="Regional indicators", label="label",
                                  x_title="Value")
    return _panel("indicators", "Regional (ITL2) indicators behind each index", table, chart)
