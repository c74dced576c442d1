"""The publishable report: every count table survives the reconstruction attack, shares
and gaps are withheld with their counts, and the synthetic truth is recovered."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from socmob.errors import DisclosureError
from socmob.synth.workforce import synthetic_workforce
from socmob.workforce.hr import HRData, validate_hr
from socmob.workforce.paygap import class_pay_gap
from socmob.workforce.summary import workforce_summary


@pytest.fixture(scope="module")
def hr():
    sw = synthetic_workforce(300, seed=11)
    return validate_hr(sw.frame.astype(object), sw.mapping, file="synthetic")


def _as_protected(frame):
    inner = frame.drop(index="Total").drop(columns="Total")
    return SimpleNamespace(published=inner, row_totals=frame["Total"].drop("Total"),
                           col_totals=frame.loc["Total"].drop("Total"),
                           grand_total=float(frame.loc["Total", "Total"]))


def test_published_count_tables_resist_reconstruction(hr, attack):
    s = workforce_summary(hr, n_boot=0)
    count_tables = [t for t in s.tables if t.key.endswith("_counts") or t.key == "seniority"]
    assert len(count_tables) >= 4
    n_suppressed = 0
    for t in count_tables:
        values = t.frame.to_numpy(float)
        ok = np.isfinite(values)
        assert ((values[ok] == 0) | (values[ok] >= 10)).all(), t.key
        for _kind, _i, _j, lo, hi in attack(_as_protected(t.frame)):
            assert hi - lo >= 1, t.key
            n_suppressed += 1
    assert n_suppressed > 0  # the fixture does have small cells to protect


def test_shares_are_withheld_with_their_counts(hr):
    s = workforce_summary(hr, n_boot=0)
    counts = s.table("representation_by_grade_counts").frame.drop(columns="Total")
    shares = s.table("representation_by_grade").frame.loc[counts.index]
    # a suppressed count always has a suppressed share (shares are also withheld where
    # the row total is suppressed, since share × total would give the count back)
    assert (shares.isna().to_numpy() | ~counts.isna().to_numpy()).all()
    assert shares.isna().to_numpy().any()


def test_gaps_over_small_groups_are_withheld(hr):
    frame = hr.frame.copy()
    inter = frame.index[frame["seb"] == "intermediate"]
    frame.loc[inter[5:], "seb"] = "lower"  # leave 5 intermediate-background employees
    small = HRData(frame=frame, mapping=hr.mapping, seb_report=hr.seb_report)
    pub = workforce_summary(small, n_boot=0).table("pay_gaps").frame
    assert pub.loc["intermediate vs professional"].isna().all()
    assert pub.loc["lower vs professional"].notna().any()
    internal = workforce_summary(small, view="internal", n_boot=0).table("pay_gaps").frame
    assert internal.loc["intermediate vs professional"].notna().any()


def test_refusal_below_minimum(hr):
    frame = hr.frame.iloc[:55].copy()
    tiny = HRData(frame=frame, mapping=hr.mapping, seb_report=hr.seb_report)
    with pytest.raises(DisclosureError, match="refusing"):
        workforce_summary(tiny, n_boot=0)
    workforce_summary(tiny, view="internal", n_boot=0)  # internal view is not refused


def test_synthetic_truth_recovered_by_adjusted_gap():
    # Known truth of the generator: within-grade penalties of 5 % (lower) and 2.5 %
    # (intermediate); with 4000 employees the 95 % intervals should contain them.
    sw = synthetic_workforce(4000, seed=2024)
    data = validate_hr(sw.frame.astype(object), sw.mapping, file="synthetic")
    adj = class_pay_gap(data.frame, adjust_for=["grade"], n_boot=0).adjusted.table
    adj = adj.set_index("group")
    assert adj.loc["lower", "lci"] < 5.0 < adj.loc["lower", "uci"]
    assert adj.loc["intermediate", "lci"] < 2.5 < adj.loc["intermediate", "uci"]
