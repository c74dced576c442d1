"""``socmob mobility describe`` on small files (hand-derived values) and bad input."""

from __future__ import annotations

import io
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob.cli import app

runner = CliRunner()

# Hand table (see test_absolute.py): upward 30%, downward 20%, immobility 50%;
# corner odds ratio 10·20/(5·5) = 8; local θ11 = 4.
ROWS = [
    ("1", "1", 10), ("1", "2", 5), ("1", "3", 5),
    ("2", "1", 10), ("2", "2", 20), ("2", "3", 10),
    ("3", "1", 5), ("3", "2", 15), ("3", "3", 20),
]  # fmt: skip


def _write(tmp_path, rows, name="t.csv", columns=("origin", "destination", "count")):
    path = tmp_path / name
    pd.DataFrame(rows, columns=list(columns)).to_csv(path, index=False)
    return path


def test_describe_json(tmp_path) -> None:
    path = _write(tmp_path, ROWS)
    result = runner.invoke(app, ["mobility", "describe", str(path), "--format", "json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    g = data["groups"]["all"]
    assert g["absolute"]["upward"]["value"] == pytest.approx(0.30)
    assert g["absolute"]["downward"]["value"] == pytest.approx(0.20)
    assert g["absolute"]["immobility"]["value"] == pytest.approx(0.50)
    assert g["outflow_percent"][0] == pytest.approx([50, 25, 25])
    assert g["corner_odds_ratio"]["value"] == pytest.approx(8.0)
    assert g["local_odds_ratios"]["value"][0][0] == pytest.approx(4.0)
    assert data["table"]["origin_labels"] == ["1", "2", "3"]


def test_describe_layers_order_and_custom_columns(tmp_path) -> None:
    rows = [(o, d, y, n) for (o, d, n) in ROWS for y in ("1990", "2000")]
    path = _write(tmp_path, rows, columns=("father", "son", "year", "n"))
    result = runner.invoke(
        app,
        [
            "mobility", "describe", str(path), "--origin", "father", "--destination", "son",
            "--count", "n", "--layer", "year", "--order", "3,2,1", "-f", "json",
        ],
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data["groups"]) == ["1990", "2000", "all"]
    # reversed order: what was upward is now downward
    assert data["groups"]["1990"]["absolute"]["downward"]["value"] == pytest.approx(0.30)
    assert data["table"]["origin_labels"] == ["3", "2", "1"]


def test_describe_csv_and_table(tmp_path) -> None:
    path = _write(tmp_path, ROWS)
    result = runner.invoke(app, ["mobility", "describe", str(path), "-f", "csv"])
    assert result.exit_code == 0, result.output
    frame = pd.read_csv(io.StringIO(result.stdout))
    up = frame[frame["measure"] == "upward"]["value"]
    assert up.iloc[0] == pytest.approx(30.0)
    table = runner.invoke(app, ["mobility", "describe", str(path)])
    assert table.exit_code == 0, table.output
    assert "Outflow" in table.stdout


@pytest.mark.parametrize(
    ("rows", "args", "message"),
    [
        ([("1", "1", -3)], [], "negative count"),
        ([("1", "1", "many")], [], "not a number"),
        (ROWS, ["--order", "1,2,4"], "unknown category '4'"),
        (ROWS, ["--count", "freq"], "missing column 'freq'"),
    ],
)
def test_describe_bad_input_exits_2(tmp_path, rows, args, message) -> None:
    path = _write(tmp_path, rows)
    result = runner.invoke(app, ["mobility", "describe", str(path), *args])
    assert result.exit_code == 2
    assert message in result.stderr
    assert "Traceback" not in result.output


def test_describe_missing_file(tmp_path) -> None:
    result = runner.invoke(app, ["mobility", "describe", str(tmp_path / "nope.csv")])
    assert result.exit_code == 2
    assert "file not found" in result.stderr


def test_describe_keeps_shape_unless_square(tmp_path) -> None:
    # origin classes a, b, c; destinations a, b only: two different sets, so a 3 × 2 table
    # (no absolute rates) unless declared the same classes
    path = _write(tmp_path, [("a", "a", 4), ("a", "b", 1), ("b", "a", 2), ("b", "b", 3),
                             ("c", "b", 5)])
    out = runner.invoke(app, ["mobility", "describe", str(path), "-f", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert data["table"]["destination_labels"] == ["a", "b"]
    assert "absolute" not in data["groups"]["all"]
    out = runner.invoke(app, ["mobility", "describe", str(path), "--square", "-f", "json"])
    data = json.loads(out.stdout)
    assert data["table"]["destination_labels"] == ["a", "b", "c"]
    # immobility (4 + 3 + 0)/15; upward = below-diagonal b→a and c→b: (2 + 5)/15
    assert data["groups"]["all"]["absolute"]["immobility"]["value"] == pytest.approx(7 / 15)
    assert data["groups"]["all"]["absolute"]["upward"]["value"] == pytest.approx(7 / 15)
    out = runner.invoke(app, ["mobility", "describe", str(path), "--row-order", "c,b,a",
                              "--col-order", "b,a", "-f", "json"])
    assert json.loads(out.stdout)["table"]["origin_labels"] == ["c", "b", "a"]
    out = runner.invoke(app, ["mobility", "describe", str(path), "--order", "a,b,c",
                              "--row-order", "a,b,c"])
    assert out.exit_code == 2 and "both given" in out.stderr
