"""Standing arrangements: list, set up (from a commitment or by a coordinator), pause, resume,
end and hand over. Each view parses a form and calls one service."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_page, paginate
from mutua.core.errors import DomainError, PermissionDenied
from mutua.exchange import selectors, services
from mutua.exchange.forms import ArrangementForm, ArrangementFromCommitmentForm, HandOverForm
from mutua.exchange.services.arrangements import arrangement_terms
from mutua.exchange.services.common import is_coordinator
from mutua.exchange.views.common import ctx, place_error


@community_page()
def arrangement_list(request, community):
    items = selectors.arrangement_list(viewer=request.user, community=community)
    page = paginate(request, items)
    return render(request, "exchange/arrangement_list.html", ctx(request, community, page=page))


def _created_message(arrangement) -> str:
    if arrangement.status == "pending":
        return _("We asked the helper. Nothing is agreed until they say yes.")
    return _("The standing arrangement is set up.")


def _user(pool, public_id):
    return next((m.user for m in pool if m.user.public_id == public_id), None)


@community_page()
def arrangement_new(request, community):
    """From scratch (coordinators) or, with ?commitment=…, from help that already happened."""
    commitment_id = request.GET.get("commitment") or request.POST.get("commitment")
    if commitment_id:
        return _from_commitment(request, community, commitment_id)
    pool = selectors.helper_pool(viewer=request.user, community=community)
    form = ArrangementForm(request.POST or None, members=pool, helpers=pool)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("repeat")
        person_id = data.pop("person")
        data["person"] = _user(pool, person_id) if person_id else None
        data["helper"] = _user(pool, data["helper"])
        try:
            if data["helper"] is None or (person_id and data["person"] is None):
                raise DomainError(_("Please choose a member of this community."))
            arrangement = services.arrangement_create(
                actor=request.user, community=community, **data
            )
        except PermissionDenied:
            raise
        except DomainError as exc:
            place_error(form, exc)
        else:
            messages.success(request, _created_message(arrangement))
            return redirect("exchange:arrangement_detail", community.slug, arrangement.public_id)
    context = ctx(request, community, form=form, commitment=None)
    return render(request, "exchange/arrangement_form.html", context)


def _from_commitment(request, community, commitment_id):
    commitment = selectors.commitment_get(viewer=request.user, public_id=commitment_id)
    if commitment.need.community_id != community.pk:
        raise Http404
    form = ArrangementFromCommitmentForm(
        request.POST or None, coordinator=is_coordinator(request.user, community)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data.pop("repeat")
        try:
            arrangement = services.arrangement_create_from_commitment(
                actor=request.user, commitment=commitment, **data
            )
        except PermissionDenied:
            raise
        except DomainError as exc:
            place_error(form, exc)
        else:
            messages.success(request, _created_message(arrangement))
            return redirect("exchange:arrangement_detail", community.slug, arrangement.public_id)
    context = ctx(request, community, form=form, commitment=commitment)
    return render(request, "exchange/arrangement_form.html", context)


def _detail_context(request, community, arrangement, **extra):
    pool = []
    if is_coordinator(request.user, community):
        pool = selectors.helper_pool(viewer=request.user, community=community)
    term = arrangement_terms([arrangement]).get(arrangement.pk)  # where the community uses terms
    return ctx(
        request,
        community,
        arrangement=arrangement,
        term=term,
        term_has_ended=term is not None and term.ends_at <= timezone.now(),
        is_pair=request.user.pk in (arrangement.person_id, arrangement.helper_id),
        is_helper=request.user.pk == arrangement.helper_id,
        occurrences=list(selectors.arrangement_occurrences(arrangement=arrangement)[:20]),
        can_manage=request.user.pk == arrangement.person_id or bool(pool),
        hand_over_form=extra.pop("hand_over_form", None)
        or HandOverForm(
            helpers=[m for m in pool if m.user_id != arrangement.helper_id], coordinator=bool(pool)
        ),
        **extra,
    )


@community_page()
def arrangement_detail(request, community, public_id):
    arrangement = selectors.arrangement_get(
        viewer=request.user, public_id=public_id, community=community
    )
    context = _detail_context(request, community, arrangement)
    return render(request, "exchange/arrangement_detail.html", context)


STATUS_FOR = {"pause": "paused", "resume": "active", "end": "ended"}
DONE = {
    "accept": _("Thank you! The dates are added two weeks ahead."),
    "decline": _("Answered. Thank you for saying so."),
    "pause": _("Paused. The coming dates are cancelled until it resumes."),
    "resume": _("Resumed."),
    "end": _("The arrangement has ended. Thank you both."),
    "hand_over": _("Handed over. The new helper has the coming dates."),
}


@require_POST
@community_page()
def arrangement_action(request, community, public_id, action):
    if action not in DONE:
        raise Http404
    arrangement = selectors.arrangement_get(
        viewer=request.user, public_id=public_id, community=community
    )
    try:
        if action in ("accept", "decline"):
            services.arrangement_answer(
                actor=request.user, arrangement=arrangement, accept=action == "accept"
            )
        elif action == "hand_over":
            helper = selectors.member_user(
                community=community, public_id=request.POST.get("helper", "")
            )
            arrangement = services.arrangement_hand_over(
                actor=request.user,
                arrangement=arrangement,
                helper=helper,
                helper_agreed=request.POST.get("helper_agreed") == "on",
            )
            if arrangement.status == "pending":
                messages.success(
                    request,
                    _("We asked the new helper. The coming dates stay open until they answer."),
                )
                return redirect(
                    "exchange:arrangement_detail", community.slug, arrangement.public_id
                )
        else:
            services.arrangement_set_status(
                actor=request.user, arrangement=arrangement, status=STATUS_FOR[action]
            )
    except PermissionDenied:
        raise  # the page decorator answers 403 with the reason
    except DomainError as exc:
        context = _detail_context(request, community, arrangement, error=exc.message)
        return render(request, "exchange/arrangement_detail.html", context, status=exc.status)
    messages.success(request, DONE[action])
    return redirect("exchange:arrangement_detail", community.slug, arrangement.public_id)
