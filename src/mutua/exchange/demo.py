"""Six months of needs, offers and exchanges for the demo community, made through the services.

`build_exchanges(community, members, rng)` is called by the demo builder. History is backdated
afterwards with `.update()` (created_at, confirmed_at), never by moving the clock. Besides the
ordinary help (taken directly, offered and accepted, or assigned by a coordinator; thanked,
with expenses repaid) the stories in `demo_stories.py` show what else happens: needs posted on
someone's behalf, a no-show, a release by the sweep, follow-ups and a dispute, cancelled and
expired needs, standing arrangements.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal

from django.utils import timezone

from mutua.communities.models import Community, Membership
from mutua.core.errors import DomainError
from mutua.exchange import services
from mutua.exchange.demo_stories import build_stories
from mutua.exchange.models import Commitment, Need, Offer
from mutua.people.models import User

NEEDS = [
    ("Weekly shopping for groceries", "errand", "Shopping"),
    ("Lift to the hospital appointment", "ride", "Transport"),
    ("Help moving a sofa upstairs", "errand", "Moving"),
    ("Someone to chat with over tea", "companionship", "Company"),
    ("Fix a dripping kitchen tap", "skill", "Repairs"),
    ("Help filling in a housing form", "knowledge", "Paperwork"),
    ("Walk my dog while I recover", "errand", "Pets"),
    ("Borrow a baby car seat for a week", "goods", "Things"),
    ("Collect a prescription from the pharmacy", "errand", "Shopping"),
    ("English conversation practice", "knowledge", "Languages"),
    ("Set up a video call with my grandchildren", "skill", "Technology"),
    ("Winter coat for a child, age 8", "goods", "Things"),
]
CATEGORIES = sorted({c for _t, _k, c in NEEDS})
OFFERS = [
    ("Ladder and drill to lend", "goods"),
    ("Two hours of gardening on Saturdays", "skill"),
    ("Driving on weekday mornings", "ride"),
    ("Help with phones and computers", "skill"),
    ("Cooking an extra portion on Sundays", "goods"),
    ("Spanish and English translation", "knowledge"),
]
THANKS = [
    "Thank you so much, it made my week.",
    "You were very kind and patient. Thank you.",
    "Thanks for coming so quickly!",
]
WHEN = ["Tomorrow morning", "Saturday after ten", "Any evening this week"]


def backdate(model, pk: int, **fields) -> None:
    model.objects.filter(pk=pk).update(**fields)


def coordinator_of(community: Community) -> User | None:
    m = (
        Membership.objects.filter(community=community, status="active", role="coordinator")
        .select_related("user")
        .order_by("id")
        .first()
    )
    return m.user if m else None


def _commit(rng, need, person, helper, coordinator) -> Commitment:
    """Someone takes the need the way it happens in life: directly, by offering, or assigned."""
    way = rng.random()
    if way < 0.45 or coordinator is None:
        return services.need_self_assign(helper=helper, need=need)
    if way < 0.8:
        response = services.response_create(
            helper=helper, need=need, proposed_time=rng.choice(WHEN), message="Happy to help."
        )
        return services.response_accept(actor=person, response=response)
    return services.commitment_assign(actor=coordinator, need=need, helper=helper)


def _history(community, members, rng, now, counts, coordinator, areas) -> None:
    for _i in range(60):
        title, kind, category = rng.choice(NEEDS)
        person, helper = rng.sample(members, 2)
        days_ago = rng.uniform(0, 180)
        try:
            need = services.need_post(
                actor=person,
                community=community,
                title=title,
                kind=kind,
                category=category,
                urgency=rng.choice(["day", "week", "flexible", "flexible"]),
                service_area=rng.choice(areas) if areas and rng.random() < 0.7 else None,
                allow_self_assign=True,
                address="(demo address)" if rng.random() < 0.5 else "",
            )
            counts["needs"] += 1
            created = now - dt.timedelta(days=days_ago)
            backdate(Need, need.pk, created_at=created, status_changed_at=created)
            if days_ago < 7 and rng.random() < 0.6:
                continue  # recent needs stay open for the dispatch board
            commitment = _commit(rng, need, person, helper, coordinator)
            services.commitment_mark_done(
                actor=helper, commitment=commitment, hours=Decimal(rng.choice([1, 1.5, 2, 3]))
            )
            services.commitment_confirm(actor=person, commitment=commitment)
            if rng.random() < 0.5:
                services.feedback_give(
                    actor=person, commitment=commitment, kind="thanks", text=rng.choice(THANKS)
                )
            if kind == "errand" and rng.random() < 0.3:
                expense = services.expense_record(
                    actor=helper,
                    commitment=commitment,
                    amount=Decimal(rng.randint(5, 60)),
                    note="shopping",
                )
                services.expense_mark_repaid(actor=person, expense=expense)
            done_at = created + dt.timedelta(days=rng.uniform(0.2, 3))
            backdate(
                Commitment,
                commitment.pk,
                created_at=created + dt.timedelta(hours=2),
                done_marked_at=done_at,
                confirmed_at=done_at + dt.timedelta(hours=5),
                ended_at=done_at + dt.timedelta(hours=5),
                due_at=done_at,
                release_at=done_at + dt.timedelta(days=1),
                dispute_until=done_at + dt.timedelta(days=14),
            )
            counts["exchanges"] += 1
        except DomainError:
            continue  # a member on a break, say: skip, as life would


def build_exchanges(community: Community, members: list[User], rng: random.Random) -> dict:
    """Create ~6 months of history: mostly completed exchanges, some open needs and offers,
    and the rarer turns help takes (see demo_stories.py)."""
    now = timezone.now()
    counts = {"needs": 0, "exchanges": 0, "offers": 0}
    if len(members) < 2:
        return counts
    coordinator = coordinator_of(community)
    if coordinator is not None:
        services.exchange_settings_update(
            actor=coordinator, community=community, categories=CATEGORIES
        )
    areas = list(community.areas.order_by("pk"))
    _history(community, members, rng, now, counts, coordinator, areas)
    for title, kind in OFFERS:
        owner = rng.choice(members)
        try:
            offer = services.offer_post(
                owner=owner, community=community, title=title, kind=kind, days=rng.randint(10, 60)
            )
        except DomainError:
            continue
        backdate(Offer, offer.pk, created_at=now - dt.timedelta(days=rng.uniform(0, 30)))
        counts["offers"] += 1
    counts.update(build_stories(community, members, rng, now, coordinator, areas))
    return counts
