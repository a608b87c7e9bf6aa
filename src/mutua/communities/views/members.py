"""The members' directory, a member's page with coordinators' controls, roster and call list."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import get_language_info
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities import selectors, services
from mutua.communities.forms import (
    AttributesForm,
    CustomRoleAssignForm,
    DirectoryFilterForm,
    MemberLocationForm,
    ReasonForm,
    RoleForm,
)
from mutua.communities.views.common import (
    community_context,
    community_page,
    is_partial,
    paginate,
)
from mutua.core.errors import DomainError
from mutua.people.services import sensitive_phones_read, sensitive_read
from mutua.web.forms import show_domain_error


def language_names(codes: list[str]) -> list[str]:
    names = []
    for code in codes or []:
        try:
            names.append(get_language_info(code)["name_translated"])
        except KeyError:
            names.append(code)
    return names


@community_page()
def directory(request, community):
    areas = selectors.area_list(community=community)
    skills = selectors.skill_list(community=community)
    form = DirectoryFilterForm(request.GET or None, areas=areas, skills=skills)
    filters = {}
    if form.is_bound and form.is_valid():
        filters = {k: v for k, v in form.cleaned_data.items() if v}
    members = selectors.member_directory(viewer=request.user, community=community, **filters)
    page = paginate(request, members)
    for m in page:
        m.language_names = language_names(m.user.profile.languages)
    query = request.GET.copy()
    query.pop("page", None)
    context = community_context(request, community, form=form, page=page, query=query.urlencode())
    if is_partial(request):  # the filter form asked for the results only
        return render(request, "communities/_directory_results.html", context)
    return render(request, "communities/directory.html", context)


def _member_forms(request, community, membership, **bound) -> dict:
    """Fresh forms for the controls the viewer's role offers (services still decide)."""
    ctx = community_context(request, community)
    can = ctx["can"]
    callers_only = not can["member_change_role"]
    forms: dict = {}
    if can["member_change_role"] or (
        can["member_set_caller"] and membership.role in ("member", "caller")
    ):
        forms["role_form"] = RoleForm(initial={"role": membership.role}, callers_only=callers_only)
    if can["member_set_attributes"]:
        forms["attributes_form"] = AttributesForm(
            initial={
                "vetted_until": membership.vetted_until,
                "is_vulnerable": membership.is_vulnerable,
            }
        )
    if can["member_remove"]:
        forms["remove_form"] = ReasonForm()
    if can["member_set_location"]:
        forms["location_form"] = MemberLocationForm()
    if can["role_manage"]:
        forms["custom_role_form"] = CustomRoleAssignForm(
            roles=selectors.custom_role_list(community=community)
        )
    forms.update(bound)
    return {**ctx, **forms}


def _render_member(request, community, membership, status=200, private=None, **bound):
    context = _member_forms(request, community, membership, **bound)
    context.update(
        member=membership,
        profile=membership.user.profile,
        language_names=language_names(membership.user.profile.languages),
        skills=[ps.skill for ps in membership.user.profile.profile_skills.all()],
        is_me=membership.user_id == request.user.pk,
        private=private,
    )
    return render(request, "communities/member.html", context, status=status)


def _member(request, community, public_id):
    return selectors.member_get(viewer=request.user, community=community, public_id=public_id)


@community_page()
def member_detail(request, community, public_id):
    return _render_member(request, community, _member(request, community, public_id))


def _member_action(request, community, public_id, form, form_name, action, done):
    """Shared POST handling for the controls on a member's page."""
    membership = _member(request, community, public_id)
    if form.is_valid():
        try:
            action(membership, form.cleaned_data)
        except DomainError as exc:
            show_domain_error(form, exc)
            return _render_member(
                request, community, membership, status=exc.status, **{form_name: form}
            )
        messages.success(request, done)
        return redirect("communities:member", slug=community.slug, public_id=public_id)
    return _render_member(request, community, membership, status=400, **{form_name: form})


@require_POST
@community_page()
def member_role(request, community, public_id):
    return _member_action(
        request,
        community,
        public_id,
        RoleForm(request.POST),
        "role_form",
        lambda m, d: services.membership_change_role(
            actor=request.user, membership=m, role=d["role"]
        ),
        _("The role is changed."),
    )


@require_POST
@community_page()
def member_attributes(request, community, public_id):
    return _member_action(
        request,
        community,
        public_id,
        AttributesForm(request.POST),
        "attributes_form",
        lambda m, d: services.membership_set_attributes(actor=request.user, membership=m, **d),
        _("The details are saved."),
    )


@require_POST
@community_page()
def member_remove(request, community, public_id):
    return _member_action(
        request,
        community,
        public_id,
        ReasonForm(request.POST),
        "remove_form",
        lambda m, d: services.membership_remove(
            actor=request.user, membership=m, reason=d["reason"]
        ),
        _("The member is removed."),
    )


@require_POST
@community_page()
def member_custom_role(request, community, public_id):
    form = CustomRoleAssignForm(request.POST, roles=selectors.custom_role_list(community=community))
    return _member_action(
        request,
        community,
        public_id,
        form,
        "custom_role_form",
        lambda m, d: services.custom_role_assign(actor=request.user, membership=m, **d),
        _("The custom role is updated."),
    )


@require_POST
@community_page()
def member_private(request, community, public_id):
    """Private details are shown in answer to a POST only, and each read is audit-logged."""
    membership = _member(request, community, public_id)
    private = sensitive_read(
        viewer=request.user, person=membership.user, purpose="coordinator view", community=community
    )
    return _render_member(request, community, membership, private=private)


@community_page()
def roster(request, community):
    members = selectors.member_roster(viewer=request.user, community=community)
    context = community_context(request, community, page=paginate(request, members))
    return render(request, "communities/roster.html", context)


@require_POST
@community_page()
def member_location(request, community, public_id):
    """A coordinator sets a member's approximate location (snapped to the cell, audit-logged)."""
    return _member_action(
        request,
        community,
        public_id,
        MemberLocationForm(request.POST),
        "location_form",
        lambda m, d: services.membership_set_location(actor=request.user, membership=m, **d),
        _("The approximate location is saved."),
    )


CALL_LIST_PAGE = 50


@community_page()
def call_list(request, community):
    """A page of people to phone. Phones for the page come in one query, and each person on it
    is one audit entry, all written in one INSERT."""
    members = selectors.call_list(viewer=request.user, community=community)
    page = paginate(request, members, per_page=CALL_LIST_PAGE)
    phones = sensitive_phones_read(
        viewer=request.user, community=community, people=[m.user for m in page]
    )
    rows = [(m, phones.get(m.user_id, "")) for m in page]
    context = community_context(request, community, rows=rows, page=page)
    return render(request, "communities/call_list.html", context)
