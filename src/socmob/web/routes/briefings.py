"""Area briefings to take into a meeting: HTML and PDF (``socmob.report.briefing``)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from socmob.web.routes.base import Page, profiles

router = APIRouter(include_in_schema=False)
page = Page(router)


@router.get("/areas/{area_id}/briefing.html", response_class=HTMLResponse)
def briefing_html(request: Request, area_id: str) -> HTMLResponse:
    return HTMLResponse(profiles(request).briefing_html(area_id))


@router.get("/areas/{area_id}/briefing.pdf")
def briefing_pdf(request: Request, area_id: str) -> Response:
    found = profiles(request).find(area_id)
    pdf = profiles(request).briefing_pdf(found.id)
    return Response(pdf, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="socmob-briefing-{found.id}.pdf"'})
