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

import numpy as np
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


SUPPRESSED_LABEL = f"Suppressed {SUPPRESSED}"
"""The legend entry of the part of a bar whose figures are suppressed."""
_SUPPRESSED_COLOUR = "#b1b4b6"
_CHART_WIDTH = 400
_CHART_CONFIG: dict[str, Any] = {
    # at 1 px = 0.75 pt, 12 px text is 9 pt in the PDF (no chart is scaled down)
    "axis": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 280},
    "legend": {"labelFontSize": 12, "titleFontSize": 12, "labelLimit": 320,
               "orient": "bottom", "columns": 2},
    "text": {"fontSize": 12},
    "font": "DejaVu Sans",
    "view": {"stroke": None},
}


def _chart_rows(table: ReportTable, drop: tuple[str, ...] = ("Total", "UK benchmark")
                ) -> pd.DataFrame:
    f = table.frame.drop(index=[i for i in drop if i in table.frame.index])
    return f.drop(columns=[c for c in ("Total",) if c in f.columns])


def share_segments(frame: pd.DataFrame) -> pd.DataFrame:
    """The stacked bars of a table of shares (rows of percentages): one segment per
    published cell and, where a row has suppressed cells, one segment for their
    remainder, labelled :data:`SUPPRESSED_LABEL` — never empty space that reads as
    zero. Every bar runs from 0 to exactly 100: where rounded shares add up to more than
    100 they are scaled down to 100 (a rounding difference, at most a point or two); the
    table beside the chart keeps the figures as published.

    Columns: ``row, column, value`` (the published share, NaN for the remainder),
    ``start, end`` (the drawn segment), ``order``.
    """
    out = []
    for r, values in frame.iterrows():
        published = values.dropna().astype(float).clip(lower=0)
        total = float(published.sum())
        scale = 100 / total if total > 100 else 1.0
        x = 0.0
        for i, (c, v) in enumerate(published.items()):
            width = v * scale
            out.append({"row": str(r), "column": str(c), "value": float(v), "start": x,
                        "end": x + width, "order": i})
            x += width
        if values.isna().any() or not len(published):
            out.append({"row": str(r), "column": SUPPRESSED_LABEL, "value": np.nan,
                        "start": x, "end": 100.0, "order": len(values)})
        elif x < 100:  # published shares short of 100 by rounding: the last one is drawn
            out[-1]["end"] = 100.0  # to the end, never a gap that reads as "none"
    return pd.DataFrame(out, columns=["row", "column", "value", "start", "end", "order"])


def _chart_svg(table: ReportTable) -> tuple[str, str] | None:
    """(svg, alt text) of a table's chart, or None."""
    import altair as alt
    import vl_convert as vlc

    if table.chart is None:
        return None
    frame = _chart_rows(table)
    if frame.empty:
        return None
    order = [str(r) for r in frame.index]
    col_order = [str(c) for c in frame.columns]

    def shown(column: str, value: float) -> str:
        if pd.isna(value):
            return SUPPRESSED
        return f"{value:.{table.decimals_of(column)}f}"

    if table.chart in ("stacked", "quartiles"):
        data = share_segments(frame)
        data["label"] = [shown(c, v) + ("" if pd.isna(v) else "%")
                         for c, v in zip(data["column"], data["value"], strict=True)]
        data["mid"] = (data["start"] + data["end"]) / 2
        domain = col_order + ([SUPPRESSED_LABEL] if (data["column"] == SUPPRESSED_LABEL)
                              .any() else [])
        colours = ["#1d70b8", "#f47738", "#4c2c92", "#85994b", "#d53880"][:len(col_order)]
        colours += [_SUPPRESSED_COLOUR] * (len(domain) - len(col_order))
        y = alt.Y("row:N", sort=order, title=None)
        bars = alt.Chart(data).mark_bar(stroke="white", strokeWidth=1).encode(
            y=y,
            x=alt.X("start:Q", title="% of employees (each bar adds up to 100%)",
                    scale=alt.Scale(domain=[0, 100], nice=False),
                    axis=alt.Axis(values=[0, 25, 50, 75, 100])),
            x2="end:Q",
            color=alt.Color("column:N", title="Background", sort=domain,
                            scale=alt.Scale(domain=domain, range=colours)),
            tooltip=[alt.Tooltip("row:N", title=str(table.frame.index.name or "Row")),
                     alt.Tooltip("column:N", title="Background"),
                     alt.Tooltip("label:N", title="Share")],
        )
        marks = alt.Chart(data[data["column"] == SUPPRESSED_LABEL]).mark_text(
            color="#0b0c0c").encode(y=y, x="mid:Q", text=alt.value(SUPPRESSED))
        chart = alt.layer(bars, marks)
        parts = []
        for r, cells in zip(order, frame.astype("float64").to_numpy().tolist(), strict=True):
            parts.append(f"{r}: " + ", ".join(
                f"{c} {shown(c, v)}{'' if pd.isna(v) else '%'}"
                for c, v in zip(col_order, cells, strict=True)))
        alt_text = (f"Bar chart. {table.caption}. " + "; ".join(parts)
                    + f". {SUPPRESSED} = suppressed.")
    else:
        data = frame.reset_index(names="row").melt(id_vars="row", var_name="column",
                                                   value_name="value")
        data["row"] = data["row"].astype(str)
        data["column"] = data["column"].astype(str)
        data["label"] = [shown(c, v) for c, v in zip(data["column"], data["value"],
                                                      strict=True)]
        data["zero"] = 0.0
        y = alt.Y("row:N", sort=order, title=None)
        bars = alt.Chart(data.dropna(subset=["value"])).mark_bar().encode(
            y=y, yOffset=alt.YOffset("column:N", sort=col_order),
            x=alt.X("value:Q", title="Gap (%): positive = paid less than the reference"),
            color=alt.Color("column:N", title="Measure", sort=col_order,
                            scale=alt.Scale(domain=col_order, scheme="tableau10")),
            tooltip=[alt.Tooltip("row:N", title="Comparison"),
                     alt.Tooltip("column:N", title="Measure"),
                     alt.Tooltip("label:N", title="Gap (%)")],
        )
        marks = alt.Chart(data[data["value"].isna()]).mark_text(
            align="left", dx=3, color="#0b0c0c", fontSize=11).encode(
            y=y, yOffset=alt.YOffset("column:N", sort=col_order), x="zero:Q",
            text=alt.value(SUPPRESSED))
        chart = alt.layer(bars, marks)
        alt_text = f"Bar chart. {table.caption}. " + "; ".join(
            f"{r}, {c}: {lab}{'' if lab == SUPPRESSED else '%'}"
            for r, c, lab in data[["row", "column", "label"]].itertuples(index=False)) + "."
    per_row = 22 * len(col_order) if table.chart == "bars" else 30
    spec = chart.properties(width=_CHART_WIDTH, height=max(90, per_row * len(order)))
    spec_dict = spec.to_dict()
    spec_dict["config"] = {**spec_dict.get("config", {}), **_CHART_CONFIG}
    svg = vlc.vegalite_to_svg(spec_dict)
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
        "chart_svg": None, "alt": "", "suppressed": bool(f.isna().to_numpy().any()),
    }
    if charts:
        got = _chart_svg(table)
        if got:
            ctx["chart_svg"], ctx["alt"] = got
    return ctx


def _pct(value: float | None, decimals: int) -> str:
    return f"{value:.{decimals}f}%" if value is not None else SUPPRESSED


def narrative(summary: WorkforceSummary) -> list[str]:
    """A few plain sentences that read the headline figures: the response, the
    backgrounds against the UK workforce, the class ceiling, the median pay gap beside
    the gap within grades, the senior-leader target and, when asked for, the weighted
    shares. Where a figure is suppressed the sentence says that we cannot say."""
    h = summary.headline
    dec = summary.policy.percent_decimals if summary.view == "publishable" else 1
    out = []
    met = ("meeting" if h["meets_response_target"] else "below")
    out.append(f"{h['answered_key_question']:,} of {h['employees']:,} employees "
               f"({_pct(h['response_rate_pct'], dec)}) answered the key question, {met} the "
               f"{h['response_target_pct']:.0f}% target."
               + ("" if h["meets_response_target"] else
                  " The figures describe those who answered and may not represent everyone."))
    shares = h.get("shares_pct")
    if shares:
        named = {"professional": "professional", "intermediate": "intermediate",
                 "lower": "lower socio-economic"}
        if any(v is None for v in shares.values()):
            known = [f"{_pct(v, dec)} from {named[g]} backgrounds"
                     for g, v in shares.items() if v is not None]
            out.append("We cannot say the full split by background: some figures are "
                       "suppressed to protect confidentiality"
                       + (f" ({'; '.join(known)})." if known else "."))
        else:
            bench = h["benchmark_pct"]
            out.append(f"Of the {h['classifiable']:,} who gave a classifiable answer, "
                       f"{_pct(shares['professional'], dec)} are from professional, "
                       f"{_pct(shares['intermediate'], dec)} from intermediate and "
                       f"{_pct(shares['lower'], dec)} from lower socio-economic backgrounds "
                       f"(UK workforce: {bench['professional']:.0f}%, "
                       f"{bench['intermediate']:.0f}% and {bench['lower']:.0f}%).")
    weighted = h.get("weighted")
    if weighted:
        ws = weighted["shares_pct"]
        if any(v is None for v in ws.values()):
            out.append("Weighted for non-response by grade, we cannot say every share: "
                       "some are suppressed.")
        else:
            out.append(f"Weighted so that each grade counts by its headcount (to allow for "
                       f"grades answering at different rates), the shares are "
                       f"{_pct(ws['professional'], dec)}, {_pct(ws['intermediate'], dec)} and "
                       f"{_pct(ws['lower'], dec)} (design effect "
                       f"{weighted['design_effect']:.2f}).")
    gap_pp = h.get("seniority_gap_lower_pp")
    if gap_pp is None:
        out.append("We cannot say how the share from lower backgrounds changes between "
                   "the entry grade and the senior grades: the numbers are too small to "
                   "publish.")
    else:
        way = "lower" if gap_pp < 0 else "higher"
        out.append(f"The share of staff from lower backgrounds is {abs(gap_pp):.0f} "
                   f"percentage points {way} in the senior grades than in the entry grade"
                   + (" — a sign of a class ceiling." if gap_pp <= -5 else "."))
    gap = h.get("median_hourly_gap_lower_pct")
    within = h.get("within_grade_gap_lower") or {}
    if gap is None:
        out.append("We cannot say what the median hourly pay gap between staff from lower "
                   "and professional backgrounds is: too few people in a group to publish "
                   "it.")
    else:
        way = "less" if gap >= 0 else "more"
        text = (f"At the median, staff from lower backgrounds are paid {abs(gap):.1f}% {way} "
                "per hour than staff from professional backgrounds (the headline gap).")
        adj = within.get("adjusted_pct")
        if adj is not None:
            if abs(adj) < 0.5 * abs(gap):
                size = "much smaller"
            elif abs(adj) < abs(gap):
                size = "smaller"
            else:
                size = "about as large or larger"
            text += (f" Within the same grade the gap is {size}: {adj:.1f}% after allowing "
                     "for grade (not a statutory measure)")
            rng = within.get("median_by_grade_pct")
            if rng:
                text += (f"; the median gap within single grades ranges from "
                         f"{rng['min']:.1f}% to {rng['max']:.1f}% in the {rng['grades']} of "
                         f"{rng['of']} grades with enough people")
            text += "."
            if size == "much smaller":
                text += (" Most of the headline gap comes from who holds which grades, not "
                         "from unequal pay within a grade.")
        else:
            text += " We cannot say how large the gap is within grades."
        out.append(text)
    target = h.get("target") or {}
    if target:
        if target.get("share_pct") is None:
            out.append(f"We cannot say how many {target['description']} there are: the "
                       "numbers are too small to publish.")
        else:
            out.append(f"{target['description'].capitalize()}: "
                       f"{_pct(target['share_pct'], dec)} (target "
                       f"{target['target_pct']:.0f}%: "
                       f"{'met' if target.get('met') else 'not met'}).")
    return out


def report_csv_frame(summary: WorkforceSummary) -> pd.DataFrame:
    """Every figure of every table, one row each, for a spreadsheet: ``table, caption,
    dimension, row, column, value, unit, status, note`` (``status`` ``suppressed`` with
    an empty value where the figure is suppressed). Figures are unrounded; columns that
    would be empty in every row are left out. Written by
    :func:`socmob.results.csv_text` (formula-safe)."""
    rows = []
    for t in summary.tables:
        f = t.frame
        for r in f.index:
            for c in f.columns:
                v = f.loc[r, c]
                missing = v is None or (isinstance(v, float) and math.isnan(v))
                rows.append({"table": t.key, "caption": t.caption,
                             "dimension": str(f.index.name or ""), "row": str(r),
                             "column": str(c), "value": None if missing else v,
                             "unit": t.unit, "status": "suppressed" if missing else
                             "published", "note": t.note})
    out = pd.DataFrame(rows, columns=["table", "caption", "dimension", "row", "column",
                                      "value", "unit", "status", "note"])
    if summary.synthetic:
        out.insert(0, "data", "SYNTHETIC")
    keep = [c for c in out.columns if c == "value" or
            out[c].map(lambda x: x is not None and x == x and str(x) != "").any()]
    return out[keep]


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
        marker=SUPPRESSED, version=__version__, fmt=_fmt, narrative=narrative(summary),
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
    "SUPPRESSED_LABEL",
    "html_to_pdf",
    "maturity_html",
    "narrative",
    "questionnaire_html",
    "report_csv_frame",
    "report_html",
    "report_json",
    "report_pdf",
    "share_segments",
]
