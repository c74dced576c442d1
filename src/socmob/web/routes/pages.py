"""The fixed pages: methods and data sources (with the data catalogue), accessibility,
and the health check."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from socmob import __version__
from socmob.web import tools
from socmob.web.routes.base import MenuEntry, Page, render

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("methods", "/methods", "Methods and data"))


@router.get("/methods", response_class=HTMLResponse)
def methods_page(request: Request) -> HTMLResponse:
    return render(request, "methods.html", {"catalog": tools.catalog()}, active="methods")


@router.get("/accessibility", response_class=HTMLResponse)
def accessibility_page(request: Request) -> HTMLResponse:
    return render(request, "accessibility.html", {})


@router.get("/healthz")
def healthz() -> dict[str, str]:
    return {"status": "ok", "version": __version__}
