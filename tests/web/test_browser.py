"""End-to-end: the dashboard in headless Debian Chromium (Playwright), against a live
uvicorn server, with axe-core (from node_modules) on every page.

Every page visited is screenshotted under ``test-artifacts/web/`` and checked with
axe-core's WCAG 2.0/2.1/2.2 A and AA rules: no violation is allowed, whatever its impact.
Content Security Policy violations reported by the browser fail the test too.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

import pytest
from tests.web.conftest import ARTIFACTS, check_page, data_available

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not data_available(), reason="embedded data not available")]

@pytest.fixture()
def csp_errors(page):
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text)
            if "Content Security Policy" in m.text else None)
    return errors


def test_home(page, csp_errors):
    page.goto("/")
    assert page.locator("h1").inner_text().startswith("Social mobility")
    # charts: server-rendered SVG (or its live vega-embed version) and a data table each
    assert page.locator("figure[data-chart]").count() == 2
    assert page.locator("table.govuk-table").count() >= 2
    page.wait_for_selector(".socmob-chart__live svg", timeout=30_000)
    check_page(page, "home")
    assert not csp_errors


def test_map(page, csp_errors):
    page.goto("/map")
    # ci4 has other periods than ci1: the period chosen for ci1 falls back to the latest
    page.select_option("#index", "ci4")
    page.click("button:has-text('Show map')")
    page.wait_for_url(re.compile(r"index=ci4"))
    assert "Promising Prospects, 2021 to 2024" in page.locator("h2").first.inner_text()
    assert page.locator("#map-table tbody tr").count() == 205
    assert page.locator(".socmob-band-legend li").count() == 7
    check_page(page, "map")
    assert not csp_errors


@pytest.mark.parametrize("area_id, name", [
    ("cambridgeshire_cc", "Cambridgeshire"),  # an English county
    ("glasgow_city", "Glasgow City"),  # a Scottish council
    ("northern_ireland", "Northern Ireland"),
])
def test_area_profiles(page, csp_errors, area_id, name):
    page.goto(f"/areas/{area_id}")
    assert name in page.locator("h1").inner_text()
    assert page.locator("#questions-heading").is_visible()
    assert page.locator("#indices figure[data-chart]").count() == 1
    check_page(page, f"area-{area_id}")
    assert not csp_errors


def test_compare(page, csp_errors):
    page.goto("/compare")
    # areas are typed (names, districts or codes), with the names suggested as you type
    page.fill("#area-1", "Cambridgeshire CC")
    page.fill("#area-2", "Glasgow City")
    page.fill("#area-3", "N92000002")
    page.click("#compare-chosen button:has-text('Compare')")
    page.wait_for_url(re.compile(r"areas=Glasgow"))
    assert "Comparing Cambridgeshire CC, Glasgow City, Northern Ireland" in page.content()
    check_page(page, "compare")
    assert not csp_errors


def _synthetic_hr() -> tuple[bytes, bytes]:
    """A SYNTHETIC HR extract and its column mapping (socmob.synth.workforce)."""
    import yaml

    synth = pytest.importorskip("socmob.synth.workforce")
    made = synth.synthetic_workforce(300, seed=3)
    return (made.frame.to_csv(index=False).encode(),
            yaml.safe_dump(made.mapping.to_dict()).encode())


def test_employer_upload(page, csp_errors):
    page.goto("/employers")
    check_page(page, "employers")
    extract, mapping = _synthetic_hr()
    page.set_input_files("#hr-file", files=[{"name": "synthetic-hr.csv",
                                             "mimeType": "text/csv", "buffer": extract}])
    page.set_input_files("#mapping-file", files=[{"name": "mapping.yaml",
                                                  "mimeType": "application/x-yaml",
                                                  "buffer": mapping}])
    page.click("button:has-text('Upload and continue')")
    page.wait_for_selector("#report", timeout=120_000)
    text = page.locator("main").inner_text()
    assert "SYNTHETIC DATA" in text and "Headline figures" in text
    assert "Traceback" not in page.content()
    check_page(page, "employers-report")
    assert not csp_errors


def test_explorer_upload(page, csp_errors):
    page.goto("/explorer")
    table = b"origin,destination,count\nhigh,high,40\nhigh,low,10\nlow,high,20\nlow,low,30\n"
    page.set_input_files("#explorer-file", files=[{"name": "two.csv", "mimeType": "text/csv",
                                                   "buffer": table}])
    page.click("button:has-text('Upload and explore')")
    page.wait_for_selector("#results")
    check_page(page, "explorer")
    # results of an upload are not kept: their CSV comes with the page
    with page.expect_download() as info:
        page.click("a[download='socmob-explorer-odds_ratios.csv']")
    odds = Path(info.value.path()).read_text()
    assert odds.splitlines()[0].startswith("measure,area_code,area_name,period")
    assert not csp_errors


def test_methods_and_error_pages(page, csp_errors):
    page.goto("/methods")
    assert "Open Government Licence v3.0" in page.content()
    check_page(page, "methods")
    page.goto("/accessibility")
    check_page(page, "accessibility")
    page.goto("/areas?q=shire")
    assert page.locator("main li a[href='/areas/cambridgeshire_cc']").count() >= 1
    check_page(page, "areas-search")
    response = page.goto("/no-such-page")
    assert response.status == 404
    check_page(page, "not-found")
    assert not csp_errors


def test_briefing_pdf_download(page):
    pypdf = pytest.importorskip("pypdf")
    page.goto("/areas/glasgow_city")
    with page.expect_download(timeout=120_000) as info:
        page.click("#briefing-pdf")
    path = info.value.path()
    data = Path(path).read_bytes()
    (ARTIFACTS / "briefing-glasgow_city.pdf").write_bytes(data)
    reader = pypdf.PdfReader(io.BytesIO(data))
    # whole tables (no longer cut to their first rows) with the charts at a legible
    # size: a few more pages than the 2–4 of the cut tables and shrunken charts
    assert 2 <= len(reader.pages) <= 8
    assert "Glasgow City" in reader.pages[0].extract_text()


def _tab_to(page, selector: str, limit: int = 80) -> None:
    """Press Tab until the element matching ``selector`` has focus."""
    for _ in range(limit):
        page.keyboard.press("Tab")
        if page.evaluate("(s) => document.activeElement && document.activeElement.matches(s)",
                         selector):
            return
    raise AssertionError(f"{selector} not reachable with Tab in {limit} presses")


def test_keyboard_only_journey_home_to_briefing(page):
    """Home → search for an area → its profile → its briefing, keyboard only."""
    page.goto("/")
    _tab_to(page, "a.govuk-skip-link")
    page.keyboard.press("Enter")  # skip to main content
    _tab_to(page, "#area-search")
    page.keyboard.type("Glasgow City")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/areas/glasgow_city$"))
    _tab_to(page, "#briefing-html")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/areas/glasgow_city/briefing\.html$"))
    assert "Glasgow City: social mobility briefing" in page.locator("h1").inner_text()
    page.screenshot(path=str(ARTIFACTS / "keyboard-briefing.png"), full_page=True)
    check_page(page, "briefing-html")


def test_works_without_javascript(browser, live_server):
    """Progressive enhancement: with JavaScript off, charts are the server's SVG, the
    tables are there and the CSV download works."""
    context = browser.new_context(base_url=live_server, java_script_enabled=False,
                                  accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(60_000)
    try:
        page.goto("/areas/cambridgeshire_cc")
        static = page.locator("#indices .socmob-chart__static svg[role='img']")
        assert static.count() == 1
        assert "Cambridgeshire" in static.get_attribute("aria-label")
        assert page.locator("#indices table.govuk-table").count() == 1
        with page.expect_download() as info:
            page.click("#indices a[download]")
        text = Path(info.value.path()).read_text()
        assert text.splitlines()[0].startswith("measure,area_code,area_name,period")
        page.screenshot(path=str(ARTIFACTS / "area-no-js.png"), full_page=True)
    finally:
        context.close()
