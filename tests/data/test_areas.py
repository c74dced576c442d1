"""The area registry and its lookups (socmob.place.areas, socmob.data.registry).

Reference facts come from the SMC's own area lists (smc-son ``areas/205_regions_codes.json``
and ``203_regions_codes.json``) and ONS GSS codes: Blackpool UA is E06000009; Cambridge
district E07000008 lies in Cambridgeshire county (E10000003); the City of London is
E09000001 and is merged with Camden (E09000007) by the SMC.
"""

from __future__ import annotations

import pytest

from socmob import data
from socmob.errors import NotFoundError
from socmob.place import areas


def test_area_counts() -> None:
    assert len(areas.all_areas()) == 205
    assert len(areas.all_areas(edition=2024)) == 203
    assert len(data.registry(2025)) == 205
    assert len(data.registry(2024)) == 203
    assert len(data.registry(2025, area_type="itl2")) == 41
    assert len(data.registry(2025, area_type="itl1")) == 12
    assert len(data.registry(2025, area_type="nation")) == 4
    assert len(data.registry(2025, area_type="uk")) == 1
    assert data.registry(2025)["area_id"].is_unique


def test_regions_are_the_12_itl1_regions() -> None:
    assert len(areas.regions()) == 12
    # published counts of areas by region (SoN 2025 "social mobility by area" headings)
    assert len(areas.all_areas(region="London")) == 32
    assert len(areas.all_areas(region="north west")) == 23
    assert len(areas.all_areas(region="Scotland")) == 32
    assert len(areas.all_areas(region="Wales")) == 22


@pytest.mark.parametrize(
    ("query", "expected_id"),
    [
        ("Blackpool", "blackpool"),
        ("  BLACKPOOL ", "blackpool"),
        ("blackpool", "blackpool"),
        ("E06000009", "blackpool"),
        ("e06000009", "blackpool"),
        ("E07000008", "cambridgeshire_cc"),  # Cambridge district → county area
        ("E10000003", "cambridgeshire_cc"),
        ("Cambridgeshire", "cambridgeshire_cc"),
        ("cambridgeshire_cc", "cambridgeshire_cc"),
        ("E09000001", "camden_and_city_of_london"),
        ("Camden", "camden_and_city_of_london"),
        ("aberdeen city", "aberdeen_city"),
        ("Aberdeen-City", "aberdeen_city"),
        ("St. Helens", "st_helens"),
        ("Kingston upon Hull", "kingston_upon_hull_city_of"),
        ("hull", "kingston_upon_hull_city_of"),  # the SMC's 2024 name
        ("Bristol", "bristol_city_of"),
        ("N09000003", "northern_ireland"),
        ("Durham County Council", "durham"),
    ],
)
def test_lookup_variants(query: str, expected_id: str) -> None:
    assert areas.lookup(query).id == expected_id


def test_lookup_fields() -> None:
    cambs = areas.lookup("E07000008")
    assert cambs.name == "Cambridgeshire CC"
    assert cambs.code == "E10000003"
    # Cambridgeshire county council area covers its five districts
    assert set(cambs.codes) == {"E10000003", "E07000008", "E07000009", "E07000010",
                                "E07000011", "E07000012"}
    assert cambs.region == "East"
    assert cambs.nation == "England"
    bp = areas.lookup("Blackpool")
    assert (bp.code, bp.region, bp.nation, bp.edition) == (
        "E06000009", "North West (England)", "England", 2025)


def test_did_you_mean() -> None:
    with pytest.raises(NotFoundError) as info:
        areas.lookup("Blakpool")
    assert "Blackpool" in info.value.suggestions
    assert "did you mean" in str(info.value)
    with pytest.raises(NotFoundError):
        areas.lookup("E99999999")
    with pytest.raises(NotFoundError):
        areas.lookup("")


def test_2024_registry() -> None:
    # 2024 merged North Somerset and South Gloucestershire into Bath and NE Somerset
    bath = areas.lookup("E06000025", edition=2024)
    assert bath.name == "Bath and North East Somerset"
    assert {"E06000022", "E06000024", "E06000025"} <= set(bath.codes)
    assert bath.id != "bath_and_north_east_somerset"  # different coverage from 2025
    # areas with the same coverage share the 2025 key
    assert areas.lookup("Blackpool", edition=2024).id == "blackpool"
    assert areas.lookup("E07000008", edition=2024).id == "cambridgeshire_cc"


def test_gss_lookup_covers_every_code() -> None:
    lookup = data.gss_lookup()
    reg = data.registry(2025)
    local = lookup[(lookup["edition"] == 2025) & (lookup["area_type"] == "local_area")]
    codes = {c for cs in reg["codes"] for c in cs.split(";")}
    assert set(local["gss_code"]) == codes
    assert not local["gss_code"].duplicated().any()  # each code in exactly one area
