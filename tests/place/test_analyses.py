"""The every-area analyses of the embedded data (``socmob.place.analyses``): the house
choices they use, their numbers against hand derivations and R's ``lm``, the groups they
cannot estimate, and a cache that computes once and never shares a mutable answer."""

from __future__ import annotations

import json
import threading

import numpy as np
import pandas as pd
import pytest
from tests.conftest import RESULTS
from typer.testing import CliRunner

from socmob.errors import InputError, NotFoundError
from socmob.place import analyses
from socmob.place.spatial import index_values
from socmob.results import ByGroup


@pytest.fixture(scope="module")
def comp() -> pd.DataFrame:
    from socmob.data import composites

    return composites(edition=2025)


def test_the_house_choices():
    # the values the dashboard, the API and the command line share (one definition each)
    assert analyses.SEED == 20250101 and analyses.PERMUTATIONS == 999
    assert analyses.RANK_RUNS == 10_000 and analyses.EDITION == 2025
    assert analyses.EXPECTED_MODELS == (("ci4", ("ci1",)), ("ci2", ("ci1",)))
    assert analyses.CONTIGUITY == "queen" and analyses.ISLAND_K == 1


def test_weights_link_the_six_islands_and_are_shared_read_only():
    w = analyses.area_weights()
    assert w.n == 205 and w.kind == "queen" and w.n_components() == 1
    assert set(w.island_names) == {"Isle of Anglesey", "Isle of Wight", "Na h-Eileanan Siar",
                                   "Northern Ireland", "Orkney Islands", "Shetland Islands"}
    assert all(len(w.island_links[i]) == 1 for i in w.islands)  # island_k = 1
    assert analyses.area_weights() is w
    with pytest.raises(TypeError):
        w.neighbours["bradford"] = ()  # type: ignore[index]


def test_getis_ord_of_every_index_against_the_formula(comp):
    by = analyses.getis_ord_by_index()
    assert isinstance(by, ByGroup) and by.by == "index"
    assert list(by) == ["ci1", "ci2", "ci3", "ci4"] and not by.not_estimated
    w = analyses.area_weights()
    binary = w.matrix("b") + np.eye(w.n)  # Gi*: the area counts as its own neighbour
    for code, g in by.items():
        assert g.permutations == 999 and g.seed == 20250101 and g.alpha == 0.05
        x = index_values(comp, index=code).reindex(list(w.ids)).to_numpy()
        # Ord & Getis (1995), eq. 14, with S² = Σx²/n − x̄²
        n, xbar = len(x), x.mean()
        s = np.sqrt((x ** 2).mean() - xbar ** 2)
        wsum = binary.sum(axis=1)
        z = (binary @ x - xbar * wsum) / (
            s * np.sqrt((n * (binary ** 2).sum(axis=1) - wsum ** 2) / (n - 1)))
        np.testing.assert_allclose(g.z, z, rtol=1e-9)
    frame = by.to_frame()
    assert len(frame) == 4 * 205 and set(frame["group"]) == {"ci1", "ci2", "ci3", "ci4"}


def test_global_moran_against_the_formula_and_a_period_an_index_lacks(comp):
    by = analyses.global_moran_by_index(period="2018 to 2024")
    assert list(by) == ["ci1", "ci2", "ci3"]
    assert "unknown period '2018 to 2024' for ci4" in by.not_estimated["ci4"]
    w = analyses.area_weights()
    m = w.matrix("r")
    for code, res in by.items():
        y = index_values(comp, index=code, period="2018 to 2024").reindex(list(w.ids))
        z = y.to_numpy() - y.mean()
        moran_i = len(z) / m.sum() * (z @ m @ z) / (z @ z)  # (n/S₀) zᵀWz / zᵀz
        assert float(res.I) == pytest.approx(moran_i, rel=1e-12)
        assert res.expected == pytest.approx(-1 / 204)


def test_local_moran_labels_follow_quadrant_and_p_value():
    by = analyses.local_moran_by_index(indices="ci1", permutations=99, seed=3)
    (lm,) = by.values()
    assert lm.seed == 3 and lm.permutations == 99
    significant = lm.p_adjusted < 0.05
    assert np.array_equal(np.array(lm.cluster) != "not significant", significant)


def test_expected_outcomes_default_models_and_r_lm(comp):
    by = analyses.expected_outcomes()
    assert list(by) == ["ci4 on ci1", "ci2 on ci1"] and by.by == "model"
    assert by["ci4 on ci1"].periods == {"ci4": "2021 to 2024", "ci1": "2018 to 2024"}
    # R 4.2.2 lm(y ~ x1 + x2) (tests/results/place/expected_lm.R)
    ref = pd.read_csv(RESULTS / "place" / "ci4_on_ci1_ci2_coef.csv")
    two = analyses.expected_outcomes(models=[("ci4", ("ci1", "ci2"))])["ci4 on ci1 + ci2"]
    np.testing.assert_allclose(two.params.to_numpy(), ref["estimate"], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(two.bse.to_numpy(), ref["std_error"], rtol=1e-9)


def test_editions():
    with pytest.raises(NotFoundError, match="no area map for edition 2024"):
        analyses.getis_ord_by_index(2024)
    with pytest.raises(InputError):
        analyses.smc_rank_uncertainty(2024, runs=10, progress=False)
    fit = analyses.expected_outcomes(2024)["ci4 on ci1"]
    assert fit.nobs == 203
    with pytest.raises(NotFoundError):
        analyses.getis_ord_by_index(indices="ci9")
    with pytest.raises(NotFoundError):
        analyses.expected_outcomes(models=[("ci9", ("ci1",))])


def test_answers_are_copies_of_one_computation(monkeypatch):
    analyses.clear_cache()
    calls = []
    real = analyses.expected_from_composites

    def counted(*args, **kwargs):
        calls.append(kwargs["outcome"])
        return real(*args, **kwargs)

    monkeypatch.setattr(analyses, "expected_from_composites", counted)
    threads = [threading.Thread(target=analyses.expected_outcomes) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert calls == ["ci4", "ci2"]  # four callers at once, one computation
    a = analyses.expected_outcomes()
    a["ci4 on ci1"].areas["verdict"] = "changed by a caller"
    a["ci4 on ci1"].params.iloc[0] = 99.0
    b = analyses.expected_outcomes()
    assert "changed by a caller" not in set(b["ci4 on ci1"].areas["verdict"])
    assert b["ci4 on ci1"].params.iloc[0] != 99.0 and calls == ["ci4", "ci2"]
    g = analyses.getis_ord_by_index(indices="ci2", permutations=9)
    g["ci2"].z[:] = 0.0
    assert np.abs(analyses.getis_ord_by_index(indices="ci2", permutations=9)["ci2"].z).max() > 1


def test_recomputed_results_are_identical():
    first = analyses.getis_ord_by_index(indices="ci3", permutations=99).to_frame()
    analyses.clear_cache()
    again = analyses.getis_ord_by_index(indices="ci3", permutations=99).to_frame()
    pd.testing.assert_frame_equal(first, again)


def test_warm_computes_what_the_dashboard_shows(monkeypatch):
    analyses.clear_cache()
    analyses.warm(2024)  # no map, other bands: only the expected fits apply
    seen = []
    monkeypatch.setattr(analyses, "getis_ord", lambda *a, **k: seen.append(1))
    analyses.warm(2024)
    assert not seen


def test_the_command_line_prints_the_dashboard_numbers():
    from socmob.cli import app

    res = CliRunner().invoke(app, ["place", "hotspots", "--index", "ci1", "--method", "gi",
                                   "--format", "json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["seed"] == 20250101 and out["permutations"] == 999
    got = pd.DataFrame(out["areas"]).set_index("area_id")
    g = analyses.getis_ord_by_index()["ci1"].to_frame().set_index("area_id")
    np.testing.assert_allclose(got["p_sim"], g.loc[got.index, "p_sim"], atol=1e-6)
    assert (got["spot"] == g.loc[got.index, "spot"]).all()


def test_a_failed_computation_is_not_kept():
    memo = analyses._Memo(maxsize=2)
    calls = []

    def broken():
        calls.append("broken")
        raise RuntimeError("a bug")

    with pytest.raises(RuntimeError):
        memo.get("k", broken)
    assert memo.get("k", lambda: calls.append("fixed") or 42) == 42
    assert memo.get("k", broken) == 42 and calls == ["broken", "fixed"]
    memo.get("a", lambda: 1)
    memo.get("b", lambda: 2)  # beyond maxsize: the least recently used ("k") goes
    assert memo.get("k", lambda: 43) == 43
