"""Unidiff class tables: the truth (odds ratios = φ_k × those of ψ) and its recovery."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob.cli import app
from socmob.errors import InputError
from socmob.synth import synth_unidiff_table
from socmob.synth.classes import distance_pattern


def test_expected_tables_have_unidiff_odds_ratios_and_margins():
    t = synth_unidiff_table(phi=[1.0, 0.5], classes=4, n_per_layer=[1000, 3000],
                            origin_shares=[0.1, 0.2, 0.3, 0.4], seed=1)
    for k in range(2):
        mu = t.expected[k]
        # margins fitted by IPF
        np.testing.assert_allclose(mu.sum(axis=1), np.array([0.1, 0.2, 0.3, 0.4]) * mu.sum())
        np.testing.assert_allclose(mu.sum(axis=0), mu.sum() / 4)
        # every log odds ratio is φ_k(ψ_ij + ψ_i'j' − ψ_ij' − ψ_i'j)
        lor = math.log(mu[0, 0] * mu[3, 3] / (mu[0, 3] * mu[3, 0]))
        assert lor == pytest.approx(t.log_odds_ratio(k, 0, 0, 3, 3))
    # distance pattern: corners (0,0),(3,3) vs (0,3),(3,0): ψ = 0 + 0 − (−1) − (−1) = 2,
    # times scale 4 → 8 for φ = 1 and 4 for φ = ½
    assert t.log_odds_ratio(0, 0, 0, 3, 3) == pytest.approx(8.0)
    assert t.log_odds_ratio(1, 0, 0, 3, 3) == pytest.approx(4.0)
    assert distance_pattern(3)[0, 2] == pytest.approx(-1.0)


def test_sampled_counts_recover_the_odds_ratio():
    # adjacent-cell log odds ratio with φ = 1, scale 4, 5 classes: ψ(0,0)+ψ(1,1)−ψ(0,1)−ψ(1,0)
    # = 0 + 0 + 1/16 + 1/16 → 0.5. SE of a sample log OR = √Σ1/n (Woolf) ≈ 0.03 at
    # n = 200 000 per layer; tolerance 4 SE.
    t = synth_unidiff_table(phi=[1.0], n_per_layer=200_000, seed=3)
    counts = t.counts.pivot(index="origin", columns="destination", values="count").to_numpy()
    cells = counts[:2, :2].astype(float)
    lor = math.log(cells[0, 0] * cells[1, 1] / (cells[0, 1] * cells[1, 0]))
    se = math.sqrt((1 / cells).sum())
    assert lor == pytest.approx(0.5, abs=4 * se)
    assert t.counts["count"].sum() == 200_000 and t.counts["synthetic"].all()


def test_bad_arguments():
    with pytest.raises(InputError, match="psi"):
        synth_unidiff_table(psi=[[1.0]])
    with pytest.raises(InputError, match="origin_shares"):
        synth_unidiff_table(classes=3, origin_shares=[1.0, 2.0])


def test_cli_synth_mobility(tmp_path):
    out = tmp_path / "table.csv"
    res = CliRunner().invoke(app, ["synth", "mobility", "--out", str(out), "--phi", "1,0.7",
                                   "--classes", "3", "--n-per-layer", "500", "--format",
                                   "json"])
    assert res.exit_code == 0, res.output
    payload = json.loads(res.stdout)
    assert payload["synthetic"] is True and payload["phi"] == [1.0, 0.7]
    frame = pd.read_csv(out)
    assert frame.groupby("layer")["count"].sum().tolist() == [500, 500]
    bad = CliRunner().invoke(app, ["synth", "mobility", "--out", str(tmp_path / "x.csv"),
                                   "--phi", "1,abc"])
    assert bad.exit_code == 2 and "--phi" in bad.stderr
    assert not (tmp_path / "x.csv").exists()


def test_labels_and_non_square_tables_keep_their_shape():
    from socmob.tables import MobilityTable

    with pytest.raises(InputError, match="labels must be 3 distinct labels"):
        synth_unidiff_table(classes=3, labels=["a", "b"])
    # 3 origin × 4 destination classes: both default to class_1.., sharing 3 labels, and
    # the table read back is still 3 × 4 (not merged into a square table)
    psi = -np.abs(np.subtract.outer(np.arange(3.0), np.arange(4.0)))
    t = synth_unidiff_table(phi=[1.0], psi=psi, n_per_layer=2000, seed=2)
    table = MobilityTable.from_long(t.counts, layer="layer")
    assert table.shape == (1, 3, 4) and not table.is_square
    named = synth_unidiff_table(phi=[1.0], psi=psi, n_per_layer=2000, seed=2,
                                labels=["low", "mid", "high"],
                                destination_labels=["w", "x", "y", "z"])
    assert named.destination_labels == ("w", "x", "y", "z")
    np.testing.assert_array_equal(named.counts["count"], t.counts["count"])
