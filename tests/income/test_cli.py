"""``socmob income`` and ``socmob synth income`` through Typer's CliRunner."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob.cli import app
from socmob.synth import is_synthetic

runner = CliRunner(env={"COLUMNS": "200"})  # tables read whole, whatever the caller's width

KEYS = ["nobs", "ige", "ige_se", "rank_slope", "rank_slope_se", "rank_intercept",
        "expected_rank_p25", "p_top_given_bottom", "transition_matrix", "absolute_mobility",
        "indices"]


@pytest.fixture(scope="module")
def pairs(tmp_path_factory):
    rng = np.random.default_rng(1)
    n = 500
    z1 = rng.standard_normal(n)
    z2 = 0.4 * z1 + math.sqrt(1 - 0.16) * rng.standard_normal(n)
    frame = pd.DataFrame({"p_inc": np.exp(10 + 0.6 * z1), "c_inc": np.exp(10 + 0.7 * z2),
                          "wt": rng.choice([1.0, 2.0], size=n),
                          "region": rng.choice(["north", "south"], size=n)})
    path = tmp_path_factory.mktemp("cli") / "pairs.csv"
    frame.to_csv(path, index=False)
    return path


def test_json_has_exactly_the_issue_keys(pairs):
    res = runner.invoke(app, ["income", str(pairs), "--parent", "p_inc", "--child", "c_inc",
                              "--weight", "wt", "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert list(payload) == KEYS
    assert payload["nobs"] == 500
    assert list(payload["indices"]) == ["shorrocks_prais", "eigenvalue", "determinant",
                                        "bartholomew"]
    assert 0.2 < payload["rank_slope"] < 0.6


def test_by_groups_quantiles_table_and_out(pairs, tmp_path):
    out = tmp_path / "result.csv"
    res = runner.invoke(app, ["income", str(pairs), "--parent", "p_inc", "--child", "c_inc",
                              "--by", "region", "--quantiles", "4", "--out", str(out)])
    assert res.exit_code == 0, res.output
    assert "rank_slope" in res.stdout
    frame = pd.read_csv(out)
    assert set(frame["group"]) == {"north", "south"}
    res = runner.invoke(app, ["income", str(pairs), "--parent", "p_inc", "--child", "c_inc",
                              "--by", "region", "--format", "json"])
    payload = json.loads(res.stdout)
    assert set(payload["groups"]) == {"north", "south"}
    assert len(payload["groups"]["north"]["transition_matrix"]) == 5


def test_bootstrap_with_seed_is_reproducible(pairs):
    args = ["income", str(pairs), "--parent", "p_inc", "--child", "c_inc", "--bootstrap",
            "3", "--seed", "5", "--format", "csv", "--no-progress"]
    first = runner.invoke(app, args)
    second = runner.invoke(app, args)
    assert first.exit_code == 0, first.output
    frame = pd.read_csv(io.StringIO(first.stdout))
    # same draws; parallel engine sums may differ in the last bits, hence rtol
    pd.testing.assert_frame_equal(frame, pd.read_csv(io.StringIO(second.stdout)),
                                  check_exact=False, rtol=1e-9)
    row = frame.set_index("measure").loc["p_top_given_bottom"]
    assert np.isfinite(row["lci"]) and row["lci"] <= row["uci"]


def _bad(tmp_path, frame: pd.DataFrame, *extra: str):
    path = tmp_path / "bad.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "never.json"
    res = runner.invoke(app, ["income", str(path), "--parent", "p", "--child", "c",
                              "--out", str(out), *extra])
    assert res.exit_code == 2
    assert not out.exists()
    assert "Traceback" not in res.output
    message = res.stderr.strip()
    assert message.count("\n") == 0 or len(message.splitlines()) <= 2  # one line (wrapped)
    return message


def test_bad_input_gives_one_line_and_exit_2(tmp_path):
    good = pd.DataFrame({"p": [1.0, 2.0, 3.0, 4.0], "c": [2.0, 1.0, 4.0, 3.0],
                         "g": ["a", "a", "b", "b"]})
    msg = _bad(tmp_path, good.rename(columns={"c": "child"}))
    assert "column 'c'" in msg and "not found" in msg
    text = good.astype({"p": str})
    text.loc[2, "p"] = "unknown"
    msg = _bad(tmp_path, text)
    assert "non-numeric" in msg and "'unknown'" in msg and "column 'p'" in msg
    msg = _bad(tmp_path, good.assign(p=0.0))
    assert "parent incomes are zero or negative" in msg
    # no group can be estimated: a has too few rows for its quintiles, b has none usable
    empty = good.assign(c=[2.0, 1.0, None, None], g=["a", "a", "b", "b"])
    msg = _bad(tmp_path, pd.concat([empty, good.assign(g="a")]), "--by", "g")
    assert "no group of column 'g' could be estimated" in msg
    assert "'b': 0 usable rows" in msg


def test_by_reports_the_groups_it_can_and_names_the_others(pairs, tmp_path):
    # a third region with two usable rows cannot be estimated; the run still reports north
    # and south, notes the third on stderr (one line) and names it in the JSON
    frame = pd.read_csv(pairs)
    extra = frame.head(3).assign(region="islands")
    extra.loc[extra.index[0], "c_inc"] = None
    path = tmp_path / "with_islands.csv"
    pd.concat([frame, extra]).to_csv(path, index=False)
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["income", str(path), "--parent", "p_inc", "--child", "c_inc",
                              "--by", "region", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert set(payload["groups"]) == {"north", "south"}
    assert payload["not_estimated"] == {"islands": "2 usable rows; at least 3 are needed"}
    assert payload["ranks"] == "national" and payload["by"] == "region"
    assert json.loads(out.read_text()) == payload
    note = res.stderr.strip()
    assert len(note.splitlines()) == 1
    assert note.startswith("note: not estimated for 1 group of region: islands (2 usable")
    res = runner.invoke(app, ["income", str(path), "--parent", "p_inc", "--child", "c_inc",
                              "--by", "region", "--format", "csv"])
    assert res.exit_code == 0 and "islands" in res.stderr
    rows = pd.read_csv(io.StringIO(res.stdout))
    assert set(rows["group"]) == {"north", "south"}


def test_missing_file_and_bad_out_suffix(tmp_path, pairs):
    res = runner.invoke(app, ["income", str(tmp_path / "nope.csv"), "--parent", "p",
                              "--child", "c"])
    assert res.exit_code == 2 and "file not found" in res.stderr
    res = runner.invoke(app, ["income", str(pairs), "--parent", "p_inc", "--child", "c_inc",
                              "--out", str(tmp_path / "x.txt")])
    assert res.exit_code == 2 and "unsupported" in res.stderr


def test_synth_income_writes_labelled_parquet(tmp_path):
    out = tmp_path / "synth.parquet"
    res = runner.invoke(app, ["synth", "income", "--rows", "2000", "--rank-corr", "0.3",
                              "--out", str(out), "--seed", "4", "--no-progress",
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["synthetic"] is True and payload["rows"] == 2000
    assert payload["truth"]["rank_slope"] == 0.3
    assert is_synthetic(out)
    frame = pd.read_parquet(out)
    assert len(frame) == 2000 and frame["synthetic"].all()


def test_synth_income_bad_arguments(tmp_path):
    out = tmp_path / "s.parquet"
    res = runner.invoke(app, ["synth", "income", "--rows", "10", "--rank-corr", "1.5",
                              "--out", str(out), "--no-progress"])
    assert res.exit_code == 2 and "rank correlation" in res.stderr
    assert not out.exists()
    res = runner.invoke(app, ["synth", "income", "--rows", "10", "--rank-corr", "0.3",
                              "--out", str(tmp_path / "s.csv"), "--no-progress"])
    assert res.exit_code == 2 and "Parquet" in res.stderr


@pytest.mark.spark
def test_engine_spark_gives_the_duckdb_numbers(pairs, spark_con):
    args = ["income", str(pairs), "--parent", "p_inc", "--child", "c_inc", "--weight", "wt",
            "--format", "json"]
    duck = json.loads(runner.invoke(app, args).stdout)
    res = runner.invoke(app, [*args, "--engine", "spark"])
    assert res.exit_code == 0, res.output
    spark = json.loads(res.stdout)
    assert spark["nobs"] == duck["nobs"]
    for key in ("ige", "ige_se", "rank_slope", "rank_slope_se", "absolute_mobility"):
        assert spark[key] == pytest.approx(duck[key], rel=1e-9), key
    np.testing.assert_allclose(spark["transition_matrix"], duck["transition_matrix"],
                               rtol=1e-9)


def test_income_areas_command(tmp_path):
    frame = pd.DataFrame({"la": list("AAAAABBBBB"), "pay": [1.0, 3.0, 5, 7, 9, 2, 4, 6, 6, 8],
                          "fsm": [1, 1, 0, 0, 0, 1, 1, 1, 0, 0]})
    path = tmp_path / "areas.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "areas_out.csv"
    res = runner.invoke(app, ["income-areas", str(path), "--area", "la", "--outcome", "pay",
                              "--disadvantaged", "fsm", "--format", "json", "--out", str(out)])
    assert res.exit_code == 0, res.output
    rows = {(r["measure"], r["area_code"]): r["value"] for r in json.loads(res.stdout)}
    # A: disadvantaged (1 + 3)/2 = 2, advantaged (5 + 7 + 9)/3 = 7 → gap 5
    assert rows[("disadvantaged_mean", "A")] == 2.0 and rows[("gap", "A")] == 5.0
    assert pd.read_csv(out).shape[0] == len(rows)
    bad = runner.invoke(app, ["income-areas", str(path), "--area", "la", "--outcome", "pay",
                              "--disadvantaged", "nope"])
    assert bad.exit_code == 2 and "disadvantaged flag column not found" in bad.stderr


def test_bad_value_deep_in_a_csv_names_the_line(tmp_path):
    # DuckDB infers column types from the first 20 480 rows; a text value after that is
    # only met while scanning, and must still give one line naming file, row and column
    n = 25_000
    frame = pd.DataFrame({"p": np.arange(1, n + 1, dtype=float).astype(object),
                          "c": np.arange(n, 0, -1, dtype=float)})
    frame.loc[n - 5, "p"] = "abc"
    path = tmp_path / "late.csv"
    frame.to_csv(path, index=False)
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["income", str(path), "--parent", "p", "--child", "c",
                              "--out", str(out)])
    assert res.exit_code == 2 and not out.exists()
    assert f"file {path}, row {n - 5 + 2}, column 'p'" in res.stderr  # header is row 1
    assert "Traceback" not in res.output


def test_income_cli_module_imports_heavy_libraries_only_inside_commands():
    """``socmob --help`` must start fast: at module level cli/income.py imports only the
    standard library, typer and the CLI's shared pieces; the estimators (and pandas,
    numpy, scipy, Ibis, DuckDB behind them) are imported inside the commands."""
    import ast
    from pathlib import Path

    import socmob.cli.income as module

    tree = ast.parse(Path(module.__file__).read_text())
    top: list[str] = []
    for node in tree.body:
        if isinstance(node, ast.Import):
            top += [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            top.append(node.module or "")
    allowed = {"__future__", "dataclasses", "json", "collections.abc", "contextlib", "enum",
               "pathlib", "typing", "typer", "socmob.cli._common"}
    assert set(top) <= allowed, set(top) - allowed
