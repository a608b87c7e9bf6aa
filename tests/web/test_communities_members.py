"""Directory, member pages, private details, roles, roster and the call list."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.communities.models import Membership
from mutua.core.models import AuditEntry
from mutua.people.models import Skill
from mutua.people.services import profile_set_skills, profile_update, sensitive_update
from tests.factories import add_member, make_area, make_user

pytestmark = pytest.mark.django_db

ADDRESS = "14 Willow Close, Flat 3"
PHONE = "+44 7700 900123"
HEALTH = "Uses insulin twice a day"


def _with_secrets(user):
    sensitive_update(
        user=user,
        address=ADDRESS,
        phone=PHONE,
        access_notes="Key under the blue pot",
        health_consent=True,
        health_notes=HEALTH,
    )


def _member_url(cast, user) -> str:
    membership = Membership.objects.get(community=cast.community, user=user)
    return reverse("communities:member", args=["riverside", membership.public_id])


def _no_secrets(html: str) -> None:
    for secret in (ADDRESS, PHONE, HEALTH, "Key under the blue pot", "member@example.org"):
        assert secret not in html


def test_directory_shows_cards_without_any_sensitive_value(client, cast):
    _with_secrets(cast.member)
    client.force_login(cast.caller)

    response = client.get(reverse("communities:directory", args=["riverside"]))

    html = response.content.decode()
    assert "Member Person" in html
    _no_secrets(html)


def test_member_page_shows_no_sensitive_value_to_a_plain_member(client, cast):
    _with_secrets(cast.coordinator)
    client.force_login(cast.member)

    html = client.get(_member_url(cast, cast.coordinator)).content.decode()

    assert "Coordinator Person" in html
    assert "Show private details" not in html
    for secret in (ADDRESS, PHONE, HEALTH):
        assert secret not in html


def test_plain_member_cannot_post_for_private_details_and_nothing_is_logged(client, cast):
    _with_secrets(cast.coordinator)
    client.force_login(cast.member)
    url = _member_url(cast, cast.coordinator).rstrip("/") + "/private/"

    response = client.post(url)

    assert response.status_code == 403
    _no_secrets(response.content.decode())
    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


def test_coordinator_sees_private_details_only_after_the_post_and_it_is_logged(client, cast):
    _with_secrets(cast.member)
    client.force_login(cast.coordinator)
    page = _member_url(cast, cast.member)

    before = client.get(page).content.decode()
    response = client.post(page + "private/")

    assert "Show private details" in before
    assert ADDRESS not in before
    html = response.content.decode()
    assert ADDRESS in html
    assert PHONE in html
    assert HEALTH in html
    entry = AuditEntry.objects.get(action="sensitive.read")
    assert entry.actor == cast.coordinator
    assert entry.subject == cast.member
    assert entry.after["purpose"] == "coordinator view"
    assert entry.is_safeguarding


def test_a_caller_sees_phone_numbers_on_call_lists_only_not_on_a_member_page(client, cast):
    _with_secrets(cast.member)
    client.force_login(cast.caller)

    page = client.get(_member_url(cast, cast.member)).content.decode()
    response = client.post(_member_url(cast, cast.member) + "private/")

    assert "Show private details" not in page
    assert response.status_code == 403
    html = response.content.decode()
    assert PHONE not in html and ADDRESS not in html and HEALTH not in html
    assert not AuditEntry.objects.filter(action="sensitive.read").exists()


def test_directory_query_count_does_not_grow_with_members(
    client, cast, django_assert_max_num_queries
):
    area = make_area(cast.community, "Mill End")
    skill = Skill.objects.filter(community__isnull=True).first()
    client.force_login(cast.member)
    url = reverse("communities:directory", args=["riverside"])

    def add_people(n):
        for _ in range(n):
            person = make_user()
            profile_update(user=person, languages=["en", "es"])
            if skill:
                profile_set_skills(user=person, skill_ids=[skill.pk])
            add_member(cast.community, person, service_area=area)

    add_people(3)
    client.get(url)
    with django_assert_max_num_queries(20) as few:
        client.get(url)
    add_people(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get(url)

    assert response.content.decode().count('class="card"') == 27


def test_directory_filters_by_area_skill_and_text(client, cast):
    mill = make_area(cast.community, "Mill End")
    skill = Skill.objects.create(community=cast.community, slug="bike-fixing", name="Bike fixing")
    fixer = make_user("Fiona Fixer")
    add_member(cast.community, fixer, service_area=mill)
    profile_set_skills(user=fixer, skill_ids=[skill.pk])
    client.force_login(cast.member)
    url = reverse("communities:directory", args=["riverside"])

    by_area = client.get(url, {"area": mill.pk}).content.decode()
    by_skill = client.get(url, {"skill": skill.pk}).content.decode()
    by_text = client.get(url, {"q": "fiona"}).content.decode()

    for html in (by_area, by_skill, by_text):
        assert "Fiona Fixer" in html
        assert "Caller Person" not in html


def test_unlisted_and_extra_care_members_are_in_the_roster_not_the_directory(client, cast):
    quiet = make_user("Quentin Quiet")
    add_member(cast.community, quiet, listed_in_directory=False, is_vulnerable=True)
    client.force_login(cast.coordinator)

    directory = client.get(reverse("communities:directory", args=["riverside"])).content.decode()
    roster = client.get(reverse("communities:roster", args=["riverside"])).content.decode()

    assert "Quentin Quiet" not in directory
    assert "Quentin Quiet" in roster
    assert 'class="table-wrap"' in roster


def test_steward_changes_a_role_and_it_is_audit_logged(client, cast):
    client.force_login(cast.steward)

    response = client.post(_member_url(cast, cast.member) + "role/", {"role": "coordinator"})

    assert response.status_code == 302
    assert Membership.objects.get(user=cast.member).role == "coordinator"
    entry = AuditEntry.objects.filter(action="member.role", subject=cast.member).get()
    assert entry.actor == cast.steward
    assert entry.before == {"role": "member"}
    assert entry.after == {"role": "coordinator"}
    log = client.get(reverse("communities:audit", args=["riverside"])).content.decode()
    assert "changed a role" in log


def test_coordinator_may_name_a_caller(client, cast):
    client.force_login(cast.coordinator)

    response = client.post(_member_url(cast, cast.member) + "role/", {"role": "caller"})

    assert response.status_code == 302
    assert Membership.objects.get(user=cast.member).role == "caller"


def test_coordinator_cannot_make_a_coordinator_and_nothing_changes(client, cast):
    client.force_login(cast.coordinator)

    response = client.post(_member_url(cast, cast.member) + "role/", {"role": "coordinator"})

    assert response.status_code == 403
    assert "does not allow" in response.content.decode()
    assert Membership.objects.get(user=cast.member).role == "member"
    assert not AuditEntry.objects.filter(action="member.role", subject=cast.member).exists()


def test_plain_member_cannot_change_roles(client, cast):
    client.force_login(cast.member)

    response = client.post(_member_url(cast, cast.caller) + "role/", {"role": "member"})

    assert response.status_code == 403
    assert Membership.objects.get(user=cast.caller).role == "caller"


def test_coordinator_records_vetting_and_extra_care(client, cast):
    client.force_login(cast.coordinator)

    response = client.post(
        _member_url(cast, cast.member) + "attributes/",
        {"vetted_until": "2030-01-31", "is_vulnerable": "on"},
    )

    assert response.status_code == 302
    membership = Membership.objects.get(user=cast.member)
    assert str(membership.vetted_until) == "2030-01-31"
    assert membership.is_vulnerable


def test_removal_needs_a_reason(client, cast):
    client.force_login(cast.coordinator)
    url = _member_url(cast, cast.member) + "remove/"

    refused = client.post(url, {"reason": ""})
    assert refused.status_code == 400
    assert Membership.objects.get(user=cast.member).status == "active"

    response = client.post(url, {"reason": "Asked to be removed"})
    assert response.status_code == 302
    assert Membership.objects.get(user=cast.member).status == "removed"
    assert AuditEntry.objects.get(action="member.remove").reason == "Asked to be removed"


def test_call_list_shows_phones_to_a_caller_and_logs_each_read(client, cast):
    _with_secrets(cast.member)
    client.force_login(cast.caller)

    response = client.get(reverse("communities:call_list", args=["riverside"]))

    html = response.content.decode()
    assert PHONE in html
    assert ADDRESS not in html
    assert "window.print()" in html
    reads = AuditEntry.objects.filter(action="sensitive.read", actor=cast.caller)
    assert reads.filter(subject=cast.member, after__purpose="call list").exists()


def test_call_list_is_refused_to_a_plain_member(client, cast):
    _with_secrets(cast.caller)
    client.force_login(cast.member)

    response = client.get(reverse("communities:call_list", args=["riverside"]))

    assert response.status_code == 403
    assert PHONE not in response.content.decode()
