"""The SMC key-question classifier against the published option list.

Reference: ``tests/results/workforce/smc_seb_key_question_options.csv`` (the nine options
with exact published wording and the SMC three-way grouping; see the README there).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from socmob.classify.seb import (
    KEY_QUESTION,
    KEY_QUESTION_OPTIONS,
    classify_key_question,
)
from socmob.errors import InputError

REF = Path(__file__).resolve().parents[1] / "results" / "workforce"


def test_options_match_published_wording_order_and_groups():
    ref = pd.read_csv(REF / "smc_seb_key_question_options.csv")
    assert len(KEY_QUESTION_OPTIONS) == 9
    for opt, row in zip(KEY_QUESTION_OPTIONS, ref.itertuples(), strict=True):
        assert opt.order == row.option_order
        assert opt.code == row.option_code
        assert opt.label == row.option_label_as_published
        assert opt.group == row.seb_group_3way
    assert KEY_QUESTION.startswith("What was the occupation of your main household earner")


def test_exact_labels_map_to_their_group():
    ref = pd.read_csv(REF / "smc_seb_key_question_options.csv")
    res = classify_key_question(ref["option_label_as_published"])
    assert list(res.group) == list(ref["seb_group_3way"])
    assert list(res.option) == list(ref["option_code"])


MESSY = [
    # (raw answer, expected option code, expected group)
    ("MODERN PROFESSIONAL & TRADITIONAL PROFESSIONAL OCCUPATIONS", "professional", "professional"),
    ("  modern professional and traditional professional occupations  ", "professional",
     "professional"),
    ("Senior, middle or junior managers or administrators", "manager", "professional"),
    ("Clerical and intermediate occupations", "clerical", "intermediate"),
    ("Small business owners who employed less than 25 people", "small-business-owner",
     "intermediate"),
    ("Technical & craft occupations", "technical", "lower"),
    ("Routine, semi-routine manual and service occupations", "manual", "lower"),
    ("Long-term unemployed (claimed Jobseeker\u2019s Allowance or earlier unemployment "
     "benefit for more than a year).", "unemployed", "lower"),
    ("long term unemployed", "unemployed", "lower"),
    ("I don\u2019t wish to answer", "prefer-not-to-say", "excluded"),
    ("I don't wish to answer", "prefer-not-to-say", "excluded"),
    ("Prefer not to say", "prefer-not-to-say", "excluded"),
    ("PNTS", "prefer-not-to-say", "excluded"),
    ("Don't know", "other", "excluded"),
    ("Other", "other", "excluded"),
    ("5", "manual", "lower"),
    (7, "small-business-owner", "intermediate"),
    (2.0, "manager", "professional"),
    ("small-business-owner", "small-business-owner", "intermediate"),
]


@pytest.mark.parametrize(("raw", "code", "group"), MESSY)
def test_messy_answers_are_mapped(raw, code, group):
    res = classify_key_question([raw])
    assert res.option.iloc[0] == code
    assert res.group.iloc[0] == group


def test_mapping_report_lists_every_distinct_answer_with_counts():
    answers = ["Prefer not to say", "PNTS", "PNTS", None, "Clerical", "clerical ", "9"]
    res = classify_key_question(answers)
    rep = res.mapping
    assert list(rep.columns) == [
        "raw", "normalised", "option_code", "option_label", "seb_group", "count"
    ]
    assert res.to_frame()["value"].sum() == len(answers)  # tidy rows: the same counts
    counts = dict(zip(rep["raw"].fillna("<blank>"), rep["count"], strict=True))
    assert counts == {"Clerical": 1, "clerical": 1, "PNTS": 2, "Prefer not to say": 1,
                      "9": 1, "<blank>": 1}
    # 7 answers: 2 intermediate, 4 prefer-not-to-say (excluded), 1 blank
    assert res.counts.to_dict() == {"professional": 0, "intermediate": 2, "lower": 0,
                                    "excluded": 4, "missing": 1}
    assert res.n_classified == 2
    row = rep[rep["raw"] == "PNTS"].iloc[0]
    assert row["normalised"] == "pnts"
    assert row["option_label"] == "I prefer not to say."


def test_unknown_answers_are_rejected_with_the_list():
    with pytest.raises(InputError) as info:
        classify_key_question(["Clerical", "Astronaut", "teacher?", "Astronaut"],
                              column="seb_q1", file="hr.csv")
    msg = str(info.value)
    assert "2 unrecognised" in msg
    assert "'Astronaut' (row 3)" in msg and "'teacher?' (row 4)" in msg
    assert "column 'seb_q1'" in msg and "hr.csv" in msg


def test_value_labels_and_custom_aliases():
    labels = {1: "Modern professional & traditional professional occupations",
              9: "I prefer not to say"}
    res = classify_key_question(pd.Series([1, 9, 1]), value_labels=labels)
    assert list(res.group) == ["professional", "excluded", "professional"]
    res = classify_key_question(["Blue collar"], aliases={"blue collar": "manual"})
    assert res.group.iloc[0] == "lower"
    cat = pd.Series(pd.Categorical(["Technical and craft", "Other"]))
    assert list(classify_key_question(cat).group) == ["lower", "excluded"]


def test_value_labelled_spss_column(tmp_path):
    """A value-labelled SPSS column read with socmob.classify.labelled is classified
    through its labels (codes 1-9 follow the published order). SPSS cuts value labels
    at 120 bytes, so the long options arrive truncated and must still be recognised."""
    pyreadstat = pytest.importorskip("pyreadstat")
    from socmob.classify.labelled import read_labelled

    ref = pd.read_csv(REF / "smc_seb_key_question_options.csv")
    labels = {float(o): lab for o, lab in zip(ref["option_order"],
                                              ref["option_label_as_published"], strict=True)}
    path = tmp_path / "survey.sav"
    frame = pd.DataFrame({"q_seb": [1.0, 5.0, 9.0, 7.0]})
    pyreadstat.write_sav(frame, str(path), variable_value_labels={"q_seb": labels})
    data = read_labelled(path)
    assert len(data.labels("q_seb")[1.0]) == 120  # truncated by the format
    res = classify_key_question(data.frame["q_seb"], value_labels=data.labels("q_seb"))
    assert list(res.group) == ["professional", "lower", "excluded", "intermediate"]


def test_short_prefixes_are_not_guessed():
    with pytest.raises(InputError):
        classify_key_question(["Modern prof"])  # too short to be a cut-off label
