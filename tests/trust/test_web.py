"""Trust pages: my trust, a member's level, vouching, concerns and the coordinators' overview."""

from __future__ import annotations

from mutua.communities.models import Membership
from mutua.trust import services
from mutua.trust.models import Concern, TrustScore, Vouch
from tests.trust.helpers import vouch


def _membership(user, community):
    return Membership.objects.get(user=user, community=community)


def test_my_trust_shows_my_level_and_how_trust_grows_but_never_a_score(client, cast):
    vouch(cast.community, cast.steward, cast.member)
    services.trust_recompute(cast.community)
    score = TrustScore.objects.get(membership__user=cast.member)
    client.force_login(cast.member)
    page = client.get("/c/riverside/trust/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Known" in text and "How trust grows" in text and "Sam Steward" in text
    assert f"{score.normalised:.2f}" not in text and str(score.score) not in text


def test_a_members_page_shows_their_level_to_members(client, cast):
    services.trust_recompute(cast.community)
    client.force_login(cast.caller)
    m = _membership(cast.member, cast.community)
    page = client.get(f"/c/riverside/members/{m.public_id}/")
    assert page.status_code == 200
    assert "Trust level here" in page.content.decode()


def test_vouching_from_a_members_page(client, cast):
    client.force_login(cast.steward)
    m = _membership(cast.member, cast.community)
    r = client.post(f"/c/riverside/trust/members/{m.public_id}/vouch/", {"note": "Neighbour"})
    assert r.status_code == 302
    assert Vouch.objects.get().note == "Neighbour"


def test_a_new_member_is_told_why_they_cannot_vouch(client, cast):
    services.trust_recompute(cast.community)
    client.force_login(cast.member)
    m = _membership(cast.caller, cast.community)
    # the member's page explains instead of offering the form
    page = client.get(f"/c/riverside/members/{m.public_id}/").content.decode()
    assert "To vouch for other members" in page and "Vouch for this person" not in page
    # and a post anyway is refused with the same reason
    r = client.post(f"/c/riverside/trust/members/{m.public_id}/vouch/", follow=True)
    assert "To vouch for other members" in r.content.decode()
    assert not Vouch.objects.exists()


def test_reporting_a_concern_from_the_web(client, cast):
    client.force_login(cast.member)
    m = _membership(cast.caller, cast.community)
    assert client.get(f"/c/riverside/trust/concern/?about={m.public_id}").status_code == 200
    r = client.post("/c/riverside/trust/concern/", {"text": "Worried", "about": m.public_id})
    assert r.status_code == 302
    assert Concern.objects.get().about == cast.caller


def test_overview_and_recompute_are_for_coordinators(client, cast):
    client.force_login(cast.member)
    assert client.get("/c/riverside/trust/overview/").status_code == 403
    assert client.post("/c/riverside/trust/recompute/").status_code == 403
    client.force_login(cast.coordinator)
    assert client.post("/c/riverside/trust/recompute/").status_code == 302
    page = client.get("/c/riverside/trust/overview/")
    assert page.status_code == 200 and "Compute trust now" in page.content.decode()
    assert TrustScore.objects.filter(membership__community=cast.community).count() == 4


def test_the_need_page_tells_a_new_member_why_they_cannot_take_a_task_with_an_address(client, cast):
    from mutua.exchange import services as exchange

    need = exchange.need_post(
        actor=cast.caller, community=cast.community, title="Shopping", address="1 Long Lane"
    )
    services.trust_recompute(cast.community)
    client.force_login(cast.member)
    page = client.get(f"/c/riverside/needs/{need.public_id}/")
    assert page.status_code == 200
    assert "home address" in page.content.decode()


def test_trust_overview_query_count_does_not_grow_with_members(
    client, cast, django_assert_max_num_queries
):
    from tests.trust.helpers import member

    services.trust_recompute(cast.community)
    client.force_login(cast.coordinator)
    with django_assert_max_num_queries(40) as few:
        client.get("/c/riverside/trust/overview/")
    for _ in range(15):
        member(cast.community)
    services.trust_recompute(cast.community)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get("/c/riverside/trust/overview/")


def test_a_coordinator_lifts_a_suspension_from_the_review_queue(client, cast):
    # given a suspended member
    from mutua.core.models import AuditEntry
    from mutua.trust import safeguarding

    m = _membership(cast.member, cast.community)
    safeguarding.membership_suspend(
        actor=cast.coordinator, membership=m, reason="Checking a report"
    )
    # when a coordinator opens the review queue, the member is listed with a button
    client.force_login(cast.coordinator)
    page = client.get("/c/riverside/trust/overview/").content.decode()
    url = f"/c/riverside/trust/members/{m.public_id}/unsuspend/"
    assert "Suspended members" in page and url in page
    # and pressing it makes them active again, with an audit entry
    response = client.post(url)
    assert response.status_code == 302
    m.refresh_from_db()
    assert m.status == "active"
    assert AuditEntry.objects.filter(action="safeguarding.unsuspend").count() == 1
    assert url not in client.get("/c/riverside/trust/overview/").content.decode()


def test_members_cannot_lift_a_suspension(client, cast):
    from mutua.trust import safeguarding

    m = _membership(cast.caller, cast.community)
    safeguarding.membership_suspend(actor=cast.coordinator, membership=m, reason="Checking")
    client.force_login(cast.member)
    client.post(f"/c/riverside/trust/members/{m.public_id}/unsuspend/")
    m.refresh_from_db()
    assert m.status == "suspended"
