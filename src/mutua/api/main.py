"""The API v1 root. Endpoints live in each app's api.py and are mounted here."""

from __future__ import annotations

from ninja import NinjaAPI

api = NinjaAPI(title="Mutua API", version="1", urls_namespace="api-v1", docs_url="/docs")
