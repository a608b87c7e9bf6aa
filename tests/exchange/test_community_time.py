"""A community's pages speak its time: what a member types as 10:00 is 10:00 where they live,
and is shown back as 10:00, whatever the server's zone."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from mutua.communities.models import Community
from mutua.exchange.models import Need


def test_a_time_typed_on_a_need_is_the_communitys_local_time(client, cast):
    Community.objects.filter(pk=cast.community.pk).update(time_zone="America/Los_Angeles")
    client.force_login(cast.member)

    response = client.post(
        reverse("exchange:need_new", args=[cast.community.slug]),
        {
            "title": "A lift to the clinic",
            "kind": "ride",
            "urgency": "week",
            "helpers_wanted": 1,
            "starts_at": "2030-05-06T10:00",
        },
    )

    assert response.status_code == 302, response.content
    need = Need.objects.get()
    # 10:00 in Los Angeles in May (UTC-7) is 17:00 UTC
    assert need.starts_at == dt.datetime(2030, 5, 6, 17, 0, tzinfo=dt.UTC)
    page = client.get(response["Location"]).content.decode()
    assert "10 a.m." in page or "10:00" in page
    assert "5 p.m." not in page and "17:00" not in page


def test_pages_outside_a_community_keep_the_default_zone(client, cast):
    Community.objects.filter(pk=cast.community.pk).update(time_zone="America/Los_Angeles")
    client.force_login(cast.member)
    client.get(reverse("exchange:need_list", args=[cast.community.slug]))

    client.get(reverse("web:dashboard"))

    assert timezone.get_current_timezone_name() == "UTC"
