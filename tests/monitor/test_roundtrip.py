"""Every published value of every indicator, in every edition, comes back unchanged
through the monitor layer: no row lost, none altered."""

from __future__ import annotations

import pandas as pd
import pytest

from socmob import data
from socmob.monitor import breakdown, editions_of, indicators, published
from socmob.monitor.analysis import series_frame

PUBLISHED = ["measure", "area_code", "area_name", "area_type", "period", "breakdown",
             "group", "value", "lci", "uci", "n", "unit", "note", "edition", "title", "age",
             "variable", "weight", "se"]

PAIRS = [(code, edition) for code in sorted(indicators()) for edition in editions_of(code)]


@pytest.mark.parametrize(("code", "edition"), PAIRS, ids=[f"{c}-{e}" for c, e in PAIRS])
def test_every_published_row_comes_back_unchanged(code: str, edition: str) -> None:
    raw = data.load(code, edition=edition)
    got = published(code, edition=edition)
    assert len(got) == len(raw)
    pd.testing.assert_frame_equal(got[PUBLISHED].reset_index(drop=True),
                                  raw[PUBLISHED].reset_index(drop=True), check_exact=True)


@pytest.mark.parametrize(("code", "edition"), PAIRS, ids=[f"{c}-{e}" for c, e in PAIRS])
def test_the_breakdowns_together_hold_every_row_once(code: str, edition: str) -> None:
    """Asking for each published breakdown in turn, over every geography, returns each
    published row exactly once, with its values unchanged in the tidy output."""
    raw = data.load(code, edition=edition)
    rows = published(code, edition=edition)
    parts = []
    for geography in sorted(set(rows["geography"].dropna())):
        here = rows[rows["geography"] == geography]
        for label in sorted({"; ".join(d) or "total" for d in here["dims"]}):
            parts.append(breakdown(code, by=label, geography=geography, edition=edition).rows)
    # rows with no geography (none in this release) would be missed: there are none
    assert rows["geography"].notna().all()
    together = pd.concat(parts, ignore_index=True)
    assert len(together) == len(raw)
    key = ["area_name", "period", "breakdown", "group", "unit", "note", "age"]
    a = together[[*key, "value", "lci", "uci", "n"]].astype(str).sort_values([*key, "value"])
    b = raw[[*key, "value", "lci", "uci", "n"]].astype(str).sort_values([*key, "value"])
    pd.testing.assert_frame_equal(a.reset_index(drop=True), b.reset_index(drop=True))


def test_tidy_output_keeps_published_intervals_apart_from_derived_ones() -> None:
    frame = series_frame(published("in11"))
    derived = frame[frame["interval"] == "derived (Wilson, n)"]
    assert len(derived) > 0
    assert derived["lci"].isna().all() and derived["uci"].isna().all()
    assert derived["lower"].notna().all() and derived["upper"].notna().all()
    published_rows = frame[frame["interval"] == "published"]
    assert (published_rows["lower"] == published_rows["lci"]).all()
