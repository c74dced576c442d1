"""The release's traps, the breakdown view, and the scan of every indicator."""

from __future__ import annotations

import math

import numpy as np
import pytest

from socmob.errors import NotFoundError
from socmob.monitor import assess, breakdown, headline, overview, published
from socmob.monitor.series import NONE, PUBLISHED, REFERENCE, WILSON


def test_fixed_span_in_the_period_column() -> None:
    """dr32 publishes period "2014-2025" on every row; the year is in the breakdown."""
    s = headline("dr32")
    assert s is not None
    assert set(s.rows["period"]) == {"2014-2025"}
    assert s.points.labels == tuple(str(y) for y in range(2014, 2026))
    assert all(span.years == 1 for span in s.points.spans)


def test_moving_average_points_cover_three_years() -> None:
    s = headline("in21")
    assert s is not None
    assert s.points.spans[0].start == 2014 and s.points.spans[0].end == 2016
    assert set(s.rows["moving_average"]) == {3}


def test_pooled_windows_are_dated_by_the_period() -> None:
    """in35 publishes "2014 to 2016" in the period and 2016 in the breakdown."""
    s = headline("in35")
    assert s is not None
    assert s.points.spans[0].start == 2014 and s.points.spans[0].end == 2016


def test_series_without_intervals_are_flagged_or_derived() -> None:
    assert set(headline("dr12").points.interval) == {NONE}   # type: ignore[union-attr]
    assert set(headline("in11").points.interval) == {WILSON}  # type: ignore[union-attr]
    assert set(headline("dr32").points.interval) == {PUBLISHED}  # type: ignore[union-attr]
    mo12 = headline("MO12")
    assert mo12 is not None and mo12.points.interval[0] == REFERENCE


def test_no_interval_is_derived_from_a_whole_sample_size() -> None:
    """MO31's table gives the whole sample (12,304) on every cell: not a base."""
    rows = published("MO31")
    table = rows[rows["breakdown"] == "sex; seb; educational_level"]
    assert (table["n"] == 12304).all()
    assert set(table["interval"]) == {NONE}


def test_placeholder_zeros_do_not_enter_the_analysis() -> None:
    rows = published("in12")
    zeros = rows[(rows["value"] == 0) & rows["period"].isin(["2019/20", "2020/21"])]
    assert len(zeros) > 0 and not zeros["usable"].any()
    s = headline("in12")
    assert s is not None
    assert "2019/20" not in s.points.labels


def test_rows_published_twice_count_once() -> None:
    s = headline("MO51")
    assert s is not None
    assert len(s.rows) == 2 and len(s.points) == 1 and s.points.duplicates == 1


def test_assessment_carries_its_evidence() -> None:
    a = assess("dr12")
    assert a.status.status in {"improving", "worsening", "no clear change"}
    assert a.status.evidence["test"] == "trend"
    assert a.status.evidence["independent_points"] == len(headline("dr12").points)  # type: ignore[union-attr]
    assert "ordinary least squares" in a.status.text
    frame = a.to_frame()
    assert frame["measure"].iloc[0] == "dr12"
    assert frame["note"].iloc[0] == a.status.status
    ci90 = a.conf_int(alpha=0.10)
    assert ci90.isna().all().all()  # no interval published for child poverty


def test_breakdown_by_dimension_and_by_published_breakdown() -> None:
    by_sex = breakdown("in32", by="sex")
    assert by_sex.breakdowns == ("unemp_binary; seb; sex",)
    assert set(by_sex.gaps["dimension"]) == {"seb"}
    assert {"Men", "Women"} <= {d.get("sex") for d in by_sex.rows["dims"]}
    same = breakdown("in32", by="Unemp_binary; SEB; sex")
    assert len(same.rows) == len(by_sex.rows)
    regional = breakdown("dr32", geography="itl2")
    assert set(regional.rows["geography"]) == {"itl2"}
    assert regional.rows["place"].nunique() == 41


def test_unknown_breakdowns_and_geographies_say_what_exists() -> None:
    with pytest.raises(NotFoundError, match=r"has no breakdown 'sx'.*did you mean 'sex'"):
        breakdown("in32", by="sx")
    with pytest.raises(NotFoundError, match=r"unknown geography 'itl3'; did you mean 'itl2'"):
        breakdown("in32", geography="itl3")
    with pytest.raises(NotFoundError, match="in11 has no itl1 rows"):
        breakdown("in11", geography="itl1")


def test_scan_adjusts_for_many_indicators() -> None:
    scan = overview()
    table = scan.table()
    assert len(table) == 42 and scan.adjustment == "holm"
    assert scan.tests == int(np.isfinite(table["p"]).sum())
    for a in scan.assessments:
        ev = a.status.evidence
        if "p_unadjusted" in ev and ev["p"] is not None and math.isfinite(ev["p"]):
            assert ev["p"] >= ev["p_unadjusted"] - 1e-15
            assert "Holm-adjusted p" in a.status.text
    # one indicator significant on its own but not after adjustment: dr21 (p = 0.041)
    alone = assess("dr21")
    assert alone.status.status == "worsening"
    assert scan["dr21"].status.status == "no clear change"
    unadjusted = overview(adjustment="none")
    assert unadjusted["dr21"].status.status == "worsening"
