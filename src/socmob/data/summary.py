"""The national picture from the embedded dataset: how many areas fall in each band of
each composite index, and the headline national mobility outcomes.

>>> from socmob.data.summary import national_summary
>>> s = national_summary()                                       # doctest: +SKIP
>>> s.bands        # index × band counts, latest period of each index
>>> s.outcomes     # MO11, MO12, MO21, MO32, MO41, MO42 latest national values
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from socmob import ATTRIBUTION
from socmob.data import composites, load
from socmob.periods import latest_period
from socmob.results import Result, jsonable


@dataclass(frozen=True)
class Headline:
    """One curated headline figure: rows of ``measure`` matching ``where`` (column →
    value) at the latest period that has any."""

    measure: str
    label: str
    where: dict[str, str] = field(default_factory=dict)


#: The headline national mobility outcomes (UK unless the source is GB-only), one figure
#: per line of :func:`headline_outcomes`, chosen to match the SMC's own headline charts.
HEADLINES: tuple[Headline, ...] = (
    Headline("MO11", "Upward occupational mobility, men",
             {"area_code": "K02000001", "breakdown": "sex", "group": "Men", "note": "Upward"}),
    Headline("MO11", "Upward occupational mobility, women",
             {"area_code": "K02000001", "breakdown": "sex", "group": "Women",
              "note": "Upward"}),
    Headline("MO12", "Relative occupational mobility (Unidiff; below 0 = more fluid than 2014)",
             {"area_code": "K02000001", "breakdown": "sex", "group": "Total"}),
    Headline("MO21", "Absolute income mobility (share earning more than parents)",
             {"area_name": "UK", "breakdown": "sex", "group": "Total"}),
    Headline("MO32", "Relative educational mobility (odds ratio)",
             {"area_code": "K02000001", "breakdown": "sex", "group": "All"}),
    Headline("MO41", "Home ownership if parents did not own (%)",
             {"area_code": "K02000001", "breakdown": "sex; seb", "group": "Total; Not owned",
              "age": "25-64"}),
    Headline("MO41", "Home ownership if parents owned (%)",
             {"area_code": "K02000001", "breakdown": "sex; seb", "group": "Total; Owned",
              "age": "25-64"}),
    Headline("MO42", "Relative housing mobility (odds ratio)",
             {"area_code": "K02000001", "breakdown": "sex", "group": "Total", "age": "25-64"}),
)

OUTCOME_COLUMNS: list[str] = ["measure", "title", "label", "area_name", "period", "value",
                              "lci", "uci", "unit"]


def headline_outcomes() -> pd.DataFrame:
    """The latest value of each :data:`HEADLINES` figure (columns
    :data:`OUTCOME_COLUMNS`)."""
    rows = []
    for spec in HEADLINES:
        frame = load(spec.measure)
        for column, value in spec.where.items():
            frame = frame[frame[column] == value]
        if frame.empty:
            continue
        latest = latest_period(frame["period"])
        hit = frame[frame["period"] == latest].iloc[0]
        rows.append({
            "measure": spec.measure, "title": hit["title"], "label": spec.label,
            "area_name": hit["area_name"], "period": latest, "value": hit["value"],
            "lci": hit["lci"], "uci": hit["uci"], "unit": hit["unit"],
        })
    return pd.DataFrame.from_records(rows, columns=OUTCOME_COLUMNS)


def band_counts(*, edition: int = 2025, latest: bool = True) -> pd.DataFrame:
    """Number of areas in each band of each composite index.

    Columns ``index_code, index_title, period, band, band_label, areas``; with
    ``latest=True`` only the latest period of each index. Bands with no area are listed
    with 0.
    """
    comp = composites(edition=edition)
    if latest:
        last = comp.groupby("index_code")["period"].transform(
            latest_period)
        comp = comp[comp["period"] == last]
    labels = comp[["band", "band_label"]].drop_duplicates().sort_values("band")
    keys = comp[["index_code", "index_title", "period"]].drop_duplicates()
    grid = keys.merge(labels, how="cross")
    counts = comp.groupby(["index_code", "period", "band"]).size().rename("areas")
    out = grid.merge(counts.reset_index(), on=["index_code", "period", "band"], how="left")
    out["areas"] = out["areas"].fillna(0).astype("int64")
    return out.sort_values(["index_code", "period", "band"]).reset_index(drop=True)


@dataclass(frozen=True)
class NationalSummary(Result):
    """The national picture of one State of the Nation edition.

    Attributes
    ----------
    edition:
        2025 or 2024.
    bands:
        :func:`band_counts` for the latest period of each index.
    outcomes:
        :func:`headline_outcomes`.
    attribution:
        The OGL v3.0 attribution line.
    """

    edition: int
    bands: pd.DataFrame
    outcomes: pd.DataFrame
    attribution: str = ATTRIBUTION

    def band_table(self) -> pd.DataFrame:
        """Wide view: one row per index (title, period), one column per band label."""
        wide = self.bands.pivot_table(index=["index_code", "index_title", "period"],
                                      columns="band", values="areas", aggfunc="sum")
        labels = dict(zip(self.bands["band"], self.bands["band_label"], strict=False))
        wide.columns = [labels[b] for b in wide.columns]
        return wide.reset_index()

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: band counts (``measure`` = index code, ``unit`` = "areas") then the
        headline outcomes."""
        bands = pd.DataFrame({
            "measure": self.bands["index_code"], "area_code": "K02000001",
            "area_name": "United Kingdom", "period": self.bands["period"],
            "breakdown": "band", "group": self.bands["band_label"],
            "value": self.bands["areas"].astype("float64"), "lci": float("nan"),
            "uci": float("nan"), "n": float("nan"), "unit": "areas",
            "note": "number of areas in the band",
        })
        outcomes = pd.DataFrame({
            "measure": self.outcomes["measure"], "area_code": pd.NA,
            "area_name": self.outcomes["area_name"], "period": self.outcomes["period"],
            "breakdown": "headline", "group": self.outcomes["label"],
            "value": self.outcomes["value"], "lci": self.outcomes["lci"],
            "uci": self.outcomes["uci"], "n": float("nan"), "unit": self.outcomes["unit"],
            "note": self.outcomes["title"],
        })
        return pd.concat([bands, outcomes], ignore_index=True)

    def to_dict(self) -> dict[str, Any]:
        """``{"edition", "bands": [...], "outcomes": [...], "attribution"}``."""
        return {"edition": self.edition, "bands": jsonable(self.bands),
                "outcomes": jsonable(self.outcomes), "attribution": self.attribution}


def national_summary(*, edition: int = 2025) -> NationalSummary:
    """Band counts of every composite index (latest period) and the headline national
    mobility outcomes."""
    return NationalSummary(edition=edition, bands=band_counts(edition=edition),
                           outcomes=headline_outcomes())


__all__ = ["HEADLINES", "Headline", "NationalSummary", "band_counts", "headline_outcomes",
           "national_summary"]
