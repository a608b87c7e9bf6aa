"""Applications, areas, skills, custom roles, settings and the audit log."""

from __future__ import annotations

import re

import pytest
from django.core import mail
from django.urls import reverse

from mutua.communities.models import Community, CustomRole, JoinApplication, Membership, ServiceArea
from mutua.communities.services import application_submit, area_create, custom_role_create
from mutua.core.models import AuditEntry
from mutua.people.models import Skill
from tests.factories import make_area

pytestmark = pytest.mark.django_db


def _apply(cast):
    cast.community.application_questions = ["Why would you like to join?"]
    cast.community.save()
    return application_submit(
        user=cast.outsider, community=cast.community, answers=["To meet my neighbours"]
    )


def _decide_url(application) -> str:
    return reverse("communities:application_decide", args=["riverside", application.public_id])


def test_pending_applications_show_their_answers(client, cast):
    _apply(cast)
    client.force_login(cast.coordinator)

    html = client.get(reverse("communities:applications", args=["riverside"])).content.decode()

    assert "Why would you like to join?" in html
    assert "To meet my neighbours" in html


def test_coordinator_approves_and_the_applicant_becomes_a_member(
    client, cast, django_capture_on_commit_callbacks
):
    application = _apply(cast)
    client.force_login(cast.coordinator)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(_decide_url(application), {"decision": "approve", "reason": ""})

    assert response.status_code == 302
    assert Membership.objects.get(user=cast.outsider).status == "active"
    assert mail.outbox[0].to == ["outsider@example.org"]


def test_decline_without_reason_is_refused_and_nothing_changes(client, cast):
    application = _apply(cast)
    client.force_login(cast.coordinator)

    response = client.post(_decide_url(application), {"decision": "decline", "reason": ""})

    assert response.status_code == 422
    assert "Please give the applicant a reason." in response.content.decode()
    application.refresh_from_db()
    assert application.status == "pending"


def test_decline_with_reason_is_recorded(client, cast):
    application = _apply(cast)
    client.force_login(cast.coordinator)

    client.post(_decide_url(application), {"decision": "decline", "reason": "Outside our area"})

    application.refresh_from_db()
    assert application.status == "declined"
    assert not Membership.objects.filter(user=cast.outsider).exists()
    assert AuditEntry.objects.get(action="application.decline").reason == "Outside our area"


def test_caller_cannot_decide_applications(client, cast):
    application = _apply(cast)
    client.force_login(cast.caller)

    response = client.post(_decide_url(application), {"decision": "approve"})

    assert response.status_code == 403
    assert JoinApplication.objects.get().status == "pending"


def test_coordinator_adds_a_nested_area(client, cast):
    town = make_area(cast.community, "Riverside Town")
    client.force_login(cast.coordinator)
    url = reverse("communities:areas", args=["riverside"])

    response = client.post(
        url, {"name": "Mill End", "parent": town.pk, "centre_lat": "51.5", "centre_lon": "-0.1"}
    )

    assert response.status_code == 302
    assert ServiceArea.objects.get(name="Mill End").parent == town
    assert "part of Riverside Town" in client.get(url).content.decode()


def test_area_with_a_taken_name_shows_the_error(client, cast):
    area_create(
        actor=cast.steward, community=cast.community, name="Mill End", centre_lat=51, centre_lon=0
    )
    client.force_login(cast.coordinator)

    response = client.post(
        reverse("communities:areas", args=["riverside"]),
        {"name": "Mill End", "centre_lat": "51.5", "centre_lon": "-0.1"},
    )

    assert response.status_code == 422
    assert "already an area" in response.content.decode()
    assert ServiceArea.objects.filter(name="Mill End").count() == 1


def test_coordinator_adds_a_skill(client, cast):
    client.force_login(cast.coordinator)

    response = client.post(
        reverse("communities:skills", args=["riverside"]), {"name": "Canoe rescue"}
    )

    assert response.status_code == 302
    assert Skill.objects.get(name="Canoe rescue").community == cast.community


def test_steward_creates_a_custom_role_and_gives_it(client, cast):
    client.force_login(cast.steward)
    url = reverse("communities:roles", args=["riverside"])

    response = client.post(url, {"name": "Welcomer", "permissions": ["member.invite"]})
    role = CustomRole.objects.get(name="Welcomer")
    member = Membership.objects.get(user=cast.member)
    assign = client.post(
        reverse("communities:role_assign", args=["riverside"]),
        {"member": member.public_id, "role": role.pk, "granted": "1"},
    )

    assert response.status_code == 302
    assert role.permissions == ["member.invite"]
    assert assign.status_code == 302
    assert list(member.custom_roles.all()) == [role]
    assert "Invite people" in client.get(url).content.decode()


def test_custom_role_holder_may_open_the_invitations_page(client, cast):
    role = custom_role_create(
        actor=cast.steward, community=cast.community, name="Welcomer", permissions=["member.invite"]
    )
    Membership.objects.get(user=cast.member).custom_roles.add(role)
    client.force_login(cast.member)

    response = client.get(reverse("communities:invitations", args=["riverside"]))

    assert response.status_code == 200


def test_steward_changes_settings_with_questions_one_per_line(client, cast):
    client.force_login(cast.steward)

    response = client.post(
        reverse("communities:settings", args=["riverside"]),
        {
            "name": "Riverside Mutual Aid",
            "description": "",
            "time_zone": "Europe/Madrid",
            "join_policy": "application",
            "emergency_number": "112",
            "application_questions": "Why join?\n\nWhere do you live?\n",
            "location_cell_m": "1000",
            "is_listed": "on",
        },
    )

    assert response.status_code == 302
    community = Community.objects.get(slug="riverside")
    assert community.application_questions == ["Why join?", "Where do you live?"]
    assert community.location_cell_m == 1000
    assert community.time_zone == "Europe/Madrid"
    assert AuditEntry.objects.filter(action="community.update").exists()


def test_coordinator_cannot_change_settings(client, cast):
    client.force_login(cast.coordinator)

    response = client.post(
        reverse("communities:settings", args=["riverside"]),
        {"name": "Taken Over", "time_zone": "UTC", "join_policy": "open"},
    )

    assert response.status_code == 403
    assert Community.objects.get(slug="riverside").name == "Riverside Mutual Aid"


def test_audit_log_shows_actions_in_words_filters_and_pages(client, cast):
    for n in range(55):
        AuditEntry.objects.create(
            community=cast.community, actor=cast.coordinator, action="area.create",
            target_label=f"Area {n}", after={"name": f"Area {n}"},
        )  # fmt: skip
    client.force_login(cast.member)
    url = reverse("communities:audit", args=["riverside"])

    first = client.get(url, {"action": "area.create"}).content.decode()
    second = client.get(url, {"action": "area.create", "page": 2}).content.decode()
    everything = client.get(url, {"page": 2}).content.decode()

    assert first.count("<time ") == 50
    assert second.count("<time ") == 5
    # the actor filter offers every name; the filtered entries name only the coordinator
    entries = re.sub(r"(?s)<select.*?</select>", "", first + second)
    assert "Sam Steward" not in entries
    assert everything.count("<time ") == 7
    assert "started the community" in everything
    assert "Name: Area 54" in first
    assert "action=area.create&amp;page=2" in first


def test_audit_log_hides_safeguarding_entries_from_plain_members(client, cast):
    AuditEntry.objects.create(
        community=cast.community, actor=cast.coordinator, action="sensitive.read",
        subject=cast.caller, is_safeguarding=True,
    )  # fmt: skip
    url = reverse("communities:audit", args=["riverside"])

    client.force_login(cast.member)
    member_view = client.get(url).content.decode()
    client.force_login(cast.coordinator)
    coordinator_view = client.get(url).content.decode()

    assert "Caller Person" not in member_view
    assert member_view.count("<time ") == 2
    assert "looked at private details: Caller Person" in coordinator_view
