"""Trends: change in z and band, judged against the reliable-change noise scale."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError, NotFoundError
from socmob.place.trends import IMPROVED, WITHIN_NOISE, WORSENED, reliable_change_se, trends

# Five areas, two periods:  z₁ = (1, 2, 3, 4, 5), z₂ = (2, 1, 4, 3, 5).
# Deviations from the mean 3: d₁ = (−2, −1, 0, 1, 2), d₂ = (−1, −2, 1, 0, 2);
# Σd₁d₂ = 2 + 2 + 0 + 0 + 4 = 8, Σd₁² = Σd₂² = 10 → r = 8/10 = 0.8.
# Sample variances 10/4 = 2.5 each → SE_diff = √((2.5 + 2.5)(1 − 0.8)) = √1 = 1.
# Changes Δz = (1, −1, 1, −1, 0).
Z1 = [1.0, 2.0, 3.0, 4.0, 5.0]
Z2 = [2.0, 1.0, 4.0, 3.0, 5.0]
B1 = [1, 2, 4, 6, 7]
B2 = [3, 1, 4, 5, 7]
IDS = ["p", "q", "r", "s", "t"]


def _composites() -> pd.DataFrame:
    rows = []
    for i, a in enumerate(IDS):
        rows.append(("ci4", a, a.upper(), "2018 to 2020", Z1[i], B1[i]))
        rows.append(("ci4", a, a.upper(), "2021 to 2024", Z2[i], B2[i]))
    return pd.DataFrame(rows, columns=["index_code", "area_id", "area_name", "period", "z",
                                       "band"])


def test_noise_scale_by_hand():
    r, se, n = reliable_change_se(pd.Series(Z1, index=IDS), pd.Series(Z2, index=IDS))
    assert r == pytest.approx(0.8) and se == pytest.approx(1.0) and n == 5


def test_changes_bands_and_verdicts():
    res = trends(_composites())
    t = res.table.set_index("area_id")
    np.testing.assert_allclose(t["change"], [1, -1, 1, -1, 0])
    np.testing.assert_allclose(t["band_change"], [2, -1, 0, -1, 0])
    np.testing.assert_allclose(t["se_diff"], 1.0)
    # At 95%, |Δz| = 1 < 1.96 · 1: every change is within the noise.
    assert set(t["verdict"]) == {WITHIN_NOISE}
    assert t.loc["p", "critical"] == pytest.approx(1.959964, abs=1e-6)
    # At 50%, the bar is 0.674: ±1 moves count, 0 does not.
    t50 = trends(_composites(), alpha=0.5).table.set_index("area_id")
    assert list(t50["verdict"]) == [IMPROVED, WORSENED, IMPROVED, WORSENED, WITHIN_NOISE]
    assert list(res.jumps(2)["area_id"]) == ["p"]
    noise = res.noise.iloc[0]
    assert noise["r"] == pytest.approx(0.8) and noise["n"] == 5


def test_area_filter_override_and_errors():
    res = trends(_composites(), area="Q", se_diff=0.25)
    assert list(res.table["area_id"]) == ["q"]
    assert res.table["verdict"].iloc[0] == WORSENED  # |−1| / 0.25 = 4 > 1.96
    assert "q".upper() in res.summary()
    with pytest.raises(NotFoundError, match="did you mean"):
        trends(_composites(), area="pp")
    with pytest.raises(NotFoundError):
        trends(_composites(), index="ci9")
    with pytest.raises(InputError, match="both"):
        trends(_composites(), period_from="2018 to 2020")
    frame = res.to_frame()
    assert frame["period"].iloc[0] == "2018 to 2020 → 2021 to 2024"
    assert frame["lci"].iloc[0] == pytest.approx(-1 - 1.959964 * 0.25, abs=1e-6)


def test_smc_promising_prospects_band_jumps():
    from socmob.data import composites

    res = trends(composites(edition=2025), index="ci4")
    # The SMC's SoN 2025 Promising Prospects: 31 of 205 areas moved two or more bands
    # between 2018–20 and 2021–24 (counted from the published bands).
    assert len(res.jumps(2)) == 31
    noise = res.noise.iloc[0]
    # r = 0.802 between the two published ci4 periods (unit-variance z-scores), so
    # SE_diff = √(2 · 0.198) ≈ 0.63.
    assert noise["r"] == pytest.approx(0.802, abs=1e-3)
    assert noise["se_diff"] == pytest.approx(np.sqrt(2 * (1 - noise["r"])), rel=1e-3)
    assert (res.table["verdict"] == WITHIN_NOISE).sum() > 150
