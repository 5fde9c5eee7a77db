import threading
import time
from datetime import UTC, datetime
from io import StringIO

import pytest
from celery.exceptions import SoftTimeLimitExceeded
from django.core.management import call_command

from callbacks import handoff, tasks
from callbacks.handlers import HANDLERS
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


def post_backlog(post, n: int) -> None:
    for i in range(n):
        person = {"id": f"P{i}", "person_key": f"P{i}", "mdn": f"1415555{i:04d}"}
        post(
            subscription_event(
                event_id=f"E{i}", event_date=f"2017-02-{i + 1:02d}T00:00Z", person=person
            )
        )


def statuses() -> list[str]:
    return list(CallbackEvent.objects.order_by("event_date").values_list("status", flat=True))


def test_a_soft_time_limit_leaves_the_event_received_and_the_next_run_goes_on(
    post, published, monkeypatch, settings
):
    settings.CALLBACK_APPLY_BATCH = 0  # one by one, through the handler (batches: test_batch.py)
    post_backlog(post, 3)
    handler, calls = HANDLERS["subscription_added"], []

    def out_of_time_on_the_second(event):
        calls.append(event.event_id)
        if len(calls) == 2:
            raise SoftTimeLimitExceeded()
        return handler(event)

    monkeypatch.setitem(HANDLERS, "subscription_added", out_of_time_on_the_second)
    assert tasks.callbacks_apply_received.run(settle=0) == 0
    # The interrupted event was never at fault: it is not failed, and not even attempted.
    assert statuses() == ["applied", "received", "received"]
    assert CallbackEvent.objects.get(event_id="E1").attempts == 0
    assert published == [handoff.APPLY_TASK]
    assert tasks.callbacks_apply_received.run(settle=0) == 2
    assert statuses() == ["applied"] * 3


def test_a_run_stops_at_its_event_bound_and_asks_for_the_next(post, published, settings):
    settings.CALLBACK_APPLY_RUN_MAX = 2
    post_backlog(post, 5)
    assert tasks.callbacks_apply_received.run(settle=0) == 2
    assert statuses() == ["applied"] * 2 + ["received"] * 3
    assert published == [handoff.APPLY_TASK]
    assert tasks.callbacks_apply_received.run(settle=0) == 2
    assert tasks.callbacks_apply_received.run(settle=0) == 1
    # The last run emptied the backlog: it asks for no further run.
    assert published == [handoff.APPLY_TASK] * 2
    assert statuses() == ["applied"] * 5


def test_a_run_stops_at_its_time_bound_having_applied_at_least_one(post, published, settings):
    settings.CALLBACK_APPLY_RUN_SECONDS = 0
    settings.CALLBACK_APPLY_BATCH = 0  # one by one (a batch is the unit otherwise: test_batch.py)
    post_backlog(post, 3)
    assert tasks.callbacks_apply_received.run(settle=5) == 1
    assert statuses() == ["applied", "received", "received"]
    assert published == [handoff.APPLY_TASK]


def test_the_replay_command_applies_the_whole_backlog_run_after_run(post, settings):
    settings.CALLBACK_APPLY_RUN_MAX = 2
    post_backlog(post, 5)
    out = StringIO()
    call_command("vibes_replay_callbacks", "--received", stdout=out)
    assert statuses() == ["applied"] * 5
    assert "5 received applied" in out.getvalue()
