"""The periodic sweeps that find pushes the normal path left behind.

A push whose message never reached a worker (the broker was down, a worker died holding
it) stays pending: ``push_sweep`` publishes it again. A push that used up its retries is
failed: ``push_retry_failed`` gives it another round on a slower schedule.

A worker that starts runs ``push_sweep(at_start=True)`` at once: a worker killed mid-push
or holding a debounced message leaves pushes that the next worker would otherwise only find
after the lease, the broker's visibility timeout or ``PUSH_STALE_SECONDS``. A second message
for a push whose first one is still somewhere is harmless: ``push_claim`` sends it once.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from ..outbox.models import Push
from ..outbox.publish import broker_reset
from ..outbox.record import push_enqueue
from ..outbox.states import leases_release_dead, push_requeue

log = logging.getLogger(__name__)

PUBLISH_CHUNK = 2000  # messages per publish, each call under its own short deadline


def push_sweep(*, limit: int | None = 2000, at_start: bool = False) -> int:
    """Re-queue pushes pending too long (``at_start``: every pending push that is due,
    after freeing the leases of this host's dead workers), at most ``limit`` (None: all);
    return how many."""
    now = timezone.now()
    stale = now - timedelta(seconds=0 if at_start else settings.PUSH_STALE_SECONDS)
    if at_start and (freed := leases_release_dead(now=now)):
        log.warning("freed %d lease(s) of a worker that is gone", freed)
    ids = list(
        Push.objects.filter(state=Push.State.PENDING)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lte=stale))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        broker_reset()  # the sweep runs in a worker: the broker is evidently back
        for start in range(0, len(ids), PUBLISH_CHUNK):
            push_enqueue(ids[start : start + PUBLISH_CHUNK])
        log.info("sweep re-queued %d pending push(es)", len(ids))
    return len(ids)


def push_retry_failed(*, limit: int = 500) -> int:
    """Move failed pushes that rested ``PUSH_FAILED_RETRY_SECONDS`` back to pending."""
    older = timezone.now() - timedelta(seconds=settings.PUSH_FAILED_RETRY_SECONDS)
    failed = list(
        Push.objects.filter(state=Push.State.FAILED, updated_at__lt=older).order_by("id")[:limit]
    )
    count = push_requeue(pushes=failed)
    if count:
        push_enqueue([p.pk for p in failed])
    return count
