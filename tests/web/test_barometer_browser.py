"""The barometer page in headless Debian Chromium (Playwright) against a live uvicorn
server, at a laptop width (1366 px) and a phone width (390 px): the demonstration, and an
upload taken through both steps of the form to its results. No console error, and
axe-core (WCAG 2.0/2.1/2.2 A and AA) finds no violation of any impact. Screenshots are
written to ``test-artifacts/web/barometer-*.png``."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from tests.web.conftest import ARTIFACTS, check_page

pytestmark = pytest.mark.browser

WIDTHS = (1366, 390)


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def narrow_or_wide(request, browser, live_server):
    """A page at one of the two widths, collecting console errors and page errors."""
    width = request.param
    context = browser.new_context(base_url=live_server,
                                  viewport={"width": width, "height": 900},
                                  accept_downloads=True)
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(f"{m.type}: {m.text} ({m.location})")
          if m.type == "error" else None)
    pg.on("pageerror", lambda e: errors.append(f"page error: {e}"))
    yield pg, width, errors
    context.close()


def _synthetic_files(tmp_path: Path) -> tuple[Path, Path]:
    from socmob.synth.barometer import synth_barometer

    made = synth_barometer(600, waves=2, seed=9)
    return made.write(tmp_path / "barometer.sav"), made.write_margins(tmp_path / "margins.csv")


def test_barometer_demo(narrow_or_wide):
    page, width, errors = narrow_or_wide
    page.goto("/barometer")
    assert "SYNTHETIC — for demonstration" in page.locator(".govuk-notification-banner"
                                                          ).inner_text()
    assert page.locator("figure[data-chart]").count() == 15
    page.wait_for_selector(".socmob-chart__live svg", timeout=60_000)
    if width >= 641:  # GOV.UK tabs on tablets and wider: one panel at a time
        page.click("#q1-heading ~ .govuk-tabs a.govuk-tabs__tab:has-text('By background')")
        assert page.locator("#q1_1").is_visible() and not page.locator("#q1_2").is_visible()
    with page.expect_download() as info:
        page.locator("a[href='/barometer/demo/estimates.csv']").click()
    text = Path(info.value.path()).read_text()
    assert text.startswith("measure,area_code,area_name,period") and ",True\n" in text
    check_page(page, f"barometer-demo-{width}")
    assert not errors, errors


def test_barometer_upload(narrow_or_wide, tmp_path):
    page, width, errors = narrow_or_wide
    data, margins = _synthetic_files(tmp_path)
    page.goto("/barometer#upload")
    page.set_input_files("#barometer-file", str(data))
    page.set_input_files("#barometer-margins", str(margins))
    page.click("button:has-text('Upload and describe the survey')")
    page.wait_for_url(re.compile(r"#design$"))
    assert page.locator("#barometer-weights").input_value() == "design_weight"
    assert page.locator("#barometer-psu").input_value() == "psu"
    check_page(page, f"barometer-design-{width}")
    page.click("button:has-text('Estimate')")
    page.wait_for_url(re.compile(r"#results$"))
    banner = page.locator("#results")
    assert "Estimates for 3 questions from barometer.sav" in banner.inner_text()
    # the results are where the user is: the banner is in view and has focus (GOV.UK's
    # success banner takes focus so that screen readers announce it)
    page.wait_for_function("document.activeElement && document.activeElement.id === 'results'")
    assert banner.is_visible()
    box = banner.bounding_box()
    assert box is not None and 0 <= box["y"] < 900
    page.screenshot(path=str(ARTIFACTS / f"barometer-results-view-{width}.png"))
    with page.expect_download() as info:
        page.locator("a[download='socmob-barometer-synthetic-estimates.csv']").click()
    text = Path(info.value.path()).read_text()
    assert text.startswith("measure,area_code,area_name,period")
    check_page(page, f"barometer-results-{width}")
    assert not errors, errors


def test_barometer_upload_error(narrow_or_wide, tmp_path):
    page, width, errors = narrow_or_wide
    page.goto("/barometer#upload")
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"q1,q2\n")
    page.set_input_files("#barometer-file", str(bad))
    page.click("button:has-text('Upload and describe the survey')")
    summary = page.locator(".govuk-error-summary")
    summary.wait_for()
    assert "no data rows" in summary.inner_text()
    page.wait_for_function(
        "document.activeElement && document.activeElement.closest('.govuk-error-summary')")
    page.click(".govuk-error-summary__list a")
    assert page.evaluate("document.activeElement.id") == "barometer-file"
    check_page(page, f"barometer-error-{width}")
    # the form is answered with status 422 on purpose, which Chromium logs as a failed
    # load of the document itself; nothing else may be logged
    document = [e for e in errors if "status of 422" in e and "/barometer#design" in e]
    assert len(document) == 1 and len(errors) == 1, errors
