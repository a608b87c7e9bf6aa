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
from mutua.exchange.models import Commitment, Need, Offer, OfferRequest
from mutua.exchange.services.common import invalid, need_context, require_fits, settings_for
from mutua.exchange.services.listing import DEFAULT_OPEN_FOR, clean_listing, snap
from mutua.exchange.services.responses import _commit
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
    is_one_off: bool = False,
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
        is_one_off=bool(is_one_off),
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
    """The owner accepts or declines a request; both hear the answer.

    Accepting makes the exchange the rest of the loop runs on: a private need on behalf of the
    requester, described from the offer, fully committed with the owner as its helper. A
    one-off offer then closes, and the other requests for it are declined.
    """
    request = (
        OfferRequest.objects.select_for_update()
        .select_related("offer__community", "requester")
        .get(pk=request.pk)
    )
    offer = Offer.objects.select_for_update().select_related("community").get(pk=request.offer_id)
    if actor.pk != offer.owner_id:
        raise PermissionDenied(_("Only the person who made the offer can answer."))
    if request.status != "pending":
        raise Conflict(_("This request has already been answered."))
    if accept and offer.status != "open":
        raise Conflict(_("This offer is no longer open."))
    now = timezone.now()
    request.status = "accepted" if accept else "declined"
    request.answered_at = now
    request.save(update_fields=["status", "answered_at", "updated_at"])
    context = {**_offer_context(offer), "accepted": accept, "owner_name": str(actor)}
    if accept:
        commitment = _exchange_for(request, offer)
        context["url"] = need_context(commitment.need)["url"]
        n.notify(
            actor,
            n.RESPONSE_ACCEPTED,
            {**need_context(commitment.need), "due_at": commitment.due_at.isoformat()},
            community=offer.community,
            dedupe_key=f"accepted:{commitment.public_id}",
        )
        if offer.is_one_off:
            offer.status = "closed"
            offer.save(update_fields=["status", "updated_at"])
            for other in offer.requests.filter(status="pending").select_related("requester"):
                other.status, other.answered_at = "declined", now
                other.save(update_fields=["status", "answered_at", "updated_at"])
                n.notify(
                    other.requester,
                    n.OFFER_ANSWERED,
                    {**_offer_context(offer), "accepted": False, "owner_name": str(actor)},
                    community=offer.community,
                    dedupe_key=f"offeranswer:{other.public_id}",
                )
    n.notify(
        request.requester,
        n.OFFER_ANSWERED,
        context,
        community=offer.community,
        dedupe_key=f"offeranswer:{request.public_id}",
    )
    return request


def _exchange_for(request: OfferRequest, offer: Offer) -> Commitment:
    """The private need of the requester, described from the offer, with its owner committed."""
    now = timezone.now()
    need = Need.objects.create(
        community=offer.community,
        author=request.requester,
        posted_by=request.requester,
        title=offer.title,
        description=request.message or offer.description,
        kind=offer.kind,
        category=offer.category,
        service_area=offer.service_area,
        approx_lat=offer.approx_lat,
        approx_lon=offer.approx_lon,
        helpers_wanted=1,
        is_private=True,
        offer_request=request,
        status_changed_at=now,
        expires_at=now + DEFAULT_OPEN_FOR["flexible"],
    )
    need.skills.set(offer.skills.all())
    require_fits(need, offer.owner)
    return _commit(need=need, helper=offer.owner, assigned_by=offer.owner)
