"""The Celery task that applies stored callbacks outside the request.

The endpoint asks for it at most once per ``KICK_INTERVAL`` per process
(``callbacks.handoff``); beat runs it as a sweep, so events whose run never came (broker
down, worker killed) are applied all the same. A run is bounded (``callbacks.apply``): one
that stops at its bound, or at the soft time limit, asks for the next run at once.
"""

import logging

from celery import shared_task
from celery.exceptions import SoftTimeLimitExceeded
from celery.signals import worker_ready

from subscribers.outbox.publish import publish

from .apply import events_apply_received
from .handoff import APPLY_TASK, KICK_INTERVAL

logger = logging.getLogger(__name__)


@shared_task(name=APPLY_TASK, ignore_result=True)
def callbacks_apply_received(settle: float = KICK_INTERVAL + 0.5) -> int:
    try:
        run = events_apply_received(settle=settle)
    except SoftTimeLimitExceeded:
        # The event being applied was rolled back and stays received; the next run takes it.
        logger.warning("callback apply run reached the soft time limit; the next run goes on")
        publish(APPLY_TASK)
        return 0
    if run.more:
        publish(APPLY_TASK)
    return run.applied


@worker_ready.connect
def callbacks_apply_at_start(**_kwargs) -> None:
    """A starting worker asks for a run at once: events a killed worker was applying stay
    received, and need not wait for beat's sweep."""
    publish(APPLY_TASK)
