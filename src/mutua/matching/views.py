"""Pages: dispatch plans (create, review, approve) and a helper's answer to a request."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.selectors import area_list
from mutua.communities.views.common import community_context, community_page, paginate
from mutua.core.errors import DomainError
from mutua.matching import selectors, services


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
    unmet = [{**u, "words": selectors.reason_words(u["reason"])} for u in plan.unmet]
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
    context = {"row": row, "reasons": selectors.explain(row.terms)}
    return render(request, "matching/ask.html", context)
