"""The barometer page and its API (``/barometer``, ``/api/barometer/...``).

The demonstration's figures are checked against the survey layer called directly on an
independently generated copy of the synthetic barometer (the survey layer itself is
checked against R's ``survey`` package in ``tests/survey``); differences within the
latest wave against a design of that wave alone, degrees of freedom, Holm's adjustment and
Kish's design effect against their formulas written out here. Uploads go through both
steps of the form in every format, bad ones are refused on the form with one line, and
nothing is kept: no file left in the scratch or temp folders, no cache that grows.
"""

from __future__ import annotations

import base64
import functools
import html
import io
import json
import re
import sys
import tempfile
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from socmob.report import barometer
from socmob.survey import (
    compare_groups,
    compare_waves,
    estimate,
    margins_from_frame,
    rake,
    read_survey,
    survey_design,
)
from socmob.synth.barometer import synth_barometer
from socmob.web.security import CSRF_COOKIE

AGREE = "Tend to agree or Strongly agree"


# --------------------------------------------------------------------------- helpers


@functools.lru_cache(maxsize=1)
def _demo_made():
    """An independent copy of the demonstration survey (same generator and seed)."""
    return synth_barometer(barometer.DEMO_RESPONDENTS, waves=barometer.DEMO_WAVES,
                           first_wave=barometer.DEMO_FIRST_WAVE, seed=barometer.DEMO_SEED)


@functools.lru_cache(maxsize=1)
def _demo_design():
    made = _demo_made()
    design = survey_design(made.frame, weights="design_weight", strata="stratum", psu="psu",
                           value_labels=made.value_labels)
    return rake(design, margins_from_frame(made.margins), by="wave").design


@pytest.fixture(scope="module")
def demo_json(client) -> dict[str, Any]:
    r = client.get("/api/barometer/demo")
    assert r.status_code == 200, r.text[:300]
    body = r.json()
    assert body["available"] is True and "SYNTHETIC" in body["attribution"]
    return body["data"]


@pytest.fixture(scope="module")
def demo_page(client) -> str:
    r = client.get("/barometer")
    assert r.status_code == 200
    return r.text


def _rows(data: dict[str, Any], **match: Any) -> pd.DataFrame:
    frame = pd.DataFrame(data["estimates"])
    for k, v in match.items():
        frame = frame[frame[k] == v]
    return frame


def _small(n: int = 300, waves: int = 2, seed: int = 11):
    """A small SYNTHETIC barometer for uploads (within the test app's row limit)."""
    return synth_barometer(n, waves=waves, seed=seed)


def _token(client) -> str:
    if not client.cookies.get(CSRF_COOKIE):
        client.get("/barometer")
    return str(client.cookies.get(CSRF_COOKIE))


def _post(client, files: dict[str, tuple[str, bytes]], **form: Any):
    data = {"csrf_token": _token(client), **form}
    return client.post("/barometer", data=data,
                       files={k: (name, content, "application/octet-stream")
                              for k, (name, content) in files.items()})


def _carried(page: str, field: str) -> str | None:
    m = re.search(rf'name="{field}" value="([^"]*)"', page)
    return html.unescape(m.group(1)) if m else None


def _selected(page: str, select_id: str) -> str:
    block = re.search(rf'<select[^>]*id="{select_id}"[^>]*>(.*?)</select>', page, re.S)
    assert block, select_id
    chosen = re.search(r'<option value="([^"]*)" selected', block.group(1))
    return html.unescape(chosen.group(1)) if chosen else ""


def _checked(page: str, name: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(
        rf'name="{name}" type="checkbox" value="([^"]*)" checked', page)]


def _error(page: str) -> tuple[str, str]:
    """(target id, message) of the page's error summary."""
    m = re.search(r'govuk-error-summary__list"><li><a href="#([^"]+)">(.*?)</a></li>', page,
                  re.S)
    assert m, page[:2000]
    return m.group(1), html.unescape(m.group(2))


def _estimate(client, files: dict[str, tuple[str, bytes]], **design: Any):
    """Both steps: upload, then estimate with the carried files and ``design``."""
    first = _post(client, files)
    assert first.status_code == 200, first.text[-2000:]
    form: dict[str, Any] = {"step": "estimate", "data_carried": _carried(first.text,
                                                                         "data_carried"),
                            "data_name": _carried(first.text, "data_name")}
    if _carried(first.text, "margins_carried"):
        form["margins_carried"] = _carried(first.text, "margins_carried")
        form["margins_name"] = _carried(first.text, "margins_name")
    form.update(design)
    return first, _post(client, {}, **form)


def _data_uri_csv(page: str, download: str) -> pd.DataFrame:
    m = re.search(r'href="data:text/csv;charset=utf-8;base64,([^"]+)" download="'
                  + re.escape(download) + '"', page)
    assert m, download
    return pd.read_csv(io.StringIO(base64.b64decode(m.group(1)).decode()),
                       keep_default_na=False, na_values=[""])


DESIGN = {"weights": "design_weight", "strata": "stratum", "psu": "psu", "wave": "wave",
          "items": ["q_parents", "q_class_gap"], "groups": ["background", "sex"]}


def _bytes(made, suffix: str, tmp_path: Path) -> bytes:
    path = tmp_path / f"baro{suffix}"
    if suffix == ".xlsx":
        made.frame.assign(synthetic=made.frame["synthetic"].astype(int)).to_excel(
            path, index=False)
    else:
        made.write(path)
    return path.read_bytes()


# --------------------------------------------------------------------------- the demo


def test_demo_estimates_equal_the_survey_layer(demo_json, client):
    design = _demo_design()
    data = demo_json
    assert data["synthetic"] is True and data["waves"] == ["2022", "2023", "2024"]
    for item in ("q_parents", "q_equal_opportunities", "q_class_gap"):
        share = estimate(design, item, statistic="proportion", level=[4, 5],
                         by=["wave", "background"])
        net = estimate(design, item, statistic="net", by="wave")
        for key, res in share.items():
            wave, group = key.split(" | ")
            row = _rows(data, item=item, statistic="proportion", level=res.labels[0],
                        period=wave, breakdown="background", group=group)
            assert len(row) == 1
            ci = res.conf_int(0.05)
            np.testing.assert_allclose(row[["value", "lci", "uci", "se"]].to_numpy()[0],
                                       [res.estimate[0], ci["lower"].iloc[0],
                                        ci["upper"].iloc[0], res.se[0]], rtol=0, atol=1e-12)
            assert row["n"].iloc[0] == res.n and row["df"].iloc[0] == res.df
        assert {r.labels[0] for r in share.values()} == {AGREE} or item == "q_class_gap"
        for wave, res in net.items():
            row = _rows(data, item=item, statistic="net", period=wave, breakdown="all")
            ci = res.conf_int(0.05)
            np.testing.assert_allclose(row[["value", "lci", "uci"]].to_numpy()[0],
                                       [res.estimate[0], ci["lower"].iloc[0],
                                        ci["upper"].iloc[0]], rtol=0, atol=1e-12)
    # the CSV download carries the same rows, unrounded and marked synthetic
    csv = pd.read_csv(io.StringIO(client.get("/barometer/demo/estimates.csv").text))
    api = pd.DataFrame(data["estimates"])
    assert len(csv) == len(api) and csv["synthetic"].all()
    np.testing.assert_allclose(csv["value"].to_numpy(dtype=float),
                               api["value"].to_numpy(dtype=float), rtol=1e-15, equal_nan=True)


def test_demo_headline_and_tables_on_the_page_round_the_library_figures(demo_page):
    design = _demo_design()
    res = estimate(design, "q_parents", statistic="proportion", level=[4, 5], by="wave")
    latest = res["2024"]
    ci = latest.conf_int(0.05)
    pct = f"{100 * latest.estimate[0]:.0f}%"
    band = f"{100 * ci['lower'].iloc[0]:.0f}–{100 * ci['upper'].iloc[0]:.0f}%"
    assert html.unescape(f"In 2024, {pct} agreed (95% CI {band})") in html.unescape(demo_page)
    by_bg = estimate(design, "q_parents", statistic="proportion", level=[4, 5],
                     by=["wave", "background"])["2024 | Lower"]
    lo, hi = (100 * by_bg.conf_int(0.05).iloc[0]).round().astype(int)
    cell = f"{100 * by_bg.estimate[0]:.0f} ({lo}\u2060–\u2060{hi})"  # kept on one line
    assert re.search(r'<th scope="row" class="govuk-table__header">Lower</th>\s*<td[^>]*>'
                     + re.escape(cell) + "</td>", demo_page)


def test_demo_is_labelled_synthetic_everywhere(demo_page, client):
    assert "SYNTHETIC — for demonstration" in demo_page
    assert demo_page.count("govuk-tag--red") >= 4  # the banner and each question
    for name in ("estimates", "differences", "q1_1", "q2_waves"):
        r = client.get(f"/barometer/demo/{name}.csv")
        assert r.status_code == 200 and "synthetic" in r.headers["content-disposition"]
    charts = re.findall(r'<svg role="img" aria-label="([^"]+)"', demo_page)
    assert len(charts) == 15 and all(c.startswith("SYNTHETIC") for c in charts)


def test_group_differences_in_the_latest_wave_match_a_design_of_that_wave_alone(demo_json):
    """Groups of the latest wave are domains of the whole design: their difference and
    standard error equal those from a design of that wave alone, raked alone (waves are
    separate strata and are raked separately); the test uses the whole design's degrees
    of freedom (PSUs − strata, counted here from the data)."""
    made = _demo_made()
    frame = made.frame
    wave = frame[frame["wave"] == 2024]
    alone = survey_design(wave, weights="design_weight", strata="stratum", psu="psu",
                          value_labels=made.value_labels)
    margins = margins_from_frame(made.margins)
    alone = rake(alone, margins).design
    diffs = pd.DataFrame(demo_json["differences"])
    df = frame.groupby(["stratum", "psu"]).ngroups - frame["stratum"].nunique()
    for item in ("q_parents", "q_equal_opportunities"):
        ref = compare_groups(alone, item, by="background", statistic="proportion",
                             level=[4, 5], adjust="holm")
        rows = diffs[(diffs["item"] == item) & (diffs["breakdown"] == "background")]
        assert len(rows) == 3 and set(rows["period"]) == {"2024"}
        by_pair = {(a, b): k for k, (a, b) in enumerate(zip(ref.first, ref.second,
                                                            strict=True))}
        for _, row in rows.iterrows():  # the pairs may be taken the other way round
            pair = (row["first"], row["second"])
            sign = 1 if pair in by_pair else -1
            k = by_pair[pair if sign == 1 else pair[::-1]]
            # equal up to the raking tolerance (the waves are raked in one call there)
            assert row["value"] == pytest.approx(sign * ref.difference[k], abs=1e-9)
            assert row["se"] == pytest.approx(ref.se[k], abs=1e-9)
            assert row["df"] == df == 264
            q = stats.t.ppf(0.975, df)
            assert row["lci"] == pytest.approx(row["value"] - q * row["se"], abs=1e-12)
            assert row["p_value"] == pytest.approx(
                2 * stats.t.sf(abs(row["value"] / row["se"]), df), abs=1e-12)
        # Holm (1979) by hand: sorted p times (m − rank + 1), running maximum, capped at 1
        p = rows["p_value"].to_numpy()
        order = np.argsort(p)
        held = np.minimum(1, np.maximum.accumulate((3 - np.arange(3)) * p[order]))
        np.testing.assert_allclose(rows["p_adjusted"].to_numpy()[order], held, atol=1e-15)


def test_wave_changes_and_their_words(demo_json):
    design = _demo_design()
    diffs = pd.DataFrame(demo_json["differences"])
    for i, item in enumerate(("q_parents", "q_equal_opportunities", "q_class_gap")):
        ref = compare_waves(design, item, wave="wave", statistic="proportion", level=[4, 5],
                            adjust="holm")
        rows = diffs[(diffs["item"] == item) & (diffs["breakdown"] == "wave")]
        np.testing.assert_allclose(rows["value"], ref.difference, atol=1e-12)
        np.testing.assert_allclose(rows["p_adjusted"], ref.p_adjusted, atol=1e-12)
        words = demo_json["questions"][i]["wave_findings"]
        ci = ref.conf_int(0.05)
        for k, finding in enumerate(words):
            d = ref.difference[k]
            assert finding["significant"] == bool(ref.p_adjusted[k] < 0.05)
            assert f"Between {ref.second[k]} and {ref.first[k]}" in finding["text"]
            if finding["significant"]:
                lo, hi = sorted(abs(100 * ci.iloc[k].to_numpy()))
                assert (f"{'rose' if d > 0 else 'fell'} by {abs(100 * d):.0f} points "
                        f"(95% CI {lo:.0f}–{hi:.0f})") in finding["text"]
            else:
                assert "did not change significantly" in finding["text"]


def test_group_findings_name_the_larger_group_first_with_its_interval(demo_json):
    question = demo_json["questions"][0]  # q_parents: lower backgrounds agree more
    background = next(b for b in question["group_findings"] if b["breakdown"] == "background")
    ref = compare_groups(_demo_design(), "q_parents", by="background", statistic="proportion",
                         level=[4, 5])  # all waves pooled: only the direction is compared
    assert ref.difference[list(ref.contrasts).index("Lower − Professional")] > 0
    diffs = pd.DataFrame(demo_json["differences"])
    row = diffs[(diffs["item"] == "q_parents") & (diffs["breakdown"] == "background")
                & (diffs["group"].isin(["Lower − Professional", "Professional − Lower"]))]
    d, lo, hi = (abs(100 * row[c].iloc[0]) for c in ("value", "lci", "uci"))
    lo, hi = sorted((lo, hi))
    sentence = (f"People whose background is “Lower” are more likely to agree than those "
                f"whose background is “Professional” (difference {d:.0f} points, 95% CI "
                f"{lo:.0f}–{hi:.0f}).")
    assert sentence in [f["text"] for f in background["findings"]]
    assert background["summary"].endswith("after Holm's adjustment for 3 comparisons, the "
                                          "largest first:")


def test_reliability_is_kish_design_effect_per_wave(demo_json):
    design = _demo_design()
    wave = design.data["wave"].to_numpy()
    for row in demo_json["reliability"]["waves"]:
        w = design.weights[wave == int(row["wave"])]
        assert row["respondents"] == w.size == barometer.DEMO_RESPONDENTS
        assert row["design_effect"] == pytest.approx(w.size * (w**2).sum() / w.sum()**2,
                                                     rel=1e-12)
        assert row["effective_n"] == pytest.approx(w.sum()**2 / (w**2).sum(), rel=1e-12)
    assert demo_json["reliability"]["degrees_of_freedom"] == 264


def test_rows_equal_the_estimates_own_tidy_frame():
    """The page builds its rows from an estimate's attributes and conf_int; they equal
    SurveyEstimate.to_frame, including the Korn–Graubard note of a share of 100%."""
    made = _small(200, waves=1)
    frame = made.frame.copy()
    frame.loc[frame["sex"] == "Female", "q_parents"] = 5.0  # every woman agrees
    design = survey_design(frame, weights="design_weight", strata="stratum", psu="psu",
                           value_labels=made.value_labels)
    for statistic, level in (("proportion", [4, 5]), ("proportion", None), ("net", None)):
        result = estimate(design, "q_parents", statistic=statistic, level=level, by="sex")
        for res in result.values():
            mine = pd.DataFrame(barometer._rows(res))
            theirs = res.to_frame(barometer.ALPHA)
            for col in ("measure", "level", "unit", "method", "note"):
                assert mine[col].tolist() == theirs[col].where(theirs[col].notna(), None
                                                               ).tolist(), col
            for col in ("value", "lci", "uci", "n", "se", "df", "weighted_n"):
                np.testing.assert_allclose(mine[col].to_numpy(dtype=float),
                                           theirs[col].to_numpy(dtype=float), atol=0)
    female = estimate(design, "q_parents", statistic="proportion", level=[4, 5],
                      by="sex")["Female"]
    assert barometer._rows(female)[0]["note"] is not None


def test_demo_downloads_refuse_unknown_tables(client):
    assert client.get("/barometer/demo/nope.csv").status_code == 404
    assert client.get("/barometer/demo/..%2Fsecrets.csv").status_code == 404


# --------------------------------------------------------------------------- uploads


@pytest.mark.parametrize("suffix", [".csv", ".xlsx", ".parquet", ".sav", ".dta"])
def test_upload_round_trip_in_every_format(client, tmp_path, suffix):
    made = _small()
    content = _bytes(made, suffix, tmp_path)
    margins = made.margins.to_csv(index=False).encode()
    first, second = _estimate(client, {"file": (f"baro{suffix}", content),
                                       "margins": ("margins.csv", margins)}, **DESIGN)
    # the first step shows the file's columns, with the design guessed from their names
    assert 'id="design"' in first.text and "1 column" not in first.text
    assert _selected(first.text, "barometer-weights") == "design_weight"
    assert _selected(first.text, "barometer-strata") == "stratum"
    assert _selected(first.text, "barometer-psu") == "psu"
    assert _selected(first.text, "barometer-wave") == "wave"
    assert set(_checked(first.text, "items")) == {"q_parents", "q_equal_opportunities",
                                                  "q_class_gap"}
    assert {"background", "sex"} <= set(_checked(first.text, "groups"))
    assert first.headers["cache-control"] == "no-store"
    # the second step: results where the user lands, announced, with downloads
    assert second.status_code == 200, second.text[-3000:]
    assert 'id="results"' in second.text and 'role="alert"' in second.text
    assert "raked to margins.csv" in second.text
    assert "labelled SYNTHETIC" in second.text
    got = _data_uri_csv(second.text, "socmob-barometer-synthetic-estimates.csv")
    # the same survey read by the library's own reader, estimated by the view directly
    path = tmp_path / f"again{suffix}"
    path.write_bytes(content)
    survey = read_survey(path)
    spec = barometer.BarometerSpec(items=("q_parents", "q_class_gap"),
                                   groups=("background", "sex"), wave="wave",
                                   weights="design_weight", strata="stratum", psu="psu")
    want = barometer.barometer_view(survey, spec, margins_from_frame(made.margins),
                                    render=lambda chart: "").estimates
    assert len(got) == len(want)
    np.testing.assert_allclose(got["value"].to_numpy(dtype=float),
                               want["value"].to_numpy(dtype=float), rtol=1e-12,
                               equal_nan=True)
    # answers named by the file's labels (SPSS, Stata, socmob's Parquet) or by their codes
    assert got["level"].astype(str).tolist() == want["level"].astype(str).tolist()
    labelled = suffix in (".sav", ".dta", ".parquet")
    assert (got["level"].iloc[0] == "Strongly disagree") == labelled
    assert got["period"].astype(str).tolist() == want["period"].astype(str).tolist()


def test_labels_come_from_spss_and_parquet_files(client, tmp_path):
    made = _small()
    for suffix in (".sav", ".parquet"):
        _, second = _estimate(client, {"file": (f"b{suffix}", _bytes(made, suffix, tmp_path))},
                              **DESIGN)
        assert second.status_code == 200
        assert "Where you end up in society is largely determined" in second.text
        assert "Fairly large" in second.text  # the gap question's own answer labels


def test_csv_downloads_of_an_upload_are_safe_in_a_spreadsheet(client):
    made = _small(200, waves=1)
    frame = made.frame.copy()
    frame["sex"] = frame["sex"].map({"Female": "=HYPERLINK(\"http://x\")", "Male": "@SUM(1)"})
    _, second = _estimate(client, {"file": ("f.csv", frame.to_csv(index=False).encode())},
                          items=["q_parents"], groups=["sex"], weights="design_weight",
                          strata="stratum", psu="psu")
    assert second.status_code == 200, _error(second.text)
    csv = _data_uri_csv(second.text, "socmob-barometer-synthetic-estimates.csv")
    groups = set(csv.loc[csv["breakdown"] == "sex", "group"])
    assert groups == {"'=HYPERLINK(\"http://x\")", "'@SUM(1)"}
    assert "=HYPERLINK(&#34;http://x&#34;)" in second.text or \
        "=HYPERLINK(&quot;http://x&quot;)" in second.text


def test_a_survey_without_design_columns_uses_equal_weights(client):
    rng = np.random.default_rng(4)
    frame = pd.DataFrame({"q1": rng.integers(1, 6, 400), "group": rng.choice(["a", "b"], 400)})
    first, second = _estimate(client, {"file": ("plain.csv", frame.to_csv(index=False).encode())},
                              items=["q1"], groups=["group"])
    assert _selected(first.text, "barometer-weights") == ""
    assert _checked(first.text, "items") == ["q1"] and _checked(first.text, "groups") == ["group"]
    assert second.status_code == 200, _error(second.text)
    share = (frame["q1"] >= 4).mean()  # equal weights: the plain share agreeing
    # an unlabelled scale: the answers counted are named by their codes
    assert f"{100 * share:.0f}% answered “4” or “5”" in html.unescape(second.text)
    assert "treated as one stratum" in second.text


def _frame_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False).encode()


@pytest.mark.parametrize("case", ["negative_weight", "blank_weight", "margin_category",
                                  "lonely_psu", "no_such_column", "text_answers",
                                  "too_many_groups"])
def test_bad_surveys_are_refused_on_the_form_in_one_line(client, case):
    made = _small(300, waves=1)
    frame = made.frame.copy()
    margins = made.margins.copy()
    design = dict(DESIGN, wave="", groups=["background"], items=["q_parents"])
    expect: tuple[str, str]
    if case == "negative_weight":
        frame.loc[2, "design_weight"] = -1.0
        expect = ("barometer-weights", "row 4, column 'design_weight'")
    elif case == "blank_weight":
        frame.loc[5, "design_weight"] = np.nan
        expect = ("barometer-weights", "row 7, column 'design_weight'")
    elif case == "margin_category":
        margins.loc[margins["region"] == "North East", "region"] = "Nort East"
        expect = ("barometer-margins", "did you mean 'North East'")
    elif case == "lonely_psu":
        frame.loc[frame["region"] == "Wales", "psu"] = "WA-ONLY"
        expect = ("barometer-lonely-psu", "has only one PSU")
    elif case == "no_such_column":
        design["items"] = ["q_parent"]
        expect = ("barometer-items", "did you mean 'q_parents'")
    elif case == "text_answers":
        frame["q_parents"] = frame["q_parents"].map(made.value_labels["q_parents"])
        expect = ("barometer-items", "holds text answers")
    else:
        design["groups"] = ["respondent_id"]
        expect = ("barometer-groups", "at most 30 categories")
    files = {"file": ("bad.csv", _frame_bytes(frame)),
             "margins": ("margins.csv", _frame_bytes(margins))}
    _, second = _estimate(client, files, **design)
    assert second.status_code == 422
    target, message = _error(second.text)
    assert "\n" not in message and "Traceback" not in second.text
    assert (target, True) == (expect[0], expect[1] in message), message
    assert f'id="{target}"' in second.text  # the summary links to a field on the page
    assert "govuk-error-message" in second.text  # and the field says it too
    if case == "lonely_psu":  # a selectable treatment, as R's survey.lonely.psu
        _, again = _estimate(client, files, **dict(design, lonely_psu="adjust"))
        assert again.status_code == 200
    if case == "text_answers":  # the order of a text scale is given by the answers named
        _, again = _estimate(client, files, **dict(
            design, agree="Tend to agree, Strongly agree",
            disagree="Strongly disagree, Tend to disagree"))
        assert again.status_code == 200, _error(again.text)


@pytest.mark.parametrize("name, content, words", [
    ("empty.csv", b"", "empty"),
    ("binary.csv", bytes(range(256)) * 4, "not text"),
    ("header.csv", b"q1,q2\n", "no data rows"),
    ("fake.sav", b"$FL2" + b"\x00" * 300, "SPSS"),
    ("fake.parquet", b"PAR1" + b"\x01" * 300, "Parquet"),
    ("data.csv.gz", b"\x1f\x8b\x08\x00" + b"\x00" * 50, "compressed"),
])
def test_unreadable_files_are_refused_on_the_first_form(client, name, content, words):
    r = _post(client, {"file": (name, content)})
    assert r.status_code == 422
    target, message = _error(r.text)
    assert target == "barometer-file" and words in message and "\n" not in message
    assert name in message


def test_damaged_carried_files_and_missing_files_are_refused(client):
    r = _post(client, {}, step="estimate", data_carried="not base64!", data_name="x.csv",
              **{k: v for k, v in DESIGN.items()})
    assert r.status_code == 422 and "damaged" in _error(r.text)[1]
    bomb = base64.b64encode(__import__("zlib").compress(b"a" * 3_000_000)).decode()
    r = _post(client, {}, step="estimate", data_carried=bomb, data_name="x.csv")
    assert r.status_code == 422 and "larger than" in _error(r.text)[1]
    r = _post(client, {}, step="estimate")
    assert r.status_code == 422 and "no file was chosen" in _error(r.text)[1]


def test_a_file_too_large_to_carry_is_asked_for_again(client, monkeypatch):
    from socmob.web.routes import barometer as route

    monkeypatch.setattr(route, "MAX_CARRIED", 10)
    made = _small(100, waves=1)
    r = _post(client, {"file": ("b.csv", made.frame.to_csv(index=False).encode())})
    assert r.status_code == 200
    assert _carried(r.text, "data_carried") is None
    assert "Choose b.csv again" in r.text


def _caches(app: Any = None) -> dict[str, Any]:
    """The size of every function cache of the package, and the addresses the app's
    response cache keeps (where the app has one) with their bytes."""
    out: dict[str, Any] = {}
    kept = getattr(app.state, "cache", None) if app is not None else None
    if kept is not None:
        out["response cache"] = (sorted(kept.keys()), kept.bytes)
    for name, module in list(sys.modules.items()):
        if not name.startswith("socmob"):
            continue
        for attr, value in list(vars(module).items()):
            info = getattr(value, "cache_info", None)
            if callable(info):
                out[f"{name}.{attr}"] = info().currsize
    return out


def _scratch_files() -> set[str]:
    from socmob.io.scratch import scratch_dir

    return {str(p) for p in scratch_dir().rglob("*")}


def test_nothing_is_kept(client, tmp_path, monkeypatch):
    """No file is left behind (the process's scratch folder, and a temp folder of this
    test's own), no cache of the process grows, and pages are not stored by browsers."""
    _scratch_files()  # the process's scratch folder exists before the temp folder moves
    own_temp = tmp_path / "temp"
    own_temp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(own_temp))
    made = _small(200)
    files = {s: _bytes(made, s, tmp_path) for s in (".sav", ".dta", ".xlsx", ".parquet")}
    client.get("/barometer")
    _estimate(client, {"file": ("w.sav", files[".sav"])}, **DESIGN)  # warm the libraries
    caches, scratch = _caches(client.app), _scratch_files()
    for suffix, content in files.items():
        other = made.frame.assign(q_parents=made.frame["q_class_gap"])
        _, second = _estimate(client, {"file": (f"n{suffix}", content),
                                       "margins": ("m.csv",
                                                   made.margins.to_csv(index=False).encode())},
                              **DESIGN)
        assert second.status_code == 200
        assert second.headers["cache-control"] == "no-store"
        r = client.post("/api/barometer/estimate",
                        files={"data": ("o.csv", other.to_csv(index=False).encode())},
                        data={"design": json.dumps({"items": ["q_parents"]})})
        assert r.status_code == 200
    assert _caches(client.app) == caches
    assert _scratch_files() == scratch
    assert not list(own_temp.iterdir()), list(own_temp.rglob("*"))


# --------------------------------------------------------------------------- the API


def test_api_demo_is_the_page(demo_json):
    view = barometer.demo_view()
    assert demo_json == json.loads(json.dumps(view.to_dict()))
    assert [q["item"] for q in demo_json["questions"]] == list(barometer.DEMO_SPEC.items)


def test_api_estimate_describes_then_estimates(client, tmp_path):
    made = _small()
    content = _bytes(made, ".sav", tmp_path)
    r = client.post("/api/barometer/estimate", files={"data": ("b.sav", content)})
    assert r.status_code == 200
    described = r.json()["data"]
    assert described["respondents"] == len(made.frame) and described["synthetic"] is True
    suggestion = described["suggested_design"]
    assert suggestion["weights"] == "design_weight" and suggestion["psu"] == "psu"
    design = {"items": ["q_parents", "q_class_gap"], "groups": ["background", "sex"],
              "wave": "wave", "weights": "design_weight", "strata": "stratum", "psu": "psu"}
    r = client.post("/api/barometer/estimate",
                    files={"data": ("b.sav", content),
                           "margins": ("m.csv", made.margins.to_csv(index=False).encode())},
                    data={"design": json.dumps(design)})
    assert r.status_code == 200, r.text[:500]
    body = r.json()
    assert "SYNTHETIC" in body["attribution"]
    _, page = _estimate(client, {"file": ("b.sav", content),
                                 "margins": ("m.csv",
                                             made.margins.to_csv(index=False).encode())},
                        **DESIGN)
    on_page = _data_uri_csv(page.text, "socmob-barometer-synthetic-estimates.csv")
    api = pd.DataFrame(body["data"]["estimates"])
    np.testing.assert_allclose(api["value"].to_numpy(dtype=float),
                               on_page["value"].to_numpy(dtype=float), rtol=1e-12,
                               equal_nan=True)


@pytest.mark.parametrize("design, words", [
    ('{"items": 3}', "items"),
    ("not json", "design"),
    ('{"items": ["q_parents"], "colour": "red"}', "colour"),
    ('{"items": ["q_parent"]}', "did you mean 'q_parents'"),
    ('{"items": ["q_parents"], "weights": "region"}', "not a number"),
])
def test_api_refuses_bad_designs_with_one_line(client, design, words):
    made = _small(100, waves=1)
    r = client.post("/api/barometer/estimate",
                    files={"data": ("b.csv", made.frame.to_csv(index=False).encode())},
                    data={"design": design})
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "There is a problem with your input"
    assert words in body["detail"] and "\n" not in body["detail"]


def test_api_is_in_the_openapi_document(app):
    spec = app.openapi()
    assert "get" in spec["paths"]["/api/barometer/demo"]
    post = spec["paths"]["/api/barometer/estimate"]["post"]
    ref = post["requestBody"]["content"]["multipart/form-data"]["schema"]["$ref"]
    body = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(body["properties"]) == {"data", "design", "margins"}
    assert body["required"] == ["data"]


def test_spec_roles_and_groups_without_answers():
    from socmob.errors import InputError
    from socmob.survey import SurveyData

    # a survey stratified by region is reported by region: strata may be a group
    made = _small(300, waves=1)
    frame = made.frame.copy()
    frame.loc[frame["region"] == "Wales", "q_parents"] = np.nan  # no answers in Wales
    survey = SurveyData(frame, "s.csv", made.value_labels, made.variable_labels, True)
    spec = barometer.BarometerSpec(items=("q_parents",), groups=("stratum",), wave="wave",
                                   weights="design_weight", strata="stratum", psu="psu")
    view = barometer.barometer_view(survey, spec, render=lambda chart: "")
    _, panel = view.questions[0].by_group[0]
    wales = [row for row in panel.rows if row[0] == "2022 Wales"]
    assert wales == [("2022 Wales", "not estimated (see the note)", "", "")]
    assert "2022 Wales: no respondent answered 'q_parents'" in panel.panel.note
    for bad in ({"items": ("q_parents",), "groups": ("q_parents",)},
                {"items": ("q_parents",), "weights": "q_parents"},
                {"items": ("q_parents",), "groups": ("wave",), "wave": "wave"},
                {"items": ("q_parents", "q_parents")},
                {"items": ()},
                {"items": ("q_parents",), "agree": (4, 5)},
                {"items": ("q_parents",), "lonely_psu": "average"}):
        with pytest.raises(InputError):
            barometer.BarometerSpec(**bad)


def test_table_headings_follow_the_scale_of_the_question(demo_page):
    """An agreement question's tables show "% who agree" and net agreement; the class-gap
    question (very small … very large) shows the answers counted and a net score."""
    page = html.unescape(demo_page)
    headers = re.findall(r'<th scope="col" class="govuk-table__header[^"]*">([^<]*)</th>', page)
    assert headers.count("% who agree (95% CI)") == headers.count("Net agreement (95% CI)")
    assert headers.count("% who agree (95% CI)") == 10  # two questions: waves and 4 groups
    gap = "% who answer “Fairly large” or “Very large” (95% CI)"
    assert headers.count(gap) == headers.count("Net score (95% CI)") == 5
