"""Joining: open communities, applications and coordinators' decisions."""

from __future__ import annotations

import pytest
from django.forms.models import model_to_dict

from mutua.communities.models import CustomRole, JoinApplication, Membership
from mutua.communities.selectors import application_list
from mutua.communities.services import application_decide, application_submit, membership_join
from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from tests.factories import add_member, make_community, make_user

QUESTIONS = ["Why would you like to join?", "Which street do you live on?"]


@pytest.fixture
def applying(cast):
    cast.community.join_policy = "application"
    cast.community.application_questions = QUESTIONS
    cast.community.save()
    return cast


def _apply(community, user=None) -> JoinApplication:
    return application_submit(
        user=user or make_user(), community=community, answers=["To help", "Mill Lane"]
    )


# ---- open join --------------------------------------------------------------------------


def test_anyone_can_join_an_open_community(db):
    community = make_community(join_policy="open")
    user = make_user()

    membership = membership_join(user=user, community=community)

    assert (membership.role, membership.status) == ("member", "active")


@pytest.mark.parametrize("policy", ["application", "invitation"])
def test_joining_directly_is_refused_unless_the_community_is_open(db, policy):
    community = make_community(join_policy=policy)
    user = make_user()

    with pytest.raises(PermissionDenied):
        membership_join(user=user, community=community)

    assert not Membership.objects.filter(user=user).exists()


def test_joining_twice_is_a_conflict(db):
    community = make_community(join_policy="open")
    user = make_user()
    membership_join(user=user, community=community)

    with pytest.raises(Conflict):
        membership_join(user=user, community=community)

    assert Membership.objects.filter(user=user).count() == 1


def test_a_former_member_rejoins_as_a_plain_member(db):
    community = make_community(join_policy="open")
    user = make_user()
    add_member(community, user, role="coordinator", status="left", ended_reason="moved")

    membership = membership_join(user=user, community=community)

    assert (membership.role, membership.status, membership.ended_reason) == (
        "member",
        "active",
        "",
    )


def test_a_former_member_does_not_get_their_custom_roles_back_on_rejoining(db):
    community = make_community(join_policy="open")
    user = make_user()
    membership = add_member(community, user, status="left", ended_reason="moved")
    role = CustomRole.objects.create(community=community, name="Drivers", permissions=[])
    membership.custom_roles.add(role)

    membership = membership_join(user=user, community=community)

    assert list(membership.custom_roles.all()) == []


@pytest.mark.parametrize("status", ["removed", "suspended"])
def test_a_removed_or_suspended_member_cannot_rejoin_by_themselves(db, status):
    community = make_community(join_policy="open")
    user = make_user()
    add_member(community, user, status=status)

    with pytest.raises(PermissionDenied):
        membership_join(user=user, community=community)

    assert Membership.objects.get(user=user).status == status


# ---- applications -----------------------------------------------------------------------


def test_an_application_pairs_each_answer_with_its_question(applying):
    user = make_user()

    application = application_submit(
        user=user, community=applying.community, answers=["  To help ", "Mill Lane"]
    )

    assert application.status == "pending"
    assert application.answers == [
        {"question": QUESTIONS[0], "answer": "To help"},
        {"question": QUESTIONS[1], "answer": "Mill Lane"},
    ]


@pytest.mark.parametrize("answers", [[], ["Only one"], ["One", "Two", "Three"], ["To help", "   "]])
def test_an_application_must_answer_every_question(applying, answers):
    with pytest.raises(ValidationFailed) as exc:
        application_submit(user=make_user(), community=applying.community, answers=answers)

    assert "answers" in exc.value.field_errors
    assert JoinApplication.objects.count() == 0


def test_a_second_pending_application_is_a_conflict(applying):
    user = make_user()
    _apply(applying.community, user)

    with pytest.raises(Conflict):
        _apply(applying.community, user)

    assert JoinApplication.objects.filter(user=user).count() == 1


def test_a_member_cannot_apply_again(applying):
    with pytest.raises(Conflict):
        _apply(applying.community, applying.member)

    assert JoinApplication.objects.count() == 0


@pytest.mark.parametrize("policy", ["open", "invitation"])
def test_applications_are_refused_where_the_community_does_not_take_them(db, policy):
    community = make_community(join_policy=policy)

    with pytest.raises(PermissionDenied):
        _apply(community)

    assert JoinApplication.objects.count() == 0


@pytest.mark.parametrize("role", ["steward", "coordinator"])
def test_approving_an_application_makes_a_member_and_tells_them(
    applying, role, django_capture_on_commit_callbacks, mailoutbox
):
    application = _apply(applying.community)
    actor = getattr(applying, role)

    with django_capture_on_commit_callbacks(execute=True):
        decided = application_decide(actor=actor, application=application, approve=True)

    assert (decided.status, decided.decided_by) == ("approved", actor)
    membership = Membership.objects.get(community=applying.community, user=application.user)
    assert (membership.role, membership.status) == ("member", "active")
    entry = AuditEntry.objects.get(action="application.approve")
    assert (entry.actor, entry.subject) == (actor, application.user)
    assert [m.to for m in mailoutbox] == [[application.user.email]]


def test_declining_an_application_needs_a_reason_and_sends_it(
    applying, django_capture_on_commit_callbacks, mailoutbox
):
    application = _apply(applying.community)

    with django_capture_on_commit_callbacks(execute=True):
        decided = application_decide(
            actor=applying.coordinator,
            application=application,
            approve=False,
            reason="We only cover Riverside.",
        )

    assert (decided.status, decided.reason) == ("declined", "We only cover Riverside.")
    assert not Membership.objects.filter(user=application.user).exists()
    assert AuditEntry.objects.get(action="application.decline").reason == (
        "We only cover Riverside."
    )
    assert len(mailoutbox) == 1
    assert "We only cover Riverside." in mailoutbox[0].body


def test_a_decline_without_a_reason_is_refused_and_nothing_changes(applying, mailoutbox):
    application = _apply(applying.community)
    before = model_to_dict(JoinApplication.objects.get(pk=application.pk))

    with pytest.raises(ValidationFailed) as exc:
        application_decide(
            actor=applying.coordinator, application=application, approve=False, reason="  "
        )

    assert "reason" in exc.value.field_errors
    assert model_to_dict(JoinApplication.objects.get(pk=application.pk)) == before
    assert not AuditEntry.objects.filter(action__startswith="application.").exists()
    assert mailoutbox == []


def test_a_second_decision_is_a_conflict(applying):
    application = _apply(applying.community)
    application_decide(actor=applying.coordinator, application=application, approve=True)

    with pytest.raises(Conflict):
        application_decide(
            actor=applying.steward, application=application, approve=False, reason="No"
        )

    assert JoinApplication.objects.get(pk=application.pk).status == "approved"
    assert Membership.objects.get(user=application.user).status == "active"


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_only_coordinators_decide_applications(applying, role):
    application = _apply(applying.community)

    with pytest.raises(PermissionDenied):
        application_decide(actor=getattr(applying, role), application=application, approve=True)

    assert JoinApplication.objects.get(pk=application.pk).status == "pending"
    assert not Membership.objects.filter(user=application.user).exists()


def test_application_list_shows_pending_applications_to_coordinators(applying):
    first, second = _apply(applying.community), _apply(applying.community)
    application_decide(actor=applying.steward, application=second, approve=True)

    assert list(application_list(viewer=applying.coordinator, community=applying.community)) == [
        first
    ]
    assert list(
        application_list(
            viewer=applying.coordinator, community=applying.community, status="approved"
        )
    ) == [second]


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_application_list_is_refused_to_non_coordinators(applying, role):
    with pytest.raises(PermissionDenied):
        application_list(viewer=getattr(applying, role), community=applying.community)
