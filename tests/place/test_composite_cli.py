"""``socmob index``: build / uncertainty / sensitivity on COINr-layout files."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from tests.conftest import RESULTS
from typer.testing import CliRunner

from socmob.cli import app

REF = RESULTS / "coinr"
DATA = str(REF / "asem_iData.csv")
META = str(REF / "asem_iMeta.csv")
runner = CliRunner()

# COINr's build_example_coin(): group-mean imputation, screening at 0.9, defaults otherwise
EXAMPLE = ["--data", DATA, "--meta", META, "--impute", "group_mean:EurAsia_group",
           "--screen", "0.9"]


def test_build_reproduces_coinr_example_and_writes_tidy_results(tmp_path) -> None:
    out = tmp_path / "res.csv"
    res = runner.invoke(app, ["index", "build", *EXAMPLE, "--out", str(out), "-f", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    rows = pd.DataFrame(payload["results"])
    assert list(rows["uCode"].head(3)) == ["CHE", "NLD", "DNK"]
    assert [s["step"] for s in payload["log"]] == ["new", "denominate", "impute", "screen",
                                                   "treat", "normalise", "aggregate"]
    tidy = pd.read_csv(out)
    idx = tidy[tidy["measure"] == "Index"].set_index("area_code")["value"]
    want = pd.read_csv(REF / "asem_example_coin_Aggregated.csv").set_index("uCode")["Index"]
    np.testing.assert_allclose(idx.loc[want.index], want, atol=1e-9)


def test_build_table_and_csv() -> None:
    res = runner.invoke(app, ["index", "build", *EXAMPLE, "--normalise", "zscore",
                              "--level", "3", "-f", "csv"])
    assert res.exit_code == 0, res.output
    lines = res.stdout.splitlines()
    assert lines[0] == "uCode,uName,Rank,Conn,Sust"
    assert lines[1].startswith("CHE,Switzerland,1,")  # README: z-score pipeline, CHE first
    res = runner.invoke(app, ["index", "build", *EXAMPLE])
    assert res.exit_code == 0 and "Composite index Index" in res.stdout


def _small(tmp_path, *, data_edit=None, meta_edit=None):
    idata = pd.DataFrame({"uCode": ["A", "B", "C", "D"], "uName": list("abcd"),
                          "i1": [1.0, 2.0, 3.0, 4.0], "i2": [4.0, 1.0, 3.0, 0.5]})
    imeta = pd.DataFrame({"iCode": ["i1", "i2", "Index"], "Level": [1, 1, 2],
                          "Parent": ["Index", "Index", None], "Direction": [1, 1, 1],
                          "Weight": [1, 1, 1], "Type": ["Indicator", "Indicator", "Aggregate"]})
    if data_edit:
        data_edit(idata)
    if meta_edit:
        meta_edit(imeta)
    d, m = tmp_path / "d.csv", tmp_path / "m.csv"
    idata.to_csv(d, index=False)
    imeta.to_csv(m, index=False)
    return ["--data", str(d), "--meta", str(m)]


def _unknown(m):
    m.loc[1, "iCode"] = "ghost"


def _cycle(m):
    m.loc[2, "Parent"] = "Index"
    m.loc[2, "Level"] = 2


def _flat(d):
    d["i2"] = 3.0


def _empty(d):
    d["i2"] = np.nan


@pytest.mark.parametrize(("data_edit", "meta_edit", "extra", "message"), [
    (None, _unknown, [], "'ghost'"),
    (None, _cycle, [], "cycle in the hierarchy"),
    (_flat, None, [], "'i2'"),
    (_empty, None, [], "'i2'"),
    (None, None, ["--aggregate", "gmean"], "geometric mean"),
    (None, None, ["--normalise", "minmax:a,b"], "--normalise"),
    (None, None, ["--aggregate", "genmean"], "genmean needs a power"),
    (None, None, ["--impute", "group_mean"], "needs a group column"),
])
def test_bad_input_one_line_exit_2_nothing_written(tmp_path, data_edit, meta_edit, extra,
                                                   message) -> None:
    out = tmp_path / "out.csv"
    args = _small(tmp_path, data_edit=data_edit, meta_edit=meta_edit)
    res = runner.invoke(app, ["index", "build", *args, *extra, "--out", str(out)])
    assert res.exit_code == 2, res.output
    assert message in res.stderr
    assert "Traceback" not in res.output
    assert len(res.stderr.strip().splitlines()) == 1
    assert not out.exists()


def test_uncertainty_and_sensitivity_commands(tmp_path) -> None:
    common = [*EXAMPLE, "--seed", "3", "--winmax-set", "1,3,5",
              "--normalise-set", "minmax:1,100;zscore:10,2", "--aggregate-set", "amean;gmean",
              "--weight-noise", "0.25", "--no-progress"]
    res = runner.invoke(app, ["index", "uncertainty", *common, "--runs", "200", "-f", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["runs"] == 200
    assert payload["varied"] == ["winmax", "normalise", "aggregate", "weights"]
    che = payload["units"][0]
    assert che["uCode"] == "CHE" and che["q05"] >= 1
    out = tmp_path / "sa.json"
    res = runner.invoke(app, ["index", "sensitivity", *common, "--n", "64", "--bootstrap",
                              "50", "--out", str(out), "-f", "csv"])
    assert res.exit_code == 0, res.output
    table = pd.read_json(out)
    assert list(table["input"]) == ["winmax", "normalise", "aggregate", "weights"]
    assert table["ST"].idxmax() == 2  # aggregation dominates, as in COINr's vignette
    res = runner.invoke(app, ["index", "uncertainty", *EXAMPLE, "--runs", "10"])
    assert res.exit_code == 2 and "nothing varies" in res.stderr


def test_uncertainty_with_sampling_error_file(tmp_path) -> None:
    raw = pd.read_csv(REF / "asem_example_coin_Raw.csv")
    sd = raw.drop(columns="uCode").std()
    se = pd.DataFrame({"uCode": raw["uCode"], **{c: 0.1 * sd[c] for c in sd.index}})
    path = tmp_path / "se.csv"
    se.to_csv(path, index=False)
    res = runner.invoke(app, ["index", "uncertainty", *EXAMPLE, "--se", str(path), "--runs",
                              "50", "--seed", "1", "--no-progress", "-f", "json"])
    assert res.exit_code == 0, res.output
    assert json.loads(res.stdout)["varied"] == ["sampling"]
    se.rename(columns={"LPI": "LPX"}).to_csv(path, index=False)
    res = runner.invoke(app, ["index", "uncertainty", *EXAMPLE, "--se", str(path), "--runs",
                              "50", "--no-progress"])
    assert res.exit_code == 2 and "'LPX'" in res.stderr


def test_uncertainty_from_confidence_limits_matches_se(tmp_path) -> None:
    # limits x ± 1.96 SE give the same draws as the SE itself (same seed)
    raw = pd.read_csv(REF / "asem_example_coin_Raw.csv").set_index("uCode")
    se = raw * 0 + 0.1 * raw.std()
    z = 1.959963984540054
    (raw - z * se).reset_index().to_csv(tmp_path / "l.csv", index=False)
    (raw + z * se).reset_index().to_csv(tmp_path / "u.csv", index=False)
    se.reset_index().to_csv(tmp_path / "se.csv", index=False)
    base = ["index", "uncertainty", *EXAMPLE, "--runs", "30", "--seed", "4", "--no-progress",
            "-f", "csv"]
    a = runner.invoke(app, [*base, "--se", str(tmp_path / "se.csv")])
    b = runner.invoke(app, [*base, "--lci", str(tmp_path / "l.csv"), "--uci",
                            str(tmp_path / "u.csv")])
    assert a.exit_code == 0 and b.exit_code == 0, a.output + b.output
    ta, tb = pd.read_csv(io.StringIO(a.stdout)), pd.read_csv(io.StringIO(b.stdout))
    np.testing.assert_allclose(ta["mean_rank"], tb["mean_rank"])
    c = runner.invoke(app, [*base, "--lci", str(tmp_path / "l.csv")])
    assert c.exit_code == 2 and "go together" in c.stderr
