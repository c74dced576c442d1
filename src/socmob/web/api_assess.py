"""``POST /api/assess``: a policy scenario assessed through the JSON API.

The body is the scenario: a JSON object (``Content-Type: application/json``) or the text
of a YAML scenario file (``application/yaml``, ``text/yaml`` or ``text/plain``), as
described by its JSON Schema (``GET /assess/scenario.schema.json``). The answer is the
API's envelope with the whole assessment (``socmob.assess.Assessment.to_dict``: summary,
place impact by unit, group and driver, gaps, flags, assumptions) as ``data``. A
scenario that cannot be assessed is 422 with every problem, each naming its key (and
line, for YAML); at most ``WEB_MAX_RUNS`` Monte Carlo runs; income scenarios are not
assessed here (no microdata), and ``data.income`` says so. Nothing is kept.
"""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from socmob import ATTRIBUTION
from socmob.errors import InputError, SocmobError
from socmob.report import assess as report
from socmob.web.api import Envelope

router = APIRouter(prefix="/api", tags=["assess"])

_YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml",
               "text/plain")


def _problems(exc: SocmobError) -> list[str]:
    from socmob.assess.scenario import ScenarioError

    if isinstance(exc, ScenarioError):
        return [str(p) for p in exc.problems]
    return [str(exc)]


@router.post(
    "/assess", response_model=Envelope, summary="Assess a policy scenario",
    openapi_extra={"requestBody": {"required": True, "content": {
        "application/json": {"schema": {"type": "object",
                                        "description": "A scenario (see "
                                                       "/assess/scenario.schema.json)."}},
        "application/yaml": {"schema": {"type": "string",
                                        "description": "A scenario file in YAML."}}}}},
    responses={422: {"description": "The scenario cannot be assessed: every problem, each "
                                    "naming its key (and line)."}})
async def assess_scenario(request: Request) -> Any:
    """Assess a scenario: the change in every area's (or region's) index, rank and band
    with intervals, by nation and region, what drives it, gaps by background, and the
    negative impacts flagged."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    body = await request.body()
    try:
        if kind in _YAML_TYPES:
            scenario = report.read_scenario_upload(body, "request.yaml")
        else:
            from socmob.assess import parse_scenario

            if len(body) > report.MAX_SCENARIO_BYTES:
                raise InputError(f"the scenario is {len(body):,} bytes",
                                 expected=f"at most {report.MAX_SCENARIO_BYTES:,}")
            try:
                doc = json.loads(body.decode("utf-8")) if body.strip() else None
            except (UnicodeDecodeError, json.JSONDecodeError) as exc:
                raise InputError(f"the body is not JSON ({exc})",
                                 expected="a scenario as a JSON object, or YAML with "
                                          "Content-Type: application/yaml") from None
            if not isinstance(doc, dict):
                raise InputError("the body is not a JSON object",
                                 expected="a scenario as a JSON object")
            scenario = parse_scenario(doc)
        result = await run_in_threadpool(report.web_report, scenario)
    except SocmobError as exc:
        problems = _problems(exc)
        return JSONResponse({"error": "The scenario cannot be assessed",
                             "detail": "; ".join(problems), "problems": problems},
                            status_code=422)
    return Envelope(available=True, reason=None, attribution=ATTRIBUTION,
                    data=json.loads(result.json))
