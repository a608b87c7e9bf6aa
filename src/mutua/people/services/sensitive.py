"""Sensitive details (address, phone, access and health notes): kept apart, every read by
someone else audit-logged in the community where it was allowed."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _

from mutua.core.audit import audit_record, audit_record_many
from mutua.core.errors import PermissionDenied
from mutua.core.permissions import require, sensitive_grant
from mutua.people.models import SensitiveDetails, User
from mutua.people.services.profile import _invalid

if TYPE_CHECKING:
    from mutua.communities.models import Community

SENSITIVE_FIELDS = ("address", "phone", "access_notes", "health_notes")

# Called (in the same transaction) when a person's phone number changes or is reported wrong,
# so other apps can mend what relied on it (care plans flagged for a dead number).
PHONE_CHANGE_HANDLERS: list[Callable[[User], None]] = []


def register_phone_change_handler(handler: Callable[[User], None]) -> None:
    if handler not in PHONE_CHANGE_HANDLERS:
        PHONE_CHANGE_HANDLERS.append(handler)


def _phone_changed(user: User) -> None:
    for handler in PHONE_CHANGE_HANDLERS:
        handler(user)


def _digits(phone: str) -> str:
    return "".join(ch for ch in phone if ch.isdigit() or ch == "+")


def _fingerprint(phone: str, scope: str, secret: str) -> str:
    digits = _digits(phone) or "none"
    return salted_hmac(
        f"mutua.people.phone:{scope}", digits, secret=secret, algorithm="sha256"
    ).hexdigest()[:24]


def phone_fingerprint(phone: str, *, scope: str) -> str:
    """A keyed digest of a number's digits (or of there being none), for one `scope` (one call
    on a call list): a page says which number it showed without sending it back, a changed
    number no longer matches, and digests from two scopes cannot be linked."""
    return _fingerprint(phone, scope, settings.SECRET_KEY)


def phone_fingerprint_matches(phone: str, *, scope: str, fingerprint: str) -> bool:
    """Whether `fingerprint` is this number's, under the current or a previous secret key."""
    secrets = [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]
    return any(
        constant_time_compare(_fingerprint(phone, scope, secret), fingerprint) for secret in secrets
    )


def sensitive_phone_matches(*, user: User, scope: str, fingerprint: str) -> bool:
    """Whether the number on file is still the one with this fingerprint (nothing is read
    out, so nothing is audit-logged)."""
    phone = SensitiveDetails.objects.filter(user=user).values_list("phone", flat=True).first()
    return phone_fingerprint_matches(phone or "", scope=scope, fingerprint=fingerprint)


def phone_reported_wrong(user: User) -> bool:
    """Whether a caller found this person's phone number wrong, and it has not changed since."""
    return SensitiveDetails.objects.filter(
        user=user, phone_reported_wrong_at__isnull=False
    ).exists()


def sensitive_details_lock(*, user: User) -> None:
    """Lock the person's sensitive details row (if any) until the transaction ends. Whoever
    also locks their care plans takes this first, as `sensitive_update` does."""
    list(SensitiveDetails.objects.select_for_update().filter(user=user).values_list("pk"))


@transaction.atomic
def sensitive_phone_report_wrong(*, user: User, now: dt.datetime) -> bool:
    """Remember that the number does not work, until the person (or their account) changes it.
    Only a number on file can be wrong; the caller's own record of the call is kept elsewhere.
    True when this is news (the number was not already known to be wrong)."""
    updated = (
        SensitiveDetails.objects.filter(user=user, phone_reported_wrong_at__isnull=True)
        .exclude(phone="")
        .update(phone_reported_wrong_at=now, updated_at=now)
    )
    if updated:
        _phone_changed(user)
    return bool(updated)


@transaction.atomic
def sensitive_update(
    *,
    user: User,
    address: str | None = None,
    phone: str | None = None,
    access_notes: str | None = None,
    health_notes: str | None = None,
    health_consent: bool | None = None,
) -> SensitiveDetails:
    """Keep health notes only with explicit consent; withdrawing consent erases them."""
    details, _created = SensitiveDetails.objects.select_for_update().get_or_create(user=user)
    phone_changed = False
    if phone is not None:
        cleaned = _digits(phone)
        if phone.strip() and not 6 <= len(cleaned) <= 20:
            raise _invalid("phone", _("Please enter a phone number with 6 to 20 digits."))
        # Another number, not the same one written differently, and not none at all (a
        # number found dead stays so until there is one to try).
        phone_changed = bool(cleaned) and cleaned != _digits(details.phone)
        details.phone = phone.strip()[:32]
        if phone_changed:
            details.phone_reported_wrong_at = None
    for field, value, limit in (("address", address, 500), ("access_notes", access_notes, 1000)):
        if value is not None:
            if len(value) > limit:
                raise _invalid(field, _("Please use at most %(n)d characters.") % {"n": limit})
            setattr(details, field, value.strip())
    if health_consent is False:
        details.health_consent_at = None
        details.health_notes = ""
    elif health_consent is True and details.health_consent_at is None:
        details.health_consent_at = timezone.now()
    if health_notes is not None and health_notes.strip():
        if details.health_consent_at is None:
            raise _invalid(
                "health_notes", _("Health notes are kept only with your explicit consent.")
            )
        if len(health_notes) > 2000:
            raise _invalid("health_notes", _("Please use at most 2000 characters."))
        details.health_notes = health_notes.strip()
    elif health_notes is not None:
        details.health_notes = ""
    details.save()
    if phone_changed:
        _phone_changed(user)
    return details


# The reads for which a caller's phone-only access counts (audit purposes of the call lists).
CALL_LIST_PURPOSES = frozenset({"call list", "care call list", "dispatch call list"})


def sensitive_read(
    *,
    viewer: User,
    person: User,
    purpose: str = "profile",
    community: Community | None = None,
) -> dict[str, str]:
    """Return the fields `viewer` may see; every read by someone else is audit-logged.

    Pass the `community` the read happens in: only the viewer's powers there count and the
    entry goes to its log. Without it (older callers), the community that grants the access.
    """
    level, granted_in = sensitive_grant(viewer, person, community)
    if level == "none":
        raise PermissionDenied(_("You cannot see this person's private details."))
    if level == "phone" and purpose not in CALL_LIST_PURPOSES:
        # A caller is a phone volunteer: the numbers are theirs to see on a call list, not
        # whenever they open someone's page.
        raise PermissionDenied(_("Callers see phone numbers on the call lists only."))
    details = SensitiveDetails.objects.filter(user=person).first()
    values = {f: getattr(details, f) if details else "" for f in SENSITIVE_FIELDS}
    if level == "phone":
        values = {"phone": values["phone"]}
    if viewer.pk != person.pk:
        audit_record(
            actor=viewer,
            action="sensitive.read",
            community=granted_in,
            subject=person,
            target=person,
            after={"fields": sorted(values), "purpose": purpose[:60]},
            is_safeguarding=True,
        )
    return values


def sensitive_phones_read(
    *,
    viewer: User,
    community: Community,
    people: Iterable[User],
    purpose: str = "call list",
) -> dict[int, str]:
    """Phone numbers of these members for a call list, by user id; one safeguarding entry per
    person read, written in one INSERT. Callers and coordinators of `community` only; people
    who are not active members there are left out."""
    from mutua.communities.models import Membership, MembershipStatus

    require(viewer, "sensitive.read_phone", community)
    by_id = {p.pk: p for p in people if p.pk != viewer.pk}
    if not by_id:
        return {}
    rows = Membership.objects.filter(
        community=community, status=MembershipStatus.ACTIVE, user_id__in=list(by_id)
    ).values_list("user_id", "user__sensitive__phone")
    phones = {user_id: phone or "" for user_id, phone in rows}
    audit_record_many(
        actor=viewer,
        action="sensitive.read",
        community=community,
        subjects=[by_id[user_id] for user_id in phones],
        after={"fields": ["phone"], "purpose": purpose[:60]},
        is_safeguarding=True,
    )
    return phones
