"""The mobility explorer's upload: a mobility table is declared square (origin and
destination the same classes), any other table keeps its shape; the model comparison
comes from ``socmob.models.compare``; downloads are safe to open in a spreadsheet."""

from __future__ import annotations

import base64
import io
import re
from urllib.parse import unquote

import pandas as pd
import pytest

from socmob.web.security import CSRF_COOKIE

pytest.importorskip("socmob.models")

#: Eye colour × hair colour with two labels in common ("medium", "dark"): 3 × 4, not
#: a square table of 5 classes.
OVERLAPPING = (b"origin,destination,count\n"
               b"light,fair,30\nlight,medium,12\nlight,dark,5\nlight,black,1\n"
               b"medium,fair,14\nmedium,medium,25\nmedium,dark,18\nmedium,black,4\n"
               b"dark,fair,3\ndark,medium,10\ndark,dark,28\ndark,black,16\n")


def _post(client, payload: bytes, **data: str):
    client.get("/explorer")
    token = client.cookies[CSRF_COOKIE]
    return client.post("/explorer", files={"file": ("t.csv", payload, "text/csv")},
                       data={"csrf_token": token, "model": "independence", **data})


def _fit_row(text: str, model: str) -> list[str]:
    """The cells after the model's name of its row of the fit table (the model is named
    in words: "quasi-independence" → "Quasi independence: …")."""
    words = re.escape(model.replace("-", " ").capitalize())
    row = re.search(rf"<td[^>]*>\s*{words}:[^<]*</td>(.*?)</tr>", text, flags=re.S)
    assert row, model
    return [c.strip().replace(",", "") for c in
            re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), flags=re.S)]


def test_the_classes_choice_is_on_the_form_and_same_by_default(client):
    text = client.get("/explorer").text
    assert 'name="classes"' in text
    assert re.search(r'id="classes-same"[^>]*value="same" checked', text)


def test_different_categories_keep_the_table_shape(client):
    r = _post(client, OVERLAPPING, classes="different")
    assert r.status_code == 200, r.text
    assert "(3 × 4)" in r.text or "(1 × 3 × 4)" in r.text
    # independence on a 3 × 4 table: df = (3 − 1)(4 − 1) = 6
    assert int(_fit_row(r.text, "independence")[1]) == 6


def test_same_classes_square_the_table_as_before(client):
    r = _post(client, OVERLAPPING)  # no choice sent: the same classes, as before
    assert r.status_code == 200, r.text
    # squared on the union of labels: light, medium, dark, fair, black → 5 × 5;
    # the empty rows and columns (zero margins) leave (3 − 1)(4 − 1) = 6 df
    assert "5 × 5" in r.text
    same = _post(client, OVERLAPPING, classes="same")
    assert "5 × 5" in same.text


def test_unknown_classes_choice_is_said_beside_the_form(client):
    r = _post(client, OVERLAPPING, classes="maybe")
    assert r.status_code == 422 and "same or different" in r.text


def test_model_comparison_is_the_library_s(client):
    from socmob.models.compare import compare
    from socmob.tables import MobilityTable

    r = _post(client, OVERLAPPING, classes="different", model="row-effects")
    assert r.status_code == 200, r.text
    table = MobilityTable.from_long(pd.read_csv(io.BytesIO(OVERLAPPING)))
    ref = compare(table, ["independence", "row-effects"]).statistics().set_index("model")
    for model in ("independence", "row-effects"):
        cells = _fit_row(r.text, model)
        assert float(cells[0]) == pytest.approx(ref.loc[model, "deviance"], abs=5e-4)
        assert int(cells[1]) == ref.loc[model, "df"]


def test_a_square_only_model_on_a_non_square_table_is_said_beside_the_form(client):
    r = _post(client, OVERLAPPING, classes="different", model="quasi-independence")
    assert r.status_code == 422
    assert "quasi-independence model cannot be fitted" in r.text


def test_downloads_neutralise_formulas(client):
    payload = (b"origin,destination,count\n=HYPERLINK(\"http://x\"),a,5\n"
               b"=HYPERLINK(\"http://x\"),b,7\nb,a,3\nb,b,9\n")
    r = _post(client, payload, classes="different")
    assert r.status_code == 200, r.text
    uris = re.findall(r'href="data:text/csv;charset=utf-8;base64,([^"]+)"', r.text)
    assert uris
    texts = [base64.b64decode(unquote(u)).decode() for u in uris]
    outflow = next(t for t in texts if "HYPERLINK" in t)
    assert "'=HYPERLINK" in outflow
    assert not re.search(r"(^|,)=HYPERLINK", outflow, flags=re.M)


def test_a_published_table_reads_as_sections_with_a_chart_and_words(client):
    r = client.get("/explorer", params={"table": "wong2010_gss_educ_occ_4x5x4",
                                        "model": "unidiff"})
    assert r.status_code == 200
    text = r.text
    headings = re.findall(r'<h3 class="govuk-heading-m" id="explorer-(\w+)-heading">', text)
    assert headings[:2] == ["counts", "outflow"] and "fit" in headings
    # every "Show the data table" has its own accessible name (the section's title)
    names = re.findall(r"Show the data table \(\d+ rows\)<span class=\"govuk-visually-hidden\">"
                       r"([^<]*)</span>", text)
    assert len(names) == len(set(names)) >= 3
    # the outflow chart: each origin's bar adds up to 100
    assert 'data-chart="outflow"' in text
    # model names in words, in the form and in the comparison of several models
    assert re.search(r"<option value=\"unidiff\" selected>Unidiff: [^<]+</option>", text)
    fit = text[text.index('id="explorer-fit"'):]
    fit = fit[:fit.index("</section>")]
    assert "Conditional independence: " in fit and "Constant fluidity: " in fit
    assert fit.count("Preferred (lowest BIC)") == 1
