"""Income scenarios on microdata: checked against the IGE, rank-rank slope, P(Q5|Q1) and
absolute mobility computed by hand (numpy/scipy) on the transformed incomes, against
socmob.income on the same incomes, the paired bootstrap against socmob.income's own
replicates, and DuckDB against Spark."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from scipy.stats import rankdata

from socmob.assess import income_impact, parse_scenario
from socmob.assess.scenario import ScenarioError
from socmob.income import income_mobility

STATS = ("ige", "rank_slope", "p_top_given_bottom", "absolute_mobility")


def pairs(n: int = 400, seed: int = 7, ties: bool = True) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    z1 = rng.standard_normal(n)
    z2 = 0.45 * z1 + math.sqrt(1 - 0.45**2) * rng.standard_normal(n)
    parent = np.exp(10 + 0.6 * z1)
    child = np.exp(10.1 + 0.7 * z2)
    if ties:
        parent, child = np.round(parent, -3), np.round(child, -3)
        child[rng.random(n) < 0.04] = 0.0  # a mass of zeros
    return pd.DataFrame({"parent_income": parent, "child_income": child,
                         "w": rng.choice([0.5, 1.0, 2.0], size=n)})


def scenario(**income) -> object:
    return parse_scenario({"income": {"transfer": {"add": 2000}, "pass_through": 0.4,
                                      "bootstrap": 40, **income}}).income


def weighted_midranks(v: np.ndarray, w: np.ndarray) -> np.ndarray:
    """100·[W(< v) + W(= v)/2]/W by sorting, as Chetty et al. (2014) pool ties."""
    _, inverse = np.unique(v, return_inverse=True)
    W = np.bincount(inverse, weights=w)
    below = np.cumsum(W) - W
    return 100 * (below + W / 2)[inverse] / w.sum()


def wls_slope(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> float:
    mx, my = np.average(x, weights=w), np.average(y, weights=w)
    return float(np.sum(w * (x - mx) * (y - my)) / np.sum(w * (x - mx) ** 2))


def by_hand(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> dict[str, float]:
    rx, ry = weighted_midranks(x, w), weighted_midranks(y, w)
    pos = (x > 0) & (y > 0)
    qx = np.minimum(np.floor(rx * 5 / 100), 4)
    qy = np.minimum(np.floor(ry * 5 / 100), 4)
    q1 = qx == 0
    return {"ige": wls_slope(np.log(x[pos]), np.log(y[pos]), w[pos]),
            "rank_slope": wls_slope(rx, ry, w),
            "p_top_given_bottom": float(w[q1 & (qy == 4)].sum() / w[q1].sum()),
            "absolute_mobility": float(w[y > x].sum() / w.sum())}


def transformed(df: pd.DataFrame, *, add: float = 2000.0, percent: float | None = None,
                pass_through: float = 0.4, quintiles=(1,), includes: bool = True,
                weighted: bool = False) -> tuple[np.ndarray, np.ndarray]:
    x, y = df["parent_income"].to_numpy(), df["child_income"].to_numpy()
    w = df["w"].to_numpy() if weighted else np.ones(len(df))
    q = np.minimum(np.floor(weighted_midranks(x, w) * 5 / 100), 4) + 1
    gain = np.where(np.isin(q, quintiles), x * percent / 100 if percent is not None else add,
                    0.0)
    return (x + gain if includes else x), y + pass_through * gain


def values(res, world: str) -> dict[str, float]:
    t = res.table.set_index("measure")
    return {m: float(t.loc[m, world]) for m in STATS}


def test_unweighted_by_hand_with_scipy_ranks():
    """Unweighted, the mid-rank is scipy's average rank: R = 100·(rank − ½)/n."""
    df = pairs(ties=False)
    res = income_impact(df, scenario())
    x2, y2 = transformed(df)
    n = len(df)
    rx, ry = 100 * (rankdata(x2) - 0.5) / n, 100 * (rankdata(y2) - 0.5) / n
    assert values(res, "scenario")["rank_slope"] == pytest.approx(
        np.polyfit(rx, ry, 1)[0], rel=1e-12)
    assert values(res, "scenario")["ige"] == pytest.approx(
        np.polyfit(np.log(x2), np.log(y2), 1)[0], rel=1e-12)
    x, y = df["parent_income"].to_numpy(), df["child_income"].to_numpy()
    assert values(res, "baseline")["rank_slope"] == pytest.approx(
        np.polyfit(100 * (rankdata(x) - 0.5) / n, 100 * (rankdata(y) - 0.5) / n, 1)[0],
        rel=1e-12)
    for m, v in by_hand(x2, y2, np.ones(n)).items():
        assert values(res, "scenario")[m] == pytest.approx(v, rel=1e-12, abs=1e-15), m


@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("options", [
    {},
    {"transfer": {"percent": 15}, "quintiles": [1, 2], "pass_through": 0.0},
    {"parent_income_includes_transfer": False, "pass_through": 1.0},
])
def test_by_hand_with_ties_zeros_and_weights(weighted, options):
    df = pairs()
    change = scenario(**options)
    res = income_impact(df, change, weight="w" if weighted else None)
    w = df["w"].to_numpy() if weighted else np.ones(len(df))
    x2, y2 = transformed(df, add=change.amount if change.op == "add" else 0,
                         percent=change.amount if change.op == "percent" else None,
                         pass_through=change.pass_through, quintiles=change.quintiles,
                         includes=change.parent_income_includes_transfer, weighted=weighted)
    x, y = df["parent_income"].to_numpy(), df["child_income"].to_numpy()
    for world, (a, b) in (("baseline", (x, y)), ("scenario", (x2, y2))):
        for m, v in by_hand(a, b, w).items():
            assert values(res, world)[m] == pytest.approx(v, rel=1e-10, abs=1e-14), (world, m)
    recipients = np.isin(np.minimum(np.floor(weighted_midranks(x, w) * 5 / 100), 4) + 1,
                         change.quintiles)
    assert res.recipients == int(recipients.sum())
    assert res.recipient_share == pytest.approx(w[recipients].sum() / w.sum())


@pytest.mark.parametrize("weighted", [False, True])
def test_the_same_as_socmob_income_on_the_transformed_incomes(weighted):
    df = pairs()
    res = income_impact(df, scenario(), weight="w" if weighted else None)
    x2, y2 = transformed(df, weighted=weighted)
    weight = "w" if weighted else None
    base = income_mobility(df, parent="parent_income", child="child_income", weight=weight,
                           progress=False)
    scen = income_mobility(df.assign(parent_income=x2, child_income=y2),
                           parent="parent_income", child="child_income", weight=weight,
                           progress=False)
    for world, ref in (("baseline", base), ("scenario", scen)):
        d = ref.to_dict()
        for m in STATS:
            assert values(res, world)[m] == pytest.approx(d[m], rel=1e-10), (world, m)
        t = res.table.set_index("measure")
        assert t.loc["expected_rank_p25", world] == pytest.approx(
            ref.rank_fit.params.iloc[0] + 25 * ref.rank_fit.params.iloc[1], rel=1e-10)


@pytest.mark.parametrize("exact", [True, False])
def test_baseline_replicates_are_socmob_incomes_and_the_pairs_share_them(exact, monkeypatch):
    """The baseline replicates are those of socmob.income's bootstrap with the same seed
    (the same rows in the same buckets with the same multipliers) — row by row, and in
    random buckets — so the scenario's replicates are paired with them."""
    if not exact:
        import socmob.income.bootstrap as boot

        monkeypatch.setattr(boot, "EXACT_ROWS", 100)
    df = pairs(n=600)
    res = income_impact(df, scenario(bootstrap=30, seed=9), weight="w")
    ref = income_mobility(df, parent="parent_income", child="child_income", weight="w",
                          bootstrap=30, seed=9, progress=False)
    reps = ref.bootstrap.replicates
    assert (res.buckets is None) == exact and ref.bootstrap.buckets == res.buckets
    for m in STATS:
        np.testing.assert_allclose(res.replicates[f"{m}_b"], reps[m], rtol=1e-9, atol=1e-12)


def test_the_point_estimates_do_not_depend_on_the_bootstrap():
    df = pairs()
    a = income_impact(df, scenario(bootstrap=0), weight="w")
    b = income_impact(df, scenario(bootstrap=25), weight="w")
    cols = ["baseline", "scenario", "change"]
    np.testing.assert_allclose(a.table[cols].to_numpy(float), b.table[cols].to_numpy(float),
                               rtol=1e-12, atol=1e-15)
    assert a.bootstrap == 0 and a.buckets is None and a.table["change_lower"].isna().all()
    assert (a.recipients, a.recipient_share) == (b.recipients, b.recipient_share)


def test_no_transfer_changes_nothing_exactly():
    df = pairs()
    res = income_impact(df, parse_scenario(
        {"income": {"transfer": {"add": 0}, "pass_through": 0.5, "bootstrap": 20}}).income)
    t = res.table
    assert (t["change"] == 0).all() and (t["baseline"] == t["scenario"]).all()
    for m in STATS:
        assert (res.replicates[f"{m}_s"] == res.replicates[f"{m}_b"]).all()
    assert (t["verdict"] == "no change").all() and not res.flags()


def test_pairing_makes_the_change_precise():
    """A small transfer moves every replicate by little: the interval of the change is
    far narrower than that of either world (unpaired, it would be wider than both)."""
    df = pairs(n=2000, ties=False)
    res = income_impact(df, scenario(transfer={"add": 200}, bootstrap=100))
    t = res.table.set_index("measure")
    for m in ("rank_slope", "ige"):
        width = t.loc[m, "change_upper"] - t.loc[m, "change_lower"]
        base = t.loc[m, "baseline_upper"] - t.loc[m, "baseline_lower"]
        assert width < 0.25 * base, m
        assert t.loc[m, "change_lower"] <= t.loc[m, "change"] <= t.loc[m, "change_upper"]
    ci = res.conf_int(0.05)
    assert ci.loc["rank_slope", "lower"] == pytest.approx(t.loc["rank_slope", "change_lower"])


def test_a_cut_that_makes_incomes_negative_is_refused():
    with pytest.raises(ScenarioError, match=r"key 'income.transfer'.*makes \d+ parent "
                                            r"incomes and \d+ child incomes negative"):
        income_impact(pairs(), scenario(transfer={"add": -1e6}, pass_through=0.5))


def test_flags_and_tidy_rows():
    res = income_impact(pairs(), scenario())
    frame = res.to_frame()
    assert list(frame["measure"]) == ["ige", "rank_slope", "p_top_given_bottom",
                                      "absolute_mobility", "expected_rank_p25"]
    worse = res.table[res.table["verdict"] == "less mobility"]["title"].tolist()
    assert [f.where for f in res.flags()] == worse


@pytest.mark.spark
def test_duckdb_and_spark_agree(spark_con, tmp_path):
    from socmob.engine import connect
    from socmob.engine.readers import read_table

    path = tmp_path / "pairs.parquet"
    pairs(n=1500).to_parquet(path, index=False)
    change = scenario(transfer={"percent": 12}, quintiles=[1, 2], bootstrap=25, seed=4)
    results = {}
    for name, con in (("duckdb", connect("duckdb")), ("spark", spark_con)):
        for weight in (None, "w"):
            results[name, weight] = income_impact(read_table(str(path), con=con), change,
                                                  weight=weight)
    for weight in (None, "w"):
        a, b = results["duckdb", weight], results["spark", weight]
        cols = ["baseline", "scenario", "baseline_lower", "scenario_upper"]
        np.testing.assert_allclose(a.table[cols].to_numpy(float), b.table[cols].to_numpy(float),
                                   rtol=1e-9, atol=1e-12)
        # a change is a difference of two close numbers summed in another order by each
        # engine: equal to 1e-9 of the measure's own size
        level = np.abs(a.table["baseline"].to_numpy(float))[:, None]
        changes = ["change", "change_lower", "change_upper"]
        assert (np.abs(a.table[changes].to_numpy(float) - b.table[changes].to_numpy(float))
                <= 1e-9 * np.maximum(level, 1e-3)).all()
        np.testing.assert_allclose(a.replicates.to_numpy(), b.replicates.to_numpy(),
                                   rtol=1e-9, atol=1e-12)
        assert a.recipients == b.recipients
