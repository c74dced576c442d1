"""The employer's journey in-process: upload → columns guessed → problems previewed →
the report → its PDF, HTML and CSV; the file carried in the page, never on the server;
the template and example; the maturity self-assessment."""

from __future__ import annotations

import html
import io
import json
import re

import pandas as pd
import pytest

from socmob.web.security import CSRF_COOKIE


@pytest.fixture(scope="module")
def made():
    from socmob.synth.workforce import synthetic_workforce

    return synthetic_workforce(300, seed=3)


def _token(client) -> str:
    client.get("/employers")
    return client.cookies[CSRF_COOKIE]


def _hidden(text: str, name: str) -> str:
    m = re.search(rf'name="{name}" value="([^"]*)"', text)
    assert m, f"no hidden field {name}"
    return html.unescape(m.group(1))


def _selected(text: str) -> dict[str, str]:
    out = {}
    for name, body in re.findall(r'<select[^>]*name="(col_\w+)"[^>]*>(.*?)</select>', text,
                                 re.S):
        m = re.search(r'<option value="([^"]*)" selected', body)
        if m:
            out[name] = html.unescape(m.group(1))
    return out


def _step2(client, frame: pd.DataFrame, name: str = "hr.csv"):
    token = _token(client)
    r = client.post("/employers", data={"csrf_token": token},
                    files={"file": (name, frame.to_csv(index=False).encode(), "text/csv")})
    return token, r


def _form(token: str, page: str, **extra) -> dict:
    grades = re.findall(r'name="grade_name" value="([^"]+)"', page)
    grades = [html.unescape(g) for g in grades]
    seniors = [html.unescape(g) for g in
               re.findall(r'name="senior" type="checkbox" value="([^"]+)" checked', page)]
    return {"csrf_token": token, "upload": _hidden(page, "upload"), **_selected(page),
            "grade_name": grades, "grade_pos": [str(i + 1) for i in range(len(grades))],
            "senior": seniors, **extra}


def test_step_2_guesses_the_columns_and_the_grade_order(client, made):
    _, r = _step2(client, made.frame)
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    chosen = {k.removeprefix("col_"): v for k, v in _selected(r.text).items()}
    assert chosen == dict(made.mapping.columns)
    grades = [html.unescape(g) for g in re.findall(r'name="grade_name" value="([^"]+)"',
                                                   r.text)]
    assert grades == list(made.mapping.grades)
    # the file is in the page, not on the server: a signed token, nothing else
    assert len(_hidden(r.text, "upload")) > 1000


def test_problems_are_previewed_with_row_column_and_expectation(client, made):
    bad = made.frame.astype(object)
    bad.loc[3, "Weekly hours"] = -1
    bad.loc[7, "Ordinary pay (period)"] = "lots"
    token, r = _step2(client, bad)
    r = client.post("/employers/map", data=_form(token, r.text, action="check"))
    assert r.status_code == 422
    cells = re.findall(r'<td class="govuk-table__cell[^"]*">([^<]*)</td>', r.text)
    rows = [cells[i:i + 4] for i in range(0, len(cells), 4)]
    # spreadsheet rows: header = 1, so frame index 3 is row 5
    assert ["5", "Weekly hours", "weekly hours of -1", "a positive number"] in rows
    assert ["9", "Ordinary pay (period)", "not a number", "a number"] in rows
    assert "2 problems to fix" in r.text
    # and the report is not made from a file with problems
    r = client.post("/employers/map", data=_form(token, r.text, action="run"))
    assert r.status_code == 422 and "Your report is ready" not in r.text


def test_grade_positions_must_be_each_used_once(client, made):
    token, r = _step2(client, made.frame)
    form = _form(token, r.text, action="check")
    form["grade_pos"] = ["1"] * len(form["grade_name"])
    r = client.post("/employers/map", data=form)
    assert r.status_code == 422 and "two grades are given position 1" in r.text


def test_a_changed_grade_column_lists_its_grades_afresh(client, made):
    token, r = _step2(client, made.frame)
    form = _form(token, r.text, action="run", col_grade="Department")
    r = client.post("/employers/map", data=form)
    assert r.status_code == 200 and "Your report is ready" not in r.text
    assert "listed below in a suggested order" in r.text
    depts = sorted(made.frame["Department"].unique())
    listed = re.findall(r'name="grade_name" value="([^"]+)"', r.text)
    assert sorted(html.unescape(g) for g in listed) == depts


def test_the_report_lands_on_top_and_downloads_match_the_library(client, made):
    from socmob.report.workforce import report_csv_frame
    from socmob.web.tools import EMPLOYER_BOOTSTRAP
    from socmob.workforce.hr import HRMapping, validate_hr
    from socmob.workforce.summary import workforce_summary

    token, r = _step2(client, made.frame)
    r = client.post("/employers/map", data=_form(token, r.text, action="run"))
    assert r.status_code == 200 and r.headers["cache-control"] == "no-store"
    main = r.text[r.text.index("<main"):]
    # the results heading is the page's first heading, focused on load
    first_heading = re.search(r"<h1[^>]*>", main).group(0)
    assert 'id="report"' in first_heading and "autofocus" in first_heading
    assert main.index('id="report"') < main.index("Headline figures")
    mapping = _hidden(r.text, "mapping")
    assert json.loads(mapping)["grades"] == list(made.mapping.grades)
    form = {"csrf_token": token, "upload": _hidden(r.text, "upload"), "mapping": mapping}

    csv = client.post("/employers/report.csv", data=form)
    assert csv.status_code == 200 and "attachment" in csv.headers["content-disposition"]
    got = pd.read_csv(io.StringIO(csv.text))
    # the mapping as chosen on the page (senior: the top grade, as guessed)
    chosen = HRMapping.from_dict(json.loads(mapping))
    assert chosen.senior_grades == made.mapping.grades[-1:]
    hr = validate_hr(made.frame.astype(object), chosen, file="hr.csv")
    expected = report_csv_frame(workforce_summary(hr, n_boot=EMPLOYER_BOOTSTRAP, seed=0))
    assert list(got.columns) == list(expected.columns)
    assert got["value"].to_numpy(dtype=float) == pytest.approx(
        expected["value"].to_numpy(dtype=float), nan_ok=True, rel=1e-12)
    assert not got.isna().all().any()  # no empty column

    pdf = client.post("/employers/report.pdf", data=form)
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    page = client.post("/employers/report.html", data=form)
    assert page.status_code == 200 and "<!DOCTYPE html>" in page.text
    assert "SYNTHETIC DATA" in page.text and "In brief" in page.text


def test_weighting_is_offered_and_marked(client, made):
    token, r = _step2(client, made.frame)
    r = client.post("/employers/map", data=_form(token, r.text, action="run", weight="grade"))
    assert r.status_code == 200
    assert "WEIGHTED by grade for non-response" in r.text and "design effect" in r.text
    assert 'name="weight" value="grade"' in r.text  # the downloads are weighted too


def test_a_changed_or_stale_upload_token_is_refused(client, made, app):
    from socmob.web.uploads import Upload, seal, unseal

    token, r = _step2(client, made.frame)
    form = _form(token, r.text, action="check")
    sealed = form["upload"]
    form["upload"] = sealed[:-6] + ("A" if sealed[-6] != "A" else "B") + sealed[-5:]
    r = client.post("/employers/map", data=form)
    assert r.status_code == 422 and "changed or is damaged" in r.text
    other = seal(Upload("x.csv", b"a,b\n1,2\n"), "another-secret")
    form["upload"] = other
    assert client.post("/employers/map", data=form).status_code == 422
    # round trip, and the expiry
    up = Upload("hr.csv", b"x" * 10_000)
    assert unseal(seal(up, "k"), "k", max_bytes=20_000) == up
    from socmob.errors import InputError

    with pytest.raises(InputError, match="expired"):
        unseal(seal(up, "k"), "k", max_bytes=20_000, max_age=-1)
    with pytest.raises(InputError, match="too large"):
        unseal(seal(up, "k"), "k", max_bytes=1_000)


def test_the_yaml_mapping_still_makes_the_report_at_once(client, made):
    import yaml

    token = _token(client)
    r = client.post("/employers", data={"csrf_token": token}, files={
        "file": ("hr.csv", made.frame.to_csv(index=False).encode(), "text/csv"),
        "mapping": ("m.yaml", yaml.safe_dump(made.mapping.to_dict()).encode(),
                    "application/x-yaml")})
    assert r.status_code == 200 and "Your report is ready" in r.text


def test_a_file_with_too_few_columns_is_refused_at_step_1(client):
    token = _token(client)
    r = client.post("/employers", data={"csrf_token": token},
                    files={"file": ("hr.csv", b"a,b\n1,2\n", "text/csv")})
    assert r.status_code == 422 and "needs at least 7" in r.text


def test_template_and_example_downloads(client, made):
    from socmob.workforce.columns import guess_columns
    from socmob.workforce.hr import MANDATORY

    t = client.get("/employers/template.csv")
    assert t.status_code == 200
    template = pd.read_csv(io.StringIO(t.text))
    assert set(MANDATORY) <= set(guess_columns(list(template.columns)))
    ex = client.get("/employers/example.csv")
    example = pd.read_csv(io.StringIO(ex.text))
    assert len(example) == 400 and example["Data"].str.contains("SYNTHETIC").all()
    mapping = client.get("/employers/example.yaml")
    assert "Staff ID" in mapping.text
    assert client.get("/employers/example.txt").status_code == 404


def test_maturity_self_assessment(client):
    from socmob.workforce.maturity import assess_maturity, maturity_model

    ids = [q["id"] for a in maturity_model()["areas"] for q in a["questions"]]
    page = client.get("/employers/maturity")
    assert page.status_code == 200 and page.text.count('type="radio"') == 4 * len(ids)
    token = client.cookies[CSRF_COOKIE]
    answers = {i: str(k % 4) for k, i in enumerate(ids)}
    r = client.post("/employers/maturity", data={"csrf_token": token, **answers})
    expected = assess_maturity(answers)
    assert r.status_code == 200
    assert f"Your maturity score: {expected.score:.0f} out of 100" in r.text
    assert expected.next_steps[0][1] in html.unescape(r.text)
    assert html.unescape(r.text).count(" checked") == len(ids)  # the answers kept
    partial = dict(list(answers.items())[:3])
    r = client.post("/employers/maturity", data={"csrf_token": token, **partial})
    assert r.status_code == 422 and f"{len(ids) - 3} not yet scored" in r.text


def test_a_large_workbook_travels_as_csv_and_gives_the_same_report(client):
    from socmob.synth.workforce import synthetic_workforce
    from socmob.web.uploads import unseal

    made = synthetic_workforce(1500, seed=8)
    buffer = io.BytesIO()
    made.frame.to_excel(buffer, index=False)
    workbook = buffer.getvalue()
    limit = 200_000  # the test app's upload limit (conftest)
    assert len(workbook) < limit  # accepted as an upload ...
    token = _token(client)
    r = client.post("/employers", data={"csrf_token": token}, files={"file": (
        "hr.xlsx", workbook,
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")})
    assert r.status_code == 200
    carried = unseal(_hidden(r.text, "upload"), "test-secret", max_bytes=10 * limit)
    # ... but carried in the page as the CSV of its sheet, within the request limit
    assert carried.filename == "hr.csv" and len(_hidden(r.text, "upload")) < limit
    r = client.post("/employers/map", data=_form(token, r.text, action="run"))
    assert r.status_code == 200 and "Your report is ready" in r.text
