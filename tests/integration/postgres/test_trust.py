"""Trust recompute and gates on PostgreSQL (the bulk reads, writes and expressions)."""

from __future__ import annotations

import pytest

from mutua.core.errors import PermissionDenied
from mutua.exchange import services as exchange
from mutua.trust import services
from mutua.trust.models import TrustScore, Vouch
from tests.factories import add_member, make_user

pytestmark = pytest.mark.postgres


def test_recompute_with_vouches_and_kept_help_on_postgres(cast):
    Vouch.objects.create(community=cast.community, voucher=cast.steward, vouchee=cast.member)
    need = exchange.need_post(actor=cast.caller, community=cast.community, title="Soup")
    c = exchange.commitment_assign(actor=cast.coordinator, need=need, helper=cast.member)
    exchange.commitment_mark_done(actor=cast.member, commitment=c)
    exchange.commitment_confirm(actor=cast.caller, commitment=c)
    newcomers = [make_user() for _ in range(20)]
    for person in newcomers:
        add_member(cast.community, person)
    assert services.trust_recompute(cast.community) == 24
    assert services.trust_recompute(cast.community) == 24  # idempotent: replaces, never adds
    assert TrustScore.objects.filter(membership__community=cast.community).count() == 24
    assert services.trust_level_of(cast.member, cast.community) in ("known", "trusted")
    assert TrustScore.objects.get(membership__user=cast.member).explanation["kept"] == 1
    with pytest.raises(PermissionDenied, match="known"):
        services.trust_gate_require(newcomers[0], cast.community, "vouch")
