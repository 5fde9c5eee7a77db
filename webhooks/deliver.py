"""Sending webhook deliveries: per endpoint and person, oldest first, one at a time.

Only the oldest pending delivery of an (endpoint, person) pair is ever taken, and a
worker takes it with a lease (``claimed_until``) in a short transaction, sends it with no
transaction open, and records the answer in another: so a person's events reach each
receiver in the order they happened, and a second worker finds the lease and leaves it.
A failed attempt waits ``WEBHOOK_RETRY_DELAYS[n]``; past the last delay (about a day) the
delivery has failed, and so the endpoint is disabled until staff enable it again (the
admin's Needs attention shows it, config/stalls.py). Its later events wait meanwhile.
A worker that dies while sending leaves a lease that runs out: that event is sent again,
with the same ``webhook-id``, which receivers use to see it once.
"""

import time
from dataclasses import dataclass
from datetime import timedelta

import requests
from django.conf import settings
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from .models import WebhookAttempt, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .signing import body_bytes, signed_headers

LEASE_MARGIN = timedelta(seconds=30)


@dataclass(frozen=True)
class Step:
    outcome: str  # sent | retry | failed | wait | none
    retry_in: float | None = None


def _claim(endpoint_id: int, key: str, now) -> WebhookDelivery | None | str:
    with transaction.atomic():
        delivery = (
            # Only the delivery's row: the endpoint's stays free for its other persons.
            WebhookDelivery.objects.select_for_update(of=("self",))
            .filter(endpoint_id=endpoint_id, ordering_key=key, state=WebhookDelivery.State.PENDING)
            .select_related("event", "endpoint")
            .order_by("id")
            .first()
        )
        if delivery is None:
            return None
        endpoint = delivery.endpoint
        busy = delivery.claimed_until and delivery.claimed_until > now
        not_due = delivery.next_attempt_at and delivery.next_attempt_at > now
        if not endpoint.enabled or endpoint.disabled_at or busy or not_due:
            return "wait"
        delivery.claimed_until = now + timedelta(seconds=settings.WEBHOOK_TIMEOUT) + LEASE_MARGIN
        delivery.save(update_fields=["claimed_until"])
    return delivery


def _post(delivery: WebhookDelivery) -> tuple[int | None, str]:
    body = body_bytes(delivery.event.payload)
    headers = signed_headers(
        secret=delivery.endpoint.secret,
        msg_id=delivery.event.msg_id,
        body=body,
        at=timezone.now(),
    )
    try:
        answer = requests.post(
            delivery.endpoint.url,
            data=body,
            headers=headers,
            timeout=settings.WEBHOOK_TIMEOUT,
            allow_redirects=False,
        )
    except requests.RequestException as exc:
        return None, f"{exc.__class__.__name__}: {exc}"[:500]
    answer.close()
    if 200 <= answer.status_code < 300:
        return answer.status_code, ""
    return answer.status_code, f"HTTP {answer.status_code}"


def delivery_step(*, endpoint_id: int, ordering_key: str) -> Step:
    """Send the next delivery of this pair if it is due; say what happened."""
    now = timezone.now()
    delivery = _claim(endpoint_id, ordering_key, now)
    if delivery is None:
        return Step("none")
    if delivery == "wait":
        return Step("wait")
    started = time.monotonic()
    status, error = _post(delivery)
    took = int((time.monotonic() - started) * 1000)
    delays = settings.WEBHOOK_RETRY_DELAYS
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery, started_at=now, duration_ms=took, status_code=status, error=error
        )
        delivery.attempts += 1
        delivery.claimed_until = None
        delivery.last_error = error
        if not error:
            delivery.state = WebhookDelivery.State.DELIVERED
            delivery.delivered_at = timezone.now()
            delivery.next_attempt_at = None
            step = Step("sent")
        elif delivery.attempts > len(delays):
            delivery.state = WebhookDelivery.State.FAILED
            WebhookEndpoint.objects.filter(pk=endpoint_id, disabled_at__isnull=True).update(
                disabled_at=timezone.now()
            )
            step = Step("failed")
        else:
            delay = delays[delivery.attempts - 1]
            delivery.next_attempt_at = timezone.now() + timedelta(seconds=delay)
            step = Step("retry", retry_in=delay)
        delivery.save()
    return step


def deliver_pair(*, endpoint_id: int, ordering_key: str, budget_seconds: float = 30.0) -> Step:
    """Send this pair's deliveries in order until one must wait or the budget is spent."""
    deadline = time.monotonic() + budget_seconds
    while True:
        step = delivery_step(endpoint_id=endpoint_id, ordering_key=ordering_key)
        if step.outcome != "sent" or time.monotonic() > deadline:
            return step


def due_pairs(*, limit: int = 1000) -> list[tuple[int, str]]:
    """(endpoint, person) pairs whose oldest pending delivery may be sent now."""
    now = timezone.now()
    older = WebhookDelivery.objects.filter(
        endpoint_id=OuterRef("endpoint_id"),
        ordering_key=OuterRef("ordering_key"),
        state=WebhookDelivery.State.PENDING,
        id__lt=OuterRef("id"),
    )
    rows = (
        WebhookDelivery.objects.exclude(Exists(older))
        .filter(
            state=WebhookDelivery.State.PENDING,
            endpoint__enabled=True,
            endpoint__disabled_at__isnull=True,
        )
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        .values_list("endpoint_id", "ordering_key")
        .distinct()
        .order_by()[:limit]
    )
    return [(e, k) for e, k in rows]


def delivery_replay(*, deliveries) -> int:
    """Send these deliveries again (staff's replay): pending, due now, attempts from 0."""
    return deliveries.update(
        state=WebhookDelivery.State.PENDING,
        attempts=0,
        next_attempt_at=None,
        claimed_until=None,
        delivered_at=None,
    )


def events_prune(*, now=None, batch: int = 1000) -> int:
    """Delete events (with their deliveries and attempts) older than ``WEBHOOK_KEEP_DAYS``
    that wait for no delivery: the outbox keeps numbers, so it is not kept for ever. One
    batch per call; beat calls it often enough (webhooks/tasks.py)."""
    now = now or timezone.now()
    waiting = WebhookDelivery.objects.filter(
        event_id=OuterRef("pk"), state=WebhookDelivery.State.PENDING
    )
    old = (
        WebhookEvent.objects.filter(created_at__lt=now - timedelta(days=settings.WEBHOOK_KEEP_DAYS))
        .exclude(Exists(waiting))
        .order_by("pk")
        .values_list("pk", flat=True)[:batch]
    )
    ids = list(old)
    if not ids:
        return 0
    WebhookEvent.objects.filter(pk__in=ids).delete()
    return len(ids)
