"""NS-SEC → SMC five classes, and value-labelled SPSS/Stata columns.

Reference: ONS, *SOC2010 volume 3: the National Statistics Socio-economic
Classification (NS-SEC rebased on SOC2010)*, user manual tables 3-4 (operational
categories L1-L17 and their analytic classes); the SMC five-class grouping is
higher professional = 1 (1.1, 1.2), lower professional = 2, intermediate = 3-4,
higher working class = 5-6, lower working class = 7-8.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from socmob.classify.labelled import apply_value_labels, read_labelled
from socmob.classify.nssec import (
    EXCLUDED,
    SMC_CLASSES,
    classify_nssec,
    nssec_to_smc,
    parse_nssec,
)
from socmob.errors import InputError
from socmob.tables import MobilityTable

# ONS NS-SEC 2010 user manual, table 3: L-code -> analytic class
L_TO_CLASS = {
    "L1": "1.1", "L2": "1.1", "L3.1": "1.2", "L3.4": "1.2", "L4.2": "2", "L5": "2",
    "L6": "2", "L7.3": "3", "L8.1": "4", "L9.2": "4", "L10": "5", "L11.1": "5",
    "L12.7": "6", "L13.5": "7", "L14.1": "8", "L14.2": "8", "L15": "students",
    "L16": "not classified", "L17": "not classified",
}  # fmt: skip

SMC = dict(enumerate(SMC_CLASSES, start=1))
CLASS_TO_SMC = {
    "1": SMC[1], "1.1": SMC[1], "1.2": SMC[1], "2": SMC[2], "3": SMC[3], "4": SMC[3],
    "5": SMC[4], "6": SMC[4], "7": SMC[5], "8": SMC[5],
}  # fmt: skip


@pytest.mark.parametrize(("code", "expected"), sorted(L_TO_CLASS.items()))
def test_l_codes(code: str, expected: str) -> None:
    assert parse_nssec(code) == expected


def test_invalid_l_sub_codes_are_rejected() -> None:
    # L3 has sub-categories 3.1-3.4 only; L18 does not exist
    assert parse_nssec("L3.5") is None
    assert parse_nssec("L18") is None
    assert parse_nssec("9") is None


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (1, "1"), (1.0, "1"), ("1.1", "1.1"), (1.2, "1.2"), ("Class 3", "3"),
        ("NS-SEC 5", "5"), ("ns_sec 7", "7"), (8.0, "8"), ("  2 ", "2"),
        ("Higher professional occupations", "1.2"),
        ("Lower managerial, administrative and professional occupations", "2"),
        ("SMALL EMPLOYERS AND OWN ACCOUNT WORKERS", "4"),
        ("Semi–routine occupations", "6"),
        ("Never worked and long-term unemployed", "8"),
        ("Full-time students", "students"),
        ("Occupations not stated or inadequately described", "not classified"),
        ("1.1 Large employers and higher managerial and administrative occupations", "1.1"),
        ("L13 Routine occupations", "7"),
    ],
)  # fmt: skip
def test_variants(value: object, expected: str) -> None:
    assert parse_nssec(value) == expected


def test_smc_mapping_and_report() -> None:
    values = ["1.1", "1.2", 2, 3.0, "4", "Class 5", "L12.1", 7, "L14.1", "Full-time students",
              "Not classified", None, "", 3]  # fmt: skip
    result = classify_nssec(values)
    expected = [SMC[1], SMC[1], SMC[2], SMC[3], SMC[3], SMC[4], SMC[4], SMC[5], SMC[5]]
    assert result.smc_class.iloc[:9].tolist() == expected
    assert result.smc_class.iloc[9:13].isna().all()
    assert result.status.tolist()[9:13] == [EXCLUDED, EXCLUDED, "missing", "missing"]
    report = result.report
    counts = report.counts
    # 14 values: 2 higher professional, 1 lower professional, 3 intermediate (3.0, "4", 3),
    # 2 higher working, 2 lower working, 2 excluded, 2 missing
    assert counts.to_dict() == {
        SMC[1]: 2, SMC[2]: 1, SMC[3]: 3, SMC[4]: 2, SMC[5]: 2, "excluded": 2, "missing": 2,
    }  # fmt: skip
    frame = report.mapping
    assert list(frame.columns) == ["input", "normalised", "nssec", "nssec_label", "mapped", "count"]
    # the tidy rows: one per distinct input, the count as value and the class as group
    tidy_rows = report.to_frame()
    assert tidy_rows["value"].tolist() == frame["count"].astype(float).tolist()
    assert tidy_rows["group"].tolist() == frame["mapped"].tolist()
    # 3.0 and 3 are the same input once written as text: one row, count 2
    row = frame[frame["input"] == "3"]
    assert row["count"].tolist() == [2]
    assert row["mapped"].tolist() == [SMC[3]]
    assert frame["count"].sum() == len(values)


def test_every_analytic_class_maps_as_published() -> None:
    result = classify_nssec(list(CLASS_TO_SMC))
    assert result.smc_class.tolist() == list(CLASS_TO_SMC.values())


def test_class_8_can_be_excluded() -> None:
    result = classify_nssec([8, "L14.2", 7], never_worked="exclude")
    assert result.smc_class.isna().tolist() == [True, True, False]
    assert result.report.n_excluded == 2


def test_unknown_values_are_listed_with_rows_and_hints() -> None:
    with pytest.raises(InputError) as err:
        classify_nssec([1, "9", "Higer profesional occupations"], column="nssec", file="s.csv")
    text = str(err.value)
    assert "column 'nssec'" in text and "s.csv" in text
    assert "'9' (row 3)" in text
    assert "~ 'Higher professional occupations'?" in text


def test_aliases_for_survey_specific_codes() -> None:
    result = classify_nssec([9, 1], aliases={9: "not classified"})
    assert result.status.tolist() == [EXCLUDED, "classified"]
    with pytest.raises(InputError, match="unknown NS-SEC class"):
        classify_nssec([9], aliases={9: "nonsense"})


def test_categorical_result_orders_a_mobility_table() -> None:
    frame = pd.DataFrame(
        {
            "parent": ["1.1", "7", "3", "Full-time students", "2", "5"],
            "child": ["2", "5", "1.2", "3", None, "7"],
        }
    )
    micro = pd.DataFrame(
        {"origin": nssec_to_smc(frame["parent"]), "destination": nssec_to_smc(frame["child"])}
    )
    table = MobilityTable.from_microdata(
        micro, origin="origin", destination="destination", order=list(SMC_CLASSES)
    )
    assert table.origin_labels == SMC_CLASSES
    # pairs kept: (HP, LP), (LW, HW), (Int, HP), (HW, LW); the student and the blank drop
    assert table.total == 4
    assert table.counts[0, 0, 1] == 1  # higher professional -> lower professional
    assert table.counts[0, 4, 3] == 1  # lower working -> higher working


# --------------------------------------------------------------------- labelled data

NSSEC_LABELS = {
    1.0: "Higher managerial, administrative and professional occupations",
    2.0: "Lower managerial, administrative and professional occupations",
    3.0: "Intermediate occupations",
    4.0: "Small employers and own account workers",
    5.0: "Lower supervisory and technical occupations",
    6.0: "Semi-routine occupations",
    7.0: "Routine occupations",
    8.0: "Never worked and long-term unemployed",
    9.0: "Not classified",
}


@pytest.mark.parametrize("suffix", [".sav", ".dta"])
def test_read_labelled_and_classify(tmp_path, suffix: str) -> None:
    frame = pd.DataFrame({"nssec_parent": [1.0, 3.0, 9.0, 8.0, np.nan], "id": [1, 2, 3, 4, 5]})
    path = tmp_path / f"survey{suffix}"
    writer = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
    labels = NSSEC_LABELS if suffix == ".sav" else {int(k): v for k, v in NSSEC_LABELS.items()}
    writer(
        frame,
        str(path),
        column_labels={"nssec_parent": "NS-SEC of main earner at 14", "id": "id"},
        variable_value_labels={"nssec_parent": labels},
    )
    data = read_labelled(path)
    assert data.column_labels["nssec_parent"] == "NS-SEC of main earner at 14"
    codes = data.frame["nssec_parent"]
    assert codes.iloc[0] == 1  # the codes are kept
    # classify on the labels (9 = "Not classified" is understood through its label) ...
    by_label = classify_nssec(codes, value_labels=data.labels("nssec_parent"))
    assert by_label.smc_class.iloc[:2].tolist() == [SMC[1], SMC[3]]
    assert by_label.status.tolist() == ["classified", "classified", EXCLUDED, "classified",
                                        "missing"]  # fmt: skip
    # ... or on the text labels themselves
    labelled = data.labelled("nssec_parent")
    assert labelled.iloc[1] == "Intermediate occupations"
    assert classify_nssec(labelled).smc_class.iloc[3] == SMC[5]


def test_read_labelled_errors(tmp_path) -> None:
    with pytest.raises(InputError, match="unsupported"):
        read_labelled(tmp_path / "x.csv")
    with pytest.raises(InputError, match="file not found"):
        read_labelled(tmp_path / "x.sav")
    bad = tmp_path / "broken.sav"
    bad.write_bytes(b"not an spss file")
    with pytest.raises(InputError, match="cannot read"):
        read_labelled(bad)


def test_apply_value_labels_keeps_unlabelled_codes() -> None:
    out = apply_value_labels(pd.Series([1, 2.0, 5, None]), {1: "one", 2: "two"})
    assert out.tolist()[:3] == ["one", "two", 5]
    assert pd.isna(out.iloc[3])
