from mutua.core.permissions import can


def test_each_role_gets_its_own_powers(cast):
    c = cast.community
    assert can(cast.steward, "community.edit", c)
    assert not can(cast.coordinator, "community.edit", c)
    assert can(cast.coordinator, "member.invite", c)
    assert not can(cast.caller, "member.invite", c)
    assert can(cast.caller, "calllist.view", c)
    assert not can(cast.member, "calllist.view", c)
    assert not can(cast.outsider, "community.view", c)
