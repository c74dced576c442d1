"""Area profiles (national ranks) and the national summary, checked by hand.

References: published SoN 2025 composite files (via ``socmob.data.composites()``) and
the mobility-outcome CSVs (values quoted in the comments below).
"""

from __future__ import annotations

import pandas as pd
import pytest

from socmob import data
from socmob.data import summary
from socmob.place import areas


def test_national_ranks_hand_example() -> None:
    frame = pd.DataFrame({"index_code": "ci1", "period": "p", "area_id": list("abcd"),
                          "z": [0.5, 1.2, 0.5, -2.0]})
    ranked = areas.national_ranks(frame)
    # highest z first; the tie at 0.5 shares rank 2; the next is 4
    assert ranked["rank"].tolist() == [2, 1, 2, 4]
    assert ranked["of"].tolist() == [4, 4, 4, 4]


def test_profile_rank_matches_a_count() -> None:
    prof = areas.profile("Blackpool")
    comp = data.composites()
    for row in prof.indices.itertuples(index=False):
        same = comp[(comp["index_code"] == row.index_code) & (comp["period"] == row.period)]
        assert row.rank == 1 + int((same["z"] > row.z).sum())
        assert row.of == 205
    assert len(prof.to_frame()) == 14


def test_every_composite_row_joins_one_area_and_one_polygon() -> None:
    comp = data.composites()
    reg = data.registry()
    shapes = data.boundaries("areas")
    assert len(shapes) == 205 and shapes["area_id"].is_unique
    assert set(shapes["area_id"]) == set(reg["area_id"])
    merged = comp.merge(reg[["area_id"]], on="area_id", how="left", indicator=True,
                        validate="many_to_one")
    assert (merged["_merge"] == "both").all()
    merged = comp.merge(shapes[["area_id"]], on="area_id", how="left", indicator=True,
                        validate="many_to_one")
    assert (merged["_merge"] == "both").all()
    assert comp[["area_code", "region", "nation"]].notna().all().all()
    comp24 = data.composites(edition=2024)
    assert len(comp24) == 4 * 203
    assert comp24["area_code"].notna().all()


def test_boundaries_are_valid_wgs84() -> None:
    for kind, n in (("areas", 205), ("itl2", 41), ("itl2_2025", 46)):
        shapes = data.boundaries(kind)
        assert len(shapes) == n
        assert shapes.crs.to_epsg() == 4326
        assert shapes.is_valid.all() and not shapes.is_empty.any()
        minx, miny, maxx, maxy = shapes.total_bounds
        assert minx > -9.0 and maxx < 2.0 and miny > 49.0 and maxy < 61.0  # the UK
    itl2 = data.boundaries("itl2")
    assert set(itl2["area_code"]) == set(data.registry(area_type="itl2")["area_code"])


def test_band_counts_sum_to_205() -> None:
    counts = summary.band_counts()
    assert set(counts["period"]) == {"2018 to 2024", "2021 to 2024"}
    assert counts.groupby("index_code")["areas"].sum().tolist() == [205] * 4
    assert len(counts) == 4 * 7


def test_headline_outcomes_match_source_rows() -> None:
    out = summary.headline_outcomes().set_index("label")
    assert len(out) == len(summary.HEADLINES)
    # MO12 csv: "Country","K02000001","United Kingdom","2022",…,-0.0125,…,-0.02132,-0.00368
    mo12 = out[out["measure"] == "MO12"].iloc[0]
    assert (mo12["period"], mo12["value"]) == ("2022", pytest.approx(-0.0125))
    assert mo12["lci"] == pytest.approx(-0.02132)
    # MO32 csv: United Kingdom 2020 sex "All": 4.36 (3.95, 4.80)
    mo32 = out[out["measure"] == "MO32"].iloc[0]
    assert (mo32["period"], mo32["value"]) == ("2020", pytest.approx(4.36))
    # MO41 csv: United Kingdom 25-64 "Not owned" 2016-20: 46.1839995
    mo41 = out.loc["Home ownership if parents did not own (%)"]
    assert mo41["value"] == pytest.approx(46.1839995)
    # MO11 csv: United Kingdom 1990-99 Men Upward 0.326, Women 0.349
    mo11 = out[out["measure"] == "MO11"]
    assert mo11["value"].tolist() == pytest.approx([0.326, 0.349])


@pytest.mark.parametrize(("period", "key"), [
    ("1990-99", (1999, 1990)), ("2016/20", (2020, 2016)), ("2018 to 2024", (2024, 2018)),
    ("2022", (2022, 2022)),
])
def test_period_key(period: str, key: tuple[int, int]) -> None:
    # the summary orders periods by the package's one rule: (is a time, end, start, text)
    from socmob.periods import period_key

    assert period_key(period)[1:3] == key


def test_load_filters_and_errors() -> None:
    from socmob.errors import NotFoundError

    rows = data.load("dr32", area_type="itl2")
    assert set(rows["area_type"]) == {"itl2"}
    assert rows["area_code"].str.startswith("TL").all()
    assert set(rows["edition"]) == {"son26"}  # latest edition by default
    assert set(data.load("dr32", edition="son25")["edition"]) == {"son25"}
    assert data.load("DR32").equals(data.load("dr32"))
    with pytest.raises(NotFoundError, match="did you mean"):
        data.load("dr3")
    with pytest.raises(NotFoundError, match="composite"):
        data.load("ci1")
    with pytest.raises(NotFoundError):
        data.load("dr32", period="1066")
    with pytest.raises(NotFoundError):
        data.boundaries("counties")
    # cached reads return copies
    first = data.catalog()
    first.loc[:, "title"] = "changed"
    assert (data.catalog()["title"] != "changed").all()
