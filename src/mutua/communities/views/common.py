"""What every community page shares: finding the community, refusals, links to show."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Page, Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from mutua.communities.models import Community
from mutua.communities.selectors import community_visible
from mutua.core.errors import NotFound, PermissionDenied
from mutua.core.permissions import can, membership_of

PAGE_SIZE = 50

# Actions whose links and buttons a page may show; services still decide.
SHOWN_ACTIONS = (
    "directory.view",
    "audit.read",
    "calllist.view",
    "member.invite",
    "application.decide",
    "member.remove",
    "member.set_caller",
    "member.set_attributes",
    "member.set_location",
    "member.change_role",
    "area.manage",
    "skill.manage",
    "role.manage",
    "community.edit",
    "sensitive.read",
    "sensitive.read_phone",
)

PERMISSION_LABELS = {
    "community.view": _("See the community page"),
    "directory.view": _("See the members' directory"),
    "audit.read": _("Read the audit log"),
    "calllist.view": _("Use the call list"),
    "sensitive.read_phone": _("See phone numbers for calls"),
    "member.invite": _("Invite people"),
    "application.decide": _("Decide on applications"),
    "member.remove": _("See the full roster and remove members"),
    "member.set_caller": _("Name callers"),
    "member.set_attributes": _("Record vetting and extra care"),
    "member.set_location": _("Set members' approximate locations"),
    "area.manage": _("Add and change areas"),
    "skill.manage": _("Add and change skills"),
    "audit.read_safeguarding": _("Read safeguarding entries of the audit log"),
    "sensitive.read": _("See private details (address, phone, notes)"),
}

ACTION_WORDS = {
    "community.create": _("started the community"),
    "community.update": _("changed the community's settings"),
    "member.role": _("changed a role"),
    "member.remove": _("removed a member"),
    "member.attributes": _("changed vetting or extra care"),
    "member.location": _("set a member's approximate location"),
    "member.custom_role": _("gave or took away a custom role"),
    "application.approve": _("approved an application"),
    "application.decline": _("declined an application"),
    "invitation.create": _("invited someone"),
    "invitation.revoke": _("withdrew an invitation"),
    "area.create": _("added an area"),
    "area.update": _("changed an area"),
    "area.delete": _("deleted an area"),
    "skill.create": _("added a skill"),
    "skill.update": _("changed a skill"),
    "skill.delete": _("deleted a skill"),
    "role.create": _("created a custom role"),
    "role.update": _("changed a custom role"),
    "role.delete": _("deleted a custom role"),
    "sensitive.read": _("looked at private details"),
    "ledger.settings": _("changed the time-credit settings"),
    "ledger.record": _("recorded help on someone's behalf"),
    "ledger.fund_grant": _("gave credits from the community fund"),
    "ledger.reverse": _("corrected a transfer"),
    "ledger.limits": _("set a member's own credit limits"),
    "ledger.supported": _("changed a member's support from the community fund"),
    "ledger.exchange_unrecorded": _("could not record an exchange: the fund is at its limit"),
    "ledger.reversal_pending": _("left a correction for a coordinator: a limit was reached"),
    "need.edit": _("changed a need"),
    "need.close": _("closed a need"),
    "need.assign": _("asked a helper to take a need"),
    "need.on_behalf": _("posted a need for a neighbour"),
    "need.private_set": _("changed a need's private details"),
    "arrangement.hand_over": _("handed a standing arrangement to another helper"),
    "arrangement.helper_agreed": _("recorded that a helper agreed to a standing arrangement"),
    "commitment.follow_up_clear": _("closed a follow-up"),
    "commitment.mark_done": _("marked help as done on someone's behalf"),
    "commitment.confirm": _("confirmed help and its hours on someone's behalf"),
    "commitment.release": _("took a helper off a task"),
    "expense.repaid": _("marked a helper's expense as repaid"),
    "response.accept": _("accepted an offer of help on someone's behalf"),
    "response.decline": _("declined an offer of help on someone's behalf"),
    "need.ask_helper": _("asked a helper by message to take a need"),
    "offer.close": _("closed someone's offer"),
    "exchange.settings": _("changed the needs and offers settings"),
    "care.settings": _("changed the check-in settings"),
    "care.plan_create": _("set up a check-in plan"),
    "care.plan_update": _("changed a check-in plan"),
    "care.plan_pause": _("paused a check-in plan"),
    "care.plan_resume": _("resumed a check-in plan"),
    "care.plan_end": _("ended a check-in plan"),
    "care.shift_add": _("put a coordinator on the on-call rota"),
    "care.shift_end": _("took a coordinator off the on-call rota"),
    "care.circle_invite": _("asked a member to join a care circle"),
    "care.circle_outside": _("added an outside contact to a care circle"),
    "care.circle_on_call": _("added the on-call coordinator to a care circle"),
    "care.circle_remove": _("took someone out of a care circle"),
    "trust.vouch_revoke": _("withdrew a vouch"),
    "trust.settings": _("changed the trust settings"),
    "trust.met_in_person": _("noted that they met a member in person"),
    "safeguarding.concern": _("reported a concern"),
    "safeguarding.review": _("reviewed a concern"),
    "safeguarding.suspend": _("suspended a member"),
    "safeguarding.unsuspend": _("lifted a suspension"),
    "matching.settings": _("changed the matching settings"),
    "matching.plan_create": _("drafted a dispatch plan"),
    "matching.plan_approve": _("approved a dispatch plan"),
    "matching.plan_discard": _("set a dispatch plan aside"),
    "matching.plan_remove": _("took a proposed helper off a dispatch plan"),
    "matching.plan_swap": _("proposed another helper in a dispatch plan"),
    "matching.arrangement_renew": _("renewed a standing arrangement"),
}


def perms_for(user, community: Community) -> dict[str, bool]:
    """`can` for every action a page may offer, keyed with underscores for templates."""
    return {a.replace(".", "_"): can(user, a, community) for a in SHOWN_ACTIONS}


def community_context(request: HttpRequest, community: Community, **extra) -> dict:
    return {
        "community": community,
        "my_membership": membership_of(request.user, community),  # type: ignore[arg-type]
        "can": perms_for(request.user, community),
        **extra,
    }


def forbidden(request: HttpRequest, message: str, community: Community | None = None):
    return render(
        request,
        "communities/forbidden.html",
        {"message": message, "community": community},
        status=403,
    )


def community_page(*, login: bool = True) -> Callable:
    """Find the community by slug (404, also for an unlisted one the visitor is not in, as the
    API answers), sign in first if needed, turn refusals into 403."""

    def decorate(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, slug: str, *args, **kwargs) -> HttpResponse:
            if login and not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            try:
                viewer = request.user if request.user.is_authenticated else None
                community = community_visible(slug=slug, viewer=viewer)  # type: ignore[arg-type]
            except NotFound as exc:
                raise Http404(exc.message) from None
            try:
                return view(request, community, *args, **kwargs)
            except PermissionDenied as exc:
                return forbidden(request, exc.message, community)
            except NotFound as exc:
                raise Http404(exc.message) from None

        return wrapper

    return decorate


def paginate(request: HttpRequest, items, per_page: int = PAGE_SIZE) -> Page:
    return Paginator(items, per_page).get_page(request.GET.get("page"))


def is_partial(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a boosted whole page)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.boosted  # type: ignore[union-attr]
