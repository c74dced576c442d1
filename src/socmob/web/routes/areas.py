"""The areas: the list and search, each area's profile page, and its panels as CSV."""

from __future__ import annotations

from collections.abc import Iterable

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socmob.errors import NotFoundError
from socmob.report import views
from socmob.web.routes.base import (
    SAFE_NAME,
    MenuEntry,
    Page,
    csv_response,
    edition,
    profiles,
    render,
)

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("areas", "/areas", "Areas"))


def group_areas(areas: Iterable[views.AreaRef]) -> list[tuple[str, list[views.AreaRef]]]:
    """Areas grouped by region (nation where there is none), regions in name order."""
    groups: dict[str, list[views.AreaRef]] = {}
    for area in areas:
        groups.setdefault(area.region or area.nation or "Other", []).append(area)
    return sorted(groups.items())


@router.get("/areas", response_class=HTMLResponse)
def areas_page(request: Request, q: str = "") -> Response:
    """The list of areas and the search: a query naming an area goes to its page; a
    district or a code inside a larger area is shown with the reason it leads there;
    otherwise the areas whose names contain the query, then close spellings."""
    areas = views.all_areas(edition(request))
    query = q.strip()[:100]
    matches: list[views.AreaMatch] = []
    if query:
        matches = views.search_areas(query, edition(request))
        if matches and matches[0].exact and not matches[0].covering:
            return RedirectResponse(f"/areas/{matches[0].area.id}", status_code=303)
    return render(request, "areas.html", {
        "areas": areas, "query": query, "matches": matches, "groups": group_areas(areas),
    }, active="areas")


@router.get("/areas/{area_id}", response_class=HTMLResponse)
def area_page(request: Request, area_id: str) -> Response:
    profile = profiles(request).profile(area_id)
    if profile.area.id != area_id:  # a name or code: go to the canonical address
        return RedirectResponse(f"/areas/{profile.area.id}", status_code=308)
    return render(request, "area.html", {"p": profile}, active="areas")


@router.get("/areas/{area_id}/data/{panel}.csv")
def area_csv(request: Request, area_id: str, panel: str) -> Response:
    if not SAFE_NAME.match(panel):
        raise NotFoundError(f"no download {panel!r}")
    profile = profiles(request).profile(area_id)
    section = profile.panels().get(panel)
    if section is None:
        raise NotFoundError(f"no download {panel!r}", suggestions=list(profile.panels()))
    return csv_response(section.get().table, f"socmob-{profile.area.id}-{panel}.csv")
