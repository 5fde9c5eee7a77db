"""Webhook events recorded with the history rows that explain them, in the same
transaction, and handed to a worker after the commit.

``history_recorded`` (subscribers/services/history.py) comes from every service and from
the batch path, so every change that history shows becomes an event, however it was
written. A superseded row changed nothing and makes none; an endpoint gets only the types
it asked for. Bodies carry what a receiver needs to act and no more: the company's own
id, the number (a subscription is about a number), the list and what happened; for a
details change the names of the fields, not their values. An erasure removes the number
from every event kept for the person, sent or not, and its own event carries none.
"""

import contextlib

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from subscribers.models import SubscriptionEvent
from subscribers.outbox.publish import publish
from subscribers.services.history import history_recorded

from .models import EventType, WebhookDelivery, WebhookEndpoint, WebhookEvent

DELIVER_TASK = "webhooks.tasks.webhooks_deliver"
ENDPOINTS_CACHE_KEY = "webhooks:any-endpoint"
ENDPOINTS_CACHE_SECONDS = 5
Kind = SubscriptionEvent.Kind

_SUBSCRIPTION_TYPES = {
    Kind.OPTIN_REQUESTED: EventType.PENDING,
    Kind.OPTED_IN: EventType.OPTED_IN,
    Kind.OPTED_OUT: EventType.OPTED_OUT,
}
#: Bookkeeping of Vibes' ids and of a number waiting for its confirmation: no receiver's
#: business (a confirmed new number is ``person.number_changed``).
_QUIET_FIELDS = {
    "mdn",
    "pending_mdn",
    "person_key",
    "vibes_person_id",
    "vibes_created_at",
    "vibes_updated_at",
    "carrier_code",
}
_NUMBER_KEYS = ("mdn", "previous_mdn")


def _person(event: SubscriptionEvent) -> dict:
    person = event.person
    return {"external_id": person.external_person_id or None, "mdn": person.mdn or None}


def _changed_fields(changes: dict) -> list[str]:
    fields = []
    for name, change in changes.items():
        if name in _QUIET_FIELDS:
            continue
        old, new = (change + [None, None])[:2] if isinstance(change, list) else (None, None)
        if name == "custom_fields" and isinstance(old, dict | None) and isinstance(new, dict):
            old = old or {}
            keys = {k for k in {*old, *new} if old.get(k) != new.get(k)}
            fields += [f"custom_fields.{k}" for k in sorted(keys)]
        else:
            fields.append(name)
    return fields


def events_for(event: SubscriptionEvent) -> list[tuple[str, dict]]:
    """The webhook events (type, data) one history row makes."""
    if event.superseded:
        return []
    occurred = {"occurred_at": event.occurred_at.isoformat(), "source": event.source}
    kind_type = _SUBSCRIPTION_TYPES.get(event.kind)
    if kind_type is not None:
        if event.subscription_list is None:
            return []
        data = {"person": _person(event), "list": event.subscription_list.list_id, **occurred}
        if event.kind == Kind.OPTED_OUT:
            data["reason"] = event.opt_out_reason
        return [(kind_type, data)]
    if event.kind == Kind.ERASURE_REQUESTED:
        # The company's id only, so its own systems can erase the person too; no number.
        return [
            (
                EventType.PERSON_ERASED,
                {"person": {"external_id": _person(event)["external_id"]}, **occurred},
            )
        ]
    if event.kind != Kind.DETAILS_CHANGED:
        return []
    out = []
    changes = event.changes or {}
    number = changes.get("mdn")
    if isinstance(number, list) and len(number) == 2 and number[0] and number[1]:
        data = {"person": _person(event), "previous_mdn": number[0], **occurred}
        out.append((EventType.NUMBER_CHANGED, data))
    fields = _changed_fields(changes)
    if fields:
        out.append(
            (EventType.PERSON_UPDATED, {"person": _person(event), "fields": fields, **occurred})
        )
    return out


def _scrub_numbers(person_id: int) -> None:
    for row in WebhookEvent.objects.filter(person_id=person_id):
        data = row.payload.get("data", {})
        person = data.get("person") or {}
        if any(person.get(k) for k in _NUMBER_KEYS) or any(data.get(k) for k in _NUMBER_KEYS):
            for key in _NUMBER_KEYS:
                person.pop(key, None)
                data.pop(key, None)
            WebhookEvent.objects.filter(pk=row.pk).update(payload=row.payload)


def _any_endpoint() -> bool:
    """Whether any endpoint is registered, asked of the cache first: every history row
    comes here, and most installations have none, so the usual answer costs no query. A
    stale "none" (an endpoint made in another process within ``ENDPOINTS_CACHE_SECONDS``
    with a per-process cache) only starts its events a moment later; a stale "some" is
    checked against the table, so a deleted endpoint is never named."""
    try:
        known = cache.get(ENDPOINTS_CACHE_KEY)
    except Exception:  # noqa: BLE001 - a broken cache: ask the table
        known = None
    if known is None:
        known = WebhookEndpoint.objects.exists()
        with contextlib.suppress(Exception):  # the table answered; the cache is optional
            cache.set(ENDPOINTS_CACHE_KEY, known, ENDPOINTS_CACHE_SECONDS)
    return known


def endpoints_changed(**kwargs) -> None:
    with contextlib.suppress(Exception):  # a broken cache: the entry runs out by itself
        cache.delete(ENDPOINTS_CACHE_KEY)


def events_record(events: list[SubscriptionEvent]) -> list[tuple[int, str]]:
    """Record the webhook events of ``events`` for the endpoints that want them; return
    the (endpoint, ordering key) pairs that now have something to send."""
    if not _any_endpoint():
        return []
    endpoints = list(WebhookEndpoint.objects.values_list("pk", "event_types"))
    if not endpoints:
        return []
    now = timezone.now()
    made: list[tuple[WebhookEvent, list[int]]] = []
    erased: set[int] = set()
    for history in events:
        for event_type, data in events_for(history):
            targets = [pk for pk, types in endpoints if event_type in (types or [])]
            if not targets:
                continue
            msg_id = WebhookEvent.new_id()
            payload = {"type": str(event_type), "timestamp": now.isoformat(), "data": data}
            row = WebhookEvent(
                msg_id=msg_id,
                event_type=event_type,
                person_id=history.person_id,
                history_id=history.pk,
                payload=payload,
            )
            made.append((row, targets))
            if event_type == EventType.PERSON_ERASED:
                erased.add(history.person_id)
    if not made:
        return []
    WebhookEvent.objects.bulk_create([row for row, _targets in made])
    deliveries = [
        WebhookDelivery(event=row, endpoint_id=pk, ordering_key=str(row.person_id))
        for row, targets in made
        for pk in targets
    ]
    WebhookDelivery.objects.bulk_create(deliveries)
    for person_id in erased:
        _scrub_numbers(person_id)
    return sorted({(d.endpoint_id, d.ordering_key) for d in deliveries})


def deliveries_publish(pairs) -> int:
    """Ask the workers to send (never raises: the sweep finds what was not published)."""
    return publish(DELIVER_TASK, [tuple(p) for p in pairs])


def history_rows_recorded(sender, events, **kwargs):
    pairs = events_record(list(events))
    if pairs:
        transaction.on_commit(lambda: deliveries_publish(pairs))


def connect() -> None:
    history_recorded.connect(history_rows_recorded, dispatch_uid="webhooks_history_recorded")
    post_save.connect(endpoints_changed, sender=WebhookEndpoint, dispatch_uid="webhooks_saved")
    post_delete.connect(endpoints_changed, sender=WebhookEndpoint, dispatch_uid="webhooks_gone")
