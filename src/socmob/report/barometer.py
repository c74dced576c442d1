"""The barometer page: a perception survey's answers by group and by wave, their
differences in plain words, and how reliable they are — for the web page, its CSV
downloads and the JSON API.

Every figure comes from :mod:`socmob.survey`: the design (:func:`survey_design`), raking
to population margins (:func:`rake`), design-based estimates with Taylor-linearised
standard errors (:func:`estimate`), differences with Holm-adjusted tests
(:func:`compare_groups`, :func:`compare_waves`) and Kish's design effect and effective
sample size (:func:`kish_design_effect`, :func:`effective_sample_size`). This module
chooses which estimates a reader sees, words them and draws them
(:mod:`socmob.report.charts`); it computes no statistic itself.

What a question shows, for the answers counted as agreeing ``A`` (the top two answers of
the scale unless given) and disagreeing ``D`` (the bottom two):

* the **share who agree**, ``p̂ = Σ w_i 1[y_i ∈ A] / Σ w_i`` over the respondents who
  answered, with its logit interval (R's ``svyciprop(method = "logit")``), by wave and,
  in the latest wave, by each group;
* the **net agreement** ``p̂_A − p̂_D`` with its t interval, in points (× 100);
* **differences** in the share who agree between every pair of groups of a breakdown in
  the latest wave, and between consecutive waves, each a t test on the design degrees of
  freedom with p-values adjusted by Holm (1979) over the family (one family per question
  and breakdown, one per question for the waves). A difference is reported in words as
  significant when its adjusted p-value is below ``alpha``.

Groups within the latest wave are domains of the whole design (a grouping column that is
missing outside that wave), so the standard errors use every PSU and the calibration, as
R's ``svyby`` on the full design does.

The demonstration survey is :func:`socmob.synth.barometer.synth_barometer` — labelled
SYNTHETIC everywhere it appears — generated deterministically at first use and computed
once per process (:func:`demo_view`). Nothing derived from an upload is cached:
:func:`barometer_view` renders its charts without the SVG cache of
:class:`~socmob.report.charts.ChartSpec`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import closest
from socmob.errors import InputError, NotFoundError
from socmob.report import charts
from socmob.report.panels import Panel
from socmob.results import csv_text, jsonable, tidy
from socmob.survey import (
    Comparison,
    Margin,
    SurveyData,
    SurveyDesign,
    SurveyEstimate,
    compare_groups,
    compare_waves,
    effective_sample_size,
    estimate,
    kish_design_effect,
    margins_from_frame,
    rake,
    survey_design,
)
from socmob.survey.design import LONELY_PSU_OPTIONS, categories

ALPHA = 0.05
"""Interval level (95%) and significance level of the tests."""

MAX_ITEMS = 20
"""Most questions estimated from one upload."""
MAX_GROUP_COLUMNS = 8
"""Most breakdowns (group columns) estimated from one upload."""
MAX_GROUPS = 30
"""Most categories of one breakdown (every pair is compared)."""
FEW_DF = 5
"""Groups with fewer design degrees of freedom than this are named as having wide
intervals."""
MAX_ANSWERS = 50
"""Most different answers of a column offered as a question on the design form."""
MAX_FINDINGS = 3
"""Significant group differences put in words per breakdown (the rest are in the table)."""
CHART_WIDTH = 320
"""Plot width of the charts in pixels (narrower than the library's default, so that on a
phone, where a chart is scaled to the screen, its labels stay readable)."""

DEMO_RESPONDENTS = 2000
DEMO_WAVES = 3
DEMO_FIRST_WAVE = 2022
DEMO_SEED = 2024
DEMO_SOURCE = "socmob synthetic barometer (SYNTHETIC: not real survey data)"
SYNTHETIC_LABEL = "SYNTHETIC — for demonstration"


# --------------------------------------------------------------------------- the spec


@dataclass(frozen=True)
class BarometerSpec:
    """What to estimate from a survey: its design and the questions and groups shown.

    Attributes
    ----------
    items:
        The question columns (ordered answer scales, at least four answers unless
        ``agree`` and ``disagree`` are given).
    groups:
        The breakdowns (group columns), e.g. background, age group, region, sex.
    wave:
        The column of survey waves (years); ``None`` for one survey.
    weights, strata, psu, lonely_psu:
        The sampling design (:func:`socmob.survey.survey_design`).
    missing:
        Answer codes that mean "no answer" (e.g. 8, 9 for don't know / refused).
    agree, disagree:
        The answers counted as agreeing and disagreeing (codes or labels); default the
        top two and bottom two answers of a coded scale.
    """

    items: tuple[str, ...]
    groups: tuple[str, ...] = ()
    wave: str | None = None
    weights: str | None = None
    strata: str | None = None
    psu: str | None = None
    lonely_psu: str = "fail"
    missing: tuple[Any, ...] = ()
    agree: tuple[Any, ...] | None = None
    disagree: tuple[Any, ...] | None = None

    def __post_init__(self) -> None:
        if not self.items:
            raise InputError("no question chosen", column="items",
                             expected="at least one question column")
        if len(self.items) > MAX_ITEMS:
            raise InputError(f"{len(self.items)} questions chosen", column="items",
                             expected=f"at most {MAX_ITEMS}")
        if len(self.groups) > MAX_GROUP_COLUMNS:
            raise InputError(f"{len(self.groups)} group columns chosen", column="groups",
                             expected=f"at most {MAX_GROUP_COLUMNS}")
        if self.lonely_psu not in LONELY_PSU_OPTIONS:
            raise InputError(f"unknown lonely-PSU treatment {self.lonely_psu!r}",
                             column="lonely_psu",
                             expected="one of " + ", ".join(LONELY_PSU_OPTIONS))
        if (self.agree is None) != (self.disagree is None):
            raise InputError("give both the agreeing and the disagreeing answers",
                             column="agree" if self.agree is None else "disagree")
        for what, columns in (("question", self.items), ("group", self.groups)):
            twice = [c for c in dict.fromkeys(columns) if columns.count(c) > 1]
            if twice:
                raise InputError(f"{what} column {twice[0]!r} is chosen twice",
                                 column=twice[0], expected=f"each {what} once")
        design = {"weight": self.weights, "strata": self.strata, "PSU": self.psu,
                  "wave": self.wave}
        for col in self.items:
            role = next((r for r, c in design.items() if c == col), None)
            if role is not None or col in self.groups:
                raise InputError(f"column {col!r} is chosen both as a question and as "
                                 f"{'the ' + role if role else 'a group'}", column=col,
                                 expected="questions that are answer scales, apart from "
                                 "the design and the groups")
        for col in self.groups:
            if col in (self.wave, self.weights):
                role = "wave" if col == self.wave else "weight"
                raise InputError(f"column {col!r} is chosen both as a group and as the "
                                 f"{role}", column=col,
                                 expected="groups other than the wave (shown already) and "
                                 "the weight")

    def to_dict(self) -> dict[str, Any]:
        """The spec as JSON-ready values (the API's ``design`` object)."""
        return {"items": list(self.items), "groups": list(self.groups), "wave": self.wave,
                "weights": self.weights, "strata": self.strata, "psu": self.psu,
                "lonely_psu": self.lonely_psu, "missing": list(self.missing),
                "agree": None if self.agree is None else list(self.agree),
                "disagree": None if self.disagree is None else list(self.disagree)}


def split_answers(text: str | None) -> tuple[Any, ...]:
    """``"4, 5"`` → ``(4, 5)``: answer codes (numbers) or labels, comma-separated."""
    out: list[Any] = []
    for part in (text or "").split(","):
        token = part.strip()
        if not token:
            continue
        try:
            number = float(token)
        except ValueError:
            out.append(token)
            continue
        if not math.isfinite(number):
            raise InputError(f"answer {token!r} is not a finite number",
                             expected="answer codes or labels, comma-separated")
        out.append(int(number) if number.is_integer() else number)
    return tuple(out)


# --------------------------------------------------------------------------- suggestions


@dataclass(frozen=True)
class ColumnInfo:
    """A column of an uploaded survey as the design form lists it."""

    name: str
    label: str
    kind: str  # "number", "text" or "labelled"
    distinct: int
    missing: int


@dataclass(frozen=True)
class SurveyFile:
    """What the first step of an upload shows: the file's columns and a suggested spec."""

    source: str
    respondents: int
    columns: tuple[ColumnInfo, ...]
    synthetic: bool
    suggestion: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {"source": self.source, "respondents": self.respondents,
                "synthetic": self.synthetic,
                "columns": [c.__dict__ for c in self.columns],
                "suggested_design": self.suggestion}


_WEIGHT = re.compile(r"weight|wgt|^wt", re.I)
_STRATA = re.compile(r"strat", re.I)
_PSU = re.compile(r"psu|cluster|sampling.?point", re.I)
_WAVE = re.compile(r"wave|year|round|period", re.I)
_ID = re.compile(r"(^|_)(id|uuid|serial|respondent)($|_)", re.I)


def describe_survey(survey: SurveyData) -> SurveyFile:
    """The columns of ``survey`` and a suggested spec for the design form: a numeric
    column named like a weight, strata, PSUs and waves by their names; questions are
    labelled or small whole-number scales of 4–11 answers; groups are the other columns
    with 2–:data:`MAX_GROUPS` categories. Only a suggestion: the reader chooses."""
    frame = survey.frame
    infos: list[ColumnInfo] = []
    for col in frame.columns:
        series = frame[col]
        name = str(col)
        labelled = name in survey.value_labels
        kind = ("labelled" if labelled else
                "number" if pd.api.types.is_numeric_dtype(series)
                and not pd.api.types.is_bool_dtype(series) else "text")
        infos.append(ColumnInfo(name=name, label=str(survey.variable_labels.get(name, "")),
                                kind=kind, distinct=int(series.nunique(dropna=True)),
                                missing=int(series.isna().sum())))

    def first(pattern: re.Pattern[str], kinds: set[str]) -> str | None:
        for c in infos:
            if pattern.search(c.name) and c.kind in kinds and c.missing == 0:
                return c.name
        return None

    weights = first(_WEIGHT, {"number"})
    strata = first(_STRATA, {"number", "text", "labelled"})
    psu = first(_PSU, {"number", "text", "labelled"})
    wave = first(_WAVE, {"number", "text", "labelled"})
    taken = {weights, strata, psu, wave}
    items = [c.name for c in infos if c.name not in taken and _scale_like(frame[c.name], c)]
    groups = [c.name for c in infos
              if c.name not in taken and c.name not in items and c.missing == 0
              and 2 <= c.distinct <= MAX_GROUPS and not _ID.search(c.name)
              and c.kind != "number" and c.name != "synthetic"]
    suggestion = {"items": items[:MAX_ITEMS], "groups": groups[:MAX_GROUP_COLUMNS],
                  "wave": wave, "weights": weights, "strata": strata, "psu": psu,
                  "lonely_psu": "fail", "missing": [], "agree": None, "disagree": None}
    return SurveyFile(source=survey.source, respondents=len(frame), columns=tuple(infos),
                      synthetic=survey.synthetic, suggestion=suggestion)


def _scale_like(series: pd.Series, info: ColumnInfo) -> bool:
    if info.kind == "labelled":
        return 4 <= info.distinct <= 11
    if info.kind != "number" or not 4 <= info.distinct <= 11:
        return False
    values = series.dropna().to_numpy(dtype="float64")
    return bool(np.all(values == np.round(values)) and values.min() >= 0
                and values.max() <= 10)


# --------------------------------------------------------------------------- the view


@dataclass(frozen=True)
class ChartPanel:
    """A table of estimates, its chart (static SVG) and its rows as a reader sees them."""

    panel: Panel
    svg: str
    headers: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    numeric: tuple[bool, ...]


@dataclass(frozen=True)
class Finding:
    """A difference put in words, and whether it is significant after adjustment."""

    text: str
    significant: bool


@dataclass(frozen=True)
class BreakdownFindings:
    """The group differences of one breakdown in the latest wave, in words."""

    breakdown: str
    findings: tuple[Finding, ...]
    more: int
    summary: str


@dataclass(frozen=True)
class QuestionView:
    """One question: headline, estimates over time and by group, differences."""

    key: str
    item: str
    wording: str
    agree_answers: tuple[str, ...]
    disagree_answers: tuple[str, ...]
    headline: str
    over_time: ChartPanel | None
    by_group: tuple[tuple[str, ChartPanel], ...]
    wave_findings: tuple[Finding, ...]
    group_findings: tuple[BreakdownFindings, ...]
    differences: Panel
    difference_tables: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]
    """Per breakdown (the waves first): its differences as a reader sees them —
    comparison, difference, interval, p-value, Holm-adjusted p-value, significant."""
    notes: tuple[str, ...] = ()

    @property
    def agree_phrase(self) -> str:
        """"agree", or "answer “A” or “B”" for a scale that is not of agreement."""
        return _agree_phrase(self.agree_answers)

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "wording": self.wording,
                "agree_answers": list(self.agree_answers),
                "disagree_answers": list(self.disagree_answers),
                "headline": self.headline,
                "wave_findings": [f.__dict__ for f in self.wave_findings],
                "group_findings": [{"breakdown": b.breakdown, "summary": b.summary,
                                    "findings": [f.__dict__ for f in b.findings]}
                                   for b in self.group_findings],
                "notes": list(self.notes)}


@dataclass(frozen=True)
class Reliability:
    """How reliable the estimates are: respondents, Kish design effect and effective
    sample size per wave, the design's degrees of freedom, and how it was weighted."""

    rows: tuple[dict[str, Any], ...]
    degrees_of_freedom: int
    strata: int
    psus: int
    weighting: str
    sentences: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {"waves": [dict(r) for r in self.rows],
                "degrees_of_freedom": self.degrees_of_freedom, "strata": self.strata,
                "psus": self.psus, "weighting": self.weighting,
                "sentences": list(self.sentences)}


@dataclass(frozen=True)
class BarometerView:
    """Everything the barometer page, its downloads and the API show for one survey."""

    title: str
    source: str
    synthetic: bool
    spec: BarometerSpec
    waves: tuple[str, ...]
    latest: str | None
    respondents: int
    reliability: Reliability
    questions: tuple[QuestionView, ...]
    estimates: pd.DataFrame = field(repr=False)
    differences: pd.DataFrame = field(repr=False)

    def panels(self) -> dict[str, Panel]:
        """Every table of the page by its name (for downloads)."""
        out: dict[str, Panel] = {"estimates": Panel("estimates", "All estimates",
                                                    self.estimates),
                                 "differences": Panel("differences", "All differences",
                                                      self.differences)}
        for q in self.questions:
            if q.over_time is not None:
                out[q.over_time.panel.name] = q.over_time.panel
            for _, cp in q.by_group:
                out[cp.panel.name] = cp.panel
            out[q.differences.name] = q.differences
        return out

    def estimates_csv(self) -> str:
        """Every estimate as CSV (tidy, unrounded, formula-like text neutralised)."""
        return csv_text(self.estimates)

    def differences_csv(self) -> str:
        """Every difference and its tests as CSV."""
        return csv_text(self.differences)

    def to_dict(self) -> dict[str, Any]:
        """The view as JSON-ready values: the API's ``data``."""
        return jsonable({
            "title": self.title, "source": self.source, "synthetic": self.synthetic,
            "design": self.spec.to_dict(), "waves": list(self.waves),
            "latest_wave": self.latest, "respondents": self.respondents,
            "reliability": self.reliability.to_dict(),
            "questions": [q.to_dict() for q in self.questions],
            "estimates": self.estimates, "differences": self.differences})


# --------------------------------------------------------------------------- wording


def _humanise(column: str) -> str:
    return re.sub(r"[_.]+", " ", column).strip()


def _quote(text: str) -> str:
    return f"“{text}”"


def _agree_phrase(agree: Sequence[str], *, past: bool = False) -> str:
    """"agree" for an agreement scale, else "answer “A” or “B”"."""
    if all("agree" in a.lower() and "disagree" not in a.lower() for a in agree):
        return "agreed" if past else "agree"
    verb = "answered" if past else "answer"
    return f"{verb} " + " or ".join(_quote(a) for a in agree)


def _points(x: float) -> str:
    """A difference of proportions in percentage points, for reading: whole points (one
    decimal when it would round to 0), with its unit."""
    p = abs(100 * x)
    text = f"{p:.0f}" if round(p) != 0 or p == 0 else f"{p:.1f}"
    return f"{text} point" + ("" if text == "1" else "s")


def _whole(v: float, *, signed: bool) -> str:
    text = f"{abs(v):.0f}"
    if text == "0":
        return "0"
    return ("−" if v < 0 else "+" if signed else "") + text


def _range(lo: float, hi: float, *, signed: bool = False) -> str:
    """An interval in whole percentage points: ``5–11`` (both ≥ 0, unsigned) or
    ``−3 to +7``."""
    a, b = 100 * lo, 100 * hi
    if not signed and a >= 0 and b >= 0:
        return f"{_whole(a, signed=False)}–{_whole(b, signed=False)}"
    return f"{_whole(a, signed=signed)} to {_whole(b, signed=signed)}"


def _pct(x: float) -> str:
    return f"{100 * x:.0f}%"


def _net(x: float) -> str:
    """A net score (or a change) in signed whole points."""
    return _whole(100 * x, signed=True)


def _net_name(agree: Sequence[str]) -> str:
    """"Net agreement" on an agreement scale, else "Net score"."""
    return "Net agreement" if _agree_phrase(agree) == "agree" else "Net score"


# --------------------------------------------------------------------------- estimates


def _svg(chart: charts.ChartSpec) -> str:
    """Static SVG of ``chart``, rendered now: no cache (results of uploads are never
    kept)."""
    import vl_convert as vlc

    return charts.accessible_svg(vlc.vegalite_to_svg(chart.spec), title=chart.title,
                                 description=chart.description)


def _answers(design: SurveyDesign, item: str, spec: BarometerSpec,
             wave: str | None) -> tuple[SurveyEstimate | Any, tuple[str, ...],
                                        tuple[str, ...], tuple[str, ...]]:
    """The distribution of answers (by wave), the answer names in scale order, and the
    answers counted as agreeing and disagreeing."""
    series = design.column(item)
    dist = estimate(design, item, statistic="proportion", by=wave,
                    missing=list(spec.missing) or None)
    first = dist if isinstance(dist, SurveyEstimate) else next(iter(dist.values()), None)
    if first is None:
        raise InputError(f"no respondent answered {item!r}", file=design.source,
                         column=item, expected="answers to the question")
    names = tuple(first.labels)
    if spec.agree is not None and spec.disagree is not None:
        return dist, names, tuple(map(str, spec.agree)), tuple(map(str, spec.disagree))
    text = not (pd.api.types.is_numeric_dtype(series)
                or isinstance(series.dtype, pd.CategoricalDtype))
    if text:
        raise InputError(f"question {item!r} holds text answers, so the order of its scale "
                         "is not known", file=design.source, column=item,
                         expected="answers coded as numbers (1 = strongly disagree …), or "
                         "the answers counted as agreeing and disagreeing")
    if len(names) < 4:
        raise InputError(f"question {item!r} has {len(names)} answers", file=design.source,
                         column=item, expected="a scale of at least four answers, or the "
                         "answers counted as agreeing and disagreeing")
    return dist, names, names[-2:], names[:2]


_UNITS = {"mean": "mean score", "proportion": "proportion",
          "net": "net agreement (share agreeing minus share disagreeing)"}
_KORN_GRAUBARD_NOTE = "logit interval undefined at 0 or 1: Korn–Graubard given"
"""The note :meth:`SurveyEstimate.to_frame` gives a proportion of 0 or 1 (the logit
interval does not exist there; the Korn–Graubard one is given)."""


def _rows(res: SurveyEstimate) -> list[dict[str, Any]]:
    """The tidy rows of one estimate (its attributes and ``conf_int``), as
    :meth:`SurveyEstimate.to_frame` gives them, built without a frame per group."""
    ci = res.conf_int(ALPHA)
    out = []
    for k, level in enumerate(res.labels):
        p = float(res.estimate[k])
        note = (_KORN_GRAUBARD_NOTE if res.method == "logit" and not 0 < p < 1 else None)
        out.append({"measure": f"{res.item}: {res.statistic}", "value": p,
                    "lci": float(ci["lower"].iloc[k]), "uci": float(ci["upper"].iloc[k]),
                    "n": res.n, "unit": _UNITS.get(res.statistic, res.statistic),
                    "note": note, "item": res.item, "statistic": res.statistic,
                    "level": level, "se": float(res.se[k]), "df": res.df,
                    "method": res.method, "weighted_n": res.weighted_n})
    return out


def _frame_of(result: Any, *, item: str, statistic: str, wave: str | None,
              breakdown: str | None, waves: Sequence[str]) -> pd.DataFrame:
    """Tidy rows of an estimate (or a ByGroup of them) with ``period`` the wave and
    ``breakdown``/``group`` the group; groups not estimated as rows with the reason."""
    records: list[dict[str, Any]] = []
    pairs: list[tuple[str, Any]] = ([("", result)] if isinstance(result, SurveyEstimate)
                                    else list(result.items()))
    reasons = {} if isinstance(result, SurveyEstimate) else dict(result.not_estimated)
    for key, res in pairs:
        place = _place(key, wave=wave, breakdown=breakdown, waves=waves)
        records.extend({**row, **place} for row in _rows(res))
    for key, why in reasons.items():
        records.append({"measure": f"{item}: {statistic}", "note": why, "item": item,
                        "statistic": statistic,
                        **_place(key, wave=wave, breakdown=breakdown, waves=waves)})
    return tidy(pd.DataFrame.from_records(records))


def _place(key: str, *, wave: str | None, breakdown: str | None,
           waves: Sequence[str]) -> dict[str, Any]:
    period: str | None = None
    group = key
    if wave is not None:
        period, group = key, ""
        for w in waves:
            if key == w or key.startswith(f"{w} | "):
                period, group = w, key[len(w) + 3:]
                break
    return {"period": period, "breakdown": breakdown or "all", "group": group or "all"}


def _latest_domains(design: SurveyDesign, columns: Sequence[str], wave: str,
                    latest: str) -> tuple[SurveyDesign, dict[str, str]]:
    """The design with, for each group column, a copy that is missing outside the latest
    wave: its groups are the latest wave's domains of the whole design."""
    codes, names = categories(design, wave)
    outside = codes != names.index(latest)
    data = design.data.copy()
    labels = dict(design.value_labels)
    renamed: dict[str, str] = {}
    for col in columns:
        name = f"{col} \u2009in {latest}"
        while name in data.columns:
            name += "\u2009"
        data[name] = design.data[col].mask(outside)
        if col in design.value_labels:
            labels[name] = design.value_labels[col]
        renamed[col] = name
    return replace(design, data=data, value_labels=labels), renamed


def _estimate_table(frame: pd.DataFrame, agree_answers: Sequence[str]
                    ) -> tuple[tuple[str, ...], tuple[tuple[str, ...], ...], tuple[bool, ...]]:
    """Rows of a group or wave table as a reader sees them: the group (or wave), % who
    agree (or give the answers counted as agreeing) with its interval, net agreement (or
    net score) with its interval, respondents."""
    agree = frame[frame["statistic"] == "proportion"]
    net = frame[frame["statistic"] == "net"]
    rows: list[tuple[str, ...]] = []
    for _, a in agree.iterrows():
        label = a["group"] if a["breakdown"] != "all" else a["period"]
        if pd.isna(a["value"]):
            rows.append((str(label), "not estimated (see the note)", "", ""))
            continue
        match = net[(net["group"] == a["group"]) & (net["period"] == a["period"])]
        net_text = ""
        if len(match) and not pd.isna(match.iloc[0]["value"]):
            n_row = match.iloc[0]
            interval = _range(n_row["lci"], n_row["uci"], signed=True).replace(" ", "\u00a0")
            net_text = f"{_net(n_row['value'])} ({interval})"  # wraps before the interval
        # word joiners keep the interval on one line in a narrow column
        share = _range(a["lci"], a["uci"]).replace("–", "\u2060–\u2060")
        rows.append((str(label), f"{100 * a['value']:.0f} ({share})",
                     net_text, f"{int(a['n']):,}"))
    return (("", f"% who {_agree_phrase(agree_answers)} (95% CI)",
             f"{_net_name(agree_answers)} (95% CI)", "Respondents"),
            tuple(rows), (False, True, True, True))


def _chart_panel(name: str, title: str, frame: pd.DataFrame, *, table: pd.DataFrame,
                 agree: Sequence[str], first_header: str, chart: charts.ChartSpec | None,
                 render: Callable[[charts.ChartSpec], str], note: str = "") -> ChartPanel:
    """A panel showing the rows of ``frame`` whose CSV download is ``table``."""
    headers, rows, numeric = _estimate_table(frame, agree)
    headers = (first_header, *headers[1:])
    return ChartPanel(panel=Panel(name, title, tidy(table), chart=chart, note=note),
                      svg=render(chart) if chart is not None else "", headers=headers,
                      rows=rows, numeric=numeric)


def _chart_data(frame: pd.DataFrame, label: str) -> pd.DataFrame:
    """The share who agree, in %, rounded for reading (the table and CSV hold the
    figures)."""
    rows = frame[(frame["statistic"] == "proportion") & frame["value"].notna()]
    return pd.DataFrame({label: rows[label].astype(str).to_numpy(),
                         "value": (100 * rows["value"]).round(1).to_numpy(),
                         "lci": (100 * rows["lci"]).round(1).to_numpy(),
                         "uci": (100 * rows["uci"]).round(1).to_numpy()})


def _group_findings(comparison: Comparison, column: str, agree: Sequence[str]
                    ) -> BreakdownFindings:
    """The significant differences (adjusted p < :data:`ALPHA`) between the groups of
    ``column``, largest first, in words — the group more likely to agree named first —
    and a sentence on how many of the comparisons are significant."""
    ci = comparison.conf_int(ALPHA)
    found: list[tuple[float, Finding]] = []
    phrase = _agree_phrase(agree)
    what = _humanise(column)
    for k in range(len(comparison.difference)):
        if not comparison.p_adjusted[k] < ALPHA:
            continue
        d = float(comparison.difference[k])
        lo, hi = float(ci["lower"].iloc[k]), float(ci["upper"].iloc[k])
        higher, lower = comparison.first[k], comparison.second[k]
        if d < 0:
            lo, hi, higher, lower = -hi, -lo, lower, higher
        text = (f"People whose {what} is {_quote(higher)} are more likely to {phrase} than "
                f"those whose {what} is {_quote(lower)} (difference {_points(d)}, "
                f"95% CI {_range(lo, hi)}).")
        found.append((abs(d), Finding(text, True)))
    found.sort(key=lambda f: -f[0])
    m = len(comparison.difference)
    if m == 1:
        summary = (f"The difference by {what} is statistically significant." if found else
                   f"The difference by {what} is not statistically significant.")
    elif not found:
        summary = (f"None of the {m} differences by {what} is statistically significant "
                   f"after Holm's adjustment for {m} comparisons.")
    else:
        summary = (f"{len(found)} of the {m} differences by {what} "
                   f"{'is' if len(found) == 1 else 'are'} statistically significant after "
                   f"Holm's adjustment for {m} comparisons"
                   + (", the largest first:" if len(found) > 1 else ":"))
    shown = tuple(f for _, f in found[:MAX_FINDINGS])
    return BreakdownFindings(breakdown=column, findings=shown,
                             more=max(0, len(found) - MAX_FINDINGS), summary=summary)


def _wave_findings(comparison: Comparison, agree: Sequence[str]) -> tuple[Finding, ...]:
    """Each change between consecutive waves in words: significant (Holm-adjusted p <
    :data:`ALPHA`) or not."""
    ci = comparison.conf_int(ALPHA)
    noun = "the share who " + _agree_phrase(agree)
    out = []
    for k in range(len(comparison.difference)):
        d = float(comparison.difference[k])
        lo, hi = float(ci["lower"].iloc[k]), float(ci["upper"].iloc[k])
        before, after = comparison.second[k], comparison.first[k]
        if comparison.p_adjusted[k] < ALPHA:
            if d < 0:
                lo, hi = -hi, -lo
            out.append(Finding(f"Between {before} and {after}, {noun} "
                               f"{'rose' if d > 0 else 'fell'} by {_points(d)} "
                               f"(95% CI {_range(lo, hi)}).", True))
        else:
            out.append(Finding(f"Between {before} and {after}, {noun} did not change "
                               f"significantly (change {_net(d)}, 95% CI "
                               f"{_range(lo, hi, signed=True)} points).", False))
    return tuple(out)


def _difference_tables(frame: pd.DataFrame
                       ) -> tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]:
    tables: dict[str, list[tuple[str, ...]]] = {}
    for _, r in frame.iterrows():
        tables.setdefault(str(r["breakdown_label"]), []).append((
            str(r["group"]), _net(r["value"]),
            _range(r["lci"], r["uci"], signed=True).replace(" ", "\u00a0"),
            _p(r["p_value"]), _p(r["p_adjusted"]),
            "yes" if r["p_adjusted"] < ALPHA else "no"))
    return tuple((label, tuple(rows)) for label, rows in tables.items())


def _p(p: float) -> str:
    return "<\u00a00.001" if p < 0.001 else f"{p:.3f}"


def _question(design: SurveyDesign, latest_design: SurveyDesign | None,
              renamed: Mapping[str, str], spec: BarometerSpec, item: str, index: int,
              waves: tuple[str, ...], latest: str | None, *, prefix: str,
              render: Callable[[charts.ChartSpec], str]
              ) -> tuple[QuestionView, pd.DataFrame, pd.DataFrame]:
    wave = spec.wave
    missing = list(spec.missing) or None
    dist, _, agree, disagree = _answers(design, item, spec, wave)
    wording = str(design.variable_labels.get(item) or item)
    key = f"q{index + 1}"
    frames = [_frame_of(dist, item=item, statistic="proportion", wave=wave, breakdown=None,
                        waves=waves)]
    notes: list[str] = []

    def both(by: list[str] | None, breakdown: str | None) -> pd.DataFrame:
        share = estimate(design, item, statistic="proportion", level=list(agree), by=by,
                         missing=missing)
        net = estimate(design, item, statistic="net", by=by, missing=missing,
                       agree=list(agree), disagree=list(disagree))
        return pd.concat([
            _frame_of(share, item=item, statistic="proportion", wave=wave,
                      breakdown=breakdown, waves=waves),
            _frame_of(net, item=item, statistic="net", wave=wave, breakdown=breakdown,
                      waves=waves)], ignore_index=True)

    overall = both([wave] if wave else None, None)
    frames.append(overall)
    phrase_past = _agree_phrase(agree, past=True)
    label = prefix + ("" if not prefix else ": ")
    over_time = None
    if wave is not None and len(waves) > 1:
        trend = charts.trend_chart(
            _chart_data(overall, "period"), name=f"{key}_waves",
            title=f"{label}% who {_agree_phrase(agree)}, by wave",
            y_title=f"% who {_agree_phrase(agree)}",
            description=(f"{wording}: the share who {_agree_phrase(agree)} in each wave "
                         "(points) with 95% intervals (bars)."))
        trend.spec["width"] = CHART_WIDTH
        for layer in trend.spec["layer"]:  # the waves, not a generic period
            layer["encoding"]["x"]["title"] = "Wave"
        over_time = _chart_panel(f"{key}_waves", "By wave", overall, table=overall,
                                 agree=agree, first_header="Wave", chart=trend, render=render)
    by_group: list[tuple[str, ChartPanel]] = []
    for j, col in enumerate(spec.groups):
        f = both([wave, col] if wave else [col], col)
        frames.append(f)
        shown = f[f["period"] == latest] if wave else f
        data = _chart_data(shown, "group")
        not_estimated = shown[(shown["statistic"] == "proportion") & shown["value"].isna()]
        note = "; ".join(f"{g}: {why}" for g, why in zip(not_estimated["group"],
                                                         not_estimated["note"], strict=True))
        note = f"Not estimated — {note}." if note else ""
        thin = shown[(shown["statistic"] == "proportion") & (shown["df"] < FEW_DF)]
        if len(thin):
            note += ((" " if note else "") + "Intervals are wide where a group's answers "
                     f"come from few sampling points (fewer than {FEW_DF} degrees of "
                     "freedom): " + ", ".join(thin["group"].astype(str)) + ".")
        chart: charts.ChartSpec | None = None
        if len(data):
            when = f", {latest}" if latest else ""
            chart = charts.interval_chart(
                data, name=f"{key}_{j + 1}", title=f"{label}% who {_agree_phrase(agree)}, by "
                f"{_humanise(col)}{when}", label="group",
                x_title=f"% who {_agree_phrase(agree)} (95% CI)",
                description=(f"{wording}: the share who {_agree_phrase(agree)} by "
                             f"{_humanise(col)}{when} (points) with 95% intervals (bars)."))
            chart.spec["width"] = CHART_WIDTH
        title = f"By {_humanise(col)}" + (f", {latest}" if latest else "")
        by_group.append((col, _chart_panel(
            f"{key}_{j + 1}", title, shown, table=f, agree=agree,
            first_header=_humanise(col).capitalize(), chart=chart, render=render,
            note=note)))
    estimates_frame = pd.concat(frames, ignore_index=True)

    # differences
    diff_frames: list[pd.DataFrame] = []
    wave_findings: tuple[Finding, ...] = ()
    if wave is not None and len(waves) > 1:
        cw = compare_waves(design, item, wave=wave, statistic="proportion",
                           level=list(agree), baseline="previous", adjust="holm",
                           missing=missing)
        wave_findings = _wave_findings(cw, agree)
        f = cw.to_frame(ALPHA)
        f["breakdown_label"] = "wave"
        f["breakdown"] = wave
        diff_frames.append(f)
    group_findings: list[BreakdownFindings] = []
    for col in spec.groups:
        target = latest_design if latest_design is not None else design
        by = renamed.get(col, col)
        shown = estimates_frame[(estimates_frame["breakdown"] == col)
                                & (estimates_frame["statistic"] == "proportion")
                                & estimates_frame["value"].notna()]
        if wave is not None:
            shown = shown[shown["period"] == latest]
        if shown["group"].nunique() < 2:
            notes.append(f"Groups by {_humanise(col)} are not compared: fewer than two "
                         "groups could be estimated.")
            continue
        cg = compare_groups(target, item, by=by, statistic="proportion",
                            level=list(agree), adjust="holm", missing=missing)
        group_findings.append(_group_findings(cg, col, agree))
        f = cg.to_frame(ALPHA)
        f["breakdown_label"] = _humanise(col)
        f["breakdown"] = col
        f["period"] = latest
        diff_frames.append(f)
    differences = (pd.concat(diff_frames, ignore_index=True) if diff_frames
                   else pd.DataFrame(columns=["breakdown_label", "group", "value", "lci",
                                              "uci", "p_value", "p_adjusted"]))
    difference_tables = _difference_tables(differences)
    differences_tidy = tidy(differences.drop(columns=["breakdown_label"]))
    differences_tidy["measure"] = f"{item}: difference in the share who agree"
    differences_tidy["unit"] = "difference of proportions"

    # headline: the latest wave, everyone
    top = overall[overall["period"] == latest] if wave else overall
    share = top[top["statistic"] == "proportion"].iloc[0]
    net = top[top["statistic"] == "net"].iloc[0]
    when = f"In {latest}, " if latest else ""
    headline = (f"{when}{_pct(share['value'])} {phrase_past} "
                f"(95% CI {_range(share['lci'], share['uci'])}%). "
                f"{_net_name(agree)}: {_net(net['value'])} on a scale from −100 to +100 "
                f"(95% CI {_range(net['lci'], net['uci'], signed=True)}).")
    view = QuestionView(
        key=key, item=item, wording=wording, agree_answers=agree, disagree_answers=disagree,
        headline=headline, over_time=over_time, by_group=tuple(by_group),
        wave_findings=wave_findings, group_findings=tuple(group_findings),
        differences=Panel(f"{key}_differences", "Differences", differences_tidy),
        difference_tables=difference_tables, notes=tuple(notes))
    return view, estimates_frame, differences_tidy


def _reliability(design: SurveyDesign, spec: BarometerSpec, waves: tuple[str, ...],
                 weighting: str) -> Reliability:
    rows: list[dict[str, Any]] = []
    if spec.wave is not None:
        codes, names = categories(design, spec.wave)
        masks = [(name, codes == k) for k, name in enumerate(names)]
    else:
        masks = [("all", np.ones(design.n, dtype=bool))]
    for name, mask in masks:
        w = design.weights[mask]
        rows.append({"wave": name, "respondents": int(mask.sum()),
                     "design_effect": kish_design_effect(w),
                     "effective_n": effective_sample_size(w)})
    df = int(design.degrees_of_freedom)
    strata = len(design.strata_labels)
    psus = design.n_psu
    low = min(rows, key=lambda r: r["effective_n"])
    last = rows[-1]
    when = f"In {last['wave']}, the " if spec.wave is not None else "The "
    more = " (the table gives every wave)" if len(rows) > 1 else ""
    sentences = [
        f"Unequal weights make answers worth fewer than their number. {when}"
        f"{last['respondents']:,} respondents are worth about {last['effective_n']:,.0f} "
        f"chosen at random: a Kish design effect of {last['design_effect']:.2f}{more}.",
        (f"The intervals also allow for the sampling design — {strata:,} strata and "
         f"{psus:,} primary sampling units, so {df:,} degrees of freedom — and for "
         f"{weighting}." if spec.psu or spec.strata else
         f"The intervals allow for the unequal weights and for {weighting}; the survey is "
         "treated as one stratum with every respondent sampled separately."),
        ("Differences are tested against the design's degrees of freedom, with Holm's "
         "adjustment for the number of comparisons, so a difference is called "
         "significant only if it stands out among all those made."),
    ]
    if low["effective_n"] < 400:
        sentences.append(f"With an effective sample of about {low['effective_n']:,.0f}, "
                         "differences of a few points cannot be told apart from chance.")
    return Reliability(rows=tuple(rows), degrees_of_freedom=df, strata=strata, psus=psus,
                       weighting=weighting, sentences=tuple(sentences))


def barometer_view(
    survey: SurveyData,
    spec: BarometerSpec,
    margins: Sequence[Margin] | None = None,
    *,
    title: str | None = None,
    render: Callable[[charts.ChartSpec], str] | None = None,
) -> BarometerView:
    """Estimate ``spec``'s questions from ``survey`` — raked to ``margins`` (within each
    wave) when given — and put them in words, tables and charts.

    Raises the survey layer's :class:`~socmob.errors.SocmobError` for bad input (a
    missing column, bad weights, a lonely PSU, margins that do not match the data, …),
    each on one line.
    """
    render = render or _svg
    for col in (*spec.items, *spec.groups):
        if col not in survey.frame.columns:
            raise NotFoundError(f"no column {col!r} in {survey.source}",
                                closest(col, [str(c) for c in survey.frame.columns]))
    design = survey_design(survey.frame, weights=spec.weights, strata=spec.strata,
                           psu=spec.psu, lonely_psu=spec.lonely_psu,  # type: ignore[arg-type]
                           value_labels=survey.value_labels,
                           variable_labels=survey.variable_labels, source=survey.source)
    weighting = "the weights as given (no raking)"
    if margins:
        raking = rake(design, margins, by=spec.wave)
        design = raking.design
        names = "; ".join(" × ".join(_humanise(v) for v in m.variables) for m in margins)
        within = " within each wave" if spec.wave else ""
        weighting = f"raking{within} to the population margins ({names})"
    waves: tuple[str, ...] = ()
    latest: str | None = None
    if spec.wave is not None:
        codes, names_w = categories(design, spec.wave)
        if (codes < 0).any():
            row = int(np.flatnonzero(codes < 0)[0]) + 2
            raise InputError("missing wave", file=survey.source, row=row, column=spec.wave,
                             expected="every respondent to have a wave")
        waves = tuple(names_w)
        latest = waves[-1]
    for col in spec.groups:
        _, groups = categories(design, col)
        if len(groups) > MAX_GROUPS:
            raise InputError(f"column {col!r} has {len(groups)} categories",
                             file=survey.source, column=col,
                             expected=f"a group column with at most {MAX_GROUPS} categories")
    latest_design = None
    renamed: dict[str, str] = {}
    if spec.wave is not None and spec.groups and latest is not None:
        latest_design, renamed = _latest_domains(design, spec.groups, spec.wave, latest)
    prefix = "SYNTHETIC" if survey.synthetic else ""
    questions: list[QuestionView] = []
    estimates: list[pd.DataFrame] = []
    differences: list[pd.DataFrame] = []
    for index, item in enumerate(spec.items):
        view, est, diff = _question(design, latest_design, renamed, spec, item, index, waves,
                                    latest, prefix=prefix, render=render)
        questions.append(view)
        estimates.append(est)
        differences.append(diff)
    estimates_frame = tidy(pd.concat(estimates, ignore_index=True))
    differences_frame = tidy(pd.concat(differences, ignore_index=True))
    if survey.synthetic:
        estimates_frame["synthetic"] = True
        differences_frame["synthetic"] = True
    return BarometerView(
        title=title or f"Your survey: {survey.source}", source=survey.source,
        synthetic=survey.synthetic, spec=spec, waves=waves, latest=latest,
        respondents=design.n, reliability=_reliability(design, spec, waves, weighting),
        questions=tuple(questions), estimates=estimates_frame,
        differences=differences_frame)


# --------------------------------------------------------------------------- the demo


DEMO_SPEC = BarometerSpec(
    items=("q_parents", "q_equal_opportunities", "q_class_gap"),
    groups=("background", "age_group", "region", "sex"), wave="wave",
    weights="design_weight", strata="stratum", psu="psu")
"""The demonstration's design: the synthetic barometer's own columns."""


@lru_cache(maxsize=1)
def demo_survey() -> tuple[SurveyData, tuple[Margin, ...]]:
    """The SYNTHETIC demonstration survey and its population margins
    (:func:`socmob.synth.barometer.synth_barometer`, fixed seed), made once per process.
    Groups keep the generator's order (professional → lower background, youngest →
    oldest, regions as the ONS lists them)."""
    from socmob.synth import barometer as synth

    made = synth.synth_barometer(DEMO_RESPONDENTS, waves=DEMO_WAVES,
                                 first_wave=DEMO_FIRST_WAVE, seed=DEMO_SEED)
    frame = made.frame.copy()
    for col, order in (("background", synth.BACKGROUNDS), ("age_group", synth.AGE_GROUPS),
                       ("region", synth.REGIONS), ("sex", synth.SEXES)):
        frame[col] = pd.Categorical(frame[col], categories=list(order), ordered=True)
    labels = dict(made.variable_labels)
    labels.update({"age_group": "Age group", "sex": "Sex", "wave": "Wave (year)"})
    survey = SurveyData(frame=frame, source=DEMO_SOURCE, value_labels=made.value_labels,
                        variable_labels=labels, synthetic=True)
    return survey, margins_from_frame(made.margins, source="synthetic margins")


@lru_cache(maxsize=1)
def demo_view() -> BarometerView:
    """The page of the SYNTHETIC demonstration survey, computed once per process."""
    survey, margins = demo_survey()
    return barometer_view(survey, DEMO_SPEC, margins,
                          title="Social mobility barometer (SYNTHETIC demonstration)",
                          render=_svg)


__all__ = [
    "ALPHA",
    "DEMO_SPEC",
    "SYNTHETIC_LABEL",
    "BarometerSpec",
    "BarometerView",
    "BreakdownFindings",
    "ChartPanel",
    "ColumnInfo",
    "Finding",
    "QuestionView",
    "Reliability",
    "SurveyFile",
    "barometer_view",
    "demo_survey",
    "demo_view",
    "describe_survey",
    "split_answers",
]
