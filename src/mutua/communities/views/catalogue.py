"""Pages for what a community defines for itself: areas, skills and custom roles.

Each can be added, changed and deleted; every write goes through a service and is audit-logged.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from mutua.communities import selectors, services
from mutua.communities.forms import (
    AreaForm,
    CustomRoleForm,
    MemberRoleAssignForm,
    SkillForm,
)
from mutua.communities.views.common import (
    PERMISSION_LABELS,
    community_context,
    community_page,
)
from mutua.core.errors import DomainError
from mutua.core.permissions import require
from mutua.web.forms import show_domain_error


def area_tree(areas) -> list[tuple[object, int]]:
    """Areas in reading order with their depth, parents before their children."""
    children: dict[int | None, list] = {}
    for area in areas:
        children.setdefault(area.parent_id, []).append(area)
    out: list[tuple[object, int]] = []

    def walk(parent_id, depth):
        for area in children.get(parent_id, []):
            out.append((area, depth))
            if depth < 20:
                walk(area.pk, depth + 1)

    walk(None, 0)
    return out


def _edit_page(request, community, *, heading, form, back, delete_url, delete_label, status=200):
    context = community_context(
        request,
        community,
        heading=heading,
        form=form,
        back=back,
        delete_url=delete_url,
        delete_label=delete_label,
    )
    return render(request, "communities/edit_item.html", context, status=status)


def _submit(request, form, save, done: str, back: str):
    """Handle a POST of `form`: save its data through the service, then go `back` saying
    `done`. Returns (redirect, 200), or (None, status) to show the form again: 200 for a GET,
    400 when invalid, the refusal's status with its messages placed on the form."""
    if request.method != "POST":
        return None, 200
    if not form.is_valid():
        return None, 400
    try:
        save(form.cleaned_data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return None, exc.status
    messages.success(request, done)
    return redirect(back), 200


def _delete(request, community, action, done: str, back: str):
    """POST only: delete, then say what happened or why not (what still uses it)."""
    try:
        outcome = action()
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, done(outcome) if callable(done) else done)
    return redirect(back)


# ---- Areas -------------------------------------------------------------------------------------


@community_page()
def areas(request, community):
    require(request.user, "area.manage", community)
    area_qs = selectors.area_list(community=community)
    form = AreaForm(request.POST if request.method == "POST" else None, areas=area_qs)
    response, status = _submit(
        request,
        form,
        lambda data: services.area_create(actor=request.user, community=community, **data),
        _("The area is added."),
        reverse("communities:areas", args=[community.slug]),
    )
    if response is not None:
        return response
    context = community_context(request, community, form=form, tree=area_tree(area_qs))
    return render(request, "communities/areas.html", context, status=status)


@community_page()
def area_edit(request, community, area):
    require(request.user, "area.manage", community)
    area = selectors.area_get(community=community, slug=area)
    others = selectors.area_list(community=community).exclude(pk=area.pk)
    initial = {
        "name": area.name,
        "parent": area.parent_id,
        "centre_lat": area.centre_lat,
        "centre_lon": area.centre_lon,
    }
    form = AreaForm(
        request.POST if request.method == "POST" else None, initial=initial, areas=others
    )
    response, status = _submit(
        request,
        form,
        lambda data: services.area_update(actor=request.user, area=area, **data),
        _("The area is saved."),
        reverse("communities:areas", args=[community.slug]),
    )
    if response is not None:
        return response
    return _edit_page(
        request,
        community,
        heading=_("Change the area “%(name)s”") % {"name": area.name},
        form=form,
        back=reverse("communities:areas", args=[community.slug]),
        delete_url=reverse("communities:area_delete", args=[community.slug, area.slug]),
        delete_label=_("Delete this area"),
        status=status,
    )


@require_POST
@community_page()
def area_delete(request, community, area):
    area = selectors.area_get(community=community, slug=area)
    return _delete(
        request,
        community,
        lambda: services.area_delete(actor=request.user, area=area),
        _("The area is deleted."),
        reverse("communities:areas", args=[community.slug]),
    )


# ---- Skills ------------------------------------------------------------------------------------


@community_page()
def skills(request, community):
    require(request.user, "skill.manage", community)
    form = SkillForm(request.POST if request.method == "POST" else None)
    response, status = _submit(
        request,
        form,
        lambda data: services.skill_add(actor=request.user, community=community, **data),
        _("The skill is added."),
        reverse("communities:skills", args=[community.slug]),
    )
    if response is not None:
        return response
    context = community_context(
        request, community, form=form, skills=selectors.skill_list(community=community)
    )
    return render(request, "communities/skills.html", context, status=status)


@community_page()
def skill_edit(request, community, skill):
    require(request.user, "skill.manage", community)
    skill = selectors.own_skill_get(community=community, slug=skill)
    initial = {"name": skill.name, "category": skill.category}
    form = SkillForm(request.POST if request.method == "POST" else None, initial=initial)
    response, status = _submit(
        request,
        form,
        lambda data: services.skill_update(actor=request.user, skill=skill, **data),
        _("The skill is saved."),
        reverse("communities:skills", args=[community.slug]),
    )
    if response is not None:
        return response
    return _edit_page(
        request,
        community,
        heading=_("Change the skill “%(name)s”") % {"name": skill.name},
        form=form,
        back=reverse("communities:skills", args=[community.slug]),
        delete_url=reverse("communities:skill_delete", args=[community.slug, skill.slug]),
        delete_label=_("Delete this skill"),
        status=status,
    )


@require_POST
@community_page()
def skill_delete(request, community, skill):
    skill = selectors.own_skill_get(community=community, slug=skill)

    def done(holders: int) -> str:
        return ngettext(
            "The skill is deleted. %(n)d member had listed it.",
            "The skill is deleted. %(n)d members had listed it.",
            holders,
        ) % {"n": holders}

    return _delete(
        request,
        community,
        lambda: services.skill_delete(actor=request.user, skill=skill),
        done,
        reverse("communities:skills", args=[community.slug]),
    )


# ---- Custom roles ------------------------------------------------------------------------------


def _render_roles(request, community, status=200, **forms):
    roles = selectors.custom_role_list(community=community)
    members = selectors.member_roster(viewer=request.user, community=community)
    context = community_context(
        request,
        community,
        roles=[
            (
                r,
                services.custom_role_slug(r.name),
                [PERMISSION_LABELS.get(p, p) for p in r.permissions],
            )
            for r in roles
        ],
        form=forms.get("form") or CustomRoleForm(labels=PERMISSION_LABELS),
        assign_form=forms.get("assign_form") or MemberRoleAssignForm(roles=roles, members=members),
    )
    return render(request, "communities/roles.html", context, status=status)


@community_page()
def roles(request, community):
    require(request.user, "role.manage", community)
    if request.method != "POST":
        return _render_roles(request, community)
    form = CustomRoleForm(request.POST, labels=PERMISSION_LABELS)
    if not form.is_valid():
        return _render_roles(request, community, 400, form=form)
    try:
        services.custom_role_create(actor=request.user, community=community, **form.cleaned_data)
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_roles(request, community, exc.status, form=form)
    messages.success(request, _("The role is created."))
    return redirect("communities:roles", slug=community.slug)


def _role(community, slug):
    found = [
        r
        for r in selectors.custom_role_list(community=community)
        if services.custom_role_slug(r.name) == slug
    ]
    if len(found) != 1:
        raise Http404
    return found[0]


@community_page()
def role_edit(request, community, role):
    require(request.user, "role.manage", community)
    role = _role(community, role)
    initial = {"name": role.name, "permissions": role.permissions}
    form = CustomRoleForm(
        request.POST if request.method == "POST" else None,
        initial=initial,
        labels=PERMISSION_LABELS,
    )
    response, status = _submit(
        request,
        form,
        lambda data: services.custom_role_update(actor=request.user, role=role, **data),
        _("The role is saved."),
        reverse("communities:roles", args=[community.slug]),
    )
    if response is not None:
        return response
    slug = services.custom_role_slug(role.name)
    return _edit_page(
        request,
        community,
        heading=_("Change the role “%(name)s”") % {"name": role.name},
        form=form,
        back=reverse("communities:roles", args=[community.slug]),
        delete_url=reverse("communities:role_delete", args=[community.slug, slug]),
        delete_label=_("Delete this role"),
        status=status,
    )


@require_POST
@community_page()
def role_delete(request, community, role):
    role = _role(community, role)

    def done(holders: int) -> str:
        return ngettext(
            "The role is deleted. %(n)d member no longer holds it.",
            "The role is deleted. %(n)d members no longer hold it.",
            holders,
        ) % {"n": holders}

    return _delete(
        request,
        community,
        lambda: services.custom_role_delete(actor=request.user, role=role),
        done,
        reverse("communities:roles", args=[community.slug]),
    )


@require_POST
@community_page()
def role_assign(request, community):
    require(request.user, "role.manage", community)
    form = MemberRoleAssignForm(
        request.POST,
        roles=selectors.custom_role_list(community=community),
        members=selectors.member_roster(viewer=request.user, community=community),
    )
    if not form.is_valid():
        return _render_roles(request, community, 400, assign_form=form)
    data = form.cleaned_data
    try:
        services.custom_role_assign(
            actor=request.user,
            membership=data["member"],
            role=data["role"],
            granted=data["granted"],
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_roles(request, community, exc.status, assign_form=form)
    messages.success(request, _("The custom role is updated."))
    return redirect("communities:roles", slug=community.slug)
