"""Notification kinds of the trust app (templates in trust/templates/notify/)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from mutua.notify.kinds import register_kind

CONCERN_NEW = "trust_concern_new"

register_kind(CONCERN_NEW, label=_("A concern was reported to coordinators"))
