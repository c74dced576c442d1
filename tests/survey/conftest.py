"""Fixtures of the survey tests: the stratified, clustered test survey of
``tests/results/survey`` under every design that R's reference script builds."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from socmob.survey import poststratify, rake, read_margins, survey_design

RESULTS = Path(__file__).resolve().parents[1] / "results" / "survey"
DATA = RESULTS / "barometer_test.csv"
MARGINS = RESULTS / "barometer_test_margins.csv"
REPLICATES = RESULTS / "barometer_test_replicates.csv"
ITEMS = ("q_parents", "q_equal_opportunities", "q_class_gap")


@pytest.fixture(scope="session")
def test_survey() -> pd.DataFrame:
    return pd.read_csv(DATA)


@pytest.fixture(scope="session")
def test_margins():
    return read_margins(MARGINS)


def build_designs(frame: pd.DataFrame, margins) -> dict:
    """The designs of ``r_reference.R``, keyed by its labels."""
    base = survey_design(frame, weights="design_weight", strata="stratum", psu="psu")
    region = next(m for m in margins if m.name == "region")
    out = {
        "base": base,
        "raked": rake(base, margins, by="wave", tol=1e-13).design,
        "poststrat": poststratify(base, region, by="wave").design,
        "fpc": survey_design(frame, weights="design_weight", strata="stratum", psu="psu",
                             fpc="fpc_psu"),
    }
    lonely = frame.copy()
    rows = lonely["stratum"] == "2022 North East"
    lonely.loc[rows, "psu"] = lonely.loc[rows, "psu"].iloc[0]
    for option in ("certainty", "remove", "adjust"):
        out[f"lonely_{option}"] = survey_design(lonely, weights="design_weight",
                                                strata="stratum", psu="psu",
                                                lonely_psu=option)
    # replicate weights written by R (JKn jackknife of the base design), its scales
    # and degrees of freedom from the reference
    ref = load_reference(RESULTS / "r_reference.csv")
    reps = pd.read_csv(REPLICATES)
    assert (reps["respondent_id"] == frame["respondent_id"]).all()
    jk = ref[(ref["design"] == "jkn") & (ref["statistic"] == "replicates")]
    rscales = jk[jk["quantity"] == "rscale"].sort_values(
        "group", key=lambda g: g.astype(int))["value"].to_numpy()
    scale = float(jk.loc[jk["quantity"] == "scale", "value"].iloc[0])
    mse = bool(jk.loc[jk["quantity"] == "mse", "value"].iloc[0])
    df = int(ref.loc[(ref["design"] == "jkn") & (ref["statistic"] == "design"),
                     "value"].iloc[0])
    columns = [c for c in reps.columns if c.startswith("rep_")]
    with_reps = pd.concat([frame, reps[columns]], axis=1)
    out["jkn"] = survey_design(with_reps, weights="design_weight", replicate_weights=columns,
                               replicate_type="other", replicate_scale=scale,
                               replicate_rscales=rscales, replicate_mse=mse,
                               replicate_df=df)
    # R's rake() drops the replicate design's stated df, so its raked design has the
    # default, rank(replicate weights) − 1: socmob's default when no df is given
    default_df = survey_design(with_reps, weights="design_weight", replicate_weights=columns,
                               replicate_type="other", replicate_scale=scale,
                               replicate_rscales=rscales, replicate_mse=mse)
    out["jkn_raked"] = rake(default_df, margins, by="wave", tol=1e-13).design
    return out


@pytest.fixture(scope="session")
def designs(test_survey, test_margins) -> dict:
    return build_designs(test_survey, test_margins)


def load_reference(path: Path) -> pd.DataFrame:
    ref = pd.read_csv(path, keep_default_na=False, dtype=str)
    ref["value"] = ref["value"].astype(float)
    return ref
