"""A member may say their gender (for same-gender personal care) and whether they keep pets."""

from __future__ import annotations

import pytest
from django.urls import reverse

from mutua.core.errors import ValidationFailed
from mutua.people.models import Profile
from mutua.people.services import profile_update
from tests.factories import make_user


def test_gender_and_pets_are_saved_and_can_be_unsaid(db):
    # given a member
    user = make_user("Ana Member", "ana@example.org")
    # when they say their gender and that they keep pets, then take the gender back
    profile_update(user=user, gender="woman", has_pets=True)
    saved = Profile.objects.get(user=user)
    profile_update(user=user, gender="")
    # then both were saved, and the gender is empty again
    assert (saved.gender, saved.has_pets) == ("woman", True)
    assert Profile.objects.get(user=user).gender == ""


def test_an_unknown_gender_is_refused_and_nothing_changes(db):
    user = make_user("Ana Member", "ana@example.org")
    with pytest.raises(ValidationFailed) as err:
        profile_update(user=user, gender="robot", has_pets=True)
    assert "gender" in err.value.field_errors
    assert Profile.objects.get(user=user).has_pets is False


def test_the_profile_page_saves_gender(client, db):
    user = make_user("Ana Member", "ana@example.org")
    client.force_login(user)
    page = client.get(reverse("people:profile"))
    form = page.context["form"]
    data = {k: v for k, v in form.initial.items() if v is not None}
    data.update(gender="non_binary", has_pets="on", languages=user.profile.languages or ["en"])
    data["free_tags"] = ""
    response = client.post(reverse("people:profile"), data)
    assert response.status_code == 302, response.context["form"].errors
    assert Profile.objects.get(user=user).gender == "non_binary"
