"""Scarce things under real concurrency: a single-use invitation has exactly one winner."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from mutua.communities.models import Invitation, Membership
from mutua.communities.services import invitation_accept, invitation_create
from mutua.core.errors import Conflict
from tests.factories import make_community, make_user


def _accept_in_threads(users, token) -> list[object]:
    barrier = threading.Barrier(len(users))
    results: list[object] = [None] * len(users)

    def run(i, user):
        try:
            barrier.wait(timeout=10)
            results[i] = invitation_accept(user=user, token=token)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, u)) for i, u in enumerate(users)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_two_people_accepting_the_same_link_at_once_make_exactly_one_membership():
    assert connection.vendor != "sqlite" or "memory" not in str(connection.settings_dict["NAME"])
    steward = make_user()
    community = make_community(steward, join_policy="invitation")

    for _round in range(3):
        first, second = make_user(), make_user()
        invitation, token = invitation_create(actor=steward, community=community)

        results = _accept_in_threads([first, second], token)

        winners = [r for r in results if isinstance(r, Membership)]
        losers = [r for r in results if isinstance(r, Exception)]
        assert len(winners) == 1, results
        assert len(losers) == 1 and isinstance(losers[0], Conflict), results
        assert Membership.objects.filter(user__in=[first, second], community=community).count() == 1
        invitation.refresh_from_db()
        assert invitation.used_by == winners[0].user
    assert Invitation.objects.filter(used_at__isnull=False).count() == 3
