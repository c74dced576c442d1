"""The home page: the national picture (SMC mobility outcomes MO11 and MO12) and the
area search, with the national series as CSV."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socmob.errors import NotFoundError
from socmob.report import views
from socmob.web.routes.base import SAFE_NAME, Page, csv_response, render

router = APIRouter(include_in_schema=False)
# not in the menu: the service name in the header leads home, as on GOV.UK services
page = Page(router)


@router.get("/", response_class=HTMLResponse)
def home(request: Request) -> HTMLResponse:
    return render(request, "home.html", {"national": views.national_panels()},
                  active="home")


@router.get("/national/{name}.csv")
def national_csv(name: str) -> Response:
    if SAFE_NAME.match(name):
        for section in views.national_panels():
            if section.name == name:
                return csv_response(section.get().table, f"socmob-national-{name}.csv")
    raise NotFoundError(f"no national download {name!r}")
