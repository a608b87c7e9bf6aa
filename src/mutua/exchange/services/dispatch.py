"""Coordinators' bulk actions from the dispatch board: close or assign several needs at once.

All or nothing: one refusal (a need already closed, a helper who does not fit one of them)
leaves every need as it was, and the coordinator is told which one.
"""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from mutua.communities.models import Community
from mutua.core.errors import Conflict, DomainError
from mutua.core.permissions import require
from mutua.exchange.models import Commitment, Need
from mutua.exchange.services.common import COORDINATE, invalid
from mutua.exchange.services.needs import close_locked
from mutua.exchange.services.responses import commitment_assign
from mutua.people.models import User

BULK_CLOSE_STATUSES = ("not_needed", "expired", "duplicate", "cancelled")
MAX_BULK = 100


def _needs(community: Community, public_ids: list[str]) -> list[Need]:
    ids = list(dict.fromkeys(public_ids or []))
    if not ids:
        raise invalid("needs", _("Please choose at least one need."))
    if len(ids) > MAX_BULK:
        raise invalid("needs", _("Please choose at most %(n)d needs.") % {"n": MAX_BULK})
    needs = list(
        Need.objects.select_for_update()
        .select_related("community")
        .filter(community=community, public_id__in=ids)
        .order_by("pk")  # one lock order everywhere
    )
    if len(needs) != len(ids):
        raise invalid("needs", _("Some of the chosen needs are not in this community."))
    return needs


@transaction.atomic
def need_bulk_close(
    *, actor: User, community: Community, public_ids: list[str], status: str, reason: str = ""
) -> list[Need]:
    """A coordinator closes several live needs (no longer needed, expired, …); each is audited."""
    require(actor, COORDINATE, community)
    if status not in BULK_CLOSE_STATUSES:
        raise invalid("status", _("Please choose why the needs are closed."))
    if len(reason or "") > 300:
        raise invalid("reason", _("Please use at most %(n)d characters.") % {"n": 300})
    needs = _needs(community, public_ids)
    for need in needs:
        try:
            close_locked(actor=actor, need=need, status=status, note=reason)
        except Conflict as exc:
            raise Conflict(f"{need.title}: {exc.message}") from None
    return needs


@transaction.atomic
def need_bulk_assign(
    *, actor: User, community: Community, public_ids: list[str], helper: User
) -> list[Commitment]:
    """A coordinator gives one fitting helper a place on several needs; each is audited."""
    require(actor, COORDINATE, community)
    needs = _needs(community, public_ids)
    commitments = []
    for need in needs:
        try:
            commitments.append(commitment_assign(actor=actor, need=need, helper=helper))
        except DomainError as exc:
            exc.message = f"{need.title}: {exc.message}"
            raise
    return commitments
