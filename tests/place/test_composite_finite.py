"""Finite numbers only into the coin: ``inf`` and values too large to compute with are
refused where data enters (files and frames alike), naming the unit and the indicator;
all-zero weights are refused with the reason; an overflow while treating, normalising or
aggregating is an error, never a published ``inf`` or a silently different score."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from tests.conftest import RESULTS
from typer.testing import CliRunner

from socmob.cli import app
from socmob.errors import InputError
from socmob.place.composite import Coin
from socmob.place.uncertainty import UncertainInputs, uncertainty

REF = RESULTS / "coinr"
runner = CliRunner()


def _asem() -> tuple[pd.DataFrame, pd.DataFrame]:
    return pd.read_csv(REF / "asem_iData.csv"), pd.read_csv(REF / "asem_iMeta.csv")


def _small(values: dict[str, list[float]] | None = None,
           weights: list[float] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    cols = values or {"i1": [1.0, 2.0, 3.0, 4.0, 6.0], "i2": [4.0, 1.0, 3.0, 0.5, 2.0]}
    idata = pd.DataFrame({"uCode": list("ABCDE"), "uName": list("abcde"), **cols})
    imeta = pd.DataFrame({"iCode": ["i1", "i2", "Index"], "Level": [1, 1, 2],
                          "Parent": ["Index", "Index", None], "Direction": [1, 1, 1],
                          "Weight": weights or [1.0, 1.0, 1.0],
                          "Type": ["Indicator", "Indicator", "Aggregate"]})
    return idata, imeta


@pytest.mark.parametrize("bad", [np.inf, -np.inf, 1e308])
def test_a_non_finite_value_is_refused_naming_unit_and_indicator(tmp_path, bad):
    idata, imeta = _asem()
    # The top unit of COINr's example coin: one such value used to move its score from
    # 78.6 to 53.6 without a word.
    row = int(np.flatnonzero(idata["uCode"] == "CHE")[0])
    idata.loc[row, "LPI"] = bad
    with pytest.raises(InputError) as err:
        Coin.new(idata, imeta)
    e = err.value
    assert e.row == row + 2 and e.column == "LPI" and "unit 'CHE'" in str(e)
    data, meta = tmp_path / "d.csv", tmp_path / "m.csv"
    idata.to_csv(data, index=False)
    imeta.to_csv(meta, index=False)
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["index", "build", "--data", str(data), "--meta", str(meta),
                              "--out", str(out)])
    assert res.exit_code == 2, res.output
    line = res.stderr.strip()
    assert "\n" not in line and "Traceback" not in res.output
    assert f"file {data}, row {row + 2}, column 'LPI'" in line and "unit 'CHE'" in line
    assert not out.exists()


def test_a_non_finite_denominator_is_refused():
    idata, imeta = _asem()
    den = imeta.loc[imeta["Type"] == "Denominator", "iCode"].iloc[0]
    idata.loc[3, den] = np.inf
    with pytest.raises(InputError, match=f"unit '{idata.loc[3, 'uCode']}', denominator"):
        Coin.new(idata, imeta)


def test_all_zero_weights_are_refused_with_the_reason(tmp_path):
    idata, imeta = _small(weights=[0.0, 0.0, 1.0])
    with pytest.raises(InputError, match=r"children of 'Index' \(i1, i2\) are all zero"):
        Coin.new(idata, imeta)
    data, meta = tmp_path / "d.csv", tmp_path / "m.csv"
    idata.to_csv(data, index=False)
    imeta.to_csv(meta, index=False)
    res = runner.invoke(app, ["index", "build", "--data", str(data), "--meta", str(meta)])
    assert res.exit_code == 2 and "scores would be blank" in res.stderr
    assert f"file {meta}, row 2, column 'Weight'" in res.stderr
    # weights given when aggregating, and huge weights whose sum would overflow
    coin = Coin.new(*_small()).normalise(dset="Raw")
    with pytest.raises(InputError, match="all zero"):
        coin.aggregate(weights={"i1": 0, "i2": 0})
    with pytest.raises(InputError, match="Weight of 'i1'"):
        Coin.new(*_small(weights=[1e308, 1e308, 1.0]))
    one_zero = coin.aggregate(weights={"i1": 0.0})  # one zero weight is a choice, not an error
    np.testing.assert_allclose(one_zero.results().scores["Index"],
                               one_zero.get("Normalised")["i2"])


def test_overflow_in_treatment_normalisation_and_aggregation_is_an_error():
    big = {"i1": [1e100, 2e100, 3e100, 4e100, 9e100], "i2": [1e100, 3e100, 2e100, 5e100,
                                                               4e100]}
    coin = Coin.new(*_small(big))
    with pytest.raises(InputError, match=r"outlier treatment .* overflows"):
        coin.treat(dset="Raw")
    with pytest.raises(InputError, match="aggregation overflows"):
        coin.normalise(dset="Raw", method="none").aggregate(method="genmean", p=4)
    zs = coin.normalise(dset="Raw", method="zscore").aggregate()  # scale-free: fine
    assert np.isfinite(zs.results().scores["Index"]).all()


def test_non_finite_standard_errors_are_refused():
    coin = Coin.new(*_small()).normalise(dset="Raw").aggregate()
    se = coin.get("Raw") * 0 + 0.1
    se.loc["C", "i2"] = np.inf
    with pytest.raises(InputError, match="unit 'C': standard error"):
        uncertainty(coin, UncertainInputs(se=se), runs=5, progress=False)
    se.loc["C", "i2"] = -1.0
    with pytest.raises(InputError, match="negative"):
        uncertainty(coin, UncertainInputs(se=se), runs=5, progress=False)
