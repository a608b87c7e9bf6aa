"""Care pages: my check-in page, the circle view, a plan's history, the coordinator board.

Every page works without JavaScript (plain forms) and shows the community's emergency number.
"""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_POST

from mutua.care import selectors, services
from mutua.care.services.calls import CALL_OUTCOMES, NumberChanged, care_call_outcome_record
from mutua.communities.selectors import community_get, community_list
from mutua.core.errors import DomainError, ValidationFailed
from mutua.core.permissions import can

HELP_STAYS_OPEN = gettext_lazy(
    "Thank you, this is noted. The call for help stays open until someone in the circle or a "
    "coordinator gives the all-clear on it."
)


def _problem(request: HttpRequest, exc: DomainError, community=None) -> HttpResponse:
    """A refusal in words, with the community's emergency number where it is known."""
    ctx = {"message": exc.message, "community": community}
    return render(request, "care/problem.html", ctx, status=exc.status)


def _unknown(request: HttpRequest, community=None) -> HttpResponse:
    ctx = {"message": _("Unknown action."), "community": community}
    return render(request, "care/problem.html", ctx, status=404)


@login_required
@require_GET
def my_care(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "care/mine.html",
        {
            "plans": selectors.my_plans(viewer=request.user),
            "circles": selectors.my_circles(viewer=request.user),
            "communities": community_list(viewer=request.user, mine=True),
        },
    )


@login_required
@require_POST
def plan_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    plan = None
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
        if action in ("checkin", "checkin-for"):
            how = "web" if action == "checkin" else "circle"
            checkin = services.care_checkin(actor=request.user, plan=plan, how=how)
            if checkin.plan.current_alert_id is not None:  # a cry for help stays open
                messages.warning(request, HELP_STAYS_OPEN)
            elif action == "checkin":
                messages.success(request, _("Thank you. We have noted that you are OK."))
            else:
                messages.success(request, _("Thank you. We noted that you saw them."))
        elif action == "help":
            services.care_help(actor=request.user, plan=plan)
            messages.warning(request, _("Your circle and the coordinators have been alerted."))
        else:
            return _unknown(request, plan.community)
    except DomainError as exc:
        return _problem(request, exc, plan.community if plan else None)
    if request.POST.get("next") == "plan":
        return redirect("care:plan_detail", public_id)
    return redirect("care:mine")


@login_required
@require_POST
def alert_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    alert = None
    try:
        alert = selectors.alert_get(viewer=request.user, public_id=public_id)
        if action == "ack":
            services.care_alert_acknowledge(actor=request.user, alert=alert)
        elif action == "all-clear":
            services.care_alert_all_clear(
                actor=request.user, alert=alert, outcome=request.POST.get("outcome", "was_fine")
            )
        else:
            return _unknown(request, alert.plan.community)
    except DomainError as exc:
        return _problem(request, exc, alert.plan.community if alert else None)
    return redirect("care:plan_detail", alert.plan.public_id)


@login_required
@require_POST
def circle_action(request: HttpRequest, public_id: str, action: str) -> HttpResponse:
    contact = None
    try:
        contact = selectors.contact_get(viewer=request.user, public_id=public_id)
        act = {
            "accept": services.circle_accept,
            "decline": services.circle_decline,
            "leave": services.circle_leave,
        }.get(action)
        if act is None:
            return _unknown(request, contact.plan.community)
        act(member=request.user, contact=contact)
    except DomainError as exc:
        return _problem(request, exc, contact.plan.community if contact else None)
    if action == "leave":
        messages.success(
            request, _("You have left the circle. The coordinators will find someone else.")
        )
    return redirect("care:mine")


@login_required
@require_GET
def plan_detail(request: HttpRequest, public_id: str) -> HttpResponse:
    try:
        plan = selectors.plan_get(viewer=request.user, public_id=public_id)
    except DomainError as exc:
        return _problem(request, exc)
    history = selectors.plan_history(plan=plan)
    alert = plan.current_alert
    may_see_access = alert is not None and services.may_see_access_details(request.user, alert)
    access: dict[str, str] | None = None
    if alert is not None and may_see_access and request.GET.get("instructions"):
        try:
            access = services.care_access_details(viewer=request.user, alert=alert)
        except DomainError as exc:
            messages.error(request, exc.message)
    selectors.drills_mark([plan])
    return render(
        request,
        "care/plan_detail.html",
        {
            "plan": plan,
            "community": plan.community,
            "alert": alert,
            "may_see_access": may_see_access,
            "access": access,
            "can_manage": request.user.pk == plan.person_id
            or can(request.user, "care.coordinate", plan.community),
            "can_call": can(request.user, "calllist.view", plan.community),
            **history,
        },
    )


@login_required
@require_GET
def board(request: HttpRequest, slug: str) -> HttpResponse:
    community = None
    try:
        community = community_get(slug=slug)
        data = selectors.care_board(viewer=request.user, community=community)
    except DomainError as exc:
        return _problem(request, exc, community)
    return render(request, "care/board.html", {"board": data, "community": community})


class CallOutcomeForm(forms.Form):
    """What came of one call on the call list (the service checks it again)."""

    outcome = forms.ChoiceField(
        label=gettext_lazy("What happened on the call?"),
        choices=list(CALL_OUTCOMES.items()),
        widget=forms.RadioSelect,
    )
    contact = forms.CharField(required=False, max_length=16, widget=forms.HiddenInput)
    # Which number the page showed; written by the template from the call itself (never
    # from a failed post), so it always names the number on the page.
    number_ref = forms.CharField(required=False, max_length=40, widget=forms.HiddenInput)


def _call_list_page(
    request: HttpRequest,
    community,
    *,
    failed: tuple[str, str] | None = None,
    bound: CallOutcomeForm | None = None,
    status: int = 200,
    notice: str = "",
) -> HttpResponse:
    """The list with one outcome form per call, each with its own ids; the one that failed
    (`failed`: alert and contact) keeps its input and errors, or, with a `notice`, starts
    afresh under it (the number changed: nothing from the old one is kept ticked)."""
    rows = []
    for n, call in enumerate(services.care_call_list(viewer=request.user, community=community)):
        here = failed == (call.alert.public_id, call.contact_id)
        form = bound
        if form is None or not here:
            form = CallOutcomeForm(initial={"contact": call.contact_id})
        form.auto_id = f"id_call{n}_%s"
        form.fields["outcome"].label = _("What happened on the call to %(name)s?") % {
            "name": call.callee
        }
        rows.append((call, form, notice if here else ""))
    return render(
        request, "care/call_list.html", {"rows": rows, "community": community}, status=status
    )


@login_required
@require_GET
def call_list(request: HttpRequest, slug: str) -> HttpResponse:
    """Who to phone about open alerts, with the numbers (each read audit-logged); printable."""
    community = None
    try:
        community = community_get(slug=slug)
        return _call_list_page(request, community)
    except DomainError as exc:
        return _problem(request, exc, community)


@login_required
@require_POST
def call_outcome(request: HttpRequest, slug: str, alert_id: str) -> HttpResponse:
    """Record what came of a call; a bad choice comes back on the list, next to that call."""
    community = None
    form = CallOutcomeForm(request.POST)
    try:
        community = community_get(slug=slug)
        if form.is_valid():
            try:
                care_call_outcome_record(
                    actor=request.user,
                    community=community,
                    alert_id=alert_id,
                    contact_id=form.cleaned_data["contact"],
                    outcome=form.cleaned_data["outcome"],
                    number_ref=form.cleaned_data["number_ref"],
                )
            except ValidationFailed as exc:
                for name, errors in exc.field_errors.items():
                    for error in errors:
                        form.add_error(name if name in form.fields else None, error)
            except NumberChanged as exc:  # the list shows the number on file now
                failed = (alert_id, request.POST.get("contact", ""))
                return _call_list_page(
                    request, community, failed=failed, status=409, notice=exc.message
                )
            else:
                messages.success(request, _("Thank you. What happened on the call is recorded."))
                return redirect("care:calls", slug)
        failed = (alert_id, request.POST.get("contact", ""))
        return _call_list_page(request, community, failed=failed, bound=form, status=422)
    except DomainError as exc:
        return _problem(request, exc, community)
