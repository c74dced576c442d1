"""Published rows → series: every row of an indicator as published, annotated with the
time it covers, its interval (published, derived or none) and the series it belongs to.

:func:`published` never changes a published column (``value, lci, uci, n, …`` come back
exactly as :func:`socmob.data.load` gives them); it adds:

``time``, ``start``, ``end``, ``x``, ``years``
    the point's time label, the calendar years it covers (:mod:`socmob.periods`)
    and their midpoint. The time is the ``year`` dimension of the breakdown when there
    is one (the period column then holds a fixed span, e.g. ``dr32``'s ``"2014-2025"``,
    or a pooled window ending in that year), else the period column.
``moving_average``
    the window of a moving average (3 for "3-year moving average" rows), else 1.
``dims``
    the breakdown as a ``{dimension: value}`` mapping, without the time dimension.
``geography``, ``place``
    ``country``, ``itl1``, ``itl2``, ``international`` or ``other`` (no area type, e.g.
    MO12's "Abroad"), and the area: a row of a
    breakdown with an ITL2 dimension (``itl2_current_geo``) is an ITL2 row whatever its
    area column says.
``scale``
    ``percent`` (0–100), ``proportion`` (0–1: the release writes some percentages as
    proportions, e.g. ``MO11`` 0.326), ``log`` (odds ratios: intervals symmetric on the
    log scale) or ``level`` (anything else, including the regional random effects of
    in23 and in31–in34, published with the unit "Percent"); decided per series.
``interval``, ``lower``, ``upper``, ``se_used``
    where the interval comes from — ``published``; ``published (reference, fixed)`` for a
    zero-width interval at a baseline; ``derived (Wilson, n)`` for a percentage with a
    sample size and no published interval; ``none published`` — and the interval and
    standard error used (the published ``se`` where there is one, else from the
    interval; on the log scale for ``log``).
``series``
    an identifier shared by the points of one series: geography, place, breakdown and
    group without the time dimension, unit — and note and age where they tell rows of
    the same group and time apart.
``usable``, ``unusable``
    whether the row can enter the analysis, and if not why (no value; or a bare 0 the
    source publishes for a year with no data).
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

from socmob._text import closest, normalise
from socmob.errors import NotFoundError
from socmob.monitor.metadata import Indicator, Selection, dimension, indicator
from socmob.monitor.periods import moving_average_years
from socmob.monitor.stats import se_from_interval, wilson_interval_pct
from socmob.periods import Span, parse_period

SEP = "; "

#: National areas, in the order the headline of an indicator looks for them.
NATIONAL_AREAS: tuple[str, ...] = ("United Kingdom", "UK", "Great Britain", "England")

#: Geographies a user can ask for ("other": rows the release gives no area type, e.g.
#: MO12's "Abroad").
GEOGRAPHIES: tuple[str, ...] = ("country", "itl1", "itl2", "international", "other")

#: Where an interval comes from.
PUBLISHED = "published"
REFERENCE = "published (reference, fixed)"
WILSON = "derived (Wilson, n)"
NONE = "none published"

_PERCENT_UNITS = {"percent", "percentage"}
_UNIT_SPELLINGS = {"percentage": "percent", "pounds": "£", "pound": "£", "pound sterling": "£",
                   "gbp (£)": "£", "ratio": "ratio"}
_LOG_UNITS = {"odds ratio"}


def editions_of(code: str) -> list[str]:
    """The editions of the embedded release that have the indicator, latest first."""
    return list(_editions_of(indicator(code).code))


@lru_cache(maxsize=128)
def _editions_of(code: str) -> tuple[str, ...]:
    from socmob import data

    cat = data.catalog()
    found = cat.loc[(cat["code"] == code) & (cat["table"] == "indicators"), "edition"]
    order = {"son26": 0, "son25": 1, "son-mo": 2}
    return tuple(sorted(found.astype(str), key=lambda e: order.get(e, 9)))


def records(frame: pd.DataFrame) -> list[Any]:
    """The rows of a frame as named tuples typed ``Any`` (attribute access, e.g.
    ``row.value``), for loops over small frames."""
    return list(frame.itertuples(index=False))


def _objects(column: pd.Series) -> list[Any]:
    """A column as Python objects, missing values as ``None`` (fast to iterate)."""
    return [None if _is_missing(v) else v for v in column.astype(object).tolist()]


_Pairs = tuple[tuple[str, str], ...]


@lru_cache(maxsize=4096)
def _span(label: Any) -> Span | None:
    return parse_period(label)


@lru_cache(maxsize=256)
def _moving(note: Any) -> int | None:
    return moving_average_years(note)


@lru_cache(maxsize=8192)
def _dims(breakdown: str, group: str) -> tuple[_Pairs, _Pairs]:
    """The (time, other) dimension pairs of a breakdown and group."""
    pairs = _split(breakdown, group)
    return (tuple((k, v) for k, v in pairs if dimension(k).time),
            tuple((k, v) for k, v in pairs if not dimension(k).time))


def _split(breakdown: str, group: str) -> list[tuple[str, str]]:
    names = str(breakdown).split(SEP)
    values = str(group).split(SEP)
    if len(names) != len(values):  # a label with "; " inside: keep the group whole
        return [(str(breakdown), str(group))]
    return list(zip(names, values, strict=True))


def _is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _geography(area_type: Any, pairs: _Pairs) -> tuple[str, str | None]:
    for name, value in pairs:
        geo = dimension(name).geography
        if geo:
            return geo, value
    kind = "other" if _is_missing(area_type) or not str(area_type) else str(area_type)
    return ("itl2" if kind == "itl2_2025" else kind), None


def published(code: str, *, edition: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
    """Every published row of an indicator (one edition: the latest unless named), with
    the annotation columns of the module docstring; the published columns unchanged.

    The embedded data never changes while the package runs, so the annotated rows are
    computed once per (indicator, edition, alpha); every call returns a fresh copy."""
    entry = indicator(code)
    edition = edition or editions_of(entry.code)[0]
    return _published(entry.code, edition, float(alpha)).copy()


@lru_cache(maxsize=256)
def _published(code: str, edition: str, alpha: float) -> pd.DataFrame:
    from socmob import data

    return annotate(data.load(code, edition=edition), alpha=alpha)


def annotate(rows: pd.DataFrame, *, alpha: float = 0.05) -> pd.DataFrame:
    """Add the annotation columns (module docstring) to rows in the tidy schema of
    :func:`socmob.data.load`."""
    out = rows.copy()
    n = len(out)
    dims: list[dict[str, str]] = []
    label: str | None
    time_label: list[str | None] = []
    spans: list[Span | None] = []
    moving: list[int] = []
    geography: list[str] = []
    place: list[str | None] = []
    series_breakdown: list[str] = []
    series_group: list[str] = []
    # a breakdown whose period column changes with its year dimension dates each point by
    # the period (pooled windows "2014 to 2016"); a constant period is a fixed span
    period_varies = (out.groupby(["breakdown"], dropna=False)["period"]
                     .transform("nunique") > 1).tolist()
    for brk, grp, period, note, area_type, area_name, varies in zip(
            _objects(out["breakdown"]), _objects(out["group"]), _objects(out["period"]),
            _objects(out["note"]), _objects(out["area_type"]), _objects(out["area_name"]),
            period_varies, strict=True):
        time_pairs, rest = _dims(str(brk), str(grp))
        period_span = _span(period)
        ma = _moving(note)
        if time_pairs:
            label = time_pairs[0][1]
            span = _span(label)
            if (span is not None and period_span is not None and varies
                    and period_span.end == span.end and period_span.years > span.years):
                span = period_span
        else:
            label = None if period is None else str(period)
            span = period_span
        if ma and span is not None and span.years == 1:
            span = Span(span.end - ma + 1, span.end)
        geo, region = _geography(area_type, rest)
        dims.append(dict(rest))
        time_label.append(label)
        spans.append(span)
        moving.append(ma or 1)
        geography.append(geo)
        place.append(region if region is not None else
                     (None if area_name is None else str(area_name)))
        series_breakdown.append(SEP.join(k for k, _ in rest) or "total")
        series_group.append(SEP.join(v for _, v in rest) or "Total")
    out["time"] = pd.Series(time_label, index=out.index, dtype="string")
    out["start"] = pd.array([s.start if s else pd.NA for s in spans], dtype="Int64")
    out["end"] = pd.array([s.end if s else pd.NA for s in spans], dtype="Int64")
    out["x"] = [s.midpoint if s else math.nan for s in spans]
    out["years"] = pd.array([s.years if s else pd.NA for s in spans], dtype="Int64")
    out["moving_average"] = moving
    out["dims"] = pd.Series(dims, index=out.index, dtype=object)
    out["geography"] = pd.Series(geography, index=out.index, dtype="string")
    out["place"] = pd.Series(place, index=out.index, dtype="string")
    out["series"] = _series_keys(out, series_breakdown, series_group)
    out["scale"] = _scales(out)
    whole_sample = _whole_sample_n(out)
    lower, upper, se, source = [], [], [], []
    for value, lci, uci, n_, se_pub, scale, note, whole in zip(
            out["value"].tolist(), out["lci"].tolist(), out["uci"].tolist(),
            out["n"].tolist(), out["se"].tolist(), out["scale"].tolist(),
            _objects(out["note"]), whole_sample, strict=True):
        lo, hi, s, src = _interval(float(value), float(lci), float(uci), float(n_),
                                   float(se_pub), str(scale), note, alpha, derive=not whole)
        lower.append(lo)
        upper.append(hi)
        se.append(s)
        source.append(src)
    out["interval"] = pd.Series(source, index=out.index, dtype="string")
    out["lower"] = np.asarray(lower, dtype=float) if n else np.array([], dtype=float)
    out["upper"] = np.asarray(upper, dtype=float) if n else np.array([], dtype=float)
    out["se_used"] = np.asarray(se, dtype=float) if n else np.array([], dtype=float)
    out["unusable"] = _unusable(out)
    out["usable"] = out["unusable"].isna()
    return out


#: The build's note on rows whose sample size the source marks "x" (not available).
SUPPRESSED_NOTE = "sample size suppressed in the source"


def _unusable(out: pd.DataFrame) -> pd.Series:
    """Why a published row cannot enter the analysis (else missing): no value; no time;
    or a placeholder — a value of exactly 0 with neither an interval nor a sample size,
    in a series whose other values are not 0. SoN 2026 writes such zeros for the years
    with no assessment (in12 in 2019/20 and 2020/21, the sample size marked "x"), where
    SoN 2025 left the value empty."""
    reason = pd.Series(pd.NA, index=out.index, dtype="string")
    bare = (out["value"] == 0) & out["lci"].isna() & out["uci"].isna() & out["n"].isna()
    nonzero = (out["value"].fillna(0) != 0).groupby(out["series"]).transform("any")
    reason[bare & nonzero] = ("0 published with no interval and no sample size "
                              "(a year with no data)")
    reason[out["start"].isna()] = "no time"
    reason[out["value"].isna()] = "no value published"
    return reason


def unit_key(unit: Any) -> str:
    """One spelling per unit for telling series apart: "Percent" and "Percentage" are
    the same unit, so are "£", "Pounds", "Pound sterling" and "GBP (£)"."""
    text = "" if _is_missing(unit) else str(unit).strip().lower()
    return _UNIT_SPELLINGS.get(text, text)


def _series_keys(out: pd.DataFrame, breakdowns: list[str], groups: list[str]) -> pd.Series:
    """Series identifiers: geography, place, breakdown and group (without time) and unit,
    plus the note and the age column where — and only where — they tell apart rows
    published for the same group at the same time (MO11's "Upward"/"Downward" notes,
    MO41's age bands). A note that merely flags some years ("sample size suppressed")
    or an age label missing from some periods does not split a series."""
    keys = [" | ".join(parts) for parts in zip(
        [g or "" for g in _objects(out["geography"])], [p or "" for p in _objects(out["place"])],
        breakdowns, groups, [unit_key(u) for u in _objects(out["unit"])], strict=True)]
    times = list(zip(_objects(out["start"]), _objects(out["end"]), strict=True))
    raw_breakdowns = _objects(out["breakdown"])
    for extra in ("note", "age"):
        values = ["" if v is None else str(v) for v in _objects(out[extra])]
        seen: dict[tuple[str, Any], set[str]] = {}
        for key, t, v in zip(keys, times, values, strict=True):
            seen.setdefault((key, t), set()).add(v)
        splits = {b for b, key, t in zip(raw_breakdowns, keys, times, strict=True)
                  if len(seen[(key, t)]) > 1}
        keys = [f"{key} | {extra}={v}" if b in splits else key
                for key, v, b in zip(keys, values, raw_breakdowns, strict=True)]
    return pd.Series(keys, index=out.index, dtype="string")


def _whole_sample_n(out: pd.DataFrame) -> np.ndarray:
    """Rows whose ``n`` cannot be their own base: the same ``n`` on every row of a block
    (breakdown, time, place) whose percentages add up to more than 100 — e.g. MO31's
    origin-by-destination shares, published with the whole sample size on each cell."""
    blocks: dict[tuple[Any, ...], list[int]] = {}
    cols = zip(_objects(out["breakdown"]), _objects(out["start"]), _objects(out["place"]),
               [unit_key(u) for u in _objects(out["unit"])], strict=True)
    for i, key in enumerate(cols):
        blocks.setdefault(key, []).append(i)
    value = out["value"].to_numpy(dtype=float)
    n = out["n"].to_numpy(dtype=float)
    pct = np.where(out["scale"].to_numpy(dtype=object) == "proportion", value * 100, value)
    flag = np.zeros(len(out), dtype=bool)
    for idx in blocks.values():
        ns = {x for x in n[idx].tolist() if np.isfinite(x)}
        if len(idx) > 1 and len(ns) == 1 and np.nansum(pct[idx]) > 100.5:
            flag[idx] = True
    return flag


def _scales(frame: pd.DataFrame) -> pd.Series:
    unit = frame["unit"].fillna("").str.strip().str.lower()
    top = pd.concat([frame["value"].abs(), frame["uci"].abs()], axis=1).max(axis=1)
    series_top = top.groupby(frame["series"]).transform("max")
    scale = pd.Series("level", index=frame.index, dtype="string")
    percent = unit.isin(_PERCENT_UNITS)
    scale[percent] = "percent"
    scale[percent & (series_top <= 1)] = "proportion"
    scale[unit.isin(_LOG_UNITS)] = "log"
    # regional values of in23 and in31–in34 are published with the unit "Percent" but are
    # random effects of a mixed model (their note says so): levels, not percentages
    effect = frame["note"].fillna("").str.lower().str.contains("random effect")
    scale[effect] = "level"
    return scale


def _interval(value: float, lci: float, uci: float, n: float, published_se: float,
              scale: str, note: Any, alpha: float, *,
              derive: bool = True) -> tuple[float, float, float, str]:
    log = scale == "log"
    if np.isfinite(lci) and np.isfinite(uci):
        if lci == uci == value:
            return lci, uci, 0.0, REFERENCE
        se = (published_se if np.isfinite(published_se) and not log
              else se_from_interval(lci, uci, log=log))
        return lci, uci, se, PUBLISHED
    is_share = scale in ("percent", "proportion") and "difference" not in str(
        "" if note is None else note).lower()
    if derive and is_share and np.isfinite(value) and np.isfinite(n) and n > 0:
        lo, hi = wilson_interval_pct(value, n, scale=100.0 if scale == "percent" else 1.0,
                                     alpha=alpha)
        if np.isfinite(lo):
            return lo, hi, se_from_interval(lo, hi, alpha=alpha), WILSON
    return math.nan, math.nan, math.nan, NONE


# --------------------------------------------------------------------------- selection


def national_area(rows: pd.DataFrame, preferred: str | None = None) -> str | None:
    """The national area of an indicator's rows: ``preferred`` if given, else the first of
    :data:`NATIONAL_AREAS` present among the rows (else the first area)."""
    names = [str(a) for a in rows["area_name"].dropna().unique()]
    if preferred is not None:
        hit = [a for a in names if normalise(a) == normalise(preferred)]
        if not hit:
            raise NotFoundError(f"no rows for area {preferred!r}", closest(preferred, names))
        return hit[0]
    for name in NATIONAL_AREAS:
        if name in names:
            return name
    return names[0] if names else None


def _matches(row_dims: Mapping[str, str], columns: Mapping[str, Any],
             select: Mapping[str, str | None]) -> bool:
    for key, wanted in select.items():
        if key in row_dims:
            got: Any = row_dims[key]
        elif key in columns:
            got = columns[key]
        else:
            return False
        if wanted is None:
            if not (_is_missing(got) or got == "NA"):
                return False
        elif _is_missing(got) or _norm(str(got)) != _norm(wanted):
            return False
    return True


@lru_cache(maxsize=16384)
def _norm(text: str) -> str:
    return normalise(text)


_SELECT_COLUMNS = ("age", "unit", "note", "area_name", "period")


def select(rows: pd.DataFrame, selection: Selection, *,
           overrides: Mapping[str, str | None] | None = None,
           geography: str | None = "country") -> pd.DataFrame:
    """The annotated rows of one published breakdown (time dimension included) matching
    the selection's fixed values (``overrides`` replace some of them).

    Where: the selection's area when it names one (in any geography); otherwise rows of
    ``geography`` (``None``: every geography), and for ``"country"`` the national area
    (:func:`national_area`).
    """
    wanted = dict(selection.select)
    wanted.update(overrides or {})
    part = rows[rows["breakdown"] == selection.breakdown]
    if selection.area is not None and not part.empty:
        part = part[part["area_name"] == national_area(part, selection.area)]
    else:
        if geography is not None:
            part = part[part["geography"] == geography]
        if geography == "country" and not part.empty:
            part = part[part["area_name"] == national_area(part)]
    if part.empty:
        return part
    used = [c for c in _SELECT_COLUMNS if c in wanted]
    columns = [dict(zip(used, vals, strict=True))
               for vals in zip(*(_objects(part[c]) for c in used), strict=True)] \
        if used else [{}] * len(part)
    keep = [_matches(d, c, wanted) for d, c in zip(part["dims"], columns, strict=True)]
    return part[np.asarray(keep, dtype=bool)]


@dataclass(frozen=True)
class Points:
    """One series ready for analysis: distinct time points in time order.

    ``labels``, ``spans``, ``values``, ``se`` (NaN where no interval), ``lower``,
    ``upper``, ``interval`` (source per point), ``log_scale``; ``duplicates`` counts
    repeated rows dropped (identical rows published twice) and ``conflicts`` lists times
    with different values published for the same point (the first row is used).
    """

    series: str
    labels: tuple[str, ...]
    spans: tuple[Span, ...]
    values: np.ndarray
    se: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    interval: tuple[str, ...]
    scale: str
    duplicates: int = 0
    conflicts: tuple[str, ...] = ()

    @property
    def log_scale(self) -> bool:
        """Whether the series is a ratio measure analysed on the log scale."""
        return self.scale == "log"

    def __len__(self) -> int:
        return len(self.labels)


def points(rows: pd.DataFrame) -> Points:
    """The distinct time points of the rows of one series (rows that are not ``usable``
    are dropped; identical duplicate rows are counted and dropped)."""
    if rows["series"].nunique() > 1:
        raise ValueError(f"rows of {rows['series'].nunique()} series given to points()")
    part = rows[rows["usable"]]
    part = part.sort_values(["x", "start"], kind="mergesort")
    cols = ["start", "end", "value", "lci", "uci", "time", "se_used", "lower", "upper",
            "interval", "scale"]
    records = [dict(zip(cols, vals, strict=True))
               for vals in zip(*(_objects(part[c]) for c in cols), strict=True)]
    seen: dict[tuple[int, int], dict[str, Any]] = {}
    kept: list[dict[str, Any]] = []
    duplicates = 0
    conflicts = []
    for row in records:
        key = (int(row["start"]), int(row["end"]))
        if key in seen:
            first = seen[key]
            if (first["value"] == row["value"] and _same(first["lci"], row["lci"])
                    and _same(first["uci"], row["uci"])):
                duplicates += 1
            else:
                conflicts.append(str(row["time"]))
            continue
        seen[key] = row
        kept.append(row)

    def floats(name: str) -> np.ndarray:
        return np.array([math.nan if r[name] is None else float(r[name]) for r in kept])

    return Points(
        series=str(rows["series"].iloc[0]) if len(rows) else "",
        labels=tuple(str(r["time"]) for r in kept),
        spans=tuple(Span(int(r["start"]), int(r["end"])) for r in kept),
        values=floats("value"), se=floats("se_used"), lower=floats("lower"),
        upper=floats("upper"),
        interval=tuple(str(r["interval"]) for r in kept),
        scale=str(kept[0]["scale"]) if kept else "level",
        duplicates=duplicates, conflicts=tuple(conflicts),
    )


def _same(a: Any, b: Any) -> bool:
    fa = math.nan if a is None else float(a)
    fb = math.nan if b is None else float(b)
    return (math.isnan(fa) and math.isnan(fb)) or fa == fb


def headline_rows(entry: Indicator, rows: pd.DataFrame) -> pd.DataFrame:
    """The rows of the indicator's headline series."""
    return select(rows, entry.headline)


__all__ = [
    "GEOGRAPHIES",
    "NATIONAL_AREAS",
    "NONE",
    "PUBLISHED",
    "REFERENCE",
    "WILSON",
    "Points",
    "annotate",
    "editions_of",
    "headline_rows",
    "national_area",
    "points",
    "published",
    "records",
    "select",
]
