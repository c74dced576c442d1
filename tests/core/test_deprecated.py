"""Old spellings of the public API still work for a release, warn, and say what to use."""

from __future__ import annotations

import importlib
import inspect

import numpy as np
import pytest

from socmob._deprecated import coverage_keyword, renamed


@coverage_keyword("confidence", "level")
def _interval(x: float, *, alpha: float = 0.05) -> float:
    return alpha


def test_the_old_coverage_keyword_becomes_alpha_with_a_warning() -> None:
    assert _interval(1.0) == 0.05
    assert _interval(1.0, alpha=0.1) == 0.1
    with pytest.warns(DeprecationWarning, match=r"confidence=\.\.\.\) is deprecated.*alpha"):
        assert _interval(1.0, confidence=0.9) == pytest.approx(0.1)
    with pytest.warns(DeprecationWarning, match="level"):
        assert _interval(1.0, level=0.99) == pytest.approx(0.01)
    with pytest.warns(DeprecationWarning), pytest.raises(TypeError, match="both"):
        _interval(1.0, alpha=0.05, confidence=0.95)


def test_the_signature_shows_alpha_only() -> None:
    assert list(inspect.signature(_interval).parameters) == ["x", "alpha"]


def test_renamed_answers_the_old_name_with_the_new_object() -> None:
    new = object()
    getattr_ = renamed("socmob.example", {"Old": "New"}, {"New": new})
    with pytest.warns(DeprecationWarning, match=r"socmob\.example\.Old is deprecated: use "
                                                r"socmob\.example\.New"):
        assert getattr_("Old") is new
    with pytest.raises(AttributeError, match="Other"):
        getattr_("Other")


@pytest.mark.parametrize(("module", "old", "new"), [
    ("socmob.workforce.measures", "wilson_interval", "wilson_interval_counts"),
    ("socmob.income", "absolute_mobility", "absolute_income_mobility"),
    ("socmob.income.api", "absolute_mobility", "absolute_income_mobility"),
    ("socmob.income", "AbsoluteMobilityResult", "AbsoluteIncomeMobility"),
    ("socmob.income.results", "AbsoluteMobilityResult", "AbsoluteIncomeMobility"),
    ("socmob.place.uncertainty", "Engine", "CoinReplay"),
    ("socmob.place.areas", "AreaProfile", "AreaIndices"),
    ("socmob.synth.barometer", "Question", "BarometerQuestion"),
    ("socmob.workforce.survey", "Question", "QuestionnaireItem"),
])
def test_each_renamed_name_still_answers(module: str, old: str, new: str) -> None:
    mod = importlib.import_module(module)
    with pytest.warns(DeprecationWarning, match=f"{module}.{old} is deprecated: use "
                                                f"{module}.{new}"):
        assert getattr(mod, old) is getattr(mod, new)


def test_the_old_interval_keywords_of_the_estimators() -> None:
    from socmob.tables import MobilityTable, absolute_mobility
    from socmob.workforce.measures import wilson_interval_counts

    table = MobilityTable.from_array(np.array([[10.0, 5.0], [4.0, 12.0]]))
    with pytest.warns(DeprecationWarning, match="absolute_mobility"):
        old = absolute_mobility(table, confidence=0.9)
    assert old.alpha == pytest.approx(0.1)
    np.testing.assert_allclose(old.lci["upward"], absolute_mobility(table, alpha=0.1).lci[
        "upward"])
    with pytest.warns(DeprecationWarning, match="wilson_interval_counts"):
        lo, hi = wilson_interval_counts(81, 263, confidence=0.99)
    assert (float(lo), float(hi)) == pytest.approx(
        tuple(float(v) for v in wilson_interval_counts(81, 263, alpha=0.01)))
