"""Ledger pages: my balance, my statement (and CSV), the coordinator summary, settings.

Where the community keeps no ledger, these pages say so and show no balance.
"""

from __future__ import annotations

import csv
import uuid
from decimal import Decimal

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_context, community_page, paginate
from mutua.core.errors import DomainError, NotFound
from mutua.ledger import selectors, services
from mutua.ledger.forms import (
    FundAskForm,
    GiftForm,
    RequestForm,
    SendForm,
    SettingsForm,
    StatementFilterForm,
)
from mutua.ledger.models import CreditRequest
from mutua.web.forms import show_domain_error

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _ctx(request, community, **extra) -> dict:
    context = community_context(request, community, **extra)
    context["is_coordinator"] = selectors.can_coordinate(viewer=request.user, community=community)
    return context


def _off(request, community):
    return render(request, "ledger/off.html", community_context(request, community), status=404)


def _members(request, community):
    return selectors.member_choices(viewer=request.user, community=community)


def fund_offer(community, exc: DomainError, reason: str = "") -> dict | None:
    """What the "ask the community fund" button on a refusal sends, when the fund is offered."""
    if not isinstance(exc, services.LimitReached) or exc.recipient is None or not exc.minutes:
        return None
    ids = selectors.member_ids(community=community, users=[exc.recipient.pk])
    return {
        "recipient": ids.get(exc.recipient.pk, ""),
        "name": str(exc.recipient),
        "minutes": exc.minutes,
        "hours": f"{Decimal(exc.minutes) / 60:.2f}",
        "reason": reason,
        "credit_request": getattr(exc.credit_request, "public_id", ""),
        "token": uuid.uuid4().hex,
    }


def balance_page(request, community, *, status: int = 400, refusal="", offer=None, **forms):
    """The balance page, with any form shown again with its errors, or a refusal and the
    community-fund button it offers."""
    try:
        balance = selectors.balance_get(viewer=request.user, community=community)
    except NotFound:
        return _off(request, community)
    members = _members(request, community)
    context = _ctx(
        request,
        community,
        balance=balance,
        send_form=forms.get("send_form") or SendForm(members=members),
        request_form=forms.get("request_form") or RequestForm(members=members),
        gift_form=forms.get("gift_form") or GiftForm(),
        fund_form=forms.get("fund_form") or FundAskForm(members=members),
        refusal=refusal,
        fund_offer=offer,
    )
    shown_again = forms or refusal or offer
    return render(request, "ledger/balance.html", context, status=status if shown_again else 200)


def _balance_page(request, community, **forms):
    return balance_page(request, community, **forms)


@community_page()
def balance(request, community):
    return _balance_page(request, community)


@require_POST
@community_page()
def send(request, community):
    form = SendForm(request.POST, members=_members(request, community))
    if form.is_valid():
        try:
            services.transfer_send(
                actor=request.user,
                community=community,
                recipient=selectors.member_user(
                    community=community, public_id=form.cleaned_data["recipient"]
                ),
                minutes=form.minutes(),
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["token"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
            offer = fund_offer(community, exc, form.cleaned_data["reason"])
            if offer is not None:
                return balance_page(request, community, send_form=form, offer=offer)
        else:
            messages.success(request, _("Thank you. The credits are sent."))
            return redirect("ledger:balance", community.slug)
    return _balance_page(request, community, send_form=form)


@require_POST
@community_page()
def gift(request, community):
    form = GiftForm(request.POST)
    if form.is_valid():
        try:
            services.fund_gift(
                actor=request.user,
                community=community,
                minutes=form.minutes(),
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["token"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. The community fund has your gift."))
            return redirect("ledger:balance", community.slug)
    return _balance_page(request, community, gift_form=form)


@require_POST
@community_page()
def ask(request, community):
    form = RequestForm(request.POST, members=_members(request, community))
    if form.is_valid():
        try:
            services.credit_request_create(
                actor=request.user,
                community=community,
                payer=selectors.member_user(
                    community=community, public_id=form.cleaned_data["payer"]
                ),
                minutes=form.minutes(),
                reason=form.cleaned_data["reason"],
                idempotency_key=form.cleaned_data["token"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Your request is sent. Nothing moves until they agree."))
            return redirect("ledger:balance", community.slug)
    return _balance_page(request, community, request_form=form)


@require_POST
@community_page()
def answer(request, community, public_id: str, action: str):
    if action not in ("approve", "decline"):
        raise Http404
    credit_request: CreditRequest = services.credit_request_get(
        viewer=request.user, public_id=public_id
    )
    service = (
        services.credit_request_approve if action == "approve" else services.credit_request_decline
    )
    try:
        service(actor=request.user, request=credit_request)
    except DomainError as exc:
        offer = fund_offer(community, exc)
        if offer is not None:
            return balance_page(request, community, status=409, refusal=exc.message, offer=offer)
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you. Your answer is recorded."))
    return redirect("ledger:balance", community.slug)


@require_POST
@community_page()
def nudge(request, community):
    try:
        services.account_set_nudge(
            actor=request.user, community=community, wants_nudge=request.POST.get("on") == "1"
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("ledger:balance", community.slug)


@community_page()
def statement(request, community):
    form = StatementFilterForm(request.GET or None)
    filters = selectors.StatementFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.StatementFilters(**form.cleaned_data)
    try:
        entries = selectors.statement(viewer=request.user, community=community, filters=filters)
    except NotFound:
        return _off(request, community)
    if request.GET.get("format") == "csv":
        response = HttpResponse(content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="statement-{community.slug}.csv"'
        writer = csv.writer(response)
        writer.writerow(["date", "transfer", "kind", "minutes", "hours", "reason"])
        for entry in entries.iterator(chunk_size=1000):
            writer.writerow(
                [
                    entry.created_at.isoformat(),
                    safe_cell(entry.transfer.public_id),
                    safe_cell(entry.transfer.kind),
                    entry.amount,
                    (Decimal(entry.amount) / 60).quantize(Decimal("0.01")),
                    safe_cell(entry.transfer.reason),
                ]
            )
        return response
    page = paginate(request, entries)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "ledger/statement.html",
        _ctx(request, community, form=form, page=page, query=query.urlencode()),
    )


def safe_cell(value: str) -> str:
    """Text a spreadsheet would run as a formula (=, +, -, @, tab, CR first) starts with a quote.

    Numbers we write ourselves (minutes, hours) are passed as numbers and left alone."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


@community_page()
def summary(request, community):
    try:
        result = selectors.summary_get(viewer=request.user, community=community)
    except NotFound:
        return _off(request, community)
    return render(request, "ledger/summary.html", _ctx(request, community, summary=result))


@community_page()
def ledger_settings(request, community):
    current = selectors.settings_get(viewer=request.user, community=community)
    # Saving the page unchanged changes nothing: limits show to the minute (-90 as -1.5 hours).
    form = SettingsForm(request.POST or None, initial=SettingsForm.initial_from(current))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.ledger_configure(
                actor=request.user,
                community=community,
                **selectors.changed_settings(
                    current,
                    is_enabled=data["is_enabled"],
                    breach_mode=data["breach_mode"],
                    **form.limit_minutes(),
                ),
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The ledger settings are saved."))
            return redirect("ledger:settings", community.slug)
    return render(request, "ledger/settings.html", community_context(request, community, form=form))
