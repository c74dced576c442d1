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


# --------------------------------------------------------------------------- bands

def _linear(hex_colour: str) -> list[float]:
    """sRGB → linear RGB (IEC 61966-2-1, as in WCAG 2.x's relative luminance)."""
    out = []
    for i in (1, 3, 5):
        c = int(hex_colour[i:i + 2], 16) / 255
        out.append(c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4)
    return out


def _luminance(hex_colour: str) -> float:
    r, g, b = _linear(hex_colour)
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def _contrast(a: str, b: str) -> float:
    """WCAG 2.x contrast ratio (L1 + 0.05) / (L2 + 0.05)."""
    hi, lo = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


#: Colour vision deficiency simulation matrices for linear RGB, severity 1.0 (Machado,
#: Oliveira & Fernandes 2009, "A physiologically-based model for simulation of color
#: vision deficiency", IEEE TVCG 15(6), table of matrices).
CVD = {
    "normal": ((1, 0, 0), (0, 1, 0), (0, 0, 1)),
    "protanopia": ((0.152286, 1.052583, -0.204868), (0.114503, 0.786281, 0.099216),
                   (-0.003882, -0.048116, 1.051998)),
    "deuteranopia": ((0.367322, 0.860646, -0.227968), (0.280085, 0.672501, 0.047413),
                     (-0.011820, 0.042940, 0.968881)),
    "tritanopia": ((1.255528, -0.076749, -0.178779), (-0.078411, 0.930809, 0.147602),
                   (0.004733, 0.691367, 0.303900)),
}


def _lab(rgb: list[float]) -> tuple[float, float, float]:
    """Linear sRGB → CIELAB (D65)."""
    r, g, b = (min(max(v, 0.0), 1.0) for v in rgb)
    x = (0.4124 * r + 0.3576 * g + 0.1805 * b) / 0.95047
    y = 0.2126 * r + 0.7152 * g + 0.0722 * b
    z = (0.0193 * r + 0.1192 * g + 0.9505 * b) / 1.08883

    def f(t: float) -> float:
        return t ** (1 / 3) if t > 0.008856 else 7.787 * t + 16 / 116

    return 116 * f(y) - 16, 500 * (f(x) - f(y)), 200 * (f(y) - f(z))


def _delta_e(a: str, b: str, matrix) -> float:
    """CIE76 colour difference of ``a`` and ``b`` as seen through ``matrix``."""
    la, lb = ([sum(m * c for m, c in zip(row, _linear(h), strict=True)) for row in matrix]
              for h in (a, b))
    return sum((p - q) ** 2 for p, q in zip(_lab(la), _lab(lb), strict=True)) ** 0.5


def test_every_band_colour_stands_out_from_the_page():
    """WCAG 2.2 1.4.11: a graphical object needs 3:1 against what is next to it."""
    from socmob.report.charts import BACKGROUND, BAND_COLOURS

    assert BACKGROUND == "#ffffff"
    for band, colour in BAND_COLOURS.items():
        assert _contrast(colour, BACKGROUND) >= 3.0, (band, colour)


@pytest.mark.parametrize("vision", sorted(CVD))
def test_bands_stay_apart_for_colour_blind_readers(vision):
    """Any two bands differ by ΔE*ab ≥ 10 (clearly distinguishable side by side) for
    normal vision and simulated protanopia, deuteranopia and tritanopia."""
    from socmob.report.charts import BAND_COLOURS

    colours = list(BAND_COLOURS.values())
    for i, a in enumerate(colours):
        for b in colours[i + 1:]:
            assert _delta_e(a, b, CVD[vision]) >= 10, (vision, a, b)


def test_the_stylesheet_uses_the_same_band_colours():
    from pathlib import Path

    from socmob.report.charts import BAND_COLOURS

    scss = (Path(__file__).resolve().parents[2] / "src" / "socmob" / "web" / "static" / "scss"
            / "socmob.scss").read_text()
    found = re.search(r"\$socmob-bands: \((.*?)\);", scss).group(1)
    pairs = dict(re.findall(r"(\d): (#[0-9a-f]{6})", found))
    assert {int(k): v for k, v in pairs.items()} == BAND_COLOURS


# --------------------------------------------------------------------------- the page

def test_the_map_has_one_legend_a_london_inset_rank_and_links(client, needs_data):
    r = client.get("/map", params={"index": "ci1"})
    spec = _spec(r.text)
    uk, london = spec["vconcat"]
    assert uk["layer"][0]["encoding"]["color"]["legend"] is None  # the page's key only
    assert r.text.count('class="socmob-band-legend"') == 1
    london_ids = set(london["transform"][-1]["filter"]["oneOf"])
    assert {"tower_hamlets", "hackney", "camden_and_city_of_london"} <= london_ids
    assert len(london_ids) == 32  # 33 boroughs, Camden and the City of London as one
    lookup, rank_text, href = spec["transform"]
    tower = next(x for x in lookup["from"]["data"]["values"] if x["area_id"] == "tower_hamlets")
    assert tower["of"] == 205 and 1 <= tower["rank"] <= 205
    assert rank_text == {"calculate": "datum.rank + ' of ' + datum.of", "as": "rank_text"}
    assert href == {"calculate": '"/areas/" + datum.properties.area_id + ""', "as": "href"}
    assert uk["layer"][0]["encoding"]["href"] == {"field": "href", "type": "nominal"}
    titles = [t["title"] for t in uk["layer"][0]["encoding"]["tooltip"]]
    assert "Rank (1 = most favourable)" in titles
    # without JavaScript: each area of the static SVG is a link to its profile
    svg = r.text[r.text.index("<svg"):r.text.index("</svg>")]
    assert 'xlink:href="/areas/tower_hamlets"' in svg
    assert "vega-datasets" not in svg


def test_ranks_on_the_map_follow_the_z_scores(client, needs_data):
    """Rank 1 is the highest z-score of the index and period (national_ranks)."""
    from socmob import data

    frame = data.composites()
    rows = frame[(frame["index_code"] == "ci1")]
    latest = rows[rows["period"] == sorted(rows["period"].unique())[-1]]
    best = latest.sort_values("z", ascending=False).iloc[0]
    worst = latest.sort_values("z").iloc[0]
    r = client.get("/map", params={"index": "ci1"})
    table = r.text[r.text.index('id="map-table"'):]
    by_area = dict(re.findall(r'href="/areas/[^"]+">([^<]+)</a></th>\s*<td[^>]*>.*?</td>\s*'
                              r'<td[^>]*>(\d+ of \d+)</td>', table, re.S))
    assert len(by_area) == len(latest)
    assert by_area[best["area_name"]] == f"1 of {len(latest)}"
    assert by_area[worst["area_name"]] == f"{len(latest)} of {len(latest)}"


@pytest.mark.parametrize("query", ["Fenland", "E07000008", "Cambridgeshire"])
def test_highlight_my_area(client, needs_data, query):
    r = client.get("/map", params={"index": "ci1", "area": query})
    assert r.status_code == 200
    spec = _spec(r.text)
    layers = spec["vconcat"][0]["layer"]
    assert layers[-1]["transform"][0]["filter"]["equal"] == "cambridgeshire_cc"
    note = re.search(r'<div class="govuk-inset-text" id="map-highlight".*?</div>', r.text, re.S)
    text = re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", note.group(0)))
    assert "Cambridgeshire CC is outlined in yellow" in text
    assert re.search(r"ranked \d+ of 205", text)
    assert 'href="/areas/cambridgeshire_cc"' in note.group(0)


def test_highlight_with_a_typo_offers_did_you_mean(client, needs_data):
    r = client.get("/map", params={"index": "ci1", "area": "blackpol"})
    assert "Did you mean" in r.text and "area=blackpool" in r.text
