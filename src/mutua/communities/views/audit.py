"""The audit log page: every member reads it; filters by action, people and days."""

from __future__ import annotations

from django.shortcuts import render

from mutua.communities import selectors
from mutua.communities.audit_words import change_rows
from mutua.communities.forms import AuditFilterForm
from mutua.communities.views.common import (
    ACTION_WORDS,
    community_context,
    community_page,
    paginate,
)


@community_page()
def audit(request, community):
    people = selectors.audit_people(viewer=request.user, community=community)
    form = AuditFilterForm(request.GET or None, actions=sorted(ACTION_WORDS.items()), people=people)
    entries = selectors.audit_list(viewer=request.user, community=community, **form.filters())
    page = paginate(request, entries)
    for entry in page:
        entry.words = ACTION_WORDS.get(entry.action, entry.action)
        entry.changes = change_rows(entry.before, entry.after)
    query = request.GET.copy()
    query.pop("page", None)
    context = community_context(request, community, form=form, page=page, query=query.urlencode())
    return render(request, "communities/audit.html", context)
