"""Every area lies in an ITL2 region: the unitary authorities made after the ITL 2021
district lists are placed by the districts they replaced (ONS ITL 2021: Cumbria TLD1,
North Yorkshire TLE2, Leicestershire, Rutland and Northamptonshire TLF2, Dorset and
Somerset TLK2)."""

from __future__ import annotations

import pytest

from socmob import data

EXPECTED = {
    "E06000061": "itl2_leicestershire_rutland_and_northamptonshire",  # North Northants
    "E06000062": "itl2_leicestershire_rutland_and_northamptonshire",  # West Northants
    "E06000063": "itl2_cumbria",  # Cumberland
    "E06000064": "itl2_cumbria",  # Westmorland and Furness
    "E06000065": "itl2_north_yorkshire",
    "E06000066": "itl2_dorset_and_somerset",
}


def _lads(edition: int) -> dict[str, set[str]]:
    """District code → the ITL2 regions it lies in (two Scottish council areas, North
    Ayrshire and Argyll and Bute, straddle two regions)."""
    lookup = data.gss_lookup()
    lads = lookup[(lookup["role"] == "lad") & (lookup["edition"] == edition)]
    out: dict[str, set[str]] = {}
    for code, region in zip(lads["gss_code"], lads["area_id"], strict=True):
        out.setdefault(code, set()).add(region)
    return out


@pytest.mark.parametrize("edition", [2025, 2024])
def test_new_unitary_authorities_are_in_their_itl2_region(edition: int) -> None:
    lads = _lads(edition)
    for code, region in EXPECTED.items():
        assert lads[code] == {region}, code


@pytest.mark.parametrize("edition", [2025, 2024])
def test_every_area_has_a_district_in_an_itl2_region(edition: int) -> None:
    lads = _lads(edition)
    areas = data.registry(edition=edition, area_type="local_area")
    # Northern Ireland's area is the whole nation: its districts are listed by ITL2 too
    missing = [name for name, codes in zip(areas["area_name"], areas["codes"], strict=True)
               if not any(c in lads for c in str(codes).split(";"))]
    assert missing == []
