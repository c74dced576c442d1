"""Background impact: a change to an indicator's value for one background group, and
what it does to the gap the monitor publishes between the most and least advantaged
groups (:mod:`socmob.monitor`).

For indicator *c* the monitor's gap (``monitor.assess(c).gap``) compares the most
advantaged group (value a, standard error s_a) with the least advantaged (b, s_b) at
the latest time both are published: d = a − b, with se(d) = √(s_a² + s_b²) and ratio
a / b (:func:`socmob.monitor.difference`). A scenario changes a and/or b (``add``,
``set``, ``multiply``, ``percent``, applied in file order) and the gap is recomputed
with the same formula:

* the **signed gap** g = σ·d, σ = −1 where a lower value is better (e.g. NEET rates),
  is the advantage of the most advantaged group; it **narrows** when g falls and
  **widens** when g rises — a widening gap is flagged, and so is a group whose own
  value moves the unfavourable way (levelling down), even when the gap narrows;
* the standard errors are the published ones (the change is taken as exact, and as
  not changing the precision of the estimates), so the scenario's interval is the
  baseline's moved by the change;
* a value the indicator cannot take (a percentage outside 0–100, a share outside 0–1, a
  negative amount of money or odds ratio) is refused, naming the change.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from socmob._text import normalise
from socmob.assess.flags import TOLERANCE, Flag
from socmob.assess.scenario import GROUP_ENDS, GapChange, scenario_error
from socmob.errors import NotFoundError
from socmob.results import ByGroup, Result, tidy

#: Bounds of a value by the monitor's display unit.
DISPLAY_BOUNDS: dict[str, tuple[float, float]] = {
    "%": (0.0, 100.0),
    "share": (0.0, 1.0),
    "£": (0.0, math.inf),
    "£bn": (0.0, math.inf),
    "£m": (0.0, math.inf),
    "odds ratio": (0.0, math.inf),
}


@dataclass(frozen=True, eq=False)
class GapImpact(Result):
    """The gap of one indicator before and after a scenario.

    ``a``/``b``: the most / least advantaged group's value, baseline and scenario;
    ``gap_*``: the difference a − b with its interval; ``signed_*``: the advantage of the
    most advantaged group (narrowing = falling); ``ratio_*``: a / b.
    """

    code: str
    title: str
    dimension: str
    most_advantaged: str
    least_advantaged: str
    period: str
    unit: str
    good: str
    sign: int
    a_baseline: float
    b_baseline: float
    a_scenario: float
    b_scenario: float
    se_a: float
    se_b: float
    gap_baseline: float
    gap_baseline_lower: float
    gap_baseline_upper: float
    gap_scenario: float
    gap_scenario_lower: float
    gap_scenario_upper: float
    ratio_baseline: float
    ratio_scenario: float
    changes: tuple[str, ...]
    alpha: float = 0.05

    @property
    def signed_baseline(self) -> float:
        return self.sign * self.gap_baseline

    @property
    def signed_scenario(self) -> float:
        return self.sign * self.gap_scenario

    @property
    def signed_change(self) -> float:
        """Change in the advantage of the most advantaged group (< 0: narrows)."""
        return self.signed_scenario - self.signed_baseline

    @property
    def verdict(self) -> str:
        d = self.signed_change
        return "narrows" if d < -TOLERANCE else "widens" if d > TOLERANCE else "unchanged"

    def conf_int(self, alpha: float = 0.05) -> pd.DataFrame:
        """Intervals of the baseline and scenario gap (a − b) at level 1 − alpha."""
        from socmob.monitor.stats import z_value

        z = z_value(alpha)
        se = math.sqrt(self.se_a**2 + self.se_b**2)
        return pd.DataFrame({"lower": [self.gap_baseline - z * se, self.gap_scenario - z * se],
                             "upper": [self.gap_baseline + z * se, self.gap_scenario + z * se]},
                            index=["baseline", "scenario"])

    def row(self) -> dict[str, object]:
        return {"indicator": self.code, "title": self.title, "dimension": self.dimension,
                "most_advantaged": self.most_advantaged,
                "least_advantaged": self.least_advantaged, "period": self.period,
                "unit": self.unit, "good": self.good,
                "most_baseline": self.a_baseline, "most_scenario": self.a_scenario,
                "least_baseline": self.b_baseline, "least_scenario": self.b_scenario,
                "gap_baseline": self.gap_baseline,
                "gap_baseline_lower": self.gap_baseline_lower,
                "gap_baseline_upper": self.gap_baseline_upper,
                "gap_scenario": self.gap_scenario,
                "gap_scenario_lower": self.gap_scenario_lower,
                "gap_scenario_upper": self.gap_scenario_upper,
                "gap_change": self.gap_scenario - self.gap_baseline,
                "advantage_change": self.signed_change, "verdict": self.verdict,
                "ratio_baseline": self.ratio_baseline, "ratio_scenario": self.ratio_scenario,
                "changes": "; ".join(self.changes)}

    def to_frame(self) -> pd.DataFrame:
        """Tidy: measures ``gap_baseline`` and ``gap_scenario`` (most minus least
        advantaged), with intervals; the other figures as extra columns."""
        base = pd.DataFrame({
            "measure": ["gap_baseline", "gap_scenario"], "area_code": "K02000001",
            "area_name": "United Kingdom", "period": self.period,
            "breakdown": self.dimension, "group": self.code,
            "value": [self.gap_baseline, self.gap_scenario],
            "lci": [self.gap_baseline_lower, self.gap_scenario_lower],
            "uci": [self.gap_baseline_upper, self.gap_scenario_upper],
            "unit": self.unit,
            "note": f"{self.most_advantaged} minus {self.least_advantaged}"})
        out = tidy(base)
        out["indicator"] = self.code
        out["verdict"] = self.verdict
        out["advantage_change"] = self.signed_change
        return out


def _group_side(change: GapChange, most: str, least: str) -> str:
    key = normalise(change.group)
    if key in (normalise("least advantaged"), normalise("least"), normalise(least)):
        return "b"
    if key in (normalise("most advantaged"), normalise("most"), normalise(most)):
        return "a"
    raise scenario_error(f"group {change.group!r} is not one of the two groups the gap "
                         f"compares ({most} vs {least})", change.where.child("group"),
                         expected=f"{GROUP_ENDS[0]}, {GROUP_ENDS[1]}, {least!r} or {most!r}")


def gap_impacts(changes: Sequence[GapChange]) -> ByGroup[GapImpact]:
    """The gap of every indicator a scenario's background changes touch (module
    docstring), one :class:`GapImpact` per indicator.

    Raises
    ------
    ScenarioError
        An unknown indicator (with "did you mean"), one with no background gap, a group
        the gap does not compare, or a change that makes a value impossible.
    """
    from socmob import monitor
    from socmob.monitor.stats import difference

    by_code: dict[str, list[GapChange]] = {}
    entries = {}
    for ch in changes:
        try:
            entry = monitor.indicator(ch.indicator)
        except NotFoundError as exc:
            raise scenario_error(str(exc), ch.where.child("indicator"),
                                 expected="an indicator code such as in21") from None
        entries[entry.code] = entry
        by_code.setdefault(entry.code, []).append(ch)
    results: dict[str, GapImpact] = {}
    for code, group in by_code.items():
        a_ = monitor.assess(code)
        gap = a_.gap
        first = group[0]
        if gap is None or gap.latest() is None:
            raise scenario_error(f"{code} has no gap between backgrounds to change: "
                                 f"{a_.gap_reason}", first.where.child("indicator"),
                                 expected="an indicator the monitor publishes a gap for "
                                          "(see 'socmob monitor')")
        d = gap.latest()
        assert d is not None
        unit = a_.series.display_unit if a_.series is not None else "number"
        lo, hi = DISPLAY_BOUNDS.get(unit, (-math.inf, math.inf))
        a, b = float(d.a), float(d.b)
        described = []
        for ch in group:
            side = _group_side(ch, gap.most_advantaged, gap.least_advantaged)
            before = a if side == "a" else b
            after = ch.apply(before)
            name = gap.most_advantaged if side == "a" else gap.least_advantaged
            if not (lo <= after <= hi) or not math.isfinite(after):
                bound = f"above {hi:g}" if after > hi else f"below {lo:g}"
                raise scenario_error(
                    f"the change takes {code} for {name} from {before:g} to {after:g} "
                    f"({unit}), {bound}: impossible", ch.where.child(ch.op),
                    expected=f"values from {lo:g} to {hi:g}" if math.isfinite(hi)
                    else f"values ≥ {lo:g}")
            if side == "a":
                a = after
            else:
                b = after
            how = {"add": f"{ch.amount:+g}", "set": f"set to {ch.amount:g}",
                   "multiply": f"×{ch.amount:g}", "percent": f"{ch.amount:+g}%"}[ch.op]
            described.append(f"{name} {how}")
        scen = difference(a, b, d.se_a, d.se_b, label=d.label, log_scale=gap.log_scale)
        entry = entries[code]
        results[code] = GapImpact(
            code=code, title=entry.title, dimension=gap.dimension,
            most_advantaged=gap.most_advantaged, least_advantaged=gap.least_advantaged,
            period=d.label, unit=unit, good=entry.good, sign=gap.sign,
            a_baseline=float(d.a), b_baseline=float(d.b), a_scenario=a, b_scenario=b,
            se_a=float(d.se_a), se_b=float(d.se_b), gap_baseline=float(d.estimate),
            gap_baseline_lower=float(d.lower), gap_baseline_upper=float(d.upper),
            gap_scenario=float(scen.estimate), gap_scenario_lower=float(scen.lower),
            gap_scenario_upper=float(scen.upper), ratio_baseline=float(d.ratio),
            ratio_scenario=float(scen.ratio), changes=tuple(described))
    return ByGroup(by="indicator", results=results)


def gap_table(impacts: ByGroup[GapImpact]) -> pd.DataFrame:
    """One row per indicator (:meth:`GapImpact.row`)."""
    return pd.DataFrame([r.row() for r in impacts.values()])


def gap_flags(impacts: ByGroup[GapImpact]) -> list[Flag]:
    """A widening gap, and a group whose own value moves the unfavourable way."""
    out: list[Flag] = []
    for code, g in impacts.items():
        if g.verdict == "widens":
            out.append(Flag("background", "gap widens", g.title,
                            f"{g.title} ({code}): the gap between {g.most_advantaged} and "
                            f"{g.least_advantaged} widens by {g.signed_change:.3g} {g.unit}.",
                            g.signed_change))
        orientation = {"higher": 1, "lower": -1}.get(g.good, 0)
        for name, before, after in ((g.most_advantaged, g.a_baseline, g.a_scenario),
                                    (g.least_advantaged, g.b_baseline, g.b_scenario)):
            if orientation and orientation * (after - before) < -TOLERANCE:
                out.append(Flag("background", "group loses", name,
                                f"{g.title} ({code}): {name} moves the unfavourable way "
                                f"({before:.4g} → {after:.4g} {g.unit})"
                                + (", though the gap narrows" if g.verdict == "narrows"
                                   else "") + ".", after - before))
    return out


__all__ = ["DISPLAY_BOUNDS", "GapImpact", "gap_flags", "gap_impacts", "gap_table"]
