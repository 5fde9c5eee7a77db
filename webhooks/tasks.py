"""Celery tasks of the webhooks: published by name (webhooks/record.py), ids in, idempotent."""

from celery import shared_task
from django.conf import settings

from subscribers.outbox.publish import publish

from . import deliver
from .record import DELIVER_TASK

#: A retry waiting longer than this is left to the sweep rather than a countdown.
COUNTDOWN_LIMIT = 300


@shared_task(name=DELIVER_TASK, ignore_result=True)
def webhooks_deliver(endpoint_id: int, ordering_key: str) -> str:
    step = deliver.deliver_pair(endpoint_id=endpoint_id, ordering_key=str(ordering_key))
    if step.outcome == "sent":  # the budget ran out with more to send
        publish(DELIVER_TASK, [(endpoint_id, ordering_key)])
    elif step.outcome == "retry" and step.retry_in is not None and step.retry_in <= COUNTDOWN_LIMIT:
        publish(DELIVER_TASK, [(endpoint_id, ordering_key)], countdown=step.retry_in)
    return step.outcome


@shared_task(name="webhooks.tasks.webhooks_sweep", ignore_result=True)
def webhooks_sweep() -> int:
    """Every pair with a delivery due: retries past the countdown limit, and publishes lost
    while the broker was down."""
    pairs = deliver.due_pairs(limit=settings.WEBHOOK_SWEEP_LIMIT)
    return publish(DELIVER_TASK, pairs) if pairs else 0


@shared_task(name="webhooks.tasks.webhooks_prune", ignore_result=True)
def webhooks_prune() -> int:
    return deliver.events_prune()
