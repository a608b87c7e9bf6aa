"""Members can export everything held about them and delete (anonymise) their account."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from allauth.account.models import EmailAddress
from allauth.mfa.models import Authenticator
from django.forms.models import model_to_dict

from mutua.communities.models import Membership
from mutua.core.audit import audit_record
from mutua.core.errors import DomainError
from mutua.people.models import (
    ApiToken,
    AvailabilityWindow,
    Profile,
    ProfileSkill,
    SensitiveDetails,
    Skill,
)
from mutua.people.services import (
    Window,
    account_delete,
    account_export,
    api_token_authenticate,
    api_token_create,
    availability_set,
    profile_set_skills,
    profile_update,
    sensitive_update,
)
from tests.factories import add_member, make_area


@pytest.fixture
def full_member(cast):
    user = cast.member
    profile_update(user=user, bio="I bake bread.", languages=["en"], free_tags=["baking"])
    skill = Skill.objects.create(slug="sourdough-baking", name="Sourdough baking")
    profile_set_skills(user=user, skill_ids=[skill.id])
    availability_set(user=user, windows=[Window(2, dt.time(9), dt.time(11))])
    sensitive_update(
        user=user,
        address="1 Mill Lane",
        phone="+44 20 7946 0000",
        health_consent=True,
        health_notes="Asthma",
    )
    area = make_area(cast.community, name="North End")
    add_member(cast.community, user, service_area=area, approx_lat=51.5, approx_lon=-0.1)
    api_token_create(user=user, name="Script")
    audit_record(
        actor=cast.coordinator,
        action="member.attributes",
        community=cast.community,
        subject=user,
        reason="vetted",
    )
    return user


def test_account_export_holds_everything_about_the_member(cast, full_member):
    data = account_export(user=full_member)

    assert data["account"]["email"] == "member@example.org"
    assert data["account"]["id"] == full_member.public_id
    assert data["profile"]["bio"] == "I bake bread."
    assert data["profile"]["skills"] == ["Sourdough baking"]
    assert data["profile"]["availability"] == [
        {"weekday": 2, "start": "09:00:00", "end": "11:00:00"}
    ]
    assert data["sensitive_details"]["health_notes"] == "Asthma"
    assert data["sensitive_details"]["address"] == "1 Mill Lane"
    [membership] = data["memberships"]
    assert membership == {
        "community": "riverside",
        "role": "member",
        "status": "active",
        "since": Membership.objects.get(user=full_member).created_at.isoformat(),
        "area": "North End",
        "approximate_location": {"lat": 51.5, "lon": -0.1},
        "listed_in_directory": True,
        "would_like_extra_care": False,
        "vetted_until": None,
        "custom_roles": [],
        "ended_at": None,
        "ended_reason": "",
    }
    assert data["profile"]["preferred_language"] == "en"
    assert [t["name"] for t in data["api_tokens"]] == ["Script"]
    assert "token_hash" not in json.dumps(data)
    assert [e["reason"] for e in data["audit_entries_about_me"]] == ["vetted"]


def test_account_export_is_json_ready(cast, full_member):
    data = account_export(user=full_member)

    # then it survives a round trip through JSON unchanged (no dates or models left in it)
    assert json.loads(json.dumps(data)) == data


def test_account_export_has_every_registered_part(cast, full_member):
    from mutua.people.account_data import registered

    exports, _anonymisers = registered()
    data = account_export(user=full_member)

    assert {"account", "profile", "memberships", "join_applications"} <= set(exports)
    assert set(exports) <= set(data)


def test_account_export_includes_applications_and_what_i_did(cast, full_member):
    from mutua.communities.services import application_submit
    from tests.factories import make_community

    other = make_community(cast.steward, join_policy="application")
    other.application_questions = ["Why?"]
    other.save()
    application_submit(user=full_member, community=other, answers=["To help"])
    audit_record(actor=full_member, action="area.create", community=cast.community)

    data = account_export(user=full_member)

    assert data["join_applications"][0]["answers"] == [{"question": "Why?", "answer": "To help"}]
    assert [e["action"] for e in data["audit_entries_by_me"]] == ["area.create"]


def test_account_export_of_someone_without_details_is_still_complete(cast):
    data = account_export(user=cast.outsider)

    assert data["sensitive_details"] == {}
    assert data["memberships"] == []


def test_account_delete_anonymises_the_member(cast, full_member):
    _token, secret = api_token_create(user=full_member, name="Other")
    Authenticator.objects.create(user=full_member, type=Authenticator.Type.TOTP, data={})

    account_delete(user=full_member)

    full_member.refresh_from_db()
    assert full_member.email == f"deleted-{full_member.public_id}@invalid.mutua"
    assert full_member.is_anonymised and not full_member.is_active
    assert not full_member.has_usable_password()
    profile = Profile.objects.get(user=full_member)
    assert profile.display_name == "Former member"
    assert (profile.bio, profile.languages, profile.free_tags) == ("", [], [])
    assert not SensitiveDetails.objects.filter(user=full_member).exists()
    assert not ApiToken.objects.filter(user=full_member).exists()
    assert api_token_authenticate(secret) is None
    assert not ProfileSkill.objects.filter(profile=profile).exists()
    assert not AvailabilityWindow.objects.filter(profile=profile).exists()
    assert not EmailAddress.objects.filter(user=full_member).exists()
    assert not Authenticator.objects.filter(user=full_member).exists()


def test_account_delete_leaves_every_community_and_forgets_the_location(cast, full_member):
    account_delete(user=full_member)

    membership = Membership.objects.get(user=full_member)
    assert membership.status == "left"
    assert membership.ended_at is not None
    assert (membership.approx_lat, membership.approx_lon) == (None, None)
    assert membership.listed_in_directory is False


def test_account_delete_keeps_the_audit_history_others_rely_on(cast, full_member):
    account_delete(user=full_member)

    from mutua.core.models import AuditEntry

    assert AuditEntry.objects.filter(subject=full_member, reason="vetted").exists()


def test_account_delete_leaves_no_name_in_the_audit_log(cast, full_member):
    # given entries about the member, written the way services write them
    from mutua.communities.services import membership_change_role, membership_set_attributes
    from mutua.core.models import AuditEntry

    membership = Membership.objects.get(user=full_member)
    membership_change_role(actor=cast.steward, membership=membership, role="caller")
    membership_set_attributes(actor=cast.coordinator, membership=membership, is_vulnerable=True)
    # when they delete their account
    account_delete(user=full_member)
    # then no entry holds their name, and the log names them as a former member
    for entry in AuditEntry.objects.all():
        assert "Member Person" not in f"{entry.target_label} {entry.before} {entry.after}"
    from mutua.communities.selectors import audit_list

    about = [e for e in audit_list(viewer=cast.steward, community=cast.community) if e.subject]
    assert {e.subject.profile.display_name for e in about if e.subject == full_member} == {
        "Former member"
    }


def test_account_delete_clears_care_flags_vetting_and_application_answers(cast, full_member):
    from mutua.communities.models import Invitation, JoinApplication
    from mutua.communities.services import application_submit, invitation_create
    from tests.factories import make_community

    Membership.objects.filter(user=full_member).update(
        is_vulnerable=True, vetted_until=dt.date(2030, 1, 1)
    )
    other = make_community(cast.steward, join_policy="application")
    other.application_questions = ["Tell us about you"]
    other.save()
    application_submit(user=full_member, community=other, answers=["I live at 1 Mill Lane"])
    invitation_create(actor=cast.steward, community=other, email=full_member.email)

    account_delete(user=full_member)

    membership = Membership.objects.get(user=full_member, community=cast.community)
    assert (membership.is_vulnerable, membership.vetted_until) == (False, None)
    assert membership.service_area is None
    application = JoinApplication.objects.get(user=full_member)
    assert (application.answers, application.status) == ([], "withdrawn")
    assert not Invitation.objects.filter(email="member@example.org").exists()


def test_account_delete_runs_every_registered_anonymiser_in_its_transaction(cast, full_member):
    from mutua.people import account_data

    seen = []

    def refuse(user):
        seen.append(user.email)
        raise DomainError("not now")

    account_data.register_account_anonymise("test-refuser", refuse)
    try:
        with pytest.raises(DomainError):
            account_delete(user=full_member)
    finally:
        account_data._ANONYMISERS.pop("test-refuser")

    # the anonymiser saw the person as they were, and its refusal undid everything
    assert seen == ["member@example.org"]
    full_member.refresh_from_db()
    assert full_member.is_active and full_member.email == "member@example.org"
    assert Profile.objects.get(user=full_member).bio == "I bake bread."


def test_account_delete_cancels_mail_waiting_for_the_address(cast, full_member):
    from mutua.core.mail import send_templated_mail_on_commit
    from mutua.core.models import OutgoingMail

    send_templated_mail_on_commit(
        to=full_member.email,
        template="communities/email/application_decided",
        context={"community": cast.community, "approved": True, "reason": ""},
    )

    account_delete(user=full_member)

    mail = OutgoingMail.objects.get()
    assert (mail.to_address, mail.body, mail.status) == ("", "", "failed")


def test_the_last_steward_cannot_delete_their_account_and_nothing_changes(cast):
    steward = cast.steward
    before_user = model_to_dict(type(steward).objects.get(pk=steward.pk))
    before_membership = model_to_dict(Membership.objects.get(user=steward))
    sensitive_update(user=steward, phone="+44 20 7946 0000")

    with pytest.raises(DomainError) as exc:
        account_delete(user=steward)

    assert "last steward" in exc.value.message
    assert "Riverside Mutual Aid" in exc.value.message
    assert model_to_dict(type(steward).objects.get(pk=steward.pk)) == before_user
    assert model_to_dict(Membership.objects.get(user=steward)) == before_membership
    assert SensitiveDetails.objects.get(user=steward).phone == "+44 20 7946 0000"


def test_a_steward_with_a_fellow_steward_can_delete_their_account(cast):
    add_member(cast.community, cast.coordinator, role="steward")

    account_delete(user=cast.steward)

    assert Membership.objects.get(user=cast.steward).status == "left"
    assert (
        Membership.objects.filter(community=cast.community, role="steward", status="active").count()
        == 1
    )
