"""Render the employer report and the questionnaire: JSON, accessible HTML, PDF.

Rendering only: every figure comes from :func:`socmob.workforce.summary.workforce_summary`
(already disclosure-controlled in the publishable view) or from the questionnaire schema.
The JSON carries the figures unrounded; HTML and PDF round them for reading, each table
to its own ``decimals``.
Charts are Vega-Lite specs built with Altair and rendered to static SVG by vl-convert
(no browser); each chart carries alt text and is followed by a table of the same figures.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from socmob import __version__
from socmob.results import dumps
from socmob.workforce.summary import SUPPRESSED, ReportTable, WorkforceSummary

_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("data", "Response to the key question", ("response_by_grade", "answer_mapping")),
    ("representation", "Who works here: socio-economic background",
     ("representation_by_grade", "representation_by_grade_counts",
      "representation_by_grade_intervals",
      "representation_by_function", "representation_by_location", "representation_by_sex",
      "representation_by_ethnicity")),
    ("progression", "Progression: is there a class ceiling?",
     ("seniority", "senior_odds", "promotion")),
    ("pay", "Class pay gap", ("pay_gaps", "pay_gap_intervals", "bonus_proportion",
                              "pay_quartiles", "adjusted_pay_gap", "pay_gaps_by_grade",
                              "pay_gaps_by_function", "pay_gaps_by_location",
                              "pay_gaps_by_sex")),
)
_INTERNAL_ONLY = ("representation_by_function_counts", "representation_by_location_counts",
                  "representation_by_sex_counts", "representation_by_ethnicity_counts")


def _env() -> Environment:
    return Environment(loader=PackageLoader("socmob.report", "templates"),
                       autoescape=select_autoescape(["html", "j2"]), trim_blocks=True,
                       lstrip_blocks=True)


def _fmt(value: Any, decimals: int = 1) -> str:
    """A figure for a page: suppressed/missing as the marker, whole numbers without
    decimals, others to ``decimals`` places (display only)."""
    if value is None:
        return SUPPRESSED
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number = float(value)
        if math.isnan(number):
            return SUPPRESSED
        if number.is_integer():
            return f"{number:,.0f}"
        return f"{number:,.{decimals}f}"
    return str(value)


def _long(table: ReportTable, drop: tuple[str, ...] = ("Total", "UK benchmark")
          ) -> pd.DataFrame:
    f = table.frame.drop(index=[i for i in drop if i in table.frame.index])
    f = f.drop(columns=[c for c in ("Total",) if c in f.columns])
    long = f.reset_index(names="row").melt(id_vars="row", var_name="column", value_name="value")
    return long.dropna(subset=["value"])


def _chart_svg(table: ReportTable) -> tuple[str, str] | None:
    """(svg, alt text) of a table's chart, or None."""
    import altair as alt
    import vl_convert as vlc

    if table.chart is None:
        return None
    data = _long(table)
    if data.empty:
        return None
    # a chart is for reading: its values (and tooltips) at the table's display precision
    data["value"] = [round(float(v), table.decimals_of(str(c)))
                     for c, v in zip(data["column"], data["value"], strict=True)]
    data["order"] = data["column"].map({c: i for i, c in enumerate(table.frame.columns)})
    order = list(dict.fromkeys(data["row"]))
    col_order = [str(c) for c in table.frame.columns if c != "Total"]
    if table.chart in ("stacked", "quartiles"):
        chart = alt.Chart(data).mark_bar().encode(
            y=alt.Y("row:N", sort=order, title=None),
            x=alt.X("value:Q", title="% of employees", stack="zero"),
            color=alt.Color("column:N", title="Background", sort=col_order,
                            scale=alt.Scale(domain=col_order, scheme="tableau10"),
                            legend=alt.Legend(orient="bottom", labelLimit=300)),
            order=alt.Order("order:Q"),
            tooltip=["row", "column", "value"],
        )
        parts = []
        for r in order:
            sel = data[data["row"] == r]
            parts.append(f"{r}: " + ", ".join(f"{c} {v:.0f}%" for c, v in
                                               zip(sel["column"], sel["value"], strict=True)))
        alt_text = f"Bar chart. {table.caption}. " + "; ".join(parts) + "."
    else:
        chart = alt.Chart(data).mark_bar().encode(
            y=alt.Y("row:N", sort=order, title=None),
            yOffset="column:N",
            x=alt.X("value:Q", title="Gap (%)"),
            color=alt.Color("column:N", title="Measure", sort=col_order,
                            scale=alt.Scale(domain=col_order, scheme="tableau10"),
                            legend=alt.Legend(orient="bottom", labelLimit=300)),
            tooltip=["row", "column", "value"],
        )
        alt_text = f"Bar chart. {table.caption}. " + "; ".join(
            f"{r}, {c}: {v:.1f}%" for r, c, v in data[["row", "column", "value"]].itertuples(
                index=False)) + "."
    spec = chart.properties(width=520, height=max(120, 34 * len(order))).to_dict()
    svg = vlc.vegalite_to_svg(spec)
    return svg, alt_text


def _table_context(table: ReportTable, *, charts: bool) -> dict[str, Any]:
    f = table.frame
    ctx: dict[str, Any] = {
        "key": table.key, "caption": table.caption, "note": table.note,
        "index_name": str(f.index.name or ""),
        "columns": [str(c) for c in f.columns],
        "rows": [[str(i), *(_fmt(v, table.decimals_of(str(c)))
                             for c, v in zip(f.columns, row, strict=True))]
                 for i, row in zip(f.index, f.astype(object).to_numpy().tolist(),
                                   strict=True)],
        "chart_svg": None, "alt": "",
    }
    if charts:
        got = _chart_svg(table)
        if got:
            ctx["chart_svg"], ctx["alt"] = got
    return ctx


def report_json(summary: WorkforceSummary) -> str:
    """The report as JSON text."""
    return dumps(summary.to_dict())


def report_html(summary: WorkforceSummary, *, charts: bool = True) -> str:
    """The report as a self-contained, accessible HTML page (inline SVG charts)."""
    by_key = {t.key: t for t in summary.tables}
    sections = []
    for sid, title, keys in _SECTIONS:
        tabs = [by_key[k] for k in keys if k in by_key]
        if summary.view == "publishable":
            tabs = [t for t in tabs if t.key not in _INTERNAL_ONLY]
        if tabs:
            sections.append({"id": sid, "title": title,
                             "tables": [_table_context(t, charts=charts) for t in tabs]})
    d = summary.to_dict()
    return _env().get_template("workforce/report.html.j2").render(
        title=d["title"] + (" (internal)" if summary.view == "internal" else ""),
        organisation=summary.organisation, snapshot_date=summary.snapshot_date,
        view=summary.view, synthetic=summary.synthetic, headline=d["headline"],
        sections=sections, notes=summary.notes, benchmark=d["benchmark"],
        marker=SUPPRESSED, version=__version__, fmt=_fmt,
        pct_decimals=summary.policy.percent_decimals if summary.view == "publishable" else 1,
    )


def html_to_pdf(html: str) -> bytes:
    """Render HTML to PDF bytes with WeasyPrint."""
    from weasyprint import HTML

    pdf = HTML(string=html).write_pdf()
    assert pdf is not None
    return bytes(pdf)


def report_pdf(summary: WorkforceSummary) -> bytes:
    """The report as PDF bytes (HTML rendered by WeasyPrint)."""
    return html_to_pdf(report_html(summary))


def questionnaire_html(questionnaire: Any) -> str:
    """A printable, accessible HTML form of a :class:`~socmob.workforce.survey.Questionnaire`."""
    return _env().get_template("workforce/questionnaire.html.j2").render(
        title=questionnaire.title, q=questionnaire, version=__version__)


def maturity_html(assessment: Any) -> str:
    """An HTML page of a maturity self-assessment result."""
    return _env().get_template("workforce/maturity.html.j2").render(
        title="Socio-economic diversity: maturity self-assessment", a=assessment,
        version=__version__)


__all__ = [
    "html_to_pdf",
    "maturity_html",
    "questionnaire_html",
    "report_html",
    "report_json",
    "report_pdf",
]
