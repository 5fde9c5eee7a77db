"""Recording pushes in the outbox and handing them to the worker without ever blocking.

``push_record`` is called by the model signals (and by bulk paths that skip signals, via
``push_record_many``) inside the caller's transaction. Once the transaction commits, the
ids go to the broker through ``push_enqueue``, which has its own hard deadline and
swallows every error: a down or hung Redis costs a request at most
``PUSH_PUBLISH_TIMEOUT`` seconds once per ``PUSH_BROKER_BACKOFF_SECONDS``, and the row
stays pending for the periodic sweep (``tasks.push_sweep``) to send later.
"""

import contextlib
import logging
import threading
import time
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .models import Person
from .outbox_models import Push

log = logging.getLogger(__name__)

_executor = ThreadPoolExecutor(max_workers=2, thread_name_prefix="push-publish")
_broker_down_until = 0.0
_state_lock = threading.Lock()


def _target(kind: str, list_id: int | None, vibes_person: dict) -> Q:
    q = Q(kind=kind, state=Push.State.PENDING)
    if kind == Push.Kind.SUBSCRIPTION:
        q &= Q(subscription_list_id=list_id)
    if kind == Push.Kind.OLD_NUMBER:
        q &= Q(vibes_person=vibes_person)  # each old record is a target of its own
    return q


def push_record(
    *,
    person_id: int,
    kind: str = Push.Kind.PERSON,
    list_id: int | None = None,
    removed: Iterable[str] = (),
    vibes_person: dict | None = None,
    enqueue: bool = True,
) -> Push:
    """Record that ``person``'s details (or one subscription, or the Vibes record of an
    old number, ``vibes_person``) must be pushed.

    Joins the pending push for the same target when there is one (its generation goes
    up, so a send already under way knows to send again); otherwise adds one and, once
    the transaction commits, queues the task after ``PUSH_DEBOUNCE_SECONDS`` so that a
    burst of edits becomes one call.
    """
    vibes_person = vibes_person or {}
    kind = Push.Kind(kind)
    removed = sorted(set(removed))
    created = False
    with transaction.atomic():
        for _attempt in range(3):
            push = (
                Push.objects.select_for_update()
                .filter(_target(kind, list_id, vibes_person), person_id=person_id)
                .first()
            )
            if push is not None:
                push.generation += 1
                if removed:
                    push.removed = sorted(set(push.removed) | set(removed))
                push.save(update_fields=["generation", "removed", "updated_at"])
                break
            try:
                with transaction.atomic():
                    push = Push.objects.create(
                        person_id=person_id,
                        kind=kind,
                        subscription_list_id=list_id if kind == Push.Kind.SUBSCRIPTION else None,
                        removed=removed,
                        vibes_person=vibes_person,
                        queued_at=timezone.now(),
                    )
                created = True
                break
            except IntegrityError:
                continue  # another transaction added it first: join that one
        else:
            raise RuntimeError("could not record the push")
        Person.objects.filter(pk=person_id).exclude(sync_state=Person.SyncState.PENDING).update(
            sync_state=Person.SyncState.PENDING, sync_error=""
        )
        if created and enqueue:
            push_id = push.pk
            transaction.on_commit(
                lambda: push_enqueue([push_id], countdown=settings.PUSH_DEBOUNCE_SECONDS)
            )
    return push


def push_record_many(
    *, person_ids: Iterable[int], kind: str = Push.Kind.PERSON, list_id: int | None = None
) -> list[int]:
    """For bulk writes that skip signals (``bulk_create``, ``queryset.update``): record a
    push for each person, and queue the new ones together once the transaction commits."""
    new_ids = []
    with transaction.atomic():
        for person_id in person_ids:
            push = push_record(person_id=person_id, kind=kind, list_id=list_id, enqueue=False)
            if push.generation == 1:
                new_ids.append(push.pk)
        if new_ids:
            transaction.on_commit(
                lambda: push_enqueue(new_ids, countdown=settings.PUSH_DEBOUNCE_SECONDS)
            )
    return new_ids


def push_enqueue(push_ids: list[int], *, countdown: float | None = None) -> int:
    """Publish one ``push_send`` task per id; return how many were published.

    Never raises and never waits longer than ``PUSH_PUBLISH_TIMEOUT``: the publish runs in
    a helper thread, and after a failure publishing is skipped for a while, so a burst of
    saves against a dead broker does not pay the timeout each time.
    """
    global _broker_down_until
    if not push_ids:
        return 0
    with _state_lock:
        if time.monotonic() < _broker_down_until:
            log.info("broker marked down: %d push(es) left for the sweep", len(push_ids))
            return 0
    url = getattr(_publish_url, "value", None)
    future = _executor.submit(_publish, list(push_ids), countdown, *([url] if url else []))
    try:
        # One message takes about a millisecond: a bulk batch gets time in proportion.
        published = future.result(timeout=settings.PUSH_PUBLISH_TIMEOUT + 0.005 * len(push_ids))
    except FutureTimeout:
        reason = "timed out"
    except Exception as exc:  # noqa: BLE001 - no broker problem may fail the caller
        reason = f"{exc.__class__.__name__}: {exc}"
    else:
        if published:
            Push.objects.filter(pk__in=push_ids).update(queued_at=timezone.now())
        return published
    with _state_lock:
        _broker_down_until = time.monotonic() + settings.PUSH_BROKER_BACKOFF_SECONDS
    log.warning("could not queue %d push(es) (%s); the sweep will send them", len(push_ids), reason)
    return 0


_publish_url = threading.local()


@contextlib.contextmanager
def pushes_to(broker_url: str):
    """Publish to another broker inside the block (tests that run their own Redis)."""
    previous = getattr(_publish_url, "value", None)
    _publish_url.value = broker_url
    try:
        yield
    finally:
        _publish_url.value = previous


def _publish(push_ids: list[int], countdown: float | None, url: str | None = None) -> int:
    from config.celery import app

    from .tasks import push_send

    timeout = settings.PUSH_PUBLISH_TIMEOUT
    options = {
        "socket_timeout": timeout,
        "socket_connect_timeout": timeout,
        "retry_on_timeout": False,
        "max_retries": 0,
    }
    with app.connection_for_write(url, transport_options=options) as conn:
        conn.ensure_connection(max_retries=0, timeout=timeout)
        with conn.Producer() as producer:
            for push_id in push_ids:
                push_send.apply_async(
                    (push_id,), countdown=countdown, producer=producer, retry=False
                )
    return len(push_ids)


def broker_call(fn, *args) -> bool:
    """Run a publishing ``fn(*args)`` under the same deadline and error swallowing as
    ``push_enqueue`` (for other tasks queued from requests, e.g. the admin's re-read)."""
    global _broker_down_until
    with _state_lock:
        if time.monotonic() < _broker_down_until:
            return False
    try:
        _executor.submit(fn, *args).result(timeout=settings.PUSH_PUBLISH_TIMEOUT)
        return True
    except Exception as exc:  # noqa: BLE001 - includes the timeout
        with _state_lock:
            _broker_down_until = time.monotonic() + settings.PUSH_BROKER_BACKOFF_SECONDS
        log.warning("could not queue a task (%s)", exc.__class__.__name__)
        return False


def push_reset_broker_state() -> None:
    """Forget an earlier publish failure (tests, and after the broker is known back)."""
    global _broker_down_until
    with _state_lock:
        _broker_down_until = 0.0


def push_requeue(*, pushes) -> int:
    """Move failed or stopped pushes back to pending (admin "push now", the slow retry),
    unless a newer pending push for the same target exists, which supersedes them."""
    count = 0
    for push in pushes:
        with transaction.atomic():
            try:
                with transaction.atomic():
                    updated = Push.objects.filter(
                        pk=push.pk, state__in=[Push.State.FAILED, Push.State.STOPPED]
                    ).update(
                        state=Push.State.PENDING,
                        attempts=0,
                        next_attempt_at=None,
                        lease_until=None,
                        generation=F("generation") + 1,
                    )
            except IntegrityError:
                Push.objects.filter(pk=push.pk).update(state=Push.State.SUPERSEDED)
                continue
            count += updated
    return count
