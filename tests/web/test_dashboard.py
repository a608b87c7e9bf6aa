"""The home page: a welcome for visitors, a dashboard for members, and the language switch."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import add_member, make_community, make_user

pytestmark = pytest.mark.django_db


def test_landing_page_welcomes_anonymous_visitors(client):
    response = client.get(reverse("web:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert html.count("<h1") == 1
    assert reverse("account_login") in html
    assert reverse("account_signup") in html


def test_dashboard_lists_my_communities_only(client):
    user = make_user("Ann Example")
    mine = make_community(name="Riverside Mutual Aid", slug="riverside")
    add_member(mine, user)
    make_community(name="Hilltop Helpers", slug="hilltop")
    client.force_login(user)

    response = client.get(reverse("web:dashboard"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Hello, Ann" in html
    assert "Riverside Mutual Aid" in html
    assert "Hilltop Helpers" not in html


def test_dashboard_nudges_to_complete_an_empty_profile(client):
    client.force_login(make_user())

    response = client.get(reverse("web:dashboard"))

    html = response.content.decode()
    assert "Help your neighbours get to know you" in html
    assert reverse("people:skills") in html
    assert reverse("people:availability") in html


def test_dashboard_without_communities_points_to_finding_one(client):
    client.force_login(make_user())

    response = client.get(reverse("web:dashboard"))

    html = response.content.decode()
    assert "You are not part of a community yet." in html
    assert reverse("communities:list") in html


def test_switching_language_to_spanish_sets_the_page_language(client):
    response = client.post("/i18n/setlang/", {"language": "es", "next": "/"})

    assert response.status_code == 302
    page = client.get("/")
    assert '<html lang="es">' in page.content.decode()


def test_pages_are_english_by_default(client):
    page = client.get("/")

    assert '<html lang="en">' in page.content.decode()


def test_dashboard_queries_do_not_grow_with_the_number_of_communities(
    client, django_assert_num_queries
):
    user = make_user()
    add_member(make_community(), user)
    client.force_login(user)
    client.get(reverse("web:dashboard"))
    with CaptureQueriesContext(connection) as one:
        client.get(reverse("web:dashboard"))
    for _ in range(3):
        add_member(make_community(), user)

    with django_assert_num_queries(len(one)):
        response = client.get(reverse("web:dashboard"))

    assert response.status_code == 200
