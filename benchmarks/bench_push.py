# ruff: noqa: F811  (the vibes_simulator fixture is imported)
"""Push benchmark (``make bench-push``; not part of the suite).

A burst of persons changed at once (``BENCH_PERSONS``, default 10,000) against the Vibes
simulator answering in 50 ms and enforcing ``VIBES_RATE_LIMIT`` itself (429 above it),
sent by one worker and then by two: pushes per second as a share of the limit (target: at
least 90%), and the busiest second as the simulator counted it (target: never above the
limit, no 429). A baseline with no effective limit shows what this machine can do. Then
100 edits of one person within a second (target: at most 3 calls).
Needs PostgreSQL and Redis (DATABASE_URL, REDIS_URL), like the services tests.
"""

import os
import time
from collections import Counter, deque

import pytest
from django.db import transaction

from config.celery import app
from subscribers import services
from subscribers.models import CustomField, Person, Source
from subscribers.outbox import publish
from subscribers.outbox.models import Push
from subscribers.outbox.record import push_enqueue, push_record
from tests.simulator_fixtures import vibes_simulator  # noqa: F401 (a fixture)
from tests.subscribers.outbox.push_fixtures import add_person, calls, worker_env
from tests.subscribers.outbox.worker_helpers import CeleryProcess, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

PERSONS = int(os.environ.get("BENCH_PERSONS", "10000"))
RATE = float(os.environ.get("BENCH_RATE_LIMIT", "50"))  # VIBES_RATE_LIMIT for the run
LATENCY = 0.05  # Vibes' answer time


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
        Person.objects.filter(pk__in=ids).update_unpushed(custom_fields={"b": "1"})
        push_ids = [push_record(person_id=pk, enqueue=False).pk for pk in ids]
    push_enqueue(push_ids)
    return ids


def worker_args() -> list[str]:
    """The pool a deployment's worker runs (``config/celery.py``), not the tests' solo."""
    concurrency = app.conf.worker_concurrency or os.cpu_count()  # Celery's own default
    return [f"--pool={app.conf.worker_pool}", f"--concurrency={concurrency}"]


def burst(sim, tmp_path, *, name, workers, persons, offset, rate):
    """Send ``persons`` pushes with ``workers`` workers; the simulator's request times."""
    sim.request_log = deque()  # keep every request of the run, not the last 10,000
    env = worker_env(
        sim,
        VIBES_RATE_LIMIT=str(rate),
        PUSH_DEBOUNCE_SECONDS="1.0",
        CONN_MAX_AGE="60",
        PUSH_STALE_SECONDS="600",
    )
    procs = [
        CeleryProcess("worker", tmp_path / f"{name}{n}.log", env, worker_args())
        for n in range(workers)
    ]
    try:
        for proc in procs:
            proc.start()
        ids = change_all(persons, offset)
        wait_for(
            lambda: Push.objects.filter(person_id__in=ids, state="done").count() == len(ids),
            120 + 10 * persons / min(rate, 100),  # a push may take two calls
            f"{name}: all pushes",
            interval=1.0,
        )
    finally:
        for proc in procs:
            proc.stop()
    return calls(sim)


def report(label, requests, rate) -> float:
    times = sorted(r.at for r in requests)
    span = times[-1] - times[0]
    sent = (len(times) - 1) / span
    refused = sum(r.status == 429 for r in requests)
    peak = max(Counter(int(t) for t in times).values())
    print(
        f"  {label}: {len(times)} calls in {span:.1f}s -> {sent:.1f}/s = "
        f"{100 * sent / rate:.1f}% of VIBES_RATE_LIMIT {rate:.0f}; busiest second "
        f"{peak} (clock), {max_in_window(times)} (sliding); 429s: {refused}"
        + ("  ABOVE THE LIMIT" if max(peak, max_in_window(times)) > rate or refused else "")
    )
    return sent / rate


def bench_push_throughput_and_coalescing(tmp_path, vibes_simulator):
    app.control.purge()
    sim = vibes_simulator
    sim.state.custom_fields.update({"b", "n"})
    sim.add_fault("latency", seconds=LATENCY, count=None)
    print(
        f"\n{PERSONS} persons changed at once; Vibes answers in {LATENCY * 1000:.0f} ms; "
        f"worker {' '.join(worker_args())}; load average {os.getloadavg()[0]:.1f}"
    )
    sim.set_rate_limit(None)  # the baseline: whatever the simulator's default limit is
    baseline = burst(
        sim, tmp_path, name="base", workers=2, persons=300, offset=5_000_000, rate=10_000
    )
    report("baseline, 2 workers, no effective limit (300 persons)", baseline, 10_000)
    sim.set_rate_limit(RATE)  # the simulator answers 429 above the limit, as Vibes does
    for workers in (1, 2):
        requests = burst(
            sim,
            tmp_path,
            name=f"w{workers}-",
            workers=workers,
            persons=PERSONS,
            offset=workers * 1_000_000,
            rate=RATE,
        )
        report(f"{workers} worker(s)", requests, RATE)
    print(f"  load average after {os.getloadavg()[0]:.1f}")

    env = worker_env(sim, VIBES_RATE_LIMIT=str(RATE), CONN_MAX_AGE="60")
    worker = CeleryProcess("worker", tmp_path / "solo.log", env, worker_args()).start()
    try:
        sim.request_log = deque()
        person = services.person_create(source=Source.IMPORT, person_key="solo", mdn="+12995559999")
        add_person(sim, person_key="solo", mdn="+12995559999")
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
        solo = calls(sim, pattern="solo")
        print(
            f"100 edits of one person in {edit_span:.2f}s -> {len(solo)} Vibes call(s); "
            f"final value sent: {solo[-1].body['custom_fields']}"
        )
        assert sim.state.persons["solo"].custom_fields == {"n": "99"}
        assert len(solo) <= 3
    finally:
        worker.stop()
