"""``socmob mobility fit`` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob.cli import app

RESULTS = Path(__file__).resolve().parents[1] / "results" / "models"
runner = CliRunner(env={"COLUMNS": "200"})  # tables read whole, whatever the caller's width


def test_fit_unidiff_json():
    out = runner.invoke(app, ["mobility", "fit", str(RESULTS / "yamaguchi87.csv"),
                              "--model", "unidiff", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    for key in ("model", "deviance", "df", "pearson_chi2", "bic", "aic", "dissimilarity",
                "nobs", "params", "layer_effects"):
        assert key in data
    assert data["model"] == "unidiff"
    # R gnm 1.1.2 (tests/results/models/r_reference.csv): yamaguchi87 unidiff
    ref = pd.read_csv(RESULTS / "r_reference.csv")
    ref = ref[(ref.table == "yamaguchi87") & (ref.model == "unidiff")]
    dev = float(ref[ref.quantity == "deviance"].value.iloc[0])
    assert data["deviance"] == pytest.approx(dev, rel=1e-8)
    effects = data["layer_effects"]
    assert effects["labels"] == ["US", "UK", "Japan"]
    log_phi = ref[ref.quantity == "param"].value.astype(float).tolist()
    assert effects["log_phi"] == pytest.approx(log_phi, abs=1e-7)


def test_fit_table_output_and_options(tmp_path):
    frame = pd.read_csv(RESULTS / "glass.csv").rename(
        columns={"origin": "father", "destination": "son", "count": "n"})
    path = tmp_path / "glass.csv"
    frame.to_csv(path, index=False)
    out = runner.invoke(app, ["mobility", "fit", str(path), "--model", "quasi-independence",
                              "--origin", "father", "--destination", "son", "--count", "n"])
    assert out.exit_code == 0, out.output
    assert "quasi-independence" in out.stdout and "diag[Professional]" in out.stdout
    out = runner.invoke(app, ["mobility", "fit", str(path), "--model", "rc1", "--origin",
                              "father", "--destination", "son", "--count", "n", "-f", "csv"])
    assert out.exit_code == 0, out.output
    assert out.stdout.startswith("measure,")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--model", "unidif"], "did you mean 'unidiff'"),
        (["--model", "rc1"], "two-way model"),
        (["--model", "unidiff", "--max-iter", "1", "--starts", "1"], "did not converge"),
    ],
)
def test_fit_bad_input_exit_2(args, message):
    out = runner.invoke(app, ["mobility", "fit", str(RESULTS / "yamaguchi87.csv"), *args])
    assert out.exit_code == 2
    assert message in out.stderr.replace("\n", " ")
    assert "Traceback" not in out.output


def test_fit_non_square_diagonal_model(tmp_path):
    path = tmp_path / "t.csv"
    pd.DataFrame({"origin": ["a", "a", "b", "b", "c", "c"],
                  "destination": ["x", "y", "x", "y", "x", "y"],
                  "count": [5, 3, 2, 7, 4, 4]}).to_csv(path, index=False)
    out = runner.invoke(app, ["mobility", "fit", str(path), "--model", "quasi-independence"])
    assert out.exit_code == 2
    assert "square" in out.stderr
    path2 = tmp_path / "neg.csv"
    pd.DataFrame({"origin": ["a", "a", "b", "b"], "destination": ["a", "b", "a", "b"],
                  "count": [5, -3, 2, 7]}).to_csv(path2, index=False)
    out = runner.invoke(app, ["mobility", "fit", str(path2), "--model", "independence"])
    assert out.exit_code == 2
    assert "negative" in out.stderr


def test_fit_model_all_compares(tmp_path):
    # eye × hair (MASS::caith): R's G² (r_zero_margins.csv) and df for each model; RC(1)
    # has the lowest BIC' = 64.622 − 6 ln 5387 = 13.07
    path = RESULTS / "caithness_eye_hair_4x5.csv"
    out = runner.invoke(app, ["mobility", "fit", str(path), "--origin", "eye",
                              "--destination", "hair", "--model", "all", "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["preferred"] == "rc1"
    ref = pd.read_csv(RESULTS / "r_zero_margins.csv")
    ref = ref[(ref.table == "caithness") & (ref.quantity == "deviance")]
    got = {m["model"]: m["deviance"] for m in data["models"]}
    assert set(got) == set(ref.model)
    for row in ref.itertuples():
        assert got[row.model] == pytest.approx(float(row.value), rel=1e-6)
    out = runner.invoke(app, ["mobility", "fit", str(path), "--origin", "eye",
                              "--destination", "hair", "-m", "independence,quasi-rc1"])
    assert out.exit_code == 0, out.output
    assert "not fitted: quasi-rc1" in out.stdout.replace("\n", " ")
    # declared the same classes, the table is squared (7 × 7): independence keeps df 12
    out = runner.invoke(app, ["mobility", "fit", str(path), "--origin", "eye",
                              "--destination", "hair", "-m", "independence", "--square",
                              "-f", "json"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["df"] == 12


def test_fit_row_and_column_orders(tmp_path):
    path = RESULTS / "caithness_eye_hair_4x5.csv"
    args = ["mobility", "fit", str(path), "--origin", "eye", "--destination", "hair",
            "-m", "uniform-association", "-f", "json"]
    out = runner.invoke(app, args)
    forward = json.loads(out.stdout)["params"]["uniform"]
    # reversing both orders leaves u_i v_j's association unchanged in sign and size
    out = runner.invoke(app, [*args, "--row-order", "dark,medium,light,blue",
                              "--col-order", "black,dark,medium,red,fair"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["params"]["uniform"] == pytest.approx(forward, rel=1e-9)
    out = runner.invoke(app, [*args, "--col-order", "fair,red,dark,black"])
    assert out.exit_code == 2 and "category 'medium' is not in" in out.stderr


def test_mobility_cli_modules_import_no_heavy_library():
    import ast

    heavy = {"pandas", "numpy", "scipy", "ibis", "duckdb", "statsmodels", "pyarrow"}
    cli = Path(__file__).resolve().parents[2] / "src" / "socmob" / "cli"
    for name in ("mobility.py", "_mobility_describe.py", "_mobility_fit.py"):
        tree = ast.parse((cli / name).read_text())
        for node in tree.body:  # module level only; imports inside commands are fine
            if isinstance(node, ast.Import):
                mods = {alias.name.split(".")[0] for alias in node.names}
            elif isinstance(node, ast.ImportFrom):
                mods = {(node.module or "").split(".")[0]}
            else:
                continue
            assert not mods & heavy, f"{name} imports {mods & heavy} at module level"
