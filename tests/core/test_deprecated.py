"""Old spellings of the public API still work for a release, warn, and say what to use."""

from __future__ import annotations

import inspect

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
