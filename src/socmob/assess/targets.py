"""Which units a change applies to: a scenario's ``target`` resolved against a place
model's units.

* ``areas``: at level ``areas`` anything :func:`socmob.place.areas.lookup` resolves (a
  name, slug or any GSS code the area covers); at level ``itl2`` an ITL2 region's name,
  code (``TLD3``) or slug (``itl2_greater_manchester``) — a local area named there is
  refused with the name of its region;
* ``region`` / ``nation``: the registry's 12 ITL1 regions and 4 nations (names as in
  :func:`socmob.place.areas.regions`; "North West" finds "North West (England)");
* ``band``: the baseline band (1–7) of an index;
* ``where``: a condition on the baseline value of an indicator of the model or the
  baseline z-score of an index;
* ``all: true``.

Keys intersect; the values of one key unite. A name that does not exist, or a target
that selects no unit, is a :class:`~socmob.assess.scenario.ScenarioError` naming the key
and its line, with "did you mean".
"""

from __future__ import annotations

import numpy as np

from socmob._text import closest, normalise
from socmob.assess.models import PlaceModel, area_itl2
from socmob.assess.scenario import Target, Where, scenario_error
from socmob.errors import NotFoundError

_REGION_ALIASES = {"east of england": "East", "yorkshire": "Yorkshire and The Humber",
                   "yorkshire and humber": "Yorkshire and The Humber",
                   "ni": "Northern Ireland", "uk": None}


def _hint(suggestions: list[str]) -> str:
    return ("; did you mean " + " or ".join(repr(s) for s in suggestions[:3]) + "?"
            if suggestions else "")


def _area_units(model: PlaceModel, names: tuple[str, ...], where: Where) -> np.ndarray:
    ids = model.units.index.astype(str)
    mask = np.zeros(len(ids), dtype=bool)
    if model.level == "areas":
        from socmob.place.areas import lookup

        for name in names:
            try:
                area = lookup(name)
            except NotFoundError as exc:
                raise scenario_error(f"{exc}", where, expected="an area name, slug or GSS "
                                     "code (see 'socmob areas')") from None
            hit = ids == area.id
            if not hit.any():  # pragma: no cover - the registry is the model's units
                raise LookupError(f"area {area.id!r} is missing from the model")
            mask |= hit
        return mask
    names_norm = {normalise(n): i for i, n in zip(ids, model.units["unit_name"], strict=True)}
    codes = {str(c).upper(): i for i, c in zip(ids, model.units["unit_code"], strict=True)}
    for name in names:
        text = name.strip()
        unit = (names_norm.get(normalise(text)) or codes.get(text.upper())
                or (text.lower() if text.lower() in set(ids) else None)
                or (f"itl2_{text.lower()}" if f"itl2_{text.lower()}" in set(ids) else None))
        if unit is None:
            raise scenario_error(_not_itl2(model, text), where,
                                 expected="an ITL2 region's name or code (e.g. 'Greater "
                                          "Manchester' or TLD3)")
        mask |= ids == unit
    return mask


def _not_itl2(model: PlaceModel, text: str) -> str:
    from socmob.place.areas import lookup

    try:
        area = lookup(text)
    except NotFoundError:
        area = None
    if area is not None:
        region = area_itl2().get(area.id)
        inside = ""
        if region is not None and region in model.units.index:
            inside = f"; it lies in {model.units.loc[region, 'unit_name']!r}"
        return (f"{area.name!r} is one of the 205 local areas, not an ITL2 region{inside} "
                "(or use place.level: areas to change its published index scores)")
    suggestions = closest(text, list(model.units["unit_name"]))
    return f"no ITL2 region called {text!r}" + _hint(suggestions)


def _match(model: PlaceModel, column: str, names: tuple[str, ...], where: Where,
           what: str) -> np.ndarray:
    values = model.units[column].astype(str).to_numpy()
    choices = sorted(set(values))
    by_norm: dict[str, str] = {}
    for c in choices:
        by_norm.setdefault(normalise(c), c)
        by_norm.setdefault(normalise(c.replace("(England)", "")), c)
    mask = np.zeros(len(values), dtype=bool)
    for name in names:
        key = normalise(name)
        hit = by_norm.get(key)
        if hit is None and key in _REGION_ALIASES and column == "region":
            alias = _REGION_ALIASES[key]
            hit = alias if alias in choices else None
        if hit is None:
            raise scenario_error(f"unknown {what} {name!r}" + _hint(closest(name, choices)),
                                 where, expected=f"one of {', '.join(choices)}")
        mask |= values == hit
    return mask


def _measure(model: PlaceModel, name: str, where: Where) -> tuple[str, str]:
    """("index", code) or ("indicator", code) for a name used in a condition."""
    try:
        return "index", model.index_code(name)
    except NotFoundError:
        pass
    try:
        return "indicator", model.indicator_code(name)
    except NotFoundError:
        pass
    choices = [*model.indices, *model.indicators.index]
    if model.level == "areas" and _is_itl2_indicator(name):
        raise scenario_error(f"{name!r} is published by ITL2 region, not for the 205 areas",
                             where, expected="an index (ci1–ci4) at level areas, or "
                                             "place.level: itl2")
    raise scenario_error(f"unknown indicator or index {name!r}"
                         + _hint(closest(name, [str(c) for c in choices])), where,
                         expected="one of " + ", ".join(str(c) for c in choices))


def _is_itl2_indicator(name: str) -> bool:
    from socmob.assess.models import ITL2_INDICATORS

    key = normalise(name)
    return any(key in (normalise(s.code), normalise(s.measure)) for s in ITL2_INDICATORS)


def resolve_target(target: Target, model: PlaceModel) -> np.ndarray:
    """A boolean mask over ``model.units`` of the units ``target`` selects.

    Raises
    ------
    ScenarioError
        An unknown name (with "did you mean"), or a target that selects no unit.
    """
    n = len(model.units)
    mask = np.ones(n, dtype=bool)
    if target.all:
        return mask
    if target.areas:
        mask &= _area_units(model, target.areas, target.at("areas"))
    if target.regions:
        mask &= _match(model, "region", target.regions, target.at("regions"), "region")
    if target.nations:
        mask &= _match(model, "nation", target.nations, target.at("nations"), "nation")
    if target.bands:
        bands = model.baseline_bands()
        for b in target.bands:
            try:
                code = model.index_code(b.index)
            except NotFoundError as exc:
                raise scenario_error(str(exc), b.where,
                                     expected="an index code or title, e.g. ci1") from None
            mask &= np.isin(bands[code].to_numpy(), b.bands)
    if target.conditions:
        z = model.baseline_z()
        for c in target.conditions:
            kind, code = _measure(model, c.measure, c.where)
            values = (z[code] if kind == "index" else model.values[code]).reindex(
                model.units.index).to_numpy(dtype=float)
            with np.errstate(invalid="ignore"):
                hit = {"above": values > c.value, "below": values < c.value,
                       "at_least": values >= c.value, "at_most": values <= c.value
                       }[c.comparison]
            mask &= hit & ~np.isnan(values)
    if not mask.any():
        raise scenario_error(f"the target selects no {model.unit_label} ({target.describe()})",
                             target.where, expected=f"a target that matches at least one "
                                                    f"{model.unit_label}")
    return mask


__all__ = ["resolve_target"]
