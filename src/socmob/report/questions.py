""""What should you be asking?" — questions generated from an area's results.

The rules are data (``questions.yaml`` beside this module): each rule has conditions on
one *fact* per index, a priority, a question template and the panel that holds the
evidence. Facts are read from the library's results gathered for the area page (latest
band and z-score from ``socmob.data``; band probabilities from
``socmob.place.uncertainty``; trend, spatial cluster and better/worse than expected from
``socmob.place``), and the change between periods from the published z-scores (the
latest step, and the whole span since the first period). The weakest and most
uncertain domains therefore come first, and each question links to the numbers behind
it.

Words that depend on the place are data too (``words`` in ``questions.yaml``): who can
act ("the council and its partners" in Great Britain; in Northern Ireland, reported as
one area, the Executive, its councils and their partners), chosen by the area's nation.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from typing import Any

import pandas as pd
import yaml

from socmob.errors import InputError
from socmob.periods import sort_by_period

OPS = {
    "lt": lambda a, b: a < b,
    "le": lambda a, b: a <= b,
    "gt": lambda a, b: a > b,
    "ge": lambda a, b: a >= b,
    "eq": lambda a, b: a == b,
    "ne": lambda a, b: a != b,
    "in": lambda a, b: a in b,
}


@dataclass(frozen=True)
class Rule:
    """One question rule (see ``questions.yaml``)."""

    id: str
    priority: int
    when: dict[str, dict[str, Any]]
    text: str
    evidence: str

    def matches(self, fact: Mapping[str, Any]) -> bool:
        """Whether every condition holds for ``fact`` (a missing value never matches)."""
        for key, conds in self.when.items():
            value = fact.get(key)
            if value is None or (isinstance(value, float) and math.isnan(value)):
                return False
            for op, target in conds.items():
                try:
                    if not OPS[op](value, target):
                        return False
                except TypeError:
                    return False
        return True


@dataclass(frozen=True)
class Question:
    """A generated question with the panel holding its evidence."""

    rule: str
    text: str
    evidence: str
    index_code: str
    index_title: str
    priority: int


@dataclass(frozen=True)
class RuleSet:
    """The rules, how many questions to ask at most, and the words that depend on the
    area's nation: ``words[name][nation]``, else ``words[name]["default"]``."""

    rules: tuple[Rule, ...]
    max_questions: int
    words: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    def words_for(self, nation: str) -> dict[str, str]:
        """Each place-dependent word for an area of ``nation``."""
        return {name: str(by_nation.get(nation, by_nation.get("default", "")))
                for name, by_nation in self.words.items()}


def parse_rules(config: Mapping[str, Any], *, source: str = "questions.yaml") -> RuleSet:
    """Validate a rules mapping (as in ``questions.yaml``)."""
    rules = []
    for k, raw in enumerate(config.get("rules") or []):
        where = f"rule {k + 1}"
        missing = {"id", "when", "text", "evidence"} - set(raw)
        if missing:
            raise InputError(f"{where} lacks {sorted(missing)}", file=source,
                             expected="id, when, text, evidence (and priority)")
        for key, conds in raw["when"].items():
            bad = set(conds) - set(OPS)
            if bad:
                raise InputError(f"{where} ({raw['id']}), condition on {key!r}: unknown "
                                 f"operator {sorted(bad)}", file=source,
                                 expected=", ".join(OPS))
        rules.append(Rule(str(raw["id"]), int(raw.get("priority", 5)), dict(raw["when"]),
                          " ".join(str(raw["text"]).split()), str(raw["evidence"])))
    words = config.get("words") or {}
    for name, by_nation in words.items():
        if not isinstance(by_nation, Mapping) or "default" not in by_nation:
            raise InputError(f"words.{name} needs a default wording", file=source,
                             expected="a mapping of nation to wording with a 'default'")
    return RuleSet(tuple(rules), int(config.get("max_questions", 6)),
                   {str(k): {str(n): str(w) for n, w in v.items()} for k, v in words.items()})


@lru_cache(maxsize=1)
def default_rules() -> RuleSet:
    """The packaged rules from ``questions.yaml``."""
    text = resources.files("socmob.report").joinpath("questions.yaml").read_text("utf-8")
    return parse_rules(yaml.safe_load(text))


def _latest(table: pd.DataFrame) -> pd.DataFrame:
    rows = sort_by_period(table)
    return rows.groupby("measure", sort=True).tail(1)


def _lookup(section: Any, index_code: str, column_options: tuple[str, ...]) -> Any:
    """The value for ``index_code`` in a panel's tidy table, from the first column
    present among ``column_options`` (the row whose ``measure`` is the index)."""
    if section is None or not getattr(section, "available", False):
        return None
    table = section.get().table
    key = next((c for c in ("index_code", "measure") if c in table.columns), None)
    if key is None:
        return None
    rows = table[table[key].astype(str).str.lower() == index_code.lower()]
    if rows.empty:
        return None
    row = (sort_by_period(rows).iloc[-1]
           if "period" in rows.columns and rows["period"].notna().any() else rows.iloc[-1])
    for col in column_options:
        if col in rows.columns and pd.notna(row[col]):
            return row[col]
    return None


def _changes(table: pd.DataFrame) -> dict[str, dict[str, Any]]:
    """Per index: the change in z over the latest step (``change``, from
    ``previous_period``, ``z_before``, ``band_label_before``) and since the first period
    (``change_since_first``, ``first_period``, ``z_first``, ``band_label_first``)."""
    out: dict[str, dict[str, Any]] = {}
    for code, rows in sort_by_period(table).groupby("measure", sort=True):
        if len(rows) < 2:
            continue
        first, before, last = rows.iloc[0], rows.iloc[-2], rows.iloc[-1]
        out[str(code)] = {
            "change": round(float(last["value"]) - float(before["value"]), 3),
            "previous_period": str(before["period"]), "z_before": float(before["value"]),
            "band_label_before": str(before["group"]),
            "change_since_first": round(float(last["value"]) - float(first["value"]), 3),
            "first_period": str(first["period"]), "z_first": float(first["value"]),
            "band_label_first": str(first["group"]),
        }
    return out


def facts(area: Any, parts: Mapping[str, Any], *,
          words: Mapping[str, str] | None = None) -> list[dict[str, Any]]:
    """One fact per index from the area's panels (see the module docstring); ``words``
    (the place-dependent wording) is added to every fact."""
    indices = parts.get("indices")
    if indices is None or not indices.available:
        return []
    changes = _changes(indices.value.table)
    out = []
    for row in _latest(indices.value.table).itertuples(index=False):
        code = str(row.measure)
        band = getattr(row, "band", None)
        fact: dict[str, Any] = {
            "area": area.name,
            "index_code": code,
            "index_title": str(row.note),
            "period": str(row.period),
            "z": float(row.value),  # type: ignore[arg-type]
            "band": int(band) if band is not None and pd.notna(band) else None,
            "band_label": str(row.group),
            "probability": _lookup(parts.get("band_probabilities"), code,
                                   ("probability",)),
            "trend": _text(_lookup(parts.get("trend"), code, ("verdict",))),
            "cluster": _text(_lookup(parts.get("spatial"), code, ("spot",))),
            "expected": _text(_lookup(parts.get("expected"), code, ("verdict",))),
        }
        if fact["probability"] is not None:
            fact["probability"] = float(fact["probability"])  # type: ignore[arg-type]
        fact.update(changes.get(code, {}))
        fact.update(words or {})
        out.append(fact)
    return out


def _text(value: Any) -> str | None:
    return None if value is None else str(value).strip().lower()


def generate(area: Any, parts: Mapping[str, Any], *,
             rules: RuleSet | None = None) -> list[Question]:
    """Questions for ``area`` from its panels, most pressing first, at most
    ``rules.max_questions``, at most one per (rule, index) and two per index."""
    rules = rules or default_rules()
    words = rules.words_for(str(getattr(area, "nation", "") or ""))
    found: list[tuple[int, float, Question]] = []
    for fact in facts(area, parts, words=words):
        for rule in rules.rules:
            if rule.matches(fact):
                q = Question(rule.id, rule.text.format(**fact), rule.evidence,
                             fact["index_code"], fact["index_title"], rule.priority)
                found.append((rule.priority, fact["z"], q))
    found.sort(key=lambda t: (t[0], t[1]))
    chosen: list[Question] = []
    per_index: dict[str, int] = {}
    for _, _, q in found:
        if per_index.get(q.index_code, 0) >= 2:
            continue
        chosen.append(q)
        per_index[q.index_code] = per_index.get(q.index_code, 0) + 1
        if len(chosen) >= rules.max_questions:
            break
    return chosen
