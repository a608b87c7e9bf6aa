"""Changing a need after posting: its public part, and its private details apart."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_page
from mutua.core.errors import DomainError, PermissionDenied
from mutua.exchange import selectors, services
from mutua.exchange.forms import NeedEditForm, NeedPrivateForm
from mutua.exchange.models import LIVE_NEED_STATUSES, NeedPrivate
from mutua.exchange.services.common import is_coordinator
from mutua.exchange.views.common import (
    area_by_slug,
    areas_and_skills,
    categories_of,
    ctx,
    place_error,
)


def _edit_initial(need) -> dict:
    return {
        "title": need.title,
        "description": need.description,
        "kind": need.kind,
        "category": need.category,
        "urgency": need.urgency,
        "starts_at": need.starts_at,
        "ends_at": need.ends_at,
        "service_area": need.service_area.slug if need.service_area else "",
        "helpers_wanted": need.helpers_wanted,
        "skills": [str(s.pk) for s in need.skills.all()],
        "languages": need.languages,
        "requirements": need.requirements,
        "gender_wanted": need.gender_wanted,
        "allow_self_assign": need.allow_self_assign,
    }


def _form(request, community, need, data=None) -> NeedEditForm:
    areas, skills = areas_and_skills(community)
    return NeedEditForm(
        data,
        initial=_edit_initial(need),
        areas=areas,
        skills=skills,
        coordinator=is_coordinator(request.user, community),
        categories=categories_of(community),
        category=need.category,
    )


def _private_initial(need) -> dict:
    # The caller has passed need_get_for_edit: the person or a coordinator.
    return (
        NeedPrivate.objects.filter(need=need)
        .values("address", "access_notes", "contact_phone")
        .first()
        or {}
    )


def _edit_page(request, community, need, *, form=None, private_form=None, status=200):
    if form is None:
        form = _form(request, community, need)
    if private_form is None:
        private_form = NeedPrivateForm(initial=_private_initial(need), prefix="private")
    context = ctx(
        request,
        community,
        form=form,
        private_form=private_form,
        need=need,
        is_live=need.status in LIVE_NEED_STATUSES,
    )
    return render(request, "exchange/need_edit.html", context, status=status)


@community_page()
def need_edit(request, community, public_id):
    """The person or a coordinator changes what a need says (the service decides who may)."""
    need = selectors.need_get_for_edit(
        viewer=request.user, public_id=public_id, community=community
    )
    form = _form(request, community, need, request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["service_area"] = area_by_slug(community, data.pop("service_area"))
        data["skill_ids"] = [int(s) for s in data.pop("skills")]
        data["requirements"] = list(data["requirements"])
        data["languages"] = list(data["languages"])
        data.setdefault("gender_wanted", need.gender_wanted)  # only coordinators see the field
        try:
            services.need_edit(actor=request.user, need=need, **data)
        except PermissionDenied:
            raise
        except DomainError as exc:
            place_error(form, exc)
        else:
            messages.success(request, _("The need is updated."))
            return redirect("exchange:need_detail", community.slug, need.public_id)
    return _edit_page(request, community, need, form=form)


@require_POST
@community_page()
def need_private_edit(request, community, public_id):
    """The person or a coordinator changes the need's private details (a form on the edit page)."""
    need = selectors.need_get_for_edit(
        viewer=request.user, public_id=public_id, community=community
    )
    form = NeedPrivateForm(request.POST, prefix="private")
    if form.is_valid():
        try:
            services.need_private_set(actor=request.user, need=need, **form.cleaned_data)
        except PermissionDenied:
            raise
        except DomainError as exc:
            place_error(form, exc)
            return _edit_page(request, community, need, private_form=form, status=exc.status)
        messages.success(request, _("The private details are saved."))
        return redirect("exchange:need_detail", community.slug, need.public_id)
    return _edit_page(request, community, need, private_form=form, status=422)
