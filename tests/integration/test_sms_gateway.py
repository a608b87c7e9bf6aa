"""SMS through a real local HTTP gateway: our signature checked there, and theirs checked here."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from mutua.notify.kinds import register_kind
from mutua.notify.models import InboundMessage, OutboxMessage
from mutua.notify.services import notification_send, outbox_deliver_due
from mutua.people.models import SensitiveDetails
from tests.factories import make_user

SECRET = "gateway-shared-secret"


def _expected(timestamp: str, body: bytes) -> str:
    # The gateway's own check, written from the documented scheme, not with our helpers.
    return (
        "sha256="
        + hmac.new(SECRET.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    )


class Gateway(BaseHTTPRequestHandler):
    received: list[dict] = []
    status = 202

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        timestamp = self.headers.get("X-Mutua-Timestamp", "")
        valid = hmac.compare_digest(
            _expected(timestamp, body), self.headers.get("X-Mutua-Signature", "")
        )
        fresh = timestamp.isdigit() and abs(time.time() - int(timestamp)) < 300
        if not (valid and fresh):
            self.send_response(401)
            self.end_headers()
            return
        type(self).received.append(json.loads(body))
        self.send_response(type(self).status)
        self.end_headers()

    def log_message(self, *args):
        pass


@pytest.fixture
def gateway(settings):
    Gateway.received = []
    Gateway.status = 202
    server = ThreadingHTTPServer(("127.0.0.1", 0), Gateway)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    settings.SMS_GATEWAY_URL = f"http://127.0.0.1:{server.server_address[1]}/send"
    settings.SMS_GATEWAY_SECRET = SECRET
    yield Gateway
    server.shutdown()
    server.server_close()


@pytest.fixture
def ana(db):
    register_kind("sms_test", label="SMS test", critical=True, default_channels=("sms",),
                  template="notify/digest")  # fmt: skip
    user = make_user("Ana")
    SensitiveDetails.objects.create(user=user, phone="+34 600 111 222")
    return user


def _send(user):
    notification_send(
        recipient=user, kind="sms_test", context={"items": [{"title": "x"}], "more": 0}
    )


def test_sms_reaches_the_gateway_signed(ana, gateway):
    _send(ana)
    assert outbox_deliver_due().sent == 1
    [payload] = gateway.received
    message = OutboxMessage.objects.get()
    assert payload == {
        "to": "+34600111222",
        "body": message.sms_text,
        "message_id": message.public_id,
    }
    assert message.log.get().detail == "gateway answered 202"


def test_gateway_refusing_our_signature_fails_the_message(ana, gateway, settings):
    settings.SMS_GATEWAY_SECRET = "wrong"
    _send(ana)
    assert outbox_deliver_due().failed == 1  # 401 is a permanent refusal
    assert gateway.received == []
    assert OutboxMessage.objects.get().last_error == "gateway answered 401"


def test_gateway_busy_means_retry(ana, gateway):
    gateway.status = 503
    _send(ana)
    assert outbox_deliver_due().retrying == 1


def _post_inbound(client, payload, secret):
    body = json.dumps(payload).encode()
    ts = str(int(time.time()))
    mac = hmac.new(secret.encode(), f"{ts}.".encode() + body, hashlib.sha256).hexdigest()
    return client.post(
        "/hooks/sms/inbound",
        data=body,
        content_type="application/json",
        headers={"X-Mutua-Signature": f"sha256={mac}", "X-Mutua-Timestamp": ts},
    )


def test_inbound_reply_signed_by_the_gateway_is_accepted_and_a_forgery_is_not(client, ana, gateway):
    _send(ana)
    outbox_deliver_due()
    good = _post_inbound(client, {"from": "+34600111222", "text": "not ok"}, SECRET)
    assert good.status_code == 200 and good.json()["reply"] == "help"
    assert InboundMessage.objects.get().sender == ana
    forged = _post_inbound(client, {"from": "+34600111222", "text": "ok"}, "attacker")
    assert forged.status_code == 401
    assert InboundMessage.objects.count() == 1
