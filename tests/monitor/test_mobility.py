"""Mobility outcomes as mobility: rates and odds ratios rebuilt from the published cells,
checked by hand and against the release's own figures."""

from __future__ import annotations

import pytest

from socmob.errors import NotFoundError
from socmob.monitor import mobility_outcome, mobility_outcomes
from socmob.monitor.mobility import CLASS_ORDER, origin_rates


def test_occupational_outflow_table_and_rates_by_origin() -> None:
    """MO11, 2020, both sexes: from lower working-class origins the release gives
    10.9% higher professional, 21.2% lower professional, 20.3% intermediate, 17.4%
    higher working, 30.2% lower working. Every destination but the last is upward."""
    out = mobility_outcome("MO11")
    assert out.kind == "absolute rates"
    assert out.table is not None
    assert out.table.origin_labels == CLASS_ORDER
    rates = origin_rates(out.table).set_index("origin")
    lw = rates.loc["Lower working"]
    assert lw["upward"] == pytest.approx((10.9 + 21.2 + 20.3 + 17.4) / 100.0)
    assert lw["downward"] == 0
    assert lw["immobility"] == pytest.approx(30.2 / 100.0)
    assert lw["long_range_upward"] == pytest.approx((10.9 + 21.2 + 20.3) / 100.0)
    hp = rates.loc["Higher professional"]
    assert hp["upward"] == 0
    # the higher professional row sums to 100.1 as published: shares are of the row
    assert hp["immobility"] == pytest.approx(33.5 / 100.1)


def test_occupational_odds_ratio_is_exact_from_outflow_percentages() -> None:
    """Odds ratios do not change when rows are rescaled, so the published row
    percentages give the exact odds ratio: HP→HP 33.5, HP→LW 10.7, LW→HP 10.9,
    LW→LW 30.2."""
    figures = mobility_outcome("MO11").figures
    row = figures[figures["measure"].str.startswith("odds ratio")]
    assert row["value"].iloc[0] == pytest.approx((33.5 * 30.2) / (10.7 * 10.9))
    assert "derived" in row["source"].iloc[0]


def test_home_ownership_rates_imply_the_published_odds_ratio() -> None:
    """MO41: 70.943297% of children of owners and 46.183999% of children of non-owners
    own their home (25–64, 2016-20). Their odds ratio is MO42's published 2.845017."""
    figures = mobility_outcome("MO41").figures
    implied = figures[(figures["measure"] == "odds ratio implied by the two rates")
                      & (figures["group"] == "Total; age 25-64")]["value"].iloc[0]
    by_hand = (0.70943297 / (1 - 0.70943297)) / (0.46183999 / (1 - 0.46183999))
    assert implied == pytest.approx(by_hand)
    assert implied == pytest.approx(2.845017, abs=5e-6)


def test_educational_table_and_odds_ratio() -> None:
    out = mobility_outcome("MO31")
    assert out.table is not None
    degree = out.figures[out.figures["measure"] == "share with a degree"].set_index("group")
    assert degree.loc["No qualifications", "value"] == pytest.approx(0.176)
    # odds of a degree rather than no qualifications, graduate vs unqualified parents
    c = out.table.counts[0]
    assert out.figures[out.figures["measure"].str.startswith("odds ratio")]["value"].iloc[0] \
        == pytest.approx((c[0, 0] * c[3, 3]) / (c[0, 3] * c[3, 0]))


def test_every_outcome_says_what_it_is() -> None:
    outcomes = mobility_outcomes()
    assert set(outcomes) == {"MO11", "MO12", "MO21", "MO31", "MO32", "MO41", "MO42", "MO51"}
    kinds = {c: o.kind for c, o in outcomes.items()}
    assert kinds["MO12"] == kinds["MO32"] == kinds["MO42"] == "association over time"
    assert kinds["MO51"] == "level"
    for o in outcomes.values():
        assert o.statement and len(o.to_frame()) > 0
    assert "UK ranks" in outcomes["MO21"].statement


def test_only_mobility_outcomes() -> None:
    with pytest.raises(NotFoundError, match="dr32 is not a mobility outcome"):
        mobility_outcome("dr32")
