""" "Ask this helper" beside each suggestion on the need page: a POST button for those who may
dispatch, the exchange's own ask behind it, a clear message after; refused for others."""

from __future__ import annotations

import pytest

from mutua.core.models import AuditEntry
from mutua.matching import arrays
from mutua.notify.models import Notification
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def _setup(cast):
    helper = new_member(cast.community, "Hana Helper", approx_lat=LAT, approx_lon=LON)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    return helper, need


def _url(need) -> str:
    return f"/c/riverside/matching/needs/{need.public_id}/ask/"


def test_a_coordinator_sees_an_ask_button_per_suggestion_with_a_named_label(client, cast):
    helper, need = _setup(cast)
    client.force_login(cast.coordinator)
    page = client.get(f"/c/riverside/needs/{need.public_id}/").content.decode()
    assert f'action="{_url(need)}"' in page
    assert f'name="helper" value="{helper.public_id}"' in page
    assert 'aria-label="Ask Hana Helper to help"' in page
    assert "csrfmiddlewaretoken" in page


def test_asking_from_the_page_asks_the_helper_and_says_so(client, cast):
    helper, need = _setup(cast)
    client.force_login(cast.coordinator)
    back = f"/c/riverside/needs/{need.public_id}/"
    r = client.post(_url(need), {"helper": helper.public_id, "next": back}, follow=True)
    assert r.redirect_chain[-1][0] == back
    assert "We asked Hana Helper." in r.content.decode()
    assert Notification.objects.filter(recipient=helper, kind="exchange_task_asked").exists()
    assert AuditEntry.objects.filter(action="need.ask_helper").count() == 1


def test_a_member_sees_no_button_and_is_refused_with_nothing_sent(client, cast):
    helper, need = _setup(cast)
    other = post_need(cast.community, cast.coordinator, lat=LAT, lon=LON)
    client.force_login(cast.member)
    page = client.get(f"/c/riverside/needs/{other.public_id}/").content.decode()
    assert "Ask this helper" not in page
    r = client.post(_url(need), {"helper": helper.public_id})
    assert r.status_code == 403
    assert not Notification.objects.filter(recipient=helper, kind="exchange_task_asked").exists()
    assert not AuditEntry.objects.filter(action="need.ask_helper").exists()


def test_a_helper_who_does_not_fit_is_refused_with_a_message_and_nothing_sent(client, cast):
    _helper, need = _setup(cast)
    client.force_login(cast.coordinator)
    r = client.post(_url(need), {"helper": cast.member.public_id}, follow=True)
    assert r.status_code == 200
    assert "We asked" not in r.content.decode()
    assert not Notification.objects.filter(kind="exchange_task_asked").exists()
    r = client.post(_url(need), {"helper": "nobody"}, follow=True)
    assert "Please choose a member of this community." in r.content.decode()


def test_an_outside_next_address_is_not_followed(client, cast):
    helper, need = _setup(cast)
    client.force_login(cast.coordinator)
    r = client.post(_url(need), {"helper": helper.public_id, "next": "https://evil.example/"})
    assert r["Location"] == f"/c/riverside/needs/{need.public_id}/"
