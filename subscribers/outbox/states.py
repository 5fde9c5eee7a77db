"""The push state machine: every change of a ``Push`` row's state, in one place.

    pending ──claim──▶ (leased) ──done──▶ done
       ▲                  │ ├──retryable error──▶ pending, later (attempts + 1)
       │                  │ ├──attempts used up──▶ failed ──slow retry / push now──┐
       │                  │ └──needs staff──────▶ stopped ──push now───────────────┤
       └──────────────────┴────────────────────────────────────────────────────────┘
       ▲                  │
       └──────────────────┘ credentials refused (401/403): waits for ``access``'s probe

A pending push is claimed with a lease on its row (two workers never send the same push
at once; a worker killed mid-push leaves a lease that expires). ``generation`` counts the
edits coalesced into a push: a send finishes it only if no edit came meanwhile.
"""

import logging
import os
import random
import socket
from datetime import datetime, timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from .. import services
from ..models import Person
from .access import access_refuse
from .models import Push
from .record import push_enqueue, push_record

log = logging.getLogger(__name__)

OPEN = (Push.State.PENDING, Push.State.FAILED, Push.State.STOPPED)


def backoff_seconds(attempt: int) -> float:
    """Exponential backoff with full jitter, capped at ``PUSH_MAX_BACKOFF_SECONDS``."""
    ceiling = min(settings.PUSH_MAX_BACKOFF_SECONDS, settings.PUSH_RETRY_BASE_SECONDS * 2**attempt)
    return random.uniform(0, ceiling)


def lease_owner() -> str:
    """This process as a lease holder: its host and pid, so a worker starting on the same
    host can tell a dead holder's lease from a live one (``leases_release_dead``)."""
    return f"{socket.gethostname()}:{os.getpid()}"


def push_claim(push_id: int, *, now: datetime) -> Push | None:
    """Lease a pending push that is due, or None (sent by another worker, done, or not
    due yet). The lease outlasts the task time limit."""
    claimed = (
        Push.objects.filter(pk=push_id, state=Push.State.PENDING)
        .filter(Q(lease_until__isnull=True) | Q(lease_until__lt=now))
        .filter(
            Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now + timedelta(seconds=1))
        )
        .update(
            lease_until=now + timedelta(seconds=settings.PUSH_LEASE_SECONDS),
            lease_owner=lease_owner(),
        )
    )
    if not claimed:
        return None
    return Push.objects.select_related("person").get(pk=push_id)


def push_done(push: Push, *, generation: int) -> bool:
    """Finish a push that was sent. False when it was edited meanwhile: then it stays
    pending and is queued again (after the debounce) to send the newer state."""
    done = Push.objects.filter(pk=push.pk, generation=generation, state=Push.State.PENDING).update(
        state=Push.State.DONE,
        lease_until=None,
        done_at=timezone.now(),
        next_attempt_at=None,
        last_error="",
    )
    if not done:
        Push.objects.filter(pk=push.pk).update(lease_until=None)
        push_enqueue([push.pk], countdown=settings.PUSH_DEBOUNCE_SECONDS)
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
    return bool(done)


def leases_release_dead(*, now: datetime) -> int:
    """Free the unexpired leases of this host's processes that no longer run; return how
    many. Run when a worker starts: a worker killed mid-push leaves a lease that would
    otherwise hold its push for ``PUSH_LEASE_SECONDS``. The starting process holds no lease
    yet, so one naming its own pid (a container restarted with the same pid) is dead too.
    Leases of other hosts are left to expire: this host cannot see their processes."""
    host = socket.gethostname()
    dead = []
    leased = Push.objects.filter(
        state=Push.State.PENDING, lease_until__gt=now, lease_owner__startswith=f"{host}:"
    )
    for pk, owner in leased.values_list("pk", "lease_owner"):
        pid = owner.rpartition(":")[2]
        if not pid.isdigit() or int(pid) == os.getpid() or not _process_runs(int(pid)):
            dead.append(pk)
    return Push.objects.filter(pk__in=dead, lease_until__gt=now).update(lease_until=None)


def _process_runs(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # it runs, as another user
    return True


def push_retry_later(push: Push, exc: Exception, *, at_least: float = 0) -> str:
    """A retryable failure: try again after a backoff, or give up as failed."""
    attempts = push.attempts + 1
    if attempts >= settings.PUSH_MAX_ATTEMPTS:
        Push.objects.filter(pk=push.pk).update(
            state=Push.State.FAILED, attempts=attempts, lease_until=None, last_error=str(exc)[:2000]
        )
        _refresh_sync_state(push.person_id)
        log.warning("push %s failed after %d attempts: %s", push.pk, attempts, exc)
        return "failed"
    delay = max(backoff_seconds(attempts), at_least)
    now = timezone.now()
    Push.objects.filter(pk=push.pk).update(
        attempts=attempts,
        lease_until=None,
        last_error=str(exc)[:2000],
        next_attempt_at=now + timedelta(seconds=delay),
        queued_at=now,
    )
    push_enqueue([push.pk], countdown=delay)
    return f"retry {attempts} in {delay:.1f}s"


def push_wait_for_access(push: Push, exc: Exception | None) -> str:
    """Vibes refuses our credentials (``access``): the push stays pending, its attempt
    not counted, until the probe restores access and queues it again."""
    if exc is not None:
        access_refuse(exc)
    Push.objects.filter(pk=push.pk).update(
        lease_until=None, last_error=str(exc or "waiting: Vibes refuses our API credentials")
    )
    return "waiting for Vibes to accept our credentials"


def push_stop(push: Push, exc: Exception) -> str:
    """A push that cannot succeed without staff: stopped, the person needs attention."""
    Push.objects.filter(pk=push.pk).update(
        state=Push.State.STOPPED,
        lease_until=None,
        last_error=str(exc)[:2000],
        attempts=push.attempts + 1,
    )
    _refresh_sync_state(push.person_id)
    log.warning("push %s stopped, needs attention: %s", push.pk, exc)
    return "stopped"


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


#: What staff may never discard: an erasure must reach Vibes (subscribers/services/erasure.py).
NOT_DISCARDABLE = (Push.Kind.ERASURE,)


def push_discard(*, pushes, by: str) -> int:
    """Staff's "discard" of failed or stopped pushes: the change never goes to Vibes (it
    keeps what it had), the push is kept as superseded with who discarded it, and the
    person's sync state is worked out again."""
    count = 0
    with transaction.atomic():
        for push in pushes:
            if push.kind in NOT_DISCARDABLE:
                continue
            count += Push.objects.filter(
                pk=push.pk, state__in=[Push.State.FAILED, Push.State.STOPPED]
            ).update(
                state=Push.State.SUPERSEDED,
                lease_until=None,
                last_error=f"Discarded by {by}. Last error: {push.last_error}"[:2000],
            )
            _refresh_sync_state(push.person_id)
    return count


def persons_push_now(person_ids) -> int:
    """Staff's "push now": a details push for each person, and their failed or stopped
    pushes back to pending; all queued once the transaction commits."""
    ids = []
    with transaction.atomic():
        for person_id in person_ids:
            ids.append(push_record(person_id=person_id, enqueue=False).pk)
            stuck = list(
                Push.objects.filter(
                    person_id=person_id, state__in=[Push.State.FAILED, Push.State.STOPPED]
                )
            )
            if push_requeue(pushes=stuck):
                ids += [p.pk for p in stuck]
        transaction.on_commit(lambda: push_enqueue(sorted(set(ids))))
    return len(ids)


def _refresh_sync_state(person_id: int) -> None:
    """Person.sync_state from its open pushes: attention > failed > pending > in sync."""
    by_state = {}
    open_pushes = Push.objects.filter(person_id=person_id, state__in=OPEN).order_by("-id")
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
