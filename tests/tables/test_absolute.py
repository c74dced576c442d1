"""Absolute mobility rates, outflow and inflow tables.

References: hand derivations on small tables (written out below); base-R descriptives of
the Glass (1954), Hauser (1979) and Yamaguchi (1987) tables (tests/results/tables/
classic_tables.R, data from vcdExtra 0.8.2); R descriptives of Hazelrigg & Garnier
(1976) from the project's reference set.
"""

from __future__ import annotations

import importlib.util
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from socmob.errors import InputError, ModelSpecError
from socmob.tables import (
    MobilityTable,
    absolute_mobility,
    inflow_table,
    outflow_table,
)

sys.path.insert(0, str(Path(__file__).resolve().parent))
_spec = importlib.util.spec_from_file_location(
    "tables_refs", Path(__file__).resolve().parent / "_refs.py"
)
assert _spec and _spec.loader
refs = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(refs)

# Hand table (origin rows, destination columns, class 1 = top), N = 100:
#        1   2   3
#   1 [ 10,  5,  5]     row total 20
#   2 [ 10, 20, 10]     row total 40
#   3 [  5, 15, 20]     row total 40
# diagonal 10+20+20 = 50            -> immobility 0.50, total mobility 0.50
# upward (j < i): n21 + n31 + n32 = 10+5+15 = 30 -> 0.30
# downward (j > i): n12 + n13 + n23 = 5+5+10 = 20 -> 0.20
# long-range up (i-j >= 2): n31 = 5 -> 0.05; long-range down: n13 = 5 -> 0.05
# short-range up: n21 + n32 = 25 -> 0.25; short-range down: n12 + n23 = 15 -> 0.15
# origin margin (20, 40, 40), destination margin (25, 40, 35):
# structural = ½(|20-25| + |40-40| + |40-35|)/100 = 0.05; exchange = 0.50 - 0.05 = 0.45
HAND = np.array([[10, 5, 5], [10, 20, 10], [5, 15, 20]], dtype=float)


def test_hand_rates() -> None:
    a = absolute_mobility(MobilityTable.from_array(HAND))
    expected = {
        "immobility": 0.50,
        "total_mobility": 0.50,
        "upward": 0.30,
        "downward": 0.20,
        "long_range_upward": 0.05,
        "long_range_downward": 0.05,
        "short_range_upward": 0.25,
        "short_range_downward": 0.15,
        "structural": 0.05,
        "exchange": 0.45,
    }
    for measure, value in expected.items():
        assert a.rate(measure) == pytest.approx(value, abs=1e-12), measure
    # distances +2, +1, 0, -1, -2 (origin index - destination index)
    assert a.distances == (2, 1, 0, -1, -2)
    np.testing.assert_allclose(a.by_distance[0], [0.05, 0.25, 0.50, 0.15, 0.05])


def test_hand_wilson_interval() -> None:
    # Wilson 95% for p = 0.3, n = 100, z = 1.959964, z² = 3.841459:
    # centre = (0.3 + z²/200) / (1 + z²/100) = 0.3192073/1.0384146 = 0.3073987
    # half   = z·sqrt(0.0021 + z²/40000) / 1.0384146 = 1.959964·0.0468619/1.0384146 = 0.0884498
    # -> (0.2189489, 0.3958485); R 4.2.2: prop.test(30, 100, correct = FALSE)$conf.int
    # = 0.2189488529 0.3958485463
    a = absolute_mobility(MobilityTable.from_array(HAND))
    g = 0
    assert a.lci["upward"][g] == pytest.approx(0.2189488529, abs=1e-9)
    assert a.uci["upward"][g] == pytest.approx(0.3958485463, abs=1e-9)


def test_hand_outflow_inflow() -> None:
    t = MobilityTable.from_array(HAND)
    out = outflow_table(t).percent[0]
    # row 1: 10/20, 5/20, 5/20 -> 50, 25, 25; row 3: 5/40, 15/40, 20/40 -> 12.5, 37.5, 50
    np.testing.assert_allclose(out[0], [50, 25, 25])
    np.testing.assert_allclose(out[2], [12.5, 37.5, 50])
    inflow = inflow_table(t).percent[0]
    # column 1 total 25: 10/25, 10/25, 5/25 -> 40, 40, 20
    np.testing.assert_allclose(inflow[:, 0], [40, 40, 20])


def test_weighted_intervals_use_kish_effective_n() -> None:
    # Two cells per person weight: everyone in cell (1,1) weight 2, others weight 1.
    # Hand microdata: origin/destination pairs with weights.
    frame = pd.DataFrame(
        {
            "o": [1, 1, 2, 2, 2, 2],
            "d": [1, 2, 1, 2, 2, 2],
            "w": [2.0, 1.0, 1.0, 1.0, 1.0, 2.0],
        }
    )
    t = MobilityTable.from_microdata(frame, origin="o", destination="d", weight="w")
    # Σw = 8, Σw² = 4+1+1+1+1+4 = 12 -> Kish n_eff = 64/12 = 5.333...
    a = absolute_mobility(t)
    assert t.is_weighted
    assert a.n[0] == pytest.approx(8.0)
    assert a.n_effective[0] == pytest.approx(64 / 12)
    # immobility = (2 + 1 + 1 + 2)/8 = 0.75 (cells (1,1) and (2,2))
    assert a.rate("immobility") == pytest.approx(0.75)
    # the Wilson interval is computed with m = 5.333, not 8 and not 6
    z = 1.959963984540054
    m = 64 / 12
    p = 0.75
    centre = (p + z * z / (2 * m)) / (1 + z * z / m)
    half = z * np.sqrt(p * (1 - p) / m + z * z / (4 * m * m)) / (1 + z * z / m)
    assert a.lci["immobility"][0] == pytest.approx(centre - half)
    # a design effect of 2 halves the effective n
    assert absolute_mobility(t, design_effect=2).n_effective[0] == pytest.approx(m / 2)


def test_rates_need_square_table() -> None:
    with pytest.raises(ModelSpecError, match="square"):
        absolute_mobility(MobilityTable.from_array(np.ones((2, 3))))
    with pytest.raises(InputError):
        absolute_mobility(MobilityTable.from_array(HAND), alpha=1.5)


@pytest.mark.parametrize("name", ["glass", "hauser", "yamaguchi"])
def test_classic_tables_against_r(name: str) -> None:
    table = refs.classic_table(name)
    ref = refs.classic_reference(name)
    a = absolute_mobility(table)
    out = outflow_table(table)
    inflow = inflow_table(table)
    for g, layer in enumerate(a.groups):
        for m in (
            "immobility",
            "upward",
            "downward",
            "long_range_upward",
            "long_range_downward",
            "structural",
        ):
            assert a.rates[m][g] == pytest.approx(refs.ref_value(ref, layer, m), rel=1e-12)
        for m in ("immobility", "upward", "downward"):
            assert a.lci[m][g] == pytest.approx(refs.ref_value(ref, layer, m + "_lci"), rel=1e-9)
            assert a.uci[m][g] == pytest.approx(refs.ref_value(ref, layer, m + "_uci"), rel=1e-9)
        k = table.n_origin
        np.testing.assert_allclose(out.percent[g], refs.ref_matrix(ref, layer, "outflow", k))
        np.testing.assert_allclose(
            out.lci[g], refs.ref_matrix(ref, layer, "outflow_lci", k), rtol=1e-9
        )
        np.testing.assert_allclose(
            out.uci[g], refs.ref_matrix(ref, layer, "outflow_uci", k), rtol=1e-9
        )
        np.testing.assert_allclose(inflow.percent[g], refs.ref_matrix(ref, layer, "inflow", k))


def test_glass_published_counts() -> None:
    # Glass (1954) as given in vcdExtra's help page ("a 5 x 5 table on the occupations of
    # 3500 British fathers and their sons"), categories in order of status (1) Professional
    # & High Administrative ... (5) Semi- & Unskilled Manual; the file must keep that order
    t = refs.classic_table("glass")
    assert t.total == 3500
    assert t.origin_labels[0] == "Professional"


def test_hazelrigg_garnier_against_r() -> None:
    t = refs.hg_table()
    ref = refs.hg_reference()
    a = absolute_mobility(t)
    out = outflow_table(t)
    inflow = inflow_table(t)
    keys = {
        "immobility": "immobility_rate",
        "upward": "upward_rate",
        "downward": "downward_rate",
        "long_range_upward": "long_range_upward_rate_dist_ge2",
        "long_range_downward": "long_range_downward_rate_dist_ge2",
        "structural": "structural_mobility_dissimilarity",
    }
    for g, group in enumerate(a.groups):
        d = ref["pooled_descriptives"] if group == "all" else ref["per_layer"][group]
        for ours, theirs in keys.items():
            assert a.rates[ours][g] == pytest.approx(d["absolute"][theirs], rel=1e-10)
        by_dist = d["absolute"]["rate_by_distance_dest_minus_origin"]
        for k, dist in enumerate(a.distances):
            # reference key is destination - origin = -(our origin - destination)
            assert a.by_distance[g, k] == pytest.approx(by_dist[str(-dist)], abs=1e-12)
        np.testing.assert_allclose(out.percent[g] / 100, d["outflow_row_proportions"])
        np.testing.assert_allclose(inflow.percent[g] / 100, d["inflow_column_proportions"])


def test_tidy_frame() -> None:
    t = MobilityTable.from_array(np.stack([HAND, 2 * HAND]), layer_labels=["a", "b"])
    frame = absolute_mobility(t).to_frame()
    assert list(frame.columns[:12]) == [
        "measure", "area_code", "area_name", "period", "breakdown", "group",
        "value", "lci", "uci", "n", "unit", "note",
    ]  # fmt: skip
    up = frame[(frame.measure == "upward")].set_index("group")["value"]
    assert up.to_dict() == pytest.approx({"a": 30.0, "b": 30.0, "all": 30.0})
    out = outflow_table(t).to_frame()
    assert len(out) == 3 * 9
    assert {"origin", "destination"} <= set(out.columns)


@pytest.mark.r
def test_r_script_reproduces_stored_references(tmp_path) -> None:
    rscript = shutil.which("Rscript")
    if rscript is None:
        pytest.skip("R is not installed")
    check = subprocess.run(
        [rscript, "-e", "quit(status = !requireNamespace('vcdExtra', quietly = TRUE))"],
        capture_output=True,
    )
    if check.returncode != 0:
        pytest.skip("R package vcdExtra is not installed")
    repo = Path(__file__).resolve().parents[2]
    subprocess.run(
        [rscript, "tests/results/tables/classic_tables.R", str(tmp_path)],
        cwd=repo,
        check=True,
        capture_output=True,
    )
    fresh = pd.read_csv(tmp_path / "classic_tables_reference.csv")
    stored = pd.read_csv(refs.CLASSIC_REF)
    pd.testing.assert_frame_equal(fresh, stored)


def test_non_square_wong_table_against_r() -> None:
    # Wong (2010) education (4) × occupation (5): outflow/inflow are defined, rates are not
    from socmob.tables import describe

    t = refs.wong_table()
    ref = refs.wong_reference()
    assert not t.is_square
    assert describe(t).absolute is None
    out, inflow = outflow_table(t), inflow_table(t)
    for g, group in enumerate(t.layer_labels):
        d = ref["per_layer"][group]
        np.testing.assert_allclose(out.percent[g] / 100, d["outflow_row_proportions"])
        np.testing.assert_allclose(inflow.percent[g] / 100, d["inflow_column_proportions"])
