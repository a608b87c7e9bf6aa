"""Need pages: list with filters, post, detail with its actions, the shareable summary.

An action that fails shows its message on the field it is about (the typed text kept), and a
summary at the top of the page.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_page, paginate
from mutua.core.errors import DomainError, NotFound, ValidationFailed
from mutua.exchange import selectors, services
from mutua.exchange.forms import (
    CloseForm,
    ExpenseForm,
    HoursForm,
    NeedFilterForm,
    NeedForm,
    ResponseForm,
)
from mutua.exchange.models import Commitment, Expense, Response
from mutua.exchange.services.common import is_coordinator, refusal_for_helper
from mutua.exchange.views.common import (
    area_by_slug,
    areas_and_skills,
    categories_of,
    ctx,
    place_error,
)
from mutua.people.models import Gender

CLOSE_IDS = "id_close_%s"


@community_page()
def need_list(request, community):
    areas, _skills = areas_and_skills(community)
    form = NeedFilterForm(request.GET or None, areas=areas, categories=categories_of(community))
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
    on_behalf = is_coordinator(request.user, community)
    form = NeedForm(
        request.POST or None,
        areas=areas,
        skills=skills,
        on_behalf=on_behalf,
        categories=categories_of(community),
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["service_area"] = area_by_slug(community, data.pop("service_area"))
        data["skill_ids"] = [int(s) for s in data.pop("skills")]
        data["requirements"] = list(data["requirements"])
        data["languages"] = list(data["languages"])
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


def _failed(action: str, commitment_id: str, exc: DomainError, post) -> dict:
    """What the page needs to show a refusal on the form it came from."""
    messages_ = [m for ms in exc.field_errors.values() for m in ms] or [exc.message]
    in_more = action not in ("done", "thanks", "respond", "confirm")
    return {
        "key": f"{action}:{commitment_id}",
        "in_more": commitment_id if in_more else "",
        "errors": messages_,
        "text": post.get("text", "")[:2000],
        "exc": exc,
    }


def _commitment_forms(c, failed: dict, post) -> None:
    """Each commitment's forms, with unique ids; the one that failed shows its errors."""
    for name, form_class in (("done", HoursForm), ("expense", ExpenseForm)):
        key = f"{name}:{c.public_id}"
        auto_id = f"id_{name}_{c.public_id}_%s"
        if failed.get("key") == key:
            form = form_class(post, auto_id=auto_id)
            form.is_valid()
            place_error(form, failed["exc"])
        else:
            form = form_class(auto_id=auto_id)
        setattr(c, f"{name}_form", form)


def _detail_context(request, community, need, failed=None, response_form=None, close_form=None):
    viewer = request.user
    failed = failed or {}
    role = selectors.need_role(viewer, need)
    commitments = selectors.with_visible(
        viewer=viewer,
        commitments=list(selectors.commitment_list_for_need(viewer=viewer, need=need)),
    )
    for c in commitments:
        c.can_act = viewer.pk == c.helper_id or role in ("person", "coordinator")
        _commitment_forms(c, failed, request.POST)
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
        response_form=response_form or ResponseForm(),
        close_form=close_form or CloseForm(auto_id=CLOSE_IDS),
        closing=selectors.need_closing_for(viewer=viewer, need=need),
        share_url=request.build_absolute_uri(f"/needs/{need.public_id}/"),
        failed=failed,
        error=failed["errors"][0] if failed else "",
        gender_choices=Gender.choices,
        now=timezone.now(),
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
            errors = {name: [str(m) for m in ms] for name, ms in form.errors.items()}
            raise ValidationFailed(_("Please check what is marked below."), field_errors=errors)
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
            errors = {name: [str(m) for m in ms] for name, ms in form.errors.items()}
            raise ValidationFailed(_("Please check what is marked below."), field_errors=errors)
        return services.need_close(actor=user, need=need, **form.cleaned_data)
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
    if action == "dispute":
        return services.commitment_dispute(
            actor=user, commitment=commitment, reason=post.get("text", "")
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
    "dispute": _("Thank you for telling us. A coordinator will follow up with you both."),
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
        failed = _failed(action, request.POST.get("commitment", ""), exc, request.POST)
        response_form = None
        if action == "respond":
            response_form = ResponseForm(request.POST)
            response_form.is_valid()
            place_error(response_form, exc)
        close_form = None
        if action == "close":
            close_form = CloseForm(request.POST, auto_id=CLOSE_IDS)
            close_form.is_valid()
            place_error(close_form, exc)
        context = _detail_context(request, community, need, failed, response_form, close_form)
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
