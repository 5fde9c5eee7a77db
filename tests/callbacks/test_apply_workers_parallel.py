"""Two real workers on PostgreSQL apply one backlog at once, in batches: no deadlock, no
lost update, no person created twice, every subscription in the state of its newest
event and every person with the details of Vibes' newest update."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest

from callbacks.models import CallbackEvent
from callbacks.parsing import mdn_of, parse_event, person_of
from callbacks.store import event_store
from config.celery import app
from subscribers.models import Person, Subscription
from subscribers.outbox.models import Push
from tests.conftest import subprocess_env
from tests.subscribers.outbox.worker_helpers import CeleryProcess, wait_for

from .conftest import person_event, subscription_event

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PERSONS, LISTS, EVENTS = 150, 3, 1500
T0 = datetime(2017, 2, 1, tzinfo=UTC)


def who(i: int) -> dict:
    return {"id": f"W{i}", "person_key": f"pk-W{i}", "mobile_phone": {"mdn": f"+1415666{i:04d}"}}


def backlog(rng: random.Random) -> tuple[dict, dict]:
    """Store a shuffled burst; return the newest event per subscription and the newest
    person update per person, as (date, what)."""
    minutes = rng.sample(range(EVENTS * 10), EVENTS)  # distinct dates: no ties to break
    newest_sub, newest_person, bodies = {}, {}, []
    for n, minute in enumerate(minutes):
        i, date = rng.randrange(PERSONS), T0 + timedelta(minutes=minute)
        stamp = date.strftime("%Y-%m-%dT%H:%M:%SZ")
        if rng.random() < 0.2:
            tier = rng.choice(["gold", "silver", "bronze"])
            body = person_event(event_id=f"U{n}", updated_at=stamp, custom_fields={"tier": tier})
            body["person"] = {**who(i), "updated_at": stamp, "custom_fields": {"tier": tier}}
            if date > newest_person.get(i, (T0, None))[0]:
                newest_person[i] = (date, tier)
        else:
            kind = rng.choice(["subscription_added", "subscription_removed"])
            list_id = f"L{rng.randrange(LISTS)}"
            body = subscription_event(
                kind, event_id=f"S{n}", event_date=stamp, person=who(i), list_id=list_id
            )
            key = (f"pk-W{i}", list_id)
            if date > newest_sub.get(key, (T0, None))[0]:
                newest_sub[key] = (date, "active" if kind == "subscription_added" else "opted_out")
        bodies.append(body)
    bodies += [rng.choice(bodies) for _ in range(EVENTS // 20)]  # 5% repeats
    for body in bodies:
        raw = json.dumps(body)
        parsed = parse_event(raw)
        event_store(parsed=parsed, method="POST", body=raw, mdn=mdn_of(person_of(parsed.payload)))
    return newest_sub, newest_person


def test_two_workers_apply_one_backlog_in_batches_and_every_row_ends_right(tmp_path):
    newest_sub, newest_person = backlog(random.Random(17))
    app.control.purge()
    env = subprocess_env(CALLBACK_APPLY_BATCH="40", CALLBACK_APPLY_RUN_MAX="200")
    workers = [CeleryProcess("worker", tmp_path / f"w{n}.log", env) for n in range(2)]
    try:
        for worker in workers:
            worker.start()  # each asks for a run as it starts (callbacks.tasks)
        waiting = CallbackEvent.objects.filter(status=CallbackEvent.Status.RECEIVED)
        wait_for(lambda: not waiting.exists(), 240, "the backlog to be applied")
    finally:
        for worker in workers:
            worker.stop()
    logs = "".join(w.log() for w in workers)
    runs = [w.log().count("callbacks_apply_received[") for w in workers]
    print(f"\nruns per worker: {runs}")
    assert all(runs), "both workers applied part of the backlog"
    assert "deadlock" not in logs.lower() and "Traceback" not in logs
    statuses = set(CallbackEvent.objects.values_list("status", flat=True))
    assert statuses <= {"applied", "superseded", "duplicate"}
    assert Person.objects.count() == len({i for i in range(PERSONS)} & _named())
    final = {
        (s.person.person_key, s.subscription_list.list_id): (s.last_event_at, s.status)
        for s in Subscription.objects.select_related("person", "subscription_list")
    }
    assert final == newest_sub
    tiers = {
        int(p.person_key[4:]): p.custom_fields.get("tier")
        for p in Person.objects.exclude(custom_fields={})
    }
    assert tiers == {i: tier for i, (_date, tier) in newest_person.items()}
    assert not Push.objects.exists()


def _named() -> set[int]:
    keys = CallbackEvent.objects.exclude(status="duplicate").values_list("payload", flat=True)
    return {int(person_of(p)["person_key"][4:]) for p in keys}
