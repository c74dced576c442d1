"""The area registry: the Social Mobility Commission's State of the Nation areas.

SoN 2025 reports its composite indices for 205 UK areas, SoN 2024 for 203. Most are one
upper-tier local authority; some merge several (Camden and City of London; Cornwall and
Isles of Scilly; Cumbria = Cumberland + Westmorland and Furness; Northern Ireland = its 11
districts) and county-council areas cover their districts, so a district GSS code such as
E07000008 (Cambridge) resolves to the area that contains it (Cambridgeshire CC), and so
does the district's name ("Fenland" → Cambridgeshire CC).

District names and codes come from ``districts.csv`` beside this module: the ONS local
authority districts (May 2021 boundaries, ``LAD21CD``/``LAD21NM`` of the SMC's
``lad-may2021-buc.topojson``) with, for each, the GSS code that covers it in the
registry — the district's own code, or for the districts merged in 2023 the new unitary
authority (Allerdale → Cumberland E06000063, Craven → North Yorkshire E06000065,
Mendip → Somerset E06000066, …).

:func:`search` returns every plausible answer with the reason it matched (for a search
page); :func:`lookup` returns the one area a query names, or raises with the closest
names (fuzzy matching by RapidFuzz) as "did you mean".

>>> lookup("blackpool").code                                     # doctest: +SKIP
'E06000009'
>>> lookup("E07000008").name                                     # doctest: +SKIP
'Cambridgeshire CC'
>>> lookup("Fenland").name                                       # doctest: +SKIP
'Cambridgeshire CC'
"""

from __future__ import annotations

import csv
import re
from dataclasses import asdict, dataclass
from functools import cache
from importlib import resources
from typing import Any, Literal

import pandas as pd
from rapidfuzz import fuzz, process

from socmob import data
from socmob._deprecated import renamed
from socmob._text import closest, normalise
from socmob.errors import NotFoundError
from socmob.periods import sort_periods
from socmob.results import Result, jsonable, tidy

_CODE = re.compile(r"^(?:[EKNSW]\d{8}|T?L[A-Z]\d?\w?|UK[A-N]\d?\w?)$", re.IGNORECASE)

#: Name endings that may be left out when looking an area up ("Cambridgeshire" finds
#: "Cambridgeshire CC"; "Durham County Council" finds "Durham").
_SUFFIXES = (" cc", " county council", " council", " city of", " city")


@dataclass(frozen=True)
class Area:
    """One State of the Nation area.

    Attributes
    ----------
    id:
        Slug, the key used everywhere in socmob (``"blackpool"``, ``"cambridgeshire_cc"``).
    name:
        Display name as the SMC publishes it.
    code:
        Primary GSS code (for merged areas the code of the area named first; Northern
        Ireland: the country code N92000002).
    codes:
        Every GSS code the area covers (upper tier, districts, merged authorities).
    region:
        12-way region (ITL1 name).
    nation:
        England, Scotland, Wales or Northern Ireland.
    edition:
        State of the Nation edition year (2025 or 2024).
    """

    id: str
    name: str
    code: str
    codes: tuple[str, ...]
    region: str
    nation: str
    edition: int

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


def _area(row: pd.Series) -> Area:
    return Area(
        id=str(row["area_id"]),
        name=str(row["area_name"]),
        code=str(row["area_code"]),
        codes=tuple(str(row["codes"]).split(";")),
        region=str(row["region"]),
        nation=str(row["nation"]),
        edition=int(row["edition"]),
    )


@cache
def _areas(edition: int) -> tuple[Area, ...]:
    return tuple(_area(row) for _, row in data.registry(edition).iterrows())


def _strip_suffix(key: str) -> str:
    for suffix in _SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix):
            return key[: -len(suffix)]
    return key


@cache
def _index(edition: int) -> tuple[dict[str, Area], dict[str, Area], dict[str, Area],
                                  list[str]]:
    """(by normalised name or alias, by slug, by code, display names)."""
    by_name: dict[str, Area] = {}
    by_short: dict[str, Area] = {}
    by_code: dict[str, Area] = {}
    reg = data.registry(edition)
    areas = {a.id: a for a in _areas(edition)}
    for _, row in reg.iterrows():
        area = areas[str(row["area_id"])]
        names = [area.name, *[n for n in str(row["alt_names"]).split(";") if n]]
        for name in names:
            by_name.setdefault(normalise(name), area)
        for name in names:
            by_short.setdefault(_strip_suffix(normalise(name)), area)
        by_code.setdefault(area.code.upper(), area)
    for area in areas.values():  # secondary codes after every primary code
        for code in area.codes:
            by_code.setdefault(code.upper(), area)
    for key, area in by_short.items():
        by_name.setdefault(key, area)
    slugs = {a.id: a for a in areas.values()}
    return by_name, slugs, by_code, [a.name for a in areas.values()]


@cache
def districts() -> dict[str, tuple[str, str]]:
    """The local authority districts: ``{gss_code: (name, covering_code)}`` where
    ``covering_code`` is a code of the registry (see the module docstring)."""
    text = resources.files(__package__).joinpath("districts.csv").read_text(encoding="utf-8")
    return {row["gss_code"]: (row["name"], row["covered_by"])
            for row in csv.DictReader(text.splitlines())}


@cache
def _district_index(edition: int) -> dict[str, tuple[str, str, Area]]:
    """Normalised district name → (district name, district code, covering area), for
    the districts whose name is not already an area's name or alias."""
    by_name, _, by_code, _ = _index(edition)
    out: dict[str, tuple[str, str, Area]] = {}
    for code, (name, covered_by) in districts().items():
        area = by_code.get(covered_by.upper())
        key = normalise(name)
        if area is None or key in by_name:
            continue
        out.setdefault(key, (name, code, area))
    return out


#: How a :class:`Match` was found.
MatchKind = Literal["area", "code", "district", "similar"]

#: Lowest RapidFuzz ``WRatio`` (0–100) for a name to be offered as "did you mean".
FUZZY_CUTOFF = 80.0


@dataclass(frozen=True)
class Match:
    """One answer of :func:`search`.

    Attributes
    ----------
    area:
        The State of the Nation area.
    matched:
        What the query matched: the area's name, a GSS code, or a district's name.
    kind:
        ``"area"`` (the area's name, alias or slug), ``"code"`` (a GSS code the area
        covers), ``"district"`` (the name of a district inside the area) or
        ``"similar"`` (a close spelling, to offer as "did you mean").
    score:
        100 for an exact match, else RapidFuzz's ``WRatio`` similarity (0–100).
    district:
        For a district name or code, the district's name (else ``""``).
    """

    area: Area
    matched: str
    kind: MatchKind
    score: float = 100.0
    district: str = ""

    @property
    def exact(self) -> bool:
        """Whether the query names this area without doubt (not a close spelling)."""
        return self.kind != "similar"

    @property
    def leads_to_covering_area(self) -> bool:
        """Whether the query named a part of the area (a district, or a code other than
        the area's own), so a reader should be told why they land on a larger area."""
        return self.kind == "district" or (self.kind == "code"
                                           and self.matched.upper() != self.area.code.upper())

    @property
    def reason(self) -> str:
        """One sentence saying why the query leads to this area."""
        area = self.area.name
        if self.kind == "district" or (self.kind == "code" and self.district):
            what = (f"{self.district} ({self.matched})" if self.kind == "code"
                    else self.district)
            return (f"{what} is a district within {area}: the State of the Nation reports "
                    f"one set of figures for {area} as a whole.")
        if self.kind == "code":
            if self.leads_to_covering_area:
                return (f"{self.matched} is part of {area}, which the State of the Nation "
                        "reports as one area.")
            return f"{self.matched} is the code of {area}."
        if self.kind == "similar":
            return f"A close spelling: {area}."
        return f"{area} is a State of the Nation area."


def search(query: str, *, edition: int = 2025, limit: int = 5) -> list[Match]:
    """Every area a free-text query may mean, best first.

    In order: an area's slug, name or alias (case-, accent- and punctuation-insensitive,
    endings such as "CC" optional), a GSS code the area covers (its own code, a
    district's or a merged authority's), a district's name ("Fenland" → Cambridgeshire
    CC); failing these, areas and districts whose names are close in spelling
    (RapidFuzz ``WRatio`` ≥ :data:`FUZZY_CUTOFF`, which also scores a part of a name
    such as "Hull" highly), each district leading to its covering area. An empty list
    when nothing is close.
    """
    text = query.strip() if isinstance(query, str) else ""
    if not text:
        return []
    by_name, slugs, by_code, _ = _index(edition)
    if text.lower() in slugs:
        return [Match(slugs[text.lower()], slugs[text.lower()].name, "area")]
    if _CODE.match(text):
        code = text.upper()
        hit = by_code.get(code)
        if hit is None and code in districts():
            hit = by_code.get(districts()[code][1].upper())
        if hit is None:
            return []
        name = districts().get(code, ("", ""))[0]
        return [Match(hit, code, "code",
                      district=name if code != hit.code.upper() and name else "")]
    key = normalise(text)
    for candidate in (key, _strip_suffix(key)):
        if candidate in by_name:
            return [Match(by_name[candidate], by_name[candidate].name, "area")]
        if candidate.replace(" ", "_") in slugs:
            area = slugs[candidate.replace(" ", "_")]
            return [Match(area, area.name, "area")]
    starts = {a.id: a for n, a in by_name.items() if key and n.startswith(key + " ")}
    if len(starts) == 1:  # "camden" → "Camden and City of London"
        area = next(iter(starts.values()))
        return [Match(area, area.name, "area")]
    district_index = _district_index(edition)
    if key in district_index:
        name, code, area = district_index[key]
        return [Match(area, name, "district", district=name)]
    return _similar(key, edition, limit)


def _similar(key: str, edition: int, limit: int) -> list[Match]:
    by_name, _, _, _ = _index(edition)
    district_index = _district_index(edition)
    choices = list(by_name) + list(district_index)
    found: dict[str, Match] = {}
    for choice, score, _ in process.extract(key, choices, scorer=fuzz.WRatio,
                                            processor=None, score_cutoff=FUZZY_CUTOFF,
                                            limit=limit * 4):
        if choice in by_name:
            area, district = by_name[choice], ""
        else:
            district, _, area = district_index[choice]
        best = found.get(area.id)
        if best is None or score > best.score:
            found[area.id] = Match(area, district or area.name, "similar", float(score),
                                   district=district)
    ranked = sorted(found.values(), key=lambda m: (-m.score, m.area.name))
    return ranked[:limit]


def lookup(query: str, *, edition: int = 2025) -> Area:
    """Find an area by name, slug, any GSS code it covers, or the name of a district
    within it (:func:`search`'s exact answers).

    Names are matched case-, accent- and punctuation-insensitively
    (:func:`socmob._text.normalise`), and may leave out an ending such as "CC" or "County
    Council" ("Cambridgeshire" → "Cambridgeshire CC"). A GSS code matches the area whose
    primary code it is, else the area that covers it (E07000008 → Cambridgeshire CC);
    a district's name matches the area that covers it ("Fenland" → Cambridgeshire CC).

    Raises
    ------
    NotFoundError
        No area matches; the message suggests the closest names ("did you mean …",
        RapidFuzz similarity, districts shown with their area).
    """
    if not isinstance(query, str) or not query.strip():
        raise NotFoundError("empty area name; give a name, slug or GSS code")
    text = query.strip()
    found = search(text, edition=edition, limit=3)
    if found and found[0].exact:
        return found[0].area
    if _CODE.match(text):
        raise NotFoundError(f"no SoN {edition} area covers the code {text!r}")
    suggestions = [m.area.name if not m.district else f"{m.district} (in {m.area.name})"
                   for m in found]
    if not suggestions:
        suggestions = closest(text, _index(edition)[3])
    raise NotFoundError(f"no SoN {edition} area called {text!r}", suggestions)


def all_areas(*, edition: int = 2025, region: str | None = None) -> list[Area]:
    """Every area of an edition (205 for 2025, 203 for 2024), optionally in one region
    (matched like names: "North West" finds "North West (England)")."""
    areas = list(_areas(edition))
    if region is None:
        return areas
    wanted = _match_region(region, edition)
    return [a for a in areas if a.region == wanted]


def regions(*, edition: int = 2025) -> list[str]:
    """The 12 regions (ITL1 names as the SMC uses them), in alphabetical order."""
    return sorted({a.region for a in _areas(edition)})


def _match_region(region: str, edition: int) -> str:
    names = regions(edition=edition)
    key = normalise(region)
    for name in names:
        if key in (normalise(name), normalise(name.replace("(England)", ""))):
            return name
    aliases = {"east of england": "East", "yorkshire": "Yorkshire and The Humber",
               "yorkshire and humber": "Yorkshire and The Humber", "ni": "Northern Ireland"}
    if key in aliases:
        return aliases[key]
    raise NotFoundError(f"unknown region {region!r}", closest(region, names))




# --------------------------------------------------------------------------- profile

#: Columns of :attr:`AreaIndices.indices`.
PROFILE_COLUMNS: list[str] = ["index_code", "index_title", "period", "z", "band",
                              "band_label", "rank", "of"]


def national_ranks(composites: pd.DataFrame) -> pd.DataFrame:
    """Rank every area within each index × period: 1 = most favourable (highest z).

    Tied z-scores share the best rank of the tie (``method="min"``, as in sports tables);
    ``of`` is the number of ranked areas. Takes the layout of
    :func:`socmob.data.composites` and returns it with ``rank`` and ``of`` added.
    """
    frame = composites.copy()
    groups = frame.groupby(["index_code", "period"], sort=False)["z"]
    frame["rank"] = groups.rank(ascending=False, method="min").astype("Int64")
    frame["of"] = groups.transform("count").astype("Int64")
    return frame


@dataclass(frozen=True)
class AreaIndices(Result):
    """An area's composite indices: z-score, band and national rank for every index and
    period of one State of the Nation edition (what :func:`profile` returns).

    Not the area page: that is :class:`socmob.report.views.AreaProfile`, which gathers
    this and the other panels of an area.

    Attributes
    ----------
    area:
        The :class:`Area`.
    indices:
        One row per index × period, columns :data:`PROFILE_COLUMNS`, ordered by index
        code then period (earliest first, :func:`socmob.periods.sort_periods`).
    """

    area: Area
    indices: pd.DataFrame

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows (``measure`` = index code, ``value`` = z, ``group`` = band label)."""
        frame = self.indices
        return tidy(pd.DataFrame({
            "measure": frame["index_code"],
            "area_code": self.area.code,
            "area_name": self.area.name,
            "period": frame["period"],
            "breakdown": "band",
            "group": frame["band_label"],
            "value": frame["z"],
            "lci": float("nan"),
            "uci": float("nan"),
            "n": frame["of"],
            "unit": "z-score",
            "note": "rank " + frame["rank"].astype(str) + " of " + frame["of"].astype(str)
                    + " (1 = most favourable)",
        }))

    def to_dict(self) -> dict[str, Any]:
        """``{"area": {...}, "indices": [{index_code, index_title, period, z, band,
        band_label, rank, of}, ...]}``."""
        area = asdict(self.area)
        area["codes"] = list(self.area.codes)
        return {"area": area, "indices": jsonable(self.indices[PROFILE_COLUMNS])}


def profile(query: str | Area, *, edition: int = 2025) -> AreaIndices:
    """The composite-index profile of one area (looked up as in :func:`lookup`)."""
    area = query if isinstance(query, Area) else lookup(query, edition=edition)
    ranked = national_ranks(data.composites(edition=area.edition))
    rows = ranked[ranked["area_id"] == area.id]
    order = {p: i for i, p in enumerate(sort_periods(rows["period"]))}
    rows = rows.assign(_order=rows["period"].astype(str).map(order)).sort_values(
        ["index_code", "_order"], kind="stable")
    return AreaIndices(area=area, indices=rows[PROFILE_COLUMNS].reset_index(drop=True))


__all__ = ["FUZZY_CUTOFF", "PROFILE_COLUMNS", "Area", "AreaIndices", "Match", "MatchKind",
           "all_areas", "districts", "lookup", "national_ranks", "profile", "regions",
           "search"]

__getattr__ = renamed(__name__, {"AreaProfile": "AreaIndices"}, globals())
