"""Coordinators' pages: the follow-up queue (no-shows, disputes, requests) and the community's
exchange settings (categories and timings)."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from mutua.communities.views.common import community_page, paginate
from mutua.core.errors import DomainError, NotFound, PermissionDenied
from mutua.exchange import selectors, services
from mutua.exchange.forms_manage import ExchangeSettingsForm, FollowUpClearForm
from mutua.exchange.services.common import is_coordinator
from mutua.exchange.views.common import ctx, place_error


def _queue_page(request, community, *, failed: str = "", form=None, status=200):
    page = paginate(request, selectors.follow_up_queue(viewer=request.user, community=community))
    for c in page:
        c.clear_form = (
            form
            if form is not None and failed == c.public_id
            else FollowUpClearForm(
                initial={"commitment": c.public_id}, auto_id=f"id_{c.public_id}_%s"
            )
        )
    context = ctx(request, community, page=page)
    return render(request, "exchange/follow_ups.html", context, status=status)


@community_page()
def follow_up_list(request, community):
    return _queue_page(request, community)


@require_POST
@community_page()
def follow_up_clear(request, community):
    """A coordinator marks one follow-up as dealt with, with a note for the audit log."""
    form = FollowUpClearForm(request.POST, auto_id=f"id_{request.POST.get('commitment', '')}_%s")
    if form.is_valid():
        commitment = selectors.commitment_get(
            viewer=request.user, public_id=form.cleaned_data["commitment"]
        )
        if commitment.need.community_id != community.pk:
            raise NotFound(_("There is no such task."))
        try:
            services.commitment_follow_up_clear(
                actor=request.user, commitment=commitment, note=form.cleaned_data["note"]
            )
        except PermissionDenied:
            raise
        except DomainError as exc:
            place_error(form, exc)
        else:
            messages.success(request, _("Marked as dealt with. Thank you."))
            return redirect("exchange:follow_ups", community.slug)
    return _queue_page(
        request, community, failed=request.POST.get("commitment", ""), form=form, status=422
    )


@community_page()
def exchange_settings(request, community):
    """Coordinators set the community's categories and the timings of the exchange loop."""
    current = selectors.exchange_settings_get(viewer=request.user, community=community)
    if not is_coordinator(request.user, community):
        raise PermissionDenied(_("Only coordinators can change these settings."))
    initial = {
        "categories": "\n".join(current.categories or []),
        "auto_confirm_days": current.auto_confirm_days,
        "dispute_window_days": current.dispute_window_days,
        "stale_grace_hours": current.stale_grace_hours,
        "offer_reminder_days": current.offer_reminder_days,
    }
    form = ExchangeSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.exchange_settings_update(
                actor=request.user, community=community, **form.cleaned_data
            )
        except PermissionDenied:
            raise
        except DomainError as exc:
            place_error(form, exc)
        else:
            messages.success(request, _("The settings are saved."))
            return redirect("exchange:settings", community.slug)
    status = 422 if request.method == "POST" else 200
    return render(
        request, "exchange/settings.html", ctx(request, community, form=form), status=status
    )
