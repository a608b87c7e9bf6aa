"""API: care circles — invitations and answers, outside contacts, the coordinator on call,
taking a contact off (how a flagged circle is mended)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Status

from mutua.api.errors import responses
from mutua.api.fields import PublicId
from mutua.care import selectors, services
from mutua.care.api import schemas as s

router = Router(tags=["care"])


def _me(request: HttpRequest) -> Any:
    return request.auth  # type: ignore[attr-defined]


@router.get(
    "/plans/{plan_id}/circle",
    response=responses({200: list[s.ContactOut]}),
    summary="The plan's circle, in order",
)
def circle_list(request: HttpRequest, plan_id: PublicId) -> Any:
    plan = selectors.plan_get(viewer=_me(request), public_id=plan_id)
    return selectors.plan_contacts(plan=plan, viewer=_me(request))


@router.post(
    "/plans/{plan_id}/circle/invitations",
    response=responses({201: s.ContactOut}),
    summary="Invite a member into the circle (relied on once they accept)",
)
def circle_invite(request: HttpRequest, plan_id: PublicId, data: s.InviteIn) -> Any:
    me = _me(request)
    plan = selectors.plan_get(viewer=me, public_id=plan_id)
    member = selectors.person_by_public_id(public_id=data.member)
    return Status(201, services.circle_invite(actor=me, plan=plan, member=member))


@router.post(
    "/plans/{plan_id}/circle/outside",
    response=responses({201: s.ContactOut}),
    summary="Add an outside emergency contact, with their consent recorded",
)
def circle_outside(request: HttpRequest, plan_id: PublicId, data: s.OutsideIn) -> Any:
    me = _me(request)
    plan = selectors.plan_get(viewer=me, public_id=plan_id)
    contact = services.circle_add_outside(actor=me, plan=plan, **data.model_dump())
    contact.shows_consent = True  # the service let the actor manage this plan
    return Status(201, contact)


@router.post(
    "/plans/{plan_id}/circle/on-call",
    response=responses({201: s.ContactOut}),
    summary="Add a place for the coordinator on call",
)
def circle_on_call(request: HttpRequest, plan_id: PublicId) -> Any:
    me = _me(request)
    plan = selectors.plan_get(viewer=me, public_id=plan_id)
    return Status(201, services.circle_add_on_call(actor=me, plan=plan))


@router.delete(
    "/plans/{plan_id}/circle/{contact_id}",
    response=responses({204: None}),
    summary="Take a contact off the circle (audit-logged)",
)
def circle_remove(request: HttpRequest, plan_id: PublicId, contact_id: PublicId) -> Any:
    me = _me(request)
    plan = selectors.plan_get(viewer=me, public_id=plan_id)
    contact = selectors.plan_contact_get(plan=plan, public_id=contact_id)
    services.circle_remove(actor=me, contact=contact)
    return Status(204, None)


@router.get(
    "/circles",
    response=responses({200: list[s.MyCircleOut]}),
    summary="Circles I am in or invited to",
)
def circles_mine(request: HttpRequest) -> Any:
    return selectors.my_circles(viewer=_me(request))


def _answer(request: HttpRequest, contact_id: str, act: Any) -> Any:
    me = _me(request)
    contact = selectors.contact_get(viewer=me, public_id=contact_id)
    return act(member=me, contact=contact)


@router.post(
    "/circles/{contact_id}/accept",
    response=responses({200: s.ContactOut}),
    summary="Accept a place in a circle",
)
def circle_accept(request: HttpRequest, contact_id: PublicId) -> Any:
    return _answer(request, contact_id, services.circle_accept)


@router.post(
    "/circles/{contact_id}/decline",
    response=responses({200: s.ContactOut}),
    summary="Decline an invitation to a circle",
)
def circle_decline(request: HttpRequest, contact_id: PublicId) -> Any:
    return _answer(request, contact_id, services.circle_decline)


@router.post(
    "/circles/{contact_id}/leave",
    response=responses({200: s.ContactOut}),
    summary="Leave a circle (the coordinators are told to find someone else)",
)
def circle_leave(request: HttpRequest, contact_id: PublicId) -> Any:
    return _answer(request, contact_id, services.circle_leave)
