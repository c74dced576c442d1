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
    # Hand-built facts. ci1: band 1 (≤ 2) → "weakest-band" (priority 1); its z fell from
    # 0.4 to -1.8 (a step of -2.2 ≤ -0.6) → "large-fall" (priority 2); as z < 0 and
    # band ≤ 3 also "below-average" (priority 5), but an index is asked about at most
    # twice. ci2: band 7 → "strength" (priority 9). ci3: band 4, z = 0.1 → no rule.
    # ci4: band 3, z = -0.6, trend "worsened" → "falling" (priority 3) and
    # "below-average" (5). Order: priority, then lower z first.
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
        ("weakest-band", "ci1"), ("large-fall", "ci1"), ("falling", "ci4"),
        ("below-average", "ci4"), ("strength", "ci2")]
    # the latest period is used, and the text carries the area's own numbers
    assert qs[0].text.startswith('Testshire is in the "Least Favourable" band for '
                                 "Conditions of Childhood (2018 to 2024).")
    assert "(z-score 0.40 → -1.80; \"Upper Middling\" → \"Least Favourable\")" in qs[1].text
    assert "from the 2012 to 2017 period to the 2018 to 2024 period" in qs[1].text
    assert "z = -0.60" in qs[3].text
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


def test_a_large_improvement_since_the_first_period_is_asked_about():
    # z from -1.9 (2000 to 2005) to -0.7 (2018 to 2024): +1.2 ≥ 1.0 since the first
    # period, though no single step reaches 0.6
    parts = {"indices": _indices_section([
        ("ci1", "Conditions of Childhood", "2000 to 2005", -1.9, 1, "Least Favourable"),
        ("ci1", "Conditions of Childhood", "2006 to 2011", -1.5, 1, "Least Favourable"),
        ("ci1", "Conditions of Childhood", "2012 to 2017", -1.1, 2, "Unfavourable"),
        ("ci1", "Conditions of Childhood", "2018 to 2024", -0.7, 3, "Lower Middling"),
    ])}
    rules = [q.rule for q in questions.generate(AREA, parts)]
    assert rules[0] == "large-improvement" and "large-fall" not in rules
    text = questions.generate(AREA, parts)[0].text
    assert "since the 2000 to 2005 period (z-score -1.90 → -0.70" in text


def test_northern_ireland_is_not_asked_about_the_council():
    parts = {"indices": _indices_section([
        ("ci4", "Promising Prospects", "2021 to 2024", -2.0, 1, "Least Favourable")])}
    gb = questions.generate(AreaRef("x", "Testshire", nation="England"), parts)[0].text
    ni = questions.generate(AreaRef("northern_ireland", "Northern Ireland",
                                    nation="Northern Ireland"), parts)[0].text
    assert "the council and its partners" in gb
    assert "council " not in ni and "the council" not in ni
    assert "the Northern Ireland Executive, the 11 councils and their partners" in ni
    for rule in questions.default_rules().rules:  # no rule names the council outright
        assert "council" not in rule.text.lower(), rule.id


def test_question_words_need_a_default():
    with pytest.raises(InputError, match="default"):
        questions.parse_rules({"rules": [], "words": {"who": {"Wales": "x"}}})


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
