"""The mobility outcomes (MO11–MO51) as what they are: absolute rates, relative odds and
association over time, using socmob's mobility measures where the release gives the
cells to do so.

=====  ====================  ==========================================================
code   kind                  what the monitor shows
=====  ====================  ==========================================================
MO11   absolute rates        published upward/downward/total mobility by birth decade;
                             from the 2020 origin × destination *outflow* table (5 SMC
                             classes): each origin's rates of staying, moving up and
                             moving down (:func:`socmob.tables.absolute_mobility` on
                             one origin at a time) and the odds ratio of reaching a
                             higher professional rather than a lower working-class job
                             for the top against the bottom origin
                             (:func:`socmob.tables.odds_ratio`)
MO12   association over      the published Unidiff parameters by year (0 = the 2014
       time                  strength of the origin–destination link), with the trend
MO21   absolute rates        share of each birth cohort earning more than their
                             parents, UK beside other countries
MO31   absolute rates        the 2020 parental × own education table (4 levels): each
                             origin's chance of a degree; odds ratio (degree vs no
                             qualifications, for graduate vs unqualified parents)
MO32   association over      published odds ratios (1991–2020), trend on the log scale
       time
MO41   absolute rates        home ownership by parents' tenure, and the odds ratio the
                             two rates imply (checked against MO42's published one)
MO42   association over      published odds ratios (1991–2016-20), trend on the log
       time                  scale
MO51   level                 wealth by age (no breakdown by origin is published)
=====  ====================  ==========================================================

Why the outflow table is enough for these measures: an outflow table gives each origin's
distribution over destinations, so every rate *within* an origin is exact, and odds
ratios are unchanged by rescaling rows, so they are exact too. What it does not give is
how many people each origin has, so whole-population rates (e.g. the share of everyone
who moved up) cannot be rebuilt from it; the release publishes those separately (the
cohort rates). The table publishes no counts, so none of these derived figures has an
interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socmob.errors import NotFoundError
from socmob.monitor.analysis import assess
from socmob.monitor.metadata import dimension, indicator
from socmob.monitor.series import published
from socmob.monitor.series import records as _records
from socmob.periods import latest_period, sort_by_period
from socmob.results import Result, tidy
from socmob.tables import MobilityTable, absolute_mobility, odds_ratio

#: The release's occupational classes, top first.
CLASS_ORDER: tuple[str, ...] = dimension("seb").order or (
    "Higher professional", "Lower professional", "Intermediate", "Higher working",
    "Lower working")

#: The release's education levels (MO31), top first.
EDUCATION_ORDER: tuple[str, ...] = ("University", "Post-school qualifications",
                                    "School qualifications", "No qualifications")

KINDS: dict[str, str] = {
    "MO11": "absolute rates", "MO12": "association over time", "MO21": "absolute rates",
    "MO31": "absolute rates", "MO32": "association over time", "MO41": "absolute rates",
    "MO42": "association over time", "MO51": "level",
}


@dataclass(frozen=True, eq=False)
class MobilityOutcome(Result):
    """One mobility outcome: its kind, a plain ``statement``, the figures behind it (tidy
    ``figures``: published and derived, each row saying which in ``source``) and the
    mobility table where the release gives one."""

    code: str
    kind: str
    title: str
    statement: str
    figures: pd.DataFrame = field(repr=False)
    table: MobilityTable | None = field(default=None, repr=False)

    def to_frame(self) -> pd.DataFrame:
        return tidy(self.figures)


def _rows(code: str) -> pd.DataFrame:
    rows = published(code)
    return rows[rows["usable"]]


def _figure(measure: str, value: float, *, period: str = "", group: str = "",
            breakdown: str = "", lci: float = math.nan, uci: float = math.nan,
            unit: str = "", source: str = "published", area: str = "United Kingdom",
            note: str = "") -> dict[str, Any]:
    return {"measure": measure, "area_name": area, "period": period,
            "breakdown": breakdown, "group": group, "value": value, "lci": lci, "uci": uci,
            "unit": unit, "note": note, "source": source}


def outflow_matrix(rows: pd.DataFrame, *, breakdown: str, origin: str, destination: str,
                   order: tuple[str, ...], fixed: dict[str, str]) -> MobilityTable:
    """A square :class:`~socmob.tables.MobilityTable` of outflow shares (rows = origins,
    top first) from published rows of ``breakdown``, the other dimensions held at
    ``fixed``; missing cells raise :class:`~socmob.errors.NotFoundError`."""
    part = rows[rows["breakdown"] == breakdown]
    keep = [all(d.get(k) == v for k, v in fixed.items()) for d in part["dims"]]
    part = part[np.asarray(keep, dtype=bool)]
    cells = {(d[origin], d[destination]): float(v)
             for d, v in zip(part["dims"], part["value"], strict=True)}
    k = len(order)
    counts = np.full((k, k), np.nan)
    for i, o in enumerate(order):
        for j, dest in enumerate(order):
            if (o, dest) in cells:
                counts[i, j] = cells[(o, dest)]
    if np.isnan(counts).any():
        raise NotFoundError(f"the {breakdown} table has no cell for every origin and "
                            f"destination with {fixed}")
    return MobilityTable.from_array(counts, origin_labels=list(order),
                                    destination_labels=list(order),
                                    origin_name="origin", destination_name="destination")


def origin_rates(table: MobilityTable) -> pd.DataFrame:
    """Each origin's shares staying, moving up and moving down (and long-range up and
    down), from an outflow table: :func:`socmob.tables.absolute_mobility` on a layered
    table whose layer ``i`` holds origin ``i``'s row only."""
    k = table.n_origin
    counts = np.zeros((k, k, k))
    for i in range(k):
        counts[i, i, :] = table.counts[0, i, :]
    layered = MobilityTable.from_array(counts, origin_labels=list(table.origin_labels),
                                       destination_labels=list(table.destination_labels),
                                       layer_labels=list(table.origin_labels),
                                       layer_name="origin")
    rates = absolute_mobility(layered)
    out = pd.DataFrame({"origin": list(table.origin_labels)})
    for m in ("immobility", "upward", "downward", "long_range_upward", "long_range_downward"):
        out[m] = [rates.rate(m, o) for o in table.origin_labels]
    return out


def _or_from_table(table: MobilityTable) -> float:
    top, bottom = table.origin_labels[0], table.origin_labels[-1]
    result = odds_ratio(table, origins=(top, bottom), destinations=(top, bottom))
    return float(result.value())


def _pct(x: float, scale: float = 1.0) -> str:
    return "n/a" if not np.isfinite(x) else f"{100 * x / scale:.1f}%"


def _mo11() -> MobilityOutcome:
    rows = _rows("MO11")
    figures: list[dict[str, Any]] = []
    cohorts = rows[(rows["breakdown"] == "sex") & (rows["unit"] == "Percentage")]
    for r in _records(cohorts):
        figures.append(_figure(f"{r.note} mobility".replace("Total mobility", "total mobility"),
                               float(r.value), period=str(r.period), group=r.dims["sex"],
                               breakdown="sex", unit="proportion"))
    table = outflow_matrix(rows, breakdown="sex; seb; occupational_class", origin="seb",
                           destination="occupational_class", order=CLASS_ORDER,
                           fixed={"sex": "Total"})
    rates = origin_rates(table)
    for r in _records(rates):
        for m in ("immobility", "upward", "downward"):
            figures.append(_figure(f"{m} from this origin", float(getattr(r, m)), period="2020",
                                   group=r.origin, breakdown="origin", unit="proportion",
                                   source="derived from the published outflow table"))
    oratio = _or_from_table(table)
    figures.append(_figure("odds ratio: higher professional vs lower working origin, of a "
                           "higher professional rather than lower working job", oratio,
                           period="2020", unit="odds ratio",
                           source="derived from the published outflow table"))
    men = cohorts[cohorts["dims"].map(lambda d: d["sex"]) == "Men"]
    up = men[men["note"] == "Upward"].sort_values("x")
    latest = up.iloc[-1] if len(up) else None
    bottom = rates.iloc[-1]
    summary = (
        (f"Of men born in {str(latest['period']).replace('-', '–')}, "
         f"{_pct(float(latest['value']))} ended in a "
         f"higher class than their parents. " if latest is not None else "")
        + f"In 2020, {_pct(bottom['upward'])} of people from lower working-class origins "
          f"had moved up, and {_pct(float(table.counts[0, -1, 0]), 100)} reached a higher "
          f"professional job, against {_pct(float(table.counts[0, 0, 0]), 100)} of those "
          f"from higher professional origins: an odds ratio of {oratio:.1f}.")
    return MobilityOutcome("MO11", KINDS["MO11"], indicator("MO11").release_title, summary,
                           pd.DataFrame(figures), table)


def _series_outcome(code: str, what: str) -> MobilityOutcome:
    a = assess(code)
    figures = []
    if a.series is not None:
        for lab, v, lo, hi in zip(a.series.points.labels, a.series.points.values,
                                  a.series.points.lower, a.series.points.upper, strict=True):
            figures.append(_figure(what, float(v), period=lab, lci=float(lo), uci=float(hi),
                                   unit=a.series.unit,
                                   area=str(a.series.rows["area_name"].iloc[0])))
    lead = a.indicator.definition.split(" (")[0].rstrip(".")
    summary = f"{lead}: {a.status.status}. {a.status.text}"
    return MobilityOutcome(code, KINDS[code], a.indicator.release_title, summary,
                           pd.DataFrame(figures))


def _mo12() -> MobilityOutcome:
    out = _series_outcome("MO12", "Unidiff parameter (0 = 2014)")
    return out


def _mo21() -> MobilityOutcome:
    rows = _rows("MO21")
    figures = [_figure("share earning more than their parents", float(r.value),
                       period=str(r.period), group=str(r.area_name), breakdown="country",
                       unit="proportion", area=str(r.area_name))
               for r in _records(rows)]
    frame = pd.DataFrame(figures)
    uk = sort_by_period(frame[frame["group"] == "UK"])
    common = frame.groupby("period")["group"].nunique()
    shared = latest_period(common[common == common.max()].index)
    at = frame[frame["period"] == shared].sort_values("value", ascending=False)
    rank = list(at["group"]).index("UK") + 1 if "UK" in set(at["group"]) else None
    summary = (f"{_pct(float(uk['value'].iloc[-1]))} of the UK's {uk['period'].iloc[-1]} birth "
               f"cohort earn more than their parents did"
               + (f"; in the {shared} cohort the UK ranks {rank} of {len(at)} countries"
                  if rank else "") + ".")
    return MobilityOutcome("MO21", KINDS["MO21"], indicator("MO21").release_title, summary,
                           frame)


def _mo31() -> MobilityOutcome:
    rows = _rows("MO31")
    table = outflow_matrix(rows, breakdown="sex; seb; educational_level", origin="seb",
                           destination="educational_level", order=EDUCATION_ORDER,
                           fixed={"sex": "Total"})
    figures = []
    for i, origin in enumerate(EDUCATION_ORDER):
        share = float(table.counts[0, i, 0])
        figures.append(_figure("share with a degree", share, period="2020", group=origin,
                               breakdown="parents' education", unit="proportion",
                               source="published (table of own by parents' education)"))
    oratio = _or_from_table(table)
    figures.append(_figure("odds ratio: graduate vs unqualified parents, of a degree rather "
                           "than no qualifications", oratio, period="2020", unit="odds ratio",
                           source="derived from the published table"))
    national = rows[(rows["breakdown"] == "sex") & (rows["geography"] != "itl2")]
    for r in _records(national):
        figures.append(_figure("share with a degree, parents without a degree", float(r.value),
                               period=str(r.period), group=str(r.area_name), lci=float(r.lci),
                               uci=float(r.uci), breakdown="area", unit="percent",
                               area=str(r.area_name)))
    summary = (f"In 2020, {_pct(float(table.counts[0, -1, 0]))} of people whose parents had no "
               f"qualifications had a degree, against {_pct(float(table.counts[0, 0, 0]))} "
               f"of those with graduate parents (odds ratio {oratio:.1f}, degree rather than "
               f"no qualifications).")
    return MobilityOutcome("MO31", KINDS["MO31"], indicator("MO31").release_title, summary,
                           pd.DataFrame(figures), table)


def _mo41() -> MobilityOutcome:
    rows = _rows("MO41")
    part = rows[(rows["breakdown"] == "sex; seb") & (rows["geography"] == "country")]
    figures = []
    shares: dict[tuple[str, str, str], float] = {}
    for r in _records(part):
        figures.append(_figure("share owning their home", float(r.value), period=str(r.period),
                               group=f"{r.dims['sex']}; parents {r.dims['seb'].lower()}",
                               breakdown="sex; parents' tenure", lci=float(r.lci),
                               uci=float(r.uci), unit="percent", note=f"age {r.age}"))
        shares[(r.dims["sex"], str(r.age), r.dims["seb"])] = float(r.value) / 100
    ors: dict[tuple[str, str], float] = {}
    for (sex, age, tenure), p1 in shares.items():
        if tenure != "Owned" or (sex, age, "Not owned") not in shares:
            continue
        p0 = shares[(sex, age, "Not owned")]
        ors[(sex, age)] = (p1 / (1 - p1)) / (p0 / (1 - p0))
        figures.append(_figure("odds ratio implied by the two rates", ors[(sex, age)],
                               period="2016-20", group=f"{sex}; age {age}", unit="odds ratio",
                               source="derived from the published rates"))
    owned = shares.get(("Total", "25-64", "Owned"), math.nan)
    not_owned = shares.get(("Total", "25-64", "Not owned"), math.nan)
    summary = (f"In 2016-20, {_pct(owned)} of 25 to 64 year olds whose parents owned their "
               f"home owned theirs, against {_pct(not_owned)} of those whose parents did not: "
               f"an odds ratio of {ors.get(('Total', '25-64'), math.nan):.2f}, as in MO42.")
    return MobilityOutcome("MO41", KINDS["MO41"], indicator("MO41").release_title, summary,
                           pd.DataFrame(figures))


def _mo51() -> MobilityOutcome:
    rows = _rows("MO51").drop_duplicates(["breakdown", "group", "age", "value"])
    figures = [_figure(f"average {r.dims['type_of_wealth'].lower()}", float(r.value),
                       period=str(r.period), group=f"age {r.age}", breakdown="age",
                       lci=float(r.lci), uci=float(r.uci), unit="£", area=str(r.area_name))
               for r in _records(rows)]
    frame = pd.DataFrame(figures)
    total = frame[frame["measure"] == "average total wealth"]
    summary = ("Average total wealth rises with age: "
               + ", ".join(f"£{v:,.0f} at {g[4:]}" for g, v in zip(total["group"], total["value"],
                                                                  strict=True))
               + " (Great Britain, 2016/20). The release publishes no breakdown by origin.")
    return MobilityOutcome("MO51", KINDS["MO51"], indicator("MO51").release_title, summary,
                           frame)


_BUILDERS = {
    "MO11": _mo11, "MO12": _mo12, "MO21": _mo21, "MO31": _mo31,
    "MO32": lambda: _series_outcome("MO32", "odds ratio, degree by parents' degree"),
    "MO41": _mo41,
    "MO42": lambda: _series_outcome("MO42", "odds ratio, home ownership by parents' tenure"),
    "MO51": _mo51,
}


def mobility_outcome(code: str) -> MobilityOutcome:
    """One mobility outcome (module docstring)."""
    entry = indicator(code)
    if entry.code not in _BUILDERS:
        raise NotFoundError(f"{entry.code} is not a mobility outcome", list(_BUILDERS))
    return _BUILDERS[entry.code]()


def mobility_outcomes() -> dict[str, MobilityOutcome]:
    """All eight mobility outcomes, in code order."""
    return {code: build() for code, build in _BUILDERS.items()}


__all__ = ["CLASS_ORDER", "EDUCATION_ORDER", "KINDS", "MobilityOutcome", "mobility_outcome",
           "mobility_outcomes", "origin_rates", "outflow_matrix"]
