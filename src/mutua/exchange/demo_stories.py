"""The rarer turns help takes, for the demo: needs posted on someone's behalf, a no-show, a
release by the stale sweep, follow-ups, a dispute, cancelled and expired needs, standing
arrangements (agreed, accepted and still waiting). Each story is made through the services and
skipped if life gets in the way (a member on a break, say)."""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Callable
from decimal import Decimal
from functools import partial

from mutua.communities.models import Community
from mutua.core.errors import DomainError
from mutua.exchange import services, sweeps
from mutua.exchange.models import Commitment, Need
from mutua.people.models import User

ON_BEHALF = [
    ("Shopping for Mrs Okafor", "errand", "Shopping", "Mrs Okafor"),
    ("Lift to the surgery for Mr Novak", "ride", "Transport", "Mr Novak"),
    ("A visit and a chat for Mrs Reilly", "companionship", "Company", "Mrs Reilly"),
]


def _backdate(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


def _try(story: Callable[[], object]) -> int:
    try:
        story()
    except DomainError:
        return 0
    return 1


def _on_behalf(community, coordinator, helper, rng, areas, now, i) -> None:
    title, kind, category, name = ON_BEHALF[i]
    need = services.need_post(
        actor=coordinator,
        community=community,
        title=title,
        kind=kind,
        category=category,
        urgency="day" if i == 2 else "week",
        service_area=areas[i % len(areas)] if areas else None,
        on_behalf_name=name,
        consent_given=True,
        consent_note="Agreed on the phone (demo).",
        contact_phone="(demo phone)",
    )
    if i == 2:
        return  # waits on the dispatch board
    commitment = services.commitment_assign(actor=coordinator, need=need, helper=helper)
    services.commitment_mark_done(actor=helper, commitment=commitment, hours=Decimal("1.5"))
    services.commitment_confirm(actor=coordinator, commitment=commitment)
    services.feedback_give(
        actor=helper, commitment=commitment, kind="thanks", text="Lovely to meet her."
    )
    when = now - dt.timedelta(days=rng.uniform(20, 90))
    _backdate(Need, need.pk, created_at=when, status_changed_at=when)
    _backdate(
        Commitment,
        commitment.pk,
        created_at=when,
        done_marked_at=when + dt.timedelta(days=1),
        confirmed_at=when + dt.timedelta(days=1),
        ended_at=when + dt.timedelta(days=1),
        dispute_until=when + dt.timedelta(days=15),
    )


def _no_show(community, person, helper, now) -> None:
    need = services.need_post(
        actor=person, community=community, title="Help carrying boxes to the car", kind="errand"
    )
    commitment = services.response_accept(
        actor=person, response=services.response_create(helper=helper, need=need)
    )
    services.commitment_report_no_show(
        actor=person, commitment=commitment, note="Nobody came and I could not reach them."
    )
    when = now - dt.timedelta(days=20)
    _backdate(Need, need.pk, created_at=when, status_changed_at=when)
    _backdate(Commitment, commitment.pk, created_at=when, no_show_reported_at=when)


def _released_by_sweep(community, person, helper, now) -> None:
    need = services.need_post(
        actor=person,
        community=community,
        title="Water my plants while I am away",
        kind="errand",
        allow_self_assign=True,
    )
    commitment = services.need_self_assign(helper=helper, need=need)
    when = now - dt.timedelta(days=3)
    _backdate(Need, need.pk, created_at=when - dt.timedelta(days=1))
    _backdate(Commitment, commitment.pk, created_at=when, due_at=when, release_at=now)
    sweeps.release_stale_commitments(now)


def _follow_up(community, person, helper, now) -> None:
    need = services.need_post(
        actor=person,
        community=community,
        title="Change a light bulb on the landing",
        kind="skill",
        allow_self_assign=True,
    )
    commitment = services.need_self_assign(helper=helper, need=need)
    services.commitment_mark_done(actor=helper, commitment=commitment, hours=Decimal("0.5"))
    services.commitment_confirm(actor=person, commitment=commitment)
    services.commitment_flag_follow_up(
        actor=helper,
        commitment=commitment,
        note="She seemed low and said she rarely sees anyone. Could someone call her?",
    )


def _dispute(community, person, helper) -> None:
    need = services.need_post(
        actor=person,
        community=community,
        title="Weekly shopping: the heavy things",
        kind="errand",
        category="Shopping",
        allow_self_assign=True,
    )
    commitment = services.need_self_assign(helper=helper, need=need)
    services.commitment_mark_done(actor=helper, commitment=commitment, hours=Decimal("1"))
    services.commitment_dispute(
        actor=person, commitment=commitment, reason="Only half of the shopping arrived."
    )


def _closed(community, person, now, title: str, status: str) -> None:
    need = services.need_post(actor=person, community=community, title=title, kind="goods")
    if status == "expired":
        when = now - dt.timedelta(days=40)
        _backdate(Need, need.pk, created_at=when, status_changed_at=when, expires_at=when)
        sweeps.expire_needs(now)
    else:
        services.need_close(actor=person, need=need, status=status)


def _arrangements(community, members, coordinator, rng, now) -> dict[str, int]:
    start = (now - dt.timedelta(days=60)).replace(hour=10, minute=0, second=0, microsecond=0)
    made = {"arrangements": 0, "arrangement_proposals": 0}
    person, helper = rng.sample(members, 2)
    if coordinator is not None:
        made["arrangements"] += _try(
            lambda: services.arrangement_create(
                actor=coordinator,
                community=community,
                person=person,
                helper=helper,
                helper_agreed=True,
                title="Shopping every Tuesday",
                rrule="FREQ=WEEKLY;BYDAY=TU",
                dtstart=start,
                kind="errand",
            )
        )
    person, helper = rng.sample(members, 2)

    def accepted():
        proposal = services.arrangement_create(
            actor=person,
            community=community,
            helper=helper,
            title="A cup of tea and a chat on Fridays",
            rrule="FREQ=WEEKLY;BYDAY=FR",
            dtstart=start,
            kind="companionship",
        )
        services.arrangement_answer(actor=helper, arrangement=proposal, accept=True)

    made["arrangements"] += _try(accepted)
    person, helper = rng.sample(members, 2)
    made["arrangement_proposals"] += _try(
        lambda: services.arrangement_create(
            actor=person,
            community=community,
            helper=helper,
            title="Help with the garden once a month",
            rrule="FREQ=MONTHLY",
            dtstart=now + dt.timedelta(days=5),
            kind="skill",
        )
    )
    return made


def build_stories(
    community: Community,
    members: list[User],
    rng: random.Random,
    now: dt.datetime,
    coordinator: User | None,
    areas: list,
) -> dict[str, int]:
    """The stories, each with its own people; returns how many of each were made."""
    counts = {
        "on_behalf": 0,
        "no_shows": 0,
        "released": 0,
        "follow_ups": 0,
        "disputes": 0,
        "cancelled": 0,
        "expired": 0,
    }

    def pair() -> tuple[User, User]:
        person, helper = rng.sample(members, 2)
        return person, helper

    if coordinator is not None:
        for i in range(len(ON_BEHALF)):
            helper = rng.choice([m for m in members if m.pk != coordinator.pk])
            counts["on_behalf"] += _try(
                partial(_on_behalf, community, coordinator, helper, rng, areas, now, i)
            )
    p, h = pair()
    counts["no_shows"] += _try(lambda: _no_show(community, p, h, now))
    p, h = pair()
    counts["released"] += _try(lambda: _released_by_sweep(community, p, h, now))
    p, h = pair()
    counts["follow_ups"] += _try(lambda: _follow_up(community, p, h, now))
    p, h = pair()
    counts["disputes"] += _try(lambda: _dispute(community, p, h))
    for title, status in (
        ("Spare duvet for a guest", "cancelled"),
        ("Borrow a slow cooker", "not_needed"),
    ):
        person = rng.choice(members)
        counts["cancelled"] += _try(partial(_closed, community, person, now, title, status))
    for title in ("Jigsaw puzzles for the winter", "A cot for a visiting baby"):
        person = rng.choice(members)
        counts["expired"] += _try(partial(_closed, community, person, now, title, "expired"))
    counts.update(_arrangements(community, members, coordinator, rng, now))
    return counts
