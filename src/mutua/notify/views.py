"""Pages: notification centre, preferences, unsubscribe, signed links; inbound SMS and e-mail
hooks."""

from __future__ import annotations

import json
import time

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from mutua.core.errors import DomainError
from mutua.core.signed_links import link_action_get, signed_link_consume, signed_link_peek
from mutua.notify import engine, selectors, services
from mutua.notify.kinds import CHOOSABLE_CHANNELS, kind_all
from mutua.notify.services.inbound_email import ACCEPTED, REFUSED, email_inbound_receive

CENTRE_SIZE = 100


@login_required
@require_http_methods(["GET"])
def centre(request: HttpRequest) -> HttpResponse:
    notifications = list(selectors.notification_list(user=request.user)[:CENTRE_SIZE])
    return render(request, "notify/centre.html", {"notifications": notifications})


@login_required
@require_POST
def mark_read(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        notification = services.notification_mark_read(user=request.user, public_id=public_id)
    except DomainError as exc:
        return render(request, "notify/problem.html", {"message": exc.message}, status=exc.status)
    if request.POST.get("open") and url_has_allowed_host_and_scheme(
        notification.url, allowed_hosts={request.get_host()}
    ):
        return redirect(notification.url)
    return redirect("notify:centre")


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    services.notification_mark_all_read(user=request.user)
    messages.success(request, _("All notifications are marked as read."))
    return redirect("notify:centre")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        ticked = {
            (kind.code, ch)
            for kind in kind_all()
            for ch in CHOOSABLE_CHANNELS
            if f"{kind.code}:{ch}" in request.POST
        }
        try:
            services.notification_preferences_page_save(user=request.user, ticked=ticked)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your choices are saved."))
            return redirect("notify:preferences")
    rows = selectors.preference_matrix(user=request.user)
    return render(
        request, "notify/preferences.html", {"rows": rows, "channels": CHOOSABLE_CHANNELS}
    )


@csrf_exempt  # RFC 8058: mail providers POST "List-Unsubscribe=One-Click" without a session
@never_cache
@require_http_methods(["GET", "POST"])
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    try:
        if request.method == "POST":
            _user, kind = services.notification_unsubscribe(token=token)
            return render(request, "notify/unsubscribed.html", {"kind": kind})
        _user, kind = services.unsubscribe_peek(token)
    except DomainError as exc:
        return render(request, "notify/problem.html", {"message": exc.message}, status=exc.status)
    return render(request, "notify/unsubscribe.html", {"kind": kind})


@never_cache
@require_http_methods(["GET", "POST"])
def signed_link(request: HttpRequest, token: str) -> HttpResponse:
    """GET shows the action's page and changes nothing; POST uses the link and acts."""
    try:
        if request.method == "GET":
            link = signed_link_peek(token)
            return link_action_get(link.action).page(request, link)
        with transaction.atomic():
            link = signed_link_consume(token)
            return link_action_get(link.action).act(request, link)
    except DomainError as exc:
        return render(request, "notify/problem.html", {"message": exc.message}, status=exc.status)


@csrf_exempt  # authenticated by the gateway's HMAC signature instead
@require_POST
def sms_inbound(request: HttpRequest) -> HttpResponse:
    problem = engine.signature_problem(
        settings.SMS_GATEWAY_SECRET,
        request.headers.get(engine.TIMESTAMP_HEADER, ""),
        request.headers.get(engine.SIGNATURE_HEADER, ""),
        request.body,
        now=time.time(),
        window=int(getattr(settings, "SMS_SIGNATURE_WINDOW_SECONDS", 300)),
    )
    if problem:
        status = 403 if problem == "stale" else 401
        return JsonResponse({"error": problem}, status=status)
    try:
        data = json.loads(request.body)
        sender, text = data["from"], data["text"]
        if not isinstance(sender, str) or not isinstance(text, str) or "\x00" in sender + text:
            raise ValueError
    except (ValueError, KeyError, TypeError):
        return JsonResponse({"error": "expected JSON {from, text}"}, status=400)
    inbound = services.inbound_sms_receive(from_address=sender[:64], text=text[:2000])
    return JsonResponse({"id": inbound.public_id, "reply": inbound.reply_kind})


_EMAIL_REFUSAL_STATUS = {"too_large": 413, "unreadable": 400}


@csrf_exempt  # authenticated by the relay's HMAC signature, as the SMS hook
@require_POST
def email_inbound(request: HttpRequest) -> HttpResponse:
    """The raw RFC 822 message as the body, signed like the SMS hook. 200 when taken (applied,
    already seen, or an automatic reply dropped); 422 when refused for good; 5xx: try again."""
    limit = int(settings.MUTUA_REPLY_MAX_BYTES)
    # Read the stream ourselves: request.body stops at DATA_UPLOAD_MAX_MEMORY_SIZE (2.5 MB).
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return JsonResponse({"error": "too large"}, status=413)
    problem = engine.signature_problem(
        settings.EMAIL_INBOUND_SECRET,
        request.headers.get(engine.TIMESTAMP_HEADER, ""),
        request.headers.get(engine.SIGNATURE_HEADER, ""),
        raw,
        now=time.time(),
        window=int(getattr(settings, "SMS_SIGNATURE_WINDOW_SECONDS", 300)),
    )
    if problem:
        return JsonResponse({"error": problem}, status=403 if problem == "stale" else 401)
    result = email_inbound_receive(raw)
    if result.status == REFUSED:
        status = _EMAIL_REFUSAL_STATUS.get(result.reason, 422)
        return JsonResponse({"status": result.status, "reason": result.reason}, status=status)
    data = {"status": result.status, "reason": result.reason}
    if result.status == ACCEPTED and result.inbound is not None:
        data.update(id=result.inbound.public_id, reply=result.inbound.reply_kind)
    return JsonResponse(data)
