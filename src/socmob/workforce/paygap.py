"""Class pay gap built like the statutory gender pay gap.

The Equality Act 2010 (Gender Pay Gap Information) Regulations 2017 (SI 2017/172) define
six figures for men and women; here they are computed for socio-economic backgrounds
(SEB), each group against a declared reference group (default ``professional``) and,
optionally, for every pair of groups.

Definitions (regulation numbers of SI 2017/172):

* **Hourly rate of pay** (reg. 6): for each *full-pay relevant employee* (an employee not
  paid at a reduced rate or nil in the relevant pay period because of leave, reg. 1(2)),

  .. math:: h = \\frac{(\\text{ordinary pay} + \\text{bonus pay in the period}) \\times 7 /
            \\text{days in the pay period}}{\\text{weekly working hours}}

* **Mean / median hourly pay gap** (regs 8–9): with *A* the mean (median) hourly pay of
  the reference group and *B* that of the comparison group, gap = (A − B) / A × 100.
  A positive gap means the comparison group is paid less.
* **Mean / median bonus gap** (regs 10–11): the same formula over the bonus pay paid in
  the 12 months ending with the snapshot date, among relevant employees *who were paid
  bonus pay* only.
* **Proportion paid a bonus** (reg. 12): bonus recipients / relevant employees, by group.
* **Quartile pay bands** (reg. 13): rank full-pay relevant employees by hourly pay,
  divide into four sections of (so far as possible) equal size and express each group's
  share of each band. Reg. 13(2): where employees with the same hourly pay fall in more
  than one band, the proportions of each group among those tied must (so far as
  possible) be the same in each band. Here it is generalised to *k* categories by a
  controlled rounding of the proportional allocation, so every category is within one
  employee of its exact share in each band (see :func:`quartile_bands`); employees who
  did not disclose their background are kept as their own category.

Intervals are stratified percentile-bootstrap intervals (employees resampled within
each group), reproducible with ``seed``. The optional regression-adjusted gap
(log hourly pay on SEB plus controls, ordinary least squares) is **not** a statutory
measure and is labelled so.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

from socmob._deprecated import coverage_keyword
from socmob.checks import check_alpha, finite, no_overflow
from socmob.classify.seb import SEB_GROUPS
from socmob.errors import InputError, ModelSpecError
from socmob.results import ByGroup, Result, tidy
from socmob.workforce.measures import wilson_interval_counts

NOT_DISCLOSED = "not disclosed"
"""Quartile category of employees without a classifiable background."""

QUARTILE_LABELS: tuple[str, ...] = ("lower", "lower middle", "upper middle", "upper")


def hourly_pay(
    ordinary_pay: Any, bonus_pay: Any, period_days: Any, weekly_hours: Any
) -> np.ndarray:
    """Hourly rate of pay per reg. 6 of SI 2017/172.

    ``(ordinary_pay + bonus_pay) * 7 / period_days / weekly_hours``, where ``bonus_pay``
    is the bonus pay attributable to the relevant pay period.
    """
    o = finite(ordinary_pay, name="ordinary_pay", allow_missing=True)
    b = finite(bonus_pay, name="bonus_pay", allow_missing=True)
    d = finite(period_days, name="period_days", allow_missing=True)
    h = finite(weekly_hours, name="weekly_hours", allow_missing=True)
    if np.any(d <= 0) or np.any(h <= 0):
        raise InputError("pay-period days and weekly hours must be positive")
    with no_overflow("hourly pay ((ordinary + bonus pay) x 7 / days / weekly hours)"):
        return (o + b) * 7.0 / d / h


def gap_percent(reference: float, comparison: float) -> float:
    """(A − B) / A × 100 with A the reference group's figure (regs 8–11)."""
    if not np.isfinite(reference) or reference == 0:
        return float("nan")
    return (reference - comparison) / reference * 100.0


def _controlled_round(quota: np.ndarray, row_sums: np.ndarray, col_sums: np.ndarray
                      ) -> np.ndarray:
    """Integer matrix with the given row and column sums whose every cell is the floor or
    the ceiling of ``quota`` (which has those sums).

    Such a rounding always exists for a two-way table (Bacharach 1966; Cox 1987): it is
    an integral flow in the network source → row (capacity = row sum − Σ floors) → column
    (capacity 1 where the quota is fractional) → sink (column sum − Σ floors), found with
    ``scipy.sparse.csgraph.maximum_flow``.
    """
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_flow

    base = np.floor(quota + 1e-9).astype("int64")
    frac = (quota - base) > 1e-9
    need_r = (np.asarray(row_sums) - base.sum(axis=1)).astype("int64")
    need_c = (np.asarray(col_sums) - base.sum(axis=0)).astype("int64")
    if need_r.sum() == 0:
        return base
    r, c = quota.shape
    source, sink = 0, 1 + r + c
    cap = np.zeros((sink + 1, sink + 1), dtype=np.int32)
    cap[source, 1 : 1 + r] = need_r
    cap[1 : 1 + r, 1 + r : 1 + r + c] = frac.astype(np.int32)
    cap[1 + r : 1 + r + c, sink] = need_c
    flow = maximum_flow(csr_matrix(cap), source, sink).flow.toarray()
    extra = flow[1 : 1 + r, 1 + r : 1 + r + c].clip(min=0)
    return base + extra.astype("int64")


def quartile_bands(
    hourly: Any, category: Any, *, categories: Sequence[str] | None = None
) -> np.ndarray:
    """Quartile pay band (0 = lower … 3 = upper) of each employee per reg. 13.

    Employees are ranked by hourly pay and cut into four sections at ranks
    ``floor(k·n/4)``, k = 1, 2, 3 (sizes differ by at most one). Where employees with
    the same hourly pay straddle a cut, reg. 13(2) asks that each group's proportion among
    them be (so far as possible) the same in every band they fall in. Generalised to *k*
    categories: with *m* tied employees, *m_g* of category *g* and *s_j* of the tied
    places in band *j*, category *g* gets ``floor`` or ``ceil`` of ``m_g · s_j / m``
    places in band *j* (a controlled rounding that keeps both the category counts and the
    band sizes), so each share is within one employee of exact proportionality.
    Within a category, tied employees keep their input order.
    """
    pay = np.asarray(hourly, dtype="float64")
    cat = np.asarray(category, dtype=object)
    n = pay.size
    band = np.zeros(n, dtype="int64")
    if n == 0:
        return band
    cats = list(categories) if categories is not None else list(dict.fromkeys(cat.tolist()))
    cat_rank = {c: i for i, c in enumerate(cats)}
    cat_idx = np.array([cat_rank.get(c, len(cats)) for c in cat], dtype="int64")
    order = np.argsort(pay, kind="stable")
    cuts = np.array([(k * n) // 4 for k in (1, 2, 3)])
    band_of_rank = np.searchsorted(cuts, np.arange(n), side="right")
    _, starts, sizes = np.unique(pay[order], return_index=True, return_counts=True)
    for start, m in zip(starts, sizes, strict=True):
        members = order[start : start + m]
        here = band_of_rank[start : start + m]
        if here[0] == here[-1]:
            band[members] = here[0]
            continue
        seg_bands, seg_sizes = np.unique(here, return_counts=True)
        groups, group_sizes = np.unique(cat_idx[members], return_counts=True)
        quota = group_sizes[:, None] * seg_sizes[None, :] / m
        alloc = _controlled_round(quota, group_sizes, seg_sizes)
        for gi, g in enumerate(groups):
            who = members[cat_idx[members] == g]  # input order within the category
            band[who] = np.repeat(seg_bands, alloc[gi])
    return band


@dataclass(frozen=True)
class AdjustedPayGap(Result):
    """Regression-adjusted class pay gap (NOT a statutory measure).

    OLS of log hourly pay on SEB (reference level = the reference group) and controls;
    the adjusted gap of group g is ``(1 − exp(β_g)) × 100``, i.e. how much less (in %)
    group g is paid than the reference group with the controls held equal. The interval
    in :attr:`table` transforms the coefficient's ``1 − alpha`` confidence interval.
    """

    reference: str
    controls: tuple[str, ...]
    params: pd.Series
    bse: pd.Series
    nobs: int
    df_resid: float
    rsquared: float
    table: pd.DataFrame
    alpha: float = 0.05

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """``1 − alpha`` confidence intervals of the coefficients (one row each; columns
        ``lower``, ``upper``): ``β ± t_{1−alpha/2, df_resid} · SE``, as statsmodels' OLS."""
        from scipy import stats

        t = float(stats.t.ppf(1 - check_alpha(alpha) / 2, self.df_resid))
        return pd.DataFrame({"lower": self.params - t * self.bse,
                             "upper": self.params + t * self.bse})

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows: one adjusted gap (%) per group against the reference, with the
        coefficient and its SE as extra columns."""
        return tidy(self.table.assign(breakdown="seb", n=self.table["nobs"], unit="%"))


@dataclass(frozen=True)
class ClassPayGap(Result):
    """Class pay-gap figures mirroring SI 2017/172.

    Attributes
    ----------
    reference : the reference group (A in the gap formula).
    groups : the SEB groups compared, most advantaged first.
    hourly : per group ``n``, ``mean``, ``median`` hourly pay of full-pay relevant
        employees.
    bonus : per group ``n_relevant``, ``n_bonus``, ``proportion`` (%), ``lci``, ``uci``,
        ``mean_bonus``, ``median_bonus`` (over recipients).
    gaps : one row per comparison and measure: ``reference, group, measure, value, lci,
        uci, n_reference, n_group, comparison`` (``vs reference`` or ``pairwise``).
    quartiles : one row per band and category: ``band, band_label, category, count,
        band_size, percent``.
    adjusted : regression-adjusted gap (non-statutory) or ``None``.
    """

    reference: str
    groups: tuple[str, ...]
    hourly: pd.DataFrame
    bonus: pd.DataFrame
    gaps: pd.DataFrame
    quartiles: pd.DataFrame
    alpha: float
    adjusted: AdjustedPayGap | None = None

    def gap(self, measure: str, group: str, reference: str | None = None) -> float:
        """One gap value, e.g. ``gap("median_hourly", "lower")``."""
        ref = reference or self.reference
        sel = self.gaps[
            (self.gaps["measure"] == measure)
            & (self.gaps["group"] == group)
            & (self.gaps["reference"] == ref)
        ]
        if sel.empty:
            raise InputError(f"no {measure} gap for {group!r} against {ref!r}")
        return float(sel["value"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        g = self.gaps.assign(
            measure=lambda d: d["measure"] + "_gap",
            breakdown="seb",
            unit="%",
            n=lambda d: d["n_reference"] + d["n_group"],
            note=lambda d: "vs " + d["reference"],
        )
        b = self.bonus.assign(
            measure="proportion_paid_bonus", breakdown="seb", unit="%",
            value=lambda d: d["proportion"], n=lambda d: d["n_relevant"],
        ).rename(columns={"seb": "group"})
        q = self.quartiles.assign(
            measure=lambda d: "quartile_share_" + d["band_label"].str.replace(" ", "_"),
            breakdown="seb", unit="%", value=lambda d: d["percent"], n=lambda d: d["count"],
        ).rename(columns={"category": "group"})
        cols = ["measure", "breakdown", "group", "value", "lci", "uci", "n", "unit", "note"]
        parts = [g[[c for c in cols if c in g]], b[[c for c in cols if c in b]],
                 q[[c for c in cols if c in q]]]
        return tidy(pd.concat(parts, ignore_index=True))


def _stat(values: np.ndarray, stat: str, axis: int | None = None) -> Any:
    return np.mean(values, axis=axis) if stat == "mean" else np.median(values, axis=axis)


def _bootstrap_gap(
    ref: np.ndarray,
    grp: np.ndarray,
    stat: str,
    *,
    n_boot: int,
    rng: np.random.Generator,
    alpha: float,
) -> tuple[float, float]:
    if n_boot <= 0 or ref.size < 2 or grp.size < 2:
        return float("nan"), float("nan")
    out = np.empty(n_boot)
    chunk = max(1, min(n_boot, 2_000_000 // max(ref.size + grp.size, 1)))
    done = 0
    while done < n_boot:
        b = min(chunk, n_boot - done)
        a = _stat(ref[rng.integers(0, ref.size, size=(b, ref.size))], stat, axis=1)
        c = _stat(grp[rng.integers(0, grp.size, size=(b, grp.size))], stat, axis=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            out[done : done + b] = (a - c) / a * 100.0
        done += b
    lo, hi = np.nanquantile(out, [alpha / 2, 1.0 - alpha / 2])
    return float(lo), float(hi)


def _require(frame: pd.DataFrame, cols: Sequence[str]) -> None:
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise InputError(
            "missing column(s) " + ", ".join(missing), column=missing[0],
            expected="the canonical HR columns (see socmob.workforce.hr)",
        )


@coverage_keyword("confidence")
def class_pay_gap(
    frame: pd.DataFrame,
    *,
    reference: str = "professional",
    groups: Sequence[str] = SEB_GROUPS,
    pairwise: bool = True,
    seb: str = "seb",
    adjust_for: Sequence[str] | None = None,
    n_boot: int = 1000,
    alpha: float = 0.05,
    seed: int | None = 0,
    progress: bool = False,
) -> ClassPayGap:
    """Statutory-style class pay gap of a workforce.

    Parameters
    ----------
    frame : one row per relevant employee with columns ``seb`` (background:
        ``professional``/``intermediate``/``lower``; anything else = not disclosed),
        ``full_pay_relevant`` (bool), ``bonus_12m`` (bonus pay in the 12 months to the
        snapshot date) and either ``hourly_pay`` or ``ordinary_pay, bonus_pay,
        period_days, weekly_hours`` (see :func:`hourly_pay`).
    reference : the reference group (A in (A − B)/A × 100).
    groups : the groups compared, in order; pairwise comparisons use the earlier group
        of each pair as reference.
    pairwise : also compare every pair of groups.
    adjust_for : columns to control for in the non-statutory regression-adjusted gap
        (e.g. ``["grade"]``); ``None`` skips it.
    n_boot, alpha, seed, progress : bootstrap percentile ``1 − alpha`` intervals
        (``n_boot=0`` skips them); ``alpha`` also sets the Wilson intervals of the bonus
        proportions and the adjusted gap's interval.
    """
    check_alpha(alpha)
    groups = tuple(groups)
    if reference not in groups:
        raise InputError(f"reference group {reference!r} is not among {groups}")
    _require(frame, [seb, "full_pay_relevant", "bonus_12m"])
    data = frame.copy()
    if "hourly_pay" not in data.columns:
        _require(data, ["ordinary_pay", "bonus_pay", "period_days", "weekly_hours"])
        fp = data["full_pay_relevant"].astype(bool)
        data["hourly_pay"] = np.nan
        data.loc[fp, "hourly_pay"] = hourly_pay(
            data.loc[fp, "ordinary_pay"], data.loc[fp, "bonus_pay"],
            data.loc[fp, "period_days"], data.loc[fp, "weekly_hours"],
        )
    finite(data["hourly_pay"], name="hourly_pay", allow_missing=True)
    finite(data["bonus_12m"], name="bonus_12m", allow_missing=True)
    data["_cat"] = data[seb].where(data[seb].isin(groups), NOT_DISCLOSED)
    full = data[data["full_pay_relevant"].astype(bool)]
    rng = np.random.default_rng(seed)

    pay = {g: full.loc[full["_cat"] == g, "hourly_pay"].to_numpy(float) for g in groups}
    bonus_amt = {
        g: data.loc[(data["_cat"] == g) & (data["bonus_12m"] > 0), "bonus_12m"].to_numpy(float)
        for g in groups
    }
    hourly = pd.DataFrame(
        {
            "seb": list(groups),
            "n": [pay[g].size for g in groups],
            "mean": [float(np.mean(pay[g])) if pay[g].size else np.nan for g in groups],
            "median": [float(np.median(pay[g])) if pay[g].size else np.nan for g in groups],
        }
    )
    brows = []
    for g in groups:
        n_rel = int((data["_cat"] == g).sum())
        k = int(bonus_amt[g].size)
        lo, hi = (float(v) for v in wilson_interval_counts(k, n_rel, alpha=alpha))
        brows.append(
            {
                "seb": g, "n_relevant": n_rel, "n_bonus": k,
                "proportion": 100.0 * k / n_rel if n_rel else np.nan,
                "lci": 100 * lo, "uci": 100 * hi,
                "mean_bonus": float(np.mean(bonus_amt[g])) if k else np.nan,
                "median_bonus": float(np.median(bonus_amt[g])) if k else np.nan,
            }
        )
    bonus = pd.DataFrame(brows)

    pairs: list[tuple[str, str, str]] = [
        (reference, g, "vs reference") for g in groups if g != reference
    ]
    if pairwise:
        seen = {(a, b) for a, b, _ in pairs}
        pairs += [(a, b, "pairwise") for a, b in combinations(groups, 2) if (a, b) not in seen]
    measures = [
        ("mean_hourly", pay, "mean"), ("median_hourly", pay, "median"),
        ("mean_bonus", bonus_amt, "mean"), ("median_bonus", bonus_amt, "median"),
    ]
    from rich.console import Console
    from rich.progress import Progress

    rows = []
    with Progress(console=Console(stderr=True), disable=not progress, transient=True) as bar:
        task = bar.add_task("bootstrap pay gaps", total=len(pairs) * len(measures))
        for a, b, kind in pairs:
            for name, values, stat in measures:
                va, vb = values[a], values[b]
                value = (
                    gap_percent(float(_stat(va, stat)), float(_stat(vb, stat)))
                    if va.size and vb.size else float("nan")
                )
                lo, hi = _bootstrap_gap(va, vb, stat, n_boot=n_boot, rng=rng, alpha=alpha)
                rows.append(
                    {"reference": a, "group": b, "measure": name, "value": value,
                     "lci": lo, "uci": hi, "n_reference": va.size, "n_group": vb.size,
                     "comparison": kind}
                )
                bar.advance(task)
    gaps = pd.DataFrame(rows, columns=["reference", "group", "measure", "value", "lci",
                                       "uci", "n_reference", "n_group", "comparison"])

    cats = [*groups, NOT_DISCLOSED]
    band = quartile_bands(full["hourly_pay"], full["_cat"], categories=cats)
    qrows = []
    for k in range(4):
        in_band = full["_cat"].to_numpy()[band == k]
        size = int(in_band.size)
        for c in cats:
            cnt = int(np.sum(in_band == c))
            qrows.append({"band": k + 1, "band_label": QUARTILE_LABELS[k], "category": c,
                          "count": cnt, "band_size": size,
                          "percent": 100.0 * cnt / size if size else np.nan})
    quartiles = pd.DataFrame(qrows)

    adjusted = None
    if adjust_for is not None:
        adjusted = adjusted_pay_gap(full, reference=reference, groups=groups, seb=seb,
                                    controls=adjust_for, alpha=alpha)
    return ClassPayGap(reference=reference, groups=groups, hourly=hourly, bonus=bonus,
                       gaps=gaps, quartiles=quartiles, alpha=alpha, adjusted=adjusted)


def pay_gap_by(
    frame: pd.DataFrame,
    by: str,
    *,
    reference: str = "professional",
    groups: Sequence[str] = SEB_GROUPS,
    seb: str = "seb",
) -> ByGroup[ClassPayGap]:
    """The class pay gap against ``reference`` within each level of ``by`` (grade,
    function, location, sex, …), without intervals or pairwise comparisons: a
    :class:`~socmob.results.ByGroup` of :class:`ClassPayGap` keyed by level, in the
    categorical order of ``by`` where it has one; a level with no employees is named in
    ``not_estimated``.
    """
    if by not in frame.columns:
        raise InputError(f"no column {by!r} to break down by", column=by)
    col = frame[by]
    levels = (list(col.cat.categories) if isinstance(col.dtype, pd.CategoricalDtype)
              else sorted(col.dropna().unique().tolist()))
    results: dict[str, ClassPayGap] = {}
    not_estimated: dict[str, str] = {}
    for level in levels:
        sub = frame[col == level]
        if sub.empty:
            not_estimated[str(level)] = f"no employees in this {by}"
            continue
        results[str(level)] = class_pay_gap(sub, reference=reference, groups=groups,
                                            pairwise=False, seb=seb, n_boot=0)
    return ByGroup(by=by, results=results, not_estimated=not_estimated)


@coverage_keyword("confidence")
def adjusted_pay_gap(
    frame: pd.DataFrame,
    *,
    reference: str = "professional",
    groups: Sequence[str] = SEB_GROUPS,
    seb: str = "seb",
    controls: Sequence[str] = ("grade",),
    alpha: float = 0.05,
) -> AdjustedPayGap:
    """Regression-adjusted class pay gap — **non-statutory**.

    Fits ``log(hourly_pay) = a + Σ_g β_g·[SEB = g] + controls + ε`` by OLS over
    employees with a classified background (reference level omitted); categorical
    controls enter as dummies. Adjusted gap of g: ``(1 − exp(β_g)) × 100`` %, with the
    ``1 − alpha`` interval of β_g transformed the same way.
    """
    check_alpha(alpha)
    import statsmodels.api as sm

    data = frame[frame[seb].isin(groups)].copy()
    if data.empty:
        raise ModelSpecError("no employees with a classified background to fit")
    if (data["hourly_pay"] <= 0).any():
        raise ModelSpecError("hourly pay must be positive for the log-pay regression")
    others = [g for g in groups if g != reference]
    X = pd.DataFrame({f"seb[{g}]": (data[seb] == g).astype(float) for g in others},
                     index=data.index)
    for c in controls:
        if c not in data.columns:
            raise InputError(f"control column {c!r} not found", column=c)
        col = data[c]
        if pd.api.types.is_numeric_dtype(col) and not isinstance(col.dtype, pd.CategoricalDtype):
            X[c] = col.astype(float)
        else:
            d = pd.get_dummies(col.astype(str), prefix=c, prefix_sep="=", drop_first=True,
                               dtype=float)
            X = pd.concat([X, d], axis=1)
    X = sm.add_constant(X, has_constant="add")
    y = np.log(data["hourly_pay"].astype(float))
    if np.linalg.matrix_rank(X.to_numpy()) < X.shape[1]:
        raise ModelSpecError("the adjusted-gap design is rank deficient (a control is "
                             "collinear with SEB or another control)")
    fit = sm.OLS(y, X).fit()
    ci = fit.conf_int(alpha=alpha)
    rows = []
    for g in others:
        name = f"seb[{g}]"
        beta = float(fit.params[name])
        lo, hi = (float(v) for v in ci.loc[name])
        rows.append({"reference": reference, "group": g, "measure": "adjusted_hourly",
                     "coef": beta, "se": float(fit.bse[name]),
                     "value": (1 - np.exp(beta)) * 100, "lci": (1 - np.exp(hi)) * 100,
                     "uci": (1 - np.exp(lo)) * 100, "nobs": int(fit.nobs),
                     "note": "regression-adjusted, NOT a statutory measure; controls: "
                             + (", ".join(controls) or "none")})
    return AdjustedPayGap(reference=reference, controls=tuple(controls), params=fit.params,
                          bse=fit.bse, nobs=int(fit.nobs), df_resid=float(fit.df_resid),
                          rsquared=float(fit.rsquared), table=pd.DataFrame(rows), alpha=alpha)


__all__ = [
    "NOT_DISCLOSED",
    "QUARTILE_LABELS",
    "AdjustedPayGap",
    "ClassPayGap",
    "adjusted_pay_gap",
    "class_pay_gap",
    "gap_percent",
    "hourly_pay",
    "pay_gap_by",
    "quartile_bands",
]
