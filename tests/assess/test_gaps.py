"""Background impact: the monitor's gap recomputed by hand after a change to one group."""

from __future__ import annotations

import math

import pytest
from scipy.stats import norm

from socmob import monitor
from socmob.assess import gap_impacts, parse_scenario
from socmob.assess.gaps import gap_flags, gap_table
from socmob.assess.scenario import ScenarioError


def _gaps(changes: list[dict]):
    return gap_impacts(parse_scenario({"background": changes}).background)


def test_a_change_to_the_least_advantaged_group_by_hand():
    d = monitor.assess("in21").gap.latest()  # NEET rate: lower is better
    res = _gaps([{"indicator": "in21", "add": -2}])["in21"]
    assert (res.a_baseline, res.b_baseline) == (d.a, d.b)
    assert res.b_scenario == pytest.approx(d.b - 2)
    z = norm.ppf(0.975)
    se = math.sqrt(d.se_a**2 + d.se_b**2)
    assert res.gap_scenario == pytest.approx(d.a - (d.b - 2))
    assert res.gap_scenario_lower == pytest.approx(d.a - (d.b - 2) - z * se)
    assert res.gap_scenario_upper == pytest.approx(d.a - (d.b - 2) + z * se)
    # the advantage of the most advantaged group: −(a − b) for a lower-is-better rate
    assert res.sign == -1
    assert res.signed_change == pytest.approx(-2.0)
    assert res.verdict == "narrows"
    assert res.ratio_scenario == pytest.approx(d.a / (d.b - 2))
    assert not gap_flags(_gaps([{"indicator": "in21", "add": -2}]))


def test_changes_to_both_groups_and_levelling_down_is_flagged():
    d = monitor.assess("in23").gap.latest()  # degree at 25–29: higher is better
    res = _gaps([{"indicator": "in23", "group": "most advantaged", "percent": -10},
                 {"indicator": "in23", "group": "Lower working", "set": 30}])
    g = res["in23"]
    assert g.a_scenario == pytest.approx(d.a * 0.9)
    assert g.b_scenario == 30
    assert g.signed_change == pytest.approx((d.a * 0.9 - 30) - (d.a - d.b))
    flags = gap_flags(res)
    assert [f.kind for f in flags] == ["group loses"]
    assert "Higher professional" in flags[0].text and "though the gap narrows" in flags[0].text
    table = gap_table(res)
    assert table.loc[0, "verdict"] == "narrows"
    assert "Higher professional -10%" in table.loc[0, "changes"]


def test_a_widening_gap_is_flagged():
    flags = gap_flags(_gaps([{"indicator": "in23", "group": "most advantaged", "add": 2}]))
    assert [f.kind for f in flags] == ["gap widens"]
    assert flags[0].value == pytest.approx(2.0)


@pytest.mark.parametrize("change, key, words", [
    ({"indicator": "in2l", "add": 1}, "background[1].indicator", "unknown indicator 'in2l'"),
    ({"indicator": "dr13", "add": 1}, "background[1].indicator", "no gap between backgrounds"),
    ({"indicator": "in21", "group": "Intermediate", "add": 1}, "background[1].group",
     "not one of the two groups"),
    ({"indicator": "in21", "add": -30}, "background[1].add", "below 0: impossible"),
    ({"indicator": "in23", "group": "most advantaged", "add": 70}, "background[1].add",
     "above 100: impossible"),
])
def test_impossible_changes_are_refused(change, key, words):
    with pytest.raises(ScenarioError) as info:
        _gaps([change])
    assert info.value.problems[0].key == key
    assert words in str(info.value)


def test_tidy_rows():
    frame = _gaps([{"indicator": "in21", "add": -2}]).to_frame()
    assert list(frame["measure"]) == ["gap_baseline", "gap_scenario"]
    assert set(frame["group"]) == {"in21"} and set(frame["breakdown"]) == {"indicator"}
