"""`{% trust_member_panel member %}`: a member's level (never the score) and trust actions."""

from __future__ import annotations

from django import template

from mutua.core.permissions import can
from mutua.trust import selectors
from mutua.trust.safeguarding import is_blocked
from mutua.trust.services import trust_gate_refusal

register = template.Library()


@register.inclusion_tag("trust/_member_panel.html", takes_context=True)
def trust_member_panel(context, member):
    viewer = context["request"].user
    community = member.community
    is_me = member.user_id == viewer.pk
    level = selectors.member_level(viewer=viewer, membership=member)
    can_manage = bool(level) and can(viewer, "trust.manage", community)
    return {
        "member": member,
        "community": community,
        "level": level,
        "is_me": is_me,
        "is_blocked": bool(level) and not is_me and is_blocked(viewer, member.user),
        "vouch_refusal": trust_gate_refusal(viewer, community, "vouch") if level else "",
        "can_manage": can_manage,
        "is_met": can_manage
        and not is_me
        and selectors.is_met_in_person(community=community, user=member.user),
        "csrf_token": context.get("csrf_token"),
    }
