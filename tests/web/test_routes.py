"""The page routers: every address of the dashboard is served, once, and the main menu
comes from the routers' own entries."""

from __future__ import annotations

import pytest
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient

from socmob.web import app as app_module
from socmob.web.routes import PAGES
from socmob.web.routes.base import MenuEntry, Page, render
from socmob.web.settings import Settings

#: Every page address and method of the dashboard (the JSON API is in test_app.py).
PAGE_ROUTES = {
    ("GET", "/"), ("GET", "/national/{name}.csv"),
    ("GET", "/map"), ("GET", "/map.csv"), ("GET", "/geo/areas.json"),
    ("GET", "/areas"), ("GET", "/areas/{area_id}"),
    ("GET", "/indicators"), ("GET", "/indicators.csv"), ("GET", "/indicators/{code}"),
    ("GET", "/indicators/{code}/data.csv"), ("GET", "/indicators/{code}/map.json"),
    ("GET", "/indicators/{code}/{table}.csv"),
    ("GET", "/areas/{area_id}/data/{panel}.csv"),
    ("GET", "/areas/{area_id}/briefing.html"), ("GET", "/areas/{area_id}/briefing.pdf"),
    ("GET", "/compare"), ("GET", "/compare.csv"),
    ("GET", "/explorer"), ("POST", "/explorer"),
    ("GET", "/barometer"), ("POST", "/barometer"), ("GET", "/barometer/demo/{table}.csv"),
    ("GET", "/employers"), ("POST", "/employers"),
    ("GET", "/employers/questionnaire.{fmt}"), ("POST", "/employers/map"),
    ("POST", "/employers/report.{fmt}"), ("GET", "/employers/template.csv"),
    ("GET", "/employers/example.{fmt}"), ("GET", "/employers/maturity"),
    ("POST", "/employers/maturity"),
    ("GET", "/assess"), ("POST", "/assess"), ("POST", "/assess/upload"),
    ("POST", "/assess/report.{fmt}"), ("GET", "/assess/examples/{example}.yaml"),
    ("GET", "/assess/scenario.schema.json"),
    ("GET", "/methods"), ("GET", "/accessibility"), ("GET", "/healthz"), ("GET", "/readyz"),
    ("GET", "/favicon.ico"),
}

EXAMPLE = {"{area_id}": "northern_ireland", "{name}": "mo11", "{panel}": "indices",
           "{fmt}": "csv", "{code}": "dr32", "{table}": "published",
           "{example}": "early_years",
           # the barometer's demo tables have their own names
           "/barometer/demo/published": "/barometer/demo/estimates"}


def test_the_routers_serve_every_page_address_once():
    routes = [(method, r.path) for p in PAGES for r in p.router.routes
              if isinstance(r, APIRoute) for method in sorted(r.methods)]
    assert len(routes) == len(set(routes))
    assert set(routes) == PAGE_ROUTES


@pytest.mark.parametrize(("method", "path"), sorted(PAGE_ROUTES))
def test_the_app_answers_every_page_address(client, needs_data, method, path):
    for key, value in EXAMPLE.items():
        path = path.replace(key, value)
    r = client.request(method, path, params={"areas": ["blackpool", "glasgow_city"]}
                       if path.startswith("/compare") else None)
    # a POST without its form is refused by validation; everything else is served
    assert r.status_code == (422 if method == "POST" else 200), r.text[:300]


def test_pages_stay_out_of_the_api_document(app):
    assert all(path.startswith("/api/") for path in app.openapi()["paths"])


def test_main_menu_comes_from_the_routers():
    assert app_module.NAVIGATION == (
        ("map", "/map", "Map"), ("areas", "/areas", "Areas"),
        ("indicators", "/indicators", "Indicators"), ("compare", "/compare", "Compare"),
        ("explorer", "/explorer", "Explorer"),
        ("barometer", "/barometer", "Barometer"),
        ("employers", "/employers", "Employers"),
        ("assess", "/assess", "Policy impact"),
        ("methods", "/methods", "Methods"))
    for page in PAGES:  # every menu entry links to a page its own router serves
        if page.menu is not None:
            assert page.menu.href in {r.path for r in page.router.routes}


router = APIRouter(include_in_schema=False)


@router.get("/example-page", response_class=HTMLResponse)
def example_page(request: Request) -> HTMLResponse:
    return render(request, "accessibility.html", {}, active="example")


def test_a_new_router_and_its_menu_entry(monkeypatch):
    """Adding a page group: a module with ``router`` and ``page``, listed in PAGES."""
    page = Page(router, MenuEntry("example", "/example-page", "Example"))
    monkeypatch.setattr(app_module, "PAGES", (*PAGES, page))
    monkeypatch.setattr(app_module, "NAVIGATION", app_module.menu((*PAGES, page)))
    with TestClient(app_module.create_app(Settings(secret_key="t", warm=False))) as client:
        r = client.get("/example-page")
        assert r.status_code == 200
        assert 'href="/example-page"' in r.text and ">Example<" in r.text
        assert 'href="/methods"' in r.text


def test_a_page_group_may_warm_its_own_views_after_ready(needs_data):
    import threading

    from socmob.web.app import _warm

    seen: list[tuple[int, bool]] = []
    ready = threading.Event()
    page = Page(APIRouter(), warm=lambda edition: seen.append((edition, ready.is_set())))
    broken = Page(APIRouter(), warm=lambda edition: 1 / 0)  # logged, not fatal
    _warm(2025, ready, (broken, page))
    assert ready.is_set() and seen == [(2025, True)]


def test_every_page_names_an_icon_that_is_served(client):
    page = client.get("/methods").text
    assert '<link rel="icon" href="/static/favicon.svg" type="image/svg+xml">' in page
    icon = client.get("/static/favicon.svg")
    assert icon.status_code == 200 and icon.headers["content-type"].startswith("image/svg+xml")
    assert icon.text.lstrip().startswith("<svg")
    legacy = client.get("/favicon.ico", follow_redirects=False)
    assert legacy.status_code == 301 and legacy.headers["location"] == "/static/favicon.svg"
