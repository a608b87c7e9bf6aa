"""Skills and weekly availability pages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from mutua.people.models import AvailabilityWindow, ProfileSkill, Skill
from tests.factories import add_member, make_community, make_user

pytestmark = pytest.mark.django_db


def _skill(name: str, category: str = "Testing", community=None) -> Skill:
    slug = name.lower().replace(" ", "-")
    return Skill.objects.create(name=name, slug=slug, category=category, community=community)


def test_skills_page_groups_shared_skills_and_my_communities_skills(client):
    user = make_user()
    community = make_community(name="Riverside")
    add_member(community, user)
    other = make_community(name="Elsewhere")
    _skill("Shared skill test", category="Shared category")
    _skill("River boating", category="Water", community=community)
    _skill("Secret elsewhere skill", community=other)
    client.force_login(user)

    response = client.get(reverse("people:skills"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "Shared skill test" in html
    assert "Shared category" in html
    assert "Riverside" in html
    assert "River boating" in html
    assert "Secret elsewhere skill" not in html


def test_choosing_skills_saves_them(client):
    user = make_user()
    first, second = _skill("Skill one"), _skill("Skill two")
    client.force_login(user)

    response = client.post(reverse("people:skills"), {"skills": [first.pk, second.pk]})

    assert response.status_code == 302
    chosen = set(ProfileSkill.objects.filter(profile__user=user).values_list("skill", flat=True))
    assert chosen == {first.pk, second.pk}
    page = client.get(reverse("people:skills")).content.decode()
    assert f'id="skill-{first.pk}" checked' in page


def test_a_skill_of_a_community_i_am_not_in_is_refused(client):
    user = make_user()
    foreign = _skill("Foreign skill", community=make_community())
    client.force_login(user)

    response = client.post(reverse("people:skills"), {"skills": [foreign.pk]})

    assert response.status_code == 200
    assert 'id="id_skills_error"' in response.content.decode()
    assert not ProfileSkill.objects.filter(profile__user=user).exists()


def _rows(*rows: tuple[str, str, str], total: int = 5) -> dict:
    data = {
        "windows-TOTAL_FORMS": str(total),
        "windows-INITIAL_FORMS": "0",
        "windows-MIN_NUM_FORMS": "0",
        "windows-MAX_NUM_FORMS": "14",
    }
    for i in range(total):
        day, start, end = rows[i] if i < len(rows) else ("", "", "")
        data |= {f"windows-{i}-weekday": day, f"windows-{i}-start": start, f"windows-{i}-end": end}
    return data


def test_availability_page_renders_with_labelled_rows(client):
    user = make_user()
    client.force_login(user)

    response = client.get(reverse("people:availability"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<label class="cell-label" for="id_windows-0-weekday">' in html


def test_saving_weekly_windows_replaces_them(client):
    user = make_user()
    client.force_login(user)

    response = client.post(
        reverse("people:availability"), _rows(("0", "09:00", "12:00"), ("2", "18:00", "20:00"))
    )

    assert response.status_code == 302
    windows = list(AvailabilityWindow.objects.filter(profile__user=user))
    assert [(w.weekday, w.start, w.end) for w in windows] == [
        (0, dt.time(9), dt.time(12)),
        (2, dt.time(18), dt.time(20)),
    ]


def test_overlapping_windows_are_refused_and_the_old_ones_kept(client):
    user = make_user()
    client.force_login(user)
    client.post(reverse("people:availability"), _rows(("4", "10:00", "11:00")))

    response = client.post(
        reverse("people:availability"), _rows(("0", "09:00", "12:00"), ("0", "11:00", "13:00"))
    )

    assert response.status_code == 200
    assert "Two time windows overlap on the same day." in response.content.decode()
    windows = AvailabilityWindow.objects.filter(profile__user=user)
    assert [(w.weekday, w.start) for w in windows] == [(4, dt.time(10))]


def test_a_half_filled_row_is_marked_and_nothing_is_saved(client):
    user = make_user()
    client.force_login(user)

    response = client.post(reverse("people:availability"), _rows(("1", "09:00", "")))

    assert response.status_code == 200
    assert "leave the whole row empty" in response.content.decode()
    assert not AvailabilityWindow.objects.filter(profile__user=user).exists()
