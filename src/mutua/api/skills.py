"""Skills named by their slug in requests, never by database id.

A slug is unique within its scope, the shared taxonomy or one community (people.Skill's
constraints). Endpoints about one community take a bare slug and look in the community's own
skills, then the shared ones; /me takes a slug with the community it belongs to, because one
person's communities may each have a skill with the same slug.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils.translation import gettext as _

from mutua.core.errors import ValidationFailed
from mutua.people.models import Skill

if TYPE_CHECKING:
    from mutua.communities.models import Community


def _unknown(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, field_errors={field: [message]})


def skills_in(*, community: Community, slugs: Sequence[str], field: str = "skills") -> list[Skill]:
    """The skills these slugs name for a community, in the order given, without repeats."""
    wanted = list(dict.fromkeys(slugs))
    found: dict[str, Skill] = {}
    scope = Q(community=community) | Q(community__isnull=True)
    for skill in Skill.objects.filter(scope, slug__in=wanted):
        # Should a shared skill later take a slug the community already uses, its own wins.
        if skill.community_id is not None or skill.slug not in found:
            found[skill.slug] = skill
    if any(s not in found for s in wanted):
        one = len(slugs) == 1
        message = (
            _("This skill is not in the list.") if one else _("Please choose skills from the list.")
        )
        raise _unknown(field, message)
    return [found[s] for s in wanted]


def skill_ids_named(refs: Sequence[tuple[str | None, str]], *, field: str = "skills") -> list[int]:
    """Ids of skills named as (community slug or None for the shared list, skill slug)."""
    wanted = list(dict.fromkeys(refs))
    shared = {slug for community, slug in wanted if community is None}
    own = {(community, slug) for community, slug in wanted if community is not None}
    scope = Q(community__isnull=True, slug__in=shared)
    if own:
        scope |= Q(community__slug__in={c for c, _s in own}, slug__in={s for _c, s in own})
    rows = Skill.objects.filter(scope).values_list("community__slug", "slug", "id")
    found = {(community, slug): pk for community, slug, pk in rows}
    if any(ref not in found for ref in wanted):
        # The words profile_set_skills uses for a skill of a community one is not in.
        raise _unknown(field, _("One of the chosen skills does not exist."))
    return [found[ref] for ref in wanted]
