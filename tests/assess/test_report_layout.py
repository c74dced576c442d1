"""The policy assessment report as printed (the PDF of the packaged examples): no text
under 8 pt, nothing outside the page, no table row split across pages, and a table's
caption on the same page as its first rows."""

from __future__ import annotations

import pytest
from tests.pdf_layout import captions_apart_from_rows, rows_split_across_pages, text_runs

MIN_POINTS = 8.0


@pytest.fixture(scope="module", params=["early_years", "graduate_jobs_itl2", "background_gaps"])
def report(request):
    pytest.importorskip("weasyprint")
    from socmob.assess import assess, read_scenario
    from socmob.report.assess import assessment_report, examples

    text = examples()[request.param].encode()
    return assessment_report(assess(read_scenario(text, name=f"{request.param}.yaml")))


def test_no_text_under_8pt_or_outside_the_page(report):
    from socmob.report.assess import report_pdf

    runs = text_runs(report_pdf(report))
    assert len(runs) > 50
    small = [(p, t, round(s, 2)) for p, t, s, *_ in runs if s < MIN_POINTS - 0.01]
    assert not small, f"text under {MIN_POINTS} pt: {small[:10]}"
    outside = [(p, t, round(x), round(y)) for p, t, _, x, y, w, h in runs
               if not (0 <= x <= w and 0 <= y <= h)]
    assert not outside, f"text outside the page: {outside[:10]}"


def test_no_table_row_is_split_and_captions_stay_with_their_tables(report):
    from socmob.report.assess import report_html

    rows, split = rows_split_across_pages(report_html(report))
    assert rows > 0 and not split, (rows, split)
    assert captions_apart_from_rows(report_html(report)) == 0
