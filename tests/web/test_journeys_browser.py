"""The council analyst's journeys in headless Chromium at a laptop (1366 px) and a phone
(390 px) width, each page checked with axe-core (no violation of any impact; see
``conftest.check_page``) and screenshotted under ``test-artifacts/web/``:

* find an area by a district's name, a district's GSS code and a typo;
* the map: highlight my area, then click an area to open its profile;
* the profile → compare with its peers;
* the profile → the briefing PDF.

At 390 px no page scrolls sideways.
"""

from __future__ import annotations

import io
import json
import re
from pathlib import Path

import pytest
from tests.web.conftest import ARTIFACTS, check_page, data_available

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not data_available(), reason="embedded data not available")]

WIDTHS = {"laptop": 1366, "phone": 390}


@pytest.fixture(params=sorted(WIDTHS))
def sized(request, browser, live_server):
    """(page, label) at a laptop's and a phone's width."""
    width = WIDTHS[request.param]
    context = browser.new_context(base_url=live_server, accept_downloads=True,
                                  viewport={"width": width, "height": 900 if width > 500
                                            else 844})
    page = context.new_page()
    page.set_default_timeout(90_000)
    yield page, request.param
    context.close()


def _no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    viewport = page.evaluate("window.innerWidth")
    assert width <= viewport, f"the page scrolls sideways: {width} > {viewport} px"


def _charts_fit(page) -> None:
    """Every live chart is laid out within its figure (not wider, so nothing is cut
    off), and its text is not shrunk: a chart is drawn at its own size (an SVG's width
    equals its laid-out width), never scaled down by the page."""
    page.wait_for_selector(".socmob-chart__live svg")
    found = page.evaluate("""() => [...document.querySelectorAll('.socmob-chart__live svg')]
        .map(svg => ({figure: svg.closest('figure').clientWidth,
                      drawn: svg.getBoundingClientRect().width,
                      own: parseFloat(svg.getAttribute('width'))}))""")
    assert found
    for chart in found:
        assert chart["drawn"] <= chart["figure"] + 1, chart
        if chart["own"] <= chart["figure"]:
            assert abs(chart["drawn"] - chart["own"]) <= 1, chart


def _search_from_home(page, query: str) -> None:
    page.goto("/")
    page.fill("#area-search", query)
    page.locator("#area-search").press("Enter")
    page.wait_for_load_state("networkidle")


@pytest.mark.parametrize(("query", "said"), [
    ("Fenland", "Fenland is a district within Cambridgeshire CC"),
    ("E07000008", "Cambridge (E07000008) is a district within Cambridgeshire CC"),
])
def test_find_an_area_by_district_or_code(sized, query, said):
    page, label = sized
    _search_from_home(page, query)
    results = page.locator("#search-results")
    assert said in results.inner_text()
    check_page(page, f"journey-search-{query.lower()}-{label}")
    _no_sideways_scroll(page)
    page.click("#go-to-area")
    page.wait_for_url(re.compile(r"/areas/cambridgeshire_cc$"))
    assert "Cambridgeshire CC" in page.locator("h1").inner_text()


def test_find_an_area_with_a_typo(sized):
    page, label = sized
    _search_from_home(page, "blackpol")
    assert "Did you mean" in page.locator("#search-results").inner_text()
    check_page(page, f"journey-search-typo-{label}")
    page.click("#search-results a:has-text('Blackpool')")
    page.wait_for_url(re.compile(r"/areas/blackpool$"))
    assert page.locator("h1").inner_text().strip() == "Blackpool"


def test_map_highlight_then_click_an_area_to_its_profile(sized):
    page, label = sized
    page.goto("/map")
    page.fill("#map-area", "Tower Hamlets")
    page.click("button:has-text('Show map')")
    page.wait_for_url(re.compile(r"area=Tower"))
    assert "Tower Hamlets is outlined in yellow" in page.locator("#map-highlight").inner_text()
    page.wait_for_selector(".socmob-chart__live svg", timeout=60_000)
    check_page(page, f"journey-map-{label}")
    _no_sideways_scroll(page)
    # the London inset: a click on a borough opens its profile. Its shapes are drawn in
    # the order of the geometry file's features, those of London kept.
    spec = json.loads(page.locator("script.socmob-spec").first.text_content())
    london = set(spec["vconcat"][1]["transform"][0]["filter"]["oneOf"])
    features = page.request.get("/geo/areas.json").json()["features"]
    order = [f["properties"]["area_id"] for f in features
             if f["properties"]["area_id"] in london]
    borough = page.locator(".socmob-chart__live g.concat_1_layer_0_marks path").nth(
        order.index("hackney"))
    borough.scroll_into_view_if_needed()
    borough.click(force=True)
    page.wait_for_url(re.compile(r"/areas/hackney$"))
    assert "Hackney" in page.locator("h1").inner_text()


def test_profile_tiles_then_compare_with_peers(sized):
    page, label = sized
    page.goto("/areas/tower_hamlets")
    tiles = page.locator(".socmob-tile")
    assert tiles.count() == 4
    first = tiles.first.inner_text()
    assert "Conditions of Childhood" in first and "of 205" in first and "likely between" in first
    check_page(page, f"journey-area-tower_hamlets-{label}")
    _no_sideways_scroll(page)
    _charts_fit(page)
    page.click("#compare-peers")
    page.wait_for_url(re.compile(r"preset=peers"))
    assert "Tower Hamlets and its 4 nearest peers" in page.locator("h2#comparison-heading"
                                                                   ).inner_text()
    rows = page.locator("#comparison table tbody tr")
    assert rows.count() == 5 * 4  # five areas × four indices
    assert "Likely rank range" in page.locator("#comparison table thead").inner_text()
    check_page(page, f"journey-compare-peers-{label}")
    _no_sideways_scroll(page)


def test_profile_to_briefing_pdf(sized):
    pypdf = pytest.importorskip("pypdf")
    page, label = sized
    page.goto("/areas/cambridgeshire_cc")
    with page.expect_download(timeout=180_000) as info:
        page.click("#briefing-pdf")
    data = Path(info.value.path()).read_bytes()
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"journey-briefing-cambridgeshire_cc-{label}.pdf").write_bytes(data)
    reader = pypdf.PdfReader(io.BytesIO(data))
    text = reader.pages[0].extract_text()
    assert "Cambridgeshire CC" in text and "At a glance" in text
