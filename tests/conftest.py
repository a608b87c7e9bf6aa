"""Shared fixtures: a community with one person in each role."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mutua.communities.models import Community
from mutua.people.models import User
from tests.factories import add_member, make_community, make_user


@pytest.fixture(autouse=True)
def _language_back_to_default():
    """A request with `Accept-Language` activates its language for the whole thread (as the
    middleware does per request): each test starts again from the default language."""
    yield
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)


@dataclass
class Cast:
    community: Community
    steward: User
    coordinator: User
    caller: User
    member: User
    outsider: User


@pytest.fixture
def cast(db) -> Cast:
    """A community with a steward, a coordinator, a caller, a member and an outsider."""
    steward = make_user("Sam Steward", "steward@example.org")
    community = make_community(steward, name="Riverside Mutual Aid", slug="riverside")
    people = {}
    for role in ("coordinator", "caller", "member"):
        people[role] = make_user(f"{role.title()} Person", f"{role}@example.org")
        add_member(community, people[role], role=role)
    outsider = make_user("Olive Outsider", "outsider@example.org")
    return Cast(
        community, steward, people["coordinator"], people["caller"], people["member"], outsider
    )
