"""The exchange on a real PostgreSQL: the last free place under threads, and the outbox.

Run in the PostgreSQL process (DATABASE_URL pointing at PostgreSQL); see tests/integration.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading

import pytest
from django.core import mail
from django.db import connections
from django.utils import timezone

from mutua.core.errors import Conflict
from mutua.exchange import services
from mutua.exchange.models import Commitment, Need, Response
from mutua.notify.models import OutboxMessage
from mutua.notify.services import outbox_deliver_due
from tests.factories import add_member, make_community, make_user

pytestmark = [pytest.mark.postgres]


@contextlib.contextmanager
def queue_without_worker():
    """huey out of immediate mode with no consumer: enqueued tasks never run (then dropped)."""
    from huey.contrib.djhuey import HUEY

    HUEY.immediate = False
    try:
        yield
    finally:
        HUEY.flush()
        HUEY.immediate = True


def _member(community, name: str):
    user = make_user(name, f"{name.lower().replace(' ', '.')}@example.org")
    add_member(community, user)
    return user


def _race(helpers, action) -> list[object]:
    """Run `action(helper)` for every helper at the same moment; collect results or errors."""
    barrier = threading.Barrier(len(helpers))
    results: list[object] = [None] * len(helpers)

    def run(i: int, helper) -> None:
        try:
            barrier.wait(timeout=10)
            results[i] = action(helper)
        except Exception as exc:  # collected and asserted on below
            results[i] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, h)) for i, h in enumerate(helpers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    return results


def test_helpers_taking_the_last_free_place_at_once_leave_exactly_one_winner(transactional_db):
    # given a need with two places, one already taken, that helpers may take directly
    community = make_community(make_user("Ada Steward"))
    person = _member(community, "Pat Person")
    need = services.need_post(
        actor=person,
        community=community,
        title="Move a sofa",
        helpers_wanted=2,
        allow_self_assign=True,
    )
    services.need_self_assign(helper=_member(community, "First Helper"), need=need)
    helpers = [_member(community, f"Racer {i}") for i in range(6)]
    # when six helpers take the last place at the same moment
    results = _race(helpers, lambda h: services.need_self_assign(helper=h, need=need))
    # then exactly one wins and the others get a clear Conflict, nothing else
    winners = [r for r in results if isinstance(r, Commitment)]
    losers = [r for r in results if isinstance(r, Conflict)]
    assert len(winners) == 1, results
    assert len(losers) == 5, results
    assert all("places" in r.message and "taken" in r.message for r in losers)
    # and the need holds exactly its two places and says it is full
    assert Commitment.objects.filter(need=need, status="active").count() == 2
    assert Need.objects.get(pk=need.pk).status == "committed"


def test_the_free_place_beside_finished_help_has_exactly_one_winner(transactional_db):
    # given a need for two whose first helper has already marked the help done
    community = make_community(make_user("Ada Steward"))
    person = _member(community, "Pat Person")
    need = services.need_post(
        actor=person, community=community, title="Paint the fence", helpers_wanted=2,
        allow_self_assign=True,
    )  # fmt: skip
    first = services.need_self_assign(helper=_member(community, "First Helper"), need=need)
    services.commitment_mark_done(actor=first.helper, commitment=first, hours=2)
    assert Need.objects.get(pk=need.pk).status == "partly_committed"
    helpers = [_member(community, f"Racer {i}") for i in range(5)]
    # when five helpers take the free place at the same moment
    results = _race(helpers, lambda h: services.need_self_assign(helper=h, need=need))
    # then exactly one wins, the others are told clearly, and the need is full and under way
    assert sum(isinstance(r, Commitment) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 4, results
    assert Need.objects.get(pk=need.pk).status == "in_progress"


def test_accepting_several_offers_for_the_last_place_at_once_gives_one_place(transactional_db):
    # given a one-place need with offers of help from four members
    community = make_community(make_user("Ada Steward"))
    person = _member(community, "Pat Person")
    coordinator = make_user("Cleo Coordinator")
    add_member(community, coordinator, role="coordinator")
    need = services.need_post(actor=person, community=community, title="Lift to the clinic")
    offers = [
        services.response_create(helper=_member(community, f"Driver {i}"), need=need)
        for i in range(4)
    ]
    # when the person and the coordinator accept different offers at the same moment
    pairs = [(person if i % 2 else coordinator, r) for i, r in enumerate(offers)]
    results = _race(pairs, lambda p: services.response_accept(actor=p[0], response=p[1]))
    # then one acceptance makes the commitment and the others are told the places are taken
    assert sum(isinstance(r, Commitment) for r in results) == 1, results
    assert sum(isinstance(r, Conflict) for r in results) == 3, results
    assert Commitment.objects.filter(need=need).count() == 1
    assert Response.objects.filter(need=need, status="accepted").count() == 1


def test_a_change_commits_its_notification_and_a_later_delivery_sends_it(transactional_db):
    # given a member's need
    community = make_community(make_user("Ada Steward"))
    person = _member(community, "Pat Person")
    helper = _member(community, "Hana Helper")
    need = services.need_post(actor=person, community=community, title="Walk the dog")
    # when a helper offers to help and the process dies right after the commit: the queue's
    # wake-up for the sender is enqueued but no worker ever runs it
    with queue_without_worker():
        services.response_create(helper=helper, need=need, proposed_time="Friday")
    connections.close_all()
    # then the notification is already in the outbox, pending, as a fresh connection sees it
    pending = OutboxMessage.objects.filter(recipient=person, kind="exchange_response_new")
    assert pending.count() >= 1
    assert set(pending.values_list("status", flat=True)) == {"pending"}
    assert mail.outbox == []
    # when the sender runs later (after a restart), past any quiet hours
    outbox_deliver_due(now=timezone.now() + dt.timedelta(days=1))
    # then the e-mail is sent and the row records it
    assert [m.to for m in mail.outbox] == [["pat.person@example.org"]]
    assert set(pending.values_list("status", flat=True)) == {"sent"}


def test_a_failed_change_writes_no_notification(transactional_db):
    # given a need whose only place is taken
    community = make_community(make_user("Ada Steward"))
    person = _member(community, "Pat Person")
    need = services.need_post(
        actor=person, community=community, title="Fix a tap", allow_self_assign=True
    )
    services.need_self_assign(helper=_member(community, "First Helper"), need=need)
    before = OutboxMessage.objects.count()
    # when another helper tries to take it and is refused
    with pytest.raises(Conflict):
        services.need_self_assign(helper=_member(community, "Late Helper"), need=need)
    # then the refusal rolled back: no notification was written for it
    assert OutboxMessage.objects.count() == before
