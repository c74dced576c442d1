"""The ``socmob data``, ``areas``, ``area`` and ``summary`` commands (CliRunner).

Reference facts: SoN 2025 has 205 areas and SoN 2024 203 (SMC codes JSONs); ci1–ci3 have
4 periods and ci4 2 (SoN 2025 ci files); Blackpool's published SoN 2025 ci1 z-scores are
-0.852 (2000 to 2005) and -1.004 (2018 to 2024) (``2025-01-01-ci1-full-dataset.csv``).
"""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from socmob import ATTRIBUTION
from socmob.cli import app

runner = CliRunner()


def run(*args: str) -> tuple[int, str, str]:
    result = runner.invoke(app, list(args), env={"COLUMNS": "200"})
    return result.exit_code, result.stdout, result.stderr


def test_areas_json_lists_205() -> None:
    code, out, _ = run("areas", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    assert len(rows) == 205
    assert {"area_id", "area_name", "area_code", "codes", "region", "nation"} <= set(rows[0])
    cambs = next(r for r in rows if r["area_id"] == "cambridgeshire_cc")
    assert "E07000008" in cambs["codes"] and len(cambs["codes"]) == 6


def test_areas_2024_and_region() -> None:
    code, out, _ = run("areas", "--edition", "2024", "--format", "json")
    assert code == 0 and len(json.loads(out)) == 203
    code, out, _ = run("areas", "--region", "Wales", "--format", "csv")
    assert code == 0
    assert len(out.strip().splitlines()) == 1 + 22
    code, out, _ = run("areas")
    assert code == 0 and ATTRIBUTION[:40] in out


def test_area_blackpool_json() -> None:
    code, out, _ = run("area", "blackpool", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    assert set(payload) == {"area", "indices"}
    assert payload["area"]["id"] == "blackpool"
    assert payload["area"]["code"] == "E06000009"
    periods: dict[str, set[str]] = {}
    for row in payload["indices"]:
        assert set(row) == {"index_code", "index_title", "period", "z", "band",
                            "band_label", "rank", "of"}
        assert 1 <= row["band"] <= 7 and row["band_label"]
        assert 1 <= row["rank"] <= row["of"] == 205
        periods.setdefault(row["index_code"], set()).add(row["period"])
    assert {k: len(v) for k, v in periods.items()} == {"ci1": 4, "ci2": 4, "ci3": 4, "ci4": 2}
    z = {(r["index_code"], r["period"]): r["z"] for r in payload["indices"]}
    assert z[("ci1", "2000 to 2005")] == pytest.approx(-0.852)
    assert z[("ci1", "2018 to 2024")] == pytest.approx(-1.004)


def test_area_by_district_code() -> None:
    code, out, _ = run("area", "E07000008", "--format", "json")
    assert code == 0
    assert json.loads(out)["area"]["name"] == "Cambridgeshire CC"


def test_area_table_and_csv() -> None:
    code, out, _ = run("area", "Blackpool")
    assert code == 0
    assert "Blackpool" in out and "Conditions of Childhood" in out and "/ 205" in out
    assert ATTRIBUTION[:40] in out
    code, out, _ = run("area", "Blackpool", "--format", "csv")
    assert code == 0 and len(out.strip().splitlines()) == 1 + 14


def test_unknown_area_one_line_exit_2() -> None:
    code, out, err = run("area", "Blakpool")
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1 and "Blackpool" in lines[0] and "did you mean" in lines[0]
    assert "Traceback" not in err


def test_unknown_measure_one_line_exit_2() -> None:
    code, _, err = run("data", "show", "dr99")
    assert code == 2
    assert len(err.strip().splitlines()) == 1 and "unknown measure" in err


def test_bad_edition_exit_2() -> None:
    code, _, err = run("areas", "--edition", "2019")
    assert code == 2 and len(err.strip().splitlines()) == 1


def test_data_list_and_show() -> None:
    code, out, _ = run("data", "list", "--format", "json")
    assert code == 0
    codes = {r["code"] for r in json.loads(out)}
    assert {"ci1", "dr11", "in23", "MO11", "MO12"} <= codes
    code, out, _ = run("data", "show", "MO12", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    # MO12 csv: UK, 2022, sex Total: Unidiff -0.0125 (LCI -0.02132, UCI -0.00368)
    hit = [r for r in rows if r["period"] == "2022" and r["group"] == "Total"
           and r["area_code"] == "K02000001"]
    assert len(hit) == 1 and hit[0]["value"] == pytest.approx(-0.0125)
    code, out, _ = run("data", "show", "dr32", "--area", "Northern Ireland",
                       "--area-type", "itl2", "--format", "csv")
    assert code == 0 and "Northern Ireland" in out
    code, out, _ = run("data", "show", "dr32")
    assert code == 0 and ATTRIBUTION[:40] in out


def test_summary() -> None:
    code, out, _ = run("summary", "--format", "json")
    assert code == 0
    payload = json.loads(out)
    totals: dict[str, int] = {}
    for row in payload["bands"]:
        totals[row["index_code"]] = totals.get(row["index_code"], 0) + row["areas"]
    assert totals == {"ci1": 205, "ci2": 205, "ci3": 205, "ci4": 205}
    assert {r["measure"] for r in payload["outcomes"]} >= {"MO11", "MO12", "MO32"}
    code, out, _ = run("summary")
    assert code == 0 and "Headline" in out and ATTRIBUTION[:40] in out


def test_table_width_follows_columns_at_the_time_of_use() -> None:
    # the consoles are made when they print, so COLUMNS set for this run counts (not the
    # value when socmob.cli was first imported, which depended on test order)
    widths = {}
    for columns in ("60", "200"):
        result = runner.invoke(app, ["areas", "--region", "Wales"], env={"COLUMNS": columns})
        assert result.exit_code == 0
        table = [line for line in result.stdout.splitlines() if line[:1] in "┏┃┡│└"]
        widths[columns] = max(len(line) for line in table)
    assert widths["60"] <= 60 < widths["200"] <= 200


def test_a_narrow_table_wraps_cells_and_cuts_none() -> None:
    # at 40 columns the areas of Wales do not fit: cells wrap onto more lines, and no
    # text is replaced by an ellipsis
    result = runner.invoke(app, ["areas", "--region", "Wales"], env={"COLUMNS": "40"})
    assert result.exit_code == 0
    assert "…" not in result.stdout
    lines = [line for line in result.stdout.splitlines() if line[:1] in "┏┃┡│└"]
    assert max(len(line) for line in lines) <= 40
    first_column = "".join(line.split("│")[1].strip() for line in lines if line[:1] == "│")
    assert "MerthyrTydfil" in first_column


def test_column_widths_keep_header_words_whole_when_they_fit() -> None:
    from socmob.cli._common import _column_widths

    headers, cells = ["index", "rank up"], [["ci1", "22"]]
    # natural widths 5 and 7; three characters per column and one more: 12 + 7 = 19
    assert _column_widths(headers, cells, 19) == [None, None]
    # room 10: each header's longest word (5, 4) and the one spare character to the
    # column lacking it ("rank up" lacks 3 of its 7; "index" lacks none)
    assert _column_widths(headers, cells, 17) == [5, 5]
    # room 12 - 4 = 8 < 5 + 4: nothing fits, the table folds everything
    assert _column_widths(headers, cells, 15) == [None, None]
    # a remainder goes to the most lacking column: width 26, room 26 - 10 = 16, least
    # (5, 4, 4), natural (5, 7, 9), spare 3 over lacks (0, 3, 5): 3*3//8 = 1 and
    # 3*5//8 = 1, so (5, 5, 5); the one left goes to the third, still lacking 4
    wide = ["index", "rank up", "band down"]
    assert _column_widths(wide, [["ci1", "22", "10"]], 26) == [5, 5, 6]


def test_an_80_column_table_breaks_headers_between_words() -> None:
    result = runner.invoke(app, ["assess", "src/socmob/assess/examples/early_years.yaml"],
                           env={"COLUMNS": "80"})
    assert result.exit_code == 0, result.stdout
    lines = [line for line in result.stdout.splitlines() if line[:1] in "┏┃┡│└"]
    assert max(len(line) for line in lines) <= 80
    header = [line for line in lines if line[:1] == "┃"]
    words = {w for line in header for w in line.replace("┃", " ").split()}
    assert {"targeted", "before", "after", "down"} <= words
    assert "…" not in result.stdout
