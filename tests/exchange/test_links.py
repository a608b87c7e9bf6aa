"""A helper asked by e-mail accepts from a signed link: GET shows a page, only POST acts."""

from __future__ import annotations

from mutua.exchange import services
from mutua.exchange.models import Commitment
from mutua.notify.models import Notification
from tests.exchange.helpers import post_need


def _links(helper) -> dict[str, str]:
    note = Notification.objects.get(recipient=helper, kind="exchange_task_asked")
    return {a["label"]: a["url"] for a in note.actions}


def test_helper_accepts_from_the_link_with_a_post_only(client, cast):
    need = post_need(cast.community, cast.member)
    services.need_ask_helper(actor=cast.coordinator, need=need, helper=cast.caller)
    accept_url = next(u for label, u in _links(cast.caller).items() if "Yes" in label)
    path = accept_url.split("://", 1)[-1]
    path = path[path.index("/") :]
    # a mail scanner's GET changes nothing
    assert client.get(path).status_code == 200
    assert not Commitment.objects.exists()
    # the helper's POST takes the task, once
    assert client.post(path).status_code == 200
    assert Commitment.objects.get().helper == cast.caller
    assert client.post(path).status_code != 200 or Commitment.objects.count() == 1


def test_member_cannot_ask_helpers(cast):
    import pytest

    from mutua.core.errors import PermissionDenied

    need = post_need(cast.community, cast.member)
    with pytest.raises(PermissionDenied):
        services.need_ask_helper(actor=cast.caller, need=need, helper=cast.steward)
