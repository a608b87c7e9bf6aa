"""Pages: dispatch plans (create, review, approve, discard), what a helper was asked and their
answer, the community's matching settings and a coordinator's renewal of an arrangement's term."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.selectors import area_list
from mutua.communities.views.common import community_context, community_page, paginate
from mutua.core.errors import DomainError, PermissionDenied
from mutua.exchange import selectors as exchange_selectors
from mutua.exchange.services import need_ask_helper
from mutua.matching import renewals, review, selectors, services, tuning
from mutua.matching.explanations import explain, reason_words
from mutua.matching.forms import ArrangementTermsForm, TuningForm
from mutua.web.forms import show_domain_error

ANSWERED_SHOWN = 20  # answered requests listed under the waiting ones


@community_page()
def plan_list(request, community):
    plans = selectors.dispatch_plan_list(viewer=request.user, community=community)
    context = community_context(
        request,
        community,
        page=paginate(request, plans),
        areas=list(area_list(community=community)),
    )
    return render(request, "matching/plan_list.html", context)


@require_POST
@community_page()
def plan_create(request, community):
    slug = request.POST.get("area", "")
    area = area_list(community=community).filter(slug=slug).first() if slug else None
    try:
        plan = services.dispatch_plan_create(actor=request.user, community=community, area=area)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("matching:plan_list", community.slug)
    return redirect("matching:plan_detail", community.slug, plan.public_id)


@community_page()
def plan_detail(request, community, public_id):
    plan = selectors.dispatch_plan_get(viewer=request.user, public_id=public_id)
    if plan.community_id != community.pk:
        from django.http import Http404

        raise Http404
    unmet = [{**u, "words": reason_words(u["reason"])} for u in plan.unmet]
    context = community_context(
        request, community, plan=plan, rows=selectors.plan_assignments(plan), unmet=unmet
    )
    return render(request, "matching/plan_detail.html", context)


@require_POST
@community_page()
def plan_review(request, community, public_id):
    plan = selectors.dispatch_plan_get(viewer=request.user, public_id=public_id)
    try:
        if request.POST.get("action") == "approve":
            services.dispatch_plan_approve(actor=request.user, plan=plan)
            messages.success(request, _("The plan is approved. The helpers are being asked."))
        else:
            services.dispatch_plan_discard(actor=request.user, plan=plan)
            messages.success(request, _("The plan was set aside. Nobody was asked."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("matching:plan_detail", community.slug, plan.public_id)


@community_page()
def assignment_review(request, community, public_id, assignment_id):
    """One proposed helper of a draft plan: take them off the plan, or swap them for another
    who fits (the alternatives, best first, with reasons)."""
    plan = selectors.dispatch_plan_get(viewer=request.user, public_id=public_id)
    if plan.community_id != community.pk:
        from django.http import Http404

        raise Http404
    row = selectors.assignment_for_review(viewer=request.user, plan=plan, public_id=assignment_id)
    error, status = "", 200
    if request.method == "POST":
        try:
            if request.POST.get("action") == "remove":
                review.plan_assignment_remove(actor=request.user, assignment=row)
                done = _("%(name)s is no longer proposed for this need.") % {"name": row.helper}
            else:
                helper = exchange_selectors.member_user(
                    community=community, public_id=request.POST.get("helper", "")
                )
                review.plan_assignment_swap(actor=request.user, assignment=row, helper=helper)
                done = _("%(name)s is now proposed for this need.") % {"name": helper}
            messages.success(request, done)
            return redirect("matching:plan_detail", community.slug, plan.public_id)
        except PermissionDenied:
            raise
        except DomainError as exc:
            error, status = exc.message, exc.status
    alternatives = (
        selectors.assignment_alternatives(viewer=request.user, row=row)
        if plan.status == "draft" and row.status == "proposed"
        else []
    )
    context = community_context(
        request, community, plan=plan, row=row, alternatives=alternatives, error=error
    )
    return render(request, "matching/assignment_review.html", context, status=status)


@require_POST
@community_page()
def need_ask(request, community, public_id):
    """ "Ask this helper" beside a suggestion: the exchange's own ask (e-mail/SMS with links),
    for those allowed to dispatch; back to the page the button was on."""
    need = exchange_selectors.need_get(
        viewer=request.user, public_id=public_id, community=community
    )
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, {request.get_host()}, request.is_secure()):
        back = ""
    if not selectors.is_coordinator(request.user, community):  # the rule the service checks
        raise PermissionDenied(_("Only coordinators can ask a helper."))
    try:
        helper = exchange_selectors.member_user(
            community=community, public_id=request.POST.get("helper", "")
        )
        need_ask_helper(actor=request.user, need=need, helper=helper)
    except DomainError as exc:  # this helper may not take this need: said on the page
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _(
                "We asked %(name)s. They get a message with links to say yes or not this time; "
                "you will see their answer here."
            )
            % {"name": str(helper)},
        )
    if back:
        return redirect(back)
    return redirect("exchange:need_detail", community.slug, need.public_id)


@login_required
def ask_detail(request, public_id):
    row = selectors.assignment_get(viewer=request.user, public_id=public_id)
    if request.method == "POST":
        try:
            services.plan_assignment_answer(
                helper=request.user, assignment=row, accept=request.POST.get("answer") == "yes"
            )
            messages.success(request, _("Thank you for answering."))
        except DomainError as exc:
            messages.error(request, exc.message)
        return redirect("matching:ask", row.public_id)
    context = {"row": row, "reasons": explain(row.terms)}
    return render(request, "matching/ask.html", context)


def _settings_forms(request, ms, section: str):
    terms_initial = {f: getattr(ms, f) for f in tuning.TERM_FIELDS}
    posted = request.POST if request.method == "POST" else None
    terms = ArrangementTermsForm(posted if section == "terms" else None, initial=terms_initial)
    tuned = TuningForm(
        posted if section == "tuning" else None,
        initial=tuning.tuned_values(ms),
        prefix="tuning",
    )
    return terms, tuned


@community_page()
def settings_edit(request, community):
    """Both forms of the settings page: how helpers are chosen, and arrangement terms."""
    ms = selectors.matching_settings_of(viewer=request.user, community=community)
    section = request.POST.get("section", "terms") if request.method == "POST" else ""
    terms, tuned = _settings_forms(request, ms, section)
    form = tuned if section == "tuning" else terms
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                if form is tuned:
                    tuning.matching_settings_change(
                        actor=request.user, community=community, **form.cleaned_data
                    )
                else:
                    renewals.matching_settings_update(
                        actor=request.user, community=community, **form.cleaned_data
                    )
            except PermissionDenied:
                raise
            except DomainError as exc:
                show_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The settings are saved."))
                return redirect("matching:settings", community.slug)
    context = community_context(request, community, form=terms, tuning_form=tuned)
    return render(request, "matching/settings.html", context, status=status)


@login_required
def ask_list(request):
    """What dispatch plans have asked me: waiting for my answer first, then answered."""
    waiting = selectors.with_reasons(selectors.my_asks(viewer=request.user, waiting=True))
    answered = selectors.with_reasons(
        selectors.my_asks(viewer=request.user, waiting=False)[:ANSWERED_SHOWN]
    )
    return render(request, "matching/ask_list.html", {"waiting": waiting, "answered": answered})


@require_POST
@community_page()
def arrangement_renew(request, community, public_id):
    arrangement = exchange_selectors.arrangement_get(
        viewer=request.user, public_id=public_id, community=community
    )
    try:
        renewals.arrangement_term_renew(actor=request.user, arrangement=arrangement)
    except PermissionDenied:
        raise  # the page decorator answers 403 with the reason
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Renewed for one more term."))
    return redirect("exchange:arrangement_detail", community.slug, arrangement.public_id)
