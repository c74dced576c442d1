"""Compare areas side by side on the latest period of each index: 2–5 areas found by
searching (names, districts, codes), or a preset from one area — its peers or its
region's areas."""

from __future__ import annotations

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from socmob.errors import InputError, NotFoundError
from socmob.report import views
from socmob.web.routes.base import MenuEntry, Page, csv_response, edition, render

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("compare", "/compare", "Compare"))


def _panel(request: Request, areas: list[str], preset: str, area: str
           ) -> tuple[views.Panel | None, list[str], views.AreaRef | None]:
    """The comparison asked for (``None`` when nothing was), the areas as typed, and
    the preset's area."""
    if preset:
        focus, chosen, title = views.compare_preset(preset, area, edition(request))
        panel = views.compare_panel([a.id for a in chosen], edition(request),
                                    focus=focus.id, many=True, title=title)
        return panel, [a.name for a in chosen[:views.MAX_COMPARE]], focus
    typed = [a.strip()[:100] for a in areas if a and a.strip()][: views.MAX_COMPARE]
    if not any(areas):
        return None, typed, None
    return views.compare_panel(typed, edition(request)), typed, None


@router.get("/compare", response_class=HTMLResponse)
def compare_page(request: Request, areas: list[str] = Query(default=[]), preset: str = "",
                 area: str = "") -> HTMLResponse:
    panel: views.Panel | None = None
    error = None
    focus = None
    typed = [a.strip()[:100] for a in areas if a and a.strip()][: views.MAX_COMPARE]
    try:
        panel, typed, focus = _panel(request, areas, preset[:20], area[:100])
    except (InputError, NotFoundError) as exc:  # shown beside the form
        error = str(exc)
    return render(request, "compare.html", {
        "areas": views.all_areas(edition(request)), "chosen": typed, "panel": panel,
        "error": error, "slots": views.MAX_COMPARE, "preset": preset, "focus": focus,
        "preset_area": area, "presets": views.COMPARE_PRESETS,
    }, active="compare")


@router.get("/compare.csv")
def compare_csv(request: Request, areas: list[str] = Query(default=[]), preset: str = "",
                area: str = "") -> Response:
    panel, _, _ = _panel(request, areas, preset[:20], area[:100])
    if panel is None:
        raise InputError("choose the areas to compare", column="areas",
                         expected=f"{views.MIN_COMPARE}–{views.MAX_COMPARE} areas")
    return csv_response(panel.table, "socmob-compare.csv")
