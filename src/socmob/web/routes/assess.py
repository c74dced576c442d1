"""The policy assessment page: a simple scenario from a form, or a scenario file uploaded
as YAML, assessed (``socmob.assess``) and shown with its downloads
(``socmob.report.assess``).

Nothing derived from a request is kept or cached: an uploaded scenario is read into
memory, assessed and dropped with the request (a copy of the raw file is kept only when
the operator sets ``SOCMOB_UPLOAD_STORE``, as for every upload). The downloads of a
result (JSON, HTML, PDF) post the scenario back and assess it again: the seed is fixed,
so the numbers are the same.
"""

from __future__ import annotations

import json
import re

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from socmob.errors import NotFoundError, SocmobError
from socmob.report import assess as report
from socmob.web import tools
from socmob.web.routes.base import MenuEntry, Page, check_csrf, render, settings

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("assess", "/assess", "Policy impact"))

_DEFAULT_FORM = {"measure": "areas:ci1", "op": "add", "amount": "0.25", "target": "band",
                 "band_index": "ci1", "band_from": "1", "band_to": "2", "runs": "1000",
                 "region": "", "nation": "", "areas": "", "name": ""}
_MEDIA = {"json": "application/json", "csv": "text/csv; charset=utf-8",
          "html": "text/html; charset=utf-8", "pdf": "application/pdf"}


def _errors(exc: SocmobError, *, field: str | None = None) -> list[dict[str, str]]:
    """Problems for the error summary: beside the form field they concern, in words (a
    problem of an uploaded file keeps its line and key)."""
    from socmob.assess.scenario import ScenarioError

    if isinstance(exc, ScenarioError):
        return [{"field": field or report.form_field(p.key),
                 "text": str(p) if field is not None
                 else p.message + (f" (expected {p.expected})" if p.expected else "")}
                for p in exc.problems]
    return [{"field": field or "measure", "text": str(exc)}]


def _page(request: Request, *, form: dict[str, str] | None = None,
          result: report.AssessReport | None = None, scenario_text: str = "",
          errors: list[dict[str, str]] | None = None, uploaded: str | None = None,
          status_code: int = 200) -> HTMLResponse:
    errors = errors or []
    return render(request, "assess.html", {
        "options": report.form_options(), "form": {**_DEFAULT_FORM, **(form or {})},
        "result": result, "scenario_text": scenario_text, "errors": errors,
        "field_errors": {e["field"]: e["text"] for e in errors}, "uploaded": uploaded,
        "examples": report.example_titles(), "max_runs": report.WEB_MAX_RUNS,
        "stored": settings(request).upload_store is not None,
    }, active="assess", status_code=status_code)


@router.get("/assess", response_class=HTMLResponse)
def assess_page(request: Request) -> HTMLResponse:
    return _page(request)


@router.post("/assess", response_class=HTMLResponse)
async def assess_form(request: Request, csrf_token: str | None = Form(None),
                      measure: str = Form(""), op: str = Form("add"),
                      amount: str = Form(""), target: str = Form("all"),
                      region: str = Form(""), nation: str = Form(""),
                      band_index: str = Form("ci1"), band_from: str = Form("1"),
                      band_to: str = Form("1"), areas: str = Form(""),
                      runs: str = Form("1000"), name: str = Form("")) -> HTMLResponse:
    check_csrf(request, csrf_token)
    form = {"measure": measure, "op": op, "amount": amount, "target": target,
            "region": region, "nation": nation, "band_index": band_index,
            "band_from": band_from, "band_to": band_to, "areas": areas, "runs": runs,
            "name": name[:200]}
    from socmob.assess import parse_scenario

    try:
        doc = report.scenario_from_form(form)
        result = await run_in_threadpool(report.web_report, parse_scenario(doc))
    except SocmobError as exc:  # the form's fault: said beside it
        return _page(request, form=form, errors=_errors(exc), status_code=422)
    return _page(request, form=form, result=result, scenario_text=json.dumps(doc, indent=2))


@router.post("/assess/upload", response_class=HTMLResponse)
async def assess_upload(request: Request, file: UploadFile,
                        csrf_token: str | None = Form(None)) -> HTMLResponse:
    check_csrf(request, csrf_token)
    upload = await tools.receive(file, settings(request))
    try:
        scenario = report.read_scenario_upload(upload.content, upload.filename)
        result = await run_in_threadpool(report.web_report, scenario)
    except SocmobError as exc:
        return _page(request, errors=_errors(exc, field="scenario-file"),
                     uploaded=upload.filename, status_code=422)
    return _page(request, result=result, uploaded=upload.filename,
                 scenario_text=upload.content.decode("utf-8-sig"))


@router.post("/assess/report.{fmt}")
async def assess_download(request: Request, fmt: str, scenario: str = Form(""),
                          csrf_token: str | None = Form(None)) -> Response:
    """The report of a scenario posted back from the result (assessed again)."""
    if fmt not in _MEDIA:
        raise NotFoundError(f"no report format {fmt!r}", suggestions=list(_MEDIA))
    check_csrf(request, csrf_token)
    parsed = report.read_scenario_upload(scenario.encode("utf-8"), "scenario.yaml")
    result = await run_in_threadpool(report.web_report, parsed)
    body = await run_in_threadpool(report.render, result, fmt)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", result.name).strip("-")[:60] or "scenario"
    return Response(body, media_type=_MEDIA[fmt], headers={
        "content-disposition": f'attachment; filename="socmob-assessment-{safe}.{fmt}"'})


@router.get("/assess/examples/{example}.yaml")
def example_scenario(example: str) -> Response:
    found = report.examples()
    if example not in found:
        raise NotFoundError(f"no example scenario {example!r}", suggestions=list(found))
    return Response(found[example], media_type="application/yaml; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="{example}.yaml"'})


@router.get("/assess/scenario.schema.json")
def schema() -> Response:
    from socmob.assess import scenario_schema

    text = json.dumps(scenario_schema(), indent=2, ensure_ascii=False)
    return Response(text, media_type="application/schema+json")
