"""Fuzz the published API schema: no 5xx, and every answer conforms to what the schema says.

Runs every operation (positive and negative data) as the steward of a seeded community, with the
`slug` path parameter mostly set to that community so the fuzzing reaches past the 404s.
"""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from mutua.people.services import api_token_create
from mutua.wsgi import application
from tests.factories import add_member, make_area, make_community, make_user

SLUG = "fuzzed"
CHECKS = [
    not_a_server_error,
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
    negative_data_rejection,
]

config = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 15},
        "dictionaries": {"slugs": {"values": [SLUG]}},
        "parameters": {"path.slug": {"dictionary": "slugs", "probability": 0.8}},
    }
)
schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application, config=config)


@pytest.fixture
def keep_connection():
    """Requests go through the real WSGI handler, which closes the database connection after
    each one; keep it open, as Django's test client does, so the test transaction survives."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture
def steward_token(db, keep_connection) -> str:
    """A community with an area, a few members and one pending invitation; its steward's token."""
    steward = make_user("Fuzz Steward", "fuzz-steward@example.org")
    community = make_community(steward, name="Fuzzed Mutual Aid", slug=SLUG, join_policy="open")
    make_area(community, name="North")
    for n in range(3):
        add_member(community, make_user(f"Member {n}"))
    _token, secret = api_token_create(user=steward, name="schemathesis")
    return secret


@schema.parametrize()
@settings(
    deadline=None,
    # The seeded community is meant to persist across examples of one operation.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, steward_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {steward_token}"}, checks=CHECKS)
