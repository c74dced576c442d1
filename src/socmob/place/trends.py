"""Change between periods in each area's z-score and band, and whether it beats the noise.

The SMC publishes no uncertainty for its composite indices, yet 31 of the 205 areas move
two or more bands between the two Promising Prospects (ci4) periods. To tell a real move
from noise, each change is set against the noise implied by how well the index
reproduces itself from one period to the next (a reliable-change rule, Jacobson & Truax
1991):

* r = Pearson correlation of the z-scores of the two periods across areas (the
  test–retest reliability of the index over that interval);
* standard error of measurement in period t: SEMₜ = sₜ √(1 − r), sₜ the SD of the
  z-scores across areas (≈ 1 for published z-scores);
* standard error of a difference: SE_diff = √(SEM₁² + SEM₂²) = √((s₁² + s₂²)(1 − r)),
  which is √(2(1 − r)) for unit-variance z-scores;
* reliable change index RCI = Δz / SE_diff; the change is "within the noise" when
  |RCI| < z₁₋α/₂ (1.96 for ``alpha = 0.05``, the 95% level), else "improved" (Δz > 0,
  more favourable) or "worsened".

The rule is conservative: r < 1 also reflects genuine change between periods, which it
counts as noise. Where per-area standard errors are known (e.g. from Monte Carlo
uncertainty over the indicators' sampling error), pass them as ``se_diff`` instead.

Reference: Jacobson, N. S. & Truax, P. (1991). Clinical significance: a statistical
approach to defining meaningful change. *J. Consulting and Clinical Psychology* 59, 12–19.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats

from socmob._deprecated import coverage_keyword
from socmob.checks import check_alpha
from socmob.errors import InputError
from socmob.place.peers import _resolve_area
from socmob.place.selection import area_labels, choose, require_columns, sort_periods
from socmob.results import Result, tidy

WITHIN_NOISE = "within the noise"
IMPROVED = "improved"
WORSENED = "worsened"

__all__ = ["IMPROVED", "WITHIN_NOISE", "WORSENED", "Trends", "reliable_change_se",
           "trends"]


def reliable_change_se(before: pd.Series, after: pd.Series) -> tuple[float, float, int]:
    """(r, SE_diff, n) for two periods' z-scores aligned by area:
    SE_diff = √((s₁² + s₂²)(1 − r)) over the areas present in both."""
    both = pd.concat([before, after], axis=1, join="inner").dropna()
    n = len(both)
    if n < 3:
        raise InputError(f"only {n} areas have both periods",
                         expected="at least 3 areas to estimate the period-to-period "
                                  "correlation")
    a, b = both.iloc[:, 0].to_numpy(float), both.iloc[:, 1].to_numpy(float)
    if a.std() == 0 or b.std() == 0:
        raise InputError("z-scores do not vary across areas in one of the periods")
    r = float(np.corrcoef(a, b)[0, 1])
    se = float(np.sqrt((a.var(ddof=1) + b.var(ddof=1)) * max(0.0, 1.0 - r)))
    return r, se, n


@dataclass(frozen=True)
class Trends(Result):
    """Per area, index and pair of periods: change in z and band, and its verdict.

    ``table`` columns: index, area_id, area_code, area_name, period_from, period_to, z_from, z_to,
    change, band_from, band_to, band_change, se_diff, critical, rci, verdict.
    ``noise`` has one row per index and pair of periods: r, se_diff, critical, n.
    ``alpha``: the rule works at level ``1 − alpha``.
    """

    table: pd.DataFrame
    noise: pd.DataFrame
    alpha: float = 0.05

    def jumps(self, bands: int = 2) -> pd.DataFrame:
        """Rows where the band moved by at least ``bands`` either way."""
        t = self.table
        return t[t["band_change"].abs() >= bands]

    def to_frame(self) -> pd.DataFrame:
        t = self.table
        frame = pd.DataFrame({
            "measure": "z_change", "area_code": t["area_code"], "area_name": t["area_name"],
            "period": t["period_from"] + " → " + t["period_to"], "breakdown": "index",
            "group": t["index"], "value": t["change"], "lci": t["change"] - t["critical"],
            "uci": t["change"] + t["critical"], "unit": "z-score points",
            "note": t["verdict"],
        })
        extra = t[["area_id", "z_from", "z_to", "band_from", "band_to", "band_change", "se_diff",
                   "rci", "verdict"]].reset_index(drop=True)
        return tidy(pd.concat([frame.reset_index(drop=True), extra], axis=1))

    def summary(self) -> str:
        level = round(100 * (1 - self.alpha))
        lines = [f"Change between periods ({level}% reliable-change rule)"]
        for r in self.noise.itertuples(index=False):
            sub = self.table[(self.table["index"] == r.index)
                             & (self.table["period_from"] == r.period_from)]
            counts = sub["verdict"].value_counts()
            lines.append(
                f"{r.index} {r.period_from} → {r.period_to}: r = {r.r:.3f}, SE_diff = "
                f"{r.se_diff:.3f}, |Δz| must exceed {r.critical:.3f}; "
                + ", ".join(f"{k} {int(counts.get(k, 0))}"
                            for k in (IMPROVED, WORSENED, WITHIN_NOISE))
                + f"; moved ≥ 2 bands: {int((sub['band_change'].abs() >= 2).sum())}")
        if self.table["area_id"].nunique() <= 3:
            for row in self.table.itertuples(index=False):
                lines.append(f"  {row.area_name} {row.index} {row.period_from} → "
                             f"{row.period_to}: z {row.z_from:.3f} → {row.z_to:.3f} "
                             f"(Δ {row.change:+.3f}), band {row.band_from} → {row.band_to}:"
                             f" {row.verdict}")
        return "\n".join(lines)


@coverage_keyword("level")
def trends(
    composites: pd.DataFrame,
    *,
    index: str | Sequence[str] | None = None,
    area: str | Sequence[str] | None = None,
    period_from: str | None = None,
    period_to: str | None = None,
    alpha: float = 0.05,
    se_diff: float | pd.Series | Mapping[str, float] | None = None,
) -> Trends:
    """Change in z and band between periods for each area and index.

    Parameters
    ----------
    composites
        Long table in the :func:`socmob.data.composites` layout (``index_code``,
        ``area_id``, ``area_name``, ``period``, ``z``, ``band``).
    index
        Index code(s); default all.
    area
        Area id(s) or name(s) to report; default all. The noise scale always uses every
        area.
    period_from, period_to
        Compare just these two periods; default each pair of consecutive periods.
    alpha
        The reliable-change rule works at level ``1 − alpha`` (0.05: |RCI| < 1.96).
    se_diff
        Override the reliability-based noise: one standard error of a difference for
        every area, or one per area id.
    """
    require_columns(composites, ["index_code", "area_id", "period", "z"], "composites")
    check_alpha(alpha)
    codes = sorted(composites["index_code"].astype(str).unique())
    wanted = (codes if index is None else
              [choose(i, codes, "index") for i in ([index] if isinstance(index, str)
                                                    else index)])
    names, gss = area_labels(composites)
    all_ids = sorted(composites["area_id"].astype(str).unique())
    chosen_areas: list[str] | None = None
    if area is not None:
        chosen_areas = [_resolve_area(a, all_ids, names)
                        for a in ([area] if isinstance(area, str) else area)]
    quantile = float(stats.norm.ppf(1 - alpha / 2))
    has_band = "band" in composites.columns

    rows: list[pd.DataFrame] = []
    noise_rows: list[dict[str, object]] = []
    for code in wanted:
        sub = composites[composites["index_code"].astype(str) == code]
        periods = sort_periods(sub["period"])
        if period_from is not None or period_to is not None:
            if period_from is None or period_to is None:
                raise InputError("give both period_from and period_to, or neither")
            pairs = [(choose(period_from, periods, "period", f" for {code}"),
                      choose(period_to, periods, "period", f" for {code}"))]
        else:
            pairs = list(itertools.pairwise(periods))
        z = sub.pivot_table(index="area_id", columns="period", values="z", aggfunc="first")
        z.index = z.index.astype(str)
        band = (sub.pivot_table(index="area_id", columns="period", values="band",
                                aggfunc="first") if has_band else None)
        for p0, p1 in pairs:
            r, se, n = reliable_change_se(z[p0], z[p1])
            per_area = pd.Series(se, index=z.index)
            if se_diff is not None:
                per_area = (pd.Series(float(se_diff), index=z.index)
                            if isinstance(se_diff, (int, float))
                            else pd.Series(se_diff, dtype=float).reindex(z.index))
            crit = quantile * per_area
            noise_rows.append({"index": code, "period_from": p0, "period_to": p1,
                               "r": r, "se_diff": se if se_diff is None else np.nan,
                               "critical": quantile * se if se_diff is None else np.nan,
                               "n": n})
            ids = z.index[z[p0].notna() & z[p1].notna()]
            if chosen_areas is not None:
                ids = ids[ids.isin(chosen_areas)]
            change = z.loc[ids, p1] - z.loc[ids, p0]
            rci = change / per_area[ids]
            verdict = np.where(rci.abs() < quantile, WITHIN_NOISE,
                               np.where(change > 0, IMPROVED, WORSENED))
            verdict = np.where(rci.isna(), "unknown noise", verdict)
            b0 = band.loc[ids, p0].to_numpy() if band is not None else np.nan
            b1 = band.loc[ids, p1].to_numpy() if band is not None else np.nan
            rows.append(pd.DataFrame({
                "index": code, "area_id": list(ids),
                "area_code": [gss.get(i, i) for i in ids],
                "area_name": [names.get(i, i) for i in ids],
                "period_from": p0, "period_to": p1,
                "z_from": z.loc[ids, p0].to_numpy(), "z_to": z.loc[ids, p1].to_numpy(),
                "change": change.to_numpy(), "band_from": b0, "band_to": b1,
                "band_change": np.asarray(b1, dtype=float) - np.asarray(b0, dtype=float),
                "se_diff": per_area[ids].to_numpy(), "critical": crit[ids].to_numpy(),
                "rci": rci.to_numpy(), "verdict": verdict,
            }))
    table = (pd.concat(rows, ignore_index=True) if rows else
             pd.DataFrame(columns=["index", "area_id", "area_code", "area_name", "period_from",
                                   "period_to", "z_from", "z_to", "change", "band_from",
                                   "band_to", "band_change", "se_diff", "critical", "rci",
                                   "verdict"]))
    return Trends(table=table, noise=pd.DataFrame(noise_rows), alpha=alpha)
