"""The assessment as people see it: the sections of a policy impact assessment — summary,
geographic impact (a map of the change, with its table), socio-economic impact, negative
impacts flagged, assumptions and uncertainty — as panels for the web page, and as a
self-contained HTML or PDF report (WeasyPrint).

Everything shown comes from :class:`socmob.assess.Assessment`; this module selects,
relabels and draws. The maps are Vega-Lite specs (one spec serves the page as SVG and
the PDF as PNG): each unit shaded by its change in the index, on a diverging scale
centred on zero (purple: falls; orange: rises — the band colours' ends), with the same
figures in the table beside it.
"""

from __future__ import annotations

import base64
import datetime as _dt
import math
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

import pandas as pd

from socmob import ATTRIBUTION, __version__
from socmob.report.charts import FONT, INK, VEGA_LITE_SCHEMA, ChartSpec, accessible_svg
from socmob.report.formatting import fmt
from socmob.report.panels import Panel
from socmob.results import csv_text, dumps

if TYPE_CHECKING:  # pragma: no cover
    from socmob.assess import Assessment

#: Rows of a long table printed in the PDF (the web page and the CSV have them all).
PDF_ROWS = 25
#: Flags listed one by one in the PDF (all are in the web page's table and the CSV).
PDF_FLAGS = 30

_CONFIG: dict[str, Any] = {
    "aria": False, "font": FONT, "background": "white", "view": {"stroke": None},
    "legend": {"labelColor": INK, "titleColor": INK, "labelFontSize": 12,
               "titleFontSize": 13},
    "title": {"color": INK, "fontSize": 15, "anchor": "start"},
}

FLAG_KINDS: dict[str, str] = {
    "score falls (direct)": "Score falls: its own indicators move the unfavourable way",
    "score falls (construction)": "Score falls: the index is built differently",
    "score falls (relative)": "Score falls relative to the others (its own values do not "
                              "change)",
    "rank falls": "Falls in the ranking as others gain",
    "band falls": "Drops a band",
    "band risk": "May drop a band (in at least 10% of the runs)",
    "group loses": "A group loses on average",
    "gap widens": "A gap widens",
    "mobility falls": "Income mobility falls",
}


@dataclass(frozen=True)
class AssessReport:
    """The assessment laid out for people (module docstring)."""

    name: str
    description: str
    headlines: tuple[str, ...]
    level: str | None
    units_are: str
    unit_label: str
    changes: Panel | None
    maps: tuple[Panel, ...]
    units: tuple[Panel, ...]
    overall: Panel | None
    groups: Panel | None
    drivers: Panel | None
    gaps: Panel | None
    income: Panel | None
    income_reason: str | None
    flags: Panel | None
    flag_counts: tuple[tuple[str, int], ...]
    assumptions: tuple[str, ...]
    noise: Panel | None
    validation: Panel | None
    empty: bool
    json: str = field(repr=False)
    csv: str = field(default="", repr=False)
    """Every figure as tidy rows (:meth:`Assessment.to_frame`), written by
    :func:`socmob.results.csv_text` (full precision, formula-like text neutralised)."""

    @staticmethod
    def csv_uri(panel: Panel) -> str:
        """A panel's table as a CSV ``data:`` URI: full precision, and text a spreadsheet
        would run as a formula neutralised (a scenario's labels are a user's text)."""
        text = csv_text(panel.table)
        return ("data:text/csv;charset=utf-8;base64,"
                + base64.b64encode(text.encode("utf-8")).decode("ascii"))

    def panels(self) -> list[Panel]:
        """Every table of the report (for downloads)."""
        out = [p for p in (self.changes, self.overall, self.groups, self.drivers, self.gaps,
                           self.income, self.flags, self.noise, self.validation)
               if p is not None]
        return [*out[:1], *self.maps, *self.units, *out[1:]]


# --------------------------------------------------------------------------- the map


class ScenarioChart(ChartSpec):
    """A chart of a scenario's result, drawn afresh every time: a scenario may come from
    an upload, and nothing derived from one is cached (``ChartSpec`` keeps its renders
    of the embedded data's charts in a cache)."""

    def to_svg(self) -> str:
        import vl_convert as vlc

        return accessible_svg(vlc.vegalite_to_svg(self.spec), title=self.title,
                              description=self.description)

    def to_png(self, *, scale: float = 2.0) -> bytes:
        import vl_convert as vlc

        return bytes(vlc.vegalite_to_png(self.spec, scale=scale))



@lru_cache(maxsize=2)
def _geojson(kind: str) -> dict[str, Any]:
    from socmob import data

    gdf = data.boundaries(kind)
    return dict(gdf[["area_id", "geometry"]].__geo_interface__)


def change_map(frame: pd.DataFrame, *, boundaries: str, index_title: str, unit_label: str
               ) -> ChartSpec:
    """Units shaded by their change in z (``frame``: unit_id, unit_name, z_change,
    z_baseline, z_scenario, rank_baseline, rank_scenario), diverging around 0."""
    title = f"Change in {index_title}"
    cols = ["unit_id", "unit_name", "z_change", "z_baseline", "z_scenario", "rank_baseline",
            "rank_scenario"]
    records = [{k: (None if isinstance(v, float) and not math.isfinite(v) else v)
                for k, v in r.items()} for r in frame[cols].to_dict(orient="records")]
    largest = float(frame["z_change"].abs().max()) or 1.0
    description = (f"Map of the change in {index_title} for each {unit_label}: orange where "
                   "it rises, purple where it falls, white where it does not change.")
    spec: dict[str, Any] = {
        "$schema": VEGA_LITE_SCHEMA, "title": title, "description": description,
        "width": 380, "height": 560, "config": _CONFIG,
        "data": {"values": _geojson(boundaries), "format": {"type": "json",
                                                            "property": "features"}},
        "projection": {"type": "mercator"},
        "transform": [{"lookup": "properties.area_id",
                       "from": {"data": {"values": records}, "key": "unit_id",
                                "fields": cols[1:]}}],
        "mark": {"type": "geoshape", "stroke": "#505a5f", "strokeWidth": 0.4},
        "encoding": {
            "color": {"field": "z_change", "type": "quantitative",
                      "title": "Change in z",
                      "scale": {"scheme": "purpleorange", "domainMid": 0,
                                "domain": [-largest, largest]},
                      "legend": {"orient": "top-left", "format": "+.2f",
                                 "gradientLength": 200,
                                 "values": [-largest, 0.0, largest]}},
            "tooltip": [{"field": "unit_name", "type": "nominal", "title": unit_label.title()},
                        {"field": "z_change", "type": "quantitative", "title": "Change",
                         "format": "+.3f"},
                        {"field": "z_baseline", "type": "quantitative", "title": "Before",
                         "format": ".3f"},
                        {"field": "z_scenario", "type": "quantitative", "title": "After",
                         "format": ".3f"},
                        {"field": "rank_scenario", "type": "quantitative", "title": "Rank"}],
        },
    }
    return ScenarioChart(f"map-{frame['index_code'].iloc[0]}", title, spec, frame,
                         description)


# --------------------------------------------------------------------------- panels


def _interval(lo: Any, hi: Any, digits: int = 0) -> str:
    if lo is None or hi is None or pd.isna(lo) or pd.isna(hi):
        return ""
    if digits == 0:
        return f"{lo:.0f}–{hi:.0f}"
    return f"{lo:.{digits}f} to {hi:.{digits}f}"


def _changed_indices(overall: pd.DataFrame) -> list[str]:
    moved = (overall[["units_targeted", "score_up", "score_down", "rank_up", "rank_down",
                      "band_up", "band_down"]].sum(axis=1) > 0)
    return list(overall.loc[moved, "index_code"])


def _initial(label: str) -> str:
    """``label`` with a capital initial and the rest as written ("ITL2 region")."""
    return label[:1].upper() + label[1:]


def _place_panels(a: Assessment) -> dict[str, Any]:
    p = a.place
    assert p is not None
    label = p.unit_label
    changed = _changed_indices(p.overall)
    out: dict[str, Any] = {"maps": [], "units": []}
    ch = p.changes.copy()
    if len(ch):
        ch["where"] = [f"line {ln}, {k}" if pd.notna(ln) else str(k)
                       for k, ln in zip(ch["key"], ch["line"], strict=True)]
        # a column of empty labels (a scenario from the form) is not shown
        labelled = bool(ch["label"].fillna("").astype(str).str.strip().ne("").any())
        out["changes"] = Panel(
            "changes", "What the scenario changes", ch,
            note=f"Each change applies to the {label}s its target selects, in the order "
                 "written.",
            columns=(("change", "Change"),
                     *((("label", "Label"),) if labelled else ()), ("target", "Target"),
                     ("units", f"{_initial(label)}s"), ("unit_names", "Which"),
                     ("unit", "Unit of the change"), ("where", "In the scenario")))
    for index in changed:
        rows = p.units[p.units["index_code"] == index].copy()
        title = str(rows["index_title"].iloc[0])
        rows = rows.sort_values(["z_change", "rank_change", "unit_name"],
                                ascending=[False, True, True])
        rows["rank_interval"] = [_interval(lo, hi) for lo, hi in
                                 zip(rows["rank_scenario_lower"], rows["rank_scenario_upper"],
                                     strict=True)]
        rows["band_move"] = [f"{int(b)} → {int(s)}" for b, s in
                             zip(rows["band_baseline"], rows["band_scenario"], strict=True)]
        chart = change_map(rows, boundaries="areas" if p.level == "areas" else "itl2",
                           index_title=title, unit_label=label)
        out["maps"].append(Panel(
            f"map_{index}", f"Change in {title} by {label}", rows.drop(
                columns=["loss"]).reset_index(drop=True), chart,
            note=f"Change in the index z-score (the baseline scale) for every {label}, "
                 "largest gain first; 5%–95% intervals of the change and of the rank "
                 "from the paired Monte Carlo runs; P(band up/down): share of runs in "
                 "which the scenario's band is above/below the baseline's.",
            columns=(("unit_name", _initial(label)), ("region", "Region"),
                     ("targeted", "Targeted"), ("z_baseline", "z before"),
                     ("z_scenario", "z after"), ("z_change", "Change"),
                     ("z_change_lower", "Change 5%"), ("z_change_upper", "Change 95%"),
                     ("rank_baseline", "Rank before"), ("rank_scenario", "Rank after"),
                     ("rank_interval", "Rank after 5%–95%"), ("band_move", "Band"),
                     ("p_band_up", "P(band up)"), ("p_band_down", "P(band down)"))))
    ov = p.overall[p.overall["index_code"].isin(changed)].copy() if changed else p.overall
    ov = ov.copy()
    ov["fifth_gap_interval"] = [_interval(lo, hi, 3) for lo, hi in zip(
        ov["fifth_gap_change_lower"], ov["fifth_gap_change_upper"], strict=True)]
    out["overall"] = Panel(
        "overall", "Overall: who gains, who loses, and the gap between the top and bottom "
                   "fifth", ov.reset_index(drop=True),
        note=f"Fifth gap: mean z of today's top fifth of {label}s minus that of today's "
             "bottom fifth. Spread: SD of z. Intervals 5%–95% over the paired runs.",
        columns=(("index_title", "Index"), ("units_targeted", "Targeted"),
                 ("score_up", "Score up"), ("score_down", "Score down"),
                 ("rank_up", "Rank up"), ("rank_down", "Rank down"),
                 ("band_up", "Band up"), ("band_down", "Band down"),
                 ("fifth_gap_baseline", "Fifth gap before"),
                 ("fifth_gap_scenario", "Fifth gap after"),
                 ("fifth_gap_interval", "Change 5%–95%"),
                 ("spread_change", "Change in spread")))
    groups = p.groups[p.groups["index_code"].isin(changed)].copy()
    if len(groups):
        groups["interval"] = [_interval(lo, hi, 3) for lo, hi in zip(
            groups["mean_change_lower"], groups["mean_change_upper"], strict=True)]
        out["groups"] = Panel(
            "groups", "Where: nations and regions", groups.reset_index(drop=True),
            note="Mean change in z of each nation's and region's units. The registry holds "
                 "no urban/rural or coastal classification, so no such breakdown is given.",
            columns=(("index_title", "Index"), ("grouping", "By"), ("group", "Group"),
                     ("units", f"{_initial(label)}s"), ("mean_change", "Mean change"),
                     ("interval", "5%–95%"), ("score_up", "Score up"),
                     ("score_down", "Score down"), ("rank_up", "Rank up"),
                     ("rank_down", "Rank down")))
    if len(p.drivers):
        out["drivers"] = Panel(
            "drivers", "What drives the change", p.drivers.copy(),
            note="Each source of change on its own (the others at baseline); the interaction "
                 "is what they do together beyond their sum.",
            columns=(("index_title", "Index"), ("driver", "Driver"), ("title", "What"),
                     ("mean_change", "Mean change"),
                     ("mean_change_targeted", "Mean change where targeted"),
                     ("largest_gain", "Largest gain"), ("largest_loss", "Largest loss"),
                     ("units_moved", f"{_initial(label)}s moved")))
    noise = p.noise.copy()
    out["noise"] = Panel("noise", "Uncertainty behind the intervals", noise,
                         note=p.description,
                         columns=(("index_code", "Index"), ("period", "Period"),
                                  ("reliability_period", "Compared with"),
                                  ("reliability", "Reliability r"), ("sigma", "Noise σ"),
                                  ("source", "Source of the noise"), ("n", "Units")))
    if p.validation is not None:
        out["validation"] = Panel(
            "validation", "How close the index model is to the published indices",
            p.validation.copy(),
            note="Correlation across the 41 ITL2 regions between the model's index and the "
                 "mean published z-score of the region's areas.",
            columns=(("index_code", "Index"), ("published_period", "Published period"),
                     ("pearson", "Pearson r"), ("spearman", "Spearman r"),
                     ("n", "Regions"), ("areas", "Areas")))
    return out


def assessment_report(a: Assessment) -> AssessReport:
    """Lay out an :class:`~socmob.assess.Assessment` (module docstring)."""
    from socmob.assess.gaps import gap_table
    from socmob.assess.models import LEVEL_TITLES

    place: dict[str, Any] = _place_panels(a) if a.place is not None else {"maps": [],
                                                                          "units": []}
    gaps = None
    if a.background is not None and len(a.background):
        t = gap_table(a.background)
        gaps = Panel("gaps", "Gaps between backgrounds", t,
                     note="Most minus least advantaged group, latest period published; 95% "
                          "intervals from the published standard errors. Narrows: the "
                          "advantage of the most advantaged group falls.",
                     columns=(("title", "Indicator"), ("changes", "Change"),
                              ("most_advantaged", "Most advantaged"),
                              ("least_advantaged", "Least advantaged"), ("period", "Period"),
                              ("unit", "Unit"), ("gap_baseline", "Gap before"),
                              ("gap_scenario", "Gap after"),
                              ("advantage_change", "Change in advantage"),
                              ("verdict", "The gap")))
    income = None
    if a.income is not None:
        t = a.income.table.copy()
        t["interval"] = [_interval(lo, hi, 4) for lo, hi in
                         zip(t["change_lower"], t["change_upper"], strict=True)]
        income = Panel("income", "Income mobility", t,
                       note=f"{a.income.scenario}. {a.income.nobs:,} parent–child pairs; "
                            f"{a.income.recipients:,} recipients. Intervals: "
                            f"{1 - a.income.alpha:.0%} percentile intervals of "
                            f"{a.income.bootstrap} paired bootstrap replicates.",
                       columns=(("title", "Measure"), ("baseline", "Before"),
                                ("scenario", "After"), ("change", "Change"),
                                ("interval", "Interval of the change"),
                                ("verdict", "Verdict")))
    flags = None
    counts: dict[str, int] = {}
    if a.flags:
        frame = a.flags_frame()
        flags = Panel("flags", "Every negative impact, one by one", frame,
                      note="Listed by kind (widening gaps and losing groups first), the "
                           "largest first within a kind.",
                      columns=(("kind", "Kind"), ("index_code", "Index"),
                               ("text", "What")))
        for k in frame["kind"]:
            counts[str(k)] = counts.get(str(k), 0) + 1
    level = a.place.level if a.place is not None else None
    return AssessReport(
        name=a.scenario.name, description=a.scenario.description,
        headlines=tuple(a.headlines()), level=level,
        units_are=LEVEL_TITLES.get(level or "", ""),
        unit_label=a.place.unit_label if a.place is not None else "",
        changes=place.get("changes"), maps=tuple(place["maps"]),
        units=tuple(place["units"]), overall=place.get("overall"),
        groups=place.get("groups"), drivers=place.get("drivers"), gaps=gaps, income=income,
        income_reason=a.income_reason, flags=flags,
        flag_counts=tuple((FLAG_KINDS.get(k, k), n) for k, n in counts.items()),
        assumptions=tuple(a.assumptions()), noise=place.get("noise"),
        validation=place.get("validation"), empty=a.scenario.empty,
        json=dumps(a.to_dict()), csv=csv_text(a.to_frame()))


# --------------------------------------------------------------------------- documents


def _table(panel: Panel, limit: int | None) -> dict[str, Any]:
    table = panel.display_table()
    rows = table.to_dict(orient="records")
    return {"title": panel.title, "note": panel.note, "columns": list(table.columns),
            "rows": rows[:limit] if limit else rows,
            "truncated": bool(limit and len(rows) > limit), "total": len(rows)}


def _png(panel: Panel) -> str | None:
    if panel.chart is None:
        return None
    return "data:image/png;base64," + base64.b64encode(panel.chart.to_png(scale=1.5)).decode()


def report_context(report: AssessReport, *, images: bool = True,
                   limit: int | None = PDF_ROWS) -> dict[str, Any]:
    """The values the report template shows."""
    def table(p: Panel | None) -> dict[str, Any] | None:
        return _table(p, limit) if p is not None else None

    maps = [{**_table(p, limit), "image": _png(p) if images else None,
             "alt": p.chart.description if p.chart else ""} for p in report.maps]
    flags = None
    if report.flags is not None:
        flags = _table(report.flags, PDF_FLAGS)
    return {"r": report, "changes": table(report.changes), "maps": maps,
            "overall": table(report.overall), "groups": table(report.groups),
            "drivers": table(report.drivers), "gaps": table(report.gaps),
            "income": table(report.income), "flags": flags, "noise": table(report.noise),
            "validation": table(report.validation), "attribution": ATTRIBUTION,
            "version": __version__, "today": _dt.date.today().isoformat()}


def _env() -> Any:
    from jinja2 import Environment, PackageLoader, select_autoescape

    env = Environment(loader=PackageLoader("socmob.report", "templates"),
                      autoescape=select_autoescape(["html"]))
    env.filters["fmt"] = fmt
    env.tests["number"] = lambda v: isinstance(v, (int, float)) and not isinstance(v, bool)
    return env


def report_html(report: AssessReport) -> str:
    """The report as one self-contained HTML document (maps as inline PNG)."""
    return str(_env().get_template("assess_report.html").render(**report_context(report)))


def report_pdf(report: AssessReport) -> bytes:
    """The report as PDF (A4), rendered by WeasyPrint from :func:`report_html`."""
    from weasyprint import HTML

    return bytes(HTML(string=report_html(report), base_url=".").write_pdf())


def render(report: AssessReport, fmt: str) -> bytes:
    """The report in ``fmt``: ``json`` (the assessment's data, unrounded), ``csv`` (its
    tidy rows), ``html`` or ``pdf``."""
    if fmt == "json":
        return (report.json + "\n").encode("utf-8")
    if fmt == "csv":
        return report.csv.encode("utf-8")
    if fmt == "html":
        return report_html(report).encode("utf-8")
    if fmt == "pdf":
        return report_pdf(report)
    from socmob.errors import InputError

    raise InputError(f"unknown report format {fmt!r}", expected="json, csv, html or pdf")


# --------------------------------------------------------------------------- the web form

#: Most Monte Carlo runs a web request makes (a scenario asking more gets these).
WEB_MAX_RUNS = 2000
#: The largest scenario file the web page and the API read.
MAX_SCENARIO_BYTES = 100_000
WEB_NO_MICRODATA = ("the web page and the API do not read microdata: assess an income "
                    "scenario with 'socmob assess SCENARIO --microdata FILE'")

_OPS = ("add", "percent", "set", "multiply")
_FORM_IDS = ("measure", "op", "amount", "target", "region", "nation", "band-index", "areas",
             "runs", "name", "scenario-file")
_TARGETS = ("all", "region", "nation", "band", "areas")
#: The form field each part of a scenario built from the form comes from.
_FIELDS = {"add": "amount", "percent": "amount", "set": "amount", "multiply": "amount",
           "index": "measure", "indicator": "measure", "areas": "areas", "area": "areas",
           "region": "region", "nation": "nation", "band": "band-index",
           "runs": "runs", "name": "name"}


def form_options() -> dict[str, Any]:
    """The choices of the simple-scenario form: indices (the 205 areas' published
    scores), the ITL2 model's indicators, regions, nations, bands, operations."""
    from socmob import data
    from socmob.assess.models import ITL2_INDICATORS
    from socmob.place.banding import BAND_LABELS_2025
    from socmob.report.panels import index_titles

    titles = dict(sorted(index_titles(2025).items()))
    reg = data.registry(2025)
    return {
        "indices": [{"value": f"areas:{c}", "label": f"{t} ({c})"} for c, t in titles.items()],
        "indicators": [{"value": f"itl2:{s.code}", "label": f"{s.title} — {titles[s.index]}"}
                       for s in ITL2_INDICATORS],
        "index_codes": [{"value": c, "label": f"{t} ({c})"} for c, t in titles.items()],
        "regions": sorted(reg["region"].astype(str).unique()),
        "nations": sorted(reg["nation"].astype(str).unique()),
        "bands": [{"value": k, "label": f"{k} {label}"}
                  for k, label in enumerate(BAND_LABELS_2025, start=1)],
        "ops": [("add", "Add (in the measure's own units)"),
                ("percent", "Change by a percentage"), ("set", "Set to a value"),
                ("multiply", "Multiply by a factor")],
        "runs": [200, 1000, 2000],
    }


def form_field(key: str | None) -> str:
    """The form field a scenario problem's key points at (for the error summary)."""
    if not key:
        return "measure"
    if key in _FORM_IDS:
        return key
    parts = [p.split("[")[0] for p in key.split(".")]
    for part in reversed(parts):
        if part in _FIELDS:
            return _FIELDS[part]
    return "measure"


def scenario_from_form(form: Any) -> dict[str, Any]:
    """The scenario document a filled-in simple form stands for (one change to one
    measure). Fields: ``measure`` (``areas:ci1`` or ``itl2:dr13``), ``op``, ``amount``,
    ``target`` (all, region, nation, band, areas) with ``region``, ``nation``,
    ``band_index``/``band_from``/``band_to`` or ``areas``, ``runs``, ``name``.

    Raises
    ------
    ScenarioError
        A field that is missing or not one of the choices, naming the field.
    """
    from socmob.assess.scenario import Problem, ScenarioError

    def get(name: str) -> str:
        value = form.get(name)
        return str(value).strip() if value is not None else ""

    problems: list[Problem] = []
    level, _, code = get("measure").partition(":")
    if level not in ("areas", "itl2") or not code:
        problems.append(Problem("choose what the scenario changes", key="measure"))
    op = get("op") or "add"
    if op not in _OPS:
        problems.append(Problem(f"unknown change {op!r}", key="op", expected=", ".join(_OPS)))
    amount: float | None = None
    try:
        amount = float(get("amount").replace(",", "").replace("−", "-"))
        if not math.isfinite(amount):
            raise ValueError
    except ValueError:
        problems.append(Problem(f"the amount {get('amount')!r} is not a number", key="amount",
                                expected="a number, e.g. 0.25 or -10"))
    kind = get("target") or "all"
    target: dict[str, Any] = {}
    if kind == "all":
        target = {"all": True}
    elif kind in ("region", "nation", "areas"):
        text = get(kind)
        if not text:
            problems.append(Problem(f"no {kind} given", key=kind))
        target = {kind: [t.strip() for t in text.split(",") if t.strip()] if kind == "areas"
                  else text}
    elif kind == "band":
        lo, hi = get("band_from") or "1", get("band_to") or get("band_from") or "1"
        if not (lo.isdigit() and hi.isdigit()) or int(lo) > int(hi):
            problems.append(Problem("the bands must run from a lower to a higher band",
                                    key="band-index", expected="bands 1 to 7"))
        else:
            target = {"band": {get("band_index") or "ci1": f"{lo}-{hi}"}}
    else:
        problems.append(Problem(f"unknown target {kind!r}", key="target",
                                expected=", ".join(_TARGETS)))
    runs = get("runs") or "1000"
    if not runs.isdigit():
        problems.append(Problem(f"runs {runs!r} is not a whole number", key="runs"))
    if problems:
        raise ScenarioError(problems, "the form")
    change = {("index" if level == "areas" else "indicator"): code, op: amount,
              "target": target}
    doc: dict[str, Any] = {"name": get("name") or "Scenario from the form",
                           "place": {"level": level, "changes": [change]},
                           "uncertainty": {"runs": min(int(runs), WEB_MAX_RUNS)}}
    return doc


def read_scenario_upload(content: bytes, filename: str) -> Any:
    """A scenario uploaded as a file: at most :data:`MAX_SCENARIO_BYTES`, UTF-8 text (not
    a binary file, whatever its name), YAML or JSON — read with the line of every key.

    Raises
    ------
    InputError
        Too large, binary or not UTF-8, not YAML; ScenarioError for problems of form.
    """
    from socmob.assess._located import read_located
    from socmob.assess.scenario import parse_scenario
    from socmob.errors import InputError

    if not content.strip():
        raise InputError("the file is empty", file=filename,
                         expected="a scenario in YAML (see the examples)")
    if len(content) > MAX_SCENARIO_BYTES:
        raise InputError(f"the file is {len(content):,} bytes, more than the "
                         f"{MAX_SCENARIO_BYTES:,} a scenario may have", file=filename,
                         expected="a scenario file under 100 kB")
    if b"\x00" in content[:4096] or content.startswith((b"PK\x03\x04", b"%PDF")):
        raise InputError("the file is not text (it looks like a binary file)", file=filename,
                         expected="a scenario in YAML or JSON")
    return parse_scenario(read_located(content, name=filename))


def web_report(scenario: Any) -> AssessReport:
    """Assess a scenario for the web page or the API (at most :data:`WEB_MAX_RUNS` runs;
    no microdata) and lay out its report."""
    import dataclasses

    from socmob.assess import assess

    if scenario.runs > WEB_MAX_RUNS:
        scenario = dataclasses.replace(scenario, runs=WEB_MAX_RUNS)
    return assessment_report(assess(scenario, income_unavailable=WEB_NO_MICRODATA))


def examples() -> dict[str, str]:
    """The example scenarios shipped with socmob (name → YAML text)."""
    from importlib import resources

    folder = resources.files("socmob.assess").joinpath("examples")
    return {p.name.removesuffix(".yaml"): p.read_text("utf-8")
            for p in sorted(folder.iterdir(), key=lambda p: p.name)
            if p.name.endswith(".yaml")}


def example_titles() -> dict[str, str]:
    """The example scenarios' names (file name → the scenario's own ``name``)."""
    import yaml

    out = {}
    for key, text in examples().items():
        doc = yaml.safe_load(text) or {}
        out[key] = str(doc.get("name", key.replace("_", " ")))
    return out


__all__ = [
    "FLAG_KINDS",
    "MAX_SCENARIO_BYTES",
    "WEB_MAX_RUNS",
    "WEB_NO_MICRODATA",
    "AssessReport",
    "ScenarioChart",
    "assessment_report",
    "change_map",
    "example_titles",
    "examples",
    "form_field",
    "form_options",
    "read_scenario_upload",
    "render",
    "report_context",
    "report_html",
    "report_pdf",
    "scenario_from_form",
    "web_report",
]
