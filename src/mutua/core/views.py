"""Operator-facing endpoints: health for outside monitors."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.cache import never_cache

from mutua.core.health import health_status


@never_cache
def health(request):
    """200 when the database answers and the worker's heartbeat is fresh; otherwise 503."""
    status = health_status()
    return JsonResponse(status, status=200 if status["ok"] else 503)
