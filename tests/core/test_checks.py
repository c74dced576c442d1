"""Finite numbers only, one-line errors and the by-group result (socmob.checks,
socmob.errors, socmob.results.ByGroup)."""

from __future__ import annotations

import doctest
from dataclasses import dataclass

import numpy as np
import pandas as pd
import pytest

import socmob.checks
from socmob.checks import check_alpha, finite, finite_columns, no_overflow, not_degenerate
from socmob.errors import InputError, NotFoundError, SocmobError
from socmob.results import ByGroup, Result, tidy


def test_doctests() -> None:
    failures, _ = doctest.testmod(socmob.checks)
    assert failures == 0


@pytest.mark.parametrize("bad", [np.inf, -np.inf, 1e308, -1e200])
def test_finite_refuses_inf_and_overflow_risks_naming_the_row(bad: float) -> None:
    with pytest.raises(InputError) as info:
        finite([1.0, 2.0, bad], name="w", file="x.csv", row_offset=2)
    assert info.value.row == 4 and info.value.column == "w" and info.value.file == "x.csv"


def test_finite_missing_only_when_allowed() -> None:
    assert np.isnan(finite([1.0, np.nan], name="w", allow_missing=True)[1])
    with pytest.raises(InputError, match="missing"):
        finite([1.0, np.nan], name="w")


def test_finite_nonnegative() -> None:
    with pytest.raises(InputError, match="negative") as info:
        finite([0.0, -1.0], name="count", nonnegative=True)
    assert info.value.row == 2


def test_finite_columns_checks_numeric_columns_only() -> None:
    frame = pd.DataFrame({"a": [1.0, np.inf], "label": ["x", "inf"]})
    finite_columns(frame, ["label"])
    with pytest.raises(InputError) as info:
        finite_columns(frame, ["a", "label"], file="f.csv")
    assert info.value.row == 3  # header is row 1


def test_no_overflow_raises_instead_of_inf() -> None:
    with pytest.raises(InputError, match="overflows"), no_overflow("pay"):
        _ = np.array([1e308, 1e308]).sum()
    with no_overflow("pay"):
        assert np.array([1.0, 2.0]).sum() == 3.0


def test_not_degenerate() -> None:
    not_degenerate(1.0, what="t", reason="r")
    for total in (0.0, -1.0, np.nan, np.inf):
        with pytest.raises(InputError, match="cannot be analysed"):
            not_degenerate(total, what="t", reason="r")


def test_every_socmob_error_is_one_line() -> None:
    errors: list[SocmobError] = [
        InputError("Error tokenizing data.\nC error: Expected 3 fields in line 5, saw 4\n",
                   file="a.csv", row=5),
        NotFoundError("no area\n'x'", ["y"]),
        SocmobError("multi\r\nline\tmessage"),
    ]
    for error in errors:
        assert "\n" not in str(error) and "\r" not in str(error) and "\t" not in str(error)
    assert str(errors[2]) == "multi line message"


@dataclass(frozen=True)
class _One(Result):
    value: float

    def to_frame(self) -> pd.DataFrame:
        return tidy(pd.DataFrame([{"measure": "m", "value": self.value}]))


def test_by_group_is_a_mapping_with_its_failures() -> None:
    result = ByGroup(by="region", results={"North": _One(1.0), "South": _One(2.0)},
                     not_estimated={"Wales": "no parents in the bottom quintile"})
    assert list(result) == ["North", "South"] and len(result) == 2
    assert result["South"].value == 2.0 and "Wales" not in result
    frame = result.to_frame()
    assert frame[["breakdown", "group", "value"]].to_dict("list") == {
        "breakdown": ["region", "region"], "group": ["North", "South"], "value": [1.0, 2.0]}
    assert result.to_dict()["not_estimated"] == {"Wales": "no parents in the bottom quintile"}
    assert "Wales (no parents in the bottom quintile)" in result.summary()


def test_check_alpha_accepts_levels_strictly_inside_zero_and_one() -> None:
    assert check_alpha(0.05) == 0.05
    assert check_alpha(0.5) == 0.5
    for bad in (0, 1, 1.5, -0.1, 95, float("nan"), float("inf")):
        with pytest.raises(InputError, match=r"column 'alpha'.*not between 0 and 1"):
            check_alpha(bad)
    with pytest.raises(InputError, match="not a number"):
        check_alpha("a lot")  # type: ignore[arg-type]


def test_by_group_keeps_a_breakdown_of_its_own_after_the_outer_one() -> None:
    @dataclass(frozen=True)
    class _ByBackground(Result):
        def to_frame(self) -> pd.DataFrame:
            return tidy(pd.DataFrame({"measure": "gap", "breakdown": "seb",
                                      "group": ["intermediate", "lower"], "value": [1.0, 2.0]}))

    frame = ByGroup(by="grade", results={"A": _ByBackground()}).to_frame()
    assert frame["breakdown"].tolist() == ["grade; seb", "grade; seb"]
    assert frame["group"].tolist() == ["A; intermediate", "A; lower"]
    # rows labelled with their own group (as a by-group estimator writes them) stay plain
    same = ByGroup(by="region", results={"North": _One(1.0)}).to_frame()
    assert same[["breakdown", "group"]].to_dict("list") == {"breakdown": ["region"],
                                                           "group": ["North"]}
