"""Period labels: the years each form covers, the one order, and "the latest period".

Every expected value is derived by hand from the rule in ``socmob.periods``: order by
the year a period ends, then by the year it starts, then by text; labels that are not a
time first.
"""

from __future__ import annotations

import math

import pandas as pd
import pytest

from socmob.errors import InputError
from socmob.periods import (
    Span,
    is_latest,
    latest_period,
    parse_period,
    period_key,
    sort_by_period,
    sort_periods,
)


@pytest.mark.parametrize(("label", "span"), [
    ("2014", Span(2014, 2014)),
    (" 2014 ", Span(2014, 2014)),
    ("2013/14", Span(2014, 2014)),        # academic year: dated by its end
    ("1999/00", Span(2000, 2000)),        # ... across a century
    ("2016/20", Span(2016, 2020)),        # pooled survey years
    ("1990-99", Span(1990, 1999)),        # birth decade
    ("2018-22", Span(2018, 2022)),
    ("2014-2025", Span(2014, 2025)),
    ("2014 to 2016", Span(2014, 2016)),
    ("2018–2022", Span(2018, 2022)),      # en dash
    (2014, Span(2014, 2014)),             # a number, as read from a spreadsheet
])
def test_each_published_form_covers_its_years(label, span):
    assert parse_period(label) == span


@pytest.mark.parametrize("label", ["SoN 2023", "", "latest", "2020/2019", "2020 to 2019",
                                   None, math.nan, pd.NA])
def test_labels_that_are_not_a_time(label):
    assert parse_period(label) is None


def test_span_arithmetic():
    a, b = Span(2014, 2016), Span(2016, 2018)
    assert (a.years, a.midpoint, a.overlap(b), a.label()) == (3, 2015.0, 1, "2014–2016")
    assert Span(2014, 2014).label() == "2014"
    assert Span(2010, 2012).overlap(Span(2014, 2016)) == 0


def test_order_is_end_year_then_start_year_then_text():
    labels = ["2021 to 2024", "2018 to 2024", "2018 to 2020", "2012 to 2017",
              "2014/15", "2014", "2015", "2010 to 2020", "2015 to 2017", "SoN 2023",
              "1990-99", "2014-2025"]
    # by hand: non-times first; then (end, start): 1990-99 (1999, 1990), 2014 (2014),
    # 2014/15 and 2015 both (2015, 2015) → text order, 2012 to 2017 (2017, 2012),
    # 2015 to 2017 (2017, 2015), 2010 to 2020 (2020, 2010), 2018 to 2020 (2020, 2018),
    # 2018 to 2024 (2024, 2018), 2021 to 2024 (2024, 2021), 2014-2025 (2025, 2014)
    assert sort_periods(labels) == [
        "SoN 2023", "1990-99", "2014", "2014/15", "2015", "2012 to 2017", "2015 to 2017",
        "2010 to 2020", "2018 to 2020", "2018 to 2024", "2021 to 2024", "2014-2025"]


def test_sort_periods_drops_missing_and_duplicates():
    assert sort_periods(["2019", None, "2018", "2019", math.nan]) == ["2018", "2019"]
    assert sort_periods(pd.Series(["2019", None, "2018"])) == ["2018", "2019"]


def test_latest_period_is_the_last_in_the_order():
    assert latest_period(["2018 to 2020", "2021 to 2024"]) == "2021 to 2024"
    assert latest_period(["2018 to 2024", "2021 to 2024"]) == "2021 to 2024"
    assert latest_period(["2012 to 2017", "2018 to 2024"]) == "2018 to 2024"
    # a later end beats a later start; lexical order would say the opposite
    assert latest_period(["2015 to 2017", "2010 to 2020"]) == "2010 to 2020"
    assert latest_period(["2014", "2013/14"]) == "2014"    # same year, text order
    assert latest_period(["2014", "2014/15"]) == "2014/15"  # 2014/15 ends in 2015
    assert latest_period(["2020/21", "2020"]) == "2020/21"
    assert latest_period(["SoN 2023", "1990-99"]) == "1990-99"
    assert latest_period(["SoN 2023"]) == "SoN 2023"


def test_latest_period_of_nothing_is_an_input_error():
    with pytest.raises(InputError, match="no periods"):
        latest_period([])
    with pytest.raises(InputError, match="no periods"):
        latest_period([None, math.nan])


def test_period_key_puts_non_times_first():
    assert period_key("SoN 2023") < period_key("1900")
    assert period_key("2014 to 2016") == (1, 2016, 2014, "2014 to 2016")
    assert period_key("SoN 2023") == (0, 0, 0, "SoN 2023")


def test_sort_by_period_orders_rows_in_time_within_groups():
    # by hand: 2014/15 ends 2015; "2018 to 2020" ends 2020; "2018 to 2024" and
    # "2021 to 2024" end 2024, the later start last; text order would put "2014/15" after
    # "2014 to 2016" and "2021 to 2024" after "2018 to 2024" but "2018 to 2020" wrong
    frame = pd.DataFrame({
        "index": ["b", "a", "a", "a", "b", "a"],
        "period": ["2014", "2021 to 2024", "2014/15", "2018 to 2024", None, "2018 to 2020"],
        "value": [1, 2, 3, 4, 5, 6]})
    out = sort_by_period(frame, by="index")
    assert out["value"].tolist() == [3, 6, 4, 2, 5, 1]  # a: 2015, 2020, 2018-24, 2021-24;
    assert out["index"].tolist() == ["a"] * 4 + ["b"] * 2  # b: missing first, then 2014
    assert sort_by_period(frame)["value"].tolist() == [5, 1, 3, 6, 4, 2]


def test_is_latest_marks_the_last_period_of_each_group_under_the_rule():
    frame = pd.DataFrame({
        "index": ["a", "a", "a", "b", "b", "c"],
        # "2015 to 2017" > "2010 to 2020" as text, but the later window ends 2020
        "period": ["2015 to 2017", "2010 to 2020", "2010 to 2020", "2014/15", "2014",
                   None]})
    assert is_latest(frame, "index").tolist() == [False, True, True, True, False, False]
    # the text "max" picks the wrong window in group a
    text_max = frame["period"] == frame.groupby("index")["period"].transform("max")
    assert text_max.tolist()[:3] == [True, False, False]


def test_doctests() -> None:
    import doctest

    import socmob.periods

    failures, tried = doctest.testmod(socmob.periods)
    assert failures == 0 and tried >= 4
