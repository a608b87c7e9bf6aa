"""Writes about communities, split by concept; import them from here."""

from mutua.communities.services.catalogue import (
    area_create,
    custom_role_assign,
    custom_role_create,
    custom_role_slug,
    skill_add,
)
from mutua.communities.services.common import (
    INVITATION_DAYS,
    MAX_BULK_INVITATIONS,
    RESERVED_SLUGS,
    SLUG_RE,
)
from mutua.communities.services.community import (
    COMMUNITY_FIELDS,
    community_create,
    community_update,
)
from mutua.communities.services.joining import (
    BulkReport,
    application_decide,
    application_submit,
    invitation_accept,
    invitation_bulk,
    invitation_create,
    invitation_lookup,
    invitation_revoke,
    membership_join,
    parse_address_list,
)
from mutua.communities.services.membership import (
    membership_change_role,
    membership_leave,
    membership_remove,
    membership_set_attributes,
    membership_set_location,
    membership_update_self,
)

__all__ = [
    "COMMUNITY_FIELDS",
    "INVITATION_DAYS",
    "MAX_BULK_INVITATIONS",
    "RESERVED_SLUGS",
    "SLUG_RE",
    "BulkReport",
    "application_decide",
    "application_submit",
    "area_create",
    "community_create",
    "community_update",
    "custom_role_assign",
    "custom_role_create",
    "custom_role_slug",
    "invitation_accept",
    "invitation_bulk",
    "invitation_create",
    "invitation_lookup",
    "invitation_revoke",
    "membership_change_role",
    "membership_join",
    "membership_leave",
    "membership_remove",
    "membership_set_attributes",
    "membership_set_location",
    "membership_update_self",
    "parse_address_list",
    "skill_add",
]
