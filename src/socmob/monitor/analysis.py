"""One indicator at a time: its headline series with intervals, the gap between the most
and least advantaged groups, the change since the previous and the first period, the
trend over the whole series, and the health-check status with its evidence.

>>> from socmob import monitor
>>> a = monitor.assess("in21")                                        # doctest: +SKIP
>>> a.status.status, a.gap_status.status                              # doctest: +SKIP
>>> monitor.breakdown("in21", by="sex").to_frame()                    # doctest: +SKIP

Methods (formulas in :mod:`socmob.monitor.stats`):

* **change** since the previous and the first point: difference with a Wald interval and
  z test, allowing for shared years between overlapping windows (correlation
  ``k/sqrt(wa·wb)``, :func:`socmob.monitor.periods.overlap_correlation`);
* **trend**: weighted least squares of the value on time through the *non-overlapping*
  points (moving averages and pooled windows that share years with a later point are
  left out, so the points tested are independent), weights ``1/se²`` where every point
  has an interval; ratio measures (odds ratios) on the log scale;
* **gap**: most minus least advantaged group at each time both are published, with the
  ratio; groups are independent samples (``ρ = 0``). The gap is signed as the advantage
  of the most advantaged group (``good: lower`` indicators flip the sign), so a falling
  gap is a narrowing one; its trend (or, with fewer than three independent points, its
  change since the first point) gives the gap's status;
* **status**: the rules of :mod:`socmob.monitor.health` applied to the evidence. A single
  indicator is tested on its own; :func:`socmob.monitor.overview` adjusts for the many
  indicators scanned at once.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

import socmob.monitor.display as display
import socmob.monitor.health as health_rules
from socmob._text import closest, normalise
from socmob.errors import NotFoundError
from socmob.monitor.metadata import GapSpec, Indicator, dimension, indicator
from socmob.monitor.periods import Span, non_overlapping, overlap_correlation
from socmob.monitor.series import (
    GEOGRAPHIES,
    SEP,
    Points,
    editions_of,
    points,
    published,
    select,
)
from socmob.monitor.series import records as _records
from socmob.monitor.stats import (
    Difference,
    Trend,
    difference,
    fit_trend,
    not_estimated_trend,
    z_value,
)
from socmob.results import Result, tidy

#: Columns of a series' tidy frame after the tidy schema.
SERIES_EXTRA = ["time", "start", "end", "x", "interval", "lower", "upper", "se_used", "scale",
                "series", "geography", "place", "edition"]


@dataclass(frozen=True, eq=False)
class Series(Result):
    """One published series of an indicator: its rows as published (annotated, see
    :mod:`socmob.monitor.series`) and its distinct time points."""

    code: str
    edition: str
    label: str
    rows: pd.DataFrame = field(repr=False)
    points: Points = field(repr=False)

    @property
    def unit(self) -> str:
        """The unit as published."""
        units = self.rows["unit"].dropna().unique()
        return str(units[0]) if len(units) else ""

    @property
    def scale(self) -> str:
        """``percent``, ``proportion``, ``log`` or ``level`` (see ``series``)."""
        return self.points.scale

    @property
    def display_unit(self) -> str:
        """How people read the values (:mod:`socmob.monitor.display`)."""
        return indicator(self.code).display_unit or display.default_unit(self.unit, self.scale)

    def latest(self) -> dict[str, Any] | None:
        """The latest point: label, value, interval and its source."""
        if not len(self.points):
            return None
        k = len(self.points) - 1
        p = self.points
        return {"time": p.labels[k], "value": float(p.values[k]), "lower": float(p.lower[k]),
                "upper": float(p.upper[k]), "interval": p.interval[k]}

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Interval of every point at level ``1 − alpha``: the published (or derived 95%)
        interval for ``alpha = 0.05``, else ``value ± z·se`` (on the log scale for ratio
        measures)."""
        p = self.points
        if math.isclose(alpha, 0.05):
            return pd.DataFrame({"lower": p.lower, "upper": p.upper}, index=list(p.labels))
        z = z_value(alpha)
        if p.log_scale:
            lo, hi = p.values * np.exp(-z * p.se), p.values * np.exp(z * p.se)
        else:
            lo, hi = p.values - z * p.se, p.values + z * p.se
        return pd.DataFrame({"lower": lo, "upper": hi}, index=list(p.labels))

    def to_frame(self) -> pd.DataFrame:
        """The series' published rows in the tidy schema (``lci``/``uci`` as published),
        with the interval used (``lower``/``upper``, ``interval``) and the time columns."""
        return series_frame(self.rows)


def series_frame(rows: pd.DataFrame) -> pd.DataFrame:
    """Annotated rows in the tidy schema: published columns first (unchanged), then the
    time, interval and series columns, sorted by series and time."""
    cols = [c for c in ["measure", "area_code", "area_name", "period", "breakdown", "group",
                        "value", "lci", "uci", "n", "unit", "note", "age", "se",
                        *SERIES_EXTRA]
            if c in rows.columns]
    out = rows[cols].sort_values(["series", "x"], kind="mergesort")
    return tidy(out)


def changes(p: Points, *, alpha: float = 0.05) -> tuple[Difference | None, Difference | None]:
    """Change of the latest point since the previous one and since the first one (see the
    module docstring); ``None`` when the series has fewer than two points."""
    if len(p) < 2:
        return None, None
    last = len(p) - 1

    def between(k: int) -> Difference:
        rho = overlap_correlation(p.spans[last], p.spans[k])
        return difference(p.values[last], p.values[k], p.se[last], p.se[k], rho=rho,
                          label=f"{p.labels[last]} vs {p.labels[k]}",
                          log_scale=p.log_scale, alpha=alpha)

    return between(last - 1), between(0)


def trend(p: Points, *, alpha: float = 0.05, min_points: int = 3) -> Trend:
    """The trend of a series through its non-overlapping points (module docstring)."""
    if len(p) == 0:
        return not_estimated_trend("no published value", alpha=alpha)
    keep = non_overlapping(list(p.spans))
    left_out = [(p.labels[k], "shares years with a later point")
                for k in range(len(p)) if k not in keep]
    values = p.values[keep]
    if p.log_scale:
        if np.any(values <= 0):
            return not_estimated_trend("a ratio is not positive", alpha=alpha)
        values = np.log(values)
    se = p.se[keep]
    return fit_trend([p.spans[k].midpoint for k in keep], values,
                     se if np.any(np.isfinite(se)) else None,
                     labels=[p.labels[k] for k in keep], alpha=alpha, min_points=min_points,
                     log_scale=p.log_scale, left_out=left_out)


@dataclass(frozen=True, eq=False)
class Gap(Result):
    """The gap between the most and least advantaged groups of an indicator over time.

    ``differences`` holds one :class:`~socmob.monitor.stats.Difference` (most minus least
    advantaged, and their ratio) per time both groups are published; ``sign`` is +1, or
    −1 where lower is better, so that ``sign × difference`` is the advantage of the most
    advantaged group; ``trend`` / ``change_first`` describe that signed gap over time.
    """

    code: str
    dimension: str
    most_advantaged: str
    least_advantaged: str
    sign: int
    labels: tuple[str, ...]
    spans: tuple[Span, ...]
    differences: tuple[Difference, ...]
    trend: Trend
    change_first: Difference | None
    log_scale: bool = False

    def latest(self) -> Difference | None:
        """The gap at the latest time both groups are published."""
        return self.differences[-1] if self.differences else None

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Interval of the difference at every time, at level ``1 − alpha``."""
        z = z_value(alpha)
        return pd.DataFrame({"lower": [d.estimate - z * d.se for d in self.differences],
                             "upper": [d.estimate + z * d.se for d in self.differences]},
                            index=list(self.labels))

    def to_frame(self) -> pd.DataFrame:
        """One row per time: the difference (``value``, ``lci``, ``uci``) and the ratio."""
        rows = [{"measure": self.code, "period": lab,
                 "breakdown": self.dimension,
                 "group": f"{self.most_advantaged} vs {self.least_advantaged}",
                 "value": d.estimate, "lci": d.lower, "uci": d.upper,
                 "note": "difference (most minus least advantaged)",
                 "ratio": d.ratio, "ratio_lower": d.ratio_lower, "ratio_upper": d.ratio_upper,
                 "p_value": d.p_value, "most_advantaged_value": d.a,
                 "least_advantaged_value": d.b}
                for lab, d in zip(self.labels, self.differences, strict=True)]
        return tidy(pd.DataFrame(rows))


def gap_between(code: str, spec: GapSpec, most: Points, least: Points, *, sign: int,
                alpha: float = 0.05, min_points: int = 3) -> Gap:
    """The gap between two series of the same indicator (module docstring)."""
    by_span = {s: k for k, s in enumerate(least.spans)}
    labels: list[str] = []
    spans: list[Span] = []
    diffs: list[Difference] = []
    for k, span in enumerate(most.spans):
        j = by_span.get(span)
        if j is None:
            continue
        labels.append(most.labels[k])
        spans.append(span)
        diffs.append(difference(most.values[k], least.values[j], most.se[k], least.se[j],
                                label=most.labels[k], log_scale=most.log_scale, alpha=alpha))
    log_scale = most.log_scale
    signed = np.array([sign * (math.log(d.ratio) if log_scale else d.estimate)
                       if (d.ratio > 0 or not log_scale) else math.nan for d in diffs])
    se = np.array([d.se_log_ratio if log_scale else d.se for d in diffs])
    gap_points = Points(series=f"gap {spec.most_advantaged} vs {spec.least_advantaged}",
                        labels=tuple(labels), spans=tuple(spans), values=signed, se=se,
                        lower=np.full(len(diffs), np.nan), upper=np.full(len(diffs), np.nan),
                        interval=tuple("derived" for _ in diffs), scale="level")
    gap_trend = trend(gap_points, alpha=alpha, min_points=min_points)
    _, first = changes(gap_points, alpha=alpha)
    return Gap(code=code, dimension=spec.dimension, most_advantaged=spec.most_advantaged,
               least_advantaged=spec.least_advantaged, sign=sign, labels=tuple(labels),
               spans=tuple(spans), differences=tuple(diffs), trend=gap_trend,
               change_first=first, log_scale=log_scale)


# --------------------------------------------------------------------------- evidence


def evidence(p: Points | None, tr: Trend, first: Difference | None, *, orientation: int,
             min_trend_points: int, p_value: float | None = None) -> dict[str, Any]:
    """The fields the health rules read (see ``health.yaml``): ``points``, ``test``,
    ``p``, ``direction``, and the estimate behind them. ``orientation`` is +1 when up is
    good (or, for indicators with no good direction, when up counts as "rising"), −1 when
    down is good. ``p_value`` overrides the test's own p-value (an adjusted one)."""
    n = 0 if p is None else len(p)
    out: dict[str, Any] = {"points": n}
    if tr.estimated and tr.n_points >= min_trend_points:
        out.update(test="trend", estimate=tr.slope, lower=tr.lower, upper=tr.upper,
                   p=tr.p_value, independent_points=tr.n_points, method=tr.method,
                   log_scale=tr.log_scale)
        est = tr.slope
    elif first is not None:
        out.update(test="change since first", estimate=first.estimate, lower=first.lower,
                   upper=first.upper, ratio=first.ratio, ratio_lower=first.ratio_lower,
                   ratio_upper=first.ratio_upper, p=first.p_value,
                   independent_points=tr.n_points, method=f"{first.test_scale} z test",
                   log_scale=first.test_scale != "difference")
        est = first.estimate
    else:
        out.update(test="none", estimate=math.nan, p=math.nan, independent_points=tr.n_points)
        est = math.nan
    if p_value is not None:
        out["p_unadjusted"] = out["p"]
        out["p"] = p_value
    out["direction"] = 0 if not np.isfinite(est) or est == 0 else int(np.sign(est)) * orientation
    return out


def evidence_text(ev: Mapping[str, Any], *, unit: str = "number", adjusted: str = "",
                  what: str = "") -> str:
    """The evidence in one sentence, for people (``unit``: a display unit of
    :mod:`socmob.monitor.display`; ``what`` names the quantity, e.g. "The gap")."""
    subject = what or "The value"
    if ev.get("points", 0) < 1:
        return "No published value."
    log = bool(ev.get("log_scale"))
    if ev.get("test") == "trend":
        lo, hi = ev["lower"], ev["upper"]
        text = (f"{subject} moved {display.per_year(ev['estimate'], unit, log_scale=log)} "
                f"(95% CI {display.per_year(lo, unit, log_scale=log, suffix=False)} to "
                f"{display.per_year(hi, unit, log_scale=log, suffix=False)}) over "
                f"{ev['independent_points']} independent points, {ev['method']}")
    elif ev.get("test") == "change since first":
        if log and np.isfinite(ev.get("ratio", math.nan)):
            text = (f"{subject} at the latest point is {display.significant(ev['ratio'])} "
                    f"times the first (95% CI {display.significant(ev['ratio_lower'])} to "
                    f"{display.significant(ev['ratio_upper'])})")
        else:
            text = (f"{subject} changed by {display.change(ev['estimate'], unit)} since the "
                    f"first point (95% CI {display.change(ev['lower'], unit)} to "
                    f"{display.change(ev['upper'], unit)})")
        if not np.isfinite(ev.get("p", math.nan)):
            return text + "; no interval is published, so the change cannot be tested."
    else:
        return "One period only: nothing to compare."
    p_text = display.p_value(ev["p"])
    if "p_unadjusted" in ev:
        p_text = (f"{display.p_value(ev['p'], name=f'{adjusted}-adjusted p')} "
                  f"({display.p_value(ev['p_unadjusted'], name='unadjusted p')})")
    return f"{text}; {p_text}."


@dataclass(frozen=True, eq=False)
class Assessment(Result):
    """Everything the monitor says about one indicator: the headline series, the changes,
    the trend, the gap and the two statuses with their evidence."""

    indicator: Indicator
    edition: str
    series: Series | None
    change_previous: Difference | None
    change_first: Difference | None
    trend: Trend
    gap: Gap | None
    status: health_rules.Status
    gap_status: health_rules.Status
    gap_reason: str = ""

    @property
    def code(self) -> str:
        """The indicator code."""
        return self.indicator.code

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Interval of the latest value at level ``1 − alpha``."""
        if self.series is None or not len(self.series.points):
            return pd.DataFrame({"lower": [math.nan], "upper": [math.nan]}, index=["latest"])
        ci = self.series.conf_int(alpha)
        return ci.iloc[[-1]].set_axis(["latest"])

    def summary_row(self) -> dict[str, Any]:
        """One flat record: latest value, gap, trend and statuses (unrounded)."""
        ind = self.indicator
        latest = self.series.latest() if self.series is not None else None
        gap = self.gap.latest() if self.gap is not None else None
        row: dict[str, Any] = {
            "code": ind.code, "level": ind.level, "domain": ind.domain, "title": ind.title,
            "good": ind.good, "edition": self.edition,
            "unit": self.series.unit if self.series is not None else "",
            "scale": self.series.scale if self.series is not None else "",
            "display_unit": self.series.display_unit if self.series is not None else "number",
            "area": (str(self.series.rows["area_name"].iloc[0])
                     if self.series is not None and len(self.series.rows) else ""),
            "latest_period": latest["time"] if latest else None,
            "latest_value": latest["value"] if latest else math.nan,
            "latest_lower": latest["lower"] if latest else math.nan,
            "latest_upper": latest["upper"] if latest else math.nan,
            "interval": latest["interval"] if latest else "",
            "change_previous": (self.change_previous.estimate if self.change_previous
                                else math.nan),
            "change_previous_p": (self.change_previous.p_value if self.change_previous
                                  else math.nan),
            "trend_per_year": self.trend.slope, "trend_lower": self.trend.lower,
            "trend_upper": self.trend.upper, "trend_p": self.trend.p_value,
            "trend_points": self.trend.n_points if self.trend.estimated else 0,
            "test": self.status.evidence.get("test"),
            "p": self.status.evidence.get("p"),
            "status": self.status.status,
            "evidence": self.status.text,
            "gap_groups": (f"{self.gap.most_advantaged} vs {self.gap.least_advantaged}"
                           if self.gap is not None else ""),
            "gap_period": self.gap.labels[-1] if gap is not None and self.gap else None,
            "gap": gap.estimate if gap else math.nan,
            "gap_lower": gap.lower if gap else math.nan,
            "gap_upper": gap.upper if gap else math.nan,
            "gap_ratio": gap.ratio if gap else math.nan,
            "gap_status": self.gap_status.status,
            "gap_evidence": self.gap_status.text or self.gap_reason,
        }
        return row

    def to_frame(self) -> pd.DataFrame:
        """The summary in the tidy schema: the latest value (``value``, ``lci``, ``uci``
        are the interval used) and the other figures as extra columns."""
        r = self.summary_row()
        frame = pd.DataFrame([{
            "measure": r["code"], "area_name": r["area"], "period": r["latest_period"],
            "value": r["latest_value"], "lci": r["latest_lower"], "uci": r["latest_upper"],
            "unit": r["unit"], "note": r["status"],
            **{k: v for k, v in r.items() if k not in {"code", "area", "latest_period",
                                                        "latest_value", "latest_lower",
                                                        "latest_upper", "unit"}},
        }])
        return tidy(frame)

    def to_dict(self) -> dict[str, Any]:
        from socmob.results import jsonable

        return {"result": "Assessment", "indicator": self.indicator.to_dict(),
                "summary": jsonable(self.summary_row()),
                "status": {"status": self.status.status, "rule": self.status.rule,
                           "evidence": jsonable(dict(self.status.evidence))},
                "gap_status": {"status": self.gap_status.status, "rule": self.gap_status.rule,
                               "evidence": jsonable(dict(self.gap_status.evidence))},
                "series": jsonable(self.series.to_frame()) if self.series is not None else [],
                "gap": jsonable(self.gap.to_frame()) if self.gap is not None else []}


def _describe_selection(entry: Indicator, rows: pd.DataFrame) -> str:
    area = str(rows["area_name"].iloc[0]) if len(rows) else ""
    fixed = ", ".join(f"{k} = {v if v is not None else 'missing'}"
                      for k, v in entry.headline.select.items())
    return f"{area}; {entry.headline.breakdown}" + (f" ({fixed})" if fixed else "")


def headline(code: str, *, edition: str | None = None, rows: pd.DataFrame | None = None,
             alpha: float = 0.05) -> Series | None:
    """The headline series of an indicator (``indicators.yaml``), or ``None`` when the
    edition does not publish it."""
    entry = indicator(code)
    edition = edition or editions_of(entry.code)[0]
    rows = rows if rows is not None else published(entry.code, edition=edition, alpha=alpha)
    part = select(rows, entry.headline)
    if part.empty:
        return None
    first = part["series"].iloc[0]
    part = part[part["series"] == first]
    return Series(entry.code, edition, _describe_selection(entry, part), part, points(part))


def assess(code: str, *, edition: str | None = None, rules: health_rules.Rules | None = None,
           p_value: float | None = None, gap_p_value: float | None = None,
           adjusted: str = "") -> Assessment:
    """Assess one indicator (module docstring); ``p_value`` / ``gap_p_value`` replace the
    tests' own p-values (adjusted ones, from :func:`socmob.monitor.overview`)."""
    rs = rules or health_rules.rules()
    alpha = rs.alpha
    entry = indicator(code)
    edition = edition or editions_of(entry.code)[0]
    rows = published(entry.code, edition=edition)
    series = headline(entry.code, edition=edition, rows=rows)
    neutral = entry.good == "neither"
    orientation = entry.orientation or 1
    min_pts = rs.min_trend_points
    if series is None:
        tr = not_estimated_trend(f"the headline series is not in edition {edition}")
        prev = first = None
        ev = {"points": 0}
    else:
        tr = trend(series.points, alpha=alpha, min_points=min_pts)
        prev, first = changes(series.points, alpha=alpha)
        ev = evidence(series.points, tr, first, orientation=orientation,
                      min_trend_points=min_pts, p_value=p_value)
    unit = series.display_unit if series is not None else "number"
    status = health_rules.judge(ev, kind="indicator", rule_set=rs, neutral=neutral,
                                text=evidence_text(ev, unit=unit, adjusted=adjusted))
    gap, gap_reason = _gap(entry, rows, alpha=alpha, min_points=min_pts)
    if gap is not None:
        # the gap is good when it narrows: direction +1 for a falling signed gap
        gev = evidence(Points(series="gap", labels=gap.labels, spans=gap.spans,
                              values=np.zeros(len(gap.labels)), se=np.zeros(len(gap.labels)),
                              lower=np.zeros(0), upper=np.zeros(0), interval=(), scale="level"),
                       gap.trend, gap.change_first, orientation=-1, min_trend_points=min_pts,
                       p_value=gap_p_value)
        # the evidence is about the signed gap (the advantage of the most advantaged)
        gap_status = health_rules.judge(
            gev, kind="gap", rule_set=rs,
            text=evidence_text(gev, unit=unit, adjusted=adjusted,
                               what=f"The gap ({gap.most_advantaged} vs {gap.least_advantaged})"))
    else:
        gap_status = health_rules.judge({"points": 0}, kind="gap", rule_set=rs, text=gap_reason)
    return Assessment(entry, edition, series, prev, first, tr, gap, status, gap_status,
                      gap_reason)


def _gap(entry: Indicator, rows: pd.DataFrame, *, alpha: float,
         min_points: int) -> tuple[Gap | None, str]:
    spec = entry.gap
    if spec is None:
        return None, "The release publishes no background breakdown for this indicator."
    parts = []
    for group in (spec.most_advantaged, spec.least_advantaged):
        part = select(rows, spec.selection, overrides={spec.dimension: group})
        if part.empty:
            return None, f"No rows for {spec.dimension} = {group!r} in this edition."
        parts.append(part[part["series"] == part["series"].iloc[0]])
    sign = -1 if entry.good == "lower" else 1
    gap = gap_between(entry.code, spec, points(parts[0]), points(parts[1]), sign=sign,
                      alpha=alpha, min_points=min_points)
    if not gap.differences:
        return None, "The two groups are never published for the same period."
    return gap, ""


# --------------------------------------------------------------------------- breakdowns


@dataclass(frozen=True, eq=False)
class Breakdown(Result):
    """An indicator by one breakdown: every published row (annotated), the gap between
    the most and least advantaged groups wherever the breakdown has a background
    dimension, and each series' change and trend.

    ``rows`` (published rows with the interval used), ``gaps`` (one row per time and
    combination of the other dimensions: difference and ratio with intervals),
    ``series`` (one row per series: latest value, change since the previous point, trend
    and its p-value — unadjusted, each series tested on its own).
    """

    code: str
    edition: str
    by: str
    geography: str
    breakdowns: tuple[str, ...]
    rows: pd.DataFrame = field(repr=False)
    gaps: pd.DataFrame = field(repr=False)
    series: pd.DataFrame = field(repr=False)

    def to_frame(self) -> pd.DataFrame:
        return series_frame(self.rows)

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """The interval used for every row (published or derived, 95%)."""
        if not math.isclose(alpha, 0.05):
            z = z_value(alpha)
            return pd.DataFrame({"lower": self.rows["value"] - z * self.rows["se_used"],
                                 "upper": self.rows["value"] + z * self.rows["se_used"]})
        return self.rows[["lower", "upper"]].reset_index(drop=True)


def _breakdown_choices(rows: pd.DataFrame) -> tuple[dict[str, str], dict[str, set[str]]]:
    """Published breakdowns without their time dimension (normalised → as shown) and the
    dimensions each contains."""
    shown: dict[str, str] = {}
    dims: dict[str, set[str]] = {}
    for d in rows["dims"]:
        key = SEP.join(d) or "total"
        shown.setdefault(normalise(key), key)
        dims.setdefault(key, set()).update(d)
    return shown, dims


def breakdown(code: str, *, by: str | None = None, geography: str | None = None,
              edition: str | None = None, alpha: float = 0.05) -> Breakdown:
    """An indicator by a breakdown (module docstring of :class:`Breakdown`).

    ``by``: a dimension (``"seb"``, ``"sex"``, ``"ethnicity"``, ``"itl2_current_geo"`` …:
    every breakdown containing it) or a published breakdown without its time dimension
    (``"neet; seb; sex"``); default: the headline breakdown in the national area, or —
    when a ``geography`` is named — every breakdown published for it. ``geography``:
    ``country``, ``itl1``, ``itl2``, ``international`` or ``other``. Unknown values raise
    :class:`~socmob.errors.NotFoundError` with "did you mean".
    """
    entry = indicator(code)
    edition = edition or editions_of(entry.code)[0]
    rows = published(entry.code, edition=edition, alpha=alpha)
    geographies = sorted(set(rows["geography"].dropna()))
    if geography is not None:
        if normalise(geography) not in {normalise(g) for g in GEOGRAPHIES}:
            raise NotFoundError(f"unknown geography {geography!r}",
                                closest(geography, GEOGRAPHIES, cutoff=0.3) or list(GEOGRAPHIES))
        geography = normalise(geography)
        if geography not in geographies:
            raise NotFoundError(f"indicator {entry.code} has no {geography} rows "
                                f"(it has: {', '.join(geographies)})", geographies)
        rows = rows[rows["geography"] == geography]
    shown, dims = _breakdown_choices(rows)
    if by is None and geography is not None:
        wanted = sorted(dims)  # every breakdown published for that geography
        label = "all"
    elif by is None:
        wanted = [SEP.join(d for d in entry.headline.breakdown.split(SEP)
                           if not dimension(d).time) or "total"]
        label = wanted[0]
        geography = "country"
        rows = rows[rows["geography"] == "country"]
        shown, dims = _breakdown_choices(rows)
        wanted = [w for w in wanted if w in dims] or list(dims)[:1]
    else:
        key = normalise(by)
        if key in shown:
            wanted, label = [shown[key]], shown[key]
        else:
            all_dims = sorted({d for ds in dims.values() for d in ds})
            hit = [d for d in all_dims if normalise(d) == key]
            if not hit:
                choices = all_dims + list(shown.values())
                raise NotFoundError(
                    f"indicator {entry.code} has no breakdown {by!r} (breakdowns: "
                    f"{', '.join(sorted(shown.values()))})",
                    closest(by, choices, cutoff=0.4))
            label = hit[0]
            wanted = sorted(b for b, ds in dims.items() if label in ds)
    part = rows[[(SEP.join(d) or "total") in wanted for d in rows["dims"]]]
    return Breakdown(code=entry.code, edition=edition, by=label,
                     geography=geography or "all", breakdowns=tuple(wanted),
                     rows=part.reset_index(drop=True),
                     gaps=_breakdown_gaps(entry, part, alpha=alpha),
                     series=_series_table(entry, part, alpha=alpha))


def _breakdown_gaps(entry: Indicator, rows: pd.DataFrame, *, alpha: float) -> pd.DataFrame:
    """Most minus least advantaged, for every background dimension of the rows, at each
    time and combination of the other dimensions and place."""
    out = []
    sign = -1 if entry.good == "lower" else 1
    for (brk, place), part in rows.groupby(["breakdown", "place"], dropna=False, sort=True):
        names = list(part["dims"].iloc[0])
        for dim_name in names:
            d = dimension(dim_name)
            most, least = d.most_advantaged, d.least_advantaged
            if entry.gap is not None and entry.gap.dimension == dim_name:
                most, least = entry.gap.most_advantaged, entry.gap.least_advantaged
            if not most or not least:
                continue
            others = [n for n in names if n != dim_name]
            keyed: dict[tuple[Any, ...], dict[str, Any]] = {}
            for row in _records(part):
                value = row.dims.get(dim_name)
                if value not in (most, least):
                    continue
                key = (tuple(row.dims.get(o) for o in others), row.start, row.end,
                       row.unit, row.age, row.note)
                keyed.setdefault(key, {})[value] = row
            for key, pair in keyed.items():
                if most not in pair or least not in pair:
                    continue
                a, b = pair[most], pair[least]
                if not (np.isfinite(a.value) and np.isfinite(b.value)):
                    continue
                diff = difference(float(a.value), float(b.value), float(a.se_used),
                                  float(b.se_used),
                                  label=str(a.time), log_scale=a.scale == "log", alpha=alpha)
                out.append({
                    "breakdown": brk, "place": place, "dimension": dim_name,
                    "others": "; ".join(f"{o} = {v}" for o, v in zip(others, key[0],
                                                                      strict=True)),
                    "time": str(a.time), "x": a.x, "most_advantaged": most,
                    "least_advantaged": least, "most_value": diff.a, "least_value": diff.b,
                    "difference": diff.estimate, "lower": diff.lower, "upper": diff.upper,
                    "ratio": diff.ratio, "ratio_lower": diff.ratio_lower,
                    "ratio_upper": diff.ratio_upper, "p_value": diff.p_value,
                    "advantage": sign * diff.estimate, "unit": a.unit})
    cols = ["breakdown", "place", "dimension", "others", "time", "x", "most_advantaged",
            "least_advantaged", "most_value", "least_value", "difference", "lower", "upper",
            "ratio", "ratio_lower", "ratio_upper", "p_value", "advantage", "unit"]
    return pd.DataFrame(out, columns=cols)


def _series_table(entry: Indicator, rows: pd.DataFrame, *, alpha: float) -> pd.DataFrame:
    out = []
    for key, part in rows.groupby("series", sort=True):
        p = points(part)
        if not len(p):
            continue
        prev, _ = changes(p, alpha=alpha)
        tr = trend(p, alpha=alpha)
        k = len(p) - 1
        out.append({"series": key, "place": part["place"].iloc[0],
                    "group": SEP.join(f"{v}" for v in part["dims"].iloc[0].values()) or "Total",
                    "points": len(p), "first": p.labels[0], "latest": p.labels[k],
                    "latest_value": p.values[k], "lower": p.lower[k], "upper": p.upper[k],
                    "interval": p.interval[k],
                    "change_previous": prev.estimate if prev else math.nan,
                    "change_previous_p": prev.p_value if prev else math.nan,
                    "trend_per_year": tr.slope, "trend_p": tr.p_value,
                    "trend_points": tr.n_points if tr.estimated else 0,
                    "trend_note": tr.method if tr.estimated else tr.reason})
    cols = ["series", "place", "group", "points", "first", "latest", "latest_value", "lower",
            "upper", "interval", "change_previous", "change_previous_p", "trend_per_year",
            "trend_p", "trend_points", "trend_note"]
    return pd.DataFrame(out, columns=cols)


__all__ = [
    "Assessment",
    "Breakdown",
    "Gap",
    "Series",
    "assess",
    "breakdown",
    "changes",
    "evidence",
    "evidence_text",
    "gap_between",
    "headline",
    "series_frame",
    "trend",
]
