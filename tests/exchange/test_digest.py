"""The exchange's digest source: new needs that fit me, public summary only."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from mutua.exchange.digest import new_needs_that_fit
from mutua.exchange.models import Need
from mutua.notify.models import OutboxMessage
from mutua.notify.services import digest_send_daily
from mutua.notify.services.digest import _SOURCES
from mutua.people.models import Profile
from tests.exchange.helpers import post_need


def _titles(items) -> list[str]:
    return [item["title"] for item in items]


def test_the_source_is_registered_when_the_app_loads():
    assert new_needs_that_fit in _SOURCES


def test_new_needs_that_fit_me_are_listed_without_private_details(cast):
    since = timezone.now() - dt.timedelta(days=1)
    post_need(cast.community, cast.member, title="Walk the dog", address="9 Secret Lane")
    items = new_needs_that_fit(cast.caller, since)
    assert _titles(items) == ["Walk the dog"]
    assert "9 Secret Lane" not in str(items)
    assert "Member" not in str(items)  # not who asked
    assert items[0]["url"].startswith(f"/c/{cast.community.slug}/needs/")
    assert "Riverside Mutual Aid" in items[0]["summary"]


def test_needs_that_do_not_fit_or_are_old_or_mine_are_left_out(cast):
    since = timezone.now() - dt.timedelta(days=1)
    post_need(cast.community, cast.member, title="Lift to the clinic", requirements=["car"])
    old = post_need(cast.community, cast.member, title="Old news")
    Need.objects.filter(pk=old.pk).update(created_at=since - dt.timedelta(hours=1))
    post_need(cast.community, cast.caller, title="My own need")
    assert new_needs_that_fit(cast.caller, since) == []
    Profile.objects.filter(user=cast.caller).update(has_car=True)
    assert _titles(new_needs_that_fit(cast.caller, since)) == ["Lift to the clinic"]


def test_a_member_on_a_break_gets_nothing(cast):
    post_need(cast.community, cast.member, title="Walk the dog")
    Profile.objects.filter(user=cast.caller).update(capacity_status="break")
    assert new_needs_that_fit(cast.caller, timezone.now() - dt.timedelta(days=1)) == []


def test_outsiders_never_see_a_communitys_needs(cast):
    post_need(cast.community, cast.member, title="Walk the dog")
    assert new_needs_that_fit(cast.outsider, timezone.now() - dt.timedelta(days=1)) == []


def test_the_daily_digest_carries_the_fitting_need(cast):
    post_need(cast.community, cast.member, title="Walk the dog", address="9 Secret Lane")
    digest_send_daily(now=timezone.now() + dt.timedelta(minutes=1))
    message = OutboxMessage.objects.get(kind="digest", recipient=cast.caller)
    assert "Walk the dog" in message.body_text
    assert "9 Secret Lane" not in message.body_text
    assert not OutboxMessage.objects.filter(kind="digest", recipient=cast.outsider).exists()
