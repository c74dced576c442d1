"""Area briefings: a 2–4 page summary of an area to take into a meeting, as HTML and
PDF (WeasyPrint).

The briefing shows the same views as the area page (:func:`socmob.report.views.area_profile`):
the four indices across periods with their bands (chart as a static image, and its
table), the other panels that are available (uncertainty, trend, spatial clusters,
better/worse than expected, peers, regional indicators), "What should you be asking?",
and the sources with their attribution. Charts are PNG images rendered by vl-convert
from the same Vega-Lite specs the web page uses.
"""

from __future__ import annotations

import base64
import datetime as _dt
from typing import Any

from jinja2 import Environment, PackageLoader, select_autoescape

from socmob import ATTRIBUTION, __version__
from socmob.report.views import AreaProfile, Panel

MAX_TABLE_ROWS = 6


def _env() -> Environment:
    env = Environment(loader=PackageLoader("socmob.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["fmt"] = _fmt
    return env


def _fmt(value: Any) -> str:
    try:
        import pandas as pd

        if value is None or pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, float):
        return f"{value:,.3f}"
    return str(value)


def _image(panel: Panel) -> str | None:
    if panel.chart is None:
        return None
    png = panel.chart.to_png(scale=1.5)
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


def briefing_context(profile: AreaProfile) -> dict[str, Any]:
    """The values the briefing template shows."""
    panels = []
    for name, section in profile.panels().items():
        entry: dict[str, Any] = {"name": name, "available": section.available,
                                 "reason": section.reason}
        if section.available:
            panel = section.get()
            table = panel.display_table()
            entry.update(title=panel.title, note=panel.note, image=_image(panel),
                         alt=panel.chart.description if panel.chart else "",
                         columns=list(table.columns),
                         rows=table.head(MAX_TABLE_ROWS).to_dict(orient="records"),
                         truncated=len(table) > MAX_TABLE_ROWS)
        panels.append(entry)
    return {
        "area": profile.area,
        "edition": profile.edition,
        "panels": panels,
        "questions": profile.questions.value if profile.questions.available else [],
        "questions_reason": profile.questions.reason,
        "attribution": ATTRIBUTION,
        "version": __version__,
        "today": _dt.date.today().isoformat(),
    }


def briefing_html(profile: AreaProfile) -> str:
    """The briefing as a self-contained HTML document (images inlined)."""
    return _env().get_template("briefing.html").render(**briefing_context(profile))


def briefing_pdf(profile: AreaProfile) -> bytes:
    """The briefing as PDF (A4), rendered by WeasyPrint from :func:`briefing_html`."""
    from weasyprint import HTML

    return bytes(HTML(string=briefing_html(profile), base_url=".").write_pdf())
