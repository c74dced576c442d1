"""Health checks: one status per indicator and per gap, from rules kept as data
(``health.yaml``), always returned with the evidence behind them.

A rule set is an ordered list of ``(status, conditions)``; the first rule whose
conditions all hold wins. The evidence is a small mapping (``points``, ``test``, ``p``,
``direction`` …, see ``health.yaml``); a condition compares one field with a number or a
named threshold. Keeping the rules as data lets an analyst read and change what
"improving" means without touching code, and lets the tests place constructed series
just either side of every threshold.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import pandas as pd
import yaml

from socmob.errors import InputError
from socmob.results import Result, tidy

_FILE = "health.yaml"

_OPS: dict[str, Callable[[Any, Any], bool]] = {
    "<": operator.lt, "<=": operator.le, ">": operator.gt, ">=": operator.ge,
    "==": operator.eq, "!=": operator.ne,
}


@dataclass(frozen=True)
class Condition:
    """``field op value`` (``value`` a number or the name of a threshold); the operator
    ``is`` with value ``None`` holds when the field is missing."""

    field: str
    op: str
    value: Any

    def holds(self, evidence: Mapping[str, Any], thresholds: Mapping[str, float]) -> bool:
        got = evidence.get(self.field)
        missing = got is None or (isinstance(got, float) and math.isnan(got))
        if self.op == "is":
            return missing if self.value is None else (not missing and got == self.value)
        if missing:
            return False
        target = thresholds[self.value] if isinstance(self.value, str) else self.value
        return bool(_OPS[self.op](got, target))

    def describe(self, thresholds: Mapping[str, float]) -> str:
        """The condition as text, thresholds resolved (``"p < 0.05"``)."""
        if self.op == "is":
            return f"{self.field} is missing"
        target = thresholds.get(self.value, self.value) if isinstance(self.value, str) \
            else self.value
        return f"{self.field} {self.op} {target:g}" if isinstance(target, (int, float)) \
            else f"{self.field} {self.op} {target}"


@dataclass(frozen=True)
class Rule:
    """A status and the conditions that give it."""

    status: str
    conditions: tuple[Condition, ...] = ()


@dataclass(frozen=True)
class Rules:
    """A complete rule set: thresholds, the multiple-comparison adjustment, the indicator
    and gap rules, and the names used for indicators with no good direction."""

    thresholds: Mapping[str, float]
    adjustment: str
    indicator: tuple[Rule, ...]
    gap: tuple[Rule, ...]
    neutral: Mapping[str, str] = field(default_factory=dict)

    @property
    def alpha(self) -> float:
        """The significance level of the rules."""
        return float(self.thresholds["alpha"])

    @property
    def min_trend_points(self) -> int:
        """Independent points a trend line needs."""
        return int(self.thresholds["min_trend_points"])

    def with_thresholds(self, **changes: float) -> Rules:
        """The same rules with some thresholds changed."""
        unknown = set(changes) - set(self.thresholds)
        if unknown:
            raise InputError(f"unknown threshold {sorted(unknown)[0]!r}",
                             expected=", ".join(self.thresholds))
        return Rules({**self.thresholds, **changes}, self.adjustment, self.indicator,
                     self.gap, self.neutral)


@dataclass(frozen=True, eq=False)
class Status(Result):
    """A health-check status with its evidence and the rule that gave it."""

    kind: str
    status: str
    evidence: Mapping[str, Any]
    rule: str
    text: str = ""

    def to_frame(self) -> pd.DataFrame:
        return tidy(pd.DataFrame({"measure": [f"{self.kind} status"], "value": [None],
                                  "note": [self.status], "rule": [self.rule],
                                  "evidence": [self.text]}))


def parse_rules(raw: Mapping[str, Any], *, source: str = _FILE) -> Rules:
    """A :class:`Rules` from the mapping form of ``health.yaml``."""
    thresholds = {str(k): float(v) for k, v in (raw.get("thresholds") or {}).items()}
    for needed in ("alpha", "min_trend_points", "min_points"):
        if needed not in thresholds:
            raise InputError(f"missing threshold {needed!r}", file=source)

    def rules(kind: str) -> tuple[Rule, ...]:
        out = []
        for k, entry in enumerate(raw.get(kind) or []):
            conditions = []
            for cond in entry.get("when") or []:
                if len(cond) != 3 or (cond[1] not in _OPS and cond[1] != "is"):
                    raise InputError(f"{kind} rule {k + 1}: bad condition {cond!r}", file=source,
                                     expected="[field, operator, value]")
                if isinstance(cond[2], str) and cond[2] not in thresholds:
                    raise InputError(f"{kind} rule {k + 1}: unknown threshold {cond[2]!r}",
                                     file=source, expected=", ".join(thresholds))
                conditions.append(Condition(str(cond[0]), str(cond[1]), cond[2]))
            out.append(Rule(str(entry["status"]), tuple(conditions)))
        if not out or out[-1].conditions:
            raise InputError(f"the {kind} rules must end with a rule without conditions",
                             file=source)
        return tuple(out)

    adjustment = str(raw.get("adjustment", "holm"))
    if adjustment not in ("holm", "bh", "none"):
        raise InputError(f"unknown adjustment {adjustment!r}", file=source,
                         expected="holm, bh or none")
    return Rules(thresholds, adjustment, rules("indicator"), rules("gap"),
                 {str(k): str(v) for k, v in (raw.get("neutral") or {}).items()})


@cache
def rules() -> Rules:
    """The packaged rules (``health.yaml``)."""
    text = files("socmob.monitor").joinpath(_FILE).read_text(encoding="utf-8")
    return parse_rules(yaml.safe_load(text))


def judge(evidence: Mapping[str, Any], *, kind: str = "indicator",
          rule_set: Rules | None = None, neutral: bool = False, text: str = "") -> Status:
    """The status the first matching rule gives ``evidence`` (``kind``: ``indicator`` or
    ``gap``); ``neutral`` renames improving/worsening for indicators with no good
    direction."""
    rs = rule_set or rules()
    chain: Sequence[Rule] = rs.indicator if kind == "indicator" else rs.gap
    for rule in chain:
        if all(c.holds(evidence, rs.thresholds) for c in rule.conditions):
            status = rs.neutral.get(rule.status, rule.status) if neutral else rule.status
            described = " and ".join(c.describe(rs.thresholds) for c in rule.conditions)
            return Status(kind=kind, status=status, evidence=dict(evidence),
                          rule=described or "otherwise", text=text)
    raise AssertionError("the last rule has no conditions")  # pragma: no cover


__all__ = ["Condition", "Rule", "Rules", "Status", "judge", "parse_rules", "rules"]
