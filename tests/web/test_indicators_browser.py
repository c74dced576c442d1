"""The indicator pages in headless Debian Chromium (Playwright) against the live server:
``/indicators`` and every ``/indicators/{code}`` page load without a console error,
axe-core finds no WCAG 2.2 A/AA violation of any impact, and every chart has its data
table and CSV download after it. One browser page visits them all.

Screenshots of the overview and of two indicator pages (one with an ITL2 map, one by
socio-economic background) at 1366 and 390 pixels wide go to ``test-artifacts/web/``.
"""

from __future__ import annotations

import json

import pytest
from tests.web.conftest import ARTIFACTS, axe_violations, data_available

pytestmark = [pytest.mark.browser,
              pytest.mark.skipif(not data_available(), reason="embedded data not available")]


#: For each chart, whether a table and a CSV download follow it before the next chart.
CHART_TABLES = """() => {
  const all = Array.from(document.querySelectorAll('figure[data-chart], table, a[download]'));
  const out = [];
  all.forEach((el, i) => {
    if (!el.matches('figure[data-chart]')) return;
    const rest = all.slice(i + 1);
    const next = rest.findIndex(e => e.matches('figure[data-chart]'));
    const before = (sel) => { const k = rest.findIndex(e => e.matches(sel));
                              return k >= 0 && (next < 0 || k < next); };
    out.push({chart: el.dataset.chart, table: before('table'), csv: before('a[download]'),
              image: !!el.querySelector('svg')});
  });
  return out;
}"""


def _codes() -> list[str]:
    from socmob.monitor import indicators

    return list(indicators())


@pytest.fixture()
def watched(browser, live_server):
    """One page for the whole visit, recording console errors and uncaught exceptions
    """
    context = browser.new_context(base_url=live_server, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(f"{page.url}: {m.text}")
            if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(f"{page.url}: {e}"))
    yield page, errors
    context.close()


def test_indicator_pages_in_chromium(watched):
    page, errors = watched
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    found: dict[str, list[dict]] = {}
    for path in ["/indicators", *(f"/indicators/{c}" for c in _codes())]:
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        charts = page.locator("figure[data-chart]").count()
        if charts:  # vega-embed has redrawn every chart (an error would leave the SVG)
            page.wait_for_function(
                "(n) => document.querySelectorAll('.socmob-chart__live svg').length === n",
                arg=charts, timeout=30_000)
            for chart in page.evaluate(CHART_TABLES):
                assert chart["table"] and chart["csv"], (path, chart)
        else:
            assert path == "/indicators"
        violations = axe_violations(page)
        if violations:
            found[path] = violations
    (ARTIFACTS / "indicators.axe.json").write_text(json.dumps(found, indent=2))
    assert not found, json.dumps(found, indent=2)[:3000]
    assert not errors, errors[:10]


@pytest.mark.parametrize("width", [1366, 390])
def test_indicator_screenshots(browser, live_server, width):
    context = browser.new_context(base_url=live_server, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(120_000)
    try:
        for path, name in [("/indicators", "indicators"), ("/indicators/dr32", "dr32-map"),
                           ("/indicators/in33", "in33-background")]:
            page.goto(path)
            charts = page.locator("figure[data-chart]").count()
            page.wait_for_function(
                "(n) => document.querySelectorAll('.socmob-chart__live svg').length === n",
                arg=charts, timeout=30_000)
            page.screenshot(path=str(ARTIFACTS / f"{name}-{width}.png"), full_page=True)
            # nothing wider than the screen but the scrollable tables
            wide = page.evaluate("""(w) => Array.from(document.querySelectorAll(
                'main > *:not(.socmob-table-scroll):not(details), figure, h1, h2, p'))
                .filter(e => !e.closest('.socmob-table-scroll'))
                .filter(e => e.getBoundingClientRect().right > w + 1).length""", width)
            assert wide == 0, (path, width)
    finally:
        context.close()
