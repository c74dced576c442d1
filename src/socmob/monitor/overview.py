"""Every indicator at once: the national health check of the framework.

Scanning some forty indicators at the 5% level would call about two of them "improving"
or "worsening" by chance alone, so the scan adjusts the p-values of the tests behind the
statuses for multiple comparisons — Holm (1979) by default, Benjamini–Hochberg as an
option (``health.yaml``: ``adjustment``) — separately for the indicator tests and for the
gap tests, and judges each indicator on its adjusted p-value. The evidence of every
status names the adjustment and gives both p-values.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd

import socmob.monitor.health as health
from socmob.monitor.analysis import Assessment, assess, evidence_text
from socmob.monitor.metadata import LEVELS, indicators
from socmob.monitor.stats import adjust_p_values
from socmob.results import Result, tidy

ADJUSTMENT_NAMES = {"holm": "Holm", "bh": "Benjamini–Hochberg", "none": ""}


@dataclass(frozen=True, eq=False)
class Overview(Result):
    """The assessments of every indicator, statuses judged on adjusted p-values.

    ``assessments`` in framework order (drivers, intermediate outcomes, mobility
    outcomes); ``adjustment`` (``holm``, ``bh`` or ``none``) and the number of tests in
    each family (``tests``, ``gap_tests``).
    """

    assessments: tuple[Assessment, ...] = field(repr=False)
    adjustment: str
    tests: int
    gap_tests: int

    def __getitem__(self, code: str) -> Assessment:
        for a in self.assessments:
            if a.code.lower() == code.lower():
                return a
        raise KeyError(code)

    def table(self) -> pd.DataFrame:
        """One flat row per indicator (:meth:`Assessment.summary_row`, unrounded)."""
        return pd.DataFrame([a.summary_row() for a in self.assessments])

    def to_frame(self) -> pd.DataFrame:
        """One row per indicator in the tidy schema: the latest value with its interval,
        then the gap, trend and statuses as extra columns."""
        return tidy(pd.concat([a.to_frame() for a in self.assessments], ignore_index=True))

    def counts(self) -> dict[str, dict[str, int]]:
        """Statuses counted by framework level."""
        out: dict[str, dict[str, int]] = {}
        for level in LEVELS:
            out[level] = dict(Counter(a.status.status for a in self.assessments
                                      if a.indicator.level == level))
        return out

    def to_dict(self) -> dict[str, Any]:
        from socmob.results import jsonable

        return {"result": "Overview", "adjustment": self.adjustment, "tests": self.tests,
                "gap_tests": self.gap_tests, "counts": self.counts(),
                "indicators": [jsonable(a.summary_row()) for a in self.assessments]}


def _rejudge(a: Assessment, p: float | None, gap_p: float | None, rules: health.Rules,
             adjustment: str) -> Assessment:
    name = ADJUSTMENT_NAMES.get(adjustment, adjustment)
    neutral = a.indicator.good == "neither"
    unit = a.series.display_unit if a.series is not None else "number"
    status = a.status
    if p is not None:
        ev = dict(a.status.evidence)
        ev["p_unadjusted"], ev["p"] = ev.get("p"), p
        status = health.judge(ev, kind="indicator", rule_set=rules, neutral=neutral,
                              text=evidence_text(ev, unit=unit, adjusted=name))
    gap_status = a.gap_status
    if gap_p is not None and a.gap is not None:
        ev = dict(a.gap_status.evidence)
        ev["p_unadjusted"], ev["p"] = ev.get("p"), gap_p
        gap_status = health.judge(
            ev, kind="gap", rule_set=rules,
            text=evidence_text(ev, unit=unit, adjusted=name,
                               what=f"The gap ({a.gap.most_advantaged} vs "
                                    f"{a.gap.least_advantaged})"))
    return replace(a, status=status, gap_status=gap_status)


def overview(*, adjustment: str | None = None, rules: health.Rules | None = None,
             codes: list[str] | None = None) -> Overview:
    """Assess every indicator (or ``codes``) in its latest edition and judge the statuses
    on p-values adjusted for the scan (module docstring). The default scan is computed
    once per process (the embedded data does not change)."""
    if rules is None and codes is None:
        return _default_overview(adjustment or health.rules().adjustment)
    return _overview(adjustment, rules, codes)


@lru_cache(maxsize=4)
def _default_overview(adjustment: str) -> Overview:
    return _overview(adjustment, None, None)


def _overview(adjustment: str | None, rules: health.Rules | None,
              codes: list[str] | None) -> Overview:
    rs = rules or health.rules()
    adj = adjustment or rs.adjustment
    chosen = codes or list(indicators())
    first = [assess(code, rules=rs) for code in chosen]
    p = np.array([_p(a.status.evidence) for a in first])
    gp = np.array([_p(a.gap_status.evidence) if a.gap is not None else np.nan for a in first])
    p_adj = adjust_p_values(p, method=adj)
    gp_adj = adjust_p_values(gp, method=adj)
    judged = tuple(
        _rejudge(a, None if not np.isfinite(pa) else float(pa),
                 None if not np.isfinite(ga) else float(ga), rs, adj)
        if adj != "none" else a
        for a, pa, ga in zip(first, p_adj, gp_adj, strict=True))
    return Overview(judged, adj, int(np.isfinite(p).sum()), int(np.isfinite(gp).sum()))


def _p(evidence: Mapping[str, Any]) -> float:
    """The p-value a status rests on (NaN when there is no test)."""
    if evidence.get("points", 0) < health.rules().thresholds["min_points"]:
        return float("nan")
    value = evidence.get("p")
    return float(value) if value is not None else float("nan")


__all__ = ["ADJUSTMENT_NAMES", "Overview", "overview"]
