"""Survey designs: bad weights, strata and PSUs are refused with one-line messages naming
row and column; lonely PSUs fail by default and follow the chosen treatment otherwise;
the variance formula against a hand derivation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError, NotFoundError
from socmob.survey import estimate, survey_design


@pytest.fixture
def frame():
    return pd.DataFrame({
        "stratum": ["A", "A", "A", "A", "B", "B", "B", "B"],
        "psu": [1, 1, 2, 2, 1, 1, 2, 3],
        "w": [1.0, 2.0, 1.0, 1.0, 3.0, 1.0, 2.0, 2.0],
        "y": [1.0, 2.0, 3.0, 4.0, 5.0, 4.0, 2.0, 1.0],
    })


@pytest.mark.parametrize(("value", "match"), [
    (-1.0, r"row 4, column 'w': value -1 is negative"),
    (np.nan, r"row 4, column 'w': missing"),
    (np.inf, r"row 4, column 'w': value inf is not a finite number"),
])
def test_bad_weights(frame, value, match):
    bad = frame.assign(w=frame["w"].where(frame.index != 2, value))
    with pytest.raises(InputError, match=match) as err:
        survey_design(bad, weights="w", strata="stratum", psu="psu", source="s.csv")
    assert "file s.csv" in str(err.value) and "\n" not in str(err.value)


def test_text_weight(frame):
    bad = frame.assign(w=["1", "2", "x", "1", "1", "1", "1", "1"])
    with pytest.raises(InputError, match=r"row 4, column 'w': value 'x' is not a number"):
        survey_design(bad, weights="w")


def test_all_zero_weights(frame):
    with pytest.raises(InputError, match="every weight is zero"):
        survey_design(frame.assign(w=0.0), weights="w")


def test_unknown_column_suggests(frame):
    with pytest.raises(NotFoundError, match=r"no column 'wt'.*did you mean 'w'"):
        survey_design(frame, weights="wt")


def test_missing_stratum(frame):
    bad = frame.assign(stratum=["A", None, "A", "A", "B", "B", "B", "B"])
    with pytest.raises(InputError, match=r"row 3, column 'stratum': missing value"):
        survey_design(bad, weights="w", strata="stratum", psu="psu")


def test_lonely_psu_fails_by_default(frame):
    lonely = frame.assign(psu=[1, 1, 1, 1, 1, 1, 2, 3])
    with pytest.raises(InputError, match=r"column 'stratum': stratum 'A' has only one PSU.*"
                       r"certainty, remove or adjust"):
        survey_design(lonely, weights="w", strata="stratum", psu="psu")
    for option in ("certainty", "remove", "adjust"):
        survey_design(lonely, weights="w", strata="stratum", psu="psu", lonely_psu=option)
    with pytest.raises(InputError, match="unknown lonely-PSU treatment 'average'"):
        survey_design(lonely, weights="w", strata="stratum", psu="psu",
                      lonely_psu="average")  # type: ignore[arg-type]


def test_certainty_stratum_by_fpc_is_not_lonely(frame):
    lonely = frame.assign(psu=[1, 1, 1, 1, 1, 1, 2, 3], N=[1, 1, 1, 1, 10, 10, 10, 10])
    design = survey_design(lonely, weights="w", strata="stratum", psu="psu", fpc="N")
    assert design.fpc_fraction[0] == 0.0


def test_fpc_must_be_constant_within_stratum(frame):
    with pytest.raises(InputError, match="varies within stratum 'A'"):
        survey_design(frame.assign(N=[4, 5, 4, 4, 9, 9, 9, 9]), weights="w",
                      strata="stratum", psu="psu", fpc="N")
    with pytest.raises(InputError, match="stratum 'B' has 3 sampled PSUs but a population"):
        survey_design(frame.assign(N=[4, 4, 4, 4, 2, 2, 2, 2]), weights="w",
                      strata="stratum", psu="psu", fpc="N")


def test_mean_variance_by_hand(frame):
    """ȳ = Σwy/Σw. z_i = w_i(y_i − ȳ)/Σw; PSU totals t_hj; within stratum h the
    variance is n_h/(n_h − 1) Σ_j (t_hj − t̄_h)²."""
    design = survey_design(frame, weights="w", strata="stratum", psu="psu")
    m = estimate(design, "y")
    w, y = frame["w"].to_numpy(), frame["y"].to_numpy()
    ybar = (w * y).sum() / w.sum()
    z = w * (y - ybar) / w.sum()
    tA = np.array([z[0] + z[1], z[2] + z[3]])
    tB = np.array([z[4] + z[5], z[6], z[7]])
    var = 2 / 1 * ((tA - tA.mean()) ** 2).sum() + 3 / 2 * ((tB - tB.mean()) ** 2).sum()
    assert m.estimate[0] == pytest.approx(37 / 13, rel=1e-14)
    assert ybar == pytest.approx(37 / 13, rel=1e-14)
    assert m.se[0] == pytest.approx(np.sqrt(var), rel=1e-12)
    assert m.df == 5 - 2
    # finite population correction multiplies each stratum by 1 − n_h/N_h
    fpc = survey_design(frame.assign(N=[4, 4, 4, 4, 6, 6, 6, 6]), weights="w",
                        strata="stratum", psu="psu", fpc="N")
    var_f = (1 - 2 / 4) * 2 * ((tA - tA.mean()) ** 2).sum() + (1 - 3 / 6) * 1.5 * (
        (tB - tB.mean()) ** 2).sum()
    assert estimate(fpc, "y").se[0] == pytest.approx(np.sqrt(var_f), rel=1e-12)


def test_adjust_centres_lonely_stratum_at_zero(frame):
    lonely = frame.assign(psu=[1, 1, 1, 1, 1, 1, 2, 3])
    adj = survey_design(lonely, weights="w", strata="stratum", psu="psu", lonely_psu="adjust")
    cert = survey_design(lonely, weights="w", strata="stratum", psu="psu",
                         lonely_psu="certainty")
    w, y = frame["w"].to_numpy(), frame["y"].to_numpy()
    z = w * (y - (w * y).sum() / w.sum()) / w.sum()
    extra = z[:4].sum() ** 2
    assert estimate(adj, "y").se[0] ** 2 == pytest.approx(
        estimate(cert, "y").se[0] ** 2 + extra, rel=1e-12)


def test_replicate_weights_by_hand(frame):
    """JK1 with R = 3: V = (R − 1)/R Σ_r (θ_r − θ̄)²."""
    reps = frame.assign(r1=frame["w"] * [0, 0, 1.5, 1.5, 1, 1, 1, 1],
                        r2=frame["w"] * [1.5, 1.5, 0, 0, 1, 1, 1, 1],
                        r3=frame["w"] * [1, 1, 1, 1, 0, 0, 2, 2])
    design = survey_design(reps, weights="w", replicate_weights=["r1", "r2", "r3"])
    m = estimate(design, "y")
    y = frame["y"].to_numpy()
    thetas = np.array([(reps[c] * y).sum() / reps[c].sum() for c in ("r1", "r2", "r3")])
    var = 2 / 3 * ((thetas - thetas.mean()) ** 2).sum()
    assert m.se[0] == pytest.approx(np.sqrt(var), rel=1e-12)
    assert m.df == 2  # rank 3 − 1
    with pytest.raises(InputError, match="either replicate weights or strata"):
        survey_design(reps, weights="w", strata="stratum", replicate_weights=["r1", "r2"])
    with pytest.raises(InputError, match="unknown replicate type 'JK2'"):
        survey_design(reps, weights="w", replicate_weights=["r1", "r2"],
                      replicate_type="JK2")  # type: ignore[arg-type]
    with pytest.raises(InputError, match=r"row 2, column 'r1'.*negative"):
        survey_design(reps.assign(r1=-reps["r1"] - 1), weights="w",
                      replicate_weights=["r1", "r2"])
