"""The web's area search answers as the library does (socmob.place.areas.search): an
area's name goes to its page, a district or a district's code says why it leads to its
county area, a typo offers "did you mean"."""

from __future__ import annotations

import re

import pytest


def _results(html: str) -> str:
    found = re.search(r'<section aria-labelledby="results-heading".*?</section>', html, re.S)
    assert found, "no search results section"
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", found.group(0)))


@pytest.mark.parametrize(("query", "district"), [("Fenland", "Fenland"),
                                                 ("E07000008", "Cambridge (E07000008)")])
def test_a_district_leads_to_its_county_with_the_reason(client, needs_data, query, district):
    r = client.get("/areas", params={"q": query}, follow_redirects=False)
    assert r.status_code == 200
    text = _results(r.text)
    assert f"“{query}” is in Cambridgeshire CC" in text
    assert f"{district} is a district within Cambridgeshire CC" in text
    assert 'id="go-to-area" href="/areas/cambridgeshire_cc"' in r.text


def test_a_typo_offers_did_you_mean(client, needs_data):
    r = client.get("/areas", params={"q": "blackpol"}, follow_redirects=False)
    assert r.status_code == 200
    assert "Did you mean" in _results(r.text)
    assert '<a class="govuk-link" href="/areas/blackpool">Blackpool</a>' in r.text


@pytest.mark.parametrize(("query", "area_id"), [("Blackpool", "blackpool"),
                                                ("E06000009", "blackpool"),
                                                ("glasgow city", "glasgow_city")])
def test_an_area_or_its_own_code_goes_to_its_page(client, needs_data, query, area_id):
    r = client.get("/areas", params={"q": query}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/areas/{area_id}"


def test_nothing_found_says_so(client, needs_data):
    text = _results(client.get("/areas", params={"q": "qqqqzzzz"}).text)
    assert "No area matches “qqqqzzzz”" in text
