"""E-mailed replies to check-ins: signed reply addresses, reading the reply, refusals, the hook
and the stdin command. The check-in itself is care's, reached through the real sweep."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import io
import time
from email.message import EmailMessage
from email.utils import parseaddr

import pytest
import time_machine
from allauth.account.models import EmailAddress
from django.core import mail
from django.core.management import call_command
from django.core.management.base import CommandError

from mutua.care.models import CheckIn
from mutua.notify.models import InboundMessage, Notification
from mutua.notify.services import notification_send, outbox_deliver_due
from mutua.notify.services.inbound_email import email_inbound_receive
from tests.care.helpers import START, fresh, kinds_for, make_plan, sweep_at
from tests.notify.conftest import NOTE

REMINDED_AT = START.replace(hour=8, minute=30)  # the plan's check-in is due at 09:00
QUOTE = (
    "On Mon, 4 May 2026 at 08:30, Mutua <reply+x@mutua.example> wrote:\n"
    "> Hello, your check-in is due at 09:00. Please reply OK {code} to this message.\n"
    "> If you need help, reply HELP.\n"
)


@pytest.fixture
def clock():
    with time_machine.travel(START, tick=False) as traveller:
        yield traveller


@pytest.fixture(autouse=True)
def reply_settings(settings):
    settings.DEFAULT_FROM_EMAIL = "Mutua <noreply@mutua.example>"
    settings.MUTUA_REPLY_ADDRESS = "reply@mutua.example"
    settings.EMAIL_INBOUND_SECRET = "inbound-secret"


@pytest.fixture
def plan(cast, clock):
    """A plan asking by e-mail, and the reminder e-mail sent to the member."""
    plan = make_plan(cast)
    sweep_at(clock, REMINDED_AT)
    assert outbox_deliver_due().sent == 1
    [sent] = mail.outbox
    plan.reminder = sent
    plan.reply_to = parseaddr(sent.reply_to[0])[1]
    return plan


def reply(plan, body="OK", *, sender=None, to=None, html=None, message_id=None, headers=None):
    message = EmailMessage()
    message["From"] = sender or f"Member Person <{plan.person.email}>"
    message["To"] = to or plan.reply_to
    message["Subject"] = "Re: " + plan.reminder.subject
    message["Message-ID"] = message_id or f"<{time.monotonic_ns()}@mail.example.net>"
    for name, value in (headers or {}).items():
        message[name] = value
    if body is not None:
        message.set_content(body.format(code=plan.reply_code))
        if html is not None:
            message.add_alternative(html.format(code=plan.reply_code), subtype="html")
    else:
        message.set_content(html.format(code=plan.reply_code), subtype="html")
    return message.as_bytes()


def checked_in(plan) -> bool:
    return CheckIn.objects.filter(plan=plan, how="reply").exists()


def test_check_in_e_mails_carry_a_signed_reply_address_and_other_kinds_do_not(cast, plan):
    local, _, domain = plan.reply_to.partition("@")
    assert domain == "mutua.example" and local.startswith("reply+")
    assert len(local) <= 64 and local == local.lower()
    assert plan.reminder.reply_to[0].startswith("Mutua <")
    notification_send(recipient=cast.member, kind=NOTE, context={"title": "A note"})
    outbox_deliver_due()
    assert mail.outbox[-1].reply_to == []


def test_no_reply_address_configured_means_no_reply_to(cast, clock, settings):
    settings.MUTUA_REPLY_ADDRESS = ""
    make_plan(cast)
    sweep_at(clock, REMINDED_AT)
    outbox_deliver_due()
    assert mail.outbox[0].reply_to == []


PLAIN, HTML_ONLY = "plain", "html"


@pytest.mark.parametrize(
    ("body", "html", "outcome"),
    [
        ("OK", None, "checked_in"),
        ("ok {code}", None, "checked_in"),
        ("Okay!\n\n" + QUOTE, None, "checked_in"),  # the quote says HELP: it must be dropped
        ("I'm fine\n\n" + QUOTE, None, "checked_in"),
        (QUOTE + "\nOK\n", None, "checked_in"),  # bottom-posted under a marked quote
        ("OK\n\n-- \nAna\nNeed help with your garden? Ask me", None, "checked_in"),
        ("ok\n\nSent from my iPhone\n\nIf you need help, reply HELP.", None, "checked_in"),
        (
            "OK\n\n________________________________\nFrom: Mutua <reply+x@mutua.example>\n"
            "Sent: Monday, 4 May 2026 08:30\nTo: Ana\n\nIf you need help, reply HELP.",
            None,
            "checked_in",
        ),
        (
            "vale\n\nEl lun, 4 may 2026 a las 8:30, Mutua (<reply+x@mutua.example>)\n"
            "escribió:\n\nSi necesita ayuda, responda HELP",
            None,
            "checked_in",
        ),
        (
            None,
            '<div dir="ltr">I am <b>OK</b>&nbsp;{code}</div><div class="gmail_quote">'
            '<div class="gmail_attr">On Mon, Mutua wrote:</div><blockquote class="gmail_quote">'
            "If you need help, reply <b>HELP</b>.</blockquote></div>",
            "checked_in",
        ),
        (
            None,
            '<p>ok</p><div id="appendonsend"></div><hr><div id="divRplyFwdMsg"><b>From:</b> '
            "Mutua</div><div>If you need help, reply HELP.</div>",
            "checked_in",
        ),
        ("", "<p>OK</p>", "checked_in"),  # an empty text part: the HTML part is read
        ("not ok\n\n" + QUOTE, None, "help"),
        ("I am NOT okay", None, "help"),
        ("HELP", None, "help"),
        ("help {code}\n\n" + QUOTE, None, "help"),
        (None, "<p>Not OK. Please come.</p>", "help"),
        ("OK ZZ99", None, "nothing"),  # a reply code for no plan of theirs
        ("what is this about?\n\n" + QUOTE, None, "forwarded"),  # a person reads it
        ("\n\n" + QUOTE, None, "nothing"),  # nothing written but the quote
        ("STOP", None, "nothing"),
    ],
)
def test_reply_table(cast, plan, body, html, outcome):
    result = email_inbound_receive(reply(plan, body, html=html))
    assert result.status == "accepted"
    p = fresh(plan)
    if outcome == "checked_in":
        assert checked_in(plan) and result.inbound.handled_by
    elif outcome == "help":
        assert p.current_alert is not None and p.current_alert.reason == "help"
        assert "care_help" in kinds_for(cast.coordinator)
        assert not checked_in(plan)
    elif outcome == "forwarded":
        assert not checked_in(plan) and p.current_alert is None
        assert "care_reply" in kinds_for(cast.coordinator)
    else:
        assert not checked_in(plan) and p.current_alert is None
        assert result.inbound.handled_by == []


def test_the_reply_is_stored_as_understood_without_the_quote(cast, plan):
    result = email_inbound_receive(reply(plan, "OK {code}\n\n" + QUOTE))
    inbound = InboundMessage.objects.get()
    assert result.inbound == inbound
    assert (inbound.channel, inbound.sender, inbound.reply_kind) == ("email", cast.member, "ok")
    assert inbound.reply_code == plan.reply_code
    assert inbound.text == f"OK {plan.reply_code}"
    assert inbound.from_address == cast.member.email


def test_a_verified_second_address_of_the_person_may_reply(cast, plan):
    EmailAddress.objects.create(user=cast.member, email="ana@home.example", verified=True)
    result = email_inbound_receive(reply(plan, sender="Ana <ANA@home.example>"))
    assert result.status == "accepted" and checked_in(plan)


def test_a_reply_address_whose_case_was_folded_still_works(plan):
    result = email_inbound_receive(reply(plan, to=plan.reply_to.upper()))
    assert result.status == "accepted" and checked_in(plan)


def test_the_token_is_also_found_in_delivered_to_and_the_envelope(plan):
    raw = reply(plan, to="Someone <someone@else.example>", headers={"Delivered-To": plan.reply_to})
    assert email_inbound_receive(raw).status == "accepted"
    raw = reply(plan, to="someone@else.example")
    result = email_inbound_receive(raw, envelope_recipients=[plan.reply_to])
    assert result.status == "accepted"
    assert CheckIn.objects.filter(plan=plan, how="reply").count() == 2


def refused(result, reason):
    return result.status == "refused" and result.reason == reason


@pytest.mark.parametrize(
    "sender",
    [
        "Attacker <attacker@evil.example>",
        "circle@example.org",  # somebody real, but not the person the token was made for
        "Member Person <member@example.org>, attacker@evil.example",
    ],
)
def test_a_forged_from_is_refused_even_with_a_good_token(plan, sender):
    result = email_inbound_receive(reply(plan, "HELP", sender=sender))
    assert refused(result, "sender")
    assert not InboundMessage.objects.exists() and fresh(plan).current_alert is None


def test_an_unverified_second_address_is_refused(cast, plan):
    EmailAddress.objects.create(user=cast.member, email="ana@home.example", verified=False)
    assert refused(email_inbound_receive(reply(plan, sender="ana@home.example")), "sender")
    assert not checked_in(plan)


def test_someone_else_s_address_cannot_use_their_own_token_for_another_person(cast, clock):
    # The coordinator has a check-in plan too; their token must not check the member in.
    mine = make_plan(cast)
    from mutua.care import services

    theirs = services.care_plan_create(
        actor=cast.coordinator, community=cast.community, person=cast.coordinator, times=["09:00"]
    )
    sweep_at(clock, REMINDED_AT)
    outbox_deliver_due()
    by_person = {m.to[0]: parseaddr(m.reply_to[0])[1] for m in mail.outbox}
    message = EmailMessage()
    message["From"] = cast.member.email
    message["To"] = by_person[cast.coordinator.email]
    message.set_content("OK")
    assert refused(email_inbound_receive(message.as_bytes()), "sender")
    assert not CheckIn.objects.filter(plan__in=[mine, theirs]).exists()


def test_an_expired_token_is_refused(plan, clock):
    clock.move_to(REMINDED_AT + dt.timedelta(days=3, seconds=1), tick=False)
    assert refused(email_inbound_receive(reply(plan)), "token_expired")
    assert not InboundMessage.objects.exists() and not checked_in(plan)


def test_a_token_just_inside_its_lifetime_is_accepted(plan, clock):
    clock.move_to(REMINDED_AT + dt.timedelta(days=3) - dt.timedelta(seconds=1), tick=False)
    assert email_inbound_receive(reply(plan)).status == "accepted"


@pytest.mark.parametrize("where", [7, 20, 30, -1])  # the notification, the time, the signature
def test_a_tampered_token_is_refused(plan, where):
    local, domain = plan.reply_to.split("@")
    token = local.removeprefix("reply+")
    changed = token[where].translate(str.maketrans("0123456789abcdefghjkmnpqrstvwxyz", "1" * 32))
    if changed == token[where]:
        changed = "2"
    token = token[:where] + changed + (token[where + 1 :] if where != -1 else "")
    result = email_inbound_receive(reply(plan, to=f"reply+{token}@{domain}"))
    assert refused(result, "token_invalid")
    assert not InboundMessage.objects.exists() and not checked_in(plan)


@pytest.mark.parametrize(
    "to", ["reply@mutua.example", "noreply@mutua.example", "reply+@mutua.example"]
)
def test_a_missing_token_is_refused_and_the_from_address_alone_is_never_enough(plan, to):
    result = email_inbound_receive(reply(plan, to=to))
    assert result.status == "refused"
    assert not InboundMessage.objects.exists() and not checked_in(plan)


def test_a_token_for_another_domain_is_refused(plan):
    token = plan.reply_to.split("@")[0]
    assert refused(email_inbound_receive(reply(plan, to=f"{token}@evil.example")), "no_token")


def test_with_replies_turned_off_every_reply_is_refused(plan, settings):
    settings.MUTUA_REPLY_ADDRESS = ""
    assert refused(email_inbound_receive(reply(plan)), "replies_off")
    assert not checked_in(plan)


def test_a_token_of_a_notification_that_asks_nothing_is_refused(cast, plan):
    # Signed for a notification of another kind (a bug elsewhere must not open a door).
    from mutua.notify.services.inbound_email import reply_address_for

    notification_send(recipient=cast.member, kind=NOTE, context={"title": "A note"})
    note = Notification.objects.get(kind=NOTE)
    address = parseaddr(reply_address_for(note))[1]
    assert refused(email_inbound_receive(reply(plan, to=address)), "token_invalid")


def test_a_redelivered_message_is_applied_once(cast, plan):
    raw = reply(plan, "HELP", message_id="<same@mail.example.net>")
    first, second = email_inbound_receive(raw), email_inbound_receive(raw)
    assert (first.status, second.status) == ("accepted", "duplicate")
    assert InboundMessage.objects.count() == 1
    assert kinds_for(cast.coordinator).count("care_help") == 1


def test_a_new_message_after_a_first_reply_is_applied(cast, plan):
    email_inbound_receive(reply(plan, "OK"))
    email_inbound_receive(reply(plan, "actually, HELP"))
    assert InboundMessage.objects.count() == 2
    assert fresh(plan).current_alert.reason == "help"


def test_out_of_office_answers_and_bounces_are_dropped(plan):
    auto = reply(plan, "OK", headers={"Auto-Submitted": "auto-replied"})
    bulk = reply(plan, "OK", headers={"Precedence": "bulk"})
    assert email_inbound_receive(auto).status == "ignored"
    assert email_inbound_receive(bulk).status == "ignored"
    assert not InboundMessage.objects.exists() and not checked_in(plan)


def test_garbage_and_oversized_input_is_refused(plan, settings):
    assert refused(email_inbound_receive(b"\x00\xff not an e-mail"), "unreadable")
    settings.MUTUA_REPLY_MAX_BYTES = 1000
    assert refused(email_inbound_receive(reply(plan, "OK " + "x" * 2000)), "too_large")
    assert not InboundMessage.objects.exists()


def test_a_failing_check_in_leaves_the_reply_stored_and_nothing_half_done(cast, plan):
    plan.status = "ended"  # care refuses the check-in; its savepoint is rolled back
    plan.save(update_fields=["status"])
    result = email_inbound_receive(reply(plan, "OK"))
    assert result.status == "accepted" and result.inbound.handled_by == []
    assert not CheckIn.objects.exists()


# --- The webhook ---------------------------------------------------------------------------

URL = "/hooks/email/inbound"


def hook(client, raw, *, secret="inbound-secret", timestamp=None):
    ts = str(int(time.time()) if timestamp is None else timestamp)
    # Computed independently of our code, as the relay would.
    mac = hmac.new(secret.encode(), ts.encode() + b"." + raw, hashlib.sha256).hexdigest()
    return client.post(
        URL,
        data=raw,
        content_type="message/rfc822",
        headers={"X-Mutua-Signature": f"sha256={mac}", "X-Mutua-Timestamp": ts},
    )


def test_the_hook_applies_a_signed_reply(client, plan):
    response = hook(client, reply(plan, "ok"))
    assert response.status_code == 200
    assert response.json()["status"] == "accepted" and response.json()["reply"] == "ok"
    assert checked_in(plan)


def test_the_hook_refuses_a_wrong_secret(client, plan):
    response = hook(client, reply(plan, "OK"), secret="guess")
    assert response.status_code == 401
    assert not InboundMessage.objects.exists() and not checked_in(plan)


def test_the_hook_refuses_an_unsigned_or_stale_request(client, plan):
    raw = reply(plan, "OK")
    assert client.post(URL, data=raw, content_type="message/rfc822").status_code == 401
    assert hook(client, raw, timestamp=int(time.time()) - 3600).status_code == 403
    assert not checked_in(plan)


def test_the_hook_refuses_everything_when_no_secret_is_set(client, plan, settings):
    settings.EMAIL_INBOUND_SECRET = ""
    assert hook(client, reply(plan, "OK"), secret="").status_code == 401


def test_the_hook_answers_422_for_a_refused_reply_and_413_when_too_large(client, plan, settings):
    response = hook(client, reply(plan, "OK", sender="attacker@evil.example"))
    assert response.status_code == 422 and response.json()["reason"] == "sender"
    settings.MUTUA_REPLY_MAX_BYTES = 100
    assert hook(client, reply(plan, "OK")).status_code == 413
    assert not checked_in(plan)


# --- mutua mail_inbound (a Postfix pipe) ------------------------------------------------------


def test_the_pipe_command_applies_a_reply_from_stdin(plan):
    out = io.StringIO()
    call_command("mail_inbound", stdin=io.BytesIO(reply(plan, "OK")), stdout=out)
    assert out.getvalue().strip() == "accepted" and checked_in(plan)


def test_the_pipe_command_exits_77_on_a_refusal_so_the_sender_gets_a_bounce(plan):
    raw = reply(plan, "OK", sender="attacker@evil.example")
    with pytest.raises(CommandError) as refusal:
        call_command("mail_inbound", stdin=io.BytesIO(raw))
    assert refusal.value.returncode == 77 and not checked_in(plan)


def test_the_pipe_command_takes_the_envelope_recipient(plan):
    raw = reply(plan, "OK", to="someone@else.example")
    call_command(
        "mail_inbound", "--recipient", plan.reply_to, stdin=io.BytesIO(raw), stdout=io.StringIO()
    )
    assert checked_in(plan)
