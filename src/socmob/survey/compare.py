"""Differences between groups and between waves, with tests and multiple-comparison
control.

A difference ``θ̂_a − θ̂_b`` of two domain estimates (means, proportions or net
agreement) has variance ``V_aa + V_bb − 2 V_ab`` from the joint linearised covariance of
the domains (they share PSUs, so ``V_ab ≠ 0`` in general; R's
``svyby(..., covmat = TRUE)`` followed by ``svycontrast``). The test statistic
``t = (θ̂_a − θ̂_b) / SE`` is referred to Student's t with the design degrees of freedom
(PSUs − strata of the whole sample), and the interval is ``difference ± t_{df} SE``.

Waves are compared the same way: stack the waves in one design whose strata are the
waves' own strata (e.g. ``strata = "wave_region"``, or PSU labels unique to a wave), so
waves share no PSU and their covariance is zero, as for independent samples.

p-values of a family of comparisons are adjusted for multiplicity by Holm's (1979)
step-down method (family-wise error) or Benjamini & Hochberg's (1995) false discovery
rate (``adjust = "holm" | "bh" | "none"``; R's ``p.adjust``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
import pandas as pd
from scipy import stats

from socmob.checks import check_alpha
from socmob.errors import InputError
from socmob.results import Result, tidy
from socmob.survey.design import SurveyDesign, categories
from socmob.survey.estimate import STATISTICS, Statistic, _groups, _outcome, domain_means

Adjust = Literal["holm", "bh", "none"]
ADJUST_METHODS: tuple[str, ...] = ("holm", "bh", "none")


def adjust_pvalues(p: Sequence[float] | np.ndarray, method: Adjust = "holm") -> np.ndarray:
    """Adjusted p-values, as R's ``p.adjust``.

    Holm: with ``p_(1) ≤ … ≤ p_(m)``, ``p̃_(i) = max_{j ≤ i} min(1, (m − j + 1) p_(j))``.
    Benjamini–Hochberg: ``p̃_(i) = min_{j ≥ i} min(1, m p_(j) / j)``.
    """
    values = np.asarray(p, dtype="float64")
    m = values.size
    if method == "none" or m == 0:
        return values.copy()
    order = np.argsort(values, kind="stable")
    ranked = values[order]
    if method == "holm":
        adj = np.maximum.accumulate(np.minimum(1.0, (m - np.arange(m)) * ranked))
    elif method == "bh":
        adj = np.minimum.accumulate((m * ranked / np.arange(1, m + 1))[::-1])[::-1]
        adj = np.minimum(1.0, adj)
    else:
        raise InputError(f"unknown adjustment {method!r}",
                         expected="one of " + ", ".join(ADJUST_METHODS))
    out = np.empty(m)
    out[order] = adj
    return out


@dataclass(frozen=True, eq=False)
class Comparison(Result):
    """Differences between domain estimates of one item, with tests.

    Attributes
    ----------
    item, statistic, level:
        What is compared (``level`` names the answer category of a proportion).
    first, second:
        The domains of each difference (``first − second``).
    within:
        The group each difference is within (when comparing waves within groups), else
        ``""``.
    difference, se, t, p_value, p_adjusted:
        The differences, standard errors, t statistics, two-sided p-values and their
        adjusted values.
    df:
        Design degrees of freedom of the tests.
    adjust:
        The multiplicity adjustment.
    """

    item: str
    statistic: str
    level: str
    breakdown: str
    first: tuple[str, ...]
    second: tuple[str, ...]
    within: tuple[str, ...]
    difference: np.ndarray
    se: np.ndarray
    t: np.ndarray
    p_value: np.ndarray
    p_adjusted: np.ndarray
    df: int
    adjust: str

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """``lower``, ``upper`` of the ``1 − alpha`` interval of each difference
        (unadjusted for multiplicity)."""
        q = float(stats.t.ppf(1 - check_alpha(alpha) / 2, self.df))
        return pd.DataFrame({"lower": self.difference - q * self.se,
                             "upper": self.difference + q * self.se},
                            index=self.contrasts)

    @property
    def contrasts(self) -> list[str]:
        """``"a − b"`` names of the differences (prefixed by their group when within)."""
        return [f"{w}: {a} − {b}" if w else f"{a} − {b}"
                for a, b, w in zip(self.first, self.second, self.within, strict=True)]

    def to_frame(self, alpha: float = 0.05) -> pd.DataFrame:
        ci = self.conf_int(alpha)
        frame = pd.DataFrame({
            "measure": f"{self.item}: {self.statistic} difference",
            "breakdown": self.breakdown, "group": self.contrasts,
            "value": self.difference, "lci": ci["lower"].to_numpy(),
            "uci": ci["upper"].to_numpy(), "unit": f"difference in {self.statistic}",
            "item": self.item, "statistic": self.statistic, "level": self.level,
            "first": list(self.first), "second": list(self.second),
            "within": list(self.within), "se": self.se, "t": self.t, "df": self.df,
            "p_value": self.p_value, "p_adjusted": self.p_adjusted, "adjust": self.adjust,
        })
        return tidy(frame)


def _check(statistic: str, adjust: str) -> None:
    if statistic not in STATISTICS:
        raise InputError(f"unknown statistic {statistic!r}",
                         expected="one of " + ", ".join(STATISTICS))
    if adjust not in ADJUST_METHODS:
        raise InputError(f"unknown adjustment {adjust!r}",
                         expected="one of " + ", ".join(ADJUST_METHODS))


def _finish(item: str, statistic: str, level: str, breakdown: str,
            pairs: list[tuple[int, int, str]], names: list[str], est: np.ndarray,
            cov: np.ndarray, df: int, adjust: str) -> Comparison:
    if not pairs:
        raise InputError("nothing to compare", expected="at least two groups with answers")
    if df < 1:
        raise InputError("the design has no degrees of freedom (PSUs − strata < 1)",
                         expected="more PSUs than strata")
    C = np.zeros((len(pairs), len(est)))
    for r, (a, b, _) in enumerate(pairs):
        C[r, a] = 1.0
        C[r, b] = -1.0
    diff = C @ est
    se = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", C, cov, C), 0, None))
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(se > 0, diff / se, 0.0)
    p = 2 * stats.t.sf(np.abs(t), df)
    return Comparison(
        item=item, statistic=statistic, level=level, breakdown=breakdown,
        first=tuple(names[a] for a, _, _ in pairs),
        second=tuple(names[b] for _, b, _ in pairs),
        within=tuple(w for _, _, w in pairs), difference=diff, se=se, t=t, p_value=p,
        p_adjusted=adjust_pvalues(p, adjust), df=df, adjust=adjust)  # type: ignore[arg-type]


def compare_groups(
    design: SurveyDesign,
    item: str,
    *,
    by: str,
    statistic: Statistic = "mean",
    level: Any | Sequence[Any] | None = None,
    reference: str | None = None,
    adjust: Adjust = "holm",
    missing: Sequence[Any] | None = None,
    agree: Sequence[Any] | None = None,
    disagree: Sequence[Any] | None = None,
) -> Comparison:
    """Differences of an item's estimate between the groups of ``by``: every pair, or
    each group against ``reference``; p-values adjusted over the family.

    For ``statistic = "proportion"`` give the answer ``level`` (or several answers
    counted together, e.g. ``[4, 5]`` for "agree").
    """
    _check(statistic, adjust)
    if statistic == "proportion" and level is None:
        raise InputError("a comparison of proportions needs the answer to compare",
                         expected="level = an answer code or label (or several)")
    y, labels = _outcome(design, item, statistic, missing=missing, agree=agree,
                         disagree=disagree, level=level)
    group, groups, breakdown = _groups(design, by)
    dom = domain_means(design, y, group, groups, labels)
    ok = [k for k in range(len(groups)) if dom.n[k] > 0]
    if reference is not None:
        if reference not in groups:
            raise InputError(f"reference group {reference!r} is not a group of {by!r}",
                             column=by, expected="one of " + ", ".join(groups))
        r = groups.index(reference)
        pairs = [(k, r, "") for k in ok if k != r]
    else:
        pairs = [(a, b, "") for i, a in enumerate(ok) for b in ok[i + 1:]]
    return _finish(item, statistic, labels[0], breakdown, pairs, groups,
                   dom.estimate[:, 0], dom.covariance, dom.design_df, adjust)


def compare_waves(
    design: SurveyDesign,
    item: str,
    *,
    wave: str,
    by: str | None = None,
    statistic: Statistic = "mean",
    level: Any | Sequence[Any] | None = None,
    baseline: Literal["previous", "first"] = "previous",
    adjust: Adjust = "holm",
    missing: Sequence[Any] | None = None,
    agree: Sequence[Any] | None = None,
    disagree: Sequence[Any] | None = None,
) -> Comparison:
    """Change of an item's estimate between waves — each wave against the previous one
    (``baseline = "previous"``) or against the first — overall, or within each group of
    ``by``; p-values adjusted over all the changes tested."""
    _check(statistic, adjust)
    if baseline not in ("previous", "first"):
        raise InputError(f"unknown baseline {baseline!r}", expected="'previous' or 'first'")
    if statistic == "proportion" and level is None:
        raise InputError("a comparison of proportions needs the answer to compare",
                         expected="level = an answer code or label (or several)")
    y, labels = _outcome(design, item, statistic, missing=missing, agree=agree,
                         disagree=disagree, level=level)
    _, wave_names = categories(design, wave)
    if len(wave_names) < 2:
        raise InputError(f"only one wave in {wave!r}", column=wave,
                         expected="at least two waves to compare")
    group, groups, _ = _groups(design, [wave] if by is None else [by, wave])
    dom = domain_means(design, y, group, groups, labels)
    index = {name: k for k, name in enumerate(groups)}
    within_names = [""] if by is None else categories(design, by)[1]
    pairs: list[tuple[int, int, str]] = []
    for w in within_names:
        present = [f"{w} | {v}" if w else v for v in wave_names]
        present = [p for p in present if p in index and dom.n[index[p]] > 0]
        for j in range(1, len(present)):
            base = present[j - 1] if baseline == "previous" else present[0]
            pairs.append((index[present[j]], index[base], w))
    names = [g.split(" | ")[-1] for g in groups]
    return _finish(item, statistic, labels[0], wave if by is None else f"{wave} within {by}",
                   pairs, names, dom.estimate[:, 0], dom.covariance, dom.design_df, adjust)


__all__ = ["ADJUST_METHODS", "Adjust", "Comparison", "adjust_pvalues", "compare_groups",
           "compare_waves"]
