"""More automatic with trust: standing arrangements between trusted people renew by themselves.

The exchange's standing arrangements have no end date and no review step: their occurrences are
created ahead by the exchange's sweep without a coordinator. A community that turns on
`MatchingSettings.trusted_arrangements_renew` gives each active arrangement a term
(`arrangement_term_days`, kept in `ArrangementTerm`, starting when the arrangement was made).
When a term comes within the exchange's materialisation horizon of its end, and both the person
helped and the helper are at least "trusted" (`trust_level_of`), the term is extended by one more
term without anyone's review; otherwise a coordinator renews it (`arrangement_term_renew`).
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from mutua.core.audit import audit_record
from mutua.core.permissions import require
from mutua.exchange.models import StandingArrangement
from mutua.exchange.services.arrangements import HORIZON
from mutua.matching.models import ArrangementTerm, MatchingSettings
from mutua.matching.selectors import COORDINATE
from mutua.people.models import User
from mutua.trust import engine as trust_engine
from mutua.trust.services import trust_level_of


def _trusted(user: User | None, community) -> bool:
    rank = trust_engine.LEVEL_RANK
    return user is not None and rank[trust_level_of(user, community)] >= rank["trusted"]


def _extend(term: ArrangementTerm, days: int, now: dt.datetime, by: User | None) -> None:
    term.ends_at = max(term.ends_at, now) + dt.timedelta(days=days)
    term.renewals += 1
    term.renewed_by = by
    term.save(update_fields=["ends_at", "renewals", "renewed_by", "updated_at"])


def arrangement_terms_sweep(*, now: dt.datetime | None = None) -> int:
    """Give arrangements their term where the community uses terms; renew trusted pairs'."""
    now = now or timezone.now()
    renewed = 0
    for ms in MatchingSettings.objects.filter(trusted_arrangements_renew=True).select_related(
        "community"
    ):
        days = max(1, ms.arrangement_term_days)
        active = StandingArrangement.objects.filter(
            community=ms.community, status="active"
        ).select_related("person", "helper")
        terms = {
            t.arrangement_id: t for t in ArrangementTerm.objects.filter(arrangement__in=active)
        }
        for arrangement in active:
            with transaction.atomic():
                term = terms.get(arrangement.pk) or ArrangementTerm.objects.create(
                    arrangement=arrangement,
                    ends_at=arrangement.created_at + dt.timedelta(days=days),
                )
                if term.ends_at - now > HORIZON:
                    continue
                if not (
                    _trusted(arrangement.person, ms.community)
                    and _trusted(arrangement.helper, ms.community)
                ):
                    continue  # a coordinator renews it
                _extend(term, days, now, None)
                audit_record(
                    actor=None,
                    action="matching.arrangement_renew",
                    community=ms.community,
                    target=arrangement,
                    after={"ends_at": term.ends_at.isoformat(), "automatic": True},
                )
                renewed += 1
    return renewed


@transaction.atomic
def arrangement_term_renew(*, actor: User, arrangement: StandingArrangement) -> ArrangementTerm:
    """A coordinator renews an arrangement's term by one more term."""
    require(actor, COORDINATE, arrangement.community)
    ms = MatchingSettings.objects.filter(community=arrangement.community).first()
    days = max(1, ms.arrangement_term_days if ms else 56)
    now = timezone.now()
    term, _created = ArrangementTerm.objects.get_or_create(
        arrangement=arrangement, defaults={"ends_at": now}
    )
    _extend(term, days, now, actor)
    audit_record(
        actor=actor,
        action="matching.arrangement_renew",
        community=arrangement.community,
        target=arrangement,
        after={"ends_at": term.ends_at.isoformat(), "automatic": False},
    )
    return term
