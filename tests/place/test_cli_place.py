"""``socmob place …`` commands: outputs in every format, checked against the library and
hand-derivable facts; bad input gives one line on stderr and exit code 2."""

from __future__ import annotations

import io
import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from socmob.cli import app

runner = CliRunner(env={"COLUMNS": "200"})  # tables read whole, whatever the caller's width


def run(*args: str):
    return runner.invoke(app, ["place", *args])


def test_hotspots_json_matches_library_and_is_reproducible():
    from socmob.data import boundaries, composites
    from socmob.place.spatial import contiguity_weights, index_values, local_moran

    args = ("hotspots", "--index", "ci1", "--period", "2018 to 2024", "--permutations", "99",
            "--seed", "5", "--correction", "fdr", "--format", "json")
    res = run(*args)
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["index"] == "ci1" and out["period"] == "2018 to 2024"
    assert out["correction"] == "fdr" and len(out["areas"]) == 205
    assert set(out["islands"]) >= {"Northern Ireland", "Orkney Islands", "Shetland Islands"}
    lm = local_moran(index_values(composites(), index="ci1", period="2018 to 2024"),
                     contiguity_weights(boundaries()), permutations=99, seed=5,
                     correction="fdr")
    got = pd.DataFrame(out["areas"]).set_index("area_id")
    tidy = lm.to_frame()
    assert tidy.loc[tidy["area_id"] == "bradford", "area_code"].item() == "E08000032"
    want = tidy.set_index("area_id")
    assert (got["cluster"] == want.loc[got.index, "cluster"]).all()
    np.testing.assert_allclose(got["p_adjusted"], want.loc[got.index, "p_adjusted"],
                               atol=1e-6)
    assert sum(out["counts"].values()) == 205
    assert json.loads(run(*args).stdout) == out  # same seed, same output


def test_hotspots_gi_csv_and_significant_filter():
    res = run("hotspots", "--index", "ci4", "--method", "gi", "--permutations", "99",
              "--significant", "--format", "csv")
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(io.StringIO(res.stdout))
    assert set(frame["spot"]) <= {"hot spot", "cold spot"} and len(frame) > 0
    # A hot spot has a positive Gi* z-score, a cold spot a negative one.
    assert (np.sign(frame["gi_star_z"]) == frame["spot"].map({"hot spot": 1,
                                                               "cold spot": -1})).all()


def test_hotspots_table_and_summaries():
    res = run("hotspots", "--index", "ci2", "--permutations", "49", "--significant")
    assert res.exit_code == 0, res.output
    assert "Local Moran clusters — ci2 2018 to 2024" in res.stdout
    from socmob.data import boundaries, composites
    from socmob.place.spatial import contiguity_weights, getis_ord, index_values

    g = getis_ord(index_values(composites(), index="ci2"), contiguity_weights(boundaries()),
                  permutations=49, seed=2)
    text = g.summary()
    assert text.startswith("Getis–Ord Gi* — ci2 2018 to 2024")
    assert sum(g.counts().values()) == 205


def test_moran_csv_has_every_index():
    res = run("moran", "--permutations", "99", "--format", "csv")
    assert res.exit_code == 0, res.output
    frame = pd.read_csv(io.StringIO(res.stdout))
    assert list(frame["index"]) == ["ci1", "ci2", "ci3", "ci4"]
    assert list(frame["period"]) == ["2018 to 2024"] * 3 + ["2021 to 2024"]
    assert (frame["expected"].round(6) == round(-1 / 204, 6)).all()  # E[I] = −1/(n − 1)
    assert (frame["moran_i"] > 0.3).all()


def test_expected_json_and_table():
    res = run("expected", "--outcome", "ci4", "--predictors", "ci1", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["model"]["periods"] == {"ci4": "2021 to 2024", "ci1": "2018 to 2024"}
    areas = pd.DataFrame(out["areas"])
    assert len(areas) == 205 and sum(out["model"]["verdicts"].values()) == 205
    outside = (areas["observed"] < areas["pi_lower"]) | (areas["observed"] > areas["pi_upper"])
    assert ((areas["verdict"] != "as expected") == outside).all()
    table = run("expected", "--predictors", "ci1,ci2", "--notable")
    assert table.exit_code == 0 and "better than expected" in table.stdout


def test_peers_all_formats():
    res = run("peers", "Bradford", "--k", "5", "--on", "ci1,ci2,ci3", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["area_name"] == "Bradford" and len(out["peers"]) == 5
    assert "bradford" not in [p["area_id"] for p in out["peers"]]
    assert [c["index"] for c in out["comparison"]] == ["ci1", "ci2", "ci3", "ci4"]
    assert all(c["group_size"] == 6 for c in out["comparison"])
    csv = pd.read_csv(io.StringIO(run("peers", "Bradford", "-k", "3", "-f", "csv").stdout))
    assert csv["peers"].str.count(";").eq(2).all()
    assert run("peers", "Bradford", "-k", "3").exit_code == 0


def test_trends_area_and_all():
    res = run("trends", "Bradford", "--index", "ci4", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    (row,) = out["changes"]
    assert row["area_name"] == "Bradford" and row["period_to"] == "2021 to 2024"
    assert row["change"] == pytest.approx(row["z_to"] - row["z_from"], abs=1e-6)
    jumps = run("trends", "--all", "--index", "ci4", "--jumps", "2", "--format", "csv")
    assert jumps.exit_code == 0, jumps.output
    assert len(pd.read_csv(io.StringIO(jumps.stdout))) == 31  # SMC: 31 areas moved ≥ 2 bands


def test_weights_lists_the_islands():
    res = run("weights", "--format", "json")
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert len(out["islands"]) == 6 and out["island_links"]["Isle of Wight"] == ["Portsmouth"]


@pytest.mark.parametrize(("args", "message"), [
    (("peers", "Bradferd"), "did you mean 'Bradford'"),
    (("trends", "Nowhereshire"), "no SoN 2025 area"),
    (("hotspots", "--index", "ci9"), "unknown index 'ci9'"),
    (("hotspots", "--period", "2018 to 2023"), "did you mean '2018 to 2024'"),
    (("moran", "--index", "ci1", "--period", "1999"), "unknown period"),
    (("expected", "--predictors", "ci4"), "cannot also be a predictor"),
    (("expected", "--outcome", "pp"), "unknown index 'pp'"),
    (("peers", "Bradford", "--k", "500"), "only 204 other areas"),
    (("trends",), "give an AREA or --all"),
    (("hotspots", "--alpha", "2"), "alpha"),
])
def test_bad_input_one_line_exit_2(args, message):
    res = run(*args)
    assert res.exit_code == 2
    assert message in res.stderr
    assert len(res.stderr.strip().splitlines()) == 1
    assert "Traceback" not in res.output
    assert res.stdout == ""
