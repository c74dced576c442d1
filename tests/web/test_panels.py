"""Every panel of an area page is available, or says exactly why not; a bug in a panel is
a bug (a 500 page, an exception in a test), never "not available".

The areas are chosen for their edge cases: a county council (Cambridgeshire), Scotland
(Glasgow City), a nation with its own statistics (Northern Ireland), an island group
with no land neighbours (Orkney Islands), inner London (Tower Hamlets), a unitary
authority created after the ITL 2021 districts (Cumbria: its region is that of the
districts it replaced), and the SoN 2024 edition
(203 areas, one period per index, bespoke groups instead of bands on z).
"""

from __future__ import annotations

import logging
import re

import pytest

from socmob.errors import UnavailableError
from socmob.report import adapters, views

PANELS = ("indices", "uncertainty", "band_probabilities", "trend", "spatial", "expected",
          "peers", "indicators")

AREAS_2025 = ("blackpool", "cambridgeshire_cc", "glasgow_city", "northern_ireland",
              "tower_hamlets", "orkney_islands", "cumbria")

#: Panels that cannot exist, with (a part of) the reason the page gives.
NOT_AVAILABLE: dict[tuple[int, str], dict[str, str]] = {
    (2024, "blackpool"): {
        "uncertainty": "SoN 2024 groups are not a rule on the z-score",
        "band_probabilities": "SoN 2024 groups are not a rule on the z-score",
        "trend": "publishes one period of each index, so there is no change to show",
        "spatial": "packaged boundaries are not those of the SoN 2024 areas",
    },
    (2024, "orkney_islands"): {
        "uncertainty": "SoN 2024 groups are not a rule on the z-score",
        "band_probabilities": "SoN 2024 groups are not a rule on the z-score",
        "trend": "publishes one period of each index, so there is no change to show",
        "spatial": "packaged boundaries are not those of the SoN 2024 areas",
    },
}

CASES = [(2025, a) for a in AREAS_2025] + list(NOT_AVAILABLE)


def _section(text: str, name: str) -> str:
    start = text.index(f'<section class="govuk-!-margin-bottom-8" id="{name}"')
    return text[start:text.index("</section>", start)]


@pytest.mark.parametrize(("edition", "area_id"), CASES)
def test_every_panel_is_available_or_says_why(needs_data, edition, area_id):
    profile = views.area_profile(area_id, edition)
    expected = NOT_AVAILABLE.get((edition, area_id), {})
    assert set(profile.panels()) == set(PANELS)
    for name, section in profile.panels().items():
        if name in expected:
            assert not section.available, name
            assert expected[name] in (section.reason or ""), (name, section.reason)
        else:
            assert section.available, (name, section.reason)
            panel = section.get()
            assert len(panel.table) > 0, name
            # every row is this area's (the indicators are its ITL2 region's)
            if name != "indicators" and "area_id" in panel.table.columns:
                assert set(panel.table["area_id"].astype(str)) == {area_id}, name
    assert profile.questions.available


@pytest.mark.parametrize("area_id", AREAS_2025)
def test_area_page_shows_every_panel(client, needs_data, area_id):
    text = client.get(f"/areas/{area_id}").text
    for name in PANELS:
        section = _section(text, name)
        assert "socmob-unavailable" not in section, name
        assert "<table" in section, name
    assert "not available" not in text


def test_unavailable_panels_show_their_reason_on_the_page(needs_data):
    from fastapi.testclient import TestClient

    from socmob.web.app import create_app
    from socmob.web.settings import Settings

    app = create_app(Settings(secret_key="t", edition=2024, warm=False))
    with TestClient(app) as client:
        r = client.get("/areas/blackpool")
        assert r.status_code == 200
        for name, reason in NOT_AVAILABLE[(2024, "blackpool")].items():
            section = _section(r.text, name)
            assert "is not available:" in section and reason in section, name
        for name in set(PANELS) - set(NOT_AVAILABLE[(2024, "blackpool")]):
            assert "socmob-unavailable" not in _section(r.text, name), name
        # its download is a 503 with the reason, never an empty file
        r = client.get("/areas/blackpool/data/trend.csv")
        assert r.status_code == 503 and "one period of each index" in r.text
        trend = client.get("/api/areas/blackpool").json()["data"]["panels"]["trend"]
        assert trend["available"] is False and "one period of each index" in trend["reason"]
        briefing = client.get("/areas/blackpool/briefing.html").text
        assert "Not available for Blackpool in the 2024 edition" in briefing
        assert "one period of each index" in briefing


def test_indicator_groups_name_published_measures():
    from socmob import data

    config = adapters.indicator_groups()
    catalog = data.catalog()
    published = set(catalog.loc[catalog["edition"] == config["edition"], "code"].str.lower())
    for index_code, measures in config["indices"].items():
        assert set(measures) <= published, index_code


# ---------------------------------------------------------------- a bug is a bug


@pytest.fixture()
def fresh_app():
    """An app of its own, so no cached profile hides the patched panel."""
    from socmob.web.app import create_app
    from socmob.web.settings import Settings

    return create_app(Settings(secret_key="t", warm=False))


@pytest.mark.parametrize(("panel", "error"), [
    ("trend_panel", KeyError("ci9")),
    ("spatial_panel", TypeError("getis_ord() got an unexpected keyword argument")),
    ("peers_panel", AttributeError("'NoneType' object has no attribute 'peers'")),
    ("indicators_panel", ValueError("cannot convert")),
])
def test_a_failing_panel_is_a_500_not_unavailable(monkeypatch, fresh_app, caplog, panel,
                                                  error, needs_data):
    from fastapi.testclient import TestClient

    def broken(area, edition):
        raise error

    monkeypatch.setattr(adapters, panel, broken)
    # in production: the 500 page, and the traceback in the log
    with TestClient(fresh_app, raise_server_exceptions=False) as client:
        with caplog.at_level(logging.ERROR, logger="socmob.web"):
            r = client.get("/areas/blackpool")
        assert r.status_code == 500
        assert "problem with the service" in r.text and "not available" not in r.text
        assert type(error).__name__ not in r.text  # no internals on the page
        logged = [rec for rec in caplog.records if rec.exc_info]
        assert logged and logged[0].exc_info[0] is type(error)
        assert client.get("/api/areas/blackpool").status_code == 500
        assert client.get("/areas/blackpool/data/indices.csv").status_code == 500
    # in tests: the exception itself
    with TestClient(fresh_app) as client, pytest.raises(type(error)):
        client.get("/areas/blackpool")
    with pytest.raises(type(error)):
        views.area_profile("blackpool")


def test_a_failing_national_series_is_a_500(monkeypatch, fresh_app):
    from fastapi.testclient import TestClient

    def broken(measure):
        raise KeyError(measure)

    monkeypatch.setattr(views, "_national_cached", broken)
    with TestClient(fresh_app, raise_server_exceptions=False) as client:
        r = client.get("/")
        assert r.status_code == 500 and "not available" not in r.text
        assert client.get("/api/national").status_code == 500


def test_an_unavailable_panel_is_said_on_its_own(monkeypatch, fresh_app, needs_data):
    from fastapi.testclient import TestClient

    def unavailable(area, edition):
        raise UnavailableError("no peers were published for this test")

    monkeypatch.setattr(adapters, "peers_panel", unavailable)
    with TestClient(fresh_app) as client:
        r = client.get("/areas/blackpool")
        assert r.status_code == 200
        assert re.search(r"Peers is not available:</strong>\s*no peers were published for "
                         r"this test\.", _section(r.text, "peers"))
        assert "socmob-unavailable" not in _section(r.text, "trend")
