"""Editions: revisions told apart from re-basing, on the real release and on constructed
editions either side of the rules."""

from __future__ import annotations

import pandas as pd
import pytest

from socmob.errors import NotFoundError
from socmob.monitor import editions, revisions
from socmob.monitor.editions import decimals, same_value
from socmob.monitor.series import annotate


def test_hourly_pay_of_parents_was_rebased_not_revised() -> None:
    """dr15 is in real terms: SoN 2025 gives 2014 as £19.376, SoN 2026 as £20.120 — every
    year moves by the same factor (20.120 / 19.376 = 1.0384), a new price base."""
    r = revisions("dr15")
    block = r.blocks.set_index("block").loc["total"]
    assert block["factor"] == pytest.approx(20.120 / 19.376, abs=1e-4)
    assert block["rebased"] == 11 and block["revised"] == 0
    assert "re-based by a factor of 1.0384" in r.verdict


def test_the_same_price_base_moves_the_earnings_indicators_together() -> None:
    factors = {code: revisions(code).blocks["factor"].dropna().round(4).tolist()
               for code in ("dr15", "in34", "in35", "in36")}
    assert all(f == [1.0384] for f in factors.values()), factors


def test_genuine_revisions_are_listed() -> None:
    r = revisions("dr53")  # SoN 2026 revised every year of the postgraduate series
    assert r.blocks["factor"].isna().all()
    assert len(r.revised) == 11
    first = r.revised.sort_values("time").iloc[0]
    assert (first["old_value"], first["new_value"]) == (9.313, 9.294)


def test_points_match_across_period_spellings_and_fixed_spans() -> None:
    # in11: SoN 2025 "2013" is SoN 2026 "2012/13"; dr32: period "2014-2024" vs "2014-2025"
    pairs = revisions("in11").pairs
    row = pairs[(pairs["new_time"] == "2012/13") & (pairs["group_key"] == "Total")]
    assert row["old_time"].tolist() == ["2013"]
    assert revisions("dr32").verdict.startswith("dr32: 11 points in both")


def test_placeholder_zeros_are_not_revisions() -> None:
    """in12 has no tests in 2019/20 and 2020/21: SoN 2025 leaves the value empty, SoN
    2026 writes 0 with the sample size "x". Neither is a point, so nothing is revised."""
    pairs = revisions("in12").pairs
    assert not pairs["new_time"].isin(["2019/20", "2020/21"]).any()


def test_an_indicator_in_one_edition_only() -> None:
    with pytest.raises(NotFoundError, match="dr34 is not in edition 'son26'"):
        revisions("dr34")


def test_same_value_at_the_coarser_precision() -> None:
    assert decimals(12.554) == 3 and decimals(16.0) == 0 and decimals(0.00046) == 5
    assert same_value(24.8, 24.83)
    assert not same_value(24.8, 24.7)
    assert same_value(float("nan"), float("nan"))
    assert not same_value(1.0, float("nan"))


def _edition(values: list[float], unit: str, edition: str) -> pd.DataFrame:
    n = len(values)
    return annotate(pd.DataFrame({
        "measure": "dr15", "area_code": "K02000001", "area_name": "United Kingdom",
        "area_type": "country", "period": "2014-2025", "breakdown": "year",
        "group": [str(2014 + k) for k in range(n)], "value": values, "lci": float("nan"),
        "uci": float("nan"), "n": float("nan"), "unit": unit, "note": pd.NA,
        "edition": edition, "title": "x", "age": pd.NA, "variable": pd.NA, "weight": pd.NA,
        "se": float("nan")}))


@pytest.fixture
def constructed(monkeypatch: pytest.MonkeyPatch):
    """Replace the embedded editions of dr15 by constructed ones."""
    store: dict[str, pd.DataFrame] = {}

    def fake(code: str, *, edition: str | None = None, alpha: float = 0.05) -> pd.DataFrame:
        return store[str(edition)].copy()

    monkeypatch.setattr(editions, "published", fake)
    return store


OLD = [10.00, 11.00, 12.50, 13.20, 14.00, 15.10]


def test_constructed_rebasing(constructed: dict[str, pd.DataFrame]) -> None:
    constructed["son25"] = _edition(OLD, "£", "son25")
    constructed["son26"] = _edition([round(v * 1.05, 2) for v in OLD], "£", "son26")
    r = revisions("dr15")
    assert r.blocks["factor"].iloc[0] == pytest.approx(1.05, abs=1e-3)
    assert set(r.pairs["status"]) == {"re-based"}


def test_constructed_rebasing_with_one_revision(constructed: dict[str, pd.DataFrame]) -> None:
    new = [round(v * 1.05, 2) for v in OLD]
    new[3] += 0.40
    constructed["son25"] = _edition(OLD, "£", "son25")
    constructed["son26"] = _edition(new, "£", "son26")
    r = revisions("dr15")
    assert r.pairs["status"].tolist().count("revised") == 1
    assert "and 1 revised beyond that" in r.blocks["verdict"].iloc[0]


def test_constructed_common_factor_on_percentages_is_a_revision(
        constructed: dict[str, pd.DataFrame]) -> None:
    constructed["son25"] = _edition(OLD, "Percent", "son25")
    constructed["son26"] = _edition([round(v * 1.05, 2) for v in OLD], "Percent", "son26")
    r = revisions("dr15")
    assert r.blocks["factor"].isna().all()
    assert set(r.pairs["status"]) == {"revised"}


def test_constructed_rounding_is_not_a_revision(constructed: dict[str, pd.DataFrame]) -> None:
    constructed["son25"] = _edition([round(v, 1) for v in OLD], "£", "son25")
    constructed["son26"] = _edition([v + 0.02 for v in OLD], "£", "son26")
    r = revisions("dr15")
    assert set(r.pairs["status"]) == {"unchanged"}
    assert "all unchanged" in r.verdict
