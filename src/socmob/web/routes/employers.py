"""The employers' page: the questionnaire, and an uploaded HR extract → the
disclosure-controlled report (``socmob.workforce``, rendered by
``socmob.report.workforce``)."""

from __future__ import annotations

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from socmob.errors import NotFoundError, SocmobError
from socmob.web import tools
from socmob.web.routes.base import (
    MenuEntry,
    Page,
    check_csrf,
    csv_response,
    render,
    settings,
)

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("employers", "/employers", "Employers"))


@router.get("/employers", response_class=HTMLResponse)
def employers_page(request: Request) -> HTMLResponse:
    return render(request, "employers.html", {
        "report": None, "stored": settings(request).upload_store is not None,
    }, active="employers")


@router.post("/employers", response_class=HTMLResponse)
async def employers_upload(request: Request, file: UploadFile,
                           mapping: UploadFile | None = None,
                           csrf_token: str | None = Form(None)) -> HTMLResponse:
    check_csrf(request, csrf_token)
    hr = await tools.receive(file, settings(request))
    mapping_upload = None
    if mapping is not None and mapping.filename:
        mapping_upload = await tools.receive(mapping, settings(request))
    report = None
    error = None
    try:
        report = tools.employer_report(hr, mapping_upload, settings(request))
    except SocmobError as exc:  # the upload's fault: said beside the form
        error = str(exc)
    return render(request, "employers.html", {
        "report": report, "uploaded": hr.filename, "error": error,
        "stored": settings(request).upload_store is not None,
    }, active="employers", status_code=422 if error else 200)


@router.get("/employers/questionnaire.{fmt}")
def questionnaire_download(fmt: str) -> Response:
    if fmt == "csv":
        return csv_response(tools.questionnaire(), "socmob-employer-questionnaire.csv")
    if fmt == "html":
        return HTMLResponse(tools.questionnaire_html())
    raise NotFoundError(f"no questionnaire format {fmt!r}", suggestions=["csv", "html"])
