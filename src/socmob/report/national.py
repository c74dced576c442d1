"""The national health check of the State of the Nation framework, for people: the views
behind the ``/indicators`` pages and the national briefing (HTML and PDF).

Everything here is presentation over :mod:`socmob.monitor`: it formats numbers
(:mod:`socmob.monitor.display`), lays out tables and builds Vega-Lite chart specs
(:class:`socmob.report.charts.ChartSpec`: one spec serves the web page, the notebook and
the static image), but computes no statistic. A web page is then a thin router plus a
template:

* :func:`overview_view` — the framework, drivers → intermediate outcomes → mobility
  outcomes, each indicator with its latest value, gap, trend and status;
* :func:`indicator_view` — one indicator: the chart by background over time with
  interval bands, its data table and tidy CSV frame, definition and source, what
  changed since the last edition, and the regional (ITL2) values and map where the
  indicator has them;
* :func:`regional_indicators` — the indicators of one ITL2 region beside the UK's, with
  plain names and which way is good (the area profile's regional indicators);
* :func:`briefing_html` / :func:`briefing_pdf` — the 2–4 page national briefing.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
from dataclasses import dataclass, field
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from socmob import ATTRIBUTION, __version__
from socmob.errors import NotFoundError
from socmob.monitor import (
    LEVELS,
    Assessment,
    Overview,
    breakdown,
    editions_of,
    indicator,
    mobility_outcomes,
    overview,
    published,
    revisions,
)
from socmob.monitor import display as fmt
from socmob.monitor.analysis import series_frame
from socmob.monitor.metadata import dimension
from socmob.monitor.overview import ADJUSTMENT_NAMES
from socmob.monitor.series import points, records, select, unit_key
from socmob.report.charts import FONT, INK, VEGA_LITE_SCHEMA, ChartSpec

#: Status → (CSS class, short label) for tables and badges.
STATUS_STYLE: dict[str, str] = {
    "improving": "good", "gap narrowing": "good", "rising": "neutral", "falling": "neutral",
    "worsening": "bad", "gap widening": "bad",
}

#: Colours of the series on indicator charts (ColorBrewer Dark2: distinguishable in
#: colour-blind simulation; the legend and the table carry the same information).
SERIES_COLOURS = ["#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02"]

LEVEL_TITLES = {"driver": "Drivers of social mobility",
                "intermediate outcome": "Intermediate outcomes",
                "mobility outcome": "Mobility outcomes"}

_CHART_CONFIG: dict[str, Any] = {
    "aria": False, "font": FONT, "background": "white", "view": {"stroke": None},
    "axis": {"labelColor": INK, "titleColor": INK, "labelFontSize": 12, "titleFontSize": 12,
             "gridColor": "#e5e6e7"},
    "legend": {"labelColor": INK, "titleColor": INK, "labelFontSize": 12, "titleFontSize": 12,
               "orient": "bottom", "direction": "horizontal"},
    "title": {"color": INK, "fontSize": 14, "anchor": "start"},
}


def status_class(status: str) -> str:
    """``good``, ``bad``, ``neutral`` or ``none`` for a status (table and badge styling)."""
    return STATUS_STYLE.get(status, "none")


# --------------------------------------------------------------------------- overview


def _row(a: Assessment) -> dict[str, Any]:
    r = a.summary_row()
    unit = r["display_unit"]
    log = r["scale"] == "log"
    latest = fmt.value(r["latest_value"], unit)
    ci = fmt.interval(r["latest_lower"], r["latest_upper"], unit, compact=True)
    gap = ""
    if a.gap is not None and a.gap.latest() is not None:
        d = a.gap.latest()
        assert d is not None
        gap = (f"{fmt.significant(d.ratio)}×" if log
               else fmt.change(d.estimate, unit))
    trend = ""
    if a.status.evidence.get("test") == "trend":
        trend = fmt.per_year(r["trend_per_year"], unit, log_scale=log, short=True)
    elif a.status.evidence.get("test") == "change since first" and a.change_first:
        trend = ("×" + fmt.significant(a.change_first.ratio) if log
                 else fmt.change(a.change_first.estimate, unit)) + " vs first"
    return {
        "code": r["code"], "title": r["title"], "level": r["level"], "domain": r["domain"],
        "good": r["good"], "better": {"higher": "↑ higher", "lower": "↓ lower"}.get(
            r["good"], "–"), "period": r["latest_period"] or "", "value": latest,
        "interval": ci, "interval_source": r["interval"], "area": r["area"],
        "trend": trend, "status": r["status"], "status_class": status_class(r["status"]),
        "evidence": r["evidence"], "gap": gap, "gap_groups": r["gap_groups"],
        "gap_status": r["gap_status"], "gap_status_class": status_class(r["gap_status"]),
        "gap_evidence": r["gap_evidence"], "edition": r["edition"],
    }


OVERVIEW_COLUMNS: list[tuple[str, str]] = [
    ("code", "Code"), ("title", "Indicator"), ("period", "Latest"), ("value", "Value"),
    ("interval", "95% interval"), ("trend", "Trend"), ("status", "Status"),
    ("gap", "Gap"), ("gap_status", "Gap status"),
]


@dataclass(frozen=True)
class OverviewView:
    """The framework for a page or briefing: ``levels`` maps each framework level to its
    rows (formatted strings, statuses with CSS classes), ``counts`` the statuses per
    level, ``columns`` the table header (key, label), ``frame`` the unrounded table
    behind it (for CSV), and the multiple-comparison note."""

    levels: dict[str, list[dict[str, Any]]]
    counts: dict[str, dict[str, int]]
    columns: list[tuple[str, str]]
    frame: pd.DataFrame = field(repr=False)
    adjustment_note: str = ""


def overview_view(scan: Overview | None = None) -> OverviewView:
    """The ``/indicators`` page and the briefing's table (module docstring)."""
    scan = scan or overview()
    levels: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVELS}
    for a in scan.assessments:
        levels[a.indicator.level].append(_row(a))
    name = ADJUSTMENT_NAMES.get(scan.adjustment, scan.adjustment)
    note = (f"Statuses are judged at the 5% level on p-values adjusted for the "
            f"{scan.tests} indicator tests and {scan.gap_tests} gap tests of this scan "
            f"({name} method)." if name else
            "Statuses are judged at the 5% level without adjustment for multiple tests.")
    return OverviewView(levels, scan.counts(), OVERVIEW_COLUMNS, scan.table(), note)


# --------------------------------------------------------------------------- charts


def _spec(title: str, description: str, *, width: int | str = 560,
          height: int = 280) -> dict[str, Any]:
    return {"$schema": VEGA_LITE_SCHEMA, "title": title, "description": description,
            "width": width, "height": height, "config": _CHART_CONFIG}


def series_chart(frame: pd.DataFrame, *, name: str, title: str, y_title: str,
                 description: str = "", width: int = 560, height: int = 280,
                 percent_axis: bool = False) -> ChartSpec:
    """Lines over time with interval bands, one colour per ``series`` label (``frame``:
    series, x (year, midpoint of the years covered), time (label), value, lower,
    upper)."""
    data = frame[["series", "x", "time", "value", "lower", "upper"]].copy()
    labels = list(dict.fromkeys(data["series"]))
    colour: dict[str, Any] = {"field": "series", "type": "nominal", "title": None,
                              "scale": {"domain": labels,
                                        "range": SERIES_COLOURS[:len(labels)]}}
    if len(labels) == 1:
        colour["legend"] = None
    x = {"field": "x", "type": "quantitative", "title": None,
         "scale": {"zero": False, "nice": False},
         "axis": {"format": "d", "tickMinStep": 1, "labelFlush": True}}
    y_axis: dict[str, Any] = {"title": y_title}
    if percent_axis:
        y_axis["format"] = ".0%"
    spec = _spec(title, description or f"{title}: values over time with 95% intervals.",
                 width=width, height=height)
    spec["data"] = {"values": [{k: (None if isinstance(v, float) and not math.isfinite(v)
                                    else v) for k, v in rec.items()}
                               for rec in data.to_dict(orient="records")]}
    spec["layer"] = [
        {"mark": {"type": "area", "opacity": 0.18},
         "encoding": {"x": x, "y": {"field": "lower", "type": "quantitative", "axis": y_axis,
                                    "scale": {"zero": False}},
                      "y2": {"field": "upper"}, "color": colour}},
        {"mark": {"type": "line", "strokeWidth": 2, "point": {"filled": True, "size": 40}},
         "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"},
                      "color": colour,
                      "tooltip": [{"field": "series", "title": "Series"},
                                  {"field": "time", "title": "Time"},
                                  {"field": "value", "type": "quantitative", "title": "Value"},
                                  {"field": "lower", "type": "quantitative", "title": "Lower"},
                                  {"field": "upper", "type": "quantitative",
                                   "title": "Upper"}]}},
    ]
    return ChartSpec(name, title, spec, data, spec["description"])


def _chart_frame(a: Assessment) -> pd.DataFrame:
    """The headline series and, where the indicator has a gap, its two groups."""
    frames = []
    entry = a.indicator
    rows = published(entry.code, edition=a.edition)
    if a.series is not None:
        name = _headline_label(a)
        frames.append(_points_frame(a.series.points, name))
    if entry.gap is not None:
        for group in (entry.gap.most_advantaged, entry.gap.least_advantaged):
            part = select(rows, entry.gap.selection, overrides={entry.gap.dimension: group})
            if part.empty:
                continue
            pts = points(part[part["series"] == part["series"].iloc[0]])
            if a.series is not None and pts.series == a.series.points.series:
                continue
            frames.append(_points_frame(pts, group))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
        columns=["series", "x", "time", "value", "lower", "upper", "interval"])


def _headline_label(a: Assessment) -> str:
    select_ = a.indicator.headline.select
    if a.indicator.gap is not None:
        group = select_.get(a.indicator.gap.dimension)
        if group and group not in ("Total", "NA"):
            return str(group)
        return "All"
    if a.series is not None and len(a.series.rows):
        return str(a.series.rows["area_name"].iloc[0])
    return "All"


def _points_frame(p: Any, label: str) -> pd.DataFrame:
    return pd.DataFrame({"series": label, "x": [s.midpoint for s in p.spans],
                         "time": list(p.labels), "value": p.values, "lower": p.lower,
                         "upper": p.upper, "interval": list(p.interval)})


def _scale_for_axis(a: Assessment) -> tuple[str, bool]:
    unit = a.series.display_unit if a.series is not None else "number"
    titles = {"%": "Percent", "share": "Percent", "£": "£", "£bn": "£ billion",
              "odds ratio": "Odds ratio", "number": a.series.unit if a.series else ""}
    return titles.get(unit, ""), unit == "share"


# --------------------------------------------------------------------------- indicator page


@dataclass(frozen=True)
class IndicatorView:
    """Everything the ``/indicators/{code}`` page shows (module docstring).

    ``meta`` (the indicator's metadata), ``summary`` (the formatted overview row),
    ``chart`` and ``table`` (columns, rows: the chart's data, formatted), ``csv`` (tidy,
    unrounded: every published row with the interval used), ``gap_table``, ``changes``
    (what changed since the last edition: verdict and table), ``regional`` (latest ITL2
    values, or ``None``) and ``regional_map`` (a ChartSpec, or ``None``).
    """

    code: str
    meta: dict[str, Any]
    summary: dict[str, Any]
    chart: ChartSpec
    table: dict[str, Any]
    csv: pd.DataFrame = field(repr=False)
    gap_table: dict[str, Any] = field(default_factory=dict)
    changes: dict[str, Any] = field(default_factory=dict)
    regional: pd.DataFrame | None = field(default=None, repr=False)
    regional_map: ChartSpec | None = None
    breakdowns: list[str] = field(default_factory=list)


def _table(frame: pd.DataFrame, unit: str) -> dict[str, Any]:
    rows = [{"Series": r.series, "Time": r.time, "Value": fmt.value(r.value, unit),
             "95% interval": fmt.interval(r.lower, r.upper, unit),
             "Interval": r.interval} for r in records(frame)]
    return {"columns": ["Series", "Time", "Value", "95% interval", "Interval"], "rows": rows}


def indicator_view(code: str, *, scan: Overview | None = None) -> IndicatorView:
    """One indicator's page (module docstring); unknown codes raise
    :class:`~socmob.errors.NotFoundError` with "did you mean"."""
    entry = indicator(code)
    scan = scan or overview()
    a = scan[entry.code]
    unit = a.series.display_unit if a.series is not None else "number"
    frame = _chart_frame(a)
    y_title, percent_axis = _scale_for_axis(a)
    chart = series_chart(frame, name=f"indicator-{entry.code}", title=entry.title,
                         y_title=y_title, percent_axis=percent_axis,
                         description=(f"{entry.title}: {_headline_label(a)} over time"
                                      + (f", with {entry.gap.most_advantaged} and "
                                         f"{entry.gap.least_advantaged}" if entry.gap else "")
                                      + "; shaded bands are 95% intervals."))
    gap_table: dict[str, Any] = {}
    if a.gap is not None:
        gap_table = {
            "columns": ["Time", a.gap.most_advantaged, a.gap.least_advantaged, "Difference",
                        "95% interval", "Ratio"],
            "rows": [{"Time": d.label, a.gap.most_advantaged: fmt.value(d.a, unit),
                      a.gap.least_advantaged: fmt.value(d.b, unit),
                      "Difference": fmt.change(d.estimate, unit),
                      "95% interval": (f"{fmt.change(d.lower, unit)} to "
                                       f"{fmt.change(d.upper, unit)}") if math.isfinite(d.se)
                      else "", "Ratio": fmt.significant(d.ratio)}
                     for d in a.gap.differences]}
    changes: dict[str, Any] = {"verdict": "This indicator is in one edition only.",
                               "columns": [], "rows": []}
    if len(editions_of(entry.code)) >= 2:
        rev = revisions(entry.code)
        shown = rev.revised.head(12)
        changes = {"verdict": rev.verdict,
                   "columns": ["Time", "Breakdown", "Group", "SoN 2025", "SoN 2026", "Status"],
                   "rows": [{"Time": r.time, "Breakdown": r.block, "Group": r.group_key,
                             "SoN 2025": fmt.significant(r.old_value, 4),
                             "SoN 2026": fmt.significant(r.new_value, 4),
                             "Status": r.status} for r in records(shown)],
                   "more": max(0, len(rev.revised) - len(shown)),
                   "blocks": rev.blocks.to_dict(orient="records")}
    regional = regional_values(entry.code)
    regional_map = None if regional is None else regional_map_spec(entry.code, regional)
    rows = published(entry.code, edition=a.edition)
    breakdowns = sorted({"; ".join(d) or "total" for d in rows["dims"]})
    return IndicatorView(
        code=entry.code, meta=entry.to_dict(), summary=_row(a), chart=chart,
        table=_table(frame, unit), csv=series_frame(rows), gap_table=gap_table,
        changes=changes, regional=regional, regional_map=regional_map, breakdowns=breakdowns)


# --------------------------------------------------------------------------- regions


def _measure_dims(dims: dict[str, str]) -> frozenset[str]:
    """The dimensions that say what is measured: not time, geography or attributes."""
    out = set()
    for name in dims:
        d = dimension(name)
        if not (d.time or d.geography or d.attribute):
            out.add(name)
    return frozenset(out)


def regional_values(code: str) -> pd.DataFrame | None:
    """The latest ITL2 values of an indicator (one per region: area_code, place, time,
    start, end, value, lower, upper, interval, unit, scale, breakdown, group, dims, note,
    ``comparable``, ``boundaries``: ``itl2`` or ``itl2_2025``), or ``None`` when it has
    none.

    Where several ITL2 breakdowns exist, the one matching the headline's fixed values
    (e.g. "Unemployed" for dr32) is used. ``comparable`` says whether the regional
    figure measures what the national headline measures (same dimensions besides
    geography and time, the headline's fixed values, the same unit, and not a model's
    random effect); otherwise the two must not be set side by side."""
    entry = indicator(code)
    try:
        b = breakdown(entry.code, geography="itl2")
    except NotFoundError:
        return None
    rows = b.rows[b.rows["usable"]]
    if rows.empty:
        return None
    wanted = {k: v for k, v in entry.headline.select.items() if v is not None}
    keep = [all(d.get(k) == v for k, v in wanted.items() if k in d) and
            all(k in d for k in wanted if k not in ("age", "unit", "note"))
            for d in rows["dims"]]
    matched = any(keep)
    rows = rows[keep] if matched else rows
    first = rows["breakdown"].value_counts().index[0]
    rows = rows[rows["breakdown"] == first]
    rows = rows.sort_values("x").groupby("place", as_index=False).tail(1)
    head = published(entry.code)
    head = head[head["breakdown"] == entry.headline.breakdown]
    head_dims = _measure_dims(head["dims"].iloc[0]) if len(head) else frozenset()
    head_units = {unit_key(u) for u in head["unit"]}
    from socmob import data

    reg = data.registry(2025, area_type="itl2")
    from socmob._text import normalise

    # the release spells some regions differently from the registry ("Northumberland
    # and Tyne and Wear"): match on normalised names
    codes = {normalise(n): str(c) for n, c in zip(reg["area_name"], reg["area_code"],
                                                 strict=True)}
    comparable = [matched and _measure_dims(d) == head_dims and unit_key(u) in head_units
                  and "random effect" not in f"{u} {n}".lower()
                  for d, u, n in zip(rows["dims"], rows["unit"], rows["note"].fillna(""),
                                     strict=True)]
    # rows of the January 2025 geography (dr55) carry their own ITL2 code
    own = [str(c) if t == "itl2_2025" and isinstance(c, str) else None
           for c, t in zip(rows["area_code"], rows["area_type"], strict=True)]
    out = pd.DataFrame({
        "area_code": [o or codes.get(normalise(str(p)))
                      for o, p in zip(own, rows["place"], strict=True)],
        "boundaries": ["itl2_2025" if o else "itl2" for o in own],
        "place": rows["place"],
        "time": rows["time"], "start": rows["start"], "end": rows["end"],
        "value": rows["value"], "lower": rows["lower"], "upper": rows["upper"],
        "interval": rows["interval"], "unit": rows["unit"], "scale": rows["scale"],
        "breakdown": rows["breakdown"], "group": rows["group"], "dims": rows["dims"],
        "note": rows["note"], "comparable": comparable})
    return out.sort_values("place").reset_index(drop=True)


def regional_map_spec(code: str, values: pd.DataFrame) -> ChartSpec:
    """A map of the ITL2 regions shaded by the indicator's latest value (continuous scale;
    the table beside it carries the same numbers): the 41 regions of January 2021, or for
    an indicator published on the January 2025 geography (dr55) those boundaries."""
    import json

    from socmob import data

    entry = indicator(code)
    shapes = data.boundaries("itl2")
    if "boundaries" in values and (values["boundaries"] == "itl2_2025").any():
        # dr55 mixes the January 2025 regions with two 2021 ones (Eastern and West
        # Central Scotland): the 2025 map plus the 2021 shapes of codes it lacks
        new = data.boundaries("itl2_2025")
        old = shapes[shapes["area_code"].isin(set(values["area_code"]) - set(new["area_code"]))]
        shapes = pd.concat([new, old], ignore_index=True)
    geo = json.loads(shapes.to_json())
    cols = ["area_code", "place", "time", "value", "lower", "upper"]
    records = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in rec.items()} for rec in values[cols].to_dict(orient="records")]
    title = f"{entry.title} by ITL2 region"
    spec = _spec(title, f"Map of {title}; darker regions have higher values.", width=380,
                 height=560)
    spec["data"] = {"values": geo, "format": {"type": "json", "property": "features"}}
    spec["projection"] = {"type": "mercator"}
    spec["transform"] = [{"lookup": "properties.area_code",
                          "from": {"data": {"values": records}, "key": "area_code",
                                   "fields": ["place", "time", "value", "lower", "upper"]}}]
    spec["mark"] = {"type": "geoshape", "stroke": "#505a5f", "strokeWidth": 0.4}
    scheme = "blues" if entry.good != "lower" else "oranges"
    spec["encoding"] = {
        "color": {"field": "value", "type": "quantitative", "title": "Value",
                  "scale": {"scheme": scheme}, "legend": {"orient": "top-left"}},
        "tooltip": [{"field": "place", "title": "Region"},
                    {"field": "value", "type": "quantitative", "title": "Value"},
                    {"field": "time", "title": "Time"}],
    }
    return ChartSpec(f"map-{entry.code}", title, spec, values, spec["description"])


def regional_indicators(region: str, *, scan: Overview | None = None) -> pd.DataFrame:
    """The indicators published for one ITL2 region beside the UK: one row per indicator
    with its plain title, which way is good, the region's latest value and interval, the
    UK's value for the same years where the release gives one (else its latest, with its
    period), and a sentence comparing them ("higher than the UK; higher is better") only
    where the two measure the same thing over the same years; otherwise the sentence
    says why they are not compared. ``region``: an ITL2 name or
    code (``TLC1``). Unknown regions raise :class:`~socmob.errors.NotFoundError` with
    "did you mean"."""
    from socmob import data
    from socmob._text import closest, normalise

    reg = data.registry(2025, area_type="itl2")
    key = normalise(region)
    hit = reg[(reg["area_name"].map(normalise) == key)
              | (reg["area_code"].str.lower() == region.strip().lower())]
    if hit.empty:
        raise NotFoundError(f"unknown ITL2 region {region!r}",
                            closest(region, list(reg["area_name"])))
    name = str(hit["area_name"].iloc[0])
    scan = scan or overview()
    out = []
    for a in scan.assessments:
        values = regional_values(a.code)
        if values is None:
            continue
        here = values[values["place"] == name]
        if here.empty:
            continue
        r = here.iloc[0]
        unit = a.indicator.display_unit if bool(r["comparable"]) and a.indicator.display_unit \
            else fmt.default_unit(str(r["unit"]), str(r["scale"]))
        uk_time, uk_value, uk_text = None, math.nan, ""
        if a.series is not None and len(a.series.points):
            p = a.series.points
            same = [k for k, sp in enumerate(p.spans)
                    if (sp.start, sp.end) == (int(r["start"]), int(r["end"]))]
            k = same[0] if same else len(p) - 1
            uk_time, uk_value = p.labels[k], float(p.values[k])
            uk_unit = a.series.display_unit
            uk_text = fmt.value(uk_value, uk_unit) + (f" ({uk_time})" if not same else "")
            same_years = bool(same)
        else:
            same_years = False
        measured = "; ".join(v for k, v in r["dims"].items()
                             if k in _measure_dims(r["dims"])) or "the whole population"
        if "random effect" in f"{r['unit']} {r['note']}".lower():
            comparison = "a regional model effect, not comparable with a national value"
        elif not bool(r["comparable"]):
            comparison = (f"published in {r['unit']}, not in the national headline's unit"
                          if a.series is not None and unit_key(r["unit"]) != unit_key(
                              a.series.unit) else
                          f"the regional figure is for {measured}, not the national headline")
        elif not same_years:
            comparison = (f"the region's figure covers {r['time']}, the UK's {uk_time}: "
                          "different periods, not compared")
        else:
            diff = float(r["value"]) - uk_value
            side = "higher than" if diff > 0 else "lower than" if diff < 0 else "the same as"
            good = {"higher": "higher is better", "lower": "lower is better"}.get(
                a.indicator.good, "no better or worse direction")
            comparison = f"{side} the UK; {good}"
        is_level = str(r["scale"]) == "level" and unit == "number"
        out.append({
            "code": a.code, "title": a.indicator.title, "good": a.indicator.good,
            "region": name, "time": r["time"],
            "value": float(r["value"]), "lower": float(r["lower"]), "upper": float(r["upper"]),
            "value_text": fmt.value(float(r["value"]), unit),
            "interval_text": "" if is_level and not math.isfinite(float(r["lower"])) else
            fmt.interval(float(r["lower"]), float(r["upper"]), unit),
            "uk_time": uk_time, "uk_value": uk_value, "uk_text": uk_text,
            "comparable": bool(r["comparable"]), "comparison": comparison,
            "unit": str(r["unit"])})
    return pd.DataFrame(out)


# --------------------------------------------------------------------------- briefing


#: Indicators whose charts the briefing shows when nothing changed significantly.
BRIEFING_CHARTS: tuple[str, ...] = ("dr12", "dr32", "in21", "in33", "MO12", "MO42")


def _png(chart: ChartSpec) -> str:
    return "data:image/png;base64," + base64.b64encode(chart.to_png(scale=2.0)).decode("ascii")


def briefing_context(scan: Overview | None = None) -> dict[str, Any]:
    """The values the national briefing template shows."""
    scan = scan or overview()
    view = overview_view(scan)
    moving = [a for a in scan.assessments if status_class(a.status.status) in ("good", "bad")]
    chosen = [a.code for a in moving if a.indicator.level != "driver"][:2]
    chosen += [c for c in BRIEFING_CHARTS if c not in chosen]
    charts = []
    for code in chosen[:6]:
        a = scan[code]
        frame = _chart_frame(a)
        y_title, percent_axis = _scale_for_axis(a)
        # the figure caption carries the title: a long chart title would shrink the chart
        chart = series_chart(frame, name=f"briefing-{code}", title="", y_title=y_title,
                             width=230, height=130, percent_axis=percent_axis,
                             description=f"{a.indicator.title} over time with 95% intervals.")
        charts.append({"code": code, "title": a.indicator.title, "image": _png(chart),
                       "alt": chart.description, "status": a.status.status,
                       "status_class": status_class(a.status.status),
                       "note": a.status.text})
    rebased, revised = [], []
    for code in indicator_codes_in_both():
        rev = revisions(code)
        factors = rev.blocks["factor"].dropna()
        if len(factors):
            rebased.append({"code": code, "title": indicator(code).title,
                            "factor": f"{factors.iloc[0]:.4f}"})
        n = int(rev.blocks["revised"].sum())
        if n:
            revised.append({"code": code, "title": indicator(code).title, "revised": n,
                            "pairs": len(rev.pairs)})
    outcomes = [{"code": c, "title": o.title, "kind": o.kind, "statement": o.statement}
                for c, o in mobility_outcomes().items()]
    totals: dict[str, int] = {}
    for counts in view.counts.values():
        for status, n in counts.items():
            totals[status] = totals.get(status, 0) + n
    return {"view": view, "level_titles": LEVEL_TITLES, "charts": charts,
            "outcomes": outcomes, "rebased": rebased, "revised": revised, "totals": totals,
            "attribution": ATTRIBUTION, "version": __version__,
            "today": _dt.date.today().isoformat(), "status_class": status_class}


def indicator_codes_in_both() -> list[str]:
    """Indicators published in both SoN 2025 and SoN 2026, in framework order."""
    from socmob.monitor import indicators

    return [c for c in indicators() if {"son25", "son26"} <= set(editions_of(c))]


def _env() -> Environment:
    env = Environment(loader=PackageLoader("socmob.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    return env


def briefing_html(scan: Overview | None = None) -> str:
    """The national briefing as a self-contained HTML document (images inlined)."""
    return _env().get_template("national_briefing.html").render(**briefing_context(scan))


def briefing_pdf(scan: Overview | None = None) -> bytes:
    """The national briefing as PDF (A4), rendered by WeasyPrint from
    :func:`briefing_html`."""
    from weasyprint import HTML

    return bytes(HTML(string=briefing_html(scan), base_url=".").write_pdf())


__all__ = [
    "BRIEFING_CHARTS",
    "IndicatorView",
    "OverviewView",
    "briefing_context",
    "briefing_html",
    "briefing_pdf",
    "indicator_view",
    "overview_view",
    "regional_indicators",
    "regional_map_spec",
    "regional_values",
    "series_chart",
    "status_class",
]
