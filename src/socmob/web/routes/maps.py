"""The map: every area coloured by band on one index and period, with the same figures
as a table and as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socmob.report import views
from socmob.web.routes.base import MenuEntry, Page, csv_response, edition, render

router = APIRouter(include_in_schema=False)

#: How long browsers keep the map's geometry without asking again (it changes only with
#: the embedded data; they revalidate with its ETag after that).
GEOMETRY_MAX_AGE = 86_400
page = Page(router, MenuEntry("map", "/map", "Map"))


@router.get("/map", response_class=HTMLResponse)
def map_page(request: Request, index: str = "ci1", period: str | None = None,
             area: str = "") -> HTMLResponse:
    """The map; ``area`` (a name, district, code or typo, as in the area search)
    outlines the area it names and says where it stands, or offers close spellings."""
    indices = views.indices(edition(request))
    periods = {i["code"]: i["periods"] for i in indices}
    if index in periods and period not in periods[index]:
        period = None  # e.g. kept from another index: show the latest instead
    query = area.strip()[:100]
    matches = views.search_areas(query, edition(request)) if query else []
    chosen = matches[0] if matches and matches[0].exact else None
    panel = views.map_panel(index, period, edition(request),
                            highlight=chosen.area.id if chosen else None)
    row = None
    if chosen is not None:
        table = panel.table
        found = table[table["area_id"] == chosen.area.id]
        row = found.iloc[0].to_dict() if len(found) else None
    return render(request, "map.html", {
        "indices": indices, "panel": panel, "index": index,
        "period": panel.title.rsplit(", ", 1)[-1], "area_query": query,
        "chosen": chosen, "chosen_row": row, "matches": matches,
    }, active="map")


@router.get(views.MAP_GEOMETRY_URL)
def map_geometry(request: Request) -> Response:
    """The areas' shapes (rounded GeoJSON) that every map loads: one file, kept by the
    cache and by browsers, instead of a copy inside each page."""
    return Response(views.map_geometry_json(edition(request)),
                    media_type="application/geo+json",
                    headers={"cache-control": f"public, max-age={GEOMETRY_MAX_AGE}"})


@router.get("/map.csv")
def map_csv(request: Request, index: str = "ci1", period: str | None = None) -> Response:
    panel = views.map_panel(index, period, edition(request))
    return csv_response(panel.table, f"socmob-map-{index}.csv")
