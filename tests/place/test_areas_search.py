"""Finding an area as a council analyst types it: an area's name, a district's name, any
GSS code the area covers, or a typo (fuzzy "did you mean")."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from socmob.errors import NotFoundError
from socmob.place import areas

SHARED = Path(__file__).resolve().parents[2] / ".." / "shared"
LAD_TOPOJSON = SHARED / "data" / "smc-son" / "maps" / "lad-may2021-buc.topojson"


@pytest.mark.parametrize(("query", "area_id", "kind"), [
    ("Fenland", "cambridgeshire_cc", "district"),          # a district of a county area
    ("fenland ", "cambridgeshire_cc", "district"),
    ("E07000008", "cambridgeshire_cc", "code"),            # Cambridge's district code
    ("e07000010", "cambridgeshire_cc", "code"),            # Fenland's, lower case
    ("Cambridge", "cambridgeshire_cc", "district"),
    ("Allerdale", "cumbria", "district"),                  # merged into Cumberland, 2023
    ("E07000187", "somerset_cc", "code"),                  # Mendip → Somerset, 2023
    ("Belfast", "northern_ireland", "district"),
    ("Isles of Scilly", "cornwall_and_isles_of_scilly", "district"),
    ("Blackpool", "blackpool", "area"),
    ("E06000009", "blackpool", "code"),
])
def test_exact_answers(query: str, area_id: str, kind: str) -> None:
    found = areas.search(query)
    assert [m.area.id for m in found] == [area_id]
    assert found[0].kind == kind and found[0].exact
    assert areas.lookup(query).id == area_id


def test_a_district_says_why_it_leads_to_its_county() -> None:
    match = areas.search("Fenland")[0]
    assert match.leads_to_covering_area
    assert match.reason == ("Fenland is a district within Cambridgeshire CC: the State of "
                            "the Nation reports one set of figures for Cambridgeshire CC as "
                            "a whole.")
    code = areas.search("E07000008")[0]
    assert code.district == "Cambridge" and code.leads_to_covering_area
    assert code.reason.startswith("Cambridge (E07000008) is a district within Cambridgeshire")
    own = areas.search("E06000009")[0]
    assert not own.leads_to_covering_area and own.reason == "E06000009 is the code of Blackpool."


@pytest.mark.parametrize(("typo", "area_name"), [
    ("blackpol", "Blackpool"),
    ("Manchestr", "Manchester"),
    ("Fenlnd", "Cambridgeshire CC"),          # a typo of a district leads to its county
])
def test_typos_are_offered_not_taken(typo: str, area_name: str) -> None:
    found = areas.search(typo)
    assert found and found[0].kind == "similar" and not found[0].exact
    assert found[0].area.name == area_name
    assert found[0].score >= areas.FUZZY_CUTOFF
    with pytest.raises(NotFoundError, match="did you mean") as err:
        areas.lookup(typo)
    assert area_name in str(err.value)


def test_nothing_close() -> None:
    assert areas.search("qqqqzzzz") == []
    assert areas.search("   ") == []
    with pytest.raises(NotFoundError):
        areas.lookup("qqqqzzzz")
    with pytest.raises(NotFoundError, match="covers the code"):
        areas.lookup("E07999999")


def test_search_in_the_2024_edition() -> None:
    assert areas.lookup("Fenland", edition=2024).id == "cambridgeshire_cc"


def test_every_district_resolves_to_an_area() -> None:
    """Every district of districts.csv is covered by an area of both editions."""
    for edition in (2025, 2024):
        codes = {c.upper() for a in areas.all_areas(edition=edition) for c in a.codes}
        missing = [c for c, (_, covered) in areas.districts().items()
                   if covered.upper() not in codes]
        assert not missing, (edition, missing)


@pytest.mark.skipif(not LAD_TOPOJSON.exists(), reason="the SMC's shared maps are absent")
def test_district_names_are_the_ons_names() -> None:
    """districts.csv holds the LAD21 codes and names of the SMC's district map."""
    topo = json.loads(LAD_TOPOJSON.read_text(encoding="utf-8"))
    geoms = next(iter(topo["objects"].values()))["geometries"]
    ons = {g["properties"]["LAD21CD"]: g["properties"]["LAD21NM"] for g in geoms}
    ours = {code: name for code, (name, _) in areas.districts().items()}
    assert ours == ons


def test_the_cli_finds_a_district_and_says_why():
    from typer.testing import CliRunner

    from socmob.cli import app

    runner = CliRunner()
    done = runner.invoke(app, ["area", "Fenland"], env={"COLUMNS": "200"})
    assert done.exit_code == 0, done.output
    assert "Fenland is a district within Cambridgeshire CC" in done.output
    assert "Cambridgeshire CC" in done.output
    typo = runner.invoke(app, ["area", "blackpol"], env={"COLUMNS": "200"})
    assert typo.exit_code == 2 and "did you mean 'Blackpool'" in typo.output
