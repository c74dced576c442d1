"""Questionnaire schema, exports, response import, self-coded NS-SEC and the maturity
self-assessment."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from socmob.errors import InputError
from socmob.report.workforce import maturity_html, questionnaire_html
from socmob.workforce.maturity import assess_maturity, maturity_questions
from socmob.workforce.survey import import_responses, load_questionnaire, self_coded_nssec

REF = Path(__file__).resolve().parents[1] / "results" / "workforce"


def test_key_question_first_with_published_options_in_order():
    q = load_questionnaire()
    key = q.questions[0]
    assert key.text == ("What was the occupation of your main household earner when you "
                        "were about aged 14?")
    ref = pd.read_csv(REF / "smc_seb_key_question_options.csv")
    assert [o.label for o in key.options] == ref["option_label_as_published"].tolist()


def test_school_type_has_original_and_split_forms():
    q = load_questionnaire()
    split = [o.code for o in q.question("school_type").options]
    assert split[:4] == ["state-non-selective", "state-selective", "independent",
                         "independent-bursary"]
    assert "outside-uk" in split and "prefer-not-to-say" in split
    assert q.question("school_type_original").variant_of == "school_type"
    fsm = [o.label for o in q.question("free_school_meals").options]
    assert any("before 1980" in label for label in fsm)
    assert q.question("parental_qualification").variant_of == "parental_degree"


def test_exports_csv_json_html():
    q = load_questionnaire()
    frame = q.to_frame()
    assert frame.groupby("question_id").size()["seb_key_question"] == 9
    d = q.to_dict()
    assert [x["id"] for x in d["questions"]] == [x.id for x in q.questions]
    html = questionnaire_html(q)
    assert html.count("<fieldset") == len(q.questions)
    assert 'type="radio" name="seb_key_question"' in html


def test_import_responses_codes_and_rejects():
    raw = pd.DataFrame({
        "seb_key_question": ["Technical and craft", "3", None],
        "school_type": ["independent", "A state-run or state-funded school - non-selective",
                        "7"],
        "earner_employment_status": ["Employee", "employee", None],
        "earner_workplace_size": ["25 or more", "1 to 24", None],
        "earner_supervisor": ["No", "yes", None],
    })
    res = import_responses(raw)
    f = res.frame
    assert f["seb"].tolist() == ["lower", "intermediate", "missing"]
    assert f["school_type"].tolist() == ["independent", "state-non-selective",
                                         "prefer-not-to-say"]
    # technical & craft employee → 4; clerical employee → 2; unanswered → None
    assert f["nssec_self_coded"].tolist()[:2] == [4, 2]
    assert f["nssec_self_coded"].isna().iloc[2]
    with pytest.raises(InputError) as info:
        import_responses(pd.DataFrame({"parental_degree": ["Yes, one or both of my parents",
                                                           "Maybe"]}), file="s.csv")
    assert info.value.row == 3 and info.value.column == "parental_degree"


@pytest.mark.parametrize(
    ("occ", "status", "size", "sup", "expected"),
    [
        # ONS self-coded derivation (see socmob.workforce.survey docstring table)
        ("professional", "employee", None, "no", 1),
        ("manager", "employee", None, "yes", 1),
        ("clerical", "employee", None, "no", 2),
        ("clerical", "employee", None, "yes", 2),
        ("technical", "employee", None, "no", 4),
        ("manual", "employee", None, "yes", 4),
        ("manual", "employee", None, "no", 5),
        ("manual", "self-employed-with-employees", "25+", None, 1),
        ("manual", "self-employed-with-employees", "1-24", None, 3),
        ("professional", "self-employed-with-employees", "1-24", None, 1),
        ("technical", "self-employed-no-employees", None, None, 3),
        ("professional", "self-employed-no-employees", None, None, 1),
        ("small-business-owner", "employee", None, None, 3),
        ("unemployed", "not-working", None, None, None),
        ("prefer-not-to-say", "employee", None, None, None),
    ],
)
def test_self_coded_nssec(occ, status, size, sup, expected):
    assert self_coded_nssec(occ, status, size, sup) == expected


def test_maturity_scoring_by_hand():
    ids = maturity_questions()["question_id"].tolist()
    answers = dict.fromkeys(ids, 0)
    # data collection has 3 statements: scores 3, 3, 0 → mean 2 → 2/3·100 = 66.7
    # (Established); every other area 0 → Starting. Overall = 66.7 / 6 = 11.1 → Starting.
    answers.update({"data_collect": 3, "data_response": 3, "data_analyse": 0})
    a = assess_maturity(answers)
    t = a.areas.set_index("area_id")
    assert t.loc["data", "score"] == pytest.approx(200 / 3)
    assert t.loc["data", "level"] == "Established"
    assert a.score == pytest.approx(200 / 3 / 6)
    assert a.level == "Starting"
    assert a.next_steps[-1][0] == "Data collection"  # strongest area last
    assert "Analyse by grade" in a.next_steps[-1][1]
    assert "<table>" in maturity_html(a)


def test_maturity_rejects_missing_and_off_scale():
    ids = maturity_questions()["question_id"].tolist()
    with pytest.raises(InputError, match="no score"):
        assess_maturity({ids[0]: 1})
    with pytest.raises(InputError, match="not on the scale"):
        assess_maturity({**dict.fromkeys(ids, 1), ids[0]: 4})
    with pytest.raises(InputError, match="unknown question id"):
        assess_maturity({**dict.fromkeys(ids, 1), "nope": 1})
