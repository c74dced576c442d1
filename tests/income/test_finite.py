"""Finite numbers only: an infinite, overflowing or negative weight, or an infinite or
overflowing income, never enters an income estimate; sums that overflow are refused
rather than published as ``inf``."""

from __future__ import annotations

import math
import re
import uuid

import ibis
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob.cli import app
from socmob.engine import connect
from socmob.engine.readers import read_table
from socmob.errors import InputError
from socmob.income import area_outcomes, ige, income_mobility

runner = CliRunner()


def _pairs(n: int = 300, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal(n)
    z2 = 0.4 * z1 + math.sqrt(1 - 0.16) * rng.standard_normal(n)
    return pd.DataFrame({"p": np.exp(10 + 0.6 * z1), "c": np.exp(10 + 0.7 * z2),
                         "w": rng.choice([1.0, 2.0], size=n),
                         "g": rng.choice(["a", "b"], size=n),
                         "d": rng.integers(0, 2, size=n)})


BAD = [("p", math.inf, "not a finite number"), ("c", -math.inf, "not a finite number"),
       ("p", 1e308, "too large"), ("w", math.inf, "not a finite number"),
       ("w", 1e300, "too large")]


@pytest.mark.parametrize("column,value,words", BAD)
def test_bad_value_in_memory_names_column_and_row(column, value, words):
    data = _pairs()
    data.loc[41, column] = value
    with pytest.raises(InputError, match=words) as err:
        income_mobility(data, parent="p", child="c", weight="w", progress=False)
    assert err.value.column == column and err.value.row == 42  # 1-based


@pytest.mark.parametrize("column,value,words", BAD)
def test_bad_value_on_the_engine_names_column_and_says_row_unknown(tmp_path, column,
                                                                   value, words):
    # a table that is already on the engine (not read from a file by socmob, which would
    # refuse the value at read time with its row): the estimator's own check names the
    # column and says the row is not known
    data = _pairs()
    data.loc[41, column] = value
    path = tmp_path / "pairs.parquet"
    table = connect().create_table(f"bad_{uuid.uuid4().hex}", ibis.memtable(data))
    expected = "infinite" if math.isinf(value) else f"too large ({value:g})"
    with pytest.raises(InputError, match=re.escape(expected)) as err:
        income_mobility(table, parent="p", child="c", weight="w", progress=False,
                        source=str(path))
    assert err.value.column == column and err.value.row is None
    assert "row not known" in str(err.value) and str(path) in str(err.value)


@pytest.mark.parametrize("column,value,words", BAD)
def test_bad_value_in_a_file_is_refused_at_read_time_naming_its_row(tmp_path, column,
                                                                    value, words):
    data = _pairs()
    data.loc[41, column] = value
    for path in (tmp_path / "pairs.csv", tmp_path / "pairs.parquet"):
        if path.suffix == ".csv":
            data.to_csv(path, index=False)
        else:
            data.to_parquet(path, index=False)
        with pytest.raises(InputError, match=words) as err:
            read_table(path, con=connect())
        assert (err.value.file, err.value.row, err.value.column) == (str(path), 43, column)


def test_negative_weights_are_refused_in_memory_and_on_the_engine(tmp_path):
    data = _pairs()
    data.loc[7, "w"] = -0.5
    with pytest.raises(InputError, match=r"negative weight -0\.5") as err:
        income_mobility(data, parent="p", child="c", weight="w", progress=False)
    assert (err.value.row, err.value.column) == (8, "w")
    path = tmp_path / "neg.parquet"
    data.to_parquet(path, index=False)
    with pytest.raises(InputError, match="negative weight: 1 weight is below zero"):
        income_mobility(read_table(path, con=connect()), parent="p", child="c", weight="w",
                        progress=False)


def test_missing_values_stay_missing_not_errors():
    data = _pairs()
    data.loc[[3, 4], "c"] = np.nan
    res = income_mobility(data, parent="p", child="c", weight="w", progress=False)
    assert res.n_missing == 2 and res.nobs == len(data) - 2


def test_overflowing_sums_are_an_error_not_inf():
    # 1e150 is accepted as a value, but w²·(rank − 50)⁴ summed over 300 rows exceeds a
    # double: the variance sums overflow, and the estimate is refused
    data = _pairs().assign(w=1e150)
    with pytest.raises(InputError, match="overflow") as err:
        income_mobility(data, parent="p", child="c", weight="w", progress=False)
    assert err.value.column == "w"
    # a common scale of the weights is harmless while the sums stay finite
    scaled = income_mobility(_pairs().assign(w=1e100), parent="p", child="c", weight="w",
                             progress=False)
    plain = income_mobility(_pairs().assign(w=1.0), parent="p", child="c", weight="w",
                            progress=False)
    assert scaled.rank_slope == pytest.approx(plain.rank_slope, rel=1e-12)
    assert scaled.ige_se == pytest.approx(plain.ige_se, rel=1e-9)
    assert math.isfinite(ige(_pairs().assign(c=lambda f: f["c"] * 1e140), parent="p",
                             child="c", zero_policy="ppml").slope)


def test_area_outcomes_refuse_infinite_outcomes_and_overflow():
    data = _pairs()
    data.loc[9, "c"] = math.inf
    with pytest.raises(InputError, match="not a finite number") as err:
        area_outcomes(data, area="g", outcome="c", disadvantaged="d")
    assert (err.value.row, err.value.column) == (10, "c")
    with pytest.raises(InputError, match="overflow"):
        area_outcomes(_pairs().assign(w=1e150), area="g", outcome="c", disadvantaged="d",
                      weight="w")


def test_cli_refuses_inf_with_one_line_and_writes_nothing(tmp_path):
    data = _pairs()
    data.loc[100, "c"] = math.inf
    path = tmp_path / "inf.csv"
    data.to_csv(path, index=False)
    out = tmp_path / "r.json"
    res = runner.invoke(app, ["income", str(path), "--parent", "p", "--child", "c",
                              "--out", str(out), "--format", "json"])
    assert res.exit_code == 2 and not out.exists()
    assert "Traceback" not in res.output and len(res.stderr.strip().splitlines()) == 1
    assert f"file {path}, row 102, column 'c'" in res.stderr
    assert "not a finite number" in res.stderr
