"""The area registry: the Social Mobility Commission's State of the Nation areas.

SoN 2025 reports its composite indices for 205 UK areas, SoN 2024 for 203. Most are one
upper-tier local authority; some merge several (Camden and City of London; Cornwall and
Isles of Scilly; Cumbria = Cumberland + Westmorland and Furness; Northern Ireland = its 11
districts) and county-council areas cover their districts, so a district GSS code such as
E07000008 (Cambridge) resolves to the area that contains it (Cambridgeshire CC).

>>> lookup("blackpool").code                                     # doctest: +SKIP
'E06000009'
>>> lookup("E07000008").name                                     # doctest: +SKIP
'Cambridgeshire CC'
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import cache
from typing import Any

import pandas as pd

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


def lookup(query: str, *, edition: int = 2025) -> Area:
    """Find an area by name, slug or any GSS code it covers.

    Names are matched case-, accent- and punctuation-insensitively
    (:func:`socmob._text.normalise`), and may leave out an ending such as "CC" or "County
    Council" ("Cambridgeshire" → "Cambridgeshire CC"). A GSS code matches the area whose
    primary code it is, else the area that covers it (E07000008 → Cambridgeshire CC).

    Raises
    ------
    NotFoundError
        No area matches; the message suggests the closest names ("did you mean …").
    """
    if not isinstance(query, str) or not query.strip():
        raise NotFoundError("empty area name; give a name, slug or GSS code")
    by_name, slugs, by_code, names = _index(edition)
    text = query.strip()
    if text.lower() in slugs:
        return slugs[text.lower()]
    if _CODE.match(text):
        hit = by_code.get(text.upper())
        if hit is not None:
            return hit
        raise NotFoundError(f"no SoN {edition} area covers the code {text!r}")
    key = normalise(text)
    for candidate in (key, _strip_suffix(key), key.replace(" ", "_")):
        if candidate in by_name:
            return by_name[candidate]
        if candidate.replace(" ", "_") in slugs:
            return slugs[candidate.replace(" ", "_")]
    starts = {a.id: a for n, a in by_name.items() if n.startswith(key + " ")}
    if len(starts) == 1:  # "camden" → "Camden and City of London"
        return next(iter(starts.values()))
    suggestions = closest(text, names)
    if not suggestions:  # a part of a name, e.g. "Hull" in "Kingston upon Hull, City of"
        suggestions = [n for n in names if key and key in normalise(n)][:3]
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


__all__ = ["PROFILE_COLUMNS", "Area", "AreaIndices", "all_areas", "lookup", "national_ranks",
           "profile", "regions"]

__getattr__ = renamed(__name__, {"AreaProfile": "AreaIndices"}, globals())
