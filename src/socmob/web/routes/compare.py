"""Compare 2–5 areas side by side on the latest period of each index."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from socmob.errors import InputError, NotFoundError
from socmob.report import views
from socmob.web.routes.base import MenuEntry, Page, csv_response, edition, render

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("compare", "/compare", "Compare areas"))


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, areas: list[str] = Query(default=[])) -> HTMLResponse:
    chosen = [a for a in areas if a][: views.MAX_COMPARE]
    panel: views.Panel | None = None
    error = None
    if any(areas):
        try:
            panel = views.compare_panel(chosen, edition(request))
        except (InputError, NotFoundError) as exc:  # shown beside the form
            error = str(exc)
    return render(request, "compare.html", {
        "areas": views.all_areas(edition(request)), "chosen": chosen, "panel": panel,
        "error": error, "slots": views.MAX_COMPARE,
    }, active="compare")


@router.get("/compare.csv")
def compare_csv(request: Request, areas: list[str] = Query(default=[])) -> Response:
    panel = views.compare_panel(areas, edition(request))
    return csv_response(panel.table, "socmob-compare.csv")
