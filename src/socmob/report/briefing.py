"""Area briefings: a 2–4 page summary of an area to take into a meeting, as HTML and
PDF (WeasyPrint).

The briefing shows the same views as the area page (:func:`socmob.report.views.area_profile`):
the four indices across periods with their bands (chart as a static image, and its
table), the other panels that are available (uncertainty, trend, spatial clusters,
better/worse than expected, peers, regional indicators), "What should you be asking?",
and the sources with their attribution. Charts are PNG images rendered by vl-convert
from the same Vega-Lite specs the web page uses.

Print layout: the charts are embedded as SVG (vector text) at their own pixel size, so
their text prints at the size the spec gives (12 px labels = 9 pt; nothing under 8 pt);
tables are whole, their header repeats on each page and no row is split across pages;
numbers are formatted for people (whole numbers without decimals, chances as
percentages, other values to two decimals), while the CSV downloads keep full
precision. ``tests/web/test_briefing_layout.py`` checks the PDF.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import re
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from socmob import ATTRIBUTION, __version__
from socmob.report import charts
from socmob.report.views import AreaProfile, Panel

#: Table headings whose values are chances (0–1), shown as percentages.
_CHANCE = re.compile(r"^(Its chance|Chance\b)", re.IGNORECASE)


def _env() -> Environment:
    env = Environment(loader=PackageLoader("socmob.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["fmt"] = _fmt
    return env


def format_cell(value: Any, column: str = "") -> str:
    """A table value for people: blank for missing, whole numbers without decimals
    ("172", not "172.000"), chances (a column headed "Chance…" or "Its chance") as
    percentages, other numbers to two decimals with thousands separators."""
    if value is None or isinstance(value, str):
        return "" if value is None else value
    if isinstance(value, bool):
        return "Yes" if value else "No"
    try:
        number = float(value)
    except (TypeError, ValueError):
        return str(value)
    if math.isnan(number):
        return ""
    if _CHANCE.match(column):
        return f"{number:.0%}"
    if number.is_integer():
        return f"{int(number):,}"
    return f"{number:,.2f}"


def _fmt(value: Any, column: str = "") -> str:
    try:
        import pandas as pd

        if value is not None and not isinstance(value, str) and pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    return format_cell(value, column)


_SIZE = re.compile(r'<svg[^>]*?\swidth="([\d.]+)"[^>]*?\sheight="([\d.]+)"')


def _image(panel: Panel) -> dict[str, Any] | None:
    """The panel's chart as an SVG data URL with its width in CSS pixels (drawn at its
    own size, so its text keeps the spec's size in print)."""
    if panel.chart is None:
        return None
    svg = panel.chart.to_svg()
    size = _SIZE.search(svg)
    width = float(size.group(1)) if size else 560.0
    return {"src": "data:image/svg+xml;base64," + base64.b64encode(svg.encode()).decode(),
            "width": round(width)}


def briefing_context(profile: AreaProfile) -> dict[str, Any]:
    """The values the briefing template shows."""
    panels = []
    for name, section in profile.panels().items():
        entry: dict[str, Any] = {"name": name, "available": section.available,
                                 "reason": section.reason}
        if section.available:
            panel = section.get()
            table = panel.display_table()
            columns = [str(c) for c in table.columns]
            rows = [[format_cell(v, c) if not _missing(v) else "" for c, v in
                     zip(columns, row, strict=True)]
                    for row in table.itertuples(index=False, name=None)]
            entry.update(title=panel.title, note=panel.note, image=_image(panel),
                         alt=panel.chart.description if panel.chart else "",
                         columns=columns, rows=rows,
                         numeric=[_numeric(table[c]) for c in table.columns])
        panels.append(entry)
    return {
        "area": profile.area,
        "edition": profile.edition,
        "headlines": profile.headlines,
        "peers": profile.peer_areas,
        "panels": panels,
        "questions": profile.questions.value if profile.questions.available else [],
        "questions_reason": profile.questions.reason,
        "band_colours": charts.BAND_COLOURS,
        "attribution": ATTRIBUTION,
        "version": __version__,
        "today": _dt.date.today().isoformat(),
    }


def _missing(value: Any) -> bool:
    import pandas as pd

    try:
        return value is None or bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _numeric(column: Any) -> bool:
    import pandas as pd

    return bool(pd.api.types.is_numeric_dtype(column)) and not pd.api.types.is_bool_dtype(
        column)


def briefing_html(profile: AreaProfile) -> str:
    """The briefing as a self-contained HTML document (images inlined)."""
    return _env().get_template("briefing.html").render(**briefing_context(profile))


def briefing_pdf(profile: AreaProfile) -> bytes:
    """The briefing as PDF (A4), rendered by WeasyPrint from :func:`briefing_html`."""
    return briefing_pdf_from_html(briefing_html(profile))


def briefing_pdf_from_html(html: str) -> bytes:
    """A briefing's HTML (:func:`briefing_html`) as PDF (A4, WeasyPrint)."""
    from weasyprint import HTML

    return bytes(HTML(string=html, base_url=".").write_pdf())
