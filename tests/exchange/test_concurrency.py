"""The last free place under real threads on the file SQLite database: exactly one winner."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from mutua.core.errors import Conflict
from mutua.exchange import services
from mutua.exchange.models import Commitment
from tests.exchange.helpers import new_member, post_need
from tests.factories import make_community, make_user


def _take_in_threads(helpers, need) -> list[object]:
    barrier = threading.Barrier(len(helpers))
    results: list[object] = [None] * len(helpers)

    def run(i, helper):
        try:
            barrier.wait(timeout=10)
            results[i] = services.need_self_assign(helper=helper, need=need)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, h)) for i, h in enumerate(helpers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


@pytest.mark.django_db(transaction=True)
def test_several_helpers_taking_the_last_place_at_once_leave_exactly_one_winner():
    assert connection.vendor != "sqlite" or "memory" not in str(connection.settings_dict["NAME"])
    # given a need with two places, one already taken
    steward = make_user("Steward")
    community = make_community(steward)
    person = new_member(community, "Person")
    need = post_need(community, person, allow_self_assign=True, helpers_wanted=2)
    services.need_self_assign(helper=new_member(community, "First"), need=need)
    helpers = [new_member(community, f"Helper {i}") for i in range(5)]
    # when five helpers take the last place at the same moment
    results = _take_in_threads(helpers, need)
    # then exactly one wins, the others get a clear Conflict, and the need is full
    winners = [r for r in results if isinstance(r, Commitment)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1, results
    assert len(losers) == 4, results
    assert all("taken" in r.message for r in losers)
    assert Commitment.objects.filter(need=need, status="active").count() == 2
    need.refresh_from_db()
    assert need.status == "committed"
