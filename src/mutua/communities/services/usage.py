"""What still refers to a row, in words, so a refusal to delete it can say what uses it."""

from __future__ import annotations

from django.db.models import Model
from django.utils.translation import ngettext

from mutua.communities.models import MembershipStatus


def _words(label: str, n: int, fallback: str) -> str:
    known = {
        "communities.membership": ngettext("%(n)d member", "%(n)d members", n),
        "communities.servicearea": ngettext("%(n)d area inside it", "%(n)d areas inside it", n),
        "exchange.need": ngettext("%(n)d need", "%(n)d needs", n),
        "exchange.offer": ngettext("%(n)d offer", "%(n)d offers", n),
    }
    return (known.get(label) or f"%(n)d {fallback}") % {"n": n}


def uses_of(obj: Model, *, ignore: frozenset[str] = frozenset()) -> list[str]:
    """One phrase per kind of row that refers to `obj` ("3 members", "2 needs"); only active
    memberships count. `ignore` names related models ("people.profileskill") left out."""
    found = []
    for rel in obj._meta.related_objects:
        label = rel.related_model._meta.label_lower
        if label in ignore:
            continue
        if rel.one_to_one:
            count = int(rel.related_model._default_manager.filter(**{rel.field.name: obj}).exists())
        else:
            qs = getattr(obj, rel.get_accessor_name()).all()
            if label == "communities.membership":
                qs = qs.filter(status=MembershipStatus.ACTIVE)
            count = qs.count()
        if count:
            found.append(_words(label, count, str(rel.related_model._meta.verbose_name_plural)))
    return found
