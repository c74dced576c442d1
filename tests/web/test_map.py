"""The map: its geometry is one cached file (rounded GeoJSON) that every map loads, not
a copy inside each page; the page still draws the map without JavaScript."""

from __future__ import annotations

import json
import re

import pytest


def _spec(text: str) -> dict:
    return json.loads(re.search(r'<script type="application/json" class="socmob-spec">'
                                r"(.*?)</script>", text, re.S).group(1).replace("<\\/", "</"))


def test_the_map_page_loads_its_geometry_from_one_file(client, needs_data):
    r = client.get("/map", params={"index": "ci2"}, headers={"accept-encoding": "identity"})
    assert r.status_code == 200
    spec = _spec(r.text)
    assert spec["data"] == {"url": "/geo/areas.json",
                            "format": {"type": "json", "property": "features"}}
    assert '"coordinates"' not in r.text  # no geometry inside the page
    assert len(r.content) < 450_000  # was 826 kB with the geometry inlined
    # drawn without JavaScript: one shape per area in the static SVG
    svg = r.text[r.text.index("<svg"):r.text.index("</svg>")]
    assert svg.count("<path") >= 205


def test_the_geometry_file_is_rounded_geojson_of_every_area(client, needs_data):
    from socmob.data import boundaries

    r = client.get("/geo/areas.json")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/geo+json")
    assert r.headers["cache-control"] == "public, max-age=86400"
    geo = r.json()
    ids = [f["properties"]["area_id"] for f in geo["features"]]
    assert sorted(ids) == sorted(boundaries("areas")["area_id"])
    numbers = re.findall(r"-?\d+\.\d+", json.dumps(
        [f["geometry"]["coordinates"] for f in geo["features"]]))
    assert numbers and max(len(n.split(".")[1]) for n in numbers) <= 3
    assert client.get("/geo/areas.json", headers={
        "if-none-match": r.headers["etag"]}).status_code == 304


def test_rounding_keeps_every_area_where_it_was(needs_data):
    shapely = pytest.importorskip("shapely")
    from shapely.geometry import shape

    from socmob.data import boundaries
    from socmob.report.views import map_geometry

    exact = boundaries("areas").set_index("area_id").geometry
    for feature in map_geometry()["features"]:
        rounded = shape(feature["geometry"])
        original = exact[feature["properties"]["area_id"]]
        assert rounded.is_valid or shapely.make_valid(rounded).area > 0
        # the same place to within a rounding step (0.001° ≈ 110 m)
        assert rounded.centroid.distance(original.centroid) < 0.002
        assert abs(rounded.area - original.area) <= 0.02 * original.area + 1e-4


def test_the_api_spec_names_the_same_geometry(client, needs_data):
    spec = client.get("/api/map/spec", params={"index": "ci1"}).json()["data"]
    assert spec["data"]["url"] == "/geo/areas.json"
