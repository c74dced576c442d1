"""The socmob dashboard: a server-rendered FastAPI app.

Pages work without JavaScript (every chart is a server-rendered SVG next to its data
table, every table has a CSV download); with JavaScript the charts become interactive
(vega-embed, from npm). The app computes nothing itself: it asks :mod:`socmob.report`
for views assembled from library results.

Run it with ``socmob serve`` or ``uvicorn --factory socmob.web.app:create_app``.
"""

from __future__ import annotations

import base64
import logging
import re
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from fastapi import FastAPI, Form, Query, Request, UploadFile
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from jinja2 import ChoiceLoader, FileSystemLoader, PackageLoader, PrefixLoader
from starlette.exceptions import HTTPException as StarletteHTTPException

from socmob import ATTRIBUTION, __version__
from socmob.errors import InputError, NotFoundError, SocmobError, UnavailableError
from socmob.report import adapters, charts, views
from socmob.web import api, tools
from socmob.web.profiles import AreaProfiles
from socmob.web.security import CSRF, CSRF_COOKIE, CSRF_FIELD, SecurityMiddleware
from socmob.web.settings import Settings

log = logging.getLogger("socmob.web")

HERE = Path(__file__).resolve().parent
STATIC = HERE / "static"
BUILD = STATIC / "build"
SAFE_NAME = re.compile(r"^[a-z0-9_]{1,40}$")

NAVIGATION = (
    ("home", "/", "Home"),
    ("map", "/map", "Map"),
    ("areas", "/areas", "Areas"),
    ("compare", "/compare", "Compare areas"),
    ("explorer", "/explorer", "Mobility explorer"),
    ("employers", "/employers", "Employers"),
    ("methods", "/methods", "Methods and data"),
)


def _fmt(value: Any, digits: int = 3) -> str:
    if value is None:
        return ""
    try:
        if pd.isna(value):
            return ""
    except (TypeError, ValueError):
        pass
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e9:
            return f"{int(value):,}"
        return f"{value:,.{digits}f}"
    return str(value)


def _csv_uri(panel: views.Panel) -> str:
    """The panel's tidy table as a ``data:`` URI, for CSV downloads of results that are
    not kept on the server (uploads are discarded after the request)."""
    text = panel.table.to_csv(index=False)
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def make_templates() -> Jinja2Templates:
    """Jinja2 templates: the app's, the report's, and the govuk-frontend-jinja macros."""
    loader = ChoiceLoader([
        FileSystemLoader(str(HERE / "templates")),
        PackageLoader("socmob.report", "templates"),
        PrefixLoader({"govuk_frontend_jinja": PackageLoader("govuk_frontend_jinja",
                                                            "templates")}),
    ])
    templates = Jinja2Templates(directory=str(HERE / "templates"))
    templates.env.loader = loader
    templates.env.filters["fmt"] = _fmt
    templates.env.filters["csv_uri"] = _csv_uri
    templates.env.tests["number"] = _is_number
    templates.env.globals.update(
        attribution=ATTRIBUTION,
        version=__version__,
        navigation=NAVIGATION,
        band_legend=charts.band_legend(),
        assets_built=(BUILD / "socmob.css").exists(),
        csrf_field=CSRF_FIELD,
    )
    return templates


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the dashboard app (``settings`` default to :meth:`Settings.from_env`)."""
    settings = settings or Settings.from_env()
    app = FastAPI(
        title="socmob dashboard API",
        version=__version__,
        description=(
            "Social mobility by area and nationally, the way the UK Social Mobility "
            "Commission measures it: composite indices, bands, area profiles and the "
            "national picture. A part that cannot exist for an area or edition says "
            "why. " + ATTRIBUTION
        ),
        docs_url=None,
        redoc_url=None,
        openapi_url="/api/openapi.json",
    )
    app.state.settings = settings
    templates = make_templates()
    app.state.templates = templates
    csrf = CSRF(settings.secret_key)
    app.state.csrf = csrf
    profiles = AreaProfiles(settings.edition)
    app.state.profiles = profiles
    app.add_middleware(SecurityMiddleware, max_bytes=settings.max_upload_bytes)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api.router)
    edition = settings.edition
    if settings.warm:
        threading.Thread(target=_warm, args=(edition,), name="socmob-warm",
                         daemon=True).start()

    # ------------------------------------------------------------------ helpers

    def render(request: Request, name: str, context: dict[str, Any], *,
               status_code: int = 200, active: str = "") -> HTMLResponse:
        token = request.cookies.get(CSRF_COOKIE)
        fresh = not csrf.valid(token)
        if fresh:
            token = csrf.new_token()
        context = {"active": active, "csrf_token": token, **context}
        response = templates.TemplateResponse(request, name, context, status_code=status_code)
        if fresh:
            response.set_cookie(CSRF_COOKIE, str(token), httponly=True, samesite="strict",
                                secure=request.url.scheme == "https", path="/")
        return response

    def csv_response(frame: pd.DataFrame, filename: str) -> Response:
        safe = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
        return Response(frame.to_csv(index=False), media_type="text/csv; charset=utf-8",
                        headers={"content-disposition": f'attachment; filename="{safe}"'})

    def run_tool(fn: Any) -> tuple[Any, str | None]:
        """Run an upload tool: socmob's errors are the upload's fault, shown as an
        error on the form (422); any other error is a bug and propagates."""
        try:
            return fn(), None
        except SocmobError as exc:
            return None, str(exc)

    def check_csrf(request: Request, token: str | None) -> None:
        if not csrf.check(request.cookies.get(CSRF_COOKIE), token):
            raise InputError("the form has expired or was not sent from this site; "
                             "reload the page and try again", column=CSRF_FIELD,
                             expected="a form submitted from this site")

    # ------------------------------------------------------------------ pages

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def home(request: Request) -> HTMLResponse:
        return render(request, "home.html", {"national": views.national_panels()},
                      active="home")

    @app.get("/national/{name}.csv", include_in_schema=False)
    def national_csv(name: str) -> Response:
        if SAFE_NAME.match(name):
            for section in views.national_panels():
                if section.name == name:
                    return csv_response(section.get().table, f"socmob-national-{name}.csv")
        raise NotFoundError(f"no national download {name!r}")

    @app.get("/map", response_class=HTMLResponse, include_in_schema=False)
    def map_page(request: Request, index: str = "ci1", period: str | None = None
                 ) -> HTMLResponse:
        indices = views.indices(edition)
        periods = {i["code"]: i["periods"] for i in indices}
        if index in periods and period not in periods[index]:
            period = None  # e.g. kept from another index: show the latest instead
        panel = views.map_panel(index, period, edition)
        return render(request, "map.html", {
            "indices": indices, "panel": panel, "index": index,
            "period": panel.title.rsplit(", ", 1)[-1],
        }, active="map")

    @app.get("/map.csv", include_in_schema=False)
    def map_csv(index: str = "ci1", period: str | None = None) -> Response:
        panel = views.map_panel(index, period, edition)
        return csv_response(panel.table, f"socmob-map-{index}.csv")

    @app.get("/areas", response_class=HTMLResponse, include_in_schema=False)
    def areas_page(request: Request, q: str = "") -> Response:
        areas = views.all_areas(edition)
        query = q.strip()[:100]
        matches: list[views.AreaRef] = []
        if query:
            lowered = query.lower()
            exact = [a for a in areas if a.name.lower() == lowered or a.id == query]
            if exact:
                return RedirectResponse(f"/areas/{exact[0].id}", status_code=303)
            matches = [a for a in areas if lowered in a.name.lower()]
        return render(request, "areas.html", {
            "areas": areas, "query": query, "matches": matches,
            "groups": _group_areas(areas),
        }, active="areas")

    @app.get("/areas/{area_id}", response_class=HTMLResponse, include_in_schema=False)
    def area_page(request: Request, area_id: str) -> Response:
        profile = profiles.profile(area_id)
        if profile.area.id != area_id:  # a name or code: go to the canonical address
            return RedirectResponse(f"/areas/{profile.area.id}", status_code=308)
        return render(request, "area.html", {"p": profile}, active="areas")

    @app.get("/areas/{area_id}/data/{panel}.csv", include_in_schema=False)
    def area_csv(area_id: str, panel: str) -> Response:
        if not SAFE_NAME.match(panel):
            raise NotFoundError(f"no download {panel!r}")
        profile = profiles.profile(area_id)
        section = profile.panels().get(panel)
        if section is None:
            raise NotFoundError(f"no download {panel!r}", suggestions=list(profile.panels()))
        return csv_response(section.get().table, f"socmob-{profile.area.id}-{panel}.csv")

    @app.get("/areas/{area_id}/briefing.html", response_class=HTMLResponse,
             include_in_schema=False)
    def briefing_html(area_id: str) -> HTMLResponse:
        return HTMLResponse(profiles.briefing_html(area_id))

    @app.get("/areas/{area_id}/briefing.pdf", include_in_schema=False)
    def briefing_pdf(area_id: str) -> Response:
        found = profiles.find(area_id)
        pdf = profiles.briefing_pdf(found.id)
        return Response(pdf, media_type="application/pdf", headers={
            "content-disposition": f'attachment; filename="socmob-briefing-{found.id}.pdf"'})

    @app.get("/compare", response_class=HTMLResponse, include_in_schema=False)
    def compare_page(request: Request, areas: list[str] = Query(default=[])) -> HTMLResponse:
        chosen = [a for a in areas if a][: views.MAX_COMPARE]
        panel: views.Panel | None = None
        error = None
        if any(areas):
            try:
                panel = views.compare_panel(chosen, edition)
            except (InputError, NotFoundError) as exc:  # shown beside the form
                error = str(exc)
        return render(request, "compare.html", {
            "areas": views.all_areas(edition), "chosen": chosen, "panel": panel, "error": error,
            "slots": views.MAX_COMPARE,
        }, active="compare")

    @app.get("/compare.csv", include_in_schema=False)
    def compare_csv(areas: list[str] = Query(default=[])) -> Response:
        panel = views.compare_panel(areas, edition)
        return csv_response(panel.table, "socmob-compare.csv")

    @app.get("/explorer", response_class=HTMLResponse, include_in_schema=False)
    def explorer_page(request: Request, table: str | None = None,
                      model: str = "independence") -> HTMLResponse:
        result = None
        error = None
        if table:
            try:
                result = tools.explore_published(table, model)
            except NotFoundError:
                raise  # no such table: the 404 page
            except SocmobError as exc:  # a model the table cannot take: beside the form
                error = str(exc)
        return render(request, "explorer.html", {
            "published": tools.published_tables(), "result": result, "table": table,
            "model": model, "models": tools.models(), "error": error,
        }, active="explorer")

    @app.post("/explorer", response_class=HTMLResponse, include_in_schema=False)
    async def explorer_upload(request: Request, file: UploadFile,
                              model: str = Form("independence"),
                              csrf_token: str | None = Form(None)) -> HTMLResponse:
        check_csrf(request, csrf_token)
        upload = await tools.receive(file, settings)
        result, error = run_tool(lambda: tools.explore_upload(upload, model, settings))
        return render(request, "explorer.html", {
            "published": tools.published_tables(), "result": result,
            "table": None, "model": model, "models": tools.models(),
            "uploaded": upload.filename, "error": error,
        }, active="explorer", status_code=422 if error else 200)

    @app.get("/employers", response_class=HTMLResponse, include_in_schema=False)
    def employers_page(request: Request) -> HTMLResponse:
        return render(request, "employers.html", {
            "report": None, "stored": settings.upload_store is not None,
        }, active="employers")

    @app.post("/employers", response_class=HTMLResponse, include_in_schema=False)
    async def employers_upload(request: Request, file: UploadFile,
                               mapping: UploadFile | None = None,
                               csrf_token: str | None = Form(None)) -> HTMLResponse:
        check_csrf(request, csrf_token)
        hr = await tools.receive(file, settings)
        mapping_upload = None
        if mapping is not None and mapping.filename:
            mapping_upload = await tools.receive(mapping, settings)
        report, error = run_tool(lambda: tools.employer_report(hr, mapping_upload, settings))
        return render(request, "employers.html", {
            "report": report, "uploaded": hr.filename, "error": error,
            "stored": settings.upload_store is not None,
        }, active="employers", status_code=422 if error else 200)

    @app.get("/employers/questionnaire.{fmt}", include_in_schema=False)
    def questionnaire_download(fmt: str) -> Response:
        if fmt not in {"csv", "html"}:
            raise NotFoundError(f"no questionnaire format {fmt!r}", suggestions=["csv", "html"])
        if fmt == "csv":
            return csv_response(tools.questionnaire(), "socmob-employer-questionnaire.csv")
        return HTMLResponse(tools.questionnaire_html())

    @app.get("/methods", response_class=HTMLResponse, include_in_schema=False)
    def methods_page(request: Request) -> HTMLResponse:
        return render(request, "methods.html", {
            "catalog": tools.catalog(),
        }, active="methods")

    @app.get("/accessibility", response_class=HTMLResponse, include_in_schema=False)
    def accessibility_page(request: Request) -> HTMLResponse:
        return render(request, "accessibility.html", {})

    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok", "version": __version__}

    # ------------------------------------------------------------------ errors

    def wants_json(request: Request) -> bool:
        return request.url.path.startswith("/api/")

    def error_page(request: Request, status: int, title: str, message: str) -> Response:
        if wants_json(request):
            return JSONResponse({"error": title, "detail": message}, status_code=status)
        try:
            return render(request, "error.html",
                          {"status": status, "title": title, "message": message},
                          status_code=status)
        except Exception:  # pragma: no cover - the template itself failed
            log.exception("error page failed")
            return HTMLResponse(f"<!DOCTYPE html><html lang='en'><title>{status}</title>"
                                f"<h1>{title}</h1></html>", status_code=status)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        if exc.status_code == 404:
            return error_page(request, 404, "Page not found",
                              "If you typed the web address, check it is correct.")
        if exc.status_code == 405:
            return error_page(request, 405, "Method not allowed",
                              "This address does not accept that kind of request.")
        return error_page(request, exc.status_code, "Something went wrong",
                          str(exc.detail) if exc.status_code < 500 else "Please try again.")

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
            for e in exc.errors()[:5])
        return error_page(request, 422, "There is a problem with the request", problems)

    @app.exception_handler(NotFoundError)
    async def not_found(request: Request, exc: NotFoundError) -> Response:
        return error_page(request, 404, "Not found", str(exc))

    @app.exception_handler(InputError)
    async def bad_input(request: Request, exc: InputError) -> Response:
        return error_page(request, 422, "There is a problem with your input", str(exc))

    @app.exception_handler(SocmobError)
    async def socmob_error(request: Request, exc: SocmobError) -> Response:
        return error_page(request, 422, "socmob could not do that", str(exc))

    @app.exception_handler(UnavailableError)
    async def unavailable(request: Request, exc: UnavailableError) -> Response:
        reason = exc.reason[:1].upper() + exc.reason[1:]
        return error_page(request, 503, "Not available", f"{reason}.")

    @app.exception_handler(Exception)
    async def server_error(request: Request, exc: Exception) -> Response:
        # a bug: the traceback to the log, an apology to the page (Starlette then
        # re-raises it, so an in-process test client fails on it)
        log.error("unhandled error on %s", request.url.path, exc_info=exc)
        return error_page(request, 500, "Sorry, there is a problem with the service",
                          "Please try again later.")

    return app


def _warm(edition: int) -> None:
    try:
        adapters.warm(edition)
    except Exception:  # the pages that need it raise it again, as a 500
        log.exception("computing the all-area results at start-up failed")


def _group_areas(areas: Iterable[views.AreaRef]) -> list[tuple[str, list[views.AreaRef]]]:
    groups: dict[str, list[views.AreaRef]] = {}
    for area in areas:
        groups.setdefault(area.region or area.nation or "Other", []).append(area)
    return sorted(groups.items())
