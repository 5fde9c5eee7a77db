"""The Celery task that applies stored callbacks outside the request.

The endpoint asks for it at most once per ``KICK_INTERVAL`` per process
(``callbacks.handoff``); beat runs it as a sweep, so events whose run never came (broker
down, worker killed) are applied all the same.
"""

from celery import shared_task

from .apply import events_apply_received
from .handoff import KICK_INTERVAL


@shared_task(name="callbacks.tasks.callbacks_apply_received", ignore_result=True)
def callbacks_apply_received(settle: float = KICK_INTERVAL + 0.5) -> int:
    return events_apply_received(settle=settle)
