"""Long Shadow-style area outcomes: means, gaps and empirical-Bayes shrinkage."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from socmob.engine import connect
from socmob.engine.readers import read_table
from socmob.errors import InputError
from socmob.income.areas import area_outcomes
from socmob.synth import synth_income

#            area A            area B          area C
DIS = {"A": [1.0, 3.0], "B": [2.0, 4.0, 6.0], "C": [10.0]}
ADV = {"A": [5.0, 7.0, 9.0], "B": [6.0, 8.0], "C": [4.0, 6.0]}


def _frame() -> pd.DataFrame:
    rows = [(a, y, True) for a, ys in DIS.items() for y in ys]
    rows += [(a, y, False) for a, ys in ADV.items() for y in ys]
    return pd.DataFrame(rows, columns=["la", "earnings", "fsm"])


def test_means_gaps_and_shrinkage_by_hand():
    res = area_outcomes(_frame(), area="la", outcome="earnings", disadvantaged="fsm")
    a = res.areas.set_index("area")
    # means: A dis (1+3)/2 = 2, adv 7; B dis 4, adv 7; C dis 10, adv 5
    assert a["mean_dis"].tolist() == [2.0, 4.0, 10.0]
    assert a["mean_adv"].tolist() == [7.0, 7.0, 5.0]
    assert a["gap"].tolist() == [5.0, 3.0, -5.0]
    # SE² = s²/n: A dis s² = 2 → 1; A adv s² = 4 → 4/3; C dis has n = 1 → no SE
    assert a.loc["A", "se_dis"] == pytest.approx(1.0)
    assert a.loc["A", "se_adv"] == pytest.approx(math.sqrt(4 / 3))
    assert a.loc["A", "gap_se"] == pytest.approx(math.sqrt(1 + 4 / 3))
    assert math.isnan(a.loc["C", "se_dis"])
    # national disadvantaged mean 26/6; pooled within-area variance (2 + 8 + 0)/(6 − 3)
    mu = 26 / 6
    sigma2 = 10 / 3
    assert res.national_dis == pytest.approx(mu)
    assert res.sigma2_dis == pytest.approx(sigma2)
    # s_i² = σ²/n_i; τ² = mean[(θ − μ)² − s²]
    s2 = np.array([sigma2 / 2, sigma2 / 3, sigma2 / 1])
    theta = np.array([2.0, 4.0, 10.0])
    tau2 = np.mean((theta - mu) ** 2 - s2)
    assert tau2 == pytest.approx(31.5556 / 3, abs=1e-4)  # 3.7778 − 1.0 + 28.7778
    assert res.tau2_dis == pytest.approx(tau2)
    B = s2 / (s2 + tau2)
    np.testing.assert_allclose(a["shrink_dis"], B)
    np.testing.assert_allclose(a["eb_dis"], mu + (1 - B) * (theta - mu))
    np.testing.assert_allclose(a["eb_dis_se"], np.sqrt((1 - B) * s2))
    # area A: B = 1.6667/(1.6667 + 10.5185) = 0.1368 → 4.3333 − 0.8632·2.3333 = 2.3192
    assert a.loc["A", "eb_dis"] == pytest.approx(2.3192, abs=1e-4)
    frame = res.to_frame()
    assert set(frame["measure"]) == {"disadvantaged_mean", "advantaged_mean", "gap",
                                     "disadvantaged_mean_eb", "gap_eb"}


def test_no_between_area_variance_shrinks_fully():
    # identical areas: τ² = 0 → every EB estimate is the national mean
    frame = pd.DataFrame({"la": list("AAAABBBB"), "y": [1.0, 3.0, 5.0, 7.0] * 2,
                          "d": [1, 1, 0, 0] * 2})
    res = area_outcomes(frame, area="la", outcome="y", disadvantaged="d")
    assert res.tau2_dis == 0.0
    np.testing.assert_allclose(res.areas["eb_dis"], 2.0)


def test_shrinkage_beats_raw_means_on_synthetic_areas(tmp_path):
    # 80 areas of uneven size with known effects on log child income: the true mean for
    # the disadvantaged in area a is truth.disadvantaged_child_mean_log + effect_a. EB
    # estimates must have lower total squared error than the raw means (James–Stein).
    made = synth_income(tmp_path / "areas.parquet", rows=12_000, rank_corr=0.3, seed=5,
                        areas=80, area_sd=0.15, progress=False)
    table = read_table(made.path, con=connect())
    res = area_outcomes(table, area="area", outcome="child_income",
                        disadvantaged="disadvantaged", transform="log")
    a = res.areas.set_index("area")
    truth = pd.Series(made.truth.area_effects) + made.truth.disadvantaged_child_mean_log
    # areas with no disadvantaged child carry no raw mean: compare where both exist
    both = a["mean_dis"].notna()
    raw_err = ((a.loc[both, "mean_dis"] - truth[both[both].index]) ** 2).sum()
    eb_err = ((a.loc[both, "eb_dis"] - truth[both[both].index]) ** 2).sum()
    assert eb_err < raw_err
    # the national disadvantaged mean is close to its truth (effects average out)
    assert res.national_dis == pytest.approx(made.truth.disadvantaged_child_mean_log,
                                             abs=0.05)


def test_bad_inputs():
    frame = _frame()
    with pytest.raises(InputError, match="disadvantaged flag"):
        area_outcomes(frame.assign(fsm="yes"), area="la", outcome="earnings",
                      disadvantaged="fsm")
    with pytest.raises(InputError, match="other than 0/1"):
        area_outcomes(frame.assign(fsm=2), area="la", outcome="earnings",
                      disadvantaged="fsm")
    with pytest.raises(InputError, match="cannot take logs"):
        area_outcomes(frame.assign(earnings=0.0), area="la", outcome="earnings",
                      disadvantaged="fsm", transform="log")
    with pytest.raises(InputError, match="outcome column not found"):
        area_outcomes(frame, area="la", outcome="pay", disadvantaged="fsm")
