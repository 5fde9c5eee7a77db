"""Health for monitors: ``/healthz`` (can this process serve?), ``/healthz/stalls`` and
``/metrics`` (is anything stuck?).

``/healthz`` answers 503 only when the database or the broker is unreachable, so a load
balancer never takes a healthy process out because Vibes is slow. ``/healthz/stalls``
answers 503 when a figure of ``config.stalls`` is a problem, for a monitor that reads
status codes; ``/metrics`` gives the same figures in Prometheus' text format. Neither
shows personal data; still, outside DEBUG they answer only ``Authorization: Bearer
<MONITORING_TOKEN>`` (404 when no token is set).
"""

import hmac
import os

import redis
from django.conf import settings
from django.db import connection
from django.http import HttpResponse, JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.exposition import CONTENT_TYPE_LATEST

from .stalls import stall_figures


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


def _allowed(request) -> bool:
    """With MONITORING_TOKEN set, its bearer only; without it, open in DEBUG and closed
    (404) otherwise: a deployment that said nothing shows its figures to nobody."""
    token = settings.MONITORING_TOKEN
    if not token:
        return settings.DEBUG
    given = request.META.get("HTTP_AUTHORIZATION", "").removeprefix("Bearer ").strip()
    return hmac.compare_digest(given.encode(), token.encode())


@never_cache
@require_GET
def stalls(request):
    if not _allowed(request):
        return JsonResponse({"detail": "Not found."}, status=404)
    figures = stall_figures()
    problems = [f.key for f in figures if f.problem]
    return JsonResponse(
        {
            "status": "stalled" if problems else "ok",
            "problems": problems,
            **{f.key: f.value for f in figures},
        },
        status=503 if problems else 200,
    )


class _StallCollector:
    """The stall figures as gauges, read fresh at each scrape."""

    def collect(self):
        figures = stall_figures()
        for f in figures:
            name = f"vibes_{f.key}" + ("_seconds" if f.unit == "seconds" else "")
            gauge = GaugeMetricFamily(name, str(f.label))
            if f.value is not None:
                gauge.add_metric([], f.value)
            yield gauge
        problems = GaugeMetricFamily(
            "vibes_stall_problems", "figures past their STALL_* threshold", labels=["figure"]
        )
        for f in figures:
            problems.add_metric([f.key], 1 if f.problem else 0)
        yield problems


@never_cache
@require_GET
def metrics(request):
    if not _allowed(request):
        return HttpResponse(status=404)
    registry = CollectorRegistry(auto_describe=False)
    registry.register(_StallCollector())
    return HttpResponse(generate_latest(registry), content_type=CONTENT_TYPE_LATEST)
