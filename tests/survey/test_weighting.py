"""Raking and post-stratification: margins are recovered exactly, calibrated weights are
left alone, trimming holds its bounds, and bad margins give one-line errors naming the
margin, category, file and row."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.errors import ConvergenceError, InputError
from socmob.survey import (
    effective_sample_size,
    kish_design_effect,
    margin,
    margins_from_frame,
    poststratify,
    rake,
    read_margins,
    survey_design,
)
from socmob.synth.barometer import synth_barometer


@pytest.fixture(scope="module")
def barometer():
    return synth_barometer(3000, waves=2, seed=5)



def test_raking_recovers_every_margin_exactly(barometer):
    design = survey_design(barometer.frame, weights="design_weight", strata="stratum",
                           psu="psu")
    margins = margins_from_frame(barometer.margins)
    result = rake(design, margins, by="wave", tol=1e-12)
    frame = barometer.frame.assign(w=result.weights)
    for m in margins:
        want = m.to_frame().set_index(list(m.variables))["target"]
        for _, wave in frame.groupby("wave"):
            got = wave.groupby(list(m.variables))["w"].sum()
            np.testing.assert_allclose(got.loc[want.index].to_numpy(), want.to_numpy(),
                                       rtol=1e-10)
    assert result.max_error <= 1e-12 and result.converged
    assert result.design.calibration is not None
    # the raked total is the population of every wave
    assert result.weights.sum() == pytest.approx(2 * 53e6, rel=1e-10)
    # the cells table reports the same
    np.testing.assert_allclose(result.cells["achieved"], result.cells["target"], rtol=1e-10)


def test_calibrated_weights_are_left_unchanged(barometer):
    margins = margins_from_frame(barometer.margins)
    first = rake(barometer.frame, margins, weights="design_weight", by="wave", tol=1e-12)
    again = rake(barometer.frame.assign(w=first.weights), margins, weights="w", by="wave",
                 tol=1e-10)
    assert again.iterations == 0
    np.testing.assert_array_equal(again.weights, first.weights)


def test_raking_a_hand_example():
    """2×2 sample with unit weights, margins sex (60, 40) and age (50, 50): IPF converges
    to the unique weights with those margins that keep the odds ratio of the sample
    (1 here): w = row × column / total, per respondent divided by the cell count."""
    frame = pd.DataFrame({"sex": ["F", "F", "F", "M"], "age": ["young", "old", "old", "young"]})
    result = rake(frame, [margin("sex", {"F": 60, "M": 40}),
                          margin("age", {"young": 50, "old": 50})], tol=1e-14)
    w = result.weights
    # cells: F-young (1), F-old (2), M-young (1), M-old (0 respondents)
    # margins force M-young = 40, so F-young = 10 and F-old = 50 (25 each)
    np.testing.assert_allclose(w, [10.0, 25.0, 25.0, 40.0], rtol=1e-12)


def test_poststratification_is_one_step(barometer):
    region = next(m for m in margins_from_frame(barometer.margins) if m.name == "region")
    result = poststratify(barometer.frame, region, weights="design_weight", by="wave")
    assert result.iterations == 1 and result.kind == "poststratification"
    got = barometer.frame.assign(w=result.weights).groupby(["wave", "region"])["w"].sum()
    want = region.to_frame().set_index("region")["target"]
    for wave in (2022, 2023):
        np.testing.assert_allclose(got.loc[wave].loc[want.index], want, rtol=1e-12)


def test_trimming_holds_the_bounds_and_the_margins(barometer):
    margins = margins_from_frame(barometer.margins)
    plain = rake(barometer.frame, margins, weights="design_weight", by="wave")
    ratio = plain.weights / plain.weights.mean()
    upper = float(np.quantile(ratio, 0.98))
    trimmed = rake(barometer.frame, margins, weights="design_weight", by="wave",
                   trim=(None, upper))
    assert trimmed.trim_rounds >= 1
    means = pd.Series(trimmed.weights).groupby(barometer.frame["wave"]).transform("mean")
    assert np.max(trimmed.weights / means) <= upper * (1 + 1e-6)
    # met to the default tolerance: 1e-10 of the population total
    np.testing.assert_allclose(trimmed.cells["achieved"], trimmed.cells["target"],
                               atol=1e-10 * 2 * 53e6)
    assert trimmed.design_effect < plain.design_effect


def test_infeasible_trimming_is_a_convergence_error(barometer):
    with pytest.raises(ConvergenceError, match="loosen the bounds"):
        rake(barometer.frame, margins_from_frame(barometer.margins), weights="design_weight",
             by="wave", trim=(0.99, 1.01), max_trim_rounds=20)


def test_kish():
    w = np.array([1.0, 1.0, 2.0, 4.0])
    # n Σw² / (Σw)² = 4 · 22 / 64
    assert kish_design_effect(w) == pytest.approx(4 * 22 / 64)
    assert effective_sample_size(w) == pytest.approx(64 / 22)
    assert kish_design_effect(np.ones(5)) == pytest.approx(1.0)


# ----------------------------------------------------------------------- bad margins


def write(tmp_path, text, name="margins.csv"):
    path = tmp_path / name
    path.write_text(text)
    return path


@pytest.fixture
def small():
    return pd.DataFrame({"region": ["North", "South", "South", "North"],
                         "sex": ["F", "M", "F", "M"], "w": [1.0, 2.0, 1.0, 1.0]})


def test_margin_category_absent_from_data(tmp_path, small):
    path = write(tmp_path, "margin,region,target\nregion,North,50\nregion,South,30\n"
                 "region,Wales,20\n")
    with pytest.raises(InputError) as err:
        rake(small, read_margins(path), weights="w")
    text = str(err.value)
    assert "'Wales'" in text and "margin 'region'" in text and "row 4" in text
    assert str(path) in text and "\n" not in text


def test_data_category_absent_from_margin(tmp_path, small):
    path = write(tmp_path, "region,target\nNorth,50\n")
    with pytest.raises(InputError, match=r"no target for region = 'South'.*row 3"):
        rake(small, read_margins(path), weights="w")


def test_misspelt_category_suggests_the_data_spelling(tmp_path, small):
    path = write(tmp_path, "region,target\nNorth,50\nSouht,50\n")
    with pytest.raises(InputError, match="did you mean 'South'"):
        rake(small, read_margins(path), weights="w")


def test_margins_disagree_on_total(tmp_path, small):
    path = write(tmp_path, "margin,region,sex,target\nregion,North,,50\nregion,South,,50\n"
                 "sex,,F,60\nsex,,M,60\n")
    with pytest.raises(InputError, match=r"disagree on the population total.*'region' sums "
                       r"to 100 but 'sex' to 120"):
        rake(small, read_margins(path), weights="w")


@pytest.mark.parametrize(("text", "match"), [
    ("region,targt\nNorth,1\n", r"no 'target' column.*did you mean 'targt'"),
    ("region,target\nNorth,\nSouth,2\n", r"row 2, column 'target': blank target"),
    ("region,target\nNorth,-5\nSouth,2\n", r"row 2, column 'target'.*negative"),
    ("region,target\nNorth,abc\nSouth,2\n", r"row 2, column 'target': 'abc' is not a number"),
    ("region,target\nNorth,1\nNorth,2\n", r"row 3.*lists category 'North' twice"),
    ("margin,region,sex,target\nx,North,F,1\nx,South,,2\n", r"row 3, column 'sex'"),
])
def test_bad_margin_files(tmp_path, small, text, match):
    with pytest.raises((InputError, LookupError), match=match):
        rake(small, read_margins(write(tmp_path, text)), weights="w")


def test_respondent_without_raking_variable(small):
    frame = small.assign(region=["North", None, "South", "North"])
    with pytest.raises(InputError, match=r"row 3, column 'region': missing value"):
        rake(frame, [margin("region", {"North": 1, "South": 1})], weights="w")


def test_cross_classified_margin_with_empty_cell_fails_clearly(small):
    m = margin(["region", "sex"], {("North", "F"): 1, ("North", "M"): 1, ("South", "F"): 1,
                                   ("South", "M"): 1})
    rake(small, [m], weights="w")  # every cell has respondents
    empty = small.iloc[:3]
    with pytest.raises(InputError, match=r"region = 'North' and sex = 'M'.*no respondents"):
        rake(empty, [m], weights="w")


def test_inconsistent_margins_do_not_converge():
    frame = pd.DataFrame({"a": ["x", "y"], "b": ["u", "v"]})  # a and b coincide
    margins = [margin("a", {"x": 30, "y": 70}), margin("b", {"u": 60, "v": 40})]
    with pytest.raises(ConvergenceError, match="did not converge in 50 sweeps"):
        rake(frame, margins, max_iter=50)


def test_value_labels_or_codes_match_margins():
    frame = pd.DataFrame({"sex": [1.0, 2.0, 2.0], "w": [1.0, 1.0, 1.0]})
    labels = {"sex": {1: "Female", 2: "Male"}}
    design = survey_design(frame, weights="w", value_labels=labels)
    by_label = rake(design, [margin("sex", {"Female": 10, "Male": 20})])
    by_code = rake(design, [margin("sex", {"1": 10, "2": 20})])
    np.testing.assert_allclose(by_label.weights, [10, 10, 10])
    np.testing.assert_allclose(by_code.weights, by_label.weights)


def test_tidy_output_of_raking(barometer):
    result = rake(barometer.frame, margins_from_frame(barometer.margins),
                  weights="design_weight", by="wave")
    frame = result.to_frame()
    assert list(frame.columns[:12]) == ["measure", "area_code", "area_name", "period",
                                        "breakdown", "group", "value", "lci", "uci", "n",
                                        "unit", "note"]
    assert set(frame["breakdown"]) == {"age_sex", "region", "background"}
    d = result.diagnostics()
    assert d["converged"] and d["design_effect"] >= 1 and d["effective_n"] <= 6000
