"""The packaged default dataset: the Social Mobility Commission's State of the Nation
release, as compact Parquet files shipped inside socmob.

Built from the raw release by ``scripts/build_default_data.py`` (see ``docs/data.md``).
Every table here carries the attribution :data:`socmob.ATTRIBUTION` (Open Government
Licence v3.0).

>>> from socmob import data
>>> data.catalog()[["code", "title", "kind", "edition"]].head()      # doctest: +SKIP
>>> data.load("dr32", area_type="itl2")                                # doctest: +SKIP
>>> data.composites(index="ci1")                                       # doctest: +SKIP

Readers are cached (:func:`functools.lru_cache`); every function returns a fresh copy, so
callers may modify what they get.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from socmob import ATTRIBUTION
from socmob._text import closest, normalise
from socmob.errors import NotFoundError
from socmob.periods import sort_periods

if TYPE_CHECKING:  # pragma: no cover
    import geopandas

#: Editions of the composite indices available in :func:`composites`.
COMPOSITE_EDITIONS: tuple[int, ...] = (2025, 2024)

#: Boundary sets available in :func:`boundaries`.
BOUNDARY_KINDS: tuple[str, ...] = ("areas", "itl2", "itl2_2025")

#: Area types in the registry: the SMC's local areas, ITL2 and ITL1 regions, nations, UK.
AREA_TYPES: tuple[str, ...] = ("local_area", "itl2", "itl1", "nation", "uk")

#: Column order of :func:`composites`.
COMPOSITE_COLUMNS: list[str] = ["index_code", "index_title", "area_id", "area_code",
                                "area_name", "region", "nation", "period", "z", "band",
                                "band_label"]

#: Latest-first order of the editions in the indicators table.
_EDITION_ORDER = {"son26": 0, "son25": 1, "son-mo": 2, "son23": 3}


def data_dir() -> Path:
    """The folder holding the packaged Parquet files."""
    return Path(str(files("socmob.data").joinpath("default")))


def _path(name: str) -> Path:
    path = data_dir() / name
    if not path.is_file():
        raise NotFoundError(
            f"packaged data file {name} is missing; rebuild it with "
            "'python scripts/build_default_data.py'"
        )
    return path


@cache
def _read(name: str) -> pd.DataFrame:
    return pd.read_parquet(_path(name))


@cache
def _read_geo(name: str) -> geopandas.GeoDataFrame:
    import geopandas

    return geopandas.read_parquet(_path(name))


def catalog() -> pd.DataFrame:
    """One row per measure and edition.

    Columns: ``code`` (``ci1``–``ci4`` composites; ``dr*`` drivers; ``in*`` intermediate
    outcomes; ``MO*`` mobility outcomes; ``son23_ci1``–``son23_ci5`` the SoN 2023 ITL2
    composites),
    ``title``, ``kind`` (composite / driver / intermediate outcome / mobility outcome),
    ``edition`` (``son25``, ``son26``, ``son24``, ``son23``, ``son-mo``), ``unit``,
    ``periods`` and ``geographies`` (``"; "``-joined), ``rows``, ``source`` (repository
    at commit, and file), ``licence`` (``OGL-3.0``) and ``table`` (which loader serves
    it: ``indicators`` → :func:`load`, ``composites`` → :func:`composites`).
    """
    return _read("catalog.parquet").copy()


def _resolve_measure(measure: str) -> str:
    codes = _read("indicators.parquet")["measure"].unique().tolist()
    by_norm = {normalise(c): c for c in codes}
    hit = by_norm.get(normalise(measure))
    if hit is not None:
        return str(hit)
    if normalise(measure) in {"ci1", "ci2", "ci3", "ci4"}:
        raise NotFoundError(
            f"{measure!r} is a composite index: see 'socmob area NAME' or "
            f"socmob.data.composites(index={measure!r})"
        )
    cat = _read("catalog.parquet")
    titles = dict(zip(cat["title"], cat["code"], strict=True))
    suggestions = (closest(measure, codes, cutoff=0.5)
                   or [str(titles[t]) for t in closest(measure, titles)])
    raise NotFoundError(f"unknown measure {measure!r} (see 'socmob data list')", suggestions)


def load(measure: str, *, area: str | None = None, period: str | None = None,
         area_type: str | None = None, edition: str | None = None) -> pd.DataFrame:
    """The published figures of one measure in the tidy long schema.

    Columns: ``measure, area_code, area_name, area_type, period, breakdown, group, value,
    lci, uci, n, unit, note`` (the socmob tidy schema) then ``edition, title, kind, age,
    variable, weight, se``. ``breakdown`` names the split dimensions of a row joined by
    ``"; "`` (e.g. ``"sex; year"``) and ``group`` their values in the same order (e.g.
    ``"Female; 2014"``); a row with no split has ``breakdown="total"``, ``group="Total"``.

    Parameters
    ----------
    measure:
        Catalogue code, case-insensitive (``"dr32"``, ``"MO11"``). Composite indices
        ``ci1``–``ci4`` are served by :func:`composites`.
    area:
        Keep rows of one area: a GSS/ITL code, an exact area name, or a registry
        ``area_id`` (all case/punctuation-insensitive).
    period:
        Keep rows of one period, as published (e.g. ``"2014-2024"``).
    area_type:
        ``"country"``, ``"itl1"``, ``"itl2"``, ``"itl2_2025"``, ``"international"``.
    edition:
        ``"son25"`` or ``"son26"`` (drivers and intermediate outcomes exist in both).
        Default: the latest edition that has the measure, so rows are never doubled.

    Raises
    ------
    NotFoundError
        Unknown measure (with "did you mean" suggestions), or a filter matching nothing.
    """
    code = _resolve_measure(measure)
    table = _read("indicators.parquet")
    rows = table[table["measure"] == code]
    available = sorted(rows["edition"].unique(), key=lambda e: _EDITION_ORDER.get(e, 99))
    if edition is None:
        edition = available[0]
    elif edition not in available:
        raise NotFoundError(f"measure {code} has no edition {edition!r}", available)
    rows = rows[rows["edition"] == edition]
    if area_type is not None:
        types = sorted(rows["area_type"].dropna().unique())
        if area_type not in types:
            raise NotFoundError(f"measure {code} has no rows for area_type {area_type!r}", types)
        rows = rows[rows["area_type"] == area_type]
    if area is not None:
        rows = rows[_area_mask(rows, area)]
        if rows.empty:
            names = table.loc[table["measure"] == code, "area_name"].dropna().unique()
            raise NotFoundError(f"measure {code} has no rows for area {area!r}",
                                closest(area, names))
    if period is not None:
        periods = sort_periods(rows["period"])
        if period not in periods:
            raise NotFoundError(f"measure {code} has no period {period!r}",
                                closest(period, periods, cutoff=0.3) or periods[:3])
        rows = rows[rows["period"] == period]
    return rows.drop(columns=["source_file"]).reset_index(drop=True)


def _area_mask(rows: pd.DataFrame, area: str) -> pd.Series:
    key = normalise(area)
    code_match = rows["area_code"].fillna("").str.upper() == area.strip().upper()
    name_match = rows["area_name"].fillna("").map(normalise) == key
    reg = _read("registry.parquet")
    ids = reg.loc[reg["area_id"] == area.strip().lower(), "area_code"].unique().tolist()
    return code_match | name_match | rows["area_code"].isin(ids)


def registry(edition: int = 2025, *, area_type: str | None = "local_area") -> pd.DataFrame:
    """The area registry of one State of the Nation edition.

    Columns: ``edition``, ``area_type`` (``local_area`` — the SMC's 205 (2025) or 203
    (2024) areas; ``itl2`` — 41 ITL2 regions, 2021 codes; ``itl1`` — 12 regions; ``nation``;
    ``uk``), ``area_id`` (slug: the key used everywhere; the SMC's own URL slug for 2025
    areas, and the 2025 slug for a 2024 area covering the same upper-tier codes),
    ``area_name`` (display name as in the SMC's composite files), ``area_code`` (primary
    GSS/ITL code), ``codes`` (every code covered, ``";"``-joined: upper tier, districts of
    county councils, merged areas; for ITL regions their LADs), ``upper_tier_codes``,
    ``region`` (12-way ITL1 region), ``nation``, ``smc_slug``, ``smc_code`` (2024 numeric
    code), ``alt_names``.

    ``area_type=None`` returns every type.
    """
    if edition not in COMPOSITE_EDITIONS:
        raise NotFoundError(f"no area registry for edition {edition!r}",
                            [str(e) for e in COMPOSITE_EDITIONS])
    reg = _read("registry.parquet")
    rows = reg[reg["edition"] == edition]
    if area_type is not None:
        if area_type not in AREA_TYPES:
            raise NotFoundError(f"unknown area_type {area_type!r}", list(AREA_TYPES))
        rows = rows[rows["area_type"] == area_type]
    return rows.reset_index(drop=True).copy()


def gss_lookup() -> pd.DataFrame:
    """Every GSS/ITL code → area: ``gss_code, edition, area_type, area_id, role`` (role:
    ``primary``, ``upper_tier``, ``district`` (a district of a county council area),
    ``lad`` (a LAD in an ITL2 region), ``itl_nuts`` (the old UK-prefixed ITL2 code),
    ``itl2_member`` (an ITL2 region in an ITL1 region))."""
    return _read("gss_lookup.parquet").copy()


def composites(*, edition: int = 2025, index: str | None = None) -> pd.DataFrame:
    """The SMC composite indices by area and period.

    SoN 2025: ``ci1`` Conditions of Childhood, ``ci2`` Labour Market Opportunities for
    Young People, ``ci3`` Innovation and Growth (periods 2000 to 2005, 2006 to 2011, 2012
    to 2017, 2018 to 2024) and ``ci4`` Promising Prospects (2018 to 2020, 2021 to 2024) for
    205 areas; ``z`` is the published z-score (3 dp), ``band`` 1–7 (1 = "Least
    Favourable" … 7 = "Most Favourable", see :mod:`socmob.place.banding`).
    SoN 2024: the same four indices (SMC codes cc, lm, ig, pp) for 203 areas, full-precision
    z and 5 groups (1 = "Least Favourable", 3 = "Middle Group", 5 = "Most Favourable").

    Columns: ``index_code, index_title, area_id, area_code, area_name, region, nation,
    period, z, band, band_label``.
    """
    if edition not in COMPOSITE_EDITIONS:
        raise NotFoundError(f"no composite indices for edition {edition!r}",
                            [str(e) for e in COMPOSITE_EDITIONS])
    table = _read("composites.parquet")
    rows = table[table["edition"] == edition]
    if index is not None:
        codes = sorted(rows["index_code"].unique())
        key = normalise(index)
        titles = {normalise(t): c for t, c in zip(rows["index_title"], rows["index_code"],
                                                   strict=True)}
        code = key if key in codes else titles.get(key)
        if code is None:
            raise NotFoundError(f"unknown composite index {index!r}",
                                closest(index, codes + list(rows["index_title"].unique())))
        rows = rows[rows["index_code"] == code]
    reg = registry(edition)[["area_id", "area_code", "area_name", "region", "nation"]]
    out = rows.merge(reg, on="area_id", how="left", validate="many_to_one")
    return out[COMPOSITE_COLUMNS].reset_index(drop=True)


def boundaries(kind: str = "areas") -> geopandas.GeoDataFrame:
    """Simplified, web-ready boundaries in EPSG:4326 (GeoParquet inside the package).

    ``"areas"``: the 205 SoN 2025 areas (``area_id, area_name, area_code, geometry``),
    joined to the registry by ``area_id``. ``"itl2"``: the 41 ITL2 regions (January 2021
    codes, as in the registry and the indicators). ``"itl2_2025"``: the 46 ITL2 regions of
    January 2025 (used by the SoN 2025 GVA indicator).

    Source: Office for National Statistics licensed under the Open Government Licence
    v3.0. Contains OS data © Crown copyright and database right.
    """
    if kind not in BOUNDARY_KINDS:
        raise NotFoundError(f"unknown boundary set {kind!r}", closest(kind, BOUNDARY_KINDS)
                            or list(BOUNDARY_KINDS))
    return _read_geo(f"boundaries_{kind}.parquet").copy()


def attribution() -> str:
    """The attribution line every output derived from this data must carry."""
    return ATTRIBUTION


__all__ = [
    "AREA_TYPES",
    "BOUNDARY_KINDS",
    "COMPOSITE_COLUMNS",
    "COMPOSITE_EDITIONS",
    "attribution",
    "boundaries",
    "catalog",
    "composites",
    "data_dir",
    "gss_lookup",
    "load",
    "registry",
]
