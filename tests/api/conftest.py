"""Helpers for API tests: a client that speaks JSON with a bearer token."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from mutua.people.models import User
from mutua.people.services import api_token_create

BASE = "/api/v1"


class ApiClient:
    """Calls /api/v1 as one person (or nobody) with a personal access token."""

    def __init__(self, user: User | None = None):
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, secret = api_token_create(user=user, name="tests")
            self.secret = secret
            self.headers["Authorization"] = f"Bearer {secret}"

    def request(self, method: str, path: str, body: Any = None, **params: Any):
        kwargs: dict[str, Any] = {"headers": self.headers}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        if params:
            kwargs["QUERY_STRING"] = "&".join(f"{k}={v}" for k, v in params.items())
        return getattr(self.client, method.lower())(BASE + path, **kwargs)

    def get(self, path: str, **params: Any):
        return self.request("GET", path, **params)

    def post(self, path: str, body: Any = None):
        return self.request("POST", path, body if body is not None else {})

    def patch(self, path: str, body: Any):
        return self.request("PATCH", path, body)

    def put(self, path: str, body: Any):
        return self.request("PUT", path, body)

    def delete(self, path: str):
        return self.request("DELETE", path)


@pytest.fixture
def as_user():
    """`as_user(cast.member)` → an ApiClient for that person; `as_user(None)` for a visitor."""
    return ApiClient


def assert_problem(response, status: int, field: str | None = None) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/problem+json")
    body = json.loads(response.content)
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        assert field in body["errors"], body
    return body
