"""``socmob survey weight|estimate|compare`` and ``socmob synth barometer`` through
Typer's CliRunner: labelled synthetic output, CSV / JSON / SPSS round trips, and bad input
→ one-line message, exit 2, nothing written."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from socmob.cli import app
from socmob.survey import estimate, margins_from_frame, rake, read_survey, survey_design

runner = CliRunner(env={"COLUMNS": "200"})  # tables read whole, whatever the caller's width
DESIGN = ["--weight", "design_weight", "--strata", "stratum", "--psu", "psu"]


@pytest.fixture(scope="module")
def synth(tmp_path_factory):
    d = tmp_path_factory.mktemp("baro")
    out = d / "baro.sav"
    res = runner.invoke(app, ["synth", "barometer", "--n", "1200", "--waves", "2", "--seed",
                              "4", "--out", str(out), "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["synthetic"] is True
    return out, d / "baro.margins.csv", d / "baro.truth.json"


def test_synth_is_labelled_synthetic(synth):
    sav, margins, truth = synth
    frame, meta = pyreadstat.read_sav(str(sav))
    assert "SYNTHETIC" in meta.file_label
    assert (frame["synthetic"] == 1).all() and len(frame) == 2400
    assert meta.variable_value_labels["q_parents"][5.0] == "Strongly agree"
    assert json.loads(truth.read_text())["synthetic"] is True
    assert set(pd.read_csv(margins)["margin"]) == {"age_sex", "region", "background"}
    survey = read_survey(sav)
    assert survey.synthetic and survey.value_labels["q_parents"][1] == "Strongly disagree"


def test_synth_parquet_keeps_labels_and_truth(tmp_path):
    out = tmp_path / "b.parquet"
    res = runner.invoke(app, ["synth", "barometer", "--n", "300", "--out", str(out)])
    assert res.exit_code == 0, res.output
    survey = read_survey(out)
    assert survey.synthetic and survey.value_labels["q_class_gap"][5] == "Very large"
    assert "gap between the social classes" in survey.variable_labels["q_class_gap"]


def test_weight_writes_raked_weights(synth, tmp_path):
    sav, margins, _ = synth
    out = tmp_path / "weighted.csv"
    res = runner.invoke(app, ["survey", "weight", str(sav), "--margins", str(margins),
                              "--weight", "design_weight", "--by", "wave", "--out", str(out),
                              "--format", "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.output)
    assert payload["diagnostics"]["converged"] and payload["weight_column"] == "raked_weight"
    frame = pd.read_csv(out)
    survey = read_survey(sav)
    expected = rake(survey_design(survey.frame, weights="design_weight"),
                    margins_from_frame(pd.read_csv(margins, dtype=str, keep_default_na=False)),
                    by="wave").weights
    np.testing.assert_allclose(frame["raked_weight"], expected, rtol=1e-12)
    # trimmed
    res = runner.invoke(app, ["survey", "weight", str(sav), "--margins", str(margins),
                              "--weight", "design_weight", "--by", "wave", "--trim", "0.3,4",
                              "--out", str(tmp_path / "t.parquet")])
    assert res.exit_code == 0, res.output
    w = pd.read_parquet(tmp_path / "t.parquet").groupby("wave")["raked_weight"]
    assert (w.max() / w.mean()).max() <= 4 * (1 + 1e-6)


def test_estimate_matches_library(synth):
    sav, margins, _ = synth
    res = runner.invoke(app, ["survey", "estimate", str(sav), "--items",
                              "q_parents,q_class_gap", "--by", "background", "--wave", "wave",
                              *DESIGN, "--margins", str(margins), "--rake-by", "wave",
                              "--statistic", "net", "--format", "csv"])
    assert res.exit_code == 0, res.output
    from io import StringIO

    frame = pd.read_csv(StringIO(res.output))
    assert len(frame) == 2 * 2 * 3 and set(frame["period"]) == {2022, 2023}
    survey = read_survey(sav)
    design = survey_design(survey.frame, weights="design_weight", strata="stratum", psu="psu",
                           value_labels=survey.value_labels)
    raked = rake(design, margins_from_frame(pd.read_csv(margins, dtype=str,
                                                        keep_default_na=False)),
                 by="wave").design
    lib = estimate(raked, "q_parents", statistic="net", by=["wave", "background"])
    row = frame[(frame["item"] == "q_parents") & (frame["period"] == 2023)
                & (frame["group"] == "Lower")].iloc[0]
    assert row["value"] == pytest.approx(lib["2023 | Lower"].estimate[0], rel=1e-12)
    assert row["se"] == pytest.approx(lib["2023 | Lower"].se[0], rel=1e-12)


def test_estimate_table_and_json(synth):
    sav, _, _ = synth
    res = runner.invoke(app, ["survey", "estimate", str(sav), "--items", "q_parents", *DESIGN,
                              "--statistic", "proportion", "--interval", "korn-graubard"])
    assert res.exit_code == 0, res.output
    assert "Strongly agree" in res.output
    res = runner.invoke(app, ["survey", "estimate", str(sav), "--items", "q_parents", *DESIGN,
                              "--format", "json"])
    rows = json.loads(res.output)
    assert rows[0]["measure"] == "q_parents: mean" and rows[0]["lci"] < rows[0]["value"]


def test_compare_groups_and_waves(synth):
    sav, _, _ = synth
    res = runner.invoke(app, ["survey", "compare", str(sav), "--item", "q_parents", "--by",
                              "background", *DESIGN, "--adjust", "bh", "--format", "json"])
    assert res.exit_code == 0, res.output
    rows = json.loads(res.output)
    assert len(rows) == 3 and all(r["p_adjusted"] >= r["p_value"] for r in rows)
    res = runner.invoke(app, ["survey", "compare", str(sav), "--item", "q_parents", "--wave",
                              "wave", "--statistic", "proportion", "--level", "4,5", *DESIGN,
                              "--format", "csv"])
    assert res.exit_code == 0, res.output
    assert "2023 − 2022" in res.output


@pytest.mark.parametrize(("args", "message"), [
    (["--weight", "nope"], "no column 'nope'"),
    (["--lonely-psu", "sometimes"], "unknown lonely-PSU treatment"),
    (["--statistic", "median"], "unknown statistic 'median'"),
    (["--items", "q_none"], "no column 'q_none'"),
])
def test_estimate_errors_exit_2(synth, args, message):
    sav, _, _ = synth
    base = ["survey", "estimate", str(sav), "--items", "q_parents", *DESIGN]
    # later options override earlier ones in Typer: append the bad one
    res = runner.invoke(app, [*base, *args])
    assert res.exit_code == 2, res.output
    assert message in res.output


def test_bad_weights_exit_2_and_write_nothing(tmp_path):
    frame = pd.DataFrame({"sex": ["F", "M", "F"], "w": [1.0, None, 2.0]})
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    margins = tmp_path / "m.csv"
    margins.write_text("sex,target\nF,10\nM,10\n")
    out = tmp_path / "out.csv"
    res = runner.invoke(app, ["survey", "weight", str(data), "--margins", str(margins),
                              "--weight", "w", "--out", str(out)])
    assert res.exit_code == 2
    assert "row 3, column 'w': missing" in " ".join(res.output.split())
    assert not out.exists()
    frame.assign(w=[1.0, -2.0, 1.0]).to_csv(data, index=False)
    res = runner.invoke(app, ["survey", "weight", str(data), "--margins", str(margins),
                              "--weight", "w", "--out", str(out)])
    assert res.exit_code == 2 and "negative" in res.output and not out.exists()


def test_margin_category_missing_from_data_exit_2(tmp_path):
    data = tmp_path / "d.csv"
    pd.DataFrame({"sex": ["F", "M", "F"]}).to_csv(data, index=False)
    margins = tmp_path / "m.csv"
    margins.write_text("sex,target\nF,10\nM,10\nX,5\n")
    res = runner.invoke(app, ["survey", "weight", str(data), "--margins", str(margins),
                              "--out", str(tmp_path / "o.csv")])
    assert res.exit_code == 2
    text = " ".join(res.output.split())
    assert "category 'X' of 'sex' is not in the data" in text and "row 4" in text


def test_lonely_psu_exit_2_or_treatment(tmp_path):
    frame = pd.DataFrame({"s": ["a", "a", "b", "b", "b"], "p": [1, 1, 1, 2, 3],
                          "q": [1, 2, 3, 4, 5]})
    data = tmp_path / "d.csv"
    frame.to_csv(data, index=False)
    base = ["survey", "estimate", str(data), "--items", "q", "--strata", "s", "--psu", "p"]
    res = runner.invoke(app, base)
    assert res.exit_code == 2 and "stratum 'a' has only one PSU" in " ".join(res.output.split())
    res = runner.invoke(app, [*base, "--lonely-psu", "adjust", "--format", "json"])
    assert res.exit_code == 0, res.output


def test_bad_trim_and_output(synth, tmp_path):
    sav, margins, _ = synth
    res = runner.invoke(app, ["survey", "weight", str(sav), "--margins", str(margins),
                              "--trim", "a,b", "--out", str(tmp_path / "x.csv")])
    assert res.exit_code == 2 and "--trim" in res.output
    res = runner.invoke(app, ["survey", "weight", str(sav), "--margins", str(margins),
                              "--out", str(tmp_path / "x.xlsx")])
    assert res.exit_code == 2 and "unsupported file type" in res.output
    res = runner.invoke(app, ["synth", "barometer", "--out", str(tmp_path / "x.json")])
    assert res.exit_code == 2


def test_replicate_weights_from_the_command_line(tmp_path):
    frame = pd.DataFrame({"q": [1, 2, 3, 4, 5, 2], "w": [1.0] * 6,
                          "rep_1": [0, 1.5, 1.5, 1, 1, 1], "rep_2": [1, 1, 1, 0, 1.5, 1.5],
                          "rep_3": [1.5, 0, 1.5, 1.5, 0, 1.5]})
    data = tmp_path / "r.csv"
    frame.to_csv(data, index=False)
    res = runner.invoke(app, ["survey", "estimate", str(data), "--items", "q", "--weight", "w",
                              "--replicate-weights", "rep_*", "--format", "json"])
    assert res.exit_code == 0, res.output
    design = survey_design(frame, weights="w", replicate_weights=["rep_1", "rep_2", "rep_3"])
    assert json.loads(res.output)[0]["se"] == pytest.approx(estimate(design, "q").se[0])
    res = runner.invoke(app, ["survey", "estimate", str(data), "--items", "q",
                              "--replicate-weights", "zz*"])
    assert res.exit_code == 2 and "no column starts with 'zz'" in res.output
