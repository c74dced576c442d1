#!/usr/bin/env python3
"""Build socmob's embedded default dataset from the SMC State of the Nation release.

Reads the raw files under ``<source>/smc-son/`` and ``<source>/smc-derived/`` and writes
compact Parquet files into ``src/socmob/data/default/`` (see ``docs/data.md``)::

    python scripts/build_default_data.py [--source ../shared/data] [--out src/socmob/data/default]
    python scripts/build_default_data.py --analyses-only

The second form (also the last step of a build into the package) computes the
every-area analyses the dashboard shows — rank uncertainty, Getis–Ord hot spots,
better/worse than expected, trends: seeded, so always the same — from the packaged data
with the library (``socmob.report.adapters.EVERY_AREA``) and ships their tidy results in
``analyses/`` beside it, under the key of the data, the options and the socmob version
(``socmob.data.precomputed``), so that the dashboard reads them instead of computing
them at every start.

Why Parquet: columnar, typed (numbers stay numbers, nulls stay nulls), compressed (the
whole dataset is well under 1 MB) and read natively by pandas, DuckDB and Spark alike, so
the same files feed the library, the engine and the web app. Boundaries are GeoParquet
(WKB geometry, EPSG:4326), which geopandas reads directly.

The build is deterministic: rows are sorted, Parquet settings (zstd level 9, one row group,
dictionary encoding, statistics) are fixed and no timestamps are written, so two builds
from the same source give the same bytes. It is also all-or-nothing: everything is
written to a temporary folder beside ``--out`` and renamed into place only when every file
has been built. A malformed source (missing file or column, unreadable file) stops the
build with a one-line message naming the file and column, and exit code 2.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import shutil
import sys
import tempfile
import warnings
from collections.abc import Iterable, Sequence
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

REPO = Path(__file__).resolve().parents[1]
if str(REPO / "src") not in sys.path:  # run from a source tree without installing
    sys.path.insert(0, str(REPO / "src"))

# one normalisation for names everywhere: the build's joins and the package's lookups
from socmob._text import normalise  # noqa: E402
from socmob.periods import sort_periods  # noqa: E402

DEFAULT_SOURCE = REPO.parent / "shared" / "data"
DEFAULT_OUT = REPO / "src" / "socmob" / "data" / "default"

UPSTREAM = "ukgov-equality-hub/smc-son"
UPSTREAM_COMMIT = "0dcee7a8"
LICENCE = "OGL-3.0"
ATTRIBUTION = (
    "Contains public sector information from the Social Mobility Commission and the "
    "Office for National Statistics, licensed under the Open Government Licence v3.0."
)

#: Parquet writer settings, fixed so that rebuilds give identical bytes.
PARQUET_OPTIONS: dict[str, object] = {
    "compression": "zstd",
    "compression_level": 9,
    "use_dictionary": True,
    "write_statistics": True,
    "data_page_version": "2.0",
}

#: The 7 SoN 2025 bands: the explorer's raw category → (band number, label).
BANDS_2025: dict[str, tuple[int, str]] = {
    "most unfavourable": (1, "Least Favourable"),
    "unfavourable": (2, "Unfavourable"),
    "lower middling": (3, "Lower Middling"),
    "middling": (4, "Middling"),
    "upper middling": (5, "Upper Middling"),
    "favourable": (6, "Favourable"),
    "most favourable": (7, "Most Favourable"),
}

#: The 5 SoN 2024 groups ("bespoke groups produced by our supplier. They are not quintiles").
GROUPS_2024: dict[str, int] = {
    "Least Favourable": 1,
    "Unfavourable": 2,
    "Middle Group": 3,
    "Favourable": 4,
    "Most Favourable": 5,
}

#: SoN 2024 index codes → the SoN 2025 codes of the same index.
INDEX_2024_TO_2025 = {"cc": "ci1", "lm": "ci2", "ig": "ci3", "pp": "ci4"}

#: Nations and the UK: (area_id, name, GSS code). The nation ids carry a prefix because
#: the SMC's own local area "northern_ireland" covers the whole of Northern Ireland.
NATIONS: tuple[tuple[str, str, str], ...] = (
    ("uk", "United Kingdom", "K02000001"),
    ("nation_england", "England", "E92000001"),
    ("nation_northern_ireland", "Northern Ireland", "N92000002"),
    ("nation_scotland", "Scotland", "S92000003"),
    ("nation_wales", "Wales", "W92000004"),
)
OTHER_COUNTRY_CODES = {"great britain": "K03000001"}

#: Primary GSS code of the areas that merge several upper-tier codes: the code of the area
#: named first (Northern Ireland: the country code). Single-code areas use their code.
PRIMARY_CODE_OVERRIDES = {
    "Camden and City of London": "E09000007",
    "Cornwall and Isles of Scilly": "E06000052",
    "Cumbria": "E06000063",
    "Cumbria county council": "E06000063",
    "Bath and North East Somerset": "E06000022",
    "Northern Ireland": "N92000002",
}

KIND_BY_PREFIX = {"ci": "composite", "dr": "driver", "in": "intermediate outcome",
                  "mo": "mobility outcome"}

TIDY_COLUMNS = ["measure", "area_code", "area_name", "area_type", "period", "breakdown",
                "group", "value", "lci", "uci", "n", "unit", "note"]
EXTRA_COLUMNS = ["edition", "title", "kind", "age", "variable", "weight", "se"]

SON_COLUMNS = ["measure_code", "measure_title", "area_code", "area_type", "area_name",
               "primary_split_type", "primary_split_value", "secondary_split_type",
               "secondary_split_value", "tertiary_split_type", "tertiary_split_value",
               "fourth_split_type", "fourth_split_value", "time_period", "value", "lci",
               "uci", "sample_size", "unit", "value_note"]
MO_COLUMNS = ["Ind_code", "Ind_name", "Area_type", "Area_code", "Area_name", "Time_period",
              "SEB", "Age", "Sex", "Category_type", "Category", "Value", "Sample_size", "LCI",
              "UCI", "SE", "Unit", "Value_note"]


class BuildError(Exception):
    """A malformed or missing source file (message names the file and column)."""


# --------------------------------------------------------------------------- helpers


def slugify(text: str) -> str:
    return normalise(text).replace(" ", "_")


def clean_slug(slug: str) -> str:
    """The SMC's URL slug without the characters that need quoting (commas):
    ``"bristol,_city_of"`` → ``"bristol_city_of"``."""
    return re.sub(r"[^a-z0-9_-]", "", slug.lower())


def rel(path: Path, source: Path) -> str:
    try:
        return str(path.relative_to(source))
    except ValueError:
        return str(path)


def read_csv(path: Path, source: Path, required: Iterable[str]) -> pd.DataFrame:
    """Read a CSV as strings ('NA' and '' kept as text), checking required columns."""
    name = rel(path, source)
    if not path.is_file():
        raise BuildError(f"file {name}: not found")
    try:
        frame = pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8")
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError,
            OSError) as exc:
        raise BuildError(f"file {name}: cannot read as CSV ({type(exc).__name__})") from None
    for column in required:
        if column not in frame.columns:
            raise BuildError(f"file {name}: missing column {column!r}")
    return frame


def read_json(path: Path, source: Path) -> object:
    name = rel(path, source)
    if not path.is_file():
        raise BuildError(f"file {name}: not found")
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise BuildError(f"file {name}: cannot read as JSON ({type(exc).__name__})") from None


def na(series: pd.Series) -> pd.Series:
    """Replace the source's missing markers ('NA', '') by real nulls."""
    out = series.astype("string").str.strip()
    return out.mask(out.isin(["NA", "", "NaN", "nan"]))


def numeric(series: pd.Series, name: str, column: str) -> pd.Series:
    values = na(series)
    parsed = pd.to_numeric(values, errors="coerce")
    bad = parsed.isna() & values.notna() & ~values.isin(["x", "z", ".", "c", "*"])
    if bad.any():
        row = int(bad.to_numpy().nonzero()[0][0]) + 2
        raise BuildError(
            f"file {name}, row {row}, column {column!r}: "
            f"{values[bad].iloc[0]!r} is not a number"
        )
    return parsed.astype("float64")


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_parquet(frame: pd.DataFrame, path: Path) -> None:
    table = pa.Table.from_pandas(frame.reset_index(drop=True), preserve_index=False)
    pq.write_table(table, path, row_group_size=max(len(frame), 1), **PARQUET_OPTIONS)


# --------------------------------------------------------------------------- registry


def build_registry(source: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The area registry (local areas of both editions, ITL2, nations) and the GSS lookup."""
    derived = source / "smc-derived"
    cols = ["area_name", "area_name_in_codes_json", "slug", "region", "country",
            "upper_tier_gss_codes", "all_gss_codes"]
    a25 = read_csv(derived / "smc_areas_205_son2025.csv", source, cols)
    a24 = read_csv(derived / "smc_areas_203_son2024.csv", source,
                   [*cols, "smc_area_code_2024"])
    # cross-check the derived table against the SMC's own codes JSON
    for edition, frame, key in ((2025, a25, "205_regions"), (2024, a24, "203_regions")):
        path = source / "smc-son" / "areas" / f"{len(frame)}_regions_codes.json"
        data = read_json(path, source)
        if not isinstance(data, dict) or key not in data:
            raise BuildError(f"file {rel(path, source)}: missing key {key!r}")
        by_url = {row["url"]: sorted(row["codes"]) for row in data[key]}
        for row in frame.itertuples(index=False):
            if sorted(str(row.all_gss_codes).split(";")) != by_url.get(str(row.slug)):
                raise BuildError(
                    f"file {rel(path, source)}: area {row.slug!r} codes differ from the "
                    f"SoN {edition} area table"
                )

    records: list[dict[str, object]] = []
    ids_2025: dict[tuple[str, ...], str] = {}
    for row in a25.itertuples(index=False):
        upper = tuple(str(row.upper_tier_gss_codes).split(";"))
        ids_2025[tuple(sorted(upper))] = clean_slug(str(row.slug))
    used_2025 = set(ids_2025.values())

    def local(row: object, edition: int) -> dict[str, object]:
        r = row._asdict()  # type: ignore[attr-defined]
        upper = str(r["upper_tier_gss_codes"]).split(";")
        codes = str(r["all_gss_codes"]).split(";")
        name = str(r["area_name"])
        primary = PRIMARY_CODE_OVERRIDES.get(name, upper[0])
        if len(upper) > 1 and name not in PRIMARY_CODE_OVERRIDES:
            raise BuildError(f"area {name!r} merges several codes; add its primary code")
        if primary not in codes:
            codes = [primary, *codes]
        if edition == 2025:
            area_id = clean_slug(str(r["slug"]))
        else:
            own = clean_slug(str(r["slug"]))
            matched = ids_2025.get(tuple(sorted(upper)))
            area_id = matched or own
            if matched is None and own in used_2025:
                area_id = f"{area_id}_2024"  # same slug, different coverage
        alt = sorted({str(r["area_name_in_codes_json"]), str(r["slug"]).replace("_", " ")}
                     - {name})
        return {
            "edition": edition,
            "area_type": "local_area",
            "area_id": area_id,
            "area_name": name,
            "area_code": primary,
            "codes": ";".join(codes),
            "upper_tier_codes": ";".join(upper),
            "region": str(r["region"]),
            "nation": str(r["country"]),
            "smc_slug": str(r["slug"]),
            "smc_code": int(r["smc_area_code_2024"]) if edition == 2024 else None,
            "alt_names": ";".join(alt),
        }

    for row in a25.itertuples(index=False):
        records.append(local(row, 2025))
    for row in a24.itertuples(index=False):
        records.append(local(row, 2024))

    # ITL2 (2021 geography, the one the SMC indicators use) from areas.csv + LAD lookup
    areas_csv = read_csv(source / "smc-son" / "areas" / "areas.csv", source,
                         ["Area_type", "Area_code", "Area_name"])
    xlsx = source / "smc-son" / "areas" / "LAD20_LAU121_ITL321_ITL221_ITL121_UK_LU_v2.xlsx"
    if not xlsx.is_file():
        raise BuildError(f"file {rel(xlsx, source)}: not found")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lad = pd.read_excel(xlsx, dtype=str)
    except Exception as exc:  # openpyxl raises many kinds on a corrupt workbook
        raise BuildError(f"file {rel(xlsx, source)}: cannot read ({type(exc).__name__})") from None
    for column in ("LAD20CD", "ITL221CD", "ITL221NM", "ITL121CD", "ITL121NM"):
        if column not in lad.columns:
            raise BuildError(f"file {rel(xlsx, source)}: missing column {column!r}")
    nation_of_itl1 = {"TLL": "Wales", "TLM": "Scotland", "TLN": "Northern Ireland"}
    itl = lad.groupby(["ITL221CD", "ITL221NM", "ITL121CD", "ITL121NM"], as_index=False).agg(
        lads=("LAD20CD", lambda s: ";".join(sorted(set(s)))))
    merged = areas_csv.merge(itl, left_on="Area_name", right_on="ITL221NM", how="left")
    missing = merged[merged["ITL221CD"].isna()]
    if len(missing):
        raise BuildError(
            f"file smc-son/areas/areas.csv: ITL2 region {missing['Area_name'].iloc[0]!r} "
            "is not in the LAD→ITL lookup"
        )
    for edition in (2025, 2024):
        for row in merged.itertuples(index=False):
            records.append({
                "edition": edition,
                "area_type": "itl2",
                "area_id": "itl2_" + slugify(str(row.Area_name)),
                "area_name": str(row.Area_name),
                "area_code": str(row.ITL221CD),
                "codes": ";".join([str(row.ITL221CD), str(row.Area_code),
                                   *str(row.lads).split(";")]),
                "upper_tier_codes": str(row.ITL221CD),
                "region": str(row.ITL121NM),
                "nation": nation_of_itl1.get(str(row.ITL121CD), "England"),
                "smc_slug": None,
                "smc_code": None,
                "alt_names": str(row.Area_code),
            })
        itl1 = lad[["ITL121CD", "ITL121NM"]].drop_duplicates().sort_values("ITL121CD")
        for row in itl1.itertuples(index=False):
            members = merged.loc[merged["ITL121CD"] == row.ITL121CD, "ITL221CD"]
            records.append({
                "edition": edition,
                "area_type": "itl1",
                "area_id": "itl1_" + slugify(str(row.ITL121NM).replace("(England)", "")),
                "area_name": str(row.ITL121NM),
                "area_code": str(row.ITL121CD),
                "codes": ";".join([str(row.ITL121CD), *sorted(members)]),
                "upper_tier_codes": str(row.ITL121CD),
                "region": str(row.ITL121NM),
                "nation": nation_of_itl1.get(str(row.ITL121CD), "England"),
                "smc_slug": None,
                "smc_code": None,
                "alt_names": "",
            })
        for area_id, name, code in NATIONS:
            records.append({
                "edition": edition,
                "area_type": "uk" if code.startswith("K") else "nation",
                "area_id": area_id, "area_name": name, "area_code": code, "codes": code,
                "upper_tier_codes": code, "region": name if name != "England" else None,
                "nation": name, "smc_slug": None, "smc_code": None, "alt_names": "",
            })
    # a 2025 area also answers to the names the SMC gave it in 2024 ("hull", "glasgow")
    alias_2024: dict[str, set[str]] = {}
    for rec in records:
        if rec["edition"] == 2024 and rec["area_type"] == "local_area":
            extra = {str(rec["area_name"]), str(rec["smc_slug"]).replace("_", " ")}
            alias_2024.setdefault(str(rec["area_id"]), set()).update(extra)
    for rec in records:
        if rec["edition"] == 2025 and rec["area_type"] == "local_area":
            names = set(filter(None, str(rec["alt_names"]).split(";")))
            names |= alias_2024.get(str(rec["area_id"]), set())
            rec["alt_names"] = ";".join(sorted(names - {str(rec["area_name"])}))
    registry = pd.DataFrame.from_records(records)
    registry["edition"] = registry["edition"].astype("int16")
    registry["smc_code"] = registry["smc_code"].astype("Int16")
    type_order = {"local_area": 0, "itl2": 1, "itl1": 2, "nation": 3, "uk": 4}
    registry = (
        registry.assign(_t=registry["area_type"].map(type_order))
        .sort_values(["edition", "_t", "area_id"], ascending=[False, True, True])
        .drop(columns="_t")
        .reset_index(drop=True)
    )
    for edition, n in ((2025, 205), (2024, 203)):
        got = ((registry["edition"] == edition) & (registry["area_type"] == "local_area")).sum()
        if got != n:
            raise BuildError(f"SoN {edition}: expected {n} areas, found {got}")
        ids = registry.loc[registry["edition"] == edition, "area_id"]
        if ids.duplicated().any():
            raise BuildError(f"SoN {edition}: duplicate area_id {ids[ids.duplicated()].iloc[0]!r}")

    lookup_rows = []
    for row in registry.itertuples(index=False):
        upper = set(str(row.upper_tier_codes).split(";"))
        for code in str(row.codes).split(";"):
            role = ("primary" if code == row.area_code else
                    "upper_tier" if code in upper else
                    "lad" if row.area_type == "itl2" and code[:1] in "ENSWN" and len(code) == 9 else
                    "itl2_member" if row.area_type == "itl1" else
                    "itl_nuts" if row.area_type == "itl2" else "district")
            lookup_rows.append({"gss_code": code, "edition": row.edition,
                                "area_type": row.area_type, "area_id": row.area_id,
                                "role": role})
    lookup_rows += successor_rows(lookup_rows)
    lookup = (pd.DataFrame.from_records(lookup_rows)
              .drop_duplicates()
              .sort_values(["edition", "gss_code", "area_type", "area_id"],
                           ascending=[False, True, True, True])
              .reset_index(drop=True))
    lookup["edition"] = lookup["edition"].astype("int16")
    return registry, lookup


#: Unitary authorities made after the ITL 2021 district lists, from the districts they
#: replaced (The Cumbria, Northamptonshire, North Yorkshire and Somerset Structural
#: Changes Orders; ONS Register of Geographic Codes). The ITL2 lookup names the old
#: districts only, so each new authority is placed in the ITL2 region of its
#: predecessors — all of which lie in one region, which the build checks.
SUCCESSORS: dict[str, tuple[str, ...]] = {
    "E06000061": ("E07000150", "E07000152", "E07000153", "E07000156"),  # North Northants
    "E06000062": ("E07000151", "E07000154", "E07000155"),  # West Northamptonshire
    "E06000063": ("E07000026", "E07000028", "E07000029"),  # Cumberland
    "E06000064": ("E07000027", "E07000030", "E07000031"),  # Westmorland and Furness
    "E06000065": ("E07000163", "E07000164", "E07000165", "E07000166", "E07000167",
                  "E07000168", "E07000169"),  # North Yorkshire
    "E06000066": ("E07000187", "E07000188", "E07000189", "E07000246"),  # Somerset
}


def successor_rows(lookup_rows: list[dict[str, object]]) -> list[dict[str, object]]:
    """A ``lad`` row placing each of :data:`SUCCESSORS` in the ITL2 region of the
    districts it replaced, per edition (none where the lookup already lists it)."""
    lads = [r for r in lookup_rows if r["role"] == "lad"]
    listed = {(r["edition"], r["gss_code"]) for r in lads}
    region = {(r["edition"], r["gss_code"]): r["area_id"] for r in lads}
    out: list[dict[str, object]] = []
    for edition in sorted({r["edition"] for r in lads}, key=str):
        for code, old in SUCCESSORS.items():
            if (edition, code) in listed:
                continue
            regions = {region.get((edition, c)) for c in old}
            if None in regions or len(regions) != 1:
                raise BuildError(f"SoN {edition}: the districts {code} replaced "
                                 f"({', '.join(old)}) are not all in one ITL2 region")
            out.append({"gss_code": code, "edition": edition, "area_type": "itl2",
                        "area_id": regions.pop(), "role": "lad"})
    return out


# --------------------------------------------------------------------------- composites


def build_composites(source: Path, registry: pd.DataFrame) -> pd.DataFrame:
    """Composite indices ci1–ci4: SoN 2025 from the raw ci files, SoN 2024 from the
    derived 203-area table."""
    frames = []
    reg25 = registry[(registry["edition"] == 2025) & (registry["area_type"] == "local_area")]
    id_by_name = dict(zip(reg25["area_name"], reg25["area_id"], strict=True))
    for k in range(1, 5):
        path = source / "smc-son" / "son25" / f"2025-01-01-ci{k}-full-dataset.csv"
        name = rel(path, source)
        raw = read_csv(path, source, ["measure_code", "measure_title", "area_name",
                                      "secondary_split_value", "time_period", "value", "unit"])
        z = numeric(raw["value"], name, "value")
        category = na(raw["secondary_split_value"]).str.lower()
        unknown = ~category.isin(list(BANDS_2025))
        if unknown.any():
            row = int(unknown.to_numpy().nonzero()[0][0]) + 2
            raise BuildError(f"file {name}, row {row}, column 'secondary_split_value': "
                             f"unknown category {category[unknown].iloc[0]!r}")
        area_id = raw["area_name"].map(id_by_name)
        if area_id.isna().any():
            row = int(area_id.isna().to_numpy().nonzero()[0][0]) + 2
            raise BuildError(f"file {name}, row {row}, column 'area_name': "
                             f"{raw['area_name'][area_id.isna()].iloc[0]!r} is not a SoN 2025 area")
        frames.append(pd.DataFrame({
            "edition": 2025,
            "index_code": raw["measure_code"].str.lower(),
            "index_title": raw["measure_title"],
            "area_id": area_id,
            "period": raw["time_period"],
            "z": z,
            "band": category.map(lambda c: BANDS_2025[c][0]),
            "band_label": category.map(lambda c: BANDS_2025[c][1]),
            "category": category,
        }))
    path = source / "smc-derived" / "smc_composites_203_son2024.csv"
    name = rel(path, source)
    raw = read_csv(path, source, ["index_code", "index_title", "smc_area_code_2024",
                                  "time_period", "z_score", "category"])
    reg24 = registry[(registry["edition"] == 2024) & (registry["area_type"] == "local_area")]
    id_by_code = {str(int(c)): a for c, a in zip(reg24["smc_code"], reg24["area_id"], strict=True)}
    area_id = raw["smc_area_code_2024"].map(id_by_code)
    if area_id.isna().any():
        raise BuildError(f"file {name}, column 'smc_area_code_2024': unknown area code "
                         f"{raw['smc_area_code_2024'][area_id.isna()].iloc[0]!r}")
    unknown = ~raw["category"].isin(list(GROUPS_2024))
    if unknown.any():
        raise BuildError(f"file {name}, column 'category': unknown group "
                         f"{raw['category'][unknown].iloc[0]!r}")
    frames.append(pd.DataFrame({
        "edition": 2024,
        "index_code": raw["index_code"].map(INDEX_2024_TO_2025),
        "index_title": raw["index_title"],
        "area_id": area_id,
        "period": raw["time_period"],
        "z": numeric(raw["z_score"], name, "z_score"),
        "band": raw["category"].map(GROUPS_2024),
        "band_label": raw["category"],
        "category": raw["category"].str.lower(),
    }))
    out = pd.concat(frames, ignore_index=True)
    out["edition"] = out["edition"].astype("int16")
    out["band"] = out["band"].astype("int8")
    out = out.sort_values(["edition", "index_code", "period", "area_id"],
                          ascending=[False, True, True, True]).reset_index(drop=True)
    if out.duplicated(["edition", "index_code", "period", "area_id"]).any():
        raise BuildError("composites: duplicate (edition, index, period, area) rows")
    return out


# --------------------------------------------------------------------------- indicators


def _flatten(pairs: Sequence[tuple[pd.Series, pd.Series]], n: int) -> tuple[pd.Series, pd.Series]:
    """Join split (type, value) pairs into 'a; b' breakdown and 'x; y' group strings."""
    breakdown = pd.Series([""] * n, dtype="string")
    group = pd.Series([""] * n, dtype="string")
    for kind, value in pairs:
        present = kind.notna()
        sep = (breakdown != "") & present
        breakdown = breakdown.mask(sep, breakdown + "; ")
        group = group.mask(sep, group + "; ")
        breakdown = breakdown.mask(present, breakdown + kind.fillna(""))
        group = group.mask(present, group + value.fillna("NA"))
    empty = breakdown == ""
    return breakdown.mask(empty, "total"), group.mask(empty, "Total")


#: Spellings of the ITL1 regions in the mobility-outcome files → the ONS name.
ITL1_ALIASES = {
    "east of england": "east",
    "yorks and humber": "yorkshire and the humber",
    "yorkshire and humberside": "yorkshire and the humber",
}


def _itl1_key(name: object) -> str:
    key = normalise(str(name).replace("(England)", ""))
    return ITL1_ALIASES.get(key, key)


def _place(area_type: pd.Series, area_name: pd.Series, area_code: pd.Series,
           registry: pd.DataFrame, itl2_2025: dict[str, str]) -> tuple[pd.Series, pd.Series]:
    """Canonical area_type and area_code, derived from the area name: the source's codes
    are missing for most ITL2 rows, wrong for some (every ITL2 row of one file says TLH2;
    nation rows say K02000001), and ITL1 regions are spelt several ways.

    Rules: an ITL2 row naming one of the 41 ITL2 regions → ``itl2``; otherwise a nation /
    UK / GB name → ``country`` with its GSS code; an ITL2 row → ``itl2``
    (2021 geography, code from the registry) or, if the name is only in the January 2025
    ITL2 geography, ``itl2_2025``; an ITL1 row, or a "national" row naming an English
    region → ``itl1`` with its TL code; anything else keeps its lower-cased type and code.
    """
    reg = registry[registry["edition"] == 2025]
    itl2_rows = reg[reg["area_type"] == "itl2"]
    itl2 = {normalise(n): c for n, c in zip(itl2_rows["area_name"], itl2_rows["area_code"],
                                            strict=True)}
    itl1_rows = reg[reg["area_type"] == "itl1"]
    itl1 = {_itl1_key(n): c for n, c in zip(itl1_rows["area_name"], itl1_rows["area_code"],
                                            strict=True)}
    countries = {normalise(n): c for _, n, c in NATIONS} | OTHER_COUNTRY_CODES
    types: list[str | None] = []
    codes: list[str | None] = []
    for t, name, code in zip(area_type.str.lower(), area_name, area_code, strict=True):
        key = normalise(name)
        if t == "itl2" and key in itl2:  # "Northern Ireland" is an ITL2 region too
            types.append("itl2")
            codes.append(itl2[key])
        elif key in countries and t in ("country", "national", "itl2", "itl1", ""):
            if t == "itl1" and _itl1_key(name) in itl1:
                types.append("itl1")
                codes.append(itl1[_itl1_key(name)])
            else:
                types.append("country")
                codes.append(countries[key])
        elif t == "itl2":
            if key in itl2:
                types.append("itl2")
                codes.append(itl2[key])
            else:
                types.append("itl2_2025")
                codes.append(itl2_2025.get(key))
        elif t in ("itl1", "national") and _itl1_key(name) in itl1:
            types.append("itl1")
            codes.append(itl1[_itl1_key(name)])
        else:
            types.append(t if t else None)
            codes.append(None if pd.isna(code) or code in ("NA", "") else str(code))
    return pd.Series(types, dtype="string"), pd.Series(codes, dtype="string")


def _numeric_rows(series: pd.Series, files: pd.Series, rows: pd.Series,
                  column: str) -> pd.Series:
    """:func:`numeric` over rows gathered from several files (error names file and row)."""
    values = na(series)
    parsed = pd.to_numeric(values, errors="coerce")
    bad = parsed.isna() & values.notna() & ~values.isin(["x", "z", ".", "c", "*"])
    if bad.any():
        first = int(bad.to_numpy().nonzero()[0][0])
        raise BuildError(
            f"file {files.iloc[first]}, row {int(rows.iloc[first])}, column {column!r}: "
            f"{values.iloc[first]!r} is not a number"
        )
    return parsed.astype("float64")


def _son_files(paths: Sequence[tuple[Path, str]], source: Path, registry: pd.DataFrame,
               itl2_2025: dict[str, str]) -> pd.DataFrame:
    """The SoN dr*/in* full-dataset files (``(path, edition)`` pairs) in the tidy schema.

    Files are read and checked one by one, then transformed together (one vectorised
    pass is much faster than 65 small ones).
    """
    optional_cols = ("age_used", "variable_used", "weight_used")
    raws = []
    for path, edition in paths:
        raw = read_csv(path, source, SON_COLUMNS)
        for col in optional_cols:
            if col not in raw.columns:
                raw[col] = "NA"
        raw = raw[[*SON_COLUMNS, *optional_cols]].copy()
        raw["_row"] = range(2, len(raw) + 2)  # spreadsheet row numbers (header = 1)
        raw["_file"] = rel(path, source)
        raw["_edition"] = edition
        raws.append(raw[na(raw["measure_code"]).notna()])
    raw = pd.concat(raws, ignore_index=True)
    files, rows = raw["_file"], raw["_row"]
    area_name = na(raw["area_name"])
    period = na(raw["time_period"])
    pairs = []
    for level in ("primary", "secondary", "tertiary", "fourth"):
        kind = na(raw[f"{level}_split_type"])
        value = na(raw[f"{level}_split_value"])
        redundant = ((kind == "time_period") & (value == period)) | (
            (kind == "area_name") & (value == area_name))
        pairs.append((kind.mask(redundant.fillna(False)), value))
    breakdown, group = _flatten(pairs, len(raw))
    area_type, area_code = _place(na(raw["area_type"]).fillna(""), area_name,
                                  na(raw["area_code"]), registry, itl2_2025)
    n_raw = na(raw["sample_size"])
    note = na(raw["value_note"])
    suppressed = n_raw.isin(["x", "z", ".", "c", "*"])
    note = note.mask(suppressed & note.isna(), "sample size suppressed in the source")
    return pd.DataFrame({
        "measure": raw["measure_code"].str.lower(),
        "area_code": area_code,
        "area_name": area_name,
        "area_type": area_type,
        "period": period,
        "breakdown": breakdown,
        "group": group,
        "value": _numeric_rows(raw["value"], files, rows, "value"),
        "lci": _numeric_rows(raw["lci"], files, rows, "lci"),
        "uci": _numeric_rows(raw["uci"], files, rows, "uci"),
        "n": _numeric_rows(raw["sample_size"], files, rows, "sample_size"),
        "unit": na(raw["unit"]),
        "note": note,
        "edition": raw["_edition"],
        "title": raw["measure_title"],
        "age": na(raw["age_used"]),
        "variable": na(raw["variable_used"]),
        "weight": na(raw["weight_used"]),
        "se": pd.Series([float("nan")] * len(raw), dtype="float64"),
        "source_file": files,
    })


def _mo_file(path: Path, source: Path, registry: pd.DataFrame,
             itl2_2025: dict[str, str]) -> pd.DataFrame:
    name = rel(path, source)
    raw = read_csv(path, source, MO_COLUMNS)
    raw = raw[na(raw["Ind_code"]).notna()].reset_index(drop=True)
    n = len(raw)

    def pair(kind_col: str | None, default: str, value_col: str) -> tuple[pd.Series, pd.Series]:
        value = na(raw[value_col]) if value_col in raw.columns else pd.Series([pd.NA] * n,
                                                                            dtype="string")
        if kind_col and kind_col in raw.columns:
            # "Occupational class" → "occupational_class", like the SoN split types
            kind = na(raw[kind_col]).fillna(default).str.lower().str.replace(" ", "_")
        else:
            kind = pd.Series([default] * n, dtype="string")
        return kind.mask(value.isna()), value

    pairs = [pair(None, "sex", "Sex"), pair(None, "seb", "SEB"),
             pair("Category_type", "category", "Category"),
             pair("Category_type2", "category2", "Category2")]
    breakdown, group = _flatten(pairs, n)
    area_name = na(raw["Area_name"])
    area_type, area_code = _place(na(raw["Area_type"]).fillna(""), area_name,
                                  na(raw["Area_code"]), registry, itl2_2025)
    return pd.DataFrame({
        "measure": raw["Ind_code"].str.upper(),
        "area_code": area_code,
        "area_name": area_name,
        "area_type": area_type,
        "period": na(raw["Time_period"]),
        "breakdown": breakdown,
        "group": group,
        "value": numeric(raw["Value"], name, "Value"),
        "lci": numeric(raw["LCI"], name, "LCI"),
        "uci": numeric(raw["UCI"], name, "UCI"),
        "n": numeric(raw["Sample_size"], name, "Sample_size"),
        "unit": na(raw["Unit"]),
        "note": na(raw["Value_note"]),
        "edition": "son-mo",
        "title": raw["Ind_name"],
        "age": na(raw["Age"]),
        "variable": pd.Series([pd.NA] * n, dtype="string"),
        "weight": pd.Series([pd.NA] * n, dtype="string"),
        "se": numeric(raw["SE"], name, "SE"),
        "source_file": name,
    })


def _ci2023_file(path: Path, source: Path, registry: pd.DataFrame,
                 itl2_2025: dict[str, str]) -> pd.DataFrame:
    """SoN 2023 composite indices on the 41 ITL2 regions (min–max-then-average scores)."""
    name = rel(path, source)
    raw = read_csv(path, source, ["Ind_code", "Ind_name", "Area_code", "Area_name",
                                  "Area_type", "Value", "Quintile"])
    n = len(raw)
    area_name = na(raw["Area_name"])
    area_type, area_code = _place(na(raw["Area_type"]).fillna(""), area_name,
                                  na(raw["Area_code"]), registry, itl2_2025)
    return pd.DataFrame({
        # prefixed: the SoN 2023 codes CI1–CI5 would clash with the 2025 indices ci1–ci4
        "measure": "son23_" + raw["Ind_code"].str.lower(),
        "area_code": area_code,
        "area_name": area_name,
        "area_type": area_type,
        "period": pd.Series(["SoN 2023"] * n, dtype="string"),
        "breakdown": pd.Series(["total"] * n, dtype="string"),
        "group": pd.Series(["Total"] * n, dtype="string"),
        "value": numeric(raw["Value"], name, "Value"),
        "lci": float("nan"),
        "uci": float("nan"),
        "n": float("nan"),
        "unit": pd.Series(["index (0 to 1)"] * n, dtype="string"),
        "note": ("quintile " + na(raw["Quintile"])).astype("string"),
        "edition": "son23",
        "title": raw["Ind_name"],
        "age": pd.Series([pd.NA] * n, dtype="string"),
        "variable": pd.Series([pd.NA] * n, dtype="string"),
        "weight": pd.Series([pd.NA] * n, dtype="string"),
        "se": float("nan"),
        "source_file": name,
    })


def itl2_2025_codes(source: Path) -> dict[str, str]:
    path = source / "smc-son" / "maps" / "itl2-jan2025-buc.topojson"
    data = read_json(path, source)
    try:
        objects = data["objects"]  # type: ignore[index]
        geoms = next(iter(objects.values()))["geometries"]
        return {normalise(g["properties"]["ITL225NM"]): g["properties"]["ITL225CD"]
                for g in geoms}
    except (KeyError, TypeError, StopIteration):
        raise BuildError(f"file {rel(path, source)}: missing property 'ITL225NM'/'ITL225CD'") \
            from None


def build_indicators(source: Path, registry: pd.DataFrame) -> pd.DataFrame:
    itl25 = itl2_2025_codes(source)
    son: list[tuple[Path, str]] = []
    for edition in ("son25", "son26"):
        folder = source / "smc-son" / edition
        files = sorted(p for p in folder.glob("*-full-dataset.csv")
                       if re.search(r"-(dr|in)\d+-", p.name))
        if not files:
            raise BuildError(f"folder {rel(folder, source)}: no dr*/in* full-dataset files")
        son += [(p, edition) for p in files]
    frames = [_son_files(son, source, registry, itl25)]
    mo = sorted((source / "smc-son" / "mobility-outcomes").glob("MO*-full-dataset.csv"))
    if not mo:
        raise BuildError("folder smc-son/mobility-outcomes: no MO*-full-dataset.csv files")
    frames += [_mo_file(p, source, registry, itl25) for p in mo]
    frames.append(_ci2023_file(source / "smc-son" / "areas" / "CI_20230817.csv", source,
                               registry, itl25))
    out = pd.concat(frames, ignore_index=True)
    out["kind"] = out["measure"].str[:2].str.lower().map(KIND_BY_PREFIX)
    out.loc[out["edition"] == "son23", "kind"] = "composite"
    for col in ("value", "lci", "uci", "n", "se"):
        out[col] = out[col].astype("float64")
    string_cols = [c for c in out.columns if c not in ("value", "lci", "uci", "n", "se")]
    for col in string_cols:
        out[col] = out[col].astype("string")
    out = out.sort_values(
        ["edition", "measure", "area_type", "area_code", "area_name", "period", "breakdown",
         "group", "age", "variable", "note", "value"], na_position="last", kind="mergesort",
    ).reset_index(drop=True)
    return out[[*TIDY_COLUMNS, *EXTRA_COLUMNS, "source_file"]]


def build_catalog(indicators: pd.DataFrame, composites: pd.DataFrame) -> pd.DataFrame:
    rows = []
    for (code, edition), part in indicators.groupby(["measure", "edition"], sort=True):
        rows.append({
            "code": code,
            "title": part["title"].dropna().iloc[0],
            "kind": part["kind"].iloc[0],
            "edition": edition,
            "unit": "; ".join(sorted(part["unit"].dropna().unique())),
            "periods": "; ".join(sort_periods(part["period"])),
            "geographies": "; ".join(sorted(part["area_type"].dropna().unique())),
            "rows": len(part),
            "source": f"{UPSTREAM}@{UPSTREAM_COMMIT}: "
                      + "; ".join(sorted(part["source_file"].unique())),
            "licence": LICENCE,
            "table": "indicators",
        })
    for (code, edition), part in composites.groupby(["index_code", "edition"], sort=True):
        rows.append({
            "code": code,
            "title": part["index_title"].iloc[0],
            "kind": "composite",
            "edition": f"son{int(edition) % 100}",
            "unit": "z-score",
            "periods": "; ".join(sort_periods(part["period"])),
            "geographies": "local_area",
            "rows": len(part),
            "source": f"{UPSTREAM}@{UPSTREAM_COMMIT}: "
                      + ("son25/2025-01-01-" + code + "-full-dataset.csv" if edition == 2025
                         else "smc-derived/smc_composites_203_son2024.csv"),
            "licence": LICENCE,
            "table": "composites",
        })
    cat = pd.DataFrame.from_records(rows)
    cat["rows"] = cat["rows"].astype("int32")
    order = {"composite": 0, "driver": 1, "intermediate outcome": 2, "mobility outcome": 3}
    return (cat.assign(_k=cat["kind"].map(order))
            .sort_values(["_k", "code", "edition"]).drop(columns="_k").reset_index(drop=True))


# --------------------------------------------------------------------------- boundaries


#: Boundary simplification (degrees): coverage-preserving tolerance (~800 m), smallest
#: island part kept (~0.7 km²; an area's largest part is always kept), coordinate grid
#: (~100 m). Together they bring the three boundary files to ~350 KB.
TOLERANCE = 0.0075
MIN_PART_AREA = 1e-4
GRID = 1e-3


def _drop_islets(geoms: object, min_area: float) -> object:
    """Drop polygon parts smaller than ``min_area`` (keeping each geometry's largest)."""
    import numpy as np
    import shapely

    out = []
    for geom in geoms:  # type: ignore[attr-defined]
        parts = list(shapely.get_parts(geom))
        keep = [p for p in parts if p.area >= min_area] or [max(parts, key=lambda p: p.area)]
        out.append(shapely.multipolygons(keep) if len(keep) > 1 else keep[0])
    return np.array(out, dtype=object)


def _polygonal(geoms: object) -> object:
    """Keep only the polygonal parts (make_valid may return slivers as lines or points)."""
    import numpy as np
    import shapely

    out = []
    for geom in geoms:  # type: ignore[attr-defined]
        if geom.geom_type in ("Polygon", "MultiPolygon"):
            out.append(geom)
        else:
            parts = [p for p in shapely.get_parts(geom)
                     if p.geom_type in ("Polygon", "MultiPolygon")]
            out.append(shapely.union_all(parts))
    return np.array(out, dtype=object)


def build_boundaries(source: Path, registry: pd.DataFrame) -> dict[str, object]:
    """Repair (make_valid) and simplify the SMC's 205-area and ITL2 boundaries; the
    simplification keeps shared edges shared (shapely.coverage_simplify)."""
    import geopandas as gpd
    import shapely

    out: dict[str, object] = {}
    maps = source / "smc-son" / "maps"
    specs = (
        ("areas", "uk-205-areas-2025.topojson", "Newname", None, TOLERANCE),
        ("itl2", "itl2-jan2021-buc.topojson", "ITL221CD", "ITL221NM", TOLERANCE),
        ("itl2_2025", "itl2-jan2025-buc.topojson", "ITL225CD", "ITL225NM", TOLERANCE),
    )
    reg25 = registry[registry["edition"] == 2025]
    for kind, filename, key, name_key, tolerance in specs:
        path = maps / filename
        if not path.is_file():
            raise BuildError(f"file {rel(path, source)}: not found")
        try:
            frame = gpd.read_file(path)
        except Exception as exc:  # GDAL errors vary by driver
            raise BuildError(f"file {rel(path, source)}: cannot read ({type(exc).__name__})") \
                from None
        if key not in frame.columns:
            raise BuildError(f"file {rel(path, source)}: missing property {key!r}")
        if frame.crs is None:
            frame = frame.set_crs("EPSG:4326")  # the SMC file is lon/lat without a CRS
        frame = frame.to_crs("EPSG:4326")
        geoms = _polygonal(shapely.make_valid(frame.geometry.to_numpy()))
        geoms = _drop_islets(geoms, MIN_PART_AREA)
        geoms = shapely.coverage_simplify(geoms, tolerance)
        geoms = _polygonal(shapely.make_valid(geoms))
        geoms = shapely.set_precision(geoms, GRID)
        if kind == "areas":
            local = reg25[reg25["area_type"] == "local_area"]
            id_by_name = dict(zip(local["area_name"], local["area_id"], strict=True))
            area_id = frame[key].map(id_by_name)
            if area_id.isna().any() or area_id.nunique() != len(local):
                raise BuildError(
                    f"file {rel(path, source)}: property {key!r} joins "
                    f"{area_id.nunique()}/{len(local)} areas"
                )
            attrs = pd.DataFrame({"area_id": area_id, "area_name": frame[key],
                                  "area_code": area_id.map(dict(zip(local["area_id"],
                                                                    local["area_code"],
                                                                    strict=True)))})
        else:
            attrs = pd.DataFrame({"area_code": frame[key], "area_name": frame[name_key]})
            itl = reg25[reg25["area_type"] == "itl2"]
            ids = dict(zip(itl["area_code"], itl["area_id"], strict=True))
            attrs.insert(0, "area_id", attrs["area_code"].map(ids)
                         .fillna("itl2_2025_" + attrs["area_name"].map(slugify)))
            if kind == "itl2" and attrs["area_id"].str.startswith("itl2_2025").any():
                raise BuildError(f"file {rel(path, source)}: ITL2 codes do not match the registry")
        gdf = gpd.GeoDataFrame(attrs, geometry=geoms, crs="EPSG:4326")
        gdf = gdf.sort_values("area_id").reset_index(drop=True)
        out[kind] = gdf
    return out


# --------------------------------------------------------------------------- readme


def readme(source: Path, files: dict[str, Path]) -> str:
    inputs = sorted(p for p in (source / "smc-son").rglob("*") if p.is_file()
                    and p.suffix in (".csv", ".json", ".xlsx", ".topojson"))
    inputs += sorted((source / "smc-derived").glob("*.csv"))
    lines = [
        "# socmob default dataset",
        "",
        "Built by `scripts/build_default_data.py` from the Social Mobility Commission's",
        f"State of the Nation data explorer (public repository `{UPSTREAM}`, commit",
        f"`{UPSTREAM_COMMIT}`) and the ONS boundaries it ships. Do not edit by hand: rebuild.",
        "",
        f"**Attribution.** {ATTRIBUTION}",
        "Boundaries: Source: Office for National Statistics licensed under the Open",
        "Government Licence v3.0. Contains OS data © Crown copyright and database right.",
        "Licence text: https://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/",
        "",
        "| file | rows | what |",
        "| --- | --- | --- |",
    ]
    what = {
        "registry.parquet": "area registry: SoN 2025 (205) and 2024 (203) areas, 41 ITL2 "
                            "and 12 ITL1 regions, 4 nations + UK (per edition); slug "
                            "`area_id`, name, "
                            "primary GSS code, every GSS code covered, region, nation",
        "gss_lookup.parquet": "GSS code → area (edition, area_type, area_id, role)",
        "composites.parquet": "composite indices ci1–ci4 by area and period: z, band, label "
                              "(2025: 7 bands; 2024: 5 groups)",
        "indicators.parquet": "drivers (dr*), intermediate outcomes (in*) of son25/son26, "
                              "mobility outcomes (MO*) and the SoN 2023 ITL2 composites in "
                              "one tidy long table",
        "catalog.parquet": "one row per measure and edition: title, kind, unit, periods, "
                           "geographies, source, licence",
        "boundaries_areas.parquet": "GeoParquet, EPSG:4326: the 205 areas, repaired and "
                                    "simplified",
        "boundaries_itl2.parquet": "GeoParquet, EPSG:4326: 41 ITL2 regions (Jan 2021)",
        "boundaries_itl2_2025.parquet": "GeoParquet, EPSG:4326: 46 ITL2 regions (Jan 2025)",
    }
    for fname, path in sorted(files.items()):
        rows = pq.ParquetFile(path).metadata.num_rows
        lines.append(f"| `{fname}` | {rows} | {what[fname]} |")
    lines += ["", "`analyses/` holds the dashboard's every-area analyses of these files (rank "
              "uncertainty,", "Getis–Ord hot spots, better/worse than expected, trends, peers), "
              "computed by socmob at data", "build (seeded) and read under the key in its "
              "`manifest.json` (`socmob.data.precomputed`).", "Rebuild them alone with "
              "`python scripts/build_default_data.py --analyses-only`."]
    lines += ["", "## Inputs (SHA-256)", "", "| file | sha256 |", "| --- | --- |"]
    for path in inputs:
        lines.append(f"| `{rel(path, source)}` | `{sha256(path)[:16]}` |")
    lines += ["", "See `docs/data.md` in the repository for the schema.", ""]
    return "\n".join(lines)


# --------------------------------------------------------------------------- main


def build(source: Path, out: Path) -> None:
    """Build every file into a temporary folder, then move it into place."""
    if not source.is_dir():
        raise BuildError(f"source folder {source} not found")
    registry, lookup = build_registry(source)
    composites = build_composites(source, registry)
    indicators = build_indicators(source, registry)
    catalog = build_catalog(indicators, composites)
    shapes = build_boundaries(source, registry)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    tmp.chmod(0o755)
    try:
        files: dict[str, Path] = {}
        for fname, frame in (("registry.parquet", registry), ("gss_lookup.parquet", lookup),
                             ("composites.parquet", composites),
                             ("indicators.parquet", indicators), ("catalog.parquet", catalog)):
            files[fname] = tmp / fname
            write_parquet(frame, files[fname])
        for kind, gdf in shapes.items():
            fname = f"boundaries_{kind}.parquet"
            files[fname] = tmp / fname
            gdf.to_parquet(files[fname], index=False, compression="zstd",  # type: ignore[attr-defined]
                           row_group_size=len(gdf), write_covering_bbox=False)
        (tmp / "README.md").write_text(readme(source, files), encoding="utf-8")
        old = out.with_name(f".{out.name}-old")
        if old.exists():
            shutil.rmtree(old)
        if out.exists():
            out.rename(old)
        tmp.rename(out)
        if old.exists():
            shutil.rmtree(old)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def build_analyses() -> Path:
    """Compute the dashboard's every-area analyses of every edition from the packaged
    data and ship them (``socmob.data.precomputed``)."""
    from socmob.data import COMPOSITE_EDITIONS, precomputed
    from socmob.report import adapters

    frames = {}
    for edition in COMPOSITE_EDITIONS:
        for name, frame in adapters.every_area_frames(edition).items():
            frames[(name, edition)] = frame
    key = precomputed.analysis_key(adapters.analysis_options())
    return precomputed.write_analyses(frames, key=key)


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE,
                        help="folder holding smc-son/ and smc-derived/ (default: %(default)s)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="output folder (default: %(default)s)")
    parser.add_argument("--analyses-only", action="store_true",
                        help="only compute and ship the dashboard's analyses of the "
                             "packaged data (into its analyses/ folder)")
    args = parser.parse_args(argv)
    if args.analyses_only:
        print(f"wrote {build_analyses()}")
        return 0
    try:
        build(args.source.resolve(), args.out.resolve())
    except BuildError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"wrote {args.out}")
    if args.out.resolve() == DEFAULT_OUT.resolve():
        print(f"wrote {build_analyses()}")
    else:  # the analyses read the package's data, not --out
        print("the analyses are computed from the installed package's data: copy the "
              "files into it and run --analyses-only")
    return 0


if __name__ == "__main__":
    sys.exit(main())
