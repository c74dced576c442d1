"""/assess in headless Debian Chromium (Playwright) against a live server: the form and
its result, and an uploaded scenario, at a laptop's and a phone's width; axe-core finds
no violation at all (WCAG 2.0–2.2 A and AA rules) on the form, on its result and on an
error; the page never scrolls sideways; screenshots in ``test-artifacts/web/``."""

from __future__ import annotations

import pytest
from tests.web.conftest import check_page, data_available

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not data_available(), reason="embedded data not available")]

WIDTHS = {"laptop": 1366, "phone": 390}


def _check_fits(page, name: str) -> None:
    check_page(page, name)
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= page.viewport_size["width"], f"{name}: the page scrolls sideways ({width}px)"


@pytest.fixture(params=list(WIDTHS))
def sized(request, browser, live_server):
    context = browser.new_context(base_url=live_server, accept_downloads=True,
                                  viewport={"width": WIDTHS[request.param], "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(120_000)
    errors: list[str] = []
    pg.on("console", lambda m: errors.append(m.text)
          if "Content Security Policy" in m.text else None)
    yield request.param, pg, errors
    context.close()


def test_the_form_and_its_result(sized):
    label, page, csp = sized
    page.goto("/assess")
    _check_fits(page, f"assess-form-{label}")
    page.select_option("#measure", "areas:ci1")
    page.fill("#amount", "0.3")
    page.check("#target-band")
    page.select_option("#band-from", "1")
    page.select_option("#band-to", "2")
    page.select_option("#runs", "200")
    page.click("button:has-text('Assess this scenario')")
    page.wait_for_selector("#result")
    text = page.locator("#result").inner_text()
    assert "Conditions of Childhood: 31 areas targeted" in text
    assert page.locator("figure[data-chart='map-ci1']").count() == 1
    _check_fits(page, f"assess-result-{label}")
    with page.expect_download() as info:
        page.click("button:has-text('Download the PDF report')")
    assert info.value.suggested_filename.endswith(".pdf")
    assert not csp


def test_an_upload_and_an_error(sized, tmp_path):
    label, page, csp = sized
    page.goto("/assess")
    bad = b"place:\n  level: itl2\n  changes:\n    - indicator: dr13\n      add: 200\n" \
          b"      target: {all: true}\n"
    page.set_input_files("#scenario-file", files=[{"name": "bad.yaml",
                                                  "mimeType": "application/x-yaml",
                                                  "buffer": bad}])
    page.click("button:has-text('Upload and assess')")
    page.wait_for_selector(".govuk-error-summary")
    assert "impossible for a share" in page.locator(".govuk-error-summary").inner_text()
    _check_fits(page, f"assess-error-{label}")
    from importlib import resources

    good = (resources.files("socmob.assess") / "examples" / "graduate_jobs_itl2.yaml"
            ).read_bytes()
    page.set_input_files("#scenario-file", files=[{"name": "graduate_jobs.yaml",
                                                  "mimeType": "application/x-yaml",
                                                  "buffer": good}])
    page.click("button:has-text('Upload and assess')")
    page.wait_for_selector("#result")
    assert "Assessment: Graduate jobs in the North" in page.locator("#result").inner_text()
    _check_fits(page, f"assess-upload-{label}")
    assert not csp
