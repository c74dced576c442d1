"""The synthetic barometer: reproducible, labelled, with a truth that is the population
value of what is drawn."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError
from socmob.synth.barometer import (
    BACKGROUNDS,
    QUESTIONS,
    REGIONS,
    population_shares,
    synth_barometer,
)


def test_same_seed_same_data_and_labelled():
    a = synth_barometer(500, waves=2, seed=3)
    b = synth_barometer(500, waves=2, seed=3)
    pd.testing.assert_frame_equal(a.frame, b.frame)
    assert a.frame["synthetic"].all() and len(a.frame) == 1000
    assert set(a.frame["wave"]) == {2022, 2023}
    # every stratum (wave × region) has at least two PSUs
    assert a.frame.groupby("stratum")["psu"].nunique().min() >= 2
    assert a.frame["stratum"].nunique() == 2 * len(REGIONS)


def test_truth_is_a_distribution_and_consistent():
    made = synth_barometer(100, seed=1)
    for q in QUESTIONS:
        overall = made.truth[q.name]["2022"]["overall"]
        p = np.array(list(overall["proportions"].values()))
        assert p.sum() == pytest.approx(1.0, abs=1e-12) and (p > 0).all()
        assert overall["mean"] == pytest.approx(p @ np.arange(1, 6), rel=1e-12)
        # the overall value is the population-weighted average of the groups
        shares = population_shares().sum(axis=(0, 1, 2))
        by_bg = [made.truth[q.name]["2022"]["background"][b]["mean"] for b in BACKGROUNDS]
        assert overall["mean"] == pytest.approx(float(np.dot(shares, by_bg)), rel=1e-12)


def test_margins_sum_to_the_population():
    made = synth_barometer(100, seed=1, population=1e6)
    totals = made.margins.groupby("margin")["target"].sum()
    np.testing.assert_allclose(totals, 1e6, rtol=1e-12)


def test_unweighted_sample_is_biased_by_nonresponse():
    """Young people and lower backgrounds respond less: their sample share is below
    their population share."""
    made = synth_barometer(20_000, seed=2)
    shares = population_shares()
    young = shares[:, 0].sum()
    lower = shares[..., 2].sum()
    assert (made.frame["age_group"] == "18-24").mean() < young
    assert (made.frame["background"] == "Lower").mean() < lower


def test_bad_arguments():
    with pytest.raises(InputError, match="too small"):
        synth_barometer(10)
    with pytest.raises(InputError, match="at least 1 wave"):
        synth_barometer(100, waves=0)
