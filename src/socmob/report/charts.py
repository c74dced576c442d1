"""Charts as Vega-Lite specifications: one spec serves the web page, the notebook and
the static image (SVG/PNG via vl-convert, no browser needed).

Every builder takes the tidy frame a library function returned and gives back a
:class:`ChartSpec`: the Vega-Lite dict, the frame it plots (its data table and CSV
download), a title and a text description for assistive technology. Nothing here
computes a statistic: the values, intervals and bands come from the library.

The seven SMC bands (1 = least favourable … 7 = most favourable) are drawn with a
diverging purple–grey–orange scheme, purple for the least favourable end, orange for
the most favourable and a mid grey for "Middling". Every colour has a contrast of at
least 3:1 with the white page (WCAG 2.2, 1.4.11 non-text contrast), so no band fades
into the background, and neighbouring bands stay apart for the three common colour
vision deficiencies (tested in ``tests/web/test_map.py``). Colour is never the only
channel: labels and the table carry the same information.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import pandas as pd

from socmob.periods import sort_periods
from socmob.results import jsonable

VEGA_LITE_SCHEMA = "https://vega.github.io/schema/vega-lite/v6.json"

#: Band number → fill colour: the dark half of ColorBrewer's PuOr ramps with a neutral
#: grey in the middle, each at least 3:1 against white (see the module docstring).
BAND_COLOURS: dict[int, str] = {
    1: "#2d004b",
    2: "#542788",
    3: "#7b6cb0",
    4: "#909090",
    5: "#c76b12",
    6: "#9a4a06",
    7: "#6b2f04",
}

#: The page background the band colours are drawn on.
BACKGROUND = "#ffffff"

#: The outline of a highlighted area on a map ("highlight my area"): yellow over black,
#: visible on every band colour.
HIGHLIGHT = "#ffdd00"

#: The SMC's labels for the seven bands of the 2025 composite indices.
BAND_LABELS: dict[int, str] = {
    1: "Least Favourable",
    2: "Unfavourable",
    3: "Lower Middling",
    4: "Middling",
    5: "Upper Middling",
    6: "Favourable",
    7: "Most Favourable",
}

FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"
INK = "#0b0c0c"

_CONFIG: dict[str, Any] = {
    # the chart is one image with an accessible name, its data is in the table beside it:
    # no per-mark ARIA roles (they describe Vega's scenegraph, not the data)
    "aria": False,
    "font": FONT,
    "background": BACKGROUND,
    "view": {"stroke": None},
    "axis": {"labelColor": INK, "titleColor": INK, "labelFontSize": 12, "titleFontSize": 13,
             "gridColor": "#e5e6e7"},
    "legend": {"labelColor": INK, "titleColor": INK, "labelFontSize": 12, "titleFontSize": 13},
    "title": {"color": INK, "fontSize": 15, "anchor": "start"},
}


@dataclass(frozen=True)
class ChartSpec:
    """A Vega-Lite chart with the tidy data it plots.

    ``spec`` is plain Vega-Lite JSON (schema v6), ``data`` the table behind the chart,
    ``description`` a sentence for screen readers and the briefing's alt text.
    ``render``, when given, is the same chart with every data source inline, drawn for
    the static images where ``spec`` loads a shared file by URL (the map's geometry).
    """

    name: str
    title: str
    spec: dict[str, Any]
    data: pd.DataFrame = field(repr=False)
    description: str = ""
    render: dict[str, Any] | None = field(default=None, repr=False)

    @property
    def key(self) -> str:
        """A stable hash of the spec (cache key for static renders)."""
        return hashlib.sha256(self.to_json().encode()).hexdigest()[:16]

    def to_json(self) -> str:
        """The Vega-Lite spec as JSON text."""
        return json.dumps(self.spec, sort_keys=True, separators=(",", ":"))

    def _render_json(self) -> str:
        if self.render is None:
            return self.to_json()
        return json.dumps(self.render, sort_keys=True, separators=(",", ":"))

    def to_svg(self) -> str:
        """Static SVG (vl-convert), marked up as one image with an accessible name, its
        path coordinates to 0.1 px (:func:`compact_svg`)."""
        return _svg(self._render_json(), self.title, self.description)

    def to_png(self, *, scale: float = 2.0) -> bytes:
        """Static PNG (vl-convert) at ``scale`` × the spec's pixel size."""
        return _png(self._render_json(), scale)

    def _repr_mimebundle_(self, include: Any = None, exclude: Any = None) -> dict[str, Any]:
        """Notebook display: the Vega-Lite spec itself, with an SVG fallback."""
        return {"application/vnd.vegalite.v6+json": self.spec, "image/svg+xml": self.to_svg()}


@lru_cache(maxsize=512)
def _svg(spec_json: str, title: str, description: str) -> str:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(json.loads(spec_json))
    svg = _LINK_BASE.sub(r'\1"/', svg)
    return accessible_svg(compact_svg(svg), title=title, description=description)


#: vl-convert resolves a mark's link against its own base URL; the site's links are
#: site-absolute ("/areas/…") and are put back as such.
_LINK_BASE = re.compile(r'(xlink:href=|href=)"https://vega\.github\.io/vega-datasets//')


_PATH_DATA = re.compile(r'(\sd=")([^"]*)(")')
_DECIMAL = re.compile(r"(-?\d+\.\d)\d+")


def compact_svg(svg: str) -> str:
    """``svg`` with the numbers of its path data cut to one decimal (within 0.1 px,
    below what a screen shows), which makes a map's paths about a quarter shorter."""
    return _PATH_DATA.sub(lambda m: m.group(1) + _DECIMAL.sub(r"\1", m.group(2))
                          + m.group(3), svg)


@lru_cache(maxsize=128)
def _png(spec_json: str, scale: float) -> bytes:
    import vl_convert as vlc

    return bytes(vlc.vegalite_to_png(json.loads(spec_json), scale=scale))


def warm() -> None:
    """Start the static renderer (vl-convert's JavaScript engine: about a second, once
    per process) so that the first page with a chart does not wait for it."""
    import vl_convert as vlc

    vlc.vegalite_to_svg({"data": {"values": [{"x": 0}]}, "mark": "point",
                         "encoding": {"x": {"field": "x", "type": "quantitative"}}})


def accessible_svg(svg: str, *, title: str, description: str) -> str:
    """Make a vl-convert SVG one image for assistive technology: ``role="img"`` with an
    accessible name, and the internal ARIA roles (which describe Vega's scenegraph, not
    the data) removed so that screen readers are pointed at the data table instead."""
    svg = re.sub(r'\s(role|aria-roledescription|aria-label)="[^"]*"', "", svg)
    label = f"{title}. {description}".strip().rstrip(".") + "."
    label = label.replace("&", "&amp;").replace('"', "&quot;").replace("<", "&lt;")
    return svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)


def _records(frame: pd.DataFrame, columns: list[str]) -> list[dict[str, Any]]:
    present = [c for c in columns if c in frame.columns]
    return list(jsonable(frame[present]))


def _base(title: str, description: str, *, width: int | str = 560, height: int = 300) -> dict:
    return {
        "$schema": VEGA_LITE_SCHEMA,
        "title": title,
        "description": description,
        "width": width,
        "height": height,
        "config": _CONFIG,
    }


def _period_sort(frame: pd.DataFrame) -> list[str]:
    return sort_periods(frame["period"])


def trend_chart(
    frame: pd.DataFrame,
    *,
    name: str,
    title: str,
    y_title: str,
    series: str = "group",
    description: str = "",
) -> ChartSpec:
    """Values over ``period`` with their intervals (``lci``–``uci``) as error bars, one
    line per ``series`` (a tidy frame: period, value, lci, uci, series)."""
    data = frame.copy()
    data["period"] = data["period"].astype(str)
    order = _period_sort(data)
    has_series = series in data.columns and data[series].notna().any()
    cols = ["period", "value", "lci", "uci", *([series] if has_series else [])]
    x = {"field": "period", "type": "ordinal", "sort": order, "title": "Period",
         "axis": {"labelAngle": 0}}
    color: dict[str, Any] = (
        {"field": series, "type": "nominal", "title": series.replace("_", " ").capitalize(),
         "scale": {"scheme": "dark2"}}
        if has_series else {"value": "#1d70b8"}
    )
    tooltip = [{"field": c, "type": "quantitative" if c in {"value", "lci", "uci"}
                else "nominal"} for c in cols]
    spec = _base(title, description or f"{title}, with intervals, by period.")
    spec["data"] = {"values": _records(data, cols)}
    spec["layer"] = [
        {"mark": {"type": "rule", "strokeWidth": 2},
         "encoding": {"x": x, "y": {"field": "lci", "type": "quantitative"},
                      "y2": {"field": "uci"}, "color": color}},
        {"mark": {"type": "line", "point": {"filled": True, "size": 60}},
         "encoding": {"x": x,
                      "y": {"field": "value", "type": "quantitative", "title": y_title,
                            "scale": {"zero": False}},
                      "color": color, "tooltip": tooltip}},
    ]
    return ChartSpec(name, title, spec, data, spec["description"])


def band_legend() -> list[dict[str, Any]]:
    """The seven bands as (band, label, colour) records, for legends and tables."""
    return [{"band": b, "label": BAND_LABELS[b], "colour": BAND_COLOURS[b]} for b in range(1, 8)]


def _band_scale() -> dict[str, Any]:
    return {"domain": list(range(1, 8)), "range": [BAND_COLOURS[b] for b in range(1, 8)]}


def _band_label_scale() -> dict[str, Any]:
    """The band colours keyed by band name, so a legend reads in words, not "1…7"."""
    return {"domain": [BAND_LABELS[b] for b in range(1, 8)],
            "range": [BAND_COLOURS[b] for b in range(1, 8)]}


def choropleth(
    geojson: dict[str, Any],
    values: pd.DataFrame,
    *,
    name: str,
    title: str,
    description: str = "",
    geometry_url: str | None = None,
    inset: Sequence[str] = (),
    inset_title: str = "",
    highlight: str | None = None,
    href: str | None = "/areas/{area_id}",
) -> ChartSpec:
    """Areas coloured by SMC band (``values``: area_id, area_name, z, band, band_label,
    and optionally rank and of), joined to the GeoJSON features on
    ``properties.area_id``.

    ``inset`` (area ids) adds a second, enlarged map of those areas under the first
    (e.g. London's boroughs, specks at the scale of the UK), titled ``inset_title``.
    ``highlight`` (an area id) outlines that area on both maps. ``href`` (a pattern with
    ``{area_id}``) makes each area a link, followed on a click in the live chart and
    kept as a link in the static SVG. The legend is left to the page (one legend, in
    words, beside the map).

    With ``geometry_url`` the spec loads the geometry from that address (one cached file
    shared by every map, instead of a copy in each page and answer); the static images
    are drawn from ``geojson`` itself (:attr:`ChartSpec.render`)."""
    cols = ["area_id", "area_name", "z", "band", "band_label", "rank", "of"]
    records = _records(values, cols)
    fields = [c for c in ("area_name", "z", "band", "band_label", "rank", "of")
              if any(c in r for r in records)]
    spec = _base(title, description or f"Map of {title}; each area is shaded by its band.",
                 width=420, height=620)
    del spec["width"], spec["height"]
    inline = {"values": geojson, "format": {"type": "json", "property": "features"}}
    spec["data"] = ({"url": geometry_url, "format": {"type": "json", "property": "features"}}
                    if geometry_url else inline)
    lookup: list[dict[str, Any]] = [
        {"lookup": "properties.area_id",
         "from": {"data": {"values": records}, "key": "area_id", "fields": fields}}]
    if "rank" in fields and "of" in fields:
        lookup.append({"calculate": "datum.rank + ' of ' + datum.of", "as": "rank_text"})
        fields.append("rank_text")
    if href:  # "/areas/{area_id}" → "'/areas/' + datum.properties.area_id + ''"
        before, _, after = href.partition("{area_id}")
        lookup.append({"calculate": f"{json.dumps(before)} + datum.properties.area_id + "
                                    f"{json.dumps(after)}", "as": "href"})
        fields.append("href")
    spec["transform"] = lookup
    tooltip: list[dict[str, Any]] = [
        {"field": "area_name", "type": "nominal", "title": "Area"},
        {"field": "band_label", "type": "nominal", "title": "Band"}]
    if "rank_text" in fields:
        tooltip.append({"field": "rank_text", "type": "nominal",
                        "title": "Rank (1 = most favourable)"})
    tooltip.append({"field": "z", "type": "quantitative", "title": "z-score",
                    "format": ".2f"})
    encoding: dict[str, Any] = {
        "color": {"field": "band", "type": "ordinal", "title": "Band",
                  "scale": _band_scale(), "legend": None},
        "tooltip": tooltip,
    }
    if "href" in fields:
        encoding["href"] = {"field": "href", "type": "nominal"}
    areas_layer = {"mark": {"type": "geoshape", "stroke": BACKGROUND, "strokeWidth": 0.5,
                            **({"cursor": "pointer"} if href else {})},
                   "encoding": encoding}

    def view(ids: Sequence[str], view_title: str | None, width: int, height: int
             ) -> dict[str, Any]:
        transform: list[dict[str, Any]] = []
        if ids:
            transform.append({"filter": {"field": "properties.area_id",
                                         "oneOf": list(ids)}})
        layers: list[dict[str, Any]] = [areas_layer]
        if highlight:
            chosen = {"filter": {"field": "properties.area_id", "equal": highlight}}
            layers += [
                {"transform": [chosen], "mark": {"type": "geoshape", "filled": False,
                                                 "stroke": INK, "strokeWidth": 4}},
                {"transform": [chosen], "mark": {"type": "geoshape", "filled": False,
                                                 "stroke": HIGHLIGHT, "strokeWidth": 2}},
            ]
        out: dict[str, Any] = {"width": width, "height": height,
                               "projection": {"type": "mercator"}, "layer": layers}
        if transform:
            out["transform"] = transform
        if view_title:
            out["title"] = {"text": view_title, "fontSize": 13}
        return out

    if inset:
        spec["vconcat"] = [view((), None, 420, 620),
                           view(inset, inset_title or "Inset", 420, 340)]
        spec["spacing"] = 16
    else:
        spec.update(view((), None, 420, 620))
    render = {**spec, "data": inline} if geometry_url else None
    return ChartSpec(name, title, spec, values, spec["description"], render)


def index_periods_chart(frame: pd.DataFrame, *, name: str, title: str) -> ChartSpec:
    """An area's z-scores on each index across periods, points coloured by band
    (``frame``: index_title, period, z, band, band_label)."""
    data = frame.copy()
    data["period"] = data["period"].astype(str)
    cols = ["index_title", "period", "z", "band", "band_label"]
    spec = _base(title, f"{title}: z-score on each index by period; 0 is the UK average.",
                 width=260, height=160)
    spec["data"] = {"values": _records(data, cols)}
    spec["facet"] = {"field": "index_title", "type": "nominal", "title": None,
                     "header": {"labelFontSize": 13, "labelColor": INK}}
    spec["columns"] = 2
    del spec["width"], spec["height"]
    spec["spec"] = {
        "width": 260, "height": 160,
        "layer": [
            {"mark": {"type": "rule", "color": "#505a5f", "strokeDash": [4, 3]},
             "encoding": {"y": {"datum": 0}}},
            {"mark": {"type": "line", "color": "#505a5f"},
             "encoding": {"x": {"field": "period", "type": "ordinal", "title": None,
                                "axis": {"labelAngle": -30}},
                          "y": {"field": "z", "type": "quantitative", "title": "z-score"}}},
            {"mark": {"type": "point", "filled": True, "size": 90, "stroke": INK,
                      "strokeWidth": 0.8},
             "encoding": {"x": {"field": "period", "type": "ordinal"},
                          "y": {"field": "z", "type": "quantitative"},
                          "color": {"field": "band_label", "type": "ordinal",
                                    "title": "Band", "scale": _band_label_scale()},
                          "tooltip": [
                              {"field": "index_title", "type": "nominal", "title": "Index"},
                              {"field": "period", "type": "nominal", "title": "Period"},
                              {"field": "z", "type": "quantitative", "title": "z-score",
                               "format": ".2f"},
                              {"field": "band_label", "type": "nominal", "title": "Band"}]}},
        ],
    }
    return ChartSpec(name, title, spec, data, spec["description"])


def interval_chart(
    frame: pd.DataFrame,
    *,
    name: str,
    title: str,
    label: str,
    x_title: str,
    highlight: str | None = None,
    description: str = "",
) -> ChartSpec:
    """Point estimates with intervals, one row per ``label`` (``frame``: label, value,
    lci, uci); the row equal to ``highlight`` is drawn darker."""
    data = frame.copy()
    cols = [label, "value", "lci", "uci"]
    height = max(60, 22 * len(data))
    spec = _base(title, description or f"{title}: estimates with intervals.", height=height,
                 width=420)
    data["_highlight"] = data[label].astype(str) == str(highlight) if highlight else False
    spec["data"] = {"values": _records(data, [*cols, "_highlight"])}
    y = {"field": label, "type": "nominal", "title": None, "sort": None,
         "axis": {"labelLimit": 320}}
    colour = {"condition": {"test": "datum._highlight", "value": "#d4351c"}, "value": "#1d70b8"}
    spec["layer"] = [
        {"mark": {"type": "rule", "strokeWidth": 2},
         "encoding": {"y": y, "x": {"field": "lci", "type": "quantitative"},
                      "x2": {"field": "uci"}, "color": colour}},
        {"mark": {"type": "point", "filled": True, "size": 70},
         "encoding": {"y": y, "x": {"field": "value", "type": "quantitative",
                                     "title": x_title, "scale": {"zero": False}},
                      "color": colour,
                      "tooltip": [{"field": c, "type": "nominal"} for c in cols]}},
    ]
    return ChartSpec(name, title, spec, data.drop(columns="_highlight"), spec["description"])


def bar_chart(
    frame: pd.DataFrame,
    *,
    name: str,
    title: str,
    x: str,
    y: str,
    x_title: str,
    y_title: str,
    colour_by_band: bool = False,
    description: str = "",
) -> ChartSpec:
    """Vertical bars of ``y`` by ``x`` (ordinal); bands coloured with the band scale."""
    data = frame.copy()
    spec = _base(title, description or f"{title}.", width=420, height=220)
    spec["data"] = {"values": _records(data, list(data.columns))}
    colour: dict[str, Any] = (
        {"field": x, "type": "ordinal", "scale": _band_scale(), "legend": None}
        if colour_by_band else {"value": "#1d70b8"}
    )
    spec["mark"] = {"type": "bar", "stroke": INK, "strokeWidth": 0.5}
    spec["encoding"] = {
        "x": {"field": x, "type": "ordinal", "title": x_title, "axis": {"labelAngle": 0}},
        "y": {"field": y, "type": "quantitative", "title": y_title},
        "color": colour,
        "tooltip": [{"field": x, "type": "ordinal"}, {"field": y, "type": "quantitative"}],
    }
    return ChartSpec(name, title, spec, data, spec["description"])


def outflow_chart(frame: pd.DataFrame, *, name: str, title: str) -> ChartSpec:
    """Outflow percentages as stacked bars, one bar per origin adding up to 100
    (``frame``: origin, destination, value in %; categories in the frame's order)."""
    data = frame.copy()
    origins = list(dict.fromkeys(data["origin"].astype(str)))
    destinations = list(dict.fromkeys(data["destination"].astype(str)))
    spec = _base(title, f"{title}: for each origin, the share going to each destination.",
                 width=420, height=max(120, 36 * len(origins)))
    spec["data"] = {"values": _records(data, ["origin", "destination", "value"])}
    spec["mark"] = {"type": "bar", "stroke": BACKGROUND, "strokeWidth": 0.5}
    spec["encoding"] = {
        "y": {"field": "origin", "type": "nominal", "title": "Origin", "sort": origins,
              "axis": {"labelLimit": 160}},
        "x": {"field": "value", "type": "quantitative", "title": "Share of the origin (%)",
              "stack": "zero", "scale": {"domain": [0, 100]}},
        "color": {"field": "destination", "type": "nominal", "title": "Destination",
                  "sort": destinations, "scale": {"scheme": "dark2"},
                  "legend": {"orient": "bottom", "columns": 2}},
        "order": {"field": "destination_order", "type": "quantitative"},
        "tooltip": [{"field": "origin", "type": "nominal", "title": "Origin"},
                    {"field": "destination", "type": "nominal", "title": "Destination"},
                    {"field": "value", "type": "quantitative", "title": "%",
                     "format": ".1f"}],
    }
    spec["transform"] = [{"calculate": f"indexof({json.dumps(destinations)}, "
                                       "datum.destination)", "as": "destination_order"}]
    return ChartSpec(name, title, spec, data, spec["description"])


def compare_chart(frame: pd.DataFrame, *, name: str, title: str,
                  focus: str | None = None) -> ChartSpec:
    """z-scores of several areas on each index (latest period): one row per index
    (``frame``: area_name, index_title, z, band, band_label, and optionally rank).

    Up to five areas get a colour and a shape each (named in the legend); with more, the
    ``focus`` area (an area name) is drawn as a large black diamond and the others as
    grey dots, so a region's many areas stay readable."""
    data = frame.copy()
    cols = ["area_name", "index_title", "period", "z", "band", "band_label", "rank"]
    spec = _base(title, f"{title}: latest z-score of each area on each index.",
                 width=420, height=max(120, 40 * data["index_title"].nunique()))
    spec["data"] = {"values": _records(data, cols)}
    tooltip = [{"field": "area_name", "type": "nominal", "title": "Area"},
               {"field": "index_title", "type": "nominal", "title": "Index"},
               {"field": "z", "type": "quantitative", "title": "z-score", "format": ".2f"},
               {"field": "band_label", "type": "nominal", "title": "Band"}]
    if "rank" in data.columns:
        tooltip.append({"field": "rank", "type": "quantitative", "title": "Rank"})
    y = {"field": "index_title", "type": "nominal", "title": None,
         "axis": {"labelLimit": 160}}
    x = {"field": "z", "type": "quantitative", "title": "z-score (0 = UK average)"}
    zero = {"mark": {"type": "rule", "color": "#505a5f", "strokeDash": [4, 3]},
            "encoding": {"x": {"datum": 0}}}
    if data["area_name"].nunique() <= 5:
        spec["layer"] = [zero, {
            "mark": {"type": "point", "filled": True, "size": 110, "stroke": INK,
                     "strokeWidth": 0.6},
            "encoding": {"y": y, "x": x,
                         "color": {"field": "area_name", "type": "nominal", "title": "Area",
                                   "scale": {"scheme": "dark2"},
                                   "legend": {"orient": "bottom", "columns": 1}},
                         "shape": {"field": "area_name", "type": "nominal", "title": "Area"},
                         "tooltip": tooltip}}]
        return ChartSpec(name, title, spec, data, spec["description"])
    is_focus = f"datum.area_name === {json.dumps(focus)}" if focus else "false"
    spec["layer"] = [
        zero,
        {"transform": [{"filter": f"!({is_focus})"}],
         "mark": {"type": "point", "filled": True, "size": 60, "color": "#6f777b",
                  "opacity": 0.8},
         "encoding": {"y": y, "x": x, "tooltip": tooltip}},
        {"transform": [{"filter": is_focus}],
         "mark": {"type": "point", "filled": True, "size": 180, "shape": "diamond",
                  "color": INK},
         "encoding": {"y": y, "x": x, "tooltip": tooltip}},
    ]
    if focus:
        spec["description"] = (f"{title}: latest z-score on each index; {focus} is the "
                               "black diamond, the other areas grey dots.")
    return ChartSpec(name, title, spec, data, spec["description"])


__all__ = [
    "BAND_COLOURS",
    "BAND_LABELS",
    "ChartSpec",
    "accessible_svg",
    "band_legend",
    "bar_chart",
    "choropleth",
    "compact_svg",
    "compare_chart",
    "index_periods_chart",
    "interval_chart",
    "trend_chart",
]
