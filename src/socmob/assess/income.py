"""Socio-economic impact of an income scenario on microdata: the change in the IGE, the
rank-rank slope, P(top fifth | bottom fifth) and absolute mobility, with paired
bootstrap intervals, as one Ibis expression that runs unchanged on DuckDB and Spark.

**The scenario.** Parents are ranked on their baseline income (weighted mid-ranks,
:mod:`socmob.income.ranks`); those in the chosen quintiles (quintile ⌊R·5/100⌋ + 1,
R the parent's percentile rank, as :mod:`socmob.income.plan` bins ranks) receive a
transfer g — a sum of money (``add``) or a share of their income (``percent``: g = p/100
· x). Then

* parent income x′ = x + g (or x′ = x when ``parent_income_includes_transfer`` is false:
  the transfer is not part of the income measured);
* child income y′ = y + π·g, π the stated pass-through (0–1);

and every measure is recomputed on (x′, y′) exactly as :func:`socmob.income.income_mobility`
computes it on (x, y): national percentile ranks of x′ and y′ (ties share their
mid-rank), the rank-rank slope of R(y′) on R(x′), the IGE as the slope of log y′ on
log x′ over rows with both positive, P(Q5|Q1) from the quintiles of the new ranks, and
absolute mobility as the weighted share with child_factor·y′ > parent_factor·x′. The
baseline measures are those of :func:`socmob.income.income_mobility` on (x, y).

**One scan.** The engine ranks x and y (and x′, y′) and aggregates, per *bucket*, the 26
weighted sums behind both worlds' measures (for each world: Σw, Σw·u, Σw·v, Σw·u²,
Σw·uv with u, v the ranks minus 50; the same five for the log incomes over rows with
both positive; W(parent Q1), W(parent Q1, child Q5); W(child > parent)). A row's
bucket comes from its position in the baseline order (child income, parent income,
weight), exactly as in :mod:`socmob.income.bootstrap`: each row its own bucket up to
131,072 rows, else one of up to 16,384 random buckets.

**Paired bootstrap.** Replicate b re-weights every bucket h by m_bh ~ Poisson(1)
(:func:`socmob.income.bootstrap.poisson_multipliers`, SplitMix64 of the seed: the same
replicates on every engine) and recomputes *both* worlds' measures from the same
re-weighted sums, so the replicates of the difference are those of the scenario's
effect on the same resampled population. Percentile intervals; ranks held at their
full-sample values, as in :mod:`socmob.income.bootstrap` (the consequence is small: see
its docstring and ``docs/income.md``).

A transfer that would make any income negative (a cut larger than the income) is
refused, with the number of rows it affects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import ibis
import numpy as np
import pandas as pd

from socmob.assess.flags import TOLERANCE, Flag
from socmob.assess.scenario import IncomeScenario, scenario_error
from socmob.errors import InputError
from socmob.results import Result, tidy

#: The measures, with the direction that means *more* mobility.
MEASURES: dict[str, tuple[str, int]] = {
    "ige": ("Intergenerational income elasticity (IGE)", -1),
    "rank_slope": ("Rank-rank slope", -1),
    "p_top_given_bottom": ("P(child in top fifth | parent in bottom fifth)", 1),
    "absolute_mobility": ("Absolute mobility (share earning more than their parents)", 1),
    "expected_rank_p25": ("Expected child rank at parent rank 25", 1),
}

_WORLDS = ("b", "s")
_SUMS = ("w", "u", "v", "uu", "uv", "m", "lx", "ly", "lxlx", "lxly", "q1", "q1q5", "up")


@dataclass(frozen=True, eq=False)
class IncomeImpact(Result):
    """Income-mobility measures before and after an income scenario (module docstring).

    ``table``: one row per measure — ``baseline``, ``scenario``, ``change`` with their
    percentile intervals (``*_lower``, ``*_upper`` at level 1 − ``alpha``),
    ``more_mobile`` (+1 when a rise means more mobility, −1 when less) and ``verdict``.
    ``replicates``: one row per bootstrap replicate, columns ``<measure>_b`` and
    ``<measure>_s``. ``recipients``, ``recipient_share`` (of the weight) and
    ``transfer_per_person`` (weighted mean of the transfer over everyone, in the
    income's units) describe the policy's reach and cost.
    """

    scenario: str
    nobs: int
    n_missing: int
    table: pd.DataFrame
    replicates: pd.DataFrame = field(repr=False)
    bootstrap: int = 0
    buckets: int | None = None
    seed: int | None = None
    alpha: float = 0.05
    recipients: int = 0
    recipient_share: float = math.nan
    transfer_per_person: float = math.nan
    source: str | None = None
    notes: tuple[str, ...] = ()

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Percentile interval of each measure's change (paired replicates)."""
        if not 0 < alpha < 1:
            raise InputError(f"alpha {alpha} is outside (0, 1)", expected="e.g. 0.05")
        rows = {}
        for m in MEASURES:
            d = (self.replicates[f"{m}_s"] - self.replicates[f"{m}_b"]).dropna()
            rows[m] = ((float(d.quantile(alpha / 2)), float(d.quantile(1 - alpha / 2)))
                       if len(d) else (math.nan, math.nan))
        return pd.DataFrame(rows, index=["lower", "upper"]).T

    def to_frame(self) -> pd.DataFrame:
        """Tidy: one row per measure, value = the change, lci/uci its interval; the
        baseline and scenario values after."""
        t = self.table
        base = pd.DataFrame({
            "measure": t["measure"], "area_code": "", "area_name": "", "period": "",
            "breakdown": "scenario", "group": self.scenario, "value": t["change"],
            "lci": t["change_lower"], "uci": t["change_upper"], "n": float(self.nobs),
            "unit": "change (scenario minus baseline)",
            "note": f"paired Poisson bootstrap, {self.bootstrap} replicates"})
        extra = t.drop(columns=["measure", "change", "change_lower", "change_upper"])
        return pd.concat([tidy(base), extra.reset_index(drop=True)], axis=1)

    def summary(self) -> str:
        lines = [f"Income scenario: {self.scenario}",
                 f"{self.nobs:,} pairs; {self.recipients:,} recipients "
                 f"({self.recipient_share:.1%} of the weight); {self.bootstrap} paired "
                 "bootstrap replicates"]
        for r in self.table.itertuples(index=False):
            lines.append(f"  {r.measure}: {r.baseline:.4f} → {r.scenario:.4f} (change "
                         f"{r.change:+.4f}, {r.change_lower:+.4f} to {r.change_upper:+.4f}); "
                         f"{r.verdict}")
        return "\n".join(lines)

    def flags(self) -> list[Flag]:
        """A measure moving towards less mobility; recipients losing income."""
        out = []
        for r in self.table.to_dict(orient="records"):
            if r["verdict"] == "less mobility":
                out.append(Flag("income", "mobility falls", str(r["title"]),
                                f"{r['title']}: {r['baseline']:.4f} → {r['scenario']:.4f} "
                                f"(less mobility; change {r['change']:+.4f}, "
                                f"{1 - self.alpha:.0%} interval {r['change_lower']:+.4f} to "
                                f"{r['change_upper']:+.4f}).", float(r["change"])))
        if self.transfer_per_person < -TOLERANCE:
            out.append(Flag("income", "group loses", "recipient families",
                            f"The {self.recipients:,} recipient families lose income "
                            f"({self.transfer_per_person:,.2f} per person on average).",
                            self.transfer_per_person))
        return out


# --------------------------------------------------------------------------- the scan


def _bin5(rank: Any) -> Any:
    return (rank * 0.05).floor().cast("int64").clip(upper=4)


def _features(t: Any, world: str, rx: Any, ry: Any, x: Any, y: Any, shift: dict[str, float],
              spec: Any) -> dict[str, Any]:
    w = t._w
    u, v = rx - 50.0, ry - 50.0
    pos = ibis.ifelse((x > 0) & (y > 0), 1.0, 0.0)
    tiny = ibis.literal(1e-300)
    lx = ibis.greatest(x, tiny).ln() - shift["cx"]
    ly = ibis.greatest(y, tiny).ln() - shift["cy"]
    wm = w * pos
    q1 = ibis.ifelse(_bin5(rx) == 0, 1.0, 0.0)
    q5 = ibis.ifelse(_bin5(ry) == 4, 1.0, 0.0)
    up = ibis.ifelse(y * spec.child_factor > x * spec.parent_factor, 1.0, 0.0)
    return {f"{world}_w": w.sum(), f"{world}_u": (w * u).sum(), f"{world}_v": (w * v).sum(),
            f"{world}_uu": (w * u * u).sum(), f"{world}_uv": (w * u * v).sum(),
            f"{world}_m": wm.sum(), f"{world}_lx": (wm * lx).sum(),
            f"{world}_ly": (wm * ly).sum(), f"{world}_lxlx": (wm * lx * lx).sum(),
            f"{world}_lxly": (wm * lx * ly).sum(), f"{world}_q1": (w * q1).sum(),
            f"{world}_q1q5": (w * q1 * q5).sum(), f"{world}_up": (w * up).sum()}


def scenario_expression(prep: Any, change: IncomeScenario, shift: dict[str, float], spec: Any,
                        *, buckets: int | None, key: int, bootstrap: bool = True) -> Any:
    """The one aggregation behind an income scenario: sums per bucket (module
    docstring), or in one row without the bootstrap — an Ibis expression, the same on
    every backend.

    Only the columns the sums need pass through the second pair of sorts (the rank of
    the incomes after the transfer): the transfer itself is recomputed from the parent's
    baseline rank afterwards."""
    from socmob.income.bootstrap import with_row_buckets
    from socmob.income.plan import ranked
    from socmob.income.ranks import add_ranks, add_unweighted_ranks

    rt = ranked(prep, prep.table, spec, unit_weights=not spec.weighted,
                row_id="_b" if bootstrap else None)
    targets = [q - 1 for q in change.quintiles]

    def gain_of(t: Any) -> Any:
        amount = (ibis.literal(float(change.amount)) if change.op == "add"
                  else t._x * (float(change.amount) / 100.0))
        return ibis.ifelse(_bin5(t._rx).isin(targets), amount, 0.0)

    keep = ["_x", "_y", "_rx", "_ry", *(["_w"] if spec.weighted else []),
            *(["_b"] if bootstrap else [])]
    rt = rt.select(*keep)
    gain = gain_of(rt)
    x2 = rt._x + gain if change.parent_income_includes_transfer else rt._x
    rt = rt.mutate(_x2=x2, _y2=rt._y + float(change.pass_through) * gain)
    wanted = {"_y2": "_ry2"}
    if change.parent_income_includes_transfer:
        wanted = {"_x2": "_rx2", "_y2": "_ry2"}
    n = prep.n_rows - prep.n_missing
    rt = add_ranks(rt, wanted, "_w") if spec.weighted else add_unweighted_ranks(rt, wanted, n=n)
    extra: dict[str, Any] = {} if spec.weighted else {"_w": ibis.literal(1.0)}
    if not change.parent_income_includes_transfer:
        extra["_rx2"] = rt._rx
    if extra:
        rt = rt.mutate(**extra)
    gain = gain_of(rt)
    recipient = ibis.ifelse(_bin5(rt._rx).isin(targets), 1.0, 0.0)
    aggs = {**_features(rt, "b", rt._rx, rt._ry, rt._x, rt._y, shift, spec),
            **_features(rt, "s", rt._rx2, rt._ry2, rt._x2, rt._y2, shift, spec),
            "n_hit": recipient.sum(), "w_hit": (rt._w * recipient).sum(),
            "gain": (rt._w * gain).sum(),
            "neg_x": ibis.ifelse((rt._x2 < 0) & (rt._x >= 0), 1, 0).sum(),
            "neg_y": ibis.ifelse((rt._y2 < 0) & (rt._y >= 0), 1, 0).sum()}
    if not bootstrap:
        return rt.aggregate(**aggs).mutate(_b=ibis.literal(0))
    rt = with_row_buckets(rt, "_b", buckets=buckets, key=key)
    return rt.group_by("_b").aggregate(**aggs)


def _slope(s0: np.ndarray, s1: np.ndarray, t1: np.ndarray, s11: np.ndarray,
           s01: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted least-squares slope and the means of x and y from Σw, Σw·x, Σw·y,
    Σw·x², Σw·xy (vectorised)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        mx, my = s1 / s0, t1 / s0
        sxx = s11 - s1 * mx
        slope = np.where(sxx > 1e-12 * np.abs(s11), (s01 - s1 * my) / sxx, np.nan)
    return slope, mx, my


def _measures(sums: dict[str, np.ndarray], world: str) -> dict[str, np.ndarray]:
    g = {k: sums[f"{world}_{k}"] for k in _SUMS}
    rank, mu, mv = _slope(g["w"], g["u"], g["v"], g["uu"], g["uv"])
    intercept = (mv + 50.0) - rank * (mu + 50.0)
    ige, _, _ = _slope(g["m"], g["lx"], g["ly"], g["lxlx"], g["lxly"])
    with np.errstate(invalid="ignore", divide="ignore"):
        p = g["q1q5"] / g["q1"]
        a = g["up"] / g["w"]
    return {"ige": ige, "rank_slope": rank, "p_top_given_bottom": p, "absolute_mobility": a,
            "expected_rank_p25": intercept + 25.0 * rank}


def income_impact(data: Any, change: IncomeScenario, *, parent: str | None = None,
                  child: str | None = None, weight: str | None = None,
                  bootstrap: int | None = None, seed: int | None = None,
                  parent_factor: float = 1.0, child_factor: float = 1.0,
                  alpha: float = 0.05, source: str | None = None,
                  progress: bool = False) -> IncomeImpact:
    """The impact of an income scenario on parent–child pairs (module docstring).

    Parameters
    ----------
    data:
        An Ibis table (DuckDB, Spark …), a pandas DataFrame or a pyarrow Table, one row
        per child.
    change:
        The scenario's income part (:class:`~socmob.assess.scenario.IncomeScenario`).
    parent, child, weight:
        Column names (default: the scenario's, else ``parent_income``,
        ``child_income``, unweighted).
    bootstrap, seed:
        Paired Poisson-bootstrap replicates (default the scenario's, 200) and seed.
    parent_factor, child_factor:
        Absolute mobility compares ``child_factor·child > parent_factor·parent``.
    alpha:
        Intervals at level 1 − alpha (percentile).

    Raises
    ------
    InputError
        Bad columns or values (as :func:`socmob.income.income_mobility`), or a transfer
        that makes incomes negative.
    """
    from socmob.income._data import prepare
    from socmob.income.bootstrap import bucket_count, bucket_key, poisson_multipliers
    from socmob.income.plan import Spec, engine_sums, shift_aggregates, shift_pass

    parent = parent or change.parent
    child = child or change.child
    weight = weight if weight is not None else change.weight
    replicates = change.bootstrap if bootstrap is None else bootstrap
    seed_value = change.seed if seed is None else seed
    if replicates < 0:
        raise InputError("bootstrap must be ≥ 0", expected="a number of replicates")
    if not 0 < alpha < 1:
        raise InputError(f"alpha {alpha} is outside (0, 1)", expected="e.g. 0.05")
    spec = Spec(weighted=weight is not None, parent_factor=parent_factor,
                child_factor=child_factor)
    prep = prepare(data, parent=parent, child=child, weight=weight, source=source,
                   extra=lambda work, ok: shift_aggregates(work, spec, ok))
    shift = shift_pass(prep, spec)
    n = prep.n_rows - prep.n_missing
    buckets = bucket_count(n, 1, 1) if replicates else 1
    expr = scenario_expression(prep, change, {"cx": shift["cx"], "cy": shift["cy"]}, spec,
                               buckets=buckets, key=bucket_key(int(seed_value)),
                               bootstrap=replicates > 0)
    frame = engine_sums(prep, expr, "the scenario sums")
    if int(frame["neg_x"].sum()) or int(frame["neg_y"].sum()):
        bad_x, bad_y = int(frame["neg_x"].sum()), int(frame["neg_y"].sum())
        what = " and ".join(p for p in (
            f"{bad_x:,} parent incomes" if bad_x else "",
            f"{bad_y:,} child incomes" if bad_y else "") if p)
        raise scenario_error(f"the transfer makes {what} negative: impossible",
                             change.where.child("transfer"),
                             expected="a cut no larger than the incomes it applies to")
    names = [f"{w}_{k}" for w in _WORLDS for k in _SUMS]
    n_buckets = n if buckets is None else buckets
    table = np.zeros((n_buckets, len(names)))
    idx = frame["_b"].to_numpy(dtype=np.int64)
    table[idx] = frame[names].to_numpy(dtype=float)
    totals = table.sum(axis=0)
    point = {w: _measures(dict(zip(names, totals, strict=True)), w) for w in _WORLDS}
    reps: dict[str, np.ndarray] = {f"{m}_{w}": np.empty(replicates) for m in MEASURES
                                   for w in _WORLDS}
    chunk = 32
    for start in range(0, replicates, chunk):
        r = range(start, min(start + chunk, replicates))
        mult = poisson_multipliers(int(seed_value), r, n_buckets)
        sums = mult @ table
        cols = dict(zip(names, sums.T, strict=True))
        for w in _WORLDS:
            for m, v in _measures(cols, w).items():
                reps[f"{m}_{w}"][start:start + len(r)] = v
    rep = pd.DataFrame(reps)
    lo_q, hi_q = alpha / 2, 1 - alpha / 2
    rows = []
    for m, (title, more) in MEASURES.items():
        b, s = float(point["b"][m]), float(point["s"][m])
        d = rep[f"{m}_s"] - rep[f"{m}_b"]

        def q(series: pd.Series, p: float) -> float:
            clean = series.dropna()
            return float(clean.quantile(p)) if len(clean) else math.nan

        change_value = s - b
        verdict = ("no change" if abs(change_value) <= TOLERANCE * max(1.0, abs(b)) else
                   "more mobility" if more * change_value > 0 else "less mobility")
        rows.append({"measure": m, "title": title, "baseline": b,
                     "baseline_lower": q(rep[f"{m}_b"], lo_q),
                     "baseline_upper": q(rep[f"{m}_b"], hi_q), "scenario": s,
                     "scenario_lower": q(rep[f"{m}_s"], lo_q),
                     "scenario_upper": q(rep[f"{m}_s"], hi_q), "change": change_value,
                     "change_lower": q(d, lo_q), "change_upper": q(d, hi_q),
                     "more_mobile": more, "verdict": verdict})
    w_total = float(frame["b_w"].sum())
    notes = []
    if prep.n_missing:
        notes.append(f"{prep.n_missing:,} rows with a missing income or weight are left out")
    dropped = n - round(float(frame["b_m"].sum())) if not spec.weighted else None
    if dropped:
        notes.append(f"the IGE leaves out {dropped:,} rows with a zero or negative income "
                     "(baseline)")
    return IncomeImpact(
        scenario=change.describe(), nobs=n, n_missing=prep.n_missing,
        table=pd.DataFrame(rows), replicates=rep, bootstrap=replicates,
        buckets=buckets if replicates else None, seed=seed_value, alpha=alpha,
        recipients=int(frame["n_hit"].sum()),
        recipient_share=float(frame["w_hit"].sum()) / w_total if w_total else math.nan,
        transfer_per_person=float(frame["gain"].sum()) / w_total if w_total else math.nan,
        source=source, notes=tuple(notes))


__all__ = ["MEASURES", "IncomeImpact", "income_impact", "scenario_expression"]
