"""Better or worse than expected: OLS and leave-one-out prediction intervals checked
against closed-form numpy computations (explicit refits without each area)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from socmob.errors import InputError, ModelSpecError, NotFoundError
from socmob.place.expected import (
    AS_EXPECTED,
    BETTER,
    WORSE,
    closest_period,
    expected_from_composites,
    fit_expected,
)

RNG = np.random.default_rng(20251)
N = 30
X1 = np.linspace(-2, 2, N)
X2 = RNG.normal(size=N)
NOISE = RNG.normal(scale=0.3, size=N)
Y = 0.5 + 1.2 * X1 - 0.4 * X2 + NOISE
Y[4] += 3.0   # an area doing much better than its conditions predict
Y[20] -= 3.0  # and one doing much worse
IDS = [f"a{i:02d}" for i in range(N)]
DATA = pd.DataFrame({"out": Y, "c1": X1, "c2": X2}, index=IDS)


def _design(*cols: np.ndarray) -> np.ndarray:
    return np.column_stack([np.ones(len(cols[0])), *cols])


def test_coefficients_and_standard_errors_match_closed_form():
    fit = fit_expected(DATA, outcome="out", predictors=["c1", "c2"])
    x = _design(X1, X2)
    beta, *_ = np.linalg.lstsq(x, Y, rcond=None)
    e = Y - x @ beta
    n, p = x.shape
    s2 = e @ e / (n - p)
    se = np.sqrt(np.diag(s2 * np.linalg.inv(x.T @ x)))
    np.testing.assert_allclose(fit.params.to_numpy(), beta, rtol=1e-10)
    np.testing.assert_allclose(fit.bse.to_numpy(), se, rtol=1e-10)
    np.testing.assert_allclose(fit.areas["residual"], e, atol=1e-12)
    assert fit.nobs == N and fit.df_resid == N - 3
    assert fit.rsquared == pytest.approx(1 - e @ e / ((Y - Y.mean()) @ (Y - Y.mean())))
    q = stats.t.ppf(0.975, n - p)
    np.testing.assert_allclose(fit.conf_int()["lower"], beta - q * se, rtol=1e-10)
    # Internally studentised residual eᵢ/(s√(1 − hᵢᵢ)), hat values from H = X(XᵀX)⁻¹Xᵀ.
    h = np.diag(x @ np.linalg.inv(x.T @ x) @ x.T)
    np.testing.assert_allclose(fit.areas["leverage"], h, rtol=1e-10)
    np.testing.assert_allclose(fit.areas["standardised_residual"],
                               e / np.sqrt(s2 * (1 - h)), rtol=1e-10)


def test_prediction_intervals_match_explicit_leave_one_out_refits():
    fit = fit_expected(DATA, outcome="out", predictors=["c1", "c2"])
    x = _design(X1, X2)
    n, p = x.shape
    q = stats.t.ppf(0.975, n - 1 - p)
    for i in range(n):
        keep = np.arange(n) != i
        xi, yi = x[keep], Y[keep]
        b, *_ = np.linalg.lstsq(xi, yi, rcond=None)
        r = yi - xi @ b
        s = np.sqrt(r @ r / (n - 1 - p))
        pred = x[i] @ b
        half = q * s * np.sqrt(1 + x[i] @ np.linalg.inv(xi.T @ xi) @ x[i])
        row = fit.areas.iloc[i]
        assert row["expected_loo"] == pytest.approx(pred, rel=1e-9)
        assert row["pi_lower"] == pytest.approx(pred - half, rel=1e-9)
        assert row["pi_upper"] == pytest.approx(pred + half, rel=1e-9)
        # Externally studentised residual = (yᵢ − ŷ₍ᵢ₎)/(s₍ᵢ₎√(1 + xᵢᵀ(X₍ᵢ₎ᵀX₍ᵢ₎)⁻¹xᵢ)).
        t = (Y[i] - pred) / (half / q)
        assert row["studentised_residual"] == pytest.approx(t, rel=1e-9)


def test_verdicts_only_where_the_interval_excludes_the_observed_value():
    fit = fit_expected(DATA, outcome="out", predictors=["c1", "c2"])
    a = fit.areas.set_index("area_id")
    assert a.loc["a04", "verdict"] == BETTER
    assert a.loc["a20", "verdict"] == WORSE
    outside = (a["observed"] < a["pi_lower"]) | (a["observed"] > a["pi_upper"])
    assert ((a["verdict"] != AS_EXPECTED) == outside).all()
    assert (a.loc[a["verdict"] == BETTER, "observed"] > a.loc[a["verdict"] == BETTER,
                                                              "pi_upper"]).all()
    # Residual interval = observed − prediction interval, so it excludes 0 likewise.
    assert ((a["residual_lower"] > 0) | (a["residual_upper"] < 0)).eq(outside).all()


def test_constructed_case_without_outliers_is_all_as_expected():
    # y exactly linear in x except ±0.01 alternating: no residual is significant.
    x = np.arange(12, dtype=float)
    y = 1 + 2 * x + 0.01 * (-1) ** np.arange(12)
    fit = fit_expected(pd.DataFrame({"y": y, "x": x}), outcome="y", predictors=["x"])
    assert fit.verdicts() == {AS_EXPECTED: 12}
    assert fit.params["x"] == pytest.approx(2.0, abs=1e-3)


def test_bonferroni_widens_intervals_and_keeps_verdicts_consistent():
    fit = fit_expected(DATA, outcome="out", predictors=["c1", "c2"],
                       correction="bonferroni")
    plain = fit_expected(DATA, outcome="out", predictors=["c1", "c2"])
    assert (fit.areas["pi_upper"] - fit.areas["pi_lower"]
            > plain.areas["pi_upper"] - plain.areas["pi_lower"]).all()
    a = fit.areas
    outside = (a["observed"] < a["pi_lower"]) | (a["observed"] > a["pi_upper"])
    assert ((a["verdict"] != AS_EXPECTED) == outside).all()
    np.testing.assert_allclose(a["p_value"],
                               np.minimum(1, N * plain.areas["p_value"]), rtol=1e-12)


def test_missing_rows_dropped_and_bad_specs_rejected():
    data = DATA.copy()
    data.loc["a03", "c1"] = np.nan
    fit = fit_expected(data, outcome="out", predictors=["c1"])
    assert fit.dropped == ("a03",) and fit.nobs == N - 1
    with pytest.raises(InputError, match="column 'c9'"):
        fit_expected(DATA, outcome="out", predictors=["c9"])
    with pytest.raises(ModelSpecError, match="does not vary"):
        fit_expected(DATA.assign(k=1.0), outcome="out", predictors=["k"])
    with pytest.raises(ModelSpecError, match="collinear"):
        fit_expected(DATA.assign(c3=2 * DATA["c1"]), outcome="out", predictors=["c1", "c3"])
    with pytest.raises(ModelSpecError, match="too few"):
        fit_expected(DATA.head(3), outcome="out", predictors=["c1"])


def test_closest_period_by_mid_year():
    ci1 = ["2000 to 2005", "2006 to 2011", "2012 to 2017", "2018 to 2024"]
    # ci4 2021–24 (mid 2022.5) is nearest to 2018–24 (mid 2021); 2018–20 (mid 2019) too.
    assert closest_period("2021 to 2024", ci1) == "2018 to 2024"
    assert closest_period("2018 to 2020", ci1) == "2018 to 2024"
    assert closest_period("2012 to 2017", ci1) == "2012 to 2017"


def test_from_composites_table_picks_periods_and_names():
    rows = []
    for i, a in enumerate(IDS):
        rows.append(("ci4", a, "2021 to 2024", Y[i]))
        rows.append(("ci4", a, "2018 to 2020", 0.0))
        rows.append(("ci1", a, "2018 to 2024", X1[i]))
        rows.append(("ci1", a, "2012 to 2017", X2[i]))
    comp = pd.DataFrame(rows, columns=["index_code", "area_id", "period", "z"])
    comp["area_name"] = comp["area_id"].str.upper()
    fit = expected_from_composites(comp)
    assert fit.periods == {"ci4": "2021 to 2024", "ci1": "2018 to 2024"}
    beta, *_ = np.linalg.lstsq(_design(X1), Y, rcond=None)
    np.testing.assert_allclose(fit.params.to_numpy(), beta, rtol=1e-10)
    assert fit.areas["area_name"].iloc[0] == "A00"
    frame = fit.to_frame()
    assert list(frame.columns[:12]) == ["measure", "area_code", "area_name", "period",
                                        "breakdown", "group", "value", "lci", "uci", "n",
                                        "unit", "note"]
    assert "ci4 ~ ci1" in fit.summary()
    with pytest.raises(NotFoundError, match="ci4"):
        expected_from_composites(comp, outcome="ci44")
