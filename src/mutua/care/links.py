"""Signed-link actions: "I'm OK" for the person, "I'm on it" for a responder.

GET shows a page with one big button (mail scanners fetch links); only the POST acts.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from mutua.care.models import Alert, CarePlan
from mutua.care.services.alerts import ACK_LINK, CHECKIN_LINK, care_alert_acknowledge
from mutua.care.services.checkins import care_checkin
from mutua.core.errors import DomainError
from mutua.core.signed_links import register_link_action


def _plan(link) -> CarePlan | None:
    return (
        CarePlan.objects.select_related("community", "person__profile")
        .filter(public_id=link.target_id)
        .first()
    )


def _alert(link) -> Alert | None:
    return (
        Alert.objects.select_related("plan__community", "plan__person__profile", "held_by__profile")
        .filter(public_id=link.target_id)
        .first()
    )


def _render(request, template, ctx, status=200) -> HttpResponse:
    return render(request, template, ctx, status=status)


def checkin_page(request: HttpRequest, link) -> HttpResponse:
    plan = _plan(link)
    return _render(request, "care/link_checkin.html", {"plan": plan, "done": False, "error": ""})


def checkin_act(request: HttpRequest, link) -> HttpResponse:
    plan = _plan(link)
    error = ""
    try:
        if plan is None:
            raise DomainError("")
        care_checkin(actor=link.user, plan=plan, how="link")
    except DomainError as exc:
        error = exc.message or "-"
    ctx = {"plan": plan, "done": not error, "error": error}
    return _render(request, "care/link_checkin.html", ctx, 409 if error else 200)


def ack_page(request: HttpRequest, link) -> HttpResponse:
    alert = _alert(link)
    ctx = {"alert": alert, "plan": alert.plan if alert else None, "done": False, "error": ""}
    return _render(request, "care/link_ack.html", ctx)


def ack_act(request: HttpRequest, link) -> HttpResponse:
    alert = _alert(link)
    error = ""
    try:
        if alert is None:
            raise DomainError("")
        alert = care_alert_acknowledge(actor=link.user, alert=alert)
    except DomainError as exc:
        error = exc.message or "-"
    ctx = {"alert": alert, "plan": alert.plan if alert else None, "done": not error, "error": error}
    return _render(request, "care/link_ack.html", ctx, 409 if error else 200)


register_link_action(CHECKIN_LINK, page=checkin_page, act=checkin_act)
register_link_action(ACK_LINK, page=ack_page, act=ack_act)
