"""Property-based tests of the JSON API from its own OpenAPI document (schemathesis):
whatever the generated parameters, the API never answers with a server error (5xx)."""

from __future__ import annotations

import pytest

pytest.importorskip("schemathesis")

import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from socmob.web.app import create_app
from socmob.web.settings import Settings

schema = schemathesis.openapi.from_asgi(
    "/api/openapi.json", create_app(Settings(secret_key="schema-test", warm=False)))


@schema.parametrize()
@settings(max_examples=20, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
def test_api_never_answers_5xx(case):
    response = case.call()
    case.validate_response(response, checks=[not_a_server_error])
