"""Offers: post, renew, close, and members asking for them."""

from __future__ import annotations

import datetime as dt

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, ServiceArea
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.permissions import require
from mutua.exchange import notifications as n
from mutua.exchange.models import Offer, OfferRequest
from mutua.exchange.services.common import invalid, settings_for
from mutua.exchange.services.listing import clean_listing, snap
from mutua.people.models import User

OFFER_DAYS = 30
MAX_OFFER_DAYS = 180


def _offer_context(offer: Offer) -> dict:
    return {
        "offer_id": offer.public_id,
        "offer_title": offer.title,
        "community_name": offer.community.name,
        "url": f"/c/{offer.community.slug}/offers/{offer.public_id}/",
        "expires_at": offer.expires_at.isoformat(),
    }


def _expiry(offer_community: Community, days: int) -> tuple[dt.datetime, dt.datetime]:
    if not 1 <= int(days) <= MAX_OFFER_DAYS:
        raise invalid("days", _("Please keep an offer open for 1 to 180 days."))
    expires_at = timezone.now() + dt.timedelta(days=int(days))
    remind = dt.timedelta(days=settings_for(offer_community).offer_reminder_days)
    return expires_at, expires_at - remind


@transaction.atomic
def offer_post(
    *,
    owner: User,
    community: Community,
    title: str,
    description: str = "",
    kind: str = "other",
    category: str = "",
    service_area: ServiceArea | None = None,
    lat: float | None = None,
    lon: float | None = None,
    skill_ids: list[int] | None = None,
    available_note: str = "",
    days: int = OFFER_DAYS,
) -> Offer:
    """A member offers something; it stays open for `days` and its owner is reminded to renew."""
    require(owner, "community.view", community)
    values = clean_listing(
        community=community,
        title=title,
        description=description,
        kind=kind,
        category=category,
        service_area=service_area,
        skill_ids=skill_ids or [],
    )
    if len(available_note or "") > 200:
        raise invalid("available_note", _("Please use at most 200 characters."))
    expires_at, remind_at = _expiry(community, days)
    approx_lat, approx_lon = snap(community, lat, lon)
    skills = values.pop("skills")
    offer = Offer.objects.create(
        community=community,
        owner=owner,
        approx_lat=approx_lat,
        approx_lon=approx_lon,
        available_note=(available_note or "").strip(),
        expires_at=expires_at,
        remind_at=remind_at,
        **values,
    )
    offer.skills.set(skills)
    return offer


@transaction.atomic
def offer_renew(*, actor: User, offer: Offer, days: int = OFFER_DAYS) -> Offer:
    """The owner keeps an offer open longer (also after it expired)."""
    offer = Offer.objects.select_for_update().select_related("community").get(pk=offer.pk)
    if actor.pk != offer.owner_id:
        raise PermissionDenied(_("Only the person who made the offer can renew it."))
    if offer.status == "closed":
        raise Conflict(_("This offer is closed."))
    offer.expires_at, offer.remind_at = _expiry(offer.community, days)
    offer.reminded_at = None
    offer.status = "open"
    offer.save()
    return offer


@transaction.atomic
def offer_close(*, actor: User, offer: Offer) -> Offer:
    """The owner (or a coordinator) closes an offer."""
    from mutua.exchange.services.common import is_coordinator

    if actor.pk != offer.owner_id and not is_coordinator(actor, offer.community):
        raise PermissionDenied(_("Only the person who made the offer can close it."))
    before = offer.status
    Offer.objects.filter(pk=offer.pk).update(status="closed", updated_at=timezone.now())
    offer.refresh_from_db()
    offer.requests.filter(status="pending").update(status="declined", answered_at=timezone.now())
    if actor.pk != offer.owner_id:
        audit_record(
            actor=actor,
            action="offer.close",
            community=offer.community,
            target=offer,
            subject=offer.owner,
            before={"status": before},
            after={"status": "closed"},
        )
    return offer


def remind_expiring(offer: Offer, now: dt.datetime) -> bool:
    """Tell the owner once that their offer expires soon (the sweep calls this)."""
    offer = Offer.objects.select_for_update().select_related("community", "owner").get(pk=offer.pk)
    if offer.status != "open" or offer.reminded_at or not offer.remind_at or offer.remind_at > now:
        return False
    offer.reminded_at = now
    offer.save(update_fields=["reminded_at", "updated_at"])
    n.notify(
        offer.owner,
        n.OFFER_EXPIRING,
        _offer_context(offer),
        community=offer.community,
        dedupe_key=f"expiring:{offer.public_id}:{offer.expires_at.isoformat()}",
    )
    return True


@transaction.atomic
def offer_request_create(*, requester: User, offer: Offer, message: str = "") -> OfferRequest:
    """A member asks for an open offer; its owner hears about it."""
    require(requester, "community.view", offer.community)
    if requester.pk == offer.owner_id:
        raise PermissionDenied(_("This is your own offer."))
    if offer.status != "open":
        raise Conflict(_("This offer is no longer open."))
    if len(message or "") > 1000:
        raise invalid("message", _("Please use at most 1000 characters."))
    try:
        with transaction.atomic():
            request = OfferRequest.objects.create(
                offer=offer, requester=requester, message=(message or "").strip()
            )
    except IntegrityError:
        raise Conflict(_("You have already asked for this offer.")) from None
    n.notify(
        offer.owner,
        n.OFFER_REQUEST,
        {**_offer_context(offer), "requester_name": str(requester), "message": request.message},
        community=offer.community,
        dedupe_key=f"offerreq:{request.public_id}",
    )
    return request


@transaction.atomic
def offer_request_answer(*, actor: User, request: OfferRequest, accept: bool) -> OfferRequest:
    """The owner accepts or declines a request; the requester hears the answer."""
    request = (
        OfferRequest.objects.select_for_update()
        .select_related("offer__community", "requester")
        .get(pk=request.pk)
    )
    offer = request.offer
    if actor.pk != offer.owner_id:
        raise PermissionDenied(_("Only the person who made the offer can answer."))
    if request.status != "pending":
        raise Conflict(_("This request has already been answered."))
    request.status = "accepted" if accept else "declined"
    request.answered_at = timezone.now()
    request.save(update_fields=["status", "answered_at", "updated_at"])
    n.notify(
        request.requester,
        n.OFFER_ANSWERED,
        {**_offer_context(offer), "accepted": accept, "owner_name": str(actor)},
        community=offer.community,
        dedupe_key=f"offeranswer:{request.public_id}",
    )
    return request
