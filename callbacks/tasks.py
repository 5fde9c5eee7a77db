"""Celery tasks that apply stored callbacks outside the request.

The endpoint only stores events (applying them in the request measured at a fraction of
the throughput Vibes' bursts need; see the README). It then asks for
``callbacks_apply_received`` at most once per ``KICK_INTERVAL`` per process; beat runs the
same task as a sweep, so events whose run never came (broker down, worker killed) are
applied all the same.
"""

from celery import shared_task

from .processing import event_apply, events_apply_received

# The endpoint publishes at most one run per this many seconds per process.
KICK_INTERVAL = 1.0


@shared_task(ignore_result=True)
def callbacks_apply_received(settle: float = KICK_INTERVAL + 0.5) -> int:
    return events_apply_received(settle=settle)


@shared_task(ignore_result=True)
def callback_apply(event_id: int) -> None:
    event_apply(event_id=event_id)
