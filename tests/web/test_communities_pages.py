"""Starting, finding, joining, applying to and leaving a community from the web pages."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.communities.models import Community, JoinApplication, Membership
from mutua.core.models import AuditEntry
from tests.factories import make_area, make_community, make_user

pytestmark = pytest.mark.django_db


def _create_data(**overrides) -> dict:
    return {
        "name": "Elm Street Helpers",
        "slug": "elm-street",
        "description": "Neighbours on Elm Street.",
        "time_zone": "Europe/London",
        "join_policy": "open",
        "emergency_number": "999",
        **overrides,
    }


def test_creating_a_community_makes_the_creator_its_steward(client):
    user = make_user()
    client.force_login(user)

    response = client.post(reverse("communities:create"), _create_data())

    assert response.status_code == 302
    assert response["Location"] == reverse("communities:detail", args=["elm-street"])
    community = Community.objects.get(slug="elm-street")
    assert community.time_zone == "Europe/London"
    assert Membership.objects.get(community=community, user=user).role == "steward"


def test_bad_web_address_shows_a_field_error_and_creates_nothing(client):
    client.force_login(make_user())

    response = client.post(reverse("communities:create"), _create_data(slug="Bad Slug!"))

    assert response.status_code == 422
    assert "lower-case letters, digits and dashes" in response.content.decode()
    assert 'aria-invalid="true"' in response.content.decode()
    assert not Community.objects.exists()


def test_taken_web_address_is_refused_and_nothing_is_created(client, cast):
    client.force_login(cast.outsider)

    response = client.post(reverse("communities:create"), _create_data(slug="riverside"))

    assert response.status_code == 422
    assert "This web address is taken" in response.content.decode()
    assert Community.objects.count() == 1


def test_list_shows_my_communities_and_listed_ones_but_not_unlisted_others(client, cast):
    make_community(name="Hidden Hollow", slug="hidden-hollow", join_policy="open")
    Community.objects.filter(slug="hidden-hollow").update(is_listed=False)
    make_community(name="Open Orchard", slug="open-orchard")
    client.force_login(cast.member)

    html = client.get(reverse("communities:list")).content.decode()

    assert "Riverside Mutual Aid" in html
    assert "Open Orchard" in html
    assert "Hidden Hollow" not in html


def test_open_community_shows_join_and_joining_makes_a_member(client):
    community = make_community(join_policy="open")
    person = make_user()
    client.force_login(person)
    detail = reverse("communities:detail", args=[community.slug])
    assert reverse("communities:join", args=[community.slug]) in client.get(detail).content.decode()

    response = client.post(reverse("communities:join", args=[community.slug]))

    assert response.status_code == 302
    assert Membership.objects.get(community=community, user=person).status == "active"


def test_joining_by_get_does_nothing(client):
    community = make_community(join_policy="open")
    person = make_user()
    client.force_login(person)

    response = client.get(reverse("communities:join", args=[community.slug]))

    assert response.status_code == 405
    assert not Membership.objects.filter(user=person).exists()


def test_invitation_only_community_says_so_and_refuses_a_join(client):
    community = make_community(join_policy="invitation")
    person = make_user()
    client.force_login(person)

    html = client.get(reverse("communities:detail", args=[community.slug])).content.decode()
    client.post(reverse("communities:join", args=[community.slug]))

    assert "by invitation only" in html
    assert not Membership.objects.filter(user=person).exists()


def test_applying_with_answers_creates_a_pending_application(client, cast):
    cast.community.application_questions = ["Why join?", "Where do you live?"]
    cast.community.save()
    client.force_login(cast.outsider)

    response = client.post(
        reverse("communities:apply", args=["riverside"]),
        {"answer_0": "To help", "answer_1": "Mill Lane"},
    )

    assert response.status_code == 302
    application = JoinApplication.objects.get(user=cast.outsider)
    assert application.status == "pending"
    assert [a["answer"] for a in application.answers] == ["To help", "Mill Lane"]


def test_applying_without_an_answer_shows_the_error_and_saves_nothing(client, cast):
    cast.community.application_questions = ["Why join?"]
    cast.community.save()
    client.force_login(cast.outsider)

    response = client.post(reverse("communities:apply", args=["riverside"]), {"answer_0": ""})

    assert response.status_code == 400
    assert not JoinApplication.objects.exists()


def test_applying_twice_is_refused_kindly(client, cast):
    client.force_login(cast.outsider)
    client.post(reverse("communities:apply", args=["riverside"]), {})

    response = client.post(reverse("communities:apply", args=["riverside"]), {})

    assert response.status_code == 409
    assert "already applied" in response.content.decode()
    assert JoinApplication.objects.count() == 1


def test_leaving_asks_first_and_leaves_on_post(client, cast):
    client.force_login(cast.member)
    url = reverse("communities:leave", args=["riverside"])

    assert client.get(url).status_code == 200
    assert Membership.objects.get(user=cast.member).status == "active"
    response = client.post(url)

    assert response.status_code == 302
    assert Membership.objects.get(user=cast.member).status == "left"


def test_last_steward_cannot_leave(client, cast):
    client.force_login(cast.steward)

    response = client.post(reverse("communities:leave", args=["riverside"]))

    assert response.status_code == 409
    assert "last steward" in response.content.decode()
    assert Membership.objects.get(user=cast.steward).status == "active"


def test_member_chooses_area_listing_and_extra_care(client, cast):
    area = make_area(cast.community, "Mill End")
    client.force_login(cast.member)
    url = reverse("communities:my_membership", args=["riverside"])
    assert "Mill End" in client.get(url).content.decode()

    response = client.post(url, {"service_area": area.pk, "is_vulnerable": "on"})

    assert response.status_code == 302
    membership = Membership.objects.get(user=cast.member)
    assert membership.service_area == area
    assert membership.is_vulnerable
    assert not membership.listed_in_directory
    assert membership.approx_lat is not None


def test_asking_for_extra_care_unlists_even_with_the_listing_box_still_ticked(client, cast):
    Membership.objects.filter(user=cast.member).update(listed_in_directory=True)
    client.force_login(cast.member)
    url = reverse("communities:my_membership", args=["riverside"])

    # the form shows the listing box ticked, so it is posted along with "extra care"
    client.post(url, {"listed_in_directory": "on", "is_vulnerable": "on"})
    membership = Membership.objects.get(user=cast.member)
    assert membership.is_vulnerable and not membership.listed_in_directory

    # ticking it again afterwards is the opt-in
    client.post(url, {"listed_in_directory": "on", "is_vulnerable": "on"})
    assert Membership.objects.get(user=cast.member).listed_in_directory


def test_area_of_another_community_is_refused(client, cast):
    other_area = make_area(make_community(), "Elsewhere")
    client.force_login(cast.member)

    response = client.post(
        reverse("communities:my_membership", args=["riverside"]),
        {"service_area": other_area.pk, "listed_in_directory": "on"},
    )

    assert response.status_code == 400
    assert Membership.objects.get(user=cast.member).service_area is None


def test_location_from_the_browser_is_kept_only_as_a_cell(client, cast):
    client.force_login(cast.member)

    response = client.post(
        reverse("communities:my_location", args=["riverside"]),
        {"lat": "51.501234", "lon": "-0.141234"},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=cast.member)
    assert membership.approx_lat != 51.501234
    assert abs(membership.approx_lat - 51.501234) < 0.01
    assert not AuditEntry.objects.filter(action="member.location").exists()


def test_location_without_coordinates_changes_nothing(client, cast):
    client.force_login(cast.member)

    response = client.post(reverse("communities:my_location", args=["riverside"]), {})

    assert response.status_code == 302
    assert Membership.objects.get(user=cast.member).approx_lat is None
