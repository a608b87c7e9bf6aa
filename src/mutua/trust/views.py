"""Trust pages: my trust, vouching, blocking, concerns, the coordinators' overview, settings."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.models import Membership
from mutua.communities.views.common import community_context, community_page
from mutua.core.errors import DomainError, NotFound
from mutua.trust import configure, safeguarding, selectors, services
from mutua.trust.forms import ConcernForm, OutcomeForm, ReasonForm, TrustSettingsForm, VouchForm
from mutua.trust.models import Vouch
from mutua.web.forms import show_domain_error


def _membership(community, public_id: str) -> Membership:
    membership = (
        Membership.objects.select_related("user__profile", "community")
        .filter(community=community, public_id=public_id)
        .first()
    )
    if membership is None:
        raise NotFound(_("This member was not found."))
    return membership


def _back_to_member(community, membership):
    return redirect("communities:member", slug=community.slug, public_id=membership.public_id)


@community_page()
def my_trust(request, community):
    mine = selectors.my_trust(viewer=request.user, community=community)
    return render(request, "trust/mine.html", community_context(request, community, mine=mine))


@require_POST
@community_page()
def vouch(request, community, public_id):
    membership = _membership(community, public_id)
    form = VouchForm(request.POST)
    if form.is_valid():
        try:
            services.vouch_create(
                voucher=request.user,
                vouchee=membership.user,
                community=community,
                note=form.cleaned_data["note"],
            )
            messages.success(request, _("Thank you. Your vouch is recorded."))
        except DomainError as exc:
            messages.error(request, exc.message)
    return _back_to_member(community, membership)


@require_POST
@community_page()
def vouch_revoke(request, community, public_id):
    found = Vouch.objects.filter(community=community, public_id=public_id).first()
    if found is None:
        raise Http404
    services.vouch_revoke(actor=request.user, vouch=found)
    messages.success(request, _("Your vouch is withdrawn."))
    return redirect("trust:mine", slug=community.slug)


@require_POST
@community_page()
def block(request, community, public_id):
    membership = _membership(community, public_id)
    if request.POST.get("undo"):
        safeguarding.block_remove(user=request.user, other=membership.user)
        messages.success(request, _("You no longer block this person."))
    else:
        safeguarding.block_create(user=request.user, other=membership.user)
        messages.success(
            request, _("Blocked. You will not see each other's needs and offers any more.")
        )
    return _back_to_member(community, membership)


@community_page()
def concern(request, community):
    about_id = request.GET.get("about") or request.POST.get("about") or ""
    about = _membership(community, about_id).user if about_id else None
    form = ConcernForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            safeguarding.concern_report(
                reporter=request.user,
                community=community,
                text=form.cleaned_data["text"],
                about=about,
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. The coordinators will read this privately."))
            return redirect("trust:mine", slug=community.slug)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "trust/concern.html",
        community_context(request, community, form=form, about=about, about_id=about_id),
        status=status,
    )


@community_page()
def overview(request, community):
    data = selectors.trust_overview(viewer=request.user, community=community)
    queue = selectors.concern_queue(viewer=request.user, community=community)
    suspended = selectors.suspended_list(viewer=request.user, community=community)
    return render(
        request,
        "trust/overview.html",
        community_context(
            request,
            community,
            overview=data,
            concerns=queue,
            suspended=suspended,
            outcome_form=OutcomeForm(),
        ),
    )


@require_POST
@community_page()
def recompute(request, community):
    count = services.trust_recompute_request(actor=request.user, community=community)
    messages.success(request, _("Trust was computed for %(n)d members.") % {"n": count})
    return redirect("trust:overview", slug=community.slug)


@require_POST
@community_page()
def concern_review(request, community, public_id):
    found = selectors.concern_get(viewer=request.user, community=community, public_id=public_id)
    form = OutcomeForm(request.POST)
    if form.is_valid():
        try:
            safeguarding.concern_review(
                actor=request.user, concern=found, outcome=form.cleaned_data["outcome"]
            )
            messages.success(request, _("The review is recorded."))
        except DomainError as exc:
            messages.error(request, exc.message)
    else:
        messages.error(request, _("Please note what was done."))
    return redirect("trust:overview", slug=community.slug)


@require_POST
@community_page()
def suspend(request, community, public_id):
    membership = _membership(community, public_id)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please give a reason."))
        return _back_to_member(community, membership)
    try:
        safeguarding.membership_suspend(
            actor=request.user, membership=membership, reason=form.cleaned_data["reason"]
        )
        messages.success(request, _("The membership is suspended."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("trust:overview", slug=community.slug)


@require_POST
@community_page()
def unsuspend(request, community, public_id):
    membership = _membership(community, public_id)
    try:
        safeguarding.membership_unsuspend(actor=request.user, membership=membership)
        messages.success(request, _("The suspension is lifted."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("trust:overview", slug=community.slug)


@require_POST
@community_page()
def met_in_person(request, community, public_id):
    membership = _membership(community, public_id)
    met = request.POST.get("met") == "yes"
    # A refusal (not a coordinator, or recording oneself) is a 403 page with the reason.
    services.verification_set(
        actor=request.user, community=community, user=membership.user, met_in_person=met
    )
    messages.success(
        request,
        _("Saved: you met this person in person.")
        if met
        else _("Withdrawn: this person is no longer noted as met in person."),
    )
    return _back_to_member(community, membership)


@community_page()
def trust_settings(request, community):
    view = selectors.trust_settings_get(viewer=request.user, community=community)
    current = view.settings
    initial = {f: getattr(current, f) for f in configure.SETTING_FIELDS}
    form = TrustSettingsForm(
        request.POST or None, initial=initial, may_set_scoring=view.may_set_scoring
    )
    if request.method == "POST" and form.is_valid():
        try:
            configure.trust_settings_update(
                actor=request.user, community=community, **form.cleaned_data
            )
        except DomainError as exc:
            show_domain_error(form, exc)
        else:
            messages.success(request, _("The trust settings are saved."))
            return redirect("trust:settings", slug=community.slug)
    return render(
        request,
        "trust/settings.html",
        community_context(request, community, form=form, view=view),
        status=400 if request.method == "POST" else 200,
    )
