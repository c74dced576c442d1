"""Page-level views: library results gathered for one page or briefing.

Each function calls library functions (``socmob.data``, ``socmob.place``, …) and returns
:class:`Panel` objects — a table in the tidy schema, an optional chart spec made from
the same rows, and a short note — wrapped in :class:`~socmob.report.sections.Section`
where a panel may legitimately not exist for an area or edition (it then carries the
reason). The web app, the JSON API and the briefings all use these views, so a number
is fetched the same way wherever it is shown.

Nothing here computes a statistic: it selects, orders, joins and relabels rows that the
library produced.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import pandas as pd

from socmob import data
from socmob._text import normalise
from socmob.errors import InputError, NotFoundError, UnavailableError
from socmob.periods import is_latest, sort_by_period, sort_periods
from socmob.place import areas as place_areas
from socmob.report import adapters, charts, questions
from socmob.report.panels import DEFAULT_EDITION, AreaRef, Panel, composites
from socmob.report.sections import Section, attempt
from socmob.results import tidy

__all__ = [
    "COMPARE_PRESETS",
    "DEFAULT_EDITION",
    "MAP_GEOMETRY_URL",
    "MAX_COMPARE",
    "MIN_COMPARE",
    "NATIONAL_SERIES",
    "AreaMatch",
    "AreaProfile",
    "AreaRef",
    "GlossaryTerm",
    "Headline",
    "NationalSeries",
    "Panel",
    "all_areas",
    "area_composites",
    "area_profile",
    "certainty_words",
    "check_index_period",
    "compare_panel",
    "compare_preset",
    "composite_tidy",
    "composites",
    "find_area",
    "glossary",
    "indices",
    "map_geometry",
    "map_geometry_json",
    "map_panel",
    "map_values",
    "national_panels",
    "ordinal",
    "parse_compare",
    "peer_refs",
    "search_areas",
]

MIN_COMPARE, MAX_COMPARE = 2, 5


# --------------------------------------------------------------------------- areas


def _ref(area: place_areas.Area) -> AreaRef:
    return AreaRef(id=area.id, name=area.name, code=area.code, region=area.region,
                   nation=area.nation)


@lru_cache(maxsize=4)
def all_areas(edition: int = DEFAULT_EDITION) -> tuple[AreaRef, ...]:
    """Every area of the edition, in name order (``socmob.place.areas.all_areas``)."""
    found = place_areas.all_areas(edition=edition)
    return tuple(sorted((_ref(a) for a in found), key=lambda a: a.name))


def find_area(query: str, edition: int = DEFAULT_EDITION) -> AreaRef:
    """The area whose id, code or name is ``query`` (``socmob.place.areas.lookup``:
    raises :class:`~socmob.errors.NotFoundError` with suggestions when none is)."""
    return _ref(place_areas.lookup(query, edition=edition))


@dataclass(frozen=True)
class AreaMatch:
    """An answer of the area search: the area, how the query matched it (``kind`` of
    :class:`socmob.place.areas.Match`, or ``"part"`` for a part of an area's name), and
    the sentence that says why the query leads there."""

    area: AreaRef
    kind: str
    reason: str
    district: str = ""

    @property
    def exact(self) -> bool:
        """The query names this area without doubt."""
        return self.kind in {"area", "code", "district"}

    @property
    def covering(self) -> bool:
        """The query named a part of the area (a district or one of its codes)."""
        return self.kind == "district" or (self.kind == "code" and bool(self.district))


def search_areas(query: str, edition: int = DEFAULT_EDITION, *,
                 limit: int = 8) -> list[AreaMatch]:
    """The areas a search box query may mean (``socmob.place.areas.search``), best
    first; when the query names no area exactly, the areas whose names contain it
    ("shire") come before the close spellings ("blackpol" → Blackpool)."""
    found = place_areas.search(query, edition=edition, limit=limit)
    out = [AreaMatch(_ref(m.area), m.kind, m.reason, m.district) for m in found]
    if out and out[0].exact:
        return out[:1]
    key = normalise(query)
    parts = [a for a in all_areas(edition) if len(key) >= 2 and key in normalise(a.name)]
    seen = {a.id for a in parts}
    return ([AreaMatch(a, "part", f"{a.name} contains “{query.strip()}”.") for a in parts]
            + [m for m in out if m.area.id not in seen])[:max(limit, len(parts))]


# --------------------------------------------------------------------------- glossary


@dataclass(frozen=True)
class GlossaryTerm:
    """A term of the glossary: its name, an anchor id and its explanation."""

    term: str
    id: str
    text: str


@lru_cache(maxsize=1)
def glossary() -> tuple[GlossaryTerm, ...]:
    """The one glossary of the pages, briefings and CLI (``glossary.yaml`` beside this
    module; ``docs/glossary.md`` holds the same definitions)."""
    from importlib import resources

    import yaml

    text = resources.files("socmob.report").joinpath("glossary.yaml").read_text("utf-8")
    return tuple(GlossaryTerm(str(t["term"]), str(t["id"]), " ".join(str(t["text"]).split()))
                 for t in yaml.safe_load(text)["terms"])


# --------------------------------------------------------------------------- composites


def indices(edition: int = DEFAULT_EDITION) -> list[dict[str, Any]]:
    """The composite indices with their periods, in index order."""
    frame = composites(edition)
    out = []
    for code, rows in frame.groupby("index_code", sort=True):
        out.append({"code": str(code), "title": str(rows["index_title"].iloc[0]),
                    "periods": sort_periods(rows["period"])})
    return out


def composite_tidy(frame: pd.DataFrame) -> pd.DataFrame:
    """Composite rows in the tidy schema (value = z-score; group = band label)."""
    out = pd.DataFrame({
        "measure": frame["index_code"],
        "area_code": frame["area_code"],
        "area_name": frame["area_name"],
        "period": frame["period"],
        "breakdown": "band",
        "group": frame["band_label"],
        "value": frame["z"],
        "unit": "z-score",
        "note": frame["index_title"],
    })
    out["band"] = frame["band"].to_numpy()
    out["area_id"] = frame["area_id"].to_numpy()
    return tidy(out)


def check_index_period(index: str, period: str | None, edition: int) -> tuple[dict, str]:
    """Validate an index code and period; default to the index's latest period."""
    known = {i["code"]: i for i in indices(edition)}
    if index not in known:
        raise NotFoundError(f"no composite index {index!r}", suggestions=sorted(known))
    info = known[index]
    if period is None or period == "":
        period = info["periods"][-1]
    if period not in info["periods"]:
        raise NotFoundError(f"index {index} has no period {period!r}",
                            suggestions=info["periods"])
    return info, period


def map_values(index: str, period: str | None = None,
               edition: int = DEFAULT_EDITION) -> tuple[dict, str, pd.DataFrame]:
    """Every area's z-score, band and national rank (``rank`` of ``of``, 1 = most
    favourable: ``socmob.place.areas.national_ranks``) on ``index`` in ``period``
    (latest by default)."""
    info, period = check_index_period(index, period, edition)
    frame = _ranked(edition)
    rows = frame[(frame["index_code"] == index) & (frame["period"] == period)]
    rows = rows.sort_values("area_name").reset_index(drop=True)
    return info, period, rows


@lru_cache(maxsize=4)
def _ranked(edition: int) -> pd.DataFrame:
    return place_areas.national_ranks(composites(edition))


#: The areas the map enlarges under the UK (London's boroughs are specks at UK scale).
MAP_INSET_REGION = "London"


MAP_GEOMETRY_URL = "/geo/areas.json"
"""Where the dashboard serves :func:`map_geometry` (the map pages' specs load it)."""

MAP_COORDINATE_DIGITS = 3
"""Decimals of longitude and latitude kept in the map's geometry: 0.001° is about 110 m,
well under a pixel of the 420 × 620 px map of the UK (about 1.6 km a pixel)."""


def _round_ring(ring: Any, digits: int) -> list[list[float]]:
    out: list[list[float]] = []
    for x, y, *_ in ring:
        point = [round(float(x), digits), round(float(y), digits)]
        if not out or point != out[-1]:
            out.append(point)
    return out


def _round_geometry(geometry: dict[str, Any], digits: int) -> dict[str, Any]:
    kind = geometry["type"]
    if kind == "Polygon":
        rings = [_round_ring(r, digits) for r in geometry["coordinates"]]
    elif kind == "MultiPolygon":
        rings = [[_round_ring(r, digits) for r in polygon]  # type: ignore[misc]
                 for polygon in geometry["coordinates"]]
    else:
        raise TypeError(f"the area map holds a {kind}, expected polygons")
    return {"type": kind, "coordinates": rings}


@lru_cache(maxsize=2)
def _map_geometry(edition: int) -> str:
    gdf = data.boundaries("areas")
    features = []
    for area_id, area_name, shape in zip(gdf["area_id"], gdf["area_name"], gdf.geometry,
                                         strict=True):
        features.append({"type": "Feature",
                         "properties": {"area_id": str(area_id), "area_name": str(area_name)},
                         "geometry": _round_geometry(shape.__geo_interface__,
                                                     MAP_COORDINATE_DIGITS)})
    return json.dumps({"type": "FeatureCollection", "features": features},
                      separators=(",", ":"))


def map_geometry(edition: int = DEFAULT_EDITION) -> dict[str, Any]:
    """The areas of the map as GeoJSON (EPSG:4326; properties ``area_id`` and
    ``area_name``), coordinates rounded to :data:`MAP_COORDINATE_DIGITS` decimals
    (``socmob.data.boundaries``). A fresh copy."""
    value: dict[str, Any] = json.loads(_map_geometry(edition))
    return value


def map_geometry_json(edition: int = DEFAULT_EDITION) -> str:
    """:func:`map_geometry` as compact JSON text (made once per process)."""
    return _map_geometry(edition)


def map_panel(index: str, period: str | None = None,
              edition: int = DEFAULT_EDITION, *, highlight: str | None = None) -> Panel:
    """The map of one index and period (the UK, and London enlarged under it), with its
    equivalent table; ``highlight`` (an area id) outlines one area."""
    _, period = check_index_period(index, period, edition)
    return _map_panel(index, period, edition, highlight)


@lru_cache(maxsize=64)
def _map_panel(index: str, period: str, edition: int, highlight: str | None) -> Panel:
    info, period, rows = map_values(index, period, edition)
    title = f"{info['title']}, {period}"
    inset = [a.id for a in all_areas(edition) if a.region == MAP_INSET_REGION]
    description = (f"Map of {title}; each area is shaded by its band, London enlarged "
                   "under the UK; each area links to its profile.")
    chart = charts.choropleth(map_geometry(edition), rows, name="map", title=title,
                              description=description, geometry_url=MAP_GEOMETRY_URL,
                              inset=inset, inset_title="London, enlarged",
                              highlight=highlight)
    table = composite_tidy(rows)
    table["rank"] = rows["rank"].to_numpy()
    table["of"] = rows["of"].to_numpy()
    return Panel("map", title, table, chart,
                 note="Bands are the SMC's: 1 = least favourable, 7 = most favourable. "
                      "Rank 1 is the most favourable area. z-scores are relative to the "
                      "UK average (0).",
                 columns=(("area_name", "Area"), ("group", "Band"), ("band", "Band number"),
                          ("rank", "Rank"), ("value", "z-score")))


# --------------------------------------------------------------------------- national


@dataclass(frozen=True)
class NationalSeries:
    """Which published rows of a mobility outcome the home page plots.

    ``select`` maps a tidy column to the values kept; ``series`` names the columns whose
    values label the lines.
    """

    measure: str
    title: str
    y_title: str
    select: dict[str, tuple[str, ...]]
    series: tuple[str, ...]
    description: str


NATIONAL_SERIES: tuple[NationalSeries, ...] = (
    NationalSeries(
        "MO11", "Absolute occupational mobility, by birth cohort",
        "Share of people (proportion)",
        {"area_type": ("country",), "breakdown": ("sex",), "note": ("Upward", "Downward")},
        ("group", "note"),
        "Share of men and of women whose occupational class is higher (upward) or lower "
        "(downward) than their parents', by decade of birth.",
    ),
    NationalSeries(
        "MO12", "Relative occupational mobility, by year",
        "Unidiff parameter (change since 2014)",
        {"area_type": ("country",), "breakdown": ("sex",), "group": ("Total",)}, (),
        "Strength of the link between parents' and children's class relative to 2014 "
        "(unidiff parameter, log scale; above 0 means less fluid), with 95% intervals.",
    ),
)


def national_panels() -> list[Section[Panel]]:
    """The national picture: absolute and relative occupational mobility over time
    (SMC mobility outcomes MO11 and MO12) with their intervals."""
    return [attempt(s.measure.lower(), _national_panel(s)) for s in NATIONAL_SERIES]


@lru_cache(maxsize=4)
def _national_cached(measure: str) -> Panel:
    spec = next(s for s in NATIONAL_SERIES if s.measure == measure)
    frame = data.load(spec.measure)
    for col, keep in spec.select.items():
        frame = frame[frame[col].astype(str).isin(keep)]
    if frame.empty:  # the selection names values the published data does not have
        raise LookupError(f"{spec.measure}: no rows match {spec.select}")
    frame = frame.copy()
    series = "series"
    if spec.series:
        frame[series] = frame[list(spec.series)].astype(str).agg(": ".join, axis=1)
    else:
        frame[series] = None
    chart = charts.trend_chart(frame, name=spec.measure.lower(), title=spec.title,
                               y_title=spec.y_title, series=series,
                               description=spec.description)
    table = tidy(frame.drop(columns=series))
    unit = str(table["unit"].dropna().iloc[0]) if table["unit"].notna().any() else ""
    return Panel(spec.measure.lower(), spec.title, table, chart,
                 note=f"Source: SMC mobility outcome {spec.measure}. Unit: {unit}.",
                 columns=(("period", "Period"), ("group", "Group"), ("note", "Measure"),
                          ("value", "Value"), ("lci", "Lower"), ("uci", "Upper"),
                          ("unit", "Unit")))


def _national_panel(spec: NationalSeries) -> Callable[[], Panel]:
    return lambda: _national_cached(spec.measure)


# --------------------------------------------------------------------------- area


@dataclass(frozen=True)
class Headline:
    """One index at a glance, for the tiles at the top of an area page and briefing:
    the latest band, the national rank with its 90% interval, and how sure the band is,
    in words (:func:`certainty_words`)."""

    index_code: str
    index_title: str
    period: str
    z: float
    band: int
    band_label: str
    rank: int
    of: int
    rank_lower: int | None = None
    rank_upper: int | None = None
    probability: float | None = None
    certainty: str = ""
    alternative: str = ""

    @property
    def rank_text(self) -> str:
        """"149th of 205"."""
        return f"{ordinal(self.rank)} of {self.of}"

    @property
    def range_text(self) -> str:
        """"likely between 108th and 181st" (empty where no interval is known)."""
        if self.rank_lower is None or self.rank_upper is None:
            return ""
        return f"likely between {ordinal(self.rank_lower)} and {ordinal(self.rank_upper)}"


def ordinal(n: int) -> str:
    """1 → "1st", 2 → "2nd", 11 → "11th", 23 → "23rd"."""
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


#: Chance of the published band → how sure, in words (the first threshold met).
CERTAINTY_WORDS: tuple[tuple[float, str], ...] = (
    (0.9, "Very likely the right band"),
    (0.6, "Probably the right band"),
    (0.0, "Uncertain: could well be another band"),
)


def certainty_words(probability: float | None) -> str:
    """How sure the band is, in words (:data:`CERTAINTY_WORDS`), from the chance that
    the area belongs in its published band; "Not estimated" without one."""
    if probability is None or pd.isna(probability):
        return "Not estimated for this edition"
    return next(words for floor, words in CERTAINTY_WORDS if probability >= floor)


def _headlines(area: AreaRef, edition: int, bands: Section[Panel],
               ranks: Section[Panel]) -> tuple[Headline, ...]:
    ranked = _ranked(edition)
    rows = ranked[ranked["area_id"] == area.id]
    rows = rows[is_latest(rows, "index_code")]
    intervals: dict[str, tuple[int, int]] = {}
    if ranks.available:
        for r in ranks.get().table.to_dict("records"):
            if pd.notna(r["lci"]) and pd.notna(r["uci"]):
                intervals[str(r["index_code"])] = (int(r["lci"]), int(r["uci"]))
    chances: dict[str, tuple[float, str]] = {}
    if bands.available:
        table = bands.get().table
        columns = {int(str(c).removeprefix("p_band_")): c for c in table.columns
                   if str(c).startswith("p_band_")}
        for r in table.to_dict("records"):
            others = {k: float(r[c]) for k, c in columns.items()
                      if k != int(r["band"]) and pd.notna(r[c])}
            best = max(others, key=lambda b: others[b]) if others else None
            alternative = (f"next most likely: {charts.BAND_LABELS.get(best, best)} "
                           f"({others[best]:.0%})" if best is not None and others[best] >= 0.05
                           else "")
            chances[str(r["index_code"])] = (float(r["probability"]), alternative)
    out = []
    for r in rows.sort_values("index_code").to_dict("records"):
        code = str(r["index_code"])
        lo, hi = intervals.get(code, (None, None))
        chance, alternative = chances.get(code, (None, ""))
        out.append(Headline(code, str(r["index_title"]), str(r["period"]), float(r["z"]),
                            int(r["band"]), str(r["band_label"]), int(r["rank"]),
                            int(r["of"]), lo, hi, chance, certainty_words(chance),
                            alternative))
    return tuple(out)


@dataclass(frozen=True)
class AreaProfile:
    """Everything the area page and the briefing show about one area: ``headlines``
    (one :class:`Headline` per index) and ``peer_areas`` (its statistical peers,
    nearest first) beside the panels."""

    area: AreaRef
    edition: int
    indices: Section[Panel]
    uncertainty: Section[Panel]
    band_probabilities: Section[Panel]
    trend: Section[Panel]
    spatial: Section[Panel]
    expected: Section[Panel]
    peers: Section[Panel]
    indicators: Section[Panel]
    questions: Section[list[Any]]
    headlines: tuple[Headline, ...] = ()
    peer_areas: tuple[AreaRef, ...] = ()

    def panels(self) -> dict[str, Section[Panel]]:
        """Every panel section by name (the download names)."""
        return {s.name: s for s in (self.indices, self.uncertainty, self.band_probabilities,
                                    self.trend, self.spatial, self.expected, self.peers,
                                    self.indicators)}


def area_composites(area: AreaRef, edition: int = DEFAULT_EDITION) -> pd.DataFrame:
    """The area's rows of every composite index and period."""
    frame = composites(edition)
    rows = frame[frame["area_id"] == area.id]
    return sort_by_period(rows, by="index_code").reset_index(drop=True)


def _indices_panel(area: AreaRef, edition: int) -> Panel:
    rows = area_composites(area, edition)
    if rows.empty:  # every area of the registry has published composites
        raise LookupError(f"area {area.id!r} has no composite rows in SoN {edition}")
    chart = charts.index_periods_chart(rows, name="indices",
                                       title=f"{area.name}: the four indices over time")
    return Panel("indices", "The indices across periods", composite_tidy(rows), chart,
                 note="z-score: distance from the UK average in standard deviations.",
                 columns=(("note", "Index"), ("period", "Period"), ("value", "z-score"),
                          ("group", "Band")))


def area_profile(area_id: str, edition: int = DEFAULT_EDITION) -> AreaProfile:
    """Gather the area profile. A panel that cannot exist for this area or edition is
    an unavailable section with its reason; any other error propagates."""
    area = find_area(area_id, edition)
    indices_s = attempt("indices", lambda: _indices_panel(area, edition))
    uncertainty = attempt("uncertainty", lambda: adapters.rank_interval_panel(area, edition))
    band_probs = attempt("band_probabilities",
                         lambda: adapters.band_probability_panel(area, edition))
    trend = attempt("trend", lambda: adapters.trend_panel(area, edition))
    spatial = attempt("spatial", lambda: adapters.spatial_panel(area, edition))
    expected = attempt("expected", lambda: adapters.expected_panel(area, edition))
    peers = attempt("peers", lambda: adapters.peers_panel(area, edition))
    indicators = attempt("indicators", lambda: adapters.indicators_panel(area, edition))
    profile_parts = {
        "indices": indices_s, "uncertainty": uncertainty, "band_probabilities": band_probs,
        "trend": trend, "spatial": spatial, "expected": expected, "peers": peers,
        "indicators": indicators,
    }
    qs = attempt("questions", lambda: questions.generate(area, profile_parts))
    return AreaProfile(area, edition, indices_s, uncertainty, band_probs, trend, spatial,
                       expected, peers, indicators, qs,
                       _headlines(area, edition, band_probs, uncertainty),
                       tuple(peer_refs(area, edition)))


# --------------------------------------------------------------------------- compare


def parse_compare(ids: Sequence[str]) -> list[str]:
    """Validate the list of areas to compare (2–5, distinct)."""
    seen: list[str] = []
    for raw in ids:
        for part in str(raw).split(","):
            part = part.strip()
            if part and part not in seen:
                seen.append(part)
    if not MIN_COMPARE <= len(seen) <= MAX_COMPARE:
        raise InputError(f"choose between {MIN_COMPARE} and {MAX_COMPARE} different areas "
                         f"(got {len(seen)})", column="areas",
                         expected=f"{MIN_COMPARE}–{MAX_COMPARE} areas")
    return seen


#: The comparison presets: from one area, its statistical peers or its region's areas.
COMPARE_PRESETS = {"peers": "its peers", "region": "the areas of its region"}

#: How many peers the "my peers" preset adds to the area (the nearest first).
PRESET_PEERS = MAX_COMPARE - 1


def peer_refs(area: AreaRef, edition: int = DEFAULT_EDITION) -> list[AreaRef]:
    """The area's statistical peers, nearest first (the peers panel's list:
    ``socmob.place.peers.peers_from_composites``); empty where none are known."""
    section = attempt("peers", lambda: adapters.peers_panel(area, edition))
    if not section.available:
        return []
    note = section.get().note
    names = note.removeprefix("Peers: ").rstrip(".").split(", ") if note else []
    by_name = {a.name: a for a in all_areas(edition)}
    return [by_name[n] for n in names if n in by_name]


def compare_preset(preset: str, area_id: str,
                   edition: int = DEFAULT_EDITION) -> tuple[AreaRef, list[AreaRef], str]:
    """(the area, the areas to compare it with — itself first —, a title) for a preset
    of :data:`COMPARE_PRESETS`: "peers" (the area and its :data:`PRESET_PEERS` nearest
    peers) or "region" (every area of its region)."""
    if preset not in COMPARE_PRESETS:
        raise InputError(f"unknown comparison {preset[:40]!r}", column="preset",
                         expected=" or ".join(COMPARE_PRESETS))
    area = find_area(area_id, edition)
    if preset == "peers":
        peers = peer_refs(area, edition)[:PRESET_PEERS]
        if not peers:
            raise NotFoundError(f"no peers are known for {area.name}")
        return area, [area, *peers], f"{area.name} and its {len(peers)} nearest peers"
    region = area.region or area.nation
    others = [a for a in all_areas(edition) if (a.region or a.nation) == region
              and a.id != area.id]
    if not others:
        raise NotFoundError(f"{area.name} is the only area of {region}")
    return area, [area, *others], f"{area.name} and the other areas of {region}"


def compare_panel(ids: Sequence[str], edition: int = DEFAULT_EDITION, *,
                  focus: str | None = None, many: bool = False,
                  title: str | None = None) -> Panel:
    """The latest value of each index for 2–5 areas (any number with ``many``, as the
    presets give), side by side, with each area's national rank and its 90% interval
    where the edition has one (``socmob.place.analyses.smc_rank_uncertainty``).
    ``focus`` (an area id) is drawn apart from the others in the chart."""
    wanted = parse_compare(ids) if not many else list(dict.fromkeys(ids))
    areas = [find_area(i, edition) for i in wanted]
    frame = _ranked(edition)
    rows = frame[is_latest(frame, "index_code") & frame["area_id"].isin([a.id for a in areas])]
    order = {a.id: k for k, a in enumerate(areas)}
    rows = rows.assign(_o=rows["area_id"].map(order)).sort_values(["index_code", "_o"])
    rows = rows.drop(columns="_o").reset_index(drop=True)
    rank_low, rank_high = _rank_intervals(rows, areas, edition)
    names = ", ".join(a.name for a in areas)
    heading = title or f"Comparing {names}"
    focus_name = next((a.name for a in areas if a.id == focus), None)
    chart = charts.compare_chart(rows, name="compare", title=heading, focus=focus_name)
    table = composite_tidy(rows)
    table["rank"] = rows["rank"].to_numpy()
    table["of"] = rows["of"].to_numpy()
    table["rank_lower"] = rank_low
    table["rank_upper"] = rank_high
    table["rank_text"] = [f"{int(r)} of {int(o)}" for r, o in zip(rows["rank"], rows["of"],
                                                                  strict=True)]
    table["rank_range"] = [f"{int(lo)} to {int(hi)}" if pd.notna(lo) and pd.notna(hi) else ""
                           for lo, hi in zip(rank_low, rank_high, strict=True)]
    return Panel("compare", heading, table, chart,
                 note="Latest period of each index. Rank 1 is the most favourable area; "
                      "the likely range holds 90% of the ranks the area could hold given "
                      "the noise in the scores.",
                 columns=(("area_name", "Area"), ("note", "Index"), ("period", "Period"),
                          ("value", "z-score"), ("group", "Band"), ("rank_text", "Rank"),
                          ("rank_range", "Likely rank range")))


def _rank_intervals(rows: pd.DataFrame, areas: Sequence[AreaRef],
                    edition: int) -> tuple[list[float], list[float]]:
    """The 5%–95% rank interval of each row (area × index), NaN where the edition has
    none (SoN 2024: its groups are not a rule on z)."""
    nan = float("nan")
    try:
        every = adapters.uncertainty_all(edition)
    except UnavailableError:
        return [nan] * len(rows), [nan] * len(rows)
    found: dict[tuple[str, str], tuple[float, float]] = {}
    for area in areas:
        frame = every.rows(area)
        frame = frame[frame["measure"] == "rank"]
        for code, lo, hi in zip(frame["index_code"], frame["lci"], frame["uci"], strict=True):
            found[(area.id, str(code))] = (float(lo), float(hi))
    pairs = [found.get((str(a), str(c)), (nan, nan))
             for a, c in zip(rows["area_id"], rows["index_code"], strict=True)]
    return [lo for lo, _ in pairs], [hi for _, hi in pairs]
