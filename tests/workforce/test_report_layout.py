"""The workforce report as a PDF page would be printed: every word inside the page
margins, no text smaller than 8 pt, no table row split across pages, and every chart's
bars adding up to 100% with suppressed cells drawn as [c].

Checked on the PDF itself: font sizes from the text operators (pypdf) and word boxes
from poppler's ``pdftotext -bbox`` (which sees the text of the inline SVG charts too);
row splits from WeasyPrint's laid-out pages. The report is that of a SYNTHETIC
workforce with suppressed cells in the grade table (its small senior grades).
"""

from __future__ import annotations

import re
import shutil
import subprocess

import pytest
from tests.pdf_layout import text_runs

from socmob.report.workforce import report_html, report_pdf
from socmob.workforce.summary import workforce_summary

MM = 72 / 25.4
PAGE_MARGINS_PT = {"top": 16 * MM, "right": 14 * MM, "bottom": 18 * MM, "left": 14 * MM}
"""The @page margins of ``workforce/base.html.j2``."""
MIN_FONT_PT = 8.0
DEJAVU_LINE_BOX = 1.164
"""Height of a DejaVu Sans word box (ascent + descent) per point of font size, as
poppler reports it (a 10 pt word is 11.64 pt tall)."""

ARTIFACTS = "test-artifacts/workforce"


@pytest.fixture(scope="module")
def summary(synthetic_hr):
    return workforce_summary(synthetic_hr, n_boot=50, weight_by_grade=True)


@pytest.fixture(scope="module")
def pdf(summary) -> bytes:
    pytest.importorskip("weasyprint")
    data = report_pdf(summary)
    from pathlib import Path

    out = Path(ARTIFACTS)
    out.mkdir(parents=True, exist_ok=True)
    (out / "workforce-report-synthetic.pdf").write_bytes(data)
    return data


def _words(pdf: bytes) -> list[tuple[int, float, float, float, float, float, str]]:
    """(page, width, height, xmin, ymin, xmax, ymax, text) of every word (poppler)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext (poppler-utils) is absent")
    xml = subprocess.run(["pdftotext", "-bbox", "-", "-"], input=pdf, capture_output=True,
                         check=True).stdout.decode("utf-8")
    words = []
    page, width, height = 0, 0.0, 0.0
    for line in xml.splitlines():
        m = re.search(r'<page width="([\d.]+)" height="([\d.]+)"', line)
        if m:
            page += 1
            width, height = float(m.group(1)), float(m.group(2))
            continue
        m = re.search(r'xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
                      r"(.*)</word>", line)
        if m:
            x0, y0, x1, y1 = (float(v) for v in m.groups()[:4])
            words.append((page, width, height, x0, y0, x1, y1, m.group(5)))
    return words


def test_every_word_is_inside_the_page_margins(pdf):
    words = _words(pdf)
    assert words
    outside = []
    for page, width, height, x0, y0, x1, y1, text in words:
        in_footer = y0 > height - PAGE_MARGINS_PT["bottom"]  # the page number box
        if (x0 < PAGE_MARGINS_PT["left"] - 0.5 or x1 > width - PAGE_MARGINS_PT["right"] + 0.5
                or (not in_footer and (y0 < PAGE_MARGINS_PT["top"] - 0.5
                                       or y1 > height - PAGE_MARGINS_PT["bottom"] + 0.5))
                or y1 > height):
            outside.append((page, text, round(x0), round(y0), round(x1), round(y1)))
    assert not outside, f"words past the margins: {outside[:10]}"
    footers = [w for w in words if w[4] > w[2] - PAGE_MARGINS_PT["bottom"]]
    assert {w[7] for w in footers} <= {"Page", "of", *map(str, range(1, 100))}


def test_no_text_is_smaller_than_8_pt(pdf):
    # every word, chart text included, from its box (poppler)
    small = [(p, t, round((y1 - y0) / DEJAVU_LINE_BOX, 2))
             for p, _w, _h, _x0, y0, _x1, y1, t in _words(pdf)
             if (y1 - y0) / DEJAVU_LINE_BOX < MIN_FONT_PT - 0.05]
    assert not small, f"text under {MIN_FONT_PT} pt: {small[:10]}"
    # and the page text from its operators (pypdf): size x text matrix x CTM
    sizes = [size for _page, _text, size, *_ in text_runs(pdf)]
    assert sizes and min(sizes) >= MIN_FONT_PT - 0.01, min(sizes)


def _split_across_pages(html: str) -> tuple[int, list[str], int]:
    """(pages, body table rows and figures laid out on more than one page, rows seen);
    header rows, repeated on every page a table spans, are not counted."""
    weasyprint = pytest.importorskip("weasyprint")
    doc = weasyprint.HTML(string=html).render()
    seen: dict[int, set[int]] = {}
    names: dict[int, str] = {}

    def walk(box, page_no, in_head=False):
        tag = getattr(box, "element_tag", None)
        in_head = in_head or tag == "thead"  # a header row repeated on each page is meant
        if tag in ("tr", "figure") and not in_head:
            key = id(box.element)
            seen.setdefault(key, set()).add(page_no)
            names[key] = tag + ": " + " ".join("".join(box.element.itertext()).split())[:60]
        for child in getattr(box, "children", ()) or ():
            walk(child, page_no, in_head)

    for n, page in enumerate(doc.pages):
        walk(page._page_box, n)
    rows = sum(1 for v in names.values() if v.startswith("tr"))
    return len(doc.pages), [names[k] for k, p in seen.items() if len(p) > 1], rows


def test_the_split_check_sees_a_split_row():
    # a row taller than a page cannot be kept whole: the check must see it
    tall = "<br>".join(f"line {i}" for i in range(120))
    pages, split, rows = _split_across_pages(
        f"<table><tr><td>short</td></tr><tr><td>{tall}</td></tr></table>")
    assert pages >= 2 and rows == 2 and len(split) == 1


def test_no_table_row_or_figure_is_split_across_pages(summary):
    pages, split, rows = _split_across_pages(report_html(summary))
    assert pages >= 3 and rows > 50
    assert not split, f"split across pages: {split[:5]}"


def test_pdf_has_the_narrative_the_within_grade_gap_and_the_weighted_marker(pdf):
    words = " ".join(w[7] for w in _words(pdf))
    assert "In brief" in words
    assert "within grades" in words or "The same gap within grades" in words
    assert "WEIGHTED" in words and "design effect" in words
    assert "[c]" in words
