"""The socmob dashboard: a server-rendered FastAPI app.

Pages work without JavaScript (every chart is a server-rendered SVG next to its data
table, every table has a CSV download); with JavaScript the charts become interactive
(vega-embed, from npm). The app computes nothing itself: it asks :mod:`socmob.report`
for views assembled from library results.

:func:`create_app` only assembles the pieces: the page routers
(:data:`socmob.web.routes.PAGES`), the JSON API (:mod:`socmob.web.api`), the error pages
(:mod:`socmob.web.error_pages`), the response cache (:mod:`socmob.web.cache`), security
middleware and static files.

At start a background thread computes every analysis of the embedded data the pages show
(:func:`socmob.report.adapters.warm`) and readies the chart renderer; ``/readyz`` answers
503 until it has finished, then 200 (``/healthz`` only says the process is up).

Run it with ``socmob serve`` or ``uvicorn --factory socmob.web.app:create_app``.
"""

from __future__ import annotations

import gc
import logging
import threading
import time

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from socmob import ATTRIBUTION, __version__
from socmob.report import adapters, charts
from socmob.web import api, api_assess, api_barometer, api_indicators, error_pages
from socmob.web.cache import CacheMiddleware, ResponseCache, data_modified, data_version
from socmob.web.profiles import AreaProfiles
from socmob.web.routes import PAGES, Page
from socmob.web.security import CSRF, SecurityMiddleware
from socmob.web.settings import Settings
from socmob.web.templating import BUILD, STATIC, make_templates

__all__ = ["BUILD", "NAVIGATION", "STATIC", "create_app", "menu"]

log = logging.getLogger("socmob.web")



def menu(pages: tuple[Page, ...]) -> tuple[tuple[str, str, str], ...]:
    """The main menu, ``(key, address, label)`` in order, from the pages' entries."""
    return tuple((p.menu.key, p.menu.href, p.menu.label) for p in pages
                 if p.menu is not None)


#: The main menu of the dashboard (:data:`socmob.web.routes.PAGES`, in order).
NAVIGATION = menu(PAGES)


def _warm(edition: int, ready: threading.Event, pages: tuple[Page, ...] = ()) -> None:
    started = time.perf_counter()
    try:
        adapters.warm(edition)
        charts.warm()
    except Exception:  # the pages that need it raise it again, as a 500
        log.exception("computing the all-area results at start-up failed")
    finally:
        # what start-up made lives as long as the process: keep it out of the garbage
        # collector's full passes, which would otherwise walk it between requests
        gc.collect()
        gc.freeze()
        ready.set()
    log.info("ready: every analysis of the embedded data computed in %.1f s",
             time.perf_counter() - started)
    for page in pages:  # the other page groups' own start-up work, after ready
        if page.warm is not None:
            try:
                page.warm(edition)
            except Exception:  # its pages raise it again, as a 500
                log.exception("warming the pages at %s failed",
                              page.menu.href if page.menu else page.router)
    gc.freeze()


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
    app.state.templates = make_templates(NAVIGATION)
    app.state.csrf = CSRF(settings.secret_key)
    app.state.profiles = AreaProfiles(settings.edition)
    app.state.cache = ResponseCache(settings.data_version or data_version(), data_modified())
    app.state.ready = threading.Event()
    app.add_middleware(SecurityMiddleware, max_bytes=settings.max_upload_bytes)
    # outermost: a kept answer is sent without entering the app (its security headers
    # were kept with it)
    app.add_middleware(CacheMiddleware, cache=app.state.cache, csrf=app.state.csrf)
    app.mount("/static", StaticFiles(directory=str(STATIC)), name="static")
    app.include_router(api.router)
    app.include_router(api_indicators.router)
    app.include_router(api_barometer.router)
    app.include_router(api_assess.router)
    for page in PAGES:
        app.include_router(page.router)
    error_pages.install(app)
    if settings.warm:
        threading.Thread(target=_warm, args=(settings.edition, app.state.ready, PAGES),
                         name="socmob-warm", daemon=True).start()
    else:
        app.state.ready.set()
    return app
