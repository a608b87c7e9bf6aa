"""Fuzz the published API schema: no 5xx, and every answer conforms to what the schema says.

Runs every operation (positive and negative data) as the steward of a seeded community, with the
`slug` path parameter mostly set to that community so the fuzzing reaches past the 404s. The
community also holds one of each exchange object (a need, an offer and a request for it, a
response, a commitment with an expense, an arrangement) under fixed ids, which the `*_id` path
parameters mostly take, so the exchange endpoints act on real rows.
"""

from __future__ import annotations

import datetime as dt

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

from mutua.exchange import services as exchange
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

# The fixed public ids of the seeded exchange objects, by path parameter.
SEEDED = {
    "need_id": "seedneed00000000",
    "offer_id": "seedshare0000000",
    "request_id": "seedask000000000",
    "response_id": "seedanswer000000",
    "commitment_id": "seedtask00000000",
    "expense_id": "seedexpense00000",
    "arrangement_id": "seedarrangement0",
}

config = schemathesis.Config.from_dict(
    {
        "generation": {"max-examples": 15},
        "dictionaries": {
            "slugs": {"values": [SLUG]},
            **{name: {"values": [value]} for name, value in SEEDED.items()},
        },
        "parameters": {
            "path.slug": {"dictionary": "slugs", "probability": 0.8},
            **{f"path.{name}": {"dictionary": name, "probability": 0.8} for name in SEEDED},
        },
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
    members = [make_user(f"Member {n}") for n in range(3)]
    for member in members:
        add_member(community, member)
    _seed_exchange(community, steward, *members)
    _token, secret = api_token_create(user=steward, name="schemathesis")
    return secret


def _seed_exchange(community, steward, person, helper, asker) -> None:
    """One of each exchange object, through the services, renamed to the ids in SEEDED."""
    from mutua.exchange.models import (
        Commitment,
        Expense,
        Need,
        Offer,
        OfferRequest,
        Response,
        StandingArrangement,
    )

    need = exchange.need_post(
        actor=person, community=community, title="Shopping for the week", helpers_wanted=3
    )
    response = exchange.response_create(helper=asker, need=need, message="I can on Friday")
    commitment = exchange.commitment_assign(actor=steward, need=need, helper=helper)
    expense = exchange.expense_record(actor=helper, commitment=commitment, amount="12.50")
    offer = exchange.offer_post(owner=helper, community=community, title="Lifts to the clinic")
    request = exchange.offer_request_create(requester=asker, offer=offer)
    arrangement = exchange.arrangement_create(
        actor=person,
        community=community,
        helper=helper,
        person=person,
        title="Shopping every Tuesday",
        rrule="FREQ=WEEKLY;BYDAY=TU",
        dtstart=dt.datetime(2030, 1, 1, 10, tzinfo=dt.UTC),
    )
    for model, row, name in (
        (Need, need, "need_id"),
        (Response, response, "response_id"),
        (Commitment, commitment, "commitment_id"),
        (Expense, expense, "expense_id"),
        (Offer, offer, "offer_id"),
        (OfferRequest, request, "request_id"),
        (StandingArrangement, arrangement, "arrangement_id"),
    ):
        model.objects.filter(pk=row.pk).update(public_id=SEEDED[name])


@schema.parametrize()
@settings(
    deadline=None,
    # The seeded community is meant to persist across examples of one operation.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_api_conforms_to_its_schema(case, steward_token):
    case.call_and_validate(headers={"Authorization": f"Bearer {steward_token}"}, checks=CHECKS)
