"""The coordinators' dispatch board and the callers' printable call list."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_page, paginate
from mutua.core.errors import DomainError, PermissionDenied
from mutua.exchange import selectors, services
from mutua.exchange.forms import BulkForm, NeedFilterForm
from mutua.exchange.views.common import areas_and_skills, categories_of, ctx
from mutua.matching.selectors import matching_rank_many

AGES = (  # (fewer than this many days open, class, words): colour is never the only cue
    (1, "age-new", gettext_lazy("New")),
    (3, "age-days", gettext_lazy("A few days")),
    (7, "age-week", gettext_lazy("Most of a week")),
    (None, "age-old", gettext_lazy("Waiting a long time")),
)


def age_of(days: int) -> tuple[str, str]:
    """The class and the words for a need open `days` days."""
    for limit, css, words in AGES:
        if limit is None or days < limit:
            return css, str(words)
    raise AssertionError("unreachable")


@community_page()
def dispatch_board(request, community):
    areas, skills = areas_and_skills(community)
    form = NeedFilterForm(request.GET or None, areas=areas, categories=categories_of(community))
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
    pool = selectors.helper_pool(viewer=request.user, community=community)
    now = timezone.now()
    top = matching_rank_many(viewer=request.user, community=community, needs=list(page), k=3)
    blocked = selectors.blocked_pairs({n.author_id for n in page if n.author_id})
    for need in page:
        need.top_matches = top.get(need.pk, [])
        need.days_open = (now - need.created_at).days
        need.age_class, need.age_words = age_of(need.days_open)
        need.helper_choices = selectors.helpers_for(pool, need, blocked)
    context = ctx(request, community, form=form, page=page, skills=skills, skill=skill, pool=pool)
    return render(request, "exchange/dispatch.html", context)


@require_POST
@community_page()
def dispatch_assign(request, community):
    need = selectors.need_get(
        viewer=request.user, public_id=request.POST.get("need", ""), community=community
    )
    try:
        helper = selectors.member_user(
            community=community, public_id=request.POST.get("helper", ""), by_membership=True
        )
        services.commitment_assign(actor=request.user, need=need, helper=helper)
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Assigned. The helper has been told."))
    return redirect("exchange:dispatch", community.slug)


@require_POST
@community_page()
def dispatch_bulk(request, community):
    """Close or assign the needs ticked on the board, all or none."""
    form = BulkForm(request.POST)
    try:
        if not form.is_valid():
            raise DomainError(_("Please tick at least one need and choose what to do."))
        data = form.cleaned_data
        if data["action"] == "assign":
            helper = selectors.member_user(
                community=community, public_id=data["helper"], by_membership=True
            )
            done = services.need_bulk_assign(
                actor=request.user, community=community, public_ids=data["needs"], helper=helper
            )
        else:
            done = services.need_bulk_close(
                actor=request.user,
                community=community,
                public_ids=data["needs"],
                status=data["action"],
            )
    except PermissionDenied:
        raise
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            ngettext("%(n)d need updated.", "%(n)d needs updated.", len(done)) % {"n": len(done)},
        )
    return redirect("exchange:dispatch", community.slug)


@community_page()
def dispatch_call_list(request, community):
    rows = selectors.dispatch_call_list(viewer=request.user, community=community)
    return render(request, "exchange/call_list.html", ctx(request, community, rows=rows))
