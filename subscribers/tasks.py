"""Celery tasks that push local changes to Vibes, and the periodic repairs.

Tasks take ids and load the current state, so a task that runs twice, late, or after a
newer edit does no harm. A push is claimed with a lease on its outbox row (two workers
never send the same push at once; a worker killed mid-push leaves a lease that expires,
and the sweep sends the push again).
"""

import logging
import random

from celery import shared_task
from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from . import services
from .models import Person
from .outbox import push_enqueue, push_requeue, push_reset_broker_state
from .outbox_models import Push
from .push import StopPush, attempt_recorder, push_perform
from .vibes import errors
from .vibes.client import VibesClient

log = logging.getLogger(__name__)


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter, capped at ``PUSH_MAX_BACKOFF_SECONDS``."""
    ceiling = min(settings.PUSH_MAX_BACKOFF_SECONDS, settings.PUSH_RETRY_BASE_SECONDS * 2**attempt)
    return random.uniform(0, ceiling)


@shared_task(name="subscribers.tasks.push_send", ignore_result=True)
def push_send(push_id: int) -> str:
    """Send one outbox row's current state to Vibes."""
    now = timezone.now()
    claimed = (
        Push.objects.filter(pk=push_id, state=Push.State.PENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(
            Q(next_attempt_at__isnull=True)
            | Q(next_attempt_at__lte=now + timezone.timedelta(seconds=1))
        )
        .update(lease_until=now + timezone.timedelta(seconds=settings.PUSH_LEASE_SECONDS))
    )
    if not claimed:
        return "skipped"
    push = Push.objects.select_related("person").get(pk=push_id)
    generation = push.generation
    client = VibesClient.shared()
    try:
        with client.observing(attempt_recorder(push)):
            note = push_perform(push=push, client=client, started_at=now)
    except errors.RateLimited as exc:
        return _retry_later(push, exc, at_least=exc.retry_after or 0)
    except (StopPush, errors.VibesError) as exc:
        if exc.retryable:
            return _retry_later(push, exc)
        return _stop(push, exc)
    except Exception as exc:
        log.exception("push %s failed unexpectedly", push_id)
        return _retry_later(push, exc)
    finished = timezone.now()
    done = Push.objects.filter(pk=push.pk, generation=generation, state=Push.State.PENDING).update(
        state=Push.State.DONE,
        lease_until=None,
        done_at=finished,
        next_attempt_at=None,
        last_error="",
    )
    if not done:
        # Edited while we were sending: send the newer state, after the debounce.
        Push.objects.filter(pk=push.pk).update(lease_until=None)
        push_enqueue([push.pk], countdown=settings.PUSH_DEBOUNCE_SECONDS)
        note += "; edited meanwhile, sending again"
    else:  # older failed or stopped pushes of the same target are now moot
        Push.objects.filter(
            person_id=push.person_id,
            kind=push.kind,
            subscription_list_id=push.subscription_list_id,
            vibes_person=push.vibes_person,
            state__in=[Push.State.FAILED, Push.State.STOPPED],
            pk__lt=push.pk,
        ).update(state=Push.State.SUPERSEDED)
    _refresh_sync_state(push.person_id)
    log.info("push %s (%s) %s", push.pk, push.kind, note)
    return note


def _retry_later(push: Push, exc: Exception, *, at_least: float = 0) -> str:
    attempts = push.attempts + 1
    if attempts >= settings.PUSH_MAX_ATTEMPTS:
        Push.objects.filter(pk=push.pk).update(
            state=Push.State.FAILED, attempts=attempts, lease_until=None, last_error=str(exc)[:2000]
        )
        _refresh_sync_state(push.person_id)
        log.warning("push %s failed after %d attempts: %s", push.pk, attempts, exc)
        return "failed"
    delay = max(backoff_seconds(attempts), at_least)
    Push.objects.filter(pk=push.pk).update(
        attempts=attempts,
        lease_until=None,
        last_error=str(exc)[:2000],
        next_attempt_at=timezone.now() + timezone.timedelta(seconds=delay),
        queued_at=timezone.now(),
    )
    push_enqueue([push.pk], countdown=delay)
    return f"retry {attempts} in {delay:.1f}s"


def _stop(push: Push, exc: Exception) -> str:
    Push.objects.filter(pk=push.pk).update(
        state=Push.State.STOPPED,
        lease_until=None,
        last_error=str(exc)[:2000],
        attempts=push.attempts + 1,
    )
    _refresh_sync_state(push.person_id)
    log.warning("push %s stopped, needs attention: %s", push.pk, exc)
    return "stopped"


def _refresh_sync_state(person_id: int) -> None:
    """Person.sync_state from its open pushes: attention > failed > pending > in sync."""
    open_pushes = Push.objects.filter(
        person_id=person_id,
        state__in=[Push.State.PENDING, Push.State.FAILED, Push.State.STOPPED],
    ).order_by("-id")
    by_state = {}
    for state, error in open_pushes.values_list("state", "last_error"):
        by_state.setdefault(state, error)
    if Push.State.STOPPED in by_state:
        state, error = Person.SyncState.ATTENTION, by_state[Push.State.STOPPED]
    elif Push.State.FAILED in by_state:
        state, error = Person.SyncState.FAILED, by_state[Push.State.FAILED]
    elif Push.State.PENDING in by_state:
        state, error = Person.SyncState.PENDING, by_state[Push.State.PENDING]
    else:
        state, error = Person.SyncState.IN_SYNC, ""
    services.person_set_sync_state(person=Person(pk=person_id), state=state, error=error)


@shared_task(name="subscribers.tasks.push_sweep", ignore_result=True)
def push_sweep(limit: int = 2000) -> int:
    """Re-queue pushes pending too long: the broker was down, or a worker died mid-push."""
    now = timezone.now()
    stale = now - timezone.timedelta(seconds=settings.PUSH_STALE_SECONDS)
    ids = list(
        Push.objects.filter(state=Push.State.PENDING)
        .filter(Q(queued_at__isnull=True) | Q(queued_at__lt=stale))
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now))
        .order_by("id")
        .values_list("pk", flat=True)[:limit]
    )
    if ids:
        push_reset_broker_state()  # we run in the worker: the broker is evidently back
        push_enqueue(ids)
        log.info("sweep re-queued %d pending push(es)", len(ids))
    return len(ids)


@shared_task(name="subscribers.tasks.push_retry_failed", ignore_result=True)
def push_retry_failed(limit: int = 500) -> int:
    """Give failed pushes another round, on a slower schedule than the normal retries."""
    older = timezone.now() - timezone.timedelta(seconds=settings.PUSH_FAILED_RETRY_SECONDS)
    failed = list(
        Push.objects.filter(state=Push.State.FAILED, updated_at__lt=older).order_by("id")[:limit]
    )
    count = push_requeue(pushes=failed)
    if count:
        push_enqueue([p.pk for p in failed])
    return count


@shared_task(name="subscribers.tasks.person_reread", ignore_result=True)
def person_reread(person_id: int) -> str:
    """Re-read one person and their subscriptions from Vibes (admin "re-read")."""
    from .reconcile import person_reconcile

    person = Person.objects.filter(pk=person_id).first()
    if person is None:
        return "no such person"
    result = person_reconcile(person=person, client=VibesClient.shared())
    return result.summary()
