"""A community's exchange settings: coordinators set categories and timings within ranges
(audit-logged); needs and offers then choose a category from the list, keeping old ones."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.core.errors import PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import services
from mutua.exchange.models import ExchangeSettings
from mutua.exchange.services.common import settings_for
from mutua.people.services import api_token_create
from tests.exchange.helpers import post_need


def _row(community) -> ExchangeSettings:
    return ExchangeSettings.objects.get(community=community)


def test_a_coordinator_sets_categories_and_timings_and_it_is_audited(cast):
    services.exchange_settings_update(
        actor=cast.coordinator,
        community=cast.community,
        categories=[" Shopping ", "Transport", "shopping", ""],
        auto_confirm_days=5,
        dispute_window_days=20,
    )
    row = _row(cast.community)
    assert row.categories == ["Shopping", "Transport"]
    assert (row.auto_confirm_days, row.dispute_window_days) == (5, 20)
    entry = AuditEntry.objects.get(action="exchange.settings")
    assert entry.before["auto_confirm_days"] == 3 and entry.after["auto_confirm_days"] == 5


@pytest.mark.parametrize(
    ("values", "field"),
    [
        ({"auto_confirm_days": 0}, "auto_confirm_days"),
        ({"stale_grace_hours": 1000}, "stale_grace_hours"),
        ({"offer_reminder_days": 31}, "offer_reminder_days"),
        ({"auto_confirm_days": 10, "dispute_window_days": 5}, "dispute_window_days"),
        ({"categories": ["x" * 61]}, "categories"),
    ],
)
def test_settings_out_of_range_are_field_errors_and_change_nothing(cast, values, field):
    before = settings_for(cast.community)
    with pytest.raises(ValidationFailed) as caught:
        services.exchange_settings_update(
            actor=cast.coordinator, community=cast.community, **values
        )
    assert field in caught.value.field_errors
    assert _row(cast.community).auto_confirm_days == before.auto_confirm_days
    assert not AuditEntry.objects.filter(action="exchange.settings").exists()


@pytest.mark.parametrize("role", ["member", "caller", "outsider"])
def test_only_coordinators_change_settings(cast, role):
    with pytest.raises(PermissionDenied):
        services.exchange_settings_update(
            actor=getattr(cast, role), community=cast.community, auto_confirm_days=7
        )
    assert settings_for(cast.community).auto_confirm_days == 3


def test_with_a_list_a_need_must_choose_a_category_from_it_but_keeps_an_old_one(cast):
    need = post_need(cast.community, cast.member, category="Garden")  # before any list
    services.exchange_settings_update(
        actor=cast.coordinator, community=cast.community, categories=["Shopping"]
    )
    with pytest.raises(ValidationFailed) as caught:
        post_need(cast.community, cast.member, category="Garden")
    assert "category" in caught.value.field_errors
    post_need(cast.community, cast.member, category="Shopping")
    # the old need can still be changed without losing its category
    services.need_edit(actor=cast.member, need=need, title=need.title, category="Garden")


def test_the_need_form_offers_the_communitys_categories_as_a_choice(client, cast):
    services.exchange_settings_update(
        actor=cast.coordinator, community=cast.community, categories=["Shopping", "Transport"]
    )
    client.force_login(cast.member)
    page = client.get(reverse("exchange:need_new", args=[cast.community.slug]))
    assert b'<select name="category"' in page.content
    assert b'<option value="Transport">Transport</option>' in page.content
    offer = client.get(reverse("exchange:offer_new", args=[cast.community.slug]))
    assert b'<select name="category"' in offer.content


def test_the_settings_page_saves_for_coordinators_and_refuses_members(client, cast):
    url = reverse("exchange:settings", args=[cast.community.slug])
    client.force_login(cast.member)
    assert client.get(url).status_code == 403
    client.force_login(cast.coordinator)
    assert client.get(url).status_code == 200
    form = {
        "categories": "Shopping\nLifts\n",
        "auto_confirm_days": 4,
        "dispute_window_days": 2,
        "stale_grace_hours": 12,
        "offer_reminder_days": 3,
    }
    bad = client.post(url, form)
    assert bad.status_code == 422 and b"at least as many days" in bad.content
    assert _row(cast.community).stale_grace_hours == 24
    assert client.post(url, {**form, "dispute_window_days": 10}).status_code == 302
    row = _row(cast.community)
    assert row.categories == ["Shopping", "Lifts"] and row.stale_grace_hours == 12


def test_settings_over_the_api_members_read_coordinators_patch(client, cast):
    url = "/api/v1/communities/riverside/exchange-settings"
    _t, member = api_token_create(user=cast.member, name="m")
    _t, coordinator = api_token_create(user=cast.coordinator, name="c")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {member}").json()["auto_confirm_days"] == 3
    refused = client.patch(
        url, {"auto_confirm_days": 5}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {member}",
    )  # fmt: skip
    assert refused.status_code == 403
    bad = client.patch(
        url, {"auto_confirm_days": 99}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {coordinator}",
    )  # fmt: skip
    assert bad.status_code == 422
    ok = client.patch(
        url, {"categories": ["Shopping"], "auto_confirm_days": 5}, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {coordinator}",
    )  # fmt: skip
    assert ok.status_code == 200, ok.content
    assert ok.json()["categories"] == ["Shopping"] and ok.json()["auto_confirm_days"] == 5
