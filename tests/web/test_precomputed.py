"""The every-area analyses shipped with the data (socmob.data.precomputed): made under
the current data, options and version, equal to what the library computes now, and never
served when made under anything else."""

from __future__ import annotations

import pandas as pd
import pytest

from socmob.data import precomputed
from socmob.report import adapters

REBUILD = "rebuild them with 'python scripts/build_default_data.py --analyses-only'"


@pytest.fixture(scope="module")
def shipped(needs_data):
    found = precomputed.manifest()
    if not found:
        pytest.fail(f"no analyses are shipped with the data; {REBUILD}")
    return found


def test_the_shipped_analyses_are_made_under_the_current_key(shipped):
    key = precomputed.analysis_key(adapters.analysis_options())
    assert shipped["key"] == key, f"the shipped analyses are stale; {REBUILD}"
    names = {f.removesuffix(".parquet") for f in shipped["analyses"]}
    assert {"rank_uncertainty_2025", "getis_ord_2025", "expected_2025", "trends_2025",
            "peers_2025", "expected_2024", "peers_2024"} <= names


@pytest.mark.parametrize("edition", [2025, 2024])
def test_the_shipped_analyses_equal_the_library_now(shipped, edition):
    fresh = adapters.every_area_frames(edition, names=adapters.EVERY_AREA)
    key = precomputed.analysis_key(adapters.analysis_options())
    assert fresh, edition
    for name, frame in fresh.items():
        kept = precomputed.load_analysis(name, edition, key=key)
        assert kept is not None, f"{name} {edition} is not shipped; {REBUILD}"
        pd.testing.assert_frame_equal(kept, frame.reset_index(drop=True), check_exact=False,
                                      rtol=1e-12, atol=1e-12, obj=f"{name} {edition}")


@pytest.mark.parametrize(("edition", "area_id"), [
    (2025, "blackpool"), (2025, "orkney_islands"), (2025, "tower_hamlets"),
    (2025, "northern_ireland"), (2024, "cambridgeshire_cc")])
def test_the_shipped_peers_equal_the_library_now(shipped, edition, area_id):
    from socmob.report.panels import AreaRef

    key = precomputed.analysis_key(adapters.analysis_options())
    kept = adapters.AreaIndex(precomputed.load_analysis("peers", edition, key=key))
    fresh = adapters._area_peers(edition, area_id)
    pd.testing.assert_frame_equal(kept.rows(AreaRef(area_id, "")), fresh, check_exact=False,
                                  rtol=1e-12, atol=1e-12)


def test_a_result_made_under_another_key_is_never_served(shipped):
    assert precomputed.load_analysis("getis_ord", 2025, key="another") is None
    assert precomputed.load_analysis("no_such_analysis", 2025,
                                     key=shipped["key"]) is None
    other = {**adapters.analysis_options(), "PERMUTATIONS": 99}
    assert precomputed.analysis_key(other) != shipped["key"]


def test_the_area_pages_read_the_shipped_results(shipped, monkeypatch):
    """With the shipped files current, warming computes nothing with the library."""
    def refuse(edition):
        raise AssertionError("computed although a current result is shipped")

    monkeypatch.setattr(adapters, "EVERY_AREA", dict.fromkeys(adapters.EVERY_AREA, refuse))
    monkeypatch.setattr(adapters, "_area_peers", lambda edition, area_id: refuse(edition))
    adapters.clear_cache()
    try:
        adapters.warm(2025)
        assert len(adapters.spatial_all(2025)) == 205
        from socmob.report import views

        assert views.area_profile("blackpool").peers.available
    finally:
        adapters.clear_cache()


def test_write_analyses_replaces_the_folder_at_once(tmp_path):
    frame = pd.DataFrame({"area_id": ["a", "b"], "value": [1.5, -2.0]})
    out = precomputed.write_analyses({("demo", 2025): frame}, key="k1",
                                     out=tmp_path / "analyses")
    assert sorted(p.name for p in out.iterdir()) == ["demo_2025.parquet", "manifest.json"]
    again = precomputed.write_analyses({("other", 2024): frame}, key="k2",
                                       out=tmp_path / "analyses")
    assert sorted(p.name for p in again.iterdir()) == ["manifest.json", "other_2024.parquet"]
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]
