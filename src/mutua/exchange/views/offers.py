"""Offer pages: list, post, detail with ask, renew, close and answer."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_page, paginate
from mutua.core.errors import DomainError, NotFound
from mutua.exchange import selectors, services
from mutua.exchange.forms import AskForm, NeedFilterForm, OfferForm
from mutua.exchange.models import OfferRequest
from mutua.exchange.views.common import (
    area_by_slug,
    areas_and_skills,
    categories_of,
    ctx,
    place_error,
)


@community_page()
def offer_list(request, community):
    areas, _skills = areas_and_skills(community)
    form = NeedFilterForm(request.GET or None, areas=areas, categories=categories_of(community))
    filters = selectors.NeedFilters()
    if form.is_bound and form.is_valid():
        filters = selectors.NeedFilters(**{k: v or "" for k, v in form.cleaned_data.items()})
    offers = selectors.offer_list(viewer=request.user, community=community, filters=filters)
    page = paginate(request, offers)
    return render(
        request, "exchange/offer_list.html", ctx(request, community, form=form, page=page)
    )


@community_page()
def offer_new(request, community):
    areas, skills = areas_and_skills(community)
    form = OfferForm(
        request.POST or None, areas=areas, skills=skills, categories=categories_of(community)
    )
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        data["service_area"] = area_by_slug(community, data.pop("service_area"))
        data["skill_ids"] = [int(s) for s in data["skill_ids"]]
        try:
            offer = services.offer_post(owner=request.user, community=community, **data)
        except DomainError as exc:
            place_error(form, exc)
        else:
            messages.success(request, _("Thank you! Your offer is posted."))
            return redirect("exchange:offer_detail", community.slug, offer.public_id)
    return render(request, "exchange/offer_form.html", ctx(request, community, form=form))


def _offer_context(request, community, offer, error=""):
    mine = offer.owner_id == request.user.pk
    requests = (
        offer.requests.select_related("requester__profile", "need")
        if mine
        else offer.requests.filter(requester=request.user).select_related("need")
    )
    return ctx(
        request,
        community,
        offer=offer,
        mine=mine,
        requests=list(requests),
        ask_form=AskForm(),
        error=error,
    )


@community_page()
def offer_detail(request, community, public_id):
    offer = selectors.offer_get(viewer=request.user, public_id=public_id, community=community)
    return render(request, "exchange/offer_detail.html", _offer_context(request, community, offer))


@require_POST
@community_page()
def offer_action(request, community, public_id, action):
    offer = selectors.offer_get(viewer=request.user, public_id=public_id, community=community)
    try:
        if action == "ask":
            services.offer_request_create(
                requester=request.user, offer=offer, message=request.POST.get("message", "")
            )
        elif action == "renew":
            services.offer_renew(actor=request.user, offer=offer)
        elif action == "close":
            services.offer_close(actor=request.user, offer=offer)
        elif action in ("yes", "no"):
            req = OfferRequest.objects.filter(
                offer=offer, public_id=request.POST.get("request", "")
            ).first()
            if req is None:
                raise NotFound(_("There is no such request."))
            answered = services.offer_request_answer(
                actor=request.user, request=req, accept=action == "yes"
            )
            need = getattr(answered, "need", None) if answered.status == "accepted" else None
            if need is not None:
                messages.success(
                    request, _("Thank you! You are helping; mark it done here afterwards.")
                )
                return redirect("exchange:need_detail", community.slug, need.public_id)
        else:
            raise Http404
    except DomainError as exc:
        if isinstance(exc, NotFound):
            raise
        context = _offer_context(request, community, offer, error=exc.message)
        return render(request, "exchange/offer_detail.html", context, status=exc.status)
    messages.success(request, _("Done."))
    return redirect("exchange:offer_detail", community.slug, offer.public_id)
