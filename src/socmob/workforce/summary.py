"""The employer report as data: a publishable (disclosure-controlled) view and a detailed
internal view of a validated HR extract.

:func:`workforce_summary` runs every measure and assembles the tables that
:mod:`socmob.report.workforce` renders (JSON, HTML, PDF). In the ``publishable`` view
every table goes through :mod:`socmob.workforce.disclosure` — counts below the
threshold and their complements are suppressed (``NaN``, shown as ``[c]``), and averages
or gaps over fewer than ``threshold`` people are withheld — and nothing is produced from
fewer than ``min_respondents`` classifiable respondents. The ``internal`` view shows exact
figures and is marked *not for publication*.

Figures are kept unrounded (machine output — JSON, CSV — carries them in full). The one
exception is disclosure control: in the publishable view, percentages of counts are
rounded to ``policy.percent_decimals`` and counts to ``policy.round_to`` as the
:class:`~socmob.workforce.disclosure.DisclosurePolicy` says. Each table's ``decimals``
says how many places a page shows (:mod:`socmob.report.workforce` rounds for display
only).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from socmob.classify.seb import SEB_GROUPS
from socmob.errors import InputError
from socmob.results import ByGroup, Result, jsonable, tidy
from socmob.workforce.disclosure import (
    DEFAULT_POLICY,
    DisclosurePolicy,
    ProtectedTable,
    linked_sums_safe,
    protect_table,
    publishable_statistic,
    require_respondents,
)
from socmob.workforce.hr import HRData
from socmob.workforce.measures import (
    DISCLOSURE_TARGET,
    Benchmark,
    class_ceiling,
    load_benchmark,
    representation,
    response_rates,
    target_progress,
)
from socmob.workforce.paygap import (
    NOT_DISCLOSED,
    QUARTILE_LABELS,
    ClassPayGap,
    class_pay_gap,
    pay_gap_by,
)

VIEWS = ("publishable", "internal")
SUPPRESSED = "[c]"
"""Marker of a suppressed figure (ONS convention: confidential)."""


@dataclass(frozen=True)
class ReportTable:
    """One table of the report: ``frame`` holds the figures, unrounded (NaN =
    suppressed); ``decimals`` is the number of decimal places a page shows, for every
    column or per column name (display only: JSON and CSV keep full precision)."""

    key: str
    caption: str
    frame: pd.DataFrame
    unit: str = ""
    note: str = ""
    chart: str | None = None
    decimals: int | Mapping[str, int] = 1

    def decimals_of(self, column: str) -> int:
        """Decimal places shown for ``column``."""
        if isinstance(self.decimals, int):
            return self.decimals
        return int(self.decimals.get(column, 1))

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: columns and rows (suppressed cells as ``null``)."""
        f = self.frame.reset_index()
        return {"key": self.key, "caption": self.caption, "unit": self.unit,
                "note": self.note, "columns": [str(c) for c in f.columns],
                "rows": jsonable(f.to_numpy().tolist())}


@dataclass(frozen=True)
class WorkforceSummary(Result):
    """Everything the employer report shows, for one view."""

    view: str
    organisation: str
    snapshot_date: str | None
    headline: dict[str, Any]
    tables: tuple[ReportTable, ...]
    notes: tuple[str, ...]
    benchmark: Benchmark
    policy: DisclosurePolicy
    synthetic: bool = False
    seb_mapping: pd.DataFrame | None = field(default=None, repr=False)

    def table(self, key: str) -> ReportTable:
        """The table with this key."""
        for t in self.tables:
            if t.key == key:
                return t
        raise InputError(f"no table {key!r} in the report",
                         expected=", ".join(t.key for t in self.tables))

    def to_frame(self) -> pd.DataFrame:
        """Every figure of every table as a tidy row: ``measure`` the table's key,
        ``breakdown`` its row dimension, ``group`` the row, ``value`` the figure
        (missing where suppressed); the long form ``table, row, column`` follows."""
        rows = []
        for t in self.tables:
            for r in t.frame.index:
                for c in t.frame.columns:
                    rows.append({"measure": t.key, "breakdown": t.frame.index.name or "row",
                                 "group": str(r), "value": t.frame.loc[r, c],
                                 "unit": t.unit, "table": t.key, "row": str(r),
                                 "column": str(c)})
        return tidy(pd.DataFrame(rows, columns=["measure", "breakdown", "group", "value",
                                                "unit", "table", "row", "column"]))

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "title": "Socio-economic background: workforce report",
            "view": self.view,
            "not_for_publication": self.view == "internal",
            "synthetic": self.synthetic,
            "organisation": self.organisation,
            "snapshot_date": self.snapshot_date,
            "headline": jsonable(self.headline),
            "tables": [t.to_dict() for t in self.tables],
            "notes": list(self.notes),
            "benchmark": {"key": self.benchmark.key, "title": self.benchmark.title,
                          "shares": dict(self.benchmark.shares),
                          "provenance": self.benchmark.provenance(),
                          "verification": self.benchmark.verification},
            "disclosure_policy": {"threshold": self.policy.threshold,
                                  "min_respondents": self.policy.min_respondents,
                                  "round_to": self.policy.round_to,
                                  "suppressed_marker": SUPPRESSED},
        }
        if self.view == "internal" and self.seb_mapping is not None:
            out["seb_mapping"] = jsonable(self.seb_mapping)
        return out


def _counts_table(rep_counts: pd.DataFrame, view: str, policy: DisclosurePolicy
                  ) -> tuple[pd.DataFrame, pd.DataFrame, ProtectedTable | None]:
    """(counts with totals, row shares %, protected table)."""
    if view == "publishable":
        pt = protect_table(rep_counts, policy=policy)
        counts = pt.with_margins()
        shares = pt.shares(axis="row")
        total_share = (pt.col_totals / pt.grand_total * 100).round(policy.percent_decimals)
        shares.loc["Total"] = total_share
        return counts, shares, pt
    counts = rep_counts.copy().astype(float)
    counts["Total"] = counts.sum(axis=1)
    counts.loc["Total"] = counts.sum(axis=0)
    shares = counts[list(rep_counts.columns)].div(counts["Total"], axis=0) * 100
    return counts, shares, None


def _hourly_gaps(by_level: ByGroup[ClassPayGap]) -> pd.DataFrame:
    """The mean and median hourly pay gaps of each level: ``level, reference, group,
    measure, value, n_reference, n_group``."""
    cols = ["level", "reference", "group", "measure", "value", "n_reference", "n_group"]
    parts = [res.gaps[res.gaps["measure"].isin(["mean_hourly", "median_hourly"])]
             .assign(level=level) for level, res in by_level.items()]
    if not parts:
        return pd.DataFrame(columns=cols)
    return pd.concat(parts, ignore_index=True)[cols]


@dataclass(frozen=True)
class WeightedShares:
    """Background shares weighted to the headcount of each grade.

    ``shares`` and ``unweighted`` map each background to a proportion (0–1);
    ``weights`` holds one weight per classifiable respondent (in the frame's order);
    ``design_effect`` is Kish's ``n Σw² / (Σw)²`` and ``effective_n`` ``(Σw)² / Σw²``;
    ``unweighted_grades`` lists grades that have staff but no classifiable answer (left
    out of the weighting: no respondent can stand for them).
    """

    shares: dict[str, float]
    unweighted: dict[str, float]
    weights: np.ndarray
    design_effect: float
    effective_n: float
    respondents: int
    unweighted_grades: tuple[str, ...]


def weighted_shares(frame: pd.DataFrame, *, pool: Sequence[str] = ()) -> WeightedShares:
    """Non-response weighting of the background shares by grade.

    The background question is voluntary, and answering rates differ by grade; the
    classifiable respondents are raked (:func:`socmob.survey.rake`) to the headcount
    ``N_g`` of each grade ``g`` (all employees in ``frame``). With one margin raking is
    post-stratification: every respondent in grade ``g`` gets ``w = N_g / n_g``
    (``n_g`` respondents), so the weighted share of background ``b`` is

    .. math:: \\hat p_b = \\frac{\\sum_g N_g \\, \\hat p_{b,g}}{\\sum_g N_g}

    with ``p̂_{b,g}`` its share among grade ``g``'s respondents (Kalton & Flores-Cervantes
    2003, *J Off Stat* 19, 81–97). Grades without respondents are left out of both sums.
    The grades in ``pool`` form one weighting class (collapsed strata; the publishable
    report pools the grades whose cells are suppressed, so the weighted shares add
    nothing to what the grade table and its totals already publish about them).
    """
    from socmob.survey import margin, rake

    pooled = {str(g) for g in pool}
    label = "pooled: " + ", ".join(str(g) for g in pool)
    grade = frame["grade"].astype(str).map(lambda g: label if g in pooled else g)
    headcount = grade.value_counts()
    cl = frame[frame["seb"].isin(SEB_GROUPS)]
    cl_grade = grade[cl.index]
    answered = cl_grade.value_counts()
    if answered.empty:
        raise InputError("no classifiable answers to weight",
                         expected="answers to the key question")
    order = list(dict.fromkeys(
        (label if str(g) in pooled else str(g))
        for g in (frame["grade"].cat.categories if hasattr(frame["grade"], "cat")
                  else sorted(frame["grade"].astype(str).unique()))))
    missing = tuple(g for g in order if headcount.get(g, 0) > 0 and answered.get(g, 0) == 0)
    targets: dict[object, float] = {g: float(headcount[g]) for g in order
                                    if answered.get(g, 0) > 0}
    respondents = pd.DataFrame({"grade": cl_grade.to_numpy(),
                                "seb": cl["seb"].astype(str).to_numpy()})
    raking = rake(respondents, [margin("grade", targets)], kind="poststratification")
    w = np.asarray(raking.weights, dtype="float64")
    seb = respondents["seb"].to_numpy()
    total = float(w.sum())
    shares = {g: float(w[seb == g].sum() / total) for g in SEB_GROUPS}
    unweighted = {g: float((seb == g).mean()) for g in SEB_GROUPS}
    return WeightedShares(shares=shares, unweighted=unweighted, weights=w,
                          design_effect=float(raking.design_effect),
                          effective_n=float(raking.effective_n), respondents=len(seb),
                          unweighted_grades=missing)


def workforce_summary(
    hr: HRData,
    *,
    view: str = "publishable",
    policy: DisclosurePolicy = DEFAULT_POLICY,
    reference: str = "professional",
    benchmark: Benchmark | None = None,
    organisation: str = "",
    target: float = 0.5,
    n_boot: int = 1000,
    seed: int | None = 0,
    progress: bool = False,
    weight_by_grade: bool = False,
) -> WorkforceSummary:
    """Assemble the employer report for one view (``publishable`` or ``internal``).

    With ``weight_by_grade`` the overall background shares are also given weighted for
    non-response (:func:`weighted_shares`: respondents raked to the headcount of each
    grade), in a table marked as weighted, with the Kish design effect; off by default.

    Raises :class:`~socmob.errors.DisclosureError` in the publishable view when fewer than
    ``policy.min_respondents`` employees have a classifiable background.
    """
    if view not in VIEWS:
        raise InputError(f"unknown view {view!r}", expected=" or ".join(VIEWS))
    if reference not in SEB_GROUPS:
        raise InputError(f"unknown reference background {reference!r}",
                         expected=" or ".join(SEB_GROUPS))
    f = hr.frame
    bench = benchmark or load_benchmark()
    n_class = int(f["seb"].isin(SEB_GROUPS).sum())
    if view == "publishable":
        require_respondents(n_class, policy=policy)
    pub = view == "publishable"
    dec = policy.percent_decimals
    t = policy.threshold

    def share_pct(share: float) -> float:
        """A percentage of counts: rounded per the disclosure policy when published,
        exact in the internal view."""
        return round(100 * share, dec) if pub else 100 * share

    tables: list[ReportTable] = []
    notes: list[str] = []
    synthetic = "data_label" in f.columns and bool(
        f["data_label"].astype(str).str.upper().str.contains("SYNTHETIC").any())

    answered = response_rates(f).table.set_index("measure").loc["answered"].to_dict()
    headline: dict[str, Any] = {
        "employees": len(f),
        "answered_key_question": int(answered["count"]),
        "response_rate_pct": share_pct(float(answered["rate"])),
        "response_target_pct": 100 * DISCLOSURE_TARGET,
        "meets_response_target": bool(answered["meets_target"]),
        "classifiable": n_class,
    }

    # Representation by grade (its total row is the overall picture), function, location.
    # Response by grade (answered / not answered, disclosure-controlled).
    resp = f.assign(answered=np.where(f["seb"] != "missing", "Answered", "Not answered"))
    rcounts = (resp.groupby(["grade", "answered"], observed=False).size().unstack(fill_value=0)
               .reindex(columns=["Answered", "Not answered"], fill_value=0).astype("int64"))
    rcounts.index.name = "Grade"
    rcounts.columns.name = None
    _rc, rshares, _rp = _counts_table(rcounts, view, policy)
    tables.append(ReportTable(
        key="response_by_grade", caption="Employees answering the key question, by grade (%)",
        frame=rshares[["Answered"]], unit="%", decimals=dec if pub else 1,
        note=f"Target: at least {round(100 * DISCLOSURE_TARGET)}% answering.",
    ))

    if not pub and not hr.seb_report.empty:
        amap = hr.seb_report[["raw", "option_code", "seb_group", "count"]].copy()
        amap["raw"] = amap["raw"].fillna("(blank)")
        amap = amap.set_index("raw")
        amap.index.name = "Answer as given"
        amap.columns = ["Option", "Background", "Employees"]
        tables.append(ReportTable(
            key="answer_mapping", caption="How each key-question answer was classified",
            frame=amap, decimals=0,
            note="Every distinct answer in the extract, with the option and background it "
                 "was mapped to.",
        ))

    grade_protection: tuple[pd.DataFrame, ProtectedTable] | None = None
    breakdowns = [("grade", "grade"), ("function", "function"), ("location", "location"),
                  ("sex", "sex"), ("ethnicity", "ethnicity")]
    for by, label in breakdowns:
        if by not in f.columns or f[by].isna().all():
            continue
        rep = representation(f, by=by, benchmark=bench)
        counts, shares, _pt = _counts_table(rep.counts, view, policy)
        if by == "grade" and _pt is not None:
            grade_protection = (rep.counts, _pt)
        shares.loc["UK benchmark"] = [100 * bench.shares[g] for g in shares.columns]
        tables.append(ReportTable(
            key=f"representation_by_{by}_counts",
            caption=f"Employees by socio-economic background and {label} (number)",
            frame=counts, unit="people", decimals=0,
            note="Classifiable answers only (other / prefer not to say / blank excluded).",
        ))
        tables.append(ReportTable(
            key=f"representation_by_{by}",
            caption=f"Socio-economic background by {label} (% of classifiable answers)",
            frame=shares, unit="%", chart="stacked" if by == "grade" else None,
            decimals=dec if pub else 1,
            note=f"UK benchmark: {bench.provenance()}",
        ))
        if not pub:
            ci = rep.table.assign(
                cell=lambda d: d["level"] + " / " + d["seb"],
                share=lambda d: 100 * d["share"],
                lci=lambda d: 100 * d["lci"],
                uci=lambda d: 100 * d["uci"],
            ).set_index("cell")[["count", "n", "share", "lci", "uci", "index"]]
            ci.index.name = f"{label.capitalize()} / background"
            ci.columns = ["Count", "Classifiable", "Share (%)", "Lower 95% limit",
                          "Upper 95% limit", "Representation index"]
            tables.append(ReportTable(
                key=f"representation_by_{by}_intervals",
                caption=f"Background shares by {label} with Wilson 95% intervals and the "
                        "representation index (100 = as in the UK workforce)",
                frame=ci, decimals={"Count": 0, "Classifiable": 0, "Representation index": 0},
            ))
        if by == "grade":
            total = shares.loc["Total"]
            headline["shares_pct"] = {g: (None if pd.isna(total[g]) else float(total[g]))
                                      for g in SEB_GROUPS}
            headline["benchmark_pct"] = {g: 100 * bench.shares[g] for g in SEB_GROUPS}

    if weight_by_grade:
        pool: list[str] = []
        if pub and grade_protection is not None:
            status = grade_protection[1].status
            pool = [str(g) for g in status.index if (status.loc[g] != "published").any()]
        weighted = weighted_shares(f, pool=pool)
        wtab = pd.DataFrame({
            "Weighted share (%)": [share_pct(weighted.shares[g]) for g in SEB_GROUPS],
            "Unweighted share (%)": [share_pct(weighted.unweighted[g]) for g in SEB_GROUPS],
            "UK benchmark (%)": [100 * bench.shares[g] for g in SEB_GROUPS],
        }, index=pd.Index(list(SEB_GROUPS), name="Background"))
        if pub and grade_protection is not None:
            # the pooled grades' part of a background's weighted share is its column
            # total less its published cells: withheld wherever that total is
            col_status = grade_protection[1].col_status
            for g in SEB_GROUPS:
                if col_status.get(g, "published") != "published":
                    wtab.loc[g, ["Weighted share (%)", "Unweighted share (%)"]] = np.nan
        pooled_note = (f" Grades with suppressed cells are weighted as one class: "
                       f"{', '.join(pool)}." if len(pool) > 1 else "")
        dropped = (f" Grades with no classifiable answer cannot be weighted and are left "
                   f"out: {', '.join(weighted.unweighted_grades)}."
                   if weighted.unweighted_grades else "")
        tables.append(ReportTable(
            key="representation_weighted",
            caption="Socio-economic background, WEIGHTED by grade for non-response (% of "
                    "employees)",
            frame=wtab, unit="%", decimals=dec if pub else 1,
            note=f"WEIGHTED: respondents in each grade stand for everyone in that grade "
                 f"(raking to the headcount by grade, i.e. post-stratification: weight "
                 f"N_g / n_g). Kish design effect {weighted.design_effect:.2f}: the "
                 f"{weighted.respondents} answers carry the information of about "
                 f"{weighted.effective_n:.0f} unweighted ones.{pooled_note}{dropped}",
        ))
        wshare = wtab["Weighted share (%)"].astype("float64")
        headline["weighted"] = {
            "shares_pct": {g: (None if np.isnan(wshare[g]) else float(wshare[g]))
                           for g in SEB_GROUPS},
            "design_effect": float(weighted.design_effect),
            "effective_n": float(weighted.effective_n),
        }

    # Class ceiling: background × seniority.
    cc = class_ceiling(f, reference=reference)
    cl = f[f["seb"].isin(SEB_GROUPS)]
    sen = pd.DataFrame({
        "senior": cl.groupby("seb")["senior"].sum(),
        "other": cl.groupby("seb")["senior"].apply(lambda s: int((~s).sum())),
    }).reindex(list(SEB_GROUPS), fill_value=0).astype("int64")
    sen.columns = ["Senior grades", "Other grades"]
    sen.index.name = "Background"
    counts, shares, pt = _counts_table(sen, view, policy)
    if pub and pt is not None and grade_protection is not None:
        senior_rows = [g for g in grade_protection[0].index if g in hr.mapping.senior_grades]
        sums = [(senior_rows, g) for g in SEB_GROUPS
                if pt.status.loc[g, "Senior grades"] == "published"]
        if not linked_sums_safe(grade_protection[0], grade_protection[1], sums):
            counts.loc[list(SEB_GROUPS), ["Senior grades", "Other grades"]] = np.nan
            pt = None
            notes.append("Seniority counts withheld: with the grade table they would reveal "
                         "suppressed cells.")
    tables.append(ReportTable(key="seniority", caption="Background of employees in senior "
                              "and other grades (number)", frame=counts, unit="people",
                              decimals=0))
    odds = cc.senior_odds.set_index("seb")[["or", "lci", "uci"]].rename(
        columns={"or": "Odds ratio", "lci": "Lower 95% limit", "uci": "Upper 95% limit"})
    odds.index.name = "Background"
    odds_ok = not pub or (pt is not None and (pt.status == "published").to_numpy().all())
    if not odds_ok:
        odds[:] = np.nan
        notes.append("Odds of a senior role withheld: some background × seniority counts are "
                     f"below {t}.")
    tables.append(ReportTable(
        key="senior_odds",
        caption=f"Odds of holding a senior role relative to {reference} background",
        frame=odds, unit="ratio", decimals=2,
        note="Odds ratio with Woolf 95% interval; below 1 = less likely to be senior.",
    ))
    headline["seniority_gap_lower_pp"] = (float(cc.seniority_gap_pp) if odds_ok else None)
    if cc.promotion is not None:
        prom = cc.promotion.set_index("seb")
        ptab = pd.DataFrame({
            "Employees": prom["n"].astype(float), "Promoted": prom["promoted"].astype(float),
            "Promotion rate (%)": (100 * prom["rate"]).round(dec) if pub else 100 * prom["rate"],
            "Median years to first promotion": prom["km_median_years"],
            "Hazard ratio": prom["hazard_ratio"],
        })
        ptab.index.name = "Background"
        if pub:
            small = ~((ptab["Promoted"] >= t) & (ptab["Employees"] - ptab["Promoted"] >= t))
            ptab.loc[small, :] = np.nan
        tables.append(ReportTable(
            key="promotion", caption="Promotion by socio-economic background", frame=ptab,
            decimals={"Employees": 0, "Promoted": 0, "Promotion rate (%)": dec if pub else 1,
                      "Median years to first promotion": 1, "Hazard ratio": 2},
            note="Kaplan-Meier median from hire to first promotion (censored at the snapshot "
                 "date); Cox proportional-hazards ratio against the reference background.",
        ))

    tp = target_progress(f, target=target)
    tp_ok = (not pub) or (tp.n >= t and (
        tp.count in (0, tp.n) or publishable_statistic(tp.count, tp.n - tp.count,
                                                       policy=policy)))
    headline["target"] = {
        "description": tp.description, "target_pct": 100 * target,
        "share_pct": share_pct(float(tp.share)) if tp_ok and tp.n else None,
        "met": tp.met if tp_ok else None,
    }

    # Class pay gap.
    pg = class_pay_gap(f, reference=reference, adjust_for=["grade"], n_boot=n_boot,
                       seed=seed, progress=progress)
    gaps = pg.gaps.copy()
    n_min = np.minimum(gaps["n_reference"], gaps["n_group"])
    if pub:
        withheld = n_min < t
        gaps.loc[withheld, ["value", "lci", "uci"]] = np.nan
        if withheld.any():
            notes.append(f"Pay and bonus gaps over fewer than {t} people are withheld.")
    names = {"mean_hourly": "Mean hourly pay gap", "median_hourly": "Median hourly pay gap",
             "mean_bonus": "Mean bonus gap", "median_bonus": "Median bonus gap"}
    gtab = gaps.assign(comparison_label=lambda d: d["group"] + " vs " + d["reference"],
                       measure_label=lambda d: d["measure"].map(names))
    wide = gtab.pivot_table(index="comparison_label", columns="measure_label", values="value",
                            sort=False, dropna=False).reindex(columns=list(names.values()))
    wide = wide.reindex(gtab["comparison_label"].drop_duplicates())
    wide.index.name = "Comparison"
    wide.columns.name = None
    tables.append(ReportTable(
        key="pay_gaps", caption="Class pay gaps (%): how much less the second group is paid",
        frame=wide, unit="%", chart="bars",
        note="Built like the statutory gender pay gap (SI 2017/172): (A - B) / A x 100 with A "
             "the reference group; hourly pay of full-pay relevant employees; bonus gaps over "
             "bonus recipients in the 12 months to the snapshot date.",
    ))
    for by in ("grade", "function", "location", "sex"):
        if by not in f.columns or f[by].isna().all():
            continue
        within = _hourly_gaps(pay_gap_by(f, by, reference=reference))
        if within.empty:
            continue
        if pub:
            too_few = (within["n_reference"] < t) | (within["n_group"] < t)
            within.loc[too_few, "value"] = np.nan
        within["column"] = (within["measure"].map(names) + ": " + within["group"] + " vs "
                            + within["reference"])
        wtab = within.pivot_table(index="level", columns="column", values="value", sort=False,
                                  dropna=False)
        wtab.index.name = by.capitalize()
        wtab.columns.name = None
        tables.append(ReportTable(
            key=f"pay_gaps_by_{by}", caption=f"Hourly pay gaps within each {by} (%)",
            frame=wtab, unit="%",
            note=f"Withheld ({SUPPRESSED}) where either group has fewer than {t} full-pay "
                 "relevant employees." if pub else "",
        ))
    if not pub:
        ci = gtab.pivot_table(index="comparison_label", columns="measure_label",
                              values=["lci", "uci"], sort=False)
        ci.columns = [f"{col[1]} {col[0]}" for col in ci.columns]
        tables.append(ReportTable(key="pay_gap_intervals", caption="Bootstrap 95% intervals "
                                  "of the pay gaps (%)", frame=ci, unit="%"))
    btab = pg.bonus.set_index("seb")
    bcounts = pd.DataFrame({"Paid a bonus": btab["n_bonus"],
                            "Not paid a bonus": btab["n_relevant"] - btab["n_bonus"]})
    bcounts.index.name = "Background"
    _c, bshares, _p = _counts_table(bcounts.astype("int64"), view, policy)
    tables.append(ReportTable(
        key="bonus_proportion", caption="Proportion of employees paid a bonus (%)",
        frame=bshares[["Paid a bonus"]].drop(index="Total", errors="ignore"), unit="%",
        decimals=dec if pub else 1,
    ))
    q = pg.quartiles.pivot(index="band_label", columns="category", values="count")
    q = q.reindex(index=list(QUARTILE_LABELS), columns=[*SEB_GROUPS, NOT_DISCLOSED]).fillna(0)
    q.index = pd.Index([f"{b.capitalize()} quartile" for b in q.index], name="Pay quartile")
    q.columns.name = None
    _c, qshares, _p = _counts_table(q.astype("int64"), view, policy)
    tables.append(ReportTable(
        key="pay_quartiles",
        caption="Socio-economic background in each hourly pay quartile (%)",
        frame=qshares.drop(index="Total", errors="ignore"), unit="%", chart="quartiles",
        decimals=dec if pub else 1,
        note="Reg. 13 quartile bands; employees tied at a band boundary are shared out in "
             "proportion to each group (reg. 13(2)); 'not disclosed' kept as its own group.",
    ))
    if pg.adjusted is not None:
        adj = pg.adjusted.table.set_index("group")
        atab = pd.DataFrame({"Adjusted gap (%)": adj["value"],
                             "Lower 95% limit": adj["lci"],
                             "Upper 95% limit": adj["uci"]})
        atab.index.name = "Background"
        if pub:
            nref = int((cl["seb"] == reference).sum())
            for g in atab.index:
                if not publishable_statistic(nref, int((cl["seb"] == g).sum()), policy=policy):
                    atab.loc[g, :] = np.nan
        tables.append(ReportTable(
            key="adjusted_pay_gap",
            caption="Pay gap adjusted for grade (NOT a statutory measure)",
            frame=atab, unit="%",
            note="OLS of log hourly pay on background and grade; (1 - exp(b)) x 100. "
                 "Non-statutory: it describes pay differences within grades only.",
        ))
    mean_lower = gaps[(gaps["measure"] == "median_hourly") & (gaps["group"] == "lower")
                      & (gaps["reference"] == reference)]["value"]
    headline["median_hourly_gap_lower_pct"] = (
        None if mean_lower.empty or pd.isna(mean_lower.iloc[0])
        else float(mean_lower.iloc[0]))
    # the gap within grades, next to the headline: the grade-adjusted gap of lower vs
    # the reference background (non-statutory), and the range of the published median
    # hourly gaps within single grades
    within_lower: dict[str, Any] = {"adjusted_pct": None, "median_by_grade_pct": None}
    adjusted = next((tb for tb in tables if tb.key == "adjusted_pay_gap"), None)
    if adjusted is not None and "lower" in adjusted.frame.index:
        v = float(adjusted.frame["Adjusted gap (%)"].astype("float64")["lower"])
        within_lower["adjusted_pct"] = None if np.isnan(v) else v
    by_grade = next((tb for tb in tables if tb.key == "pay_gaps_by_grade"), None)
    col = f"Median hourly pay gap: lower vs {reference}"
    if by_grade is not None and col in by_grade.frame.columns:
        vals = by_grade.frame[col].dropna()
        if len(vals):
            within_lower["median_by_grade_pct"] = {
                "min": float(vals.min()), "max": float(vals.max()),
                "grades": len(vals), "of": len(by_grade.frame)}
    headline["within_grade_gap_lower"] = within_lower

    if pub:
        notes.append(f"{SUPPRESSED} = suppressed to protect confidentiality: counts below "
                     f"{t}, and further cells so that they cannot be worked out from totals.")
        if policy.round_to:
            notes.append(f"Counts are rounded to the nearest {policy.round_to}.")
    else:
        notes.append("INTERNAL VIEW - NOT FOR PUBLICATION: exact figures, including small "
                     "numbers that could identify individuals.")
    if synthetic:
        notes.append("SYNTHETIC DATA: generated for demonstration, not a real workforce.")
    snap = None
    if "snapshot_date" in f.columns and f["snapshot_date"].notna().any():
        snap = pd.Timestamp(f["snapshot_date"].dropna().max()).date().isoformat()
    return WorkforceSummary(
        view=view, organisation=organisation, snapshot_date=snap, headline=headline,
        tables=tuple(tables), notes=tuple(notes), benchmark=bench, policy=policy,
        synthetic=synthetic, seb_mapping=hr.seb_report if not pub else None,
    )


__all__ = ["SUPPRESSED", "VIEWS", "ReportTable", "WeightedShares", "WorkforceSummary",
           "weighted_shares", "workforce_summary"]
