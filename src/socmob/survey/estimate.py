"""Design-based estimates of survey items: means, proportions and net agreement, overall
or by group, with Taylor-linearised standard errors and intervals.

For a domain ``d`` (a group, or everyone) and respondents who answered the item, the
weighted mean (a ratio estimator) and its linearised influence values are::

    ȳ_d = Σ_{i ∈ d} w_i y_i / Σ_{i ∈ d} w_i,     z_i = 1[i ∈ d] (y_i − ȳ_d) / Σ_{i ∈ d} w_i

(Woodruff 1971). A proportion is the mean of an indicator; the net agreement score is
the mean of ``1[agree] − 1[disagree]``, i.e. the share agreeing minus the share
disagreeing. Respondents outside the domain or without an answer keep their place in the
design with ``z_i = 0`` (domain estimation, so PSU counts come from the whole design;
R's ``svyby``/``subset`` and ``na.rm = TRUE``). Variances are
:func:`~socmob.survey.design.influence_covariance` of ``w_i z_i`` — calibration
residuals included after raking.

Intervals (``conf_int(alpha)``), with the domain's design degrees of freedom
``df = PSUs − strata`` (Korn & Graubard 1999, §5.2):

``"t"`` (means, net agreement, differences)
    ``θ̂ ± t_{df, 1−α/2} · SE``.
``"logit"`` (proportions, the default; R's ``svyciprop(method = "logit")``)
    ``expit(logit p̂ ± t_{df, 1−α/2} · SE / (p̂(1 − p̂)))``.
``"korn-graubard"`` (R's ``svyciprop(method = "beta")``; Korn & Graubard 1998)
    Clopper–Pearson with the effective sample size
    ``n* = p̂(1 − p̂)/SE² · (t_{n−1, α/2} / t_{df, α/2})²``:
    ``[B⁻¹(α/2; n*p̂, n*(1 − p̂) + 1), B⁻¹(1 − α/2; n*p̂ + 1, n*(1 − p̂))]``, with ``n`` the
    domain's respondents. (R's ``svyciprop`` takes ``n`` as the rows of the design
    object, which for a domain of a calibrated design is the whole sample.)

At ``p̂ = 0`` or ``1`` the logit interval does not exist; the Korn–Graubard interval is
given instead, with a note (with ``SE = 0``, ``n* = n``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import special, stats

from socmob.checks import check_alpha
from socmob.errors import InputError
from socmob.results import ByGroup, Result, tidy
from socmob.survey.design import (
    Influence,
    SurveyDesign,
    categories,
    domain_dfs,
    influence_covariance,
    replicate_covariance,
)

IntervalMethod = Literal["t", "logit", "korn-graubard"]
INTERVAL_METHODS: tuple[str, ...] = ("t", "logit", "korn-graubard")
Statistic = Literal["mean", "proportion", "net"]
STATISTICS: tuple[str, ...] = ("mean", "proportion", "net")


@dataclass(frozen=True, eq=False)
class SurveyEstimate(Result):
    """Design-based estimates of one item in one domain.

    Attributes
    ----------
    item:
        The item (column).
    statistic:
        ``"mean"``, ``"proportion"`` or ``"net"`` (net agreement).
    labels:
        What each estimate is: the answer categories for proportions, else the statistic.
    estimate, se:
        The estimates and their standard errors.
    covariance:
        Their covariance matrix.
    n:
        Respondents in the domain who answered.
    weighted_n:
        Their sum of weights.
    df:
        Design degrees of freedom of the domain (PSUs − strata).
    method:
        The interval method (module docstring).
    question:
        The item's wording (its variable label), if known.
    """

    item: str
    statistic: str
    labels: tuple[str, ...]
    estimate: np.ndarray
    se: np.ndarray
    covariance: np.ndarray
    n: int
    weighted_n: float
    df: int
    method: str = "t"
    question: str | None = None
    notes: tuple[str, ...] = field(default=())
    logit_se: np.ndarray | None = None

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """``lower``, ``upper`` of the ``1 − alpha`` interval of every estimate."""
        lower, upper, _ = _intervals(self.estimate, self.se, self.df, self.n, alpha,
                                     self.method, self.logit_se)
        return pd.DataFrame({"lower": lower, "upper": upper}, index=list(self.labels))

    def to_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        """Tidy rows: ``measure`` is the item and statistic, ``level`` the answer
        category (proportions), ``value`` the estimate, ``lci``/``uci`` the interval;
        ``se``, ``df`` and ``method`` follow."""
        lower, upper, notes = _intervals(self.estimate, self.se, self.df, self.n, alpha,
                                         self.method, self.logit_se)
        unit = {"mean": "mean score", "proportion": "proportion",
                "net": "net agreement (share agreeing minus share disagreeing)"}
        frame = pd.DataFrame({
            "measure": f"{self.item}: {self.statistic}",
            "value": self.estimate, "lci": lower, "uci": upper, "n": self.n,
            "unit": unit.get(self.statistic, self.statistic),
            "note": [n or None for n in notes],
            "item": self.item, "statistic": self.statistic, "level": list(self.labels),
            "se": self.se, "df": self.df, "method": self.method,
            "weighted_n": self.weighted_n,
        })
        return tidy(frame)


def _t_quantile(df: float, q: float) -> float:
    return float(stats.t.ppf(q, df)) if np.isfinite(df) else float(stats.norm.ppf(q))


def korn_graubard(p: float, se: float, n: int, df: float, alpha: float = 0.05,
                  ) -> tuple[float, float]:
    """The Korn–Graubard (1998) interval of a proportion (module docstring)."""
    if n < 2:
        return (0.0, 1.0)
    n_eff = p * (1 - p) / se**2 if se > 0 else float(n)
    ratio = _t_quantile(n - 1, alpha / 2) / _t_quantile(df, alpha / 2)
    n_eff *= ratio**2
    lower = 0.0 if p <= 0 else float(stats.beta.ppf(alpha / 2, n_eff * p, n_eff * (1 - p) + 1))
    upper = 1.0 if p >= 1 else float(stats.beta.ppf(1 - alpha / 2, n_eff * p + 1,
                                                     n_eff * (1 - p)))
    return lower, upper


def _intervals(estimate: np.ndarray, se: np.ndarray, df: int, n: int, alpha: float,
               method: str, logit_se: np.ndarray | None = None,
               ) -> tuple[np.ndarray, np.ndarray, list[str]]:
    check_alpha(alpha)
    if method not in INTERVAL_METHODS:
        raise InputError(f"unknown interval method {method!r}",
                         expected="one of " + ", ".join(INTERVAL_METHODS))
    t = _t_quantile(df, 1 - alpha / 2)
    notes = [""] * len(estimate)
    if method == "t":
        return estimate - t * se, estimate + t * se, notes
    lower = np.empty(len(estimate))
    upper = np.empty(len(estimate))
    for k, (p, s) in enumerate(zip(estimate, se, strict=True)):
        if method == "logit" and 0 < p < 1:
            half = t * (s / (p * (1 - p)) if logit_se is None else logit_se[k])
            lower[k] = special.expit(special.logit(p) - half)
            upper[k] = special.expit(special.logit(p) + half)
        else:
            lower[k], upper[k] = korn_graubard(float(p), float(s), n, df, alpha)
            if method == "logit":
                notes[k] = "logit interval undefined at 0 or 1: Korn–Graubard given"
    return lower, upper, notes


# --------------------------------------------------------------------------- items


def _scores(design: SurveyDesign, item: str, missing: Sequence[Any] | None) -> np.ndarray:
    """The item's numeric answers, NaN where missing (blank or a ``missing`` code)."""
    series = design.column(item)
    if not pd.api.types.is_numeric_dtype(series):
        converted = pd.to_numeric(series, errors="coerce")
        if (converted.isna() & series.notna()).any():
            raise InputError(f"item {item!r} holds text, so it has no mean score",
                             file=design.source, column=item,
                             expected="answers coded as numbers (or ask for proportions)")
        series = converted
    values = series.to_numpy(dtype="float64", na_value=np.nan).copy()
    if missing:
        values[np.isin(values, np.asarray(list(missing), dtype="float64"))] = np.nan
    bad = np.flatnonzero(np.isinf(values))
    if bad.size:
        raise InputError(f"value {values[bad[0]]} is not finite", file=design.source,
                         row=int(bad[0]) + 2, column=item, expected="a finite answer code")
    return values


def _levels(design: SurveyDesign, item: str, missing: Sequence[Any] | None,
            ) -> tuple[np.ndarray, list[str], list[Any]]:
    """Answer-category codes (−1 where missing), names and raw values of an item, with
    every labelled category (answered or not) in code order."""
    series = design.column(item)
    labels = design.value_labels.get(item, {})
    drop = {_key(v) for v in (missing or [])}
    if pd.api.types.is_numeric_dtype(series) and not isinstance(series.dtype,
                                                                pd.CategoricalDtype):
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        observed = {_key(v) for v in np.unique(values[~np.isnan(values)])}
        keys = sorted((observed | {_key(k) for k in labels}) - drop)
        codes = _fast_codes(values, keys)
        names = [str(labels.get(k, k)) for k in keys]
        return codes, names, keys
    codes, names = categories(design, item)
    keep = [j for j, nm in enumerate(names) if nm not in {str(d) for d in drop}]
    remap = np.full(len(names) + 1, -1, dtype=np.int64)
    remap[keep] = np.arange(len(keep))
    return remap[codes], [names[j] for j in keep], [names[j] for j in keep]


def _fast_codes(values: np.ndarray, keys: list[Any]) -> np.ndarray:
    arr = np.asarray(keys, dtype="float64")
    pos = np.searchsorted(arr, values)
    pos = np.clip(pos, 0, len(arr) - 1)
    ok = ~np.isnan(values) & (arr[pos] == values)
    return np.where(ok, pos, -1).astype(np.int64)


def _key(value: Any) -> Any:
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    if isinstance(value, np.integer):
        return int(value)
    return value


def _select(keys: list[Any], names: list[str], wanted: Sequence[Any] | None,
            what: str, item: str) -> list[int]:
    out = []
    for w in wanted or []:
        k = _key(w)
        if k in keys:
            out.append(keys.index(k))
            continue
        text = str(w).strip()
        matches = [j for j, nm in enumerate(names) if nm == text or str(keys[j]) == text]
        if not matches:
            raise InputError(f"{what} answer {w!r} is not an answer to {item!r}",
                             column=item, expected="one of " + ", ".join(
                                 f"{k} ({n})" if str(k) != n else n
                                 for k, n in zip(keys, names, strict=True)))
        out.append(matches[0])
    return out


def _groups(design: SurveyDesign, by: str | Sequence[str] | None,
            ) -> tuple[np.ndarray, list[str], str]:
    if by is None:
        return np.zeros(design.n, dtype=np.int64), ["all"], ""
    cols = [by] if isinstance(by, str) else list(by)
    codes = np.zeros(design.n, dtype=np.int64)
    names: list[list[str]] = []
    missing = np.zeros(design.n, dtype=bool)
    for col in cols:
        c, nm = categories(design, col)
        missing |= c < 0
        codes = codes * len(nm) + np.where(c < 0, 0, c)
        names.append(nm)
    grid = [""]
    for nm in names:
        grid = [f"{a} | {b}" if a else b for a in grid for b in nm]
    present, codes = np.unique(np.where(missing, -1, codes), return_inverse=True)
    keep = present >= 0
    remap = np.cumsum(keep) - 1
    codes = np.where(present[codes] >= 0, remap[codes], -1)
    return codes.astype(np.int64), [grid[int(p)] for p in present[keep]], " × ".join(cols)


@dataclass(frozen=True, eq=False)
class DomainEstimates:
    """Estimates of ``L`` quantities in each of ``G`` domains with their joint covariance
    (``G·L × G·L``, domain-major), for contrasts between domains."""

    estimate: np.ndarray  # (G, L)
    covariance: np.ndarray
    n: np.ndarray
    weighted_n: np.ndarray
    df: np.ndarray
    groups: list[str]
    labels: list[str]
    design_df: int
    replicates: np.ndarray | None = None  # (R, G, L) replicate estimates


def domain_means(design: SurveyDesign, y: np.ndarray, group: np.ndarray, groups: list[str],
                 labels: list[str]) -> DomainEstimates:
    """Weighted means of the columns of ``y`` (``n × L``, NaN where missing) in each
    group (``group = −1``: in none), with their joint linearised covariance."""
    y = np.asarray(y, dtype="float64")
    if y.ndim == 1:
        y = y[:, None]
    G = len(groups)
    valid = (group >= 0) & ~np.isnan(y).any(axis=1)
    g = np.where(valid, group, -1)
    w = design.weights
    keep = g >= 0
    W = np.bincount(g[keep], weights=w[keep], minlength=G)
    n = np.bincount(g[keep], minlength=G)
    est = np.zeros((G, y.shape[1]))
    for level in range(y.shape[1]):
        sums = np.bincount(g[keep], weights=(w * np.nan_to_num(y[:, level]))[keep],
                           minlength=G)
        with np.errstate(invalid="ignore", divide="ignore"):
            est[:, level] = np.where(W > 0, sums / W, np.nan)
    dfs = domain_dfs(design, g, G, keep)
    if design.replicates is not None:
        thetas = _replicate_means(design.replicates.weights, y, g, G)
        flat = thetas.reshape(len(thetas), -1)
        ok = np.isfinite(est.ravel())
        cov = np.zeros((flat.shape[1], flat.shape[1]))
        cov[np.ix_(ok, ok)] = replicate_covariance(design.replicates, flat[:, ok],
                                                   est.ravel()[ok])
        return DomainEstimates(estimate=est, covariance=cov, n=n, weighted_n=W, df=dfs,
                               groups=groups, labels=labels,
                               design_df=design.degrees_of_freedom, replicates=thetas)
    u = np.zeros_like(y)
    with np.errstate(invalid="ignore", divide="ignore"):
        u[keep] = (y[keep] - est[g[keep]]) / W[g[keep]][:, None]
    u[~keep] = 0.0
    g = np.where(keep & (W[np.maximum(g, 0)] > 0), g, -1)
    cov = influence_covariance(design, Influence(group=g, values=u, n_groups=G))
    return DomainEstimates(estimate=est, covariance=cov, n=n, weighted_n=W, df=dfs,
                           groups=groups, labels=labels, design_df=design.degrees_of_freedom)


def _replicate_means(rep_w: np.ndarray, y: np.ndarray, g: np.ndarray, G: int) -> np.ndarray:
    """Domain means under each replicate weight: ``(R, G, L)`` (NaN where a replicate
    leaves a domain without weight)."""
    keep = g >= 0
    gk = g[keep]
    yk = np.nan_to_num(y[keep])
    out = np.empty((rep_w.shape[1], G, y.shape[1]))
    for r in range(rep_w.shape[1]):
        wr = rep_w[keep, r]
        W = np.bincount(gk, weights=wr, minlength=G)
        for level in range(y.shape[1]):
            sums = np.bincount(gk, weights=wr * yk[:, level], minlength=G)
            with np.errstate(invalid="ignore", divide="ignore"):
                out[r, :, level] = np.where(W > 0, sums / W, np.nan)
    return out


def _outcome(design: SurveyDesign, item: str, statistic: str, *,
             missing: Sequence[Any] | None, agree: Sequence[Any] | None,
             disagree: Sequence[Any] | None,
             level: Any | Sequence[Any] | None = None) -> tuple[np.ndarray, list[str]]:
    """The variable(s) whose means give ``statistic`` (``n × L``) and their labels."""
    if statistic not in STATISTICS:
        raise InputError(f"unknown statistic {statistic!r}",
                         expected="one of " + ", ".join(STATISTICS))
    if statistic == "mean":
        return _scores(design, item, missing)[:, None], ["mean"]
    codes, names, keys = _levels(design, item, missing)
    if not names:
        raise InputError(f"item {item!r} has no answers", file=design.source, column=item,
                         expected="at least one answered category")
    if statistic == "proportion":
        if level is not None:
            wanted = list(level) if isinstance(level, (list, tuple)) else [level]
            chosen = _select(keys, names, wanted, "the", item)
            y = np.where(codes >= 0, np.isin(codes, chosen).astype(float), np.nan)
            return y[:, None], [" or ".join(names[j] for j in chosen)]
        y = np.zeros((len(codes), len(names)))
        ok = codes >= 0
        y[np.flatnonzero(ok), codes[ok]] = 1.0
        y[~ok] = np.nan
        return y, names
    agree_idx, disagree_idx = _agreement(keys, names, agree, disagree, item)
    y = np.where(codes >= 0, np.isin(codes, agree_idx).astype(float)
                 - np.isin(codes, disagree_idx).astype(float), np.nan)
    return y[:, None], ["net agreement"]


def _agreement(keys: list[Any], names: list[str], agree: Sequence[Any] | None,
               disagree: Sequence[Any] | None, item: str) -> tuple[list[int], list[int]]:
    """The answers counted as agreeing and disagreeing: as given, else the top two and
    bottom two categories of a scale of at least four."""
    if agree is None and disagree is None:
        if len(keys) < 4:
            raise InputError(f"item {item!r} has {len(keys)} answer categories",
                             column=item, expected="at least four (or name the agree and "
                             "disagree answers)")
        return [len(keys) - 2, len(keys) - 1], [0, 1]
    if agree is None or disagree is None:
        raise InputError("give both the agree and the disagree answers", column=item)
    a = _select(keys, names, agree, "agree", item)
    d = _select(keys, names, disagree, "disagree", item)
    if set(a) & set(d):
        raise InputError("an answer is counted as both agreeing and disagreeing", column=item)
    return a, d


def estimate(
    design: SurveyDesign,
    item: str,
    *,
    statistic: Statistic = "mean",
    by: str | Sequence[str] | None = None,
    method: IntervalMethod | None = None,
    missing: Sequence[Any] | None = None,
    agree: Sequence[Any] | None = None,
    disagree: Sequence[Any] | None = None,
    level: Any | Sequence[Any] | None = None,
) -> SurveyEstimate | ByGroup[SurveyEstimate]:
    """Design-based estimate of an item, overall or by group.

    Parameters
    ----------
    statistic:
        ``"mean"`` (of the answer codes), ``"proportion"`` (of every answer category,
        or of ``level`` — one answer or several counted together) or ``"net"``
        (agreement minus disagreement).
    by:
        A column (or several, crossed) to estimate within; returns a :class:`ByGroup`
        naming the groups that could not be estimated (no answers, or fewer than two
        PSUs so no degrees of freedom).
    method:
        The interval: ``"logit"`` (default for proportions), ``"korn-graubard"`` or
        ``"t"`` (default otherwise).
    missing:
        Answer codes that mean "no answer" (e.g. ``[8, 9]`` for don't know / refused).
    agree, disagree:
        For ``"net"``: the answers counted as agreeing / disagreeing (codes or labels);
        default the top two and bottom two categories.
    """
    method = method or ("logit" if statistic == "proportion" else "t")
    if method not in INTERVAL_METHODS:
        raise InputError(f"unknown interval method {method!r}",
                         expected="one of " + ", ".join(INTERVAL_METHODS))
    if method != "t" and statistic != "proportion":
        raise InputError(f"the {method} interval is for proportions",
                         expected="method 't' for a mean or net agreement")
    y, labels = _outcome(design, item, statistic, missing=missing, agree=agree,
                         disagree=disagree, level=level)
    group, groups, breakdown = _groups(design, by)
    dom = domain_means(design, y, group, groups, labels)
    question = design.variable_labels.get(item)
    L = len(labels)
    results: dict[str, SurveyEstimate] = {}
    not_estimated: dict[str, str] = {}
    for k, name in enumerate(groups):
        if dom.n[k] == 0 or dom.weighted_n[k] <= 0:
            not_estimated[name] = f"no respondent answered {item!r}"
            continue
        if dom.df[k] < 1:
            not_estimated[name] = ("answers from a single PSU: no design degrees of "
                                   "freedom for an interval")
            continue
        block = slice(k * L, (k + 1) * L)
        cov = dom.covariance[block, block]
        logit_se = None
        if dom.replicates is not None and method == "logit" and design.replicates is not None:
            logit_se = _replicate_logit_se(design, dom.replicates[:, k, :],
                                           dom.estimate[k])
        results[name] = SurveyEstimate(
            item=item, statistic=statistic, labels=tuple(labels),
            estimate=dom.estimate[k].copy(), se=np.sqrt(np.clip(np.diag(cov), 0, None)),
            covariance=cov, n=int(dom.n[k]), weighted_n=float(dom.weighted_n[k]),
            df=int(dom.df[k]), method=method, question=question, logit_se=logit_se)
    if by is None:
        if "all" in not_estimated:
            raise InputError(f"item {item!r} cannot be estimated: {not_estimated['all']}",
                             file=design.source, column=item)
        return results["all"]
    return ByGroup(by=breakdown, results=results, not_estimated=not_estimated)


def _replicate_logit_se(design: SurveyDesign, thetas: np.ndarray,
                        estimate: np.ndarray) -> np.ndarray:
    """Replicate standard error of ``logit p̂`` (R's ``svyciprop(method = "logit")`` on a
    replicate design fits the logit on every replicate)."""
    assert design.replicates is not None
    out = np.full(thetas.shape[1], np.nan)
    for level in range(thetas.shape[1]):
        p = estimate[level]
        if 0 < p < 1:
            with np.errstate(divide="ignore", invalid="ignore"):
                lt = special.logit(thetas[:, level])[:, None]
            v = replicate_covariance(design.replicates, lt, np.array([special.logit(p)]))
            out[level] = float(np.sqrt(v[0, 0]))
    return out


def estimate_items(
    design: SurveyDesign,
    items: Sequence[str],
    *,
    statistic: Statistic = "mean",
    by: str | Sequence[str] | None = None,
    wave: str | None = None,
    method: IntervalMethod | None = None,
    alpha: float = 0.05,
    missing: Sequence[Any] | None = None,
    agree: Sequence[Any] | None = None,
    disagree: Sequence[Any] | None = None,
) -> pd.DataFrame:
    """Tidy estimates of several items, overall and by group (and wave): one row per
    item × group × answer category, ``period`` the wave. Groups that could not be
    estimated appear as rows with no value and the reason in ``note``.
    """
    frames = []
    for item in items:
        by_cols: list[str] = []
        if wave is not None:
            by_cols.append(wave)
        if by is not None:
            by_cols.extend([by] if isinstance(by, str) else by)
        result = estimate(design, item, statistic=statistic, by=by_cols or None,
                          method=method, missing=missing, agree=agree, disagree=disagree)
        if isinstance(result, SurveyEstimate):
            frame = result.to_frame(alpha)
            frame["breakdown"] = "all"
            frame["group"] = "all"
            frames.append(frame)
            continue
        for group, res in result.items():
            frame = res.to_frame(alpha)
            frames.append(_place(frame, group, wave, by))
        for group, why in result.not_estimated.items():
            frame = pd.DataFrame({"measure": [f"{item}: {statistic}"], "item": item,
                                  "statistic": statistic, "note": why})
            frames.append(_place(frame, group, wave, by))
    out = pd.concat(frames, ignore_index=True)
    return tidy(out)


def _place(frame: pd.DataFrame, group: str, wave: str | None,
           by: str | Sequence[str] | None) -> pd.DataFrame:
    parts = group.split(" | ")
    if wave is not None:
        frame["period"] = parts[0]
        parts = parts[1:]
    frame["breakdown"] = (" × ".join([by] if isinstance(by, str) else by) if by else "all")
    frame["group"] = " | ".join(parts) if parts else "all"
    return frame


__all__ = [
    "INTERVAL_METHODS",
    "STATISTICS",
    "DomainEstimates",
    "IntervalMethod",
    "Statistic",
    "SurveyEstimate",
    "domain_means",
    "estimate",
    "estimate_items",
    "korn_graubard",
]
