"""Joining: open communities, applications and invitations."""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import re
import secrets
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import (
    ApplicationStatus,
    Community,
    Invitation,
    JoinApplication,
    JoinPolicy,
    Membership,
    MembershipStatus,
)
from mutua.communities.services.common import (
    INVITATION_DAYS,
    MAX_BULK_INVITATIONS,
    _activate_membership,
    _invalid,
)
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from mutua.core.mail import mail_batch, send_templated_mail_on_commit
from mutua.core.permissions import require
from mutua.people.language import language_for_address, language_of
from mutua.people.models import User


@transaction.atomic
def membership_join(*, user: User, community: Community) -> Membership:
    """Join an open community directly."""
    if community.join_policy != JoinPolicy.OPEN:
        raise PermissionDenied(
            _("This community does not take members without an application or an invitation.")
        )
    return _activate_membership(community=community, user=user)


@transaction.atomic
def application_submit(*, user: User, community: Community, answers: list[str]) -> JoinApplication:
    """Apply to join; one pending application at a time, one answer per question."""
    if community.join_policy != JoinPolicy.APPLICATION:
        raise PermissionDenied(_("This community does not take applications."))
    if Membership.objects.filter(
        community=community, user=user, status=MembershipStatus.ACTIVE
    ).exists():
        raise Conflict(_("You are already a member of this community."))
    questions = community.application_questions or []
    answers = [a.strip()[:2000] for a in answers]
    if len(answers) != len(questions) or any(not a for a in answers):
        raise _invalid("answers", _("Please answer every question."))
    try:
        with transaction.atomic():
            return JoinApplication.objects.create(
                community=community,
                user=user,
                answers=[
                    {"question": q, "answer": a} for q, a in zip(questions, answers, strict=True)
                ],
            )
    except IntegrityError:
        raise Conflict(_("You have already applied. The coordinators will answer soon.")) from None


@transaction.atomic
def application_decide(
    *, actor: User, application: JoinApplication, approve: bool, reason: str = ""
) -> JoinApplication:
    """Coordinators approve or decline a pending application; a decline needs a reason."""
    require(actor, "application.decide", application.community)
    application = JoinApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != ApplicationStatus.PENDING:
        raise Conflict(_("This application has already been decided."))
    reason = reason.strip()
    if not approve and not reason:
        raise _invalid("reason", _("Please give the applicant a reason."))
    application.status = ApplicationStatus.APPROVED if approve else ApplicationStatus.DECLINED
    application.decided_by, application.decided_at = actor, timezone.now()
    application.reason = reason[:2000]
    application.save()
    if approve:
        _activate_membership(community=application.community, user=application.user)
    audit_record(
        actor=actor,
        action="application.approve" if approve else "application.decline",
        community=application.community,
        target=application,
        subject=application.user,
        reason=reason,
    )
    send_templated_mail_on_commit(
        to=application.user.email,
        template="communities/email/application_decided",
        context={"community": application.community, "approved": approve, "reason": reason},
        language=language_of(application.user),
    )
    return application


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@transaction.atomic
def invitation_create(
    *,
    actor: User,
    community: Community,
    email: str = "",
    days: int = INVITATION_DAYS,
    site_url: str = "",
) -> tuple[Invitation, str]:
    """Invite by e-mail (sent after commit) or as a shareable single-use link."""
    require(actor, "member.invite", community)
    email = email.strip().lower()
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise _invalid("email", _("This is not a valid e-mail address.")) from None
        if Membership.objects.filter(
            community=community, user__email__iexact=email, status=MembershipStatus.ACTIVE
        ).exists():
            raise _invalid("email", _("This person is already a member."))
    if not 1 <= days <= 90:
        raise _invalid("days", _("An invitation can last from 1 to 90 days."))
    token = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        community=community,
        email=email,
        token_hash=_token_hash(token),
        created_by=actor,
        expires_at=timezone.now() + dt.timedelta(days=days),
    )
    audit_record(
        actor=actor,
        action="invitation.create",
        community=community,
        target=invitation,
        after={"email": email, "days": days},
    )
    if email:
        from django.conf import settings

        # Someone with an account reads it in their language; someone new in the inviter's.
        send_templated_mail_on_commit(
            to=email,
            language=language_for_address(email),
            template="communities/email/invitation",
            context={
                "community": community,
                "inviter": actor,
                "url": f"{site_url or settings.SITE_URL}/join/{token}/",
                "expires_at": invitation.expires_at,
            },
        )
    return invitation, token


@dataclass
class BulkReport:
    sent: list[str] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)


NOT_AN_ADDRESS = "not-an-address"
HEADINGS = "headings"


def parse_invitation_list(text: str) -> list[tuple[str, str]]:
    """Every non-empty line of a pasted list or a CSV file, as entries (text, kind).

    A line with an @ gives one entry per address in it (kind "address"; the other cells, such as
    a name, only describe it). A line without one is a single entry of kind "headings" when it
    is a CSV file's first line, else "not-an-address", so a report can name every line.
    """
    text = text.strip()
    if not text:
        return []
    sample = text[:4096]
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(sample, delimiters=",;\t")
        has_headings = csv.Sniffer().has_header(sample)
    except csv.Error:
        dialect, has_headings = csv.excel, False
    entries: list[tuple[str, str]] = []
    rows = csv.reader(io.StringIO(text, newline=""), dialect)  # "\r" alone ends a row too
    for number, row in enumerate(rows):
        cells = [c.strip() for c in row if c.strip()]
        if not cells:
            continue
        found = [
            part.strip().strip("<>\"'").lower()
            for cell in cells
            for part in re.split(r"[\s,;]+", cell)
            if "@" in part
        ]
        if found:
            entries.extend((address, "address") for address in found)
        else:
            line = ", ".join(cells)[:120]
            entries.append((line, HEADINGS if number == 0 and has_headings else NOT_AN_ADDRESS))
    return entries


def parse_address_list(text: str) -> list[str]:
    """Addresses from a pasted list or a CSV file: any cell that contains an @ counts."""
    return [entry for entry, kind in parse_invitation_list(text) if kind == "address"]


@transaction.atomic
def invitation_bulk(
    *, actor: User, community: Community, text: str, days: int = INVITATION_DAYS
) -> BulkReport:
    """Invite every address in a list; report every line: sent, or refused and why."""
    require(actor, "member.invite", community)
    entries = parse_invitation_list(text)
    addresses = [entry for entry, kind in entries if kind == "address"]
    if not addresses:
        raise _invalid("addresses", _("No e-mail addresses were found in what you pasted."))
    if len(addresses) > MAX_BULK_INVITATIONS:
        raise _invalid(
            "addresses",
            _("Please send at most %(n)d invitations at once.") % {"n": MAX_BULK_INVITATIONS},
        )
    report = BulkReport()
    seen: set[str] = set()
    pending = set(
        Invitation.objects.filter(
            community=community,
            email__in=addresses,
            used_at__isnull=True,
            revoked_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("email", flat=True)
    )
    with mail_batch():  # one wake of the worker for the whole list
        for entry, kind in entries:
            reason = _bulk_refusal(entry, kind, seen, pending)
            if reason is None:
                try:
                    with transaction.atomic():
                        invitation_create(actor=actor, community=community, email=entry, days=days)
                except ValidationFailed as exc:
                    reason = exc.message
            if reason is None:
                report.sent.append(entry)
            else:
                report.refused.append((entry, reason))
    return report


def _bulk_refusal(entry: str, kind: str, seen: set[str], pending: set[str]) -> str | None:
    """Why a line of a bulk invitation is not sent, before trying; None to try."""
    if kind == HEADINGS:
        return _("read as the column headings")
    if kind == NOT_AN_ADDRESS:
        return _("no e-mail address on this line")
    if entry in seen:
        return _("listed twice")
    seen.add(entry)
    if entry in pending:
        return _("already invited")
    return None


def invitation_lookup(token: str) -> Invitation:
    invitation = (
        Invitation.objects.select_related("community").filter(token_hash=_token_hash(token)).first()
    )
    if invitation is None:
        raise NotFound(_("This invitation link is not valid."))
    if invitation.revoked_at or invitation.used_at:
        raise Conflict(_("This invitation has already been used or withdrawn."))
    if invitation.expires_at <= timezone.now():
        raise Conflict(_("This invitation has expired. Please ask for a new one."))
    return invitation


@transaction.atomic
def invitation_accept(*, user: User, token: str) -> Membership:
    """Use an invitation once; an e-mailed one only by the address it was sent to."""
    invitation = invitation_lookup(token)
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.used_at:
        raise Conflict(_("This invitation has already been used or withdrawn."))
    if invitation.email and invitation.email.lower() != user.email.lower():
        raise PermissionDenied(_("This invitation was sent to another e-mail address."))
    membership = _activate_membership(community=invitation.community, user=user)
    invitation.used_at, invitation.used_by = timezone.now(), user
    invitation.save(update_fields=["used_at", "used_by", "updated_at"])
    return membership


@transaction.atomic
def invitation_revoke(*, actor: User, invitation: Invitation) -> Invitation:
    require(actor, "member.invite", invitation.community)
    if invitation.used_at is None and invitation.revoked_at is None:
        invitation.revoked_at = timezone.now()
        invitation.save(update_fields=["revoked_at", "updated_at"])
        audit_record(
            actor=actor,
            action="invitation.revoke",
            community=invitation.community,
            target=invitation,
        )
    return invitation
