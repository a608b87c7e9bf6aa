"""Who may open which community page: the right roles see it, the others are refused."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.factories import make_user

pytestmark = pytest.mark.django_db

ROLES = ["outsider", "member", "caller", "coordinator", "steward"]

# page -> the lowest role that may open it
PAGES = {
    "directory": "member",
    "my_membership": "member",
    "audit": "member",
    "call_list": "caller",
    "roster": "coordinator",
    "invitations": "coordinator",
    "applications": "coordinator",
    "areas": "coordinator",
    "skills": "coordinator",
    "roles": "steward",
    "settings": "steward",
}


def _cases():
    for page, lowest in PAGES.items():
        for role in ROLES:
            yield page, role, ROLES.index(role) >= ROLES.index(lowest)


@pytest.mark.parametrize(("page", "role", "allowed"), list(_cases()))
def test_page_opens_for_allowed_roles_and_is_refused_for_others(client, cast, page, role, allowed):
    client.force_login(getattr(cast, role))

    response = client.get(reverse(f"communities:{page}", args=[cast.community.slug]))

    assert response.status_code == (200 if allowed else 403)
    if allowed:
        html = response.content.decode()
        assert html.count("<h1") == 1
    else:
        assert "not" in response.content.decode()


@pytest.mark.parametrize("page", [*PAGES, "member_page"])
def test_anonymous_visitor_is_sent_to_sign_in(client, cast, page):
    if page == "member_page":
        membership = cast.member.memberships.get()
        url = reverse("communities:member", args=[cast.community.slug, membership.public_id])
    else:
        url = reverse(f"communities:{page}", args=[cast.community.slug])

    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))
    assert "next=" in response["Location"]


def test_community_page_is_public_and_create_needs_sign_in(client, cast):
    assert client.get(reverse("communities:detail", args=["riverside"])).status_code == 200
    assert client.get(reverse("communities:list")).status_code == 200
    assert client.get(reverse("communities:create")).status_code == 302


@pytest.mark.parametrize("page", ["detail", "directory", "settings", "audit"])
def test_unknown_community_is_not_found(client, cast, page):
    client.force_login(cast.steward)

    response = client.get(reverse(f"communities:{page}", args=["nowhere"]))

    assert response.status_code == 404


def test_member_page_opens_for_members_and_is_refused_for_outsiders(client, cast):
    membership = cast.member.memberships.get()
    url = reverse("communities:member", args=[cast.community.slug, membership.public_id])

    client.force_login(cast.caller)
    assert client.get(url).status_code == 200
    client.force_login(cast.outsider)
    assert client.get(url).status_code == 403


def test_member_sees_no_management_links(client, cast):
    client.force_login(cast.member)

    html = client.get(reverse("communities:detail", args=["riverside"])).content.decode()

    assert reverse("communities:directory", args=["riverside"]) in html
    assert reverse("communities:audit", args=["riverside"]) in html
    assert reverse("communities:roster", args=["riverside"]) not in html
    assert reverse("communities:settings", args=["riverside"]) not in html


def test_steward_sees_management_links(client, cast):
    client.force_login(cast.steward)

    html = client.get(reverse("communities:detail", args=["riverside"])).content.decode()

    for page in ("roster", "invitations", "applications", "areas", "roles", "settings"):
        assert reverse(f"communities:{page}", args=["riverside"]) in html


def test_new_person_sees_application_form_with_the_communitys_questions(client, cast):
    cast.community.application_questions = ["Which street do you live on?"]
    cast.community.save()
    client.force_login(make_user())

    html = client.get(reverse("communities:detail", args=["riverside"])).content.decode()

    assert "Which street do you live on?" in html
    assert reverse("communities:apply", args=["riverside"]) in html
