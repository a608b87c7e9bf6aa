"""Builds the deterministic demo community. Extended by each capability as it lands.

People are planned from a seed first (`plan.py`, no database), then written through the
services, so the audit log reads as it would in real life. Writes go in short transactions of
BATCH people: on SQLite every transaction holds the write lock, and the site stays responsive.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace

from allauth.account.models import EmailAddress
from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from mutua.communities import services as cs
from mutua.communities.models import Community, Membership, ServiceArea
from mutua.core.permissions import forget_memberships
from mutua.demo import data
from mutua.demo.plan import COMMUNITY_SKILL, DemoPerson, invitee_emails, plan_people
from mutua.people import services as ps
from mutua.people.models import Skill, User

DEMO_PASSWORD = "mutua-demo"
DEMO_LOGINS: list[tuple[str, str]] = [
    ("steward", "steward@demo.mutua.local"),
    ("coordinator", "coordinator@demo.mutua.local"),
    ("caller", "caller@demo.mutua.local"),
    ("member", "member@demo.mutua.local"),
]
DEFAULT_SEED = 1871
DEFAULT_SIZE = 150
BATCH = 25

Progress = Callable[[str], None]


@dataclass
class DemoWorld:
    """What was built, for the command's summary and for tests."""

    riverside: Community
    hillside: Community
    users: dict[str, User] = field(default_factory=dict)  # by e-mail
    people: list[DemoPerson] = field(default_factory=list)


def _batches(items: Sequence, size: int = BATCH) -> Iterator[Sequence]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def _as(user: User) -> User:
    """Act as `user` with fresh permissions (roles change while the demo is built)."""
    forget_memberships(user)
    return user


def build_people(people: list[DemoPerson], say: Progress) -> dict[str, User]:
    """Accounts with a verified e-mail and the demo password, profiles, availability, details."""
    password = make_password(DEMO_PASSWORD)  # Argon2 is slow on purpose: hash once, share it
    today = timezone.localdate()
    users: dict[str, User] = {}
    for batch in _batches(people):
        with transaction.atomic():
            created = User.objects.bulk_create(
                [User(email=p.email, password=password) for p in batch]
            )
            EmailAddress.objects.bulk_create(
                [EmailAddress(user=u, email=u.email, verified=True, primary=True) for u in created]
            )
            for p, user in zip(batch, created, strict=True):
                users[p.email] = user
                ps.profile_ensure(user=user, display_name=p.name)
                ps.profile_update(
                    user=user,
                    bio=p.bio,
                    languages=p.languages,
                    free_tags=p.free_tags,
                    capacity_status=p.capacity,
                    break_until=today + dt.timedelta(days=p.break_days) if p.break_days else None,
                    has_car=p.has_car,
                    has_accessible_vehicle=p.has_accessible_vehicle,
                    preferred_channel=p.channel,
                    quiet_hours_start=dt.time(21) if p.quiet_hours else None,
                    quiet_hours_end=dt.time(8) if p.quiet_hours else None,
                    preferred_language=p.preferred_language,
                )
                ps.availability_set(
                    user=user, windows=[ps.Window(d, s, e) for d, s, e in p.windows]
                )
                if p.phone or p.address:
                    ps.sensitive_update(
                        user=user,
                        phone=p.phone,
                        address=p.address,
                        access_notes=p.access_notes,
                        health_consent=bool(p.health_notes) or None,
                        health_notes=p.health_notes or None,
                    )
        say(f"  people {len(users)}/{len(people)}")
    return users


def build_areas(
    *, steward: User, community: Community, town: tuple, neighbourhoods: Sequence[tuple]
) -> dict[str, ServiceArea]:
    """A town and its neighbourhoods, nested."""
    slug, name, lat, lon = town[:4]
    parent = cs.area_create(
        actor=steward, community=community, name=name, slug=slug, centre_lat=lat, centre_lon=lon
    )
    areas = {slug: parent}
    for slug, name, lat, lon, *_ in neighbourhoods:
        areas[slug] = cs.area_create(
            actor=steward,
            community=community,
            name=name,
            slug=slug,
            centre_lat=lat,
            centre_lon=lon,
            parent=parent,
        )
    return areas


def build_members(
    *,
    community: Community,
    people: list[DemoPerson],
    users: dict[str, User],
    areas: dict[str, ServiceArea],
    skills: dict[str, int],
    say: Progress,
    label: str,
    set_skills: bool = True,
) -> dict[str, Membership]:
    """Join (the community is open while it is founded), choose an area, list one's skills."""
    memberships: dict[str, Membership] = {}
    flood = skills.get(slugify(COMMUNITY_SKILL[0]))
    for batch in _batches(people):
        with transaction.atomic():
            for p in batch:
                user = users[p.email]
                if not Membership.objects.filter(community=community, user=user).exists():
                    cs.membership_join(user=user, community=community)
                area = areas.get(p.area) or next(iter(areas.values()))
                memberships[p.email] = cs.membership_update_self(
                    user=user, community=community, service_area=area
                )
                if set_skills:
                    ids = [skills[s] for s in p.skills if s in skills]
                    if p.has_flood_skill and flood:
                        ids.append(flood)
                    ps.profile_set_skills(user=user, skill_ids=ids)
        say(f"  {label} members {len(memberships)}/{len(people)}")
    return memberships


def build_roles(
    *,
    community: Community,
    people: list[DemoPerson],
    users: dict[str, User],
    memberships: dict[str, Membership],
) -> None:
    """Stewards name stewards and coordinators; coordinators name callers; two custom roles."""
    steward = _as(users[people[0].email])
    coordinator = users[people[1].email]
    with transaction.atomic():
        for p in people[1:]:
            if p.role in ("steward", "coordinator"):
                cs.membership_change_role(
                    actor=_as(steward), membership=memberships[p.email], role=p.role
                )
        for p in people:
            if p.role == "caller":
                cs.membership_change_role(
                    actor=_as(coordinator), membership=memberships[p.email], role="caller"
                )
        roles = {
            "Welcome team": ["application.decide", "member.invite"],
            "Safeguarding lead": ["audit.read_safeguarding", "sensitive.read"],
        }
        for name, permissions in roles.items():
            role = cs.custom_role_create(
                actor=_as(steward), community=community, name=name, permissions=permissions
            )
            for p in people:
                if p.custom_role == name:
                    cs.custom_role_assign(actor=steward, membership=memberships[p.email], role=role)


def build_safeguarding(
    *,
    people: list[DemoPerson],
    users: dict[str, User],
    memberships: dict[str, Membership],
) -> None:
    """Vetted helpers, vulnerable members (one opts into the directory), a few logged reads."""
    coordinator = _as(users[people[1].email])
    caller = _as(users[people[2].email])
    today = timezone.localdate()
    vulnerable = [p for p in people if p.is_vulnerable]
    with transaction.atomic():
        for p in people:
            if p.vetted_days:
                cs.membership_set_attributes(
                    actor=coordinator,
                    membership=memberships[p.email],
                    vetted_until=today + dt.timedelta(days=p.vetted_days),
                )
        for p in vulnerable:
            cs.membership_set_attributes(
                actor=coordinator, membership=memberships[p.email], is_vulnerable=True
            )
            if p.opts_into_directory:
                membership = memberships[p.email]
                cs.membership_update_self(
                    user=users[p.email], community=membership.community, listed_in_directory=True
                )
        home = memberships[vulnerable[0].email].community
        ps.sensitive_read(
            viewer=coordinator,
            person=users[vulnerable[0].email],
            purpose="check-in",
            community=home,
        )
        ps.sensitive_phones_read(
            viewer=caller, community=home, people=[users[vulnerable[-1].email]]
        )


def build_community(
    people: list[DemoPerson],
    users: dict[str, User],
    skills: dict[str, int],
    say: Progress,
    seed: int,
) -> Community:
    """Riverside Mutual Aid: founded open, then taking members by application."""
    members = [p for p in people if p.kind == "member"]
    steward = _as(users[members[0].email])
    coordinator = users[members[1].email]
    community = cs.community_create(
        creator=steward,
        name="Riverside Mutual Aid",
        slug="riverside",
        description=(
            "Neighbours in Riverside helping neighbours: shopping, lifts, a friendly call, a "
            "hand with forms. Everyone gives and receives according to their capacity."
        ),
        time_zone="Europe/London",
        join_policy="open",
        emergency_number="999",
        location_cell_m=500,
    )
    areas = build_areas(
        steward=steward, community=community, town=data.TOWN, neighbourhoods=data.NEIGHBOURHOODS
    )
    flood = cs.skill_add(
        actor=steward, community=community, name=COMMUNITY_SKILL[0], category=COMMUNITY_SKILL[1]
    )
    skills = {**skills, flood.slug: flood.pk}
    memberships = build_members(
        community=community,
        people=members,
        users=users,
        areas=areas,
        skills=skills,
        say=say,
        label="Riverside",
    )
    build_roles(community=community, people=members, users=users, memberships=memberships)
    build_safeguarding(people=members, users=users, memberships=memberships)
    with transaction.atomic():
        cs.community_update(
            actor=_as(steward),
            community=community,
            join_policy="application",
            application_questions=data.APPLICATION_QUESTIONS,
        )
        community.refresh_from_db()
        for p in people:
            if p.kind in ("approved", "applicant"):
                application = cs.application_submit(
                    user=users[p.email], community=community, answers=p.answers
                )
                if p.kind == "approved":
                    cs.application_decide(
                        actor=_as(coordinator), application=application, approve=True
                    )
    with transaction.atomic():
        for email in invitee_emails(seed):
            cs.invitation_create(actor=_as(coordinator), community=community, email=email)
        cs.invitation_create(actor=coordinator, community=community)  # a link to share
    say("  Riverside: roles, vetting, applications and invitations done")
    return community


def build_hillside(
    people: list[DemoPerson], users: dict[str, User], skills: dict[str, int], say: Progress
) -> Community:
    """A smaller open community up the hill; a few Riverside members belong to both."""
    own = [p for p in people if p.kind == "hillside"]
    hill_areas = [a[0] for a in data.HILLSIDE_AREAS]
    shared = [
        replace(p, area=hill_areas[i % len(hill_areas)])
        for i, p in enumerate(p for p in people if p.also_hillside)
    ]
    steward = _as(users[own[0].email])
    community = cs.community_create(
        creator=steward,
        name="Hillside Neighbours",
        slug="hillside",
        description="A few streets up the hill looking out for each other. Anyone can join.",
        time_zone="Europe/London",
        join_policy="open",
        emergency_number="999",
        location_cell_m=1000,
    )
    areas = build_areas(
        steward=steward,
        community=community,
        town=data.HILLSIDE,
        neighbourhoods=[(*a, 1) for a in data.HILLSIDE_AREAS],
    )
    for people_, set_skills, label in (
        (own, True, "Hillside"),
        (shared, False, "Hillside (also in Riverside)"),
    ):
        build_members(
            community=community,
            people=people_,
            users=users,
            areas=areas,
            skills=skills,
            say=say,
            label=label,
            set_skills=set_skills,
        )
    return community


def build_history(community: Community, seed: int) -> dict:
    """Needs, offers and exchanges among the community's active members (exchange app)."""
    import random

    from mutua.exchange.demo import build_exchanges

    members = [
        m.user
        for m in community.memberships.filter(status="active", is_vulnerable=False)
        .select_related("user")
        .order_by("created_at", "id")
    ]
    return build_exchanges(community, members, random.Random(seed + 1))


def build_demo(
    seed: int = DEFAULT_SEED, size: int = DEFAULT_SIZE, progress: Progress | None = None
) -> DemoWorld:
    """The whole demo: Riverside (`size` members) and Hillside, deterministic for a seed."""
    say = progress or (lambda _line: None)
    people = plan_people(seed, size)
    skills = dict(Skill.objects.filter(community__isnull=True).values_list("slug", "id"))
    if not skills:
        raise RuntimeError("The shared skill list is missing; run `mutua migrate` first.")
    say(f"Creating {len(people)} people…")
    users = build_people(people, say)
    say("Building Riverside Mutual Aid…")
    riverside = build_community(people, users, skills, say, seed)
    say("Building Hillside Neighbours…")
    hillside = build_hillside(people, users, skills, say)
    say("Adding six months of needs, offers and exchanges…")
    build_history(riverside, seed)
    say("Recording the exchanges as time credits…")
    from mutua.ledger.demo import build_ledger

    build_ledger(riverside)
    say("Setting up check-in plans and care circles…")
    from mutua.care.demo import build_care

    build_care(riverside)
    say("Computing trust levels…")
    from mutua.trust.demo import build_trust

    build_trust(riverside)
    say("Planning today's dispatch and suggesting helpers…")
    from mutua.matching.demo import build_matching

    build_matching(riverside)
    return DemoWorld(riverside=riverside, hillside=hillside, users=users, people=people)
