"""What every page router shares: the :class:`Page` record that registers it, and the
helpers its handlers use (render a template, send a CSV, check a form's CSRF token, the
app's settings and caches).

A router reads the app's state through these helpers (``request.app.state``), so a
router module holds no state of its own and one process can serve several apps.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from fastapi.templating import Jinja2Templates

from socmob.errors import InputError
from socmob.results import csv_text
from socmob.web.cache import CSRF_MARKER
from socmob.web.profiles import AreaProfiles
from socmob.web.security import CSRF, CSRF_COOKIE, CSRF_FIELD
from socmob.web.settings import Settings

#: Names allowed in download addresses (panel and series names): no paths, no dots.
SAFE_NAME = re.compile(r"^[a-z0-9_]{1,40}$")


@dataclass(frozen=True)
class MenuEntry:
    """An entry of the main menu: ``key`` (what a page passes as ``active``), the
    address it links to, and its label."""

    key: str
    href: str
    label: str


@dataclass(frozen=True)
class Page:
    """A page router and its main-menu entry (``None``: not in the menu).

    ``warm``, when given, is called once at start with the edition, in the background
    after the server is ready, to compute what the pages show of the embedded data
    (e.g. a scan of every indicator), so that the first visitor does not wait for it.
    """

    router: APIRouter
    menu: MenuEntry | None = None
    warm: Callable[[int], object] | None = None


def settings(request: Request) -> Settings:
    """The app's settings."""
    value: Settings = request.app.state.settings
    return value


def edition(request: Request) -> int:
    """The State of the Nation edition the app shows."""
    return settings(request).edition


def profiles(request: Request) -> AreaProfiles:
    """The app's area profiles and briefings (made once each)."""
    value: AreaProfiles = request.app.state.profiles
    return value


def render(request: Request, name: str, context: dict[str, Any], *,
           status_code: int = 200, active: str = "") -> HTMLResponse:
    """Render the template ``name``; ``active`` marks the current main-menu entry.

    A ``GET`` page is rendered once for every browser (:mod:`socmob.web.cache`): its
    forms carry :data:`~socmob.web.cache.CSRF_MARKER`, which the cache replaces with each
    browser's own token (setting the cookie when it has none). Any other request (a form
    posted back) gets the token of its valid cookie, or a fresh one in a new cookie.
    """
    templates: Jinja2Templates = request.app.state.templates
    fresh = False
    if request.method in ("GET", "HEAD"):
        token: str | None = CSRF_MARKER
    else:
        csrf: CSRF = request.app.state.csrf
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
    """``frame`` as a CSV attachment named ``filename`` (unsafe characters replaced),
    written by :func:`socmob.results.csv_text`: full precision, and text a spreadsheet
    would run as a formula neutralised."""
    safe = re.sub(r"[^A-Za-z0-9_.-]", "_", filename)
    return Response(csv_text(frame), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": f'attachment; filename="{safe}"'})


def check_csrf(request: Request, token: str | None) -> None:
    """Refuse a form whose CSRF token does not match its cookie (:class:`InputError`)."""
    csrf: CSRF = request.app.state.csrf
    if not csrf.check(request.cookies.get(CSRF_COOKIE), token):
        raise InputError("the form has expired or was not sent from this site; "
                         "reload the page and try again", column=CSRF_FIELD,
                         expected="a form submitted from this site")
