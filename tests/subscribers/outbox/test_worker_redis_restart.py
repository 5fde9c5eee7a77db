"""The worker survives Redis restarts while it holds unacknowledged messages.

Celery 5.7.0 with kombu 5.7.0 was seen to exit with ``AttributeError(... 'hostname')``
in kombu's ``_connparams`` when Redis drops mid-delivery (docs/architecture.md, "Pitfalls").
Restart our own redis-server several times under load; the same worker must keep
running and every push must still reach Vibes.
"""

import os
import signal
import time

import pytest

from subscribers.models import Person
from subscribers.outbox.models import Push
from tests.subscribers.outbox.push_fixtures import worker_env
from tests.subscribers.outbox.worker_helpers import (
    CeleryProcess,
    RedisServer,
    publishing_to,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RESTARTS = int(os.environ.get("REDIS_RESTARTS", "4"))


def test_worker_survives_repeated_redis_restarts_under_load(tmp_path, vibes_simulator):
    fake = vibes_simulator
    fake.add_fault("latency", seconds=0.03, count=None)
    own = RedisServer().start()
    env = worker_env(fake, REDIS_URL=own.url)
    worker = CeleryProcess("worker", tmp_path / "w.log", env)
    beat = CeleryProcess("beat", tmp_path / "beat.log", env, ["-s", str(tmp_path / "beat-s")])
    try:
        worker.start()
        beat.start()
        survived = 0
        for round_no in range(RESTARTS):
            with publishing_to(own.url):
                people = [
                    Person.objects.create(mdn=f"+1299555{round_no:02d}{n:02d}") for n in range(40)
                ]
            floor = round_no * 40 + 3
            wait_for(lambda f=floor: len(fake.requests()) > f, 20, "pushes under way")
            own.stop()
            own.start()
            ids = [p.pk for p in people]
            try:
                wait_for(
                    lambda ids=ids: (
                        Push.objects.filter(person_id__in=ids, state=Push.State.DONE).count()
                        == len(ids)
                    ),
                    90,
                    f"round {round_no}'s pushes after the restart",
                )
            except AssertionError:
                if worker.alive():  # Celery dumps every thread's stack on SIGUSR1
                    os.killpg(worker.proc.pid, signal.SIGUSR1)
                    time.sleep(2)
                raise AssertionError(worker.log()[-6000:]) from None
            assert worker.alive(), worker.log()[-4000:]
            survived += 1
        assert "Unrecoverable error" not in worker.log()
        print(f"worker survived {survived} of {RESTARTS} Redis restarts under load")
    finally:
        worker.stop()
        beat.stop()
        own.stop()
