"""``socmob assess``: the report in every format, equal to the library's assessment;
microdata for an income scenario; ``assess odds`` and ``assess schema``; and every bad
scenario one line on stderr, exit code 2, nothing written."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob.cli import app

runner = CliRunner()
EXAMPLES = Path(__file__).resolve().parents[2] / "src" / "socmob" / "assess" / "examples"


def run(*args: str):
    return runner.invoke(app, ["assess", *map(str, args)])


def test_json_report_equals_the_library(tmp_path):
    from socmob.assess import assess, read_scenario

    out = tmp_path / "report.json"
    res = run(EXAMPLES / "early_years.yaml", "--runs", "200", "--format", "json", "--out", out)
    assert res.exit_code == 0, res.output
    got = json.loads(out.read_text(encoding="utf-8"))
    want = json.loads(json.dumps(assess(read_scenario(EXAMPLES / "early_years.yaml"),
                                        runs=200).to_dict()))
    want["scenario"]["file"] = got["scenario"]["file"]
    assert got == want


def test_html_pdf_csv_and_the_terminal_summary(tmp_path):
    html = tmp_path / "r.html"
    assert run(EXAMPLES / "background_gaps.yaml", "--format", "html", "--out", html
               ).exit_code == 0
    text = html.read_text(encoding="utf-8")
    assert "3. Socio-economic impact" in text and "in21" in text
    pdf = tmp_path / "r.pdf"
    res = run(EXAMPLES / "graduate_jobs_itl2.yaml", "--runs", "100", "--format", "pdf",
              "--out", pdf)
    assert res.exit_code == 0, res.output
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(pdf.read_bytes()))
    assert "Graduate jobs in the North" in reader.pages[0].extract_text()
    csv = run(EXAMPLES / "early_years.yaml", "--runs", "50", "--format", "csv")
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert list(frame.columns[:12]) == ["measure", "area_code", "area_name", "period",
                                        "breakdown", "group", "value", "lci", "uci", "n",
                                        "unit", "note"]
    assert set(frame["section"]) == {"place"}
    table = run(EXAMPLES / "early_years.yaml", "--runs", "50")
    words = " ".join(table.stdout.split())
    assert table.exit_code == 0 and "Early years in the least favourable areas" in words
    assert "Negative impacts flagged" in words


def test_an_income_scenario_with_microdata(tmp_path):
    from socmob.assess import income_impact, read_scenario

    rng = np.random.default_rng(2)
    n = 1500
    z = rng.standard_normal((n, 2))
    pairs = pd.DataFrame({"p": np.exp(10 + 0.6 * z[:, 0]),
                          "c": np.exp(10 + 0.6 * (0.4 * z[:, 0] + 0.9 * z[:, 1]))})
    data = tmp_path / "pairs.parquet"
    pairs.to_parquet(data, index=False)
    out = tmp_path / "r.json"
    res = run(EXAMPLES / "child_payment.yaml", "--microdata", data, "--parent", "p",
              "--child", "c", "--format", "json", "--out", out)
    assert res.exit_code == 0, res.output
    got = json.loads(out.read_text())["income"]["measures"]
    want = income_impact(pairs, read_scenario(EXAMPLES / "child_payment.yaml").income,
                         parent="p", child="c").table
    assert [m["measure"] for m in got] == list(want["measure"])
    np.testing.assert_allclose([m["change"] for m in got], want["change"], rtol=1e-12)
    # without microdata the report says why income is not assessed
    res = run(EXAMPLES / "child_payment.yaml", "--format", "json")
    assert json.loads(res.stdout)["income"]["available"] is False


@pytest.mark.parametrize("text, words", [
    ("place:\n  changes:\n    - index: ci1\n      add: 1\n      target: {areas: Blackpol}\n",
     "line 5, key 'place.changes[1].target.areas': no SoN 2025 area called 'Blackpol'; did "
     "you mean 'Blackpool'?"),
    ("place:\n  changes:\n    - index: ci1\n      add: 1\n      target:\n"
     "        region: London\n        band: {ci1: 1}\n",
     "the target selects no area"),
    ("place:\n  level: itl2\n  changes:\n    - indicator: dr13\n      percent: 400\n"
     "      target: {all: true}\n", "impossible for a share"),
    ("place:\n  level: itl2\n  changes:\n    - indicator: dr99\n      add: 1\n"
     "      target: {all: true}\n", "unknown indicator 'dr99'"),
    ("plase: {}\n", "did you mean 'place'"),
    ("place: [\n", "not valid YAML"),
])
def test_bad_scenarios_exit_2_and_write_nothing(tmp_path, text, words):
    path = tmp_path / "bad.yaml"
    path.write_text(text, encoding="utf-8")
    out = tmp_path / "report.pdf"
    res = run(path, "--format", "pdf", "--out", out, "--runs", "20")
    assert res.exit_code == 2
    assert words in " ".join(res.stderr.split())
    assert res.stderr.strip().startswith("error: file ")
    assert not out.exists() and list(tmp_path.iterdir()) == [path]


def test_a_negative_income_is_refused(tmp_path):
    path = tmp_path / "cut.yaml"
    path.write_text("income:\n  transfer: {add: -1000000}\n", encoding="utf-8")
    data = tmp_path / "pairs.csv"
    pd.DataFrame({"parent_income": [1e4, 2e4, 3e4, 4e4, 5e4, 6e4],
                  "child_income": [2e4, 1e4, 4e4, 3e4, 6e4, 5e4]}).to_csv(data, index=False)
    out = tmp_path / "r.json"
    res = run(path, "--microdata", data, "--format", "json", "--out", out)
    assert res.exit_code == 2 and "negative" in res.stderr and not out.exists()


def test_usage_errors():
    res = run(EXAMPLES / "early_years.yaml", "--format", "pdf")
    assert res.exit_code == 2 and "needs --out" in res.stderr


def test_odds(tmp_path):
    rng = np.random.default_rng(5)
    n = 40
    x = rng.uniform(0, 50, n)
    y = 70 - 0.6 * x + rng.normal(0, 2, n)
    y[3] += 20
    path = tmp_path / "wards.csv"
    pd.DataFrame({"ward": [f"W{i:02d}" for i in range(n)], "imd": x.round(2),
                  "outcome": y.round(2)}).to_csv(path, index=False)
    res = run("odds", path, "--outcome", "outcome", "--disadvantage", "imd", "--format",
              "json")
    assert res.exit_code == 0, res.output
    got = json.loads(res.stdout)
    assert got["verdicts"]["better than expected"] >= 1
    assert got["units"][3]["unit_id"] == "W03"
    assert got["units"][3]["verdict"] == "better than expected"
    np.testing.assert_allclose(got["model"]["params"]["imd"], np.polyfit(x.round(2),
                               y.round(2), 1)[0], rtol=1e-9)
    notable = run("odds", path, "--outcome", "outcome", "--disadvantage", "imd", "--notable",
                  "--format", "csv")
    assert "W03" in notable.stdout and "W10" not in notable.stdout
    bad = run("odds", path, "--outcome", "outcom", "--disadvantage", "imd")
    assert bad.exit_code == 2 and "did you mean 'outcome'" in bad.stderr


def test_schema():
    from socmob.assess import scenario_schema

    res = run("schema")
    assert res.exit_code == 0 and json.loads(res.stdout) == scenario_schema()


LAUGHS = ("a: &a [x, x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{n}: &{n} [" + ", ".join([f"*{p}"] * 10) + "]\n"
    for p, n in zip("abcdefg", "bcdefgh", strict=True))).encode()


@pytest.mark.parametrize("content", [
    b"", b"\n# only a comment\n", bytes(range(256)) * 8, "name: x\n".encode("utf-16"),
    b"- 1\n- 2\n", b"a: !!python/object/apply:os.system ['true']\n", LAUGHS,
    b'{"place": {"changes": [1,,]}}', b"place: 3\n", b"name: [a, b]\n",
], ids=["empty", "comment", "binary", "utf16", "list", "python", "laughs", "json",
        "scalar", "name"])
def test_damaged_scenario_files_are_one_line_errors(tmp_path, content):
    path = tmp_path / "scenario.yaml"
    path.write_bytes(content)
    out = tmp_path / "report.json"
    res = run(path, "--format", "json", "--out", out, "--runs", "20")
    assert res.exception is None or isinstance(res.exception, SystemExit), res.exception
    assert res.exit_code == 2, res.output
    err = res.stderr.strip()
    assert err.startswith("error: file ") and "\n" not in err, err
    assert not out.exists()
