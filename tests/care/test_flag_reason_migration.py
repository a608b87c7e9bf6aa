"""Flag reasons stored as words before codes become codes; unknown words stay as they were."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from mutua.care.models import CarePlan

BEFORE, AFTER = ("care", "0004_drill_until_and_contact_consent"), ("care", "0005_flag_reason_codes")


# Not `serialized_rollback`: see tests/api/test_skill_slugs.py.
@pytest.mark.django_db(transaction=True)
def test_words_in_either_language_become_codes_and_others_are_kept():
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    try:
        apps = executor.loader.project_state([BEFORE]).apps
        Community = apps.get_model("communities", "Community")
        User = apps.get_model("people", "User")
        OldPlan = apps.get_model("care", "CarePlan")
        community = Community.objects.create(name="Mill", slug="mill")
        reasons = {
            "english": "a contact declined",
            "spanish": "un contacto no aceptó",
            "other": "something a coordinator typed",
        }
        ids = {}
        for n, (key, words) in enumerate(reasons.items()):
            person = User.objects.create(email=f"p{n}@example.org", public_id=f"u{n:015d}")
            ids[key] = OldPlan.objects.create(
                community=community,
                person=person,
                public_id=f"p{n:015d}",
                reply_code=f"AB{n}",
                starts_on=dt.date(2026, 1, 1),
                is_flagged=True,
                flag_reason=words,
            ).pk

        MigrationExecutor(connection).migrate([AFTER])

        found = {k: CarePlan.objects.get(pk=pk).flag_reason for k, pk in ids.items()}
        assert found == {"english": "declined", "spanish": "declined", "other": reasons["other"]}
        assert CarePlan.objects.get(pk=ids["other"]).flag_reason_words == reasons["other"]
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
