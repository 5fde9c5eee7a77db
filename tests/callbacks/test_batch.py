"""A worker's run applies a backlog in batches: few queries, nothing pushed back, opt-outs
first, the events a batch cannot decide through their handlers, a failing batch event by
event."""

import json

import pytest
from django.db import connection
from django.db.models.signals import post_save
from django.test.utils import CaptureQueriesContext

from callbacks.apply import events_apply_received
from callbacks.batch import needs_single
from callbacks.handlers import HANDLERS
from callbacks.models import CallbackEvent
from callbacks.parsing import mdn_of, parse_event, person_of
from callbacks.store import event_store
from subscribers import services
from subscribers.models import Person, Source, Subscription, SubscriptionEvent
from subscribers.outbox.models import Push
from subscribers.services.bulk import BulkChanges

from .conftest import ack_event, person_event, subscription_event

pytestmark = pytest.mark.django_db


def store(body: dict) -> CallbackEvent:
    """As the endpoint stores it (callbacks/views.py), number included."""
    raw = json.dumps(body)
    parsed = parse_event(raw)
    mdn = mdn_of(person_of(parsed.payload))
    return event_store(parsed=parsed, method="POST", body=raw, mdn=mdn)


def person(i: int) -> dict:
    return {"id": f"P{i}", "person_key": f"pk-P{i}", "mobile_phone": {"mdn": f"+1415555{i:04d}"}}


def backlog(n: int, *, kind="subscription_added", day=1, start=0) -> None:
    for i in range(start, start + n):
        store(
            subscription_event(
                kind,
                event_id=f"{kind}-{i}",
                event_date=f"2017-02-{day:02d}T00:00:{i % 60:02d}Z",
                person=person(i),
                list_id=f"L{i % 3}",
            )
        )


def test_a_backlog_is_applied_in_a_few_queries_per_batch_not_per_event(settings):
    backlog(200)
    for i in range(100):
        body = person_event(event_id=f"U{i}", **person(i), custom_fields={"tier": "gold"})
        body["person"].pop("external_person_id")
        store(body)
    with CaptureQueriesContext(connection) as queries:
        run = events_apply_received(batch=500)
    assert run.applied == 300
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"applied"}
    assert Subscription.objects.filter(status="active").count() == 200
    assert Person.objects.filter(custom_fields={"tier": "gold"}).count() == 100
    # 200 persons created, each with a "created" row; 200 opt-ins; 100 detail changes.
    assert SubscriptionEvent.objects.count() == 500
    # The one-by-one path takes some fifteen per event. A batch's reads include three for
    # the compliance rules (callbacks/batch/route.py, Watched), and whether any webhook
    # endpoint exists (webhooks/record.py, then cached a few seconds): whatever its size.
    assert len(queries) < 46, [q["sql"][:80] for q in queries]


def test_nothing_a_batch_applies_is_pushed_back_or_fires_a_push_signal():
    seen = []

    def receiver(sender, **kwargs):
        seen.append(sender.__name__)

    for model in (Person, Subscription):
        post_save.connect(receiver, sender=model, weak=False)
    try:
        backlog(20)
        backlog(20, kind="subscription_removed", day=2)
        store(person_event(event_id="U1", **person(1), custom_fields={"first_name": "Ann"}))
        events_apply_received()
    finally:
        for model in (Person, Subscription):
            post_save.disconnect(receiver, sender=model)
    assert seen == []
    assert not Push.objects.exists()
    assert Subscription.objects.filter(status="opted_out").count() == 20
    assert Person.objects.get(person_key="pk-P1").custom_fields == {"first_name": "Ann"}


def test_opt_outs_waiting_behind_a_backlog_of_opt_ins_are_applied_first(settings):
    backlog(30, day=1)  # older opt-ins of other persons
    backlog(3, kind="subscription_removed", day=3, start=100)
    backlog(1, day=2, start=100)  # an older opt-in of an opting-out person: in its order
    run = events_apply_received(limit=4, batch=500)
    assert run.applied == 4 and run.more
    done = CallbackEvent.objects.exclude(status="received")
    assert sorted(done.values_list("event_id", "status")) == [
        ("subscription_added-100", "applied"),
        ("subscription_removed-100", "applied"),
        ("subscription_removed-101", "applied"),
        ("subscription_removed-102", "applied"),
    ]
    assert Subscription.objects.get(person__person_key="pk-P100").status == "opted_out"


@pytest.mark.parametrize(
    "body",
    [
        subscription_event("subscription_removed", opt_out_reason="disconnect"),
        subscription_event("subscription_removed", opt_out_reason="FAILED_AT_CARRIER"),
        ack_event("CONFIRMED"),
        {"event_id": "L1", "callback_type": "subscription_list_updated"},
    ],
    ids=["disconnect", "failed_at_carrier", "ack", "list"],
)
def test_events_a_batch_does_not_decide_go_to_their_handler(body):
    event = store(body)
    assert needs_single(event)
    assert not needs_single(store(subscription_event(event_id="plain")))


def test_an_event_for_a_person_waiting_for_a_new_number_goes_through_its_handler_in_order(
    monkeypatch,
):
    waiting = services.person_create(
        source=Source.VIBES_CALLBACK, person_key="pk-P7", mdn="+14155550007"
    )
    services.person_update(person=waiting, source=Source.VIBES_CALLBACK, pending_mdn="+14155559999")
    calls = []
    handler = HANDLERS["subscription_added"]
    monkeypatch.setitem(
        HANDLERS, "subscription_added", lambda e: calls.append(e.event_id) or handler(e)
    )
    backlog(10)  # P7 among them, between others
    events_apply_received(batch=500)
    assert calls == ["subscription_added-7"]
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"applied"}
    assert Subscription.objects.count() == 10


def test_a_failing_batch_is_rolled_back_and_its_events_applied_one_by_one(monkeypatch, caplog):
    def refuse(self):
        raise RuntimeError("the database refused the batch")

    monkeypatch.setattr(BulkChanges, "write", refuse)
    backlog(5)
    run = events_apply_received(batch=500)
    assert run.applied == 5
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"applied"}
    assert set(CallbackEvent.objects.values_list("attempts", flat=True)) == {1}
    assert Subscription.objects.filter(status="active").count() == 5
    assert "applying them one by one" in caplog.text


def test_an_event_a_batch_rejects_keeps_the_handlers_reason_and_writes_nothing():
    body = subscription_event(person={"url": "/persons/x"})
    store(body)
    store(subscription_event(event_id="E2", list_id=""))
    events_apply_received(batch=500)
    errors = dict(CallbackEvent.objects.values_list("event_id", "error"))
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"rejected"}
    assert "names no person" in errors["EVT-1"] and "names no subscription list" in errors["E2"]
    assert not Person.objects.exists() and not SubscriptionEvent.objects.exists()


def test_a_run_in_batches_stops_at_its_time_bound_between_batches(settings):
    settings.CALLBACK_APPLY_RUN_SECONDS = 0
    backlog(12)
    run = events_apply_received(batch=5)
    assert run.applied == 5 and run.more
    assert CallbackEvent.objects.filter(status="received").count() == 7
