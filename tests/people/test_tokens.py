"""Personal access tokens: hashed at rest, shown once, revocable."""

from __future__ import annotations

import hashlib

import pytest
from django.db import connection

from mutua.core.errors import NotFound, ValidationFailed
from mutua.people.models import ApiToken
from mutua.people.selectors import api_token_list
from mutua.people.services import api_token_authenticate, api_token_create, api_token_revoke
from tests.factories import make_user


def test_a_new_token_returns_its_secret_once_and_stores_only_its_hash(db):
    user = make_user()

    token, secret = api_token_create(user=user, name=" Phone app ")

    assert token.name == "Phone app"
    assert secret.startswith("mutua_")
    assert token.token_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert token.prefix == secret[:12]
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM people_apitoken")
        stored = " ".join(str(v) for row in cursor.fetchall() for v in row)
    assert secret not in stored
    assert secret[12:] not in stored


def test_the_token_authenticates_its_user_and_records_its_use(db):
    user = make_user()
    token, secret = api_token_create(user=user, name="Script")

    assert api_token_authenticate(secret) == user
    token.refresh_from_db()
    assert token.last_used_at is not None


@pytest.mark.parametrize("secret", ["", "mutua_wrong", "not-ours", "mutua_" + "x" * 300])
def test_unknown_or_malformed_secrets_authenticate_nobody(db, secret):
    api_token_create(user=make_user(), name="Script")

    assert api_token_authenticate(secret) is None


def test_a_revoked_token_authenticates_nobody(db):
    user = make_user()
    token, secret = api_token_create(user=user, name="Script")

    revoked = api_token_revoke(user=user, public_id=token.public_id)

    assert revoked.revoked_at is not None
    assert api_token_authenticate(secret) is None


def test_revoking_twice_keeps_the_first_revocation_time(db):
    user = make_user()
    token, _secret = api_token_create(user=user, name="Script")
    first = api_token_revoke(user=user, public_id=token.public_id).revoked_at

    assert api_token_revoke(user=user, public_id=token.public_id).revoked_at == first


def test_nobody_can_revoke_another_persons_token(db):
    owner, other = make_user(), make_user()
    token, secret = api_token_create(user=owner, name="Script")

    with pytest.raises(NotFound):
        api_token_revoke(user=other, public_id=token.public_id)

    assert api_token_authenticate(secret) == owner


def test_a_token_of_a_deactivated_user_authenticates_nobody(db):
    user = make_user()
    _token, secret = api_token_create(user=user, name="Script")
    user.is_active = False
    user.save()

    assert api_token_authenticate(secret) is None


@pytest.mark.parametrize("name", ["", "   ", "x" * 81])
def test_a_token_needs_a_short_name(db, name):
    user = make_user()

    with pytest.raises(ValidationFailed) as exc:
        api_token_create(user=user, name=name)

    assert "name" in exc.value.field_errors
    assert ApiToken.objects.count() == 0


def test_at_most_twenty_active_tokens(db):
    user = make_user()
    for i in range(20):
        api_token_create(user=user, name=f"t{i}")

    with pytest.raises(ValidationFailed):
        api_token_create(user=user, name="one too many")

    assert ApiToken.objects.filter(user=user).count() == 20


def test_api_token_list_shows_only_ones_own_tokens_newest_first(db):
    user, other = make_user(), make_user()
    first, _ = api_token_create(user=user, name="first")
    second, _ = api_token_create(user=user, name="second")
    api_token_create(user=other, name="theirs")

    assert list(api_token_list(user=user)) == [second, first]
