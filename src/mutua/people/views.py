"""Pages under /me/: one's own profile, skills, availability, private details, tokens, data."""

from __future__ import annotations

import json
from collections import defaultdict

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from mutua.communities.selectors import community_list, skill_list
from mutua.core.errors import DomainError
from mutua.people.forms import (
    AccountDeleteForm,
    ApiTokenForm,
    PrivateDetailsForm,
    ProfileForm,
    SkillsForm,
    availability_formset,
)
from mutua.people.language import remember_language
from mutua.people.models import Profile, SensitiveDetails
from mutua.people.selectors import api_token_list, profile_for
from mutua.people.services import (
    account_delete,
    account_export,
    api_token_create,
    api_token_revoke,
    availability_set,
    phone_reported_wrong,
    profile_clear_quiet_hours,
    profile_ensure,
    profile_set_skills,
    profile_update,
    sensitive_read,
    sensitive_update,
)
from mutua.web.forms import show_domain_error

NEW_TOKEN_SESSION_KEY = "mutua_new_api_token"


def _my_profile(request: HttpRequest) -> Profile:
    try:
        return profile_for(user=request.user)
    except Profile.DoesNotExist:  # accounts made outside sign-up (createsuperuser)
        profile_ensure(user=request.user)
        return profile_for(user=request.user)


@login_required
@require_http_methods(["GET", "POST"])
def profile(request: HttpRequest) -> HttpResponse:
    me = _my_profile(request)
    if request.method == "POST":
        form = ProfileForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                profile_update(
                    user=request.user,
                    display_name=data["display_name"],
                    bio=data["bio"],
                    languages=data["languages"],
                    free_tags=form.tags(),
                    capacity_status=data["capacity_status"],
                    break_until=data["break_until"],
                    has_car=data["has_car"],
                    has_accessible_vehicle=data["has_accessible_vehicle"],
                    has_pets=data["has_pets"],
                    gender=data["gender"],
                    preferred_channel=data["preferred_channel"],
                    quiet_hours_start=data["quiet_hours_start"],
                    quiet_hours_end=data["quiet_hours_end"],
                    preferred_language=data["preferred_language"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                if data["quiet_hours_start"] is None and data["quiet_hours_end"] is None:
                    profile_clear_quiet_hours(user=request.user)
                messages.success(request, _("Your profile is saved."))
                # Show the pages in the language just chosen for messages.
                return remember_language(redirect("people:profile"), data["preferred_language"])
    else:
        form = ProfileForm(
            initial={
                "display_name": me.display_name,
                "bio": me.bio,
                "languages": me.languages,
                "free_tags": ", ".join(me.free_tags),
                "capacity_status": me.capacity_status,
                "break_until": me.break_until,
                "has_car": me.has_car,
                "has_accessible_vehicle": me.has_accessible_vehicle,
                "has_pets": me.has_pets,
                "gender": me.gender,
                "preferred_channel": me.preferred_channel,
                "quiet_hours_start": me.quiet_hours_start,
                "quiet_hours_end": me.quiet_hours_end,
                "preferred_language": me.preferred_language,
            }
        )
    return render(
        request, "people/profile.html", {"form": form, "profile": me, "section": "profile"}
    )


@login_required
@require_http_methods(["GET", "POST"])
def skills(request: HttpRequest) -> HttpResponse:
    # Shared taxonomy first, then each of my communities' own skills.
    sources = [(_("Skills everyone shares"), list(skill_list(community=None)))]
    for community in community_list(viewer=request.user, mine=True).order_by("name"):
        own = [s for s in skill_list(community=community) if s.community_id == community.pk]
        if own:
            sources.append((community.name, own))
    sources = [(heading, group) for heading, group in sources if group]
    skill_ids = [s.pk for _name, group in sources for s in group]
    if request.method == "POST":
        form = SkillsForm(request.POST, skill_ids=skill_ids)
        if form.is_valid():
            try:
                profile_set_skills(user=request.user, skill_ids=form.cleaned_data["skills"])
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("Your skills are saved."))
                return redirect("people:skills")
        chosen = {int(v) for v in request.POST.getlist("skills") if v.isdigit()}
    else:
        form = SkillsForm(skill_ids=skill_ids)
        chosen = {ps.skill_id for ps in _my_profile(request).profile_skills.all()}
    groups = []
    for heading, group in sources:
        by_category: dict[str, list] = defaultdict(list)
        for skill in group:
            by_category[skill.category_label or _("Other")].append(skill)
        groups.append(
            (
                heading,
                sorted((c, sorted(ss, key=lambda s: s.label)) for c, ss in by_category.items()),
            )
        )
    return render(
        request,
        "people/skills.html",
        {"form": form, "groups": groups, "chosen": chosen, "section": "skills"},
    )


@login_required
@require_http_methods(["GET", "POST"])
def availability(request: HttpRequest) -> HttpResponse:
    page_errors: list[str] = []
    if request.method == "POST":
        formset = availability_formset(request.POST)
        if formset.is_valid():
            windows = [w for f in formset.forms if (w := f.window()) is not None]
            try:
                availability_set(user=request.user, windows=windows)
            except DomainError as exc:
                page_errors = [m for ms in exc.field_errors.values() for m in ms] or [exc.message]
            else:
                messages.success(request, _("Your weekly availability is saved."))
                return redirect("people:availability")
    else:
        current = [(w.weekday, w.start, w.end) for w in _my_profile(request).availability.all()]
        formset = availability_formset(windows=current)
    return render(
        request,
        "people/availability.html",
        {"formset": formset, "page_errors": page_errors, "section": "availability"},
    )


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def private_details(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = PrivateDetailsForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                sensitive_update(
                    user=request.user,
                    address=data["address"],
                    phone=data["phone"],
                    access_notes=data["access_notes"],
                    health_notes=data["health_notes"],
                    health_consent=data["health_consent"],
                )
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                messages.success(request, _("Your private details are saved."))
                return redirect("people:private")
    else:
        values = sensitive_read(viewer=request.user, person=request.user)
        consent = SensitiveDetails.objects.filter(
            user=request.user, health_consent_at__isnull=False
        ).exists()
        form = PrivateDetailsForm(initial={**values, "health_consent": consent})
    context = {
        "form": form,
        "section": "private",
        "phone_wrong": phone_reported_wrong(request.user),
    }
    return render(request, "people/private.html", context)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def tokens(request: HttpRequest) -> HttpResponse:
    new_secret = None
    if request.method == "POST":
        form = ApiTokenForm(request.POST)
        if form.is_valid():
            try:
                _token, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                # Kept in the session only until the next page shows it, once.
                request.session[NEW_TOKEN_SESSION_KEY] = secret
                messages.success(request, _("Your new token is ready."))
                return redirect("people:tokens")
    else:
        form = ApiTokenForm()
        new_secret = request.session.pop(NEW_TOKEN_SESSION_KEY, None)
    return render(
        request,
        "people/tokens.html",
        {
            "form": form,
            "tokens": api_token_list(user=request.user),
            "new_secret": new_secret,
            "section": "tokens",
        },
    )


@login_required
@require_POST
def token_revoke(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        token = api_token_revoke(user=request.user, public_id=public_id)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The token “%(name)s” no longer works.") % {"name": token.name})
    return redirect("people:tokens")


@login_required
@never_cache
@require_GET
def export(request: HttpRequest) -> HttpResponse:
    data = account_export(user=request.user)
    response = HttpResponse(
        json.dumps(data, indent=2, ensure_ascii=False), content_type="application/json"
    )
    filename = f"mutua-export-{timezone.localdate().isoformat()}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@login_required
@require_http_methods(["GET", "POST"])
def delete(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = AccountDeleteForm(request.POST, email=request.user.email)
        if form.is_valid():
            try:
                account_delete(user=request.user)
            except DomainError as exc:
                show_domain_error(form, exc)
            else:
                logout(request)
                messages.success(
                    request, _("Your account is deleted. Thank you for being part of Mutua.")
                )
                return redirect("web:dashboard")
    else:
        form = AccountDeleteForm(email=request.user.email)
    return render(request, "people/delete.html", {"form": form, "section": "data"})
