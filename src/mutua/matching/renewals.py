"""More automatic with trust: standing arrangements between trusted people renew by themselves.

A community that turns on `MatchingSettings.trusted_arrangements_renew` gives each standing
arrangement a term (`arrangement_term_days`, kept in `ArrangementTerm`). The first term runs from
when the arrangement starts (or was made, if later); turning terms on gives every arrangement at
least one full term from that day. The term binds: the exchange creates no occurrence at or
after its end (this module is the exchange's term source, see
docs/decisions/0008-arrangement-terms-hook.md).

When a term comes within the exchange's materialisation horizon of its end and both the person
helped and the helper are trusted, the sweep extends it by one more term without anyone's
review. Otherwise the community's coordinators are told once per term, and a coordinator renews
it (`arrangement_term_renew`) or lets it end.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from zoneinfo import ZoneInfo

from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.communities.models import Community, Membership, MembershipStatus
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, ValidationFailed
from mutua.core.permissions import require
from mutua.exchange.models import ArrangementStatus, StandingArrangement
from mutua.exchange.services.arrangements import (
    HORIZON,
    ArrangementTermView,
    arrangement_materialise,
)
from mutua.exchange.services.common import coordinators_of
from mutua.matching.models import ArrangementTerm, MatchingSettings
from mutua.matching.notifications import TERM_ENDING
from mutua.matching.selectors import COORDINATE
from mutua.notify.services import notification_send
from mutua.people.models import User
from mutua.trust import engine as trust_engine

TERM_DAYS_MIN, TERM_DAYS_MAX = 7, 365


def _days(ms: MatchingSettings) -> int:
    return max(1, ms.arrangement_term_days)  # the settings service keeps it within bounds


def _initial_end(arrangement: StandingArrangement, days: int) -> dt.datetime:
    return max(arrangement.created_at, arrangement.dtstart) + dt.timedelta(days=days)


def _trusted_members(arrangements: Sequence[StandingArrangement]) -> set[tuple[int, int]]:
    """(community id, user id) of the people in these arrangements who are trusted there.

    `trust.services.trust_level_of` for many people in one query: stewards are always trusted,
    others by their last computed level; anyone not an active member is not."""
    users = {u for a in arrangements for u in (a.person_id, a.helper_id) if u}
    rows = Membership.objects.filter(
        community_id__in={a.community_id for a in arrangements},
        user_id__in=users,
        status=MembershipStatus.ACTIVE,
    ).values_list("community_id", "user_id", "role", "trust_score__level")
    rank = trust_engine.LEVEL_RANK
    return {
        (community_id, user_id)
        for community_id, user_id, role, level in rows
        if role == "steward" or rank.get(level or trust_engine.NEW, 0) >= rank["trusted"]
    }


def _pair_trusted(arrangement: StandingArrangement, trusted: set[tuple[int, int]]) -> bool:
    if arrangement.person_id is None:  # help arranged on someone's behalf: a coordinator renews
        return False
    pair = (arrangement.person_id, arrangement.helper_id)
    return all((arrangement.community_id, user_id) in trusted for user_id in pair)


def arrangement_term_views(
    arrangements: Sequence[StandingArrangement],
) -> dict[int, ArrangementTermView]:
    """The exchange's term source: the term of each arrangement whose community uses terms."""
    days_of = {
        ms.community_id: _days(ms)
        for ms in MatchingSettings.objects.filter(
            community_id__in={a.community_id for a in arrangements},
            trusted_arrangements_renew=True,
        ).only("community_id", "arrangement_term_days")
    }
    bound = [a for a in arrangements if a.community_id in days_of]
    if not bound:
        return {}
    ends = dict(
        ArrangementTerm.objects.filter(arrangement_id__in=[a.pk for a in bound]).values_list(
            "arrangement_id", "ends_at"
        )
    )
    trusted = _trusted_members(bound)
    return {
        a.pk: ArrangementTermView(
            ends_at=ends.get(a.pk) or _initial_end(a, days_of[a.community_id]),
            renews_automatically=_pair_trusted(a, trusted),
        )
        for a in bound
    }


def _extend(term: ArrangementTerm, days: int, now: dt.datetime, by: User | None) -> None:
    term.ends_at = max(term.ends_at, now) + dt.timedelta(days=days)
    term.renewals += 1
    term.renewed_by = by
    term.save(update_fields=["ends_at", "renewals", "renewed_by", "updated_at"])


def _tell_coordinators(
    arrangement: StandingArrangement,
    term: ArrangementTerm,
    coordinators: list[User],
    now: dt.datetime,
) -> int:
    """Once per term (the dedupe key names the term): renew it, or let it end."""
    community = arrangement.community
    try:
        zone = ZoneInfo(community.time_zone or "UTC")
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    person = arrangement.person
    url = reverse("exchange:arrangement_detail", args=[community.slug, arrangement.public_id])
    context = {
        "community_name": community.name,
        "arrangement_title": arrangement.title,
        "person_name": person.profile.first_name if person else arrangement.on_behalf_name,
        "helper_name": arrangement.helper.profile.display_name,
        "ends_on": timezone.localtime(term.ends_at, zone).date(),
        "has_ended": term.ends_at <= now,
        "url": url,
    }
    key = f"arrangement-term:{arrangement.public_id}:{term.renewals}"
    told = 0
    for coordinator in coordinators:
        told += len(
            notification_send(
                recipient=coordinator,
                kind=TERM_ENDING,
                context=context,
                community=community,
                dedupe_key=key,
                actions=[{"label": _("Renew it or let it end"), "url": url}],
            )
        )
    return told


def _sweep_community(ms: MatchingSettings, now: dt.datetime) -> int:
    community, days = ms.community, _days(ms)
    active = list(
        StandingArrangement.objects.filter(
            community=community, status=ArrangementStatus.ACTIVE
        ).select_related("community", "person__profile", "helper__profile")
    )
    ends = dict(
        ArrangementTerm.objects.filter(arrangement__in=active).values_list(
            "arrangement_id", "ends_at"
        )
    )
    for arrangement in active:
        if arrangement.pk not in ends:
            term, _created = ArrangementTerm.objects.get_or_create(
                arrangement=arrangement, defaults={"ends_at": _initial_end(arrangement, days)}
            )
            ends[arrangement.pk] = term.ends_at
    due = [a for a in active if ends[a.pk] - now <= HORIZON]
    if not due:
        return 0
    trusted = _trusted_members(due)
    coordinators = coordinators_of(community)
    renewed = 0
    for arrangement in due:
        with transaction.atomic():
            term = ArrangementTerm.objects.select_for_update().get(arrangement=arrangement)
            if term.ends_at - now > HORIZON:
                continue  # renewed by a coordinator meanwhile
            if not _pair_trusted(arrangement, trusted):
                _tell_coordinators(arrangement, term, coordinators, now)
                continue
            before = term.ends_at
            _extend(term, days, now, None)
            audit_record(
                actor=None,
                action="matching.arrangement_renew",
                community=community,
                target=arrangement,
                before={"ends_at": before.isoformat()},
                after={"ends_at": term.ends_at.isoformat(), "automatic": True},
            )
            arrangement_materialise(arrangement, now)
            renewed += 1
    return renewed


def arrangement_terms_sweep(*, now: dt.datetime | None = None) -> int:
    """Give arrangements their term where the community uses terms; near a term's end, renew
    trusted pairs' and tell coordinators about the others. Idempotent; returns renewals."""
    now = now or timezone.now()
    renewed = 0
    for ms in MatchingSettings.objects.filter(trusted_arrangements_renew=True).select_related(
        "community"
    ):
        renewed += _sweep_community(ms, now)
    return renewed


@transaction.atomic
def arrangement_term_renew(*, actor: User, arrangement: StandingArrangement) -> ArrangementTerm:
    """A coordinator renews an arrangement's term by one more term (where terms are used)."""
    require(actor, COORDINATE, arrangement.community)
    ms = MatchingSettings.objects.filter(
        community=arrangement.community, trusted_arrangements_renew=True
    ).first()
    if ms is None:
        raise Conflict(_("Standing arrangements in this community have no term to renew."))
    arrangement.refresh_from_db(fields=["status"])  # the caller's copy may be stale
    if arrangement.status == ArrangementStatus.ENDED:
        raise Conflict(_("This arrangement has ended."))
    now = timezone.now()
    term = ArrangementTerm.objects.select_for_update().filter(arrangement=arrangement).first()
    if term is None:
        term = ArrangementTerm.objects.create(
            arrangement=arrangement, ends_at=_initial_end(arrangement, _days(ms))
        )
    before = term.ends_at
    _extend(term, _days(ms), now, actor)
    audit_record(
        actor=actor,
        action="matching.arrangement_renew",
        community=arrangement.community,
        target=arrangement,
        before={"ends_at": before.isoformat()},
        after={"ends_at": term.ends_at.isoformat(), "automatic": False},
    )
    arrangement_materialise(arrangement, now)
    return term


def _start_terms(community: Community, days: int, now: dt.datetime) -> None:
    """Arrangements already running get at least one full term from the day terms start."""
    floor = now + dt.timedelta(days=days)
    ArrangementTerm.objects.filter(arrangement__community=community, ends_at__lt=floor).update(
        ends_at=floor, updated_at=now
    )
    without = StandingArrangement.objects.filter(community=community, term__isnull=True).exclude(
        status=ArrangementStatus.ENDED
    )
    ArrangementTerm.objects.bulk_create(
        [ArrangementTerm(arrangement=a, ends_at=max(_initial_end(a, days), floor)) for a in without]
    )


@transaction.atomic
def matching_settings_update(
    *,
    actor: User,
    community: Community,
    trusted_arrangements_renew: bool,
    arrangement_term_days: int,
) -> MatchingSettings:
    """Coordinators choose whether arrangements run for terms, and a term's length in days."""
    require(actor, COORDINATE, community)
    if not TERM_DAYS_MIN <= int(arrangement_term_days) <= TERM_DAYS_MAX:
        message = _("Please give a term of %(low)d to %(high)d days.") % {
            "low": TERM_DAYS_MIN,
            "high": TERM_DAYS_MAX,
        }
        raise ValidationFailed(message, field_errors={"arrangement_term_days": [message]})
    ms, _created = MatchingSettings.objects.select_for_update().get_or_create(community=community)
    fields = ("trusted_arrangements_renew", "arrangement_term_days")
    before = {f: getattr(ms, f) for f in fields}
    ms.trusted_arrangements_renew = bool(trusted_arrangements_renew)
    ms.arrangement_term_days = int(arrangement_term_days)
    after = {f: getattr(ms, f) for f in fields}
    if after == before:
        return ms
    ms.save(update_fields=[*fields, "updated_at"])
    if ms.trusted_arrangements_renew and not before["trusted_arrangements_renew"]:
        _start_terms(community, ms.arrangement_term_days, timezone.now())
    audit_record(
        actor=actor,
        action="matching.settings",
        community=community,
        target=community,
        before=before,
        after=after,
    )
    return ms
