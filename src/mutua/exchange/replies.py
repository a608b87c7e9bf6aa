"""YES / NO replies to a task a coordinator asked about by SMS (or e-mail reply).

A reply carries no link, so it is understood only when the sender has exactly one ask still
waiting for an answer; otherwise it is left for a person to read.
"""

from __future__ import annotations

from django.utils import timezone

from mutua.core.errors import DomainError
from mutua.exchange.models import Need
from mutua.exchange.services.responses import TASK_ACCEPT
from mutua.notify import engine


def task_reply_handle(inbound, reply) -> bool:
    """Reply handler for notify: YES takes the one task the sender was asked about, NO declines."""
    if reply.kind not in (engine.YES, engine.NO) or inbound.sender is None:
        return False
    from mutua.notify.models import SignedLink

    waiting = set(
        SignedLink.objects.filter(
            user=inbound.sender,
            action=TASK_ACCEPT,
            used_at__isnull=True,
            expires_at__gt=timezone.now(),
        ).values_list("target_id", flat=True)
    )
    if len(waiting) != 1:
        return False
    need = Need.objects.select_related("community").filter(public_id=waiting.pop()).first()
    if need is None:
        return False
    from mutua.matching.services import task_answer_by_link  # a dispatch plan may have asked

    try:
        task_answer_by_link(helper=inbound.sender, need=need, accept=reply.kind == engine.YES)
    except DomainError:
        return False  # the places are taken, say: the reply stays for a coordinator to read
    return True
