"""Closing a need: a reason per status, a duplicate's link, and a note only its people read."""

from __future__ import annotations

import importlib

import pytest

from mutua.core.errors import Conflict, PermissionDenied, ValidationFailed
from mutua.core.models import AuditEntry
from mutua.exchange import selectors, services
from mutua.exchange.models import Need
from tests.exchange.helpers import new_member, post_need

NOTE = "Her daughter is visiting after all"


def _helped(cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True, helpers_wanted=2)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    return need, commitment


def test_the_note_is_read_by_the_person_the_helper_and_coordinators_only(cast):
    need, _commitment = _helped(cast)
    services.need_close(actor=cast.member, need=need, status="not_needed", note=NOTE)
    need.refresh_from_db()
    assert (need.status, need.close_note) == ("not_needed", NOTE)
    for viewer in (cast.member, cast.caller, cast.coordinator):
        assert selectors.need_closing_for(viewer=viewer, need=need)["note"] == NOTE
    bystander = new_member(cast.community, "Bea Bystander")
    closing = selectors.need_closing_for(viewer=bystander, need=need)
    assert closing == {"status": "not_needed", "duplicate_of": None, "note": ""}


def test_the_note_is_not_on_the_page_of_a_bystander_nor_in_the_api(cast, client):
    need, _commitment = _helped(cast)
    services.need_close(actor=cast.coordinator, need=need, status="cancelled", note=NOTE)
    url = f"/c/{cast.community.slug}/needs/{need.public_id}/"
    client.force_login(cast.caller)
    assert NOTE in client.get(url).content.decode()
    client.force_login(new_member(cast.community, "Bea Bystander"))
    assert NOTE not in client.get(url).content.decode()
    listed = client.get(f"/api/v1/communities/{cast.community.slug}/needs?status=all")
    assert NOTE not in listed.content.decode()
    assert NOTE not in client.get(f"/api/v1/needs/{need.public_id}").content.decode()
    closing = client.get(f"/api/v1/needs/{need.public_id}/closing").json()
    assert closing == {"status": "cancelled", "duplicate_of": None, "note": ""}
    # nor in the audit log, which members read
    assert not AuditEntry.objects.filter(reason__contains="daughter").exists()
    assert all(NOTE not in str(e.after) for e in AuditEntry.objects.all())


def test_a_duplicate_links_to_the_need_it_repeats(cast, client):
    original = post_need(cast.community, cast.member, title="Shopping on Friday")
    need = post_need(cast.community, cast.member)
    client.force_login(cast.member)
    response = client.post(
        f"/api/v1/needs/{need.public_id}/close",
        {"status": "duplicate", "duplicate_of": original.public_id},
        content_type="application/json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["duplicate_of"] == original.public_id
    page = client.get(f"/c/{cast.community.slug}/needs/{need.public_id}/").content.decode()
    assert f"/c/{cast.community.slug}/needs/{original.public_id}/" in page


def test_a_duplicate_of_another_community_or_of_itself_is_refused(cast):
    from tests.factories import make_community

    elsewhere = post_need(
        make_community(cast.steward, name="Hillside", slug="hillside"), cast.steward
    )
    need = post_need(cast.community, cast.member)
    for other in ("", elsewhere.public_id, need.public_id):
        with pytest.raises(ValidationFailed) as exc:
            services.need_close(
                actor=cast.member, need=need, status="duplicate", duplicate_of=other
            )
        assert "duplicate_of" in exc.value.field_errors
    assert Need.objects.get(pk=need.pk).status == "open"


def test_bad_reasons_and_long_notes_are_refused_with_nothing_changed(cast):
    need, _commitment = _helped(cast)
    with pytest.raises(ValidationFailed) as exc:
        services.need_close(actor=cast.member, need=need, status="open")
    assert "status" in exc.value.field_errors
    with pytest.raises(ValidationFailed) as exc:
        services.need_close(actor=cast.member, need=need, status="cancelled", note="x" * 1001)
    assert "note" in exc.value.field_errors
    with pytest.raises(PermissionDenied):
        services.need_close(actor=cast.caller, need=need, status="cancelled")
    need.refresh_from_db()
    assert need.status == "partly_committed" and need.close_note == ""


def test_done_is_refused_while_a_helper_is_still_on_it(cast):
    need, commitment = _helped(cast)
    with pytest.raises(Conflict):
        services.need_close(actor=cast.member, need=need, status="done")
    services.commitment_mark_done(actor=cast.caller, commitment=commitment, hours=1)
    services.commitment_confirm(actor=cast.member, commitment=commitment)
    services.need_close(actor=cast.member, need=need, status="done", note="One was enough")
    assert Need.objects.get(pk=need.pk).status == "done"


def test_the_web_form_shows_a_field_error_and_keeps_the_need_open(cast, client):
    need = post_need(cast.community, cast.member)
    client.force_login(cast.member)
    response = client.post(
        f"/c/{cast.community.slug}/needs/{need.public_id}/close/",
        {"status": "duplicate", "duplicate_of": "nope", "note": NOTE},
    )
    assert response.status_code == 422
    page = response.content.decode()
    assert "another need of this community" in page and 'id="id_close_duplicate_of"' in page
    assert Need.objects.get(pk=need.pk).status == "open"
    response = client.post(
        f"/c/{cast.community.slug}/needs/{need.public_id}/close/",
        {"status": "not_needed", "note": NOTE},
    )
    assert response.status_code == 302
    assert Need.objects.get(pk=need.pk).close_note == NOTE


def test_the_migration_keeps_old_free_text_reasons_private(cast):
    need, commitment = _helped(cast)
    services.need_close(actor=cast.member, need=need, status="cancelled")
    type(commitment).objects.filter(pk=commitment.pk).update(end_reason="Moved away")
    migration = importlib.import_module("mutua.exchange.migrations.0005_need_privacy_and_closing")
    from django.apps import apps

    migration.keep_old_reasons_private(apps, None)
    assert Need.objects.get(pk=need.pk).close_note == "Moved away"
