"""Invitations: by e-mail or as a link, single-use, expiring, revocable, and in bulk."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict

from mutua.communities.models import Invitation, Membership
from mutua.communities.selectors import invitation_list
from mutua.communities.services import (
    invitation_accept,
    invitation_bulk,
    invitation_create,
    invitation_lookup,
    invitation_revoke,
    parse_address_list,
)
from mutua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from tests.factories import add_member, make_user


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_an_email_invitation_is_sent_after_commit_with_its_link(
    cast, role, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation, token = invitation_create(
            actor=getattr(cast, role),
            community=cast.community,
            email=" New.Person@Example.org ",
            site_url="https://aid.example",
        )

    assert len(callbacks) == 1
    assert invitation.email == "new.person@example.org"
    assert [m.to for m in mailoutbox] == [["new.person@example.org"]]
    assert "Riverside Mutual Aid" in mailoutbox[0].subject
    assert f"https://aid.example/join/{token}/" in mailoutbox[0].body


def test_no_email_leaves_before_the_transaction_commits(cast, mailoutbox):
    invitation_create(actor=cast.coordinator, community=cast.community, email="a@example.org")

    assert mailoutbox == []


def test_the_token_is_stored_only_as_a_hash_and_the_audit_entry_hides_the_address(cast):
    invitation, token = invitation_create(
        actor=cast.coordinator, community=cast.community, email="a@example.org", days=3
    )

    assert token not in invitation.token_hash
    entry = AuditEntry.objects.get(action="invitation.create")
    assert entry.after == {"email": "[redacted]", "days": 3}
    assert "a@example.org" not in entry.target_label
    assert invitation.expires_at - invitation.created_at == pytest.approx(
        dt.timedelta(days=3), abs=dt.timedelta(seconds=5)
    )


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_invite(cast, role, mailoutbox):
    with pytest.raises(PermissionDenied):
        invitation_create(actor=getattr(cast, role), community=cast.community, email="a@b.org")

    assert Invitation.objects.count() == 0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"email": "not-an-address"}, "email"),
        ({"email": "member@example.org"}, "email"),
        ({"days": 0}, "days"),
        ({"days": 91}, "days"),
    ],
)
def test_bad_invitations_are_refused_and_nothing_is_created(cast, kwargs, field, mailoutbox):
    with pytest.raises(ValidationFailed) as exc:
        invitation_create(actor=cast.coordinator, community=cast.community, **kwargs)

    assert field in exc.value.field_errors
    assert Invitation.objects.count() == 0
    assert not AuditEntry.objects.filter(action="invitation.create").exists()


# ---- accepting --------------------------------------------------------------------------


def test_the_invited_address_accepts_and_becomes_a_member(cast):
    newcomer = make_user(email="new@example.org")
    invitation, token = invitation_create(
        actor=cast.coordinator, community=cast.community, email="NEW@example.org"
    )

    membership = invitation_accept(user=newcomer, token=token)

    assert (membership.community, membership.role, membership.status) == (
        cast.community,
        "member",
        "active",
    )
    invitation.refresh_from_db()
    assert invitation.used_by == newcomer
    assert invitation.used_at is not None


def test_an_invitation_is_single_use(cast):
    first, second = make_user(), make_user()
    _invitation, token = invitation_create(actor=cast.coordinator, community=cast.community)
    invitation_accept(user=first, token=token)

    with pytest.raises(Conflict):
        invitation_accept(user=second, token=token)

    assert not Membership.objects.filter(user=second).exists()


def test_a_link_invitation_works_for_anyone(cast):
    newcomer = make_user(email="whoever@elsewhere.org")
    _invitation, token = invitation_create(actor=cast.coordinator, community=cast.community)

    assert invitation_accept(user=newcomer, token=token).is_active


def test_an_email_invitation_is_refused_to_another_address(cast):
    stranger = make_user(email="stranger@example.org")
    invitation, token = invitation_create(
        actor=cast.coordinator, community=cast.community, email="new@example.org"
    )

    with pytest.raises(PermissionDenied):
        invitation_accept(user=stranger, token=token)

    assert not Membership.objects.filter(user=stranger).exists()
    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_an_expired_invitation_is_refused(cast, time_machine):
    time_machine.move_to(dt.datetime.now(dt.UTC), tick=False)
    newcomer = make_user()
    _invitation, token = invitation_create(actor=cast.coordinator, community=cast.community, days=1)

    time_machine.shift(dt.timedelta(days=1, seconds=1))

    with pytest.raises(Conflict, match="expired"):
        invitation_accept(user=newcomer, token=token)
    assert not Membership.objects.filter(user=newcomer).exists()


def test_a_revoked_invitation_is_refused(cast):
    newcomer = make_user()
    invitation, token = invitation_create(actor=cast.coordinator, community=cast.community)

    invitation_revoke(actor=cast.coordinator, invitation=invitation)

    with pytest.raises(Conflict):
        invitation_accept(user=newcomer, token=token)
    assert not Membership.objects.filter(user=newcomer).exists()
    assert AuditEntry.objects.filter(action="invitation.revoke").count() == 1


def test_an_unknown_token_is_not_found(cast):
    with pytest.raises(NotFound):
        invitation_lookup("no-such-token")


def test_an_existing_member_accepting_a_link_is_a_conflict_and_the_link_stays_usable(cast):
    invitation, token = invitation_create(actor=cast.coordinator, community=cast.community)

    with pytest.raises(Conflict):
        invitation_accept(user=cast.member, token=token)

    invitation.refresh_from_db()
    assert invitation.used_at is None


def test_revoking_twice_records_one_entry(cast):
    invitation, _token = invitation_create(actor=cast.coordinator, community=cast.community)
    invitation_revoke(actor=cast.coordinator, invitation=invitation)
    first = Invitation.objects.get(pk=invitation.pk).revoked_at

    invitation_revoke(actor=cast.steward, invitation=invitation)

    assert Invitation.objects.get(pk=invitation.pk).revoked_at == first
    assert AuditEntry.objects.filter(action="invitation.revoke").count() == 1


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_revoke_invitations(cast, role):
    invitation, _token = invitation_create(actor=cast.coordinator, community=cast.community)

    with pytest.raises(PermissionDenied):
        invitation_revoke(actor=getattr(cast, role), invitation=invitation)

    assert Invitation.objects.get(pk=invitation.pk).revoked_at is None


def test_invitation_list_is_for_coordinators_only(cast):
    invitation, _token = invitation_create(actor=cast.coordinator, community=cast.community)

    assert list(invitation_list(viewer=cast.steward, community=cast.community)) == [invitation]
    with pytest.raises(PermissionDenied):
        invitation_list(viewer=cast.caller, community=cast.community)


# ---- bulk -------------------------------------------------------------------------------


def test_bulk_invitation_reports_what_was_sent_and_what_was_refused_and_why(
    cast, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation_create(
            actor=cast.coordinator, community=cast.community, email="pending@example.org"
        )
    mailoutbox.clear()
    text = "\n".join(
        [
            "ann@example.org",
            "Bob@Example.org",
            "ann@example.org",
            "broken@",
            "member@example.org",
            "pending@example.org",
        ]
    )

    with django_capture_on_commit_callbacks(execute=True):
        report = invitation_bulk(actor=cast.coordinator, community=cast.community, text=text)

    assert report.sent == ["ann@example.org", "bob@example.org"]
    reasons = dict(report.refused)
    assert set(reasons) == {
        "ann@example.org",
        "broken@",
        "member@example.org",
        "pending@example.org",
    }
    assert reasons["ann@example.org"] == "listed twice"
    assert reasons["pending@example.org"] == "already invited"
    assert reasons["member@example.org"] == "This person is already a member."
    assert reasons["broken@"] == "This is not a valid e-mail address."
    assert sorted(m.to[0] for m in mailoutbox) == ["ann@example.org", "bob@example.org"]
    assert Invitation.objects.filter(community=cast.community).count() == 3


def test_bulk_invitation_reads_a_csv_with_a_header_and_semicolons(cast):
    text = "name;email;street\nAnn;ann@example.org;Mill Lane\nBob;<bob@example.org>;High St\n"

    report = invitation_bulk(actor=cast.coordinator, community=cast.community, text=text)

    assert report.sent == ["ann@example.org", "bob@example.org"]
    assert report.refused == [("name, email, street", "read as the column headings")]


def test_bulk_invitation_reports_every_line_including_those_without_an_address(cast):
    # given a pasted list with a name on its own line and a note
    text = (
        "ann@example.org\nOmar (no e-mail yet)\n\n  \nbob@example.org; carol@example.org\ncall Dee"
    )

    report = invitation_bulk(actor=cast.coordinator, community=cast.community, text=text)

    # then every non-empty line is in the report, sent or refused with a reason
    assert report.sent == ["ann@example.org", "bob@example.org", "carol@example.org"]
    assert report.refused == [
        ("Omar (no e-mail yet)", "no e-mail address on this line"),
        ("call Dee", "no e-mail address on this line"),
    ]


def test_bulk_invitation_wakes_the_worker_once_and_sends_each_address(
    cast, django_capture_on_commit_callbacks, mailoutbox
):
    text = "\n".join(f"person{i}@example.org" for i in range(5))

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        invitation_bulk(actor=cast.coordinator, community=cast.community, text=text)

    assert len(callbacks) == 1
    assert sorted(m.to[0] for m in mailoutbox) == [f"person{i}@example.org" for i in range(5)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("a@x.org, b@x.org; c@x.org\td@x.org", ["a@x.org", "b@x.org", "c@x.org", "d@x.org"]),
        ('"Name","E-mail"\n"Ann","ann@x.org"\n', ["ann@x.org"]),
        ("Ann Smith <ann@x.org>", ["ann@x.org"]),
        ("   ", []),
        ("no addresses here", []),
    ],
)
def test_parse_address_list_finds_every_address(text, expected):
    assert parse_address_list(text) == expected


def test_bulk_invitation_with_no_addresses_is_refused(cast):
    with pytest.raises(ValidationFailed) as exc:
        invitation_bulk(actor=cast.coordinator, community=cast.community, text="nobody here")

    assert "addresses" in exc.value.field_errors


def test_bulk_invitation_of_more_than_500_is_refused_and_nothing_is_sent(cast, mailoutbox):
    text = "\n".join(f"p{i}@example.org" for i in range(501))

    with pytest.raises(ValidationFailed):
        invitation_bulk(actor=cast.coordinator, community=cast.community, text=text)

    assert Invitation.objects.count() == 0


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_invite_in_bulk(cast, role):
    with pytest.raises(PermissionDenied):
        invitation_bulk(actor=getattr(cast, role), community=cast.community, text="a@b.org")

    assert Invitation.objects.count() == 0


def test_a_removed_person_accepting_an_invitation_is_refused(cast):
    add_member(cast.community, cast.outsider, status="removed")
    invitation, token = invitation_create(actor=cast.coordinator, community=cast.community)
    before = model_to_dict(Invitation.objects.get(pk=invitation.pk))

    with pytest.raises(PermissionDenied):
        invitation_accept(user=cast.outsider, token=token)

    assert model_to_dict(Invitation.objects.get(pk=invitation.pk)) == before
