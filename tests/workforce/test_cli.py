"""``socmob workforce …`` and ``socmob synth workforce`` through Typer's CliRunner:
reports from a synthetic extract, bad input → exit 2 with row/column and nothing written."""

from __future__ import annotations

import json

import openpyxl
import pandas as pd
import pytest
import yaml
from typer.testing import CliRunner

from socmob.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    d = tmp_path_factory.mktemp("wf")
    res = runner.invoke(app, ["synth", "workforce", "--employees", "300", "--out",
                              str(d / "hr.csv"), "--seed", "7"])
    assert res.exit_code == 0, res.output
    return d / "hr.csv", d / "hr.mapping.yaml"


def report(args):
    return runner.invoke(app, ["workforce", "report", *args, "--n-boot", "20",
                               "--no-progress"])


def test_synth_writes_labelled_extract_and_mapping(synth):
    hr, mp = synth
    frame = pd.read_csv(hr)
    assert len(frame) == 300 and (frame["Data"] == "SYNTHETIC").all()
    text = mp.read_text()
    assert text.startswith("# SYNTHETIC")
    assert yaml.safe_load(text)["columns"]["seb_answer"] in frame.columns


def test_report_json_is_disclosure_controlled(synth):
    hr, mp = synth
    res = report([str(hr), "--mapping", str(mp), "--format", "json"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    assert data["synthetic"] is True and data["view"] == "publishable"
    keys = {t["key"] for t in data["tables"]}
    assert {"representation_by_grade", "pay_gaps", "pay_quartiles", "bonus_proportion",
            "adjusted_pay_gap", "senior_odds"} <= keys
    counts = next(t for t in data["tables"] if t["key"] == "representation_by_grade_counts")
    cells = [v for row in counts["rows"] for v in row[1:]]
    # every published count is either suppressed (null) or at least the threshold
    assert all(v is None or v == 0 or v >= 10 for v in cells)
    assert data["disclosure_policy"]["threshold"] == 10
    assert "seb_mapping" not in data  # raw answers only in the internal view


def test_internal_view_is_marked(synth):
    hr, mp = synth
    res = report([str(hr), "--mapping", str(mp), "--format", "json", "--view", "internal"])
    data = json.loads(res.stdout)
    assert data["not_for_publication"] is True
    assert any("NOT FOR PUBLICATION" in n for n in data["notes"])
    assert data["seb_mapping"]


def test_report_html_is_accessible_and_pdf_renders(synth, tmp_path):
    hr, mp = synth
    out = tmp_path / "r.html"
    res = report([str(hr), "--mapping", str(mp), "--format", "html", "--out", str(out)])
    assert res.exit_code == 0, res.output
    html = out.read_text()
    assert '<html lang="en-GB">' in html and "<h1>" in html and "<caption>" in html
    assert 'role="img" aria-label="Bar chart.' in html and "<svg" in html
    assert "SYNTHETIC DATA" in html and "[c]" in html
    pdf = tmp_path / "r.pdf"
    res = report([str(hr), "--mapping", str(mp), "--format", "pdf", "--out", str(pdf)])
    assert res.exit_code == 0, res.output
    assert pdf.read_bytes()[:4] == b"%PDF"


def test_unknown_reference_exits_2(synth):
    hr, mp = synth
    res = report([str(hr), "--mapping", str(mp), "--format", "json", "--reference", "posh"])
    assert res.exit_code == 2 and "unknown reference background 'posh'" in res.stderr


def test_pdf_needs_out(synth):
    hr, mp = synth
    res = report([str(hr), "--mapping", str(mp), "--format", "pdf"])
    assert res.exit_code == 2 and "--out" in res.stderr


def _bad_case(synth, tmp_path, change, suffix=".csv"):
    hr, mp = synth
    frame = pd.read_csv(hr, dtype=str, keep_default_na=False)
    frame = change(frame)
    path = tmp_path / f"bad{suffix}"
    if suffix == ".csv":
        frame.to_csv(path, index=False)
    else:
        frame.to_excel(path, index=False)
    return path, mp


def put(frame, column, row, value):
    """Copy of ``frame`` with one cell replaced (row 0 = spreadsheet row 2)."""
    out = frame.copy()
    out.loc[row, column] = value
    return out


@pytest.mark.parametrize(
    ("change", "words"),
    [
        (lambda f: f.drop(columns="Weekly hours"),
         "row 1, column 'Weekly hours': missing mandatory column"),
        (lambda f: put(f, "Ordinary pay (period)", 0, "-10"),
         "row 2, column 'Ordinary pay (period)': negative pay -10"),
        (lambda f: put(f, "Weekly hours", 4, "0"),
         "row 6, column 'Weekly hours': weekly hours of 0"),
        (lambda f: put(f, "Grade", 2, "Intern"),
         "row 4, column 'Grade': unknown grade 'Intern'"),
        (lambda f: put(f, "Staff ID", 9, f["Staff ID"][0]),
         "row 11, column 'Staff ID': duplicate employee id"),
    ],
)
def test_bad_input_exits_2_and_writes_nothing(synth, tmp_path, change, words):
    path, mp = _bad_case(synth, tmp_path, change)
    out = tmp_path / "report.html"
    res = report([str(path), "--mapping", str(mp), "--out", str(out)])
    assert res.exit_code == 2
    assert words in res.stderr
    assert "Traceback" not in res.output
    assert not out.exists()
    assert not list(tmp_path.glob(".report.html.*"))


def test_merged_header_xlsx_exits_2(synth, tmp_path):
    path, mp = _bad_case(synth, tmp_path, lambda f: f, suffix=".xlsx")
    wb = openpyxl.load_workbook(path)
    ws = wb.active
    ws.insert_rows(1)
    ws["A1"] = "HR extract"
    ws.merge_cells("A1:D1")
    wb.save(path)
    out = tmp_path / "r.json"
    res = report([str(path), "--mapping", str(mp), "--format", "json", "--out", str(out)])
    assert res.exit_code == 2
    assert "merged header cells A1:D1" in res.stderr and "row 1" in res.stderr
    assert not out.exists()


def test_refuses_under_fifty_classifiable(tmp_path):
    d = tmp_path
    res = runner.invoke(app, ["synth", "workforce", "-n", "40", "--out", str(d / "s.csv")])
    assert res.exit_code == 0
    out = d / "r.json"
    res = report([str(d / "s.csv"), "--mapping", str(d / "s.mapping.yaml"), "--format",
                  "json", "--out", str(out)])
    assert res.exit_code == 2 and "refusing to publish" in res.stderr
    assert not out.exists()


def test_questionnaire_exports(tmp_path):
    res = runner.invoke(app, ["workforce", "questionnaire", "--format", "json"])
    q = json.loads(res.stdout)
    key = q["questions"][0]
    assert key["id"] == "seb_key_question" and len(key["options"]) == 9
    res = runner.invoke(app, ["workforce", "questionnaire", "--format", "csv"])
    assert res.stdout.splitlines()[0].startswith("question_number,question_id")
    out = tmp_path / "q.html"
    res = runner.invoke(app, ["workforce", "questionnaire", "--out", str(out)])
    html = out.read_text()
    assert html.count("<fieldset") == len(q["questions"]) and "<legend>" in html


def test_responses_import(tmp_path):
    path = tmp_path / "answers.csv"
    pd.DataFrame({"seb_key_question": ["Clerical", "PNTS"],
                  "free_school_meals": ["Yes", "2"]}).to_csv(path, index=False)
    res = runner.invoke(app, ["workforce", "responses", str(path), "--format", "json"])
    assert res.exit_code == 0, res.output
    assert {r["raw"] for r in json.loads(res.stdout)} == {"Clerical", "PNTS"}
    pd.DataFrame({"free_school_meals": ["Yes", "Sometimes"]}).to_csv(path, index=False)
    res = runner.invoke(app, ["workforce", "responses", str(path)])
    assert res.exit_code == 2
    assert "row 3, column 'free_school_meals': unknown answer 'Sometimes'" in res.stderr


def test_assess(tmp_path):
    res = runner.invoke(app, ["workforce", "assess", "--format", "csv"])
    ids = [line.split(",")[1] for line in res.stdout.splitlines()[1:]]
    answers = tmp_path / "a.yaml"
    answers.write_text(yaml.safe_dump(dict.fromkeys(ids, 2)))
    res = runner.invoke(app, ["workforce", "assess", str(answers), "--format", "json"])
    data = json.loads(res.stdout)
    assert data["level"] == "Established" and round(data["score"]) == 67  # 2/3 of 100
    answers.write_text(yaml.safe_dump({**dict.fromkeys(ids, 2), ids[0]: 7}))
    res = runner.invoke(app, ["workforce", "assess", str(answers)])
    assert res.exit_code == 2 and "not on the scale" in res.stderr


def test_xlsx_round_trip(tmp_path):
    out = tmp_path / "hr.xlsx"
    res = runner.invoke(app, ["synth", "workforce", "-n", "120", "--out", str(out),
                              "--seed", "1"])
    assert res.exit_code == 0, res.output
    assert openpyxl.load_workbook(out).sheetnames == ["SYNTHETIC HR"]
    res = report([str(out), "--mapping", str(tmp_path / "hr.mapping.yaml"), "--format",
                  "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["headline"]["employees"] == 120


def test_report_weighted_by_grade_only_when_asked(synth):
    from socmob.workforce.hr import read_hr
    from socmob.workforce.summary import weighted_shares

    hr, mp = synth
    plain = json.loads(report([str(hr), "--mapping", str(mp), "--format", "json",
                               "--view", "internal"]).stdout)
    assert "representation_weighted" not in {t["key"] for t in plain["tables"]}
    res = report([str(hr), "--mapping", str(mp), "--format", "json", "--view", "internal",
                  "--weight-by-grade"])
    assert res.exit_code == 0, res.output
    data = json.loads(res.stdout)
    table = next(t for t in data["tables"] if t["key"] == "representation_weighted")
    assert "WEIGHTED" in table["caption"] and "design effect" in table["note"]
    hand = weighted_shares(read_hr(hr, mp).frame)
    got = {row[0]: row[1] for row in table["rows"]}
    assert got == pytest.approx({g: 100 * v for g, v in hand.shares.items()}, rel=1e-12)
    assert data["headline"]["weighted"]["design_effect"] == pytest.approx(hand.design_effect)
