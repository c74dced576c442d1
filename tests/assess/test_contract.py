"""The result contract (``socmob.results.Result``) on every result type of
``socmob.assess``, each built from a small real example: a frozen dataclass; ``to_frame()``
tidy (``TIDY_COLUMNS`` first, float ``value``/``lci``/``uci``/``n``, never ±inf);
``summary()`` text; ``to_dict()`` strict JSON; ``_repr_html_()`` HTML; ``conf_int`` taking
``alpha`` (default 0.05) and giving ``lower``/``upper``, wider for a smaller ``alpha``.

The factories below are the ones the package-wide contract test needs for these types."""

from __future__ import annotations

import dataclasses
import functools
import inspect
import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pytest

import socmob.assess
from socmob.results import TIDY_COLUMNS, Result, jsonable


def _scenario() -> Any:
    from socmob.assess import parse_scenario

    return parse_scenario({
        "name": "contract",
        # the ITL2 model: indicators are z-scored across regions, so the change in an
        # index is not a constant and its paired Monte Carlo interval has a width
        "place": {"level": "itl2",
                  "changes": [{"indicator": "dr33_higher_professional", "add": 2,
                               "target": {"region": "North East"}}]},
        "uncertainty": {"runs": 60, "seed": 1},
        "background": [{"indicator": "in21", "add": -2}],
    })


@functools.cache
def _assessment() -> Any:
    from socmob.assess import assess

    return assess(_scenario())


def _place_impact() -> Any:
    return _assessment().place


def _gap_impact() -> Any:
    return next(iter(_assessment().background.results.values()))


@functools.cache
def _income_impact() -> Any:
    from socmob.assess import income_impact, parse_scenario

    rng = np.random.default_rng(5)
    z1 = rng.standard_normal(300)
    z2 = 0.4 * z1 + 0.9 * rng.standard_normal(300)
    pairs = pd.DataFrame({"parent_income": np.exp(10 + 0.6 * z1),
                          "child_income": np.exp(10.1 + 0.7 * z2)})
    change = parse_scenario({"income": {"transfer": {"add": 1500}, "pass_through": 0.3,
                                        "bootstrap": 30, "seed": 2}}).income
    return income_impact(pairs, change)


@functools.cache
def _against_the_odds() -> Any:
    from socmob.assess import against_the_odds

    rng = np.random.default_rng(3)
    fsm = rng.uniform(5, 60, 40)
    frame = pd.DataFrame({"urn": [f"u{i}" for i in range(40)], "fsm_pct": fsm,
                          "ks4": 60 - 0.5 * fsm + rng.normal(0, 3, 40)})
    return against_the_odds(frame, outcome="ks4", disadvantage="fsm_pct", unit_id="urn")


FACTORIES: dict[str, Callable[[], Any]] = {
    "socmob.assess.assessment.Assessment": _assessment,
    "socmob.assess.place.PlaceImpact": _place_impact,
    "socmob.assess.gaps.GapImpact": _gap_impact,
    "socmob.assess.income.IncomeImpact": _income_impact,
    "socmob.assess.odds.AgainstTheOdds": _against_the_odds,
}


def _result_types() -> list[type]:
    import importlib
    import pkgutil

    for m in pkgutil.walk_packages(socmob.assess.__path__, "socmob.assess."):
        importlib.import_module(m.name)

    def walk(cls: type) -> list[type]:
        out = []
        for sub in cls.__subclasses__():
            out += [sub, *walk(sub)]
        return out

    return [c for c in walk(Result) if c.__module__.startswith("socmob.assess")]


TYPES = sorted(FACTORIES)


def test_every_result_type_of_assess_has_a_factory():
    found = {f"{c.__module__}.{c.__qualname__}" for c in _result_types()}
    assert found == set(FACTORIES)


@pytest.mark.parametrize("name", TYPES)
def test_the_contract(name):
    result = FACTORIES[name]()
    cls = type(result)
    assert f"{cls.__module__}.{cls.__qualname__}" == name
    assert dataclasses.is_dataclass(cls) and cls.__dataclass_params__.frozen
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(result, dataclasses.fields(cls)[0].name, None)

    frame = result.to_frame()
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    assert len(frame) > 0
    for column in frame.columns:
        s = frame[column]
        if pd.api.types.is_numeric_dtype(s) and not pd.api.types.is_bool_dtype(s):
            assert not np.isinf(s.to_numpy(dtype="float64", na_value=np.nan)).any(), column
    for column in ("value", "lci", "uci", "n"):
        assert pd.api.types.is_float_dtype(frame[column]), (column, frame[column].dtype)

    assert isinstance(result.summary(), str) and result.summary().strip()
    json.dumps(jsonable(result.to_dict()), allow_nan=False)
    assert result._repr_html_().lstrip().startswith("<")

    if hasattr(result, "conf_int"):
        signature = inspect.signature(result.conf_int)
        assert signature.parameters["alpha"].default == 0.05
        ci = result.conf_int()
        assert list(ci.columns) == ["lower", "upper"] and len(ci) > 0
        pd.testing.assert_frame_equal(ci, result.conf_int(alpha=0.05))
        width = {a: (result.conf_int(alpha=a)["upper"] - result.conf_int(alpha=a)["lower"])
                 .to_numpy(dtype="float64") for a in (0.01, 0.05, 0.2)}
        ok = np.isfinite(width[0.01]) & np.isfinite(width[0.05]) & np.isfinite(width[0.2])
        assert ok.any()
        assert (width[0.01][ok] >= width[0.05][ok]).all()
        assert (width[0.05][ok] >= width[0.2][ok]).all()
        assert (width[0.01][ok] > width[0.2][ok]).any()


def test_no_interval_level_other_than_alpha():
    wrong = []
    for cls_or_fn in vars(socmob.assess).values():
        fns = ([cls_or_fn] if inspect.isfunction(cls_or_fn) else
               [f for f in vars(cls_or_fn).values() if inspect.isfunction(f)]
               if inspect.isclass(cls_or_fn) else [])
        for fn in fns:
            for p in inspect.signature(fn).parameters.values():
                if p.name in ("confidence", "conf", "conf_level", "confidence_level",
                              "ci_level", "coverage") or (
                        p.name == "level" and p.annotation in ("float", float)):
                    wrong.append(f"{fn.__qualname__}({p.name}=)")
    assert not wrong, wrong
