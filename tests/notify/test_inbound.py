"""POST /hooks/sms/inbound: signed by the gateway, stored, STOP honoured, handlers called."""

from __future__ import annotations

import hashlib
import hmac
import json
import time

import pytest

from mutua.notify.models import InboundMessage, NotificationPreference, OutboxMessage
from mutua.notify.services import notification_send, register_reply_handler
from mutua.notify.services.inbound import _HANDLERS
from tests.notify.conftest import ALARM, person

URL = "/hooks/sms/inbound"


def signed_post(client, payload, *, secret="test-secret", timestamp=None, tamper=False):
    body = json.dumps(payload).encode()
    ts = str(int(time.time()) if timestamp is None else timestamp)
    # Computed here independently of our code, as a gateway would.
    mac = hmac.new(secret.encode(), ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    if tamper:
        body = body.replace(b"OK", b"NO")
    return client.post(
        URL,
        data=body,
        content_type="application/json",
        headers={"X-Mutua-Signature": f"sha256={mac}", "X-Mutua-Timestamp": ts},
    )


@pytest.fixture
def handlers():
    saved = list(_HANDLERS)
    yield _HANDLERS
    _HANDLERS[:] = saved


def test_signed_reply_is_stored_and_linked_to_the_person_we_texted(client, db):
    ana = person(phone="+34 600 111 222")
    notification_send(recipient=ana, kind=ALARM, context={"title": "Check-in"})
    response = signed_post(client, {"from": "+34600111222", "text": "OK 4821"})
    assert response.status_code == 200 and response.json()["reply"] == "ok"
    inbound = InboundMessage.objects.get()
    assert (inbound.sender, inbound.reply_kind, inbound.reply_code) == (ana, "ok", "4821")


def test_tampered_body_is_refused(client, db):
    response = signed_post(client, {"from": "+34600111222", "text": "OK"}, tamper=True)
    assert response.status_code == 401
    assert not InboundMessage.objects.exists()


def test_wrong_secret_is_refused(client, db):
    response = signed_post(client, {"from": "+1", "text": "OK"}, secret="guess")
    assert response.status_code == 401


def test_missing_signature_is_refused(client, db):
    response = client.post(
        URL, data=b'{"from": "+1", "text": "OK"}', content_type="application/json"
    )
    assert response.status_code == 401


def test_stale_timestamp_is_refused(client, db):
    old = int(time.time()) - 3600
    response = signed_post(client, {"from": "+1", "text": "OK"}, timestamp=old)
    assert response.status_code == 403
    assert not InboundMessage.objects.exists()


def test_malformed_body_is_refused_with_400(client, db):
    assert signed_post(client, {"text": "OK"}).status_code == 400
    assert signed_post(client, {"from": 5, "text": "OK"}).status_code == 400


def test_stop_turns_off_every_sms_to_the_sender(client, db):
    ana = person(phone="+34600111222")
    response = signed_post(client, {"from": "+34 600 111 222", "text": "Stop"})
    assert response.status_code == 200
    assert NotificationPreference.objects.get(user=ana, kind="*", channel="sms").enabled is False
    notification_send(recipient=ana, kind=ALARM, context={"title": "x"})
    assert not OutboxMessage.objects.filter(channel="sms").exists()


def test_other_replies_go_to_registered_handlers_and_a_failing_one_does_not_stop_others(
    client, db, handlers
):
    seen = []

    def broken(inbound, reply):
        raise RuntimeError("bug in another app")

    def care(inbound, reply):
        seen.append((inbound.from_address, reply.kind))
        return True

    register_reply_handler(broken)
    register_reply_handler(care)
    response = signed_post(client, {"from": "+1 555 0100", "text": "not ok"})
    assert response.status_code == 200
    assert seen == [("+15550100", "help")]
    assert InboundMessage.objects.get().handled_by == [f"{__name__}.{care.__qualname__}"]
