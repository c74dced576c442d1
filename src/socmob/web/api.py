"""The JSON API (``/api/...``), documented by the OpenAPI document at
``/api/openapi.json``.

Every response is an envelope ``{"available": bool, "reason": str | null, "data": ...}``.
``available: false`` (with status 200) means a part that cannot exist for this area or
edition — figures not published for it, one period and so no trend — and ``reason``
says which; it is never used for an error. Unknown areas, indices and periods are 404;
malformed parameters are 422; a bug is a 500.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Query, Request
from pydantic import BaseModel, Field

from socmob import ATTRIBUTION
from socmob.errors import InputError, NotFoundError
from socmob.report import views
from socmob.report.sections import Section
from socmob.results import jsonable
from socmob.web.routes.base import edition as _edition
from socmob.web.routes.base import profiles as _profiles

router = APIRouter(prefix="/api", tags=["data"])

AreaId = Annotated[str, Field(min_length=1, max_length=100)]


class Envelope(BaseModel):
    """Every API response: the data, or why it cannot exist here."""

    available: bool = Field(description="Whether the data is available.")
    reason: str | None = Field(None, description="Why the data is not available.")
    attribution: str = Field(ATTRIBUTION, description="Source and licence of the data.")
    data: Any = Field(None, description="The payload (tidy records where tabular).")


def _make(available: bool, *, reason: str | None = None, data: Any = None) -> Envelope:
    return Envelope(available=available, reason=reason, attribution=ATTRIBUTION,
                    data=jsonable(data))


def _envelope(section: Section[Any], convert: Any = None) -> Envelope:
    if not section.available:
        return _make(False, reason=section.reason)
    value = convert(section.get()) if convert else section.get()
    return _make(True, data=value)


def _panel_json(panel: views.Panel) -> dict[str, Any]:
    return {"name": panel.name, "title": panel.title, "note": panel.note,
            "rows": jsonable(panel.table)}


def _404(exc: NotFoundError) -> HTTPException:
    return HTTPException(status_code=404, detail=str(exc))


@router.get("/areas", response_model=Envelope, summary="All areas")
def list_areas(request: Request) -> Envelope:
    """The SMC areas (id, name, GSS code, region, nation)."""
    return _make(True, data=[a.__dict__ for a in views.all_areas(_edition(request))])


@router.get("/indices", response_model=Envelope, summary="Composite indices")
def list_indices(request: Request) -> Envelope:
    """The composite indices and the periods each covers."""
    return _make(True, data=views.indices(_edition(request)))


def _map_panel(request: Request, index: str, period: str | None) -> views.Panel:
    try:
        return views.map_panel(index, period, _edition(request))
    except NotFoundError as exc:
        raise _404(exc) from None


@router.get("/map", response_model=Envelope, summary="Map data: one index and period")
def map_data(
    request: Request,
    index: Annotated[str, Query(min_length=1, max_length=20, description="Index code, e.g. ci1")]
    = "ci1",
    period: Annotated[str | None, Query(max_length=40, description="Period; latest if omitted")]
    = None,
) -> Envelope:
    """Every area's z-score and band on one index in one period (tidy records)."""
    return _make(True, data=_panel_json(_map_panel(request, index, period)))


@router.get("/map/spec", response_model=Envelope, summary="Map as a Vega-Lite spec")
def map_spec(
    request: Request,
    index: Annotated[str, Query(min_length=1, max_length=20)] = "ci1",
    period: Annotated[str | None, Query(max_length=40)] = None,
) -> Envelope:
    """The Vega-Lite specification of the map (the same one the page renders)."""
    chart = _map_panel(request, index, period).chart
    if chart is None:
        raise TypeError("a map panel without its chart")
    return _make(True, data=chart.spec)


@router.get("/national", response_model=Envelope, summary="The national picture")
def national() -> Envelope:
    """Absolute and relative occupational mobility over time (SMC MO11, MO12)."""
    panels = views.national_panels()
    data = {s.name: (_panel_json(s.get()) if s.available else
                     {"available": False, "reason": s.reason}) for s in panels}
    some = any(s.available for s in panels)
    return _make(some, reason=None if some else "no national series is available",
                 data=data)


def _profile(request: Request, area_id: str) -> views.AreaProfile:
    try:
        return _profiles(request).profile(area_id)
    except NotFoundError as exc:
        raise _404(exc) from None


@router.get("/areas/{area_id}", response_model=Envelope, summary="An area profile")
def area(request: Request, area_id: AreaId) -> Envelope:
    """Everything on the area page: each panel's tidy rows, or why it is not available."""
    profile = _profile(request, area_id)
    panels = {name: (_panel_json(s.get()) if s.available else
                     {"available": False, "reason": s.reason})
              for name, s in profile.panels().items()}
    return _make(True, data={
        "area": profile.area.__dict__, "edition": profile.edition, "panels": panels,
        "questions": ([q.__dict__ for q in profile.questions.get()]
                      if profile.questions.available else None),
    })


@router.get("/areas/{area_id}/questions", response_model=Envelope,
            summary='"What should you be asking?"')
def area_questions(request: Request, area_id: AreaId) -> Envelope:
    """Questions generated from the area's weakest and most uncertain domains, each with
    the panel holding its evidence."""
    profile = _profile(request, area_id)
    return _envelope(profile.questions, lambda qs: [q.__dict__ for q in qs])


@router.get("/compare", response_model=Envelope, summary="Compare 2–5 areas")
def compare(
    request: Request,
    areas: Annotated[list[Annotated[str, Field(max_length=100)]],
                     Query(min_length=1, max_length=5, description="2–5 area ids")],
) -> Envelope:
    """The latest value of each index for 2–5 areas, side by side."""
    try:
        panel = views.compare_panel(areas, _edition(request))
    except NotFoundError as exc:
        raise _404(exc) from None
    except InputError as exc:
        raise HTTPException(status_code=422, detail=str(exc)) from None
    return _make(True, data=_panel_json(panel))
