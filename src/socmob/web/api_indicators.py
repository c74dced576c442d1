"""The JSON API of the State of the Nation indicators (``/api/indicators…``), in the same
envelope as the rest of the API (:class:`socmob.web.api.Envelope`) and documented in
``/api/openapi.json``.

* ``GET /api/indicators`` — every indicator: latest value and interval, trend, gap, the
  two statuses with their evidence (technical and in plain words), the multiple-comparison
  adjustment of the scan; filtered by ``level``, ``status`` and ``gap_status`` like the
  page.
* ``GET /api/indicators/{code}`` — one indicator: its metadata, statuses with the
  evidence behind them, the headline series (with the gap's two groups) and the gap over
  time, what changed since the last edition, the latest ITL2 values, the breakdowns it
  is published by, and with ``?by=`` every published row of one breakdown and its gaps.

Numbers are unrounded. Unknown codes and breakdowns are 404 and bad filter values 422,
answered by the app's error handlers (``{"error", "detail"}``, the detail with "did you
mean"); the scan behind the answers is made once per process.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from socmob import ATTRIBUTION
from socmob.results import jsonable
from socmob.web.api import Envelope

router = APIRouter(prefix="/api/indicators", tags=["indicators"])

Filter = Annotated[list[Annotated[str, Query(max_length=60)]] | None,
                   Query(max_length=20, description="Keep indicators with one of these "
                                                    "values (repeat the parameter)")]


def _envelope(data: Any) -> Envelope:
    return Envelope(available=True, reason=None, attribution=ATTRIBUTION, data=jsonable(data))


def _status(status: Any, plain: str) -> dict[str, Any]:
    return {"status": status.status, "rule": status.rule, "text": status.text,
            "plain": plain, "evidence": jsonable(dict(status.evidence))}


@router.get("", response_model=Envelope, summary="Every State of the Nation indicator")
def indicators(level: Filter = None, status: Filter = None,
               gap_status: Filter = None) -> Envelope:
    """The framework, drivers → intermediate outcomes → mobility outcomes: each
    indicator's latest value, trend, gap and statuses, judged on p-values adjusted for
    the many tests of the scan (``adjustment``). ``level``: driver, intermediate
    outcome, mobility outcome; ``status`` / ``gap_status``: e.g. improving, gap
    widening."""
    from socmob.report import national

    scan = national.shared_overview()
    view = national.filter_overview(national.overview_page(), level=tuple(level or ()),
                                    status=tuple(status or ()),
                                    gap_status=tuple(gap_status or ()))
    kept = {r["code"]: r for rows in view.levels.values() for r in rows}
    rows = []
    for a in scan.assessments:
        if a.code in kept:
            rows.append({**a.summary_row(), "plain": kept[a.code]["plain"],
                         "gap_plain": kept[a.code]["gap_plain"],
                         "href": f"/indicators/{a.code}",
                         "api": f"/api/indicators/{a.code}"})
    return _envelope({"adjustment": scan.adjustment, "tests": scan.tests,
                      "gap_tests": scan.gap_tests, "note": view.adjustment_note,
                      "counts": view.counts, "indicators": rows})


@router.get("/{code}", response_model=Envelope, summary="One State of the Nation indicator")
def indicator(
    code: Annotated[str, Path(min_length=1, max_length=100,
                              description="Indicator code or title, e.g. dr32")],
    by: Annotated[str | None, Query(max_length=200, description=(
        "A breakdown (e.g. 'sex; ethnicity') or a dimension (e.g. sex): every published "
        "row of it and its gaps"))] = None,
) -> Envelope:
    """One indicator: metadata (definition, population, source, which way is good),
    the status and gap status with their evidence, the headline ``series`` (tidy rows,
    with the gap's two groups), the ``gap`` over time, ``revisions`` between editions
    (verdict, series re-based or revised, every value in both), the latest ``regional``
    (ITL2) values, the ``breakdowns`` published, and with ``by`` the ``breakdown``'s
    rows and gaps."""
    from socmob.monitor import breakdown as monitor_breakdown
    from socmob.monitor import editions_of, revisions
    from socmob.monitor.analysis import series_frame
    from socmob.report import national

    view = national.indicator_page(code)
    choice = national.find_choice(view.code, by)[0] if by is not None else None
    a = view.assessment
    assert a is not None
    tables = national.indicator_tables(view.code)
    rev = None
    if len(editions_of(view.code)) >= 2:
        r = revisions(view.code)
        rev = {"verdict": r.verdict, "old": r.old, "new": r.new,
               "blocks": r.blocks, "values": tables["revisions"]}
    data: dict[str, Any] = {
        "indicator": view.meta, "edition": a.edition, "summary": a.summary_row(),
        "status": _status(a.status, view.summary["plain"]),
        "gap_status": _status(a.gap_status, view.summary["gap_plain"]),
        "series": national.headline_rows(view.code),
        "gap": tables.get("gap"),
        "revisions": rev,
        "regional": tables.get("regions"),
        "mobility": view.mobility or None,
        "breakdowns": [{"by": c.key, "label": c.label, "breakdown": c.breakdown,
                        "geography": c.geography, "attributes": list(c.attributes)}
                       for c in national.breakdown_choices(view.code)],
    }
    if choice is not None:
        if choice.key == national.HEADLINE:
            rows, gaps = data["series"], tables.get("gap")
        else:
            b = monitor_breakdown(view.code, by=choice.breakdown, geography=choice.geography,
                                  edition=a.edition)
            rows, gaps = series_frame(b.rows), b.gaps
        data["breakdown"] = {"by": choice.key, "label": choice.label,
                             "geography": choice.geography, "rows": rows, "gaps": gaps}
    return _envelope(data)
