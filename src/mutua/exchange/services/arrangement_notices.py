"""Who hears about a standing arrangement, and what: the helper is asked first; afterwards the
helper and the person (or the coordinator who speaks for them) hear of every change someone
else makes."""

from __future__ import annotations

from django.utils import timezone

from mutua.exchange import notifications as n
from mutua.exchange.models import StandingArrangement
from mutua.people.models import User

# What the message says happened (exchange_arrangement_changed_message.txt).
CHANGES = (
    "proposed",
    "started",
    "accepted",
    "declined",
    "paused",
    "resumed",
    "ended",
    "handed_over",
    "handed_over_asked",
)


def arrangement_context(arrangement: StandingArrangement) -> dict:
    """JSON-safe context for notifications about an arrangement (never sensitive fields)."""
    community = arrangement.community
    return {
        "arrangement_id": arrangement.public_id,
        "arrangement_title": arrangement.title,
        "community_name": community.name,
        "url": f"/c/{community.slug}/arrangements/{arrangement.public_id}/",
    }


def tell_helper_proposed(arrangement: StandingArrangement, actor: User) -> None:
    """Ask the named helper; they answer on the arrangement's page."""
    n.notify(
        arrangement.helper,
        n.ARRANGEMENT_PROPOSED,
        {**arrangement_context(arrangement), "proposed_by": str(actor)},
        community=arrangement.community,
        dedupe_key=f"arrangement-proposed:{arrangement.public_id}:{arrangement.helper.public_id}",
    )


def tell(
    arrangement: StandingArrangement,
    actor: User,
    change: str,
    *,
    helper_too: bool = True,
    also: tuple[User | None, ...] = (),
) -> None:
    """Tell the person's side and the helper (and `also`) about `change`, except the actor."""
    recipients: list[User | None] = [arrangement.person or arrangement.contact]
    if helper_too:
        recipients.append(arrangement.helper)
    recipients.extend(also)
    seen: set[int] = {actor.pk}
    stamp = timezone.now().isoformat()
    for user in recipients:
        if user is None or user.pk in seen:
            continue
        seen.add(user.pk)
        n.notify(
            user,
            n.ARRANGEMENT_CHANGED,
            {
                **arrangement_context(arrangement),
                "change": change,
                "by_name": str(actor),
                "helper_name": str(arrangement.helper),
            },
            community=arrangement.community,
            dedupe_key=f"arrangement:{arrangement.public_id}:{change}:{stamp}",
        )
