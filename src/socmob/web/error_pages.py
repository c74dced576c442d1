"""How the dashboard answers when a request cannot be served.

==========================================  ======  =====================================
what happened                               status  the page (JSON under ``/api/``)
==========================================  ======  =====================================
no such page, area, index, period, download 404     "Not found" and what was not found
bad input (a form, a parameter, an upload)  422     "There is a problem with your input"
another error socmob raised on purpose      422     "socmob could not do that"
a part that cannot exist for this case      503     "Not available" and the reason
anything else: a bug                        500     an apology; the traceback is logged
==========================================  ======  =====================================

A bug is never shown as "not available": only :class:`~socmob.errors.UnavailableError`
(raised on purpose, with a reason) is. The 500 handler logs the traceback on the
``socmob.web`` logger and shows no detail; Starlette then re-raises the exception, so an
in-process test client fails on it unless built with ``raise_server_exceptions=False``.
"""

from __future__ import annotations

import html
import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from socmob.errors import InputError, NotFoundError, SocmobError, UnavailableError
from socmob.web.routes.base import render

log = logging.getLogger("socmob.web")


def wants_json(request: Request) -> bool:
    """Whether the request is for the JSON API."""
    return request.url.path.startswith("/api/")


def error_page(request: Request, status: int, title: str, message: str) -> Response:
    """The error page (or JSON ``{"error", "detail"}`` under ``/api/``)."""
    if wants_json(request):
        return JSONResponse({"error": title, "detail": message}, status_code=status)
    try:
        return render(request, "error.html",
                      {"status": status, "title": title, "message": message},
                      status_code=status)
    except Exception:  # the error template itself failed: a bare page, and the log
        log.exception("error page failed")
        return HTMLResponse(f"<!DOCTYPE html><html lang='en'><title>{status}</title>"
                            f"<h1>{html.escape(title)}</h1></html>", status_code=status)


async def http_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    if exc.status_code == 404:
        return error_page(request, 404, "Page not found",
                          "If you typed the web address, check it is correct.")
    if exc.status_code == 405:
        return error_page(request, 405, "Method not allowed",
                          "This address does not accept that kind of request.")
    return error_page(request, exc.status_code, "Something went wrong",
                      str(exc.detail) if exc.status_code < 500 else "Please try again.")


async def validation_error(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    problems = "; ".join(
        f"{'.'.join(str(p) for p in e.get('loc', ())[1:]) or 'request'}: {e.get('msg')}"
        for e in exc.errors()[:5])
    return error_page(request, 422, "There is a problem with the request", problems)


async def not_found(request: Request, exc: Exception) -> Response:
    return error_page(request, 404, "Not found", str(exc))


async def bad_input(request: Request, exc: Exception) -> Response:
    return error_page(request, 422, "There is a problem with your input", str(exc))


async def socmob_error(request: Request, exc: Exception) -> Response:
    return error_page(request, 422, "socmob could not do that", str(exc))


async def unavailable(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, UnavailableError)
    reason = exc.reason[:1].upper() + exc.reason[1:]
    return error_page(request, 503, "Not available", f"{reason}.")


async def server_error(request: Request, exc: Exception) -> Response:
    log.error("unhandled error on %s", request.url.path, exc_info=exc)
    return error_page(request, 500, "Sorry, there is a problem with the service",
                      "Please try again later.")


def install(app: FastAPI) -> None:
    """Register the handlers of the table above on ``app``."""
    app.add_exception_handler(StarletteHTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(NotFoundError, not_found)
    app.add_exception_handler(InputError, bad_input)
    app.add_exception_handler(UnavailableError, unavailable)
    app.add_exception_handler(SocmobError, socmob_error)
    app.add_exception_handler(Exception, server_error)
