"""The State of the Nation indicators: the framework overview (drivers → intermediate
outcomes → mobility outcomes) with each indicator's status, filters and CSV, and one page
per indicator — its chart by breakdown over time, the gap, what changed since the last
edition and, where published, the ITL2 map — with the figures behind every table as CSV.

A thin shell over :mod:`socmob.report.national`: the views (and the scan of every
indicator behind them) are made once per process there, so no request recomputes them.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from socmob.errors import InputError, NotFoundError
from socmob.web.routes.base import MenuEntry, Page, csv_response, render

router = APIRouter(include_in_schema=False)
page = Page(router, MenuEntry("indicators", "/indicators", "Indicators"))

#: Tags for statuses (GOV.UK tag colours) by :func:`socmob.report.national.status_class`.
TAG_COLOURS = {"good": "govuk-tag--green", "bad": "govuk-tag--red",
               "neutral": "govuk-tag--blue", "none": "govuk-tag--grey"}

Filter = Annotated[list[Annotated[str, Query(max_length=60)]] | None,
                   Query(max_length=20)]


def _filters(level: list[str] | None, status: list[str] | None,
             gap_status: list[str] | None) -> dict[str, tuple[str, ...]]:
    return {"level": tuple(v for v in level or () if v),
            "status": tuple(v for v in status or () if v),
            "gap_status": tuple(v for v in gap_status or () if v)}


@router.get("/indicators", response_class=HTMLResponse)
def indicators_page(request: Request, level: Filter = None, status: Filter = None,
                    gap_status: Filter = None) -> HTMLResponse:
    from socmob.report import national

    chosen = _filters(level, status, gap_status)
    view = national.overview_page()
    error = ""
    try:
        shown = national.filter_overview(view, **chosen)
    except InputError as exc:
        error, shown = str(exc), view
        chosen = {k: () for k in chosen}
    query = urlencode([(k, v) for k, values in chosen.items() for v in values])
    return render(request, "indicators.html", {
        "view": shown, "all": view, "chosen": chosen, "options": national.status_options(),
        "level_titles": national.LEVEL_TITLES, "tags": TAG_COLOURS, "error": error,
        "csv_href": "/indicators.csv" + (f"?{query}" if query else ""),
        "filtered": any(chosen.values()),
        "shown_count": sum(len(r) for r in shown.levels.values()),
        "total_count": sum(len(r) for r in view.levels.values()),
    }, status_code=422 if error else 200, active="indicators")


@router.get("/indicators.csv")
def indicators_csv(level: Filter = None, status: Filter = None,
                   gap_status: Filter = None) -> Response:
    from socmob.report import national

    view = national.filter_overview(national.overview_page(),
                                    **_filters(level, status, gap_status))
    return csv_response(view.frame, "socmob-indicators.csv")


#: Query parameters of a breakdown view that are not held groups.
VIEW_PARAMETERS = {"by", "lines"}

Text = Annotated[str | None, Query(max_length=200)]


def _hold(request: Request) -> dict[str, str]:
    return {k: v for k, v in request.query_params.items() if k not in VIEW_PARAMETERS}


@router.get("/indicators/{code}", response_class=HTMLResponse)
def indicator_page(request: Request, code: str, by: Text = None,
                   lines: Text = None) -> Response:
    from socmob.report import national

    view = national.indicator_page(code[:100])
    if view.code != code:  # a title or another spelling: go to the canonical address
        query = f"?{request.url.query}" if request.url.query else ""
        return RedirectResponse(f"/indicators/{view.code}{query}", status_code=308)
    error = ""
    try:
        chosen = national.breakdown_view(view.code, by, _hold(request), lines=lines)
    except NotFoundError as exc:
        error, chosen = str(exc), national.breakdown_view(view.code)
    live_map = (national.with_data_url(view.regional_map, f"/indicators/{view.code}/map.json")
                if view.regional_map is not None else None)
    return render(request, "indicators_detail.html", {
        "v": view, "b": chosen, "a": view.assessment, "error": error, "tags": TAG_COLOURS,
        "live_map": live_map,
        "level_titles": national.LEVEL_TITLES, "status_class": national.status_class,
        "data_href": f"/indicators/{view.code}/data.csv?{urlencode(chosen.query)}",
    }, status_code=404 if error else 200, active="indicators")


@router.get("/indicators/{code}/data.csv")
def indicator_data_csv(request: Request, code: str, by: Text = None,
                       lines: Text = None) -> Response:
    """The published rows behind the chart of ``?by=`` (its lines and held groups)."""
    from socmob.report import national

    entry = national.indicator_page(code[:100])
    chosen = national.breakdown_view(entry.code, by, _hold(request), lines=lines)
    return csv_response(chosen.csv, f"socmob-{entry.code}-{chosen.choice.key}.csv")


@router.get("/indicators/{code}/map.json")
def indicator_map_json(code: str) -> Response:
    """The ITL2 boundaries of the indicator's map (GeoJSON), for the interactive map."""
    import json

    from socmob.report import national

    view = national.indicator_page(code[:100])
    if view.regional is None:
        raise NotFoundError(f"indicator {view.code} has no ITL2 map")
    return Response(json.dumps(national.regional_geometry(view.code, view.regional)),
                    media_type="application/geo+json",
                    headers={"cache-control": "public, max-age=86400"})


@router.get("/indicators/{code}/{table}.csv")
def indicator_table_csv(code: str, table: str) -> Response:
    """Every published row (``published``), the gap over time (``gap``), the ITL2 values
    (``regions``) or the values of both editions (``revisions``), unrounded."""
    from socmob.report import national

    view = national.indicator_page(code[:100])
    tables = national.indicator_tables(view.code)
    if table not in tables:
        raise NotFoundError(f"indicator {view.code} has no download {table[:40]!r}",
                            sorted(tables))
    return csv_response(tables[table], f"socmob-{view.code}-{table}.csv")
