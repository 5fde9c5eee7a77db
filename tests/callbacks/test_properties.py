"""Properties over many inputs: newest event wins; no body crashes the endpoint."""

import json
import random
from datetime import UTC, datetime, timedelta

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from callbacks.apply import events_apply_received
from callbacks.models import CallbackEvent
from subscribers.models import Person, Subscription

from .conftest import (
    TOKEN,
    URL,
    ack_event,
    person_event,
    seed_payload,
    subscription_event,
)

pytestmark = pytest.mark.django_db

T0 = datetime(2017, 2, 1, tzinfo=UTC)


class Rollback(Exception):
    pass


@st.composite
def deliveries(draw):
    """Distinct events (kind, date) for one subscription, delivered in any order, some
    more than once, each delivery applied at once or left for a later worker run."""
    minutes = draw(st.lists(st.integers(0, 10_000), min_size=1, max_size=8, unique=True))
    events = [
        (f"E{i}", draw(st.sampled_from(["subscription_added", "subscription_removed"])), m)
        for i, m in enumerate(minutes)
    ]
    order = draw(st.permutations(events))
    repeats = draw(st.lists(st.sampled_from(events), max_size=6))
    sequence = list(order)
    for event in repeats:
        sequence.insert(draw(st.integers(0, len(sequence))), event)
    apply_now = draw(st.lists(st.booleans(), min_size=len(sequence), max_size=len(sequence)))
    return events, list(zip(sequence, apply_now, strict=True))


@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=deliveries())
def test_the_final_state_is_that_of_the_newest_event_whatever_the_order_and_repeats(case):
    events, sequence = case
    client = Client()
    try:
        with transaction.atomic():
            for (event_id, kind, minute), apply_now in sequence:
                date = (T0 + timedelta(minutes=minute)).strftime("%Y-%m-%dT%H:%M:%SZ")
                body = subscription_event(kind, event_id=event_id, event_date=date)
                assert client.post(URL, body, content_type="application/json").status_code == 200
                if apply_now:
                    events_apply_received()
            events_apply_received()

            newest = max(events, key=lambda e: e[2])
            sub = Subscription.objects.get()
            expected = "active" if newest[1] == "subscription_added" else "opted_out"
            assert sub.status == expected
            assert sub.last_event_at == T0 + timedelta(minutes=newest[2])
            firsts = CallbackEvent.objects.exclude(status="duplicate")
            assert firsts.count() == len(events)
            assert set(firsts.values_list("status", flat=True)) <= {"applied", "superseded"}
            assert CallbackEvent.objects.filter(status="duplicate").count() == len(sequence) - len(
                events
            )
            assert Person.objects.count() == 1
            raise Rollback
    except Rollback:
        pass


# --- fuzz ------------------------------------------------------------------------------

REALISTIC = [
    json.dumps(subscription_event()),
    json.dumps(subscription_event("subscription_removed")),
    json.dumps(person_event("person_added")),
    json.dumps(person_event()),
    json.dumps(ack_event("PENDING")),
    json.dumps(ack_event("CONFIRMED")),
    json.dumps({"event_id": "L1", "callback_type": "subscription_list_added",
                "subscription_list": {"id": "1234", "name": "Deals"}}),
    seed_payload("subscription_added").decode(),
    seed_payload("subscription_removed").decode(),
]  # fmt: skip

ODD_VALUES = [
    None, True, 0, -1, 10**30, 1.5e308, "", " ", "x" * 5000, "\x00", "\u0000a", "😀",
    [], {}, [[[]]], {"id": {"id": {}}}, "2017-13-45T99:99Z", "+0", "<script>", "1234",
]  # fmt: skip


def _mutate_value(rng, data):
    """Replace, drop or retype a random value somewhere in a parsed payload."""
    if isinstance(data, dict) and data:
        key = rng.choice(list(data))
        roll = rng.random()
        if roll < 0.25:
            del data[key]
        elif roll < 0.6 and isinstance(data[key], dict | list):
            _mutate_value(rng, data[key])
        else:
            data[key] = rng.choice(ODD_VALUES)
    elif isinstance(data, list) and data:
        data[rng.randrange(len(data))] = rng.choice(ODD_VALUES)


def _mutate_text(rng, text):
    raw = bytearray(text.encode())
    for _ in range(rng.randint(1, 4)):
        roll = rng.random()
        pos = rng.randrange(len(raw) + 1)
        if roll < 0.3 and raw:
            del raw[pos : pos + rng.randint(1, 8)]
        elif roll < 0.6:
            raw[pos:pos] = bytes(rng.randrange(256) for _ in range(rng.randint(1, 4)))
        elif roll < 0.8:
            raw[pos:pos] = rng.choice([b"\x00", b"\\u0000", b",", b"}", b'"', b"//x\n", b"\xff"])
        else:
            raw = raw[:pos]
    return bytes(raw)


def fuzz_bodies(rng, count):
    for _ in range(count):
        base = rng.choice(REALISTIC)
        roll = rng.random()
        if roll < 0.5:
            try:
                data = json.loads(base)
            except ValueError:
                yield _mutate_text(rng, base)
                continue
            for _ in range(rng.randint(1, 5)):
                _mutate_value(rng, data)
            yield json.dumps(data).encode()
        elif roll < 0.85:
            yield _mutate_text(rng, base)
        elif roll < 0.95:
            yield bytes(rng.randrange(256) for _ in range(rng.randint(0, 300)))
        else:
            yield (b"[" * rng.randint(1, 50000)) + b"1"


def test_thousands_of_random_and_mutated_bodies_never_crash_the_endpoint():
    rng = random.Random(20170215)
    client = Client()  # raises any unhandled exception in the view
    content_types = ["application/json", "text/json; charset=utf-8", "text/plain", ""]
    answered = {}
    for i, body in enumerate(fuzz_bodies(rng, 2500)):
        response = client.post(URL, body, content_type=rng.choice(content_types))
        answered[response.status_code] = answered.get(response.status_code, 0) + 1
        assert response.status_code in (200, 400, 413), (response.status_code, body[:200])
        if i % 100 == 99:
            events_apply_received()
    events_apply_received()
    assert answered.get(200, 0) > 300 and answered.get(400, 0) > 300, answered
    assert CallbackEvent.objects.count() == 2500
    assert not CallbackEvent.objects.filter(status__in=["received", "failed"]).exists(), list(
        CallbackEvent.objects.filter(status="failed").values_list("error", flat=True)[:3]
    )


def test_unauthenticated_fuzz_writes_nothing(settings):
    settings.CALLBACK_ALLOWED_IPS = ["35.155.139.143/32"]
    rng = random.Random(7)
    client = Client()
    for body in fuzz_bodies(rng, 300):
        assert client.post(URL, body, content_type="application/json").status_code == 403
        wrong = f"/callbacks/vibes/{rng.choice(['x', TOKEN[:-1], TOKEN + 'x'])}/"
        assert client.post(wrong, body, content_type="application/json").status_code == 404
    assert not CallbackEvent.objects.exists() and not Person.objects.exists()
