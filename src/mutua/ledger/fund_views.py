"""Asking the community fund on the web: a member's request (from the balance page, or from the
button on a refusal), a member withdrawing it, and coordinators approving or declining it."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_page
from mutua.core.errors import DomainError, NotFound
from mutua.ledger import selectors, services
from mutua.ledger.forms import FundAskForm
from mutua.ledger.views import balance_page
from mutua.web.forms import show_domain_error


def _credit_request(request, public_id: str):
    if not public_id:
        return None
    try:
        return services.credit_request_get(viewer=request.user, public_id=public_id)
    except NotFound as exc:
        raise DomainError(exc.message) from exc


@require_POST
@community_page()
def fund_ask(request, community):
    members = selectors.member_choices(viewer=request.user, community=community)
    form = FundAskForm(request.POST, members=members)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.fund_request_create(
                actor=request.user,
                community=community,
                recipient=selectors.member_user(community=community, public_id=data["recipient"]),
                minutes=form.minutes(),
                reason=data["reason"],
                credit_request=_credit_request(request, data["credit_request"]),
                idempotency_key=data["token"],
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Your request is with the coordinators. You will hear from them soon; "
                    "nobody else sees it."
                ),
            )
            return redirect("ledger:balance", community.slug)
    return balance_page(request, community, fund_form=form)


@require_POST
@community_page()
def fund_answer(request, community, public_id: str, action: str):
    """Coordinators approve or decline; the member who asked may withdraw (decline)."""
    if action not in ("approve", "decline"):
        raise Http404
    try:
        fund_request = selectors.fund_request_get(viewer=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404 from exc
    if fund_request.community_id != community.pk:
        raise Http404
    service = (
        services.fund_request_approve if action == "approve" else services.fund_request_decline
    )
    try:
        service(actor=request.user, request=fund_request)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Thank you. Your answer is recorded."))
    if fund_request.requester_id == request.user.pk:
        return redirect("ledger:balance", community.slug)
    return redirect("ledger:coordinate", community.slug)
