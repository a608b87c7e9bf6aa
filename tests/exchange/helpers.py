"""Test data for the exchange, built through its services."""

from __future__ import annotations

from mutua.exchange import services
from mutua.exchange.models import Need
from mutua.notify.models import Notification
from tests.factories import add_member, make_user


def post_need(community, author, **kwargs) -> Need:
    kwargs.setdefault("title", "Shopping for the week")
    return services.need_post(actor=author, community=community, **kwargs)


def new_member(community, name: str = "", role: str = "member", **fields):
    user = make_user(name or "")
    add_member(community, user, role=role, **fields)
    return user


def kinds_for(user) -> list[str]:
    return list(
        Notification.objects.filter(recipient=user).order_by("id").values_list("kind", flat=True)
    )
