"""The exchange's part of a member's export and of deleting their account (see
`people.account_data`): their needs, offers, offers of help, tasks, expenses and thanks."""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils import timezone

from mutua.exchange.models import (
    LIVE_NEED_STATUSES,
    ArrangementStatus,
    Commitment,
    Expense,
    Feedback,
    Need,
    NeedPrivate,
    Offer,
    OfferRequest,
    Response,
    StandingArrangement,
)
from mutua.people.account_data import register_account_anonymise, register_account_export
from mutua.people.models import User

DELETED = "account deleted"


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def export_needs(user: User) -> list[dict[str, Any]]:
    rows = (
        Need.objects.filter(author=user)
        .select_related("community", "private")
        .order_by("created_at", "id")
    )
    out = []
    for need in rows:
        private = getattr(need, "private", None)
        out.append(
            {
                "id": need.public_id,
                "community": need.community.slug,
                "title": need.title,
                "description": need.description,
                "kind": need.kind,
                "urgency": need.urgency,
                "status": need.status,
                "requirements": need.requirements,
                "gender_wanted": need.gender_wanted,
                "starts_at": _iso(need.starts_at),
                "ends_at": _iso(need.ends_at),
                "posted": need.created_at.isoformat(),
                "private": (
                    {
                        "address": private.address,
                        "access_notes": private.access_notes,
                        "contact_phone": private.contact_phone,
                    }
                    if private is not None
                    else None
                ),
            }
        )
    return out


def export_offers(user: User) -> list[dict[str, Any]]:
    rows = Offer.objects.filter(owner=user).select_related("community")
    return [
        {
            "id": o.public_id,
            "community": o.community.slug,
            "title": o.title,
            "description": o.description,
            "kind": o.kind,
            "available": o.available_note,
            "status": o.status,
            "posted": o.created_at.isoformat(),
            "expires": o.expires_at.isoformat(),
        }
        for o in rows.order_by("created_at", "id")
    ]


def export_offer_requests(user: User) -> list[dict[str, Any]]:
    rows = OfferRequest.objects.filter(requester=user).select_related("offer")
    return [
        {
            "offer": r.offer.public_id,
            "message": r.message,
            "status": r.status,
            "asked": r.created_at.isoformat(),
        }
        for r in rows.order_by("created_at", "id")
    ]


def export_responses(user: User) -> list[dict[str, Any]]:
    rows = Response.objects.filter(helper=user).select_related("need")
    return [
        {
            "need": r.need.public_id,
            "message": r.message,
            "proposed_time": r.proposed_time,
            "status": r.status,
            "offered": r.created_at.isoformat(),
        }
        for r in rows.order_by("created_at", "id")
    ]


def export_commitments(user: User) -> list[dict[str, Any]]:
    """Tasks they helped with and help they received; no other person's name."""
    rows = (
        Commitment.objects.filter(Q(helper=user) | Q(need__author=user))
        .select_related("need")
        .order_by("created_at", "id")
    )
    return [
        {
            "id": c.public_id,
            "need": c.need.public_id,
            "side": "helper" if c.helper_id == user.pk else "person",
            "status": c.status,
            "due_at": _iso(c.due_at),
            "hours": str(c.hours) if c.hours is not None else None,
            "confirmed_at": _iso(c.confirmed_at),
            "no_show_reported": c.no_show_reported_at is not None,
            "disputed": c.disputed_at is not None,
        }
        for c in rows
    ]


def export_expenses(user: User) -> list[dict[str, Any]]:
    rows = Expense.objects.filter(recorded_by=user).select_related("commitment")
    return [
        {
            "commitment": e.commitment.public_id,
            "amount": str(e.amount),
            "currency": e.currency,
            "note": e.note,
            "recorded": e.created_at.isoformat(),
            "repaid": _iso(e.repaid_at),
        }
        for e in rows.order_by("created_at", "id")
    ]


def export_feedback(user: User) -> list[dict[str, Any]]:
    """What they wrote, and the thank-you notes written to them."""
    rows = Feedback.objects.filter(
        Q(author=user) | Q(kind="thanks", recipient=user)
    ).select_related("commitment")
    return [
        {
            "commitment": f.commitment.public_id,
            "kind": f.kind,
            "direction": "written" if f.author_id == user.pk else "received",
            "text": f.text,
            "at": f.created_at.isoformat(),
        }
        for f in rows.order_by("created_at", "id")
    ]


def export_arrangements(user: User) -> list[dict[str, Any]]:
    rows = StandingArrangement.objects.filter(Q(person=user) | Q(helper=user))
    return [
        {
            "id": a.public_id,
            "side": "helper" if a.helper_id == user.pk else "person",
            "title": a.title,
            "rrule": a.rrule,
            "status": a.status,
            "since": a.created_at.isoformat(),
        }
        for a in rows.order_by("created_at", "id")
    ]


def anonymise_exchange(user: User) -> None:
    """Nothing stays waiting on a deleted account, and nothing they wrote about themselves
    stays: private details erased, live needs cancelled, offers closed, places given back.
    Done help, hours and feedback others gave stay (the ledger and follow-ups rely on them).
    Sends nothing, as the contract asks; idempotent."""
    from mutua.exchange.services.arrangement_changes import cancel_coming
    from mutua.exchange.services.membership_end import release_places, stop_listing

    now = timezone.now()
    mine = Need.objects.filter(author=user)
    NeedPrivate.objects.filter(need__in=mine).delete()
    live = list(mine.filter(status__in=LIVE_NEED_STATUSES).select_for_update().order_by("pk"))
    for need in live:
        need.commitments.filter(status="active").update(
            status="cancelled", ended_at=now, end_reason=DELETED, updated_at=now
        )
        need.responses.filter(status="pending").update(
            status="declined", answered_at=now, updated_at=now
        )
    mine.filter(pk__in=[n.pk for n in live]).update(
        status="cancelled", status_changed_at=now, updated_at=now
    )
    mine.update(description="", consent_note="")
    for arrangement in StandingArrangement.objects.filter(Q(person=user) | Q(helper=user)).exclude(
        status__in=(ArrangementStatus.ENDED, ArrangementStatus.DECLINED)
    ):
        if arrangement.person_id == user.pk:  # a helper's dates stay open for someone else
            cancel_coming(arrangement, now, DELETED)
        arrangement.status = ArrangementStatus.ENDED
        arrangement.save(update_fields=["status", "updated_at"])
    StandingArrangement.objects.filter(person=user).update(description="")
    release_places(helper=user, now=now, reason=DELETED)
    stop_listing(user=user, now=now)
    Offer.objects.filter(owner=user).update(description="", available_note="")
    OfferRequest.objects.filter(requester=user).update(message="")
    Response.objects.filter(helper=user).update(message="", proposed_time="")
    Expense.objects.filter(recorded_by=user).update(note="")
    # Thanks written to them are read by nobody else now.
    Feedback.objects.filter(kind="thanks", recipient=user).update(text="")
    Commitment.objects.filter(no_show_reported_by=user).update(no_show_note="")
    Commitment.objects.filter(disputed_by=user).update(dispute_reason="")


def register() -> None:
    register_account_export("needs", export_needs)
    register_account_export("offers", export_offers)
    register_account_export("offer_requests", export_offer_requests)
    register_account_export("offers_of_help", export_responses)
    register_account_export("commitments", export_commitments)
    register_account_export("expenses", export_expenses)
    register_account_export("thanks_and_feedback", export_feedback)
    register_account_export("standing_arrangements", export_arrangements)
    register_account_anonymise("exchange", anonymise_exchange)
