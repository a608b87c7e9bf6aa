"""Standing arrangements: recurring help as an RRULE whose occurrences become needs ahead."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from dateutil.rrule import rrulestr
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from mutua.care.schedule import resolve_local
from mutua.communities.models import Community
from mutua.core.audit import audit_record
from mutua.core.errors import Conflict, PermissionDenied
from mutua.core.permissions import require
from mutua.exchange.models import (
    OPEN_NEED_STATUSES,
    PLACE_HOLDING,
    ArrangementStatus,
    Commitment,
    Kind,
    Need,
    Requirement,
    StandingArrangement,
)
from mutua.exchange.services.arrangement_notices import tell, tell_helper_proposed
from mutua.exchange.services.common import COORDINATE, invalid, refusal_for_helper
from mutua.exchange.services.responses import _commit
from mutua.people.models import User

HORIZON = dt.timedelta(days=14)
PAUSED_REASON = "arrangement paused"
MAX_PER_RUN = 60


ALLOWED_FREQ = ("DAILY", "WEEKLY", "MONTHLY")


@dataclass(frozen=True)
class ArrangementTermView:
    """An arrangement's term as another app keeps it: no occurrence starts at or after `ends_at`
    until it is renewed; `renews_automatically` is what the pages and API tell people."""

    ends_at: dt.datetime
    renews_automatically: bool


TermSource = Callable[[Sequence[StandingArrangement]], dict[int, ArrangementTermView]]
_TERM_SOURCES: list[TermSource] = []


def register_term_source(fn: TermSource) -> TermSource:
    """Let another app bind arrangements to terms without the exchange importing it: `fn` maps
    the ids of the arrangements it is given to their term, leaving out those without one.
    Matching registers one (see docs/decisions/0008-arrangement-terms-hook.md)."""
    if fn not in _TERM_SOURCES:
        _TERM_SOURCES.append(fn)
    return fn


def arrangement_terms(
    arrangements: Sequence[StandingArrangement],
) -> dict[int, ArrangementTermView]:
    """The term binding each arrangement that has one; when several apps set one, the earliest."""
    found: dict[int, ArrangementTermView] = {}
    if not arrangements:
        return found
    for source in _TERM_SOURCES:
        for pk, term in source(arrangements).items():
            if pk not in found or term.ends_at < found[pk].ends_at:
                found[pk] = term
    return found


def occurrence_probe(arrangement: StandingArrangement) -> Need:
    """An unsaved need as the arrangement's dates are: what a helper is checked against."""
    return Need(
        community=arrangement.community,
        author=arrangement.person,
        requirements=list(arrangement.requirements or []),
        gender_wanted=arrangement.gender_wanted,
    )


def refusal_for_arrangement(arrangement: StandingArrangement, helper: User) -> str:
    """Why `helper` cannot take on the arrangement's dates, in words, or ""."""
    return refusal_for_helper(occurrence_probe(arrangement), helper)


def commit_to_coming(
    arrangement: StandingArrangement, helper: User, now: dt.datetime, assigned_by: User | None
) -> int:
    """Give `helper` a place on each coming date of the arrangement that is still open (after a
    hand-over). Locks each need, in id order as everywhere."""
    needs = (
        Need.objects.select_for_update()
        .select_related("community")
        .filter(arrangement=arrangement, starts_at__gt=now, status__in=OPEN_NEED_STATUSES)
        .order_by("pk")
    )
    taken = 0
    for need in needs:
        if need.commitments.filter(helper=helper, status__in=PLACE_HOLDING).exists():
            continue
        _commit(need=need, helper=helper, assigned_by=assigned_by, due_at=need.ends_at)
        taken += 1
    return taken


def _zone(community: Community) -> ZoneInfo:
    try:
        return ZoneInfo(community.time_zone or "UTC")
    except (KeyError, ValueError):
        return ZoneInfo("UTC")


def _rule(rrule: str, dtstart: dt.datetime, zone: ZoneInfo):
    """The rule expanded on the community's wall clock: "every Tuesday at 10:00" stays 10:00
    local time through daylight saving, on the local weekday (aware arithmetic in one zone
    keeps the wall time)."""
    dtstart = dtstart.astimezone(zone)
    message = _("Please give a repeat rule such as FREQ=WEEKLY;BYDAY=TU.")
    text = (rrule or "").strip().upper().removeprefix("RRULE:")
    # Hourly or finer rules would make thousands of occurrences in the horizon: refuse them.
    if len(text) > 300 or not any(f"FREQ={f}" in text for f in ALLOWED_FREQ):
        raise invalid("rrule", message)
    try:
        rule = rrulestr(text, dtstart=dtstart)
    except (ValueError, TypeError):
        raise invalid("rrule", message) from None
    if rule.after(dtstart, inc=True) is None:
        raise invalid("rrule", _("This repeat rule never happens."))
    return rule


def _occurrences(rule, zone: ZoneInfo, start: dt.datetime, until: dt.datetime) -> list[dt.datetime]:
    """Occurrences strictly between the bounds as UTC instants; a wall time the clocks skip
    or repeat resolves as care schedules do (`resolve_local`)."""
    out = []
    for local in rule.between(start, until, inc=False)[:MAX_PER_RUN]:
        when = resolve_local(local.date(), local.time(), zone)
        if start < when < until:
            out.append(when)
    return out


@transaction.atomic
def arrangement_create(
    *,
    actor: User,
    community: Community,
    helper: User,
    title: str,
    rrule: str,
    dtstart: dt.datetime,
    person: User | None = None,
    on_behalf_name: str = "",
    consent_given: bool = False,
    description: str = "",
    kind: str = "errand",
    duration_minutes: int = 60,
    helper_agreed: bool = False,
    requirements: Sequence[str] = (),
    gender_wanted: str = "",
) -> StandingArrangement:
    """The person (or a coordinator for them) proposes recurring help to a helper.

    Nobody is committed to recurring help without saying yes: the arrangement waits for the
    helper's answer, unless a coordinator records that the helper already agreed (by phone,
    say; audit-logged) or the helper is the one setting it up.
    """
    require(actor, "community.view", community)
    if person is None and not on_behalf_name:
        person = actor
    if person is not None and person.pk != actor.pk:
        require(actor, COORDINATE, community)
    if on_behalf_name:
        require(actor, COORDINATE, community)
        if not consent_given:
            raise invalid("consent_given", _("Please confirm that the person agreed to this."))
    title = (title or "").strip()
    if not 3 <= len(title) <= 120:
        raise invalid("title", _("Please give a short title of 3 to 120 characters."))
    if kind not in Kind.values:
        raise invalid("kind", _("Please choose one of the kinds."))
    if len(description or "") > 4000:
        raise invalid("description", _("Please use at most 4000 characters."))
    if len((on_behalf_name or "").strip()) > 80:
        raise invalid("on_behalf_name", _("Please use at most 80 characters."))
    if not 15 <= int(duration_minutes) <= 24 * 60:
        raise invalid("duration_minutes", _("Please give between 15 minutes and 24 hours."))
    _rule(rrule, dtstart, _zone(community))
    requirements = list(dict.fromkeys(requirements or ()))
    if any(code not in Requirement.values for code in requirements):
        raise invalid("requirements", _("Please choose among the listed requirements."))
    probe = Need(
        community=community,
        author=person,
        requirements=requirements,
        gender_wanted=gender_wanted if "same_gender" in requirements else "",
    )
    reason = refusal_for_helper(probe, helper)
    if reason:
        raise PermissionDenied(reason)
    if helper_agreed and helper.pk != actor.pk:
        require(actor, COORDINATE, community)
    agreed = helper_agreed or helper.pk == actor.pk
    now = timezone.now()
    arrangement = StandingArrangement.objects.create(
        community=community,
        person=person,
        on_behalf_name=on_behalf_name.strip()[:80],
        consent_recorded_at=timezone.now() if on_behalf_name else None,
        contact=actor if on_behalf_name else None,
        helper=helper,
        title=title,
        description=(description or "").strip()[:4000],
        kind=kind,
        rrule=rrule,
        dtstart=dtstart,
        duration_minutes=int(duration_minutes),
        requirements=probe.requirements,
        gender_wanted=probe.gender_wanted,
        materialised_until=dtstart - dt.timedelta(seconds=1),
        status=ArrangementStatus.ACTIVE if agreed else ArrangementStatus.PENDING,
        proposed_by=actor,
        helper_answered_at=now if agreed else None,
    )
    if helper_agreed and helper.pk != actor.pk:
        audit_record(
            actor=actor,
            action="arrangement.helper_agreed",
            community=community,
            target=arrangement,
            subject=helper,
            after={"helper": helper.public_id},
        )
    if agreed:
        arrangement_materialise(arrangement, now)
        tell(arrangement, actor, "started")
    else:
        tell_helper_proposed(arrangement, actor)
        tell(arrangement, actor, "proposed", helper_too=False)
    return arrangement


def arrangement_create_from_commitment(
    *,
    actor: User,
    commitment: Commitment,
    rrule: str,
    dtstart: dt.datetime,
    duration_minutes: int = 60,
    consent_given: bool = False,
    helper_agreed: bool = False,
) -> StandingArrangement:
    """Make help that worked once a standing arrangement: same person, helper, task and
    requirements (the helper is asked first, as for any arrangement)."""
    need = commitment.need
    if commitment.status not in ("active", "done_pending", "confirmed"):
        raise Conflict(_("This helper is no longer helping with this need."))
    return arrangement_create(
        actor=actor,
        community=need.community,
        helper=commitment.helper,
        title=need.title,
        rrule=rrule,
        dtstart=dtstart,
        person=need.author,
        on_behalf_name="" if need.author_id else need.on_behalf_name,
        consent_given=consent_given,
        description=need.description,
        kind=need.kind,
        duration_minutes=duration_minutes,
        helper_agreed=helper_agreed,
        requirements=need.requirements or [],
        gender_wanted=need.gender_wanted,
    )


def was_paused(need: Need) -> bool:
    """An occurrence cancelled because its arrangement was paused (and nothing else)."""
    return (
        need.status == "cancelled"
        and need.commitments.filter(end_reason=PAUSED_REASON).exists()
        and not need.commitments.filter(status__in=("active", "done_pending", "confirmed")).exists()
    )


def arrangement_materialise(arrangement: StandingArrangement, now: dt.datetime) -> int:
    """Create the needs (each with the helper's commitment) due within the horizon. Idempotent."""
    with transaction.atomic():
        arrangement = (
            StandingArrangement.objects.select_for_update()
            .select_related("community", "helper")
            .get(pk=arrangement.pk)
        )
        if arrangement.status != ArrangementStatus.ACTIVE:
            return 0
        until = now + HORIZON
        term = arrangement_terms([arrangement]).get(arrangement.pk)
        if term is not None:
            # Terms are half-open: an occurrence at the very end belongs to the next term.
            until = min(until, term.ends_at - dt.timedelta(microseconds=1))
        start = max(arrangement.materialised_until, now)
        zone = _zone(arrangement.community)
        rule = _rule(arrangement.rrule, arrangement.dtstart, zone)
        created = 0
        for when in _occurrences(rule, zone, start, until):
            ends = when + dt.timedelta(minutes=arrangement.duration_minutes)
            existing = Need.objects.filter(arrangement=arrangement, starts_at=when).first()
            if existing is not None:
                if not was_paused(existing):
                    continue
                # A date cancelled by a pause comes back when the arrangement resumes.
                existing.status, existing.status_changed_at = "open", now
                existing.save(update_fields=["status", "status_changed_at", "updated_at"])
                _commit(need=existing, helper=arrangement.helper, assigned_by=None, due_at=ends)
                created += 1
                continue
            need = Need.objects.create(
                community=arrangement.community,
                author=arrangement.person,
                posted_by=arrangement.contact or arrangement.person,
                contact=arrangement.contact,
                on_behalf_name=arrangement.on_behalf_name,
                consent_recorded_at=arrangement.consent_recorded_at,
                title=arrangement.title,
                description=arrangement.description,
                kind=arrangement.kind,
                requirements=list(arrangement.requirements or []),
                gender_wanted=arrangement.gender_wanted,
                urgency="flexible",
                starts_at=when,
                ends_at=ends,
                expires_at=ends,
                arrangement=arrangement,
                status_changed_at=now,
            )
            _commit(need=need, helper=arrangement.helper, assigned_by=None, due_at=ends)
            created += 1
        # Never backwards: a term imposed later does not re-open dates already considered.
        arrangement.materialised_until = max(arrangement.materialised_until, until)
        arrangement.save(update_fields=["materialised_until", "updated_at"])
        return created
