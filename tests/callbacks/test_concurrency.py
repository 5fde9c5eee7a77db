"""Concurrent deliveries on PostgreSQL: what a single test process cannot show."""

import threading
import time

import pytest
from django.db import connection
from django.test import Client

from callbacks import handoff
from callbacks.apply import event_apply, events_apply_received
from callbacks.models import CallbackEvent
from subscribers.models import Person, Subscription, SubscriptionEvent

from .conftest import URL, subscription_event

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def together(count, work):
    """Run ``work(i)`` in ``count`` threads released at the same moment."""
    barrier = threading.Barrier(count)
    results, errors = [None] * count, []

    def run(i):
        try:
            barrier.wait(timeout=10)
            results[i] = work(i)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors
    return results


def test_the_same_event_delivered_at_the_same_moment_is_stored_once_and_applied_once():
    body = subscription_event()

    def deliver(_):
        return Client().post(URL, body, content_type="application/json").status_code

    assert together(6, deliver) == [200] * 6
    together(3, lambda _: events_apply_received())
    first = CallbackEvent.objects.exclude(status="duplicate").get()
    assert first.status == "applied" and first.attempts == 1
    assert CallbackEvent.objects.filter(status="duplicate", dedupe_key=None).count() == 5
    assert SubscriptionEvent.objects.filter(kind="opted_in").count() == 1
    assert Subscription.objects.get().status == "active"


def test_two_callbacks_for_one_unknown_person_at_the_same_moment_create_one_person():
    bodies = [
        subscription_event(event_id="E1", list_id="1234"),
        subscription_event(event_id="E2", list_id="5678"),
        subscription_event(event_id="E3", list_id="9999"),
    ]
    for body in bodies:
        Client().post(URL, body, content_type="application/json")
    ids = list(CallbackEvent.objects.order_by("id").values_list("pk", flat=True))
    together(3, lambda i: event_apply(event_id=ids[i]).status)
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"applied"}
    assert Person.objects.count() == 1
    assert Subscription.objects.filter(status="active").count() == 3


def test_a_worker_applies_what_the_endpoint_stored(celery_worker_process, monkeypatch):
    """End to end: the endpoint stores and asks for a run; a real worker applies it."""
    monkeypatch.undo()  # the real kick, not the recorder
    celery_worker_process.start()
    handoff._last_kick = 0.0
    response = Client().post(URL, subscription_event(), content_type="application/json")
    assert response.status_code == 200
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if CallbackEvent.objects.filter(status="applied").exists():
            break
        time.sleep(0.2)
    assert CallbackEvent.objects.get().status == "applied"
    assert Subscription.objects.get().status == "active"
