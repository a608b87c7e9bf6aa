"""The coordinators' dispatch board and the callers' printable call list."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.models import Membership
from mutua.communities.views.common import community_page, paginate
from mutua.core.errors import DomainError, NotFound
from mutua.exchange import selectors, services
from mutua.exchange.forms import NeedFilterForm
from mutua.exchange.views.common import areas_and_skills, ctx


def _age_class(days: int) -> str:
    return (
        "age-new" if days < 1 else "age-days" if days < 3 else "age-week" if days < 7 else "age-old"
    )


@community_page()
def dispatch_board(request, community):
    areas, skills = areas_and_skills(community)
    form = NeedFilterForm(request.GET or None, areas=areas)
    filters = selectors.NeedFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.NeedFilters(**{k: v or "" for k, v in form.cleaned_data.items()})
    skill = request.GET.get("skill", "")
    needs = selectors.dispatch_board(
        viewer=request.user,
        community=community,
        filters=filters,
        skill=int(skill) if skill.isdigit() else 0,
    )
    page = paginate(request, needs)
    now = timezone.now()
    for need in page:
        need.days_open = (now - need.created_at).days
        need.age_class = _age_class(need.days_open)
    context = ctx(request, community, form=form, page=page, skills=skills, skill=skill)
    return render(request, "exchange/dispatch.html", context)


@require_POST
@community_page()
def dispatch_assign(request, community):
    need = selectors.need_get(
        viewer=request.user, public_id=request.POST.get("need", ""), community=community
    )
    helper = (
        Membership.objects.filter(
            community=community, status="active", public_id=request.POST.get("helper", "")
        )
        .select_related("user")
        .first()
    )
    try:
        if helper is None:
            raise NotFound(_("Please choose a member of this community."))
        services.commitment_assign(actor=request.user, need=need, helper=helper.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assigned. The helper has been told."))
    return redirect("exchange:dispatch", community.slug)


@community_page()
def dispatch_call_list(request, community):
    rows = selectors.dispatch_call_list(viewer=request.user, community=community)
    return render(request, "exchange/call_list.html", ctx(request, community, rows=rows))
