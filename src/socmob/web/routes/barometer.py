"""The barometer page: the SYNTHETIC demonstration survey's estimates by group and wave,
and an uploaded survey → the same page for it (``socmob.survey``, assembled by
``socmob.report.barometer``).

An upload takes two steps without keeping anything on the server. The first reads the
respondent file (CSV, Excel, Parquet, SPSS or Stata; size-checked by
:func:`socmob.web.tools.receive`, type-checked by its first bytes) and an optional
margins CSV, and shows the design form with the file's columns in its dropdowns. The
form carries the files back compressed in hidden fields (:func:`pack`), so the second
step — estimate — needs no copy on the server; a file too large to carry is asked for
again. Each request reads, computes, renders and forgets; results and their CSV downloads
(``data:`` links written by :func:`socmob.results.csv_text`) travel in the page, which
is sent with ``Cache-Control: no-store``.
"""

from __future__ import annotations

import base64
import binascii
import re
import zlib
from typing import Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from socmob.errors import InputError, NotFoundError, SocmobError
from socmob.report import barometer as views
from socmob.results import csv_text
from socmob.survey import LONELY_PSU_OPTIONS, Margin, SurveyData
from socmob.survey.read import labelled_survey
from socmob.web import tools
from socmob.web.routes.base import MenuEntry, Page, check_csrf, render, settings
from socmob.web.settings import Settings
from socmob.web.uploads import MAX_COLUMNS, MAX_UNCOMPRESSED_FACTOR, Upload, read_table, sniff

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("barometer", "/barometer", "Barometer"),
            warm=lambda _edition: views.demo_view())

SURVEY_FORMATS = "CSV, Excel (.xlsx), Parquet, SPSS (.sav) or Stata (.dta)"
ACCEPT = ".csv,.txt,.xlsx,.parquet,.pq,.sav,.zsav,.dta"
MAX_CARRIED = 900_000
"""Largest packed file the design form carries in a hidden field (the form parser takes
fields of up to 1 MiB); a larger upload is asked for again at the second step."""

_SAFE_DOWNLOAD = re.compile(r"^[a-z0-9_]{1,40}$")


# --------------------------------------------------------------------------- reading


def _old_stata(head: bytes) -> bool:
    """Stata formats 113–115 (before the ``<stata_dta>`` header): format byte, byte
    order (1 or 2), file type 1."""
    return len(head) > 3 and head[0] in (113, 114, 115) and head[1] in (1, 2) and head[2] == 1


def survey_format(upload: Upload) -> str:
    """The format of an uploaded respondent file from its first bytes (never its name):
    ``parquet``, ``spss``, ``stata``, else what :func:`socmob.web.uploads.sniff` finds
    (UTF-8 ``csv`` or an ``xlsx`` workbook), else :class:`InputError`."""
    from socmob.io import sniff as container

    head = upload.content[:4096]
    kind = container(head)
    if kind in ("parquet", "spss", "stata"):
        return kind
    if _old_stata(head):
        return "stata"
    if kind == "gzip":
        raise InputError("the file is compressed (gzip)", file=upload.filename,
                         expected=f"an uncompressed {SURVEY_FORMATS} file")
    try:
        return "excel" if sniff(upload) == "xlsx" else "csv"
    except InputError as exc:
        raise InputError(exc.message, file=upload.filename,
                         expected=f"a {SURVEY_FORMATS} file") from None


def _stat_rows(content: bytes, fmt: str, name: str, max_rows: int) -> Any:
    """Write an SPSS/Stata upload to a scratch file (pyreadstat reads paths), refusing
    more than ``max_rows`` rows from its header before any data is read; the caller
    removes the file."""
    import pyreadstat

    from socmob.io.scratch import scratch_file

    path = scratch_file("upload", ".sav" if fmt == "spss" else ".dta")
    path.write_bytes(content)
    reader = pyreadstat.read_sav if fmt == "spss" else pyreadstat.read_dta
    try:
        _, meta = reader(str(path), metadataonly=True)
    except Exception as exc:  # pyreadstat raises ReadstatError, PyreadstatError, OSError
        path.unlink(missing_ok=True)
        kind = "SPSS" if fmt == "spss" else "Stata"
        raise InputError(f"cannot read the {kind} file ({type(exc).__name__})", file=name,
                         expected=f"a valid {kind} file") from None
    rows = int(getattr(meta, "number_rows", 0) or 0)
    cols = int(getattr(meta, "number_columns", 0) or 0)
    if rows > max_rows or rows * cols > max_rows * MAX_COLUMNS:
        path.unlink(missing_ok=True)
        raise InputError(f"the file has {rows:,} rows and {cols:,} columns", file=name,
                         expected=f"at most {max_rows:,} rows")
    return path


def read_survey_upload(upload: Upload, config: Settings) -> SurveyData:
    """Read an uploaded respondent file into memory with its labels, through
    :func:`socmob.io.read_file` (one NA convention, finite numbers, checked headers),
    within the upload limits. SPSS/Stata value labels and the labels socmob writes into
    Parquet metadata are kept; a ``synthetic`` column or metadata marks synthetic data.
    Nothing is registered in the engine or kept."""
    from socmob.io import Limits, read_file

    fmt = survey_format(upload)
    size = len(upload.content)
    max_rows = config.max_upload_rows
    limits = Limits(max_bytes=size + 1,
                    max_uncompressed=MAX_UNCOMPRESSED_FACTOR * max(size, 1 << 20),
                    max_cells=max_rows * MAX_COLUMNS, max_rows=max_rows)
    if fmt in ("spss", "stata"):
        path = _stat_rows(upload.content, fmt, upload.filename, max_rows)
        try:
            data = read_file(path, name=upload.filename, format=fmt, types="infer",
                             limits=limits)
        finally:
            path.unlink(missing_ok=True)
    else:
        data = read_file(upload.content, name=upload.filename, format=fmt, types="infer",
                         limits=limits)
    frame = data.frame
    if frame.empty:
        raise InputError("the file has a header but no data rows", file=upload.filename,
                         expected="at least one respondent")
    if len(frame) > max_rows:
        raise InputError(f"the file has more than {max_rows:,} data rows",
                         file=upload.filename, expected=f"at most {max_rows:,} rows")
    return labelled_survey(frame, upload.filename, value_labels=data.value_labels,
                           variable_labels=data.variable_labels,
                           parquet=upload.content if fmt == "parquet" else None)


def read_margins_upload(upload: Upload, config: Settings) -> tuple[Margin, ...]:
    """Population margins from an uploaded CSV or Excel file in the margins-file layout
    (``docs/survey.md``): read by :func:`socmob.web.uploads.read_table`."""
    from socmob.survey import margins_from_frame

    frame = read_table(upload, max_rows=config.max_upload_rows)
    return margins_from_frame(frame.fillna(""), source=upload.filename)


def pack(upload: Upload) -> str | None:
    """The file compressed and base64-encoded for a hidden form field, or ``None`` when
    it would be larger than :data:`MAX_CARRIED`."""
    text = base64.b64encode(zlib.compress(upload.content, 6)).decode("ascii")
    return text if len(text) <= MAX_CARRIED else None


def unpack(text: str, name: str | None, config: Settings) -> Upload:
    """A file carried by the form (:func:`pack`), checked like an upload: it came back
    from the browser, so it is untrusted — bounded when decompressed, then read as any
    upload is."""
    safe = re.sub(r"[^\w.\- ]", "_", (name or "upload")[-100:])
    limit = config.max_upload_bytes
    try:
        raw = base64.b64decode(text, validate=True)
        inflate = zlib.decompressobj()
        content = inflate.decompress(raw, limit + 1)
    except (binascii.Error, ValueError, zlib.error):
        raise InputError("the file carried by the form is damaged", file=safe,
                         expected="the file chosen again") from None
    if len(content) > limit or inflate.unconsumed_tail:
        raise InputError(f"the file is larger than {limit:,} bytes", file=safe,
                         expected="a smaller file")
    return Upload(safe, content)


# --------------------------------------------------------------------------- the page


def _data_uri(text: str) -> str:
    return "data:text/csv;charset=utf-8;base64," + base64.b64encode(text.encode()).decode()


def _downloads(view: views.BarometerView, *, demo: bool) -> dict[str, str]:
    """Where each table of ``view`` downloads from: the demo's addresses, or ``data:``
    links for an upload (its results are not kept)."""
    if demo:
        return {name: f"/barometer/demo/{name}.csv" for name in view.panels()}
    out = {"estimates": _data_uri(view.estimates_csv()),
           "differences": _data_uri(view.differences_csv())}
    for name, panel in view.panels().items():
        if name not in out:
            out[name] = _data_uri(csv_text(panel.table))
    return out


def _context(request: Request, **extra: Any) -> dict[str, Any]:
    config = settings(request)
    base: dict[str, Any] = {
        "view": None, "demo": False, "downloads": {}, "survey_file": None, "form": None,
        "carry": None, "error": None, "error_target": "barometer-file",
        "stored": config.upload_store is not None, "accept": ACCEPT,
        "formats": SURVEY_FORMATS, "synthetic_label": views.SYNTHETIC_LABEL,
        "lonely_options": LONELY_PSU_OPTIONS, "max_groups": views.MAX_GROUPS,
        "max_answers": views.MAX_ANSWERS,
    }
    base.update(extra)
    return base


@router.get("/barometer", response_class=HTMLResponse)
def barometer_page(request: Request) -> HTMLResponse:
    view = views.demo_view()
    return render(request, "barometer.html", _context(
        request, view=view, demo=True, downloads=_downloads(view, demo=True)),
        active="barometer")


@router.get("/barometer/demo/{table}.csv")
def demo_download(table: str) -> Response:
    """A table of the demonstration as CSV (tidy, unrounded, marked synthetic)."""
    panels = views.demo_view().panels()
    if not _SAFE_DOWNLOAD.match(table) or table not in panels:
        from socmob._text import closest

        raise NotFoundError(f"no table {table!r} on the barometer page",
                            suggestions=closest(table, list(panels)))
    return Response(csv_text(panels[table].table), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": "attachment; filename="
                             f'"socmob-barometer-synthetic-{table}.csv"'})


def _spec(form: dict[str, Any]) -> views.BarometerSpec:
    def col(key: str) -> str | None:
        value = str(form.get(key) or "").strip()
        return value or None

    agree = views.split_answers(form.get("agree"))
    disagree = views.split_answers(form.get("disagree"))
    return views.BarometerSpec(
        items=tuple(dict.fromkeys(i for i in form.get("items", []) if i)),
        groups=tuple(dict.fromkeys(g for g in form.get("groups", []) if g)),
        wave=col("wave"), weights=col("weights"), strata=col("strata"), psu=col("psu"),
        lonely_psu=str(form.get("lonely_psu") or "fail"),
        missing=views.split_answers(form.get("missing")),
        agree=agree or None, disagree=disagree or None)


_FIELD_OF_COLUMN = {"weights": "barometer-weights", "strata": "barometer-strata",
                    "psu": "barometer-psu", "wave": "barometer-wave",
                    "lonely_psu": "barometer-lonely-psu", "items": "barometer-items",
                    "groups": "barometer-groups", "agree": "barometer-agree",
                    "disagree": "barometer-disagree"}


def _target(exc: SocmobError, form: dict[str, Any], margins_name: str | None) -> str:
    """The form field an estimation error belongs to (the error summary links to it)."""
    column = getattr(exc, "column", None)
    file = getattr(exc, "file", None)
    if margins_name and file == margins_name:
        return "barometer-margins"
    if "PSU" in str(exc) and "only one" in str(exc):
        return "barometer-lonely-psu"
    if column in _FIELD_OF_COLUMN:
        return _FIELD_OF_COLUMN[column]
    for key in ("weights", "strata", "psu", "wave"):
        if column and form.get(key) == column:
            return _FIELD_OF_COLUMN[key]
    if column and column in form.get("groups", []):
        return "barometer-groups"
    return "barometer-items"


async def _file(upload: UploadFile | None, carried: str | None, name: str | None,
                config: Settings) -> Upload | None:
    if upload is not None and upload.filename:
        return await tools.receive(upload, config)
    if upload is not None:
        await upload.close()
    if carried:
        return unpack(carried, name, config)
    return None


@router.post("/barometer", response_class=HTMLResponse)
async def barometer_upload(
    request: Request,
    file: UploadFile | None = None,
    margins: UploadFile | None = None,
    csrf_token: str | None = Form(None),
    step: str = Form("describe", max_length=20),
    data_carried: str | None = Form(None),
    data_name: str | None = Form(None, max_length=200),
    margins_carried: str | None = Form(None),
    margins_name: str | None = Form(None, max_length=200),
    weights: str = Form("", max_length=200),
    strata: str = Form("", max_length=200),
    psu: str = Form("", max_length=200),
    lonely_psu: str = Form("fail", max_length=20),
    wave: str = Form("", max_length=200),
    items: list[str] = Form([]),
    groups: list[str] = Form([]),
    missing: str = Form("", max_length=200),
    agree: str = Form("", max_length=500),
    disagree: str = Form("", max_length=500),
) -> HTMLResponse:
    check_csrf(request, csrf_token)
    config = settings(request)
    form = {"weights": weights, "strata": strata, "psu": psu, "lonely_psu": lonely_psu,
            "wave": wave, "items": items, "groups": groups, "missing": missing,
            "agree": agree, "disagree": disagree}
    # 1. the files: a new upload, else the one the form carries
    try:
        data = await _file(file, data_carried, data_name, config)
        if data is None:
            raise InputError("no file was chosen", column="file",
                             expected=f"a respondent file ({SURVEY_FORMATS})")
        survey = read_survey_upload(data, config)
    except SocmobError as exc:  # the upload's fault: said beside the first form
        return _answer(request, _context(request, error=str(exc)), 422)
    margins_upload: Upload | None = None
    margin_set: tuple[Margin, ...] = ()
    carry = {"data": pack(data), "data_name": data.filename, "margins": None,
             "margins_name": None}
    try:
        margins_upload = await _file(margins, margins_carried, margins_name, config)
        if margins_upload is not None:
            carry["margins"] = pack(margins_upload)
            carry["margins_name"] = margins_upload.filename
            margin_set = read_margins_upload(margins_upload, config)
    except SocmobError as exc:
        described = views.describe_survey(survey)
        return _answer(request, _context(
            request, survey_file=described, form=_filled(form, described, step), carry=carry,
            error=str(exc), error_target="barometer-margins"), 422)
    described = views.describe_survey(survey)
    if step != "estimate":
        return _answer(request, _context(
            request, survey_file=described, form=_filled(form, described, step),
            carry=carry), 200)
    # 2. estimate
    try:
        spec = _spec(form)
        view = views.barometer_view(survey, spec, margin_set or None)
    except SocmobError as exc:
        target = _target(exc, form, margins_upload.filename if margins_upload else None)
        return _answer(request, _context(
            request, survey_file=described, form=form, carry=carry, error=str(exc),
            error_target=target), 422)
    return _answer(request, _context(
        request, view=view, downloads=_downloads(view, demo=False), survey_file=described,
        form=form, carry=carry, margins_used=margins_upload.filename if margin_set
        and margins_upload else None), 200)


def _filled(form: dict[str, Any], described: views.SurveyFile, step: str) -> dict[str, Any]:
    """The design form's values: the suggestion at the first step, else as sent."""
    if step == "estimate":
        return form
    suggestion = described.suggestion
    return {"weights": suggestion["weights"] or "", "strata": suggestion["strata"] or "",
            "psu": suggestion["psu"] or "", "lonely_psu": "fail",
            "wave": suggestion["wave"] or "", "items": suggestion["items"],
            "groups": suggestion["groups"], "missing": "", "agree": "", "disagree": ""}


def _answer(request: Request, context: dict[str, Any], status: int) -> HTMLResponse:
    response = render(request, "barometer.html", context, status_code=status,
                      active="barometer")
    response.headers["cache-control"] = "no-store"
    return response


__all__ = [
    "pack",
    "page",
    "read_margins_upload",
    "read_survey_upload",
    "router",
    "survey_format",
    "unpack",
]
