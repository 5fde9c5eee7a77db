"""Celery tasks of the out and repair flows. Each loads by id and calls one function.

Tasks are published by name (``outbox.publish``), so nothing imports this module but
Celery's autodiscovery. Retries are the outbox's: a push that fails is published again
with its backoff (``outbox.states``), so no task here uses Celery's own retry.
"""

import logging

from celery import shared_task
from celery.signals import worker_ready
from django.db import connections

from . import heartbeat
from .models import Heartbeat, Person
from .outbox import access, send
from .outbox.publish import publish
from .repair import drift, expiry, retention, sweeps
from .repair.reconcile import person_reconcile
from .vibes.client import VibesClient

log = logging.getLogger(__name__)

ACCESS_PROBE_TASK = "subscribers.tasks.vibes_access_probe"


@shared_task(name="subscribers.tasks.push_send", ignore_result=True)
def push_send(push_id: int) -> str:
    """Send one outbox row's current state to Vibes."""
    return send.push_send(push_id)


@shared_task(name="subscribers.tasks.push_sweep", ignore_result=True)
def push_sweep(limit: int = 2000) -> int:
    return sweeps.push_sweep(limit=limit)


@worker_ready.connect
def push_sweep_at_start(**_kwargs) -> None:
    """A starting worker re-queues what a killed one left (``repair.sweeps``) at once."""
    try:
        sweeps.push_sweep(at_start=True)
        # Credentials may have been fixed by this restart: ask now, not at the next probe.
        publish(ACCESS_PROBE_TASK)
    except Exception:  # noqa: BLE001 - the worker must start; beat's sweep comes later
        log.exception("the start-up push sweep failed; the periodic sweep will retry")
    finally:
        connections.close_all()  # pool processes fork from here: no shared connection


@shared_task(name=heartbeat.HEARTBEAT_TASK, ignore_result=True)
def worker_heartbeat() -> None:
    """Scheduled by beat: a worker ran it, so a worker runs (subscribers/heartbeat.py)."""
    heartbeat.seen(Heartbeat.Process.WORKER)


@worker_ready.connect
def worker_heartbeat_at_start(**_kwargs) -> None:
    try:
        heartbeat.seen(Heartbeat.Process.WORKER)
    except Exception:  # noqa: BLE001 - the worker must start; beat's heartbeat comes later
        log.exception("could not record the worker's heartbeat")
    finally:
        connections.close_all()  # pool processes fork from here: no shared connection


@shared_task(name="subscribers.tasks.push_retry_failed", ignore_result=True)
def push_retry_failed(limit: int = 500) -> int:
    return sweeps.push_retry_failed(limit=limit)


@shared_task(name=ACCESS_PROBE_TASK, ignore_result=True)
def vibes_access_probe() -> str:
    """While Vibes refuses our credentials, ask once whether it accepts them now."""
    note = access.access_probe()
    if note != access.RESTORED:
        return note
    # Every push waited without a message of its own: queue all that are due, as at start.
    return f"restored; {sweeps.push_sweep(at_start=True, limit=None)} waiting push(es) queued"


@shared_task(name="subscribers.tasks.person_reread", ignore_result=True)
def person_reread(person_id: int) -> str:
    """Re-read one person and their subscriptions from Vibes (admin "re-read")."""
    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return "no such person"
    return person_reconcile(person=person, client=VibesClient.shared()).summary()


@shared_task(name="subscribers.tasks.retention_prune", ignore_result=True)
def retention_prune() -> str:
    """Empty what is past its retention, bounded in batches (subscribers/repair/retention.py)."""
    return retention.retention_prune().summary()


@shared_task(name="subscribers.tasks.vibes_drift_sweep", ignore_result=True)
def vibes_drift_sweep() -> str:
    """Re-read the persons most likely out of step, within VIBES_DRIFT_BUDGET."""
    return drift.drift_sweep(client=VibesClient.shared()).summary()


@shared_task(name="subscribers.tasks.pending_expire", ignore_result=True)
def pending_expire() -> str:
    """End the joins and new numbers nobody confirmed in time (beat, ``repair.expiry``)."""
    return expiry.pending_expire().summary()
