"""Place impact: hand-worked checks of the replay (an empty scenario changes nothing,
exactly; one standard deviation added to one indicator in one unit moves the scores by
what the normalisation and weights imply, derived here in numpy), monotonicity as a
property, the paired Monte Carlo, and bad scenarios refused naming the key and line."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from socmob.assess import areas_model, itl2_model, parse_scenario
from socmob.assess.models import INDEX_CODE, ITL2_STEPS
from socmob.assess.place import fifth_gap, fifths, place_impact, resolve_place
from socmob.assess.scenario import ScenarioError
from socmob.place.banding import band_2025

RUNS = 300


def impact(doc: dict, runs: int = RUNS, seed: int = 1):
    s = parse_scenario(doc)
    model = areas_model() if s.place.level == "areas" else itl2_model()
    return place_impact(resolve_place(s.place, model), runs=runs, seed=seed)


# ----------------------------------------------------------------------------- nothing


@pytest.mark.parametrize("level", ["areas", "itl2"])
def test_an_empty_scenario_changes_nothing_exactly(level):
    res = impact({"place": {"level": level}})
    u = res.units
    for col in ("z_change", "z_change_lower", "z_change_upper", "rank_change",
                "rank_change_lower", "rank_change_upper", "band_change", "p_band_up",
                "p_band_down"):
        assert (u[col] == 0).all(), col
    assert (u["z_scenario"] == u["z_baseline"]).all()
    assert (u["rank_scenario"] == u["rank_baseline"]).all()
    assert not res.flags
    for col in ("score_up", "score_down", "rank_up", "rank_down", "band_up", "band_down",
                "fifth_gap_change", "spread_change"):
        assert (res.overall[col] == 0).all(), col
    assert all(not d.any() for d in res.draws.values())
    assert res.drivers.empty


def test_the_baseline_is_the_published_data():
    from socmob.data import composites

    res = impact({"place": {"level": "areas"}})
    comp = composites(edition=2025)
    for index, period in areas_model().periods.items():
        pub = comp[(comp["index_code"] == index) & (comp["period"] == period)]
        pub = pub.set_index("area_id")
        mine = res.units[res.units["index_code"] == index].set_index("unit_id")
        assert (mine["z_baseline"] == pub["z"].reindex(mine.index)).all()
        assert (mine["band_baseline"] == pub["band"].reindex(mine.index)).all()
        # rank 1 = highest z, ties share the smallest rank (counted by hand)
        z = pub["z"].reindex(mine.index).to_numpy()
        ranks = np.array([1 + (z > v).sum() for v in z])
        assert (mine["rank_baseline"].to_numpy() == ranks).all()


# ----------------------------------------------------------------------------- one SD


def test_one_sd_on_one_published_index_in_one_area():
    model = areas_model()
    z = model.values["ci1"].to_numpy()
    sd = z.std(ddof=1)
    res = impact({"place": {"changes": [{"index": "ci1", "add": float(sd),
                                         "target": {"areas": "Blackpool"}}]}})
    u = res.units[res.units["index_code"] == "ci1"].set_index("unit_id")
    assert u.loc["blackpool", "z_change"] == pytest.approx(sd, abs=1e-15)
    assert (u.drop(index="blackpool")["z_change"] == 0).all()
    new = z.copy()
    new[list(model.units.index).index("blackpool")] += sd
    # ranks and bands by hand: 1 + number of areas above; bands on re-standardised z
    rank = 1 + (new > new[list(model.units.index).index("blackpool")]).sum()
    assert u.loc["blackpool", "rank_scenario"] == rank
    restd = z.mean() + sd * (new - new.mean()) / new.std(ddof=1)
    assert (u["band_scenario"].to_numpy() == band_2025(np.round(restd, 12))).all()


def _hand_zscore(x: np.ndarray, direction: int) -> np.ndarray:
    d = direction * x
    return (d - d.mean()) / d.std(ddof=1)


def test_one_sd_on_one_indicator_in_one_region_zscore_mean():
    """ITL2 model, z-scores and an equal-weight mean: adding s (the indicator's SD) to
    region a moves every region's ci1 score by ((xᵢ′ − m′)/s′ − (xᵢ − m)/s)/4, divided by
    the baseline SD of the scores (the yardstick)."""
    model = itl2_model()
    codes = model.indicators_of("ci1")
    assert len(codes) == 4 and not model.values[codes].isna().any().any()
    dirs = model.indicators.loc[codes, "direction"].to_numpy()
    X = model.values[codes].to_numpy()
    S = np.mean([_hand_zscore(X[:, j], dirs[j]) for j in range(4)], axis=0)
    s0 = S.std(ddof=1)
    a = list(model.units.index).index("itl2_tees_valley_and_durham")
    x = X[:, 0].copy()
    s = x.std(ddof=1)
    x2 = x.copy()
    x2[a] += s
    expected = (_hand_zscore(x2, dirs[0]) - _hand_zscore(x, dirs[0])) / 4 / s0
    res = impact({"place": {"level": "itl2", "changes": [
        {"indicator": "dr13", "add": float(s), "target": {"areas": "TLC1"}}]}})
    u = res.units[res.units["index_code"] == "ci1"]
    np.testing.assert_allclose(u["z_change"].to_numpy(), expected, rtol=0, atol=1e-12)
    # the target's own change, spelled out: (x_a + s − m′)/s′ − (x_a − m)/s, m′ = m + s/n
    n = len(x)
    m, m2 = x.mean(), x.mean() + s / n
    s2 = np.sqrt(((x2 - m2) ** 2).sum() / (n - 1))
    own = ((x[a] + s - m2) / s2 - (x[a] - m) / s) / 4 / s0
    assert u["z_change"].iloc[a] == pytest.approx(own, abs=1e-12)
    # other indices untouched
    assert (res.units.loc[res.units["index_code"] != "ci1", "z_change"] == 0).all()


def test_one_sd_under_minmax_and_weights():
    """With min–max normalisation to [0, 100] and dr13 weighted 3 (others 1): the score is
    (3·n₁ + n₂ + n₃ + n₄)/6, nⱼ = 100·(dⱼx − min)/(max − min) on the directed values."""
    model = itl2_model()
    codes = model.indicators_of("ci1")
    dirs = model.indicators.loc[codes, "direction"].to_numpy()
    X = model.values[codes].to_numpy()
    w = np.array([3.0, 1.0, 1.0, 1.0])

    def score(M: np.ndarray) -> np.ndarray:
        cols = []
        for j in range(4):
            d = dirs[j] * M[:, j]
            cols.append(100 * (d - d.min()) / (d.max() - d.min()))
        return np.column_stack(cols) @ w / w.sum()

    S0 = np.mean([_hand_zscore(X[:, j], dirs[j]) for j in range(4)], axis=0)
    m0, s0 = S0.mean(), S0.std(ddof=1)
    a = list(model.units.index).index("itl2_cumbria")
    s = X[:, 1].std(ddof=1)  # dr14 higher professional
    X2 = X.copy()
    X2[a, 1] += s
    res = impact({"place": {"level": "itl2", "changes": [
        {"indicator": "dr14_higher_professional", "add": float(s),
         "target": {"areas": "Cumbria"}}],
        "construction": {"ci1": {"normalise": "minmax:0,100", "weights": {"dr13": 3}}}}})
    u = res.units[res.units["index_code"] == "ci1"]
    # the yardstick is the baseline's (z-scores, equal weights): z = (S − m₀)/s₀
    np.testing.assert_allclose(u["z_scenario"].to_numpy(), (score(X2) - m0) / s0, atol=1e-10)
    np.testing.assert_allclose(u["z_baseline"].to_numpy(), (S0 - m0) / s0, atol=1e-12)


# ----------------------------------------------------------------------------- monotone

_MODEL_CASES = [(index, code) for index in ("ci1", "ci2", "ci3", "ci4")
                for code in itl2_model().indicators_of(index)]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(case=st.sampled_from(_MODEL_CASES), unit=st.integers(0, 40),
       delta=st.floats(1e-3, 50.0), method=st.sampled_from(["zscore", "minmax", "rank",
                                                            "prank", "none"]),
       weights=st.lists(st.floats(0.1, 5.0), min_size=5, max_size=5))
def test_improving_an_indicator_never_lowers_its_units_score(case, unit, delta, method,
                                                             weights):
    """Under an arithmetic mean, raising an indicator the favourable way in one unit never
    lowers that unit's index score, whatever the normalisation and (positive) weights."""
    index, code = case
    model = itl2_model()
    codes = model.indicators_of(index)
    steps = list(ITL2_STEPS)
    steps[1] = steps[1].with_params(method=method)
    steps[2] = steps[2].with_params(weights=dict(zip(codes, weights, strict=False)))
    before = model.coin(index, model.values, tuple(steps))
    values = model.values.copy()
    direction = float(model.indicators.loc[code, "direction"])
    if np.isnan(values[code].iloc[unit]):
        return
    values.iloc[unit, values.columns.get_loc(code)] += direction * delta
    after = model.coin(index, values, tuple(steps))
    uid = str(model.units.index[unit])
    s0 = before.results().scores.loc[uid, INDEX_CODE]
    s1 = after.results().scores.loc[uid, INDEX_CODE]
    assert s1 >= s0 - 1e-9 * max(1.0, abs(s0))


@settings(max_examples=60, deadline=None)
@given(data=st.lists(st.lists(st.floats(-100, 100), min_size=3, max_size=3), min_size=5,
                     max_size=12, unique_by=lambda r: r[0]),
       unit=st.integers(0, 11), delta=st.floats(1e-3, 100.0),
       method=st.sampled_from(["zscore", "minmax", "rank", "none"]))
def test_monotone_on_any_coin(data, unit, delta, method):
    """The same property on arbitrary small coins (any units, three indicators)."""
    from socmob.place.composite import Coin

    frame = pd.DataFrame(data, columns=["a", "b", "c"])
    if frame["b"].nunique() < 2 or frame["c"].nunique() < 2:
        return
    unit = unit % len(frame)
    imeta = pd.DataFrame({"iCode": ["a", "b", "c", "top"], "Level": [1, 1, 1, 2],
                          "Parent": ["top", "top", "top", None], "Direction": [1, -1, 1, 1],
                          "Weight": [1, 2, 1, 1]})

    def score(f: pd.DataFrame) -> float:
        idata = f.assign(uCode=[f"u{i}" for i in range(len(f))])
        coin = (Coin.new(idata, imeta).normalise(dset="Raw", method=method)
                .aggregate(dset="Normalised"))
        return float(coin.results().scores["top"].iloc[unit])

    moved = frame.copy()
    moved.loc[unit, "a"] += delta
    assert score(moved) >= score(frame) - 1e-9


# ----------------------------------------------------------------------------- the runs


def test_paired_runs_leave_untouched_indices_and_units_exactly_alone():
    res = impact({"place": {"changes": [{"index": "ci2", "add": 0.3,
                                         "target": {"nation": "Wales"}}]}})
    assert all(not res.draws[i].any() for i in ("ci1", "ci3", "ci4"))
    u = res.units[res.units["index_code"] == "ci2"]
    wales = u["nation"] == "Wales"
    # (z + σε + 0.3) − (z + σε) in every run: 0.3 up to rounding
    np.testing.assert_allclose(u.loc[wales, "z_change_lower"], 0.3, rtol=0, atol=1e-14)
    np.testing.assert_allclose(u.loc[wales, "z_change_upper"], 0.3, rtol=0, atol=1e-14)
    assert (u.loc[~wales, ["z_change", "z_change_lower", "z_change_upper"]] == 0).all().all()
    assert int(wales.sum()) == 22


def test_the_baseline_runs_are_the_smc_rank_uncertainty():
    """The areas model's baseline runs use the SMC rank analysis' noise (σ = √(1 − r)):
    its 5% and 95% rank quantiles agree with socmob.place.smc_uncertainty's within Monte
    Carlo error."""
    from socmob.data import composites
    from socmob.place.smc_uncertainty import rank_uncertainty_from_composites

    res = impact({"place": {}}, runs=2000, seed=3)
    smc = rank_uncertainty_from_composites(composites(edition=2025), runs=2000, seed=11,
                                           indices="ci1", progress=False).table
    mine = res.units[res.units["index_code"] == "ci1"].set_index("unit_id")
    theirs = smc.set_index("area_id").reindex(mine.index)
    assert (mine["z_baseline"] == theirs["z"]).all()
    for a, b in (("rank_baseline_lower", "q05"), ("rank_baseline_upper", "q95")):
        diff = (mine[a] - theirs[b]).abs()
        assert diff.mean() < 1.5 and diff.max() < 8, (a, diff.describe())
    noise = res.noise.set_index("index_code")
    assert noise.loc["ci1", "sigma"] == pytest.approx(float(smc["sigma"].iloc[0]), abs=1e-12)


def test_the_fifth_gap_and_groups_by_hand():
    res = impact({"place": {"changes": [{"index": "ci1", "add": 0.25,
                                         "target": {"band": {"ci1": [1, 2]}}}]}})
    u = res.units[res.units["index_code"] == "ci1"]
    zb, zs = u["z_baseline"].to_numpy(), u["z_scenario"].to_numpy()
    order = np.argsort(-zb, kind="stable")
    k = round(len(zb) / 5)
    top, bottom = order[:k], order[-k:]
    row = res.overall.set_index("index_code").loc["ci1"]
    assert row["fifth_gap_baseline"] == pytest.approx(zb[top].mean() - zb[bottom].mean())
    assert row["fifth_gap_scenario"] == pytest.approx(zs[top].mean() - zs[bottom].mean())
    t, b = fifths(zb)
    assert fifth_gap(zs, t, b) == pytest.approx(row["fifth_gap_scenario"])
    assert row["units_targeted"] == int((u["band_baseline"] <= 2).sum()) == 31
    g = res.groups[(res.groups["index_code"] == "ci1") & (res.groups["group"] == "Wales")]
    assert float(g["mean_change"].iloc[0]) == pytest.approx(
        u.loc[u["nation"] == "Wales", "z_change"].mean())
    # areas that fall in the ranking or drop a band are flagged as relative losses
    kinds = {f.kind for f in res.flags}
    assert {"rank falls", "band falls"} <= kinds
    fallen = u[u["rank_change"] > 0]
    assert not fallen["targeted"].any()


def test_drivers_add_up_under_a_mean_of_z_scores():
    res = impact({"place": {"level": "itl2", "changes": [
        {"indicator": "dr13", "add": 3, "target": {"region": "Wales"}},
        {"indicator": "dr15", "percent": 5, "target": {"nation": "Scotland"}}]}})
    d = res.drivers[res.drivers["index_code"] == "ci1"].set_index("driver")
    assert list(d.index) == ["dr13", "dr15", "interaction"]
    assert abs(d.loc["interaction", "largest_gain"]) < 1e-12
    assert abs(d.loc["interaction", "largest_loss"]) < 1e-12
    total = res.units.loc[res.units["index_code"] == "ci1", "z_change"].mean()
    assert d.loc[["dr13", "dr15"], "mean_change"].sum() == pytest.approx(total, abs=1e-12)


def test_reproducible_from_the_seed():
    doc = {"place": {"level": "itl2", "changes": [
        {"indicator": "dr32", "add": -1, "target": {"all": True}}]}}
    a, b = impact(doc, seed=5), impact(doc, seed=5)
    pd.testing.assert_frame_equal(a.units, b.units)
    ci = a.conf_int(0.1)
    assert len(ci) == len(a.units)
    np.testing.assert_allclose(ci["lower"].to_numpy(), a.units["z_change_lower"].to_numpy(),
                               atol=1e-6)


# ----------------------------------------------------------------------------- refused


@pytest.mark.parametrize("doc, key, words", [
    ({"place": {"changes": [{"index": "ci1", "add": 1, "target": {"areas": ["Blackpol"]}}]}},
     "place.changes[1].target.areas", "did you mean 'Blackpool'"),
    ({"place": {"changes": [{"index": "ci9", "add": 1, "target": {"all": True}}]}},
     "place.changes[1].index", "unknown index 'ci9'"),
    ({"place": {"changes": [{"index": "dr13", "add": 1, "target": {"all": True}}]}},
     "place.changes[1].index", "published by ITL2 region"),
    ({"place": {"level": "itl2", "changes": [
        {"indicator": "dr33_higer_professional", "add": 1, "target": {"all": True}}]}},
     "place.changes[1].indicator", "did you mean 'dr33_higher_professional'"),
    ({"place": {"changes": [{"index": "ci1", "add": 1,
                             "target": {"region": "Nort West"}}]}},
     "place.changes[1].target.region", "did you mean 'North West (England)'"),
    ({"place": {"changes": [{"index": "ci1", "add": 1,
                             "target": {"where": {"ci2": {"above": 10}}}}]}},
     "place.changes[1].target", "selects no area"),
    ({"place": {"level": "itl2", "changes": [
        {"indicator": "dr13", "add": 90, "target": {"areas": "Inner London - West"}}]}},
     "place.changes[1].add", "above 100: impossible for a share"),
    ({"place": {"level": "itl2", "changes": [
        {"indicator": "dr15", "add": -100, "target": {"all": True}}]}},
     "place.changes[1].add", "below 0: impossible for an amount of money"),
    ({"place": {"level": "itl2", "changes": [
        {"indicator": "dr13", "add": 1, "target": {"areas": "Blackpool"}}]}},
     "place.changes[1].target.areas", "lies in 'Lancashire'"),
    ({"place": {"level": "itl2", "construction": {"ci1": {"weights": {"dr32": 2}}}}},
     "place.construction.ci1.weights.dr32", "not an indicator of ci1"),
    ({"place": {"level": "itl2", "construction": {"ci2": {"aggregate": "gmean"}}}},
     "place.construction.ci2", "no geometric mean"),
    ({"place": {"changes": [{"index": "ci1", "add": 1,
                             "target": {"where": {"dr32": {"above": 10}}}}]}},
     "place.changes[1].target.where.dr32.above", "not for the 205 areas"),
])
def test_bad_scenarios_are_refused_naming_the_key(doc, key, words):
    with pytest.raises(ScenarioError) as info:
        impact(doc, runs=5)
    assert info.value.problems[0].key == key, str(info.value)
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_the_itl2_model_is_validated_against_the_published_composites():
    v = itl2_model().validation().set_index("index_code")
    assert list(v.index) == ["ci1", "ci2", "ci3", "ci4"]
    assert (v["n"] == 41).all() and (v["areas"] == 205).all()
    # as stated in socmob.assess.models and docs/assess.md
    assert v["pearson"].round(2).to_dict() == {"ci1": 0.95, "ci2": 0.71, "ci3": 0.98,
                                              "ci4": 0.71}
