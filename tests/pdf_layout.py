"""Layout checks of a PDF made by WeasyPrint, shared by the report tests: the text runs
(size and position, pypdf) and the table rows split across pages (WeasyPrint's boxes)."""

from __future__ import annotations

import io
import math

import pytest


def _multiply(a, b):
    """The product of two PDF matrices [a b c d e f] (a then b)."""
    return [a[0] * b[0] + a[1] * b[2], a[0] * b[1] + a[1] * b[3],
            a[2] * b[0] + a[3] * b[2], a[2] * b[1] + a[3] * b[3],
            a[4] * b[0] + a[5] * b[2] + b[4], a[4] * b[1] + a[5] * b[3] + b[5]]


def text_runs(pdf: bytes) -> list[tuple[int, str, float, float, float, float, float]]:
    """(page number, text, effective size in points, x, y, page width, page height) of
    every text run of the PDF (pypdf's text visitor: the font size times the scale of
    the text and transformation matrices)."""
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(io.BytesIO(pdf))
    runs = []
    for number, page in enumerate(reader.pages, start=1):
        box = page.mediabox
        width, height = float(box.width), float(box.height)

        def visit(text, cm, tm, font, size, number=number, width=width, height=height):
            if not text.strip():
                return
            m = _multiply(tm, cm)
            scale = math.hypot(m[2], m[3])  # the vertical scale of the text
            runs.append((number, text, size * scale, m[4], m[5], width, height))

        page.extract_text(visitor_text=visit)
    return runs


def rows_split_across_pages(html: str) -> tuple[int, int]:
    """(body rows of every table, those laid out on more than one page) when ``html`` is
    rendered by WeasyPrint; header rows, repeated on each page a table spans by design,
    are not counted."""
    pytest.importorskip("weasyprint")
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import TableRowGroupBox

    document = HTML(string=html, base_url=".").render()
    pages_of: dict[int, set[int]] = {}
    for number, page in enumerate(document.pages):
        for group in page._page_box.descendants():
            if not isinstance(group, TableRowGroupBox) or group.is_header:
                continue
            for row in group.children:
                pages_of.setdefault(id(row.element), set()).add(number)
    return len(pages_of), sum(1 for pages in pages_of.values() if len(pages) > 1)


def captions_apart_from_rows(html: str) -> int:
    """How many table captions are laid out at the foot of a page whose part of the table
    has no body row (the rows starting on the next page), when ``html`` is rendered by
    WeasyPrint."""
    pytest.importorskip("weasyprint")
    from weasyprint import HTML
    from weasyprint.formatting_structure.boxes import TableCaptionBox, TableRowGroupBox

    apart = 0
    for page in HTML(string=html, base_url=".").render().pages:
        for wrapper in page._page_box.descendants():
            if not getattr(wrapper, "is_table_wrapper", False):  # a caption and a table
                continue
            boxes = list(wrapper.descendants())
            if not any(isinstance(b, TableCaptionBox) for b in boxes):
                continue
            body_rows = sum(len(g.children) for g in boxes
                            if isinstance(g, TableRowGroupBox) and not g.is_header)
            apart += body_rows == 0
    return apart
