"""The scenario file: what a policy changes, read from YAML and checked with one clear
message per problem, naming the key and its line.

A scenario has up to three parts (any may be left out; a scenario with none changes
nothing, and its assessment says so):

``place``
    changes to the values behind the composite indices, and to how they are built.
    ``level: areas`` (default) acts on the published index scores of the SMC's 205
    areas; ``level: itl2`` acts on the component indicators of the 41 ITL2 regions
    through the index model (:mod:`socmob.assess.models`), where construction choices
    (weights, normalisation, aggregation, imputation) can change too.
``background``
    changes to an indicator's value for one background group (e.g. the least
    advantaged), whose gap with the other end the monitor publishes.
``income``
    a transfer to parents in chosen income quintiles, with a stated pass-through to
    their children's incomes, for microdata.

Example::

    name: Early years in the most deprived areas
    place:
      level: areas
      changes:
        - index: ci1
          add: 0.25                       # z-score points
          target:
            band: {ci1: [1, 2]}           # areas in bands 1–2 of Conditions of Childhood
    background:
      - indicator: in21
        group: least advantaged
        add: 2                            # percentage points
    income:
      transfer: {add: 1000}               # £ a year to each parent …
      quintiles: [1]                      # … in the bottom fifth of parents
      pass_through: 0.3                   # 30% of it reaches the child's own income
    uncertainty: {runs: 1000, seed: 20250101}

A change is ``add`` (absolute), ``set`` (a new value), ``multiply`` (a factor) or
``percent`` (relative: ``percent: 10`` is ×1.1). A ``target`` selects units by name
(``areas``), ``region``/``nation``, index ``band`` or a condition (``where``) on another
indicator or index; several keys in one target must all hold (they intersect), several
values of one key are alternatives (they unite); ``all: true`` selects every unit.

This module checks the *form* (types, keys, one operation per change); whether the names
exist and the values stay possible is checked against the data when the scenario is
assessed (:mod:`socmob.assess.place`), with the same kind of message. The JSON Schema of
the file is :data:`SCENARIO_SCHEMA` (``scenario.schema.json`` beside this module, and in
``docs/assess.md``).
"""

from __future__ import annotations

import json
import math
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

from socmob._text import closest, did_you_mean
from socmob.assess._located import Located, Path_, key_text, plain, read_located
from socmob.errors import InputError

Op = Literal["add", "set", "multiply", "percent"]
OPS: tuple[str, ...] = ("add", "set", "multiply", "percent")
COMPARISONS: tuple[str, ...] = ("above", "below", "at_least", "at_most")
LEVELS: tuple[str, ...] = ("areas", "itl2")
GROUP_ENDS: tuple[str, ...] = ("least advantaged", "most advantaged")

#: Default Monte Carlo runs and seed of the place impact (the SMC rank analysis' seed).
DEFAULT_RUNS = 1000
DEFAULT_SEED = 20250101
MAX_RUNS = 20_000
#: Default bootstrap replicates of the income impact.
DEFAULT_BOOTSTRAP = 200

_TOP = ("name", "description", "place", "background", "income", "uncertainty")
_PLACE = ("level", "changes", "construction")
_CHANGE = ("index", "indicator", "target", "label", *OPS)
_TARGET = ("areas", "area", "regions", "region", "nations", "nation", "band", "where", "all")
_CONSTRUCTION = ("weights", "normalise", "aggregate", "impute")
_BACKGROUND = ("indicator", "group", "label", *OPS)
_INCOME = ("transfer", "quintiles", "pass_through", "parent_income_includes_transfer",
           "data", "parent", "child", "weight", "bootstrap", "seed")
_UNCERTAINTY = ("runs", "seed")


# --------------------------------------------------------------------------- errors


@dataclass(frozen=True)
class Problem:
    """One problem of a scenario: where it is (file, line, key) and what was expected."""

    message: str
    file: str | None = None
    line: int | None = None
    key: str | None = None
    expected: str | None = None

    def __str__(self) -> str:
        where = []
        if self.line is not None:
            where.append(f"line {self.line}")
        if self.key:
            where.append(f"key {self.key!r}")
        text = (", ".join(where) + ": " if where else "") + self.message
        if self.expected:
            text += f" (expected {self.expected})"
        return text


class ScenarioError(InputError):
    """A scenario that cannot be assessed. ``problems`` lists every problem found (the
    message shows the first and counts the others), each naming the key and its line."""

    def __init__(self, problems: Sequence[Problem], file: str | None = None) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        first = self.problems[0]
        more = len(self.problems) - 1
        text = str(Problem(first.message, line=first.line, key=first.key))
        if more:
            text += f" (and {more} more problem{'s' if more > 1 else ''}: " + "; ".join(
                str(p) for p in self.problems[1:4]) + (" …" if more > 3 else "") + ")"
        super().__init__(text, file=file or first.file, expected=first.expected)


def scenario_error(message: str, where: Where | None, *, expected: str | None = None
                   ) -> ScenarioError:
    """A :class:`ScenarioError` with one problem at ``where``."""
    w = where or Where()
    return ScenarioError([Problem(message, w.file, w.line, w.key, expected)], w.file)


# --------------------------------------------------------------------------- the parts


@dataclass(frozen=True)
class Where:
    """Where a part of the scenario is written: file, line and key path."""

    file: str | None = None
    line: int | None = None
    key: str | None = None

    def child(self, key: str, line: int | None = None) -> Where:
        return Where(self.file, line if line is not None else self.line,
                     f"{self.key}.{key}" if self.key else key)


@dataclass(frozen=True)
class Condition:
    """A condition on another measure: ``measure`` (an indicator or index code)
    ``comparison`` (above, below, at_least, at_most) ``value``."""

    measure: str
    comparison: str
    value: float
    where: Where = field(default_factory=Where, compare=False)


@dataclass(frozen=True)
class BandTarget:
    """Units in ``bands`` (1–7) of ``index``."""

    index: str
    bands: tuple[int, ...]
    where: Where = field(default_factory=Where, compare=False)


@dataclass(frozen=True)
class Target:
    """Which units a change applies to: every key given must hold (intersection); the
    values of one key are alternatives (union)."""

    areas: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    nations: tuple[str, ...] = ()
    bands: tuple[BandTarget, ...] = ()
    conditions: tuple[Condition, ...] = ()
    all: bool = False
    where: Where = field(default_factory=Where, compare=False)
    keys: Mapping[str, Where] = field(default_factory=dict, compare=False)

    def at(self, key: str) -> Where:
        """Where the target's ``key`` (areas, region, nation …) is written."""
        return self.keys.get(key) or self.where.child(key)

    def describe(self) -> str:
        """The target in words."""
        parts = []
        if self.all:
            parts.append("every unit")
        if self.areas:
            parts.append(", ".join(self.areas))
        if self.regions:
            parts.append("region " + " or ".join(self.regions))
        if self.nations:
            parts.append(" or ".join(self.nations))
        for b in self.bands:
            parts.append(f"bands {_bands_text(b.bands)} of {b.index}")
        for c in self.conditions:
            parts.append(f"{c.measure} {c.comparison.replace('_', ' ')} {c.value:g}")
        return "; ".join(parts) if parts else "no unit"


def _bands_text(bands: Sequence[int]) -> str:
    b = sorted(bands)
    if len(b) > 1 and b == list(range(b[0], b[-1] + 1)):
        return f"{b[0]}–{b[-1]}"
    return ", ".join(str(x) for x in b)


@dataclass(frozen=True)
class ValueChange:
    """A change to a measure's value in some units: ``op`` (add, set, multiply,
    percent) by ``amount``."""

    measure: str
    op: str
    amount: float
    target: Target
    label: str | None = None
    where: Where = field(default_factory=Where, compare=False)

    def describe(self) -> str:
        """The change in words (without its target)."""
        how = {"add": f"{self.amount:+g}", "set": f"set to {self.amount:g}",
               "multiply": f"×{self.amount:g}", "percent": f"{self.amount:+g}%"}[self.op]
        return f"{self.measure} {how}"

    def apply(self, values: Any) -> Any:
        """The new values (numbers or numpy arrays) after this change."""
        if self.op == "add":
            return values + self.amount
        if self.op == "set":
            return values * 0.0 + self.amount
        if self.op == "multiply":
            return values * self.amount
        return values * (1.0 + self.amount / 100.0)


@dataclass(frozen=True)
class Construction:
    """New construction choices for one index (``index = "all"``: every index):
    indicator ``weights`` and the parameters of the ``normalise``, ``aggregate`` and
    ``impute`` steps (as the coin's :class:`~socmob.place.composite.Step` records)."""

    index: str
    weights: Mapping[str, float] = field(default_factory=dict)
    normalise: Mapping[str, Any] | None = None
    aggregate: Mapping[str, Any] | None = None
    impute: Mapping[str, Any] | None = None
    where: Where = field(default_factory=Where, compare=False)

    def describe(self) -> str:
        parts = []
        if self.weights:
            parts.append("weights " + ", ".join(f"{k} {v:g}" for k, v in self.weights.items()))
        for name in ("normalise", "aggregate", "impute"):
            p = getattr(self, name)
            if p is not None:
                parts.append(f"{name} {p['method']}")
        return f"{self.index}: " + "; ".join(parts)


@dataclass(frozen=True)
class PlaceScenario:
    """Changes to the place indices."""

    level: str = "areas"
    changes: tuple[ValueChange, ...] = ()
    construction: tuple[Construction, ...] = ()
    where: Where = field(default_factory=Where, compare=False)

    @property
    def empty(self) -> bool:
        return not self.changes and not self.construction


@dataclass(frozen=True)
class GapChange:
    """A change to an indicator's value for one background ``group`` (``"least
    advantaged"``, ``"most advantaged"`` or a group label of the indicator's gap
    dimension)."""

    indicator: str
    group: str
    op: str
    amount: float
    label: str | None = None
    where: Where = field(default_factory=Where, compare=False)

    def apply(self, value: float) -> float:
        return float(ValueChange(self.indicator, self.op, self.amount, Target()).apply(value))


@dataclass(frozen=True)
class IncomeScenario:
    """A transfer to parents in ``quintiles`` (1 = bottom fifth of parental income):
    ``op`` ``add`` (a sum of money per parent) or ``percent`` (of each recipient's
    income); ``pass_through`` (0–1) of the parent's gain is added to the child's income.
    ``parent_income_includes_transfer``: whether the parental income that ranks parents
    and enters the measures includes the transfer (default yes)."""

    op: str
    amount: float
    quintiles: tuple[int, ...] = (1,)
    pass_through: float = 0.0
    parent_income_includes_transfer: bool = True
    data: str | None = None
    parent: str = "parent_income"
    child: str = "child_income"
    weight: str | None = None
    bootstrap: int = DEFAULT_BOOTSTRAP
    seed: int = DEFAULT_SEED
    where: Where = field(default_factory=Where, compare=False)

    def describe(self) -> str:
        how = f"£{self.amount:,.0f}" if self.op == "add" else f"{self.amount:g}% of income"
        qs = ", ".join(str(q) for q in self.quintiles)
        plural = "s" if len(self.quintiles) > 1 else ""
        return (f"a transfer of {how} to parents in income quintile{plural} {qs}, "
                f"{self.pass_through:.0%} of it passed through to their children's incomes")


@dataclass(frozen=True)
class Scenario:
    """A whole scenario (see the module docstring)."""

    name: str
    description: str = ""
    place: PlaceScenario | None = None
    background: tuple[GapChange, ...] = ()
    income: IncomeScenario | None = None
    runs: int = DEFAULT_RUNS
    seed: int = DEFAULT_SEED
    file: str | None = None

    @property
    def empty(self) -> bool:
        """Whether the scenario changes nothing at all."""
        return ((self.place is None or self.place.empty) and not self.background
                and self.income is None)


# --------------------------------------------------------------------------- the parser


class _Reader:
    """Checks a document's form, collecting every problem with its line and key."""

    def __init__(self, doc: Located) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def where(self, path: Path_) -> Where:
        return Where(self.doc.file, self.doc.line(path), key_text(path))

    def fail(self, path: Path_, message: str, expected: str | None = None) -> None:
        self.problems.append(Problem(message, self.doc.file, self.doc.line(path),
                                     key_text(path), expected))

    def mapping(self, value: Any, path: Path_, allowed: Sequence[str], what: str
                ) -> dict[str, Any] | None:
        if value is None:
            return {}
        if not isinstance(value, Mapping):
            self.fail(path, f"{what} must be a mapping of keys to values, not "
                      f"{_kind(value)}", f"keys such as {', '.join(allowed[:4])}")
            return None
        out: dict[str, Any] = {}
        for key, item in value.items():
            k = str(key)
            if k not in allowed:
                self.fail((*path, k), f"unknown key {k!r} in {what}" + did_you_mean(k, allowed),
                          "one of " + ", ".join(allowed))
                continue
            out[k] = item
        return out

    def number(self, value: Any, path: Path_, *, what: str, positive: bool = False,
               nonnegative: bool = False, lo: float | None = None,
               hi: float | None = None) -> float | None:
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(path, f"{what} must be a number, not {_kind(value)}", "a number")
            return None
        v = float(value)
        if not math.isfinite(v) or abs(v) > 1e15:
            self.fail(path, f"{what} {value!r} is not a finite number of sensible size",
                      "a finite number")
            return None
        if positive and not v > 0:
            self.fail(path, f"{what} must be above 0, not {v:g}", "a number > 0")
            return None
        if nonnegative and v < 0:
            self.fail(path, f"{what} must not be negative ({v:g})", "a number ≥ 0")
            return None
        if lo is not None and hi is not None and not lo <= v <= hi:
            self.fail(path, f"{what} {v:g} is outside {lo:g}–{hi:g}",
                      f"a number from {lo:g} to {hi:g}")
            return None
        return v

    def integer(self, value: Any, path: Path_, *, what: str, lo: int, hi: int) -> int | None:
        if isinstance(value, bool) or not isinstance(value, int):
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            else:
                self.fail(path, f"{what} must be a whole number, not {_kind(value)}",
                          f"a whole number from {lo:,} to {hi:,}")
                return None
        if not lo <= value <= hi:
            self.fail(path, f"{what} {value:,} is outside {lo:,}–{hi:,}",
                      f"a whole number from {lo:,} to {hi:,}")
            return None
        return int(value)

    def text(self, value: Any, path: Path_, *, what: str) -> str | None:
        if isinstance(value, bool) or not isinstance(value, (str, int, float)):
            self.fail(path, f"{what} must be text, not {_kind(value)}", "text")
            return None
        text = str(value).strip()
        if not text:
            self.fail(path, f"{what} is empty", "text")
            return None
        if len(text) > 500:
            self.fail(path, f"{what} is {len(text)} characters long", "at most 500")
            return None
        return text

    def texts(self, value: Any, path: Path_, *, what: str) -> tuple[str, ...]:
        items = value if isinstance(value, list) else [value]
        out = []
        for i, item in enumerate(items):
            t = self.text(item, (*path, i) if isinstance(value, list) else path, what=what)
            if t is not None:
                out.append(t)
        if isinstance(value, list) and not value:
            self.fail(path, f"{what}: the list is empty", "at least one name")
        return tuple(out)

    def operation(self, raw: Mapping[str, Any], path: Path_, *, what: str
                  ) -> tuple[str, float] | None:
        given = [op for op in OPS if op in raw]
        if len(given) != 1:
            self.fail(path, f"{what} needs exactly one of {', '.join(OPS)}"
                      + (f" (it has {' and '.join(given)})" if given else ""),
                      "e.g. add: 2 or percent: 10")
            return None
        op = given[0]
        amount = self.number(raw[op], (*path, op), what=f"{op}")
        if amount is None:
            return None
        if op == "multiply" and amount < 0:
            self.fail((*path, op), f"multiply by {amount:g} turns values round",
                      "a factor ≥ 0")
            return None
        return op, amount


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"{str(value).lower()} (a yes/no value)"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value!r}"
    return f"{value!r}"


def _bands(r: _Reader, value: Any, path: Path_) -> tuple[int, ...] | None:
    """``2``, ``[1, 2]``, ``"1-2"`` or ``"1–2"`` → band numbers 1–7."""
    items: list[Any]
    if isinstance(value, str):
        text = value.replace("–", "-").replace("—", "-").strip()
        lo, sep, hi = text.partition("-")
        try:
            items = (list(range(int(lo), int(hi) + 1)) if sep else [int(text)])
        except ValueError:
            r.fail(path, f"bands {value!r} are not band numbers", "e.g. [1, 2] or '1-2'")
            return None
    elif isinstance(value, list):
        items = value
    else:
        items = [value]
    out = []
    for i, item in enumerate(items):
        b = r.integer(item, (*path, i) if isinstance(value, list) else path, what="band",
                      lo=1, hi=7)
        if b is not None:
            out.append(b)
    if not out and not r.problems:
        r.fail(path, "no band given", "band numbers 1 (least favourable) to 7")
    return tuple(sorted(set(out))) if out else None


def _target(r: _Reader, value: Any, path: Path_) -> Target | None:
    raw = r.mapping(value, path, _TARGET, "a target")
    if raw is None:
        return None
    if not raw:
        r.fail(path, "the target selects no unit", "areas, region, nation, band, where or "
               "all: true")
        return None
    areas: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    nations: tuple[str, ...] = ()
    for key in ("areas", "area"):
        if key in raw:
            areas += r.texts(raw[key], (*path, key), what="an area")
    for key in ("regions", "region"):
        if key in raw:
            regions += r.texts(raw[key], (*path, key), what="a region")
    for key in ("nations", "nation"):
        if key in raw:
            nations += r.texts(raw[key], (*path, key), what="a nation")
    bands: list[BandTarget] = []
    if "band" in raw:
        spec = r.mapping(raw["band"], (*path, "band"), _ANY, "band")
        if spec is not None:
            if not spec:
                r.fail((*path, "band"), "band names no index", "e.g. band: {ci1: [1, 2]}")
            for index, b in spec.items():
                got = _bands(r, b, (*path, "band", index))
                if got is not None:
                    bands.append(BandTarget(index, got, r.where((*path, "band", index))))
    conditions: list[Condition] = []
    if "where" in raw:
        spec = r.mapping(raw["where"], (*path, "where"), _ANY, "where")
        if spec is not None:
            if not spec:
                r.fail((*path, "where"), "where names no measure",
                       "e.g. where: {dr32: {above: 15}}")
            for measure, cond in spec.items():
                cpath = (*path, "where", measure)
                c = r.mapping(cond, cpath, COMPARISONS, f"the condition on {measure}")
                if c is None:
                    continue
                if not c:
                    r.fail(cpath, f"the condition on {measure} is empty",
                           "one of " + ", ".join(COMPARISONS))
                for comp, v in c.items():
                    num = r.number(v, (*cpath, comp), what=comp.replace("_", " "))
                    if num is not None:
                        conditions.append(Condition(measure, comp, num, r.where((*cpath, comp))))
    every = False
    if "all" in raw:
        if raw["all"] is not True:
            r.fail((*path, "all"), "all must be true", "all: true (or leave it out)")
        else:
            every = True
            if len(raw) > 1:
                r.fail((*path, "all"), "all: true selects every unit, so the other keys of "
                       "the target would change nothing", "all: true on its own")
    keys = {("areas" if k == "area" else "regions" if k == "region" else
             "nations" if k == "nation" else k): r.where((*path, k)) for k in raw}
    return Target(areas=areas, regions=regions, nations=nations, bands=tuple(bands),
                  conditions=tuple(conditions), all=every, where=r.where(path), keys=keys)


class _AnyKeys(tuple[str, ...]):
    """Any key is allowed (mappings keyed by the user's own names)."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY = _AnyKeys()


def _change(r: _Reader, value: Any, path: Path_, level: str) -> ValueChange | None:
    raw = r.mapping(value, path, _CHANGE, "a change")
    if raw is None:
        return None
    measure_key = "index" if level == "areas" else "indicator"
    other = "indicator" if level == "areas" else "index"
    if other in raw:
        if level == "areas":
            r.fail((*path, other), "at level 'areas' a change acts on a published index "
                   "(ci1–ci4): the 205 areas have no component indicators in the release",
                   "index: ci1 … ci4, or place.level: itl2 to change the ITL2 indicators")
        else:
            r.fail((*path, other), "at level 'itl2' a change acts on a component indicator "
                   "of the index model", "indicator: e.g. dr13, or place.level: areas to "
                   "change the published index scores")
        return None
    if measure_key not in raw:
        r.fail(path, f"the change does not say which {measure_key} it changes",
               f"{measure_key}: …")
        return None
    measure = r.text(raw[measure_key], (*path, measure_key), what=measure_key)
    op = r.operation(raw, path, what="a change")
    if "target" not in raw:
        r.fail(path, "the change has no target", "target: {areas: [...]} or region, nation, "
               "band, where, all: true")
        target = None
    else:
        target = _target(r, raw["target"], (*path, "target"))
    label = r.text(raw["label"], (*path, "label"), what="label") if "label" in raw else None
    if measure is None or op is None or target is None:
        return None
    return ValueChange(measure, op[0], op[1], target, label, r.where(path))


def _construction(r: _Reader, value: Any, path: Path_) -> list[Construction]:
    from socmob.place.composite.specs import parse_aggregate, parse_impute, parse_normalise

    spec = r.mapping(value, path, _ANY, "construction")
    out: list[Construction] = []
    for index, choices in (spec or {}).items():
        cpath = (*path, index)
        c = r.mapping(choices, cpath, _CONSTRUCTION, f"the construction of {index}")
        if c is None:
            continue
        if not c:
            r.fail(cpath, f"no construction choice for {index}",
                   "weights, normalise, aggregate or impute")
            continue
        weights: dict[str, float] = {}
        if "weights" in c:
            w = r.mapping(c["weights"], (*cpath, "weights"), _ANY, "weights")
            for code, v in (w or {}).items():
                num = r.number(v, (*cpath, "weights", code), what=f"the weight of {code}",
                               nonnegative=True)
                if num is not None:
                    weights[code] = num
            if w is not None and not w:
                r.fail((*cpath, "weights"), "no weight given", "e.g. weights: {dr13: 2}")
        parsed: dict[str, Any] = {}
        for name, parser in (("normalise", parse_normalise), ("aggregate", parse_aggregate),
                             ("impute", parse_impute)):
            if name in c:
                text = r.text(c[name], (*cpath, name), what=name)
                if text is None:
                    continue
                try:
                    parsed[name] = parser(text, option=name)
                except InputError as exc:
                    r.fail((*cpath, name), exc.message, exc.expected)
        out.append(Construction(index, weights, parsed.get("normalise"),
                                parsed.get("aggregate"), parsed.get("impute"),
                                r.where(cpath)))
    return out


def _place(r: _Reader, value: Any) -> PlaceScenario | None:
    path: Path_ = ("place",)
    raw = r.mapping(value, path, _PLACE, "place")
    if raw is None:
        return None
    level = "areas"
    if "level" in raw:
        text = r.text(raw["level"], ("place", "level"), what="level")
        if text is not None and text not in LEVELS:
            r.fail(("place", "level"), f"unknown level {text!r}" + did_you_mean(text, LEVELS),
                   "areas (the 205 SMC areas) or itl2 (the 41 ITL2 regions)")
        elif text is not None:
            level = text
    changes: list[ValueChange] = []
    if "changes" in raw and raw["changes"] is not None:
        items = raw["changes"]
        if not isinstance(items, list):
            r.fail(("place", "changes"), f"changes must be a list, not {_kind(items)}",
                   "a list of changes, each starting with '- '")
        else:
            for i, item in enumerate(items):
                ch = _change(r, item, ("place", "changes", i), level)
                if ch is not None:
                    changes.append(ch)
    construction: list[Construction] = []
    if raw.get("construction") is not None:
        if level != "itl2":
            r.fail(("place", "construction"), "construction choices apply to the index model "
                   "of the ITL2 regions: each published index of the 205 areas is one score",
                   "place.level: itl2")
        else:
            construction = _construction(r, raw["construction"], ("place", "construction"))
    return PlaceScenario(level, tuple(changes), tuple(construction), r.where(path))


def _background(r: _Reader, value: Any) -> list[GapChange]:
    path: Path_ = ("background",)
    if value is None:
        return []
    if not isinstance(value, list):
        r.fail(path, f"background must be a list, not {_kind(value)}",
               "a list of changes, each starting with '- '")
        return []
    out = []
    for i, item in enumerate(value):
        p = (*path, i)
        raw = r.mapping(item, p, _BACKGROUND, "a background change")
        if raw is None:
            continue
        if "indicator" not in raw:
            r.fail(p, "the change does not say which indicator it changes", "indicator: …")
            continue
        code = r.text(raw["indicator"], (*p, "indicator"), what="indicator")
        group = "least advantaged"
        if "group" in raw:
            g = r.text(raw["group"], (*p, "group"), what="group")
            group = g if g is not None else group
        op = r.operation(raw, p, what="a background change")
        label = r.text(raw["label"], (*p, "label"), what="label") if "label" in raw else None
        if code is not None and op is not None:
            out.append(GapChange(code, group, op[0], op[1], label, r.where(p)))
    return out


def _income(r: _Reader, value: Any) -> IncomeScenario | None:
    path: Path_ = ("income",)
    raw = r.mapping(value, path, _INCOME, "income")
    if raw is None:
        return None
    if "transfer" not in raw:
        r.fail(path, "the income scenario has no transfer", "transfer: {add: 1000} or "
               "transfer: {percent: 10}")
        return None
    t = r.mapping(raw["transfer"], (*path, "transfer"), ("add", "percent"), "transfer")
    op = r.operation(t, (*path, "transfer"), what="the transfer") if t else None
    if t is not None and not t:
        r.fail((*path, "transfer"), "the transfer is empty", "add: £ per parent, or percent")
    if op is not None and op[0] == "percent" and op[1] <= -100:
        r.fail((*path, "transfer", "percent"), f"percent {op[1]:g} would take all of the "
               "parents' income or more", "a percent above −100")
        op = None
    quintiles: tuple[int, ...] = (1,)
    if "quintiles" in raw:
        q = raw["quintiles"]
        items = q if isinstance(q, list) else [q]
        got = [r.integer(x, (*path, "quintiles"), what="quintile", lo=1, hi=5) for x in items]
        if not items:
            r.fail((*path, "quintiles"), "no quintile given", "1 (bottom fifth) to 5")
        quintiles = tuple(sorted({g for g in got if g is not None})) or quintiles
    pass_through = 0.0
    if "pass_through" in raw:
        pt = r.number(raw["pass_through"], (*path, "pass_through"), what="pass_through",
                      lo=0.0, hi=1.0)
        pass_through = pt if pt is not None else 0.0
    includes = True
    if "parent_income_includes_transfer" in raw:
        v = raw["parent_income_includes_transfer"]
        if not isinstance(v, bool):
            r.fail((*path, "parent_income_includes_transfer"), f"must be true or false, not "
                   f"{_kind(v)}", "true or false")
        else:
            includes = v
    cols: dict[str, str | None] = {}
    for key in ("data", "parent", "child", "weight"):
        if key in raw:
            cols[key] = r.text(raw[key], (*path, key), what=key)
    boot = DEFAULT_BOOTSTRAP
    if "bootstrap" in raw:
        b = r.integer(raw["bootstrap"], (*path, "bootstrap"), what="bootstrap", lo=0,
                      hi=10_000)
        boot = b if b is not None else boot
    seed = DEFAULT_SEED
    if "seed" in raw:
        s = r.integer(raw["seed"], (*path, "seed"), what="seed", lo=0, hi=2**63 - 1)
        seed = s if s is not None else seed
    if op is None:
        return None
    return IncomeScenario(op=op[0], amount=op[1], quintiles=quintiles,
                          pass_through=pass_through, parent_income_includes_transfer=includes,
                          data=cols.get("data"), parent=cols.get("parent") or "parent_income",
                          child=cols.get("child") or "child_income", weight=cols.get("weight"),
                          bootstrap=boot, seed=seed, where=r.where(path))


def parse_scenario(doc: Located | Mapping[str, Any], *, name: str | None = None
                   ) -> Scenario:
    """Check a scenario document's form and build the :class:`Scenario`.

    ``doc``: a :class:`Located` document (:func:`read_scenario` reads one with line
    numbers) or plain data (a JSON request body).

    Raises
    ------
    ScenarioError
        Listing every problem of form, each with its key and line.
    """
    located = doc if isinstance(doc, Located) else plain(doc)
    r = _Reader(located)
    for path, line in located.duplicates:
        r.problems.append(Problem(f"the key {str(path[-1])!r} is given twice (only the "
                                  "last would count)", located.file, line, key_text(path),
                                  "each key once"))
    raw = r.mapping(located.value, (), _TOP, "the scenario")
    if raw is None:
        raise ScenarioError(r.problems, located.file)
    title = name or (os.path.splitext(os.path.basename(located.file))[0]
                     if located.file and not located.file.startswith("<") else "scenario")
    if "name" in raw:
        title = r.text(raw["name"], ("name",), what="name") or title
    description = ""
    if "description" in raw and raw["description"] is not None:
        description = r.text(raw["description"], ("description",), what="description") or ""
    place = _place(r, raw["place"]) if "place" in raw else None
    background = _background(r, raw.get("background"))
    income = _income(r, raw["income"]) if "income" in raw else None
    runs, seed = DEFAULT_RUNS, DEFAULT_SEED
    if "uncertainty" in raw:
        u = r.mapping(raw["uncertainty"], ("uncertainty",), _UNCERTAINTY, "uncertainty")
        if u:
            if "runs" in u:
                runs = r.integer(u["runs"], ("uncertainty", "runs"), what="runs", lo=1,
                                 hi=MAX_RUNS) or runs
            if "seed" in u:
                s = r.integer(u["seed"], ("uncertainty", "seed"), what="seed", lo=0,
                              hi=2**63 - 1)
                seed = s if s is not None else seed
    if r.problems:
        raise ScenarioError(r.problems, located.file)
    if place is None and not background and income is None:
        place = PlaceScenario(where=Where(located.file, located.line(()), "place"))
    return Scenario(name=title, description=description, place=place,
                    background=tuple(background), income=income, runs=runs, seed=seed,
                    file=located.file)


def read_scenario(source: str | os.PathLike[str] | bytes, *, name: str | None = None
                  ) -> Scenario:
    """Read and check a scenario file (YAML or JSON; a path, or bytes with ``name``).

    Raises
    ------
    InputError
        The file is missing, too large, not UTF-8 or not valid YAML (naming line and
        character).
    ScenarioError
        Problems of form, each naming the key and its line.
    """
    return parse_scenario(read_located(source, name=name))


@cache
def _schema_text() -> str:
    return resources.files("socmob.assess").joinpath("scenario.schema.json").read_text("utf-8")


def scenario_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a scenario file."""
    return dict(json.loads(_schema_text()))


def suggest(name: str, choices: Sequence[str]) -> list[str]:
    """Close matches of ``name`` among ``choices`` (for "did you mean")."""
    return closest(name, choices, n=3, cutoff=0.5)


__all__ = [
    "COMPARISONS",
    "DEFAULT_BOOTSTRAP",
    "DEFAULT_RUNS",
    "DEFAULT_SEED",
    "GROUP_ENDS",
    "LEVELS",
    "OPS",
    "BandTarget",
    "Condition",
    "Construction",
    "GapChange",
    "IncomeScenario",
    "PlaceScenario",
    "Problem",
    "Scenario",
    "ScenarioError",
    "Target",
    "ValueChange",
    "Where",
    "parse_scenario",
    "read_scenario",
    "scenario_error",
    "scenario_schema",
]
