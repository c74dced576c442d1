"""socmob.report: question rules, chart specs, briefing layout."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from socmob.errors import InputError
from socmob.report import charts, questions
from socmob.report.sections import Section, Unavailable, attempt
from socmob.report.views import AreaRef, Panel


def _indices_section(rows: list[tuple[str, str, str, float, int, str]]) -> Section:
    table = pd.DataFrame(rows, columns=["measure", "note", "period", "value", "band", "group"])
    return Section("indices", Panel("indices", "Indices", table))


AREA = AreaRef("testshire", "Testshire")


def test_questions_from_hand_built_results():
    # Hand-built facts. ci1: band 1 (≤ 2) → "weakest-band" (priority 1) and, as z < 0 and
    # band ≤ 3, "below-average" (priority 5). ci2: band 7 → "strength" (priority 9).
    # ci3: band 4, z = 0.1 → no rule. ci4: band 3, z = -0.6, trend "worsened" → "falling"
    # (priority 3) and "below-average" (5). Order: priority, then lower z first:
    # weakest-band ci1, falling ci4, below-average ci1 (z -1.8), below-average ci4
    # (z -0.6), strength ci2.
    parts = {
        "indices": _indices_section([
            ("ci1", "Conditions of Childhood", "2018 to 2024", -1.8, 1, "Least Favourable"),
            ("ci1", "Conditions of Childhood", "2012 to 2017", 0.4, 5, "Upper Middling"),
            ("ci2", "Labour Market", "2018 to 2024", 1.7, 7, "Most Favourable"),
            ("ci3", "Innovation and Growth", "2018 to 2024", 0.1, 4, "Middling"),
            ("ci4", "Promising Prospects", "2021 to 2024", -0.6, 3, "Lower Middling"),
        ]),
        "trend": Section("trend", Panel("trend", "Trend", pd.DataFrame({
            "index_code": ["ci4", "ci1"], "period": ["a → b", "a → b"],
            "verdict": ["worsened", "within the noise"]}))),
        "spatial": Section("spatial", reason="no neighbours in this test"),
    }
    qs = questions.generate(AREA, parts)
    assert [(q.rule, q.index_code) for q in qs] == [
        ("weakest-band", "ci1"), ("falling", "ci4"), ("below-average", "ci1"),
        ("below-average", "ci4"), ("strength", "ci2")]
    # the latest period is used, and the text carries the area's own numbers
    assert qs[0].text.startswith('Testshire is in the "Least Favourable" band for '
                                 "Conditions of Childhood (2018 to 2024).")
    assert "z = -1.80" in qs[2].text
    assert all(q.evidence in {"indices", "trend"} for q in qs)


def test_uncertain_band_question_uses_probability():
    parts = {
        "indices": _indices_section([("ci1", "Conditions of Childhood", "p", 0.2, 4,
                                      "Middling")]),
        "band_probabilities": Section("band_probabilities", Panel("bp", "bp", pd.DataFrame(
            {"index_code": ["ci1"], "period": ["p"], "probability": [0.45]}))),
    }
    (q,) = questions.generate(AREA, parts)
    assert q.rule == "uncertain-band" and "only 45%" in q.text
    assert q.evidence == "band_probabilities"


def test_no_facts_no_questions():
    assert questions.generate(AREA, {"indices": Section("indices", reason="x")}) == []


def test_question_rules_are_validated():
    with pytest.raises(InputError, match="unknown operator"):
        questions.parse_rules({"rules": [{"id": "r", "when": {"z": {"approx": 1}},
                                          "text": "t", "evidence": "e"}]})
    with pytest.raises(InputError, match="lacks"):
        questions.parse_rules({"rules": [{"id": "r"}]})
    assert questions.default_rules().max_questions == 6


def test_sections_absorb_only_unavailable():
    """A section says "not available" only for UnavailableError, with its reason; every
    other error — socmob's input and not-found errors, and bugs — propagates."""
    from socmob.errors import NotFoundError, SocmobError, UnavailableError

    assert Unavailable is UnavailableError and issubclass(Unavailable, SocmobError)
    assert attempt("a", lambda: 1).get() == 1
    missing = attempt("b", lambda: _raise(UnavailableError("one period, so no trend")))
    assert not missing.available and missing.reason == "one period, so no trend"
    with pytest.raises(UnavailableError, match="one period"):
        missing.get()
    for error in (NotFoundError("no area"), InputError("bad", column="x"),
                  ImportError("socmob.no_such_module"), KeyError("ci9"),
                  TypeError("unexpected keyword"), AttributeError("no attribute"),
                  ValueError("bad value"), LookupError("missing")):
        with pytest.raises(type(error)):
            attempt("c", lambda error=error: _raise(error))
    with pytest.raises(TypeError, match="returned None"):
        attempt("d", lambda: None)


def _raise(error: BaseException) -> None:
    raise error


def test_trend_chart_spec_is_valid_and_carries_the_table():
    import vl_convert as vlc

    frame = pd.DataFrame({"period": ["2014", "2015", "2016"], "value": [0.0, -0.007, -0.008],
                          "lci": [0.0, -0.016, -0.017], "uci": [0.0, 0.002, 0.001]})
    chart = charts.trend_chart(frame, name="t", title="Relative mobility", y_title="phi")
    vega = vlc.vegalite_to_vega(chart.spec)  # raises on an invalid Vega-Lite spec
    assert vega["$schema"].startswith("https://vega.github.io/schema/vega/")
    assert chart.spec["data"]["values"] == json.loads(frame.to_json(orient="records"))
    svg = chart.to_svg()
    assert svg.startswith('<svg role="img" aria-label="Relative mobility.')
    assert 'role="graphics' not in svg
    assert chart.to_png(scale=1).startswith(b"\x89PNG")


def test_band_colours_and_labels_cover_seven_bands():
    legend = charts.band_legend()
    assert [b["band"] for b in legend] == list(range(1, 8))
    assert legend[0]["label"] == "Least Favourable" and legend[-1]["label"] == "Most Favourable"
    assert len({b["colour"] for b in legend}) == 7
