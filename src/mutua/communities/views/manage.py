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
    BulkInvitationForm,
    CommunitySettingsForm,
    DecisionForm,
    InvitationForm,
)
from mutua.communities.views.common import (
    community_context,
    community_page,
    is_partial,
    paginate,
)
from mutua.core.errors import DomainError
from mutua.core.permissions import require
from mutua.web.forms import show_domain_error


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
    """Withdraw; with htmx the row is replaced in place, without it the page reloads."""
    invitation = (
        selectors.invitation_list(viewer=request.user, community=community)
        .filter(public_id=public_id)
        .first()
    )
    if invitation is None:
        raise Http404
    error = ""
    try:
        invitation = services.invitation_revoke(actor=request.user, invitation=invitation)
    except DomainError as exc:
        error = exc.message
    if is_partial(request):
        invitation.status_code, invitation.status_label = invitation_status(
            invitation, timezone.now()
        )
        context = community_context(
            request,
            community,
            inv=invitation,
            notice=error or _("The invitation is withdrawn."),
        )
        return render(request, "communities/_invitation_row.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The invitation is withdrawn."))
    return redirect("communities:invitations", slug=community.slug)


def _application_form(application, data=None) -> DecisionForm:
    return DecisionForm(data, auto_id=f"app-{application.public_id}-%s")


def _render_applications(request, community, status=200, failed=None):
    pending = list(selectors.application_list(viewer=request.user, community=community))
    rows = []
    for application in pending:
        if failed and failed[0] == application.public_id:
            form = failed[1]
        else:
            form = _application_form(application)
        rows.append((application, form))
    context = community_context(request, community, rows=rows)
    return render(request, "communities/applications.html", context, status=status)


def _application_partial(request, community, application, *, form=None, done="", status=200):
    context = community_context(request, community, application=application, form=form, done=done)
    return render(request, "communities/_application.html", context, status=status)


@community_page()
def applications(request, community):
    return _render_applications(request, community)


@require_POST
@community_page()
def application_decide(request, community, public_id):
    """Approve or decline; with htmx only that application's card is replaced."""
    application = (
        selectors.application_list(viewer=request.user, community=community)
        .filter(public_id=public_id)
        .first()
    )
    if application is None:
        raise Http404
    partial = is_partial(request)
    form = _application_form(application, request.POST)
    if not form.is_valid():
        if partial:
            return _application_partial(request, community, application, form=form, status=400)
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
        if partial:
            return _application_partial(
                request, community, application, form=form, status=exc.status
            )
        return _render_applications(request, community, exc.status, (public_id, form))
    done = _("Approved. We sent them a welcome.") if approve else _("Declined. We told them why.")
    if partial:
        return _application_partial(request, community, application, done=done)
    messages.success(request, done)
    return redirect("communities:applications", slug=community.slug)


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
