"""``GET /healthz``: is the database reachable, is the broker reachable."""

import os

import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database_ok() -> bool:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            return cursor.fetchone() == (1,)
    except Exception:  # noqa: BLE001 - any failure means "not reachable"
        return False


def _broker_ok() -> bool:
    if settings.REDIS_URL:
        try:
            client = redis.Redis.from_url(
                settings.REDIS_URL,
                socket_timeout=1,
                socket_connect_timeout=1,
            )
            try:
                return bool(client.ping())
            finally:
                client.close()
        except Exception:  # noqa: BLE001
            return False
    folder = settings.CELERY_EMBEDDED_BROKER_DIR / "queue"
    return folder.is_dir() and os.access(folder, os.W_OK)


@never_cache
@require_GET
def healthz(request):
    checks = {"database": _database_ok(), "broker": _broker_ok()}
    healthy = all(checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "unavailable", **checks},
        status=200 if healthy else 503,
    )
