"""The dashboard in-process (FastAPI TestClient): pages, downloads, safety."""

from __future__ import annotations

import io
import re

import pandas as pd
import pytest

from socmob.results import TIDY_COLUMNS
from socmob.web.security import CSRF, CSRF_COOKIE

PAGES = ["/", "/map", "/areas", "/compare", "/explorer", "/employers", "/methods",
         "/accessibility"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_render_with_security_headers(client, path):
    r = client.get(path)
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/html")
    csp = r.headers["content-security-policy"]
    script_src = re.search(r"script-src ([^;]*)", csp).group(1)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "same-origin"
    # no inline executable script: every <script> either loads a file or is JSON data
    for tag in re.findall(r"<script\b[^>]*>", r.text):
        assert "src=" in tag or 'type="application/json"' in tag, tag
    # no GOV.UK branding: no crown or GDS Transport font
    assert "GDS Transport" not in r.text and "govuk-header__logotype" not in r.text


def test_built_css_has_no_gov_uk_font_or_crest():
    from socmob.web.app import BUILD

    css = BUILD / "socmob.css"
    if not css.exists():
        pytest.skip("web assets not built (scripts/build_web_assets.sh)")
    text = css.read_text()
    assert "GDS Transport" not in text and "crest" not in text and "@font-face" not in text
    assert not (BUILD / "assets").exists()


def test_friendly_404_without_stack_trace(client):
    r = client.get("/no/such/page")
    assert r.status_code == 404
    assert "Page not found" in r.text and "Traceback" not in r.text


def test_api_404_is_json(client):
    r = client.get("/api/no-such-endpoint")
    assert r.status_code == 404
    assert r.json()["error"] == "Page not found"


@pytest.mark.parametrize("path", [
    "/areas/cambridgeshire_cc/data/..%2F..%2Fpyproject.toml",
    "/areas/cambridgeshire_cc/data/%2e%2e%2fsecrets.csv",
    "/static/..%2F..%2F..%2Fpyproject.toml",
    "/static/../app.py",
    "/national/..%2Fx.csv",
    "/employers/questionnaire.py",
])
def test_no_path_traversal_in_downloads(client, path):
    r = client.get(path)
    assert r.status_code in {404, 422}
    assert "[project]" not in r.text and "def create_app" not in r.text


def test_unhandled_error_is_a_friendly_500(app, client):
    from fastapi.routing import APIRoute

    def boom():
        raise RuntimeError("secret internals /etc/passwd")

    app.router.routes.append(APIRoute("/__boom", boom, include_in_schema=False))
    try:
        r = client.get("/__boom")
    finally:
        app.router.routes.pop()
    assert r.status_code == 500
    assert "secret internals" not in r.text and "Traceback" not in r.text
    assert "problem with the service" in r.text


def test_validation_error_is_a_friendly_422(client):
    r = client.get("/api/compare", params={"areas": ["a", "b", "c", "d", "e", "f"]})
    assert r.status_code == 422


def _csrf(client) -> str:
    client.get("/employers")
    return client.cookies[CSRF_COOKIE]


def test_csrf_token_required_on_uploads(client):
    files = {"file": ("hr.csv", b"a,b\n1,2\n", "text/csv")}
    r = client.post("/employers", files=files, data={})
    assert r.status_code == 422 and "expired" in r.text
    forged = CSRF("another-secret").new_token()
    client.cookies.set(CSRF_COOKIE, forged)
    r = client.post("/employers", files=files, data={"csrf_token": forged})
    assert r.status_code == 422  # right shape, wrong signature
    client.cookies.clear()
    token = _csrf(client)
    r = client.post("/employers", files=files, data={"csrf_token": token + "x"})
    assert r.status_code == 422  # cookie and field differ


def test_csrf_cookie_is_strict_and_http_only(client):
    client.cookies.clear()
    r = client.get("/explorer")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=strict" in cookie


def test_upload_size_limit(client):
    token = _csrf(client)
    big = b"origin,destination,count\n" + b"a,b,1\n" * 50_000  # ~300 kB > 200 kB limit
    r = client.post("/explorer", files={"file": ("t.csv", big, "text/csv")},
                    data={"csrf_token": token})
    assert r.status_code == 413
    assert "too large" in r.text.lower()


def test_upload_type_sniffing_refuses_binary(client):
    token = _csrf(client)
    payload = b"\x7fELF\x02\x01\x01\x00" + bytes(200)
    r = client.post("/explorer", files={"file": ("table.csv", payload, "text/csv")},
                    data={"csrf_token": token})
    assert r.status_code == 422
    assert "There is a problem" in r.text and "not text" in r.text


def test_upload_row_limit(client):
    token = _csrf(client)
    rows = b"origin,destination,count\n" + b"a,b,1\n" * 2_500  # > 2,000-row test limit
    r = client.post("/explorer", files={"file": ("t.csv", rows, "text/csv")},
                    data={"csrf_token": token})
    assert r.status_code == 422
    assert "There is a problem" in r.text and "more than 2,000 data rows" in r.text


def test_explorer_upload_shows_measures_and_fits(client):
    pytest.importorskip("socmob.models")
    token = _csrf(client)
    # a 2 × 2 table: the odds ratio is (40·30)/(10·20) = 6 by hand
    table = b"origin,destination,count\nhigh,high,40\nhigh,low,10\nlow,high,20\nlow,low,30\n"
    r = client.post("/explorer", files={"file": ("two.csv", table, "text/csv")},
                    data={"csrf_token": token, "model": "independence"})
    assert r.status_code == 200
    assert "Results for two.csv" in r.text
    assert "Odds ratios" in r.text
    assert re.search(r">\s*6(\.000)?\s*<", r.text), "odds ratio 6 not shown"


def test_openapi_document(client):
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ["/api/areas", "/api/indices", "/api/map", "/api/national",
                 "/api/areas/{area_id}", "/api/areas/{area_id}/questions", "/api/compare"]:
        assert path in doc["paths"], path


# ---------------------------------------------------------------- with the embedded data


def test_area_page_sections(client, needs_data):
    r = client.get("/areas/cambridgeshire", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/areas/cambridgeshire_cc"
    r = client.get("/areas/cambridgeshire_cc")
    assert r.status_code == 200
    text = r.text
    assert "What should you be asking?" in text
    assert "The indices across periods" in text
    assert 'href="/areas/cambridgeshire_cc/briefing.pdf"' in text
    assert "<svg" in text and 'role="img"' in text


def test_area_csv_download_is_tidy_and_matches_the_data(client, needs_data):
    from socmob.data import composites

    r = client.get("/areas/glasgow_city/data/indices.csv")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(r.text))
    assert tuple(frame.columns[: len(TIDY_COLUMNS)]) == TIDY_COLUMNS
    # the downloaded z-scores are exactly the library's
    ref = composites(edition=2025)
    ref = ref[ref["area_id"] == "glasgow_city"]
    merged = frame.merge(ref, left_on=["measure", "period"],
                         right_on=["index_code", "period"])
    assert len(merged) == len(ref) > 0
    assert (merged["value"] - merged["z"]).abs().max() < 1e-9


def test_unknown_area_is_404(client, needs_data):
    r = client.get("/areas/atlantis")
    assert r.status_code == 404 and "atlantis" in r.text


def test_map_csv_has_every_area(client, needs_data):
    r = client.get("/map.csv", params={"index": "ci1"})
    frame = pd.read_csv(io.StringIO(r.text))
    assert len(frame) == 205
    assert set(frame["group"]) <= {"Least Favourable", "Unfavourable", "Lower Middling",
                                   "Middling", "Upper Middling", "Favourable",
                                   "Most Favourable"}


def test_map_bad_index_is_404(client, needs_data):
    assert client.get("/map.csv", params={"index": "ci9"}).status_code == 404
    assert client.get("/api/map", params={"index": "ci9"}).status_code == 404


def test_compare_needs_two_to_five_areas(client, needs_data):
    r = client.get("/compare", params={"areas": ["cambridgeshire"]})
    assert r.status_code == 200 and "There is a problem" in r.text
    r = client.get("/compare", params={"areas": ["cambridgeshire", "glasgow_city"]})
    assert r.status_code == 200 and "Comparing" in r.text
    assert client.get("/api/compare", params={"areas": ["cambridgeshire"]}).status_code == 422


def test_area_search_redirects_on_exact_name(client, needs_data):
    r = client.get("/areas", params={"q": "Glasgow City"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/areas/glasgow_city"
    r = client.get("/areas", params={"q": "glas"})
    assert "Glasgow City" in r.text


def test_briefing_html_and_pdf(client, needs_data):
    pypdf = pytest.importorskip("pypdf")
    html = client.get("/areas/northern_ireland/briefing.html")
    assert html.status_code == 200 and "What should you be asking?" in html.text
    assert "Open Government Licence v3.0" in html.text
    pdf = client.get("/areas/northern_ireland/briefing.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(pdf.content))
    # whole tables (no longer cut to their first rows) with the charts at a legible
    # size: a few more pages than the 2–4 of the cut tables and shrunken charts
    assert 2 <= len(reader.pages) <= 8
    text = "".join(p.extract_text() for p in reader.pages)
    assert "Northern Ireland" in text and "What should you be asking?" in text


def test_explorer_published_table_matches_r(client):
    """The explorer's fit of a published table equals R's (gnm/logmult; see
    tests/results/web/README.md): deviance and df of unidiff and the baseline."""
    import json
    from pathlib import Path

    pytest.importorskip("socmob.models")
    ref = json.loads((Path(__file__).resolve().parents[1] / "results" / "web"
                      / "hazelrigg_models.json").read_text())["models"]
    r = client.get("/explorer", params={"table": "hazelrigg_garnier1976_16c_3x3x16",
                                        "model": "unidiff"})
    assert r.status_code == 200
    for model, key in (("unidiff", "unidiff"),
                       ("conditional-independence", "conditional_independence")):
        words = re.escape(model.replace("-", " ").capitalize())  # the model in words
        row = re.search(rf"<td[^>]*>\s*{words}:[^<]*</td>(.*?)</tr>", r.text, flags=re.S)
        assert row, model
        cells = [c.strip().replace(",", "") for c in
                 re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), flags=re.S)]
        deviance, df = float(cells[0]), int(cells[1])
        assert deviance == pytest.approx(ref[key]["G2"], abs=5e-4)  # shown to 3 decimals
        assert df == ref[key]["df"]


def test_questionnaire_downloads(client):
    pytest.importorskip("socmob.workforce.survey")
    csv = client.get("/employers/questionnaire.csv")
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    frame = pd.read_csv(io.StringIO(csv.text))
    assert {"question_id", "question", "option_label"} <= set(frame.columns)
    html = client.get("/employers/questionnaire.html")
    assert html.status_code == 200
    first = frame["question"].iloc[0]
    assert first.split()[0] in html.text  # the questions themselves are on the page


def test_api_area_matches_the_data(client, needs_data):
    from socmob.data import composites

    body = client.get("/api/areas/northern_ireland").json()
    assert body["available"] is True
    assert "Open Government Licence v3.0" in body["attribution"]
    rows = body["data"]["panels"]["indices"]["rows"]
    ref = composites(edition=2025)
    ref = ref[ref["area_id"] == "northern_ireland"].set_index(["index_code", "period"])["z"]
    assert len(rows) == len(ref)
    for row in rows:
        assert row["value"] == pytest.approx(ref[(row["measure"], row["period"])], abs=1e-12)
    assert client.get("/api/areas/atlantis").status_code == 404
    qs = client.get("/api/areas/northern_ireland/questions").json()["data"]
    assert qs and all(q["evidence"] for q in qs)


def test_api_map_is_every_area_once(client, needs_data):
    body = client.get("/api/map", params={"index": "ci4", "period": "2018 to 2020"}).json()
    rows = body["data"]["rows"]
    assert len(rows) == 205 and len({r["area_id"] for r in rows}) == 205
    assert {r["period"] for r in rows} == {"2018 to 2020"}
    assert client.get("/api/map", params={"index": "ci4", "period": "1999"}).status_code == 404


@pytest.mark.parametrize("area_id", ["northern_ireland", "blackpool", "glasgow_city"])
def test_every_question_links_to_evidence_on_the_page(client, needs_data, area_id):
    text = client.get(f"/areas/{area_id}").text
    ids = set(re.findall(r'\sid="([^"]+)"', text))
    section = text.split('id="questions-heading"', 1)[1].split("</section>", 1)[0]
    links = re.findall(r'href="#([^"]+)"', section)
    assert links, "no questions"
    assert set(links) <= ids


def test_map_values_equal_the_published_z_scores(client, needs_data):
    from socmob.data import composites

    rows = pd.read_csv(io.StringIO(client.get("/map.csv", params={
        "index": "ci3", "period": "2006 to 2011"}).text))
    ref = composites(edition=2025)
    ref = ref[(ref["index_code"] == "ci3") & (ref["period"] == "2006 to 2011")]
    merged = rows.merge(ref, on="area_id", suffixes=("", "_ref"))
    assert len(merged) == 205
    assert (merged["value"] - merged["z"]).abs().max() < 1e-12
    assert (merged["band"] == merged["band_ref"]).all()
