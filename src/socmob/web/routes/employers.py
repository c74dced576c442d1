"""The employers' pages: the questionnaire; an uploaded HR extract → its columns mapped
with dropdowns (or a YAML mapping) → validation problems previewed → the
disclosure-controlled report (``socmob.workforce``, rendered by
``socmob.report.workforce``) with its HTML, PDF and CSV downloads; the maturity
self-assessment.

The uploaded file is never kept on the server: each step reads it into memory and
carries it to the next step inside the page, as a signed, compressed hidden field
(:func:`socmob.web.uploads.seal`), so the steps and the downloads work without a
session, a temporary file or JavaScript. Every page that carries it is ``no-store``.
"""

from __future__ import annotations

import json
import re
from typing import TYPE_CHECKING, Any

from fastapi import APIRouter, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.datastructures import FormData
from starlette.datastructures import UploadFile as StarletteUploadFile

from socmob.errors import InputError, NotFoundError, SocmobError
from socmob.web import tools
from socmob.web.routes.base import (
    MenuEntry,
    Page,
    check_csrf,
    csv_response,
    render,
    settings,
)
from socmob.web.uploads import MAX_UNCOMPRESSED_FACTOR, Upload, read_table, seal, unseal

if TYPE_CHECKING:
    import pandas as pd

    from socmob.workforce.hr import HRMapping
    from socmob.workforce.summary import WorkforceSummary

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("employers", "/employers", "Employers"))

NO_STORE = {"cache-control": "no-store"}
PROBLEMS_SHOWN = 50
"""Most validation problems listed in the preview (the count says how many more)."""


# ------------------------------------------------------------------ helpers


async def _form(request: Request) -> FormData:
    """The posted form, allowing a hidden field as large as an upload (the sealed file),
    with its CSRF token checked."""
    limit = settings(request).max_upload_bytes
    form = await request.form(max_part_size=limit)
    token = form.get("csrf_token")
    check_csrf(request, token if isinstance(token, str) else None)
    return form


def _text(form: FormData, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _texts(form: FormData, name: str) -> list[str]:
    return [v.strip() for v in form.getlist(name) if isinstance(v, str)]


async def _file(value: Any, request: Request) -> Upload | None:
    if not isinstance(value, StarletteUploadFile) or not value.filename:
        return None
    return await tools.receive(value, settings(request))  # type: ignore[arg-type]


def _carried(form: FormData, request: Request) -> Upload:
    token = _text(form, "upload")
    if not token:
        raise InputError("the form carries no uploaded file; upload it again",
                         expected="a file uploaded at step 1")
    s = settings(request)
    # a workbook may travel as the CSV of its sheet, larger than the upload itself; the
    # bound stops nothing but runaway sizes (a token is signed: no one else makes one)
    return unseal(token, s.secret_key, max_bytes=MAX_UNCOMPRESSED_FACTOR * s.max_upload_bytes)


def _read(upload: Upload, request: Request) -> pd.DataFrame:
    frame = read_table(upload, max_rows=settings(request).max_upload_rows)
    frame.columns = [str(c) for c in frame.columns]
    return frame


def _seal(upload: Upload, request: Request) -> str:
    """The upload sealed for the page (:func:`socmob.web.uploads.seal`). A workbook too
    large to send back within the request limit travels as the CSV of its sheet (text
    compresses well; its values are read the same way); beyond that, an error."""
    s = settings(request)
    token = seal(upload, s.secret_key)
    room = s.max_upload_bytes - 64 * 1024  # the rest of the form
    if len(token) > room:
        text = _read(upload, request).to_csv(index=False).encode("utf-8")
        token = seal(Upload(upload.filename.rsplit(".", 1)[0] + ".csv", text), s.secret_key)
    if len(token) > room:
        raise InputError("the file is too large to carry between the steps of this page",
                         file=upload.filename,
                         expected="a smaller file, or a column mapping (YAML) uploaded with "
                                  "it, which makes the report in one step")
    return token


def _summary(upload: Upload, mapping: HRMapping, request: Request, *,
             weight: bool) -> WorkforceSummary:
    """Validate and summarise (publishable view), as ``socmob workforce report`` does."""
    from socmob.workforce.hr import validate_hr
    from socmob.workforce.summary import workforce_summary

    frame = _read(upload, request)
    hr = validate_hr(frame, mapping, file=upload.filename)
    return workforce_summary(hr, view="publishable", n_boot=tools.EMPLOYER_BOOTSTRAP,
                             seed=0, progress=False, weight_by_grade=weight)


def _inner(document: str) -> str:
    """The inside of a rendered report's ``<main>``, headings one level down (under the
    page's own), without scripts."""
    match = re.search(r"<main[^>]*>(.*)</main>", document, flags=re.S)
    inner = match.group(1) if match else document
    inner = re.sub(r"<script\b.*?</script>", "", inner, flags=re.S | re.I)
    for level in (5, 4, 3, 2, 1):
        inner = re.sub(rf"<(/?)h{level}\b", rf"<\1h{level + 1}", inner)
    return re.sub(r"<table>(.*?)</table>", _scrolling_table, inner, flags=re.S)


def _scrolling_table(match: re.Match[str]) -> str:
    """A wide table in a keyboard-scrollable region, so a phone screen scrolls the table
    rather than the page."""
    caption = re.search(r"<caption>(.*?)</caption>", match.group(1), flags=re.S)
    label = re.sub(r"<[^>]+>", "", caption.group(1)).strip() if caption else "Table"
    return (f'<div class="socmob-table-scroll" tabindex="0" role="region" '
            f'aria-label="{label} (table)">{match.group(0)}</div>')


def _landing(request: Request, *, error: str | None = None, status: int = 200
             ) -> HTMLResponse:
    return render(request, "employers.html", {
        "error": error, "stored": settings(request).upload_store is not None,
        "max_mb": f"{settings(request).max_upload_bytes / 2**20:.3g}",
    }, active="employers", status_code=status)


def _report_page(request: Request, upload: Upload, mapping: HRMapping,
                 summary: WorkforceSummary, *, weight: bool) -> HTMLResponse:
    from socmob.report import workforce as workforce_report

    response = render(request, "employers_report.html", {
        "uploaded": upload.filename, "upload_token": _seal(upload, request),
        "mapping_json": json.dumps(mapping.to_dict()), "weight": weight,
        "report_html": _inner(workforce_report.report_html(summary)),
        "narrative": workforce_report.narrative(summary),
    }, active="employers")
    response.headers.update(NO_STORE)
    return response


# ------------------------------------------------------------------ step 1: upload


@router.get("/employers", response_class=HTMLResponse)
def employers_page(request: Request) -> HTMLResponse:
    return _landing(request)


@router.post("/employers", response_class=HTMLResponse)
async def employers_upload(request: Request, file: UploadFile | None = None,
                           mapping: UploadFile | None = None) -> HTMLResponse:
    """Step 1: the extract (and optionally a YAML mapping). With a mapping the report is
    made at once; without one, the column picker follows."""
    from socmob.workforce.hr import MANDATORY, HRMapping

    form = await _form(request)
    try:
        hr = await _file(file, request)
        if hr is None:
            raise InputError("choose a file to upload", column="file",
                             expected="a CSV or Excel (.xlsx) file")
        mapping_upload = await _file(mapping, request)
        weight = _text(form, "weight") == "grade"
        if mapping_upload is not None:
            parsed = tools.read_yaml_upload(mapping_upload)
            hr_mapping = HRMapping.from_dict(parsed, file=mapping_upload.filename)
            summary = _summary(hr, hr_mapping, request, weight=weight)
            return _report_page(request, hr, hr_mapping, summary, weight=weight)
        frame = _read(hr, request)
        if len(frame.columns) < len(MANDATORY):
            raise InputError(f"the file has {len(frame.columns)} column(s); an HR extract "
                             f"needs at least {len(MANDATORY)}", file=hr.filename, row=1,
                             expected="a column each for employee id, grade, ordinary pay, "
                                      "pay-period days, weekly hours, full-pay relevant and "
                                      "the key question (see the template)")
        return _mapping_page(request, hr, frame, _guessed(frame), weight=weight)
    except SocmobError as exc:  # the upload's fault: said beside the form
        response = _landing(request, error=str(exc), status=422)
        response.headers.update(NO_STORE)
        return response


# ------------------------------------------------------------------ step 2: columns


def _guessed(frame: pd.DataFrame) -> dict[str, Any]:
    """The picker's first state: guessed columns, and the grades in a guessed order with
    the top grade senior."""
    from socmob.workforce.columns import guess_columns, guess_grade_order

    columns = guess_columns(list(frame.columns))
    grades = (guess_grade_order(frame, columns["grade"], columns)
              if "grade" in columns else [])
    return {"columns": columns, "grades": grades, "senior": grades[-1:]}


def _mapping_page(request: Request, upload: Upload, frame: pd.DataFrame,
                  state: dict[str, Any], *, weight: bool, problems: Any = None,
                  error: str | None = None, checked: bool = False,
                  notice: str | None = None) -> HTMLResponse:
    from socmob.workforce.columns import FIELD_LABELS
    from socmob.workforce.hr import MANDATORY

    rows = None if problems is None else [
        {"row": p.row, "column": p.column, "message": p.message, "expected": p.expected}
        for p in problems[:PROBLEMS_SHOWN]]
    response = render(request, "employers_map.html", {
        "uploaded": upload.filename, "n_rows": len(frame),
        "upload_token": _seal(upload, request),
        "headers": list(frame.columns), "fields": FIELD_LABELS, "mandatory": MANDATORY,
        "state": state, "weight": weight, "problems": rows,
        "n_problems": 0 if problems is None else len(problems), "checked": checked,
        "error": error, "notice": notice,
    }, active="employers", status_code=422 if (error or problems) else 200)
    response.headers.update(NO_STORE)
    return response


def _state_from_form(form: FormData, frame: pd.DataFrame) -> tuple[dict[str, Any], str | None]:
    """The picker's state as posted, and a notice when the grade column changed (its
    grades then listed afresh in a guessed order)."""
    from socmob.workforce.columns import MAX_GRADES, grade_values, guess_grade_order
    from socmob.workforce.hr import MANDATORY, OPTIONAL

    columns = {f: _text(form, f"col_{f}") for f in (*MANDATORY, *OPTIONAL)}
    columns = {f: c for f, c in columns.items() if c}
    names, positions = _texts(form, "grade_name"), _texts(form, "grade_pos")
    senior = _texts(form, "senior")
    gcol = columns.get("grade", "")
    notice = None
    if gcol and gcol in frame.columns:
        present = grade_values(frame, gcol)
        if len(present) > MAX_GRADES:
            raise InputError(f"column {gcol!r} has {len(present)} different values",
                             column=gcol, expected=f"a grade column with at most "
                                                   f"{MAX_GRADES} grades")
        if sorted(present) != sorted(names):
            grades = guess_grade_order(frame, gcol, columns)
            return ({"columns": columns, "grades": grades, "senior": grades[-1:]},
                    f"The grades of column “{gcol}” are listed below in a suggested "
                    "order: check the order and the senior grades.")
    order: list[tuple[int, str]] = []
    for name, pos in zip(names, positions, strict=False):
        try:
            order.append((int(pos), name))
        except ValueError:
            raise InputError(f"no position chosen for grade {name!r}",
                             expected="a number for every grade") from None
    taken = [p for p, _ in order]
    if sorted(taken) != list(range(1, len(order) + 1)):
        dup = next((p for p in taken if taken.count(p) > 1), None)
        raise InputError(f"two grades are given position {dup}" if dup else
                         "the grade positions are not 1 to the number of grades",
                         expected=f"each position from 1 to {len(order)} used once")
    grades = [n for _, n in sorted(order)]
    return {"columns": columns, "grades": grades,
            "senior": [g for g in grades if g in senior]}, notice


def _mapping_from_state(state: dict[str, Any]) -> HRMapping:
    from socmob.workforce.hr import HRMapping

    if state["grades"] and not state["senior"]:
        raise InputError("no grade is marked senior",
                         expected="at least one senior grade (e.g. directors)")
    return HRMapping.from_dict({"columns": state["columns"], "grades": state["grades"],
                                "senior_grades": state["senior"]})


@router.post("/employers/map", response_class=HTMLResponse)
async def employers_map(request: Request) -> HTMLResponse:
    """Step 2: the columns and grade order chosen; ``action=check`` previews the
    validation problems, ``action=run`` makes the report when there are none."""
    from socmob.workforce.hr import HRValidationError, validate_hr

    form = await _form(request)
    try:
        upload = _carried(form, request)
        frame = _read(upload, request)
    except SocmobError as exc:
        response = _landing(request, error=str(exc), status=422)
        response.headers.update(NO_STORE)
        return response
    weight = _text(form, "weight") == "grade"
    action = _text(form, "action") or "check"
    try:
        state, notice = _state_from_form(form, frame)
    except SocmobError as exc:
        return _mapping_page(request, upload, frame, _guessed(frame), weight=weight,
                             error=str(exc))
    if notice:
        return _mapping_page(request, upload, frame, state, weight=weight, notice=notice)
    try:
        mapping = _mapping_from_state(state)
        validate_hr(frame, mapping, file=upload.filename)
    except HRValidationError as exc:
        return _mapping_page(request, upload, frame, state, weight=weight,
                             problems=exc.problems or (exc,), checked=True)
    except SocmobError as exc:
        return _mapping_page(request, upload, frame, state, weight=weight, error=str(exc))
    if action != "run":
        return _mapping_page(request, upload, frame, state, weight=weight, checked=True)
    try:
        summary = _summary(upload, mapping, request, weight=weight)
    except SocmobError as exc:
        return _mapping_page(request, upload, frame, state, weight=weight, error=str(exc))
    return _report_page(request, upload, mapping, summary, weight=weight)


# ------------------------------------------------------------------ downloads


@router.post("/employers/report.{fmt}")
async def employers_report_download(request: Request, fmt: str) -> Response:
    """The report of the carried upload as publishable HTML, PDF or CSV."""
    from socmob.report import workforce as workforce_report
    from socmob.workforce.hr import HRMapping

    if fmt not in ("html", "pdf", "csv"):
        raise NotFoundError(f"no report format {fmt!r}", suggestions=["html", "pdf", "csv"])
    form = await _form(request)
    upload = _carried(form, request)
    try:
        parsed = json.loads(_text(form, "mapping") or "null")
    except json.JSONDecodeError:
        raise InputError("the column mapping in the form is damaged", column="mapping",
                         expected="the form as this site sent it") from None
    mapping = HRMapping.from_dict(parsed, file="the form")
    summary = _summary(upload, mapping, request, weight=_text(form, "weight") == "grade")
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", upload.filename.rsplit(".", 1)[0])[:60]
    name = f"socmob-employer-report-{stem}"
    if fmt == "csv":
        response = csv_response(workforce_report.report_csv_frame(summary), f"{name}.csv")
    elif fmt == "html":
        response = Response(workforce_report.report_html(summary),
                            media_type="text/html; charset=utf-8",
                            headers={"content-disposition": f'attachment; filename="{name}.html"'})
    else:
        response = Response(workforce_report.report_pdf(summary), media_type="application/pdf",
                            headers={"content-disposition": f'attachment; filename="{name}.pdf"'})
    response.headers.update(NO_STORE)
    return response


@router.get("/employers/template.csv")
def template_download() -> Response:
    """A template extract: the columns the picker recognises, two illustrative rows."""
    from socmob.workforce.columns import template_frame

    return csv_response(template_frame(), "socmob-employer-template.csv")


@router.get("/employers/example.{fmt}")
def example_download(fmt: str) -> Response:
    """A filled SYNTHETIC example extract (CSV) and its column mapping (YAML)."""
    import yaml

    from socmob.synth.workforce import synthetic_workforce

    made = synthetic_workforce(400, seed=14)
    if fmt == "csv":
        return csv_response(made.frame, "socmob-employer-example-SYNTHETIC.csv")
    if fmt == "yaml":
        text = ("# Column mapping of the SYNTHETIC example extract\n"
                + yaml.safe_dump(made.mapping.to_dict(), sort_keys=False, allow_unicode=True))
        return Response(text, media_type="text/yaml; charset=utf-8", headers={
            "content-disposition": 'attachment; filename="socmob-employer-example.mapping.yaml"'})
    raise NotFoundError(f"no example format {fmt!r}", suggestions=["csv", "yaml"])


@router.get("/employers/questionnaire.{fmt}")
def questionnaire_download(fmt: str) -> Response:
    if fmt == "csv":
        return csv_response(tools.questionnaire(), "socmob-employer-questionnaire.csv")
    if fmt == "html":
        return HTMLResponse(tools.questionnaire_html())
    raise NotFoundError(f"no questionnaire format {fmt!r}", suggestions=["csv", "html"])


# ------------------------------------------------------------------ maturity


def _maturity_context() -> dict[str, Any]:
    from socmob.workforce.maturity import maturity_model

    return {"model": maturity_model()}


@router.get("/employers/maturity", response_class=HTMLResponse)
def maturity_page(request: Request) -> HTMLResponse:
    return render(request, "employers_maturity.html", {
        **_maturity_context(), "answers": {}, "result": None, "error": None,
    }, active="employers")


@router.post("/employers/maturity", response_class=HTMLResponse)
async def maturity_result(request: Request) -> HTMLResponse:
    """Score the self-assessment (``socmob.workforce.maturity.assess_maturity``)."""
    from socmob.workforce.maturity import assess_maturity, maturity_model

    form = await _form(request)
    ids = [q["id"] for a in maturity_model()["areas"] for q in a["questions"]]
    answers = {i: _text(form, i) for i in ids if _text(form, i)}
    result, error, error_target = None, None, "maturity-form"
    try:
        result = assess_maturity(answers, file=None)
    except SocmobError as exc:
        missing = [i for i in ids if i not in answers]
        error = (f"Score every statement: {len(missing)} not yet scored" if missing
                 else str(exc))
        error_target = f"{missing[0]}-0" if missing else "maturity-form"
    response = render(request, "employers_maturity.html", {
        **_maturity_context(), "answers": answers, "result": result, "error": error,
        "error_target": error_target,
    }, active="employers", status_code=422 if error else 200)
    response.headers.update(NO_STORE)
    return response
