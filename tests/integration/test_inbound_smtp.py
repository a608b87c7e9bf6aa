"""E-mailed replies through the real SMTP receiver (aiosmtpd) on 127.0.0.1, sent with smtplib.

Nothing outside this process is needed, so these tests never skip. The database is shared
with the receiver's worker thread, hence transactional tests.
"""

from __future__ import annotations

import os
import signal
import smtplib
import socket
import subprocess
import sys
import time
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
import time_machine
from django.core import mail

from mutua.care.models import CheckIn
from mutua.notify.management.commands.mail_receive import receiver_controller
from mutua.notify.models import InboundMessage, OutboxMessage
from mutua.notify.services import outbox_deliver_due
from tests.care.helpers import START, fresh, make_plan, sweep_at
from tests.support.ports import free_port, wait_until

pytestmark = [pytest.mark.smtp, pytest.mark.django_db(transaction=True)]
REMINDED_AT = START.replace(hour=8, minute=30)


@pytest.fixture(autouse=True)
def reply_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "Mutua <noreply@mutua.example>"
    settings.MUTUA_REPLY_ADDRESS = "reply@mutua.example"
    settings.SITE_URL = "https://mutua.example"


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture
def receiver(settings):
    port = free_port()
    controller = receiver_controller(port=port)
    controller.start()
    yield port
    controller.stop()


@pytest.fixture
def plan(cast, clock):
    """A plan asking by e-mail, and the address its reminder says to reply to."""
    plan = make_plan(cast)
    sweep_at(clock, REMINDED_AT)
    outbox_deliver_due()  # the on-commit wake-up may have sent it already
    assert OutboxMessage.objects.get(channel="email").status == "sent"
    [sent] = mail.outbox
    plan.reply_to = parseaddr(sent.reply_to[0])[1]
    plan.subject = sent.subject
    return plan


def reply(plan, text: str, *, sender: str = "") -> EmailMessage:
    message = EmailMessage()
    message["From"] = sender or f"Member Person <{plan.person.email}>"
    message["To"] = plan.reply_to
    message["Subject"] = f"Re: {plan.subject}"
    message["Message-ID"] = f"<{time.monotonic_ns()}@mail.example.net>"
    message.set_content(
        f"{text}\n\nOn Mon, 4 May 2026 at 08:30, Mutua <{plan.reply_to}> wrote:\n"
        "> If you need help, reply HELP.\n"
    )
    return message


def test_a_reply_through_the_smtp_receiver_checks_the_plan_in(plan, receiver):
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        refused = smtp.send_message(reply(plan, f"OK {plan.reply_code}"))
    assert refused == {}
    checkin = CheckIn.objects.get(plan=plan)
    assert (checkin.how, checkin.by) == ("reply", plan.person)
    assert fresh(plan).state == "waiting"
    assert InboundMessage.objects.get().channel == "email"


def test_help_through_the_smtp_receiver_raises_the_alarm_at_once(plan, receiver):
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.send_message(reply(plan, "not ok"))
    alert = fresh(plan).current_alert
    assert alert is not None and alert.reason == "help"
    assert not CheckIn.objects.exists()


def test_the_receiver_refuses_a_forged_sender_during_the_session(plan, receiver):
    with (
        smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp,
        pytest.raises(smtplib.SMTPDataError) as refusal,
    ):
        smtp.send_message(reply(plan, "OK", sender="attacker@evil.example"))
    assert refusal.value.smtp_code == 550
    assert not CheckIn.objects.exists() and not InboundMessage.objects.exists()


def test_the_receiver_refuses_recipients_outside_the_reply_domain(plan, receiver):
    with smtplib.SMTP("127.0.0.1", receiver, timeout=10) as smtp:
        smtp.ehlo()
        smtp.mail("someone@mail.example.net")
        assert smtp.rcpt("someone@elsewhere.example")[0] == 550
        assert smtp.rcpt("postmaster@mutua.example")[0] == 550
        assert smtp.rcpt(plan.reply_to)[0] == 250


def test_the_receiver_refuses_an_oversized_message(plan, settings):
    settings.MUTUA_REPLY_MAX_BYTES = 2000
    port = free_port()
    controller = receiver_controller(port=port)
    controller.start()
    try:
        with (
            smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp,
            pytest.raises((smtplib.SMTPSenderRefused, smtplib.SMTPDataError)) as refusal,
        ):
            smtp.send_message(reply(plan, "OK " + "x" * 5000))
    finally:
        controller.stop()
    assert refusal.value.smtp_code == 552
    assert not CheckIn.objects.exists()


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1):
            return True
    except OSError:
        return False


def test_the_mail_receive_command_serves_on_127_0_0_1_and_stops_on_sigterm(tmp_path):
    port = free_port()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "mutua.settings_test",
        "MUTUA_VAR_DIR": str(tmp_path),
        "REPLY_ADDRESS": "reply@mutua.example",
    }
    command = [sys.executable, "-m", "mutua.cli", "mail_receive", "--port", str(port)]
    proc = subprocess.Popen(command, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        wait_until(lambda: _listening(port) or proc.poll() is not None, timeout=90)
        assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        with smtplib.SMTP("127.0.0.1", port, timeout=10) as smtp:
            smtp.ehlo()
            smtp.mail("someone@mail.example.net")
            assert smtp.rcpt("someone@elsewhere.example")[0] == 550
            assert smtp.rcpt("reply+abc@mutua.example")[0] == 250
    finally:
        proc.send_signal(signal.SIGTERM)
        out, _err = proc.communicate(timeout=20)
    assert proc.returncode == 0
    assert f"127.0.0.1:{port}" in out.decode()
