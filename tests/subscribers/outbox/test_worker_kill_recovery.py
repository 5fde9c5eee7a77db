"""A worker killed mid-push or mid-debounce: the change reaches Vibes within 30 seconds of
a worker being back, with the production lease, stale and sweep settings (no beat runs, so
only the starting worker can recover it). Each test prints the figure it measured."""

import re
import time

import pytest

from config.celery import app
from subscribers import services
from subscribers.models import Person, Source
from tests.subscribers.outbox.push_fixtures import calls, worker_env
from tests.subscribers.outbox.worker_helpers import CeleryProcess, wait_for

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

RECOVERY_SECONDS = 30
# What a deployment runs with (config/settings/): none of them is shortened here.
PRODUCTION_TIMINGS = {
    "PUSH_LEASE_SECONDS": "150",
    "PUSH_STALE_SECONDS": "120",
    "PUSH_SWEEP_INTERVAL_SECONDS": "60",
}


@pytest.fixture
def fake(vibes_simulator):
    return vibes_simulator


@pytest.fixture
def workers(tmp_path, fake):
    app.control.purge()
    env = worker_env(fake, **PRODUCTION_TIMINGS)
    started = []

    def start(name: str) -> CeleryProcess:
        worker = CeleryProcess("worker", tmp_path / f"{name}.log", env).start()
        started.append(worker)
        return worker

    yield start
    for worker in started:
        worker.stop()


def sent_name(fake, name: str) -> bool:
    return any(
        r.status < 300
        and isinstance(r.body, dict)
        and (r.body.get("custom_fields") or {}).get("first_name") == name
        for r in calls(fake)
    )


def edit_then_time_recovery(fake, workers, person, label: str) -> float:
    services.person_update(
        person=person, source=Source.ADMIN, custom_fields={"first_name": "Grace"}
    )
    start = time.monotonic()
    workers("restarted")
    wait_for(lambda: sent_name(fake, "Grace"), RECOVERY_SECONDS, f"the edit after a kill {label}")
    elapsed = time.monotonic() - start
    print(f"\nworker killed {label}: the edit reached Vibes {elapsed:.1f}s after the restart")
    return elapsed


@pytest.mark.usefixtures("text_fields")
def test_an_edit_made_after_a_worker_died_mid_push_is_sent_when_a_worker_starts(fake, workers):
    fake.add_fault("hold", count=None)
    first = workers("first")
    person = Person.objects.create(mdn="+12995550111", custom_fields={"first_name": "Ada"})
    wait_for(fake.faults.held.is_set, 30, "the push to reach Vibes")
    first.kill()  # SIGKILL while Vibes holds the request: the lease stays behind
    fake.release()
    assert edit_then_time_recovery(fake, workers, person, "mid-push") < RECOVERY_SECONDS
    assert len(fake.state.persons) == 1  # the second send merged by number


@pytest.mark.usefixtures("text_fields")
def test_an_edit_coalesced_into_a_message_a_killed_worker_held_is_sent_when_a_worker_starts(
    fake, workers, settings
):
    # A debounce longer than the window: the worker holds the push's message, unacknowledged,
    # until its ETA, so only a recovery at start can send the edit in time.
    settings.PUSH_DEBOUNCE_SECONDS = RECOVERY_SECONDS + 15
    first = workers("first")
    person = Person.objects.create(mdn="+12995550112", custom_fields={"first_name": "Ada"})
    taken = re.compile(r"subscribers\.tasks\.push_send\[[^]]+\] received")
    wait_for(lambda: taken.search(first.log()), 30, "the worker to take the message")
    first.kill()
    assert not calls(fake)
    assert edit_then_time_recovery(fake, workers, person, "mid-debounce") < RECOVERY_SECONDS
