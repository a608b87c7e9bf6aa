"""Care pages for setting things up: a plan, its schedule, a pause, the circle, the rota.

Plain forms (no JavaScript). Each page parses its form, calls one service, and shows the
service's refusals next to the fields they concern; nothing is written on a refusal.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from mutua.care import selectors, services
from mutua.care.forms import (
    LADDER_FIELDS,
    PauseForm,
    PlanCreateForm,
    ScheduleForm,
    SettingsForm,
    ShiftForm,
    repeat_initial,
)
from mutua.care.models import CarePlan
from mutua.care.services.common import community_drilling
from mutua.communities.selectors import community_get
from mutua.core.errors import DomainError
from mutua.core.permissions import can

# Service field names that a page shows under a differently named input.
FIELD_ALIASES = {"person": "person_email", "member": "email", "coordinator": "coordinator_email"}


def _problem(request: HttpRequest, exc: DomainError, community=None) -> HttpResponse:
    ctx = {"message": exc.message, "community": community}
    return render(request, "care/problem.html", ctx, status=exc.status)


def _refused(
    request: HttpRequest, exc: DomainError, form: forms.Form, template: str, ctx: dict
) -> HttpResponse:
    """Field errors go back on the form (400); other refusals get the problem page."""
    if not exc.field_errors:
        return _problem(request, exc, ctx.get("community"))
    for name, errors in exc.field_errors.items():
        name = FIELD_ALIASES.get(name, name)
        for error in errors:
            form.add_error(name if name in form.fields else None, error)
    return render(request, template, {**ctx, "form": form}, status=400)


def _invalid(request: HttpRequest, template: str, ctx: dict) -> HttpResponse:
    return render(request, template, ctx, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def plan_new(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        community = community_get(slug=slug)
    except DomainError as exc:
        return _problem(request, exc)
    template, ctx = "care/plan_form.html", {"community": community, "creating": True}
    defaults = selectors.care_defaults(community=community)
    initial = {
        "grace_minutes": defaults.grace_minutes,
        "contact_timeout_minutes": defaults.contact_timeout_minutes,
        "repeat_minutes": defaults.repeat_minutes,
    }
    form = PlanCreateForm(
        request.POST or None,
        initial=initial,
        ladder=can(request.user, "care.coordinate", community),
        defaults=defaults,
    )
    if request.method == "GET" or not form.is_valid():
        return render(
            request, template, {**ctx, "form": form}, status=200 if not form.errors else 400
        )
    data = form.changes()
    person = request.user
    if data["person_email"]:
        person = selectors.member_by_email(community=community, email=data["person_email"])
        if person is None:
            form.add_error("person_email", _("No member of this community has this address."))
            return _invalid(request, template, {**ctx, "form": form})
    try:
        plan = services.care_plan_create(
            actor=request.user,
            community=community,
            person=person,
            times=data["times"],
            rrule=data["rrule"],
            channels=data["channels"],
            grace_minutes=data["grace_minutes"],
            reminder_leads=data["reminder_leads"],
            consent_note=data["consent_note"],
            **{name: data[name] for name in LADDER_FIELDS if name in data},
        )
    except DomainError as exc:
        return _refused(request, exc, form, template, ctx)
    messages.success(request, _("The check-in plan is set up."))
    return redirect("care:plan_detail", plan.public_id)


def _schedule_initial(plan: CarePlan) -> dict:
    return {
        "times": ", ".join(plan.times),
        **repeat_initial(plan.rrule),
        "channels": plan.channels,
        "grace_minutes": plan.grace_minutes,
        "reminder_leads": ", ".join(str(m) for m in plan.reminder_leads),
        **{name: getattr(plan, name) for name in LADDER_FIELDS},
    }


@login_required
@require_http_methods(["GET", "POST"])
def plan_edit(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
    except DomainError as exc:
        return _problem(request, exc)
    template, ctx = "care/plan_form.html", {"community": plan.community, "plan": plan}
    form = ScheduleForm(
        request.POST or None,
        initial=_schedule_initial(plan),
        ladder=can(request.user, "care.coordinate", plan.community),
        defaults=selectors.care_defaults(community=plan.community),
    )
    if request.method == "GET" or not form.is_valid():
        return render(
            request, template, {**ctx, "form": form}, status=200 if not form.errors else 400
        )
    try:
        services.care_plan_update(actor=request.user, plan=plan, **form.changes())
    except DomainError as exc:
        return _refused(request, exc, form, template, ctx)
    messages.success(request, _("The plan is changed."))
    return redirect("care:plan_detail", plan.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def plan_pause(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
    except DomainError as exc:
        return _problem(request, exc)
    template, ctx = "care/plan_pause.html", {"community": plan.community, "plan": plan}
    form = PauseForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return render(
            request, template, {**ctx, "form": form}, status=200 if not form.errors else 400
        )
    try:
        services.care_plan_pause(
            actor=request.user, plan=plan, until=form.until_moment(plan.community.time_zone)
        )
    except DomainError as exc:
        return _refused(request, exc, form, template, ctx)
    messages.success(request, _("Check-ins are paused."))
    return redirect("care:plan_detail", plan.public_id)


@login_required
@require_POST
def plan_resume(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
        services.care_plan_resume(actor=request.user, plan=plan)
    except DomainError as exc:
        return _problem(request, exc)
    messages.success(request, _("Check-ins have started again."))
    return redirect("care:plan_detail", plan.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def plan_end(request: HttpRequest, public_id: str) -> HttpResponse:
    """GET asks to confirm; POST ends the plan (the person, or a coordinator)."""
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
    except DomainError as exc:
        return _problem(request, exc)
    if request.method == "GET":
        return render(request, "care/plan_end.html", {"community": plan.community, "plan": plan})
    try:
        services.care_plan_end(actor=request.user, plan=plan)
    except DomainError as exc:
        return _problem(request, exc, plan.community)
    messages.success(request, _("The check-in plan has ended. Nobody will be asked any more."))
    return redirect("care:mine")


@login_required
@require_http_methods(["GET", "POST"])
def care_settings(request: HttpRequest, slug: str) -> HttpResponse:
    """Coordinators: the community's drill switch and the defaults of new plans."""
    community = None
    try:
        community = community_get(slug=slug)
        current = selectors.care_settings_get(viewer=request.user, community=community)
    except DomainError as exc:
        return _problem(request, exc, community)
    template = "care/settings.html"
    initial = {f: getattr(current, f) for f in SettingsForm.base_fields}
    drilling = community_drilling(current)
    # A drill whose end has passed is over: the form shows it off, as the plans run.
    initial["is_drill"] = drilling
    initial["drill_until"] = current.drill_until if drilling else None
    form = SettingsForm(request.POST or None, initial=initial)
    ctx = {"community": community, "form": form, "current": current, "drilling": drilling}
    if request.method == "GET":
        return render(request, template, ctx)
    if not form.is_valid():
        return _invalid(request, template, ctx)
    try:
        services.care_settings_update(
            actor=request.user, community=community, **form.changes(community.time_zone)
        )
    except DomainError as exc:
        return _refused(request, exc, form, template, ctx)
    messages.success(request, _("The care settings are saved."))
    return redirect("care:settings", community.slug)


@login_required
@require_http_methods(["GET", "POST"])
def rota(request: HttpRequest, slug: str) -> HttpResponse:
    try:
        community = community_get(slug=slug)
        shifts = selectors.on_call_rota(viewer=request.user, community=community)
    except DomainError as exc:
        return _problem(request, exc)
    template = "care/rota.html"
    form = ShiftForm(request.POST or None)
    ctx = {"community": community, "shifts": shifts, "form": form}
    if request.method == "GET":
        return render(request, template, ctx)
    if not form.is_valid():
        return _invalid(request, template, ctx)
    coordinator = selectors.member_by_email(
        community=community, email=form.cleaned_data["coordinator_email"]
    )
    if coordinator is None:
        form.add_error("coordinator_email", _("No member of this community has this address."))
        return _invalid(request, template, ctx)
    try:
        services.on_call_shift_add(
            actor=request.user,
            community=community,
            coordinator=coordinator,
            starts_at=form.local("starts_at", community.time_zone),
            ends_at=form.local("ends_at", community.time_zone),
        )
    except DomainError as exc:
        return _refused(request, exc, form, template, ctx)
    messages.success(request, _("The shift is on the rota."))
    return redirect("care:rota", community.slug)


@login_required
@require_POST
def rota_end(request: HttpRequest, slug: str, shift_id: str) -> HttpResponse:
    """Take a shift off the rota: ended now if under way, deleted if not yet begun."""
    community = None
    try:
        community = community_get(slug=slug)
        shift = selectors.on_call_shift_get(
            viewer=request.user, community=community, public_id=shift_id
        )
        services.on_call_shift_end(actor=request.user, shift=shift)
    except DomainError as exc:
        return _problem(request, exc, community)
    messages.success(request, _("The shift is off the rota."))
    return redirect("care:rota", community.slug)
