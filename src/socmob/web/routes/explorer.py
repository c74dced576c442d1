"""The mobility explorer: a published or uploaded mobility table → absolute and relative
measures and model fits (``socmob.tables``, ``socmob.models``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse

from socmob.errors import InputError, NotFoundError, SocmobError
from socmob.web import tools
from socmob.web.routes.base import MenuEntry, Page, check_csrf, render, settings

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("explorer", "/explorer", "Explorer"))


@router.get("/explorer", response_class=HTMLResponse)
def explorer_page(request: Request, table: str | None = None,
                  model: str = "independence") -> HTMLResponse:
    result = None
    error = None
    if table:
        try:
            result = tools.explore_published(table, model)
        except NotFoundError:
            raise  # no such table: the 404 page
        except SocmobError as exc:  # a model the table cannot take: said beside the form
            error = str(exc)
    return render(request, "explorer.html", {
        "published": tools.published_tables(), "result": result, "table": table,
        "model": model, "models": tools.models(), "error": error, "classes": "same",
        "model_labels": tools.model_labels(),
    }, active="explorer")


@router.post("/explorer", response_class=HTMLResponse)
async def explorer_upload(request: Request, file: UploadFile,
                          model: str = Form("independence"),
                          classes: str = Form("same"),
                          csrf_token: str | None = Form(None)) -> HTMLResponse:
    check_csrf(request, csrf_token)
    upload = await tools.receive(file, settings(request))
    result = None
    error = None
    try:
        if classes not in {"same", "different"}:
            raise InputError(f"unknown choice {classes[:40]!r} for the classes", column="classes",
                             expected="same or different")
        result = tools.explore_upload(upload, model, settings(request),
                                      square=classes == "same")
    except SocmobError as exc:  # the upload's fault: said beside the form
        error = str(exc)
    return render(request, "explorer.html", {
        "published": tools.published_tables(), "result": result, "table": None,
        "model": model, "models": tools.models(), "uploaded": upload.filename,
        "model_labels": tools.model_labels(),
        "error": error, "classes": classes,
    }, active="explorer", status_code=422 if error else 200)
