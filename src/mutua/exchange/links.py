"""Signed-link actions: a helper asked by e-mail or SMS accepts or declines without a password.

GET shows a page (mail scanners fetch links); only the POST from that page acts.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from mutua.core.errors import DomainError
from mutua.core.signed_links import register_link_action
from mutua.exchange.models import Need
from mutua.exchange.services.responses import TASK_ACCEPT, TASK_DECLINE


def _need(link) -> Need | None:
    return (
        Need.objects.select_related("community", "service_area")
        .filter(public_id=link.target_id)
        .first()
    )


def _page(request: HttpRequest, link, *, accept: bool) -> HttpResponse:
    need = _need(link)
    return render(
        request,
        "exchange/link_task.html",
        {
            "need": need,
            "accept": accept,
            "done": False,
            "error": "" if need else _("This need is gone."),
        },
    )


def _act(request: HttpRequest, link, *, accept: bool) -> HttpResponse:
    need = _need(link)
    error = ""
    try:
        if need is None:
            error = _("This need is gone.")
        else:  # if a dispatch plan asked them, as on its ask page (a decline re-plans)
            from mutua.matching.services import task_answer_by_link

            task_answer_by_link(helper=link.user, need=need, accept=accept)
    except DomainError as exc:
        error = exc.message
    return render(
        request,
        "exchange/link_task.html",
        {"need": need, "accept": accept, "done": not error, "error": error},
        status=409 if error else 200,
    )


def accept_page(request, link):
    return _page(request, link, accept=True)


def accept_act(request, link):
    return _act(request, link, accept=True)


def decline_page(request, link):
    return _page(request, link, accept=False)


def decline_act(request, link):
    return _act(request, link, accept=False)


register_link_action(TASK_ACCEPT, page=accept_page, act=accept_act)
register_link_action(TASK_DECLINE, page=decline_page, act=decline_act)
