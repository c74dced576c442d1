"""The indicator framework as data: what each indicator means, which way is good, which
series is its headline and which groups its gap compares (``indicators.yaml``).

>>> from socmob.monitor import metadata
>>> metadata.indicator("dr32").good                                    # doctest: +SKIP
'lower'
>>> [i.code for i in metadata.indicators().values()][:3]               # doctest: +SKIP
['dr11', 'dr12', 'dr13']
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from typing import Any

import yaml

from socmob._text import closest, normalise
from socmob.errors import InputError, NotFoundError
from socmob.monitor.display import UNITS

#: The SMC framework, in reading order: drivers → intermediate outcomes → mobility outcomes.
LEVELS: tuple[str, ...] = ("driver", "intermediate outcome", "mobility outcome")

#: Which way is better: ``higher``, ``lower`` or ``neither`` (context, no good direction).
DIRECTIONS: tuple[str, ...] = ("higher", "lower", "neither")

_FILE = "indicators.yaml"


@dataclass(frozen=True)
class Dimension:
    """A split type of the release (``seb``, ``sex``, ``itl2_current_geo`` …)."""

    name: str
    label: str
    most_advantaged: str | None = None
    least_advantaged: str | None = None
    order: tuple[str, ...] = ()
    geography: str | None = None
    attribute: bool = False
    time: bool = False


@dataclass(frozen=True)
class Selection:
    """Rows of one published breakdown with some dimensions (or the columns ``age``,
    ``unit``, ``note``) held at fixed values; ``None`` selects a missing value."""

    breakdown: str
    select: Mapping[str, str | None] = field(default_factory=dict)
    area: str | None = None


@dataclass(frozen=True)
class GapSpec:
    """The gap of an indicator: most against least advantaged group of ``dimension``,
    within ``selection`` (the headline's breakdown unless the entry overrides it)."""

    dimension: str
    most_advantaged: str
    least_advantaged: str
    selection: Selection


@dataclass(frozen=True)
class Indicator:
    """One indicator of the framework (an entry of ``indicators.yaml``)."""

    code: str
    title: str
    release_title: str
    level: str
    domain: str
    definition: str
    population: str
    source: str
    good: str
    headline: Selection
    gap: GapSpec | None
    breakdowns: tuple[str, ...]
    caveats: str = ""
    display_unit: str | None = None

    @property
    def orientation(self) -> int:
        """+1 when higher is better, −1 when lower is better, 0 for neither."""
        return {"higher": 1, "lower": -1}.get(self.good, 0)

    def to_dict(self) -> dict[str, Any]:
        """The entry as plain data (for JSON and templates)."""
        return {
            "code": self.code, "title": self.title, "release_title": self.release_title,
            "level": self.level, "domain": self.domain, "definition": self.definition,
            "population": self.population, "source": self.source, "good": self.good,
            "headline": {"breakdown": self.headline.breakdown,
                         "select": dict(self.headline.select), "area": self.headline.area},
            "gap": None if self.gap is None else {
                "dimension": self.gap.dimension,
                "most_advantaged": self.gap.most_advantaged,
                "least_advantaged": self.gap.least_advantaged},
            "breakdowns": list(self.breakdowns), "caveats": self.caveats,
            "display_unit": self.display_unit,
        }


def _require(entry: Mapping[str, Any], key: str, where: str) -> Any:
    if key not in entry or entry[key] in (None, ""):
        raise InputError(f"{where}: missing {key!r}", file=_FILE)
    return entry[key]


def _selection(raw: Mapping[str, Any], where: str) -> Selection:
    select = raw.get("select") or {}
    if not isinstance(select, Mapping):
        raise InputError(f"{where}: 'select' is not a mapping", file=_FILE)
    return Selection(
        breakdown=str(_require(raw, "breakdown", where)),
        select={str(k): (None if v is None else str(v)) for k, v in select.items()},
        area=None if raw.get("area") is None else str(raw["area"]),
    )


def _display_unit(raw: Any, where: str) -> str | None:
    if raw is None:
        return None
    if str(raw) not in UNITS:
        raise InputError(f"{where}: unknown display_unit {raw!r}", file=_FILE,
                         expected=", ".join(UNITS))
    return str(raw)


@cache
def _load() -> tuple[dict[str, Dimension], dict[str, Indicator]]:
    text = files("socmob.monitor").joinpath(_FILE).read_text(encoding="utf-8")
    raw = yaml.safe_load(text)
    dims: dict[str, Dimension] = {}
    for name, entry in (raw.get("dimensions") or {}).items():
        dims[str(name)] = Dimension(
            name=str(name), label=str(entry.get("label", name)),
            most_advantaged=entry.get("most_advantaged"),
            least_advantaged=entry.get("least_advantaged"),
            order=tuple(str(v) for v in entry.get("order", ())),
            geography=entry.get("geography"), attribute=bool(entry.get("attribute", False)),
            time=bool(entry.get("time", False)),
        )
    out: dict[str, Indicator] = {}
    for code, entry in (raw.get("indicators") or {}).items():
        where = f"indicator {code}"
        level = _require(entry, "level", where)
        good = _require(entry, "good", where)
        if level not in LEVELS:
            raise InputError(f"{where}: unknown level {level!r}", file=_FILE,
                             expected=", ".join(LEVELS))
        if good not in DIRECTIONS:
            raise InputError(f"{where}: unknown direction {good!r}", file=_FILE,
                             expected=", ".join(DIRECTIONS))
        headline = _selection(_require(entry, "headline", where), f"{where} headline")
        gap = None
        if entry.get("gap"):
            g = entry["gap"]
            dim = str(_require(g, "dimension", f"{where} gap"))
            known = dims.get(dim)
            most = g.get("most_advantaged") or (known.most_advantaged if known else None)
            least = g.get("least_advantaged") or (known.least_advantaged if known else None)
            if not most or not least:
                raise InputError(f"{where} gap: no most/least advantaged group for {dim!r}",
                                 file=_FILE)
            selection = headline
            if g.get("breakdown"):
                selection = _selection(g, f"{where} gap")
            gap = GapSpec(dim, str(most), str(least), selection)
        out[str(code)] = Indicator(
            code=str(code),
            title=str(_require(entry, "title", where)),
            release_title=str(_require(entry, "release_title", where)),
            level=str(level), domain=str(_require(entry, "domain", where)),
            definition=" ".join(str(_require(entry, "definition", where)).split()),
            population=str(_require(entry, "population", where)),
            source=str(_require(entry, "source", where)),
            good=str(good), headline=headline, gap=gap,
            breakdowns=tuple(str(b) for b in entry.get("breakdowns", ())),
            caveats=" ".join(str(entry.get("caveats", "")).split()),
            display_unit=_display_unit(entry.get("display_unit"), where),
        )
    order = {level: k for k, level in enumerate(LEVELS)}
    ranked = sorted(out.values(), key=lambda i: (order[i.level], i.code.lower()))
    return dims, {i.code: i for i in ranked}


def indicators() -> dict[str, Indicator]:
    """Every indicator, drivers first, then intermediate and mobility outcomes."""
    return dict(_load()[1])


def dimensions() -> dict[str, Dimension]:
    """The release's split types with their labels and advantage order."""
    return dict(_load()[0])


def dimension(name: str) -> Dimension:
    """One split type; unknown names get a plain :class:`Dimension` labelled by the name."""
    return _load()[0].get(name) or Dimension(name=name, label=name.replace("_", " "))


def indicator(code: str) -> Indicator:
    """The indicator ``code`` (case-insensitive; a plain-English or release title also
    works). Raises :class:`~socmob.errors.NotFoundError` with "did you mean"."""
    entries = _load()[1]
    key = normalise(code)
    for entry in entries.values():
        if key in (normalise(entry.code), normalise(entry.title),
                   normalise(entry.release_title)):
            return entry
    titles = {e.title: e.code for e in entries.values()}
    titles.update({e.release_title: e.code for e in entries.values()})
    hits = closest(code, list(entries), cutoff=0.5) or [titles[t] for t in closest(code, titles)]
    raise NotFoundError(f"unknown indicator {code!r} (see 'socmob monitor')", hits)


__all__ = [
    "DIRECTIONS",
    "LEVELS",
    "Dimension",
    "GapSpec",
    "Indicator",
    "Selection",
    "dimension",
    "dimensions",
    "indicator",
    "indicators",
]
