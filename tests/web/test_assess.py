"""The /assess page and POST /api/assess, in process: the form and the upload give the
library's assessment, bad scenarios are said beside the form (422) naming the field or
the key and line, uploads are size- and type-checked, downloads re-assess the posted
scenario, and the API answers the same."""

from __future__ import annotations

import html
import io
import json
import re

import numpy as np
import pandas as pd
import pytest
from tests.web.conftest import data_available

pytestmark = pytest.mark.skipif(not data_available(), reason="embedded data not available")

FORM = {"measure": "areas:ci1", "op": "add", "amount": "0.25", "target": "band",
        "band_index": "ci1", "band_from": "1", "band_to": "2", "runs": "200"}


def _token(client) -> str:
    page = client.get("/assess")
    return re.search(r'name="csrf_token" value="([^"]+)"', page.text).group(1)


def _errors(text: str) -> list[tuple[str, str]]:
    block = re.search(r'govuk-error-summary__list">(.*?)</ul>', text, flags=re.S)
    return re.findall(r'<a href="#([^"]+)">(.*?)</a>', block.group(1)) if block else []


def test_the_page_and_its_menu_entry(client):
    page = client.get("/assess")
    assert page.status_code == 200
    assert '<h1 class="govuk-heading-xl">Assess a policy</h1>' in page.text
    assert 'href="/assess"' in page.text and "Policy impact" in page.text
    assert 'id="measure"' in page.text and 'id="scenario-file"' in page.text
    assert page.text.count("/assess/examples/") >= 5


def test_the_form_gives_the_librarys_assessment(client):
    from socmob.assess import assess, parse_scenario
    from socmob.report.assess import scenario_from_form

    res = client.post("/assess", data={**FORM, "csrf_token": _token(client)})
    assert res.status_code == 200, _errors(res.text)
    expected = assess(parse_scenario(scenario_from_form(FORM)))
    for line in expected.headlines():
        assert html.escape(line, quote=True) in res.text
    assert 'id="result"' in res.text and 'data-chart="map-ci1"' in res.text
    assert "Negative impacts flagged" in res.text and "Assumptions and uncertainty" in res.text
    # every table has its CSV, from the result itself
    assert res.text.count('href="data:text/csv;charset=utf-8;base64,') >= 6
    assert 'name="scenario" value="' in res.text


@pytest.mark.parametrize("fields, field, words", [
    ({"amount": "lots"}, "amount", "not a number"),
    ({"target": "areas", "areas": "Blackpol"}, "areas", "did you mean &#39;Blackpool&#39;"),
    ({"target": "region", "region": ""}, "region", "no region given"),
    ({"measure": "itl2:dr13", "target": "areas", "areas": "Inner London - West",
      "amount": "90"}, "amount", "impossible for a share"),
    ({"target": "band", "band_from": "3", "band_to": "1"}, "band-index", "lower to a higher"),
    ({"measure": "nothing"}, "measure", "choose what"),
])
def test_bad_forms_are_said_beside_the_field(client, fields, field, words):
    res = client.post("/assess", data={**FORM, **fields, "csrf_token": _token(client)})
    assert res.status_code == 422
    errors = _errors(res.text)
    assert errors and errors[0][0] == field and words in errors[0][1], errors
    assert f'id="{field}-error"' in res.text
    assert 'id="result"' not in res.text


def test_a_form_without_its_token_is_refused(client):
    res = client.post("/assess", data=FORM)
    assert res.status_code == 422 and 'id="result"' not in res.text


def _upload(client, content: bytes, name: str = "scenario.yaml"):
    return client.post("/assess/upload", data={"csrf_token": _token(client)},
                       files={"file": (name, io.BytesIO(content), "application/x-yaml")})


def test_an_uploaded_scenario(client):
    from importlib import resources

    text = (resources.files("socmob.assess") / "examples" / "graduate_jobs_itl2.yaml"
            ).read_bytes()
    res = _upload(client, text)
    assert res.status_code == 200, _errors(res.text)
    assert "Assessment: Graduate jobs in the North" in res.text
    assert "the 41 ITL2 regions" in res.text
    assert "How close the index model is to the published indices" in res.text


@pytest.mark.parametrize("content, words", [
    (b"place:\n  changes:\n    - index: ci1\n      add: 1\n      target: {region: Wles}\n",
     "line 5, key &#39;place.changes[1].target.region&#39;: unknown region &#39;Wles&#39;"),
    (b"place: [unclosed\n", "not valid YAML"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00", "not text"),
    (b"   \n", "the file is empty"),
    (b"name: " + b"x" * 120_000 + b"\n", "more than the 100,000"),
    (b"income:\n  transfer: {add: 100}\n  pass_through: 2\n", "line 3"),
])
def test_bad_uploads_are_refused_naming_the_line(client, content, words):
    res = _upload(client, content)
    assert res.status_code == 422
    errors = _errors(res.text)
    assert errors and errors[0][0] == "scenario-file" and words in errors[0][1], errors


def test_an_upload_over_the_site_limit_is_refused_before_reading(client):
    res = _upload(client, b"#" * 300_000)
    assert res.status_code in (413, 422)


def test_an_income_scenario_says_why_incomes_are_not_assessed(client):
    res = _upload(client, b"income:\n  transfer: {add: 1000}\n  pass_through: 0.3\n")
    assert res.status_code == 200
    assert "Income mobility is not assessed" in res.text and "--microdata" in res.text


@pytest.mark.parametrize("fmt, media", [("pdf", "application/pdf"),
                                        ("json", "application/json"),
                                        ("csv", "text/csv"), ("html", "text/html")])
def test_downloads_assess_the_posted_scenario_again(client, fmt, media):
    page = client.post("/assess", data={**FORM, "csrf_token": _token(client)})
    scenario = html.unescape(re.search(r'name="scenario" value="([^"]*)"', page.text).group(1))
    res = client.post(f"/assess/report.{fmt}",
                      data={"scenario": scenario, "csrf_token": _token(client)})
    assert res.status_code == 200
    assert res.headers["content-type"].startswith(media)
    assert "attachment" in res.headers["content-disposition"]
    if fmt == "pdf":
        from pypdf import PdfReader

        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(res.content)).pages)
        for section in ("1. Summary", "2. Geographic impact", "3. Socio-economic impact",
                        "4. Negative impacts flagged", "5. Assumptions and uncertainty"):
            assert section in text
    elif fmt == "json":
        data = json.loads(res.content)
        assert data["place"]["level"] == "areas" and data["summary"]
    elif fmt == "csv":  # the library's tidy rows of the same scenario, in full precision
        from socmob.assess import assess, parse_scenario

        rows = pd.read_csv(io.StringIO(res.text))
        expected = assess(parse_scenario(json.loads(scenario))).to_frame()
        assert list(rows.columns) == list(expected.columns) and len(rows) == len(expected)
        assert np.allclose(rows["value"], expected["value"], rtol=0, atol=0, equal_nan=True)


def test_examples_and_schema(client):
    res = client.get("/assess/examples/early_years.yaml")
    assert res.status_code == 200 and b"name: Early years" in res.content
    assert client.get("/assess/examples/nope.yaml").status_code == 404
    schema = client.get("/assess/scenario.schema.json").json()
    assert schema["title"] == "socmob policy scenario"


# ----------------------------------------------------------------------------- the API


def test_api_json_and_yaml(client):
    body = {"name": "Wales", "place": {"changes": [
        {"index": "ci2", "percent": 10, "target": {"nation": "Wales"}}]},
        "uncertainty": {"runs": 100}}
    res = client.post("/api/assess", json=body)
    assert res.status_code == 200
    env = res.json()
    assert env["available"] is True and env["attribution"]
    data = env["data"]
    assert data["scenario"]["name"] == "Wales"
    assert {r["index_code"] for r in data["place"]["overall"]} == {"ci1", "ci2", "ci3", "ci4"}
    wales = [u for u in data["place"]["units"] if u["nation"] == "Wales"
             and u["index_code"] == "ci2"]
    assert len(wales) == 22 and all(u["targeted"] for u in wales)
    yaml_body = b"place:\n  changes:\n    - index: ci2\n      percent: 10\n" \
                b"      target: {nation: Wales}\nuncertainty: {runs: 100}\n"
    res2 = client.post("/api/assess", content=yaml_body,
                       headers={"content-type": "application/yaml"})
    assert res2.status_code == 200
    assert res2.json()["data"]["place"]["overall"] == data["place"]["overall"]


@pytest.mark.parametrize("kwargs, words", [
    ({"json": {"place": {"changes": [{"index": "ci9", "add": 1, "target": {"all": True}}]}}},
     "key 'place.changes[1].index': unknown index 'ci9'"),
    ({"content": b"place:\n  level: regions\n", "headers": {"content-type": "text/yaml"}},
     "line 2, key 'place.level'"),
    ({"json": [1, 2]}, "not a JSON object"),
    ({"content": b"{not json", "headers": {"content-type": "application/json"}},
     "not JSON"),
])
def test_api_bad_scenarios_are_422_with_every_problem(client, kwargs, words):
    res = client.post("/api/assess", **kwargs)
    assert res.status_code == 422
    body = res.json()
    assert words in body["detail"] and body["problems"]


def test_api_income_is_not_available_here(client):
    res = client.post("/api/assess", json={"income": {"transfer": {"add": 100}}})
    assert res.status_code == 200
    income = res.json()["data"]["income"]
    assert income["available"] is False and "microdata" in income["reason"]


def test_api_is_documented(client):
    spec = client.get("/api/openapi.json").json()
    assert "/api/assess" in spec["paths"] and "post" in spec["paths"]["/api/assess"]


def test_csv_downloads_are_full_precision_and_safe_in_a_spreadsheet(client):
    import base64

    res = _upload(client, b"place:\n  changes:\n    - index: ci1\n      add: 0.1\n"
                          b"      label: =HYPERLINK(\"http://x\")\n"
                          b"      target: {nation: Wales}\nuncertainty: {runs: 50}\n")
    assert res.status_code == 200, _errors(res.text)
    assert "=HYPERLINK" in html.unescape(res.text)  # shown as written on the page
    uri = re.search(r'href="(data:text/csv;charset=utf-8;base64,[^"]+)" '
                    r'download="socmob-assessment-changes.csv"', res.text).group(1)
    text = base64.b64decode(uri.split(",", 1)[1]).decode("utf-8")
    assert "'=HYPERLINK" in text
