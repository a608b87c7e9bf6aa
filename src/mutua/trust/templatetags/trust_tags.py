"""`{% trust_member_panel member %}`: a member's level (never the score) and trust actions."""

from __future__ import annotations

from django import template

from mutua.core.permissions import can
from mutua.trust import selectors
from mutua.trust.safeguarding import is_blocked

register = template.Library()


@register.inclusion_tag("trust/_member_panel.html", takes_context=True)
def trust_member_panel(context, member):
    viewer = context["request"].user
    is_me = member.user_id == viewer.pk
    return {
        "member": member,
        "community": member.community,
        "level": selectors.member_level(viewer=viewer, membership=member),
        "is_me": is_me,
        "is_blocked": (not is_me) and is_blocked(viewer, member.user),
        "can_manage": can(viewer, "trust.manage", member.community),
        "csrf_token": context.get("csrf_token"),
    }
