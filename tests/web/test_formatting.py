"""The one number format of pages and documents (``socmob.report.formatting.fmt``)."""

from __future__ import annotations

import doctest

import numpy as np
import pandas as pd
import pytest

import socmob.report.formatting
from socmob.report.formatting import fmt


@pytest.mark.parametrize(("value", "shown"), [
    (None, ""), (np.nan, ""), (pd.NA, ""), (pd.NaT, ""),
    (True, "yes"), (False, "no"),            # a boolean, not the number 1 or 0
    (1234567, "1,234,567"), (-5, "-5"),
    (172.0, "172"), (1e9, "1,000,000,000.000"),  # whole floats as whole numbers below 1e9
    (0.123456, "0.123"), (-2.5, "-2.500"),
    ("[c]", "[c]"), ([1, 2], "[1, 2]"),       # text and containers as written
])
def test_values_as_people_read_them(value, shown):
    assert fmt(value) == shown


def test_digits():
    assert fmt(3.14159, digits=1) == "3.1" and fmt(3.0, digits=1) == "3"


def test_doctests():
    failures, tried = doctest.testmod(socmob.report.formatting)
    assert failures == 0 and tried >= 1
