"""Workforce measures: disclosure rates, representation against a national benchmark,
the class ceiling (seniority gradient, odds of a senior role, promotion) and progress
against targets.

All functions take the canonical frame of :class:`~socmob.workforce.hr.HRData` (columns
``seb`` = professional / intermediate / lower / excluded / missing, ``grade`` as an
ordered categorical, ``senior`` bool, optional ``function``, ``location``,
``hire_date``, ``promotion_date``, ``snapshot_date``) and return frozen results with
counts, shares and intervals. Shares use Wilson score intervals (Wilson 1927); odds
ratios use Woolf's logit interval; Kaplan–Meier and Cox models come from statsmodels.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any

import numpy as np
import pandas as pd
import yaml
from scipy.stats import norm

from socmob._deprecated import coverage_keyword, renamed
from socmob.checks import check_alpha
from socmob.classify.seb import SEB_GROUPS
from socmob.errors import InputError, NotFoundError
from socmob.results import Result, tidy
from socmob.tables import absolute as _absolute
from socmob.tables.relative import woolf_log_odds_ratio

DISCLOSURE_TARGET = 0.70
"""Target share of employees answering the key question (SMC toolkit: at least 70 %)."""


@coverage_keyword("confidence")
def wilson_interval_counts(k: Any, n: Any, *, alpha: float = 0.05) -> tuple[Any, Any]:
    """Wilson score ``1 − alpha`` interval for a proportion ``k/n`` given as counts
    (vectorised; NaN where n = 0): :func:`socmob.tables.absolute.wilson_interval` of
    ``p = k/n`` with size ``n``.

    .. math:: \\frac{\\hat p + z^2/2n \\pm z\\sqrt{\\hat p(1-\\hat p)/n + z^2/4n^2}}{1+z^2/n}
    """
    k_arr = np.asarray(k, dtype=float)
    n_arr = np.asarray(n, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        p = k_arr / n_arr
    return _absolute.wilson_interval(p, n_arr, alpha=alpha)


@dataclass(frozen=True)
class Benchmark:
    """A national SEB benchmark with its provenance."""

    key: str
    title: str
    shares: Mapping[str, float]
    source: str
    survey: str
    lfs_years: str | None
    method: str
    verification: str

    def provenance(self) -> str:
        """One-line provenance note for tables and charts."""
        years = f", LFS {self.lfs_years}" if self.lfs_years else ""
        return f"{self.title} ({self.key}{years}): {self.source.strip()}"


def load_benchmark(key: str | None = None) -> Benchmark:
    """A benchmark from ``workforce/data/benchmarks.yaml`` (default: the current one)."""
    text = resources.files("socmob.workforce.data").joinpath("benchmarks.yaml").read_text(
        encoding="utf-8")
    data = yaml.safe_load(text)
    key = key or data["default"]
    table = data["benchmarks"]
    if key not in table:
        raise NotFoundError(f"no benchmark {key!r}", suggestions=list(table))
    b = table[key]
    return Benchmark(key=key, title=b["title"], shares=dict(b["shares"]), source=b["source"],
                     survey=b["survey"], lfs_years=b.get("lfs_years"), method=b["method"],
                     verification=b.get("verification", ""))


def _by(frame: pd.DataFrame, by: str | None) -> list[tuple[str, pd.DataFrame]]:
    if by is None:
        return [("all", frame)]
    if by not in frame.columns:
        raise InputError(f"no column {by!r} to break down by", column=by)
    col = frame[by]
    levels = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
              else sorted(col.dropna().unique().tolist()))
    return [(str(lv), frame[col == lv]) for lv in levels]


@dataclass(frozen=True)
class ResponseRates(Result):
    """Share of employees answering the key question (``answered``: anything but blank)
    and giving a classifiable answer (``classifiable``), by breakdown."""

    table: pd.DataFrame
    target: float

    def to_frame(self) -> pd.DataFrame:
        t = self.table
        return tidy(t.assign(measure=t["measure"] + "_rate", value=100 * t["rate"],
                             lci=100 * t["lci"], uci=100 * t["uci"], unit="%",
                             note=f"target {100 * self.target:.0f}%")
                    [["measure", "breakdown", "group", "value", "lci", "uci", "n", "unit",
                      "note"]])


@coverage_keyword("confidence")
def response_rates(frame: pd.DataFrame, *, by: str | None = None,
                   alpha: float = 0.05) -> ResponseRates:
    """Disclosure and response rates (target ≥ 70 % answering), with Wilson ``1 − alpha``
    intervals."""
    rows = []
    for level, part in _by(frame, by):
        n = len(part)
        answered = int((part["seb"] != "missing").sum())
        classifiable = int(part["seb"].isin(SEB_GROUPS).sum())
        for measure, k in (("answered", answered), ("classifiable", classifiable)):
            lo, hi = wilson_interval_counts(k, n, alpha=alpha)
            rows.append({"breakdown": by or "all", "group": level, "measure": measure,
                         "count": k, "n": n, "rate": k / n if n else np.nan,
                         "lci": float(lo), "uci": float(hi),
                         "meets_target": (k / n >= DISCLOSURE_TARGET) if n else False})
    return ResponseRates(table=pd.DataFrame(rows), target=DISCLOSURE_TARGET)


@dataclass(frozen=True)
class Representation(Result):
    """SEB shares among classifiable employees, against a national benchmark.

    ``table``: one row per breakdown level and background with ``count``, ``n``
    (classifiable), ``share``, ``lci``, ``uci``, ``benchmark``, ``index`` (share /
    benchmark share × 100: 100 = as in the UK workforce). ``counts`` is the level ×
    background count table (for disclosure control).
    """

    table: pd.DataFrame
    counts: pd.DataFrame
    benchmark: Benchmark

    def to_frame(self) -> pd.DataFrame:
        t = self.table
        return tidy(
            t.assign(measure="seb_share", value=t["share"] * 100, lci=t["lci"] * 100,
                     uci=t["uci"] * 100, unit="%",
                     note=lambda d: "benchmark " + (d["benchmark"] * 100).round(0).astype(str))
            .rename(columns={"seb": "group", "level": "breakdown_level"})
            [["measure", "breakdown", "breakdown_level", "group", "value", "lci", "uci", "n",
              "unit", "note"]]
        )


@coverage_keyword("confidence")
def representation(frame: pd.DataFrame, *, by: str | None = None,
                   benchmark: Benchmark | None = None,
                   alpha: float = 0.05) -> Representation:
    """Representation of each background overall or by ``by`` (grade, function, …),
    with Wilson ``1 − alpha`` intervals of the shares."""
    bench = benchmark or load_benchmark()
    rows = []
    counts = {}
    for level, part in _by(frame, by):
        cl = part[part["seb"].isin(SEB_GROUPS)]
        n = len(cl)
        vc = cl["seb"].value_counts().reindex(SEB_GROUPS, fill_value=0)
        counts[level] = vc
        lo, hi = wilson_interval_counts(vc.to_numpy(), np.full(3, n), alpha=alpha)
        for g, k, a, b in zip(SEB_GROUPS, vc.to_numpy(), lo, hi, strict=True):
            share = k / n if n else np.nan
            bshare = bench.shares.get(g, np.nan)
            rows.append({"breakdown": by or "all", "level": level, "seb": g, "count": int(k),
                         "n": n, "share": share, "lci": float(a), "uci": float(b),
                         "benchmark": bshare, "index": 100 * share / bshare})
    ctab = pd.DataFrame(counts).T.astype("int64")
    ctab.index.name = (by or "all").capitalize()
    ctab.columns.name = None
    return Representation(table=pd.DataFrame(rows), counts=ctab, benchmark=bench)


@coverage_keyword("confidence")
def odds_ratio_woolf(a: float, b: float, c: float, d: float, *,
                     alpha: float = 0.05) -> tuple[float, float, float]:
    """Odds ratio (a·d)/(b·c) of a 2×2 table [[a, b], [c, d]] with Woolf's ``1 − alpha``
    interval exp(log OR ± z·√(1/a + 1/b + 1/c + 1/d)), ``z = Φ⁻¹(1 − alpha/2)``; 0.5 is
    added to every cell if any is 0 (Haldane–Anscombe)."""
    log_or, se, _, _ = woolf_log_odds_ratio(
        np.asarray(a), np.asarray(b), np.asarray(c), np.asarray(d), np.asarray(False), 0.5
    )
    z = float(norm.ppf(1 - check_alpha(alpha) / 2))
    return float(np.exp(log_or)), float(np.exp(log_or - z * se)), float(np.exp(log_or + z * se))


@dataclass(frozen=True)
class ClassCeiling(Result):
    """Class-ceiling measures.

    ``gradient``: lower- (and each) background share by grade, entry → top.
    ``seniority_gap_pp``: lower-background share in the senior grades minus in the entry
    grade (percentage points; negative = fewer at the top).
    ``senior_odds``: odds of a senior role of each background relative to the reference
    (odds ratio with Woolf interval).
    ``promotion``: per background, employees with a hire date, number promoted, promotion
    rate, Kaplan–Meier median years to first promotion; and the Cox hazard ratio of
    promotion against the reference (``None`` without promotion data).
    """

    gradient: pd.DataFrame
    seniority_gap_pp: float
    senior_odds: pd.DataFrame
    promotion: pd.DataFrame | None
    reference: str

    def to_frame(self) -> pd.DataFrame:
        parts = [
            self.senior_odds.assign(measure="odds_ratio_senior_role", value=lambda d: d["or"],
                                    unit="ratio", breakdown="seb")
            .rename(columns={"seb": "group"})[["measure", "breakdown", "group", "value",
                                               "lci", "uci", "n", "unit"]],
        ]
        parts.append(pd.DataFrame([{"measure": "seniority_gap_lower", "breakdown": "grade",
                                    "group": "lower", "value": self.seniority_gap_pp,
                                    "unit": "percentage points"}]))
        if self.promotion is not None:
            parts.append(self.promotion.assign(measure="promotion_rate", breakdown="seb",
                                               value=lambda d: 100 * d["rate"], unit="%")
                         .rename(columns={"seb": "group"})[["measure", "breakdown", "group",
                                                            "value", "n", "unit"]])
        return tidy(pd.concat(parts, ignore_index=True))


@coverage_keyword("confidence")
def class_ceiling(frame: pd.DataFrame, *, reference: str = "professional",
                  alpha: float = 0.05) -> ClassCeiling:
    """Seniority gradient, relative odds of a senior role, promotion rates and time to
    promotion by background.

    The seniority gap is share(lower | senior grades) − share(lower | entry grade) among
    classifiable employees. Odds of a senior role: for background g against the
    reference, OR = (senior_g · junior_ref) / (junior_g · senior_ref). Time to first
    promotion: duration from ``hire_date`` to ``promotion_date`` (event) or to
    ``snapshot_date`` (censored), Kaplan–Meier per background
    (``statsmodels.duration.survfunc.SurvfuncRight``) and a Cox proportional-hazards
    model on background (``statsmodels.duration.hazard_regression.PHReg``, Breslow ties).
    Odds ratios and hazard ratios carry ``1 − alpha`` intervals.
    """
    cl = frame[frame["seb"].isin(SEB_GROUPS)].copy()
    if cl.empty:
        raise InputError("no employee has a classifiable background")
    grades = list(cl["grade"].cat.categories)
    grad = (cl.groupby("grade", observed=False)["seb"].value_counts().unstack(fill_value=0)
            .reindex(index=grades, columns=list(SEB_GROUPS), fill_value=0))
    n = grad.sum(axis=1)
    gradient = grad.div(n.replace(0, np.nan), axis=0).reset_index().rename(
        columns={"grade": "grade"})
    gradient["n"] = n.to_numpy()
    entry = cl[cl["grade"] == grades[0]]
    senior = cl[cl["senior"]]

    def share_lower(d: pd.DataFrame) -> float:
        return float((d["seb"] == "lower").mean()) if len(d) else float("nan")

    gap = 100 * (share_lower(senior) - share_lower(entry))

    rows = []
    ref = cl[cl["seb"] == reference]
    for g in SEB_GROUPS:
        if g == reference:
            continue
        grp = cl[cl["seb"] == g]
        a, b = int(grp["senior"].sum()), int((~grp["senior"]).sum())
        c, d = int(ref["senior"].sum()), int((~ref["senior"]).sum())
        est, lo, hi = odds_ratio_woolf(a, b, c, d, alpha=alpha)
        rows.append({"seb": g, "reference": reference, "or": est, "lci": lo, "uci": hi,
                     "senior": a, "n": a + b, "senior_reference": c, "n_reference": c + d})
    senior_odds = pd.DataFrame(rows)

    promotion = None
    if {"hire_date", "snapshot_date"}.issubset(cl.columns) and cl["hire_date"].notna().any():
        promotion = _promotion(cl, reference=reference, alpha=alpha)
    return ClassCeiling(gradient=gradient, seniority_gap_pp=gap, senior_odds=senior_odds,
                        promotion=promotion, reference=reference)


def _promotion(cl: pd.DataFrame, *, reference: str, alpha: float) -> pd.DataFrame:
    from statsmodels.duration.hazard_regression import PHReg
    from statsmodels.duration.survfunc import SurvfuncRight

    d = cl[cl["hire_date"].notna() & cl["snapshot_date"].notna()].copy()
    promo = d["promotion_date"] if "promotion_date" in d else pd.Series(pd.NaT, index=d.index)
    event = promo.notna() & (promo <= d["snapshot_date"])
    end = promo.where(event, d["snapshot_date"])
    years = (end - d["hire_date"]).dt.days / 365.25
    ok = years > 0
    d, years, event = d[ok], years[ok], event[ok]
    rows = []
    for g in SEB_GROUPS:
        m = (d["seb"] == g).to_numpy()
        n = int(m.sum())
        k = int(event[m].sum())
        median = np.nan
        if n and k:
            sf = SurvfuncRight(years[m].to_numpy(), event[m].to_numpy().astype(int))
            below = np.nonzero(sf.surv_prob <= 0.5 + 1e-9)[0]
            median = float(sf.surv_times[below[0]]) if below.size else np.nan
        rows.append({"seb": g, "n": n, "promoted": k, "rate": k / n if n else np.nan,
                     "km_median_years": median})
    out = pd.DataFrame(rows)
    others = [g for g in SEB_GROUPS if g != reference]
    X = np.column_stack([(d["seb"] == g).to_numpy(float) for g in others])
    keep = X.sum(axis=0) > 0
    out["hazard_ratio"] = np.nan
    out["hr_lci"] = np.nan
    out["hr_uci"] = np.nan
    if event.sum() > 0 and keep.any() and (d["seb"] == reference).any():
        fit = PHReg(years.to_numpy(), X[:, keep], status=event.to_numpy().astype(int),
                    ties="breslow").fit()
        ci = np.asarray(fit.conf_int(alpha=alpha))
        for pos, g in enumerate(np.asarray(others)[keep]):
            i = out.index[out["seb"] == g][0]
            out.loc[i, ["hazard_ratio", "hr_lci", "hr_uci"]] = np.exp(
                [fit.params[pos], ci[pos, 0], ci[pos, 1]])
        out.loc[out["seb"] == reference, "hazard_ratio"] = 1.0
    return out


@dataclass(frozen=True)
class TargetProgress(Result):
    """Progress against a representation target, e.g. ≥ 50 % of senior leaders from
    intermediate or lower backgrounds."""

    description: str
    target: float
    share: float
    lci: float
    uci: float
    count: int
    n: int

    @property
    def met(self) -> bool:
        """Whether the point estimate reaches the target."""
        return bool(self.share >= self.target)

    def to_frame(self) -> pd.DataFrame:
        return tidy(pd.DataFrame([{"measure": "target_progress", "group": self.description,
                                   "value": 100 * self.share, "lci": 100 * self.lci,
                                   "uci": 100 * self.uci, "n": self.n, "unit": "%",
                                   "note": f"target {100 * self.target:.0f}%"}]))


@coverage_keyword("confidence")
def target_progress(frame: pd.DataFrame, *, target: float = 0.5,
                    backgrounds: Sequence[str] = ("intermediate", "lower"),
                    senior_only: bool = True, alpha: float = 0.05) -> TargetProgress:
    """Share of (senior) classifiable employees from ``backgrounds`` against ``target``,
    with its Wilson ``1 − alpha`` interval."""
    part = frame[frame["senior"]] if senior_only else frame
    cl = part[part["seb"].isin(SEB_GROUPS)]
    n = len(cl)
    k = int(cl["seb"].isin(backgrounds).sum())
    lo, hi = wilson_interval_counts(k, n, alpha=alpha)
    who = "senior leaders" if senior_only else "employees"
    desc = f"{who} from {' or '.join(backgrounds)} backgrounds"
    return TargetProgress(description=desc, target=target, share=k / n if n else np.nan,
                          lci=float(lo), uci=float(hi), count=k, n=n)


__all__ = [
    "DISCLOSURE_TARGET",
    "Benchmark",
    "ClassCeiling",
    "Representation",
    "ResponseRates",
    "TargetProgress",
    "class_ceiling",
    "load_benchmark",
    "odds_ratio_woolf",
    "representation",
    "response_rates",
    "target_progress",
    "wilson_interval_counts",
]

__getattr__ = renamed(__name__, {"wilson_interval": "wilson_interval_counts"}, globals())
