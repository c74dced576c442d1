"""The fixed pages: methods and data sources (with the data catalogue), accessibility,
and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socmob import __version__
from socmob.report import views
from socmob.web import tools
from socmob.web.cache import no_store
from socmob.web.routes.base import MenuEntry, Page, edition, render

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("methods", "/methods", "Methods"))


@router.get("/methods", response_class=HTMLResponse)
def methods_page(request: Request) -> HTMLResponse:
    return render(request, "methods.html", {
        "catalog": tools.catalog(), "glossary": views.glossary(),
        "indices": views.indices(edition(request)), "edition": edition(request),
    }, active="methods")


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility_page(request: Request) -> HTMLResponse:
    return render(request, "accessibility.html", {})


@router.get("/favicon.ico", include_in_schema=False)
def favicon() -> RedirectResponse:
    """The icon, for clients that ask for it by its conventional address."""
    return RedirectResponse("/static/favicon.svg", status_code=301,
                            headers={"Cache-Control": "public, max-age=86400"})


@router.get("/healthz")
def healthz(response: Response) -> dict[str, str]:
    """The process is up (liveness)."""
    no_store(response)
    return {"status": "ok", "version": __version__}


@router.get("/readyz")
def readyz(request: Request, response: Response) -> dict[str, str]:
    """Every analysis of the embedded data has been computed (readiness): 200, else
    503 while the start-up computation runs."""
    no_store(response)
    ready = request.app.state.ready.is_set()
    if not ready:
        response.status_code = 503
    return {"status": "ready" if ready else "starting", "version": __version__,
            "data_version": request.app.state.cache.version}
