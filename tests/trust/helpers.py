"""Test data for trust, built through the services."""

from __future__ import annotations

from mutua.trust.models import Vouch
from tests.factories import add_member, make_user


def member(community, name: str = "", role: str = "member"):
    user = make_user(name)
    add_member(community, user, role=role)
    return user


def vouch(community, voucher, vouchee) -> Vouch:
    """A vouch row as the service would write it (setup only: skips the standing rule)."""
    return Vouch.objects.create(community=community, voucher=voucher, vouchee=vouchee)


def make_known(community, steward, *people) -> None:
    """Give each person two vouches from the steward's circle so they are at least known."""
    for person in people:
        vouch(community, steward, person)
