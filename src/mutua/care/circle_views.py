"""The care circle page: invite a member, add an outside contact or the coordinator on call,
and take a contact off (how a flagged circle is mended). Plain forms, no JavaScript."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutua.care import selectors, services
from mutua.care.forms import InviteMemberForm, OutsideContactForm
from mutua.care.manage_views import _invalid, _problem, _refused
from mutua.core.errors import DomainError


@login_required
@require_http_methods(["GET", "POST"])
def plan_circle(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
    except DomainError as exc:
        return _problem(request, exc)
    which = request.POST.get("form", "")
    invite = InviteMemberForm(request.POST if which == "member" else None, prefix="member")
    outside = OutsideContactForm(request.POST if which == "outside" else None, prefix="outside")
    template = "care/plan_circle.html"
    ctx = {
        "community": plan.community,
        "plan": plan,
        "contacts": selectors.plan_contacts(plan=plan, viewer=request.user),
        "can_manage": selectors.can_manage(request.user, plan),
        "invite": invite,
        "outside": outside,
    }
    if request.method == "GET":
        return render(request, template, ctx)
    form: forms.Form = invite if which == "member" else outside
    if which not in ("member", "outside") or not form.is_valid():
        return _invalid(request, template, ctx)
    try:
        if which == "member":
            member = selectors.member_by_email(
                community=plan.community, email=invite.cleaned_data["email"]
            )
            if member is None:
                invite.add_error("email", _("No member of this community has this address."))
                return _invalid(request, template, ctx)
            services.circle_invite(actor=request.user, plan=plan, member=member)
            messages.success(request, _("Invitation sent. They are relied on once they accept."))
        else:
            services.circle_add_outside(actor=request.user, plan=plan, **outside.cleaned_data)
            messages.success(request, _("The contact is added to the circle."))
    except DomainError as exc:
        return _refused(request, exc, form, template, ctx)
    return redirect("care:plan_circle", plan.public_id)


@login_required
@require_POST
def circle_on_call(request: HttpRequest, public_id: str) -> HttpResponse:
    plan = None
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
        services.circle_add_on_call(actor=request.user, plan=plan)
    except DomainError as exc:
        return _problem(request, exc, plan.community if plan else None)
    messages.success(request, _("The coordinator on call is now in the circle."))
    return redirect("care:plan_circle", plan.public_id)


@login_required
@require_POST
def circle_remove(request: HttpRequest, public_id: str, contact_id: str) -> HttpResponse:
    plan = None
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
        contact = selectors.plan_contact_get(plan=plan, public_id=contact_id)
        services.circle_remove(actor=request.user, contact=contact)
    except DomainError as exc:
        return _problem(request, exc, plan.community if plan else None)
    messages.success(request, _("The contact is no longer in the circle."))
    return redirect("care:plan_circle", plan.public_id)
