"""Changing a need after posting: the person or a coordinator; a coordinator's edit is audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import services
from mutua.exchange.models import Need
from tests.exchange.helpers import new_member, post_need


def _edit(actor, need, **changes):
    values = {
        "title": need.title,
        "description": need.description,
        "kind": need.kind,
        "urgency": need.urgency,
        "helpers_wanted": need.helpers_wanted,
    }
    values.update(changes)
    return services.need_edit(actor=actor, need=need, **values)


def test_the_person_changes_their_need_without_an_audit_entry(cast):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    _edit(cast.member, need, title="Shopping on Tuesday", urgency="week", helpers_wanted=2)
    need.refresh_from_db()
    assert (need.title, need.urgency, need.helpers_wanted) == ("Shopping on Tuesday", "week", 2)
    assert not AuditEntry.objects.filter(action="need.edit").exists()


def test_a_coordinators_edit_is_audit_logged_with_before_and_after(cast):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    _edit(cast.coordinator, need, title="Shopping on Tuesday")
    entry = AuditEntry.objects.get(action="need.edit")
    assert entry.actor == cast.coordinator
    assert entry.before == {"title": "Shopping on Monday"}
    assert entry.after == {"title": "Shopping on Tuesday"}


@pytest.mark.parametrize("role", ["caller", "member", "outsider"])
def test_other_members_and_outsiders_cannot_change_a_need(cast, role):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    actor = {
        "caller": cast.caller,
        "member": new_member(cast.community, "Plain Member"),
        "outsider": cast.outsider,
    }[role]
    with pytest.raises(PermissionDenied):
        _edit(actor, need, title="Something else")
    assert Need.objects.get(pk=need.pk).title == "Shopping on Monday"


def test_bad_input_gives_a_field_error_and_changes_nothing(cast):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    for changes, field in (
        ({"title": "x"}, "title"),
        ({"kind": "weapons"}, "kind"),
        ({"urgency": "yesterday"}, "urgency"),
        ({"helpers_wanted": 0}, "helpers_wanted"),
        ({"requirements": ["telepathy"]}, "requirements"),
    ):
        with pytest.raises(ValidationFailed) as caught:
            _edit(cast.member, need, **changes)
        assert field in caught.value.field_errors
    fresh = Need.objects.get(pk=need.pk)
    assert (fresh.title, fresh.kind, fresh.helpers_wanted) == ("Shopping on Monday", "other", 1)


def test_fewer_places_than_helpers_already_agreed_is_refused(cast):
    need = post_need(cast.community, cast.member, helpers_wanted=2, allow_self_assign=True)
    services.need_self_assign(helper=cast.caller, need=need)
    services.need_self_assign(helper=cast.coordinator, need=need)
    with pytest.raises(ValidationFailed) as caught:
        _edit(cast.member, need, helpers_wanted=1)
    assert "helpers_wanted" in caught.value.field_errors


def test_more_places_reopen_a_full_need(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    services.need_self_assign(helper=cast.caller, need=need)
    assert Need.objects.get(pk=need.pk).status == "committed"
    _edit(cast.member, Need.objects.get(pk=need.pk), helpers_wanted=2)
    assert Need.objects.get(pk=need.pk).status == "partly_committed"


def test_a_closed_need_cannot_be_changed(cast):
    need = post_need(cast.community, cast.member)
    services.need_close(actor=cast.member, need=need, status="not_needed")
    with pytest.raises(Conflict):
        _edit(cast.member, need, title="Changed my mind")


def test_edit_page_saves_for_the_person_and_refuses_other_members(client, cast):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    url = reverse("exchange:need_edit", args=[cast.community.slug, need.public_id])
    client.force_login(cast.caller)
    assert client.get(url).status_code == 403
    assert client.post(url, {"title": "Hijacked", "kind": "other"}).status_code == 403
    client.force_login(cast.member)
    page = client.get(url)
    assert page.status_code == 200 and b"Shopping on Monday" in page.content
    r = client.post(
        url,
        {"title": "Shopping on Friday", "kind": "errand", "urgency": "week", "helpers_wanted": 1},
    )
    assert r.status_code == 302
    assert Need.objects.get(pk=need.pk).title == "Shopping on Friday"


def test_edit_page_shows_field_errors_and_writes_nothing(client, cast):
    need = post_need(cast.community, cast.member, title="Shopping on Monday")
    client.force_login(cast.member)
    url = reverse("exchange:need_edit", args=[cast.community.slug, need.public_id])
    r = client.post(url, {"title": "x", "kind": "errand", "urgency": "week", "helpers_wanted": 1})
    assert r.status_code == 200 and b"3 to 120" in r.content
    assert Need.objects.get(pk=need.pk).title == "Shopping on Monday"
