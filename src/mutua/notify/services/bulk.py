"""notification_send_many: `notification_send` for a batch of messages, in the caller's transaction.

The same rules as send.py (its functions, not copies), with the reads done once per batch: one
query for the dedupe keys already written (none when the caller expects them all new, see
`fresh`), one for preferences, one for the daily cap and one
for home time zones when needed; rendering once per group of alike messages (stencil.py); the
in-app rows and the outbox rows written with one bulk insert each; one wake of the sender.
Messages are handled as if sent one after another in the given order: a dedupe key repeated
in the batch is written once, and the daily cap counts the batch's own earlier messages.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone, translation

from mutua.communities.models import Community
from mutua.core.bulk import ids_by_public_id, insert_rows, new_public_ids
from mutua.notify.channels import channel_addresses, channel_get
from mutua.notify.kinds import Kind, kind_get
from mutua.notify.models import Notification, OutboxMessage
from mutua.notify.services.render import render_messages
from mutua.notify.services.send import (
    channels_of,
    has_quiet_hours,
    has_quiet_hours_set,
    home_time_zones,
    is_unreachable,
    language_of,
    message_context,
    notification_fields,
    notification_send,
    outbox_rows,
    preferences_url,
    prepared_actions,
    quiet_end,
    registered_channels,
    sent_today,
    time_zone_name,
    unsubscribe_url,
    wake_when_due,
    zone,
)
from mutua.notify.services.stencil import render_grouped
from mutua.people.models import User

CHUNK = 2000  # ids per IN (...) list


@dataclass
class Outgoing:
    """One message for `notification_send_many`: the arguments of `notification_send`."""

    recipient: User
    kind: str
    context: dict[str, Any]
    community: Community | None = None
    dedupe_key: str = ""
    actions: list[dict] | None = field(default=None)


def _chunks(items: Sequence[Any], size: int = CHUNK):
    it = iter(items)
    while chunk := list(islice(it, size)):
        yield chunk


def _written_keys(messages: Sequence[Outgoing]) -> set[tuple[int, str, str]]:
    """(recipient, kind, dedupe_key) already in the database, among these messages'."""
    keyed = [m for m in messages if m.dedupe_key]
    found: set[tuple[int, str, str]] = set()
    kinds = sorted({m.kind for m in keyed})
    for chunk in _chunks(keyed):
        found.update(
            Notification.objects.filter(
                recipient_id__in={m.recipient.pk for m in chunk},
                kind__in=kinds,
                dedupe_key__in={m.dedupe_key for m in chunk},
            )
            .exclude(dedupe_key="")
            .values_list("recipient_id", "kind", "dedupe_key")
        )
    return found


def _to_write(messages: Sequence[Outgoing], *, read_first: bool) -> list[int]:
    """Indexes of the messages `notification_send` would write, one after another (with the
    dedupe keys already written read first, or left to the unique index)."""
    reachable = [i for i, m in enumerate(messages) if not is_unreachable(m.recipient)]
    seen = _written_keys([messages[i] for i in reachable]) if read_first else set()
    todo = []
    for i in reachable:
        m = messages[i]
        if m.dedupe_key:
            key = (m.recipient.pk, m.kind, m.dedupe_key)
            if key in seen:
                continue
            seen.add(key)
        todo.append(i)
    return todo


def _render(
    kinds: list[Kind], recipients: list[User], contexts: list[dict], codes: list[list[str]]
) -> list[dict]:
    """Render per (kind, language) group, each message in its recipient's language, for the
    channels it goes out on."""
    groups: dict[tuple[str, str], list[int]] = {}
    for n, (kind, recipient) in enumerate(zip(kinds, recipients, strict=True)):
        groups.setdefault((kind.code, language_of(recipient)), []).append(n)
    rendered: list[dict] = [{}] * len(contexts)
    for (_code, language), members in groups.items():
        with translation.override(language):
            out = render_messages(
                kinds[members[0]],
                [contexts[n] for n in members],
                render_grouped,
                channels=[codes[n] for n in members],
            )
        for n, one in zip(members, out, strict=True):
            rendered[n] = one
    return rendered


def _addresses(codes: list[list[str]], kinds: list[Kind], recipients: list[User]) -> list[list]:
    """(channel, address, why not) per message; a channel may answer for many people at once
    (`channel_addresses`)."""
    wanted: dict[str, dict[int, User]] = {}
    for kind, recipient, chosen in zip(kinds, recipients, codes, strict=True):
        for channel in registered_channels(kind.code, chosen):
            wanted.setdefault(channel.code, {})[recipient.pk] = recipient
    known: dict[str, dict[int, tuple[str, str]]] = {}
    for code, users in wanted.items():
        found = channel_get(code)
        assert found is not None  # registered_channels kept only these
        known[code] = channel_addresses(found, list(users.values()))
    return [
        [(c, *known[c][recipient.pk]) for c in chosen if c in known]
        for recipient, chosen in zip(recipients, codes, strict=True)
    ]


def _write(messages: Sequence[Outgoing], kinds: list[Kind], todo: list[int]) -> list[int]:
    now = timezone.now()
    batch = [messages[i] for i in todo]
    batch_kinds = [kinds[i] for i in todo]
    recipients = [m.recipient for m in batch]
    preferences = preferences_url()
    actions = [prepared_actions(m.actions) for m in batch]
    unsubscribes = [
        unsubscribe_url(m.recipient, k) for m, k in zip(batch, batch_kinds, strict=True)
    ]
    contexts = [
        message_context(
            m.recipient, k, m.context, actions=a, unsubscribe=u, preferences=preferences
        )
        for m, k, a, u in zip(batch, batch_kinds, actions, unsubscribes, strict=True)
    ]
    codes = channels_of(list(zip(recipients, batch_kinds, strict=True)))
    rendered = _render(batch_kinds, recipients, contexts, codes)
    notifications = []
    for m, k, r, a, public_id in zip(
        batch, batch_kinds, rendered, actions, new_public_ids(len(batch)), strict=True
    ):
        fields = notification_fields(
            m.recipient,
            k,
            r,
            context=m.context,
            community=m.community,
            actions=a,
            dedupe_key=m.dedupe_key,
        )
        fields["public_id"] = public_id
        notifications.append(fields)
    insert_rows(Notification, notifications)
    pks = ids_by_public_id(Notification, [n["public_id"] for n in notifications])

    addresses = _addresses(codes, batch_kinds, recipients)
    capped = {u.pk for k, u in zip(batch_kinds, recipients, strict=True) if not k.critical}
    counts = sent_today(capped, now) if capped else {}
    quiet = [
        has_quiet_hours(k, getattr(u, "profile", None))
        for k, u in zip(batch_kinds, recipients, strict=True)
    ]
    homeless = {
        u.pk
        for m, u, q in zip(batch, recipients, quiet, strict=True)
        if q and m.community is None and has_quiet_hours_set(u.profile)
    }
    homes = home_time_zones(homeless) if homeless else {}
    rows: list[dict[str, Any]] = []
    for n, (m, k, u) in enumerate(zip(batch, batch_kinds, recipients, strict=True)):
        quiet_until = None
        if quiet[n]:
            quiet_until = quiet_end(u.profile, zone(time_zone_name(u, m.community, homes)), now)
        sent = None if k.critical else counts.get(u.pk, 0)
        made, sent = outbox_rows(
            notifications[n],
            k,
            rendered[n],
            addresses=addresses[n],
            sent=sent,
            quiet_until=quiet_until,
            unsubscribe=unsubscribes[n],
            now=now,
        )
        if sent is not None:
            counts[u.pk] = sent
        notification_id = pks[notifications[n]["public_id"]]
        for row in made:
            row["notification_id"] = notification_id
        rows.extend(made)
    for row, public_id in zip(rows, new_public_ids(len(rows)), strict=True):
        row["public_id"] = public_id
    insert_rows(OutboxMessage, rows)
    wake_when_due(rows, now)
    return [pks[n["public_id"]] for n in notifications]


def notification_send_many(
    messages: Sequence[Outgoing], *, fresh: bool = False
) -> list[int | None]:
    """`notification_send` for each message, in order. Returns, for each message, the id of
    the in-app row written, or None when nothing was (unreachable, or already sent).

    `fresh`: the caller expects none of the dedupe keys to be written yet (the care sweep: a
    key names a plan's step), so they are not read first. The unique index still decides: if
    one was written after all (a plan edited back to a step it had taken), the batch is written
    again with the keys read first, and only a key written at the same moment elsewhere sends
    it one message at a time."""
    kinds = [kind_get(m.kind) for m in messages]
    results: list[int | None] = [None] * len(messages)
    for read_first in (False, True) if fresh else (True,):
        todo = _to_write(messages, read_first=read_first)
        if not todo:
            return results
        try:
            with transaction.atomic():
                written = _write(messages, kinds, todo)
        except IntegrityError:
            continue
        for i, pk in zip(todo, written, strict=True):
            results[i] = pk
        return results
    for i, m in enumerate(messages):  # a dedupe key written at the same moment elsewhere
        sent = notification_send(
            recipient=m.recipient,
            kind=m.kind,
            context=m.context,
            community=m.community,
            dedupe_key=m.dedupe_key,
            actions=m.actions,
        )
        results[i] = sent[0].pk if sent else None
    return results
