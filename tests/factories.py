"""Test data built through the services, so tests see the same rows production would."""

from __future__ import annotations

import itertools

import factory

from mutua.communities.models import Community, Membership, ServiceArea
from mutua.communities.services import community_create
from mutua.core.permissions import forget_memberships
from mutua.people.models import User
from mutua.people.services import profile_ensure

_seq = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    password = factory.django.Password("correct horse battery")
    is_active = True

    @factory.post_generation
    def profile(obj, create, extracted, **kwargs):
        if create:
            profile_ensure(user=obj, display_name=extracted or f"Person {obj.pk}")


def make_user(name: str = "", email: str = "") -> User:
    n = next(_seq)
    user = UserFactory(email=email or f"user{n}@example.org", profile=name or f"Neighbour {n}")
    from allauth.account.models import EmailAddress

    EmailAddress.objects.create(user=user, email=user.email, verified=True, primary=True)
    return user


def make_community(creator: User | None = None, **kwargs) -> Community:
    creator = creator or make_user("Steward")
    n = next(_seq)
    kwargs.setdefault("name", f"Community {n}")
    kwargs.setdefault("slug", f"community-{n}")
    return community_create(creator=creator, **kwargs)


def add_member(
    community: Community, user: User | None = None, role: str = "member", **fields
) -> Membership:
    """Put a person in a community with a role, bypassing the join policy (test setup only)."""
    user = user or make_user()
    membership, _ = Membership.objects.update_or_create(
        community=community, user=user, defaults={"role": role, "status": "active", **fields}
    )
    forget_memberships(user)
    return membership


def make_area(
    community: Community,
    name: str = "",
    lat: float = 51.5,
    lon: float = -0.12,
    parent: ServiceArea | None = None,
) -> ServiceArea:
    n = next(_seq)
    return ServiceArea.objects.create(
        community=community,
        name=name or f"Area {n}",
        slug=f"area-{n}",
        centre_lat=lat,
        centre_lon=lon,
        parent=parent,
    )


def steward_of(community: Community) -> User:
    return Membership.objects.get(community=community, role="steward").user
