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
* :func:`breakdown_view` — the indicator over time by any published breakdown (a line,
  or a panel, for each group of one dimension, the others held at a group), its table,
  CSV and gaps; :func:`breakdown_choices` lists the breakdowns;
* :func:`plain_evidence` — a status's evidence in words, without test names;
* :func:`regional_indicators` — the indicators of one ITL2 region beside the UK's, with
  plain names and which way is good (the area profile's regional indicators);
* :func:`briefing_html` / :func:`briefing_pdf` — the 2–4 page national briefing.

The scan behind every view takes seconds: :func:`shared_overview` computes it once per
process (concurrent first callers wait for that one computation) and
:func:`overview_page` / :func:`indicator_page` keep the views made from it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any, TypeVar

import numpy as np
import pandas as pd
from jinja2 import Environment, PackageLoader, select_autoescape

from socmob import ATTRIBUTION, __version__
from socmob._text import closest, normalise
from socmob.errors import NotFoundError
from socmob.monitor import (
    LEVELS,
    Assessment,
    Overview,
    breakdown,
    editions_of,
    health,
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
from socmob.monitor.series import NATIONAL_AREAS, SEP, points, records, select, unit_key
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


# --------------------------------------------------------------------------- once per process

T = TypeVar("T")
_MEMO: dict[Hashable, Any] = {}
_MEMO_LOCK = threading.Lock()
_KEY_LOCKS: dict[Hashable, threading.Lock] = {}


def _once(key: Hashable, make: Callable[[], T]) -> T:
    """``make()`` computed at most once per process for ``key``; concurrent first callers
    wait for that one computation instead of repeating it (the embedded data never
    changes while the process runs). An exception is not remembered: the next caller
    tries again."""
    if key in _MEMO:
        return _MEMO[key]  # type: ignore[no-any-return]
    with _MEMO_LOCK:
        lock = _KEY_LOCKS.setdefault(key, threading.Lock())
    with lock:
        if key not in _MEMO:
            _MEMO[key] = make()
    return _MEMO[key]  # type: ignore[no-any-return]


def shared_overview() -> Overview:
    """The default scan of every indicator (:func:`socmob.monitor.overview`), computed
    once per process — it takes seconds — and shared by every page, answer and
    briefing."""
    return _once("overview", overview)


def overview_page() -> OverviewView:
    """:func:`overview_view` of the shared scan, made once per process."""
    return _once("overview_view", lambda: overview_view(shared_overview()))


def indicator_page(code: str) -> IndicatorView:
    """:func:`indicator_view` of the shared scan, made once per process and indicator;
    unknown codes raise :class:`~socmob.errors.NotFoundError` with "did you mean"."""
    try:
        entry = indicator(code)
    except NotFoundError as exc:  # the library's message points to the command line
        raise NotFoundError(f"no indicator {code[:60]!r}", exc.suggestions) from None
    return _once(("indicator", entry.code),
                 lambda: indicator_view(entry.code, scan=shared_overview()))


# --------------------------------------------------------------------------- evidence in words

#: Statuses that say a change is clear (more than chance would explain).
CLEAR_STATUSES = frozenset({"improving", "worsening", "rising", "falling", "gap narrowing",
                            "gap widening"})


def _unit(a: Assessment) -> str:
    return a.series.display_unit if a.series is not None else "number"


def _moved(ev: Mapping[str, Any], unit: str, *, gap: bool = False) -> str:
    """The estimate behind a status as a phrase: "risen by 0.59 pp a year", "fallen by
    1.2 pp", "risen to 1.15 times its first value"; for a gap (the signed advantage of
    the most advantaged group), "widened" and "narrowed"."""
    log = bool(ev.get("log_scale"))
    est = float(ev.get("estimate", math.nan))
    up, down = ("widened", "narrowed") if gap else ("risen", "fallen")
    if not math.isfinite(est) or est == 0:
        return "not changed"
    way = up if est > 0 else down
    if ev.get("test") == "trend":
        size = fmt.per_year(abs(est), unit, log_scale=log).lstrip("+")
        return f"{way} by {size} on average"
    if log and math.isfinite(ev.get("ratio", math.nan)):
        return f"{way} to {fmt.significant(ev['ratio'])} times its first value"
    return f"{way} by {fmt.change(abs(est), unit, signed=False)}"


def _likely(ev: Mapping[str, Any], unit: str) -> str:
    log = bool(ev.get("log_scale"))
    if ev.get("test") == "trend":
        lo = fmt.per_year(ev["lower"], unit, log_scale=log, suffix=False)
        hi = fmt.per_year(ev["upper"], unit, log_scale=log)
    elif log and math.isfinite(ev.get("ratio_lower", math.nan)):
        lo, hi = fmt.significant(ev["ratio_lower"]), fmt.significant(ev["ratio_upper"]) + " times"
    else:
        lo, hi = fmt.change(ev["lower"], unit), fmt.change(ev["upper"], unit)
    return f"{lo} to {hi}"


def plain_evidence(a: Assessment, *, gap: bool = False) -> str:
    """The evidence behind an indicator's status (or, with ``gap``, its gap's status) in
    plain words, without test names or p-values: which way it moved, by how much, since
    when, and whether that is more than chance would explain. The technical sentence is
    ``a.status.text``."""
    status = a.gap_status if gap else a.status
    ev = status.evidence
    unit = _unit(a)
    if gap:
        if a.gap is None:
            return a.gap_reason or "No gap between backgrounds is published."
        labels: tuple[str, ...] = a.gap.labels
        subject = f"The gap between {a.gap.most_advantaged} and {a.gap.least_advantaged}"
    else:
        if a.series is None or not len(a.series.points):
            return "The headline series is not published in this edition."
        labels = a.series.points.labels
        subject = "It"
    if ev.get("points", 0) < 1:
        return "No published value."
    if ev.get("points", 0) < health.rules().thresholds["min_points"] or ev.get("test") == "none":
        what = "The gap" if gap else "The indicator"
        return f"{what} is published for one period only ({labels[-1]}): nothing to compare yet."
    first = f"the period {labels[0]}" if " to " in labels[0] else labels[0]
    moved = f"{subject} has {_moved(ev, unit, gap=gap)} since {first}"
    if not math.isfinite(ev.get("p", math.nan)):
        return (f"{moved}, but with only two periods and no interval published, that change "
                "cannot be tested.")
    thinned = ev.get("test") == "trend" and ev.get("independent_points", 0) < ev.get("points", 0)
    if thinned:
        moved += (f" (judged on the {ev['independent_points']} of {ev['points']} periods that "
                  "share no years)")
    alpha = health.rules().alpha
    p_alone = ev.get("p_unadjusted", math.nan)
    if status.status in CLEAR_STATUSES:
        good = "" if gap else {"higher": " Higher is better.", "lower": " Lower is better."}.get(
            a.indicator.good, "")
        return f"{moved}: more than chance would explain.{good}"
    if math.isfinite(p_alone) and p_alone < alpha:
        return (f"{moved}. On its own that would look like a real change, but with so many "
                "indicators checked at once a movement that size could be chance.")
    return (f"{moved}, but a movement that size could be chance: anything from "
            f"{_likely(ev, unit)} fits the figures.")


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
        "gap_period": r["gap_period"] or "",
        "plain": plain_evidence(a), "gap_plain": plain_evidence(a, gap=True),
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
    scan = scan or shared_overview()
    levels: dict[str, list[dict[str, Any]]] = {level: [] for level in LEVELS}
    for a in scan.assessments:
        levels[a.indicator.level].append(_row(a))
    name = ADJUSTMENT_NAMES.get(scan.adjustment, scan.adjustment)
    note = (f"Statuses are judged at the 5% level on p-values adjusted for the "
            f"{scan.tests} indicator tests and {scan.gap_tests} gap tests of this scan "
            f"({name} method)." if name else
            "Statuses are judged at the 5% level without adjustment for multiple tests.")
    return OverviewView(levels, scan.counts(), OVERVIEW_COLUMNS, scan.table(), note)


def status_options() -> dict[str, tuple[str, ...]]:
    """The values each overview filter offers: ``level`` (framework levels), ``status``
    and ``gap_status`` (every status the health rules can give, in their order)."""
    rs = health.rules()
    statuses: list[str] = []
    for r in rs.indicator:
        statuses.append(r.status)
        if r.status in rs.neutral:
            statuses.append(rs.neutral[r.status])
    return {"level": tuple(LEVELS),
            "status": tuple(dict.fromkeys(statuses)),
            "gap_status": tuple(dict.fromkeys(r.status for r in rs.gap))}


def filter_overview(view: OverviewView, *, level: tuple[str, ...] = (),
                    status: tuple[str, ...] = (),
                    gap_status: tuple[str, ...] = ()) -> OverviewView:
    """The rows of ``view`` whose framework level, status and gap status are among those
    given (an empty selection keeps every row); ``counts`` and ``frame`` follow the rows
    kept. An unknown value raises :class:`~socmob.errors.InputError` naming the filter,
    the values it takes and the closest one."""
    from socmob.errors import InputError

    options = status_options()
    wanted: dict[str, set[str]] = {}
    for name, values in (("level", level), ("status", status), ("gap_status", gap_status)):
        known = {normalise(o): o for o in options[name]}
        chosen = set()
        for v in values:
            if normalise(v) not in known:
                near = closest(v, list(options[name]))
                raise InputError(f"unknown {name.replace('_', ' ')} {v!r}"
                                 + (f"; did you mean {near[0]!r}?" if near else ""),
                                 column=name, expected=", ".join(options[name]))
            chosen.add(known[normalise(v)])
        wanted[name] = chosen

    def keep(row: Mapping[str, Any]) -> bool:
        return all(not chosen or row[name] in chosen for name, chosen in wanted.items())

    levels = {lv: [r for r in rows if keep(r)] for lv, rows in view.levels.items()}
    codes = {r["code"] for rows in levels.values() for r in rows}
    counts: dict[str, dict[str, int]] = {}
    for lv, rows in levels.items():
        counts[lv] = {}
        for r in rows:
            counts[lv][r["status"]] = counts[lv].get(r["status"], 0) + 1
    frame = view.frame[view.frame["code"].isin(codes)].reset_index(drop=True)
    return OverviewView(levels, counts, view.columns, frame, view.adjustment_note)


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
    upper). ``description`` says what is drawn; the chart adds whether the shaded bands
    are 95% intervals or no interval is published."""
    data = frame[["series", "x", "time", "value", "lower", "upper"]].copy()
    labels = list(dict.fromkeys(data["series"]))
    colour: dict[str, Any] = {"field": "series", "type": "nominal", "title": None,
                              "scale": {"domain": labels,
                                        "range": SERIES_COLOURS[:len(labels)]}}
    if len(labels) == 1:
        colour["legend"] = None
    else:  # the bands' opacity would make the legend's symbols faint
        colour["legend"] = {"symbolOpacity": 1, "symbolType": "stroke", "symbolStrokeWidth": 3,
                            "columns": min(len(labels), 3), "labelLimit": 220}
    x = {"field": "x", "type": "quantitative", "title": None,
         "scale": {"zero": False, "nice": False},
         "axis": {"format": "d", "tickMinStep": 1, "labelFlush": True}}
    y_axis: dict[str, Any] = {"title": y_title}
    if percent_axis:
        y_axis["format"] = ".0%"
    has_band = bool(np.isfinite(data[["lower", "upper"]].to_numpy(dtype=float)).any())
    said = (description or f"{title} over time").rstrip(".")
    said += ("; shaded bands are 95% intervals." if has_band
             else "; no interval is published for these figures.")
    spec = _spec(title, said, width=width, height=height)
    spec["data"] = {"values": _clean_records(data)}
    band = {"mark": {"type": "area", "opacity": 0.18},
            "encoding": {"x": x, "y": {"field": "lower", "type": "quantitative",
                                       "axis": y_axis, "scale": {"zero": False}},
                         "y2": {"field": "upper"}, "color": colour}}
    line: dict[str, Any] = {
        "mark": {"type": "line", "strokeWidth": 2, "point": {"filled": True, "size": 40}},
        "encoding": {"x": x, "y": {"field": "value", "type": "quantitative"},
                     "color": colour,
                     "tooltip": [{"field": "series", "title": "Series"},
                                 {"field": "time", "title": "Time"},
                                 {"field": "value", "type": "quantitative", "title": "Value"},
                                 {"field": "lower", "type": "quantitative", "title": "Lower"},
                                 {"field": "upper", "type": "quantitative", "title": "Upper"}]}}
    if not has_band:  # no interval anywhere: the line carries the axis
        line["encoding"]["y"].update(axis=y_axis, scale={"zero": False})
    spec["layer"] = [band, line] if has_band else [line]
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
    values, or ``None``), ``regional_map`` (a ChartSpec, or ``None``) with its
    ``regional_table`` (formatted) and ``regional_note`` (whether the regional figures
    measure what the national headline measures), ``mobility`` (for a mobility outcome,
    what it says as mobility: :func:`socmob.monitor.mobility_outcome`) and the
    ``assessment`` behind it all.
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
    regional_table: dict[str, Any] = field(default_factory=dict)
    regional_note: str = ""
    mobility: str = ""
    assessment: Assessment | None = field(default=None, repr=False)


def gap_text(difference: float, lower: float, upper: float, ratio_value: float,
             ratio_lower: float, ratio_upper: float, unit: str, *, ratio: bool = False) -> str:
    """A gap with its 95% interval in one cell: ``"+14.9 pp (+13.3 to +16.5 pp)"``; with
    ``ratio`` (odds ratios) the ratio of the two groups, ``"2.85 (2.31 to 3.51)"``."""
    if ratio:
        text = fmt.significant(ratio_value)
        if math.isfinite(ratio_lower) and math.isfinite(ratio_upper):
            text += f" ({fmt.significant(ratio_lower)} to {fmt.significant(ratio_upper)})"
        return text
    text = fmt.change(difference, unit)
    if math.isfinite(lower) and math.isfinite(upper):
        text += f" ({change_interval(lower, upper, unit)})"
    return text


def change_interval(lower: float, upper: float, unit: str) -> str:
    """The interval of a difference, the unit once: ``"−17.2 to −11.5 pp"``."""
    lo, hi = fmt.change(lower, unit), fmt.change(upper, unit)
    if lo.endswith(" pp") and hi.endswith(" pp"):
        lo = lo.removesuffix(" pp")
    return f"{lo} to {hi}"


def _one_source(table: dict[str, Any]) -> dict[str, Any]:
    """The table without its "Interval" column when every row's interval has the same
    source (then named once, in ``intervals``)."""
    sources = {r.get("Interval") for r in table["rows"]}
    if "Interval" in table["columns"] and len(sources) == 1:
        return {**table, "columns": [c for c in table["columns"] if c != "Interval"],
                "intervals": str(sources.pop())}
    return table


def _table(frame: pd.DataFrame, unit: str) -> dict[str, Any]:
    rows = [{"Series": r.series, "Time": r.time, "Value": fmt.value(r.value, unit),
             "95% interval": fmt.interval(r.lower, r.upper, unit, compact=True),
             "Interval": r.interval} for r in records(frame)]
    return _one_source({"columns": ["Series", "Time", "Value", "95% interval", "Interval"],
                        "rows": rows})


def indicator_view(code: str, *, scan: Overview | None = None) -> IndicatorView:
    """One indicator's page (module docstring); unknown codes raise
    :class:`~socmob.errors.NotFoundError` with "did you mean"."""
    entry = indicator(code)
    scan = scan or shared_overview()
    a = scan[entry.code]
    unit = a.series.display_unit if a.series is not None else "number"
    frame = _chart_frame(a)
    y_title, percent_axis = _scale_for_axis(a)
    chart = series_chart(frame, name=f"indicator-{entry.code}", title=entry.title,
                         y_title=y_title, percent_axis=percent_axis,
                         description=(f"{entry.title}: {_headline_label(a)} over time"
                                      + (f", with {entry.gap.most_advantaged} and "
                                         f"{entry.gap.least_advantaged}" if entry.gap else "")))
    gap_table: dict[str, Any] = {}
    if a.gap is not None:
        head = "Ratio (95% interval)" if a.gap.log_scale else "Difference (95% interval)"
        gap_table = {
            "columns": ["Time", a.gap.most_advantaged, a.gap.least_advantaged, head],
            "rows": [{"Time": d.label, a.gap.most_advantaged: fmt.value(d.a, unit),
                      a.gap.least_advantaged: fmt.value(d.b, unit),
                      head: gap_text(d.estimate, d.lower, d.upper, d.ratio, d.ratio_lower,
                                     d.ratio_upper, unit, ratio=a.gap.log_scale)}
                     for d in a.gap.differences],
            "most": a.gap.most_advantaged, "least": a.gap.least_advantaged}
    changes: dict[str, Any] = {"verdict": "This indicator is in one edition only.",
                               "columns": [], "rows": []}
    if len(editions_of(entry.code)) >= 2:
        changes = _changes(revisions(entry.code))
    regional = regional_values(entry.code)
    regional_map = None if regional is None else regional_map_spec(entry.code, regional)
    rows = published(entry.code, edition=a.edition)
    breakdowns = sorted({"; ".join(d) or "total" for d in rows["dims"]})
    mobility = ""
    if entry.level == "mobility outcome":
        outcome = mobility_outcomes()[entry.code]
        # an association over time is its trend, already stated (judged within the scan)
        if outcome.kind != "association over time":
            mobility = outcome.statement
    return IndicatorView(
        code=entry.code, meta=entry.to_dict(), summary=_row(a), chart=chart,
        table=_table(frame, unit), csv=series_frame(rows), gap_table=gap_table,
        changes=changes, regional=regional, regional_map=regional_map, breakdowns=breakdowns,
        regional_table=_regional_table(a, regional), regional_note=_regional_note(a, regional),
        mobility=mobility, assessment=a)


#: The editions of the embedded release, as people name them.
EDITION_NAMES = {"son25": "the 2025 edition", "son26": "the 2026 edition",
                 "son-mo": "the mobility outcomes release"}


def _editions_text(text: str) -> str:
    for key, name in EDITION_NAMES.items():
        text = text.replace(f" {key}", f" {name}")
    return text


def breakdown_label(names: str) -> str:
    """A published breakdown (``"seb; neet"``) as people read it ("Socio-economic
    background and activity")."""
    parts = [n for n in names.split(SEP) if n and not dimension(n).time]
    if not parts or parts == ["total"]:
        return "Total"
    return _capital(_join([attribute_label(n).split(" (")[0] for n in parts]))


def _group_text(block: str, group: str) -> str:
    names, values = block.split(SEP), group.split(SEP)
    if len(names) != len(values):
        return group
    return "; ".join(group_label(n, v) for n, v in zip(names, values, strict=True))


def _changes(rev: Any, limit: int = 12) -> dict[str, Any]:
    """What changed between two editions, for the page: the verdict, each series'
    counts, and the first ``limit`` revised values."""
    old, new = (EDITION_NAMES.get(e, e) for e in (rev.old, rev.new))
    old_col, new_col = _capital(old.removeprefix("the ")), _capital(new.removeprefix("the "))
    shown = rev.revised.head(limit)
    verdict = _editions_text(rev.verdict.split(": ", 1)[-1])
    return {
        "verdict": _capital(verdict),
        "columns": ["Series", "Group", "Time", old_col, new_col, "Change"],
        "rows": [{"Series": breakdown_label(r.block), "Group": _group_text(r.block, r.group_key),
                  "Time": r.time, old_col: fmt.significant(r.old_value, 4),
                  new_col: fmt.significant(r.new_value, 4),
                  "Change": (fmt.change(r.difference, "number") if math.isfinite(r.difference)
                             else str(r.status))}
                 for r in records(shown)],
        "more": max(0, len(rev.revised) - len(shown)),
        "blocks": rev.blocks.to_dict(orient="records"),
        "blocks_rows": [{"Series": breakdown_label(b.block), "Unit": b.unit,
                         "In both": f"{b.pairs:,}", "Unchanged": f"{b.unchanged:,}",
                         "Re-based": f"{b.rebased:,}", "Revised": f"{b.revised:,}",
                         "Verdict": b.verdict} for b in records(rev.blocks)]}


def indicator_tables(code: str) -> dict[str, pd.DataFrame]:
    """The downloads of an indicator's page, unrounded, by name: ``published`` (every
    published row of the edition assessed, with the interval used), ``gap`` (most
    against least advantaged over time), ``regions`` (the latest ITL2 values) and
    ``revisions`` (every point in both editions, old and new value) — each only where
    the indicator has it."""
    view = indicator_page(code)
    a = view.assessment
    out = {"published": view.csv}
    if a is not None and a.gap is not None:
        out["gap"] = a.gap.to_frame()
    if view.regional is not None:
        regional = view.regional.drop(columns=["dims"])
        out["regions"] = regional.assign(measure=view.code)[["measure", *regional.columns]]
    if len(editions_of(view.code)) >= 2:
        out["revisions"] = revisions(view.code).to_frame()
    return out


def _regional_unit(a: Assessment, r: Any) -> str:
    if bool(r.comparable) and a.indicator.display_unit:
        return str(a.indicator.display_unit)
    return fmt.default_unit(str(r.unit), str(r.scale))


def _regional_table(a: Assessment, regional: pd.DataFrame | None) -> dict[str, Any]:
    """The latest ITL2 values as people read them (region, time, value, interval)."""
    if regional is None:
        return {}
    rows, ranked = [], []
    for r in records(regional):
        unit = _regional_unit(a, r)
        text = fmt.value(r.value, unit)
        rows.append({"Region": r.place, "Time": r.time, "Value": text,
                     "95% interval": fmt.interval(r.lower, r.upper, unit, compact=True),
                     "Interval": r.interval})
        if math.isfinite(r.value):
            ranked.append((float(r.value), str(r.place), text))
    ranked.sort()
    columns = ["Region", "Time", "Value", "95% interval", "Interval"]
    if len({row["Time"] for row in rows}) == 1:
        columns.remove("Time")  # one period for every region: the note says which
    if len({row["Interval"] for row in rows}) == 1:
        columns.remove("Interval")
    return {"columns": columns, "rows": rows,
            "interval": rows[0]["Interval"] if rows and "Interval" not in columns else "",
            "highest": [(p, t) for _, p, t in ranked[::-1][:5]],
            "lowest": [(p, t) for _, p, t in ranked[:5]]}


def _regional_note(a: Assessment, regional: pd.DataFrame | None) -> str:
    """What the regional figures are, and whether they can be set beside the national
    headline."""
    if regional is None:
        return ""
    r = records(regional.iloc[:1])[0]
    measured = "; ".join(f"{attribute_label(k)}: {group_label(k, v)}"
                         for k, v in r.dims.items() if k in _measure_dims(r.dims))
    what = f"The regional figures are for {measured}" if measured else \
        "The regional figures are for the whole population"
    when = sorted(set(regional["time"].astype(str)))
    period = f" They cover {when[0]}." if len(when) == 1 else ""
    if "random effect" in f"{r.unit} {r.note}".lower():
        return (f"{what}. They are random effects of a statistical model (published as "
                f"\u201c{r.unit}\u201d): they rank the regions but are not percentages and "
                f"cannot be compared with the national value.{period}")
    if not regional["comparable"].all():
        return (f"{what}, published in \u201c{r.unit}\u201d: not the same measure as the "
                f"national headline, so the two are not set side by side.{period}")
    return ("Each region's latest figure, measured the same way as the national "
            f"headline.{period}")


# --------------------------------------------------------------------------- breakdowns

#: The ``?by=`` value of the headline view: the headline series and, where the
#: indicator has a gap, its most and least advantaged groups.
HEADLINE = "headline"

#: Published group codes as people read them (dimension → code → label).
VALUE_LABELS: dict[str, dict[str, str]] = {
    "profession": {"hp": "Higher professional", "lp": "Lower professional",
                   "int": "Intermediate", "hw": "Higher working", "lw": "Lower working"},
    "highest_qualification": {"higher": "Higher degree", "first": "First degree",
                              "further": "Further education below degree",
                              "a_level": "A level and equivalent",
                              "gcse_level": "O level, GCSE and equivalent",
                              "lower": "Lower level (below CSE grade 1)"},
}

#: What the places of a geography are called, for breakdowns whose places differ.
PLACE_LABELS = {"country": "nation", "itl1": "region (ITL1)", "itl2": "region (ITL2)",
                "international": "country", "other": "place"}

#: Attributes that tell series apart besides the breakdown's dimensions.
_EXTRA_ATTRIBUTES = ("place", "unit", "note", "age")

#: Groups a held attribute falls back to when the headline names none.
_TOTALS = ("Total", "All", "NA")

#: More groups than this are drawn as small multiples, not as coloured lines.
MAX_COLOURS = len(SERIES_COLOURS)


def group_label(name: str, value: str) -> str:
    """A published group as people read it (``hp`` → ``Higher professional``)."""
    return VALUE_LABELS.get(name, {}).get(value, value)


def attribute_label(name: str, geography: str = "country", code: str | None = None) -> str:
    """What an attribute is called on a page: a dimension's label, or the place, unit,
    note or age column. With ``code``, a background dimension whose groups the indicator
    compares differently (``seb`` holding free school meals, parents' tenure or
    education) is called "background" with those groups."""
    if name == "place":
        return PLACE_LABELS.get(geography, "place")
    if name in ("unit", "note"):
        return {"unit": "unit as published", "note": "note as published"}[name]
    d = dimension(name)
    gap = indicator(code).gap if code is not None else None
    if (gap is not None and gap.dimension == name and d.most_advantaged
            and (gap.most_advantaged, gap.least_advantaged)
            != (d.most_advantaged, d.least_advantaged)):
        return f"background ({gap.most_advantaged} or {gap.least_advantaged})"
    return d.label


def _join(names: list[str]) -> str:
    """``a``, ``a and b``, ``a, b and c``."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class BreakdownChoice:
    """One way to show an indicator over time.

    ``key`` is the ``?by=`` value, ``label`` the name people see, ``breakdown`` the
    published breakdown without its time dimension (``"total"`` for none) in one
    ``geography``, and ``attributes`` what tells its series apart there: the dimensions
    whose groups differ, and ``place``, ``unit``, ``note`` or ``age`` where they do."""

    key: str
    label: str
    breakdown: str
    geography: str
    attributes: tuple[str, ...] = ()


def _rows_key(dims: Mapping[str, str]) -> str:
    return SEP.join(dims) or "total"


def _series_attributes(rows: pd.DataFrame) -> dict[str, dict[str, str]]:
    """Series → its attributes (dimension values, place, unit, and the note or age
    where the monitor's series key splits on them)."""
    spelling: dict[str, str] = {}
    for u in rows["unit"].dropna():
        spelling.setdefault(unit_key(u), str(u))
    out: dict[str, dict[str, str]] = {}
    for r in records(rows.drop_duplicates("series")[["series", "dims", "place", "unit"]]):
        attrs = {k: str(v) for k, v in r.dims.items()}
        attrs["place"] = "" if pd.isna(r.place) else str(r.place)
        attrs["unit"] = spelling.get(unit_key(r.unit), "")
        for part in str(r.series).split(" | ")[5:]:
            name, _, value = part.partition("=")
            if name in ("note", "age") and name not in attrs:
                attrs[name] = value
        out[str(r.series)] = attrs
    return out


def _ordered(name: str, values: list[str]) -> list[str]:
    """Groups in the dimension's advantage order, totals first, else as published."""
    order = {v: k for k, v in enumerate(dimension(name).order)} if name not in \
        _EXTRA_ATTRIBUTES else {}
    first = {v: k for k, v in enumerate(dict.fromkeys(values))}
    return sorted(first, key=lambda v: (v not in _TOTALS, order.get(v, len(order)), first[v]))


def _values(attrs: dict[str, dict[str, str]], name: str) -> list[str]:
    return _ordered(name, [a.get(name, "") for a in attrs.values()])


def _varying(breakdown_: str, attrs: dict[str, dict[str, str]]) -> tuple[str, ...]:
    names = [] if breakdown_ == "total" else breakdown_.split(SEP)
    names += [n for n in _EXTRA_ATTRIBUTES if n not in names]
    return tuple(n for n in names if len({a.get(n, "") for a in attrs.values()}) > 1)


def _view_rows(code: str) -> pd.DataFrame:
    """The usable published rows of the edition the monitor assesses, outside ITL2 (the
    regional values have their own map and table)."""
    rows = published(code, edition=editions_of(code)[0])
    return rows[rows["usable"] & (rows["geography"] != "itl2")]


@lru_cache(maxsize=64)
def breakdown_choices(code: str) -> tuple[BreakdownChoice, ...]:
    """The ways to show an indicator over time: first the headline view
    (:data:`HEADLINE`), then every published breakdown outside ITL2 — the headline's
    breakdown first, then the simplest."""
    entry = indicator(code)
    a = shared_overview()[entry.code]
    head_geo = (str(a.series.rows["geography"].iloc[0]) if a.series is not None
                and len(a.series.rows) else "country")
    head_key = SEP.join(d for d in entry.headline.breakdown.split(SEP)
                        if not dimension(d).time) or "total"
    rows = _view_rows(entry.code)
    keys = pd.Series([_rows_key(d) for d in rows["dims"]], index=rows.index, name="view")
    found = []
    for (brk, geo), part in rows.groupby([keys, rows["geography"]], sort=False):
        attrs = _series_attributes(part)
        varying = _varying(str(brk), attrs)
        if not varying and brk == head_key and geo == head_geo:
            continue  # the headline series itself
        label = _capital(_join([attribute_label(n, str(geo), entry.code).split(" (")[0]
                                for n in varying])) if varying else "Total"
        if "place" not in varying and geo != head_geo:
            places = sorted({a["place"] for a in attrs.values() if a["place"]})
            label += f" ({', '.join(places)})" if places else f" ({geo})"
        found.append(BreakdownChoice(str(brk), label, str(brk), str(geo), varying))
    found.sort(key=lambda c: (not (c.breakdown == head_key and c.geography == head_geo),
                              c.geography != head_geo, len(c.attributes), c.label))
    headline_label = ("Headline, with the most and least advantaged groups"
                      if entry.gap is not None else "Headline series")
    out = [BreakdownChoice(HEADLINE, headline_label, head_key, head_geo)]
    keys_seen, labels_seen = {HEADLINE}, {headline_label}
    for c in found:
        key = c.key if c.key not in keys_seen else f"{c.key} ({c.geography})"
        label = c.label if c.label not in labels_seen else f"{c.label} ({c.breakdown})"
        keys_seen.add(key)
        labels_seen.add(label)
        out.append(BreakdownChoice(key, label, c.breakdown, c.geography, c.attributes))
    return tuple(out)


def find_choice(code: str, by: str | None) -> tuple[BreakdownChoice, str | None]:
    """The view ``?by=`` names — a choice's key or label, a published breakdown, or a
    dimension (the simplest breakdown in which its groups differ, drawn by that
    dimension) — and the attribute to draw by (``None``: the view's own). Unknown
    values raise :class:`~socmob.errors.NotFoundError` with "did you mean"."""
    entry = indicator(code)
    choices = breakdown_choices(entry.code)
    if by is None or not by.strip():
        return choices[0], None
    key = normalise(by)
    for c in choices:
        if key in (normalise(c.key), normalise(c.label)):
            return c, None
    for c in choices[1:]:
        if key == normalise(c.breakdown):
            return c, None
    for c in sorted(choices[1:], key=lambda c: len(c.attributes)):
        for name in c.attributes:
            if key in (normalise(name),
                       normalise(attribute_label(name, c.geography, entry.code))):
                return c, name
    names = [c.key for c in choices]
    dims = sorted({n for c in choices for n in c.attributes})
    raise NotFoundError(
        f"indicator {entry.code} has no breakdown {by[:60]!r} (it has: {', '.join(names)})",
        closest(by[:60], dims + names + [c.label for c in choices], cutoff=0.4))


@dataclass(frozen=True)
class Held:
    """An attribute held at one group while the chart shows the others: its ``name``
    (the query parameter), ``label``, the ``value`` shown and the ``options``
    (value, label)."""

    name: str
    label: str
    value: str
    options: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class BreakdownView:
    """An indicator over time by one breakdown, for the page and its CSV.

    ``choice`` (of ``choices``) is the breakdown shown; ``colour`` the attribute the
    lines stand for, ``panels`` the attribute of the small multiples (or ``None``),
    ``held`` the other attributes and the group each is held at; ``chart`` (fixed size:
    the static SVG) and ``live`` (the same chart filling its container, for the
    interactive page); ``table`` (formatted: the chart's data), ``csv`` (tidy,
    unrounded: the published rows behind the chart), ``gaps`` (most against least
    advantaged, formatted, where the colour attribute has them), ``query`` (the
    ``?by=``, ``lines`` and held values that make this view), ``lines`` (the attributes
    a line can be drawn for: name, label) and ``notes`` (groups asked for that the
    breakdown does not have, and what is shown instead)."""

    code: str
    choices: tuple[BreakdownChoice, ...]
    choice: BreakdownChoice
    colour: str | None
    panels: str | None
    held: tuple[Held, ...]
    chart: ChartSpec
    live: ChartSpec
    table: dict[str, Any]
    csv: pd.DataFrame = field(repr=False)
    gaps: dict[str, Any] = field(default_factory=dict)
    query: tuple[tuple[str, str], ...] = ()
    lines: tuple[tuple[str, str], ...] = ()
    notes: tuple[str, ...] = ()


def breakdown_view(code: str, by: str | None = None, hold: Mapping[str, str] | None = None,
                   *, lines: str | None = None) -> BreakdownView:
    """An indicator over time by the breakdown ``by`` names (:func:`find_choice`;
    default: the headline view), a line (or, beyond six groups, a panel) for each group
    of ``lines`` (an attribute of the breakdown; default: the dimension ``by`` names,
    else the gap dimension, else a background, else the one with most groups), and the
    other attributes held at the groups in ``hold`` (default: the headline's group, else
    a total, else where the chart shows most series).

    An unknown breakdown raises :class:`~socmob.errors.NotFoundError` with "did you
    mean"; a ``lines`` or held group the breakdown does not have falls back to the
    default, and the view's ``notes`` say so (a form switched to another breakdown
    still carries the groups of the last one). Parameters that are not attributes of
    the view are ignored. Views are kept (the embedded data does not change)."""
    entry = indicator(code)
    choice, focus = find_choice(entry.code, by)
    notes: list[str] = []
    if lines:
        hit = [n for n in choice.attributes if normalise(n) == normalise(lines)]
        if hit:
            focus = hit[0]
        elif len(choice.attributes) > 1:
            notes.append(f"This breakdown has no {lines[:60]!r} to draw lines for; "
                         "the default is shown.")
    relevant = tuple(sorted((k, str(v)[:200]) for k, v in (hold or {}).items()
                            if k in choice.attributes and k != focus))
    view = _breakdown_view(entry.code, choice.key, focus, relevant)
    return replace(view, notes=(*notes, *view.notes)) if notes else view


def _chart_rows(a: Assessment) -> pd.DataFrame:
    """The published rows behind the headline chart: the headline series and the gap's
    two groups."""
    parts = [a.series.rows] if a.series is not None else []
    entry = a.indicator
    if entry.gap is not None:
        rows = published(entry.code, edition=a.edition)
        for group in (entry.gap.most_advantaged, entry.gap.least_advantaged):
            part = select(rows, entry.gap.selection, overrides={entry.gap.dimension: group})
            if part.empty:
                continue
            part = part[part["series"] == part["series"].iloc[0]]
            if a.series is not None and part["series"].iloc[0] == a.series.points.series:
                continue
            parts.append(part)
    return pd.concat(parts) if parts else published(entry.code).iloc[0:0]


def headline_rows(code: str) -> pd.DataFrame:
    """The published rows of the headline chart in the tidy schema, unrounded: the
    headline series and, where the indicator has a gap, its most and least advantaged
    groups (``series`` tells them apart)."""
    return series_frame(_chart_rows(shared_overview()[indicator(code).code]))


def _live(chart: ChartSpec) -> ChartSpec:
    """The chart filling the width of its container (vega-embed on the page), without
    its title (the page's heading and caption carry it); facets keep their fixed panel
    size."""
    spec = dict(chart.spec)
    spec.pop("title", None)  # the page's heading and caption say it; a long one is cut
    if "facet" not in spec:
        spec["width"] = "container"
        spec["autosize"] = {"type": "fit-x", "contains": "padding"}
    return ChartSpec(chart.name, chart.title, spec, chart.data, chart.description)


def _display_unit(entry: Any, a: Assessment, unit: str, scale: str) -> str:
    if (a.series is not None and entry.display_unit
            and unit_key(unit) == unit_key(a.series.unit) and scale == a.series.scale):
        return str(entry.display_unit)
    return fmt.default_unit(unit, scale)


_AXIS_TITLES = {"%": "Percent", "share": "Percent", "£": "£", "£bn": "£ billion",
                "£m": "£ million", "odds ratio": "Odds ratio"}


@lru_cache(maxsize=512)
def _breakdown_view(code: str, key: str, focus: str | None,
                    hold: tuple[tuple[str, str], ...]) -> BreakdownView:
    entry = indicator(code)
    a = shared_overview()[entry.code]
    choices = breakdown_choices(entry.code)
    choice = next(c for c in choices if c.key == key)
    if choice.key == HEADLINE:
        return _headline_view(a, choices)
    rows = _view_rows(entry.code)
    in_view = np.array([_rows_key(d) == choice.breakdown for d in rows["dims"]], dtype=bool)
    rows = rows[(rows["geography"] == choice.geography).to_numpy(dtype=bool) & in_view]
    attrs = _series_attributes(rows)
    values = {n: _values(attrs, n) for n in choice.attributes}
    colour = focus or _primary(entry, choice.attributes, values)
    panels: str | None = None
    if colour is not None and len(values[colour]) > MAX_COLOURS:
        panels, colour = colour, None
    elif "place" in choice.attributes and colour != "place":
        panels = "place"
    given = dict(hold)
    held: list[Held] = []
    notes: list[str] = []
    so_far: dict[str, str] = {}
    for name in choice.attributes:
        if name in (colour, panels):
            continue
        options = values[name]
        # by default, a group at which the chart shows the most series (in21 is published
        # by sex within each background, not for the total)
        shown_at = {o: len({(at.get(colour or ""), at.get(panels or "")) for at in attrs.values()
                            if at.get(name, "") == o
                            and all(at.get(n, "") == v for n, v in so_far.items())})
                    for o in options}
        most = max(shown_at.values())
        value, note = _held_value(entry, a, name, options, given.get(name),
                                  [o for o in options if shown_at[o] == most])
        if note:
            notes.append(note)
        so_far[name] = value
        held.append(Held(name, _capital(attribute_label(name, choice.geography, code)), value,
                         tuple((o, group_label(name, o)) for o in options)))
    fixed = {h.name: h.value for h in held}
    chosen = [s for s, at in attrs.items() if all(at.get(n, "") == v for n, v in fixed.items())]
    part = rows[rows["series"].isin(chosen)]
    first = records(part.iloc[:1])[0]
    unit = _display_unit(entry, a, str(first.unit), str(first.scale))
    frames = []
    for series in chosen:
        at = attrs[series]
        label = group_label(colour, at.get(colour, "")) if colour else entry.title
        pts = points(part[part["series"] == series])
        if not len(pts):
            continue
        f = _points_frame(pts, label)
        f["panel"] = group_label(panels, at.get(panels, "")) if panels else ""
        frames.append(f)
    frame = pd.concat(frames, ignore_index=True)
    shown = " and ".join(attribute_label(n, choice.geography, code).split(" (")[0]
                         for n in (colour, panels) if n) or "total"
    held_text = "; ".join(f"{h.label.lower()}: {group_label(h.name, h.value)}" for h in held)
    title = f"{entry.title} by {shown}"
    description = f"{entry.title} by {shown}" + (f" ({held_text})" if held_text else "")
    chart = breakdown_chart(frame, name=f"indicator-{entry.code}-by", title=title,
                            y_title=_AXIS_TITLES.get(unit, str(first.unit)),
                            description=description, percent_axis=unit == "share",
                            panel_title=attribute_label(panels, choice.geography, code)
                            if panels else "")
    columns = ([_capital(attribute_label(panels, choice.geography, code).split(" (")[0])]
               if panels else []) + [
        _capital(attribute_label(colour, choice.geography, code).split(" (")[0])
        if colour else "Series",
        "Time", "Value", "95% interval", "Interval"]
    table_rows = []
    for r in records(frame):
        row = {columns[0]: r.panel} if panels else {}
        row.update({columns[-5]: r.series, "Time": r.time, "Value": fmt.value(r.value, unit),
                    "95% interval": fmt.interval(r.lower, r.upper, unit, compact=True),
                    "Interval": r.interval})
        table_rows.append(row)
    gaps = _view_gaps(entry, a, choice, colour, panels, fixed, unit)
    drawn = colour or panels
    lines = tuple((n, _capital(attribute_label(n, choice.geography, code).split(" (")[0]))
                  for n in choice.attributes)
    query = (("by", choice.key), *((("lines", drawn),) if drawn and len(lines) > 1 else ()),
             *((h.name, h.value) for h in held))
    return BreakdownView(entry.code, choices, choice, colour, panels, tuple(held), chart,
                         _live(chart), _one_source({"columns": columns, "rows": table_rows}),
                         series_frame(part), gaps, query, lines, tuple(notes))


def _primary(entry: Any, attributes: tuple[str, ...], values: Mapping[str, list[str]]
             ) -> str | None:
    """The attribute a view draws by: the indicator's gap dimension, else a background
    dimension, else the one with the most groups (the place included)."""
    real = [n for n in attributes if n not in ("unit", "note", "age")]
    if entry.gap is not None and entry.gap.dimension in real:
        return str(entry.gap.dimension)
    for n in real:
        if n != "place" and dimension(n).most_advantaged:
            return n
    if real:
        return max(real, key=lambda n: (len(values[n]), -real.index(n)))
    return attributes[0] if attributes else None


def _held_value(entry: Any, a: Assessment, name: str, options: list[str],
                given: str | None, best: list[str]) -> tuple[str, str]:
    """The group ``name`` is held at, and a note when ``given`` is not one of its groups:
    ``given`` (matched on normalised values or labels), else among ``best`` the
    headline's group, the headline unit, the national area or a total, else the first
    of ``best``."""
    note = ""
    if given is not None:
        hit = {normalise(o): o for o in options}.get(normalise(given))
        if hit is None:
            hit = {normalise(group_label(name, o)): o for o in options}.get(normalise(given))
        if hit is not None:
            return hit, ""
        near = closest(given[:60], options, cutoff=0.4)
        note = (f"This breakdown has no {attribute_label(name, code=entry.code)} "
                f"{given[:60]!r}" + (f" (did you mean {near[0]!r}?)" if near else "") + "; ")
    preferred: list[str] = []
    chosen = entry.headline.select.get(name)
    if chosen is not None:
        preferred.append(str(chosen))
    if name == "unit" and a.series is not None:
        preferred.append(a.series.unit)
    if name == "place":
        preferred.extend(NATIONAL_AREAS)
    preferred.extend(_TOTALS)
    value = best[0]
    for p in reversed(preferred):
        key = unit_key(p) if name == "unit" else normalise(p)
        for o in best:
            if (unit_key(o) if name == "unit" else normalise(o)) == key:
                value = o
    return value, (f"{note}showing {group_label(name, value)!r}." if note else "")


def _headline_view(a: Assessment, choices: tuple[BreakdownChoice, ...]) -> BreakdownView:
    view = indicator_page(a.code)
    return BreakdownView(a.code, choices, choices[0], None, None, (), view.chart,
                         _live(view.chart), view.table, series_frame(_chart_rows(a)),
                         view.gap_table, (("by", HEADLINE),))


def _view_gaps(entry: Any, a: Assessment, choice: BreakdownChoice, colour: str | None,
               panels: str | None, fixed: Mapping[str, str], unit: str) -> dict[str, Any]:
    """Most against least advantaged group of the colour attribute, at the held groups
    (from :func:`socmob.monitor.breakdown`), formatted."""
    if colour is None or colour in _EXTRA_ATTRIBUTES:
        return {}
    b = breakdown(entry.code, by=choice.breakdown, geography=choice.geography,
                  edition=a.edition)
    g = b.gaps[b.gaps["dimension"] == colour]
    keep = []
    for r in records(g):
        others = dict(p.split(" = ", 1) for p in str(r.others).split(SEP) if " = " in p)
        ok = all(others.get(n, v) == v for n, v in fixed.items() if n not in _EXTRA_ATTRIBUTES)
        if "unit" in fixed:
            ok = ok and unit_key(r.unit) == unit_key(fixed["unit"])
        if "place" in fixed:
            ok = ok and str(r.place) == fixed["place"]
        keep.append(ok)
    g = g[keep] if len(g) else g
    if g.empty:
        return {}
    most, least = str(g["most_advantaged"].iloc[0]), str(g["least_advantaged"].iloc[0])
    ratio = bool((g["unit"].astype(str).map(unit_key) == "odds ratio").any())
    head = "Ratio (95% interval)" if ratio else "Difference (95% interval)"
    columns = (["Place"] if panels == "place" else []) + [
        "Time", group_label(colour, most), group_label(colour, least), head]
    out = []
    for r in records(g.sort_values(["place", "x"], kind="mergesort")):
        row: dict[str, Any] = {"Place": r.place} if panels == "place" else {}
        row.update({"Time": r.time, columns[-3]: fmt.value(r.most_value, unit),
                    columns[-2]: fmt.value(r.least_value, unit),
                    head: gap_text(r.difference, r.lower, r.upper, r.ratio, r.ratio_lower,
                                   r.ratio_upper, unit, ratio=ratio)})
        out.append(row)
    return {"columns": columns, "rows": out, "most": group_label(colour, most),
            "least": group_label(colour, least)}


def breakdown_chart(frame: pd.DataFrame, *, name: str, title: str, y_title: str,
                    description: str, percent_axis: bool = False,
                    panel_title: str = "") -> ChartSpec:
    """The chart of a breakdown view (``frame``: series, panel, x, time, value, lower,
    upper): lines over time with interval bands, one colour per series
    (:func:`series_chart`); small multiples, one panel per ``panel`` with a shared
    scale, where the frame has panels; and where every series has one point at the same
    time, a dot for each group with its interval as a line."""
    if frame["x"].nunique() <= 1:
        return _dot_chart(frame, name=name, title=title, x_title=y_title,
                          description=description, percent_axis=percent_axis)
    if not frame["panel"].astype(bool).any():
        return series_chart(frame, name=name, title=title, y_title=y_title,
                            description=description, width=600, height=300,
                            percent_axis=percent_axis)
    base = series_chart(frame, name=name, title=title, y_title=y_title,
                        description=description, percent_axis=percent_axis)
    data = frame[["series", "panel", "x", "time", "value", "lower", "upper"]]
    spec = _spec(title, base.description, width=160, height=110)
    del spec["width"], spec["height"]
    spec["data"] = {"values": _clean_records(data)}
    spec["facet"] = {"field": "panel", "type": "nominal", "title": panel_title or None,
                     "sort": list(dict.fromkeys(data["panel"])),
                     "header": {"labelFontSize": 12, "labelLimit": 160,
                                "titleFontSize": 12}}
    spec["columns"] = 2
    inner_layers = []
    for layer in base.spec["layer"]:
        layer = {**layer, "encoding": dict(layer["encoding"])}
        inner_layers.append(layer)
    spec["spec"] = {"width": 160, "height": 110, "layer": inner_layers}
    return ChartSpec(name, title, spec, data, base.description)


def _clean_records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as JSON-ready records, missing and infinite numbers as ``None``."""
    return [{str(k): (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in rec.items()} for rec in frame.to_dict(orient="records")]


def _dot_chart(frame: pd.DataFrame, *, name: str, title: str, x_title: str,
               description: str, percent_axis: bool) -> ChartSpec:
    """One dot per group with its 95% interval as a line (a single period); dots are
    coloured by series where a panel holds several (e.g. two backgrounds per region)."""
    data = frame[["series", "panel", "time", "value", "lower", "upper"]].copy()
    labels = list(dict.fromkeys(data["series"]))
    # one row per panel (region) with a coloured dot per series, else one row per series
    data["label"] = data["panel"] if data["panel"].astype(bool).any() else data["series"]
    order = list(dict.fromkeys(data["label"]))
    when = str(data["time"].iloc[0]) if len(data) else ""
    axis: dict[str, Any] = {"title": f"{x_title}, {when}" if x_title else when}
    if percent_axis:
        axis["format"] = ".0%"
    y = {"field": "label", "type": "nominal", "title": None, "sort": order,
         "axis": {"labelLimit": 260}}
    has_interval = bool(np.isfinite(data[["lower", "upper"]].to_numpy(dtype=float)).any())
    said = f"{description}, {when}" + ("; lines are 95% intervals." if has_interval
                                       else "; no interval is published for these figures.")
    spec = _spec(title, said, width=460, height=max(60, 26 * len(order)))
    spec["data"] = {"values": _clean_records(data)}
    rule: dict[str, Any] = {"mark": {"type": "rule", "strokeWidth": 2, "color": "#505a5f"},
            "encoding": {"y": y, "x": {"field": "lower", "type": "quantitative", "axis": axis,
                                       "scale": {"zero": False}},
                         "x2": {"field": "upper"}}}
    dot: dict[str, Any] = {
        "mark": {"type": "point", "filled": True, "size": 80, "opacity": 1},
        "encoding": {"y": y, "x": {"field": "value", "type": "quantitative"},
                     "tooltip": [{"field": "label", "title": "Group"},
                                 {"field": "series", "title": "Series"},
                                 {"field": "value", "type": "quantitative", "title": "Value"}]}}
    if 1 < len(labels) <= MAX_COLOURS and data["panel"].astype(bool).any():
        dot["encoding"]["color"] = {"field": "series", "type": "nominal", "title": None,
                                    "scale": {"domain": labels,
                                              "range": SERIES_COLOURS[:len(labels)]},
                                    "legend": {"orient": "top", "columns": 2,
                                               "labelLimit": 220}}
        # the groups of a row side by side, each interval in its group's colour
        for layer in (rule, dot):
            layer["encoding"]["yOffset"] = {"field": "series", "sort": labels}
        rule["encoding"]["color"] = dot["encoding"]["color"]  # one legend for both
        del rule["mark"]["color"]
    else:
        dot["mark"]["color"] = SERIES_COLOURS[0]
    if not has_interval:
        dot["encoding"]["x"].update(axis=axis, scale={"zero": False})
    spec["layer"] = [rule, dot] if has_interval else [dot]
    return ChartSpec(name, title, spec, data, spec["description"])


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
    random effect); otherwise the two must not be set side by side.

    Made once per process and indicator (the same for every region); a fresh copy."""
    found = _once(("regional_values", code), lambda: _regional_values(code))
    return None if found is None else found.copy()


def _regional_values(code: str) -> pd.DataFrame | None:
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


def regional_geometry(code: str, values: pd.DataFrame | None = None) -> dict[str, Any]:
    """The ITL2 regions an indicator's map draws, as a GeoJSON ``FeatureCollection`` (the
    41 regions of January 2021; for an indicator published on the January 2025
    geography, those boundaries). ``values``: :func:`regional_values` (looked up when
    not given); an indicator without regional values raises
    :class:`~socmob.errors.NotFoundError`."""
    import json

    from socmob import data

    entry = indicator(code)
    if values is None:
        values = regional_values(entry.code)
        if values is None:
            raise NotFoundError(f"indicator {entry.code} has no ITL2 values")
    shapes = data.boundaries("itl2")
    if "boundaries" in values and (values["boundaries"] == "itl2_2025").any():
        # dr55 mixes the January 2025 regions with two 2021 ones (Eastern and West
        # Central Scotland): the 2025 map plus the 2021 shapes of codes it lacks
        new = data.boundaries("itl2_2025")
        old = shapes[shapes["area_code"].isin(set(values["area_code"]) - set(new["area_code"]))]
        shapes = pd.concat([new, old], ignore_index=True)
    geo: dict[str, Any] = json.loads(shapes.to_json())
    return geo


def with_data_url(chart: ChartSpec, url: str) -> ChartSpec:
    """The chart with its top-level inline data replaced by ``url`` (same format): the
    page's interactive map fetches the boundaries once instead of carrying them twice
    beside the static image."""
    spec = dict(chart.spec)
    spec["data"] = {"url": url, **({"format": chart.spec["data"]["format"]}
                                   if "format" in chart.spec["data"] else {})}
    return ChartSpec(chart.name, chart.title, spec, chart.data, chart.description)


def regional_map_spec(code: str, values: pd.DataFrame) -> ChartSpec:
    """A map of the ITL2 regions shaded by the indicator's latest value (continuous scale;
    the table beside it carries the same numbers): the 41 regions of January 2021, or for
    an indicator published on the January 2025 geography (dr55) those boundaries."""
    entry = indicator(code)
    geo = regional_geometry(entry.code, values)
    cols = ["area_code", "place", "time", "value", "lower", "upper"]
    lookup = _clean_records(values[cols])
    title = f"{entry.title} by ITL2 region"
    spec = _spec(title, f"Map of {title}; darker regions have higher values.", width=380,
                 height=560)
    spec["data"] = {"values": geo, "format": {"type": "json", "property": "features"}}
    spec["projection"] = {"type": "mercator"}
    spec["transform"] = [{"lookup": "properties.area_code",
                          "from": {"data": {"values": lookup}, "key": "area_code",
                                   "fields": ["place", "time", "value", "lower", "upper"]}}]
    spec["mark"] = {"type": "geoshape", "stroke": "#505a5f", "strokeWidth": 0.4}
    scheme = "blues" if entry.good != "lower" else "oranges"
    first = records(values.iloc[:1])[0] if len(values) else None
    legend = "Value" if first is None else _AXIS_TITLES.get(
        fmt.default_unit(str(first.unit), str(first.scale)), str(first.unit))
    spec["encoding"] = {
        "color": {"field": "value", "type": "quantitative", "title": legend,
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
    scan = scan or shared_overview()
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
                             description=f"{a.indicator.title} over time")
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
    # an association over time is its trend: stated as judged in the scan (the outcome's
    # own statement tests it alone and could contradict the table)
    outcomes = [{"code": c, "title": o.title, "kind": o.kind,
                 "statement": o.statement if o.kind != "association over time" else
                 f"{scan[c].indicator.title}: {scan[c].status.status}. {plain_evidence(scan[c])}"}
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
    "HEADLINE",
    "BreakdownChoice",
    "BreakdownView",
    "Held",
    "IndicatorView",
    "OverviewView",
    "attribute_label",
    "breakdown_chart",
    "breakdown_choices",
    "breakdown_label",
    "breakdown_view",
    "briefing_context",
    "briefing_html",
    "briefing_pdf",
    "change_interval",
    "filter_overview",
    "find_choice",
    "gap_text",
    "group_label",
    "headline_rows",
    "indicator_page",
    "indicator_tables",
    "indicator_view",
    "overview_page",
    "overview_view",
    "plain_evidence",
    "regional_geometry",
    "regional_indicators",
    "regional_map_spec",
    "regional_values",
    "series_chart",
    "shared_overview",
    "status_class",
    "status_options",
    "with_data_url",
]
