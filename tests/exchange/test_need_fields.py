"""Fields people set on needs and offers reach every surface: languages on the forms, skills on
offers, times that move agreed helpers' due times; errors on the field they are about; the
emergency number on urgent rows; areas that take in their sub-areas."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from mutua.exchange import selectors, services
from mutua.exchange.models import Commitment, Need, Offer
from mutua.exchange.services.common import settings_for
from mutua.people.models import Skill
from tests.exchange.helpers import post_need
from tests.factories import make_area


def _need_form(**extra):
    return {"title": "Talk in Spanish", "kind": "companionship", "urgency": "week",
            "helpers_wanted": 1, **extra}  # fmt: skip


def test_the_need_form_records_the_languages_wanted(client, cast):
    client.force_login(cast.member)
    r = client.post(
        reverse("exchange:need_new", args=[cast.community.slug]), _need_form(languages=["es"])
    )
    assert r.status_code == 302, r.content
    assert Need.objects.get().languages == ["es"]


def test_editing_a_need_changes_its_languages_from_the_form(client, cast):
    need = post_need(cast.community, cast.member, languages=["es"])
    url = reverse("exchange:need_edit", args=[cast.community.slug, need.public_id])
    client.force_login(cast.member)
    import re

    assert re.search(r'value="es"[^>]*checked', client.get(url).content.decode())
    r = client.post(url, _need_form(languages=["fr", "en"]))
    assert r.status_code == 302
    assert Need.objects.get().languages == ["en", "fr"]


def test_moving_a_needs_time_moves_its_helpers_due_and_release_times(cast):
    start = timezone.now() + dt.timedelta(days=2)
    need = post_need(cast.community, cast.member, allow_self_assign=True, starts_at=start,
                     ends_at=start + dt.timedelta(hours=1))  # fmt: skip
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    later = start + dt.timedelta(days=3)
    services.need_edit(
        actor=cast.member, need=need, title=need.title, starts_at=later,
        ends_at=later + dt.timedelta(hours=2),
    )  # fmt: skip
    moved = Commitment.objects.get(pk=commitment.pk)
    grace = dt.timedelta(hours=settings_for(cast.community).stale_grace_hours)
    assert moved.due_at == later + dt.timedelta(hours=2)
    assert moved.release_at == moved.due_at + grace


def test_the_offer_form_records_skills(client, cast):
    skill = Skill.objects.get_or_create(slug="cooking", defaults={"name": "Cooking"})[0]
    client.force_login(cast.member)
    r = client.post(
        reverse("exchange:offer_new", args=[cast.community.slug]),
        {"title": "Soup on Sundays", "kind": "goods", "days": 30, "skill_ids": [str(skill.pk)]},
    )
    assert r.status_code == 302, r.content
    assert list(Offer.objects.get().skills.all()) == [skill]


def test_the_offer_list_area_takes_in_its_sub_areas(cast):
    north = make_area(cast.community, "North")
    street = make_area(cast.community, "Mill Street", parent=north)
    services.offer_post(owner=cast.member, community=cast.community, title="Ladder to lend",
                        service_area=street)  # fmt: skip
    found = selectors.offer_list(
        viewer=cast.caller, community=cast.community, filters=selectors.NeedFilters(area=north.slug)
    )
    assert [o.title for o in found] == ["Ladder to lend"]


def test_urgent_rows_in_the_needs_list_show_the_emergency_number(client, cast):
    post_need(cast.community, cast.member, title="Fell at home", urgency="immediate")
    post_need(cast.community, cast.member, title="Some books", urgency="flexible")
    client.force_login(cast.caller)
    page = client.get(reverse("exchange:need_list", args=[cast.community.slug])).content.decode()
    urgent_row = page[page.index("Fell at home") :].split("</li>")[0]
    calm_row = page[page.index("Some books") :].split("</li>")[0]
    assert "Call 112" in urgent_row and "112" not in calm_row


def test_a_refused_offer_to_help_shows_on_its_field_and_keeps_what_was_typed(client, cast):
    need = post_need(cast.community, cast.member)
    client.force_login(cast.caller)
    url = reverse("exchange:need_action", args=[cast.community.slug, need.public_id, "respond"])
    r = client.post(url, {"proposed_time": "t" * 121, "message": "I can come"})
    assert r.status_code == 422
    html = r.content.decode()
    assert 'aria-invalid="true"' in html and "I can come" in html
    assert "has-error" in html and not need.responses.exists()


def test_a_thank_you_that_is_too_long_shows_its_error_on_that_box(client, cast):
    need = post_need(cast.community, cast.member, allow_self_assign=True)
    commitment = services.need_self_assign(helper=cast.caller, need=need)
    client.force_login(cast.member)
    url = reverse("exchange:need_action", args=[cast.community.slug, need.public_id, "thanks"])
    r = client.post(url, {"commitment": commitment.public_id, "text": "   "})
    assert r.status_code == 422
    box = f'id="thanks-{commitment.public_id}-error"'
    assert box in r.content.decode()
