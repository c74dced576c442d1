"""Full precision in machine output: the employer report's JSON carries the figures
unrounded (the internal view included); only the HTML page rounds.

The reference figures are computed here by hand from the validated extract with numpy:
hourly pay per reg. 6 of SI 2017/172, ``(ordinary + bonus) × 7 / period days / weekly
hours`` over full-pay relevant employees, and the gap ``(A − B) / A × 100`` with A the
professional (reference) group's median.
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from socmob.report.workforce import report_html, report_json
from socmob.synth.workforce import synthetic_workforce
from socmob.workforce.hr import validate_hr
from socmob.workforce.summary import workforce_summary


@pytest.fixture(scope="module")
def hr():
    sw = synthetic_workforce(400, seed=5)
    return validate_hr(sw.frame.astype(object), sw.mapping, file="synthetic")


def _hand_median_gap(frame, group: str, reference: str = "professional") -> float:
    full = frame[frame["full_pay_relevant"].astype(bool)]
    hourly = ((full["ordinary_pay"] + full["bonus_pay"]) * 7.0 / full["period_days"]
              / full["weekly_hours"]).to_numpy(float)
    a = float(np.median(hourly[(full["seb"] == reference).to_numpy()]))
    b = float(np.median(hourly[(full["seb"] == group).to_numpy()]))
    return (a - b) / a * 100.0


def _table(data: dict, key: str) -> dict:
    return next(t for t in data["tables"] if t["key"] == key)


def _cell(table: dict, row: str, column: str):
    j = table["columns"].index(column)
    return next(r[j] for r in table["rows"] if r[0] == row)


@pytest.mark.parametrize("view", ["internal", "publishable"])
def test_pay_gaps_are_unrounded_in_json(hr, view) -> None:
    summary = workforce_summary(hr, view=view, n_boot=30, seed=1)
    data = json.loads(report_json(summary))
    expected = _hand_median_gap(hr.frame, "lower")
    got = _cell(_table(data, "pay_gaps"), "lower vs professional", "Median hourly pay gap")
    assert got == pytest.approx(expected, rel=1e-12, abs=1e-12)
    assert data["headline"]["median_hourly_gap_lower_pct"] == pytest.approx(expected,
                                                                             rel=1e-12)
    # not cut to one decimal (as the JSON used to be)
    assert abs(got - round(got, 1)) > 1e-9
    # the page rounds, to the table's one decimal
    assert f"{expected:,.1f}" in report_html(summary, charts=False)


def test_internal_shares_and_intervals_are_exact(hr) -> None:
    data = json.loads(report_json(workforce_summary(hr, view="internal", n_boot=30, seed=1)))
    f = hr.frame[hr.frame["seb"].isin(["professional", "intermediate", "lower"])]
    total = len(f)
    shares = _table(data, "representation_by_grade")
    for group in ("professional", "intermediate", "lower"):
        expected = 100.0 * int((f["seb"] == group).sum()) / total
        assert _cell(shares, "Total", group) == pytest.approx(expected, rel=1e-12)
    intervals = _table(data, "pay_gap_intervals")
    values = [v for row in intervals["rows"] for v in row[1:] if v is not None]
    assert values and any(abs(v - round(v, 1)) > 1e-9 for v in values)


def test_publishable_percentages_follow_the_disclosure_policy_only(hr) -> None:
    summary = workforce_summary(hr, view="publishable", n_boot=30, seed=1)
    data = json.loads(report_json(summary))
    # percentages of counts are a disclosure control: whole numbers (percent_decimals=0)
    shares = _table(data, "representation_by_grade")
    cells = [v for row in shares["rows"] for v in row[1:] if v is not None]
    assert cells and all(float(v).is_integer() for v in cells)
    odds = _table(data, "senior_odds")
    ratios = [v for row in odds["rows"] for v in row[1:] if v is not None]
    # odds ratios are not a disclosure rounding: kept in full (they used to be cut to 0.01)
    assert not ratios or any(abs(v - round(v, 2)) > 1e-12 for v in ratios)
