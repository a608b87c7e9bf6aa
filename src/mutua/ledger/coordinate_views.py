"""Coordinator pages: record help on people's behalf (several people on each side), answer
requests to the community fund, grant from the fund, reverse a transfer, a member's own
limits, and support from the fund. Each form posts to its own URL."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_context, community_page
from mutua.core.errors import DomainError, NotFound
from mutua.ledger import selectors, services
from mutua.ledger.forms import (
    FUND,
    ROWS,
    GrantForm,
    LimitsForm,
    RecordForm,
    ReverseForm,
    SupportedForm,
)
from mutua.web.forms import show_domain_error

FORMS = {
    "record_form": RecordForm,
    "grant_form": GrantForm,
    "reverse_form": ReverseForm,
    "limits_form": LimitsForm,
    "supported_form": SupportedForm,
}


def _members(request, community):
    """Refuses anyone but coordinators (PermissionDenied → 403) before any form is read."""
    return selectors.coordinator_member_choices(viewer=request.user, community=community)


def _rows(request) -> int:
    try:
        return int(request.GET.get("rows", ROWS))
    except ValueError:
        return ROWS


def _page(request, community, members, bound=None):
    forms = {}
    for name, form_class in FORMS.items():
        if bound is not None and isinstance(bound, form_class):
            forms[name] = bound
        elif form_class is ReverseForm:
            forms[name] = form_class()
        elif form_class is RecordForm:
            forms[name] = form_class(members=members, rows=_rows(request))
        else:
            forms[name] = form_class(members=members)
    fund_requests = list(
        selectors.fund_requests_pending(viewer=request.user, community=community)[:100]
    )
    context = community_context(
        request, community, is_coordinator=True, fund_requests=fund_requests, **forms
    )
    return render(request, "ledger/coordinate.html", context, status=400 if bound else 200)


def _user(community, public_id: str):
    """None for the fund; a member who is no longer active is refused, never read as the fund."""
    if public_id == FUND:
        return None
    user = selectors.member_user(community=community, public_id=public_id)
    if user is None:
        raise DomainError(_("This person is not a member of this community."))
    return user


def _done(request, community, message: str):
    messages.success(request, message)
    return redirect("ledger:coordinate", community.slug)


@community_page()
def coordinate(request, community):
    try:
        members = _members(request, community)
    except NotFound:
        return render(request, "ledger/off.html", community_context(request, community), status=404)
    return _page(request, community, members)


def _post(request, community, form_class, act, done_message: str):
    """Validate the posted form, call the service through `act(data, form)`, and either go
    back to the page with a success message or show the form again with the refusal."""
    members = _members(request, community)
    form = (
        form_class(request.POST)
        if form_class is ReverseForm
        else form_class(request.POST, members=members)
    )
    if form.is_valid():
        try:
            act(form.cleaned_data, form)
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            return _done(request, community, done_message)
    return _page(request, community, members, form)


@require_POST
@community_page()
def record(request, community):
    def act(data, form):
        services.transfer_record(
            actor=request.user,
            community=community,
            payers=[(_user(community, who), minutes) for who, minutes in data["payers"]],
            payees=[(_user(community, who), minutes) for who, minutes in data["payees"]],
            reason=data["reason"],
            idempotency_key=data["token"],
        )

    return _post(request, community, RecordForm, act, _("The help is recorded."))


@require_POST
@community_page()
def grant(request, community):
    def act(data, form):
        services.fund_grant(
            actor=request.user,
            community=community,
            recipient=selectors.member_user(community=community, public_id=data["member"]),
            minutes=form.minutes(),
            reason=data["reason"],
            idempotency_key=data["token"],
        )

    return _post(request, community, GrantForm, act, _("The credits from the fund are given."))


@require_POST
@community_page()
def reverse(request, community):
    def act(data, form):
        try:
            transfer = selectors.transfer_get(
                viewer=request.user, community=community, public_id=data["transfer"]
            )
        except NotFound as exc:
            raise DomainError(exc.message, field_errors={"transfer": [exc.message]}) from exc
        services.transfer_reverse(actor=request.user, transfer=transfer, reason=data["reason"])

    return _post(request, community, ReverseForm, act, _("The transfer is corrected."))


@require_POST
@community_page()
def limits(request, community):
    def act(data, form):
        floor, ceiling = data["floor_hours"], data["ceiling_hours"]
        services.account_set_limits(
            actor=request.user,
            community=community,
            member=selectors.member_user(community=community, public_id=data["member"]),
            floor_minutes=None if floor is None else floor * 60,
            ceiling_minutes=None if ceiling is None else ceiling * 60,
            reason=data["reason"],
        )

    return _post(request, community, LimitsForm, act, _("Their limits are saved."))


@require_POST
@community_page()
def supported(request, community):
    def act(data, form):
        services.account_set_supported(
            actor=request.user,
            community=community,
            member=selectors.member_user(community=community, public_id=data["member"]),
            is_supported=data["is_supported"],
            reason=data["reason"],
        )

    return _post(request, community, SupportedForm, act, _("Their support from the fund is saved."))
