"""The area briefing as printed: the PDF of several areas' briefings is inspected (pypdf)
for text outside the page box and text under 8 pt (chart text included: the charts are
vector SVG, so their letters are in the PDF), and the layout (WeasyPrint's own boxes)
for table rows split across pages. Numbers are formatted for people ("172", not
"172.000")."""

from __future__ import annotations

import re

import pytest
from tests.pdf_layout import captions_apart_from_rows, rows_split_across_pages, text_runs
from tests.web.conftest import data_available

pytestmark = pytest.mark.skipif(not data_available(), reason="embedded data not available")

#: Areas of different shapes: a London borough, an English county, a Scottish council,
#: Northern Ireland (one area for a nation).
AREAS = ("tower_hamlets", "cambridgeshire_cc", "glasgow_city", "northern_ireland")

MIN_POINTS = 8.0


@pytest.fixture(scope="module")
def briefings():
    pytest.importorskip("weasyprint")
    from socmob.report import briefing, views

    return {a: briefing.briefing_html(views.area_profile(a)) for a in AREAS}


def test_no_text_under_8pt_or_outside_the_page(briefings):
    from socmob.report.briefing import briefing_pdf_from_html

    for area, html in briefings.items():
        runs = text_runs(briefing_pdf_from_html(html))
        assert len(runs) > 100, area
        small = [(p, t, round(s, 2)) for p, t, s, *_ in runs if s < MIN_POINTS - 0.01]
        assert not small, f"{area}: text under {MIN_POINTS} pt: {small[:10]}"
        outside = [(p, t, round(x), round(y)) for p, t, _, x, y, w, h in runs
                   if not (0 <= x <= w and 0 <= y <= h)]
        assert not outside, f"{area}: text outside the page: {outside[:10]}"


def test_the_chart_text_is_in_the_pdf(briefings):
    """The charts are vector: their axis titles are text of the PDF (so the size check
    above covers them)."""
    from socmob.report.briefing import briefing_pdf_from_html

    text = " ".join(t for _, t, *_ in text_runs(
        briefing_pdf_from_html(briefings["tower_hamlets"])))
    assert "Rank among the areas (1 = most favourable)" in text


def test_no_table_row_is_split_across_pages(briefings):
    for area, html in briefings.items():
        rows, split = rows_split_across_pages(html)
        assert rows > 30, area
        assert not split, f"{area}: {split} table rows split across pages"
        assert captions_apart_from_rows(html) == 0, f"{area}: a caption apart from its rows"


def test_whole_tables_and_numbers_for_people(briefings):
    html = briefings["tower_hamlets"]
    assert "First rows only" not in html
    assert not re.search(r">\s*-?\d+\.000\s*<", html), "a whole number shown with .000"
    # the trend table holds every step of every index: 3 + 3 + 3 + 1 rows
    trend = html[html.index('id="panel-trend"'):]
    trend = trend[:trend.index("</table>")]
    assert trend.count("<tr>") == 1 + 10
    # the published ranks are whole numbers; chances are percentages
    assert ">149<" in html and ">59%<" in html


def test_format_cell():
    from socmob.report.briefing import format_cell

    assert format_cell(172.0) == "172"
    assert format_cell(1234.0) == "1,234"
    assert format_cell(-0.6784) == "-0.68"
    assert format_cell(0.5913, "Its chance") == "59%"
    assert format_cell(0.0004, "Chance: Most Favourable") == "0%"
    assert format_cell(float("nan")) == "" and format_cell(None) == ""
    assert format_cell("within the noise") == "within the noise"
