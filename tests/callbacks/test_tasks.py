import threading
import time
from datetime import UTC, datetime

import pytest

from callbacks import handoff, tasks
from callbacks.models import CallbackEvent
from subscribers.models import Subscription
from subscribers.outbox import publish

from .conftest import subscription_event

real_kick = handoff.kick  # the autouse fixture replaces handoff.kick with a recorder

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_kick(monkeypatch):
    monkeypatch.setattr(handoff, "_last_kick", 0.0)
    monkeypatch.setattr(handoff, "_in_flight", None)
    publish.broker_reset()
    yield
    publish.broker_reset()


@pytest.fixture
def published(monkeypatch, fresh_kick):
    calls = []
    monkeypatch.setattr(publish, "_send", lambda task, args, countdown: calls.append(task) or 1)
    return calls


def kick_and_wait():
    real_kick()
    if handoff._in_flight is not None:
        handoff._in_flight.result(timeout=10)


def test_the_endpoint_asks_for_a_worker_run_at_most_once_per_interval(published, monkeypatch):
    clock = iter([1000.0, 1000.4, 1000.9, 1001.1])
    monkeypatch.setattr(handoff, "monotonic", lambda: next(clock))
    for _ in range(4):
        kick_and_wait()
    assert published == [handoff.APPLY_TASK, handoff.APPLY_TASK]


def test_a_broker_outage_never_fails_the_request(monkeypatch, fresh_kick):
    def down(task, args, countdown):
        raise ConnectionError("redis is down")

    monkeypatch.setattr(publish, "_send", down)
    kick_and_wait()  # logged, not raised: the periodic sweep applies the stored events


def test_a_hung_broker_never_makes_a_request_wait(monkeypatch, fresh_kick):
    release = threading.Event()
    monkeypatch.setattr(publish, "_send", lambda task, args, countdown: release.wait(10))
    start = time.monotonic()
    real_kick()
    first = handoff._in_flight
    monkeypatch.setattr(handoff, "_last_kick", 0.0)
    real_kick()  # the first publish still hangs: no second one piles up
    assert time.monotonic() - start < 0.5
    assert handoff._in_flight is first and not first.done()
    release.set()
    first.result(timeout=10)


def test_the_sweep_task_applies_received_events_oldest_event_first(post):
    post(subscription_event("subscription_removed", event_id="E2", event_date="2017-03-01T00:00Z"))
    post(subscription_event(event_id="E1", event_date="2017-02-01T00:00Z"))
    assert tasks.callbacks_apply_received.run(settle=0) == 2
    sub = Subscription.objects.get()
    assert sub.status == "opted_out"
    assert sub.last_event_at == datetime(2017, 3, 1, tzinfo=UTC)
    # Applied in event order, so the older opt-in was applied first, not superseded.
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"applied"}


def test_the_sweep_is_scheduled_in_beat(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["callbacks-apply-received"]
    assert entry["task"] == tasks.callbacks_apply_received.name == handoff.APPLY_TASK
