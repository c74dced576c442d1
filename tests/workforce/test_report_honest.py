"""Honest charts and words in the workforce report: suppressed cells are drawn and
labelled [c], share bars run to exactly 100, the narrative reads the figures (and says
"we cannot say" where they are suppressed), the CSV has no empty column; and the column
picker's guesses."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.report.workforce import (
    SUPPRESSED_LABEL,
    narrative,
    report_csv_frame,
    report_html,
    share_segments,
)
from socmob.workforce.columns import guess_columns, guess_grade_order, template_frame
from socmob.workforce.summary import SUPPRESSED, workforce_summary


def test_share_segments_fill_each_bar_to_100_and_mark_suppressed_cells():
    shares = pd.DataFrame({"professional": [40.0, 55.0, np.nan, 34.0],
                           "intermediate": [22.0, np.nan, np.nan, 33.0],
                           "lower": [38.0, np.nan, np.nan, 34.0]},  # last row adds to 101
                          index=["Total", "Manager", "Director", "Rounded"])
    seg = share_segments(shares)
    ends = seg.groupby("row")["end"].max()
    assert (ends == 100).all() and (seg.groupby("row")["start"].min() == 0).all()
    # each bar is contiguous: a segment starts where the one before it ended
    for _, bar in seg.groupby("row", sort=False):
        assert np.allclose(bar["start"].to_numpy()[1:], bar["end"].to_numpy()[:-1])
    manager = seg[seg["row"] == "Manager"].set_index("column")
    assert manager.loc["professional", "end"] == 55
    assert manager.loc[SUPPRESSED_LABEL, ["start", "end"]].tolist() == [55, 100]
    director = seg[seg["row"] == "Director"]
    assert director["column"].tolist() == [SUPPRESSED_LABEL]  # all suppressed: one grey bar
    # 34 + 33 + 34 = 101: scaled to 100, never past it
    rounded = seg[seg["row"] == "Rounded"]
    assert rounded["end"].max() == 100
    assert rounded["end"].iloc[0] == pytest.approx(34 * 100 / 101)
    assert SUPPRESSED_LABEL not in rounded["column"].tolist()


@pytest.fixture(scope="module")
def published(synthetic_hr):
    return workforce_summary(synthetic_hr, n_boot=50)


def test_the_chart_draws_and_labels_suppressed_cells(published):
    html = report_html(published)
    grade = published.table("representation_by_grade").frame
    assert grade.drop(index=["Total", "UK benchmark"]).isna().any().any()  # the case tested
    svg = html[html.index("<svg"):html.index("</svg>")]
    assert f">{SUPPRESSED}<" in svg and f"Suppressed {SUPPRESSED}" in svg
    # the axis ends at 100, not beyond
    ticks = [t for t in ("100", "110", "120") if f">{t}<" in svg]
    assert ticks == ["100"]
    # the alt text names the suppressed cells
    assert "Director: professional [c]" in html


def test_the_narrative_reads_the_figures(published):
    h = published.headline
    text = " ".join(narrative(published))
    gap = h["median_hourly_gap_lower_pct"]
    adjusted = h["within_grade_gap_lower"]["adjusted_pct"]
    assert f"paid {gap:.1f}% less per hour" in text
    assert f"{adjusted:.1f}% after allowing for grade" in text
    assert abs(adjusted) < 0.5 * abs(gap) and "much smaller" in text
    assert f"{h['answered_key_question']:,} of {h['employees']:,} employees" in text
    # the seniority gap is withheld in this workforce: the narrative says so
    assert h["seniority_gap_lower_pp"] is None and "We cannot say how the share" in text


def test_the_narrative_says_we_cannot_say_where_the_gap_is_withheld(published):
    import dataclasses

    h = {**published.headline, "median_hourly_gap_lower_pct": None}
    text = " ".join(narrative(dataclasses.replace(published, headline=h)))
    assert "We cannot say what the median hourly pay gap" in text
    assert "% less per hour" not in text


def test_csv_has_every_figure_and_no_empty_column(published):
    csv = report_csv_frame(published)
    n_cells = sum(t.frame.size for t in published.tables)
    assert len(csv) == n_cells
    assert all(csv[c].astype(str).str.len().gt(0).any() for c in csv.columns)
    suppressed = csv[csv["status"] == "suppressed"]
    assert len(suppressed) and suppressed["value"].isna().all()
    assert csv["data"].eq("SYNTHETIC").all()
    # unrounded: the mean pay gap is as computed
    gap = published.table("pay_gaps").frame.iloc[0, 0]
    row = csv[(csv["table"] == "pay_gaps")].iloc[0]
    assert row["value"] == gap


def test_column_guesses_recover_the_synthetic_mapping():
    from socmob.synth.workforce import synthetic_workforce

    made = synthetic_workforce(200, seed=1)
    assert guess_columns(list(made.frame.columns)) == dict(made.mapping.columns)
    raw = made.frame.astype(object)
    guessed = guess_grade_order(raw, "Grade", made.mapping.columns)
    assert guessed == list(made.mapping.grades)


def test_column_guesses_on_other_spellings_and_the_template():
    headers = ["Employee Number", "Pay Band", "Basic pay", "Days in pay period",
               "Contracted hours", "FPRE", "Parental occupation", "Gender", "Notes"]
    g = guess_columns(headers)
    assert g == {"employee_id": "Employee Number", "grade": "Pay Band",
                 "ordinary_pay": "Basic pay", "period_days": "Days in pay period",
                 "weekly_hours": "Contracted hours", "full_pay_relevant": "FPRE",
                 "seb_answer": "Parental occupation", "sex": "Gender"}
    template = guess_columns(list(template_frame().columns))
    from socmob.workforce.hr import MANDATORY

    assert set(MANDATORY) <= set(template)


def test_grade_order_without_pay_is_natural():
    raw = pd.DataFrame({"Band": ["Band 10", "Band 2", "Band 1", "Band 2"]}).astype(object)
    assert guess_grade_order(raw, "Band") == ["Band 1", "Band 2", "Band 10"]
