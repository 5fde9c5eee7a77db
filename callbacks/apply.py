"""Apply stored callbacks exactly once: one through its handler, or a backlog in batches.

``event_apply`` locks the event row, so two runs (a replay racing another, say) cannot both
apply it, and runs the handler in a savepoint: a failing handler leaves the event
``failed`` with its error, and whatever the handler wrote is rolled back. A worker's run
(``events_apply_received``) claims chunks of received events and applies them through
``callbacks.batch``, which decides what it can in a few statements and hands the rest to
``event_apply``, each in its place.
"""

import logging
import time
import traceback
from dataclasses import dataclass
from functools import partial

from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from subscribers.phone import normalize_from_vibes

from .batch import chunk_apply
from .handlers import HANDLERS, Unprocessable
from .models import CallbackEvent

logger = logging.getLogger(__name__)
Status = CallbackEvent.Status

# Statuses an apply (or a replay) may act on. Applied, duplicate, superseded and rejected
# events are final: applying them again could only add noise.
APPLICABLE = (Status.RECEIVED, Status.FAILED, Status.IGNORED)


def event_apply(*, event_id: int, skip_locked: bool = False) -> CallbackEvent | None:
    """Apply a stored event through its handler, at most once; return it as it ends.

    With ``skip_locked`` an event another process is applying right now is left to it
    (and None returned).
    """
    with transaction.atomic():
        event = (
            CallbackEvent.objects.select_for_update(skip_locked=skip_locked)
            .filter(pk=event_id, status__in=APPLICABLE)
            .first()
        )
        if event is None:
            if skip_locked:
                return None
            return CallbackEvent.objects.filter(pk=event_id).first()
        handler = HANDLERS.get(event.callback_type)
        event.mdn = normalize_from_vibes(event.mdn)[:32]
        event.attempts += 1
        event.processed_at = timezone.now()
        if handler is None:
            event.status, event.error = Status.IGNORED, "Callback type not handled."
        else:
            try:
                with transaction.atomic():
                    outcome = handler(event)
            except SoftTimeLimitExceeded:
                # The run is out of time, not the event at fault: leaving the transaction
                # this way rolls back the attempt, so the event stays received.
                raise
            except Unprocessable as exc:
                # Well-formed JSON that can never be applied (no list id, no person):
                # retrying cannot help, so it is not "failed".
                event.status, event.error = Status.REJECTED, str(exc)
            except Exception as exc:
                logger.warning(
                    "callback %s (%s %s) failed: %s",
                    event.pk,
                    event.callback_type,
                    event.event_id,
                    type(exc).__name__,
                )
                event.status, event.error = Status.FAILED, _summary(exc)
            else:
                event.status, event.error = outcome.status, outcome.note
                if outcome.person is not None:
                    event.person = outcome.person
        event.save(update_fields=["status", "error", "attempts", "processed_at", "person", "mdn"])
    return event


@dataclass
class Run:
    """What one apply run did: how many it applied and whether it stopped at its bound
    with events still waiting (the caller then asks for the next run)."""

    applied: int = 0
    more: bool = False


def events_apply_received(
    *,
    settle: float = 0.0,
    batch: int | None = None,
    seconds: float | None = None,
    limit: int | None = None,
    opt_outs_first: bool = True,
) -> Run:
    """Apply events still ``received`` for at most ``seconds`` (``CALLBACK_APPLY_RUN_SECONDS``)
    and ``limit`` events (``CALLBACK_APPLY_RUN_MAX``), ``batch`` (``CALLBACK_APPLY_BATCH``)
    at a time through ``callbacks.batch``; a ``batch`` of 0 applies them one by one.

    Opt-outs first (unless ``opt_outs_first`` is False): each step takes the waiting
    ``subscription_removed`` events, with the other events waiting for their numbers,
    before anything else, so a stop never waits behind a backlog of opt-ins
    (``batch.run.chunk_apply``).

    The bound keeps a run well inside the worker's time limits however large the backlog:
    a run that reaches it stops between chunks and says there is more. With ``settle`` it
    looks once more after that many seconds before giving up: the endpoint asks for a run
    at most once per ``KICK_INTERVAL`` per process, so an event stored just after a run's
    last look is still picked up by that run.
    """
    seconds = settings.CALLBACK_APPLY_RUN_SECONDS if seconds is None else seconds
    limit = settings.CALLBACK_APPLY_RUN_MAX if limit is None else limit
    batch = settings.CALLBACK_APPLY_BATCH if batch is None else batch
    deadline = time.monotonic() + seconds
    run, settled = Run(), False
    while True:
        if run.applied and (time.monotonic() >= deadline or run.applied >= limit):
            run.more = True
            return run
        size = max(1, min(batch or 1, limit - run.applied))
        step = partial(chunk_apply, size=size, single=_apply_one, one_by_one=not batch)
        try:
            applied = step(opt_outs=True) if opt_outs_first else 0
            applied = applied or step()
        except SoftTimeLimitExceeded:
            raise
        except Exception:
            # The database went away, say: the chunk was rolled back and stays received.
            logger.exception("callbacks could not be applied; they stay received")
            return run
        run.applied += applied
        if applied:
            settled = False
            continue
        if settle and not settled and time.monotonic() + settle < deadline:
            time.sleep(settle)
            settled = True
            continue
        return run


def _apply_one(pk: int) -> None:
    event_apply(event_id=pk, skip_locked=True)


def _summary(exc: BaseException, limit: int = 4) -> str:
    """The exception and the last few frames: enough for staff and developers."""
    frames = traceback.format_exception(type(exc), exc, exc.__traceback__, limit=-limit)
    return "".join(frames)[-4000:]
