"""Two real workers sending a burst share one rate: the simulator, counting every clock
second as Vibes does and answering 429 above the limit, never sees more than the limit."""

from collections import Counter

import pytest
from django.db import transaction

from config.celery import app
from subscribers.models import Person
from subscribers.outbox.models import Push
from subscribers.outbox.record import push_enqueue, push_record
from tests.subscribers.outbox.push_fixtures import calls, worker_env
from tests.subscribers.outbox.worker_helpers import CeleryProcess, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

LIMIT = 20  # VIBES_RATE_LIMIT, low so that a short burst is far above it
PERSONS = 150  # two calls each (look-up by number, then add): 15 seconds at the limit


def test_two_workers_never_send_more_than_the_limit_in_any_second(tmp_path, vibes_simulator):
    sim = vibes_simulator
    sim.add_fault("latency", seconds=0.05, count=None)  # Vibes' answer time
    sim.set_rate_limit(LIMIT)
    app.control.purge()
    env = worker_env(sim, VIBES_RATE_LIMIT=str(LIMIT), PUSH_STALE_SECONDS="600")
    pool = [f"--pool={app.conf.worker_pool}", f"--concurrency={app.conf.worker_concurrency}"]
    workers = [CeleryProcess("worker", tmp_path / f"w{n}.log", env, pool) for n in range(2)]
    try:
        for worker in workers:
            worker.start()
        with transaction.atomic():
            people = Person.objects.bulk_create(
                Person(mdn=f"+1299556{n:04d}", external_person_id=f"rate-{n}")
                for n in range(PERSONS)
            )
            push_ids = [push_record(person_id=p.pk, enqueue=False).pk for p in people]
        push_enqueue(push_ids)
        wait_for(
            lambda: Push.objects.filter(pk__in=push_ids, state="done").count() == PERSONS,
            120,
            "every push",
            interval=0.5,
        )
    finally:
        for worker in workers:
            worker.stop()
    sent = calls(sim)
    assert all(worker.log().count("push_send") for worker in workers)  # both took a share
    assert [r.status for r in sent if r.status == 429] == []
    assert len(sent) == 2 * PERSONS
    # Counted per clock second on arrival, as the simulator (and Vibes) count. A sliding
    # one-second span on arrival can hold a request or two more on a machine so busy that
    # a sender is descheduled between its admission and its send for more than the 50 ms
    # the limiter allows for (subscribers/vibes/ratelimit.py, WINDOW).
    assert max(Counter(int(r.at) for r in sent).values()) <= LIMIT
