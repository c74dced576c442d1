"""Property tests (hypothesis): identities every table must satisfy."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from socmob.tables import (
    MobilityTable,
    absolute_mobility,
    altham_index,
    corner_odds_ratio,
    inflow_table,
    local_odds_ratios,
    outflow_table,
)

SETTINGS = settings(max_examples=35, deadline=None)


@st.composite
def square_tables(draw: st.DrawFn, *, min_count: int = 0) -> MobilityTable:
    k = draw(st.integers(2, 6))
    layers = draw(st.integers(1, 4))
    counts = draw(arrays(np.int64, (layers, k, k), elements=st.integers(min_count, 500))).astype(
        float
    )
    counts[:, 0, 0] += 1  # every layer non-empty
    return MobilityTable.from_array(counts, layer_labels=[f"L{i}" for i in range(layers)])


@SETTINGS
@given(square_tables())
def test_rates_add_up(table: MobilityTable) -> None:
    a = absolute_mobility(table)
    r = a.rates
    np.testing.assert_allclose(r["immobility"] + r["upward"] + r["downward"], 1.0)
    np.testing.assert_allclose(r["total_mobility"], 1.0 - r["immobility"])
    np.testing.assert_allclose(r["short_range_upward"] + r["long_range_upward"], r["upward"])
    np.testing.assert_allclose(r["short_range_downward"] + r["long_range_downward"], r["downward"])
    np.testing.assert_allclose(a.by_distance.sum(axis=1), 1.0)
    # structural mobility never exceeds total mobility (at least Δ must move)
    assert np.all(r["structural"] <= r["total_mobility"] + 1e-12)
    for m in a.lci:
        assert np.all(a.lci[m] <= r[m] + 1e-12) and np.all(r[m] <= a.uci[m] + 1e-12)


@SETTINGS
@given(square_tables())
def test_outflow_rows_and_inflow_columns_sum_to_100(table: MobilityTable) -> None:
    out = outflow_table(table).percent
    inflow = inflow_table(table).percent
    rows = np.nansum(out, axis=2)
    cols = np.nansum(inflow, axis=1)
    row_n = outflow_table(table).base
    col_n = inflow_table(table).base
    np.testing.assert_allclose(rows[row_n > 0], 100.0)
    np.testing.assert_allclose(cols[col_n > 0], 100.0)


@SETTINGS
@given(square_tables(min_count=1), st.floats(0.01, 1000.0))
def test_scaling_counts_leaves_odds_ratios_unchanged(table: MobilityTable, c: float) -> None:
    scaled = MobilityTable.from_array(table.counts * c, layer_labels=table.layer_labels)
    np.testing.assert_allclose(
        local_odds_ratios(scaled).log_odds_ratio, local_odds_ratios(table).log_odds_ratio,
        atol=1e-9,
    )  # fmt: skip
    np.testing.assert_allclose(
        corner_odds_ratio(scaled).log_odds_ratio, corner_odds_ratio(table).log_odds_ratio,
        atol=1e-9,
    )  # fmt: skip
    np.testing.assert_allclose(altham_index(scaled).value, altham_index(table).value, atol=1e-8)
    # ... and the rates, which are proportions
    np.testing.assert_allclose(
        absolute_mobility(scaled).rates["upward"], absolute_mobility(table).rates["upward"]
    )


@SETTINGS
@given(square_tables(min_count=1), st.randoms(use_true_random=False))
def test_permuting_layers_permutes_results(table: MobilityTable, rnd) -> None:
    perm = list(range(table.n_layers))
    rnd.shuffle(perm)
    permuted = MobilityTable.from_array(
        table.counts[perm], layer_labels=[table.layer_labels[i] for i in perm]
    )
    k = table.n_layers
    idx = perm + ([k] if table.is_layered else [])  # pooled group stays last
    a, b = absolute_mobility(table), absolute_mobility(permuted)
    assert b.groups == tuple(a.groups[i] for i in idx)
    for m in a.rates:
        np.testing.assert_allclose(b.rates[m], a.rates[m][idx])
    np.testing.assert_allclose(
        local_odds_ratios(permuted).log_odds_ratio, local_odds_ratios(table).log_odds_ratio[idx]
    )
    np.testing.assert_allclose(altham_index(permuted).value, altham_index(table).value[idx])


@SETTINGS
@given(square_tables())
def test_long_roundtrip(table: MobilityTable) -> None:
    long = table.to_frame()
    back = MobilityTable.from_long(long, layer="layer" if table.is_layered else None)
    if not table.is_layered:
        back = MobilityTable.from_array(back.counts, layer_labels=table.layer_labels)
    np.testing.assert_array_equal(back.counts, table.counts)
