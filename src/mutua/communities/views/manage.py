"""Pages coordinators and stewards use to run a community; every write goes through a service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities import selectors, services
from mutua.communities.forms import (
    AreaForm,
    AuditFilterForm,
    BulkInvitationForm,
    CommunitySettingsForm,
    CustomRoleForm,
    DecisionForm,
    InvitationForm,
    MemberRoleAssignForm,
    SkillForm,
    show_domain_error,
)
from mutua.communities.views.common import (
    ACTION_WORDS,
    PERMISSION_LABELS,
    community_context,
    community_page,
    paginate,
)
from mutua.core.errors import DomainError
from mutua.core.permissions import require


def _session_key(community, what: str) -> str:
    return f"communities:{community.pk}:{what}"


def invitation_status(invitation, now) -> tuple[str, str]:
    if invitation.revoked_at:
        return "revoked", _("Withdrawn")
    if invitation.used_at:
        return "used", _("Used")
    if invitation.expires_at <= now:
        return "expired", _("Expired")
    return "pending", _("Waiting")


def _render_invitations(request, community, status=200, **forms):
    invitations = selectors.invitation_list(viewer=request.user, community=community)
    page = paginate(request, invitations)
    now = timezone.now()
    for inv in page:
        inv.status_code, inv.status_label = invitation_status(inv, now)
    context = community_context(
        request,
        community,
        page=page,
        form=forms.get("form") or InvitationForm(),
        bulk_form=forms.get("bulk_form") or BulkInvitationForm(),
        new_link=request.session.pop(_session_key(community, "link"), None),
        bulk_report=request.session.pop(_session_key(community, "bulk"), None),
    )
    return render(request, "communities/invitations.html", context, status=status)


@community_page()
def invitations(request, community):
    if request.method != "POST":
        return _render_invitations(request, community)
    form = InvitationForm(request.POST)
    if not form.is_valid():
        return _render_invitations(request, community, status=400, form=form)
    try:
        invitation, token = services.invitation_create(
            actor=request.user, community=community, **form.cleaned_data
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_invitations(request, community, status=exc.status, form=form)
    if invitation.email:
        messages.success(
            request, _("The invitation is on its way to %(email)s.") % {"email": invitation.email}
        )
    else:
        url = request.build_absolute_uri(reverse("communities:join_invitation", args=[token]))
        request.session[_session_key(community, "link")] = url
        messages.success(request, _("Here is the link. Copy it now: it is shown only once."))
    return redirect("communities:invitations", slug=community.slug)


@require_POST
@community_page()
def invitation_bulk(request, community):
    form = BulkInvitationForm(request.POST, request.FILES)
    if not form.is_valid():
        return _render_invitations(request, community, status=400, bulk_form=form)
    try:
        report = services.invitation_bulk(
            actor=request.user,
            community=community,
            text=form.cleaned_data["text"],
            days=form.cleaned_data["days"],
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_invitations(request, community, status=exc.status, bulk_form=form)
    request.session[_session_key(community, "bulk")] = {
        "sent": report.sent,
        "refused": [[address, str(reason)] for address, reason in report.refused],
    }
    messages.success(request, _("%(n)d invitations sent.") % {"n": len(report.sent)})
    return redirect("communities:invitations", slug=community.slug)


@require_POST
@community_page()
def invitation_revoke(request, community, public_id):
    invitation = (
        selectors.invitation_list(viewer=request.user, community=community)
        .filter(public_id=public_id)
        .first()
    )
    if invitation is None:
        raise Http404
    try:
        services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("The invitation is withdrawn."))
    return redirect("communities:invitations", slug=community.slug)


def _render_applications(request, community, status=200, failed=None):
    pending = list(selectors.application_list(viewer=request.user, community=community))
    rows = []
    for application in pending:
        if failed and failed[0] == application.public_id:
            form = failed[1]
        else:
            form = DecisionForm(auto_id=f"app-{application.public_id}-%s")
        rows.append((application, form))
    context = community_context(request, community, rows=rows)
    return render(request, "communities/applications.html", context, status=status)


@community_page()
def applications(request, community):
    return _render_applications(request, community)


@require_POST
@community_page()
def application_decide(request, community, public_id):
    application = (
        selectors.application_list(viewer=request.user, community=community)
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise Http404
    form = DecisionForm(request.POST, auto_id=f"app-{public_id}-%s")
    if not form.is_valid():
        return _render_applications(request, community, 400, (public_id, form))
    approve = form.cleaned_data["decision"] == "approve"
    try:
        services.application_decide(
            actor=request.user,
            application=application,
            approve=approve,
            reason=form.cleaned_data["reason"],
        )
    except DomainError as exc:
        show_domain_error(form, exc)
        return _render_applications(request, community, exc.status, (public_id, form))
    messages.success(
        request,
        _("Approved. We sent them a welcome.") if approve else _("Declined. We told them why."),
    )
    return redirect("communities:applications", slug=community.slug)


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


@community_page()
def areas(request, community):
    require(request.user, "area.manage", community)
    area_qs = selectors.area_list(community=community)
    form = AreaForm(request.POST if request.method == "POST" else None, areas=area_qs)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.area_create(actor=request.user, community=community, **form.cleaned_data)
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The area is added."))
                return redirect("communities:areas", slug=community.slug)
    context = community_context(request, community, form=form, tree=area_tree(area_qs))
    return render(request, "communities/areas.html", context, status=status)


@community_page()
def skills(request, community):
    require(request.user, "skill.manage", community)
    form = SkillForm(request.POST if request.method == "POST" else None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.skill_add(actor=request.user, community=community, **form.cleaned_data)
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The skill is added."))
                return redirect("communities:skills", slug=community.slug)
    context = community_context(
        request, community, form=form, skills=selectors.skill_list(community=community)
    )
    return render(request, "communities/skills.html", context, status=status)


def _render_roles(request, community, status=200, **forms):
    roles = selectors.custom_role_list(community=community)
    members = selectors.member_roster(viewer=request.user, community=community)
    context = community_context(
        request,
        community,
        roles=[(r, [PERMISSION_LABELS.get(p, p) for p in r.permissions]) for r in roles],
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


@community_page()
def community_settings(request, community):
    require(request.user, "community.edit", community)
    initial = {f: getattr(community, f) for f in services.COMMUNITY_FIELDS}
    initial["application_questions"] = "\n".join(community.application_questions or [])
    form = CommunitySettingsForm(
        request.POST if request.method == "POST" else None, initial=initial
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.community_update(
                    actor=request.user, community=community, **form.cleaned_data
                )
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The settings are saved."))
                return redirect("communities:settings", slug=community.slug)
    context = community_context(request, community, form=form)
    return render(request, "communities/settings.html", context, status=status)


@community_page()
def audit(request, community):
    form = AuditFilterForm(request.GET or None, actions=sorted(ACTION_WORDS.items()))
    action = form.cleaned_data["action"] if form.is_bound and form.is_valid() else ""
    entries = selectors.audit_list(viewer=request.user, community=community, action=action)
    page = paginate(request, entries)
    for entry in page:
        entry.words = ACTION_WORDS.get(entry.action, entry.action)
        entry.changes = [
            (key, entry.before.get(key, ""), entry.after.get(key, ""))
            for key in dict.fromkeys([*entry.before, *entry.after])
        ]
    query = request.GET.copy()
    query.pop("page", None)
    context = community_context(request, community, form=form, page=page, query=query.urlencode())
    return render(request, "communities/audit.html", context)
