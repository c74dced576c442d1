"""Against the odds for any units from a file: each unit's leave-one-out prediction
interval against an explicit refit without it (numpy least squares), planted units found,
and bad files refused naming the row and column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from socmob.assess import against_the_odds, odds_from_file
from socmob.errors import InputError, ModelSpecError
from socmob.place.expected import AS_EXPECTED, BETTER, WORSE


def schools(n: int = 60, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    fsm = rng.uniform(5, 60, n)
    ks4 = 60 - 0.5 * fsm + rng.normal(0, 3, n)
    ks4[4] += 25   # a school far above what its intake predicts
    ks4[9] -= 25   # and one far below
    return pd.DataFrame({"urn": [f"10{i:04d}" for i in range(n)],
                         "school": [f"School {i}" for i in range(n)],
                         "fsm_pct": fsm.round(2), "ks4_score": ks4.round(3)})


def test_leave_one_out_intervals_against_an_explicit_refit():
    df = schools()
    res = against_the_odds(df, outcome="ks4_score", disadvantage="fsm_pct", unit_id="urn",
                           name="school")
    y, x = df["ks4_score"].to_numpy(), df["fsm_pct"].to_numpy()
    X = np.column_stack([np.ones(len(x)), x])
    n, p = X.shape
    t = stats.t.ppf(0.975, n - 1 - p)
    for i in (0, 4, 9, 31):
        keep = np.arange(n) != i
        beta, *_ = np.linalg.lstsq(X[keep], y[keep], rcond=None)
        resid = y[keep] - X[keep] @ beta
        s2 = resid @ resid / (n - 1 - p)
        xi = X[i]
        se = np.sqrt(s2 * (1 + xi @ np.linalg.inv(X[keep].T @ X[keep]) @ xi))
        row = res.units.iloc[i]
        assert row["expected"] == pytest.approx(xi @ beta, rel=1e-10)
        assert row["pi_lower"] == pytest.approx(xi @ beta - t * se, rel=1e-10)
        assert row["pi_upper"] == pytest.approx(xi @ beta + t * se, rel=1e-10)
        outside = not (row["pi_lower"] <= y[i] <= row["pi_upper"])
        assert (row["verdict"] != AS_EXPECTED) == outside
    verdicts = res.units.set_index("unit_id")["verdict"]
    assert verdicts["100004"] == BETTER and verdicts["100009"] == WORSE
    assert res.units.loc[4, "unit_name"] == "School 4"
    assert res.fit.params["fsm_pct"] == pytest.approx(
        np.polyfit(np.delete(x, []), y, 1)[0], rel=1e-10)
    frame = res.to_frame()
    assert frame.loc[4, "note"] == BETTER and frame.loc[4, "area_code"] == "100004"


def test_several_disadvantage_measures_from_a_file(tmp_path):
    df = schools()
    rng = np.random.default_rng(0)
    df["idaci"] = (df["fsm_pct"] / 100 + rng.normal(0, 0.05, len(df))).round(4)
    df.loc[7, "ks4_score"] = None  # missing: left out and listed
    path = tmp_path / "schools.csv"
    df.to_csv(path, index=False)
    res = odds_from_file(path, outcome="ks4_score", disadvantage=["fsm_pct", "idaci"],
                         name="school")
    assert res.fit.nobs == len(df) - 1
    assert list(res.dropped["unit_id"]) == ["100007"]
    assert int(res.dropped["row"].iloc[0]) == 9  # header is row 1
    assert res.dropped["missing"].iloc[0] == "ks4_score"
    assert res.disadvantage == ("fsm_pct", "idaci")


@pytest.mark.parametrize("edit, words", [
    (lambda d: d.assign(ks4_score=d["ks4_score"].astype(object).where(d.index != 5, "n/k")),
     "row 7, column 'ks4_score': 'n/k' is not a number"),
    (lambda d: d.assign(urn=d["urn"].where(d.index != 3, "100002")),
     "unit id '100002' appears twice (rows 4 and 5)"),
    (lambda d: d.assign(fsm_pct=d["fsm_pct"].where(d.index != 2, np.inf)),
     "column 'fsm_pct'"),
    (lambda d: d.head(5), "only 5 units have every value"),
])
def test_bad_files_name_the_row_and_column(tmp_path, edit, words):
    path = tmp_path / "units.csv"
    edit(schools()).to_csv(path, index=False)
    with pytest.raises(InputError) as info:
        odds_from_file(path, outcome="ks4_score", disadvantage="fsm_pct")
    assert words in str(info.value)
    assert "\n" not in str(info.value)


def test_unknown_columns_and_degenerate_models():
    df = schools()
    with pytest.raises(InputError, match="outcome column 'ks4' not found; did you mean "
                                         "'ks4_score'"):
        against_the_odds(df, outcome="ks4", disadvantage="fsm_pct")
    with pytest.raises(InputError, match="both the outcome and a disadvantage"):
        against_the_odds(df, outcome="ks4_score", disadvantage="ks4_score")
    with pytest.raises(ModelSpecError, match="does not vary"):
        against_the_odds(df.assign(fsm_pct=10.0), outcome="ks4_score",
                         disadvantage="fsm_pct")
