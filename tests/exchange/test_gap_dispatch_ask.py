"""The dispatch board's "best placed to help" list offers the same "Ask this helper" button as
the need page, and pressing it asks that helper with the exchange's signed links."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.matching import arrays
from mutua.notify.models import Notification
from tests.exchange.helpers import new_member, post_need

LAT, LON = 51.5, -0.12


@pytest.fixture(autouse=True)
def _fresh_cache():
    arrays.cache_clear()
    yield
    arrays.cache_clear()


def test_the_board_has_an_ask_button_per_suggestion_that_asks_the_helper(client, cast):
    # given a need and a helper nearby
    helper = new_member(cast.community, "Hana Helper", approx_lat=LAT, approx_lon=LON)
    need = post_need(cast.community, cast.member, lat=LAT, lon=LON)
    client.force_login(cast.coordinator)
    board = reverse("exchange:dispatch", args=[cast.community.slug])
    # when the coordinator opens the board
    page = client.get(board).content.decode()
    # then the suggestion carries a labelled ask button for that helper and need
    ask = f"/c/riverside/matching/needs/{need.public_id}/ask/"
    assert f'action="{ask}"' in page
    assert 'aria-label="Ask Hana Helper to help"' in page
    # and pressing it asks the helper and comes back to the board
    response = client.post(ask, {"helper": helper.public_id, "next": board})
    assert response.status_code == 302 and response["Location"] == board
    assert Notification.objects.filter(recipient=helper).exists()
