"""``socmob monitor`` and ``socmob briefing national`` through the command line, and the
views behind the indicator pages."""

from __future__ import annotations

import io
import json
import re

import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob import ATTRIBUTION
from socmob.cli import app
from socmob.errors import NotFoundError
from socmob.monitor import indicators, published
from socmob.report import national

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_every_indicator_as_json() -> None:
    code, out, _ = run("monitor", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["adjustment"] == "holm"
    rows = payload["indicators"]
    assert [r["code"] for r in rows] == list(indicators())
    assert {"latest_value", "latest_lower", "gap", "trend_per_year", "status",
            "gap_status", "evidence"} <= set(rows[0])


def test_every_indicator_as_csv_and_table() -> None:
    code, out, _ = run("monitor", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert len(frame) == 42 and frame["status"].notna().all()
    code, out, _ = run("monitor")
    assert code == 0
    assert "Drivers of social mobility" in out and "Mobility outcomes" in out
    assert "dr32" in out and "MO42" in out
    assert "Holm method" in out
    assert ATTRIBUTION.split(",")[0] in out


def test_one_indicator_by_breakdown_and_geography() -> None:
    code, out, _ = run("monitor", "in32", "--by", "sex", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert payload["breakdowns"] == ["unemp_binary; seb; sex"]
    assert payload["status"]["evidence"]["test"] == "trend"
    assert len(payload["gaps"]) > 0
    code, out, _ = run("monitor", "dr32", "--geography", "itl2", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    assert set(frame["geography"]) == {"itl2"}
    assert frame["place"].nunique() == 41
    code, out, _ = run("monitor", "dr32")
    assert code == 0 and "Youth unemployment" in out and "published" in out


@pytest.mark.parametrize(("args", "message"), [
    (("monitor", "d32"), "unknown indicator 'd32'"),
    (("monitor", "in32", "--by", "sx"), "did you mean 'sex'"),
    (("monitor", "in32", "--geography", "itl3"), "did you mean 'itl2'"),
    (("monitor", "--by", "sex"), "need an indicator CODE"),
])
def test_unknown_codes_and_breakdowns_exit_2(args: tuple[str, ...], message: str) -> None:
    code, _, err = run(*args)
    assert code == 2
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_csv_of_one_indicator_is_every_published_row_unrounded() -> None:
    code, out, _ = run("monitor", "in21", "--by", "neet; seb; sex", "--format", "csv")
    assert code == 0
    frame = pd.read_csv(io.StringIO(out))
    rows = published("in21")
    expected = rows[rows["breakdown"] == "neet; seb; sex"]
    assert len(frame) == len(expected)
    assert sorted(frame["value"]) == sorted(expected["value"])


@pytest.mark.parametrize("code", sorted(indicators()))
def test_each_indicator_view_has_its_chart_table_and_csv(code: str) -> None:
    view = national.indicator_view(code)
    assert view.chart.spec["data"]["values"]
    assert len(view.table["rows"]) == len(view.chart.data)
    assert len(view.csv) == len(published(code))
    assert view.meta["code"] == code and view.summary["status"]
    if view.regional is not None:
        assert view.regional_map is not None
        assert view.regional["area_code"].notna().all()


def test_regional_indicators_compare_like_with_like() -> None:
    rows = national.regional_indicators("TLC1")  # Tees Valley and Durham
    assert rows["region"].unique().tolist() == ["Tees Valley and Durham"]
    broadband = rows.set_index("code").loc["dr51"]
    assert broadband["comparable"] and broadband["comparison"].startswith("higher than the UK")
    effect = rows.set_index("code").loc["in23"]
    assert "model effect" in effect["comparison"]
    with pytest.raises(NotFoundError, match="did you mean 'Tees Valley and Durham'"):
        national.regional_indicators("Tees Valley and Durhm")


def _font_sizes(html: str) -> list[float]:
    css = html.split("<style>")[1].split("</style>")[0]
    return [float(v) for v in re.findall(r"font-size:\s*([\d.]+)pt", css)]


def test_national_briefing_html(tmp_path) -> None:
    out = tmp_path / "national.html"
    code, stdout, _ = run("briefing", "national", "--format", "html", "--out", str(out))
    assert code == 0 and "national health check" in stdout
    html = out.read_text(encoding="utf-8")
    for code_ in indicators():
        assert f">{code_}<" in html
    assert min(_font_sizes(html)) >= 8
    assert "tr { break-inside: avoid" in html
    assert "thead { display: table-header-group" in html
    text = re.sub(r'src="data:[^"]+"', "", html)
    # at most four significant decimals anywhere (0.00368 is fine, 12.55412 is not)
    assert not re.search(r"\d\.0*[1-9]\d{4,}", text), "unformatted number in the briefing"
    assert "nan" not in re.sub(r"<[^>]+>", " ", text).split()
    assert ATTRIBUTION in html


@pytest.mark.slow
def test_national_briefing_pdf_is_two_to_four_pages(tmp_path) -> None:
    out = tmp_path / "national.pdf"
    code, _, err = run("briefing", "national", "--format", "pdf", "--out", str(out))
    assert code == 0, err
    from pypdf import PdfReader

    assert out.read_bytes().startswith(b"%PDF")
    pdf = PdfReader(out)
    assert 2 <= len(pdf.pages) <= 4
    assert "national health check" in pdf.pages[0].extract_text()
