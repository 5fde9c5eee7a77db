"""Pushes with real processes: a Celery worker on Redis, beat, and the Vibes simulator.

Nothing committed is lost when the worker is stopped, killed mid-push, or Redis is down
or hung; the worker itself survives Redis restarts.
"""

import re
import time

import pytest

from subscribers.models import Person
from subscribers.outbox.models import Push
from tests.subscribers.outbox.push_fixtures import calls, worker_env
from tests.subscribers.outbox.worker_helpers import (
    CeleryProcess,
    RedisServer,
    save_in_subprocess,
    wait_for,
)

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def fake(vibes_simulator):
    return vibes_simulator


@pytest.fixture
def processes():
    started = []
    yield started
    for p in reversed(started):
        p.stop()


def pushed(person_pk) -> bool:
    return Push.objects.filter(person_id=person_pk, state=Push.State.DONE).exists()


def test_change_made_while_the_worker_is_stopped_is_pushed_when_it_starts(
    celery_worker_process, fake
):
    person = Person.objects.create(mdn="+12995550101", custom_fields={"first_name": "Ada"})
    time.sleep(0.5)
    assert not calls(fake)
    celery_worker_process.env.update(worker_env(fake))
    celery_worker_process.start()
    wait_for(lambda: pushed(person.pk), 30, "the push")
    person.refresh_from_db()
    assert person.person_key in fake.state.persons
    assert person.sync_state == Person.SyncState.IN_SYNC


def test_worker_killed_in_the_middle_of_a_push_loses_nothing(tmp_path, fake, processes):
    from django.conf import settings

    env = worker_env(fake)
    beat = CeleryProcess("beat", tmp_path / "beat.log", env, ["-s", str(tmp_path / "beat-s")])
    worker = CeleryProcess("worker", tmp_path / "w1.log", env)
    processes += [beat, worker]
    from config.celery import app

    app.control.purge()
    assert settings.REDIS_URL
    fake.add_fault("hold", count=None)
    worker.start()
    person = Person.objects.create(mdn="+12995550102")
    wait_for(fake.faults.held.is_set, 30, "the push to reach Vibes")
    worker.kill()  # SIGKILL while Vibes holds the request
    fake.release()
    assert not pushed(person.pk)
    worker2 = CeleryProcess("worker", tmp_path / "w2.log", env)
    processes.append(worker2)
    worker2.start()
    beat.start()
    wait_for(lambda: pushed(person.pk), 40, "the push after the kill")
    person.refresh_from_db()
    assert person.person_key in fake.state.persons
    assert len(fake.state.persons) == 1  # the second send merged by number, no duplicate


def test_change_made_while_redis_is_down_reaches_vibes_after_it_returns(tmp_path, fake, processes):
    own = RedisServer().start()
    env = worker_env(fake, REDIS_URL=own.url)
    worker = CeleryProcess("worker", tmp_path / "w.log", env)
    beat = CeleryProcess("beat", tmp_path / "beat.log", env, ["-s", str(tmp_path / "beat-s")])
    processes += [worker, beat]
    try:
        worker.start()
        beat.start()
        own.stop()
        out = save_in_subprocess(
            env,
            "import time; from subscribers.models import Person; t = time.monotonic(); "
            "p = Person.objects.create(mdn='+12995550103'); "
            "print('PK', p.pk, 'ELAPSED', time.monotonic() - t)",
        )
        pk, elapsed = (
            int(re.search(r"PK (\d+)", out)[1]),
            float(re.search(r"ELAPSED (\S+)", out)[1]),
        )
        assert elapsed < 3, f"a save waited {elapsed:.1f}s on a down Redis"
        assert Push.objects.get(person_id=pk).state == Push.State.PENDING
        own.start()
        wait_for(lambda: pushed(pk), 60, "the push after Redis came back")
        assert worker.alive(), worker.log()[-3000:]
    finally:
        own.stop()


def test_a_save_while_redis_hangs_returns_quickly(tmp_path, fake):
    hung = RedisServer().start()
    try:
        hung.pause()
        env = worker_env(fake, REDIS_URL=hung.url)
        out = save_in_subprocess(
            env,
            "import time; from subscribers.models import Person; "
            "from subscribers.services import person_update; t = time.monotonic(); "
            "p = Person.objects.create(mdn='+12995550104'); first = time.monotonic() - t; "
            "person_update(person=p, source='admin', external_person_id='crm-104'); "
            "print('PK', p.pk, 'FIRST', first, 'TOTAL', time.monotonic() - t)",
        )
        first = float(re.search(r"FIRST (\S+)", out)[1])
        total = float(re.search(r"TOTAL (\S+)", out)[1])
        assert first < 2.5, f"the first save waited {first:.1f}s on a hung Redis"
        assert total < 3.0
        pk = int(re.search(r"PK (\d+)", out)[1])
        assert Push.objects.get(person_id=pk).state == Push.State.PENDING
    finally:
        hung.resume()
        hung.stop()
