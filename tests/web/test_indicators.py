"""The State of the Nation indicator pages and their API, in process (TestClient): the
overview and its filters, each indicator's page, its downloads against the library's own
values, unknown codes and breakdowns, the JSON envelopes, and the scan made once."""

from __future__ import annotations

import io
import re
import threading
import time

import numpy as np
import pandas as pd
import pytest

from socmob import monitor
from socmob.monitor.analysis import series_frame
from socmob.report import national

pytestmark = pytest.mark.usefixtures("needs_data")

CODES = list(monitor.indicators())


def _csv(text: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), keep_default_na=True)


def _same_values(got: pd.DataFrame, expected: pd.DataFrame, columns: list[str]) -> None:
    """The CSV's numbers are the library's, unrounded (CSV round-trips a float exactly)."""
    assert len(got) == len(expected)
    for col in columns:
        a = pd.to_numeric(got[col], errors="coerce").to_numpy(dtype=float)
        b = pd.to_numeric(expected[col], errors="coerce").to_numpy(dtype=float)
        assert np.array_equal(a, b, equal_nan=True), col


# --------------------------------------------------------------------------- overview


def test_overview_lists_every_indicator_by_level_with_its_status(client):
    r = client.get("/indicators")
    assert r.status_code == 200
    for code in CODES:
        assert f'href="/indicators/{code}"' in r.text
    for title in national.LEVEL_TITLES.values():
        assert f">{title}</h2>" in r.text
    scan = monitor.overview()
    # every status and its evidence in words, beside the indicator's own link
    for a in scan.assessments:
        item = r.text.split(f'id="{a.code}"', 1)[1].split("</li>", 1)[0]
        assert f">{a.status.status}</strong>" in item
        assert national.plain_evidence(a).replace("'", "&#39;") in item
    assert "Holm" in r.text  # the multiple-comparison note


@pytest.mark.parametrize(("query", "keep"), [
    ({"level": "driver"}, lambda a: a.indicator.level == "driver"),
    ({"status": "improving"}, lambda a: a.status.status == "improving"),
    ({"status": ["improving", "one period only"]},
     lambda a: a.status.status in {"improving", "one period only"}),
    ({"level": "intermediate outcome", "gap_status": "gap stable"},
     lambda a: a.indicator.level == "intermediate outcome" and a.gap_status.status == "gap stable"),
])
def test_filters_work_without_javascript_and_the_csv_follows_them(client, query, keep):
    expected = {a.code for a in monitor.overview().assessments if keep(a)}
    assert expected  # each filter here keeps something
    page = client.get("/indicators", params=query)
    assert page.status_code == 200
    shown = set(re.findall(r'<li class="govuk-!-margin-bottom-0" id="([^"]+)"', page.text))
    assert shown == expected
    assert f"Showing {len(expected)} of {len(CODES)} indicators" in page.text
    table = _csv(client.get("/indicators.csv", params=query).text)
    assert set(table["code"]) == expected


def test_an_unknown_filter_value_is_a_clear_message(client):
    r = client.get("/indicators", params={"status": "improvin"})
    assert r.status_code == 422
    assert "unknown status &#39;improvin&#39;; did you mean &#39;improving&#39;?" in r.text
    assert 'class="govuk-error-summary"' in r.text
    assert client.get("/indicators.csv", params={"level": "drivers!"}).status_code == 422


def test_overview_csv_is_the_library_table_unrounded(client):
    got = _csv(client.get("/indicators.csv").text)
    expected = monitor.overview().table()
    assert list(got.columns) == list(expected.columns)
    assert list(got["code"]) == list(expected["code"])
    assert list(got["status"]) == list(expected["status"])
    _same_values(got, expected, ["latest_value", "latest_lower", "latest_upper",
                                 "trend_per_year", "trend_p", "p", "gap", "gap_lower"])


# --------------------------------------------------------------------------- one indicator


@pytest.mark.parametrize("code", CODES)
def test_each_indicator_page_has_its_chart_table_csv_and_metadata(client, code):
    r = client.get(f"/indicators/{code}")
    assert r.status_code == 200
    entry = monitor.indicator(code)
    html = r.text
    for text in (entry.title, entry.population, entry.source):
        assert text.replace("'", "&#39;") in html
    # every chart: server-rendered SVG with an accessible name, its spec, a table after it
    figures = re.findall(r'<figure class="socmob-chart[^>]*data-chart="([^"]+)"', html)
    assert figures and figures[0] == f"indicator-{entry.code}"
    assert html.count('<svg role="img" aria-label=') == len(figures)
    after = html.split(f'data-chart="{figures[0]}"', 1)[1]
    assert after.index("<table") < after.index("Download the chart's data as CSV")
    assert f'href="/indicators/{entry.code}/data.csv?by=headline"' in html
    assert f'href="/indicators/{entry.code}/published.csv"' in html
    # the ITL2 map where (and only where) the indicator has regional values
    has_map = national.regional_values(entry.code) is not None
    assert (f'data-chart="map-{entry.code}"' in html) == has_map
    if has_map:
        assert 'id="regions-table"' in html
        assert client.get(f"/indicators/{entry.code}/regions.csv").status_code == 200


@pytest.mark.parametrize("code", CODES)
def test_downloads_are_the_library_values(client, code):
    """Every published row (and the headline chart's rows) unchanged through the page."""
    rows = monitor.published(code)
    got = _csv(client.get(f"/indicators/{code}/published.csv").text)
    expected = series_frame(rows)
    assert list(got.columns) == list(expected.columns)
    _same_values(got, expected, ["value", "lci", "uci", "n", "lower", "upper"])
    chart = _csv(client.get(f"/indicators/{code}/data.csv").text)
    _same_values(chart, national.headline_rows(code), ["value", "lci", "uci", "lower", "upper"])
    a = monitor.overview()[code]
    if a.series is not None:  # the headline series' values are among the chart's rows
        assert set(a.series.points.values[np.isfinite(a.series.points.values)]) <= set(
            chart["value"].dropna())


def test_the_gap_and_revisions_downloads_are_the_library_results(client):
    gap = _csv(client.get("/indicators/in21/gap.csv").text)
    expected = monitor.overview()["in21"].gap.to_frame()
    _same_values(gap, expected, ["value", "lci", "uci", "ratio", "p_value"])
    rev = _csv(client.get("/indicators/dr15/revisions.csv").text)
    expected = monitor.revisions("dr15").to_frame()
    _same_values(rev, expected, ["value", "old_value", "difference", "ratio"])
    assert set(rev["note"]) == {"re-based"}
    page = client.get("/indicators/dr15")
    assert "re-based" in page.text and "1.0384" in page.text


def test_regional_values_and_map_boundaries(client):
    got = _csv(client.get("/indicators/dr32/regions.csv").text)
    expected = national.regional_values("dr32")
    assert len(got) == 41
    _same_values(got, expected, ["value", "lower", "upper"])
    geo = client.get("/indicators/dr32/map.json")
    assert geo.status_code == 200 and geo.headers["content-type"] == "application/geo+json"
    codes = {f["properties"]["area_code"] for f in geo.json()["features"]}
    assert set(got["area_code"]) <= codes
    # no regional values: no map and no download
    assert client.get("/indicators/in21/map.json").status_code == 404
    assert client.get("/indicators/in21/regions.csv").status_code == 404


def test_by_switches_the_breakdown_and_the_csv_follows(client):
    r = client.get("/indicators/in21", params={"by": "sex"})
    assert r.status_code == 200
    view = national.breakdown_view("in21", "sex")
    assert view.colour == "sex" and view.choice.breakdown == "neet; seb; sex"
    assert '<option value="neet; seb; sex" selected>' in r.text
    table = r.text.split('id="chart-table"', 1)[1].split("</table>", 1)[0]
    assert ">Men<" in table and ">Women<" in table
    csv = _csv(client.get("/indicators/in21/data.csv", params=dict(view.query)).text)
    held = {h.name: h.value for h in view.held}
    rows = monitor.published("in21")
    wanted = np.array([list(d) == ["neet", "seb", "sex"]
                       and all(d.get(k) == v for k, v in held.items()) for d in rows["dims"]])
    rows = rows[wanted & rows["usable"].to_numpy(dtype=bool)]
    expected = series_frame(rows)
    _same_values(csv, expected, ["value", "lci", "uci", "lower", "upper"])


def test_held_groups_come_from_the_query_and_are_checked(client):
    r = client.get("/indicators/in21", params={"by": "neet; seb; sex", "sex": "Women"})
    assert r.status_code == 200
    assert '<option value="Women" selected>' in r.text
    assert "sex: Women" in national.breakdown_view("in21", "neet; seb; sex",
                                                   {"sex": "Women"}).chart.description
    # a group the breakdown does not have (a typo, or one kept from another breakdown
    # when the form switched): the default group, and a note saying so
    bad = client.get("/indicators/in21", params={"by": "neet; seb; sex", "sex": "Wmen"})
    assert bad.status_code == 200
    assert ("This breakdown has no sex &#39;Wmen&#39; (did you mean &#39;Women&#39;?); "
            "showing &#39;Men&#39;.") in bad.text
    # lines for another attribute of the breakdown
    r = client.get("/indicators/in21", params={"by": "neet; seb; sex", "lines": "neet"})
    assert '<option value="neet" selected>' in r.text
    table = r.text.split('id="chart-table"', 1)[1].split("</table>", 1)[0]
    assert ">Employment<" in table and ">NEET<" in table


def test_unknown_codes_and_breakdowns(client):
    r = client.get("/indicators/dr3")
    assert r.status_code == 404
    assert "no indicator &#39;dr3&#39;; did you mean" in r.text
    r = client.get("/indicators/in21", params={"by": "sexx"})
    assert r.status_code == 404
    assert "has no breakdown &#39;sexx&#39;" in r.text and "did you mean &#39;sex&#39;" in r.text
    assert 'class="govuk-error-summary"' in r.text
    assert client.get("/indicators/in21/data.csv", params={"by": "sexx"}).status_code == 404
    assert client.get("/indicators/in21/nothing.csv").status_code == 404
    # a title or another spelling goes to the canonical address
    r = client.get("/indicators/Youth unemployment", follow_redirects=False)
    assert r.status_code == 308 and r.headers["location"] == "/indicators/dr32"


def test_every_breakdown_of_every_indicator_has_a_view(client):
    """Each ?by= choice renders: a chart with data behind it, groups that exist."""
    for code in CODES:
        for choice in national.breakdown_choices(code):
            view = national.breakdown_view(code, choice.key)
            assert len(view.table["rows"]) > 0, (code, choice.key)
            assert len(view.csv) >= len({r[view.table["columns"][0]] for r in
                                         view.table["rows"]}), (code, choice.key)
            for h in view.held:
                assert h.value in dict(h.options), (code, choice.key, h)


# --------------------------------------------------------------------------- API


def test_api_overview_envelope(client):
    body = client.get("/api/indicators").json()
    assert body["available"] is True and body["reason"] is None
    assert "Open Government Licence" in body["attribution"]
    data = body["data"]
    scan = monitor.overview()
    assert data["adjustment"] == scan.adjustment and data["tests"] == scan.tests
    assert [r["code"] for r in data["indicators"]] == CODES
    for row, a in zip(data["indicators"], scan.assessments, strict=True):
        assert row["status"] == a.status.status and row["gap_status"] == a.gap_status.status
        assert row["plain"] == national.plain_evidence(a)
        latest = a.summary_row()["latest_value"]
        assert row["latest_value"] == (latest if np.isfinite(latest) else None)
    drivers = client.get("/api/indicators", params={"level": "driver"}).json()["data"]
    assert {r["code"] for r in drivers["indicators"]} == {c for c in CODES if c.startswith("dr")}
    bad = client.get("/api/indicators", params={"status": "foo"})
    assert bad.status_code == 422 and "unknown status" in bad.json()["detail"]


def test_api_indicator_envelope(client):
    body = client.get("/api/indicators/in21").json()
    assert body["available"] is True
    data = body["data"]
    a = monitor.overview()["in21"]
    assert data["indicator"]["code"] == "in21" and data["indicator"]["good"] == "lower"
    assert data["status"]["status"] == a.status.status
    assert data["status"]["evidence"]["test"] == "trend"
    assert data["gap_status"]["status"] == a.gap_status.status
    series = pd.DataFrame(data["series"])
    _same_values(series, national.headline_rows("in21"), ["value", "lower", "upper"])
    gap = pd.DataFrame(data["gap"])
    _same_values(gap, a.gap.to_frame(), ["value", "lci", "uci", "ratio"])
    assert data["revisions"]["verdict"] == monitor.revisions("in21").verdict
    assert data["regional"] is None
    assert data["breakdowns"][0]["by"] == "headline"
    assert "breakdown" not in data
    by = client.get("/api/indicators/in21", params={"by": "sex"}).json()["data"]["breakdown"]
    b = monitor.breakdown("in21", by="neet; seb; sex", geography="country")
    _same_values(pd.DataFrame(by["rows"]), series_frame(b.rows), ["value", "lower", "upper"])
    assert len(by["gaps"]) == len(b.gaps)
    regional = client.get("/api/indicators/dr32").json()["data"]["regional"]
    assert len(regional) == 41


def test_api_unknown_code_and_breakdown_are_404_with_did_you_mean(client):
    r = client.get("/api/indicators/dr3")
    assert r.status_code == 404 and "did you mean" in r.json()["detail"]
    r = client.get("/api/indicators/in21", params={"by": "sexx"})
    assert r.status_code == 404 and "did you mean 'sex'" in r.json()["detail"]


def test_api_is_in_the_openapi_document(client):
    paths = client.get("/api/openapi.json").json()["paths"]
    assert "/api/indicators" in paths and "/api/indicators/{code}" in paths
    assert not any(p.startswith("/indicators") for p in paths)


# --------------------------------------------------------------------------- computed once


def test_pages_do_not_recompute_the_scan(client, monkeypatch):
    client.get("/indicators")
    client.get("/indicators/dr32")

    def fail(*args, **kwargs):
        raise AssertionError("the scan was computed again")

    monkeypatch.setattr(national, "overview", fail)
    monkeypatch.setattr(national, "indicator_view", fail)
    assert client.get("/indicators").status_code == 200
    assert client.get("/indicators/dr32").status_code == 200
    assert client.get("/api/indicators").status_code == 200


def test_concurrent_first_requests_compute_once():
    calls = []

    def slow() -> int:
        calls.append(1)
        time.sleep(0.2)
        return len(calls)

    results: list[int] = []
    threads = [threading.Thread(target=lambda: results.append(national._once(("test", 1), slow)))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == [1] and results == [1] * 8


# --------------------------------------------------------------------------- evidence in words


def test_evidence_in_words_says_which_way_how_much_and_whether_it_is_chance():
    scan = monitor.overview()
    # dr11: falls clearly (29 yearly points); lower is better
    text = national.plain_evidence(scan["dr11"])
    assert text.startswith("It has fallen by 0.036 a year on average since 1997: more than "
                           "chance would explain.") and text.endswith("Lower is better.")
    # in22: clear on its own (unadjusted p < 0.05), not once the scan is adjusted for
    ev = scan["in22"].status.evidence
    assert ev["p_unadjusted"] < 0.05 <= ev["p"]
    assert "with so many indicators checked at once" in national.plain_evidence(scan["in22"])
    assert "judged on the 4 of 10 periods that share no years" in national.plain_evidence(
        scan["in22"])
    # dr24: not clear either way; the likely range of the trend is given
    assert "anything from −0.26 to +0.084 pp a year fits the figures" in \
        national.plain_evidence(scan["dr24"])
    # MO41: one period; its gap too
    assert national.plain_evidence(scan["MO41"]) == (
        "The indicator is published for one period only (2016-20): nothing to compare yet.")
    assert national.plain_evidence(scan["MO41"], gap=True).startswith("The gap is published")
    # no test names or p-values in words for people
    for a in scan.assessments:
        for text in (national.plain_evidence(a), national.plain_evidence(a, gap=True)):
            assert not re.search(r"\bp [<=]|least squares|CI\b|se²", text), (a.code, text)


# --------------------------------------------------------------------------- fuzzing


def test_api_fuzz_of_the_indicator_endpoints_finds_no_server_error():
    schemathesis = pytest.importorskip("schemathesis")
    from hypothesis import HealthCheck, given, settings
    from schemathesis.checks import not_a_server_error

    from socmob.web.app import create_app
    from socmob.web.settings import Settings

    schema = schemathesis.openapi.from_asgi(
        "/api/openapi.json", create_app(Settings(secret_key="fuzz", warm=False)))
    for path in ("/api/indicators", "/api/indicators/{code}"):
        operation = schema["/api/indicators" if path == "/api/indicators" else path]["GET"]

        @given(case=operation.as_strategy())
        @settings(max_examples=60, deadline=None, database=None,
                  suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
        def run(case):
            response = case.call()
            case.validate_response(response, checks=[not_a_server_error])

        run()


def test_fuzzed_breakdowns_lines_and_groups_never_give_a_server_error(client):
    """Known codes with breakdowns, lines and held groups drawn from what the release has
    and from arbitrary text: pages, CSVs and the API answer 200, 404 or 422, never 5xx."""
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    names = sorted({n for c in CODES for ch in national.breakdown_choices(c)
                    for n in ch.attributes} | {"by", "lines", "level"})
    keys = sorted({ch.key for c in CODES for ch in national.breakdown_choices(c)})
    text = st.text(st.characters(blacklist_categories=["Cs"]), max_size=40)

    @given(code=st.sampled_from(CODES), by=st.none() | st.sampled_from(keys) | text,
           lines=st.none() | st.sampled_from(names) | text,
           hold=st.dictionaries(st.sampled_from(names), st.sampled_from(
               ["Total", "Men", "Women", "NA", "Higher professional", "1", "x"]) | text,
               max_size=3),
           where=st.sampled_from(["/indicators/{}", "/indicators/{}/data.csv",
                                  "/api/indicators/{}"]))
    @settings(max_examples=80, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
    def run(code, by, lines, hold, where):
        params = {**hold, **({"by": by} if by is not None else {}),
                  **({"lines": lines} if lines is not None else {})}
        r = client.get(where.format(code), params=params)
        assert r.status_code in (200, 404, 422), (where, code, params, r.status_code)

    run()
