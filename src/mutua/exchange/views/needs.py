"""Need pages: list with filters, post, detail with its actions, the shareable summary."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_page, paginate
from mutua.core.errors import DomainError, NotFound, PermissionDenied
from mutua.exchange import selectors, services
from mutua.exchange.forms import (
    CloseForm,
    ExpenseForm,
    HoursForm,
    NeedEditForm,
    NeedFilterForm,
    NeedForm,
    NeedPrivateForm,
    ResponseForm,
    TextForm,
)
from mutua.exchange.models import LIVE_NEED_STATUSES, Commitment, Expense, NeedPrivate, Response
from mutua.exchange.views.common import area_by_slug, areas_and_skills, ctx, place_error


@community_page()
def need_list(request, community):
    areas, _skills = areas_and_skills(community)
    form = NeedFilterForm(request.GET or None, areas=areas)
    filters = selectors.NeedFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.NeedFilters(**{k: v or "" for k, v in form.cleaned_data.items()})
    if request.GET.get("for_me"):
        needs = selectors.needs_i_could_help_with(viewer=request.user, community=community)
    else:
        needs = selectors.need_list(viewer=request.user, community=community, filters=filters)
    page = paginate(request, needs)
    context = ctx(request, community, form=form, page=page, for_me=bool(request.GET.get("for_me")))
    return render(request, "exchange/need_list.html", context)


@community_page()
def need_new(request, community):
    areas, skills = areas_and_skills(community)
    from mutua.exchange.services.common import is_coordinator

    on_behalf = is_coordinator(request.user, community)
    form = NeedForm(request.POST or None, areas=areas, skills=skills, on_behalf=on_behalf)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["service_area"] = area_by_slug(community, data.pop("service_area"))
        data["skill_ids"] = [int(s) for s in data.pop("skills")]
        data["requirements"] = list(data["requirements"])
        try:
            need = services.need_post(actor=request.user, community=community, **data)
        except DomainError as exc:
            place_error(form, exc)
        else:
            messages.success(
                request, _("Your need is posted. We will tell you when someone offers to help.")
            )
            return redirect("exchange:need_detail", community.slug, need.public_id)
    return render(request, "exchange/need_form.html", ctx(request, community, form=form))


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
        "requirements": need.requirements,
        "allow_self_assign": need.allow_self_assign,
    }


def _private_initial(need) -> dict:
    # The caller has passed need_get_for_edit: the person or a coordinator.
    return (
        NeedPrivate.objects.filter(need=need)
        .values("address", "access_notes", "contact_phone")
        .first()
        or {}
    )


def _edit_page(request, community, need, *, form=None, private_form=None, status=200):
    """The edit page: the public part of the need, and its private details apart."""
    if form is None:
        areas, skills = areas_and_skills(community)
        form = NeedEditForm(initial=_edit_initial(need), areas=areas, skills=skills)
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
    areas, skills = areas_and_skills(community)
    form = NeedEditForm(
        request.POST or None, initial=_edit_initial(need), areas=areas, skills=skills
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["service_area"] = area_by_slug(community, data.pop("service_area"))
        data["skill_ids"] = [int(s) for s in data.pop("skills")]
        data["requirements"] = list(data["requirements"])
        data["languages"] = need.languages
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


def _detail_context(request, community, need, **forms):
    viewer = request.user
    role = selectors.need_role(viewer, need)
    commitments = list(selectors.commitment_list_for_need(viewer=viewer, need=need))
    for c in commitments:
        c.can_act = viewer.pk == c.helper_id or role in ("person", "coordinator")
        c.visible_feedback = list(selectors.feedback_visible(viewer=viewer, commitment=c))
        c.visible_expenses = list(selectors.expense_list(viewer=viewer, commitment=c))
    from mutua.exchange.services.common import refusal_for_helper

    return ctx(
        request,
        community,
        need=need,
        role=role,
        is_open=need.status in ("open", "partly_committed"),
        private=selectors.need_private_for(viewer=viewer, need=need),
        responses=list(selectors.response_list(viewer=viewer, need=need)),
        commitments=commitments,
        refusal=refusal_for_helper(need, viewer),
        response_form=forms.get("response_form") or ResponseForm(),
        hours_form=HoursForm(),
        text_form=TextForm(),
        expense_form=forms.get("expense_form") or ExpenseForm(),
        close_form=CloseForm(),
        share_url=request.build_absolute_uri(f"/needs/{need.public_id}/"),
        error=forms.get("error", ""),
    )


@community_page()
def need_detail(request, community, public_id):
    need = selectors.need_get(viewer=request.user, public_id=public_id, community=community)
    return render(request, "exchange/need_detail.html", _detail_context(request, community, need))


def _commitment(need, request) -> Commitment:
    c = Commitment.objects.filter(need=need, public_id=request.POST.get("commitment", "")).first()
    if c is None:
        raise NotFound(_("There is no such task."))
    return c


def _act(request, need, action):
    """Parse the posted form of one action and call its one service."""
    user, post = request.user, request.POST
    if action == "respond":
        form = ResponseForm(post)
        if not form.is_valid():
            raise DomainError(_("Please check the form."))
        return services.response_create(helper=user, need=need, **form.cleaned_data)
    if action == "take":
        return services.need_self_assign(helper=user, need=need)
    if action in ("accept", "decline"):
        response = Response.objects.filter(need=need, public_id=post.get("response", "")).first()
        if response is None:
            raise NotFound(_("There is no such offer of help."))
        if action == "accept":
            return services.response_accept(actor=user, response=response)
        return services.response_decline(actor=user, response=response)
    if action == "close":
        form = CloseForm(post)
        if not form.is_valid():
            raise DomainError(_("Please choose why the need is closed."))
        return services.need_close(actor=user, need=need, status=form.cleaned_data["status"])
    if action == "expense_repaid":
        expense = Expense.objects.filter(
            commitment__need=need, public_id=post.get("expense", "")
        ).first()
        if expense is None:
            raise NotFound(_("There is no such expense."))
        return services.expense_mark_repaid(actor=user, expense=expense)
    commitment = _commitment(need, request)
    if action in ("done", "confirm"):
        form = HoursForm(post)
        hours = form.cleaned_data["hours"] if form.is_valid() else post.get("hours")
        service = services.commitment_mark_done if action == "done" else services.commitment_confirm
        return service(actor=user, commitment=commitment, hours=hours)
    if action in ("thanks", "feedback"):
        return services.feedback_give(
            actor=user, commitment=commitment, kind=action, text=post.get("text", "")
        )
    if action == "no_show":
        return services.commitment_report_no_show(
            actor=user, commitment=commitment, note=post.get("text", "")
        )
    if action == "follow_up":
        return services.commitment_flag_follow_up(
            actor=user, commitment=commitment, note=post.get("text", "")
        )
    if action == "release":
        return services.commitment_release(actor=user, commitment=commitment)
    if action == "expense":
        return services.expense_record(
            actor=user,
            commitment=commitment,
            amount=post.get("amount", ""),
            currency=post.get("currency", "EUR"),
            note=post.get("note", ""),
        )
    raise Http404


DONE_MESSAGES = {
    "respond": _("Thank you! The person will answer soon."),
    "take": _("Thank you! You are helping with this need."),
    "accept": _("Accepted. The helper has been told."),
    "decline": _("Answered."),
    "close": _("The need is closed."),
    "done": _("Marked as done. The other side will confirm."),
    "confirm": _("Confirmed. Thank you both."),
    "thanks": _("Your thank-you note is sent."),
    "feedback": _("Your feedback went to the coordinators."),
    "no_show": _("Reported. A coordinator will follow up."),
    "follow_up": _("A coordinator will follow up."),
    "release": _("The task is released. Thank you for telling us."),
    "expense": _("The expense is recorded."),
    "expense_repaid": _("Marked as repaid."),
}


@require_POST
@community_page()
def need_action(request, community, public_id, action):
    if action not in DONE_MESSAGES:
        raise Http404
    need = selectors.need_get(viewer=request.user, public_id=public_id, community=community)
    try:
        _act(request, need, action)
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        context = _detail_context(request, community, need, error=exc.message)
        return render(request, "exchange/need_detail.html", context, status=exc.status)
    messages.success(request, DONE_MESSAGES[action])
    return redirect("exchange:need_detail", community.slug, need.public_id)


def need_share(request, public_id):
    """The link for a group chat: the public summary to members, only the name to others."""
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    try:
        need, is_member = selectors.need_share_summary(viewer=request.user, public_id=public_id)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(request, "exchange/need_share.html", {"need": need, "is_member": is_member})
