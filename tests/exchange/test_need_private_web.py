"""Changing a need's private details on the web: the person or a coordinator, audited, never
for other members or the helper, never once the need is closed."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import services
from mutua.exchange.models import NeedPrivate
from tests.exchange.helpers import new_member, post_need

NEW = {
    "private-address": "3 Ferry Road, flat 2",
    "private-access_notes": "Ring twice; the lift is broken.",
    "private-contact_phone": "+44 1632 960123",
}


@pytest.fixture
def need(cast):
    return post_need(
        cast.community,
        cast.member,
        allow_self_assign=True,
        address="12 Mill Lane",
        access_notes="Key under the mat",
    )


def _urls(cast, need) -> tuple[str, str]:
    args = [cast.community.slug, need.public_id]
    return reverse("exchange:need_edit", args=args), reverse(
        "exchange:need_private_edit", args=args
    )


def _private(need) -> tuple[str, str, str]:
    p = NeedPrivate.objects.get(need=need)
    return p.address, p.access_notes, p.contact_phone


def test_the_person_sees_and_changes_the_private_details(client, cast, need):
    edit_url, private_url = _urls(cast, need)
    client.force_login(cast.member)
    page = client.get(edit_url)
    assert page.status_code == 200
    assert b"12 Mill Lane" in page.content and b"Key under the mat" in page.content
    assert private_url.encode() in page.content

    r = client.post(private_url, NEW)

    assert r.status_code == 302
    assert r.url == reverse("exchange:need_detail", args=[cast.community.slug, need.public_id])
    assert _private(need) == (
        "3 Ferry Road, flat 2",
        "Ring twice; the lift is broken.",
        NEW["private-contact_phone"],
    )


def test_a_coordinator_changes_them_and_the_change_is_audited_without_the_values(
    client, cast, need
):
    _edit_url, private_url = _urls(cast, need)
    client.force_login(cast.coordinator)

    r = client.post(private_url, {**NEW, "private-contact_phone": ""})

    assert r.status_code == 302
    assert _private(need)[0] == "3 Ferry Road, flat 2"
    entry = AuditEntry.objects.get(action="need.private_set")
    assert entry.actor == cast.coordinator and entry.subject == cast.member
    assert entry.target_id == need.public_id
    assert entry.is_safeguarding  # coordinators and the person only
    assert entry.after == {"fields": ["address", "access_notes"]}
    assert "Ferry" not in str(entry.before) + str(entry.after) + entry.reason


def test_the_persons_own_change_is_audited_too(client, cast, need):
    _edit_url, private_url = _urls(cast, need)
    client.force_login(cast.member)
    client.post(private_url, {**NEW, "private-access_notes": "Key under the mat"})
    entry = AuditEntry.objects.get(action="need.private_set")
    assert entry.actor == cast.member
    assert entry.after == {"fields": ["address", "contact_phone"]}


def test_saving_the_same_details_again_writes_no_audit_entry(cast, need):
    services.need_private_set(
        actor=cast.member, need=need, address="12 Mill Lane", access_notes="Key under the mat"
    )
    assert not AuditEntry.objects.filter(action="need.private_set").exists()


@pytest.mark.parametrize("role", ["member", "caller"])
def test_other_members_never_see_the_form_and_cannot_change_the_details(client, cast, need, role):
    edit_url, private_url = _urls(cast, need)
    other = new_member(cast.community, "Nosy Neighbour") if role == "member" else cast.caller
    client.force_login(other)

    page = client.get(edit_url)
    r = client.post(private_url, NEW)

    assert page.status_code == 403 and b"12 Mill Lane" not in page.content
    assert r.status_code == 403
    assert _private(need) == ("12 Mill Lane", "Key under the mat", "")
    assert not AuditEntry.objects.filter(action="need.private_set").exists()


def test_an_outsider_is_refused(client, cast, need):
    _edit_url, private_url = _urls(cast, need)
    client.force_login(cast.outsider)
    assert client.post(private_url, NEW).status_code in (403, 404)
    assert _private(need)[0] == "12 Mill Lane"


def test_the_assigned_helper_sees_the_details_but_cannot_change_them(client, cast, need):
    helper = new_member(cast.community, "Hana Helper")
    services.need_self_assign(helper=helper, need=need)
    edit_url, private_url = _urls(cast, need)
    detail_url = reverse("exchange:need_detail", args=[cast.community.slug, need.public_id])
    client.force_login(helper)

    detail = client.get(detail_url)
    assert detail.status_code == 200 and b"12 Mill Lane" in detail.content
    assert edit_url.encode() not in detail.content  # no link to change them

    assert client.get(edit_url).status_code == 403
    assert client.post(private_url, NEW).status_code == 403
    with pytest.raises(PermissionDenied):
        services.need_private_set(actor=helper, need=need, address="Elsewhere")
    assert _private(need)[0] == "12 Mill Lane"


def test_too_long_input_shows_errors_and_writes_nothing(client, cast, need):
    _edit_url, private_url = _urls(cast, need)
    client.force_login(cast.member)

    r = client.post(
        private_url,
        {**NEW, "private-address": "x" * 501, "private-contact_phone": "1" * 33},
    )

    assert r.status_code == 422
    body = r.content.decode()
    assert "Nothing was saved" in body
    assert "at most 500 characters" in body and "at most 32 characters" in body
    assert r.context["private_form"].errors.keys() == {"address", "contact_phone"}
    assert _private(need) == ("12 Mill Lane", "Key under the mat", "")
    assert not AuditEntry.objects.filter(action="need.private_set").exists()


def test_the_service_refuses_too_long_details_on_its_own(cast, need):
    with pytest.raises(ValidationFailed) as caught:
        services.need_private_set(actor=cast.member, need=need, access_notes="x" * 1001)
    assert "access_notes" in caught.value.field_errors
    assert _private(need)[1] == "Key under the mat"


@pytest.mark.parametrize("how", ["closed", "done"])
def test_a_closed_or_done_need_refuses_changes_with_a_clear_message(client, cast, need, how):
    if how == "closed":
        services.need_close(actor=cast.member, need=need, status="not_needed")
    else:
        commitment = services.need_self_assign(helper=cast.caller, need=need)
        services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=1)
        services.commitment_confirm(actor=cast.member, commitment=commitment, hours=1)
    need.refresh_from_db()
    assert need.status == ("not_needed" if how == "closed" else "done")
    edit_url, private_url = _urls(cast, need)
    client.force_login(cast.coordinator)

    page = client.get(edit_url)
    r = client.post(private_url, NEW)

    message = b"its private details can no longer be changed"
    assert page.status_code == 200 and message in page.content
    assert private_url.encode() not in page.content  # no form to fill in for nothing
    assert r.status_code == 409 and message in r.content
    with pytest.raises(Conflict):
        services.need_private_set(actor=cast.member, need=need, address="Elsewhere")
    assert _private(need)[0] == "12 Mill Lane"
    assert not AuditEntry.objects.filter(action="need.private_set").exists()


def test_a_need_without_private_details_gets_them_from_the_form(client, cast):
    need = post_need(cast.community, cast.member, title="Lift to the clinic")
    _edit_url, private_url = _urls(cast, need)
    client.force_login(cast.member)
    assert client.post(private_url, NEW).status_code == 302
    assert _private(need)[0] == "3 Ferry Road, flat 2"


def test_the_private_form_only_answers_post(client, cast, need):
    _edit_url, private_url = _urls(cast, need)
    client.force_login(cast.member)
    assert client.get(private_url).status_code == 405
