"""Push benchmark (``make bench-push``; not part of the suite).

1,000 persons changed at once against a fake Vibes answering in 50 ms: pushes per second
next to VIBES_RATE_LIMIT (target: at least 90% of it, never above it in any 1-second
window); then 100 edits of one person within a second (target: at most 3 calls).
Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL), like the services tests.
"""

import itertools
import os
import time
from collections import Counter

import pytest
from django.db import transaction

from config.celery import app
from subscribers import services
from subscribers.models import CustomField, Person, Source
from subscribers.outbox import publish
from subscribers.outbox.models import Push, PushAttempt
from subscribers.outbox.record import push_enqueue, push_record
from tests.fake_vibes import FakeVibes
from tests.subscribers.outbox.worker_helpers import CeleryProcess, push_env, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PERSONS = 1000
RATE = float(os.environ.get("BENCH_RATE_LIMIT", "50"))  # VIBES_RATE_LIMIT for the run


def max_in_window(times: list[float], window: float = 1.0) -> int:
    best, start = 0, 0
    for end in range(len(times)):
        while times[end] - times[start] >= window:
            start += 1
        best = max(best, end - start + 1)
    return best


def change_all(count: int, offset: int) -> list[int]:
    """``count`` persons changed at once through the bulk path; returns their ids."""
    with transaction.atomic():
        people = Person.objects.bulk_create(
            Person(mdn=f"+1299{n:07d}", external_person_id=f"bench-{n}")
            for n in range(offset, offset + count)
        )
    ids = [p.pk for p in people]
    CustomField.objects.get_or_create(key="b", defaults={"label": "B"})  # pushed: defined
    publish.broker_reset()
    with transaction.atomic():
        # A bulk update skips the model signals: record the pushes as they would.
        Person.objects.filter(pk__in=ids).update(custom_fields={"b": "1"})
        push_ids = [push_record(person_id=pk, enqueue=False).pk for pk in ids]
    push_enqueue(push_ids)
    return ids


def measure_capacity(tmp_path) -> float:
    """Baseline: the same workers with no effective rate limit (what this machine can do)."""
    fake = FakeVibes(company_key="ck-test", latency=0.05)
    fake._ids = itertools.count(10_000_000)  # person keys distinct from the main run's
    fake.start()
    env = push_env(
        fake.url,
        VIBES_RATE_LIMIT="10000",
        PUSH_DEBOUNCE_SECONDS="1.0",
        CONN_MAX_AGE="60",
        PUSH_STALE_SECONDS="120",
    )
    workers = [
        CeleryProcess(
            "worker", tmp_path / f"base{n}.log", env, ["--pool=prefork", "--concurrency=4"]
        )
        for n in range(2)
    ]
    try:
        for w in workers:
            w.start()
        ids = change_all(300, 100_000)
        wait_for(
            lambda: Push.objects.filter(person_id__in=ids, state="done").count() == len(ids),
            300,
            "baseline pushes",
            interval=0.5,
        )
        times = sorted(r.at for r in fake.requests)
        return (len(times) - 1) / (times[-1] - times[0])
    finally:
        for w in workers:
            w.stop()
        fake.stop()


def bench_push_throughput_and_coalescing(tmp_path):
    app.control.purge()
    capacity = measure_capacity(tmp_path)
    fake = FakeVibes(company_key="ck-test", latency=0.05)
    fake.start()
    env = push_env(
        fake.url,
        VIBES_RATE_LIMIT=str(RATE),
        PUSH_DEBOUNCE_SECONDS="1.0",
        CONN_MAX_AGE="60",
        PUSH_STALE_SECONDS="120",
    )
    workers = [
        CeleryProcess("worker", tmp_path / f"w{n}.log", env, ["--pool=prefork", "--concurrency=4"])
        for n in range(2)
    ]
    try:
        for w in workers:
            w.start()
        started = time.monotonic()
        ids = change_all(PERSONS, 0)
        recorded = time.monotonic() - started
        wait_for(
            lambda: Push.objects.filter(person_id__in=ids, state="done").count() == PERSONS,
            300,
            "all pushes",
            interval=0.5,
        )
        times = sorted(r.at for r in fake.requests)
        span = times[-1] - times[0]
        rate = (len(times) - 1) / span
        peak = max_in_window(times)
        print(f"\n{PERSONS} persons changed at once (outbox rows written in {recorded:.2f}s)")
        print(
            f"  Vibes calls: {len(times)} in {span:.1f}s -> {rate:.1f} pushes/s; "
            f"VIBES_RATE_LIMIT {RATE:.0f}/s -> {100 * rate / RATE:.1f}% of the limit"
        )
        buckets = max(Counter(int(t) for t in times).values())
        sent = sorted(
            t.timestamp()
            for t in PushAttempt.objects.filter(push__person_id__in=ids).values_list(
                "started_at", flat=True
            )
        )
        print(f"  busiest 1-second window as the workers sent them: {max_in_window(sent)} calls")
        print(
            f"  busiest 1-second window as Vibes receives them: sliding {peak}, "
            f"clock-second {buckets} calls (limit {RATE:.0f})"
            + ("  ABOVE THE LIMIT" if max(peak, buckets) > RATE else "")
        )
        print(
            f"  baseline, same workers without a limit: {capacity:.1f} pushes/s "
            f"(limited run reached {100 * rate / min(capacity, RATE):.1f}% of "
            f"min(capacity, limit); load average {os.getloadavg()[0]:.1f})"
        )

        before = len(fake.requests)
        person = services.person_create(source=Source.IMPORT, person_key="solo", mdn="+12995559999")
        fake.add_person(person_key="solo", mobile_phone={"mdn": "+12995559999"})
        CustomField.objects.get_or_create(key="n", defaults={"label": "N"})  # pushed: defined
        t0 = time.monotonic()
        for n in range(100):
            services.person_update(person=person, source=Source.ADMIN, custom_fields={"n": str(n)})
            time.sleep(max(0, t0 + (n + 1) / 100 - time.monotonic()))
        edit_span = time.monotonic() - t0
        wait_for(
            lambda: not Push.objects.filter(person=person, state="pending").exists(),
            60,
            "the coalesced push",
        )
        time.sleep(1.5)
        calls = [r for r in fake.requests[before:] if "solo" in r.path]
        print(
            f"100 edits of one person in {edit_span:.2f}s -> {len(calls)} Vibes call(s); "
            f"final value sent: {calls[-1].body['custom_fields']}"
        )
        assert fake.persons["solo"]["custom_fields"] == {"n": "99"}
        assert len(calls) <= 3
    finally:
        for w in workers:
            w.stop()
        fake.stop()
