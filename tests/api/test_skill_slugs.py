"""Skills are named by slug in the API, never by database id: /me, needs, dispatch, directory.
And the migration that gives every skill a slug before empty ones are forbidden."""

from __future__ import annotations

import pytest
from django.db import IntegrityError, connection
from django.db.migrations.executor import MigrationExecutor

from mutua.exchange.models import Need
from mutua.people.models import ProfileSkill, Skill
from tests.api.conftest import ApiClient, assert_problem
from tests.exchange.helpers import post_need
from tests.factories import add_member, make_community


@pytest.fixture
def skills(cast):
    """A shared skill, one of riverside's own, and one of another community with the same slug."""
    hilltop = make_community(cast.steward, name="Hilltop", slug="hilltop")
    return {
        "shared": Skill.objects.create(slug="kite-mending", name="Kite mending"),
        "own": Skill.objects.create(community=cast.community, slug="ferry", name="Ferry rides"),
        "elsewhere": Skill.objects.create(community=hilltop, slug="ferry", name="Ferry (hill)"),
    }


def _mine(user) -> set[Skill]:
    return {ps.skill for ps in ProfileSkill.objects.filter(profile__user=user)}


# ---- /me/skills ----------------------------------------------------------------------------


def test_the_community_named_with_a_slug_picks_which_of_two_same_slugs_is_mine(cast, skills):
    add_member(skills["elsewhere"].community, cast.member)
    refs = [{"slug": "ferry", "community": "hilltop"}, {"slug": "kite-mending"}]

    response = ApiClient(cast.member).put("/me/skills", {"skills": refs})

    assert response.status_code == 200, response.content
    assert _mine(cast.member) == {skills["elsewhere"], skills["shared"]}
    assert all("id" not in s for s in response.json())
    assert {(s["slug"], s["community"]) for s in response.json()} == {
        ("ferry", "hilltop"),
        ("kite-mending", None),
    }


@pytest.mark.parametrize(
    "refs",
    [
        [{"slug": "no-such-skill"}],
        [{"slug": "ferry"}],  # riverside's own skill is not a shared one
        [{"slug": "kite-mending", "community": "riverside"}],  # nor the shared one riverside's
    ],
)
def test_a_skill_not_named_as_it_is_refused_and_my_skills_stay(cast, skills, refs):
    ApiClient(cast.member).put("/me/skills", {"skills": [{"slug": "kite-mending"}]})

    response = ApiClient(cast.member).put("/me/skills", {"skills": refs})

    assert_problem(response, 422, field="skills")
    assert _mine(cast.member) == {skills["shared"]}


@pytest.mark.parametrize("value", [1, "1", [1]])
def test_integer_ids_are_refused_for_my_skills(cast, skills, value):
    response = ApiClient(cast.member).put("/me/skills", {"skills": [value]})

    assert_problem(response, 422, field="skills.0")
    assert _mine(cast.member) == set()


def test_my_profile_names_my_skills_by_slug(cast, skills):
    ApiClient(cast.member).put("/me/skills", {"skills": [{"slug": "kite-mending"}]})

    skills_out = ApiClient(cast.member).get("/me").json()["profile"]["skills"]

    assert skills_out == [
        {
            "slug": "kite-mending",
            "name": "Kite mending",
            "category": "",
            "label": "Kite mending",
            "category_label": "",
            "community": None,
        }
    ]


# ---- needs and the dispatch board ----------------------------------------------------------


def test_a_need_is_posted_with_skills_named_by_slug(cast, skills):
    body = {"title": "Crossing to the island", "skills": ["ferry", "kite-mending"]}

    response = ApiClient(cast.member).post("/communities/riverside/needs", body)

    assert response.status_code == 201, response.content
    need = Need.objects.get(public_id=response.json()["id"])
    assert set(need.skills.all()) == {skills["own"], skills["shared"]}


@pytest.mark.parametrize("given", [["no-such-skill"], ["ferry", "nope"]])
def test_a_need_with_an_unknown_skill_is_refused_and_not_posted(cast, skills, given):
    body = {"title": "Crossing to the island", "skills": given}

    response = ApiClient(cast.member).post("/communities/riverside/needs", body)

    assert_problem(response, 422, field="skills")
    assert not Need.objects.exists()


def test_integer_skill_ids_are_refused_for_needs(cast, skills):
    body = {"title": "Crossing to the island", "skills": [skills["own"].pk]}

    response = ApiClient(cast.member).post("/communities/riverside/needs", body)

    assert_problem(response, 422, field="skills.0")
    assert "skill_ids" not in ApiClient(cast.member).get("/openapi.json").content.decode()


def test_another_communitys_skill_is_not_found_in_this_community(cast, skills):
    # hilltop's "ferry" exists, but in riverside the slug names riverside's own skill
    response = ApiClient(cast.member).post(
        "/communities/riverside/needs", {"title": "Crossing", "skills": ["ferry"]}
    )

    need = Need.objects.get(public_id=response.json()["id"])
    assert list(need.skills.all()) == [skills["own"]]


def test_a_communitys_own_skill_wins_over_a_shared_one_with_the_same_slug(cast, skills):
    shared_ferry = Skill.objects.create(slug="ferry", name="Ferry (shared)")

    response = ApiClient(cast.member).post(
        "/communities/riverside/needs", {"title": "Crossing", "skills": ["ferry"]}
    )

    need = Need.objects.get(public_id=response.json()["id"])
    assert list(need.skills.all()) == [skills["own"]] != [shared_ferry]


def test_a_slug_with_capitals_and_underscores_is_accepted(cast):
    odd = Skill.objects.create(slug="First_Aid", name="First aid")  # as the admin allows

    response = ApiClient(cast.member).post(
        "/communities/riverside/needs", {"title": "Cut knee", "skills": ["First_Aid"]}
    )

    assert response.status_code == 201, response.content
    assert list(Need.objects.get().skills.all()) == [odd]


def test_a_need_edit_names_skills_by_slug_and_an_empty_list_clears_them(cast, skills):
    need = post_need(cast.community, cast.member, skill_ids=[skills["shared"].pk])
    client = ApiClient(cast.member)

    changed = client.patch(f"/needs/{need.public_id}", {"skills": ["ferry"]})
    assert changed.status_code == 200, changed.content
    assert list(need.skills.all()) == [skills["own"]]

    assert_problem(client.patch(f"/needs/{need.public_id}", {"skills": ["nope"]}), 422)
    assert list(need.skills.all()) == [skills["own"]]

    cleared = client.patch(f"/needs/{need.public_id}", {"skills": []})
    assert cleared.status_code == 200, cleared.content
    assert not need.skills.exists()


def test_the_dispatch_board_filters_by_skill_slug(cast, skills):
    wanted = post_need(cast.community, cast.member, title="Ferry me", skill_ids=[skills["own"].pk])
    post_need(cast.community, cast.member, title="Anything else")
    client = ApiClient(cast.coordinator)

    listed = client.get("/communities/riverside/dispatch", skill="ferry").json()["items"]

    assert [n["id"] for n in listed] == [wanted.public_id]
    assert_problem(client.get("/communities/riverside/dispatch", skill="nope"), 422, field="skill")
    by_id = client.get("/communities/riverside/dispatch", skill=skills["own"].pk)
    assert_problem(by_id, 422, field="skill")  # an id is read as a slug, and none matches


# ---- the member directory -------------------------------------------------------------------


def test_the_directory_filters_by_skill_slug_and_shows_only_skills_named_here(cast, skills):
    profile = cast.caller.profile
    for skill in skills.values():
        profile.profile_skills.create(skill=skill)
    client = ApiClient(cast.member)

    listed = client.get("/communities/riverside/members", skill="ferry").json()["items"]

    assert [m["display_name"] for m in listed] == ["Caller Person"]
    # Hilltop's skill would say the caller belongs there too, and its slug names nothing here.
    assert sorted(listed[0]["skills"], key=lambda s: s["slug"]) == [
        {"slug": "ferry", "name": "Ferry rides", "label": "Ferry rides"},
        {"slug": "kite-mending", "name": "Kite mending", "label": "Kite mending"},
    ]
    refused = client.get("/communities/riverside/members", skill="nope")
    assert_problem(refused, 422, field="skill")


# ---- every skill has a slug -----------------------------------------------------------------


def test_an_empty_slug_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError):
        Skill.objects.create(name="No slug")


# Not `serialized_rollback`: after another transactional test's flush, the content types are
# recreated under new ids, and reloading the serialized ones would clash with them.
@pytest.mark.django_db(transaction=True)
def test_the_migration_gives_empty_slugs_a_unique_one_in_their_scope():
    before, after = ("people", "0002_skill_taxonomy"), ("people", "0003_skill_slug_not_empty")
    executor = MigrationExecutor(connection)
    executor.migrate([before])
    try:
        # given skills written without a slug (at most one per scope, as the unique
        # constraints allow) before the constraint
        apps = executor.loader.project_state([before]).apps
        OldSkill = apps.get_model("people", "Skill")
        Community = apps.get_model("communities", "Community")
        mill, dale, fen = (
            Community.objects.create(name=n, slug=n.lower()) for n in ["Mill", "Dale", "Fen"]
        )
        OldSkill.objects.create(slug="knitting", name="Knitting")
        OldSkill.objects.create(community=mill, slug="boats", name="Boats")
        blank = {
            "shared": OldSkill.objects.create(slug="", name="Knitting"),
            "mill": OldSkill.objects.create(community=mill, slug="", name="Boats"),
            "dale": OldSkill.objects.create(community=dale, slug="", name="Knitting"),
            "fen": OldSkill.objects.create(community=fen, slug="", name="!!!"),
        }

        # when the migration runs
        MigrationExecutor(connection).migrate([after])

        # then each has a slug free in its scope, and never one a shared skill has
        slugs = {k: Skill.objects.get(pk=v.pk).slug for k, v in blank.items()}
        assert slugs == {
            "shared": "knitting-2",
            "mill": "boats-2",
            "dale": "knitting-3",
            "fen": "skill",
        }
        assert not Skill.objects.filter(slug="").exists()
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
