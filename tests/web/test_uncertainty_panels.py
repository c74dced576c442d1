"""The area page's rank-interval and band-probability panels, fed by
``socmob.place.analyses.smc_rank_uncertainty`` (FastAPI TestClient, in-process)."""

from __future__ import annotations

import io
import json
import re

import numpy as np
import pandas as pd


def _section(text: str, name: str) -> str:
    start = text.index(f'<section class="govuk-!-margin-bottom-8" id="{name}"')
    return text[start:text.index("</section>", start)]


def test_blackpool_shows_rank_intervals_and_band_probabilities(client, needs_data):
    from socmob.place.analyses import smc_rank_uncertainty

    r = client.get("/areas/blackpool")
    assert r.status_code == 200
    ranks = _section(r.text, "uncertainty")
    bands = _section(r.text, "band_probabilities")
    for section in (ranks, bands):
        assert "socmob-unavailable" not in section and "not available" not in section
        assert "<table" in section
    # the plain-words note on the noise model, and that it errs on the wide side
    assert "noise is estimated" in ranks and "too wide" in ranks
    assert "Published rank" in ranks and "Median simulated rank" in ranks
    # the bands are named in words, not "P(7)"
    assert "Its chance" in bands and "Chance: Most Favourable" in bands
    assert "P(7)" not in bands and "each row adds up to 1" in bands
    # the chart: one interval per index, the dot at the published rank
    spec = json.loads(re.search(r'<script type="application/json"[^>]*>(.*?)</script>',
                                ranks, re.S).group(1))
    points = spec["data"]["values"]
    assert len(points) == 4
    lib = smc_rank_uncertainty(progress=False).area("blackpool")
    assert sorted(p["value"] for p in points) == sorted(lib["published_rank"].tolist())
    assert sorted(p["uci"] for p in points) == sorted(lib["q95"].tolist())


def test_uncertainty_downloads_match_the_library(client, needs_data):
    from socmob.place.analyses import smc_rank_uncertainty

    lib = smc_rank_uncertainty(progress=False).area("blackpool").set_index("index_code")
    ranks = pd.read_csv(io.StringIO(
        client.get("/areas/blackpool/data/uncertainty.csv").text)).set_index("index_code")
    assert list(ranks.index) == ["ci1", "ci2", "ci3", "ci4"]
    assert (ranks["measure"] == "rank").all()
    np.testing.assert_allclose(ranks["lci"], lib.loc[ranks.index, "q05"])
    np.testing.assert_allclose(ranks["uci"], lib.loc[ranks.index, "q95"])
    probs = pd.read_csv(io.StringIO(
        client.get("/areas/blackpool/data/band_probabilities.csv").text))
    probs = probs.set_index("index_code")
    cols = [f"p_band_{k}" for k in range(1, 8)]
    np.testing.assert_allclose(probs[cols].sum(axis=1), 1.0, atol=1e-9)
    np.testing.assert_allclose(probs["probability"],
                               lib.loc[probs.index, "p_published_band"])
    assert (probs["band_label"] == lib.loc[probs.index, "published_band_label"]).all()
