"""Area outcomes in the style of *The Long Shadow of Deprivation* (SMC 2020).

For each area (where the child grew up) and each of two groups — *disadvantaged* (e.g.
eligible for free school meals, or parents in the bottom income quintile) and the rest —
the weighted mean adult outcome (earnings, log earnings, or the national percentile rank
of earnings), the advantaged − disadvantaged **gap**, and **empirical-Bayes** estimates
that shrink noisy small-area means towards the national mean.

Formulas (``w`` weights, area i, group g):

* mean ``ȳ_ig = Σw·y / Σw``; variance ``v_ig = n/(n − 1) · Σw²(y − ȳ)² / (Σw)²`` (the
  linearisation variance of a ratio mean; ``s²/n`` unweighted); normal intervals.
* gap ``d_i = ȳ_i,adv − ȳ_i,dis`` with variance ``v_i,adv + v_i,dis`` (independent groups).
* Empirical Bayes (James & Stein 1961; Efron & Morris 1975; Morris 1983 *JASA* 78:47–55)
  towards the known national value μ (the national mean of the group, or the national gap):
  ``θ̂_i ~ N(θ_i, s_i²)``, ``θ_i ~ N(μ, τ²)``. The sampling variance uses the pooled
  within-area variance, ``s_i² = σ̂²·Σw²/(Σw)²`` (stable for tiny areas); the between-area
  variance by the method of moments, ``τ̂² = max(0, mean_i[(θ̂_i − μ)² − s_i²])``.
  Shrinkage ``B_i = s_i²/(s_i² + τ̂²)``, estimate ``θ̃_i = μ + (1 − B_i)(θ̂_i − μ)``, posterior
  variance ``(1 − B_i)·s_i²`` (conditional on τ̂², so slightly optimistic when there are few
  areas). An area without members of the group gets the prior: ``μ``, variance ``τ̂²``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Literal

import ibis
import numpy as np
import pandas as pd

from socmob._deprecated import coverage_keyword
from socmob.checks import check_alpha, no_overflow
from socmob.errors import InputError
from socmob.income._data import (
    _check_column,
    _check_numeric,
    as_table,
    check_frame_finite,
    execute,
    execute_sums,
    nonfinite_aggregates,
    raise_nonfinite,
)
from socmob.income.ranks import add_rank
from socmob.income.regression import normal_quantile
from socmob.results import Result, tidy

Transform = Literal["none", "log", "rank"]


@dataclass(frozen=True, eq=False)
class AreaOutcomes(Result):
    """Per-area means, gaps and their empirical-Bayes versions.

    :attr:`areas` has one row per area with columns ``area, n_dis, n_adv, mean_dis,
    se_dis, mean_adv, se_adv, gap, gap_se, eb_dis, eb_dis_se, shrink_dis, eb_gap,
    eb_gap_se, shrink_gap``.
    """

    areas: pd.DataFrame
    national_dis: float
    national_adv: float
    national_gap: float
    tau2_dis: float
    tau2_gap: float
    sigma2_dis: float
    sigma2_adv: float
    transform: str
    alpha: float = 0.05

    def to_frame(self) -> pd.DataFrame:
        """Tidy rows per area and measure, with normal ``1 − alpha`` intervals
        ``value ± z·se``."""
        z = normal_quantile(1 - self.alpha / 2)
        a = self.areas
        parts = []
        for measure, value, se, n in (
            ("disadvantaged_mean", "mean_dis", "se_dis", "n_dis"),
            ("advantaged_mean", "mean_adv", "se_adv", "n_adv"),
            ("gap", "gap", "gap_se", None),
            ("disadvantaged_mean_eb", "eb_dis", "eb_dis_se", "n_dis"),
            ("gap_eb", "eb_gap", "eb_gap_se", None),
        ):
            parts.append(pd.DataFrame({
                "measure": measure, "area_code": a["area"].astype(str),
                "value": a[value], "lci": a[value] - z * a[se], "uci": a[value] + z * a[se],
                "n": a[n] if n else a["n_dis"] + a["n_adv"],
                "note": "empirical Bayes" if measure.endswith("_eb") else None,
            }))
        unit = {"none": "outcome", "log": "log outcome", "rank": "rank"}[self.transform]
        return tidy(pd.concat(parts, ignore_index=True), unit=unit)


def _eb(theta: np.ndarray, s2: np.ndarray, mu: float) -> tuple[np.ndarray, np.ndarray,
                                                                np.ndarray, float]:
    ok = np.isfinite(theta) & np.isfinite(s2)
    if ok.sum() == 0:
        nan = np.full_like(theta, np.nan)
        return nan, nan, nan, math.nan
    tau2 = max(0.0, float(np.mean((theta[ok] - mu) ** 2 - s2[ok])))
    if tau2 == 0:
        B = np.ones_like(theta)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            B = np.where(ok, s2 / (s2 + tau2), 1.0)
    est = np.where(ok, mu + (1 - B) * (np.nan_to_num(theta) - mu), mu)
    var = np.where(ok, (1 - B) * np.nan_to_num(s2), tau2)
    return est, np.sqrt(var), B, tau2


@coverage_keyword("level")
def area_outcomes(data: Any, *, area: str, outcome: str, disadvantaged: str,
                  weight: str | None = None, transform: Transform = "none",
                  alpha: float = 0.05, source: str | None = None) -> AreaOutcomes:
    """Mean outcome of the disadvantaged group by area, the advantaged − disadvantaged
    gap, and empirical-Bayes shrinkage of both towards the national values.

    Parameters
    ----------
    area:
        Column naming the area (the child's origin).
    outcome:
        Numeric adult outcome (e.g. earnings at 28).
    disadvantaged:
        Boolean or 0/1 column marking the disadvantaged group.
    transform:
        ``"none"``, ``"log"`` (rows with outcome ≤ 0 are an error) or ``"rank"`` (the
        outcome's national weighted percentile rank, 0–100).
    alpha:
        The tidy rows carry ``1 − alpha`` intervals (0.05: 95%).
    """
    check_alpha(alpha)
    t = as_table(data)
    for column, role in ((area, "area"), (outcome, "outcome"),
                         (disadvantaged, "disadvantaged flag")):
        _check_column(t, column, role, source)
    if weight is not None:
        _check_column(t, weight, "weight", source)
        _check_numeric(t, weight, "weight", source)
    _check_numeric(t, outcome, "outcome", source)
    flag_type = t[disadvantaged].type()
    if not (flag_type.is_boolean() or flag_type.is_numeric()):
        raise InputError("disadvantaged flag must be true/false or 0/1", file=source,
                         column=disadvantaged, expected="a boolean or 0/1 column")
    if transform not in ("none", "log", "rank"):
        raise InputError(f"unknown transform {transform!r}", expected="none, log or rank")
    check_frame_finite(data, {outcome: "outcome"} | ({weight: "weight"} if weight else {}),
                       source=source, nonnegative={weight} if weight else set())
    flag = t[disadvantaged].cast("float64")
    work = t.select(_a=t[area].cast("string"), _y=t[outcome].cast("float64"),
                    _d=flag,
                    _w=t[weight].cast("float64") if weight else ibis.literal(1.0))
    work = work.filter(work._a.notnull() & work._y.notnull() & work._d.notnull()
                       & work._w.notnull())
    check = execute(work.aggregate(n=work.count(), bad_flag=ibis.ifelse(
        (work._d != 0) & (work._d != 1), 1, 0).sum(), nonpos=ibis.ifelse(
        work._y <= 0, 1, 0).sum(), wmin=work._w.min(),
        **nonfinite_aggregates({"y": work._y, "w": work._w})))
    if int(check["n"].iloc[0]) == 0:
        raise InputError("no usable rows", file=source, column=outcome)
    raise_nonfinite(check, {"y": outcome, "w": weight or ""}, source=source)
    if int(check["bad_flag"].iloc[0] or 0) > 0:
        raise InputError("disadvantaged flag has values other than 0/1", file=source,
                         column=disadvantaged, expected="0/1 or true/false")
    if weight is not None and float(check["wmin"].iloc[0]) < 0:
        raise InputError("negative weight", file=source, column=weight,
                         expected="weights ≥ 0")
    if transform == "log":
        if int(check["nonpos"].iloc[0] or 0) > 0:
            raise InputError("outcome has zero or negative values; cannot take logs",
                             file=source, column=outcome, expected="positive values")
        work = work.mutate(_y=work._y.ln())
    elif transform == "rank":
        ranked = add_rank(work, "_y", "_w", "_r")
        work = ranked.mutate(_y=ranked._r).drop("_r")
    w, y = work._w, work._y
    sums = execute_sums(work.group_by(["_a", "_d"]).aggregate(
        n=work.count(), sw=w.sum(), swy=(w * y).sum(), swyy=(w * y * y).sum(),
        sww=(w * w).sum(), swwy=(w * w * y).sum(), swwyy=(w * w * y * y).sum()),
        what="the sums of squared outcomes", column=weight or outcome, source=source)
    with no_overflow("the area variances"):
        return _finish_areas(sums, transform=transform, alpha=alpha)


def _finish_areas(sums: pd.DataFrame, *, transform: str, alpha: float) -> AreaOutcomes:
    areas = sorted(sums["_a"].astype(str).unique())
    out = pd.DataFrame({"area": areas})
    national: dict[str, float] = {}
    sigma2: dict[str, float] = {}
    for code, suffix in ((1.0, "dis"), (0.0, "adv")):
        g = sums[sums["_d"] == code].set_index("_a").reindex(areas)
        n = g["n"].fillna(0).to_numpy(float)
        sw = g["sw"].to_numpy(float)
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = g["swy"].to_numpy(float) / sw
            ss_w2 = (g["swwyy"].to_numpy(float) - 2 * mean * g["swwy"].to_numpy(float)
                     + mean * mean * g["sww"].to_numpy(float))
            var = np.where(n > 1, n / (n - 1) * ss_w2 / (sw * sw), np.nan)
            within = g["swyy"].to_numpy(float) - g["swy"].to_numpy(float) ** 2 / sw
        ok = n > 0
        total_w = float(np.nansum(sw[ok]))
        if total_w <= 0:
            label = "disadvantaged" if suffix == "dis" else "advantaged"
            raise InputError(f"no {label} rows in any area",
                             expected="both groups present in the data")
        national[suffix] = float(np.nansum(g["swy"].to_numpy(float)[ok])) / total_w
        n_total, m = float(n[ok].sum()), int(ok.sum())
        pooled = float(np.nansum(within[ok])) / total_w
        sigma2[suffix] = pooled * n_total / (n_total - m) if n_total > m else math.nan
        out[f"n_{suffix}"] = n.astype(int)
        out[f"mean_{suffix}"] = mean
        out[f"se_{suffix}"] = np.sqrt(var)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[f"_s2_{suffix}"] = sigma2[suffix] * g["sww"].to_numpy(float) / (sw * sw)
    out["gap"] = out["mean_adv"] - out["mean_dis"]
    out["gap_se"] = np.sqrt(out["se_adv"] ** 2 + out["se_dis"] ** 2)
    est, se, B, tau2_dis = _eb(out["mean_dis"].to_numpy(float),
                               out["_s2_dis"].to_numpy(float), national["dis"])
    out["eb_dis"], out["eb_dis_se"], out["shrink_dis"] = est, se, B
    gap_s2 = (out["_s2_dis"] + out["_s2_adv"]).to_numpy(float)
    national_gap = national["adv"] - national["dis"]
    est, se, B, tau2_gap = _eb(out["gap"].to_numpy(float), gap_s2, national_gap)
    out["eb_gap"], out["eb_gap_se"], out["shrink_gap"] = est, se, B
    out = out.drop(columns=["_s2_dis", "_s2_adv"])
    return AreaOutcomes(areas=out, national_dis=national["dis"], national_adv=national["adv"],
                        national_gap=national_gap, tau2_dis=tau2_dis, tau2_gap=tau2_gap,
                        sigma2_dis=sigma2["dis"], sigma2_adv=sigma2["adv"],
                        transform=transform, alpha=alpha)


__all__ = ["AreaOutcomes", "area_outcomes"]
