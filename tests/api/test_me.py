"""/me: my account, profile, skills, availability, private details, export, deletion, tokens."""

from __future__ import annotations

from mutua.people.models import ApiToken, Profile, SensitiveDetails, Skill, User
from tests.api.conftest import ApiClient, assert_problem


def test_me_shows_account_and_profile(cast):
    body = ApiClient(cast.member).get("/me").json()
    assert body["id"] == cast.member.public_id
    assert body["profile"]["display_name"] == "Member Person"


def test_profile_update_changes_only_what_is_sent(cast):
    client = ApiClient(cast.member)
    response = client.patch("/me/profile", {"bio": "I bake bread", "languages": ["es", "en"]})
    assert response.status_code == 200, response.content
    profile = Profile.objects.get(user=cast.member)
    assert (profile.bio, profile.languages, profile.display_name) == (
        "I bake bread",
        ["en", "es"],
        "Member Person",
    )


def test_profile_time_with_offset_is_refused(cast):
    response = ApiClient(cast.member).patch(
        "/me/profile", {"quiet_hours_start": "22:00:00Z", "quiet_hours_end": "07:00"}
    )
    assert_problem(response, 422, field="quiet_hours_start")


def test_skills_are_replaced(cast):
    Skill.objects.create(slug="kite-mending", name="Kite mending")
    Skill.objects.create(community=cast.community, slug="ferry", name="Ferry rides")
    refs = [{"slug": "kite-mending"}, {"slug": "ferry", "community": "riverside"}]
    response = ApiClient(cast.member).put("/me/skills", {"skills": refs})
    assert response.status_code == 200
    assert {s["slug"] for s in response.json()} == {"kite-mending", "ferry"}


def test_skill_of_a_community_i_am_not_in_is_refused(cast):
    Skill.objects.create(community=cast.community, slug="ferry", name="Ferry rides")
    refs = [{"slug": "ferry", "community": "riverside"}]
    response = ApiClient(cast.outsider).put("/me/skills", {"skills": refs})
    assert_problem(response, 422, field="skills")


def test_availability_is_replaced_and_overlaps_refused(cast):
    client = ApiClient(cast.member)
    ok = client.put(
        "/me/availability", {"windows": [{"weekday": 0, "start": "09:00", "end": "12:00"}]}
    )
    assert ok.status_code == 200 and len(ok.json()) == 1
    overlapping = [
        {"weekday": 1, "start": "09:00", "end": "12:00"},
        {"weekday": 1, "start": "11:00", "end": "13:00"},
    ]
    assert_problem(client.put("/me/availability", {"windows": overlapping}), 422, field="windows")
    assert Profile.objects.get(user=cast.member).availability.count() == 1


def test_private_details_are_mine_to_read_and_change(cast):
    client = ApiClient(cast.member)
    response = client.put("/me/private", {"phone": "+44 20 7946 0000", "address": "1 Mill Lane"})
    assert response.status_code == 200, response.content
    assert client.get("/me/private").json()["phone"] == "+44 20 7946 0000"


def test_health_notes_need_consent(cast):
    response = ApiClient(cast.member).put("/me/private", {"health_notes": "Diabetic"})
    assert_problem(response, 422, field="health_notes")
    assert not SensitiveDetails.objects.filter(user=cast.member, health_notes="Diabetic").exists()


def test_export_holds_my_data(cast):
    body = ApiClient(cast.member).get("/me/export").json()
    assert body["account"]["email"] == "member@example.org"
    assert body["memberships"][0]["community"] == "riverside"


def test_delete_anonymises_me_and_my_tokens_stop_working(cast):
    client = ApiClient(cast.member)
    assert client.delete("/me").status_code == 204
    user = User.objects.get(pk=cast.member.pk)
    assert user.is_anonymised and not user.is_active
    assert_problem(client.get("/me"), 401)


def test_last_steward_cannot_delete_their_account(cast):
    assert_problem(ApiClient(cast.steward).delete("/me"), 422)
    assert User.objects.get(pk=cast.steward.pk).is_active


def test_token_is_created_shown_once_listed_and_revoked(cast):
    client = ApiClient(cast.member)
    created = client.post("/me/tokens", {"name": "my script"})
    assert created.status_code == 201
    secret, token_id = created.json()["secret"], created.json()["token"]["id"]
    assert secret.startswith("mutua_")
    listed = client.get("/me/tokens").json()["items"]
    assert token_id in [t["id"] for t in listed] and "secret" not in listed[0]
    assert client.delete(f"/me/tokens/{token_id}").status_code == 204
    assert ApiToken.objects.get(public_id=token_id).revoked_at is not None


def test_someone_elses_token_cannot_be_revoked(cast):
    other = ApiClient(cast.coordinator).get("/me/tokens").json()["items"][0]["id"]
    assert_problem(ApiClient(cast.member).delete(f"/me/tokens/{other}"), 404)
    assert ApiToken.objects.get(public_id=other).revoked_at is None
