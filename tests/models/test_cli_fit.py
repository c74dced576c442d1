"""``socmob mobility fit`` through typer's CliRunner."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob.cli import app

RESULTS = Path(__file__).resolve().parents[1] / "results" / "models"
runner = CliRunner()


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
