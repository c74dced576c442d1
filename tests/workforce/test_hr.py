"""HR import: mapping, row-level validation naming row and column, XLSX merged headers."""

from __future__ import annotations

import openpyxl
import pandas as pd
import pytest
import yaml

from socmob.errors import InputError
from socmob.synth.workforce import synthetic_workforce
from socmob.workforce.hr import HRMapping, HRValidationError, load_mapping, read_hr

MAPPING = {
    "columns": {
        "employee_id": "ID", "grade": "Grade", "ordinary_pay": "Pay",
        "period_days": "Days", "weekly_hours": "Hours", "full_pay_relevant": "Full pay",
        "seb_answer": "Parent occupation", "bonus_12m": "Bonus 12m",
        "hire_date": "Start",
    },
    "grades": ["A", "B", "C"],
}
GOOD = pd.DataFrame({
    "ID": ["e1", "e2", "e3"],
    "Grade": ["A", "B", "C"],
    "Pay": ["2,500.00", "3000", "£4000"],
    "Days": [30, 30, 31],
    "Hours": [37.5, 35, 20],
    "Full pay": ["Yes", "no", "TRUE"],
    "Parent occupation": ["Clerical and intermediate occupations", "", "PNTS"],
    "Bonus 12m": ["", "100", "0"],
    "Start": ["2020-01-31", "31/01/2019", ""],
})


def write(tmp_path, frame, mapping=MAPPING, name="hr.csv"):
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False)
    mp = tmp_path / "map.yaml"
    mp.write_text(yaml.safe_dump(mapping))
    return path, mp


def test_good_file_reads(tmp_path):
    path, mp = write(tmp_path, GOOD)
    hr = read_hr(path, mp)
    f = hr.frame
    assert f["ordinary_pay"].tolist() == [2500.0, 3000.0, 4000.0]
    assert f["full_pay_relevant"].tolist() == [True, False, True]
    assert f["seb"].tolist() == ["intermediate", "missing", "excluded"]
    assert f["bonus_12m"].tolist() == [0.0, 100.0, 0.0]
    assert f["hire_date"].iloc[1] == pd.Timestamp("2019-01-31")
    assert list(f["grade"].cat.categories) == ["A", "B", "C"]
    assert f["senior"].tolist() == [False, False, True]  # default senior = top grade
    assert hr.seb_report["count"].sum() == 3


@pytest.mark.parametrize(
    ("change", "row", "column", "words"),
    [
        (lambda d: d.drop(columns="Hours"), 1, "Hours", "missing mandatory column"),
        (lambda d: d.assign(Pay=["100", "-5", "3"]), 3, "Pay", "negative pay"),
        (lambda d: d.assign(Hours=[37.5, 0, 20]), 3, "Hours", "weekly hours of 0"),
        (lambda d: d.assign(Hours=[37.5, 35, 200]), 4, "Hours", "weekly hours of 200"),
        (lambda d: d.assign(Days=[30, 0, 31]), 3, "Days", "pay-period days of 0"),
        (lambda d: d.assign(Grade=["A", "Z", "C"]), 3, "Grade", "unknown grade 'Z'"),
        (lambda d: d.assign(ID=["e1", "e2", "e1"]), 4, "ID", "duplicate employee id 'e1'"),
        (lambda d: d.assign(Pay=["100", "abc", "3"]), 3, "Pay", "not a number"),
        (lambda d: d.assign(**{"Full pay": ["yes", "maybe", "no"]}), 3, "Full pay",
         "yes/no"),
        (lambda d: d.assign(Start=["2020-01-01", "not a date", ""]), 3, "Start", "date"),
    ],
)
def test_bad_rows_name_row_and_column(tmp_path, change, row, column, words):
    path, mp = write(tmp_path, change(GOOD.copy()))
    with pytest.raises(HRValidationError) as info:
        read_hr(path, mp)
    err = info.value
    assert err.row == row and err.column == column
    assert words in str(err)
    assert str(path) in str(err)


def test_all_problems_are_collected(tmp_path):
    bad = GOOD.assign(Hours=[0, 0, 20], Grade=["A", "B", "Q"])
    path, mp = write(tmp_path, bad)
    with pytest.raises(HRValidationError) as info:
        read_hr(path, mp)
    assert len(info.value.problems) == 3
    assert "2 more problem(s)" in str(info.value)


def test_unknown_answer_is_rejected(tmp_path):
    path, mp = write(tmp_path, GOOD.assign(**{"Parent occupation": ["x", "Other", "y"]}))
    with pytest.raises(HRValidationError) as info:
        read_hr(path, mp)
    assert "'x' (row 2)" in str(info.value) and "'y' (row 4)" in str(info.value)
    assert info.value.column == "Parent occupation"


def test_xlsx_reads_and_merged_header_is_rejected(tmp_path):
    path, mp = write(tmp_path, GOOD, name="hr.xlsx")
    assert read_hr(path, mp).n == 3
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.insert_rows(1)
    ws["A1"] = "Employee details"
    ws.merge_cells("A1:C1")
    wb.save(path)
    with pytest.raises(HRValidationError) as info:
        read_hr(path, mp)
    assert "merged header cells A1:C1" in str(info.value)
    assert info.value.row == 1


def test_mapping_errors(tmp_path):
    with pytest.raises(InputError, match="mandatory field 'grade'"):
        HRMapping.from_dict({"columns": {"employee_id": "x"}, "grades": ["A"]})
    with pytest.raises(InputError, match="ordered list 'grades'"):
        HRMapping.from_dict({"columns": MAPPING["columns"]})
    with pytest.raises(InputError, match="unknown canonical field"):
        HRMapping.from_dict({"columns": {**MAPPING["columns"], "salary": "S"},
                             "grades": ["A"]})
    bad = tmp_path / "bad.yaml"
    bad.write_text("columns: [unclosed")
    with pytest.raises(InputError, match="not valid YAML"):
        load_mapping(bad)


def test_synthetic_workforce_round_trips(tmp_path):
    sw = synthetic_workforce(300, seed=5)
    assert (sw.frame["Data"] == "SYNTHETIC").all()
    path = tmp_path / "synth.csv"
    sw.frame.to_csv(path, index=False)
    mp = tmp_path / "map.yaml"
    mp.write_text(yaml.safe_dump(sw.mapping.to_dict()))
    hr = read_hr(path, mp)
    assert hr.n == 300
    assert set(hr.frame["seb"]) <= {"professional", "intermediate", "lower", "excluded",
                                    "missing"}
