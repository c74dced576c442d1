"""Rank intervals and band probabilities of the SMC's published areas
(``socmob.place.smc_uncertainty``): the noise scale against numpy's correlation, the
σ = 0 path against the published ranks and bands, and the Monte Carlo against normal-CDF
probabilities derived by hand."""

from __future__ import annotations

import io
import json
import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import norm
from typer.testing import CliRunner

from socmob.errors import InputError, NotFoundError
from socmob.place.analyses import smc_rank_uncertainty
from socmob.place.smc_uncertainty import (
    BAND_COLUMNS,
    rank_band_draws,
    rank_uncertainty_from_composites,
)
from socmob.results import TIDY_COLUMNS

RUNS = 2_000
# the two periods of each index whose correlation gives its reliability
PAIRS = {"ci1": ("2012 to 2017", "2018 to 2024"), "ci2": ("2012 to 2017", "2018 to 2024"),
         "ci3": ("2012 to 2017", "2018 to 2024"), "ci4": ("2018 to 2020", "2021 to 2024")}
# SoN 2025 band k covers (EDGES[k-1], EDGES[k]) on z
EDGES = (-math.inf, -1.5, -1.0, -0.5, 0.5, 1.0, 1.5, math.inf)


@pytest.fixture(scope="module")
def comp() -> pd.DataFrame:
    from socmob.data import composites

    return composites(edition=2025)


@pytest.fixture(scope="module")
def res(comp):
    return rank_uncertainty_from_composites(comp, runs=RUNS, seed=7, progress=False)


def _z(comp: pd.DataFrame, code: str, period: str) -> pd.Series:
    rows = comp[(comp["index_code"] == code) & (comp["period"] == period)]
    return rows.set_index("area_id")["z"].astype(float)


def test_reliability_is_the_correlation_of_the_two_latest_periods(comp, res):
    noise = res.noise.set_index("index_code")
    assert sorted(noise.index) == ["ci1", "ci2", "ci3", "ci4"]
    for code, (before, after) in PAIRS.items():
        a, b = _z(comp, code, before), _z(comp, code, after)
        r = np.corrcoef(a.to_numpy(), b.reindex(a.index).to_numpy())[0, 1]
        assert noise.loc[code, "period"] == after
        assert noise.loc[code, "reliability_period"] == before
        assert noise.loc[code, "reliability"] == pytest.approx(r, abs=1e-12)
        assert noise.loc[code, "sigma"] == pytest.approx(math.sqrt(1 - r), abs=1e-12)
        assert noise.loc[code, "n"] == 205
    t = res.table
    assert len(t) == 4 * 205
    assert (t.groupby("index_code")["sigma"].nunique() == 1).all()


def test_sigma_zero_reproduces_the_published_ranks_and_bands(comp):
    out = rank_uncertainty_from_composites(comp, runs=50, seed=1, sigma=0.0,
                                           progress=False).table
    for code, (_, latest) in PAIRS.items():
        rows = comp[(comp["index_code"] == code) & (comp["period"] == latest)]
        rows = rows.set_index("area_id")
        got = out[out["index_code"] == code].set_index("area_id").loc[rows.index]
        # rank by hand: 1 + number of areas with a strictly higher z (ties share a rank)
        z = rows["z"].to_numpy(float)
        want_rank = 1 + (z[None, :] > z[:, None]).sum(axis=1)
        np.testing.assert_array_equal(got["published_rank"].to_numpy(), want_rank)
        # bands as the SMC published them
        np.testing.assert_array_equal(got["published_band"].to_numpy(), rows["band"])
        for col in ("median_rank", "q05", "q95"):
            np.testing.assert_array_equal(got[col].to_numpy(), want_rank)
        assert (got["p_published_band"] == 1.0).all()


def test_band_probabilities_follow_the_normal_cdf():
    # Without re-standardisation z* = z + σε, so P(band k) = Φ((u−z)/σ) − Φ((l−z)/σ)
    # for band k = (l, u]; e.g. z = 0.45, σ = 0.3: P(z* ≥ 0.5) = 1 − Φ(0.05/0.3)
    # = 1 − Φ(0.1667) = 0.4338.
    z = np.array([-1.7, -1.2, -0.3, 0.2, 0.45, 0.9, 1.6])
    sigma, runs = 0.3, 20_000
    d = rank_band_draws(z, sigma, runs=runs, seed=11, restandardise=False)
    want = np.stack([norm.cdf((EDGES[k + 1] - z) / sigma) - norm.cdf((EDGES[k] - z) / sigma)
                     for k in range(7)], axis=1)
    tol = 4 * np.sqrt(want * (1 - want) / runs) + 1e-9
    assert np.all(np.abs(d.band_probability - want) <= tol)
    upper = d.band_probability[4, 4:].sum()  # P(z* ≥ 0.5) for z = 0.45
    p = 1 - norm.cdf((0.5 - 0.45) / sigma)
    assert p == pytest.approx(0.4338, abs=1e-4)
    assert abs(upper - p) <= 4 * math.sqrt(p * (1 - p) / runs)


def test_two_area_rank_probability_by_hand():
    # Two areas z = (0, d): area 1 ranks 2nd when z₂* > z₁*, i.e. when
    # σ(ε₂ − ε₁) > −d, probability Φ(d / (σ√2)); mean rank of area 1 = 1 + that.
    # Re-standardising within a run keeps the order, so it does not change ranks.
    d_, sigma, runs = 0.4, 0.5, 20_000
    p = norm.cdf(d_ / (sigma * math.sqrt(2)))  # = Φ(0.5657) = 0.7142
    for restandardise in (True, False):
        out = rank_band_draws([0.0, d_], sigma, runs=runs, seed=3,
                              restandardise=restandardise)
        assert abs(out.mean_rank[0] - (1 + p)) <= 4 * math.sqrt(p * (1 - p) / runs)
        assert out.mean_rank.sum() == pytest.approx(3.0)
        np.testing.assert_array_equal(out.published_rank, [2, 1])


def test_restandardisation_keeps_each_run_on_the_published_scale():
    # with re-standardisation the run mean/SD equal the published ones, so an area far
    # above every other keeps rank 1 and band 7 whatever the noise
    z = np.r_[np.linspace(-1, 1, 40), 5.0]
    z = (z - z.mean()) / z.std(ddof=1)
    out = rank_band_draws(z, 0.2, runs=500, seed=5)
    assert out.published_band[-1] == 7 and out.band_probability[-1, 6] == 1.0
    assert out.q05[-1] == out.q95[-1] == 1.0


def test_reproducible_with_a_seed_and_independent_of_chunking(comp, res):
    again = rank_uncertainty_from_composites(comp, runs=RUNS, seed=7, progress=False)
    pd.testing.assert_frame_equal(res.table, again.table)
    other = rank_uncertainty_from_composites(comp, runs=RUNS, seed=8, progress=False)
    assert not res.table[list(BAND_COLUMNS)].equals(other.table[list(BAND_COLUMNS)])
    z = _z(comp, "ci4", "2021 to 2024").to_numpy()
    a = rank_band_draws(z, 0.4, runs=700, seed=2, chunk=1000)
    b = rank_band_draws(z, 0.4, runs=700, seed=2, chunk=123)
    np.testing.assert_array_equal(a.band_probability, b.band_probability)
    np.testing.assert_array_equal(a.q05, b.q05)
    # an index alone gives the same result as with the others (its own random stream)
    alone = rank_uncertainty_from_composites(comp, runs=RUNS, seed=7, indices="ci4",
                                             progress=False).table
    pd.testing.assert_frame_equal(
        alone.reset_index(drop=True),
        res.table[res.table["index_code"] == "ci4"].reset_index(drop=True))


def test_probabilities_sum_to_one_and_intervals_cover_the_published_rank(res):
    t = res.table
    np.testing.assert_allclose(t[list(BAND_COLUMNS)].sum(axis=1), 1.0, atol=1e-12)
    assert ((t["q05"] <= t["median_rank"]) & (t["median_rank"] <= t["q95"])).all()
    assert ((t["q05"] >= 1) & (t["q95"] <= 205)).all()
    inside = (t["q05"] <= t["published_rank"]) & (t["published_rank"] <= t["q95"])
    assert inside.mean() >= 0.95
    assert (t["p_published_band"] > 0).all()
    # larger noise, wider intervals: ci4 (lowest r) is wider than ci3 (highest r)
    width = (t["q95"] - t["q05"]).groupby(t["index_code"]).median()
    assert width["ci4"] > width["ci3"]


def test_tidy_frame(res):
    f = res.to_frame()
    assert list(f.columns[:len(TIDY_COLUMNS)]) == list(TIDY_COLUMNS)
    assert len(f) == 4 * 205 * 8
    assert set(f["measure"]) == {"rank", "band_probability"}
    probs = f[f["measure"] == "band_probability"]
    sums = probs.groupby(["area_id", "index_code"])["probability"].sum()
    np.testing.assert_allclose(sums, 1.0, atol=1e-12)
    bp = f[(f["area_id"] == "blackpool") & (f["index_code"] == "ci1")]
    rank = bp[bp["measure"] == "rank"].iloc[0]
    row = res.area("blackpool").set_index("index_code").loc["ci1"]
    assert rank["value"] == row["median_rank"] and rank["lci"] == row["q05"]
    assert rank["probability"] == row["p_published_band"]
    assert list(bp.loc[bp["measure"] == "band_probability", "band"]) == list(range(1, 8))
    sigma4 = res.noise.set_index("index_code").loc["ci4", "sigma"]
    assert f"ci4 2021 to 2024: σ = {sigma4:.3f}" in res.summary()


def test_sigma_override_and_options(comp):
    out = rank_uncertainty_from_composites(comp, runs=200, seed=1, progress=False,
                                           sigma={"ci1": 0.1}, indices=["ci1", "ci2"])
    noise = out.noise.set_index("index_code")
    assert noise.loc["ci1", "sigma"] == 0.1 and noise.loc["ci1", "sigma_source"] == "given"
    assert noise.loc["ci2", "sigma_source"] == "reliability"
    early = rank_uncertainty_from_composites(comp, runs=100, seed=1, progress=False,
                                             indices="ci4", period="2018 to 2020")
    # the first period: r taken with the one after it
    assert early.noise["reliability_period"].item() == "2021 to 2024"
    with pytest.raises(InputError):
        rank_uncertainty_from_composites(comp, runs=10, sigma=-1.0, progress=False)
    with pytest.raises(InputError):
        rank_uncertainty_from_composites(comp, runs=10, sigma={"ci9": 0.1},
                                         progress=False)
    with pytest.raises(NotFoundError):
        rank_uncertainty_from_composites(comp, runs=10, indices="ci9", progress=False)
    with pytest.raises(InputError):
        rank_band_draws([0.0, np.nan], 0.1, runs=10)
    with pytest.raises(InputError):
        smc_rank_uncertainty(edition=2024, runs=10, progress=False)


def test_default_call_is_computed_once_and_each_caller_gets_its_own_copy(monkeypatch):
    from socmob.place import analyses

    analyses.clear_cache()
    calls = []
    real = analyses.rank_uncertainty_from_composites

    def counted(*args, **kwargs):
        calls.append(kwargs.get("indices"))
        return real(*args, **kwargs)

    monkeypatch.setattr(analyses, "rank_uncertainty_from_composites", counted)
    a = smc_rank_uncertainty(runs=300, indices="ci4", progress=False)
    b = smc_rank_uncertainty(runs=300, indices=["ci4"], progress=False)
    assert calls == [("ci4",)] and a.edition == 2025
    pd.testing.assert_frame_equal(a.table, b.table)
    assert a.table is not b.table and a.noise is not b.noise
    a.table["q05"] = -1.0  # what one caller does to its answer ...
    c = smc_rank_uncertainty(runs=300, indices="ci4", progress=False)
    assert (c.table["q05"] >= 1).all() and len(calls) == 1  # ... never reaches another


# --------------------------------------------------------------------------- CLI

runner = CliRunner()


def test_cli_uncertainty_json_and_csv():
    from socmob.cli import app

    args = ["place", "uncertainty", "Blackpool", "--runs", "500", "--seed", "4"]
    out = runner.invoke(app, [*args, "--format", "json"])
    assert out.exit_code == 0, out.output
    body = json.loads(out.stdout)
    assert body["area_id"] == "blackpool" and body["runs"] == 500
    rows = pd.DataFrame(body["areas"])
    assert list(rows["index_code"]) == ["ci1", "ci2", "ci3", "ci4"]
    assert (rows["area_name"] == "Blackpool").all()
    lib = smc_rank_uncertainty(runs=500, seed=4, progress=False).area("blackpool")
    np.testing.assert_allclose(rows["q95"], lib["q95"], atol=1e-6)
    np.testing.assert_allclose(rows[list(BAND_COLUMNS)].sum(axis=1), 1.0, atol=1e-5)
    assert len(body["noise"]) == 4
    csv = runner.invoke(app, [*args, "--index", "ci4", "--format", "csv"])
    assert csv.exit_code == 0, csv.output
    frame = pd.read_csv(io.StringIO(csv.stdout))
    assert list(frame["index_code"]) == ["ci4"]
    table = runner.invoke(app, [*args, "--index", "ci1,ci3"])
    assert table.exit_code == 0 and "90% interval" in table.stdout


@pytest.mark.parametrize("extra", [["Atlantis"], ["Blackpool", "--index", "ci9"],
                                   ["Blackpool", "--index", "ci4", "--period", "1999"]])
def test_cli_uncertainty_bad_input(extra):
    from socmob.cli import app

    out = runner.invoke(app, ["place", "uncertainty", *extra, "--runs", "50"])
    assert out.exit_code == 2
    assert "Traceback" not in out.output and len(out.stderr.strip().splitlines()) == 1
