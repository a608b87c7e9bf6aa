"""Pages any member or visitor uses: finding, starting, joining and leaving a community."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities import selectors, services
from mutua.communities.forms import (
    ApplicationForm,
    CommunityCreateForm,
    LocationForm,
    MyMembershipForm,
)
from mutua.communities.views.common import community_context, community_page
from mutua.core.errors import DomainError
from mutua.core.permissions import require
from mutua.web.forms import show_domain_error


def community_list(request):
    viewer = request.user if request.user.is_authenticated else None
    mine = list(selectors.community_list(viewer=viewer, mine=True))
    others = selectors.community_list(viewer=viewer).exclude(pk__in=[c.pk for c in mine])
    return render(request, "communities/list.html", {"mine": mine, "others": others})


@login_required
def community_create(request):
    form = CommunityCreateForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                community = services.community_create(creator=request.user, **form.cleaned_data)
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Your community is ready. You are its steward."))
                return redirect("communities:detail", slug=community.slug)
    return render(request, "communities/create.html", {"form": form}, status=status)


@community_page(login=False)
def community_detail(request, community):
    context = community_context(
        request,
        community,
        member_count=selectors.community_member_count(community=community),
        areas=selectors.area_list(community=community),
    )
    if context["my_membership"] is None and community.join_policy == "application":
        context["application_form"] = ApplicationForm(
            questions=community.application_questions or []
        )
    return render(request, "communities/detail.html", context)


@require_POST
@community_page()
def community_join(request, community):
    try:
        services.membership_join(user=request.user, community=community)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("Welcome! You are now a member of %(name)s.") % {"name": community.name}
        )
    return redirect("communities:detail", slug=community.slug)


@community_page()
def community_apply(request, community):
    form = ApplicationForm(
        request.POST if request.method == "POST" else None,
        questions=community.application_questions or [],
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.application_submit(
                    user=request.user, community=community, answers=form.answers()
                )
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(
                    request, _("Thank you. The coordinators will read your application soon.")
                )
                return redirect("communities:detail", slug=community.slug)
    context = community_context(request, community, form=form)
    return render(request, "communities/apply.html", context, status=status)


@community_page()
def community_leave(request, community):
    error, status = "", 200
    if request.method == "POST":
        try:
            services.membership_leave(user=request.user, community=community)
        except DomainError as exc:
            error, status = exc.message, exc.status
        else:
            messages.success(request, _("You have left %(name)s.") % {"name": community.name})
            return redirect("communities:list")
    context = community_context(request, community, error=error)
    return render(request, "communities/leave.html", context, status=status)


@community_page()
def my_membership(request, community):
    membership = require(request.user, "community.view", community)
    areas = selectors.area_list(community=community)
    initial = {
        "service_area": membership.service_area_id,
        "listed_in_directory": membership.listed_in_directory,
        "is_vulnerable": membership.is_vulnerable,
    }
    form = MyMembershipForm(
        request.POST if request.method == "POST" else None, initial=initial, areas=areas
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.membership_update_self(
                    user=request.user, community=community, **form.cleaned_data
                )
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("Your choices are saved."))
                return redirect("communities:my_membership", slug=community.slug)
    context = community_context(
        request, community, form=form, membership=membership, location_form=LocationForm()
    )
    return render(request, "communities/my_membership.html", context, status=status)


@require_POST
@community_page()
def my_location(request, community):
    membership = require(request.user, "community.view", community)
    form = LocationForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, _("Your browser did not send a location. Choosing an area is enough.")
        )
        return redirect("communities:my_membership", slug=community.slug)
    try:
        services.membership_set_location(
            actor=request.user, membership=membership, **form.cleaned_data
        )
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Your approximate location is saved."))
    return redirect("communities:my_membership", slug=community.slug)


def join_invitation(request, token: str):
    """GET shows the invitation; only a POST by a signed-in person accepts it."""
    try:
        invitation = services.invitation_lookup(token)
    except DomainError as exc:
        return render(
            request, "communities/join_invitation.html", {"error": exc.message}, status=exc.status
        )
    context = {"invitation": invitation, "community": invitation.community}
    if request.method == "POST":
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        try:
            services.invitation_accept(user=request.user, token=token)
        except DomainError as exc:
            context["error"] = exc.message
            return render(request, "communities/join_invitation.html", context, status=exc.status)
        messages.success(
            request,
            _("Welcome! You are now a member of %(name)s.") % {"name": invitation.community.name},
        )
        return redirect("communities:detail", slug=invitation.community.slug)
    return render(request, "communities/join_invitation.html", context)
