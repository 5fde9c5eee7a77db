"""A real worker on PostgreSQL and Redis applies a backlog in bounded runs, each ending at
its bound and handing the rest on, so none comes near the soft time limit. Prints how long
each run took against the bound."""

import json
import re

import pytest

from callbacks.models import CallbackEvent
from callbacks.parsing import parse_event
from callbacks.store import event_store
from config.celery import app
from subscribers.outbox.publish import publish
from tests.conftest import subprocess_env
from tests.subscribers.outbox.worker_helpers import CeleryProcess, wait_for

from .conftest import subscription_event

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BOUND_SECONDS = 1.0
BACKLOG = 600
RUN = re.compile(r"callbacks_apply_received\[[^]]+\] succeeded in ([\d.]+)s: (\d+)")


def test_a_backlog_is_applied_by_a_chain_of_runs_each_ending_at_its_bound(tmp_path):
    for i in range(BACKLOG):
        person = {"id": f"R{i}", "person_key": f"R{i}", "mdn": f"1415556{i:04d}"}
        body = json.dumps(subscription_event(event_id=f"R{i}", person=person))
        event_store(parsed=parse_event(body), method="POST", body=body)
    app.control.purge()
    env = subprocess_env(CALLBACK_APPLY_RUN_SECONDS=str(BOUND_SECONDS))
    worker = CeleryProcess("worker", tmp_path / "worker.log", env).start()
    try:
        publish("callbacks.tasks.callbacks_apply_received")
        waiting = CallbackEvent.objects.filter(status=CallbackEvent.Status.RECEIVED)
        wait_for(lambda: not waiting.exists(), 120, "the backlog to be applied")
        wait_for(lambda: RUN.search(worker.log()), 30, "a run to finish")
    finally:
        worker.stop()
    runs = [(float(s), int(n)) for s, n in RUN.findall(worker.log())]
    longest = max(seconds for seconds, _ in runs)
    print(
        f"\n{BACKLOG} events applied by {len(runs)} runs; the longest took {longest:.2f}s "
        f"against a {BOUND_SECONDS:.0f}s bound (soft time limit {app.conf.task_soft_time_limit}s)"
    )
    assert set(CallbackEvent.objects.values_list("status", flat=True)) == {"applied"}
    assert len(runs) >= 2 and sum(n for _, n in runs) >= BACKLOG
    # A run ends between events once past its bound: one event's time over it, at most.
    assert longest < app.conf.task_soft_time_limit / 2
